"""Plots of fitted models (``pip install "clogit[plot]"``, matplotlib).

Each function draws on the given matplotlib Axes (a new figure's when
``ax`` is None) and returns it.  matplotlib is imported on first use, so
``import clogit.plot`` works without it and only drawing asks for it.
"""

from __future__ import annotations

from typing import Any


def _axes(ax: Any) -> Any:
    """``ax``, or the Axes of a new figure; a clear ImportError without
    matplotlib."""
    if ax is not None:
        return ax
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # matplotlib is an optional dependency
        raise ImportError(
            "clogit.plot needs matplotlib, which is not installed: "
            'pip install "clogit[plot]" (or matplotlib).') from exc
    _, ax = plt.subplots()
    return ax
