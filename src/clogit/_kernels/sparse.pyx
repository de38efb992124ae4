"""Cython kernels of the binomial (logistic) model for scipy.sparse X.

The sparse twins of ``clogit._kernels.binomial``: the same quantities, with the same
semantics and output buffers, computed from the three arrays of a CSR or CSC
matrix (``data``, ``indices``, ``indptr``) without ever densifying X.  Each
kernel comes in a ``csr_`` and a ``csc_`` flavour, fused over float32 /
float64 ``data`` (Cython's ``floating``) and int32 / int64 indices
(``index_t``; ``indices`` and ``indptr`` share one dtype, as scipy keeps
them).  Every input is a ``const`` memoryview, so read-only and
memory-mapped matrices work as they are.  Products and sums are accumulated
in float64; float32 values are converted one at a time.

Layout and parallelism
----------------------
A CSR matrix is a sequence of rows, and every kernel here is one pass over
them; ``indptr`` holds absolute offsets into ``data``/``indices``, so a
caller splits the rows into chunks by passing a slice ``indptr[a:b + 1]``
with the full ``data`` and ``indices`` (``clogit._backends.memory`` runs the chunks
in threads, the kernels release the GIL).  A CSC matrix is a sequence of
columns; its kernels run over all rows at once.

What is computed
----------------
With ``Xc`` = X or its ``columns`` (the proximal Newton working set; every
other coefficient is then taken to be zero), ``Xt`` = Xc with a column of
ones appended when ``fit_intercept`` (never materialized), ``z = Xt @ coef``
and ``h_i`` per-sample Hessian weights:

* ``*_matvec``: ``z``;
* ``*_rmatvec``: ``X.T @ r``;
* ``*_block_pass``: ``C * sum(s * loss)``, the gradient ``Xt.T @ r`` with
  ``r = C s (sigmoid(z) - y)`` and optionally the Hessian
  ``Xt.T diag(C s p (1 - p)) Xt``, as ``_binomial.block_pass``;
* ``*_hessian_vector``: ``Xt.T @ (h * (Xt @ v))``, the product Newton-CG
  needs, without forming the Hessian;
* ``*_hessian_diagonal``: ``diag(Xt.T diag(h) Xt)``, its preconditioner;
* ``*_softmax_pass`` / ``*_softmax_scores``: the multinomial twins of
  ``_softmax.softmax_pass`` / ``softmax_scores``.

The passes also give what robust (sandwich) covariances need, in the same
read of X: the meat ``sum_i s_i g_i g_i^T`` of the per-sample scores
``g_i`` (accumulated pair by pair as the Hessian, with the weight
``s_i r_i^2`` in place of ``h_i``) and the score sums of each cluster
(``meat_out``, ``groups``, ``group_scores_out``, as ``_binomial.block_pass``).

The dense (k+1) x (k+1) Hessian is accumulated from the nonzeros of each
row, pair by pair, into its lower triangle: ``nnz_i^2 / 2`` multiply-adds
per row instead of the ``k^2 / 2`` of a dense row.  A CSC matrix is
regrouped by rows for this, one block of rows at a time (a bounded buffer,
never a copy of X).

Preconditions (``clogit._validation.as_blas_matrix`` establishes them):
indices in range, and -- for the CSC Hessians and ``*_hessian_diagonal``
-- canonical format (indices sorted within each row/column, no
duplicates).  The other kernels accept any valid matrix (duplicate entries
add up, as in scipy); the CSC Hessians refuse row indices out of order
across their row blocks instead of reading out of bounds.
"""

from libc.math cimport exp, fabs, log
from libc.stdint cimport int32_t, int64_t
from libc.stdlib cimport free, malloc, realloc
from libc.string cimport memcpy, memset

from .blas cimport floating
from .coordinate cimport _coordinate_update
from .rows cimport _check_groups
from .scalar cimport (clogit_binomial_point, clogit_hess_weight,
                      clogit_sum_add)

ctypedef fused index_t:
    int32_t
    int64_t

# Nonzeros of a CSC matrix regrouped by rows at a time for the Hessian
# (positions and values: 16 bytes each, so about 4 MB).
DEF REGROUP_ENTRIES = 262144


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------
cdef Py_ssize_t *_column_positions(const int[::1] columns,
                                   Py_ssize_t p) except NULL:
    """``pos[j]`` = index of feature j in ``columns``, -1 if absent.

    The caller frees the array.  Raises on out-of-range or repeated columns
    (a repeated column would be counted twice).
    """
    cdef Py_ssize_t j, a, k = columns.shape[0]
    cdef Py_ssize_t *pos = <Py_ssize_t *>malloc(max(p, 1) * sizeof(Py_ssize_t))
    if pos == NULL:
        raise MemoryError()
    for j in range(p):
        pos[j] = -1
    for a in range(k):
        j = columns[a]
        if j < 0 or j >= p or pos[j] != -1:
            free(pos)
            raise ValueError("columns must be distinct features in "
                             f"[0, {p}), got {j} out of range or repeated")
        pos[j] = a
    return pos


cdef inline Py_ssize_t _position(Py_ssize_t j,
                                 const Py_ssize_t *pos) noexcept nogil:
    """Index of feature j among the coefficients (-1: not selected)."""
    return j if pos == NULL else pos[j]


cdef inline Py_ssize_t _column(Py_ssize_t a, const int *cols) noexcept nogil:
    """Feature of coefficient a (``cols == NULL``: all features in order)."""
    return a if cols == NULL else cols[a]


cdef void _add_outer(double *H, Py_ssize_t ld, const Py_ssize_t *pos,
                     const double *val, Py_ssize_t m, double h,
                     Py_ssize_t intercept) noexcept nogil:
    """Lower triangle of H += h * xt xt^T for one sparse row ``xt``.

    The row has ``m`` entries ``val`` at coefficient positions ``pos``, plus a
    1 at position ``intercept`` when that is >= 0.  H is column-major with
    leading dimension ``ld``.  Each unordered pair of entries lands once in
    the lower triangle; two entries of the same position (a duplicate
    column, possible in a non-canonical CSR row) contribute to the diagonal
    twice, as both orders of the pair do in ``(sum x)^2``.
    """
    cdef Py_ssize_t u, v, au, av
    cdef double t
    for u in range(m):
        au = pos[u]
        t = h * val[u]
        for v in range(u):
            av = pos[v]
            if au > av:
                H[au + av * ld] += t * val[v]
            elif au < av:
                H[av + au * ld] += t * val[v]
            else:
                H[au + au * ld] += 2.0 * t * val[v]
        H[au + au * ld] += t * val[u]
        if intercept >= 0:
            H[intercept + au * ld] += t
    if intercept >= 0:
        H[intercept + intercept * ld] += h


cdef void _symmetrize(double[::1, :] H) noexcept nogil:
    """Copy the lower triangle of H into its upper triangle."""
    cdef Py_ssize_t i, j, k1 = H.shape[0]
    for j in range(k1):
        for i in range(j + 1, k1):
            H[j, i] = H[i, j]


