"""The dask backend: the solvers' passes on the row chunks of dask arrays.

clogit's solvers (``newton_binary``, ``prox_newton_binary``,
``newton_multinomial``, ``lbfgs_multinomial``, ...) touch the data only
through a kernels object (the protocol of :mod:`clogit._backends.protocol`,
in memory :class:`~clogit._backends.memory.BinomialKernels` and
:class:`~clogit._backends.memory.SoftmaxKernels`).  The classes here
implement the same methods on dask arrays, so a distributed fit runs the
very same solver code (``clogit.dask``):

* every pass over X runs the in-memory Cython kernel (``_binomial`` or
  ``_softmax``) on each of X's row chunks, batched by :class:`ChunkBatches`:
  on a ``dask.distributed`` cluster one future per worker thread runs the
  chunks that worker holds, in turn, and sums their partial results
  (objective, gradient, (p+1)^2 Hessian); the client adds the batches' sums
  (a tree of tasks past ``SPLIT_EVERY`` batches), so X never leaves its
  workers;
* per-sample vectors kept between passes (scores ``z``, the step's ``dz``,
  the residual, a problem's labels and weights) stay on the workers, in
  :class:`DistributedScores` buffers (handles into the batch results that
  produced them), and the line search evaluates ``objective_along`` on
  them, never reading X;
* X is persisted once by the caller (``clogit.dask``) and never gathered.

Every chunk function is a top-level function of this module, so the tasks
pickle for ``dask.distributed`` worker processes.  With dask's local
schedulers a pass is one ``dask.compute`` of ``dask.delayed`` tasks, one
per chunk.
"""

from __future__ import annotations

import dask
import numpy as np
from dask import delayed

from .._kernels import binomial as _binomial
from .._kernels import softmax as _softmax
from .._kernels import sparse as _sparse
from .memory import (LP_MAX_NONZEROS, InMemoryMargins, InMemorySoftmaxMargins,
                     dense_hessian_diagonal, sampling_stride,
                     single_hessian_holds, softmax_hessian_weights,
                     strided_rows)
from .threads import check_cancelled, map_in_threads

# Batch sums added per task of the reduction tree, past this many batches:
# (p+1)^2 Hessians travel up it, so a node sums a handful (as dask's own
# ``split_every``).
SPLIT_EVERY = 8


# ----------------------------------------------------------------------
# chunk functions (run on the workers): each returns ``(part, kept)``, the
# part summed over the chunks (or None) and a tuple of what the chunk keeps
# on its worker (per-sample vectors)
# ----------------------------------------------------------------------
def chunk_block_pass(X, y, sample_weight, coef, fit_intercept, C, want_hess,
                     want_z, want_residual, columns, single=False):
    """``_binomial.block_pass`` on one row chunk: ``((objective, grad,
    hess, diagonal), (z, residual))``, the parts not asked for None.
    ``want_hess``: 0 for no Hessian, 1 for the chunk's, k > 1 for that of
    every k-th row of the chunk (weights times k; Newton's early Hessians,
    see ``_backends.memory.strided_rows``).  ``single``: the Hessian's
    products in float32, ``diagonal`` its float64 diagonal (the client
    checks the two, see ``DaskBinomialKernels.block_pass``)."""
    k1 = coef.shape[0]
    n = X.shape[0]
    grad = np.empty(k1)
    hess = np.empty((k1, k1), order="F") if want_hess else None
    diagonal = np.empty(k1) if want_hess and single else None
    z = np.empty(n) if want_z else None
    residual = np.empty(n) if want_residual else None
    exact = hess if want_hess == 1 else None
    objective = _binomial.block_pass(
        X, y, sample_weight, coef, fit_intercept, C, grad, exact, z,
        columns=columns, residual_out=residual,
        diagonal_out=diagonal if want_hess == 1 else None)
    if want_hess > 1:
        _binomial.block_pass(*strided_rows(X, y, sample_weight,
                                           int(want_hess)),
                             coef, fit_intercept, C, np.empty(k1), hess,
                             columns=columns, diagonal_out=diagonal)
    return (objective, grad, hess, diagonal), (z, residual)


def chunk_inference_pass(X, y, sample_weight, groups, coef, fit_intercept,
                         C, want_hess, want_meat, n_groups):
    """``_binomial.block_pass`` on one row chunk for inference:
    ``(objective, hess, meat, group_scores)``, the parts not asked for
    None (``groups``: the chunk's int32 cluster codes, or None)."""
    k1 = coef.shape[0]
    hess = np.empty((k1, k1), order="F") if want_hess else None
    meat = np.empty((k1, k1), order="F") if want_meat else None
    sums = np.empty((n_groups, k1)) if n_groups else None
    objective = _binomial.block_pass(
        X, y, sample_weight, coef, fit_intercept, C, np.empty(k1), hess,
        meat_out=meat, groups=groups if n_groups else None,
        group_scores_out=sums)
    return (objective, hess, meat, sums), ()


def chunk_softmax_inference_pass(X, y, sample_weight, groups, coef,
                                 fit_intercept, C, want_hess, want_meat,
                                 n_groups):
    """``_softmax.softmax_pass`` (every class free) on one row chunk for
    inference: ``(objective, hess, meat, group_scores)``."""
    width = coef.size
    hess = np.empty((width, width), order="F") if want_hess else None
    meat = np.empty((width, width), order="F") if want_meat else None
    sums = np.empty((n_groups, width)) if n_groups else None
    objective = _softmax.softmax_pass(
        X, y, sample_weight, coef, fit_intercept, C, np.empty(coef.shape),
        hess, None, -1, meat_out=meat, groups=groups if n_groups else None,
        group_scores_out=sums)
    return (objective, hess, meat, sums), ()


