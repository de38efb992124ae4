"""Where ``solver="auto"`` should switch from Newton to preconditioned
L-BFGS on dense data (``clogit._fitting.AUTO_LBFGS_MIN_ENTRIES``).

For each size and design, the two solvers auto chooses between are timed
alternately in one process (``time_round_robin``), on the same X:

* ``penalty="l2"``, C = 1, the default tol=1e-4: ``solver="newton"``
  against ``solver="lbfgs"`` (dense X of at most
  ``AUTO_NEWTON_MAX_FEATURES`` features: preconditioned by a row-sample
  Hessian, ``_solvers.lbfgs``);
* ``penalty=None``, the default tol: Newton against L-BFGS at
  ``AUTO_MLE_LBFGS_TOL`` (what auto runs in Newton's place), each as a fit
  alone and as a fit followed by the standard errors (``std_errors_``:
  Newton's come from its last factor, L-BFGS's need one Hessian pass).

Designs (standardized unless said): i.i.d. Gaussian; AR(1) rho = 0.9
across the columns; i.i.d. columns scaled by ``10^U(-2, 2)`` (not
standardized, coefficients scaled back so the signal is the same); half
the columns one-hot indicators of a categorical variable (not
standardized), half Gaussian.  The linear predictor has unit variance
(classes overlap).  A row's note says if a fit did not converge or the
two solvers' coefficients differ by more than 1% of the largest (at the
default tol=1e-4 the gradient test can leave L-BFGS that far from Newton
on weakly identified columns: one-hot levels of 1% of the rows).

The table gives medians (ms) and the ratio L-BFGS / Newton (below 1:
L-BFGS is faster), and which solver auto picks at that size.

Run from the repository root::

    PYTHONPATH=src python bench/auto.py            # 5 runs each
    PYTHONPATH=src python bench/auto.py --quick    # 3 runs, fewer sizes
"""

import argparse
import os
import platform
import statistics
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _common import FitOutput, format_table, time_round_robin  # noqa: E402

import clogit  # noqa: E402
from clogit import _fitting  # noqa: E402

SIZES = [(5_000, 50), (10_000, 50), (20_000, 50), (50_000, 20),
         (20_000, 200), (50_000, 100), (200_000, 50), (20_000, 500),
         (200_000, 200)]
QUICK_SIZES = [(10_000, 50), (20_000, 50), (50_000, 100), (200_000, 200)]
DESIGNS = ("iid", "ar1", "scaled", "onehot")


def make_design(design, n, p, seed=0):
    """``(X, y)``: a dense C-ordered float64 design of the kind named and
    labels from a logistic model with a unit-variance linear predictor."""
    rng = np.random.default_rng(seed)
    if design == "ar1":
        X = np.empty((n, p))
        X[:, 0] = rng.standard_normal(n)
        innovation = np.sqrt(1.0 - 0.9 ** 2)
        for j in range(1, p):
            X[:, j] = 0.9 * X[:, j - 1] + innovation * rng.standard_normal(n)
    elif design == "onehot":
        half = p // 2
        X = np.zeros((n, p))
        X[:, :p - half] = rng.standard_normal((n, p - half))
        # one level left out (the reference): the columns stay identified
        level = rng.integers(0, half + 1, n)
        rows = np.flatnonzero(level < half)
        X[rows, p - half + level[rows]] = 1.0
    else:
        X = rng.standard_normal((n, p))
    if design != "onehot":
        X = (X - X.mean(axis=0)) / X.std(axis=0)
    beta = rng.standard_normal(p)
    beta /= np.std(X @ beta)
    if design == "scaled":
        scale = 10.0 ** rng.uniform(-2.0, 2.0, p)
        X *= scale
        beta /= scale
    z = X @ beta + 0.5
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-z))).astype(np.float64)
    return np.ascontiguousarray(X), y


def fits(penalty):
    """name -> fit((X, y)) for one penalty (see the module docstring)."""
    def fit(solver, tol, errors):
        def run(data):
            X, y = data
            clf = clogit.LogisticRegression(penalty=penalty, C=1.0,
                                            solver=solver, tol=tol,
                                            max_iter=1000).fit(X, y)
            if errors:
                clf.std_errors_
            return FitOutput(clf.coef_[0].copy(), float(clf.intercept_[0]),
                             int(clf.n_iter_[0]), bool(clf.converged_))
        return run

    if penalty == "l2":
        return {"newton": fit("newton", 1e-4, False),
                "lbfgs": fit("lbfgs", 1e-4, False)}
    mle_tol = min(1e-4, _fitting.AUTO_MLE_LBFGS_TOL)
    return {"newton": fit("newton", 1e-4, False),
            "lbfgs": fit("lbfgs", mle_tol, False),
            "newton+se": fit("newton", 1e-4, True),
            "lbfgs+se": fit("lbfgs", mle_tol, True)}


