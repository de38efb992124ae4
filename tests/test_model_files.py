"""Model files (clogit._model_files): JSON round trips, and every malformed file
raises ValueError without running anything from it."""

import copy
import io
import json
import pathlib

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

import clogit
from clogit._model_files import FORMAT, FORMAT_VERSION
from _data import synthetic_binary, synthetic_multiclass


def _roundtrip(clf, tmp_path):
    path = tmp_path / "model.json"
    clf.save(path)
    return clogit.load(path)


def _assert_same_model(a, b, X):
    assert type(b) is type(a)
    assert b.get_params() == a.get_params()
    np.testing.assert_array_equal(b.classes_, a.classes_)
    assert b.classes_.dtype == a.classes_.dtype
    np.testing.assert_array_equal(b.coef_, a.coef_)
    np.testing.assert_array_equal(b.intercept_, a.intercept_)
    np.testing.assert_array_equal(b.n_iter_, a.n_iter_)
    assert b.converged_ == a.converged_
    assert b.n_features_in_ == a.n_features_in_
    # bit-identical predictions
    np.testing.assert_array_equal(b.predict_proba(X), a.predict_proba(X))
    np.testing.assert_array_equal(b.decision_function(X),
                                  a.decision_function(X))
    np.testing.assert_array_equal(b.predict(X), a.predict(X))


@pytest.mark.parametrize("labels", [
    np.array([0, 1]), np.array([-3, 7], dtype=np.int32),
    np.array([-1.0, 1.0]), np.array([False, True]), np.array(["no", "yes"]),
    np.array(["no", "yes"], dtype=object), np.array([2, 5], dtype=np.uint8),
])
def test_binary_round_trip_for_every_label_type(labels, tmp_path):
    X, y01 = synthetic_binary(n=300, p=4)
    y = labels[y01]
    clf = clogit.LogisticRegression(C=0.3).fit(X, y)
    _assert_same_model(clf, _roundtrip(clf, tmp_path), X)


@pytest.mark.parametrize("multi_class", ["multinomial", "auto"])
def test_multinomial_round_trip(multi_class, tmp_path):
    X, y = synthetic_multiclass()
    clf = clogit.LogisticRegression(multi_class=multi_class).fit(X, y)
    loaded = _roundtrip(clf, tmp_path)
    _assert_same_model(clf, loaded, X)
    np.testing.assert_array_equal(loaded.predict_log_proba(X),
                                  clf.predict_log_proba(X))
    doc = json.loads((tmp_path / "model.json").read_text())
    assert doc["kind"] == "multinomial" and len(doc["n_iter"]) == 1


def test_multiclass_and_hyper_parameters_round_trip(tmp_path):
    X, y = synthetic_multiclass()
    clf = clogit.LogisticRegression(
        penalty=None, fit_intercept=False, tol=1e-9, max_iter=77,
        class_weight={"ant": 2.0, "cat": 0.5}, multi_class="ovr").fit(X, y)
    loaded = _roundtrip(clf, tmp_path)
    _assert_same_model(clf, loaded, X)
    assert loaded.class_weight == {"ant": 2.0, "cat": 0.5}
    np.testing.assert_array_equal(loaded.predict_log_proba(X),
                                  clf.predict_log_proba(X))
    doc = json.loads((tmp_path / "model.json").read_text())
    assert doc["kind"] == "ovr" and len(doc["n_iter"]) == 4


@pytest.mark.parametrize("params", [
    {"C": np.inf}, {"class_weight": "balanced"},
    {"class_weight": {0: 1.0, 1: 3}}, {"penalty": "l1", "C": 2.0},
    {"penalty": "elasticnet", "l1_ratio": 0.25}, {"warm_start": True},
])
def test_special_hyper_parameters_round_trip(params, tmp_path):
    X, y = synthetic_binary(n=300, p=3)
    clf = clogit.LogisticRegression(**params).fit(X, y)
    loaded = _roundtrip(clf, tmp_path)
    _assert_same_model(clf, loaded, X)
    text = (tmp_path / "model.json").read_text()
    assert "Infinity" not in text and "NaN" not in text  # strict JSON


def test_feature_names_round_trip(tmp_path):
    pd = pytest.importorskip("pandas")
    X, y = synthetic_binary(n=300, p=3)
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    clf = clogit.LogisticRegression().fit(frame, y)
    loaded = _roundtrip(clf, tmp_path)
    np.testing.assert_array_equal(loaded.feature_names_in_,
                                  clf.feature_names_in_)
    np.testing.assert_array_equal(loaded.predict_proba(frame),
                                  clf.predict_proba(frame))
    with pytest.raises(ValueError, match="feature names"):
        loaded.predict(frame[["c", "b", "a"]])


def test_paths_and_file_objects(tmp_path):
    X, y = synthetic_binary(n=200, p=2)
    clf = clogit.LogisticRegression().fit(X, y)
    clf.save(str(tmp_path / "a.json"))
    a = clogit.load(str(tmp_path / "a.json"))
    text = io.StringIO()
    clf.save(text)
    b = clogit.load(io.StringIO(text.getvalue()))
    c = clogit.load(io.BytesIO(text.getvalue().encode()))
    d = clogit.load(pathlib.Path(tmp_path / "a.json"))
    for loaded in (a, b, c, d):
        np.testing.assert_array_equal(loaded.predict_proba(X),
                                      clf.predict_proba(X))


