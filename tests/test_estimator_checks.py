"""scikit-learn's estimator contract, with no check skipped or xfailed."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from clogit import LogisticRegression


@parametrize_with_checks([LogisticRegression()])
def test_sklearn_compatible(estimator, check):
    check(estimator)
