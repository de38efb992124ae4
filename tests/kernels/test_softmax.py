"""Kernels of clogit._kernels.softmax against numpy and finite differences."""

import numpy as np
import pytest

from clogit._kernels import softmax as _softmax


def _problem(n=250, p=4, K=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    y = rng.integers(0, K, n).astype(np.int32)
    s = rng.uniform(0.5, 2.0, n)
    coef = rng.standard_normal((K, p + 1)) * 0.5
    return X, y, s, coef


def _reference(X, y, s, coef, C, n_free):
    n = X.shape[0]
    K = coef.shape[0]
    Xt = np.hstack([X, np.ones((n, 1))])
    Z = Xt @ coef.T
    lse = np.logaddexp.reduce(Z, axis=1)
    P = np.exp(Z - lse[:, None])
    Y = np.eye(K)[y]
    obj = C * np.sum(s * (lse - Z[np.arange(n), y]))
    grad = C * ((P - Y) * s[:, None]).T @ Xt
    hess = np.zeros((K * Xt.shape[1],) * 2)
    for i in range(n):
        D = np.diag(P[i]) - np.outer(P[i], P[i])
        hess += C * s[i] * np.kron(D, np.outer(Xt[i], Xt[i]))
    width = n_free * Xt.shape[1]
    return obj, grad[:n_free], hess[:width, :width], Z


def _pass(X, y, s, coef, C, n_free, block_rows=0):
    k1 = coef.shape[1]
    grad = np.empty((n_free, k1))
    hess = np.empty((n_free * k1,) * 2, order="F")
    z = np.empty((X.shape[0], coef.shape[0]))
    obj = _softmax.softmax_pass(X, y, s, coef, True, C, grad, hess, z, n_free,
                                block_rows)
    return obj, grad, hess, z


@pytest.mark.parametrize("n_free", [3, 2])
@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("block_rows", [0, 1, 37])
def test_softmax_pass_matches_numpy(n_free, order, block_rows):
    X, y, s, coef = _problem()
    X = np.asarray(X, order=order)
    got = _pass(X, y, s, coef, 0.8, n_free, block_rows)
    expected = _reference(X, y, s, coef, 0.8, n_free)
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=1e-12, atol=1e-12)


def test_gradient_and_hessian_match_finite_differences():
    X, y, s, coef = _problem(n=120, p=3, K=3, seed=2)
    h = 1e-3

    def objective(flat):
        return _pass(X, y, s, flat.reshape(coef.shape), 1.2, 3)[0]

    def gradient(flat):
        return _pass(X, y, s, flat.reshape(coef.shape), 1.2, 3)[1].ravel()

    flat = coef.ravel()
    fd_grad, fd_hess = [], []
    for j in range(flat.size):
        e = np.zeros_like(flat)
        e[j] = h
        fd_grad.append((-objective(flat + 2 * e) + 8 * objective(flat + e)
                        - 8 * objective(flat - e) + objective(flat - 2 * e))
                       / (12 * h))
        fd_hess.append((-gradient(flat + 2 * e) + 8 * gradient(flat + e)
                        - 8 * gradient(flat - e) + gradient(flat - 2 * e))
                       / (12 * h))
    _, grad, hess, _ = _pass(X, y, s, coef, 1.2, 3)
    np.testing.assert_allclose(grad.ravel(), fd_grad, rtol=5e-6, atol=1e-8)
    np.testing.assert_allclose(hess, np.array(fd_hess), rtol=5e-6, atol=1e-8)


def test_extreme_scores_stay_finite():
    X, y, s, coef = _problem(n=40)
    coef = coef * 1e305
    obj, grad, hess, _ = _pass(X, y, s, coef, 1.0, 3)
    assert np.isfinite(obj) and np.all(np.isfinite(grad))
    assert np.all(np.isfinite(hess))


