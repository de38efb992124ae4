"""``clogit.regularization_path`` and ``clogit.l1_min_c``, and the plumbing
both share with ``clogit.LogisticRegressionCV``: which solver a path runs
(:func:`path_plan`) and the paths of every problem of a data set -- the
binary problem, each One-vs-Rest class, or the multinomial one -- on the
full data or on cross-validation folds, in threads (:func:`run_paths`).

The path algorithm itself (warm starts, strong-rule screening, the reused
Newton pass) is ``clogit._solvers.path``.

Folds share X.  A fold's problem is the full data with the held-out rows'
weights set to zero, never a copy of ``X[train]``: a zero weight removes a
row from the objective, its gradient and Hessian exactly, and every fold
(and class, and l1_ratio) runs on the same arrays (though each path's
kernels still make their own CSC copy of sparse X when coordinate descent
needs one, on its first wide working set).  The cost is that every pass
still reads the held-out rows.  Measured here (2 loaded cores, one
gradient pass plus ``X.T r``, 20% of the rows held out): dense 20,000 x 400
96 ms with zero weights against 48 ms on a contiguous row view of a
row-permuted copy of X (the copy: 219 ms, once); CSR 20,000 x 5,000 text
7.3 ms against 2.3 ms (copy 15 ms).  So binary folds run on the
row-view layout (:func:`_fold_layout`, :class:`_FoldKernels`): one
row-permuted copy of X shared by all folds (one extra X in memory), each
training set two slices of it and the passes over those slices only; on
bench/cv.py's dense 10,000 x 400 task the 5-fold paths took 11-12 s
instead of 14-17 s (loaded machine).  Zero weights on X itself remain for
multinomial paths, CSC X and folds whose held-out sets overlap.
"""

from __future__ import annotations

import numbers
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_array, check_consistent_length

from . import _fitting
from ._backends.memory import (BinomialKernels, SoftmaxKernels,
                               row_chunks)
from ._backends.threads import (available_cores, map_in_threads,
                                single_threaded_blas)
from ._solvers.multinomial import lbfgs_multinomial, newton_multinomial
from ._solvers.path import PathResult, binary_path, multinomial_path
from ._solvers.prox_multinomial import prox_newton_multinomial
from ._typing import ArrayLike, ClassWeight, MatrixLike, MultiClass, Solver
from ._validation import as_blas_matrix, check_sample_weight

_PATH_PENALTIES = ("l2", "l1", "elasticnet")
_MULTINOMIAL_KIND: dict[Any, str] = {newton_multinomial: "newton",
                     lbfgs_multinomial: "lbfgs",
                     prox_newton_multinomial: "prox_newton"}


def grid_of_Cs(Cs, name="Cs"):
    """``Cs`` as a float64 grid: an integer n means ``np.logspace(-4, 4, n)``
    (scikit-learn's grid), else the values given (positive; ``np.inf`` is no
    penalty), in their order."""
    if isinstance(Cs, numbers.Integral) and not isinstance(Cs, bool):
        if Cs < 1:
            raise ValueError(f"{name} must be a positive integer or a "
                             f"sequence of positive floats, got {Cs!r}.")
        return np.logspace(-4, 4, int(Cs))
    try:
        grid = np.asarray(Cs, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a positive integer or a sequence of "
                         f"positive floats, got {Cs!r}.") from None
    if grid.ndim != 1 or grid.shape[0] == 0 or np.isnan(grid).any() or (
            grid <= 0).any():
        raise ValueError(f"{name} must be a positive integer or a non-empty "
                         "sequence of positive floats (np.inf for no "
                         f"penalty), got {Cs!r}.")
    return grid


def penalty_weights(penalty, l1_ratio):
    """``(l1, l2)`` of ``l1 |w|_1 + l2/2 |w|^2`` for a path's penalty."""
    if penalty == "l2":
        return 0.0, 1.0
    if penalty == "l1":
        return 1.0, 0.0
    ratio = float(l1_ratio)
    return ratio, 1.0 - ratio


