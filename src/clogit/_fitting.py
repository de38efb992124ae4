"""The fitting plans both estimators share: which solver, which problems,
and what a fit leaves behind.

``clogit.LogisticRegression`` (in memory) and ``clogit.dask.LogisticRegression``
differ only in where their data live.  Each validates its input, wraps it as
a :class:`~clogit._backends.protocol.FitData` (``_backends.memory.InMemoryData``
or ``_backends.dask_chunks.DaskData``) and hands it to :func:`fit_binary`
(binary and One-vs-Rest) or :func:`fit_multinomial` here, which

1. build each problem's class-weight table from the weighted class totals,
2. ask the data for the problem's kernels and run the solver on them (One-vs-Rest
   classes in threads),
3. watch unpenalized fits (every solver, binary, One-vs-Rest and
   multinomial) for separation,
4. raise the warnings in the caller's thread, in class order, and
5. collect what inference needs (``_inference.binary.binary_fit``,
   ``_inference.multinomial.multinomial_fit``: the covariance of
   ``cov_type``, and -- for data kept in memory -- a way to remake the
   problem's kernels, for figures computed on demand),

returning a :class:`FittedModel` the estimator copies into its attributes.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any, NamedTuple

import numpy as np

from ._inference.binary import binary_fit
from ._inference.multinomial import multinomial_fit
from ._scaling import column_scales, scale_problem
from ._backends.row_forms import FirthPasses
from ._solvers.firth import firth_binary
from ._solvers.gd import gradient_descent
from ._solvers.lbfgs import lbfgs_binary, lbfgs_ovr
from ._solvers.multinomial import lbfgs_multinomial, newton_multinomial
from ._solvers.newton import newton_binary
from ._solvers.newton_cg import newton_cg_binary
from ._solvers.prox_multinomial import prox_newton_multinomial
from ._solvers.prox_newton import prox_newton_binary
from ._solvers.result import warn_not_converged
from ._solvers.separation import PROBE_STEPS, SeparationMonitor
from ._validation import balanced_weights, class_weight_table

# multi_class="multinomial" (or "auto" with 3+ classes), solver="auto":
# Newton with the full (K k1)^2 Hessian costs about n (K k1)^2 flops an
# iteration, L-BFGS about 4 n K k1 (two skinny products with X).  Measured
# here (one core): on digits (n=1,797, K k1 = 650) Newton took 0.60 s in 10
# iterations, L-BFGS 0.08 s; on bench/multiclass.py's task (n=100,000,
# K k1 = 1,010) 26.6 s against 1.3 s, while on iris (K k1 = 15) both take a
# few milliseconds.  Newton only pays off for narrow problems.
AUTO_MULTINOMIAL_NEWTON_MAX_WIDTH = 100

# solver="auto" with penalty "l2" or None: Newton while its per-iteration
# cost (a dsyrk, n p^2, plus a p^3/3 Cholesky) is a small multiple of the
# gradient pass L-BFGS needs (2 n p) times the ~5-10x more iterations L-BFGS
# takes.  Measured on this project's 2-core machine (bench/run.py data,
# n = 20,000-200,000, l2, C = 1): Newton wins clearly for p <= 500 and is
# still level with L-BFGS around p ~ 1,000-2,000; past that the p^2 memory
# and p^3 factorization make L-BFGS the better default.
AUTO_NEWTON_MAX_FEATURES = 1000
# solver="auto" with penalty "l2" or None on dense X (in memory) of at
# least this many entries n (p+1), up to AUTO_NEWTON_MAX_FEATURES: L-BFGS
# preconditioned by a row-sample Hessian (_solvers.lbfgs), whose iterations
# cost one gradient pass each, where Newton's cost a dsyrk (sampled only on
# the early ones).  Measured here (2-core AMD EPYC, l2 and None, C = 1 and
# 100, six designs from i.i.d. to AR(1) rho = 0.9 and columns scaled by
# 10^U(-2, 2); see the comment in _solvers.lbfgs): preconditioned L-BFGS in
# 0.4-1.0x Newton's time from 20,000 x 50 up (0.3-0.5x at 20,000 x 500),
# while on small problems, where a fit is a few milliseconds of Python
# around each iteration, Newton's fewer iterations win (breast_cancer 2-4
# ms against 3-7 ms).  Without a penalty (the maximum-likelihood fit, whose
# point is usually its inference) too, since gradient passes read ahead
# (_kernels/binomial.pyx): 2-core AMD EPYC, tol 1e-8, four designs
# (i.i.d., AR(1) 0.9, scaled columns, half one-hot), L-BFGS / Newton fit
# 0.50-0.65 at 200,000 x 200, 0.62-1.05 at 50,000 x 100, 0.65-0.97 at
# 20,000 x 50, 0.80-1.00 at 200,000 x 50; fit + standard errors (one
# Hessian pass when inference asks) 0.72-0.97, 0.85-1.13, 0.95-1.06,
# 0.97-1.09.  (Before, on Intel: fit + errors on 200,000 x 50 0.154 s
# against Newton's 0.145, and auto stayed with Newton.)  Separation costs
# L-BFGS a few probe Newton steps (_newton_probe), not the linear program.
# Re-measured on the Intel machine (2-core Xeon, OpenBLAS SkylakeX;
# bench/auto.py, the same four designs, medians of 5 alternating in one
# process, L-BFGS / Newton): l2 (tol 1e-4) 0.81-0.83 at 5,000 x 50,
# 0.66-0.71 at 10,000 x 50, 0.65-0.81 at 20,000 x 50, 0.54-0.64 at 50,000
# x 20, 0.58-0.82 from 20,000 x 200 to 200,000 x 200 (breast_cancer, in
# bench/run.py: Newton 0.83 ms, L-BFGS 2.4 ms); unpenalized, the fit alone
# 0.48-1.09 everywhere, but fit + standard errors 0.79-0.95 only at 20,000
# x 200 to 50,000 x 100 and 1.00-1.19 at 200,000 x 50, 200,000 x 200 and
# up to 20,000 x 50 (the extra Hessian pass for inference is relatively
# dearer there).  So on Intel the l2 crossover lies lower (between 18,000
# and 255,000 entries), and the unpenalized choice is level either way;
# the threshold stays where both machines' figures agree L-BFGS is no
# slower for l2 (AMD's below 1e6 were not re-measured).
# AMD EPYC re-measured (2026-12-08, bench/auto.py, same designs, medians
# of 5): l2 0.92-1.05 at 5,000 x 50 (255,000 entries), 0.80-0.94 at
# 10,000 x 50 (510,000), 0.58-0.66 at 20,000 x 50, 0.48-0.68 from 20,000
# x 200 up; unpenalized, the fit alone 0.83-1.06 up to 10,000 x 50 and
# 0.43-1.10 from 20,000 x 50, fit + standard errors 1.03-1.37 up to
# 10,000 x 50, 0.73-1.01 at 20,000 x 200 to 50,000 x 100, 1.11-1.30 at
# 200,000 x 50.  So for l2 both machines put the crossover below 510,000
# entries (Intel's 0.66-0.71 there): "auto" runs L-BFGS for l2 from
# AUTO_LBFGS_MIN_ENTRIES_L2; the unpenalized threshold stays.
AUTO_LBFGS_MIN_ENTRIES = 1_000_000
AUTO_LBFGS_MIN_ENTRIES_L2 = 500_000
# ... and the unpenalized fit auto gives L-BFGS stops at most at this
# tolerance: Newton's decrement guard (half the squared decrement below
# tol^2) takes it far past tol, and statisticians compare its estimates
# with statsmodels'.  200,000 x 50 at the default tol=1e-4 against
# statsmodels at 1e-12: Newton's coefficients within 6e-7 of the largest,
# L-BFGS's at tol 7.5e-5 (4.7e-3 on the smallest), at 1e-8 as close as
# Newton's, for 2-3 more gradient passes.
AUTO_MLE_LBFGS_TOL = 1e-8
# Newton's dense (p+1)^2 Hessian (and its (p+1)^3/3 Cholesky) beyond this
# size: solver="newton" solves for the step by conjugate gradients on
# Hessian-vector products instead (p > 5,791; at p = 100,000 the Hessian
# alone would take 80 GB).
NEWTON_HESSIAN_MAX_BYTES = 256 * 2**20
# solver="auto" for sparse X, penalty "l2" or None: Newton-CG above this
# many features, Newton (which also leaves the factor inference needs)
# up to it.  A Newton-CG step costs a few dozen sparse passes (2 nnz flops
# each); a Newton step one pass accumulating the nonzero pairs of each row
# (sum nnz_i^2) and a (p+1)^3/3 Cholesky, which soon dominates.  Measured
# here on tf-idf-like data (n = 100,000, ~25 nonzeros a row, C = 1, tol
# 1e-6): Newton / Newton-CG 0.13 / 0.19 s at p = 100, 0.33 / 0.27 s at
# p = 300, 0.84 / 0.23 s at p = 1,000, 2.3 / 0.38 s at p = 2,000.
AUTO_SPARSE_NEWTON_MAX_FEATURES = 300


# How warnings name the solvers of binary_solver.
SOLVER_NAMES = {"newton": "Newton", "newton_cg": "Newton-CG",
                "lbfgs": "L-BFGS", "gd": "gradient descent",
                "prox_newton": "proximal Newton"}


class Objective(NamedTuple):
    """Weights of ``C * sum(s * loss) + l1 * |w|_1 + l2/2 * |w|^2``, or
    (``firth``) of Firth's ``C * sum(s * loss) - 1/2 log det I``."""

    C: float
    l1: float
    l2: float
    firth: bool = False


