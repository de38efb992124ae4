"""``clogit.dask.LogisticRegression``: clogit's solvers on dask arrays.

For data that outgrow one machine (SPEC §3 "Dask"): X and y are dask
arrays or dask DataFrames / Series, chunked along the rows.  The fit runs
the in-memory estimator's own solvers (Newton, proximal Newton, multinomial
Newton and L-BFGS) with the data injected as kernels that map the Cython
kernels over X's row chunks and tree-reduce their results
(``clogit._backends.dask_chunks``): the p x p Hessian and the gradient reach the
client, X never does.  It runs on dask's local scheduler by default and on
any ``dask.distributed`` cluster (the active ``Client``) unchanged.

Importing this module imports dask; ``import clogit`` does not.

A fit's dask work, in order:

1. X (as float64 or float32, all columns in one chunk, each row chunk
   contiguous), y and sample_weight are persisted on the workers: the only
   read of their source;
2. one cheap reduction over the persisted chunks checks X and the weights
   for NaN / infinity and finds the classes with their weighted totals
   (class weights, "balanced" included, and every problem's weight sums
   come from those totals);
3. per binary problem (or the multinomial problem), the solver's passes:
   binary Newton's is one distributed kernel pass per iteration (the full
   step's, evaluated before the line search; a shortened step adds
   ``X @ d`` and cheap line-search reductions that read only the persisted
   scores), L-BFGS's one objective-and-gradient pass per evaluation.

On a ``dask.distributed`` cluster a pass is one task per worker thread,
submitted as futures on the chunks that thread's worker holds
(``_backends.dask_chunks.ChunkBatches``).  The fitting plan -- problems,
class weights, solvers, warnings, inference -- is the in-memory estimator's
own (``clogit._fitting``), run on ``_backends.dask_chunks.DaskData``.

The solvers' result equals the in-memory fit on the same data up to the
order of floating-point sums (chunks, then the reduction tree), with the
same iterations.
"""

from __future__ import annotations

import numbers
from typing import Any

import dask
import dask.array as da
import numpy as np
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

from ._backends.dask_chunks import ChunkBatches, DaskData
from ._backends.threads import single_threaded_blas
from ._estimator import LogisticRegression as _InMemoryLogisticRegression
from ._fitting import NEWTON_HESSIAN_MAX_BYTES
from ._inference.covariance import (Clusters, check_clusters,
                                   check_cov_type, groups_wanted)

__all__ = ["LogisticRegression"]


# ----------------------------------------------------------------------
# chunk functions (top level: picklable for distributed workers)
# ----------------------------------------------------------------------
def _blas_chunk(X):
    """A row chunk the kernels can index without copying it per pass:
    kept when C- or F-contiguous, else copied to C order (once, when X is
    persisted)."""
    if X.flags.c_contiguous or X.flags.f_contiguous:
        return X
    return np.ascontiguousarray(X)


def _float64_chunk(v):
    """A chunk of a vector as contiguous float64 (the kernels take
    ``double[::1]``; dask's ``ones`` and rechunked pieces may be strided
    views)."""
    return np.ascontiguousarray(v, dtype=np.float64)


def _chunk_stats(index, X, y, sample_weight):
    """One row chunk's share of the first pass: ``(bad X chunks, bad weight
    chunks, negative weight chunks, labels, weighted label totals)`` (and
    nothing kept, as ``_backends.dask_chunks.run_batch`` expects)."""
    # The sum is finite for finite values unless it overflows; then look
    # closer (the sum costs no temporary the size of the chunk).
    finite = bool(np.isfinite(np.sum(X, dtype=np.float64))
                  or np.isfinite(X).all())
    if sample_weight is None:
        weights = np.ones(X.shape[0])
        bad_weights = negative = False
    else:
        weights = sample_weight
        bad_weights = not np.isfinite(weights).all()
        negative = bool(np.any(weights < 0))
    # searchsorted rather than np.unique's return_inverse, which sorts
    # again (2.8 ms against 1 ms for 100,000 labels)
    labels = np.unique(y)
    inverse = np.searchsorted(labels, y)
    totals = np.bincount(inverse, weights=weights, minlength=labels.shape[0])
    return ([] if finite else [index], [index] if bad_weights else [],
            [index] if negative else [], labels, totals), ()


