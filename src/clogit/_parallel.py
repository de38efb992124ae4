"""Row-parallel evaluation of the binomial kernels for one fit.

Why not just BLAS threads: the kernels call BLAS on cache-sized blocks, where
OpenBLAS's threads spend more time waking and spinning than computing, and
on a loaded machine (or with One-vs-Rest classes in threads) they fight
for the cores — measured here on 2 cores with another process busy, a
100,000 x 200 Newton fit took 1.06 s with one BLAS thread and 11.1 s with
two.  So a fit runs BLAS single-threaded and splits the *rows* of X into a
fixed number of contiguous chunks instead, each handled by one thread of a
shared pool with the GIL released (the kernels are ``nogil``); partial
objectives, gradients and Hessians are summed in chunk order.  The number of
chunks depends only on the problem's size and the machine's cores, so a
given fit is deterministic, whatever else runs in parallel.

scipy.sparse X dispatches to ``clogit._sparse``: a CSR matrix is split into
row chunks holding about the same number of nonzeros (each chunk is a slice
of ``indptr``; ``data`` and ``indices`` are shared, never copied); a CSC
matrix, whose rows are scattered over its columns, runs as one chunk.
"""

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import numpy as np
import scipy.sparse as sp

from . import _binomial, _sparse

# Below this many elements of X per chunk, one thread does the whole pass:
# handing work to the pool and reducing a (p+1)^2 Hessian cost more than the
# pass itself.
_MIN_ELEMENTS_PER_CHUNK = 500_000
_MIN_ROWS_PER_CHUNK = 256
# Sparse rows cost about two multiply-adds per nonzero and pass; below this
# many nonzeros per chunk the pool's overhead and the reduction of the
# partial gradients (p entries each) outweigh the split.
_MIN_NONZEROS_PER_CHUNK = 200_000
# Rows per numpy block when the dense Hessian diagonal is summed (bounds the
# float64 temporaries of float32 X).
_DIAGONAL_BLOCK_ROWS = 4096

_lock = threading.Lock()
_executor = None
_controller = None


def available_cores():
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _pool():
    global _executor
    with _lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(
                max_workers=available_cores(),
                thread_name_prefix="clogit-kernel")
        return _executor


@contextmanager
def single_threaded_blas():
    """Limit BLAS to one thread for the duration (see module docstring)."""
    global _controller
    from threadpoolctl import ThreadpoolController

    with _lock:
        if _controller is None:
            _controller = ThreadpoolController()
    with _controller.limit(limits=1, user_api="blas"):
        yield


def map_in_threads(function, items, n_threads):
    """``[function(item) for item in items]``, on ``n_threads`` threads.

    A pool of its own (not the kernels' pool, whose tasks must never wait on
    other tasks of the same pool).  Exceptions propagate to the caller.
    """
    items = list(items)
    if n_threads <= 1 or len(items) <= 1:
        return [function(item) for item in items]
    with ThreadPoolExecutor(max_workers=n_threads,
                            thread_name_prefix="clogit-ovr") as executor:
        return list(executor.map(function, items))


