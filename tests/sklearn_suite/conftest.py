"""Settings of scikit-learn's LogisticRegression suite run on clogit's class
(``test_sklearn_logistic.py``).

* ``global_random_seed``: scikit-learn's conftest parametrizes it (seed 42
  unless ``SKLEARN_TESTS_GLOBAL_RANDOM_SEED`` says otherwise); that conftest
  is not loaded here, so the same rule is repeated.
* The tests of ``exclusions.EXCLUDED`` are deselected, not skipped: they
  cannot pass for a documented reason and are not run at all.
"""

import os

from exclusions import EXCLUDED, excluded_reason


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


def pytest_collection_modifyitems(config, items):
    kept, deselected = [], []
    for item in items:
        if (item.module.__name__.endswith("test_sklearn_logistic")
                and excluded_reason(item.name) is not None):
            deselected.append(item)
        else:
            kept.append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept


__all__ = ["EXCLUDED"]
