"""``clogit.LogisticRegression``: parameters, validation and dispatch.

The estimator checks its parameters and its input, wraps the data for the
in-memory backend (``_backends.memory.InMemoryData``) and runs the fitting
plan it shares with ``clogit.dask`` (``clogit._fitting``); predictions are
computed here, inference attributes come from ``_inference.accessors``.
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from . import _fitting, _model_files
from ._backends.memory import InMemoryData, matvec
from ._backends.threads import available_cores, single_threaded_blas
from ._fitting import Objective
from ._functions import log_sigmoid, sigmoid
from ._inference.accessors import InferenceMixin
from ._inference.binary import effective_penalty
from ._inference.covariance import check_cov_type, check_groups
from ._kernels import binomial as _binomial
from ._typing import (ArrayLike, ClassWeight, CovType, MatrixLike,
                      MultiClass, PathOrFile, Penalty, Solver)
from ._validation import as_blas_matrix, check_sample_weight

_PENALTIES = ("l2", "l1", "elasticnet", "firth", None)
_SOLVERS = ("auto", "newton", "lbfgs", "gd")
_MULTI_CLASS = ("auto", "ovr", "multinomial")


def _log_softmax(scores):
    """Row-wise ``scores - logsumexp(scores)``, stable for any finite
    scores."""
    shift = scores.max(axis=1, keepdims=True)
    return scores - (shift + np.log(np.exp(scores - shift).sum(
        axis=1, keepdims=True)))


def _target_name(y):
    """The name of a named target (a pandas or polars Series: what has
    ``to_frame``), or None."""
    name = getattr(y, "name", None) if hasattr(y, "to_frame") else None
    return None if name is None else str(name)


def _firth_objective(estimator):
    """The objective of ``penalty="firth"`` after its own checks: Newton on
    the modified score fits binary and One-vs-Rest problems in memory; C
    counts as a frequency weight (``fit`` multiplies the sample weights by
    it), so the kernels' C is 1."""
    if estimator.solver not in ("auto", "newton"):
        raise ValueError(
            "penalty='firth' is fitted by Newton's method on the modified "
            f"score: use solver='auto' or 'newton', not "
            f"{estimator.solver!r}.")
    if estimator.multi_class == "multinomial":
        raise ValueError(
            "penalty='firth' fits binary and One-vs-Rest models; use "
            "multi_class='ovr' or 'auto' (not 'multinomial').")
    if not np.isfinite(estimator.C):
        raise ValueError("penalty='firth' takes C as a frequency weight of "
                         "every sample: it must be finite, got C=inf.")
    return Objective(C=1.0, l1=0.0, l2=0.0, firth=True)


