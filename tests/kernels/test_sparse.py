"""Sparse X (issue 7): the kernels of clogit._kernels.sparse against their dense
twins on the same values, the validation of sparse input, and sparse fits
against dense fits of the same data for every solver and penalty."""

import tracemalloc
import warnings

import numpy as np
import pytest
import scipy.sparse as sp

import clogit
from clogit import _fitting
from clogit._backends import memory as _parallel
from clogit._kernels import binomial as _binomial
from clogit._kernels import softmax as _softmax
from clogit._kernels import sparse as _sparse
from clogit._solvers.separation import SeparationWarning
from clogit._validation import as_blas_matrix, as_sparse_matrix

FORMATS = ["csr", "csc"]
DTYPES = [np.float64, np.float32]
INDEX_DTYPES = [np.int32, np.int64]


def _matrix(n=300, p=12, density=0.3, seed=0, empty_column=True):
    """A CSR matrix with N(0, 1) nonzeros, a few empty rows and (optionally)
    an empty last column."""
    rng = np.random.default_rng(seed)
    X = sp.random(n, p, density=density, format="csr", random_state=seed,
                  data_rvs=rng.standard_normal)
    X = X.tolil()
    X[:3, :] = 0.0
    if empty_column:
        X[:, -1] = 0.0
    X = X.tocsr()
    X.eliminate_zeros()
    return X


def _as(X, fmt, dtype=np.float64, index_dtype=np.int32):
    A = X.asformat(fmt).astype(dtype)
    A.indices = A.indices.astype(index_dtype)
    A.indptr = A.indptr.astype(index_dtype)
    return A


def _kernel(name, A, *args, **kwargs):
    """``_sparse.<format>_<name>`` on the arrays of A."""
    other = A.shape[1] if A.format == "csr" else A.shape[0]
    return getattr(_sparse, f"{A.format}_{name}")(
        A.data, A.indices, A.indptr, other, *args, **kwargs)


def _labels(n, seed=1):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.45).astype(np.float64)
    s = rng.uniform(0.2, 2.0, n)
    return y, s


# -- kernels --------------------------------------------------------------
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("index_dtype", INDEX_DTYPES)
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_block_pass_matches_dense_kernel(fmt, dtype, index_dtype,
                                         fit_intercept):
    A = _as(_matrix(), fmt, dtype, index_dtype)
    D = np.ascontiguousarray(A.toarray())  # the same values, dense
    n, p = A.shape
    y, s = _labels(n)
    k1 = p + fit_intercept
    coef = np.random.default_rng(2).standard_normal(k1) * 0.5
    got = [np.empty(k1), np.empty((k1, k1), order="F"), np.empty(n),
           np.empty(n)]
    want = [np.empty(k1), np.empty((k1, k1), order="F"), np.empty(n),
            np.empty(n)]
    obj = _kernel("block_pass", A, y, s, coef, fit_intercept, 0.7, *got[:3],
                  residual_out=got[3])
    obj_dense = _binomial.block_pass(D, y, s, coef, fit_intercept, 0.7,
                                     *want[:3], residual_out=want[3])
    np.testing.assert_allclose(obj, obj_dense, rtol=1e-13)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(got[1], got[1].T)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("columns", [[], [4], [7, 2, 9, 0], [11, 3]])
