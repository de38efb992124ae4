# The one place clogit calls BLAS and LAPACK.  Everything goes through scipy's
# Cython capsules (scipy.linalg.cython_blas / cython_lapack), so the extension
# modules link no BLAS of their own and share scipy's OpenBLAS.
#
# All wrappers take column-major (Fortran) operands.  A row-major m x n array
# is the column-major n x m array of its transpose: callers pass it with the
# opposite trans flag (see the kernels in _binomial.pyx).

ctypedef fused floating:
    float
    double

cdef floating _dot(int n, const floating *x, int incx,
                   const floating *y, int incy) noexcept nogil

cdef void _axpy(int n, floating alpha, const floating *x, int incx,
                floating *y, int incy) noexcept nogil

cdef void _scal(int n, floating alpha, floating *x, int incx) noexcept nogil

cdef void _gemv(char trans, int m, int n, floating alpha, const floating *A,
                int lda, const floating *x, int incx, floating beta,
                floating *y, int incy) noexcept nogil

cdef void _gemm(char transa, char transb, int m, int n, int k,
                floating alpha, const floating *A, int lda,
                const floating *B, int ldb, floating beta, floating *C,
                int ldc) noexcept nogil

cdef void _syrk(char uplo, char trans, int n, int k, floating alpha,
                const floating *A, int lda, floating beta,
                floating *C, int ldc) noexcept nogil

cdef void _trmm(char side, char uplo, char transa, char diag, int m, int n,
                floating alpha, const floating *A, int lda, floating *B,
                int ldb) noexcept nogil

cdef void _trsm(char side, char uplo, char transa, char diag, int m, int n,
                floating alpha, const floating *A, int lda, floating *B,
                int ldb) noexcept nogil

cdef int _potrf(char uplo, int n, double *A, int lda) noexcept nogil
cdef int _potrs(char uplo, int n, int nrhs, const double *A, int lda,
                double *B, int ldb) noexcept nogil
cdef int _potri(char uplo, int n, double *A, int lda) noexcept nogil
cdef int _equilibrated_cholesky(int n, double *A, double *scale,
                                double *equilibrated) noexcept nogil
cdef double _ridged_cholesky(int n, double *A, double *scale,
                             double *equilibrated) noexcept nogil
