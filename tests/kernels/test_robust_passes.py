"""The robust-covariance outputs of the kernel passes (``meat_out``,
``group_scores_out``) of ``_binomial.block_pass``, ``_softmax.softmax_pass``
and their sparse twins, against numpy: the meat is ``sum_i s_i g_i g_i^T``
and the cluster sums ``sum_{i in g} s_i g_i`` of the per-sample scores
``g_i`` (``r_i xt_i``, ``r = C (p - y)``; multinomial ``r_i (x) xt_i``)."""

import numpy as np
import pytest
import scipy.sparse as sp

from clogit._kernels import binomial as _binomial
from clogit._kernels import softmax as _softmax
from clogit._kernels import sparse as _sparse

C = 0.7


def _data(n=257, p=5, seed=0, density=None):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    if density is not None:
        X[rng.random((n, p)) > density] = 0.0
    s = rng.uniform(0.0, 2.0, n)
    s[::17] = 0.0  # zero weights count for nothing
    groups = rng.integers(0, 11, n).astype(np.int32)
    return rng, X, s, groups


def _design(X, fit_intercept):
    return np.hstack([X, np.ones((len(X), 1))]) if fit_intercept else X


def _binomial_reference(X, y, s, coef, fit_intercept, groups, n_groups):
    Xt = _design(X, fit_intercept)
    p = 1.0 / (1.0 + np.exp(-(Xt @ coef)))
    r = C * (p - y)
    scores = (s * r)[:, None] * Xt
    meat = (Xt.T * (s * r * r)) @ Xt
    sums = np.zeros((n_groups, Xt.shape[1]))
    np.add.at(sums, groups, scores)
    return meat, sums, scores.sum(axis=0)


def _call(dense_kernel, name, kind, X, *args, **kwargs):
    """``dense_kernel`` on dense X, else ``_sparse.<kind>_<name>`` on X as
    a CSR or CSC matrix."""
    if kind.startswith("dense"):
        return dense_kernel(X, *args, **kwargs)
    M = sp.csr_matrix(X) if kind == "csr" else sp.csc_matrix(X)
    kernel = getattr(_sparse, f"{kind}_{name}")
    other = X.shape[1] if kind == "csr" else X.shape[0]
    return kernel(M.data, M.indices, M.indptr, other, *args, **kwargs)


def _binomial_call(kind, X, *args, **kwargs):
    return _call(_binomial.block_pass, "block_pass", kind, X, *args,
                 **kwargs)


