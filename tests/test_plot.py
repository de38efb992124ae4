"""clogit.plot: what the figures draw (matplotlib, off-screen)."""

import matplotlib  # the [test] extra installs it
import matplotlib.pyplot
import numpy as np
import pytest

import clogit
from clogit.plot import plot_path

from _data import synthetic_binary, synthetic_multiclass


@pytest.fixture(scope="module")
def data():
    return synthetic_binary(n=200, p=3, seed=1)


def test_plot_path_draws_every_coefficient_against_c(data):
    X, y = data
    path = clogit.regularization_path(X, y, Cs=8, penalty="l1")
    ax = plot_path(path)
    assert ax.get_xscale() == "log"
    lines = [line for line in ax.get_lines() if line.get_label() != "_"
             and len(line.get_xdata()) == 8]
    assert len(lines) == 3
    for j, line in enumerate(lines):
        np.testing.assert_array_equal(line.get_xdata(), path.Cs)
        np.testing.assert_array_equal(line.get_ydata(), path.coefs[:, j])
    matplotlib.pyplot.close("all")


@pytest.mark.parametrize("legacy", [True, False])
def test_plot_path_of_a_cv_shows_the_score_and_its_spread(data, legacy):
    X, y = data
    cv = clogit.LogisticRegressionCV(Cs=5, cv=3, l1_ratios=(1,),
                                     scoring="neg_log_loss",
                                     use_legacy_attributes=legacy).fit(X, y)
    ax = plot_path(cv)
    score_line = ax.right_ax.get_lines()[0]
    scores = cv.scores_ if not legacy else cv.scores_[cv.classes_[1]][..., 0]
    scores = scores[:, 0] if not legacy else scores
    np.testing.assert_allclose(score_line.get_ydata(), scores.mean(axis=0))
    assert len(ax.right_ax.collections) == 1  # the spread band
    matplotlib.pyplot.close("all")


def test_plot_path_of_a_multiclass_path_and_bad_input():
    X, y = synthetic_multiclass(n=150, p=2, n_classes=3)
    path = clogit.regularization_path(X, y, Cs=4, penalty="l2")
    ax = plot_path(path)
    assert len([line for line in ax.get_lines()
                if len(line.get_xdata()) == 4]) == 6
    matplotlib.pyplot.close("all")
    with pytest.raises(TypeError, match="plot_path takes"):
        plot_path(object())
