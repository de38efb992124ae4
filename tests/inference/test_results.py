"""``results_`` (clogit._inference.results): every figure under statsmodels'
names against statsmodels' ``Logit`` on the Spector data (the data of
statsmodels' own Logit tests, verified there against Stata), and the
results object's behaviour (labels, numpy without pandas, summaries).

Reference: ``sm.Logit(endog, sm.add_constant(exog)).fit(method="newton",
tol=1e-12)``; clogit fits to ``tol=1e-10``.  Tolerance: rtol 1e-6 (the
issue's bar for ``penalty=None``), most figures agree to ~1e-10.
"""

import pickle
import sys

import numpy as np
import pytest

import clogit
from _reference import assert_same_figures

sm = pytest.importorskip("statsmodels.api")
pd = pytest.importorskip("pandas")



@pytest.fixture(scope="module")
def spector():
    data = sm.datasets.spector.load_pandas()
    return data.exog, data.endog


def statsmodels_fit(X, y, **fit_kwargs):
    return sm.Logit(y, sm.add_constant(X)).fit(
        method="newton", tol=1e-12, maxiter=100, disp=0, **fit_kwargs)


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_binary_results_equal_statsmodels_logit(spector, fit_intercept):
    X, y = spector
    est = clogit.LogisticRegression(penalty=None, tol=1e-10,
                                    fit_intercept=fit_intercept).fit(X, y)
    ref = (statsmodels_fit(X, y) if fit_intercept else
           sm.Logit(y, X).fit(method="newton", tol=1e-12, disp=0))
    res = est.results_
    assert isinstance(res, clogit.LogitResults)
    assert_same_figures(res, ref)
    # labels: statsmodels' names, "const" first
    assert list(res.params.index) == list(ref.params.index)
    assert list(res.cov_params().columns) == list(ref.params.index)
    assert list(res.conf_int().columns) == [0, 1]
    assert res.converged and res.method == "MLE"
    assert res.k_constant == int(fit_intercept)


def test_results_are_numpy_without_pandas(spector, monkeypatch):
    X, y = spector
    est = clogit.LogisticRegression(penalty=None, tol=1e-10).fit(X, y)
    labelled = est.results_
    monkeypatch.setitem(sys.modules, "pandas", None)
    res = est.results_
    for name in ("params", "bse", "tvalues", "pvalues"):
        value = getattr(res, name)
        assert type(value) is np.ndarray, name
        np.testing.assert_array_equal(value,
                                      np.asarray(getattr(labelled, name)))
    assert type(res.cov_params()) is np.ndarray
    assert res.conf_int(0.1).shape == (4, 2)
    assert "GPA" in str(res.summary())


def test_array_accessors_are_the_results(spector):
    X, y = spector
    est = clogit.LogisticRegression(penalty=None, tol=1e-10,
                                    cov_type="HC0").fit(X, y)
    res = est.results_
    np.testing.assert_array_equal(est.params_, res.params)
    np.testing.assert_array_equal(est.std_errors_, res.bse)
    np.testing.assert_array_equal(est.z_values_, res.tvalues)
    np.testing.assert_array_equal(est.p_values_, res.pvalues)
    np.testing.assert_array_equal(est.covariance_, res.cov_params())
    np.testing.assert_array_equal(est.conf_int(0.1), res.conf_int(0.1))
    np.testing.assert_array_equal(est.odds_ratios_, np.exp(res.params))


def test_tiny_alpha_gives_finite_intervals(spector):
    # z_{1 - alpha/2} as -ndtri(alpha/2): 1 - alpha/2 would round to 1
    X, y = spector
    est = clogit.LogisticRegression(penalty=None).fit(X, y)
    for alpha in (1e-16, 1e-300):
        interval = est.conf_int(alpha)
        assert np.all(np.isfinite(interval))
        assert np.all(interval[:, 0] < est.params_)


def test_summary_names_the_target_and_takes_xname_yname(spector):
    X, y = spector
    assert y.name == "GRADE"
    est = clogit.LogisticRegression(penalty=None, tol=1e-10).fit(X, y)
    text = est.summary().as_text()
    dep = next(line for line in text.splitlines()
               if line.startswith("Dep. Variable:"))
    assert dep.split()[2] == "GRADE"
    custom = est.summary(xname=["b0", "gpa", "tuce", "psi"],
                         yname="passed").as_text()
    assert "passed" in custom and "tuce" in custom and "TUCE" not in custom
    with pytest.raises(ValueError, match="xname must have 4 names"):
        est.summary(xname=["a"])
    # a plain array target has no name
    plain = clogit.LogisticRegression(penalty=None).fit(X, y.to_numpy())
    assert "Dep. Variable:                      y" in str(plain.summary())


