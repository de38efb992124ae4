"""``clogit.logit`` (clogit._formula, clogit._formula_design) against
statsmodels' ``smf.logit`` on the same formulas: the Spector data and a
synthetic DataFrame with numeric, string, bool and integer-coded
categorical columns, interactions, a stateful transform and clusters;
predictions from raw new data, unseen levels, missing values, sparse
designs, model files."""

import io
import json

import numpy as np
import pytest
import scipy.sparse as sp

import clogit
from clogit._formula_design import FormulaDesign

pytest.importorskip("formulaic")
pd = pytest.importorskip("pandas")
sm = pytest.importorskip("statsmodels.api")
smf = pytest.importorskip("statsmodels.formula.api")

RTOL = 1e-6


def _frame(n=400, seed=0):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({
        "x": rng.standard_normal(n),
        "city": rng.choice(["paris", "rome", "oslo"], n),
        "member": rng.random(n) < 0.4,
        "rank": rng.integers(1, 4, n),
        "age": rng.integers(20, 60, n).astype(float),
        "firm": rng.integers(0, 20, n),
    })
    z = (0.5 * df.x + 0.7 * (df.city == "rome") - 0.5 * df.member
         + 0.3 * (df["rank"] == 2) + 0.02 * (df.age - 40))
    df["y"] = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(int)
    return df


def _assert_equal_by_name(est, ref, rtol=RTOL):
    """Every coefficient figure, matched by name (patsy and formulaic may
    order the terms differently), and the fit statistics."""
    res = est.results_
    assert set(res.params.index) == set(ref.params.index)
    names = list(ref.params.index)
    for name in ("params", "bse", "tvalues", "pvalues"):
        np.testing.assert_allclose(getattr(res, name)[names],
                                   getattr(ref, name)[names], rtol=rtol,
                                   err_msg=name)
    np.testing.assert_allclose(res.cov_params().loc[names, names],
                               ref.cov_params().loc[names, names],
                               rtol=rtol, atol=1e-14)
    np.testing.assert_allclose(res.conf_int().loc[names],
                               ref.conf_int().loc[names], rtol=rtol)
    for name in ("llf", "llnull", "llr_pvalue", "prsquared", "aic", "bic",
                 "nobs", "df_model", "df_resid"):
        np.testing.assert_allclose(getattr(res, name), getattr(ref, name),
                                   rtol=rtol, err_msg=name)


def test_spector_formula_equals_smf_logit():
    df = sm.datasets.spector.load_pandas().data
    formula = "GRADE ~ GPA + TUCE + C(PSI)"
    est = clogit.logit(formula, df, cov_type="HC1", tol=1e-10)
    ref = smf.logit(formula, df).fit(disp=0, cov_type="HC1",
                                     method="newton", tol=1e-12)
    _assert_equal_by_name(est, ref)
    assert list(est.results_.params.index) == ["Intercept", "GPA", "TUCE",
                                               "C(PSI)[T.1.0]"]
    assert est.penalty is None and est.results_.method == "MLE"
    dep = next(line for line in str(est.summary()).splitlines()
               if line.startswith("Dep. Variable:"))
    assert dep.split()[2] == "GRADE"


@pytest.mark.parametrize("cov_type", ["nonrobust", "HC0", "cluster"])
def test_categorical_interactions_and_clusters_equal_smf_logit(cov_type):
    df = _frame()
    formula = "y ~ x * city + member + C(rank) + center(age)"
    kwargs = {"cov_kwds": {"groups": df["firm"]}} \
        if cov_type == "cluster" else {}
    ref = smf.logit(formula, df).fit(disp=0, cov_type=cov_type,
                                     method="newton", tol=1e-12, **kwargs)
    est = clogit.logit(formula, df, cov_type=cov_type, tol=1e-10,
                       groups="firm" if cov_type == "cluster" else None)
    _assert_equal_by_name(est, ref)
    # string, bool and C(int) columns: treatment coded as patsy names them
    for name in ("city[T.rome]", "member[T.True]", "C(rank)[T.2]",
                 "x:city[T.rome]", "center(age)"):
        assert name in est.results_.params.index
    # predictions from raw new data (the stateful center() keeps its mean)
    new = _frame(n=50, seed=1)
    np.testing.assert_allclose(est.predict_proba(new)[:, 1],
                               ref.predict(new), rtol=1e-8)
    assert set(est.predict(new)) <= {0, 1}
    assert 0.0 <= est.score(new, new["y"]) <= 1.0


