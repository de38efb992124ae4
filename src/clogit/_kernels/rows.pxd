# Row-block helpers shared by the kernel modules (binomial, softmax,
# sparse): how BLAS sees X, copying a block of X's rows into a float64
# buffer, and checking the cluster codes of the robust-covariance outputs.
# Defined inline here so every kernel module compiles its own copy.

from libc.string cimport memcpy

from .blas cimport floating


cdef inline int _leading_dim(const floating[:, :] X,
                             bint *c_order) except -1:
    """BLAS leading dimension of X and whether it is row-major.

    X's rows (C order) or columns (F order) must be contiguous; anything else
    is refused here (the Python layer copies such arrays first).
    """
    cdef Py_ssize_t itemsize = sizeof(floating)
    cdef Py_ssize_t n = X.shape[0], p = X.shape[1]
    if X.strides[1] == itemsize or p == 1:
        c_order[0] = True
        return <int>max(X.strides[0] // itemsize, p, 1)
    if X.strides[0] == itemsize or n == 1:
        c_order[0] = False
        return <int>max(X.strides[1] // itemsize, n, 1)
    raise ValueError("X must be C- or F-contiguous in one dimension")


cdef inline void _copy_block(const floating[:, :] X, Py_ssize_t i0,
                             Py_ssize_t m, const int *cols, Py_ssize_t k,
                             bint intercept, bint c_order,
                             double *buf) noexcept nogil:
    """Copy rows i0..i0+m of X into buf (float64), intercept column last.

    With ``cols`` the block holds only those k columns of X (the working set
    of the proximal Newton method); with ``cols == NULL``, all k == p.

    Through pointers along X's contiguous dimension (memcpy for float64):
    indexing the memoryview element by element does not vectorize (a
    variable inner stride), and on 20,000 x 50 float64 rows the copy cost
    more than the two gemv of a gradient pass together.
    """
    cdef Py_ssize_t i, j, k1 = k + intercept
    cdef Py_ssize_t row_stride, col_stride
    cdef const floating *src
    cdef double *dst
    if k > 0 and m > 0:
        # (``c_order`` is the buffer's layout: callers may ask for a
        # row-major buffer of column-major X, so X's own strides decide
        # whether a memcpy applies)
        row_stride = X.strides[0] // sizeof(floating)
        col_stride = X.strides[1] // sizeof(floating)
        if c_order:
            for i in range(m):
                src = &X[i0 + i, 0]
                dst = buf + i * k1
                if cols != NULL:
                    for j in range(k):
                        dst[j] = src[cols[j] * col_stride]
                elif floating is double and col_stride == 1:
                    memcpy(dst, src, k * sizeof(double))
                else:
                    for j in range(k):
                        dst[j] = src[j * col_stride]
        else:
            for j in range(k):
                src = &X[i0, cols[j] if cols != NULL else j]
                dst = buf + j * m
                if floating is double and row_stride == 1:
                    memcpy(dst, src, m * sizeof(double))
                else:
                    for i in range(m):
                        dst[i] = src[i * row_stride]
    if intercept:
        if c_order:
            for i in range(m):
                buf[i * k1 + k] = 1.0
        else:
            for i in range(m):
                buf[k * m + i] = 1.0


cdef inline Py_ssize_t _check_groups(const int[::1] groups,
                                     double[:, ::1] group_scores_out,
                                     Py_ssize_t n,
                                     Py_ssize_t width) except -1:
    """Shape and range checks of the int32 cluster codes of a pass that
    sums the scores per cluster into ``group_scores_out`` (G x width);
    returns G."""
    cdef Py_ssize_t i, n_groups = group_scores_out.shape[0]
    if groups is None or groups.shape[0] != n:
        raise ValueError("groups must have X.shape[0] entries")
    if group_scores_out.shape[1] != width:
        raise ValueError("group_scores_out must be (n_groups, number of "
                         "coefficients)")
    for i in range(n):
        if groups[i] < 0 or groups[i] >= n_groups:
            raise ValueError("groups must lie in [0, n_groups)")
    return n_groups
