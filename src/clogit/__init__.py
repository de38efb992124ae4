"""clogit: fast, complete logistic regression with compiled Cython kernels.

A drop-in for scikit-learn's ``LogisticRegression``: Newton's method on a
Hessian assembled by blocked symmetric rank-k updates, BLAS and LAPACK
through scipy, numerically stable scalar math for every finite input.
"""

from ._estimator import LogisticRegression, load
from ._formula import logit
from ._inference.results import LogitResults, MNLogitResults
from ._functions import lipschitz_step, log_sigmoid, sigmoid
from ._metrics import log_loss
from ._solvers.separation import SeparationWarning
from ._version import __version__

__all__ = [
    "LogisticRegression",
    "LogitResults",
    "MNLogitResults",
    "SeparationWarning",
    "__version__",
    "lipschitz_step",
    "load",
    "log_loss",
    "log_sigmoid",
    "logit",
    "sigmoid",
]
