"""Truncated Newton (line-search Newton-CG) for wide binary logistic problems.

Minimizes the objective of :func:`clogit._solvers.newton.newton_binary`,
``C * sum_i s_i * loss(y_i, x_i.w + b) + alpha/2 * |w|^2``, when the
(p+1) x (p+1) Hessian is too large to assemble and factor: for sparse text
data p runs into the hundreds of thousands, and a dense Hessian of
p = 100,000 takes 80 GB.  The Newton step ``H d = -g`` is solved
approximately by preconditioned conjugate gradients on Hessian-vector
products ``H v = Xt.T (h * (Xt v)) + alpha v`` (``Xt`` = X with the
intercept column, ``h = C s p (1 - p)``), each one pass over X and O(n + p)
memory (Nocedal & Wright, *Numerical Optimization*, Algorithm 7.1;
scikit-learn's ``newton-cg`` and LIBLINEAR's trust-region TRON follow the
same idea).

Each outer iteration:

1. Objective, gradient and scores ``z = Xt coef``: one pass over X.
2. Hessian weights ``h`` from ``z`` (no pass) and the Hessian's diagonal
   (one pass), the Jacobi preconditioner: features of very different scales
   or frequencies (word counts) make plain CG crawl.
3. Preconditioned CG on ``H d = -g`` until the residual drops below
   ``eta * |g|`` with the forcing term ``eta = min(0.5, sqrt(|g| / |g0|))``
   (``g0`` the first gradient): loose far from the optimum, tight near it,
   so the outer iteration converges superlinearly (Nocedal & Wright,
   Theorem 7.2).  Capped at
   ``_MAX_CG`` products; on (numerically) zero or negative curvature, which
   only an unpenalized, separable problem can produce, CG stops with its
   last descent direction.
4. Convergence: the stopping test of ``newton_binary``, scaled
   ``max|g| <= tol`` (``_solvers.stopping.GRADIENT_TEST``), going on while
   half the squared Newton decrement ``-g.d / 2`` exceeds ``tol^2``, with
   ``d`` the CG solution; ``converged`` is the test at the returned
   coefficients.
5. Armijo backtracking along ``d`` reusing ``X d`` (one pass for it, none
   per trial), as Newton's.
"""

from __future__ import annotations

import numpy as np

from .linesearch import StallGuard, step_along
from .result import SolverResult
from .start import start_binary
from .stopping import GRADIENT_TEST, binary_measure

# Most Hessian-vector products per Newton step (scikit-learn's newton-cg
# uses 200 as well); a truncated solve still gives a descent direction.
_MAX_CG = 200
# CG's relative residual for the convergence test's decrement.
_CHECK_FORCING = 0.1


def conjugate_gradient(product, grad, inverse_diagonal, rtol, max_iter):
    """Approximately solve ``H d = -grad`` by Jacobi-preconditioned CG.

    Parameters
    ----------
    product : callable
        ``product(v, out)`` writes ``H @ v`` into ``out``; H symmetric
        positive semi-definite.
    grad : ndarray of shape (n,)
        Right-hand side, negated.
    inverse_diagonal : ndarray of shape (n,)
        The preconditioner ``1 / diag(H)`` (positive).
    rtol : float
        Stop when ``|H d + grad| <= rtol * |grad|`` (2-norms).
    max_iter : int
        Most products.

    Returns
    -------
    direction : ndarray of shape (n,)
        A descent direction: ``grad @ direction < 0`` unless grad is 0.
    n_products : int
        Products ``H @ v`` used.
    """
    direction = np.zeros_like(grad)
    residual = -grad  # -grad - H @ direction, for direction = 0
    preconditioned = inverse_diagonal * residual
    search = preconditioned.copy()
    rz = float(residual @ preconditioned)
    target = rtol * float(np.linalg.norm(grad))
    h_search = np.empty_like(grad)
    n_products = 0
    while n_products < max_iter and np.linalg.norm(residual) > target:
        product(search, h_search)
        n_products += 1
        curvature = float(search @ h_search)
        if not curvature > 0.0:
            # Zero or negative curvature along `search` (possible only for a
            # singular Hessian): CG's model is unbounded along it.  Keep the
            # iterate so far, or on the first product the preconditioned
            # steepest-descent direction, which still descends.
            if n_products == 1:
                direction = preconditioned
            break
        step = rz / curvature
        direction += step * search
        residual -= step * h_search
        preconditioned = inverse_diagonal * residual
        rz_next = float(residual @ preconditioned)
        search *= rz_next / rz
        search += preconditioned
        rz = rz_next
    return direction, n_products


