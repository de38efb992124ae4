"""Sparse benchmark (issue 7): clogit against scikit-learn on a text-like task.

Task: n = 100,000 documents and p = 50,000 terms at about 0.05 % density
(about 25 distinct terms per document, term frequencies Zipf-distributed as
in natural text), tf-idf values with L2-normalized rows, CSR float64; labels
drawn from a logistic model on those features.  Every solver minimizes the
same objective

    f(w, b) = C * sum_i logloss(y_i, x_i.w + b) + |w|^2 / 2,   C = 1

(b unpenalized).  The reference optimum is the lowest f any solver reached;
each row prints its relative gap to it, so a fast row that stops early shows
as such.  Tolerances are chosen so that every solver gets within about 1e-8
of the optimum.  liblinear penalizes the intercept (it is a feature of value
``intercept_scaling``); ``intercept_scaling=100`` makes that penalty
negligible, and its gap shows what is left of it.

scikit-learn's newton-cholesky builds the dense p x p Hessian (20 GB at
p = 50,000), so it is skipped on the main task and timed on a second,
narrower one (p = 2,000, the same generator) with every solver.

clogit runs its kernels in as many threads as the process has cores
(``clogit._backends.memory``); scikit-learn's sparse solvers use one.  The rows
"1 core" pin the process to one core for a like-for-like comparison.

Run from the repository root::

    PYTHONPATH=src python bench/sparse.py            # medians of 3 runs
    PYTHONPATH=src python bench/sparse.py --quick    # 1 run each
"""

import argparse
import os
import statistics
import sys
import time
import warnings

import numpy as np
import scipy.sparse as sp

C = 1.0
# Past this many features scikit-learn's newton-cholesky is not run: its
# dense p x p Hessian (8 p^2 bytes, plus a copy for the solve) would not fit.
NEWTON_CHOLESKY_MAX_FEATURES = 5_000


def make_text_problem(n=100_000, p=50_000, words_per_doc=25.0, seed=0,
                      dtype=np.float64):
    """Draw a tf-idf-like sparse binary classification problem.

    Each document has ``Poisson(words_per_doc)`` words (at least one) drawn
    from a Zipf-like vocabulary (frequency of term j proportional to
    ``(j + 50)^-1.05``); repeated words add up to term counts, turned into
    ``log(1 + count) * idf`` and L2-normalized per row.  The true
    coefficients are N(0, 9) on every term; labels are Bernoulli draws from
    ``sigmoid(x.w - median)`` (balanced classes).

    Returns
    -------
    X : scipy.sparse.csr_matrix of shape (n, p), canonical
    y : ndarray of shape (n,), float64 labels in {0, 1}
    """
    rng = np.random.default_rng(seed)
    counts = np.maximum(rng.poisson(words_per_doc, n), 1)
    frequency = 1.0 / (np.arange(p) + 50.0) ** 1.05
    frequency /= frequency.sum()
    rows = np.repeat(np.arange(n), counts)
    cols = rng.choice(p, size=rows.size, p=frequency)
    X = sp.csr_matrix((np.ones(rows.size), (rows, cols)), shape=(n, p))
    X.sum_duplicates()
    document_frequency = np.bincount(X.indices, minlength=p)
    idf = np.log((1.0 + n) / (1.0 + document_frequency)) + 1.0
    X.data = np.log1p(X.data) * idf[X.indices]
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    X = sp.diags(1.0 / np.maximum(norms, 1e-12)) @ X
    X = sp.csr_matrix(X)
    X.sort_indices()
    z = X @ (rng.standard_normal(p) * 3.0)
    z -= np.median(z)
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-z))).astype(np.float64)
    return X.astype(dtype), y


def objective(X, y, coef, intercept):
    """``C * sum(logloss) + |coef|^2 / 2`` in float64."""
    coef = np.asarray(coef, dtype=np.float64).ravel()
    z = X @ coef + float(intercept)
    return float(C * np.sum(np.logaddexp(0.0, z) - y * z)
                 + 0.5 * coef @ coef)


def clogit_fit(**params):
    def fit(X, y):
        import clogit
        clf = clogit.LogisticRegression(C=C, **params).fit(X, y)
        return clf.coef_.ravel(), clf.intercept_[0], int(clf.n_iter_[0])
    return fit


def sklearn_fit(**params):
    def fit(X, y):
        from sklearn.linear_model import LogisticRegression
        clf = LogisticRegression(C=C, **params).fit(X, y)
        return clf.coef_.ravel(), clf.intercept_[0], int(np.max(clf.n_iter_))
    return fit


