"""Cython kernels of the binomial (logistic) model.

Design, in three layers (as scikit-learn's ``_loss``): per-sample math is
inline C in ``csrc/clogit_math.h``; this module holds the loops over samples
and the BLAS calls, writing into caller-provided buffers; validation and
allocation live in Python (``clogit._solvers``, ``clogit._backends``).

The central kernel is :func:`block_pass`.  It walks X in blocks of rows that
fit in cache and, for each block, with one read of those rows from memory:

1. copies the rows into a float64 buffer ``B`` (with a trailing column of ones
   for the intercept, so X is never widened and float32 X is never upcast as a
   whole),
2. ``z = B @ coef`` (gemv),
3. evaluates loss, residual ``r = C s (p - y)`` and Hessian weight
   ``h = C s p (1 - p)`` pointwise from one ``exp`` each,
4. ``grad += B.T @ r`` (gemv),
5. scales the rows of ``B`` by ``sqrt(h)`` in place and accumulates
   ``H += B.T @ B`` by a symmetric rank-k update (dsyrk, beta = 1).

For robust (sandwich) covariances the same pass can also give, from the
same block in cache, the *meat* ``M = sum_i s_i r_i^2 xt_i xt_i^T`` (one
more dsyrk, of the rows scaled by ``sqrt(s) |r|`` in a second block
buffer) and the per-cluster score sums ``S[g] = sum_{i in g} s_i r_i
xt_i`` (a G x k1 accumulator), ``r = C (p - y)``; see :func:`block_pass`.

Extra memory is O(p^2 + block * p); nothing of size n x p is allocated.
The buffer's layout follows X's (row-major for C-ordered X, column-major for
F-ordered X) so that the copy reads X contiguously either way.

All kernels release the GIL, so One-vs-Rest classes (and Dask chunks) can run
in parallel threads.
"""

from libc.math cimport fabs, sqrt
from libc.stdlib cimport malloc, free
from libc.string cimport memcpy, memset

from .blas cimport floating, _gemm, _gemv, _syrk
from .rows cimport _check_groups, _copy_block, _leading_dim
from .scalar cimport (clogit_binomial_loss, clogit_binomial_loss_rows,
                      clogit_binomial_rows, clogit_sum_add)

# Bytes of the float64 row buffer a block pass aims for: large enough for
# dsyrk to run at full speed (k in the hundreds), small enough to stay in L2.
DEF BLOCK_BYTES = 262144
# A pass without the Hessian (two gemv per block, no dsyrk), whose blocks
# of C-ordered float64 X are read ahead (see _mixed_pass_rows): blocks
# that stay in L2 next to the one read ahead.  Measured here (2-core AMD
# EPYC Genoa, 1 MiB L2 a core), prefetching, two threads, ms a pass:
# 200,000 x 201 16.3 / 16.2 / 17.2 / 20.7 with 128 / 256 / 512 / 1,024
# rows a block (200 KiB to 1.6 MiB); 50,000 x 101 2.1 / 2.5 / 2.7 with
# 256 / 512 / 1,024 rows; one core, 100,000 x 101: 7.6 / 7.1 / 9.3 ms at
# 256 KiB / 512 KiB / 2 MiB.  512 KiB is near the best of both.  (On an
# earlier EPYC, without the read-ahead, 2 MiB blocks had been the
# fastest: 100,000 x 101 on one core 8.8 ms against 11.3 with 256 KiB.)
# dsyrk's blocks stay at BLOCK_BYTES, which was as fast as any larger size.
DEF GRADIENT_BLOCK_BYTES = 524288
# Float32 Hessian products (block_pass's diagonal_out): rows summed in
# float32 before their sum is added to the float64 Hessian.  A float32 sum
# of m products errs by about sqrt(m) 6e-8 relative (random rounding):
# 2e-6 at 1,024 rows, while adding the k1 x k1 sum every 1,024 rows
# costs 1/1024 of the ssyrk.
DEF SINGLE_GROUP_ROWS = 1024
# weighted_cross on X read in place: up to this many rows of the result
# are one gemv each over a block of X kept in L2, more are one dgemm per
# block.  OpenBLAS's dgemm with 2-4 rows runs at a gemv's speed at best
# (one core, 4,000 x 400: 1.39 ms for 2 rows against 0.77 for two gemv,
# 1.41 against 1.47 for 4, 1.60 against 3.74 for 8).
DEF CROSS_GEMV_ROWS = 4
# A block's Hessian product of at most this many multiply-adds (k1 * k1 *
# m) is one dgemm rather than dsyrk: OpenBLAS runs such small products in
# its small-matrix gemm kernels (SkylakeX and newer builds, up to 100^3),
# which syrk lacks.  Measured here (AMD EPYC Genoa, OpenBLAS 0.3.31
# SkylakeX kernels, one core), a block pass with the Hessian: 569 x 30
# (breast_cancer) 65 -> 37 us, 2,000 x 15 69-95 -> 51 us; blocks past the
# bound (20,000 x 50, 642-row blocks of 51 columns) were no faster.
DEF GEMM_HESSIAN_MNK = 1000000
# A gradient pass reads each block of C-ordered float64 X ahead, row by row
# in a scalar loop over the samples (see _mixed_pass_rows), only where X
# is past the last-level cache (32 MiB here, shared: a row chunk of one of
# two threads past 12 MiB) and its rows are wide;
# elsewhere the vectorized loop (clogit_math.h) without read-ahead is the
# faster.  Measured here (2-core AMD EPYC Genoa, two threads, alternating
# in one process), ms a pass read-ahead / vectorized: 20,000 x 50 (8 MB)
# 0.74 / 0.43; 20,000 x 100 1.10 / 0.82; 40,000 x 100 (31 MB) 2.04 /
# 2.38; 50,000 x 100 2.99 / 3.55; 100,000 x 50 4.24 / 3.44; 200,000 x 50
# 6.99 / 6.78; 100,000 x 200 9.18 / 10.10; 200,000 x 200 19.3 / 20.9.
DEF PREFETCH_MIN_BYTES = 12582912
DEF PREFETCH_MIN_COLS = 80


