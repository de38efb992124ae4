"""Row quadratic forms ``xt_i S xt_i^T`` by blocks of rows: the variances of
predictions and the leverages of Firth's method.

What is computed
----------------
With ``xt_i`` row i of X with a 1 appended when ``fit_intercept`` (never
materialized) and ``L`` a lower-triangular (k1 x k1) factor:

* :func:`row_quadratic_forms`: ``q_i = xt_i L L^T xt_i^T = |xt_i L|^2``
  (``S = L L^T``, e.g. the Cholesky factor of a covariance: the variance of
  the linear predictor), or with ``solve=True`` ``q_i = |L^-1 xt_i^T|^2``
  (``S = (L L^T)^-1``, L the Cholesky factor of a Hessian), and optionally
  the linear predictor ``xt_i . coef`` from the same read of the row;
* :func:`firth_leverage_pass`: the diagonal of the weighted hat matrix
  ``h_i = C s_i p_i (1 - p_i) xt_i I^-1 xt_i^T`` (``I = L L^T`` the Fisher
  information, ``p_i = sigmoid(z_i)``) and ``X~^T (h (1/2 - p))``, the
  term Firth's penalty adds to the score;
* :func:`row_block_quadratic_forms`: for E stacked equations (the contrasts
  of a multinomial model) the E x E matrices ``Q_i[j, l] = xt_i S_jl
  xt_i^T``, ``S = L L^T`` over the (E k1) coefficients, equation-major.

How
---
Each block of rows (sized to stay in cache) is copied into a float64
buffer ``B`` (float32 X converted there, never as a whole), transformed in
place by one level-3 BLAS call -- ``B L`` by dtrmm, ``B L^-T`` by dtrsm, or
``B L_j`` by dgemm for each equation's rows ``L_j`` of the factor -- and
the squared norms (or dot products) of its rows are summed: ``k1^2`` flops
per row for trmm/trsm, so O(n k1^2) per pass with O(block k1) extra memory,
no n x p temporary and no n x n hat matrix.  The ``csr_`` twins fill the
same buffer from the rows of a CSR matrix (``indptr`` may be a slice of a
larger matrix's, with absolute offsets, so callers run row chunks in
threads).  Every kernel releases the GIL.

Nothing here validates more than shapes: the Python layer checks that the
factor is finite and of the right size.
"""

from libc.stdint cimport int32_t, int64_t
from libc.stdlib cimport free, malloc
from libc.string cimport memcpy, memset

from .blas cimport floating, _gemm, _gemv, _trmm, _trsm
from .rows cimport _copy_block, _leading_dim
from .scalar cimport clogit_hess_weight, clogit_sigmoid

ctypedef fused index_t:
    int32_t
    int64_t

# Bytes of the float64 row buffer: as _binomial's Hessian blocks (level-3
# BLAS at full speed, the block in L2).
DEF BLOCK_BYTES = 262144


def block_rows_for(Py_ssize_t n_cols):
    """Rows per block for a buffer of ``n_cols`` float64 columns."""
    cdef Py_ssize_t rows = BLOCK_BYTES // (8 * max(n_cols, 1))
    return min(max(rows, 32), 4096)


# ---------------------------------------------------------------------------
# what is done to one block of rows in the float64 buffer ``buf``: row-major
# (c_order, leading dimension k1) or column-major (leading dimension m)
# ---------------------------------------------------------------------------
cdef inline double _at(const double *buf, Py_ssize_t i, Py_ssize_t j,
                       Py_ssize_t m, Py_ssize_t k1,
                       bint c_order) noexcept nogil:
    return buf[i * k1 + j] if c_order else buf[j * m + i]


cdef void _linear(const double *buf, Py_ssize_t m, Py_ssize_t k1,
                  bint c_order, const double *coef,
                  double *eta) noexcept nogil:
    """``eta = B @ coef`` (gemv)."""
    if c_order:
        _gemv[double](c'T', <int>k1, <int>m, 1.0, buf, <int>k1, coef, 1, 0.0,
                      eta, 1)
    else:
        _gemv[double](c'N', <int>m, <int>k1, 1.0, buf, <int>m, coef, 1, 0.0,
                      eta, 1)


