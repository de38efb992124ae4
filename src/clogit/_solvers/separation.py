"""Detecting complete and quasi-complete separation in unpenalized fits.

Theory (Albert & Anderson, 1984): the unpenalized maximum-likelihood
estimate of a logistic model does not exist if and only if some direction
``d != 0`` in coefficient space (intercept included) has margins
``(2 y_i - 1) * x~_i . d >= 0`` for every sample of positive weight --
*complete* separation when all are > 0, *quasi-complete* when some are 0.
Along such a ``d`` no sample's fit gets worse, so the likelihood improves
forever and Newton's iterates run off along ``d``: every step adds about one
unit of log-odds to the separated samples' margins, and the gradient shrinks
only because their probabilities saturate, until the ordinary convergence
test passes with large, meaningless coefficients.  statsmodels only notices
*complete* separation (all fitted probabilities 0 or 1).

The certificate is free: each Newton step ``d = theta_k - theta_{k-1}`` is a
candidate, and its margins are ``(2y - 1) * (z_k - z_{k-1})`` from the
linear predictors the solver computes anyway.  :class:`SeparationMonitor`
flags separation when a step

* moves some sample by at least ``MIN_MOVE`` log-odds towards its label, and
* moves no sample away from its label by more than ``TOL`` times that,

on two consecutive iterations, or -- with the looser ``FINAL_TOL`` -- on
the solver's last one (a fit that meets its tolerance or ``max_iter`` while
still taking such steps).  At a genuine
optimum the steps shrink quadratically (so the first condition fails), and
on non-separable data every direction worsens some samples in proportion (in
the test data the worst sample moves away by 30-70 % of the best's move, far
from ``TOL``).  ``TOL`` is not 0 because in quasi-separation the tied
samples' margins are 0 only up to rounding and the finite part of the
coefficients still converging.

A first-order solver's steps (L-BFGS, gradient descent, Newton-CG's
inexact ones) are seldom such certificates: for those the monitor is given
a ``probe``, Newton steps from an iterate whose probabilities saturate,
whose steps certify separation where the linear program of
:meth:`SeparationMonitor.finish` would otherwise run (3.3 s on 50,000 x
30 quasi-separated rows, against 0.03 s for the probe's Newton steps);
the probe's iterates are also checked for complete separation themselves
(every margin positive: an exact proof).

The features named in the warning are those whose coefficients carry the
divergence: the components of the last step scaled by the feature's root
mean square (its contribution to the change of the log-odds), at least
``SHARE`` of the largest.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

# A step is a separation certificate if some sample moves >= MIN_MOVE log-odds
# towards its label and none moves away by more than TOL times that; the
# iteration stops after HITS_TO_STOP certificates in a row.
MIN_MOVE = 0.5
TOL = 1e-4
HITS_TO_STOP = 2
# On the solver's last iteration a looser certificate suffices: a fit that
# stops (on its tolerance or max_iter) while still moving samples by half a
# unit of log-odds has not settled, and on non-separable data the worst
# sample moves away by tens of percent of the best one's move.
FINAL_TOL = 1e-2
# Features named: contribution >= SHARE * the largest; at most MAX_NAMES.
SHARE = 0.1
MAX_NAMES = 10
# A returned point where some sample's margin (log-odds of its own class
# against the best other) exceeds this has saturating probabilities
# (p > 1 - 5e-5): worth the linear program of SeparationMonitor.finish even
# when the fit met its tolerance, as first-order solvers do on separable
# data with large, meaningless coefficients.
SATURATED = 10.0
# Newton steps a probe takes at most (SeparationMonitor's probe; it stops
# at HITS_TO_STOP certificates in a row).  From a point far from the
# finite part's optimum (gradient descent after 100 iterations on a
# quasi-separated 300 x 4) the first steps still move tied samples away
# by 1e-2 of the separated ones' move; Newton settles them in a few.
PROBE_STEPS = 6
# During a first-order fit, the probe also runs at iteration
# FIRST_PROBE, then at twice the last probe's iteration, when the iterate's
# margins saturate (SATURATED): L-BFGS took its 100 iterations on 50,000
# x 30 completely separated rows (0.46 s, Newton 0.13 s) before the probe
# at its end certified.
FIRST_PROBE = 20


class SeparationWarning(ConvergenceWarning):
    """The classes are (quasi-)perfectly separated in an unpenalized fit.

    The maximum-likelihood estimate does not exist: some coefficients would
    grow without bound.  The fit stops as soon as the divergence is certain
    and keeps the (finite) coefficients reached; the warning names the
    features involved.  A subclass of scikit-learn's ``ConvergenceWarning``
    (the optimizer cannot converge), hence of ``UserWarning``.

    See Also
    --------
    LogisticRegression : ``penalty="firth"`` or a finite C give finite
        estimates on separated data.
    """


class SeparationMonitor:
    """Monitor that stops a diverging unpenalized fit, and the certificate
    checks made when it returns.

    Pass an instance as ``monitor=`` to any unpenalized solver (Newton,
    Newton-CG, L-BFGS, gradient descent; binary or multinomial), then call
    :meth:`finish` with the result.

    Parameters
    ----------
    data : Margins
        The data's margins (``_backends.protocol.Margins``: in memory
        ``_backends.memory.InMemoryMargins`` or ``InMemorySoftmaxMargins``;
        clogit.dask's are computed on the workers).
    kernels : BinomialPasses or SoftmaxPasses, optional
        The problem's kernels, for the certificates at the returned point
        (:meth:`finish`).
    solver : str
        The solver's name, for the warning.
    probe : callable, optional
        For solvers whose steps are not Newton's: ``probe(coef, monitor)``
        runs up to ``PROBE_STEPS`` Newton steps from ``coef``, calling
        ``monitor`` as a solver does.  The monitor runs it at iterations
        ``FIRST_PROBE``, then doubling, when the iterate is not itself
        completely separating (checked then too) and its margins saturate,
        and :meth:`finish` before the linear program.
    """

    def __init__(self, data, kernels=None, solver="the solver", probe=None):
        self._data = data
        self._kernels = kernels
        self.solver = solver
        self._probe = probe
        self._next_probe = FIRST_PROBE
        self._z = None
        self._coef = None
        self._hits = 0
        # the last step: iteration, best and worst margin, coefficient
        # step, and the data's record of the step (for count_above)
        self._last = None
        self.detected = False

    def __call__(self, iteration, coef, objective, z):
        if self._probe is not None and self._probed(iteration, coef, z):
            return True
        if self._z is not None:
            best, worst, step = self._data.margin_range(z, self._z)
            self._last = (iteration, best, worst, coef - self._coef, step)
            certified = best >= MIN_MOVE and worst >= -TOL * best
            self._hits = self._hits + 1 if certified else 0
            self.detected = self._hits >= HITS_TO_STOP
        self._z = self._data.snapshot(z)
        self._coef = coef.copy()
        return self.detected

    def _margins_of(self, coef, z):
        """Largest and smallest margin of the scores ``z`` of ``coef``
        themselves, and the record: the data's ``margins_at``, or else
        the change from zero scores."""
        margins_at = getattr(self._data, "margins_at", None)
        if margins_at is not None:
            return margins_at(z)
        kernels = self._kernels
        zero = kernels.new_scores()
        if coef.ndim == 2:
            kernels.scores(np.zeros_like(coef), zero)
        else:
            kernels.matvec(np.zeros_like(coef), zero)
        return self._data.margin_range(z, self._data.snapshot(zero))

    def _record_complete(self, iteration, coef, margins):
        """Record ``coef`` as the certificate if its ``margins`` (best,
        worst, record) are all positive; returns whether they are."""
        best, worst, record = margins
        if not worst > 0.0:
            return False
        self._last = (iteration, best, worst, coef.copy(), record)
        self.detected = True
        return True

    def _probed(self, iteration, coef, z):
        """At the probe's iterations (``FIRST_PROBE``, doubling): whether
        the iterate's scores ``z`` separate the data completely (every
        margin positive: ``coef`` itself is the certificate), or, its
        margins saturating, the probe's Newton steps from ``coef`` certify
        separation (recorded at ``iteration``)."""
        if iteration < self._next_probe or coef.ndim != 1:
            return False
        self._next_probe = 2 * iteration
        margins = self._margins_of(coef, z)
        if self._record_complete(iteration, coef, margins):
            return True
        if margins[0] < SATURATED:
            return False
        return self._run_probe(iteration, coef)

    def _run_probe(self, iteration, coef):
        watcher = _ProbeWatcher(self._data)
        self._probe(coef, watcher)
        if watcher.detected:
            self._last = (iteration,) + watcher._last[1:]
            self.detected = True
        return self.detected

    def finish(self, result):
        """Settle the verdict once the solver returned.

        In order, each only if the previous found nothing:

        1. a looser step certificate (``FINAL_TOL``) on the solver's last
           iteration;
        2. complete separation at the returned point: every sample of
           positive weight on its own side (binary) or scored highest for
           its own class (multinomial) -- the returned coefficients then
           *are* a separating direction, an exact proof;
        3. when the fit did not converge or some sample's margin exceeds
           ``SATURATED`` (probabilities saturating): the ``probe``'s
           Newton steps, if given, certifying as Newton's own do; then a
           linear program
           (in memory, up to ``_backends.memory.LP_MAX_NONZEROS``) that
           finds a (quasi-)separating direction or proves there is none.

        When separation is found, ``result`` is marked as not converged and
        as stopped by the monitor, so that the solver's ConvergenceWarning
        (which would misname the cause) stays silent.

        Returns
        -------
        bool
            Whether separation was detected.
        """
        if not self.detected and self._last is not None:
            iteration, best, worst = self._last[:3]
            self.detected = (iteration == result.n_iter and best >= MIN_MOVE
                             and worst >= -FINAL_TOL * best)
        if not self.detected and self._kernels is not None:
            self._certify(result)
        if self.detected:
            result.converged = False
            result.stopped_by_monitor = True
        return self.detected

    def _certify(self, result):
        """Steps 2 and 3 of :meth:`finish`."""
        kernels, coef = self._kernels, result.coef
        z = getattr(result, "scores", None)
        if z is None:  # (not left by the solver at coef: one pass)
            z = kernels.new_scores()
            if coef.ndim == 2:
                kernels.scores(coef, z)
            else:
                kernels.matvec(coef, z)
        margins = self._margins_of(coef, z)
        if self._record_complete(result.n_iter, coef, margins):
            return
        best = margins[0]
        search = getattr(self._data, "separating_direction", None)
        if result.converged and best < SATURATED:
            return
        if self._probe is not None and coef.ndim == 1 and self._run_probe(
                result.n_iter, coef):
            return
        if search is None:
            return
        found = search(bool(kernels.fit_intercept))
        if found is not None:
            direction, best, worst, record = found
            self._last = (result.n_iter, best, worst, direction, record)
            self.detected = True

    @property
    def n_iter(self):
        return self._last[0]

    @property
    def complete(self):
        """Complete separation: every sample's margin grew (none tied)."""
        _, best, worst = self._last[:3]
        return worst > TOL * best

    @property
    def n_separated(self):
        """Samples whose margin grew: those perfectly predicted."""
        best, step = self._last[1], self._last[4]
        return self._data.count_above(step, TOL * best)

    def involved(self, n_features):
        """Indices of the features carrying the divergence, largest first."""
        step = self._last[3]
        if step.ndim == 2:
            # multinomial: a common row changes no prediction; a feature
            # carries the divergence through its largest class coefficient
            step = np.abs(step - step.mean(axis=0))[:, :n_features].max(
                axis=0)
        else:
            step = np.abs(step[:n_features])
        contribution = step * self._data.column_rms()
        largest = float(contribution.max()) if n_features else 0.0
        if not largest > 0.0:
            return np.array([], dtype=np.intp)
        order = np.argsort(-contribution, kind="stable")
        return order[contribution[order] >= SHARE * largest]

    def warn(self, feature_names, label="", stacklevel=3):
        """Issue the :class:`SeparationWarning` naming the features."""
        n_features = self._data.n_features
        if feature_names is None:
            feature_names = [f"x{j}" for j in range(n_features)]
        involved = [str(feature_names[j]) for j in self.involved(n_features)]
        if not involved:
            named = "the intercept"
        else:
            named = ", ".join(involved[:MAX_NAMES])
            if len(involved) > MAX_NAMES:
                named += f" and {len(involved) - MAX_NAMES} more"
            named = ("feature " if len(involved) == 1 else "features ") + named
        whose = ("whose coefficient diverges" if len(involved) == 1
                 else "whose coefficients diverge")
        kind = "complete" if self.complete else "quasi-complete"
        n_total = self._data.n_active
        warnings.warn(
            f"{label}{self.solver}: perfect separation detected ({kind} "
            "separation): "
            f"{self.n_separated} of {n_total} samples are perfectly "
            f"predicted by {named}, {whose}; the unpenalized "
            "maximum-likelihood estimate does not exist. The fit "
            f"stopped after {self.n_iter} iterations with finite "
            "coefficients along the separating direction; their standard "
            "errors are meaningless. Use penalty='l2' (a finite C), or "
            "remove or merge the separating features.",
            SeparationWarning, stacklevel=stacklevel)


class _ProbeWatcher(SeparationMonitor):
    """The monitor of a probe's Newton steps: certifies as Newton's own
    does, and stops the probe at the first step that moves no sample by
    ``MIN_MOVE`` towards its label (Newton converging, not running off):
    on non-separated data whose probabilities saturate (a strong signal:
    200,000 x 200, margins up to 20) the probe then costs two passes, not
    ``PROBE_STEPS``."""

    def __call__(self, iteration, coef, objective, z):
        if super().__call__(iteration, coef, objective, z):
            return True
        return self._last is not None and self._last[1] < MIN_MOVE
