"""What inference keeps of a multinomial (softmax) fit, and its figures in
statsmodels' ``MNLogit`` parametrization.

Parametrization
---------------
The solver's coefficients ``beta`` (K x k1, intercept last) are in the
symmetric convention; the softmax depends only on differences between
classes, so inference reports, as statsmodels' ``MNLogit``, the K - 1
contrasts with the first class, ``d_k = beta_k - beta_0`` (k = 1 .. K-1),
which are identified.  Their covariance comes from the (K k1)^2 Hessian
``H`` of the fitted objective over every class (one ``inference_pass``:
the softmax solvers leave no factor), on the negative log-likelihood's
scale ``H / C``:

* no penalty: ``beta_0`` pinned at 0 is the reduced model, whose Hessian
  is the block of ``H`` for classes 1 .. K-1 -- the inverse of that block
  is ``MNLogit``'s covariance (the robust sandwich takes the same block of
  the meat);
* l2: the penalized objective is not a function of the contrasts alone
  (the penalty is not shift invariant), so the covariance of the penalized
  estimator is mapped to the contrasts, ``cov(d) = A V A^T`` with ``A``
  the contrast matrix and ``V = (H/C + rho u u^T)^-1``: ``u``, the common
  shift of the intercepts, is the one null direction of the penalized
  Hessian (no intercept is penalized), ``A u = 0``, so ``V`` may be any
  generalized inverse and ``rho u u^T`` makes it an ordinary one.

Ordering: the contrasts class by class (class 1 first), within a class
the intercept first -- the order of ``MNLogit.cov_params()``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .covariance import (cluster_correction, cluster_meat, inverse_or_nan,
                         sandwich)
from .problem import (ProblemFit, check_hessian_size,
                      unsupported_penalty_text)


@dataclass
class MultinomialFit(ProblemFit):
    """What inference keeps of a softmax fit (see
    :class:`clogit._inference.problem.ProblemFit`): ``coef`` of shape
    (K, k1), intercept last in each row (symmetric convention); the
    (K k1)^2 ``hessian`` and ``meat`` over every class, class-major."""

    # -- the shape of the model -------------------------------------------
    @property
    def n_classes(self):
        return self.coef.shape[0]

    @property
    def k1(self):
        return self.coef.shape[1]

    @property
    def n_features(self):
        return self.k1 - (1 if self.fit_intercept else 0)

    @property
    def n_equations(self):
        return self.n_classes - 1

    def _order(self):
        p = self.n_features
        return np.r_[p, :p] if self.fit_intercept else np.arange(p)

    @property
    def params(self):
        """(K-1, k1): the contrasts with the first class, intercept
        first."""
        contrasts = self.coef[1:] - self.coef[0]
        return contrasts[:, self._order()]

    # -- the Hessian and the covariance -----------------------------------
    def _penalized(self):
        """Mask of the penalized entries of the flattened coefficients."""
        mask = np.ones((self.n_classes, self.k1), dtype=bool)
        if self.fit_intercept:
            mask[:, -1] = False
        return mask.ravel()

    def _ensure_hessian(self):
        if self.hessian is None:
            hess = self._data_pass(self.n_classes * self.k1,
                                   "the multinomial Hessian")
            self._add_l2(hess)
            self.hessian = hess

    def _add_l2(self, hess):
        if self.alpha:
            idx = np.flatnonzero(self._penalized())
            hess[idx, idx] += self.alpha

    def _reduced(self):
        """The covariance of the contrasts (solver order within classes)
        and the effective number of parameters."""
        self._ensure_hessian()
        K, k1 = self.n_classes, self.k1
        hess = self.hessian / self.C
        meat = None if self.meat is None else self.meat / self.C ** 2
        if not self.alpha:
            free = slice(k1, K * k1)
            inverse = inverse_or_nan(hess[free, free])
            cov = (inverse if meat is None
                   else sandwich(inverse, meat[free, free]))
            return cov, float((K - 1) * k1)
        if self.fit_intercept:
            shift = np.zeros(K * k1)
            shift[k1 - 1::k1] = 1.0
            rho = float(np.mean(np.diag(hess)[shift > 0]))
            hess = hess + rho * np.outer(shift, shift)
        inverse = inverse_or_nan(hess)
        contrast = np.zeros(((K - 1) * k1, K * k1))
        eye = np.eye(k1)
        for k in range(1, K):
            contrast[(k - 1) * k1:k * k1, k * k1:(k + 1) * k1] = eye
            contrast[(k - 1) * k1:k * k1, :k1] = -eye
        middle = inverse if meat is None else sandwich(inverse, meat)
        cov = contrast @ middle @ contrast.T
        cov = 0.5 * (cov + cov.T)
        penalized = self._penalized()
        n_params = (K * k1 - (1 if self.fit_intercept else 0)
                    - self.alpha / self.C
                    * float(np.sum(np.diag(inverse)[penalized])))
        return cov, n_params

    def _compute(self):
        """The ((K-1) k1)^2 covariance of the contrasts, class-major,
        intercept first within each class (``MNLogit.cov_params()``'s
        order), and the number of parameters: (K-1) k1 without a penalty,
        with l2 the effective number ``tr(H_data H_pen^+)``."""
        cov, n_params = self._reduced()
        if self.cov_type == "cluster":
            cov = cov * cluster_correction(self.n_groups, self.n_obs,
                                           (self.n_classes - 1) * self.k1)
        order = np.concatenate([self._order() + (k - 1) * self.k1
                                for k in range(1, self.n_classes)])
        self._cov = np.ascontiguousarray(cov[np.ix_(order, order)])
        self._n_params = n_params




def _null_loglik(totals):
    """Log-likelihood of the intercept-only softmax model from the weighted
    class totals: it predicts each class's share."""
    totals = np.asarray(totals, dtype=np.float64)
    shares = totals / totals.sum()
    positive = totals > 0
    return float(np.sum(totals[positive] * np.log(shares[positive])))


