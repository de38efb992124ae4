"""Multinomial (softmax) logistic regression: Newton and L-BFGS.

Minimizes ``C * sum_i s_i * (logsumexp(z_i) - z_{i, y_i}) + alpha/2 |W|^2``
over ``coef`` (K x k1, the intercept last in each row, never penalized),
``z_i = coef @ xt_i``.

Parametrization.  The loss does not change when one vector is added to every
class's row, so:

* with the l2 penalty (``alpha > 0``) the optimum is the *symmetric* one
  (rows of W sum to zero) and only the intercepts are left undetermined;
  Newton adds ``rho * v v^T`` to its Hessian, v the all-intercepts
  direction, which makes it positive definite without moving the solution
  (the gradient is orthogonal to v), and the intercepts are centered at the
  end;
* with no penalty the last class is pinned at zero (a reference class, as in
  statsmodels' MNLogit) and only K-1 rows are optimized; the result is then
  reported in scikit-learn's symmetric convention, every row minus the mean
  row (predictions are unchanged).

Newton's Hessian is the full (K k1)^2 matrix assembled by
``_softmax.softmax_pass`` (all class pairs from one pass over each row
block); L-BFGS uses the same kernel without the Hessian and pays off when
(K k1)^2 is large (see ``_logistic._AUTO_MULTINOMIAL_NEWTON_MAX_WIDTH``).
"""

import numpy as np
from scipy.optimize import minimize

from . import _softmax
from ._newton import NewtonResult, _factor_with_ridge
from ._blas import cho_solve
from ._linesearch import StallGuard, backtrack
from ._parallel import _pool, row_chunks, row_kernel

_EPS = np.finfo(np.float64).eps


class SoftmaxKernels:
    """The ``_softmax`` kernels bound to one fit's data, row-parallel (as
    ``_parallel.BinomialKernels``: fixed row chunks, partial sums added in
    chunk order)."""

    def __init__(self, X, y, sample_weight, C, fit_intercept, n_classes):
        self.X = X
        self.y = y
        self.sample_weight = sample_weight
        self.C = C
        self.fit_intercept = fit_intercept
        self.n_classes = n_classes
        # dense X, or CSR / CSC through the twins in clogit._sparse
        self.chunks = row_chunks(X, X.shape[1] * n_classes)
        self._pass = row_kernel(X, _softmax.softmax_pass, "softmax_pass")
        self._scores = row_kernel(X, _softmax.softmax_scores,
                                  "softmax_scores")

    def new_scores(self):
        """An empty (n_samples, n_classes) score buffer."""
        return np.empty((self.X.shape[0], self.n_classes))

    def _map(self, task):
        if len(self.chunks) == 1:
            return [task(self.chunks[0])]
        return list(_pool().map(task, self.chunks))

    def softmax_pass(self, coef, grad, hess=None, z=None, n_free=-1):
        def task(rows):
            g = np.empty_like(grad)
            h = None if hess is None else np.empty_like(hess, order="F")
            obj = self._pass(
                rows, self.y[rows], self.sample_weight[rows], coef,
                self.fit_intercept, self.C, g, h,
                None if z is None else z[rows], n_free)
            return obj, g, h

        parts = self._map(task)
        grad[...] = parts[0][1]
        if hess is not None:
            hess[...] = parts[0][2]
        for _, g, h in parts[1:]:
            grad += g
            if hess is not None:
                hess += h
        return float(sum(part[0] for part in parts))

    def scores(self, coef, out):
        def task(rows):
            self._scores(rows, coef, self.fit_intercept, out[rows])
        self._map(task)

    def objective_along(self, z, dz, step):
        return _softmax.softmax_objective_along(self.y, self.sample_weight,
                                                z, dz, step, self.C)


def _initial_coef(y, sample_weight, n_classes, n_coef, fit_intercept,
                  coef0, counts=None):
    """Warm start, or zeros with intercepts at the log class frequencies
    (the optimum of the intercept-only model), centered.  ``counts``, the
    weighted class totals, replaces ``y`` and ``sample_weight`` if given."""
    if coef0 is not None:
        return np.array(coef0, dtype=np.float64, copy=True, order="C")
    coef = np.zeros((n_classes, n_coef))
    if fit_intercept:
        if counts is None:
            counts = np.bincount(y, weights=sample_weight,
                                 minlength=n_classes)
        log_freq = np.log(np.maximum(counts / counts.sum(), 1e-10))
        coef[:, -1] = log_freq - log_freq.mean()
    return coef


