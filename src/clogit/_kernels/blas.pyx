"""BLAS/LAPACK wrappers (fused over float/double) and their Python twins.

The ``cdef`` wrappers are what the kernels call, without the GIL.  Each has a
small Python-callable twin (``dot``, ``axpy``, ``gemv``, ``gemm``, ``syrk``,
``trmm``, ``trsm``, and the
LAPACK trio ``cholesky``/``cho_solve``/``cho_inverse``, and
``ridged_cholesky``) so the test suite
can check every wrapper against numpy, and so the Newton solver can factor
its small (p+1) x (p+1) systems from Python.
"""

import numpy as np

from libc.math cimport isfinite, sqrt
from libc.string cimport memcpy
from scipy.linalg.cython_blas cimport (
    ddot, sdot, daxpy, saxpy, dscal, sscal, dgemv, sgemv, dgemm, sgemm,
    dsyrk, ssyrk, dtrmm, strmm, dtrsm, strsm,
)
from scipy.linalg.cython_lapack cimport dpotrf, dpotrs, dpotri

# SciPy's cython_blas.pxd has no const qualifiers: cast const away at the call.

cdef floating _dot(int n, const floating *x, int incx,
                   const floating *y, int incy) noexcept nogil:
    if floating is float:
        return sdot(&n, <float *>x, &incx, <float *>y, &incy)
    else:
        return ddot(&n, <double *>x, &incx, <double *>y, &incy)


cdef void _axpy(int n, floating alpha, const floating *x, int incx,
                floating *y, int incy) noexcept nogil:
    if floating is float:
        saxpy(&n, &alpha, <float *>x, &incx, y, &incy)
    else:
        daxpy(&n, &alpha, <double *>x, &incx, y, &incy)


cdef void _scal(int n, floating alpha, floating *x, int incx) noexcept nogil:
    if floating is float:
        sscal(&n, &alpha, x, &incx)
    else:
        dscal(&n, &alpha, x, &incx)


cdef void _gemv(char trans, int m, int n, floating alpha, const floating *A,
                int lda, const floating *x, int incx, floating beta,
                floating *y, int incy) noexcept nogil:
    if floating is float:
        sgemv(&trans, &m, &n, &alpha, <float *>A, &lda, <float *>x, &incx,
              &beta, y, &incy)
    else:
        dgemv(&trans, &m, &n, &alpha, <double *>A, &lda, <double *>x, &incx,
              &beta, y, &incy)


cdef void _gemm(char transa, char transb, int m, int n, int k,
                floating alpha, const floating *A, int lda,
                const floating *B, int ldb, floating beta, floating *C,
                int ldc) noexcept nogil:
    if floating is float:
        sgemm(&transa, &transb, &m, &n, &k, &alpha, <float *>A, &lda,
              <float *>B, &ldb, &beta, C, &ldc)
    else:
        dgemm(&transa, &transb, &m, &n, &k, &alpha, <double *>A, &lda,
              <double *>B, &ldb, &beta, C, &ldc)


cdef void _syrk(char uplo, char trans, int n, int k, floating alpha,
                const floating *A, int lda, floating beta,
                floating *C, int ldc) noexcept nogil:
    if floating is float:
        ssyrk(&uplo, &trans, &n, &k, &alpha, <float *>A, &lda, &beta, C, &ldc)
    else:
        dsyrk(&uplo, &trans, &n, &k, &alpha, <double *>A, &lda, &beta, C, &ldc)


cdef void _trmm(char side, char uplo, char transa, char diag, int m, int n,
                floating alpha, const floating *A, int lda, floating *B,
                int ldb) noexcept nogil:
    if floating is float:
        strmm(&side, &uplo, &transa, &diag, &m, &n, &alpha, <float *>A, &lda,
              B, &ldb)
    else:
        dtrmm(&side, &uplo, &transa, &diag, &m, &n, &alpha, <double *>A,
              &lda, B, &ldb)


cdef void _trsm(char side, char uplo, char transa, char diag, int m, int n,
                floating alpha, const floating *A, int lda, floating *B,
                int ldb) noexcept nogil:
    if floating is float:
        strsm(&side, &uplo, &transa, &diag, &m, &n, &alpha, <float *>A, &lda,
              B, &ldb)
    else:
        dtrsm(&side, &uplo, &transa, &diag, &m, &n, &alpha, <double *>A,
              &lda, B, &ldb)