def test_block_pass_on_a_column_subset(fmt, fit_intercept, columns):
    # the proximal Newton working set: other coefficients are zero
    A = _as(_matrix(), fmt)
    D = np.ascontiguousarray(A.toarray())
    n = A.shape[0]
    y, s = _labels(n)
    columns = np.array(columns, dtype=np.int32)
    k1 = columns.size + fit_intercept
    coef = np.random.default_rng(3).standard_normal(k1)
    grad, hess = np.empty(k1), np.empty((k1, k1), order="F")
    grad0, hess0 = np.empty(k1), np.empty((k1, k1), order="F")
    z, z0, r, r0 = (np.empty(n) for _ in range(4))
    obj = _kernel("block_pass", A, y, s, coef, fit_intercept, 1.3, grad, hess,
                  z, columns, r)
    obj0 = _binomial.block_pass(D, y, s, coef, fit_intercept, 1.3, grad0,
                                hess0, z0, 0, columns, r0)
    np.testing.assert_allclose(obj, obj0, rtol=1e-13)
    for got, want in [(grad, grad0), (hess, hess0), (z, z0), (r, r0)]:
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-13)
    out, out0 = np.empty(n), np.empty(n)
    _kernel("matvec", A, coef, fit_intercept, out, columns)
    _binomial.matvec(D, coef, fit_intercept, out0, columns)
    np.testing.assert_allclose(out, out0, rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("index_dtype", INDEX_DTYPES)
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_products_match_numpy(fmt, dtype, index_dtype, fit_intercept):
    A = _as(_matrix(), fmt, dtype, index_dtype)
    D = A.toarray().astype(np.float64)
    n, p = A.shape
    Dt = np.hstack([D, np.ones((n, 1))]) if fit_intercept else D
    rng = np.random.default_rng(4)
    v = rng.standard_normal(Dt.shape[1])
    r = rng.standard_normal(n)
    weights = rng.uniform(0.0, 0.25, n)
    out_n, out_p, out_k = np.empty(n), np.empty(p), np.empty(Dt.shape[1])

    _kernel("matvec", A, v, fit_intercept, out_n)
    np.testing.assert_allclose(out_n, Dt @ v, rtol=1e-12, atol=1e-13)
    _kernel("rmatvec", A, r, out_p)
    np.testing.assert_allclose(out_p, D.T @ r, rtol=1e-12, atol=1e-13)
    _kernel("hessian_vector", A, weights, v, fit_intercept, out_k)
    np.testing.assert_allclose(out_k, Dt.T @ (weights * (Dt @ v)),
                               rtol=1e-12, atol=1e-13)
    _kernel("hessian_diagonal", A, weights, fit_intercept, out_k)
    np.testing.assert_allclose(out_k, np.einsum("i,ij,ij->j", weights, Dt, Dt),
                               rtol=1e-12, atol=1e-13)


def test_hessian_weights_are_stable():
    z = np.array([-1e300, -800.0, -30.0, -1.0, 0.0, 2.0, 40.0, 800.0, 1e300])
    s = np.linspace(0.5, 2.0, z.size)
    out = np.empty_like(z)
    _sparse.hessian_weights(z, s, 3.0, out)
    e = np.exp(-np.abs(z))
    np.testing.assert_allclose(out, 3.0 * s * e / (1 + e) ** 2, rtol=1e-15)
    assert np.all(np.isfinite(out))


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("n_free", [-1, 3])
def test_softmax_kernels_match_dense(fmt, dtype, fit_intercept, n_free):
    A = _as(_matrix(), fmt, dtype)
    D = np.ascontiguousarray(A.toarray())
    n, p = A.shape
    K = 4
    n_fit = K if n_free < 0 else n_free
    k1 = p + fit_intercept
    rng = np.random.default_rng(5)
    y = rng.integers(0, K, n).astype(np.int32)
    s = rng.uniform(0.2, 2.0, n)
    coef = rng.standard_normal((K, k1)) * 0.4
    got = [np.empty((n_fit, k1)), np.empty((n_fit * k1,) * 2, order="F"),
           np.empty((n, K))]
    want = [np.empty((n_fit, k1)), np.empty((n_fit * k1,) * 2, order="F"),
            np.empty((n, K))]
    obj = _kernel("softmax_pass", A, y, s, coef, fit_intercept, 1.5, *got,
                  n_free)
    obj0 = _softmax.softmax_pass(D, y, s, coef, fit_intercept, 1.5, *want,
                                 n_free)
    np.testing.assert_allclose(obj, obj0, rtol=1e-13)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-12)
    scores = np.empty((n, K))
    _kernel("softmax_scores", A, coef, fit_intercept, scores)
    np.testing.assert_allclose(scores, want[2], rtol=1e-12, atol=1e-13)


