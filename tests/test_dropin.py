"""scikit-learn >= 1.8 code runs unchanged (SPEC §3, drop-in notes): every
constructor parameter of scikit-learn's LogisticRegression, the l1_ratio
idiom, solver aliases, float32 coefficients, sparsify/densify, max_iter=0."""

import inspect
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_selection import SelectFromModel
from sklearn.linear_model import LogisticRegression as SkLogisticRegression

import clogit
from _data import breast_cancer, synthetic_binary, synthetic_multiclass


def test_every_sklearn_parameter_is_accepted():
    ours = set(inspect.signature(clogit.LogisticRegression).parameters)
    theirs = set(inspect.signature(SkLogisticRegression).parameters)
    assert theirs <= ours, theirs - ours
    # and their defaults, except where SPEC differs (solver, tol, penalty)
    ours_defaults = clogit.LogisticRegression().get_params()
    for name in ("C", "l1_ratio", "dual", "fit_intercept",
                 "intercept_scaling", "class_weight", "random_state",
                 "max_iter", "verbose", "warm_start", "n_jobs"):
        assert ours_defaults[name] == SkLogisticRegression().get_params()[
            name], name


def test_accepted_parameters_without_effect():
    X, y = synthetic_binary(n=300, p=4)
    reference = clogit.LogisticRegression().fit(X, y)
    for params in ({"random_state": 0},
                   {"random_state": np.random.RandomState(1)},
                   {"dual": False}, {"intercept_scaling": 10.0}):
        fit = clogit.LogisticRegression(**params).fit(X, y)
        np.testing.assert_array_equal(fit.coef_, reference.coef_)


@pytest.mark.parametrize("alias, solver", [("newton-cholesky", "newton"),
                                           ("liblinear", "auto"),
                                           ("sag", "auto"),
                                           ("saga", "auto")])
@pytest.mark.parametrize("penalty", ["l2", "l1"])
def test_sklearn_solver_names_are_aliases(alias, solver, penalty):
    X, y = synthetic_binary(n=400, p=5)
    ours = clogit.LogisticRegression(penalty=penalty, solver=alias).fit(X, y)
    same = clogit.LogisticRegression(penalty=penalty, solver=solver).fit(X, y)
    np.testing.assert_array_equal(ours.coef_, same.coef_)
    assert ours.get_params()["solver"] == alias  # clone-able as given


def test_newton_cg_solver_reaches_the_newton_optimum():
    X, y = synthetic_binary(n=500, p=6, seed=2)
    cg = clogit.LogisticRegression(solver="newton-cg", tol=1e-10).fit(X, y)
    newton = clogit.LogisticRegression(solver="newton", tol=1e-10).fit(X, y)
    assert cg.converged_
    np.testing.assert_allclose(cg.coef_, newton.coef_, rtol=1e-7)
    # multinomial: "newton-cg" has no softmax variant and chooses as "auto"
    X, y = synthetic_multiclass(n=300)
    a = clogit.LogisticRegression(solver="newton-cg").fit(X, y)
    b = clogit.LogisticRegression(solver="auto").fit(X, y)
    np.testing.assert_array_equal(a.coef_, b.coef_)


@pytest.mark.parametrize("l1_ratio, same", [
    (0.0, {"penalty": "l2"}),
    (1.0, {"penalty": "l1"}),
    (0.5, {"penalty": "elasticnet", "l1_ratio": 0.5}),
])
def test_l1_ratio_selects_the_penalty_as_sklearn_18(l1_ratio, same):
    # scikit-learn >= 1.8: penalty left at its default, l1_ratio decides;
    # no warning (pytest runs with filterwarnings=error)
    X, y = breast_cancer()
    ours = clogit.LogisticRegression(l1_ratio=l1_ratio, C=0.1,
                                     tol=1e-10).fit(X, y)
    explicit = clogit.LogisticRegression(C=0.1, tol=1e-10, **same).fit(X, y)
    np.testing.assert_array_equal(ours.coef_, explicit.coef_)
    # the same optimum as scikit-learn's saga with the same spelling
    sk = SkLogisticRegression(l1_ratio=l1_ratio, C=0.1, solver="saga",
                              tol=1e-12, max_iter=100_000).fit(X, y)

    def objective(coef, intercept):
        z = X @ coef.ravel() + intercept[0]
        w = coef.ravel()
        return (0.1 * np.sum(np.logaddexp(0, z) - y * z)
                + l1_ratio * np.abs(w).sum()
                + (1 - l1_ratio) / 2 * w @ w)

    assert objective(ours.coef_, ours.intercept_) <= objective(
        sk.coef_, sk.intercept_) + 1e-9


