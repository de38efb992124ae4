"""Predictions on extreme but finite input (clogit._estimator): scores are
computed with scaled arithmetic where products overflow, probabilities are
normalized in logs; never NaN, always the right sign."""

import math
import warnings
from fractions import Fraction

import numpy as np
import pytest
import scipy.sparse as sp

import clogit
from _data import synthetic_binary, synthetic_multiclass


def _exact_scores(X, coef, intercept):
    """``X @ coef.T + intercept`` in exact rational arithmetic, rounded
    once (to +-inf beyond the float range)."""
    out = np.empty((X.shape[0], coef.shape[0]))
    for i, row in enumerate(np.asarray(X, dtype=np.float64)):
        for k, c in enumerate(coef):
            total = Fraction(float(intercept[k])) + sum(
                Fraction(float(a)) * Fraction(float(b))
                for a, b in zip(row, c))
            try:
                out[i, k] = float(total)
            except OverflowError:
                out[i, k] = math.inf if total > 0 else -math.inf
    return out


def _binary_model(coef=(1.0, -1.0), intercept=0.0):
    X, y = synthetic_binary(n=200, p=2)
    clf = clogit.LogisticRegression().fit(X, y)
    clf.coef_ = np.array([coef], dtype=np.float64)
    clf.intercept_ = np.array([intercept])
    return clf


HUGE = np.array([[1e308, 0.9e308], [-1e308, 1e308], [1e308, -1e308],
                 [1.7e308, 1.7e308], [1e-300, -2e-300], [0.0, 0.0]])


@pytest.mark.parametrize("layout", ["dense", "F", "csr", "csc"])
def test_decision_function_near_the_float_limit(layout):
    # Regression: X = [1e308, 0.9e308] gave inf - inf = NaN (dense and
    # sparse), and predict said class 0 where the score is +1e307.
    clf = _binary_model()
    X = {"dense": HUGE, "F": np.asfortranarray(HUGE),
         "csr": sp.csr_matrix(HUGE), "csc": sp.csc_matrix(HUGE)}[layout]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # and no RuntimeWarning either
        scores = clf.decision_function(X)
        proba = clf.predict_proba(X)
        log_proba = clf.predict_log_proba(X)
        labels = clf.predict(X)
    exact = _exact_scores(HUGE, clf.coef_, clf.intercept_).ravel()
    np.testing.assert_array_equal(np.sign(scores), np.sign(exact))
    finite = np.isfinite(exact)
    np.testing.assert_allclose(scores[finite], exact[finite], rtol=1e-15)
    assert np.array_equal(scores[~finite], exact[~finite])
    assert scores[0] == pytest.approx(1e307, rel=1e-15)
    np.testing.assert_array_equal(labels, clf.classes_[(exact > 0) * 1])
    assert np.all(np.isfinite(proba)) and np.all((0 <= proba) & (proba <= 1))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-15)
    assert not np.isnan(log_proba).any() and np.all(log_proba <= 0)


def test_float32_products_beyond_the_float_range():
    # float32 X, float64 products (3e38 * 1e270 overflows float64)
    clf = _binary_model(coef=(1e270, -1e270), intercept=1.0)
    X = np.array([[3e38, -3e38], [3e38, 2e38], [1.0, 2.0]],
                 dtype=np.float32)
    scores = clf.decision_function(X)
    exact = _exact_scores(X, clf.coef_, clf.intercept_).ravel()
    assert scores[0] == exact[0] == np.inf
    np.testing.assert_allclose(scores[1:], exact[1:], rtol=1e-15)
    assert 0 < scores[1] < np.inf


def test_accuracy_is_that_of_a_dot_product_without_overflow():
    # Scaled arithmetic is as accurate as the plain dot product would be
    # with a wider exponent range: the error is bounded by a few units of
    # sum |x_j c_j|, so the sign is right whenever the score is not a
    # cancellation below that bound.
    rng = np.random.default_rng(1)
    X = rng.uniform(-1.0, 1.0, (40, 5)) * 1e307
    clf = clogit.LogisticRegression().fit(*synthetic_binary(n=200, p=5))
    clf.coef_ = rng.uniform(-20.0, 20.0, (1, 5))
    clf.intercept_ = np.zeros(1)
    scores = clf.decision_function(X)
    exact = _exact_scores(X, clf.coef_, clf.intercept_).ravel()
    finite = np.isfinite(exact)
    assert finite.sum() > 10 and (~finite).sum() > 0
    for score, value, row in zip(scores[finite], exact[finite], X[finite]):
        size = sum(abs(Fraction(float(a)) * Fraction(float(b)))
                   for a, b in zip(row, clf.coef_[0]))
        error = abs(Fraction(float(score)) - Fraction(float(value)))
        assert error <= 8 * Fraction(np.finfo(float).eps) * size
    np.testing.assert_array_equal(scores[~finite], exact[~finite])


