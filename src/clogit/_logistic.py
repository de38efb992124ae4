"""``clogit.LogisticRegression``: validation and dispatch around kernels."""

import numbers
import warnings
from functools import partial
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from . import _binomial, _inference, _io, _separation, _summary
from ._functions import log_sigmoid, sigmoid
from ._gd import gradient_descent
from ._lbfgs import lbfgs_binary
from ._multinomial import lbfgs_multinomial, newton_multinomial
from ._prox_multinomial import prox_newton_multinomial
from ._newton import newton_binary, warn_not_converged
from ._newton_cg import newton_cg_binary
from ._parallel import (available_cores, map_in_threads, matvec,
                        single_threaded_blas)
from ._prox_newton import prox_newton_binary
from ._validation import (
    as_blas_matrix,
    check_sample_weight,
    class_weight_per_sample,
)

_PENALTIES = ("l2", "l1", "elasticnet", None)
_SOLVERS = ("auto", "newton", "lbfgs", "gd")
_MULTI_CLASS = ("auto", "ovr", "multinomial")
# multi_class="multinomial" (or "auto" with 3+ classes), solver="auto":
# Newton with the full (K k1)^2 Hessian costs about n (K k1)^2 flops an
# iteration, L-BFGS about 4 n K k1 (two skinny products with X).  Measured
# here (one core): on digits (n=1,797, K k1 = 650) Newton took 0.60 s in 10
# iterations, L-BFGS 0.08 s; on bench/multiclass.py's task (n=100,000,
# K k1 = 1,010) 26.6 s against 1.3 s, while on iris (K k1 = 15) both take a
# few milliseconds.  Newton only pays off for narrow problems.
_AUTO_MULTINOMIAL_NEWTON_MAX_WIDTH = 100

# solver="auto" with penalty "l2" or None: Newton while its per-iteration
# cost (a dsyrk, n p^2, plus a p^3/3 Cholesky) is a small multiple of the
# gradient pass L-BFGS needs (2 n p) times the ~5-10x more iterations L-BFGS
# takes.  Measured on this project's 2-core machine (bench/run.py data,
# n = 20,000-200,000, l2, C = 1): Newton wins clearly for p <= 500 and is
# still level with L-BFGS around p ~ 1,000-2,000; past that the p^2 memory
# and p^3 factorization make L-BFGS the better default.
_AUTO_NEWTON_MAX_FEATURES = 1000
# Newton's dense (p+1)^2 Hessian (and its (p+1)^3/3 Cholesky) beyond this
# size: solver="newton" solves for the step by conjugate gradients on
# Hessian-vector products instead (p > 5,791; at p = 100,000 the Hessian
# alone would take 80 GB).
_NEWTON_HESSIAN_MAX_BYTES = 256 * 2**20
# solver="auto" for sparse X, penalty "l2" or None: Newton-CG above this
# many features, Newton (which also leaves the factor inference needs)
# up to it.  A Newton-CG step costs a few dozen sparse passes (2 nnz flops
# each); a Newton step one pass accumulating the nonzero pairs of each row
# (sum nnz_i^2) and a (p+1)^3/3 Cholesky, which soon dominates.  Measured
# here on tf-idf-like data (n = 100,000, ~25 nonzeros a row, C = 1, tol
# 1e-6): Newton / Newton-CG 0.13 / 0.19 s at p = 100, 0.33 / 0.27 s at
# p = 300, 0.84 / 0.23 s at p = 1,000, 2.3 / 0.38 s at p = 2,000.
_AUTO_SPARSE_NEWTON_MAX_FEATURES = 300


class _Objective(NamedTuple):
    """Weights of ``C * sum(s * loss) + l1 * |w|_1 + l2/2 * |w|^2``."""

    C: float
    l1: float
    l2: float


def _log_softmax(scores):
    """Row-wise ``scores - logsumexp(scores)``, stable for any finite
    scores."""
    shift = scores.max(axis=1, keepdims=True)
    return scores - (shift + np.log(np.exp(scores - shift).sum(
        axis=1, keepdims=True)))


