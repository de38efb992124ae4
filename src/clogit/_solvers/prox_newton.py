"""Proximal Newton for ℓ1- and elastic-net-penalized binary logistic models.

Minimizes ``F(w, b) = C * sum_i s_i loss(y_i, x_i.w + b)
+ l1 * |w|_1 + l2/2 * |w|^2`` (penalty "l1": l1 = 1, l2 = 0; "elasticnet":
l1 = l1_ratio, l2 = 1 - l1_ratio, scikit-learn's convention).

Each outer iteration (the design of glmnet's newGLMNET and glum's IRLS-CD,
with a working set so that the Hessian is only ever assembled over the few
features that matter):

1. Objective and residual ``r = C s (p - y)`` from the current scores
   (a blocked pass over the *active* columns only), then the full gradient
   ``X.T r`` (one gemv over X) for the KKT check.
2. KKT check over every feature -- the stopping test, the minimum-norm
   subgradient (``_solvers.stopping.SUBGRADIENT_TEST``): stop when its
   largest entry, the intercept's gradient included, scaled by
   ``1 / (C * sum(s))``, is at most ``tol``; ``converged`` is the test at
   the returned coefficients.
3. Working set = nonzero coefficients + the worst KKT violators (at most as
   many new ones as there are nonzeros, at least 10).  Violators re-enter
   here, so features dropped too early come back.
4. The exact Hessian restricted to the working set (+ intercept), by the same
   blocked dsyrk kernel on the gathered columns -- except for sparse X with
   a working set of more than ``_DENSE_MODEL_MAX_FEATURES`` features, where
   step 5 runs on X's columns and the Hessian is never formed.
5. Cyclic coordinate descent with soft-thresholding on the local quadratic
   model (``_kernels.cd.cd_quadratic``), with an inner tolerance of 1e-3 times the
   current KKT violation (loose far from the optimum, tight near it, so the
   outer iteration stays superlinear: on the bench/l1.py task 7 outer
   iterations against 9 with a 0.1 factor) and capped sweeps.  Without
   the model Hessian (step 4), CD that does not converge in a few sweeps
   hands over to conjugate gradients on its sign pattern
   (:func:`orthant_cg_step`, :func:`_matrix_free_model_step`).
6. Armijo backtracking on the full composite objective along the step,
   reusing ``X d`` (computed over the working-set columns); coefficients
   left at float64's rounding level of the largest are set to 0.0
   (:func:`drop_rounding_level`: ties of a non-unique optimum end the same
   way for dense and sparse X).

With candidates (a path's screened points) on dense X where a point's
Hessian is cheap (:func:`small_dense`), steps 1-6 run in one Cython call
(``_kernels.cd.prox_newton_small``) on the candidates' columns, gathered
once per point: the same iteration without its per-step Python.
"""

from __future__ import annotations

import numpy as np

from .._kernels.blas import cho_solve, cholesky
from .._kernels.cd import cd_quadratic, prox_newton_small
from .linesearch import backtrack
from .newton_cg import conjugate_gradient
from .result import SolverResult
from .start import start_binary
from .stopping import (SUBGRADIENT_TEST, binary_measure, kkt_violation,
                       penalized_measure)

MAX_SWEEPS = 200
# ... and in the one-call solve of small dense points (_small_point), where
# the orthant step at the cap (a Cholesky factor of at most 31 x 31 on
# breast_cancer) costs less than a few sweeps: there CD stopped at 200
# sweeps in a third of the outer iterations (collinear features), and a
# fold's 100-point path took 33 ms at 200, 24 ms at 30 (386 outer
# iterations against 383); the path + CV 0.266 s at 200, 0.192 s at 50,
# 0.184 s at 20, 0.198 s at 10 (more iterations).
SMALL_MAX_SWEEPS = 30
# The matrix-free model step (sparse X, wide working set): CD sweeps before
# conjugate gradients take over, CG rounds, iterations per round, and the
# CD sweeps polishing each round (see _matrix_free_model_step).
CD_SWEEPS_BEFORE_CG = 10
CG_ROUNDS = 3
CG_ITERATIONS = 150
POLISH_SWEEPS = 5
# ... and its inner tolerance's factor on the KKT violation (1e-3 for the
# dense model, see step 5): a fold path of bench/cv.py's text task took
# 11.2 s of CPU at 1e-2, 14.0 s at 1e-3, 12.8 s at 5e-2 (more outer
# iterations); measured with 10 sweeps before CG, 150 CG iterations,
# 5 polishing sweeps, where 20 / 100 / 20 took 19.9 s.
MATRIX_FREE_INNER = 1e-2
# Working sets past this many features on sparse X skip the dense model
# Hessian (k^2 floats; at k = 34,000 on bench/sparse.py's task with C = 10,
# 9 GB and 670 s for the fit) for coordinate descent on X's columns.
# A larger cap does not pay where CD is slow either: on a fold of
# bench/cv.py's text task at C = 101 (k = 4,848, 400,000 nonzeros) the
# dense model is 188 MB and 18% nonzero, a CD sweep on it reads k^2 = 23.5
# million entries against 0.4 million nonzeros on X's columns, and a
# Cholesky factor for an orthant step costs k^3 / 3 = 3.8e10 flops; the
# matrix-free CG step (orthant_cg_step) solves that model in 100-150
# products of 0.4 million nonzeros each.
_DENSE_MODEL_MAX_FEATURES = 1000


