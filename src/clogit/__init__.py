"""clogit: fast, complete logistic regression with compiled Cython kernels.

A drop-in for scikit-learn's ``LogisticRegression``: Newton's method on a
Hessian assembled by blocked symmetric rank-k updates, BLAS and LAPACK
through scipy, numerically stable scalar math for every finite input.
"""

from ._estimator import LogisticRegression, load
from ._functions import lipschitz_step, log_sigmoid, sigmoid
from ._metrics import log_loss
from ._model_selection import LogisticRegressionCV
from ._path import RegularizationPath, l1_min_c, regularization_path
from ._solvers.separation import SeparationWarning
from ._version import __version__

__all__ = [
    "LogisticRegression",
    "LogisticRegressionCV",
    "RegularizationPath",
    "SeparationWarning",
    "__version__",
    "l1_min_c",
    "lipschitz_step",
    "load",
    "log_loss",
    "log_sigmoid",
    "regularization_path",
    "sigmoid",
]