def default_block_rows(Py_ssize_t n_cols, bint hessian=True):
    """Rows per block for a buffer of ``n_cols`` float64 columns (of a pass
    that assembles the Hessian, or, ``hessian=False``, one that does not).
    """
    cdef Py_ssize_t rows
    if hessian:
        rows = BLOCK_BYTES // (8 * max(n_cols, 1))
        return min(max(rows, 64), 4096)
    rows = GRADIENT_BLOCK_BYTES // (8 * max(n_cols, 1))
    return min(max(rows, 64), 16384)


def block_pass(const floating[:, :] X, const double[::1] y,
               const double[::1] sample_weight, const double[::1] coef,
               bint fit_intercept, double C, double[::1] grad,
               double[::1, :] hess=None, double[::1] z_out=None,
               Py_ssize_t block_rows=0, const int[::1] columns=None,
               double[::1] residual_out=None, double[::1, :] meat_out=None,
               const int[::1] groups=None,
               double[:, ::1] group_scores_out=None,
               double[::1] diagonal_out=None):
    """Objective, gradient and (optionally) Hessian of the data term.

    Computes, for z = Xc @ coef[:k] + coef[k] (intercept when fit_intercept),
    where Xc is X, or its ``columns`` when given (then every other
    coefficient is taken to be zero),

    * returns ``C * sum(s * loss(y, z))``,
    * ``grad[:] = C * Xt.T @ (s * (sigmoid(z) - y))``,
    * ``hess[:, :] = C * Xt.T @ diag(s * p * (1 - p)) @ Xt`` if ``hess`` is
      given (both triangles filled),
    * ``z_out[:] = z`` and ``residual_out[:] = C * s * (sigmoid(z) - y)`` if
      given,

    where ``Xt`` is Xc with a column of ones appended when fit_intercept.
    The penalty is added by the caller.

    For the robust (sandwich) covariances, with ``r = C * (sigmoid(z) - y)``:

    * ``meat_out[:, :] = Xt.T @ diag(s * r**2) @ Xt`` if given (both
      triangles): the outer products of the per-sample scores, counting
      ``s_i`` as a frequency weight;
    * ``group_scores_out[g, :] = sum over {i : groups[i] == g} of
      s_i * r_i * Xt[i]`` if given (``groups``: int32 cluster codes in
      ``[0, group_scores_out.shape[0])``, one per row): the cluster score
      sums, whose sum over g is ``grad``.

    With ``diagonal_out`` (and ``hess``, no meat) the Hessian's products
    are float32 (the rows scaled by ``sqrt(h)`` rounded to float32, ssyrk
    over groups of about ``SINGLE_GROUP_ROWS`` rows, each group's sum
    added to ``hess`` in float64): entries to a few 1e-7 relative, at
    1.4-1.9x dsyrk's speed.  ``diagonal_out`` receives the float64
    diagonal, which the caller compares with ``hess``'s (float32 overflow
    or underflow shows there first; see ``_backends.memory``).
    """
    cdef Py_ssize_t n = X.shape[0], p = X.shape[1]
    cdef Py_ssize_t k = p if columns is None else columns.shape[0]
    cdef Py_ssize_t k1 = k + (1 if fit_intercept else 0)
    cdef bint want_hess = hess is not None
    cdef bint want_z = z_out is not None
    cdef bint want_r = residual_out is not None
    cdef bint want_meat = meat_out is not None
    cdef bint want_groups = group_scores_out is not None
    cdef Py_ssize_t n_groups = 0, j
    cdef const int *cols = NULL
    cdef bint c_order = False
    _leading_dim(X, &c_order)
    # the meat is a dsyrk too: the blocks of a Hessian pass
    cdef Py_ssize_t m_max = (block_rows if block_rows > 0 else
                             default_block_rows(k1, want_hess or want_meat))
    cdef double obj
    cdef double *buf
    cdef double *meat_buf = NULL
    cdef float *fbuf = NULL
    cdef bint single = diagonal_out is not None

    if y.shape[0] != n or sample_weight.shape[0] != n:
        raise ValueError("y and sample_weight must have X.shape[0] entries")
    if coef.shape[0] != k1 or grad.shape[0] != k1:
        raise ValueError("coef and grad must have n_features (+1) entries")
    if want_hess and (hess.shape[0] != k1 or hess.shape[1] != k1):
        raise ValueError("hess must be (n_features (+1))^2")
    if want_z and z_out.shape[0] != n:
        raise ValueError("z_out must have X.shape[0] entries")
    if want_r and residual_out.shape[0] != n:
        raise ValueError("residual_out must have X.shape[0] entries")
    if columns is not None:
        for j in range(k):
            if columns[j] < 0 or columns[j] >= p:
                raise ValueError("columns out of range")
        if k > 0:
            cols = &columns[0]
    if want_meat and (meat_out.shape[0] != k1 or meat_out.shape[1] != k1):
        raise ValueError("meat_out must be (n_features (+1))^2")
    if want_groups:
        n_groups = _check_groups(groups, group_scores_out, n, k1)
    if single and (not want_hess or want_meat
                   or diagonal_out.shape[0] != k1):
        raise ValueError("diagonal_out needs hess, no meat_out, and "
                         "n_features (+1) entries")
    m_max = min(m_max, max(n, 1))

    buf = <double *>malloc(m_max * (k1 + 3) * sizeof(double))
    if buf == NULL:
        raise MemoryError()
    if want_meat and want_hess:
        meat_buf = <double *>malloc(m_max * max(k1, 1) * sizeof(double))
        if meat_buf == NULL:
            free(buf)
            raise MemoryError()
    if single and k1 > 0:
        # the float32 rows of a block, then the group's k1 x k1 sum
        fbuf = <float *>malloc((m_max + k1) * k1 * sizeof(float))
        if fbuf == NULL:
            free(buf)
            raise MemoryError()

    with nogil:
        obj = _mixed_pass_rows(
            X, &y[0] if n > 0 else NULL,
            &sample_weight[0] if n > 0 else NULL,
            &coef[0] if k1 > 0 else NULL, fit_intercept, C, cols, k,
            c_order, m_max, buf, meat_buf,
            &grad[0] if k1 > 0 else NULL,
            &hess[0, 0] if want_hess and k1 > 0 else NULL,
            &z_out[0] if want_z and n > 0 else NULL,
            &residual_out[0] if want_r and n > 0 else NULL,
            &meat_out[0, 0] if want_meat and k1 > 0 else NULL,
            &groups[0] if want_groups and n > 0 else NULL,
            &group_scores_out[0, 0]
            if want_groups and n_groups > 0 and k1 > 0 else NULL,
            n_groups, fbuf, &diagonal_out[0] if single and k1 > 0 else NULL)
    free(buf)
    free(meat_buf)
    free(fbuf)
    return obj


