"""Input checks shared by the estimators: everything BLAS cannot be trusted
with is refused or converted here, before any kernel runs."""

import numbers

import numpy as np

# BLAS and LAPACK index with 32-bit ints (scipy's LP64 OpenBLAS).
_INT_MAX = np.iinfo(np.int32).max


def as_blas_matrix(X):
    """Return X as a C- or F-contiguous array BLAS can index.

    Arrays contiguous in either order are used as they are (no copy, read-only
    and memory-mapped arrays included); any other layout is copied to C
    order.  Sizes BLAS cannot index raise ``ValueError``.
    """
    n, p = X.shape
    if n >= _INT_MAX or p >= _INT_MAX:
        raise ValueError(
            f"X has shape {X.shape}; clogit's BLAS kernels index with 32-bit "
            f"integers and support at most {_INT_MAX - 1} rows and columns."
        )
    if not (X.flags.c_contiguous or X.flags.f_contiguous):
        X = np.ascontiguousarray(X)
    return X


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


def class_weight_per_sample(class_weight, classes, y_encoded):
    """Per-sample multipliers from ``class_weight`` (scikit-learn semantics).

    ``"balanced"`` gives ``n_samples / (n_classes * bincount(y))``; a dict maps
    labels to weights (missing labels weigh 1).  Returns ``None`` for no class
    weights.
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
        counts = np.bincount(y_encoded, minlength=n_classes)
        weights = len(y_encoded) / (n_classes * counts.astype(np.float64))
        return weights[y_encoded]
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
        return weights[y_encoded]
    raise TypeError(
        "class_weight must be None, 'balanced' or a dict, got "
        f"{type(class_weight).__name__}."
    )
