"""What every fitted problem keeps for inference (``ProblemFit``, the base
of ``binary.BinaryFit`` and ``multinomial.MultinomialFit``), and the small
pieces of arithmetic and the errors they share."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
from scipy.special import ndtr, ndtri

from .._backends.threads import single_threaded_blas

# A Hessian inference would assemble after the fit beyond this many bytes
# is refused with a clear error instead (k1 > 16,384 coefficients): no fit
# whose inference someone asks for is that wide in practice, and the
# allocation would fail or swap.
INFERENCE_HESSIAN_MAX_BYTES = 2 * 2**30


class InferenceUnavailableError(ValueError, AttributeError):
    """Inference was asked of a fit that cannot give it.

    A ``ValueError`` (bad request) that is also an ``AttributeError``, so
    that ``hasattr(clf, "covariance_")`` answers False instead of raising
    (like scikit-learn's ``NotFittedError``).
    """


def check_hessian_size(n_coef, what="the Hessian"):
    """Raise :class:`InferenceUnavailableError` when the n_coef^2 matrix
    inference needs exceeds :data:`INFERENCE_HESSIAN_MAX_BYTES`."""
    if 8 * n_coef ** 2 > INFERENCE_HESSIAN_MAX_BYTES:
        raise InferenceUnavailableError(
            f"Inference needs {what} of {n_coef} coefficients, a "
            f"{8 * n_coef ** 2 / 2**30:.1f} GiB matrix (more than "
            f"{INFERENCE_HESSIAN_MAX_BYTES // 2**30} GiB): fit fewer "
            "features for standard errors.")


def check_alpha(alpha):
    """Validate a confidence level's complement ``alpha`` in (0, 1)."""
    if (isinstance(alpha, bool) or not isinstance(alpha, (int, float,
                                                          np.floating))
            or not 0.0 < alpha < 1.0):
        raise ValueError(f"alpha must be a number in (0, 1), got {alpha!r}.")
    return float(alpha)


def normal_quantile(alpha):
    """``z_{1 - alpha/2}``, computed as ``-ndtri(alpha / 2)``: finite for
    every alpha in (0, 1), however small (``ndtri(1 - alpha / 2)`` would
    round its argument to 1 and return inf for alpha <= 1e-16)."""
    return -ndtri(alpha / 2.0)


def two_sided_p(z):
    """``2 P(Z > |z|)`` via ``ndtr(-|z|)``: full relative precision far in
    the tail (``1 - ndtr(|z|)`` would round to 0 for |z| > 8.3)."""
    return 2.0 * ndtr(-np.abs(z))


def unsupported_penalty_text(penalty):
    """Why a fit with ``penalty`` ("l1", "elasticnet") has no inference."""
    return (
        f"Standard errors, p-values and confidence intervals are not "
        f"available for penalty={penalty!r}: the objective is not "
        "differentiable where coefficients are zero, so there is no "
        "Hessian-based (Wald) inference. Use penalty=None or 'l2'.")


@dataclass
class ProblemFit:
    """What inference keeps of one fitted problem (binary or softmax).

    Attributes
    ----------
    coef : ndarray
        Final coefficients (a copy), in the solver's layout (intercept
        last).
    fit_intercept : bool
    C, alpha : float
        The objective was ``C * nll + alpha/2 * |w|^2``.
    penalty : str or None
        "l2", or None when unpenalized (``penalty=None`` or ``C=inf``), or
        the name of a penalty inference does not support.
    cov_type : str
        One of ``covariance.COV_TYPES``.
    n_groups : int or None
        Clusters with a row of positive weight (``cov_type="cluster"``).
    hessian : ndarray or None
        The objective's Hessian, once assembled; it may be singular
        (collinear features).
    meat : ndarray or None
        The robust covariance's meat on the objective's scale (``C^2
        sum_i s_i g_i g_i^T`` for HCx, the cluster score sums' outer
        products for "cluster").
    loglik, loglik_null : float
        ``sum_i s_i * loglik_i`` at ``coef``, and of the intercept-only
        model.
    n_samples : int
        Rows of X.
    n_obs : float
        Sum of the sample weights (frequency weights: ``n_samples`` for
        unit weights).
    n_iter : int
    converged : bool
    separated : bool
        Whether the separation monitor found (quasi-)separation.
    unavailable : str or None
        Why this fit gives no inference (None when it does).
    solver : str
        The solver that ran ("newton", "lbfgs", ...).
    source : callable or None
        Remakes the problem's kernels (in memory: a reference to the
        training data, never a copy); None once the data are dropped
        (pickling, model files, ``remove_data``).
    data_objective : float
        The data term ``C * nll`` at ``coef`` when the fit ended: what a
        later pass over the data must find again.
    given_C : float or None
        The C the model was fitted with, when the solvers saw the objective
        divided by a power of two (``clogit._scaling``: ``C`` and ``alpha``
        above are then both rescaled, with every figure unchanged); what a
        summary names.  None: ``C``.
    """

    coef: np.ndarray
    fit_intercept: bool
    C: float
    alpha: float
    penalty: str | None
    cov_type: str = "nonrobust"
    n_groups: int | None = None
    hessian: np.ndarray | None = None
    meat: np.ndarray | None = None
    loglik: float = np.nan
    loglik_null: float = np.nan
    n_samples: int = 0
    n_obs: float = 0.0
    n_iter: int = 0
    converged: bool = False
    separated: bool = False
    unavailable: str | None = None
    solver: str = ""
    source: Callable[[], Any] | None = field(default=None, repr=False)
    data_objective: float = np.nan
    given_C: float | None = None
    _cov: np.ndarray | None = field(default=None, repr=False)
    _n_params: float | None = field(default=None, repr=False)

    @property
    def model_C(self) -> float:
        """The C of the model as fitted (see ``given_C``)."""
        return self.C if self.given_C is None else self.given_C

    # pickles never carry the training data (see ``source``)
    def __getstate__(self):
        state = dict(self.__dict__)
        state["source"] = None
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)

    def _data_pass(self, width, what):
        """The objective's data term and Hessian at ``coef`` by one pass
        over the data kept by reference, checked against the fit's
        objective (data changed in place since ``fit`` would give wrong
        figures)."""
        check_hessian_size(width, what)
        if self.source is None:
            raise InferenceUnavailableError(
                "The covariance of this fit needs a pass over the training "
                "data, which this model no longer holds (it was loaded "
                "from a model file or unpickled, or results_.remove_data() "
                "was called) and which was not computed before. Refit the "
                "model, and ask for inference before saving.")
        hess = np.empty((width, width), order="F")
        objective = self.source().inference_pass(self.coef, hess=hess)
        if not np.isclose(objective, self.data_objective, rtol=1e-9,
                          atol=1e-12 * max(1.0, abs(self.data_objective))):
            raise InferenceUnavailableError(
                "The training data changed since fit (the log-likelihood "
                "of the data at the fitted coefficients is not the fit's): "
                "the figures that need a pass over them would be wrong. "
                "Refit the model.")
        return hess

    def remove_data(self):
        """Drop the reference to the training data (after computing what
        needs it: the covariance)."""
        if self.unavailable is None:
            self.covariance
            self.n_params
        self.source = None

    # -- the figures, computed once -------------------------------------
    @property
    def covariance(self) -> np.ndarray:
        """The covariance of ``cov_type`` (see the subclasses)."""
        if self._cov is None:
            self._compute_once()
        assert self._cov is not None
        return self._cov

    @property
    def n_params(self) -> float:
        """The (effective) number of parameters (see the subclasses)."""
        if self._n_params is None:
            self._compute_once()
        assert self._n_params is not None
        return self._n_params

    def _compute_once(self):
        # BLAS single-threaded: a pass over the data runs the kernels in
        # row-parallel threads, and on the small p x p products OpenBLAS's
        # threads only cost (measured here, a 51 x 51 dpotri on a busy
        # 2-core machine: 0.1 s with its threads, microseconds without)
        with single_threaded_blas():
            self._compute()

    def _compute(self):
        """Set ``_cov`` and ``_n_params`` (the subclasses)."""
        raise NotImplementedError
