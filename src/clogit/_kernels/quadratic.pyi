"""Type stubs for the compiled module ``clogit._kernels.quadratic`` (see
``quadratic.pyx``).

Row quadratic forms by blocks.  ``X`` and ``data`` may be float32 or
float64, ``indices``/``indptr`` int32 or int64 (one dtype); ``factor`` is
float64 and F-ordered; every other array is float64 and C-contiguous.
Outputs are written into the caller's arrays.
"""

import numpy as np
from numpy.typing import NDArray

_X = NDArray[np.float32] | NDArray[np.float64]
_F64 = NDArray[np.float64]
_I = NDArray[np.int32] | NDArray[np.int64]

def block_rows_for(n_cols: int) -> int: ...
def row_quadratic_forms(
    X: _X,
    fit_intercept: bool,
    factor: _F64,
    out: _F64,
    solve: bool = False,
    coef: _F64 | None = None,
    eta_out: _F64 | None = None,
    block_rows: int = 0,
) -> None: ...
def csr_row_quadratic_forms(
    data: _X,
    indices: _I,
    indptr: _I,
    n_features: int,
    fit_intercept: bool,
    factor: _F64,
    out: _F64,
    solve: bool = False,
    coef: _F64 | None = None,
    eta_out: _F64 | None = None,
    block_rows: int = 0,
) -> None: ...
def row_block_quadratic_forms(
    X: _X,
    fit_intercept: bool,
    factor: _F64,
    n_equations: int,
    out: _F64,
    block_rows: int = 0,
) -> None: ...
def csr_row_block_quadratic_forms(
    data: _X,
    indices: _I,
    indptr: _I,
    n_features: int,
    fit_intercept: bool,
    factor: _F64,
    n_equations: int,
    out: _F64,
    block_rows: int = 0,
) -> None: ...
def firth_leverage_pass(
    X: _X,
    sample_weight: _F64,
    z: _F64,
    fit_intercept: bool,
    C: float,
    factor: _F64,
    hat_out: _F64,
    score_out: _F64,
    block_rows: int = 0,
) -> None: ...
def csr_firth_leverage_pass(
    data: _X,
    indices: _I,
    indptr: _I,
    n_features: int,
    sample_weight: _F64,
    z: _F64,
    fit_intercept: bool,
    C: float,
    factor: _F64,
    hat_out: _F64,
    score_out: _F64,
    block_rows: int = 0,
) -> None: ...
