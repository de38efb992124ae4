"""``results_.get_prediction`` (clogit._inference.prediction) against
statsmodels: ``Logit.get_prediction`` on the Spector data for every
covariance type, per row and averaged, endpoint and delta intervals,
``which="linear"``, formulas (``smf.logit``) with raw new data; the
multinomial model against statsmodels' delta method
(``NonlinearDeltaCov``, complex-step derivatives of ``MNLogit.predict``)
on anes96.  Sparse, float32 and F-ordered X give the dense float64
figures; integer weights equal duplicated rows.

Tolerance: rtol 1e-8 for the predictions (both sides are exact formulas of
parameters that agree to ~1e-10), 1e-7 for the standard errors.
"""

import sys

import numpy as np
import pytest
import scipy.sparse as sp

import clogit
from clogit._inference.prediction import covariance_factor

sm = pytest.importorskip("statsmodels.api")
pd = pytest.importorskip("pandas")
from statsmodels.stats._delta_method import NonlinearDeltaCov  # noqa: E402

RTOL = 1e-7


@pytest.fixture(scope="module")
def spector():
    data = sm.datasets.spector.load_pandas()
    return data.exog, data.endog


def _assert_frames(got, expected, rtol=RTOL):
    assert list(got.columns) == ["predicted", "se", "ci_lower", "ci_upper"]
    assert list(got.columns) == list(expected.columns)
    np.testing.assert_allclose(got.to_numpy(), expected.to_numpy(),
                               rtol=rtol, atol=1e-15)
    assert list(got.index) == list(expected.index)


@pytest.mark.parametrize("cov_type", ["nonrobust", "HC0", "HC3", "cluster"])
def test_binary_prediction_equals_statsmodels(spector, cov_type):
    X, y = spector
    groups = np.arange(len(y)) % 7
    kwargs = ({"cov_kwds": {"groups": groups}} if cov_type == "cluster"
              else {})
    ref = sm.Logit(y, sm.add_constant(X)).fit(
        disp=0, method="newton", tol=1e-12, cov_type=cov_type, **kwargs)
    est = clogit.LogisticRegression(penalty=None, tol=1e-10,
                                    cov_type=cov_type).fit(
        X, y, groups=groups if cov_type == "cluster" else None)
    res = est.results_
    # at the training rows, at new rows (a DataFrame: its index labels the
    # rows), the linear predictor, and the averages
    pairs = [(res.get_prediction(), ref.get_prediction()),
             (res.get_prediction(X.iloc[5:20]),
              ref.get_prediction(sm.add_constant(X).iloc[5:20])),
             (res.get_prediction(X, which="linear"),
              ref.get_prediction(which="linear")),
             (res.get_prediction(average=True),
              ref.get_prediction(average=True)),
             (res.get_prediction(X, average=True,
                                 agg_weights=np.arange(32.0)),
              ref.get_prediction(average=True, agg_weights=np.arange(32.0)))]
    for alpha in (0.05, 0.1, 1e-4):
        for got, expected in pairs:
            _assert_frames(got.summary_frame(alpha),
                           expected.summary_frame(alpha))
    got, expected = pairs[0]
    np.testing.assert_allclose(got.predicted, expected.predicted, rtol=1e-8)
    np.testing.assert_allclose(got.var_pred, expected.var_pred, rtol=RTOL)
    np.testing.assert_allclose(got.linpred, expected.linpred, rtol=1e-8)
    np.testing.assert_allclose(got.linpred_se, expected.linpred_se,
                               rtol=RTOL)
    for method in ("endpoint", "delta"):
        np.testing.assert_allclose(got.conf_int(method=method),
                                   expected.conf_int(method=method),
                                   rtol=RTOL)
    for alternative in ("two-sided", "larger", "smaller"):
        for a, b in zip(got.t_test(0.3, alternative),
                        expected.t_test(0.3, alternative)):
            np.testing.assert_allclose(a, b, rtol=RTOL)
    np.testing.assert_allclose(got.tvalues, expected.tvalues, rtol=RTOL)
    assert list(pairs[1][0].summary_frame().index) == list(range(5, 20))


def test_prediction_without_intercept(spector):
    X, y = spector
    ref = sm.Logit(y, X).fit(disp=0, method="newton", tol=1e-12)
    est = clogit.LogisticRegression(penalty=None, tol=1e-10,
                                    fit_intercept=False).fit(X, y)
    _assert_frames(est.results_.get_prediction(X).summary_frame(),
                   ref.get_prediction(X).summary_frame())


def test_prediction_of_a_formula_fit_from_raw_data():
    pytest.importorskip("formulaic")
    smf = pytest.importorskip("statsmodels.formula.api")
    df = sm.datasets.spector.load_pandas().data
    formula = "GRADE ~ GPA + I(TUCE ** 2) + C(PSI)"
    est = clogit.logit(formula, df, tol=1e-10)
    ref = smf.logit(formula, df).fit(disp=0, method="newton", tol=1e-12)
    new = df.iloc[[3, 8, 1, 30]]
    _assert_frames(est.results_.get_prediction(new).summary_frame(),
                   ref.get_prediction(new).summary_frame())


