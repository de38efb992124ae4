"""The Newton solver's contract: convergence test, warnings, ridge fallback,
verbose output."""

import contextlib
import io
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.linalg import LinAlgWarning
from sklearn.exceptions import ConvergenceWarning

import clogit
from clogit._solvers.newton import newton_binary
from clogit._backends.memory import BinomialKernels
from _data import record_hessian_strides, solve, synthetic_binary


def _gradient(X, y, coef, C, alpha):
    Xt = np.hstack([X, np.ones((X.shape[0], 1))])
    p = 1.0 / (1.0 + np.exp(-(Xt @ coef)))
    g = C * Xt.T @ (p - y)
    g[:-1] += alpha * coef[:-1]
    return g


@pytest.mark.parametrize("tol", [1e-4, 1e-8, 1e-12])
def test_stops_when_scaled_gradient_below_tol(tol):
    X, y = synthetic_binary(n=3000, p=10, seed=1)
    y = y.astype(np.float64)
    s = np.ones_like(y)
    result = solve(newton_binary, X, y, s, C=2.0, alpha=1.0, fit_intercept=True,
                           tol=tol, max_iter=100)
    assert result.converged
    g = _gradient(X, y, result.coef, 2.0, 1.0)
    assert np.max(np.abs(g)) / (2.0 * len(y)) <= tol
    assert result.max_abs_grad <= tol


def test_quadratic_convergence_needs_few_iterations():
    X, y = synthetic_binary(n=5000, p=20, seed=2)
    clf = clogit.LogisticRegression(tol=1e-10).fit(X, y)
    assert clf.n_iter_[0] <= 8


def test_convergence_warning_when_max_iter_too_small():
    X, y = synthetic_binary()
    with pytest.warns(ConvergenceWarning, match="max_iter=2"):
        clf = clogit.LogisticRegression(max_iter=2, tol=1e-12).fit(X, y)
    assert not clf.converged_
    assert clf.n_iter_[0] == 2


def test_verbose_prints_one_line_per_iteration(capsys):
    X, y = synthetic_binary()
    clf = clogit.LogisticRegression(verbose=1, tol=1e-10).fit(X, y)
    lines = [l for l in capsys.readouterr().out.splitlines() if "iter" in l]
    assert len(lines) == clf.n_iter_[0]
    assert "objective" in lines[0] and "max|grad|" in lines[0]
    assert "converged" in lines[-1]


def test_singular_hessian_uses_ridge_and_warns():
    X, y = synthetic_binary(n=500, p=3)
    X = np.hstack([X, X[:, :1]])  # collinear column: singular Hessian
    with pytest.warns(LinAlgWarning, match="singular"):
        clf = clogit.LogisticRegression(penalty=None, tol=1e-8).fit(X, y)
    assert np.all(np.isfinite(clf.coef_))
    # the duplicated pair shares the effect of the single original feature
    ref = clogit.LogisticRegression(penalty=None, tol=1e-10).fit(X[:, :3], y)
    np.testing.assert_allclose(clf.coef_[0, 0] + clf.coef_[0, 3],
                               ref.coef_[0, 0], rtol=1e-5)


def test_separable_data_stay_finite():
    # the unpenalized MLE does not exist: the fit stops with a
    # SeparationWarning (and no other warning) at finite coefficients
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 2))
    y = (X[:, 0] > 0).astype(int)
    with pytest.warns(clogit.SeparationWarning, match="separation") as record:
        clf = clogit.LogisticRegression(penalty=None, max_iter=50).fit(X, y)
    assert [w.category for w in record] == [clogit.SeparationWarning]
    assert not clf.converged_
    assert np.all(np.isfinite(clf.coef_))
    assert np.all(np.isfinite(clf.predict_log_proba(X)))
    assert clf.score(X, y) == 1.0


def test_l2_is_well_posed_on_separable_data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 2))
    y = (X[:, 0] > 0).astype(int)
    clf = clogit.LogisticRegression(C=1.0, tol=1e-10).fit(X, y)
    assert clf.converged_


class _CountingKernels(BinomialKernels):
    """In-memory kernels that count their passes over X."""

    def __init__(self, *args, speculate):
        super().__init__(*args)
        self.speculative_full_step = speculate
        self.passes = {"block_pass": 0, "matvec": 0}

    def weight_sums(self):
        return float(self.sample_weight.sum()), float(
            self.sample_weight @ self.y)

    def new_scores(self):
        return np.empty(self.n_samples)

    def block_pass(self, *args, **kwargs):
        self.passes["block_pass"] += 1
        return super().block_pass(*args, **kwargs)

    def matvec(self, *args, **kwargs):
        self.passes["matvec"] += 1
        return super().matvec(*args, **kwargs)


