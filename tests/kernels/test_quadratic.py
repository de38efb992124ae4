"""clogit._kernels.quadratic (row quadratic forms by blocks) against numpy:
dense C/F order, float32/float64, with and without an intercept, blocks
smaller than X, CSR rows (sliced indptr included)."""

import numpy as np
import pytest
import scipy.sparse as sp

from clogit._kernels import quadratic as _quadratic


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def design(X, fit_intercept):
    X = np.asarray(X, dtype=np.float64)
    return np.column_stack([X, np.ones(len(X))]) if fit_intercept else X


def spd(rng, k):
    A = rng.standard_normal((k, k))
    return A @ A.T + k * np.eye(k)


def factor_of(S):
    return np.asfortranarray(np.linalg.cholesky(S))


def with_garbage_above(L, value=7.0):
    """trmm / trsm read only the lower triangle."""
    L = L.copy(order="F")
    L[np.triu_indices(L.shape[0], 1)] = value
    return L


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("solve", [False, True])
def test_row_quadratic_forms(rng, dtype, order, fit_intercept, solve):
    X = np.asarray(rng.standard_normal((203, 6)), dtype=dtype, order=order)
    Xt = design(X, fit_intercept)
    k1 = Xt.shape[1]
    S = spd(rng, k1)
    L = factor_of(S)
    coef = rng.standard_normal(k1)
    q, eta = np.empty(203), np.empty(203)
    _quadratic.row_quadratic_forms(X, fit_intercept, with_garbage_above(L), q,
                                   solve=solve, coef=coef, eta_out=eta,
                                   block_rows=37)
    target = np.linalg.inv(S) if solve else S
    expected = np.einsum("ij,jk,ik->i", Xt, target, Xt)
    np.testing.assert_allclose(q, expected, rtol=1e-11)
    np.testing.assert_allclose(eta, Xt @ coef, rtol=1e-11, atol=1e-12)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("index_dtype", [np.int32, np.int64])
@pytest.mark.parametrize("solve", [False, True])
def test_csr_row_quadratic_forms_equal_dense(rng, dtype, index_dtype, solve):
    X = sp.random(150, 9, density=0.3, format="csr", random_state=1,
                  dtype=dtype)
    X.indices = X.indices.astype(index_dtype)
    X.indptr = X.indptr.astype(index_dtype)
    L = factor_of(spd(rng, 10))
    coef = rng.standard_normal(10)
    dense_q, dense_eta = np.empty(150), np.empty(150)
    _quadratic.row_quadratic_forms(X.toarray(), True, L, dense_q, solve=solve,
                                   coef=coef, eta_out=dense_eta)
    q, eta = np.empty(150), np.empty(150)
    _quadratic.csr_row_quadratic_forms(X.data, X.indices, X.indptr, 9, True,
                                       L, q, solve=solve, coef=coef,
                                       eta_out=eta, block_rows=16)
    np.testing.assert_allclose(q, dense_q, rtol=1e-12)
    np.testing.assert_allclose(eta, dense_eta, rtol=1e-12, atol=1e-13)
    # a chunk of rows: a slice of indptr with absolute offsets
    part = np.empty(50)
    _quadratic.csr_row_quadratic_forms(X.data, X.indices, X.indptr[60:111],
                                       9, True, L, part, solve=solve)
    np.testing.assert_allclose(part, dense_q[60:110], rtol=1e-12)


def test_csr_kernels_refuse_out_of_range_indices(rng):
    X = sp.random(20, 4, density=0.5, format="csr", random_state=0)
    indices = X.indices.copy()
    indices[0] = 4
    with pytest.raises(ValueError, match="out of range"):
        _quadratic.csr_row_quadratic_forms(X.data, indices, X.indptr, 4, True,
                                           np.asfortranarray(np.eye(5)),
                                           np.empty(20))


def test_factor_shape_is_checked(rng):
    with pytest.raises(ValueError, match="factor must be 4 x 4"):
        _quadratic.row_quadratic_forms(np.ones((3, 3)), True,
                                       np.asfortranarray(np.eye(3)),
                                       np.empty(3))


@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("n_equations", [1, 3])
def test_row_block_quadratic_forms(rng, order, fit_intercept, n_equations):
    X = np.asarray(rng.standard_normal((77, 4)), order=order)
    Xt = design(X, fit_intercept)
    k1 = Xt.shape[1]
    S = spd(rng, n_equations * k1)
    out = np.empty((77, n_equations, n_equations))
    _quadratic.row_block_quadratic_forms(X, fit_intercept, factor_of(S),
                                         n_equations, out, block_rows=20)
    blocks = S.reshape(n_equations, k1, n_equations, k1)
    expected = np.einsum("ia,jalb,ib->ijl", Xt, blocks, Xt)
    np.testing.assert_allclose(out, expected, rtol=1e-11)
    sparse_out = np.empty_like(out)
    Xs = sp.csr_matrix(X)
    _quadratic.csr_row_block_quadratic_forms(
        Xs.data, Xs.indices, Xs.indptr, 4, fit_intercept, factor_of(S),
        n_equations, sparse_out, block_rows=20)
    np.testing.assert_allclose(sparse_out, expected, rtol=1e-11)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_firth_leverage_pass(rng, dtype, order, fit_intercept):
    X = np.asarray(rng.standard_normal((120, 5)), dtype=dtype, order=order)
    Xt = design(X, fit_intercept)
    s = rng.integers(0, 4, 120).astype(np.float64)
    z = 3 * rng.standard_normal(120)
    C = 1.5
    p = 1 / (1 + np.exp(-z))
    W = C * s * p * (1 - p)
    info = Xt.T @ (W[:, None] * Xt)
    # the diagonal of the weighted hat matrix W^1/2 X (X'WX)^-1 X' W^1/2
    root = np.sqrt(W)[:, None] * Xt
    expected_hat = np.diag(root @ np.linalg.solve(info, root.T))
    hat, score = np.empty(120), np.empty(Xt.shape[1])
    _quadratic.firth_leverage_pass(X, s, z, fit_intercept, C,
                                   with_garbage_above(factor_of(info)), hat,
                                   score, block_rows=32)
    np.testing.assert_allclose(hat, expected_hat, rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose(score, Xt.T @ (expected_hat * (0.5 - p)),
                               rtol=1e-10, atol=1e-13)
    # leverages of a full-rank hat matrix sum to its rank
    assert hat.sum() == pytest.approx(Xt.shape[1], rel=1e-10)
    Xs = sp.csr_matrix(X)
    sparse_hat, sparse_score = np.empty(120), np.empty(Xt.shape[1])
    _quadratic.csr_firth_leverage_pass(
        Xs.data, Xs.indices, Xs.indptr, 5, s, z, fit_intercept, C,
        factor_of(info), sparse_hat, sparse_score, block_rows=32)
    np.testing.assert_allclose(sparse_hat, hat, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(sparse_score, score, rtol=1e-12, atol=1e-13)
