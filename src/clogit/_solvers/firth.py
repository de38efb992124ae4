"""Firth's bias-reduced logistic regression: Newton's method on the
modified score.

Maximizes Firth's penalized log-likelihood ``l*(theta) = l(theta) + 1/2
log det I(theta)``, ``I = X~^T diag(s p (1 - p)) X~`` the Fisher
information (intercept included; sample weights are frequency weights;
the kernels' C multiplies both terms' weights), i.e. minimizes ``f = C nll
- 1/2 log det I``.  The penalty is Jeffreys' invariant prior: it removes
the O(1/n) bias of the maximum-likelihood estimate and keeps every
estimate finite, separated data included (Firth 1993; Heinze & Schemper
2002, R's logistf).

Each iteration:

1. one blocked pass over X at ``theta`` gives the log-likelihood, its
   gradient and ``I`` (``block_pass``: a dsyrk per block), and a Cholesky
   ``I = L L^T`` gives ``log det I = 2 sum log L_ii``;
2. one more pass gives the leverages ``h_i = s_i p_i (1 - p_i) xt_i I^-1
   xt_i^T`` (blockwise dtrsm with L: O(n k^2), no n x n hat matrix and no
   n x k temporary) and the modified score ``U* = X~^T (s (y - p) + h (1/2
   - p))``, the gradient of ``l*``;
3. stop when ``max|U*| / (C sum s) <= tol`` (the test ``converged_``
   reports);
4. the step ``I^-1 U*`` (an ascent direction of ``l*``), shortened to at
   most 5 in max-norm as logistf's ``maxstep``, is halved until the
   penalized log-likelihood does not decrease (step halving: each trial is
   the next iteration's pass 1).

Coefficients can be held fixed (``fixed``, for profile likelihoods): their
components of U* are zero and the step solves the free block of I, while
the penalty keeps the full model's information, as logistf's profile.
With ``penalized=False`` the same code maximizes the plain likelihood
(``U*`` the ordinary score; the MLE's profile).
"""

from __future__ import annotations

import numpy as np

from .._kernels.blas import cho_solve, cholesky
from .result import SolverResult
from .start import start_binary

# logistf.control(maxstep = 5): the largest change of a coefficient in one
# step
MAX_STEP = 5.0
MAX_HALVINGS = 40
_EPS = np.finfo(np.float64).eps


class SingularInformationError(ValueError):
    """The Fisher information is singular: ``log det I`` is undefined."""


class _Point:
    """Objective, gradient, information and its factor at one
    coefficient vector."""

    def __init__(self, kernels, n_coef):
        self.grad = np.empty(n_coef)
        self.info = np.empty((n_coef, n_coef), order="F")
        self.factor = np.empty((n_coef, n_coef), order="F")
        self.z = kernels.new_scores()
        self.coef = np.empty(n_coef)
        self.data_objective = np.nan
        self.objective = np.inf

    def evaluate(self, kernels, coef, penalized):
        """Fill in the figures at ``coef``; False if I is singular."""
        self.coef[...] = coef
        self.data_objective = kernels.block_pass(coef, self.grad, self.info,
                                                 self.z)
        self.factor[...] = self.info
        if not np.all(np.isfinite(self.info)) or cholesky(self.factor) != 0:
            self.objective = np.inf
            return False
        half_log_det = float(np.sum(np.log(np.diagonal(self.factor))))
        self.objective = self.data_objective - (half_log_det if penalized
                                                else 0.0)
        return np.isfinite(self.objective)


