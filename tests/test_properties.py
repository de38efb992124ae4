"""Property-based tests (hypothesis) of fit / predict / save / load / CLI.

Invariants that catch whole classes of the bugs of issue 14: finite
outputs for finite inputs (whatever their magnitude), probabilities in
[0, 1] summing to 1, invariance to row order, memory layout, dtype and
sparse format, save -> load identity, and no file changed by a failed
command.  Bounded for CI: few examples, no deadline, derandomized (the same
examples on every run), no example database written.
"""

import contextlib
import io
import json
import os
import tempfile
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import clogit
from clogit import _cli

SETTINGS = settings(max_examples=25, deadline=None, derandomize=True,
                    database=None, print_blob=False,
                    suppress_health_check=[HealthCheck.too_slow,
                                           HealthCheck.data_too_large])
MAGNITUDES = [1e-300, 1e-12, 1.0, 1e12, 1e100, 1e154, 1e200, 1e307]


@st.composite
def problems(draw, max_classes=3):
    n = draw(st.integers(6, 40))
    p = draw(st.integers(1, 4))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * np.array(
        [draw(st.sampled_from(MAGNITUDES)) for _ in range(p)])
    n_classes = draw(st.integers(2, max_classes))
    y = np.arange(n) % n_classes
    rng.shuffle(y)
    weights = None
    if draw(st.booleans()):
        weights = rng.uniform(0.0, 1.0, n) * draw(st.sampled_from(
            [1e-300, 1.0, 1e300, 1.7e308]))
        weights[np.arange(n_classes)] += 1e-300  # every class weighs
    return X, y, weights


@st.composite
def estimators(draw):
    penalty = draw(st.sampled_from(["l2", None, "l1"]))
    solver = draw(st.sampled_from(["auto", "newton", "lbfgs"]
                                  if penalty != "l1" else ["auto"]))
    return clogit.LogisticRegression(
        penalty=penalty, solver=solver,
        C=draw(st.sampled_from([1e-3, 1.0, 1e4, 1e300, np.inf]))
        if penalty is not None else 1.0,
        multi_class=draw(st.sampled_from(["auto", "ovr"])),
        class_weight=draw(st.sampled_from([None, "balanced"])),
        max_iter=50)


def _fit(clf, X, y, weights):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            clf.fit(X, y, sample_weight=weights)
        except ValueError as exc:
            # refusing is allowed, with a message that names the problem
            assert len(str(exc)) > 20
            return None, caught
    return clf, caught


def _check_predictions(clf, X):
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        scores = clf.decision_function(X)
        proba = clf.predict_proba(X)
        log_proba = clf.predict_log_proba(X)
        labels = clf.predict(X)
    assert not np.isnan(scores).any()
    assert np.all(np.isfinite(proba))
    assert np.all((proba >= 0.0) & (proba <= 1.0))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    assert not np.isnan(log_proba).any() and np.all(log_proba <= 0.0)
    assert set(labels.tolist()) <= set(clf.classes_.tolist())


@SETTINGS
@given(problems(), estimators())
def test_finite_input_gives_finite_output(problem, clf):
    X, y, weights = problem
    fitted, caught = _fit(clf, X, y, weights)
    for w in caught:  # numpy's own overflow warnings mean NaN was near
        assert type(w.message) is not RuntimeWarning, str(w.message)
    if fitted is None:
        return
    assert np.all(np.isfinite(fitted.coef_))
    assert np.all(np.isfinite(fitted.intercept_))
    _check_predictions(fitted, X)
    largest = np.abs(X).max()
    if largest > 0:  # far outside the training data, still finite
        _check_predictions(fitted, (X / largest) * 1e300)
    _check_predictions(fitted, sp.csr_matrix(X))


@st.composite
def ordinary_problems(draw):
    n = draw(st.integers(30, 80))
    p = draw(st.integers(1, 5))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    X = rng.standard_normal((n, p))
    X[rng.random((n, p)) < 0.3] = 0.0  # something for the sparse formats
    y = (X @ rng.standard_normal(p) + rng.standard_normal(n) > 0).astype(int)
    y[:2] = [0, 1]
    return X, y


@SETTINGS
@given(ordinary_problems(), st.sampled_from(["newton", "lbfgs"]))
def test_fit_is_invariant_to_row_order_layout_dtype_and_format(problem,
                                                               solver):
    X, y = problem
    # L-BFGS cannot certify a gradient of 1e-10 (its line search works on
    # objective values, flat to float64 there): its tolerance is 1e-8
    tol, rtol = (1e-10, 1e-6) if solver == "newton" else (1e-8, 1e-5)
    params = dict(C=1.0, solver=solver, tol=tol, max_iter=500)
    ref = clogit.LogisticRegression(**params).fit(X, y)
    order = np.random.default_rng(0).permutation(len(y))
    variants = {
        "rows": (X[order], y[order]),
        "F": (np.asfortranarray(X), y),
        "csr": (sp.csr_matrix(X), y),
        "csc": (sp.csc_matrix(X), y),
        "read-only": (X.copy(), y),
    }
    variants["read-only"][0].flags.writeable = False
    for name, (Xv, yv) in variants.items():
        clf = clogit.LogisticRegression(**params).fit(Xv, yv)
        np.testing.assert_allclose(clf.coef_, ref.coef_, rtol=rtol,
                                   atol=1e-3 * rtol, err_msg=name)
        np.testing.assert_allclose(clf.predict_proba(X), ref.predict_proba(X),
                                   rtol=rtol, atol=1e-12, err_msg=name)
    single = clogit.LogisticRegression(**params).fit(X.astype(np.float32), y)
    np.testing.assert_allclose(single.coef_, ref.coef_, rtol=1e-3,
                               atol=1e-4)
    # predictions do not depend on the order of the rows either
    np.testing.assert_array_equal(ref.predict(X[order]), ref.predict(X)[order])


