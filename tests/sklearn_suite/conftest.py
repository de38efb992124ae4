"""Settings of scikit-learn's LogisticRegression suite run on clogit's class
(``test_sklearn_logistic.py``).

* ``global_random_seed``: scikit-learn's conftest parametrizes it (seed 42
  unless ``SKLEARN_TESTS_GLOBAL_RANDOM_SEED`` says otherwise); that conftest
  is not loaded here, so the same rule is repeated.
* The tests of ``exclusions.EXCLUDED`` are deselected, not skipped: they
  cannot pass for a documented reason and are not run at all; so are the
  tests that never run clogit's class (:func:`uses_clogit`).
"""

import os

from exclusions import EXCLUDED, excluded_reason


def pytest_configure(config):
    # marks scikit-learn's conftest registers
    for mark in ("thread_unsafe: mark the test function as single-threaded",
                 "parallel_threads(n): run in n threads",
                 "iterations(n): run n times in each thread"):
        config.addinivalue_line("markers", mark)


def pytest_generate_tests(metafunc):
    if "global_random_seed" in metafunc.fixturenames:
        value = os.environ.get("SKLEARN_TESTS_GLOBAL_RANDOM_SEED")
        if value is None:
            seeds = [42]
        elif value == "all":
            seeds = list(range(100))
        elif "-" in value:
            start, stop = value.split("-")
            seeds = list(range(int(start), int(stop) + 1))
        else:
            seeds = [int(value)]
        metafunc.parametrize("global_random_seed", seeds)


def uses_clogit(item):
    """Whether a test of the suite runs clogit's class at all: it names
    ``LogisticRegression`` in its body (which is clogit's there) or gets it
    as a parameter.  The others exercise only scikit-learn's own code
    (``LogisticRegressionCV``, private path functions) and are left out:
    they test scikit-learn, not clogit."""
    import clogit

    def names(code):
        # nested code objects too: comprehensions, lambdas
        yield from code.co_names
        for constant in code.co_consts:
            if hasattr(constant, "co_names"):
                yield from names(constant)

    if "LogisticRegression" in names(item.function.__code__):
        return True
    params = getattr(getattr(item, "callspec", None), "params", {})
    return any(value is clogit.LogisticRegression
               for value in params.values())


def pytest_collection_modifyitems(config, items):
    kept, deselected = [], []
    for item in items:
        if (item.module.__name__.endswith("test_sklearn_logistic")
                and (excluded_reason(item.name) is not None
                     or not uses_clogit(item))):
            deselected.append(item)
        else:
            kept.append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept


__all__ = ["EXCLUDED"]
