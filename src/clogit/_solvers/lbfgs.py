"""L-BFGS for l2-penalized or unpenalized binary logistic regression.

scipy's L-BFGS-B drives the search; every objective and gradient comes from
the same Cython kernel as Newton's (``_kernels.binomial.block_pass`` without the
Hessian: one blocked pass over X).  For many features, where the
(p+1)^2 Hessian and its p^3 Cholesky stop paying for themselves.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize

from .result import SolverResult
from .start import start_binary

_EPS = np.finfo(np.float64).eps


def lbfgs_binary(kernels, *, alpha, tol, max_iter, coef0=None, verbose=0,
                 label=""):
    """Fit a binary logistic model by L-BFGS-B.

    Parameters and return value are those of
    :func:`clogit._solvers.newton.newton_binary`.  The
    objective is scaled by ``1 / (C * sum(s))`` (a weighted mean loss) so
    that L-BFGS-B's projected gradient tolerance ``gtol = tol`` is the same
    test Newton applies.
    """
    n_features, scale, coef, _ = start_binary(kernels, coef0, 0)
    grad = np.empty(coef.shape[0])

    def objective_and_gradient(c):
        obj = kernels.block_pass(c, grad)
        w = c[:n_features]
        g = grad.copy()
        if alpha:
            obj += 0.5 * alpha * float(w @ w)
            g[:n_features] += alpha * w
        return obj / scale, g / scale

    history = []

    def report(intermediate_result):
        history.append(intermediate_result.fun)
        if verbose:
            print(f"{label}iter {len(history):3d}  objective "
                  f"{intermediate_result.fun * scale:.12e}")

    result = minimize(
        objective_and_gradient, coef, jac=True, method="L-BFGS-B",
        callback=report,
        options={"maxiter": max_iter, "maxls": 50, "gtol": tol,
                 "ftol": 64 * _EPS})
    # result.jac is the (scaled) gradient at result.x: no pass to recompute
    g_max = float(np.max(np.abs(result.jac)))
    # status 0: gtol met, or no further decrease measurable in float64
    converged = result.status == 0
    return SolverResult(coef=result.x, objective=float(result.fun) * scale,
                        n_iter=max(int(result.nit), 1), converged=converged,
                        max_abs_grad=g_max, ridge=0.0)
