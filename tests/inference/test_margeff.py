"""``results_.get_margeff`` (clogit._inference.margeff) against statsmodels'
``get_margeff`` (``DiscreteMargins``, whose Jacobian is a complex-step
derivative) on the Spector data (``Logit``) for every ``at`` and
``method``, dummies and counts, ``atexog``; and on anes96 (``MNLogit``)
for dy/dx and d(lny)/dx.  statsmodels' ``MNLogit`` fails for "eyex"/"dyex"
(a broadcasting error) and for ``count=True`` (a float index): there the
reference is an independent numpy evaluation of the effects with a
central-difference Jacobian.  Integer weights equal duplicated rows.

Tolerance: rtol 1e-7 on effects and standard errors (the parameters of
both fits agree to ~1e-10); atol 1e-12 where an effect is exactly 0 (the
elasticities at x = 0).
"""

import numpy as np
import pytest
import scipy.sparse as sp

import clogit
from clogit._inference.margeff import METHODS, _weighted_median

sm = pytest.importorskip("statsmodels.api")
pd = pytest.importorskip("pandas")

RTOL = 1e-7


@pytest.fixture(scope="module")
def spector():
    data = sm.datasets.spector.load_pandas()
    X, y = data.exog, data.endog
    ref = sm.Logit(y, sm.add_constant(X)).fit(disp=0, method="newton",
                                               tol=1e-12)
    est = clogit.LogisticRegression(penalty=None, tol=1e-11).fit(X, y)
    return X, y, ref, est.results_