cdef int _potrf(char uplo, int n, double *A, int lda) noexcept nogil:
    cdef int info = 0
    dpotrf(&uplo, &n, A, &lda, &info)
    return info


cdef int _potrs(char uplo, int n, int nrhs, const double *A, int lda,
                double *B, int ldb) noexcept nogil:
    cdef int info = 0
    dpotrs(&uplo, &n, &nrhs, <double *>A, &lda, B, &ldb, &info)
    return info


cdef int _potri(char uplo, int n, double *A, int lda) noexcept nogil:
    cdef int info = 0
    dpotri(&uplo, &n, A, &lda, &info)
    return info


# --------------------------------------------------------------------------
# Python twins.  Row-major (C-ordered) matrices are handed to BLAS as the
# column-major matrix of their transpose, with the trans flag flipped.
# --------------------------------------------------------------------------

def _as_blas_matrix(A):
    """Return (A, is_row_major) for a C- or F-contiguous 2-D array."""
    if A.ndim != 2:
        raise ValueError("expected a 2-D array")
    if A.flags.f_contiguous:
        return A, False
    if A.flags.c_contiguous:
        return A, True
    raise ValueError("expected a C- or F-contiguous array")


def dot(const floating[::1] x, const floating[::1] y):
    """Return ``x @ y`` computed by BLAS ``?dot``."""
    if x.shape[0] != y.shape[0]:
        raise ValueError("x and y must have the same length")
    return _dot(<int>x.shape[0], &x[0], 1, &y[0], 1)


def axpy(double alpha, const floating[::1] x, floating[::1] y):
    """In place ``y += alpha * x`` by BLAS ``?axpy``."""
    if x.shape[0] != y.shape[0]:
        raise ValueError("x and y must have the same length")
    _axpy(<int>x.shape[0], <floating>alpha, &x[0], 1, &y[0], 1)


def gemv(double alpha, A, x, double beta, y, bint trans=False):
    """In place ``y = alpha * op(A) @ x + beta * y``; op is transpose if trans.

    ``A`` may be C- or F-contiguous, float32 or float64 (x, y of A's dtype).
    """
    A, row_major = _as_blas_matrix(A)
    if A.dtype == np.float64:
        _gemv_py[double](alpha, A, x, beta, y, trans, row_major)
    else:
        _gemv_py[float](alpha, A, x, beta, y, trans, row_major)


cdef _gemv_py(floating alpha, floating[:, :] A, const floating[::1] x,
              floating beta, floating[::1] y, bint trans, bint row_major):
    cdef int rows = <int>A.shape[0], cols = <int>A.shape[1]
    cdef char t = c'T' if trans else c'N'
    if (x.shape[0] != (rows if trans else cols)
            or y.shape[0] != (cols if trans else rows)):
        raise ValueError("shape mismatch in gemv")
    if row_major:
        # column-major view is A^T (cols x rows): flip the trans flag
        t = c'N' if trans else c'T'
        _gemv(t, cols, rows, alpha, &A[0, 0], cols, &x[0], 1, beta, &y[0], 1)
    else:
        _gemv(t, rows, cols, alpha, &A[0, 0], rows, &x[0], 1, beta, &y[0], 1)


def gemm(double alpha, A, B, double beta, C):
    """In place ``C = alpha * A @ B + beta * C`` by BLAS ``?gemm``.

    All three F-contiguous, of one dtype (float32 or float64).
    """
    for M in (A, B, C):
        if M.ndim != 2 or not M.flags.f_contiguous:
            raise ValueError("gemm expects F-contiguous 2-D arrays")
    if A.shape[1] != B.shape[0] or C.shape != (A.shape[0], B.shape[1]):
        raise ValueError("shape mismatch in gemm")
    if A.dtype == np.float64:
        _gemm_py[double](alpha, A, B, beta, C)
    else:
        _gemm_py[float](alpha, A, B, beta, C)


cdef _gemm_py(floating alpha, floating[::1, :] A, floating[::1, :] B,
              floating beta, floating[::1, :] C):
    cdef int m = <int>A.shape[0], k = <int>A.shape[1], n = <int>B.shape[1]
    if m == 0 or n == 0 or k == 0:
        return
    _gemm(c'N', c'N', m, n, k, alpha, &A[0, 0], m, &B[0, 0], k, beta,
          &C[0, 0], m)


