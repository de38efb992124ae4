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
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize

from .._kernels.blas import cho_solve
from .linesearch import StallGuard, backtrack
from .newton import factor_with_ridge
from .result import SolverResult
from .start import start_multinomial

_EPS = np.finfo(np.float64).eps


def symmetric(coef, alpha, fit_intercept):
    """Report coefficients in the symmetric convention (see module doc)."""
    if alpha == 0.0:
        return coef - coef.mean(axis=0)
    if fit_intercept:
        coef = coef.copy()
        coef[:, -1] -= coef[:, -1].mean()
    return coef


def newton_multinomial(kernels, *, alpha, tol, max_iter, coef0=None,
                       verbose=0):
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
        :func:`clogit._solvers.newton.newton_binary` (max |gradient| and the
        Newton decrement on the objective scaled by ``1 / (C * sum(s))``).
    coef0 : (K, k1) array, optional
        Warm start.
    verbose : int

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

    for iteration in range(1, max_iter + 1):
        # 1. Objective, gradient, full Hessian: one pass over X.
        objective = kernels.softmax_pass(coef, grad, hess, z, n_free)
        g = grad.ravel()
        if alpha:
            w = coef[:n_free].ravel()
            objective += 0.5 * alpha * float(w[penalized] @ w[penalized])
            g[penalized] += alpha * w[penalized]
            hess[penalized, penalized] += alpha
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

        # 3. Convergence.
        g_max = float(np.max(np.abs(g))) / scale
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
            break
        coef += step * direction_full
        if guard.stalled(objective, trial, g_max):
            break
        if verbose:
            print(f"iter {iteration:3d}  objective {objective:.12e}  "
                  f"max|grad| {g_max:.3e}  decrement {decrement_sq:.3e}  "
                  f"step {step:.3g}")

    return SolverResult(coef=symmetric(coef, alpha, fit_intercept),
                        objective=objective, n_iter=iteration,
                        converged=converged, max_abs_grad=g_max,
                        ridge=max_ridge)


def lbfgs_multinomial(kernels, *, alpha, tol, max_iter, coef0=None,
                      verbose=0):
    """Fit a multinomial model by L-BFGS-B on the Cython objective and
    gradient; arguments and result as :func:`newton_multinomial`."""
    n_features, scale, coef = start_multinomial(kernels, coef0)
    fit_intercept = kernels.fit_intercept
    K = kernels.n_classes
    k1 = n_features + (1 if fit_intercept else 0)
    grad = np.empty((K, k1))
    penalized = np.ones((K, k1), dtype=bool)
    if fit_intercept:
        penalized[:, -1] = False

    def objective_and_gradient(flat):
        c = flat.reshape(K, k1)
        obj = kernels.softmax_pass(c, grad)
        g = grad.copy()
        if alpha:
            w = c[penalized]
            obj += 0.5 * alpha * float(w @ w)
            g[penalized] += alpha * w
        return obj / scale, g.ravel() / scale

    count = [0]

    def report(intermediate_result):
        count[0] += 1
        if verbose:
            print(f"iter {count[0]:3d}  objective "
                  f"{intermediate_result.fun * scale:.12e}")

    result = minimize(objective_and_gradient, coef.ravel(), jac=True,
                      method="L-BFGS-B", callback=report,
                      options={"maxiter": max_iter, "maxls": 50, "gtol": tol,
                               "ftol": 64 * _EPS})
    coef = symmetric(result.x.reshape(K, k1), alpha, fit_intercept)
    # result.jac is the (scaled) gradient at result.x: no pass to recompute
    return SolverResult(coef=coef, objective=float(result.fun) * scale,
                        n_iter=max(int(result.nit), 1),
                        converged=result.status == 0,
                        max_abs_grad=float(np.max(np.abs(result.jac))),
                        ridge=0.0)