# Coefficients within this many ulps of the largest one are rounding, not
# signal: set to 0.0 after each step.  When the optimum is not unique (two
# identical columns share a coefficient), the coordinate descent splits it
# at float64's rounding level, and dense and sparse kernels round
# differently; this rule makes both keep the same zeros.
TIE_ULPS = 64


def matrix_free(kernels, k):
    """Whether a working set of ``k`` features runs step 5 on X's columns
    (sparse X, ``k > _DENSE_MODEL_MAX_FEATURES``): its model Hessian is
    never formed, so none is kept between iterations or path points."""
    return k > _DENSE_MODEL_MAX_FEATURES and getattr(kernels, "sparse", False)


def drop_rounding_level(w):
    """Zero, in place, the entries of ``w`` at rounding level of its
    largest (see ``TIE_ULPS``)."""
    largest = float(np.max(np.abs(w), initial=0.0))
    w[np.abs(w) <= TIE_ULPS * np.finfo(np.float64).eps * largest] = 0.0


def penalty_value(w, l1, l2):
    return l1 * float(np.abs(w).sum()) + 0.5 * l2 * float(w @ w)


def model_decrease(grad, coef, step, n_penalized, l1, l2):
    """``g.d + R(w + d) - R(w)``, the decrease the step promises.

    Summed coordinate by coordinate from exact differences, so that near the
    optimum (where ``g.d`` and the change of ``R`` nearly cancel) the result
    is not drowned by the rounding error of ``R(w)`` itself.
    """
    w = coef[:n_penalized]
    d = step[:n_penalized]
    change = (l1 * (np.abs(w + d) - np.abs(w)) + l2 * (w * d + 0.5 * d * d))
    return float(grad @ step) + float(change.sum())


def search_composite(kernels, z, dz, w, d, l1, l2, objective, decrease,
                     full_step=None, fill_dz=None):
    """Armijo backtracking on the composite objective along a proximal
    Newton step: the data term at ``z + t dz`` (cached scores, no pass over
    X) plus the penalty at ``w + t d`` (the penalized coefficients).
    Returns the step, or None when the search fails.

    ``full_step``, if given, is the objective at ``w + d``, already
    evaluated (a speculative pass); ``fill_dz()`` then fills ``dz`` only
    if a shorter step has to be tried."""
    need_dz = [fill_dz is not None]

    def objective_at(t):
        if t == 1.0 and full_step is not None:
            return full_step
        if need_dz[0]:
            fill_dz()
            need_dz[0] = False
        return kernels.objective_along(z, dz, t) + penalty_value(
            w + t * d, l1, l2)

    step, _ = backtrack(objective_at, objective, decrease)
    return step


def orthant_step(hess, grad, coef, step, n_penalized, l1, l2):
    """A step at least as good as ``step`` for the local model, from the
    model's exact minimizer on the sign pattern of ``coef + step``; None
    when it brings nothing.

    On the closed orthant where the penalized coordinates of
    ``v = coef + d`` keep the signs ``sigma`` of ``coef + step`` (and its
    zeros stay zero), the model ``g.d + 1/2 d.H.d + l1 |v|_1 + l2/2 |v|^2``
    is the smooth quadratic with linear term ``l1 sigma.v``, minimized by
    one Cholesky solve on the nonzeros (and the intercept).  Along the
    segment from ``coef + step`` to that minimizer the quadratic decreases;
    the step goes as far as the orthant allows (all the way if the
    minimizer keeps the signs; else to the first coordinate that reaches
    zero, which is then exactly zero), so its model value is never larger
    than the given step's.
    """
    start = coef + step
    nonzero = np.flatnonzero(start[:n_penalized])
    m = nonzero.shape[0]
    free = np.concatenate([nonzero, np.arange(n_penalized, coef.shape[0])])
    sigma = np.sign(start[nonzero])
    A = np.asfortranarray(hess[np.ix_(free, free)])
    A[np.arange(m), np.arange(m)] += l2
    # (H_FF + l2 P) v_F = H_F. coef - g_F - l1 sigma, with v = 0 off F
    target = hess[free] @ coef - grad[free]
    target[:m] -= l1 * sigma
    if cholesky(A) != 0:
        return None
    cho_solve(A, target)
    toward = target - start[free]
    # the largest t in (0, 1] keeping sign(start + t * toward) = sigma
    moving_back = sigma * toward[:m] < 0.0
    fraction = 1.0
    crossing = None
    if moving_back.any():
        ratios = -start[nonzero][moving_back] / toward[:m][moving_back]
        first = int(np.argmin(ratios))
        if ratios[first] < 1.0:
            fraction = float(ratios[first])
            crossing = np.flatnonzero(moving_back)[first]
    if not fraction > 0.0:
        return None
    v = start[free] + fraction * toward
    if crossing is not None:
        v[crossing] = 0.0
    polished = -coef.copy()
    polished[free] += v
    return polished


