"""The proximal Newton step without a model Hessian (sparse X, wide
working sets): the conjugate-gradient orthant step against a dense solve of
the same model, the CD + CG model step against the model's minimum, and
fits that take that step against fits on the dense model."""

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.special import expit

import clogit
from clogit._backends.memory import BinomialKernels
from clogit._kernels.cd import cd_quadratic
from clogit._solvers import prox_newton as pn
from clogit._solvers.prox_newton import kkt_violation


def _problem(n=500, p=60, seed=4, scale=6.0):
    """Nonnegative sparse features (as tf-idf) and large coefficients: a
    nearly separable problem, where coordinate descent on the model
    crawls."""
    rng = np.random.default_rng(seed)
    X = sp.random(n, p, density=0.1, format="csr", random_state=seed)
    X.data = rng.random(X.data.shape[0]) + 0.1
    truth = rng.standard_normal(p) * scale
    z = X @ truth
    y = (rng.random(n) < expit(z - np.median(z))).astype(np.float64)
    return X, y


def _model_at(X, y, C, coef, working):
    """The local model at ``coef`` (working set, then intercept) from
    numpy alone: data gradient, dense Hessian and the Hessian weights."""
    Xt = np.column_stack([X[:, working].toarray(), np.ones(X.shape[0])])
    z = Xt @ coef
    prob = expit(z)
    weights = C * prob * (1 - prob)
    grad = Xt.T @ (C * (prob - y))
    hess = Xt.T @ (weights[:, None] * Xt)
    return Xt, z, weights, grad, hess


def _model_value(grad, hess, coef, step, k, l1, l2):
    v, w = coef + step, coef
    return (grad @ step + 0.5 * step @ hess @ step
            + l1 * (np.abs(v[:k]).sum() - np.abs(w[:k]).sum())
            + 0.5 * l2 * (v[:k] @ v[:k] - w[:k] @ w[:k]))


@pytest.fixture(scope="module")
def model():
    X, y = _problem()
    C = 50.0
    rng = np.random.default_rng(1)
    p = X.shape[1]
    working = np.arange(0, p, 2, dtype=np.int32)
    coef = np.append(rng.standard_normal(working.size) * 3.0
                     * (rng.random(working.size) < 0.7), -0.4)
    kernels = BinomialKernels(X, y, np.ones(X.shape[0]), C, True)
    return X, y, C, working, coef, kernels


@pytest.mark.parametrize("l1, l2", [(1.0, 0.0), (0.6, 0.4)])
def test_cg_orthant_step_is_the_dense_orthant_solution(model, l1, l2):
    X, y, C, working, coef, kernels = model
    k = working.size
    Xt, z, weights, grad, hess = _model_at(X, y, C, coef, working)
    step = np.zeros(k + 1)
    cd_quadratic(np.asfortranarray(hess), grad, coef, k, l1, l2, step,
                 np.zeros(k + 1), 3, 0.0)
    diagonal = np.zeros(X.shape[1] + 1)
    diagonal[working] = np.diag(hess)[:k]
    diagonal[-1] = hess[k, k]
    result = pn.orthant_cg_step(kernels, weights, diagonal, grad, coef, step,
                                working, l1, l2, 10_000, 1e-13)
    # the reference: the smooth quadratic on the sign pattern of
    # coef + step, solved densely, then the same projection
    start = coef + step
    nonzero = np.flatnonzero(start[:k])
    free = np.append(nonzero, k)
    sigma = np.sign(start[nonzero])
    A = hess[np.ix_(free, free)].copy()
    A[np.arange(nonzero.size), np.arange(nonzero.size)] += l2
    target = hess[free] @ coef - grad[free]
    target[:-1] -= l1 * sigma
    v = np.linalg.solve(A, target)
    flipped = np.sign(v[:-1]) != sigma
    assert np.all(np.abs(v[:-1][flipped]) > 1e-6)  # projection is stable
    v[:-1][flipped] = 0.0
    expected = np.zeros(k + 1)
    expected[free] = v
    np.testing.assert_allclose(coef + result, expected, rtol=1e-7,
                               atol=1e-9)


