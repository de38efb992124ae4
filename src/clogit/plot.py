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
    """Coefficients against C (log scale); with a fitted
    :class:`clogit.LogisticRegressionCV`, also its mean CV score and the
    folds' spread (one standard deviation) on a second y axis, and the
    chosen C.

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
