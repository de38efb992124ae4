"""``log_loss``, with the semantics of ``sklearn.metrics.log_loss``."""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import check_array, check_consistent_length

from ._typing import ArrayLike
from ._validation import check_sample_weight


def log_loss(y_true: ArrayLike, y_prob: ArrayLike, *,
             sample_weight: ArrayLike | None = None,
             labels: ArrayLike | None = None,
             normalize: bool = True) -> float:
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

    See Also
    --------
    sklearn.metrics.log_loss : The same loss, with clogit's precision here.
    log_sigmoid : The stable logarithm it uses.
    """
    prob: np.ndarray = check_array(
        y_prob, ensure_2d=False, dtype=[np.float64, np.float32],
        input_name="y_prob")
    if prob.ndim > 2:
        raise ValueError(f"y_prob must be 1-D or 2-D, got {prob.ndim}-D.")
    if prob.max() > 1:
        raise ValueError(f"y_prob contains values greater than 1: "
                         f"{prob.max()}")
    if prob.min() < 0:
        raise ValueError(f"y_prob contains values lower than 0: "
                         f"{prob.min()}")
    check_consistent_length(prob, y_true, sample_weight)
    weights = (None if sample_weight is None
               else check_sample_weight(sample_weight, prob.shape[0]))

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

    if prob.ndim == 1:
        prob = prob[:, np.newaxis]
    if prob.shape[1] == 1:
        prob = np.hstack([1 - prob, prob])
    if onehot.shape[1] != prob.shape[1]:
        raise ValueError(
            f"y_true and y_prob contain different numbers of classes: "
            f"{onehot.shape[1]} vs {prob.shape[1]}. Classes found: "
            f"{binarizer.classes_}; pass labels= if y_true lacks some."
        )
    eps = np.finfo(prob.dtype).eps
    sums = prob.sum(axis=1)
    if not np.all(np.isclose(sums, 1, rtol=np.sqrt(eps))):
        warnings.warn(
            "The y_prob values do not sum to one. Make sure to pass "
            "probabilities.", UserWarning, stacklevel=2)
    prob = np.clip(prob, eps, 1 - eps)
    # only the true class's column contributes (one-hot rows)
    per_sample = -np.log(prob[onehot.astype(bool)])
    if normalize:
        return float(np.average(per_sample, weights=weights))
    if weights is None:
        return float(per_sample.sum())
    return float(np.dot(per_sample, weights))
