"""The path algorithm (clogit._solvers.path) and the hooks it uses in the
proximal Newton solver: screening is safe (the KKT check re-adds features
a wrong rule discarded), the reused Newton pass changes no result, and the
orthant step never worsens the local model."""

import numpy as np
import pytest

from clogit._backends.memory import BinomialKernels
from clogit._kernels.cd import cd_quadratic
from clogit._solvers import path as path_module
from clogit._solvers.path import ReusedPasses, binary_path
from clogit._solvers.prox_newton import (kkt_violation, orthant_step,
                                         prox_newton_binary)

from _data import synthetic_binary


@pytest.fixture(scope="module")
def problem():
    X, y = synthetic_binary(n=300, p=10, seed=7)
    return X, y.astype(np.float64), np.ones(y.shape[0])


def kernels_of(problem, C=1.0):
    X, y, s = problem
    return BinomialKernels(X, y, s, C, True)


class CountingKernels:
    """Kernels that count the passes over X."""

    def __init__(self, kernels):
        self.kernels = kernels
        self.passes = 0

    def __getattr__(self, name):
        return getattr(self.kernels, name)

    @property
    def C(self):
        return self.kernels.C

    @C.setter
    def C(self, value):
        self.kernels.C = value

    def block_pass(self, *args, **kwargs):
        self.passes += 1
        return self.kernels.block_pass(*args, **kwargs)

    def newton_loop(self, *args):
        # Newton's own loop, whose passes are counted (cache-sized data
        # would otherwise run it in one Cython call, where a path reuses
        # no pass: see _solvers/newton.py)
        return None


def test_reused_newton_pass_changes_nothing_but_the_pass_count(problem):
    Cs = np.logspace(-2, 2, 8)
    plain = CountingKernels(kernels_of(problem))
    counted = CountingKernels(kernels_of(problem))
    result = binary_path(counted, Cs, solver="newton", l1=0.0, l2=1.0,
                         tol=1e-10, max_iter=50)
    # the same path without reuse: each point warm started by hand
    coef = None
    for k, C in enumerate(Cs):
        plain.C = C
        point = path_module.newton_binary(plain, alpha=1.0, tol=1e-10,
                                          max_iter=50, coef0=coef)
        coef = point.coef
        np.testing.assert_allclose(result.coefs[k], coef, rtol=1e-12,
                                   atol=1e-13)
    # one pass saved per point after the first
    assert counted.passes == plain.passes - (len(Cs) - 1)


def test_reused_passes_answer_only_the_same_coefficients(problem):
    kernels = ReusedPasses(kernels_of(problem, C=2.0))
    coef = np.full(11, 0.1)
    grad, hess = np.empty(11), np.empty((11, 11), order="F")
    z = kernels.new_scores()
    first = kernels.block_pass(coef, grad, hess, z)
    kernels.C = 6.0
    grad3, hess3, z3 = np.empty(11), np.empty((11, 11), order="F"), \
        kernels.new_scores()
    reused = kernels.block_pass(coef, grad3, hess3, z3)
    direct = kernels_of(problem, C=6.0)
    grad_d, hess_d = np.empty(11), np.empty((11, 11), order="F")
    z_d = direct.new_scores()
    expected = direct.block_pass(coef, grad_d, hess_d, z_d)
    assert np.isclose(reused, 3 * first, rtol=1e-15)
    assert np.isclose(reused, expected, rtol=1e-13)
    np.testing.assert_allclose(grad3, grad_d, rtol=1e-13)
    np.testing.assert_allclose(hess3, hess_d, rtol=1e-13)
    np.testing.assert_array_equal(z3, z_d)