def inference_pass(kernels, function, coef, hess, meat, group_scores):
    """Run an inference chunk function over ``kernels``' chunks and copy
    the sums into the outputs given; returns the objective."""
    n_groups = 0 if group_scores is None else group_scores.shape[0]
    if n_groups and kernels._g is None:
        raise ValueError("cluster scores need the kernels' groups")
    kept = [kernels._y, kernels._s]
    constants = [coef, kernels.fit_intercept, kernels.C, hess is not None,
                 meat is not None, n_groups]
    if n_groups:
        kept.append(kernels._g)
    else:
        constants.insert(0, None)
    objective, h, m, sums = kernels.batches.reduce(
        function, [kernels._X], kept, constants=constants)
    for out, value in ((hess, h), (meat, m), (group_scores, sums)):
        if out is not None:
            out[...] = value
    return float(objective)


def chunk_matvec(X, coef, fit_intercept, columns):
    """``_binomial.matvec`` on one row chunk (kept)."""
    out = np.empty(X.shape[0])
    _binomial.matvec(X, coef, fit_intercept, out, columns)
    return None, (out,)


def chunk_rmatvec(X, r):
    """``_binomial.rmatvec`` on one row chunk: its share of ``X.T @ r``."""
    out = np.empty(X.shape[1])
    _binomial.rmatvec(X, r, out)
    return out, ()


def chunk_hessian_weights(sample_weight, z, C):
    """``C s p (1 - p)`` at the scores ``z`` of one row chunk (kept)."""
    out = np.empty(z.shape[0])
    _sparse.hessian_weights(z, sample_weight, C, out)
    return None, (out,)


def chunk_hessian_diagonal(X, weights, fit_intercept):
    """One row chunk's share of ``diag(Xt.T diag(weights) Xt)``."""
    out = np.empty(X.shape[1] + (1 if fit_intercept else 0))
    dense_hessian_diagonal(X, weights, fit_intercept, out)
    return out, ()


def chunk_hessian_diagonal_at(X, sample_weight, coef, fit_intercept, C):
    """One row chunk's share of the diagonal of the binary data term's
    Hessian at ``coef``: its scores, weights and diagonal in one task."""
    _, (z,) = chunk_matvec(X, coef, fit_intercept, None)
    _, (weights,) = chunk_hessian_weights(sample_weight, z, C)
    return chunk_hessian_diagonal(X, weights, fit_intercept)


def chunk_softmax_hessian_diagonal(X, sample_weight, coef, fit_intercept,
                                   C):
    """One row chunk's share of the diagonal of the multinomial data
    term's Hessian at ``coef`` (K x k1)."""
    K, k1 = coef.shape
    Z = np.empty((X.shape[0], K))
    _softmax.softmax_scores(X, coef, fit_intercept, Z)
    W = softmax_hessian_weights(Z, sample_weight, C)
    out = np.empty((K, k1))
    for k in range(K):
        dense_hessian_diagonal(X, np.ascontiguousarray(W[:, k]),
                               fit_intercept, out[k])
    return out, ()


def chunk_zeros(sample_weight, n_columns):
    """Zero scores of one row chunk (kept): ``n_columns`` per row, a vector
    for 0."""
    shape = ((sample_weight.shape[0], n_columns) if n_columns
             else sample_weight.shape[0])
    return None, (np.zeros(shape),)


def chunk_difference(a, b):
    """``a - b`` on one row chunk (kept)."""
    return None, (a - b,)


def chunk_objective_along(y, sample_weight, z, dz, step, C):
    """``_binomial.objective_along`` on one row chunk."""
    return _binomial.objective_along(y, sample_weight, z, dz, step, C), ()


def chunk_weight_sums(y, sample_weight):
    """``(sum(s), sum(s * y))`` of one row chunk."""
    return (float(sample_weight.sum()), float(sample_weight @ y)), ()


def chunk_sum(v):
    """Sum of one chunk of a kept vector."""
    return float(np.sum(v)), ()


def chunk_softmax_pass(X, y, sample_weight, coef, fit_intercept, C,
                       want_hess, want_z, n_free):
    """``_softmax.softmax_pass`` on one row chunk: ``((objective, grad,
    hess), (z,))``."""
    grad = np.empty((n_free if n_free >= 0 else coef.shape[0],
                     coef.shape[1]))
    width = grad.size
    hess = np.empty((width, width), order="F") if want_hess else None
    z = np.empty((X.shape[0], coef.shape[0])) if want_z else None
    objective = _softmax.softmax_pass(X, y, sample_weight, coef,
                                      fit_intercept, C, grad, hess,
                                      z, n_free)
    return (objective, grad, hess), (z,)


def chunk_softmax_scores(X, coef, fit_intercept):
    """``_softmax.softmax_scores`` on one row chunk (kept)."""
    out = np.empty((X.shape[0], coef.shape[0]))
    _softmax.softmax_scores(X, coef, fit_intercept, out)
    return None, (out,)


def chunk_softmax_objective_along(y, sample_weight, z, dz, step, C):
    """``_softmax.softmax_objective_along`` on one row chunk."""
    return (_softmax.softmax_objective_along(y, sample_weight, z, dz, step,
                                             C), ())


