"""Robust and cluster covariances (clogit._inference.covariance).

References: statsmodels' ``Logit.fit(cov_type=...)`` with its default
corrections (HC0-HC3: ``cov_white_simple(use_correction=False)``, all equal
for discrete models; cluster: CRV1 with ``G/(G-1) (N-1)/(N-k)``), on the
Spector data and on synthetic data with clusters; the sandwich formula
evaluated with numpy for penalized fits; and invariances (frequency
weights = repeated rows, every solver and data layout the same figures).
"""

import numpy as np
import pytest
import scipy.sparse as sp

import clogit
from _data import synthetic_binary, synthetic_multiclass

sm = pytest.importorskip("statsmodels.api")

RTOL = 1e-6
COV_TYPES = ["nonrobust", "HC0", "HC1", "HC2", "HC3"]


def _statsmodels(X, y, cov_type, groups=None):
    kwargs = {} if groups is None else {"cov_kwds": {"groups": groups}}
    return sm.Logit(y, sm.add_constant(X)).fit(
        method="newton", tol=1e-12, maxiter=100, disp=0, cov_type=cov_type,
        **kwargs)


def _clustered(n=600, p=4, n_groups=23, seed=0):
    """Binary data whose clusters share a random effect (so that the
    cluster-robust covariance differs from the classical one)."""
    rng = np.random.default_rng(seed)
    groups = rng.integers(0, n_groups, n)
    effect = rng.standard_normal(n_groups)[groups]
    X = rng.standard_normal((n, p)) + 0.5 * effect[:, None]
    z = X @ rng.standard_normal(p) * 0.5 + effect
    y = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(float)
    return X, y, groups


@pytest.mark.parametrize("cov_type", COV_TYPES)
def test_hc_equals_statsmodels_on_spector(cov_type):
    data = sm.datasets.spector.load_pandas()
    X, y = data.exog, data.endog
    ref = _statsmodels(X, y, cov_type)
    est = clogit.LogisticRegression(penalty=None, tol=1e-10,
                                    cov_type=cov_type).fit(X, y)
    np.testing.assert_allclose(est.covariance_, ref.cov_params(), rtol=RTOL)
    np.testing.assert_allclose(est.std_errors_, ref.bse, rtol=RTOL)
    np.testing.assert_allclose(est.p_values_, ref.pvalues, rtol=RTOL)
    np.testing.assert_allclose(est.conf_int(), ref.conf_int(), rtol=RTOL)
    assert est.results_.cov_type == cov_type


def test_hc1_to_hc3_equal_hc0_as_in_statsmodels():
    X, y = synthetic_binary(n=300, p=3, seed=1)
    covs = [clogit.LogisticRegression(penalty=None, cov_type=c).fit(
        X, y).covariance_ for c in ("HC0", "HC1", "HC2", "HC3")]
    for cov in covs[1:]:
        np.testing.assert_array_equal(cov, covs[0])


@pytest.mark.parametrize("labels", ["ints", "strings"])
def test_cluster_equals_statsmodels(labels):
    X, y, groups = _clustered()
    names = np.array([f"g{g:02d}" for g in groups]) if labels == "strings" \
        else groups
    ref = _statsmodels(X, y, "cluster", groups)
    est = clogit.LogisticRegression(penalty=None, tol=1e-10,
                                    cov_type="cluster").fit(X, y,
                                                            groups=names)
    np.testing.assert_allclose(est.covariance_, ref.cov_params(), rtol=RTOL)
    np.testing.assert_allclose(est.std_errors_, ref.bse, rtol=RTOL)
    np.testing.assert_allclose(est.p_values_, ref.pvalues, rtol=RTOL)
    res = est.results_
    assert res._fit.n_groups == 23
    assert "No. Clusters:" in str(est.summary())
    # clusters matter here: the cluster-robust errors are not the classical
    classical = clogit.LogisticRegression(penalty=None).fit(X, y)
    assert np.max(np.abs(est.std_errors_ / classical.std_errors_ - 1)) > 0.1


@pytest.mark.parametrize("cov_type", ["HC0", "cluster"])
def test_frequency_weights_equal_repeated_rows(cov_type):
    X, y, groups = _clustered(n=300, seed=2)
    counts = np.random.default_rng(3).integers(0, 4, len(y))
    params = dict(penalty=None, tol=1e-10, cov_type=cov_type)
    g = groups if cov_type == "cluster" else None
    weighted = clogit.LogisticRegression(**params).fit(
        X, y, sample_weight=counts, groups=g)
    rows = np.repeat(np.arange(len(y)), counts)
    repeated = clogit.LogisticRegression(**params).fit(
        X[rows], y[rows], groups=None if g is None else g[rows])
    np.testing.assert_allclose(weighted.covariance_, repeated.covariance_,
                               rtol=1e-8, atol=1e-14)
    assert weighted.results_.nobs == repeated.results_.nobs == counts.sum()


