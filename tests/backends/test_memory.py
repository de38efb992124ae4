"""In-memory kernels (clogit._backends.memory): the float32 Hessian
products of ``block_pass(single_hessian=True)`` and their fallback."""

import numpy as np
import pytest

from clogit._backends.memory import BinomialKernels


def _kernels(n=4000, p=10, scale=None, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    if scale is not None:
        X[:, 3] *= scale
    y = (rng.random(n) < 0.4).astype(np.float64)
    s = rng.uniform(0.5, 2.0, n)
    return BinomialKernels(X, y, s, 1.0, True)


def _passes(kernels, **kwargs):
    k1 = kernels.n_features + 1
    coef = np.linspace(-0.1, 0.1, k1)
    if kernels.X[:, 3].std() > 1e10 or kernels.X[:, 3].std() < 1e-10:
        coef[3] = 0.0
    out = []
    for single in (False, True):
        grad, hess = np.empty(k1), np.empty((k1, k1), order="F")
        z = np.empty(kernels.n_samples)
        obj = kernels.block_pass(coef, grad, hess, z, single_hessian=single,
                                 **kwargs)
        out.append((obj, grad, hess, z))
    return out


@pytest.mark.parametrize("n", [4000, 120_000])  # one chunk, several
def test_single_hessian_is_float32_accurate(n):
    kernels = _kernels(n=n)
    assert kernels.single_hessians
    assert (len(kernels.chunks) > 1) == (n > 4000)
    (obj, grad, hess, z), (obj1, grad1, hess1, z1) = _passes(kernels)
    assert obj1 == obj
    np.testing.assert_array_equal(grad1, grad)
    np.testing.assert_array_equal(z1, z)
    # the diagonal is the float64 one, the rest float32 products
    np.testing.assert_allclose(np.diag(hess1), np.diag(hess), rtol=1e-12)
    scale = np.sqrt(np.outer(np.diag(hess), np.diag(hess)))
    error = np.max(np.abs(hess1 - hess) / scale)
    assert 0.0 < error <= 1e-6
    assert kernels.single_hessians


@pytest.mark.parametrize("scale", [1e25, 1e-25])  # squares over/underflow
def test_single_hessian_falls_back_to_float64(scale):
    # float32 squares of a column near 1e25 overflow, near 1e-25
    # underflow to zero: the check against the float64 diagonal catches
    # both, the pass is run in float64 and float32 is off for good
    kernels = _kernels(scale=scale)
    (obj, grad, hess, z), (obj1, grad1, hess1, z1) = _passes(kernels)
    assert not kernels.single_hessians
    assert obj1 == obj
    np.testing.assert_array_equal(hess1, hess)
    np.testing.assert_array_equal(grad1, grad)


def test_sampled_single_hessian_fallback_reaches_the_parent():
    kernels = _kernels(n=8000, scale=1e25)
    hess = np.empty((11, 11), order="F")
    kernels.sample_hessian(np.zeros(11), hess, 4, single_hessian=True)
    assert not kernels.single_hessians
    expected = np.empty((11, 11), order="F")
    kernels._samples(4).block_pass(np.zeros(11), np.empty(11), expected)
    np.testing.assert_array_equal(hess, expected)


def test_sparse_kernels_have_no_single_hessians():
    import scipy.sparse as sp
    kernels = _kernels()
    sparse = BinomialKernels(sp.csr_matrix(kernels.X), kernels.y,
                             kernels.sample_weight, 1.0, True)
    assert not sparse.single_hessians
    grad, hess = np.empty(11), np.empty((11, 11), order="F")
    expected = np.empty((11, 11), order="F")
    coef = np.full(11, 0.05)
    sparse.block_pass(coef, grad, hess, single_hessian=True)
    sparse.block_pass(coef, grad, expected)
    np.testing.assert_array_equal(hess, expected)
