"""Wald inference and the summary table (clogit._inference).

Reference: statsmodels ``Logit(y, sm.add_constant(X)).fit(method="newton",
tol=1e-12)``; the intercept comes FIRST in clogit's inference arrays, as in
statsmodels with ``add_constant``.  The l2 figures are checked against a
penalized Hessian assembled here with numpy.
"""

import pickle
import sys

import numpy as np
import pytest
from scipy.linalg import LinAlgWarning
from sklearn.exceptions import ConvergenceWarning, NotFittedError

import clogit
from _data import (BREAST_CANCER_SUBSET, breast_cancer, synthetic_binary,
                   synthetic_multiclass)

TOL = 1e-10
RTOL = 1e-6


def _bc_subset():
    X, y = breast_cancer()
    return X[:, BREAST_CANCER_SUBSET], y


DATASETS = {"breast_cancer": _bc_subset, "synthetic": synthetic_binary}


def _statsmodels(X, y, fit_intercept):
    sm = pytest.importorskip("statsmodels.api")
    design = sm.add_constant(X) if fit_intercept else X
    return sm.Logit(y, design).fit(method="newton", tol=1e-12, maxiter=100,
                                   disp=0)


def _design(X, fit_intercept):
    """X with the intercept column FIRST (the inference arrays' order)."""
    return np.column_stack([np.ones(len(X)), X]) if fit_intercept else X


def _penalized_hessian(X, y, s, params, fit_intercept, C):
    """Hessian of -loglik + |w|^2 / (2 C) with numpy, intercept first."""
    D = _design(X, fit_intercept)
    p = 1.0 / (1.0 + np.exp(-(D @ params)))
    H = D.T @ ((s * p * (1 - p))[:, None] * D)
    penalized = np.arange(1 if fit_intercept else 0, D.shape[1])
    H[penalized, penalized] += 1.0 / C
    return H


@pytest.mark.parametrize("dataset", sorted(DATASETS))
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_unpenalized_matches_statsmodels(dataset, fit_intercept):
    X, y = DATASETS[dataset]()
    ref = _statsmodels(X, y, fit_intercept)
    clf = clogit.LogisticRegression(penalty=None, tol=TOL,
                                    fit_intercept=fit_intercept).fit(X, y)
    np.testing.assert_allclose(clf.params_, ref.params, rtol=RTOL)
    np.testing.assert_allclose(clf.std_errors_, ref.bse, rtol=RTOL)
    np.testing.assert_allclose(clf.z_values_, ref.tvalues, rtol=RTOL)
    np.testing.assert_allclose(clf.p_values_, ref.pvalues, rtol=RTOL)
    np.testing.assert_allclose(clf.covariance_, ref.cov_params(), rtol=RTOL,
                               atol=1e-12)
    for alpha in (0.05, 0.1, 0.01):
        np.testing.assert_allclose(clf.conf_int(alpha),
                                   ref.conf_int(alpha), rtol=RTOL)
    np.testing.assert_allclose(clf.odds_ratios_, np.exp(ref.params),
                               rtol=RTOL)
    # the summary's figures
    stats = clf.summary().statistics
    np.testing.assert_allclose(stats["log_likelihood"], ref.llf, rtol=1e-10)
    # statsmodels fits the null model iteratively (default tolerance);
    # clogit's is the closed form (the weighted mean label)
    np.testing.assert_allclose(stats["ll_null"], ref.llnull, rtol=1e-8)
    np.testing.assert_allclose(stats["pseudo_r2"], ref.prsquared, rtol=1e-8)
    np.testing.assert_allclose(stats["aic"], ref.aic, rtol=1e-10)
    np.testing.assert_allclose(stats["bic"], ref.bic, rtol=1e-10)
    assert stats["n_samples"] == ref.nobs
    if fit_intercept:
        assert stats["df_model"] == ref.df_model
        np.testing.assert_allclose(stats["llr_pvalue"], ref.llr_pvalue,
                                   rtol=1e-6)


