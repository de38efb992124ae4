"""Newton–Raphson for the binary logistic objective.

Minimizes ``f(w, b) = C * sum_i s_i * loss(y_i, x_i.w + b) + alpha/2 * |w|^2``
(alpha = 1 for penalty "l2", 0 for no penalty; the intercept b is never
penalized).  Each iteration costs one blocked pass over X that returns the
objective, the gradient and the Hessian together (``_kernels.binomial.block_pass``:
about one dsyrk of X plus two gemv), one gemv for ``X @ d``, and a
(p+1)^3/3 Cholesky; the line search reuses ``X @ d`` and never reads X.
From a cold start on many rows the first Hessians come from a row sample
(the Hessian schedule, see ``_SAMPLED_ROWS``), the last ones from all rows.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy.linalg import LinAlgWarning

from .._kernels import binomial_newton as _loop
from .._kernels.blas import cho_solve, ridged_cholesky
from .linesearch import (ARMIJO, AT_FLOAT_LIMIT, EXPAND_SHARE,
                         MAX_EXPANSIONS, MAX_HALVINGS, PATIENCE,
                         ROUNDING_ULPS, SEARCH_FAILED, StallGuard, expands,
                         step_along)
from .result import SolverResult
from .start import start_binary
from .stopping import GRADIENT_TEST, binary_measure

_EPS = np.finfo(np.float64).eps

# Newton's Hessian schedule.  From a cold start the first iterations are
# far from the optimum, where an approximate Hessian steers as well as the
# exact one (the Hessian changes more from one iterate to the next than a
# row sample's error): they take the gradient from all rows and the Hessian
# from every k-th row (about _SAMPLED_ROWS, at least _SAMPLED_ROWS_PER_COEF
# per coefficient: a relative error of about sqrt(p / m), a few percent), a
# dsyrk of m instead of n rows.  Once half the Newton decrement per unit
# weight is below _EXACT_DECREMENT (the quadratic region: the next step
# fixes most of the digits left) every Hessian is exact, so the last steps
# converge quadratically and the fit ends with the exact factor that
# inference uses.  On 200,000 x 50 (bench/inference.py) the first two or
# three of five Hessians are sampled.
_SAMPLED_ROWS = 16384
_SAMPLED_ROWS_PER_COEF = 128
_EXACT_DECREMENT = 1e-3

# Float32 Hessian products (kernels with ``single_hessians``: dense X in
# memory): every Hessian but the one expected to be the last is summed
# from float32 products of the scaled rows (accumulated in float64, see
# _kernels/binomial.pyx), entries to a few 1e-7 relative, while the
# gradient, and so the fixed point and the stopping test, stays float64.
# A Newton step on a Hessian with relative error e converges linearly at
# rate about kappa * e (kappa the equilibrated Hessian's condition
# number), so float32 stops once the factor shows kappa above
# 1 / _SINGLE_MIN_PIVOT (the squared pivots of the equilibrated factor
# bound 1 / kappa from above: a test that can miss a large kappa, after
# which the line search still guards each step) or needs a ridge (that
# Hessian is made again in float64, as is every later one).  The last
# Hessian (expected
# once half the previous decrement per unit weight is below tol after a
# step on an all-rows Hessian: the next one is then about its square,
# below tol^2) is float64, so the fit usually ends with the factor
# inference uses (else inference makes it).  One block pass with the
# Hessian, one core, AMD EPYC (Haswell kernels): 50,000 x 50 9.7 -> 8.1
# ms, 25,000 x 100 11.4 -> 8.7, 12,500 x 200 16.5 -> 10.8, 6,000 x 400
# 26.0 -> 15.4 (the gradient alone 3.1 / 3.0 / 2.4 / 1.8 ms).
_SINGLE_MIN_COEF = 40
_SINGLE_MIN_PIVOT = 1e-4

# In-memory data past one row chunk: once a step on all rows leaves half
# the decrement per unit weight below this (the quadratic region, where
# Newton's full step is accepted), the next iteration's pass is made at the
# full step before the line search, as clogit.dask does on every
# iteration: accepted, it saves the line search's X @ d and its objective
# along the line (a read of X and a log-loss over n).  So is the next
# pass of a row-sample Hessian after a full step: rejected, it costs about
# what it saves when accepted.  Penalty None, tol
# 1e-8, 2 cores (loaded): of a 200,000 x 50 fit's 0.196 s, 0.033 s were
# X @ d and 0.025 s the objective along the line, over 6 iterations.
# Fits with and without (the same iterates, 5 fits each alternately,
# loaded): 20,000 x 50 0.041 -> 0.032 s, 200,000 x 50 0.29 -> 0.24,
# 50,000 x 100 0.128 -> 0.132, 200,000 x 200 0.73 -> 0.67; with four
# times the signal (8 iterations) 0.24 -> 0.17, 0.17 -> 0.13, 0.74 ->
# 0.61.
_QUADRATIC_SPECULATION = 1e-3

# Kernels with a true ``reuse_factor`` attribute (clogit.dask, where an
# exact Hessian is a dsyrk of all rows on the workers) reuse an exact factor
# for one more step (Shamanskii's chord step) in the quadratic region, on
# fits the schedule samples (many rows): after an exact Hessian with half
# the decrement per unit weight at most _EXACT_DECREMENT but above tol (a
# Newton step from below tol is predicted to pass the stopping test, and
# its pass gets the exact Hessian the fit ends with).  The pass of a chord
# step reads X for the gradient only, and the step after it gets an exact
# Hessian again; a chord iterate that passes the gradient test gets its
# exact Hessian before the test (the decrement, inference's factor).
# bench/dask.py's task (1,000,000 x 101, tol 1e-8): the passes sampled x 3,
# exact x 3 became sampled x 3, exact, gradient only, exact (max|grad| of
# the last three iterates 1.2e-4, 1.2e-7, 8.8e-14 -> 1.2e-4, 1.2e-7,
# 1.9e-10); worker time of those passes ~155 ms each sampled, ~540 exact,
# ~150 gradient only (task stream, loaded 2-core machine); times in
# bench/dask.py.


def _penalty(coef, alpha, n_features):
    w = coef[:n_features]
    return 0.5 * alpha * float(w @ w)


def factor_with_ridge(H, n_features=None):
    """Cholesky-factor H in place after diagonal equilibration; add a ridge
    only if the equilibrated matrix is (numerically) singular.

    With ``D = diag(H)^(-1/2)`` the matrix ``D H D`` has a unit diagonal,
    so a well-posed but badly scaled system (a feature in the 1e8s next to
    standardized ones) factors as well as a well-scaled one.  If dpotrf
    still fails -- penalty None with collinear or constant features, or
    separable data -- ``tau * I`` is added to ``D H D``, tau starting at
    1e-12 and growing 100-fold until dpotrf succeeds: a ridge relative to
    each coefficient's own curvature (``tau * H_jj``), a damped Newton step
    (Levenberg–Marquardt style) that still descends; the line search keeps
    the iteration monotone.

    On return ``H`` holds a lower Cholesky factor ``L`` of ``H`` itself
    (plus the ridge, scaled back: ``L = D^-1 L~``), so ``cho_solve(H, b)``
    solves the original system.  Returns the relative ridge used (0.0 if
    none).
    """
    # one call equilibrates, factors and (on success) scales the factor's
    # rows back: L = D^-1 L~, row i times sqrt(H_ii); the ridge retries run
    # in the same call.  A zero diagonal entry (an all-zero feature without
    # penalty) keeps its scale: the ridge alone makes that coefficient's
    # step zero.
    n = H.shape[0]
    tau = ridged_cholesky(H, np.empty(n), np.empty((n, n), order="F"))
    if tau < 0.0:
        raise FloatingPointError("the Hessian has non-finite entries")
    return tau


def hessian_stride(kernels, coef0, n_coef):
    """The stride of the rows Newton's early Hessians come from (the
    Hessian schedule, see ``_SAMPLED_ROWS``): on a cold start (``coef0``
    None), kernels with ``sampling_stride`` and enough rows, every k-th
    row; else 1 (every Hessian exact).  ``n_coef``: the Hessian's order."""
    if coef0 is not None or not hasattr(kernels, "sampling_stride"):
        return 1
    return kernels.sampling_stride(max(_SAMPLED_ROWS,
                                       _SAMPLED_ROWS_PER_COEF * n_coef))


