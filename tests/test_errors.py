"""Bad input gets a clear ValueError/TypeError naming the problem (SPEC §4)."""

import numpy as np
import pytest

import clogit
from _data import synthetic_binary


@pytest.fixture
def data():
    return synthetic_binary(n=100, p=3)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_x(data, bad):
    X, y = data
    X = X.copy()
    X[3, 1] = bad
    with pytest.raises(ValueError, match="NaN|infinity"):
        clogit.LogisticRegression().fit(X, y)
    fitted = clogit.LogisticRegression().fit(*data)
    with pytest.raises(ValueError, match="NaN|infinity"):
        fitted.predict(X)


def test_nan_in_y(data):
    X, y = data
    y = y.astype(float)
    y[0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        clogit.LogisticRegression().fit(X, y)


def test_shape_mismatch(data):
    X, y = data
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        clogit.LogisticRegression().fit(X, y[:-1])


def test_single_class(data):
    X, _ = data
    with pytest.raises(ValueError, match="only one class"):
        clogit.LogisticRegression().fit(X, np.zeros(X.shape[0]))


def test_continuous_target(data):
    X, _ = data
    with pytest.raises(ValueError, match="Unknown label type"):
        clogit.LogisticRegression().fit(X, np.linspace(0, 1, X.shape[0]))


@pytest.mark.parametrize("weights, message", [
    (lambda n: -np.ones(n), "negative"),
    (lambda n: np.ones(n - 1), "entries but X has"),
    (lambda n: np.full(n, np.nan), "NaN or infinite"),
    (lambda n: np.zeros(n), "sums to zero"),
    (lambda n: np.ones((n, 2)), "1-D"),
])
def test_bad_sample_weight(data, weights, message):
    X, y = data
    with pytest.raises(ValueError, match=message):
        clogit.LogisticRegression().fit(X, y, sample_weight=weights(len(y)))


def test_non_numeric_sample_weight(data):
    X, y = data
    with pytest.raises(TypeError, match="numeric"):
        clogit.LogisticRegression().fit(X, y, sample_weight=["a"] * len(y))


@pytest.mark.parametrize("params, message", [
    ({"C": 0.0}, "C must be a positive number"),
    ({"C": -1.0}, "C must be a positive number"),
    ({"C": np.nan}, "C must be a positive number"),
    ({"C": "1"}, "C must be a positive number"),
    ({"penalty": "l3"}, "penalty must be one of"),
    ({"penalty": "none"}, "penalty must be one of"),
    ({"solver": "sgd"}, "solver must be one of"),
    ({"multi_class": "crammer"}, "multi_class must be one of"),
    ({"tol": 0.0}, "tol must be a positive number"),
    # max_iter=0 is valid (it returns the starting point)
    ({"max_iter": -1}, "max_iter must be a non-negative integer"),
    ({"max_iter": 2.5}, "max_iter must be a non-negative integer"),
    ({"dual": True}, "dual=True"),
    ({"intercept_scaling": 0.0}, "intercept_scaling must be"),
    ({"random_state": "seed"}, "random_state must be"),
    ({"verbose": -1}, "verbose must be"),
    ({"n_jobs": 0}, "n_jobs must be"),
    ({"fit_intercept": "yes"}, "fit_intercept must be a bool"),
    ({"l1_ratio": 1.5}, "l1_ratio must be"),
    ({"class_weight": "auto"}, "class_weight must be"),
    ({"class_weight": {7: 1.0}}, "not one of the classes"),
    ({"class_weight": {0: -1.0}}, "non-negative"),
])
def test_bad_parameters(data, params, message):
    with pytest.raises(ValueError, match=message):
        clogit.LogisticRegression(**params).fit(*data)


@pytest.mark.parametrize("params, message", [
    ({"penalty": "l1", "solver": "lbfgs"}, "solver='lbfgs' supports penalty"),
    ({"penalty": "elasticnet", "l1_ratio": 0.5, "solver": "lbfgs"},
     "solver='lbfgs' supports penalty"),
    ({"penalty": "elasticnet", "l1_ratio": None}, "needs l1_ratio"),
    ({"penalty": "l1", "solver": "newton-cg"},
     "solver='newton-cg' supports penalty"),
    ({"multi_class": "multinomial", "solver": "gd"},
     "solver='gd' supports binary and One-vs-Rest"),
])
def test_unsupported_combinations_are_refused(data, params, message):
    X, y = data
    y = np.arange(len(y)) % 3  # three classes, for the multinomial cases
    with pytest.raises(ValueError, match=message):
        clogit.LogisticRegression(**params).fit(X, y)


def test_l1_ratio_contradicting_the_penalty_warns(data):
    # with the default penalty="l2", l1_ratio selects the penalty
    # (scikit-learn >= 1.8; see tests/test_dropin.py); with "l1" or None a
    # ratio that says otherwise is ignored, with a warning
    for penalty in ("l1", None):
        with pytest.warns(UserWarning, match="l1_ratio=0.5 is ignored"):
            clogit.LogisticRegression(penalty=penalty,
                                      l1_ratio=0.5).fit(*data)


def test_wrong_feature_count_at_predict(data):
    X, y = data
    clf = clogit.LogisticRegression().fit(X, y)
    for method in ("predict", "predict_proba", "predict_log_proba",
                   "decision_function"):
        with pytest.raises(ValueError, match="X has 2 features, but"):
            getattr(clf, method)(X[:, :2])


def test_predict_before_fit(data):
    from sklearn.exceptions import NotFittedError
    with pytest.raises(NotFittedError):
        clogit.LogisticRegression().predict(data[0])


def test_one_dimensional_x(data):
    X, y = data
    with pytest.raises(ValueError, match="2D array"):
        clogit.LogisticRegression().fit(X[:, 0], y)


def test_complex_and_object_x(data):
    X, y = data
    with pytest.raises(ValueError):
        clogit.LogisticRegression().fit(X.astype(complex), y)
    with pytest.raises(ValueError):
        clogit.LogisticRegression().fit(np.full(X.shape, "a", dtype=object), y)


def test_sparse_input_with_nan_is_refused_clearly(data):
    # sparse X is supported (issue 7); its non-finite values are refused
    sparse = pytest.importorskip("scipy.sparse")
    X, y = data
    X = sparse.csr_matrix(X)
    X.data[0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        clogit.LogisticRegression().fit(X, y)
