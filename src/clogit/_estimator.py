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
from scipy.linalg import LinAlgWarning
from sklearn.utils import assert_all_finite
from sklearn.utils.validation import check_is_fitted, validate_data

from . import _fitting, _model_files
from ._backends.memory import InMemoryData, matvec
from ._backends.threads import available_cores, single_threaded_blas
from ._fitting import Objective
from ._functions import log_sigmoid, sigmoid
from ._inference.accessors import InferenceMixin
from ._inference.covariance import check_cov_type, check_groups
from ._kernels import binomial as _binomial
from ._typing import (ArrayLike, ClassWeight, CovType, MatrixLike,
                      MultiClass, PathOrFile, Penalty, RandomState, Solver)
from ._scaling import log2_squared_norm, normalize_weights
from ._validation import (as_blas_matrix, check_sample_weight, encode_labels,
                          nonzero_columns)

# clogit's solvers; scikit-learn's names are aliases (SPEC §3, drop-in notes)
_SOLVERS = ("auto", "newton", "newton-cg", "lbfgs", "gd")
_SOLVER_ALIASES = {"newton-cholesky": "newton", "liblinear": "auto",
                   "sag": "auto", "saga": "auto"}
_MULTI_CLASS = ("auto", "ovr", "multinomial")


_FLOAT_MAX = float(np.finfo(np.float64).max)


def _log_softmax(scores):
    """Row-wise ``scores - logsumexp(scores)``, stable for any finite
    scores (a difference of two scores beyond the float range is -inf, whose
    exp is the 0 it rounds to)."""
    with np.errstate(over="ignore"):
        shifted = scores - scores.max(axis=1, keepdims=True)
    # (scores - max) - log(sum): adding log(sum) to a huge max first
    # would round it away
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def _finite_scores(scores):
    """Scores clipped to the float range: an exact score beyond it (which
    ``decision_function`` rounds to +-inf) gives the probabilities of the
    largest float, never ``inf - inf``."""
    return np.clip(scores, -_FLOAT_MAX, _FLOAT_MAX)


def _scaled_scores(X, coef, intercept):
    """``X @ coef.T + intercept`` for rows whose products overflow.

    Each row of X and each coefficient vector is divided by the power of
    two of its largest magnitude (exact), so every product is at most 1 and
    every sum at most ``n_features``; the dot products are then scaled back
    with ``ldexp``.  A score beyond the float range rounds to +-inf with the
    right sign, instead of the NaN of ``inf - inf`` (X = [1e308, 0.9e308]
    with coefficients [1, -1]: exactly 1e307).
    """
    if sp.issparse(X):
        X = sp.csr_matrix(X, dtype=np.float64)
        row_max = np.asarray(abs(X).max(axis=1).todense()).ravel()
    else:
        X = np.asarray(X, dtype=np.float64)
        row_max = np.abs(X).max(axis=1) if X.shape[1] else \
            np.zeros(X.shape[0])
    row_exp = np.frexp(row_max)[1]
    coef_exp = np.frexp(np.abs(coef).max(axis=1) if coef.shape[1]
                        else np.zeros(coef.shape[0]))[1]
    coef_scaled = np.ldexp(coef, -coef_exp[:, None])
    if sp.issparse(X):
        X_scaled = sp.diags(np.ldexp(1.0, -row_exp)) @ X
        dots = np.asarray(X_scaled @ coef_scaled.T)
    else:
        dots = np.ldexp(X, -row_exp[:, None]) @ coef_scaled.T
    with np.errstate(over="ignore"):
        return (np.ldexp(dots, row_exp[:, None] + coef_exp[None, :])
                + intercept)


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
    if estimator._solver_name() not in ("auto", "newton"):
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


def _is_bool(value):
    return isinstance(value, (bool, np.bool_))


def _positive_finite(value):
    return _is_real(value) and bool(np.isfinite(value)) and value > 0