def _penalized_gradient(grad, coef, alpha, n_features):
    """The penalized objective's gradient, from the data term's ``grad``
    (the penalty not yet added; ``grad`` is left alone)."""
    full = grad.copy()
    full[:n_features] += alpha * coef[:n_features]
    return full


def _half_decrement(factor, gradient):
    """``g.H^-1.g / 2`` with ``H`` given by its Cholesky ``factor``."""
    direction = -gradient
    cho_solve(factor, direction)
    return -0.5 * float(gradient @ direction)


def strided(stride):
    """The pass's keyword for Hessians from every ``stride``-th row (none
    for exact Hessians: kernels without the option still work)."""
    return {"hessian_stride": stride} if stride > 1 else {}


def newton_binary(kernels, *, alpha, tol, max_iter, coef0=None, verbose=0,
                  label="", monitor=None, final_factor=True):
    """Fit a binary logistic model by Newton–Raphson.

    Parameters
    ----------
    kernels : BinomialPasses
        The data: the passes of ``clogit._backends.protocol.BinomialPasses``
        bound to X, y, the sample weights, the data term's weight C and
        ``fit_intercept`` (in memory ``_backends.memory.BinomialKernels``;
        ``clogit.dask`` passes kernels that run on the chunks of dask
        arrays).  Kernels with a true ``speculative_full_step`` attribute
        get the full step's pass before the line search (see the loop).
    alpha : float
        Strength of the l2 penalty ``alpha/2 * |w|^2`` (0 for none).
    tol : float
        Convergence tolerance.  Stopping test: ``max|gradient| / (C *
        sum(s)) <= tol`` (``_solvers.stopping.GRADIENT_TEST``); ``converged``
        is that test at the returned coefficients.  The iteration goes on
        while half the squared Newton decrement ``g.H^-1.g / 2``, same
        scaling, exceeds ``tol**2`` (the decrement is quadratic in the
        gradient, hence the square): a cheap guard against stopping one
        step early, never a reason to report convergence.
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
        ``clogit._solvers.separation`` to stop diverging unpenalized fits.
    final_factor : bool
        False: where an exact Hessian pass costs several gradient passes
        (the Hessian schedule samples rows, or at least
        ``_SINGLE_MIN_COEF`` coefficients), the pass expected to be the
        last reads X for the gradient only; the decrement guard then uses
        the previous iteration's exact factor, and the result carries no
        ``hessian_factor`` (only inference needs it, and assembles it when
        asked: one pass then, as the fit's last would have cost) but its
        ``data_objective``.  Intel Xeon, 2 cores, tol 1e-8, medians of 7
        (fit / fit + standard errors): 200,000 x 200 none 421 -> 320 ms /
        422 -> 422, l2 389 -> 304 / 390 -> 410; 50,000 x 100 none 48 -> 41
        / 49 -> 52; 200,000 x 50 none 103 -> 92 / 103 -> 110.  True: the
        fit ends with the factor (inference at once, a path reusing the
        pass).

    Returns
    -------
    SolverResult
    """
    n_features, scale, coef, (z, dz) = start_binary(kernels, coef0, 2)
    n_coef = coef.shape[0]

    grad = np.empty(n_coef)
    hess = np.empty((n_coef, n_coef), order="F")
    penalized = np.arange(n_features)
    converged = False
    max_ridge = ridge = 0.0
    objective = np.nan
    g_max = np.inf
    guard = StallGuard()
    stopped_by_monitor = False
    iteration = 0
    reason = ""
    fresh = False  # g_max belongs to the current coef
    # Kernels whose every pass costs a round trip (clogit.dask) evaluate the
    # full Newton step's objective, gradient and Hessian in one speculative
    # pass: accepted (Newton's usual case) it is the next iteration's pass,
    # so an iteration costs one pass instead of a pass, ``X @ d`` and a
    # line-search reduction.  The iterates are the same up to rounding: the
    # full step's objective comes from X (coef + d) instead of z + X d,
    # which can tip an Armijo or stall decision only at float64's limit
    # (tol of about 1e-9 and below).
    speculate = getattr(kernels, "speculative_full_step", False)
    # In-memory kernels past one row chunk speculate the same way in the
    # quadratic region and after full steps on row-sample Hessians (see
    # _QUADRATIC_SPECULATION), where the full step is all but always
    # accepted or a rejection costs little.
    speculate_quadratic = (not speculate
                           and len(getattr(kernels, "chunks", ())) > 1)
    next_grad = next_hess = next_z = None
    # a shorter or longer step than the speculative full one takes X d as
    # the difference of the scores at coef + d and at coef (no X read)
    subtract = getattr(kernels, "subtract_scores", None) or (
        lambda a, b, out: np.subtract(a, b, out=out))
    pending = None  # data objective of a speculative pass at coef
    pending_single = False  # whose Hessian was float32
    last_step = 1.0
    # the chord steps (see _EXACT_DECREMENT): ``want`` says whether the next
    # pass computes the Hessian, ``stale`` that ``hess`` holds the factor
    # of an earlier iterate, not coef's Hessian
    want = True
    stale = False
    # the Hessian schedule: the early Hessians from every stride-th row
    # while stride > 1, exact ones afterwards
    stride = hessian_stride(kernels, coef0, n_coef)
    # chord steps only where the schedule samples (many rows: a Hessian
    # pass is mostly dsyrk, not a round trip); smaller dask fits keep the
    # in-memory iterates
    reuse = stride > 1 and getattr(kernels, "reuse_factor", False)
    # float32 Hessian products while not expected to be the last (see
    # _SINGLE_MIN_COEF); ``single_now``: this iteration's were
    single = (getattr(kernels, "single_hessians", False)
              and n_coef >= _SINGLE_MIN_COEF)
    last_expected = single_now = False
    # no Hessian in the pass expected to be the last (final_factor);
    # ``lazy_data``: the data objective at coef when the fit ended so
    # (never with reuse_factor's chord steps: their stale passes are not
    # lazy_final's, and last_expected after one means the opposite)
    lazy_final = (not final_factor and not speculate and not reuse
                  and (stride > 1 or n_coef >= _SINGLE_MIN_COEF))
    lazy_data = None

    # Cache-sized in-memory data: the same iterations in one Cython call
    # (see _kernels/binomial_newton.pyx) when nothing needs Python between
    # them.  breast_cancer (569 x 30, l2, 9 iterations; AMD EPYC, 2 cores
    # shared with other work, 200 fits each, three alternations): the
    # whole fit's fastest 1.8-2.0 -> 1.1-1.2 ms, median 2.9-3.7 -> 1.6-2.2.
    loop = getattr(kernels, "newton_loop", None)
    if (loop is not None and monitor is None and not verbose and stride == 1
            and not speculate and max_iter >= 1):
        outcome = loop(coef, alpha, scale, tol, max_iter, hess,
                       (ARMIJO, MAX_HALVINGS, ROUNDING_ULPS, PATIENCE,
                        EXPAND_SHARE, MAX_EXPANSIONS))
        if outcome is not None:
            (iteration, objective, g_max, max_ridge, ridge, fresh, converged,
             code) = outcome
            if code == _loop.NONFINITE_HESSIAN:
                raise FloatingPointError(
                    "the Hessian has non-finite entries")
            reason = {_loop.LINE_SEARCH_FAILED: SEARCH_FAILED,
                      _loop.FLOAT_LIMIT: AT_FLOAT_LIMIT}.get(code, "")
            return _newton_result(coef, objective, iteration, converged,
                                  fresh, g_max, max_ridge, ridge, hess,
                                  alpha, label, tol, False, reason)

    for iteration in range(1, max_iter + 1):
        # 1. Objective, gradient and Hessian at coef: one pass over X (the
        #    early Hessians from the row sample, see above).
        if pending is None:
            use_single = (single and want and not last_expected
                          and kernels.single_hessians)
            objective = kernels.block_pass(coef, grad, hess if want else None,
                                           z, **strided(stride),
                                           **_single(use_single))
            single_now = use_single and kernels.single_hessians
        else:
            objective = pending
            single_now = pending_single
            grad, next_grad = next_grad, grad
            if want:
                hess, next_hess = next_hess, hess
            z, next_z = next_z, z
            if not speculate:  # the full step's scores were in dz
                dz = next_z
        stale = not want
        full_grad = (_penalized_gradient(grad, coef, alpha, n_features)
                     if stride > 1 or stale else None)
        g_now = (np.inf if full_grad is None
                 else float(np.max(np.abs(full_grad))) / scale)
        passes = g_now <= tol
        if passes and lazy_final and stale:
            # the pass expected to be the last, without a Hessian: the
            # decrement guard on the previous iteration's exact factor
            if _half_decrement(hess, full_grad) / scale <= tol * tol:
                lazy_data = objective
                objective += _penalty(coef, alpha, n_features)
                g_max = g_now
                fresh = converged = True
                if verbose:
                    print(f"{label}iter {iteration:3d}  objective "
                          f"{objective:.12e}  max|grad| {g_max:.3e}  "
                          "converged (no Hessian pass)")
                break
        if passes:
            # the stopping test may pass here (on the penalized gradient):
            # it needs the exact Hessian at coef (the decrement,
            # inference's factor)
            stride = 1
            stale = False
            objective = kernels.block_pass(coef, grad, hess, z)
            single_now = False
        if alpha:
            objective += _penalty(coef, alpha, n_features)
            grad[:n_features] += alpha * coef[:n_features]
            if not stale:
                hess[penalized, penalized] += alpha
        if monitor is not None and monitor(iteration, coef, objective, z):
            stopped_by_monitor = True
            if verbose:
                print(f"{label}iter {iteration:3d}  stopped by the monitor")
            break

        # 2. Newton direction d = -H^-1 g by Cholesky of the equilibrated
        #    Hessian (a ridge only if that is singular).
        #    A chord step (stale) solves with the factor it reuses.
        # a step on an all-rows Hessian converges quadratically: after it
        # the next decrement is about the square of this one
        quadratic = stride == 1 and not stale
        if not stale:
            if single_now:
                curvature = np.diagonal(hess).copy()
            ridge = factor_with_ridge(hess, n_features)
            if single_now and (ridge > 0.0
                               or _small_pivot(hess, curvature)):
                # ill-conditioned for float32 products (their error times
                # the condition number would steer the step): float64
                # from now on, this iteration's Hessian made again
                single = single_now = False
                kernels.sample_hessian(coef, hess, stride)
                if alpha:
                    hess[penalized, penalized] += alpha
                ridge = factor_with_ridge(hess, n_features)
            if ridge > max_ridge:
                max_ridge = ridge
        direction = -grad
        cho_solve(hess, direction)
        decrement_sq = -float(grad @ direction)  # g.H^-1.g >= 0
        if stride > 1 and 0.5 * decrement_sq / scale <= _EXACT_DECREMENT:
            stride = 1  # the quadratic region: exact from now on
        elif reuse and stride == 1:
            # the next pass reuses this exact factor (a chord step) in the
            # quadratic region unless it is predicted to converge
            want = (stale or not tol < 0.5 * decrement_sq / scale
                    <= _EXACT_DECREMENT)

        # 3. Convergence: scaled gradient and Newton decrement.  (Not the
        #    objective's change: near the optimum a Newton step still fixes
        #    digits of the coefficients long after f stops changing.)
        g_max = float(np.max(np.abs(grad))) / scale
        fresh = True
        # (and after a chord step of reuse_factor's, which it takes only
        # in the quadratic region: the exact Hessian after it is usually
        # the last.  Not after lazy_final's gradient-only pass: that one
        # was expected to be the last and was not, so the next pass must
        # assemble the Hessian again, else every later pass would skip it
        # and the fit crawl on chord steps from a stale factor.)
        last_expected = (stale and reuse) or (
            quadratic and 0.5 * decrement_sq / scale <= tol)
        if lazy_final:
            want = not last_expected
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
        #    In the global phase a longer step is tried after an accepted
        #    full one (linesearch.EXPAND_SHARE), unless the separation
        #    monitor watches the iterates (a separating direction's
        #    objective falls along it forever: longer steps would only
        #    spoil its diagnosis).
        penalty = (lambda c: _penalty(c, alpha, n_features) if alpha
                   else 0.0)
        full_step = pending = None
        if speculate or (speculate_quadratic and (
                (quadratic and 0.5 * decrement_sq / scale
                 <= _QUADRATIC_SPECULATION)
                or (stride > 1 and last_step == 1.0))):
            if next_grad is None:
                next_grad = np.empty(n_coef)
                next_hess = np.empty((n_coef, n_coef), order="F")
            # in memory the full step's scores go into dz (no n-vector
            # more): a shorter step then takes dz = those - z, no X @ d
            next_z = (dz if not speculate else next_z if next_z is not None
                      else kernels.new_scores())
            trial = coef + direction
            pending_single = (single and want and not last_expected
                              and kernels.single_hessians)
            pending = kernels.block_pass(trial, next_grad,
                                         next_hess if want else None, next_z,
                                         **strided(stride),
                                         **_single(pending_single))
            pending_single = pending_single and kernels.single_hessians
            full_step = pending + penalty(trial)
        step, stop = step_along(
            kernels, coef, direction, z, dz, objective, -decrement_sq,
            penalty, guard, g_max, full_step,
            None if pending is None else
            (lambda: subtract(next_z, z, dz)),
            expand=monitor is None and expands(decrement_sq, objective))
        last_step = step
        if step != 1.0:
            pending = None
        if step is not None:
            fresh = False
        if stop:
            reason = stop
            if verbose:
                print(f"{label}iter {iteration:3d}  {stop}")
            break
        if verbose:
            print(f"{label}iter {iteration:3d}  objective {objective:.12e}  "
                  f"max|grad| {g_max:.3e}  decrement {decrement_sq:.3e}  "
                  f"step {step:.3g}" + (f"  ridge {ridge:.1e}" if ridge
                                        else "")
                  + ("  reused factor" if stale else ""))

    # 5. The stopping test at the returned coefficients: evaluated again
    #    when the loop ended after a step (max_iter, or the stall guard).
    if not stopped_by_monitor:
        if not fresh:
            g_max = binary_measure(kernels, coef, 0.0, alpha, scale)
        converged = g_max <= tol
    result = _newton_result(coef, objective, iteration, converged, fresh,
                            g_max, max_ridge, ridge,
                            None if single_now or stale else hess, alpha,
                            label, tol, stopped_by_monitor, reason)
    result.data_objective = lazy_data
    if fresh:
        # the last pass was at coef itself, and it left its scores in z
        # (the separation monitor's final check needs no pass then)
        result.scores = z
    return result