@dataclass
class Settings:
    """What a fit takes from the estimator's parameters.

    Attributes
    ----------
    objective : Objective
    fit_intercept : bool
    tol : float
    max_iter : int
    verbose : int
    class_weight : None, "balanced" or dict
    penalty : str or None
        The penalty in effect (None when unpenalized), for inference.
    n_threads : int
        One-vs-Rest classes solved concurrently.
    feature_names : ndarray or None
        Named in warnings.
    cov_type : str
        The covariance inference reports (``_inference.covariance``).
    clusters : Clusters or None
        The cluster codes of ``cov_type="cluster"`` (the data's kernels
        hold them too).
    """

    objective: Objective
    fit_intercept: bool
    tol: float
    max_iter: int
    verbose: int
    class_weight: Any
    penalty: str | None
    n_threads: int = 1
    feature_names: Any = None
    cov_type: str = "nonrobust"
    clusters: Any = None


@dataclass
class FittedModel:
    """What a fit leaves: the estimator's fitted attributes.

    ``coef`` has one row per problem (binary: 1; One-vs-Rest and
    multinomial: one per class), the intercept last when fitted.
    """

    classes: np.ndarray
    coef: np.ndarray
    n_features: int
    fit_intercept: bool
    n_iter: np.ndarray
    converged: bool
    multinomial: bool
    inference_fits: list = field(default_factory=list)

    @property
    def coef_(self):
        return self.coef[:, :self.n_features].copy()

    @property
    def intercept_(self):
        if self.fit_intercept:
            return self.coef[:, -1].copy()
        return np.zeros(self.coef.shape[0])