def test_csr_kernels_take_row_slices_of_indptr():
    # a chunk of rows is indptr[a:b+1] with the full data and indices
    A = _as(_matrix(), "csr")
    y, s = _labels(A.shape[0])
    k1 = A.shape[1] + 1
    coef = np.random.default_rng(6).standard_normal(k1)
    full_z = np.empty(A.shape[0])
    _kernel("matvec", A, coef, True, full_z)
    rows = slice(37, 201)
    grad, z = np.empty(k1), np.empty(rows.stop - rows.start)
    obj = _sparse.csr_block_pass(A.data, A.indices,
                                 A.indptr[rows.start:rows.stop + 1],
                                 A.shape[1], y[rows], s[rows], coef, True, 1.0,
                                 grad, None, z)
    part = A[rows]
    grad0 = np.empty(k1)
    obj0 = _kernel("block_pass", part, y[rows], s[rows], coef, True, 1.0,
                   grad0)
    np.testing.assert_allclose(obj, obj0, rtol=1e-14)
    np.testing.assert_allclose(grad, grad0, rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(z, full_z[rows], rtol=1e-14, atol=1e-15)


def test_non_canonical_csr_rows_are_summed_like_scipy():
    # duplicate entries and unsorted indices within rows: every kernel but
    # the diagonal (documented: canonical X) agrees with the summed matrix
    data = np.array([1.0, 2.0, -1.5, 0.5, 3.0, 1.0, -2.0])
    indices = np.array([2, 0, 2, 1, 0, 1, 1], dtype=np.int32)
    indptr = np.array([0, 3, 3, 7], dtype=np.int32)
    A = sp.csr_matrix((data, indices, indptr), shape=(3, 3))
    assert not A.has_canonical_format
    D = np.ascontiguousarray(A.toarray())  # duplicates summed
    y, s = np.array([1.0, 0.0, 1.0]), np.array([1.0, 2.0, 0.5])
    coef = np.array([0.3, -0.2, 0.5, 0.1])
    grad, hess = np.empty(4), np.empty((4, 4), order="F")
    grad0, hess0 = np.empty(4), np.empty((4, 4), order="F")
    obj = _kernel("block_pass", A, y, s, coef, True, 1.0, grad, hess)
    obj0 = _binomial.block_pass(D, y, s, coef, True, 1.0, grad0, hess0)
    np.testing.assert_allclose(obj, obj0, rtol=1e-14)
    np.testing.assert_allclose(grad, grad0, rtol=1e-13)
    np.testing.assert_allclose(hess, hess0, rtol=1e-13, atol=1e-15)
    out = np.empty(4)
    _kernel("hessian_vector", A, s, coef, True, out)
    Dt = np.hstack([D, np.ones((3, 1))])
    np.testing.assert_allclose(out, Dt.T @ (s * (Dt @ coef)), rtol=1e-13)


def test_csc_hessian_refuses_unsorted_row_indices():
    # The CSC Hessian regroups rows block by block (about 262,144 nonzeros
    # each) with a cursor per column: rows listed out of order across blocks
    # are refused, not read out of bounds.
    n = 600_000
    A = sp.csc_matrix((np.ones(n), np.arange(n, dtype=np.int32)[::-1].copy(),
                       np.array([0, n], dtype=np.int32)), shape=(n, 1))
    y, s = np.zeros(n), np.ones(n)
    with pytest.raises(ValueError, match="sorted"):
        _kernel("block_pass", A, y, s, np.zeros(2), True, 1.0, np.empty(2),
                np.empty((2, 2), order="F"))
    A.sort_indices()
    hess = np.empty((2, 2), order="F")
    _kernel("block_pass", A, y, s, np.zeros(2), True, 1.0, np.empty(2), hess)
    np.testing.assert_allclose(hess, np.full((2, 2), n / 4))


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("columns", [[0, 0], [-1], [12]])
def test_bad_column_subsets_are_refused(fmt, columns):
    A = _as(_matrix(), fmt)
    y, s = _labels(A.shape[0])
    columns = np.array(columns, dtype=np.int32)
    k1 = columns.size + 1
    with pytest.raises(ValueError, match="columns"):
        _kernel("block_pass", A, y, s, np.zeros(k1), True, 1.0, np.empty(k1),
                None, None, columns)


def test_shape_mismatches_are_refused():
    A = _as(_matrix(), "csr")
    y, s = _labels(A.shape[0])
    with pytest.raises(ValueError, match="coef"):
        _kernel("block_pass", A, y, s, np.zeros(3), True, 1.0, np.empty(3))
    with pytest.raises(ValueError, match="sample_weight"):
        _kernel("block_pass", A, y[:-1], s, np.zeros(13), True, 1.0,
                np.empty(13))
    with pytest.raises(ValueError, match="shape mismatch"):
        _kernel("matvec", A, np.zeros(13), True, np.empty(5))


@pytest.mark.parametrize("dtype", DTYPES)
def test_csr_row_chunks_match_one_chunk(monkeypatch, dtype):
    A = _as(_matrix(n=2000, p=40, density=0.1), "csr", dtype)
    y, s = _labels(A.shape[0])
    coef = np.random.default_rng(7).standard_normal(41) * 0.3
    single = _parallel.BinomialKernels(A, y, s, 0.8, True)
    assert len(single.chunks) == 1
    monkeypatch.setattr(_parallel, "_MIN_NONZEROS_PER_CHUNK", 1)
    monkeypatch.setattr(_parallel, "_MIN_ROWS_PER_CHUNK", 1)
    monkeypatch.setattr(_parallel, "available_cores", lambda: 3)
    multi = _parallel.BinomialKernels(A, y, s, 0.8, True)
    assert len(multi.chunks) == 3
    results = []
    for kernels in (single, multi):
        grad, hess, z = np.empty(41), np.empty((41, 41), order="F"), \
            np.empty(2000)
        obj = kernels.block_pass(coef, grad, hess, z)
        weights, hv, diag, xtr = (np.empty(2000), np.empty(41),
                                  np.empty(41), np.empty(40))
        kernels.hessian_weights(z, weights)
        kernels.hessian_vector(coef, weights, hv)
        kernels.hessian_diagonal(weights, diag)
        kernels.rmatvec(z, xtr)
        results.append((obj, grad, hess, z, hv, diag, xtr))
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(results[0][5], np.diag(results[0][2]) / 1.0,
                               rtol=1e-12)


# -- validation -----------------------------------------------------------
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("container", [sp.csr_matrix, sp.csr_array])
def test_canonical_csr_csc_are_used_as_they_are(fmt, container):
    X = container(_matrix()).asformat(fmt)
    for array in (X.data, X.indices, X.indptr):
        array.flags.writeable = False
    assert as_sparse_matrix(X) is X
    assert as_blas_matrix(X) is X


@pytest.mark.parametrize("fmt", ["coo", "lil", "dok", "dia", "bsr"])
@pytest.mark.filterwarnings("ignore::scipy.sparse.SparseEfficiencyWarning")
def test_other_formats_become_csr(fmt):
    X = _matrix().asformat(fmt)
    out = as_sparse_matrix(X)
    assert out.format == "csr" and out.has_canonical_format
    np.testing.assert_array_equal(out.toarray(), X.toarray())


def test_values_and_indices_are_normalized():
    X = sp.csr_matrix(np.array([[1, 0, 2], [0, 3, 0]], dtype=np.int64))
    out = as_sparse_matrix(X)
    assert out.dtype == np.float64
    X = _matrix().astype(np.float32)
    X.indptr = X.indptr.astype(np.int64)  # indices stay int32
    out = as_sparse_matrix(X)
    assert out.dtype == np.float32
    assert out.indices.dtype == out.indptr.dtype
    np.testing.assert_array_equal(out.toarray(), X.toarray())


def test_non_canonical_input_is_canonicalized_on_a_copy():
    X = sp.csr_matrix((np.array([1.0, 2.0, 3.0]),
                       np.array([1, 0, 1], dtype=np.int32),
                       np.array([0, 3], dtype=np.int32)), shape=(1, 2))
    out = as_sparse_matrix(X)
    assert out is not X and out.has_canonical_format
    np.testing.assert_array_equal(out.toarray(), [[2.0, 4.0]])
    np.testing.assert_array_equal(X.data, [1.0, 2.0, 3.0])  # untouched


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_non_finite_values_are_refused(value):
    X = _matrix()
    X.data[5] = value
    with pytest.raises(ValueError, match="NaN or infinite"):
        as_sparse_matrix(X)
    y = np.arange(X.shape[0]) % 2
    with pytest.raises(ValueError, match="NaN|infinity"):
        clogit.LogisticRegression().fit(X, y)


def test_corrupt_indices_are_refused():
    X = _matrix()
    X.indices[3] = X.shape[1]  # out of range
    with pytest.raises(ValueError, match="indices"):
        as_sparse_matrix(X)


# -- estimator: sparse fits equal dense fits ------------------------------
def _binary_problem(n=300, p=8, density=0.5, seed=0):
    X = _matrix(n, p, density, seed, empty_column=False)
    rng = np.random.default_rng(seed + 10)
    w = rng.standard_normal(p)
    z = X @ w - 0.2
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-z))).astype(np.int64)
    s = rng.uniform(0.5, 2.0, n)
    return X, y, s


