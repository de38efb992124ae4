"""Model selection: clogit's paths and LogisticRegressionCV against
glmnet's LogitNet and scikit-learn's LogisticRegressionCV.

The comparisons:

* "l1 path + 5-fold CV, 100 C": clogit's ``regularization_path`` on all
  the data plus ``LogisticRegressionCV(cv=5)`` on the same 100 values of C
  -- the work glmnet's ``LogitNet(n_splits=5)`` does (a full-data path and
  5 fold paths).  glmnet's objective is ``mean loss + lambda |w|_1``, so
  its grid is C = 1 / (n lambda); clogit runs glmnet's own grid
  (``LogitNet(standardize=False)``, its default 100 lambdas down to 1e-4
  lambda_max).
* on the text task, "the full-data l1 path alone": glmnet's path at its
  default tolerance and at tighter ones (``GLMNET_TIGHT_TOLS``) against
  clogit's, each with its largest gap -- glmnet's tolerance bounds the
  change of its coefficients, and its gaps at the default reach 4e-4, so
  this is the comparison at (nearly) equal accuracy;
* "LogisticRegressionCV, 20 C x 5 folds" (``np.logspace(-4, 4, 20)``):
  clogit against scikit-learn with lbfgs for l2 and saga for l1, at
  scikit-learn's default settings (tol=1e-4, max_iter=100: what its users
  run).

clogit's tolerances are set so that every gap is under 1e-8, the level
the timings are stated at: its default tol=1e-6 (a scaled KKT test,
``max |subgradient| / (C sum s)``) leaves relative objective gaps up to
1.5e-7 on breast_cancer's glmnet grid and 2e-1 at C = 1e4 in the l1
LogisticRegressionCV (nearly separable folds, large coefficients).  So
the l1 path + CV comparisons run at ``tol=1e-8`` (``CLOGIT_PATH_TOL``)
and the l1 LogisticRegressionCV at ``tol=1e-10`` (``CLOGIT_L1_TOL``; 1e-9
still leaves 1e-7 at C = 1e4); measured here, about 10-20% more time than
the default.  The text task's path + CV runs at ``tol=1e-9``
(``CLOGIT_TEXT_PATH_TOL``): its training folds are nearly separable at
the grid's end (C up to 373, 4,850 of 5,000 terms active), where 1e-8
stopped fold points with gaps up to 5e-7 (KKT 9e-9); at 1e-9 the largest
gap over the last 20 points and 5 folds was 1.3e-10, for about 30% more
CPU time.  l2 runs at the default tol=1e-6 (Newton's last step leaves
gaps around 1e-10 there).

Every point's objective gap is printed: for each C, the largest relative
gap ``(f(point) - f*) / |f*|`` over the folds (and the full-data path),
``f*`` a single clogit fit at that C and on that fold's rows to tol=1e-13
(``TIGHT``; started from the point: the optimum does not depend on the
start, and the fit only ever lowers the objective).
glmnet exposes only its full-data path, so its gaps are over that path.

Run from the repository root (PYTHONPATH=src for an uninstalled clogit)::

    python bench/cv.py --quick   # one run each, smaller l1 and text tasks
    python bench/cv.py           # medians of 3 runs, full sizes
    python bench/cv.py --quick --task dense   # one task (see --help)
    python bench/cv.py --task dense --runs 1  # full size, one run

glmnet is ``pip install python-glmnet`` (the [bench] extra); without it
its rows are skipped with a message.
"""

import argparse
import os
import statistics
import sys
import time
import warnings

import numpy as np
import scipy.sparse as sp

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import format_table, make_problem  # noqa: E402


