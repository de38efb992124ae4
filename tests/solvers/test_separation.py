"""Separation in unpenalized fits (clogit._solvers.separation).

The unpenalized MLE does not exist when a direction separates the classes,
completely or quasi-completely (some samples tied on the boundary).  clogit
stops, warns with a SeparationWarning naming the features, and returns
finite coefficients; statsmodels only catches complete separation.  Ordinary
data never trigger the warning (pytest runs with filterwarnings=error).
"""

import warnings

import numpy as np
import pytest
from scipy.linalg import LinAlgWarning
from sklearn.exceptions import ConvergenceWarning

import clogit
from clogit import SeparationWarning
from _data import (BREAST_CANCER_SUBSET, breast_cancer, solve, synthetic_binary,
                   synthetic_multiclass)


def _complete(n=200, p=2, columns=(0,), seed=0):
    """y is the sign of the sum of ``columns``: complete separation."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    return X, (X[:, list(columns)].sum(axis=1) > 0).astype(int)


def _quasi(n=300, seed=0):
    """A 0/1 indicator (last column) whose 1s are all in class 1; the
    others follow a logistic model: quasi-complete separation, the tied
    samples being those with indicator 0."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 3))
    indicator = (rng.random(n) < 0.2).astype(float)
    z = X @ np.array([1.0, -1.0, 0.5])
    y = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(int)
    y[indicator == 1] = 1
    return np.column_stack([X, indicator]), y


def _named(message):
    """The feature names a SeparationWarning lists."""
    text = str(message)
    start = text.index("predicted by ") + len("predicted by ")
    names = text[start:text.index(", whose")]
    names = names.removeprefix("features ").removeprefix("feature ")
    return names.split(", ")


def test_warning_class():
    assert issubclass(SeparationWarning, ConvergenceWarning)
    assert issubclass(SeparationWarning, UserWarning)


def test_complete_separation_stops_warns_and_names_the_feature():
    X, y = _complete()
    with pytest.warns(SeparationWarning, match="separation") as record:
        clf = clogit.LogisticRegression(penalty=None).fit(X, y)
    assert len(record) == 1
    message = str(record[0].message)
    assert "complete separation" in message and "quasi" not in message
    assert _named(message) == ["x0"]
    assert "200 of 200 samples" in message
    # stopped early, at finite (moderate) coefficients
    assert not clf.converged_
    assert clf.n_iter_[0] < 15
    assert np.all(np.isfinite(clf.coef_)) and np.abs(clf.coef_).max() < 100
    assert clf.score(X, y) == 1.0
    assert "separation" in str(clf.summary())
    assert clf.summary().statistics["separated"]


def test_separation_by_a_combination_names_its_features():
    X, y = _complete(n=2000, p=5, columns=(0, 2), seed=1)
    with pytest.warns(SeparationWarning) as record:
        clogit.LogisticRegression(penalty=None).fit(X, y)
    assert sorted(_named(record[0].message)) == ["x0", "x2"]


def test_quasi_complete_separation_names_the_indicator():
    pd = pytest.importorskip("pandas")
    X, y = _quasi()
    frame = pd.DataFrame(X, columns=["age", "dose", "weight", "smoker"])
    with pytest.warns(SeparationWarning, match="quasi-complete") as record:
        clf = clogit.LogisticRegression(penalty=None).fit(frame, y)
    assert _named(record[0].message) == ["smoker"]
    n_separated = int((X[:, 3] == 1).sum())
    assert f"{n_separated} of {len(y)} samples" in str(record[0].message)
    assert np.all(np.isfinite(clf.coef_))
    # the finite part is still estimated: the other coefficients match an
    # unpenalized fit on the tied samples (indicator == 0) alone
    tied = X[:, 3] == 0
    ref = clogit.LogisticRegression(penalty=None, tol=1e-10).fit(
        X[tied, :3], y[tied])
    np.testing.assert_allclose(clf.coef_[0, :3], ref.coef_[0], rtol=1e-3)


def test_statsmodels_misses_the_quasi_separation():
    # the reference to beat: statsmodels converges on these data and
    # reports a finite (meaningless) coefficient for the indicator
    sm = pytest.importorskip("statsmodels.api")
    X, y = _quasi()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # its heuristic "possibly" note
        ref = sm.Logit(y, sm.add_constant(X)).fit(method="newton", disp=0)
    assert np.isfinite(ref.params[-1])
    with pytest.warns(SeparationWarning):
        clogit.LogisticRegression(penalty=None).fit(X, y)


