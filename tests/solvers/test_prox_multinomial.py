"""Proximal Newton for ℓ1 / elastic-net multinomial fits
(clogit._solvers.prox_multinomial).

References: scikit-learn's saga on the same objective (its multinomial loss
with ``l1_ratio``), run to tol 1e-14, and the optimality (KKT) conditions
checked with a gradient computed here in plain numpy.
"""

import numpy as np
import pytest
from scipy.special import logsumexp, softmax
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.preprocessing import StandardScaler

import clogit
from clogit import _fitting
from _data import synthetic_multiclass


def _iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def _params(penalty, l1_ratio):
    return ({"penalty": "l1"} if penalty == "l1"
            else {"penalty": "elasticnet", "l1_ratio": l1_ratio})


def _objective(X, y, coef, intercept, C, l1, l2, sample_weight=None):
    """``C sum_i s_i (logsumexp(z_i) - z_iy) + l1 |W|_1 + l2/2 |W|^2``."""
    s = np.ones(len(y)) if sample_weight is None else sample_weight
    Z = X @ coef.T + intercept
    loss = logsumexp(Z, axis=1) - Z[np.arange(len(y)), y]
    return (C * float(s @ loss) + l1 * np.abs(coef).sum()
            + 0.5 * l2 * float((coef ** 2).sum()))


def _data_gradient(X, y, coef, intercept, C, sample_weight):
    """Gradient of the data term: ``C X^T S (P - Y)``, and the intercepts'."""
    P = softmax(X @ coef.T + intercept, axis=1)
    R = sample_weight[:, None] * (P - np.eye(coef.shape[0])[y]) * C
    return R.T @ X, R.sum(axis=0)


@pytest.mark.parametrize("penalty, l1_ratio", [("l1", 1.0),
                                               ("elasticnet", 0.5),
                                               ("elasticnet", 0.1)])
@pytest.mark.parametrize("C", [0.05, 0.5, 5.0])
def test_matches_sklearn_saga(penalty, l1_ratio, C):
    X, y = _iris()
    reference = SkLogisticRegression(l1_ratio=l1_ratio, solver="saga", C=C,
                                     tol=1e-14, max_iter=200_000).fit(X, y)
    fit = clogit.LogisticRegression(multi_class="multinomial", C=C,
                                    tol=1e-10, **_params(penalty, l1_ratio)
                                    ).fit(X, y)
    assert fit.converged_
    # saga stops at ~1e-9 of the optimum here; the objectives agree closer
    np.testing.assert_allclose(fit.coef_, reference.coef_, rtol=0, atol=1e-6)
    np.testing.assert_allclose(fit.intercept_, reference.intercept_, rtol=0,
                               atol=1e-6)
    np.testing.assert_array_equal(fit.coef_ == 0.0, reference.coef_ == 0.0)
    l1, l2 = l1_ratio, 1.0 - l1_ratio
    ours = _objective(X, y, fit.coef_, fit.intercept_, C, l1, l2)
    theirs = _objective(X, y, reference.coef_, reference.intercept_, C, l1,
                        l2)
    assert ours <= theirs * (1 + 1e-12)


@pytest.mark.parametrize("penalty, l1_ratio", [("l1", 1.0),
                                               ("elasticnet", 0.3)])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_kkt_conditions_hold(penalty, l1_ratio, fit_intercept):
    X, y = synthetic_multiclass(n=2000, seed=4)
    classes, y_index = np.unique(y, return_inverse=True)
    weights = np.random.default_rng(4).uniform(0.2, 2.0, len(y))
    C, tol = 0.02, 1e-9
    fit = clogit.LogisticRegression(
        multi_class="multinomial", C=C, tol=tol, fit_intercept=fit_intercept,
        **_params(penalty, l1_ratio)).fit(X, y, sample_weight=weights)
    assert fit.converged_
    W, b = fit.coef_, fit.intercept_
    assert 0 < np.count_nonzero(W) < W.size  # a sparse solution
    grad_w, grad_b = _data_gradient(X, y_index, W, b, C, weights)
    l1, l2 = l1_ratio, 1.0 - l1_ratio
    g = grad_w + l2 * W
    scale = C * weights.sum()
    nonzero = W != 0.0
    assert np.abs(g[nonzero] + l1 * np.sign(W[nonzero])).max() <= tol * scale
    assert np.abs(g[~nonzero]).max() <= l1 + tol * scale
    if fit_intercept:
        assert np.abs(grad_b).max() <= tol * scale
        assert abs(b.sum()) < 1e-9  # centered, as scikit-learn reports


def test_large_penalty_gives_the_intercept_only_model():
    X, y = _iris()
    fit = clogit.LogisticRegression(multi_class="multinomial", penalty="l1",
                                    C=1e-4).fit(X, y)
    assert np.all(fit.coef_ == 0.0)
    # the intercepts are the centered log class frequencies
    log_freq = np.log(np.bincount(y) / len(y))
    np.testing.assert_allclose(fit.intercept_, log_freq - log_freq.mean(),
                               atol=1e-8)


def test_dense_hessian_limit_is_a_clear_error(monkeypatch):
    X, y = _iris()
    monkeypatch.setattr(_fitting, "NEWTON_HESSIAN_MAX_BYTES", 1000)
    with pytest.raises(ValueError, match="multi_class='ovr'"):
        clogit.LogisticRegression(multi_class="multinomial",
                                  penalty="l1").fit(X, y)


def test_auto_stays_one_vs_rest_for_l1():
    X, y = _iris()
    fit = clogit.LogisticRegression(penalty="l1", C=0.5).fit(X, y)
    ovr = clogit.LogisticRegression(penalty="l1", C=0.5,
                                    multi_class="ovr").fit(X, y)
    np.testing.assert_array_equal(fit.coef_, ovr.coef_)


@pytest.mark.parametrize("kind", ["csr", "csc", "float32", "fortran"])
def test_sparse_float32_and_fortran_input_give_the_dense_fit(kind):
    import scipy.sparse as sp
    X, y = synthetic_multiclass(n=1500, seed=6)
    X = np.where(np.abs(X) < 0.7, 0.0, X)  # sparse-ish
    params = dict(multi_class="multinomial", penalty="elasticnet",
                  l1_ratio=0.7, C=0.05, tol=1e-10)
    reference = clogit.LogisticRegression(**params).fit(X, y)
    data = {"csr": lambda: sp.csr_matrix(X), "csc": lambda: sp.csc_matrix(X),
            "float32": lambda: X.astype(np.float32),
            "fortran": lambda: np.asfortranarray(X)}[kind]()
    fit = clogit.LogisticRegression(**params).fit(data, y)
    # float32 input is not float64 data: agree to its rounding
    atol = 1e-5 if kind == "float32" else 1e-9
    np.testing.assert_allclose(fit.coef_, reference.coef_, rtol=0, atol=atol)
    np.testing.assert_allclose(fit.intercept_, reference.intercept_, rtol=0,
                               atol=atol)
