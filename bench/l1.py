"""ℓ1 benchmark: clogit's proximal Newton against the ℓ1 anchors.

Task (issue 3): n = 50,000 dense standardized samples, p = 2,000 features of
which 20 are informative, C chosen so the solution has 20-60 nonzeros.  Every
solver minimizes the same objective

    F(w, b) = C * sum_i logloss(y_i, x_i.w + b) + |w|_1      (b unpenalized)

(glum and skglm minimize F / (C n): alpha = 1 / (C n)).  The reference
optimum is the lowest F any solver reached; each row prints its relative gap
to it, so a fast row that stops early is visible as such.  liblinear
penalizes the intercept (it is a feature of value ``intercept_scaling``); a
large ``intercept_scaling`` makes that penalty negligible, and its gap shows
what is left of it.

Run from the repository root::

    python bench/l1.py            # medians of 3 runs
    python bench/l1.py --quick    # 1 run each, saga capped
"""

import argparse
import importlib
import statistics
import sys
import time
import warnings

import numpy as np


def make_problem(n=50_000, p=2_000, informative=20, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    X -= X.mean(axis=0)
    X /= X.std(axis=0)
    beta = np.zeros(p)
    support = rng.choice(p, informative, replace=False)
    beta[support] = rng.choice([-1.0, 1.0], informative) * rng.uniform(
        0.3, 1.0, informative)
    z = X @ beta + 0.2
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-z))).astype(np.int64)
    return X, y, support


def objective(X, y, coef, intercept, C):
    z = X @ coef + intercept
    return float(C * np.sum(np.logaddexp(0.0, z) - y * z)
                 + np.abs(coef).sum())


def solvers(C, n, quick):
    """name -> (fit function returning (coef, intercept), module needed)."""
    alpha = 1.0 / (C * n)

    def clogit_fit(X, y):
        import clogit
        clf = clogit.LogisticRegression(penalty="l1", C=C, tol=1e-8)
        clf.fit(X, y)
        return clf.coef_[0], clf.intercept_[0]

    def sklearn_fit(solver, **kwargs):
        def fit(X, y):
            from sklearn.linear_model import LogisticRegression
            import sklearn
            version = tuple(int(v) for v in sklearn.__version__.split(".")[:2])
            spelling = ({"l1_ratio": 1.0} if version >= (1, 8)
                        else {"penalty": "l1"})
            clf = LogisticRegression(C=C, solver=solver, **spelling, **kwargs)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                clf.fit(X, y)
            return clf.coef_[0], clf.intercept_[0]
        return fit

    def glum_fit(X, y):
        from glum import GeneralizedLinearRegressor
        model = GeneralizedLinearRegressor(
            family="binomial", alpha=alpha, l1_ratio=1.0, solver="irls-cd",
            gradient_tol=1e-10, max_iter=1000)
        model.fit(X, y)
        return model.coef_, model.intercept_

    def skglm_fit(X, y):
        from skglm import SparseLogisticRegression
        model = SparseLogisticRegression(alpha=alpha, tol=1e-10, max_iter=100)
        model.fit(X, y)
        return model.coef_.ravel(), float(np.ravel(model.intercept_)[0])

    return {
        "clogit newton (prox)": (clogit_fit, "clogit"),
        "sklearn liblinear": (sklearn_fit("liblinear", tol=1e-8,
                                          intercept_scaling=1e3,
                                          max_iter=1000), "sklearn"),
        "sklearn saga": (sklearn_fit("saga", tol=1e-6,
                                     max_iter=30 if quick else 300),
                         "sklearn"),
        "glum irls-cd": (glum_fit, "glum"),
        "skglm ProxNewton": (skglm_fit, "skglm"),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="one run per solver, saga capped at 30 epochs")
    parser.add_argument("--C", type=float, default=0.005,
                        help="inverse penalty (default 0.005: ~30 nonzeros)")
    parser.add_argument("--n", type=int, default=50_000)
    parser.add_argument("--p", type=int, default=2_000)
    args = parser.parse_args(argv)
    repeats = 1 if args.quick else 3

    X, y, support = make_problem(args.n, args.p)
    print(f"l1 task: n={args.n:,} p={args.p:,} informative={support.size} "
          f"C={args.C}")
    results = []
    for name, (fit, module) in solvers(args.C, args.n, args.quick).items():
        try:
            importlib.import_module(module)
        except ImportError:
            print(f"  {name}: {module} not installed, skipped")
            continue
        fit(X[:2000], y[:2000])  # warm up imports and BLAS
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            coef, intercept = fit(X, y)
            times.append(time.perf_counter() - start)
        f = objective(X, y, coef, intercept, args.C)
        results.append((name, statistics.median(times), f,
                        int(np.count_nonzero(coef))))
        print(f"  {name}: {statistics.median(times):.3f} s", flush=True)

    best = min(r[2] for r in results)
    anchors = [r[1] for r in results if not r[0].startswith("clogit")
               and (r[2] - best) / abs(best) <= 1e-6]
    fastest = min(anchors) if anchors else float("nan")
    print()
    print(f"{'solver':24s} {'median s':>9s} {'vs fastest anchor':>18s} "
          f"{'rel. gap':>10s} {'nnz':>5s}")
    for name, seconds, f, nnz in results:
        gap = (f - best) / abs(best)
        print(f"{name:24s} {seconds:9.3f} {seconds / fastest:18.3f} "
              f"{gap:10.1e} {nnz:5d}")
    print("\n'fastest anchor' = fastest non-clogit solver whose gap is "
          "<= 1e-6; ratio < 1 means clogit is faster.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
