"""ℓ1 on sparse text-like data: clogit's proximal Newton against
scikit-learn's liblinear (its fastest ℓ1 solver on sparse input).

Task: bench/sparse.py's text problem (100,000 documents x 50,000 terms,
tf-idf, CSR float64), ``f(w, b) = C * sum_i logloss_i + |w|_1`` with b
unpenalized, at C = 1 (about 7,000 nonzeros) and C = 10 (about 34,000:
the working set is then far past the size where the proximal Newton's
dense model Hessian would fit, and coordinate descent runs on X's columns).
Each row prints its relative gap to the best objective found.

Tolerances: clogit ``tol=1e-9`` (largest KKT violation scaled by
``1 / (C n)``); liblinear ``tol=1e-6`` with ``intercept_scaling=100`` (it
penalizes the intercept as a feature; the scaling makes that negligible).

Run from the repository root (PYTHONPATH=src for an uninstalled clogit)::

    python bench/sparse_l1.py            # medians of 3 runs
    python bench/sparse_l1.py --quick    # 1 run each
"""

import argparse
import os
import sys
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import compare_solvers  # noqa: E402
from sparse import make_text_problem  # noqa: E402


def objective(X, y, coef, intercept, C):
    z = X @ coef + intercept
    return float(C * np.sum(np.logaddexp(0.0, z) - y * z)
                 + np.abs(coef).sum())


def solvers(C):
    def clogit_fit(X, y):
        import clogit
        clf = clogit.LogisticRegression(penalty="l1", C=C, tol=1e-9)
        clf.fit(X, y)
        return clf.coef_[0], clf.intercept_[0]

    def liblinear_fit(X, y):
        from sklearn.linear_model import LogisticRegression
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # penalty deprecation
            clf = LogisticRegression(solver="liblinear", l1_ratio=1.0, C=C,
                                     tol=1e-6, intercept_scaling=100,
                                     max_iter=1000)
            clf.fit(X, y)
        return clf.coef_[0], clf.intercept_[0]

    return {"clogit proximal Newton": clogit_fit,
            "sklearn liblinear": liblinear_fit}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    runs = 1 if args.quick else args.runs
    X, y = make_text_problem()
    print(f"X: {X.shape[0]:,} x {X.shape[1]:,} CSR, {X.nnz:,} nonzeros; "
          f"median of {runs} run(s)")
    for C in (1.0, 10.0):
        compare_solvers(f"C={C:g}", solvers(C), X, y,
                        lambda coef, b: objective(X, y, coef, b, C), runs)


if __name__ == "__main__":
    main()
