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

import numpy as np
from scipy.sparse.linalg import LinearOperator, eigsh

from ._parallel import BinomialKernels
from ._newton import NewtonResult, start_binary

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


def lipschitz_constant(X, sample_weight, C, fit_intercept):
    """``C * lambda_max(Xt.T S Xt) / 4``: smoothness of the data term."""
    n_samples, n_features = X.shape
    n_coef = n_features + (1 if fit_intercept else 0)
    half = np.full(n_samples, 0.5)  # labels are irrelevant to the Hessian
    kernels = BinomialKernels(X, half, sample_weight, C, fit_intercept)
    if n_coef <= _DENSE_EIGEN_LIMIT:
        return _largest_eigenvalue_at_zero(kernels, n_coef)
    z = np.empty(n_samples)
    out = np.empty(n_features)

    def product(v):
        v = np.ascontiguousarray(v, dtype=np.float64).ravel()
        kernels.matvec(v, z)
        u = z * sample_weight
        kernels.rmatvec(u, out)
        result = out if not fit_intercept else np.append(out, u.sum())
        return 0.25 * C * result

    operator = LinearOperator((n_coef, n_coef), matvec=product,
                              dtype=np.float64)
    v0 = np.ones(n_coef) / np.sqrt(n_coef)
    value = eigsh(operator, k=1, which="LA", tol=1e-8, v0=v0,
                  return_eigenvectors=False)[0]
    # Lanczos converges to lambda_max from below: a relative 1e-6 margin
    # keeps 1/L a guaranteed descent step.
    return float(value) * (1 + 1e-6)


def gradient_descent(X, y, sample_weight, *, C, l1, l2, fit_intercept, tol,
                     max_iter, coef0=None, verbose=0, label="",
                     nesterov=False, kernels=None):
    """Fit a binary logistic model by (proximal) gradient descent.

    Minimizes ``C sum s loss + l1 |w|_1 + l2/2 |w|^2`` with the constant step
    ``1/L``; the ℓ1 term is handled by its proximal map (soft-thresholding,
    ISTA), so zeros are exact.  Stops when the gradient mapping
    ``(coef - prox(coef - g/L)) * L``, scaled by ``1 / (C * sum(s))``, is at
    most ``tol`` in max-norm (for l1 = 0 this is just the gradient).
    With ``nesterov=True``, FISTA momentum with function-value restart.

    Parameters and return value are otherwise those of
    :func:`clogit._newton.newton_binary` (``kernels`` included: injected
    kernels, e.g. clogit.dask's, replace X, y and sample_weight, and L then
    comes from the (p+1)^2 Hessian at zero, one pass).
    """
    injected = kernels is not None
    kernels, n_features, scale, coef, _ = start_binary(
        X, y, sample_weight, C, fit_intercept, coef0, kernels, 0)
    L = (_largest_eigenvalue_at_zero(kernels, coef.shape[0]) if injected
         else lipschitz_constant(X, sample_weight, C, fit_intercept)) + l2
    step = 1.0 / L
    point = coef.copy()           # where the gradient is taken (FISTA: y_k)
    grad = np.empty(coef.shape[0])
    momentum = 1.0
    previous_objective = np.inf
    converged = False
    mapping_max = np.inf
    objective = np.nan
    iteration = 0

    for iteration in range(1, max_iter + 1):
        objective = kernels.block_pass(point, grad)
        w = point[:n_features]
        objective += l1 * float(np.abs(w).sum()) + 0.5 * l2 * float(w @ w)
        grad[:n_features] += l2 * w
        new = point - step * grad
        if l1:
            new_w = new[:n_features]
            new[:n_features] = np.sign(new_w) * np.maximum(
                np.abs(new_w) - step * l1, 0.0)
        mapping_max = float(np.max(np.abs(point - new))) * L / scale
        if verbose:
            print(f"{label}iter {iteration:3d}  objective {objective:.12e}  "
                  f"gradient mapping {mapping_max:.3e}")
        if mapping_max <= tol:
            coef = point
            converged = True
            break
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

    return NewtonResult(coef=np.array(coef, copy=True), objective=objective,
                        n_iter=iteration, converged=converged,
                        max_abs_grad=mapping_max, ridge=0.0)


def lipschitz_step(X, *, C=1.0, sample_weight=None, fit_intercept=True):
    """The constant step ``1/L`` of the ``gd`` solver.

    ``L = C * lambda_max(Xt.T S Xt) / 4`` is the Lipschitz constant of the
    gradient of ``C * sum_i s_i * loss_i`` (``Xt`` = X with a column of ones
    when ``fit_intercept``, S the sample weights): the smoothness constant,
    not LipschitzLR's bound on the gradient's size (see ``clogit._gd``).  For
    ``penalty="l2"`` the solver uses ``1 / (L + 1)``.

    Parameters
    ----------
    X : {array_like, sparse matrix} of shape (n_samples, n_features)
        Training data (dense, or scipy.sparse CSR / CSC).
    C : float, default=1.0
        Inverse regularization strength (weight of the data term).
    sample_weight : array_like of shape (n_samples,), default=None
        Sample weights.
    fit_intercept : bool, default=True
        Whether the model has an intercept.

    Returns
    -------
    float
        The step ``1 / L``.

    Examples
    --------
    >>> import numpy as np, clogit
    >>> X = np.eye(4)
    >>> clogit.lipschitz_step(X, fit_intercept=False)   # L = 1/4
    4.0
    """
    from sklearn.utils import check_array

    from ._validation import as_blas_matrix, check_sample_weight

    X = as_blas_matrix(check_array(X, accept_sparse=["csr", "csc"],
                                   dtype=[np.float64, np.float32]))
    if not (np.isfinite(C) and C > 0):
        raise ValueError(f"C must be a positive finite number, got {C!r}.")
    sample_weight = check_sample_weight(sample_weight, X.shape[0])
    return 1.0 / lipschitz_constant(X, sample_weight, float(C),
                                    bool(fit_intercept))