def test_cluster_count_ignores_clusters_of_zero_weight():
    X, y, groups = _clustered(n=400, n_groups=10, seed=4)
    s = np.where(groups == 3, 0.0, 1.0)
    keep = groups != 3
    a = clogit.LogisticRegression(penalty=None, cov_type="cluster").fit(
        X, y, sample_weight=s, groups=groups)
    b = clogit.LogisticRegression(penalty=None, cov_type="cluster").fit(
        X[keep], y[keep], groups=groups[keep])
    assert a._inference_fits[0].n_groups == 9
    np.testing.assert_allclose(a.covariance_, b.covariance_, rtol=1e-8)


def _scores_and_hessian(X, y, s, params, C):
    """Per-sample log-likelihood scores and the penalized Hessian of
    ``-loglik + |w|^2 / (2C)``, intercept first, with numpy."""
    D = np.column_stack([np.ones(len(X)), X])
    p = 1 / (1 + np.exp(-(D @ params)))
    scores = (y - p)[:, None] * D
    H = D.T @ ((s * p * (1 - p))[:, None] * D)
    H[np.arange(1, D.shape[1]), np.arange(1, D.shape[1])] += 1 / C
    return scores, H


@pytest.mark.parametrize("cov_type", ["HC0", "cluster"])
def test_penalized_sandwich_uses_the_penalized_hessian(cov_type):
    X, y, groups = _clustered(n=400, seed=5)
    s = np.random.default_rng(6).uniform(0.5, 2.0, len(y))
    est = clogit.LogisticRegression(C=0.3, tol=1e-10, cov_type=cov_type)
    est.fit(X, y, sample_weight=s,
            groups=groups if cov_type == "cluster" else None)
    scores, H = _scores_and_hessian(X, y, s, est.params_, 0.3)
    if cov_type == "HC0":
        meat = (scores.T * s) @ scores
        factor = 1.0
    else:
        sums = np.zeros((groups.max() + 1, scores.shape[1]))
        np.add.at(sums, groups, s[:, None] * scores)
        meat = sums.T @ sums
        G, N, k = len(np.unique(groups)), s.sum(), scores.shape[1]
        factor = G / (G - 1) * (N - 1) / (N - k)
    bread = np.linalg.inv(H)
    np.testing.assert_allclose(est.covariance_, factor * bread @ meat @ bread,
                               rtol=1e-9, atol=1e-15)
    assert "penalized Hessian as bread" in str(est.summary())


@pytest.mark.parametrize("case", ["lbfgs", "gd", "newton-cg-sparse",
                                  "csr", "csc", "float32", "F-order",
                                  "max_iter"])
@pytest.mark.parametrize("cov_type", ["HC0", "cluster"])
def test_robust_covariance_after_every_solver_and_layout(case, cov_type,
                                                         monkeypatch):
    X, y, groups = _clustered(n=500, p=3, seed=7)
    reference = clogit.LogisticRegression(
        penalty=None, tol=1e-12, cov_type=cov_type).fit(
            X, y, groups=groups if cov_type == "cluster" else None)
    params = dict(penalty=None, tol=1e-10, cov_type=cov_type,
                  max_iter=100_000)
    data = X
    rtol = 1e-7
    if case in ("lbfgs", "gd"):
        params["solver"] = case
        rtol = 1e-6 if case == "lbfgs" else 2e-5
    elif case == "newton-cg-sparse":
        # what solver="auto" runs on sparse X wider than the limit
        from clogit import _fitting
        monkeypatch.setattr(_fitting, "AUTO_SPARSE_NEWTON_MAX_FEATURES", 1)
        data = sp.csr_matrix(X)
    elif case in ("csr", "csc"):
        data = sp.csr_matrix(X) if case == "csr" else sp.csc_matrix(X)
    elif case == "float32":
        data = X.astype(np.float32)
        reference = clogit.LogisticRegression(
            penalty=None, tol=1e-12, cov_type=cov_type).fit(
                data.astype(np.float64), y,
                groups=groups if cov_type == "cluster" else None)
    elif case == "F-order":
        data = np.asfortranarray(X)
    elif case == "max_iter":
        params["max_iter"] = 3
        params["tol"] = 1e-14
    fit = clogit.LogisticRegression(**params)
    with np.errstate(all="ignore"):
        if case == "max_iter":
            with pytest.warns(Warning, match="did not converge"):
                fit.fit(data, y,
                        groups=groups if cov_type == "cluster" else None)
            # the figures at the last iterate: the sandwich there, by numpy
            return _check_at_iterate(fit, X, y, groups, cov_type)
        fit.fit(data, y, groups=groups if cov_type == "cluster" else None)
    if case == "newton-cg-sparse":
        assert fit._inference_fits[0].solver == "newton_cg"
    np.testing.assert_allclose(fit.covariance_, reference.covariance_,
                               rtol=rtol, atol=1e-12)