@pytest.mark.parametrize("tol", [1e-2, 1e-4, 1e-8])
def test_detected_at_every_tolerance(tol):
    # with a loose tol Newton meets the tolerance before two certificates
    # in a row: the last step's (looser) certificate still counts
    for X, y in (_complete(), _quasi()):
        with pytest.warns(SeparationWarning):
            clf = clogit.LogisticRegression(penalty=None, tol=tol).fit(X, y)
        assert not clf.converged_


def test_c_inf_is_unpenalized_and_checked():
    X, y = _complete()
    with pytest.warns(SeparationWarning):
        clogit.LogisticRegression(C=np.inf).fit(X, y)


def test_zero_weight_samples_do_not_count():
    # two mislabelled samples make the data non-separable; with weight 0
    # they are out of the likelihood, and the rest is separated
    X, y = _complete()
    y = y.copy()
    flipped = np.argsort(np.abs(X[:, 0]))[-2:]
    y[flipped] = 1 - y[flipped]
    clogit.LogisticRegression(penalty=None).fit(X, y)  # no warning
    weights = np.ones(len(y))
    weights[flipped] = 0
    with pytest.warns(SeparationWarning, match="198 of 198 samples"):
        clogit.LogisticRegression(penalty=None).fit(X, y,
                                                    sample_weight=weights)


def test_one_vs_rest_names_the_class():
    X, y = synthetic_multiclass(n=600, seed=3)
    X = np.column_stack([X, (y == "cat").astype(float) * 5.0])
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        clogit.LogisticRegression(penalty=None, multi_class="ovr").fit(X, y)
    separation = [str(w.message) for w in record
                  if w.category is SeparationWarning]
    # the indicator separates 'cat' completely, and every other class from
    # the cats quasi-completely: one warning per class, each labelled
    assert len(separation) == 4
    labels = [message[:message.index("]")] for message in separation]
    for label, message in zip(["ant", "bee", "cat", "dog"], separation):
        assert message.startswith("[class ") and label in message.split("]")[0]
        assert _named(message) == ["x6"]
    cat = separation[2]
    assert "(complete separation): 600 of 600" in cat
    assert len(labels) == 4


def test_real_data_full_breast_cancer_is_separable():
    # all 30 standardized breast_cancer features separate the classes:
    # Newton would otherwise "converge" with coefficients in the thousands
    X, y = breast_cancer()
    with pytest.warns(SeparationWarning):
        clf = clogit.LogisticRegression(penalty=None).fit(X, y)
    assert np.all(np.isfinite(clf.coef_))


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_ordinary_data_do_not_warn(fit_intercept):
    X, y = breast_cancer()
    for X_, y_ in ((X[:, BREAST_CANCER_SUBSET], y), synthetic_binary(),
                   synthetic_binary(n=300, p=3, seed=5)):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            clf = clogit.LogisticRegression(
                penalty=None, tol=1e-10, fit_intercept=fit_intercept)
            clf.fit(X_, y_)
        assert clf.converged_


def test_collinear_columns_are_not_separation():
    X, y = synthetic_binary(n=500, p=3)
    X = np.hstack([X, X[:, :1]])
    with pytest.warns(LinAlgWarning) as record:
        clf = clogit.LogisticRegression(penalty=None, tol=1e-8).fit(X, y)
    assert not any(w.category is SeparationWarning for w in record)
    assert clf.converged_


def test_nearly_separable_data_with_an_mle_do_not_warn():
    # one overlap sample is enough for the MLE to exist
    X, y = _complete(n=400, seed=4)
    y = y.copy()
    i = np.argmin(np.abs(X[:, 0] - 0.3))
    y[i] = 1 - y[i]
    clf = clogit.LogisticRegression(penalty=None, tol=1e-10).fit(X, y)
    assert clf.converged_


def test_penalized_fits_are_not_checked():
    X, y = _complete()
    clf = clogit.LogisticRegression(C=1.0, tol=1e-10).fit(X, y)
    assert clf.converged_


def test_newton_monitor_hook_contract():
    # called once per iteration, before the convergence test; True stops
    # the fit, which is then neither converged nor warned about by the
    # solver (the monitor's owner explains)
    from clogit._solvers.newton import newton_binary
    from clogit._solvers.result import warn_not_converged
    X, y = synthetic_binary(n=300, p=3)
    y = y.astype(np.float64)
    s = np.ones_like(y)
    calls = []

    def watch(iteration, coef, objective, z):
        calls.append(iteration)
        np.testing.assert_allclose(z, X @ coef[:-1] + coef[-1], rtol=1e-12,
                                   atol=1e-12)
        return False

    result = solve(newton_binary, X, y, s, C=1.0, alpha=0.0,
                   fit_intercept=True, tol=1e-10, max_iter=50, monitor=watch)
    assert result.converged and calls == list(range(1, result.n_iter + 1))

    result = solve(newton_binary, X, y, s, C=1.0, alpha=0.0,
                   fit_intercept=True, tol=1e-10, max_iter=50,
                   monitor=lambda it, *_: it == 2)
    assert result.n_iter == 2 and result.stopped_by_monitor
    assert not result.converged and result.hessian_factor is None
    warn_not_converged(result, 50)  # silent (filterwarnings=error)