def _single(use):
    """The pass's keyword for float32 Hessian products (none for
    float64: kernels without the option still work)."""
    return {"single_hessian": True} if use else {}


def _small_pivot(factor, curvature):
    """Whether the Cholesky factor of a Hessian with diagonal
    ``curvature`` has an equilibrated squared pivot below
    ``_SINGLE_MIN_PIVOT`` (a condition number above its inverse)."""
    positive = curvature > 0.0
    pivots = np.diagonal(factor)[positive] ** 2 / curvature[positive]
    return pivots.size > 0 and float(pivots.min()) < _SINGLE_MIN_PIVOT


def _newton_result(coef, objective, iteration, converged, fresh, g_max,
                   max_ridge, ridge, hess, alpha, label, tol,
                   stopped_by_monitor, reason):
    """The SolverResult of a Newton fit (and its warning about a ridge on
    an unpenalized problem); ``hess`` holds the last factorization, which
    is the covariance's when it was made at the returned coefficients
    (``fresh``) without a ridge."""
    if max_ridge > 0.0 and not alpha:
        # Only a problem without penalty can be truly singular; with l2 the
        # Hessian is positive definite and a ridge only rescues float64
        # (the stopping test above says whether the fit got there).
        warnings.warn(
            f"{label}Newton: the Hessian was singular even after diagonal "
            "equilibration (collinear or constant features, or separable "
            f"classes); a ridge of {max_ridge:.3g} times each coefficient's "
            "curvature was added to solve the Newton system. Remove "
            "collinear features or use penalty='l2' (smaller C).",
            LinAlgWarning, stacklevel=4)
    factor = hess if converged and fresh and ridge == 0.0 else None
    return SolverResult(coef=coef, objective=objective, n_iter=iteration,
                        converged=converged, max_abs_grad=g_max,
                        ridge=max_ridge, hessian_factor=factor,
                        stopped_by_monitor=stopped_by_monitor,
                        solver="Newton", test=GRADIENT_TEST, tol=tol,
                        reason=reason)
