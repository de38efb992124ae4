"""``results_.conf_int(method="profile")`` (clogit._inference.profile):
at each bound the profile of the fitted objective -- Firth's penalized
log-likelihood, or the plain one for ``penalty=None`` -- computed
independently (scipy's BFGS over the other coefficients, a numpy
objective) has dropped by exactly chi2_1(1 - alpha) / 2 from its maximum;
separated data give finite Firth bounds."""

import numpy as np
import pytest
from scipy.optimize import minimize
from scipy.stats import chi2

import clogit

sm = pytest.importorskip("statsmodels.api")


def objective(theta, Xt, y, firth):
    z = Xt @ theta
    value = -np.sum(y * z - np.logaddexp(0, z))
    if firth:
        p = 1 / (1 + np.exp(-z))
        info = Xt.T @ ((p * (1 - p))[:, None] * Xt)
        value -= 0.5 * np.linalg.slogdet(info)[1]
    return value


def profile_value(j, b, theta, Xt, y, firth):
    """min over the other coefficients of the objective at theta_j = b."""
    free = np.arange(len(theta)) != j

    def f(rest):
        full = theta.copy()
        full[free], full[j] = rest, b
        return objective(full, Xt, y, firth)

    return minimize(f, theta[free], method="BFGS",
                    options={"gtol": 1e-10}).fun


@pytest.mark.parametrize("penalty, alpha", [("firth", 0.05), (None, 0.2)])
def test_profile_bounds_are_where_the_profile_drops(penalty, alpha):
    data = sm.datasets.spector.load_pandas()
    X, y = data.exog.to_numpy(), data.endog.to_numpy()
    est = clogit.LogisticRegression(penalty=penalty, tol=1e-12).fit(X, y)
    res = est.results_
    interval = res.conf_int(alpha, method="profile").to_numpy()
    wald = res.conf_int(alpha).to_numpy()
    theta = res.params.to_numpy()
    Xt = np.column_stack([np.ones(len(y)), X])
    firth = penalty == "firth"
    best = objective(theta, Xt, y, firth)
    drop = chi2.ppf(1 - alpha, 1) / 2
    for j in range(len(theta)):
        assert interval[j, 0] < theta[j] < interval[j, 1]
        for b in interval[j]:
            assert profile_value(j, b, theta, Xt, y, firth) - best == \
                pytest.approx(drop, rel=1e-6)
        # profile intervals are not Wald's: asymmetric about the estimate
        assert not np.allclose(interval[j], wald[j], rtol=1e-3)


def test_separated_data_have_finite_firth_profile_bounds():
    x = np.r_[np.linspace(-2, -0.1, 10), np.linspace(0.1, 2, 10)]
    y = (x > 0).astype(float)
    est = clogit.LogisticRegression(penalty="firth", tol=1e-12).fit(
        x[:, None], y)
    interval = est.results_.conf_int(method="profile").to_numpy()
    assert np.all(np.isfinite(interval))
    theta = est.results_.params.to_numpy()
    Xt = np.column_stack([np.ones(20), x])
    best = objective(theta, Xt, y, True)
    for b in interval[1]:
        assert profile_value(1, b, theta, Xt, y, True) - best == \
            pytest.approx(chi2.ppf(0.95, 1) / 2, rel=1e-6)
    # the slope's lower bound is positive: the data say the effect is
    # positive, where a Wald interval of the MLE would be meaningless
    assert interval[1, 0] > 0


def test_profile_intervals_of_other_fits_are_refused():
    data = sm.datasets.spector.load_pandas()
    est = clogit.LogisticRegression(C=1.0).fit(data.exog, data.endog)
    with pytest.raises(ValueError, match="profile"):
        est.results_.conf_int(method="profile")
    with pytest.raises(ValueError, match="'wald' or 'profile'"):
        est.results_.conf_int(method="exact")