def test_document_fields(tmp_path):
    X, y = synthetic_binary(n=200, p=2)
    clf = clogit.LogisticRegression().fit(X, y)
    clf.save(tmp_path / "m.json")
    doc = json.loads((tmp_path / "m.json").read_text())
    assert doc["format"] == FORMAT == "clogit-model"
    assert doc["format_version"] == FORMAT_VERSION == 2
    assert doc["clogit_version"] == clogit.__version__
    assert doc["classes"] == {"dtype": np.array([0]).dtype.str,
                              "values": [0, 1]}
    assert doc["params"]["C"] == 1.0 and doc["params"]["penalty"] == "l2"
    assert doc["kind"] == "binary"


def test_loaded_model_keeps_its_inference_and_refits(tmp_path):
    X, y = synthetic_binary(n=200, p=2)
    clf = clogit.LogisticRegression().fit(X, y)
    loaded = _roundtrip(clf, tmp_path)
    np.testing.assert_array_equal(loaded.covariance_, clf.covariance_)
    assert str(loaded.summary()) == str(clf.summary())
    loaded.fit(X, y)
    assert loaded.std_errors_.shape == (3,)


def test_unsaveable_models():
    X, y = synthetic_binary(n=200, p=2)
    with pytest.raises(NotFittedError):
        clogit.LogisticRegression().save(io.StringIO())
    clf = clogit.LogisticRegression().fit(X, y)
    import datetime
    clf.classes_ = np.array([datetime.date(2020, 1, 1),
                             datetime.date(2021, 1, 1)], dtype=object)
    with pytest.raises(ValueError, match="every label is a str"):
        clf.save(io.StringIO())
    clf.classes_ = np.array([b"a", b"b"])
    with pytest.raises(ValueError, match="cannot be saved"):
        clf.save(io.StringIO())


# ---------------------------------------------------------------------------
# malformed files
# ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def document():
    X, y = synthetic_binary(n=200, p=3)
    clf = clogit.LogisticRegression().fit(X, y)
    text = io.StringIO()
    clf.save(text)
    return json.loads(text.getvalue())


def _load_doc(doc):
    return clogit.load(io.StringIO(json.dumps(doc)))


def _edit(document, path, value):
    doc = copy.deepcopy(document)
    target = doc
    for key in path[:-1]:
        target = target[key]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return doc


_DELETE = object()

