"""lbfgs and gd against Newton and scikit-learn; lipschitz_step."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.multiclass import OneVsRestClassifier

import clogit
from clogit._solvers.gd import gradient_descent, lipschitz_constant
from clogit._backends.memory import BinomialKernels
from _data import breast_cancer, synthetic_binary, synthetic_multiclass, solve


@pytest.mark.parametrize("solver, tol, max_iter, rtol", [
    ("newton", 1e-10, 100, 1e-7),
    ("lbfgs", 1e-10, 10_000, 1e-5),
    ("gd", 1e-8, 200_000, 1e-5),
])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_every_solver_reaches_sklearn_l2_optimum(solver, tol, max_iter, rtol,
                                                 fit_intercept):
    X, y = synthetic_binary(n=600, p=5, seed=1)
    ours = clogit.LogisticRegression(solver=solver, tol=tol, max_iter=max_iter,
                                     fit_intercept=fit_intercept).fit(X, y)
    ref = SkLogisticRegression(solver="newton-cholesky", tol=1e-12,
                               fit_intercept=fit_intercept).fit(X, y)
    assert ours.converged_
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=rtol, atol=1e-8)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=rtol,
                               atol=1e-8)


def test_lbfgs_newton_gd_agree_unpenalized():
    X, y = synthetic_binary(n=500, p=4, seed=2)
    # tol 1e-8: L-BFGS cannot certify 1e-9 here (it used to claim it)
    fits = [clogit.LogisticRegression(penalty=None, solver=s, tol=1e-8,
                                      max_iter=200_000).fit(X, y)
            for s in ("newton", "lbfgs", "gd")]
    for other in fits[1:]:
        np.testing.assert_allclose(other.coef_, fits[0].coef_, rtol=1e-5)


@pytest.mark.parametrize("penalty, l1_ratio", [("l1", None),
                                               ("elasticnet", 0.4)])
def test_proximal_gd_agrees_with_proximal_newton(penalty, l1_ratio):
    X, y = synthetic_binary(n=400, p=8, seed=3)
    kwargs = dict(penalty=penalty, l1_ratio=l1_ratio, C=0.1)
    newton = clogit.LogisticRegression(tol=1e-10, **kwargs).fit(X, y)
    gd = clogit.LogisticRegression(solver="gd", tol=1e-9, max_iter=200_000,
                                   **kwargs).fit(X, y)
    np.testing.assert_array_equal(gd.coef_ == 0, newton.coef_ == 0)
    np.testing.assert_allclose(gd.coef_, newton.coef_, rtol=1e-5, atol=1e-8)


def test_nesterov_converges_in_fewer_iterations():
    X, y = synthetic_binary(n=500, p=6, seed=4)
    yf = y.astype(float)
    s = np.ones(len(y))
    args = dict(C=1.0, l1=0.0, l2=1.0, fit_intercept=True, tol=1e-8,
                max_iter=100_000)
    plain = solve(gradient_descent, X, yf, s, **args)
    fast = solve(gradient_descent, X, yf, s, nesterov=True, **args)
    assert plain.converged and fast.converged
    assert fast.n_iter < plain.n_iter
    np.testing.assert_allclose(fast.coef, plain.coef, rtol=1e-5)


def _dense_lipschitz(X, s, C, fit_intercept):
    Xt = np.hstack([X, np.ones((len(X), 1))]) if fit_intercept else X
    return C * np.linalg.eigvalsh((Xt.T * s) @ Xt)[-1] / 4


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_lipschitz_step_equals_smoothness_constant(fit_intercept):
    X, _ = breast_cancer()
    s = np.random.default_rng(0).uniform(0.5, 2, len(X))
    step = clogit.lipschitz_step(X, C=2.0, sample_weight=s,
                                 fit_intercept=fit_intercept)
    expected = 1 / _dense_lipschitz(X, s, 2.0, fit_intercept)
    assert step == pytest.approx(expected, rel=1e-12)


def test_lipschitz_lanczos_path_matches_dense():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((700, 600))
    s = np.ones(700)
    L = lipschitz_constant(BinomialKernels(X, np.full(X.shape[0], 0.5), s, 1.5,
                                        True))
    assert L == pytest.approx(_dense_lipschitz(X, s, 1.5, True), rel=1e-5)
    assert L >= _dense_lipschitz(X, s, 1.5, True)  # never a too-long step


def test_lipschitz_step_is_a_descent_step():
    X, y = synthetic_binary(n=300, p=3)
    yf = y.astype(float)
    s = np.ones(len(y))
    result = solve(gradient_descent, X, yf, s, C=1.0, l1=0.0, l2=0.0,
                              fit_intercept=True, tol=1e-12, max_iter=50,
                              verbose=0)
    # plain gd with 1/L is monotone: re-run and record objectives
    objectives = []
    for k in range(1, 30):
        r = solve(gradient_descent, X, yf, s, C=1.0, l1=0.0, l2=0.0,
                             fit_intercept=True, tol=1e-12, max_iter=k)
        objectives.append(r.objective)
    assert np.all(np.diff(objectives) <= 1e-12)
    assert not result.converged


def test_lipschitz_step_validates_input():
    with pytest.raises(ValueError, match="C must be"):
        clogit.lipschitz_step(np.eye(3), C=0.0)
    with pytest.raises(ValueError, match="NaN"):
        clogit.lipschitz_step(np.array([[np.nan, 1.0]]))


def test_auto_picks_lbfgs_for_many_features():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((300, 1200))
    y = rng.integers(0, 2, 300)
    auto = clogit.LogisticRegression(tol=1e-9, max_iter=1000).fit(X, y)
    lbfgs = clogit.LogisticRegression(solver="lbfgs", tol=1e-9,
                                      max_iter=1000).fit(X, y)
    newton = clogit.LogisticRegression(solver="newton", tol=1e-10).fit(X, y)
    np.testing.assert_array_equal(auto.coef_, lbfgs.coef_)
    np.testing.assert_allclose(auto.coef_, newton.coef_, rtol=0, atol=1e-6)


@pytest.mark.parametrize("class_weight", ["balanced", {"ant": 3.0,
                                                       "dog": 0.5}])
def test_ovr_class_weight_matches_sklearn(class_weight):
    X, y = synthetic_multiclass(seed=3)
    ours = clogit.LogisticRegression(tol=1e-10, class_weight=class_weight,
                                     multi_class="ovr")
    ours.fit(X, y)
    if class_weight == "balanced":
        ref = OneVsRestClassifier(SkLogisticRegression(
            solver="newton-cholesky", tol=1e-12, class_weight="balanced"))
        ref.fit(X, y)
        coef = np.vstack([e.coef_ for e in ref.estimators_])
    else:
        # a dict weighs each sample by its own label in every sub-problem:
        # the same fits as per-sample weights
        weights = np.vectorize(lambda c: class_weight.get(c, 1.0))(y)
        coef = np.vstack([
            SkLogisticRegression(solver="newton-cholesky", tol=1e-12)
            .fit(X, y == c, sample_weight=weights).coef_
            for c in np.unique(y)])
    np.testing.assert_allclose(ours.coef_, coef, rtol=1e-6)


@pytest.mark.parametrize("solver", ["newton", "lbfgs"])
def test_class_weight_balanced_binary_matches_sklearn(solver):
    X, y = synthetic_binary(n=700, seed=6)
    keep = (y == 0) | (np.arange(len(y)) % 4 == 0)
    X, y = X[keep], y[keep]
    # L-BFGS certifies 1e-8 here, not 1e-10 (it used to claim it)
    ours = clogit.LogisticRegression(solver=solver,
                                     tol=1e-10 if solver == "newton"
                                     else 1e-8,
                                     class_weight="balanced").fit(X, y)
    ref = SkLogisticRegression(solver="newton-cholesky", tol=1e-12,
                               class_weight="balanced").fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-5)


@pytest.mark.parametrize("penalty", [None, "l1"])
def test_gd_does_not_claim_a_fit_its_features_scale_hides(penalty):
    # features near 1e-9: every gradient entry near 1e-9 at any
    # coefficients, so the gradient test held at the start and gd
    # "converged" with every coefficient zero.  Its guard on the Hessian's
    # diagonal makes that no convergence (gd's one step size, set by the
    # intercept's curvature, cannot fit such features: it says so); on
    # ordinary features the guard holds where the gradient test does.
    from sklearn.exceptions import ConvergenceWarning
    X, y = synthetic_binary(n=3000, p=5, seed=9)
    C = 1.0 if penalty is None else 1e18  # the same l1 problem, rescaled
    with pytest.warns(ConvergenceWarning,
                      match=r"sum g_j\^2 / \(2 H_jj\) <= tol"):
        tiny = clogit.LogisticRegression(penalty=penalty, C=C, solver="gd",
                                         max_iter=300).fit(X * 1e-9, y)
    assert not tiny.converged_ and tiny.n_iter_[0] == 300
    ordinary = clogit.LogisticRegression(penalty=penalty, solver="gd",
                                         max_iter=5000).fit(X, y)
    assert ordinary.converged_
