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
from ._model_selection import LogisticRegressionCV
from ._path import RegularizationPath, l1_min_c, regularization_path
from ._solvers.separation import SeparationWarning
from ._version import __version__

#: The types a skops.io file of a fitted clogit estimator (alone or inside a
#: scikit-learn Pipeline) holds, to pass as ``skops.io.load(...,
#: trusted=clogit.SKOPS_TRUSTED_TYPES)``: the estimators and the plain
#: record of what inference needs (arrays and numbers; nothing of them is
#: executed when loading).  ``LogisticRegression.save`` covers one
#: estimator as JSON; skops covers whole pipelines without pickle.
SKOPS_TRUSTED_TYPES = (
    "clogit._estimator.LogisticRegression",
    "clogit._model_selection.LogisticRegressionCV",
    "clogit.dask.LogisticRegression",
    "clogit._inference.binary.BinaryFit",
    "clogit._inference.multinomial.MultinomialFit",
    "clogit._formula_design.FormulaDesign",
)

__all__ = [
    "LogisticRegression",
    "LogisticRegressionCV",
    "LogitResults",
    "MNLogitResults",
    "RegularizationPath",
    "SKOPS_TRUSTED_TYPES",
    "SeparationWarning",
    "__version__",
    "l1_min_c",
    "lipschitz_step",
    "load",
    "log_loss",
    "log_sigmoid",
    "logit",
    "regularization_path",
    "sigmoid",
]