def test_candidates_restrict_the_problem(problem):
    kernels = kernels_of(problem, C=0.5)
    everything = prox_newton_binary(kernels, l1=1.0, l2=0.0, tol=1e-10,
                                    max_iter=100)
    same = prox_newton_binary(kernels, l1=1.0, l2=0.0, tol=1e-10,
                              max_iter=100,
                              candidates=np.arange(10, dtype=np.int32))
    np.testing.assert_allclose(same.coef, everything.coef, atol=1e-10)
    subset = np.array([0, 3, 4], dtype=np.int32)
    restricted = prox_newton_binary(kernels, l1=1.0, l2=0.0, tol=1e-10,
                                    max_iter=100, candidates=subset)
    outside = np.setdiff1d(np.arange(10), subset)
    assert not restricted.coef[outside].any()
    assert restricted.converged
    # optimal on the subset: KKT there (data gradient at the result)
    grad = np.empty(4)
    coef_subset = np.append(restricted.coef[subset], restricted.coef[-1])
    kernels.block_pass(coef_subset, grad, None, None, subset)
    violation = kkt_violation(grad[:3], coef_subset[:3], 1.0, 0.0)
    assert violation.max() <= 1e-10 * 0.5 * 300


def test_kkt_check_re_adds_what_a_wrong_rule_discarded(problem):
    """Feed the screened point a gradient that makes the strong rule drop
    every feature: the KKT check must bring the active ones back."""
    kernels = kernels_of(problem)
    C = 1.0
    reference = prox_newton_binary(kernels, l1=1.0, l2=0.0, tol=1e-10,
                                   max_iter=100)
    assert np.count_nonzero(reference.coef[:10]) >= 3
    gradient = path_module._Gradient(kernels)
    start = np.zeros(11)
    start[-1] = np.log(problem[1].mean() / (1 - problem[1].mean()))
    # the rule sees signal in feature 0 only (enough for the warm start
    # to fail its KKT test): it keeps feature 0 alone
    wrong_u = np.zeros(10)
    wrong_u[0] = 10.0
    result, u, _ = path_module._screened_point(
        kernels, gradient, C, C / 1.5, start, wrong_u, 0.0, 1.0, 0.0, 1e-10,
        100, "", 300.0)
    assert result.converged
    np.testing.assert_allclose(result.coef, reference.coef, atol=1e-8)


def test_orthant_step_never_worsens_the_model():
    rng = np.random.default_rng(3)
    k = 8
    for trial in range(20):
        A = rng.standard_normal((40, k + 1))
        A[:, 1] = A[:, 0] + 1e-3 * A[:, 1]  # collinear: CD crawls
        H = np.asfortranarray(A.T @ A)
        g = rng.standard_normal(k + 1) * 5
        w = np.append(rng.standard_normal(k) * (rng.random(k) < 0.6), 0.3)
        l1, l2 = 1.0, 0.1 * (trial % 2)
        step = np.zeros(k + 1)
        cd_quadratic(H, g, w, k, l1, l2, step, np.zeros(k + 1), 3, 0.0)

        def model(d):
            v = w + d
            return (g @ d + 0.5 * d @ H @ d + l1 * np.abs(v[:k]).sum()
                    + 0.5 * l2 * v[:k] @ v[:k])

        polished = orthant_step(H, g, w, step, k, l1, l2)
        if polished is None:
            continue
        assert model(polished) <= model(step) + 1e-12 * abs(model(step))
        # it stays on the sign pattern of the CD step (zeros may appear)
        v_cd, v = np.sign((w + step)[:k]), np.sign((w + polished)[:k])
        assert np.all((v == v_cd) | (v == 0))


def test_extrapolated_start_follows_a_line_in_log_C():
    C_before, C_prev, C = 1.0, 2.0, 8.0  # log-steps 1 and 2
    before = np.array([1.0, -2.0, 0.0, 0.5, 0.3])
    previous = np.array([2.0, -2.5, 0.0, 0.1, 0.4])  # intercept last
    start = path_module.extrapolated_start(previous, C, C_prev,
                                           (before, C_before), 4)
    # coefficient 3 would cross zero (0.1 - 2 * 0.4): it starts at zero;
    # the intercept is extrapolated whatever its sign
    np.testing.assert_allclose(start, [4.0, -3.5, 0.0, 0.0, 0.6])
    np.testing.assert_array_equal(previous, [2.0, -2.5, 0.0, 0.1, 0.4])
    # a coefficient zero at the previous point stays zero
    grown = path_module.extrapolated_start(np.array([0.0, 1.0, 0.0]), C,
                                           C_prev,
                                           (np.array([-1.0, 0.5, 0.0]),
                                            C_before), 2)
    np.testing.assert_allclose(grown, [0.0, 2.0, 0.0])
    # no earlier point, or a grid not increasing: the previous solution
    for earlier in (None, (before, C_prev), (before, np.inf)):
        same = path_module.extrapolated_start(previous, C, C_prev, earlier,
                                              4)
        np.testing.assert_array_equal(same, previous)