@pytest.mark.parametrize("layout", ["csr", "csc", "float32", "F"])
def test_every_layout_gives_the_dense_figures(layout):
    rng = np.random.default_rng(3)
    X = rng.standard_normal((3000, 7))
    X[rng.random(X.shape) < 0.6] = 0.0
    y = (rng.random(3000) < 1 / (1 + np.exp(-X @ np.linspace(-1, 1, 7))))
    if layout == "float32":
        X = X.astype(np.float32)
    est = clogit.LogisticRegression(penalty=None, tol=1e-10).fit(X, y)
    res = est.results_
    expected = res.get_prediction(X).summary_frame()
    Xl = {"csr": sp.csr_matrix(X), "csc": sp.csc_matrix(X),
          "float32": X, "F": np.asfortranarray(X)}[layout]
    got = res.get_prediction(Xl).summary_frame()
    np.testing.assert_allclose(got.to_numpy(), expected.to_numpy(),
                               rtol=1e-10)
    # against the formula, from the covariance with numpy
    Xt = np.column_stack([np.ones(len(X)), np.asarray(X, np.float64)])
    eta = Xt @ res.params.to_numpy()
    p = 1 / (1 + np.exp(-eta))
    var_eta = np.einsum("ij,jk,ik->i", Xt, res.cov_params().to_numpy(), Xt)
    np.testing.assert_allclose(got["predicted"], p, rtol=1e-10)
    np.testing.assert_allclose(got["se"], p * (1 - p) * np.sqrt(var_eta),
                               rtol=1e-9)


def test_penalized_and_one_vs_rest_predictions_use_their_covariance():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((400, 3))
    y = rng.integers(0, 3, 400)
    est = clogit.LogisticRegression(C=0.5, multi_class="ovr").fit(X, y)
    for k, res in enumerate(est.results_):
        pred = res.get_prediction(X[:10])
        Xt = np.column_stack([np.ones(10), X[:10]])
        cov = res.cov_params().to_numpy()
        eta = Xt @ res.params.to_numpy()
        np.testing.assert_allclose(pred.linpred, eta, rtol=1e-12)
        np.testing.assert_allclose(
            pred.linpred_se, np.sqrt(np.einsum("ij,jk,ik->i", Xt, cov, Xt)),
            rtol=1e-10)
        # class k's problem: the sigmoid of its column of decision_function
        scores = est.decision_function(X[:10])[:, k]
        np.testing.assert_allclose(pred.predicted, 1 / (1 + np.exp(-scores)),
                                   rtol=1e-12)


def test_integer_weights_equal_duplicated_rows(spector):
    X, y = spector
    weights = np.arange(32) % 3 + 1
    rows = np.repeat(np.arange(32), weights)
    weighted = clogit.LogisticRegression(penalty=None, tol=1e-11).fit(
        X, y, sample_weight=weights).results_
    repeated = clogit.LogisticRegression(penalty=None, tol=1e-11).fit(
        X.iloc[rows], y.iloc[rows]).results_
    np.testing.assert_allclose(
        weighted.get_prediction(X).summary_frame().to_numpy(),
        repeated.get_prediction(X).summary_frame().to_numpy(), rtol=1e-8)
    # the average over the training rows is the weighted mean
    np.testing.assert_allclose(
        weighted.get_prediction(average=True).summary_frame().to_numpy(),
        repeated.get_prediction(average=True).summary_frame().to_numpy(),
        rtol=1e-8)


@pytest.fixture(scope="module")
def anes():
    data = sm.datasets.anes96.load_pandas()
    X = data.exog[["logpopul", "selfLR", "age", "educ", "income"]]
    return X, data.endog


def _delta(ref, function):
    """statsmodels' delta method for a function of MNLogit's params (its
    cov_params is in the params' column-major order)."""
    shape = ref.params.shape
    return NonlinearDeltaCov(
        lambda p: function(p.reshape(shape, order="F")),
        np.asarray(ref.params).ravel(order="F"),
        np.asarray(ref.cov_params()))