@pytest.mark.parametrize("far_start", [False, True])
def test_speculative_full_step_gives_the_same_iterates(far_start, capsys):
    # started far from the optimum, Newton's first full steps overshoot, so
    # the line search has to shorten them after the speculative pass.  (The
    # full step's objective is computed from X (coef + d) rather than
    # z + X d: equal up to rounding, which can tip a decision only at
    # tolerances near float64's limit, far below this test's 1e-10.)
    X, y = synthetic_binary(n=2000, p=6, seed=3)
    y = y.astype(np.float64)
    s = np.ones_like(y)
    coef0 = np.full(X.shape[1] + 1, 3.0) if far_start else None
    results = {}
    for speculate in (False, True):
        kernels = _CountingKernels(X, y, s, 1.0, True, speculate=speculate)
        result = newton_binary(kernels, alpha=1e-3, tol=1e-10, max_iter=100,
                               coef0=coef0, verbose=1)
        steps = [float(line.split("step ")[1].split()[0])
                 for line in capsys.readouterr().out.splitlines()
                 if "step " in line]
        results[speculate] = result, kernels.passes, steps
    (plain, plain_passes, plain_steps), (fast, fast_passes, fast_steps) = (
        results[False], results[True])
    assert fast.converged and plain.converged
    assert fast.n_iter == plain.n_iter
    assert fast_steps == plain_steps
    np.testing.assert_allclose(fast.coef, plain.coef, rtol=1e-12)
    shortened = sum(step < 1.0 for step in plain_steps)
    assert (shortened > 0) == far_start
    # plain: one block pass per iteration and X @ d for every step;
    # speculative: the full step's pass is the next iteration's unless the
    # line search shortened or lengthened the step, and X @ d is never
    # read (such a step takes the difference of the two points' scores)
    assert plain_passes == {"block_pass": plain.n_iter,
                            "matvec": len(plain_steps)}
    assert fast_passes["matvec"] == 0
    assert fast_passes["block_pass"] == plain.n_iter + sum(
        step != 1.0 for step in plain_steps)


@pytest.mark.parametrize("big", [1e6, 1e7, 1e8, 1e9])
def test_badly_scaled_l2_problem_needs_no_ridge(big):
    # l2 with one huge constant column: strictly convex, only badly scaled.
    # It used to warn "the Hessian was singular" and add a ridge scaled by
    # the largest diagonal entry (14 iterations instead of 7 at 1e8); the
    # equilibrated system converges as the problem without the column
    # (whose coefficient is 0 at the optimum: the intercept absorbs it)
    X, y = synthetic_binary(n=500, p=3)
    ref = clogit.LogisticRegression(tol=1e-8).fit(X, y)
    Xc = np.column_stack([X, np.full(len(y), big)])
    clf = clogit.LogisticRegression(tol=1e-8).fit(Xc, y)  # no warning
    assert clf.converged_
    assert clf.n_iter_[0] <= ref.n_iter_[0] + 1
    np.testing.assert_allclose(clf.coef_[0, :3], ref.coef_[0], rtol=1e-6)
    np.testing.assert_allclose(clf.decision_function(Xc),
                               ref.decision_function(X), rtol=1e-6,
                               atol=1e-6)


def test_equilibrated_factor_is_the_hessian_factor():
    # the factor handed to inference is a Cholesky factor of H itself
    from clogit._solvers.newton import factor_with_ridge
    rng = np.random.default_rng(0)
    A = rng.standard_normal((50, 4)) * np.array([1e-3, 1.0, 1e4, 1e7])
    H = np.asfortranarray(A.T @ A + np.eye(4))
    L = H.copy(order="F")
    assert factor_with_ridge(L) == 0.0
    L = np.tril(L)
    np.testing.assert_allclose(L @ L.T, H, rtol=1e-12)


