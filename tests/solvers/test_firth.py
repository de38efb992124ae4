"""``penalty="firth"`` (clogit._solvers.firth) against an independent
minimization of Firth's objective ``-l - 1/2 log det I`` by scipy (BFGS on
a numpy implementation), the modified score at zero (numpy's explicit
hat matrix), frequency weights (integer weights == duplicated rows, C ==
a weight on every row), finite estimates without a SeparationWarning on
separated data, One-vs-Rest, every input layout, and its errors.
"""

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.optimize import minimize

import clogit
from clogit._solvers.firth import SingularInformationError

sm = pytest.importorskip("statsmodels.api")


def design(X, fit_intercept=True):
    X = np.asarray(X, dtype=np.float64)
    return np.column_stack([np.ones(len(X)), X]) if fit_intercept else X


def firth_objective(theta, Xt, y, s):
    """-l - 1/2 log det(X~' W X~), intercept first."""
    z = Xt @ theta
    loglik = np.sum(s * (y * z - np.logaddexp(0, z)))
    p = 1 / (1 + np.exp(-z))
    info = Xt.T @ ((s * p * (1 - p))[:, None] * Xt)
    return -loglik - 0.5 * np.linalg.slogdet(info)[1]


def modified_score(theta, Xt, y, s):
    z = Xt @ theta
    p = 1 / (1 + np.exp(-z))
    W = s * p * (1 - p)
    root = np.sqrt(W)[:, None] * Xt
    hat = np.diag(root @ np.linalg.solve(Xt.T @ (W[:, None] * Xt), root.T))
    return Xt.T @ (s * (y - p) + hat * (0.5 - p))


def scipy_firth(Xt, y, s, start):
    # with the modified score as the gradient (Firth 1993: the penalized
    # log-likelihood's gradient): by finite differences BFGS stopped with
    # a score of 2e-6 on spector, 3e-6 relative from the optimum
    result = minimize(firth_objective, start, args=(Xt, y, s),
                      jac=lambda theta, *data: -modified_score(theta, *data),
                      method="BFGS", options={"gtol": 1e-10, "maxiter": 2000})
    return result.x


def params(est):
    return np.r_[est.intercept_, est.coef_.ravel()]


def rare_events(n=600, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 3))
    z = -4.0 + X @ np.array([1.0, -0.5, 0.0])
    y = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(float)
    return X, y


@pytest.fixture(scope="module")
def spector():
    data = sm.datasets.spector.load_pandas()
    return data.exog.to_numpy(), data.endog.to_numpy()


@pytest.mark.parametrize("dataset", ["spector", "rare"])
def test_firth_equals_scipy_minimization(spector, dataset):
    X, y = spector if dataset == "spector" else rare_events()
    s = np.ones(len(y))
    est = clogit.LogisticRegression(penalty="firth", tol=1e-12).fit(X, y)
    assert est.converged_
    Xt = design(X)
    expected = scipy_firth(Xt, y, s, params(est) + 0.1)
    np.testing.assert_allclose(params(est), expected, rtol=1e-6, atol=1e-7)
    # the modified score vanishes at clogit's estimate (and the objective
    # is scipy's minimum)
    score = modified_score(params(est), Xt, y, s)
    assert np.max(np.abs(score)) < 1e-9 * len(y)
    assert firth_objective(params(est), Xt, y, s) <= firth_objective(
        expected, Xt, y, s) + 1e-10
    res = est.results_
    # Wald figures from the Fisher information at the estimate
    z = Xt @ params(est)
    p = 1 / (1 + np.exp(-z))
    cov = np.linalg.inv(Xt.T @ ((p * (1 - p))[:, None] * Xt))
    np.testing.assert_allclose(res.cov_params().to_numpy(), cov, rtol=1e-8)
    assert res.llf_penalized == pytest.approx(
        -firth_objective(params(est), Xt, y, s), rel=1e-12)
    assert res.llf == pytest.approx(
        np.sum(y * z - np.logaddexp(0, z)), rel=1e-12)
    assert res.method == "firth-penalized ML"
    assert "Firth's penalized likelihood" in str(res.summary())


def test_firth_shrinks_the_maximum_likelihood_estimate(spector):
    X, y = spector
    firth = clogit.LogisticRegression(penalty="firth", tol=1e-10).fit(X, y)
    mle = clogit.LogisticRegression(penalty=None, tol=1e-10).fit(X, y)
    assert np.all(np.abs(firth.coef_) < np.abs(mle.coef_))


def test_integer_weights_equal_duplicated_rows():
    X, y = rare_events(300, seed=2)
    weights = np.arange(300) % 3
    rows = np.repeat(np.arange(300), weights)
    weighted = clogit.LogisticRegression(penalty="firth", tol=1e-12).fit(
        X, y, sample_weight=weights)
    repeated = clogit.LogisticRegression(penalty="firth", tol=1e-12).fit(
        X[rows], y[rows])
    np.testing.assert_allclose(params(weighted), params(repeated),
                               rtol=1e-9)
    a, b = weighted.results_, repeated.results_
    np.testing.assert_allclose(a.bse, b.bse, rtol=1e-8)
    assert a.llf_penalized == pytest.approx(b.llf_penalized, rel=1e-10)
    assert a.nobs == b.nobs == rows.shape[0]
    # C counts as a frequency weight of every row
    doubled = clogit.LogisticRegression(penalty="firth", C=2.0,
                                        tol=1e-12).fit(X, y)
    twice = clogit.LogisticRegression(penalty="firth", tol=1e-12).fit(
        X, y, sample_weight=np.full(300, 2.0))
    np.testing.assert_allclose(params(doubled), params(twice), rtol=1e-10)


