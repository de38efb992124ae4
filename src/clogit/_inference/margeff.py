"""Marginal effects: ``results_.get_margeff``, as statsmodels'
``get_margeff`` (``statsmodels.discrete.discrete_margins``).

What is computed
----------------
With ``B`` the coefficients of the J classes (binary: J = 2, ``B_0 = 0``
and ``B_1`` the fit's params; multinomial: ``B_0 = 0`` and ``B_j`` the
contrasts), a row ``x`` (the constant included) has the probabilities
``P = softmax(B x)`` and the effects of its columns a on the classes j

    dy/dx         ``P_j (B_ja - bbar_a)``,  ``bbar = sum_k P_k B_k``,

which for the binary model is ``p (1 - p) beta_a``.  ``method`` rescales
them per row, before any averaging: "eyex" ``* x_a / P_j``, "dyex" ``*
x_a``, "eydx" ``/ P_j``.  ``at`` chooses the rows: "overall" averages the
effects over the training rows (weighted by the fit's frequency weights),
"mean" / "median" evaluate them at the (weighted) mean / median row,
"zero" at zero (constant columns at 1), "all" returns every row's effects.
``atexog`` substitutes values first: a dict ``{column: value}`` (column
index of the design, constant first, as statsmodels, or a coefficient
name), or an array of rows replacing the training rows.

``dummy=True`` replaces the effect of every 0/1 column by the discrete
change ``F(x, x_a = 1) - F(x, x_a = 0)``, ``count=True`` that of every
count column (non-negative integers) by ``(F(x_a + 1) - F(x_a - 1)) / 2``,
with ``F = P`` (or ``log P`` for "eydx"), as statsmodels.  Columns that are
constant over the training rows (the intercept) have no effect reported.

Standard errors are the delta method's: ``cov = G V G^T`` with ``V`` the
covariance of the coefficients (``cov_type``) and ``G`` the Jacobian of the
(averaged) effects in the coefficients.  statsmodels takes G by
complex-step differentiation; here it is exact, from

    d me_ja / d B_lc = xe_a c_j [x_c (e (d_jl - P_l) D_ja - P_l D_la)
                                 + d_ac (d_jl - P_l)]

(``D = B - bbar``, ``c_j = P_j, e = 1`` for dy, ``c_j = 1, e = 0`` for
ey, ``xe_a = x_a`` for ex, else 1), summed over the rows by blocks: one
pass over the training data, O(n J^2 k^2) flops, a block-sized temporary.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from .data import require_pandas, training_data
from .problem import check_alpha, normal_quantile, two_sided_p
from .summary import Summary, label_text, margins_summary

__all__ = ["MarginalEffects", "get_margeff"]

METHODS = ("dydx", "eyex", "dyex", "eydx")
ATS = ("overall", "mean", "median", "zero", "all")
TRANSFORM_NAMES = {"dydx": "dy/dx", "eyex": "d(lny)/d(lnx)",
                   "dyex": "dy/d(lnx)", "eydx": "d(lny)/dx"}
# statsmodels' column names, its "Cont." included (code reading its frames
# by name keeps working)
FRAME_COLUMNS = ["Std. Err.", "z", "Pr(>|z|)", "Conf. Int. Low",
                 "Cont. Int. Hi."]
# float64 elements of the per-block Jacobian temporary (m J k E): 16 MiB
_BLOCK_ELEMENTS = 2 ** 21


class MarginalEffects:
    """Marginal effects with delta-method inference.

    What ``results_.get_margeff`` returns (statsmodels' ``DiscreteMargins``
    names).

    Attributes
    ----------
    margeff : ndarray
        The effects: (k,) for a binary problem, (k, J) for a multinomial
        fit (one column per class), k the columns that are not constant;
        with ``at="all"`` one row per training row in front.
    margeff_se : ndarray
        Delta-method standard errors, shaped as ``margeff``.
    margeff_cov : ndarray
        Their covariance (equation-major for a multinomial fit).
    margeff_options : dict
        ``{"method": ..., "at": ...}``.
    dummy_idx, count_idx : ndarray or None
        The design columns (constant first) treated as dummies / counts.
    names : list of str
        The columns of the effects.

    See Also
    --------
    clogit.LogitResults.get_margeff : What makes it.
    """

    def __init__(self, margeff: np.ndarray, margeff_se: np.ndarray | None,
                 margeff_cov: np.ndarray | None, options: dict,
                 names: list[str], dummy_idx: np.ndarray | None,
                 count_idx: np.ndarray | None, model: str, yname: str,
                 classes: list | None = None) -> None:
        self.margeff = margeff
        self._se = margeff_se
        self._cov = margeff_cov
        self.margeff_options = options
        self.names = names
        self.dummy_idx = dummy_idx
        self.count_idx = count_idx
        self._model = model
        self._yname = yname
        self._classes = classes

    def _inference(self):
        if self.margeff_options["at"] == "all":
            raise ValueError(
                "Only margeff are available when `at` is 'all'. Please "
                "input specific points if you would like to do inference.")

    @property
    def margeff_se(self) -> np.ndarray:
        """Delta-method standard errors of the effects."""
        self._inference()
        assert self._se is not None
        return self._se

    @property
    def margeff_cov(self) -> np.ndarray:
        """Covariance of the effects (delta method)."""
        self._inference()
        assert self._cov is not None
        return self._cov

    @property
    def tvalues(self) -> np.ndarray:
        """The z statistics ``margeff / margeff_se``."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return self.margeff / self.margeff_se

    @property
    def pvalues(self) -> np.ndarray:
        """Two-sided p-values of the z statistics."""
        return two_sided_p(self.tvalues)

    def conf_int(self, alpha: float = 0.05) -> np.ndarray:
        """Wald intervals ``margeff -/+ z_{1-alpha/2} margeff_se``.

        Parameters
        ----------
        alpha : float in (0, 1), default=0.05
            One minus the confidence level.

        Returns
        -------
        ndarray of shape (k, 2) or (k, 2, J)
            Lower and upper bounds: (k, 2) for a binary problem, (k, 2, J)
            for a multinomial fit, as statsmodels lays them out.

        See Also
        --------
        summary_frame : The effects and intervals as a table.
        """
        q = normal_quantile(check_alpha(alpha))
        lower = self.margeff - q * self.margeff_se
        upper = self.margeff + q * self.margeff_se
        return np.stack([lower, upper], axis=1)

    def _ynames(self):
        return [f"{self._yname}={label_text(label)}"
                for label in self._classes or []]

    def summary_frame(self, alpha: float = 0.05) -> Any:
        """The effects as a table (statsmodels' ``summary_frame``).

        Parameters
        ----------
        alpha : float in (0, 1), default=0.05
            One minus the confidence level.

        Returns
        -------
        pandas.DataFrame
            Columns: the method's name ("dy/dx", ...), "Std. Err.", "z",
            "Pr(>|z|)", "Conf. Int. Low", "Cont. Int. Hi." (statsmodels'
            names); indexed by the columns, and by ("y=class", column) for
            a multinomial fit.

        See Also
        --------
        summary : The same figures as a statsmodels-style table.
        """
        pd = require_pandas("summary_frame")
        ci = self.conf_int(alpha)
        columns = [TRANSFORM_NAMES[self.margeff_options["method"]]]
        columns += FRAME_COLUMNS
        parts = [self.margeff, self.margeff_se, self.tvalues, self.pvalues,
                 ci[:, 0], ci[:, 1]]
        if self.margeff.ndim == 1:
            return pd.DataFrame(np.column_stack(parts), columns=columns,
                                index=list(self.names))
        table = np.column_stack([part.ravel(order="F") for part in parts])
        ynames = np.repeat(self._ynames(), len(self.names))
        xnames = np.tile(self.names, len(self._classes or []))
        index = pd.MultiIndex.from_arrays([ynames, xnames],
                                          names=["endog", "exog"])
        return pd.DataFrame(table, columns=columns, index=index)

    def summary(self, alpha: float = 0.05) -> Summary:
        """Tabulate the effects, as statsmodels' ``summary``.

        Parameters
        ----------
        alpha : float in (0, 1), default=0.05
            One minus the confidence level.

        Returns
        -------
        Summary
            ``str()`` / ``as_text()`` the text table, ``as_html()``,
            ``as_latex()``.

        See Also
        --------
        summary_frame : The same figures as a DataFrame.
        """
        alpha = check_alpha(alpha)
        method = self.margeff_options["method"]
        left = [("Dep. Variable:", self._yname), ("Method:", method),
                ("At:", self.margeff_options["at"])]
        se = self.margeff_se
        if self.margeff.ndim == 1:
            tables = [(self._yname, self.names, self.margeff, se)]
        else:
            tables = [(label, self.names, self.margeff[:, j], se[:, j])
                      for j, label in enumerate(self._ynames())]
        return margins_summary(f"{self._model} Marginal Effects", left,
                               tables, TRANSFORM_NAMES[method], alpha)

    def __str__(self) -> str:
        if self.margeff_options["at"] == "all":
            return (f"<{self._model} marginal effects at every row: margeff "
                    f"of shape {self.margeff.shape}>")
        return str(self.summary())


