"""Multinomial inference (clogit._inference.multinomial) against
statsmodels' ``MNLogit`` on the anes96 data (statsmodels' own MNLogit test
data, verified there against Stata): every figure, the classical, robust
and cluster covariances; the l2 fit against the penalized Hessian's
pseudo-inverse mapped to the contrasts with numpy.
"""

import numpy as np
import pytest
import scipy.sparse as sp

import clogit
from _data import synthetic_multiclass
from _reference import assert_same_figures

sm = pytest.importorskip("statsmodels.api")
pd = pytest.importorskip("pandas")

COLUMNS = ["logpopul", "selfLR", "age", "educ", "income"]


@pytest.fixture(scope="module")
def anes():
    data = sm.datasets.anes96.load_pandas()
    return data.exog[COLUMNS], data.endog


def _mnlogit(X, y, **kwargs):
    return sm.MNLogit(y, sm.add_constant(X)).fit(
        method="newton", tol=1e-12, maxiter=100, disp=0, **kwargs)


@pytest.mark.parametrize("cov_type", ["nonrobust", "HC0", "cluster"])
def test_multinomial_equals_mnlogit(anes, cov_type):
    X, y = anes
    groups = np.arange(len(y)) % 37
    kwargs = {"cov_kwds": {"groups": groups}} if cov_type == "cluster" \
        else {}
    ref = _mnlogit(X, y, cov_type=cov_type, **kwargs)
    est = clogit.LogisticRegression(
        penalty=None, tol=1e-12, max_iter=200, cov_type=cov_type).fit(
            X, y, groups=groups if cov_type == "cluster" else None)
    res = est.results_
    assert isinstance(res, clogit.MNLogitResults)
    assert_same_figures(res, ref)
    # statsmodels' layout: exog rows, one column per class after the first
    assert res.params.shape == ref.params.shape == (6, 6)
    assert list(res.params.index) == list(ref.params.index)
    assert list(res.params.columns) == list(est.classes_[1:])
    assert res.cov_params().shape == (36, 36)


def test_multinomial_summary_is_laid_out_as_mnlogit(anes):
    X, y = anes
    est = clogit.LogisticRegression(penalty=None, tol=1e-10).fit(X, y)
    text = str(est.summary())
    ref = _mnlogit(X, y)
    assert "MNLogit Regression Results" in text
    assert "Dep. Variable:                    PID" in text
    for k in range(1, 7):  # "PID=1" as statsmodels, not "PID=1.0"
        assert f"PID={k} " in text
    row = next(line for line in text.splitlines()
               if line.startswith("selfLR"))
    assert row.split()[1:3] == [f"{ref.params.iloc[2, 0]:.4f}",
                                f"{ref.bse.iloc[2, 0]:.3f}"]
    frame = est.summary().to_frame()
    assert frame.shape == (36, 6)


@pytest.mark.parametrize("solver", ["lbfgs", "sparse"])
def test_every_multinomial_solver_and_layout(anes, solver):
    X, y = anes
    newton = clogit.LogisticRegression(penalty=None, tol=1e-12,
                                       max_iter=200).fit(X, y)
    if solver == "lbfgs":
        # on anes96's unscaled columns L-BFGS reaches a scaled gradient of
        # 1.1e-7 at the limit of float64 (and warns below that): at 1e-6
        # its standard errors are within 1e-5 of Newton's
        other = clogit.LogisticRegression(penalty=None, solver="lbfgs",
                                          tol=1e-6, max_iter=20_000).fit(
            X, y)
        rtol = 3e-5
    else:
        other = clogit.LogisticRegression(penalty=None, tol=1e-12,
                                          max_iter=200).fit(
            sp.csr_matrix(X.to_numpy()), y)
        rtol = 1e-8
    np.testing.assert_allclose(other.std_errors_, newton.std_errors_,
                               rtol=rtol)


def _contrast_covariance(X, y, coef, C, fit_intercept):
    """A pinv(H/C) A^T with numpy: H the penalized Hessian of every class
    (intercept last in each class), A the contrasts with class 0."""
    classes, codes = np.unique(y, return_inverse=True)
    K = len(classes)
    D = np.column_stack([X, np.ones(len(X))]) if fit_intercept else X
    k1 = D.shape[1]
    Z = D @ coef.T
    P = np.exp(Z - Z.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    H = np.zeros((K * k1, K * k1))
    for c in range(K):
        for d in range(K):
            w = P[:, c] * ((c == d) - P[:, d])
            H[c * k1:(c + 1) * k1, d * k1:(d + 1) * k1] = (D.T * w) @ D
    penalized = np.ones((K, k1), bool)
    if fit_intercept:
        penalized[:, -1] = False
    idx = np.flatnonzero(penalized.ravel())
    H[idx, idx] += 1 / C
    A = np.zeros(((K - 1) * k1, K * k1))
    for k in range(1, K):
        A[(k - 1) * k1:k * k1, k * k1:(k + 1) * k1] = np.eye(k1)
        A[(k - 1) * k1:k * k1, :k1] = -np.eye(k1)
    V = np.linalg.pinv(H)
    cov = A @ V @ A.T
    edf = np.trace((H - np.diag(np.where(penalized.ravel(), 1 / C, 0))) @ V)
    order = (np.r_[k1 - 1, :k1 - 1] if fit_intercept else np.arange(k1))
    order = np.concatenate([order + k * k1 for k in range(K - 1)])
    return cov[np.ix_(order, order)], edf


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_l2_multinomial_is_the_penalized_estimators_covariance(
        fit_intercept):
    X, y = synthetic_multiclass(n=500, p=3)
    est = clogit.LogisticRegression(C=0.2, tol=1e-12,
                                    fit_intercept=fit_intercept).fit(X, y)
    coef = (np.column_stack([est.coef_, est.intercept_]) if fit_intercept
            else est.coef_)
    cov, edf = _contrast_covariance(X, y, coef, 0.2, fit_intercept)
    np.testing.assert_allclose(est.covariance_, cov, rtol=1e-8, atol=1e-14)
    res = est.results_
    np.testing.assert_allclose(res.n_params, edf, rtol=1e-8)
    np.testing.assert_allclose(res.df_model, edf - 3, rtol=1e-8)
    assert np.isnan(res.llr_pvalue)
    assert "Penalized estimator" in str(est.summary())


def test_multinomial_sample_weights_are_frequency_weights(anes):
    X, y = anes
    counts = np.random.default_rng(0).integers(0, 3, len(y))
    params = dict(penalty=None, tol=1e-12, max_iter=200, cov_type="HC0")
    weighted = clogit.LogisticRegression(**params).fit(X, y, counts)
    rows = np.repeat(np.arange(len(y)), counts)
    repeated = clogit.LogisticRegression(**params).fit(X.iloc[rows],
                                                       y.iloc[rows])
    np.testing.assert_allclose(weighted.covariance_, repeated.covariance_,
                               rtol=1e-7)
    np.testing.assert_allclose(weighted.results_.llf, repeated.results_.llf,
                               rtol=1e-10)


def test_multinomial_l1_refuses_inference():
    X, y = synthetic_multiclass(n=300)
    est = clogit.LogisticRegression(penalty="l1", C=0.5,
                                    multi_class="multinomial").fit(X, y)
    with pytest.raises(ValueError, match="penalty='l1'"):
        est.results_