_RESCALED_WEIGHTS = (
    "Standard errors are not available: the sample (or class) weights were "
    "so large that their sums overflow float64, and the fit ran on the "
    "weights divided by a power of two (the same coefficients); as frequency "
    "weights these describe fewer observations. Divide the weights by a "
    "constant for inference.")


# ----------------------------------------------------------------------
# choices
# ----------------------------------------------------------------------
def binary_solver(solver, objective, n_features, sparse=False,
                  n_samples=None):
    """The solver a binary (or One-vs-Rest) problem runs: "newton",
    "newton_cg", "prox_newton", "lbfgs" or "gd".

    "newton_cg" is Newton's method with the step solved by conjugate
    gradients on Hessian-vector products (``_solvers.newton_cg``): what
    ``solver="newton"`` runs when the dense Hessian would not fit in
    ``NEWTON_HESSIAN_MAX_BYTES``, and what "auto" picks for sparse X wider
    than ``AUTO_SPARSE_NEWTON_MAX_FEATURES``.  For penalty l2 or None on
    dense X with ``n_samples`` given (data in memory) of at least
    ``AUTO_LBFGS_MIN_ENTRIES`` entries (``AUTO_LBFGS_MIN_ENTRIES_L2`` for
    l2), "auto" picks "lbfgs", which runs preconditioned there
    (:func:`lbfgs_preconditioned`).
    """
    if objective.firth:
        return "firth"  # Newton on the modified score (in memory)
    if solver == "gd":
        return "gd"
    if objective.l1 > 0.0:
        return "prox_newton"
    if solver == "lbfgs":
        return "lbfgs"
    if solver == "newton-cg":
        return "newton_cg"
    if solver == "auto":
        if sparse and n_features > AUTO_SPARSE_NEWTON_MAX_FEATURES:
            return "newton_cg"
        if not sparse and n_features > AUTO_NEWTON_MAX_FEATURES:
            return "lbfgs"
        if (not sparse and n_samples is not None
                and n_samples * (n_features + 1) >= (
                    AUTO_LBFGS_MIN_ENTRIES_L2 if objective.l2 > 0.0
                    else AUTO_LBFGS_MIN_ENTRIES)):
            return "lbfgs"  # preconditioned (lbfgs_preconditioned)
    if 8 * (n_features + 1) ** 2 > NEWTON_HESSIAN_MAX_BYTES:
        return "newton_cg"
    return "newton"


