"""Each BLAS/LAPACK wrapper of clogit._kernels.blas against numpy."""

import numpy as np
import pytest

from clogit._kernels import blas as _blas


@pytest.fixture
def rng():
    return np.random.default_rng(0)


@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-13), (np.float32, 1e-5)])
def test_dot_and_axpy(rng, dtype, rtol):
    x = rng.standard_normal(37).astype(dtype)
    y = rng.standard_normal(37).astype(dtype)
    assert _blas.dot(x, y) == pytest.approx(float(x @ y), rel=rtol)
    expected = y + dtype(2.5) * x
    _blas.axpy(dtype(2.5), x, y)
    np.testing.assert_allclose(y, expected, rtol=rtol)


@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-13), (np.float32, 1e-5)])
@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("trans", [False, True])
def test_gemv(rng, dtype, rtol, order, trans):
    A = np.asarray(rng.standard_normal((7, 5)), dtype=dtype, order=order)
    x = rng.standard_normal(7 if trans else 5).astype(dtype)
    y = rng.standard_normal(5 if trans else 7).astype(dtype)
    expected = 1.5 * (A.T if trans else A) @ x - 0.5 * y
    _blas.gemv(1.5, A, x, -0.5, y, trans=trans)
    np.testing.assert_allclose(y, expected, rtol=rtol, atol=rtol)


@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-13), (np.float32, 1e-5)])
@pytest.mark.parametrize("order", ["C", "F"])
def test_syrk(rng, dtype, rtol, order):
    A = np.asarray(rng.standard_normal((11, 4)), dtype=dtype, order=order)
    C = np.asfortranarray(np.eye(4, dtype=dtype))
    _blas.syrk(2.0, A, 1.0, C)
    np.testing.assert_allclose(C, 2.0 * A.T @ A + np.eye(4), rtol=rtol,
                               atol=rtol)


def test_gemv_rejects_mismatched_shapes(rng):
    A = rng.standard_normal((3, 2))
    with pytest.raises(ValueError, match="shape mismatch"):
        _blas.gemv(1.0, A, np.ones(3), 0.0, np.ones(3))


def test_cholesky_solve_inverse(rng):
    B = rng.standard_normal((6, 6))
    H = B @ B.T + 6 * np.eye(6)
    L = np.asfortranarray(H)
    assert _blas.cholesky(L) == 0
    np.testing.assert_allclose(np.tril(L), np.linalg.cholesky(H), rtol=1e-12)
    b = rng.standard_normal(6)
    x = b.copy()
    _blas.cho_solve(L, x)
    np.testing.assert_allclose(x, np.linalg.solve(H, b), rtol=1e-11)
    _blas.cho_inverse(L)
    np.testing.assert_allclose(L, np.linalg.inv(H), rtol=1e-11, atol=1e-14)


def test_cholesky_reports_indefinite_matrix():
    H = np.asfortranarray(np.diag([1.0, -1.0, 2.0]))
    assert _blas.cholesky(H) == 2


@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-13), (np.float32, 1e-5)])
def test_gemm(rng, dtype, rtol):
    A = np.asfortranarray(rng.standard_normal((5, 3)), dtype=dtype)
    B = np.asfortranarray(rng.standard_normal((3, 4)), dtype=dtype)
    C = np.asfortranarray(rng.standard_normal((5, 4)), dtype=dtype)
    expected = 2.0 * A @ B + 0.5 * C
    _blas.gemm(2.0, A, B, 0.5, C)
    np.testing.assert_allclose(C, expected, rtol=rtol, atol=rtol)


@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-12), (np.float32, 1e-4)])
@pytest.mark.parametrize("right", [False, True])
@pytest.mark.parametrize("trans", [False, True])
def test_trmm_and_trsm(rng, dtype, rtol, right, trans):
    # the upper triangle of A holds garbage that neither routine may read
    A = np.asfortranarray(rng.standard_normal((5, 5)) + 5 * np.eye(5),
                          dtype=dtype)
    L = np.tril(A)
    op = L.T if trans else L
    B = np.asfortranarray(rng.standard_normal((3, 5) if right else (5, 3)),
                          dtype=dtype)
    product = B.copy(order="F")
    _blas.trmm(2.0, A, product, right=right, trans=trans)
    expected = 2.0 * (B @ op if right else op @ B)
    np.testing.assert_allclose(product, expected, rtol=rtol, atol=rtol)
    solved = B.copy(order="F")
    _blas.trsm(1.0, A, solved, right=right, trans=trans)
    np.testing.assert_allclose(solved @ op if right else op @ solved, B,
                               rtol=rtol, atol=rtol)


def test_trmm_rejects_mismatched_shapes(rng):
    A = np.asfortranarray(np.eye(3))
    with pytest.raises(ValueError, match="shape mismatch"):
        _blas.trmm(1.0, A, np.asfortranarray(np.ones((4, 2))))
    with pytest.raises(ValueError, match="F-contiguous"):
        _blas.trsm(1.0, A, np.ones((3, 2)))


def test_ridged_cholesky_is_the_numpy_steps():
    # badly scaled SPD matrix, a zero row/column (an all-zero feature)
    rng = np.random.default_rng(11)
    B = rng.standard_normal((40, 6)) * 10.0 ** rng.uniform(-4, 4, 6)
    A = np.asfortranarray(B.T @ B)
    A = np.pad(A, ((0, 1), (0, 1)))
    A[6, 6] = 1e-300  # positive: equilibrated like the others
    d = np.diag(A).copy()
    scale_ref = np.where(d > 0, 1 / np.sqrt(np.where(d > 0, d, 1)), 1)
    E = A * scale_ref[:, None] * scale_ref[None, :]
    L_ref = np.linalg.cholesky(E) / scale_ref[:, None]
    out, scale, copy = A.copy(order="F"), np.empty(7), np.empty((7, 7), order="F")
    assert _blas.ridged_cholesky(out, scale, copy) == 0.0
    np.testing.assert_array_equal(scale, scale_ref)
    np.testing.assert_array_equal(copy, E)  # (A_ij s_i) s_j, as numpy
    np.testing.assert_allclose(np.tril(out), L_ref, rtol=1e-12, atol=0)
    # singular (two equal columns): the smallest ridge 1e-12 * 100^j of the
    # equilibrated matrix that numpy's Cholesky accepts too
    C = B[:, [0, 1, 2, 2]]
    A = np.asfortranarray(C.T @ C)
    d = np.diag(A)
    E = A / np.sqrt(d)[:, None] / np.sqrt(d)[None, :]
    out, scale, copy = A.copy(order="F"), np.empty(4), np.empty((4, 4), order="F")
    tau = _blas.ridged_cholesky(out, scale, copy)
    assert tau >= 1e-12 and np.isclose(np.log(tau / 1e-12) / np.log(100),
                                       round(np.log(tau / 1e-12) / np.log(100)))
    L_ref = np.linalg.cholesky(E + tau * np.eye(4)) * np.sqrt(d)[:, None]
    np.testing.assert_allclose(np.tril(out), L_ref, rtol=1e-10,
                               atol=1e-10 * np.abs(L_ref).max())
    bad = A.copy(order="F")
    bad[2, 2] = np.nan
    assert _blas.ridged_cholesky(bad, np.empty(4), copy) == -1.0
    np.testing.assert_array_equal(bad[:2], A[:2])  # left untouched
    with pytest.raises(ValueError, match="shape mismatch"):
        _blas.ridged_cholesky(A.copy(order="F"), np.empty(3), copy)