# ----------------------------------------------------------------------
# the training rows, by blocks, in the design's order (constant first)
# ----------------------------------------------------------------------
def _rows_of(X):
    if sp.issparse(X) and X.format != "csr":
        return sp.csr_matrix(X)  # rows by slices: once per call
    return X


def _blocks(X, fit_intercept, rows):
    """``(start, Z)``: float64 blocks of ``rows`` rows of the design
    ``[1, X]`` (or X)."""
    X = _rows_of(X)
    for a in range(0, X.shape[0], rows):
        part = X[a:a + rows]
        part = (part.toarray() if sp.issparse(part)
                else np.asarray(part, dtype=np.float64))
        if fit_intercept:
            part = np.column_stack([np.ones(part.shape[0]), part])
        yield a, part


def _weighted_median(values, weights):
    """The median of ``values`` repeated ``weights`` times (integer weights:
    ``np.median`` of the repeated values; rows of weight 0 left out)."""
    keep = weights > 0
    values, weights = values[keep], weights[keep]
    order = np.argsort(values, kind="stable")
    values, cumulative = values[order], np.cumsum(weights[order])
    half = cumulative[-1] / 2.0
    k = int(np.searchsorted(cumulative, half, side="left"))
    if np.isclose(cumulative[k], half, rtol=1e-12, atol=0.0) and \
            k + 1 < values.shape[0]:
        return 0.5 * (values[k] + values[k + 1])
    return float(values[k])


