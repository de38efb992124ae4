"""Plots of fitted models (``pip install "clogit[plot]"``, matplotlib).

Each function draws on the given matplotlib Axes (a new figure's when
``ax`` is None) and returns it.  matplotlib is imported on first use, so
``import clogit.plot`` works without it and only drawing asks for it.
"""

from __future__ import annotations

from typing import Any


def _axes(ax: Any) -> Any:
    """``ax``, or the Axes of a new figure; a clear ImportError without
    matplotlib."""
    if ax is not None:
        return ax
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # matplotlib is an optional dependency
        raise ImportError(
            "clogit.plot needs matplotlib, which is not installed: "
            'pip install "clogit[plot]" (or matplotlib).') from exc
    _, ax = plt.subplots()
    return ax


def plot_path(path_or_cv: Any, ax: Any = None) -> Any:
    """Plot the coefficients against C (log scale).

    With a fitted :class:`clogit.LogisticRegressionCV`, also its mean CV
    score and the folds' spread (one standard deviation) on a second y
    axis, and the chosen C.

    Parameters
    ----------
    path_or_cv : RegularizationPath or fitted LogisticRegressionCV
        A :func:`clogit.regularization_path` result (its coefficients), or
        a fitted CV (the folds' mean coefficients at the chosen l1_ratio).
    ax : matplotlib Axes, optional
        Drawn on; a new figure's Axes when None.

    Returns
    -------
    matplotlib Axes
        The coefficient axes (the score axes is ``ax.right_ax`` for a CV).

    See Also
    --------
    clogit.regularization_path : Compute the path.
    clogit.LogisticRegressionCV : Choose C by cross-validation.
    """
    import numpy as np

    cv = None
    if hasattr(path_or_cv, "Cs") and hasattr(path_or_cv, "coefs"):
        Cs = np.asarray(path_or_cv.Cs, dtype=float)
        coefs = np.asarray(path_or_cv.coefs, dtype=float)
        if coefs.ndim == 2:
            coefs = coefs[:, None, :]  # (n_Cs, n_rows, n_features)
        labels = getattr(path_or_cv, "classes", None)
        if labels is None:
            labels = list(range(coefs.shape[1]))
    elif hasattr(path_or_cv, "Cs_") and hasattr(path_or_cv, "coefs_paths_"):
        cv = path_or_cv
        Cs = np.asarray(cv.Cs_, dtype=float)
        scores, paths, best_l1 = _cv_arrays(cv)
        n_features = cv.n_features_in_
        # (n_folds, n_Cs, n_rows, n_dof) -> mean over folds
        coefs = paths[:, best_l1].mean(axis=0)[..., :n_features]
        labels = cv.classes_
    else:
        raise TypeError(
            "plot_path takes a clogit.regularization_path result or a "
            f"fitted clogit.LogisticRegressionCV, got "
            f"{type(path_or_cv).__name__}.")
    order = np.argsort(Cs)
    ax = _axes(ax)
    n_rows = coefs.shape[1]
    styles = ["-", "--", ":", "-."]
    for row in range(n_rows):
        for j in range(coefs.shape[2]):
            label = f"x{j}" if n_rows == 1 else f"{labels[row]}: x{j}"
            ax.plot(Cs[order], coefs[order, row, j],
                    styles[row % len(styles)], color=f"C{j % 10}",
                    label=label if coefs.shape[2] * n_rows <= 12 else None)
    ax.set_xscale("log")
    ax.set_xlabel("C (inverse regularization strength)")
    ax.set_ylabel("coefficient")
    ax.axhline(0.0, color="0.6", linewidth=0.8)
    if cv is not None:
        mean = scores[:, best_l1].mean(axis=0)
        spread = scores[:, best_l1].std(axis=0)
        right = ax.twinx()
        right.plot(Cs[order], mean[order], color="k", linewidth=2,
                   label="mean CV score")
        right.fill_between(Cs[order], (mean - spread)[order],
                           (mean + spread)[order], color="k", alpha=0.15)
        right.set_ylabel("CV score")
        chosen = float(np.atleast_1d(cv.C_)[0])
        ax.axvline(chosen, color="k", linestyle=":", linewidth=1)
        ax.right_ax = right
    if coefs.shape[2] * n_rows <= 12:
        ax.legend(loc="best", fontsize="small")
    return ax


def _cv_arrays(cv: Any) -> Any:
    """A fitted CV's ``(scores (n_folds, n_l1, n_Cs), paths (n_folds,
    n_l1, n_Cs, n_rows, n_dof), index of the chosen l1_ratio)``, whichever
    attribute layout it has."""
    import numpy as np

    if isinstance(cv.coefs_paths_, dict):
        rows = list(cv.coefs_paths_.values())
        paths = np.stack(rows, axis=-2)  # (n_folds, n_Cs, [n_l1,] rows, dof)
        scores = np.asarray(next(iter(cv.scores_.values())))
        if paths.ndim == 4:
            paths = paths[:, None]
            scores = scores[:, None]
        else:
            paths = np.swapaxes(paths, 1, 2)
            scores = np.swapaxes(scores, 1, 2)
    else:
        paths = np.asarray(cv.coefs_paths_)
        scores = np.asarray(cv.scores_)
    ratios = list(np.atleast_1d(cv.l1_ratios_))
    chosen = np.atleast_1d(cv.l1_ratio_)[0]
    best = ratios.index(chosen) if chosen in ratios else 0
    return scores, paths, best


