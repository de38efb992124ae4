"""The in-memory backend: kernel passes over row chunks in threads.

A fit runs BLAS single-threaded and splits the *rows* of X into a fixed
number of contiguous chunks, each handled by one thread of the shared kernel
pool with the GIL released (see :mod:`clogit._backends.threads` for why);
partial objectives, gradients and Hessians are summed in chunk order.  The
number of chunks depends only on the problem's size and the machine's
cores, so a given fit is deterministic, whatever else runs in parallel.

scipy.sparse X dispatches to ``clogit._kernels.sparse``: a CSR matrix is
split into row chunks holding about the same number of nonzeros (each chunk
is a slice of ``indptr``; ``data`` and ``indices`` are shared, never
copied); a CSC matrix, whose rows are scattered over its columns, runs as
one chunk.

What lives here:

* :class:`BinomialKernels` and :class:`SoftmaxKernels`, the pass protocol of
  :mod:`clogit._backends.protocol` on in-memory X;
* :class:`InMemoryMargins`, what the separation monitor reads;
* :class:`InMemoryData`, one fit's data, making the kernels of each binary
  (One-vs-Rest) or multinomial problem for ``clogit._fitting``;
* :func:`summed_over_chunks`, the chunk-parallel reduction of the
  inference passes (``inference_pass``: Hessian, meat and cluster score
  sums at the fitted coefficients, for ``clogit._inference``).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .._kernels import binomial as _binomial
from .._kernels import binomial_newton as _binomial_newton
from .._kernels import softmax as _softmax
from .._kernels import sparse as _sparse
from .threads import (available_cores, check_cancelled, map_in_threads,
                      map_shared)

# Below this many elements of X per chunk, one thread does the whole pass:
# handing work to the pool and reducing a (p+1)^2 Hessian cost more than the
# pass itself.
_MIN_ELEMENTS_PER_CHUNK = 500_000
_MIN_ROWS_PER_CHUNK = 256
# A pass with the dense Hessian does about k1^2 / 2 multiply-adds a row
# (k1 = p + 1) besides the gradient's 2p, with BLAS on one thread inside
# a fit: it is split into row chunks of at least this much n k1^2 each,
# though the gradient passes of the same X may run on one.  Measured here
# (2-core AMD EPYC), a Hessian pass alone, one chunk against two, ms:
# 6,000 x 50 0.78 / 0.51 (float32 0.68 / 0.46), 3,000 x 100 1.06 / 0.68,
# 6,000 x 150 4.2 / 2.2; whole Newton fits, alternated: 8,000 x 120 27.7
# / 18.4, 5,000 x 150 24.3 / 15.7, 3,000 x 100 10.1 / 8.6; and below this,
# where two chunks also give up Newton's loop in one Cython call
# (``newton_loop``), slower: 3,000 x 50 4.4 / 4.9 (5,000 x 50, 13e6,
# level: 6.3 / 6.0).
_MIN_HESSIAN_WORK_PER_CHUNK = 6_000_000
# Sparse rows cost about two multiply-adds per nonzero and pass; below this
# many nonzeros per chunk the pool's overhead and the reduction of the
# partial gradients (p entries each) outweigh the split.
_MIN_NONZEROS_PER_CHUNK = 200_000
# A pass without the Hessian over ``columns`` of C-ordered float64 X
# gathers them block by block; from this share of X's columns on it runs
# the in-place pass over all of them instead (the other coefficients zero)
# and picks the candidates' gradient from the full one: a gathered row
# reads every cache line of the row from about an eighth of its columns
# on, and then costs the copy besides.  Measured (one core, AMD EPYC,
# ms): 8,000 x 400, all columns in place 2.40 against 3.80 gathered (350
# of them 3.53, 100 2.49); 4,000 x 2,000: 4.19 against 8.35 (250 of them
# 4.67); 20,000 x 100: 2.16 against 2.95 (50 of them 2.31, 25 1.98).
_IN_PLACE_COLUMN_SHARE = 0.3
# Rows per numpy block when the dense Hessian diagonal is summed (bounds the
# float64 temporaries of float32 X).
_DIAGONAL_BLOCK_ROWS = 4096
# A float32 Hessian (block_pass(single_hessian=True)) is kept when its
# diagonal is within this of the float64 one: its sums of up to 1,024
# float32 products err by a few 1e-7 (measured 1e-7 to 2.4e-7 on columns
# scaled by 10^U(-3, 3)); overflow, or squares underflowing to zero, show
# as a gross difference or a non-finite entry.
_SINGLE_DIAGONAL_RTOL = 1e-4
# The separation check's linear program (``_solvers.separation``) is run on
# constraint matrices up to this many nonzeros (HiGHS solves them in about
# a second here); larger fits rely on the step monitor and the
# complete-separation certificate.
LP_MAX_NONZEROS = 2_000_000

def chunk_bounds(n_samples, n_features):
    """Row boundaries of the chunks for an n_samples x n_features X."""
    n_chunks = min(available_cores(),
                   n_samples * max(n_features, 1) // _MIN_ELEMENTS_PER_CHUNK,
                   n_samples // _MIN_ROWS_PER_CHUNK)
    n_chunks = max(int(n_chunks), 1)
    if n_chunks == 1:  # (np.linspace costs 50 us, a small fit's twentieth)
        return np.array([0, n_samples], dtype=np.intp)
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


def hessian_chunks(X, chunks):
    """The row chunks of the passes with the Hessian over dense X whose
    other passes run on ``chunks`` (:func:`row_chunks`): more of them
    where one would do all the Hessian's work in one thread
    (``_MIN_HESSIAN_WORK_PER_CHUNK``); ``chunks`` for sparse X (whose
    partial Hessians cost more to add up) or several chunks already."""
    if sp.issparse(X) or len(chunks) > 1:
        return chunks
    n_samples, n_features = X.shape
    work = n_samples * (n_features + 1) ** 2
    n_chunks = min(available_cores(), work // _MIN_HESSIAN_WORK_PER_CHUNK,
                   n_samples // _MIN_ROWS_PER_CHUNK)
    if n_chunks <= 1:
        return chunks
    bounds = np.linspace(0, n_samples, int(n_chunks) + 1).astype(np.intp)
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


def summed_over_chunks(kernels, run, outputs):
    """``run(rows, *parts)`` on every row chunk of ``kernels`` (its
    ``chunks`` and ``_map``), each chunk into its own parts of the
    ``outputs`` (arrays, None for an output not wanted; the outputs
    themselves for a single chunk), then the parts summed into the outputs
    in chunk order; returns the sum of the runs' results (objectives)."""
    if len(kernels.chunks) == 1:
        return float(run(kernels.chunks[0], *outputs))

    def task(rows):
        parts = [None if out is None else np.empty_like(out, order="A")
                 for out in outputs]
        return run(rows, *parts), parts

    results = kernels._map(task)
    for k, out in enumerate(outputs):
        if out is not None:
            _sum_parts([parts[k] for _, parts in results], out)
    return float(sum(result for result, _ in results))