cdef void _transform(double *buf, Py_ssize_t m, Py_ssize_t k1, bint c_order,
                     const double *L, bint solve) noexcept nogil:
    """Rows of B replaced by ``x L`` (trmm) or, ``solve``, ``x L^-T``
    (trsm: the transpose of ``L^-1 x^T``).  A row-major buffer is ``B^T``
    to BLAS (column-major k1 x m): there the same products act from the
    left."""
    if c_order:
        if solve:
            _trsm[double](c'L', c'L', c'N', c'N', <int>k1, <int>m, 1.0, L,
                          <int>k1, buf, <int>k1)
        else:
            _trmm[double](c'L', c'L', c'T', c'N', <int>k1, <int>m, 1.0, L,
                          <int>k1, buf, <int>k1)
    else:
        if solve:
            _trsm[double](c'R', c'L', c'T', c'N', <int>m, <int>k1, 1.0, L,
                          <int>k1, buf, <int>m)
        else:
            _trmm[double](c'R', c'L', c'N', c'N', <int>m, <int>k1, 1.0, L,
                          <int>k1, buf, <int>m)


cdef void _row_squares(const double *buf, Py_ssize_t m, Py_ssize_t k1,
                       bint c_order, double *q) noexcept nogil:
    """``q[i] = |row i of B|^2``."""
    cdef Py_ssize_t i, j
    cdef double t, acc
    if c_order:
        for i in range(m):
            acc = 0.0
            for j in range(k1):
                t = buf[i * k1 + j]
                acc += t * t
            q[i] = acc
    else:
        for i in range(m):
            q[i] = 0.0
        for j in range(k1):
            for i in range(m):
                t = buf[j * m + i]
                q[i] += t * t


cdef void _firth_block(const double *buf, double *work, Py_ssize_t m,
                       Py_ssize_t k1, bint c_order, const double *L,
                       const double *s, const double *z, double C,
                       double *hat, double *score) noexcept nogil:
    """Leverages ``hat = C s p (1-p) |L^-1 x|^2`` of the block's rows and
    ``score += B^T (hat (1/2 - p))``; ``work`` holds the solved copy."""
    cdef Py_ssize_t i
    cdef double p
    memcpy(work, buf, m * k1 * sizeof(double))
    _transform(work, m, k1, c_order, L, True)
    _row_squares(work, m, k1, c_order, hat)
    for i in range(m):
        hat[i] *= C * s[i] * clogit_hess_weight(z[i])
        p = clogit_sigmoid(z[i])
        # the score term's weights, into work's first m entries (its solved
        # rows are consumed)
        work[i] = hat[i] * (0.5 - p)
    if c_order:
        _gemv[double](c'N', <int>k1, <int>m, 1.0, buf, <int>k1, work, 1, 1.0,
                      score, 1)
    else:
        _gemv[double](c'T', <int>m, <int>k1, 1.0, buf, <int>m, work, 1, 1.0,
                      score, 1)


cdef void _equation_forms(const double *buf, double *G, Py_ssize_t m,
                          Py_ssize_t k1, Py_ssize_t E, bint c_order,
                          const double *L, double *Q) noexcept nogil:
    """``Q[i, j, l] = (x L_j) . (x L_l)`` for the block's rows, ``L_j`` the
    rows ``j k1 .. (j+1) k1`` of the lower-triangular (E k1)^2 factor; only
    its first ``(j+1) k1`` columns are nonzero, so G_j is that wide.  G
    holds E blocks of m x (E k1)."""
    cdef Py_ssize_t w = E * k1, j, l, i, c, nj, nl
    cdef double *Gj
    cdef double *Gl
    cdef double acc
    for j in range(E):
        nj = (j + 1) * k1
        Gj = G + j * m * w
        if c_order:
            # G_j^T (nj x m, ld w) = L_j^T B^T
            _gemm[double](c'T', c'N', <int>nj, <int>m, <int>k1, 1.0,
                          L + j * k1, <int>w, buf, <int>k1, 0.0, Gj, <int>w)
        else:
            # G_j (m x nj, ld m) = B L_j
            _gemm[double](c'N', c'N', <int>m, <int>nj, <int>k1, 1.0, buf,
                          <int>m, L + j * k1, <int>w, 0.0, Gj, <int>m)
    for j in range(E):
        Gj = G + j * m * w
        for l in range(j + 1):
            Gl = G + l * m * w
            nl = (l + 1) * k1
            for i in range(m):
                acc = 0.0
                if c_order:
                    for c in range(nl):
                        acc += Gj[i * w + c] * Gl[i * w + c]
                else:
                    for c in range(nl):
                        acc += Gj[c * m + i] * Gl[c * m + i]
                Q[(i * E + j) * E + l] = acc
                Q[(i * E + l) * E + j] = acc