def _model_value(grad, coef, step, dz, weights, n_penalized, l1, l2):
    """The local model ``g.d + 1/2 d.H.d + R(w + d) - R(w)`` at ``step``,
    with ``H = Xt_W.T diag(weights) Xt_W`` and ``dz = Xt_W @ step`` (no pass
    over X)."""
    return (model_decrease(grad, coef, step, n_penalized, l1, l2)
            + 0.5 * float(dz @ (weights * dz)))


def orthant_cg_step(kernels, weights, diagonal, grad, coef, step, working,
                    l1, l2, max_iter, tol):
    """:func:`orthant_step` without the Hessian: the model's minimizer on
    the sign pattern of ``coef + step``, by preconditioned conjugate
    gradients on X's rows, projected back onto that orthant.

    For sparse X with a wide working set, where the model Hessian is never
    formed (``_DENSE_MODEL_MAX_FEATURES``) and coordinate descent on X's
    columns is slow (nearly separable data at large C: large coefficients,
    Hessian weights spread over 25 orders of magnitude).  On a fold of
    bench/cv.py's text task at C = 101 (4,848 features), the Jacobi-scaled
    model Hessian on the nonzeros has eigenvalues from 1e-3 to 4 (900 below
    0.1) and CD left the model 7e-2 (relative) above its minimum after 200
    sweeps, 1e-2 after 400, where 20 sweeps, 100 CG iterations (one
    Hessian-vector pass each, about a sweep's cost) and 20 sweeps left
    3e-4, and three such rounds 3e-6.  Jacobi is the preconditioner because
    the ill-conditioning there is global: CG from zero to a 1e-2 relative
    residual took 134 products with it, 111 with the exact block of the
    1,000 most frequent terms, 96 with that of the 2,500 of least curvature
    per nonzero (each a dense factor of its block).

    On the nonzeros F of ``v = coef + step`` (and the intercept), with
    ``sigma`` their signs, the model is the smooth quadratic with linear
    term ``l1 sigma.v``: CG solves ``(H_FF + l2 I) e = -(model gradient at
    step on F)`` from ``e = 0`` (each iterate lowers the model on the
    orthant's face), with Jacobi preconditioning (``diagonal``: the Hessian's
    diagonal over all features, intercept last), until the residual's
    2-norm is at most ``tol`` or ``max_iter`` iterations
    (:func:`clogit._solvers.newton_cg.conjugate_gradient`).
    Coordinates whose sign the solution flips are set to zero (a projection,
    so the result may be worse for the model than ``step``: the caller
    compares).  Returns the new step (working set, then intercept).
    """
    n_features = kernels.n_features
    has_b = 1 if kernels.fit_intercept else 0
    k = working.shape[0]
    start = coef + step
    nonzero = np.flatnonzero(start[:k])
    free = np.concatenate([nonzero, np.arange(k, k + has_b)])
    sigma = np.sign(start[nonzero])
    # the free coordinates' positions in a full (features + intercept)
    # vector, what kernels.hessian_vector multiplies
    full_index = np.concatenate([working[nonzero],
                                 np.arange(n_features, n_features + has_b)])
    full = np.zeros(n_features + has_b)
    product = np.empty(n_features + has_b)

    def hessian_times(u, out):
        full[full_index] = u
        kernels.hessian_vector(full, weights, product)
        out[...] = product[full_index]
        out[:nonzero.size] += l2 * u[:nonzero.size]

    # the model's gradient at step on F: g + H step + l2 (w + d) + l1 sigma
    gradient_at_step = np.empty(free.shape[0])
    hessian_times(step[free], gradient_at_step)
    gradient_at_step += grad[free]
    gradient_at_step[:nonzero.size] += l2 * coef[nonzero] + l1 * sigma
    inverse = 1.0 / np.maximum(diagonal[full_index], np.finfo(float).tiny)
    inverse[:nonzero.size] = 1.0 / (diagonal[full_index[:nonzero.size]] + l2)
    # CG's test is on the residual's 2-norm, which bounds its largest entry
    norm = float(np.linalg.norm(gradient_at_step))
    e, _ = conjugate_gradient(hessian_times, gradient_at_step, inverse,
                              tol / norm if norm > 0.0 else 0.0, max_iter)
    v = start[free] + e
    flipped = np.flatnonzero(np.sign(v[:nonzero.size]) != sigma)
    v[flipped] = 0.0
    polished = step.copy()
    polished[free] = v - coef[free]
    return polished


