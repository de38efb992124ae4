"""Cython kernels of the multinomial (softmax) model.

For K classes with coefficients ``coef`` (K x k1, intercept last in each
row) and scores ``z_i = coef @ xt_i``, the loss of sample i is
``logsumexp(z_i) - z_{i, y_i}``, evaluated with the maximum subtracted
first (never overflows, for any finite scores).

:func:`softmax_pass` walks X in blocks of rows, as ``_binomial.block_pass``
does, and from one read of each block computes the objective, the gradient
``C * Xt.T @ (s * (P - Y))`` and, if asked, the full (K k1)^2 Hessian, all
class pairs from the same block:

    H = sum_i C s_i [ diag(p_i) (x) xt_i xt_i^T  -  (p_i (x) xt_i)(p_i (x) xt_i)^T ]

i.e. block-diagonal terms (one dsyrk of the rows scaled by sqrt(C s p_ik)
per class) minus one large dsyrk of the rows of ``A``, ``a_i = sqrt(C s_i)
(p_i (x) xt_i)``: a single BLAS-3 call of width K k1 per block instead of
K^2 / 2 small ones.  Classes from ``n_free`` on (the pinned reference class
of an unpenalized fit) are left out of the gradient and Hessian.

For robust (sandwich) covariances the same pass also gives the meat
``M = sum_i s_i (r_i (x) xt_i)(r_i (x) xt_i)^T``, ``r_i = C (p_i - y_i)``
(one more dsyrk of width K k1, reusing the buffer of ``A``), and the score
sums of each cluster.
"""

from libc.math cimport exp, fabs, log, sqrt
from libc.stdlib cimport malloc, free
from libc.string cimport memset

from .blas cimport floating, _gemm, _syrk
from .rows cimport _check_groups, _copy_block, _leading_dim
from .scalar cimport clogit_binomial_point, clogit_sum_add

DEF BLOCK_BYTES = 1048576


def default_block_rows(Py_ssize_t width):
    """Rows per block for a float64 buffer ``width`` columns wide."""
    cdef Py_ssize_t rows = BLOCK_BYTES // (8 * max(width, 1))
    return min(max(rows, 256), 4096)


cdef void _scores(const double *buf, Py_ssize_t m, Py_ssize_t k1,
                  const double *coef, Py_ssize_t K,
                  double *Z) noexcept nogil:
    """Z (m x K, row-major) = B (m x k1, row-major) @ coef.T."""
    _gemm[double](c'T', c'N', <int>K, <int>m, <int>k1, 1.0, coef, <int>k1,
                  buf, <int>k1, 0.0, Z, <int>K)


