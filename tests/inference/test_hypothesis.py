"""``wald_test``, ``t_test`` and ``compare_lr_test``
(clogit._inference.hypothesis) against statsmodels on the Spector data,
a formula fit (``smf.logit``, names with brackets) and ``MNLogit`` on
anes96; the restriction parser against patsy's (what statsmodels uses).

Tolerance: rtol 1e-8 (the statistics are smooth functions of parameters
and covariances that agree to ~1e-10).
"""

import numpy as np
import pytest
from scipy.stats import chi2

import clogit
from clogit._inference.hypothesis import linear_restrictions

sm = pytest.importorskip("statsmodels.api")
pd = pytest.importorskip("pandas")

RTOL = 1e-8
RESTRICTIONS = [
    "GPA = 0, TUCE = PSI", "GPA", "2*GPA - TUCE = 1", "GPA = TUCE = 0",
    "(GPA + PSI) / 2 = 1", "3 = const", "GPA*2 = TUCE/4 - -1e-1",
    ["GPA = 0", "PSI - 0.5 = TUCE"], np.eye(4)[1:],
    (np.eye(4)[1:], [1.0, 0.0, 0.0]), np.array([0.0, 1.0, -1.0, 0.0]),
]


@pytest.fixture(scope="module", params=["nonrobust", "HC0"])
def spector(request):
    data = sm.datasets.spector.load_pandas()
    X, y = data.exog, data.endog
    cov_type = request.param
    ref = sm.Logit(y, sm.add_constant(X)).fit(
        disp=0, method="newton", tol=1e-12, cov_type=cov_type)
    est = clogit.LogisticRegression(penalty=None, tol=1e-11,
                                    cov_type=cov_type).fit(X, y)
    return X, y, ref, est.results_


def _assert_contrasts(got, expected):
    # statsmodels keeps a single restriction's figures as (1, 1) arrays
    for name in ("statistic", "pvalue"):
        np.testing.assert_allclose(np.ravel(getattr(got, name)),
                                   np.ravel(getattr(expected, name)),
                                   rtol=RTOL if name == "statistic" else 1e-7)
    assert got.distribution == expected.distribution
    if hasattr(expected, "df_denom"):  # not for statsmodels' z-tests
        assert got.df_denom == pytest.approx(expected.df_denom)
    if expected.effect is not None:
        np.testing.assert_allclose(got.effect, np.ravel(expected.effect),
                                   rtol=RTOL)
        np.testing.assert_allclose(got.sd, np.ravel(expected.sd), rtol=RTOL)
        for alpha in (0.05, 0.2):
            np.testing.assert_allclose(got.conf_int(alpha),
                                       expected.conf_int(alpha), rtol=RTOL)
            frame = got.summary_frame(alpha=alpha)
            ref_frame = expected.summary_frame(alpha=alpha)
            assert list(frame.columns) == list(ref_frame.columns)
            assert list(frame.index) == list(ref_frame.index)
            np.testing.assert_allclose(frame.to_numpy(),
                                       ref_frame.to_numpy(), rtol=1e-7)


@pytest.mark.parametrize("restriction", RESTRICTIONS,
                         ids=lambda r: r if isinstance(r, str) else None)
def test_tests_equal_statsmodels(spector, restriction):
    X, y, ref, res = spector
    _assert_contrasts(res.wald_test(restriction),
                      ref.wald_test(restriction, scalar=True))
    _assert_contrasts(res.t_test(restriction), ref.t_test(restriction))