def _start(X, y, sample_weight, C, fit_intercept, n_classes, coef0,
           kernels):
    """``(kernels, n_features, scale, coef)`` for a solver: the in-memory
    :class:`SoftmaxKernels` when ``kernels`` is None, else the injected
    ones, whose ``weight_sums()`` gives ``(sum(s), weighted class totals)``
    (the data are then not in memory)."""
    if kernels is None:
        n_features = X.shape[1]
        scale = C * float(sample_weight.sum())
        kernels = SoftmaxKernels(X, y, sample_weight, C, fit_intercept,
                                 n_classes)
        counts = None
    else:
        n_features = kernels.n_features
        total, counts = kernels.weight_sums()
        scale = C * total
    k1 = n_features + (1 if fit_intercept else 0)
    coef = _initial_coef(y, sample_weight, n_classes, k1, fit_intercept,
                         coef0, counts)
    return kernels, n_features, scale, coef


def _symmetric(coef, alpha, fit_intercept):
    """Report coefficients in the symmetric convention (see module doc)."""
    if alpha == 0.0:
        return coef - coef.mean(axis=0)
    if fit_intercept:
        coef = coef.copy()
        coef[:, -1] -= coef[:, -1].mean()
    return coef


def newton_multinomial(X, y, sample_weight, *, n_classes, C, alpha,
                       fit_intercept, tol, max_iter, coef0=None, verbose=0,
                       kernels=None):
    """Fit a multinomial model by Newton's method with the full Hessian.

    Parameters
    ----------
    X : (n, p) array, C- or F-contiguous, float64 or float32
    y : (n,) int32 class indices
    sample_weight : (n,) float64
    n_classes : int
    C, alpha : float
        Data-term weight and l2 strength.
    fit_intercept : bool
    tol, max_iter : stopping rule, as :func:`clogit._newton.newton_binary`
        (max |gradient| and the Newton decrement on the objective scaled by
        ``1 / (C * sum(s))``).
    coef0 : (K, k1) array, optional
        Warm start.
    verbose : int
    kernels : object, optional
        The data, injected (as in :func:`clogit._newton.newton_binary`):
        the methods of :class:`SoftmaxKernels` bound to X, y,
        sample_weight, C, fit_intercept and n_classes, plus ``n_features``,
        ``weight_sums()`` returning ``(sum(s), weighted class totals)`` and
        ``new_scores()`` returning an (n, K) score buffer, kept wherever
        the kernels keep it.  X, y and sample_weight are then not used.
        None (the default): the in-memory kernels and numpy buffers.

    Returns
    -------
    NewtonResult
        ``coef`` of shape (K, k1), in the symmetric convention.
    """
    kernels, n_features, scale, coef = _start(
        X, y, sample_weight, C, fit_intercept, n_classes, coef0, kernels)
    K = n_classes
    k1 = n_features + (1 if fit_intercept else 0)
    n_free = K if alpha > 0.0 else K - 1
    width = n_free * k1
    if n_free < K:
        coef -= coef[-1]  # pin the reference class at zero

    penalized = np.ones((n_free, k1), dtype=bool)
    if fit_intercept:
        penalized[:, -1] = False
    penalized = penalized.ravel()
    intercepts = np.zeros(width)
    if fit_intercept and n_free == K:
        intercepts[k1 - 1::k1] = 1.0

    grad = np.empty((n_free, k1))
    hess = np.empty((width, width), order="F")
    z, dz = kernels.new_scores(), kernels.new_scores()
    direction_full = np.zeros((K, k1))
    converged = False
    objective = np.nan
    g_max = np.inf
    guard = StallGuard()
    max_ridge = 0.0
    iteration = 0

    for iteration in range(1, max_iter + 1):
        # 1. Objective, gradient, full Hessian: one pass over X.
        objective = kernels.softmax_pass(coef, grad, hess, z, n_free)
        g = grad.ravel()
        if alpha:
            w = coef[:n_free].ravel()
            objective += 0.5 * alpha * float(w[penalized] @ w[penalized])
            g[penalized] += alpha * w[penalized]
            hess[penalized, penalized] += alpha
        if intercepts.any():
            # the intercepts' common shift is a null direction of H
            rho = float(np.mean(np.diag(hess)[intercepts > 0]))
            hess += rho * np.outer(intercepts, intercepts)

        # 2. Newton direction by Cholesky.
        ridge = _factor_with_ridge(hess, width)
        max_ridge = max(max_ridge, ridge)
        direction = -g
        cho_solve(hess, direction)
        decrement_sq = -float(g @ direction)

        # 3. Convergence.
        g_max = float(np.max(np.abs(g))) / scale
        if g_max <= tol and 0.5 * decrement_sq / scale <= tol * tol:
            converged = True
            if verbose:
                print(f"iter {iteration:3d}  objective {objective:.12e}  "
                      f"max|grad| {g_max:.3e}  converged")
            break

        # 4. Armijo backtracking on cached scores.
        direction_full[:n_free] = direction.reshape(n_free, k1)
        kernels.scores(direction_full, dz)
        def objective_at(t):
            trial = kernels.objective_along(z, dz, t)
            if alpha:
                w = (coef[:n_free] + t * direction_full[:n_free]).ravel()
                trial += 0.5 * alpha * float(w[penalized] @ w[penalized])
            return trial

        step, trial = backtrack(objective_at, objective, -decrement_sq)
        if step is None:
            break
        coef += step * direction_full
        if guard.stalled(objective, trial, g_max):
            break
        if verbose:
            print(f"iter {iteration:3d}  objective {objective:.12e}  "
                  f"max|grad| {g_max:.3e}  decrement {decrement_sq:.3e}  "
                  f"step {step:.3g}")

    return NewtonResult(coef=_symmetric(coef, alpha, fit_intercept),
                        objective=objective, n_iter=iteration,
                        converged=converged, max_abs_grad=g_max,
                        ridge=max_ridge)