def _text_problem_maker():
    """bench/sparse.py's ``make_text_problem``, loaded under another module
    name: a module called ``sparse`` in sys.modules makes scipy.stats (which
    glmnet calls) take it for pydata's sparse package."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "bench_sparse_problem",
        os.path.join(os.path.dirname(os.path.abspath(__file__)),
                     "sparse.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.make_text_problem


make_text_problem = _text_problem_maker()

try:
    import clogit
except ImportError:  # pragma: no cover - the runner's message
    sys.exit("clogit is not importable: build it in place and run with "
             "PYTHONPATH=src")

from sklearn.datasets import load_breast_cancer  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.linear_model import LogisticRegressionCV as SkCV  # noqa: E402
from sklearn.model_selection import StratifiedKFold  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

try:
    from glmnet import LogitNet
except ImportError:
    LogitNet = None

TIGHT = 1e-13
CLOGIT_PATH_TOL = 1e-8
CLOGIT_TEXT_PATH_TOL = 1e-9
CLOGIT_L1_TOL = 1e-10
# glmnet's tolerances in the text task's equal-accuracy table (its
# default first): measured here, 1e-11 left gaps up to 3.6e-8
GLMNET_TIGHT_TOLS = (1e-7, 1e-9, 1e-11)
TASKS = ("breast_cancer", "cv_l1", "cv_l2", "dense", "text")


def objective(X, y, coef, intercept, C, l1, l2):
    z = np.asarray(X @ coef).ravel() + intercept
    return float(C * np.sum(np.logaddexp(0.0, z) - y * z)
                 + l1 * np.abs(coef).sum() + 0.5 * l2 * coef @ coef)


def gap(X, y, coef, intercept, C, penalty):
    """Relative objective gap of (coef, intercept) at C on (X, y) to a
    tight single clogit fit started from it."""
    l1, l2 = (1.0, 0.0) if penalty == "l1" else (0.0, 1.0)
    reference = clogit.LogisticRegression(penalty=penalty, C=C, tol=TIGHT,
                                          max_iter=1000, warm_start=True)
    reference.coef_ = np.asarray(coef, dtype=float)[None, :].copy()
    reference.intercept_ = np.array([float(intercept)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reference.fit(X, y)
    best = objective(X, y, reference.coef_[0], reference.intercept_[0], C,
                     l1, l2)
    value = objective(X, y, coef, intercept, C, l1, l2)
    return (value - best) / abs(best)


def fold_gaps(X, y, Cs, coefs_paths, penalty, folds):
    """Largest gap over the folds at each C; ``coefs_paths`` is
    (n_folds, n_Cs, n_dof) (intercept last)."""
    worst = np.full(len(Cs), -np.inf)
    for f, (train, _) in enumerate(folds):
        for k, C in enumerate(Cs):
            w = coefs_paths[f, k]
            worst[k] = max(worst[k], gap(X[train], y[train], w[:-1], w[-1],
                                         C, penalty))
    return worst


def timed(function, runs):
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def l1_path_vs_glmnet(name, X, y, runs, glmnet_tol,
                      clogit_tol=CLOGIT_PATH_TOL):
    print(f"\n== {name}: l1 path + 5-fold CV, 100 C ==")
    if LogitNet is None:
        print("glmnet (python-glmnet) is not installed: skipped "
              "(pip install python-glmnet)")
        return None
    n = X.shape[0]

    def glmnet_fit():
        return LogitNet(alpha=1, n_lambda=100, n_splits=5,
                        standardize=False, tol=glmnet_tol,
                        random_state=0).fit(X, y)

    glmnet_seconds, model = timed(glmnet_fit, runs)
    Cs = 1.0 / (n * model.lambda_path_)
    folds = list(StratifiedKFold(5).split(X, y))

    def clogit_fit():
        path = clogit.regularization_path(X, y, Cs=Cs, penalty="l1",
                                          tol=clogit_tol)
        cv = clogit.LogisticRegressionCV(
            Cs=Cs, l1_ratios=(1,), cv=folds, scoring="neg_log_loss",
            tol=clogit_tol, use_legacy_attributes=False).fit(X, y)
        return path, cv

    clogit_seconds, (path, cv) = timed(clogit_fit, runs)
    clogit_gaps = fold_gaps(X, y, Cs, cv.coefs_paths_[:, 0, :, 0], "l1",
                            folds)
    full_gaps = np.array([gap(X, y, path.coefs[k], path.intercepts[k], C,
                              "l1") for k, C in enumerate(Cs)])
    glmnet_gaps = np.array([
        gap(X, y, model.coef_path_[0, :, k], model.intercept_path_[0, k], C,
            "l1") for k, C in enumerate(Cs)])
    clogit_all = np.maximum(clogit_gaps, full_gaps)
    print("per-point relative gaps (clogit: max over the full path and 5 "
          "folds; glmnet: its full path)")
    rows = [{"C": f"{C:.4g}", "nnz": str(int(np.count_nonzero(
        path.coefs[k]))), "clogit": f"{clogit_all[k]:.1e}",
        "glmnet": f"{glmnet_gaps[k]:.1e}"} for k, C in enumerate(Cs)]
    print(format_table(rows, [("C", "C", ">"), ("nnz", "nnz", ">"),
                              ("clogit", "clogit gap", ">"),
                              ("glmnet", "glmnet gap", ">")]))
    print(format_table([
        {"lib": f"clogit path + CV (tol={clogit_tol:g})",
         "s": f"{clogit_seconds:.3f}",
         "ratio": f"{clogit_seconds / glmnet_seconds:.2f}x",
         "gap": f"{clogit_all.max():.1e}"},
        {"lib": f"glmnet LogitNet (tol={glmnet_tol:g})",
         "s": f"{glmnet_seconds:.3f}", "ratio": "1.00x",
         "gap": f"{glmnet_gaps.max():.1e}"}],
        [("lib", "library", "<"), ("s", "median s", ">"),
         ("ratio", "time / glmnet", ">"), ("gap", "max rel. gap", ">")]))
    return clogit_seconds / glmnet_seconds


def full_path_at_equal_accuracy(name, X, y, runs, glmnet_tols, clogit_tol):
    """The full-data l1 path alone (no CV): glmnet at each tolerance of
    ``glmnet_tols`` against clogit's ``regularization_path`` on glmnet's
    grid, every path's largest gap printed.  glmnet's tolerance bounds the
    change of its coefficients between sweeps, not the objective: at its
    default the gaps reach 4e-4 on the text task, so this table shows what
    it takes glmnet to approach clogit's gaps.  Returns clogit's time over
    glmnet's at the last (tightest) tolerance."""
    print(f"\n== {name}: the full-data l1 path alone (100 C), glmnet at "
          "tighter tolerances ==")
    if LogitNet is None:
        print("glmnet (python-glmnet) is not installed: skipped")
        return None
    rows = []
    seconds = None
    for tol in glmnet_tols:
        seconds, model = timed(lambda: LogitNet(
            alpha=1, n_lambda=100, n_splits=0, standardize=False, tol=tol,
            max_iter=1_000_000).fit(X, y), runs)
        Cs = 1.0 / (X.shape[0] * model.lambda_path_)
        gaps = [gap(X, y, model.coef_path_[0, :, k],
                    model.intercept_path_[0, k], C, "l1")
                for k, C in enumerate(Cs)]
        rows.append({"lib": f"glmnet LogitNet (tol={tol:g})",
                     "s": f"{seconds:.3f}", "gap": f"{max(gaps):.1e}"})
    clogit_seconds, path = timed(lambda: clogit.regularization_path(
        X, y, Cs=Cs, penalty="l1", tol=clogit_tol), runs)
    gaps = [gap(X, y, path.coefs[k], path.intercepts[k], C, "l1")
            for k, C in enumerate(Cs)]
    rows.insert(0, {"lib": f"clogit regularization_path (tol={clogit_tol:g})",
                    "s": f"{clogit_seconds:.3f}", "gap": f"{max(gaps):.1e}"})
    for row in rows:
        row["ratio"] = f"{clogit_seconds / float(row['s']):.2f}x"
    print(format_table(rows, [("lib", "library", "<"), ("s", "median s", ">"),
                              ("ratio", "clogit / it", ">"),
                              ("gap", "max rel. gap", ">")]))
    return clogit_seconds / seconds


