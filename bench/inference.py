"""A fit with inference against statsmodels (issue 16): unpenalized
logistic regression and its standard errors, classical and robust (HC1).

Task: 200,000 x 50 dense standardized features (``_common.make_problem``),
labels from a logistic model.  Timed, in rounds (``time_round_robin``),
from raw X and y to the standard errors and p-values:

* ``clogit nonrobust``: ``LogisticRegression(penalty=None).fit(X, y)``,
  then ``results_.bse`` / ``.pvalues`` (the covariance from Newton's
  final Cholesky factor: no pass over X after the fit);
* ``clogit HC1``: ``cov_type="HC1"`` (the meat in one more pass, by
  blocked dsyrk);
* ``statsmodels nonrobust`` / ``HC1``: ``sm.Logit(y, X1).fit(
  method="newton", cov_type=...)`` then ``.bse`` / ``.pvalues``, with
  ``X1 = sm.add_constant(X)`` built outside the timing.

Both solve to their default tolerance; the table shows that they reach the
same estimate (largest relative difference of the coefficients and of the
standard errors) and the ratio of clogit's median time to statsmodels' for
the same covariance (the issue's bar: at most 0.2).  ``--threads`` as in
``bench/run.py`` (default "auto": one BLAS thread when the machine is
already busy).

Run from the repository root::

    PYTHONPATH=src python bench/inference.py            # 5 rounds
    PYTHONPATH=src python bench/inference.py --quick    # 2 rounds
"""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _common import FitOutput, format_table, make_problem, time_round_robin  # noqa: E402,E501
from run import limited_threads, parse_script_args  # noqa: E402

N_SAMPLES, N_FEATURES = 200_000, 50
COV_TYPES = ("nonrobust", "HC1")


def _clogit_fit(X, y, cov_type):
    import clogit

    def fit():
        est = clogit.LogisticRegression(penalty=None, cov_type=cov_type)
        est.fit(X, y)
        res = est.results_
        bse, pvalues = res.bse, res.pvalues
        return FitOutput(coef=est.coef_[0], intercept=est.intercept_[0],
                         n_iter=int(est.n_iter_[0]),
                         converged=bool(est.converged_)), (bse, pvalues)
    return fit


def _statsmodels_fit(X1, y, cov_type):
    import statsmodels.api as sm

    def fit():
        res = sm.Logit(y, X1).fit(method="newton", disp=0,
                                  cov_type=cov_type)
        bse, pvalues = res.bse, res.pvalues
        return FitOutput(coef=res.params[1:], intercept=res.params[0],
                         n_iter=int(res.mle_retvals["iterations"]),
                         converged=bool(res.mle_retvals["converged"])), \
            (bse, pvalues)
    return fit


def main():
    args, limit, note = parse_script_args(__doc__.splitlines()[0],
                                          "2 rounds instead of 5")

    import statsmodels.api as sm

    problem = make_problem(N_SAMPLES, N_FEATURES, seed=0)
    X, y = problem.X, problem.y
    X1 = sm.add_constant(X)  # statsmodels' design, outside the timing
    fits = {}
    for cov_type in COV_TYPES:
        fits[f"clogit {cov_type}"] = _clogit_fit(X, y, cov_type)
        fits[f"statsmodels {cov_type}"] = _statsmodels_fit(X1, y, cov_type)
    # warm-up on a slice: imports, thread pools
    for cov_type in COV_TYPES:
        _clogit_fit(X[:2000], y[:2000], cov_type)()
        _statsmodels_fit(X1[:2000], y[:2000], cov_type)()

    rounds = 2 if args.quick else 5
    with limited_threads(limit):
        timings = time_round_robin(
            {name: (lambda f=f: f()) for name, f in fits.items()},
            repeats=rounds, budget=120.0)

    rows = []
    for cov_type in COV_TYPES:
        ours = timings[f"clogit {cov_type}"]
        theirs = timings[f"statsmodels {cov_type}"]
        (fit_a, (bse_a, _)), (fit_b, (bse_b, _)) = ours.output, theirs.output
        params_a = np.r_[fit_a.intercept, fit_a.coef]
        params_b = np.r_[fit_b.intercept, fit_b.coef]
        coef_gap = np.max(np.abs(params_a - params_b) / np.abs(params_b))
        bse_gap = np.max(np.abs(np.asarray(bse_a) - np.asarray(bse_b))
                         / np.asarray(bse_b))
        for name, timing, fit in ((f"clogit {cov_type}", ours, fit_a),
                                  (f"statsmodels {cov_type}", theirs,
                                   fit_b)):
            is_ours = name.startswith("clogit")
            rows.append({
                "fit": name, "median": f"{timing.median:.3f}",
                "runs": str(len(timing.times)), "iter": str(fit.n_iter),
                "ratio": (f"{ours.median / theirs.median:.3f}" if is_ours
                          else "1"),
                "coef": f"{coef_gap:.1e}" if is_ours else "",
                "bse": f"{bse_gap:.1e}" if is_ours else "",
            })
    print(f"fit with inference, {N_SAMPLES:,} x {N_FEATURES} "
          f"(threads: {note})")
    print(format_table(rows, [
        ("fit", "fit", "<"), ("median", "median s", ">"),
        ("runs", "runs", ">"), ("iter", "iter", ">"),
        ("ratio", "clogit / statsmodels", ">"),
        ("coef", "max rel. coef diff", ">"),
        ("bse", "max rel. bse diff", ">")]))


if __name__ == "__main__":
    main()
