"""Regularization paths: one problem solved at many C, warm started.

A path solves the objective of the binary (or multinomial) model,
``C * sum_i s_i loss_i + l1 |w|_1 + l2/2 |w|^2``, at every C of a grid on
the same kernels (one problem's data, see
:mod:`clogit._backends.protocol`), and

1. runs from the strongest penalty (smallest C) up, whatever the order of
   the grid, each point warm started from the previous one's solution;
2. for l1 and elastic net (proximal Newton) screens features with the
   *sequential strong rule* (Tibshirani et al., "Strong rules for discarding
   predictors in lasso-type problems", JRSS B 2012): with ``lambda = 1/C``
   (clogit's scaling) feature j is kept at ``C_k`` only if it was nonzero at
   ``C_{k-1}`` or ``|grad_j| >= l1 (2 lambda_k - lambda_{k-1})`` for the
   data gradient per unit C at the previous solution -- in clogit's units
   ``C_k |u_j| >= l1 (2 - C_k / C_{k-1})``.  The solver works on the kept
   features only (``prox_newton_binary(candidates=...)``); the point is
   accepted once the KKT conditions hold on the discarded ones too (one
   product ``X.T r`` over all features), else the violators are added and
   the point solved again.  That product is also the gradient the next
   point's rule needs; on dense X read in place the solver's last pass
   already ran over every column and left it (``SolverResult.gradient``).
   A point whose warm start already satisfies the KKT conditions at the
   new C (every point below ``l1_min_c``, where the solution is zero) is
   accepted without a pass over X;
3. for l2 with Newton reuses the last pass: the final Newton iteration at
   ``C_{k-1}`` assembled the data term's objective, gradient and Hessian at
   ``w_{k-1}``, which is exactly where the next point starts, and all three
   are linear in C, so the first iteration at ``C_k`` rescales them instead
   of reading X (:class:`ReusedPasses`).  The Cholesky factor itself is
   redone (``(p+1)^3/3`` flops): ``C_k A + I`` is not a multiple of
   ``C_{k-1} A + I``, and for the n >> p problems Newton is chosen for the
   factorization costs far less than the ``n p^2`` pass it replaces.

The kernels' ``C`` is set for every point (the passes read it when they
run), so one kernels object -- and whatever it caches, such as the CSC copy
coordinate descent needs for sparse X -- serves the whole path.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .gd import gradient_descent
from .lbfgs import lbfgs_binary
from .multinomial import lbfgs_multinomial, newton_multinomial
from .newton import newton_binary
from .newton_cg import newton_cg_binary
from .prox_multinomial import prox_newton_multinomial
from .prox_newton import (ModelHessian, PointPass, kkt_violation,
                          matrix_free, penalty_value, prox_newton_binary)
from .result import SolverResult
from .start import initial_coef

BINARY_SOLVERS = ("newton", "newton_cg", "lbfgs", "prox_newton", "gd")
MULTINOMIAL_SOLVERS = ("newton", "lbfgs", "prox_newton")


@dataclass
class PathResult:
    """The points of one path, in the order of the grid given.

    Attributes
    ----------
    coefs : ndarray of shape (n_Cs, n_coef) or (n_Cs, n_classes, n_coef)
        Coefficients at each C, the intercept last when fitted.
    n_iter : ndarray of shape (n_Cs,), int32
        Solver iterations at each C (0: the warm start was already optimal;
        re-solves after a KKT violation are added).
    converged : ndarray of shape (n_Cs,), bool
        Whether each point passed its solver's stopping test (and, when
        features were screened, the KKT check on the discarded ones).
    max_abs_grad : ndarray of shape (n_Cs,)
        The figure each point's stopping test compared with ``tol``.
    """

    coefs: np.ndarray
    n_iter: np.ndarray
    converged: np.ndarray
    max_abs_grad: np.ndarray


def point_penalty(C, l1, l2):
    """``(C, l1, l2)`` of the objective at a grid point: ``C = inf`` is the
    unpenalized model (data term weight 1, no penalty)."""
    if np.isinf(C):
        return 1.0, 0.0, 0.0
    return float(C), l1, l2


def path_order(Cs):
    """Indices that visit ``Cs`` from the strongest penalty (smallest C) to
    the weakest; ties keep their order."""
    return np.argsort(np.asarray(Cs, dtype=np.float64), kind="stable")


class ReusedPasses:
    """Kernels that answer a repeated Hessian pass at the same coefficients
    under another C without reading X (see the module docstring, point 3).

    Wraps binomial or softmax kernels; everything but ``block_pass`` /
    ``softmax_pass`` with a Hessian is passed through.  Each Hessian pass
    is remembered per unit C (coefficients, objective, gradient, Hessian,
    scores: O(p^2 + n) floats, copied); a pass at bitwise the same
    coefficients is answered by rescaling them with ``C / C_then``.
    """

    def __init__(self, kernels):
        self._kernels = kernels
        self._last = None

    def __getattr__(self, name):
        return getattr(self._kernels, name)

    @property
    def C(self):
        return self._kernels.C

    @C.setter
    def C(self, value):
        self._kernels.C = value

    def _reuse(self, key, coef, grad, hess, z):
        last = self._last
        if (last is None or last[0] != key
                or not np.array_equal(last[1], coef)):
            return None
        ratio = self._kernels.C / last[6]
        np.multiply(last[3], ratio, out=grad)
        np.multiply(last[4], ratio, out=hess)
        z[...] = last[5]
        return last[2] * ratio

    def _remember(self, key, coef, objective, grad, hess, z):
        self._last = (key, coef.copy(), objective, grad.copy(),
                      hess.copy(order="F"), z.copy(), self._kernels.C)

    def block_pass(self, coef, grad, hess=None, z=None, columns=None,
                   residual=None, **schedule):
        """``BinomialPasses.block_pass``, a full Hessian pass reused.

        ``schedule``: Newton's ``hessian_stride`` (a row-sample Hessian)
        and ``single_hessian`` (float32 products), passed on.  Only exact
        Hessians are remembered; a remembered one answers any request at
        its coefficients (exact is at least as good as asked for)."""
        if hess is None or z is None or columns is not None or (
                residual is not None):
            return self._kernels.block_pass(coef, grad, hess, z, columns,
                                            residual, **schedule)
        reused = self._reuse(None, coef, grad, hess, z)
        if reused is not None:
            return reused
        objective = self._kernels.block_pass(coef, grad, hess, z,
                                             **schedule)
        if _exact(schedule):
            self._remember(None, coef, objective, grad, hess, z)
        return objective

    def softmax_pass(self, coef, grad, hess=None, z=None, n_free=-1,
                     **schedule):
        """``SoftmaxPasses.softmax_pass``, a Hessian pass reused (the
        classes whose Hessian blocks are filled, ``n_free``, must match);
        ``schedule`` as in :meth:`block_pass`."""
        if hess is None or z is None:
            return self._kernels.softmax_pass(coef, grad, hess, z, n_free,
                                              **schedule)
        reused = self._reuse(n_free, coef, grad, hess, z)
        if reused is not None:
            return reused
        objective = self._kernels.softmax_pass(coef, grad, hess, z, n_free,
                                               **schedule)
        if _exact(schedule):
            self._remember(n_free, coef, objective, grad, hess, z)
        return objective


def _exact(schedule):
    """Whether a pass with these keywords makes the exact float64
    Hessian (all rows, float64 products)."""
    return (schedule.get("hessian_stride", 1) == 1
            and not schedule.get("single_hessian", False))


# ----------------------------------------------------------------------
# binary
# ----------------------------------------------------------------------
def run_point(solver, kernels, l1, l2, tol, max_iter, coef0, label,
              candidates=None, hessian=None, point_pass=None):
    """One binary point by ``solver`` (a name of ``BINARY_SOLVERS``);
    ``hessian`` and ``point_pass``, what proximal Newton keeps along the
    path (``prox_newton.ModelHessian``, ``prox_newton.PointPass``)."""
    common = dict(tol=tol, max_iter=max_iter, coef0=coef0, label=label)
    if solver == "newton":
        return newton_binary(kernels, alpha=l2, **common)
    if solver == "newton_cg":
        return newton_cg_binary(kernels, alpha=l2, **common)
    if solver == "lbfgs":
        return lbfgs_binary(kernels, alpha=l2, **common)
    if solver == "prox_newton":
        return prox_newton_binary(kernels, l1=l1, l2=l2,
                                  candidates=candidates, orthant_newton=True,
                                  keep_residual=candidates is not None,
                                  hessian=hessian, point_pass=point_pass,
                                  **common)
    return gradient_descent(kernels, l1=l1, l2=l2, **common)


# Screening is skipped at a point where the features the strong rule would
# discard hold less than this share of X's entries (nonzeros for sparse
# X): solving on the kept ones saves less than that share of each pass,
# while every discarded feature the KKT check finds violating costs another
# solve.  On bench/cv.py's text task (5,000 terms), past C = 5 the rule
# discards 100-500 rare terms, a few percent of the nonzeros, and 1-3 of
# them came back at most points, each costing a solve: a fold path took
# 27.9 s of CPU screening there, 19.5 s not.
SCREEN_MIN_SHARE = 0.1


def column_shares(kernels):
    """Each feature's share of X's entries (nonzeros for sparse X, the
    same share for every column of dense X)."""
    X = getattr(kernels, "X", None)
    p = kernels.n_features
    if X is not None and getattr(kernels, "sparse", False):
        if X.format == "csc":
            counts = np.diff(X.indptr).astype(np.float64)
        else:
            counts = np.bincount(X.indices, minlength=p).astype(np.float64)
        total = counts.sum()
        if total > 0:
            return counts / total
    return np.full(p, 1.0 / max(p, 1))


class _Gradient:
    """The data gradient per unit C at a solution: what the strong rule
    and the KKT check read (one product with X.T at each accepted point)."""

    def __init__(self, kernels):
        self.kernels = kernels
        self.n_features = kernels.n_features
        self.z = kernels.new_scores()
        self.residual = kernels.new_scores()
        self.full = np.empty(self.n_features)
        self.column_share = column_shares(kernels)

    def at(self, coef, residual=None, gradient=None):
        """``u = X.T (s (p - y))`` (per unit C) at ``coef``; returns
        ``(u, intercept gradient per unit C)``.  ``residual``, the residual
        ``C s (p - y)`` at ``coef`` if the solver left it, saves the pass
        over the active columns; ``gradient``, ``C u`` over all features
        from the solver's pass (with ``residual``), the product with X.T."""
        kernels = self.kernels
        if gradient is not None and residual is not None:
            C = kernels.C
            grad_b = (float(residual.sum()) / C if kernels.fit_intercept
                      else 0.0)
            return gradient / C, grad_b
        if residual is None:
            w = coef[:self.n_features]
            active = np.flatnonzero(w).astype(np.int32)
            active_coef = np.append(w[active], coef[self.n_features:])
            kernels.block_pass(active_coef, np.empty(active_coef.shape[0]),
                               None, self.z, active, self.residual)
            residual = self.residual
        else:
            self.residual[...] = residual
        kernels.rmatvec(self.residual, self.full)
        C = kernels.C
        grad_b = (float(self.residual.sum()) / C if kernels.fit_intercept
                  else 0.0)
        return self.full / C, grad_b


