"""Public functions: ufunc-like wrappers of the stable scalar math, and the
gradient-descent step ``lipschitz_step``."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from sklearn.utils import check_array

from ._backends.memory import BinomialKernels
from ._kernels import scalar as _scalar
from ._solvers.gd import lipschitz_constant
from ._typing import ArrayLike, MatrixLike
from ._scaling import log2_squared_norm, normalize_weights, rescale_objective
from ._validation import as_blas_matrix, check_sample_weight


def _apply(kernel, z):
    z_arr = np.asarray(z)
    if z_arr.dtype.kind not in "biuf":
        raise TypeError(f"expected real numbers, got dtype {z_arr.dtype}")
    dtype = np.float32 if z_arr.dtype == np.float32 else np.float64
    flat = np.ascontiguousarray(z_arr, dtype=dtype).ravel()
    out = np.empty_like(flat)
    kernel(flat, out)
    out = out.reshape(z_arr.shape)
    return out[()] if out.ndim == 0 else out


def sigmoid(z: ArrayLike) -> Any:
    """Logistic function ``1 / (1 + exp(-z))``, stable for every finite z.

    Parameters
    ----------
    z : array_like or scalar
        Real input; float32 input gives float32 output, anything else float64.

    Returns
    -------
    ndarray or scalar
        ``sigmoid(z)`` with the shape of ``z``; never overflows, and for
        ``z < 0`` it is computed as ``exp(z) / (1 + exp(z))`` so tiny
        probabilities keep full relative precision.

    See Also
    --------
    log_sigmoid : Its logarithm, without cancellation.

    Examples
    --------
    >>> import clogit
    >>> float(clogit.sigmoid(0.0))
    0.5
    >>> float(clogit.sigmoid(-1000.0))
    0.0
    """
    return _apply(_scalar.sigmoid_into, z)


def log_sigmoid(z: ArrayLike) -> Any:
    """Logarithm of the logistic function, ``-log(1 + exp(-z))``.

    Accurate for every finite z: ``log_sigmoid(-1e300) == -1e300`` and
    ``log_sigmoid(40) == -exp(-40)`` (not 0).

    Parameters
    ----------
    z : array_like or scalar
        Real input; float32 input gives float32 output, anything else float64.

    Returns
    -------
    ndarray or scalar
        ``log(sigmoid(z))`` with the shape of ``z``.

    See Also
    --------
    sigmoid : The logistic function itself.
    log_loss : The loss built from it.
    """
    return _apply(_scalar.log_sigmoid_into, z)


def log1pexp(z: ArrayLike) -> Any:
    """``log(1 + exp(z))`` (softplus), accurate for every finite z."""
    return _apply(_scalar.log1pexp_into, z)


def lipschitz_step(X: MatrixLike, *, C: float = 1.0,
                   sample_weight: ArrayLike | None = None,
                   fit_intercept: bool = True) -> float:
    """The constant step ``1/L`` of the ``gd`` solver.

    ``L = C * lambda_max(Xt.T S Xt) / 4`` is the Lipschitz constant of the
    gradient of ``C * sum_i s_i * loss_i`` (``Xt`` = X with a column of ones
    when ``fit_intercept``, S the sample weights): the smoothness constant,
    not LipschitzLR's bound on the gradient's size (see ``clogit._solvers.gd``).  For
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

    See Also
    --------
    LogisticRegression : ``solver="gd"`` takes this step.

    Examples
    --------
    >>> import numpy as np, clogit
    >>> X = np.eye(4)
    >>> clogit.lipschitz_step(X, fit_intercept=False)   # L = 1/4
    4.0
    """
    X = as_blas_matrix(check_array(X, accept_sparse=["csr", "csc"],
                                   dtype=[np.float64, np.float32]))
    if not (np.isfinite(C) and C > 0):
        raise ValueError(f"C must be a positive finite number, got {C!r}.")
    sample_weight = check_sample_weight(sample_weight, X.shape[0])
    # L = C lambda_max / 4 is computed as 2**shift * L' from a rescaled C
    # (clogit._scaling): the Hessian sum(s x x') of features near 1e155
    # would overflow, C near 1e308 likewise.
    weights, weight_shift = normalize_weights(sample_weight)
    scaled, shift = rescale_objective(
        float(C), 0.0, 0.0, weight_shift=weight_shift,
        total=float(weights.sum()), largest=float(weights.max()),
        log2_norm2=log2_squared_norm(X))
    # the labels do not enter the Hessian
    kernels = BinomialKernels(X, np.full(X.shape[0], 0.5), weights,
                              scaled.C, bool(fit_intercept))
    L = lipschitz_constant(kernels)
    step = math.ldexp(1.0 / L, -shift) if L > 0 else math.inf
    if not np.isfinite(L) or step == 0.0 or (
            0.0 < step < np.finfo(np.float64).tiny):
        raise ValueError(
            f"The Lipschitz constant L is about 2**{math.log2(L) + shift:.0f}"
            ", beyond float64's range: the step 1/L cannot be represented. "
            "Scale the features (or C, or sample_weight).")
    return step
