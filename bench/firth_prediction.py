"""Firth's method on rare events, and prediction intervals on a million
rows (issue 17).

1. **Firth fit**, 100,000 x 50 dense standardized features, labels from a
   logistic model with intercept -5.8 (about 0.5 % positives,
   ``_common.make_problem``).  No library among the anchors fits Firth's
   model natively (R's logistf is not reachable here), so the reference is
   a plain numpy/scipy implementation of the same objective ``-l - 1/2
   log det I``: scipy's L-BFGS-B with the exact gradient (the modified
   score, leverages from a Cholesky factor and an n x k temporary per
   evaluation).  Timed from raw X and y to the estimate; the table shows
   the objective each reached (``gap``: relative to the lower) and the
   largest modified-score component.  For scale: clogit's and
   statsmodels' unpenalized fits of the same data.
2. **get_prediction**, 1,000,000 new rows x 50 features: predicted
   probabilities, standard errors and 95 % intervals
   (``get_prediction(X).summary_frame()``) of the unpenalized fit of part
   1 (both solved to tight tolerances before the timing), clogit against
   statsmodels' ``Logit.get_prediction`` on the same rows (its exog with
   the constant built outside the timing); the table shows the largest
   relative difference of the standard errors.

Run from the repository root::

    PYTHONPATH=src python bench/firth_prediction.py            # 3 rounds
    PYTHONPATH=src python bench/firth_prediction.py --quick    # 1 round
"""

import os
import sys

import numpy as np
from scipy.optimize import minimize

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _common import format_table, make_problem, time_round_robin  # noqa: E402
from run import limited_threads, parse_script_args  # noqa: E402

N_SAMPLES, N_FEATURES = 100_000, 50
INTERCEPT = -5.8
N_PREDICT = 1_000_000


def firth_objective_and_score(theta, Xt, y):
    """``f = -l - 1/2 log det I`` and its gradient ``-U*`` with numpy (the
    reference implementation)."""
    z = Xt @ theta
    p = 0.5 * (1.0 + np.tanh(0.5 * z))
    w = p * (1.0 - p)
    info = Xt.T @ (w[:, None] * Xt)
    L = np.linalg.cholesky(info)
    solved = np.linalg.solve(L, (np.sqrt(w)[:, None] * Xt).T)
    hat = np.sum(solved * solved, axis=0)
    loglik = float(np.sum(y * z - np.logaddexp(0.0, z)))
    f = -loglik - float(np.sum(np.log(np.diag(L))))
    score = Xt.T @ (y - p + hat * (0.5 - p))
    return f, -score