def multinomial_fit(kernels, result, *, alpha, penalty, solver="",
                    separated=False, cov_type="nonrobust", clusters=None,
                    source=None):
    """Collect what inference needs from a softmax fit (arguments as
    :func:`clogit._inference.binary.binary_fit`; ``kernels`` are
    ``SoftmaxPasses`` with ``inference_pass``)."""
    C = float(kernels.C)
    coef = np.array(result.coef, dtype=np.float64, copy=True)
    total, totals = kernels.weight_sums()
    fit = MultinomialFit(
        coef=coef, fit_intercept=bool(kernels.fit_intercept), C=C,
        alpha=float(alpha), penalty=penalty, cov_type=cov_type,
        n_groups=None if clusters is None else clusters.n_groups,
        n_samples=int(kernels.n_samples), n_obs=float(total),
        n_iter=int(result.n_iter), converged=bool(result.converged),
        separated=bool(separated), solver=solver)
    if penalty not in (None, "l2"):
        fit.unavailable = unsupported_penalty_text(penalty)
        return fit
    fit.loglik_null = _null_loglik(totals)
    width = coef.size
    if cov_type != "nonrobust" or source is None:
        check_hessian_size(width, "the multinomial Hessian")
        hess = np.empty((width, width), order="F")
        meat = (np.empty((width, width), order="F")
                if cov_type not in ("nonrobust", "cluster") else None)
        scores = (np.empty((clusters.labels.shape[0], width))
                  if cov_type == "cluster" else None)
        data_objective = kernels.inference_pass(coef, hess=hess, meat=meat,
                                                group_scores=scores)
        fit._add_l2(hess)
        fit.hessian = hess
        fit.meat = cluster_meat(scores) if scores is not None else meat
    else:
        data_objective = kernels.inference_pass(coef)
    fit.data_objective = float(data_objective)
    fit.loglik = -fit.data_objective / C
    # later analyses of this fit (figures computed on demand) reread the
    # training data through it; in memory a reference, never a copy
    fit.source = source
    if fit.hessian is not None:
        fit.covariance  # now, while BLAS runs single-threaded
    return fit
