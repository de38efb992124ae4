"""float32 input (issue 7): kept as float32 from end to end (never upcast as
a whole), accumulated in float64, and agreeing with float64 fits within a
tolerance derived from float32's precision; read-only and memory-mapped
dense input used without copies."""

import tracemalloc

import numpy as np
import pytest
import scipy.sparse as sp

import clogit
from clogit._validation import as_blas_matrix
from _data import synthetic_binary

EPS32 = float(np.finfo(np.float32).eps)

# (solver, penalty) pairs covering every binary solver
SOLVERS = [("newton", "l2"), ("newton", None), ("lbfgs", "l2"),
           ("newton", "l1"), ("newton", "elasticnet"), ("gd", "l2")]


def _params(solver, penalty, **extra):
    params = dict(solver=solver, penalty=penalty, tol=1e-10,
                  max_iter=200_000)
    if penalty == "elasticnet":
        params["l1_ratio"] = 0.5
    if solver == "gd":
        params["tol"] = 1e-8
    if solver == "lbfgs":
        # what L-BFGS certifies here (it used to claim 1e-10)
        params["tol"] = 1e-8
    params.update(extra)
    return params


@pytest.mark.parametrize("solver, penalty", SOLVERS)
@pytest.mark.parametrize("order", ["C", "F"])
def test_float32_fit_equals_float64_fit_of_the_same_values(solver, penalty,
                                                           order):
    # float32 values are exact in float64 and every sum is accumulated in
    # float64, so the two fits solve the same problem to float64 accuracy
    X, y = synthetic_binary(n=500, p=6, seed=3)
    X32 = np.asarray(X, dtype=np.float32, order=order)
    fit32 = clogit.LogisticRegression(**_params(solver, penalty)).fit(X32, y)
    fit64 = clogit.LogisticRegression(**_params(solver, penalty)).fit(
        X32.astype(np.float64), y)
    # the coefficients are returned as float32 (scikit-learn's convention),
    # rounded from the float64 solution: within a float32 ulp or two
    rtol = 2 * EPS32 if solver in ("newton",) else 1e-5
    np.testing.assert_allclose(fit32.coef_, fit64.coef_.astype(np.float32),
                               rtol=rtol, atol=rtol)
    np.testing.assert_allclose(fit32.intercept_,
                               fit64.intercept_.astype(np.float32),
                               rtol=rtol, atol=rtol)
    assert fit32.coef_.dtype == fit32.intercept_.dtype == np.float32


@pytest.mark.parametrize("solver, penalty", SOLVERS)
@pytest.mark.parametrize("sparse", [False, True])
def test_float32_fit_agrees_with_float64_fit_to_float32_precision(
        solver, penalty, sparse):
    # Rounding X to float32 perturbs it by a relative EPS32 / 2; the optimum
    # moves by about that times the conditioning of this well-conditioned
    # problem (standard normal features): 100 EPS32 leaves room for both.
    X, y = synthetic_binary(n=2000, p=8, seed=4)
    if sparse:
        X = np.where(np.abs(X) > 0.8, X, 0.0)
        X = sp.csr_matrix(X)
    X32 = X.astype(np.float32)
    fit32 = clogit.LogisticRegression(**_params(solver, penalty)).fit(X32, y)
    fit64 = clogit.LogisticRegression(**_params(solver, penalty)).fit(X, y)
    tol = 100 * EPS32
    np.testing.assert_allclose(fit32.coef_, fit64.coef_, rtol=tol, atol=tol)
    np.testing.assert_allclose(fit32.intercept_, fit64.intercept_, rtol=tol,
                               atol=tol)
    np.testing.assert_allclose(fit32.predict_proba(X32),
                               fit64.predict_proba(X), rtol=tol, atol=tol)


def _traced_peak(function):
    """Peak bytes numpy (and Python) allocated while ``function`` ran."""
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("solver, penalty", SOLVERS[:4] + [("gd", "l1")])
def test_float32_dense_x_is_never_upcast(solver, penalty):
    # A float64 copy of X would take twice X's bytes; the fit's own
    # buffers are O(n + p^2) (scores, weights, the Hessian).
    X, y = synthetic_binary(n=100_000, p=40, seed=5)
    X32 = np.asarray(X, dtype=np.float32)
    del X
    params = _params(solver, penalty, tol=1e-6, max_iter=1000)
    clf = clogit.LogisticRegression(**params)
    peak = _traced_peak(lambda: clf.fit(X32, y))
    assert peak < 0.5 * X32.nbytes, (peak, X32.nbytes)
    peak = _traced_peak(lambda: clf.predict_proba(X32))
    assert peak < 0.5 * X32.nbytes, (peak, X32.nbytes)


@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize("penalty", ["l2", "l1"])
def test_float32_sparse_x_is_never_upcast(fmt, penalty):
    rng = np.random.default_rng(6)
    n, p, nnz = 100_000, 200, 2_000_000
    X = sp.csr_matrix((rng.standard_normal(nnz).astype(np.float32),
                       (rng.integers(0, n, nnz), rng.integers(0, p, nnz))),
                      shape=(n, p)).asformat(fmt)
    X.sum_duplicates()
    z = X @ rng.standard_normal(p).astype(np.float32) * 0.3
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-z))).astype(np.int64)
    clf = clogit.LogisticRegression(penalty=penalty, tol=1e-6)
    peak = _traced_peak(lambda: clf.fit(X, y))
    # a float64 copy of the values alone would be 2 * X.data.nbytes
    assert peak < X.data.nbytes, (peak, X.data.nbytes)
    peak = _traced_peak(lambda: clf.decision_function(X))
    assert peak < X.data.nbytes, (peak, X.data.nbytes)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("penalty", ["l2", "l1"])
def test_read_only_and_memory_mapped_dense_input_is_not_copied(
        tmp_path, dtype, order, penalty):
    X, y = synthetic_binary(n=800, p=5, seed=7)
    X = np.asarray(X, dtype=dtype, order=order)
    reference = clogit.LogisticRegression(penalty=penalty).fit(X, y)

    read_only = X.copy(order=order)
    read_only.flags.writeable = False
    np.save(tmp_path / "X.npy", X)
    mapped = np.load(tmp_path / "X.npy", mmap_mode="r")
    assert isinstance(mapped, np.memmap) and not mapped.flags.writeable
    for data in (read_only, mapped):
        assert as_blas_matrix(data) is data
        clf = clogit.LogisticRegression(penalty=penalty).fit(data, y)
        np.testing.assert_allclose(clf.coef_, reference.coef_, rtol=1e-12,
                                   atol=1e-14)
        np.testing.assert_allclose(clf.predict_proba(data),
                                   reference.predict_proba(X), rtol=1e-12)
