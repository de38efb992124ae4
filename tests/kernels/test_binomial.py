"""Kernels of clogit._kernels.binomial: against a plain numpy evaluation and against
4th-order central finite differences."""

import numpy as np
import pytest

from clogit._kernels import binomial as _binomial


def _problem(n=300, p=6, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    y = (rng.random(n) < 0.4).astype(np.float64)
    s = rng.uniform(0.2, 2.0, n)
    coef = rng.standard_normal(p + 1) * 0.4
    return X, y, s, coef


def _numpy_reference(X, y, s, coef, C, fit_intercept):
    Xt = np.hstack([X, np.ones((X.shape[0], 1))]) if fit_intercept else X
    z = Xt @ coef
    p = 1.0 / (1.0 + np.exp(-z))
    objective = C * np.sum(s * (np.logaddexp(0.0, z) - y * z))
    grad = C * Xt.T @ (s * (p - y))
    hess = C * (Xt.T * (s * p * (1 - p))) @ Xt
    return objective, grad, hess, z


def _block_pass(X, y, s, coef, C, fit_intercept, block_rows=0):
    k = coef.shape[0]
    grad = np.empty(k)
    hess = np.empty((k, k), order="F")
    z = np.empty(X.shape[0])
    obj = _binomial.block_pass(X, y, s, coef, fit_intercept, C, grad, hess,
                               z, block_rows)
    return obj, grad, hess, z


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("block_rows", [0, 1, 7, 64, 10_000])
def test_block_pass_matches_numpy(fit_intercept, order, block_rows):
    X, y, s, coef = _problem()
    if not fit_intercept:
        coef = coef[:-1]
    X = np.asarray(X, order=order)
    expected = _numpy_reference(X, y, s, coef, 0.7, fit_intercept)
    got = _block_pass(X, y, s, coef, 0.7, fit_intercept, block_rows)
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=1e-12, atol=1e-12)
    hess = got[2]
    np.testing.assert_array_equal(hess, hess.T)


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_gradient_pass_past_the_cache_matches_numpy(fit_intercept):
    """A gradient pass over C-ordered X past PREFETCH_MIN_BYTES (12 MiB)
    with wide rows runs the scalar loop that reads ahead (the others the
    vectorized one): the same objective, gradient, scores and residuals."""
    X, y, s, coef = _problem(n=17_000, p=100, seed=4)
    assert X.nbytes > 12 * 2**20 and X.flags.c_contiguous
    if not fit_intercept:
        coef = coef[:-1]
    coef = coef * 0.3
    objective, grad, _, z = _numpy_reference(X, y, s, coef, 0.7,
                                             fit_intercept)
    got_grad = np.empty(coef.shape[0])
    got_z = np.empty(X.shape[0])
    residual = np.empty(X.shape[0])
    got = _binomial.block_pass(X, y, s, coef, fit_intercept, 0.7, got_grad,
                               None, got_z, residual_out=residual)
    np.testing.assert_allclose(got, objective, rtol=1e-12)
    np.testing.assert_allclose(got_grad, grad, rtol=1e-11, atol=1e-11)
    np.testing.assert_allclose(got_z, z, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(residual, 0.7 * s * (1 / (1 + np.exp(-z))
                                                    - y),
                               rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("order", ["C", "F"])
def test_block_pass_float32_accumulates_in_float64(order):
    X, y, s, coef = _problem()
    X32 = np.asarray(X, dtype=np.float32, order=order)
    # the reference on exactly the float32 values, in float64
    expected = _numpy_reference(X32.astype(np.float64), y, s, coef, 1.0, True)
    got = _block_pass(X32, y, s, coef, 1.0, True)
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=1e-12, atol=1e-12)


def _central_difference(f, x, h):
    """4th-order central difference of f at x along each coordinate."""
    out = []
    for j in range(x.shape[0]):
        e = np.zeros_like(x)
        e[j] = h
        out.append((-f(x + 2 * e) + 8 * f(x + e) - 8 * f(x - e)
                    + f(x - 2 * e)) / (12 * h))
    return np.array(out)


def test_gradient_and_hessian_match_finite_differences():
    X, y, s, coef = _problem(n=200, p=5, seed=3)
    C = 1.3

    def objective(c):
        return _block_pass(X, y, s, c, C, True)[0]

    def gradient(c):
        return _block_pass(X, y, s, c, C, True)[1]

    _, grad, hess, _ = _block_pass(X, y, s, coef, C, True)
    np.testing.assert_allclose(grad, _central_difference(objective, coef, 1e-3),
                               rtol=5e-6, atol=1e-8)
    np.testing.assert_allclose(hess, _central_difference(gradient, coef, 1e-3),
                               rtol=5e-6, atol=1e-8)


def test_block_pass_finite_at_extreme_scores():
    X, y, s, coef = _problem(n=50, p=3)
    coef = np.array([1e300, -1e300, 1e299, 0.0])
    obj, grad, hess, z = _block_pass(X / 1e3, y, s, coef, 1.0, True)
    assert np.isfinite(obj) and np.all(np.isfinite(grad))
    assert np.all(np.isfinite(hess))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_matvec(dtype, order, fit_intercept):
    X, _, _, coef = _problem(n=5000, p=9)
    X = np.asarray(X, dtype=dtype, order=order)
    if not fit_intercept:
        coef = coef[:-1]
    out = np.empty(X.shape[0])
    _binomial.matvec(X, coef, fit_intercept, out)
    expected = X.astype(np.float64) @ coef[:9] + (coef[9] if fit_intercept
                                                  else 0.0)
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)