def chunk_class_sums(y, sample_weight, n_classes):
    """``(sum(s), sum of s by class)`` of one row chunk."""
    # float64 even for an empty chunk (np.bincount then ignores the weights
    # and returns int64 zeros, which the float sums cannot be added to)
    return (float(sample_weight.sum()),
            np.bincount(y, weights=sample_weight,
                        minlength=n_classes).astype(np.float64)), ()


def chunk_margin_range(y, sample_weight, z, before):
    """Largest and smallest margin change ``(2y - 1) (z - before)`` over
    one chunk's samples of positive weight (``(-inf, inf)`` if none)."""
    active = sample_weight > 0
    if not active.any():
        return (-np.inf, np.inf), ()
    margins = ((2.0 * y - 1.0) * (z - before))[active]
    return (float(margins.max()), float(margins.min())), ()


def margin_range(*parts):
    """Combine :func:`chunk_margin_range` results."""
    return (max(part[0] for part in parts), min(part[1] for part in parts))


def chunk_count_above(y, sample_weight, z, before, threshold):
    """Samples of positive weight whose margin grew by more than
    ``threshold``."""
    margins = (2.0 * y - 1.0) * (z - before)
    return int(np.count_nonzero((margins > threshold)
                                & (sample_weight > 0))), ()


def _softmax_margins(y, sample_weight, z, before):
    """Own class minus the best other class of the score change
    ``z - before``, over one chunk's samples of positive weight."""
    active = sample_weight > 0
    change = (z - before)[active]
    labels = y[active]
    rows = np.arange(change.shape[0])
    own = change[rows, labels].copy()
    change[rows, labels] = -np.inf
    return own - change.max(axis=1)


def chunk_softmax_margin_range(y, sample_weight, z, before):
    """:func:`chunk_margin_range` of the multinomial model."""
    margins = _softmax_margins(y, sample_weight, z, before)
    if margins.shape[0] == 0:
        return (-np.inf, np.inf), ()
    return (float(margins.max()), float(margins.min())), ()


def chunk_softmax_count_above(y, sample_weight, z, before, threshold):
    """:func:`chunk_count_above` of the multinomial model."""
    margins = _softmax_margins(y, sample_weight, z, before)
    return int(np.count_nonzero(margins > threshold)), ()


def chunk_count_active(sample_weight):
    """Samples of positive weight in one chunk."""
    return int(np.count_nonzero(sample_weight > 0)), ()


def chunk_active_rows(X, y, sample_weight):
    """One chunk's rows of positive weight ``(X, y, s)``, for the
    separation program solved on the client."""
    active = np.asarray(sample_weight) > 0
    return (X[active], y[active], sample_weight[active]), ()


def concatenate_rows(*parts):
    """Combine :func:`chunk_active_rows` results, in row order."""
    return tuple(np.concatenate([part[i] for part in parts])
                 for i in range(3))


def chunk_square_sums(X, sample_weight):
    """``sum_i s_i x_ij^2`` of one chunk, per column."""
    return np.einsum("i,ij,ij->j", sample_weight, X, X,
                     dtype=np.float64), ()


def chunk_class_indices(y, sample_weight, classes, table):
    """One chunk's class indices (int32) and weights (times the class-weight
    ``table`` of each label, if any; ones without weights), kept on its
    worker for the multinomial problem (see :func:`run_batch`)."""
    encoded = np.searchsorted(classes, y).astype(np.int32)
    return None, (encoded, _problem_weights(sample_weight, encoded, table))


def chunk_binary_labels(y, sample_weight, classes, positive, table):
    """One chunk's labels in {0, 1} (class ``positive`` against the rest)
    and weights of a binary (sub-)problem, kept on its worker."""
    encoded = np.searchsorted(classes, y)
    labels = (encoded == positive).astype(np.float64)
    return None, (labels, _problem_weights(sample_weight, encoded, table))


def _problem_weights(sample_weight, encoded, table):
    """The weights a problem's kernels read: contiguous float64."""
    weights = (np.ones(encoded.shape[0]) if sample_weight is None
               else sample_weight)
    if table is not None:
        weights = weights * table[encoded]
    return np.ascontiguousarray(weights, dtype=np.float64)


def run_batch(function, columns, constants, keep, combine=None):
    """``function(*row, *constants)`` for each chunk of a batch, in turn.

    ``columns`` holds, per argument, the batch's chunks: a list (one per
    chunk), or ``(result, index)``, the ``index``-th kept output of an
    earlier batch ``result`` (a per-sample buffer).  Returns the sum of the
    parts (None if nothing is summed; ``combine`` replaces :func:`_add`)
    and, if ``keep``, the kept outputs too: ``(sum, (list per output of
    the chunks' arrays))``.
    """
    combine = _add if combine is None else combine
    columns = [column[0][1][column[1]] if isinstance(column, tuple)
               else column for column in columns]
    total = None
    kept = []
    for row in zip(*columns):
        part, outputs = function(*row, *constants)
        if part is not None:
            total = part if total is None else combine(total, part)
        kept.append(outputs)
    if not keep:
        return total
    return total, tuple(list(output) for output in zip(*kept))


def batch_total(result):
    """The summed part of a batch that also kept outputs."""
    return result[0]


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
def _chunks(array):
    """The delayed row chunks of a dask array with one column chunk.

    The arrays given are persisted: their chunks are referenced by key as
    they are (no graph optimization, which would only cost time).
    """
    return list(array.to_delayed(optimize_graph=False).ravel())


