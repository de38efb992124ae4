"""Input checks shared by the estimators: everything BLAS cannot be trusted
with is refused or converted here, before any kernel runs."""

from __future__ import annotations

import numbers

import numpy as np
import scipy.sparse as sp

from ._kernels.compressed import check_compressed

# BLAS and LAPACK index with 32-bit ints (scipy's LP64 OpenBLAS).
_INT_MAX = np.iinfo(np.int32).max


def as_blas_matrix(X):
    """Return X in a layout clogit's kernels can index, copying only if needed.

    Dense arrays contiguous in either order are used as they are (no copy,
    read-only and memory-mapped arrays included); any other layout is copied
    to C order.  scipy.sparse matrices and arrays go through
    :func:`as_sparse_matrix`.  Sizes BLAS cannot index raise ``ValueError``.
    """
    n, p = X.shape
    if n >= _INT_MAX or p >= _INT_MAX:
        raise ValueError(
            f"X has shape {X.shape}; clogit's BLAS kernels index with 32-bit "
            f"integers and support at most {_INT_MAX - 1} rows and columns."
        )
    if sp.issparse(X):
        return as_sparse_matrix(X)
    if not (X.flags.c_contiguous or X.flags.f_contiguous):
        X = np.ascontiguousarray(X)
    return X


def as_sparse_matrix(X):
    """Return sparse X as a canonical CSR or CSC matrix for ``clogit._kernels.sparse``.

    * CSR and CSC are kept; any other format is converted to CSR.
    * Values must be float32 or float64 (others are converted to float64)
      and finite.
    * Indices may be int32 or int64; ``indices`` and ``indptr`` get one
      common dtype (the kernels are compiled for matching pairs).
    * Canonical format (indices sorted within each row / column, no
      duplicate entries) is required by the Hessian kernels; a matrix that
      is not canonical is copied once and canonicalized (scipy's
      ``sum_duplicates``).  Matrices built by scipy and scikit-learn
      usually are canonical already and are used as they are: read-only
      and memory-mapped ``data``/``indices``/``indptr`` are never copied.

    Parameters
    ----------
    X : scipy.sparse matrix or array of shape (n_samples, n_features)

    Returns
    -------
    scipy.sparse matrix or array, CSR or CSC
        ``X`` itself when it already qualifies.

    Raises
    ------
    ValueError
        On NaN or infinite values, or on out-of-range indices (a corrupt
        matrix the kernels would read out of bounds).
    """
    if X.format not in ("csr", "csc"):
        X = X.tocsr()
    if X.dtype not in (np.float32, np.float64):
        X = X.astype(np.float64)
    # the sum is finite for finite data unless it overflows: then look closer
    with np.errstate(over="ignore"):
        total = np.sum(X.data, dtype=np.float64)
    if not np.isfinite(total) and not np.isfinite(X.data).all():
        raise ValueError("Input X contains NaN or infinite values.")
    indices, indptr = X.indices, X.indptr
    if (indices.dtype not in (np.int32, np.int64)
            or indptr.dtype != indices.dtype
            or not (X.data.flags.c_contiguous and indices.flags.c_contiguous
                    and indptr.flags.c_contiguous)):
        index_dtype = (np.int32 if indices.dtype == indptr.dtype == np.int32
                       else np.int64)
        X = type(X)((np.ascontiguousarray(X.data),
                     np.ascontiguousarray(indices, dtype=index_dtype),
                     np.ascontiguousarray(indptr, dtype=index_dtype)),
                    shape=X.shape, copy=False)
        indices, indptr = X.indices, X.indptr
    n_major = X.shape[0] if X.format == "csr" else X.shape[1]
    n_minor = X.shape[1] if X.format == "csr" else X.shape[0]
    if (indptr.shape[0] != n_major + 1
            or indices.shape[0] != X.data.shape[0]):
        raise ValueError("X is not a valid sparse matrix: its indptr, "
                         "indices and data arrays are inconsistent.")
    # The whole structure, whatever scipy's cached has_canonical_format
    # says (it goes stale when indptr or indices are changed in place).
    state = check_compressed(indices, indptr, n_minor)
    if state == -1:
        raise ValueError(
            "X is not a valid sparse matrix: its indptr must start at 0, "
            "never decrease and end within its indices "
            f"({indices.shape[0]} entries).")
    if state == -2:
        raise ValueError("X is not a valid sparse matrix: some indices are "
                         f"outside [0, {n_minor}).")
    if state == 1:
        X = X.copy()
        X.has_canonical_format = False  # the copy inherits a stale flag
        X.sum_duplicates()
    return X


def encode_labels(y):
    """``np.unique(y, return_inverse=True)``: the sorted classes and each
    sample's class index.  Numeric y of exactly two values takes three
    vectorized passes instead of unique's sort (200,000 float labels:
    about 0.5 ms against 3-8 ms, a few percent of a fit's time)."""
    y = np.asarray(y)
    if y.ndim == 1 and y.size and y.dtype.kind in "biuf":
        low, high = y.min(), y.max()
        if low < high:  # (False for NaN and for a single class)
            is_high = y == high
            if np.count_nonzero(is_high) + np.count_nonzero(y == low) \
                    == y.size:
                return (np.array([low, high], dtype=y.dtype),
                        is_high.astype(np.intp))
    return np.unique(y, return_inverse=True)