cdef _check_pass(Py_ssize_t n, Py_ssize_t k1, const double[::1] y,
                 const double[::1] sample_weight, const double[::1] coef,
                 double[::1] grad, double[::1, :] hess, double[::1] z_out,
                 double[::1] residual_out):
    """The shape checks of ``_binomial.block_pass``."""
    if y.shape[0] != n or sample_weight.shape[0] != n:
        raise ValueError("y and sample_weight must have X.shape[0] entries")
    if coef.shape[0] != k1 or grad.shape[0] != k1:
        raise ValueError("coef and grad must have n_features (+1) entries")
    if hess is not None and (hess.shape[0] != k1 or hess.shape[1] != k1):
        raise ValueError("hess must be (n_features (+1))^2")
    if z_out is not None and z_out.shape[0] != n:
        raise ValueError("z_out must have X.shape[0] entries")
    if residual_out is not None and residual_out.shape[0] != n:
        raise ValueError("residual_out must have X.shape[0] entries")


cdef _check_robust(Py_ssize_t n, Py_ssize_t width, double[::1, :] meat_out,
                   const int[::1] groups, double[:, ::1] group_scores_out,
                   Py_ssize_t *n_groups):
    """The checks of the robust-covariance outputs; sets ``n_groups``."""
    n_groups[0] = 0
    if meat_out is not None and (meat_out.shape[0] != width
                                 or meat_out.shape[1] != width):
        raise ValueError("meat_out must be square, one row per coefficient")
    if group_scores_out is not None:
        n_groups[0] = _check_groups(groups, group_scores_out, n, width)


# ---------------------------------------------------------------------------
# pointwise
# ---------------------------------------------------------------------------
def hessian_weights(const double[::1] z, const double[::1] sample_weight,
                    double C, double[::1] out):
    """``out[:] = C * s * sigmoid(z) * (1 - sigmoid(z))``, stably.

    The per-sample weights of the Hessian at scores ``z`` (for
    ``*_hessian_vector`` and ``*_hessian_diagonal``); never reads X.
    """
    cdef Py_ssize_t i, n = z.shape[0]
    if sample_weight.shape[0] != n or out.shape[0] != n:
        raise ValueError("shape mismatch in hessian_weights")
    with nogil:
        for i in range(n):
            out[i] = C * sample_weight[i] * clogit_hess_weight(z[i])


# ---------------------------------------------------------------------------
# CSR
# ---------------------------------------------------------------------------
def csr_matvec(const floating[::1] data, const index_t[::1] indices,
               const index_t[::1] indptr, Py_ssize_t n_cols,
               const double[::1] coef, bint fit_intercept, double[::1] out,
               const int[::1] columns=None):
    """``out[:] = Xc @ coef[:k] (+ coef[k])`` for the rows of ``indptr``.

    ``Xc`` is X, or its ``columns`` when given (other coefficients zero).
    """
    cdef Py_ssize_t n = indptr.shape[0] - 1
    cdef Py_ssize_t k = n_cols if columns is None else columns.shape[0]
    cdef Py_ssize_t k1 = k + (1 if fit_intercept else 0)
    cdef Py_ssize_t *pos = NULL
    cdef Py_ssize_t i, q, a
    cdef double acc, b
    if coef.shape[0] != k1 or out.shape[0] != n:
        raise ValueError("shape mismatch in csr_matvec")
    if n == 0:
        return
    if columns is not None:
        pos = _column_positions(columns, n_cols)
    b = coef[k] if fit_intercept else 0.0
    with nogil:
        for i in range(n):
            acc = b
            for q in range(indptr[i], indptr[i + 1]):
                a = _position(indices[q], pos)
                if a >= 0:
                    acc += data[q] * coef[a]
            out[i] = acc
    free(pos)


def csr_rmatvec(const floating[::1] data, const index_t[::1] indices,
                const index_t[::1] indptr, Py_ssize_t n_cols,
                const double[::1] r, double[::1] out):
    """``out[:] = X.T @ r`` (float64) for the rows of ``indptr``."""
    cdef Py_ssize_t n = indptr.shape[0] - 1
    cdef Py_ssize_t i, q
    cdef double ri
    if r.shape[0] != n or out.shape[0] != n_cols:
        raise ValueError("shape mismatch in csr_rmatvec")
    if n_cols == 0:
        return
    with nogil:
        memset(&out[0], 0, n_cols * sizeof(double))
        for i in range(n):
            ri = r[i]
            if ri != 0.0:
                for q in range(indptr[i], indptr[i + 1]):
                    out[indices[q]] += ri * data[q]


def csr_block_pass(const floating[::1] data, const index_t[::1] indices,
                   const index_t[::1] indptr, Py_ssize_t n_cols,
                   const double[::1] y, const double[::1] sample_weight,
                   const double[::1] coef, bint fit_intercept, double C,
                   double[::1] grad, double[::1, :] hess=None,
                   double[::1] z_out=None, const int[::1] columns=None,
                   double[::1] residual_out=None,
                   double[::1, :] meat_out=None, const int[::1] groups=None,
                   double[:, ::1] group_scores_out=None):
    """Objective, gradient and (optionally) Hessian of the data term.

    ``_binomial.block_pass`` for the rows of a CSR matrix: returns
    ``C * sum(s * loss(y, z))`` and fills ``grad`` (and ``hess``, both
    triangles; ``z_out``; ``residual_out``; the robust covariances'
    ``meat_out`` and ``group_scores_out``) in one pass over the rows.
    """
    cdef Py_ssize_t n = indptr.shape[0] - 1
    cdef Py_ssize_t k = n_cols if columns is None else columns.shape[0]
    cdef Py_ssize_t k1 = k + (1 if fit_intercept else 0)
    cdef Py_ssize_t intercept = k if fit_intercept else -1
    cdef bint want_hess = hess is not None
    cdef bint want_z = z_out is not None
    cdef bint want_r = residual_out is not None
    cdef bint want_meat = meat_out is not None
    cdef bint want_groups = group_scores_out is not None
    cdef bint want_rows
    cdef Py_ssize_t *pos = NULL
    cdef Py_ssize_t *row_pos = NULL
    cdef double *row_val = NULL
    cdef Py_ssize_t i, q, q0, q1, a, m, g, longest = 0
    cdef Py_ssize_t n_groups = 0
    cdef double obj = 0.0, comp = 0.0, loss, prob, hw, s, zi, ri, b

    _check_pass(n, k1, y, sample_weight, coef, grad, hess, z_out,
                residual_out)
    _check_robust(n, k1, meat_out, groups, group_scores_out, &n_groups)
    want_rows = want_hess or want_meat
    if columns is not None:
        pos = _column_positions(columns, n_cols)
    if want_rows:
        for i in range(n):
            longest = max(longest, <Py_ssize_t>(indptr[i + 1] - indptr[i]))
        row_pos = <Py_ssize_t *>malloc(max(longest, 1) * sizeof(Py_ssize_t))
        row_val = <double *>malloc(max(longest, 1) * sizeof(double))
        if row_pos == NULL or row_val == NULL:
            free(pos)
            free(row_pos)
            free(row_val)
            raise MemoryError()
    b = coef[k] if fit_intercept else 0.0

    with nogil:
        if k1 > 0:
            memset(&grad[0], 0, k1 * sizeof(double))
        if want_hess and k1 > 0:
            memset(&hess[0, 0], 0, k1 * k1 * sizeof(double))
        if want_meat and k1 > 0:
            memset(&meat_out[0, 0], 0, k1 * k1 * sizeof(double))
        if want_groups and k1 > 0 and n_groups > 0:
            memset(&group_scores_out[0, 0], 0,
                   n_groups * k1 * sizeof(double))
        for i in range(n):
            q0 = indptr[i]
            q1 = indptr[i + 1]
            # 1. the score z_i = x_i . w + b
            zi = b
            for q in range(q0, q1):
                a = _position(indices[q], pos)
                if a >= 0:
                    zi += data[q] * coef[a]
            # 2. pointwise loss, residual, Hessian weight
            s = sample_weight[i]
            clogit_binomial_point(y[i], zi, &loss, &prob, &hw)
            clogit_sum_add(&obj, &comp, s * loss)
            ri = C * s * (prob - y[i])
            if want_z:
                z_out[i] = zi
            if want_r:
                residual_out[i] = ri
            if k1 == 0:
                continue
            # 3. grad += r_i x_i (the row is still in cache)
            for q in range(q0, q1):
                a = _position(indices[q], pos)
                if a >= 0:
                    grad[a] += ri * data[q]
            if fit_intercept:
                grad[k] += ri
            # 3b. the cluster's score sum S[g] += r_i x_i
            if want_groups:
                g = groups[i]
                for q in range(q0, q1):
                    a = _position(indices[q], pos)
                    if a >= 0:
                        group_scores_out[g, a] += ri * data[q]
                if fit_intercept:
                    group_scores_out[g, k] += ri
            # 4. H += h_i x_i x_i^T (and M += r_i^2 / s_i x_i x_i^T) over
            # the row's selected entries
            if want_rows and s != 0.0:
                m = 0
                for q in range(q0, q1):
                    a = _position(indices[q], pos)
                    if a >= 0:
                        row_pos[m] = a
                        row_val[m] = data[q]
                        m += 1
                if want_hess:
                    _add_outer(&hess[0, 0], k1, row_pos, row_val, m,
                               C * s * hw, intercept)
                if want_meat:
                    _add_outer(&meat_out[0, 0], k1, row_pos, row_val, m,
                               ri * ri / s, intercept)
        if want_hess:
            _symmetrize(hess)
        if want_meat:
            _symmetrize(meat_out)
    free(pos)
    free(row_pos)
    free(row_val)
    return C * (obj + comp)