# A kept model Hessian (ModelHessian) converges linearly, at a rate set by
# how far the Hessian weights moved since it was assembled; a fresh one
# then converges in about FRESH_ITERATIONS.  The kept one is dropped when
# the iterations it still needs at its observed rate cost more than a
# fresh Hessian and those iterations, in seconds estimated from sizes
# (deterministic, whatever the load): an iteration reads the candidates'
# rows once (dense: every column of them, PASS_RATE elements/s) plus
# ITERATION_SECONDS of Python; a dense Hessian is such a pass and n k^2
# flops at SYRK_RATE (AMD EPYC, one core: a 10,000 x 400 pass 3.0 ms, its
# Hessian on k = 136 columns 9.4 ms more; breast_cancer's path, 0.28 ms
# an iteration); sparse X's costs a pass over its nonzeros and k^2 entries.
# Where a fresh Hessian costs less than ITERATION_SECONDS, none is kept
# (the bookkeeping would cost more: breast_cancer's path took 0.17 s of CPU
# keeping them, 0.08 s not).
PASS_RATE = 1.3e9
SYRK_RATE = 2.0e10
ITERATION_SECONDS = 3e-4
FRESH_ITERATIONS = 2.0
# The bounds of ModelHessian.gamma.
GAMMA_RANGE = (0.05, 20.0)
# The one-call solve of small points (small_dense) on larger dense X: at
# most this many Python iterations' worth of fresh Hessian per iteration,
# and a gathered copy of the candidates' columns of at most this size.
SMALL_HESSIAN_ITERATIONS = 4.0
SMALL_BUFFER_BYTES = 16 << 20


def iteration_costs(kernels, k):
    """Estimated seconds of an outer iteration on a kept Hessian and of
    assembling a fresh one on ``k`` features (see ``PASS_RATE``)."""
    X = getattr(kernels, "X", None)
    if X is not None and hasattr(X, "nnz"):
        return (X.nnz / PASS_RATE + ITERATION_SECONDS,
                (X.nnz + k * k) / PASS_RATE)
    n = getattr(kernels, "n_samples", 0)
    one_pass = n * kernels.n_features / PASS_RATE
    return one_pass + ITERATION_SECONDS, one_pass + n * k * k / SYRK_RATE


def refresh_pays(ratio, distance, k, kernels):
    """Whether assembling the Hessian afresh should cost less than going
    on with the kept one, whose last iteration cut the violation by
    ``ratio``, still ``distance`` times the tolerance, on ``k`` features
    of the problem of ``kernels``."""
    if ratio >= 1.0:
        return True
    if distance <= 1.0 or ratio <= 0.0:
        return False
    iteration, hessian = iteration_costs(kernels, k)
    remaining = np.log(distance) / -np.log(ratio)
    return remaining > FRESH_ITERATIONS + hessian / iteration


class ModelHessian:
    """The local model's Hessian per unit C, kept between outer iterations
    and, on a regularization path, between its points, with a scale
    ``gamma`` fitted to each step taken on it.

    Assembling the working set's Hessian (``n k^2`` flops) is most of an
    outer iteration once k is in the hundreds, while the Hessian at
    nearby coefficients -- the previous iteration's, or the previous
    path point's, which is where the next point starts -- is almost as
    good a model.  :func:`prox_newton_binary` given one reuses it (scaled
    to the current C) until its observed rate makes a fresh one cheaper
    (:func:`refresh_pays`), and features that join the working set are
    added as rows of the Hessian at the scores it was assembled at
    (``kernels.cd_model_rows``, one ``n k_new k`` product; without it the
    model is assembled afresh).  Every step is still searched on the true
    objective and the stopping test is unchanged, so only the path to the
    optimum differs, not the optimum.

    The model is ``C gamma H`` (:meth:`rescale`): along a path the
    coefficients grow with C and the Hessian weights ``p (1 - p)`` shrink,
    so a kept Hessian overstates the curvature and its steps fall short;
    one scalar fitted to the curvature each step showed (the secant
    condition along the step) corrects most of that and keeps the model
    positive definite and its extension rows consistent.  On bench/cv.py's
    dense quick task (10,000 x 400, 86 C, path + 5-fold CV) the kept
    Hessians needed 2,077 outer iterations without it, 1,830 with it
    (8.8 s against 7.5 s).
    """

    def __init__(self):
        self.columns = None  # sorted int32 features, intercept last in matrix
        self.matrix = None
        self.gamma = 1.0
        self.z = None
        self.stale = True

    def store(self, columns, hess, C, z):
        """Keep ``hess`` (the data term's at scores ``z``, weight ``C``)."""
        self.columns = np.array(columns, dtype=np.int32)
        self.matrix = np.asfortranarray(hess / C)
        self.gamma = 1.0
        self.z = np.array(z, dtype=np.float64)
        self.stale = False

    def rescale(self, secant, full_grad, grad_b, C):
        """Set ``gamma`` from the last step on the kept Hessian:
        ``secant = (s, g, columns, H)``, the step ``s`` taken on
        ``columns`` (+ intercept) from the model ``C gamma H``, the data
        gradient there before it, ``g``; ``full_grad`` and ``grad_b`` are
        the data gradient after it.  ``gamma = y.s / (C s.H.s)``, ``y`` the
        gradient's change: the curvature the data term showed along the
        step over the one the kept Hessian has (within GAMMA_RANGE)."""
        step, before, columns, matrix = secant
        after = (np.append(full_grad[columns], grad_b)
                 if before.shape[0] > columns.shape[0]
                 else full_grad[columns])
        shown = float((after - before) @ step)
        kept = C * float(step @ (matrix @ step))
        if shown > 0.0 and kept > 0.0:
            self.gamma = min(max(shown / kept, GAMMA_RANGE[0]),
                             GAMMA_RANGE[1])

    def model(self, kernels, working, has_b):
        """The kept Hessian on ``working`` (+ intercept) per unit C, or
        None when it is stale or cannot be extended to ``working``; the
        model's Hessian is ``kernels.C`` times it.  The kept matrix
        itself when its columns are ``working`` (not to be written)."""
        if self.stale or self.matrix is None:
            return None
        new = np.setdiff1d(working, self.columns, assume_unique=True)
        if new.size and not self._extend(kernels, new.astype(np.int32),
                                         has_b):
            return None
        if self.columns.size > 2 * working.size + 64:
            self._restrict(working, has_b)
        if np.array_equal(self.columns, working):
            # the kept columns themselves (most iterations near a path's
            # end): no copy (the caller scales the model instead; on
            # bench/cv.py's dense task, k ~ 400, a scaled copy took 0.4 s
            # of the 5-fold paths' 7)
            return self.matrix
        index = np.searchsorted(self.columns, working)
        if has_b:
            index = np.append(index, self.columns.size)
        return np.asfortranarray(self.matrix[np.ix_(index, index)])

    def _extend(self, kernels, new, has_b):
        union = np.union1d(self.columns, new).astype(np.int32)
        k1 = union.size + has_b
        rows = np.empty((new.size, k1), order="F")
        method = getattr(kernels, "cd_model_rows", None)
        if method is None or not method(self.z, new, union, rows):
            return False
        old = np.searchsorted(union, self.columns)
        if has_b:
            old = np.append(old, union.size)
        fresh = np.searchsorted(union, new)
        matrix = np.empty((k1, k1), order="F")
        matrix[np.ix_(old, old)] = self.matrix
        matrix[fresh, :] = rows
        matrix[:, fresh] = rows.T
        self.columns, self.matrix = union, matrix
        return True

    def _restrict(self, working, has_b):
        index = np.searchsorted(self.columns, working)
        if has_b:
            index = np.append(index, self.columns.size)
        self.matrix = np.asfortranarray(self.matrix[np.ix_(index, index)])
        self.columns = np.array(working, dtype=np.int32)