@pytest.mark.parametrize("kind", ["dense-C", "dense-F", "dense-f32", "csr",
                                  "csc"])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_binomial_meat_and_cluster_sums(kind, fit_intercept):
    rng, X, s, groups = _data(density=0.4 if kind in ("csr", "csc") else None)
    if kind == "dense-F":
        X = np.asfortranarray(X)
    if kind == "dense-f32":
        X = X.astype(np.float32)
    y = (rng.random(len(X)) < 0.4).astype(np.float64)
    k1 = X.shape[1] + fit_intercept
    coef = rng.standard_normal(k1) * 0.5
    n_groups = 13  # two codes never used: zero rows
    grad, hess = np.empty(k1), np.empty((k1, k1), order="F")
    meat = np.full((k1, k1), np.nan, order="F")
    sums = np.full((n_groups, k1), np.nan)
    obj = _binomial_call(kind, X, y, s, coef, fit_intercept, C, grad, hess,
                         meat_out=meat, groups=groups,
                         group_scores_out=sums)
    expected_meat, expected_sums, expected_grad = _binomial_reference(
        X.astype(np.float64), y, s, coef, fit_intercept, groups, n_groups)
    np.testing.assert_allclose(meat, expected_meat, rtol=1e-12, atol=1e-13)
    np.testing.assert_array_equal(meat, meat.T)
    np.testing.assert_allclose(sums, expected_sums, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(grad, expected_grad, rtol=1e-12, atol=1e-13)
    # the robust outputs change nothing else, and need no Hessian
    grad2, hess2 = np.empty(k1), np.empty((k1, k1), order="F")
    assert _binomial_call(kind, X, y, s, coef, fit_intercept, C, grad2,
                          hess2) == obj
    np.testing.assert_array_equal(hess2, hess)
    meat2 = np.empty((k1, k1), order="F")
    _binomial_call(kind, X, y, s, coef, fit_intercept, C, grad2,
                   meat_out=meat2)
    np.testing.assert_array_equal(meat2, meat)


@pytest.mark.parametrize("block_rows", [1, 7, 64])
def test_binomial_meat_over_blocks(block_rows):
    rng, X, s, groups = _data(n=150, p=4)
    y = (rng.random(len(X)) < 0.5).astype(np.float64)
    coef = rng.standard_normal(5)
    meat = np.empty((5, 5), order="F")
    sums = np.empty((11, 5))
    _binomial.block_pass(X, y, s, coef, True, C, np.empty(5),
                         block_rows=block_rows, meat_out=meat, groups=groups,
                         group_scores_out=sums)
    expected_meat, expected_sums, _ = _binomial_reference(
        X, y, s, coef, True, groups, 11)
    np.testing.assert_allclose(meat, expected_meat, rtol=1e-12)
    np.testing.assert_allclose(sums, expected_sums, rtol=1e-12, atol=1e-13)


def test_binomial_meat_on_a_working_set_of_columns():
    rng, X, s, groups = _data(p=6)
    y = (rng.random(len(X)) < 0.5).astype(np.float64)
    columns = np.array([4, 1], dtype=np.intc)
    coef = rng.standard_normal(3)
    meat = np.empty((3, 3), order="F")
    sums = np.empty((11, 3))
    for kind in ("dense-C", "csr", "csc"):
        _binomial_call(kind, X, y, s, coef, True, C, np.empty(3),
                       columns=columns, meat_out=meat, groups=groups,
                       group_scores_out=sums)
        expected_meat, expected_sums, _ = _binomial_reference(
            X[:, columns], y, s, coef, True, groups, 11)
        np.testing.assert_allclose(meat, expected_meat, rtol=1e-12)
        np.testing.assert_allclose(sums, expected_sums, rtol=1e-12,
                                   atol=1e-13)


def _softmax_reference(X, y, s, coef, fit_intercept, n_fit, groups,
                       n_groups):
    Xt = _design(X, fit_intercept)
    Z = Xt @ coef.T
    P = np.exp(Z - Z.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    R = C * (P - np.eye(coef.shape[0])[y])[:, :n_fit]
    G = (R[:, :, None] * Xt[:, None, :]).reshape(len(X), -1)
    meat = (G.T * s) @ G
    sums = np.zeros((n_groups, G.shape[1]))
    np.add.at(sums, groups, s[:, None] * G)
    return meat, sums


def _softmax_call(kind, X, *args, **kwargs):
    return _call(_softmax.softmax_pass, "softmax_pass", kind, X, *args,
                 **kwargs)


@pytest.mark.parametrize("kind", ["dense-C", "dense-F", "csr", "csc"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("n_free", [-1, 2])
def test_softmax_meat_and_cluster_sums(kind, fit_intercept, n_free):
    rng, X, s, groups = _data(density=0.5 if kind in ("csr", "csc") else None)
    if kind == "dense-F":
        X = np.asfortranarray(X)
    K = 3
    y = rng.integers(0, K, len(X)).astype(np.int32)
    k1 = X.shape[1] + fit_intercept
    coef = rng.standard_normal((K, k1)) * 0.5
    n_fit = K if n_free < 0 else n_free
    width = n_fit * k1
    grad = np.empty((n_fit, k1))
    meat = np.full((width, width), np.nan, order="F")
    sums = np.full((12, width), np.nan)
    hess = np.empty((width, width), order="F")
    _softmax_call(kind, X, y, s, coef, fit_intercept, C, grad, hess, None,
                  n_free, meat_out=meat, groups=groups,
                  group_scores_out=sums)
    expected_meat, expected_sums = _softmax_reference(
        X, y, s, coef, fit_intercept, n_fit, groups, 12)
    np.testing.assert_allclose(meat, expected_meat, rtol=1e-12, atol=1e-13)
    np.testing.assert_array_equal(meat, meat.T)
    np.testing.assert_allclose(sums, expected_sums, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(sums.sum(axis=0), grad.ravel(), rtol=1e-10,
                               atol=1e-12)
    hess2 = np.empty((width, width), order="F")
    _softmax_call(kind, X, y, s, coef, fit_intercept, C, grad, hess2, None,
                  n_free)
    np.testing.assert_array_equal(hess2, hess)


@pytest.mark.parametrize("kind", ["dense-C", "csr", "csc"])
def test_bad_cluster_codes_are_refused(kind):
    rng, X, s, groups = _data(n=40, p=3)
    y = (rng.random(40) < 0.5).astype(np.float64)
    coef = np.zeros(4)
    sums = np.empty((5, 4))
    groups = groups % 5
    for bad, message in [(np.append(groups[:-1], 5).astype(np.int32),
                          "groups must lie"),
                         (np.append(groups[:-1], -1).astype(np.int32),
                          "groups must lie"),
                         (groups[:-1], "groups must have")]:
        with pytest.raises(ValueError, match=message):
            _binomial_call(kind, X, y, s, coef, True, C, np.empty(4),
                           groups=bad, group_scores_out=sums)
    with pytest.raises(ValueError, match="group_scores_out must be"):
        _binomial_call(kind, X, y, s, coef, True, C, np.empty(4),
                       groups=groups, group_scores_out=np.empty((5, 3)))
    with pytest.raises(ValueError, match="meat_out must be"):
        _binomial_call(kind, X, y, s, coef, True, C, np.empty(4),
                       meat_out=np.empty((3, 3), order="F"))