def test_groups_and_weights_by_column_or_array_and_missing_drop():
    df = _frame(n=300)
    df.loc[[3, 17, 40], "x"] = np.nan
    with pytest.raises(ValueError, match=r"\['x'\].*missing values"):
        clogit.logit("y ~ x + city", df)
    est = clogit.logit("y ~ x + city", df, missing="drop",
                       cov_type="cluster", groups=df["firm"].to_numpy(),
                       tol=1e-10)
    clean = df.dropna()
    ref = smf.logit("y ~ x + city", clean).fit(
        disp=0, cov_type="cluster", cov_kwds={"groups": clean["firm"]},
        method="newton", tol=1e-12)
    _assert_equal_by_name(est, ref)
    # weights: a column name, frequency weights = repeated rows
    clean = clean.assign(w=np.arange(len(clean)) % 3)
    weighted = clogit.logit("y ~ x + city", clean, sample_weight="w")
    rows = np.repeat(np.arange(len(clean)), clean["w"])
    repeated = clogit.logit("y ~ x + city", clean.iloc[rows])
    np.testing.assert_allclose(weighted.results_.bse,
                               repeated.results_.bse, rtol=1e-7)
    with pytest.raises(ValueError, match="'nope' is not a column"):
        clogit.logit("y ~ x", clean, sample_weight="nope")
    with pytest.raises(ValueError, match="one per row"):
        clogit.logit("y ~ x", clean, groups=[1, 2], cov_type="cluster")


def test_unseen_levels_missing_columns_and_values_at_predict():
    df = _frame(n=200)
    est = clogit.logit("y ~ x + city + C(rank) + member", df)
    new = _frame(n=10, seed=2)
    new.loc[2, "city"] = "lima"
    with pytest.raises(ValueError, match=r"city has level\(s\) \['lima'\]"):
        est.predict(new)
    new = _frame(n=10, seed=2)
    new.loc[0, "rank"] = 9
    with pytest.raises(ValueError, match=r"C\(rank\) has level\(s\) \['9'\]"):
        est.predict_proba(new)
    with pytest.raises(ValueError, match=r"lack the column\(s\) \['city'\]"):
        est.predict(_frame(n=10).drop(columns="city"))
    new = _frame(n=10, seed=3)
    new.loc[4, "x"] = np.nan
    with pytest.raises(ValueError, match="missing values"):
        est.predict(new)
    new = _frame(n=10, seed=3)
    new["member"] = new["member"].astype(int)
    with pytest.raises(ValueError, match="was bool"):
        est.predict(new)
    with pytest.raises(TypeError, match="DataFrame"):
        est.predict(np.zeros((3, 4)))


def test_an_unseen_level_inside_another_term_is_an_error_too():
    df = _frame(n=200)
    est = clogit.logit("y ~ x:city", df)
    new = _frame(n=5, seed=4)
    new.loc[1, "city"] = "lima"
    with pytest.raises(ValueError, match="lima"):
        est.predict(new)


def test_high_cardinality_factors_make_a_sparse_design():
    rng = np.random.default_rng(5)
    n = 3000
    df = pd.DataFrame({"x": rng.standard_normal(n),
                       "shop": rng.integers(0, 80, n).astype(str)})
    effect = rng.standard_normal(80)[df["shop"].astype(int)] * 0.5
    df["y"] = (rng.random(n) < 1 / (1 + np.exp(-(df.x + effect)))).astype(
        int)
    est = clogit.logit("y ~ x + shop", df, tol=1e-10)
    assert est.formula_.sparse
    assert sp.issparse(est.formula_.transform(df.head(5)))
    dense = clogit.logit("y ~ x + shop", df, sparse=False, tol=1e-10)
    assert not dense.formula_.sparse
    np.testing.assert_allclose(est.coef_, dense.coef_, rtol=1e-8,
                               atol=1e-10)
    np.testing.assert_allclose(est.std_errors_, dense.std_errors_,
                               rtol=1e-7)
    np.testing.assert_allclose(est.predict_proba(df), dense.predict_proba(df),
                               rtol=1e-10)
    assert est.n_features_in_ == 80  # x and 79 dummies


