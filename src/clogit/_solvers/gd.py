"""Gradient descent with the constant step 1/L (proximal for ℓ1).

``L`` is the Lipschitz constant of the gradient of the smooth part of the
objective,

    L = C * lambda_max(Xt.T S Xt) / 4 + l2,

with ``Xt`` = X with a column of ones for the intercept and ``S`` the sample
weights: the logistic Hessian is ``C Xt.T S diag(p (1 - p)) Xt`` and
``p (1 - p) <= 1/4``, with equality at z = 0.  So the Hessian at zero
coefficients *is* ``C Xt.T S Xt / 4``, and ``L`` is its largest eigenvalue,
computed exactly from the same dsyrk kernel as Newton's Hessian (small p) or
by Lanczos on Hessian-vector products (large p).  Step 1/L is the largest
constant step with guaranteed monotone descent.

On LipschitzLR (Yedida & Saha, "LipschitzLR: Using theoretically computed
adaptive learning rates for fast convergence", 2019/2021): that work derives
the learning rate from a Lipschitz constant of the *loss*, ~``|X|/m`` terms
such as ``2m / |X|_F``, which bounds how large the gradient can get, not how
fast it changes.  Convergence of gradient descent depends on the smoothness
(Lipschitz constant of the gradient), so clogit cites the idea but computes
the smoothness constant.

Kept for teaching and comparison: Newton is far faster.  ``nesterov=True``
(used by :func:`gradient_descent` callers who opt in; the estimator runs
plain gradient descent) adds FISTA momentum with adaptive restart.
"""

from __future__ import annotations

import numpy as np
from scipy.sparse.linalg import LinearOperator, eigsh

from .result import SolverResult
from .start import start_binary
from .stopping import (DIAGONAL_GUARD, hessian_diagonal, kkt_violation,
                       penalized_measure, test_name)

# Up to this many coefficients the (p+1)^2 matrix is assembled and
# diagonalized exactly; beyond, Lanczos on products with it.
_DENSE_EIGEN_LIMIT = 500


def _largest_eigenvalue_at_zero(kernels, n_coef):
    """The largest eigenvalue of the data term's Hessian at zero
    coefficients, ``C Xt.T S Xt / 4`` whatever the labels, assembled by one
    pass of ``kernels`` (in memory, or clogit.dask's)."""
    hess = np.empty((n_coef, n_coef), order="F")
    kernels.block_pass(np.zeros(n_coef), np.empty(n_coef), hess)
    return float(np.linalg.eigvalsh(hess)[-1])


def lipschitz_constant(kernels):
    """``C * lambda_max(Xt.T S Xt) / 4``: smoothness of the data term of
    ``kernels`` (its labels do not matter).

    Up to ``_DENSE_EIGEN_LIMIT`` coefficients the Hessian at zero is
    assembled (one pass) and diagonalized; beyond, Lanczos on its products
    (kernels with ``hessian_vector``, see
    ``_backends.protocol.NewtonCGPasses``).
    """
    n_coef = kernels.n_features + (1 if kernels.fit_intercept else 0)
    if n_coef <= _DENSE_EIGEN_LIMIT or not hasattr(kernels,
                                                   "hessian_vector"):
        return _largest_eigenvalue_at_zero(kernels, n_coef)
    # at zero scores every Hessian weight C s p (1 - p) is C s / 4
    z = kernels.new_scores()
    kernels.matvec(np.zeros(n_coef), z)
    weights = kernels.new_scores()
    kernels.hessian_weights(z, weights)
    out = np.empty(n_coef)

    def product(v):
        v = np.ascontiguousarray(v, dtype=np.float64).ravel()
        kernels.hessian_vector(v, weights, out)
        return out.copy()

    operator = LinearOperator((n_coef, n_coef), matvec=product,
                              dtype=np.float64)
    v0 = np.ones(n_coef) / np.sqrt(n_coef)
    value = eigsh(operator, k=1, which="LA", tol=1e-8, v0=v0,
                  return_eigenvectors=False)[0]
    # Lanczos converges to lambda_max from below: a relative 1e-6 margin
    # keeps 1/L a guaranteed descent step.
    return float(value) * (1 + 1e-6)