def syrk(double alpha, A, double beta, C):
    """In place ``C = alpha * A.T @ A + beta * C`` with both triangles filled.

    ``A`` (k x n) may be C- or F-contiguous; ``C`` is n x n, F-contiguous,
    of A's dtype.
    """
    A, row_major = _as_blas_matrix(A)
    if not C.flags.f_contiguous or C.shape != (A.shape[1], A.shape[1]):
        raise ValueError("C must be an F-contiguous n x n array")
    if A.dtype == np.float64:
        _syrk_py[double](alpha, A, beta, C, row_major)
    else:
        _syrk_py[float](alpha, A, beta, C, row_major)
    _fill_upper(C)


cdef _syrk_py(floating alpha, floating[:, :] A, floating beta,
              floating[::1, :] C, bint row_major):
    cdef int k = <int>A.shape[0], n = <int>A.shape[1]
    if row_major:
        # column-major view of A is A^T (n x k): A^T A == (A^T)(A^T)^T -> 'N'
        _syrk(c'L', c'N', n, k, alpha, &A[0, 0], n, beta, &C[0, 0], n)
    else:
        _syrk(c'L', c'T', n, k, alpha, &A[0, 0], k, beta, &C[0, 0], n)


def trmm(double alpha, A, B, bint right=False, bint trans=False):
    """In place ``B = alpha * op(L) @ B`` (or ``B @ op(L)`` if ``right``)
    by BLAS ``?trmm``, with ``L`` the lower triangle of the square ``A``
    (its upper triangle is not read) and op the transpose if ``trans``.

    ``A`` and ``B`` F-contiguous, of one dtype (float32 or float64).
    """
    _check_triangular(A, B, right)
    if A.dtype == np.float64:
        _triangular_py[double](alpha, A, B, right, trans, False)
    else:
        _triangular_py[float](alpha, A, B, right, trans, False)


def trsm(double alpha, A, B, bint right=False, bint trans=False):
    """In place ``B = alpha * op(L)^-1 @ B`` (or ``B @ op(L)^-1`` if
    ``right``) by BLAS ``?trsm``, ``L`` the lower triangle of ``A`` (see
    :func:`trmm`)."""
    _check_triangular(A, B, right)
    if A.dtype == np.float64:
        _triangular_py[double](alpha, A, B, right, trans, True)
    else:
        _triangular_py[float](alpha, A, B, right, trans, True)


def _check_triangular(A, B, right):
    for M in (A, B):
        if M.ndim != 2 or not M.flags.f_contiguous:
            raise ValueError("trmm/trsm expect F-contiguous 2-D arrays")
    if A.shape[0] != A.shape[1] or A.shape[0] != B.shape[1 if right else 0]:
        raise ValueError("shape mismatch in trmm/trsm")
    if A.dtype != B.dtype:
        raise ValueError("A and B must have one dtype")


cdef _triangular_py(floating alpha, floating[::1, :] A, floating[::1, :] B,
                    bint right, bint trans, bint solve):
    cdef int m = <int>B.shape[0], n = <int>B.shape[1]
    cdef char side = c'R' if right else c'L'
    cdef char t = c'T' if trans else c'N'
    if m == 0 or n == 0:
        return
    if solve:
        _trsm(side, c'L', t, c'N', m, n, alpha, &A[0, 0], <int>A.shape[0],
              &B[0, 0], m)
    else:
        _trmm(side, c'L', t, c'N', m, n, alpha, &A[0, 0], <int>A.shape[0],
              &B[0, 0], m)


def _fill_upper(C):
    """Copy the lower triangle of a square array into its upper triangle."""
    iu = np.triu_indices(C.shape[0], 1)
    C[iu] = C.T[iu]


def cholesky(double[::1, :] A):
    """In place lower Cholesky factor of the SPD matrix ``A`` by ``dpotrf``.

    Returns LAPACK's ``info``: 0 on success, ``k > 0`` if the leading minor
    of order k is not positive definite (A is then partly overwritten).
    """
    if A.shape[0] != A.shape[1]:
        raise ValueError("A must be square")
    cdef int n = <int>A.shape[0]
    cdef int info
    with nogil:
        info = _potrf(c'L', n, &A[0, 0], n)
    return info


