"""Truncated Newton (clogit._solvers.newton_cg): the CG solver, agreement with the
Cholesky Newton solver on dense and sparse X, and the solver choice."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning

import clogit
from clogit import _fitting
from clogit._fitting import Objective as _Objective
from clogit._solvers.newton import newton_binary
from clogit._solvers.newton_cg import conjugate_gradient, newton_cg_binary
from clogit._solvers.separation import SeparationWarning
from _data import synthetic_binary, solve


def _spd(n, seed=0, condition=1e3):
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    return (Q * np.geomspace(1.0, condition, n)) @ Q.T


@pytest.mark.parametrize("rtol", [1e-2, 1e-6, 1e-10])
def test_conjugate_gradient_solves_to_the_requested_residual(rtol):
    H = _spd(30)
    g = np.random.default_rng(1).standard_normal(30)
    d, n_products = conjugate_gradient(lambda v, out: np.dot(H, v, out=out),
                                       g, 1.0 / np.diag(H), rtol, 500)
    assert np.linalg.norm(H @ d + g) <= rtol * np.linalg.norm(g)
    assert g @ d < 0
    assert 0 < n_products <= 500
    if rtol == 1e-10:
        np.testing.assert_allclose(d, np.linalg.solve(H, -g), rtol=1e-7)


def test_conjugate_gradient_on_a_singular_hessian_still_descends():
    # zero curvature along the gradient: CG stops with a descent direction
    H = np.diag([0.0, 0.0, 2.0])
    g = np.array([1.0, -2.0, 0.0])
    d, n_products = conjugate_gradient(lambda v, out: np.dot(H, v, out=out),
                                       g, np.ones(3), 1e-8, 50)
    assert n_products == 1 and g @ d < 0


def test_conjugate_gradient_with_zero_gradient_does_nothing():
    d, n_products = conjugate_gradient(None, np.zeros(4), np.ones(4), 0.1, 50)
    assert n_products == 0 and not d.any()


def _problems():
    X, y = synthetic_binary(n=1500, p=12, seed=2)
    Xs = sp.csr_matrix(np.where(np.abs(X) > 0.7, X, 0.0))
    return {"dense": (X, y),
            "dense-F32": (np.asfortranarray(X, np.float32), y),
            "csr": (Xs, y), "csc": (Xs.tocsc(), y)}


@pytest.mark.parametrize("kind", ["dense", "dense-F32", "csr", "csc"])
@pytest.mark.parametrize("alpha", [1.0, 0.0])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
def test_newton_cg_reaches_newtons_optimum(kind, alpha, fit_intercept,
                                           weighted):
    X, y = _problems()[kind]
    y = y.astype(np.float64)
    s = (np.random.default_rng(3).uniform(0.2, 3.0, y.size) if weighted
         else np.ones(y.size))
    kwargs = dict(C=0.3, alpha=alpha, fit_intercept=fit_intercept, tol=1e-10,
                  max_iter=100)
    reference = solve(newton_binary,
                      X if not sp.issparse(X) else X.toarray(), y, s,
                      **kwargs)
    result = solve(newton_cg_binary, X, y, s, **kwargs)
    assert result.converged and reference.converged
    assert result.hessian_factor is None and result.ridge == 0.0
    np.testing.assert_allclose(result.coef, reference.coef, rtol=1e-8,
                               atol=1e-9)
    np.testing.assert_allclose(result.objective, reference.objective,
                               rtol=1e-13)
    # a warm start at the optimum converges at once
    again = solve(newton_cg_binary, X, y, s, coef0=result.coef, **kwargs)
    assert again.converged and again.n_iter == 1


def test_newton_cg_prints_one_line_per_iteration(capsys):
    X, y = _problems()["csr"]
    result = solve(newton_cg_binary, X, y.astype(np.float64), np.ones(y.size),
                              C=1.0, alpha=1.0, fit_intercept=True, tol=1e-8,
                              max_iter=50, verbose=1, label="[k] ")
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == result.n_iter
    assert all(line.startswith("[k] iter") for line in lines)
    assert "cg" in lines[0] and "converged" in lines[-1]


def test_newton_cg_that_stops_short_warns():
    X, y = _problems()["csr"]
    X = sp.hstack([X] * 40).tocsr()  # p = 480: auto runs Newton-CG
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        clf = clogit.LogisticRegression(max_iter=1).fit(X, y)
    assert not clf.converged_


def test_newton_cg_monitor_stops_a_separated_fit():
    rng = np.random.default_rng(4)
    n, p = 400, 500
    X = sp.random(n, p, density=0.02, format="lil", random_state=4)
    y = (rng.random(n) < 0.5).astype(np.int64)
    X[:, 7] = (2.0 * y - 1.0)[:, None]  # x7 separates the classes
    with pytest.warns(SeparationWarning, match="x7"):
        clf = clogit.LogisticRegression(penalty=None).fit(X.tocsr(), y)
    assert not clf.converged_


def _objective(l2=1.0, l1=0.0):
    return _Objective(C=1.0, l1=l1, l2=l2)


@pytest.mark.parametrize("solver, l1, n_features, sparse, expected", [
    ("auto", 0.0, 300, False, "newton"),
    ("auto", 0.0, 1001, False, "lbfgs"),
    ("auto", 0.0, 300, True, "newton"),
    ("auto", 0.0, 301, True, "newton_cg"),
    ("auto", 0.0, 100_000, True, "newton_cg"),
    ("auto", 1.0, 100_000, True, "prox_newton"),
    ("newton", 0.0, 5000, False, "newton"),
    ("newton", 0.0, 5000, True, "newton"),
    ("newton", 0.0, 6000, False, "newton_cg"),
    ("newton", 0.0, 100_000, True, "newton_cg"),
    ("lbfgs", 0.0, 100_000, True, "lbfgs"),
    ("gd", 0.0, 100_000, True, "gd"),
])
def test_solver_choice(solver, l1, n_features, sparse, expected):
    clf = clogit.LogisticRegression(solver=solver)
    assert clf._solver_for(_objective(l1=l1), n_features, sparse) == expected


def test_newton_beyond_the_hessian_budget_runs_newton_cg(monkeypatch):
    X, y = synthetic_binary(n=800, p=10, seed=5)
    reference = clogit.LogisticRegression(tol=1e-10).fit(X, y)
    ran = []
    real = _fitting.newton_cg_binary
    monkeypatch.setattr(_fitting, "newton_cg_binary",
                        lambda *a, **k: ran.append(1) or real(*a, **k))
    # a budget just below the 11 x 11 Hessian of 10 features + intercept
    monkeypatch.setattr(_fitting, "NEWTON_HESSIAN_MAX_BYTES",
                        8 * 11 ** 2 - 1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clf = clogit.LogisticRegression(solver="newton", tol=1e-10).fit(X, y)
    assert ran
    np.testing.assert_allclose(clf.coef_, reference.coef_, rtol=1e-8)
    np.testing.assert_allclose(clf.intercept_, reference.intercept_,
                               rtol=1e-8)