def auto_pick(n, p):
    return _fitting.binary_solver(
        "auto", _fitting.Objective(1.0, 0.0, 1.0), p, False, n)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--runs", type=int, default=None)
    args = parser.parse_args()
    runs = args.runs or (3 if args.quick else 5)
    sizes = QUICK_SIZES if args.quick else SIZES
    from threadpoolctl import threadpool_info
    cores = {info.get("architecture") for info in threadpool_info()
             if info.get("internal_api") == "openblas"}
    print(f"clogit {clogit.__version__} | {platform.processor() or '?'} | "
          f"{os.cpu_count()} cores | OpenBLAS core type(s): "
          f"{', '.join(sorted(map(str, cores))) or '?'}")
    print(f"AUTO_LBFGS_MIN_ENTRIES = {_fitting.AUTO_LBFGS_MIN_ENTRIES:,}")
    rows = []
    ratios = {}
    for n, p in sizes:
        for design in DESIGNS:
            data = make_design(design, n, p)
            for penalty in ("l2", None):
                entries = fits(penalty)
                for f in entries.values():  # warm up (imports, pools)
                    f((data[0][:2000], data[1][:2000]))
                timings = time_round_robin(
                    {name: (lambda f=f: f(data)) for name, f in
                     entries.items()}, runs, budget=30.0)
                med = {name: 1e3 * statistics.median(t.times)
                       for name, t in timings.items()}
                # every fit converged, and the two solvers reached the
                # same model (to the default tol's accuracy)
                outs = {name: t.output for name, t in timings.items()}
                scale = max(float(np.max(np.abs(outs["newton"].coef))),
                            1e-12)
                apart = float(np.max(np.abs(outs["lbfgs"].coef
                                            - outs["newton"].coef))) / scale
                note = ("" if all(o.converged for o in outs.values())
                        else "NOT CONVERGED ")
                if apart > 1e-2:
                    note += f"coefficients {apart:.0e} apart"
                iters = {name: t.output.n_iter for name, t in timings.items()}
                label = "l2" if penalty else "none"
                ratio = med["lbfgs"] / med["newton"]
                ratios.setdefault((n, p, label), []).append(ratio)
                row = {"size": f"{n:,}x{p}", "design": design,
                       "penalty": label,
                       "newton": f"{med['newton']:.1f} ({iters['newton']})",
                       "lbfgs": f"{med['lbfgs']:.1f} ({iters['lbfgs']})",
                       "ratio": f"{ratio:.2f}",
                       "se": "", "auto": auto_pick(n, p), "note": note}
                if penalty is None:
                    se_ratio = med["lbfgs+se"] / med["newton+se"]
                    ratios.setdefault((n, p, "none+se"), []).append(se_ratio)
                    row["se"] = (f"{med['newton+se']:.1f} / "
                                 f"{med['lbfgs+se']:.1f} = {se_ratio:.2f}")
                rows.append(row)
                print(f"  {row['size']:>12} {design:7} {label:5} "
                      f"newton {row['newton']:>12}  lbfgs {row['lbfgs']:>12}"
                      f"  {row['ratio']}  {row['se']}", flush=True)
    print()
    print(format_table(rows, [
        ("size", "size", ">"), ("design", "design", "<"),
        ("penalty", "penalty", "<"), ("newton", "newton ms (iter)", ">"),
        ("lbfgs", "lbfgs ms (iter)", ">"), ("ratio", "lbfgs/newton", ">"),
        ("se", "with std errors: newton / lbfgs", ">"),
        ("auto", "auto picks", "<"), ("note", "note", "<")]))
    print("\nL-BFGS / Newton over the designs (min-max):")
    for (n, p, label), values in ratios.items():
        print(f"  {n:>9,} x {p:<4} {label:8} {min(values):.2f}-"
              f"{max(values):.2f}   (n(p+1) = {n * (p + 1):,}; auto: "
              f"{auto_pick(n, p)})")


if __name__ == "__main__":
    main()