def chunk_bounds(n_samples, n_features):
    """Row boundaries of the chunks for an n_samples x n_features X."""
    n_chunks = min(available_cores(),
                   n_samples * max(n_features, 1) // _MIN_ELEMENTS_PER_CHUNK,
                   n_samples // _MIN_ROWS_PER_CHUNK)
    n_chunks = max(int(n_chunks), 1)
    return np.linspace(0, n_samples, n_chunks + 1).astype(np.intp)


def csr_chunk_bounds(indptr):
    """Row boundaries of chunks of a CSR matrix with about equal nonzeros."""
    n_samples = indptr.shape[0] - 1
    nnz = int(indptr[-1])
    n_chunks = min(available_cores(), nnz // _MIN_NONZEROS_PER_CHUNK,
                   n_samples // _MIN_ROWS_PER_CHUNK)
    n_chunks = max(int(n_chunks), 1)
    bounds = np.searchsorted(indptr, np.linspace(0, nnz, n_chunks + 1))
    bounds[0], bounds[-1] = 0, n_samples
    return np.unique(bounds.astype(np.intp))


def row_chunks(X, width):
    """The row chunks (slices) a kernel pass over X runs in parallel.

    Dense X: by size, for kernels ``width`` float64 columns wide (see
    :func:`chunk_bounds`); CSR: by nonzeros (:func:`csr_chunk_bounds`); CSC:
    one chunk.
    """
    if not sp.issparse(X):
        bounds = chunk_bounds(X.shape[0], width)
    elif X.format == "csr":
        bounds = csr_chunk_bounds(X.indptr)
    elif X.format == "csc":
        bounds = np.array([0, X.shape[0]], dtype=np.intp)
    else:
        raise ValueError(f"sparse X must be CSR or CSC, got {X.format}")
    return [slice(a, b) for a, b in zip(bounds[:-1], bounds[1:])]


def row_kernel(X, dense_kernel, name):
    """``call(rows, *args)``: a kernel on a row chunk of dense or sparse X.

    Dense X: ``dense_kernel(X[rows], *args)``.  Sparse X:
    ``_sparse.<format>_<name>(data, indices, indptr, n, *args)``, the rows
    of a CSR matrix selected by slicing ``indptr`` (offsets into the shared
    ``data`` and ``indices``, so nothing is copied) and ``n`` the other
    dimension; a CSC matrix is only ever passed whole.
    """
    if not sp.issparse(X):
        return lambda rows, *args, **kwargs: dense_kernel(X[rows], *args,
                                                          **kwargs)
    kernel = getattr(_sparse, f"{X.format}_{name}")
    if X.format == "csr":
        n_features = X.shape[1]
        return lambda rows, *args, **kwargs: kernel(
            X.data, X.indices, X.indptr[rows.start:rows.stop + 1],
            n_features, *args, **kwargs)
    n_samples = X.shape[0]

    def call(rows, *args, **kwargs):
        if rows.start != 0 or rows.stop != n_samples:
            raise ValueError("CSC kernels run on all rows")
        return kernel(X.data, X.indices, X.indptr, n_samples, *args,
                      **kwargs)

    return call


def _sum_parts(parts, out):
    """``out[...] = sum(parts)``, in chunk order (deterministic)."""
    out[...] = parts[0]
    for part in parts[1:]:
        out += part


def _dense_hessian_vector(X, weights, v, fit_intercept, out):
    """``out = Xt.T @ (weights * (Xt @ v))`` for dense X: two gemv."""
    p = X.shape[1]
    t = np.empty(X.shape[0])
    _binomial.matvec(X, v, fit_intercept, t)
    t *= weights
    _binomial.rmatvec(X, t, out[:p])
    if fit_intercept:
        out[p] = t.sum()


def _dense_hessian_diagonal(X, weights, fit_intercept, out):
    """``out = diag(Xt.T diag(weights) Xt)`` for dense X, in row blocks (the
    float64 temporaries of float32 X stay block-sized)."""
    p = X.shape[1]
    out[:p] = 0.0
    for a in range(0, X.shape[0], _DIAGONAL_BLOCK_ROWS):
        block = slice(a, a + _DIAGONAL_BLOCK_ROWS)
        out[:p] += np.einsum("i,ij,ij->j", weights[block], X[block],
                             X[block], dtype=np.float64)
    if fit_intercept:
        out[p] = weights.sum()


class BinomialKernels:
    """The kernels of ``_binomial`` / ``_sparse`` bound to one fit's data.

    Every solver talks to X only through this object, so dense and sparse
    X need nothing else from them.  Dense and CSR passes run row-parallel
    (see the module docstring).

    Parameters
    ----------
    X : ndarray or scipy.sparse matrix of shape (n_samples, n_features)
        Dense: C- or F-contiguous, float64 or float32.  Sparse: canonical
        CSR or CSC with float64 or float32 values (see
        ``_validation.as_sparse_matrix``).
    y : ndarray of shape (n_samples,)
        Labels in {0, 1}, float64 (None if only products with X are used).
    sample_weight : ndarray of shape (n_samples,)
        float64 weights (None if only products with X are used).
    C : float
        Weight of the data term.
    fit_intercept : bool
        Whether coefficient vectors end with an intercept.
    """

    def __init__(self, X, y, sample_weight, C, fit_intercept):
        self.X = X
        self.y = y
        self.sample_weight = sample_weight
        self.C = C
        self.fit_intercept = fit_intercept
        self.n_samples, self.n_features = X.shape
        self.chunks = row_chunks(X, self.n_features)
        self._block_pass = row_kernel(X, _binomial.block_pass, "block_pass")
        self._matvec = row_kernel(X, _binomial.matvec, "matvec")
        self._rmatvec = row_kernel(X, _binomial.rmatvec, "rmatvec")
        self._hessian_vector = row_kernel(X, _dense_hessian_vector,
                                          "hessian_vector")
        self._hessian_diagonal = row_kernel(X, _dense_hessian_diagonal,
                                            "hessian_diagonal")
        self.sparse = sp.issparse(X)
        self._csc = None

    def _map(self, task):
        if len(self.chunks) == 1:
            return [task(self.chunks[0])]
        return list(_pool().map(task, self.chunks))

    def _reduce(self, task, out):
        """Run ``task(rows, part)`` on every chunk, each into its own
        ``part`` (``out`` itself for a single chunk), and sum into ``out``;
        returns the tasks' results."""
        if len(self.chunks) == 1:
            return [task(self.chunks[0], out)]

        def run(rows):
            part = np.empty_like(out)
            return task(rows, part), part

        results = self._map(run)
        _sum_parts([part for _, part in results], out)
        return [result for result, _ in results]

    def cd_model(self, z, grad, coef, columns, l1, l2, step, dz,
                 max_sweeps, tol):
        """Coordinate descent on the proximal Newton model of the working
        set ``columns`` at scores ``z``, without forming its Hessian
        (sparse X only, ``_sparse.csc_cd_quadratic``): ``step`` (the
        columns, then the intercept) and ``dz = Xt_W @ step`` are filled.
        Returns the sweeps run.

        Coordinate descent walks X by columns: CSR X is converted to CSC
        once per fit, on the first call (a copy of X's nonzeros, where the
        dense model it replaces would take k^2 floats).
        """
        if self._csc is None:
            self._csc = self.X if self.X.format == "csc" else self.X.tocsc()
        weights = np.empty(self.n_samples)
        _sparse.hessian_weights(z, self.sample_weight, self.C, weights)
        step[...] = 0.0
        dz[...] = 0.0
        X = self._csc
        return _sparse.csc_cd_quadratic(
            X.data, X.indices, X.indptr, columns, weights,
            self.fit_intercept, grad, coef, l1, l2, step, dz, max_sweeps,
            tol)

    def block_pass(self, coef, grad, hess=None, z=None, columns=None,
                   residual=None):
        """Data objective; fills grad (and hess, z, residual if given).

        See :func:`clogit._binomial.block_pass`.
        """
        def run(rows, g, h):
            return self._block_pass(
                rows, self.y[rows], self.sample_weight[rows], coef,
                self.fit_intercept, self.C, g, h,
                None if z is None else z[rows], columns=columns,
                residual_out=None if residual is None else residual[rows])

        if len(self.chunks) == 1:
            return run(self.chunks[0], grad, hess)
        if (hess is not None and sp.issparse(self.X)
                and hess.size > self.X.nnz):
            # Sparse rows add only their nonzero pairs to the Hessian: with
            # more Hessian entries than nonzeros (a wide working set of the
            # proximal Newton method), zeroing and summing one partial
            # Hessian per chunk would cost more than the pass.
            return run(slice(0, self.n_samples), grad, hess)

        def task(rows):
            g = np.empty_like(grad)
            h = None if hess is None else np.empty_like(hess, order="F")
            return run(rows, g, h), g, h

        parts = self._map(task)
        _sum_parts([part[1] for part in parts], grad)
        if hess is not None:
            _sum_parts([part[2] for part in parts], hess)
        return float(sum(part[0] for part in parts))

    def matvec(self, coef, out, columns=None):
        """``out = X @ coef`` (+ intercept); see ``_binomial.matvec``."""
        self._map(lambda rows: self._matvec(rows, coef, self.fit_intercept,
                                            out[rows], columns))

    def rmatvec(self, r, out):
        """``out = X.T @ r``; see ``_binomial.rmatvec``."""
        self._reduce(lambda rows, part: self._rmatvec(rows, r[rows], part),
                     out)

    def objective_along(self, z, dz, step):
        """Data objective at ``z + step * dz`` (never reads X)."""
        return _binomial.objective_along(self.y, self.sample_weight, z, dz,
                                         step, self.C)

    def hessian_weights(self, z, out):
        """``out = C * s * p * (1 - p)`` at scores ``z`` (never reads X):
        the weights of :meth:`hessian_vector` and :meth:`hessian_diagonal`.
        """
        _sparse.hessian_weights(z, self.sample_weight, self.C, out)

    def hessian_vector(self, v, weights, out):
        """``out = Xt.T @ (weights * (Xt @ v))``, ``Xt`` = X with a column
        of ones when fitting an intercept: the data term's Hessian times
        ``v`` without forming the Hessian (Newton-CG).

        Sparse X: one fused pass (CSR) or two (CSC).  Dense X: two gemv per
        row chunk (float32 converted block by block).
        """
        self._reduce(lambda rows, part: self._hessian_vector(
            rows, weights[rows], v, self.fit_intercept, part), out)

    def hessian_diagonal(self, weights, out):
        """``out = diag(Xt.T diag(weights) Xt)``: the diagonal of the data
        term's Hessian (Newton-CG's preconditioner), one pass over X."""
        self._reduce(lambda rows, part: self._hessian_diagonal(
            rows, weights[rows], self.fit_intercept, part), out)


def matvec(X, coef, fit_intercept, out):
    """``out = X @ coef[:p] (+ coef[p])`` for dense or sparse X, float64,
    row-parallel (``decision_function`` of sparse X: no upcast copy of
    float32 values, as scipy's ``X @ coef`` would make)."""
    BinomialKernels(X, None, None, 1.0, fit_intercept).matvec(coef, out)
