"""``clogit.LogisticRegression``: validation and dispatch around the kernels."""

import numbers
import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from . import _binomial
from ._functions import log_sigmoid, sigmoid
from ._newton import newton_binary, warn_not_converged
from ._validation import (
    as_blas_matrix,
    check_sample_weight,
    class_weight_per_sample,
)

_PENALTIES = ("l2", "l1", "elasticnet", None)
_SOLVERS = ("auto", "newton", "lbfgs", "gd")
_MULTI_CLASS = ("auto", "ovr", "multinomial")
# Accepted by the API, built in later releases: refused loudly, never
# replaced by something else behind the user's back.
_PENALTIES_NOT_YET = ("l1", "elasticnet")
_SOLVERS_NOT_YET = ("lbfgs", "gd")
_MULTI_CLASS_NOT_YET = ("multinomial",)


def _is_real(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


class LogisticRegression(ClassifierMixin, BaseEstimator):
    """Logistic regression with compiled Newton kernels.

    A drop-in for :class:`sklearn.linear_model.LogisticRegression`, minimizing

    ``C * sum_i s_i * loss(y_i, x_i.w + b) + R(w)``

    with ``R(w) = |w|^2 / 2`` for ``penalty="l2"`` and 0 for ``penalty=None``
    (the intercept is never penalized), by Newton–Raphson on a Hessian
    assembled by a blocked symmetric rank-k update (no copy of X per
    iteration).  Multiclass targets are fitted One-vs-Rest.

    Parameters
    ----------
    penalty : {"l2", "l1", "elasticnet"} or None, default="l2"
        Regularization term.  ``None`` (or ``C=np.inf``) fits the unpenalized
        maximum-likelihood model.  "l1" and "elasticnet" are not built yet
        and raise ``ValueError``.
    C : float, default=1.0
        Inverse regularization strength, > 0; ``np.inf`` means no penalty.
    l1_ratio : float in [0, 1], default=None
        Elastic-net mixing parameter (for ``penalty="elasticnet"``).
    solver : {"auto", "newton", "lbfgs", "gd"}, default="auto"
        Optimization algorithm; "auto" picks "newton".  "lbfgs" and "gd" are
        not built yet and raise ``ValueError``.
    fit_intercept : bool, default=True
        Whether to fit an (unpenalized) intercept.
    class_weight : dict, "balanced" or None, default=None
        Weights multiplying ``sample_weight`` by class, with scikit-learn's
        semantics: "balanced" gives ``n_samples / (n_classes * count)``.
    multi_class : {"auto", "ovr", "multinomial"}, default="auto"
        How to fit more than two classes; "auto" and "ovr" fit One-vs-Rest.
        "multinomial" is not built yet and raises ``ValueError``.
    tol : float, default=1e-6
        Stop when the gradient of the objective scaled by
        ``1 / (C * sum(sample_weight))`` is below ``tol`` in max-norm and half
        the squared Newton decrement (same scaling) below ``tol**2``.
    max_iter : int, default=100
        Most Newton iterations per binary problem.
    warm_start : bool, default=False
        Start from the previous fit's coefficients when shapes allow.
    n_jobs : int or None, default=None
        Reserved for parallel One-vs-Rest (classes are fitted in turn).
    verbose : int, default=0
        If > 0, print one line per iteration: objective, max|grad|, Newton
        decrement and step length.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        Coefficients (one row for binary problems).
    intercept_ : ndarray of shape (1,) or (n_classes,)
        Intercepts (zeros when ``fit_intercept=False``).
    n_iter_ : ndarray of shape (1,) or (n_classes,), int32
        Newton iterations of each binary problem.
    converged_ : bool
        Whether every binary problem met the tolerance.
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names, when X was a pandas DataFrame with string column names.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.preprocessing import StandardScaler
    >>> import clogit
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> clf = clogit.LogisticRegression(C=1.0).fit(X, y)
    >>> round(clf.score(X, y), 3)
    0.988
    """

    def __init__(
        self,
        penalty="l2",
        C=1.0,
        l1_ratio=None,
        solver="auto",
        fit_intercept=True,
        class_weight=None,
        multi_class="auto",
        tol=1e-6,
        max_iter=100,
        warm_start=False,
        n_jobs=None,
        verbose=0,
    ):
        self.penalty = penalty
        self.C = C
        self.l1_ratio = l1_ratio
        self.solver = solver
        self.fit_intercept = fit_intercept
        self.class_weight = class_weight
        self.multi_class = multi_class
        self.tol = tol
        self.max_iter = max_iter
        self.warm_start = warm_start
        self.n_jobs = n_jobs
        self.verbose = verbose

    # ------------------------------------------------------------------
    # parameters
    # ------------------------------------------------------------------
    def _validate_params(self):
        """Check every hyper-parameter; return (C_data, alpha) of the
        objective ``C_data * sum(s * loss) + alpha/2 * |w|^2``."""
        if self.penalty not in _PENALTIES:
            raise ValueError(
                f"penalty must be one of 'l2', 'l1', 'elasticnet' or None, "
                f"got {self.penalty!r}.")
        if self.solver not in _SOLVERS:
            raise ValueError(
                f"solver must be one of {', '.join(map(repr, _SOLVERS))}, "
                f"got {self.solver!r}.")
        if self.multi_class not in _MULTI_CLASS:
            raise ValueError(
                "multi_class must be one of 'auto', 'ovr', 'multinomial', "
                f"got {self.multi_class!r}.")
        if not _is_real(self.C) or np.isnan(self.C) or self.C <= 0:
            raise ValueError(
                f"C must be a positive number (np.inf for no penalty), got "
                f"{self.C!r}.")
        if self.l1_ratio is not None and (
                not _is_real(self.l1_ratio) or not 0 <= self.l1_ratio <= 1):
            raise ValueError(
                f"l1_ratio must be None or a number in [0, 1], got "
                f"{self.l1_ratio!r}.")
        if not _is_real(self.tol) or not np.isfinite(self.tol) or self.tol <= 0:
            raise ValueError(f"tol must be a positive number, got {self.tol!r}.")
        if not _is_int(self.max_iter) or self.max_iter < 1:
            raise ValueError(
                f"max_iter must be a positive integer, got {self.max_iter!r}.")
        if not _is_int(self.verbose) or self.verbose < 0:
            raise ValueError(
                f"verbose must be a non-negative integer, got {self.verbose!r}.")
        if self.n_jobs is not None and (not _is_int(self.n_jobs)
                                        or self.n_jobs == 0):
            raise ValueError(
                f"n_jobs must be None or a non-zero integer, got "
                f"{self.n_jobs!r}.")
        for name in ("fit_intercept", "warm_start"):
            if not isinstance(getattr(self, name), (bool, np.bool_)):
                raise ValueError(f"{name} must be a bool, got "
                                 f"{getattr(self, name)!r}.")
        if not (self.class_weight is None or self.class_weight == "balanced"
                or isinstance(self.class_weight, dict)):
            raise ValueError(
                "class_weight must be None, 'balanced' or a dict, got "
                f"{self.class_weight!r}.")

        if self.penalty in _PENALTIES_NOT_YET:
            raise ValueError(
                f"penalty={self.penalty!r} is not supported yet; use "
                "penalty='l2' or penalty=None.")
        if self.solver in _SOLVERS_NOT_YET:
            raise ValueError(
                f"solver={self.solver!r} is not supported yet; use "
                "solver='newton' or 'auto'.")
        if self.multi_class in _MULTI_CLASS_NOT_YET:
            raise ValueError(
                f"multi_class={self.multi_class!r} is not supported yet; use "
                "multi_class='ovr' or 'auto' (One-vs-Rest).")
        if self.l1_ratio is not None:
            warnings.warn(
                f"l1_ratio is only used with penalty='elasticnet'; it is "
                f"ignored with penalty={self.penalty!r}.",
                UserWarning, stacklevel=3)

        if self.penalty is None or np.isinf(self.C):
            if self.penalty is None and self.C != 1.0:
                warnings.warn("Setting penalty=None ignores C.", UserWarning,
                              stacklevel=3)
            return 1.0, 0.0
        return float(self.C), 1.0

    # ------------------------------------------------------------------
    # fitting
    # ------------------------------------------------------------------
    def fit(self, X, y, sample_weight=None):
        """Fit the model.

        Parameters
        ----------
        X : array_like of shape (n_samples, n_features)
            Training data: float64 or float32 (kept as float32), C or F
            order, or a pandas DataFrame.
        y : array_like of shape (n_samples,)
            Labels, of any type with at least two distinct values.
        sample_weight : array_like of shape (n_samples,), default=None
            Non-negative sample weights (frequency weights).

        Returns
        -------
        self : LogisticRegression
            The fitted estimator.
        """
        C_data, alpha = self._validate_params()
        X, y = validate_data(self, X, y, dtype=[np.float64, np.float32],
                             y_numeric=False)
        X = as_blas_matrix(X)
        check_classification_targets(y)
        classes, y_encoded = np.unique(y, return_inverse=True)
        if len(classes) < 2:
            raise ValueError(
                "This solver needs samples of at least 2 classes in the data, "
                f"but the data contains only one class: {classes[0]!r}.")
        sample_weight = check_sample_weight(sample_weight, X.shape[0])
        weights = class_weight_per_sample(self.class_weight, classes,
                                          y_encoded)
        if weights is not None:
            sample_weight = sample_weight * weights

        n_problems = 1 if len(classes) == 2 else len(classes)
        coef0 = self._warm_start_coef(n_problems, X.shape[1])
        n_coef = X.shape[1] + (1 if self.fit_intercept else 0)
        coefs = np.empty((n_problems, n_coef))
        n_iter = np.empty(n_problems, dtype=np.int32)
        converged = True
        for k in range(n_problems):
            positive = k + 1 if n_problems == 1 else k
            label = "" if n_problems == 1 else f"[class {classes[k]!r}] "
            y_binary = (y_encoded == positive).astype(np.float64)
            result = newton_binary(
                X, y_binary, sample_weight, C=C_data, alpha=alpha,
                fit_intercept=self.fit_intercept, tol=self.tol,
                max_iter=self.max_iter,
                coef0=None if coef0 is None else coef0[k],
                verbose=self.verbose, label=label)
            warn_not_converged(result, self.max_iter, label)
            coefs[k] = result.coef
            n_iter[k] = result.n_iter
            converged = converged and result.converged

        self.classes_ = classes
        self.coef_ = coefs[:, :X.shape[1]].copy()
        self.intercept_ = (coefs[:, -1].copy() if self.fit_intercept
                           else np.zeros(n_problems))
        self.n_iter_ = n_iter
        self.converged_ = converged
        return self

    def _warm_start_coef(self, n_problems, n_features):
        """Previous coefficients (intercept last) when warm starting."""
        if not self.warm_start or not hasattr(self, "coef_"):
            return None
        if self.coef_.shape != (n_problems, n_features):
            return None
        if self.fit_intercept:
            return np.hstack([self.coef_, self.intercept_[:, None]])
        return self.coef_.copy()

    # ------------------------------------------------------------------
    # prediction
    # ------------------------------------------------------------------
    def decision_function(self, X):
        """Linear scores ``X @ coef_.T + intercept_``.

        Parameters
        ----------
        X : array_like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,) for two classes, else
        (n_samples, n_classes)
            For two classes, the score of ``classes_[1]``.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=[np.float64, np.float32],
                          reset=False)
        X = as_blas_matrix(X)
        n_problems = self.coef_.shape[0]
        if X.dtype == np.float64:
            scores = X @ self.coef_.T + self.intercept_
        else:
            # float32 X: float64 products block by block, no upcast copy of X
            scores = np.empty((X.shape[0], n_problems))
            column = np.empty(X.shape[0])
            for k in range(n_problems):
                coef = np.append(self.coef_[k], self.intercept_[k])
                _binomial.matvec(X, coef, True, column)
                scores[:, k] = column
        return scores.ravel() if n_problems == 1 else scores

    def predict(self, X):
        """Predicted class labels.

        Parameters
        ----------
        X : array_like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        scores = self.decision_function(X)
        if scores.ndim == 1:
            return self.classes_[(scores > 0).astype(np.intp)]
        return self.classes_[np.argmax(scores, axis=1)]

    def predict_proba(self, X):
        """Class probabilities.

        For two classes, ``[1 - sigmoid(z), sigmoid(z)]``; for One-vs-Rest the
        K sigmoids normalized to sum to one (as scikit-learn's
        ``OneVsRestClassifier``).

        Parameters
        ----------
        X : array_like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        scores = self.decision_function(X)
        if scores.ndim == 1:
            # sigmoid(-z) rather than 1 - sigmoid(z): full precision near 0
            return np.column_stack([sigmoid(-scores), sigmoid(scores)])
        proba = sigmoid(scores)
        proba /= proba.sum(axis=1, keepdims=True)
        return proba

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`, computed stably.

        Parameters
        ----------
        X : array_like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        scores = self.decision_function(X)
        if scores.ndim == 1:
            return np.column_stack([log_sigmoid(-scores), log_sigmoid(scores)])
        log_p = log_sigmoid(scores)
        shift = log_p.max(axis=1, keepdims=True)
        log_norm = shift + np.log(np.exp(log_p - shift).sum(axis=1,
                                                            keepdims=True))
        return log_p - log_norm
