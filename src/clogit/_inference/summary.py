"""The statsmodels-style summary table of a fitted model.

Laid out as ``statsmodels.iolib.summary`` lays out ``Logit`` and
``MNLogit`` summaries: a title, a two-column header (the model and its
goodness of fit), then ``coef | std err | z | P>|z| | [a/2  1-a/2]`` with
statsmodels' number formats (one table per class after the first for a
softmax fit), and numbered notes below.  A penalized fit says so, in
words, right under the title: its figures are those of the penalized
estimator, not maximum-likelihood inference.  One block per results object
(One-vs-Rest: one per class).  The numbers come from
``clogit._inference.results``; this module only lays them out, as text,
HTML and LaTeX.
"""

from __future__ import annotations

import html
import textwrap
from typing import Any

import numpy as np

from .problem import normal_quantile, two_sided_p

_RULE = "="
_THIN = "-"
_MIN_WIDTH = 78


# ----------------------------------------------------------------------
# number formats (statsmodels.iolib.summary.forg and summary_params)
# ----------------------------------------------------------------------
def forg(value, prec=3):
    """statsmodels' ``forg``: fixed point with ``prec`` decimals for
    ordinary magnitudes, else ``prec`` significant digits."""
    value = float(value)
    if not np.isfinite(value):
        return str(value)
    if abs(value) >= 1e4 or abs(value) < 1e-4:
        return f"{value:.{prec}g}"
    return f"{value:.{prec}f}"


def _fmt_p(value):
    value = float(value)
    return str(value) if not np.isfinite(value) else f"{value:.3f}"


def _d_or_f(value):
    """An integer as such, else 2 decimals (statsmodels' ``d_or_f``)."""
    value = float(value)
    if not np.isfinite(value):
        return str(value)
    return f"{value:.0f}" if value == int(value) else f"{value:.2f}"


def _g(value, spec):
    value = float(value)
    return str(value) if not np.isfinite(value) else format(value, spec)


# ----------------------------------------------------------------------
# blocks
# ----------------------------------------------------------------------
class _Table:
    """One coefficient table: an optional label (``y=class``), the row
    names, and the columns of numbers."""

    def __init__(self, label, names, params, bse, alpha, first="coef",
                 z=None, q=None):
        if z is None:
            with np.errstate(divide="ignore", invalid="ignore"):
                z = params / bse
        if q is None:
            q = normal_quantile(alpha)
        self.label = label
        self.names = list(names)
        self.first = first  # the estimates' column ("dy/dx" for margins)
        self.columns = {
            first: params, "std err": bse, "z": z, "P>|z|": two_sided_p(z),
            f"[{alpha / 2:g}": params - q * bse,
            f"{1 - alpha / 2:g}]": params + q * bse,
        }

    def cells(self):
        """Formatted header and rows."""
        header = [self.label or ""] + list(self.columns)
        rows = []
        for i, name in enumerate(self.names):
            row = [name]
            for column, values in self.columns.items():
                if column == self.first:
                    row.append(forg(values[i], 4))
                elif column == "P>|z|":
                    row.append(_fmt_p(values[i]))
                else:
                    row.append(forg(values[i], 3))
            rows.append(row)
        return header, rows