def _assert_margins(got, expected, rtol=RTOL):
    np.testing.assert_allclose(got.margeff, expected.margeff, rtol=rtol,
                               atol=1e-12)
    np.testing.assert_allclose(got.margeff_se, expected.margeff_se,
                               rtol=rtol, atol=1e-12)
    np.testing.assert_allclose(got.margeff_cov, expected.margeff_cov,
                               rtol=rtol, atol=1e-14)
    np.testing.assert_allclose(got.conf_int(0.1), expected.conf_int(0.1),
                               rtol=rtol, atol=1e-12)
    assert got.margeff_options == expected.margeff_options
    mask = np.asarray(expected.margeff_se) > 0
    with np.errstate(invalid="ignore"):  # statsmodels' 0 / 0 at x = 0
        ref_pvalues = expected.pvalues
        ref_frame = expected.summary_frame()
    np.testing.assert_allclose(got.pvalues[mask], ref_pvalues[mask],
                               rtol=1e-6)
    frame = got.summary_frame()
    assert list(frame.columns) == list(ref_frame.columns)
    assert list(frame.index) == list(ref_frame.index)
    np.testing.assert_allclose(frame.to_numpy(dtype=float)[mask.ravel("F")],
                               ref_frame.to_numpy()[mask.ravel("F")],
                               rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize("at", ["overall", "mean", "median", "zero"])
@pytest.mark.parametrize("method", METHODS)
def test_binary_margins_equal_statsmodels(spector, at, method):
    X, y, ref, res = spector
    _assert_margins(res.get_margeff(at=at, method=method),
                    ref.get_margeff(at=at, method=method))


@pytest.mark.parametrize("at", ["overall", "mean"])
@pytest.mark.parametrize("method", ["dydx", "eydx"])
@pytest.mark.parametrize("dummy, count", [(True, False), (False, True),
                                          (True, True)])
def test_discrete_columns_equal_statsmodels(spector, at, method, dummy,
                                            count):
    X, y, ref, res = spector
    got = res.get_margeff(at=at, method=method, dummy=dummy, count=count)
    expected = ref.get_margeff(at=at, method=method, dummy=dummy,
                               count=count)
    _assert_margins(got, expected)
    # PSI is the dummy, TUCE (integer scores) the count column
    np.testing.assert_array_equal(got.dummy_idx if dummy else [],
                                  expected.dummy_idx if dummy else [])
    np.testing.assert_array_equal(got.count_idx if count else [],
                                  expected.count_idx if count else [])


@pytest.mark.parametrize("at", ["overall", "mean", "median"])
def test_atexog_equals_statsmodels(spector, at):
    X, y, ref, res = spector
    # statsmodels' keys: design columns, the constant first (1 = GPA)
    _assert_margins(res.get_margeff(at=at, atexog={1: 3.0, 3: 1}),
                    ref.get_margeff(at=at, atexog={1: 3.0, 3: 1}))
    _assert_margins(res.get_margeff(at=at, atexog={"GPA": 3.0, "PSI": 1}),
                    ref.get_margeff(at=at, atexog={1: 3.0, 3: 1}))
    rows = np.asarray(sm.add_constant(X))[::3]
    _assert_margins(res.get_margeff(at=at, atexog=rows),
                    ref.get_margeff(at=at, atexog=rows))


def test_at_all_gives_every_rows_effects_only(spector):
    X, y, ref, res = spector
    got = res.get_margeff(at="all", method="eyex")
    expected = ref.get_margeff(at="all", method="eyex")
    np.testing.assert_allclose(got.margeff, expected.margeff, rtol=RTOL)
    assert got.margeff.shape == (32, 3)
    with pytest.raises(ValueError, match="Only margeff are available"):
        got.margeff_se
    with pytest.raises(ValueError, match="Only margeff are available"):
        got.summary_frame()


def test_summary_is_laid_out_as_statsmodels(spector):
    X, y, ref, res = spector
    text = str(res.get_margeff(at="mean", method="eyex").summary())
    assert "Logit Marginal Effects" in text
    assert "d(lny)/d(lnx)" in text and "At:" in text
    for name in ("GPA", "TUCE", "PSI"):
        assert name in text
    assert "const" not in text


@pytest.fixture(scope="module")
def anes():
    data = sm.datasets.anes96.load_pandas()
    X = data.exog[["logpopul", "selfLR", "age", "educ", "income"]].copy()
    X["young"] = (X["age"] < 30).astype(float)
    y = data.endog
    ref = sm.MNLogit(y, sm.add_constant(X)).fit(disp=0, method="newton",
                                                 tol=1e-12)
    est = clogit.LogisticRegression(penalty=None, tol=1e-11).fit(X, y)
    return X, y, ref, est.results_


@pytest.mark.parametrize("at", ["overall", "mean", "median", "zero"])
@pytest.mark.parametrize("method", ["dydx", "eydx"])
def test_multinomial_margins_equal_statsmodels(anes, at, method):
    X, y, ref, res = anes
    got = res.get_margeff(at=at, method=method)
    assert got.margeff.shape == (6, 7)
    _assert_margins(got, ref.get_margeff(at=at, method=method))
    if at in ("overall", "mean"):
        _assert_margins(res.get_margeff(at=at, method=method, dummy=True),
                        ref.get_margeff(at=at, method=method, dummy=True))
    assert "MNLogit Marginal Effects" in str(got.summary())


def _effects(params, exog, method, count_columns=()):
    """Average effects (K, J) of an MNLogit's params (k1, J-1) over the
    rows of exog, straight from the definition."""
    B = np.column_stack([np.zeros(params.shape[0]), params])  # (k1, J)
    P = np.exp(exog @ B)
    P /= P.sum(axis=1, keepdims=True)
    me = P[:, None, :] * (B[None, :, :] - (P @ B.T)[:, :, None])
    if method.endswith("ex"):
        me = me * exog[:, :, None]
    if method.startswith("ey"):
        me = me / P[:, None, :]
    for column in count_columns:
        values = []
        for shift in (-1.0, 1.0):
            moved = exog.copy()
            moved[:, column] += shift
            Q = np.exp(moved @ B)
            values.append(Q / Q.sum(axis=1, keepdims=True))
        me[:, column, :] = (values[1] - values[0]) / 2
    return me.mean(axis=0)


@pytest.mark.parametrize("method, count", [("eyex", False), ("dyex", False),
                                           ("dydx", True)])
def test_multinomial_margins_against_the_definition(anes, method, count):
    X, y, ref, res = anes
    exog = np.asarray(sm.add_constant(X))
    params = np.asarray(res.params)
    # selfLR, age, educ, income: integer scores, the count columns
    column = [2, 3, 4, 5] if count else []
    expected = _effects(params, exog, method, column)
    jacobian = np.empty((expected.size, params.size))
    step = 1e-6
    for t in range(params.size):
        shift = np.zeros(params.size)
        shift[t] = step
        up = _effects(params + shift.reshape(params.shape, order="F"), exog,
                      method, column)
        down = _effects(params - shift.reshape(params.shape, order="F"),
                        exog, method, column)
        jacobian[:, t] = (up - down).ravel(order="F") / (2 * step)
    cov = jacobian @ np.asarray(res.cov_params()) @ jacobian.T
    got = res.get_margeff(method=method, count=count)
    np.testing.assert_allclose(got.margeff, expected[1:], rtol=1e-10)
    se = np.sqrt(np.diag(cov)).reshape(expected.shape, order="F")
    np.testing.assert_allclose(got.margeff_se, se[1:], rtol=1e-6)
    if count:
        assert list(got.count_idx) == column


@pytest.mark.parametrize("at", ["overall", "mean", "median"])
def test_integer_weights_equal_duplicated_rows(spector, at):
    X, y, _, _ = spector
    weights = np.arange(32) % 4  # zero weights too
    rows = np.repeat(np.arange(32), weights)
    weighted = clogit.LogisticRegression(penalty=None, tol=1e-11).fit(
        X, y, sample_weight=weights).results_.get_margeff(at=at)
    repeated = clogit.LogisticRegression(penalty=None, tol=1e-11).fit(
        X.iloc[rows], y.iloc[rows]).results_.get_margeff(at=at)
    np.testing.assert_allclose(weighted.margeff, repeated.margeff, rtol=1e-8)
    np.testing.assert_allclose(weighted.margeff_se, repeated.margeff_se,
                               rtol=1e-7)


def test_weighted_median_is_the_median_of_repeated_values():
    rng = np.random.default_rng(0)
    for _ in range(50):
        values = rng.integers(0, 6, 9).astype(float)
        weights = rng.integers(0, 3, 9).astype(float)
        weights[0] = 1
        assert _weighted_median(values, weights) == np.median(
            np.repeat(values, weights.astype(int)))


def test_sparse_and_float32_give_the_dense_margins(spector):
    X, y, _, res = spector
    dense = res.get_margeff(at="median", method="eydx")
    for Xl in (sp.csr_matrix(X.to_numpy()), sp.csc_matrix(X.to_numpy()),
               X.to_numpy(np.float32)):
        fit = clogit.LogisticRegression(penalty=None, tol=1e-11).fit(Xl, y)
        other = fit.results_.get_margeff(at="median", method="eydx")
        rtol = 1e-6 if Xl.dtype == np.float32 else 1e-9
        np.testing.assert_allclose(other.margeff, dense.margeff, rtol=rtol)


def test_margins_errors(spector, tmp_path):
    X, y, _, res = spector
    with pytest.raises(ValueError, match="not a valid option"):
        res.get_margeff(at="middle")
    with pytest.raises(ValueError, match="method is not understood"):
        res.get_margeff(method="dxdy")
    with pytest.raises(ValueError, match="not allowed for discrete"):
        res.get_margeff(method="eyex", dummy=True)
    with pytest.raises(ValueError, match="not allowed for discrete"):
        res.get_margeff(at="zero", count=True)
    with pytest.raises(ValueError, match="not a coefficient"):
        res.get_margeff(atexog={"SAT": 1.0})
    with pytest.raises(ValueError, match="out of range"):
        res.get_margeff(atexog={9: 1.0})
    with pytest.raises(ValueError, match="same number of variables"):
        res.get_margeff(atexog=np.ones((3, 2)))
    est = clogit.LogisticRegression(penalty=None).fit(X, y)
    est.save(tmp_path / "m.json")
    with pytest.raises(ValueError, match="needs the training data"):
        clogit.load(tmp_path / "m.json").results_.get_margeff()
