"""Multinomial (softmax) fits against scikit-learn and statsmodels."""

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.metrics import log_loss as sk_log_loss
from sklearn.preprocessing import StandardScaler

import clogit
from _data import record_hessian_strides, synthetic_multiclass

TOL = 1e-10
# L-BFGS's line search needs a measurable decrease of f, which float64 stops
# giving near max|grad| ~ 1e-9 on these problems; it used to report
# convergence there (scipy's ftol stop), it now says it did not.
LBFGS_TOL = 1e-8
EPS32 = float(np.finfo(np.float32).eps)


def _sklearn(C, fit_intercept=True, **kwargs):
    return SkLogisticRegression(C=C, solver="newton-cholesky", tol=1e-12,
                                max_iter=1000, fit_intercept=fit_intercept,
                                **kwargs)


@pytest.mark.parametrize("solver", ["newton", "lbfgs"])
@pytest.mark.parametrize("C", [0.1, 10.0])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_matches_sklearn_multinomial(solver, C, fit_intercept):
    X, y = synthetic_multiclass()
    ours = clogit.LogisticRegression(C=C, solver=solver,
                                     tol=TOL if solver == "newton"
                                     else LBFGS_TOL, max_iter=10_000,
                                     fit_intercept=fit_intercept,
                                     multi_class="multinomial").fit(X, y)
    ref = _sklearn(C, fit_intercept).fit(X, y)
    assert ours.converged_
    np.testing.assert_array_equal(ours.classes_, ref.classes_)
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X),
                               rtol=0, atol=1e-7)
    # both in the symmetric convention: rows of coef_ sum to zero
    np.testing.assert_allclose(ours.coef_.sum(axis=0), 0, atol=1e-10)
    rtol = 1e-7 if solver == "newton" else 1e-5
    np.testing.assert_allclose(ours.coef_, ref.coef_ - ref.coef_.mean(0),
                               rtol=rtol, atol=1e-8)
    np.testing.assert_allclose(ours.intercept_,
                               ref.intercept_ - ref.intercept_.mean(),
                               rtol=rtol, atol=1e-8)
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))
    np.testing.assert_allclose(np.exp(ours.predict_log_proba(X)),
                               ours.predict_proba(X), rtol=1e-12)


def test_auto_is_multinomial_for_three_or_more_classes():
    X, y = synthetic_multiclass()
    auto = clogit.LogisticRegression(tol=TOL).fit(X, y)
    multi = clogit.LogisticRegression(tol=TOL, multi_class="multinomial")
    multi.fit(X, y)
    np.testing.assert_allclose(auto.predict_proba(X), multi.predict_proba(X),
                               atol=1e-9)
    assert auto.n_iter_.shape == (1,)


@pytest.mark.parametrize("solver", ["newton", "lbfgs"])
def test_unpenalized_matches_statsmodels_mnlogit(solver):
    sm = pytest.importorskip("statsmodels.api")
    X, y = synthetic_multiclass(n=2000, p=4, n_classes=3, seed=1)
    codes = np.unique(y, return_inverse=True)[1]
    ref = sm.MNLogit(codes, sm.add_constant(X)).fit(method="newton",
                                                    tol=1e-12, maxiter=100,
                                                    disp=0)
    ours = clogit.LogisticRegression(penalty=None, solver=solver,
                                     tol=TOL if solver == "newton"
                                     else LBFGS_TOL, max_iter=10_000,
                                     multi_class="multinomial").fit(X, y)
    # MNLogit pins class 0: its params are class k's minus class 0's
    ours_relative = np.column_stack([ours.intercept_, ours.coef_])
    ours_relative = (ours_relative[1:] - ours_relative[0]).T
    rtol = 1e-7 if solver == "newton" else 1e-4
    np.testing.assert_allclose(ours_relative, ref.params, rtol=rtol,
                               atol=1e-7)
    np.testing.assert_allclose(ours.coef_.sum(axis=0), 0, atol=1e-10)