def test_f_and_t_forms_equal_statsmodels(spector):
    X, y, ref, res = spector
    restriction = "GPA = 0, TUCE = PSI"
    got = res.wald_test(restriction, use_f=True)
    expected = ref.wald_test(restriction, use_f=True, scalar=True)
    np.testing.assert_allclose(got.fvalue, expected.fvalue, rtol=RTOL)
    np.testing.assert_allclose(got.pvalue, expected.pvalue, rtol=1e-7)
    assert (got.df_num, got.df_denom) == (expected.df_num,
                                          expected.df_denom)
    assert str(got).startswith("<F test: F=")
    _assert_contrasts(res.t_test(restriction, use_t=True),
                      ref.t_test(restriction, use_t=True))
    # another covariance, and a known inverse of R V R^T
    cov = np.asarray(ref.cov_params()) * 2.0
    _assert_contrasts(res.t_test(restriction, cov_p=cov),
                      ref.t_test(restriction, cov_p=cov))
    _assert_contrasts(res.wald_test(restriction, cov_p=cov),
                      ref.wald_test(restriction, cov_p=cov, scalar=True))
    R = np.array([[0, 1.0, 0, 0], [0, 0, 1.0, -1.0]])
    inverse = np.linalg.inv(R @ cov @ R.T)
    _assert_contrasts(res.wald_test(restriction, invcov=inverse),
                      ref.wald_test(restriction, invcov=inverse,
                                    scalar=True))


def test_summaries_read_as_statsmodels(spector):
    X, y, ref, res = spector
    text = str(res.t_test("GPA = 1, TUCE - PSI = 0.5").summary())
    assert "Test for Constraints" in text
    expected = str(ref.t_test("GPA = 1, TUCE - PSI = 0.5").summary())
    # the same rows, number for number
    rows = [line.split() for line in text.splitlines()
            if line.startswith("c")]
    ref_rows = [line.split() for line in expected.splitlines()
                if line.startswith("c")]
    assert rows == ref_rows
    wald = str(res.wald_test("GPA = 0, TUCE = PSI"))
    assert wald.startswith("<Wald test (chi2): statistic=")


def test_rank_deficient_restrictions_warn(spector):
    X, y, ref, res = spector
    with pytest.warns(UserWarning, match="rank is 1"):
        got = res.wald_test("GPA = 0, 2 * GPA = 0")
    with pytest.warns(Warning, match="rank is 1"):
        expected = ref.wald_test("GPA = 0, 2 * GPA = 0", scalar=True)
    _assert_contrasts(got, expected)


def test_restrictions_on_formula_names():
    pytest.importorskip("formulaic")
    smf = pytest.importorskip("statsmodels.formula.api")
    df = sm.datasets.spector.load_pandas().data
    formula = "GRADE ~ GPA + TUCE + C(PSI)"
    est = clogit.logit(formula, df, tol=1e-11)
    ref = smf.logit(formula, df).fit(disp=0, method="newton", tol=1e-12)
    restriction = "C(PSI)[T.1.0] = 2 * GPA, Intercept = -10"
    _assert_contrasts(est.results_.wald_test(restriction),
                      ref.wald_test(restriction, scalar=True))
    _assert_contrasts(est.results_.t_test(restriction),
                      ref.t_test(restriction))


def test_multinomial_tests_use_statsmodels_names():
    data = sm.datasets.anes96.load_pandas()
    X = data.exog[["logpopul", "selfLR", "age"]]
    ref = sm.MNLogit(data.endog, sm.add_constant(X)).fit(
        disp=0, method="newton", tol=1e-12)
    res = clogit.LogisticRegression(penalty=None, tol=1e-11).fit(
        X, data.endog).results_
    for restriction in ("y1_selfLR = 0, y2_selfLR = y1_selfLR",
                        "y6_const - y5_const = 1, y3_age"):
        _assert_contrasts(res.wald_test(restriction),
                          ref.wald_test(restriction, scalar=True))
        _assert_contrasts(res.t_test(restriction), ref.t_test(restriction))


