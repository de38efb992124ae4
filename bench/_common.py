"""Shared pieces of the benchmarks: data, objective, timing, BLAS floor.

Imported by ``bench/run.py`` as a plain module (``bench/`` is on
``sys.path`` when a script in it runs), so ``bench/`` needs no
``__init__.py``.  Nothing here imports clogit: the runner does, so that a
missing or unbuilt clogit gets one clear message.
"""

from dataclasses import dataclass, field
import statistics
import time
import warnings

import numpy as np
from scipy.linalg.blas import dsyrk


@dataclass(frozen=True)
class Problem:
    """One binary classification problem (synthetic unless named).

    Attributes
    ----------
    X : ndarray of shape (n_samples, n_features), float64, C order
        Standardized features (every column has mean 0 and variance 1).
    y : ndarray of shape (n_samples,), float64
        Labels in {0, 1}.
    coef_true, intercept_true
        The logistic model the labels were drawn from (None and NaN for a
        real data set).
    name : str
        The label of a real data set ("" for synthetic data, labelled by
        its shape).
    """

    X: np.ndarray
    y: np.ndarray
    coef_true: np.ndarray
    intercept_true: float
    name: str = ""

    @property
    def shape(self):
        return self.X.shape

    @property
    def label(self):
        if self.name:
            return self.name
        n, p = self.X.shape
        return f"{n:,}x{p}"


def make_problem(n_samples, n_features, seed=0, intercept=0.5):
    """Draw a dense, standardized, non-separable logistic problem.

    Features are i.i.d. standard normal, then standardized column by column
    (mean 0, variance 1, float64, C order).  The true coefficients are
    ``N(0, 1) / sqrt(n_features)``, so the linear predictor has unit variance
    whatever the width and the classes overlap (the problem is not
    separable); labels are Bernoulli draws from ``sigmoid(X w + intercept)``.

    Parameters
    ----------
    n_samples, n_features : int
        Shape of X.
    seed : int, default=0
        Seed of the ``numpy.random.default_rng`` generator; the same seed
        gives the same problem.
    intercept : float, default=0.5
        True intercept (makes the classes slightly unbalanced).

    Returns
    -------
    Problem
    """
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, n_features))
    X -= X.mean(axis=0)
    X /= X.std(axis=0)
    X = np.ascontiguousarray(X, dtype=np.float64)
    coef = rng.standard_normal(n_features) / np.sqrt(n_features)
    z = X @ coef + intercept
    y = (rng.random(n_samples) < 1.0 / (1.0 + np.exp(-z))).astype(np.float64)
    return Problem(X=X, y=y, coef_true=coef, intercept_true=float(intercept))


def breast_cancer_problem():
    """scikit-learn's breast_cancer (569 x 30), standardized, float64 C
    order: the small-data latency task."""
    from sklearn.datasets import load_breast_cancer

    X, y = load_breast_cancer(return_X_y=True)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    return Problem(X=np.ascontiguousarray(X, dtype=np.float64),
                   y=y.astype(np.float64), coef_true=None,
                   intercept_true=float("nan"), name="breast_cancer")


def objective(problem, coef, intercept, C=1.0, penalized=True):
    """Objective every solver minimizes, in scikit-learn's convention.

    ``f = C * sum_i loss_i + |coef|^2 / 2`` (the last term only when
    ``penalized``), with the stable log-loss
    ``loss_i = log(1 + exp(z_i)) - y_i * z_i``, ``z = X coef + intercept``;
    the intercept is never penalized.

    Returns
    -------
    float
    """
    coef = np.asarray(coef, dtype=np.float64).ravel()
    z = problem.X @ coef + float(intercept)
    f = C * float(np.sum(np.logaddexp(0.0, z) - problem.y * z))
    if penalized:
        f += 0.5 * float(coef @ coef)
    return f


def dsyrk_gram(X):
    """Return a callable that computes ``Xᵀ X`` with one ``dsyrk`` call.

    BLAS is column-major: the C-ordered n×p array X *is* the column-major
    p×n matrix ``X.T``, so ``dsyrk(1.0, X.T, trans=0)`` (``A Aᵀ`` with
    ``A = X.T``) computes ``Xᵀ X`` reading X in place.  The seemingly
    natural ``dsyrk(1.0, X, trans=1)`` gives the same matrix but makes
    scipy's f2py wrapper copy X to Fortran order first (measured here on
    200,000×200: about 0.40 s against 0.18 s), which is not what a Newton
    iteration has to pay.  Only the upper triangle is computed.

    Parameters
    ----------
    X : ndarray of shape (n, p), C-contiguous float64

    Returns
    -------
    callable
        ``gram()``, one dsyrk of ``Xᵀ X``; returns None.
    """
    if not X.flags.c_contiguous:
        raise ValueError("dsyrk_gram expects a C-contiguous X")
    A = X.T  # F-contiguous view of X, no copy

    def gram():
        dsyrk(1.0, A, trans=0)

    return gram


def time_dsyrk(X, repeats):
    """Times of ``repeats`` calls of :func:`dsyrk_gram` after a warm-up.

    Returns
    -------
    list of float
        Seconds of each call.
    """
    gram = dsyrk_gram(X)
    gram()  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        gram()
        times.append(time.perf_counter() - t0)
    return times


