"""``clogit.plot.plot_coefficients``: the forest plot draws every
coefficient but the intercept with its interval, as the results give
them."""

import numpy as np
import pytest

import clogit
import clogit.plot
from _data import synthetic_binary, synthetic_multiclass

plt = pytest.importorskip("matplotlib.pyplot")
pd = pytest.importorskip("pandas")


def _bars(ax):
    """(x, y, x-error segments) of each errorbar container."""
    out = []
    for container in ax.containers:
        line, _, (segments,) = container.lines
        out.append((np.asarray(line.get_xdata()),
                    np.asarray(line.get_ydata()),
                    np.array([seg[:, 0] for seg in segments.get_segments()])))
    return out


def test_coefficients_and_intervals_of_a_binary_fit():
    X, y = synthetic_binary(n=300, p=3)
    frame = pd.DataFrame(X, columns=["age", "income", "tenure"])
    est = clogit.LogisticRegression(penalty=None).fit(frame, y)
    fig, ax = plt.subplots()
    assert clogit.plot.plot_coefficients(est, alpha=0.1, ax=ax) is ax
    ((xs, ys, segments),) = _bars(ax)
    ci = est.conf_int(0.1)
    np.testing.assert_allclose(xs, est.params_[1:])
    np.testing.assert_allclose(np.sort(segments, axis=1), ci[1:], rtol=1e-12)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    # top to bottom in the model's order: the first feature highest
    assert [labels[i] for i in np.argsort(-ax.get_yticks())] == \
        ["age", "income", "tenure"]
    assert "90% confidence interval" in ax.get_xlabel()
    assert ax.get_xscale() == "linear"
    plt.close(fig)


def test_odds_ratios_on_a_log_axis():
    X, y = synthetic_binary(n=300, p=2)
    est = clogit.LogisticRegression(penalty=None, cov_type="HC0").fit(X, y)
    ax = clogit.plot.plot_coefficients(est.results_, odds_ratios=True)
    ((xs, _, segments),) = _bars(ax)
    np.testing.assert_allclose(xs, np.exp(est.params_[1:]))
    np.testing.assert_allclose(np.sort(segments, axis=1),
                               np.exp(est.conf_int()[1:]), rtol=1e-12)
    assert ax.get_xscale() == "log"
    assert "odds ratio" in ax.get_xlabel()
    reference = [line for line in ax.get_lines()
                 if line.get_linestyle() == "--"]
    assert reference and reference[0].get_xdata()[0] == 1.0
    plt.close(ax.figure)


@pytest.mark.parametrize("multi_class", ["ovr", "multinomial"])
def test_one_marker_per_class(multi_class):
    X, y = synthetic_multiclass(n=400, p=3)
    est = clogit.LogisticRegression(multi_class=multi_class).fit(X, y)
    ax = clogit.plot.plot_coefficients(est)
    bars = _bars(ax)
    expected = 4 if multi_class == "ovr" else 3
    assert len(bars) == expected
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[0] == ("ant vs rest" if multi_class == "ovr" else "y=bee")
    params = est.params_
    np.testing.assert_allclose(bars[0][0], params[0, 1:])
    plt.close(ax.figure)


def test_bad_input():
    X, y = synthetic_binary(n=200, p=2)
    l1 = clogit.LogisticRegression(penalty="l1").fit(X, y)
    with pytest.raises(ValueError, match="penalty='l1'"):
        clogit.plot.plot_coefficients(l1)
    est = clogit.LogisticRegression().fit(X, y)
    with pytest.raises(ValueError, match="alpha must be"):
        clogit.plot.plot_coefficients(est, alpha=2)
    with pytest.raises(TypeError, match="fitted clogit.LogisticRegression"):
        clogit.plot.plot_coefficients(np.zeros(3))
    with pytest.raises(TypeError, match="odds_ratios must be a bool"):
        clogit.plot.plot_coefficients(est, odds_ratios="yes")