def _distributed_client():
    """The ``dask.distributed`` client dask computes with, or None (dask's
    local schedulers)."""
    try:
        from distributed import get_client
        client = get_client()
    except (ImportError, ValueError):
        return None
    return client if dask.base.get_scheduler() == client.get else None


class ChunkBatches:
    """Runs a chunk function over X's row chunks, batched: what every pass
    of the kernels below goes through.

    On a ``dask.distributed`` cluster, the chunks each worker holds are
    split between its threads, in row order, and each batch is one task
    (``run_batch``) submitted as a future on the data the worker already
    has; the batches' sums are gathered and added on the client (through
    a tree of tasks past ``SPLIT_EVERY`` batches).  Futures rather than a
    dask graph per pass: a gradient pass over 10 chunks on 2 workers cost
    112 ms as 12 graph tasks, 97 ms as 3, and 73 ms as 2 futures, over a
    ~55 ms kernel.  Where a chunk lives is looked up once (a chunk that
    moves later still computes correctly: dask fetches it).

    With dask's local schedulers (no per-task cost to speak of) every
    chunk is a batch, and a pass is one ``dask.compute``; what the
    batches keep then stays in the client's memory, which is where the
    local schedulers keep data anyway.

    Parameters
    ----------
    X : persisted dask array
    """

    def __init__(self, X):
        n_chunks = X.numblocks[0]
        self.batches = [[i] for i in range(n_chunks)]
        self.client = _distributed_client()
        if self.client is None:
            return
        from distributed import futures_of, wait
        # where the chunks are is known once they are computed
        wait(futures_of(X))
        holders = {str(key): workers
                   for key, workers in self.client.who_has(X).items()}
        threads = self.client.nthreads()
        by_worker = {}
        batches = []
        for i, key in enumerate(_flat_keys(X)):
            workers = holders.get(str(key))
            if workers:
                by_worker.setdefault(workers[0], []).append(i)
            else:  # not found (lost?): a batch of its own
                batches.append([i])
        for worker, indices in by_worker.items():
            slots = max(1, min(threads.get(worker, 1), len(indices)))
            bounds = np.linspace(0, len(indices), slots + 1).astype(int)
            batches += [indices[a:b] for a, b in zip(bounds, bounds[1:])]
        self.batches = sorted(batches)

    def chunks(self, array):
        """Handles of a persisted array's row chunks, in row order: futures
        on a cluster, delayed chunks otherwise."""
        if self.client is None:
            return _chunks(array)
        from distributed import futures_of
        futures = {future.key: future for future in futures_of(array)}
        keys = _flat_keys(array)
        if not all(key in futures for key in keys):
            # not persisted on this cluster: persist it here, once
            array = self.client.persist(array)
            futures = {future.key: future for future in futures_of(array)}
        return [futures[key] for key in keys]

    def launch(self, function, chunked, kept=(), constants=(), keep=False,
               combine=None):
        """Start ``function`` on every chunk: one :func:`run_batch` per
        batch.  Returns the batches' results: futures on a cluster,
        computed values otherwise.

        ``chunked`` are per-chunk handle lists (from :meth:`chunks`),
        ``kept`` are :class:`DistributedScores` (what earlier batches
        kept), ``constants`` the arguments every chunk gets; ``keep``
        asks for the chunks' kept outputs (see :meth:`total`);
        ``combine`` sums parts that :func:`_add` cannot.
        """
        constants = tuple(constants)
        columns = [([[chunks[i] for i in batch] for chunks in chunked]
                    + [buffer.pieces[b] for buffer in kept])
                   for b, batch in enumerate(self.batches)]
        if self.client is None:
            return dask.compute(*[
                delayed(run_batch, pure=False)(function, cols, constants,
                                               keep, combine)
                for cols in columns])
        return [self.client.submit(run_batch, function, cols, constants,
                                   keep, combine, pure=False)
                for cols in columns]

    def total(self, results, kept=False, combine=None):
        """The sum over the batches of :meth:`launch`'s ``results`` (which
        also hold kept outputs if ``kept``)."""
        combine = _add if combine is None else combine
        if self.client is None:
            return combine(*[result[0] if kept else result
                             for result in results])
        if kept:
            results = [self.client.submit(batch_total, result, pure=False)
                       for result in results]
        while len(results) > SPLIT_EVERY:
            results = [self.client.submit(combine,
                                          *results[i:i + SPLIT_EVERY],
                                          pure=False)
                       for i in range(0, len(results), SPLIT_EVERY)]
        return combine(*self.client.gather(results))

    def new_buffer(self):
        """An empty :class:`DistributedScores` on these batches."""
        return DistributedScores(self)

    def buffer_of(self, array):
        """A persisted dask array's chunks as a :class:`DistributedScores`
        (no computation: each batch piece lists its chunks' handles)."""
        handles = self.chunks(array)
        buffer = DistributedScores(self)
        buffer.pieces = [[handles[i] for i in batch]
                         for batch in self.batches]
        return buffer

    def reduce(self, function, chunked, kept=(), constants=(),
               combine=None):
        """The sum of ``function``'s parts over every chunk (their
        ``combine``, if given)."""
        return self.total(self.launch(function, chunked, kept, constants,
                                      combine=combine), combine=combine)

    def keep(self, function, chunked, kept, buffers, constants=(),
             summed=True):
        """Run ``function`` on every chunk (arguments as for
        :meth:`launch`) and hold its kept outputs in the
        :class:`DistributedScores` ``buffers`` (one per output, None for
        an output not wanted); return the sum of its parts if ``summed``.
        """
        results = self.launch(function, chunked, kept, constants, keep=True)
        for index, buffer in enumerate(buffers):
            if buffer is not None:
                buffer.pieces = [(result, index) for result in results]
        return self.total(results, kept=True) if summed else None