class _Block:
    """One model: title, penalty banner, header pairs, tables, notes."""

    def __init__(self, title, banner, left, right, tables, notes, stats):
        self.title = title
        self.banner = banner
        self.left = left
        self.right = right
        self.tables = tables
        self.notes = notes
        self.stats = stats

    # -- text ---------------------------------------------------------
    def text(self):
        widths = [0] * 7
        formatted = [table.cells() for table in self.tables]
        for header, rows in formatted:
            for row in [header] + rows:
                for j, cell in enumerate(row):
                    widths[j] = max(widths[j], len(cell))
        widths[1:] = [max(w, 10) for w in widths[1:]]
        pair_width = max((len(a) + len(b) + 2 for pairs in (self.left,
                                                            self.right)
                          for a, b in pairs), default=0)
        width = max(sum(widths) + len(widths) - 1, 2 * pair_width + 3,
                    len(self.title), _MIN_WIDTH)
        # the coefficient columns share the width the header leaves
        spare = width - (sum(widths) + len(widths) - 1)
        widths[0] += spare
        half = (width - 3) // 2
        lines = [self.title.center(width).rstrip(), _RULE * width]
        if self.banner:
            lines.extend(textwrap.wrap(self.banner, width))
            lines.append(_THIN * width)
        for i in range(max(len(self.left), len(self.right))):
            cells = []
            for pairs, w in ((self.left, half), (self.right,
                                                 width - 3 - half)):
                a, b = pairs[i] if i < len(pairs) else ("", "")
                cells.append(a + b.rjust(w - len(a)) if a else " " * w)
            lines.append((cells[0] + "   " + cells[1]).rstrip())
        if self.left or self.right:
            lines.append(_RULE * width)
        for k, (header, rows) in enumerate(formatted):
            if k:
                lines.append(_THIN * width)
            lines.append(header[0].center(widths[0]).rstrip().ljust(widths[0])
                         + "".join(cell.rjust(w + 1) for cell, w
                                   in zip(header[1:], widths[1:])))
            lines.append(_THIN * width)
            for row in rows:
                lines.append(row[0].ljust(widths[0]) + "".join(
                    cell.rjust(w + 1) for cell, w in zip(row[1:],
                                                         widths[1:])))
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
        parts = [f'<table class="simpletable"><caption>{esc(self.title)}'
                 "</caption>"]
        if self.banner:
            parts.append(f'<tr><td colspan="4"><strong>{esc(self.banner)}'
                         "</strong></td></tr>")
        for i in range(max(len(self.left), len(self.right))):
            cells = []
            for side in (self.left, self.right):
                a, b = side[i] if i < len(side) else ("", "")
                cells.append(f"<th>{esc(a)}</th><td>{esc(b)}</td>")
            parts.append("<tr>" + "".join(cells) + "</tr>")
        parts.append("</table>")
        for table in self.tables:
            header, rows = table.cells()
            parts.append('<table class="simpletable"><tr>' + "".join(
                f"<th>{esc(h)}</th>" for h in header) + "</tr>")
            for r in rows:
                parts.append(f"<tr><th>{esc(r[0])}</th>" + "".join(
                    f"<td>{esc(c)}</td>" for c in r[1:]) + "</tr>")
            parts.append("</table>")
        if self.notes:
            parts.append("<p>Notes:</p><ol>" + "".join(
                f"<li>{esc(n)}</li>" for n in self.notes) + "</ol>")
        return "".join(parts)

    # -- latex --------------------------------------------------------
    def latex(self):
        tex = _latex_escape
        lines = ["\\begin{center}", "\\begin{tabular}{lclc}",
                 "\\multicolumn{4}{c}{\\textbf{" + tex(self.title)
                 + "}} \\\\", "\\toprule"]
        if self.banner:
            lines.append("\\multicolumn{4}{p{0.9\\linewidth}}{"
                         + tex(self.banner) + "} \\\\")
            lines.append("\\midrule")
        for i in range(max(len(self.left), len(self.right))):
            cells = []
            for side in (self.left, self.right):
                a, b = side[i] if i < len(side) else ("", "")
                cells.append(f"\\textbf{{{tex(a)}}} & {tex(b)}" if a
                             else " & ")
            lines.append(" & ".join(cells) + " \\\\")
        lines += ["\\bottomrule", "\\end{tabular}"]
        for table in self.tables:
            header, rows = table.cells()
            lines += ["\\begin{tabular}{l" + "c" * (len(header) - 1) + "}",
                      " & ".join(f"\\textbf{{{tex(h)}}}" for h in header)
                      + " \\\\", "\\midrule"]
            for r in rows:
                lines.append(f"\\textbf{{{tex(r[0])}}} & "
                             + " & ".join(tex(c) for c in r[1:]) + " \\\\")
            lines += ["\\bottomrule", "\\end{tabular}"]
        lines.append("%\\caption{" + tex(self.title) + "}")
        lines.append("\\end{center}")
        if self.notes:
            lines.append("Notes: \\newline")
            lines += [f" [{k}] {tex(note)} \\newline"
                      for k, note in enumerate(self.notes, start=1)]
        return "\n".join(lines)

    def frame(self, pd):
        frames = []
        for table in self.tables:
            frame = pd.DataFrame(table.columns, index=pd.Index(table.names))
            frames.append(frame)
        if len(frames) == 1 and self.tables[0].label is None:
            return frames[0]
        return pd.concat(frames, keys=[t.label for t in self.tables])


