"""The shared backtracking line search (``_solvers/linesearch.py``)."""

import numpy as np
import pytest

from clogit._solvers.linesearch import (ARMIJO, MAX_EXPANSIONS, backtrack,
                                        expands)


def _parabola(minimum):
    """f(t) = (t - minimum)^2 along the line; f(0) and f'(0) for Armijo."""
    return (lambda t: (t - minimum) ** 2), minimum ** 2, -2.0 * minimum


@pytest.mark.parametrize("minimum, expected", [
    (0.3, 0.5), (0.5, 0.5), (1.0, 1.0), (3.0, 2.0), (4.0, 4.0),
    (5.0, 4.0), (100.0, 2.0 ** MAX_EXPANSIONS)])
def test_longer_steps_double_while_the_objective_falls(minimum, expected):
    f, f0, slope = _parabola(minimum)
    step, trial = backtrack(f, f0, slope, expand=True)
    assert step == expected and trial == f(step)
    # the sequence 1, 2, 4, ... stops at the first value not below the last
    if expected > 1.0:
        assert f(expected) < f(expected / 2)
        assert expected == 2.0 ** MAX_EXPANSIONS or not (
            f(2 * expected) < f(expected))


@pytest.mark.parametrize("minimum", [0.3, 3.0, 100.0])
def test_without_expansion_the_full_step_is_the_longest(minimum):
    f, f0, slope = _parabola(minimum)
    step, _ = backtrack(f, f0, slope)
    assert step == min(1.0, step) and f(step) <= f0 + ARMIJO * step * slope


def test_a_shortened_step_is_never_lengthened():
    calls = []

    def f(t):
        calls.append(t)
        return (t - 0.3) ** 2

    step, _ = backtrack(f, 0.09, -0.6, expand=True)
    assert step == 0.5 and calls == [1.0, 0.5]


def test_expansion_is_for_the_global_phase():
    from clogit._solvers.linesearch import EXPAND_SHARE
    assert expands(EXPAND_SHARE * 120.0, 100.0)
    assert expands(EXPAND_SHARE * 120.0, -100.0)
    assert not expands(EXPAND_SHARE * 80.0, 100.0)
    assert not expands(0.0, 0.0)
    assert not expands(np.nan, 1.0)
