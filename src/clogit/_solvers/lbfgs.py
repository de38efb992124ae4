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

Preconditioned (``precondition=True``, what in-memory dense fits up to
1,000 features run): L-BFGS-B on the variables ``u = L.T x`` of a Cholesky
factor ``L L.T`` of the Hessian at the start, from a row sample, refreshed
at the current point every few iterations (``_REFRESH_EVERY``).  The
objective in ``u`` has curvature near the identity however X's columns
are scaled or correlated, so the iteration count stays that of
well-conditioned data; the gradient, and so the fixed point and the
stopping test, always come from every row.  The preconditioned variant's
stopping test has a guard as Newton's: the gradient test alone depends on
the features' scale (features near 1e-9 make every gradient entry near
1e-9 at any coefficients, so an unpenalized fit "converged" at its start,
all coefficients zero), while the Newton decrement ``g.H^-1.g / 2`` on the
preconditioner's Hessian (the objective decrease a Newton step
predicts, in the units of the scaled objective) does not; L-BFGS goes on
until it too is at most ``tol`` (see the comment after
``_OVR_ROWS_PER_COEF``).  Plain runs (in memory and on Dask, binary and
multinomial) guard with the Hessian's diagonal instead (``sum g_j^2 /
(2 H_jj)``, made once a fit, when the gradient test first holds).
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
from scipy.optimize import minimize

from .._kernels.blas import trmm, trsm
from .newton import (_SINGLE_MIN_COEF, _single, factor_with_ridge,
                     newton_binary)
from .result import SolverResult
from .start import initial_coef, start_binary
from .stopping import DIAGONAL_TEST, GRADIENT_TEST, PRECONDITIONED_TEST

# The preconditioned variant (``precondition=True``): L-BFGS-B on
# ``u = L.T x``, ``L L.T`` the Hessian at the start from every k-th row
# (_PRECONDITIONER_ROWS_PER_COEF rows per coefficient, at least
# _PRECONDITIONER_MIN_ROWS; all rows below four times that), refreshed at
# the current point every _REFRESH_EVERY iterations.  Plain L-BFGS's
# iteration count follows the conditioning of X; in these variables it
# does not.  Measured here (2-core AMD EPYC, l2, C = 1, tol 1e-6, n x p
# from 20,000 x 50 to 200,000 x 200, six designs: i.i.d. Gaussian,
# AR(1) rho = 0.9, columns scaled by 10^U(-2, 2), half one-hot, strong
# signal, Poisson counts): plain L-BFGS 6-87 iterations and 1,000 (not
# converged) on the scaled columns; preconditioned 4-12 on all, in 0.4-1.0x
# Newton's time (sum over the 30 fits 8.0 s against Newton's 12.8 s).
# Rows per coefficient 16 / 32 / 64 / 128: 4.5 / 4.4 / 4.0 / 3.7 s over
# the 18 fits up to 200,000 x 200.  The refresh matters where the
# curvature changes along the way (large coefficients): raw breast_cancer
# 81 iterations without it, 17-22 with it every 8-12 iterations (digits
# "3 vs rest", C = 100: 337 against 33-40); every 6 costs more passes on
# the large tasks than it saves.
_PRECONDITIONER_ROWS_PER_COEF = 128
_PRECONDITIONER_MIN_ROWS = 2048
# The binary preconditioner's sample is taken from a stride of 2 on (half
# the rows), not only from 4 as Newton's sampled Hessians (whose pass
# reads all rows for the gradient anyway): a preconditioner is the
# Hessian alone.  Measured here (2-core AMD EPYC, tol 1e-8, l2 and none,
# two seeds, alternating in one process, medians of 15 or 5, ms): 20,000 x
# 50 (stride 3) 12.5-13.5 -> 11.4-12.9 (7 -> 8 iterations); 50,000 x 100
# (stride 3) 42-56 -> 33-52, one of four slower (42 -> 52); 30,000 x 200
# (stride 2) 47-61 -> 47-60.
_PRECONDITIONER_MIN_STRIDE = 2
# Measured again (2-core AMD EPYC, tol 1e-8, alternating in one process,
# medians of 5-15, ms, l2 / none): 200 and 300 rows per coefficient
# instead of 128 on 20,000 x 50: 8 -> 7 iterations, no faster (6.1 / 6.7
# against 6.2-6.2 / 7.1-7.1); 50,000 x 100: 28 / 29 against 29-33 /
# 30-34.  A first refresh after 2, 3 or 4 iterations instead of 10
# (schedule=, as One-vs-Rest's): at most one iteration fewer and 13-30%
# slower on all three bench/run.py sizes (200,000 x 200 l2: 168 against
# 194-210).
_REFRESH_EVERY = 10
# One-vs-Rest fitted together (lbfgs_ovr): the first factors at the start
# from 32 rows per coefficient, made anew after _OVR_FIRST_RUN iterations
# from 128 (every _REFRESH_EVERY after that).  Measured here on
# bench/multiclass.py's task (100,000 x 100, K = 10, tol 1e-8): the
# binary schedule (128 rows, every 10) took 14 iterations, 18 passes over
# X and 20 class Hessians; never refreshed 21 / 25; every 3 iterations
# 9 / 14 / 30; first run 2 / 3 / 4 iterations: 10 / 9 / 9 iterations;
# first factors from 32 rows and the refresh from 128 / 256 / 512: 9
# iterations, 12 passes either way (16 and 32 rows for the refresh: 13-14
# iterations).  The start's Hessian (intercept only) is far from the
# optimum's, the first run's third iterate close to it.
_OVR_FIRST_RUN = 3
_OVR_ROWS_PER_COEF = (32, 128)
# The preconditioned runs' guard (module docstring): half the Newton
# decrement on the preconditioner, g.(L L.T)^-1.g / 2, at most tol, where
# Newton's own guard asks tol^2 (which takes a fit far past the gradient
# test; this one only catches a gradient made small by the features'
# scale).  At the gradient test on ordinary data it is far below tol:
# max|g| <= tol and curvatures h_j give about sum_j g_j^2 / (2 h_j) <=
# p tol^2 / (2 h_min).  (The same guard on the Hessian's diagonal for
# plain runs, the kernels' hessian_diagonal_at; measured with and without
# it: no iteration count changed on 32 fits of bench/auto.py's designs,
# raw breast_cancer, digits, sparse text fits.)


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
        # scipy's first evaluation is at the point run_lbfgs has just
        # evaluated: served from here (one pass over X saved per run)
        if self.x is not None and np.array_equal(x, self.x):
            return self.f, self.g.copy()
        f, g = self.fun(x)
        self.x, self.f, self.g = x.copy(), f, g
        return f, g.copy()

    def at(self, x):
        """``(f, g)`` at ``x``: cached, or one more evaluation."""
        if self.x is None or not np.array_equal(x, self.x):
            self(np.array(x, dtype=np.float64))
        return self.f, self.g


