"""Profile (penalized) likelihood confidence intervals:
``results_.conf_int(method="profile")``, as R's logistf computes them for
Firth fits.

For coefficient j the profile is ``f_j(b) = min over the other
coefficients of f(theta) with theta_j = b``, ``f`` the fitted objective
(Firth: ``-l - 1/2 log det I``, the information of the full model; MLE:
``-l``).  The interval's bounds are the two solutions of

    f_j(b) - f(theta_hat) = chi2_1(1 - alpha) / 2,

found by bracketing outward from the Wald bounds and Brent's method; each
evaluation of ``f_j`` is one constrained fit (``_solvers.firth``, warm
started from the nearest solution).  Unlike Wald intervals they need not
be symmetric, and they stay valid for the skewed likelihoods of small or
separated samples (Heinze & Schemper 2002).  A bound where the profile
never rises far enough (a coefficient the data do not bound on one side,
as an MLE under separation) is infinite.

Cost: about 10-20 constrained fits per bound, each a few passes over the
training data (kept by reference: not after ``clogit.load``).
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq
from scipy.stats import chi2

from .._backends.row_forms import FirthPasses
from .._solvers.firth import firth_binary
from .data import training_data
from .problem import InferenceUnavailableError, check_alpha, normal_quantile

__all__ = ["profile_conf_int"]

# constrained fits: the profile's value must be accurate far below the
# chi-squared target for the root to be
_TOL = 1e-10
_MAX_ITER = 200
# ... or where a step changes it by less than this (relative): near
# separation Fisher scoring converges linearly and slowly, while the
# profile's value is settled
_OBJECTIVE_TOL = 1e-14
_MAX_EXPANSIONS = 40


class _Profile:
    """``f_j(b) - f_hat - target`` for one coefficient, warm started."""

    def __init__(self, kernels, fit, index, target, penalized):
        self.kernels = kernels
        self.index = index
        self.penalized = penalized
        self.target = target
        self.best = self._fit(fit.coef, None).objective
        self.starts = [(float(fit.coef[index]), fit.coef.copy())]

    def _fit(self, start, value):
        fixed = None if value is None else {self.index: value}
        return firth_binary(self.kernels, tol=_TOL, max_iter=_MAX_ITER,
                            coef0=start, fixed=fixed,
                            penalized=self.penalized,
                            objective_tol=_OBJECTIVE_TOL)

    def __call__(self, value):
        # warm start from the solution nearest to this value
        _, start = min(self.starts, key=lambda item: abs(item[0] - value))
        result = self._fit(start, value)
        self.starts.append((value, result.coef))
        return result.objective - self.best - self.target


def _bound(profile, center, width, side):
    """The root of ``profile`` on one side of ``center`` (width: the Wald
    half-width, a first guess)."""
    inner, outer = center, center + side * max(width, 1e-8)
    value = profile(outer)
    expansions = 0
    while value < 0.0:
        if expansions == _MAX_EXPANSIONS or not np.isfinite(outer):
            return side * np.inf
        inner, outer = outer, center + 2.0 * (outer - center)
        value = profile(outer)
        expansions += 1
    low, high = sorted((inner, outer))
    return float(brentq(profile, low, high, xtol=1e-10 * (1 + abs(center)),
                        rtol=1e-12))


def profile_conf_int(fit, alpha):
    """(n_coef, 2) profile-likelihood intervals of a binary fit, intercept
    first (see the module docstring)."""
    alpha = check_alpha(alpha)
    if fit.penalty not in (None, "firth"):
        raise InferenceUnavailableError(
            "conf_int(method='profile') profiles the likelihood of a "
            "maximum-likelihood (penalty=None) or Firth (penalty='firth') "
            f"fit, not of penalty={fit.penalty!r}.")
    data = training_data(fit, "conf_int(method='profile')")
    kernels = FirthPasses(data.kernels)
    penalized = fit.penalty == "firth"
    target = 0.5 * float(chi2.ppf(1.0 - alpha, 1))
    bse = np.sqrt(np.diagonal(fit.covariance))
    width = normal_quantile(alpha) * bse
    order = fit._order()  # public index a -> solver index order[a]
    intervals = np.empty((order.shape[0], 2))
    for a, j in enumerate(order):
        profile = _Profile(kernels, fit, int(j), target, penalized)
        center = float(fit.coef[j])
        guess = float(width[a]) if np.isfinite(width[a]) else 1.0
        intervals[a] = [_bound(profile, center, guess, -1.0),
                        _bound(profile, center, guess, 1.0)]
    return intervals