def extrapolated_start(coef, C, C_prev, earlier, n_features):
    """The start of the point at ``C`` from the previous point's solution
    ``coef`` (at ``C_prev``) and the one before, ``earlier = (coef, C)``:
    linear extrapolation in log C, each of the ``n_features`` penalized
    coefficients that the line takes across zero (or that is zero at
    ``C_prev``) set to zero, the intercept extrapolated; ``coef`` when
    there is no earlier point.

    The solution is a smooth function of log C while its sign pattern holds,
    so the line is O(h^2) from the new solution where ``coef`` is O(h), h
    the grid step.  On a fold of bench/cv.py's text task at C = 101, the
    previous solution was 2.1e-3 (relative objective) above the new
    optimum, the extrapolated start 4.8e-5.

    Only where the previous solution's working set is matrix-free
    (``prox_newton.matrix_free``): elsewhere the path keeps the model
    Hessian assembled at the previous solution (``ModelHessian``), and a
    start away from it slowed that Hessian's iterations (rate 0.58 per
    iteration against 0.05-0.13 on bench/cv.py's dense 10,000 x 400 task
    near C = 1; its path + CV took 27 s extrapolating, 15 s not).
    """
    if earlier is None:
        return coef
    coef_before, C_before = earlier
    if not (np.isfinite(C) and np.isfinite(C_before) and C_prev > C_before
            and C > C_prev):
        return coef
    t = np.log(C / C_prev) / np.log(C_prev / C_before)
    start = coef + t * (coef - coef_before)
    w, v = coef[:n_features], start[:n_features]
    v[np.sign(v) != np.sign(w)] = 0.0
    return start


