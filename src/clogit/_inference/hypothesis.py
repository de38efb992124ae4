"""Tests of hypotheses on the coefficients: ``wald_test``, ``t_test`` and
``compare_lr_test``, as statsmodels computes them.

Restrictions
------------
A hypothesis is ``R theta = q`` for the coefficients ``theta`` (intercept
first; a multinomial fit's contrasts class by class, as ``cov_params()``):
given as a matrix R (``q = 0``), a tuple ``(R, q)``, or a string in
statsmodels' (patsy's) grammar -- comma-separated linear equations in the
coefficient names, e.g. ``"x1 = 0, x2 = x3"``, ``"2 * x1 - x2 = 1"``,
``"(x1 + x2) / 2"`` (no "=": "= 0"), ``"x1 = x2 = 0"`` (two rows: ``x1 -
x2 = 0`` and ``x2 = 0``).  A multinomial fit's coefficients are named as
statsmodels names them there, ``y{class}_{name}`` (``y1_selfLR``).

What is computed
----------------
* ``t_test``: for each row, ``effect = R theta``, ``sd = sqrt(diag(R V
  R^T))`` and ``z = (effect - q) / sd`` with normal p-values (statsmodels'
  ``use_t=False`` for discrete models) and intervals ``effect -/+ z sd``;
* ``wald_test``: ``W = (R theta - q)^T (R V R^T)^+ (R theta - q)``,
  chi-squared with ``rank(R V R^T)`` degrees of freedom (``use_f=True``:
  ``W / J`` against F(J, df_resid));
* ``compare_lr_test(restricted)``: ``LR = -2 (llf_restricted - llf)`` on
  ``df_resid_restricted - df_resid`` degrees of freedom -- for maximum
  likelihood fits of nested models on the same data, and for two Firth fits
  with their penalized log-likelihoods (logistf's penalized likelihood
  ratio test).

``V`` is the covariance of the fit's ``cov_type`` (or ``cov_p``).
"""

from __future__ import annotations

import re
import warnings
from typing import Any

import numpy as np
from scipy import stats

from .data import require_pandas
from .problem import check_alpha, two_sided_p
from .summary import Summary, label_text, margins_summary

__all__ = ["ContrastResults", "compare_lr_test", "linear_restrictions",
           "t_test", "wald_test"]


# ----------------------------------------------------------------------
# the restriction grammar
# ----------------------------------------------------------------------
_NUMBER = r"(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"


class _Linear:
    """``coef . theta + const``."""

    def __init__(self, coef, const):
        self.coef = coef
        self.const = const

    @property
    def constant(self):
        return not np.any(self.coef)


