"""Results objects with statsmodels' names: ``LogitResults`` (one binary
problem: a binary fit, or one class of a One-vs-Rest fit) and
``MNLogitResults`` (a softmax fit, as statsmodels' ``MNLogit``).

They present the per-problem fits of :mod:`clogit._inference.binary` and
:mod:`clogit._inference.multinomial` under the names statsmodels users know
(``params``, ``bse``, ``tvalues``, ``pvalues``, ``conf_int()``,
``cov_params()``, ``llf``, ``llnull``, ``llr``, ``llr_pvalue``,
``prsquared``, ``aic``, ``bic``, ``nobs``, ``df_model``, ``df_resid``,
``summary()``), as pandas objects labelled by coefficient name when pandas
is installed and numpy arrays otherwise.

Conventions, as statsmodels' ``Logit`` / ``MNLogit``: ``nobs`` counts the
observations (the sum of the frequency weights); ``df_model`` is the
number of coefficients less one per equation (statsmodels' ``Logit``
assumes a constant: ``rank - 1`` even without one), ``df_resid`` is
``nobs`` less the number of coefficients; ``aic = -2 llf + 2 k`` and
``bic = -2 llf + log(nobs) k`` with ``k`` the number of coefficients;
``llnull`` is the intercept-only model's log-likelihood (with or without an
intercept in the model); ``llr_pvalue`` is the chi-squared tail of ``llr``
with ``df_model`` degrees of freedom.  With the l2 penalty every figure is
that of the penalized estimator: ``k`` is the effective number of
parameters ``tr(H_data H_pen^-1)``, and ``llr_pvalue`` is NaN (the
likelihood-ratio test assumes maximum likelihood).

Each object also keeps what later analyses of the same fit need
(predictions with intervals, marginal effects, tests): the fit itself
(``_fit``: coefficients in the solver's layout, the Hessian or its factor,
the covariance and -- in memory -- ``source``, a way to remake the
problem's kernels over the training data), the coefficient names and, for
a formula fit, the design that makes raw data into the design matrix
(``_design``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.stats import chi2

from . import hypothesis, margeff, prediction, profile, residuals
from .problem import check_alpha, normal_quantile, two_sided_p
from .summary import Summary, binary_block, multinomial_block


def pandas_or_none():
    """pandas, or None when it is not installed (then results are numpy
    arrays)."""
    try:
        import pandas
    except ImportError:  # pandas is an optional dependency
        return None
    return pandas


class _Results:
    """What both results classes share: the fit statistics."""

    _fit: Any
    use_t = False

    def __init__(self, fit: Any, names: list[str], yname: str,
                 model_name: str, C: float, design: Any = None,
                 feature_names_in: Any = None) -> None:
        self._fit = fit
        self._names = list(names)
        self._yname = yname
        self._model_name = model_name
        self._C = C
        self._design = design
        # the fit's column names (a DataFrame X), checked at predictions
        self._feature_names_in = (None if feature_names_in is None else
                                  [str(name) for name in feature_names_in])

    # -- fit statistics, statsmodels' names --------------------------------
    @property
    def cov_type(self) -> str:
        """The covariance of the inference: "nonrobust", "HC0"-"HC3", "cluster"."""
        return self._fit.cov_type

    @property
    def nobs(self) -> float:
        """Observations: the sum of the (frequency) sample weights."""
        return float(self._fit.n_obs)

    @property
    def n_params(self) -> float:
        """Coefficients (the effective number with l2)."""
        return float(self._fit.n_params)

    @property
    def df_model(self) -> float:
        """Coefficients less one per equation, as statsmodels' ``df_model``.

        With l2 the effective number of coefficients is counted.
        """
        return self.n_params - self._fit.n_equations

    @property
    def df_resid(self) -> float:
        """``nobs`` less the number of coefficients."""
        return self.nobs - self.n_params

    @property
    def llf(self) -> float:
        """Log-likelihood at the estimate (``sum_i s_i loglik_i``)."""
        return float(self._fit.loglik)

    @property
    def llf_penalized(self) -> float:
        """The fitted (penalized) log-likelihood.

        With ``penalty="firth"`` Firth's ``llf + 1/2 log det I`` (logistf's
        ``loglik``), with l2 ``llf - |w|^2 / (2 C)``, without a penalty
        ``llf``.
        """
        fit = self._fit
        if fit.penalty == "firth":
            # the classical covariance is I^-1: 1/2 log det I = -1/2 log
            # det I^-1 (a loaded model keeps only its covariance)
            if fit.factor is None and fit.hessian is None and (
                    fit.cov_type == "nonrobust" or fit.source is None):
                inverse = fit.covariance if fit.cov_type == "nonrobust" \
                    else np.full((1, 1), np.nan)
            else:
                inverse = fit.inverse_hessian()
            sign, log_det = np.linalg.slogdet(inverse)
            return self.llf - 0.5 * log_det if sign > 0 else float("nan")
        if fit.penalty == "l2":
            w = np.asarray(fit.coef)[..., :fit.n_features]
            return self.llf - 0.5 * fit.alpha / fit.C * float(np.sum(w * w))
        return self.llf

    @property
    def llnull(self) -> float:
        """Log-likelihood of the intercept-only model."""
        return float(self._fit.loglik_null)

    @property
    def llr(self) -> float:
        """Likelihood-ratio statistic ``2 (llf - llnull)``."""
        return 2.0 * (self.llf - self.llnull)

    @property
    def llr_pvalue(self) -> float:
        """Chi-squared p-value of ``llr`` on ``df_model`` degrees of freedom.

        NaN for a penalized fit.
        """
        if self._fit.penalty is not None or self.df_model <= 0:
            return float("nan")
        return float(chi2.sf(self.llr, self.df_model))

    @property
    def prsquared(self) -> float:
        """McFadden's pseudo R-squared ``1 - llf / llnull``."""
        if self.llnull == 0.0:
            return float("nan")
        return 1.0 - self.llf / self.llnull

    @property
    def aic(self) -> float:
        """Akaike's criterion ``-2 llf + 2 k``."""
        return -2.0 * self.llf + 2.0 * self.n_params

    @property
    def bic(self) -> float:
        """Schwarz's criterion ``-2 llf + log(nobs) k``."""
        return -2.0 * self.llf + np.log(self.nobs) * self.n_params

    @property
    def converged(self) -> bool:
        """Whether the solver's convergence test passed."""
        return bool(self._fit.converged)

    @property
    def penalty(self) -> str | None:
        """The penalty of the fit (None: maximum likelihood)."""
        return self._fit.penalty

    @property
    def method(self) -> str:
        """"MLE", or the penalized estimator's name."""
        if self._fit.penalty is None:
            return "MLE"
        return f"{self._fit.penalty}-penalized ML"

    @property
    def k_constant(self) -> int:
        """1 with an intercept, else 0."""
        return int(self._fit.fit_intercept)

    @property
    def coefficient_names(self) -> list[str]:
        """Names of the coefficients, intercept first."""
        return list(self._names)

    # -- analyses of the fit (clogit._inference.prediction, ...) ----------
    def get_prediction(self, X: Any = None, which: str = "mean",
                       row_labels: Any = None, average: bool = False,
                       agg_weights: Any = None) -> prediction.PredictionResults:
        """Predict with delta-method standard errors and intervals.

        As statsmodels' ``get_prediction``.
        For a binary problem the probability ``p = sigmoid(xt . theta)``
        has the standard error ``p (1 - p) sqrt(xt V xt^T)`` (V the
        covariance of ``cov_type``) and the interval ``sigmoid(eta -/+ z
        se(eta))`` (the linear predictor's Wald interval, mapped); a
        multinomial fit predicts every class's probability with
        delta-method intervals.  ``xt V xt^T`` comes from one blocked pass
        over X (no n x k temporary).

        Parameters
        ----------
        X : array_like, sparse matrix or DataFrame, optional
            The rows to predict at, as ``predict_proba`` takes them (a
            formula fit: raw data with the formula's columns).  Default:
            the training rows (needs the training data: not after
            ``clogit.load`` or ``remove_data()``).
        which : {"mean", "linear"}, default="mean"
            Predict the probability ("mean", statsmodels' name) or the
            linear predictor(s).
        row_labels : sequence, optional
            Labels of the rows in ``summary_frame`` (default: X's index
            when X is a DataFrame).
        average : bool, default=False
            Predict the mean over the rows, ``sum_i w_i p_i / n``, with the
            delta-method standard error of that mean.
        agg_weights : array_like of shape (n,), optional
            The ``w_i`` of ``average`` (not normalized, as statsmodels;
            default 1, or without X the fit's frequency weights scaled to
            sum to n: the weighted mean).

        Returns
        -------
        PredictionResults
            The predictions with statsmodels' names (the class is not
            exported: use its attributes).  Attributes ``predicted`` (shape
            (n,) binary, (n, K) multinomial; 0-d or (K,) with
            ``average``), ``se`` and ``var_pred`` (delta method, shaped as
            ``predicted``), ``linpred`` and ``linpred_se`` (the linear
            predictor, binary), ``row_labels``, ``columns`` (classes of a
            multinomial prediction); methods ``conf_int(alpha=0.05,
            method=None)`` ("endpoint": the linear predictor's interval
            mapped through the sigmoid, the default where it exists;
            "delta": ``predicted -/+ z se``), ``summary_frame(alpha=0.05)``
            (a DataFrame with columns ``predicted``, ``se``, ``ci_lower``,
            ``ci_upper``) and ``t_test(value=0, alternative="two-sided")``.

        Raises
        ------
        ValueError
            Bad options, or X that ``predict_proba`` would refuse.

        See Also
        --------
        clogit.LogisticRegression.predict_proba : The probabilities alone.
        get_margeff : Effects of the features on the probabilities.
        """
        return prediction.get_prediction(self, X, which=which,
                                         row_labels=row_labels,
                                         average=average,
                                         agg_weights=agg_weights)

    def get_margeff(self, at: str = "overall", method: str = "dydx",
                    atexog: Any = None, dummy: bool = False,
                    count: bool = False) -> margeff.MarginalEffects:
        """Marginal effects of the columns on the probabilities.

        With delta-method standard errors, as statsmodels' ``get_margeff``.
        The effect of column a on class j's probability is ``P_j (B_ja -
        sum_k P_k B_ka)`` (binary: ``p (1 - p) beta_a``), rescaled per row
        by ``method`` and averaged or evaluated as ``at`` says; the
        Jacobian of the effects in the coefficients is exact (statsmodels
        differentiates numerically), summed over the training rows in one
        blocked pass.  Sample weights count as frequency weights
        (``at="overall"`` is their weighted average, "mean"/"median" the
        weighted mean/median row).  Needs the training data (not after
        ``clogit.load`` or ``remove_data()``).

        Parameters
        ----------
        at : {"overall", "mean", "median", "zero", "all"}, default="overall"
            "overall": the average of every training row's effects;
            "mean", "median", "zero": the effects at the mean / median row,
            or at zero (constant columns at 1); "all": every row's effects
            (no standard errors).
        method : {"dydx", "eyex", "dyex", "eydx"}, default="dydx"
            dy/dx, or the elasticities d(ln y)/d(ln x), dy/d(ln x) and
            d(ln y)/dx (rescaled per row before averaging).
        atexog : dict or array_like, optional
            Values substituted before ``at`` applies: ``{column: value}``
            with the design's column index (constant first, as statsmodels)
            or a coefficient name as key; or an array of rows (all design
            columns, constant first) replacing the training rows.
        dummy : bool, default=False
            Treat 0/1 columns as discrete: the change of the probability
            from 0 to 1.
        count : bool, default=False
            Treat count columns (non-negative integers) as discrete: the
            change from x - 1 to x + 1, halved.

        Returns
        -------
        MarginalEffects
            The effects with statsmodels' ``DiscreteMargins`` names (the
            class is not exported: use its attributes).  Attributes
            ``margeff`` (shape (k,) binary, (k, K) multinomial, k the
            non-constant columns; a row per training row in front with
            ``at="all"``), ``margeff_se``, ``margeff_cov``, ``tvalues``,
            ``pvalues`` (not with ``at="all"``), ``margeff_options``,
            ``names``, ``dummy_idx``, ``count_idx``; methods
            ``conf_int(alpha=0.05)``, ``summary_frame(alpha=0.05)`` (a
            DataFrame with statsmodels' columns) and ``summary(alpha=0.05)``.

        Raises
        ------
        ValueError
            Unknown ``at`` or ``method``, "dyex"/"eyex" or "median"/"zero"
            with discrete columns, bad ``atexog``; or (an
            ``InferenceUnavailableError``) no training data.

        See Also
        --------
        get_prediction : The probabilities with their intervals.
        """
        return margeff.get_margeff(self, at=at, method=method,
                                   atexog=atexog, dummy=dummy, count=count)

    def t_test(self, r_matrix: Any, cov_p: Any = None,
               use_t: bool | None = None) -> hypothesis.ContrastResults:
        """Test each linear restriction ``R theta = q`` by its z statistic.

        As statsmodels' ``t_test``.

        Parameters
        ----------
        r_matrix : str, list of str, array_like or tuple (R, q)
            The restrictions: a string such as ``"x1 = 0, x2 = x3"`` in the
            coefficient names (statsmodels' grammar; a multinomial fit's
            coefficients are ``y{class}_{name}``), a matrix R (one row per
            restriction, one column per coefficient, intercept first; q =
            0) or a tuple (R, q).
        cov_p : array_like, optional
            A covariance to use instead of the fit's.
        use_t : bool, optional
            Student's t with ``df_resid`` degrees of freedom instead of
            the normal (statsmodels' default for discrete models: normal).

        Returns
        -------
        ContrastResults
            The tests with statsmodels' names (the class is not exported:
            use its attributes).  Attributes ``effect`` (``R theta``, one
            per restriction), ``sd`` (its standard errors), ``statistic``
            and ``tvalue`` (z or t), ``pvalue``, ``distribution`` ("norm"
            or "t"), ``df_denom``, ``q``, ``c_names``; methods
            ``conf_int(alpha=0.05)``, ``summary_frame(xname=None,
            alpha=0.05)`` (columns "coef", "std err", "z", "P>|z|", "Conf.
            Int. Low", "Conf. Int. Upp.") and ``summary(xname=None,
            alpha=0.05)``.

        See Also
        --------
        wald_test : The joint test of the restrictions.
        """
        return hypothesis.t_test(self, r_matrix, cov_p=cov_p, use_t=use_t)

    def wald_test(self, r_matrix: Any, cov_p: Any = None,
                  invcov: Any = None, use_f: bool | None = None,
                  df_constraints: int | None = None,
                  scalar: bool = True) -> hypothesis.ContrastResults:
        """Wald test of the joint linear hypothesis ``R theta = q``.

        As statsmodels' ``wald_test``: ``(R theta - q)^T (R V R^T)^+ (R
        theta - q)``, chi-squared with ``rank(R V R^T)`` degrees of
        freedom.

        Parameters
        ----------
        r_matrix : str, list of str, array_like or tuple (R, q)
            The hypothesis (see :meth:`t_test`).
        cov_p : array_like, optional
            A covariance to use instead of the fit's.
        invcov : array_like, optional
            The inverse of ``R V R^T``, if known.
        use_f : bool, optional
            The F form ``W / J`` against F(J, df_resid) (default: the
            chi-squared form, as statsmodels for discrete models).
        df_constraints : int, optional
            Degrees of freedom to use instead of the rank.
        scalar : bool, default=True
            Accepted for statsmodels' signature: the statistic is always a
            float.

        Returns
        -------
        ContrastResults
            The test with statsmodels' names (the class is not exported:
            use its attributes): ``statistic`` (a float), ``pvalue``,
            ``df_denom`` (the chi-squared degrees of freedom, statsmodels'
            attribute, or F's denominator's), ``df_num`` (F's numerator's),
            ``distribution`` ("chi2" or "F"), ``chi2`` or ``fvalue``;
            ``summary()`` is a line of text.

        Warns
        -----
        UserWarning
            When ``R V R^T`` is rank deficient (its rank is used).

        See Also
        --------
        t_test : One test per restriction.
        compare_lr_test : The likelihood-ratio test of nested models.
        """
        return hypothesis.wald_test(self, r_matrix, cov_p=cov_p,
                                    invcov=invcov, use_f=use_f,
                                    df_constraints=df_constraints)

    def compare_lr_test(self, restricted: Any) -> tuple[float, float, float]:
        """Likelihood-ratio test against a nested ``restricted`` model.

        The restricted model is fitted to the same data.
        ``LR = -2 (llf_restricted - llf)``, chi-squared with
        ``df_resid_restricted - df_resid`` degrees of freedom: for
        maximum-likelihood fits (``penalty=None``), or two Firth fits
        (their penalized log-likelihoods, as logistf's penalized
        likelihood ratio test).  Nestedness is the caller's to ensure.

        Parameters
        ----------
        restricted : LogitResults, MNLogitResults or LogisticRegression
            The restricted model (or a fitted estimator).

        Returns
        -------
        lr_stat : float
            The statistic ``-2 (llf_restricted - llf)``.
        p_value : float
            Its chi-squared tail probability.
        df_diff : float
            The degrees of freedom, the difference of ``df_resid``.

        Raises
        ------
        ValueError
            Penalized (l2) fits, different numbers of observations, or a
            "restricted" model with as many coefficients.

        See Also
        --------
        wald_test : The Wald test of linear restrictions.
        """
        return hypothesis.compare_lr_test(self, restricted)

    def remove_data(self) -> None:
        """Drop the reference to the training data, as statsmodels' ``remove_data``.

        The covariance is computed first; figures that need the training
        rows (residuals, marginal effects, profile intervals, predictions
        without X) are unavailable afterwards.

        See Also
        --------
        clogit.LogisticRegression.save : Model files never hold the data.
        """
        self._fit.remove_data()

    def _statistics(self):
        fit = self._fit
        return {
            "n_samples": fit.n_samples, "n_obs": fit.n_obs,
            "df_model": self.df_model, "df_resid": self.df_resid,
            "log_likelihood": self.llf, "ll_null": self.llnull,
            "pseudo_r2": self.prsquared, "aic": self.aic, "bic": self.bic,
            "llr_pvalue": self.llr_pvalue, "converged": fit.converged,
            "n_iter": fit.n_iter, "separated": fit.separated,
            "cov_type": fit.cov_type,
        }

    def _header(self, yname):
        return {"yname": self._yname if yname is None else str(yname),
                "model": self._model_name, "C": self._C,
                "statistics": self._statistics(), "fit": self._fit}

    @staticmethod
    def _xname(xname, names):
        if xname is None:
            return list(names)
        xname = [str(name) for name in xname]
        if len(xname) != len(names):
            raise ValueError(f"xname must have {len(names)} names (one per "
                             f"coefficient, intercept first), got "
                             f"{len(xname)}.")
        return xname