def cv_vs_sklearn(name, X, y, runs, penalty):
    solver = "lbfgs" if penalty == "l2" else "saga"
    print(f"\n== {name}: LogisticRegressionCV {penalty}, 20 C x 5 folds, "
          f"against scikit-learn's {solver} ==")
    Cs = np.logspace(-4, 4, 20)
    ratio = (0,) if penalty == "l2" else (1,)
    common = dict(Cs=Cs, l1_ratios=ratio, cv=5, scoring="neg_log_loss",
                  use_legacy_attributes=False)
    clogit_tol = CLOGIT_L1_TOL if penalty == "l1" else 1e-6

    def sklearn_fit():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return SkCV(solver=solver, **common).fit(X, y)

    def clogit_fit():
        with warnings.catch_warnings():
            # the hardest l1 points (C up to 1e4 on nearly separable data)
            # may stop at max_iter: their gaps are printed below
            warnings.simplefilter("ignore", ConvergenceWarning)
            return clogit.LogisticRegressionCV(tol=clogit_tol,
                                               **common).fit(X, y)

    clogit_seconds, ours = timed(clogit_fit, runs)
    sklearn_seconds, theirs = timed(sklearn_fit, runs)
    folds = list(StratifiedKFold(5).split(X, y))
    ours_gaps = fold_gaps(X, y, Cs, ours.coefs_paths_[:, 0, :, 0], penalty,
                          folds)
    theirs_gaps = fold_gaps(X, y, Cs, theirs.coefs_paths_[:, 0, :, 0],
                            penalty, folds)
    print(format_table([{"C": f"{C:.3g}", "clogit": f"{ours_gaps[k]:.1e}",
                         "sklearn": f"{theirs_gaps[k]:.1e}"}
                        for k, C in enumerate(Cs)],
                       [("C", "C", ">"), ("clogit", "clogit gap", ">"),
                        ("sklearn", f"{solver} gap", ">")]))
    print(format_table([
        {"lib": f"clogit LogisticRegressionCV (tol={clogit_tol:g})",
         "s": f"{clogit_seconds:.3f}",
         "ratio": f"{clogit_seconds / sklearn_seconds:.3f}x",
         "C": f"{ours.C_:.3g}", "gap": f"{ours_gaps.max():.1e}"},
        {"lib": f"scikit-learn ({solver}, tol=1e-4)",
         "s": f"{sklearn_seconds:.3f}", "ratio": "1.000x",
         "C": f"{theirs.C_:.3g}", "gap": f"{theirs_gaps.max():.1e}"}],
        [("lib", "library", "<"), ("s", "median s", ">"),
         ("ratio", "time / sklearn", ">"), ("C", "chosen C", ">"),
         ("gap", "max rel. gap", ">")]))
    return clogit_seconds / sklearn_seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="one run each, smaller l1 and text tasks")
    parser.add_argument("--task", action="append", choices=TASKS,
                        help="run only this task (repeatable; default: all)")
    parser.add_argument("--runs", type=int, default=None,
                        help="timed runs of each library (default: 1 with "
                        "--quick, else 3)")
    args = parser.parse_args()
    runs = args.runs or (1 if args.quick else 3)
    tasks = set(args.task or TASKS)
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    summary = {}
    if "breast_cancer" in tasks:
        summary["breast_cancer l1 path+CV / glmnet"] = l1_path_vs_glmnet(
            "breast_cancer (569 x 30)", X, y, runs, glmnet_tol=1e-7)
    if "cv_l1" in tasks:
        summary["breast_cancer CV l1 / sklearn saga"] = cv_vs_sklearn(
            "breast_cancer", X, y, runs, "l1")
    if "cv_l2" in tasks:
        summary["breast_cancer CV l2 / sklearn lbfgs"] = cv_vs_sklearn(
            "breast_cancer", X, y, runs, "l2")

    n, p = (10_000, 400) if args.quick else (50_000, 2_000)
    if "dense" in tasks:
        dense_task(n, p, runs, summary)
    if "text" in tasks:
        text_task(args.quick, runs, summary)

    print("\n== summary: time ratios ==")
    for key, value in summary.items():
        print(f"{key:45s} {'skipped' if value is None else f'{value:.3f}x'}")