def test_summary_as_text_html_latex(spector):
    X, y = spector
    est = clogit.LogisticRegression(penalty=None, tol=1e-10).fit(X, y)
    summary = est.results_.summary(alpha=0.1, title="Spector")
    text, html, latex = summary.as_text(), summary.as_html(), \
        summary.as_latex()
    assert str(summary) == text and summary._repr_html_() == html
    ref = statsmodels_fit(X, y)
    # statsmodels' number formats, row by row
    for name, coef, se, z in zip(ref.params.index, ref.params, ref.bse,
                                 ref.tvalues):
        row = next(line for line in text.splitlines()
                   if line.startswith(name + " "))
        assert row.split()[1:4] == [f"{coef:.4f}", f"{se:.3f}", f"{z:.3f}"]
    assert "[0.05" in text and "0.95]" in text and "Spector" in text
    assert html.count("<table") == 2 and "TUCE" in html
    assert "\\begin{tabular}" in latex and "TUCE" in latex
    assert "P>|z|" in latex  # escaped as LaTeX text only where needed
    frame = summary.to_frame()
    np.testing.assert_array_equal(frame["coef"], est.params_)


def test_penalized_summary_says_so_in_its_header(spector):
    X, y = spector
    est = clogit.LogisticRegression(C=1.0).fit(X, y)
    lines = str(est.summary()).splitlines()
    header = "\n".join(lines[:lines.index(next(
        line for line in lines if line.startswith("Dep. Variable:")))])
    assert "(penalized)" in lines[0]
    for words in ("Penalized estimator", "penalized estimator",
                  "not maximum-likelihood inference", "penalty=None",
                  "clogit.logit"):
        assert words in " ".join(header.split()), words
    res = est.results_
    assert res.penalty == "l2" and res.method == "l2-penalized ML"
    assert np.isnan(res.llr_pvalue)
    html = est.summary().as_html()
    assert "not maximum-likelihood inference" in html
    mle = clogit.LogisticRegression(penalty=None).fit(X, y)
    assert "penalized" not in str(mle.summary()).lower()


def test_one_vs_rest_results_are_a_list_of_binary_results():
    data = sm.datasets.anes96.load_pandas()
    X = data.exog[["logpopul", "selfLR", "age"]]
    y = data.endog.map(lambda v: "rep" if v > 3 else ("ind" if v == 3
                                                      else "dem"))
    est = clogit.LogisticRegression(penalty=None, multi_class="ovr",
                                    tol=1e-10).fit(X, y)
    results = est.results_
    assert isinstance(results, list) and len(results) == 3
    for label, res in zip(est.classes_, results):
        ref = statsmodels_fit(X, (y == label).astype(float))
        assert_same_figures(res, ref)
    text = str(est.summary())
    assert "class 'dem' vs rest" in text and "class 'rep' vs rest" in text


def test_remove_data_and_pickles_keep_the_computed_figures(spector):
    X, y = spector
    # (tol 1e-6: L-BFGS alone, no Newton polish whose factor would leave
    # the covariance computed)
    est = clogit.LogisticRegression(penalty=None, solver="lbfgs",
                                    tol=1e-6).fit(X, y)
    assert est._inference_fits[0].solver == "lbfgs (preconditioned)"
    # a pickle never holds the training data: a figure not computed yet is
    # then unavailable, with a clear message
    blind = pickle.loads(pickle.dumps(est))
    with pytest.raises(ValueError, match="no longer holds"):
        blind.std_errors_
    bse = est.results_.bse
    est.results_.remove_data()
    assert est._inference_fits[0].source is None
    np.testing.assert_array_equal(est.results_.bse, bse)
    copy = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(copy.results_.bse, bse)
    assert len(pickle.dumps(est)) < 20_000  # no copy of X


def test_results_refuse_what_has_no_inference(spector):
    X, y = spector
    est = clogit.LogisticRegression(penalty="l1", C=10.0).fit(X, y)
    with pytest.raises(ValueError, match="penalty='l1'"):
        est.results_
    assert not hasattr(est, "results_")