def firth_binary(kernels, *, tol, max_iter, coef0=None, verbose=0,
                 label="", fixed=None, penalized=True, objective_tol=None):
    """Fit Firth's penalized logistic regression (binary).

    Parameters
    ----------
    kernels : FirthPasses
        ``BinomialPasses`` with ``leverage_pass(z, factor) -> (hat,
        score_term)`` (``clogit._backends.row_forms.FirthPasses``).
    tol : float
        Stop when ``max|U*| / (C sum(s)) <= tol``.
    max_iter : int
    coef0 : ndarray, optional
        Starting point (intercept last); else zeros and the intercept at
        the log-odds of the weighted mean label.
    verbose : int
    label : str
        Prefix of the verbose lines and of errors (One-vs-Rest's class).
    fixed : dict, optional
        ``{index: value}``: coefficients held at these values (solver
        order, intercept last).
    penalized : bool, default=True
        False: the plain likelihood (no Firth penalty).
    objective_tol : float, optional
        Also stop (``converged`` stays False) once an accepted step lowers
        the objective by less than ``objective_tol * max(1, |f|)``: what a
        caller that needs the objective's value, not the modified score's
        zero, asks (profile likelihoods, near separation, where Fisher
        scoring converges linearly).

    Returns
    -------
    SolverResult
        ``objective`` is ``f = C nll - 1/2 log det I`` (``C nll`` without
        the penalty), ``data_objective`` its ``C nll`` and
        ``hessian_factor`` the Cholesky factor of ``I`` at ``coef``.

    Raises
    ------
    SingularInformationError
        ``I`` is singular at the start (collinear or constant features).
    """
    n_features, scale, coef, _ = start_binary(kernels, coef0, 0)
    n_coef = coef.shape[0]
    free = np.ones(n_coef, dtype=bool)
    for index, value in (fixed or {}).items():
        coef[index] = value
        free[index] = False
    here, trial = _Point(kernels, n_coef), _Point(kernels, n_coef)
    if not here.evaluate(kernels, coef, penalized):
        raise SingularInformationError(
            f"{label}penalty='firth': the Fisher information is singular "
            "at the starting point (collinear or constant features, or a "
            "class without observations), so Firth's penalty log det I is "
            "undefined. Remove the collinear or constant features.")
    def modified_score(point):
        """U* = grad l + X~^T (h (1/2 - p)), fixed components zeroed."""
        score = -point.grad
        if penalized:
            _, extra = kernels.leverage_pass(point.z, point.factor)
            score += extra
        score[~free] = 0.0
        return score, float(np.max(np.abs(score), initial=0.0)) / scale

    converged = False
    iteration = 0
    score, g_max = modified_score(here)
    for iteration in range(1, max_iter + 1):
        # 2.-3. the modified score at here (computed on arrival), tested
        if g_max <= tol:
            converged = True
            if verbose:
                print(f"{label}iter {iteration:3d}  objective "
                      f"{here.objective:.12e}  max|U*| {g_max:.3e}  "
                      "converged")
            break
        # 4. the Fisher scoring step on the free coefficients, capped
        step = np.zeros(n_coef)
        if free.all():
            step[...] = score
            cho_solve(here.factor, step)
        else:
            block = np.asfortranarray(here.info[np.ix_(free, free)])
            if cholesky(block) != 0:
                break  # cannot happen: a principal block of an SPD matrix
            part = np.ascontiguousarray(score[free])
            cho_solve(block, part)
            step[free] = part
        largest = float(np.max(np.abs(step)))
        if largest > MAX_STEP:
            step *= MAX_STEP / largest
        # step halving on the penalized log-likelihood; a change within
        # the objective's rounding error counts as no increase
        slack = 64 * _EPS * max(1.0, abs(here.objective))
        length = 1.0
        for _ in range(MAX_HALVINGS):
            if (trial.evaluate(kernels, here.coef + length * step, penalized)
                    and trial.objective <= here.objective + slack):
                break
            length *= 0.5
        else:
            if verbose:
                print(f"{label}iter {iteration:3d}  no step decreases the "
                      "objective (floating-point precision)")
            break
        if verbose:
            print(f"{label}iter {iteration:3d}  objective "
                  f"{here.objective:.12e}  max|U*| {g_max:.3e}  step "
                  f"{length:.3g}")
        decrease = here.objective - trial.objective
        here, trial = trial, here
        score, g_max = modified_score(here)
        if objective_tol is not None and decrease <= objective_tol * max(
                1.0, abs(here.objective)):
            converged = g_max <= tol
            break
    else:
        converged = g_max <= tol  # the last step's point, already scored
    return SolverResult(coef=here.coef.copy(), objective=here.objective,
                        n_iter=iteration, converged=converged,
                        max_abs_grad=g_max, ridge=0.0,
                        hessian_factor=here.factor.copy(order="F"),
                        data_objective=here.data_objective)
