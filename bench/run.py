"""clogit's main benchmark: binary logistic regression against the anchors.

Times, on the same dense synthetic data in one run,

- ``clogit.LogisticRegression(C=1, solver="newton")``,
- scikit-learn's ``LogisticRegression`` with solvers "lbfgs" and
  "newton-cholesky",
- statsmodels ``Logit(...).fit(method="newton")`` (penalty None only; skipped
  when statsmodels is not installed),
- the peers of the ``[bench]`` extra, each skipped with a message when not
  installed: glum's ``GeneralizedLinearRegressor`` (binomial, its default
  IRLS solver), scikit-learn-intelex's ``LogisticRegression`` (oneDAL
  lbfgs) and cyanure's ``Classifier`` (logistic loss),

for the l2 penalty (C = 1) and for no penalty, and reports for each solver
the median wall time of several fits, its ratio to scikit-learn's fastest
solver on the same problem, its ratio to one ``dsyrk`` of ``Xᵀ X`` on the
same X (the floor a Newton iteration cannot beat), the iterations it ran and
its relative objective gap ``(f - f_ref) / |f_ref|``.  Every solver is given
a tolerance that reaches the same optimum; the gap column proves it.

The objective is scikit-learn's ``f = C * sum_i logloss_i + |w|^2 / 2`` (the
last term only for l2; intercept never penalized).  ``f_ref`` is the smallest
objective found, by the solvers or by a reference clogit fit with
``tol=1e-12``.

Usage, from the repository root with clogit installed::

    python bench/run.py --quick       # 3 runs each; about a minute
    python bench/run.py               # 5 runs each; several minutes
    python bench/run.py --threads 1 --json results.json
    python bench/run.py --sizes 100000x400 --threads none
    python bench/run.py --quick --figure docs/_static/readme/benchmark.png

Sizes default to 20,000x50, 50,000x100 and 200,000x200 (the headline),
after the small-data task: scikit-learn's breast_cancer (569 x 30,
standardized), where a fit takes about a millisecond and every solver is
timed ``SMALL_REPEATS`` times (``--no-breast-cancer`` skips it).
``--quick`` takes fewer runs, gives every solver at most a few seconds of
timed runs, and skips statsmodels on the largest problem (several seconds
per fit there).

The machine may be shared and noisy: only medians and ratios are reported,
the solvers' runs (and the dsyrk floor's) are interleaved round by round,
and nothing asserts a wall-clock time.  ``--threads auto`` (the default)
keeps each library's own BLAS threads unless the machine is already busy,
in which case everyone gets one thread (see :func:`choose_threads`).

``--figure PATH`` also draws the run's ratios against the two anchors
(matplotlib, PNG by PATH's suffix): per problem and penalty, every solver's
median time over scikit-learn's fastest solver's, and over one dsyrk of
``Xᵀ X``, both on log axes (see :func:`draw_figure`).
"""

import argparse
import contextlib
import json
import os
import platform
import statistics
import sys
import time
import warnings

import numpy as np

from _common import (
    FitOutput,
    check_dsyrk_orientation,
    dsyrk_gram,
    format_table,
    breast_cancer_problem,
    make_problem,
    objective,
    time_dsyrk,
    time_round_robin,
)

try:
    import clogit
except ImportError as exc:  # not installed, or compiled extensions missing
    sys.exit(
        "bench/run.py: cannot import clogit "
        f"({type(exc).__name__}: {exc}).\n"
        "Install it from the repository root first, e.g.\n"
        "    pip install -e .\n"
        "or build the extensions in place and point Python at the sources:\n"
        "    python setup.py build_ext --inplace\n"
        "    PYTHONPATH=src python bench/run.py --quick"
    )

import sklearn
from sklearn.linear_model import LogisticRegression as SkLogisticRegression

try:
    import statsmodels
    import statsmodels.api as sm
except ImportError:
    statsmodels = None

try:
    import threadpoolctl
except ImportError:
    threadpoolctl = None


def _optional(module):
    """``module`` imported, or None when it is not installed (an anchor
    skipped with a message in the run's header)."""
    import importlib
    try:
        return importlib.import_module(module)
    except ImportError:
        return None


def _distribution_version(name):
    from importlib import metadata
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