cdef inline void _direct_block(const double *xb, Py_ssize_t m, Py_ssize_t k,
                               int lda, bint c_order, bint fit_intercept,
                               const double *coef, double bias, double *zb,
                               double *rb, double *hb, double C,
                               const double *y, const double *sample_weight,
                               bint want_hess, double *z_out,
                               double *residual_out, Py_ssize_t i0,
                               double *buf, double *grad, double *hess,
                               double *obj, double *meat_buf,
                               double *meat_out, const int *groups,
                               double *group_scores_out,
                               bint single, const char *ahead=NULL,
                               Py_ssize_t ahead_bytes=0) noexcept nogil:
    """One block of :func:`_pass_rows`: the m rows of float64 X at ``xb``
    (leading dimension ``lda``, all k columns), read in place, or the
    block's float64 copy in ``buf`` itself (then ``fit_intercept`` False:
    the copy's last column is the intercept's ones; its rows are scaled in
    place for the Hessian, or for the meat without one); ``groups``
    points at the block's first row's code.  ``single``: the Hessian's
    weights ``hb`` only, its products left to :func:`_single_block`.
    ``ahead``: ``ahead_bytes`` bytes to prefetch while the rows' scalars
    are computed (the next block), or NULL."""
    cdef Py_ssize_t i, j, g, k1 = k + (1 if fit_intercept else 0)
    cdef double s, rsum = 0.0
    cdef double *mb
    # z = X_b @ w + b
    if c_order:
        _gemv[double](c'T', <int>k, <int>m, 1.0, xb, lda, coef, 1, 0.0, zb,
                      1)
    else:
        _gemv[double](c'N', <int>m, <int>k, 1.0, xb, lda, coef, 1, 0.0, zb,
                      1)
    # the per-sample part, vectorized (clogit_math.h), the next block read
    # ahead meanwhile; the objective's terms into its compensated pair
    clogit_binomial_rows(m, zb, bias, y, sample_weight, C, rb,
                         hb if want_hess else NULL, &obj[0], &obj[1], &rsum,
                         ahead, ahead_bytes)
    if z_out != NULL:
        for i in range(m):
            z_out[i0 + i] = zb[i] + bias
    if residual_out != NULL:
        memcpy(residual_out + i0, rb, m * sizeof(double))
    # grad += X_b.T @ r (the intercept's entry: sum r)
    if c_order:
        _gemv[double](c'N', <int>k, <int>m, 1.0, xb, lda, rb, 1, 1.0, grad, 1)
    else:
        _gemv[double](c'T', <int>m, <int>k, 1.0, xb, lda, rb, 1, 1.0, grad, 1)
    if fit_intercept:
        grad[k] += rsum
    # robust covariances, from the unscaled rows: S[g] += s r xt and
    # M += (sqrt(s) |r| xt).T (sqrt(s) |r| xt), rb = C s (p - y)
    if group_scores_out != NULL:
        for i in range(m):
            g = groups[i]
            for j in range(k):
                group_scores_out[g * k1 + j] += rb[i] * (
                    xb[i * lda + j] if c_order else xb[j * lda + i])
            if fit_intercept:
                group_scores_out[g * k1 + k] += rb[i]
    if meat_out != NULL:
        mb = meat_buf if want_hess else buf
        for i in range(m):
            s = sample_weight[i]
            zb[i] = fabs(rb[i]) / sqrt(s) if s > 0.0 else 0.0
        _scaled_rows(xb, m, k, lda, c_order, fit_intercept, zb, mb)
        if c_order:
            _syrk[double](c'L', c'N', <int>k1, <int>m, 1.0, mb, <int>k1,
                          1.0, meat_out, <int>k1)
        else:
            _syrk[double](c'L', c'T', <int>k1, <int>m, 1.0, mb, <int>m,
                          1.0, meat_out, <int>k1)
    if not want_hess or single:
        return
    # H += (sqrt(h) [X_b, 1]).T (sqrt(h) [X_b, 1]): the scaled rows written
    # once into the buffer
    _scaled_rows(xb, m, k, lda, c_order, fit_intercept, hb, buf)
    if k1 * k1 * m <= GEMM_HESSIAN_MNK:
        # the whole product (twice syrk's flops), see GEMM_HESSIAN_MNK
        if c_order:
            _gemm[double](c'N', c'T', <int>k1, <int>k1, <int>m, 1.0, buf,
                          <int>k1, buf, <int>k1, 1.0, hess, <int>k1)
        else:
            _gemm[double](c'T', c'N', <int>k1, <int>k1, <int>m, 1.0, buf,
                          <int>m, buf, <int>m, 1.0, hess, <int>k1)
    elif c_order:
        _syrk[double](c'L', c'N', <int>k1, <int>m, 1.0, buf, <int>k1, 1.0,
                      hess, <int>k1)
    else:
        _syrk[double](c'L', c'T', <int>k1, <int>m, 1.0, buf, <int>m, 1.0,
                      hess, <int>k1)