def csr_hessian_vector(const floating[::1] data, const index_t[::1] indices,
                       const index_t[::1] indptr, Py_ssize_t n_cols,
                       const double[::1] weights, const double[::1] v,
                       bint fit_intercept, double[::1] out):
    """``out[:] = Xt.T @ (weights * (Xt @ v))``, one pass over the rows.

    The Hessian-vector product of Newton-CG with ``weights`` from
    :func:`hessian_weights`; each row is read once for both products.
    """
    cdef Py_ssize_t n = indptr.shape[0] - 1
    cdef Py_ssize_t k1 = n_cols + (1 if fit_intercept else 0)
    cdef Py_ssize_t i, q
    cdef double t, b
    if weights.shape[0] != n or v.shape[0] != k1 or out.shape[0] != k1:
        raise ValueError("shape mismatch in csr_hessian_vector")
    if k1 == 0:
        return
    b = v[n_cols] if fit_intercept else 0.0
    with nogil:
        memset(&out[0], 0, k1 * sizeof(double))
        for i in range(n):
            if weights[i] == 0.0:
                continue
            t = b
            for q in range(indptr[i], indptr[i + 1]):
                t += data[q] * v[indices[q]]
            t *= weights[i]
            for q in range(indptr[i], indptr[i + 1]):
                out[indices[q]] += t * data[q]
            if fit_intercept:
                out[n_cols] += t


def csr_hessian_diagonal(const floating[::1] data, const index_t[::1] indices,
                         const index_t[::1] indptr, Py_ssize_t n_cols,
                         const double[::1] weights, bint fit_intercept,
                         double[::1] out):
    """``out[:] = diag(Xt.T diag(weights) Xt)`` (canonical X: no duplicates).
    """
    cdef Py_ssize_t n = indptr.shape[0] - 1
    cdef Py_ssize_t k1 = n_cols + (1 if fit_intercept else 0)
    cdef Py_ssize_t i, q
    cdef double w, x
    if weights.shape[0] != n or out.shape[0] != k1:
        raise ValueError("shape mismatch in csr_hessian_diagonal")
    if k1 == 0:
        return
    with nogil:
        memset(&out[0], 0, k1 * sizeof(double))
        for i in range(n):
            w = weights[i]
            for q in range(indptr[i], indptr[i + 1]):
                x = data[q]
                out[indices[q]] += w * x * x
            if fit_intercept:
                out[n_cols] += w


# ---------------------------------------------------------------------------
# CSC
# ---------------------------------------------------------------------------
cdef void _csc_scores(const floating[::1] data, const index_t[::1] indices,
                      const index_t[::1] indptr, const int *cols,
                      Py_ssize_t k, const double *coef, double b,
                      Py_ssize_t n, double *z) noexcept nogil:
    """``z = Xc @ coef[:k] + b`` by columns (zero coefficients skipped)."""
    cdef Py_ssize_t i, a, j, q
    cdef double w
    for i in range(n):
        z[i] = b
    for a in range(k):
        w = coef[a]
        if w == 0.0:
            continue
        j = _column(a, cols)
        for q in range(indptr[j], indptr[j + 1]):
            z[indices[q]] += data[q] * w


cdef void _csc_dots(const floating[::1] data, const index_t[::1] indices,
                    const index_t[::1] indptr, const int *cols,
                    Py_ssize_t k, const double *r, double *out) noexcept nogil:
    """``out[a] = Xc[:, a] . r`` for a < k."""
    cdef Py_ssize_t a, j, q
    cdef double acc
    for a in range(k):
        j = _column(a, cols)
        acc = 0.0
        for q in range(indptr[j], indptr[j + 1]):
            acc += data[q] * r[indices[q]]
        out[a] = acc


cdef struct RowBlocks:
    # The selected columns of a CSC matrix regrouped by rows, one block of
    # rows [i0, i1) at a time: row r's entries are pos/val[start[r] :
    # start[r + 1]] (coefficient positions ascending, values as float64).
    Py_ssize_t n
    Py_ssize_t k
    Py_ssize_t block_rows
    Py_ssize_t capacity
    Py_ssize_t i0
    Py_ssize_t i1
    Py_ssize_t *cursor
    Py_ssize_t *start
    Py_ssize_t *fill
    Py_ssize_t *pos
    double *val