class _Parser:
    """Recursive descent over the tokens of one restriction string."""

    def __init__(self, text, names):
        self.text = text
        self.names = list(names)
        self.index = {name: k for k, name in enumerate(self.names)}
        # names first, longest first ("x10" before "x1"); they may hold
        # any character (``C(rank)[T.2]``)
        alternatives = [re.escape(n) for n in sorted(self.names, key=len,
                                                     reverse=True)]
        pattern = "|".join([f"(?P<name>{'|'.join(alternatives)})"
                            if alternatives else "(?P<name>(?!))",
                            f"(?P<number>{_NUMBER})",
                            r"(?P<op>[-+*/()=,])", r"(?P<space>\s+)"])
        self.tokens = []
        position = 0
        regex = re.compile(pattern)
        while position < len(text):
            match = regex.match(text, position)
            if match is None:
                self._fail(position, "unrecognized token")
            kind = match.lastgroup
            if kind != "space":
                self.tokens.append((kind, match.group(), position))
            position = match.end()
        self.tokens.append(("end", "", len(text)))
        self.at = 0

    def _fail(self, position, message):
        raise ValueError(f"{message} in restriction {self.text!r} at "
                         f"position {position}: "
                         f"{self.text[position:position + 20]!r}")

    def _peek(self):
        return self.tokens[self.at]

    def _take(self, value=None):
        token = self.tokens[self.at]
        if value is not None and token[1] != value:
            self._fail(token[2], f"expected {value!r}")
        self.at += 1
        return token

    def rows(self):
        rows = []
        while True:
            sides = [self._expression()]
            while self._peek()[1] == "=":
                self._take("=")
                sides.append(self._expression())
            if len(sides) == 1:
                sides.append(_Linear(np.zeros(len(self.names)), 0.0))
            for lhs, rhs in zip(sides[:-1], sides[1:]):
                coef = lhs.coef - rhs.coef
                if not np.any(coef):
                    raise ValueError(
                        f"restriction {self.text!r} has an equation that "
                        "involves no coefficient.")
                rows.append((coef, rhs.const - lhs.const))
            token = self._take()
            if token[0] == "end":
                return rows
            if token[1] != ",":
                self._fail(token[2], "expected ',' or the end")

    def _expression(self):
        value = self._term()
        while self._peek()[1] in ("+", "-"):
            sign = 1.0 if self._take()[1] == "+" else -1.0
            other = self._term()
            value = _Linear(value.coef + sign * other.coef,
                            value.const + sign * other.const)
        return value

    def _term(self):
        value = self._factor()
        while self._peek()[1] in ("*", "/"):
            _, op, position = self._take()
            other = self._factor()
            if op == "*":
                if not (value.constant or other.constant):
                    self._fail(position, "a product of coefficients is not "
                               "linear")
                scale, value = ((value.const, other) if value.constant
                                else (other.const, value))
            else:
                if not other.constant or other.const == 0.0:
                    self._fail(position, "division by a coefficient or by "
                               "zero")
                scale = 1.0 / other.const
            value = _Linear(scale * value.coef, scale * value.const)
        return value

    def _factor(self):
        kind, text, position = self._take()
        if text in ("+", "-"):
            value = self._factor()
            sign = 1.0 if text == "+" else -1.0
            return _Linear(sign * value.coef, sign * value.const)
        if kind == "number":
            return _Linear(np.zeros(len(self.names)), float(text))
        if kind == "name":
            coef = np.zeros(len(self.names))
            coef[self.index[text]] = 1.0
            return _Linear(coef, 0.0)
        if text == "(":
            value = self._expression()
            self._take(")")
            return value
        self._fail(position, "expected a coefficient name, a number or '('")
        raise AssertionError  # unreachable: _fail raises


def linear_restrictions(r_matrix, names):
    """``(R, q)`` of a hypothesis given as a string (or a list of them), a
    matrix or a tuple ``(R, q)``, for coefficients named ``names``."""
    k = len(names)
    if isinstance(r_matrix, str) or (
            isinstance(r_matrix, (list, tuple)) and r_matrix
            and all(isinstance(item, str) for item in r_matrix)):
        texts = [r_matrix] if isinstance(r_matrix, str) else list(r_matrix)
        rows = [row for text in texts for row in _Parser(text, names).rows()]
        R = np.array([coef for coef, _ in rows])
        q = np.array([value for _, value in rows])
        return R, q
    if isinstance(r_matrix, tuple) and len(r_matrix) == 2:
        R, q = r_matrix
    else:
        R, q = r_matrix, None
    R = np.atleast_2d(np.asarray(R, dtype=np.float64))
    if R.ndim != 2 or R.shape[1] != k:
        raise ValueError(f"r_matrix must have {k} columns (one per "
                         f"coefficient), got shape {R.shape}.")
    q = (np.zeros(R.shape[0]) if q is None
         else np.asarray(q, dtype=np.float64).ravel())
    if q.size == 1 and R.shape[0] > 1:
        q = np.full(R.shape[0], float(q[0]))
    if q.shape != (R.shape[0],):
        raise ValueError("r_matrix and q_matrix must have the same number of "
                         "rows")
    if not (np.all(np.isfinite(R)) and np.all(np.isfinite(q))):
        raise ValueError("r_matrix and q_matrix must be finite.")
    return R, q


