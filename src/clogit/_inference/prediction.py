"""Predictions with their uncertainty: ``results_.get_prediction``.

What is computed
----------------
For a binary problem with coefficients ``theta`` (covariance ``V``, the
fit's ``cov_type``) and a row ``xt`` (X with a 1 for the intercept), the
linear predictor ``eta = xt . theta`` has the variance ``xt V xt^T`` and
the probability ``p = sigmoid(eta)``, by the delta method,
``se(p) = p (1 - p) sqrt(xt V xt^T)``.  The interval is statsmodels'
"endpoint" interval: the Wald interval of ``eta`` mapped through the
sigmoid, ``sigmoid(eta -/+ z se(eta))`` -- inside (0, 1), asymmetric near
the bounds -- and ``conf_int(method="delta")`` gives ``p -/+ z se(p)``
instead.  These are the figures of statsmodels' ``Logit.get_prediction``
(``PredictionResultsMonotonic``): columns ``predicted``, ``se``,
``ci_lower``, ``ci_upper``.

For a multinomial fit (contrasts ``theta_j`` of classes j = 1..K-1 with
the first class), ``p_k = softmax(0, eta_1, .., eta_{K-1})_k`` has the
gradient ``p_k (delta_kj - p_j) xt`` in ``theta_j``, so ``var(p_k) = p_k^2
a_k^T Q a_k`` with ``a_k = (delta_kj - p_j)_j`` and ``Q_jl = xt V_jl
xt^T`` the per-row (K-1)^2 matrix of the linear predictors' covariances;
intervals are delta-method intervals ``p -/+ z se`` (no monotone link maps
one linear predictor to ``p_k``; statsmodels' ``MNLogit`` has no
``get_prediction``: these are the figures its delta method,
``_get_wald_nonlinear``, gives).

``average=True`` predicts the mean ``sum_i w_i p_i / n`` over the rows
(``agg_weights`` w, not normalized, as statsmodels; without X and weights
the fit's frequency weights give the weighted mean) with the delta-method
standard error of that mean (gradient ``sum_i w_i p_i (1 - p_i) xt_i /
n``, one pass); ``which="linear"`` predicts the linear predictor(s).

How
---
``xt V xt^T`` for every row is one blocked pass over X
(:mod:`clogit._backends.row_forms`): with ``V = L L^T`` (Cholesky; for a
positive semi-definite ``V`` the triangular factor of its symmetric square
root), each cached block of rows is multiplied by ``L`` (dtrmm) and its
rows' squared norms summed, with the linear predictor from the same read:
O(n k^2) flops, no n x k temporary.  For K - 1 equations the kernel forms
each row's (K-1)^2 matrix from the blocks ``x L_j`` (dgemm).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import stats

from .._backends.memory import matvec
from .._backends.row_forms import equation_forms, quadratic_forms
from .._kernels.blas import cholesky
from .data import (design_matrix, require_pandas, row_labels, training_data,
                   weighted_row_sum)
from .problem import check_alpha, normal_quantile, two_sided_p


def sigmoid(*args, **kwargs):
    """``clogit._functions.sigmoid``, imported when called: that module is in the
    top layer, above this one (tests/test_layers.py)."""
    from .._functions import sigmoid as function
    return function(*args, **kwargs)

__all__ = ["PredictionResults", "covariance_factor", "get_prediction"]

_WHICH = ("mean", "linear")
_METHODS = (None, "endpoint", "delta")
_ALTERNATIVES = ("two-sided", "larger", "smaller")


def covariance_factor(cov):
    """A lower-triangular ``L`` with ``L L^T = cov``, or None when ``cov``
    is not finite (a singular Hessian: the Wald covariance does not exist).

    Cholesky when ``cov`` is positive definite; otherwise (positive
    semi-definite, e.g. a cluster covariance with fewer clusters than
    coefficients) the triangular factor of its symmetric square root: with
    ``A = U diag(sqrt(max(w, 0)))`` from its eigen-decomposition and ``A^T =
    Q R``, ``L = R^T`` gives ``L L^T = A A^T = cov``.
    """
    cov = np.asarray(cov, dtype=np.float64)
    if not np.all(np.isfinite(cov)):
        return None
    factor = np.array(cov, order="F", copy=True)
    if cov.shape[0] == 0 or cholesky(factor) == 0:
        return np.asfortranarray(np.tril(factor))
    w, U = np.linalg.eigh(0.5 * (cov + cov.T))
    root = U * np.sqrt(np.clip(w, 0.0, None))
    r = np.linalg.qr(root.T, mode="r")
    return np.asfortranarray(np.asarray(r).T)


def _check_choice(value, name, choices):
    if value not in choices:
        raise ValueError(f"{name} must be one of "
                         f"{', '.join(map(repr, choices))}, got {value!r}.")
    return value


class PredictionResults:
    """Predictions with delta-method standard errors and intervals.

    What ``results_.get_prediction`` returns (statsmodels' names:
    ``predicted``, ``se``, ``var_pred``, ``linpred``, ``linpred_se``,
    ``conf_int``, ``summary_frame``, ``t_test``).

    Attributes
    ----------
    predicted : ndarray
        The predictions: shape (n,) for a binary problem, (n, K) for a
        multinomial fit (probabilities of every class; (n, K-1) linear
        predictors with ``which="linear"``), 0-d (or (K,)) with
        ``average=True``.
    var_pred : ndarray
        Their variances (delta method), shaped as ``predicted``.
    linpred, linpred_se : ndarray or None
        The linear predictor and its standard error (binary, per row): the
        endpoint interval is built on them.
    link : {"logit", "identity"} or None
        How ``predicted`` comes from ``linpred`` (None: not from one
        linear predictor; then intervals are delta-method intervals).
    row_labels : pandas Index or None
        The index of a DataFrame X (the rows of ``summary_frame``).
    columns : list or None
        Labels of the last axis of a multinomial prediction (classes, or
        the contrasted classes for ``which="linear"``).
    df : float
        The fit's ``df_resid`` (statsmodels' attribute; the intervals use
        the normal distribution, ``dist``).

    See Also
    --------
    clogit.LogitResults.get_prediction : What makes it.
    """

    dist = stats.norm

    def __init__(self, predicted: np.ndarray, var_pred: np.ndarray, *,
                 linpred: np.ndarray | None = None,
                 linpred_se: np.ndarray | None = None,
                 link: str | None = None, row_labels: Any = None,
                 columns: list | None = None, df: float = np.inf) -> None:
        self.predicted = predicted
        self.var_pred = var_pred
        self.linpred = linpred
        self.linpred_se = linpred_se
        self.link = link
        self.row_labels = row_labels
        self.columns = columns
        self.df = df

    @property
    def se(self) -> np.ndarray:
        """Standard errors of the predictions, ``sqrt(var_pred)``."""
        return np.sqrt(self.var_pred)

    @property
    def tvalues(self) -> np.ndarray:
        """``predicted / se``."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return self.predicted / self.se

    @property
    def _monotonic(self):
        # the endpoint interval exists where the prediction is a monotone
        # function of one linear predictor with a standard error
        return self.link is not None and self.linpred_se is not None

    def t_test(self, value: float | np.ndarray = 0,
               alternative: str = "two-sided") -> tuple[np.ndarray,
                                                        np.ndarray]:
        """Test ``predicted == value`` by its z statistic, as statsmodels.

        Parameters
        ----------
        value : float or array_like, default=0
            The value under the null hypothesis.
        alternative : {"two-sided", "larger", "smaller"}, default="two-sided"
            The alternative hypothesis.

        Returns
        -------
        stat : ndarray
            ``(predicted - value) / se``.
        pvalue : ndarray
            From the standard normal distribution.

        See Also
        --------
        conf_int : The intervals of the predictions.
        """
        _check_choice(alternative, "alternative", _ALTERNATIVES)
        with np.errstate(divide="ignore", invalid="ignore"):
            stat = (self.predicted - np.asarray(value)) / self.se
        if alternative == "two-sided":
            return stat, two_sided_p(stat)
        if alternative == "larger":
            return stat, stats.norm.sf(stat)
        return stat, stats.norm.cdf(stat)

    def conf_int(self, alpha: float = 0.05,
                 method: str | None = None) -> np.ndarray:
        """Confidence intervals of the predictions.

        Parameters
        ----------
        alpha : float in (0, 1), default=0.05
            One minus the confidence level.
        method : {None, "endpoint", "delta"}, default=None
            "endpoint": the interval of the linear predictor mapped through
            the sigmoid (binary predictions per row; statsmodels' default);
            "delta": ``predicted -/+ z se``.  None: "endpoint" where it
            exists, else "delta" (multinomial, averaged and linear
            predictions, as statsmodels).

        Returns
        -------
        ndarray
            Lower and upper bounds in the last axis: (n, 2) for per-row
            binary predictions, (1, 2) averaged, and ``predicted.shape +
            (2,)`` for multinomial predictions.

        See Also
        --------
        summary_frame : The predictions and intervals as a table.
        """
        alpha = check_alpha(alpha)
        _check_choice(method, "method", _METHODS)
        q = normal_quantile(alpha)
        if method == "endpoint" and not self._monotonic:
            raise ValueError(
                "method='endpoint' needs a prediction that is a monotone "
                "function of one linear predictor (a binary probability, "
                "row by row); use method='delta'.")
        if method != "delta" and self._monotonic:
            half = q * self.linpred_se
            lower, upper = self.linpred - half, self.linpred + half
            if self.link == "logit":
                lower, upper = sigmoid(lower), sigmoid(upper)
        else:
            half = q * self.se
            lower, upper = self.predicted - half, self.predicted + half
        if np.ndim(self.predicted) <= 1:
            return np.column_stack((lower, upper))
        return np.stack((lower, upper), axis=-1)

    def summary_frame(self, alpha: float = 0.05) -> Any:
        """The predictions as a table, as statsmodels' ``summary_frame``.

        The columns are ``predicted``, ``se``, ``ci_lower``, ``ci_upper``.

        Parameters
        ----------
        alpha : float in (0, 1), default=0.05
            One minus the confidence level.

        Returns
        -------
        pandas.DataFrame
            One row per prediction, indexed by ``row_labels``; a
            multinomial prediction has one row per (row, class), indexed by
            both.

        Raises
        ------
        ImportError
            Without pandas.

        See Also
        --------
        conf_int : The intervals as an array, either method.
        """
        pd = require_pandas("summary_frame")
        ci = self.conf_int(alpha)
        columns = {"predicted": np.ravel(self.predicted),
                   "se": np.ravel(self.se),
                   "ci_lower": np.ravel(ci[..., 0]),
                   "ci_upper": np.ravel(ci[..., 1])}
        if self.columns is None:
            return pd.DataFrame(columns, index=self.row_labels)
        if self.predicted.ndim == 1:  # averaged multinomial: (K,)
            index = pd.Index(self.columns, name="class")
        else:
            rows = (self.row_labels if self.row_labels is not None
                    else pd.RangeIndex(self.predicted.shape[0]))
            index = pd.MultiIndex.from_product(
                [rows, self.columns], names=[rows.name or "row", "class"])
        return pd.DataFrame(columns, index=index)