cdef int _row_blocks_init(RowBlocks *rb, const index_t[::1] indptr,
                          const int *cols, Py_ssize_t k,
                          Py_ssize_t n) noexcept nogil:
    """Allocate the regrouping buffers; 0, or -1 if out of memory."""
    cdef Py_ssize_t a, total = 0
    for a in range(k):
        total += indptr[_column(a, cols) + 1] - indptr[_column(a, cols)]
    # rows per block for about REGROUP_ENTRIES nonzeros (a block may hold
    # more: the buffer grows)
    rb.block_rows = n if total == 0 else max(
        256, <Py_ssize_t>(<double>n * REGROUP_ENTRIES / total))
    rb.block_rows = min(max(rb.block_rows, 1), max(n, 1))
    rb.n = n
    rb.k = k
    rb.capacity = REGROUP_ENTRIES
    rb.i0 = 0
    rb.i1 = 0
    rb.cursor = <Py_ssize_t *>malloc(max(k, 1) * sizeof(Py_ssize_t))
    rb.start = <Py_ssize_t *>malloc((rb.block_rows + 1) * sizeof(Py_ssize_t))
    rb.fill = <Py_ssize_t *>malloc((rb.block_rows + 1) * sizeof(Py_ssize_t))
    rb.pos = <Py_ssize_t *>malloc(rb.capacity * sizeof(Py_ssize_t))
    rb.val = <double *>malloc(rb.capacity * sizeof(double))
    if (rb.cursor == NULL or rb.start == NULL or rb.fill == NULL
            or rb.pos == NULL or rb.val == NULL):
        return -1
    for a in range(k):
        rb.cursor[a] = indptr[_column(a, cols)]
    return 0


cdef void _row_blocks_free(RowBlocks *rb) noexcept nogil:
    free(rb.cursor)
    free(rb.start)
    free(rb.fill)
    free(rb.pos)
    free(rb.val)


cdef int _row_blocks_next(RowBlocks *rb, const floating[::1] data,
                          const index_t[::1] indices,
                          const index_t[::1] indptr,
                          const int *cols) noexcept nogil:
    """Regroup the next block of rows.

    A cursor per column walks down it, so row indices must be sorted within
    columns.  Returns 1 for a new block, 0 when all rows are done, -1 when
    out of memory, -2 on unsorted indices.
    """
    cdef Py_ssize_t a, j, q, end, r, m, slot, i0, i1
    cdef void *grown
    if rb.i1 >= rb.n:
        return 0
    i0 = rb.i1
    m = min(rb.block_rows, rb.n - i0)
    i1 = i0 + m
    rb.i0 = i0
    rb.i1 = i1
    # 1. count the block's entries per row
    memset(rb.start, 0, (m + 1) * sizeof(Py_ssize_t))
    for a in range(rb.k):
        j = _column(a, cols)
        q = rb.cursor[a]
        end = indptr[j + 1]
        while q < end and indices[q] < i1:
            if indices[q] < i0:
                return -2  # unsorted: an earlier block's cursor passed it
            rb.start[indices[q] - i0 + 1] += 1
            q += 1
    for r in range(m):
        rb.start[r + 1] += rb.start[r]
    if rb.start[m] > rb.capacity:
        rb.capacity = rb.start[m]
        grown = realloc(rb.pos, rb.capacity * sizeof(Py_ssize_t))
        if grown == NULL:
            return -1
        rb.pos = <Py_ssize_t *>grown
        grown = realloc(rb.val, rb.capacity * sizeof(double))
        if grown == NULL:
            return -1
        rb.val = <double *>grown
    # 2. scatter them row by row (ascending positions within a row)
    memcpy(rb.fill, rb.start, m * sizeof(Py_ssize_t))
    for a in range(rb.k):
        j = _column(a, cols)
        q = rb.cursor[a]
        end = indptr[j + 1]
        while q < end and indices[q] < i1:
            slot = rb.fill[indices[q] - i0]
            rb.fill[indices[q] - i0] = slot + 1
            rb.pos[slot] = a
            rb.val[slot] = data[q]
            q += 1
        rb.cursor[a] = q
    return 1


cdef _raise_regroup(int status):
    if status == -1:
        raise MemoryError()
    if status == -2:
        raise ValueError("CSC row indices must be sorted within each column "
                         "(call X.sort_indices())")


cdef int _csc_hessian(const floating[::1] data, const index_t[::1] indices,
                      const index_t[::1] indptr, const int *cols,
                      Py_ssize_t k, Py_ssize_t n, const double *h,
                      Py_ssize_t intercept, double *H,
                      Py_ssize_t ld, const double *h2=NULL,
                      double *H2=NULL) noexcept nogil:
    """Lower triangle of H += Xt.T diag(h) Xt for CSC X (H zeroed by caller),
    and of H2 += Xt.T diag(h2) Xt from the same regrouped rows when ``H2``
    is given (H may then be NULL).

    Returns 0, or the error status of :func:`_row_blocks_next`.
    """
    cdef RowBlocks rb
    cdef Py_ssize_t r
    cdef int status = _row_blocks_init(&rb, indptr, cols, k, n)
    while status == 0:
        status = _row_blocks_next(&rb, data, indices, indptr, cols)
        if status != 1:
            break
        for r in range(rb.i1 - rb.i0):
            if H != NULL and h[rb.i0 + r] != 0.0:
                _add_outer(H, ld, rb.pos + rb.start[r], rb.val + rb.start[r],
                           rb.start[r + 1] - rb.start[r], h[rb.i0 + r],
                           intercept)
            if H2 != NULL and h2[rb.i0 + r] != 0.0:
                _add_outer(H2, ld, rb.pos + rb.start[r],
                           rb.val + rb.start[r],
                           rb.start[r + 1] - rb.start[r], h2[rb.i0 + r],
                           intercept)
        status = 0
    _row_blocks_free(&rb)
    return status


def csc_matvec(const floating[::1] data, const index_t[::1] indices,
               const index_t[::1] indptr, Py_ssize_t n_rows,
               const double[::1] coef, bint fit_intercept, double[::1] out,
               const int[::1] columns=None):
    """``out[:] = Xc @ coef[:k] (+ coef[k])`` for CSC X (see csr_matvec)."""
    cdef Py_ssize_t p = indptr.shape[0] - 1
    cdef Py_ssize_t k = p if columns is None else columns.shape[0]
    cdef Py_ssize_t k1 = k + (1 if fit_intercept else 0)
    cdef const int *cols = NULL
    cdef double b
    if coef.shape[0] != k1 or out.shape[0] != n_rows:
        raise ValueError("shape mismatch in csc_matvec")
    if n_rows == 0:
        return
    if columns is not None:
        free(_column_positions(columns, p))  # range and repetition checks
        if k > 0:
            cols = &columns[0]
    b = coef[k] if fit_intercept else 0.0
    with nogil:
        _csc_scores(data, indices, indptr, cols, k,
                    &coef[0] if k1 > 0 else NULL, b, n_rows, &out[0])


def csc_rmatvec(const floating[::1] data, const index_t[::1] indices,
                const index_t[::1] indptr, Py_ssize_t n_rows,
                const double[::1] r, double[::1] out):
    """``out[:] = X.T @ r`` (float64) for CSC X."""
    cdef Py_ssize_t p = indptr.shape[0] - 1
    if r.shape[0] != n_rows or out.shape[0] != p:
        raise ValueError("shape mismatch in csc_rmatvec")
    if p == 0:
        return
    if n_rows == 0:
        out[:] = 0.0
        return
    with nogil:
        _csc_dots(data, indices, indptr, NULL, p, &r[0], &out[0])