def main():
    args, limit, note = parse_script_args(__doc__.splitlines()[0],
                                          "1 round instead of 3")

    import statsmodels.api as sm

    import clogit

    problem = make_problem(N_SAMPLES, N_FEATURES, seed=0,
                           intercept=INTERCEPT)
    X, y = problem.X, problem.y
    Xt = np.column_stack([np.ones(N_SAMPLES), X])
    X1 = sm.add_constant(X)
    share = float(y.mean())

    def clogit_firth():
        est = clogit.LogisticRegression(penalty="firth").fit(X, y)
        return np.r_[est.intercept_, est.coef_[0]], int(est.n_iter_[0])

    def scipy_firth():
        start = np.zeros(N_FEATURES + 1)
        start[0] = np.log(share / (1.0 - share))
        res = minimize(firth_objective_and_score, start, args=(Xt, y),
                       jac=True, method="L-BFGS-B",
                       options={"maxiter": 2000, "gtol": 1e-8 * N_SAMPLES,
                                "ftol": 1e-15})
        return res.x, int(res.nit)

    def clogit_mle():
        est = clogit.LogisticRegression(penalty=None).fit(X, y)
        return np.r_[est.intercept_, est.coef_[0]], int(est.n_iter_[0])

    def statsmodels_mle():
        res = sm.Logit(y, X1).fit(method="newton", disp=0)
        return np.asarray(res.params), int(res.mle_retvals["iterations"])

    fits = {"clogit firth": clogit_firth, "scipy L-BFGS firth": scipy_firth,
            "clogit MLE": clogit_mle, "statsmodels MLE": statsmodels_mle}

    rng = np.random.default_rng(1)
    X_new = rng.standard_normal((N_PREDICT, N_FEATURES))
    X_new1 = sm.add_constant(X_new)  # statsmodels' exog, outside timing
    # the models whose predictions are timed, solved tightly (outside the
    # timing) so that their figures agree to the digits shown
    model = clogit.LogisticRegression(penalty=None, tol=1e-10).fit(X, y)
    reference = sm.Logit(y, X1).fit(method="newton", disp=0, tol=1e-12)

    def clogit_prediction():
        return model.results_.get_prediction(X_new).summary_frame()

    def statsmodels_prediction():
        return reference.get_prediction(X_new1).summary_frame()

    predictions = {"clogit get_prediction": clogit_prediction,
                   "statsmodels get_prediction": statsmodels_prediction}
    # warm-up: imports, pools
    clogit.LogisticRegression(penalty="firth").fit(X[:2000], y[:2000])
    model.results_.get_prediction(X_new[:1000]).summary_frame()

    rounds = 1 if args.quick else 3
    with limited_threads(limit):
        timings = time_round_robin(fits, repeats=rounds, budget=300.0)
        predicted = time_round_robin(predictions, repeats=rounds,
                                     budget=120.0)

    objectives = {name: firth_objective_and_score(timings[name].output[0],
                                                  Xt, y)
                  for name in ("clogit firth", "scipy L-BFGS firth")}
    best = min(f for f, _ in objectives.values())
    rows = []
    for name, timing in timings.items():
        theta, n_iter = timing.output
        row = {"fit": name, "median": f"{timing.median:.3f}",
               "runs": str(len(timing.times)), "iter": str(n_iter),
               "gap": "", "score": "",
               "ratio": f"{timing.median / timings['clogit firth'].median:.2f}"}
        if name in objectives:
            f, gradient = objectives[name]
            row["gap"] = f"{(f - best) / abs(best):.1e}"
            row["score"] = f"{np.max(np.abs(gradient)) / N_SAMPLES:.1e}"
        rows.append(row)
    print(f"Firth fit, {N_SAMPLES:,} x {N_FEATURES}, {100 * share:.2f} % "
          f"positives (threads: {note})")
    print(format_table(rows, [
        ("fit", "fit", "<"), ("median", "median s", ">"),
        ("runs", "runs", ">"), ("iter", "iter", ">"),
        ("ratio", "/ clogit firth", ">"),
        ("gap", "objective gap", ">"),
        ("score", "max|U*|/n", ">")]))

    ours = predicted["clogit get_prediction"]
    theirs = predicted["statsmodels get_prediction"]
    se_gap = np.max(np.abs(ours.output["se"].to_numpy()
                           - theirs.output["se"].to_numpy())
                    / theirs.output["se"].to_numpy())
    print()
    print(f"get_prediction(X).summary_frame(), {N_PREDICT:,} x "
          f"{N_FEATURES} (threads: {note})")
    print(format_table([
        {"what": "clogit", "median": f"{ours.median:.3f}",
         "runs": str(len(ours.times)),
         "ratio": f"{ours.median / theirs.median:.3f}",
         "se": f"{se_gap:.1e}"},
        {"what": "statsmodels", "median": f"{theirs.median:.3f}",
         "runs": str(len(theirs.times)), "ratio": "1", "se": ""}], [
        ("what", "get_prediction", "<"), ("median", "median s", ">"),
        ("runs", "runs", ">"), ("ratio", "clogit / statsmodels", ">"),
        ("se", "max rel. se diff", ">")]))


if __name__ == "__main__":
    main()
