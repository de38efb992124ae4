"""The public API is annotated (py.typed must tell the truth): every
parameter and return value of every public function, method and
constructor."""

import inspect

import pytest

import clogit


def _public_callables():
    import clogit.dask

    for name in clogit.__all__:
        obj = getattr(clogit, name)
        if inspect.isclass(obj):
            yield from _methods(f"clogit.{name}", obj)
        elif callable(obj):
            yield f"clogit.{name}", obj
    yield from _methods("clogit.dask.LogisticRegression",
                        clogit.dask.LogisticRegression)
    # what the results objects' methods return
    from clogit._inference.hypothesis import ContrastResults
    from clogit._inference.margeff import MarginalEffects
    from clogit._inference.prediction import PredictionResults

    for cls in (PredictionResults, MarginalEffects, ContrastResults):
        yield from _methods(cls.__name__, cls)


def _methods(prefix, cls):
    if issubclass(cls, Warning):
        return
    for name, member in inspect.getmembers(cls):
        if name.startswith("_") and name != "__init__":
            continue
        if isinstance(member, property):
            member = member.fget
        if inspect.isfunction(member) and member.__module__.startswith(
                "clogit"):
            yield f"{prefix}.{name}", member


@pytest.mark.parametrize("name, function", list(_public_callables()),
                         ids=lambda v: v if isinstance(v, str) else "")
def test_public_callable_is_annotated(name, function):
    signature = inspect.signature(function)
    missing = [p.name for p in signature.parameters.values()
               if p.name not in ("self", "cls")
               and p.annotation is inspect.Parameter.empty]
    assert not missing, f"{name}: parameters without annotations: {missing}"
    assert signature.return_annotation is not inspect.Signature.empty, (
        f"{name} has no return annotation")


def test_py_typed_marker_ships():
    from importlib.resources import files

    assert files("clogit").joinpath("py.typed").is_file()