class _Columns:
    """What get_margeff needs to know of the design's columns over the
    training rows of positive weight: which are constant, dummies
    (0/1), counts (non-negative integers), their weighted mean."""

    def __init__(self, X, weights, fit_intercept):
        k1 = X.shape[1] + int(fit_intercept)
        low, high = np.full(k1, np.inf), np.full(k1, -np.inf)
        integral = np.ones(k1, dtype=bool)
        total = np.zeros(k1)
        for a, Z in _blocks(X, fit_intercept, 8192):
            w = weights[a:a + Z.shape[0]]
            keep = w > 0
            Zk = Z[keep]
            if Zk.shape[0]:
                low = np.minimum(low, Zk.min(axis=0))
                high = np.maximum(high, Zk.max(axis=0))
                integral &= np.all(Zk % 1.0 == 0, axis=0)
            total += w @ Z
        self.varying = high != low
        self.mean = total / weights.sum()
        dummy = (low == 0) & (high == 1) & integral
        self.dummy = np.flatnonzero(dummy)
        self.count = np.flatnonzero(integral & self.varying & (low >= 0)
                                    & ~dummy)


def _median_row(X, weights, fit_intercept):
    X = sp.csc_matrix(X) if sp.issparse(X) else X
    medians = [_weighted_median(
        np.asarray(X[:, [j]].toarray() if sp.issparse(X) else X[:, j],
                   dtype=np.float64).ravel(), weights)
        for j in range(X.shape[1])]
    return np.array(([1.0] if fit_intercept else []) + medians)


# ----------------------------------------------------------------------
# the arithmetic of one block of rows
# ----------------------------------------------------------------------
def _probabilities(scores):
    scores = scores - scores.max(axis=1, keepdims=True)
    P = np.exp(scores)
    P /= P.sum(axis=1, keepdims=True)
    return P


