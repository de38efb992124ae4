"""``clogit.logit``: fit a logistic regression from a formula and a table
of raw data, as statsmodels' ``smf.logit(formula, data).fit()``.

The design matrix comes from formulaic (``clogit._formula_design``); the
fit is an ordinary :class:`clogit.LogisticRegression` that keeps the
design (``formula_``), so that its predictions take raw data, its summary
names the coefficients as statsmodels does (``Intercept``,
``C(rank)[T.2]``) and its model file holds the formula and the levels.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

from ._estimator import LogisticRegression
from ._formula_design import FormulaDesign, as_frame, formula_names
from ._typing import ArrayLike, CovType


def _column_or_array(value, frame, rows, what):
    """A column of the data given by name, or an array; the rows kept."""
    if value is None:
        return None
    if isinstance(value, str):
        if value not in frame.columns:
            raise ValueError(f"{what}={value!r} is not a column of the "
                             "data.")
        values = np.asarray(frame[value])
    else:
        values = np.asarray(value)
        if values.ndim != 1 or values.shape[0] != len(frame):
            raise ValueError(
                f"{what} must be a column name or an array of "
                f"{len(frame)} entries (one per row of the data), got shape "
                f"{values.shape}.")
    return values if rows is None else values[rows]


def _caller_names(formula, depth):
    """The names the formula mentions in the caller's namespace (its own
    functions, ``np`` ...): only those, so that the fitted model holds no
    reference to anything else of the caller's."""
    frame = sys._getframe(depth + 1)
    wanted = formula_names(formula)
    namespace = {**frame.f_globals, **frame.f_locals}
    return {name: namespace[name] for name in wanted if name in namespace}


def logit(formula: str, data: Any, *, cov_type: CovType = "nonrobust",
          groups: ArrayLike | str | None = None,
          sample_weight: ArrayLike | str | None = None,
          missing: str = "raise", sparse: bool | str = "auto",
          **params: Any) -> LogisticRegression:
    """Fit a logistic regression from a formula and a data frame.

    As statsmodels' ``smf.logit(formula, data).fit()``.

    Parameters
    ----------
    formula : str
        ``"target ~ terms"`` in formulaic's grammar (Wilkinson formulas, as
        patsy/R): ``+`` adds terms, ``a:b`` interactions, ``a*b`` both,
        ``- 1`` removes the intercept; ``C(x)`` makes a column
        categorical (``C(x, contr.treatment(base=...))`` picks the
        reference), and ``np.log(x)``, ``I(x ** 2)``, ``center(x)``,
        ``scale(x)``, ``poly(x, 2)``, ``bs(x, df=4)`` ... transform it.
        String, categorical and bool columns are categorical: treatment
        coded, the first level the reference, named as statsmodels names
        them (``C(rank)[T.2]``, ``sex[T.male]``, ``flag[T.True]``).  The
        target may hold labels of any type (two classes: binary; more: the
        estimator's ``multi_class``).
    data : pandas DataFrame or dict of columns
        The data the formula's names refer to, one row per observation.
    cov_type : {"nonrobust", "HC0", "HC1", "HC2", "HC3", "cluster"}, \
default="nonrobust"
        The covariance of the inference (see
        :class:`clogit.LogisticRegression`).
    groups : str or array_like, optional
        The clusters of ``cov_type="cluster"``: a column of ``data`` or one
        label per row.
    sample_weight : str or array_like, optional
        Frequency weights: a column of ``data`` or one weight per row.
    missing : {"raise", "drop"}, default="raise"
        Rows with a missing value in a column the formula reads: a
        ValueError, or dropped (statsmodels' formula default).
    sparse : "auto", True or False, default="auto"
        Build the design as a scipy.sparse matrix: "auto" does when a
        categorical factor has 50 levels or more (its dummies are one
        nonzero per row).
    **params
        Parameters of :class:`clogit.LogisticRegression`.  The default
        penalty is None (maximum likelihood, as statsmodels' ``smf.logit``);
        the formula decides the intercept (``fit_intercept`` is not
        accepted).

    Returns
    -------
    LogisticRegression
        Fitted; ``formula_`` holds the design.  ``predict``,
        ``predict_proba``, ``decision_function`` and ``score`` take raw
        data with the formula's columns (a level the fit did not see is a
        ValueError); ``summary()`` and ``results_`` name the coefficients
        as statsmodels does; ``save`` writes the formula and its levels.

    See Also
    --------
    LogisticRegression : The estimator fitted, on arrays.

    Examples
    --------
    >>> import pandas as pd
    >>> import clogit
    >>> df = pd.DataFrame({"admit": [0, 1, 0, 1, 1, 0, 1, 0],
    ...                    "gpa": [2.9, 3.7, 3.1, 3.9, 3.3, 2.7, 3.0, 3.4],
    ...                    "rank": [1, 1, 2, 2, 1, 2, 2, 1]})
    >>> est = clogit.logit("admit ~ gpa + C(rank)", df)
    >>> list(est.results_.params.index)
    ['Intercept', 'gpa', 'C(rank)[T.2]']
    """
    if "fit_intercept" in params:
        raise ValueError(
            "clogit.logit takes the intercept from the formula ('... - 1' "
            "or '0 + ...' removes it); do not pass fit_intercept.")
    params.setdefault("penalty", None)
    context = _caller_names(formula, 1) if isinstance(formula, str) else {}
    frame = as_frame(data)
    design, X, y, rows = FormulaDesign.build(
        formula, frame, sparse=sparse, missing=missing, context=context)
    groups = _column_or_array(groups, frame, rows, "groups")
    sample_weight = _column_or_array(sample_weight, frame, rows,
                                     "sample_weight")
    estimator = LogisticRegression(fit_intercept=design.has_intercept,
                                   cov_type=cov_type, **params)
    if not design.sparse:
        # a DataFrame carries the column names into the fit (warnings)
        import pandas as pd
        X = pd.DataFrame(X, columns=design.feature_names, copy=False)
    estimator.fit(X, y, sample_weight=sample_weight, groups=groups)
    estimator.feature_names_in_ = np.array(design.feature_names,
                                           dtype=object)
    estimator._target_name = design.lhs
    estimator.formula_ = design
    return estimator
