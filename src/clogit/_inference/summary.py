"""The statsmodels-style summary table of a fitted model.

Modelled on ``statsmodels.iolib.summary``: a two-column header (the fit and
its goodness of fit) above ``coef | std err | z | P>|z| | [a/2  1-a/2]``,
here with an odds-ratio column, and numbered notes below.  One block per
binary problem (One-vs-Rest: one per class).  The numbers come from
``clogit._inference.binary``; this module only lays them out.
"""

from __future__ import annotations

import html
import textwrap
from typing import Any

import numpy as np

_RULE = "="
_THIN = "-"


def _fmt(value, digits=4):
    """statsmodels-like: fixed point for ordinary magnitudes, else
    scientific; nan and inf spelled out."""
    value = float(value)
    if not np.isfinite(value):
        return str(value)
    if value == 0.0 or 1e-4 <= abs(value) < 1e5:
        return f"{value:.{digits}f}"
    return f"{value:.{digits - 1}e}"


def _fmt_p(value):
    value = float(value)
    if not np.isfinite(value):
        return str(value)
    return f"{value:.3f}" if value >= 1e-3 or value == 0.0 else f"{value:.1e}"


def _penalty_text(estimator, fit):
    if fit.penalty is None:
        return "MLE (no penalty)"
    return f"l2-penalized (C={estimator.C:g})"


class _Block:
    """One binary problem: header pairs, coefficient rows, notes."""

    def __init__(self, estimator, fit, names, alpha, yname, positive):
        self.title = ("Logistic Regression Results" if positive is None else
                      f"Logistic Regression Results: class {positive!r} vs "
                      "rest")
        self.names = names
        self.alpha = alpha
        ci = fit.conf_int(alpha)
        self.columns = {
            "coef": fit.params,
            "std err": fit.std_errors,
            "z": fit.z_values,
            "P>|z|": fit.p_values,
            f"[{alpha / 2:g}": ci[:, 0],
            f"{1 - alpha / 2:g}]": ci[:, 1],
            "odds ratio": fit.odds_ratios,
        }
        weighted = fit.n_obs != fit.n_samples
        # statsmodels' convention: Df Model does not count the intercept
        df_model = fit.df_model - (1 if fit.fit_intercept else 0)
        self.stats = {
            "n_samples": fit.n_samples, "n_obs": fit.n_obs,
            "df_model": df_model, "log_likelihood": fit.loglik,
            "ll_null": fit.loglik_null, "pseudo_r2": fit.pseudo_r2,
            "aic": fit.aic, "bic": fit.bic, "llr_pvalue": fit.llr_pvalue,
            "converged": fit.converged, "n_iter": fit.n_iter,
            "separated": fit.separated,
        }
        self.left = [
            ("Dep. Variable:", "y" if yname is None else str(yname)),
            ("Model:", "Logit" if positive is None else "Logit (OvR)"),
            ("Method:", _penalty_text(estimator, fit)),
            ("Solver:", fit.solver or str(estimator.solver)),
            ("Iterations:", str(fit.n_iter)),
            ("Converged:", str(fit.converged)),
            ("Covariance:", "inverse Hessian" if fit.penalty is None
             else "inv. penalized Hessian"),
        ]
        self.right = [("No. Observations:", str(fit.n_samples))]
        if weighted:
            self.right.append(("Sum of weights:", f"{fit.n_obs:.10g}"))
        self.right += [
            ("Df Model:", f"{df_model:g}" if fit.penalty is None
             else f"{df_model:.2f}"),
            ("Log-Likelihood:", _fmt(fit.loglik)),
            ("LL-Null:", _fmt(fit.loglik_null)),
            ("Pseudo R-squ.:", _fmt(fit.pseudo_r2)),
            ("AIC:", _fmt(fit.aic)),
            ("BIC:", _fmt(fit.bic)),
        ]
        if np.isfinite(fit.llr_pvalue):
            self.right.append(("LLR p-value:", _fmt(fit.llr_pvalue, 3)))
        self.notes = self._notes(estimator, fit, weighted)

    @staticmethod
    def _notes(estimator, fit, weighted):
        notes = []
        if fit.penalty == "l2":
            notes.append(
                f"penalty='l2' (C={estimator.C:g}): coefficients are shrunk "
                "towards 0 and every figure describes the penalized fit: "
                "standard errors, z, p-values and intervals come from the "
                "inverse penalized Hessian (X'WX + I/C)^-1, Df Model is "
                "the effective number tr(X'WX (X'WX + I/C)^-1) (minus the "
                "intercept) and AIC/BIC use it.")
        if fit.separated:
            notes.append(
                "Perfect separation was detected (SeparationWarning): the "
                "maximum-likelihood estimate does not exist; coefficients "
                "and standard errors are not meaningful.")
        elif not fit.converged:
            notes.append("The solver did not converge: the figures are those "
                         "of the last iterate.")
        if np.any(np.isnan(fit.std_errors)):
            notes.append("The Hessian is singular (collinear or constant "
                         "features): standard errors are undefined (nan).")
        if weighted:
            notes.append("Sample weights are frequency weights: "
                         "log-likelihoods are sums of s_i * loglik_i and BIC "
                         "uses log(sum of weights).")
        return notes

    # -- text ---------------------------------------------------------
    def _cells(self):
        """Formatted coefficient table: header row and one row per name."""
        header = [""] + list(self.columns)
        rows = []
        for i, name in enumerate(self.names):
            row = [name]
            for column, values in self.columns.items():
                fmt = _fmt_p if column == "P>|z|" else _fmt
                row.append(fmt(values[i]))
            rows.append(row)
        return header, rows

    def text(self):
        header, rows = self._cells()
        widths = [max(len(r[j]) for r in [header] + rows)
                  for j in range(len(header))]
        widths[1:] = [max(w, 10) for w in widths[1:]]
        lines = []
        table = []
        for r in [header] + rows:
            table.append(r[0].ljust(widths[0]) + "".join(
                cell.rjust(w + 1) for cell, w in zip(r[1:], widths[1:])))
        half_pairs = self.left, self.right
        pair_width = max(len(a) + len(b) + 2 for pairs in half_pairs
                         for a, b in pairs)
        width = max(max(len(t) for t in table), 2 * pair_width + 3,
                    len(self.title))
        half = (width - 3) // 2
        lines.append(self.title.center(width).rstrip())
        lines.append(_RULE * width)
        for i in range(max(map(len, half_pairs))):
            cells = []
            for pairs, w in ((self.left, half), (self.right,
                                                 width - 3 - half)):
                a, b = pairs[i] if i < len(pairs) else ("", "")
                cells.append(a + b.rjust(w - len(a)))
            lines.append((cells[0] + "   " + cells[1]).rstrip())
        lines.append(_RULE * width)
        lines.append(table[0])
        lines.append(_THIN * width)
        lines.extend(table[1:])
        lines.append(_RULE * width)
        if self.notes:
            lines.append("Notes:")
            for k, note in enumerate(self.notes, start=1):
                lines.append(textwrap.fill(f"[{k}] {note}", width,
                                           subsequent_indent="    "))
        return "\n".join(lines)

    # -- html ---------------------------------------------------------
    def html(self):
        esc = html.escape
        pairs = []
        for i in range(max(len(self.left), len(self.right))):
            cells = []
            for side in (self.left, self.right):
                a, b = side[i] if i < len(side) else ("", "")
                cells.append(f"<th>{esc(a)}</th><td>{esc(b)}</td>")
            pairs.append("<tr>" + "".join(cells) + "</tr>")
        header, rows = self._cells()
        body = ["<tr>" + "".join(f"<th>{esc(h)}</th>" for h in header)
                + "</tr>"]
        for r in rows:
            body.append(f"<tr><th>{esc(r[0])}</th>"
                        + "".join(f"<td>{esc(c)}</td>" for c in r[1:])
                        + "</tr>")
        notes = "".join(f"<li>{esc(n)}</li>" for n in self.notes)
        return (f"<table class=\"simpletable\"><caption>{esc(self.title)}"
                f"</caption>{''.join(pairs)}</table>"
                f"<table class=\"simpletable\">{''.join(body)}</table>"
                + (f"<p>Notes:</p><ol>{notes}</ol>" if notes else ""))

    def frame(self, pd):
        return pd.DataFrame(self.columns, index=pd.Index(self.names))


