"""Type stubs for the compiled module ``clogit._kernels.cd`` (see ``cd.pyx``).

Coordinate descent on the proximal Newton model; ``d`` and ``Hd`` are
updated in place.
"""

import numpy as np
from numpy.typing import NDArray

_F64 = NDArray[np.float64]

def cd_quadratic(
    H: _F64,
    g: _F64,
    w: _F64,
    n_penalized: int,
    l1: float,
    l2: float,
    d: _F64,
    Hd: _F64,
    max_sweeps: int,
    tol: float,
) -> int: ...

def prox_newton_small(
    X: NDArray[np.float64] | NDArray[np.float32],
    y: _F64,
    sample_weight: _F64,
    rows: NDArray[np.int32],
    candidates: NDArray[np.int32],
    fit_intercept: bool,
    C: float,
    coef: _F64,
    l1: float,
    l2: float,
    tol: float,
    scale: float,
    max_iter: int,
    max_sweeps: int,
    orthant_newton: bool,
    residual_out: _F64,
    info: _F64,
) -> int: ...