class _SampleCountingKernels(BinomialKernels):
    """BinomialKernels that count their Hessian passes: from a row sample
    (``hessian_stride`` > 1, the strides seen) and exact."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.exact_passes, self.strides = 0, []

    def block_pass(self, coef, grad, hess=None, z=None, columns=None,
                   residual=None, hessian_stride=1):
        if hess is not None and hessian_stride > 1:
            self.strides.append(hessian_stride)
        elif hess is not None:
            self.exact_passes += 1
        return super().block_pass(coef, grad, hess, z, columns, residual,
                                  hessian_stride)


def _schedule_fits(monkeypatch, X, y, s, alpha, sample_rows, tol=1e-10,
                   **kwargs):
    """The same Newton fit with the Hessian schedule's early Hessians from
    about ``sample_rows`` rows, and with exact Hessians only."""
    import clogit._solvers.newton as newton
    monkeypatch.setattr(newton, "_SAMPLED_ROWS_PER_COEF", 1)
    fits = []
    for rows in (sample_rows, 10 ** 12):  # 10**12 rows: never sampled
        monkeypatch.setattr(newton, "_SAMPLED_ROWS", rows)
        kernels = _SampleCountingKernels(X, y, s, 1.0, True)
        fits.append((newton_binary(kernels, alpha=alpha, tol=tol,
                                   max_iter=100, **kwargs), kernels))
    return fits


@pytest.mark.parametrize("layout", ["C", "F", "csr", "float32"])
@pytest.mark.parametrize("alpha", [0.0, 1.0])
def test_sampled_early_hessians_reach_the_exact_fit(monkeypatch, layout,
                                                    alpha):
    # The Hessian schedule: early Hessians from every k-th row, the last
    # ones exact.  The fit is the one exact Newton reaches (the same
    # optimum at 1e-10 relative), with as many iterations or one more,
    # and ends on an exact Hessian: the returned factor is that of the
    # full-data Hessian at the solution (what inference uses).
    import scipy.sparse as sp
    X, y = synthetic_binary(n=6000, p=8, seed=3)
    y = y.astype(np.float64)
    s = np.random.default_rng(0).uniform(0.5, 2.0, len(y))
    X = {"C": np.ascontiguousarray(X), "F": np.asfortranarray(X),
         "csr": sp.csr_matrix(X),
         "float32": np.ascontiguousarray(X, dtype=np.float32)}[layout]
    (sampled, kernels), (exact, exact_kernels) = _schedule_fits(
        monkeypatch, X, y, s, alpha, sample_rows=500)
    assert sampled.converged and exact.converged
    np.testing.assert_allclose(sampled.coef, exact.coef, rtol=1e-8,
                               atol=1e-10)
    assert abs(sampled.objective - exact.objective) <= 1e-12 * abs(
        exact.objective)
    assert exact.n_iter <= sampled.n_iter <= exact.n_iter + 1
    # sampled Hessians were used first, then exact ones (at least the last)
    assert kernels.strides and set(kernels.strides) == {len(y) // 500}
    assert kernels.exact_passes >= 1
    assert len(kernels.strides) + kernels.exact_passes == sampled.n_iter
    assert exact_kernels.strides == []
    # row-major X is read in place (a strided view), the others copied
    sample = kernels._samples(len(y) // 500)
    assert sample.n_samples == -(-len(y) // (len(y) // 500))
    assert np.shares_memory(sample.X, X) == (layout in ("C", "float32"))
    # the factor is the exact Hessian's at the solution
    H = np.empty((9, 9), order="F")
    BinomialKernels(X, y, s, 1.0, True).block_pass(sampled.coef,
                                                   np.empty(9), H)
    H[np.arange(8), np.arange(8)] += alpha
    L = np.tril(sampled.hessian_factor)
    np.testing.assert_allclose(L @ L.T, H, rtol=1e-12,
                               atol=1e-12 * np.abs(H).max())


def test_sampled_hessian_pass_is_the_strided_rows_hessian():
    # block_pass(hessian_stride=k): objective, gradient and scores from
    # all rows, the Hessian that of every k-th row with weights times k
    X, y = synthetic_binary(n=1000, p=5, seed=8)
    y = y.astype(np.float64)
    s = np.random.default_rng(1).uniform(0.5, 2.0, len(y))
    coef = np.linspace(-0.5, 0.5, 6)
    kernels = BinomialKernels(X, y, s, 2.0, True)
    grad, hess, z = np.empty(6), np.empty((6, 6), order="F"), np.empty(1000)
    objective = kernels.block_pass(coef, grad, hess, z, hessian_stride=7)
    grad_all, z_all = np.empty(6), np.empty(1000)
    assert objective == kernels.block_pass(coef, grad_all, None, z_all)
    np.testing.assert_array_equal(grad, grad_all)
    np.testing.assert_array_equal(z, z_all)
    Xt = np.hstack([X, np.ones((1000, 1))])[::7]
    p = 1.0 / (1.0 + np.exp(-(Xt @ coef)))
    expected = Xt.T @ ((2.0 * 7 * s[::7] * p * (1 - p))[:, None] * Xt)
    np.testing.assert_allclose(hess, expected, rtol=1e-12)


def test_warm_started_and_small_fits_use_exact_hessians(monkeypatch):
    # a warm start is near its optimum already (paths, warm_start=True),
    # and fewer than 4 sample sizes of rows save too little: no sample
    X, y = synthetic_binary(n=6000, p=8, seed=4)
    y = y.astype(np.float64)
    s = np.ones_like(y)
    (warm, kernels), _ = _schedule_fits(monkeypatch, X, y, s, 1.0, 500,
                                        coef0=np.full(9, 0.01))
    assert warm.converged and kernels.strides == []
    (small, kernels), _ = _schedule_fits(monkeypatch, X, y, s, 1.0, 1501)
    assert small.converged and kernels.strides == []


def test_sampled_hessians_keep_inference_exact(monkeypatch):
    # through the estimator: standard errors equal statsmodels' at the
    # solution although the first Hessians were sampled
    sm = pytest.importorskip("statsmodels.api")
    import clogit._solvers.newton as newton
    monkeypatch.setattr(newton, "_SAMPLED_ROWS", 400)
    monkeypatch.setattr(newton, "_SAMPLED_ROWS_PER_COEF", 1)
    strides = record_hessian_strides(monkeypatch, BinomialKernels, "block_pass")
    X, y = synthetic_binary(n=5000, p=6, seed=5)
    est = clogit.LogisticRegression(penalty=None, tol=1e-10).fit(X, y)
    assert 12 in strides  # 5000 // 400
    ref = sm.Logit(y, sm.add_constant(X)).fit(method="newton", disp=0,
                                               tol=1e-12)
    params = np.r_[est.intercept_, est.coef_[0]]
    np.testing.assert_allclose(params, ref.params, rtol=1e-8)
    bse = np.asarray(est.results_.bse)  # statsmodels' order: const first
    np.testing.assert_allclose(bse, np.asarray(ref.bse), rtol=1e-8)


class _PassRecordingKernels(BinomialKernels):
    """BinomialKernels that record, pass by pass, whether it computed a
    Hessian."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.hessians = []

    def block_pass(self, coef, grad, hess=None, *args, **kwargs):
        self.hessians.append(hess is not None)
        return super().block_pass(coef, grad, hess, *args, **kwargs)