class LogitResults(_Results):
    """Results of one binary logistic problem, with statsmodels' names.

    What ``clogit.LogisticRegression.results_`` is for a binary fit (and,
    class by class, for One-vs-Rest).  Values are pandas objects indexed by
    the coefficient names ("const" or, for formulas, "Intercept" first)
    when pandas is installed, numpy arrays otherwise; see the module
    docstring of ``clogit._inference.results`` for the conventions.

    See Also
    --------
    MNLogitResults : The results of a multinomial fit.
    LogisticRegression.summary : The estimator's table of these figures.
    """

    def _series(self, values):
        pd = pandas_or_none()
        if pd is None:
            return values
        return pd.Series(values, index=pd.Index(self._names))

    @property
    def params(self) -> Any:
        """Coefficients, intercept first."""
        return self._series(self._fit.params)

    def cov_params(self) -> Any:
        """Covariance of the coefficients, of ``cov_type``.

        Returns
        -------
        DataFrame or ndarray of shape (n_coef, n_coef)
            Indexed by the coefficient names when pandas is installed.

        See Also
        --------
        bse : The square roots of its diagonal.
        """
        cov = self._fit.covariance
        pd = pandas_or_none()
        if pd is None:
            return cov.copy()
        return pd.DataFrame(cov, index=self._names, columns=self._names)

    @property
    def bse(self) -> Any:
        """Standard errors."""
        return self._series(np.sqrt(np.diagonal(self._fit.covariance)))

    @property
    def tvalues(self) -> Any:
        """The z statistics ``params / bse`` (statsmodels' name)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return self._series(
                self._fit.params / np.sqrt(np.diagonal(self._fit.covariance)))

    @property
    def pvalues(self) -> Any:
        """Two-sided p-values of the z statistics (standard normal)."""
        return self._series(two_sided_p(np.asarray(self.tvalues)))

    def conf_int(self, alpha: float = 0.05, method: str = "wald") -> Any:
        """Confidence intervals of the coefficients, Wald's or profile ones.

        Wald's are ``params -/+ z_{1-alpha/2} bse``.

        Parameters
        ----------
        alpha : float in (0, 1), default=0.05
            One minus the confidence level.
        method : {"wald", "profile"}, default="wald"
            "profile": the values where the profile of the fitted
            log-likelihood (Firth's penalized one for ``penalty="firth"``,
            as R's logistf; the plain one for ``penalty=None``) drops by
            ``chi2_1(1 - alpha) / 2`` -- asymmetric, valid for small or
            separated samples; a few constrained fits per bound over the
            training data (not after ``clogit.load``).

        Returns
        -------
        DataFrame or ndarray of shape (n_coef, 2)
            Lower and upper bounds: a DataFrame with columns 0 and 1
            indexed by coefficient name (as statsmodels) when pandas is
            installed.

        See Also
        --------
        summary : The table with the Wald intervals.
        """
        if method not in ("wald", "profile"):
            raise ValueError(f"method must be 'wald' or 'profile', got "
                             f"{method!r}.")
        if method == "profile":
            interval = profile.profile_conf_int(self._fit, alpha)
        else:
            q = normal_quantile(check_alpha(alpha))
            params = self._fit.params
            half = q * np.sqrt(np.diagonal(self._fit.covariance))
            interval = np.column_stack([params - half, params + half])
        pd = pandas_or_none()
        if pd is None:
            return interval
        return pd.DataFrame(interval, index=self._names, columns=[0, 1])

    # -- residuals at the training rows (clogit._inference.residuals) ----
    @property
    def resid_response(self) -> np.ndarray:
        """Response residuals ``y - p`` at the training rows.

        They need the training data (not after ``clogit.load``).
        """
        return residuals.binary_residuals(self._fit, "response")

    @property
    def resid_generalized(self) -> np.ndarray:
        """Generalized residuals, ``y - p`` for the logit (statsmodels')."""
        return residuals.binary_residuals(self._fit, "response")

    @property
    def resid_pearson(self) -> np.ndarray:
        """Pearson residuals ``(y - p) / sqrt(p (1 - p))`` at the training rows."""
        return residuals.binary_residuals(self._fit, "pearson")

    @property
    def resid_dev(self) -> np.ndarray:
        """Deviance residuals ``sign(y - p) sqrt(-2 loglik_i)``, training rows."""
        return residuals.binary_residuals(self._fit, "dev")

    def pred_table(self, threshold: float = 0.5) -> np.ndarray:
        """The prediction table at the training rows.

        Parameters
        ----------
        threshold : float, default=0.5
            Rows with ``p > threshold`` are predicted as 1.

        Returns
        -------
        ndarray of shape (2, 2)
            ``table[i, j]``: the observations of class i predicted as j
            (sums of the frequency weights), as statsmodels.

        See Also
        --------
        resid_response : The residuals at the same rows.
        """
        return residuals.pred_table(self._fit, threshold)

    def summary(self, yname: str | None = None,
                xname: list[str] | None = None, title: str | None = None,
                alpha: float = 0.05) -> Summary:
        """Tabulate the fit and its inference, as statsmodels' ``summary``.

        Parameters
        ----------
        yname : str, optional
            Name of the dependent variable (default: the target's name, or
            "y").
        xname : list of str, optional
            Names of the coefficients, intercept first.
        title : str, optional
            The table's title (default "Logit Regression Results").
        alpha : float in (0, 1), default=0.05
            One minus the confidence level of the intervals.

        Returns
        -------
        Summary
            ``str()`` / ``as_text()`` the text table, ``as_html()``,
            ``as_latex()``.

        See Also
        --------
        conf_int : The intervals, Wald or profile.
        """
        alpha = check_alpha(alpha)
        block = binary_block(self._header(yname),
                             self._xname(xname, self._names), alpha, title)
        return Summary([block], None, alpha)


class MNLogitResults(_Results):
    """Results of a multinomial (softmax) fit, as statsmodels' ``MNLogit``.

    The inference is that of the contrasts of every class with the first.

    ``params``, ``bse``, ``tvalues`` and ``pvalues`` are (n_coef, K-1): one
    column per class after the first (labelled by the class), one row per
    coefficient (intercept first); ``cov_params()`` is ((K-1) n_coef)^2,
    class-major; ``conf_int()`` has a row per (class, coefficient).

    See Also
    --------
    LogitResults : The results of a binary (or One-vs-Rest) problem.
    """

    def __init__(self, fit: Any, names: list[str], yname: str,
                 model_name: str, C: float, classes: list,
                 design: Any = None, feature_names_in: Any = None) -> None:
        super().__init__(fit, names, yname, model_name, C, design,
                         feature_names_in)
        self._classes = list(classes)

    @property
    def classes(self) -> list:
        """The class labels; params columns are ``classes[1:]``."""
        return list(self._classes)

    def _table(self, values):
        """(K-1, k1) values as a (k1, K-1) frame or array."""
        values = np.asarray(values).T
        pd = pandas_or_none()
        if pd is None:
            return values.copy()
        return pd.DataFrame(values, index=pd.Index(self._names),
                            columns=pd.Index(self._classes[1:]))

    def _bse(self):
        return np.sqrt(np.diagonal(self._fit.covariance)).reshape(
            self._fit.params.shape)

    @property
    def params(self) -> Any:
        """(n_coef, K-1) contrasts with the first class."""
        return self._table(self._fit.params)

    @property
    def bse(self) -> Any:
        """(n_coef, K-1) standard errors."""
        return self._table(self._bse())

    @property
    def tvalues(self) -> Any:
        """(n_coef, K-1) z statistics."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return self._table(self._fit.params / self._bse())

    @property
    def pvalues(self) -> Any:
        """(n_coef, K-1) two-sided p-values."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return self._table(two_sided_p(self._fit.params / self._bse()))

    def _index(self, pd):
        return pd.MultiIndex.from_tuples(
            [(label, name) for label in self._classes[1:]
             for name in self._names])

    def cov_params(self) -> Any:
        """Covariance of the contrasts, class-major (statsmodels' order).

        Returns
        -------
        DataFrame or ndarray of shape ((K-1) n_coef, (K-1) n_coef)
            Indexed by (class, coefficient) when pandas is installed.

        See Also
        --------
        bse : The square roots of its diagonal.
        """
        cov = self._fit.covariance
        pd = pandas_or_none()
        if pd is None:
            return cov.copy()
        index = self._index(pd)
        return pd.DataFrame(cov, index=index, columns=index)

    def conf_int(self, alpha: float = 0.05) -> Any:
        """Wald intervals of every contrast.

        Parameters
        ----------
        alpha : float in (0, 1), default=0.05
            One minus the confidence level.

        Returns
        -------
        DataFrame or ndarray of shape (K-1, n_coef, 2)
            A DataFrame indexed by (class, coefficient) with columns
            "lower" and "upper" when pandas is installed (statsmodels'
            layouts).

        See Also
        --------
        summary : The table with these intervals.
        """
        q = normal_quantile(check_alpha(alpha))
        params = self._fit.params
        half = q * self._bse()
        interval = np.stack([params - half, params + half], axis=-1)
        pd = pandas_or_none()
        if pd is None:
            return interval
        return pd.DataFrame(interval.reshape(-1, 2), index=self._index(pd),
                            columns=["lower", "upper"])

    # -- residuals at the training rows (clogit._inference.residuals) ----
    @property
    def resid_response(self) -> np.ndarray:
        """Response residuals: observed class indicators less probabilities.

        ndarray of shape (n, K) at the training rows (needs the training
        data).
        """
        return residuals.multinomial_residuals(self._fit, "response")

    @property
    def resid_misclassified(self) -> np.ndarray:
        """1.0 where the most probable class is not the observed one."""
        return residuals.multinomial_residuals(self._fit, "misclassified")

    def pred_table(self) -> np.ndarray:
        """The K x K prediction table at the training rows.

        Returns
        -------
        ndarray of shape (K, K)
            ``table[i, j]``: the observations of class i whose most probable
            class is j (sums of the frequency weights), as statsmodels.

        See Also
        --------
        resid_misclassified : The misclassified rows.
        """
        return residuals.multinomial_residuals(self._fit, "table")

    def summary(self, yname: str | None = None,
                xname: list[str] | None = None, title: str | None = None,
                alpha: float = 0.05) -> Summary:
        """Tabulate the fit and its inference, as statsmodels' ``summary``.

        One header, then one coefficient table per class after the first
        (``yname=label``).

        Parameters
        ----------
        yname : str, optional
            Name of the dependent variable (default: the target's name, or
            "y").
        xname : list of str, optional
            Names of the coefficients, intercept first.
        title : str, optional
            The table's title (default "MNLogit Regression Results").
        alpha : float in (0, 1), default=0.05
            One minus the confidence level of the intervals.

        Returns
        -------
        Summary
            ``str()`` / ``as_text()`` the text table, ``as_html()``,
            ``as_latex()``.

        See Also
        --------
        conf_int : The Wald intervals.
        """
        alpha = check_alpha(alpha)
        block = multinomial_block(self._header(yname),
                                  self._xname(xname, self._names),
                                  self._classes, alpha, title)
        return Summary([block], None, alpha)