MALFORMED = {
    # identity
    "unknown format": (("format",), "sklearn-pickle", "format must be"),
    "no format": (("format",), _DELETE, "format must be"),
    "unknown version": (("format_version",), 3, "format_version"),
    "version as string": (("format_version",), "1", "format_version"),
    "version as bool": (("format_version",), True, "format_version"),
    "unknown estimator": (("estimator",), "os.system", "estimator"),
    "unknown kind": (("kind",), "svm", "kind must be"),
    "kind mismatch": (("kind",), "ovr", "does not match"),
    "missing key": (("converged",), _DELETE, "missing key"),
    # executable-looking payloads
    "__reduce__": (("__reduce__",), ["os.system", ["echo hi"]],
                   "unknown key"),
    "py/object": (("py/object",), "os.system", "unknown key"),
    "payload in params": (("params", "py/object"), "builtins.eval",
                          "unknown key"),
    "payload in classes": (("classes", "__class__"), "x", "unknown key"),
    "payload as param": (("params", "C"), {"py/reduce": "os.system"},
                         "unsupported value"),
    # shapes
    "coef rows": (("coef",), [[0.1, 0.2, 0.3]] * 2, "coef must be a list"),
    "coef columns": (("coef",), [[0.1, 0.2]], r"coef\[0\] must be a list"),
    "coef flat": (("coef",), [0.1, 0.2, 0.3], "coef must be a list"),
    "intercept shape": (("intercept",), [0.1, 0.2], "intercept must be"),
    "n_iter shape": (("n_iter",), [1, 2], "n_iter must be"),
    "n_features mismatch": (("n_features_in",), 4, "coef"),
    "feature_names length": (("feature_names",), ["a", "b"],
                             "feature_names"),
    # values and types
    "coef string": (("coef",), "[[0.1, 0.2, 0.3]]", "coef must be a list"),
    "coef bool": (("coef",), [[True, 0.2, 0.3]], "must be a number"),
    "coef string entry": (("coef",), [["0.1", 0.2, 0.3]],
                          "must be a number"),
    "huge int": (("intercept",), [10 ** 400], "too large"),
    "n_features string": (("n_features_in",), "3", "n_features_in"),
    "n_features zero": (("n_features_in",), 0, "n_features_in"),
    "converged string": (("converged",), "yes", "converged"),
    "n_iter negative": (("n_iter",), [-1], "n_iter"),
    "n_iter float": (("n_iter",), [1.5], "n_iter"),
    "feature_names ints": (("feature_names",), [1, 2, 3], "feature_names"),
    "version field": (("clogit_version",), 1, "clogit_version"),
    "params not object": (("params",), ["C", 1.0], "params must be"),
    "bad hyper-parameter": (("params", "C"), -1.0, "hyper-parameters"),
    "unknown penalty": (("params", "penalty"), "l3", "hyper-parameters"),
    "param list": (("params", "C"), [1.0], "params.C"),
    "fit_intercept false, intercept set": (("params", "fit_intercept"),
                                           False, "intercept must be 0"),
    # classes
    "one class": (("classes", "values"), [0], "at least 2"),
    "unsorted classes": (("classes", "values"), [1, 0], "sorted"),
    "duplicate classes": (("classes", "values"), [1, 1], "sorted"),
    "class dtype mismatch": (("classes", "values"), ["a", "b"], "label"),
    "object dtype with ints": (("classes",), {"dtype": "|O",
                                              "values": [0, 1]}, "label"),
    "void dtype": (("classes", "dtype"), "|V8", "not a supported"),
    "datetime dtype": (("classes", "dtype"), "<M8[ns]", "not a supported"),
    "nonsense dtype": (("classes", "dtype"), "os.system", "classes.dtype"),
    "int out of range": (("classes",), {"dtype": "|u1",
                                        "values": [0, 300]}, "fit"),
    "str too long": (("classes",), {"dtype": "<U1",
                                    "values": ["a", "bb"]}, "longer"),
    "classes not object": (("classes",), [0, 1], "classes must be"),
    "class weight label": (("params", "class_weight"),
                           {"dict": [[{"a": 1}, 1.0]]}, "not a scalar"),
    "class weight value": (("params", "class_weight"),
                           {"dict": [[0, "x"]]}, "finite number"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_documents_raise_value_error(document, case):
    path, value, message = MALFORMED[case]
    doc = _edit(document, path, value)
    with pytest.raises(ValueError, match=message):
        _load_doc(doc)


@pytest.mark.parametrize("text, message", [
    ("", "not valid JSON"),
    ('{"format": "clogit-model", "format_version": 1, "coef": [[0.1, ',
     "truncated"),
    ("[1, 2, 3]", "JSON object"),
    ('"clogit-model"', "JSON object"),
    ("null", "JSON object"),
    ("\xff\xfe garbage", "not valid JSON"),
    ("[" * 100000 + "]" * 100000, "nested too deeply|not valid JSON"),
])
def test_unparseable_files_raise_value_error(text, message):
    with pytest.raises(ValueError, match=message):
        clogit.load(io.StringIO(text))


def test_truncated_real_file(document, tmp_path):
    text = json.dumps(document)
    for cut in (1, len(text) // 3, len(text) // 2, len(text) - 1):
        path = tmp_path / f"cut{cut}.json"
        path.write_text(text[:cut])
        with pytest.raises(ValueError, match="clogit model file"):
            clogit.load(path)


def test_nan_and_infinity_literals_are_refused(document):
    text = json.dumps(document)
    first = str(document["coef"][0][0])
    for literal in ("NaN", "Infinity", "-Infinity"):
        with pytest.raises(ValueError, match="NaN and Infinity"):
            clogit.load(io.StringIO(text.replace(first, literal, 1)))
    # a number beyond float64 parses as inf: refused as well
    with pytest.raises(ValueError, match="not finite"):
        clogit.load(io.StringIO(text.replace(first, "-1e400", 1)))


def test_duplicate_keys_are_refused(document):
    text = json.dumps(document)
    text = text.replace('"converged": ', '"converged": false, "converged": ')
    with pytest.raises(ValueError, match="duplicate key"):
        clogit.load(io.StringIO(text))


def test_invalid_utf8_is_refused():
    with pytest.raises(ValueError, match="UTF-8"):
        clogit.load(io.BytesIO(b'{"format": "\xff"}'))


def test_loading_never_unpickles(document, monkeypatch):
    # a file can only be parsed as JSON: pickle and eval are never reached
    import builtins
    import pickle

    def forbidden(*args, **kwargs):
        raise AssertionError("code execution attempted")

    monkeypatch.setattr(pickle, "loads", forbidden)
    monkeypatch.setattr(pickle, "load", forbidden)
    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    loaded = _load_doc(document)
    assert loaded.coef_.shape == (1, 3)
    with pytest.raises(ValueError):
        clogit.load(io.BytesIO(pickle.dumps({"format": "clogit-model"})))


@pytest.mark.parametrize("kind, n_iter", [("ovr", [3]),
                                          ("multinomial", [3, 3, 3, 3])])
def test_iteration_counts_must_match_the_kind(kind, n_iter):
    X, y = synthetic_multiclass()
    clf = clogit.LogisticRegression(multi_class=kind).fit(X, y)
    text = io.StringIO()
    clf.save(text)
    doc = json.loads(text.getvalue())
    _load_doc(doc)  # as saved: fine
    doc["n_iter"] = n_iter
    with pytest.raises(ValueError, match="n_iter must be"):
        _load_doc(doc)