def test_intercept_comes_first_and_matches_coef():
    X, y = synthetic_binary()
    clf = clogit.LogisticRegression(penalty=None, tol=TOL).fit(X, y)
    assert clf.params_.shape == (X.shape[1] + 1,)
    assert clf.params_[0] == clf.intercept_[0]
    np.testing.assert_array_equal(clf.params_[1:], clf.coef_[0])
    assert clf.conf_int().shape == (X.shape[1] + 1, 2)
    assert clf.covariance_.shape == (X.shape[1] + 1,) * 2
    np.testing.assert_array_equal(clf.covariance_, clf.covariance_.T)


def test_covariance_from_factor_equals_numpy_inverse():
    # the dpotri path (converged Newton) against numpy's inverse of the
    # Hessian at the same coefficients
    X, y = _bc_subset()
    s = np.ones(len(y))
    clf = clogit.LogisticRegression(penalty=None, tol=TOL).fit(X, y)
    H = _penalized_hessian(X, y, s, clf.params_, True, np.inf)
    np.testing.assert_allclose(clf.covariance_, np.linalg.inv(H), rtol=1e-9,
                               atol=1e-14)


def test_covariance_recomputed_when_newton_stopped_short():
    # no factor is left by a fit stopped at max_iter: fit assembles the
    # Hessian at the final coefficients instead
    X, y = synthetic_binary()
    with pytest.warns(ConvergenceWarning):
        clf = clogit.LogisticRegression(penalty=None, max_iter=2,
                                        tol=1e-12).fit(X, y)
    H = _penalized_hessian(X, y, np.ones(len(y)), clf.params_, True, np.inf)
    np.testing.assert_allclose(clf.covariance_, np.linalg.inv(H), rtol=1e-9)
    assert "did not converge" in str(clf.summary())


@pytest.mark.parametrize("solver", ["lbfgs", "gd"])
@pytest.mark.parametrize("penalty", [None, "l2"])
def test_every_solver_gives_inference(solver, penalty):
    # solvers that leave no factor: one Hessian pass, on demand, at their
    # estimate -- the same optimum as Newton's, so the same figures
    X, y = synthetic_binary(n=600, p=4, seed=3)
    # (preconditioned L-BFGS hands over to Newton where L-BFGS-B finds no
    # more decrease of f, near a scaled gradient of 6e-10 here)
    params = dict(penalty=penalty, tol=1e-10,
                  max_iter=100_000)
    if penalty:
        params["C"] = 0.5
    other = clogit.LogisticRegression(solver=solver, **params).fit(X, y)
    assert other._inference_fits[0].hessian is None  # nothing assembled yet
    params["tol"] = 1e-10
    newton = clogit.LogisticRegression(solver="newton", **params).fit(X, y)
    rtol = 1e-6 if solver == "lbfgs" else 1e-5
    np.testing.assert_allclose(other.std_errors_, newton.std_errors_,
                               rtol=rtol)
    np.testing.assert_allclose(other.covariance_, newton.covariance_,
                               rtol=rtol, atol=1e-12)
    a, b = other.results_, newton.results_
    np.testing.assert_allclose(a.llf, b.llf, rtol=1e-10)
    np.testing.assert_allclose(a.df_model, b.df_model, rtol=1e-6)
    solver_line = next(line for line in str(other.summary()).splitlines()
                       if line.startswith("Solver:"))
    assert solver_line.split()[1] == solver


def test_lazy_inference_refuses_data_changed_in_place():
    # the Hessian pass after an L-BFGS fit reads X as it is now: data
    # changed since fit are detected (their log-likelihood at the estimate
    # is not the fit's) instead of giving wrong standard errors
    X, y = synthetic_binary(n=400, p=3, seed=4)
    X = X.copy()
    clf = clogit.LogisticRegression(solver="lbfgs", tol=1e-7).fit(X, y)
    X[:, 0] *= 2.0
    with pytest.raises(ValueError, match="training data changed"):
        clf.std_errors_
    assert not hasattr(clf, "covariance_")