# The peers beyond scikit-learn and statsmodels (the [bench] extra): each
# is skipped, with a message, when it is not installed.
glum = _optional("glum")
sklearnex_linear_model = _optional("sklearnex.linear_model")
cyanure_estimators = _optional("cyanure.estimators")
PEERS = {"glum": glum, "scikit-learn-intelex": sklearnex_linear_model,
         "cyanure": cyanure_estimators}


# --------------------------------------------------------------------------
# Settings
# --------------------------------------------------------------------------
# Problem sizes (n_samples, n_features); the last is the headline one.
SIZES = [(20_000, 50), (50_000, 100), (200_000, 200)]
# Problems with at most this many entries of X (breast_cancer, the
# small-data latency task run before the sizes) are timed SMALL_REPEATS
# times: a fit takes about a millisecond there, and the median of a few
# runs on a shared machine says little.
SMALL_ENTRIES = 100_000
SMALL_REPEATS = {"quick": 101, "full": 501}
PENALTIES = ("l2", None)
C = 1.0

# Tolerances chosen (by measurement on these problems) so that every solver
# reaches a relative objective gap of about 1e-8 or better.
CLOGIT_TOL = 1e-8           # max|grad| / (C n) and Newton decrement
SK_NEWTON_TOL = 1e-8        # newton-cholesky: max|grad| of the mean loss
SK_LBFGS_TOL = 1e-10        # lbfgs needs a much smaller tol ...
SK_LBFGS_MAX_ITER = 10_000  # ... and room to use it
SM_TOL = 1e-8               # statsmodels newton: change in the parameters
GLUM_TOL = 1e-10            # glum: max|grad| of its mean objective
CYANURE_TOL = 1e-10         # cyanure: its relative duality gap
REFERENCE_TOL = 1e-12       # the untimed clogit reference fit

# Timed runs per solver, and seconds of timed runs after which a slow
# solver gets no further run.
REPEATS = {"quick": 3, "full": 5}
BUDGET = {"quick": 8.0, "full": 60.0}
# dsyrk calls timed before the solvers (one more runs in each round).
DSYRK_REPEATS = {"quick": 3, "full": 5}
# In --quick: seconds after the start past which every remaining solver
# runs once only, and statsmodels only on problems up to this many entries
# of X (it takes several seconds per fit on 200,000 x 200).
QUICK_DEADLINE = 75.0
QUICK_STATSMODELS_MAX_ENTRIES = 5_000_000
# Ratio of the upper to the lower quartile of a problem's dsyrk samples
# above which the run is flagged as disturbed by other load (quiet runs
# here stay below 1.2; busy ones reach 2.5-11).
NOISY_SPREAD = 2.0


# --------------------------------------------------------------------------
# Solvers.  prepare(problem) builds each library's preferred layout once,
# outside the timing; fit(data) is what gets timed.
# --------------------------------------------------------------------------
def _clogit_fit(penalty, tol=CLOGIT_TOL, solver="newton"):
    def fit(data):
        X, y = data
        clf = clogit.LogisticRegression(
            penalty=penalty, C=C, solver=solver, tol=tol, max_iter=1000
        ).fit(X, y)
        return FitOutput(clf.coef_[0].copy(), float(clf.intercept_[0]),
                         int(clf.n_iter_[0]), bool(clf.converged_))
    return fit


def _sklearn_fit(penalty, solver):
    # scikit-learn >= 1.8: l2 is the default, and "no penalty" is C=inf.
    C_sk = C if penalty == "l2" else np.inf
    if solver == "lbfgs":
        params = dict(tol=SK_LBFGS_TOL, max_iter=SK_LBFGS_MAX_ITER)
    else:
        params = dict(tol=SK_NEWTON_TOL, max_iter=100)

    def fit(data):
        X, y = data
        clf = SkLogisticRegression(C=C_sk, solver=solver, **params).fit(X, y)
        n_iter = int(clf.n_iter_[0])
        return FitOutput(clf.coef_[0].copy(), float(clf.intercept_[0]),
                         n_iter, n_iter < params["max_iter"])
    return fit


