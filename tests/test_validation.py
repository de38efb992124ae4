"""Input checks (clogit._validation): corrupt sparse matrices are refused
before any kernel reads them."""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import scipy.sparse as sp

import clogit
from clogit._validation import as_sparse_matrix


def _matrix(fmt="csr"):
    X = sp.random(300, 6, density=0.4, format=fmt, random_state=0)
    assert X.has_canonical_format  # scipy caches the flag
    return X


def _labels():
    return np.random.default_rng(0).integers(0, 2, 300)


def test_out_of_range_indptr_does_not_crash():
    # Regression: an indptr entry changed in place after scipy marked the
    # matrix canonical was never checked, and fit read out of bounds
    # (SIGSEGV).  A subprocess, so that a crash fails this test only.
    script = textwrap.dedent("""
        import numpy as np, scipy.sparse as sp, clogit
        X = sp.random(300, 6, density=0.4, format="csr", random_state=0)
        assert X.has_canonical_format
        y = np.random.default_rng(0).integers(0, 2, 300)
        clf = clogit.LogisticRegression().fit(X, y)
        X.indptr[150] = 2**30
        for call in (lambda: clogit.LogisticRegression().fit(X, y),
                     lambda: clf.predict_proba(X)):
            try:
                call()
            except ValueError as exc:
                print("refused:", exc)
    """)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    result = subprocess.run([sys.executable, "-c", script], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.count("refused: X is not a valid sparse matrix") \
        == 2


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_decreasing_indptr_is_refused(fmt):
    # Regression: in-range but decreasing values silently dropped rows.
    X = _matrix(fmt)
    X.indptr[3], X.indptr[4] = X.indptr[4] + 1, X.indptr[3]
    with pytest.raises(ValueError, match="never decrease"):
        clogit.LogisticRegression().fit(X, _labels())
    with pytest.raises(ValueError, match="never decrease"):
        as_sparse_matrix(X)


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_out_of_range_indices_are_refused(fmt):
    X = _matrix(fmt)
    X.indices[5] = X.shape[1 if fmt == "csr" else 0] + 3
    with pytest.raises(ValueError, match="outside"):
        as_sparse_matrix(X)
    X.indices[5] = -1
    with pytest.raises(ValueError, match="outside"):
        as_sparse_matrix(X)


def test_indptr_beyond_the_indices_is_refused():
    X = _matrix()
    X.indptr[-1] = X.indices.shape[0] + 1
    with pytest.raises(ValueError, match="end within"):
        as_sparse_matrix(X)


def test_stale_canonical_flag_is_not_trusted():
    # Unsorted indices in a matrix still flagged canonical: canonicalized
    # (a copy), so the fit equals the dense one.
    X = _matrix()
    dense = X.toarray()
    row = next(i for i in range(X.shape[0])
               if X.indptr[i + 1] - X.indptr[i] >= 2)
    a, b = X.indptr[row], X.indptr[row + 1]
    X.indices[a:b] = X.indices[a:b][::-1].copy()
    X.data[a:b] = X.data[a:b][::-1].copy()
    assert X.has_canonical_format  # stale
    checked = as_sparse_matrix(X)
    assert checked is not X
    np.testing.assert_array_equal(checked.toarray(), dense)
    y = _labels()
    np.testing.assert_allclose(
        clogit.LogisticRegression().fit(X, y).coef_,
        clogit.LogisticRegression().fit(dense, y).coef_, rtol=1e-10)


def test_valid_input_is_not_copied():
    X = _matrix()
    for array in (X.data, X.indices, X.indptr):
        array.flags.writeable = False
    assert as_sparse_matrix(X) is X


@pytest.mark.parametrize("y", [
    np.array([0.0, 1.0, 1.0, 0.0]), np.array([3, -2, 3, 3], dtype=np.int8),
    np.array([True, False, True]), np.array([2.5, 2.5, 7.0]),
    np.array([0, 1, 2, 1]), np.array([1.0, 1.0]), np.array(["b", "a", "b"]),
    np.array([0.0, np.nan, 1.0]), np.array([-0.0, 0.0, 1.0]),
    np.array([], dtype=np.float64)])
def test_encode_labels_is_numpy_unique(y):
    from clogit._validation import encode_labels
    classes, codes = encode_labels(y)
    expected_classes, expected_codes = np.unique(y, return_inverse=True)
    np.testing.assert_array_equal(classes, expected_classes)
    assert classes.dtype == expected_classes.dtype
    np.testing.assert_array_equal(codes, expected_codes)
    assert codes.dtype == expected_codes.dtype
