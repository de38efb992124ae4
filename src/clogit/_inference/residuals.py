"""Residuals and prediction tables of a fit, at its training rows, as
statsmodels' ``BinaryResults`` / ``MultinomialResults`` define them.

Binary problems (``z`` the linear predictor, ``p = sigmoid(z)``):

* ``resid_response = y - p`` (also ``resid_generalized`` for the logit);
* ``resid_pearson = (y - p) / sqrt(p (1 - p))``, computed as ``exp(-z/2)``
  for y = 1 and ``-exp(z/2)`` for y = 0 (the same number, without the
  cancellation of ``1 - p`` or the 0/0 of a saturated p);
* ``resid_dev = sign(y - p) sqrt(-2 loglik_i)``, with ``loglik_i =
  log sigmoid(z)`` (y = 1) or ``log sigmoid(-z)`` (y = 0) from the stable
  ``log1pexp``;
* ``pred_table(threshold)``: the 2 x 2 table of observed (rows) against
  predicted (``p > threshold``, columns) classes.

Multinomial fits: ``resid_response`` (the n x J indicator matrix of the
observed classes less the probabilities), ``resid_misclassified`` and the
J x J ``pred_table()`` of observed against most probable classes.

Residuals are per row; sample weights are frequency weights, so a row of
weight 2 stands for two observations with the same residual, and the
prediction tables count weighted observations (the counts of the
repeated data).
"""

from __future__ import annotations

import numpy as np

from .data import training_data


def log1pexp(*args, **kwargs):
    """``clogit._functions.log1pexp``, imported when called: that module is in the
    top layer, above this one (tests/test_layers.py)."""
    from .._functions import log1pexp as function
    return function(*args, **kwargs)


def sigmoid(*args, **kwargs):
    """``clogit._functions.sigmoid``, imported when called: that module is in the
    top layer, above this one (tests/test_layers.py)."""
    from .._functions import sigmoid as function
    return function(*args, **kwargs)

__all__ = ["binary_residuals", "multinomial_residuals", "pred_table"]


def _binary_data(fit, what):
    data = training_data(fit, what)
    return np.asarray(data.scores), np.asarray(data.y), data


def binary_residuals(fit, kind):
    """The ``kind`` residuals ("response", "pearson", "dev") of a binary
    problem at its training rows."""
    z, y, _ = _binary_data(fit, f"resid_{kind}")
    positive = y > 0.5
    if kind == "response":
        return y - sigmoid(z)
    if kind == "pearson":
        with np.errstate(over="ignore"):
            return np.where(positive, np.exp(-0.5 * z), -np.exp(0.5 * z))
    loss = log1pexp(np.where(positive, -z, z))  # -loglik_i
    return np.where(positive, 1.0, -1.0) * np.sqrt(2.0 * loss)


def _check_threshold(threshold):
    if (isinstance(threshold, bool)
            or not isinstance(threshold, (int, float, np.floating))
            or not np.isfinite(threshold)):
        raise ValueError(f"threshold must be a finite number, got "
                         f"{threshold!r}.")
    return float(threshold)


def pred_table(fit, threshold=0.5):
    """The binary prediction table: ``table[i, j]`` counts the (weighted)
    observations of class i predicted as j (``p > threshold``)."""
    threshold = _check_threshold(threshold)
    z, y, data = _binary_data(fit, "pred_table()")
    predicted = sigmoid(z) > threshold
    table = np.zeros((2, 2))
    np.add.at(table, ((y > 0.5).astype(np.intp), predicted.astype(np.intp)),
              data.sample_weight)
    return table


def _softmax(scores):
    scores = scores - scores.max(axis=1, keepdims=True)
    P = np.exp(scores)
    P /= P.sum(axis=1, keepdims=True)
    return P


def multinomial_residuals(fit, kind):
    """A softmax fit's ``kind`` ("response", "misclassified", "table")."""
    what = ("pred_table()" if kind == "table" else f"resid_{kind}")
    data = training_data(fit, what)
    P = _softmax(np.asarray(data.scores))
    y = np.asarray(data.y).astype(np.intp)
    if kind == "response":
        response = -P
        response[np.arange(y.shape[0]), y] += 1.0
        return response
    predicted = np.argmax(P, axis=1)
    if kind == "misclassified":
        return (predicted != y).astype(np.float64)
    J = P.shape[1]
    table = np.zeros((J, J))
    np.add.at(table, (y, predicted), data.sample_weight)
    return table