# ----------------------------------------------------------------------
# computing them
# ----------------------------------------------------------------------
def _solver_order(order):
    """The permutation taking a covariance in public order (intercept
    first) to the solver's (intercept last), given ``fit._order()``."""
    return np.argsort(order)


def _rows(results, X, labels, what):
    """(matrix, row labels, weights of the mean over rows) for ``X``, or for
    the training data when X is None (then its frequency weights)."""
    if X is None:
        data = training_data(results._fit, what)
        weights = data.sample_weight
        return data.X, labels, weights * (weights.shape[0] / weights.sum())
    matrix = design_matrix(results, X)
    return matrix, row_labels(X) if labels is None else labels, None


def _agg_weights(agg_weights, default, n):
    if agg_weights is None:
        return np.ones(n) if default is None else default
    weights = np.asarray(agg_weights, dtype=np.float64)
    if weights.ndim == 0:
        weights = np.full(n, float(weights))
    if weights.shape != (n,) or not np.all(np.isfinite(weights)):
        raise ValueError(f"agg_weights must be finite, one per row ({n}), "
                         f"got shape {weights.shape}.")
    return weights


def get_prediction(results: Any, X: Any = None, which: str = "mean",
                   row_labels: Any = None, average: bool = False,
                   agg_weights: Any = None) -> PredictionResults:
    """``results.get_prediction(...)`` of a LogitResults or MNLogitResults
    (see :meth:`clogit.LogitResults.get_prediction`)."""
    _check_choice(which, "which", _WHICH)
    if not isinstance(average, (bool, np.bool_)):
        raise ValueError(f"average must be a bool, got {average!r}.")
    fit = results._fit
    matrix, labels, default = _rows(
        results, X, row_labels, "get_prediction() without X (predictions "
        "at the training rows)")
    if fit.coef.ndim == 1:
        return _binary(results, matrix, labels, which, average,
                       _agg_weights(agg_weights, default, matrix.shape[0])
                       if average else None)
    return _multinomial(results, matrix, labels, which, average,
                        _agg_weights(agg_weights, default, matrix.shape[0])
                        if average else None)