def _flat_keys(array):
    """The keys of a dask array's row chunks (one column chunk), in row
    order."""
    keys = array.__dask_keys__()
    return [key[0] if isinstance(key, list) else key for key in keys]


class DistributedScores:
    """A per-sample buffer kept on the workers (a solver's ``z``, ``dz``,
    residual; a problem's labels and weights): per batch of
    :class:`ChunkBatches`, a handle of the batch result that holds it and
    its index among the kept outputs (or the list of the batch's chunk
    handles, see :meth:`ChunkBatches.buffer_of`).

    The kernels that fill it set :attr:`pieces`; the solver only passes it
    back to the kernels (and asks for :meth:`sum`).
    """

    def __init__(self, batches):
        self.batches = batches
        self.pieces = None

    def sum(self):
        """Sum of the entries (computed on the workers)."""
        return float(self.batches.reduce(chunk_sum, [], [self]))


class DaskBinomialKernels:
    """``_backends.memory.BinomialKernels`` for dask arrays.

    Parameters
    ----------
    X : dask array of shape (n_samples, n_features)
        float64 or float32, one chunk along the columns, row chunks C- or
        F-contiguous, persisted.
    y, sample_weight : DistributedScores, or dask arrays of shape
            (n_samples,), float64
        Labels in {0, 1} and weights, chunked like X's rows (dask arrays
        persisted).
    C : float
    fit_intercept : bool
    sums : (float, float), optional
        ``(sum(s), sum(s * y))`` if the caller knows them already (clogit.dask
        has them from its first pass): :meth:`weight_sums` then costs no pass.
    batches : ChunkBatches, optional
        X's chunk batches, if the caller has them (one per X serves every
        problem of a fit).
    groups : DistributedScores or list of chunk handles, optional
        int32 cluster codes chunked like X's rows (``cov_type="cluster"``).
    """

    # Every pass is a round trip to the workers: Newton evaluates its full
    # step with the Hessian in one pass (``_solvers.newton.newton_binary``).
    speculative_full_step = True
    # An exact Hessian is a dsyrk of every row on the workers (a pass with
    # it took 2.7x a gradient pass's worker time on bench/dask.py's task):
    # Newton reuses an exact factor for one chord step in the quadratic
    # region (``_solvers.newton._EXACT_DECREMENT``).
    reuse_factor = True

    def __init__(self, X, y, sample_weight, C, fit_intercept, sums=None,
                 batches=None, groups=None):
        self.n_samples, self.n_features = X.shape
        # block_pass(single_hessian=True) available (float32 products of
        # the Hessian, see _solvers.newton._SINGLE_MIN_COEF); False from
        # the first pass whose float32 Hessian failed its check
        self.single_hessians = True
        self.C = float(C)
        self.fit_intercept = bool(fit_intercept)
        self.batches = ChunkBatches(X) if batches is None else batches
        self._X = self.batches.chunks(X)
        self._y = _as_buffer(self.batches, y)
        self._s = _as_buffer(self.batches, sample_weight)
        self._g = _groups_buffer(self.batches, groups)
        self._sums = None if sums is None else tuple(map(float, sums))

    def weight_sums(self):
        """``(sum(s), sum(s * y))``, from one pass over y and s."""
        if self._sums is None:
            self._sums = self.batches.reduce(chunk_weight_sums, [],
                                             [self._y, self._s])
        return self._sums

    def new_scores(self):
        """An empty per-sample buffer (see :class:`DistributedScores`)."""
        return DistributedScores(self.batches)

    def sampling_stride(self, n_rows, min_stride=4):
        """The stride of a row sample of about ``n_rows`` rows for
        ``block_pass(hessian_stride=)``, 1 for none (see
        ``_backends.memory.sampling_stride``); each chunk samples its own
        rows."""
        return sampling_stride(self.n_samples, n_rows,
                               min_stride=min_stride)

    def block_pass(self, coef, grad, hess=None, z=None, columns=None,
                   residual=None, hessian_stride=1, single_hessian=False):
        """Data objective; fills ``grad`` (and ``hess``; ``z`` and
        ``residual`` are DistributedScores).  ``_binomial.block_pass`` on
        every chunk, summed; with ``hessian_stride`` k > 1 the Hessian
        from every k-th row of each chunk, in the same pass.  With
        ``single_hessian`` (and ``single_hessians`` true) the Hessian's
        products are float32, checked as in memory
        (``_backends.memory.BinomialKernels._single_pass``: a diagonal off
        the float64 one, or a non-finite entry, and the pass runs again in
        float64, float32 off for good)."""
        check_cancelled()  # (a class whose run was given up)
        coef = np.array(coef, dtype=np.float64)
        if columns is not None:
            columns = np.ascontiguousarray(columns, dtype=np.intc)
        want_hess = 0 if hess is None else max(int(hessian_stride), 1)
        single = bool(single_hessian and want_hess and self.single_hessians)
        constants = (coef, self.fit_intercept, self.C, want_hess,
                     z is not None, residual is not None, columns, single)
        data = ([self._X], [self._y, self._s])
        if z is None and residual is None:
            objective, g, h, d = self.batches.reduce(
                chunk_block_pass, *data, constants=constants)
        else:
            objective, g, h, d = self.batches.keep(
                chunk_block_pass, *data, (z, residual), constants)
        if single and not single_hessian_holds(h, d):
            self.single_hessians = False
            return self.block_pass(coef, grad, hess, z, columns, residual,
                                   hessian_stride)
        grad[...] = g
        if hess is not None:
            hess[...] = h
            if single:
                # the exact diagonal (the equilibration divides by it)
                hess[np.diag_indices(hess.shape[0])] = d
        return float(objective)

    def sample_hessian(self, coef, hess, stride=1, columns=None,
                       single_hessian=False):
        """The data term's Hessian at ``coef`` from every ``stride``-th row
        of each chunk (all rows for 1), into ``hess``: one pass (Newton
        remakes a float32 Hessian in float64 with it)."""
        self.block_pass(coef, np.empty(hess.shape[0]), hess, None, columns,
                        hessian_stride=stride, single_hessian=single_hessian)

    def inference_pass(self, coef, hess=None, meat=None, group_scores=None):
        """What inference needs at ``coef``, in one pass on the workers
        (see ``_backends.memory.BinomialKernels.inference_pass``)."""
        return inference_pass(self, chunk_inference_pass,
                              np.array(coef, dtype=np.float64), hess, meat,
                              group_scores)

    def matvec(self, coef, out, columns=None):
        """``out`` (DistributedScores) ``= X @ coef`` (+ intercept)."""
        coef = np.array(coef, dtype=np.float64)
        if columns is not None:
            columns = np.ascontiguousarray(columns, dtype=np.intc)
        self.batches.keep(chunk_matvec, [self._X], (), (out,),
                          (coef, self.fit_intercept, columns), summed=False)

    def rmatvec(self, r, out):
        """``out = X.T @ r`` for r a DistributedScores."""
        out[...] = self.batches.reduce(chunk_rmatvec, [self._X], [r])

    def hessian_weights(self, z, out):
        """``out = C * s * p * (1 - p)`` at the scores ``z`` (both
        DistributedScores, on the workers; never reads X)."""
        self.batches.keep(chunk_hessian_weights, [], (self._s, z), (out,),
                          (self.C,), summed=False)

    def hessian_diagonal(self, weights, out):
        """``out = diag(Xt.T diag(weights) Xt)`` for ``weights`` a
        DistributedScores: one pass on the workers (what the scale-free
        guard of L-BFGS and gradient descent divides by, once a fit;
        ``_solvers.stopping.hessian_diagonal``)."""
        out[...] = self.batches.reduce(chunk_hessian_diagonal, [self._X],
                                       [weights], (self.fit_intercept,))

    def hessian_diagonal_at(self, coef):
        """The diagonal of the data term's Hessian at ``coef``: one pass on
        the workers, which make the scores and weights themselves (what
        plain L-BFGS's scale-free guard divides by, once a fit; through
        :meth:`hessian_weights` and :meth:`hessian_diagonal` it would take
        two passes and three round trips)."""
        coef = np.array(coef, dtype=np.float64)
        return self.batches.reduce(chunk_hessian_diagonal_at, [self._X],
                                   [self._s],
                                   (coef, self.fit_intercept, self.C))

    def subtract_scores(self, a, b, out):
        """``out = a - b`` for DistributedScores, on the workers (started,
        not awaited; never reads X): Newton's scores change along its step
        from the speculative pass's scores at the full step."""
        self.batches.keep(chunk_difference, [], (a, b), (out,), summed=False)

    def objective_along(self, z, dz, step):
        """Data objective at ``z + step * dz``, on the workers (never reads
        X)."""
        return float(self.batches.reduce(
            chunk_objective_along, [], [self._y, self._s, z, dz],
            (float(step), self.C)))