def test_intercept_comes_from_the_formula():
    df = _frame(n=200)
    est = clogit.logit("y ~ x + city - 1", df)
    assert not est.fit_intercept
    ref = smf.logit("y ~ x + city - 1", df).fit(disp=0, method="newton",
                                                tol=1e-12)
    # without an intercept every level of the first factor is a column
    assert set(est.results_.params.index) == set(ref.params.index)
    with pytest.raises(ValueError, match="fit_intercept"):
        clogit.logit("y ~ x", df, fit_intercept=False)


def test_estimator_parameters_pass_through():
    df = _frame(n=300)
    est = clogit.logit("y ~ x + city", df, penalty="l2", C=0.5,
                       solver="lbfgs", tol=1e-10)
    assert est.penalty == "l2" and est.C == 0.5 and est.solver == "lbfgs"
    assert "Penalized estimator" in str(est.summary())


def test_multiclass_target_of_any_labels():
    df = _frame(n=400)
    est = clogit.logit("city ~ x + member", df, tol=1e-10)
    assert list(est.classes_) == ["oslo", "paris", "rome"]
    assert isinstance(est.results_, clogit.MNLogitResults)
    # statsmodels' mnlogit needs integer codes
    df["code"] = np.unique(df["city"], return_inverse=True)[1]
    ref = smf.mnlogit("code ~ x + member", df).fit(
        disp=0, method="newton", tol=1e-12)
    names = list(ref.params.index)
    for name in ("params", "bse"):
        np.testing.assert_allclose(getattr(est.results_, name).loc[names],
                                   getattr(ref, name), rtol=RTOL)


def test_a_transformed_target():
    df = _frame(n=300)
    est = clogit.logit("I(age > 40) ~ x + city", df, tol=1e-10)
    old = (df["age"] > 40).astype(int)
    ref = smf.logit("old ~ x + city", df.assign(old=old)).fit(
        disp=0, method="newton", tol=1e-12)
    np.testing.assert_allclose(est.results_.params[ref.params.index],
                               ref.params, rtol=RTOL)
    assert est.results_._yname == "I(age > 40)"


def test_formula_errors():
    df = _frame(n=50)
    with pytest.raises(ValueError, match="no left-hand side"):
        clogit.logit("~ x", df)
    with pytest.raises(ValueError, match=r"lack the column\(s\) \['z'\]"):
        clogit.logit("y ~ z", df)
    with pytest.raises(TypeError, match="formula must be a string"):
        clogit.logit(3, df)
    with pytest.raises(TypeError, match="DataFrame"):
        clogit.logit("y ~ x", [[1, 2]])
    with pytest.raises(ValueError, match="missing must be"):
        clogit.logit("y ~ x", df, missing="ignore")


def test_user_functions_work_in_session_and_are_refused_at_save():
    df = _frame(n=200)

    def double(v):
        return 2 * v

    est = clogit.logit("y ~ double(x) + city", df)
    np.testing.assert_allclose(
        est.coef_[0, 0] * 2,
        clogit.logit("y ~ x + city", df).coef_[0, 0], rtol=1e-6)
    assert est.predict(df).shape == (200,)
    with pytest.raises(ValueError, match="calls double"):
        est.save(io.StringIO())


