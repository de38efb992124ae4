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
import warnings

import numpy as np
from scipy.special import logsumexp

from _common import compare_solvers


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
        compare_solvers(f"l1_ratio={l1_ratio}", solvers(C, l1_ratio), X, y,
                        lambda coef, b: objective(X, y, coef, b, C, l1_ratio),
                        runs)


if __name__ == "__main__":
    main()