class _Diagonal:
    """Variables ``u = x * x_scale`` (powers of two: exact)."""

    def __init__(self, x_scale):
        self.x_scale = x_scale

    def to_u(self, x):
        return x * self.x_scale

    def to_x(self, u):
        return u / self.x_scale

    def gradient_u(self, g):
        return g / self.x_scale

    def bound(self):
        """``b`` with ``max|g| <= b max|g_u|``."""
        return float(np.max(self.x_scale, initial=1.0))


class _Preconditioned:
    """Variables ``u = L.T x`` for a lower-triangular ``L`` (``L L.T``
    approximates the Hessian): in ``u`` the objective's curvature is
    near the identity, where L-BFGS converges in a few iterations however
    the features are scaled or correlated.  A list of factors is a
    block-diagonal ``L``, one block per equal slice of ``x`` (the classes
    of One-vs-Rest)."""

    def __init__(self, factors):
        self.factors = factors if isinstance(factors, list) else [factors]

    def rescale(self, factor):
        """Variables ``factor * u`` instead of ``u``."""
        self.factors = [L * factor for L in self.factors]

    def _apply(self, v, operation, trans):
        blocks = np.array(v, dtype=np.float64).reshape(
            len(self.factors), -1).T.copy(order="F")
        for k, L in enumerate(self.factors):
            operation(1.0, L, blocks[:, k:k + 1], trans=trans)
        return blocks.T.ravel()

    def to_u(self, x):
        return self._apply(x, trmm, True)

    def to_x(self, u):
        return self._apply(u, trsm, True)

    def gradient_u(self, g):
        return self._apply(g, trsm, False)

    def bound(self):
        return max(float(np.max(np.abs(np.tril(L)).sum(axis=1),
                                initial=1.0)) for L in self.factors)