def _coefficient_series(est, alpha):
    """``(label, names, params, lower, upper)`` of every equation of a
    fitted estimator (or results object), the intercept left out."""
    import numpy as np

    from ._inference.results import LogitResults, MNLogitResults

    results = est.results_ if hasattr(est, "get_params") else est
    if isinstance(results, LogitResults):
        blocks = [(None, results)]
    elif isinstance(results, MNLogitResults):
        blocks = [(None, results)]
    elif isinstance(results, list) and results and all(
            isinstance(r, LogitResults) for r in results):
        classes = getattr(est, "classes_", range(len(results)))
        blocks = [(f"{label} vs rest", r)
                  for label, r in zip(list(classes), results)]
    else:
        raise TypeError(
            "plot_coefficients takes a fitted clogit.LogisticRegression or "
            f"its results_, got {type(est).__name__}.")
    series = []
    for label, res in blocks:
        names = res.coefficient_names
        start = res.k_constant  # the intercept comes first
        if isinstance(res, MNLogitResults):
            params = np.asarray(res.params)
            ci = np.asarray(res.conf_int(alpha)).reshape(
                params.shape[1], params.shape[0], 2)
            yname = res._yname
            for k, cls in enumerate(res.classes[1:]):
                series.append((f"{yname}={cls}", names[start:],
                               params[start:, k], ci[k, start:, 0],
                               ci[k, start:, 1]))
            continue
        params = np.asarray(res.params)
        ci = np.asarray(res.conf_int(alpha))
        series.append((label, names[start:], params[start:],
                       ci[start:, 0], ci[start:, 1]))
    return series


def plot_coefficients(est: Any, alpha: float = 0.05,
                      odds_ratios: bool = False, ax: Any = None) -> Any:
    """Forest plot: every coefficient with its Wald confidence interval.

    One row per feature, top to bottom in the model's order; the intercept
    is left out (its scale is not the features'; as Stata's ``coefplot``
    drops ``_cons``).  One-vs-Rest and multinomial fits draw one marker per
    class (a legend names them; a multinomial fit shows the contrasts with
    the first class, as its ``results_``).  A dashed line marks "no
    effect" (0, or 1 for odds ratios).

    Parameters
    ----------
    est : LogisticRegression, or its ``results_``
        A fitted model with inference (``penalty=None``, "l2" or "firth";
        its ``cov_type`` decides the intervals).
    alpha : float in (0, 1), default=0.05
        One minus the confidence level of the intervals.
    odds_ratios : bool, default=False
        Draw ``exp(coef)`` and the exponentiated interval on a log axis.
    ax : matplotlib Axes, optional
        Where to draw (a new figure's Axes by default).

    Returns
    -------
    matplotlib Axes
        The axes drawn on, one row per coefficient.

    See Also
    --------
    clogit.LogisticRegression.conf_int : The intervals drawn.
    clogit.LogisticRegression.summary : The same figures as a table.
    """
    import numpy as np

    from ._inference.results import check_alpha

    alpha = check_alpha(alpha)
    if not isinstance(odds_ratios, (bool, np.bool_)):
        raise TypeError(f"odds_ratios must be a bool, got {odds_ratios!r}.")
    series = _coefficient_series(est, alpha)
    names = series[0][1]
    if not names:
        raise ValueError("the model has no coefficient besides the "
                         "intercept to plot.")
    ax = _axes(ax)
    n, m = len(names), len(series)
    rows = np.arange(n)[::-1].astype(float)
    offsets = (np.linspace(-0.3, 0.3, m) if m > 1 else np.zeros(1))
    for (label, _, params, lower, upper), offset in zip(series, offsets):
        if odds_ratios:
            params, lower, upper = np.exp(params), np.exp(lower), np.exp(upper)
        ax.errorbar(params, rows + offset,
                    xerr=np.vstack([params - lower, upper - params]),
                    fmt="o", capsize=3, markersize=4, linewidth=1.2,
                    label=label)
    ax.axvline(1.0 if odds_ratios else 0.0, color="0.5", linestyle="--",
               linewidth=1.0, zorder=0)
    if odds_ratios:
        ax.set_xscale("log")
    ax.set_yticks(rows)
    ax.set_yticklabels(names)
    level = f"{100 * (1 - alpha):g}%"
    ax.set_xlabel(f"{'odds ratio' if odds_ratios else 'coefficient'} "
                  f"({level} confidence interval)")
    if m > 1:
        ax.legend(loc="best", fontsize="small")
    return ax
