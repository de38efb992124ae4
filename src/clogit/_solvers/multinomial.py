"""Multinomial (softmax) logistic regression: Newton and L-BFGS.

Minimizes ``C * sum_i s_i * (logsumexp(z_i) - z_{i, y_i}) + alpha/2 |W|^2``
over ``coef`` (K x k1, the intercept last in each row, never penalized),
``z_i = coef @ xt_i``.

Parametrization.  The loss does not change when one vector is added to every
class's row, so:

* with the l2 penalty (``alpha > 0``) the optimum is the *symmetric* one
  (rows of W sum to zero) and only the intercepts are left undetermined;
  Newton adds ``rho * v v^T`` to its Hessian, v the all-intercepts
  direction, which makes it positive definite without moving the solution
  (the gradient is orthogonal to v), and the intercepts are centered at the
  end;
* with no penalty the last class is pinned at zero (a reference class, as in
  statsmodels' MNLogit) and only K-1 rows are optimized; the result is then
  reported in scikit-learn's symmetric convention, every row minus the mean
  row (predictions are unchanged).

Newton's Hessian is the full (K k1)^2 matrix assembled by
``_kernels.softmax.softmax_pass`` (all class pairs from one pass over each row
block); L-BFGS uses the same kernel without the Hessian and pays off when
(K k1)^2 is large (see ``_fitting.AUTO_MULTINOMIAL_NEWTON_MAX_WIDTH``).

Stopping test (both solvers): ``max|gradient| / (C * sum(s)) <= tol`` over
all K classes' coefficients and intercepts (``_solvers.stopping``) -- with a
pinned reference class its gradient is minus the sum of the others' (the
softmax residuals of a sample sum to zero), so it counts too; ``converged``
is the test at the returned coefficients.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from scipy.optimize import minimize

from .._kernels.blas import cho_solve
from .lbfgs import (_PRECONDITIONER_MIN_ROWS, _scaled_factor,
                    run_refreshed)
from .linesearch import StallGuard, backtrack
from .newton import (_EXACT_DECREMENT, factor_with_ridge, hessian_stride,
                     strided)
from .result import SolverResult
from .start import start_multinomial
from .stopping import (DIAGONAL_TEST, GRADIENT_TEST, PRECONDITIONED_TEST,
                       softmax_measure)


# The widest K (p + 1) whose full Hessian (8 MB, a 1e9-flop Cholesky) Newton
# may take to finish a preconditioned L-BFGS fit at float64's limit.
_POLISH_MAX_WIDTH = 1000
# Rows per coefficient of the sample the per-class blocks of preconditioned
# L-BFGS come from: K blocks cost K times a binary fit's one.  Measured
# here (tol 1e-8; bench/multiclass.py's 100,000 x 100, K = 10, and
# 50,000 x 50, K = 6, AR(1) and badly scaled): 16 / 32 / 128 rows took
# 0.86 / 0.76 / 0.96 s (plain L-BFGS 0.86 s), 0.16 / 0.16 / 0.20 s and
# 0.91 / 0.97 / 0.93 s.
_BLOCK_ROWS_PER_COEF = 32
# The blocks at the start come from far from the optimum: made anew after
# _FIRST_RUN iterations (from _REFRESH_ROWS_PER_COEF rows per coefficient;
# every ``_solvers.lbfgs._REFRESH_EVERY`` after that), as One-vs-Rest's
# (``_solvers.lbfgs._OVR_FIRST_RUN``).  Measured on bench/multiclass.py's
# task (tol 1e-8): refreshed every 10 from 32 rows, 16 iterations and 19
# passes over X; first run 3 / 4 / 5 iterations: 12 / 13 / 14 iterations
# (15 / 16 / 17 passes); first run 3 or 4 and the refresh from 64 or 128
# rows: 11-12 iterations, 14-15 passes (4 and 64: 11 and 14).
_FIRST_RUN = 4
_REFRESH_ROWS_PER_COEF = 64


def symmetric(coef, alpha, fit_intercept):
    """Report coefficients in the symmetric convention (see module doc)."""
    if alpha == 0.0:
        return coef - coef.mean(axis=0)
    if fit_intercept:
        coef = coef.copy()
        coef[:, -1] -= coef[:, -1].mean()
    return coef


def newton_multinomial(kernels, *, alpha, tol, max_iter, coef0=None,
                       verbose=0, monitor=None):
    """Fit a multinomial model by Newton's method with the full Hessian.

    Parameters
    ----------
    kernels : SoftmaxPasses
        The data: the passes of ``clogit._backends.protocol.SoftmaxPasses``
        bound to X, the class indices, the sample weights, C,
        ``fit_intercept`` and ``n_classes`` (in memory
        ``_backends.memory.SoftmaxKernels``; clogit.dask's run on chunks).
    alpha : float
        l2 strength.
    tol, max_iter : stopping rule, as
        :func:`clogit._solvers.newton.newton_binary` (max |gradient| over
        all K classes, going on while the Newton decrement exceeds
        ``tol**2``, on the objective scaled by ``1 / (C * sum(s))``).
    coef0 : (K, k1) array, optional
        Warm start.
    verbose : int
    monitor : callable, optional
        ``monitor(iteration, coef, objective, z)`` after each pass, as for
        :func:`clogit._solvers.newton.newton_binary` (``z`` the (n, K)
        scores); True stops the fit.

    Returns
    -------
    SolverResult
        ``coef`` of shape (K, k1), in the symmetric convention.
    """
    n_features, scale, coef = start_multinomial(kernels, coef0)
    fit_intercept = kernels.fit_intercept
    K = kernels.n_classes
    k1 = n_features + (1 if fit_intercept else 0)
    n_free = K if alpha > 0.0 else K - 1
    width = n_free * k1
    if n_free < K:
        coef -= coef[-1]  # pin the reference class at zero

    penalized = np.ones((n_free, k1), dtype=bool)
    if fit_intercept:
        penalized[:, -1] = False
    penalized = penalized.ravel()
    intercepts = np.zeros(width)
    if fit_intercept and n_free == K:
        intercepts[k1 - 1::k1] = 1.0

    grad = np.empty((n_free, k1))
    hess = np.empty((width, width), order="F")
    z, dz = kernels.new_scores(), kernels.new_scores()
    direction_full = np.zeros((K, k1))
    converged = False
    objective = np.nan
    g_max = np.inf
    guard = StallGuard()
    max_ridge = 0.0
    iteration = 0
    reason = ""
    fresh = False  # g_max belongs to the current coef
    stopped_by_monitor = False
    # Newton's Hessian schedule (see _solvers.newton): the early Hessians
    # from a row sample, the last ones exact; the (K k1)^2 Hessian costs K
    # times a pass's gradient per row, so the sample saves more here
    stride = hessian_stride(kernels, coef0, width)

    for iteration in range(1, max_iter + 1):
        # 1. Objective, gradient, full Hessian: one pass over X (the early
        #    Hessians from the row sample).
        objective = kernels.softmax_pass(coef, grad, hess, z, n_free,
                                         **strided(stride))
        if stride > 1 and float(np.max(np.abs(
                grad.ravel() + alpha * np.where(
                    penalized, coef[:n_free].ravel(), 0.0)))) / scale <= tol:
            # the stopping test may pass here (on the penalized gradient):
            # it needs the exact Hessian
            stride = 1
            objective = kernels.softmax_pass(coef, grad, hess, z, n_free)
        g = grad.ravel()
        if alpha:
            w = coef[:n_free].ravel()
            objective += 0.5 * alpha * float(w[penalized] @ w[penalized])
            g[penalized] += alpha * w[penalized]
            hess[penalized, penalized] += alpha
        if monitor is not None and monitor(iteration, coef, objective, z):
            stopped_by_monitor = True
            break
        if intercepts.any():
            # the intercepts' common shift is a null direction of H
            rho = float(np.mean(np.diag(hess)[intercepts > 0]))
            hess += rho * np.outer(intercepts, intercepts)

        # 2. Newton direction by Cholesky.
        ridge = factor_with_ridge(hess, width)
        max_ridge = max(max_ridge, ridge)
        direction = -g
        cho_solve(hess, direction)
        decrement_sq = -float(g @ direction)
        if stride > 1 and 0.5 * decrement_sq / scale <= _EXACT_DECREMENT:
            stride = 1  # the quadratic region: exact from now on

        # 3. Convergence, over all K classes: a pinned reference class's
        #    gradient is minus the sum of the others'.
        g_max = float(np.max(np.abs(g))) / scale
        if n_free < K:
            g_max = max(g_max, float(np.max(np.abs(grad.sum(axis=0))))
                        / scale)
        fresh = True
        if g_max <= tol and 0.5 * decrement_sq / scale <= tol * tol:
            converged = True
            if verbose:
                print(f"iter {iteration:3d}  objective {objective:.12e}  "
                      f"max|grad| {g_max:.3e}  converged")
            break

        # 4. Armijo backtracking on cached scores.
        direction_full[:n_free] = direction.reshape(n_free, k1)
        kernels.scores(direction_full, dz)
        def objective_at(t):
            trial = kernels.objective_along(z, dz, t)
            if alpha:
                w = (coef[:n_free] + t * direction_full[:n_free]).ravel()
                trial += 0.5 * alpha * float(w[penalized] @ w[penalized])
            return trial

        step, trial = backtrack(objective_at, objective, -decrement_sq)
        if step is None:
            reason = "line search failed"
            break
        coef += step * direction_full
        fresh = False
        if guard.stalled(objective, trial, g_max):
            reason = "stopped at the limit of floating-point precision"
            break
        if verbose:
            print(f"iter {iteration:3d}  objective {objective:.12e}  "
                  f"max|grad| {g_max:.3e}  decrement {decrement_sq:.3e}  "
                  f"step {step:.3g}")

    # 5. The stopping test at the returned coefficients.
    if not stopped_by_monitor:
        if not fresh:
            g_max = softmax_measure(kernels, coef, 0.0, alpha, scale)
        converged = g_max <= tol
    return SolverResult(coef=symmetric(coef, alpha, fit_intercept),
                        objective=objective, n_iter=iteration,
                        converged=converged, max_abs_grad=g_max,
                        ridge=max_ridge, stopped_by_monitor=stopped_by_monitor,
                        solver="multinomial Newton", test=GRADIENT_TEST,
                        tol=tol, reason=reason)


def lbfgs_multinomial(kernels, *, alpha, tol, max_iter, coef0=None,
                      verbose=0, monitor=None, column_scale=None,
                      precondition=False):
    """Fit a multinomial model by L-BFGS-B on the Cython objective and
    gradient (continued or restarted until the stopping test holds, see
    ``_solvers.lbfgs``); arguments and result as
    :func:`newton_multinomial`, and ``column_scale`` (one per column of
    the coefficients, intercept included) the variables' scales of
    :func:`clogit._solvers.lbfgs.run_lbfgs`.

    ``precondition``: L-BFGS-B on the variables of the block-diagonal part
    of the Hessian (one ``k1 x k1`` block per class, from a row sample,
    ``kernels.class_blocks``; refreshed after ``_FIRST_RUN`` iterations,
    then every ``_solvers.lbfgs._REFRESH_EVERY``), as binary L-BFGS
    (:func:`clogit._solvers.lbfgs.lbfgs_binary`).  Plain L-BFGS follows
    the conditioning of X: measured here on 20,000 x 30, K = 5, 11
    iterations on independent features, 86 on AR(1)-correlated ones and
    1,000 (not converged) on columns scaled over four decades.  The blocks
    leave out only the coupling between classes, which the scale and
    correlation of X do not change."""
    n_features, scale, coef = start_multinomial(kernels, coef0)
    fit_intercept = kernels.fit_intercept
    K = kernels.n_classes
    k1 = n_features + (1 if fit_intercept else 0)
    grad = np.empty((K, k1))
    # the scores are the monitor's only (unwatched fits write no n x K
    # array per pass)
    z = None if monitor is None else kernels.new_scores()
    scores_at = [None]
    penalized = np.ones((K, k1), dtype=bool)
    if fit_intercept:
        penalized[:, -1] = False

    # Preconditioned and penalized: the objective is evaluated at the
    # iterate with its features' coefficients centered over the classes.
    # The data term does not change along that direction (adding one
    # vector to every class's coefficients leaves the probabilities as
    # they are) and the penalty is smallest when centered, so F(P x) has
    # the same minimizer, and F's own gradient at P x (centered: the data
    # gradients sum to zero over the classes) is its gradient.  Without
    # it, the per-class blocks map L-BFGS's steps out of the centered
    # subspace onto a direction whose only curvature is the penalty's:
    # 20,000 x 30, K = 5, columns scaled over four decades took 78-140
    # iterations, 12 with it (and 11 against 86 for AR(1) rho = 0.9).
    center = bool(precondition and alpha)

    def centered(flat):
        c = flat.reshape(K, k1)
        if center:
            c = c.copy()
            c[:, :n_features] -= c[:, :n_features].mean(axis=0)
        return c

    def objective_and_gradient(flat):
        c = centered(flat)
        obj = kernels.softmax_pass(c, grad, None, z)
        scores_at[0] = flat.copy()
        g = grad.copy()
        if alpha:
            w = c[penalized]
            obj += 0.5 * alpha * float(w @ w)
            g[penalized] += alpha * w
        return obj / scale, g.ravel() / scale

    def on_iterate(iteration, flat, f):
        if not np.array_equal(flat, scores_at[0]):
            kernels.scores(flat.reshape(K, k1), z)
            scores_at[0] = flat.copy()
        return monitor(iteration, flat.reshape(K, k1), f * scale, z)

    runs = [0]

    def class_factors(flat):
        rows = _BLOCK_ROWS_PER_COEF if runs[0] == 0 else (
            _REFRESH_ROWS_PER_COEF)
        runs[0] += 1
        stride = kernels.sampling_stride(max(
            _PRECONDITIONER_MIN_ROWS, rows * k1))
        return [_scaled_factor(block, alpha, scale, n_features)
                for block in kernels.class_blocks(flat.reshape(K, k1),
                                                  stride)]

    def curvature(flat):
        # the scaled objective's Hessian diagonal at flat, for the plain
        # run's scale-free guard (as binary L-BFGS): K + 1 reads of X,
        # once a fit
        d = kernels.hessian_diagonal_at(flat.reshape(K, k1))
        d[penalized] += alpha
        return d.ravel() / scale

    guarded = not precondition and hasattr(kernels, "hessian_diagonal_at")
    flat, f, g_max, n_iter, reason, stopped = run_refreshed(
        objective_and_gradient, coef.ravel(),
        class_factors if precondition else None, tol=tol,
        max_iter=max_iter, verbose=verbose,
        on_iterate=None if monitor is None else on_iterate,
        x_scale=(None if column_scale is None
                 else np.tile(column_scale, kernels.n_classes)),
        schedule=(_FIRST_RUN,), curvature=curvature if guarded else None)
    coef = symmetric(centered(flat), alpha, fit_intercept)
    if (precondition and reason and g_max > tol and n_iter < max_iter
            and K * k1 <= _POLISH_MAX_WIDTH):
        # as binary L-BFGS: where L-BFGS-B finds no more decrease of f
        # with the test failing, Newton (the full Hessian) finishes
        polished = newton_multinomial(
            kernels, alpha=alpha, tol=tol, max_iter=max_iter - n_iter,
            coef0=coef, verbose=verbose,
            monitor=None if monitor is None else (
                lambda iteration, *rest: monitor(iteration + n_iter, *rest)))
        return replace(polished, n_iter=polished.n_iter + n_iter,
                       solver="multinomial L-BFGS (preconditioned), then "
                              "Newton")
    return SolverResult(coef=coef, objective=f * scale, n_iter=n_iter,
                        converged=g_max <= tol and not stopped,
                        max_abs_grad=g_max, ridge=0.0,
                        stopped_by_monitor=stopped,
                        solver=("multinomial L-BFGS (preconditioned)"
                                if precondition else "multinomial L-BFGS"),
                        test=(PRECONDITIONED_TEST if precondition
                              else DIAGONAL_TEST if guarded
                              else GRADIENT_TEST),
                        tol=tol, reason=reason)
