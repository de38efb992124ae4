"""The tests of scikit-learn's ``test_logistic.py`` that cannot pass with
clogit's ``LogisticRegression``, each with its reason.

Keys are test names, or ``name[param-id]`` for single parametrizations;
a key without brackets excludes every parametrization of the test.
"""

EXCLUDED = {
}


def excluded_reason(item_name):
    """The reason ``item_name`` (a pytest item name) is excluded, or None."""
    if item_name in EXCLUDED:
        return EXCLUDED[item_name]
    return EXCLUDED.get(item_name.split("[", 1)[0])