def _screened_point(kernels, gradient, C, C_prev, coef, u, grad_b, l1, l2,
                    tol, max_iter, label, scale_per_C, hessian=None,
                    point_pass=None, earlier=None):
    """One l1 / elastic-net point with strong-rule screening and the KKT
    check on the discarded features; returns ``(result, u, grad_b)`` with
    the gradient per unit C at the accepted point.  ``earlier``, the point
    before the previous one as ``(coef, C)``, makes the first solve start
    from :func:`extrapolated_start`."""
    p = kernels.n_features
    scale = C * scale_per_C
    w = coef[:p]
    # 0. The warm start may already be optimal at C (KKT, no pass).
    violation = max(float(kkt_violation(C * u, w, l1, l2).max(initial=0.0)),
                    abs(C * grad_b)) / scale
    if violation <= tol:
        return SolverResult(coef=coef.copy(), objective=np.nan, n_iter=0,
                            converged=True, max_abs_grad=violation,
                            ridge=0.0), u, grad_b
    # 1. Sequential strong rule.
    threshold = l1 * (2.0 - C / C_prev)
    keep = (w != 0.0) | (C * np.abs(u) >= threshold)
    if float(gradient.column_share[~keep].sum()) < SCREEN_MIN_SHARE:
        keep[:] = True
    n_iter = 0
    if matrix_free(kernels, int(np.count_nonzero(w))):
        coef = extrapolated_start(coef, C, C_prev, earlier, p)
    while True:
        candidates = np.flatnonzero(keep).astype(np.int32)
        result = run_point("prox_newton", kernels, l1, l2, tol, max_iter,
                           coef, label, candidates, hessian, point_pass)
        n_iter += result.n_iter
        # 2. KKT check over the discarded features, at the new point.
        u, grad_b = gradient.at(result.coef, result.residual,
                                result.gradient)
        if point_pass is not None and result.residual is not None:
            point_pass.grad = u  # the next point starts from this pass
        result.residual = result.gradient = None
        if keep.all():
            break
        outside = ~keep
        discarded = np.maximum(C * np.abs(u[outside]) - l1, 0.0) / scale
        violators = discarded > tol
        if not violators.any():
            break
        keep[np.flatnonzero(outside)[violators]] = True
        coef = result.coef
        if n_iter >= max_iter:
            # no budget left for another solve: report the violation
            result.converged = False
            result.max_abs_grad = max(result.max_abs_grad,
                                      float(discarded.max()))
            break
    result.n_iter = n_iter
    return result, u, grad_b


