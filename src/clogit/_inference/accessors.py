"""The estimator's inference API: ``results_`` (statsmodels' names) and the
array accessors (``params_``, ``covariance_``, ..., ``conf_int``,
``summary``) that :class:`clogit.LogisticRegression` inherits from
:class:`InferenceMixin`."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.utils.validation import check_is_fitted

from .multinomial import MultinomialFit
from .problem import InferenceUnavailableError, normal_quantile, two_sided_p
from .results import LogitResults, MNLogitResults, check_alpha
from .summary import Summary, one_vs_rest_summary

__all__ = ["InferenceMixin", "InferenceUnavailableError", "check_alpha",
           "coefficient_names", "fits_of", "results_of"]


def fits_of(estimator):
    """The estimator's per-problem fits (``BinaryFit`` list, or one
    ``MultinomialFit``), checked.

    Raises ``NotFittedError`` before ``fit``, and
    :class:`InferenceUnavailableError` (a ``ValueError`` and
    ``AttributeError``) when the fit cannot give inference: l1 / elastic-net
    penalties, a model loaded from a file that holds no inference, or
    coefficients changed since ``fit``.
    """
    check_is_fitted(estimator)
    fits = getattr(estimator, "_inference_fits", None)
    if not fits:
        raise InferenceUnavailableError(
            "This model holds no inference: it was loaded from a model file "
            "written without it (format version 1, or a fit whose "
            "covariance had not been computed when it was saved). Refit "
            "the model.")
    for fit in fits:
        if fit.unavailable:
            raise InferenceUnavailableError(fit.unavailable)
    coef = estimator.coef_
    coef = np.asarray(coef.toarray() if hasattr(coef, "toarray") else coef)
    intercept = np.asarray(estimator.intercept_)
    # coef_ is float32 for float32 X: compare in its dtype
    def same(a, b):
        return np.array_equal(np.asarray(a).astype(b.dtype), b)

    if isinstance(fits[0], MultinomialFit):
        fit = fits[0]
        n_features = coef.shape[1]
        unchanged = (fit.coef.shape[0] == coef.shape[0]
                     and same(fit.coef[:, :n_features], coef)
                     and (not fit.fit_intercept
                          or same(fit.coef[:, -1], intercept)))
    else:
        unchanged = len(fits) == coef.shape[0] and all(
            same(fit.coef[:coef.shape[1]], coef[k])
            and (not fit.fit_intercept
                 or same(fit.coef[-1:], intercept[k:k + 1]))
            for k, fit in enumerate(fits))
    if not unchanged:
        raise InferenceUnavailableError(
            "coef_ or intercept_ changed since fit: the stored Hessian no "
            "longer applies. Refit the model.")
    return fits


def feature_names(estimator):
    """``feature_names_in_`` as str, or ``x0 .. x{p-1}``."""
    names = getattr(estimator, "feature_names_in_", None)
    if names is None:
        return [f"x{j}" for j in range(estimator.n_features_in_)]
    return [str(name) for name in names]


def coefficient_names(estimator):
    """Row names of the inference arrays: the intercept first ("const", or
    "Intercept" for a formula fit, as statsmodels names them), then the
    feature names."""
    fits = fits_of(estimator)
    names = feature_names(estimator)
    if not fits[0].fit_intercept:
        return names
    design = getattr(estimator, "formula_", None)
    return [design.intercept_name if design is not None else "const"] + names


def target_name(estimator):
    """The dependent variable's name: the formula's left-hand side, the
    name of a named target (a pandas Series), or "y"."""
    name = getattr(estimator, "_target_name", None)
    return "y" if name is None else str(name)


def results_of(estimator):
    """``results_``: a LogitResults (binary), a list of them (One-vs-Rest,
    class order) or an MNLogitResults (multinomial)."""
    fits = fits_of(estimator)
    names = coefficient_names(estimator)
    yname = target_name(estimator)
    # each problem's objective C (a CV's chosen C may differ by class);
    # the header names it for a penalized fit only
    design = getattr(estimator, "formula_", None)
    columns = getattr(estimator, "feature_names_in_", None)
    if isinstance(fits[0], MultinomialFit):
        return MNLogitResults(fits[0], names, yname, "MNLogit",
                              fits[0].model_C, estimator.classes_.tolist(),
                              design, columns)
    if len(fits) == 1:
        return LogitResults(fits[0], names, yname, "Logit", fits[0].model_C,
                            design, columns)
    return [LogitResults(fit, names, yname, "Logit (OvR)", fit.model_C,
                         design, columns)
            for fit in fits]


def _per_problem(estimator, compute):
    """``compute(fit)`` for every problem: the value itself for a binary or
    multinomial fit, stacked along a leading class axis for One-vs-Rest."""
    values = [compute(fit) for fit in fits_of(estimator)]
    return values[0] if len(values) == 1 else np.stack(values)


def _bse(fit):
    return np.sqrt(np.diagonal(fit.covariance)).reshape(fit.params.shape)


def _z(fit):
    with np.errstate(divide="ignore", invalid="ignore"):
        return fit.params / _bse(fit)


class InferenceMixin:
    """Wald inference of a fitted model, as arrays and as a results object.

    ``results_`` carries statsmodels' names (see
    ``clogit._inference.results``).  The array accessors put the intercept
    FIRST ("const", as statsmodels' ``add_constant``), then the features;
    One-vs-Rest adds a leading class axis, and a multinomial fit reports
    the K - 1 contrasts with the first class (statsmodels' ``MNLogit``),
    one row per class after the first.  The covariance is that of the
    estimator's ``cov_type``.  With ``penalty="l2"`` every figure describes
    the penalized fit (the covariance is the inverse Hessian of ``-loglik
    + |w|^2 / (2 C)``, or the sandwich with it as bread) and the summary
    says so.
    """

    @property
    def results_(self) -> Any:
        """The fit's inference, with statsmodels' names.

        A :class:`~clogit.LogitResults`, a list of them or an
        :class:`~clogit.MNLogitResults`: one object for a binary fit, a list (class order) for
        One-vs-Rest, an ``MNLogitResults`` (contrasts with the first class)
        for a multinomial fit.  Its values are pandas objects labelled by
        coefficient name when pandas is installed, numpy arrays otherwise.

        See Also
        --------
        summary : The table of the same figures.
        """
        return results_of(self)

    @property
    def params_(self) -> np.ndarray:
        """Coefficients in the order of the inference arrays.

        ndarray of shape (n_coef,), (n_classes, n_coef) for One-vs-Rest or
        (n_classes - 1, n_coef) for a multinomial fit, intercept first.
        """
        return _per_problem(self, lambda fit: fit.params)

    @property
    def covariance_(self) -> np.ndarray:
        """Covariance of the coefficients, of ``cov_type``.

        ndarray of shape (n_coef, n_coef), (n_classes, n_coef, n_coef) for
        One-vs-Rest or ((n_classes - 1) n_coef,) * 2 for a multinomial fit
        (class-major); by default the inverse Hessian of the fitted
        negative (penalized) log-likelihood, intercept first.  NaN if the
        Hessian is singular.
        """
        return _per_problem(self, lambda fit: fit.covariance)

    @property
    def std_errors_(self) -> np.ndarray:
        """Standard errors, the square roots of the covariance's diagonal.

        ndarray shaped as ``params_``.
        """
        return _per_problem(self, _bse)

    @property
    def z_values_(self) -> np.ndarray:
        """Wald z statistics ``params_ / std_errors_``, shaped as ``params_``."""
        return _per_problem(self, _z)

    @property
    def p_values_(self) -> np.ndarray:
        """Two-sided p-values of the z statistics (standard normal).

        ndarray shaped as ``params_``.
        """
        return _per_problem(self, lambda fit: two_sided_p(_z(fit)))

    @property
    def odds_ratios_(self) -> np.ndarray:
        """Odds ratios ``exp(params_)``, shaped as ``params_``."""
        # inf for a coefficient past log(max float): the value, no warning
        with np.errstate(over="ignore"):
            return _per_problem(self, lambda fit: np.exp(fit.params))

    def conf_int(self, alpha: float = 0.05) -> np.ndarray:
        """Wald confidence intervals ``params_ -/+ z_{1-alpha/2} std_errors_``.

        Parameters
        ----------
        alpha : float in (0, 1), default=0.05
            One minus the confidence level.

        Returns
        -------
        ndarray of shape ``params_.shape + (2,)``
            Lower and upper bounds, intercept first.

        See Also
        --------
        summary : The table with these intervals.
        clogit.LogitResults.conf_int : Profile-likelihood intervals too.
        """
        q = normal_quantile(check_alpha(alpha))
        return _per_problem(self, lambda fit: np.stack(
            [fit.params - q * _bse(fit), fit.params + q * _bse(fit)],
            axis=-1))

    def summary(self, alpha: float = 0.05, xname: list[str] | None = None,
                yname: str | None = None) -> Summary:
        """Tabulate the fit and its Wald inference, as statsmodels.

        Parameters
        ----------
        alpha : float in (0, 1), default=0.05
            One minus the confidence level of the intervals.
        xname : list of str, optional
            Names of the coefficients, intercept first (default: "const"
            or "Intercept", then the feature names).
        yname : str, optional
            Name of the dependent variable for the header (default: the
            formula's left-hand side, or the name of the target Series,
            or "y").

        Returns
        -------
        Summary
            ``str()`` / ``as_text()`` give the text table, ``as_html()``
            and ``as_latex()`` HTML and LaTeX, ``to_frame()`` a pandas
            DataFrame; notebooks render it as HTML.

        Raises
        ------
        ValueError
            For penalty "l1"/"elasticnet" (no Wald inference) and models
            that hold no inference.

        See Also
        --------
        results_ : The same figures as a results object.
        conf_int : The intervals as an array.
        """
        alpha = check_alpha(alpha)
        results = results_of(self)
        if isinstance(results, list):
            classes = self.classes_.tolist()  # type: ignore[attr-defined]
            return one_vs_rest_summary(results, classes,
                                       yname, xname, None, alpha)
        return results.summary(yname=yname, xname=xname, alpha=alpha)
