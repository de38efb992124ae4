"""Dask benchmark: clogit.dask against dask-ml and in-memory clogit.

Task (issue 8): a dask array of n = 1,000,000 x p = 100 standard-normal
features in 10 row chunks, labels drawn from a logistic model, on a
``dask.distributed.LocalCluster`` of 2 worker processes with one thread
each.  Every fit sees the same persisted data; in-memory clogit gets the
same data as a numpy array in the client process (2 threads).

Objectives.  dask-ml (through dask-glm) minimizes, for ``penalty="l2"``,
``sum_i logloss_i + (1 / C) * |beta|^2 / 2`` with ``beta`` *including* the
intercept -- C times it is clogit's ``C * sum_i logloss_i + |w|^2 / 2``,
except that clogit never penalizes its intercept.  So every library fits
X with a column of ones appended and ``fit_intercept=False`` (the ones
column's coefficient is penalized by all of them, one objective).  dask-ml
also standardizes the columns before solving unless told not to (a
different penalty in the original scale), hence
``solver_kwargs={"normalize": False}``.  dask-ml's "newton" solver ignores
the penalty, so it runs in the unpenalized problem only.  Each fit's
objective is then computed with plain numpy in clogit's convention,
``C * sum_i logloss_i (+ |beta|^2 / 2)``, and every row prints its relative
gap to the best objective of its problem.

Timings: each solver is warmed up once on a slice (imports on the
workers), then timed ``--runs`` times, the runs interleaved round-robin over
the solvers; the median is reported.

Tolerances: clogit ``tol=1e-8`` on the gradient scaled by ``1 / (C n)``
(Newton then sits at the optimum to ~1e-15 relative, L-BFGS to ~1e-15);
dask-ml
``tol=1e-8`` (lbfgs: projected-gradient tolerance on the unscaled
gradient; newton: largest coefficient change), ``max_iter=500``.

Where clogit.dask Newton's time goes (measured 2026-12-02, this task, a
loaded 2-core machine): 6 iterations, 6 passes over the chunks (the
speculative full step: one pass per iteration, no line-search pass), the
first 3 with Hessians from every 61st row, the last 3 exact (the switch
at half the Newton decrement per unit weight below 1e-3, and the last
factor is inference's).  Worker CPU of one pass (5 chunks of 100,000 x
101 per worker): gradient and scores 214 ms, with the sampled Hessian
252 ms, with the exact one 570 ms; a no-op reduction's round trip
40-60 ms.  clogit.dask newton took 1.0-1.4x in-memory Newton's time on
the same data in the same runs: what is left is the arithmetic of three
exact 1,000,000 x 101 dsyrk, not the scheduler.  Tried: larger row
blocks for the exact pass (rows 324 (default) / 1024 / 2048 / 4096 per
block: 56.7 / 57.0 / 56.6 / 67.1 ms per chunk, no gain); more sampled
iterations before the exact ones (_solvers.newton._EXACT_DECREMENT 1e-8:
5 sampled + 2 exact passes, 1e-11: 7 + 2; 11 and 13 gradient-pass
equivalents against 12, no gain).

Since (same day): the dask kernels' ``reuse_factor`` (see
``_solvers.newton``): the first exact factor serves one more step (a chord
step, its pass the gradient only), so the passes are sampled x 3, exact,
gradient only, exact (max|grad| of the last three iterates 1.2e-4,
1.2e-7, 1.9e-10 instead of 1.2e-4, 1.2e-7, 8.8e-14); worker time per pass
from the task stream ~155 ms sampled, ~540 exact, ~150 gradient only.
The same process, the attribute toggled, fits alternated (medians of 4
rounds, loaded machine, two sessions): newton l2 2.67 -> 2.37 s and
2.64 -> 2.24 s, none 3.09 -> 2.76 s and 3.15 -> 2.68 s.  This
script, the old tree and the new alternated (--runs 3, load swinging
between runs): l2 newton / dask-ml lbfgs 2.14 / 5.49 and 1.46 / 2.31
(old) against 1.74 / 4.03 and 1.89 / 3.91 (new), ratios 0.39 / 0.63 ->
0.43 / 0.48; newton / clogit.dask lbfgs in the same run 1.11 / 1.27 ->
1.04 / 1.03.  Tried and rejected: float32 products for the exact
Hessian before the last, in the chunk function (scaling and casting
4,096-row blocks with numpy, scipy's ssyrk, summed in float64): one
100,000 x 101 chunk, one core, 45 ms against the float64 pass's 47
(ssyrk 23 ms against dsyrk 36 for the products, Haswell kernels on this
AMD EPYC; the scaling and cast 9 ms), entries within 5e-8 relative.
Also tried and rejected: the Hessian before the first exact one from a
denser row sample (every 3rd row, the sample's stride / 16) instead of
all rows, then chord steps on its factor while the gradient's last
ratio did not predict the next iterate to pass the test (sampled x 3,
every 3rd row, gradient only x 2, exact; 7 iterations, max|grad| 1.2e-4,
1.7e-6, 3.2e-8, 6.7e-10: contraction 0.014-0.02 against 0.06 at every
61st row); in the same process alternated with the chord step alone
(3 rounds, load swinging): l2 2.07 / 3.22 / 1.09 s against 2.11 / 3.00 /
1.06, no gain measurable for a 7th iteration and a second schedule
(every 7th row: 8 iterations, slower).

Run from the repository root (PYTHONPATH=src for an uninstalled clogit)::

    python bench/dask.py            # medians of 5 runs
    python bench/dask.py --quick    # 1 run each
"""

