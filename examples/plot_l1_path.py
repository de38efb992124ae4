"""
=====================================================
The ℓ₁ regularization path and its cross-validation
=====================================================

As *C* grows from :func:`clogit.l1_min_c` — below it every coefficient of
an ℓ₁-penalized fit is zero — features enter the model one after another.
:class:`clogit.LogisticRegressionCV` computes that path on every fold,
warm starting each point from its neighbour and screening features with the
sequential strong rule, and picks the *C* with the best mean held-out
score.  :func:`clogit.plot.plot_path` draws the folds' mean coefficients
against *C*, with the mean score, its spread over the folds and the chosen
*C*.  See :ref:`model-selection`.
"""

# %%
# The data and the grid
# ---------------------
# Breast-cancer diagnosis, 30 standardized features; the grid starts at
# ``l1_min_c`` and spans three decades.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.preprocessing import StandardScaler

import clogit
import clogit.plot

data = load_breast_cancer()
X = StandardScaler().fit_transform(data.data)
y = data.target

c_min = clogit.l1_min_c(X, y)
Cs = c_min * np.logspace(0, 3, 30)
path = clogit.regularization_path(X, y, Cs=Cs, penalty="l1")
print(f"l1_min_c = {c_min:.5f}; nonzero coefficients along the path:",
      [int(np.count_nonzero(coef)) for coef in path.coefs[::3]])

# %%
# Cross-validation on the same grid
# ---------------------------------
# ``l1_ratios=(1.0,)`` is the ℓ₁ penalty (scikit-learn ≥ 1.8's spelling);
# the held-out log-loss decides.
cv = clogit.LogisticRegressionCV(Cs=Cs, l1_ratios=(1.0,), cv=5,
                                 scoring="neg_log_loss",
                                 use_legacy_attributes=False).fit(X, y)
print(f"chosen C = {cv.C_:.4f}: {np.count_nonzero(cv.coef_)} of "
      f"{X.shape[1]} features")

# %%
# The figure
# ----------
fig, ax = plt.subplots(figsize=(8, 4.8))
clogit.plot.plot_path(cv, ax=ax)
ax.set_title("ℓ₁ path (mean over 5 folds) and held-out score")
fig.tight_layout()
plt.show()
