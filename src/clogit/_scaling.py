"""Overflow-safe fitting: powers of two applied at the solvers' boundary.

The fitted model does not change when the sample weights are multiplied by
``a`` and C divided by ``a``, nor when the whole objective
``C * sum(s * loss) + l1 |w|_1 + l2/2 |w|^2`` is divided by ``2**k`` (C, l1
and l2 each divided by it): same minimizer, same Newton steps, and the
stopping test ``max|grad| / (C * sum(s))`` is unchanged.  With powers of two
these rescalings are exact in floating point.  They are applied only when a
sum the kernels form could overflow (or underflow): sample weights or class
weights near 1e300 (``sum(s)`` overflows), C >= 1e300, or features near
1e155 (the Hessian's ``sum(s x^2)`` overflows while every score stays
finite).  Ordinary fits are never touched, so their results are
bit-for-bit what they were.

* :func:`normalize_weights` divides weights whose sum could overflow by the
  power of two of their largest entry;
* :func:`log2_squared_norm` bounds ``|X|_F^2`` in one pass (``X.X``, the
  maximum only when that overflows);
* :func:`column_scales` gives L-BFGS its variables' scales when features
  are huge (its line search cannot bridge a step of 1e-155 from a unit
  first step: the fit stopped at the intercept-only model);
* :func:`rescale_objective` picks the power of two for the objective: the
  data term near 1, or, for huge features, the Hessian's entries at most
  ``2**_HESSIAN_LOG2`` -- or a clear error when no power of two keeps both
  in range.

Statistical inference stays exact under the objective's rescaling (the
covariance is that of ``f / C``); weights rescaled as frequency weights
change the number of observations, so such fits report inference as
unavailable.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

from ._backends.threads import available_cores, map_shared
from ._kernels.scalar import squared_sum

# A data term C * sum(s * loss), or the Hessian bound below, beyond
# 2**+-_SAFE_LOG2 (about 1e120) is rescaled; nothing ordinary comes close.
_SAFE_LOG2 = 400
# After rescaling: Hessian entries at most 2**_HESSIAN_LOG2 (room for the
# Cholesky factorization's products and the line search), and a data term
# no smaller than 2**_SMALLEST_LOG2.
_HESSIAN_LOG2 = 600
_SMALLEST_LOG2 = -900
# Weights whose total could reach 2**_WEIGHT_SUM_LOG2 are normalized (their
# sums, times losses up to ~1e10 in a line search, must stay finite).
_WEIGHT_SUM_LOG2 = 700
# |X|_F^2 of at least this many values is summed in parts on the kernel
# pool's threads.  Measured here (2-core Intel Xeon, float64, medians; cold:
# after 50 ms idle, as a fit's first pass finds the pool and the caches):
# 200,000 x 200 17.7 -> 9.2 ms warm, 17.9 -> 10.7 ms cold; 100,000 x 100
# 6.4 -> 1.8 warm, 4.9 -> 4.9 cold; 50,000 x 100 1.4 -> 0.8 warm, 2.4 ->
# 2.5 cold; 20,000 x 50 0.27 -> 0.28 warm, 0.57 -> 0.76 cold (waking the
# helper costs more than it saves).  A 200,000 x 200 l2 fit (tol 1e-8,
# alternated after 100 ms idle, medians of 12): 232.7 -> 225.1 ms.
_THREADED_SUM_MIN_VALUES = 8_000_000


class Scaled(NamedTuple):
    """An objective ``(C, l1, l2)`` after rescaling (see the module)."""

    C: float
    l1: float
    l2: float


def _log2(value):
    return math.log2(value) if value > 0 else -math.inf


def normalize_weights(weights):
    """``(weights * 2**-shift, shift)``: ``shift`` is 0 unless the total of
    ``weights`` (non-negative, finite) could overflow, then the exponent of
    their largest entry."""
    largest = float(np.max(weights)) if weights.size else 0.0
    if largest == 0.0 or (_log2(largest) + _log2(weights.size)
                          <= _WEIGHT_SUM_LOG2):
        return weights, 0
    shift = math.frexp(largest)[1]
    return np.ldexp(weights, -shift), shift


def log2_squared_norm(X):
    """An upper bound of ``log2(|X|_F^2)`` (``-inf`` for X = 0), in one
    pass for ordinary X; None when X has non-finite values."""
    values = X.data if sp.issparse(X) else X.ravel(order="K")
    if values.size == 0:
        return -math.inf
    with np.errstate(over="ignore", invalid="ignore"):
        # a loop of our own, not BLAS's ddot: outside a fit's
        # single-threaded BLAS, OpenBLAS wakes its threads for this, which
        # on a busy machine cost 3-20 ms per fit of breast_cancer (569 x
        # 30) against 0.01 ms here; and not einsum's, which took 17.5 ms
        # on 200,000 x 200 float64 against 10.2 (eight running sums)
        if values.dtype in (np.float64, np.float32) and \
                values.flags.c_contiguous:
            total = _squared_sum_in_parts(values)
        else:
            total = float(np.einsum("i,i->", values, values))
    if math.isfinite(total):
        return _log2(total)
    largest = max(abs(float(np.max(values))), abs(float(np.min(values))))
    if not math.isfinite(largest):
        return None
    return 2.0 * _log2(largest) + _log2(values.size)


def _squared_sum_in_parts(values):
    """``squared_sum(values)``, in parts on the kernel pool's threads when
    there are many (``_THREADED_SUM_MIN_VALUES``)."""
    n = values.shape[0]
    parts = available_cores() if n >= _THREADED_SUM_MIN_VALUES else 1
    if parts < 2:
        return squared_sum(values)
    bounds = [n * k // parts for k in range(parts + 1)]
    total = 0.0
    # plain additions in order: the parts' sums may each be finite and
    # their total overflow to inf (math.fsum would raise), which the
    # caller turns into the max-based bound
    for part in map_shared(
            lambda k: squared_sum(values[bounds[k]:bounds[k + 1]]),
            list(range(parts))):
        total += part
    return total


# |X|_F beyond 2**_PRECONDITION_LOG2: L-BFGS runs on column-scaled
# variables.  At X = 1e10 * (standard normal) on 60 rows it stopped 1% from
# the optimum, from 1e40 on at the intercept-only model; ordinary data
# (|X|_F = sqrt(n p) * typical value) stays far below it.
_PRECONDITION_LOG2 = 32


def column_scales(X, log2_norm2, fit_intercept):
    """Powers of two near each column's largest magnitude (1 for the
    intercept and for columns within [-1, 1]), for L-BFGS's change of variables
    ``u = w * scale``; None when ``log2_norm2`` (:func:`log2_squared_norm`
    of X) shows no feature large enough to need it.

    Two reductions over X (its maximum and minimum), no temporary of its
    size (sparse X: one over its stored values)."""
    if log2_norm2 is None or log2_norm2 <= 2 * _PRECONDITION_LOG2:
        return None
    if sp.issparse(X):
        largest = np.asarray(abs(X).max(axis=0).todense()).ravel()
    else:
        largest = np.maximum(np.max(X, axis=0, initial=-np.inf),
                             -np.min(X, axis=0, initial=np.inf))
    largest = np.asarray(largest, dtype=np.float64)
    exponents = np.frexp(largest)[1]
    # only large columns are scaled down: a tiny one (1e-301 next to
    # 1e12 in the same X) scaled up would make L-BFGS's first unit steps
    # coefficients near 1e301, whose penalty overflows
    scales = np.where(largest > 1.0, np.ldexp(1.0, exponents), 1.0)
    if fit_intercept:
        scales = np.append(scales, 1.0)
    return scales


def rescale_objective(C, l1, l2, *, weight_shift, total, largest,
                      log2_norm2=None):
    """The objective to hand the solvers, and the power of two used.

    Parameters
    ----------
    C, l1, l2 : float
        The objective's weights, for weights ``s * 2**-weight_shift``.
    weight_shift : int
        How the sample (and class) weights were normalized.
    total, largest : float
        Sum of the problem's (normalized) weights, and a bound on each
        sample's weight (a class total will do).
    log2_norm2 : float, optional
        :func:`log2_squared_norm` of X (None: unknown, taken as moderate).

    Returns
    -------
    (Scaled, int)
        ``C * 2**(weight_shift - k)``, ``l1 * 2**-k``, ``l2 * 2**-k`` and
        ``k`` (0: nothing to do, the objective is returned as given, except
        for the weight shift folded into C).

    Raises
    ------
    ValueError
        When the data term and the Hessian cannot both be kept in float64's
        range (features beyond about 1e250 with ordinary weights).
    """
    data_term = _log2(C) + weight_shift + _log2(total)
    hessian = (_log2(C) + weight_shift + _log2(largest)
               + (0.0 if log2_norm2 is None else max(log2_norm2, 0.0)))
    if (-_SAFE_LOG2 <= data_term <= _SAFE_LOG2 and hessian <= _SAFE_LOG2):
        if weight_shift == 0:
            return Scaled(C, l1, l2), 0
        data_term = hessian = -math.inf  # only fold the shift into C
        shift = 0
    else:
        shift = round(max(data_term, hessian - _HESSIAN_LOG2))
        if data_term - shift < _SMALLEST_LOG2:
            raise ValueError(
                "X, sample_weight and C span too wide a range of magnitudes "
                f"for float64: the Hessian's entries would reach about "
                f"2**{hessian:.0f} while the loss is about "
                f"2**{data_term:.0f}. Scale the features (e.g. "
                "sklearn.preprocessing.StandardScaler).")
    return Scaled(math.ldexp(C, weight_shift - shift),
                  math.ldexp(l1, -shift), math.ldexp(l2, -shift)), shift


def scale_problem(objective, table, totals, positive=None, *,
                  weight_shift=0, log2_norm2=None):
    """A binary (``positive``: its class) or multinomial (None) problem's
    class-weight table, weight sums and objective, rescaled where needed.

    Parameters
    ----------
    objective : (C, l1, l2)
    table : ndarray of shape (n_classes,) or None
        Class-weight multipliers (None: one).
    totals : ndarray of shape (n_classes,)
        Weighted class totals (sample weights already normalized by
        ``2**-weight_shift``).
    positive : int or None
    weight_shift : int
        From :func:`normalize_weights`.
    log2_norm2 : float or None
        From :func:`log2_squared_norm`.

    Returns
    -------
    table : ndarray or None
        ``table`` itself unless it had to be divided by a power of two.
    sums : (float, float) or None
        ``(sum(s_k), sum(s_k * y_k))`` of the binary problem.
    objective : Scaled
    weights_rescaled : bool
        Whether the weights were rescaled (frequency-weight inference then
        does not describe the data given).

    Raises
    ------
    ValueError
        Fewer than two classes with positive total weight (after class
        weights), or magnitudes no rescaling can hold.
    """
    totals = np.asarray(totals, dtype=np.float64)
    factors = (np.ones(totals.shape[0]) if table is None
               else np.asarray(table, dtype=np.float64))
    table_shift = 0
    largest_factor = float(factors.max()) if factors.size else 0.0
    if largest_factor > 0 and (_log2(largest_factor) + _log2(totals.sum())
                               > _WEIGHT_SUM_LOG2):
        table_shift = math.frexp(largest_factor)[1]
        factors = np.ldexp(factors, -table_shift)
        table = factors
    weighted = factors * totals
    if np.count_nonzero(weighted > 0) < 2:
        raise ValueError(
            "At least 2 classes need a positive total weight; with these "
            "sample_weight and class_weight "
            + ("no class has one." if not np.any(weighted > 0) else
               "only one class has one.")
            + " A class whose every sample weighs 0 is absent from the "
              "fit.")
    total = float(weighted.sum())
    sums = None if positive is None else (total, float(weighted[positive]))
    C, l1, l2 = objective[:3]
    scaled, _ = rescale_objective(
        C, l1, l2, weight_shift=weight_shift + table_shift, total=total,
        largest=float(weighted.max()), log2_norm2=log2_norm2)
    return table, sums, scaled, weight_shift + table_shift != 0
