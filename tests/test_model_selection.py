"""clogit.LogisticRegressionCV against scikit-learn's on the same folds:
scores, chosen C, attribute layouts, deprecation warnings; and
scikit-learn's estimator checks."""

import warnings

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegressionCV as SkLogisticRegressionCV
from sklearn.metrics import get_scorer
from sklearn.model_selection import StratifiedKFold
from sklearn.utils.estimator_checks import parametrize_with_checks

import clogit

from _data import synthetic_binary, synthetic_multiclass

TIGHT = 1e-10
NEW = dict(use_legacy_attributes=False)


def sklearn_cv(**kwargs):
    """scikit-learn's LogisticRegressionCV, fitted quietly (its own
    FutureWarnings are not under test here)."""
    estimator = SkLogisticRegressionCV(**kwargs)

    def fit(*args, **fit_kwargs):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return estimator.fit(*args, **fit_kwargs)
    return fit


@pytest.fixture(scope="module")
def binary():
    return synthetic_binary(n=240, p=5, seed=4)


@pytest.fixture(scope="module")
def multiclass():
    return synthetic_multiclass(n=240, p=4, n_classes=3, seed=5)


@pytest.mark.parametrize("scoring", [None, "neg_log_loss", "roc_auc"])
def test_l2_scores_equal_scikit_learns(binary, scoring):
    X, y = binary
    s = np.random.default_rng(0).uniform(0.5, 2.0, size=y.shape[0])
    kwargs = dict(Cs=5, cv=3, l1_ratios=(0,), scoring=scoring, **NEW)
    ours = clogit.LogisticRegressionCV(tol=TIGHT, max_iter=200,
                                       **kwargs).fit(X, y, sample_weight=s)
    theirs = sklearn_cv(solver="lbfgs", tol=1e-10, max_iter=2000,
                        **kwargs)(X, y, sample_weight=s)
    np.testing.assert_allclose(ours.scores_, theirs.scores_, rtol=1e-7,
                               atol=1e-9)
    assert ours.C_ == theirs.C_ and ours.l1_ratio_ == theirs.l1_ratio_
    np.testing.assert_allclose(ours.coefs_paths_, theirs.coefs_paths_,
                               atol=1e-6)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-6)
    assert ours.converged_


def test_l1_scores_equal_scikit_learns(binary):
    X, y = binary
    kwargs = dict(Cs=np.logspace(-1, 1, 3), l1_ratios=(1,),
                  scoring="neg_log_loss", **NEW)
    ours = clogit.LogisticRegressionCV(tol=TIGHT, max_iter=200,
                                       **kwargs).fit(X, y)
    theirs = sklearn_cv(solver="saga", tol=1e-12, max_iter=20000,
                        **kwargs)(X, y)
    np.testing.assert_allclose(ours.scores_, theirs.scores_, rtol=1e-6)
    assert ours.C_ == theirs.C_
    np.testing.assert_allclose(ours.coefs_paths_, theirs.coefs_paths_,
                               atol=1e-5)


def test_multinomial_scores_and_class_weights_equal_scikit_learns(
        multiclass):
    X, y = multiclass
    kwargs = dict(Cs=3, cv=3, l1_ratios=(0,), scoring="neg_log_loss",
                  class_weight="balanced", **NEW)
    ours = clogit.LogisticRegressionCV(tol=TIGHT, max_iter=200,
                                       **kwargs).fit(X, y)
    theirs = sklearn_cv(solver="lbfgs", tol=1e-10, max_iter=2000,
                        **kwargs)(X, y)
    np.testing.assert_allclose(ours.scores_, theirs.scores_, rtol=1e-7)
    assert ours.C_ == theirs.C_
    assert ours.coefs_paths_.shape == theirs.coefs_paths_.shape
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-6)