def _as_buffer(batches, vector):
    """A DistributedScores as it is; a persisted dask array's chunks."""
    if isinstance(vector, DistributedScores):
        return vector
    return batches.buffer_of(vector)


def _groups_buffer(batches, groups):
    """Cluster codes as a DistributedScores (from chunk handles in X's
    row order, a DistributedScores, or a persisted dask array), or None."""
    if groups is None or isinstance(groups, DistributedScores):
        return groups
    if isinstance(groups, list):
        buffer = DistributedScores(batches)
        buffer.pieces = [[groups[i] for i in batch]
                         for batch in batches.batches]
        return buffer
    return batches.buffer_of(groups)


class DaskMargins:
    """``_backends.memory.InMemoryMargins`` for clogit.dask's binary kernels:
    what the separation monitor reads, computed on the workers.  A
    snapshot of the scores is the handles of their persisted pieces (the
    kernels refill a buffer with new pieces, never in place), so the
    previous iteration's scores stay on the workers, never copied.

    Parameters
    ----------
    kernels : DaskBinomialKernels
    """

    def __init__(self, kernels):
        self._kernels = kernels
        self._batches = kernels.batches
        self.n_features = kernels.n_features
        self.n_active = int(self._batches.reduce(chunk_count_active, [],
                                                 [kernels._s]))

    def snapshot(self, z):
        """The scores ``z`` as they are now."""
        snapshot = DistributedScores(self._batches)
        snapshot.pieces = list(z.pieces)
        return snapshot

    def margin_range(self, z, before):
        """Largest and smallest margin change since the snapshot
        ``before``, and the step's record: both snapshots."""
        kernels = self._kernels
        now = self.snapshot(z)
        best, worst = self._batches.reduce(
            chunk_margin_range, [], [kernels._y, kernels._s, now, before],
            combine=margin_range)
        return best, worst, (now, before)

    _score_columns = 0  # zero scores: a vector per chunk (the subclass: K)

    def margins_at(self, z):
        """Largest and smallest margin of the scores ``z`` themselves, and
        the step's record: the change from zero scores, made on the
        workers from the chunks' lengths (the monitor had them as
        ``X @ 0``, a pass over X at every probe and at the end)."""
        zero = DistributedScores(self._batches)
        self._batches.keep(chunk_zeros, [], (self._kernels._s,), (zero,),
                           (self._score_columns,), summed=False)
        return self.margin_range(z, zero)

    def count_above(self, step, threshold):
        """Samples whose margin grew by more than ``threshold`` in the
        step ``margin_range`` recorded (or above it among the margins of
        :meth:`separating_direction`, on the client)."""
        if isinstance(step, np.ndarray):
            return int(np.count_nonzero(step > threshold))
        kernels = self._kernels
        return int(self._batches.reduce(chunk_count_above, [],
                                        [kernels._y, kernels._s, *step],
                                        (float(threshold),)))

    def column_rms(self):
        """Weighted root mean square of each column of X."""
        kernels = self._kernels
        square_sums = self._batches.reduce(chunk_square_sums, [kernels._X],
                                           [kernels._s])
        return np.sqrt(square_sums / kernels.weight_sums()[0])

    _program_rows = 1  # constraint rows per sample (see the subclass)

    def separating_direction(self, fit_intercept):
        """The linear program of ``_solvers.separation`` (as in memory),
        on the samples of positive weight gathered to the client -- only
        while the program stays within ``_backends.memory.LP_MAX_NONZEROS``
        (the size that bounds it in memory too, about 16 MB of X); None
        otherwise, or if there is no separating direction.  Without it, a
        first-order solver's fit on quasi-separated data (which no step
        certificate catches) reported convergence."""
        n_rows = self._program_rows * self.n_active
        if n_rows * (self.n_features + 1) > LP_MAX_NONZEROS:
            return None
        kernels = self._kernels
        X, y, s = self._batches.reduce(
            chunk_active_rows, [kernels._X], [kernels._y, kernels._s],
            combine=concatenate_rows)
        return self._local(X, y, s).separating_direction(fit_intercept)

    def _local(self, X, y, s):
        return InMemoryMargins(X, y, s)


