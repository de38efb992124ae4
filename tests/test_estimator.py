"""clogit.LogisticRegression against scikit-learn and statsmodels."""

import pickle

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import clogit
from _data import (BREAST_CANCER_SUBSET, breast_cancer, synthetic_binary,
                   synthetic_multiclass)

# clogit's tolerance in these tests: Newton's quadratic convergence takes the
# scaled gradient far below it, so coefficients are exact to ~1e-10.
TOL = 1e-10
DATASETS = {"breast_cancer": breast_cancer, "synthetic": synthetic_binary}


def _sklearn_newton(C, fit_intercept, **kwargs):
    return SkLogisticRegression(C=C, solver="newton-cholesky", tol=1e-12,
                                max_iter=1000, fit_intercept=fit_intercept,
                                **kwargs)


@pytest.mark.parametrize("dataset", sorted(DATASETS))
@pytest.mark.parametrize("C", [0.01, 1.0, 100.0])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_l2_matches_sklearn(dataset, C, fit_intercept):
    X, y = DATASETS[dataset]()
    ours = clogit.LogisticRegression(C=C, tol=TOL, fit_intercept=fit_intercept)
    ours.fit(X, y)
    ref = _sklearn_newton(C, fit_intercept).fit(X, y)
    assert ours.converged_
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-6,
                               atol=1e-9)
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X),
                               rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(ours.decision_function(X),
                               ref.decision_function(X), rtol=1e-6, atol=1e-8)
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))


@pytest.mark.parametrize("subset", ["breast_cancer", "synthetic"])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_unpenalized_matches_statsmodels(subset, fit_intercept):
    sm = pytest.importorskip("statsmodels.api")
    if subset == "breast_cancer":
        X, y = breast_cancer()
        X = X[:, BREAST_CANCER_SUBSET]
    else:
        X, y = synthetic_binary()
    design = sm.add_constant(X) if fit_intercept else X
    ref = sm.Logit(y, design).fit(method="newton", tol=1e-12, maxiter=100,
                                  disp=0)
    ours = clogit.LogisticRegression(penalty=None, tol=TOL,
                                     fit_intercept=fit_intercept).fit(X, y)
    params = np.append(ours.intercept_, ours.coef_[0]) if fit_intercept \
        else ours.coef_[0]
    np.testing.assert_allclose(params, ref.params, rtol=1e-6, atol=1e-10)


def test_c_inf_is_no_penalty():
    X, y = synthetic_binary()
    a = clogit.LogisticRegression(penalty=None, tol=TOL).fit(X, y)
    b = clogit.LogisticRegression(C=np.inf, tol=TOL).fit(X, y)
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-12)


def test_integer_sample_weight_equals_row_duplication():
    X, y = synthetic_binary(n=400, p=5, seed=2)
    weights = np.random.default_rng(0).integers(0, 4, size=X.shape[0])
    weighted = clogit.LogisticRegression(C=0.5, tol=TOL).fit(
        X, y, sample_weight=weights)
    rows = np.repeat(np.arange(X.shape[0]), weights)
    duplicated = clogit.LogisticRegression(C=0.5, tol=TOL).fit(X[rows], y[rows])
    np.testing.assert_allclose(weighted.coef_, duplicated.coef_, rtol=1e-9)
    np.testing.assert_allclose(weighted.intercept_, duplicated.intercept_,
                               rtol=1e-9)


def test_sample_weight_matches_sklearn():
    X, y = synthetic_binary(n=500, p=4, seed=5)
    weights = np.random.default_rng(1).uniform(0, 3, size=X.shape[0])
    ours = clogit.LogisticRegression(tol=TOL).fit(X, y, sample_weight=weights)
    ref = _sklearn_newton(1.0, True).fit(X, y, sample_weight=weights)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-6)


