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
