"""The solvers' kernels on the row chunks of dask arrays (``clogit.dask``).

clogit's solvers (``newton_binary``, ``prox_newton_binary``,
``newton_multinomial``, ``lbfgs_multinomial``) touch the data only through
a kernels object (``_parallel.BinomialKernels``,
``_multinomial.SoftmaxKernels``).  The classes here implement the same
methods on dask arrays, so a distributed fit runs the very same solver code,
iteration for iteration:

* every pass over X maps the in-memory Cython kernel (``_binomial`` or
  ``_softmax``) over X's row chunks, one task per chunk, and sums the
  partial results (objective, gradient, (p+1)^2 Hessian) in a tree of
  ``_add`` tasks (``SPLIT_EVERY`` children each), so that only one reduced
  result reaches the client;
* per-sample vectors the solvers keep between passes (scores ``z``, the
  step's ``dz``, the residual) stay on the workers, persisted chunk by
  chunk like X's rows, in :class:`DistributedScores` buffers (a dask array
  on demand): a pass that produces them persists them together with its
  reduction (one computation of the chunk tasks), and the line search
  evaluates ``objective_along`` on their chunks, never reading X;
* X is persisted once by the caller (``clogit.dask``) and never gathered:
  tasks reference its chunks by key.

Every chunk function is a top-level function of this module, so the graphs
pickle for ``dask.distributed`` worker processes.  Graphs are built from
``dask.delayed`` tasks on the chunks only: ``dask.persist`` of delayed
objects mixed with dask arrays is unreliable in dask 2026.8 (a KeyError or
"Delayed objects of unspecified length are not iterable", depending on the
order of the collections).
"""

import dask
import dask.array as da
import numpy as np
from dask import delayed

from . import _binomial, _softmax

# Children of each task of the reduction tree: (p+1)^2 Hessians travel up
# the tree, so a node sums a handful (as dask's own ``split_every``).
SPLIT_EVERY = 8


# ----------------------------------------------------------------------
# chunk functions (run on the workers)
# ----------------------------------------------------------------------
def chunk_block_pass(X, y, sample_weight, coef, fit_intercept, C, want_hess,
                     want_z, want_residual, columns):
    """``_binomial.block_pass`` on one row chunk: ``((objective, grad,
    hess), z, residual)``, the parts not asked for None."""
    k1 = coef.shape[0]
    n = X.shape[0]
    grad = np.empty(k1)
    hess = np.empty((k1, k1), order="F") if want_hess else None
    z = np.empty(n) if want_z else None
    residual = np.empty(n) if want_residual else None
    objective = _binomial.block_pass(X, y, sample_weight, coef, fit_intercept,
                                     C, grad, hess, z, columns=columns,
                                     residual_out=residual)
    return (objective, grad, hess), z, residual


def chunk_matvec(X, coef, fit_intercept, columns):
    """``_binomial.matvec`` on one row chunk."""
    out = np.empty(X.shape[0])
    _binomial.matvec(X, coef, fit_intercept, out, columns)
    return out


def chunk_rmatvec(X, r):
    """``_binomial.rmatvec`` on one row chunk: its share of ``X.T @ r``."""
    out = np.empty(X.shape[1])
    _binomial.rmatvec(X, r, out)
    return out


def chunk_objective_along(y, sample_weight, z, dz, step, C):
    """``_binomial.objective_along`` on one row chunk."""
    return _binomial.objective_along(y, sample_weight, z, dz, step, C)


def chunk_weight_sums(y, sample_weight):
    """``(sum(s), sum(s * y))`` of one row chunk."""
    return float(sample_weight.sum()), float(sample_weight @ y)


def chunk_softmax_pass(X, y, sample_weight, coef, fit_intercept, C,
                       want_hess, want_z, n_free):
    """``_softmax.softmax_pass`` on one row chunk: ``((objective, grad,
    hess), z)``."""
    grad = np.empty((n_free if n_free >= 0 else coef.shape[0],
                     coef.shape[1]))
    width = grad.size
    hess = np.empty((width, width), order="F") if want_hess else None
    z = np.empty((X.shape[0], coef.shape[0])) if want_z else None
    objective = _softmax.softmax_pass(X, y, sample_weight, coef,
                                      fit_intercept, C, grad, hess,
                                      z, n_free)
    return (objective, grad, hess), z


def chunk_softmax_scores(X, coef, fit_intercept):
    """``_softmax.softmax_scores`` on one row chunk."""
    out = np.empty((X.shape[0], coef.shape[0]))
    _softmax.softmax_scores(X, coef, fit_intercept, out)
    return out


def chunk_softmax_objective_along(y, sample_weight, z, dz, step, C):
    """``_softmax.softmax_objective_along`` on one row chunk."""
    return _softmax.softmax_objective_along(y, sample_weight, z, dz, step, C)