@pytest.mark.parametrize("fmt", ["csr", "csc", "dense"])
def test_column_shares_are_each_column_s_share_of_the_entries(fmt):
    import scipy.sparse as sp
    X = sp.random(50, 7, density=0.3, format="csr", random_state=2)
    X = X.toarray() if fmt == "dense" else X.asformat(fmt)
    kernels = BinomialKernels(X, np.zeros(50), np.ones(50), 1.0, True)
    shares = path_module.column_shares(kernels)
    if fmt == "dense":
        np.testing.assert_allclose(shares, np.full(7, 1 / 7))
    else:
        counts = np.diff(sp.csc_matrix(X).indptr)
        np.testing.assert_allclose(shares, counts / counts.sum())


@pytest.mark.parametrize("share", [0.0, 1.0])
def test_matrix_free_points_equal_single_tight_fits(monkeypatch, share):
    """A sparse path whose working sets all run without a model Hessian
    (threshold 5 features): extrapolated starts, the CG step, screening
    always (share 0) or never (share 1); every point is the optimum of
    an independent tight fit at its C, zeros included."""
    import scipy.sparse as sp
    from scipy.special import expit

    import clogit
    from clogit._solvers import prox_newton as pn
    rng = np.random.default_rng(11)
    n, p = 1200, 60
    X = sp.random(n, p, density=0.08, format="csr", random_state=11)
    X.data = rng.random(X.data.shape[0]) + 0.1
    z = X @ (rng.standard_normal(p) * 4.0)
    y = (rng.random(n) < expit(z - np.median(z))).astype(np.float64)
    Cs = np.logspace(-0.5, 2, 12)
    calls = []
    original = path_module.extrapolated_start

    def counted(*args):
        calls.append(1)
        return original(*args)

    monkeypatch.setattr(path_module, "extrapolated_start", counted)
    monkeypatch.setattr(path_module, "SCREEN_MIN_SHARE", share)
    monkeypatch.setattr(pn, "_DENSE_MODEL_MAX_FEATURES", 5)
    kernels = BinomialKernels(X, y, np.ones(n), 1.0, True)
    result = binary_path(kernels, Cs, solver="prox_newton", l1=1.0, l2=0.0,
                         tol=1e-11, max_iter=200)
    assert calls and result.converged.all()
    monkeypatch.undo()

    def objective(w, b, C):
        zz = X @ w + b
        return C * np.sum(np.logaddexp(0, zz) - y * zz) + np.abs(w).sum()

    for k, C in enumerate(Cs):
        single = clogit.LogisticRegression(penalty="l1", C=C, tol=1e-12,
                                           max_iter=1000).fit(X, y)
        w, b = result.coefs[k, :-1], result.coefs[k, -1]
        best = objective(single.coef_[0], single.intercept_[0], C)
        assert objective(w, b, C) - best <= 1e-9 * abs(best)
        np.testing.assert_array_equal(w == 0.0, single.coef_[0] == 0.0)


