"""clogit.log_loss equals sklearn.metrics.log_loss."""

import numpy as np
import pytest
from sklearn.metrics import log_loss as sk_log_loss

import clogit


def test_binary_matches_sklearn():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 50)
    p = rng.random(50)
    w = rng.random(50)
    assert clogit.log_loss(y, p) == pytest.approx(sk_log_loss(y, p), rel=1e-14)
    for normalize in (True, False):
        assert clogit.log_loss(y, p, sample_weight=w, normalize=normalize) == \
            pytest.approx(sk_log_loss(y, p, sample_weight=w,
                                      normalize=normalize), rel=1e-14)


def test_multiclass_strings_and_labels_match_sklearn():
    rng = np.random.default_rng(1)
    y = rng.choice(["b", "a", "c"], 40)
    P = rng.random((40, 4))
    P /= P.sum(axis=1, keepdims=True)
    labels = ["a", "b", "c", "d"]
    assert clogit.log_loss(y, P, labels=labels) == pytest.approx(
        sk_log_loss(y, P, labels=labels), rel=1e-14)


def test_clipping_of_zero_and_one():
    y = [0, 1, 1]
    p = np.array([0.0, 1.0, 0.0])
    assert clogit.log_loss(y, p) == pytest.approx(sk_log_loss(y, p), rel=1e-14)


def test_agrees_with_estimator_output():
    from sklearn.datasets import load_iris
    X, y = load_iris(return_X_y=True)
    clf = clogit.LogisticRegression().fit(X, y)
    P = clf.predict_proba(X)
    assert clogit.log_loss(y, P) == pytest.approx(sk_log_loss(y, P), rel=1e-14)


@pytest.mark.parametrize("y, p, message", [
    ([0, 1], [0.5, 1.5], "greater than 1"),
    ([0, 1], [-0.5, 0.5], "lower than 0"),
    ([1, 1], [0.5, 0.5], "only one label"),
    ([0, 1, 2], [[0.5, 0.5]] * 3, "different numbers of classes"),
])
def test_errors(y, p, message):
    with pytest.raises(ValueError, match=message):
        clogit.log_loss(y, p)


def test_rows_not_summing_to_one_warn():
    with pytest.warns(UserWarning, match="do not sum to one"):
        clogit.log_loss([0, 1, 2], [[0.5, 0.4, 0.4]] * 3)