def chunk_class_sums(y, sample_weight, n_classes):
    """``(sum(s), sum of s by class)`` of one row chunk."""
    return (float(sample_weight.sum()),
            np.bincount(y, weights=sample_weight, minlength=n_classes))


def _add(*parts):
    """Sum of partial results, in the order given (deterministic for a
    given chunking): numbers, arrays, or tuples of them (None stays None).
    """
    if not isinstance(parts[0], tuple):
        total = parts[0]
        for part in parts[1:]:
            total = total + part
        return total
    total = [x.copy() if isinstance(x, np.ndarray) else x for x in parts[0]]
    for part in parts[1:]:
        for i, x in enumerate(part):
            if x is None:
                continue
            if isinstance(total[i], np.ndarray):
                total[i] += x
            else:
                total[i] = total[i] + x
    return tuple(total)


# ----------------------------------------------------------------------
# graph helpers (run on the client)
# ----------------------------------------------------------------------
def tree_reduce(parts, combine=_add, split_every=SPLIT_EVERY):
    """Delayed ``combine`` of the delayed ``parts``, as a tree of tasks
    with at most ``split_every`` children each (a list of one part is
    returned as it is)."""
    parts = list(parts)
    while len(parts) > 1:
        parts = [delayed(combine)(*parts[i:i + split_every])
                 for i in range(0, len(parts), split_every)]
    return parts[0]


def _run(total, outputs):
    """Compute the delayed ``total`` and persist the ``outputs`` (pairs of
    a :class:`DistributedScores` and the delayed row pieces it is to hold)
    in one computation, so that the chunk tasks they share run once."""
    if not outputs:
        return dask.compute(total)[0]
    pieces = [piece for _, chunk_pieces in outputs for piece in chunk_pieces]
    persisted = dask.persist(total, *pieces)
    start = 1
    for buffer, chunk_pieces in outputs:
        buffer.set(persisted[start:start + len(chunk_pieces)])
        start += len(chunk_pieces)
    return persisted[0].compute()


def _chunks(array):
    """The delayed row chunks of a dask array with one column chunk.

    The arrays given are persisted: their chunks are referenced by key as
    they are (no graph optimization, which would only cost time).
    """
    return list(array.to_delayed(optimize_graph=False).ravel())


class DistributedScores:
    """A per-sample buffer of a solver (``z``, ``dz``, the residual) kept
    on the workers: persisted row pieces, chunked like X's rows.

    The kernels that fill it call :meth:`set`; the solver only passes it
    back to the kernels (and asks for :meth:`sum`).

    Parameters
    ----------
    rows : tuple of int
        Row chunks (X's).
    width : int, optional
        Columns of a 2-D buffer (the multinomial scores).
    """

    def __init__(self, rows, width=None):
        self.rows = tuple(rows)
        self.width = width
        self.chunks = None

    def set(self, chunks):
        """Hold the persisted delayed row pieces ``chunks``."""
        self.chunks = list(chunks)

    @property
    def array(self):
        """The buffer as a dask array (for inspection; nothing is
        computed)."""
        arrays = [da.from_delayed(
            piece, shape=(n,) if self.width is None else (n, self.width),
            dtype=np.float64) for piece, n in zip(self.chunks, self.rows)]
        return arrays[0] if len(arrays) == 1 else da.concatenate(arrays)

    def sum(self):
        """Sum of the entries (computed on the workers)."""
        return float(tree_reduce([delayed(np.sum)(chunk)
                                  for chunk in self.chunks]).compute())


