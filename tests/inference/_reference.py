"""Comparing a clogit results object with statsmodels' results, figure by
figure (shared by the inference tests)."""

import numpy as np

RTOL = 1e-6
ALPHAS = (0.05, 0.1, 0.01, 1e-6)


def assert_same_figures(res, ref, rtol=RTOL):
    """Every figure of a LogitResults / MNLogitResults against
    statsmodels' results, labels included."""
    for name in ("params", "bse", "tvalues", "pvalues"):
        got, expected = getattr(res, name), getattr(ref, name)
        np.testing.assert_allclose(np.asarray(got), np.asarray(expected),
                                   rtol=rtol, err_msg=name)
    np.testing.assert_allclose(np.asarray(res.cov_params()),
                               np.asarray(ref.cov_params()), rtol=rtol,
                               atol=1e-14)
    for alpha in ALPHAS:
        np.testing.assert_allclose(np.asarray(res.conf_int(alpha)),
                                   np.asarray(ref.conf_int(alpha)),
                                   rtol=rtol, err_msg=f"alpha={alpha}")
    # statsmodels fits the null model iteratively; clogit's is closed form
    for name in ("llf", "llnull", "llr", "llr_pvalue", "prsquared", "aic",
                 "bic", "nobs", "df_model", "df_resid"):
        np.testing.assert_allclose(getattr(res, name), getattr(ref, name),
                                   rtol=rtol, err_msg=name)
    assert res.cov_type == ref.cov_type
    assert res.use_t == ref.use_t is False