# ----------------------------------------------------------------------
# results
# ----------------------------------------------------------------------
class ContrastResults:
    """The result of ``t_test`` or ``wald_test`` (statsmodels' names).

    Attributes
    ----------
    effect : ndarray or None
        ``R theta`` of each restriction (``t_test``).
    sd : ndarray or None
        Its standard errors.
    statistic : ndarray or float
        z (or t) per restriction for ``t_test``; the chi-squared (or F)
        statistic for ``wald_test``.
    tvalue : ndarray or None
        ``statistic`` of a ``t_test`` (statsmodels' alias).
    pvalue : ndarray or float
    distribution : {"norm", "t", "chi2", "F"}
    df_denom : float
        Degrees of freedom: of the chi-squared statistic (statsmodels
        stores it there), or the denominator's of t / F.
    df_num : float or None
        The F statistic's numerator degrees of freedom.
    q : ndarray or None
        The hypothesized values of a ``t_test``.

    See Also
    --------
    clogit.LogitResults.t_test : One test per restriction.
    clogit.LogitResults.wald_test : The joint test.
    """

    def __init__(self, *, distribution: str, statistic: Any, pvalue: Any,
                 df_denom: float, effect: np.ndarray | None = None,
                 sd: np.ndarray | None = None, q: np.ndarray | None = None,
                 df_num: float | None = None) -> None:
        self.distribution = distribution
        self.statistic = statistic
        self.pvalue = pvalue
        self.df_denom = df_denom
        self.df_num = df_num
        self.effect = effect
        self.sd = sd
        self.q = q
        self.tvalue = statistic if effect is not None else None
        if distribution == "F":
            self.fvalue = statistic
        elif distribution == "chi2":
            self.chi2 = statistic
        self.c_names = (None if effect is None else
                        [f"c{k}" for k in range(len(effect))])

    def _quantile(self, alpha):
        if self.distribution == "t":
            return stats.t.ppf(1 - alpha / 2, self.df_denom)
        return stats.norm.ppf(1 - alpha / 2)

    def conf_int(self, alpha: float = 0.05) -> np.ndarray:
        """Confidence intervals ``effect -/+ quantile * sd`` of a ``t_test``.

        Parameters
        ----------
        alpha : float in (0, 1), default=0.05
            One minus the confidence level.

        Returns
        -------
        ndarray of shape (n_restrictions, 2)
            Lower and upper bounds (normal or t quantiles, as the test).

        Raises
        ------
        NotImplementedError
            For a joint Wald test, which has no intervals.

        See Also
        --------
        summary_frame : The test and intervals as a table.
        """
        if self.effect is None or self.sd is None:
            raise NotImplementedError(
                "Confidence Interval not available: this is a joint Wald "
                "test (use t_test for intervals).")
        half = self._quantile(check_alpha(alpha)) * self.sd
        return np.column_stack([self.effect - half, self.effect + half])

    def summary_frame(self, xname: list[str] | None = None,
                      alpha: float = 0.05) -> Any:
        """The ``t_test`` as a table, as statsmodels' ``summary_frame``.

        The columns are "coef", "std err", "z" (or "t"), "P>|z|", "Conf.
        Int. Low", "Conf. Int. Upp." (statsmodels').

        Parameters
        ----------
        xname : list of str, optional
            Row names (default ``c0``, ``c1`` ...).
        alpha : float in (0, 1), default=0.05
            One minus the confidence level.

        Returns
        -------
        pandas.DataFrame
            One row per restriction.

        See Also
        --------
        summary : The same figures as a statsmodels-style table.
        """
        pd = require_pandas("summary_frame")
        ci = self.conf_int(alpha)
        letter = "t" if self.distribution == "t" else "z"
        data = {"coef": self.effect, "std err": self.sd,
                letter: self.statistic, f"P>|{letter}|": self.pvalue,
                "Conf. Int. Low": ci[:, 0], "Conf. Int. Upp.": ci[:, 1]}
        return pd.DataFrame(data, index=list(xname or self.c_names or []))

    def summary(self, xname: list[str] | None = None,
                alpha: float = 0.05) -> Summary | str:
        """Tabulate the test, as statsmodels prints it.

        A table of a ``t_test`` ("Test for Constraints"), or a line for a
        joint test.

        Parameters
        ----------
        xname : list of str, optional
            Row names (default ``c0``, ``c1`` ...).
        alpha : float in (0, 1), default=0.05
            One minus the confidence level.

        Returns
        -------
        Summary or str
            The table of a ``t_test``; the line of a joint test.

        See Also
        --------
        summary_frame : The ``t_test`` as a DataFrame.
        """
        if self.effect is None:
            if self.distribution == "F":
                return (f"<F test: F={self.statistic!r}, p={self.pvalue}, "
                        f"df_denom={self.df_denom:.3g}, "
                        f"df_num={self.df_num:.3g}>")
            return (f"<Wald test (chi2): statistic={self.statistic}, "
                    f"p-value={self.pvalue}, df_denom={self.df_denom:.3g}>")
        alpha = check_alpha(alpha)
        assert self.sd is not None
        table = (None, list(xname or self.c_names or []), self.effect, self.sd,
                 self.statistic)
        return margins_summary("Test for Constraints", [], [table], "coef",
                               alpha, quantile=self._quantile(alpha))

    def __str__(self) -> str:
        return str(self.summary())

    def __repr__(self) -> str:
        return f"{type(self).__name__}\n{self}"


