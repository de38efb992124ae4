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


def test_formula_model_with_inference_round_trips(tmp_path):
    # the formula's design is held as the plain state of model files: no
    # formulaic type to trust, and the loaded model predicts from raw data
    pytest.importorskip("formulaic")
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(5)
    data = pd.DataFrame({"x": rng.normal(size=200),
                         "level": rng.choice(["a", "b", "c"], size=200),
                         "firm": rng.integers(0, 12, size=200)})
    data["y"] = (rng.random(200) < 1 / (1 + np.exp(-data["x"]))).astype(int)
    est = clogit.logit("y ~ x + C(level)", data, cov_type="cluster",
                       groups=data["firm"])
    loaded = _round_trip(est, tmp_path)
    np.testing.assert_array_equal(loaded.predict_proba(data),
                                  est.predict_proba(data))
    np.testing.assert_array_equal(loaded.results_.bse, est.results_.bse)
    assert str(loaded.summary()) == str(est.summary())
    with pytest.raises(ValueError, match="level"):
        loaded.predict(data.assign(level="d"))
