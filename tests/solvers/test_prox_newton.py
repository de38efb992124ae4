"""ℓ1 and elastic net by proximal Newton: objective against scikit-learn's
saga, KKT conditions, exact sparsity, weights."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression as SkLogisticRegression

import sklearn

import clogit
from clogit._solvers.prox_newton import kkt_violation
from _data import breast_cancer

TOL = 1e-10
_SKLEARN_VERSION = tuple(int(part) for part in
                         sklearn.__version__.split(".")[:2])


def _sparse_problem(n=600, p=40, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    beta = np.zeros(p)
    beta[:6] = [1.5, -1.0, 0.8, 0.6, -0.5, 0.3]
    y = (rng.random(n) < 1 / (1 + np.exp(-(X @ beta + 0.2)))).astype(int)
    return X, y


def _objective(X, y, w, b, C, l1, l2, s=None):
    s = np.ones(len(y)) if s is None else s
    z = X @ w + b
    return (C * np.sum(s * (np.logaddexp(0, z) - y * z))
            + l1 * np.abs(w).sum() + 0.5 * l2 * w @ w)


def _penalty_weights(penalty, l1_ratio):
    return (1.0, 0.0) if penalty == "l1" else (l1_ratio, 1.0 - l1_ratio)


def _saga(penalty, C, l1_ratio, fit_intercept=True):
    """scikit-learn's saga at tol 1e-12 for the same penalty.

    scikit-learn >= 1.8 spells the penalty by l1_ratio alone (1.0 is l1);
    older releases need penalty=.
    """
    ratio = 1.0 if penalty == "l1" else l1_ratio
    if _SKLEARN_VERSION >= (1, 8):
        kwargs = {"l1_ratio": ratio}
    else:
        kwargs = {"penalty": penalty}
        if penalty == "elasticnet":
            kwargs["l1_ratio"] = ratio
    return SkLogisticRegression(C=C, solver="saga", tol=1e-12,
                                max_iter=100_000, fit_intercept=fit_intercept,
                                **kwargs)


@pytest.mark.parametrize("penalty, l1_ratio", [("l1", None),
                                               ("elasticnet", 0.5)])
@pytest.mark.parametrize("C", [0.02, 0.2, 2.0])
def test_objective_at_most_saga_and_kkt(penalty, l1_ratio, C):
    X, y = _sparse_problem()
    l1, l2 = _penalty_weights(penalty, l1_ratio)
    ours = clogit.LogisticRegression(penalty=penalty, l1_ratio=l1_ratio, C=C,
                                     tol=TOL).fit(X, y)
    ref = _saga(penalty, C, l1_ratio).fit(X, y)
    f_ours = _objective(X, y, ours.coef_[0], ours.intercept_[0], C, l1, l2)
    f_ref = _objective(X, y, ref.coef_[0], ref.intercept_[0], C, l1, l2)
    assert f_ours <= f_ref + 1e-8 * abs(f_ref)
    # KKT from an independent numpy gradient
    z = X @ ours.coef_[0] + ours.intercept_[0]
    residual = C * (1 / (1 + np.exp(-z)) - y)
    violation = kkt_violation(X.T @ residual, ours.coef_[0], l1, l2)
    scale = C * len(y)
    assert violation.max() / scale <= 10 * TOL
    assert abs(residual.sum()) / scale <= 10 * TOL
    # exact zeros, and the same support as saga
    assert np.all((ours.coef_ == 0.0) | (np.abs(ours.coef_) > 1e-12))
    np.testing.assert_array_equal(ours.coef_ != 0, ref.coef_ != 0)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-6)


def test_l1_without_intercept_and_on_breast_cancer():
    X, y = breast_cancer()
    for fit_intercept in (True, False):
        ours = clogit.LogisticRegression(penalty="l1", C=0.1, tol=TOL,
                                         fit_intercept=fit_intercept).fit(X, y)
        ref = _saga("l1", 0.1, None, fit_intercept).fit(X, y)
        b_ours = ours.intercept_[0]
        b_ref = ref.intercept_[0]
        f_ours = _objective(X, y, ours.coef_[0], b_ours, 0.1, 1.0, 0.0)
        f_ref = _objective(X, y, ref.coef_[0], b_ref, 0.1, 1.0, 0.0)
        assert f_ours <= f_ref + 1e-8 * abs(f_ref)
        assert 0 < np.count_nonzero(ours.coef_) < X.shape[1]


def test_elasticnet_endpoints_match_l1_and_l2():
    X, y = _sparse_problem(n=400, p=10)
    l1 = clogit.LogisticRegression(penalty="l1", C=0.3, tol=TOL).fit(X, y)
    en1 = clogit.LogisticRegression(penalty="elasticnet", l1_ratio=1.0,
                                    C=0.3, tol=TOL).fit(X, y)
    np.testing.assert_allclose(en1.coef_, l1.coef_, rtol=1e-9, atol=1e-12)
    l2 = clogit.LogisticRegression(penalty="l2", C=0.3, tol=TOL).fit(X, y)
    en0 = clogit.LogisticRegression(penalty="elasticnet", l1_ratio=0.0,
                                    C=0.3, tol=TOL).fit(X, y)
    np.testing.assert_allclose(en0.coef_, l2.coef_, rtol=1e-8)


def test_huge_penalty_gives_all_zero_coefficients():
    X, y = _sparse_problem()
    clf = clogit.LogisticRegression(penalty="l1", C=1e-5, tol=TOL).fit(X, y)
    assert np.all(clf.coef_ == 0.0)
    # intercept: the log-odds of the mean label
    assert clf.intercept_[0] == pytest.approx(np.log(y.mean() /
                                                     (1 - y.mean())))


def test_sample_weight_zero_equals_dropping_rows_l1():
    X, y = _sparse_problem(n=500)
    weights = np.ones(len(y))
    weights[::4] = 0.0
    a = clogit.LogisticRegression(penalty="l1", C=0.5, tol=TOL).fit(
        X, y, sample_weight=weights)
    keep = weights > 0
    b = clogit.LogisticRegression(penalty="l1", C=0.5, tol=TOL).fit(
        X[keep], y[keep])
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-8, atol=1e-12)


def test_integer_weights_equal_duplication_elasticnet():
    X, y = _sparse_problem(n=300, seed=3)
    weights = np.random.default_rng(2).integers(0, 4, len(y))
    a = clogit.LogisticRegression(penalty="elasticnet", l1_ratio=0.7, C=0.5,
                                  tol=TOL).fit(X, y, sample_weight=weights)
    rows = np.repeat(np.arange(len(y)), weights)
    b = clogit.LogisticRegression(penalty="elasticnet", l1_ratio=0.7, C=0.5,
                                  tol=TOL).fit(X[rows], y[rows])
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-8, atol=1e-12)


def test_warm_start_l1():
    X, y = _sparse_problem()
    clf = clogit.LogisticRegression(penalty="l1", C=0.2, tol=TOL,
                                    warm_start=True).fit(X, y)
    first = clf.coef_.copy()
    clf.fit(X, y)
    assert clf.n_iter_[0] == 1
    np.testing.assert_array_equal(clf.coef_, first)


def test_l1_ovr_multiclass():
    from _data import synthetic_multiclass
    X, y = synthetic_multiclass()
    clf = clogit.LogisticRegression(penalty="l1", C=0.05, tol=1e-8).fit(X, y)
    assert clf.coef_.shape == (4, X.shape[1])
    assert clf.converged_
    np.testing.assert_allclose(clf.predict_proba(X).sum(axis=1), 1.0)


def test_float32_l1_matches_float64():
    X, y = _sparse_problem()
    X32 = X.astype(np.float32)
    a = clogit.LogisticRegression(penalty="l1", C=0.2, tol=TOL).fit(X32, y)
    b = clogit.LogisticRegression(penalty="l1", C=0.2, tol=TOL).fit(
        X32.astype(np.float64), y)
    # float32 coefficients for float32 X, computed in float64
    assert a.coef_.dtype == np.float32
    np.testing.assert_allclose(a.coef_, b.coef_.astype(np.float32),
                               rtol=2 * np.finfo(np.float32).eps, atol=1e-12)


@pytest.mark.parametrize("const, C, fit_intercept", [
    (0.3, 10.0, False), (1000.0, 1.0, False),
    (1.0, 10.0, False), (1.0, 100.0, False), (2.0, 10.0, False)])
def test_dense_and_sparse_l1_agree_on_ties(const, C, fit_intercept):
    # two identical constant columns: the l1 optimum is not unique (any
    # split of their common coefficient); dense X used to keep 5.8e-16 in
    # the second where sparse kept 0.0, or the other way round
    import scipy.sparse as sp
    seed, n, p = (0, 50, 2) if const in (0.3, 1000.0) else (0, 200, 3)
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    y = (X[:, 0] + rng.standard_normal(n) > 0).astype(int)
    X = np.column_stack([X, np.full(n, const), np.full(n, const)])
    params = dict(penalty="l1", C=C, fit_intercept=fit_intercept)
    dense = clogit.LogisticRegression(**params).fit(X, y)
    for fmt in ("csr", "csc"):
        sparse = clogit.LogisticRegression(**params).fit(
            sp.csr_matrix(X).asformat(fmt), y)
        np.testing.assert_array_equal(sparse.coef_ == 0, dense.coef_ == 0)
        np.testing.assert_allclose(sparse.coef_, dense.coef_, rtol=1e-6,
                                   atol=1e-9)
    assert dense.coef_[0, -1] == 0.0  # the tie goes to one column


def _kernels(X, y, C=1.0):
    from clogit._backends.memory import BinomialKernels
    return BinomialKernels(np.ascontiguousarray(X, dtype=float),
                           np.asarray(y, dtype=float), np.ones(len(y)), C,
                           True)


def test_kept_hessian_extended_equals_a_fresh_one():
    """ModelHessian's rows for features that join the working set are the
    Hessian at the scores it was kept at: the extended model equals the
    Hessian assembled over the union there, rescaled to the new C (the
    model is per unit C: C times it is the Hessian)."""
    from clogit._solvers.prox_newton import ModelHessian
    X, y = _sparse_problem()
    kernels = _kernels(X, y, C=0.5)
    first = np.array([0, 2, 5, 9], dtype=np.int32)
    union = np.array([0, 2, 3, 5, 9, 20], dtype=np.int32)
    coef = np.zeros(41)
    coef[first] = np.random.default_rng(1).standard_normal(4) * 0.3
    coef[-1] = 0.2

    def hessian_on(columns):
        c = np.append(coef[columns], coef[-1])
        hess = np.empty((c.size, c.size), order="F")
        kernels.block_pass(c, np.empty(c.size), hess, None, columns)
        return hess

    cache = ModelHessian()
    cache.store(first, hessian_on(first), kernels.C,
                X @ coef[:40] + coef[-1])
    kernels.C = 2.0
    got = kernels.C * cache.model(kernels, union, 1)
    np.testing.assert_allclose(got, hessian_on(union), rtol=1e-12,
                               atol=1e-12)
    # a smaller working set is a submatrix of the kept one
    sub = np.array([2, 20], dtype=np.int32)
    index = [1, 5, 6]  # features 2 and 20 of the union, the intercept
    np.testing.assert_allclose(kernels.C * cache.model(kernels, sub, 1),
                               hessian_on(union)[np.ix_(index, index)],
                               rtol=1e-12, atol=1e-12)


def test_kept_hessian_along_cs_reaches_the_same_optima(monkeypatch):
    """prox_newton_binary with one ModelHessian carried over a sequence of
    C (as a path does) stops at the same optima as fresh fits: only the
    route differs.  (The problem is small enough for the solver to keep
    no Hessian; the cost gate is opened.)"""
    from clogit._solvers import prox_newton
    from clogit._solvers.prox_newton import ModelHessian, prox_newton_binary
    monkeypatch.setattr(prox_newton, "ITERATION_SECONDS", 0.0)
    stored = []
    original_store = ModelHessian.store
    monkeypatch.setattr(ModelHessian, "store", lambda self, *a: (
        stored.append(1), original_store(self, *a)))
    X, y = _sparse_problem()
    kernels = _kernels(X, y)
    cache = ModelHessian()
    coef = None
    candidates = np.arange(40, dtype=np.int32)
    steps = 0
    for C in (0.02, 0.03, 0.05, 0.1, 0.3, 1.0):
        kernels.C = C
        kept = prox_newton_binary(kernels, l1=1.0, l2=0.0, tol=TOL,
                                  max_iter=100, coef0=coef, hessian=cache,
                                  candidates=candidates)
        fresh = prox_newton_binary(kernels, l1=1.0, l2=0.0, tol=TOL,
                                   max_iter=100)
        assert kept.converged and fresh.converged
        np.testing.assert_array_equal(kept.coef[:40] == 0,
                                      fresh.coef[:40] == 0)
        np.testing.assert_allclose(kept.coef, fresh.coef, atol=1e-8)
        coef = kept.coef
        steps += kept.n_iter - 1  # the last iteration only tests
    # kept Hessians served: fewer assembled than steps taken
    assert 0 < len(stored) < steps


def test_kept_hessian_scale_follows_the_curvature_a_step_showed():
    """ModelHessian.rescale: gamma is y.s / (C s.H.s) for the step s taken
    on the kept H and the data gradient's change y along it (the secant
    condition along the step), within GAMMA_RANGE, and left alone when the
    step showed no curvature."""
    from clogit._solvers.prox_newton import GAMMA_RANGE, ModelHessian
    rng = np.random.default_rng(3)
    A = rng.standard_normal((30, 6))
    H = A.T @ A  # per unit C: features 0-4, the intercept last
    columns = np.array([0, 2, 3, 5, 7], dtype=np.int32)
    C = 2.5
    step = rng.standard_normal(6)
    before = rng.standard_normal(6)
    model = ModelHessian()
    for truth in (0.3, 1.0, 4.0, 1e-3, 1e3):
        # a data term whose Hessian is truth * C * H: y = truth C H s
        after = before + truth * C * H @ step
        full_grad = np.zeros(10)
        full_grad[columns] = after[:5]
        model.rescale((step, before, columns, H), full_grad, after[5], C)
        assert np.isclose(model.gamma, np.clip(truth, *GAMMA_RANGE),
                          rtol=1e-12)
    model.gamma = 0.7
    full_grad = np.zeros(10)
    full_grad[columns] = before[:5]
    model.rescale((step, before, columns, H), full_grad, before[5], C)
    assert model.gamma == 0.7
    # without an intercept: the gradient is the features' only
    after = before[:5] + 0.5 * C * H[:5, :5] @ step[:5]
    full_grad[columns] = after
    model.rescale((step[:5], before[:5], columns, H[:5, :5]), full_grad,
                  0.0, C)
    assert np.isclose(model.gamma, 0.5, rtol=1e-12)
