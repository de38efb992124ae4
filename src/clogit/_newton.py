"""Newton–Raphson for the binary logistic objective.

Minimizes ``f(w, b) = C * sum_i s_i * loss(y_i, x_i.w + b) + alpha/2 * |w|^2``
(alpha = 1 for penalty "l2", 0 for no penalty; the intercept b is never
penalized).  Each iteration costs one blocked pass over X that returns the
objective, the gradient and the Hessian together (``_binomial.block_pass``:
about one dsyrk of X plus two gemv), one gemv for ``X @ d``, and a
(p+1)^3/3 Cholesky; the line search reuses ``X @ d`` and never reads X.
"""

from dataclasses import dataclass
import warnings

import numpy as np
from scipy.linalg import LinAlgWarning
from sklearn.exceptions import ConvergenceWarning

from ._linesearch import StallGuard, step_along
from ._parallel import BinomialKernels
from ._blas import cho_solve, cholesky

_EPS = np.finfo(np.float64).eps
# Armijo's sufficient-decrease constant and the most step halvings tried.


@dataclass
class NewtonResult:
    """What :func:`newton_binary` returns.

    Attributes
    ----------
    coef : ndarray of shape (n_features + fit_intercept,)
        Coefficients, the intercept last.
    objective : float
        Objective at ``coef``.
    n_iter : int
        Iterations run; each assembled one gradient and Hessian.
    converged : bool
        Whether the convergence test passed (see :func:`newton_binary`).
    max_abs_grad : float
        ``max|gradient| / (C * sum(s))`` at the last assembled point.
    ridge : float
        Largest ridge added to the Hessian to factor it (0.0 if never).
    hessian_factor : ndarray of shape (n_coef, n_coef) or None
        Lower Cholesky factor (F order, as left by dpotrf; the upper triangle
        is garbage) of the penalized Hessian at ``coef`` when the iteration
        stopped on the convergence test, so inference can invert it with
        dpotri at no extra pass over X; None when the last step moved
        ``coef`` after the last factorization (or a ridge was needed).
    stopped_by_monitor : bool
        Whether the ``monitor`` callback stopped the iteration (its owner
        then explains why; :func:`warn_not_converged` stays silent).
    """

    coef: np.ndarray
    objective: float
    n_iter: int
    converged: bool
    max_abs_grad: float
    ridge: float
    hessian_factor: np.ndarray | None = None
    stopped_by_monitor: bool = False


def _penalty(coef, alpha, n_features):
    w = coef[:n_features]
    return 0.5 * alpha * float(w @ w)


def _factor_with_ridge(H, n_features):
    """Cholesky-factor H in place, adding a growing ridge if it is singular.

    With penalty None the Hessian is singular when features are collinear (or
    constant) or the data are separable: then ``tau * I`` is added, starting
    at ``1e-12 * max(diag(H))`` and growing 100-fold until dpotrf succeeds.
    The step is then a damped Newton step (Levenberg–Marquardt style), which
    still descends; the line search keeps the iteration monotone.
    Returns the ridge used.
    """
    H_copy = H.copy(order="F")
    if cholesky(H) == 0:
        return 0.0
    scale = max(float(np.max(np.abs(np.diag(H_copy)))), _EPS)
    tau = 1e-12 * scale
    while True:
        H[...] = H_copy
        H[np.diag_indices_from(H)] += tau
        if cholesky(H) == 0:
            return tau
        if tau > 1e12 * scale:  # cannot happen for a finite PSD matrix
            raise FloatingPointError("the Hessian has non-finite entries")
        tau *= 100.0


def initial_coef(y, sample_weight, n_features, fit_intercept, coef0=None,
                 sums=None):
    """Starting point: ``coef0`` (warm start), else zeros with the intercept
    at the log-odds of the weighted mean label, the optimum of the
    intercept-only model.

    ``sums``, if given, is ``(sum(s), sum(s * y))`` and replaces ``y`` and
    ``sample_weight`` (injected kernels: the data are not in memory)."""
    if coef0 is not None:
        return np.array(coef0, dtype=np.float64, copy=True)
    coef = np.zeros(n_features + (1 if fit_intercept else 0))
    if fit_intercept:
        if sums is None:
            sums = (float(sample_weight.sum()), float(sample_weight @ y))
        mean_y = sums[1] / sums[0]
        mean_y = min(max(mean_y, 1e-10), 1 - 1e-10)
        coef[-1] = np.log(mean_y / (1.0 - mean_y))
    return coef


