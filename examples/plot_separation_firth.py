"""
===================================
Separation with and without Firth
===================================

A sample is *quasi-separated* when a feature splits the classes perfectly
except for ties at the boundary.  The maximum-likelihood estimate does not
exist then: the likelihood keeps increasing as the slope grows, so an
unpenalized fit stops with a :class:`~clogit.SeparationWarning` at
whatever large value it had reached.  Firth's penalized likelihood
(``penalty="firth"``) has a finite maximizer on the same data, and its
profile penalized-likelihood interval
(``results_.conf_int(method="profile")``) says what the data do tell about
the slope.

The left panel follows the slope of l2-penalized fits as the penalty
vanishes (C grows): it grows without bound, the unpenalized estimate's
absence made visible, while Firth's estimate and its interval stay put.
The right panel draws the fitted probabilities.
"""

# %%
# A quasi-separated sample
# ------------------------
# Every subject below dose 5 is a 0 and every subject above it a 1; three
# subjects at exactly dose 5 have both outcomes.
import warnings

import matplotlib.pyplot as plt
import numpy as np

import clogit

dose = np.r_[np.linspace(1, 4.6, 10), [5.0, 5.0, 5.0],
             np.linspace(5.4, 9, 10)]
outcome = np.r_[np.zeros(10), [0, 1, 1], np.ones(10)].astype(int)
X = dose[:, None] - 5.0          # centred: the intercept is the log-odds at 5

# %%
# The unpenalized fit warns
# -------------------------
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    mle = clogit.LogisticRegression(penalty=None).fit(X, outcome)
for warning in caught:
    print(f"{warning.category.__name__}: {warning.message}")
print("converged:", mle.converged_, " slope where it stopped:",
      round(float(mle.coef_[0, 0]), 2))

# %%
# Firth's estimate is finite
# --------------------------
firth = clogit.LogisticRegression(penalty="firth").fit(X, outcome)
slope = float(firth.coef_[0, 0])
profile = np.asarray(firth.results_.conf_int(method="profile"))
print(firth.summary())
print("profile 95 % interval of the slope:", profile[1].round(2))

# %%
# The slope as the penalty vanishes
# ---------------------------------
Cs = np.logspace(-1, 6, 29)
slopes = [float(clogit.LogisticRegression(C=C).fit(X, outcome).coef_[0, 0])
          for C in Cs]

grid = np.linspace(0.5, 9.5, 300)
firth_band = firth.results_.get_prediction(grid[:, None] - 5.0).summary_frame()

fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.3))
left.semilogx(Cs, slopes, marker="o", markersize=3, color="tab:red",
              label="l2-penalized fit, slope")
left.axhline(slope, color="tab:green", label="Firth estimate")
left.axhspan(profile[1, 0], profile[1, 1], color="tab:green", alpha=0.2,
             label="Firth: 95 % profile interval")
left.set_xlabel("C (inverse penalty strength)")
left.set_ylabel("slope (log-odds per unit of dose)")
left.set_title("no maximum-likelihood estimate: the slope diverges")
left.legend(loc="upper left", fontsize=8)

right.scatter(dose, outcome, s=18, color="0.35", zorder=3, label="observed")
right.plot(grid, mle.predict_proba(grid[:, None] - 5.0)[:, 1],
           color="tab:red", linestyle="dashed",
           label="unpenalized (stopped, warned)")
right.plot(grid, firth_band["predicted"], color="tab:green",
           label="Firth")
right.fill_between(grid, firth_band["ci_lower"], firth_band["ci_upper"],
                   color="tab:green", alpha=0.2, label="Firth: 95 % interval")
right.set_xlabel("dose")
right.set_ylabel("P(outcome = 1)")
right.set_title("fitted probabilities")
right.legend(loc="upper left", fontsize=8)
fig.tight_layout()
plt.show()

# %%
# The unpenalized slope is an artefact of where the iteration stopped; the
# penalized slopes grow like log C without limit.  Firth's slope is finite,
# and its profile interval, asymmetric and wide on the steep side, excludes
# zero: 23 subjects cannot pin the threshold's steepness down, but they do
# say the effect is positive.