@dataclass
class PathPlan:
    """How the paths of one data set run.

    Attributes
    ----------
    multinomial : bool
        Softmax model (else binary / One-vs-Rest problems).
    solver : str
        ``clogit._solvers.path.BINARY_SOLVERS`` or ``MULTINOMIAL_SOLVERS``.
    l1, l2 : float
        Penalty weights.
    fit_intercept : bool
    tol : float
    max_iter : int
    """

    multinomial: bool
    solver: str
    l1: float
    l2: float
    fit_intercept: bool
    tol: float
    max_iter: int


def path_plan(*, solver, multi_class, l1, l2, n_classes, n_features, sparse,
              fit_intercept, tol, max_iter):
    """The :class:`PathPlan` for the estimator's parameters: the solvers
    ``clogit.LogisticRegression`` would choose (``clogit._fitting``)."""
    objective = _fitting.Objective(C=1.0, l1=l1, l2=l2)
    multinomial = _fitting.is_multinomial(multi_class, solver, objective,
                                          n_classes)
    if multinomial:
        solve = _fitting.multinomial_solver(solver, objective, n_classes,
                                            n_features, fit_intercept)
        kind = _MULTINOMIAL_KIND[solve.func]
    else:
        kind = _fitting.binary_solver(solver, objective, n_features, sparse)
    return PathPlan(multinomial=multinomial, solver=kind, l1=l1, l2=l2,
                    fit_intercept=fit_intercept, tol=tol, max_iter=max_iter)


@dataclass
class ProblemData:
    """One data set as the paths see it.

    Attributes
    ----------
    X : ndarray or sparse matrix
        Validated (``as_blas_matrix``).
    y_encoded : ndarray of int
        Class indices.
    sample_weight : ndarray of float64
    classes : ndarray
    class_weight : None, "balanced" or dict
        Applied to every problem with the class totals of the *whole* data
        (as scikit-learn's LogisticRegressionCV computes "balanced" once,
        on all of y, for every fold).
    """

    X: Any
    y_encoded: np.ndarray
    sample_weight: np.ndarray
    classes: np.ndarray
    class_weight: Any = None

    @property
    def totals(self):
        return np.bincount(self.y_encoded, weights=self.sample_weight,
                           minlength=len(self.classes)).astype(np.float64)

    def problem_weights(self, positive, n_problems):
        """Sample weights of problem ``positive`` (class weights applied)."""
        table = _fitting.problem_class_weights(
            self.class_weight, self.classes, self.totals, positive,
            n_problems)
        if table is None:
            return self.sample_weight
        return self.sample_weight * table[self.y_encoded]

    def multinomial_weights(self):
        table = _fitting.class_weight_table(self.class_weight, self.classes,
                                            self.totals)
        if table is None:
            return self.sample_weight
        return self.sample_weight * table[self.y_encoded]


class _FoldKernels(BinomialKernels):
    """A fold's binary kernels on the row-permuted X all folds share
    (:func:`_fold_layout`): its passes run over its training rows only,
    two slices of that X, split into as many chunks as the whole X would
    be; the held-out rows, weight zero, are never read.

    Per-sample buffers start at zero: the passes leave the held-out rows'
    entries alone, and whatever reads all rows (``residual.sum()``, the
    objective along a line) then sees zero residuals and zero weights.
    """

    def __init__(self, X, y, sample_weight, fit_intercept, train):
        super().__init__(X, y, sample_weight, 1.0, fit_intercept)
        sizes = np.array([b - a for a, b in train])
        bounds = np.linspace(0, sizes.sum(), len(self.chunks) + 1)
        bounds = bounds.astype(np.intp)
        ends = np.cumsum(sizes)
        chunks = []
        for lo, hi in zip(bounds[:-1], bounds[1:]):
            # train-row positions [lo, hi) as slices of the permuted X
            for (a, _), end, size in zip(train, ends, sizes):
                start = end - size
                first, last = max(lo, start), min(hi, end)
                if first < last:
                    chunks.append(slice(a + first - start, a + last - start))
        self.chunks = chunks or [slice(0, 0)]
        # (the parent's Hessian chunks span all rows: here, the same
        # training slices; X spans several chunks already)
        self.hessian_chunks = self.chunks

    def new_scores(self):
        return np.zeros(self.n_samples)


