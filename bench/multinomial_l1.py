"""ℓ1 / elastic-net multinomial benchmark: clogit's proximal Newton against
scikit-learn's saga (the one scikit-learn solver for these penalties with
the multinomial loss).

Task: n = 20,000 standardized samples, p = 20 features, K = 5 classes from
a softmax model whose weights are zero for half the features; C = 0.05,
penalty "l1", then "elasticnet" with l1_ratio = 0.5.  Each row prints its
relative gap to the best objective found, ``C sum_i logloss_i
+ l1_ratio |W|_1 + (1 - l1_ratio)/2 |W|^2``.

Tolerances: clogit ``tol=1e-8`` (largest KKT violation scaled by
``1 / (C n)``); saga ``tol=1e-8``, ``max_iter=100,000``, and ``tol=1e-4``
(its default) for the speed it is usually run at.

Run from the repository root (PYTHONPATH=src for an uninstalled clogit)::

    python bench/multinomial_l1.py           # medians of 3 runs
    python bench/multinomial_l1.py --quick   # 1 run each
"""

import argparse
import statistics
import time
import warnings

import numpy as np
from scipy.special import logsumexp


def make_problem(n=20_000, p=20, n_classes=5, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    W = rng.standard_normal((p, n_classes)) * 1.5 / np.sqrt(p)
    W[p // 2:] = 0.0
    logits = X @ W
    P = np.exp(logits - logsumexp(logits, axis=1, keepdims=True))
    y = (P.cumsum(axis=1) < rng.random(n)[:, None]).sum(axis=1)
    return X, y


def objective(X, y, coef, intercept, C, l1_ratio):
    Z = X @ coef.T + intercept
    loss = logsumexp(Z, axis=1) - Z[np.arange(len(y)), y]
    return float(C * loss.sum() + l1_ratio * np.abs(coef).sum()
                 + 0.5 * (1 - l1_ratio) * (coef ** 2).sum())


def solvers(C, l1_ratio):
    def clogit_fit(X, y):
        import clogit
        penalty = ({"penalty": "l1"} if l1_ratio == 1.0 else
                   {"penalty": "elasticnet", "l1_ratio": l1_ratio})
        clf = clogit.LogisticRegression(multi_class="multinomial", C=C,
                                        tol=1e-8, **penalty).fit(X, y)
        return clf.coef_, clf.intercept_

    def saga(tol):
        def fit(X, y):
            from sklearn.exceptions import ConvergenceWarning
            from sklearn.linear_model import LogisticRegression
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                clf = LogisticRegression(solver="saga", l1_ratio=l1_ratio,
                                         C=C, tol=tol,
                                         max_iter=100_000).fit(X, y)
            return clf.coef_, clf.intercept_
        return fit

    return {"clogit proximal Newton": clogit_fit,
            "sklearn saga tol=1e-8": saga(1e-8),
            "sklearn saga tol=1e-4": saga(1e-4)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    runs = 1 if args.quick else args.runs
    X, y = make_problem()
    C = 0.05
    print(f"X: {X.shape[0]:,} x {X.shape[1]}, {len(np.unique(y))} classes, "
          f"C={C}; median of {runs} run(s)")
    for l1_ratio in (1.0, 0.5):
        rows = []
        for name, fit in solvers(C, l1_ratio).items():
            fit(X[:2000], y[:2000])  # untimed: imports, thread pools
            times = []
            for _ in range(runs):
                start = time.perf_counter()
                coef, intercept = fit(X, y)
                times.append(time.perf_counter() - start)
            rows.append((name, statistics.median(times),
                         objective(X, y, coef, intercept, C, l1_ratio),
                         int(np.count_nonzero(coef))))
        best = min(row[2] for row in rows)
        ours = rows[0][1]
        print(f"\nl1_ratio={l1_ratio}")
        print(f"{'solver':24s} {'median s':>9s} {'vs clogit':>10s} "
              f"{'nonzeros':>9s} {'rel. gap':>9s}")
        for name, seconds, value, nnz in rows:
            print(f"{name:24s} {seconds:9.3f} {seconds / ours:9.1f}x "
                  f"{nnz:9d} {(value - best) / abs(best):9.1e}")


if __name__ == "__main__":
    main()