def _glum_fit(penalty):
    # glum minimizes mean(s * deviance / 2) + alpha / 2 |w|^2 with the
    # deviance / 2 of the binomial family equal to the log loss, so
    # alpha = 1 / (C n) is scikit-learn's objective divided by C n.
    def fit(data):
        X, y = data
        alpha = 1.0 / (C * X.shape[0]) if penalty == "l2" else 0.0
        model = glum.GeneralizedLinearRegressor(
            family="binomial", alpha=alpha, l1_ratio=0.0,
            gradient_tol=GLUM_TOL, max_iter=1000).fit(X, y)
        return FitOutput(np.asarray(model.coef_).copy(),
                         float(model.intercept_), int(model.n_iter_),
                         int(model.n_iter_) < 1000)
    return fit


def _intelex_fit(penalty):
    # scikit-learn-intelex's LogisticRegression: scikit-learn's API and
    # objective, the oneDAL kernels (lbfgs)
    def fit(data):
        X, y = data
        params = (dict(C=C) if penalty == "l2" else dict(C=np.inf))
        with warnings.catch_warnings():
            # sklearnex speaks when it falls back to scikit-learn
            warnings.simplefilter("ignore", UserWarning)
            clf = sklearnex_linear_model.LogisticRegression(
                tol=SK_LBFGS_TOL, max_iter=SK_LBFGS_MAX_ITER,
                **params).fit(X, y)
        n_iter = int(np.max(clf.n_iter_))
        return FitOutput(clf.coef_[0].copy(), float(clf.intercept_[0]),
                         n_iter, n_iter < SK_LBFGS_MAX_ITER)
    return fit


def _cyanure_fit(penalty):
    # cyanure minimizes mean(log loss) + lambda_1 / 2 |w|^2 (intercept not
    # penalized): lambda_1 = 1 / (C n)
    def fit(data):
        X, y = data
        if penalty == "l2":
            params = dict(penalty="l2", lambda_1=1.0 / (C * X.shape[0]))
        else:
            params = dict(penalty="none", lambda_1=0.0)
        clf = cyanure_estimators.Classifier(
            loss="logistic", fit_intercept=True, tol=CYANURE_TOL,
            max_iter=1000, verbose=False, **params).fit(X, y)
        n_iter = int(np.max(getattr(clf, "n_iter_", 0)))
        return FitOutput(np.ravel(clf.coef_).copy(),
                         float(np.ravel(clf.intercept_)[0]), n_iter,
                         n_iter < 1000)
    return fit


def _statsmodels_prepare(problem):
    # statsmodels wants the constant as a column of exog: build the
    # n x (p+1) C-ordered design once, outside the timing.
    return sm.add_constant(problem.X, prepend=False), problem.y


def _statsmodels_fit(data):
    exog, y = data
    res = sm.Logit(y, exog).fit(method="newton", tol=SM_TOL, maxiter=100,
                                disp=0)
    params = np.asarray(res.params)
    return FitOutput(params[:-1].copy(), float(params[-1]),
                     int(res.mle_retvals["iterations"]),
                     bool(res.mle_retvals["converged"]))


def _same_data(problem):
    # clogit and scikit-learn both work best on the C-ordered float64 X
    # as generated (measured: Fortran order is no faster for either).
    return problem.X, problem.y


def solvers_for(penalty):
    """Return ``[(name, library, prepare, fit), ...]`` for one penalty."""
    out = [
        ("clogit newton", "clogit", _same_data, _clogit_fit(penalty)),
        # the same Cython objective/gradient pass under scipy's L-BFGS-B:
        # on well-conditioned data (these) fewer flops than any Newton
        ("clogit lbfgs", "clogit", _same_data,
         _clogit_fit(penalty, solver="lbfgs")),
        ("sklearn lbfgs", "sklearn", _same_data,
         _sklearn_fit(penalty, "lbfgs")),
        ("sklearn newton-cholesky", "sklearn", _same_data,
         _sklearn_fit(penalty, "newton-cholesky")),
    ]
    if penalty is None and statsmodels is not None:
        out.append(("statsmodels newton", "statsmodels",
                    _statsmodels_prepare, _statsmodels_fit))
    if glum is not None:
        out.append(("glum irls", "glum", _same_data, _glum_fit(penalty)))
    if sklearnex_linear_model is not None:
        out.append(("intelex lbfgs", "scikit-learn-intelex", _same_data,
                    _intelex_fit(penalty)))
    if cyanure_estimators is not None:
        out.append(("cyanure", "cyanure", _same_data,
                    _cyanure_fit(penalty)))
    return out