class PointPass:
    """A path point's last pass, per unit C, for the next point to start
    from without reading X: the data term, scores and residual that
    :func:`prox_newton_binary` computed at ``coef``, and the data gradient
    over all features there (``grad``, filled by the path from its KKT
    product; None until then).  The data term, residual and gradient are
    linear in C, so they only need rescaling at the next C."""

    def __init__(self):
        self.coef = None
        self.data = self.z = self.residual = self.grad = None

    def keep(self, coef, data, z, residual, C):
        self.coef = coef.copy()
        self.data = data / C
        self.z = z.copy()
        self.residual = residual / C
        self.grad = None

    def matches(self, coef):
        return (self.grad is not None and self.coef is not None
                and np.array_equal(self.coef, coef))


def prox_newton_binary(kernels, *, l1, l2, tol, max_iter, coef0=None,
                       verbose=0, label="", candidates=None,
                       orthant_newton=False, keep_residual=False,
                       hessian=None, point_pass=None):
    """Fit an ℓ1 / elastic-net penalized binary logistic model.

    Parameters and return value are those of
    :func:`clogit._solvers.newton.newton_binary` (the kernels also keep the
    residual buffer, whose ``.sum()`` gives the intercept's gradient), with
    ``l1`` and ``l2`` the penalty strengths in place of ``alpha``.
    ``max_abs_grad`` holds the largest scaled KKT violation (the
    minimum-norm subgradient).

    ``candidates`` (sorted int32 feature indices, optional) restricts the
    problem to those features: every other coefficient stays zero (so
    ``coef0`` must be zero outside them), the KKT test runs over the
    candidates only and step 1's gradient is one pass over their columns
    instead of a product with all of X (over all columns, the others'
    coefficients zero, where the kernels read X in place faster than they
    gather the candidates' columns: ``kernels.reads_in_place``; the
    result's ``gradient`` is then every feature's).  A regularization path
    passes the features its screening rule kept and checks the others itself
    (``clogit._solvers.path``).  The default (None) is all features.

    ``orthant_newton=True``: when coordinate descent stops at its sweep cap
    (an ill-conditioned model: collinear features at large C, where it
    converges slowly and the outer iteration with it), the step is moved
    toward the model's exact minimizer on the sign pattern CD reached, as
    far as that pattern allows (:func:`orthant_step`).  Near the optimum
    the pattern is fixed and the iteration is Newton's on a smooth
    function.  Off by default.

    ``keep_residual=True``: the result's ``residual`` is the residual at
    the returned coefficients when the last pass computed it (a path's KKT
    check then needs only ``X.T r``).

    ``hessian`` (a :class:`ModelHessian`, optional): model Hessians are
    kept there and reused while they serve (a path passes the same one to
    every point); None assembles the model afresh at every iteration.
    ``point_pass`` (a :class:`PointPass`, with ``candidates``): the first
    iteration starts from it when it is at ``coef0``, and the last pass is
    kept there.
    """
    if candidates is not None and not verbose and small_dense(
            kernels, candidates.shape[0]):
        if hessian is not None:
            hessian.matrix = None  # kept from another point: long stale
        return _small_point(kernels, l1, l2, tol, max_iter, coef0,
                            candidates, orthant_newton, keep_residual)
    n_features, scale, coef, (z, dz, residual) = start_binary(kernels, coef0,
                                                              3)
    fit_intercept = kernels.fit_intercept
    w = coef[:n_features]  # views: updating w updates coef
    has_b = 1 if fit_intercept else 0

    full_grad = np.empty(n_features)
    converged = False
    violation = np.inf
    objective = np.nan
    iteration = 0
    reason = ""
    fresh = False  # violation belongs to the current coef
    reused = False  # the last step was taken on a kept Hessian
    last_violation = np.inf
    secant = None
    if hessian is not None and hessian.matrix is not None:
        hessian.stale = False
    # candidates given: each step's pass at coef + d over the candidates is
    # run before the line search (usually accepting the full step), into
    # spare buffers; accepted, it is the next iteration's step 1
    speculative = None
    # ... over the columns ``over``: the candidates', or all of X's where a
    # pass over them costs no more (dense X read in place, the other
    # coefficients zero; ``pass_columns`` None), which also gives every
    # feature's gradient
    over = pass_columns = candidates
    if candidates is not None:
        if candidates.shape[0] == n_features or getattr(
                kernels, "reads_in_place", lambda columns: False)(candidates):
            over = np.arange(n_features, dtype=np.int32)
            pass_columns = None
        z_next, residual_next = kernels.new_scores(), kernels.new_scores()
        if point_pass is not None and point_pass.matches(coef):
            C = kernels.C
            z[...] = point_pass.z
            np.multiply(point_pass.residual, C, out=residual)
            speculative = (C * point_pass.data, C * point_pass.grad[over])

    for iteration in range(1, max_iter + 1):
        # 1. Objective and residual over the active columns, full gradient
        #    (candidates given: objective, residual and gradient in one pass
        #    over the columns ``over``).
        active = np.flatnonzero(w).astype(np.int32)
        if candidates is None:
            active_coef = np.append(w[active], coef[n_features:])
            data_obj = kernels.block_pass(active_coef,
                                          np.empty(active_coef.shape[0]),
                                          None, z, active, residual)
            kernels.rmatvec(residual, full_grad)
            considered = slice(None)
        elif speculative is not None:
            data_obj, over_grad = speculative
            speculative = None
            full_grad[over] = over_grad[:over.shape[0]]
            considered = candidates
        else:
            over_coef = np.append(w[over], coef[n_features:])
            over_grad = np.empty(over_coef.shape[0])
            data_obj = kernels.block_pass(over_coef, over_grad, None, z,
                                          pass_columns, residual)
            full_grad[over] = over_grad[:over.shape[0]]
            considered = candidates
        objective = data_obj + penalty_value(w, l1, l2)
        grad_b = float(residual.sum()) if fit_intercept else 0.0

        # 2. KKT check over all (candidate) features.
        per_feature = np.zeros(n_features)
        per_feature[considered] = kkt_violation(full_grad[considered],
                                                w[considered], l1, l2)
        violation = max(float(per_feature.max(initial=0.0)),
                        abs(grad_b)) / scale
        fresh = True
        if reused and refresh_pays(violation / last_violation,
                                   violation / tol, k, kernels):
            hessian.stale = True
        last_violation = violation
        if violation <= tol:
            converged = True
            if verbose:
                print(f"{label}iter {iteration:3d}  objective "
                      f"{objective:.12e}  kkt {violation:.3e}  "
                      f"nnz {active.size}  converged")
            break

        # 3. Working set: nonzeros plus the worst violators among the zeros.
        outside = np.flatnonzero((w == 0.0) & (per_feature > 0.0))
        budget = max(10, active.size)
        if outside.size > budget:
            worst = np.argpartition(per_feature[outside], -budget)[-budget:]
            outside = outside[worst]
        working = np.union1d(active, outside).astype(np.int32)
        k = working.size

        # 4-5. Coordinate descent on the local quadratic model of the
        #    working set: on its Hessian, assembled by the blocked dsyrk
        #    kernel, or -- sparse X with a large working set, where that
        #    Hessian's k^2 entries would dwarf X -- on X's columns directly.
        k1 = k + has_b
        work_coef = np.append(w[working], coef[n_features:])
        step_w = np.zeros(k1)
        inner_tol = max(1e-3 * violation, 0.1 * tol) * scale
        no_hessian = matrix_free(kernels, k)
        if no_hessian:
            inner_tol = max(MATRIX_FREE_INNER * violation, 0.1 * tol) * scale
        reused = False
        if no_hessian:
            grad = np.append(full_grad[working],
                             [grad_b] if fit_intercept else [])
            step_w = _matrix_free_model_step(kernels, z, grad, work_coef,
                                             working, l1, l2, step_w, dz,
                                             inner_tol)
        else:
            # (a Hessian cheaper than the bookkeeping is never kept)
            keep = (hessian is not None and iteration_costs(kernels, k)[1]
                    > ITERATION_SECONDS)
            hess = hessian.model(kernels, working, has_b) if keep else None
            reused = hess is not None
            # the model divided by ``unit`` (C gamma for a kept Hessian,
            # which is per unit C): the same minimizer, CD's test scaled
            # alike
            unit = 1.0
            if reused:
                grad = np.append(full_grad[working],
                                 [grad_b] if fit_intercept else [])
                if secant is not None:
                    hessian.rescale(secant, full_grad, grad_b, kernels.C)
                unit = kernels.C * hessian.gamma
            else:
                grad = np.empty(k1)
                hess = np.empty((k1, k1), order="F")
                kernels.block_pass(work_coef, grad, hess, None, working)
                if keep:
                    hessian.store(working, hess, kernels.C, z)
            scaled_grad = grad / unit if unit != 1.0 else grad
            sweeps = cd_quadratic(hess, scaled_grad, work_coef, k, l1 / unit,
                                  l2 / unit, step_w, np.zeros(k1),
                                  MAX_SWEEPS, inner_tol / unit)
            if orthant_newton and sweeps >= MAX_SWEEPS:
                polished = orthant_step(hess, scaled_grad, work_coef, step_w,
                                        k, l1 / unit, l2 / unit)
                if polished is not None:
                    step_w = polished
        decrease = model_decrease(grad, work_coef, step_w, k, l1, l2)
        if decrease >= 0.0 and reused:
            hessian.stale = True  # try again on the Hessian at coef
            reused = False
            continue
        if decrease >= 0.0:
            # The model sees no descent: float64 cannot do better here.
            reason = "the local model found no descent direction"
            if verbose:
                print(f"{label}iter {iteration:3d}  no descent direction "
                      f"(kkt {violation:.3e}, model decrease {decrease:.3e})")
            break

        # 6. Armijo backtracking on F, reusing dz = X_W d (coefficients
        #    outside the working set are zero, so F only changes on it).
        full_step = fill_dz = None
        if candidates is not None and not no_hessian:
            trial_coef = np.append(w[over], coef[n_features:])
            trial_coef[np.searchsorted(over, working)] = (
                work_coef[:k] + step_w[:k])
            if fit_intercept:
                trial_coef[-1] = work_coef[-1] + step_w[-1]
            trial_grad = np.empty(trial_coef.shape[0])
            trial_data = kernels.block_pass(trial_coef, trial_grad, None,
                                            z_next, pass_columns,
                                            residual_next)
            full_step = trial_data + penalty_value(
                work_coef[:k] + step_w[:k], l1, l2)

            def fill_dz():
                kernels.matvec(step_w, dz, working)
        elif not no_hessian:
            kernels.matvec(step_w, dz, working)
        step = search_composite(kernels, z, dz, work_coef[:k], step_w[:k],
                                l1, l2, objective, decrease, full_step,
                                fill_dz)
        if step is None and reused:
            hessian.stale = True
            reused = False
            continue
        if step is None:
            reason = "line search failed"
            if verbose:
                print(f"{label}iter {iteration:3d}  line search failed")
            break
        fresh = False
        # for ModelHessian.rescale (grad is this iteration's, not reused)
        secant = (step * step_w, grad, working, hess) if reused else None
        coef[working] = work_coef[:k] + step * step_w[:k]
        nonzero = np.count_nonzero(w)
        drop_rounding_level(w)
        if fit_intercept:
            coef[-1] = work_coef[-1] + step * step_w[-1]
        if (full_step is not None and step == 1.0
                and np.count_nonzero(w) == nonzero):
            # the speculative pass was at exactly the new coefficients
            speculative = (trial_data, trial_grad)
            z, z_next = z_next, z
            residual, residual_next = residual_next, residual
        if verbose:
            print(f"{label}iter {iteration:3d}  objective {objective:.12e}  "
                  f"kkt {violation:.3e}  working set {k}  step {step:.3g}")

    # 7. The stopping test at the returned coefficients (over the
    #    candidates only when they were given: the caller checks the rest).
    if not fresh:
        if candidates is None:
            violation = binary_measure(kernels, coef, l1, l2, scale)
        else:
            violation = _candidate_measure(kernels, coef, candidates, l1, l2,
                                           scale)
    converged = violation <= tol
    if point_pass is not None and fresh:
        point_pass.keep(coef, data_obj, z, residual, kernels.C)
    return SolverResult(coef=coef, objective=objective, n_iter=iteration,
                        converged=converged, max_abs_grad=violation,
                        ridge=0.0, solver="proximal Newton",
                        test=SUBGRADIENT_TEST, tol=tol, reason=reason,
                        residual=residual if fresh and keep_residual
                        else None,
                        gradient=full_grad if fresh and keep_residual
                        and pass_columns is None and candidates is not None
                        else None)