def binary_tol(requested, solver, objective, n_features, tol):
    """The tolerance the binary ``solver`` (:func:`binary_solver`'s choice
    for the ``requested`` one) runs at: ``tol``, except for an unpenalized
    fit that "auto" gives L-BFGS in Newton's place (up to
    ``AUTO_NEWTON_MAX_FEATURES``), which goes as far as Newton's
    decrement guard would (``AUTO_MLE_LBFGS_TOL``)."""
    if (requested == "auto" and solver == "lbfgs"
            and n_features <= AUTO_NEWTON_MAX_FEATURES
            and not (objective.l1 or objective.l2 or objective.firth)):
        return min(tol, AUTO_MLE_LBFGS_TOL)
    return tol


def is_multinomial(multi_class, solver, objective, n_classes):
    """Whether a fit runs the softmax model.

    "auto" chooses it for 3+ classes, as scikit-learn does, unless the
    penalty is l1/elasticnet (One-vs-Rest works on a working set of
    features, the multinomial fit on the dense Hessian) or the solver is
    "gd".  With two classes the binary model is fitted whatever
    ``multi_class`` says (softmax over two classes is the same family, as
    in scikit-learn >= 1.8).
    """
    if n_classes < 3 or multi_class == "ovr" or objective.firth:
        return False
    if multi_class == "multinomial":
        return True
    return objective.l1 == 0.0 and solver != "gd"


def multinomial_solver(solver, objective, n_classes, n_features,
                       fit_intercept):
    """The multinomial solver, its penalty bound: a function of the
    kernels and ``tol``, ``max_iter``, ``coef0``, ``verbose``.

    ``solver`` is clogit's name ("newton-cg", which has no multinomial
    variant, chooses as "auto" does).
    """
    k1 = n_features + (1 if fit_intercept else 0)
    if solver == "newton-cg":
        solver = "auto"
    if objective.l1 > 0.0:
        if 8 * (n_classes * k1) ** 2 > NEWTON_HESSIAN_MAX_BYTES:
            raise ValueError(
                f"penalty 'l1'/'elasticnet' with the multinomial loss "
                "is fitted by proximal Newton with the dense "
                f"({n_classes} x {k1})^2 Hessian, which would exceed "
                f"{NEWTON_HESSIAN_MAX_BYTES // 2**20} MiB; use "
                "multi_class='ovr' (a working set per class) or fewer "
                "features.")
        return partial(prox_newton_multinomial, l1=objective.l1,
                       l2=objective.l2)
    if solver == "newton" and 8 * (n_classes * k1) ** 2 > \
            NEWTON_HESSIAN_MAX_BYTES:
        raise ValueError(
            f"solver='newton' with the multinomial loss assembles the dense "
            f"({n_classes} x {k1})^2 Hessian, which would take "
            f"{8 * (n_classes * k1) ** 2 / 2**30:.1f} GiB (more than "
            f"{NEWTON_HESSIAN_MAX_BYTES // 2**20} MiB); use solver='auto' or "
            "'lbfgs' (L-BFGS, no Hessian), or multi_class='ovr'.")
    if solver == "newton" or (
            solver == "auto"
            and n_classes * k1 <= AUTO_MULTINOMIAL_NEWTON_MAX_WIDTH):
        return partial(newton_multinomial, alpha=objective.l2)
    return partial(lbfgs_multinomial, alpha=objective.l2)