def test_digits_fits_and_scores_like_sklearn():
    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    ours = clogit.LogisticRegression(C=0.1, tol=1e-8, max_iter=1000).fit(X, y)
    ref = SkLogisticRegression(C=0.1, tol=1e-10, max_iter=10_000).fit(X, y)
    assert ours.score(X, y) == pytest.approx(ref.score(X, y), abs=1e-3)
    P = ours.predict_proba(X)
    np.testing.assert_allclose(P, ref.predict_proba(X), atol=1e-5)
    assert clogit.log_loss(y, P) == pytest.approx(sk_log_loss(y, P),
                                                  rel=1e-12)
    assert ours.score(X, y) == np.mean(ours.predict(X) == y)


def test_sample_and_class_weights_match_sklearn():
    X, y = synthetic_multiclass(seed=4)
    w = np.random.default_rng(0).uniform(0.2, 3.0, len(y))
    ours = clogit.LogisticRegression(tol=TOL, class_weight="balanced",
                                     multi_class="multinomial").fit(
        X, y, sample_weight=w)
    ref = _sklearn(1.0, class_weight="balanced").fit(X, y, sample_weight=w)
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X),
                               atol=1e-7)


def test_integer_weights_equal_duplication():
    X, y = synthetic_multiclass(n=400, seed=5)
    w = np.random.default_rng(1).integers(0, 3, len(y))
    a = clogit.LogisticRegression(tol=TOL, multi_class="multinomial").fit(
        X, y, sample_weight=w)
    rows = np.repeat(np.arange(len(y)), w)
    b = clogit.LogisticRegression(tol=TOL, multi_class="multinomial").fit(
        X[rows], y[rows])
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-8, atol=1e-12)


def test_warm_start_multinomial():
    X, y = synthetic_multiclass()
    clf = clogit.LogisticRegression(tol=TOL, warm_start=True,
                                    solver="newton").fit(X, y)
    first = clf.coef_.copy()
    clf.fit(X, y)
    assert clf.n_iter_[0] == 1
    np.testing.assert_allclose(clf.coef_, first, rtol=1e-12, atol=1e-14)


def test_float32_multinomial():
    X, y = synthetic_multiclass()
    X32 = X.astype(np.float32)
    a = clogit.LogisticRegression(tol=TOL).fit(X32, y)
    b = clogit.LogisticRegression(tol=TOL).fit(X32.astype(np.float64), y)
    # float32 X gives float32 coefficients (computed in float64)
    assert a.coef_.dtype == a.intercept_.dtype == np.float32
    np.testing.assert_allclose(a.coef_, b.coef_.astype(np.float32),
                               rtol=2 * EPS32, atol=1e-12)


@pytest.mark.parametrize("penalty", ["l2", None])
def test_sampled_early_hessians_reach_the_exact_fit(monkeypatch, penalty):
    # Newton's Hessian schedule in the multinomial solver: the early
    # Hessians from every k-th row, the last ones exact; the fit equals
    # scikit-learn's (and the all-exact one's) at tight tolerance.
    import clogit._solvers.newton as newton
    from clogit._backends.memory import SoftmaxKernels
    monkeypatch.setattr(newton, "_SAMPLED_ROWS_PER_COEF", 1)
    X, y = synthetic_multiclass()
    strides = record_hessian_strides(monkeypatch, SoftmaxKernels, "softmax_pass")
    fits, used = [], []
    for rows in (len(y) // 8, 10 ** 12):  # sampled, then never sampled
        monkeypatch.setattr(newton, "_SAMPLED_ROWS", rows)
        fits.append(clogit.LogisticRegression(
            penalty=penalty, solver="newton", tol=TOL,
            multi_class="multinomial").fit(X, y))
        used.append(sorted(set(strides)))
        strides.clear()
    assert used == [[1, 8], [1]]
    sampled, exact = fits
    assert sampled.converged_ and exact.converged_
    assert exact.n_iter_[0] <= sampled.n_iter_[0] <= exact.n_iter_[0] + 2
    # both at max|grad| <= 1e-10: probabilities equal to about 1e-9
    np.testing.assert_allclose(sampled.predict_proba(X),
                               exact.predict_proba(X), rtol=1e-8,
                               atol=1e-10)
    if penalty == "l2":
        ref = _sklearn(1.0).fit(X, y)
        np.testing.assert_allclose(sampled.predict_proba(X),
                                   ref.predict_proba(X), rtol=1e-7,
                                   atol=1e-10)