def test_duplicated_features_halved_give_same_fit():
    # [X, X] / 2 has the same predictions; with the l2 penalty each copy's
    # coefficient equals the original one (|w/2|^2 * 2 * 2 ... symmetric split)
    X, y = synthetic_binary(n=600, p=4, seed=7)
    a = clogit.LogisticRegression(penalty=None, tol=TOL).fit(X, y)
    with pytest.warns(Warning, match="singular"):
        b = clogit.LogisticRegression(penalty=None, tol=TOL).fit(
            np.hstack([X, X]) / 2, y)
    np.testing.assert_allclose(b.decision_function(np.hstack([X, X]) / 2),
                               a.decision_function(X), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("C", [0.1, 10.0])
def test_ovr_matches_sklearn_one_vs_rest(C):
    X, y = synthetic_multiclass()
    ours = clogit.LogisticRegression(C=C, tol=TOL, multi_class="ovr").fit(X, y)
    ref = OneVsRestClassifier(_sklearn_newton(C, True)).fit(X, y)
    coef = np.vstack([e.coef_ for e in ref.estimators_])
    intercept = np.concatenate([e.intercept_ for e in ref.estimators_])
    np.testing.assert_array_equal(ours.classes_, ref.classes_)
    np.testing.assert_allclose(ours.coef_, coef, rtol=1e-6)
    np.testing.assert_allclose(ours.intercept_, intercept, rtol=1e-6)
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X),
                               rtol=1e-7, atol=1e-12)
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))
    np.testing.assert_allclose(np.exp(ours.predict_log_proba(X)),
                               ours.predict_proba(X), rtol=1e-12)
    assert ours.n_iter_.shape == (4,) and ours.n_iter_.dtype == np.int32


def test_binary_log_proba_is_accurate_in_the_tails():
    X, y = synthetic_binary(n=300, p=3)
    clf = clogit.LogisticRegression(tol=TOL).fit(X * 200, y)
    log_p = clf.predict_log_proba(X * 200)
    assert np.all(np.isfinite(log_p))
    np.testing.assert_allclose(np.exp(log_p), clf.predict_proba(X * 200),
                               rtol=1e-12, atol=1e-300)


def test_string_labels_and_label_order():
    X, y = synthetic_binary()
    labels = np.where(y == 1, "yes", "no")
    clf = clogit.LogisticRegression(tol=TOL).fit(X, labels)
    ref = clogit.LogisticRegression(tol=TOL).fit(X, y)
    np.testing.assert_array_equal(clf.classes_, ["no", "yes"])
    np.testing.assert_allclose(clf.coef_, ref.coef_, rtol=1e-12)
    assert set(clf.predict(X)) <= {"no", "yes"}


def test_dataframe_feature_names():
    pd = pytest.importorskip("pandas")
    X, y = synthetic_binary(p=3)
    frame = pd.DataFrame(X, columns=["age", "dose", "weight"])
    clf = clogit.LogisticRegression(tol=TOL).fit(frame, y)
    np.testing.assert_array_equal(clf.feature_names_in_,
                                  ["age", "dose", "weight"])
    plain = clogit.LogisticRegression(tol=TOL).fit(X, y)
    assert not hasattr(plain, "feature_names_in_")
    # a DataFrame arrives column-major: equal up to summation order
    np.testing.assert_allclose(clf.predict_proba(frame),
                               plain.predict_proba(X), rtol=1e-12)


def test_c_and_f_order_and_read_only_agree():
    X, y = synthetic_binary()
    base = clogit.LogisticRegression(tol=TOL).fit(X, y)
    fortran = clogit.LogisticRegression(tol=TOL).fit(np.asfortranarray(X), y)
    read_only = X.copy()
    read_only.setflags(write=False)
    frozen = clogit.LogisticRegression(tol=TOL).fit(read_only, y)
    strided = clogit.LogisticRegression(tol=TOL).fit(
        np.repeat(X, 2, axis=1)[:, ::2], y)
    for other in (fortran, frozen, strided):
        np.testing.assert_allclose(other.coef_, base.coef_, rtol=1e-12)


