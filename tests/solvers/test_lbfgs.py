"""Preconditioned L-BFGS (``_solvers.lbfgs``, ``precondition=True``) and
what ``solver="auto"`` picks for it."""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning

import clogit
from clogit import _fitting
from clogit._backends.memory import BinomialKernels
from clogit._solvers import lbfgs as lbfgs_module
from clogit._solvers.lbfgs import lbfgs_binary
from clogit._solvers.newton import newton_binary
from _data import (breast_cancer, record_hessian_strides, solve,
                   synthetic_binary)


def _badly_conditioned(n=3000, p=12, seed=0):
    """AR(1)-correlated features (rho = 0.9) with scales over four decades:
    plain L-BFGS needs hundreds of iterations here."""
    rng = np.random.default_rng(seed)
    E = rng.standard_normal((n, p))
    X = np.empty_like(E)
    X[:, 0] = E[:, 0]
    for j in range(1, p):
        X[:, j] = 0.9 * X[:, j - 1] + np.sqrt(1 - 0.81) * E[:, j]
    coef = rng.standard_normal(p) / np.sqrt(p)
    y = (rng.random(n) < 1 / (1 + np.exp(-(X @ coef - 0.2)))).astype(float)
    return X * 10.0 ** rng.uniform(-2, 2, p), y


@pytest.mark.parametrize("alpha", [0.0, 1.0])
@pytest.mark.parametrize("order", ["C", "F"])
def test_preconditioned_reaches_newtons_optimum_in_few_iterations(alpha,
                                                                 order):
    X, y = _badly_conditioned()
    X = np.asarray(X, order=order)
    s = np.ones(len(y))
    common = dict(C=1.0, fit_intercept=True, alpha=alpha, tol=1e-10,
                  max_iter=2000)
    newton = solve(newton_binary, X, y, s, **common)
    pre = solve(lbfgs_binary, X, y, s, precondition=True, **common)
    plain = solve(lbfgs_binary, X, y, s,
                  **dict(common, max_iter=5 * pre.n_iter))
    assert newton.converged and pre.converged
    # the same optimum: gradients <= 1e-10 of C sum(s) on coefficients of
    # scales 1e-2..1e2
    np.testing.assert_allclose(pre.coef, newton.coef, rtol=1e-6, atol=1e-9)
    assert abs(pre.objective - newton.objective) <= 1e-12 * abs(
        newton.objective)
    # plain L-BFGS does not get there in five times as many iterations
    assert pre.n_iter <= 40 and not plain.converged
    assert pre.solver.startswith("L-BFGS (preconditioned)")