import argparse
import os
import statistics
import sys
import time
import warnings

import numpy as np

# This script is bench/dask.py, and Python puts its folder first on
# sys.path: drop it, so that "import dask" finds the library, not this file.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [entry for entry in sys.path
               if os.path.abspath(entry or os.curdir) != _HERE]


def make_data(n, p, n_chunks, seed=0):
    """Persisted dask arrays X (n x (p + 1), the last column ones) and y,
    generated on the workers."""
    import dask
    import dask.array as da

    rows = n // n_chunks
    rng = da.random.default_rng(seed)
    features = rng.standard_normal((n, p), chunks=(rows, p))
    ones = da.ones((n, 1), chunks=(rows, 1))
    X = da.concatenate([features, ones], axis=1).rechunk((rows, -1))
    beta = np.random.default_rng(seed).standard_normal(p + 1) / np.sqrt(p)
    beta[-1] = 0.5
    probability = 1.0 / (1.0 + da.exp(-(X @ beta)))
    y = (rng.random(n, chunks=rows) < probability).astype(np.float64)
    X, y = dask.persist(X, y)
    dask.distributed.wait([X, y])
    return X, y


def objective(X, y, beta, C, penalized):
    """clogit's convention: ``C * sum logloss (+ |beta|^2 / 2)``."""
    z = X @ beta
    value = C * float(np.sum(np.logaddexp(0.0, z) - y * z))
    if penalized:
        value += 0.5 * float(beta @ beta)
    return value