def binary_path(kernels, Cs, *, solver, l1, l2, tol, max_iter, coef0=None,
                label=""):
    """Solve one binary problem at every C of ``Cs``.

    Parameters
    ----------
    kernels : BinomialPasses
        The problem's data (its ``C`` is set for every point).
    Cs : array_like of shape (n_Cs,)
        Positive, ``np.inf`` for no penalty; any order.
    solver : str
        One of ``BINARY_SOLVERS``; "prox_newton" screens features.
    l1, l2 : float
        Penalty weights of ``l1 |w|_1 + l2/2 |w|^2``.
    tol, max_iter :
        Each point's stopping test and iteration budget, as the solver's.
    coef0 : ndarray, optional
        Start of the first (smallest) C.

    Returns
    -------
    PathResult
    """
    Cs = np.asarray(Cs, dtype=np.float64)
    n_coef = kernels.n_features + (1 if kernels.fit_intercept else 0)
    coefs = np.empty((Cs.shape[0], n_coef))
    n_iter = np.zeros(Cs.shape[0], dtype=np.int32)
    converged = np.zeros(Cs.shape[0], dtype=bool)
    max_abs_grad = np.zeros(Cs.shape[0])
    if solver == "newton":
        kernels = ReusedPasses(kernels)
    sums = kernels.weight_sums()
    coef = initial_coef(sums, kernels.n_features, kernels.fit_intercept,
                        coef0)
    screening = solver == "prox_newton"
    gradient = u = grad_b = None
    C_prev = None
    earlier = None  # the point before the previous one, (coef, C)
    # one model Hessian along the path: each point starts where the last
    # ended, at the Hessian the last assembled (prox_newton.ModelHessian)
    hessian = ModelHessian() if screening else None
    point_pass = PointPass() if screening else None
    for k in path_order(Cs):
        C, point_l1, point_l2 = point_penalty(Cs[k], l1, l2)
        kernels.C = C
        if screening and point_l1 > 0.0:
            if u is None:
                gradient = _Gradient(kernels)
                u, grad_b = gradient.at(coef)
                # the zero solution's boundary acts as the previous point
                # (l1_min_c); at worst the rule keeps every feature
                largest = float(np.abs(u).max(initial=0.0))
                C_prev = point_l1 / largest if largest > 0 else np.inf
            result, u, grad_b = _screened_point(
                kernels, gradient, C, C_prev, coef, u, grad_b, point_l1,
                point_l2, tol, max_iter, label, sums[0], hessian, point_pass,
                earlier)
            earlier = (coef, C_prev)
        else:
            result = run_point(solver if point_l1 or solver != "prox_newton"
                               else "newton", kernels, point_l1, point_l2,
                               tol, max_iter, coef, label)
            u = None
            earlier = None
        coef = np.array(result.coef, dtype=np.float64)
        coefs[k] = coef
        n_iter[k] = result.n_iter
        converged[k] = result.converged
        max_abs_grad[k] = result.max_abs_grad
        C_prev = C
    return PathResult(coefs=coefs, n_iter=n_iter, converged=converged,
                      max_abs_grad=max_abs_grad)