def _fold_layout(X, masks):
    """One row-permuted copy of X for all folds: the held-out rows of each
    fold in turn, then the rows no fold holds out, so that each fold's
    training rows are (at most) two slices of it.  Returns ``(order,
    permuted X, per fold the list of (start, stop) training slices)``, or
    None where it does not apply: held-out sets that overlap, CSC X (its
    kernels run on all rows), X that fits one chunk, or training rows that are not the
    complement of the held-out ones.
    """
    if sp.issparse(X) and X.format != "csr":
        return None
    if len(row_chunks(X, X.shape[1])) < 2:
        # X small enough for one chunk: a pass costs less than handing
        # two slices to the pool (breast_cancer's l1 path + CV took 1.2 s
        # on the layout, 0.6 s on zero weights)
        return None
    n = X.shape[0]
    held = [np.flatnonzero(mask == 0.0) for mask in masks]
    times_held = np.zeros(n, dtype=np.intp)
    for rows in held:
        times_held[rows] += 1
    if times_held.max(initial=0) > 1 or any(
            not np.all((mask == 0.0) | (mask == 1.0)) for mask in masks):
        return None
    order = np.concatenate(held + [np.flatnonzero(times_held == 0)])
    stops = np.cumsum([rows.shape[0] for rows in held])
    slices = []
    for stop, rows in zip(stops, held):
        start = stop - rows.shape[0]
        slices.append([(a, b) for a, b in ((0, start), (stop, n)) if a < b])
    return order, X[order], slices


def run_paths(data, plan, Cs, *, train_masks=None, n_threads=1):
    """The paths of every problem of ``data``, on every fold.

    Parameters
    ----------
    data : ProblemData
    plan : PathPlan or list of PathPlan
        One per penalty (a list: the l1_ratios of a cross-validation).
    Cs : ndarray of shape (n_Cs,)
    train_masks : list of bool ndarrays, optional
        Each fold's training rows (None: one "fold", all rows).
    n_threads : int
        Paths run concurrently (the kernels release the GIL).

    Returns
    -------
    list (one per fold) of lists (one per plan) of PathResult
        Coefficients (n_Cs, n_problems, n_coef): one problem for a binary
        fit, one per class for One-vs-Rest and multinomial fits.
    """
    plans = plan if isinstance(plan, list) else [plan]
    masks = [None] if train_masks is None else list(train_masks)
    n_classes = len(data.classes)
    tasks = []
    for f, mask in enumerate(masks):
        for q, each in enumerate(plans):
            if each.multinomial:
                tasks.append((f, q, None, each, mask))
            else:
                n_problems = 1 if n_classes == 2 else n_classes
                for k in range(n_problems):
                    tasks.append((f, q, k, each, mask))

    # binary folds run on one row-permuted X, each over its training rows
    # only (module docstring); multinomial ones on zero weights
    layout = None
    if train_masks is not None and not all(each.multinomial
                                           for each in plans):
        layout = _fold_layout(data.X, masks)

    def run(task):
        f, q, k, each, mask = task
        if each.multinomial:
            weights = data.multinomial_weights()
            if mask is not None:
                weights = weights * mask
            kernels = SoftmaxKernels(data.X, data.y_encoded.astype(np.int32),
                                     weights, 1.0, each.fit_intercept,
                                     n_classes)
            return multinomial_path(kernels, Cs, solver=each.solver,
                                    l1=each.l1, l2=each.l2, tol=each.tol,
                                    max_iter=each.max_iter)
        n_problems = 1 if n_classes == 2 else n_classes
        positive = 1 if n_problems == 1 else k
        weights = data.problem_weights(positive, n_problems)
        if mask is not None:
            weights = weights * mask
        y = (data.y_encoded == positive).astype(np.float64)
        if layout is not None:
            order, X_folds, slices = layout
            kernels = _FoldKernels(X_folds, y[order], weights[order],
                                   each.fit_intercept, slices[f])
        else:
            kernels = BinomialKernels(data.X, y, weights, 1.0,
                                      each.fit_intercept)
        label = ("" if n_problems == 1
                 else f"[class {data.classes.tolist()[k]!r}] ")
        return binary_path(kernels, Cs, solver=each.solver, l1=each.l1,
                           l2=each.l2, tol=each.tol, max_iter=each.max_iter,
                           label=label)

    with single_threaded_blas():
        results = map_in_threads(run, tasks, max(1, min(n_threads,
                                                        len(tasks))))
    grouped: dict = {}
    for (f, q, k, each, _), result in zip(tasks, results):
        grouped.setdefault((f, q), []).append(result)
    out = []
    for f in range(len(masks)):
        row = []
        for q in range(len(plans)):
            parts = grouped[(f, q)]
            if len(parts) == 1 and parts[0].coefs.ndim == 3:
                row.append(parts[0])
                continue
            row.append(PathResult(
                coefs=np.stack([part.coefs for part in parts], axis=1),
                n_iter=np.stack([part.n_iter for part in parts]),
                converged=np.all([part.converged for part in parts], axis=0),
                max_abs_grad=np.max([part.max_abs_grad for part in parts],
                                    axis=0)))
        out.append(row)
    return out


