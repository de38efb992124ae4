"""Residuals and prediction tables (clogit._inference.residuals) against
statsmodels' ``Logit`` (Spector) and ``MNLogit`` (anes96), their closed
forms far in the tails, frequency weights, One-vs-Rest problems, and the
errors without training data."""

import numpy as np
import pytest
import scipy.sparse as sp

import clogit

sm = pytest.importorskip("statsmodels.api")

NAMES = ["resid_response", "resid_pearson", "resid_dev",
         "resid_generalized"]


@pytest.fixture(scope="module")
def spector():
    data = sm.datasets.spector.load_pandas()
    X, y = data.exog, data.endog
    ref = sm.Logit(y, sm.add_constant(X)).fit(disp=0, method="newton",
                                               tol=1e-12)
    est = clogit.LogisticRegression(penalty=None, tol=1e-11).fit(X, y)
    return X, y, ref, est


@pytest.mark.parametrize("name", NAMES)
def test_binary_residuals_equal_statsmodels(spector, name):
    X, y, ref, est = spector
    got = getattr(est.results_, name)
    assert isinstance(got, np.ndarray) and got.shape == (32,)
    np.testing.assert_allclose(got, np.asarray(getattr(ref, name)),
                               rtol=1e-8)


@pytest.mark.parametrize("threshold", [0.5, 0.3, 0.8, 0.0])
def test_pred_table_equals_statsmodels(spector, threshold):
    X, y, ref, est = spector
    np.testing.assert_array_equal(est.results_.pred_table(threshold),
                                  ref.pred_table(threshold))


def test_residuals_stay_exact_in_the_tails():
    # nearly separated data: |z| in the hundreds, where 1 - p rounds to 0
    X = np.r_[np.linspace(-40, -1, 20), np.linspace(1, 40, 20), 0.5, -0.5]
    y = np.r_[np.zeros(20), np.ones(20), 0, 1]
    est = clogit.LogisticRegression(C=100.0, tol=1e-10).fit(X[:, None], y)
    res = est.results_
    z = est.decision_function(X[:, None])
    pearson = np.where(y == 1, np.exp(-z / 2), -np.exp(z / 2))
    loglik = np.where(y == 1, -np.logaddexp(0, -z), -np.logaddexp(0, z))
    np.testing.assert_allclose(res.resid_pearson, pearson, rtol=1e-12)
    np.testing.assert_allclose(res.resid_dev,
                               np.sign(y - 0.5) * np.sqrt(-2 * loglik),
                               rtol=1e-12)
    assert np.all(np.isfinite(res.resid_pearson))
    # the deviance residuals' squares sum to the deviance -2 llf
    assert np.sum(res.resid_dev ** 2) == pytest.approx(-2 * res.llf,
                                                       rel=1e-12)


def test_weights_count_as_observations(spector):
    X, y, _, _ = spector
    weights = np.arange(32) % 3
    rows = np.repeat(np.arange(32), weights)
    weighted = clogit.LogisticRegression(penalty=None, tol=1e-11).fit(
        X, y, sample_weight=weights).results_
    repeated = clogit.LogisticRegression(penalty=None, tol=1e-11).fit(
        X.iloc[rows], y.iloc[rows]).results_
    np.testing.assert_allclose(weighted.resid_dev[rows],
                               repeated.resid_dev, rtol=1e-8)
    np.testing.assert_array_equal(weighted.pred_table(),
                                  repeated.pred_table())


def test_sparse_training_data_give_the_same_residuals(spector):
    X, y, _, est = spector
    sparse = clogit.LogisticRegression(penalty=None, tol=1e-11).fit(
        sp.csr_matrix(X.to_numpy()), y)
    np.testing.assert_allclose(sparse.results_.resid_pearson,
                               est.results_.resid_pearson, rtol=1e-8)


def test_one_vs_rest_residuals_are_each_problems():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((300, 2))
    y = rng.integers(0, 3, 300)
    est = clogit.LogisticRegression(penalty=None, multi_class="ovr").fit(X, y)
    for k, res in enumerate(est.results_):
        p = 1 / (1 + np.exp(-est.decision_function(X)[:, k]))
        np.testing.assert_allclose(res.resid_response, (y == k) - p,
                                   rtol=1e-10, atol=1e-14)
        assert res.pred_table().sum() == 300


def test_multinomial_residuals_equal_statsmodels():
    data = sm.datasets.anes96.load_pandas()
    X = data.exog[["logpopul", "selfLR", "age"]]
    ref = sm.MNLogit(data.endog, sm.add_constant(X)).fit(
        disp=0, method="newton", tol=1e-12)
    res = clogit.LogisticRegression(penalty=None, tol=1e-11).fit(
        X, data.endog).results_
    np.testing.assert_allclose(res.resid_response,
                               np.asarray(ref.resid_response), rtol=1e-8,
                               atol=1e-12)
    np.testing.assert_array_equal(res.resid_misclassified,
                                  ref.resid_misclassified)
    np.testing.assert_array_equal(res.pred_table(), ref.pred_table())


def test_residuals_need_the_training_data(spector, tmp_path):
    X, y, _, est = spector
    est.save(tmp_path / "m.json")
    loaded = clogit.load(tmp_path / "m.json").results_
    with pytest.raises(ValueError, match="resid_dev needs the training"):
        loaded.resid_dev
    with pytest.raises(ValueError, match="pred_table"):
        loaded.pred_table()
    with pytest.raises(ValueError, match="threshold"):
        est.results_.pred_table(np.nan)
    # data changed in place since fit: refused, never wrong
    X2 = X.to_numpy().copy()
    fit = clogit.LogisticRegression(penalty=None).fit(X2, y)
    X2[0, 0] += 1.0
    with pytest.raises(ValueError, match="changed since fit"):
        fit.results_.resid_pearson
