"""The objective's sums over rows are compensated (``clogit_sum_add`` in
csrc/clogit_math.h): every kernel that sums the data term returns it within
a few ulps of the exactly rounded sum of its terms, however many rows.

Added one by one, n similar terms err by up to about n ulps of the total;
the line searches compare two such sums whose true difference can be far
smaller (a proximal Newton path point on bench/cv.py's text task took 100
iterations of vanishing steps instead of 4).  Each test first checks that
the naive running sum of the same terms (``np.cumsum``) misses the exact
one by more than the tolerance, so that it tells the two apart.
"""

import math

import numpy as np
import pytest
import scipy.sparse as sp

from clogit._backends.memory import BinomialKernels, SoftmaxKernels

# a few ulps of the total: naive summation of the rows below errs by
# hundreds
ULPS = 4
N_ROWS = 200_000


def _exact(terms):
    return math.fsum(terms.tolist())


def _assert_close_to_exact(found, terms):
    exact = _exact(terms)
    naive = float(np.cumsum(terms)[-1])  # sequential, as the kernels were
    tolerance = ULPS * np.finfo(float).eps * abs(exact)
    assert abs(naive - exact) > tolerance  # the test can tell them apart
    assert abs(found - exact) <= tolerance


def _binary_problem(layout, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((N_ROWS, 3)) * 0.3
    y = (rng.random(N_ROWS) < 0.5).astype(np.float64)
    s = rng.uniform(0.5, 1.5, N_ROWS)
    if layout == "F":
        X = np.asfortranarray(X)
    elif layout in ("csr", "csc"):
        X[rng.random(X.shape) < 0.3] = 0.0
        X = sp.csr_matrix(X) if layout == "csr" else sp.csc_matrix(X)
    return X, y, s


def _binary_terms(y, s, z, C):
    return C * s * (np.logaddexp(0.0, z) - y * z)


@pytest.mark.parametrize("layout", ["C", "F", "csr", "csc"])
def test_binomial_pass_and_line_objective_are_compensated(layout):
    X, y, s = _binary_problem(layout)
    C = 0.7
    kernels = BinomialKernels(X, y, s, C, True)
    coef = np.array([0.4, -0.3, 0.2, 0.1])
    z = kernels.new_scores()
    found = kernels.block_pass(coef, np.empty(4), None, z)
    _assert_close_to_exact(found, _binary_terms(y, s, z, C))
    # and with the Hessian (the dense kernels' other branch)
    found = kernels.block_pass(coef, np.empty(4), np.empty((4, 4), order="F"),
                               z)
    _assert_close_to_exact(found, _binary_terms(y, s, z, C))

    dz = np.random.default_rng(1).standard_normal(N_ROWS) * 1e-3
    step = 0.5
    found = kernels.objective_along(z, dz, step)
    _assert_close_to_exact(found, _binary_terms(y, s, z + step * dz, C))


def test_softmax_pass_and_line_objective_are_compensated():
    rng = np.random.default_rng(2)
    K = 3
    X = rng.standard_normal((N_ROWS, 2)) * 0.3
    y = rng.integers(0, K, N_ROWS).astype(np.int32)
    s = rng.uniform(0.5, 1.5, N_ROWS)
    C = 0.7
    kernels = SoftmaxKernels(X, y, s, C, True, K)
    coef = rng.standard_normal((K, 3)) * 0.3
    z = kernels.new_scores()
    found = kernels.softmax_pass(coef, np.empty_like(coef), None, z)

    def terms(scores):
        lse = np.logaddexp.reduce(scores, axis=1)
        return C * s * (lse - scores[np.arange(N_ROWS), y])

    _assert_close_to_exact(found, terms(z))
    dz = rng.standard_normal(z.shape) * 1e-3
    found = kernels.objective_along(z, dz, 0.5)
    _assert_close_to_exact(found, terms(z + 0.5 * dz))
