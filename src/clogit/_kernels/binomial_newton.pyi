"""Type stubs for the compiled module ``clogit._kernels.binomial_newton`` (see ``binomial_newton.pyx``).

Newton's iterations on a binary problem in one call.  ``X`` may be float32
or float64, C- or F-ordered; every other array is float64, C-contiguous,
except ``hess`` (F-ordered, square).
"""

import numpy as np
from numpy.typing import NDArray

NONE: int
LINE_SEARCH_FAILED: int
FLOAT_LIMIT: int
NONFINITE_HESSIAN: int

def newton_loop(
    X: NDArray[np.float32] | NDArray[np.float64],
    y: NDArray[np.float64],
    sample_weight: NDArray[np.float64],
    C: float,
    fit_intercept: bool,
    alpha: float,
    coef: NDArray[np.float64],
    scale: float,
    tol: float,
    max_iter: int,
    armijo: float,
    max_halvings: int,
    rounding_ulps: float,
    patience: int,
    expand_share: float,
    max_expansions: int,
    hess: NDArray[np.float64],
) -> tuple[int, float, float, float, float, bool, bool, int]: ...