def test_select_from_model_with_l1():
    # SelectFromModel evaluates np.isclose(estimator.l1_ratio, 1.0): a
    # numeric default is what it needs (l1_ratio=None raised TypeError)
    X, y = breast_cancer()
    selector = SelectFromModel(clogit.LogisticRegression(penalty="l1",
                                                         C=0.05)).fit(X, y)
    kept = selector.get_support()
    nonzero = selector.estimator_.coef_.ravel() != 0
    np.testing.assert_array_equal(kept, nonzero)
    assert 0 < kept.sum() < X.shape[1]
    assert selector.transform(X).shape[1] == kept.sum()


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("multiclass", [False, True])
def test_float32_x_gives_float32_coefficients(sparse, multiclass):
    X, y = synthetic_multiclass(n=300) if multiclass else synthetic_binary(
        n=300)
    X32 = X.astype(np.float32)
    if sparse:
        X32 = sp.csr_matrix(X32)
    fit = clogit.LogisticRegression().fit(X32, y)
    assert fit.coef_.dtype == fit.intercept_.dtype == np.float32
    reference = clogit.LogisticRegression().fit(X.astype(np.float32)
                                                .astype(np.float64), y)
    assert reference.coef_.dtype == np.float64
    np.testing.assert_allclose(fit.coef_, reference.coef_.astype(np.float32),
                               rtol=2 * np.finfo(np.float32).eps,
                               atol=1e-7)


def test_float32_coefficients_keep_inference_and_warm_start():
    X, y = synthetic_binary(n=400, p=3)
    X32 = X.astype(np.float32)
    fit = clogit.LogisticRegression(warm_start=True).fit(X32, y)
    assert np.all(np.isfinite(fit.std_errors_))
    fit.fit(X32, y)  # warm start from float32 coefficients
    assert fit.converged_


def test_sparsify_densify():
    X, y = breast_cancer()
    clf = clogit.LogisticRegression(penalty="l1", C=0.05).fit(X, y)
    dense_proba = clf.predict_proba(X)
    dense_coef = clf.coef_.copy()
    assert clf.sparsify() is clf
    assert sp.issparse(clf.coef_)
    assert clf.coef_.nnz == np.count_nonzero(dense_coef)
    np.testing.assert_array_equal(clf.predict_proba(X), dense_proba)
    np.testing.assert_array_equal(clf.predict(sp.csr_matrix(X)),
                                  clf.predict(X))
    assert clf.densify() is clf
    assert isinstance(clf.coef_, np.ndarray)
    np.testing.assert_array_equal(clf.coef_, dense_coef)


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_max_iter_zero_returns_the_starting_point(fit_intercept):
    X, y = synthetic_binary(n=300, p=4)
    weights = np.linspace(0.5, 2.0, len(y))
    with pytest.warns(ConvergenceWarning, match="max_iter=0"):
        clf = clogit.LogisticRegression(max_iter=0,
                                        fit_intercept=fit_intercept).fit(
            X, y, sample_weight=weights)
    assert clf.n_iter_.tolist() == [0]
    assert not clf.converged_
    np.testing.assert_array_equal(clf.coef_, 0.0)
    mean = np.average(y, weights=weights)
    expected = np.log(mean / (1 - mean)) if fit_intercept else 0.0
    np.testing.assert_allclose(clf.intercept_, [expected], rtol=1e-12)


def test_max_iter_zero_multinomial_and_solvers():
    X, y = synthetic_multiclass(n=300)
    with pytest.warns(ConvergenceWarning, match="max_iter=0"):
        clf = clogit.LogisticRegression(max_iter=0).fit(X, y)
    assert clf.n_iter_.tolist() == [0]
    np.testing.assert_array_equal(clf.coef_, 0.0)
    counts = np.unique(y, return_counts=True)[1]
    log_freq = np.log(counts / counts.sum())
    np.testing.assert_allclose(clf.intercept_, log_freq - log_freq.mean())
    X, y = synthetic_binary(n=300, p=4)
    for solver, penalty in (("lbfgs", "l2"), ("gd", "l2"), ("newton", "l1"),
                            ("newton-cg", None)):
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            clf = clogit.LogisticRegression(solver=solver, penalty=penalty,
                                            max_iter=0).fit(X, y)
        assert [w.category for w in record] == [ConvergenceWarning]
        assert clf.n_iter_.tolist() == [0]
        np.testing.assert_array_equal(clf.coef_, 0.0)


def test_sparsified_and_float32_models_save_and_load(tmp_path):
    X, y = breast_cancer()
    clf = clogit.LogisticRegression(penalty="l1", C=0.05).fit(
        X.astype(np.float32), y).sparsify()
    path = tmp_path / "model.json"
    clf.save(path)
    loaded = clogit.load(path)
    np.testing.assert_array_equal(loaded.predict(X), clf.predict(X))