def gradient_descent(kernels, *, l1, l2, tol, max_iter, coef0=None,
                     verbose=0, label="", nesterov=False, monitor=None):
    """Fit a binary logistic model by (proximal) gradient descent.

    Minimizes ``C sum s loss + l1 |w|_1 + l2/2 |w|^2`` with the constant step
    ``1/L``; the ℓ1 term is handled by its proximal map (soft-thresholding,
    ISTA), so zeros are exact.  Stopping test: ``max|grad f| / (C *
    sum(s)) <= tol`` at the point the gradient is taken, the minimum-norm
    subgradient for l1 > 0 (``_solvers.stopping``); ``converged`` is that
    test at the returned coefficients.  With ``nesterov=True``, FISTA
    momentum with function-value restart.

    Parameters and return value are otherwise those of
    :func:`clogit._solvers.newton.newton_binary`; L comes from
    :func:`lipschitz_constant` (the (p+1)^2 Hessian at zero, one pass, for
    kernels without Hessian-vector products such as clogit.dask's).
    ``monitor`` (unpenalized fits: the separation monitor) is called after
    each pass with the point, its objective and scores, as in Newton.
    """
    n_features, scale, coef, (z,) = start_binary(kernels, coef0, 1)
    L = lipschitz_constant(kernels) + l2
    step = 1.0 / L
    point = coef.copy()           # where the gradient is taken (FISTA: y_k)
    grad = np.empty(coef.shape[0])
    momentum = 1.0
    previous_objective = np.inf
    converged = False
    mapping_max = np.inf
    objective = np.nan
    iteration = 0

    fresh = False  # mapping_max belongs to coef
    stopped_by_monitor = False
    diagonal = [None]
    has_diagonal = hasattr(kernels, "hessian_diagonal")

    def diagonal_guard(c, g, scores):
        """The guard of the stopping test (``_solvers.stopping``'s
        ``DIAGONAL_GUARD``) at ``c`` (data gradient ``g``, scores
        ``scores``), unscaled: the diagonal made once, where first needed
        (one pass); 0 for kernels without it."""
        if not has_diagonal:
            return 0.0
        if diagonal[0] is None:
            diagonal[0] = hessian_diagonal(kernels, scores, l2)
        m = np.concatenate([kkt_violation(g[:n_features], c[:n_features],
                                          l1, l2),
                            np.abs(g[n_features:])])
        return 0.5 * float(np.sum(m * m / diagonal[0]))

    for iteration in range(1, max_iter + 1):
        objective = kernels.block_pass(point, grad, None, z)
        w = point[:n_features]
        objective += l1 * float(np.abs(w).sum()) + 0.5 * l2 * float(w @ w)
        if monitor is not None and monitor(iteration, point, objective, z):
            coef = point
            fresh = stopped_by_monitor = True
            break
        # the stopping test at the point the gradient is taken
        mapping_max = penalized_measure(grad[:n_features], w,
                                        grad[n_features:], l1, l2) / scale
        if verbose:
            print(f"{label}iter {iteration:3d}  objective {objective:.12e}  "
                  f"max|grad| {mapping_max:.3e}")
        if mapping_max <= tol:
            guard = diagonal_guard(point, grad, z) / scale
            if guard <= tol:
                coef = point
                fresh = converged = True
                break
            mapping_max = guard
        grad[:n_features] += l2 * w
        new = point - step * grad
        if l1:
            new_w = new[:n_features]
            new[:n_features] = np.sign(new_w) * np.maximum(
                np.abs(new_w) - step * l1, 0.0)
        if nesterov:
            if objective > previous_objective:  # restart the momentum
                momentum = 1.0
            next_momentum = 0.5 * (1 + np.sqrt(1 + 4 * momentum ** 2))
            point = new + (momentum - 1) / next_momentum * (new - coef)
            momentum = next_momentum
        else:
            point = new
        coef = new
        previous_objective = objective

    if not fresh:
        # the loop ended after a step: the test (and its guard) at the
        # returned coef, from one pass there
        kernels.block_pass(coef, grad, None, z)
        mapping_max = penalized_measure(
            grad[:n_features], coef[:n_features], grad[n_features:], l1,
            l2) / scale
        if mapping_max <= tol:
            mapping_max = max(mapping_max,
                              diagonal_guard(coef, grad, z) / scale)
        converged = mapping_max <= tol
    return SolverResult(coef=np.array(coef, copy=True), objective=objective,
                        n_iter=iteration, converged=converged,
                        max_abs_grad=mapping_max, ridge=0.0,
                        stopped_by_monitor=stopped_by_monitor,
                        solver="gradient descent",
                        test=test_name(l1) + (DIAGONAL_GUARD if has_diagonal
                                              else ""), tol=tol)