# ---------------------------------------------------------------------------
# filling the buffer from CSR rows (row-major)
# ---------------------------------------------------------------------------
cdef void _copy_csr_block(const floating[::1] data,
                          const index_t[::1] indices,
                          const index_t[::1] indptr, Py_ssize_t i0,
                          Py_ssize_t m, Py_ssize_t p, bint intercept,
                          double *buf) noexcept nogil:
    """Rows i0..i0+m of the CSR matrix into the row-major buffer (k1 = p +
    intercept wide), duplicates summed, the intercept column last."""
    cdef Py_ssize_t k1 = p + intercept, i, a
    memset(buf, 0, m * k1 * sizeof(double))
    for i in range(m):
        for a in range(indptr[i0 + i], indptr[i0 + i + 1]):
            buf[i * k1 + indices[a]] += data[a]
        if intercept:
            buf[i * k1 + p] = 1.0


cdef _check_factor(const double[::1, :] factor, Py_ssize_t width):
    if factor.shape[0] != width or factor.shape[1] != width:
        raise ValueError(f"factor must be {width} x {width}")


cdef _check_csr(const index_t[::1] indices, const index_t[::1] indptr,
                Py_ssize_t p):
    """Offsets increasing and column indices in range (what the scatter
    writes through)."""
    cdef Py_ssize_t i, a, n = indptr.shape[0] - 1
    if n < 0:
        raise ValueError("indptr must have at least one entry")
    for i in range(n):
        if indptr[i] > indptr[i + 1]:
            raise ValueError("indptr must be non-decreasing")
    if n > 0 and (indptr[0] < 0 or indptr[n] > indices.shape[0]):
        raise ValueError("indptr out of range of indices")
    for a in range(indptr[0] if n > 0 else 0, indptr[n] if n > 0 else 0):
        if indices[a] < 0 or indices[a] >= p:
            raise ValueError("column indices out of range")


cdef double *_buffer(Py_ssize_t size) except NULL:
    cdef double *buf = <double *>malloc(max(size, 1) * sizeof(double))
    if buf == NULL:
        raise MemoryError()
    return buf


# ---------------------------------------------------------------------------
# prediction variances
# ---------------------------------------------------------------------------
cdef bint _prepare_forms(Py_ssize_t n, Py_ssize_t k1,
                         const double[::1, :] factor, double[::1] out,
                         const double[::1] coef,
                         double[::1] eta_out) except -1:
    """Shape checks of the row_quadratic_forms kernels; False when there
    is nothing to compute (no rows, or no coefficients: zeros)."""
    cdef bint want_eta = eta_out is not None
    _check_factor(factor, k1)
    if out.shape[0] != n:
        raise ValueError("out must have one entry per row")
    if want_eta and (coef is None or coef.shape[0] != k1
                     or eta_out.shape[0] != n):
        raise ValueError("eta_out needs coef of k1 entries and n entries")
    if k1 == 0:
        out[:] = 0.0
        if want_eta:
            eta_out[:] = 0.0
    return n > 0 and k1 > 0


def row_quadratic_forms(const floating[:, :] X, bint fit_intercept,
                        const double[::1, :] factor, double[::1] out,
                        bint solve=False, const double[::1] coef=None,
                        double[::1] eta_out=None, Py_ssize_t block_rows=0):
    """``out[i] = |xt_i L|^2`` (``solve``: ``|L^-1 xt_i^T|^2``) for the
    lower triangle ``L`` of ``factor`` (k1 x k1, F order), and
    ``eta_out[i] = xt_i . coef`` when both are given."""
    cdef Py_ssize_t n = X.shape[0], p = X.shape[1]
    cdef Py_ssize_t k1 = p + (1 if fit_intercept else 0)
    cdef bint c_order = False
    cdef int lda = _leading_dim(X, &c_order)
    cdef bint want_eta = eta_out is not None
    cdef Py_ssize_t m_max, i0, m
    cdef double *buf
    if not _prepare_forms(n, k1, factor, out, coef, eta_out):
        return
    m_max = min(block_rows if block_rows > 0 else block_rows_for(k1), n)
    buf = _buffer(m_max * k1)
    with nogil:
        i0 = 0
        while i0 < n:
            m = min(m_max, n - i0)
            _copy_block(X, i0, m, NULL, p, fit_intercept, c_order, buf)
            if want_eta:
                _linear(buf, m, k1, c_order, &coef[0], &eta_out[i0])
            _transform(buf, m, k1, c_order, &factor[0, 0], solve)
            _row_squares(buf, m, k1, c_order, &out[i0])
            i0 += m
    free(buf)