@pytest.mark.parametrize("cov_type", ["nonrobust", "HC0"])
def test_multinomial_prediction_equals_the_delta_method(anes, cov_type):
    X, y = anes
    ref = sm.MNLogit(y, sm.add_constant(X)).fit(
        disp=0, method="newton", tol=1e-12, cov_type=cov_type)
    res = clogit.LogisticRegression(penalty=None, tol=1e-10,
                                    cov_type=cov_type).fit(X, y).results_
    exog = np.asarray(sm.add_constant(X))
    rows = slice(0, 60)
    got = res.get_prediction(X.iloc[rows])
    expected = _delta(ref, lambda P: ref.model.predict(P, exog[rows]).ravel())
    assert got.predicted.shape == (60, 7)
    np.testing.assert_allclose(got.predicted.ravel(), expected.predicted(),
                               rtol=1e-8)
    np.testing.assert_allclose(got.se.ravel(), expected.se_vectorized(),
                               rtol=RTOL)
    ci = got.conf_int(0.1)
    np.testing.assert_allclose(ci.reshape(-1, 2), expected.conf_int(0.1),
                               rtol=RTOL)
    frame = got.summary_frame(0.1)
    assert frame.index.names == ["row", "class"]
    assert frame.shape == (420, 4)
    np.testing.assert_allclose(frame["ci_upper"], ci[..., 1].ravel())
    np.testing.assert_allclose(got.predicted.sum(axis=1), 1.0, rtol=1e-12)

    linear = res.get_prediction(X.iloc[rows], which="linear")
    expected = _delta(ref, lambda P: (exog[rows] @ P).ravel())
    np.testing.assert_allclose(linear.predicted.ravel(),
                               expected.predicted(), rtol=1e-8)
    np.testing.assert_allclose(linear.se.ravel(), expected.se_vectorized(),
                               rtol=RTOL)

    average = res.get_prediction(average=True)
    expected = _delta(ref, lambda P: ref.model.predict(P, exog).mean(0))
    np.testing.assert_allclose(average.predicted, expected.predicted(),
                               rtol=1e-8)
    np.testing.assert_allclose(average.se, expected.se_vectorized(),
                               rtol=RTOL)
    assert list(average.summary_frame().index) == list(res.classes)
    with pytest.raises(ValueError, match="method='delta'"):
        got.conf_int(method="endpoint")


def test_multinomial_prediction_of_sparse_x(anes):
    X, y = anes
    res = clogit.LogisticRegression(penalty=None, tol=1e-10).fit(
        X, y).results_
    dense = res.get_prediction(X.iloc[:40].to_numpy())
    sparse = res.get_prediction(sp.csr_matrix(X.iloc[:40].to_numpy()))
    np.testing.assert_allclose(sparse.se, dense.se, rtol=1e-12)
    np.testing.assert_allclose(sparse.predicted, dense.predicted, rtol=1e-12)


def test_prediction_after_load_and_its_errors(spector, tmp_path):
    X, y = spector
    est = clogit.LogisticRegression(penalty=None, tol=1e-10).fit(X, y)
    expected = est.results_.get_prediction(X).summary_frame()
    path = tmp_path / "model.json"
    est.save(path)
    loaded = clogit.load(path)
    # new rows need only the model
    _assert_frames(loaded.results_.get_prediction(X).summary_frame(),
                   expected, rtol=1e-12)
    with pytest.raises(ValueError, match="needs the training data"):
        loaded.results_.get_prediction()
    res = est.results_
    with pytest.raises(ValueError, match="fitted with 3"):
        res.get_prediction(np.ones((2, 2)))
    with pytest.raises(ValueError, match="columns"):
        res.get_prediction(X[["TUCE", "GPA", "PSI"]])
    with pytest.raises(ValueError, match="NaN"):
        res.get_prediction(np.full((2, 3), np.nan))
    with pytest.raises(ValueError, match="which must be"):
        res.get_prediction(X, which="prob")
    with pytest.raises(ValueError, match="agg_weights"):
        res.get_prediction(X, average=True, agg_weights=np.ones(3))
    with pytest.raises(ValueError, match="alpha"):
        res.get_prediction(X).conf_int(1.5)
    with pytest.raises(ValueError, match="method must be"):
        res.get_prediction(X).conf_int(method="exact")
    with pytest.raises(ValueError, match="alternative"):
        res.get_prediction(X).t_test(alternative="both")


def test_summary_frame_needs_pandas(spector, monkeypatch):
    X, y = spector
    est = clogit.LogisticRegression(penalty=None).fit(X.to_numpy(), y)
    pred = est.results_.get_prediction(X.to_numpy())
    monkeypatch.setitem(sys.modules, "pandas", None)
    assert pred.conf_int().shape == (32, 2)
    with pytest.raises(ImportError, match="clogit\\[pandas\\]"):
        pred.summary_frame()


def test_singular_covariance_gives_nan_standard_errors():
    X = np.column_stack([np.arange(20.0), np.arange(20.0)])  # collinear
    y = np.arange(20) % 2
    est = clogit.LogisticRegression(penalty=None, max_iter=5)
    with pytest.warns(Warning):
        est.fit(X, y)
    pred = est.results_.get_prediction(X)
    assert np.all(np.isnan(pred.se))
    assert np.all(np.isfinite(pred.predicted))


def test_covariance_factor_of_a_semi_definite_matrix():
    rng = np.random.default_rng(0)
    A = rng.standard_normal((5, 2))
    cov = A @ A.T  # rank 2: no Cholesky factor
    L = covariance_factor(cov)
    np.testing.assert_allclose(L @ L.T, cov, atol=1e-12)
    np.testing.assert_array_equal(L, np.tril(L))
    assert covariance_factor(np.full((2, 2), np.nan)) is None