@pytest.mark.parametrize("C", [0.05, 1.0, 20.0])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_l2_covariance_is_inverse_penalized_hessian(C, fit_intercept):
    X, y = synthetic_binary(n=500, p=5, seed=4)
    s = np.random.default_rng(1).uniform(0.2, 3.0, size=len(y))
    clf = clogit.LogisticRegression(C=C, tol=TOL, fit_intercept=fit_intercept)
    clf.fit(X, y, sample_weight=s)
    H = _penalized_hessian(X, y, s, clf.params_, fit_intercept, C)
    cov = np.linalg.inv(H)
    np.testing.assert_allclose(clf.covariance_, cov, rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(clf.std_errors_, np.sqrt(np.diag(cov)),
                               rtol=1e-9)
    text = str(clf.summary())
    assert "penalized" in text and f"C={C:g}" in text
    # effective degrees of freedom tr(H_data H_pen^-1), without the intercept
    H_data = _penalized_hessian(X, y, s, clf.params_, fit_intercept, np.inf)
    # statsmodels' df_model: the (effective) number of coefficients less
    # one (Logit assumes a constant)
    edf = np.trace(H_data @ cov) - 1
    stats = clf.summary().statistics
    np.testing.assert_allclose(stats["df_model"], edf, rtol=1e-9)
    assert np.isnan(stats["llr_pvalue"])


@pytest.mark.parametrize("penalty", [None, "l2"])
def test_frequency_weights_equal_row_duplication(penalty):
    X, y = synthetic_binary(n=300, p=4, seed=5)
    counts = np.random.default_rng(2).integers(0, 4, size=len(y))
    weighted = clogit.LogisticRegression(penalty=penalty, tol=TOL).fit(
        X, y, sample_weight=counts)
    rows = np.repeat(np.arange(len(y)), counts)
    duplicated = clogit.LogisticRegression(penalty=penalty, tol=TOL).fit(
        X[rows], y[rows])
    for name in ("params_", "std_errors_", "p_values_", "covariance_"):
        np.testing.assert_allclose(getattr(weighted, name),
                                   getattr(duplicated, name), rtol=1e-7,
                                   atol=1e-13, err_msg=name)
    a = weighted.summary().statistics
    b = duplicated.summary().statistics
    for key in ("log_likelihood", "ll_null", "aic", "bic", "df_model"):
        np.testing.assert_allclose(a[key], b[key], rtol=1e-9, err_msg=key)
    assert a["n_obs"] == b["n_samples"] == counts.sum()
    assert weighted.results_.nobs == duplicated.results_.nobs
    assert "frequency weights" in str(weighted.summary())


def test_one_vs_rest_stacks_one_binary_fit_per_class():
    X, y = synthetic_multiclass()
    clf = clogit.LogisticRegression(tol=TOL, multi_class="ovr").fit(X, y)
    K, n_coef = len(clf.classes_), X.shape[1] + 1
    assert clf.covariance_.shape == (K, n_coef, n_coef)
    assert clf.std_errors_.shape == clf.p_values_.shape == (K, n_coef)
    assert clf.conf_int().shape == (K, n_coef, 2)
    for k, label in enumerate(clf.classes_):
        binary = clogit.LogisticRegression(tol=TOL).fit(X, y == label)
        np.testing.assert_allclose(clf.covariance_[k], binary.covariance_,
                                   rtol=1e-8)
        np.testing.assert_allclose(clf.conf_int(0.1)[k], binary.conf_int(0.1),
                                   rtol=1e-8)
    summary = clf.summary()
    text = str(summary)
    for label in clf.classes_.tolist():
        assert f"class {label!r} vs rest" in text
    frame = summary.to_frame()
    assert frame.shape == (K * n_coef, 6)
    np.testing.assert_allclose(frame.loc["bee", "std err"],
                               clf.std_errors_[1])
    assert set(summary.statistics) == set(clf.classes_)


def test_p_values_keep_precision_far_in_the_tail():
    X, y = synthetic_binary(n=4000, p=2, seed=6)
    clf = clogit.LogisticRegression(penalty=None, tol=TOL).fit(X, y)
    from scipy.stats import norm
    expected = 2 * norm.sf(np.abs(clf.z_values_))
    assert np.max(np.abs(clf.z_values_)) > 10  # p < 1e-23: 1 - cdf gives 0
    assert np.all(clf.p_values_ > 0)
    np.testing.assert_allclose(clf.p_values_, expected, rtol=1e-12)


def test_summary_text_names_and_header():
    pd = pytest.importorskip("pandas")
    X, y = _bc_subset()
    columns = [f"feature {j}" for j in range(X.shape[1])]
    frame = pd.DataFrame(X, columns=columns)
    clf = clogit.LogisticRegression(penalty=None, tol=TOL).fit(frame, y)
    summary = clf.summary(alpha=0.1, yname="malignant")
    text = str(summary)
    assert text == repr(summary)
    for expected in ["Logit Regression Results", "Dep. Variable:",
                     "malignant", "No. Observations:", "569",
                     "Df Residuals:", "Df Model:", "Log-Likelihood:",
                     "LL-Null:", "Pseudo R-squ.:", "LLR p-value:", "AIC:",
                     "BIC:", "converged:", "True", "Iterations:", "MLE",
                     "Covariance Type:", "nonrobust", "std err", "P>|z|",
                     "[0.05", "0.95]", "const", "feature 8"]:
        assert expected in text, expected
    assert "penalized" not in text
    lines = text.splitlines()
    const_row = next(line for line in lines if line.startswith("const"))
    assert f"{clf.intercept_[0]:.4f}" in const_row
    table = summary.to_frame()
    assert list(table.index) == ["const"] + columns
    assert list(table.columns) == ["coef", "std err", "z", "P>|z|", "[0.05",
                                   "0.95]"]
    np.testing.assert_array_equal(table["coef"], clf.params_)
    np.testing.assert_array_equal(table[["[0.05", "0.95]"]],
                                  clf.conf_int(0.1))
    html = summary._repr_html_()
    assert html == summary.as_html()
    assert html.count("<table") == 2 and "feature 8" in html


def test_summary_to_frame_without_pandas(monkeypatch):
    X, y = synthetic_binary(n=200, p=2)
    summary = clogit.LogisticRegression().fit(X, y).summary()
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match="needs pandas"):
        summary.to_frame()
    assert "x1" in str(summary)  # text needs no pandas