def small_dense(kernels, n_candidates=None):
    """Whether :func:`prox_newton_binary` runs on ``kernels`` in one Cython
    call (``_kernels.cd.prox_newton_small``): dense in-memory X, and either
    of the size where no model Hessian is kept (a pass and a Hessian on all
    features below ``ITERATION_SECONDS``) or with at most ``n_candidates``
    candidates whose fresh Hessian at every iteration costs at most
    ``SMALL_HESSIAN_ITERATIONS`` iterations of Python (the one call
    assembles it afresh; a kept one pays only on wider working sets)."""
    X = getattr(kernels, "X", None)
    if (not isinstance(X, np.ndarray) or X.ndim != 2
            or getattr(kernels, "sparse", True)
            or getattr(kernels, "sample_weight", None) is None):
        return False
    if iteration_costs(kernels, kernels.n_features)[1] <= ITERATION_SECONDS:
        return True
    if n_candidates is None:
        return False
    n = kernels.n_samples
    return (n * n_candidates * n_candidates / SYRK_RATE
            <= SMALL_HESSIAN_ITERATIONS * ITERATION_SECONDS
            and 8 * n * (n_candidates + 1) <= SMALL_BUFFER_BYTES)


def _small_point(kernels, l1, l2, tol, max_iter, coef0, candidates,
                 orthant_newton, keep_residual):
    """:func:`prox_newton_binary` with candidates, on a small dense problem
    (:func:`small_dense`): the same iteration in one Cython call, over the
    rows of nonzero sample weight only.

    On breast_cancer's l1 path + 5-fold CV (600 points of 569 x 30, ~3
    outer iterations each) the Python iteration took ~2 ms a point, most
    of it numpy calls on 30-element arrays; each pass's arithmetic is
    30-70 us."""
    n_features, scale, coef, _ = start_binary(kernels, coef0, 0)
    rows = np.flatnonzero(kernels.sample_weight).astype(np.int32)
    residual = np.empty(kernels.n_samples)
    info = np.empty(4)
    status = prox_newton_small(
        kernels.X, kernels.y, kernels.sample_weight, rows,
        np.ascontiguousarray(candidates, dtype=np.int32),
        kernels.fit_intercept, kernels.C, coef, l1, l2, tol, scale,
        max_iter, SMALL_MAX_SWEEPS if orthant_newton else MAX_SWEEPS,
        orthant_newton, residual, info)
    violation = float(info[1])
    reason = ("", "the local model found no descent direction",
              "line search failed")[status]
    return SolverResult(coef=coef, objective=float(info[2]),
                        n_iter=int(info[0]), converged=violation <= tol,
                        max_abs_grad=violation, ridge=0.0,
                        solver="proximal Newton", test=SUBGRADIENT_TEST,
                        tol=tol, reason=reason,
                        residual=residual if keep_residual else None)


