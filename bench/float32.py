"""float32 against float64 X (issue 7): time and peak memory of the same fit.

Task: n = 200,000 dense N(0, 1) features, p = 200, labels from a logistic
model, l2 penalty with C = 1.  Each (dtype, solver) fit runs in its own
Python process, which draws X into an array of the dtype block by block (no
n x p float64 intermediate for float32; both dtypes get the same values,
rounded for float32, and the same labels), so that the process's peak
resident memory (``ru_maxrss``) belongs to that fit alone.  Reported per row:

* median wall time of the fits (the first run is also a warm-up);
* ``X``: the bytes of X itself;
* ``fit peak``: the most memory numpy (and Python) held *during* ``fit``
  on top of X and y, by ``tracemalloc`` (the kernels' own cache-sized
  C buffers are not traced; they are a few hundred kB);
* ``peak RSS``: the process's maximum resident set size above what it held
  after its imports, i.e. X plus everything the fit allocated.

A float32 fit keeps X as float32 from end to end (the kernels convert
cache-sized blocks to float64 and accumulate in float64), so it needs
about half the memory of a float64 fit: X dominates, and nothing of size
n x p is allocated by the fit.  The last column is the largest coefficient
difference between the float32 and float64 fits, against float32's machine
epsilon.

Run from the repository root::

    PYTHONPATH=src python bench/float32.py            # medians of 3 runs
    PYTHONPATH=src python bench/float32.py --quick    # 1 run each
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys

import numpy as np

N_SAMPLES = 200_000
N_FEATURES = 200
SOLVERS = ("auto", "lbfgs")


def _rss_kb():
    """Current resident set size of this process, in kB (Linux)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def child(dtype_name, solver, repeats):
    """Generate the task in ``dtype``, fit it, print a JSON record."""
    import time
    import tracemalloc

    import clogit

    dtype = np.dtype(dtype_name)
    baseline_kb = _rss_kb()
    # The same values for both dtypes (float32 X holds them rounded) and the
    # same labels, drawn in float64 blocks of 10,000 rows: no n x p float64
    # temporary for float32 X.
    rng = np.random.default_rng(0)
    w = rng.standard_normal(N_FEATURES) / np.sqrt(N_FEATURES)
    X = np.empty((N_SAMPLES, N_FEATURES), dtype=dtype)
    z = np.empty(N_SAMPLES)
    for start in range(0, N_SAMPLES, 10_000):
        block = rng.standard_normal((min(10_000, N_SAMPLES - start),
                                     N_FEATURES))
        X[start:start + block.shape[0]] = block
        z[start:start + block.shape[0]] = block @ w + 0.5
    y = (rng.random(N_SAMPLES) < 1.0 / (1.0 + np.exp(-z))).astype(np.int64)
    del z, block

    clf = clogit.LogisticRegression(C=1.0, solver=solver)
    times = []
    tracemalloc.start()
    for run in range(repeats):
        if run == 1:
            tracemalloc.stop()  # traced once; untraced runs are timed
        t = time.perf_counter()
        clf.fit(X, y)
        times.append(time.perf_counter() - t)
        if run == 0:
            fit_peak = tracemalloc.get_traced_memory()[1]
    if tracemalloc.is_tracing():
        tracemalloc.stop()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({
        "dtype": dtype_name, "solver": solver,
        "times": times[1:] if len(times) > 1 else times,
        "x_bytes": X.nbytes, "fit_peak": fit_peak,
        "rss_above_baseline": (peak_kb - baseline_kb) * 1024,
        "n_iter": int(clf.n_iter_[0]),
        "coef": np.append(clf.coef_.ravel(), clf.intercept_).tolist(),
    }))


def run_child(dtype_name, solver, repeats):
    env = dict(os.environ)
    out = subprocess.run(
        [sys.executable, __file__, "--child", dtype_name, solver,
         "--repeats", str(repeats)],
        check=True, capture_output=True, text=True, env=env)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--child", nargs=2, metavar=("DTYPE", "SOLVER"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    repeats = 1 if args.quick else args.repeats
    if args.child:
        # one warm-up (traced) run plus the timed ones
        child(*args.child, repeats + (0 if args.quick else 1))
        return 0

    mb = 2.0 ** 20
    print(f"Task: n = {N_SAMPLES:,}, p = {N_FEATURES}, dense, C = 1, "
          f"l2; median of {repeats} run(s), each (dtype, solver) in its own "
          "process")
    print(f"\n{'solver':8s} {'dtype':8s} {'median s':>9s} {'iter':>5s} "
          f"{'X MB':>8s} {'fit peak MB':>12s} {'peak RSS MB':>12s}")
    records = {}
    for solver in SOLVERS:
        for dtype_name in ("float64", "float32"):
            r = run_child(dtype_name, solver, repeats)
            records[solver, dtype_name] = r
            print(f"{solver:8s} {dtype_name:8s} "
                  f"{statistics.median(r['times']):9.3f} {r['n_iter']:5d} "
                  f"{r['x_bytes'] / mb:8.1f} {r['fit_peak'] / mb:12.2f} "
                  f"{r['rss_above_baseline'] / mb:12.1f}", flush=True)

    eps32 = float(np.finfo(np.float32).eps)
    print(f"\n{'solver':8s} {'time 32/64':>11s} {'peak RSS 32/64':>15s} "
          f"{'(X + fit peak) 32/64':>21s} {'max|coef32 - coef64|':>21s}")
    for solver in SOLVERS:
        a, b = records[solver, "float32"], records[solver, "float64"]
        time_ratio = (statistics.median(a["times"])
                      / statistics.median(b["times"]))
        rss_ratio = a["rss_above_baseline"] / b["rss_above_baseline"]
        traced_ratio = ((a["x_bytes"] + a["fit_peak"])
                        / (b["x_bytes"] + b["fit_peak"]))
        diff = float(np.max(np.abs(np.subtract(a["coef"], b["coef"]))))
        print(f"{solver:8s} {time_ratio:11.2f} {rss_ratio:15.2f} "
              f"{traced_ratio:21.3f} {diff:12.2e} "
              f"({diff / eps32:.2g} eps32)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