# Every constructor parameter's rule, declared once: name -> (test, what the
# value must be).  ``_validate_params`` checks them all and raises
# "<name> must be <what>, got <value>." -- uniform messages -- before the
# rules that combine parameters.
_PARAMETER_RULES = {
    "penalty": (lambda v: v in ("l2", "l1", "elasticnet", "firth", None),
                "one of 'l2', 'l1', 'elasticnet', 'firth' or None"),
    "C": (lambda v: _is_real(v) and not np.isnan(v) and v > 0,
          "a positive number (np.inf for no penalty)"),
    "l1_ratio": (lambda v: v is None or (_is_real(v) and 0 <= v <= 1),
                 "None or a number in [0, 1]"),
    "dual": (_is_bool, "a bool"),
    "tol": (_positive_finite, "a positive number"),
    "fit_intercept": (_is_bool, "a bool"),
    "intercept_scaling": (_positive_finite, "a positive number"),
    "class_weight": (lambda v: v is None or isinstance(v, dict)
                     or (isinstance(v, str) and v == "balanced"),
                     "None, 'balanced' or a dict"),
    "random_state": (lambda v: v is None or _is_int(v) or isinstance(
        v, (np.random.RandomState, np.random.Generator)),
        "None, an int or a numpy random generator"),
    "solver": (lambda v: isinstance(v, str) and (v in _SOLVERS
                                                 or v in _SOLVER_ALIASES),
               "one of " + ", ".join(map(repr, _SOLVERS))
               + " or scikit-learn's " + ", ".join(map(repr,
                                                       _SOLVER_ALIASES))),
    "max_iter": (lambda v: _is_int(v) and v >= 0, "a non-negative integer"),
    "multi_class": (lambda v: isinstance(v, str) and v in _MULTI_CLASS,
                    "one of 'auto', 'ovr', 'multinomial'"),
    "verbose": (lambda v: (_is_int(v) or _is_bool(v)) and v >= 0,
                "a non-negative integer"),
    "warm_start": (_is_bool, "a bool"),
    "n_jobs": (lambda v: v is None or (_is_int(v) and v != 0),
               "None or a non-zero integer"),
}


def resolve_penalty(penalty, C, l1_ratio, stacklevel=4):
    """The penalty a parameter set selects: ``(penalty, l1_ratio)`` in
    effect, penalty None for no penalty.

    scikit-learn >= 1.8 spells the penalty by ``l1_ratio`` with ``penalty``
    left at its default: with ``penalty="l2"`` a ratio of 1 is l1, one in
    (0, 1) elastic net (0 and None stay l2).  With "elasticnet" the ratio is
    the mixing weight (None is a ValueError); with "l1" or None a ratio that
    says otherwise is ignored with a UserWarning.  ``C=np.inf`` is no
    penalty whatever the rest says.
    """
    if penalty == "elasticnet":
        if l1_ratio is None:
            raise ValueError(
                "penalty='elasticnet' needs l1_ratio, a number in [0, 1].")
        resolved, ratio = "elasticnet", float(l1_ratio)
    elif penalty == "l2":
        if l1_ratio is None or l1_ratio == 0:
            resolved, ratio = "l2", 0.0
        elif l1_ratio == 1:
            resolved, ratio = "l1", 1.0
        else:
            resolved, ratio = "elasticnet", float(l1_ratio)
    else:
        consistent = (None, 0) if penalty is None else (None, 0, 1)
        if l1_ratio not in consistent:
            warnings.warn(
                f"l1_ratio={l1_ratio!r} is ignored with penalty={penalty!r}: "
                "it selects the penalty with penalty='l2' (the default), as "
                "in scikit-learn >= 1.8, and is the mixing weight with "
                "penalty='elasticnet'.", UserWarning, stacklevel=stacklevel)
        resolved, ratio = penalty, (1.0 if penalty == "l1" else 0.0)
    if C == np.inf:
        return None, 0.0
    return resolved, ratio