def _matrix_free_model_step(kernels, z, grad, coef, working, l1, l2, step,
                            dz, tol):
    """Step 5 without the model Hessian (sparse X, wide working set):
    coordinate descent on X's columns (``kernels.cd_model``), and where it
    does not reach ``tol`` in ``CD_SWEEPS_BEFORE_CG`` sweeps, rounds of
    :func:`orthant_cg_step` each followed by ``POLISH_SWEEPS`` of CD from
    its result (which move the zeros CG keeps fixed), a round kept only if
    it lowers the model.  Returns the step; ``dz = Xt_W @ step`` on exit.
    """
    k = working.shape[0]
    sweeps = kernels.cd_model(z, grad, coef, working, l1, l2, step, dz,
                              CD_SWEEPS_BEFORE_CG, tol)
    if sweeps < CD_SWEEPS_BEFORE_CG:
        return step
    weights = kernels.new_scores()
    kernels.hessian_weights(z, weights)
    diagonal = np.empty(kernels.n_features + (1 if kernels.fit_intercept
                                              else 0))
    kernels.hessian_diagonal(weights, diagonal)
    value = _model_value(grad, coef, step, dz, weights, k, l1, l2)
    out_dz, trial_dz = dz, kernels.new_scores()
    for _ in range(CG_ROUNDS):
        trial = orthant_cg_step(kernels, weights, diagonal, grad, coef, step,
                                working, l1, l2, CG_ITERATIONS, tol)
        kernels.matvec(trial, trial_dz, working)
        sweeps = kernels.cd_model(z, grad, coef, working, l1, l2, trial,
                                  trial_dz, POLISH_SWEEPS, tol, warm=True)
        trial_value = _model_value(grad, coef, trial, trial_dz, weights, k,
                                   l1, l2)
        if not trial_value < value:
            break
        step, value = trial, trial_value
        dz, trial_dz = trial_dz, dz
        if sweeps < POLISH_SWEEPS:
            break  # CD met the inner tolerance from CG's point
    if dz is not out_dz:
        out_dz[...] = dz
    return step


def _candidate_measure(kernels, coef, candidates, l1, l2, scale):
    """The stopping test's figure over ``candidates`` (and the intercept):
    one pass over their columns."""
    n_features = kernels.n_features
    candidate_coef = np.append(coef[candidates], coef[n_features:])
    grad = np.empty(candidate_coef.shape[0])
    kernels.block_pass(candidate_coef, grad, None, None, candidates)
    k = candidates.shape[0]
    return penalized_measure(grad[:k], candidate_coef[:k], grad[k:], l1,
                             l2) / scale