_LATEX_SPECIAL = {"&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
                  "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\~{}",
                  "^": r"\^{}", "\\": r"\textbackslash{}"}


def _latex_escape(text):
    return "".join(_LATEX_SPECIAL.get(c, c) for c in str(text))


# ----------------------------------------------------------------------
# building the blocks from a results object's header
# ----------------------------------------------------------------------
def _banner(fit, C):
    if fit.penalty is None:
        return None
    if fit.penalty == "firth":
        return ("Firth's penalized likelihood (bias-reduced, Jeffreys "
                "prior): the coefficients maximize l + 1/2 log det I, and "
                "the Wald figures below come from the Fisher information "
                "at that estimate (as R's logistf); Log-Likelihood is the "
                "plain log-likelihood there. Profile penalized-likelihood "
                "intervals: results_.conf_int(method='profile').")
    return (f"Penalized estimator ({fit.penalty}, C={C:g}): the "
            "coefficients are shrunk towards 0, and every figure below -- "
            "standard errors, z, p-values, intervals, Df Model, AIC/BIC -- "
            "is that of the penalized estimator, not maximum-likelihood "
            "inference. Fit penalty=None (or clogit.logit) for MLE "
            "inference.")


def _pairs(header, tables):
    fit, stats = header["fit"], header["statistics"]
    model = header["model"]
    left = [
        ("Dep. Variable:", header["yname"]),
        ("Model:", model),
        ("Method:", "MLE" if fit.penalty is None
         else "Firth" if fit.penalty == "firth"
         else f"{fit.penalty}-penalized (C={header['C']:g})"),
        ("Solver:", fit.solver or "?"),
        ("Iterations:", str(fit.n_iter)),
        ("converged:", str(bool(fit.converged))),
        ("Covariance Type:", fit.cov_type),
    ]
    right = [("No. Observations:", _d_or_f(fit.n_obs))]
    if fit.n_obs != fit.n_samples:
        right.append(("Rows (weighted):", str(fit.n_samples)))
    right += [
        ("Df Residuals:", _d_or_f(stats["df_resid"])),
        ("Df Model:", _d_or_f(stats["df_model"])),
        ("Pseudo R-squ.:", _g(stats["pseudo_r2"], "#6.4g")),
        ("Log-Likelihood:", _g(stats["log_likelihood"], "#8.5g")),
        ("LL-Null:", _g(stats["ll_null"], "#8.5g")),
        ("LLR p-value:", _g(stats["llr_pvalue"], "#6.4g")),
        ("AIC:", _g(stats["aic"], "#8.5g")),
        ("BIC:", _g(stats["bic"], "#8.5g")),
    ]
    if fit.cov_type == "cluster":
        left.append(("No. Clusters:", str(fit.n_groups)))
    return left, right


def _notes(fit, tables):
    notes = []
    if fit.cov_type in ("HC1", "HC2", "HC3"):
        notes.append(
            f"{fit.cov_type} is computed as statsmodels computes it for "
            "this model: the sandwich with no small-sample factor and no "
            "leverage adjustment, equal to HC0.")
    elif fit.cov_type == "cluster":
        notes.append(
            "Standard errors are robust to cluster correlation (CRV1, with "
            "the small-sample factor G/(G-1) (N-1)/(N-k)).")
    if fit.penalty is not None and fit.cov_type != "nonrobust":
        notes.append("The robust covariance is the sandwich with the "
                     "penalized Hessian as bread.")
    if fit.separated:
        notes.append(
            "Perfect separation was detected (SeparationWarning): the "
            "maximum-likelihood estimate does not exist; coefficients "
            "and standard errors are not meaningful.")
    elif not fit.converged:
        notes.append("The solver did not converge: the figures are those "
                     "of the last iterate.")
    if any(np.any(np.isnan(table.columns["std err"])) for table in tables):
        notes.append("The Hessian is singular (collinear or constant "
                     "features): standard errors are undefined (nan).")
    if fit.n_obs != fit.n_samples:
        notes.append("Sample weights are frequency weights: No. "
                     "Observations is their sum, log-likelihoods are sums "
                     "of s_i * loglik_i and BIC uses log(sum of weights).")
    return notes


def label_text(label):
    """A class label as statsmodels prints it: integral floats as integers
    (``PID=1``, not ``PID=1.0``)."""
    if isinstance(label, (float, np.floating)) and float(label).is_integer():
        return str(int(label))
    return str(label)


