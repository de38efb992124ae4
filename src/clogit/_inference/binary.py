"""What inference keeps of each binary problem, and its Wald figures.

What is computed
----------------
For one binary problem with coefficients ``theta = (b, w)`` the fitted
objective is ``f(theta) = C * nll(theta) + alpha/2 * |w|^2`` with
``nll = -sum_i s_i * loglik_i`` (sample weights are frequency weights).
The classical covariance reported is the inverse Hessian of ``f / C``, the
penalized negative log-likelihood ``nll + alpha / (2 C) * |w|^2``:

* ``penalty=None``: ``(X~' S W X~)^-1``, the classical Wald covariance of
  the maximum-likelihood estimate (what statsmodels ``Logit`` reports);
* ``penalty="l2"``: ``(X~' S W X~ + I_w / C)^-1`` (``I_w`` the identity on
  the penalized coefficients, never the intercept), the inverse penalized
  Hessian, i.e. the Laplace approximation of the posterior under a
  ``N(0, C)`` prior on ``w``.  Dividing by C keeps the figures on the
  log-likelihood's scale for every C.

where ``X~`` is X with a column of ones for the intercept and
``W = diag(p (1 - p))``.  The robust and cluster covariances are the
sandwiches of :mod:`clogit._inference.covariance` with this Hessian as
bread (with l2: the penalized Hessian).

When the Hessian comes from
---------------------------
* A Newton fit that stopped on its convergence test leaves the Cholesky
  factor of the Hessian at the estimate: the covariance is one ``dpotri``,
  no pass over X.
* Otherwise (L-BFGS, gradient descent, Newton-CG, a Newton fit stopped
  short) the Hessian takes one more pass over X (``inference_pass``, the
  cost of one Newton iteration).  In memory that pass runs on demand, the
  first time a figure needs it, so a wide L-BFGS fit whose inference
  nobody asks for pays nothing: every in-memory fit keeps a way to remake
  the problem's kernels (``source``, a reference to the training data,
  never a copy; what figures computed later from the data, such as
  residuals or average marginal effects, read too).  Before using them it
  checks that the data still give the fit's objective at the estimate
  (data changed in place since ``fit`` raise instead of giving wrong
  figures).  On dask chunks the pass runs at the end of ``fit`` (the fit
  keeps no reference to the cluster's data).
* A robust or cluster ``cov_type`` needs the meat, from the same pass (with
  the Hessian if no factor was left), run at the end of ``fit``.

Penalties "l1" and "elasticnet" have no Hessian-based inference: their fit
only records why.

Ordering
--------
The solver keeps the intercept LAST; every public array here puts it FIRST,
as statsmodels does with ``sm.add_constant(X)``: row/column 0 is "const"
(when ``fit_intercept``), then the features in column order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .covariance import (cluster_correction, cluster_meat,
                         inverse_from_factor, inverse_or_nan, sandwich)
from .problem import (InferenceUnavailableError, ProblemFit,
                      check_hessian_size, normal_quantile, two_sided_p,
                      unsupported_penalty_text)

__all__ = ["BinaryFit", "InferenceUnavailableError", "binary_fit",
           "effective_penalty", "normal_quantile", "two_sided_p"]

@dataclass
class BinaryFit(ProblemFit):
    """What inference keeps of one fitted binary problem (see
    :class:`clogit._inference.problem.ProblemFit`): ``coef`` of shape
    (n_coef,), intercept last; the properties return figures intercept
    first.

    Attributes
    ----------
    factor : ndarray or None
        Lower Cholesky factor of the objective's Hessian (F order), when
        Newton left it.
    """

    factor: np.ndarray | None = None
    _inverse: np.ndarray | None = field(default=None, repr=False)

    # -- the shape of the model -------------------------------------------
    n_equations = 1

    @property
    def n_features(self):
        return self.coef.shape[0] - (1 if self.fit_intercept else 0)

    @property
    def n_coef(self):
        return self.coef.shape[0]

    def _order(self):
        p = self.n_features
        return np.r_[p, :p] if self.fit_intercept else np.arange(p)

    @property
    def params(self):
        """Coefficients, intercept first."""
        return self.coef[self._order()]

    # -- the Hessian and the covariances -----------------------------------
    def _ensure_hessian(self):
        """The Hessian of the objective at ``coef``: one pass over the data
        kept by reference (see the module docstring)."""
        if self.hessian is None:
            hess = self._data_pass(self.n_coef, "the Hessian")
            add_l2(hess, self.alpha, self.n_features)
            self.hessian = hess

    def inverse_hessian(self):
        """``C H^-1`` (the inverse Hessian of ``f / C``), solver order; NaN
        when the Hessian is singular."""
        if self._inverse is None:
            if self.factor is not None:
                inverse = inverse_from_factor(self.factor)
            else:
                self._ensure_hessian()
                inverse = inverse_or_nan(self.hessian)
            self._inverse = self.C * inverse
        return self._inverse

    def _compute(self):
        """The covariance of ``cov_type``, intercept first (see
        :mod:`clogit._inference.covariance`; NaN when the Hessian is
        singular), and the degrees of freedom of the coefficients: their
        number without a penalty; with l2 the effective number
        ``tr(H_data H_pen^-1) = n_coef - alpha / C * tr(P H_pen^-1)`` (``P``
        selects the penalized coefficients)."""
        inverse = self.inverse_hessian()
        if self.cov_type == "nonrobust":
            cov = inverse
        else:
            # H_f^-1 M H_f^-1 with H_f = C H_nll, M = C^2 M_nll
            cov = sandwich(inverse / self.C, self.meat)
            if self.cov_type == "cluster":
                cov = cov * cluster_correction(self.n_groups, self.n_obs,
                                               self.n_coef)
        order = self._order()
        self._cov = np.ascontiguousarray(cov[np.ix_(order, order)])
        diag = np.diagonal(inverse)[:self.n_features]
        self._n_params = float(self.n_coef - (
            self.alpha / self.C * np.sum(diag) if self.alpha else 0.0))


def add_l2(hess, alpha, n_features):
    """Add the l2 penalty's Hessian ``alpha`` on the first ``n_features``
    diagonal entries (never the intercept)."""
    if alpha:
        idx = np.arange(n_features)
        hess[idx, idx] += alpha


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
               solver="", cov_type="nonrobust", clusters=None, source=None):
    """Collect what inference needs from one binary problem, at fit time.

    Parameters
    ----------
    kernels : BinomialPasses
        The problem's data, as the solver saw it (in memory or on dask
        chunks), with ``inference_pass``.
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
    cov_type : str
        The covariance asked for (``covariance.COV_TYPES``).
    clusters : Clusters or None
        For ``cov_type="cluster"`` (the kernels hold the codes).
    source : callable or None
        Remakes ``kernels`` later (data kept by reference); None to keep
        nothing, and assemble the Hessian now if the solver left no factor.

    Returns
    -------
    BinaryFit
        Costs nothing extra when Newton left its factor and the covariance
        is classical; a pass over X otherwise (at most one now, with a
        gradient-only pass when the Hessian is left for later), and nothing
        for penalties inference does not cover ("l1", "elasticnet"): their
        BinaryFit only says why inference is unavailable.
    """
    C = float(kernels.C)
    fit_intercept = bool(kernels.fit_intercept)
    coef = np.array(result.coef, dtype=np.float64, copy=True)
    sums = kernels.weight_sums()
    fit = BinaryFit(
        coef=coef, fit_intercept=fit_intercept, C=C,
        alpha=float(alpha), penalty=penalty, cov_type=cov_type,
        n_groups=None if clusters is None else clusters.n_groups,
        n_samples=int(kernels.n_samples), n_obs=float(sums[0]),
        n_iter=int(result.n_iter), converged=bool(result.converged),
        separated=bool(separated), solver=solver)
    if penalty not in (None, "l2", "firth"):
        fit.unavailable = unsupported_penalty_text(penalty)
        return fit
    fit.loglik_null = _null_loglik(*sums)
    n_features, n_coef = kernels.n_features, coef.shape[0]
    factor = getattr(result, "hessian_factor", None)
    robust = cov_type != "nonrobust"
    if factor is not None:
        # Converged Newton: the factor and objective belong to coef.
        fit.factor = factor
        w = coef[:n_features]
        data_objective = getattr(result, "data_objective", None)
        fit.data_objective = (
            float(result.objective) - 0.5 * alpha * float(w @ w)
            if data_objective is None else float(data_objective))
    if robust or (factor is None and source is None):
        check_hessian_size(n_coef)
        hess = (None if factor is not None
                else np.empty((n_coef, n_coef), order="F"))
        meat = (np.empty((n_coef, n_coef), order="F")
                if cov_type != "cluster" and robust else None)
        scores = (np.empty((clusters.labels.shape[0], n_coef))
                  if cov_type == "cluster" else None)
        data_objective = kernels.inference_pass(coef, hess=hess, meat=meat,
                                                group_scores=scores)
        if hess is not None:
            add_l2(hess, alpha, n_features)
            fit.hessian = hess
        fit.meat = cluster_meat(scores) if scores is not None else meat
    elif factor is None:
        # the Hessian on demand (source); the objective now: the solver's
        # data term at coef when it has it (One-vs-Rest fitted together,
        # one pass for all classes), else by a gradient pass (a solver's
        # last objective may be its previous iterate's)
        data_objective = getattr(result, "data_objective", None)
        if data_objective is None:
            data_objective = kernels.inference_pass(coef)
    if factor is None or robust:
        fit.data_objective = float(data_objective)
    fit.loglik = -fit.data_objective / C
    # later analyses of this fit (figures computed on demand) reread the
    # training data through it; in memory a reference, never a copy
    fit.source = source
    # the covariance itself waits for the first figure that needs it (its
    # own single-threaded-BLAS context): on breast_cancer it was a quarter
    # of a millisecond of every fit's 1.9
    return fit


def effective_penalty(penalty, C):
    """The penalty a fit really had: None for ``penalty=None`` or
    ``C=inf`` (scikit-learn's spelling of no penalty), else ``penalty``."""
    if penalty is None or C == np.inf:
        return None
    return penalty