def warn_path_not_converged(result, Cs, where, stacklevel=3):
    """One ConvergenceWarning for the points of a path that stopped short,
    naming the solver's test, the worst figure and the Cs."""
    failed = ~result.converged
    if not failed.any():
        return
    bad = Cs[failed]
    warnings.warn(
        f"{where}the path solver did not converge at {int(failed.sum())} of "
        f"{len(Cs)} values of C (C = "
        f"{', '.join(f'{c:.3g}' for c in bad[:5])}"
        f"{', ...' if bad.shape[0] > 5 else ''}): the largest scaled "
        "gradient / KKT violation was "
        f"{float(np.max(np.atleast_2d(result.max_abs_grad)[..., failed])):.3g}"
        " (tol applies to it). Increase max_iter, scale the features, or "
        "drop the smallest penalties (largest C).",
        ConvergenceWarning, stacklevel=stacklevel)


def threads_for(n_jobs):
    """Threads for ``n_jobs`` (None: one per core; negative: all cores + 1
    + n_jobs, as joblib).

    None means every core, where scikit-learn's None means one job: a
    path's kernels already spread each pass over every core (as BLAS
    threads would), and whole paths in threads share them better -- a
    pass split in row chunks waits for its slowest chunk, a path does not.
    Measured here (2-core Intel Xeon, bench/cv.py's tasks, 5 folds, 100 C
    unless said; one thread for the folds -> one per core): the text task
    (20,000 x 5,000 CSR, l1) 44.6 -> 32.2 s, dense 10,000 x 400 l1 3.42 ->
    2.86 s, breast_cancer l1 87 -> 63 ms and l2 (20 C) 29 -> 21 ms.  The
    coefficients are the same for any n_jobs: a pass's row chunks are set
    by the data and the core count, and summed in their order, whichever
    thread runs them."""
    if n_jobs is None:
        return available_cores()
    if n_jobs < 0:
        return max(available_cores() + 1 + n_jobs, 1)
    return int(n_jobs)


# ----------------------------------------------------------------------
# public functions
# ----------------------------------------------------------------------
def _check_inputs(X, y, sample_weight):
    """Validated ``(X, classes, y_encoded, sample_weight)``."""
    X = check_array(X, accept_sparse=["csr", "csc"],
                    dtype=[np.float64, np.float32])
    X = as_blas_matrix(X)
    y = check_array(y, ensure_2d=False, dtype=None)
    check_consistent_length(X, y)
    check_classification_targets(y)
    classes, y_encoded = np.unique(y, return_inverse=True)
    if len(classes) < 2:
        raise ValueError(
            "A path needs samples of at least 2 classes in the data, but "
            f"the data contains only one class: {classes[0]!r}.")
    sample_weight = check_sample_weight(sample_weight, X.shape[0])
    return X, classes, y_encoded.astype(np.intp), sample_weight


