"""The order of the gallery: the reader's path through the user guide
(solvers, then modelling choices), not the alphabet.  Examples not listed
here come after these, by file name."""

from __future__ import annotations

import os

ORDER = [
    "plot_solver_convergence.py",
    "plot_class_weight.py",
    "plot_l1_path.py",
    "plot_ovr_vs_softmax.py",
    "plot_coefficient_forest.py",
    "plot_prediction_intervals.py",
    "plot_separation_firth.py",
]


class ExampleOrder:
    """sphinx-gallery's ``within_subsection_order`` key."""

    def __init__(self, src_dir):
        self.src_dir = src_dir

    def __call__(self, filename):
        name = os.path.basename(str(filename))
        rank = ORDER.index(name) if name in ORDER else len(ORDER)
        return (rank, name)

    def __repr__(self):  # a stable value for Sphinx's environment pickle
        return f"{type(self).__name__}({ORDER!r})"