def test_summary_html_escapes_names():
    pd = pytest.importorskip("pandas")
    X, y = synthetic_binary(n=200, p=2)
    frame = pd.DataFrame(X, columns=["<b>a</b>", "b&c"])
    html = clogit.LogisticRegression().fit(frame, y).summary()._repr_html_()
    assert "<b>a</b>" not in html and "&lt;b&gt;a&lt;/b&gt;" in html
    assert "b&amp;c" in html


def test_unfitted_estimator_has_no_inference_attributes():
    clf = clogit.LogisticRegression()
    for name in ("covariance_", "std_errors_", "z_values_", "p_values_",
                 "odds_ratios_", "params_"):
        assert not hasattr(clf, name)
        with pytest.raises(NotFittedError):
            getattr(clf, name)
    with pytest.raises(NotFittedError):
        clf.conf_int()
    with pytest.raises(NotFittedError):
        clf.summary()


@pytest.mark.parametrize("penalty, extra", [("l1", {}),
                                            ("elasticnet", {"l1_ratio": 0.5})])
def test_l1_and_elasticnet_refuse_inference(penalty, extra):
    X, y = synthetic_binary(n=300, p=3)
    clf = clogit.LogisticRegression(penalty=penalty, **extra).fit(X, y)
    with pytest.raises(ValueError, match=f"penalty={penalty!r}"):
        clf.covariance_
    with pytest.raises(ValueError, match="not available"):
        clf.summary()
    with pytest.raises(ValueError, match="not available"):
        clf.conf_int()
    assert not hasattr(clf, "std_errors_")  # hasattr never crashes