@dataclass
class RegularizationPath:
    """What :func:`clogit.regularization_path` returns.

    Each parameter is the attribute of the same name.

    Parameters
    ----------
    Cs : ndarray of shape (n_Cs,)
        The grid, in the order given.
    coefs : ndarray of shape (n_Cs, n_features) or (n_Cs, n_classes, n_features)
        Coefficients at each C (one row per class for One-vs-Rest and
        multinomial fits).
    intercepts : ndarray of shape (n_Cs,) or (n_Cs, n_classes)
        Intercepts (zeros when ``fit_intercept=False``).
    n_iter : ndarray of shape (n_Cs,) or (n_Cs, n_classes), int32
        Solver iterations at each C (0 when the previous point's solution
        was already optimal, as below ``l1_min_c``).
    converged : ndarray of shape (n_Cs,), bool
        Whether each point met the tolerance (every class).
    classes : ndarray of shape (n_classes,)
        The class labels, sorted.
    penalty : str
        The penalty of the path ("l1", "l2" or "elasticnet").
    l1_ratio : float or None
        The elastic-net mixing weight (None for "l1" and "l2").
    multinomial : bool
        Whether the softmax model was fitted.

    See Also
    --------
    clogit.plot.plot_path : Draw the coefficients against C.
    """

    Cs: np.ndarray
    coefs: np.ndarray
    intercepts: np.ndarray
    n_iter: np.ndarray
    converged: np.ndarray
    classes: np.ndarray
    penalty: str
    l1_ratio: float | None
    multinomial: bool


def _check_path_params(penalty, l1_ratio, solver, multi_class, tol, max_iter,
                       fit_intercept):
    if penalty not in _PATH_PENALTIES:
        raise ValueError("penalty must be 'l2', 'l1' or 'elasticnet' for a "
                         f"regularization path, got {penalty!r}.")
    if penalty == "elasticnet":
        if (l1_ratio is None or not isinstance(l1_ratio, numbers.Real)
                or isinstance(l1_ratio, bool) or not 0 <= l1_ratio <= 1):
            raise ValueError("penalty='elasticnet' needs l1_ratio, a number "
                             f"in [0, 1], got {l1_ratio!r}.")
    elif l1_ratio is not None:
        raise ValueError(f"l1_ratio is only used with penalty='elasticnet'; "
                         f"got l1_ratio={l1_ratio!r} with "
                         f"penalty={penalty!r}.")
    if solver not in ("auto", "newton", "lbfgs", "gd"):
        raise ValueError("solver must be one of 'auto', 'newton', 'lbfgs', "
                         f"'gd', got {solver!r}.")
    if solver == "lbfgs" and penalty != "l2":
        raise ValueError(f"solver='lbfgs' supports penalty 'l2', got "
                         f"penalty={penalty!r}; use solver='auto' or "
                         "'newton' (proximal Newton) for l1/elasticnet.")
    if multi_class not in ("auto", "ovr", "multinomial"):
        raise ValueError("multi_class must be one of 'auto', 'ovr', "
                         f"'multinomial', got {multi_class!r}.")
    if (not isinstance(tol, numbers.Real) or isinstance(tol, bool)
            or not np.isfinite(tol) or tol <= 0):
        raise ValueError(f"tol must be a positive number, got {tol!r}.")
    if (not isinstance(max_iter, numbers.Integral)
            or isinstance(max_iter, bool) or max_iter < 1):
        raise ValueError(
            f"max_iter must be a positive integer, got {max_iter!r}.")
    if not isinstance(fit_intercept, (bool, np.bool_)):
        raise ValueError(f"fit_intercept must be a bool, got "
                         f"{fit_intercept!r}.")


