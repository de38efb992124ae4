"""In-memory kernels (clogit._backends.memory): the float32 Hessian
products of ``block_pass(single_hessian=True)`` and their fallback, and
the passes over a subset of the columns that read all of them in place;
the multinomial Hessian's diagonal of plain L-BFGS's scale-free guard."""

import numpy as np
import pytest
import scipy.sparse as sp

from clogit._backends.memory import BinomialKernels, SoftmaxKernels
from clogit._backends.threads import available_cores


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


def _gathered(kernels):
    """A copy of ``kernels`` whose passes never read X in place for a
    subset of its columns (the gathering path, the reference)."""
    other = BinomialKernels(kernels.X, kernels.y, kernels.sample_weight,
                            kernels.C, kernels.fit_intercept)
    other.reads_in_place = lambda columns: False
    return other


@pytest.mark.parametrize("n", [4000, 120_000])  # one chunk, several
def test_subset_passes_in_place_equal_the_gathered_ones(n):
    # block_pass without the Hessian and cd_model_rows over most columns
    # of C-ordered float64 X run over all of them in place; they give the
    # gathering path's objective, gradient, scores, residual and model
    # rows to rounding
    kernels = _kernels(n=n, p=40)
    kernels.C = 0.7
    columns = np.array([0, 3, 4, 9, 17, 20, 21, 22, 30, 31, 33, 39],
                       dtype=np.int32)
    assert kernels.reads_in_place(columns)
    assert not kernels.reads_in_place(columns[:5])
    reference = _gathered(kernels)
    coef = np.linspace(-0.2, 0.3, columns.size + 1)
    out = []
    for each in (kernels, reference):
        grad = np.empty(columns.size + 1)
        z, r = np.empty(n), np.empty(n)
        obj = each.block_pass(coef, grad, None, z, columns, r)
        rows = np.empty((2, columns.size + 1), order="F")
        assert each.cd_model_rows(z, np.array([1, 3], dtype=np.int32),
                                  columns, rows)
        out.append((obj, grad, z, r, rows))
    (obj, grad, z, r, rows), (obj0, grad0, z0, r0, rows0) = out
    np.testing.assert_allclose(obj, obj0, rtol=1e-13)
    np.testing.assert_allclose(grad, grad0, rtol=1e-11, atol=1e-11)
    np.testing.assert_allclose(z, z0, rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(r, r0, rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(rows, rows0, rtol=1e-11, atol=1e-11)
    # and the independent formula
    X = kernels.X
    Xt = np.hstack([X[:, columns], np.ones((n, 1))])
    zz = Xt @ coef
    p = 1.0 / (1.0 + np.exp(-zz))
    np.testing.assert_allclose(z, zz, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(
        grad, Xt.T @ (0.7 * kernels.sample_weight * (p - kernels.y)),
        rtol=1e-10, atol=1e-9)


def test_no_in_place_subset_for_f_order_float32_or_sparse():
    import scipy.sparse as sp
    kernels = _kernels(p=12)
    columns = np.arange(10, dtype=np.int32)
    assert kernels.reads_in_place(columns)
    for X in (np.asfortranarray(kernels.X), kernels.X.astype(np.float32),
              sp.csr_matrix(kernels.X)):
        other = BinomialKernels(X, kernels.y, kernels.sample_weight, 1.0,
                                True)
        assert not other.reads_in_place(columns)


@pytest.mark.parametrize("fmt", ["dense", "float32", "csr", "csc"])
@pytest.mark.parametrize("n", [3000, 150_000])  # one row chunk, several
def test_softmax_hessian_diagonal_is_the_full_hessians(fmt, n):
    # the multinomial guard's curvatures: the diagonal of the (K k1)^2
    # Hessian softmax_pass assembles, whatever the layout of X
    rng = np.random.default_rng(21)
    p, K = 6, 3
    X = rng.standard_normal((n, p))
    X[rng.random((n, p)) < 0.3] = 0.0
    y = rng.integers(0, K, n).astype(np.int32)
    s = rng.uniform(0.5, 2.0, n)
    data = {"dense": X, "float32": X.astype(np.float32),
            "csr": sp.csr_matrix(X), "csc": sp.csc_matrix(X)}[fmt]
    kernels = SoftmaxKernels(data, y, s, 0.7, True, K)
    coef = rng.standard_normal((K, p + 1)) * 0.3
    full = SoftmaxKernels(X, y, s, 0.7, True, K)
    hess = np.empty((K * (p + 1),) * 2, order="F")
    full.softmax_pass(coef, np.empty((K, p + 1)), hess)
    expected = np.diag(hess).reshape(K, p + 1)
    rtol = 1e-6 if fmt == "float32" else 1e-12
    np.testing.assert_allclose(kernels.hessian_diagonal_at(coef), expected,
                               rtol=rtol)


@pytest.mark.parametrize("single", [False, True])
def test_hessian_passes_split_where_gradient_passes_do_not(single):
    # 6,000 x 50: one row chunk for a gradient pass, two for a pass with
    # the Hessian (its work per row is k1^2 / 2); the split Hessian sums
    # the same products (float32: its checked few 1e-7)
    if available_cores() < 2:
        pytest.skip("one core: every pass runs on one chunk")
    kernels = _kernels(n=6000, p=50)
    assert len(kernels.chunks) == 1
    assert len(kernels.hessian_chunks) == 2
    assert kernels.newton_loop(None, 0, 1, 0, 0, None, ()) is None
    whole = _kernels(n=6000, p=50)
    whole.hessian_chunks = whole.chunks
    k1 = 51
    coef = np.linspace(-0.1, 0.1, k1)
    out = []
    for k in (kernels, whole):
        grad, hess = np.empty(k1), np.empty((k1, k1), order="F")
        obj = k.block_pass(coef, grad, hess, single_hessian=single)
        out.append((obj, grad, np.tril(hess)))
    # (float32: off the diagonal, to a few 1e-7 of the diagonal's scale)
    scale = float(np.max(np.diag(out[1][2])))
    atol = 1e-6 * scale if single else 1e-12 * scale
    np.testing.assert_allclose(out[0][0], out[1][0], rtol=1e-13)
    np.testing.assert_allclose(out[0][1], out[1][1], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(out[0][2], out[1][2], rtol=0, atol=atol)
    # small Hessians stay on one chunk (and Newton's loop in one call), and
    # so do passes over a few of the columns (a working set)
    assert len(_kernels(n=3000, p=30).hessian_chunks) == 1
    assert kernels._hessian_chunks_for(11) == kernels.chunks