@pytest.mark.parametrize("scoring", [None, "accuracy", "neg_log_loss"])
@pytest.mark.parametrize("problem", ["binary", "ovr", "multinomial"])
@pytest.mark.parametrize("weighted", [False, True])
def test_builtin_scores_equal_scikit_learns_scorers(binary, multiclass,
                                                   scoring, problem,
                                                   weighted):
    # accuracy and log loss are computed by clogit point by point (no
    # scorer call); each must be scikit-learn's scorer on the same point
    X, y = binary if problem == "binary" else multiclass
    s = (np.random.default_rng(1).uniform(0.5, 2.0, size=y.shape[0])
         if weighted else None)
    multi_class = "multinomial" if problem == "multinomial" else "ovr"
    Cs = np.logspace(-3, 2, 4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # multi_class
        cv = clogit.LogisticRegressionCV(
            Cs=Cs, l1_ratios=(0,), cv=3, scoring=scoring,
            multi_class=multi_class, **NEW).fit(X, y, sample_weight=s)
    folds = StratifiedKFold(3).split(X, y)
    for f, (_, test) in enumerate(folds):
        for k, C in enumerate(Cs):
            point = clogit.LogisticRegression()
            point.classes_ = cv.classes_
            w = cv.coefs_paths_[f, 0, k]
            point.coef_, point.intercept_ = w[:, :-1], w[:, -1]
            point._multinomial = problem == "multinomial"
            sw = None if s is None else s[test]
            if scoring is None:
                expected = point.score(X[test], y[test], sample_weight=sw)
            else:
                expected = get_scorer(scoring)(point, X[test], y[test],
                                               sample_weight=sw)
            assert cv.scores_[f, 0, k] == pytest.approx(expected, rel=1e-13,
                                                        abs=1e-15)


def test_one_vs_rest_scores_equal_fold_by_fold_fits(multiclass):
    X, y = multiclass
    Cs = np.logspace(-2, 1, 3)
    cv = clogit.LogisticRegressionCV(Cs=Cs, l1_ratios=(1,),
                                     scoring="neg_log_loss",
                                     multi_class="ovr", tol=TIGHT,
                                     **NEW).fit(X, y)
    scorer = get_scorer("neg_log_loss")
    folds = StratifiedKFold(5).split(X, y)
    for f, (train, test) in enumerate(folds):
        for k, C in enumerate(Cs):
            fit = clogit.LogisticRegression(
                penalty="l1", C=C, multi_class="ovr",
                tol=TIGHT).fit(X[train], y[train])
            assert np.isclose(cv.scores_[f, 0, k],
                              scorer(fit, X[test], y[test]), rtol=1e-8)
            np.testing.assert_allclose(cv.coefs_paths_[f, 0, k, :, :-1],
                                       fit.coef_, atol=1e-7)
    assert cv.n_iter_.shape == (5, 1, 3)


@pytest.mark.parametrize("refit", [True, False])
@pytest.mark.parametrize("legacy", [True, False])
@pytest.mark.parametrize("l1_ratios", [None, np.array([0.0, 0.5])])
@pytest.mark.parametrize("three_classes", [False, True])
def test_attribute_layout_is_scikit_learns(binary, multiclass, refit,
                                           legacy, l1_ratios, three_classes):
    X, y = multiclass if three_classes else binary
    kwargs = dict(Cs=3, cv=3, l1_ratios=l1_ratios, refit=refit,
                  use_legacy_attributes=legacy, scoring="accuracy")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        ours = clogit.LogisticRegressionCV(
            multi_class="multinomial", **kwargs).fit(X, y)
    theirs = sklearn_cv(solver="saga" if l1_ratios is not None else "lbfgs",
                        max_iter=1000, **kwargs)(X, y)
    for name in ("C_", "l1_ratio_", "Cs_", "l1_ratios_", "coefs_paths_",
                 "scores_", "n_iter_", "coef_", "intercept_"):
        mine, other = getattr(ours, name), getattr(theirs, name)
        assert type(mine) is type(other) or np.isscalar(mine), name
        if isinstance(other, dict):
            assert list(mine) == list(other), name
            for key in other:
                assert mine[key].shape == other[key].shape, name
        else:
            assert np.shape(mine) == np.shape(other), name
    np.testing.assert_array_equal(ours.Cs_, theirs.Cs_)
    if refit:  # both choose C (and l1_ratio) from the same scores
        np.testing.assert_array_equal(np.asarray(ours.C_, dtype=float),
                                      np.asarray(theirs.C_, dtype=float))


def test_refit_false_averages_the_folds_best_coefficients(binary):
    X, y = binary
    kwargs = dict(Cs=4, cv=3, l1_ratios=(0,), scoring="neg_log_loss",
                  refit=False, **NEW)
    ours = clogit.LogisticRegressionCV(tol=TIGHT, **kwargs).fit(X, y)
    theirs = sklearn_cv(solver="lbfgs", tol=1e-10, max_iter=2000,
                        **kwargs)(X, y)
    assert np.isclose(ours.C_, theirs.C_)
    best = ours.scores_[:, 0].argmax(axis=1)
    expected = np.mean([ours.coefs_paths_[f, 0, best[f], 0]
                        for f in range(3)], axis=0)
    np.testing.assert_allclose(ours.coef_[0], expected[:-1], rtol=1e-15)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-6)