def _binary(results, X, labels, which, average, weights):
    fit = results._fit
    inverse = _solver_order(fit._order())
    cov = fit.covariance[np.ix_(inverse, inverse)]
    coef = fit.coef
    n = X.shape[0]
    df = results.df_resid
    if average:
        eta = np.empty(n)
        matvec(X, coef, fit.fit_intercept, eta)
        if which == "mean":
            p = sigmoid(eta)
            values, slopes = p, p * sigmoid(-eta)
        else:
            values, slopes = eta, np.ones(n)
        grad = weighted_row_sum(X, weights * slopes / n, fit.fit_intercept)
        predicted = np.asarray(np.dot(weights, values) / n)
        var = np.asarray(grad @ cov @ grad)
        return PredictionResults(predicted, var, df=df)
    factor = covariance_factor(cov)
    if factor is None:
        eta = np.empty(n)
        matvec(X, coef, fit.fit_intercept, eta)
        q = np.full(n, np.nan)
    else:
        q, eta = quadratic_forms(X, fit.fit_intercept, factor, coef=coef)
    linpred_se = np.sqrt(q)
    if which == "linear":
        return PredictionResults(eta, q, linpred=eta, linpred_se=linpred_se,
                                 link="identity", row_labels=labels, df=df)
    p = sigmoid(eta)
    slope = p * sigmoid(-eta)  # p (1 - p) without cancellation
    return PredictionResults(p, slope ** 2 * q, linpred=eta,
                             linpred_se=linpred_se, link="logit",
                             row_labels=labels, df=df)