def _merge_stats(*parts):
    """Combine :func:`_chunk_stats` results (labels merged, sorted)."""
    labels = np.unique(np.concatenate([part[3] for part in parts]))
    totals = np.zeros(labels.shape[0])
    for part in parts:
        np.add.at(totals, np.searchsorted(labels, part[3]), part[4])
    return (sum((part[0] for part in parts), []),
            sum((part[1] for part in parts), []),
            sum((part[2] for part in parts), []), labels, totals)


def _chunk_group_labels(groups, sample_weight):
    """One chunk's cluster labels: ``(missing?, labels, labels of rows of
    positive weight)``."""
    missing = bool(groups.dtype.kind == "f" and not np.isfinite(groups).all())
    if groups.dtype.kind == "O":
        missing = missing or any(
            v is None or (isinstance(v, float) and v != v)
            for v in groups.tolist())
    labels = np.unique(groups)
    active = (labels if sample_weight is None
              else np.unique(groups[sample_weight > 0]))
    return (missing, labels, active), ()


def _merge_group_labels(*parts):
    return (any(part[0] for part in parts),
            np.unique(np.concatenate([part[1] for part in parts])),
            np.unique(np.concatenate([part[2] for part in parts])))


def _chunk_group_codes(groups, labels):
    """One chunk's int32 cluster codes (kept on the worker)."""
    return None, (np.searchsorted(labels, groups).astype(np.int32),)


def _clusters(groups, rows, batches, s_chunks, cov_type):
    """The cluster codes of ``cov_type="cluster"`` on the workers, as
    ``_inference.covariance.check_groups`` makes them in memory:
    ``(Clusters, codes buffer)``, or ``(None, None)``."""
    if not groups_wanted(groups, cov_type):
        return None, None
    (groups,) = dask.persist(_as_aligned(groups, rows, "groups"))
    g_chunks = batches.chunks(groups)
    try:
        missing, labels, active = batches.reduce(
            _chunk_group_labels, [g_chunks, s_chunks],
            combine=_merge_group_labels)
    except TypeError:
        raise ValueError("groups labels must be mutually comparable (all "
                         "numbers or all strings).") from None
    if missing:
        raise ValueError("groups contains missing labels (None/NaN).")
    check_clusters(active.shape[0])
    codes = batches.new_buffer()
    batches.keep(_chunk_group_codes, [g_chunks], (), (codes,), (labels,),
                 summed=False)
    return Clusters(codes=None, labels=labels,
                    n_groups=int(active.shape[0])), codes


def _check_dense_hessian(n_features, what, advice):
    """Raise a ValueError saying ``what`` needs a (p+1)^2 Hessian past
    ``_NEWTON_HESSIAN_MAX_BYTES``, and the ``advice``."""
    if 8 * (n_features + 1) ** 2 > NEWTON_HESSIAN_MAX_BYTES:
        raise ValueError(
            f"{what}, which for {n_features} features would exceed "
            f"{NEWTON_HESSIAN_MAX_BYTES // 2**20} MiB; {advice}.")


def _predict_chunk(X, model, method):
    """``model.<method>(X)`` on one row chunk, ``model`` the in-memory
    estimator carrying the fitted coefficients."""
    if X.shape[0] == 0:
        # the estimator refuses empty input; an empty result of the right
        # shape and dtype from one dummy row
        return getattr(model, method)(np.zeros((1, X.shape[1]), X.dtype))[:0]
    return getattr(model, method)(X)


# ----------------------------------------------------------------------
# input conversion
# ----------------------------------------------------------------------
def _is_dask_frame(X, ndim):
    # duck-typed, so that dask.dataframe is never imported here
    return (dask.is_dask_collection(X) and hasattr(X, "to_dask_array")
            and getattr(X, "ndim", None) == ndim)


def _is_dask_dataframe(X):
    return _is_dask_frame(X, 2)


def _is_dask_series(X):
    return _is_dask_frame(X, 1)


def _feature_names(columns):
    """Column names as an object array when all are strings, else None."""
    names = list(columns)
    if names and all(isinstance(name, str) for name in names):
        return np.asarray(names, dtype=object)
    return None