def run_lbfgs(fun, x0, *, tol, max_iter, verbose=0, label="",
              on_iterate=None, x_scale=None, preconditioner=None,
              curvature=None):
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
    preconditioner : ndarray, optional
        A lower-triangular F-ordered ``L`` (``L L.T`` near the Hessian of
        the scaled objective): L-BFGS-B runs on ``u = L.T x`` instead
        (``x_scale`` is then ignored).
    curvature : callable, optional
        Without a preconditioner: ``curvature(x)``, the diagonal of the
        scaled objective's Hessian at ``x``, for the decrement guard
        (``sum g_j^2 / (2 h_jj)``), made once, the first time the gradient
        test holds.

    Returns
    -------
    x, f, g_max, n_iter, reason, stopped : ndarray, float, float, int, str,
    bool
        The returned point, its scaled objective and what the stopping test
        compared with ``tol`` there (max|gradient|, or where that passes
        the larger of it and the guard's half decrement), the iterations
        run, why the iteration stopped short ("" if it did not) and
        whether ``on_iterate`` stopped it.
    """
    if preconditioner is not None:
        variables = _Preconditioned(preconditioner)
    else:
        variables = _Diagonal(np.ones(np.shape(x0)) if x_scale is None
                              else x_scale)

    def scaled_fun(u):
        x = variables.to_x(u)
        f, g = fun(x)
        scaled_fun.g_x = g
        return f, variables.gradient_u(g)

    cache = _Cache(scaled_fun)

    def max_abs_gradient(u):  # the test on the original variables
        cache.at(u)
        return float(np.max(np.abs(scaled_fun.g_x), initial=0.0))

    x = variables.to_u(np.array(x0, dtype=np.float64, copy=True))
    f, g_u = cache.at(x)
    # |g_u|^2 times this is g.(L L.T)^-1.g for the factor as given (the
    # rescaling below multiplies the gradient in u by its norm)
    unit = 1.0
    if preconditioner is not None:
        # L-BFGS-B's first step (no curvature memory yet) is 1 / |g_u|_2
        # long; in preconditioned variables the unit step is the
        # (approximate) Newton step.  In the variables u / |g_u|_2 the two
        # agree: measured here on bench/run.py's 200,000 x 200, l2, the
        # first iteration used to lower max|g| only from 4.5e-2 to 4.0e-2
        # (9 iterations to tol 1e-8); later steps follow the memory's own
        # scaling, which this does not change.
        # (the gradient in u / norm is g_u * norm: no new pass; u itself
        # made anew from x0, whose exact zeros then survive the round trip)
        norm = float(np.linalg.norm(g_u))
        if math.isfinite(norm) and norm > 0.0:
            variables.rescale(1.0 / norm)
            x = variables.to_u(np.array(x0, dtype=np.float64, copy=True))
            cache.x, cache.g = x.copy(), g_u * norm
            unit = 1.0 / (norm * norm)

    diagonal = [None]

    def half_decrement(u):
        """``g.(L L.T)^-1.g / 2`` at ``u``, or ``sum g_j^2 / (2 h_jj)``
        on ``curvature``'s diagonal (0 without either)."""
        if preconditioner is not None:
            _, g = cache.at(u)
            return 0.5 * float(g @ g) * unit
        if curvature is None:
            return 0.0
        cache.at(u)
        g = scaled_fun.g_x
        if diagonal[0] is None:
            diagonal[0] = np.maximum(curvature(variables.to_x(u)),
                                     np.finfo(np.float64).tiny)
        return 0.5 * float(np.sum(g * g / diagonal[0]))

    def figure(u, g_max):
        """What the stopping test compares with ``tol`` at ``u``, whose
        max|gradient| is ``g_max``: ``g_max``, or, where that passes, the
        larger of it and the guard's half decrement."""
        return g_max if g_max > tol else max(g_max, half_decrement(u))

    def settled(u, g_max):
        return figure(u, g_max) <= tol

    g_max = max_abs_gradient(x)
    # scipy's test max|g_u| <= gtol implies the test on x; the callback
    # stops as soon as the test on x itself holds.  With the diagonal
    # guard, whose gradient may meet gtol long before the guard holds
    # (tiny features), only the callback stops it.
    gtol = (0.0 if curvature is not None and preconditioner is None
            else tol / variables.bound())
    used = 0
    reason = ""
    stopped = [False]

    def callback(intermediate_result):
        count = used + callback.calls + 1
        callback.calls += 1
        g_now = max_abs_gradient(intermediate_result.x)
        if verbose:
            print(f"{label}iter {count:3d}  objective "
                  f"{intermediate_result.fun:.12e}  max|grad| "
                  f"{g_now:.3e}")
        if on_iterate is not None and on_iterate(
                count, variables.to_x(intermediate_result.x),
                intermediate_result.fun):
            stopped[0] = True
            raise StopIteration
        if settled(intermediate_result.x, g_now):
            raise StopIteration

    while not settled(x, g_max) and used < max_iter and not stopped[0]:
        callback.calls = 0
        result = minimize(
            cache, x, jac=True, method="L-BFGS-B", callback=callback,
            options={"maxiter": max_iter - used, "maxls": 50, "gtol": gtol,
                     # no stop on the relative decrease of f alone: only
                     # when f does not decrease at all
                     "ftol": 0.0, "maxfun": max(15_000, 50 * max_iter)})
        n_new = max(int(result.nit), callback.calls)
        used += n_new
        f_new, _ = cache.at(result.x)
        progress = n_new > 0 and f_new < f
        x, f = np.array(result.x, dtype=np.float64, copy=True), f_new
        g_max = max_abs_gradient(x)
        if not settled(x, g_max) and not progress and not stopped[0]:
            message = result.message
            if isinstance(message, bytes):
                message = message.decode()
            reason = ("stopped at the limit of floating-point precision "
                      f"(L-BFGS-B: {message})")
            break
    g_max = figure(x, g_max)
    if used == 0:
        # no step taken: the start itself, not its round trip through the
        # preconditioned variables (which rounds exact zeros to 1e-18)
        return (np.array(x0, dtype=np.float64, copy=True), f, g_max, used,
                reason, stopped[0])
    return variables.to_x(x), f, g_max, used, reason, stopped[0]


def run_refreshed(fun, x0, factors_at, *, tol, max_iter, verbose=0,
                  label="", on_iterate=None, x_scale=None, schedule=(),
                  curvature=None):
    """:func:`run_lbfgs` preconditioned by ``factors_at(x)`` (a factor or a
    list of block factors at ``x``), the preconditioner made anew at the
    current point every ``_REFRESH_EVERY`` iterations; ``factors_at``
    None: one plain run.  ``schedule``: the iterations of the first runs
    (``_REFRESH_EVERY`` for the rest); ``curvature``: :func:`run_lbfgs`'s,
    for a plain run.  Same returns as :func:`run_lbfgs`,
    the iterations counted over all runs (``on_iterate`` sees them so)."""
    if factors_at is None:
        return run_lbfgs(fun, x0, tol=tol, max_iter=max_iter,
                         verbose=verbose, label=label,
                         on_iterate=on_iterate, x_scale=x_scale,
                         curvature=curvature)
    x, n_iter, run = x0, 0, 0
    while True:
        done = n_iter
        every = schedule[run] if run < len(schedule) else _REFRESH_EVERY
        run += 1
        x, f, g_max, used, reason, stopped = run_lbfgs(
            fun, x, tol=tol, max_iter=min(max_iter - n_iter, every),
            verbose=verbose, label=label,
            on_iterate=None if on_iterate is None else (
                lambda iteration, *rest: on_iterate(iteration + done,
                                                    *rest)),
            preconditioner=factors_at(x))
        n_iter += used
        if g_max <= tol or stopped or reason or n_iter >= max_iter:
            return x, f, g_max, n_iter, reason, stopped


def lbfgs_binary(kernels, *, alpha, tol, max_iter, coef0=None, verbose=0,
                 label="", monitor=None, x_scale=None, precondition=False):
    """Fit a binary logistic model by L-BFGS-B.

    Parameters and return value are those of
    :func:`clogit._solvers.newton.newton_binary` (``monitor`` included:
    called after every L-BFGS iteration with the iterate's scores); the
    stopping test and its continuation are described in the module
    docstring; ``x_scale`` is :func:`run_lbfgs`'s.  ``precondition``:
    run on the variables of the Hessian at the start, from a row sample
    (see ``_PRECONDITIONER_ROWS_PER_COEF``).
    """
    n_features, scale, coef, (z,) = start_binary(kernels, coef0, 1)
    n_coef = coef.shape[0]
    grad = np.empty(n_coef)
    scores_at = [None]
    data_at = [None, None]  # the last evaluation's coefficients, data term

    def objective_and_gradient(c):
        obj = kernels.block_pass(c, grad, None, z)
        scores_at[0] = c.copy()
        data_at[:] = scores_at[0], obj
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

    def curvature(c):
        # the scaled objective's Hessian diagonal at c, for the plain
        # runs' decrement guard (run_lbfgs floors it), once a fit
        d = kernels.hessian_diagonal_at(c)
        d[:n_features] += alpha
        return d / scale

    has_diagonal = hasattr(kernels, "hessian_diagonal_at")

    coef, f, g_max, n_iter, reason, stopped = run_refreshed(
        objective_and_gradient, coef,
        (lambda c: start_factor(kernels, c, alpha, scale, n_features))
        if precondition else None,
        tol=tol, max_iter=max_iter, verbose=verbose, label=label,
        on_iterate=None if monitor is None else on_iterate, x_scale=x_scale,
        curvature=curvature if has_diagonal else None)
    if precondition and reason and n_iter < max_iter:
        # L-BFGS-B found no decrease of f at a gradient above tol: the
        # step's decrease is below f's rounding, while Newton's steps
        # still fix digits there (its stall guard accepts them on the
        # gradient); from this close, one or two exact iterations
        polished = newton_binary(
            kernels, alpha=alpha, tol=tol, max_iter=max_iter - n_iter,
            coef0=coef, verbose=verbose, label=label,
            monitor=None if monitor is None else (
                lambda iteration, *rest: monitor(iteration + n_iter, *rest)))
        return replace(polished, n_iter=polished.n_iter + n_iter,
                       solver="L-BFGS (preconditioned), then Newton")
    # the data term at the returned coefficients when the last evaluation
    # was there (the usual case): inference then needs no pass for it
    # (20,000 x 50: one of 11 passes of a fit)
    data_objective = (data_at[1] if data_at[0] is not None
                      and np.array_equal(coef, data_at[0]) else None)
    # ... and the scores there (the separation monitor's last check of an
    # unpenalized fit reads them: 20,000 x 50, one of 11 passes)
    scores = (z if scores_at[0] is not None
              and np.array_equal(coef, scores_at[0]) else None)
    return SolverResult(coef=coef, objective=f * scale, n_iter=n_iter,
                        converged=g_max <= tol and not stopped,
                        max_abs_grad=g_max, ridge=0.0,
                        stopped_by_monitor=stopped,
                        solver=("L-BFGS (preconditioned)" if precondition
                                else "L-BFGS"),
                        test=(PRECONDITIONED_TEST if precondition
                              else DIAGONAL_TEST if has_diagonal
                              else GRADIENT_TEST), tol=tol, reason=reason,
                        data_objective=data_objective, scores=scores)


def start_factor(kernels, coef, alpha, scale, n_features):
    """Lower Cholesky factor of the scaled objective's Hessian at ``coef``
    from every k-th row (``_PRECONDITIONER_ROWS_PER_COEF`` rows per
    coefficient), a ridge added only if it is singular."""
    n_coef = coef.shape[0]
    hess = np.empty((n_coef, n_coef), order="F")
    kernels.sample_hessian(coef, hess,
                           _preconditioner_stride(kernels, n_coef),
                           # float32 products where Newton uses them: a
                           # preconditioner needs no 1e-16 (it is a row
                           # sample's Hessian already)
                           **_single(n_coef >= _SINGLE_MIN_COEF and getattr(
                               kernels, "single_hessians", False)))
    return _scaled_factor(hess, alpha, scale, n_features)


def _preconditioner_stride(kernels, n_coef):
    rows = max(_PRECONDITIONER_MIN_ROWS,
               _PRECONDITIONER_ROWS_PER_COEF * n_coef)
    return kernels.sampling_stride(rows,
                                   min_stride=_PRECONDITIONER_MIN_STRIDE)


def _scaled_factor(hess, alpha, scale, n_features):
    """The factor of ``(hess + alpha I_penalized) / scale``, in place."""
    n_coef = hess.shape[0]
    hess[np.arange(n_features), np.arange(n_features)] += alpha
    factor_with_ridge(hess, n_features)
    hess[np.triu_indices(n_coef, 1)] = 0.0
    # the factor of H / scale, formed from H's: the rescaled objective
    # (clogit._scaling) keeps H finite for features near 1e200, where
    # H / scale (about the mean of x x.T) overflows and its factor does not
    hess /= math.sqrt(scale)
    return hess


def lbfgs_ovr(kernels, class_kernels, *, alpha, tol, max_iter, coef0=None,
              verbose=0):
    """Fit the K binary problems of One-vs-Rest together by preconditioned
    L-BFGS on their sum.

    The problems share X and the sample weights (``kernels``: the
    ``OvrKernels`` of ``_backends.memory``), so every evaluation reads X
    once for all K (:func:`clogit._kernels.softmax.ovr_pass`) where K
    separate fits read it K times.  The sum's Hessian is block-diagonal,
    one block per class: the preconditioner is each class's row-sample
    Hessian factor, refreshed on the schedule of ``_OVR_FIRST_RUN``, and
    the sum's minimizer is every class's own.  The stopping test is each class's
    (they share ``C * sum(s)``), and L-BFGS runs until every class passes;
    a class left above ``tol`` where L-BFGS-B finds no more decrease is
    finished by Newton on its own kernels (``class_kernels[k]``, the
    ``BinomialKernels`` of class k against the rest).

    Returns
    -------
    list of SolverResult
        One per class, in class order.
    """
    K = kernels.n_classes
    n_features = kernels.n_features
    fit_intercept = kernels.fit_intercept
    k1 = n_features + (1 if fit_intercept else 0)
    total = float(kernels.sample_weight.sum())
    scale = kernels.C * total
    if coef0 is None:
        positives = np.bincount(kernels.y, weights=kernels.sample_weight,
                                minlength=K)
        coef = np.array([initial_coef((total, float(positives[k])),
                                      n_features, fit_intercept)
                         for k in range(K)])
    else:
        coef = np.array(coef0, dtype=np.float64, copy=True).reshape(K, k1)
    grad = np.empty((K, k1))
    objectives = np.empty(K)
    last = {}

    def objective_and_gradient(flat):
        c = flat.reshape(K, k1)
        kernels.ovr_pass(c, grad, objectives)
        g = grad.copy()
        data = objectives.copy()
        objs = objectives.copy()
        if alpha:
            w = c[:, :n_features]
            objs += 0.5 * alpha * np.einsum("ij,ij->i", w, w)
            g[:, :n_features] += alpha * w
        last.update(x=flat.copy(), objectives=objs, data=data,
                    g_max=np.max(np.abs(g), axis=1) / scale)
        return float(objs.sum()) / scale, g.ravel() / scale

    runs = [0]

    def class_factors(flat):
        rows = _OVR_ROWS_PER_COEF[min(runs[0], 1)]
        runs[0] += 1
        stride = kernels.sampling_stride(max(_PRECONDITIONER_MIN_ROWS,
                                             rows * k1))
        factors = []
        for k, coef_k in enumerate(flat.reshape(K, k1)):
            hess = np.empty((k1, k1), order="F")
            # float32 products as for the binary preconditioner: on
            # bench/multiclass.py's task (100,000 x 100, K = 10; 2-core
            # Intel Xeon, alternated, medians of 8) 264 -> 253 ms a fit,
            # the same 11 iterations
            kernels.class_hessian(k, coef_k, hess, stride,
                                  single_hessian=k1 >= _SINGLE_MIN_COEF)
            factors.append(_scaled_factor(hess, alpha, scale, n_features))
        return factors

    flat, _, figure, n_iter, reason, _ = run_refreshed(
        objective_and_gradient, coef.ravel(), class_factors, tol=tol,
        max_iter=max_iter, verbose=verbose, label="[One-vs-Rest] ",
        schedule=(_OVR_FIRST_RUN,))
    coef = flat.reshape(K, k1).copy()
    if not np.array_equal(last.get("x"), flat):
        objective_and_gradient(flat)
    # the run's figure bounds every class's gradient and holds the guard
    # on the sum's decrement (run_lbfgs): a class passes its gradient test
    # and, with the others, that guard
    guard_holds = figure <= tol
    results = []
    for k in range(K):
        g_k = float(last["g_max"][k])
        passed = g_k <= tol and guard_holds
        result = SolverResult(
            coef=coef[k].copy(), objective=float(last["objectives"][k]),
            n_iter=n_iter, converged=passed,
            max_abs_grad=g_k if guard_holds else max(g_k, figure),
            ridge=0.0, solver="L-BFGS (preconditioned)",
            test=PRECONDITIONED_TEST, tol=tol,
            reason="" if passed else reason,
            data_objective=float(last["data"][k]))
        if reason and not result.converged and n_iter < max_iter:
            # as in lbfgs_binary: Newton finishes this class
            polished = newton_binary(class_kernels[k], alpha=alpha, tol=tol,
                                     max_iter=max_iter - n_iter,
                                     coef0=coef[k], verbose=verbose)
            result = replace(polished, n_iter=polished.n_iter + n_iter,
                             solver="L-BFGS (preconditioned), then Newton")
        results.append(result)
    return results