# -- every solver, and the multinomial model (issue 13) ---------------------
@pytest.mark.parametrize("solver, name", [("lbfgs", "L-BFGS"),
                                          ("gd", "gradient descent"),
                                          ("newton-cg", "Newton-CG")])
@pytest.mark.parametrize("data", ["complete", "quasi", "breast_cancer"])
def test_every_binary_solver_detects_separation(solver, name, data):
    # L-BFGS used to be silent and gradient descent to warn only of
    # non-convergence; the warning names the solver and the features
    X, y = {"complete": _complete, "quasi": _quasi,
            "breast_cancer": breast_cancer}[data]()
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        clf = clogit.LogisticRegression(penalty=None, solver=solver).fit(X, y)
    assert [w.category for w in record] == [SeparationWarning]
    message = str(record[0].message)
    assert message.startswith(f"{name}: perfect separation detected")
    assert not clf.converged_
    assert np.all(np.isfinite(clf.coef_))
    if data == "complete":
        assert _named(message) == ["x0"]
        assert "(complete separation): 200 of 200 samples" in message
    if data == "quasi":
        assert "quasi-complete" in message and _named(message) == ["x3"]
    if data == "breast_cancer":
        # complete separation; the step certificates of Newton-CG and
        # (preconditioned) L-BFGS see a sample or two tied at the iterate
        # they stop at
        assert "569 of 569" in message or solver in ("newton-cg", "lbfgs")
        assert "of 569 samples are perfectly predicted" in message


@pytest.mark.parametrize("solver", ["lbfgs", "gd", "newton-cg"])
def test_first_order_fits_certify_by_newton_steps_not_the_program(
        solver, monkeypatch):
    # quasi-separation: the first-order iterates are no certificates; the
    # probe's Newton steps from the returned point are, so the linear
    # program (3.3 s on 50,000 x 30) never runs
    from clogit._backends.memory import InMemoryMargins

    def no_program(*args, **kwargs):
        raise AssertionError("the linear program ran")
    monkeypatch.setattr(InMemoryMargins, "separating_direction", no_program)
    X, y = _quasi()
    with pytest.warns(SeparationWarning, match="quasi-complete") as record:
        clf = clogit.LogisticRegression(penalty=None, solver=solver).fit(X, y)
    assert _named(record[0].message) == ["x3"]
    assert not clf.converged_
    # Newton's own steps certify without a probe; a fit that is not
    # saturated (ordinary data) runs neither
    for solver_ in ("newton", solver):
        clogit.LogisticRegression(penalty=None, solver=solver_,
                                  tol=1e-8).fit(*synthetic_binary())


def test_a_completely_separating_iterate_stops_first_order_fits():
    # every margin positive at an L-BFGS iterate proves complete
    # separation: the fit stops there, long before max_iter
    X, y = _complete()
    with pytest.warns(SeparationWarning,
                      match=r"\(complete separation\): 200 of 200") as rec:
        clf = clogit.LogisticRegression(penalty=None, solver="lbfgs",
                                        max_iter=1000).fit(X, y)
    assert clf.n_iter_[0] < 50
    assert _named(rec[0].message) == ["x0"]
    margins = (2 * y - 1) * clf.decision_function(X)
    assert margins.min() > 0.0  # the returned point itself separates


def test_a_saturated_first_order_fit_is_probed_on_the_way():
    # the probe at iteration FIRST_PROBE (margins saturated) certifies and
    # stops L-BFGS there, not at max_iter
    from clogit._solvers import separation
    X, y = _complete(n=2000)
    with pytest.warns(SeparationWarning, match="separation") as record:
        clf = clogit.LogisticRegression(penalty=None, solver="lbfgs",
                                        max_iter=1000).fit(X, y)
    assert clf.n_iter_[0] == separation.FIRST_PROBE
    assert _named(record[0].message) == ["x0"]