def test_float32_is_kept_and_matches_float64_on_the_same_values():
    X, y = synthetic_binary()
    X32 = X.astype(np.float32)
    a = clogit.LogisticRegression(tol=TOL).fit(X32, y)
    # same float32 values in float64: the kernels accumulate in float64, so
    # only summation order differs
    b = clogit.LogisticRegression(tol=TOL).fit(X32.astype(np.float64), y)
    # float32 coefficients (scikit-learn's convention), computed in float64
    assert a.coef_.dtype == a.intercept_.dtype == np.float32
    eps32 = np.finfo(np.float32).eps
    np.testing.assert_allclose(a.coef_, b.coef_.astype(np.float32),
                               rtol=2 * eps32)
    np.testing.assert_allclose(a.decision_function(X32),
                               b.decision_function(X32.astype(np.float64)),
                               rtol=10 * eps32, atol=10 * eps32)
    # and within float32 precision of the float64 data's fit
    c = clogit.LogisticRegression(tol=TOL).fit(X, y)
    np.testing.assert_allclose(a.coef_, c.coef_,
                               rtol=100 * np.finfo(np.float32).eps)


def test_warm_start_reuses_coefficients():
    X, y = synthetic_binary()
    clf = clogit.LogisticRegression(tol=TOL, warm_start=True).fit(X, y)
    first = clf.coef_.copy()
    clf.fit(X, y)
    np.testing.assert_allclose(clf.coef_, first, rtol=1e-12)
    assert clf.n_iter_[0] == 1  # started at the optimum


def test_class_weight_balanced_matches_sklearn():
    X, y = synthetic_binary(n=800, seed=4)
    keep = (y == 1) | (np.arange(len(y)) % 3 == 0)  # unbalance the classes
    X, y = X[keep], y[keep]
    ours = clogit.LogisticRegression(tol=TOL, class_weight="balanced").fit(X, y)
    ref = _sklearn_newton(1.0, True, class_weight="balanced").fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-6)
    d = {0: 2.0, 1: 0.5}
    ours = clogit.LogisticRegression(tol=TOL, class_weight=d).fit(X, y)
    ref = _sklearn_newton(1.0, True, class_weight=d).fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-6)


def test_score_and_pickle_and_sklearn_tools():
    X, y = synthetic_binary(n=600)
    clf = clogit.LogisticRegression(tol=TOL).fit(X, y)
    assert clf.score(X, y) == np.mean(clf.predict(X) == y)
    clone = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(clone.predict_proba(X), clf.predict_proba(X))
    pipe = make_pipeline(StandardScaler(), clogit.LogisticRegression())
    scores = cross_val_score(pipe, X, y, cv=3)
    assert scores.shape == (3,) and np.all(scores > 0.6)
    search = GridSearchCV(clogit.LogisticRegression(), {"C": [0.1, 1.0]},
                          cv=3).fit(X, y)
    assert search.best_params_["C"] in (0.1, 1.0)


def test_ovr_n_jobs_gives_identical_arrays():
    X, y = synthetic_multiclass(n=3000, p=8, n_classes=5)
    fits = [clogit.LogisticRegression(multi_class="ovr", tol=TOL,
                                      n_jobs=n_jobs).fit(X, y)
            for n_jobs in (None, 1, 2, -1)]
    for other in fits[1:]:
        np.testing.assert_array_equal(other.coef_, fits[0].coef_)
        np.testing.assert_array_equal(other.intercept_, fits[0].intercept_)
        np.testing.assert_array_equal(other.n_iter_, fits[0].n_iter_)
        np.testing.assert_array_equal(other.predict_proba(X),
                                      fits[0].predict_proba(X))


def test_ovr_n_jobs_raises_solver_errors_in_the_caller():
    X, y = synthetic_multiclass(n=300, p=3, n_classes=3)
    with pytest.warns(Warning, match="did not converge"):
        clogit.LogisticRegression(multi_class="ovr", n_jobs=2, max_iter=1,
                                  tol=1e-12).fit(X, y)