# --------------------------------------------------------------------------
# Running
# --------------------------------------------------------------------------
def _penalty_name(penalty):
    return "l2" if penalty == "l2" else "none"


def warm_up():
    """Run every solver once on a small problem before anything is timed.

    Loads the BLAS libraries, starts their thread pools (the problem is
    large enough for clogit to split its rows over threads) and imports the
    solvers' lazily imported modules, so that no timed run pays for it.
    """
    check_dsyrk_orientation()
    problem = make_problem(20_000, 50, seed=12345)
    time_dsyrk(problem.X, 1)
    for penalty in PENALTIES:
        for _, _, prepare, fit in solvers_for(penalty):
            time_round_robin({"w": lambda: fit(prepare(problem))}, 1, 0.0)


def bench_problem(problem, mode, log, deadline=None, penalties=PENALTIES):
    """Time all solvers on one problem.

    For each penalty: an untimed reference fit (clogit, ``tol=1e-12``),
    then the solvers' timed runs, interleaved round by round with one
    ``dsyrk`` of ``Xᵀ X`` per round, so that the floor is measured under
    the same machine load as the solvers.  The floor is the median of all
    dsyrk samples of the problem.

    Returns
    -------
    list of dict
        One record per (penalty, solver).
    """
    n, p = problem.shape
    syrk_times = time_dsyrk(problem.X, DSYRK_REPEATS[mode])
    gram = dsyrk_gram(problem.X)
    with_statsmodels = (mode == "full"
                        or n * p <= QUICK_STATSMODELS_MAX_ENTRIES)
    raw = []
    for penalty in penalties:
        penalized = penalty == "l2"

        def f(out):
            return objective(problem, out.coef, out.intercept, C=C,
                             penalized=penalized)

        ref = _clogit_fit(penalty, tol=REFERENCE_TOL)((problem.X, problem.y))
        f_ref = f(ref)

        specs = solvers_for(penalty)
        if not with_statsmodels and any(s[1] == "statsmodels" for s in specs):
            log(f"  {problem.label}: statsmodels skipped in --quick "
                "(several seconds per fit at this size)")
            specs = [s for s in specs if s[1] != "statsmodels"]
        fits = {"dsyrk": gram}
        for name, _, prepare, fit in specs:
            data = prepare(problem)
            fits[name] = (lambda fit=fit, data=data: fit(data))
        repeats = (SMALL_REPEATS[mode] if n * p <= SMALL_ENTRIES
                   else REPEATS[mode])
        timings = time_round_robin(fits, repeats, BUDGET[mode], deadline)
        syrk_times.extend(timings.pop("dsyrk").times)
        for name, _, _, _ in specs:
            log(f"  {problem.label} {_penalty_name(penalty):4s} {name:24s} "
                f"{timings[name].median:8.3f} s  "
                f"({len(timings[name].times)} runs)")
        raw.append((penalty, specs, timings,
                    [f(timings[name].output) for name, _, _, _ in specs],
                    f_ref))

    t_syrk = statistics.median(syrk_times)
    q1, _, q3 = statistics.quantiles(syrk_times, n=4)
    spread = q3 / q1
    log(f"  {problem.label} one dsyrk (Xᵀ X) {t_syrk:.4f} s "
        f"(median of {len(syrk_times)}, quartile ratio {spread:.1f})")
    records = []
    for penalty, specs, timings, fvals, f_ref in raw:
        f_best = min([f_ref] + fvals)
        sk_best = min(timings[name].median for name, library, _, _ in specs
                      if library == "sklearn")
        peer_best = min(timings[name].median for name, library, _, _ in specs
                        if library != "clogit")
        for (name, library, _, _), fval in zip(specs, fvals):
            t = timings[name]
            out = t.output
            records.append(dict(
                n_samples=n, n_features=p, size=problem.label,
                penalty=_penalty_name(penalty), solver=name,
                library=library, runs=len(t.times), times=t.times,
                median=t.median, ratio_sklearn_best=t.median / sk_best,
                ratio_best_peer=t.median / peer_best,
                ratio_dsyrk=t.median / t_syrk, dsyrk_seconds=t_syrk,
                dsyrk_times=syrk_times, dsyrk_spread=spread,
                n_iter=out.n_iter, converged=out.converged,
                objective=fval, objective_ref=f_best,
                gap=(fval - f_best) / abs(f_best),
                warnings=t.warnings,
            ))
    return records