def _as_dask_X(X, need_lengths):
    """X as a 2-D dask array of float64 / float32 (integers and booleans
    converted), all columns in one chunk; also its feature names."""
    names = None
    if _is_dask_dataframe(X):
        names = _feature_names(X.columns)
        kinds = {np.dtype(dtype).kind if isinstance(dtype, np.dtype)
                 else getattr(dtype, "kind", "O") for dtype in X.dtypes}
        if not kinds <= set("biuf"):
            raise ValueError(
                "X must have numeric columns only; got dtypes "
                f"{sorted(set(map(str, X.dtypes)))}.")
        if not all(isinstance(dtype, np.dtype) for dtype in X.dtypes):
            # pandas' nullable dtypes (missing values become NaN, which the
            # first pass reports)
            X = X.astype(np.float64)
        X = X.to_dask_array(lengths=True if need_lengths else None)
    elif not dask.is_dask_collection(X):
        if hasattr(X, "columns"):  # pandas DataFrame
            names = _feature_names(X.columns)
            X = X.to_numpy()
        X = np.asarray(X)
        if X.ndim == 2:
            X = da.from_array(X, chunks=("auto", -1))
    elif not isinstance(X, da.Array):
        raise TypeError(
            f"X must be a dask array or DataFrame, a numpy array or a pandas "
            f"DataFrame, got {type(X).__name__}.")
    if X.ndim != 2:
        raise ValueError(
            f"Expected a 2-D X (n_samples, n_features), got an array of "
            f"shape {X.shape}.")
    if X.dtype.kind in "biu":
        X = X.astype(np.float64)
    elif X.dtype not in (np.float64, np.float32):
        raise ValueError(
            f"X must be numeric (float64, float32, integer or bool), got "
            f"dtype {X.dtype}.")
    if X.numblocks[1] > 1:
        X = X.rechunk({1: -1})
    if need_lengths and any(np.isnan(n) for n in X.chunks[0]):
        X = X.compute_chunk_sizes()
    return X, names


def _persist_frames(*data):
    """Persist the dask DataFrames / Series among ``data`` together: the
    row counts of their partitions (needed to line the rows up) then cost
    no second read of their source."""
    frames = [i for i, v in enumerate(data)
              if _is_dask_dataframe(v) or _is_dask_series(v)]
    if not frames:
        return data
    persisted = dask.persist(*[data[i] for i in frames])
    data = list(data)
    for i, v in zip(frames, persisted):
        data[i] = v
    return tuple(data)


def _as_aligned(v, rows, name, dtype_kinds=None):
    """A 1-D vector as a dask array chunked as X's ``rows``.

    A dask vector whose chunks differ from X's is rechunked to them when
    the lengths agree; numpy input is wrapped with X's chunks.
    """
    n_samples = int(sum(rows))
    if _is_dask_series(v):
        if not isinstance(v.dtype, np.dtype):
            # pandas extension dtypes (strings, nullable integers) as numpy
            # objects, which np.unique sorts as the in-memory estimator does
            v = v.astype(object)
        v = v.to_dask_array(lengths=True)
    elif not dask.is_dask_collection(v):
        v = np.asarray(v)
    elif not isinstance(v, da.Array):
        raise TypeError(f"{name} must be a dask array or Series, or array "
                        f"like, got {type(v).__name__}.")
    if v.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got an array of shape "
                         f"{v.shape}.")
    if dtype_kinds is not None and v.dtype.kind not in dtype_kinds:
        raise TypeError(f"{name} must be numeric, got an array of dtype "
                        f"{v.dtype}.")
    if isinstance(v, da.Array) and np.isnan(v.shape[0]):
        v = v.compute_chunk_sizes()
    if v.shape[0] != n_samples:
        raise ValueError(
            f"X has {n_samples} samples but {name} has {v.shape[0]}: they "
            "must have the same length.")
    if not isinstance(v, da.Array):
        return da.from_array(v, chunks=(rows,))
    if v.chunks[0] != tuple(rows):
        # same length, other chunking: line the chunks up with X's
        v = v.rechunk((rows,))
    return v


