"""
====================================
Class weighting on an imbalanced set
====================================

On data with 5 % positives, an unweighted logistic regression predicts
probabilities calibrated to that population, and so rarely crosses 0.5:
recall is low.  ``class_weight="balanced"`` weighs each class by the
inverse of its frequency, :math:`\\alpha_k = N / (2 N_k)`, so that both
classes carry the same total weight.

When the logistic model is right (here: two Gaussian classes with a shared
covariance, for which the log-odds are exactly linear), reweighting by
:math:`\\alpha_0, \\alpha_1` changes the intercept by
:math:`\\log(\\alpha_1 / \\alpha_0)` and leaves the slopes alone, so the
balanced fit is the unweighted fit with its decision threshold moved from
0.5 to the positive class's share :math:`\\pi_1`.  The figure shows both
views: the decision boundaries (left) and the precision–recall trade-off on
fresh data (right), where the two fits rank samples almost identically and
differ mainly in their operating point.  See :ref:`class-weight` for the
derivation.
"""

# %%
# Imbalanced data from two Gaussian classes
# -----------------------------------------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import precision_recall_curve, precision_score, recall_score

import clogit

rng = np.random.default_rng(0)
covariance = np.array([[1.0, 0.3], [0.3, 1.0]])
centres = np.array([[0.0, 0.0], [2.0, 1.5]])


def sample(n_negative, n_positive):
    X = np.vstack([rng.multivariate_normal(centres[0], covariance, n_negative),
                   rng.multivariate_normal(centres[1], covariance, n_positive)])
    y = np.r_[np.zeros(n_negative, dtype=int), np.ones(n_positive, dtype=int)]
    return X, y


X, y = sample(1900, 100)             # training set, 5 % positives
X_test, y_test = sample(19000, 1000)  # fresh data from the same population
share = y.mean()

# %%
# Two fits: unweighted and balanced
# ---------------------------------
# ``class_weight="balanced"`` is the same fit as explicit inverse-frequency
# sample weights.
plain = clogit.LogisticRegression(penalty=None).fit(X, y)
balanced = clogit.LogisticRegression(penalty=None,
                                     class_weight="balanced").fit(X, y)

counts = np.bincount(y)
weights = (len(y) / (2 * counts))[y]
by_weights = clogit.LogisticRegression(penalty=None).fit(X, y,
                                                         sample_weight=weights)
print("balanced == inverse-frequency sample weights:",
      np.allclose(balanced.coef_, by_weights.coef_, rtol=1e-10)
      and np.allclose(balanced.intercept_, by_weights.intercept_, rtol=1e-10))
print(f"slopes     plain {plain.coef_.ravel().round(3)}, "
      f"balanced {balanced.coef_.ravel().round(3)}")
print(f"intercept shift {balanced.intercept_[0] - plain.intercept_[0]:.3f}, "
      f"log(alpha_1 / alpha_0) = log(N_0 / N_1) = "
      f"{np.log(counts[0] / counts[1]):.3f}")

# %%
# Operating points on fresh data
# ------------------------------
# Precision and recall at the default threshold 0.5 of each fit, and of the
# unweighted fit thresholded at the positive share instead.
p_plain = plain.predict_proba(X_test)[:, 1]
p_balanced = balanced.predict_proba(X_test)[:, 1]
operating = {
    "unweighted, p > 0.5": p_plain > 0.5,
    "balanced, p > 0.5": p_balanced > 0.5,
    f"unweighted, p > {share:.2f}": p_plain > share,
}
for label, predicted in operating.items():
    print(f"{label:24s} precision {precision_score(y_test, predicted):.3f}  "
          f"recall {recall_score(y_test, predicted):.3f}")

# %%
# The figure
# ----------
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.6))

grid = np.linspace(-3.5, 5.0, 300)
xx, yy = np.meshgrid(grid, grid)
points = np.column_stack([xx.ravel(), yy.ravel()])
left.scatter(*X[y == 0].T, s=6, color="0.65", label="negative (95 %)")
left.scatter(*X[y == 1].T, s=14, color="tab:orange", label="positive (5 %)")
for estimator, threshold, style, label in [
        (plain, 0.5, dict(colors="tab:blue"), "unweighted, p = 0.5"),
        (balanced, 0.5, dict(colors="tab:red"), "balanced, p = 0.5"),
        (plain, share, dict(colors="tab:blue", linestyles="dashed"),
         f"unweighted, p = {share:.2f}")]:
    proba = estimator.predict_proba(points)[:, 1].reshape(xx.shape)
    left.contour(xx, yy, proba, levels=[threshold], linewidths=1.8, **style)
    left.plot([], [], label=label, color=style["colors"],
              linestyle=style.get("linestyles", "solid"))
left.set_xlim(grid[0], grid[-1])
left.set_ylim(grid[0], grid[-1])
left.set_xlabel("$x_1$")
left.set_ylabel("$x_2$")
left.set_title("decision boundaries")
left.legend(loc="lower right", fontsize=8)

for proba, color, label in [(p_plain, "tab:blue", "unweighted"),
                            (p_balanced, "tab:red", "balanced")]:
    precision, recall, _ = precision_recall_curve(y_test, proba)
    right.plot(recall, precision, color=color, label=label)
for (label, predicted), color, marker, size in zip(
        operating.items(), ["tab:blue", "tab:red", "tab:blue"], "oos",
        [9, 9, 14]):
    right.plot(recall_score(y_test, predicted),
               precision_score(y_test, predicted), marker=marker,
               markersize=size, color=color, markerfacecolor="none",
               markeredgewidth=2, linestyle="none", label=label)
right.set_xlabel("recall")
right.set_ylabel("precision")
right.set_title("precision–recall on fresh data")
right.set_xlim(0, 1)
right.set_ylim(0, 1.02)
right.legend(loc="lower left", fontsize=8)
fig.tight_layout()
plt.show()

# %%
# Weighting did not make the model better at ranking — the curves nearly
# coincide — it moved the threshold: the balanced fit's boundary is the
# unweighted fit's contour at :math:`p = \pi_1`.  Its probabilities are
# calibrated to a population with equal classes, not to the data's: to
# report probabilities, fit without weights and choose the threshold, or
# subtract :math:`\log(\alpha_1/\alpha_0)` from the balanced intercept.