# ----------------------------------------------------------------------
# multinomial
# ----------------------------------------------------------------------
def multinomial_path(kernels, Cs, *, solver, l1, l2, tol, max_iter,
                     coef0=None):
    """Solve the multinomial problem at every C of ``Cs``, warm started
    from the strongest penalty down; ``solver`` is one of
    ``MULTINOMIAL_SOLVERS`` (Newton reuses its last pass, as
    :func:`binary_path`).  Coefficients are (n_Cs, n_classes, n_coef), in
    the symmetric convention.

    The multinomial proximal Newton method works on the full (K k1)^2
    Hessian, without a working set, so its points are not screened.
    """
    Cs = np.asarray(Cs, dtype=np.float64)
    n_coef = kernels.n_features + (1 if kernels.fit_intercept else 0)
    K = kernels.n_classes
    coefs = np.empty((Cs.shape[0], K, n_coef))
    n_iter = np.zeros(Cs.shape[0], dtype=np.int32)
    converged = np.zeros(Cs.shape[0], dtype=bool)
    max_abs_grad = np.zeros(Cs.shape[0])
    if solver == "newton":
        kernels = ReusedPasses(kernels)
    coef = coef0
    for k in path_order(Cs):
        C, point_l1, point_l2 = point_penalty(Cs[k], l1, l2)
        kernels.C = C
        common = dict(tol=tol, max_iter=max_iter, coef0=coef)
        if point_l1 > 0.0:
            result = prox_newton_multinomial(kernels, l1=point_l1,
                                             l2=point_l2, **common)
        elif solver == "lbfgs":
            result = lbfgs_multinomial(kernels, alpha=point_l2, **common)
        else:
            result = newton_multinomial(kernels, alpha=point_l2, **common)
        coef = np.array(result.coef, dtype=np.float64)
        coefs[k] = coef
        n_iter[k] = result.n_iter
        converged[k] = result.converged
        max_abs_grad[k] = result.max_abs_grad
    return PathResult(coefs=coefs, n_iter=n_iter, converged=converged,
                      max_abs_grad=max_abs_grad)


__all__ = ["BINARY_SOLVERS", "MULTINOMIAL_SOLVERS", "PathResult",
           "ReusedPasses", "binary_path", "multinomial_path", "path_order",
           "penalty_value", "point_penalty"]