def check_dsyrk_orientation():
    """Confirm on a small array that ``dsyrk(1, X.T, trans=0)`` is ``XᵀX``.

    Raises ``AssertionError`` otherwise (a correctness check of the
    benchmark's floor, not a timing assertion).
    """
    X = np.random.default_rng(1).standard_normal((50, 7))
    G = dsyrk(1.0, X.T, trans=0)
    assert G.shape == (7, 7)
    assert np.allclose(np.triu(G), np.triu(X.T @ X))


@dataclass
class FitOutput:
    """What a solver's fit returns to the runner.

    Attributes
    ----------
    coef : ndarray of shape (n_features,)
    intercept : float
    n_iter : int or None
        Iterations the solver reports (None if it reports none).
    converged : bool or None
        Whether the solver says it converged (None if unknown).
    """

    coef: np.ndarray
    intercept: float
    n_iter: object = None
    converged: object = None


@dataclass
class Timing:
    """Timed runs of one solver on one problem.

    Attributes
    ----------
    times : list of float
        Seconds of each timed fit.
    output : FitOutput
        Output of the last fit (fits are deterministic).
    warnings : list of str
        Distinct warning categories raised during the fits.
    """

    times: list
    output: FitOutput
    warnings: list = field(default_factory=list)

    @property
    def median(self):
        return statistics.median(self.times)


def time_round_robin(fits, repeats, budget, deadline=None):
    """Time several calls on the same problem, interleaving their runs.

    Round ``r`` runs every entry once, in order, so that the slow phases of
    a shared, noisy machine hit all solvers alike instead of whichever ran
    during them.  Each entry runs at least once and at most ``repeats``
    times; it gets no further run once its timed runs add up to more than
    ``budget`` seconds, or once ``time.perf_counter()`` has passed
    ``deadline`` (slow solvers get fewer runs; the table says how many).
    Warnings raised by a call are recorded, not printed.

    Parameters
    ----------
    fits : dict of str to callable
        ``name -> fit``; ``fit()`` returns a :class:`FitOutput` (or anything
        else for entries that are not solvers, e.g. the dsyrk floor).  Data
        preparation happens before, outside the timing.
    repeats : int
        Most timed runs per entry.
    budget : float
        Seconds of timed runs after which an entry is not run again.
    deadline : float, optional
        ``time.perf_counter()`` value after which no entry runs again
        (each still runs once).

    Returns
    -------
    dict of str to Timing
    """
    times = {name: [] for name in fits}
    outputs = {}
    seen = {name: [] for name in fits}
    for _ in range(repeats):
        for name, fit in fits.items():
            if times[name] and (
                sum(times[name]) > budget
                or (deadline is not None and time.perf_counter() > deadline)
            ):
                continue
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                t0 = time.perf_counter()
                outputs[name] = fit()
                times[name].append(time.perf_counter() - t0)
            for w in caught:
                if w.category.__name__ not in seen[name]:
                    seen[name].append(w.category.__name__)
    return {
        name: Timing(times=times[name], output=outputs[name],
                     warnings=seen[name])
        for name in fits
    }


def format_table(rows, columns):
    """Render ``rows`` (list of dicts) as an aligned plain-text table.

    Parameters
    ----------
    rows : list of dict
        Values are already-formatted strings.
    columns : list of (key, header, align)
        ``align`` is ``"<"`` or ``">"``.

    Returns
    -------
    str
    """
    widths = {
        key: max([len(header)] + [len(r[key]) for r in rows])
        for key, header, _ in columns
    }
    lines = [
        "  ".join(f"{header:{align}{widths[key]}}"
                  for key, header, align in columns).rstrip(),
        "  ".join("-" * widths[key] for key, _, _ in columns),
    ]
    for r in rows:
        lines.append("  ".join(f"{r[key]:{align}{widths[key]}}"
                               for key, _, align in columns).rstrip())
    return "\n".join(lines)


def compare_solvers(title, fits, X, y, objective_of, runs, warm_rows=2000):
    """Time ``fit(X, y) -> (coef, intercept)`` for each entry of ``fits``
    and print a table under ``title``: median seconds of ``runs`` runs
    (after one untimed run on the first ``warm_rows`` rows: imports, thread
    pools), the ratio to the first entry's time, the nonzero coefficients
    and the relative gap of ``objective_of(coef, intercept)`` to the best
    one found."""
    rows = []
    for name, fit in fits.items():
        fit(X[:warm_rows], y[:warm_rows])
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            coef, intercept = fit(X, y)
            times.append(time.perf_counter() - start)
        rows.append((name, statistics.median(times),
                     objective_of(coef, intercept),
                     int(np.count_nonzero(coef))))
    best = min(row[2] for row in rows)
    first = rows[0][1]
    print(f"\n{title}")
    print(format_table(
        [{"solver": name, "seconds": f"{seconds:.3f}",
          "ratio": f"{seconds / first:.1f}x", "nnz": str(nnz),
          "gap": f"{(value - best) / abs(best):.1e}"}
         for name, seconds, value, nnz in rows],
        [("solver", "solver", "<"), ("seconds", "median s", ">"),
         ("ratio", "time ratio", ">"), ("nnz", "nonzeros", ">"),
         ("gap", "rel. gap", ">")]))
