"""``clogit bench [--quick]``: the quick benchmark, shipped with the package.

clogit against scikit-learn's ``LogisticRegression`` (its "lbfgs" and
"newton-cholesky" solvers) on generated dense data, for the l2 penalty
(C = 1) and for no penalty: for each solver the median wall time of a few
fits, its ratio to scikit-learn's fastest solver on the same problem, the
iterations it ran and its relative objective gap ``(f - f_ref) / |f_ref|``
to the best objective found (a clogit fit with ``tol=1e-12`` among the
candidates), which proves every solver reached the same optimum.  Runs are
interleaved round by round so that a noisy, shared machine hits all
solvers alike; only medians and ratios are reported.

This is the benchmark that works from an installed package.  The full
comparisons against every anchor (statsmodels, glum, skglm, dask-ml, the
dsyrk floor, ...) stay in the repository's ``bench/`` folder.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings

import numpy as np

SIZES = {"quick": [(20_000, 50), (100_000, 100)],
         "full": [(20_000, 50), (50_000, 100), (200_000, 200)]}
REPEATS = {"quick": 3, "full": 5}
C = 1.0
# Tolerances that reach a relative objective gap of about 1e-8 or better on
# these problems (bench/run.py measured them; the gap column shows it).
CLOGIT_TOL = 1e-8
SK_NEWTON_TOL = 1e-8
SK_LBFGS_TOL = 1e-10
REFERENCE_TOL = 1e-12


def make_problem(n_samples, n_features, seed=0):
    """Standardized N(0, 1) features; labels drawn from a logistic model
    with unit-variance linear predictor (overlapping classes, so the
    unpenalized optimum exists)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, n_features))
    X -= X.mean(axis=0)
    X /= X.std(axis=0)
    coef = rng.standard_normal(n_features) / np.sqrt(n_features)
    z = X @ coef + 0.5
    y = (rng.random(n_samples) < 1.0 / (1.0 + np.exp(-z))).astype(np.float64)
    return np.ascontiguousarray(X), y


def objective(X, y, coef, intercept, penalized):
    """``C * sum(logloss) (+ |coef|^2 / 2)``, scikit-learn's convention."""
    z = X @ coef + intercept
    value = C * float(np.sum(np.logaddexp(0.0, z) - y * z))
    if penalized:
        value += 0.5 * float(coef @ coef)
    return value


def solvers(penalty):
    """``{name: fit(X, y) -> (coef, intercept, n_iter)}`` for one penalty."""
    import clogit
    from sklearn.linear_model import LogisticRegression as SkLogistic

    def ours(solver, tol=CLOGIT_TOL):
        def fit(X, y):
            clf = clogit.LogisticRegression(penalty=penalty, C=C,
                                            solver=solver, tol=tol,
                                            max_iter=1000).fit(X, y)
            return clf.coef_[0], float(clf.intercept_[0]), int(
                clf.n_iter_[0])
        return fit

    def theirs(solver, tol, max_iter):
        # scikit-learn >= 1.8 spells "no penalty" as C=inf
        C_sk = C if penalty == "l2" else np.inf

        def fit(X, y):
            clf = SkLogistic(C=C_sk, solver=solver, tol=tol,
                             max_iter=max_iter).fit(X, y)
            return clf.coef_[0], float(clf.intercept_[0]), int(
                clf.n_iter_[0])
        return fit

    return {"clogit newton": ours("newton"),
            "clogit lbfgs": ours("lbfgs"),
            "sklearn lbfgs": theirs("lbfgs", SK_LBFGS_TOL, 10_000),
            "sklearn newton-cholesky": theirs("newton-cholesky",
                                              SK_NEWTON_TOL, 100)}