def lbfgs_multinomial(X, y, sample_weight, *, n_classes, C, alpha,
                      fit_intercept, tol, max_iter, coef0=None, verbose=0,
                      kernels=None):
    """Fit a multinomial model by L-BFGS-B on the Cython objective and
    gradient; arguments (``kernels`` included) and result as
    :func:`newton_multinomial`."""
    kernels, n_features, scale, coef = _start(
        X, y, sample_weight, C, fit_intercept, n_classes, coef0, kernels)
    K = n_classes
    k1 = n_features + (1 if fit_intercept else 0)
    grad = np.empty((K, k1))
    penalized = np.ones((K, k1), dtype=bool)
    if fit_intercept:
        penalized[:, -1] = False

    def objective_and_gradient(flat):
        c = flat.reshape(K, k1)
        obj = kernels.softmax_pass(c, grad)
        g = grad.copy()
        if alpha:
            w = c[penalized]
            obj += 0.5 * alpha * float(w @ w)
            g[penalized] += alpha * w
        return obj / scale, g.ravel() / scale

    count = [0]

    def report(intermediate_result):
        count[0] += 1
        if verbose:
            print(f"iter {count[0]:3d}  objective "
                  f"{intermediate_result.fun * scale:.12e}")

    result = minimize(objective_and_gradient, coef.ravel(), jac=True,
                      method="L-BFGS-B", callback=report,
                      options={"maxiter": max_iter, "maxls": 50, "gtol": tol,
                               "ftol": 64 * _EPS})
    coef = _symmetric(result.x.reshape(K, k1), alpha, fit_intercept)
    # result.jac is the (scaled) gradient at result.x: no pass to recompute
    return NewtonResult(coef=coef, objective=float(result.fun) * scale,
                        n_iter=max(int(result.nit), 1),
                        converged=result.status == 0,
                        max_abs_grad=float(np.max(np.abs(result.jac))),
                        ridge=0.0)
