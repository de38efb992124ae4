"""Honest stopping (SPEC §3, ``converged_``): one test for every solver,
``max|grad f| / (C sum(s)) <= tol`` at the returned coefficients (intercept
included, the minimum-norm subgradient for l1 / elastic net, all K classes
for the multinomial model), checked here against an independent numpy
gradient; warnings name the solver and the test."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

import clogit
from clogit._solvers.stopping import kkt_violation
from _data import breast_cancer, synthetic_binary, synthetic_multiclass


def _binary_measure(X, y, coef, intercept, C, l1, l2, sample_weight=None):
    """max|grad f| / (C sum(s)) by numpy, f = C sum s loss + penalty."""
    s = np.ones(len(y)) if sample_weight is None else sample_weight
    z = X @ coef + intercept
    r = C * s * (1.0 / (1.0 + np.exp(-z)) - y)
    g_w = X.T @ r
    g = kkt_violation(g_w, coef, l1, l2) if l1 else np.abs(g_w + l2 * coef)
    return max(g.max(), abs(r.sum())) / (C * s.sum())


def _softmax_measure(X, codes, coef, intercept, C, l2):
    """The same over all K classes of a multinomial fit."""
    Z = X @ coef.T + intercept
    Z -= Z.max(axis=1, keepdims=True)
    P = np.exp(Z)
    P /= P.sum(axis=1, keepdims=True)
    R = C * (P - np.eye(coef.shape[0])[codes])
    g_w = R.T @ X + l2 * coef
    return max(np.abs(g_w).max(), np.abs(R.sum(axis=0)).max()) / (C * len(
        codes))


CASES = [("newton", "l2"), ("newton", None), ("newton-cg", "l2"),
         ("lbfgs", "l2"), ("lbfgs", None), ("gd", "l2"), ("newton", "l1"),
         ("gd", "l1")]


@pytest.mark.parametrize("solver, penalty", CASES)
@pytest.mark.parametrize("tol, max_iter", [(1e-4, 100), (1e-8, 5),
                                           (1e-12, 100)])
def test_converged_is_the_test_at_the_returned_point(solver, penalty, tol,
                                                     max_iter):
    X, y = synthetic_binary(n=400, p=5, seed=7)
    X = X * np.array([1.0, 10.0, 0.1, 1.0, 3.0])  # some bad scaling
    C_eff = 0.5 if penalty else 1.0
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        clf = clogit.LogisticRegression(solver=solver, penalty=penalty,
                                        C=C_eff, tol=tol,
                                        max_iter=max_iter).fit(X, y)
    l1, l2 = (1.0, 0.0) if penalty == "l1" else (0.0, 1.0 if penalty else 0.0)
    measure = _binary_measure(X, y, clf.coef_[0], clf.intercept_[0], C_eff,
                              l1, l2)
    # the fit's verdict is the test, up to the rounding of the gradient
    if clf.converged_:
        assert measure <= tol * (1 + 1e-6) + 1e-15
        assert not record
    else:
        assert measure > tol * (1 - 1e-6) - 1e-15
        assert [w.category for w in record] == [ConvergenceWarning]
        message = str(record[0].message)
        name = {"newton": "proximal Newton" if penalty == "l1" else "Newton",
                "newton-cg": "Newton-CG",
                # dense X in memory: the preconditioned variant
                "lbfgs": "L-BFGS (preconditioned)",
                "gd": "gradient descent"}[solver]
        assert message.startswith(f"{name} did not converge")
        test = ("minimum-norm subgradient" if penalty == "l1"
                else "max|gradient| / (C * sum(sample_weight)) <= tol")
        assert test in message and f"tol={tol:g}" in message


def test_lbfgs_keeps_going_when_scipy_stops_early():
    # statsmodels' anes96 (raw income, age, education: badly scaled),
    # multinomial: scipy's L-BFGS-B used to stop on its relative-decrease
    # test at the same iterate for tol=1e-6 and 1e-10, 2.6e-4 from the MLE,
    # and clogit reported convergence
    sm = pytest.importorskip("statsmodels.api")
    data = sm.datasets.anes96.load_pandas()
    exog = data.exog[["logpopul", "selfLR", "age", "educ", "income"]]
    X = exog.to_numpy(dtype=np.float64)
    codes = data.endog.to_numpy().astype(int)
    mle = sm.MNLogit(codes, sm.add_constant(X, prepend=False)).fit(
        method="newton", tol=1e-12, maxiter=100, disp=0)
    for tol in (1e-6, 1e-10):
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            clf = clogit.LogisticRegression(penalty=None, solver="lbfgs",
                                            tol=tol, max_iter=10_000).fit(
                X, codes)
        measure = _softmax_measure(X, codes, clf.coef_, clf.intercept_, 1.0,
                                   0.0)
        if clf.converged_:
            assert measure <= tol * (1 + 1e-6)
        else:
            assert measure > tol
            assert any("multinomial L-BFGS (preconditioned) did not "
                       "converge" in str(w.message) for w in record)
        if tol == 1e-6:
            assert clf.converged_
            # MNLogit's parameters: class k minus class 0 (intercept last)
            ours = np.column_stack([clf.coef_, clf.intercept_])
            ours = (ours[1:] - ours[0]).T
            np.testing.assert_allclose(ours, mle.params, rtol=1e-3,
                                       atol=1e-4)


@pytest.mark.parametrize("solver", ["newton", "lbfgs"])
@pytest.mark.parametrize("penalty", ["l2", None])
@pytest.mark.parametrize("tol", [1e-2, 1e-3, 1e-6])
def test_multinomial_tests_all_classes(solver, penalty, tol):
    # unpenalized Newton pins a reference class; its gradient (minus the sum
    # of the others') counts too
    X, labels = synthetic_multiclass(n=600, p=4, n_classes=4, seed=2)
    codes = np.unique(labels, return_inverse=True)[1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = clogit.LogisticRegression(solver=solver, penalty=penalty,
                                        tol=tol).fit(X, labels)
    measure = _softmax_measure(X, codes, clf.coef_, clf.intercept_, 1.0,
                               1.0 if penalty else 0.0)
    assert clf.converged_ == (measure <= tol * (1 + 1e-6))


def test_proximal_multinomial_reports_the_test():
    X, labels = synthetic_multiclass(n=300, p=4, n_classes=3, seed=3)
    with pytest.warns(ConvergenceWarning,
                      match="multinomial proximal Newton did not converge"):
        clf = clogit.LogisticRegression(penalty="l1", multi_class="multinomial",
                                        max_iter=1, tol=1e-12).fit(X, labels)
    assert not clf.converged_


def test_warning_names_ovr_class_and_solver():
    X, y = breast_cancer()
    y = np.where(y == 1, "pos", np.where(X[:, 0] > 0, "mid", "neg"))
    with pytest.warns(ConvergenceWarning) as record:
        clogit.LogisticRegression(multi_class="ovr", solver="lbfgs",
                                  max_iter=2).fit(X, y)
    messages = [str(w.message) for w in record]
    assert all(m.startswith("[class ")
               and "L-BFGS (preconditioned) did not converge" in m
               for m in messages)


def test_multinomial_newton_counts_the_reference_class():
    # unpenalized multinomial Newton pins the last class; it used to test
    # the K-1 free classes only.  From the MLE with the first four classes'
    # coefficient of a wide feature nudged alike, every free class's
    # gradient is below tol but the pinned class's (minus their sum) is not:
    # the fit used to stop at once with converged_=True
    X, labels = synthetic_multiclass(n=2000, p=3, n_classes=5, seed=1)
    X[:, 0] *= 30
    codes = np.unique(labels, return_inverse=True)[1]
    clf = clogit.LogisticRegression(penalty=None, tol=1e-12,
                                    warm_start=True).fit(X, labels)
    coef = clf.coef_.copy()
    coef[:4, 0] += 1e-4
    clf.coef_ = coef

    def gradient(fit):
        Z = X @ fit.coef_.T + fit.intercept_
        P = np.exp(Z - Z.max(axis=1, keepdims=True))
        P /= P.sum(axis=1, keepdims=True)
        R = P - np.eye(5)[codes]
        return np.column_stack([R.T @ X, R.sum(axis=0)]) / len(codes)

    start = np.abs(gradient(clf))
    tol = 1.05 * start[:4].max()
    assert start[4].max() > 2 * tol
    clf.set_params(tol=tol).fit(X, labels)
    assert clf.converged_ and clf.n_iter_[0] >= 2
    assert np.abs(gradient(clf)).max() <= tol