def csc_block_pass(const floating[::1] data, const index_t[::1] indices,
                   const index_t[::1] indptr, Py_ssize_t n_rows,
                   const double[::1] y, const double[::1] sample_weight,
                   const double[::1] coef, bint fit_intercept, double C,
                   double[::1] grad, double[::1, :] hess=None,
                   double[::1] z_out=None, const int[::1] columns=None,
                   double[::1] residual_out=None,
                   double[::1, :] meat_out=None, const int[::1] groups=None,
                   double[:, ::1] group_scores_out=None):
    """Objective, gradient and (optionally) Hessian for CSC X.

    Same results as :func:`csr_block_pass`, computed by columns: scores by
    scattering the selected columns, pointwise terms per sample, gradient
    entries as column dot products, and the Hessian from the nonzeros
    regrouped by rows a block at a time (row indices must be sorted within
    columns).  Uses O(n) float64 scratch for scores, residuals and weights.
    The robust covariances' meat comes from the same regrouped rows, the
    cluster score sums from the columns' nonzeros.
    """
    cdef Py_ssize_t n = n_rows, p = indptr.shape[0] - 1
    cdef Py_ssize_t k = p if columns is None else columns.shape[0]
    cdef Py_ssize_t k1 = k + (1 if fit_intercept else 0)
    cdef bint want_hess = hess is not None
    cdef const int *cols = NULL
    cdef double *z = NULL
    cdef double *r = NULL
    cdef double *h = NULL
    cdef double *h2 = NULL
    cdef double *scratch = NULL
    cdef bint want_meat = meat_out is not None
    cdef bint want_groups = group_scores_out is not None
    cdef Py_ssize_t i, a, j, q, g, n_groups = 0
    cdef int status = 0
    cdef double obj = 0.0, comp = 0.0, loss, prob, hw, s, b, total

    _check_pass(n, k1, y, sample_weight, coef, grad, hess, z_out,
                residual_out)
    _check_robust(n, k1, meat_out, groups, group_scores_out, &n_groups)
    if columns is not None:
        free(_column_positions(columns, p))  # range and repetition checks
        if k > 0:
            cols = &columns[0]
    if want_meat:
        meat_out[:, :] = 0.0
    if want_groups:
        group_scores_out[:, :] = 0.0
    if n == 0:
        grad[:] = 0.0
        if want_hess:
            hess[:, :] = 0.0
        return 0.0
    # scratch for whichever of z, r, h the caller does not provide
    scratch = <double *>malloc(4 * n * sizeof(double))
    if scratch == NULL:
        raise MemoryError()
    z = &z_out[0] if z_out is not None else scratch
    r = &residual_out[0] if residual_out is not None else scratch + n
    h = scratch + 2 * n
    h2 = scratch + 3 * n
    b = coef[k] if fit_intercept else 0.0

    with nogil:
        # 1. scores
        _csc_scores(data, indices, indptr, cols, k,
                    &coef[0] if k1 > 0 else NULL, b, n, z)
        # 2. pointwise loss, residual, Hessian weight
        total = 0.0
        for i in range(n):
            s = sample_weight[i]
            clogit_binomial_point(y[i], z[i], &loss, &prob, &hw)
            clogit_sum_add(&obj, &comp, s * loss)
            r[i] = C * s * (prob - y[i])
            h[i] = C * s * hw
            # the meat's weight s (C (p - y))^2
            h2[i] = r[i] * r[i] / s if s > 0.0 else 0.0
            total += r[i]
        # 3. gradient
        if k > 0:
            _csc_dots(data, indices, indptr, cols, k, r, &grad[0])
        if fit_intercept:
            grad[k] = total
        # 3b. cluster score sums S[g] += r_i x_i, column by column
        if want_groups and k1 > 0:
            for a in range(k):
                j = _column(a, cols)
                for q in range(indptr[j], indptr[j + 1]):
                    i = indices[q]
                    group_scores_out[groups[i], a] += r[i] * data[q]
            if fit_intercept:
                for i in range(n):
                    group_scores_out[groups[i], k] += r[i]
        # 4. Hessian (and the meat, from the same regrouped rows)
        if (want_hess or want_meat) and k1 > 0:
            if want_hess:
                memset(&hess[0, 0], 0, k1 * k1 * sizeof(double))
            status = _csc_hessian(
                data, indices, indptr, cols, k, n, h,
                k if fit_intercept else -1,
                &hess[0, 0] if want_hess else NULL, k1, h2,
                &meat_out[0, 0] if want_meat else NULL)
            if status == 0:
                if want_hess:
                    _symmetrize(hess)
                if want_meat:
                    _symmetrize(meat_out)
    free(scratch)
    _raise_regroup(status)
    return C * (obj + comp)


def csc_hessian_vector(const floating[::1] data, const index_t[::1] indices,
                       const index_t[::1] indptr, Py_ssize_t n_rows,
                       const double[::1] weights, const double[::1] v,
                       bint fit_intercept, double[::1] out):
    """``out[:] = Xt.T @ (weights * (Xt @ v))`` for CSC X (two passes)."""
    cdef Py_ssize_t n = n_rows, p = indptr.shape[0] - 1
    cdef Py_ssize_t k1 = p + (1 if fit_intercept else 0)
    cdef Py_ssize_t i
    cdef double *t
    cdef double total = 0.0
    if weights.shape[0] != n or v.shape[0] != k1 or out.shape[0] != k1:
        raise ValueError("shape mismatch in csc_hessian_vector")
    if k1 == 0:
        return
    if n == 0:
        out[:] = 0.0
        return
    t = <double *>malloc(n * sizeof(double))
    if t == NULL:
        raise MemoryError()
    with nogil:
        _csc_scores(data, indices, indptr, NULL, p, &v[0],
                    v[p] if fit_intercept else 0.0, n, t)
        for i in range(n):
            t[i] *= weights[i]
            total += t[i]
        if p > 0:
            _csc_dots(data, indices, indptr, NULL, p, t, &out[0])
        if fit_intercept:
            out[p] = total
    free(t)


cdef void _csc_square_sums(const floating[::1] data,
                           const index_t[::1] indices,
                           const index_t[::1] indptr, const int *cols,
                           Py_ssize_t k, const double[::1] weights,
                           bint fit_intercept, double *out) noexcept nogil:
    """``out[j] = sum_i weights_i x_ij^2`` for the k columns ``cols`` (the
    first k if NULL) of CSC X, then ``sum(weights)`` for the intercept."""
    cdef Py_ssize_t i, j, q, col
    cdef double acc, x
    for j in range(k):
        col = j if cols == NULL else cols[j]
        acc = 0.0
        for q in range(indptr[col], indptr[col + 1]):
            x = data[q]
            acc += weights[indices[q]] * x * x
        out[j] = acc
    if fit_intercept:
        acc = 0.0
        for i in range(weights.shape[0]):
            acc += weights[i]
        out[k] = acc