def test_compare_lr_test_equals_the_statsmodels_likelihoods(spector):
    X, y, ref, res = spector
    for dropped in (["TUCE"], ["TUCE", "PSI"]):
        kept = X.drop(columns=dropped)
        restricted_ref = sm.Logit(y, sm.add_constant(kept)).fit(
            disp=0, method="newton", tol=1e-12)
        restricted = clogit.LogisticRegression(penalty=None, tol=1e-11).fit(
            kept, y)
        stat, pvalue, df = res.compare_lr_test(restricted.results_)
        expected = 2 * (ref.llf - restricted_ref.llf)
        assert stat == pytest.approx(expected, rel=1e-8)
        assert df == len(dropped)
        assert pvalue == pytest.approx(float(chi2.sf(expected, df)),
                                       rel=1e-7)
        # a fitted estimator works as well as its results_
        assert res.compare_lr_test(restricted) == (stat, pvalue, df)


def test_compare_lr_test_refuses_what_it_cannot_test(spector):
    X, y, ref, res = spector
    penalized = clogit.LogisticRegression(C=1.0).fit(X[["GPA"]], y)
    with pytest.raises(ValueError, match="penalty='l2'"):
        res.compare_lr_test(penalized)
    other = clogit.LogisticRegression(penalty=None).fit(X.iloc[:20][["GPA"]],
                                                        y.iloc[:20])
    with pytest.raises(ValueError, match="different data"):
        res.compare_lr_test(other)
    with pytest.raises(ValueError, match="fewer coefficients"):
        res.compare_lr_test(res)
    with pytest.raises(ValueError, match="LogitResults"):
        res.compare_lr_test("model")


NAMES = ["const", "x1", "x10", "C(rank)[T.2]"]


@pytest.mark.parametrize("text", [
    "x1 = 0", "x10 - x1", "x1 = x10 = C(rank)[T.2]", "-(x1 + 2) * 3 = x10",
    "C(rank)[T.2] / 4 + const = .5e1", "+x1 - -x10 = 1, 2 * const = 3 * x1",
])
def test_parser_equals_patsy(text):
    patsy = pytest.importorskip("patsy")
    expected = patsy.DesignInfo(NAMES).linear_constraint(text)
    R, q = linear_restrictions(text, NAMES)
    np.testing.assert_allclose(R, expected.coefs, rtol=1e-15)
    np.testing.assert_allclose(q, expected.constants.ravel(), rtol=1e-15)


@pytest.mark.parametrize("text, message", [
    ("x2 = 0", "unrecognized token"),
    ("x1 * x10", "not linear"),
    ("x1 / x10", "division"),
    ("x1 / 0", "division"),
    ("2 = 2", "involves no coefficient"),
    ("x1 = ", "expected a coefficient"),
    ("(x1 = 0", "expected '\\)'"),
    ("x1 x10", "expected ',' or the end"),
])
def test_parser_errors_name_the_problem(text, message):
    with pytest.raises(ValueError, match=message):
        linear_restrictions(text, NAMES)


def test_matrix_restrictions_are_checked():
    with pytest.raises(ValueError, match="4 columns"):
        linear_restrictions(np.eye(3), NAMES)
    with pytest.raises(ValueError, match="same number of rows"):
        linear_restrictions((np.eye(4), [1.0, 2.0]), NAMES)
    with pytest.raises(ValueError, match="finite"):
        linear_restrictions(np.full((1, 4), np.nan), NAMES)


def test_compare_lr_test_of_firth_fits_uses_penalized_likelihoods(spector):
    X, y, _, res = spector
    full = clogit.LogisticRegression(penalty="firth", tol=1e-10).fit(X, y)
    restricted = clogit.LogisticRegression(penalty="firth", tol=1e-10).fit(
        X[["GPA", "PSI"]], y)
    stat, pvalue, df = full.results_.compare_lr_test(restricted)
    expected = 2 * (full.results_.llf_penalized
                    - restricted.results_.llf_penalized)
    assert stat == pytest.approx(expected, rel=1e-12) and df == 1
    assert pvalue == pytest.approx(float(chi2.sf(expected, 1)), rel=1e-10)
    with pytest.raises(ValueError, match="not one of each"):
        res.compare_lr_test(restricted)