@pytest.mark.parametrize("l1, l2", [(1.0, 0.0), (0.6, 0.4)])
def test_matrix_free_model_step_reaches_the_model_minimum(model,
                                                          monkeypatch, l1,
                                                          l2):
    X, y, C, working, coef, kernels = model
    k = working.size
    Xt, z, weights, grad, hess = _model_at(X, y, C, coef, working)
    # the model's minimum by dense CD run to convergence
    best = np.zeros(k + 1)
    cd_quadratic(np.asfortranarray(hess), grad, coef, k, l1, l2, best,
                 np.zeros(k + 1), 200_000, 1e-14)
    best_value = _model_value(grad, hess, coef, best, k, l1, l2)
    monkeypatch.setattr(pn, "CD_SWEEPS_BEFORE_CG", 2)
    monkeypatch.setattr(pn, "POLISH_SWEEPS", 2)
    monkeypatch.setattr(pn, "CG_ROUNDS", 50)
    dz = np.zeros(X.shape[0])
    step = pn._matrix_free_model_step(kernels, z, grad, coef, working, l1,
                                      l2, np.zeros(k + 1), dz, 1e-12)
    np.testing.assert_allclose(dz, Xt @ step, rtol=1e-10, atol=1e-10)
    value = _model_value(grad, hess, coef, step, k, l1, l2)
    assert value - best_value <= 1e-9 * abs(best_value)
    # two sweeps of CD alone stay far above: CG did the work
    cd_only = np.zeros(k + 1)
    cd_quadratic(np.asfortranarray(hess), grad, coef, k, l1, l2, cd_only,
                 np.zeros(k + 1), 2, 0.0)
    cd_value = _model_value(grad, hess, coef, cd_only, k, l1, l2)
    assert cd_value - best_value > 1e-6 * abs(best_value)


def test_a_round_that_worsens_the_model_is_not_kept(model, monkeypatch):
    """With CG made useless (no iterations) the projection-free round
    equals the CD step it started from: the step is CD's alone."""
    X, y, C, working, coef, kernels = model
    k = working.size
    Xt, z, weights, grad, hess = _model_at(X, y, C, coef, working)
    monkeypatch.setattr(pn, "CD_SWEEPS_BEFORE_CG", 3)
    monkeypatch.setattr(pn, "POLISH_SWEEPS", 0)
    monkeypatch.setattr(pn, "CG_ITERATIONS", 0)
    dz = np.zeros(X.shape[0])
    step = pn._matrix_free_model_step(kernels, z, grad, coef, working, 1.0,
                                      0.0, np.zeros(k + 1), dz, 0.0)
    cd_only = np.zeros(k + 1)
    cd_quadratic(np.asfortranarray(hess), grad, coef, k, 1.0, 0.0, cd_only,
                 np.zeros(k + 1), 3, 0.0)
    np.testing.assert_allclose(step, cd_only, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(dz, Xt @ step, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("penalty", ["l1", "elasticnet"])
def test_fits_through_the_cg_step_reach_the_dense_model_optimum(
        monkeypatch, penalty):
    X, y = _problem(n=800, p=80, seed=5)
    params = dict(penalty=penalty, C=30.0, tol=1e-11, max_iter=500,
                  l1_ratio=0.7 if penalty == "elasticnet" else None)
    reference = clogit.LogisticRegression(**params).fit(X, y)
    calls = []
    original = pn.orthant_cg_step

    def counted(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(pn, "orthant_cg_step", counted)
    monkeypatch.setattr(pn, "_DENSE_MODEL_MAX_FEATURES", 5)
    monkeypatch.setattr(pn, "CD_SWEEPS_BEFORE_CG", 2)
    monkeypatch.setattr(pn, "POLISH_SWEEPS", 2)
    fit = clogit.LogisticRegression(**params).fit(X, y)
    assert calls and fit.converged_
    np.testing.assert_array_equal(fit.coef_ == 0.0, reference.coef_ == 0.0)
    np.testing.assert_allclose(fit.coef_, reference.coef_, rtol=1e-6,
                               atol=1e-8)
    # KKT at the result, from numpy alone
    l1, l2 = (1.0, 0.0) if penalty == "l1" else (0.7, 0.3)
    w, b = fit.coef_[0], fit.intercept_[0]
    residual = params["C"] * (expit(X @ w + b) - y)
    violation = max(kkt_violation(X.T @ residual, w, l1, l2).max(),
                    abs(residual.sum()))
    assert violation <= 1e-9 * params["C"] * X.shape[0]