def newton_cg_binary(kernels, *, alpha, tol, max_iter, coef0=None, verbose=0,
                     label="", monitor=None):
    """Fit a binary logistic model by truncated Newton (Newton-CG).

    Parameters and return value are those of
    :func:`clogit._solvers.newton.newton_binary`; the kernels also need
    Hessian-vector products (``_backends.protocol.NewtonCGPasses``) and keep
    the Hessian weights in a third buffer.  Memory is O(n + p) on top of X:
    nothing (p+1)^2 or n x p is allocated.  The result carries no
    ``hessian_factor``.
    """
    n_features, scale, coef, (z, dz, weights) = start_binary(kernels, coef0,
                                                             3)
    n_coef = coef.shape[0]

    grad = np.empty(n_coef)
    diagonal = np.empty(n_coef)

    def hessian_product(v, out):
        kernels.hessian_vector(v, weights, out)
        if alpha:
            out[:n_features] += alpha * v[:n_features]

    def penalty(c):
        w = c[:n_features]
        return 0.5 * alpha * float(w @ w)

    converged = False
    stopped_by_monitor = False
    objective = np.nan
    g_max = np.inf
    guard = StallGuard()
    iteration = 0
    reason = ""
    fresh = False  # g_max belongs to the current coef

    for iteration in range(1, max_iter + 1):
        # 1. Objective, gradient and scores at coef: one pass over X.
        objective = kernels.block_pass(coef, grad, None, z)
        if alpha:
            objective += penalty(coef)
            grad[:n_features] += alpha * coef[:n_features]
        if monitor is not None and monitor(iteration, coef, objective, z):
            stopped_by_monitor = True
            if verbose:
                print(f"{label}iter {iteration:3d}  stopped by the monitor")
            break
        g_max = float(np.max(np.abs(grad))) / scale
        fresh = True

        # 2. Hessian weights and the Jacobi preconditioner.  A zero diagonal
        #    entry (an all-zero feature without penalty) has a zero
        #    gradient too: any positive value serves.
        kernels.hessian_weights(z, weights)
        kernels.hessian_diagonal(weights, diagonal)
        diagonal[:n_features] += alpha
        inverse_diagonal = np.divide(1.0, diagonal,
                                     out=np.ones_like(diagonal),
                                     where=diagonal > 0.0)

        # 3. Truncated, preconditioned CG for the Newton direction, to a
        #    residual relative to the gradient that shrinks with it.  Once
        #    the gradient test passes, the solve only has to tell whether
        #    the decrement is below tol^2, which a 10% residual does.
        g_norm = float(np.linalg.norm(grad))
        if iteration == 1:
            g_norm_first = max(g_norm, np.finfo(np.float64).tiny)
        forcing = min(0.5, np.sqrt(g_norm / g_norm_first))
        if g_max <= tol:
            forcing = max(forcing, _CHECK_FORCING)
        direction, n_products = conjugate_gradient(
            hessian_product, grad, inverse_diagonal, forcing, _MAX_CG)
        decrement_sq = -float(grad @ direction)

        # 4. Convergence: the test of newton_binary.
        if g_max <= tol and 0.5 * decrement_sq / scale <= tol * tol:
            converged = True
            if verbose:
                print(f"{label}iter {iteration:3d}  objective {objective:.12e}"
                      f"  max|grad| {g_max:.3e}  converged")
            break
        if not decrement_sq > 0.0:
            # No descent direction: the gradient is zero to rounding.
            reason = "no descent direction (CG found no curvature)"
            if verbose:
                print(f"{label}iter {iteration:3d}  no descent direction")
            break

        # 5. Armijo backtracking along d, reusing dz = X d (see
        #    newton_binary for the round-off and stall rules).
        step, stop = step_along(
            kernels, coef, direction, z, dz, objective, -decrement_sq,
            lambda c: penalty(c) if alpha else 0.0, guard, g_max)
        if step is not None:
            fresh = False
        if stop:
            reason = stop
            if verbose:
                print(f"{label}iter {iteration:3d}  {stop}")
            break
        if verbose:
            print(f"{label}iter {iteration:3d}  objective {objective:.12e}  "
                  f"max|grad| {g_max:.3e}  cg {n_products:3d}  "
                  f"decrement {decrement_sq:.3e}  step {step:.3g}")

    # 6. The stopping test at the returned coefficients.
    if not stopped_by_monitor:
        if not fresh:
            g_max = binary_measure(kernels, coef, 0.0, alpha, scale)
        converged = g_max <= tol
    return SolverResult(coef=coef, objective=objective, n_iter=iteration,
                        converged=converged, max_abs_grad=g_max, ridge=0.0,
                        stopped_by_monitor=stopped_by_monitor,
                        solver="Newton-CG", test=GRADIENT_TEST, tol=tol,
                        reason=reason)