def render(records):
    """Format the result records as the printed table."""
    rows = []
    previous = None
    for r in records:
        group = (r["size"], r["penalty"])
        per_iter = (f"{r['median'] / r['n_iter'] / r['dsyrk_seconds']:.2f}"
                    if r["n_iter"] else "-")
        notes = []
        if r["converged"] is False:
            notes.append("not converged")
        notes.extend(r["warnings"])
        rows.append(dict(
            size=r["size"] if group != previous else "",
            penalty=r["penalty"] if group != previous else "",
            solver=r["solver"],
            runs=str(r["runs"]),
            median=(f"{r['median']:.3f}" if r["median"] >= 0.01
                    else f"{r['median']:.5f}"),
            vs_sk=f"{r['ratio_sklearn_best']:.2f}",
            vs_peer=f"{r['ratio_best_peer']:.2f}",
            vs_syrk=f"{r['ratio_dsyrk']:.1f}",
            n_iter="-" if r["n_iter"] is None else str(r["n_iter"]),
            per_iter=per_iter,
            gap=f"{r['gap']:.1e}",
            notes=", ".join(notes),
        ))
        previous = group
    columns = [
        ("size", "size", "<"),
        ("penalty", "penalty", "<"),
        ("solver", "solver", "<"),
        ("runs", "runs", ">"),
        ("median", "median s", ">"),
        ("vs_sk", "/sk best", ">"),
        ("vs_peer", "/best peer", ">"),
        ("vs_syrk", "/dsyrk", ">"),
        ("n_iter", "iter", ">"),
        ("per_iter", "dsyrk/iter", ">"),
        ("gap", "obj gap", ">"),
        ("notes", "notes", "<"),
    ]
    return format_table(rows, columns)


def environment():
    """Versions, cores and BLAS thread pools, for the header and JSON."""
    env = dict(
        python=platform.python_version(),
        machine=platform.machine(),
        cpu_count=os.cpu_count(),
        usable_cores=(len(os.sched_getaffinity(0))
                      if hasattr(os, "sched_getaffinity")
                      else os.cpu_count()),
        numpy=np.__version__,
        scipy=__import__("scipy").__version__,
        sklearn=sklearn.__version__,
        statsmodels=statsmodels.__version__ if statsmodels else None,
        peers={name: _distribution_version(name) if module else None
               for name, module in PEERS.items()},
        clogit=clogit.__version__,
    )
    if threadpoolctl is not None:
        # architecture: the core type OpenBLAS chose its kernels for
        # (threadpoolctl's name), which need not be the CPU's own family
        env["blas"] = [
            dict(api=i.get("internal_api"), threads=i.get("num_threads"),
                 library=os.path.basename(i.get("filepath", "")),
                 architecture=i.get("architecture"))
            for i in threadpoolctl.threadpool_info()
        ]
    return env


def cpu_model():
    """The CPU's model name (Linux's /proc/cpuinfo), else the platform's."""
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


# colours of the libraries in the figure
LIBRARY_COLOURS = {"clogit": "tab:blue", "sklearn": "tab:orange",
                   "statsmodels": "tab:green", "glum": "tab:red",
                   "scikit-learn-intelex": "tab:purple",
                   "cyanure": "tab:brown"}
LIBRARY_NAMES = {"sklearn": "scikit-learn"}