@pytest.mark.parametrize("solver, penalty, rtol", [
    ("newton", "l2", 1e-8),
    ("newton", None, 1e-8),
    ("newton", "l1", 1e-7),
    ("newton", "elasticnet", 1e-7),
    ("lbfgs", "l2", 1e-6),
    ("gd", "l2", 1e-6),
    ("gd", "l1", 1e-6),
])
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
def test_sparse_fit_equals_dense_fit(solver, penalty, rtol, fmt, dtype,
                                     fit_intercept, weighted):
    X, y, s = _binary_problem()
    Xs = X.asformat(fmt).astype(dtype)
    Xd = Xs.toarray()  # the same values
    params = dict(solver=solver, penalty=penalty, C=0.5 if penalty else 1.0,
                  fit_intercept=fit_intercept, tol=1e-10, max_iter=100_000)
    if penalty == "elasticnet":
        params["l1_ratio"] = 0.5
    if solver in ("gd", "lbfgs"):
        # what L-BFGS certifies here (it used to claim 1e-10)
        params["tol"] = 1e-8
    sample_weight = s if weighted else None
    sparse_fit = clogit.LogisticRegression(**params).fit(Xs, y, sample_weight)
    dense_fit = clogit.LogisticRegression(**params).fit(Xd, y, sample_weight)
    assert sparse_fit.converged_ and dense_fit.converged_
    np.testing.assert_allclose(sparse_fit.coef_, dense_fit.coef_, rtol=rtol,
                               atol=rtol)
    np.testing.assert_allclose(sparse_fit.intercept_, dense_fit.intercept_,
                               rtol=rtol, atol=rtol)
    np.testing.assert_allclose(sparse_fit.predict_proba(Xs),
                               dense_fit.predict_proba(Xd), rtol=1e-6,
                               atol=1e-9)
    np.testing.assert_allclose(sparse_fit.decision_function(Xs),
                               sparse_fit.decision_function(Xd), rtol=1e-12,
                               atol=1e-12)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("penalty", ["l2", None])