def test_formula_model_files_round_trip(tmp_path):
    df = _frame(n=300)
    formula = ("y ~ x * city + member + C(rank) + poly(age, 2) "
               "+ np.exp(center(x))")
    est = clogit.logit(formula, df, cov_type="cluster", groups="firm")
    path = tmp_path / "model.json"
    est.save(path)
    loaded = clogit.load(path)
    new = _frame(n=40, seed=6)
    np.testing.assert_array_equal(loaded.predict_proba(new),
                                  est.predict_proba(new))
    assert str(loaded.summary()) == str(est.summary())
    np.testing.assert_array_equal(loaded.results_.bse, est.results_.bse)
    assert loaded.formula_.formula == formula
    doc = json.loads(path.read_text())
    levels = dict(doc["formula"]["encoder_state"]["dict"])
    assert levels["city"]["dict"][0] == ["kind", "categorical"]
    bad = _frame(n=5, seed=7)
    bad.loc[0, "city"] = "lima"
    with pytest.raises(ValueError, match="lima"):
        loaded.predict(bad)


@pytest.mark.parametrize("rhs, message", [
    ("__import__('os').system('echo hi')", "__import__|cannot parse"),
    ("x.to_csv('out.csv')", "calls x.to_csv"),
    ("np.save('f', x)", "calls np.save"),
    ("x.__class__", "private"),
    ("(lambda v: v)(x)", "calls an expression|cannot parse"),
    ("getattr(x, 'to_csv')('f')", "calls"),
])
def test_model_files_never_evaluate_arbitrary_formulas(rhs, message,
                                                       tmp_path):
    df = _frame(n=100)
    est = clogit.logit("y ~ x + city", df)
    text = io.StringIO()
    est.save(text)
    doc = json.loads(text.getvalue())
    doc["formula"]["formula"] = "y ~ " + rhs
    with pytest.raises(ValueError, match=message):
        clogit.load(io.StringIO(json.dumps(doc)))


def test_formula_state_that_is_not_json_is_refused_at_save():
    df = _frame(n=100)
    est = clogit.logit("y ~ x + city", df)
    est.formula_._transform_state["center(x)"] = {"center": object()}
    with pytest.raises(ValueError, match="cannot be written as JSON"):
        est.save(io.StringIO())


def test_design_state_encoding_round_trips():
    from clogit._formula_design import decode_state, encode_state
    state = {"a": np.float64(1.5), 2: [np.int64(3), (1, "b")],
             "arr": np.arange(3.0), "inf": np.inf, "none": None,
             "flag": np.bool_(True)}
    back = decode_state(json.loads(json.dumps(encode_state(state))))
    assert back["a"] == 1.5 and back[2] == [3, (1, "b")]
    np.testing.assert_array_equal(back["arr"], np.arange(3.0))
    assert back["inf"] == np.inf and back["none"] is None and back["flag"]
    with pytest.raises(ValueError, match="unsupported"):
        decode_state({"py/object": "os.system"})
    with pytest.raises(ValueError, match="too deeply"):
        decode_state([[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]])


def test_formula_design_from_state_checks_every_field():
    df = _frame(n=100)
    state = clogit.logit("y ~ x + city", df).formula_.to_state()
    for key, value in [("formula", 3), ("feature_names", "x"),
                       ("intercept", "yes"), ("sparse", 1),
                       ("encoder_state", {"dict": [["city", 3]]})]:
        broken = dict(state, **{key: value})
        with pytest.raises(ValueError):
            FormulaDesign.from_state(broken)
    with pytest.raises(ValueError, match="keys"):
        FormulaDesign.from_state({"formula": "y ~ x"})


def test_plain_fit_forgets_the_formula():
    df = _frame(n=100)
    est = clogit.logit("y ~ x + city", df)
    est.fit(df[["x"]], df["y"])
    assert not hasattr(est, "formula_")
    assert est.results_.coefficient_names == ["const", "x"]


def test_formula_models_pickle_without_the_data():
    import pickle
    df = _frame(n=200)
    est = clogit.logit("y ~ x + city + member + np.exp(center(age))", df)
    text = pickle.dumps(est)
    assert len(text) < 20_000  # no copy of the data or the design
    copy = pickle.loads(text)
    np.testing.assert_array_equal(copy.predict_proba(df),
                                  est.predict_proba(df))
    assert str(copy.summary()) == str(est.summary())