def draw_figure(records, env, mode, path):
    """Draw the records' ratios against the anchors and save to ``path``.

    Two panels share the rows (one group per problem size and penalty, one
    row per solver): the median time over scikit-learn's fastest solver on
    the same problem (1 is parity, left of it faster), and over one dsyrk
    of ``Xᵀ X`` on the same X (the floor of a Newton iteration).  Log
    axes, each ratio a marker on a stem from 1, labelled with its value.
    The footer names the versions, the CPU, the cores and the BLAS
    (threadpoolctl's core type).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    groups = []
    for r in records:
        key = (r["size"], r["penalty"])
        if not groups or groups[-1][0] != key:
            groups.append((key, []))
        groups[-1][1].append(r)
    labels, positions, y, ticks = [], [], 0.0, []
    for (size, penalty), rows in groups:
        first = y
        for r in rows:
            positions.append((y, r))
            labels.append(r["solver"])
            y += 1.0
        ticks.append(((first + y - 1) / 2, f"{size}\n{penalty}"))
        y += 0.8
    fig, axes = plt.subplots(1, 2, figsize=(9.0, 0.28 * y + 1.6),
                             sharey=True)
    panels = (("ratio_best_peer", "time / the fastest other library's"),
              ("ratio_dsyrk", "time / one dsyrk of Xᵀ X"))
    # a ratio is drawn from 1 (parity with the anchor) to its value: on a
    # log axis a bar has no natural origin
    for ax, (field, title) in zip(axes, panels):
        for pos, r in positions:
            value = r[field]
            colour = LIBRARY_COLOURS.get(r["library"], "0.5")
            ax.hlines(pos, 1.0, value, color=colour, linewidth=2.5)
            ax.plot([value], [pos], "o", color=colour, markersize=4)
            ax.text(value * (1.06 if value >= 1 else 1 / 1.06), pos,
                    f"{value:.0f}" if value >= 10 else f"{value:.2f}",
                    va="center", fontsize=7,
                    ha="left" if value >= 1 else "right")
        ax.set_xscale("log")
        ax.set_title(title, fontsize=9)
        ax.axvline(1.0, color="0.3", linewidth=0.8, linestyle="dashed")
        lo = min(r[field] for _, r in positions)
        hi = max(r[field] for _, r in positions)
        ax.set_xlim(min(lo, 1.0) / 1.6, max(hi, 1.0) * 1.8)
        ax.xaxis.set_major_locator(matplotlib.ticker.LogLocator(
            subs=(1.0, 2.0, 5.0)))
        ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(
            lambda v, _: f"{v:g}"))
        ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        ax.tick_params(axis="x", labelsize=7)
    axes[0].set_yticks([pos for pos, _ in positions], labels, fontsize=7)
    axes[0].invert_yaxis()
    for centre, text in ticks:
        axes[1].annotate(text, xy=(1.0, centre), xycoords=("axes fraction",
                                                            "data"),
                         xytext=(4, 0), textcoords="offset points",
                         va="center", fontsize=7)
    shown = [library for library in LIBRARY_COLOURS
             if any(r["library"] == library for r in records)]
    handles = [plt.Line2D([], [], color=LIBRARY_COLOURS[library],
                          linewidth=2.5, marker="o", markersize=4)
               for library in shown]
    fig.legend(handles, [LIBRARY_NAMES.get(library, library)
                         for library in shown],
               fontsize=7, loc="lower right", ncols=min(len(shown), 6),
               frameon=False, bbox_to_anchor=(0.99, 0.025))
    # the BLAS pools (numpy's and scipy's copies alike, once), without the
    # OpenMP pool
    pools = sorted({(b["api"], b.get("architecture"), b["threads"])
                    for b in env.get("blas", []) if b["api"] != "openmp"},
                   key=str)
    blas = ", ".join(f"{api} ({arch or 'core type unknown'} kernels) "
                     f"x{threads} threads"
                     for api, arch, threads in pools) or "BLAS unknown"
    fig.text(0.01, 0.008,
             f"bench/run.py{' --quick' if mode == 'quick' else ''}: clogit "
             f"{env['clogit']}, scikit-learn {env['sklearn']}, statsmodels "
             f"{env['statsmodels'] or '-'}; {cpu_model()}, "
             f"{env['usable_cores']} cores; {blas}",
             fontsize=6, color="0.35")
    fig.tight_layout(rect=(0, 0.06, 0.93, 1))
    fig.savefig(path, dpi=90)
    plt.close(fig)


def parse_threads(text):
    """Parse ``--threads``: "auto", "none" or a positive integer."""
    if text in ("auto", "none"):
        return text
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(
            f"bad thread count {text!r}; expected auto, none or N >= 1")
    return value


def choose_threads(setting):
    """Resolve ``--threads`` into (limit or None, one-line explanation).

    "none" keeps every library's own threading.  An integer N limits every
    library to N cores: BLAS and OpenMP pools through threadpoolctl, and,
    on Linux, the process's CPU affinity to N cores, because clogit does
    not parallelize through BLAS (it runs BLAS single-threaded and splits
    the rows of X over a thread pool sized from the CPU affinity), so a
    BLAS limit alone would leave it all the cores.

    "auto" (the default) keeps the libraries' own threading unless the
    machine is already busy (1-minute load average >= cores); then BLAS
    gets one thread, each library's best setting on busy cores: measured
    here, a 2-thread OpenBLAS call on 2 cores that another process keeps
    busy can be 20-40 times slower than normal (dsyrk of 200,000 x 200:
    0.18 s -> 4-8 s; scikit-learn's newton-cholesky 2 s -> 26 s), because
    its threads wait on each other while descheduled, whereas one thread
    just shares the core.  clogit's row-parallel threads do not suffer
    from this and are left alone.
    """
    if setting == "none":
        return None, "library defaults (--threads none)"
    if setting != "auto":
        return setting, (f"{setting} (--threads {setting}: BLAS/OpenMP "
                         "pools and CPU affinity)")
    cores = os.cpu_count() or 1
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    if cores > 1 and load >= cores:
        if threadpoolctl is None:
            return None, (f"library defaults (load average {load:.2f} >= "
                          f"{cores} cores: timings will be noisy; install "
                          "threadpoolctl to let --threads auto limit them)")
        return 1, (f"1 BLAS thread (auto: load average {load:.2f} >= "
                   f"{cores} cores, and multi-threaded BLAS collapses on "
                   "busy cores; clogit's own row-parallel threads are not "
                   "limited; --threads none keeps library defaults)")
    return None, f"library defaults (auto: load average {load:.2f})"


def restrict_cores(n):
    """Pin the process to ``n`` of the cores it may use (Linux only).

    Returns the previous affinity set (to restore), or None if nothing was
    changed.
    """
    if not hasattr(os, "sched_setaffinity"):
        return None
    allowed = sorted(os.sched_getaffinity(0))
    if n >= len(allowed):
        return None
    os.sched_setaffinity(0, allowed[:n])
    return set(allowed)


@contextlib.contextmanager
def limited_threads(limit):
    """Run the block under ``choose_threads``' limit: BLAS/OpenMP pools
    limited by threadpoolctl and the process pinned to ``limit`` cores
    (both restored after); nothing is changed when ``limit`` is None."""
    if not isinstance(limit, int):
        yield
        return
    affinity = restrict_cores(limit)
    try:
        with threadpoolctl.threadpool_limits(limit):
            yield
    finally:
        if affinity is not None:
            os.sched_setaffinity(0, affinity)


def parse_script_args(description, quick_help):
    """The command line of a one-task benchmark script (``--quick`` and
    ``--threads``, as in this script); returns ``(args, limit, note)``
    with ``limit, note = choose_threads(args.threads)``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help=quick_help)
    parser.add_argument("--threads", type=parse_threads, default="auto",
                        help='"auto", "none" or a number of cores')
    args = parser.parse_args()
    return (args, *choose_threads(args.threads))


