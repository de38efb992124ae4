"""Type stubs for the compiled module ``clogit._kernels.sparse`` (see ``sparse.pyx``).

Kernels of the binomial and multinomial models for scipy.sparse CSR and CSC
matrices, given as their ``data`` (float32 or float64: Cython's fused type
``floating``), ``indices`` and ``indptr`` (both int32 or both int64: the
fused ``index_t``).  Every other array is float64 and C-contiguous, except
``hess`` and ``meat_out`` (F-ordered, square); ``columns``, class indices
``y`` and cluster codes ``groups`` are int32.
Outputs are written into the caller's arrays.
"""

from typing import TypeVar

import numpy as np
from numpy.typing import NDArray

_Data = NDArray[np.float32] | NDArray[np.float64]
_I = TypeVar("_I", np.int32, np.int64)
_F64 = NDArray[np.float64]
_Cols = NDArray[np.intc] | None

def hessian_weights(
    z: _F64, sample_weight: _F64, C: float, out: _F64
) -> None: ...

# CSR: rows of X are the compressed axis; n_cols is X.shape[1].
def csr_matvec(
    data: _Data,
    indices: NDArray[_I],
    indptr: NDArray[_I],
    n_cols: int,
    coef: _F64,
    fit_intercept: bool,
    out: _F64,
    columns: _Cols = None,
) -> None: ...
def csr_rmatvec(
    data: _Data,
    indices: NDArray[_I],
    indptr: NDArray[_I],
    n_cols: int,
    r: _F64,
    out: _F64,
) -> None: ...
def csr_block_pass(
    data: _Data,
    indices: NDArray[_I],
    indptr: NDArray[_I],
    n_cols: int,
    y: _F64,
    sample_weight: _F64,
    coef: _F64,
    fit_intercept: bool,
    C: float,
    grad: _F64,
    hess: _F64 | None = None,
    z_out: _F64 | None = None,
    columns: _Cols = None,
    residual_out: _F64 | None = None,
    meat_out: _F64 | None = None,
    groups: NDArray[np.intc] | None = None,
    group_scores_out: _F64 | None = None,
) -> float: ...
def csr_hessian_vector(
    data: _Data,
    indices: NDArray[_I],
    indptr: NDArray[_I],
    n_cols: int,
    weights: _F64,
    v: _F64,
    fit_intercept: bool,
    out: _F64,
) -> None: ...
def csr_hessian_diagonal(
    data: _Data,
    indices: NDArray[_I],
    indptr: NDArray[_I],
    n_cols: int,
    weights: _F64,
    fit_intercept: bool,
    out: _F64,
) -> None: ...

# CSC: columns of X are the compressed axis; n_rows is X.shape[0].
def csc_matvec(
    data: _Data,
    indices: NDArray[_I],
    indptr: NDArray[_I],
    n_rows: int,
    coef: _F64,
    fit_intercept: bool,
    out: _F64,
    columns: _Cols = None,
) -> None: ...
def csc_rmatvec(
    data: _Data,
    indices: NDArray[_I],
    indptr: NDArray[_I],
    n_rows: int,
    r: _F64,
    out: _F64,
) -> None: ...
def csc_block_pass(
    data: _Data,
    indices: NDArray[_I],
    indptr: NDArray[_I],
    n_rows: int,
    y: _F64,
    sample_weight: _F64,
    coef: _F64,
    fit_intercept: bool,
    C: float,
    grad: _F64,
    hess: _F64 | None = None,
    z_out: _F64 | None = None,
    columns: _Cols = None,
    residual_out: _F64 | None = None,
    meat_out: _F64 | None = None,
    groups: NDArray[np.intc] | None = None,
    group_scores_out: _F64 | None = None,
) -> float: ...
def csc_hessian_vector(
    data: _Data,
    indices: NDArray[_I],
    indptr: NDArray[_I],
    n_rows: int,
    weights: _F64,
    v: _F64,
    fit_intercept: bool,
    out: _F64,
) -> None: ...
def csc_hessian_diagonal(
    data: _Data,
    indices: NDArray[_I],
    indptr: NDArray[_I],
    n_rows: int,
    weights: _F64,
    fit_intercept: bool,
    out: _F64,
) -> None: ...

def csc_cd_quadratic(
    data: _Data,
    indices: NDArray[_I],
    indptr: NDArray[_I],
    columns: NDArray[np.intc],
    weights: _F64,
    fit_intercept: bool,
    g: _F64,
    w: _F64,
    l1: float,
    l2: float,
    d: _F64,
    Xd: _F64,
    max_sweeps: int,
    tol: float,
) -> int: ...

# Multinomial (softmax) model: the twins of ``clogit._kernels.softmax``'s
# softmax_pass / softmax_scores; y is int32 class indices, coef (K, k1), grad
# (n_free, k1), z_out and out (n, K).
def csr_softmax_pass(
    data: _Data,
    indices: NDArray[_I],
    indptr: NDArray[_I],
    n_cols: int,
    y: NDArray[np.intc],
    sample_weight: _F64,
    coef: _F64,
    fit_intercept: bool,
    C: float,
    grad: _F64,
    hess: _F64 | None = None,
    z_out: _F64 | None = None,
    n_free: int = -1,
    meat_out: _F64 | None = None,
    groups: NDArray[np.intc] | None = None,
    group_scores_out: _F64 | None = None,
) -> float: ...
def csr_softmax_scores(
    data: _Data,
    indices: NDArray[_I],
    indptr: NDArray[_I],
    n_cols: int,
    coef: _F64,
    fit_intercept: bool,
    out: _F64,
) -> None: ...
def csc_softmax_pass(
    data: _Data,
    indices: NDArray[_I],
    indptr: NDArray[_I],
    n_rows: int,
    y: NDArray[np.intc],
    sample_weight: _F64,
    coef: _F64,
    fit_intercept: bool,
    C: float,
    grad: _F64,
    hess: _F64 | None = None,
    z_out: _F64 | None = None,
    n_free: int = -1,
    meat_out: _F64 | None = None,
    groups: NDArray[np.intc] | None = None,
    group_scores_out: _F64 | None = None,
) -> float: ...
def csc_softmax_scores(
    data: _Data,
    indices: NDArray[_I],
    indptr: NDArray[_I],
    n_rows: int,
    coef: _F64,
    fit_intercept: bool,
    out: _F64,
) -> None: ...