def _check_at_iterate(fit, X, y, groups, cov_type):
    s = np.ones(len(y))
    scores, H = _scores_and_hessian(X, y, s, fit.params_, np.inf)
    if cov_type == "HC0":
        meat = scores.T @ scores
        factor = 1.0
    else:
        sums = np.zeros((groups.max() + 1, scores.shape[1]))
        np.add.at(sums, groups, scores)
        meat = sums.T @ sums
        G, N, k = len(np.unique(groups)), len(y), scores.shape[1]
        factor = G / (G - 1) * (N - 1) / (N - k)
    bread = np.linalg.inv(H)
    np.testing.assert_allclose(fit.covariance_, factor * bread @ meat @ bread,
                               rtol=1e-8)


def test_one_vs_rest_robust_per_class_equals_binary_fits():
    X, y = synthetic_multiclass(n=400)
    groups = np.arange(len(y)) % 17
    est = clogit.LogisticRegression(penalty=None, multi_class="ovr",
                                    cov_type="cluster", tol=1e-10).fit(
        X, y, groups=groups)
    for k, label in enumerate(est.classes_):
        binary = clogit.LogisticRegression(
            penalty=None, cov_type="cluster", tol=1e-10).fit(
                X, y == label, groups=groups)
        np.testing.assert_allclose(est.covariance_[k], binary.covariance_,
                                   rtol=1e-8)


@pytest.mark.parametrize("cov_type, groups, message", [
    ("nonrobust", np.zeros(50), "groups are the clusters"),
    ("HC1", np.zeros(50), "groups are the clusters"),
    ("cluster", None, "needs the cluster of every sample"),
    ("cluster", np.zeros(50), "at least 2 clusters"),
    ("cluster", np.arange(49), "49 entries but X has 50"),
    ("cluster", np.arange(100).reshape(50, 2), "must be 1-D"),
    ("cluster", np.r_[np.arange(49), np.nan], "NaN"),
    ("cluster", np.array([None] + ["a"] * 49, dtype=object), "missing"),
    ("cluster", np.array([1, "a"] * 25, dtype=object), "comparable"),
])
def test_bad_groups(cov_type, groups, message):
    X, y = synthetic_binary(n=50, p=2)
    est = clogit.LogisticRegression(cov_type=cov_type)
    with pytest.raises(ValueError, match=message):
        est.fit(X, y, groups=groups)


@pytest.mark.parametrize("cov_type", ["hc1", "robust", None, 1])
def test_bad_cov_type(cov_type):
    X, y = synthetic_binary(n=50, p=2)
    with pytest.raises(ValueError, match="cov_type must be one of"):
        clogit.LogisticRegression(cov_type=cov_type).fit(X, y)


def test_singular_to_rounding_is_singular():
    # an exactly collinear Hessian (a column and its copy) whose Cholesky
    # succeeds by rounding: NaN, from the matrix and from its factor; an
    # ill-conditioned but regular one (variance inflation 1e8) is inverted
    from clogit._inference.covariance import (SINGULAR_INFLATION,
                                              inverse_from_factor,
                                              inverse_or_nan)
    rng = np.random.default_rng(4)
    A = rng.standard_normal((500, 3))
    for extra, singular in ((A[:, :1] * (1 + 1e-15), True),
                            (A[:, :1] + 1e-4 * rng.standard_normal((500, 1)),
                             False)):
        B = np.hstack([A, extra])
        H = B.T @ B
        L = np.linalg.cholesky(H + 0.0)  # succeeds either way here
        for inverse in (inverse_or_nan(H),
                        inverse_from_factor(np.asfortranarray(L))):
            if singular:
                assert np.isnan(inverse).all()
            else:
                np.testing.assert_allclose(inverse @ H, np.eye(4),
                                           atol=1e-6)
                inflation = np.diag(H) * np.diag(inverse)
                assert 1e6 < inflation.max() < SINGULAR_INFLATION