def csc_hessian_diagonal(const floating[::1] data, const index_t[::1] indices,
                         const index_t[::1] indptr, Py_ssize_t n_rows,
                         const double[::1] weights, bint fit_intercept,
                         double[::1] out):
    """``out[:] = diag(Xt.T diag(weights) Xt)`` for CSC X (canonical)."""
    cdef Py_ssize_t p = indptr.shape[0] - 1
    cdef Py_ssize_t k1 = p + (1 if fit_intercept else 0)
    if weights.shape[0] != n_rows or out.shape[0] != k1:
        raise ValueError("shape mismatch in csc_hessian_diagonal")
    if k1 == 0:
        return
    with nogil:
        _csc_square_sums(data, indices, indptr, NULL, p, weights,
                         fit_intercept, &out[0])


def csc_cd_quadratic(const floating[::1] data, const index_t[::1] indices,
                     const index_t[::1] indptr, const int[::1] columns,
                     const double[::1] weights, bint fit_intercept,
                     const double[::1] g, const double[::1] w, double l1,
                     double l2, double[::1] d, double[::1] Xd,
                     int max_sweeps, double tol):
    """``cd.cd_quadratic`` with the Hessian ``Xt.T diag(weights) Xt`` of
    the working set never formed (CSC X, ``Xt`` = X's ``columns`` with a
    column of ones appended when ``fit_intercept``).

    The same coordinate updates in the same order (the ``columns``, then
    the intercept): the model's gradient in coordinate j is
    ``g_j + x_j.(weights * Xd)``, with ``Xd = Xt @ d`` kept up to date, so
    a sweep costs one pass over the working set's nonzeros (plus n for the
    intercept) instead of k^2, and memory stays O(n + k) where the dense
    Hessian needs k^2 (9 GB at k = 34,000).  ``d`` (k + 1 or k entries) and
    ``Xd`` (n_rows) are updated in place and must agree on entry (zeros).
    Returns the sweeps run; ``tol`` as for ``cd_quadratic``.
    """
    cdef Py_ssize_t k = columns.shape[0], n = Xd.shape[0]
    cdef Py_ssize_t k1 = k + (1 if fit_intercept else 0)
    cdef Py_ssize_t p = indptr.shape[0] - 1
    cdef Py_ssize_t i, j, q, col
    cdef int sweep = 0
    cdef double hjj, delta, worst, acc, curvature
    cdef double *diag
    if (g.shape[0] != k1 or w.shape[0] != k1 or d.shape[0] != k1
            or weights.shape[0] != n):
        raise ValueError("shape mismatch in csc_cd_quadratic")
    for j in range(k):
        if columns[j] < 0 or columns[j] >= p:
            raise ValueError("columns out of range")
    if k1 == 0:
        return 0
    diag = <double *>malloc(k1 * sizeof(double))
    if diag == NULL:
        raise MemoryError()
    with nogil:
        _csc_square_sums(data, indices, indptr,
                         &columns[0] if k > 0 else NULL, k, weights,
                         fit_intercept, diag)
        while sweep < max_sweeps:
            sweep += 1
            worst = 0.0
            for j in range(k1):
                hjj = diag[j]
                acc = 0.0
                if j < k:
                    col = columns[j]
                    for q in range(indptr[col], indptr[col + 1]):
                        i = indices[q]
                        acc += data[q] * weights[i] * Xd[i]
                else:
                    for i in range(n):
                        acc += weights[i] * Xd[i]
                # the dense kernel's update and tie rule (_kernels/cd.pyx)
                if not _coordinate_update(hjj, g[j] + acc - hjj * d[j], w[j],
                                          g[j], acc, d[j], j < k, l1, l2,
                                          &delta, &curvature):
                    continue
                if delta != 0.0:
                    d[j] += delta
                    if j < k:
                        for q in range(indptr[col], indptr[col + 1]):
                            Xd[indices[q]] += delta * data[q]
                    else:
                        for i in range(n):
                            Xd[i] += delta
                    if (delta if delta > 0.0 else -delta) * curvature > worst:
                        worst = (delta if delta > 0.0 else -delta) * curvature
            if worst <= tol:
                break
    free(diag)
    return sweep


# ---------------------------------------------------------------------------
# multinomial (softmax): the sparse twins of _softmax.softmax_pass and
# _softmax.softmax_scores, same arguments after X's arrays
# ---------------------------------------------------------------------------
cdef void _add_block(double *B, Py_ssize_t ld, const Py_ssize_t *pos,
                     const double *val, Py_ssize_t m, double w,
                     Py_ssize_t intercept) noexcept nogil:
    """Full block B += w * xt xt^T for one sparse row (see _add_outer)."""
    cdef Py_ssize_t u, v, au
    cdef double t
    for u in range(m):
        au = pos[u]
        t = w * val[u]
        for v in range(m):
            B[au + pos[v] * ld] += t * val[v]
        if intercept >= 0:
            B[au + intercept * ld] += t
            B[intercept + au * ld] += t
    if intercept >= 0:
        B[intercept + intercept * ld] += w


cdef double _softmax_point(double *Z, Py_ssize_t K, Py_ssize_t label,
                           double cs, double *R) noexcept nogil:
    """Loss ``logsumexp(z) - z_label`` of one sample; ``Z`` (scores) becomes
    the probabilities and ``R`` the residuals ``cs * (p - onehot)``."""
    cdef Py_ssize_t c
    cdef double zmax = Z[0], zy, total = 0.0
    for c in range(1, K):
        if Z[c] > zmax:
            zmax = Z[c]
    zy = Z[label] - zmax  # before exp() can underflow it
    for c in range(K):
        Z[c] = exp(Z[c] - zmax)
        total += Z[c]
    for c in range(K):
        Z[c] /= total
        R[c] = cs * Z[c]
    R[label] -= cs
    return log(total) - zy


cdef void _add_softmax_row(double *H, Py_ssize_t width, Py_ssize_t k1,
                           Py_ssize_t n_fit, const Py_ssize_t *pos,
                           const double *val, Py_ssize_t m,
                           const double *prob, double cs,
                           Py_ssize_t intercept) noexcept nogil:
    """Lower triangle of H += cs (diag(p) - p p^T) (x) xt xt^T for one row:
    class pair (c, d) is the k1 x k1 block at (c k1, d k1)."""
    cdef Py_ssize_t c, d
    for c in range(n_fit):
        _add_outer(H + c * k1 * (width + 1), width, pos, val, m,
                   cs * prob[c] * (1.0 - prob[c]), intercept)
        for d in range(c):
            _add_block(H + c * k1 + d * k1 * width, width, pos, val, m,
                       -cs * prob[c] * prob[d], intercept)


cdef void _add_score_outer(double *M, Py_ssize_t width, Py_ssize_t k1,
                           Py_ssize_t n_fit, const Py_ssize_t *pos,
                           const double *val, Py_ssize_t m, const double *R,
                           double scale, Py_ssize_t intercept) noexcept nogil:
    """Lower triangle of M += scale (R R^T) (x) xt xt^T for one row: the
    outer product of its score ``R (x) xt`` (classes 0 .. n_fit-1)."""
    cdef Py_ssize_t c, d
    for c in range(n_fit):
        _add_outer(M + c * k1 * (width + 1), width, pos, val, m,
                   scale * R[c] * R[c], intercept)
        for d in range(c):
            _add_block(M + c * k1 + d * k1 * width, width, pos, val, m,
                       scale * R[c] * R[d], intercept)