cdef inline void _scaled_rows(const double *xb, Py_ssize_t m, Py_ssize_t k,
                              int lda, bint c_order, bint fit_intercept,
                              const double *scale,
                              double *out) noexcept nogil:
    """``out = diag(scale) [X_b, 1]`` in the buffer layout (row-major for
    c_order, else column-major with leading dimension m)."""
    cdef Py_ssize_t i, j, k1 = k + (1 if fit_intercept else 0)
    if c_order:
        for i in range(m):
            for j in range(k):
                out[i * k1 + j] = scale[i] * xb[i * lda + j]
            if fit_intercept:
                out[i * k1 + k] = scale[i]
    else:
        for j in range(k):
            for i in range(m):
                out[j * m + i] = scale[i] * xb[j * lda + i]
        if fit_intercept:
            for i in range(m):
                out[k * m + i] = scale[i]


cdef inline void _single_block(const double *xb, Py_ssize_t m,
                               Py_ssize_t k, int lda, bint c_order,
                               bint fit_intercept, const double *hb,
                               float *fbuf, float *fsum, double *diag,
                               bint first) noexcept nogil:
    """``fsum (+)= F.T F`` (lower triangle, ssyrk) for ``F`` the block's
    rows ``diag(hb) [X_b, 1]`` rounded to float32 (written into ``fbuf``
    in the buffer layout), ``first``: overwrite ``fsum``; ``diag`` gets
    the squares of F's float64 values added (the exact diagonal)."""
    cdef Py_ssize_t i, j, k1 = k + (1 if fit_intercept else 0)
    cdef double v
    if c_order:
        for i in range(m):
            for j in range(k):
                v = hb[i] * xb[i * lda + j]
                fbuf[i * k1 + j] = <float>v
                diag[j] += v * v
            if fit_intercept:
                fbuf[i * k1 + k] = <float>hb[i]
                diag[k] += hb[i] * hb[i]
        _syrk[float](c'L', c'N', <int>k1, <int>m, 1.0, fbuf, <int>k1,
                     0.0 if first else 1.0, fsum, <int>k1)
    else:
        for j in range(k):
            for i in range(m):
                v = hb[i] * xb[j * lda + i]
                fbuf[j * m + i] = <float>v
                diag[j] += v * v
        if fit_intercept:
            for i in range(m):
                fbuf[k * m + i] = <float>hb[i]
                diag[k] += hb[i] * hb[i]
        _syrk[float](c'L', c'T', <int>k1, <int>m, 1.0, fbuf, <int>m,
                     0.0 if first else 1.0, fsum, <int>k1)