def _is_real(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


class LogisticRegression(InferenceMixin, ClassifierMixin, BaseEstimator):
    """Logistic regression with compiled Newton kernels.

    A drop-in for :class:`sklearn.linear_model.LogisticRegression`, minimizing

    ``C * sum_i s_i * loss(y_i, x_i.w + b) + R(w)``

    with ``R(w) = |w|^2 / 2`` for ``penalty="l2"``, ``|w|_1`` for "l1",
    ``l1_ratio |w|_1 + (1 - l1_ratio) |w|^2 / 2`` for "elasticnet" and 0 for
    ``penalty=None`` (the intercept is never penalized).  The default solver
    is Newton–Raphson on a Hessian assembled by a blocked symmetric rank-k
    update (no copy of X per iteration); ℓ1 and elastic net use a proximal
    Newton method on an active set.  Multiclass targets are fitted
    One-vs-Rest.

    Parameters
    ----------
    penalty : {"l2", "l1", "elasticnet", "firth"} or None, default="l2"
        Regularization term.  ``None`` (or ``C=np.inf``) fits the unpenalized
        maximum-likelihood model.  "l1" and "elasticnet" give exactly sparse
        coefficients (zeros are 0.0).  "firth": Firth's bias-reduced
        penalized likelihood ``l + 1/2 log det I`` (R's logistf): finite
        estimates on separated and rare-event data, Wald inference from
        the Fisher information and profile intervals
        (``results_.conf_int(method="profile")``); binary and One-vs-Rest,
        solver "auto"/"newton", in memory.
    C : float, default=1.0
        Inverse regularization strength, > 0; ``np.inf`` means no penalty.
        With ``penalty="firth"`` a frequency weight of every sample.
    l1_ratio : float in [0, 1], default=None
        Elastic-net mixing parameter (for ``penalty="elasticnet"``).
    solver : {"auto", "newton", "lbfgs", "gd"}, default="auto"
        "newton": Newton–Raphson with the exact Hessian and a Cholesky solve
        (proximal Newton with coordinate descent on an active set for "l1"
        and "elasticnet").  "lbfgs": scipy's L-BFGS-B on the same Cython
        objective and gradient, for many features ("l2" or None only).
        "gd": (proximal) gradient descent with the constant step 1/L, see
        :func:`clogit.lipschitz_step`; for teaching and comparison.  "auto":
        proximal Newton for "l1"/"elasticnet"; for dense X Newton up to
        1,000 features and L-BFGS beyond; for sparse X Newton up to 300
        features and Newton-CG (conjugate gradients on Hessian-vector
        products, no p x p matrix) beyond.  "newton" also switches to
        Newton-CG when the dense Hessian would exceed 256 MiB.
    fit_intercept : bool, default=True
        Whether to fit an (unpenalized) intercept.
    class_weight : dict, "balanced" or None, default=None
        Weights multiplying ``sample_weight`` by class, with scikit-learn's
        semantics: "balanced" gives ``n_samples / (n_classes * count)``.
    multi_class : {"auto", "ovr", "multinomial"}, default="auto"
        How to fit three or more classes.  "ovr": One-vs-Rest, one binary
        problem per class.  "multinomial": softmax regression (Newton with
        the full Hessian for narrow problems, L-BFGS otherwise; proximal
        Newton with the full Hessian for "l1"/"elasticnet").  "auto":
        "multinomial", as scikit-learn, except for penalty
        "l1"/"elasticnet" (whose One-vs-Rest fits work on a small working
        set of features, where the multinomial one needs the dense
        (n_classes (n_features + 1))^2 Hessian) or solver "gd", which fit
        One-vs-Rest.  Two classes always fit the binary model.
    tol : float, default=1e-6
        Stop when the gradient of the objective scaled by
        ``1 / (C * sum(sample_weight))`` is below ``tol`` in max-norm (Newton
        also asks half the squared Newton decrement, same scaling, to be below
        ``tol**2``; proximal Newton the largest KKT violation; "gd" the
        gradient mapping).
    max_iter : int, default=100
        Most iterations per binary problem.
    warm_start : bool, default=False
        Start from the previous fit's coefficients when shapes allow.
    n_jobs : int or None, default=None
        One-vs-Rest: classes fitted in parallel threads (None means 1, -1
        all cores).  Results are bit-identical for any value.
    verbose : int, default=0
        If > 0, print one line per iteration: objective, max|grad|, Newton
        decrement and step length.
    cov_type : {"nonrobust", "HC0", "HC1", "HC2", "HC3", "cluster"}, \
default="nonrobust"
        The covariance behind the standard errors, p-values, intervals and
        summary (statsmodels' ``Logit.fit(cov_type=...)``).  "nonrobust":
        the inverse Hessian.  "HC0"-"HC3": the heteroscedasticity-robust
        sandwich ``H^-1 (sum_i s_i g_i g_i^T) H^-1`` of the per-sample
        scores; as in statsmodels, whose discrete models apply no
        small-sample factor and no leverage adjustment, HC1, HC2 and HC3
        equal HC0.  "cluster": the cluster-robust sandwich of the clusters
        given to ``fit(..., groups=...)``, with statsmodels' default factor
        ``G / (G - 1) * (N - 1) / (N - k)``.  With ``penalty="l2"`` the
        bread is the penalized Hessian.  The meat costs one more
        accumulation in one pass over X at the end of ``fit``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        Coefficients (one row for binary problems).
    intercept_ : ndarray of shape (1,) or (n_classes,)
        Intercepts (zeros when ``fit_intercept=False``).
    n_iter_ : ndarray of shape (1,) or (n_classes,), int32
        Solver iterations of each binary problem.
    converged_ : bool
        Whether every binary problem met the tolerance.
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names, when X was a pandas DataFrame with string column names.
    results_ : LogitResults, list of LogitResults or MNLogitResults
        The fit's inference under statsmodels' names (``params``, ``bse``,
        ``pvalues``, ``conf_int()``, ``llf``, ``aic``, ``summary()`` ...);
        see ``clogit._inference.results``.  Inference keeps a reference to
        the training data (never a copy) for figures computed on demand;
        ``results_.remove_data()`` drops it, and pickles never hold it.
    formula_ : FormulaDesign
        For a model fitted by :func:`clogit.logit`: its design, which makes
        raw data into the design matrix at predict.

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
        penalty: Penalty = "l2",
        C: float = 1.0,
        l1_ratio: float | None = None,
        solver: Solver = "auto",
        fit_intercept: bool = True,
        class_weight: ClassWeight = None,
        multi_class: MultiClass = "auto",
        tol: float = 1e-6,
        max_iter: int = 100,
        warm_start: bool = False,
        n_jobs: int | None = None,
        verbose: int = 0,
        cov_type: CovType = "nonrobust",
    ) -> None:
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
        self.cov_type = cov_type

    # ------------------------------------------------------------------
    # parameters
    # ------------------------------------------------------------------
    def _validate_params(self):
        """Check every hyper-parameter; return the objective's weights."""
        if self.penalty not in _PENALTIES:
            raise ValueError(
                f"penalty must be one of 'l2', 'l1', 'elasticnet', 'firth' "
                f"or None, got {self.penalty!r}.")
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
        if (not _is_real(self.tol) or not np.isfinite(self.tol)
                or self.tol <= 0):
            raise ValueError(
                f"tol must be a positive number, got {self.tol!r}.")
        if not _is_int(self.max_iter) or self.max_iter < 1:
            raise ValueError(
                f"max_iter must be a positive integer, got {self.max_iter!r}.")
        if not _is_int(self.verbose) or self.verbose < 0:
            raise ValueError(
                "verbose must be a non-negative integer, got "
                f"{self.verbose!r}.")
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

        if self.multi_class == "multinomial" and self.solver == "gd":
            raise ValueError(
                "solver='gd' supports binary and One-vs-Rest fits only; use "
                "solver='newton', 'lbfgs' or 'auto' with "
                "multi_class='multinomial'.")
        if self.penalty == "elasticnet" and self.l1_ratio is None:
            raise ValueError(
                "penalty='elasticnet' needs l1_ratio, a number in [0, 1].")
        if self.l1_ratio is not None and self.penalty != "elasticnet":
            warnings.warn(
                f"l1_ratio is only used with penalty='elasticnet'; it is "
                f"ignored with penalty={self.penalty!r}.",
                UserWarning, stacklevel=3)
        if self.solver == "lbfgs" and self.penalty in ("l1", "elasticnet"):
            raise ValueError(
                f"solver='lbfgs' supports penalty 'l2' or None, got "
                f"penalty={self.penalty!r}; use solver='newton' (proximal "
                "Newton) or 'gd' (proximal gradient) for l1/elasticnet.")

        if self.penalty == "firth":
            return _firth_objective(self)
        if self.penalty is None or np.isinf(self.C):
            if self.penalty is None and self.C != 1.0:
                warnings.warn("Setting penalty=None ignores C.", UserWarning,
                              stacklevel=3)
            return Objective(C=1.0, l1=0.0, l2=0.0)
        if self.penalty == "l2":
            return Objective(C=float(self.C), l1=0.0, l2=1.0)
        if self.penalty == "l1":
            return Objective(C=float(self.C), l1=1.0, l2=0.0)
        ratio = float(self.l1_ratio)
        return Objective(C=float(self.C), l1=ratio, l2=1.0 - ratio)

    def _solver_for(self, objective, n_features, sparse=False):
        """The binary solver ``fit`` runs (see
        ``clogit._fitting.binary_solver``)."""
        return _fitting.binary_solver(self.solver, objective, n_features,
                                      sparse)

    def _n_threads(self, n_problems):
        """Threads for One-vs-Rest: ``n_jobs`` (None: 1; negative: all cores
        + 1 + n_jobs, as joblib), never more than there are classes."""
        if self.n_jobs is None or n_problems == 1:
            return 1
        n_jobs = self.n_jobs
        if n_jobs < 0:
            n_jobs = max(available_cores() + 1 + n_jobs, 1)
        return min(n_jobs, n_problems)

    # ------------------------------------------------------------------
    # fitting
    # ------------------------------------------------------------------
    def fit(self, X: MatrixLike, y: ArrayLike,
            sample_weight: ArrayLike | None = None,
            groups: ArrayLike | None = None) -> LogisticRegression:
        """Fit the model.

        Parameters
        ----------
        X : {array_like, sparse matrix} of shape (n_samples, n_features)
            Training data: float64 or float32 (kept as float32, never
            upcast as a whole), C or F order, a pandas DataFrame, or a
            scipy.sparse CSR/CSC matrix (other formats are converted to
            CSR).  Read-only and memory-mapped arrays are used as they are.
        y : array_like of shape (n_samples,)
            Labels, of any type with at least two distinct values.
        sample_weight : array_like of shape (n_samples,), default=None
            Non-negative sample weights (frequency weights).
        groups : array_like of shape (n_samples,), default=None
            The cluster of every sample (labels of any type), for
            ``cov_type="cluster"``; only allowed with it.

        Returns
        -------
        self : LogisticRegression
            The fitted estimator.
        """
        objective = self._validate_params()
        cov_type = check_cov_type(self.cov_type)
        target_name = _target_name(y)
        X, y = validate_data(self, X, y, accept_sparse=["csr", "csc"],
                             dtype=[np.float64, np.float32],
                             y_numeric=False)
        X = as_blas_matrix(X)
        check_classification_targets(y)
        classes, y_encoded = np.unique(y, return_inverse=True)
        if len(classes) < 2:
            raise ValueError(
                "This solver needs samples of at least 2 classes in the data, "
                f"but the data contains only one class: {classes[0]!r}.")
        weights = check_sample_weight(sample_weight, X.shape[0])
        if self.penalty == "firth" and self.C != 1.0:
            weights = weights * float(self.C)  # C as a frequency weight
        clusters = check_groups(groups, X.shape[0], weights, cov_type)
        data = InMemoryData(X, y_encoded, weights, classes,
                            None if clusters is None else clusters.codes)
        self._target_name = target_name
        if hasattr(self, "formula_"):
            del self.formula_  # clogit.logit sets it again after its fit
        with single_threaded_blas():
            return self._fit_data(
                data, objective,
                self._solver_for(objective, X.shape[1], data.sparse),
                clusters)

    def _settings(self, objective, n_problems, clusters=None):
        """The fitting plan's view of the parameters."""
        return _fitting.Settings(
            objective=objective, fit_intercept=self.fit_intercept,
            tol=self.tol, max_iter=self.max_iter, verbose=self.verbose,
            class_weight=self.class_weight,
            penalty=effective_penalty(self.penalty, self.C),
            n_threads=self._n_threads(n_problems),
            feature_names=getattr(self, "feature_names_in_", None),
            cov_type=self.cov_type, clusters=clusters)

    def _fit_data(self, data, objective, solver, clusters=None):
        """Run the fitting plan on ``data`` (a ``FitData`` of any backend)
        with the binary ``solver`` (and the ``cov_type="cluster"``
        ``clusters``); sets the fitted attributes."""
        n_classes, n_features = len(data.classes), data.n_features
        if _fitting.is_multinomial(self.multi_class, self.solver, objective,
                                   n_classes):
            solve = _fitting.multinomial_solver(
                self.solver, objective, n_classes, n_features,
                self.fit_intercept)
            fitted = _fitting.fit_multinomial(
                data, self._settings(objective, 1, clusters), solve,
                self._warm_start_multinomial(n_classes, n_features))
        else:
            n_problems = 1 if n_classes == 2 else n_classes
            fitted = _fitting.fit_binary(
                data, self._settings(objective, n_problems, clusters), solver,
                self._warm_start_coef(n_problems, n_features))
        return self._set_fitted(fitted)

    def _set_fitted(self, fitted):
        """Copy a :class:`clogit._fitting.FittedModel` into the fitted
        attributes."""
        self.classes_ = fitted.classes
        self.coef_ = fitted.coef_
        self.intercept_ = fitted.intercept_
        self.n_iter_ = fitted.n_iter
        self.converged_ = fitted.converged
        self._inference_fits = fitted.inference_fits
        self._multinomial = fitted.multinomial
        return self

    def _warm_start_multinomial(self, n_classes, n_features):
        """Previous softmax coefficients (intercepts last) when warm
        starting from a multinomial fit of the same shape, else None."""
        if (self.warm_start and getattr(self, "_multinomial", False)
                and self.coef_.shape == (n_classes, n_features)):
            if self.fit_intercept:
                return np.hstack([self.coef_, self.intercept_[:, None]])
            return self.coef_.copy()
        return None

    def _warm_start_coef(self, n_problems, n_features):
        """Previous coefficients (intercept last) when warm starting."""
        if not self.warm_start or not hasattr(self, "coef_"):
            return None
        if self.coef_.shape != (n_problems, n_features):
            return None
        if self.fit_intercept:
            return np.hstack([self.coef_, self.intercept_[:, None]])
        return self.coef_.copy()

    def __sklearn_tags__(self):
        """scikit-learn's estimator tags: CSR / CSC input is supported."""
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    # ------------------------------------------------------------------
    # prediction
    # ------------------------------------------------------------------
    def decision_function(self, X: MatrixLike) -> np.ndarray:
        """Linear scores ``X @ coef_.T + intercept_``.

        Parameters
        ----------
        X : {array_like, sparse matrix} of shape (n_samples, n_features)
            Dense (float64 or float32, kept as float32), or scipy.sparse
            (CSR and CSC used as they are, other formats converted to CSR).
            For a model fitted by :func:`clogit.logit`: the raw data (a
            DataFrame with the columns the formula reads), made into the
            design as in the fit.

        Returns
        -------
        ndarray of shape (n_samples,) for two classes, else
        (n_samples, n_classes)
            For two classes, the score of ``classes_[1]``.
        """
        check_is_fitted(self)
        design = getattr(self, "formula_", None)
        if design is not None:
            X = design.transform(X)  # its columns are the fitted ones
        else:
            X = validate_data(self, X, accept_sparse=["csr", "csc"],
                              dtype=[np.float64, np.float32], reset=False)
        X = as_blas_matrix(X)
        n_problems = self.coef_.shape[0]
        if X.dtype == np.float64 and not sp.issparse(X):
            scores = X @ self.coef_.T + self.intercept_
        else:
            # float32 or sparse X: float64 products by the kernels, no upcast
            # copy of X (scipy's sparse X @ coef would copy float32 values)
            scores = np.empty((X.shape[0], n_problems))
            column = np.empty(X.shape[0])
            for k in range(n_problems):
                coef = np.append(self.coef_[k], self.intercept_[k])
                if sp.issparse(X):
                    matvec(X, coef, True, column)
                else:
                    _binomial.matvec(X, coef, True, column)
                scores[:, k] = column
        return scores.ravel() if n_problems == 1 else scores

    def predict(self, X: MatrixLike) -> np.ndarray:
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

    def predict_proba(self, X: MatrixLike) -> np.ndarray:
        """Class probabilities.

        For two classes, ``[1 - sigmoid(z), sigmoid(z)]``; for One-vs-Rest the
        K sigmoids normalized to sum to one (as scikit-learn's
        ``OneVsRestClassifier``); for a multinomial fit the softmax of the
        scores.

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
        if self._multinomial:
            return np.exp(_log_softmax(scores))
        proba = sigmoid(scores)
        proba /= proba.sum(axis=1, keepdims=True)
        return proba

    def predict_log_proba(self, X: MatrixLike) -> np.ndarray:
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
        if self._multinomial:
            return _log_softmax(scores)
        # One-vs-Rest: log(sigmoid(z_k) / sum_l sigmoid(z_l))
        return _log_softmax(log_sigmoid(scores))

    # ------------------------------------------------------------------
    # model files (JSON, never pickle; see clogit._model_files)
    # ------------------------------------------------------------------
    def save(self, path: PathOrFile) -> None:
        """Write the fitted model to a JSON file ``clogit.load`` reads back.

        Parameters
        ----------
        path : str, path-like or writable text file object
        """
        _model_files.save(self, path)


def load(path: PathOrFile) -> LogisticRegression:
    """Read a model written by ``LogisticRegression.save``.

    Only JSON is parsed and every field is checked; no code from the file
    is ever executed.

    Parameters
    ----------
    path : str, path-like or readable file object (text or binary)

    Returns
    -------
    LogisticRegression
        Fitted: ``predict``, ``predict_proba`` ... give exactly the saved
        model's results, and ``results_``, ``summary()``, ``covariance_``
        ... its inference (stored in the file; files of format version 1,
        and fits whose covariance had not been computed when they were
        saved, hold none).  A model fitted by :func:`clogit.logit`
        predicts from raw data again.

    Raises
    ------
    ValueError
        If the file is not a valid clogit model file (of a format version
        this release reads).
    OSError
        If the file cannot be read.
    """
    return _model_files.load(path, LogisticRegression)