def run_problem(X, y, penalty, repeats):
    """Timed, interleaved runs of every solver; returns table rows."""
    fits = solvers(penalty)
    times = {name: [] for name in fits}
    outputs = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the table reports, not warnings
        for name, fit in fits.items():   # warm-up (imports, thread pools)
            fit(X[:2000], y[:2000])
        for _ in range(repeats):
            for name, fit in fits.items():
                start = time.perf_counter()
                outputs[name] = fit(X, y)
                times[name].append(time.perf_counter() - start)
        import clogit
        ref = clogit.LogisticRegression(penalty=penalty, C=C,
                                        tol=REFERENCE_TOL,
                                        max_iter=1000).fit(X, y)
    penalized = penalty == "l2"
    values = {name: objective(X, y, coef, b, penalized)
              for name, (coef, b, _) in outputs.items()}
    best = min(min(values.values()),
               objective(X, y, ref.coef_[0], float(ref.intercept_[0]),
                         penalized))
    sk_best = min(statistics.median(times[name]) for name in fits
                  if name.startswith("sklearn"))
    rows = []
    for name in fits:
        median = statistics.median(times[name])
        rows.append({"solver": name, "median": f"{median:.3f}",
                     "ratio": f"{median / sk_best:.2f}",
                     "iter": str(outputs[name][2]),
                     "gap": f"{(values[name] - best) / abs(best):.1e}"})
    return rows


def format_rows(rows):
    """An aligned plain-text table of the rows."""
    columns = [("problem", "problem", "<"), ("penalty", "penalty", "<"),
               ("solver", "solver", "<"), ("median", "median s", ">"),
               ("ratio", "/sk best", ">"), ("iter", "iter", ">"),
               ("gap", "obj gap", ">")]
    widths = {key: max([len(head)] + [len(r[key]) for r in rows])
              for key, head, _ in columns}
    lines = ["  ".join(f"{head:{align}{widths[key]}}"
                       for key, head, align in columns),
             "  ".join("-" * widths[key] for key, _, _ in columns)]
    lines += ["  ".join(f"{r[key]:{align}{widths[key]}}"
                        for key, _, align in columns) for r in rows]
    return "\n".join(line.rstrip() for line in lines)


def parse_sizes(text):
    """``"20000x50,100000x100"`` -> ``[(20000, 50), (100000, 100)]``."""
    sizes = []
    for part in text.split(","):
        try:
            n, p = (int(v) for v in part.lower().split("x"))
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"not a size NxP: {part!r}") from None
        if n < 2000 or p < 1:
            raise argparse.ArgumentTypeError(
                f"sizes need at least 2000 samples and 1 feature: {part!r}")
        sizes.append((n, p))
    return sizes


def run(quick=False, sizes=None, repeats=None, seed=0, out=None):
    """Run the benchmark and print its table to ``out`` (stdout); returns
    the rows."""
    import clogit
    import sklearn

    out = sys.stdout if out is None else out
    mode = "quick" if quick else "full"
    sizes = SIZES[mode] if sizes is None else sizes
    repeats = REPEATS[mode] if repeats is None else repeats
    from threadpoolctl import threadpool_limits  # scikit-learn's dependency

    print(f"clogit {clogit.__version__} against scikit-learn "
          f"{sklearn.__version__}; mode {mode}, {repeats} runs per solver, "
          f"C={C:g}; one BLAS thread for every library (on a shared or "
          "small machine more threads only add noise)", file=out,
          flush=True)
    start = time.perf_counter()
    rows = []
    with threadpool_limits(limits=1, user_api="blas"):
        for n, p in sizes:
            X, y = make_problem(n, p, seed)
            for penalty in ("l2", None):
                print(f"  {n:,}x{p}, penalty {penalty or 'none'} ...",
                      file=out, flush=True)
                for row in run_problem(X, y, penalty, repeats):
                    rows.append({"problem": f"{n:,}x{p}",
                                 "penalty": penalty or "none", **row})
    print("", file=out)
    print(format_rows(rows), file=out)
    print("\nmedian s: median wall time of the fits; /sk best: ratio to "
          "scikit-learn's fastest solver on the same problem; obj gap: "
          "(f - f_ref) / |f_ref|. The full comparisons against every anchor "
          "are in the repository's bench/ folder.", file=out)
    print(f"total wall time {time.perf_counter() - start:.1f} s", file=out)
    return rows