class _Sums:
    """Weighted sums over the rows of the effects ``M`` (J, k1) and their
    Jacobian ``G`` (J, k1, E, k1) in the coefficients of classes 1..J-1;
    optionally every row's effects."""

    def __init__(self, B, method, dummy, count, keep_rows=None):
        J, k1 = B.shape
        self.B = B
        self.dy = method.startswith("dy")
        self.ex = method.endswith("ex")
        self.dummy = [] if dummy is None else list(dummy)
        self.count = [] if count is None else list(count)
        self.M = np.zeros((J, k1))
        self.G = np.zeros((J, k1, J - 1, k1))
        self.weight = 0.0
        self.rows = keep_rows  # (n, J, k1) or None

    def add(self, Z, w, start=0):
        """Add the rows ``Z`` (design order) of weights ``w``; ``start``:
        their first index (for every row's effects)."""
        B, (J, k1) = self.B, self.B.shape
        E = J - 1
        P = _probabilities(Z @ B.T)
        D = B[None, :, :] - (P @ B)[:, None, :]           # (m, J, k1)
        c = P if self.dy else np.ones_like(P)
        xe = Z if self.ex else np.ones_like(Z)
        me = c[:, :, None] * D * xe[:, None, :]
        M = np.einsum("i,ija->ja", w, me)
        # the Jacobian (module docstring): the x_c term by one GEMM with Z
        rest = np.eye(J)[None, :, 1:] - P[:, None, 1:]    # (m, J, E)
        inner = -(P[:, None, None, 1:]
                  * np.transpose(D[:, 1:, :], (0, 2, 1))[:, None, :, :])
        if self.dy:
            inner = inner + rest[:, :, None, :] * D[:, :, :, None]
        scale = w[:, None, None] * c[:, :, None] * xe[:, None, :]
        T = (scale[..., None] * inner).reshape(Z.shape[0], J * k1 * E)
        G = (T.T @ Z).reshape(J, k1, E, k1)
        diagonal = np.arange(k1)  # the d_ac term
        G[:, diagonal, :, diagonal] += np.transpose(
            np.einsum("ija,ijl->jal", scale, rest), (1, 0, 2))
        for column in self.dummy:
            self._discrete(Z, w, column, None, me, M, G)
        for column in self.count:
            self._discrete(Z, w, column, 1.0, me, M, G)
        self.M += M
        self.G += G
        self.weight += float(w.sum())
        if self.rows is not None:
            self.rows[start:start + Z.shape[0]] = me

    def _discrete(self, Z, w, column, shift, me, M, G):
        """Replace the block's effect of ``column`` (in ``me``, ``M``,
        ``G``) by its discrete change: 0 -> 1 (a dummy, ``shift`` None) or
        x - 1 -> x + 1, halved (a count)."""
        B = self.B
        low, high = Z.copy(), Z.copy()
        if shift is None:
            low[:, column], high[:, column], half = 0.0, 1.0, 1.0
        else:
            low[:, column] -= shift
            high[:, column] += shift
            half = 0.5
        eye = np.eye(B.shape[0])[None, :, 1:]
        P0, P1 = _probabilities(low @ B.T), _probabilities(high @ B.T)
        # g_jl: the derivative of F_j in the linear predictor of class l
        g0, g1 = eye - P0[:, None, 1:], eye - P1[:, None, 1:]
        if self.dy:
            change = P1 - P0
            g0, g1 = P0[:, :, None] * g0, P1[:, :, None] * g1
        else:
            change = np.log(P1) - np.log(P0)
        me[:, :, column] = half * change
        M[:, column] = w @ me[:, :, column]
        G[:, column] = half * (np.einsum("i,ijl,ic->jlc", w, g1, high)
                               - np.einsum("i,ijl,ic->jlc", w, g0, low))

    def done(self):
        return self.M / self.weight, self.G / self.weight


# ----------------------------------------------------------------------
# get_margeff
# ----------------------------------------------------------------------
def _check(at, method, dummy, count):
    if not isinstance(method, str) or method.lower() not in METHODS:
        raise ValueError(f"method is not understood.  Got {method!r} (one "
                         f"of {', '.join(METHODS)}).")
    if not isinstance(at, str) or at.lower() not in ATS:
        raise ValueError(f"{at!r} not a valid option for `at` (one of "
                         f"{', '.join(ATS)}).")
    method, at = method.lower(), at.lower()
    for name, value in (("dummy", dummy), ("count", count)):
        if not isinstance(value, (bool, np.bool_)):
            raise ValueError(f"{name} must be a bool, got {value!r}.")
    if dummy or count:
        if method in ("dyex", "eyex"):
            raise ValueError(f"{method} not allowed for discrete variables")
        if at in ("median", "zero"):
            raise ValueError(f"{at} not allowed for discrete variables")
    return at, method


def _atexog_columns(atexog, names):
    """``atexog`` as ``{design column: value}`` (int keys as statsmodels:
    the design's columns, constant first; str keys: coefficient names)."""
    columns = {}
    for key, value in atexog.items():
        if isinstance(key, str):
            if key not in names:
                raise ValueError(f"atexog names {key!r}, which is not a "
                                 f"coefficient (one of {names}).")
            column = names.index(key)
        elif isinstance(key, (int, np.integer)) and not isinstance(key, bool):
            column = int(key)
            if not 0 <= column < len(names):
                raise ValueError(f"atexog column {key} is out of range for "
                                 f"the {len(names)} design columns.")
        else:
            raise ValueError(f"atexog keys must be column indices or names, "
                             f"got {key!r}.")
        value = np.asarray(value, dtype=np.float64)
        if not np.all(np.isfinite(value)):
            raise ValueError(f"atexog[{key!r}] must be finite.")
        columns[column] = value
    return columns