def test_the_probe_finds_no_certificate_at_an_optimum():
    from clogit import _fitting
    from clogit._backends.memory import InMemoryData
    from clogit._solvers.separation import SeparationMonitor
    X, y = synthetic_binary()
    clf = clogit.LogisticRegression(penalty=None, solver="newton",
                                    tol=1e-10).fit(X, y)
    data = InMemoryData(X, np.asarray(y, dtype=np.int64), np.ones(len(y)),
                        np.array([0, 1]))
    kernels = data.binomial(1, None, 1.0, True)
    probe = _fitting._newton_probe(kernels, "lbfgs")
    watcher = SeparationMonitor(data.margins(kernels))
    probe(np.append(clf.coef_[0], clf.intercept_), watcher)
    assert not watcher.detected
    # the monitor's own probe stops at the first step that moves no
    # sample by MIN_MOVE: two passes, not PROBE_STEPS
    passes = []
    block_pass = kernels.block_pass
    kernels.block_pass = lambda *a, **k: passes.append(1) or block_pass(
        *a, **k)
    monitor = SeparationMonitor(data.margins(kernels), kernels, probe=probe)
    assert not monitor._run_probe(7, np.append(clf.coef_[0], clf.intercept_))
    assert len(passes) == 2
    assert _fitting._newton_probe(kernels, "newton") is None


@pytest.mark.parametrize("solver", ["newton", "lbfgs"])
def test_multinomial_separation_is_detected(solver):
    # iris, penalty=None: setosa is separated from the others (quasi-complete
    # separation of the softmax model); the fit used to return
    # converged_=True with |coef| 22 and no warning
    from sklearn.datasets import load_iris
    iris = load_iris()
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        clf = clogit.LogisticRegression(penalty=None, solver=solver).fit(
            iris.data, iris.target)
    assert [w.category for w in record] == [SeparationWarning]
    message = str(record[0].message)
    name = "multinomial Newton" if solver == "newton" else "multinomial L-BFGS"
    assert message.startswith(f"{name}: perfect separation detected "
                              "(quasi-complete separation)")
    assert "of 150 samples are perfectly predicted by feature" in message
    assert not clf.converged_
    assert np.all(np.isfinite(clf.coef_))


def test_multinomial_complete_separation_names_the_feature():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((300, 3))
    y = np.digitize(X[:, 1], [-0.5, 0.5])  # three classes cut along x1
    with pytest.warns(SeparationWarning, match="complete separation") as rec:
        clogit.LogisticRegression(penalty=None).fit(X, y)
    assert _named(rec[0].message) == ["x1"]


@pytest.mark.parametrize("solver", ["lbfgs", "newton-cg", "gd"])
def test_other_solvers_do_not_warn_on_ordinary_data(solver):
    X, y = breast_cancer()
    for X_, y_ in ((X[:, BREAST_CANCER_SUBSET], y), synthetic_binary()):
        clf = clogit.LogisticRegression(
            penalty=None, solver=solver, tol=1e-6 if solver != "gd" else 1e-4,
            max_iter=100_000).fit(X_, y_)
        assert clf.converged_


@pytest.mark.parametrize("solver", ["newton", "lbfgs"])
def test_ordinary_multinomial_data_do_not_warn(solver):
    X, y = synthetic_multiclass(n=1000, p=4, seed=5)
    clf = clogit.LogisticRegression(penalty=None, solver=solver,
                                    tol=1e-8).fit(X, y)
    assert clf.converged_


def test_no_raw_overflow_warning_from_a_separated_fit():
    # breast_cancer, raw features, penalty=None: the summary's odds ratios
    # used to leak "RuntimeWarning: overflow encountered in exp"
    from sklearn.datasets import load_breast_cancer
    X, y = load_breast_cancer(return_X_y=True)
    for solver in ("newton", "lbfgs", "gd"):
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            clf = clogit.LogisticRegression(penalty=None,
                                            solver=solver).fit(X, y)
            if solver == "newton":
                clf.summary()
                clf.odds_ratios_
            clf.predict_proba(X)
        assert [w.category for w in record] == [SeparationWarning]


def test_no_probe_where_newton_steps_cost_more_than_the_fit():
    import scipy.sparse as sp
    from clogit import _fitting
    from clogit._backends.memory import BinomialKernels
    rng = np.random.default_rng(0)
    wide = _fitting.AUTO_SPARSE_NEWTON_MAX_FEATURES + 1
    X = sp.random(50, wide, density=0.1, format="csr", random_state=0)
    y, s = rng.integers(0, 2, 50).astype(float), np.ones(50)
    assert _fitting._newton_probe(BinomialKernels(X, y, s, 1.0, True),
                                  "newton_cg") is None
    narrow = BinomialKernels(X[:, :10].tocsr(), y, s, 1.0, True)
    assert _fitting._newton_probe(narrow, "newton_cg") is not None
    dense = BinomialKernels(rng.standard_normal(
        (5, _fitting.AUTO_NEWTON_MAX_FEATURES + 1)), y[:5], s[:5], 1.0, True)
    assert _fitting._newton_probe(dense, "lbfgs") is None