def test_defaults_raise_scikit_learns_future_warnings(binary):
    X, y = binary
    with warnings.catch_warnings(record=True) as ours_caught:
        warnings.simplefilter("always")
        clogit.LogisticRegressionCV(Cs=2, cv=2).fit(X, y)
    with warnings.catch_warnings(record=True) as theirs_caught:
        warnings.simplefilter("always")
        SkLogisticRegressionCV(Cs=2, cv=2).fit(X, y)
    ours = sorted(str(w.message) for w in ours_caught
                  if w.category is FutureWarning)
    theirs = sorted(str(w.message).replace("LogisticRegressionCV", "{}")
                    for w in theirs_caught if w.category is FutureWarning)
    assert [m.replace("LogisticRegressionCV", "{}") for m in ours] == theirs
    assert len(ours) == 3


def test_deprecated_penalty_still_works_and_warns(binary):
    X, y = binary
    with pytest.warns(FutureWarning, match="'penalty' was deprecated"):
        cv = clogit.LogisticRegressionCV(Cs=3, penalty="l1", l1_ratios=None,
                                         scoring="accuracy", **NEW).fit(X, y)
    assert cv.l1_ratio_ == 1.0


def test_inference_comes_from_the_refit(binary):
    X, y = binary
    cv = clogit.LogisticRegressionCV(Cs=3, l1_ratios=(0,), tol=TIGHT,
                                     scoring="neg_log_loss", **NEW).fit(X, y)
    single = clogit.LogisticRegression(C=cv.C_, tol=TIGHT).fit(X, y)
    np.testing.assert_allclose(cv.coef_, single.coef_, atol=1e-8)
    np.testing.assert_allclose(cv.std_errors_, single.std_errors_,
                               rtol=1e-6)
    # the summary names the C chosen, not the grid (Cs)
    assert f"C={float(np.ravel(cv.C_)[0]):g})" in str(cv.summary())


@pytest.mark.parametrize("kwargs, message", [
    (dict(dual=True), "dual=True"),
    (dict(solver="lbfgs", l1_ratios=(1,)), "supports only 'l2'"),
    (dict(l1_ratios=(0.5, 2.0)), "l1_ratios must be"),
    (dict(Cs=0), "Cs must be"),
    (dict(solver="sgd"), "solver must be"),
])
def test_bad_parameters_are_refused(binary, kwargs, message):
    X, y = binary
    params = dict(l1_ratios=(0,), scoring="accuracy", **NEW)
    params.update(kwargs)
    with pytest.raises(ValueError, match=message):
        clogit.LogisticRegressionCV(**params).fit(X, y)


@parametrize_with_checks([clogit.LogisticRegressionCV(
    Cs=3, cv=3, l1_ratios=(0,), scoring="accuracy",
    use_legacy_attributes=False)])
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)


@pytest.mark.parametrize("multiclass", [False, True])
def test_folds_run_in_a_thread_per_core_by_default_same_results(
        monkeypatch, multiclass):
    # n_jobs=None: the folds (and One-vs-Rest classes) run in one thread
    # per core (2 here), n_jobs=1 in one; the results are bitwise the same
    # for any n_jobs
    from clogit import _path
    monkeypatch.setattr(_path, "available_cores", lambda: 2)
    used = []
    original = _path.map_in_threads
    monkeypatch.setattr(_path, "map_in_threads", lambda f, items, n: (
        used.append(n) or original(f, items, n)))
    if multiclass:
        X, y = synthetic_multiclass(n=300, p=5, n_classes=3, seed=2)
        params = dict(multi_class="ovr", l1_ratios=(1.0,))
    else:
        X, y = synthetic_binary(n=300, p=6, seed=2)
        params = dict(l1_ratios=(1.0,))
    fits = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        for n_jobs in (None, 1, 2):
            fits[n_jobs] = clogit.LogisticRegressionCV(
                Cs=8, cv=4, n_jobs=n_jobs, use_legacy_attributes=False,
                **params).fit(X, y)
    assert used == [2, 1, 2]
    for n_jobs in (1, 2):
        np.testing.assert_array_equal(fits[n_jobs].coefs_paths_,
                                      fits[None].coefs_paths_)
        np.testing.assert_array_equal(fits[n_jobs].scores_,
                                      fits[None].scores_)
        np.testing.assert_array_equal(fits[n_jobs].coef_, fits[None].coef_)