def solvers(C, penalized):
    """name -> fit(X_dask, y_dask, X_numpy, y_numpy) returning beta."""
    penalty = "l2" if penalized else None

    def clogit(solver, distributed):
        def fit(Xd, yd, X, y):
            if distributed:
                from clogit.dask import LogisticRegression
            else:
                from clogit import LogisticRegression
            clf = LogisticRegression(penalty=penalty, C=C, solver=solver,
                                     fit_intercept=False, tol=1e-8)
            clf.fit(Xd if distributed else X, yd if distributed else y)
            return clf.coef_[0], int(clf.n_iter_[0])
        return fit

    def dask_ml(solver):
        def fit(Xd, yd, X, y):
            from dask_ml.linear_model import LogisticRegression
            clf = LogisticRegression(
                solver=solver, penalty=penalty, C=C, fit_intercept=False,
                tol=1e-8, max_iter=500, solver_kwargs={"normalize": False})
            with warnings.catch_warnings():
                # dask-glm sets a deprecated dask config key
                warnings.simplefilter("ignore", FutureWarning)
                clf.fit(Xd, yd)
            return np.asarray(clf.coef_), None
        return fit

    rows = {"clogit.dask newton": clogit("newton", True),
            "clogit.dask lbfgs": clogit("lbfgs", True),
            "clogit in-memory newton": clogit("newton", False),
            "clogit in-memory lbfgs": clogit("lbfgs", False),
            "dask-ml lbfgs": dask_ml("lbfgs")}
    if not penalized:
        rows["dask-ml newton"] = dask_ml("newton")
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="one run per solver")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--p", type=int, default=100)
    parser.add_argument("--chunks", type=int, default=10)
    args = parser.parse_args()
    runs = 1 if args.quick else args.runs

    import dask
    import dask.distributed
    import dask_ml

    import clogit

    C = 1.0
    with dask.distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True,
            host="127.0.0.1", dashboard_address="127.0.0.1:0") as cluster, \
            dask.distributed.Client(cluster):
        Xd, yd = make_data(args.n, args.p, args.chunks)
        X, y = dask.compute(Xd, yd)
        print(f"clogit {clogit.__version__}, dask {dask.__version__}, "
              f"dask-ml {dask_ml.__version__}")
        print(f"X: {args.n:,} x {args.p} (+ a column of ones), float64, "
              f"{args.chunks} row chunks of {Xd.chunks[0][0]:,}; "
              f"LocalCluster: 2 worker processes x 1 thread; "
              f"median of {runs} run(s)")
        cases = [(penalized, f"l2, C={C:g}" if penalized else "none",
                  name, fit)
                 for penalized in (True, False)
                 for name, fit in solvers(C, penalized).items()]
        for _, _, _, fit in cases:
            # untimed warm-up on a slice: the workers import the libraries'
            # modules (seconds for clogit's and dask-ml's scikit-learn /
            # scipy imports) once, outside the timing
            fit(Xd[:20_000], yd[:20_000], X[:20_000], y[:20_000])
        # Runs interleaved round-robin: on a shared machine a burst of
        # someone else's load then hits every solver alike.
        times = {(name, problem): [] for _, problem, name, _ in cases}
        fitted = {}
        for run in range(runs):
            for penalized, problem, name, fit in cases:
                start = time.perf_counter()
                fitted[name, problem] = fit(Xd, yd, X, y)
                times[name, problem].append(time.perf_counter() - start)
                print(f"  run {run + 1}  {problem:8s} {name:26s} "
                      f"{times[name, problem][-1]:8.2f} s", flush=True)
        results = []
        for penalized, problem, name, _ in cases:
            beta, n_iter = fitted[name, problem]
            results.append(dict(
                problem=problem, solver=name,
                seconds=statistics.median(times[name, problem]),
                n_iter=n_iter, objective=objective(X, y, beta, C, penalized)))

    print()
    header = (f"{'penalty':8s} {'solver':26s} {'median s':>9s} {'iter':>5s} "
              f"{'vs clogit.dask':>15s} {'objective':>22s} {'rel. gap':>9s}")
    print(header)
    print("-" * len(header))
    for problem in dict.fromkeys(r["problem"] for r in results):
        rows = [r for r in results if r["problem"] == problem]
        best = min(r["objective"] for r in rows)
        # the fastest clogit.dask solver at the same objective
        ours = min((r for r in rows if r["solver"].startswith("clogit.dask")
                    and (r["objective"] - best) / abs(best) <= 1e-10),
                   key=lambda r: r["seconds"])
        for r in rows:
            r["gap"] = (r["objective"] - best) / abs(best)
            ratio = r["seconds"] / ours["seconds"]
            n_iter = "" if r["n_iter"] is None else str(r["n_iter"])
            print(f"{problem:8s} {r['solver']:26s} {r['seconds']:9.2f} "
                  f"{n_iter:>5s} {ratio:14.2f}x {r['objective']:22.12f} "
                  f"{r['gap']:9.1e}")
        fastest = min((r for r in rows if r["solver"].startswith("dask-ml")),
                      key=lambda r: r["seconds"])
        print(f"{problem}: dask-ml's fastest ({fastest['solver']}, gap "
              f"{fastest['gap']:.1e}) takes "
              f"{fastest['seconds'] / ours['seconds']:.2f}x the time of "
              f"clogit.dask's fastest ({ours['solver']}).")
        for r in rows:
            if r["solver"].startswith("clogit.dask"):
                solver = r["solver"].split()[-1]
                memory = next(m for m in rows if m["solver"]
                              == f"clogit in-memory {solver}")
                print(f"{problem}: {r['solver']} takes "
                      f"{r['seconds'] / memory['seconds']:.2f}x in-memory "
                      f"clogit {solver}'s time.")
        print()


if __name__ == "__main__":
    main()
