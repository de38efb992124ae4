"""``clogit.LogisticRegressionCV``: C (and l1_ratio) chosen by
cross-validation on regularization paths.

scikit-learn's class refits every fold from scratch at every C with its
own solvers; this one runs each fold's *path* (``clogit._solvers.path``:
warm starts from the strongest penalty down, strong-rule screening for
l1 / elastic net, reused Newton passes for l2), every fold and class in
threads on the same X (held-out rows get zero weight, see
``clogit._path``), then scores each point exactly as scikit-learn does --
same folds (``check_cv``), same scorer and score arguments (accuracy and
log loss, scikit-learn's arithmetic computed here without a scorer call
per point, see ``_BUILTIN_SCORES``), same choice of the best C and the
same refit / averaging -- and fits the final model with
:class:`clogit.LogisticRegression`.

The parameters, defaults and fitted-attribute layout are those of the
installed scikit-learn (1.9): ``l1_ratios``, ``penalty``, ``scoring`` and
``use_legacy_attributes`` raise its FutureWarnings, word for word.
"""

from __future__ import annotations

import inspect
import numbers
import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.metrics import get_scorer, make_scorer
from sklearn.model_selection import check_cv
from sklearn.utils import metadata_routing
from sklearn.utils.metadata_routing import (MetadataRouter, MethodMapping,
                                            _manual_routing,
                                            _raise_for_params,
                                            _routing_enabled,
                                            process_routing)
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_method_params, validate_data

from ._estimator import _SOLVER_ALIASES as _ESTIMATOR_SOLVER_ALIASES
from ._estimator import _SOLVERS as _ESTIMATOR_SOLVERS
from ._estimator import LogisticRegression, _finite_scores
from ._functions import sigmoid
from ._path import (ProblemData, grid_of_Cs, path_plan, penalty_weights,
                    run_paths, threads_for, warn_path_not_converged)
from ._typing import (ArrayLike, ClassWeight, MatrixLike, MultiClass,
                      PathOrFile, RandomState)
from ._validation import as_blas_matrix, check_sample_weight

# scikit-learn's solver names and clogit's: the solver a path and the refit
# run.  liblinear / sag / saga solve the same objective (liblinear's
# penalized intercept is not reproduced); "newton-cg" is Newton here until
# clogit.LogisticRegression takes its own "newton-cg".
# The path's solver for each of the estimator's solver names (scikit-learn's
# included): the estimator's own aliases, and Newton for "newton-cg" (the
# path reaches the same optimum; its l2 points reuse Newton's passes).
SOLVER_ALIASES = {**{name: name for name in _ESTIMATOR_SOLVERS},
                  **_ESTIMATOR_SOLVER_ALIASES, "newton-cg": "newton"}


def refit_params(cv, C, penalty, l1_ratio):
    """The :class:`clogit.LogisticRegression` parameters of ``cv``'s refit
    at ``C`` (and ``l1_ratio`` for elastic net): the one place the CV's
    parameters meet the estimator's constructor (which resolves solver
    aliases itself; ``dual``, ``intercept_scaling`` and ``random_state``
    are accepted there with scikit-learn's meaning and no effect on the
    objective)."""
    return dict(
        penalty=penalty, C=C,
        l1_ratio=l1_ratio if penalty == "elasticnet" else None,
        dual=cv.dual, intercept_scaling=cv.intercept_scaling,
        random_state=cv.random_state,
        solver=cv.solver, fit_intercept=cv.fit_intercept,
        class_weight=cv.class_weight, multi_class=cv.multi_class,
        tol=cv.tol, max_iter=cv.max_iter, n_jobs=cv.n_jobs,
        verbose=max(0, cv.verbose - 1))