@pytest.mark.parametrize("alpha", [0.0, 1.0])
def test_final_pass_without_hessian_when_inference_can_wait(monkeypatch,
                                                            alpha):
    # final_factor=False on a fit whose schedule samples rows: the pass
    # expected to be the last reads X for the gradient only.  Same
    # iterates as the fit that ends with the factor, converged, no factor
    # but the data objective at the returned coefficients.
    import clogit._solvers.newton as newton
    monkeypatch.setattr(newton, "_SAMPLED_ROWS_PER_COEF", 1)
    monkeypatch.setattr(newton, "_SAMPLED_ROWS", 500)
    X, y = synthetic_binary(n=6000, p=8, seed=3)
    y = y.astype(np.float64)
    s = np.random.default_rng(0).uniform(0.5, 2.0, len(y))
    fits = []
    for final_factor in (True, False):
        kernels = _PassRecordingKernels(X, y, s, 1.0, True)
        fits.append((newton_binary(kernels, alpha=alpha, tol=1e-10,
                                   max_iter=100, final_factor=final_factor),
                     kernels))
    (kept, kept_passes), (lazy, lazy_passes) = fits
    assert kept.converged and lazy.converged
    assert lazy.max_abs_grad <= 1e-10 and lazy.n_iter == kept.n_iter
    np.testing.assert_array_equal(lazy.coef, kept.coef)
    assert kept.hessian_factor is not None and lazy.hessian_factor is None
    assert kept_passes.hessians[-1] and not lazy_passes.hessians[-1]
    assert sum(lazy_passes.hessians) == sum(kept_passes.hessians) - 1
    data = BinomialKernels(X, y, s, 1.0, True).block_pass(lazy.coef,
                                                          np.empty(9))
    assert abs(lazy.data_objective - data) <= 1e-13 * abs(data)
    # a fit whose Hessians are all exact (no sample) ends with its factor
    monkeypatch.setattr(newton, "_SAMPLED_ROWS", 10 ** 12)
    exact = newton_binary(BinomialKernels(X, y, s, 1.0, True), alpha=alpha,
                          tol=1e-10, max_iter=100, final_factor=False)
    assert exact.converged and exact.hessian_factor is not None


def test_final_pass_whose_decrement_guard_fails_gets_its_hessian(
        monkeypatch):
    # the gradient test passes at the Hessian-free pass but the decrement
    # on the previous factor does not (forced here): the exact Hessian is
    # made at coef, as on any stale pass, and the fit goes on to the exact
    # fit's optimum (the penalty added to that Hessian's diagonal)
    import clogit._solvers.newton as newton
    monkeypatch.setattr(newton, "_SAMPLED_ROWS_PER_COEF", 1)
    monkeypatch.setattr(newton, "_SAMPLED_ROWS", 500)
    X, y = synthetic_binary(n=6000, p=8, seed=3)
    y = y.astype(np.float64)
    s = np.ones(len(y))
    kernels = _PassRecordingKernels(X, y, s, 1.0, True)
    half_decrement = newton._half_decrement
    failed = []

    def failing_once(factor, gradient):
        if failed:
            return half_decrement(factor, gradient)
        failed.append(len(kernels.hessians))
        return np.inf

    monkeypatch.setattr(newton, "_half_decrement", failing_once)
    fit = newton_binary(kernels, alpha=1.0, tol=1e-10, max_iter=100,
                        final_factor=False)
    exact = newton_binary(BinomialKernels(X, y, s, 1.0, True), alpha=1.0,
                          tol=1e-10, max_iter=100)
    assert failed and fit.converged
    assert not kernels.hessians[failed[0] - 1]  # the pass it failed at
    assert kernels.hessians[failed[0]]  # the next: the Hessian at coef
    np.testing.assert_allclose(fit.coef, exact.coef, rtol=1e-9, atol=1e-12)