cdef _check_softmax(Py_ssize_t n, Py_ssize_t p, const int[::1] y,
                    const double[::1] sample_weight,
                    const double[:, ::1] coef, bint fit_intercept,
                    const double[:, ::1] grad, double[::1, :] hess,
                    double[:, ::1] z_out, Py_ssize_t n_fit):
    """The checks of ``_softmax.softmax_pass``."""
    cdef Py_ssize_t i, K = coef.shape[0]
    cdef Py_ssize_t k1 = p + (1 if fit_intercept else 0)
    if y.shape[0] != n or sample_weight.shape[0] != n:
        raise ValueError("y and sample_weight must have X.shape[0] entries")
    if coef.shape[1] != k1 or K < 2 or not 0 < n_fit <= K:
        raise ValueError("coef must be (n_classes, n_features (+1))")
    if grad.shape[0] != n_fit or grad.shape[1] != k1:
        raise ValueError("grad must be (n_free, n_features (+1))")
    if hess is not None and (hess.shape[0] != n_fit * k1
                             or hess.shape[1] != n_fit * k1):
        raise ValueError("hess must be (n_free (n_features + 1))^2")
    if z_out is not None and (z_out.shape[0] != n or z_out.shape[1] != K):
        raise ValueError("z_out must be (n_samples, n_classes)")
    for i in range(n):
        if y[i] < 0 or y[i] >= K:
            raise ValueError("class indices must lie in [0, n_classes)")


def csr_softmax_pass(const floating[::1] data, const index_t[::1] indices,
                     const index_t[::1] indptr, Py_ssize_t n_cols,
                     const int[::1] y, const double[::1] sample_weight,
                     const double[:, ::1] coef, bint fit_intercept, double C,
                     double[:, ::1] grad, double[::1, :] hess=None,
                     double[:, ::1] z_out=None, Py_ssize_t n_free=-1,
                     double[::1, :] meat_out=None, const int[::1] groups=None,
                     double[:, ::1] group_scores_out=None):
    """``_softmax.softmax_pass`` for the rows of a CSR matrix: returns the
    multinomial data term and fills ``grad`` (n_free x k1), ``hess``
    ((n_free k1)^2, both triangles), ``z_out`` (n x K) and the robust
    covariances' ``meat_out`` and ``group_scores_out`` if given."""
    cdef Py_ssize_t n = indptr.shape[0] - 1, p = n_cols
    cdef Py_ssize_t K = coef.shape[0]
    cdef Py_ssize_t k1 = p + (1 if fit_intercept else 0)
    cdef Py_ssize_t n_fit = K if n_free < 0 else n_free
    cdef Py_ssize_t width = n_fit * k1
    cdef Py_ssize_t intercept = p if fit_intercept else -1
    cdef bint want_hess = hess is not None
    cdef bint want_meat = meat_out is not None
    cdef bint want_groups = group_scores_out is not None
    cdef Py_ssize_t i, q, c, m, j, g, n_groups = 0, longest = 0
    cdef double obj = 0.0, comp = 0.0, cs, x
    cdef double *Z
    cdef double *R
    cdef Py_ssize_t *row_pos = NULL
    cdef double *row_val = NULL

    _check_softmax(n, p, y, sample_weight, coef, fit_intercept, grad, hess,
                   z_out, n_fit)
    _check_robust(n, width, meat_out, groups, group_scores_out, &n_groups)
    if want_hess or want_meat:
        for i in range(n):
            longest = max(longest, <Py_ssize_t>(indptr[i + 1] - indptr[i]))
    Z = <double *>malloc(2 * K * sizeof(double))
    row_pos = <Py_ssize_t *>malloc(max(longest, 1) * sizeof(Py_ssize_t))
    row_val = <double *>malloc(max(longest, 1) * sizeof(double))
    if Z == NULL or row_pos == NULL or row_val == NULL:
        free(Z)
        free(row_pos)
        free(row_val)
        raise MemoryError()
    R = Z + K

    with nogil:
        memset(&grad[0, 0], 0, n_fit * k1 * sizeof(double))
        if want_hess:
            memset(&hess[0, 0], 0, width * width * sizeof(double))
        if want_meat:
            memset(&meat_out[0, 0], 0, width * width * sizeof(double))
        if want_groups and n_groups > 0:
            memset(&group_scores_out[0, 0], 0,
                   n_groups * width * sizeof(double))
        for i in range(n):
            # 1. scores
            for c in range(K):
                Z[c] = coef[c, p] if fit_intercept else 0.0
            for q in range(indptr[i], indptr[i + 1]):
                x = data[q]
                j = indices[q]
                for c in range(K):
                    Z[c] += x * coef[c, j]
            if z_out is not None:
                for c in range(K):
                    z_out[i, c] = Z[c]
            # 2. loss, probabilities (in Z), residuals
            cs = C * sample_weight[i]
            clogit_sum_add(&obj, &comp, sample_weight[i]
                           * _softmax_point(Z, K, y[i], cs, R))
            # 3. gradient
            for q in range(indptr[i], indptr[i + 1]):
                x = data[q]
                j = indices[q]
                for c in range(n_fit):
                    grad[c, j] += R[c] * x
            if fit_intercept:
                for c in range(n_fit):
                    grad[c, p] += R[c]
            # 3b. the cluster's score sum
            if want_groups:
                g = groups[i]
                for q in range(indptr[i], indptr[i + 1]):
                    x = data[q]
                    j = indices[q]
                    for c in range(n_fit):
                        group_scores_out[g, c * k1 + j] += R[c] * x
                if fit_intercept:
                    for c in range(n_fit):
                        group_scores_out[g, c * k1 + p] += R[c]
            # 4. Hessian (and the meat: R = C s (p - y), weight 1 / s)
            if (want_hess or want_meat) and cs != 0.0:
                m = 0
                for q in range(indptr[i], indptr[i + 1]):
                    row_pos[m] = indices[q]
                    row_val[m] = data[q]
                    m += 1
                if want_hess:
                    _add_softmax_row(&hess[0, 0], width, k1, n_fit, row_pos,
                                     row_val, m, Z, cs, intercept)
                if want_meat:
                    _add_score_outer(&meat_out[0, 0], width, k1, n_fit,
                                     row_pos, row_val, m, R,
                                     1.0 / sample_weight[i], intercept)
        if want_hess:
            _symmetrize(hess)
        if want_meat:
            _symmetrize(meat_out)
    free(Z)
    free(row_pos)
    free(row_val)
    return C * (obj + comp)