def parse_sizes(text):
    """Parse ``"20000x50,200000x200"`` into ``[(20000, 50), (200000, 200)]``."""
    sizes = []
    for item in text.split(","):
        try:
            n, p = (int(v.replace("_", "")) for v in item.lower().split("x"))
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"bad size {item!r}; expected NxP, e.g. 200000x200")
        if n < 2 or p < 1:
            raise argparse.ArgumentTypeError(f"bad size {item!r}")
        sizes.append((n, p))
    return sizes


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Benchmark clogit against scikit-learn and statsmodels.")
    parser.add_argument("--quick", action="store_true",
                        help="fewer repeats (3) and a smaller time budget "
                             "per solver, no statsmodels on the largest size")
    parser.add_argument("--threads", type=parse_threads, default="auto",
                        metavar="N|auto|none",
                        help="N: every library limited to N cores (BLAS "
                             "and OpenMP threads via threadpoolctl, and CPU "
                             "affinity); none: library defaults; auto "
                             "(default): library defaults, or 1 BLAS thread "
                             "if the machine is already busy")
    parser.add_argument("--sizes", type=parse_sizes, default=SIZES,
                        metavar="NxP[,NxP...]",
                        help="problem sizes (default: "
                             + ",".join(f"{n}x{p}" for n, p in SIZES) + ")")
    parser.add_argument("--no-breast-cancer", action="store_true",
                        help="skip the small-data task (breast_cancer, "
                             "569 x 30, standardized) run before the sizes")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of the synthetic data (default 0)")
    parser.add_argument("--json", metavar="PATH", default=None,
                        help="also write the results to PATH as JSON")
    parser.add_argument("--figure", metavar="PATH", default=None,
                        help="also draw the ratios against the anchors to "
                             "PATH (matplotlib; e.g. a .png)")
    args = parser.parse_args(argv)
    if args.figure:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            parser.error("--figure needs matplotlib installed")
    mode = "quick" if args.quick else "full"

    if isinstance(args.threads, int) and threadpoolctl is None:
        parser.error("--threads N needs threadpoolctl installed")
    threads, threads_note = choose_threads(args.threads)
    limiter = (threadpoolctl.threadpool_limits(limits=threads)
               if threads is not None else None)
    # An explicit --threads N also holds clogit's row-parallel pool to N
    # cores (see choose_threads); it must precede clogit's first fit.
    old_affinity = (restrict_cores(args.threads)
                    if isinstance(args.threads, int) else None)

    def log(msg):
        print(msg, flush=True)

    try:
        start = time.perf_counter()
        env = environment()
        log(f"clogit {env['clogit']} | scikit-learn {env['sklearn']} | "
            f"statsmodels {env['statsmodels'] or 'not installed'} | "
            f"numpy {env['numpy']} | scipy {env['scipy']} | "
            f"python {env['python']}")
        blas = ", ".join(f"{b['library']} ({b['architecture']}) "
                         f"x{b['threads']}"
                         for b in env.get("blas", [])) or "unknown"
        log(f"{env['cpu_count']} cores ({env['usable_cores']} usable); "
            f"mode: {mode}; C={C:g}")
        log(f"BLAS threads: {threads_note}")
        log(f"thread pools: {blas}")
        if statsmodels is None:
            log("statsmodels is not installed: its solver is skipped.")
        for name, module in PEERS.items():
            if module is None:
                log(f"{name} is not installed: its solver is skipped "
                    "(pip install '.[bench]').")
        log("warming up ...")
        warm_up()

        deadline = (start + QUICK_DEADLINE) if mode == "quick" else None
        records = []
        if not args.no_breast_cancer:
            # l2 only: without a penalty its classes are separable (no
            # finite optimum to time)
            records.extend(bench_problem(breast_cancer_problem(), mode, log,
                                         deadline, penalties=("l2",)))
        for n, p in args.sizes:
            problem = make_problem(n, p, seed=args.seed)
            records.extend(bench_problem(problem, mode, log, deadline))
            del problem
        wall = time.perf_counter() - start

        log("")
        log(render(records))
        log("")
        log("median s: median wall time of the timed fits (runs: how many); "
            "/sk best: ratio to scikit-learn's fastest solver on the same "
            "problem; /best peer: ratio to the fastest solver of any other "
            "library on the same "
            "problem; /dsyrk: ratio to one dsyrk computing Xᵀ X on the same "
            "X; dsyrk/iter: seconds per iteration in dsyrk units; obj gap: "
            "(f - f_ref) / |f_ref|.")
        noisy = sorted({r["size"] for r in records
                        if r["dsyrk_spread"] > NOISY_SPREAD})
        if noisy:
            hint = "" if threads == 1 else " (or with --threads 1)"
            log(f"warning: the dsyrk floor's quartiles differ more than "
                f"{NOISY_SPREAD:g}-fold on {', '.join(noisy)}: other load "
                "disturbed the run and its times (multi-threaded BLAS above "
                f"all) are unreliable; re-run on a quieter machine{hint}.")
        log(f"total wall time {wall:.1f} s")
    finally:
        if limiter is not None:
            limiter.restore_original_limits()
        if old_affinity is not None:
            os.sched_setaffinity(0, old_affinity)

    if args.json:
        with open(args.json, "w") as fh:
            json.dump(dict(environment=env, mode=mode,
                           threads=threads, threads_note=threads_note,
                           seed=args.seed, C=C,
                           wall_seconds=wall, results=records),
                      fh, indent=2)
        log(f"results written to {args.json}")
    if args.figure:
        draw_figure(records, env, mode, args.figure)
        log(f"figure written to {args.figure}")


if __name__ == "__main__":
    main()