class DaskSoftmaxMargins(DaskMargins):
    """:class:`DaskMargins` of clogit.dask's multinomial kernels: a
    sample's margin is its own class's score minus the best other's
    (``_backends.memory.InMemorySoftmaxMargins``), computed on the workers.

    Parameters
    ----------
    kernels : DaskSoftmaxKernels
    """

    def margin_range(self, z, before):
        """Largest and smallest margin change since the snapshot
        ``before``, and the step's record: both snapshots."""
        kernels = self._kernels
        now = self.snapshot(z)
        best, worst = self._batches.reduce(
            chunk_softmax_margin_range, [],
            [kernels._y, kernels._s, now, before], combine=margin_range)
        return best, worst, (now, before)

    def _local(self, X, y, s):
        return InMemorySoftmaxMargins(X, y, s, self._kernels.n_classes)

    @property
    def _score_columns(self):
        return self._kernels.n_classes

    @property
    def _program_rows(self):
        return 2 * (self._kernels.n_classes - 1)

    def count_above(self, step, threshold):
        """Samples whose margin grew by more than ``threshold``."""
        if isinstance(step, np.ndarray):  # the program's margins
            return int(np.count_nonzero(step > threshold))
        kernels = self._kernels
        return int(self._batches.reduce(chunk_softmax_count_above, [],
                                        [kernels._y, kernels._s, *step],
                                        (float(threshold),)))