def _softmax_with_base(eta):
    """Probabilities of K classes from the K-1 contrasts (the first class's
    score 0), stable for any finite scores."""
    scores = np.column_stack([np.zeros(eta.shape[0]), eta])
    scores -= scores.max(axis=1, keepdims=True)
    np.exp(scores, out=scores)
    scores /= scores.sum(axis=1, keepdims=True)
    return scores


def _multinomial(results, X, labels, which, average, weights):
    fit = results._fit
    K, k1 = fit.n_classes, fit.k1
    E = K - 1
    order = np.concatenate([fit._order() + j * k1 for j in range(E)])
    inverse = _solver_order(order)
    cov = fit.covariance[np.ix_(inverse, inverse)]
    contrasts = fit.coef[1:] - fit.coef[0]  # (E, k1), intercept last
    n = X.shape[0]
    eta = np.empty((n, E))
    column = np.empty(n)
    for j in range(E):
        matvec(X, np.ascontiguousarray(contrasts[j]), fit.fit_intercept,
               column)
        eta[:, j] = column
    classes = results.classes
    df = results.df_resid
    if which == "linear":
        columns = classes[1:]
    else:
        columns = classes
        P = _softmax_with_base(eta)
    if average:
        if which == "linear":
            values = eta
            grads = [np.kron(np.eye(E)[j], weighted_row_sum(
                X, weights / n, fit.fit_intercept)) for j in range(E)]
        else:
            values = P
            grads = []
            for k in range(K):
                parts = [weighted_row_sum(
                    X, weights * P[:, k] * ((k == j + 1) - P[:, j + 1]) / n,
                    fit.fit_intercept) for j in range(E)]
                grads.append(np.concatenate(parts))
        G = np.array(grads)
        predicted = weights @ values / n
        var = np.einsum("ka,ab,kb->k", G, cov, G)
        return PredictionResults(predicted, var, columns=columns, df=df)
    factor = covariance_factor(cov)
    if factor is None:
        Q = np.full((n, E, E), np.nan)
    else:
        Q = equation_forms(X, fit.fit_intercept, factor, E)
    if which == "linear":
        var = np.einsum("ijj->ij", Q).copy()
        return PredictionResults(eta, var, row_labels=labels,
                                 columns=columns, df=df)
    # a[i, k, j] = delta(k, j + 1) - p_i(j + 1): the gradient of p_k in the
    # contrast j, divided by p_k
    a = np.eye(K)[None, :, 1:] - P[:, None, 1:]
    var = P ** 2 * np.einsum("ikj,ijl,ikl->ik", a, Q, a)
    return PredictionResults(P, var, row_labels=labels, columns=columns,
                             df=df)