def regularization_path(
    X: MatrixLike,
    y: ArrayLike,
    Cs: int | ArrayLike = 100,
    penalty: str = "l1",
    l1_ratio: float | None = None,
    *,
    fit_intercept: bool = True,
    sample_weight: ArrayLike | None = None,
    class_weight: ClassWeight = None,
    multi_class: MultiClass = "auto",
    solver: Solver = "auto",
    tol: float = 1e-6,
    max_iter: int = 100,
    n_jobs: int | None = None,
) -> RegularizationPath:
    """Compute the penalized logistic model's coefficients along a grid of C.

    Each point minimizes ``C * sum_i s_i loss_i + R(w)`` (the objective of
    :class:`clogit.LogisticRegression`, intercept unpenalized) and equals a
    ``LogisticRegression(C=C, penalty=penalty, l1_ratio=l1_ratio,
    tol=tol)`` fit to within ``tol``.  The path runs from the strongest
    penalty (smallest C) to the weakest, each point warm started from the
    previous one; l1 and elastic-net points screen features with the
    sequential strong rule and accept a point only when the KKT conditions
    hold on every feature; l2 Newton points reuse the previous point's last
    pass over X.

    Parameters
    ----------
    X : {array_like, sparse matrix} of shape (n_samples, n_features)
        Dense float64/float32 or scipy.sparse CSR/CSC.
    y : array_like of shape (n_samples,)
        Labels (two or more classes).
    Cs : int or array_like of shape (n_Cs,), default=100
        The grid: an integer n means ``np.logspace(-4, 4, n)`` (as
        scikit-learn); otherwise positive values (``np.inf`` for no
        penalty), returned in the order given.
    penalty : {"l1", "l2", "elasticnet"}, default="l1"
        The penalty, as :class:`clogit.LogisticRegression`'s.
    l1_ratio : float in [0, 1] or None, default=None
        Mixing weight for ``penalty="elasticnet"`` (required there).
    fit_intercept : bool, default=True
        Whether to fit an (unpenalized) intercept.
    sample_weight : array_like of shape (n_samples,), default=None
        Non-negative frequency weights.
    class_weight : dict, "balanced" or None, default=None
        As :class:`clogit.LogisticRegression`.
    multi_class : {"auto", "ovr", "multinomial"}, default="auto"
        As :class:`clogit.LogisticRegression` ("auto": multinomial for
        l2, One-vs-Rest for l1/elasticnet, with three or more classes).
    solver : {"auto", "newton", "lbfgs", "gd"}, default="auto"
        As :class:`clogit.LogisticRegression`.
    tol : float, default=1e-6
        Each point's stopping test (the estimator's).
    max_iter : int, default=100
        Most solver iterations per point.
    n_jobs : int or None, default=None
        One-vs-Rest classes run in that many threads (None: one per core;
        the coefficients are the same for any n_jobs).

    Returns
    -------
    RegularizationPath
        ``Cs``, ``coefs`` (n_Cs, n_features) for two classes, else
        (n_Cs, n_classes, n_features), ``intercepts`` likewise without the
        feature axis, ``n_iter`` and ``converged`` per point.

    See Also
    --------
    l1_min_c : Where an l1 path starts to be nonzero.
    LogisticRegressionCV : Choose C on the path by cross-validation.
    clogit.plot.plot_path : Draw the path.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.preprocessing import StandardScaler
    >>> import clogit
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> path = clogit.regularization_path(X, y, Cs=20, penalty="l1")
    >>> path.coefs.shape
    (20, 30)
    >>> int((path.coefs[0] != 0).sum()), int((path.coefs[-1] != 0).sum()) > 0
    (0, True)
    """
    _check_path_params(penalty, l1_ratio, solver, multi_class, tol, max_iter,
                       fit_intercept)
    grid = grid_of_Cs(Cs)
    X, classes, y_encoded, weights = _check_inputs(X, y, sample_weight)
    l1, l2 = penalty_weights(penalty, l1_ratio)
    plan = path_plan(solver=solver, multi_class=multi_class, l1=l1, l2=l2,
                     n_classes=len(classes), n_features=X.shape[1],
                     sparse=sp.issparse(X), fit_intercept=fit_intercept,
                     tol=float(tol), max_iter=int(max_iter))
    data = ProblemData(X, y_encoded, weights, classes, class_weight)
    if class_weight is not None:
        _fitting.class_weight_table(class_weight, classes, data.totals)
    result = run_paths(data, plan, grid, n_threads=threads_for(n_jobs))[0][0]
    warn_path_not_converged(result, grid, "", stacklevel=2)
    p = X.shape[1]
    coefs = result.coefs  # (n_Cs, n_problems, n_coef)
    weights = coefs[..., :p]
    intercepts = (coefs[..., p] if fit_intercept
                  else np.zeros(coefs.shape[:-1]))
    n_iter = result.n_iter  # (n_problems, n_Cs), or (n_Cs,) multinomial
    if n_iter.ndim == 2:
        n_iter = n_iter[0] if n_iter.shape[0] == 1 else n_iter.T
    if weights.shape[1] == 1:
        weights, intercepts = weights[:, 0], intercepts[:, 0]
    return RegularizationPath(
        Cs=grid, coefs=np.ascontiguousarray(weights),
        intercepts=np.ascontiguousarray(intercepts),
        n_iter=np.ascontiguousarray(n_iter), converged=result.converged,
        classes=classes, penalty=penalty,
        l1_ratio=None if l1_ratio is None else float(l1_ratio),
        multinomial=plan.multinomial)