def check_sample_weight(sample_weight, n_samples):
    """Validate ``sample_weight`` and return it as a float64 array.

    ``None`` means unit weights.  Weights must be finite and non-negative, one
    per sample, and not all zero.
    """
    if sample_weight is None:
        return np.ones(n_samples, dtype=np.float64)
    if isinstance(sample_weight, numbers.Number):
        sample_weight = np.full(n_samples, sample_weight, dtype=np.float64)
    sample_weight = np.asarray(sample_weight)
    if sample_weight.dtype.kind not in "biuf":
        raise TypeError(
            "sample_weight must be numeric, got an array of dtype "
            f"{sample_weight.dtype}."
        )
    sample_weight = np.array(sample_weight, dtype=np.float64, order="C",
                             copy=True)
    if sample_weight.ndim != 1:
        raise ValueError(
            "sample_weight must be 1-D, got an array of shape "
            f"{sample_weight.shape}."
        )
    if sample_weight.shape[0] != n_samples:
        raise ValueError(
            f"sample_weight has {sample_weight.shape[0]} entries but X has "
            f"{n_samples} samples; sample_weight.shape == ({n_samples},) "
            "expected."
        )
    if not np.all(np.isfinite(sample_weight)):
        raise ValueError("sample_weight contains NaN or infinite values.")
    if np.any(sample_weight < 0):
        raise ValueError("sample_weight contains negative weights; weights "
                         "must be non-negative.")
    if not np.any(sample_weight > 0):
        raise ValueError("sample_weight sums to zero: at least one sample "
                         "needs a positive weight.")
    return sample_weight


def balanced_weights(totals):
    """``sum(totals) / (n_classes * totals)``, scikit-learn's "balanced"
    class weights from the weighted class totals, with 0 for a class of
    total 0 (whose samples all weigh 0, where 1 / 0 = inf would turn their
    weights into 0 * inf = NaN)."""
    totals = np.asarray(totals, dtype=np.float64)
    out = np.zeros(totals.shape[0])
    np.divide(totals.sum(), totals.shape[0] * totals, out=out,
              where=totals > 0)
    return out


def class_weight_table(class_weight, classes, totals):
    """Per-class weight multipliers from ``class_weight`` (scikit-learn
    semantics), or None for no class weights.

    ``totals`` are the classes' weighted sample counts: ``"balanced"`` gives
    ``sum(totals) / (n_classes * totals)`` (the counts weighted by
    ``sample_weight``, as scikit-learn >= 1.7's ``compute_class_weight``); a
    dict maps labels to weights (missing labels weigh 1).  A sample's weight
    is multiplied by its class's entry.
    """
    if class_weight is None:
        return None
    n_classes = len(classes)
    if isinstance(class_weight, str):
        if class_weight != "balanced":
            raise ValueError(
                "class_weight must be None, 'balanced' or a dict, got "
                f"{class_weight!r}."
            )
        return balanced_weights(totals)
    if isinstance(class_weight, dict):
        weights = np.ones(n_classes, dtype=np.float64)
        index = {label: k for k, label in enumerate(classes.tolist())}
        for label, weight in class_weight.items():
            key = label.item() if isinstance(label, np.generic) else label
            if key not in index:
                raise ValueError(
                    f"class_weight has the label {label!r}, which is not one "
                    f"of the classes {classes.tolist()}."
                )
            if (not isinstance(weight, numbers.Real)
                    or not np.isfinite(weight) or weight < 0):
                raise ValueError(
                    f"class_weight[{label!r}] = {weight!r} must be a finite, "
                    "non-negative number."
                )
            weights[index[key]] = weight
        return weights
    raise TypeError(
        "class_weight must be None, 'balanced' or a dict, got "
        f"{type(class_weight).__name__}."
    )


# Rows per block when looking for nonzero columns of dense X (bounds the
# boolean temporary).
_NONZERO_BLOCK_ROWS = 4096


def nonzero_columns(X, sample_weight):
    """Boolean mask of the columns of X with a nonzero entry on a sample of
    positive weight (dense: in row blocks; sparse: from the stored
    entries).  Exact for any magnitude (no squares that could underflow)."""
    n, p = X.shape
    active = sample_weight > 0
    if sp.issparse(X):
        counts = np.diff(X.indptr)
        if X.format == "csr":
            rows = np.repeat(np.arange(n), counts)
            cols = X.indices
        else:
            rows = X.indices
            cols = np.repeat(np.arange(p), counts)
        mask = (X.data != 0) & active[rows]
        return np.bincount(cols[mask], minlength=p) > 0
    keep = np.zeros(p, dtype=bool)
    everyone = bool(active.all())
    for start in range(0, n, _NONZERO_BLOCK_ROWS):
        block = X[start:start + _NONZERO_BLOCK_ROWS]
        if not everyone:
            block = block[active[start:start + _NONZERO_BLOCK_ROWS]]
        keep |= (block != 0).any(axis=0)
        if keep.all():
            break
    return keep
