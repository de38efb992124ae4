"""``log_loss``, with the semantics of ``sklearn.metrics.log_loss``."""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import check_array, check_consistent_length

from ._validation import check_sample_weight


def log_loss(y_true, y_prob, *, sample_weight=None, labels=None,
             normalize=True):
    """Log loss (cross-entropy) of probabilistic predictions.

    Equal to :func:`sklearn.metrics.log_loss`: probabilities are clipped to
    ``[eps, 1 - eps]`` with ``eps`` the machine precision of their dtype, a
    1-D ``y_prob`` is the probability of the positive (second) class, and the
    columns of a 2-D ``y_prob`` follow the sorted labels.

    Parameters
    ----------
    y_true : array_like of shape (n_samples,)
        True labels.
    y_prob : array_like of shape (n_samples,) or (n_samples, n_classes)
        Predicted probabilities, as returned by ``predict_proba``.
    sample_weight : array_like of shape (n_samples,), default=None
        Sample weights.
    labels : array_like, default=None
        All the labels, when ``y_true`` does not contain every one of them.
    normalize : bool, default=True
        Return the (weighted) mean loss per sample if True, else the sum.

    Returns
    -------
    float
        The log loss.

    Raises
    ------
    ValueError
        If ``y_prob`` has values outside [0, 1], a number of columns that does
        not match the labels, or ``y_true`` has fewer than two labels.
    """
    y_prob = check_array(y_prob, ensure_2d=False,
                         dtype=[np.float64, np.float32], input_name="y_prob")
    if y_prob.ndim > 2:
        raise ValueError(f"y_prob must be 1-D or 2-D, got {y_prob.ndim}-D.")
    if y_prob.max() > 1:
        raise ValueError(f"y_prob contains values greater than 1: "
                         f"{y_prob.max()}")
    if y_prob.min() < 0:
        raise ValueError(f"y_prob contains values lower than 0: "
                         f"{y_prob.min()}")
    check_consistent_length(y_prob, y_true, sample_weight)
    if sample_weight is not None:
        sample_weight = check_sample_weight(sample_weight, y_prob.shape[0])

    binarizer = LabelBinarizer()
    binarizer.fit(labels if labels is not None else y_true)
    if len(binarizer.classes_) == 1:
        if labels is None:
            raise ValueError(
                "y_true contains only one label "
                f"({binarizer.classes_[0]!r}). Please provide the true labels "
                "explicitly through the labels argument."
            )
        raise ValueError(
            "The labels array needs to contain at least two labels for "
            f"log_loss, got {binarizer.classes_!r}."
        )
    unknown = np.setdiff1d(np.unique(y_true), binarizer.classes_)
    if unknown.size:
        raise ValueError(f"y_true contains labels not in labels: {unknown}")
    onehot = binarizer.transform(y_true)
    if onehot.shape[1] == 1:
        onehot = np.hstack([1 - onehot, onehot])

    if y_prob.ndim == 1:
        y_prob = y_prob[:, np.newaxis]
    if y_prob.shape[1] == 1:
        y_prob = np.hstack([1 - y_prob, y_prob])
    if onehot.shape[1] != y_prob.shape[1]:
        raise ValueError(
            f"y_true and y_prob contain different numbers of classes: "
            f"{onehot.shape[1]} vs {y_prob.shape[1]}. Classes found: "
            f"{binarizer.classes_}; pass labels= if y_true lacks some."
        )
    eps = np.finfo(y_prob.dtype).eps
    sums = y_prob.sum(axis=1)
    if not np.all(np.isclose(sums, 1, rtol=np.sqrt(eps))):
        warnings.warn(
            "The y_prob values do not sum to one. Make sure to pass "
            "probabilities.", UserWarning, stacklevel=2)
    y_prob = np.clip(y_prob, eps, 1 - eps)
    # only the true class's column contributes (one-hot rows)
    per_sample = -np.log(y_prob[onehot.astype(bool)])
    if normalize:
        return float(np.average(per_sample, weights=sample_weight))
    if sample_weight is None:
        return float(per_sample.sum())
    return float(np.dot(per_sample, sample_weight))