def problem_class_weights(class_weight, classes, totals, positive,
                          n_problems):
    """Per-class weight multipliers of one binary (sub-)problem (None for
    none), from the weighted class totals.

    A dict weighs each sample by its own label in every sub-problem.
    "balanced" is computed on the binary problem actually solved, so
    One-vs-Rest gets exactly what scikit-learn's
    ``OneVsRestClassifier(LogisticRegression(class_weight="balanced"))``
    gives each class.
    """
    if class_weight == "balanced" and n_problems > 1:
        rest = np.delete(totals, positive).sum()
        pair = np.array([rest, totals[positive]])
        weights = balanced_weights(pair)
        table = np.full(len(classes), weights[0])
        table[positive] = weights[1]
        return table
    return class_weight_table(class_weight, classes, totals)


# ----------------------------------------------------------------------
# binary and One-vs-Rest
# ----------------------------------------------------------------------
def run_binary_solver(solver, kernels, objective, settings, coef0, label,
                      monitor, column_scale=None, precondition=False,
                      final_factor=True):
    """Run one binary problem's solver on its kernels (``column_scale``:
    L-BFGS's variable scales, :func:`clogit._scaling.column_scales`;
    ``precondition``: L-BFGS on the variables of a row-sample Hessian,
    :func:`lbfgs_preconditioned`; ``final_factor``: Newton's, see
    :func:`clogit._solvers.newton.newton_binary`)."""
    common = dict(tol=settings.tol, max_iter=settings.max_iter, coef0=coef0,
                  verbose=settings.verbose, label=label)
    if solver == "firth":
        return firth_binary(FirthPasses(kernels), **common)
    if solver == "newton":
        return newton_binary(kernels, alpha=objective.l2, monitor=monitor,
                             final_factor=final_factor, **common)
    if solver == "newton_cg":
        return newton_cg_binary(kernels, alpha=objective.l2, monitor=monitor,
                                **common)
    if solver == "lbfgs":
        return lbfgs_binary(kernels, alpha=objective.l2, monitor=monitor,
                            x_scale=column_scale, precondition=precondition,
                            **common)
    if solver == "prox_newton":
        return prox_newton_binary(kernels, l1=objective.l1, l2=objective.l2,
                                  **common)
    return gradient_descent(kernels, l1=objective.l1, l2=objective.l2,
                            monitor=monitor, **common)


def summary_solver_name(solver, result):
    """The solver as summaries name it: the option's name, with the
    variant that ran ("lbfgs (preconditioned)", "lbfgs (preconditioned),
    then newton")."""
    variant = result.solver.partition("(preconditioned")[2]
    if solver != "lbfgs" or not variant:
        return solver
    return "lbfgs (preconditioned" + variant.replace("Newton", "newton")


def _ovr_together(data, settings, problems):
    """Whether One-vs-Rest's problems are fitted together
    (``_solvers.lbfgs.lbfgs_ovr``, one read of X per evaluation for all
    classes): three or more classes sharing the sample weights and the
    objective (no ``class_weight="balanced"``, no weights rescaled), on
    data in memory.  Measured here (bench/multiclass.py's task, 100,000 x
    100, K = 10, l2, tol 1e-8, 2 cores, loaded): 2.1-2.5 s class by class
    (10 iterations each), 1.2-1.4 s together (14 joint iterations, an
    evaluation 49 ms against 12-16 ms for one class's); since 2026-12-02
    0.56-1.05 s on a machine as loaded (9 joint iterations, 12 passes,
    the per-class objective of inference from the last pass instead of
    one more pass per class; ``_solvers.lbfgs._OVR_FIRST_RUN``)."""
    if len(problems) < 2 or settings.class_weight == "balanced" or not \
            hasattr(data, "ovr"):
        return False
    _, _, table, sums, _, scaled, rescaled = problems[0]
    return not rescaled and all(
        other[5] == scaled and other[3][0] == sums[0] and not other[6]
        and (other[2] is None if table is None
             else np.array_equal(other[2], table))
        for other in problems[1:])


def lbfgs_preconditioned(data, solver):
    """Whether L-BFGS runs preconditioned by a row-sample Hessian
    (``_solvers.lbfgs``): for dense in-memory X up to
    ``AUTO_NEWTON_MAX_FEATURES`` features, where that Hessian (a dsyrk of
    ``128 (p+1)`` rows and a ``(p+1)^3/3`` Cholesky) costs about one
    gradient pass.  Sparse X and Dask collections run plain L-BFGS."""
    X = getattr(data, "X", None)
    return (solver == "lbfgs" and isinstance(X, np.ndarray)
            and X.shape[1] <= AUTO_NEWTON_MAX_FEATURES)