def csr_row_quadratic_forms(const floating[::1] data,
                            const index_t[::1] indices,
                            const index_t[::1] indptr, Py_ssize_t n_features,
                            bint fit_intercept, const double[::1, :] factor,
                            double[::1] out, bint solve=False,
                            const double[::1] coef=None,
                            double[::1] eta_out=None,
                            Py_ssize_t block_rows=0):
    """:func:`row_quadratic_forms` for the rows of a CSR matrix."""
    cdef Py_ssize_t n = indptr.shape[0] - 1, p = n_features
    cdef Py_ssize_t k1 = p + (1 if fit_intercept else 0)
    cdef bint want_eta = eta_out is not None
    cdef Py_ssize_t m_max, i0, m
    cdef double *buf
    _check_csr(indices, indptr, p)
    if not _prepare_forms(n, k1, factor, out, coef, eta_out):
        return
    m_max = min(block_rows if block_rows > 0 else block_rows_for(k1), n)
    buf = _buffer(m_max * k1)
    with nogil:
        i0 = 0
        while i0 < n:
            m = min(m_max, n - i0)
            _copy_csr_block(data, indices, indptr, i0, m, p, fit_intercept,
                            buf)
            if want_eta:
                _linear(buf, m, k1, True, &coef[0], &eta_out[i0])
            _transform(buf, m, k1, True, &factor[0, 0], solve)
            _row_squares(buf, m, k1, True, &out[i0])
            i0 += m
    free(buf)


cdef bint _prepare_equations(Py_ssize_t n, Py_ssize_t k1, Py_ssize_t E,
                             const double[::1, :] factor,
                             double[:, :, ::1] out) except -1:
    """Shape checks of the row_block_quadratic_forms kernels; False when
    there is nothing to compute."""
    if E < 1:
        raise ValueError("n_equations must be >= 1")
    _check_factor(factor, E * k1)
    if out.shape[0] != n or out.shape[1] != E or out.shape[2] != E:
        raise ValueError("out must be (n, n_equations, n_equations)")
    if k1 == 0:
        out[:, :, :] = 0.0
    return n > 0 and k1 > 0


def row_block_quadratic_forms(const floating[:, :] X, bint fit_intercept,
                              const double[::1, :] factor,
                              Py_ssize_t n_equations, double[:, :, ::1] out,
                              Py_ssize_t block_rows=0):
    """``out[i, j, l] = xt_i S_jl xt_i^T`` with ``S = L L^T`` over
    ``n_equations`` stacked coefficient vectors of k1 entries
    (equation-major; ``factor`` (E k1)^2, F order, lower-triangular with
    zeros above the diagonal: dgemm reads its row blocks whole)."""
    cdef Py_ssize_t n = X.shape[0], p = X.shape[1], E = n_equations
    cdef Py_ssize_t k1 = p + (1 if fit_intercept else 0)
    cdef bint c_order = False
    cdef int lda = _leading_dim(X, &c_order)
    cdef Py_ssize_t m_max, i0, m
    cdef double *buf
    cdef double *G
    if not _prepare_equations(n, k1, E, factor, out):
        return
    m_max = min(block_rows if block_rows > 0 else block_rows_for(E * k1), n)
    buf = _buffer(m_max * k1 * (1 + E * E))
    G = buf + m_max * k1
    with nogil:
        i0 = 0
        while i0 < n:
            m = min(m_max, n - i0)
            _copy_block(X, i0, m, NULL, p, fit_intercept, c_order, buf)
            _equation_forms(buf, G, m, k1, E, c_order, &factor[0, 0],
                            &out[i0, 0, 0])
            i0 += m
    free(buf)


def csr_row_block_quadratic_forms(const floating[::1] data,
                                  const index_t[::1] indices,
                                  const index_t[::1] indptr,
                                  Py_ssize_t n_features, bint fit_intercept,
                                  const double[::1, :] factor,
                                  Py_ssize_t n_equations,
                                  double[:, :, ::1] out,
                                  Py_ssize_t block_rows=0):
    """:func:`row_block_quadratic_forms` for the rows of a CSR matrix."""
    cdef Py_ssize_t n = indptr.shape[0] - 1, p = n_features, E = n_equations
    cdef Py_ssize_t k1 = p + (1 if fit_intercept else 0)
    cdef Py_ssize_t m_max, i0, m
    cdef double *buf
    cdef double *G
    _check_csr(indices, indptr, p)
    if not _prepare_equations(n, k1, E, factor, out):
        return
    m_max = min(block_rows if block_rows > 0 else block_rows_for(E * k1), n)
    buf = _buffer(m_max * k1 * (1 + E * E))
    G = buf + m_max * k1
    with nogil:
        i0 = 0
        while i0 < n:
            m = min(m_max, n - i0)
            _copy_csr_block(data, indices, indptr, i0, m, p, fit_intercept,
                            buf)
            _equation_forms(buf, G, m, k1, E, True, &factor[0, 0],
                            &out[i0, 0, 0])
            i0 += m
    free(buf)