class Summary:
    """Summary of a fitted :class:`clogit.LogisticRegression`.

    ``str(summary)`` is a statsmodels-style text table, ``to_frame()`` a
    pandas DataFrame of the coefficient table, and notebooks display it as
    HTML.  One block per binary problem (per class for One-vs-Rest).

    Attributes
    ----------
    alpha : float
        One minus the confidence level of the intervals.
    statistics : dict
        The header's figures as numbers: ``n_samples``, ``n_obs`` (sum of
        weights), ``df_model`` (without the intercept, as statsmodels),
        ``log_likelihood``, ``ll_null``, ``pseudo_r2`` (McFadden), ``aic``,
        ``bic``, ``llr_pvalue`` (nan unless unpenalized with an
        intercept), ``converged``, ``n_iter``, ``separated``.  For
        One-vs-Rest, a dict of such dicts keyed by class.
    """

    def __init__(self, blocks, classes, alpha):
        self._blocks = blocks
        self._classes = classes
        self.alpha = alpha
        if classes is None:
            self.statistics = blocks[0].stats
        else:
            self.statistics = {label: block.stats
                               for label, block in zip(classes, blocks)}

    def as_text(self) -> str:
        """The text table (what ``str()`` returns)."""
        return "\n\n".join(block.text() for block in self._blocks)

    def __str__(self) -> str:
        return self.as_text()

    def __repr__(self) -> str:
        return self.as_text()

    def _repr_html_(self) -> str:
        return "".join(block.html() for block in self._blocks)

    def to_frame(self) -> Any:
        """The coefficient table as a pandas DataFrame.

        Returns
        -------
        pandas.DataFrame
            Indexed by coefficient name ("const" first) for a binary fit,
            by (class, name) for One-vs-Rest; full-precision values.
        """
        try:
            import pandas as pd
        except ImportError as exc:  # pandas is an optional dependency
            raise ImportError(
                "Summary.to_frame() needs pandas, which is not installed: "
                "pip install pandas (or clogit[pandas]). str(summary) "
                "gives the table as text without it.") from exc
        frames = [block.frame(pd) for block in self._blocks]
        if len(frames) == 1:
            return frames[0]
        return pd.concat(frames, keys=list(self._classes),
                         names=["class", None])


def build_summary(estimator, fits, names, alpha, yname=None):
    """Build the :class:`Summary` of a fitted estimator from its per-problem
    fits and coefficient names (see ``LogisticRegression.summary``)."""
    classes = estimator.classes_
    if len(fits) == 1:
        blocks = [_Block(estimator, fits[0], names, alpha, yname, None)]
        return Summary(blocks, None, alpha)
    blocks = [_Block(estimator, fit, names, alpha, yname, label)
              for fit, label in zip(fits, classes.tolist())]
    return Summary(blocks, classes.tolist(), alpha)