def _substituted(Z, columns, start):
    for column, value in columns.items():
        Z[:, column] = (value if value.ndim == 0
                        else value[start:start + Z.shape[0]])
    return Z


def _coefficients(results):
    """(B, V, J): class coefficient rows in the design's order (``B_0 =
    0``) and the covariance of classes 1..J-1, equation-major."""
    fit = results._fit
    params = np.atleast_2d(fit.params)
    B = np.vstack([np.zeros(params.shape[1]), params])
    return B, np.asarray(fit.covariance), B.shape[0]


def get_margeff(results: Any, at: str = "overall", method: str = "dydx",
                atexog: Any = None, dummy: bool = False,
                count: bool = False) -> MarginalEffects:
    """``results.get_margeff(...)`` of a LogitResults or MNLogitResults
    (see :meth:`clogit.LogitResults.get_margeff`)."""
    at, method = _check(at, method, dummy, count)
    fit = results._fit
    names = list(results._names)
    data = training_data(fit, "get_margeff()")
    X, weights = data.X, data.sample_weight
    info = _Columns(X, weights, fit.fit_intercept)
    dummy_idx = info.dummy if dummy and info.dummy.size else None
    count_idx = info.count if count and info.count.size else None
    B, V, J = _coefficients(results)
    k1 = B.shape[1]
    columns = {}
    rows_given = None
    if isinstance(atexog, dict):
        columns = _atexog_columns(atexog, names)
    elif atexog is not None:
        rows_given = np.asarray(atexog, dtype=np.float64)
        rows_given = np.atleast_2d(rows_given)
        if rows_given.ndim != 2 or rows_given.shape[1] != k1:
            raise ValueError(
                "atexog does not have the same number of variables as exog "
                f"({k1} design columns, constant first).")
        if not np.all(np.isfinite(rows_given)):
            raise ValueError("atexog must be finite.")

    rows = max(16, _BLOCK_ELEMENTS // (J * k1 * max(J - 1, 1)))
    n = X.shape[0] if rows_given is None else rows_given.shape[0]
    per_row = np.empty((n, J, k1)) if at == "all" else None
    sums = _Sums(B, method, dummy_idx, count_idx, per_row)
    if at in ("mean", "median", "zero"):
        if at == "zero":
            point = np.where(info.varying, 0.0, 1.0)
        elif rows_given is not None:
            point = (rows_given.mean(axis=0) if at == "mean"
                     else np.median(rows_given, axis=0))
        else:
            point = (info.mean.copy() if at == "mean"
                     else _median_row(X, weights, fit.fit_intercept))
            for column, value in columns.items():
                point[column] = (np.mean(value) if at == "mean"
                                 else np.median(value))
        sums.add(point[None, :], np.ones(1))
    elif rows_given is not None:
        for a in range(0, n, rows):
            Z = _substituted(rows_given[a:a + rows].copy(), columns, a)
            sums.add(Z, np.ones(Z.shape[0]), a)
    else:
        for a, Z in _blocks(X, fit.fit_intercept, rows):
            sums.add(_substituted(Z, columns, a), weights[a:a + Z.shape[0]],
                     a)

    effects = np.flatnonzero(info.varying)
    binary = fit.coef.ndim == 1
    options = {"method": method, "at": at}
    shown = [names[a] for a in effects]
    model = "Logit" if binary else "MNLogit"
    classes = None if binary else list(results.classes)
    if at == "all":
        assert per_row is not None
        margeff = (per_row[:, 1, effects] if binary
                   else np.transpose(per_row, (0, 2, 1))[:, effects, :])
        return MarginalEffects(margeff, None, None, options, shown,
                               dummy_idx, count_idx, model, results._yname,
                               classes)
    M, G = sums.done()
    G = G.reshape(J * k1, (J - 1) * k1)
    if binary:
        M, G = M[1:], G[k1:]
    cov = G @ V @ G.T
    cov = 0.5 * (cov + cov.T)
    se = np.sqrt(np.clip(np.diagonal(cov), 0.0, None)).reshape(M.shape)
    keep = np.concatenate([effects + j * k1 for j in range(M.shape[0])])
    cov = cov[np.ix_(keep, keep)]
    if binary:
        margeff, margeff_se = M[0, effects], se[0, effects]
    else:
        margeff, margeff_se = M[:, effects].T, se[:, effects].T
    return MarginalEffects(margeff, margeff_se, cov, options, shown,
                           dummy_idx, count_idx, model, results._yname,
                           classes)
