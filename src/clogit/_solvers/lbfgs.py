"""L-BFGS for l2-penalized or unpenalized binary logistic regression.

scipy's L-BFGS-B drives the search; every objective and gradient comes from
the same Cython kernel as Newton's (``_kernels.binomial.block_pass`` without
the Hessian: one blocked pass over X).  For many features, where the
(p+1)^2 Hessian and its p^3 Cholesky stop paying for themselves.

Stopping test: ``max|gradient| / (C * sum(s)) <= tol``
(``_solvers.stopping.GRADIENT_TEST``), on the objective scaled by
``1 / (C * sum(s))`` so that L-BFGS-B's projected-gradient test
``gtol = tol`` is that very test.  scipy may stop earlier, on its own
relative-decrease test or a failed line search, at a point where the test
does not hold (on badly scaled data, ``tol=1e-6`` and ``1e-10`` used to
stop at the same iterate): :func:`run_lbfgs` then restarts L-BFGS-B from
there (a fresh curvature memory) until the test holds, ``max_iter``
iterations are used, or a restart makes no progress -- the limit of
float64 -- and ``converged`` is the test at the returned point, computed
here, never scipy's status.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize

from .result import SolverResult
from .start import start_binary
from .stopping import GRADIENT_TEST


class _Cache:
    """The last point ``fun`` was evaluated at, with its objective and
    gradient (scaled): L-BFGS-B's accepted iterate is normally the last
    point it evaluated, so the stopping test costs no extra pass."""

    def __init__(self, fun):
        self.fun = fun
        self.x = None
        self.f = np.nan
        self.g = None

    def __call__(self, x):
        f, g = self.fun(x)
        self.x, self.f, self.g = x.copy(), f, g
        return f, g

    def at(self, x):
        """``(f, g)`` at ``x``: cached, or one more evaluation."""
        if self.x is None or not np.array_equal(x, self.x):
            self(np.array(x, dtype=np.float64))
        return self.f, self.g


def run_lbfgs(fun, x0, *, tol, max_iter, verbose=0, label="",
              on_iterate=None, x_scale=None):
    """Minimize ``fun`` (returns the scaled objective and gradient) by
    L-BFGS-B until ``max|gradient| <= tol``, restarting when scipy stops
    early.

    Parameters
    ----------
    fun : callable
        ``fun(x) -> (f, g)`` of the objective scaled by ``1 / (C sum(s))``.
    x0 : ndarray
        Starting point (flat).
    tol, max_iter : float, int
        The stopping test and the most iterations (over all restarts).
    verbose : int
        One line per iteration when > 0.
    label : str
        Prefix of the verbose lines.
    on_iterate : callable, optional
        ``on_iterate(iteration, x, f)`` after every iteration; True stops.
    x_scale : ndarray, optional
        Scales of the variables (powers of two, ``_scaling.column_scales``):
        L-BFGS-B then runs on ``u = x * x_scale``, whose objective has
        gradient ``g / x_scale``, and the stopping test stays the one on
        ``g``.  Without it, features near 1e155 make the first unit step
        overflow and the line search give up at the start.

    Returns
    -------
    x, f, g_max, n_iter, reason, stopped : ndarray, float, float, int, str,
    bool
        The returned point, its scaled objective and max|gradient|, the
        iterations run, why the iteration stopped short ("" if it did not)
        and whether ``on_iterate`` stopped it.
    """
    if x_scale is None:
        x_scale = np.ones(np.shape(x0))

    def scaled_fun(u):
        f, g = fun(u / x_scale)
        return f, g / x_scale

    def max_abs_gradient(g_u):  # on the original variables
        return float(np.max(np.abs(g_u * x_scale), initial=0.0))

    cache = _Cache(scaled_fun)
    x = np.array(x0, dtype=np.float64, copy=True) * x_scale
    f, g = cache.at(x)
    g_max = max_abs_gradient(g)
    # scipy's test max|g_u| <= gtol implies the test on x
    gtol = tol / float(np.max(x_scale, initial=1.0))
    used = 0
    reason = ""
    stopped = [False]

    def callback(intermediate_result):
        count = used + callback.calls + 1
        callback.calls += 1
        if verbose:
            _, g_now = cache.at(intermediate_result.x)
            print(f"{label}iter {count:3d}  objective "
                  f"{intermediate_result.fun:.12e}  max|grad| "
                  f"{max_abs_gradient(g_now):.3e}")
        if on_iterate is not None and on_iterate(
                count, intermediate_result.x / x_scale,
                intermediate_result.fun):
            stopped[0] = True
            raise StopIteration

    while g_max > tol and used < max_iter and not stopped[0]:
        callback.calls = 0
        result = minimize(
            cache, x, jac=True, method="L-BFGS-B", callback=callback,
            options={"maxiter": max_iter - used, "maxls": 50, "gtol": gtol,
                     # no stop on the relative decrease of f alone: only
                     # when f does not decrease at all
                     "ftol": 0.0, "maxfun": max(15_000, 50 * max_iter)})
        n_new = max(int(result.nit), callback.calls)
        used += n_new
        f_new, g = cache.at(result.x)
        progress = n_new > 0 and f_new < f
        x, f = np.array(result.x, dtype=np.float64, copy=True), f_new
        g_max = max_abs_gradient(g)
        if g_max > tol and not progress and not stopped[0]:
            message = result.message
            if isinstance(message, bytes):
                message = message.decode()
            reason = ("stopped at the limit of floating-point precision "
                      f"(L-BFGS-B: {message})")
            break
    return x / x_scale, f, g_max, used, reason, stopped[0]


def lbfgs_binary(kernels, *, alpha, tol, max_iter, coef0=None, verbose=0,
                 label="", monitor=None, x_scale=None):
    """Fit a binary logistic model by L-BFGS-B.

    Parameters and return value are those of
    :func:`clogit._solvers.newton.newton_binary` (``monitor`` included:
    called after every L-BFGS iteration with the iterate's scores); the
    stopping test and its continuation are described in the module
    docstring; ``x_scale`` is :func:`run_lbfgs`'s.
    """
    n_features, scale, coef, (z,) = start_binary(kernels, coef0, 1)
    grad = np.empty(coef.shape[0])
    scores_at = [None]

    def objective_and_gradient(c):
        obj = kernels.block_pass(c, grad, None, z)
        scores_at[0] = c.copy()
        w = c[:n_features]
        g = grad.copy()
        if alpha:
            obj += 0.5 * alpha * float(w @ w)
            g[:n_features] += alpha * w
        return obj / scale, g / scale

    def on_iterate(iteration, c, f):
        if not np.array_equal(c, scores_at[0]):
            kernels.matvec(c, z)
            scores_at[0] = c.copy()
        return monitor(iteration, c, f * scale, z)

    coef, f, g_max, n_iter, reason, stopped = run_lbfgs(
        objective_and_gradient, coef, tol=tol, max_iter=max_iter,
        verbose=verbose, label=label,
        on_iterate=None if monitor is None else on_iterate, x_scale=x_scale)
    return SolverResult(coef=coef, objective=f * scale, n_iter=n_iter,
                        converged=g_max <= tol and not stopped,
                        max_abs_grad=g_max, ridge=0.0,
                        stopped_by_monitor=stopped, solver="L-BFGS",
                        test=GRADIENT_TEST, tol=tol, reason=reason)