def test_matvec_single_column_and_row_views():
    rng = np.random.default_rng(1)
    big = rng.standard_normal((40, 10))
    for X in (big[:, :1], big[:, 3:4].copy(), big[5:6, :], big[::1, 2:7]):
        if not (X.flags.c_contiguous or X.flags.f_contiguous
                or X.strides[1] == X.itemsize):
            continue
        coef = rng.standard_normal(X.shape[1] + 1)
        out = np.empty(X.shape[0])
        _binomial.matvec(X, coef, True, out)
        np.testing.assert_allclose(out, X @ coef[:-1] + coef[-1], rtol=1e-12)


def test_objective_along_matches_block_pass():
    X, y, s, coef = _problem()
    direction = np.linspace(-1, 1, coef.shape[0])
    z = np.empty(X.shape[0])
    dz = np.empty(X.shape[0])
    _binomial.matvec(X, coef, True, z)
    _binomial.matvec(X, direction, True, dz)
    for step in (0.0, 0.25, 1.0):
        expected = _block_pass(X, y, s, coef + step * direction, 2.0, True)[0]
        got = _binomial.objective_along(y, s, z, dz, step, 2.0)
        assert got == pytest.approx(expected, rel=1e-13)


def test_kernels_accept_read_only_input():
    X, y, s, coef = _problem()
    for a in (X, y, s, coef):
        a.setflags(write=False)
    expected = _numpy_reference(X, y, s, coef, 1.0, True)
    got = _block_pass(X, y, s, coef, 1.0, True)
    np.testing.assert_allclose(got[1], expected[1], rtol=1e-12)


def test_kernels_reject_mismatched_shapes():
    X, y, s, coef = _problem()
    grad = np.empty(coef.shape[0])
    with pytest.raises(ValueError, match="y and sample_weight"):
        _binomial.block_pass(X, y[:-1], s, coef, True, 1.0, grad)
    with pytest.raises(ValueError, match="coef and grad"):
        _binomial.block_pass(X, y, s, coef[:-1], True, 1.0, grad)
    with pytest.raises(ValueError, match="shape mismatch"):
        _binomial.matvec(X, coef, True, np.empty(3))


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("all_columns", [False, True])
@pytest.mark.parametrize("rows_of", [[1, 4, 8], [0, 1, 2, 3, 5, 8]])
def test_weighted_cross_matches_numpy(fit_intercept, order, dtype,
                                      all_columns, rows_of):
    # all_columns: columns=None, C-ordered float64 X read in place (up to
    # 4 rows_of by gemv, more by dgemm)
    X, _, s, _ = _problem(n=5000, p=9)
    X = np.asarray(X, dtype=dtype, order=order)
    rows_of = np.array(rows_of, dtype=np.intc)
    columns = np.array([0, 1, 2, 4, 7], dtype=np.intc)
    Xd = X.astype(np.float64)
    if all_columns:
        columns = None
    B = Xd if all_columns else Xd[:, columns]
    if fit_intercept:
        B = np.hstack([B, np.ones((X.shape[0], 1))])
    expected = (Xd[:, rows_of].T * s) @ B
    out = np.full((rows_of.size, B.shape[1]), np.nan, order="F")
    _binomial.weighted_cross(X, s, rows_of, columns, fit_intercept, out)
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)


