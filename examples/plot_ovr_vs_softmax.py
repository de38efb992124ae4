"""
========================================================
One-vs-Rest against softmax: decision regions, 3 classes
========================================================

With ``multi_class="ovr"`` clogit fits one binary model per class, *k*
against the rest, and predicts the class whose score
:math:`z_k = x^\\top w_k + b_k` is largest; with ``"multinomial"`` (the
default for three or more classes) it fits one softmax model,
:math:`P(y = k \\mid x) \\propto e^{z_k}`, by maximizing one joint
likelihood.

Here the three classes lie side by side, the middle one between the other
two.  "Middle against the rest" is not a linear problem, so the middle
class's One-vs-Rest model is poor, and because each binary model is fitted
on its own, their scores are not on a common scale: the argmax gives the
middle class too small a region.  Softmax boundaries are where two classes'
scores are equal, :math:`z_k = z_l`, one line per pair, all fitted
together.  The dashed lines are the three One-vs-Rest models' own
boundaries, :math:`z_k = 0`.  See :ref:`multiclass` for the mathematics and
the other limits of One-vs-Rest.
"""

# %%
# Three classes side by side
# --------------------------
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap
from sklearn.metrics import accuracy_score

import clogit

rng = np.random.default_rng(0)
centres = np.array([[-2.5, 0.0], [0.0, 0.6], [2.5, 0.0]])


def sample(n_per_class):
    X = np.vstack([rng.normal(centre, 1.0, size=(n_per_class, 2))
                   for centre in centres])
    y = np.repeat(np.arange(3), n_per_class)
    return X, y


X, y = sample(150)
X_test, y_test = sample(3000)

ovr = clogit.LogisticRegression(multi_class="ovr").fit(X, y)
softmax = clogit.LogisticRegression(multi_class="multinomial").fit(X, y)

for name, estimator in [("One-vs-Rest", ovr), ("softmax", softmax)]:
    accuracy = accuracy_score(y_test, estimator.predict(X_test))
    loss = clogit.log_loss(y_test, estimator.predict_proba(X_test))
    print(f"{name:12s} test accuracy {accuracy:.3f}, test log-loss "
          f"{loss:.3f}")

# %%
# One-vs-Rest probabilities are K separate sigmoids, normalized afterwards:
# before normalization they need not sum to one, a symptom of models that
# were calibrated one at a time.
sigmoid_sums = clogit.sigmoid(ovr.decision_function(X_test)).sum(axis=1)
print(f"sum of the One-vs-Rest sigmoids on the test set: "
      f"{sigmoid_sums.min():.2f} to {sigmoid_sums.max():.2f}")

# %%
# The figure
# ----------
colours = ["tab:blue", "tab:green", "tab:red"]
regions = ListedColormap(["#c6dbef", "#c7e9c0", "#fcbba1"])
grid_x = np.linspace(-6, 6, 400)
grid_y = np.linspace(-4, 4.5, 300)
xx, yy = np.meshgrid(grid_x, grid_y)
points = np.column_stack([xx.ravel(), yy.ravel()])

fig, axes = plt.subplots(1, 2, figsize=(11, 4.4), sharey=True)
for ax, estimator, title in [(axes[0], ovr, "One-vs-Rest"),
                             (axes[1], softmax, "softmax (multinomial)")]:
    predicted = estimator.predict(points).reshape(xx.shape)
    ax.contourf(xx, yy, predicted, levels=[-0.5, 0.5, 1.5, 2.5],
                cmap=regions)
    for k, colour in enumerate(colours):
        ax.scatter(*X[y == k].T, s=10, color=colour, edgecolor="white",
                   linewidth=0.3, label=f"class {k}")
    accuracy = accuracy_score(y_test, estimator.predict(X_test))
    ax.set_title(f"{title}: test accuracy {accuracy:.3f}")
    ax.set_xlabel("$x_1$")
    ax.set_xlim(grid_x[0], grid_x[-1])
    ax.set_ylim(grid_y[0], grid_y[-1])

# each One-vs-Rest model's own boundary z_k = 0
scores = ovr.decision_function(points)
for k, colour in enumerate(colours):
    axes[0].contour(xx, yy, scores[:, k].reshape(xx.shape), levels=[0.0],
                    colors=colour, linestyles="dashed", linewidths=1.2)
axes[0].set_ylabel("$x_2$")
axes[0].legend(loc="upper left", fontsize=8)
fig.tight_layout()
plt.show()

# %%
# The softmax model gives the middle class the band between the two
# pairwise boundaries; One-vs-Rest squeezes it, because the middle model's
# scores stay below its neighbours' almost everywhere.  One-vs-Rest is
# still useful — its K problems run in parallel threads (``n_jobs``), each
# can keep its own ℓ₁ working set, and each has the Wald inference of a
# binary fit — but when classes are ordered or nested, softmax is the model.