def _dense_hessian_vector(X, weights, v, fit_intercept, out):
    """``out = Xt.T @ (weights * (Xt @ v))`` for dense X: two gemv."""
    p = X.shape[1]
    t = np.empty(X.shape[0])
    _binomial.matvec(X, v, fit_intercept, t)
    t *= weights
    _binomial.rmatvec(X, t, out[:p])
    if fit_intercept:
        out[p] = t.sum()


def dense_hessian_diagonal(X, weights, fit_intercept, out):
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


def softmax_hessian_weights(Z, sample_weight, C):
    """``C s_i p_ik (1 - p_ik)`` (n x K) at the multinomial scores ``Z``:
    the weights of the diagonal of each class's block of the Hessian
    (numpy on the whole block; never reads X)."""
    P = np.exp(Z - Z.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    return C * sample_weight[:, None] * P * (1.0 - P)


def sampling_stride(n_samples, n_rows, sparse_format=None, min_stride=4):
    """The stride k of a row sample of about ``n_rows`` of ``n_samples``
    rows (every k-th row), or 1 (no sample) when k would be below
    ``min_stride`` -- by default when the sample would save less than 3/4
    of a pass (fewer than ``4 * n_rows`` rows) -- or X is CSC (its rows
    are scattered)."""
    stride = n_samples // max(int(n_rows), 1)
    return (1 if stride < max(min_stride, 2) or sparse_format == "csc"
            else int(stride))


def single_hessian_holds(hess, diagonal):
    """Whether a Hessian of float32 products ``hess`` is fit to use: its
    diagonal within ``_SINGLE_DIAGONAL_RTOL`` of the float64 one,
    ``diagonal``, and every entry finite (else float32 overflowed or
    underflowed)."""
    return bool(np.all(np.abs(np.diagonal(hess) - diagonal)
                       <= _SINGLE_DIAGONAL_RTOL * diagonal)
                and np.isfinite(hess).all())


def strided_rows(X, y, sample_weight, stride):
    """``(X, y, sample_weight)`` of every ``stride``-th row, the sample
    weights times ``stride`` (so that the data term keeps its scale).

    For Newton's early Hessians (``_solvers.newton``, the Hessian
    schedule).  Row-major X is not copied: every k-th row is a row-major
    matrix with leading dimension k * p, which the dense kernels read as
    they read X; the rows of F-ordered and CSR X are copied (``n / k``
    rows).  Every k-th row, not a random draw, keeps a fit deterministic
    and spreads the sample over data sorted by any key.
    """
    rows = slice(0, None, stride)
    sample = X[rows]
    if not sp.issparse(X) and sample.shape[1] > 1 and (
            sample.strides[1] != sample.itemsize):
        sample = np.asfortranarray(sample)
    return (sample, np.ascontiguousarray(y[rows]),
            sample_weight[rows] * float(stride))


class _RowSamples:
    """The kernels of one fit's row samples, made on first use and kept
    (one per stride; Newton uses one)."""

    def __init__(self, kernels, make):
        self._kernels, self._make, self._made = kernels, make, {}

    def __call__(self, stride):
        if stride not in self._made:
            k = self._kernels
            self._made[stride] = self._make(*strided_rows(
                k.X, k.y, k.sample_weight, stride))
        return self._made[stride]


class _RowParallel:
    """Kernels that run on the row chunks ``self.chunks`` in the kernel
    pool's threads (one chunk: in the caller's thread)."""

    chunks: list

    def _map(self, task, chunks=None):
        check_cancelled()  # (a fold or class whose run was given up)
        chunks = self.chunks if chunks is None else chunks
        if len(chunks) == 1:
            return [task(chunks[0])]
        return map_shared(task, chunks)


class BinomialKernels(_RowParallel):
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
    groups : ndarray of shape (n_samples,), int32, optional
        Cluster codes in ``[0, n_groups)``, for :meth:`inference_pass`.
    """

    def __init__(self, X, y, sample_weight, C, fit_intercept, groups=None):
        self.X = X
        self.y = y
        self.sample_weight = sample_weight
        self.C = C
        self.fit_intercept = fit_intercept
        self.groups = groups
        self.n_samples, self.n_features = X.shape
        self.chunks = row_chunks(X, self.n_features)
        self.hessian_chunks = hessian_chunks(X, self.chunks)
        self._block_pass = row_kernel(X, _binomial.block_pass, "block_pass")
        self._matvec = row_kernel(X, _binomial.matvec, "matvec")
        self._rmatvec = row_kernel(X, _binomial.rmatvec, "rmatvec")
        self._hessian_vector = row_kernel(X, _dense_hessian_vector,
                                          "hessian_vector")
        self._hessian_diagonal = row_kernel(X, dense_hessian_diagonal,
                                            "hessian_diagonal")
        self.sparse = sp.issparse(X)
        # block_pass(single_hessian=True) available: dense X (the sparse
        # kernels accumulate nonzero pairs, no syrk to speed up); False
        # from the first pass whose float32 Hessian failed its check
        self.single_hessians = not self.sparse
        self._csc = None
        self._sums = None
        self._samples = _RowSamples(self, lambda X, y, s: BinomialKernels(
            X, y, s, C, fit_intercept))

    def weight_sums(self):
        """``(sum(s), sum(s * y))``: what a solver's starting point and
        scale need (computed once)."""
        if self._sums is None:
            self._sums = (float(self.sample_weight.sum()),
                          float(self.sample_weight @ self.y))
        return self._sums

    def new_scores(self):
        """An empty per-sample buffer (scores, steps, residuals)."""
        return np.empty(self.n_samples)

    def sampling_stride(self, n_rows, min_stride=4):
        """The stride of a row sample of about ``n_rows`` rows for
        ``block_pass(hessian_stride=)``, 1 for none (see
        :func:`sampling_stride`)."""
        return sampling_stride(self.n_samples, n_rows,
                               self.X.format if self.sparse else None,
                               min_stride)

    def _reduce(self, task, out):
        """Run ``task(rows, part)`` on every chunk, each into its own
        ``part`` (``out`` itself for a single chunk), and sum into ``out``;
        returns the tasks' results."""
        if len(self.chunks) == 1:
            check_cancelled()
            return [task(self.chunks[0], out)]

        def run(rows):
            part = np.empty_like(out)
            return task(rows, part), part

        results = self._map(run)
        _sum_parts([part for _, part in results], out)
        return [result for result, _ in results]

    def cd_model(self, z, grad, coef, columns, l1, l2, step, dz,
                 max_sweeps, tol, warm=False):
        """Coordinate descent on the proximal Newton model of the working
        set ``columns`` at scores ``z``, without forming its Hessian
        (sparse X only, ``_sparse.csc_cd_quadratic``): ``step`` (the
        columns, then the intercept) and ``dz = Xt_W @ step`` are filled,
        from zero or, ``warm=True``, from the ``step`` given (``dz`` must
        then be ``Xt_W @ step``).  Returns the sweeps run.

        Coordinate descent walks X by columns: CSR X is converted to CSC
        once per fit, on the first call (a copy of X's nonzeros, where the
        dense model it replaces would take k^2 floats), without the rows
        of zero sample weight, which add nothing to the model (a CV fold's
        held-out rows: a fifth of every sweep on bench/cv.py's folds).
        ``dz`` is then left alone on those rows.
        """
        check_cancelled()
        if self._csc is None:
            self._csc = _weighted_rows_csc(self.X, self.sample_weight)
        weights = np.empty(self.n_samples)
        _sparse.hessian_weights(z, self.sample_weight, self.C, weights)
        if not warm:
            step[...] = 0.0
            dz[...] = 0.0
        X = self._csc
        return _sparse.csc_cd_quadratic(
            X.data, X.indices, X.indptr, columns, weights,
            self.fit_intercept, grad, coef, l1, l2, step, dz, max_sweeps,
            tol)

    def cd_model_rows(self, z, rows_of, columns, out):
        """Rows ``rows_of`` of the proximal Newton model's Hessian per unit
        C at scores ``z``: ``out = X[:, rows_of].T diag(s p (1 - p))
        Xt[:, columns]`` (intercept column last), row-parallel; what
        extends a kept model to features that join the working set.
        Returns False, leaving ``out`` alone, for sparse X (not
        implemented there: the model is then assembled afresh)."""
        check_cancelled()
        if self.sparse:
            return False
        weights = np.empty(self.n_samples)
        _sparse.hessian_weights(z, self.sample_weight, 1.0, weights)
        if self.reads_in_place(columns):
            # all columns read in place, then the wanted ones picked (as
            # block_pass; one core, 4,000 x 400, 350 columns: 2.39 ms
            # gathered against 0.48 in place for one row, 2.41 / 1.24 for
            # 4, 3.70 / 3.28 for 16)
            wanted = np.append(columns, self.n_features) if (
                self.fit_intercept) else columns
            full = np.empty((out.shape[0], self.n_features
                             + (1 if self.fit_intercept else 0)), order="F")
            self._reduce(lambda rows, part: _binomial.weighted_cross(
                self.X[rows], weights[rows], rows_of, None,
                self.fit_intercept, part), full)
            out[...] = full[:, wanted]
            return True
        self._reduce(lambda rows, part: _binomial.weighted_cross(
            self.X[rows], weights[rows], rows_of, columns,
            self.fit_intercept, part), out)
        return True

    def block_pass(self, coef, grad, hess=None, z=None, columns=None,
                   residual=None, hessian_stride=1, single_hessian=False):
        """Data objective; fills grad (and hess, z, residual if given).

        See :func:`clogit._binomial.block_pass`.  With ``hessian_stride``
        k > 1 the Hessian comes from every k-th row, weights times k (see
        :func:`strided_rows`), everything else from all rows.  With
        ``single_hessian`` (and ``single_hessians`` true) the Hessian's
        products are float32, to a few 1e-7 relative (see
        :meth:`_single_pass`); everything else is float64.
        """
        check_cancelled()
        if hess is not None and hessian_stride > 1:
            objective = self.block_pass(coef, grad, None, z, columns,
                                        residual)
            self.sample_hessian(coef, hess, hessian_stride, columns,
                                single_hessian)
            return objective
        if single_hessian and hess is not None and self.single_hessians:
            return self._single_pass(coef, grad, hess, z, columns, residual)
        if hess is None and columns is not None and self.reads_in_place(
                columns):
            return self._all_columns_pass(coef, grad, z, columns, residual)

        def run(rows, g, h):
            return self._block_pass(
                rows, self.y[rows], self.sample_weight[rows], coef,
                self.fit_intercept, self.C, g, h,
                None if z is None else z[rows], columns=columns,
                residual_out=None if residual is None else residual[rows])

        chunks = self.chunks if hess is None else self._hessian_chunks_for(
            coef.shape[0])
        if len(chunks) == 1:
            return run(chunks[0], grad, hess)
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

        parts = self._map(task, chunks)
        _sum_parts([part[1] for part in parts], grad)
        if hess is not None:
            _sum_parts([part[2] for part in parts], hess)
        return float(sum(part[0] for part in parts))

    def reads_in_place(self, columns):
        """Whether a pass without the Hessian over ``columns`` runs as
        fast or faster over all of X's columns, read in place
        (``_IN_PLACE_COLUMN_SHARE``)."""
        X = self.X
        return (not self.sparse and X.dtype == np.float64
                and X.strides[1] == X.itemsize
                and columns.shape[0] >= _IN_PLACE_COLUMN_SHARE
                * self.n_features)

    def _all_columns_pass(self, coef, grad, z, columns, residual):
        """:meth:`block_pass` without the Hessian over ``columns``, run
        over all columns with the others' coefficients zero (the same
        objective, scores and residual; the gradient picked)."""
        p, k = self.n_features, columns.shape[0]
        full = np.zeros(p + coef.shape[0] - k)
        full[columns] = coef[:k]
        full[p:] = coef[k:]
        full_grad = np.empty_like(full)
        objective = self.block_pass(full, full_grad, None, z, None, residual)
        grad[:k] = full_grad[columns]
        grad[k:] = full_grad[p:]
        return objective

    def _single_pass(self, coef, grad, hess, z, columns, residual):
        """:meth:`block_pass` with the Hessian's products in float32
        (``_binomial.block_pass(diagonal_out=)``), checked: its diagonal
        must match the float64 one to ``_SINGLE_DIAGONAL_RTOL`` and every
        entry be finite, else float32 overflowed or underflowed (features
        beyond about 1e±18 in the scaled rows): the pass is run again in
        float64 and ``single_hessians`` turned off for good."""
        n_coef = grad.shape[0]

        def task(rows):
            g = np.empty_like(grad)
            h = np.empty_like(hess, order="F")
            d = np.empty(n_coef)
            objective = self._block_pass(
                rows, self.y[rows], self.sample_weight[rows], coef,
                self.fit_intercept, self.C, g, h,
                None if z is None else z[rows], columns=columns,
                residual_out=None if residual is None else residual[rows],
                diagonal_out=d)
            return objective, g, h, d

        parts = self._map(task, self._hessian_chunks_for(n_coef))
        _sum_parts([part[1] for part in parts], grad)
        _sum_parts([part[2] for part in parts], hess)
        diagonal = np.empty(n_coef)
        _sum_parts([part[3] for part in parts], diagonal)
        if not single_hessian_holds(hess, diagonal):
            self.single_hessians = False
            return self.block_pass(coef, grad, hess, z, columns, residual)
        # the exact diagonal (the equilibration divides by it)
        hess[np.diag_indices(n_coef)] = diagonal
        return float(sum(part[0] for part in parts))

    def _hessian_chunks_for(self, n_coef):
        """The row chunks of a Hessian pass over ``n_coef`` coefficients:
        :attr:`hessian_chunks`, or the gradient passes' chunks where a
        column subset (a working set) makes too little work to split."""
        if (len(self.hessian_chunks) > len(self.chunks)
                and n_coef < self.n_features + (1 if self.fit_intercept
                                                else 0)
                and self.n_samples * n_coef * n_coef
                < 2 * _MIN_HESSIAN_WORK_PER_CHUNK):
            return self.chunks
        return self.hessian_chunks

    def newton_loop(self, coef, alpha, scale, tol, max_iter, hess, search):
        """Newton's iterations in one Cython call
        (``_kernels.binomial_newton.newton_loop``, ``search`` its line
        search constants) when every pass would run in this thread anyway
        (dense X in one row chunk); None otherwise, the solver then runs
        its own loop."""
        if self.sparse or len(self.hessian_chunks) != 1:
            return None
        check_cancelled()
        return _binomial_newton.newton_loop(
            self.X, self.y, self.sample_weight, self.C, self.fit_intercept,
            alpha, coef, scale, tol, max_iter, *search, hess)

    def sample_hessian(self, coef, hess, stride=1, columns=None,
                       single_hessian=False):
        """The data term's Hessian at ``coef`` alone, from every
        ``stride``-th row (weights times the stride, see
        :func:`strided_rows`; all rows for 1), into ``hess``: what a
        preconditioner needs, without the gradient pass over all rows
        (``single_hessian``: float32 products, see :meth:`block_pass`)."""
        kernels = self if stride == 1 else self._samples(stride)
        n_coef = hess.shape[0]
        single = single_hessian and self.single_hessians
        kernels.block_pass(coef, np.empty(n_coef), hess, columns=columns,
                           single_hessian=single)
        if single and not kernels.single_hessians:
            self.single_hessians = False

    def inference_pass(self, coef, hess=None, meat=None, group_scores=None):
        """What inference needs at ``coef``, in one pass over X: returns
        the data objective and fills the data term's Hessian ``hess``, the
        meat ``Xt.T diag(s r^2) Xt`` and the cluster score sums
        ``group_scores`` (G x n_coef, by ``groups``), ``r = C (p - y)``,
        each when given (see ``_binomial.block_pass``)."""
        grad = np.empty(coef.shape[0])

        def run(rows, g, h, m, sums):
            return self._block_pass(
                rows, self.y[rows], self.sample_weight[rows], coef,
                self.fit_intercept, self.C, g, h, None, meat_out=m,
                groups=None if sums is None else self.groups[rows],
                group_scores_out=sums)

        return summed_over_chunks(self, run, [grad, hess, meat,
                                              group_scores])

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

    def hessian_diagonal_at(self, coef):
        """The diagonal of the data term's Hessian at ``coef``: the scores
        (one pass), their weights and :meth:`hessian_diagonal` (another).
        What plain L-BFGS's scale-free guard divides by, once a fit."""
        scores, weights = self.new_scores(), self.new_scores()
        self.matvec(coef, scores)
        self.hessian_weights(scores, weights)
        out = np.empty(coef.shape[0])
        self.hessian_diagonal(weights, out)
        return out


def _weighted_rows_csc(X, sample_weight):
    """``X`` as CSC (copied from CSR) without the entries of rows whose
    sample weight is zero; row indices and shape unchanged."""
    csc = X if X.format == "csc" else X.tocsc()
    if sample_weight.all():
        return csc
    kept = sample_weight[csc.indices] != 0.0
    p = csc.shape[1]
    column = np.repeat(np.arange(p), np.diff(csc.indptr))
    indptr = np.zeros_like(csc.indptr)
    np.cumsum(np.bincount(column[kept], minlength=p), out=indptr[1:])
    return sp.csc_matrix((csc.data[kept], csc.indices[kept], indptr),
                         shape=csc.shape)


def matvec(X, coef, fit_intercept, out):
    """``out = X @ coef[:p] (+ coef[p])`` for dense or sparse X, float64,
    row-parallel (``decision_function`` of sparse or float32 X: no upcast
    copy of float32 values, as scipy's ``X @ coef`` would make)."""
    BinomialKernels(X, None, None, 1.0, fit_intercept).matvec(coef, out)


class SoftmaxKernels(_RowParallel):
    """The ``_kernels.softmax`` kernels (and their sparse twins) bound to one
    fit's data, row-parallel as :class:`BinomialKernels`.

    Parameters
    ----------
    X : ndarray or scipy.sparse matrix of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,), int32
        Class indices in ``range(n_classes)``.
    sample_weight : ndarray of shape (n_samples,), float64
    C : float
    fit_intercept : bool
    n_classes : int
    groups : ndarray of shape (n_samples,), int32, optional
        Cluster codes, for :meth:`inference_pass`.
    """

    def __init__(self, X, y, sample_weight, C, fit_intercept, n_classes,
                 groups=None):
        self.X = X
        self.y = y
        self.sample_weight = sample_weight
        self.C = C
        self.fit_intercept = fit_intercept
        self.n_classes = n_classes
        self.groups = groups
        self.n_samples, self.n_features = X.shape
        self.chunks = row_chunks(X, X.shape[1] * n_classes)
        self._pass = row_kernel(X, _softmax.softmax_pass, "softmax_pass")
        self._scores = row_kernel(X, _softmax.softmax_scores,
                                  "softmax_scores")
        self._hessian_diagonal = row_kernel(X, dense_hessian_diagonal,
                                            "hessian_diagonal")
        self._samples = _RowSamples(self, lambda X, y, s: SoftmaxKernels(
            X, y, s, C, fit_intercept, n_classes))

    def sampling_stride(self, n_rows):
        """The stride of a row sample of about ``n_rows`` rows for
        ``softmax_pass(hessian_stride=)``, 1 for none (see
        :func:`sampling_stride`)."""
        return sampling_stride(self.n_samples, n_rows,
                               getattr(self.X, "format", None))

    def weight_sums(self):
        """``(sum(s), weighted class totals)``."""
        totals = np.bincount(self.y, weights=self.sample_weight,
                             minlength=self.n_classes).astype(np.float64)
        return float(self.sample_weight.sum()), totals

    def new_scores(self):
        """An empty (n_samples, n_classes) score buffer."""
        return np.empty((self.n_samples, self.n_classes))

    def softmax_pass(self, coef, grad, hess=None, z=None, n_free=-1,
                     hessian_stride=1):
        """Data objective; fills grad (and hess, z); see
        ``_kernels.softmax.softmax_pass``.  ``hessian_stride`` k > 1: the
        Hessian from every k-th row (see :meth:`BinomialKernels.block_pass`).
        """
        check_cancelled()
        if hess is not None and hessian_stride > 1:
            objective = self.softmax_pass(coef, grad, None, z, n_free)
            self._samples(hessian_stride).softmax_pass(
                coef, np.empty_like(grad), hess, None, n_free)
            return objective
        def task(rows):
            g = np.empty_like(grad)
            h = None if hess is None else np.empty_like(hess, order="F")
            obj = self._pass(
                rows, self.y[rows], self.sample_weight[rows], coef,
                self.fit_intercept, self.C, g, h,
                None if z is None else z[rows], n_free)
            return obj, g, h

        parts = self._map(task)
        grad[...] = parts[0][1]
        if hess is not None:
            hess[...] = parts[0][2]
        for _, g, h in parts[1:]:
            grad += g
            if hess is not None:
                hess += h
        return float(sum(part[0] for part in parts))

    def class_blocks(self, coef, stride=1):
        """The K diagonal blocks ``Xt.T diag(C s p_k (1 - p_k)) Xt`` of the
        Hessian at ``coef`` (K x k1), from every ``stride``-th row (scaled
        to all rows, see :func:`strided_rows`); dense X.  What
        preconditioned multinomial L-BFGS factors
        (``_solvers.multinomial.lbfgs_multinomial``)."""
        X, _, s = strided_rows(self.X, self.y, self.sample_weight, stride)
        Z = X @ coef[:, :self.n_features].T
        if self.fit_intercept:
            Z += coef[:, -1]
        weights = softmax_hessian_weights(Z, s, self.C)
        p, k1 = self.n_features, coef.shape[1]
        features = np.arange(p, dtype=np.intc)

        def block_of(k):
            block = np.empty((k1, k1), order="F")
            cross = np.empty((p, k1), order="F")
            _binomial.weighted_cross(X, np.ascontiguousarray(weights[:, k]),
                                     features, features, self.fit_intercept,
                                     cross)
            block[:p, :] = cross
            if self.fit_intercept:
                block[p, :p] = cross[:, p]
                block[p, p] = weights[:, k].sum()
            return block

        # the classes' blocks shared with the kernel pool (the products
        # release the GIL; BLAS runs on one thread inside a fit): on
        # bench/multiclass.py's task the blocks had been a quarter of the
        # fit, on one core
        return map_shared(block_of, list(range(self.n_classes)))

    def hessian_diagonal_at(self, coef):
        """The diagonal of the data term's Hessian at ``coef`` (K x k1),
        as a K x k1 array: ``diag(Xt.T diag(C s p_k (1 - p_k)) Xt)`` per
        class.  One read of each row chunk for the scores, then one per
        class (the binary ``hessian_diagonal`` kernel on the class's
        weights); the scores are chunk-sized, never n x K at once.  What
        plain multinomial L-BFGS's scale-free guard divides by
        (``_solvers.multinomial.lbfgs_multinomial``), once a fit."""
        coef = np.ascontiguousarray(coef, dtype=np.float64)
        K, k1 = coef.shape

        def task(rows):
            Z = np.empty((rows.stop - rows.start, K))
            self._scores(rows, coef, self.fit_intercept, Z)
            W = softmax_hessian_weights(Z, self.sample_weight[rows], self.C)
            out = np.empty((K, k1))
            for k in range(K):
                self._hessian_diagonal(rows, np.ascontiguousarray(W[:, k]),
                                       self.fit_intercept, out[k])
            return out

        out = np.empty((K, k1))
        _sum_parts(self._map(task), out)
        return out

    def scores(self, coef, out):
        """``out = Xt @ coef.T``, (n, K)."""
        def task(rows):
            self._scores(rows, coef, self.fit_intercept, out[rows])
        self._map(task)

    def inference_pass(self, coef, hess=None, meat=None, group_scores=None):
        """What inference needs at ``coef`` (K x k1), every class free, in
        one pass: the data objective; the data term's (K k1)^2 Hessian,
        meat and cluster score sums (G x K k1), each when given (see
        ``_softmax.softmax_pass``)."""
        coef = np.ascontiguousarray(coef, dtype=np.float64)
        grad = np.empty(coef.shape)

        def run(rows, g, h, m, sums):
            return self._pass(
                rows, self.y[rows], self.sample_weight[rows], coef,
                self.fit_intercept, self.C, g, h, None, -1, meat_out=m,
                groups=None if sums is None else self.groups[rows],
                group_scores_out=sums)

        return summed_over_chunks(self, run, [grad, hess, meat,
                                              group_scores])

    def objective_along(self, z, dz, step):
        """Data objective at ``z + step * dz`` (never reads X)."""
        return _softmax.softmax_objective_along(self.y, self.sample_weight,
                                                z, dz, step, self.C)


class OvrKernels(_RowParallel):
    """The K binary problems of One-vs-Rest on one fit's data, evaluated
    together (``_kernels.softmax.ovr_pass``: one read of X for all K),
    row-parallel as :class:`BinomialKernels`; for problems that share the
    sample weights (no ``class_weight="balanced"``).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), dense
    y : ndarray of shape (n_samples,), int32
        Class indices in ``range(n_classes)``: problem k is class k against
        the rest.
    sample_weight : ndarray of shape (n_samples,), float64
    C : float
    fit_intercept : bool
    n_classes : int

    Attributes
    ----------
    single_hessians : bool
        Whether :meth:`class_hessian` may still use float32 products:
        turned off for good (all classes) at the first class Hessian whose
        float32 check fails.
    """

    def __init__(self, X, y, sample_weight, C, fit_intercept, n_classes):
        self.X = X
        self.y = y
        self.sample_weight = sample_weight
        self.C = C
        self.fit_intercept = fit_intercept
        self.n_classes = n_classes
        self.n_samples, self.n_features = X.shape
        self.chunks = row_chunks(X, X.shape[1] * n_classes)
        self._samples = {}
        self.single_hessians = True

    def sampling_stride(self, n_rows):
        """The stride of a row sample of about ``n_rows`` rows, 1 for none
        (see :func:`sampling_stride`)."""
        return sampling_stride(self.n_samples, n_rows)

    def ovr_pass(self, coef, grad, objectives):
        """Sum of the K data terms at ``coef`` (K x k1); fills ``grad``
        (K x k1) and ``objectives`` (K,)."""
        check_cancelled()
        def run(rows, g, objs):
            return _softmax.ovr_pass(
                self.X[rows], self.y[rows], self.sample_weight[rows], coef,
                self.fit_intercept, self.C, g, objs)

        return summed_over_chunks(self, run, [grad, objectives])

    def class_hessian(self, k, coef, hess, stride=1, single_hessian=False):
        """Hessian of problem ``k``'s data term at its ``coef`` (k1,), from
        every ``stride``-th row (scaled to all rows, see
        :func:`strided_rows`), into ``hess`` (k1 x k1, F order);
        ``single_hessian``: from float32 products, checked (see
        :meth:`BinomialKernels.block_pass`; a failed check turns them off
        for every later class Hessian, ``single_hessians``)."""
        if stride not in self._samples:
            self._samples[stride] = strided_rows(self.X, self.y,
                                                 self.sample_weight, stride)
        X, y, s = self._samples[stride]
        kernels = BinomialKernels(X, (y == k).astype(np.float64), s, self.C,
                                  self.fit_intercept)
        single = single_hessian and self.single_hessians
        kernels.block_pass(coef, np.empty(coef.shape[0]), hess,
                           kernels.new_scores(), single_hessian=single)
        if single and not kernels.single_hessians:
            self.single_hessians = False


class InMemoryMargins:
    """What ``_solvers.separation.SeparationMonitor`` reads of in-memory
    data.

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)
        Kept by reference for the duration of the fit (to scale the
        features in the warning); never copied.
    y : ndarray of shape (n_samples,)
        Labels in {0, 1}.
    sample_weight : ndarray of shape (n_samples,)
    """

    def __init__(self, X, y, sample_weight):
        self._X = X
        self._sample_weight = sample_weight
        active = sample_weight > 0
        self._sign = (2.0 * y - 1.0)[active]
        self._active = None if active.all() else active
        self.n_features = X.shape[1]
        self.n_active = int(self._sign.shape[0])

    def snapshot(self, z):
        """A copy of the solver's scores ``z`` (its buffer is reused)."""
        return (z if self._active is None else z[self._active]).copy()

    def margin_range(self, z, before):
        """Largest and smallest margin change ``(2y - 1) (z - before)``
        over the samples of positive weight, and the step's record for
        :meth:`count_above` (here the margins)."""
        if self._active is not None:
            z = z[self._active]
        margins = np.subtract(z, before)
        margins *= self._sign
        return float(margins.max()), float(margins.min()), margins

    def margins_at(self, z):
        """Largest and smallest margin ``(2y - 1) z`` of the scores ``z``
        themselves, and the margins."""
        if self._active is not None:
            z = z[self._active]
        margins = np.multiply(z, self._sign)
        return float(margins.max()), float(margins.min()), margins

    def count_above(self, step, threshold):
        """Samples whose margin grew by more than ``threshold`` in the
        step ``margin_range`` recorded."""
        return int(np.count_nonzero(step > threshold))

    def separating_direction(self, fit_intercept):
        """The linear program of ``_solvers.separation`` on the samples of
        positive weight: a separating direction (intercept last), the
        largest and smallest margin and the margins; None if there is none
        or the program would be too large."""
        X = self._X if self._active is None else self._X[self._active]
        if _nonzeros(X) + X.shape[0] > LP_MAX_NONZEROS:
            return None
        scale = _column_scale(self.column_rms())
        design = _scaled_design(X, scale, fit_intercept)
        found = separating_direction(design.multiply(self._sign[:, None])
                                     .tocsr())
        if found is None:
            return None
        d, margins = found
        direction = d.copy()
        direction[:X.shape[1]] *= scale
        return (direction, float(margins.max()), float(margins.min()),
                margins)

    def column_rms(self):
        """Weighted root mean square of each column of X."""
        s = self._sample_weight
        # without an n x p temporary
        if sp.issparse(self._X):
            square_sums = np.asarray(self._X.multiply(self._X).T @ s)
        else:
            square_sums = np.einsum("i,ij,ij->j", s, self._X, self._X,
                                    dtype=np.float64)
        return np.sqrt(square_sums / float(s.sum()))


# The linear program's verdict (``_solvers.separation.SeparationMonitor.finish``, step 3), on
# columns scaled to unit root mean square and a direction in [-1, 1]^k:
# separation when the largest margin reaches LP_MIN_BEST and no sample's
# margin is below -LP_SLACK times it (HiGHS' own feasibility tolerance is
# 1e-7).
LP_MIN_BEST = 1e-3
LP_SLACK = 1e-6


def separating_direction(A):
    """A (quasi-)separating direction of the constraint rows ``A``, or None.

    Solves the linear program of Konis (2007, R's safeBinaryRegression):
    maximize ``sum(A d)`` subject to ``A d >= 0`` and ``-1 <= d <= 1``.  Its
    optimum is 0 exactly when no direction improves every sample's fit
    without worsening any -- the maximum-likelihood estimate exists -- and
    positive otherwise, ``d`` then being a separating direction.  The
    answer is checked in float64 (``A d`` recomputed).

    Parameters
    ----------
    A : ndarray or scipy.sparse matrix of shape (n_rows, n_coef)
        One row per sample (binary: ``(2 y - 1) x~``) or per sample and
        other class (multinomial), columns scaled to unit root mean square.

    Returns
    -------
    (d, margins) or None
    """
    from scipy.optimize import linprog

    c = -np.asarray(A.sum(axis=0), dtype=np.float64).ravel()
    solution = linprog(c, A_ub=-A, b_ub=np.zeros(A.shape[0]),
                       bounds=(-1.0, 1.0), method="highs")
    if solution.status != 0 or solution.x is None:
        return None
    d = np.asarray(solution.x, dtype=np.float64)
    margins = np.asarray(A @ d, dtype=np.float64).ravel()
    best = float(margins.max(initial=0.0))
    if best < LP_MIN_BEST or float(margins.min()) < -LP_SLACK * best:
        return None
    # Separated: complete if one direction puts every row strictly on its
    # side -- maximize t subject to A d >= t (the simplex vertex above
    # leaves rows tied at 0 even then).
    n_rows, n_coef = A.shape
    ones = sp.csr_matrix(np.ones((n_rows, 1)))
    strict = linprog(np.r_[np.zeros(n_coef), -1.0],
                     A_ub=sp.hstack([-sp.csr_matrix(A), ones]),
                     b_ub=np.zeros(n_rows),
                     bounds=[(-1.0, 1.0)] * n_coef + [(0.0, None)],
                     method="highs")
    if strict.status == 0 and strict.x is not None:
        d_strict = np.asarray(strict.x[:n_coef], dtype=np.float64)
        strict_margins = np.asarray(A @ d_strict, dtype=np.float64).ravel()
        if float(strict_margins.min()) >= LP_MIN_BEST * LP_SLACK:
            return d_strict, strict_margins
    return d, margins


def _scaled_design(X, scale, fit_intercept):
    """``[X * scale, 1]`` (the ones column when ``fit_intercept``) as a CSR
    matrix: the linear program's columns."""
    Xs = sp.csr_matrix(X, dtype=np.float64) @ sp.diags(scale)
    if fit_intercept:
        Xs = sp.hstack([Xs, np.ones((X.shape[0], 1))], format="csr")
    return sp.csr_matrix(Xs)


def _column_scale(rms):
    """1 / rms, 0 for all-zero columns (left out of the program)."""
    return np.divide(1.0, rms, out=np.zeros_like(rms), where=rms > 0.0)


def _nonzeros(X):
    return X.nnz if sp.issparse(X) else X.size


class InMemorySoftmaxMargins(InMemoryMargins):
    """:class:`InMemoryMargins` of a multinomial problem.

    The margin of a sample is its own class's score minus the best other
    class's: a step with no sample's margin falling and some rising by at
    least ``_solvers.separation.MIN_MOVE`` is a separation certificate, as
    for the binary model (the loss of every sample is then non-increasing
    along it forever).

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,), int
        Class indices.
    sample_weight : ndarray of shape (n_samples,)
    n_classes : int
    """

    def __init__(self, X, y, sample_weight, n_classes):
        self._X = X
        self._sample_weight = sample_weight
        active = sample_weight > 0
        self._labels = np.asarray(y, dtype=np.intp)[active]
        self._active = None if active.all() else active
        self.n_classes = n_classes
        self.n_features = X.shape[1]
        self.n_active = int(self._labels.shape[0])

    def _margins(self, change):
        """Own class minus the best other class, per active sample, of
        the (active rows') score changes ``change`` (overwritten)."""
        rows = np.arange(change.shape[0])
        own = change[rows, self._labels].copy()
        change[rows, self._labels] = -np.inf
        margins = own - change.max(axis=1)
        return float(margins.max()), float(margins.min()), margins

    def margin_range(self, z, before):
        """Largest and smallest margin change over the samples of positive
        weight, and the margins (the step's record)."""
        if self._active is not None:
            z = z[self._active]
        return self._margins(np.subtract(z, before))

    def margins_at(self, z):
        """Largest and smallest margin of the scores ``z`` themselves, and
        the margins."""
        z = z if self._active is None else z[self._active]
        return self._margins(np.array(z, dtype=np.float64, copy=True))

    def separating_direction(self, fit_intercept):
        """The linear program of ``_solvers.separation``: a (K, k1)
        separating direction (the last class pinned at zero), the largest
        and smallest margin, and the margins per sample (the smallest over
        its other classes); None if there is none or the program would be
        too large."""
        K = self.n_classes
        X = self._X if self._active is None else self._X[self._active]
        k1 = X.shape[1] + (1 if fit_intercept else 0)
        if 2 * (K - 1) * (_nonzeros(X) + X.shape[0]) > LP_MAX_NONZEROS:
            return None
        scale = _column_scale(self.column_rms())
        design = _scaled_design(X, scale, fit_intercept)
        m = X.shape[0]
        other = np.tile(np.arange(K), (m, 1))
        mask = other != self._labels[:, None]
        sample = np.repeat(np.arange(m), K - 1)
        others = other[mask]
        rows = design[sample]
        # row (i, k): x~_i in class y_i's block minus x~_i in class k's,
        # the last class's block dropped (pinned at zero)
        blocks = [rows.multiply(((self._labels[sample] == c).astype(float)
                                 - (others == c))[:, None])
                  for c in range(K - 1)]
        found = separating_direction(sp.hstack(blocks, format="csr"))
        if found is None:
            return None
        d, row_margins = found
        per_sample = row_margins.reshape(m, K - 1).min(axis=1)
        direction = np.zeros((K, k1))
        direction[:K - 1] = d.reshape(K - 1, k1)
        direction[:, :X.shape[1]] *= scale
        return (direction, float(per_sample.max()), float(per_sample.min()),
                per_sample)


class InMemoryData:
    """One fit's in-memory data, as ``clogit._fitting`` sees it.

    Parameters
    ----------
    X : ndarray or scipy.sparse matrix of shape (n_samples, n_features)
        Validated (``clogit._validation.as_blas_matrix``).
    y_encoded : ndarray of shape (n_samples,)
        Class indices into ``classes``.
    sample_weight : ndarray of shape (n_samples,), float64
    classes : ndarray of shape (n_classes,)
    groups : ndarray of shape (n_samples,), int32, optional
        Cluster codes in ``[0, n_groups)`` (``cov_type="cluster"``).

    Attributes
    ----------
    totals : ndarray of shape (n_classes,)
        The weighted class totals.
    retains_data : bool
        True: the kernels made here reference X (never a copy), so
        inference may run a pass over it after the fit, on demand.
    """

    sparse: bool
    retains_data = True
    # Set by the estimator (see clogit._scaling): the sample weights are
    # the given ones times 2**-weight_shift; log2_norm2 bounds log2|X|_F^2.
    weight_shift: int = 0
    log2_norm2: float | None = None

    def __init__(self, X, y_encoded, sample_weight, classes, groups=None):
        self.X = X
        self.y_encoded = y_encoded
        self.sample_weight = sample_weight
        self.classes = classes
        self.groups = groups
        self.n_samples, self.n_features = X.shape
        self.sparse = sp.issparse(X)
        self.totals = np.bincount(y_encoded, weights=sample_weight,
                                  minlength=len(classes)).astype(np.float64)

    def _weights(self, table):
        if table is None:
            return self.sample_weight
        return self.sample_weight * table[self.y_encoded]

    def binomial(self, positive, table, C, fit_intercept, sums=None):
        """The :class:`BinomialKernels` of class ``positive`` against the
        rest, samples weighted by ``table[class]`` (None: by one)."""
        y = (self.y_encoded == positive).astype(np.float64)
        return BinomialKernels(self.X, y, self._weights(table), C,
                               fit_intercept, self.groups)

    def softmax(self, table, C, fit_intercept, sums=None):
        """The :class:`SoftmaxKernels` of the multinomial problem."""
        return SoftmaxKernels(self.X, self.y_encoded.astype(np.int32),
                              self._weights(table), C, fit_intercept,
                              len(self.classes), self.groups)

    def ovr(self, table, C, fit_intercept):
        """The :class:`OvrKernels` of One-vs-Rest, every problem's samples
        weighted by ``table[class]`` (None: by one)."""
        return OvrKernels(self.X, self.y_encoded.astype(np.int32),
                          self._weights(table), C, fit_intercept,
                          len(self.classes))

    def margins(self, kernels):
        """What the separation monitor reads of ``kernels``' problem."""
        return InMemoryMargins(self.X, kernels.y, kernels.sample_weight)

    def softmax_margins(self, kernels):
        """What the separation monitor reads of a multinomial problem."""
        return InMemorySoftmaxMargins(self.X, kernels.y,
                                      kernels.sample_weight,
                                      kernels.n_classes)

    def map(self, function, items, n_threads):
        """``function`` over the problems, in ``n_threads`` threads."""
        return map_in_threads(function, items, n_threads)
