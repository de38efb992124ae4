"""Type aliases of the public API (annotations only; nothing runs here)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import IO, Any, Literal, Union

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

__all__ = ["ArrayLike", "ClassWeight", "CovType", "FloatArray",
           "MatrixLike", "MultiClass", "PathOrFile", "Penalty",
           "RandomState", "Solver"]

#: Dense data (anything ``np.asarray`` takes, pandas DataFrames included) or
#: a scipy.sparse matrix or array.
MatrixLike = Union[ArrayLike, sp.spmatrix, sp.sparray]
FloatArray = NDArray[np.float64]
Penalty = Literal["l2", "l1", "elasticnet", "firth"] | None
#: clogit's solvers, and scikit-learn's names as aliases.
Solver = Literal["auto", "newton", "newton-cg", "lbfgs", "gd",
                 "newton-cholesky", "liblinear", "sag", "saga"]
#: ``random_state`` (accepted for scikit-learn; no clogit solver is random).
RandomState = Union[int, np.random.RandomState, np.random.Generator, None]
MultiClass = Literal["auto", "ovr", "multinomial"]
ClassWeight = Mapping[Any, float] | Literal["balanced"] | None
CovType = Literal["nonrobust", "HC0", "HC1", "HC2", "HC3", "cluster"]
#: A file name, a path, or an open file object.
PathOrFile = Union[str, "os.PathLike[str]", IO[str], IO[bytes]]