def test_weighted_cross_refuses_bad_shapes():
    X, _, s, _ = _problem()
    cols = np.array([0, 1], dtype=np.intc)
    with pytest.raises(ValueError, match="shape mismatch"):
        _binomial.weighted_cross(X, s, cols, cols, True,
                                 np.empty((2, 2), order="F"))
    with pytest.raises(ValueError, match="out of range"):
        _binomial.weighted_cross(X, s, np.array([0, 99], dtype=np.intc),
                                 cols, False, np.empty((2, 2), order="F"))


@pytest.mark.parametrize("case", [
    dict(order="C", dtype=np.float64, fit_intercept=True),
    dict(order="F", dtype=np.float64, fit_intercept=False),
    dict(order="C", dtype=np.float32, fit_intercept=True),
    dict(order="F", dtype=np.float32, fit_intercept=True),
    dict(order="C", dtype=np.float64, fit_intercept=True, columns=[4, 0, 9]),
    dict(order="C", dtype=np.float64, fit_intercept=True, block_rows=100),
])
def test_float32_hessian_products(case):
    # block_pass(diagonal_out=): the Hessian from float32 products of the
    # scaled rows, summed in float64 every 1,024 rows (n = 3,333: four
    # groups, the last partial), entries within 1e-6 of the float64
    # Hessian relative to sqrt(H_ii H_jj) on columns scaled by
    # 10^U(-3, 3); objective, gradient and scores bitwise the float64
    # pass's, diagonal_out the float64 diagonal
    rng = np.random.default_rng(5)
    n, p = 3333, 12
    X = rng.standard_normal((n, p)) * 10.0 ** rng.uniform(-3, 3, p)
    X = np.asarray(X, dtype=case["dtype"], order=case["order"])
    y = (rng.random(n) < 0.4).astype(np.float64)
    s = rng.uniform(0.2, 2.0, n)
    columns = case.get("columns")
    if columns is not None:
        columns = np.asarray(columns, dtype=np.intc)
    k1 = (p if columns is None else len(columns)) + case["fit_intercept"]
    coef = rng.standard_normal(k1) * 1e-3
    outputs = []
    for single in (False, True):
        grad, hess = np.empty(k1), np.empty((k1, k1), order="F")
        z, diagonal = np.empty(n), np.empty(k1) if single else None
        obj = _binomial.block_pass(
            X, y, s, coef, case["fit_intercept"], 1.5, grad, hess, z,
            case.get("block_rows", 0), columns, diagonal_out=diagonal)
        outputs.append((obj, grad, hess, z, diagonal))
    (obj, grad, hess, z, _), (obj1, grad1, hess1, z1, diagonal) = outputs
    assert obj1 == obj
    np.testing.assert_array_equal(grad1, grad)
    np.testing.assert_array_equal(z1, z)
    np.testing.assert_allclose(diagonal, np.diag(hess), rtol=1e-12)
    np.testing.assert_array_equal(hess1, hess1.T)
    scale = np.sqrt(np.outer(np.diag(hess), np.diag(hess)))
    error = np.max(np.abs(hess1 - hess) / scale)
    assert 0.0 < error <= 1e-6  # float32 products, not float64 ones


def test_float32_hessian_products_need_the_hessian_alone():
    X, y, s, coef = _problem()
    grad, hess = np.empty(7), np.empty((7, 7), order="F")
    with pytest.raises(ValueError, match="diagonal_out"):
        _binomial.block_pass(X, y, s, coef, True, 1.0, grad, None,
                             diagonal_out=np.empty(7))
    with pytest.raises(ValueError, match="diagonal_out"):
        _binomial.block_pass(X, y, s, coef, True, 1.0, grad, hess,
                             meat_out=np.empty((7, 7), order="F"),
                             diagonal_out=np.empty(7))
    with pytest.raises(ValueError, match="diagonal_out"):
        _binomial.block_pass(X, y, s, coef, True, 1.0, grad, hess,
                             diagonal_out=np.empty(6))
