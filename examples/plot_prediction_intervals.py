"""
======================================
Predicted probabilities with intervals
======================================

``results_.get_prediction(X)`` gives every predicted probability its
delta-method standard error and a confidence interval, as statsmodels'
``get_prediction`` does.  The default interval is built on the linear
predictor and mapped through the sigmoid, :math:`\\sigma(\\eta \\mp
z\\,\\mathrm{se}(\\eta))`: it stays inside (0, 1) and is asymmetric where the
probability is near 0 or 1.  The delta-method interval
:math:`p \\mp z\\,\\mathrm{se}(p)`, with :math:`\\mathrm{se}(p) = p(1-p)\\,
\\mathrm{se}(\\eta)`, is symmetric and can leave the unit interval
(``conf_int(method="delta")``).

The left panel shows both on a dose-response study of 120 subjects.  The
right panel takes a small sample where one dose level separates the
outcomes completely: maximum likelihood does not exist there (the slope
runs to infinity and clogit warns), while Firth's penalized likelihood
(``penalty="firth"``) gives a finite, bias-reduced curve whose intervals
remain informative.
"""

# %%
# A dose-response study
# ---------------------
import matplotlib.pyplot as plt
import numpy as np

import clogit

rng = np.random.default_rng(0)
dose = rng.uniform(0, 10, 120)
response = rng.random(120) < 1 / (1 + np.exp(-(dose - 5.5) * 0.9))

model = clogit.LogisticRegression(penalty=None).fit(dose[:, None],
                                                    response)
grid = np.linspace(0, 10, 200)[:, None]
prediction = model.results_.get_prediction(grid)
frame = prediction.summary_frame(alpha=0.05)
delta = prediction.conf_int(alpha=0.05, method="delta")
print(frame.iloc[::50].round(4))
print("delta-method bounds outside [0, 1]:",
      int(np.sum((delta < 0) | (delta > 1))))

# %%
# A separated sample: Firth's penalized likelihood
# ------------------------------------------------
# Every subject above dose 6 responded and none below, but for a few at
# the boundary dose: the maximum-likelihood slope does not exist, Firth's
# estimate is finite.
small_dose = np.r_[np.linspace(1, 5.5, 12), [6.0, 6.0, 6.0],
                   np.linspace(6.5, 9, 9)]
small_response = np.r_[np.zeros(12), [0, 1, 1], np.ones(9)].astype(int)
firth = clogit.LogisticRegression(penalty="firth").fit(
    small_dose[:, None], small_response)
firth_frame = firth.results_.get_prediction(grid).summary_frame()
profile = firth.results_.conf_int(method="profile")
print(firth.results_.summary())
print("profile penalized-likelihood intervals:")
print(profile.round(3))

# %%
# The figure
# ----------
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.4), sharey=True)
x = grid[:, 0]

left.scatter(dose, response + rng.uniform(-0.02, 0.02, 120), s=10,
             color="0.55", label="observed (jittered)")
left.plot(x, frame["predicted"], color="tab:blue", label="predicted")
left.fill_between(x, frame["ci_lower"], frame["ci_upper"],
                  color="tab:blue", alpha=0.25,
                  label="95 % interval (endpoint)")
left.plot(x, delta[:, 0], color="tab:red", linestyle="dashed", linewidth=1,
          label="95 % interval (delta)")
left.plot(x, delta[:, 1], color="tab:red", linestyle="dashed", linewidth=1)
left.axhline(0, color="0.8", linewidth=0.8)
left.axhline(1, color="0.8", linewidth=0.8)
left.set_xlabel("dose")
left.set_ylabel("P(response)")
left.set_title("maximum likelihood, 120 subjects")
left.legend(loc="upper left", fontsize=8)

right.scatter(small_dose, small_response, s=16, color="0.4",
              label="observed")
right.plot(x, firth_frame["predicted"], color="tab:green",
           label="Firth: predicted")
right.fill_between(x, firth_frame["ci_lower"], firth_frame["ci_upper"],
                   color="tab:green", alpha=0.25,
                   label="Firth: 95 % interval")
right.set_xlabel("dose")
right.set_title("separated sample of 24: Firth's method")
right.legend(loc="upper left", fontsize=8)
fig.tight_layout()
plt.show()

# %%
# Near 0 and 1 the endpoint interval hugs the bound it cannot cross while
# the delta interval, symmetric by construction, spills over it.  For
# separated data Firth's curve is steep but finite, and its intervals say
# how little 24 subjects tell about the exact threshold.