cdef inline Py_ssize_t _add_group(const float *fsum, double *hess,
                                  Py_ssize_t k1, Py_ssize_t grouped,
                                  bint last) noexcept nogil:
    """Add the float32 group sum's lower triangle to ``hess`` once the
    group has ``SINGLE_GROUP_ROWS`` rows (or at the last block); returns
    the rows left in the group (0 after adding)."""
    cdef Py_ssize_t i, j
    if grouped < SINGLE_GROUP_ROWS and not last:
        return grouped
    for j in range(k1):
        for i in range(j, k1):
            hess[j * k1 + i] += fsum[j * k1 + i]
    return 0


cdef double _pass_rows(const floating[:, :] X, const double *y,
                       const double *sample_weight, const double *coef,
                       bint fit_intercept, double C, const int *cols,
                       Py_ssize_t k, bint c_order, Py_ssize_t m_max,
                       double *buf, double *meat_buf, double *grad,
                       double *hess, double *z_out, double *residual_out,
                       double *meat_out, const int *groups,
                       double *group_scores_out,
                       Py_ssize_t n_groups) noexcept nogil:
    """The body of :func:`block_pass` on checked arguments, float64
    Hessian products (see :func:`_mixed_pass_rows`).  Also what the Newton
    loop of ``_kernels.binomial_newton`` runs each iteration."""
    return _mixed_pass_rows(X, y, sample_weight, coef, fit_intercept, C,
                            cols, k, c_order, m_max, buf, meat_buf, grad,
                            hess, z_out, residual_out, meat_out, groups,
                            group_scores_out, n_groups, NULL, NULL)