# ----------------------------------------------------------------------
# the tests
# ----------------------------------------------------------------------
def restriction_names(results):
    """The names restrictions may use: the coefficient names, and for a
    multinomial fit ``y{class}_{name}`` (statsmodels')."""
    names = list(results._names)
    classes = getattr(results, "classes", None)
    if classes is None:
        return names
    return [f"y{label_text(label)}_{name}" for label in classes[1:]
            for name in names]


def _covariance(results, cov_p):
    if cov_p is None:
        return np.asarray(results._fit.covariance)
    cov = np.asarray(cov_p, dtype=np.float64)
    k = results._fit.params.size
    if cov.shape != (k, k):
        raise ValueError(f"cov_p must be {k} x {k}, got {cov.shape}.")
    return cov


def _restricted_covariance(results, R, cov_p):
    cov = R @ _covariance(results, cov_p) @ R.T
    if np.isnan(cov).any():
        raise ValueError(
            "The covariance of the coefficients is undefined (nan: a "
            "singular Hessian), so these restrictions cannot be tested.")
    return cov


def _bool_or_none(value, name):
    if value is not None and not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be None or a bool, got {value!r}.")
    return bool(value)


def t_test(results: Any, r_matrix: Any, cov_p: Any = None,
           use_t: bool | None = None) -> ContrastResults:
    """``results.t_test(...)`` (see :meth:`clogit.LogitResults.t_test`)."""
    use_t = _bool_or_none(use_t, "use_t")
    R, q = linear_restrictions(r_matrix, restriction_names(results))
    theta = np.ravel(results._fit.params)
    effect = R @ theta
    sd = np.sqrt(np.diagonal(_restricted_covariance(results, R, cov_p)))
    with np.errstate(divide="ignore", invalid="ignore"):
        statistic = (effect - q) / sd
    df = float(results.df_resid)
    if use_t:
        pvalue = 2.0 * stats.t.sf(np.abs(statistic), df)
        return ContrastResults(distribution="t", statistic=statistic,
                               pvalue=pvalue, df_denom=df, effect=effect,
                               sd=sd, q=q)
    return ContrastResults(distribution="norm", statistic=statistic,
                           pvalue=two_sided_p(statistic), df_denom=df,
                           effect=effect, sd=sd, q=q)