def softmax_pass(const floating[:, :] X, const int[::1] y,
                 const double[::1] sample_weight, const double[:, ::1] coef,
                 bint fit_intercept, double C, double[:, ::1] grad,
                 double[::1, :] hess=None, double[:, ::1] z_out=None,
                 Py_ssize_t n_free=-1, Py_ssize_t block_rows=0,
                 double[::1, :] meat_out=None, const int[::1] groups=None,
                 double[:, ::1] group_scores_out=None):
    """Objective, gradient and (optionally) Hessian of the multinomial data
    term ``C * sum_i s_i * (logsumexp(z_i) - z_{i, y_i})``.

    Parameters
    ----------
    X : (n, p) float32 or float64, C- or F-contiguous
    y : (n,) int32 class indices in [0, K)
    sample_weight : (n,) float64
    coef : (K, k1) float64, k1 = p + fit_intercept
    grad : (n_free, k1) float64, out
    hess : (n_free k1, n_free k1) float64 F-ordered, out, optional
    z_out : (n, K) float64, out, optional: the scores
    n_free : classes 0 .. n_free-1 get gradient/Hessian (default K)
    meat_out : (n_free k1, n_free k1) float64 F-ordered, out, optional
        ``sum_i s_i g_i g_i^T`` with ``g_i = r_i (x) xt_i`` (classes
        0 .. n_free-1), ``r_i = C (p_i - y_i)``: the outer products of the
        per-sample scores, ``s_i`` counted as a frequency weight.
    groups : (n,) int32 cluster codes in [0, G), optional
    group_scores_out : (G, n_free k1) float64, out, optional
        ``sum over {i : groups[i] == g} of s_i g_i``; their sum is ``grad``.

    Returns
    -------
    float
        The data term.
    """
    cdef Py_ssize_t n = X.shape[0], p = X.shape[1]
    cdef Py_ssize_t K = coef.shape[0]
    cdef Py_ssize_t k1 = p + (1 if fit_intercept else 0)
    cdef Py_ssize_t n_fit = K if n_free < 0 else n_free
    cdef Py_ssize_t width = n_fit * k1
    cdef bint want_hess = hess is not None
    cdef bint want_z = z_out is not None
    cdef bint want_meat = meat_out is not None
    cdef bint want_groups = group_scores_out is not None
    cdef bint c_order = False
    cdef int lda = _leading_dim(X, &c_order)
    cdef Py_ssize_t m_max, i0, m, i, j, c, a, g, n_groups = 0
    cdef double obj = 0.0, comp = 0.0, zmax, zy, total, s, weight, pc
    cdef double *buf
    cdef double *Z
    cdef double *V
    cdef double *A
    cdef double *rw

    if y.shape[0] != n or sample_weight.shape[0] != n:
        raise ValueError("y and sample_weight must have X.shape[0] entries")
    if coef.shape[1] != k1 or K < 2 or not 0 < n_fit <= K:
        raise ValueError("coef must be (n_classes, n_features (+1))")
    if grad.shape[0] != n_fit or grad.shape[1] != k1:
        raise ValueError("grad must be (n_free, n_features (+1))")
    if want_hess and (hess.shape[0] != width or hess.shape[1] != width):
        raise ValueError("hess must be (n_free (n_features + 1))^2")
    if want_z and (z_out.shape[0] != n or z_out.shape[1] != K):
        raise ValueError("z_out must be (n_samples, n_classes)")
    for i in range(n):
        if y[i] < 0 or y[i] >= K:
            raise ValueError("class indices must lie in [0, n_classes)")
    if want_meat and (meat_out.shape[0] != width
                      or meat_out.shape[1] != width):
        raise ValueError("meat_out must be (n_free (n_features + 1))^2")
    if want_groups:
        n_groups = _check_groups(groups, group_scores_out, n, width)

    m_max = block_rows if block_rows > 0 else default_block_rows(
        width if (want_hess or want_meat) else k1)
    m_max = min(m_max, max(n, 1))
    buf = <double *>malloc(m_max * (k1 + K + 1) * sizeof(double))
    V = NULL
    A = NULL
    if want_hess:
        V = <double *>malloc(m_max * k1 * sizeof(double))
    if want_hess or want_meat:
        A = <double *>malloc(m_max * width * sizeof(double))
    if buf == NULL or (want_hess and V == NULL) or (
            (want_hess or want_meat) and A == NULL):
        free(buf)
        free(V)
        free(A)
        raise MemoryError()
    Z = buf + m_max * k1
    rw = Z + m_max * K

    with nogil:
        memset(&grad[0, 0], 0, n_fit * k1 * sizeof(double))
        if want_hess:
            memset(&hess[0, 0], 0, width * width * sizeof(double))
        if want_meat:
            memset(&meat_out[0, 0], 0, width * width * sizeof(double))
        if want_groups and n_groups > 0:
            memset(&group_scores_out[0, 0], 0,
                   n_groups * width * sizeof(double))
        i0 = 0
        while i0 < n:
            m = min(m_max, n - i0)
            # 1. rows as float64, row-major, intercept column last (read
            # in place, as ovr_pass does, a gradient pass on bench/
            # multiclass.py's task took 58.6 ms in 1 MiB blocks and 51.5 ms
            # in 256 rows against 53.2 ms copied: no gain, not kept)
            _copy_block(X, i0, m, NULL, p, fit_intercept, True, buf)
            # 2. scores
            _scores(buf, m, k1, &coef[0, 0], K, Z)
            if want_z:
                for i in range(m):
                    for c in range(K):
                        z_out[i0 + i, c] = Z[i * K + c]
            # 3. probabilities (into Z), loss, residuals (into Z)
            for i in range(m):
                s = sample_weight[i0 + i]
                zmax = Z[i * K]
                for c in range(1, K):
                    if Z[i * K + c] > zmax:
                        zmax = Z[i * K + c]
                # loss = logsumexp(z) - z_y = log(total) - (z_y - zmax),
                # with z_y - zmax taken before exp() can underflow it
                zy = Z[i * K + y[i0 + i]] - zmax
                total = 0.0
                for c in range(K):
                    Z[i * K + c] = exp(Z[i * K + c] - zmax)
                    total += Z[i * K + c]
                clogit_sum_add(&obj, &comp, s * (log(total) - zy))
                for c in range(K):
                    Z[i * K + c] /= total
                rw[i] = C * s
            if want_hess:
                # 5a. block-diagonal terms: rows scaled by sqrt(C s p_ic)
                for c in range(n_fit):
                    for i in range(m):
                        weight = sqrt(rw[i] * Z[i * K + c])
                        for a in range(k1):
                            V[i * k1 + a] = weight * buf[i * k1 + a]
                    _syrk[double](c'L', c'N', <int>k1, <int>m, 1.0, V,
                                  <int>k1, 1.0, &hess[c * k1, c * k1],
                                  <int>width)
                # 5b. minus A.T A, a_i = sqrt(C s_i) (p_i (x) xt_i)
                for i in range(m):
                    weight = sqrt(rw[i])
                    for c in range(n_fit):
                        pc = weight * Z[i * K + c]
                        for a in range(k1):
                            A[i * width + c * k1 + a] = pc * buf[i * k1 + a]
                _syrk[double](c'L', c'N', <int>width, <int>m, -1.0, A,
                              <int>width, 1.0, &hess[0, 0], <int>width)
            # 4. residuals R = C s (P - Y); grad (n_fit x k1) += R.T @ B
            for i in range(m):
                for c in range(K):
                    Z[i * K + c] *= rw[i]
                Z[i * K + y[i0 + i]] -= rw[i]
            # 6. robust covariances from the residuals: cluster score sums
            # S[g] += s r (x) xt and M += A'.T A', a'_i = sqrt(s) r (x) xt
            if want_groups:
                for i in range(m):
                    g = groups[i0 + i]
                    for c in range(n_fit):
                        pc = Z[i * K + c]
                        for a in range(k1):
                            group_scores_out[g, c * k1 + a] += (
                                pc * buf[i * k1 + a])
            if want_meat:
                for i in range(m):
                    s = sample_weight[i0 + i]
                    # Z holds C s (p - y): sqrt(s) C (p - y) = Z / sqrt(s)
                    weight = 1.0 / sqrt(s) if s > 0.0 else 0.0
                    for c in range(n_fit):
                        pc = weight * Z[i * K + c]
                        for a in range(k1):
                            A[i * width + c * k1 + a] = pc * buf[i * k1 + a]
                _syrk[double](c'L', c'N', <int>width, <int>m, 1.0, A,
                              <int>width, 1.0, &meat_out[0, 0], <int>width)
            _gemm[double](c'N', c'T', <int>k1, <int>n_fit, <int>m, 1.0,
                          buf,
                          <int>k1, Z, <int>K, 1.0, &grad[0, 0], <int>k1)
            i0 += m
        if want_hess:
            for j in range(width):
                for i in range(j + 1, width):
                    hess[j, i] = hess[i, j]
        if want_meat:
            for j in range(width):
                for i in range(j + 1, width):
                    meat_out[j, i] = meat_out[i, j]
    free(buf)
    free(V)
    free(A)
    return C * (obj + comp)


