"""Public ufunc-like wrappers of the stable scalar math."""

import numpy as np

from . import _scalar


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


def sigmoid(z):
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

    Examples
    --------
    >>> import clogit
    >>> float(clogit.sigmoid(0.0))
    0.5
    >>> float(clogit.sigmoid(-1000.0))
    0.0
    """
    return _apply(_scalar.sigmoid_into, z)


def log_sigmoid(z):
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
    """
    return _apply(_scalar.log_sigmoid_into, z)


def log1pexp(z):
    """``log(1 + exp(z))`` (softplus), accurate for every finite z."""
    return _apply(_scalar.log1pexp_into, z)
