"""Wald inference for binary and One-vs-Rest logistic fits.

What is computed
----------------
For one binary problem with coefficients ``theta = (b, w)`` the fitted
objective is ``f(theta) = C * nll(theta) + alpha/2 * |w|^2`` with
``nll = -sum_i s_i * loglik_i`` (sample weights are frequency weights).
The covariance reported is the inverse Hessian of ``f / C``, the penalized
negative log-likelihood ``nll + alpha / (2 C) * |w|^2``:

* ``penalty=None``: ``(X~' S W X~)^-1``, the classical Wald covariance of
  the maximum-likelihood estimate (what statsmodels ``Logit`` reports);
* ``penalty="l2"``: ``(X~' S W X~ + I_w / C)^-1`` (``I_w`` the identity on
  the penalized coefficients, never the intercept), the inverse penalized
  Hessian, i.e. the Laplace approximation of the posterior under a
  ``N(0, C)`` prior on ``w``.  Dividing by C keeps the figures on the
  log-likelihood's scale for every C.

where ``X~`` is X with a column of ones for the intercept and
``W = diag(p (1 - p))``.

The Hessian comes from the solver's final Cholesky factor when the Newton
iteration converged (``dpotri``, no pass over X).  When Newton stopped short
(max_iter, separation, a ridge), ``fit`` assembles it once more at the final
coefficients (one ``block_pass`` of the problem's kernels, in memory or on
dask chunks: the cost of one more iteration).
Fits by other solvers ("lbfgs", "gd") keep no Hessian: one pass costs
``n * n_coef^2`` flops, measured at 5x a whole L-BFGS fit (100,000 x 100),
a price every fit would pay for inference few ask of those solvers; their
inference raises, advising solver="newton" (same optimum).  Everything else
(standard errors, z, two-sided normal p-values, Wald intervals, odds ratios)
is cheap and computed on demand from the stored factor.

Ordering
--------
The solver keeps the intercept LAST; every public array here puts it FIRST,
as statsmodels does with ``sm.add_constant(X)``: row/column 0 is "const"
(when ``fit_intercept``), then the features in column order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.special import ndtr, ndtri
from scipy.stats import chi2

from .._kernels.blas import cho_inverse, cholesky


class InferenceUnavailableError(ValueError, AttributeError):
    """Inference was asked of a fit that cannot give it.

    A ``ValueError`` (bad request) that is also an ``AttributeError``, so
    that ``hasattr(clf, "covariance_")`` answers False instead of raising
    (like scikit-learn's ``NotFittedError``).
    """


@dataclass
class BinaryFit:
    """What inference keeps of one fitted binary problem.

    Coefficients and matrices are in the solver's order (intercept last).

    Attributes
    ----------
    coef : ndarray of shape (n_coef,)
        Final coefficients (a copy), intercept last.
    fit_intercept : bool
        Whether the last coefficient is an intercept.
    C, alpha : float
        The objective was ``C * nll + alpha/2 * |w|^2``.
    penalty : str or None
        "l2", or None when unpenalized (``penalty=None`` or ``C=inf``), or
        the name of a penalty inference does not support.
    factor : ndarray or None
        Lower Cholesky factor of the objective's Hessian (F order).
    hessian : ndarray or None
        The objective's Hessian, when no factor was available; it may be
        singular (collinear features).
    loglik, loglik_null : float
        ``sum_i s_i * loglik_i`` at ``coef``, and of the intercept-only model
        (whose MLE is the weighted mean label).
    n_samples : int
        Rows of X.
    n_obs : float
        Sum of the sample weights (frequency weights: equals ``n_samples``
        for unit weights).
    n_iter : int
    converged : bool
    separated : bool
        Whether ``clogit._separation`` found (quasi-)separation.
    unavailable : str or None
        Why this fit gives no inference (None when it does).
    solver : str
        The solver that ran ("newton", "lbfgs", ...).
    """

    coef: np.ndarray
    fit_intercept: bool
    C: float
    alpha: float
    penalty: str | None
    factor: np.ndarray | None = None
    hessian: np.ndarray | None = None
    loglik: float = np.nan
    loglik_null: float = np.nan
    n_samples: int = 0
    n_obs: float = 0.0
    n_iter: int = 0
    converged: bool = False
    separated: bool = False
    unavailable: str | None = None
    solver: str = ""
    _cov: np.ndarray | None = field(default=None, repr=False)

    # -- covariance and derived figures, intercept FIRST ------------------
    @property
    def n_features(self):
        return self.coef.shape[0] - (1 if self.fit_intercept else 0)

    def _order(self):
        p = self.n_features
        return np.r_[p, :p] if self.fit_intercept else np.arange(p)

    @property
    def params(self):
        """Coefficients, intercept first."""
        return self.coef[self._order()]

    @property
    def covariance(self):
        """Inverse penalized Hessian of ``f / C`` (see the module docstring),
        intercept first; NaN when the Hessian is singular."""
        if self._cov is None:
            if self.factor is not None:
                inverse = np.array(self.factor, order="F", copy=True)
                cho_inverse(inverse)
            else:
                inverse = np.array(self.hessian, order="F", copy=True)
                if cholesky(inverse) == 0:
                    cho_inverse(inverse)
                else:
                    # Not positive definite (collinear or constant features):
                    # the Wald covariance does not exist.  NaN, not a
                    # pseudo-inverse that would look like an answer.
                    inverse[...] = np.nan
            order = self._order()
            self._cov = self.C * inverse[np.ix_(order, order)]
        return self._cov

    @property
    def std_errors(self):
        return np.sqrt(np.diagonal(self.covariance))

    @property
    def z_values(self):
        with np.errstate(divide="ignore", invalid="ignore"):
            return self.params / self.std_errors

    @property
    def p_values(self):
        # 2 * P(Z > |z|) via ndtr(-|z|): full relative precision far in the
        # tail (1 - ndtr(|z|) would round to 0 for |z| > 8.3).
        return 2.0 * ndtr(-np.abs(self.z_values))

    def conf_int(self, alpha):
        q = -ndtri(alpha / 2.0)  # not ndtri(1 - alpha/2): 1 - 1e-17 == 1
        half = q * self.std_errors
        return np.column_stack([self.params - half, self.params + half])

    @property
    def odds_ratios(self):
        # inf for a coefficient past log(max float): the value, no warning
        with np.errstate(over="ignore"):
            return np.exp(self.params)

    # -- goodness of fit --------------------------------------------------
    @property
    def df_model(self):
        """Degrees of freedom of the coefficients: their number without a
        penalty; with l2 the effective number ``tr(H_data H_pen^-1)``,
        equal to ``n_coef - alpha / C * tr(P cov)`` (``P`` selects the
        penalized coefficients)."""
        n_coef = self.coef.shape[0]
        if not self.alpha:
            return float(n_coef)
        diag = np.diagonal(self.covariance)
        penalized = diag[1:] if self.fit_intercept else diag
        return float(n_coef - self.alpha / self.C * np.sum(penalized))

    @property
    def pseudo_r2(self):
        """McFadden's ``1 - loglik / loglik_null``."""
        if self.loglik_null == 0.0:
            return np.nan
        return 1.0 - self.loglik / self.loglik_null

    @property
    def aic(self):
        return -2.0 * self.loglik + 2.0 * self.df_model

    @property
    def bic(self):
        return -2.0 * self.loglik + np.log(self.n_obs) * self.df_model

    @property
    def llr_pvalue(self):
        """Likelihood-ratio test against the intercept-only model (only for
        unpenalized fits with an intercept, else NaN)."""
        if self.alpha or not self.fit_intercept or self.coef.shape[0] < 2:
            return np.nan
        llr = 2.0 * (self.loglik - self.loglik_null)
        return float(chi2.sf(llr, self.coef.shape[0] - 1))


def effective_penalty(penalty, C):
    """The penalty a fit really had: None for ``penalty=None`` or
    ``C=inf`` (scikit-learn's spelling of no penalty), else ``penalty``."""
    if penalty is None or C == np.inf:
        return None
    return penalty


def _null_loglik(total, positive):
    """Log-likelihood of the intercept-only model, in closed form from the
    weight sums ``total = sum(s)`` and ``positive = sum(s * y)``: its MLE
    predicts the weighted mean label ``m`` for everyone."""
    m = positive / total
    ll = 0.0
    for share in (m, 1.0 - m):
        if share > 0.0:  # 0 * log(0) = 0
            ll += total * share * np.log(share)
    return ll


def binary_fit(kernels, result, *, alpha, penalty, separated=False,
               solver=""):
    """Collect what inference needs from one binary problem, at fit time.

    Parameters
    ----------
    kernels : BinomialPasses
        The problem's data, as the solver saw it (in memory or on dask
        chunks): its weight sums, and one Hessian pass when the solver left
        no factor.
    result : SolverResult
        The solver's result: ``coef`` (intercept last), ``objective``,
        ``n_iter``, ``converged`` and, optionally, ``hessian_factor``.
    alpha : float
        The objective's l2 strength, as given to the solver.
    penalty : str or None
        The penalty in effect, from :func:`effective_penalty`.
    separated : bool
        Whether separation was detected.
    solver : str
        The solver that ran, for the summary.

    Returns
    -------
    BinaryFit
        Costs nothing extra when Newton left its factor, one pass over X
        when Newton stopped short, and nothing for other solvers and for
        penalties inference does not cover ("l1", "elasticnet"): their
        BinaryFit only says why inference is unavailable.
    """
    C = float(kernels.C)
    fit_intercept = bool(kernels.fit_intercept)
    coef = np.array(result.coef, dtype=np.float64, copy=True)
    sums = kernels.weight_sums()
    fit = BinaryFit(
        coef=coef, fit_intercept=fit_intercept, C=C,
        alpha=float(alpha), penalty=penalty, n_samples=int(kernels.n_samples),
        n_obs=float(sums[0]), n_iter=int(result.n_iter),
        converged=bool(result.converged), separated=bool(separated),
        solver=solver)
    if penalty not in (None, "l2"):
        fit.unavailable = (
            f"Standard errors, p-values and confidence intervals are not "
            f"available for penalty={penalty!r}: the objective is not "
            "differentiable where coefficients are zero, so there is no "
            "Hessian-based (Wald) inference. Use penalty=None or 'l2'.")
        return fit
    fit.loglik_null = _null_loglik(*sums)
    n_features = kernels.n_features
    penalty_value = 0.5 * alpha * float(coef[:n_features] @ coef[:n_features])
    factor = getattr(result, "hessian_factor", None)
    if factor is not None:
        # Converged Newton: the factor and objective belong to coef.
        fit.factor = factor
        fit.loglik = -(float(result.objective) - penalty_value) / C
        return fit
    if solver != "newton":
        fit.unavailable = (
            f"Standard errors are not available for a fit by solver="
            f"{solver!r}, which keeps no Hessian (assembling it would cost "
            "more than the fit). Refit with solver='newton' (the same "
            "optimum) for inference.")
        return fit
    grad = np.empty(coef.shape[0])
    hess = np.empty((coef.shape[0], coef.shape[0]), order="F")
    data_term = kernels.block_pass(coef, grad, hess)
    if alpha:
        idx = np.arange(n_features)
        hess[idx, idx] += alpha
    fit.hessian = hess
    fit.loglik = -data_term / C
    return fit
