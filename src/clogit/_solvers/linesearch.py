"""The backtracking line search every Newton-type solver shares.

Armijo's rule on a *cached* search line: the solvers hand in a function that
evaluates the objective at ``coef + step * d`` from the stored scores
``z = X coef`` and ``dz = X d`` (``objective_along`` of the kernels), so no
trial step reads X.  A trial whose change is within the objective's own
rounding error is accepted (f cannot tell it from a decrease), and
:class:`StallGuard` stops a solver once such steps no longer shrink the
gradient: float64 can then do no better.
"""

import numpy as np

_EPS = np.finfo(np.float64).eps
# Sufficient-decrease constant and the most halvings of the step.
ARMIJO = 1e-4
MAX_HALVINGS = 50
# A change within this many ulps of the objective is rounding error.
ROUNDING_ULPS = 64
# Steps without measurable progress before a solver stops (StallGuard).
PATIENCE = 3
# Newton's step far from the optimum is too short for the logistic loss:
# its model takes the curvature at the current scores, and the curvature
# falls as the scores spread (from the log-odds start every weight is the
# largest, p(1 - p) at the mean).  So when the full step is accepted while
# the squared Newton decrement exceeds EXPAND_SHARE of the objective (the
# model promises to remove a quarter of it or more: the global phase of a
# strong signal), the step doubles while the objective along the cached
# line keeps falling, at most MAX_EXPANSIONS times (a separable direction
# falls forever).  Each trial is a log-loss over the rows, no pass over X.
# Newton passes to tol 1e-8 (exact Hessians): breast_cancer l2 10 -> 7,
# digits' one-vs-rest l2 11 -> 9, make_classification(5000, 20) l2 8 -> 7,
# a strong-signal 200,000 x 100 l2 8 -> 6 (unpenalized fits, watched by
# the separation monitor, take no longer steps).  Weak signals
# (a linear predictor of unit variance, as bench/run.py's and
# bench/dask.py's problems) start at a ratio of 0.21-0.28 and never try
# (at 0.1 they did, each trial rejected: a round trip on clogit.dask).
EXPAND_SHARE = 0.5
MAX_EXPANSIONS = 4
# Why :func:`step_along` stops a solver.
SEARCH_FAILED = "line search failed"
AT_FLOAT_LIMIT = "stopped at the limit of floating-point precision"


def rounding_error(objective):
    """Rounding error to expect in a sum the size of ``objective``."""
    return ROUNDING_ULPS * _EPS * abs(objective)


def backtrack(objective_at, objective, slope, expand=False):
    """Largest step in 1, 1/2, 1/4, ... meeting Armijo's condition.

    Parameters
    ----------
    objective_at : callable
        ``objective_at(step)``: the objective at ``coef + step * d``.
    objective : float
        The objective at ``coef``.
    slope : float
        The predicted decrease per unit step (``g.d``, or the composite
        model's decrease for proximal methods); negative.
    expand : bool
        When the full step is accepted, try 2, 4, ... (at most
        ``MAX_EXPANSIONS`` doublings) while the objective keeps falling
        (see ``EXPAND_SHARE``; the caller decides when).

    Returns
    -------
    step, trial : float, float
        The accepted step and the objective there; ``(None, None)`` when no
        step down to ``2**-MAX_HALVINGS`` is accepted.
    """
    roundoff = rounding_error(objective)
    step = 1.0
    for _ in range(MAX_HALVINGS):
        trial = objective_at(step)
        if trial <= objective + ARMIJO * step * slope + roundoff:
            if expand and step == 1.0:
                for _ in range(MAX_EXPANSIONS):
                    longer = objective_at(2.0 * step)
                    if not longer < trial:
                        break
                    step, trial = 2.0 * step, longer
            return step, trial
        step *= 0.5
    return None, None


def expands(decrement_sq, objective):
    """Whether a Newton step with squared decrement ``decrement_sq`` from
    an iterate at ``objective`` is in the global phase, where the line
    search tries longer steps (``EXPAND_SHARE``)."""
    return decrement_sq > EXPAND_SHARE * abs(objective)


def step_along(kernels, coef, direction, z, dz, objective, slope, penalty,
               guard, gradient_norm, full_step=None, dz_from=None,
               expand=False):
    """The second half of a Newton-type iteration, shared by Newton and
    Newton-CG: ``dz = X d``, backtracking on the cached line, ``coef`` updated
    in place.

    ``penalty(c)`` is the non-data part of the objective at ``c``.
    ``full_step``, if given, is the objective at ``coef + direction``,
    already evaluated (Newton's speculative pass): ``dz`` is then computed
    only if a shorter step has to be tried, by ``dz_from()`` if given
    (else ``kernels.matvec``).  ``expand``: longer steps are tried
    after an accepted full step (:func:`backtrack`).  Returns
    ``(step, stop)``:
    ``stop`` is None to go on, else why the solver should stop ("line
    search failed": coef unchanged; "stopped at the limit of floating-point
    precision": the step was taken).
    """
    need_dz = [True]

    def objective_at(t):
        if t == 1.0 and full_step is not None:
            return full_step
        if need_dz[0]:
            if dz_from is None:
                kernels.matvec(direction, dz)
            else:
                dz_from()
            need_dz[0] = False
        return (kernels.objective_along(z, dz, t)
                + penalty(coef + t * direction))

    step, trial = backtrack(objective_at, objective, slope, expand)
    if step is None:
        return None, SEARCH_FAILED
    coef += step * direction
    if guard.stalled(objective, trial, gradient_norm):
        return step, AT_FLOAT_LIMIT
    return step, None


class StallGuard:
    """Counts steps that neither measurably decrease the objective nor halve
    the gradient; three in a row mean the iteration has reached float64's
    limit."""

    def __init__(self, patience=PATIENCE):
        self.patience = patience
        self.stalls = 0
        self.previous_gradient = np.inf

    def stalled(self, objective, trial, gradient_norm):
        """Record one accepted step; True when the solver should stop."""
        if (trial > objective - rounding_error(objective)
                and gradient_norm >= 0.5 * self.previous_gradient):
            self.stalls += 1
        else:
            self.stalls = 0
        self.previous_gradient = gradient_norm
        return self.stalls >= self.patience
