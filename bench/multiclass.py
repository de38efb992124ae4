"""Multiclass benchmark: clogit multinomial and One-vs-Rest against
scikit-learn on the same data.

Task (issue 4): n = 100,000 dense standardized samples, p = 100 features,
K = 10 classes drawn from a softmax model, C = 1, l2 penalty.

* multinomial: clogit (auto, newton, lbfgs) against scikit-learn's
  multinomial LogisticRegression (lbfgs, newton-cholesky); each row prints
  its relative gap to the best multinomial objective found;
* One-vs-Rest: clogit multi_class="ovr" (n_jobs=1 and 2) against
  ``OneVsRestClassifier(LogisticRegression(solver=...))`` with
  newton-cholesky and lbfgs (n_jobs=1 and 2); gaps against the best sum of
  the K binary objectives.

Run from the repository root::

    python bench/multiclass.py           # medians of 3 runs
    python bench/multiclass.py --quick   # 1 run each, newton-cholesky
                                         # multinomial skipped (minutes)
"""

import argparse
import statistics
import sys
import time
import warnings

import numpy as np


def make_problem(n=100_000, p=100, n_classes=10, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    X -= X.mean(axis=0)
    X /= X.std(axis=0)
    W = rng.standard_normal((p, n_classes)) / np.sqrt(p) * 1.5
    logits = X @ W
    logits -= logits.max(axis=1, keepdims=True)
    P = np.exp(logits)
    P /= P.sum(axis=1, keepdims=True)
    y = (P.cumsum(axis=1) < rng.random(n)[:, None]).sum(axis=1)
    return X, y


def multinomial_objective(X, y, coef, intercept, C):
    Z = X @ coef.T + intercept
    lse = np.logaddexp.reduce(Z, axis=1)
    return float(C * np.sum(lse - Z[np.arange(len(y)), y])
                 + 0.5 * np.sum(coef ** 2))


def ovr_objective(X, y, coef, intercept, C):
    total = 0.0
    for k in range(coef.shape[0]):
        z = X @ coef[k] + intercept[k]
        t = (y == k)
        total += C * np.sum(np.logaddexp(0.0, z) - t * z)
        total += 0.5 * coef[k] @ coef[k]
    return float(total)


def _sklearn(**kwargs):
    from sklearn.linear_model import LogisticRegression
    return LogisticRegression(C=1.0, max_iter=10_000, **kwargs)


def multinomial_solvers(quick):
    import clogit

    def clogit_fit(solver):
        def fit(X, y):
            clf = clogit.LogisticRegression(
                solver=solver, multi_class="multinomial", tol=1e-8,
                max_iter=1000).fit(X, y)
            return clf.coef_, clf.intercept_
        return fit

    def sklearn_fit(solver, tol):
        def fit(X, y):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                clf = _sklearn(solver=solver, tol=tol).fit(X, y)
            return clf.coef_, clf.intercept_
        return fit

    fits = {
        "clogit auto": clogit_fit("auto"),
        "clogit lbfgs": clogit_fit("lbfgs"),
        "sklearn lbfgs": sklearn_fit("lbfgs", 1e-8),
    }
    if not quick:
        fits["clogit newton"] = clogit_fit("newton")
        fits["sklearn newton-cholesky"] = sklearn_fit("newton-cholesky",
                                                      1e-8)
    return fits


def ovr_solvers():
    import clogit
    from sklearn.multiclass import OneVsRestClassifier

    def clogit_fit(n_jobs):
        def fit(X, y):
            clf = clogit.LogisticRegression(multi_class="ovr", tol=1e-8,
                                            n_jobs=n_jobs).fit(X, y)
            return clf.coef_, clf.intercept_
        return fit

    def sklearn_fit(n_jobs, solver="newton-cholesky"):
        def fit(X, y):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                clf = OneVsRestClassifier(_sklearn(solver=solver, tol=1e-8),
                                          n_jobs=n_jobs).fit(X, y)
            coef = np.vstack([e.coef_ for e in clf.estimators_])
            intercept = np.concatenate([e.intercept_
                                        for e in clf.estimators_])
            return coef, intercept
        return fit

    return {
        "clogit ovr n_jobs=1": clogit_fit(1),
        "clogit ovr n_jobs=2": clogit_fit(2),
        "sklearn OvR(newton-cholesky) n_jobs=1": sklearn_fit(1),
        "sklearn OvR(newton-cholesky) n_jobs=2": sklearn_fit(2),
        "sklearn OvR(lbfgs) n_jobs=1": sklearn_fit(1, "lbfgs"),
        "sklearn OvR(lbfgs) n_jobs=2": sklearn_fit(2, "lbfgs"),
    }


def run_group(title, fits, objective, X, y, repeats):
    print(f"\n{title}")
    rows = []
    for name, fit in fits.items():
        fit(X[:3000], y[:3000])  # warm-up
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            coef, intercept = fit(X, y)
            times.append(time.perf_counter() - start)
        rows.append((name, statistics.median(times),
                     objective(X, y, coef, intercept, 1.0)))
        print(f"  {name}: {rows[-1][1]:.3f} s", flush=True)
    best = min(r[2] for r in rows)
    sk = [r[1] for r in rows if r[0].startswith("sklearn")
          and (r[2] - best) / abs(best) <= 1e-8]
    fastest = min(sk) if sk else float("nan")
    print(f"  {'solver':40s} {'median s':>9s} {'vs sklearn fastest':>19s} "
          f"{'rel. gap':>9s}")
    for name, seconds, f in rows:
        print(f"  {name:40s} {seconds:9.3f} {seconds / fastest:19.3f} "
              f"{(f - best) / abs(best):9.1e}")
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--n", type=int, default=100_000)
    args = parser.parse_args(argv)
    repeats = 1 if args.quick else 3
    X, y = make_problem(n=args.n)
    print(f"multiclass task: n={X.shape[0]:,} p={X.shape[1]} K=10 C=1 (l2)")
    run_group("multinomial", multinomial_solvers(args.quick),
              multinomial_objective, X, y, repeats)
    run_group("One-vs-Rest", ovr_solvers(), ovr_objective, X, y, repeats)
    print("\nratios < 1: clogit faster; 'sklearn fastest' counts only "
          "scikit-learn rows within 1e-8 of the best objective.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