class DaskBinomialKernels:
    """``_parallel.BinomialKernels`` for dask arrays.

    Parameters
    ----------
    X : dask array of shape (n_samples, n_features)
        float64 or float32, one chunk along the columns, row chunks C- or
        F-contiguous, persisted.
    y, sample_weight : dask arrays of shape (n_samples,), float64
        Labels in {0, 1} and weights, chunked like X's rows, persisted.
    C : float
    fit_intercept : bool
    sums : (float, float), optional
        ``(sum(s), sum(s * y))`` if the caller knows them already (clogit.dask
        has them from its first pass): :meth:`weight_sums` then costs no pass.
    """

    # Every pass is a round trip to the workers: Newton evaluates its full
    # step with the Hessian in one pass (``_newton.newton_binary``).
    speculative_full_step = True

    def __init__(self, X, y, sample_weight, C, fit_intercept, sums=None):
        self.n_samples, self.n_features = X.shape
        self.rows = X.chunks[0]
        self.C = float(C)
        self.fit_intercept = bool(fit_intercept)
        self._X = _chunks(X)
        self._y = _chunks(y)
        self._s = _chunks(sample_weight)
        self._sums = None if sums is None else tuple(map(float, sums))

    def weight_sums(self):
        """``(sum(s), sum(s * y))``, from one pass over y and s."""
        if self._sums is None:
            self._sums = tree_reduce(
                [delayed(chunk_weight_sums)(y, s)
                 for y, s in zip(self._y, self._s)]).compute()
        return self._sums

    def new_scores(self):
        """An empty per-sample buffer (see :class:`DistributedScores`)."""
        return DistributedScores(self.rows)

    def block_pass(self, coef, grad, hess=None, z=None, columns=None,
                   residual=None):
        """Data objective; fills ``grad`` (and ``hess``; ``z`` and
        ``residual`` are DistributedScores).  One task per chunk
        (``_binomial.block_pass``), tree-summed."""
        coef = np.array(coef, dtype=np.float64)
        if columns is not None:
            columns = np.ascontiguousarray(columns, dtype=np.intc)
        parts = [delayed(chunk_block_pass, nout=3)(
            X, y, s, coef, self.fit_intercept, self.C, hess is not None,
            z is not None, residual is not None, columns)
            for X, y, s in zip(self._X, self._y, self._s)]
        outputs = []
        if z is not None:
            outputs.append((z, [p[1] for p in parts]))
        if residual is not None:
            outputs.append((residual, [p[2] for p in parts]))
        objective, g, h = _run(tree_reduce([p[0] for p in parts]), outputs)
        grad[...] = g
        if hess is not None:
            hess[...] = h
        return float(objective)

    def matvec(self, coef, out, columns=None):
        """``out`` (DistributedScores) ``= X @ coef`` (+ intercept)."""
        coef = np.array(coef, dtype=np.float64)
        if columns is not None:
            columns = np.ascontiguousarray(columns, dtype=np.intc)
        out.set(dask.persist(*[
            delayed(chunk_matvec)(X, coef, self.fit_intercept, columns)
            for X in self._X]))

    def rmatvec(self, r, out):
        """``out = X.T @ r`` for r a DistributedScores."""
        out[...] = tree_reduce([delayed(chunk_rmatvec)(X, part)
                                for X, part in zip(self._X, r.chunks)
                                ]).compute()

    def objective_along(self, z, dz, step):
        """Data objective at ``z + step * dz``, on the workers (never reads
        X)."""
        return float(tree_reduce([
            delayed(chunk_objective_along)(y, s, zc, dzc, float(step),
                                           self.C)
            for y, s, zc, dzc in zip(self._y, self._s, z.chunks, dz.chunks)
        ]).compute())


class DaskSoftmaxKernels:
    """``_multinomial.SoftmaxKernels`` for dask arrays.

    Parameters
    ----------
    X : dask array of shape (n_samples, n_features)
        As for :class:`DaskBinomialKernels`.
    y : dask array of shape (n_samples,), int32
        Class indices, chunked like X's rows, persisted.
    sample_weight : dask array of shape (n_samples,), float64
    C : float
    fit_intercept : bool
    n_classes : int
    """

    def __init__(self, X, y, sample_weight, C, fit_intercept, n_classes):
        self.n_samples, self.n_features = X.shape
        self.rows = X.chunks[0]
        self.C = float(C)
        self.fit_intercept = bool(fit_intercept)
        self.n_classes = int(n_classes)
        self._X = _chunks(X)
        self._y = _chunks(y)
        self._s = _chunks(sample_weight)
        self._sums = None

    def weight_sums(self):
        """``(sum(s), sums of s by class)``, from one pass over y and s."""
        if self._sums is None:
            self._sums = tree_reduce(
                [delayed(chunk_class_sums)(y, s, self.n_classes)
                 for y, s in zip(self._y, self._s)]).compute()
        return self._sums

    def new_scores(self):
        """An empty (n_samples, n_classes) buffer on the workers."""
        return DistributedScores(self.rows, self.n_classes)

    def softmax_pass(self, coef, grad, hess=None, z=None, n_free=-1):
        """Data objective; fills ``grad`` (and ``hess``, ``z``)."""
        coef = np.array(coef, dtype=np.float64, order="C")
        parts = [delayed(chunk_softmax_pass, nout=2)(
            X, y, s, coef, self.fit_intercept, self.C, hess is not None,
            z is not None, int(n_free))
            for X, y, s in zip(self._X, self._y, self._s)]
        outputs = []
        if z is not None:
            outputs.append((z, [p[1] for p in parts]))
        objective, g, h = _run(tree_reduce([p[0] for p in parts]), outputs)
        grad[...] = g
        if hess is not None:
            hess[...] = h
        return float(objective)

    def scores(self, coef, out):
        """``out`` (DistributedScores) ``= Xt @ coef.T``, (n, K)."""
        coef = np.array(coef, dtype=np.float64, order="C")
        out.set(dask.persist(*[
            delayed(chunk_softmax_scores)(X, coef, self.fit_intercept)
            for X in self._X]))

    def objective_along(self, z, dz, step):
        """Data objective at ``z + step * dz``, on the workers."""
        return float(tree_reduce([
            delayed(chunk_softmax_objective_along)(y, s, zc, dzc,
                                                   float(step), self.C)
            for y, s, zc, dzc in zip(self._y, self._s, z.chunks, dz.chunks)
        ]).compute())