cdef int _equilibrated_cholesky(int n, double *A, double *scale,
                                double *equilibrated) noexcept nogil:
    """Diagonal equilibration and Cholesky (``A`` and ``equilibrated``
    column-major n x n, n > 0): ``scale[i] = 1 / sqrt(A_ii)`` (1 where
    ``A_ii <= 0``); ``A`` becomes ``D A D`` (``D = diag(scale)``, entries
    rounded as ``(A_ij s_i) s_j``), copied to ``equilibrated``, then
    factored in place by ``dpotrf`` (lower); on success every row i of
    ``A`` is divided by ``s_i``, so its lower triangle is a factor of the
    original ``A``.  Returns ``-1`` (A untouched) if a diagonal entry is not
    finite, else ``dpotrf``'s info (``> 0``: not positive definite; ``A``
    then holds the partial factor of ``D A D`` and ``equilibrated`` the
    matrix to retry from)."""
    cdef Py_ssize_t i, j
    cdef double d
    cdef int info
    for i in range(n):
        d = A[i + i * n]
        if not isfinite(d):
            return -1
        scale[i] = 1.0 / sqrt(d) if d > 0.0 else 1.0
    for j in range(n):
        for i in range(n):
            A[i + j * n] = (A[i + j * n] * scale[i]) * scale[j]
            equilibrated[i + j * n] = A[i + j * n]
    info = _potrf(c'L', n, A, n)
    if info == 0:
        for j in range(n):
            for i in range(n):
                A[i + j * n] = A[i + j * n] / scale[i]
    return info


def ridged_cholesky(double[::1, :] A, double[::1] scale,
                    double[::1, :] equilibrated):
    """Diagonal equilibration and Cholesky (see ``_equilibrated_cholesky``; on
    breast_cancer-sized systems numpy's steps cost more than the
    factorization), and when that fails a ridge ``tau *
    I`` added to the equilibrated matrix, tau from 1e-12 growing 100-fold
    until dpotrf succeeds (``_solvers.newton.factor_with_ridge`` says why);
    on return ``A``'s lower triangle is a factor of ``A`` (plus the ridge,
    scaled back).  Returns tau (0.0 if no ridge was needed), or -1.0 if
    ``A`` has non-finite entries."""
    cdef Py_ssize_t n = A.shape[0]
    cdef double tau
    if (A.shape[1] != n or scale.shape[0] != n
            or equilibrated.shape[0] != n or equilibrated.shape[1] != n):
        raise ValueError("shape mismatch in ridged_cholesky")
    if n == 0:
        return 0.0
    with nogil:
        tau = _ridged_cholesky(<int>n, &A[0, 0], &scale[0],
                               &equilibrated[0, 0])
    return tau


cdef double _ridged_cholesky(int n, double *A, double *scale,
                             double *equilibrated) noexcept nogil:
    """The body of :func:`ridged_cholesky` (n > 0)."""
    cdef Py_ssize_t i, j
    cdef double tau = 1e-12
    cdef int info = _equilibrated_cholesky(n, A, scale, equilibrated)
    if info < 0:
        return -1.0
    if info == 0:
        return 0.0
    while True:
        memcpy(A, equilibrated, n * n * sizeof(double))
        for i in range(n):
            A[i + i * n] += tau
        if _potrf(c'L', n, A, n) == 0:
            break
        if tau > 1e12:  # cannot happen for a finite PSD matrix
            return -1.0
        tau *= 100.0
    for j in range(n):
        for i in range(n):
            A[i + j * n] = A[i + j * n] / scale[i]
    return tau


def cho_solve(const double[::1, :] L, double[::1] b):
    """In place solve ``(L L^T) x = b`` from ``cholesky``'s factor (dpotrs)."""
    if L.shape[0] != L.shape[1] or b.shape[0] != L.shape[0]:
        raise ValueError("shape mismatch in cho_solve")
    cdef int n = <int>L.shape[0]
    cdef int info
    with nogil:
        info = _potrs(c'L', n, 1, &L[0, 0], n, &b[0], n)
    if info != 0:
        raise ValueError(f"dpotrs failed with info={info}")


def cho_inverse(double[::1, :] L):
    """In place inverse of ``L L^T`` from ``cholesky``'s factor (dpotri).

    Both triangles of the result are filled.
    """
    if L.shape[0] != L.shape[1]:
        raise ValueError("L must be square")
    cdef int n = <int>L.shape[0]
    cdef int info
    with nogil:
        info = _potri(c'L', n, &L[0, 0], n)
    if info != 0:
        raise ValueError(f"dpotri failed with info={info}: matrix is singular")
    _fill_upper(np.asarray(L))