def l1_min_c(
    X: MatrixLike,
    y: ArrayLike,
    *,
    loss: str = "log",
    fit_intercept: bool = True,
    intercept_scaling: float = 1.0,
    sample_weight: ArrayLike | None = None,
) -> float:
    """The smallest C at which an l1-penalized fit has a nonzero coefficient.

    For every ``C <= l1_min_c(X, y)`` the solution of clogit's l1 objective
    ``C * sum_i s_i loss_i + |w|_1`` is ``w = 0`` (the intercept at the
    weighted log-odds); for any larger C it is not.  With the unpenalized
    intercept that boundary is exactly ``1 / max_j |sum_i s_i x_ij (ybar -
    y_i)|``, ``ybar`` the weighted mean label (1/2 without an intercept):
    the KKT condition of ``w = 0``.  With three or more classes, the
    smallest over the classes' One-vs-Rest problems -- which is also the
    multinomial model's boundary.  (scikit-learn's ``l1_min_c`` assumes
    liblinear's penalized intercept and returns a different number.)

    Parameters
    ----------
    X : {array_like, sparse matrix} of shape (n_samples, n_features)
        Dense float64/float32 or scipy.sparse CSR/CSC.
    y : array_like of shape (n_samples,)
        Labels (two or more classes).
    loss : {"log"}, default="log"
        The logistic loss (accepted for scikit-learn's signature; its
        "squared_hinge" is not a clogit model).
    fit_intercept : bool, default=True
        Whether the model has an (unpenalized) intercept.
    intercept_scaling : float, default=1.0
        Accepted for scikit-learn's signature; no effect (clogit never
        penalizes the intercept).
    sample_weight : array_like of shape (n_samples,), default=None
        Non-negative frequency weights.

    Returns
    -------
    float
        The boundary C; ``np.inf`` if every feature is zero (no C makes a
        coefficient nonzero).

    See Also
    --------
    regularization_path : The coefficients along a grid of C.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> import clogit
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> c = clogit.l1_min_c(X, y)
    >>> lower = clogit.LogisticRegression(penalty="l1", C=c * 0.99).fit(X, y)
    >>> bool((lower.coef_ == 0).all())
    True
    """
    if loss != "log":
        raise ValueError(f"loss must be 'log' (the logistic loss), got "
                         f"{loss!r}.")
    if not isinstance(fit_intercept, (bool, np.bool_)):
        raise ValueError(f"fit_intercept must be a bool, got "
                         f"{fit_intercept!r}.")
    if (not isinstance(intercept_scaling, numbers.Real)
            or isinstance(intercept_scaling, bool)
            or not intercept_scaling > 0):
        raise ValueError("intercept_scaling must be a positive number, got "
                         f"{intercept_scaling!r}.")
    X, classes, y_encoded, sample_weight = _check_inputs(X, y, sample_weight)
    total = float(sample_weight.sum())
    n_problems = 1 if len(classes) == 2 else len(classes)
    largest = 0.0
    residual = np.empty(X.shape[0])
    gradient = np.empty(X.shape[1])
    kernels = BinomialKernels(X, None, None, 1.0, False)
    for k in range(n_problems):
        positive = 1 if n_problems == 1 else k
        labels = (y_encoded == positive).astype(np.float64)
        mean = float(sample_weight @ labels) / total if fit_intercept else 0.5
        np.multiply(sample_weight, mean - labels, out=residual)
        kernels.rmatvec(residual, gradient)
        largest = max(largest, float(np.abs(gradient).max(initial=0.0)))
    return 1.0 / largest if largest > 0.0 else float("inf")