@pytest.mark.parametrize("multi_class", ["ovr", "multinomial"])
def test_multiclass_scores_near_the_float_limit(multi_class):
    X, y = synthetic_multiclass(n=300, p=3)
    clf = clogit.LogisticRegression(multi_class=multi_class).fit(X, y)
    clf.coef_ = np.array([[1.0, 1.0, 0.0], [1.0, -1.0, 0.5],
                          [-1.0, 0.0, 1.0], [0.5, 0.5, 0.5]])
    Xh = np.array([[1e308, 0.9e308, 1e308], [1.7e308, 1.7e308, 1.7e308],
                   [-1e308, -1e308, -1e308]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scores = clf.decision_function(Xh)
        proba = clf.predict_proba(Xh)
        log_proba = clf.predict_log_proba(Xh)
    exact = _exact_scores(Xh, clf.coef_, clf.intercept_)
    np.testing.assert_array_equal(np.sign(scores), np.sign(exact))
    assert np.all(np.isfinite(proba)) and np.all((0 <= proba) & (proba <= 1))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-15)
    assert not np.isnan(log_proba).any()
    np.testing.assert_array_equal(clf.predict(Xh),
                                  clf.classes_[np.argmax(exact, axis=1)])


def test_one_vs_rest_proba_when_every_score_is_below_minus_745():
    # Regression: every sigmoid underflowed to 0 and proba was 0/0 = NaN,
    # while predict_log_proba stayed finite.
    X, y = synthetic_multiclass(n=300, p=3, n_classes=3)
    clf = clogit.LogisticRegression(multi_class="ovr").fit(X, y)
    clf.coef_ = np.zeros((3, 3))
    clf.intercept_ = np.array([-800.0, -900.0, -1000.0])
    proba = clf.predict_proba(np.zeros((2, 3)))
    # sigmoid(z) ~ exp(z) here: exp(-100 k) / sum_l exp(-100 l)
    expected = np.exp(-100.0 * np.arange(3))
    expected /= expected.sum()
    np.testing.assert_allclose(proba, [expected, expected], rtol=1e-12)
    np.testing.assert_allclose(np.log(proba), clf.predict_log_proba(
        np.zeros((2, 3))), rtol=1e-12)


def test_one_vs_rest_proba_is_unchanged_on_ordinary_scores():
    X, y = synthetic_multiclass(n=300, p=3)
    clf = clogit.LogisticRegression(multi_class="ovr").fit(X, y)
    sig = clogit.sigmoid(clf.decision_function(X))
    np.testing.assert_allclose(clf.predict_proba(X),
                               sig / sig.sum(axis=1, keepdims=True),
                               rtol=1e-13)


def test_plain_arrays_skip_validation_with_the_same_answers_and_errors():
    # Prediction on a plain float ndarray skips scikit-learn's validation
    # (latency on one row); everything else goes through it.  The answers
    # are those of the validated path, the errors scikit-learn's.
    pd = pytest.importorskip("pandas")
    X, y = synthetic_binary(n=300, p=4, seed=7)
    est = clogit.LogisticRegression().fit(X, y)
    calls = []
    original = clogit._estimator.validate_data

    def counting(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    mp = pytest.MonkeyPatch()
    mp.setattr(clogit._estimator, "validate_data", counting)
    try:
        for rows in (X[:1], X, np.asfortranarray(X), X.astype(np.float32)):
            fast = est.predict_proba(rows)
            assert not calls
            with pytest.MonkeyPatch.context() as off:
                off.setattr(clogit.LogisticRegression, "_plain_input",
                            lambda self, X: False)
                slow = est.predict_proba(rows)
            assert len(calls) == 1
            calls.clear()
            np.testing.assert_array_equal(fast, slow)
        est.predict_proba(X.tolist())  # a list: validated
        assert len(calls) == 1
        bad = X[:3].copy()
        bad[1, 2] = np.nan
        with pytest.raises(ValueError, match="Input X contains NaN"):
            est.predict(bad)
        with pytest.raises(ValueError, match="4 features"):
            est.predict(X[:, :3])
        with pytest.raises(ValueError, match="Expected 2D array"):
            est.predict(X[0])
        # fitted with feature names: an ndarray warns as in scikit-learn
        named = clogit.LogisticRegression().fit(
            pd.DataFrame(X, columns=list("abcd")), y)
        with pytest.warns(UserWarning, match="feature names"):
            named.predict(X[:2])
    finally:
        mp.undo()