@SETTINGS
@given(problems(), estimators())
def test_save_load_identity(problem, clf):
    X, y, weights = problem
    fitted, _ = _fit(clf, X, y, weights)
    if fitted is None:
        return
    text = io.StringIO()
    fitted.save(text)
    loaded = clogit.load(io.StringIO(text.getvalue()))
    assert loaded.get_params() == fitted.get_params()
    np.testing.assert_array_equal(loaded.classes_, fitted.classes_)
    np.testing.assert_array_equal(loaded.coef_, fitted.coef_)
    np.testing.assert_array_equal(loaded.intercept_, fitted.intercept_)
    np.testing.assert_array_equal(loaded.predict_proba(X),
                                  fitted.predict_proba(X))
    np.testing.assert_array_equal(loaded.predict(X), fitted.predict(X))


@pytest.fixture(scope="module")
def model_text():
    X = np.random.default_rng(0).standard_normal((60, 2))
    clf = clogit.LogisticRegression().fit(X, np.where(X[:, 0] > 0, "a", "b"))
    text = io.StringIO()
    clf.save(text)
    return text.getvalue()


@SETTINGS
@given(st.data())
def test_a_mutated_model_file_loads_or_raises_value_error(model_text, data):
    text = model_text
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(text) - 1))
        action = data.draw(st.sampled_from(["delete", "replace", "cut",
                                            "insert"]))
        char = data.draw(st.sampled_from(list('[]{}",:0-9e.x\\') +
                                         ["1e999", "9" * 50, "NaN"]))
        if action == "delete":
            text = text[:i] + text[i + 1:]
        elif action == "replace":
            text = text[:i] + char + text[i + 1:]
        elif action == "insert":
            text = text[:i] + char + text[i:]
        else:
            text = text[:i]
    try:
        loaded = clogit.load(io.StringIO(text))
    except ValueError as exc:
        assert "malformed clogit model file" in str(exc)
        return
    X = np.random.default_rng(1).standard_normal((5, loaded.n_features_in_))
    _check_predictions(loaded, X)


@st.composite
def csv_files(draw):
    n = draw(st.integers(4, 30))
    kind = draw(st.sampled_from(["int", "str", "float"]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    X = rng.standard_normal((n, 2))
    labels = {"int": ["0", "1"], "str": ["no", "yes"],
              "float": ["0.5", "1.5"]}[kind]
    y = [labels[i % 2] for i in range(n)]
    lines = ["a,b,y"] + [f"{u!r},{v!r},{t}" for (u, v), t in
                         zip(X.tolist(), y)]
    corruption = draw(st.sampled_from(
        [None, "cut", "quote", "empty label", "text", "ragged", "nul"]))
    row = draw(st.integers(1, n))
    if corruption == "cut":
        lines = lines[:1] + [lines[row][:draw(st.integers(0, 5))]]
    elif corruption == "quote":
        lines[row] = lines[row].replace(",", ',"', 1)
    elif corruption == "empty label":
        lines[row] = lines[row].rsplit(",", 1)[0] + ","
    elif corruption == "text":
        lines[row] = "x," + lines[row].split(",", 1)[1]
    elif corruption == "ragged":
        lines[row] += ",1"
    elif corruption == "nul":
        lines[row] += "\0"
    return "\n".join(lines) + "\n", corruption


def _contents(directory):
    out = {}
    for name in os.listdir(directory):
        with open(os.path.join(directory, name), "rb") as f:
            out[name] = f.read()
    return out


@contextlib.contextmanager
def _quiet():
    with contextlib.redirect_stdout(io.StringIO()), \
            contextlib.redirect_stderr(io.StringIO()) as err:
        yield err


@settings(SETTINGS, max_examples=30)
@given(csv_files())
def test_cli_never_changes_a_file_when_it_fails(csv_file):
    text, corruption = csv_file
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "d.csv")
        model = os.path.join(tmp, "m.json")
        out = os.path.join(tmp, "out.csv")
        with open(data, "w", newline="") as f:
            f.write(text)
        with open(model, "w") as f:
            f.write("old model")
        with open(out, "w") as f:
            f.write("old output")
        before = _contents(tmp)
        with _quiet() as err:
            status = _cli.main(["fit", data, "--target", "y", "-o", model])
        if status != 0:
            assert status == 2
            lines = err.getvalue().strip().splitlines()
            assert len(lines) == 1 and lines[0].startswith("clogit: error:")
            assert _contents(tmp) == before
            return
        loaded = clogit.load(model)  # a real model replaced the old text
        with _quiet():
            assert _cli.main(["predict", model, data, "-o", out]) == 0
        with open(out) as f:
            predictions = f.read().splitlines()
        assert predictions[0] == "prediction"
        assert set(predictions[1:]) <= {str(c) for c in
                                        loaded.classes_.tolist()}
        if corruption is None:
            with open(model) as f:
                assert json.load(f)["format"] == "clogit-model"