def _plain_fit_input(X, y):
    """Whether ``fit``'s X and y are plain ndarrays that ``validate_data``
    and ``check_classification_targets`` would accept unchanged: X 2-D
    float64/float32, contiguous, at least one row and one column; y 1-D of
    as many integers or booleans, or of finite floats that are whole
    numbers (class labels).  On breast_cancer the two took 0.5 of a fit's
    1.9 ms.  Anything else goes through them, for scikit-learn's messages
    and conversions (X's finiteness is ``fit``'s own test either way)."""
    if not (type(X) is np.ndarray and type(y) is np.ndarray
            and X.ndim == 2 and y.ndim == 1
            and X.dtype in (np.float64, np.float32)
            and (X.flags.c_contiguous or X.flags.f_contiguous)
            and X.shape[0] >= 1 and X.shape[1] >= 1
            and y.shape[0] == X.shape[0]):
        return False
    if y.dtype.kind in "iub":
        return True
    return y.dtype.kind == "f" and bool(np.all(np.isfinite(y))) and bool(
        np.all(y == np.floor(y)))


class LogisticRegression(InferenceMixin, ClassifierMixin, BaseEstimator):
    """Logistic regression with compiled Newton kernels.

    A drop-in for :class:`sklearn.linear_model.LogisticRegression`, minimizing

    ``C * sum_i s_i * loss(y_i, x_i.w + b) + R(w)``

    with ``R(w) = |w|^2 / 2`` for ``penalty="l2"``, ``|w|_1`` for "l1",
    ``l1_ratio |w|_1 + (1 - l1_ratio) |w|^2 / 2`` for "elasticnet" and 0 for
    ``penalty=None`` (the intercept is never penalized).  The default solver
    is Newton–Raphson on a Hessian assembled by a blocked symmetric rank-k
    update (no copy of X per iteration); ℓ1 and elastic net use a proximal
    Newton method on an active set.  Multiclass targets are fitted by the
    softmax (multinomial) model, or One-vs-Rest: see ``multi_class``.

    Parameters
    ----------
    penalty : {"l2", "l1", "elasticnet", "firth"} or None, default="l2"
        Regularization term.  ``None`` (or ``C=np.inf``) fits the unpenalized
        maximum-likelihood model.  "l1" and "elasticnet" give exactly sparse
        coefficients (zeros are 0.0).  With the default "l2", a non-zero
        ``l1_ratio`` selects the penalty as scikit-learn >= 1.8 does.
        "firth": Firth's bias-reduced penalized likelihood
        ``l + 1/2 log det I`` (R's logistf): finite estimates on separated
        and rare-event data, Wald inference from the Fisher information and
        profile intervals (``results_.conf_int(method="profile")``); binary
        and One-vs-Rest, solver "auto"/"newton", in memory.
    C : float, default=1.0
        Inverse regularization strength, > 0; ``np.inf`` means no penalty.
        With ``penalty="firth"`` a frequency weight of every sample.
    l1_ratio : float in [0, 1] or None, default=0.0
        With ``penalty="l2"`` (scikit-learn >= 1.8's idiom): 0 is l2, 1 is
        l1 and values in between are elastic net with that mixing weight.
        With ``penalty="elasticnet"``: the mixing weight (None is an error).
        Ignored, with a UserWarning, when it contradicts ``penalty="l1"``
        or ``None``.
    dual : bool, default=False
        Accepted for scikit-learn; clogit solves the primal problem, so
        ``True`` (liblinear's dual formulation) raises a ValueError.
    tol : float, default=1e-6
        The stopping test of every solver: the fit has converged when
        ``max|grad f| / (C * sum(sample_weight)) <= tol`` at the returned
        coefficients, f the objective above, the intercept included (C = 1
        for no penalty; for "l1"/"elasticnet" the minimum-norm subgradient;
        for the multinomial model all classes).  Each solver checks it
        itself (see ``converged_``).
    fit_intercept : bool, default=True
        Whether to fit an (unpenalized) intercept.
    intercept_scaling : float, default=1.0
        Accepted for scikit-learn (must be positive); no effect: clogit's
        intercept is never penalized, so liblinear's synthetic feature is
        not needed.
    class_weight : dict, "balanced" or None, default=None
        Weights multiplying ``sample_weight`` by class, with scikit-learn's
        semantics: "balanced" gives ``n_samples / (n_classes * count)``.
    random_state : int, RandomState, Generator or None, default=None
        Accepted for scikit-learn; no clogit solver is random, so it has
        no effect.
    solver : str, default="auto"
        "newton": Newton–Raphson with the exact Hessian and a Cholesky solve
        of the equilibrated system (proximal Newton with coordinate descent
        on an active set for "l1" and "elasticnet").  "newton-cg": Newton
        with the step solved by conjugate gradients on Hessian-vector
        products ("l2" or None; multinomial fits use "auto"'s choice).
        "lbfgs": scipy's L-BFGS-B on the same Cython objective and
        gradient ("l2" or None only), continued or restarted until the
        stopping test holds; on dense X with up to 1,000 features
        preconditioned by the Cholesky factor of a row-sample Hessian (see
        the user guide's Solvers page).  "gd": (proximal) gradient
        descent with the constant step 1/L, see :func:`clogit.lipschitz_step`;
        for teaching and comparison.  "auto": proximal Newton for
        "l1"/"elasticnet"; for dense X with "l2" or None preconditioned
        L-BFGS from ``n_samples * (n_features + 1) >= 1e6`` up to 1,000
        features, Newton on smaller problems, and plain L-BFGS beyond
        1,000 features;
        for sparse X Newton up to 300 features and Newton-CG beyond.  "newton" also switches to Newton-CG when the dense Hessian
        would exceed 256 MiB.  scikit-learn's names are aliases:
        "newton-cholesky" is "newton"; "liblinear", "sag" and "saga" are
        "auto" -- the same objective solved to its optimum (liblinear's
        penalized intercept is not reproduced).
    max_iter : int, default=100
        Most iterations per problem; 0 returns the starting point (zero
        coefficients, the intercept at the log-odds of the weighted mean
        label) with ``n_iter_`` 0 and, unless it already meets the test, a
        ConvergenceWarning.
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
        (scikit-learn removed ``multi_class``; clogit keeps it.)
    verbose : int, default=0
        If > 0, print one line per iteration: objective, max|grad|, Newton
        decrement and step length.
    warm_start : bool, default=False
        Start from the previous fit's coefficients when shapes allow.
    n_jobs : int or None, default=None
        One-vs-Rest: classes fitted in parallel threads (None means 1, -1
        all cores).  Results are bit-identical for any value.
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
        Coefficients (one row for binary problems); float32 for float32 X
        (computed in float64).  A scipy.sparse matrix after
        :meth:`sparsify`.
    intercept_ : ndarray of shape (1,) or (n_classes,)
        Intercepts (zeros when ``fit_intercept=False``), of ``coef_``'s
        dtype.
    n_iter_ : ndarray of shape (1,) or (n_classes,), int32
        Solver iterations of each problem.
    converged_ : bool
        True exactly when every problem's stopping test (see ``tol``) holds
        at the returned coefficients, computed by clogit, never taken from
        a library's flag; False after a fit stopped on separation (the
        unpenalized optimum does not exist).
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of shape (n_features,)
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

    See Also
    --------
    LogisticRegressionCV : Choose C (and l1_ratio) by cross-validation.
    logit : Fit from a formula and a DataFrame.
    clogit.dask.LogisticRegression : The same model on Dask arrays.
    LogitResults : What ``results_`` holds.
    sklearn.linear_model.LogisticRegression : The estimator it replaces.

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
        *,
        C: float = 1.0,
        l1_ratio: float | None = 0.0,
        dual: bool = False,
        tol: float = 1e-6,
        fit_intercept: bool = True,
        intercept_scaling: float = 1.0,
        class_weight: ClassWeight = None,
        random_state: RandomState = None,
        solver: Solver = "auto",
        max_iter: int = 100,
        multi_class: MultiClass = "auto",
        verbose: int = 0,
        warm_start: bool = False,
        n_jobs: int | None = None,
        cov_type: CovType = "nonrobust",
    ) -> None:
        self.penalty = penalty
        self.C = C
        self.l1_ratio = l1_ratio
        self.dual = dual
        self.tol = tol
        self.fit_intercept = fit_intercept
        self.intercept_scaling = intercept_scaling
        self.class_weight = class_weight
        self.random_state = random_state
        self.solver = solver
        self.max_iter = max_iter
        self.multi_class = multi_class
        self.verbose = verbose
        self.warm_start = warm_start
        self.n_jobs = n_jobs
        self.cov_type = cov_type

    # ------------------------------------------------------------------
    # parameters
    # ------------------------------------------------------------------
    def _validate_params(self):
        """Check every hyper-parameter; return the objective's weights."""
        for name, (valid, what) in _PARAMETER_RULES.items():
            value = getattr(self, name)
            if not valid(value):
                raise ValueError(f"{name} must be {what}, got {value!r}.")
        if self.dual:
            raise ValueError(
                "dual=True (liblinear's dual formulation) is not supported: "
                "clogit solves the primal problem, to the same optimum; use "
                "dual=False.")
        solver = self._solver_name()
        if self.multi_class == "multinomial" and solver == "gd":
            raise ValueError(
                "solver='gd' supports binary and One-vs-Rest fits only; use "
                "solver='newton', 'lbfgs' or 'auto' with "
                "multi_class='multinomial'.")
        if self.penalty == "firth":
            return _firth_objective(self)
        penalty, ratio = resolve_penalty(self.penalty, self.C, self.l1_ratio)
        if solver in ("lbfgs", "newton-cg") and penalty in ("l1",
                                                           "elasticnet"):
            raise ValueError(
                f"solver={self.solver!r} supports penalty 'l2' or None, got "
                f"penalty={penalty!r}; use solver='newton' (proximal "
                "Newton) or 'gd' (proximal gradient) for l1/elasticnet.")

        if penalty is None:
            if self.penalty is None and self.C != 1.0:
                warnings.warn("Setting penalty=None will ignore the C and "
                              "l1_ratio parameters.", UserWarning,
                              stacklevel=3)
            return Objective(C=1.0, l1=0.0, l2=0.0)
        if penalty == "l2":
            return Objective(C=float(self.C), l1=0.0, l2=1.0)
        if penalty == "l1":
            return Objective(C=float(self.C), l1=1.0, l2=0.0)
        return Objective(C=float(self.C), l1=ratio, l2=1.0 - ratio)

    def _solver_name(self):
        """``solver`` with scikit-learn's names mapped to clogit's."""
        return _SOLVER_ALIASES.get(self.solver, self.solver)

    def _penalty_in_effect(self):
        """The penalty the parameters select (None for none), for
        inference and summaries."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # given by _validate_params
            return resolve_penalty(self.penalty, self.C, self.l1_ratio)[0]

    def _solver_for(self, objective, n_features, sparse=False,
                    n_samples=None):
        """The binary solver ``fit`` runs (see
        ``clogit._fitting.binary_solver``; ``n_samples`` only for data in
        memory)."""
        return _fitting.binary_solver(self._solver_name(), objective,
                                      n_features, sparse, n_samples)

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
            sample_weight: ArrayLike | None = None, *,
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
        LogisticRegression
            The fitted estimator (``self``).

        See Also
        --------
        predict_proba : The fitted probabilities.
        summary : The fit's inference.
        """
        objective = self._validate_params()
        cov_type = check_cov_type(self.cov_type)
        target_name = _target_name(y)
        if _plain_fit_input(X, y):
            # what validate_data would do to these (its checks cannot
            # fail on them), without its ~0.5 ms
            assert isinstance(X, np.ndarray)
            self.n_features_in_ = X.shape[1]
            if hasattr(self, "feature_names_in_"):
                del self.feature_names_in_
        else:
            # finiteness is checked with |X|^2 below: one pass for both
            X, y = validate_data(self, X, y, accept_sparse=["csr", "csc"],
                                 dtype=[np.float64, np.float32],
                                 y_numeric=False, ensure_all_finite=False)
            check_classification_targets(y)
        X = as_blas_matrix(X)
        log2_norm2 = log2_squared_norm(X)
        if log2_norm2 is None:
            assert_all_finite(X, input_name="X")
        classes, y_encoded = encode_labels(y)
        if len(classes) < 2:
            raise ValueError(
                "This solver needs samples of at least 2 classes in the data, "
                f"but the data contains only one class: {classes[0]!r}.")
        weights = check_sample_weight(sample_weight, X.shape[0])
        if self.penalty == "firth" and self.C != 1.0:
            weights = weights * float(self.C)  # C as a frequency weight
        clusters = check_groups(groups, X.shape[0], weights, cov_type)
        # weights whose sums would overflow: divided by a power of two
        # (clogit._scaling; C compensates)
        weights, weight_shift = normalize_weights(weights)
        columns = None
        # (Firth's penalty needs det I > 0: a zero column is its error)
        if not (objective.l1 or objective.l2 or objective.firth):
            columns = self._identified_columns(X, weights)
            if columns is not None:
                X = X[:, columns]
        data = InMemoryData(X, y_encoded, weights, classes,
                            None if clusters is None else clusters.codes)
        data.weight_shift, data.log2_norm2 = weight_shift, log2_norm2
        self._target_name = target_name
        if hasattr(self, "formula_"):
            del self.formula_  # clogit.logit sets it again after its fit
        with single_threaded_blas():
            return self._fit_data(
                data, objective,
                self._solver_for(objective, X.shape[1], data.sparse,
                                 X.shape[0]),
                clusters, columns=columns)

    def _identified_columns(self, X, sample_weight):
        """Without a penalty, a column that is 0 on every sample of positive
        weight has no identified coefficient and makes Newton's Hessian
        singular, and the ridge that factors it then also damps every other
        weakly scaled feature (a feature scaled by 1e-12 would be left at
        0).  Such columns are left out of the fit (coefficient 0, with a
        LinAlgWarning); returns the columns kept, or None for all."""
        keep = nonzero_columns(X, sample_weight)
        if keep.all() or not keep.any():
            return None
        names = getattr(self, "feature_names_in_", None)
        dropped = [str(names[j]) if names is not None else f"x{j}"
                   for j in np.flatnonzero(~keep)]
        shown = ", ".join(dropped[:10]) + (
            f" and {len(dropped) - 10} more" if len(dropped) > 10 else "")
        warnings.warn(
            f"feature{'s' if len(dropped) > 1 else ''} {shown} "
            f"{'are' if len(dropped) > 1 else 'is'} 0 on every sample of "
            "positive weight: without a penalty the coefficient is not "
            "identified (the Hessian is singular). Left out of the fit, "
            "with coefficient 0 and standard errors undefined (nan).",
            LinAlgWarning, stacklevel=3)
        return np.flatnonzero(keep)

    def _settings(self, objective, n_problems, clusters=None):
        """The fitting plan's view of the parameters."""
        return _fitting.Settings(
            objective=objective, fit_intercept=self.fit_intercept,
            tol=self.tol, max_iter=self.max_iter, verbose=self.verbose,
            class_weight=self.class_weight,
            penalty=self._penalty_in_effect(),
            n_threads=self._n_threads(n_problems),
            feature_names=getattr(self, "feature_names_in_", None),
            cov_type=self.cov_type, clusters=clusters)

    def _fit_data(self, data, objective, solver, clusters=None,
                  columns=None):
        """Run the fitting plan on ``data`` (a ``FitData`` of any backend)
        with the binary ``solver`` (and the ``cov_type="cluster"``
        ``clusters``); sets the fitted attributes.

        ``columns``: ``data`` holds only these columns of X (the others are
        0 on every sample of positive weight); their coefficients are 0.
        """
        n_classes, n_features = len(data.classes), data.n_features
        solver_name = self._solver_name()
        multinomial = _fitting.is_multinomial(self.multi_class, solver_name,
                                              objective, n_classes)
        n_problems = 1 if multinomial or n_classes == 2 else n_classes
        settings = self._settings(objective, n_problems, clusters)
        if columns is not None:
            names = settings.feature_names
            if names is None:
                names = [f"x{j}" for j in range(self.n_features_in_)]
            settings.feature_names = np.asarray(names, dtype=object)[columns]
        if multinomial:
            solve = _fitting.multinomial_solver(
                solver_name, objective, n_classes, n_features,
                self.fit_intercept)
            fitted = _fitting.fit_multinomial(
                data, settings, solve,
                self._warm_start_multinomial(n_classes, n_features))
        else:
            settings.tol = _fitting.binary_tol(solver_name, solver,
                                               objective, n_features,
                                               settings.tol)
            fitted = _fitting.fit_binary(
                data, settings, solver,
                self._warm_start_coef(n_problems, n_features))
        if columns is not None:
            fitted = _fitting.restore_columns(fitted, columns,
                                              self.n_features_in_)
        return self._set_fitted(fitted, data.X.dtype)

    def _set_fitted(self, fitted, dtype=np.float64):
        """Copy a :class:`clogit._fitting.FittedModel` into the fitted
        attributes; ``coef_`` and ``intercept_`` of X's ``dtype`` (float32
        X gives float32 coefficients, computed in float64, as
        scikit-learn's)."""
        dtype = np.float32 if dtype == np.float32 else np.float64
        self.classes_ = fitted.classes
        self.coef_ = fitted.coef_.astype(dtype, copy=False)
        self.intercept_ = fitted.intercept_.astype(dtype, copy=False)
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
            return self._coef_with_intercept()
        return None

    def _warm_start_coef(self, n_problems, n_features):
        """Previous coefficients (intercept last) when warm starting."""
        if not self.warm_start or not hasattr(self, "coef_"):
            return None
        if self.coef_.shape != (n_problems, n_features):
            return None
        return self._coef_with_intercept()

    def _dense_coef(self):
        """``coef_`` as a dense float64 array (it may have been
        sparsified, or be float32)."""
        coef = self.coef_
        if sp.issparse(coef):
            coef = coef.toarray()
        return np.asarray(coef, dtype=np.float64)

    def _coef_with_intercept(self):
        """Fitted coefficients (float64, intercepts last when fitted):
        a warm start."""
        coef = self._dense_coef()
        if self.fit_intercept:
            return np.hstack([coef, np.asarray(self.intercept_,
                                               dtype=np.float64)[:, None]])
        return coef.copy()

    # ------------------------------------------------------------------
    # sparse coefficients (scikit-learn's SparseCoefMixin)
    # ------------------------------------------------------------------
    def sparsify(self) -> LogisticRegression:
        """Convert ``coef_`` to a scipy.sparse CSR matrix.

        Worth it when most coefficients are zero (an l1 fit): predictions
        then cost one sparse product.  :meth:`densify` converts back.

        Returns
        -------
        LogisticRegression
            The fitted estimator (``self``).

        See Also
        --------
        densify : Back to a dense ``coef_``.
        """
        check_is_fitted(self)
        if not sp.issparse(self.coef_):
            self.coef_ = sp.csr_matrix(self.coef_)
        return self

    def densify(self) -> LogisticRegression:
        """Convert ``coef_`` back to a dense ndarray (the default).

        Returns
        -------
        LogisticRegression
            The fitted estimator (``self``).

        See Also
        --------
        sparsify : A sparse ``coef_``.
        """
        check_is_fitted(self)
        if sp.issparse(self.coef_):
            self.coef_ = self.coef_.toarray()
        return self

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
        ndarray of shape (n_samples,) or (n_samples, n_classes)
            The scores: for two classes one per sample, that of
            ``classes_[1]``; else one per class.

        See Also
        --------
        predict_proba : The scores mapped to probabilities.
        """
        if "coef_" not in self.__dict__:
            # (scikit-learn's test walks every attribute: 11 us of a
            # one-row predict_proba's 54; a fitted model has coef_)
            check_is_fitted(self)
        design = getattr(self, "formula_", None)
        if design is not None:
            X = design.transform(X)  # its columns are the fitted ones
            # (transforms such as log may give inf on raw data)
            assert_all_finite(X, input_name="the design matrix of X")
        elif not self._plain_input(X):
            with np.errstate(over="ignore", invalid="ignore"):
                # (scikit-learn's finiteness test sums X: huge finite values
                # overflow there, harmlessly)
                X = validate_data(self, X, accept_sparse=["csr", "csc"],
                                  dtype=[np.float64, np.float32], reset=False)
        X = as_blas_matrix(X)
        coef = self._dense_coef()
        intercept = np.asarray(self.intercept_, dtype=np.float64)
        n_problems = coef.shape[0]
        with np.errstate(all="ignore"):  # overflow is repaired below
            if X.dtype == np.float64 and not sp.issparse(X):
                scores = X @ coef.T + intercept
            else:
                # float32 or sparse X: float64 products by the kernels, no
                # upcast copy of X (scipy's sparse X @ coef would copy
                # float32 values)
                scores = np.empty((X.shape[0], n_problems))
                column = np.empty(X.shape[0])
                for k in range(n_problems):
                    coef_k = np.append(coef[k], intercept[k])
                    if sp.issparse(X):
                        matvec(X, coef_k, True, column)
                    else:
                        _binomial.matvec(X, coef_k, True, column)
                    scores[:, k] = column
        # finite X and coefficients give a non-finite score only when a
        # product or a partial sum overflowed: those rows again, scaled
        overflowed = ~np.isfinite(scores).all(axis=1)
        if overflowed.any():
            rows = np.flatnonzero(overflowed)
            scores[rows] = _scaled_scores(X[rows], coef, intercept)
        return scores.ravel() if n_problems == 1 else scores

    def _plain_input(self, X):
        """Whether X is a plain float ndarray that ``validate_data`` would
        return unchanged: 2-D float64/float32, at least one row, as many
        columns as the fit's, finite, for a model fitted without feature
        names (which warns on X without them).  Prediction skips the
        validation then: on one row it cost about 100 us of 130.  Anything
        else (and any error) goes through ``validate_data``, for
        scikit-learn's messages."""
        return (type(X) is np.ndarray and X.ndim == 2
                and X.dtype in (np.float64, np.float32)
                and X.shape[0] >= 1
                and X.shape[1] == getattr(self, "n_features_in_", -1)
                and not hasattr(self, "feature_names_in_")
                and bool(np.isfinite(X).all()))

    def predict(self, X: MatrixLike) -> np.ndarray:
        """Predicted class labels.

        Parameters
        ----------
        X : {array_like, sparse matrix} of shape (n_samples, n_features)
            The samples, as :meth:`decision_function` takes them (a
            formula fit: the raw data).

        Returns
        -------
        ndarray of shape (n_samples,)
            The most probable class of every sample (for two classes,
            ``classes_[1]`` where the score is positive).

        See Also
        --------
        predict_proba : The probabilities of every class.
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
        X : {array_like, sparse matrix} of shape (n_samples, n_features)
            The samples, as :meth:`decision_function` takes them (a
            formula fit: the raw data).

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            The probability of every class (columns in the order of
            ``classes_``); each row sums to one.

        See Also
        --------
        predict_log_proba : Their logarithms, computed stably.
        clogit.LogitResults.get_prediction : With standard errors and
            intervals.
        """
        scores = _finite_scores(self.decision_function(X))
        if scores.ndim == 1:
            # sigmoid(-z) rather than 1 - sigmoid(z): full precision near 0
            return np.column_stack([sigmoid(-scores), sigmoid(scores)])
        if self._multinomial:
            return np.exp(_log_softmax(scores))
        # One-vs-Rest: sigmoid(z_k) / sum_l sigmoid(z_l), normalized in
        # logs: with every score below about -745 each sigmoid underflows
        # to 0, and the plain quotient would be 0/0.
        return np.exp(_log_softmax(log_sigmoid(scores)))

    def predict_log_proba(self, X: MatrixLike) -> np.ndarray:
        """Logarithm of :meth:`predict_proba`, computed stably.

        Parameters
        ----------
        X : {array_like, sparse matrix} of shape (n_samples, n_features)
            The samples, as :meth:`decision_function` takes them (a
            formula fit: the raw data).

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            The log-probability of every class (columns in the order of
            ``classes_``), finite where the probability underflows.

        See Also
        --------
        predict_proba : The probabilities.
        """
        scores = _finite_scores(self.decision_function(X))
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
            Where to write: a file name (overwritten) or an open file.

        Returns
        -------
        None
            The file is written atomically: on error, nothing changes.

        See Also
        --------
        clogit.load : Read the model back.
        """
        _model_files.save(self, path)


def load(path: PathOrFile) -> LogisticRegression:
    """Read a model written by ``LogisticRegression.save``.

    Only JSON is parsed and every field is checked; no code from the file
    is ever executed.

    Parameters
    ----------
    path : str, path-like or readable file object (text or binary)
        The file written by ``save`` (a file name or an open file).

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

    See Also
    --------
    LogisticRegression.save : Write a model file.
    """
    return _model_files.load(path, LogisticRegression)