@pytest.mark.parametrize("kind", ["complete", "quasi"])
def test_separated_data_give_finite_estimates_without_warning(kind):
    # filterwarnings=error: a SeparationWarning (or any) would fail here
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 2))
    y = (X[:, 0] > 0).astype(int)
    if kind == "quasi":
        X[:5, 0] = 0.0
        y[:5] = np.arange(5) % 2
    est = clogit.LogisticRegression(penalty="firth", tol=1e-10).fit(X, y)
    assert est.converged_
    assert np.all(np.isfinite(est.coef_)) and np.abs(est.coef_).max() < 50
    Xt = design(X)
    expected = scipy_firth(Xt, y.astype(float), np.ones(60), params(est))
    np.testing.assert_allclose(params(est), expected, rtol=1e-5, atol=1e-6)
    assert np.all(np.isfinite(est.results_.bse))


def test_one_vs_rest_fits_each_class_by_firth():
    rng = np.random.default_rng(4)
    X = rng.standard_normal((240, 2))
    y = np.digitize(X[:, 0] + 0.5 * rng.standard_normal(240), [-0.5, 0.5])
    est = clogit.LogisticRegression(penalty="firth", tol=1e-11).fit(X, y)
    assert est.coef_.shape == (3, 2) and len(est.results_) == 3
    for k in range(3):
        single = clogit.LogisticRegression(penalty="firth", tol=1e-11).fit(
            X, (y == k).astype(int))
        np.testing.assert_allclose(est.coef_[k], single.coef_[0],
                                   rtol=1e-9)


@pytest.mark.parametrize("layout", ["csr", "csc", "float32", "F",
                                    "no_intercept"])
def test_every_layout_gives_the_same_fit(layout):
    X, y = rare_events(400, seed=5)
    X[np.abs(X) < 0.5] = 0.0
    fit_intercept = layout != "no_intercept"
    reference = clogit.LogisticRegression(
        penalty="firth", tol=1e-12, fit_intercept=fit_intercept).fit(X, y)
    Xl = {"csr": sp.csr_matrix(X), "csc": sp.csc_matrix(X),
          "float32": X.astype(np.float32), "F": np.asfortranarray(X),
          "no_intercept": X}[layout]
    if layout == "float32":
        reference = clogit.LogisticRegression(penalty="firth",
                                              tol=1e-12).fit(
            Xl.astype(np.float64), y)
    est = clogit.LogisticRegression(
        penalty="firth", tol=1e-12, fit_intercept=fit_intercept).fit(Xl, y)
    np.testing.assert_allclose(est.coef_, reference.coef_, rtol=1e-6)
    if not fit_intercept:
        Xt = design(X, False)
        expected = scipy_firth(Xt, y, np.ones(400), est.coef_.ravel())
        np.testing.assert_allclose(est.coef_.ravel(), expected, rtol=1e-5)


def test_firth_model_files_round_trip(tmp_path, spector):
    X, y = spector
    est = clogit.LogisticRegression(penalty="firth").fit(X, y)
    est.save(tmp_path / "firth.json")
    loaded = clogit.load(tmp_path / "firth.json")
    np.testing.assert_array_equal(loaded.coef_, est.coef_)
    a, b = loaded.results_, est.results_
    np.testing.assert_allclose(a.bse, b.bse, rtol=1e-12)
    assert a.llf_penalized == pytest.approx(b.llf_penalized, rel=1e-12)
    with pytest.raises(ValueError, match="needs the training data"):
        a.conf_int(method="profile")


def test_firth_errors(spector):
    X, y = spector
    with pytest.raises(ValueError, match="solver='auto' or 'newton'"):
        clogit.LogisticRegression(penalty="firth", solver="lbfgs").fit(X, y)
    with pytest.raises(ValueError, match="multi_class='ovr'"):
        clogit.LogisticRegression(penalty="firth",
                                  multi_class="multinomial").fit(X, y)
    with pytest.raises(ValueError, match="C=inf"):
        clogit.LogisticRegression(penalty="firth", C=np.inf).fit(X, y)
    constant = np.column_stack([X, np.zeros(len(y))])  # I is singular
    with pytest.raises(SingularInformationError, match="singular"):
        clogit.LogisticRegression(penalty="firth").fit(constant, y)
    da = pytest.importorskip("dask.array")
    from clogit.dask import LogisticRegression as DaskLogisticRegression
    with pytest.raises(ValueError, match="in memory only"):
        DaskLogisticRegression(penalty="firth").fit(
            da.from_array(X, chunks=16), da.from_array(y, chunks=16))