def dense_task(n, p, runs, summary):
    problem = make_problem(n, p, seed=3)
    # a sparse truth: 20 informative features
    rng = np.random.default_rng(3)
    w = np.zeros(p)
    w[rng.choice(p, 20, replace=False)] = rng.standard_normal(20)
    z = problem.X @ w
    y_sparse = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(float)
    summary[f"dense {n}x{p} l1 path+CV / glmnet"] = l1_path_vs_glmnet(
        f"dense l1 task ({n} x {p}, 20 informative)", problem.X, y_sparse,
        runs, glmnet_tol=1e-7)


def text_task(quick, runs, summary):
    n_docs, n_terms = (20_000, 5_000) if quick else (100_000, 20_000)
    Xt, yt = make_text_problem(n=n_docs, p=n_terms, seed=1)
    summary[f"text {n_docs}x{n_terms} l1 path+CV / glmnet"] = (
        l1_path_vs_glmnet(f"sparse text task ({n_docs} x {n_terms}, CSR)",
                          sp.csr_matrix(Xt), yt, runs, glmnet_tol=1e-7,
                          clogit_tol=CLOGIT_TEXT_PATH_TOL))
    summary[f"text {n_docs}x{n_terms} full path / glmnet "
            f"tol={GLMNET_TIGHT_TOLS[-1]:g}"] = full_path_at_equal_accuracy(
        f"sparse text task ({n_docs} x {n_terms}, CSR)", sp.csr_matrix(Xt),
        yt, runs, GLMNET_TIGHT_TOLS, CLOGIT_TEXT_PATH_TOL)


if __name__ == "__main__":
    main()