def _kept_and_lazy(X, y, s, C, fit_intercept, tol):
    """l2 Newton fits (alpha 1) with final_factor True, then False, on two
    row chunks: ``[(result, _PassRecordingKernels), ...]``."""
    fits = []
    for final_factor in (True, False):
        kernels = _PassRecordingKernels(X, y, s, C, fit_intercept)
        assert len(kernels.chunks) == 2
        fits.append((newton_binary(kernels, alpha=1.0, tol=tol,
                                   max_iter=100, final_factor=final_factor),
                     kernels))
    return fits


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_final_pass_without_hessian_from_40_coefficients(monkeypatch,
                                                         fit_intercept):
    # no row sample, 45 features, two row chunks (float32 Hessians, the
    # full step's pass made before the line search in the quadratic
    # region): the same iterates with final_factor False, one Hessian
    # pass fewer, the last pass without one
    from clogit._backends import memory
    monkeypatch.setattr(memory, "available_cores", lambda: 2)
    rng = np.random.default_rng(11)
    X = rng.standard_normal((30_000, 45))
    y = (rng.random(30_000) < 1 / (1 + np.exp(-X[:, :5].sum(axis=1)))
         ).astype(np.float64)
    s = rng.uniform(0.5, 2.0, 30_000)
    (kept, kept_passes), (lazy, lazy_passes) = _kept_and_lazy(
        X, y, s, 1.0, fit_intercept, tol=1e-9)
    assert kept.converged and lazy.converged and lazy.n_iter == kept.n_iter
    np.testing.assert_array_equal(lazy.coef, kept.coef)
    assert kept.hessian_factor is not None and lazy.hessian_factor is None
    assert kept_passes.hessians[-1] and not lazy_passes.hessians[-1]
    assert sum(lazy_passes.hessians) == sum(kept_passes.hessians) - 1


def test_mispredicted_last_pass_brings_the_hessian_back(monkeypatch):
    # final_factor=False: a Hessian-free pass expected to be the last whose
    # gradient test fails must be followed by a Hessian pass (before this
    # was fixed, every later pass skipped the Hessian too, and this fit
    # crawled on chord steps to max_iter, not converged).  Badly scaled
    # columns (1 to 1e3), 45 features, two row chunks.
    from clogit._backends import memory
    monkeypatch.setattr(memory, "available_cores", lambda: 2)
    rng = np.random.default_rng(0)
    n, p = 3000, 45
    X = (rng.standard_normal((n, p))
         @ (np.eye(p) + 0.05 * rng.standard_normal((p, p)))
         * np.logspace(0, 3, p))
    z = np.clip(X @ (0.05 * rng.standard_normal(p)), -50, 50)
    y = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(np.float64)
    X, y = np.tile(X, (10, 1)), np.tile(y, 10)
    (kept, _), (lazy, lazy_passes) = _kept_and_lazy(
        X, y, np.ones(len(y)), 100.0, True, tol=1e-4)
    passes = lazy_passes.hessians
    assert kept.converged and lazy.converged
    # the case this test is about happened: a Hessian-free pass that was
    # not the last
    assert any(not h for h in passes[:-1])
    # at most two Hessian-free passes in a row: one decision's speculative
    # full step (dropped when the line search cuts it) and its real pass
    assert not any(not (a or b or c)
                   for a, b, c in zip(passes, passes[1:], passes[2:]))
    assert lazy.n_iter <= kept.n_iter + 10


def test_estimator_leaves_the_last_hessian_to_inference(monkeypatch):
    # l2 with the nonrobust covariance on in-memory data: Newton's last
    # pass has no Hessian, inference assembles it when asked, and the
    # standard errors and log-likelihood are those of the fit that kept
    # its factor.  The maximum-likelihood fit (penalty None) and robust
    # covariances (whose meat is summed at fit time) keep the factor.
    import clogit._solvers.newton as newton
    from clogit import _fitting
    monkeypatch.setattr(newton, "_SAMPLED_ROWS", 400)
    monkeypatch.setattr(newton, "_SAMPLED_ROWS_PER_COEF", 1)
    passes = []
    original = BinomialKernels.block_pass

    def recording(self, coef, grad, hess=None, *args, **kwargs):
        passes.append(hess is not None)
        return original(self, coef, grad, hess, *args, **kwargs)

    monkeypatch.setattr(BinomialKernels, "block_pass", recording)
    X, y = synthetic_binary(n=5000, p=6, seed=5)
    lazy = clogit.LogisticRegression(solver="newton", C=0.01,
                                     tol=1e-10).fit(X, y)
    assert passes and not passes[-1]
    for kwargs in (dict(penalty=None), dict(cov_type="HC1")):
        passes.clear()
        clogit.LogisticRegression(tol=1e-10, **kwargs).fit(X, y)
        assert passes and passes[-1]
    run = _fitting.run_binary_solver
    monkeypatch.setattr(_fitting, "run_binary_solver", lambda *args, **kw:
                        run(*args, **{**kw, "final_factor": True}))
    passes.clear()
    kept = clogit.LogisticRegression(solver="newton", C=0.01,
                                     tol=1e-10).fit(X, y)
    assert passes[-1]
    np.testing.assert_array_equal(lazy.coef_, kept.coef_)
    np.testing.assert_allclose(lazy.std_errors_, kept.std_errors_,
                               rtol=1e-12)
    np.testing.assert_allclose(lazy.results_.llf, kept.results_.llf,
                               rtol=1e-13)