def _is_real(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


class _PathPoint(LogisticRegression):
    """One point of a fold's path, as a fitted classifier for the scorer.

    Its decision values on the fold's test rows were computed for all the
    path's points at once (one matrix product); any other X is computed
    directly.  Nothing is validated: the scorer passes the rows given.
    """

    def _point(self, classes, coef, intercept, multinomial, X_test, scores):
        self.classes_ = classes
        self.coef_ = coef
        self.intercept_ = intercept
        self._multinomial = multinomial
        self._X_test = X_test
        self._scores = scores
        return self

    def decision_function(self, X):
        if X is self._X_test:
            return self._scores
        scores = np.asarray(X @ self.coef_.T) + self.intercept_
        return scores.ravel() if scores.shape[1] == 1 else scores


def _decision_values(X_test, coefs, n_features, fit_intercept):
    """Test-row scores of every point: ``(n_test, n_Cs, n_rows)``, one
    product of the test rows with all the points' coefficients."""
    n_Cs, n_rows, _ = coefs.shape
    W = coefs[..., :n_features].reshape(n_Cs * n_rows, n_features)
    if sp.issparse(X_test):
        D = np.asarray(X_test @ W.T)
    else:
        D = X_test @ W.T.astype(X_test.dtype, copy=False)
        D = D.astype(np.float64, copy=False)
    if fit_intercept:
        D = D + coefs[..., n_features].reshape(-1)
    return D.reshape(X_test.shape[0], n_Cs, n_rows)


# Scorers computed here, point by point, with the arithmetic of
# scikit-learn's metric functions (accuracy_score, log_loss) on the
# estimator's own predictions: one scorer call costs about a millisecond of
# input validation, which for a 100-point path on a small data set is more
# than solving the path (tests/test_model_selection.py checks the values
# against scikit-learn's scorers).  scoring=None is the estimator's score,
# accuracy.
_BUILTIN_SCORES = {None: "accuracy", "accuracy": "accuracy",
                   "neg_log_loss": "neg_log_loss"}


def _builtin_scores(metric, X_test, y_index, sw_test, classes, coefs,
                    multinomial, D, n_features, fit_intercept):
    """Scores of every point of a fold's path by a ``_BUILTIN_SCORES``
    metric; ``y_index`` the test rows' class indices."""
    n_Cs = coefs.shape[0]
    scores = np.empty(n_Cs)
    rows = np.arange(y_index.shape[0])
    binary = D.shape[2] == 1
    if binary and metric == "neg_log_loss":
        return _binary_log_loss_scores(D[:, :, 0], y_index, sw_test)
    for k in range(n_Cs):
        if metric == "accuracy":
            values = D[:, k, 0] if binary else D[:, k, :]
            predicted = ((values > 0).astype(np.intp) if binary
                         else np.argmax(values, axis=1))
            correct = (predicted == y_index).astype(np.float64)
            scores[k] = float(np.mean(correct) if sw_test is None else
                              np.sum(correct * sw_test) / np.sum(sw_test))
            continue
        coef = coefs[k, :, :n_features]
        intercept = (coefs[k, :, n_features] if fit_intercept
                     else np.zeros(coefs.shape[1]))
        values = D[:, k, 0] if binary else D[:, k, :]
        proba = _PathPoint()._point(classes, coef, intercept, multinomial,
                                    X_test, values).predict_proba(X_test)
        if binary:
            # the scorer passes the positive column; log_loss rebuilds
            # [1 - p, p] from it
            positive = proba[:, 1]
            proba = np.column_stack([1 - positive, positive])
        eps = np.finfo(proba.dtype).eps
        proba = np.clip(proba, eps, 1 - eps)
        loss = -np.log(proba[rows, y_index])
        scores[k] = -float(np.mean(loss) if sw_test is None else
                           np.sum(loss * sw_test) / np.sum(sw_test))
    return scores


def _binary_log_loss_scores(D, y_index, sw_test):
    """``_builtin_scores``' negative log loss of a binary path, for all its
    points at once (``D``: the test rows' scores, n_test x n_Cs): the same
    elementwise arithmetic as the per-point loop (``predict_proba``'s
    sigmoid, the scorer's ``[1 - p, p]``, the clip), each point's sum along
    a contiguous row.  On breast_cancer's 100-point path + CV the loop's
    500 predict_proba calls took 44 ms of 190."""
    positive = sigmoid(_finite_scores(np.ascontiguousarray(D.T)))
    eps = np.finfo(positive.dtype).eps
    chosen = np.where(y_index[None, :] == 1, positive, 1 - positive)
    loss = -np.log(np.clip(chosen, eps, 1 - eps))
    if sw_test is None:
        return -np.mean(loss, axis=1)
    return -(np.sum(loss * sw_test, axis=1) / np.sum(sw_test))


def _fold_scores(scoring, X, y, test, sample_weight, score_params, classes,
                 result, Cs, multinomial, n_features, fit_intercept):
    """Scores of one fold's path at every C, as scikit-learn's
    ``_log_reg_scoring_path`` computes them."""
    X_test, y_test = X[test], y[test]
    sw_test = None if sample_weight is None else sample_weight[test]
    coefs = result.coefs  # (n_Cs, n_rows, n_coef)
    D = _decision_values(X_test, coefs, n_features, fit_intercept)
    metric = _BUILTIN_SCORES.get(scoring) if isinstance(
        scoring, (str, type(None))) else None
    if metric is not None and set(score_params or {}) <= {"sample_weight"}:
        if scoring is not None:
            sw_test = (None if (score_params or {}).get("sample_weight")
                       is None else np.asarray(
                           score_params["sample_weight"])[test])
        return _builtin_scores(metric, X_test, np.searchsorted(classes,
                                                               y_test),
                               sw_test, classes, coefs, multinomial, D,
                               n_features, fit_intercept)
    scorer = get_scorer(scoring)
    if scorer is None:
        def score(point):
            return point.score(X_test, y_test, sample_weight=sw_test)
    else:
        params = _check_method_params(X=X, params=score_params or {},
                                      indices=test)
        # scorers taking labels get all the classes (a fold's y_test may
        # miss some), and binary ones the positive class, as scikit-learn
        if hasattr(scorer, "_score_func"):
            signature = inspect.signature(scorer._score_func).parameters
        else:
            signature = {}
        if "labels" in signature:
            extra = {}
            if len(classes) <= 2 and "pos_label" in signature:
                extra["pos_label"] = classes[-1]
            scorer = make_scorer(
                scorer._score_func,
                greater_is_better=scorer._sign == 1,
                response_method=scorer._response_method, labels=classes,
                **extra, **getattr(scorer, "_kwargs", {}))

        def score(point):
            return scorer(point, X_test, y_test, **params)

    scores = np.empty(len(Cs))
    for k in range(len(Cs)):
        coef = coefs[k, :, :n_features]
        intercept = (coefs[k, :, n_features] if fit_intercept
                     else np.zeros(coefs.shape[1]))
        values = D[:, k, 0] if D.shape[2] == 1 else D[:, k, :]
        point = _PathPoint()._point(classes, coef, intercept, multinomial,
                                    X_test, values)
        scores[k] = score(point)
    return scores


class LogisticRegressionCV(LogisticRegression):
    """Logistic regression with C (and l1_ratio) chosen by cross-validation.

    A drop-in for :class:`sklearn.linear_model.LogisticRegressionCV`
    (parameters, defaults, deprecation warnings and fitted attributes of
    the installed scikit-learn): the same folds, the same scores and the
    same chosen C, computed on regularization paths
    (:func:`clogit.regularization_path`'s algorithm) with every fold and
    class in threads, then refitted by :class:`clogit.LogisticRegression`
    (whose prediction and inference methods it has).

    Parameters
    ----------
    Cs : int or array_like of float, default=10
        The grid of C: an integer n means ``np.logspace(-4, 4, n)``.
    l1_ratios : array_like of float in [0, 1] or None, default=None
        Elastic-net mixing weights tried: 0 is l2, 1 is l1.  Left at its
        default, scikit-learn 1.9's FutureWarning is raised and the penalty
        is l2 (or ``penalty``); ``None`` is deprecated likewise.
    fit_intercept : bool, default=True
        Whether to fit an (unpenalized) intercept.
    cv : int, cross-validation generator or iterable, default=None
        As scikit-learn (None: 5-fold ``StratifiedKFold``).
    dual : bool, default=False
        Accepted for scikit-learn; True raises ValueError (no dual solver).
    penalty : {"l2", "l1", "elasticnet"}, default="deprecated"
        Deprecated in scikit-learn 1.8 (FutureWarning); use ``l1_ratios``.
    scoring : str, callable or None, default=None
        A scorer name or ``scorer(estimator, X, y)``; None is accuracy.
        Left at its default, scikit-learn 1.9's FutureWarning is raised.
    solver : str, default="auto"
        The solver: clogit's solvers ("auto", "newton", "lbfgs", "gd") or scikit-learn's
        names, mapped as :class:`clogit.LogisticRegression` maps them
        ("newton-cholesky" and "newton-cg" to Newton, "liblinear", "sag"
        and "saga" to "auto").  "lbfgs" supports l2 only.
    tol : float, default=1e-6
        Each path point's and the refit's stopping test (clogit's: the
        gradient scaled by ``1 / (C sum(sample_weight))``, see
        :class:`clogit.LogisticRegression`).
    max_iter : int, default=100
        Most solver iterations per path point and for the refit.
    class_weight : dict, "balanced" or None, default=None
        "balanced" is computed once on all of y (weighted by
        ``sample_weight``) and used in every fold, as scikit-learn.
    n_jobs : int or None, default=None
        Threads for the folds, l1_ratios and One-vs-Rest classes (None and
        -1: one per core, where scikit-learn's None is one job: each
        pass already runs on every core); the kernels release the GIL, and
        the results are the same for any n_jobs.
    verbose : int, default=0
        The refit prints its iterations if ``verbose > 1``.
    refit : bool, default=True
        True: refit on all the data at the C (and l1_ratio) of the best mean
        score.  False: average the folds' coefficients, each at its own
        best C, and report the mean of those Cs.
    intercept_scaling : float, default=1.0
        Accepted for scikit-learn; no effect (the intercept is never
        penalized).
    random_state : int, RandomState or None, default=None
        Accepted for scikit-learn; no solver here is random (the folds come
        from ``cv``).
    use_legacy_attributes : bool, default=True
        The layout of the fitted attributes, scikit-learn 1.9's switch (FutureWarning at its default):
        True gives ``C_``, ``l1_ratio_`` as arrays and ``coefs_paths_``,
        ``scores_`` as dicts by class; False the simplified arrays (see
        Attributes).
    multi_class : {"auto", "ovr", "multinomial"}, default="auto"
        As :class:`clogit.LogisticRegression` (scikit-learn 1.9's class is
        always multinomial; here "auto" is multinomial for l2 and
        One-vs-Rest for l1 / elastic net with three or more classes).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
    intercept_ : ndarray of shape (1,) or (n_classes,)
    Cs_ : ndarray of shape (n_cs,)
    l1_ratios_ : ndarray of shape (n_l1_ratios,)
        ``[None]`` when ``l1_ratios`` is None.
    coefs_paths_ : dict or ndarray
        Legacy: a dict by class (binary: the positive class) of
        (n_folds, n_cs, n_dof), or (n_folds, n_cs, n_l1_ratios, n_dof) when
        ``l1_ratios`` is given.  Otherwise an array (n_folds, n_l1_ratios,
        n_cs, n_classes or 1, n_dof).  ``n_dof`` counts the intercept.
    scores_ : dict or ndarray
        Legacy: a dict by class of (n_folds, n_cs[, n_l1_ratios]) (the same
        scores for every class); otherwise (n_folds, n_l1_ratios, n_cs).
    C_ : ndarray of shape (1,) or (n_classes,), or float
        The chosen C (legacy: repeated per class; a float otherwise).
    l1_ratio_ : ndarray or float
        The chosen l1_ratio, likewise (legacy: ``None`` entries when
        ``l1_ratios`` is None).
    n_iter_ : ndarray of int32
        Legacy: (1, n_folds, n_cs[, n_l1_ratios]) -- first axis n_classes
        for One-vs-Rest; otherwise (n_folds, n_l1_ratios, n_cs), the most
        iterations over the classes.
    converged_ : bool
        Whether every path point and the refit met the tolerance.
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of shape (n_features,)
        Column names, when X was a pandas DataFrame with string column names.

    See Also
    --------
    LogisticRegression : The estimator refitted at the chosen C.
    regularization_path : The paths the folds compute.
    clogit.plot.plot_path : Draw the folds' scores against C.

    Notes
    -----
    With ``refit=False`` and a single l1 or l2 penalty scikit-learn reports
    ``l1_ratio_ = 0.0`` whatever the penalty; here it is the mean of the
    folds' chosen ``l1_ratios`` (1.0 for l1).

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.preprocessing import StandardScaler
    >>> import clogit
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> cv = clogit.LogisticRegressionCV(
    ...     Cs=10, l1_ratios=(1,), scoring="neg_log_loss",
    ...     use_legacy_attributes=False).fit(X, y)
    >>> cv.scores_.shape
    (5, 1, 10)
    """

    # as scikit-learn: score's sample_weight is a parameter, not metadata
    __metadata_request__score = {"sample_weight": metadata_routing.UNUSED}

    def __init__(
        self,
        *,
        Cs: int | ArrayLike = 10,
        l1_ratios: ArrayLike | None | str = "warn",
        fit_intercept: bool = True,
        cv: object = None,
        dual: bool = False,
        penalty: str = "deprecated",
        scoring: object = "warn",
        solver: str = "auto",
        tol: float = 1e-6,
        max_iter: int = 100,
        class_weight: ClassWeight = None,
        n_jobs: int | None = None,
        verbose: int = 0,
        refit: bool = True,
        intercept_scaling: float = 1.0,
        random_state: RandomState = None,
        use_legacy_attributes: bool | str = "warn",
        multi_class: MultiClass = "auto",
    ) -> None:
        self.Cs = Cs
        self.l1_ratios = l1_ratios
        self.fit_intercept = fit_intercept
        self.cv = cv
        self.dual = dual
        # scikit-learn's "deprecated" sentinel and its solver names: wider
        # than the parent's annotations
        self.penalty = penalty  # type: ignore[assignment]
        self.scoring = scoring
        self.solver = solver  # type: ignore[assignment]
        self.tol = tol
        self.max_iter = max_iter
        self.class_weight = class_weight
        self.n_jobs = n_jobs
        self.verbose = verbose
        self.refit = refit
        self.intercept_scaling = intercept_scaling
        self.random_state = random_state
        self.use_legacy_attributes = use_legacy_attributes
        self.multi_class = multi_class

    # ------------------------------------------------------------------
    # parameters: scikit-learn 1.9's deprecations, then clogit's checks
    # ------------------------------------------------------------------
    def _resolve_penalty(self):
        """``(penalty, l1_ratios, l1_ratios_, scoring, legacy)`` with
        scikit-learn 1.9's FutureWarnings."""
        if isinstance(self.l1_ratios, str) and self.l1_ratios == "warn":
            l1_ratios = None
            warnings.warn(
                "The default value for l1_ratios will change from None to "
                "(0.0,) in version 1.10. From version 1.10 onwards, only "
                "array-like with values in [0, 1] will be allowed, None will "
                "be forbidden. To avoid this warning, explicitly set a "
                "value, e.g. l1_ratios=(0,).", FutureWarning, stacklevel=3)
        else:
            l1_ratios = self.l1_ratios
        if self.penalty == "deprecated":
            if self.l1_ratios is None:
                warnings.warn(
                    "'l1_ratios=None' was deprecated in version 1.8 and will "
                    "trigger an error in 1.10. Use an array-like with "
                    "valuesin [0, 1] instead.", FutureWarning, stacklevel=3)
            if l1_ratios is None or np.all(np.asarray(l1_ratios) == 0):
                penalty = "l2"
            elif np.all(np.asarray(l1_ratios) == 1):
                penalty = "l1"
            else:
                penalty = "elasticnet"
        else:
            if self.penalty not in ("l2", "l1", "elasticnet"):
                raise ValueError(
                    "penalty must be 'l2', 'l1' or 'elasticnet' (deprecated "
                    f"since scikit-learn 1.8: use l1_ratios), got "
                    f"{self.penalty!r}.")
            penalty = self.penalty
            warnings.warn(
                "'penalty' was deprecated in version 1.8 and will be "
                "removed in 1.10. To avoid this warning, leave 'penalty' set "
                "to its default value and use 'l1_ratios' and 'Cs' instead. "
                "Use l1_ratios=(0,) instead of penalty='l2', l1_ratios=(1,) "
                "instead of penalty='l1', l1_ratios set to floats between 0 "
                "and 1 instead of penalty='elasticnet', and Cs=(np.inf,) "
                "instead of penalty=None.", FutureWarning, stacklevel=3)
        if isinstance(self.scoring, str) and self.scoring == "warn":
            warnings.warn(
                "The default value of the parameter 'scoring' will change "
                "from None, i.e. accuracy, to 'neg_log_loss' in version "
                "1.11. To silence this warning, explicitly set the scoring "
                "parameter: scoring='neg_log_loss' for the new, "
                "scoring='accuracy' or scoring=None for the old default.",
                FutureWarning, stacklevel=3)
            scoring = None
        else:
            scoring = self.scoring
        if (isinstance(self.use_legacy_attributes, str)
                and self.use_legacy_attributes == "warn"):
            name = type(self).__name__
            warnings.warn(
                f"The fitted attributes of {name} will be simplified in "
                "scikit-learn 1.10 to remove redundancy. "
                "Set`use_legacy_attributes=False` to enable the new "
                "behavior now, or set it to `True` to silence this warning "
                "during the transition period while keeping the deprecated "
                "behavior for the time being. The default value of "
                "use_legacy_attributes will change from True to False in "
                f"scikit-learn 1.10. See the docstring of {name} for more "
                "details.", FutureWarning, stacklevel=3)
            legacy = True
        elif isinstance(self.use_legacy_attributes, (bool, np.bool_)):
            legacy = bool(self.use_legacy_attributes)
        else:
            raise ValueError("use_legacy_attributes must be a bool, got "
                             f"{self.use_legacy_attributes!r}.")

        if penalty == "elasticnet":
            if (l1_ratios is None or len(l1_ratios) == 0 or any(
                    not _is_real(r) or not 0 <= r <= 1 for r in l1_ratios)):
                raise ValueError(
                    "l1_ratios must be an array-like of numbers between 0 "
                    f"and 1; got (l1_ratios={l1_ratios!r})")
            l1_ratios_ = list(l1_ratios)
        else:
            if l1_ratios is not None and self.penalty != "deprecated":
                warnings.warn(
                    "l1_ratios parameter is only used when penalty is "
                    f"'elasticnet'. Got (penalty={penalty})", UserWarning,
                    stacklevel=3)
            if l1_ratios is None:
                l1_ratios_ = [None]
            else:
                if len(l1_ratios) == 0 or any(
                        not _is_real(r) or not 0 <= r <= 1
                        for r in l1_ratios):
                    raise ValueError(
                        "l1_ratios must be an array-like of numbers between "
                        f"0 and 1; got (l1_ratios={l1_ratios!r})")
                l1_ratios_ = list(l1_ratios)
        return penalty, l1_ratios, l1_ratios_, scoring, legacy

    def _check_params(self):
        if self.dual:
            raise ValueError(
                "dual=True is not supported: clogit solves the primal "
                "problem (its Newton solvers need no dual); use dual=False.")
        if self.solver not in SOLVER_ALIASES:
            raise ValueError(
                f"solver must be one of {', '.join(map(repr, SOLVER_ALIASES))}"
                f", got {self.solver!r}.")
        if self.multi_class not in ("auto", "ovr", "multinomial"):
            raise ValueError("multi_class must be one of 'auto', 'ovr', "
                             f"'multinomial', got {self.multi_class!r}.")
        if (not _is_real(self.tol) or not np.isfinite(self.tol)
                or self.tol <= 0):
            raise ValueError(f"tol must be a positive number, got "
                             f"{self.tol!r}.")
        if not _is_int(self.max_iter) or self.max_iter < 1:
            raise ValueError(f"max_iter must be a positive integer, got "
                             f"{self.max_iter!r}.")
        if not _is_int(self.verbose) or self.verbose < 0:
            raise ValueError("verbose must be a non-negative integer, got "
                             f"{self.verbose!r}.")
        if self.n_jobs is not None and (not _is_int(self.n_jobs)
                                        or self.n_jobs == 0):
            raise ValueError(f"n_jobs must be None or a non-zero integer, "
                             f"got {self.n_jobs!r}.")
        for name in ("fit_intercept", "refit"):
            if not isinstance(getattr(self, name), (bool, np.bool_)):
                raise ValueError(f"{name} must be a bool, got "
                                 f"{getattr(self, name)!r}.")
        if not _is_real(self.intercept_scaling) or not (
                self.intercept_scaling > 0):
            raise ValueError("intercept_scaling must be a positive number, "
                             f"got {self.intercept_scaling!r}.")
        if not (self.class_weight is None or self.class_weight == "balanced"
                or isinstance(self.class_weight, dict)):
            raise ValueError("class_weight must be None, 'balanced' or a "
                             f"dict, got {self.class_weight!r}.")
        return grid_of_Cs(self.Cs)

    # ------------------------------------------------------------------
    # fitting
    # ------------------------------------------------------------------
    def fit(self, X: MatrixLike, y: ArrayLike,
            sample_weight: ArrayLike | None = None,
            **params: object) -> LogisticRegressionCV:
        """Choose C (and l1_ratio) by cross-validation, then fit.

        Parameters
        ----------
        X : {array_like, sparse matrix} of shape (n_samples, n_features)
            Dense float64/float32 (float32 kept), or scipy.sparse CSR/CSC.
        y : array_like of shape (n_samples,)
            Labels, of any type with at least two distinct values.
        sample_weight : array_like of shape (n_samples,), default=None
            Weights of the training objective in every fold, of the test
            scores and of the refit.
        **params : dict
            Passed to the splitter and scorer (metadata routing, as
            scikit-learn).

        Returns
        -------
        LogisticRegressionCV
            The fitted estimator (``self``).

        See Also
        --------
        clogit.regularization_path : The path every fold computes.
        """
        _raise_for_params(params, self, "fit")
        penalty, l1_ratios, l1_ratios_, scoring, legacy = (
            self._resolve_penalty())
        Cs = self._check_params()
        X, y = validate_data(self, X, y, accept_sparse=["csr", "csc"],
                             dtype=[np.float64, np.float32],
                             y_numeric=False)
        X = as_blas_matrix(X)
        check_classification_targets(y)
        classes, y_encoded = np.unique(y, return_inverse=True)
        if len(classes) < 2:
            raise ValueError(
                "This solver needs samples of at least 2 classes in the "
                "data, but the data contains only one class: "
                f"{classes[0]!r}.")
        weights = check_sample_weight(sample_weight, X.shape[0])
        if isinstance(self.class_weight, dict) and not (
                set(self.class_weight) <= set(classes.tolist())):
            raise ValueError(
                "The given class_weight dict must have the class labels as "
                f"keys; classes={classes} but key={self.class_weight.keys()}")

        if _routing_enabled():
            routed = process_routing(self, "fit",
                                     sample_weight=sample_weight, **params)
        else:
            score_kwargs = dict(params)
            if sample_weight is not None:
                score_kwargs["sample_weight"] = sample_weight
            routed = _manual_routing({"splitter": {},
                                      "scorer": {"score": score_kwargs}})
        cv = check_cv(self.cv, y, classifier=True)
        folds = list(cv.split(X, y, **routed.splitter.split))
        masks = []
        for train, _ in folds:
            mask = np.zeros(X.shape[0])
            mask[train] = 1.0
            masks.append(mask)

        # 1. The paths: every fold, l1_ratio and class, in threads.
        n_classes, n_features = len(classes), X.shape[1]
        plans = []
        for ratio in l1_ratios_:
            if ratio is None:
                l1, l2 = penalty_weights(penalty if penalty != "elasticnet"
                                         else "l2", None)
            else:
                l1, l2 = float(ratio), 1.0 - float(ratio)
            plans.append(path_plan(
                solver=SOLVER_ALIASES[self.solver],
                multi_class=self.multi_class, l1=l1, l2=l2,
                n_classes=n_classes, n_features=n_features,
                sparse=sp.issparse(X), fit_intercept=self.fit_intercept,
                tol=float(self.tol), max_iter=int(self.max_iter)))
            if (SOLVER_ALIASES[self.solver] == "lbfgs" and l1 > 0.0):
                raise ValueError(
                    f"Solver {self.solver} supports only 'l2' or None "
                    f"penalties, got {penalty} penalty.")
        data = ProblemData(X, y_encoded.astype(np.intp), weights, classes,
                           self.class_weight)
        results = run_paths(data, plans, Cs, train_masks=masks,
                            n_threads=threads_for(self.n_jobs))
        converged = True
        for f, row in enumerate(results):
            for q, result in enumerate(row):
                converged = converged and bool(result.converged.all())
                warn_path_not_converged(result, Cs, f"[fold {f}] ",
                                        stacklevel=2)

        # 2. Scores, as scikit-learn's _log_reg_scoring_path.
        n_folds, n_l1 = len(folds), len(l1_ratios_)
        scores = np.empty((n_folds, n_l1, len(Cs)))
        for f, (_, test) in enumerate(folds):
            for q, plan in enumerate(plans):
                scores[f, q] = _fold_scores(
                    scoring, X, y, test,
                    None if sample_weight is None else weights,
                    routed.scorer.score, classes, results[f][q], Cs,
                    plan.multinomial, n_features, self.fit_intercept)

        # 3. Paths and iterations in scikit-learn's layout.
        paths = np.stack([np.stack([result.coefs for result in row])
                          for row in results])
        # (n_folds, n_l1, n_Cs, n_rows, n_dof)
        iterations = np.stack([np.stack([np.atleast_2d(result.n_iter)
                                         for result in row])
                               for row in results])
        # (n_folds, n_l1, n_iter_rows, n_Cs)
        self._set_cv_attributes(classes, Cs, l1_ratios, l1_ratios_, paths,
                                scores, iterations, legacy, penalty)

        # 4. The final model.
        is_binary = n_classes == 2
        multinomial = plans[0].multinomial
        if self.refit:
            summed = scores.sum(axis=0)  # (n_l1, n_Cs)
            best_l1, best_C = self._best(summed)
            C_ = Cs[best_C]
            ratio = l1_ratios_[best_l1]
            start = paths[:, best_l1, best_C].mean(axis=0)  # (n_rows, n_dof)
            refit_penalty, refit_ratio = self._refit_penalty(penalty, ratio)
            estimator = LogisticRegression(**refit_params(
                self, float(C_), refit_penalty, refit_ratio))
            estimator.set_params(warm_start=True)
            estimator.coef_ = start[:, :n_features].copy()
            estimator.intercept_ = (start[:, n_features].copy()
                                    if self.fit_intercept
                                    else np.zeros(start.shape[0]))
            estimator._multinomial = multinomial
            estimator.fit(X, y, sample_weight=sample_weight)
            self._take_fit(estimator)
            converged = converged and bool(estimator.converged_)
            chosen_C, chosen_ratio = float(C_), ratio
        else:
            flat = scores.transpose(0, 2, 1).reshape(n_folds, -1)
            best = np.argmax(flat, axis=1)
            best_C, best_l1 = np.unravel_index(best, (len(Cs), n_l1))
            w = np.mean([paths[f, best_l1[f], best_C[f]]
                         for f in range(n_folds)], axis=0)
            self.coef_ = w[:, :n_features].copy()
            self.intercept_ = (w[:, n_features].copy() if self.fit_intercept
                               else np.zeros(w.shape[0]))
            self._multinomial = multinomial
            self._inference_fits = []
            chosen_C = float(np.mean(Cs[best_C]))
            if l1_ratios_[0] is None:
                chosen_ratio = 1.0 if penalty == "l1" else 0.0
            else:
                chosen_ratio = float(np.mean(np.asarray(l1_ratios_,
                                                        dtype=float)[best_l1]))
        self.converged_ = converged
        self._set_choice(chosen_C, chosen_ratio, is_binary, n_classes,
                         legacy, l1_ratios, penalty)
        return self

    @staticmethod
    def _best(summed):
        """``(l1 index, C index)`` of the best summed score, ties broken as
        scikit-learn's ``argmax`` over its (n_Cs, n_l1_ratios) array."""
        n_l1, n_Cs = summed.shape
        c, q = np.unravel_index(np.argmax(summed.T), (n_Cs, n_l1))
        return int(q), int(c)

    @staticmethod
    def _refit_penalty(penalty, ratio):
        """The refit's ``(penalty, l1_ratio)`` for the chosen ratio."""
        if ratio is None:
            return (penalty if penalty != "elasticnet" else "l2"), None
        ratio = float(ratio)
        if ratio == 1.0:
            return "l1", None
        if ratio == 0.0:
            return "l2", None
        return "elasticnet", ratio

    def _take_fit(self, estimator):
        """The refit's fitted model (not its n_iter_, which is the CV's)."""
        self.classes_ = estimator.classes_
        self.coef_ = estimator.coef_
        self.intercept_ = estimator.intercept_
        self._inference_fits = estimator._inference_fits
        self._multinomial = estimator._multinomial

    def _set_cv_attributes(self, classes, Cs, l1_ratios, l1_ratios_, paths,
                           scores, iterations, legacy, penalty):
        """``Cs_``, ``l1_ratios_``, ``coefs_paths_``, ``scores_``, ``n_iter_``
        in scikit-learn 1.9's layouts."""
        self.classes_ = classes
        self.Cs_ = Cs
        self.l1_ratios_ = np.asarray(l1_ratios_)
        n_classes = len(classes)
        keys = classes[1:] if n_classes == 2 else classes
        # legacy: (n_rows, n_folds, n_Cs, n_l1, n_dof)
        by_class = np.moveaxis(paths, (0, 1, 3), (1, 3, 0))
        legacy_scores = np.swapaxes(scores, 1, 2)  # (n_folds, n_Cs, n_l1)
        legacy_iter = np.moveaxis(iterations, 2, 0).swapaxes(2, 3)
        # (n_iter_rows, n_folds, n_Cs, n_l1)
        if not legacy:
            self.coefs_paths_ = paths.copy()
            self.scores_ = scores.copy()
            self.n_iter_ = iterations.max(axis=2).astype(np.int32)
            return
        coefs_paths = {}
        scores_ = {}
        for k, key in enumerate(keys):
            coefs_paths[key] = by_class[k]
            scores_[key] = legacy_scores.copy()
        n_iter = legacy_iter.astype(np.int32)
        if l1_ratios is None:
            coefs_paths = {key: value[:, :, 0, :]
                           for key, value in coefs_paths.items()}
            scores_ = {key: value[:, :, 0] for key, value in scores_.items()}
            n_iter = n_iter[:, :, :, 0]
        self.coefs_paths_ = coefs_paths
        self.scores_ = scores_
        self.n_iter_ = n_iter

    def _set_choice(self, C, ratio, is_binary, n_classes, legacy, l1_ratios,
                    penalty):
        """``C_`` and ``l1_ratio_`` in scikit-learn 1.9's layouts."""
        if not legacy:
            self.C_ = float(C)
            if l1_ratios is None:
                self.l1_ratio_ = 1.0 if self.penalty == "l1" else 0.0
            else:
                self.l1_ratio_ = float(ratio)
            return
        repeat = 1 if is_binary else n_classes
        self.C_ = np.asarray([C] * repeat)
        self.l1_ratio_ = np.asarray([ratio] * repeat)

    # ------------------------------------------------------------------
    # scoring and routing, as scikit-learn
    # ------------------------------------------------------------------
    def score(self, X: MatrixLike, y: ArrayLike, *,
              sample_weight: ArrayLike | None = None,
              **score_params: object) -> float:
        """Score with the ``scoring`` option (accuracy when None).

        Parameters
        ----------
        X : {array_like, sparse matrix} of shape (n_samples, n_features)
            Test samples.
        y : array_like of shape (n_samples,)
            Their true labels.
        sample_weight : array_like of shape (n_samples,), default=None
            Weights of the samples in the score.
        **score_params : dict
            Passed to the scorer.

        Returns
        -------
        float
            The score of ``scoring`` (higher is better).

        See Also
        --------
        predict : The labels an accuracy score compares.
        """
        _raise_for_params(score_params, self, "score")
        if sample_weight is not None:
            score_params["sample_weight"] = sample_weight
        scorer = self._get_scorer()
        if _routing_enabled():
            routed = process_routing(self, "score", **score_params)
        else:
            weights = ({"sample_weight": score_params["sample_weight"]}
                       if score_params.get("sample_weight") is not None
                       else {})
            routed = _manual_routing({"scorer": {"score": weights}})
        return scorer(self, X, y, **routed.scorer.score)

    def get_metadata_routing(self) -> MetadataRouter:
        """Metadata routing to the splitter and the scorer (scikit-learn's).

        Returns
        -------
        MetadataRouter
            The estimator's own requests, the splitter's and the scorer's.

        See Also
        --------
        sklearn.utils.metadata_routing.MetadataRouter : The object returned.
        """
        return (MetadataRouter(owner=self)
                .add_self_request(self)
                .add(splitter=self.cv,
                     method_mapping=MethodMapping().add(caller="fit",
                                                        callee="split"))
                .add(scorer=self._get_scorer(),
                     method_mapping=MethodMapping()
                     .add(caller="score", callee="score")
                     .add(caller="fit", callee="score")))

    def _get_scorer(self):
        if isinstance(self.scoring, str) and self.scoring == "warn":
            return get_scorer("accuracy")
        return get_scorer(self.scoring or "accuracy")

    def save(self, path: PathOrFile) -> None:
        """Refuse to save: save a refitted :class:`clogit.LogisticRegression`.

        Parameters
        ----------
        path : str, path-like or file object
            Unused.

        Returns
        -------
        None
            Never returns.

        Raises
        ------
        TypeError
            Always.

        See Also
        --------
        clogit.LogisticRegression.save : Save the model refitted at ``C_``.
        """
        raise TypeError(
            "LogisticRegressionCV has no model file of its own: fit "
            "clogit.LogisticRegression(C=cv.C_, ...) and save that.")


__all__ = ["LogisticRegressionCV", "SOLVER_ALIASES", "refit_params"]
