"""Overflow-safe fitting (clogit._scaling, applied by clogit._fitting and
the estimator): huge sample weights, class weights, C or features give the
right answer or a clear error -- never NaN, never the intercept-only model
with a 'floating-point precision' warning."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.linalg import LinAlgWarning
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning

import clogit
from clogit._scaling import column_scales, log2_squared_norm


def _data(n=60, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 2))
    y = (X[:, 0] + rng.standard_normal(n) > 0).astype(int)
    return X, y


def _fit(X, y, **params):
    sample_weight = params.pop("sample_weight", None)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning at all
        return clogit.LogisticRegression(tol=1e-10, **params).fit(
            X, y, sample_weight=sample_weight)


@pytest.fixture(scope="module")
def unpenalized():
    return _fit(*_data(), penalty=None)


@pytest.mark.parametrize("params", [
    {"sample_weight": np.full(60, 1e307), "penalty": None},
    {"sample_weight": np.full(60, 1e307)},               # l2: C * 1e307
    {"sample_weight": np.full(60, 1.7e308), "solver": "lbfgs"},
    {"class_weight": {0: 1e308, 1: 1e308}},
    {"class_weight": {0: 1e308, 1: 1e308}, "multi_class": "ovr"},
    # (L-BFGS certifies tol=1e-10 only by luck: its stopping test is honest)
    {"C": 1e307}, {"C": 1.7e308}, {"C": 1e307, "solver": "lbfgs",
                                   "tol": 1e-8},
    {"C": 1e307, "solver": "gd", "max_iter": 20000, "tol": 1e-8},
])
def test_huge_weights_and_C_fit_the_unpenalized_model(params, unpenalized):
    # Regression: NaN intercept and probabilities (weights), or the
    # intercept-only model (C), each with a ConvergenceWarning about
    # "floating-point precision".  Every case is the unpenalized fit (to
    # the penalty's relative size, below 1e-300).
    X, y = _data()
    params = dict(params)
    tol = params.pop("tol", 1e-10)
    sample_weight = params.pop("sample_weight", None)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clf = clogit.LogisticRegression(tol=tol, **params).fit(
            X, y, sample_weight=sample_weight)
    assert clf.converged_
    rtol = {"gd": 1e-4, "lbfgs": 1e-6}.get(params.get("solver"), 1e-7)
    np.testing.assert_allclose(clf.coef_, unpenalized.coef_, rtol=rtol)
    np.testing.assert_allclose(clf.intercept_, unpenalized.intercept_,
                               rtol=rtol)
    assert np.all(np.isfinite(clf.predict_proba(X)))


def test_huge_weights_are_one_fit_of_the_same_model(unpenalized):
    X, y = _data()
    weights = np.random.default_rng(3).uniform(0.5, 1.5, 60)
    small = _fit(X, y, penalty=None, sample_weight=weights)
    huge = _fit(X, y, penalty=None, sample_weight=weights * 2.0 ** 1000)
    # a power of two: the normalized weights are exactly the small ones
    np.testing.assert_array_equal(huge.coef_, small.coef_)
    with pytest.raises(ValueError, match="weights were so large"):
        huge.std_errors_
    assert np.all(np.isfinite(small.std_errors_))


def test_huge_C_keeps_exact_inference(unpenalized):
    # the objective's rescaling leaves the covariance of f / C unchanged
    X, y = _data()
    clf = _fit(X, y, C=1e307)
    np.testing.assert_allclose(clf.std_errors_, unpenalized.std_errors_,
                               rtol=1e-7)


@pytest.mark.parametrize("scale", [1e155, 2.0 ** 600, 1e200])
@pytest.mark.parametrize("solver", ["newton", "auto", "lbfgs"])
def test_huge_features_reach_the_scaled_coefficients(scale, solver,
                                                     unpenalized):
    # Regression: features >= 1e155 overflowed the Hessian, and fit
    # returned the intercept-only model with a misleading warning.  Now
    # the coefficients are the unpenalized ones divided by the scale; the
    # gradient test itself cannot be met at that scale (its rounding
    # noise alone is ~1e140), and the warning says so honestly.
    X, y = _data()
    params = {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        clf = clogit.LogisticRegression(solver=solver, **params).fit(
            X * scale, y)
    for w in caught:
        assert issubclass(w.category, ConvergenceWarning)
        assert "intercept" not in str(w.message)
    rtol = 1e-6
    np.testing.assert_allclose(clf.coef_ * scale, unpenalized.coef_,
                               rtol=rtol)
    np.testing.assert_allclose(clf.intercept_, unpenalized.intercept_,
                               rtol=rtol)
    np.testing.assert_allclose(clf.predict_proba(X * scale),
                               unpenalized.predict_proba(X), rtol=1e-5)


@pytest.mark.parametrize("fmt", ["dense", "csr"])
def test_lbfgs_on_features_of_mixed_huge_scales(fmt, unpenalized):
    # Regression: L-BFGS-B's first unit step overflowed on huge features and
    # its line search gave up at the start, returning the intercept-only
    # model (from 1e40 on; 1% off at 1e10).  It now runs on column-scaled
    # variables: each column's coefficient is the unpenalized one divided
    # by that column's scale.
    X, y = _data()
    scales = np.array([1e40, 1e-3])
    Xs = X * scales
    Xs = sp.csr_matrix(Xs) if fmt == "csr" else Xs
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = clogit.LogisticRegression(solver="lbfgs", penalty=None).fit(
            Xs, y)
    np.testing.assert_allclose(clf.coef_ * scales, unpenalized.coef_,
                               rtol=1e-6)
    np.testing.assert_allclose(clf.intercept_, unpenalized.intercept_,
                               rtol=1e-6)


@pytest.mark.parametrize("scale", [1e40, 1e100])
def test_multinomial_lbfgs_on_huge_features(scale):
    # Regression: multinomial L-BFGS stopped after one iteration on
    # features near 1e40 (probabilities 0.67 off); the l2 objective with
    # C / scale**2 on X * scale has the coefficients w / scale.
    X, y = load_iris(return_X_y=True)
    reference = clogit.LogisticRegression(solver="newton", tol=1e-10).fit(
        X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = clogit.LogisticRegression(
            solver="lbfgs", C=scale ** -2.0, max_iter=1000).fit(X * scale, y)
    np.testing.assert_allclose(clf.coef_ * scale, reference.coef_,
                               atol=1e-5)
    np.testing.assert_allclose(clf.predict_proba(X * scale),
                               reference.predict_proba(X), atol=1e-6)


def test_ordinary_data_gets_no_lbfgs_column_scales():
    # the change of variables is for huge features only: ordinary fits are
    # bit-for-bit what they were
    X, y = _data()
    assert column_scales(X * 1e6, log2_squared_norm(X * 1e6), True) is None
    scales = column_scales(X * 1e40, log2_squared_norm(X * 1e40), True)
    assert scales[-1] == 1.0
    np.testing.assert_array_equal(np.frexp(scales)[0], 0.5)  # powers of 2
    assert np.all(np.abs(np.log2(scales[:-1]) - np.log2(
        np.abs(X * 1e40).max(axis=0))) <= 1)


def test_tiny_columns_next_to_huge_ones_are_not_scaled_up():
    # found by tests/test_properties.py: a column near 1e-301 next to one
    # near 1e12 (|X|^2 large enough for L-BFGS's change of variables).  A
    # scale of 2**-1000 for the tiny column made L-BFGS-B's first unit
    # steps coefficients near 1e301, whose penalty overflowed (numpy
    # RuntimeWarnings); only columns beyond 1 are scaled now.
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.standard_normal(6) * 1e-301,
                         rng.standard_normal(6) * 1e12])
    y = np.array([1, 0, 0, 1, 1, 0])
    scales = column_scales(X, log2_squared_norm(X), True)
    assert scales[0] == 1.0 and scales[1] > 1e11
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = clogit.LogisticRegression(C=0.001, solver="lbfgs",
                                        max_iter=50).fit(X, y)
    assert np.all(np.isfinite(clf.coef_))


def test_sparse_huge_features():
    X, y = _data()
    dense = clogit.LogisticRegression(penalty=None).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = clogit.LogisticRegression(penalty=None).fit(
            sp.csr_matrix(X * 1e155), y)
    np.testing.assert_allclose(clf.coef_ * 1e155, dense.coef_, rtol=1e-6)


def test_features_beyond_any_rescaling_get_a_clear_error():
    X, y = _data()
    with pytest.raises(ValueError, match="Scale the features"):
        clogit.LogisticRegression().fit(X * 1e300, y)


def test_ordinary_fits_are_not_rescaled():
    from clogit._scaling import (log2_squared_norm, normalize_weights,
                                 rescale_objective)
    X, y = _data()
    assert normalize_weights(np.ones(60))[1] == 0
    scaled, shift = rescale_objective(1e4, 0.0, 1.0, weight_shift=0,
                                      total=1e7, largest=10.0,
                                      log2_norm2=log2_squared_norm(X * 1e20))
    assert shift == 0 and tuple(scaled) == (1e4, 0.0, 1.0)


def test_log2_squared_norm():
    from clogit._scaling import log2_squared_norm
    X = np.array([[3.0, 4.0]])
    assert log2_squared_norm(X) == pytest.approx(np.log2(25.0))
    assert log2_squared_norm(np.zeros((2, 2))) == -np.inf
    assert log2_squared_norm(sp.csr_matrix(X * 1e200)) >= \
        2 * np.log2(4e200)
    assert log2_squared_norm(np.array([[1.0, np.nan]])) is None
    assert log2_squared_norm(np.array([[np.inf, 1.0]])) is None


def test_nan_and_inf_in_X_keep_their_messages():
    X, y = _data()
    X[3, 1] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        clogit.LogisticRegression().fit(X, y)
    X[3, 1] = np.inf
    with pytest.raises(ValueError, match="Input X contains infinity"):
        clogit.LogisticRegression().fit(X, y)


# ---------------------------------------------------------------------------
# class weights
# ---------------------------------------------------------------------------
def test_balanced_with_a_zero_weight_class_in_a_binary_fit():
    # Regression: 0 * inf = NaN weights and NaN coefficients.  One class
    # left with weight: no model to fit, a clear error.
    X, y = _data()
    weights = np.where(y == 1, 0.0, 1.0)
    with pytest.raises(ValueError, match="only one class has one"):
        clogit.LogisticRegression(class_weight="balanced").fit(
            X, y, sample_weight=weights)


@pytest.mark.parametrize("multi_class", ["ovr", "multinomial"])
def test_balanced_with_a_zero_weight_class_among_three(multi_class):
    # Regression: NaN coefficients.  The weightless class is absent from
    # the fit: the others are fitted exactly as without its samples.
    X, y = _data(n=90)
    y = y.copy()
    y[:10] = 2
    weights = np.where(y == 2, 0.0, 1.0)
    clf = clogit.LogisticRegression(class_weight="balanced",
                                    multi_class=multi_class).fit(
        X, y, sample_weight=weights)
    assert np.all(np.isfinite(clf.coef_)) and np.all(np.isfinite(
        clf.intercept_))
    assert np.all(np.isfinite(clf.predict_proba(X)))
    proba = clf.predict_proba(X[y != 2])
    assert np.all(proba[:, 2] < 1e-5)


def test_balanced_weights_match_scikit_learn_where_defined():
    from sklearn.utils.class_weight import compute_class_weight
    from clogit._validation import balanced_weights
    y = np.array([0, 0, 0, 1, 2, 2])
    totals = np.bincount(y).astype(float)
    np.testing.assert_allclose(
        balanced_weights(totals),
        compute_class_weight("balanced", classes=np.arange(3), y=y))
    np.testing.assert_array_equal(balanced_weights([3.0, 0.0, 1.0])[1], 0.0)


@pytest.mark.parametrize("class_weight", [{0: 0, 1: 0}, {0: 0.0, 1: 0.0}])
def test_all_zero_class_weights_are_a_clear_error(class_weight):
    # Regression: ZeroDivisionError.
    X, y = _data()
    with pytest.raises(ValueError, match="no class has one"):
        clogit.LogisticRegression(class_weight=class_weight).fit(X, y)


# ---------------------------------------------------------------------------
# gd / lipschitz_step
# ---------------------------------------------------------------------------
def test_lipschitz_step_on_huge_data():
    # Regression: numpy's "Eigenvalues did not converge" on data near
    # 1e155.  Exact powers of two scale L exactly; beyond float64 a clear
    # error.
    X, _ = _data()
    step = clogit.lipschitz_step(X, fit_intercept=False)
    np.testing.assert_allclose(
        clogit.lipschitz_step(X * 2.0 ** 400, fit_intercept=False),
        step * 2.0 ** -800, rtol=1e-13)
    np.testing.assert_allclose(
        clogit.lipschitz_step(X, C=2.0 ** 1000, fit_intercept=False),
        step * 2.0 ** -1000, rtol=1e-13)
    for call in (lambda: clogit.lipschitz_step(X * 1e155),
                 lambda: clogit.lipschitz_step(X, C=1e308)):
        with pytest.raises(ValueError, match="beyond float64's range"):
            call()


# ---------------------------------------------------------------------------
# multinomial Newton's Hessian
# ---------------------------------------------------------------------------
def test_multinomial_newton_refuses_a_huge_hessian():
    # Regression: K=40, p=400 allocated the (K (p+1))^2 Hessian (1.9 GiB)
    # unchecked; solver="auto" picks L-BFGS, "newton" says why it cannot.
    rng = np.random.default_rng(0)
    X = rng.standard_normal((80, 400))
    y = np.arange(80) % 40
    with pytest.raises(ValueError, match=r"\(40 x 401\)\^2 Hessian"):
        clogit.LogisticRegression(solver="newton",
                                  multi_class="multinomial").fit(X, y)


# ---------------------------------------------------------------------------
# unpenalized fits with zero columns
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["dense", "csr", "csc"])
def test_zero_column_does_not_damp_a_tiny_feature(fmt):
    # Regression: with an all-zero column the ridge that factors the
    # singular Hessian left a feature scaled by 1e-12 at 0, with
    # converged_=True; without the zero column Newton finds it.
    rng = np.random.default_rng(0)
    x = rng.standard_normal(500)
    y = (rng.random(500) < 1 / (1 + np.exp(-(x - 0.3)))).astype(int)
    reference = clogit.LogisticRegression(penalty=None).fit(
        x[:, None] * 1e-12, y)
    X = np.column_stack([x * 1e-12, np.zeros(500), x])[:, :2]
    X = {"dense": X, "csr": sp.csr_matrix(X), "csc": sp.csc_matrix(X)}[fmt]
    with pytest.warns(LinAlgWarning, match="x1 is 0 on every sample"):
        clf = clogit.LogisticRegression(penalty=None).fit(X, y)
    assert clf.converged_
    np.testing.assert_allclose(clf.coef_[0, 0], reference.coef_[0, 0],
                               rtol=1e-8)
    assert clf.coef_[0, 1] == 0.0 and clf.coef_.shape == (1, 2)
    assert np.isnan(clf.std_errors_).all()  # the Wald covariance is undefined


def test_zero_column_names_in_warnings_and_multiclass():
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"a": rng.standard_normal(300), "empty": 0.0,
                          "b": rng.standard_normal(300)})
    y = np.digitize(frame["a"] + rng.standard_normal(300), [-0.5, 0.5])
    full = clogit.LogisticRegression(penalty=None).fit(
        frame[["a", "b"]], y)
    with pytest.warns(LinAlgWarning, match="feature empty is 0"):
        clf = clogit.LogisticRegression(penalty=None).fit(frame, y)
    np.testing.assert_allclose(clf.coef_[:, [0, 2]], full.coef_, rtol=1e-8)
    assert np.all(clf.coef_[:, 1] == 0.0)
    np.testing.assert_allclose(clf.predict_proba(frame),
                               full.predict_proba(frame[["a", "b"]]),
                               rtol=1e-10)


@pytest.mark.parametrize("n_classes, solver, cov_type", [
    (2, "newton", "nonrobust"), (2, "lbfgs", "nonrobust"),
    (2, "newton", "HC0"), (2, "lbfgs", "cluster"), (3, "auto", "nonrobust"),
    (3, "auto", "cluster")])
def test_zero_column_inference(n_classes, solver, cov_type):
    # the fit without the zero column, widened: coefficients, likelihood
    # and degrees of freedom (the rank, as statsmodels counts) are those of
    # the fit without it, the covariance undefined -- for every solver,
    # covariance type and the multinomial model
    rng = np.random.default_rng(2)
    X = rng.standard_normal((400, 2))
    y = np.digitize(X[:, 0] - X[:, 1] + rng.standard_normal(400),
                    [-0.5, 0.5][:n_classes - 1])
    groups = np.arange(400) % 9 if cov_type == "cluster" else None
    params = dict(penalty=None, solver=solver, cov_type=cov_type, tol=1e-8)
    reference = clogit.LogisticRegression(**params).fit(X, y, groups=groups)
    wide = np.column_stack([X[:, 0], np.zeros(400), X[:, 1]])
    with pytest.warns(LinAlgWarning, match="x1 is 0 on every sample"):
        clf = clogit.LogisticRegression(**params).fit(wide, y, groups=groups)
    np.testing.assert_allclose(clf.coef_[:, [0, 2]], reference.coef_,
                               rtol=1e-6)
    assert np.all(clf.coef_[:, 1] == 0.0)
    assert np.isnan(clf.std_errors_).all()
    assert clf.std_errors_.shape[-1] == 4  # const, x0, x1, x2
    ours, theirs = clf.results_, reference.results_
    if n_classes == 2:
        ours, theirs = [ours], [theirs]
    for a, b in zip(np.ravel(ours), np.ravel(theirs)):
        np.testing.assert_allclose(a.llf, b.llf, rtol=1e-9)
        assert a.df_model == b.df_model and a.aic == pytest.approx(b.aic)
    # the widened fit keeps no reference to the narrowed copy of X
    assert all(fit.source is None for fit in clf._inference_fits)


def test_a_rescaled_objective_keeps_its_inference_and_its_C():
    # C=1e300 makes the solvers see the objective divided by a power of
    # two: the figures are unchanged (the penalty 1/C is negligible, so they
    # are the unpenalized fit's) and the summary names the C given
    X, y = _data(n=100)
    clf = _fit(X, y, C=1e300)
    assert clf._inference_fits[0].C < 1e300  # rescaled indeed
    reference = _fit(X, y, penalty=None)
    np.testing.assert_allclose(clf.std_errors_, reference.std_errors_,
                               rtol=1e-6)
    np.testing.assert_allclose(clf.results_.llf, reference.results_.llf,
                               rtol=1e-12)
    assert "(l2, C=1e+300)" in str(clf.summary())


def test_a_column_nonzero_only_on_zero_weight_samples_is_zero():
    X, y = _data(n=100)
    X = np.column_stack([X, np.zeros(100)])
    X[0, 2] = 5.0
    weights = np.ones(100)
    weights[0] = 0.0
    with pytest.warns(LinAlgWarning, match="x2 is 0"):
        clf = clogit.LogisticRegression(penalty=None).fit(
            X, y, sample_weight=weights)
    assert clf.coef_[0, 2] == 0.0


def test_conf_int_for_tiny_alpha_is_finite():
    # Regression: ndtri(1 - alpha/2) = ndtri(1) = inf for alpha <= 1e-16.
    from scipy.special import ndtri
    clf = clogit.LogisticRegression().fit(*_data())
    for alpha in (1e-16, 1e-17, 1e-300):
        interval = clf.conf_int(alpha)
        assert np.all(np.isfinite(interval))
        half = (interval[:, 1] - interval[:, 0]) / 2
        np.testing.assert_allclose(half, -ndtri(alpha / 2) * clf.std_errors_,
                                   rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_squared_norm_in_parts_is_the_whole_sum(monkeypatch, dtype):
    # |X|_F^2 of many values is summed in parts on the kernel pool's
    # threads (forced here on 2 cores from 1,000 values): the same bound
    # as numpy's float64 sum within rounding, and the same verdicts on
    # non-finite and overflowing values
    from clogit import _scaling
    monkeypatch.setattr(_scaling, "_THREADED_SUM_MIN_VALUES", 1000)
    monkeypatch.setattr(_scaling, "available_cores", lambda: 2)
    calls = []
    original = _scaling.map_shared
    monkeypatch.setattr(_scaling, "map_shared", lambda task, items: (
        calls.append(len(items)) or original(task, items)))
    X = np.random.default_rng(4).standard_normal((301, 7)).astype(dtype)
    expected = np.log2(np.sum(X.astype(np.float64) ** 2))
    assert abs(log2_squared_norm(X) - expected) <= 1e-12
    assert calls == [2]
    assert log2_squared_norm(X[:100]) == pytest.approx(
        np.log2(np.sum(X[:100].astype(np.float64) ** 2)), abs=1e-12)
    assert calls == [2]  # 700 values: one sum
    Y = X.astype(np.float64)
    Y[200, 3] = np.nan
    assert log2_squared_norm(Y) is None
    Y[200, 3] = np.inf
    assert log2_squared_norm(Y) is None
    Y[200, 3] = 1e300  # its square overflows: the max-based bound
    assert log2_squared_norm(Y) == pytest.approx(
        2 * np.log2(1e300) + np.log2(Y.size))
    # each part's sum finite (1,053 squares of 1.5e305), their total not
    Z = np.full((301, 7), np.sqrt(1.5e305))
    assert log2_squared_norm(Z) == pytest.approx(
        2 * np.log2(np.sqrt(1.5e305)) + np.log2(Z.size))