def softmax_scores(const floating[:, :] X, const double[:, ::1] coef,
                   bint fit_intercept, double[:, ::1] out):
    """``out = Xt @ coef.T`` (n x K) in float64, block by block."""
    cdef Py_ssize_t n = X.shape[0], p = X.shape[1], K = coef.shape[0]
    cdef Py_ssize_t k1 = p + (1 if fit_intercept else 0)
    cdef bint c_order = False
    cdef int lda = _leading_dim(X, &c_order)
    cdef Py_ssize_t m_max, i0, m
    cdef double *buf
    if coef.shape[1] != k1 or out.shape[0] != n or out.shape[1] != K:
        raise ValueError("shape mismatch in softmax_scores")
    if n == 0:
        return
    m_max = min(default_block_rows(k1), n)
    buf = <double *>malloc(m_max * k1 * sizeof(double))
    if buf == NULL:
        raise MemoryError()
    with nogil:
        i0 = 0
        while i0 < n:
            m = min(m_max, n - i0)
            _copy_block(X, i0, m, NULL, p, fit_intercept, True, buf)
            _scores(buf, m, k1, &coef[0, 0], K, &out[i0, 0])
            i0 += m
    free(buf)


def softmax_objective_along(const int[::1] y, const double[::1] sample_weight,
                            const double[:, ::1] Z, const double[:, ::1] dZ,
                            double step, double C):
    """``C * sum_i s_i * loss(Z_i + step * dZ_i)``: the data term along a
    search direction from cached scores (never reads X)."""
    cdef Py_ssize_t n = Z.shape[0], K = Z.shape[1], i, c
    cdef double obj = 0.0, comp = 0.0, zmax, total, zc
    if (dZ.shape[0] != n or dZ.shape[1] != K or y.shape[0] != n
            or sample_weight.shape[0] != n):
        raise ValueError("shape mismatch in softmax_objective_along")
    with nogil:
        for i in range(n):
            zmax = Z[i, 0] + step * dZ[i, 0]
            for c in range(1, K):
                zc = Z[i, c] + step * dZ[i, c]
                if zc > zmax:
                    zmax = zc
            total = 0.0
            for c in range(K):
                total += exp(Z[i, c] + step * dZ[i, c] - zmax)
            clogit_sum_add(&obj, &comp, sample_weight[i] * (
                log(total) + zmax - (Z[i, y[i]] + step * dZ[i, y[i]])))
    return C * (obj + comp)


