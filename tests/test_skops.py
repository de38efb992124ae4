"""Pipelines holding clogit estimators round-trip through skops.io (no
pickle) with clogit's types listed as trusted (SPEC §3, "Saving models
without pickle")."""

import numpy as np
import pytest
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import clogit
from _data import breast_cancer, synthetic_multiclass

sio = pytest.importorskip("skops.io")


def _round_trip(estimator, tmp_path):
    path = tmp_path / "model.skops"
    sio.dump(estimator, path)
    untrusted = sio.get_untrusted_types(file=path)
    # what a user has to trust beyond scikit-learn's and numpy's types is
    # exactly clogit's list
    assert set(untrusted) <= set(clogit.SKOPS_TRUSTED_TYPES), untrusted
    with pytest.raises(sio.exceptions.UntrustedTypesFoundException):
        sio.load(path)
    return sio.load(path, trusted=list(clogit.SKOPS_TRUSTED_TYPES))


def test_pipeline_round_trips(tmp_path):
    X, y = breast_cancer()
    X = X * 100.0 + 5.0  # the scaler matters
    pipe = make_pipeline(StandardScaler(), clogit.LogisticRegression(
        penalty=None, solver="newton")).fit(X[:, [1, 4, 7, 8]], y)
    loaded = _round_trip(pipe, tmp_path)
    X4 = X[:, [1, 4, 7, 8]]
    np.testing.assert_array_equal(loaded.predict_proba(X4),
                                  pipe.predict_proba(X4))
    # the scaler came along (pipe[-1].save alone would drop it)
    np.testing.assert_array_equal(loaded[0].scale_, pipe[0].scale_)
    # and inference: the fit's Hessian record is part of the estimator
    np.testing.assert_array_equal(loaded[-1].std_errors_,
                                  pipe[-1].std_errors_)
    assert str(loaded[-1].summary()) == str(pipe[-1].summary())


def test_multinomial_and_float32_round_trip(tmp_path):
    X, y = synthetic_multiclass(n=300)
    clf = clogit.LogisticRegression().fit(X.astype(np.float32), y)
    loaded = _round_trip(clf, tmp_path)
    assert loaded.coef_.dtype == np.float32
    np.testing.assert_array_equal(loaded.predict(X), clf.predict(X))
    np.testing.assert_array_equal(loaded.classes_, clf.classes_)