def _lbfgs_column_scale(data, solver, fit_intercept):
    """L-BFGS's variable scales for in-memory X with huge features (None
    otherwise: other solvers scale their own systems, and a Dask
    collection is not reduced here)."""
    X = getattr(data, "X", None)
    if solver != "lbfgs" or X is None:
        return None
    return column_scales(X, getattr(data, "log2_norm2", None), fit_intercept)


def fit_binary(data, settings, solver, coef0=None):
    """Fit the binary model (two classes) or One-vs-Rest (one binary problem
    per class, in ``settings.n_threads`` threads).

    Each class's arithmetic does not depend on the thread count, so any
    ``n_threads`` gives bit-identical coefficients.

    Parameters
    ----------
    data : FitData
    settings : Settings
    solver : str
        From :func:`binary_solver` (or a backend's own choice).
    coef0 : ndarray of shape (n_problems, n_coef), optional
        Warm start, the intercept last.

    Returns
    -------
    FittedModel
    """
    classes, totals = data.classes, data.totals
    objective = settings.objective
    n_classes = len(classes)
    n_problems = 1 if n_classes == 2 else n_classes
    fit_intercept = settings.fit_intercept
    # unpenalized fits, by any solver, are watched for separation
    # (Firth's estimates are finite on separated data: not watched)
    watch = not (objective.l1 or objective.l2 or objective.firth)
    problems = []
    for k in range(n_problems):
        positive = k + 1 if n_problems == 1 else k
        label = ("" if n_problems == 1
                 else f"[class {classes.tolist()[k]!r}] ")
        table = problem_class_weights(settings.class_weight, classes, totals,
                                      positive, n_problems)
        # sum(s_k) and sum(s_k * y_k) from the class totals; weights and
        # objective rescaled where a sum could overflow (clogit._scaling)
        table, sums, scaled, rescaled = scale_problem(
            objective, table, totals, positive,
            weight_shift=getattr(data, "weight_shift", 0),
            log2_norm2=getattr(data, "log2_norm2", None))
        problems.append((label, positive, table, sums,
                         None if coef0 is None else coef0[k],
                         Objective(*scaled), rescaled))
    column_scale = _lbfgs_column_scale(data, solver, fit_intercept)
    precondition = lbfgs_preconditioned(data, solver)

    def solve(problem):
        label, positive, table, sums, start, scaled, rescaled = problem
        kernels = data.binomial(positive, table, scaled.C, fit_intercept,
                                sums)
        monitor = (SeparationMonitor(data.margins(kernels), kernels,
                                     SOLVER_NAMES.get(solver, solver),
                                     probe=_newton_probe(kernels, solver))
                   if watch else None)
        # Newton may leave the Hessian to inference on l2 fits when
        # inference can remake the kernels later and needs no other pass
        # now (a robust covariance's meat would then be summed with it).
        # The maximum-likelihood fit (penalty None), whose point is
        # usually its inference, ends with the factor: its covariance is
        # then there at once, also for a model saved or pickled before
        # anyone asked (saving never reads the training data).
        result = run_binary_solver(
            solver, kernels, scaled, settings, start, label, monitor,
            column_scale, precondition,
            final_factor=not (getattr(data, "retains_data", False)
                              and settings.cov_type == "nonrobust"
                              and settings.penalty == "l2"))
        return finish(problem, kernels, result, monitor)

    def finish(problem, kernels, result, monitor=None):
        label, positive, table, sums, start, scaled, rescaled = problem
        separated = monitor is not None and monitor.finish(result)
        source = (partial(data.binomial, positive, table, scaled.C,
                          fit_intercept, sums)
                  if getattr(data, "retains_data", False) else None)
        inference = binary_fit(kernels, result, alpha=scaled.l2,
                               penalty=settings.penalty, separated=separated,
                               solver=summary_solver_name(solver, result),
                               cov_type=settings.cov_type,
                               clusters=settings.clusters, source=source)
        if rescaled:
            inference.unavailable = _RESCALED_WEIGHTS
        if scaled.C != objective.C:
            inference.given_C = float(objective.C)
        return result, (monitor if separated else None), inference

    if precondition and not watch and _ovr_together(data, settings,
                                                    problems):
        _, _, table, _, _, scaled, _ = problems[0]
        class_kernels = [data.binomial(positive, table, scaled.C,
                                       fit_intercept, sums)
                         for _, positive, _, sums, *_ in problems]
        results = lbfgs_ovr(
            data.ovr(table, scaled.C, fit_intercept), class_kernels,
            alpha=scaled.l2, tol=settings.tol, max_iter=settings.max_iter,
            coef0=coef0, verbose=settings.verbose)
        outcomes = [finish(*args) for args in zip(problems, class_kernels,
                                                  results)]
    else:
        outcomes = data.map(solve, problems,
                            min(settings.n_threads, n_problems))

    n_coef = data.n_features + (1 if fit_intercept else 0)
    coefs = np.empty((n_problems, n_coef))
    n_iter = np.empty(n_problems, dtype=np.int32)
    converged = True
    inference_fits = []
    for k, ((label, *_), (result, separation, inference)) in enumerate(
            zip(problems, outcomes)):
        # warnings here, in the caller's thread and in class order,
        # whatever thread did the work
        if separation is not None:
            separation.warn(settings.feature_names, label, stacklevel=4)
        warn_not_converged(result, settings.max_iter, label, stacklevel=4)
        inference_fits.append(inference)
        coefs[k] = result.coef
        n_iter[k] = result.n_iter
        converged = converged and result.converged
    return FittedModel(classes=classes, coef=coefs,
                       n_features=data.n_features,
                       fit_intercept=fit_intercept, n_iter=n_iter,
                       converged=converged, multinomial=False,
                       inference_fits=inference_fits)


