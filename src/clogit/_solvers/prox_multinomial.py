"""Proximal Newton for ℓ1- and elastic-net-penalized multinomial models.

Minimizes ``C * sum_i s_i * (logsumexp(z_i) - z_{i, y_i}) + l1 * |W|_1
+ l2/2 * |W|^2`` over ``coef`` (K x k1, the intercepts last, never
penalized), as scikit-learn's saga does for ``penalty="l1"`` or
``"elasticnet"`` with the multinomial loss.

Each outer iteration is the binary proximal Newton's
(``clogit._solvers.prox_newton``) on the softmax model, with the full
(K k1)^2 Hessian instead of a working set:

1. objective, gradient and Hessian in one pass over X
   (``_kernels.softmax.softmax_pass``, all K classes: the penalty fixes the
   parametrization of W, see below);
2. KKT check, the stopping test (``_solvers.stopping.SUBGRADIENT_TEST``,
   all K classes and intercepts): stop when the largest violation, scaled
   by ``1 / (C * sum(s))``, is at most ``tol``; ``converged`` is the test
   at the returned coefficients;
3. cyclic coordinate descent with soft-thresholding on the local quadratic
   model (``_kernels.cd.cd_quadratic``), the K p weights first and the K
   intercepts last, inner tolerance 1e-3 times the KKT violation;
4. Armijo backtracking on the full composite objective along the step,
   from the cached scores ``Z`` and ``dZ = X D^T`` (no pass over X per
   trial).

Parametrization.  Adding one vector to every class's row leaves the loss
unchanged but not the ℓ1 penalty, so W is determined (the penalty picks its
rows' shift); the intercepts are not penalized and only their common shift
stays free: ``rho * v v^T``, v the all-intercepts direction, makes the model
strictly convex along it without moving the solution (the gradient is
orthogonal to v), and the intercepts are centered at the end, as
scikit-learn reports them.

The Hessian is dense, (K k1)^2 entries: ``clogit.LogisticRegression``
checks its size before choosing this solver (``clogit._fitting``).
"""

from __future__ import annotations

import numpy as np

from .._kernels.cd import cd_quadratic
from .multinomial import symmetric
from .prox_newton import (MAX_SWEEPS, drop_rounding_level, model_decrease,
                          penalty_value, search_composite)
from .result import SolverResult
from .start import start_multinomial
from .stopping import SUBGRADIENT_TEST, kkt_violation, softmax_measure


def prox_newton_multinomial(kernels, *, l1, l2, tol, max_iter, coef0=None,
                            verbose=0):
    """Fit an ℓ1 / elastic-net penalized multinomial model.

    Parameters and return value are those of
    :func:`clogit._solvers.multinomial.newton_multinomial`, with ``l1`` and ``l2`` the penalty strengths in place of
    ``alpha``.  ``max_abs_grad`` holds the largest scaled KKT
    violation.
    """
    n_features, scale, coef = start_multinomial(kernels, coef0)
    fit_intercept = kernels.fit_intercept
    K, p = kernels.n_classes, n_features
    k1 = p + (1 if fit_intercept else 0)
    width = K * k1
    n_weights = K * p
    # cd_quadratic's layout: the penalized coordinates (W, class by class)
    # first, then the intercepts; ``order[i]`` is the flat (K, k1) index of
    # layout coordinate i
    flat_index = np.arange(width).reshape(K, k1)
    order = np.concatenate([flat_index[:, :p].ravel(),
                            flat_index[:, p:].ravel()])
    intercepts = np.zeros(width)
    intercepts[n_weights:] = 1.0

    grad = np.empty((K, k1))
    hess = np.empty((width, width), order="F")
    z, dz = kernels.new_scores(), kernels.new_scores()
    direction = np.empty(width)
    converged = False
    violation = np.inf
    objective = np.nan
    iteration = 0
    reason = ""
    fresh = False  # violation belongs to the current coef

    for iteration in range(1, max_iter + 1):
        # 1. Objective, gradient and Hessian of the data term: one pass.
        data_obj = kernels.softmax_pass(coef, grad, hess, z, -1)
        theta = coef.ravel()[order]
        g = grad.ravel()[order]
        objective = data_obj + penalty_value(theta[:n_weights], l1, l2)

        # 2. KKT check (the intercepts' gradient must vanish).
        violation = max(
            float(kkt_violation(g[:n_weights], theta[:n_weights], l1,
                                l2).max(initial=0.0)),
            float(np.abs(g[n_weights:]).max(initial=0.0))) / scale
        fresh = True
        if violation <= tol:
            converged = True
            if verbose:
                print(f"iter {iteration:3d}  objective {objective:.12e}  "
                      f"kkt {violation:.3e}  nnz "
                      f"{np.count_nonzero(theta[:n_weights])}  converged")
            break

        # 3. Coordinate descent on the local quadratic model.
        H = np.asfortranarray(hess[np.ix_(order, order)])
        if fit_intercept:
            # the intercepts' common shift is a null direction of H
            rho = float(np.mean(np.diag(H)[n_weights:]))
            H += rho * np.outer(intercepts, intercepts)
        step = np.zeros(width)
        hd = np.zeros(width)
        inner_tol = max(1e-3 * violation, 0.1 * tol) * scale
        cd_quadratic(H, g, theta, n_weights, l1, l2, step, hd, MAX_SWEEPS,
                     inner_tol)
        decrease = model_decrease(g, theta, step, n_weights, l1, l2)
        if decrease >= 0.0:
            # The model sees no descent: float64 cannot do better here.
            reason = "the local model found no descent direction"
            if verbose:
                print(f"iter {iteration:3d}  no descent direction (kkt "
                      f"{violation:.3e}, model decrease {decrease:.3e})")
            break

        # 4. Armijo backtracking on the composite objective, from Z and
        #    dZ = X D^T (one product with X for every trial).
        direction[order] = step
        kernels.scores(direction.reshape(K, k1), dz)
        step_size = search_composite(kernels, z, dz, theta[:n_weights],
                                     step[:n_weights], l1, l2, objective,
                                     decrease)
        if step_size is None:
            reason = "line search failed"
            if verbose:
                print(f"iter {iteration:3d}  line search failed")
            break
        fresh = False
        coef += step_size * direction.reshape(K, k1)
        drop_rounding_level(coef[:, :p])
        if verbose:
            print(f"iter {iteration:3d}  objective {objective:.12e}  "
                  f"kkt {violation:.3e}  step {step_size:.3g}")

    # 5. The stopping test at the returned coefficients (the intercepts'
    #    centering below changes neither the loss nor the penalty).
    if not fresh:
        violation = softmax_measure(kernels, coef, l1, l2, scale)
    converged = violation <= tol
    return SolverResult(coef=symmetric(coef, 1.0, fit_intercept),
                        objective=objective, n_iter=iteration,
                        converged=converged, max_abs_grad=violation,
                        ridge=0.0, solver="multinomial proximal Newton",
                        test=SUBGRADIENT_TEST, tol=tol, reason=reason)
