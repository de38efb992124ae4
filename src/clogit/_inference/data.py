"""The data later analyses of a fit read: new rows to predict at, and the
training data kept by reference.

``design_matrix`` makes what a user passes to ``get_prediction`` into the
matrix the kernels read, exactly as the estimator's ``predict_proba``
would (a formula fit transforms raw data; names and widths are checked).
``training_data`` remakes a fit's problem over its training data (the
``source`` of :class:`~clogit._inference.problem.ProblemFit`, a reference,
never a copy) and checks that those data still give the fit's objective
at its coefficients: data changed in place since ``fit`` raise instead of
giving wrong residuals or marginal effects.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.utils import check_array

from .._backends.memory import BinomialKernels
from .problem import InferenceUnavailableError


def as_blas_matrix(*args, **kwargs):
    """``clogit._validation.as_blas_matrix``, imported when called: that module is in the
    top layer, above this one (tests/test_layers.py)."""
    from .._validation import as_blas_matrix as function
    return function(*args, **kwargs)

__all__ = ["TrainingData", "design_matrix", "require_pandas", "row_labels",
           "training_data", "weighted_row_sum"]


def require_pandas(what):
    """pandas, or an ImportError naming ``what`` needs it (pandas is
    optional)."""
    try:
        import pandas
    except ImportError:
        raise ImportError(f"{what} needs pandas: pip install "
                          "\"clogit[pandas]\".") from None
    return pandas


def row_labels(X):
    """The index of a pandas (or polars-like) table, else None (statsmodels'
    ``row_labels``)."""
    index = getattr(X, "index", None)
    if index is None or callable(index):
        return None
    return index


def design_matrix(results, X):
    """``X`` as the fit's kernels read it: a formula fit's raw data through
    its design, anything else validated as ``predict_proba`` validates it.

    Raises
    ------
    ValueError
        Wrong number of features, feature names other than the fit's, NaN
        or infinite values, or (formula) a missing column or unseen level.
    """
    fit = results._fit
    design = results._design
    if design is not None:
        return as_blas_matrix(design.transform(X))
    names = results._feature_names_in
    columns = getattr(X, "columns", None)
    if names is not None and columns is not None and not callable(columns):
        given = [str(c) for c in columns]
        if given != list(names):
            raise ValueError(
                f"X has the columns {given}, but the model was fitted with "
                f"the features {list(names)} (same names, same order).")
    X = check_array(X, accept_sparse=["csr", "csc"],
                    dtype=[np.float64, np.float32])
    X = as_blas_matrix(X)
    if X.shape[1] != fit.n_features:
        raise ValueError(
            f"X has {X.shape[1]} features, but the model was fitted with "
            f"{fit.n_features}.")
    return X


@dataclass
class TrainingData:
    """A fit's problem over its training data.

    Attributes
    ----------
    kernels : BinomialKernels or SoftmaxKernels
        The problem's kernels (``X``, ``y``, ``sample_weight``, ``C``).
    scores : ndarray of shape (n,) or (n, K)
        ``X~ coef`` at the fitted coefficients (solver layout: a binary
        problem's linear predictor; a softmax fit's K class scores).
    """

    kernels: Any
    scores: np.ndarray

    @property
    def X(self):
        """The training matrix (dense, CSR or CSC)."""
        return self.kernels.X

    @property
    def y(self) -> np.ndarray:
        """Labels: {0, 1} floats (binary) or class indices (softmax)."""
        return self.kernels.y

    @property
    def sample_weight(self) -> np.ndarray:
        """The problem's weights (sample and class weights combined)."""
        return self.kernels.sample_weight


def training_data(fit, what):
    """The training data of ``fit`` (see :class:`TrainingData`), for the
    figure ``what`` (named in the errors).

    Raises
    ------
    InferenceUnavailableError
        The fit holds no reference to its training data (a loaded,
        unpickled or ``remove_data()`` model, or a dask fit), or the data
        changed since ``fit``.
    """
    if fit.source is None:
        raise InferenceUnavailableError(
            f"{what} needs the training data, which this model does not "
            "hold (it was loaded from a model file or unpickled, "
            "results_.remove_data() was called, or it was fitted on dask "
            "arrays). Refit the model in memory.")
    kernels = fit.source()
    zeros = kernels.new_scores()
    zeros[...] = 0.0
    if fit.coef.ndim == 1:
        scores = kernels.new_scores()
        kernels.matvec(fit.coef, scores)
    else:
        scores = kernels.new_scores()
        kernels.scores(np.ascontiguousarray(fit.coef), scores)
    objective = kernels.objective_along(scores, zeros, 0.0)
    expected = fit.data_objective
    if not np.isclose(objective, expected, rtol=1e-9,
                      atol=1e-12 * max(1.0, abs(expected))):
        raise InferenceUnavailableError(
            "The training data changed since fit (the log-likelihood of the "
            "data at the fitted coefficients is not the fit's): "
            f"{what} would be wrong. Refit the model.")
    return TrainingData(kernels=kernels, scores=scores)


def weighted_row_sum(X, weights, fit_intercept):
    """``sum_i weights_i xt_i`` (``X~^T weights``) for dense or sparse X, in
    float64 without a dense copy of sparse X or a float64 copy of float32
    X: one row-parallel gemv."""
    k = X.shape[1]
    out = np.empty(k)
    BinomialKernels(X, None, None, 1.0, fit_intercept).rmatvec(
        np.ascontiguousarray(weights, dtype=np.float64), out)
    if fit_intercept:
        out = np.append(out, float(np.sum(weights)))
    return out