def _newton_probe(kernels, solver):
    """The separation monitor's probe for a solver whose steps are not
    Newton's (``_solvers.separation.SeparationMonitor``): up to
    ``PROBE_STEPS`` Newton steps from a point, at ``tol=0`` so that they
    are taken however small the gradient already is; None for Newton
    itself and where "auto" would not run Newton either (wider than
    ``AUTO_NEWTON_MAX_FEATURES``, sparse X wider than
    ``AUTO_SPARSE_NEWTON_MAX_FEATURES``: a Newton step there costs more
    than the fit; the monitor then falls back on the linear program)."""
    limit = (AUTO_SPARSE_NEWTON_MAX_FEATURES
             if getattr(kernels, "sparse", False) else AUTO_NEWTON_MAX_FEATURES)
    if solver == "newton" or kernels.n_features > limit:
        return None

    def probe(coef, monitor):
        newton_binary(kernels, alpha=0.0, tol=0.0, max_iter=PROBE_STEPS,
                      coef0=coef, monitor=monitor)
    return probe


def restore_columns(fitted, columns, n_features):
    """A model fitted on ``columns`` of X as a model of all ``n_features``
    (zero coefficients elsewhere).  The Hessians and meats of inference get
    zero rows and columns there, so the Wald covariance is undefined (NaN),
    as it is for a zero column; the degrees of freedom stay those of the
    coefficients fitted (the rank, as statsmodels counts them)."""
    n_rows, n_coef = fitted.coef.shape
    index = np.asarray(columns)
    if fitted.fit_intercept:
        index = np.append(index, n_features)
    width = n_features + (n_coef - len(columns))
    coef = np.zeros((n_rows, width))
    coef[:, index] = fitted.coef
    inference_fits = [_restored_fit(fit, index, width)
                      for fit in fitted.inference_fits]
    return replace(fitted, coef=coef, n_features=n_features,
                   inference_fits=inference_fits)


def _restored_fit(fit, index, width):
    """``fit`` (a BinaryFit or MultinomialFit on the kept columns ``index``)
    with its coefficients, Hessian and meat widened to ``width`` per
    equation.  The Hessian is assembled now if the solver left none: the
    data the fit could reread hold only the kept columns, so the widened
    fit keeps no reference to them."""
    full = np.zeros(fit.coef.shape[:-1] + (width,))
    full[..., index] = fit.coef
    changes = dict(coef=full, source=None, _cov=None, _n_params=None)
    if fit.unavailable is None:
        n_params = fit.n_params  # of the fitted model; computes the Hessian
        factor = getattr(fit, "factor", None)
        hessian = fit.hessian
        if factor is not None:
            lower = np.tril(factor)
            hessian = lower @ lower.T
        # a multinomial fit's matrices are class-major, k1 entries a class
        n_blocks = fit.coef.shape[0] if fit.coef.ndim == 2 else 1
        flat = np.concatenate([k * width + index for k in range(n_blocks)])

        def widen(matrix):
            if matrix is None:
                return None
            out = np.zeros((full.size, full.size), order="F")
            out[np.ix_(flat, flat)] = matrix
            return out

        changes.update(hessian=widen(hessian), meat=widen(fit.meat))
        if factor is not None:
            changes["factor"] = None
        if hasattr(fit, "_inverse"):
            changes["_inverse"] = None
    restored = replace(fit, **changes)
    if fit.unavailable is None:
        restored.covariance  # NaN: the widened Hessian is singular
        restored._n_params = n_params
    return restored