@pytest.mark.parametrize("alpha", [0.0, 30.0, 300.0])
@pytest.mark.parametrize("tol", [0.3, 0.1, 0.03, 1e-3])
def test_a_returned_factor_is_always_exact(monkeypatch, alpha, tol):
    # Whatever iteration the stopping test passes at (loose tolerances
    # stop early, with l2 the penalized gradient is small where the data
    # term's is not), a returned factor is the exact Hessian's at the
    # returned coefficients, never a row sample's.
    X, y = synthetic_binary(n=6000, p=8, seed=9)
    y = y.astype(np.float64)
    s = np.ones_like(y)
    (fit, kernels), _ = _schedule_fits(monkeypatch, X, y, s, alpha, 500,
                                       tol=tol)
    assert fit.converged and kernels.strides  # the sample was used
    assert fit.hessian_factor is not None
    H = np.empty((9, 9), order="F")
    BinomialKernels(X, y, s, 1.0, True).block_pass(fit.coef, np.empty(9), H)
    H[np.arange(8), np.arange(8)] += alpha
    L = np.tril(fit.hessian_factor)
    np.testing.assert_allclose(L @ L.T, H, rtol=1e-12,
                               atol=1e-12 * np.abs(H).max())


class _PythonLoopKernels(BinomialKernels):
    """In-memory kernels without the one-call Newton loop: the solver runs
    its Python iterations."""

    def newton_loop(self, *args):
        return None


def _loop_cases():
    X, y = synthetic_binary(n=800, p=6, seed=11)
    collinear = np.hstack([X, X[:, :1]])
    rng = np.random.default_rng(3)
    weights = rng.uniform(0.1, 3.0, size=800)
    return {
        "l2": (X, y, np.ones(800), dict(alpha=1.0), True),
        "none": (X, y, np.ones(800), dict(alpha=0.0), True),
        "weights, no intercept": (X, y, weights, dict(alpha=0.3), False),
        "float32, F-ordered": (np.asfortranarray(X, dtype=np.float32), y,
                               weights, dict(alpha=1.0), True),
        "collinear: ridge": (collinear, y, np.ones(800), dict(alpha=0.0),
                             True),
        "max_iter": (X, y, np.ones(800), dict(alpha=1.0, max_iter=2), True),
        "float limit": (X, y, np.ones(800), dict(alpha=1.0, tol=1e-18),
                        True),
        "warm start": (X, y, np.ones(800),
                       dict(alpha=1.0, coef0=np.full(7, 0.3)), True),
        "strong signal: longer steps": (3.0 * X, y, np.ones(800),
                                        dict(alpha=0.1), True),
    }


@pytest.mark.parametrize("case", list(_loop_cases()))
def test_one_call_loop_takes_the_python_loops_steps(case):
    # the Cython loop runs the same operations in the same order as the
    # Python iterations, on the same kernel bodies: identical results
    X, y, s, options, intercept = _loop_cases()[case]
    y = y.astype(np.float64)
    options = dict(dict(tol=1e-10, max_iter=100), **options)
    if not intercept and "coef0" in options:
        options["coef0"] = options["coef0"][:-1]
    results = []
    for kernels_class in (BinomialKernels, _PythonLoopKernels):
        kernels = kernels_class(X, y, s, 1.5, intercept)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            results.append((newton_binary(kernels, **options),
                            [str(w.message) for w in caught]))
    (fast, fast_warnings), (slow, slow_warnings) = results
    assert fast_warnings == slow_warnings
    if case == "collinear: ridge":
        assert fast.ridge > 0 and fast_warnings
    if case == "max_iter":
        assert not fast.converged and fast.n_iter == 2
    if case == "float limit":
        assert fast.reason == slow.reason != ""
    if case == "strong signal: longer steps":
        kernels = _PythonLoopKernels(X, y, s, 1.5, intercept)
        with contextlib.redirect_stdout(io.StringIO()) as out:
            newton_binary(kernels, verbose=1, **options)
        steps = [float(line.split("step ")[1].split()[0])
                 for line in out.getvalue().splitlines() if "step " in line]
        assert max(steps) > 1.0
    np.testing.assert_array_equal(fast.coef, slow.coef)
    for name in ("objective", "n_iter", "converged", "max_abs_grad", "ridge",
                 "reason", "solver"):
        assert getattr(fast, name) == getattr(slow, name), name
    assert (fast.hessian_factor is None) == (slow.hessian_factor is None)
    if fast.hessian_factor is not None:
        np.testing.assert_array_equal(np.tril(fast.hessian_factor),
                                      np.tril(slow.hessian_factor))


def test_one_call_loop_is_used_for_one_chunk_only(monkeypatch):
    calls = []
    original = BinomialKernels.newton_loop

    def counting(self, *args):
        outcome = original(self, *args)
        calls.append(outcome is not None)
        return outcome

    monkeypatch.setattr(BinomialKernels, "newton_loop", counting)
    X, y = synthetic_binary(n=500, p=5, seed=1)
    clogit.LogisticRegression(solver="newton-cholesky").fit(X, y)
    assert calls == [True]
    calls.clear()
    clogit.LogisticRegression(solver="newton-cholesky").fit(
        sp.csr_matrix(X), y)
    assert calls == [False]