def start_binary(X, y, sample_weight, C, fit_intercept, coef0, kernels,
                 n_buffers):
    """What a binary solver starts from: ``(kernels, n_features, scale,
    coef, buffers)``, ``scale = C * sum(s)``, ``coef`` from
    :func:`initial_coef` and ``n_buffers`` length-n score buffers.

    ``kernels=None``: the in-memory ``BinomialKernels`` on X, y and
    sample_weight, and numpy buffers.  Injected kernels (see
    :func:`newton_binary`) provide the sums and their own buffers instead.
    """
    if kernels is None:
        n_samples, n_features = X.shape
        scale = C * float(sample_weight.sum())
        coef = initial_coef(y, sample_weight, n_features, fit_intercept,
                            coef0)
        kernels = BinomialKernels(X, y, sample_weight, C, fit_intercept)
        buffers = [np.empty(n_samples) for _ in range(n_buffers)]
    else:
        n_features = kernels.n_features
        sums = kernels.weight_sums()
        scale = C * sums[0]
        coef = initial_coef(None, None, n_features, fit_intercept, coef0,
                            sums)
        buffers = [kernels.new_scores() for _ in range(n_buffers)]
    return kernels, n_features, scale, coef, buffers


def newton_binary(X, y, sample_weight, *, C, alpha, fit_intercept, tol,
                  max_iter, coef0=None, verbose=0, label="", monitor=None,
                  kernels=None):
    """Fit a binary logistic model by Newton–Raphson.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float64 or float32
        C- or F-contiguous (see ``_validation.as_blas_matrix``).
    y : ndarray of shape (n_samples,), float64
        Labels in {0, 1}.
    sample_weight : ndarray of shape (n_samples,), float64
        Non-negative weights.
    C : float
        Weight of the data term.
    alpha : float
        Strength of the l2 penalty ``alpha/2 * |w|^2`` (0 for none).
    fit_intercept : bool
        Whether the last coefficient is an unpenalized intercept.
    tol : float
        Convergence tolerance.  The iteration stops when, on the objective
        scaled by ``1 / (C * sum(s))`` (a weighted mean loss),
        ``max|gradient| <= tol`` and half the squared Newton decrement
        ``g.H^-1.g / 2 <= tol**2`` (the decrement is quadratic in the
        gradient, hence the square).
    max_iter : int
        Most iterations.
    coef0 : ndarray, optional
        Starting point (warm start); zeros with the intercept at the
        log-odds of the weighted mean label otherwise.
    verbose : int
        If > 0, print one line per iteration.
    label : str
        Prefix for verbose lines (the class, in One-vs-Rest).
    monitor : callable, optional
        ``monitor(iteration, coef, objective, z)``, called once per iteration
        right after the pass over X, with the current coefficients (intercept
        last), the objective there and ``z = X @ coef (+ intercept)``.  Both
        arrays are the solver's buffers, overwritten later: copy what you
        keep, modify nothing.  Returning True stops the iteration
        (``converged`` False, ``stopped_by_monitor`` True).  Used by
        ``clogit._separation`` to stop diverging unpenalized fits.
    kernels : object, optional
        The data, injected: an object with the methods of
        ``clogit._parallel.BinomialKernels`` (``block_pass``, ``matvec``,
        ``rmatvec``, ``objective_along``) bound to X, y, sample_weight, C
        and fit_intercept, plus ``n_samples``, ``n_features``,
        ``weight_sums()`` returning ``(sum(s), sum(s * y))`` and
        ``new_scores()`` returning the buffers ``z`` and ``dz`` are kept in
        (passed back to the kernels, never read here; ``.sum()`` gives the
        sum of their entries).  ``X``, ``y`` and ``sample_weight`` are then
        not used (pass None).  ``clogit.dask`` injects kernels that run on
        the chunks of dask arrays.  None (the default): the in-memory
        kernels and numpy buffers.  Kernels with a true
        ``speculative_full_step`` attribute get the full step's pass
        before the line search (see the loop).

    Returns
    -------
    NewtonResult
    """
    kernels, n_features, scale, coef, (z, dz) = start_binary(
        X, y, sample_weight, C, fit_intercept, coef0, kernels, 2)
    n_coef = n_features + (1 if fit_intercept else 0)

    grad = np.empty(n_coef)
    hess = np.empty((n_coef, n_coef), order="F")
    penalized = np.arange(n_features)
    converged = False
    max_ridge = 0.0
    objective = np.nan
    g_max = np.inf
    guard = StallGuard()
    stopped_by_monitor = False
    # Kernels whose every pass costs a round trip (clogit.dask) evaluate the
    # full Newton step's objective, gradient and Hessian in one speculative
    # pass: accepted (Newton's usual case) it is the next iteration's pass,
    # so an iteration costs one pass instead of a pass, ``X @ d`` and a
    # line-search reduction.  The iterates are the same up to rounding: the
    # full step's objective comes from X (coef + d) instead of z + X d,
    # which can tip an Armijo or stall decision only at float64's limit
    # (tol of about 1e-9 and below).
    speculate = getattr(kernels, "speculative_full_step", False)
    if speculate:
        next_grad = np.empty(n_coef)
        next_hess = np.empty((n_coef, n_coef), order="F")
        next_z = kernels.new_scores()
    pending = None  # data objective of a speculative pass at coef

    for iteration in range(1, max_iter + 1):
        # 1. Objective, gradient and Hessian at coef: one pass over X.
        if pending is None:
            objective = kernels.block_pass(coef, grad, hess, z)
        else:
            objective = pending
            grad, next_grad = next_grad, grad
            hess, next_hess = next_hess, hess
            z, next_z = next_z, z
        if alpha:
            objective += _penalty(coef, alpha, n_features)
            grad[:n_features] += alpha * coef[:n_features]
            hess[penalized, penalized] += alpha
        if monitor is not None and monitor(iteration, coef, objective, z):
            stopped_by_monitor = True
            if verbose:
                print(f"{label}iter {iteration:3d}  stopped by the monitor")
            break

        # 2. Newton direction d = -H^-1 g by Cholesky (ridge if singular).
        ridge = _factor_with_ridge(hess, n_features)
        if ridge > max_ridge:
            max_ridge = ridge
        direction = -grad
        cho_solve(hess, direction)
        decrement_sq = -float(grad @ direction)  # g.H^-1.g >= 0

        # 3. Convergence: scaled gradient and Newton decrement.  (Not the
        #    objective's change: near the optimum a Newton step still fixes
        #    digits of the coefficients long after f stops changing.)
        g_max = float(np.max(np.abs(grad))) / scale
        if g_max <= tol and 0.5 * decrement_sq / scale <= tol * tol:
            converged = True
            if verbose:
                print(f"{label}iter {iteration:3d}  objective {objective:.12e}"
                      f"  max|grad| {g_max:.3e}  converged")
            break

        # 4. Armijo backtracking along d, reusing dz = X d.  A step whose
        #    change is within the objective's rounding error is accepted (f
        #    cannot tell it apart); three such steps that do not shrink the
        #    gradient mean float64 can do no better, and the loop stops.
        #    A failed search leaves the iterate as good as float64 lets it
        #    be along d: stop and let the caller warn.
        penalty = (lambda c: _penalty(c, alpha, n_features) if alpha
                   else 0.0)
        full_step = pending = None
        if speculate:
            trial = coef + direction
            pending = kernels.block_pass(trial, next_grad, next_hess, next_z)
            full_step = pending + penalty(trial)
        step, stop = step_along(
            kernels, coef, direction, z, dz, objective, -decrement_sq,
            penalty, guard, g_max, full_step)
        if step != 1.0:
            pending = None
        if stop:
            if verbose:
                print(f"{label}iter {iteration:3d}  {stop}")
            break
        if verbose:
            print(f"{label}iter {iteration:3d}  objective {objective:.12e}  "
                  f"max|grad| {g_max:.3e}  decrement {decrement_sq:.3e}  "
                  f"step {step:.3g}" + (f"  ridge {ridge:.1e}" if ridge
                                        else ""))

    if max_ridge > 0.0:
        warnings.warn(
            f"{label}The Hessian was singular (collinear or constant "
            "features, or separable classes); a ridge of "
            f"{max_ridge:.3g} was added to solve the Newton system. Remove "
            "collinear features or use penalty='l2' (smaller C).",
            LinAlgWarning, stacklevel=3)
    factor = hess if converged and ridge == 0.0 else None
    return NewtonResult(coef=coef, objective=objective, n_iter=iteration,
                        converged=converged, max_abs_grad=g_max,
                        ridge=max_ridge, hessian_factor=factor,
                        stopped_by_monitor=stopped_by_monitor)


def warn_not_converged(result, max_iter, label=""):
    """Issue the ConvergenceWarning for a fit that stopped short.

    Silent when a monitor stopped the fit: the monitor's owner warns.
    """
    if result.converged or getattr(result, "stopped_by_monitor", False):
        return
    reason = (f"reached max_iter={max_iter}" if result.n_iter >= max_iter
              else "stopped at the limit of floating-point precision")
    warnings.warn(
        f"{label}Newton solver did not converge: {reason} with "
        f"max|gradient| = {result.max_abs_grad:.3g} (scaled by C * "
        "sum(sample_weight)). Increase max_iter, scale the features, or "
        "increase the penalty (smaller C).",
        ConvergenceWarning, stacklevel=3)
