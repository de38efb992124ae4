"""Public ufunc-like functions."""

import numpy as np
import pytest
from scipy.special import expit, log_expit

import clogit


def test_sigmoid_matches_scipy_and_keeps_shape():
    z = np.linspace(-50, 50, 101).reshape(101, 1)
    out = clogit.sigmoid(z)
    assert out.shape == z.shape and out.dtype == np.float64
    np.testing.assert_allclose(out, expit(z), rtol=4e-16, atol=0)


def test_log_sigmoid_matches_scipy():
    z = np.array([-1e300, -800.0, -30.0, 0.0, 30.0, 800.0, 1e300])
    np.testing.assert_allclose(clogit.log_sigmoid(z), log_expit(z),
                               rtol=4e-16, atol=0)
    assert clogit.log_sigmoid(-1e300) == -1e300
    assert clogit.log_sigmoid(40.0) == pytest.approx(-np.exp(-40.0),
                                                     rel=1e-15)


def test_scalars_lists_and_float32():
    assert isinstance(clogit.sigmoid(0.0), float)
    assert clogit.sigmoid(0) == 0.5
    np.testing.assert_allclose(clogit.sigmoid([0, 1]), expit([0.0, 1.0]))
    z32 = np.array([-3.0, 0.0, 3.0], dtype=np.float32)
    assert clogit.sigmoid(z32).dtype == np.float32
    assert clogit.log_sigmoid(z32).dtype == np.float32


def test_rejects_non_numeric():
    with pytest.raises(TypeError, match="real numbers"):
        clogit.sigmoid(np.array(["a"]))
