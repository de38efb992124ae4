"""scikit-learn's own ``linear_model/tests/test_logistic.py``, run with
clogit's class in place of scikit-learn's (SPEC §3, drop-in notes).

The test file ships inside the installed scikit-learn wheel.  It is
executed here as a module of its own while
``sklearn.linear_model.LogisticRegression`` is, for the duration of its
import only, clogit's class: every ``LogisticRegression`` the tests name --
in their bodies and in their ``parametrize`` lists -- is then
``clogit.LogisticRegression``.  scikit-learn's other classes
(``LogisticRegressionCV``, ``SGDClassifier``, ...) stay scikit-learn's.

The tests that cannot pass, each with its reason, are listed in
``exclusions.py`` beside this file and deselected (never skipped) by this
folder's ``conftest.py``; everything else must pass.
"""

import importlib.util
from pathlib import Path
from unittest import mock

import sklearn
import sklearn.linear_model

import clogit

SOURCE = Path(sklearn.__file__).parent / "linear_model" / "tests" / \
    "test_logistic.py"


def _load():
    spec = importlib.util.spec_from_file_location(
        "sklearn_test_logistic_with_clogit", SOURCE)
    module = importlib.util.module_from_spec(spec)
    with mock.patch.object(sklearn.linear_model, "LogisticRegression",
                           clogit.LogisticRegression):
        spec.loader.exec_module(module)
    assert module.LogisticRegression is clogit.LogisticRegression
    return module


_suite = _load()
pytestmark = _suite.pytestmark
globals().update({name: value for name, value in vars(_suite).items()
                  if name.startswith("test_") and callable(value)})