def _title(header, title, default):
    if title is not None:
        return str(title)
    if header["fit"].penalty is not None:
        return f"{default} (penalized)"
    return default


def binary_block(header, names, alpha, title=None, label=None):
    """The block of one binary results object (``label``: the class of a
    One-vs-Rest problem)."""
    fit = header["fit"]
    params = fit.params
    bse = np.sqrt(np.diagonal(fit.covariance))
    tables = [_Table(None, names, params, bse, alpha)]
    default = ("Logit Regression Results" if label is None else
               f"Logit Regression Results: class {label!r} vs rest")
    left, right = _pairs(header, tables)
    return _Block(_title(header, title, default), _banner(fit, header["C"]),
                  left, right, tables, _notes(fit, tables),
                  header["statistics"])


def multinomial_block(header, names, classes, alpha, title=None):
    """The block of a multinomial results object: one table per class
    after the first."""
    fit = header["fit"]
    params = fit.params
    bse = np.sqrt(np.diagonal(fit.covariance)).reshape(params.shape)
    yname = header["yname"]
    tables = [_Table(f"{yname}={label_text(label)}", names, params[k],
                     bse[k], alpha)
              for k, label in enumerate(classes[1:])]
    left, right = _pairs(header, tables)
    return _Block(_title(header, title, "MNLogit Regression Results"),
                  _banner(fit, header["C"]), left, right, tables,
                  _notes(fit, tables), header["statistics"])


class Summary:
    """Summary of a fitted model: statsmodels-style tables.

    ``str(summary)`` / :meth:`as_text` give the text table, :meth:`as_html`
    and :meth:`as_latex` the same in HTML and LaTeX, :meth:`to_frame` the
    coefficient table as a pandas DataFrame; notebooks display the HTML.
    One block per model (per class for One-vs-Rest).

    Attributes
    ----------
    alpha : float
        One minus the confidence level of the intervals.
    statistics : dict
        The header's figures as numbers: ``n_samples`` (rows), ``n_obs``
        (sum of weights, statsmodels' ``nobs``), ``df_model``,
        ``df_resid``, ``log_likelihood``, ``ll_null``, ``pseudo_r2``
        (McFadden), ``aic``, ``bic``, ``llr_pvalue`` (nan for penalized
        fits), ``converged``, ``n_iter``, ``separated``, ``cov_type``.  For
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

    def as_html(self) -> str:
        """The tables as HTML (``<table class="simpletable">``, as
        statsmodels)."""
        return "".join(block.html() for block in self._blocks)

    def as_latex(self) -> str:
        """The tables as LaTeX ``tabular`` environments (booktabs rules)."""
        return "\n\n".join(block.latex() for block in self._blocks)

    def __str__(self) -> str:
        return self.as_text()

    def __repr__(self) -> str:
        return self.as_text()

    def _repr_html_(self) -> str:
        return self.as_html()

    def to_frame(self) -> Any:
        """The coefficient table as a pandas DataFrame.

        Returns
        -------
        pandas.DataFrame
            Indexed by coefficient name (intercept first) for a binary fit,
            by (class, name) for One-vs-Rest and by ("y=class", name) for a
            multinomial fit; full-precision values.
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


def one_vs_rest_summary(results, classes, yname, xname, title, alpha):
    """The summary of a One-vs-Rest fit: one block per class."""
    blocks = [binary_block(res._header(yname), res._xname(xname, res._names),
                           alpha, title, label)
              for res, label in zip(results, classes)]
    return Summary(blocks, list(classes), alpha)


def margins_summary(title, left, tables, effect, alpha, quantile=None):
    """A table of estimates other than the coefficients: marginal effects
    (statsmodels' ``DiscreteMargins.summary()``) or tests of restrictions
    (``t_test``): a header of ``left`` pairs, one table per equation.

    ``tables`` is a list of ``(label, names, estimates, std_errors)`` with,
    optionally, the z statistics as a fifth item (default estimates /
    std_errors); ``effect`` names the estimates' column ("dy/dx",
    "coef" ...); ``quantile`` that of the intervals (default normal).
    """
    rows = [_Table(entry[0], entry[1], entry[2], entry[3], alpha,
                   first=effect, z=entry[4] if len(entry) > 4 else None,
                   q=quantile)
            for entry in tables]
    block = _Block(title, None, left, [], rows, [], {})
    return Summary([block], None, alpha)