class DaskSoftmaxKernels:
    """``_backends.memory.SoftmaxKernels`` for dask arrays.

    Parameters
    ----------
    X : dask array of shape (n_samples, n_features)
        As for :class:`DaskBinomialKernels`.
    y : DistributedScores, or dask array of shape (n_samples,), int32
        Class indices, chunked like X's rows.
    sample_weight : DistributedScores, or dask array of shape (n_samples,)
    C : float
    fit_intercept : bool
    n_classes : int
    batches : ChunkBatches, optional
        X's chunk batches, if the caller has them.
    sums : (float, ndarray), optional
        ``(sum(s), weighted class totals)`` if the caller knows them
        (clogit.dask has them from its first pass).
    groups : optional
        int32 cluster codes, as for :class:`DaskBinomialKernels`.
    """

    def __init__(self, X, y, sample_weight, C, fit_intercept, n_classes,
                 batches=None, sums=None, groups=None):
        self.n_samples, self.n_features = X.shape
        self.C = float(C)
        self.fit_intercept = bool(fit_intercept)
        self.n_classes = int(n_classes)
        self.batches = ChunkBatches(X) if batches is None else batches
        self._X = self.batches.chunks(X)
        self._y = _as_buffer(self.batches, y)
        self._s = _as_buffer(self.batches, sample_weight)
        self._g = _groups_buffer(self.batches, groups)
        self._sums = (None if sums is None else
                      (float(sums[0]), np.asarray(sums[1], dtype=np.float64)))

    def weight_sums(self):
        """``(sum(s), sums of s by class)``, from one pass over y and s."""
        if self._sums is None:
            self._sums = self.batches.reduce(chunk_class_sums, [],
                                             [self._y, self._s],
                                             constants=(self.n_classes,))
        return self._sums

    def new_scores(self):
        """An empty (n_samples, n_classes) buffer on the workers."""
        return DistributedScores(self.batches)

    def softmax_pass(self, coef, grad, hess=None, z=None, n_free=-1):
        """Data objective; fills ``grad`` (and ``hess``, ``z``)."""
        check_cancelled()
        coef = np.array(coef, dtype=np.float64, order="C")
        constants = (coef, self.fit_intercept, self.C, hess is not None,
                     z is not None, int(n_free))
        data = ([self._X], [self._y, self._s])
        if z is None:
            objective, g, h = self.batches.reduce(chunk_softmax_pass, *data,
                                                  constants=constants)
        else:
            objective, g, h = self.batches.keep(chunk_softmax_pass, *data,
                                                (z,), constants)
        grad[...] = g
        if hess is not None:
            hess[...] = h
        return float(objective)

    def inference_pass(self, coef, hess=None, meat=None, group_scores=None):
        """What inference needs at ``coef`` (K x k1), every class free, in
        one pass on the workers."""
        return inference_pass(self, chunk_softmax_inference_pass,
                              np.array(coef, dtype=np.float64, order="C"),
                              hess, meat, group_scores)

    def hessian_diagonal_at(self, coef):
        """The diagonal of the data term's Hessian at ``coef`` (K x k1), as
        ``_backends.memory.SoftmaxKernels.hessian_diagonal_at``: one pass
        on the workers."""
        coef = np.array(coef, dtype=np.float64, order="C")
        return self.batches.reduce(chunk_softmax_hessian_diagonal,
                                   [self._X], [self._s],
                                   (coef, self.fit_intercept, self.C))

    def scores(self, coef, out):
        """``out`` (DistributedScores) ``= Xt @ coef.T``, (n, K)."""
        coef = np.array(coef, dtype=np.float64, order="C")
        self.batches.keep(chunk_softmax_scores, [self._X], (), (out,),
                          (coef, self.fit_intercept), summed=False)

    def objective_along(self, z, dz, step):
        """Data objective at ``z + step * dz``, on the workers."""
        return float(self.batches.reduce(
            chunk_softmax_objective_along, [], [self._y, self._s, z, dz],
            (float(step), self.C)))


class DaskData:
    """One fit's data on dask chunks, as ``clogit._fitting`` sees it (the
    in-memory twin is ``_backends.memory.InMemoryData``).

    Parameters
    ----------
    X : persisted dask array of shape (n_samples, n_features)
    y_chunks, s_chunks : lists of chunk handles
        y's and the weights' row chunks (``None`` entries: unit weights).
    classes : ndarray of shape (n_classes,)
    totals : ndarray of shape (n_classes,)
        The weighted class totals, from the first pass.
    batches : ChunkBatches
        X's chunk batches (one per X serves every problem of a fit).
    g_chunks : list of chunk handles, optional
        int32 cluster codes of ``cov_type="cluster"``, by row chunk.
    """

    sparse = False
    # the fit keeps no reference to the cluster's data: inference that
    # needs a pass runs at the end of fit
    retains_data = False

    def __init__(self, X, y_chunks, s_chunks, classes, totals, batches,
                 g_chunks=None):
        self.X = X
        self.n_samples, self.n_features = X.shape
        self._y = y_chunks
        self._s = s_chunks
        self._g = g_chunks
        self.classes = classes
        self.totals = totals
        self.batches = batches

    def binomial(self, positive, table, C, fit_intercept, sums=None):
        """:class:`DaskBinomialKernels` of class ``positive`` against the
        rest; its labels and weights are made on the workers, by one task
        per batch, and live there only while the problem is solved."""
        y_k, s_k = self.batches.new_buffer(), self.batches.new_buffer()
        self.batches.keep(chunk_binary_labels, [self._y, self._s], (),
                          (y_k, s_k), (self.classes, positive, table),
                          summed=False)
        return DaskBinomialKernels(self.X, y_k, s_k, C, fit_intercept, sums,
                                   self.batches, self._g)

    def softmax(self, table, C, fit_intercept, sums=None):
        """:class:`DaskSoftmaxKernels` of the multinomial problem."""
        y_encoded = self.batches.new_buffer()
        sample_weight = self.batches.new_buffer()
        self.batches.keep(chunk_class_indices, [self._y, self._s], (),
                          (y_encoded, sample_weight), (self.classes, table),
                          summed=False)
        return DaskSoftmaxKernels(self.X, y_encoded, sample_weight, C,
                                  fit_intercept, len(self.classes),
                                  self.batches, sums=sums, groups=self._g)

    def margins(self, kernels):
        """:class:`DaskMargins` of ``kernels``' problem."""
        return DaskMargins(kernels)

    def softmax_margins(self, kernels):
        """:class:`DaskSoftmaxMargins` of the multinomial problem."""
        return DaskSoftmaxMargins(kernels)

    def map(self, function, items, n_threads):
        """``function`` over the problems, from ``n_threads`` client
        threads (their chunk tasks interleave on the scheduler)."""
        return map_in_threads(function, items, n_threads)