# ---------------------------------------------------------------------------
# Firth's leverages
# ---------------------------------------------------------------------------
cdef bint _prepare_firth(Py_ssize_t n, Py_ssize_t k1,
                         const double[::1, :] factor, const double[::1] s,
                         const double[::1] z, double[::1] hat_out,
                         double[::1] score_out) except -1:
    """Shape checks of the Firth kernels, outputs zeroed; False when
    there is nothing to compute."""
    _check_factor(factor, k1)
    if s.shape[0] != n or z.shape[0] != n or hat_out.shape[0] != n:
        raise ValueError("sample_weight, z and hat_out must have one entry "
                         "per row")
    if score_out.shape[0] != k1:
        raise ValueError("score_out must have n_features (+1) entries")
    if k1 > 0:
        score_out[:] = 0.0
    if n == 0 or k1 == 0:
        hat_out[:] = 0.0
    return n > 0 and k1 > 0


def firth_leverage_pass(const floating[:, :] X,
                        const double[::1] sample_weight, const double[::1] z,
                        bint fit_intercept, double C,
                        const double[::1, :] factor, double[::1] hat_out,
                        double[::1] score_out, Py_ssize_t block_rows=0):
    """Leverages and Firth's score term at the scores ``z = X~ coef``:
    ``hat_out[i] = C s_i p_i (1 - p_i) |L^-1 xt_i^T|^2`` with ``L`` the
    lower Cholesky factor of the Fisher information ``C X~^T diag(s p
    (1-p)) X~`` (k1 x k1, F order), and ``score_out = X~^T (hat (1/2 -
    p))`` (overwritten)."""
    cdef Py_ssize_t n = X.shape[0], p = X.shape[1]
    cdef Py_ssize_t k1 = p + (1 if fit_intercept else 0)
    cdef bint c_order = False
    cdef int lda = _leading_dim(X, &c_order)
    cdef Py_ssize_t m_max, i0, m
    cdef double *buf
    if not _prepare_firth(n, k1, factor, sample_weight, z, hat_out,
                          score_out):
        return
    m_max = min(block_rows if block_rows > 0 else block_rows_for(k1), n)
    buf = _buffer(2 * m_max * k1)
    with nogil:
        i0 = 0
        while i0 < n:
            m = min(m_max, n - i0)
            _copy_block(X, i0, m, NULL, p, fit_intercept, c_order, buf)
            _firth_block(buf, buf + m_max * k1, m, k1, c_order,
                         &factor[0, 0], &sample_weight[i0], &z[i0], C,
                         &hat_out[i0], &score_out[0])
            i0 += m
    free(buf)


def csr_firth_leverage_pass(const floating[::1] data,
                            const index_t[::1] indices,
                            const index_t[::1] indptr, Py_ssize_t n_features,
                            const double[::1] sample_weight,
                            const double[::1] z, bint fit_intercept,
                            double C, const double[::1, :] factor,
                            double[::1] hat_out, double[::1] score_out,
                            Py_ssize_t block_rows=0):
    """:func:`firth_leverage_pass` for the rows of a CSR matrix."""
    cdef Py_ssize_t n = indptr.shape[0] - 1, p = n_features
    cdef Py_ssize_t k1 = p + (1 if fit_intercept else 0)
    cdef Py_ssize_t m_max, i0, m
    cdef double *buf
    _check_csr(indices, indptr, p)
    if not _prepare_firth(n, k1, factor, sample_weight, z, hat_out,
                          score_out):
        return
    m_max = min(block_rows if block_rows > 0 else block_rows_for(k1), n)
    buf = _buffer(2 * m_max * k1)
    with nogil:
        i0 = 0
        while i0 < n:
            m = min(m_max, n - i0)
            _copy_csr_block(data, indices, indptr, i0, m, p, fit_intercept,
                            buf)
            _firth_block(buf, buf + m_max * k1, m, k1, True, &factor[0, 0],
                         &sample_weight[i0], &z[i0], C, &hat_out[i0],
                         &score_out[0])
            i0 += m
    free(buf)
