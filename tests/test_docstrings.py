"""numpydoc validation of every public docstring.

``numpydoc.validate.validate`` runs over every public name -- clogit's
``__all__``, ``clogit.dask``'s, the public functions of ``clogit.plot`` --
the public methods and properties those classes define (members inherited
from scikit-learn, such as ``get_params``, are scikit-learn's docstrings,
validated there), and the result classes that public methods return
without exporting them (``get_prediction``, ``get_margeff``, ``t_test`` /
``wald_test``), whose attributes the methods' Returns sections list.
Every finding fails the test, except the checks below, which do not apply
to this package.  The docs build (docs/conf.py's
``numpydoc_validation_checks``) runs the same checks less See Also, which it
cannot require of methods without requiring it of properties.
"""

import importlib
import inspect

import pytest

import clogit
import clogit.dask
import clogit.plot

validate = pytest.importorskip("numpydoc.validate").validate

# Checks that do not apply everywhere, and why.
SKIPPED_CHECKS = {
    # An extended summary: one-line docstrings of simple figures (``aic``,
    # ``sigmoid`` ...) are complete without one.
    "ES01",
    # Examples: the user guide (doctests run by .ci/run) and the gallery
    # hold the examples; the main entry points have their own.
    "EX01",
}
# See Also is required on every class, function and method; a property is
# one figure of its class, whose docstring links the related ones.
SKIPPED_ON_PROPERTIES = {"SA01"}
# The result classes are built by the estimators, never by users: their
# constructors' parameters are private (the attributes are documented).
PRIVATE_CONSTRUCTORS = {
    "clogit.LogitResults",
    "clogit.MNLogitResults",
    "clogit._inference.prediction.PredictionResults",
    "clogit._inference.margeff.MarginalEffects",
    "clogit._inference.hypothesis.ContrastResults",
}
RETURNED_CLASSES = sorted(PRIVATE_CONSTRUCTORS - {"clogit.LogitResults",
                                                  "clogit.MNLogitResults"})


def public_objects():
    """(qualified name, object) of the public names docs/api.rst must list
    (docs/_ext/api_coverage.py; this test runs outside the source tree
    too, so it cannot import that extension): the ``__all__`` of clogit
    and clogit.dask, and the functions clogit.plot defines."""
    for module in (clogit, clogit.dask):
        for name in sorted(module.__all__):
            yield f"{module.__name__}.{name}", getattr(module, name)
    for name, value in sorted(vars(clogit.plot).items()):
        if (inspect.isfunction(value) and not name.startswith("_")
                and value.__module__ == "clogit.plot"):
            yield f"clogit.plot.{name}", value


def _own_members(qualname, cls):
    """(name, is_property) of the public methods and properties that clogit
    code defines on ``cls`` or its bases."""
    for attr in sorted(dir(cls)):
        if attr.startswith("_"):
            continue
        raw = inspect.getattr_static(cls, attr)
        is_property = isinstance(raw, property)
        function = raw.fget if is_property else getattr(raw, "__func__", raw)
        if not (is_property or inspect.isfunction(function)):
            continue
        if not (getattr(function, "__module__", "") or "").startswith(
                "clogit"):
            continue
        yield f"{qualname}.{attr}", is_property


def documented_objects():
    """(qualified name, is_property) of every docstring checked."""
    objects = []
    classes = []
    for qualname, value in public_objects():
        if inspect.isclass(value):
            classes.append((qualname, value))
        elif callable(value):  # not the constants (__version__ ...)
            objects.append((qualname, False))
    for qualname in RETURNED_CLASSES:
        module_name, name = qualname.rsplit(".", 1)
        classes.append(
            (qualname, getattr(importlib.import_module(module_name), name)))
    for qualname, cls in classes:
        objects.append((qualname, False))
        objects.extend(_own_members(qualname, cls))
    return objects


def findings(qualname, is_property):
    skipped = set(SKIPPED_CHECKS)
    if is_property:
        skipped |= SKIPPED_ON_PROPERTIES
    if qualname in PRIVATE_CONSTRUCTORS:
        skipped.add("PR01")
    return [f"{qualname}: {code} {message}"
            for code, message in validate(qualname)["errors"]
            if code not in skipped]


def test_the_validated_set_covers_the_public_api():
    names = {name for name, _ in documented_objects()}
    # the estimators' own methods, the dask and plot modules, the results
    for expected in ("clogit.LogisticRegression.fit",
                     "clogit.LogisticRegression.predict_proba",
                     "clogit.LogisticRegression.std_errors_",
                     "clogit.LogisticRegressionCV.score",
                     "clogit.dask.LogisticRegression.fit",
                     "clogit.plot.plot_path",
                     "clogit.LogitResults.get_margeff",
                     "clogit.MNLogitResults.conf_int",
                     "clogit._inference.margeff.MarginalEffects.conf_int",
                     "clogit.sigmoid", "clogit.SeparationWarning"):
        assert expected in names
    # scikit-learn's inherited docstrings are not ours
    assert "clogit.LogisticRegression.get_params" not in names
    assert len(names) > 150


def test_every_public_docstring_passes_numpydoc_validation():
    errors = [finding for qualname, is_property in documented_objects()
              for finding in findings(qualname, is_property)]
    assert errors == [], f"{len(errors)} numpydoc findings:\n" + "\n".join(
        errors)