@pytest.mark.parametrize("kernels_class", [BinomialKernels,
                                           _PythonLoopKernels])
def test_both_loops_refuse_a_nonfinite_hessian(kernels_class):
    X, y = synthetic_binary(n=200, p=3, seed=2)
    kernels = kernels_class(X, y.astype(np.float64), np.ones(200), 1.0, True)
    coef = np.array([np.nan, 0.0, 0.0, 0.0])
    with pytest.raises(FloatingPointError, match="non-finite"):
        newton_binary(kernels, alpha=1.0, tol=1e-8, max_iter=10, coef0=coef)


class _PrecisionRecordingKernels(BinomialKernels):
    """BinomialKernels recording, per Hessian pass over all rows, whether
    float32 products were asked for (and given)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.precisions = []

    def block_pass(self, coef, grad, hess=None, z=None, columns=None,
                   residual=None, hessian_stride=1, single_hessian=False):
        asked = single_hessian and self.single_hessians
        objective = super().block_pass(coef, grad, hess, z, columns,
                                       residual, hessian_stride,
                                       single_hessian)
        if hess is not None and hessian_stride == 1:
            self.precisions.append(asked and self.single_hessians)
        return objective


def _precision_fits(monkeypatch, X, y, alpha, tol=1e-10):
    """The same Newton fit with float32 Hessian products where the solver
    uses them, and with float64 ones only (every Hessian exact, no row
    sample, so that the two differ in precision alone)."""
    import clogit._solvers.newton as newton
    monkeypatch.setattr(newton, "_SAMPLED_ROWS", 10 ** 12)
    fits = []
    for min_coef in (newton._SINGLE_MIN_COEF, 10 ** 9):
        monkeypatch.setattr(newton, "_SINGLE_MIN_COEF", min_coef)
        kernels = _PrecisionRecordingKernels(X, y, np.ones_like(y), 1.0, True)
        fits.append((newton_binary(kernels, alpha=alpha, tol=tol,
                                   max_iter=100), kernels))
    return fits


def _exact_factor_check(fit, X, y, alpha):
    n_coef = X.shape[1] + 1
    H = np.empty((n_coef, n_coef), order="F")
    BinomialKernels(X, y, np.ones_like(y), 1.0, True).block_pass(
        fit.coef, np.empty(n_coef), H)
    H[np.arange(n_coef - 1), np.arange(n_coef - 1)] += alpha
    L = np.tril(fit.hessian_factor)
    np.testing.assert_allclose(L @ L.T, H, rtol=1e-12,
                               atol=1e-12 * np.abs(H).max())


@pytest.mark.parametrize("alpha", [0.0, 1.0])
def test_float32_hessians_reach_the_float64_fit(monkeypatch, alpha):
    # The Hessians before the last from float32 products (n_coef >= 40,
    # data past one chunk: the Python loop): the same optimum (the
    # gradient is float64) in as many iterations, the last Hessian
    # float64, so the returned factor is the exact one inference uses.
    X, y = synthetic_binary(n=30_000, p=59, seed=11)
    y = y.astype(np.float64)
    (mixed, kernels), (plain, plain_kernels) = _precision_fits(
        monkeypatch, X, y, alpha)
    assert mixed.converged and plain.converged
    assert not any(plain_kernels.precisions)
    assert kernels.precisions[0] and not kernels.precisions[-1]
    assert mixed.n_iter == plain.n_iter
    np.testing.assert_allclose(mixed.coef, plain.coef, rtol=1e-9,
                               atol=1e-12)
    assert mixed.hessian_factor is not None
    _exact_factor_check(mixed, X, y, alpha)


def test_float32_hessians_stop_on_ill_conditioning(monkeypatch):
    # two nearly collinear columns (condition number ~1e8): the first
    # factor shows it, that Hessian is made again in float64, as is every
    # later one: the iterates are the float64 fit's
    X, y = synthetic_binary(n=30_000, p=59, seed=12)
    rng = np.random.default_rng(0)
    X[:, 1] = X[:, 0] + 1e-4 * rng.standard_normal(len(y))
    y = y.astype(np.float64)
    (mixed, kernels), (plain, _) = _precision_fits(monkeypatch, X, y, 0.0)
    assert kernels.precisions[0] and not any(kernels.precisions[1:])
    assert mixed.converged and mixed.n_iter == plain.n_iter
    np.testing.assert_array_equal(mixed.coef, plain.coef)
    _exact_factor_check(mixed, X, y, 0.0)


def test_float32_hessians_fall_back_on_hostile_scales(monkeypatch):
    # a feature near 1e25 (float32 squares overflow): the kernels fall
    # back to float64 at the first pass and the fit is the float64 one
    X, y = synthetic_binary(n=30_000, p=59, seed=13)
    X[:, 5] *= 1e25
    y = y.astype(np.float64)
    (mixed, kernels), (plain, _) = _precision_fits(monkeypatch, X, y, 1.0)
    assert not kernels.single_hessians and not any(kernels.precisions)
    # (float64 itself stops at its limit there: the same verdict)
    assert (mixed.converged, mixed.reason) == (plain.converged, plain.reason)
    assert mixed.n_iter == plain.n_iter
    np.testing.assert_array_equal(mixed.coef, plain.coef)


def test_float32_hessian_needing_a_ridge_is_made_again(monkeypatch):
    # a duplicated column without penalty: float32 rounding hides the
    # singularity (no ridge) but not the tiny pivot, so that iteration's
    # Hessian is made again in float64 (and every later one): the
    # iterates are the float64 fit's, ridge included
    X, y = synthetic_binary(n=30_000, p=59, seed=14)
    X[:, 1] = X[:, 0]
    y = y.astype(np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LinAlgWarning)
        (mixed, kernels), (plain, _) = _precision_fits(monkeypatch, X, y,
                                                       0.0, tol=1e-8)
    assert kernels.precisions[0] and not any(kernels.precisions[1:])
    assert mixed.ridge > 0.0 and mixed.ridge == plain.ridge
    assert mixed.n_iter == plain.n_iter
    np.testing.assert_array_equal(mixed.coef, plain.coef)


class _MatvecCountingKernels(BinomialKernels):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.matvecs = 0

    def matvec(self, coef, out, columns=None):
        self.matvecs += 1
        return super().matvec(coef, out, columns)


@pytest.mark.parametrize("threshold", [1e-3, np.inf])
def test_in_memory_speculation_keeps_the_iterates(monkeypatch, threshold):
    # In-memory data past one row chunk: in the quadratic region the next
    # pass is made at the full step before the line search (threshold
    # inf: from the first iteration, where the far start makes the first
    # four full steps fail Armijo -- steps 1/8, 1/4, 1/2, 1/2 -- so
    # rejected speculations are taken too).  The fit is the one without
    # speculation: same iterations and coefficients (rounding aside),
    # with fewer products X @ d.
    import clogit._solvers.newton as newton
    X, y = synthetic_binary(n=30_000, p=39, seed=15)
    y = y.astype(np.float64)
    fits = []
    for value in (threshold, -1.0):  # -1: never speculate
        monkeypatch.setattr(newton, "_QUADRATIC_SPECULATION", value)
        kernels = _MatvecCountingKernels(X, y, np.ones_like(y), 1.0, True)
        assert len(kernels.chunks) > 1
        fits.append((newton_binary(kernels, alpha=0.0, tol=1e-10,
                                   max_iter=100, coef0=np.full(40, 3.0)),
                     kernels))
    (fit, kernels), (plain, plain_kernels) = fits
    assert fit.converged and plain.converged
    assert fit.n_iter == plain.n_iter
    np.testing.assert_allclose(fit.coef, plain.coef, rtol=1e-10)
    assert kernels.matvecs < plain_kernels.matvecs
    _exact_factor_check(fit, X, y, 0.0)


def test_speculation_after_sampled_full_steps_reaches_the_exact_fit(
        monkeypatch):
    # cold start on many rows: the row-sample Hessians' full steps are
    # followed by a speculative pass (sampled Hessian) too; the fit is the
    # exact-Hessian one
    X, y = synthetic_binary(n=60_000, p=19, seed=16)
    y = y.astype(np.float64)
    s = np.ones_like(y)
    (sampled, kernels), (exact, _) = _schedule_fits(
        monkeypatch, X, y, s, 0.0, sample_rows=2000)
    assert len(kernels.chunks) > 1 and kernels.strides
    assert sampled.converged and exact.converged
    np.testing.assert_allclose(sampled.coef, exact.coef, rtol=1e-8,
                               atol=1e-10)
    _exact_factor_check(sampled, X, y, 0.0)


def test_result_scores_are_those_of_the_returned_coefficients():
    # Newton hands the separation monitor its scores at the returned
    # point when its last pass was there (every way the loop ends on a
    # converged fit: the exact pass, the speculative one, several chunks)
    from clogit._backends.memory import BinomialKernels
    rng = np.random.default_rng(31)
    X = rng.standard_normal((30_000, 40))
    y = (rng.random(30_000) < 1 / (1 + np.exp(-X[:, 0]))).astype(float)
    for max_iter in (50, 2):
        kernels = BinomialKernels(X, y, np.ones(30_000), 1.0, True)
        assert len(kernels.chunks) > 1  # not the one-call Cython loop
        result = newton_binary(kernels, alpha=0.0, tol=1e-8,
                               max_iter=max_iter)
        if result.scores is None:
            assert max_iter == 2 and not result.converged
            continue
        expected = np.empty(30_000)
        kernels.matvec(result.coef, expected)
        np.testing.assert_allclose(result.scores, expected, rtol=0,
                                   atol=1e-12)
