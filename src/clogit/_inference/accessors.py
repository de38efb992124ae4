"""The estimator's inference API: per-problem fits, checked, and the
accessors (``params_``, ``covariance_``, ..., ``conf_int``, ``summary``)
that :class:`clogit.LogisticRegression` inherits from
:class:`InferenceMixin`."""

from __future__ import annotations

import numpy as np
from sklearn.utils.validation import check_is_fitted

from .binary import InferenceUnavailableError
from .summary import Summary, build_summary


def fits_of(estimator):
    """The estimator's per-problem :class:`BinaryFit` list, checked.

    Raises ``NotFittedError`` before ``fit``, and
    :class:`InferenceUnavailableError` (a ``ValueError`` and
    ``AttributeError``) when the fit cannot give inference: l1 / elastic-net
    penalties, a solver other than Newton, a multinomial fit, a model loaded
    from a file, or coefficients changed since ``fit``.
    """
    check_is_fitted(estimator)
    fits = getattr(estimator, "_inference_fits", None)
    if not fits:
        if getattr(estimator, "_multinomial", False):
            raise InferenceUnavailableError(
                "Inference (standard errors, p-values, summary) is available "
                "for binary and One-vs-Rest fits; this model is multinomial. "
                "Refit with multi_class='ovr'.")
        raise InferenceUnavailableError(
            "Inference needs the Hessian of a fit made in this session: it "
            "is not stored in model files (clogit.load). Refit the model.")
    for fit in fits:
        if fit.unavailable:
            raise InferenceUnavailableError(fit.unavailable)
    coef = estimator.coef_
    coef = np.asarray(coef.toarray() if hasattr(coef, "toarray") else coef)
    intercept = np.asarray(estimator.intercept_)
    # coef_ is float32 for float32 X: compare in its dtype
    if len(fits) != coef.shape[0] or any(
            not np.array_equal(fit.coef[:coef.shape[1]].astype(coef.dtype),
                               coef[k])
            or (fit.fit_intercept
                and fit.coef[-1].astype(intercept.dtype) != intercept[k])
            for k, fit in enumerate(fits)):
        raise InferenceUnavailableError(
            "coef_ or intercept_ changed since fit (or the fit was not "
            "binary/One-vs-Rest): the stored Hessian no longer applies. "
            "Refit the model.")
    return fits


def stacked(estimator, name, *args):
    """``BinaryFit.<name>`` of every problem: the value itself for a binary
    fit, stacked along a leading class axis for One-vs-Rest."""
    fits = fits_of(estimator)
    values = [getattr(fit, name) for fit in fits]
    if args:
        values = [value(*args) for value in values]
    if len(values) == 1:
        return values[0]
    return np.stack(values)


def check_alpha(alpha):
    """Validate a confidence level's complement ``alpha`` in (0, 1)."""
    if (isinstance(alpha, bool) or not isinstance(alpha, (int, float,
                                                          np.floating))
            or not 0.0 < alpha < 1.0):
        raise ValueError(f"alpha must be a number in (0, 1), got {alpha!r}.")
    return float(alpha)


def feature_names(estimator):
    """``feature_names_in_`` as str, or ``x0 .. x{p-1}``."""
    names = getattr(estimator, "feature_names_in_", None)
    if names is None:
        return [f"x{j}" for j in range(estimator.n_features_in_)]
    return [str(name) for name in names]


def coefficient_names(estimator):
    """Row names of the inference arrays: "const" first (when an intercept
    was fitted), then the feature names."""
    fits = fits_of(estimator)
    names = feature_names(estimator)
    return ["const"] + names if fits[0].fit_intercept else names


class InferenceMixin:
    """Wald inference of a fitted binary or One-vs-Rest model.

    Arrays put the intercept FIRST ("const", as statsmodels'
    ``add_constant``), then the features; One-vs-Rest adds a leading class
    axis.  With ``penalty="l2"`` they describe the penalized fit: the
    covariance is the inverse Hessian of ``-loglik + |w|^2 / (2 C)``.
    """

    # Arrays put the intercept FIRST ("const", as statsmodels'
    # add_constant), then the features; One-vs-Rest adds a leading class
    # axis.  With penalty="l2" they describe the penalized fit: the
    # covariance is the inverse Hessian of -loglik + |w|^2 / (2 C).
    # ------------------------------------------------------------------
    @property
    def params_(self) -> np.ndarray:
        """ndarray of shape (n_coef,) or (n_classes, n_coef): the
        coefficients in the order of the inference arrays (intercept
        first)."""
        return stacked(self, "params")

    @property
    def covariance_(self) -> np.ndarray:
        """ndarray of shape (n_coef, n_coef) or (n_classes, n_coef, n_coef):
        inverse Hessian of the fitted negative (penalized) log-likelihood,
        intercept first.  NaN if the Hessian is singular."""
        return stacked(self, "covariance")

    @property
    def std_errors_(self) -> np.ndarray:
        """ndarray of shape (n_coef,) or (n_classes, n_coef): Wald standard
        errors, ``sqrt(diag(covariance_))``."""
        return stacked(self, "std_errors")

    @property
    def z_values_(self) -> np.ndarray:
        """ndarray of shape (n_coef,) or (n_classes, n_coef):
        ``params_ / std_errors_``."""
        return stacked(self, "z_values")

    @property
    def p_values_(self) -> np.ndarray:
        """ndarray of shape (n_coef,) or (n_classes, n_coef): two-sided
        p-values of the z statistics under the standard normal."""
        return stacked(self, "p_values")

    @property
    def odds_ratios_(self) -> np.ndarray:
        """ndarray of shape (n_coef,) or (n_classes, n_coef):
        ``exp(params_)``."""
        return stacked(self, "odds_ratios")

    def conf_int(self, alpha: float = 0.05) -> np.ndarray:
        """Wald confidence intervals ``params_ -/+ z_{1-alpha/2} std_errors_``.

        Parameters
        ----------
        alpha : float in (0, 1), default=0.05
            One minus the confidence level.

        Returns
        -------
        ndarray of shape (n_coef, 2) or (n_classes, n_coef, 2)
            Lower and upper bounds, intercept first.
        """
        return stacked(self, "conf_int",
                                  check_alpha(alpha))

    def summary(self, alpha: float = 0.05,
                yname: str | None = None) -> Summary:
        """statsmodels-style table of the fit and its Wald inference.

        Parameters
        ----------
        alpha : float in (0, 1), default=0.05
            One minus the confidence level of the intervals.
        yname : str, optional
            Name of the dependent variable for the header.

        Returns
        -------
        Summary
            ``str()`` gives the text table; ``to_frame()`` a pandas
            DataFrame; notebooks render it as HTML.

        Raises
        ------
        ValueError
            For penalty "l1"/"elasticnet" (no Wald inference) and fits that
            kept no Hessian (see ``covariance_``).
        """
        alpha = check_alpha(alpha)
        fits = fits_of(self)
        return build_summary(self, fits, coefficient_names(self), alpha,
                             yname)

