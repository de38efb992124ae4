"""Type stubs for the compiled module ``clogit._kernels.softmax`` (see ``softmax.pyx``).

Kernels of the multinomial (softmax) model.  ``X`` may be float32 or float64
(Cython's fused type ``floating``), C- or F-ordered; class indices ``y`` are
int32 (``np.intc``); every other array is float64, C-contiguous, except
``hess`` and ``meat_out`` (F-ordered, square).  Outputs are written into the
caller's arrays; ``meat_out``/``groups``/``group_scores_out`` are the robust
covariances' outputs (see ``softmax_pass``).
"""

import numpy as np
from numpy.typing import NDArray

_X = NDArray[np.float32] | NDArray[np.float64]
_F64 = NDArray[np.float64]

def default_block_rows(width: int) -> int: ...
def softmax_pass(
    X: _X,
    y: NDArray[np.intc],
    sample_weight: _F64,
    coef: _F64,
    fit_intercept: bool,
    C: float,
    grad: _F64,
    hess: _F64 | None = None,
    z_out: _F64 | None = None,
    n_free: int = -1,
    block_rows: int = 0,
    meat_out: _F64 | None = None,
    groups: NDArray[np.intc] | None = None,
    group_scores_out: _F64 | None = None,
) -> float: ...
def softmax_scores(X: _X, coef: _F64, fit_intercept: bool, out: _F64) -> None: ...
def softmax_objective_along(
    y: NDArray[np.intc],
    sample_weight: _F64,
    Z: _F64,
    dZ: _F64,
    step: float,
    C: float,
) -> float: ...
def ovr_pass(
    X: _X,
    y: NDArray[np.intc],
    sample_weight: _F64,
    coef: _F64,
    fit_intercept: bool,
    C: float,
    grad: _F64,
    objectives: _F64,
    block_rows: int = 0,
) -> float: ...
