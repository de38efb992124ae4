"""Model files keep what inference needs (format version 2: the
covariance, the fit statistics, the target's name; clogit._model_files),
old files still load, and every malformed inference field is refused."""

import copy
import io
import json

import numpy as np
import pytest

import clogit
from _data import synthetic_binary, synthetic_multiclass


def _roundtrip(est):
    text = io.StringIO()
    est.save(text)
    return clogit.load(io.StringIO(text.getvalue())), json.loads(
        text.getvalue())


def _same_inference(a, b):
    np.testing.assert_array_equal(b.covariance_, a.covariance_)
    np.testing.assert_array_equal(b.p_values_, a.p_values_)
    np.testing.assert_array_equal(b.conf_int(0.1), a.conf_int(0.1))
    assert str(b.summary()) == str(a.summary())


@pytest.mark.parametrize("params", [
    dict(penalty=None), dict(C=0.3), dict(penalty=None, cov_type="HC1"),
    dict(C=0.5, cov_type="cluster"), dict(penalty=None, fit_intercept=False),
])
def test_binary_inference_round_trips(params):
    X, y = synthetic_binary(n=300, p=3)
    groups = np.arange(300) % 11 if params.get("cov_type") == "cluster" \
        else None
    est = clogit.LogisticRegression(**params).fit(X, y, groups=groups)
    loaded, doc = _roundtrip(est)
    _same_inference(est, loaded)
    res, back = est.results_, loaded.results_
    for name in ("llf", "llnull", "llr_pvalue", "aic", "bic", "df_model",
                 "df_resid", "nobs", "prsquared"):
        np.testing.assert_equal(getattr(back, name), getattr(res, name))
    entry = doc["inference"][0]
    assert entry["cov_type"] == est.cov_type
    k = X.shape[1] + est.fit_intercept
    assert len(entry["covariance"]) == k
    assert [len(row) for row in entry["covariance"]] == list(range(1, k + 1))


@pytest.mark.parametrize("multi_class", ["ovr", "multinomial"])
def test_multiclass_inference_round_trips(multi_class):
    X, y = synthetic_multiclass(n=300)
    est = clogit.LogisticRegression(penalty=None, multi_class=multi_class,
                                    cov_type="HC0").fit(X, y)
    loaded, doc = _roundtrip(est)
    _same_inference(est, loaded)
    assert len(doc["inference"]) == (4 if multi_class == "ovr" else 1)


def test_target_name_round_trips():
    pd = pytest.importorskip("pandas")
    X, y = synthetic_binary(n=200, p=2)
    est = clogit.LogisticRegression().fit(X, pd.Series(y, name="churned"))
    loaded, doc = _roundtrip(est)
    assert doc["target_name"] == "churned"
    assert "churned" in str(loaded.summary())


def test_saving_never_reads_the_training_data():
    # an L-BFGS fit whose inference was never asked for: computing it at
    # save would take a pass over X, so the file holds none ...
    X, y = synthetic_binary(n=300, p=3)
    est = clogit.LogisticRegression(solver="lbfgs").fit(X, y)
    loaded, doc = _roundtrip(est)
    assert doc["inference"] is None
    with pytest.raises(ValueError, match="holds no inference"):
        loaded.summary()
    np.testing.assert_array_equal(loaded.predict_proba(X),
                                  est.predict_proba(X))
    # ... and once it was computed, the file holds it
    est.std_errors_
    loaded, doc = _roundtrip(est)
    _same_inference(est, loaded)


def test_a_file_too_large_with_its_covariances_is_saved_without(
        monkeypatch, tmp_path):
    # the covariances grow as the square of the coefficients: beyond the
    # size clogit.load reads (issue 14's bound), the model is saved without
    # them, with a warning, and still predicts bit for bit
    from clogit import _model_files
    X, y = synthetic_binary(n=300, p=40)
    est = clogit.LogisticRegression(penalty=None).fit(X, y)
    path = tmp_path / "m.json"
    est.save(path)
    full = path.stat().st_size
    monkeypatch.setattr(_model_files, "MAX_FILE_BYTES", full - 1)
    with pytest.warns(UserWarning, match="saved without its inference"):
        est.save(path)
    assert path.stat().st_size < full
    loaded = clogit.load(path)
    np.testing.assert_array_equal(loaded.predict_proba(X),
                                  est.predict_proba(X))
    assert not hasattr(loaded, "std_errors_")
    # a model too large even without them is still an error
    monkeypatch.setattr(_model_files, "MAX_FILE_BYTES", 100)
    with pytest.raises(ValueError, match="more than the 100"):
        est.save(path)