def test_preconditioner_comes_from_a_row_sample_and_is_refreshed(
        monkeypatch):
    # 40,000 rows, 11 coefficients: at least 2,048 rows for the sample, so
    # every 19th row; breast_cancer-like large coefficients (strong signal)
    # make the curvature change along the way, hence refreshes
    rng = np.random.default_rng(1)
    X = rng.standard_normal((40_000, 10))
    coef = rng.standard_normal(10) * 2.0
    y = (rng.random(40_000) < 1 / (1 + np.exp(-X @ coef))).astype(float)
    # the passes over all rows (no Hessian sampled there) and the
    # preconditioner's Hessians, with the stride of their rows
    passes = record_hessian_strides(monkeypatch, BinomialKernels,
                                    "block_pass")
    sample_strides = []
    original = BinomialKernels.sample_hessian

    def recording(self, coef, hess, stride=1, columns=None):
        sample_strides.append(stride)
        return original(self, coef, hess, stride, columns)

    monkeypatch.setattr(BinomialKernels, "sample_hessian", recording)
    monkeypatch.setattr(lbfgs_module, "_REFRESH_EVERY", 3)
    result = solve(lbfgs_binary, X, y, np.ones(len(y)), C=1.0,
                   fit_intercept=True, alpha=1.0, tol=1e-8, max_iter=200,
                   precondition=True)
    reference = solve(newton_binary, X, y, np.ones(len(y)), C=1.0,
                      fit_intercept=True, alpha=1.0, tol=1e-10, max_iter=100)
    assert result.converged
    np.testing.assert_allclose(result.coef, reference.coef, rtol=1e-5,
                               atol=1e-7)
    assert all(k == 1 for k in passes)
    sampled = [k for k in sample_strides if k > 1]
    # one sampled Hessian per run of at most 3 iterations, nothing else
    # sampled (the gradient passes take every row)
    assert set(sampled) == {40_000 // 2048}
    assert len(sampled) == -(-result.n_iter // 3)


def test_newton_finishes_where_lbfgs_b_finds_no_decrease():
    # at tol=1e-13 and C=100 the step's decrease is far below f's
    # rounding: L-BFGS-B stops on "no decrease" with the test failing;
    # Newton goes on from there, and the fit converges.  (At C=1 the
    # compensated objective sums let L-BFGS-B itself get there.)
    X, y = breast_cancer()
    result = solve(lbfgs_binary, X, y.astype(float), np.ones(len(y)),
                   C=100.0, fit_intercept=True, alpha=1.0, tol=1e-13,
                   max_iter=1000, precondition=True)
    assert result.converged and result.max_abs_grad <= 1e-13
    assert result.solver == "L-BFGS (preconditioned), then Newton"
    assert result.hessian_factor is not None  # Newton's exact factor
    clf = clogit.LogisticRegression(solver="lbfgs", C=100.0, tol=1e-13,
                                    max_iter=1000).fit(X, y)
    assert "lbfgs (preconditioned), then newton" in str(clf.summary())


def test_auto_picks_preconditioned_lbfgs_on_large_dense_data():
    objective = _fitting.Objective(C=1.0, l1=0.0, l2=1.0)
    big = _fitting.AUTO_LBFGS_MIN_ENTRIES // 51
    # l2 from its own (lower) threshold on
    big_l2 = _fitting.AUTO_LBFGS_MIN_ENTRIES_L2 // 51
    assert big_l2 < big
    assert _fitting.binary_solver("auto", objective, 50,
                                  n_samples=big_l2 + 1) == "lbfgs"
    assert _fitting.binary_solver("auto", objective, 50,
                                  n_samples=big_l2 - 1) == "newton"
    # without a penalty too (the covariance's Hessian is then one pass
    # when inference first asks); without the row count (clogit.dask) and
    # for sparse X: Newton, as before
    none = _fitting.Objective(C=1.0, l1=0.0, l2=0.0)
    assert _fitting.binary_solver("auto", none, 50,
                                  n_samples=big + 1) == "lbfgs"
    assert _fitting.binary_solver("auto", none, 50,
                                  n_samples=big - 1) == "newton"
    assert _fitting.binary_solver("auto", objective, 50) == "newton"
    assert _fitting.binary_solver("auto", objective, 50, sparse=True,
                                  n_samples=10 * big) == "newton"
    assert _fitting.binary_solver("newton", objective, 50,
                                  n_samples=10 * big) == "newton"
    l1 = _fitting.Objective(C=1.0, l1=1.0, l2=0.0)
    assert _fitting.binary_solver("auto", l1, 50,
                                  n_samples=10 * big) == "prox_newton"


def test_auto_fit_on_large_dense_data_is_newtons_optimum():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((25_000, 40))
    y = (rng.random(25_000) < 1 / (1 + np.exp(-X @ rng.standard_normal(
        40) / 6))).astype(int)
    auto = clogit.LogisticRegression(tol=1e-10).fit(X, y)
    newton = clogit.LogisticRegression(solver="newton", tol=1e-10).fit(X, y)
    assert auto.converged_
    assert "lbfgs (preconditioned)" in str(auto.summary())
    np.testing.assert_allclose(auto.coef_, newton.coef_, rtol=1e-7,
                               atol=1e-9)
    np.testing.assert_allclose(auto.std_errors_, newton.std_errors_,
                               rtol=1e-7)
    # sparse X of the same data: plain L-BFGS (no row-sample Hessian)
    assert not _fitting.lbfgs_preconditioned(
        _fitting_data(sp.csr_matrix(X), y), "lbfgs")
    assert _fitting.lbfgs_preconditioned(_fitting_data(X, y), "lbfgs")


def test_preconditioner_products_are_float32_where_newtons_are(
        monkeypatch):
    # 40 coefficients and more: the preconditioner's Hessian from float32
    # products (a preconditioner needs no 1e-16), the fit the same
    single = []
    original = BinomialKernels.sample_hessian

    def recording(self, *args, single_hessian=False, **kwargs):
        single.append(single_hessian)
        return original(self, *args, single_hessian=single_hessian,
                        **kwargs)

    monkeypatch.setattr(BinomialKernels, "sample_hessian", recording)
    rng = np.random.default_rng(5)
    for p, expected in ((45, True), (30, False)):
        single.clear()
        X = rng.standard_normal((3000, p))
        y = (rng.random(3000) < 1 / (1 + np.exp(-X[:, 0]))).astype(float)
        result = solve(lbfgs_binary, X, y, np.ones(3000), C=1.0,
                       fit_intercept=True, alpha=1.0, tol=1e-10,
                       max_iter=1000, precondition=True)
        assert single and set(single) == {expected}
        newton = solve(newton_binary, X, y, np.ones(3000), C=1.0,
                       fit_intercept=True, alpha=1.0, tol=1e-10,
                       max_iter=100)
        assert result.converged
        np.testing.assert_allclose(result.coef, newton.coef, rtol=1e-7,
                                   atol=1e-9)


def _fitting_data(X, y):
    from clogit._backends.memory import InMemoryData

    return InMemoryData(X, np.asarray(y, dtype=np.int64), None,
                        np.array([0, 1]))


# -- One-vs-Rest fitted together (lbfgs_ovr) ------------------------------
def _four_classes(n=4000, p=6, seed=4):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * 10.0 ** rng.uniform(-1, 1, p)
    y = np.argmax(X / X.std(axis=0) @ rng.standard_normal((p, 4))
                  + rng.gumbel(size=(n, 4)), axis=1)
    return X, np.array(["a", "b", "c", "d"])[y]


def _one_by_one(monkeypatch):
    monkeypatch.setattr(_fitting, "_ovr_together", lambda *args: False)


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weights", [None, "sample", "dict"])
def test_ovr_together_equals_class_by_class(monkeypatch, fit_intercept,
                                            weights):
    X, y = _four_classes()
    extra = {}
    sample_weight = None
    if weights == "sample":
        sample_weight = np.random.default_rng(5).uniform(0.2, 3.0, len(y))
    if weights == "dict":
        extra["class_weight"] = {"a": 2.0, "c": 0.5}
    params = dict(multi_class="ovr", solver="lbfgs", tol=1e-10, C=0.3,
                  fit_intercept=fit_intercept, **extra)
    calls = []
    original = lbfgs_module.lbfgs_ovr
    monkeypatch.setattr(_fitting, "lbfgs_ovr", lambda *a, **k: calls.append(
        1) or original(*a, **k))
    from clogit._backends.memory import BinomialKernels
    passes = []
    inference_pass = BinomialKernels.inference_pass
    monkeypatch.setattr(BinomialKernels, "inference_pass",
                        lambda *a, **k: passes.append(1) or inference_pass(
                            *a, **k))
    together = clogit.LogisticRegression(**params).fit(
        X, y, sample_weight=sample_weight)
    assert calls == [1] and together.converged_ and passes == []
    _one_by_one(monkeypatch)
    separate = clogit.LogisticRegression(**params).fit(
        X, y, sample_weight=sample_weight)
    np.testing.assert_allclose(together.coef_, separate.coef_, rtol=1e-6,
                               atol=1e-8)
    np.testing.assert_allclose(together.intercept_, separate.intercept_,
                               rtol=1e-6, atol=1e-8)
    # inference per class, on each class's own kernels; each class's
    # log-likelihood from the joint pass's last evaluation (no pass of its
    # own), as the class-by-class fit's from its kernels
    np.testing.assert_allclose(together.std_errors_, separate.std_errors_,
                               rtol=1e-6)
    np.testing.assert_allclose([r.llf for r in together.results_],
                               [r.llf for r in separate.results_],
                               rtol=1e-10)


@pytest.mark.parametrize("hostile", [False, True])
def test_ovr_together_float32_preconditioner_reaches_the_same_fit(
        monkeypatch, hostile):
    # 45 features (+ intercept): the class Hessians behind the
    # preconditioner come from float32 products; the fit is still each
    # class's own optimum
    # (hostile: a feature near 1e-25, whose float32 squares underflow: the
    # first class Hessian's check fails and float32 is off for the rest)
    from clogit._backends.memory import BinomialKernels, OvrKernels
    X, y = _four_classes(n=6000, p=45, seed=7)
    if hostile:
        X[:, 3] *= 1e-25
    asked, single_passes, inside = [], [], []
    class_hessian = OvrKernels.class_hessian

    def spied_class_hessian(self, *a, **k):
        asked.append(k.get("single_hessian"))
        inside.append(True)
        try:
            return class_hessian(self, *a, **k)
        finally:
            inside.pop()

    monkeypatch.setattr(OvrKernels, "class_hessian", spied_class_hessian)
    block_pass = BinomialKernels.block_pass
    # (the class Hessians' own passes: a class that Newton finishes makes
    # float32 Hessians of its own)
    monkeypatch.setattr(BinomialKernels, "block_pass", lambda self, *a, **k: (
        single_passes.append(bool(inside and k.get("single_hessian")))
        or block_pass(self, *a, **k)))
    params = dict(multi_class="ovr", solver="lbfgs", tol=1e-10, C=0.3)
    together = clogit.LogisticRegression(**params).fit(X, y)
    assert asked and all(asked) and together.converged_
    # the float32 passes tried: all class Hessians, or only the first
    assert sum(single_passes) == (1 if hostile else len(asked))
    _one_by_one(monkeypatch)
    separate = clogit.LogisticRegression(**params).fit(X, y)
    np.testing.assert_allclose(together.coef_, separate.coef_, rtol=1e-6,
                               atol=1e-8)
    np.testing.assert_allclose(together.intercept_, separate.intercept_,
                               rtol=1e-6, atol=1e-8)


def test_ovr_together_warm_start_and_honest_state():
    X, y = _four_classes(seed=6)
    clf = clogit.LogisticRegression(multi_class="ovr", solver="lbfgs",
                                    tol=1e-8, warm_start=True).fit(X, y)
    first = clf.coef_.copy()
    clf.fit(X, y)  # from the optimum: nothing left to do
    assert np.all(clf.n_iter_ <= 1)
    np.testing.assert_allclose(clf.coef_, first, rtol=1e-6, atol=1e-9)
    with pytest.warns(ConvergenceWarning) as record:
        short = clogit.LogisticRegression(multi_class="ovr", solver="lbfgs",
                                          max_iter=2).fit(X, y)
    assert not short.converged_ and np.all(short.n_iter_ == 2)
    # one warning per class that fails its own test, naming it
    messages = [str(w.message) for w in record]
    assert messages and all(
        m.startswith("[class '") and "L-BFGS (preconditioned) did not "
        "converge: reached max_iter=2" in m for m in messages)


def test_ovr_class_by_class_where_the_problems_differ(monkeypatch):
    # balanced class weights give each problem its own weights, and
    # unpenalized fits are watched for separation class by class
    X, y = _four_classes(seed=7)
    calls = []
    monkeypatch.setattr(_fitting, "lbfgs_ovr",
                        lambda *a, **k: calls.append(1))
    for params in ({"class_weight": "balanced"}, {"penalty": None}):
        clogit.LogisticRegression(multi_class="ovr", solver="lbfgs",
                                  **params).fit(X, y)
    clogit.LogisticRegression(multi_class="ovr", solver="newton").fit(X, y)
    clogit.LogisticRegression(multi_class="ovr", solver="lbfgs").fit(
        sp.csr_matrix(X), y)
    assert calls == []


# -- preconditioned multinomial L-BFGS ------------------------------------
def _softmax_problem(n=3000, p=8, K=4, seed=8):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    y = np.argmax(X @ rng.standard_normal((p, K)) / np.sqrt(p)
                  + rng.gumbel(size=(n, K)), axis=1)
    return X * 10.0 ** rng.uniform(-2, 2, p), y


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_class_blocks_are_the_hessians_diagonal_blocks(fit_intercept):
    from clogit._backends.memory import SoftmaxKernels

    X, y = _softmax_problem(n=500, p=5, K=3)
    s = np.random.default_rng(9).uniform(0.5, 2.0, 500)
    kernels = SoftmaxKernels(X, y.astype(np.int32), s, 0.7, fit_intercept, 3)
    k1 = 5 + fit_intercept
    coef = np.random.default_rng(10).standard_normal((3, k1)) * 0.1
    full = np.empty((3 * k1, 3 * k1), order="F")
    kernels.softmax_pass(coef, np.empty((3, k1)), full)
    blocks = kernels.class_blocks(coef)
    for k in range(3):
        part = full[k * k1:(k + 1) * k1, k * k1:(k + 1) * k1]
        np.testing.assert_allclose(blocks[k], part, rtol=1e-12)
    # from every 4th row: the sample's blocks, weights times 4
    sample = SoftmaxKernels(X[::4], y[::4].astype(np.int32), 4 * s[::4], 0.7,
                            fit_intercept, 3)
    expected = np.empty_like(full)
    sample.softmax_pass(coef, np.empty((3, k1)), expected)
    np.testing.assert_allclose(kernels.class_blocks(coef, 4)[1],
                               expected[k1:2 * k1, k1:2 * k1], rtol=1e-12)


@pytest.mark.parametrize("C", [1.0, 1e4])
def test_preconditioned_multinomial_reaches_newtons_optimum(C):
    X, y = _softmax_problem()
    params = dict(C=C, tol=1e-9, max_iter=3000)
    pre = clogit.LogisticRegression(solver="lbfgs", **params).fit(X, y)
    newton = clogit.LogisticRegression(solver="newton", **params).fit(X, y)
    assert pre.converged_ and newton.converged_
    np.testing.assert_allclose(pre.coef_, newton.coef_, rtol=1e-5,
                               atol=1e-7 * np.abs(newton.coef_).max())
    np.testing.assert_allclose(pre.intercept_, newton.intercept_, rtol=1e-5,
                               atol=1e-6)
    assert pre.n_iter_[0] <= 40
    with pytest.warns(ConvergenceWarning, match="multinomial L-BFGS did"):
        # plain L-BFGS (sparse X): not there in 5x the iterations
        clogit.LogisticRegression(
            solver="lbfgs", **dict(params, max_iter=5 * pre.n_iter_[0])).fit(
            sp.csr_matrix(X), y)


def test_lbfgs_fit_hands_its_last_objective_to_inference(monkeypatch):
    # the data term at the returned coefficients comes from L-BFGS's last
    # evaluation there: no pass over X for it at fit time, and the
    # log-likelihood is Newton's (and statsmodels')
    sm = pytest.importorskip("statsmodels.api")
    calls = []
    original = BinomialKernels.inference_pass

    def recording(self, *args, **kwargs):
        calls.append(args)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(BinomialKernels, "inference_pass", recording)
    X, y = synthetic_binary(n=2000, p=5, seed=4)
    fitted = clogit.LogisticRegression(solver="lbfgs", penalty=None,
                                       tol=1e-10, max_iter=1000).fit(X, y)
    assert calls == []
    ref = sm.Logit(y, sm.add_constant(X)).fit(method="newton", disp=0,
                                               tol=1e-12, maxiter=100)
    np.testing.assert_allclose(fitted.results_.llf, ref.llf, rtol=1e-10)


def test_auto_maximum_likelihood_fit_by_lbfgs_goes_as_far_as_newton():
    # penalty None on a million entries: auto runs L-BFGS, at the default
    # tol=1e-4 down to AUTO_MLE_LBFGS_TOL (Newton's decrement guard takes
    # it as far), so the estimates and standard errors are Newton's
    rng = np.random.default_rng(5)
    X = rng.standard_normal((25_000, 40))
    y = (rng.random(25_000) < 1 / (1 + np.exp(-X @ rng.standard_normal(
        40) / 6))).astype(int)
    auto = clogit.LogisticRegression(penalty=None).fit(X, y)
    newton = clogit.LogisticRegression(penalty=None, solver="newton",
                                       tol=1e-10).fit(X, y)
    assert "lbfgs (preconditioned)" in str(auto.summary())
    scale = np.abs(newton.coef_).max()
    np.testing.assert_allclose(auto.coef_, newton.coef_, rtol=0,
                               atol=1e-6 * scale)
    np.testing.assert_allclose(auto.std_errors_, newton.std_errors_,
                               rtol=1e-6)
    # an explicit solver="lbfgs" keeps the tolerance it was given
    lbfgs = clogit.LogisticRegression(penalty=None, solver="lbfgs").fit(X, y)
    assert lbfgs.n_iter_[0] < auto.n_iter_[0]


def test_binary_tol_tightens_only_auto_mle_lbfgs_in_newtons_place():
    none = _fitting.Objective(C=1.0, l1=0.0, l2=0.0)
    l2 = _fitting.Objective(C=1.0, l1=0.0, l2=1.0)
    tight = _fitting.AUTO_MLE_LBFGS_TOL
    assert _fitting.binary_tol("auto", "lbfgs", none, 50, 1e-4) == tight
    assert _fitting.binary_tol("auto", "lbfgs", none, 50, 1e-12) == 1e-12
    # l2, an explicit solver, Newton itself, and plain L-BFGS past
    # AUTO_NEWTON_MAX_FEATURES (where Newton was never the alternative)
    assert _fitting.binary_tol("auto", "lbfgs", l2, 50, 1e-4) == 1e-4
    assert _fitting.binary_tol("lbfgs", "lbfgs", none, 50, 1e-4) == 1e-4
    assert _fitting.binary_tol("auto", "newton", none, 50, 1e-4) == 1e-4
    wide = _fitting.AUTO_NEWTON_MAX_FEATURES + 1
    assert _fitting.binary_tol("auto", "lbfgs", none, wide, 1e-4) == 1e-4


@pytest.mark.parametrize("scale", [1e-6, 1e-9, 1e-12])
@pytest.mark.parametrize("multi_class", ["binary", "multinomial"])
def test_preconditioned_lbfgs_is_free_of_the_features_scale(scale,
                                                            multi_class):
    # features near 1e-9 make every gradient entry near 1e-9 whatever the
    # coefficients: on the gradient test alone an unpenalized fit
    # "converged" at its start, all coefficients zero (auto's choice for
    # n (p+1) >= 1e6).  The decrement guard makes the fit that of the
    # unscaled features, coefficients divided by the scale.
    rng = np.random.default_rng(12)
    X = rng.standard_normal((6000, 5))
    if multi_class == "binary":
        z = X @ rng.standard_normal(5) + 0.3
        y = (rng.random(6000) < 1 / (1 + np.exp(-z))).astype(int)
        kw = {}
    else:
        y = np.argmax(X @ rng.standard_normal((5, 3))
                      + rng.gumbel(size=(6000, 3)), axis=1)
        kw = dict(multi_class="multinomial")
    reference = clogit.LogisticRegression(penalty=None, solver="newton",
                                          tol=1e-10, **kw).fit(X, y)
    scaled = clogit.LogisticRegression(penalty=None, solver="lbfgs",
                                       tol=1e-8, **kw).fit(X * scale, y)
    assert scaled.converged_ and np.all(scaled.n_iter_ > 0)
    np.testing.assert_allclose(scaled.coef_ * scale, reference.coef_,
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(scaled.intercept_, reference.intercept_,
                               rtol=1e-5, atol=1e-6)


def test_decrement_guard_failing_at_max_iter_is_not_convergence():
    # out of iterations with the gradient test met and the guard not: not
    # converged, and the warning names the guarded test
    rng = np.random.default_rng(13)
    X = rng.standard_normal((6000, 5)) * 1e-9
    z = X @ rng.standard_normal(5) * 1e9
    y = (rng.random(6000) < 1 / (1 + np.exp(-z))).astype(int)
    with pytest.warns(ConvergenceWarning, match=r"g\.H\^-1\.g / 2 <= tol"):
        fit = clogit.LogisticRegression(penalty=None, solver="lbfgs",
                                        tol=1e-8, max_iter=2).fit(X, y)
    assert not fit.converged_


def test_plain_lbfgs_does_not_claim_a_fit_its_scale_hides():
    # sparse X (plain L-BFGS, no preconditioner) of features near 1e-9:
    # the gradient test held at the start; the guard on the Hessian's
    # diagonal makes that no convergence.  Plain L-BFGS-B cannot reach the
    # optimum there: it says so (and auto's Newton for this X does)
    rng = np.random.default_rng(14)
    X = rng.standard_normal((20_000, 5))
    z = X @ rng.standard_normal(5)
    y = (rng.random(20_000) < 1 / (1 + np.exp(-z))).astype(int)
    tiny = sp.csr_matrix(X * 1e-9)
    with pytest.warns(ConvergenceWarning,
                      match=r"sum g_j\^2 / \(2 H_jj\) <= tol"):
        fit = clogit.LogisticRegression(penalty=None, solver="lbfgs").fit(
            tiny, y)
    assert not fit.converged_
    auto = clogit.LogisticRegression(penalty=None).fit(tiny, y)
    plain = clogit.LogisticRegression(penalty=None).fit(X, y)
    assert auto.converged_
    np.testing.assert_allclose(auto.coef_ * 1e-9, plain.coef_, rtol=1e-6)
    # ordinary sparse data: the same fit as without the guard
    ordinary = clogit.LogisticRegression(penalty=None, solver="lbfgs",
                                         tol=1e-8).fit(sp.csr_matrix(X), y)
    assert ordinary.converged_
    np.testing.assert_allclose(ordinary.coef_, plain.coef_, rtol=1e-5)


def test_ovr_together_guard_failing_at_max_iter_is_not_convergence():
    # One-vs-Rest fitted together: each class passes its gradient test on
    # features near 1e-9 from the start; the run's guard does not, and no
    # class may report convergence (they did, with no warning)
    rng = np.random.default_rng(15)
    X = rng.standard_normal((6000, 5))
    y = np.argmax(X @ rng.standard_normal((5, 3))
                  + rng.gumbel(size=(6000, 3)), axis=1)
    with pytest.warns(ConvergenceWarning, match=r"g\.H\^-1\.g / 2 <= tol"):
        short = clogit.LogisticRegression(
            multi_class="ovr", solver="lbfgs", C=1e18, fit_intercept=False,
            tol=1e-8, max_iter=2).fit(X * 1e-9, y)
    assert not np.any(short.converged_)
    full = clogit.LogisticRegression(
        multi_class="ovr", solver="lbfgs", C=1e18, fit_intercept=False,
        tol=1e-8, max_iter=100).fit(X * 1e-9, y)
    assert np.all(full.converged_)


def test_plain_multinomial_lbfgs_does_not_claim_a_fit_its_scale_hides():
    # sparse X: plain multinomial L-BFGS.  On features near 1e-9 the
    # gradient test held at the start (zero coefficients "converged"); the
    # guard on the Hessian's diagonal makes it no convergence, the warning
    # naming the guarded test; auto's Newton fits it.  Ordinary sparse
    # data: the dense fit, as without the guard
    rng = np.random.default_rng(15)
    X = rng.standard_normal((20_000, 5))
    y = np.argmax(X @ rng.standard_normal((5, 3))
                  + rng.gumbel(size=(20_000, 3)), axis=1)
    tiny = sp.csr_matrix(X * 1e-9)
    with pytest.warns(ConvergenceWarning,
                      match=r"multinomial L-BFGS did not converge.*"
                            r"sum g_j\^2 / \(2 H_jj\) <= tol"):
        fit = clogit.LogisticRegression(penalty=None, solver="lbfgs").fit(
            tiny, y)
    assert not fit.converged_
    plain = clogit.LogisticRegression(penalty=None, solver="newton",
                                      tol=1e-10).fit(X, y)
    auto = clogit.LogisticRegression(penalty=None).fit(tiny, y)
    assert auto.converged_
    np.testing.assert_allclose(auto.coef_ * 1e-9, plain.coef_, rtol=1e-5,
                               atol=1e-6)
    for C in (None, 1.0):
        kw = {"penalty": None} if C is None else {"C": C}
        ordinary = clogit.LogisticRegression(solver="lbfgs", tol=1e-8,
                                             **kw).fit(sp.csr_matrix(X), y)
        reference = clogit.LogisticRegression(solver="newton", tol=1e-10,
                                              **kw).fit(X, y)
        assert ordinary.converged_
        np.testing.assert_allclose(ordinary.coef_, reference.coef_,
                                   rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("precondition", [False, True])
def test_result_scores_are_those_of_the_returned_coefficients(precondition):
    # binary L-BFGS hands the separation monitor its scores at the
    # returned point (no pass for the final check): they must be exactly
    # X @ coef there
    X, y = _badly_conditioned(n=2000, p=6, seed=3)
    kernels = BinomialKernels(X, y, np.ones(len(y)), 1.0, True)
    result = lbfgs_binary(kernels, alpha=0.0, tol=1e-8, max_iter=500,
                          precondition=precondition)
    assert result.scores is not None
    expected = np.empty(len(y))
    kernels.matvec(result.coef, expected)
    np.testing.assert_array_equal(result.scores, expected)