class LogisticRegression(_InMemoryLogisticRegression):
    """Logistic regression on dask arrays, with clogit's solvers.

    The same model, parameters and solvers as
    :class:`clogit.LogisticRegression` (see there), fitted on data chunked
    along the rows: each Newton iteration maps the compiled loss / gradient
    / Hessian kernel over X's row chunks and tree-reduces the (p+1)^2
    results; the Newton step is solved on the client by the in-memory
    estimator's own solver code.  X is persisted once on the workers and
    never gathered; predictions are lazy dask arrays.  Runs on dask's local
    scheduler, or on a ``dask.distributed`` cluster when a ``Client`` is
    active.  Equal to the in-memory fit on the same data up to the order of
    floating-point sums.

    Parameters
    ----------
    penalty : {"l2", "l1", "elasticnet"} or None, default="l2"
        Regularization term, as in :class:`clogit.LogisticRegression`
        ("firth" runs in memory only and is refused here).
    C : float, default=1.0
        Inverse regularization strength, > 0; ``np.inf`` means no penalty.
    l1_ratio : float in [0, 1] or None, default=0.0
        The elastic-net mixing weight, as in
        :class:`clogit.LogisticRegression`.
    dual : bool, default=False
        Accepted for scikit-learn; ``True`` raises a ValueError.
    tol : float, default=1e-6
        The stopping test ``max|grad f| / (C * sum(sample_weight)) <=
        tol``, as in :class:`clogit.LogisticRegression`.
    fit_intercept : bool, default=True
        Whether to fit an (unpenalized) intercept.
    intercept_scaling : float, default=1.0
        Accepted for scikit-learn (must be positive); no effect.
    class_weight : dict, "balanced" or None, default=None
        Weights multiplying ``sample_weight`` by class (scikit-learn's
        semantics).
    random_state : int, RandomState, Generator or None, default=None
        Accepted for scikit-learn; no effect.
    solver : {"auto", "newton", "lbfgs", "gd"}, default="auto"
        Binary and One-vs-Rest problems: "auto" and "newton" run Newton
        (proximal Newton for "l1" / "elasticnet") up to the width whose
        dense Hessian fits in 256 MiB (5,791 features); "lbfgs" runs
        L-BFGS-B on the distributed objective and gradient (penalty "l2" or
        None; often the fastest on well-conditioned data, but without the
        Hessian that inference needs); "gd" runs (proximal) gradient
        descent with the step 1/L, L from one distributed Hessian pass.
        Multinomial problems: as the in-memory estimator.
    max_iter : int, default=100
        Most iterations per problem.
    multi_class : {"auto", "ovr", "multinomial"}, default="auto"
        How to fit three or more classes, as in
        :class:`clogit.LogisticRegression`.
    verbose : int, default=0
        If > 0, print one line per iteration.
    warm_start : bool, default=False
        Start from the previous fit's coefficients when shapes allow.
    n_jobs : int or None, default=None
        One-vs-Rest: classes fitted concurrently from this many client
        threads (their chunk tasks interleave on the scheduler).
    cov_type : {"nonrobust", "HC0", "HC1", "HC2", "HC3", "cluster"}, \
default="nonrobust"
        The covariance of the inference, as in
        :class:`clogit.LogisticRegression`.

    Attributes
    ----------
    classes_, coef_, intercept_, n_iter_, converged_, n_features_in_, \
feature_names_in_
        As in :class:`clogit.LogisticRegression` (numpy arrays).

    See Also
    --------
    clogit.LogisticRegression : The same model in memory.

    Notes
    -----
    Inference (``results_``, ``summary``, ``std_errors_``, ...) is that of
    the in-memory estimator, ``cov_type`` included (``fit(...,
    groups=...)`` for "cluster", the meat summed over the chunks on the
    workers); when it needs a pass over X (a solver that left no Hessian,
    a robust covariance) the pass runs at the end of ``fit``, since the
    fitted model keeps no reference to the cluster's data.  Unpenalized
    fits (every solver) stop with a ``SeparationWarning`` on separable
    data, as in memory.

    Examples
    --------
    >>> import dask.array as da
    >>> from clogit.dask import LogisticRegression
    >>> rng = da.random.default_rng(0)
    >>> X = rng.normal(size=(10_000, 5), chunks=(2_500, 5))
    >>> noise = rng.normal(size=10_000, chunks=2_500)
    >>> y = (X[:, 0] + X[:, 1] + noise > 0).astype(int)
    >>> clf = LogisticRegression(C=1.0).fit(X, y)
    >>> clf.predict(X[:3]).compute().shape
    (3,)
    """

    # ------------------------------------------------------------------
    # fitting
    # ------------------------------------------------------------------
    def fit(self, X: Any, y: Any, sample_weight: Any = None, *,
            groups: Any = None) -> LogisticRegression:
        """Fit the model.

        Parameters
        ----------
        X : dask array or dask DataFrame of shape (n_samples, n_features)
            Chunked along the rows (column chunks are merged); float64 or
            float32 (kept), integers and booleans converted to float64.
            numpy arrays and pandas DataFrames are wrapped.
        y : dask array or dask Series of shape (n_samples,)
            Labels of any type with at least two distinct values.  Rechunked
            to X's row chunks when they differ.
        sample_weight : dask array of shape (n_samples,), default=None
            Non-negative sample weights (numpy accepted, wrapped).
        groups : dask array or Series of shape (n_samples,), default=None
            The cluster of every sample, for ``cov_type="cluster"``
            (numpy accepted, wrapped).

        Returns
        -------
        LogisticRegression
            The fitted estimator (``self``).

        Raises
        ------
        ValueError
            NaN or infinite values in X or sample_weight, negative or
            all-zero weights, a single class, lengths of X and y that
            differ, or an option clogit.dask does not support.

        See Also
        --------
        clogit.LogisticRegression.fit : The same fit in memory.
        """
        objective = self._validate_params()
        if objective.firth:
            raise ValueError(
                "penalty='firth' runs in memory only (its leverage pass "
                "needs the rows of X): use clogit.LogisticRegression.")
        cov_type = check_cov_type(self.cov_type)
        # a (dask or pandas) Series' name; a dask array's .name is its key
        target_name = y.name if hasattr(y, "to_frame") else None
        X, y, sample_weight, groups = _persist_frames(X, y, sample_weight,
                                                      groups)
        X, names = _as_dask_X(X, need_lengths=True)
        n_samples, n_features = X.shape
        if n_samples == 0 or n_features == 0:
            raise ValueError(
                f"Found array with shape {X.shape}: at least one sample and "
                "one feature are required.")
        rows = X.chunks[0]
        y = _as_aligned(y, rows, "y")
        if sample_weight is not None:
            if isinstance(sample_weight, numbers.Number):
                sample_weight = da.full(n_samples, sample_weight,
                                        chunks=(rows,), dtype=np.float64)
            sample_weight = _as_aligned(sample_weight, rows, "sample_weight",
                                        "biuf").map_blocks(
                                            _float64_chunk, dtype=np.float64)
        X = X.map_blocks(_blas_chunk, dtype=X.dtype)

        # 1. Persist the data on the workers (the one read of its source).
        # 2. Check it and find the classes with their weighted totals: one
        #    cheap reduction over the persisted chunks (a sum per chunk of
        #    X, np.unique of y's chunks).
        X, y, *weights = dask.persist(
            X, y, *([] if sample_weight is None else [sample_weight]))
        batches = ChunkBatches(X)
        x_chunks, y_chunks = batches.chunks(X), batches.chunks(y)
        s_chunks = (batches.chunks(weights[0]) if weights
                    else [None] * len(x_chunks))
        bad_x, bad_s, negative, classes, totals = batches.reduce(
            _chunk_stats, [range(len(x_chunks)), x_chunks, y_chunks,
                           s_chunks], combine=_merge_stats)
        self._check_stats(rows, bad_x, bad_s, negative, classes, totals)

        clusters, g_codes = _clusters(groups, rows, batches, s_chunks,
                                      cov_type)

        self.n_features_in_ = n_features
        if names is not None:
            self.feature_names_in_ = names
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        self._target_name = None if target_name is None else str(target_name)

        # 3. The problems, by the in-memory estimator's fitting plan and
        #    solvers; each problem's labels and weights are made from y's and
        #    the weights' chunks by one task per batch, on the workers.
        data = DaskData(X, y_chunks, s_chunks, classes, totals, batches,
                        g_codes)
        with single_threaded_blas():
            return self._fit_data(data, objective,
                                  self._dask_solver(objective, n_features),
                                  clusters)

    @staticmethod
    def _check_stats(rows, bad_x, bad_s, negative, classes, totals):
        """Raise the ValueError of the first pass's findings, if any."""
        bounds = np.concatenate([[0], np.cumsum(rows)]).astype(int)

        def where(chunks):
            first = min(chunks)
            return (f"row chunk {first} of {len(rows)} (rows "
                    f"{bounds[first]}-{bounds[first + 1] - 1})"
                    + (f" and {len(chunks) - 1} more" if len(chunks) > 1
                       else ""))

        if bad_x:
            raise ValueError(
                f"Input X contains NaN or infinite values, in {where(bad_x)}.")
        if bad_s:
            raise ValueError("sample_weight contains NaN or infinite values, "
                             f"in {where(bad_s)}.")
        if negative:
            raise ValueError("sample_weight contains negative weights, in "
                             f"{where(negative)}; weights must be "
                             "non-negative.")
        if not totals.sum() > 0:
            raise ValueError("sample_weight sums to zero: at least one "
                             "sample needs a positive weight.")
        if classes.dtype.kind == "f" and np.isnan(classes).any():
            raise ValueError("Input y contains NaN.")
        check_classification_targets(classes)
        if len(classes) < 2:
            raise ValueError(
                "This solver needs samples of at least 2 classes in the data, "
                f"but the data contains only one class: {classes[0]!r}.")

    def _dask_solver(self, objective, n_features):
        """The binary solver: "newton", "prox_newton", "lbfgs" or "gd".

        ``_solver_for`` as in memory, except that "auto" keeps Newton past
        ``_AUTO_NEWTON_MAX_FEATURES`` while the dense Hessian fits (each
        distributed pass costs a round trip, and Newton needs the fewest).
        """
        solver = self._solver_for(objective, n_features)
        if solver in ("newton", "prox_newton"):
            return solver
        if self._solver_name() == "lbfgs":
            # one distributed objective+gradient pass an iteration, no
            # Hessian: the cheapest pass there is, on well-conditioned data
            return "lbfgs"
        if solver == "gd":
            # one distributed objective-and-gradient pass an iteration, with
            # L from one Hessian pass
            _check_dense_hessian(n_features, "clogit.dask's solver='gd' "
                                 "takes its step from the dense Hessian",
                                 "use solver='lbfgs'")
            return "gd"
        _check_dense_hessian(n_features, "clogit.dask fits binary and "
                             "One-vs-Rest problems by Newton with the dense "
                             "Hessian", "select fewer features")
        return "newton"

    def __sklearn_tags__(self):
        """scikit-learn's estimator tags: no scipy.sparse input."""
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        return tags

    # ------------------------------------------------------------------
    # prediction: lazy, one task per row chunk of X
    # ------------------------------------------------------------------
    def _in_memory_model(self):
        """An in-memory ``clogit.LogisticRegression`` with the fitted
        coefficients: what each chunk's task predicts with, so the
        probabilities are exactly the in-memory estimator's."""
        model = _InMemoryLogisticRegression(**self.get_params())
        for name in ("classes_", "coef_", "intercept_", "n_iter_",
                     "converged_", "n_features_in_", "_multinomial"):
            setattr(model, name, getattr(self, name))
        return model

    def _map_chunks(self, X, method, dtype, n_columns=None):
        check_is_fitted(self)
        X, names = _as_dask_X(X, need_lengths=False)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {X.shape[1]} features, but {type(self).__name__} is "
                f"expecting {self.n_features_in_} features as input.")
        fitted_names = getattr(self, "feature_names_in_", None)
        if (names is not None and fitted_names is not None
                and list(names) != list(fitted_names)):
            raise ValueError(
                "The feature names should match those that were passed "
                f"during fit: got {list(names)}, expected "
                f"{list(fitted_names)}.")
        token = dask.base.tokenize(X.name, method, self.coef_,
                                   self.intercept_, self.classes_,
                                   self._multinomial)
        kwargs = dict(dtype=dtype, name=f"clogit-{method}-{token}",
                      meta=np.empty((0,) * (1 if n_columns is None else 2),
                                    dtype=dtype))
        if n_columns is None:
            kwargs["drop_axis"] = 1
        else:
            kwargs["chunks"] = (X.chunks[0], (n_columns,))
        return X.map_blocks(_predict_chunk, self._in_memory_model(), method,
                            **kwargs)

    def decision_function(self, X: Any) -> Any:
        """Linear scores ``X @ coef_.T + intercept_``, lazily.

        Parameters
        ----------
        X : dask array or DataFrame of shape (n_samples, n_features)
            The samples; numpy arrays and pandas DataFrames are wrapped.

        Returns
        -------
        dask array of shape (n_samples,) or (n_samples, n_classes)
            The scores (for two classes one per sample, that of
            ``classes_[1]``), chunked as X's rows.

        See Also
        --------
        predict_proba : The scores as probabilities.
        """
        check_is_fitted(self)
        n_problems = self.coef_.shape[0]
        return self._map_chunks(X, "decision_function", np.float64,
                                None if n_problems == 1 else n_problems)

    def predict(self, X: Any) -> Any:
        """Predicted class labels, lazily.

        Parameters
        ----------
        X : dask array or DataFrame of shape (n_samples, n_features)
            The samples; numpy arrays and pandas DataFrames are wrapped.

        Returns
        -------
        dask array of shape (n_samples,)
            The most probable class of every sample, chunked as X's rows.

        See Also
        --------
        predict_proba : The probabilities of every class.
        """
        check_is_fitted(self)
        return self._map_chunks(X, "predict", self.classes_.dtype)

    def predict_proba(self, X: Any) -> Any:
        """Class probabilities, lazily.

        As :meth:`clogit.LogisticRegression.predict_proba`.

        Parameters
        ----------
        X : dask array or DataFrame of shape (n_samples, n_features)
            The samples; numpy arrays and pandas DataFrames are wrapped.

        Returns
        -------
        dask array of shape (n_samples, n_classes)
            The probability of every class (columns in the order of
            ``classes_``), chunked as X's rows.

        See Also
        --------
        predict_log_proba : Their logarithms.
        """
        check_is_fitted(self)
        return self._map_chunks(X, "predict_proba", np.float64,
                                len(self.classes_))

    def predict_log_proba(self, X: Any) -> Any:
        """Logarithm of :meth:`predict_proba`, computed stably, lazily.

        Parameters
        ----------
        X : dask array or DataFrame of shape (n_samples, n_features)
            The samples; numpy arrays and pandas DataFrames are wrapped.

        Returns
        -------
        dask array of shape (n_samples, n_classes)
            The log-probability of every class, chunked as X's rows.

        See Also
        --------
        predict_proba : The probabilities.
        """
        check_is_fitted(self)
        return self._map_chunks(X, "predict_log_proba", np.float64,
                                len(self.classes_))

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Mean accuracy of :meth:`predict` on ``(X, y)``, computed.

        Parameters
        ----------
        X : dask array or DataFrame of shape (n_samples, n_features)
            The samples; numpy arrays and pandas DataFrames are wrapped.
        y : dask array or Series of shape (n_samples,)
            Their true labels (rechunked to X's rows if need be).
        sample_weight : dask array of shape (n_samples,), default=None
            Weights of the samples in the mean.

        Returns
        -------
        float
            The (weighted) fraction of samples predicted correctly.

        See Also
        --------
        predict : The labels compared.
        """
        predicted = self.predict(X)
        if any(np.isnan(n) for n in predicted.chunks[0]):
            predicted = predicted.compute_chunk_sizes()
        rows = predicted.chunks[0]
        correct = (predicted == _as_aligned(y, rows, "y")).astype(np.float64)
        if sample_weight is None:
            return float(correct.mean().compute())
        weights = _as_aligned(sample_weight, rows, "sample_weight", "biuf")
        hits, total = dask.compute((correct * weights).sum(), weights.sum())
        return float(hits / total)