def _is_real(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


class LogisticRegression(ClassifierMixin, BaseEstimator):
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
    penalty : {"l2", "l1", "elasticnet"} or None, default="l2"
        Regularization term.  ``None`` (or ``C=np.inf``) fits the unpenalized
        maximum-likelihood model.  "l1" and "elasticnet" give exactly sparse
        coefficients (zeros are 0.0).
    C : float, default=1.0
        Inverse regularization strength, > 0; ``np.inf`` means no penalty.
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
        """Check every hyper-parameter; return the objective's weights."""
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

        if self.penalty is None or np.isinf(self.C):
            if self.penalty is None and self.C != 1.0:
                warnings.warn("Setting penalty=None ignores C.", UserWarning,
                              stacklevel=3)
            return _Objective(C=1.0, l1=0.0, l2=0.0)
        if self.penalty == "l2":
            return _Objective(C=float(self.C), l1=0.0, l2=1.0)
        if self.penalty == "l1":
            return _Objective(C=float(self.C), l1=1.0, l2=0.0)
        ratio = float(self.l1_ratio)
        return _Objective(C=float(self.C), l1=ratio, l2=1.0 - ratio)

    def _solver_for(self, objective, n_features, sparse=False):
        """The solver ``fit`` runs: "newton", "newton_cg", "prox_newton",
        "lbfgs" or "gd".

        "newton_cg" is Newton's method with the step solved by conjugate
        gradients on Hessian-vector products (``clogit._newton_cg``): what
        ``solver="newton"`` runs when the dense Hessian would not fit in
        ``_NEWTON_HESSIAN_MAX_BYTES``, and what "auto" picks for sparse X
        wider than ``_AUTO_SPARSE_NEWTON_MAX_FEATURES``.
        """
        if self.solver == "gd":
            return "gd"
        if objective.l1 > 0.0:
            return "prox_newton"
        if self.solver == "lbfgs":
            return "lbfgs"
        if self.solver == "auto":
            if sparse and n_features > _AUTO_SPARSE_NEWTON_MAX_FEATURES:
                return "newton_cg"
            if not sparse and n_features > _AUTO_NEWTON_MAX_FEATURES:
                return "lbfgs"
        if 8 * (n_features + 1) ** 2 > _NEWTON_HESSIAN_MAX_BYTES:
            return "newton_cg"
        return "newton"

    def _n_threads(self, n_problems):
        """Threads for One-vs-Rest: ``n_jobs`` (None: 1; negative: all cores
        + 1 + n_jobs, as joblib), never more than there are classes."""
        if self.n_jobs is None or n_problems == 1:
            return 1
        n_jobs = self.n_jobs
        if n_jobs < 0:
            n_jobs = max(available_cores() + 1 + n_jobs, 1)
        return min(n_jobs, n_problems)

    def _run_solver(self, solver, objective, X, y, sample_weight, coef0,
                    label, monitor):
        """Run one binary problem with the chosen solver."""
        if sp.issparse(X) and solver in ("newton", "lbfgs"):
            # the choice for sparse X, should the caller have made it without
            # knowing (idempotent when it did)
            solver = self._solver_for(objective, X.shape[1], sparse=True)
        common = dict(C=objective.C, fit_intercept=self.fit_intercept,
                      tol=self.tol, max_iter=self.max_iter, coef0=coef0,
                      verbose=self.verbose, label=label)
        if solver == "newton":
            return newton_binary(X, y, sample_weight, alpha=objective.l2,
                                 monitor=monitor,
                                 **common)
        if solver == "newton_cg":
            return newton_cg_binary(X, y, sample_weight, alpha=objective.l2,
                                    monitor=monitor, **common)
        if solver == "lbfgs":
            return lbfgs_binary(X, y, sample_weight, alpha=objective.l2,
                                **common)
        if solver == "prox_newton":
            return prox_newton_binary(X, y, sample_weight, l1=objective.l1,
                                      l2=objective.l2, **common)
        return gradient_descent(X, y, sample_weight, l1=objective.l1,
                                l2=objective.l2, **common)

    # ------------------------------------------------------------------
    # fitting
    # ------------------------------------------------------------------
    def fit(self, X, y, sample_weight=None):
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

        Returns
        -------
        self : LogisticRegression
            The fitted estimator.
        """
        objective = self._validate_params()
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
        sample_weight = check_sample_weight(sample_weight, X.shape[0])
        solver = self._solver_for(objective, X.shape[1],
                                  sparse=sp.issparse(X))
        if self._is_multinomial(objective, len(classes)):
            return self._fit_multinomial(X, y_encoded, classes, sample_weight,
                                         objective)

        n_problems = 1 if len(classes) == 2 else len(classes)
        coef0 = self._warm_start_coef(n_problems, X.shape[1])
        n_coef = X.shape[1] + (1 if self.fit_intercept else 0)
        coefs = np.empty((n_problems, n_coef))
        n_iter = np.empty(n_problems, dtype=np.int32)
        converged = True
        inference_fits = []
        problems = []
        for k in range(n_problems):
            positive = k + 1 if n_problems == 1 else k
            label = ("" if n_problems == 1
                     else f"[class {classes.tolist()[k]!r}] ")
            in_class = y_encoded == positive
            weights = self._class_weights(classes, y_encoded, in_class,
                                          n_problems, sample_weight)
            y_k = in_class.astype(np.float64)
            s_k = sample_weight if weights is None else sample_weight * weights
            monitor = _separation.make_monitor(
                X, y_k, s_k, penalized=bool(objective.l1 or objective.l2))
            problems.append((label, y_k, s_k, monitor,
                             None if coef0 is None else coef0[k]))

        def solve(problem):
            label, y_k, s_k, monitor, start = problem
            return self._run_solver(solver, objective, X, y_k, s_k, start,
                                    label, monitor)

        # One-vs-Rest classes in parallel threads (the kernels release the
        # GIL); each class's arithmetic does not depend on the thread count,
        # so any n_jobs gives bit-identical coefficients.  BLAS stays
        # single-threaded for the whole fit (see clogit._parallel).
        with single_threaded_blas():
            results = map_in_threads(solve, problems,
                                     self._n_threads(n_problems))

        for (label, y_k, s_k, monitor, _), result, k in zip(
                problems, results, range(n_problems)):
            # warnings are raised here, in the caller's thread and in class
            # order, whatever thread did the work
            separated = _separation.check(
                monitor, result, getattr(self, "feature_names_in_", None),
                label)
            warn_not_converged(result, self.max_iter, label)
            inference_fits.append(_inference.binary_fit(
                X, y_k, s_k, result, C=objective.C, alpha=objective.l2,
                fit_intercept=self.fit_intercept, separated=separated,
                penalty=_inference.effective_penalty(self.penalty, self.C),
                solver=solver))
            coefs[k] = result.coef
            n_iter[k] = result.n_iter
            converged = converged and result.converged

        self.classes_ = classes
        self.coef_ = coefs[:, :X.shape[1]].copy()
        self.intercept_ = (coefs[:, -1].copy() if self.fit_intercept
                           else np.zeros(n_problems))
        self.n_iter_ = n_iter
        self.converged_ = converged
        self._inference_fits = inference_fits
        self._multinomial = False
        return self

    def _is_multinomial(self, objective, n_classes):
        """Whether ``fit`` runs the softmax model.

        "auto" chooses it for 3+ classes, as scikit-learn does, unless the
        penalty is l1/elasticnet (One-vs-Rest works on a working set of
        features, the multinomial fit on the dense Hessian).  With two
        classes the binary model is fitted whatever ``multi_class`` says
        (softmax over two classes is the same family, as in scikit-learn
        >= 1.8).
        """
        if n_classes < 3 or self.multi_class == "ovr":
            return False
        if self.multi_class == "multinomial":
            return True
        return objective.l1 == 0.0 and self.solver != "gd"

    def _multinomial_plan(self, n_classes, n_features, objective):
        """Warm start (or None) and solver function of a multinomial fit;
        the function takes X, y, sample_weight and the keywords of
        ``newton_multinomial`` but the penalty (bound here)."""
        coef0 = None
        if (self.warm_start and getattr(self, "_multinomial", False)
                and self.coef_.shape == (n_classes, n_features)):
            coef0 = (np.hstack([self.coef_, self.intercept_[:, None]])
                     if self.fit_intercept else self.coef_.copy())
        k1 = n_features + (1 if self.fit_intercept else 0)
        if objective.l1 > 0.0:
            if 8 * (n_classes * k1) ** 2 > _NEWTON_HESSIAN_MAX_BYTES:
                raise ValueError(
                    f"penalty={self.penalty!r} with the multinomial loss "
                    "is fitted by proximal Newton with the dense "
                    f"({n_classes} x {k1})^2 Hessian, which would exceed "
                    f"{_NEWTON_HESSIAN_MAX_BYTES // 2**20} MiB; use "
                    "multi_class='ovr' (a working set per class) or fewer "
                    "features.")
            return coef0, partial(prox_newton_multinomial, l1=objective.l1,
                                  l2=objective.l2)
        if self.solver == "newton" or (
                self.solver == "auto"
                and n_classes * k1 <= _AUTO_MULTINOMIAL_NEWTON_MAX_WIDTH):
            return coef0, partial(newton_multinomial, alpha=objective.l2)
        return coef0, partial(lbfgs_multinomial, alpha=objective.l2)

    def _fit_multinomial(self, X, y_encoded, classes, sample_weight,
                         objective):
        """Fit the softmax model; sets the fitted attributes."""
        n_classes = len(classes)
        n_features = X.shape[1]
        weights = class_weight_per_sample(self.class_weight, classes,
                                          y_encoded, sample_weight)
        if weights is not None:
            sample_weight = sample_weight * weights
        coef0, solve = self._multinomial_plan(n_classes, n_features,
                                              objective)
        with single_threaded_blas():
            result = solve(X, y_encoded.astype(np.int32), sample_weight,
                           n_classes=n_classes, C=objective.C,
                           fit_intercept=self.fit_intercept, tol=self.tol,
                           max_iter=self.max_iter, coef0=coef0,
                           verbose=self.verbose)
        return self._set_multinomial_fit(result, classes, n_features)

    def _set_multinomial_fit(self, result, classes, n_features):
        """Warn if the solver stopped short; set the fitted attributes."""
        warn_not_converged(result, self.max_iter)
        n_classes = len(classes)
        self.classes_ = classes
        self.coef_ = result.coef[:, :n_features].copy()
        self.intercept_ = (result.coef[:, -1].copy() if self.fit_intercept
                           else np.zeros(n_classes))
        self.n_iter_ = np.array([result.n_iter], dtype=np.int32)
        self.converged_ = result.converged
        self._inference_fits = []
        self._multinomial = True
        return self

    def _class_weights(self, classes, y_encoded, in_class, n_problems,
                       sample_weight):
        """Per-sample class weights of one binary (sub-)problem.

        A dict weighs each sample by its own label in every sub-problem.
        "balanced" is computed on the binary problem actually solved, so
        One-vs-Rest gets exactly what scikit-learn's
        ``OneVsRestClassifier(LogisticRegression(class_weight="balanced"))``
        gives each class.
        """
        if self.class_weight == "balanced" and n_problems > 1:
            return class_weight_per_sample(
                "balanced", np.array([False, True]), in_class.astype(np.intp),
                sample_weight)
        return class_weight_per_sample(self.class_weight, classes, y_encoded,
                                       sample_weight)

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
    def decision_function(self, X):
        """Linear scores ``X @ coef_.T + intercept_``.

        Parameters
        ----------
        X : {array_like, sparse matrix} of shape (n_samples, n_features)
            Dense (float64 or float32, kept as float32), or scipy.sparse
            (CSR and CSC used as they are, other formats converted to CSR).

        Returns
        -------
        ndarray of shape (n_samples,) for two classes, else
        (n_samples, n_classes)
            For two classes, the score of ``classes_[1]``.
        """
        check_is_fitted(self)
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
        if self._multinomial:
            return _log_softmax(scores)
        # One-vs-Rest: log(sigmoid(z_k) / sum_l sigmoid(z_l))
        return _log_softmax(log_sigmoid(scores))

    # ------------------------------------------------------------------
    # statistical inference (binary and One-vs-Rest; see clogit._inference)
    # Arrays put the intercept FIRST ("const", as statsmodels'
    # add_constant), then the features; One-vs-Rest adds a leading class
    # axis.  With penalty="l2" they describe the penalized fit: the
    # covariance is the inverse Hessian of -loglik + |w|^2 / (2 C).
    # ------------------------------------------------------------------
    @property
    def params_(self):
        """ndarray of shape (n_coef,) or (n_classes, n_coef): the
        coefficients in the order of the inference arrays (intercept
        first)."""
        return _inference.stacked(self, "params")

    @property
    def covariance_(self):
        """ndarray of shape (n_coef, n_coef) or (n_classes, n_coef, n_coef):
        inverse Hessian of the fitted negative (penalized) log-likelihood,
        intercept first.  NaN if the Hessian is singular."""
        return _inference.stacked(self, "covariance")

    @property
    def std_errors_(self):
        """ndarray of shape (n_coef,) or (n_classes, n_coef): Wald standard
        errors, ``sqrt(diag(covariance_))``."""
        return _inference.stacked(self, "std_errors")

    @property
    def z_values_(self):
        """ndarray of shape (n_coef,) or (n_classes, n_coef):
        ``params_ / std_errors_``."""
        return _inference.stacked(self, "z_values")

    @property
    def p_values_(self):
        """ndarray of shape (n_coef,) or (n_classes, n_coef): two-sided
        p-values of the z statistics under the standard normal."""
        return _inference.stacked(self, "p_values")

    @property
    def odds_ratios_(self):
        """ndarray of shape (n_coef,) or (n_classes, n_coef):
        ``exp(params_)``."""
        return _inference.stacked(self, "odds_ratios")

    def conf_int(self, alpha=0.05):
        """Wald confidence intervals ``params_ -/+ z_{1-alpha/2} std_errors_``.

        Parameters
        ----------
        alpha : float in (0, 1), default=0.05
            One minus the confidence level.

        Returns
        -------
        ndarray of shape (n_coef, 2) or (n_classes, n_coef, 2)
            Lower and upper bounds, intercept first.
        """
        return _inference.stacked(self, "conf_int",
                                  _inference.check_alpha(alpha))

    def summary(self, alpha=0.05, yname=None):
        """statsmodels-style table of the fit and its Wald inference.

        Parameters
        ----------
        alpha : float in (0, 1), default=0.05
            One minus the confidence level of the intervals.
        yname : str, optional
            Name of the dependent variable for the header.

        Returns
        -------
        Summary
            ``str()`` gives the text table; ``to_frame()`` a pandas
            DataFrame; notebooks render it as HTML.

        Raises
        ------
        ValueError
            For penalty "l1"/"elasticnet" (no Wald inference) and fits that
            kept no Hessian (see ``covariance_``).
        """
        return _summary.summary(self, alpha=_inference.check_alpha(alpha),
                                yname=yname)

    # ------------------------------------------------------------------
    # model files (JSON, never pickle; see clogit._io)
    # ------------------------------------------------------------------
    def save(self, path):
        """Write the fitted model to a JSON file ``clogit.load`` reads back.

        Parameters
        ----------
        path : str, path-like or writable text file object
        """
        _io.save(self, path)
