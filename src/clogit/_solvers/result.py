"""What every solver returns, and the warning for a fit that stopped short."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from .stopping import GRADIENT_TEST


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
        Whether the stopping test (``_solvers.stopping``) holds at ``coef``.
    max_abs_grad : float
        The figure the test compares with ``tol`` at ``coef``:
        ``max|gradient| / (C * sum(s))``, with the minimum-norm subgradient
        for ℓ1 / elastic net.
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
    solver : str
        The solver's name, for warnings ("Newton", "L-BFGS", ...).
    test : str
        The stopping test (``_solvers.stopping``), for warnings.
    tol : float
        Its tolerance.
    reason : str
        Why the iteration stopped short, when it did ("" otherwise, or
        when it ran out of ``max_iter``).
    data_objective : float or None
        The data term ``C * nll`` at ``coef`` when the objective has a
        penalty that is not ``alpha/2 |w|^2`` (Firth's) or when the
        solver's last pass computed it at ``coef`` (One-vs-Rest fitted
        together), else None.
    residual : ndarray of shape (n_samples,) or None
        The residual ``C s (p - y)`` at ``coef`` when the solver's last pass
        computed it there (proximal Newton; a path reads the full gradient
        from it without another pass over the active columns); None
        otherwise.
    gradient : ndarray of shape (n_features,) or None
        With ``residual``, when the solver's last pass gave it (proximal
        Newton on a screened path point, dense X read in place): the data
        gradient ``X.T r`` over all features at ``coef`` (the path's KKT
        check then needs no product with X).
    scores : ndarray of shape (n_samples,), the kernels' score buffer, or None
        The scores ``Xt @ coef`` when the solver's last pass left them in
        its buffer at ``coef`` itself (binary L-BFGS and Newton; the
        separation monitor's final check then needs no product with X),
        else None.
        The solver's buffer (clogit.dask's: a ``DistributedScores``),
        valid until the kernels' next pass into it.
    """

    coef: np.ndarray
    objective: float
    n_iter: int
    converged: bool
    max_abs_grad: float
    ridge: float
    hessian_factor: np.ndarray | None = None
    stopped_by_monitor: bool = False
    solver: str = "the solver"
    test: str = GRADIENT_TEST
    tol: float = float("nan")
    reason: str = ""
    data_objective: float | None = None
    residual: np.ndarray | None = None
    gradient: np.ndarray | None = None
    scores: Any = None


def warn_not_converged(result: SolverResult, max_iter: int,
                       label: str = "", stacklevel: int = 3) -> None:
    """Issue the ConvergenceWarning for a fit that stopped short, naming
    the solver and the stopping test that failed.

    Silent when a monitor stopped the fit: the monitor's owner warns.
    """
    if result.converged or getattr(result, "stopped_by_monitor", False):
        return
    if max_iter == 0:
        reason = "max_iter=0, no iteration was run"
    elif result.n_iter >= max_iter:
        reason = f"reached max_iter={max_iter}"
    else:
        reason = (result.reason
                  or "stopped at the limit of floating-point precision")
    warnings.warn(
        f"{label}{result.solver} did not converge: {reason}; its stopping "
        f"test {result.test} fails at the returned coefficients "
        f"({result.max_abs_grad:.3g} > tol={result.tol:g}). Increase "
        "max_iter, scale the features, or increase the penalty "
        "(smaller C).",
        ConvergenceWarning, stacklevel=stacklevel)
