"""
=====================================================
Odds ratios with their confidence intervals
=====================================================

:func:`clogit.plot.plot_coefficients` draws a forest plot: every
coefficient of a fitted model with its Wald confidence interval, here as
odds ratios on a log axis (the interval of an odds ratio is the
exponential of the coefficient's, not symmetric around it).  The left
panel is the maximum-likelihood fit, whose figures are statsmodels'
``Logit``'s; the right one the l2-penalized fit with ``C=0.02``, whose
figures are those of the penalized estimator — shrunk towards "no effect",
with narrower intervals that are not maximum-likelihood inference.  See
:ref:`inference` and :ref:`results`.
"""

# %%
# Two fits of the same model
# --------------------------
# Breast-cancer diagnosis from six standardized features, named by the
# DataFrame's columns.
import matplotlib.pyplot as plt
from sklearn.datasets import load_breast_cancer

import clogit
import clogit.plot

data = load_breast_cancer(as_frame=True)
X = data.data[["mean radius", "mean texture", "mean smoothness",
               "mean concave points", "mean symmetry",
               "mean fractal dimension"]]
X = (X - X.mean()) / X.std()
y = data.target

mle = clogit.LogisticRegression(penalty=None).fit(X, y)
ridge = clogit.LogisticRegression(C=0.02).fit(X, y)
print(mle.results_.params.round(3))
print(f"log-likelihood: {mle.results_.llf:.2f} (MLE), "
      f"{ridge.results_.llf:.2f} (l2, C=0.02)")

# %%
# The figure
# ----------
# Both panels on one odds-ratio scale.
fig, axes = plt.subplots(1, 2, figsize=(9, 3.8), sharex=True, sharey=True)
clogit.plot.plot_coefficients(mle, odds_ratios=True, ax=axes[0])
axes[0].set_title("maximum likelihood")
clogit.plot.plot_coefficients(ridge, odds_ratios=True, ax=axes[1])
axes[1].set_title("l2-penalized, C = 0.02")
fig.tight_layout()
plt.show()
