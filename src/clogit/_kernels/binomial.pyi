"""Type stubs for the compiled module ``clogit._kernels.binomial`` (see ``binomial.pyx``).

Kernels of the binomial (logistic) model.  ``X`` may be float32 or float64
(Cython's fused type ``floating``), C- or F-ordered; every other array is
float64 and C-contiguous, except ``hess`` and ``meat_out`` (F-ordered,
square); ``groups`` are int32 cluster codes.  Outputs are
written into the caller's arrays.
"""

import numpy as np
from numpy.typing import NDArray

_X = NDArray[np.float32] | NDArray[np.float64]
_F64 = NDArray[np.float64]

def default_block_rows(n_cols: int, hessian: bool = True) -> int: ...
def block_pass(
    X: _X,
    y: _F64,
    sample_weight: _F64,
    coef: _F64,
    fit_intercept: bool,
    C: float,
    grad: _F64,
    hess: _F64 | None = None,
    z_out: _F64 | None = None,
    block_rows: int = 0,
    columns: NDArray[np.intc] | None = None,
    residual_out: _F64 | None = None,
    meat_out: _F64 | None = None,
    groups: NDArray[np.intc] | None = None,
    group_scores_out: _F64 | None = None,
) -> float: ...
def weighted_cross(
    X: _X,
    weights: _F64,
    rows_of: NDArray[np.intc],
    columns: NDArray[np.intc] | None,
    fit_intercept: bool,
    out: _F64,
) -> None: ...
def matvec(
    X: _X,
    coef: _F64,
    fit_intercept: bool,
    out: _F64,
    columns: NDArray[np.intc] | None = None,
) -> None: ...
def objective_along(
    y: _F64,
    sample_weight: _F64,
    z: _F64,
    dz: _F64,
    step: float,
    C: float,
) -> float: ...
def rmatvec(X: _X, r: _F64, out: _F64) -> None: ...