def test_l1_models_load_without_inference_and_say_why():
    X, y = synthetic_binary(n=300, p=3)
    est = clogit.LogisticRegression(penalty="l1", C=0.5).fit(X, y)
    loaded, doc = _roundtrip(est)
    assert doc["inference"] is None
    with pytest.raises(ValueError, match="penalty='l1'"):
        loaded.summary()


def test_singular_covariance_is_stored_as_null():
    X, y = synthetic_binary(n=300, p=2)
    constant = np.column_stack([X, np.zeros(300)])  # a column of zeros
    with pytest.warns(Warning, match="singular"):
        est = clogit.LogisticRegression(penalty=None).fit(constant, y)
    assert np.all(np.isnan(est.std_errors_))
    loaded, doc = _roundtrip(est)
    assert doc["inference"][0]["covariance"] is None
    assert np.all(np.isnan(loaded.std_errors_))


@pytest.fixture(scope="module")
def document():
    X, y = synthetic_binary(n=200, p=2)
    est = clogit.LogisticRegression(penalty=None).fit(X, y)
    text = io.StringIO()
    est.save(text)
    return json.loads(text.getvalue())


def test_version_1_files_still_load(document):
    old = copy.deepcopy(document)
    old["format_version"] = 1
    for key in ("target_name", "inference", "formula"):
        del old[key]
    est = clogit.load(io.StringIO(json.dumps(old)))
    assert est.coef_.shape == (1, 2)
    with pytest.raises(ValueError, match="format version 1"):
        est.std_errors_
    # version 1 never had these keys
    old["inference"] = None
    with pytest.raises(ValueError, match="unknown key"):
        clogit.load(io.StringIO(json.dumps(old)))


def _entry(document, **changes):
    doc = copy.deepcopy(document)
    doc["inference"][0].update(changes)
    return doc


MALFORMED = {
    "not a list": ({"inference": {"cov_type": "HC0"}}, "inference must be"),
    "two entries": ({"inference": "twice"}, "inference must be"),
    "cov_type mismatch": ({"cov_type": "HC1"}, "cov_type does not match"),
    "penalty mismatch": ({"penalty": "l2"}, "penalty does not match"),
    "n_obs zero": ({"n_obs": 0.0}, "out of range"),
    "loglik positive": ({"loglik": 3.0}, "out of range"),
    "loglik string": ({"loglik": "-3"}, "finite number"),
    "loglik nan tag": ({"loglik": {"float": "nan"}}, "finite number"),
    "n_params too many": ({"n_params": 9.0}, "out of range"),
    "n_samples float": ({"n_samples": 2.5}, "n_samples"),
    "n_groups without cluster": ({"n_groups": 3}, "n_groups"),
    "separated string": ({"separated": "no"}, "separated"),
    "solver long": ({"solver": "x" * 100}, "solver"),
    "covariance rows": ({"covariance": [[1.0]]}, "covariance must be"),
    "covariance row length": ({"covariance": [[1.0], [0.1], [0.1, 1.0, 2.0]]},
                              r"covariance\[1\]"),
    "covariance negative variance": (
        {"covariance": [[-1.0], [0.0, 1.0], [0.0, 0.0, 1.0]]},
        "negative variance"),
    "covariance string": ({"covariance": [["1"], [0.0, 1.0],
                                          [0.0, 0.0, 1.0]]}, "number"),
    "unknown key": ({"py/object": "os.system"}, "unknown key"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_inference_is_refused(document, case):
    change, message = MALFORMED[case]
    if "inference" in change:
        doc = copy.deepcopy(document)
        doc["inference"] = (doc["inference"] * 2
                            if change["inference"] == "twice"
                            else change["inference"])
    else:
        doc = _entry(document, **change)
    with pytest.raises(ValueError, match=message):
        clogit.load(io.StringIO(json.dumps(doc)))


def test_malformed_target_name_and_formula(document):
    doc = copy.deepcopy(document)
    doc["target_name"] = 3
    with pytest.raises(ValueError, match="target_name"):
        clogit.load(io.StringIO(json.dumps(doc)))
    doc = copy.deepcopy(document)
    doc["formula"] = {"formula": "y ~ x0"}
    with pytest.raises(ValueError, match="formula"):
        clogit.load(io.StringIO(json.dumps(doc)))