@pytest.mark.parametrize("dtype, order, fit_intercept, l1, l2", [
    (np.float64, "C", True, 1.0, 0.0),
    (np.float64, "F", False, 1.0, 0.0),
    (np.float32, "C", True, 0.5, 0.5),
])
def test_small_dense_points_equal_the_python_iteration(monkeypatch, dtype,
                                                       order, fit_intercept,
                                                       l1, l2):
    """The one-call Cython solve of small dense points
    (prox_newton_small) reaches the optima of the Python iteration it
    replaces, point by point along a screened path, on rows of zero weight
    (a CV fold), float32 and F-ordered X, with and without an intercept;
    the same zeros, and the same KKT figure's verdict."""
    from clogit._solvers import prox_newton as pn
    X, y = synthetic_binary(n=400, p=25, seed=11)
    X = np.asarray(X, dtype=dtype, order=order)
    y = y.astype(np.float64)
    s = np.ones(y.shape[0])
    s[::5] = 0.0  # held-out rows
    s[1::7] = 2.5
    Cs = np.logspace(-2.5, 1.5, 15)

    def run():
        kernels = BinomialKernels(X, y, s, 1.0, fit_intercept)
        return binary_path(kernels, Cs, solver="prox_newton", l1=l1, l2=l2,
                           tol=1e-10, max_iter=100)

    assert pn.small_dense(BinomialKernels(X, y, s, 1.0, fit_intercept))
    calls = []
    original = pn._small_point
    monkeypatch.setattr(pn, "_small_point", lambda *a: (
        calls.append(1), original(*a))[1])
    small = run()
    assert calls
    monkeypatch.setattr(pn, "small_dense", lambda *args: False)
    python = run()
    assert small.converged.all() and python.converged.all()
    assert small.max_abs_grad.max() <= 1e-10
    np.testing.assert_array_equal(small.coefs == 0.0, python.coefs == 0.0)
    np.testing.assert_allclose(small.coefs, python.coefs, rtol=1e-7,
                               atol=1e-9)
    # and each point is the optimum: KKT from an independent gradient
    n_features = X.shape[1]
    X64 = X.astype(np.float64)
    for C, coef in zip(Cs, small.coefs):
        w = coef[:n_features]
        b = coef[n_features] if fit_intercept else 0.0
        residual = C * s * (1.0 / (1.0 + np.exp(-(X64 @ w + b))) - y)
        scale = C * s.sum()
        assert kkt_violation(X64.T @ residual, w, l1, l2).max() / scale \
            <= 1e-9
        if fit_intercept:
            assert abs(residual.sum()) / scale <= 1e-9


def test_small_dense_point_without_iterations_measures_its_start(problem):
    """max_iter=0: the warm start is returned with its KKT figure (as the
    Python iteration's final test)."""
    kernels = kernels_of(problem, C=0.3)
    candidates = np.arange(10, dtype=np.int32)
    start = np.zeros(11)
    result = prox_newton_binary(kernels, l1=1.0, l2=0.0, tol=1e-10,
                                max_iter=0, coef0=start,
                                candidates=candidates)
    X, y, s = problem
    residual = 0.3 * s * (1 / (1 + np.exp(-start[-1])) - y)
    expected = max(kkt_violation(X.T @ residual, start[:10], 1.0, 0.0).max(),
                   abs(residual.sum())) / (0.3 * s.sum())
    assert result.n_iter == 0 and not result.converged
    np.testing.assert_allclose(result.max_abs_grad, expected, rtol=1e-10)
    np.testing.assert_array_equal(result.coef, start)


def test_small_dense_covers_narrow_candidate_sets_of_larger_x():
    """Past the size where no Hessian is kept, the one-call solve takes the
    points with few candidates (a fresh Hessian cheap) and leaves the wide
    ones to the kept-Hessian iteration; never sparse X."""
    import scipy.sparse as sp
    from clogit._solvers import prox_newton as pn
    rng = np.random.default_rng(0)
    X = rng.standard_normal((20_000, 100))
    y = (rng.random(20_000) < 0.5).astype(np.float64)
    kernels = BinomialKernels(X, y, np.ones(20_000), 1.0, True)
    assert not pn.small_dense(kernels)
    assert pn.small_dense(kernels, 5)
    assert not pn.small_dense(kernels, 100)
    sparse = BinomialKernels(sp.csr_matrix(X[:50]), y[:50], np.ones(50), 1.0,
                             True)
    assert not pn.small_dense(sparse, 5)


