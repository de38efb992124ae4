"""What every solver returns, and the warning for a fit that stopped short."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.exceptions import ConvergenceWarning


@dataclass
class SolverResult:
    """What a solver returns.

    Attributes
    ----------
    coef : ndarray of shape (n_coef,) or (n_classes, n_coef)
        Coefficients, the intercept last.
    objective : float
        Objective at ``coef``.
    n_iter : int
        Iterations run.
    converged : bool
        Whether the solver's convergence test passed.
    max_abs_grad : float
        The figure the test compares with ``tol``: ``max|gradient| / (C *
        sum(s))`` for smooth objectives, the largest scaled KKT violation for
        proximal Newton, the scaled gradient mapping for proximal gradient.
    ridge : float
        Largest ridge added to the Hessian to factor it (0.0 if never).
    hessian_factor : ndarray of shape (n_coef, n_coef) or None
        Lower Cholesky factor (F order, as left by dpotrf; the upper triangle
        is garbage) of the penalized Hessian at ``coef`` when Newton stopped
        on its convergence test, so inference can invert it with dpotri at
        no extra pass over X; None otherwise.
    stopped_by_monitor : bool
        Whether the ``monitor`` callback stopped the iteration (its owner
        then explains why; :func:`warn_not_converged` stays silent).
    data_objective : float or None
        The data term ``C * nll`` at ``coef`` when the objective has a
        penalty that is not ``alpha/2 |w|^2`` (Firth's), else None.
    """

    coef: np.ndarray
    objective: float
    n_iter: int
    converged: bool
    max_abs_grad: float
    ridge: float
    hessian_factor: np.ndarray | None = None
    stopped_by_monitor: bool = False
    data_objective: float | None = None


def warn_not_converged(result: SolverResult, max_iter: int,
                       label: str = "", stacklevel: int = 3) -> None:
    """Issue the ConvergenceWarning for a fit that stopped short.

    Silent when a monitor stopped the fit: the monitor's owner warns.
    """
    if result.converged or getattr(result, "stopped_by_monitor", False):
        return
    reason = (f"reached max_iter={max_iter}" if result.n_iter >= max_iter
              else "stopped at the limit of floating-point precision")
    warnings.warn(
        f"{label}Newton solver did not converge: {reason} with "
        f"max|gradient| = {result.max_abs_grad:.3g} (scaled by C * "
        "sum(sample_weight)). Increase max_iter, scale the features, or "
        "increase the penalty (smaller C).",
        ConvergenceWarning, stacklevel=stacklevel)