cdef double _mixed_pass_rows(const floating[:, :] X, const double *y,
                             const double *sample_weight, const double *coef,
                             bint fit_intercept, double C, const int *cols,
                             Py_ssize_t k, bint c_order, Py_ssize_t m_max,
                             double *buf, double *meat_buf, double *grad,
                             double *hess, double *z_out,
                             double *residual_out, double *meat_out,
                             const int *groups, double *group_scores_out,
                             Py_ssize_t n_groups, float *fbuf,
                             double *diag) noexcept nogil:
    """The body of :func:`block_pass` on checked arguments: pointers to
    the outputs (NULL for one not wanted; ``hess`` and ``meat_out``
    column-major k1 x k1, ``group_scores_out`` row-major n_groups x k1),
    ``buf`` of ``m_max * (k1 + 3)`` doubles and, when both the Hessian and
    the meat are wanted, ``meat_buf`` of ``m_max * k1``.  Returns the data
    objective ``C * sum(s * loss)``.  With ``fbuf`` (``(m_max + k1) *
    k1`` floats; no meat) the Hessian's products are float32, summed in
    float64 every ``SINGLE_GROUP_ROWS`` rows, and ``diag`` (k1) gets the
    float64 diagonal."""
    cdef Py_ssize_t n = X.shape[0]
    cdef Py_ssize_t k1 = k + (1 if fit_intercept else 0)
    cdef bint want_hess = hess != NULL
    cdef bint want_z = z_out != NULL
    cdef bint want_r = residual_out != NULL
    cdef bint want_meat = meat_out != NULL
    cdef bint want_groups = group_scores_out != NULL
    cdef Py_ssize_t i0, i, j, m
    # the objective's compensated sum (csrc/clogit_math.h): value, error
    cdef double obj[2]
    cdef double *zb = buf + m_max * k1
    cdef double *rb = zb + m_max
    cdef double *hb = rb + m_max
    cdef double *mb = meat_buf
    # float64 X with all its columns is read in place by the two gemv (no
    # copy), and the Hessian's (and the meat's) buffer is written scaled in
    # one go: the copy was a third of a gradient pass (see the measurements
    # in the commit that made it).
    cdef bint direct = (floating is double and cols == NULL
                        and k == X.shape[1] and k > 0)
    cdef double bias = 0.0
    cdef int lda = 1
    cdef bint single = fbuf != NULL and want_hess and k1 > 0
    cdef float *fsum = fbuf + m_max * k1 if single else NULL
    cdef Py_ssize_t grouped = 0  # rows in fsum since it was last added
    # A gradient pass reads each block from memory in its first gemv and
    # then computes from cache (the scalar loop, the second gemv), when
    # memory would sit idle: the scalar loop asks for the next block's
    # lines meanwhile.  Measured here (2-core AMD EPYC, 1 MiB L2 a core):
    # 200,000 x 201, two threads, 20.9 -> 16.2 ms a pass (a gemv X @ w
    # alone takes 15.3); 50,000 x 101 3.1 -> 2.1 ms; 100,000 x 101 on one
    # core 12.4 -> 7.6 ms.  X in L3 already (20,000 x 51): no change.
    # (Those were with the scalar loop; since the per-sample loop is
    # vectorized, only for wide rows of X past the cache: PREFETCH_MIN_*.)
    cdef bint prefetch = False
    obj[0] = obj[1] = 0.0
    if direct:
        if c_order:
            lda = <int>max(X.strides[0] // sizeof(double), k, 1)
        else:
            lda = <int>max(X.strides[1] // sizeof(double), n, 1)
        if fit_intercept:
            bias = coef[k]
        prefetch = (c_order and not want_hess and k >= PREFETCH_MIN_COLS
                    and n * lda * sizeof(double) > PREFETCH_MIN_BYTES)

    if k1 > 0:
        memset(grad, 0, k1 * sizeof(double))
    if want_hess and k1 > 0:
        memset(hess, 0, k1 * k1 * sizeof(double))
    if single:
        memset(diag, 0, k1 * sizeof(double))
    if want_meat and k1 > 0:
        memset(meat_out, 0, k1 * k1 * sizeof(double))
    if want_groups and k1 > 0 and n_groups > 0:
        memset(group_scores_out, 0, n_groups * k1 * sizeof(double))
    i0 = 0
    while i0 < n:
        m = min(m_max, n - i0)
        if direct:
            _direct_block(<const double *>&X[i0, 0], m, k, lda, c_order,
                          fit_intercept, coef, bias, zb, rb, hb, C,
                          y + i0, sample_weight + i0, want_hess, z_out,
                          residual_out, i0, buf, grad, hess, obj, mb,
                          meat_out, groups + i0 if want_groups else NULL,
                          group_scores_out, single,
                          # the next block's bytes, read ahead
                          <const char *>&X[i0 + m, 0] if (
                              prefetch and i0 + m < n) else NULL,
                          min(m_max, n - i0 - m) * lda * sizeof(double))
            if single:
                _single_block(<const double *>&X[i0, 0], m, k, lda,
                              c_order, fit_intercept, hb, fbuf, fsum, diag,
                              grouped == 0)
                grouped = _add_group(fsum, hess, k1, grouped + m,
                                     i0 + m >= n)
            i0 += m
            continue
        # Otherwise the block's rows as float64, intercept column last,
        # then the same body on the copy (the intercept an ordinary
        # column; the scaled rows written over the copy, or into meat_buf)
        _copy_block(X, i0, m, cols, k, fit_intercept, c_order, buf)
        if k1 > 0:
            _direct_block(buf, m, k1, <int>(k1 if c_order else m), c_order,
                          False, coef, 0.0, zb, rb, hb, C, y + i0,
                          sample_weight + i0, want_hess, z_out,
                          residual_out, i0, buf, grad, hess, obj, mb,
                          meat_out, groups + i0 if want_groups else NULL,
                          group_scores_out, single)
            if single:
                _single_block(buf, m, k1, <int>(k1 if c_order else m),
                              c_order, False, hb, fbuf, fsum, diag,
                              grouped == 0)
                grouped = _add_group(fsum, hess, k1, grouped + m,
                                     i0 + m >= n)
        else:
            for i in range(m):
                clogit_sum_add(&obj[0], &obj[1],
                               sample_weight[i0 + i]
                               * clogit_binomial_loss(y[i0 + i], 0.0))
                if want_z:
                    z_out[i0 + i] = 0.0
                if want_r:
                    residual_out[i0 + i] = C * sample_weight[i0 + i] * (
                        0.5 - y[i0 + i])
        i0 += m
    if want_hess:
        for j in range(k1):
            for i in range(j + 1, k1):
                hess[i * k1 + j] = hess[j * k1 + i]
    if want_meat:
        for j in range(k1):
            for i in range(j + 1, k1):
                meat_out[i * k1 + j] = meat_out[j * k1 + i]
    return C * (obj[0] + obj[1])


def weighted_cross(const floating[:, :] X, const double[::1] weights,
                   const int[::1] rows_of, const int[::1] columns,
                   bint fit_intercept, double[::1, :] out):
    """``out[:, :] = X[:, rows_of].T @ diag(weights) @ Xt[:, columns]``.

    ``Xt[:, columns]`` is X's ``columns`` with a column of ones appended
    when fit_intercept, so ``out`` is (len(rows_of), len(columns) (+1));
    ``columns=None`` is all of X's columns, and C-ordered float64 X is then
    read in place for them (no copy of the block).
    The rows of a Hessian ``Xt.T diag(weights) Xt`` for some of its
    features (``rows_of``): what extends a kept proximal Newton model to
    features that join the working set, at the weights it was assembled
    with (``clogit._solvers.prox_newton.ModelHessian``).  One read of the
    two column sets per block of rows, one dgemm per block.
    """
    cdef Py_ssize_t n = X.shape[0], p = X.shape[1]
    cdef Py_ssize_t ka = rows_of.shape[0]
    cdef Py_ssize_t kb = p if columns is None else columns.shape[0]
    cdef Py_ssize_t kb1 = kb + (1 if fit_intercept else 0)
    cdef bint c_order = False
    cdef int lda = _leading_dim(X, &c_order)
    cdef Py_ssize_t m_max, i0, i, j, m
    cdef const int *cols_a = NULL
    cdef const int *cols_b = NULL
    cdef double *buf_a
    cdef double *buf_b
    cdef double wi, total
    # the block of all columns as it lies in X (row-major, leading
    # dimension lda): only its intercept column is left to add
    cdef bint direct = (floating is double and columns is None and c_order
                        and kb > 0)
    if (weights.shape[0] != n or out.shape[0] != ka
            or out.shape[1] != kb1):
        raise ValueError("shape mismatch in weighted_cross")
    for j in range(ka):
        if rows_of[j] < 0 or rows_of[j] >= p:
            raise ValueError("rows_of out of range")
    if columns is not None:
        for j in range(kb):
            if columns[j] < 0 or columns[j] >= p:
                raise ValueError("columns out of range")
    if ka == 0 or kb1 == 0:
        return
    out[:, :] = 0.0
    if n == 0:
        return
    cols_a = &rows_of[0]
    if columns is not None and kb > 0:
        cols_b = &columns[0]
    m_max = min(default_block_rows(
        kb if direct and ka <= CROSS_GEMV_ROWS
        else ka + (0 if direct else kb1)), n)
    buf_a = <double *>malloc(m_max * (ka + (0 if direct else kb1))
                             * sizeof(double))
    if buf_a == NULL:
        raise MemoryError()
    buf_b = buf_a + m_max * ka
    with nogil:
        i0 = 0
        while i0 < n:
            m = min(m_max, n - i0)
            _copy_block(X, i0, m, cols_a, ka, False, c_order, buf_a)
            if not direct:
                _copy_block(X, i0, m, cols_b, kb, fit_intercept, c_order,
                            buf_b)
            if c_order:
                # row-major blocks are the column-major transposes
                for i in range(m):
                    wi = weights[i0 + i]
                    for j in range(ka):
                        buf_a[i * ka + j] *= wi
                if direct and ka <= CROSS_GEMV_ROWS:
                    # the block (m_max rows of all columns) stays in L2
                    # for the ka products
                    for j in range(ka):
                        _gemv[double](c'N', <int>kb, <int>m, 1.0,
                                      <const double *>&X[i0, 0], lda,
                                      &buf_a[j], <int>ka, 1.0, &out[j, 0],
                                      <int>ka)
                elif direct:
                    _gemm[double](c'N', c'T', <int>ka, <int>kb, <int>m, 1.0,
                                  buf_a, <int>ka,
                                  <const double *>&X[i0, 0], lda, 1.0,
                                  &out[0, 0], <int>ka)
                if direct and fit_intercept:
                    for j in range(ka):
                        total = 0.0
                        for i in range(m):
                            total = total + buf_a[i * ka + j]
                        out[j, kb] += total
                elif not direct:
                    _gemm[double](c'N', c'T', <int>ka, <int>kb1, <int>m,
                                  1.0, buf_a, <int>ka, buf_b, <int>kb1, 1.0,
                                  &out[0, 0], <int>ka)
            else:
                for j in range(ka):
                    for i in range(m):
                        buf_a[j * m + i] *= weights[i0 + i]
                _gemm[double](c'T', c'N', <int>ka, <int>kb1, <int>m, 1.0,
                              buf_a, <int>m, buf_b, <int>m, 1.0,
                              &out[0, 0], <int>ka)
            i0 += m
    free(buf_a)


def matvec(const floating[:, :] X, const double[::1] coef, bint fit_intercept,
           double[::1] out, const int[::1] columns=None):
    """``out[:] = Xc @ coef[:k] (+ coef[k])`` in float64.

    ``Xc`` is X, or its ``columns`` when given.  float64 X without
    ``columns`` goes straight to dgemv; otherwise X is copied block by block
    into a float64 buffer (never as a whole), so float32 products are still
    accumulated in float64.
    """
    cdef Py_ssize_t n = X.shape[0], p = X.shape[1]
    cdef Py_ssize_t k = p if columns is None else columns.shape[0]
    cdef Py_ssize_t k1 = k + (1 if fit_intercept else 0)
    cdef const int *cols = NULL
    cdef bint c_order = False
    cdef int lda = _leading_dim(X, &c_order)
    cdef Py_ssize_t m_max, j
    cdef double *buf
    if coef.shape[0] != k1 or out.shape[0] != n:
        raise ValueError("shape mismatch in matvec")
    if n == 0:
        return
    if k1 == 0:
        out[:] = 0.0
        return
    if columns is not None:
        for j in range(k):
            if columns[j] < 0 or columns[j] >= p:
                raise ValueError("columns out of range")
        if k > 0:
            cols = &columns[0]
    if floating is double and columns is None:
        with nogil:
            _matvec_rows(X, &coef[0], fit_intercept, &out[0], NULL, k,
                         c_order, lda, NULL, 0)
        return
    m_max = min(default_block_rows(k1, False), n)
    buf = <double *>malloc(m_max * k1 * sizeof(double))
    if buf == NULL:
        raise MemoryError()
    with nogil:
        _matvec_rows(X, &coef[0], fit_intercept, &out[0], cols, k, c_order,
                     lda, buf, m_max)
    free(buf)


cdef void _matvec_rows(const floating[:, :] X, const double *coef,
                       bint fit_intercept, double *out, const int *cols,
                       Py_ssize_t k, bint c_order, int lda, double *buf,
                       Py_ssize_t m_max) noexcept nogil:
    """The body of :func:`matvec` on checked arguments (n > 0, k1 > 0):
    float64 X with all its columns (``cols`` NULL, ``k`` = p) straight
    through dgemv (``buf`` unused, may be NULL), anything else block by
    block through ``buf`` (``m_max * k1`` doubles)."""
    cdef Py_ssize_t n = X.shape[0], p = X.shape[1], i0, i, m
    cdef Py_ssize_t k1 = k + (1 if fit_intercept else 0)
    if floating is double and cols == NULL and k == p:
        if c_order:
            _gemv[double](c'T', <int>p, <int>n, 1.0, &X[0, 0], lda,
                          coef, 1, 0.0, out, 1)
        else:
            _gemv[double](c'N', <int>n, <int>p, 1.0, &X[0, 0], lda,
                          coef, 1, 0.0, out, 1)
        if fit_intercept:
            for i in range(n):
                out[i] += coef[p]
        return
    i0 = 0
    while i0 < n:
        m = min(m_max, n - i0)
        _copy_block(X, i0, m, cols, k, fit_intercept, c_order, buf)
        if c_order:
            _gemv[double](c'T', <int>k1, <int>m, 1.0, buf, <int>k1,
                          coef, 1, 0.0, &out[i0], 1)
        else:
            _gemv[double](c'N', <int>m, <int>k1, 1.0, buf, <int>m,
                          coef, 1, 0.0, &out[i0], 1)
        i0 += m


def objective_along(const double[::1] y, const double[::1] sample_weight,
                    const double[::1] z, const double[::1] dz, double step,
                    double C):
    """``C * sum(s * loss(y, z + step * dz))``: the data term along a search
    direction, from the cached ``z = X @ coef`` and ``dz = X @ d`` (the line
    search never touches X)."""
    cdef Py_ssize_t n = z.shape[0]
    cdef double obj
    if y.shape[0] != n or sample_weight.shape[0] != n or dz.shape[0] != n:
        raise ValueError("shape mismatch in objective_along")
    if n == 0:
        return 0.0
    with nogil:
        obj = _objective_along(&y[0], &sample_weight[0], &z[0], &dz[0],
                               step, C, n)
    return obj


cdef double _objective_along(const double *y, const double *sample_weight,
                             const double *z, const double *dz, double step,
                             double C, Py_ssize_t n) noexcept nogil:
    """The body of :func:`objective_along`."""
    cdef Py_ssize_t i
    cdef double obj = 0.0, comp = 0.0
    clogit_binomial_loss_rows(n, z, dz, step, y, sample_weight, &obj, &comp)
    return C * (obj + comp)


def rmatvec(const floating[:, :] X, const double[::1] r, double[::1] out):
    """``out[:] = X.T @ r`` in float64 (the full gradient for the KKT check).

    float64 X goes straight to dgemv; float32 X is converted block by block.
    """
    cdef Py_ssize_t n = X.shape[0], p = X.shape[1]
    cdef bint c_order = False
    cdef int lda = _leading_dim(X, &c_order)
    cdef Py_ssize_t m_max, i0, m
    cdef double *buf
    if r.shape[0] != n or out.shape[0] != p:
        raise ValueError("shape mismatch in rmatvec")
    if n == 0 or p == 0:
        out[:] = 0.0
        return
    if floating is double:
        with nogil:
            if c_order:
                _gemv[double](c'N', <int>p, <int>n, 1.0, &X[0, 0], lda,
                              &r[0], 1, 0.0, &out[0], 1)
            else:
                _gemv[double](c'T', <int>n, <int>p, 1.0, &X[0, 0], lda,
                              &r[0], 1, 0.0, &out[0], 1)
    else:
        m_max = min(default_block_rows(p, False), n)
        buf = <double *>malloc(m_max * p * sizeof(double))
        if buf == NULL:
            raise MemoryError()
        with nogil:
            memset(&out[0], 0, p * sizeof(double))
            i0 = 0
            while i0 < n:
                m = min(m_max, n - i0)
                _copy_block(X, i0, m, NULL, p, False, c_order, buf)
                if c_order:
                    _gemv[double](c'N', <int>p, <int>m, 1.0, buf, <int>p,
                                  &r[i0], 1, 1.0, &out[0], 1)
                else:
                    _gemv[double](c'T', <int>m, <int>p, 1.0, buf, <int>m,
                                  &r[i0], 1, 1.0, &out[0], 1)
                i0 += m
        free(buf)