def test_candidate_passes_over_all_columns_give_the_full_gradient():
    """Dense float64 X with most columns as candidates: the Python
    iteration's passes run over all columns in place; the result is the
    gathering iteration's optimum, zero outside the candidates, and its
    ``gradient`` is X.T r over every feature at the returned point (what
    the path's KKT check reads instead of a product with X)."""
    from clogit._solvers import prox_newton as pn
    rng = np.random.default_rng(4)
    n, p = 20_000, 100
    X = rng.standard_normal((n, p))
    w = np.where(rng.random(p) < 0.2, rng.standard_normal(p), 0.0)
    y = (rng.random(n) < 1 / (1 + np.exp(-X @ w))).astype(np.float64)
    candidates = np.sort(rng.choice(p, 60, replace=False)).astype(np.int32)
    results = []
    for in_place in (True, False):
        kernels = BinomialKernels(X, y, np.ones(n), 0.01, True)
        assert kernels.reads_in_place(candidates)
        assert not pn.small_dense(kernels, candidates.size)
        if not in_place:
            kernels.reads_in_place = lambda columns: False
        results.append(prox_newton_binary(
            kernels, l1=1.0, l2=0.0, tol=1e-10, max_iter=100,
            candidates=candidates, keep_residual=True))
    fast, gathered = results
    assert fast.converged and gathered.converged
    outside = np.setdiff1d(np.arange(p), candidates)
    assert not fast.coef[outside].any()
    np.testing.assert_allclose(fast.coef, gathered.coef, atol=1e-9)
    assert gathered.gradient is None
    coef = fast.coef
    residual = 0.01 * (1 / (1 + np.exp(-(X @ coef[:p] + coef[p]))) - y)
    np.testing.assert_allclose(fast.residual, residual, rtol=1e-10,
                               atol=1e-14)
    np.testing.assert_allclose(fast.gradient, X.T @ residual, rtol=1e-9,
                               atol=1e-12)


def test_path_switching_between_one_call_and_python_points(monkeypatch):
    """A path on dense X past the small size runs its narrow points in one
    call and its wide ones in Python (with a kept Hessian): every point is
    the optimum of an independent tight fit (objective within 1e-9
    relative, the same zeros)."""
    from clogit._solvers import prox_newton as pn
    rng = np.random.default_rng(5)
    n, p = 3000, 200
    X = rng.standard_normal((n, p))
    beta = np.zeros(p)
    beta[:30] = rng.standard_normal(30)
    y = (rng.random(n) < 1 / (1 + np.exp(-(X @ beta)))).astype(np.float64)
    s = np.ones(n)
    s[::5] = 0.0
    kernels = BinomialKernels(X, y, s, 1.0, True)
    assert not pn.small_dense(kernels)
    used = {"one call": 0, "python": 0}
    original = pn._small_point
    monkeypatch.setattr(pn, "_small_point", lambda *a: (
        used.__setitem__("one call", used["one call"] + 1),
        original(*a))[1])
    # a grid fine enough for the strong rule to discard (C / C_prev < 2)
    Cs = np.logspace(-3, 0, 25)
    result = binary_path(kernels, Cs, solver="prox_newton", l1=1.0, l2=0.0,
                         tol=1e-10, max_iter=100)
    widest = int(np.count_nonzero(result.coefs[-1][:p]))
    assert used["one call"] > 0 and widest > 100
    assert result.converged.all()
    for C, coef in zip(Cs[::3], result.coefs[::3]):
        kernels.C = C
        single = prox_newton_binary(kernels, l1=1.0, l2=0.0, tol=1e-12,
                                    max_iter=200)
        w, b = coef[:p], coef[p]
        z = X @ w + b
        f = C * np.sum(s * (np.logaddexp(0, z) - y * z)) + np.abs(w).sum()
        zs = X @ single.coef[:p] + single.coef[p]
        f_single = (C * np.sum(s * (np.logaddexp(0, zs) - y * zs))
                    + np.abs(single.coef[:p]).sum())
        assert f - f_single <= 1e-9 * abs(f_single)
        np.testing.assert_array_equal(w == 0.0, single.coef[:p] == 0.0)