# ovr_pass sums each class's log1p(exp(-|z|)) as the log of a product of
# up to _OVR_PRODUCT_ROWS factors 1 + exp(-|z|) (each in (1, 2]: no
# overflow below 1,023 rows), one log() per class per 32 rows instead of a
# log1p() per entry; glibc's log1p was 30% of the pass (perf, bench/
# multiclass.py's task, 100,000 x 100, K = 10).  The product's rounding
# (32 multiplications, about 1e-14 absolute per group) is far below the
# rounding of the objective's own sum over the rows.  Rows of C-ordered
# float64 X go to BLAS in place (no copy into a block buffer; the
# intercept added to the scores and its gradient summed here).
DEF _OVR_PRODUCT_ROWS = 32
DEF _OVR_DIRECT_BYTES = 262144


cdef inline void _ovr_flush(double *prod, double *logs, Py_ssize_t K,
                            double weight) noexcept nogil:
    """``logs += weight * log(prod)``, ``prod = 1``, for the K classes."""
    cdef Py_ssize_t c
    for c in range(K):
        logs[c] += weight * log(prod[c])
        prod[c] = 1.0


def ovr_pass(const floating[:, :] X, const int[::1] y,
             const double[::1] sample_weight, const double[:, ::1] coef,
             bint fit_intercept, double C, double[:, ::1] grad,
             double[::1] objectives, Py_ssize_t block_rows=0):
    """Objectives and gradients of the K binary One-vs-Rest problems
    together, from one read of X: class c's data term
    ``C * sum_i s_i * loss(1[y_i = c], z_ic)`` with ``z_i = coef @ xt_i``,
    and its gradient ``C * Xt.T @ (s * (sigmoid(z_c) - 1[y = c]))``.

    The K problems share X and the weights, so their scores are one gemm
    of each block (as :func:`softmax_pass`'s) and their gradients another:
    X is read once for all K classes instead of once per class.

    Parameters
    ----------
    X : (n, p) float32 or float64, C- or F-contiguous
    y : (n,) int32 class indices in [0, K)
    sample_weight : (n,) float64
    coef : (K, k1) float64, k1 = p + fit_intercept
    grad : (K, k1) float64, out
    objectives : (K,) float64, out: each class's data term

    Returns
    -------
    float
        The sum of the K data terms.
    """
    cdef Py_ssize_t n = X.shape[0], p = X.shape[1]
    cdef Py_ssize_t K = coef.shape[0]
    cdef Py_ssize_t k1 = p + (1 if fit_intercept else 0)
    cdef bint c_order = False
    cdef int lda = _leading_dim(X, &c_order)
    # C-ordered float64 rows are read by BLAS where they are
    cdef bint direct = floating is double and c_order and n > 0
    cdef Py_ssize_t m_max, i0, m, i, c, yi, in_group = 0
    cdef double s, z, e, d, prob, total = 0.0, group_weight = 0.0
    cdef double *buf
    cdef double *Z
    cdef double *prod
    cdef double *logs
    cdef double *rsum
    cdef const double *rows
    cdef int ldb
    if y.shape[0] != n or sample_weight.shape[0] != n:
        raise ValueError("y and sample_weight must have X.shape[0] entries")
    if coef.shape[1] != k1 or K < 1:
        raise ValueError("coef must be (n_classes, n_features (+1))")
    if grad.shape[0] != K or grad.shape[1] != k1 or objectives.shape[0] != K:
        raise ValueError("grad must be (n_classes, n_features (+1)) and "
                         "objectives (n_classes,)")
    for i in range(n):
        if y[i] < 0 or y[i] >= K:
            raise ValueError("class indices must lie in [0, n_classes)")
    if block_rows > 0:
        m_max = block_rows
    elif direct:
        # rows read in place want blocks that stay in L2 between the two
        # gemm (on bench/multiclass.py's 100,000 x 100, K = 10, one core:
        # 1 MiB blocks 70.6 ms a pass, 256 rows 53.1 ms, 512 rows 56.6 ms;
        # the copying pass 73.7 ms)
        m_max = min(max(_OVR_DIRECT_BYTES // (8 * max(p, 1)), 64), 4096)
    else:
        m_max = default_block_rows(k1)
    m_max = min(m_max, max(n, 1))
    buf = <double *>malloc(((0 if direct else m_max * k1) + m_max * K
                            + 3 * K) * sizeof(double))
    if buf == NULL:
        raise MemoryError()
    Z = buf + (0 if direct else m_max * k1)
    prod = Z + m_max * K
    logs = prod + K
    rsum = logs + K
    with nogil:
        memset(&grad[0, 0], 0, K * k1 * sizeof(double))
        for c in range(K):
            objectives[c] = 0.0
            logs[c] = 0.0
            prod[c] = 1.0
        i0 = 0
        while i0 < n:
            m = min(m_max, n - i0)
            # 1. scores Z (m x K) = rows @ coef.T (+ intercepts)
            if direct:
                rows = <const double *>&X[i0, 0]
                ldb = lda
                _gemm[double](c'T', c'N', <int>K, <int>m, <int>p, 1.0,
                              &coef[0, 0], <int>k1, rows, ldb, 0.0, Z,
                              <int>K)
                if fit_intercept:
                    for i in range(m):
                        for c in range(K):
                            Z[i * K + c] += coef[c, p]
            else:
                _copy_block(X, i0, m, NULL, p, fit_intercept, True, buf)
                rows = buf
                ldb = <int>k1
                _scores(buf, m, k1, &coef[0, 0], K, Z)
            # 2. losses and residuals C s (sigmoid(z) - label), into Z;
            # the log1p terms as logs of products (see _OVR_PRODUCT_ROWS),
            # a group ending where the weight changes
            for i in range(m):
                s = sample_weight[i0 + i]
                if in_group == _OVR_PRODUCT_ROWS or (
                        in_group > 0 and s != group_weight):
                    _ovr_flush(prod, logs, K, group_weight)
                    in_group = 0
                group_weight = s
                in_group += 1
                yi = y[i0 + i]
                for c in range(K):
                    z = Z[i * K + c]
                    e = exp(-fabs(z))      # in (0, 1]: never overflows
                    d = 1.0 + e
                    prod[c] *= d
                    prob = 1.0 / d if z >= 0.0 else e / d
                    if c == yi:
                        objectives[c] += s * ((z if z > 0.0 else 0.0) - z)
                        Z[i * K + c] = C * s * (prob - 1.0)
                    else:
                        if z > 0.0:
                            objectives[c] += s * z
                        Z[i * K + c] = C * s * prob
            # 3. gradients (K x k1) += R.T @ rows
            _gemm[double](c'N', c'T', <int>p if direct else <int>k1,
                          <int>K, <int>m, 1.0, rows, ldb, Z, <int>K, 1.0,
                          &grad[0, 0], <int>k1)
            if direct and fit_intercept:
                for c in range(K):
                    rsum[c] = 0.0
                for i in range(m):
                    for c in range(K):
                        rsum[c] += Z[i * K + c]
                for c in range(K):
                    grad[c, p] += rsum[c]
            i0 += m
        if in_group > 0:
            _ovr_flush(prod, logs, K, group_weight)
        for c in range(K):
            objectives[c] = C * (objectives[c] + logs[c])
            total += objectives[c]
    free(buf)
    return total