def wald_test(results: Any, r_matrix: Any, cov_p: Any = None,
              invcov: Any = None, use_f: bool | None = None,
              df_constraints: int | None = None) -> ContrastResults:
    """``results.wald_test(...)`` (see
    :meth:`clogit.LogitResults.wald_test`)."""
    use_f = _bool_or_none(use_f, "use_f")
    R, q = linear_restrictions(r_matrix, restriction_names(results))
    theta = np.ravel(results._fit.params)
    gap = R @ theta - q
    n_restrictions = R.shape[0]
    if invcov is None:
        cov = _restricted_covariance(results, R, cov_p)
        invcov = np.linalg.pinv(cov)
        rank = int(np.linalg.matrix_rank(cov))
        if rank < n_restrictions:
            warnings.warn(
                "covariance of constraints does not have full rank. The "
                f"number of constraints is {n_restrictions}, but rank is "
                f"{rank}: the test has {rank} degrees of freedom.",
                UserWarning, stacklevel=3)
            n_restrictions = rank
    else:
        invcov = np.asarray(invcov, dtype=np.float64)
        if invcov.shape != (R.shape[0], R.shape[0]):
            raise ValueError(f"invcov must be {R.shape[0]} x {R.shape[0]}.")
    if df_constraints is not None:
        n_restrictions = df_constraints
    statistic = float(gap @ invcov @ gap)
    if use_f:
        df_resid = float(results.df_resid)
        value = statistic / n_restrictions
        return ContrastResults(
            distribution="F", statistic=value,
            pvalue=float(stats.f.sf(value, n_restrictions, df_resid)),
            df_denom=df_resid, df_num=float(n_restrictions))
    return ContrastResults(
        distribution="chi2", statistic=statistic,
        pvalue=float(stats.chi2.sf(statistic, n_restrictions)),
        df_denom=float(n_restrictions))


def _results_of(model):
    """A results object, or a fitted estimator's ``results_``."""
    if hasattr(model, "_fit") and hasattr(model, "llf"):
        return model
    results = getattr(model, "results_", None)
    if results is None or isinstance(results, list):
        raise ValueError(
            "restricted must be a LogitResults / MNLogitResults (or a "
            "fitted binary or multinomial LogisticRegression), got "
            f"{type(model).__name__}.")
    return results


def _loglik(results, what):
    fit = results._fit
    if fit.penalty is None:
        return results.llf
    if fit.penalty == "firth":
        return results.llf_penalized
    raise ValueError(
        f"compare_lr_test compares log-likelihoods of maximum-likelihood "
        f"(penalty=None) or Firth fits; the {what} model was fitted with "
        f"penalty={fit.penalty!r}, whose likelihood ratio has no "
        "chi-squared distribution.")


def compare_lr_test(results: Any, restricted: Any) -> tuple[float, float,
                                                           float]:
    """``results.compare_lr_test(restricted)`` (see
    :meth:`clogit.LogitResults.compare_lr_test`)."""
    restricted = _results_of(restricted)
    full_penalty = results._fit.penalty
    if (full_penalty == "firth") != (restricted._fit.penalty == "firth"):
        raise ValueError("compare_lr_test needs two maximum-likelihood fits "
                         "or two Firth fits, not one of each.")
    llf_full = _loglik(results, "full")
    llf_restricted = _loglik(restricted, "restricted")
    if not np.isclose(results.nobs, restricted.nobs, rtol=1e-12):
        raise ValueError(
            f"The models were fitted on different data: {results.nobs:g} "
            f"and {restricted.nobs:g} observations.")
    df_diff = float(restricted.df_resid - results.df_resid)
    if df_diff <= 0:
        raise ValueError(
            "The restricted model must have fewer coefficients than this "
            f"one (it has {restricted.n_params:g}, this one "
            f"{results.n_params:g}).")
    statistic = float(-2.0 * (llf_restricted - llf_full))
    return statistic, float(stats.chi2.sf(statistic, df_diff)), df_diff