def csr_softmax_scores(const floating[::1] data, const index_t[::1] indices,
                       const index_t[::1] indptr, Py_ssize_t n_cols,
                       const double[:, ::1] coef, bint fit_intercept,
                       double[:, ::1] out):
    """``out = Xt @ coef.T`` (n x K) in float64 for the rows of a CSR X."""
    cdef Py_ssize_t n = indptr.shape[0] - 1, p = n_cols, K = coef.shape[0]
    cdef Py_ssize_t i, q, c, j
    cdef double x
    if (coef.shape[1] != p + (1 if fit_intercept else 0)
            or out.shape[0] != n or out.shape[1] != K):
        raise ValueError("shape mismatch in csr_softmax_scores")
    with nogil:
        for i in range(n):
            for c in range(K):
                out[i, c] = coef[c, p] if fit_intercept else 0.0
            for q in range(indptr[i], indptr[i + 1]):
                x = data[q]
                j = indices[q]
                for c in range(K):
                    out[i, c] += x * coef[c, j]


cdef void _csc_softmax_scores(const floating[::1] data,
                              const index_t[::1] indices,
                              const index_t[::1] indptr,
                              const double[:, ::1] coef, bint fit_intercept,
                              double *Z, Py_ssize_t n) noexcept nogil:
    """Z (n x K, row-major) = Xt @ coef.T by columns."""
    cdef Py_ssize_t p = indptr.shape[0] - 1, K = coef.shape[0]
    cdef Py_ssize_t i, j, q, c
    cdef double x
    for i in range(n):
        for c in range(K):
            Z[i * K + c] = coef[c, p] if fit_intercept else 0.0
    for j in range(p):
        for q in range(indptr[j], indptr[j + 1]):
            x = data[q]
            i = indices[q]
            for c in range(K):
                Z[i * K + c] += x * coef[c, j]


def csc_softmax_scores(const floating[::1] data, const index_t[::1] indices,
                       const index_t[::1] indptr, Py_ssize_t n_rows,
                       const double[:, ::1] coef, bint fit_intercept,
                       double[:, ::1] out):
    """``out = Xt @ coef.T`` (n x K) in float64 for CSC X."""
    cdef Py_ssize_t p = indptr.shape[0] - 1, K = coef.shape[0]
    if (coef.shape[1] != p + (1 if fit_intercept else 0)
            or out.shape[0] != n_rows or out.shape[1] != K):
        raise ValueError("shape mismatch in csc_softmax_scores")
    if n_rows == 0:
        return
    with nogil:
        _csc_softmax_scores(data, indices, indptr, coef, fit_intercept,
                            &out[0, 0], n_rows)


def csc_softmax_pass(const floating[::1] data, const index_t[::1] indices,
                     const index_t[::1] indptr, Py_ssize_t n_rows,
                     const int[::1] y, const double[::1] sample_weight,
                     const double[:, ::1] coef, bint fit_intercept, double C,
                     double[:, ::1] grad, double[::1, :] hess=None,
                     double[:, ::1] z_out=None, Py_ssize_t n_free=-1,
                     double[::1, :] meat_out=None, const int[::1] groups=None,
                     double[:, ::1] group_scores_out=None):
    """:func:`csr_softmax_pass` for CSC X: scores by columns, gradient by
    column dot products, Hessian (and meat) from the nonzeros regrouped by
    rows (row indices sorted within columns).  O(n K) float64 scratch."""
    cdef Py_ssize_t n = n_rows, p = indptr.shape[0] - 1
    cdef Py_ssize_t K = coef.shape[0]
    cdef Py_ssize_t k1 = p + (1 if fit_intercept else 0)
    cdef Py_ssize_t n_fit = K if n_free < 0 else n_free
    cdef Py_ssize_t width = n_fit * k1
    cdef bint want_hess = hess is not None
    cdef bint want_meat = meat_out is not None
    cdef bint want_groups = group_scores_out is not None
    cdef Py_ssize_t i, j, q, c, r, g, n_groups = 0
    cdef double obj = 0.0, comp = 0.0, x, acc
    cdef double *Z
    cdef double *R
    cdef RowBlocks rb
    cdef int status = 0

    _check_softmax(n, p, y, sample_weight, coef, fit_intercept, grad, hess,
                   z_out, n_fit)
    _check_robust(n, width, meat_out, groups, group_scores_out, &n_groups)
    grad[:, :] = 0.0
    if want_hess:
        hess[:, :] = 0.0
    if want_meat:
        meat_out[:, :] = 0.0
    if want_groups:
        group_scores_out[:, :] = 0.0
    if n == 0:
        return 0.0
    Z = <double *>malloc(2 * n * K * sizeof(double))
    if Z == NULL:
        raise MemoryError()
    R = Z + n * K

    with nogil:
        # 1. scores (row-major n x K)
        _csc_softmax_scores(data, indices, indptr, coef, fit_intercept, Z, n)
        if z_out is not None:
            memcpy(&z_out[0, 0], Z, n * K * sizeof(double))
        # 2. loss, probabilities (in Z), residuals (in R)
        for i in range(n):
            clogit_sum_add(&obj, &comp, sample_weight[i] * _softmax_point(
                Z + i * K, K, y[i], C * sample_weight[i], R + i * K))
        # 3. gradient by columns
        for j in range(p):
            for q in range(indptr[j], indptr[j + 1]):
                x = data[q]
                i = indices[q]
                for c in range(n_fit):
                    grad[c, j] += R[i * K + c] * x
        if fit_intercept:
            for c in range(n_fit):
                acc = 0.0
                for i in range(n):
                    acc += R[i * K + c]
                grad[c, p] = acc
        # 3b. cluster score sums, by columns
        if want_groups:
            for j in range(p):
                for q in range(indptr[j], indptr[j + 1]):
                    x = data[q]
                    i = indices[q]
                    g = groups[i]
                    for c in range(n_fit):
                        group_scores_out[g, c * k1 + j] += R[i * K + c] * x
            if fit_intercept:
                for i in range(n):
                    g = groups[i]
                    for c in range(n_fit):
                        group_scores_out[g, c * k1 + p] += R[i * K + c]
        # 4. Hessian (and meat), rows regrouped block by block
        if want_hess or want_meat:
            status = _row_blocks_init(&rb, indptr, NULL, p, n)
            while status == 0:
                status = _row_blocks_next(&rb, data, indices, indptr, NULL)
                if status != 1:
                    break
                for r in range(rb.i1 - rb.i0):
                    i = rb.i0 + r
                    if sample_weight[i] != 0.0 and want_hess:
                        _add_softmax_row(
                            &hess[0, 0], width, k1, n_fit,
                            rb.pos + rb.start[r], rb.val + rb.start[r],
                            rb.start[r + 1] - rb.start[r], Z + i * K,
                            C * sample_weight[i],
                            p if fit_intercept else -1)
                    if sample_weight[i] != 0.0 and want_meat:
                        _add_score_outer(
                            &meat_out[0, 0], width, k1, n_fit,
                            rb.pos + rb.start[r], rb.val + rb.start[r],
                            rb.start[r + 1] - rb.start[r], R + i * K,
                            1.0 / sample_weight[i],
                            p if fit_intercept else -1)
                status = 0
            _row_blocks_free(&rb)
            if status == 0:
                if want_hess:
                    _symmetrize(hess)
                if want_meat:
                    _symmetrize(meat_out)
    free(Z)
    _raise_regroup(status)
    return C * (obj + comp)
