"""Stable scalar math (csrc/clogit_math.h) against a 60-digit reference.

mpmath evaluates each function exactly enough that the reference is the
correctly rounded double; clogit must agree to a few ulps everywhere,
including |z| up to 1e300 where naive formulas overflow.
"""

import math

import mpmath
import numpy as np
import pytest

from clogit._kernels import scalar as _scalar

mpmath.mp.dps = 60

Z = np.array([-1e300, -1e10, -745.0, -709.5, -100.0, -37.5, -36.9, -20.0,
              -1.0, -1e-8, -1e-300, 0.0, 1e-300, 1e-8, 0.5, 1.0, 17.9, 18.1,
              33.0, 33.5, 40.0, 100.0, 709.5, 745.0, 1e10, 1e300])


def _ref(fn):
    return np.array([float(fn(mpmath.mpf(float(z)))) for z in Z])


def _log1pexp(z):
    return mpmath.log1p(mpmath.exp(z))


def _sigmoid(z):
    return 1 / (1 + mpmath.exp(-z))


REFERENCES = {
    "log1pexp_into": _log1pexp,
    "sigmoid_into": _sigmoid,
    "log_sigmoid_into": lambda z: -_log1pexp(-z),
    "hess_weight_into": lambda z: _sigmoid(z) * _sigmoid(-z),
}


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_scalar_math_matches_high_precision(name):
    out = np.empty_like(Z)
    getattr(_scalar, name)(Z, out)
    expected = _ref(REFERENCES[name])
    assert np.all(np.isfinite(out))
    # 4 ulps relative; values below the smallest normal compared absolutely
    np.testing.assert_allclose(out, expected, rtol=4 * np.finfo(float).eps,
                               atol=np.finfo(float).tiny)


@pytest.mark.parametrize("y", [0.0, 1.0])
def test_binomial_loss_matches_high_precision(y):
    out = np.empty_like(Z)
    _scalar.binomial_loss_into(np.full_like(Z, y), Z, out)
    expected = _ref(lambda z: _log1pexp(z) - y * z)
    assert np.all(np.isfinite(out))
    np.testing.assert_allclose(out, expected, rtol=4 * np.finfo(float).eps,
                               atol=np.finfo(float).tiny)


def test_float32_variants_match_float64_within_float32_precision():
    z = np.linspace(-120, 120, 2001).astype(np.float32)
    for name in ("sigmoid_into", "log_sigmoid_into", "log1pexp_into"):
        out32 = np.empty_like(z)
        out64 = np.empty(z.shape)
        getattr(_scalar, name)(z, out32)
        getattr(_scalar, name)(z.astype(np.float64), out64)
        np.testing.assert_allclose(out32, out64,
                                   rtol=8 * np.finfo(np.float32).eps,
                                   atol=np.finfo(np.float32).tiny)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("n", [0, 1, 7, 8, 9, 1001])
def test_squared_sum_is_the_float64_sum_of_squares(dtype, n):
    values = np.random.default_rng(n).standard_normal(n).astype(dtype)
    exact = math.fsum(float(v) ** 2 for v in values)
    assert _scalar.squared_sum(values) == pytest.approx(exact, rel=1e-14,
                                                        abs=0.0)


def test_squared_sum_squares_float32_in_float64():
    # 1e20 squared overflows float32, not float64
    values = np.full(9, 1e20, dtype=np.float32)
    assert _scalar.squared_sum(values) == pytest.approx(
        9 * float(np.float32(1e20)) ** 2, rel=1e-15)
    assert np.isnan(_scalar.squared_sum(np.array([1.0, np.nan] * 5)))
    assert _scalar.squared_sum(np.array([1.0, np.inf] * 5)) == np.inf


# -- the model kernels' exp and log1p (clogit_exp_nonpos, clogit_log1p_unit) --
def _dense_z():
    """Scores across the whole range: the polynomial's reduction interval
    at every k of 2^k, the subnormal results below -708, underflow to 0."""
    rng = np.random.default_rng(7)
    return np.concatenate([rng.standard_normal(1500) * 4,
                           rng.uniform(-750.0, 750.0, 1500),
                           rng.standard_normal(200) * 1e-9,
                           [-745.2, -745.1, -744.4, -708.4, -708.3, -37.0,
                            -0.34657359027997264, 0.34657359027997264]])


def test_binomial_loss_is_within_an_ulp_or_two_everywhere():
    z = _dense_z()
    for y in (0.0, 1.0):
        out = np.empty_like(z)
        _scalar.binomial_loss_into(np.full_like(z, y), z, out)
        expected = np.array([float(
            max(mpmath.mpf(float(v)), 0) - y * mpmath.mpf(float(v))
            + mpmath.log1p(mpmath.exp(-abs(mpmath.mpf(float(v))))))
            for v in z])
        np.testing.assert_allclose(out, expected,
                                   rtol=2 * np.finfo(float).eps,
                                   atol=np.finfo(float).tiny)


def test_hess_weight_is_within_a_few_ulps_everywhere():
    z = _dense_z()
    out = np.empty_like(z)
    _scalar.hess_weight_into(z, out)
    e = [mpmath.exp(-abs(mpmath.mpf(float(v)))) for v in z]
    expected = np.array([float(t / (1 + t) ** 2) for t in e])
    # subnormal weights (|z| > 708) are compared absolutely
    np.testing.assert_allclose(out, expected, rtol=4 * np.finfo(float).eps,
                               atol=2 * np.finfo(float).tiny)


def test_vectorized_rows_compute_the_scalar_kernels_bits():
    """The dense pass's per-sample loop (clogit_binomial_rows, the clone
    for this CPU) against the CSR kernel's scalar calls of the same math,
    on one column (z = x w: the same bits in both): residuals, scores and
    Hessian agree bitwise; the objective (summed in another order) to an
    ulp or two."""
    from clogit._kernels import binomial as _binomial
    from clogit._kernels import sparse as _sparse
    import scipy.sparse as sp

    z = _dense_z()
    n = z.shape[0]
    X = np.ones((n, 1))
    A = sp.csr_matrix(X)
    rng = np.random.default_rng(3)
    y = (rng.random(n) < 0.5).astype(float)
    s = rng.uniform(0.5, 2.0, n)
    X[:, 0] = z  # coef 1: the scores are z exactly
    A.data[:] = z
    A.eliminate_zeros()
    coef = np.array([1.0])
    dense = [np.empty(1), np.empty((1, 1), order="F"), np.empty(n),
             np.empty(n)]
    csr = [np.empty(1), np.empty((1, 1), order="F"), np.empty(n),
           np.empty(n)]
    obj = _binomial.block_pass(X, y, s, coef, False, 0.7, *dense[:3],
                               residual_out=dense[3])
    obj_csr = _sparse.csr_block_pass(A.data, A.indices, A.indptr, 1, y, s,
                                     coef, False, 0.7, *csr[:3],
                                     residual_out=csr[3])
    np.testing.assert_array_equal(dense[2], csr[2])
    np.testing.assert_array_equal(dense[3], csr[3])
    assert obj == pytest.approx(obj_csr, rel=4 * np.finfo(float).eps)
    np.testing.assert_allclose(dense[1], csr[1], rtol=1e-13)
    # the line search's loop (clogit_binomial_loss_rows) on the same terms
    along = _binomial.objective_along(y, s, np.zeros(n), z, 1.0, 0.7)
    assert along == pytest.approx(obj, rel=4 * np.finfo(float).eps)