def test_scores_and_objective_along():
    X, y, s, coef = _problem()
    X32 = X.astype(np.float32)
    z = np.empty((X.shape[0], 3))
    _softmax.softmax_scores(X32, coef, True, z)
    np.testing.assert_allclose(
        z, np.hstack([X32.astype(float), np.ones((len(X), 1))]) @ coef.T,
        rtol=1e-12, atol=1e-12)
    direction = np.linspace(-1, 1, coef.size).reshape(coef.shape)
    _softmax.softmax_scores(X, coef, True, z)
    dz = np.empty_like(z)
    _softmax.softmax_scores(X, direction, True, dz)
    for step in (0.0, 0.3, 1.0):
        expected = _pass(X, y, s, coef + step * direction, 2.0, 3)[0]
        got = _softmax.softmax_objective_along(y, s, z, dz, step, 2.0)
        assert got == pytest.approx(expected, rel=1e-13)


def test_rejects_bad_class_indices():
    X, y, s, coef = _problem()
    y = y.copy()
    y[0] = 7
    with pytest.raises(ValueError, match="class indices"):
        _pass(X, y, s, coef, 1.0, 3)


# -- ovr_pass: the K binary problems of One-vs-Rest in one read of X ------
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("block_rows", [0, 7])
def test_ovr_pass_is_every_binary_problem(dtype, order, fit_intercept,
                                          block_rows):
    X, y, s, coef = _problem(n=300, p=5, K=4, seed=3)
    X = np.asarray(X, dtype=dtype, order=order)
    coef = np.ascontiguousarray(coef if fit_intercept else coef[:, :-1])
    C = 0.7
    grad = np.empty_like(coef)
    objectives = np.empty(4)
    total = _softmax.ovr_pass(X, y, s, coef, fit_intercept, C, grad,
                              objectives, block_rows)
    Xt = X.astype(np.float64)
    if fit_intercept:
        Xt = np.hstack([Xt, np.ones((300, 1))])
    for k in range(4):
        z = Xt @ coef[k]
        yk = (y == k).astype(float)
        expected = C * np.sum(s * (np.logaddexp(0.0, z) - yk * z))
        residual = C * s * (1.0 / (1.0 + np.exp(-z)) - yk)
        np.testing.assert_allclose(objectives[k], expected, rtol=1e-13)
        np.testing.assert_allclose(grad[k], Xt.T @ residual, rtol=1e-11,
                                   atol=1e-12)
    assert total == pytest.approx(objectives.sum(), rel=1e-15)


@pytest.mark.parametrize("weights", ["ones", "runs", "scaled"])
def test_ovr_pass_logs_of_products_are_exact_sums(weights):
    # the log1p terms are summed as logs of products over groups of rows
    # of equal weight (up to 32, across blocks): each class's objective
    # against math.fsum of the per-entry losses, and nothing changes with
    # the block size or a row order that breaks the weight runs
    import math
    rng = np.random.default_rng(11)
    n, p, K = 5003, 6, 5
    X = rng.standard_normal((n, p))
    y = rng.integers(0, K, n).astype(np.int32)
    s = {"ones": np.ones(n),
         "runs": np.repeat(rng.uniform(0.3, 3.0, n // 7 + 1), 7)[:n],
         "scaled": np.full(n, 2.5)}[weights]
    coef = rng.standard_normal((K, p + 1)) * 3.0
    C = 0.3
    Xt = np.hstack([X, np.ones((n, 1))])
    objectives = np.empty(K)
    for block_rows in (0, 45, 1000):
        _softmax.ovr_pass(X, y, s, coef, True, C, np.empty_like(coef),
                          objectives, block_rows)
        for k in range(K):
            z = Xt @ coef[k]
            terms = C * s * (np.logaddexp(0.0, z) - (y == k) * z)
            assert objectives[k] == pytest.approx(math.fsum(terms),
                                                  rel=1e-14)


def test_ovr_pass_validates_shapes():
    X, y, s, coef = _problem()
    with pytest.raises(ValueError, match="grad must be"):
        _softmax.ovr_pass(X, y, s, coef, True, 1.0, np.empty((2, 5)),
                          np.empty(3))
    bad = y.copy()
    bad[0] = 3
    with pytest.raises(ValueError, match="class indices"):
        _softmax.ovr_pass(X, bad, s, coef, True, 1.0, np.empty((3, 5)),
                          np.empty(3))