def test_wide_sparse_auto_runs_newton_cg_and_equals_dense_newton(
        monkeypatch, fmt, dtype, penalty):
    n, p = 2000, 400  # p > _AUTO_SPARSE_NEWTON_MAX_FEATURES
    X, y, _ = _binary_problem(n, p, density=0.02, seed=3)
    Xs = X.asformat(fmt).astype(dtype)
    ran = []
    real = _fitting.newton_cg_binary
    monkeypatch.setattr(_fitting, "newton_cg_binary",
                        lambda *a, **k: ran.append(1) or real(*a, **k))
    C = 0.05 if penalty else 1.0
    sparse_fit = clogit.LogisticRegression(penalty=penalty, C=C,
                                           tol=1e-9).fit(Xs, y)
    assert ran, "solver='auto' did not pick Newton-CG for wide sparse X"
    dense_fit = clogit.LogisticRegression(penalty=penalty, C=C,
                                          solver="newton",
                                          tol=1e-9).fit(Xs.toarray(), y)
    np.testing.assert_allclose(sparse_fit.coef_, dense_fit.coef_, rtol=1e-6,
                               atol=1e-7)
    np.testing.assert_allclose(sparse_fit.intercept_, dense_fit.intercept_,
                               rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("solver", ["newton", "lbfgs"])
@pytest.mark.parametrize("multi_class", ["multinomial", "ovr"])
def test_multiclass_sparse_equals_dense(fmt, solver, multi_class):
    X, _, s = _binary_problem(n=400, p=6, seed=4)
    rng = np.random.default_rng(8)
    labels = np.array(["a", "b", "c"])[
        np.argmax(X @ rng.standard_normal((6, 3))
                  + rng.gumbel(size=(400, 3)), axis=1)]
    # L-BFGS certifies 1e-8 here, not 1e-10 (it used to claim it)
    params = dict(solver=solver, multi_class=multi_class,
                  tol=1e-10 if solver == "newton" else 1e-8, max_iter=10_000)
    Xs = X.asformat(fmt)
    sparse_fit = clogit.LogisticRegression(**params).fit(Xs, labels, s)
    dense_fit = clogit.LogisticRegression(**params).fit(Xs.toarray(), labels,
                                                        s)
    np.testing.assert_allclose(sparse_fit.coef_, dense_fit.coef_, rtol=1e-6,
                               atol=1e-7)
    np.testing.assert_allclose(sparse_fit.intercept_, dense_fit.intercept_,
                               rtol=1e-6, atol=1e-7)
    np.testing.assert_array_equal(sparse_fit.predict(Xs),
                                  dense_fit.predict(Xs.toarray()))


def test_sparse_inference_equals_dense():
    X, y, _ = _binary_problem(n=500, p=5, seed=5)
    for solver in ("newton", "lbfgs"):
        sparse_fit = clogit.LogisticRegression(solver=solver, tol=1e-10,
                                               max_iter=1000).fit(X, y)
        dense_fit = clogit.LogisticRegression(solver=solver, tol=1e-10,
                                              max_iter=1000).fit(X.toarray(),
                                                                 y)
        np.testing.assert_allclose(sparse_fit.std_errors_,
                                   dense_fit.std_errors_, rtol=1e-7)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("p", [8, 600])  # exact eigenvalue / Lanczos
def test_lipschitz_step_of_sparse_x_equals_dense(fmt, p):
    X = _matrix(n=700, p=p, density=0.05, seed=9).asformat(fmt)
    np.testing.assert_allclose(clogit.lipschitz_step(X, C=2.0),
                               clogit.lipschitz_step(X.toarray(), C=2.0),
                               rtol=1e-6)


def test_separation_in_sparse_data_names_the_feature():
    X, _, _ = _binary_problem(n=200, p=4, seed=6)
    X = X.tolil()
    y = (np.arange(200) % 2).astype(np.int64)
    X[:, 2] = (2.0 * y - 1.0)[:, None]  # feature x2 separates the classes
    X = X.tocsr()
    with pytest.warns(SeparationWarning, match="x2"):
        clogit.LogisticRegression(penalty=None).fit(X, y)


# -- read-only and memory-mapped sparse input -----------------------------
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("penalty", ["l2", "l1"])
def test_memory_mapped_sparse_input_is_not_copied(tmp_path, fmt, penalty):
    X, y, _ = _binary_problem(n=400, p=10, seed=7)
    X = X.asformat(fmt)
    arrays = {}
    for name in ("data", "indices", "indptr"):
        np.save(tmp_path / f"{name}.npy", getattr(X, name))
        arrays[name] = np.load(tmp_path / f"{name}.npy", mmap_mode="r")
    mapped = type(X)((arrays["data"], arrays["indices"], arrays["indptr"]),
                     shape=X.shape, copy=False)
    for name, array in arrays.items():  # views of the mapped files
        assert np.shares_memory(getattr(mapped, name), array)
    assert not mapped.data.flags.writeable
    assert as_blas_matrix(mapped) is mapped
    fitted = clogit.LogisticRegression(penalty=penalty).fit(mapped, y)
    in_memory = clogit.LogisticRegression(penalty=penalty).fit(X, y)
    np.testing.assert_allclose(fitted.coef_, in_memory.coef_, rtol=1e-12,
                               atol=1e-14)
    np.testing.assert_allclose(fitted.predict_proba(mapped),
                               in_memory.predict_proba(X), rtol=1e-12)


# -- wide sparse data: Newton-CG within a modest memory budget -------------
def _wide_problem(n, p, density, seed=0):
    """Random sparse X with about n p density nonzeros, labels from a
    logistic model (built from coordinates: no n x p intermediate)."""
    rng = np.random.default_rng(seed)
    nnz = int(n * p * density)
    X = sp.csr_matrix((rng.standard_normal(nnz),
                       (rng.integers(0, n, nnz), rng.integers(0, p, nnz))),
                      shape=(n, p))
    X.sum_duplicates()
    z = X @ (rng.standard_normal(p) * 0.5)
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-z))).astype(np.int64)
    return X, y