# ----------------------------------------------------------------------
# multinomial
# ----------------------------------------------------------------------
def fit_multinomial(data, settings, solve, coef0=None):
    """Fit the softmax model with ``solve`` (from :func:`multinomial_solver`).

    Returns
    -------
    FittedModel
        One row of coefficients per class (symmetric convention), and one
        inference fit (``_inference.multinomial.MultinomialFit``).
    """
    classes, totals = data.classes, data.totals
    objective = settings.objective
    table = class_weight_table(settings.class_weight, classes, totals)
    table, _, scaled, rescaled = scale_problem(
        objective, table, totals,
        weight_shift=getattr(data, "weight_shift", 0),
        log2_norm2=getattr(data, "log2_norm2", None))
    # the weighted class totals, class weights applied: the solver's
    # starting point needs no pass
    counts = totals if table is None else totals * table
    sums = (float(counts.sum()), counts)
    kernels = data.softmax(table, scaled.C, settings.fit_intercept,
                           sums=sums)
    extra = {}
    if tuple(scaled) != tuple(objective):  # the solver's bound penalty too
        keywords = getattr(solve, "keywords", {})
        extra = {name: value for name, value in (
            ("alpha", scaled.l2), ("l1", scaled.l1), ("l2", scaled.l2))
            if name in keywords}
    if getattr(solve, "func", solve) is lbfgs_multinomial:
        column_scale = _lbfgs_column_scale(data, "lbfgs",
                                           settings.fit_intercept)
        if column_scale is not None:
            extra["column_scale"] = column_scale
        extra["precondition"] = lbfgs_preconditioned(data, "lbfgs")
    monitor = None
    if not (objective.l1 or objective.l2) and hasattr(data,
                                                      "softmax_margins"):
        # unpenalized: watched for separation, as binary fits
        monitor = SeparationMonitor(data.softmax_margins(kernels), kernels,
                                    _multinomial_name(solve))
        extra["monitor"] = monitor
    result = solve(kernels, tol=settings.tol, max_iter=settings.max_iter,
                   coef0=coef0, verbose=settings.verbose, **extra)
    separated = monitor is not None and monitor.finish(result)
    if separated:
        monitor.warn(settings.feature_names, stacklevel=4)
    warn_not_converged(result, settings.max_iter, stacklevel=4)
    source = (partial(data.softmax, table, scaled.C,
                      settings.fit_intercept, sums)
              if getattr(data, "retains_data", False) else None)
    # "newton_multinomial" -> "newton", "prox_newton_multinomial" -> ...
    solver = getattr(solve, "func", solve).__name__.replace(
        "_multinomial", "")
    inference = multinomial_fit(kernels, result, alpha=scaled.l2,
                                penalty=settings.penalty, solver=solver,
                                separated=separated,
                                cov_type=settings.cov_type,
                                clusters=settings.clusters, source=source)
    if rescaled:
        inference.unavailable = _RESCALED_WEIGHTS
    if scaled.C != objective.C:
        inference.given_C = float(objective.C)
    return FittedModel(classes=classes, coef=result.coef,
                       n_features=data.n_features,
                       fit_intercept=settings.fit_intercept,
                       n_iter=np.array([result.n_iter], dtype=np.int32),
                       converged=bool(result.converged), multinomial=True,
                       inference_fits=[inference])


def _multinomial_name(solve):
    """How warnings name a solver of :func:`multinomial_solver`."""
    function = getattr(solve, "func", solve)
    return {newton_multinomial: "multinomial Newton",
            lbfgs_multinomial: "multinomial L-BFGS"}.get(
                function, "multinomial solver")