def one_core(fit):
    """``fit`` with the process pinned to one core (restored after)."""
    def pinned(X, y):
        cores = os.sched_getaffinity(0)
        os.sched_setaffinity(0, {min(cores)})
        try:
            return fit(X, y)
        finally:
            os.sched_setaffinity(0, cores)
    return pinned


def solvers(p):
    """(name, fit, note) rows for a task with p features."""
    rows = [
        ("clogit auto", clogit_fit(), ""),
        ("clogit auto, 1 core", one_core(clogit_fit()), ""),
        ("clogit auto, float32 X", clogit_fit(), "float32"),
        ("clogit newton", clogit_fit(solver="newton"), ""),
        ("clogit lbfgs", clogit_fit(solver="lbfgs", tol=1e-8,
                                    max_iter=10_000), ""),
        ("sklearn liblinear", sklearn_fit(solver="liblinear", tol=1e-6,
                                          intercept_scaling=100.0,
                                          max_iter=10_000), ""),
        ("sklearn lbfgs", sklearn_fit(solver="lbfgs", tol=1e-8,
                                      max_iter=10_000), ""),
        ("sklearn newton-cg", sklearn_fit(solver="newton-cg", tol=1e-8,
                                          max_iter=10_000), ""),
    ]
    if p <= NEWTON_CHOLESKY_MAX_FEATURES:
        rows.append(("sklearn newton-cholesky",
                     sklearn_fit(solver="newton-cholesky", tol=1e-8,
                                 max_iter=10_000), ""))
    return rows


def run_task(n, p, repeats):
    t0 = time.perf_counter()
    X, y = make_text_problem(n, p)
    X32 = X.astype(np.float32)
    print(f"\nTask: n = {n:,}, p = {p:,}, nnz = {X.nnz:,} "
          f"(density {X.nnz / (n * p):.3%}, "
          f"{X.nnz / n:.1f} per row), positives {y.mean():.1%}, C = {C:g}; "
          f"generated in {time.perf_counter() - t0:.1f} s")
    if p > NEWTON_CHOLESKY_MAX_FEATURES:
        print(f"sklearn newton-cholesky skipped: its dense {p:,} x {p:,} "
              f"Hessian alone takes {8 * p * p / 1e9:.0f} GB.")
    results = []
    for name, fit, note in solvers(p):
        data = X32 if note == "float32" else X
        times = []
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for _ in range(repeats):
                t = time.perf_counter()
                coef, intercept, n_iter = fit(data, y)
                times.append(time.perf_counter() - t)
        warned = sorted({w.category.__name__ for w in caught})
        results.append((name, statistics.median(times), n_iter,
                        objective(X, y, coef, intercept), warned))
        print(f"  {name:26s} {statistics.median(times):8.3f} s", flush=True)

    best = min(r[3] for r in results)
    sklearn_best = min((r for r in results if r[0].startswith("sklearn")),
                       key=lambda r: r[1])
    print(f"\n{'solver':26s} {'median s':>9s} {'vs sk best':>10s} "
          f"{'iter':>6s} {'rel. gap':>9s}  warnings")
    for name, median, n_iter, f, warned in results:
        gap = (f - best) / abs(best)
        print(f"{name:26s} {median:9.3f} {median / sklearn_best[1]:10.2f} "
              f"{n_iter:6d} {gap:9.1e}  {', '.join(warned)}")
    clogit_auto = next(r for r in results if r[0] == "clogit auto")
    clogit_one = next(r for r in results if r[0] == "clogit auto, 1 core")
    print(f"\nscikit-learn's fastest: {sklearn_best[0]} "
          f"({sklearn_best[1]:.3f} s).  clogit auto / that = "
          f"{clogit_auto[1] / sklearn_best[1]:.3f} "
          f"(1 core: {clogit_one[1] / sklearn_best[1]:.3f}).")
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="one run per solver")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    repeats = 1 if args.quick else args.repeats
    import clogit
    import sklearn
    print(f"clogit {clogit.__version__} ({clogit.__file__}), scikit-learn "
          f"{sklearn.__version__}, {len(os.sched_getaffinity(0))} cores, "
          f"median of {repeats} run(s)")
    run_task(100_000, 50_000, repeats)
    run_task(100_000, 2_000, repeats)


if __name__ == "__main__":
    sys.exit(main())