@pytest.mark.parametrize("solver", ["auto", "newton"])
def test_wide_sparse_fit_stays_within_a_modest_memory_budget(monkeypatch,
                                                              solver):
    n, p = 20_000, 100_000
    X, y = _wide_problem(n, p, density=0.001)
    dense_hessian_bytes = 8 * (p + 1) ** 2  # 80 GB
    ran = []
    real = _fitting.newton_cg_binary
    monkeypatch.setattr(_fitting, "newton_cg_binary",
                        lambda *a, **k: ran.append(1) or real(*a, **k))
    tracemalloc.start()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            clf = clogit.LogisticRegression(C=1.0, solver=solver).fit(X, y)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert ran and clf.converged_
    # O(n + p) working memory: a few vectors of n or p float64
    assert peak < 64 * 2**20, peak
    assert peak < dense_hessian_bytes / 1000
    # the optimum: the scaled gradient vanishes
    w, b = clf.coef_.ravel(), clf.intercept_[0]
    prob = 1.0 / (1.0 + np.exp(-(X @ w + b)))
    grad = X.T @ (prob - y) + w
    assert np.max(np.abs(grad)) / n < 1e-5
    assert abs(np.sum(prob - y)) / n < 1e-5


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_csc_cd_quadratic_equals_cd_on_the_dense_model(fit_intercept, dtype):
    # the same coordinate updates as _cd.cd_quadratic on the assembled
    # Hessian Xt_W.T diag(h) Xt_W, sweep for sweep
    from clogit._kernels.cd import cd_quadratic
    rng = np.random.default_rng(8)
    n, p = 400, 30
    X = sp.random(n, p, density=0.2, format="csc", random_state=8,
                  dtype=dtype)
    columns = np.array([0, 3, 4, 9, 17, 29], dtype=np.intc)
    weights = rng.uniform(0.05, 0.25, n)
    k1 = columns.size + (1 if fit_intercept else 0)
    g = rng.standard_normal(k1)
    w = rng.standard_normal(k1) * (rng.random(k1) < 0.5)
    Xt = X[:, columns].toarray().astype(np.float64)
    if fit_intercept:
        Xt = np.hstack([Xt, np.ones((n, 1))])
    H = np.asfortranarray(Xt.T @ (weights[:, None] * Xt))
    for sweeps in (1, 3, 200):
        d_dense, hd = np.zeros(k1), np.zeros(k1)
        cd_quadratic(H, g, w, columns.size, 0.3, 0.1, d_dense, hd, sweeps,
                     1e-12)
        d, xd = np.zeros(k1), np.zeros(n)
        _sparse.csc_cd_quadratic(X.data, X.indices, X.indptr, columns,
                                 weights, fit_intercept, g, w, 0.3, 0.1, d,
                                 xd, sweeps, 1e-12)
        np.testing.assert_allclose(d, d_dense, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(xd, Xt @ d, rtol=1e-9, atol=1e-12)
    with pytest.raises(ValueError, match="out of range"):
        _sparse.csc_cd_quadratic(X.data, X.indices, X.indptr,
                                 np.array([p], dtype=np.intc), weights,
                                 False, g[:1], w[:1], 0.3, 0.1, d[:1], xd,
                                 1, 0.0)


@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize("penalty", ["l1", "elasticnet"])
def test_large_working_sets_skip_the_dense_model(monkeypatch, fmt, penalty):
    # with the threshold at 5 features every working set here is "large":
    # the fit runs coordinate descent on X's columns and must reach the
    # optimum of the dense-model fit, exact zeros included
    from clogit._solvers import prox_newton as _prox_newton
    rng = np.random.default_rng(9)
    n, p = 3000, 200
    X = sp.random(n, p, density=0.05, format=fmt, random_state=9)
    z = X @ rng.standard_normal(p) + 0.3
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-z))).astype(int)
    params = dict(penalty=penalty, C=2.0, tol=1e-10,
                  l1_ratio=0.6 if penalty == "elasticnet" else None)
    reference = clogit.LogisticRegression(**params).fit(X, y)
    calls = []
    original = _parallel.BinomialKernels.cd_model

    def counted(self, *args, **kwargs):
        calls.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(_parallel.BinomialKernels, "cd_model", counted)
    monkeypatch.setattr(_prox_newton, "_DENSE_MODEL_MAX_FEATURES", 5)
    fit = clogit.LogisticRegression(**params).fit(X, y)
    assert calls and fit.converged_
    assert 5 < np.count_nonzero(fit.coef_) < p
    np.testing.assert_array_equal(fit.coef_ == 0.0, reference.coef_ == 0.0)
    np.testing.assert_allclose(fit.coef_, reference.coef_, rtol=1e-7,
                               atol=1e-9)
    np.testing.assert_allclose(fit.intercept_, reference.intercept_,
                               rtol=1e-7)


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_cd_model_copy_leaves_out_zero_weight_rows(fmt):
    """Coordinate descent on X's columns reads a CSC copy without the rows
    of zero weight: the same step as on all rows, with those rows'
    weights zero (independent reference: the dense model)."""
    from clogit._kernels.cd import cd_quadratic
    rng = np.random.default_rng(3)
    n, p = 400, 30
    X = sp.random(n, p, density=0.2, format=fmt, random_state=3)
    X = X.tolil()
    X[:, p - 1] = 0.0  # an empty last column
    X = X.asformat(fmt)
    y = (rng.random(n) < 0.5).astype(float)
    s = rng.random(n) + 0.5
    s[rng.random(n) < 0.3] = 0.0
    kernels = _parallel.BinomialKernels(X, y, s, 2.0, True)
    columns = np.arange(0, p, 3, dtype=np.intc)
    k = columns.size
    coef = np.append(rng.standard_normal(k) * (rng.random(k) < 0.5), 0.2)
    Xt = np.column_stack([X[:, columns].toarray(), np.ones(n)])
    z = Xt @ coef
    prob = 1 / (1 + np.exp(-z))
    weights = 2.0 * s * prob * (1 - prob)
    grad = Xt.T @ (2.0 * s * (prob - y))
    hess = np.asfortranarray(Xt.T @ (weights[:, None] * Xt))
    step, dz = np.empty(k + 1), np.empty(n)
    kernels.cd_model(z, grad, coef, columns, 0.5, 0.0, step, dz, 50, 0.0)
    assert kernels._csc.nnz == sp.csc_matrix(X)[s != 0].nnz
    expected = np.zeros(k + 1)
    cd_quadratic(hess, grad, coef, k, 0.5, 0.0, expected, np.zeros(k + 1),
                 50, 0.0)
    np.testing.assert_allclose(step, expected, rtol=1e-9, atol=1e-12)
    kept = s != 0
    np.testing.assert_allclose(dz[kept], (Xt @ step)[kept], rtol=1e-9,
                               atol=1e-12)