def test_l1_with_c_inf_is_unpenalized_and_has_inference():
    X, y = synthetic_binary(n=300, p=3)
    a = clogit.LogisticRegression(penalty="l1", C=np.inf, tol=TOL).fit(X, y)
    b = clogit.LogisticRegression(penalty=None, tol=TOL).fit(X, y)
    np.testing.assert_allclose(a.std_errors_, b.std_errors_, rtol=1e-6)


def test_inference_refused_after_coefficients_change():
    X, y = synthetic_binary(n=300, p=3)
    clf = clogit.LogisticRegression().fit(X, y)
    clf.coef_ = clf.coef_ * 2
    with pytest.raises(ValueError, match="changed since fit"):
        clf.std_errors_


def test_inference_survives_pickle_and_refit_resets_it():
    X, y = synthetic_binary(n=300, p=3)
    clf = clogit.LogisticRegression(penalty=None, tol=TOL).fit(X, y)
    clone = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(clone.covariance_, clf.covariance_)
    X2, y2 = synthetic_binary(n=300, p=3, seed=9)
    clone.fit(X2, y2)
    fresh = clogit.LogisticRegression(penalty=None, tol=TOL).fit(X2, y2)
    np.testing.assert_array_equal(clone.covariance_, fresh.covariance_)


def test_singular_hessian_gives_nan_and_a_note():
    X, y = synthetic_binary(n=500, p=3)
    X = np.hstack([X, X[:, :1]])
    with pytest.warns(LinAlgWarning):
        clf = clogit.LogisticRegression(penalty=None, tol=1e-8).fit(X, y)
    assert np.all(np.isnan(clf.std_errors_))
    assert "singular" in str(clf.summary())


@pytest.mark.parametrize("alpha", [0, 1, -0.1, 1.5, np.nan, "0.05", True])
def test_bad_alpha(alpha):
    clf = clogit.LogisticRegression().fit(*synthetic_binary(n=100, p=2))
    with pytest.raises(ValueError, match="alpha must be"):
        clf.conf_int(alpha)
    with pytest.raises(ValueError, match="alpha must be"):
        clf.summary(alpha)


def test_float32_data_give_float64_inference():
    X, y = synthetic_binary(n=800, p=3, seed=8)
    a = clogit.LogisticRegression(penalty=None, tol=TOL).fit(
        X.astype(np.float32), y)
    b = clogit.LogisticRegression(penalty=None, tol=TOL).fit(
        X.astype(np.float32).astype(np.float64), y)
    assert a.covariance_.dtype == np.float64
    np.testing.assert_allclose(a.std_errors_, b.std_errors_, rtol=1e-9)


def test_multinomial_fits_give_inference_per_contrast():
    X, y = synthetic_multiclass(n=300)
    clf = clogit.LogisticRegression(multi_class="multinomial").fit(X, y)
    K, n_coef = len(clf.classes_), X.shape[1] + 1
    assert clf.params_.shape == clf.std_errors_.shape == (K - 1, n_coef)
    assert clf.covariance_.shape == ((K - 1) * n_coef,) * 2
    assert clf.conf_int().shape == (K - 1, n_coef, 2)
    # contrasts with the first class, intercept first
    np.testing.assert_allclose(clf.params_[0, 0],
                               clf.intercept_[1] - clf.intercept_[0])
    np.testing.assert_allclose(clf.params_[1, 1:],
                               clf.coef_[2] - clf.coef_[0])
    assert "MNLogit Regression Results" in str(clf.summary())
