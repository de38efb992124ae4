"""Type stubs for the compiled module ``clogit._kernels.blas`` (see ``blas.pyx``).

BLAS/LAPACK wrappers.  The ``cdef`` kernels are not visible from Python; these
are their Python-callable twins.  ``_F`` stands for Cython's fused type
``floating``: every array argument it annotates must share one dtype.
Arrays are taken through typed memoryviews, so any C-contiguous buffer of the
right dtype is accepted; the annotations name numpy arrays, the usual case.
"""

from typing import TypeVar

import numpy as np
from numpy.typing import NDArray

_F = TypeVar("_F", np.float32, np.float64)

def _as_blas_matrix(A: NDArray[_F]) -> tuple[NDArray[_F], bool]: ...
def dot(x: NDArray[_F], y: NDArray[_F]) -> float: ...
def axpy(alpha: float, x: NDArray[_F], y: NDArray[_F]) -> None: ...
def gemv(
    alpha: float,
    A: NDArray[_F],
    x: NDArray[_F],
    beta: float,
    y: NDArray[_F],
    trans: bool = False,
) -> None: ...
def gemm(
    alpha: float, A: NDArray[_F], B: NDArray[_F], beta: float, C: NDArray[_F]
) -> None: ...
def syrk(alpha: float, A: NDArray[_F], beta: float, C: NDArray[_F]) -> None: ...
def trmm(
    alpha: float,
    A: NDArray[_F],
    B: NDArray[_F],
    right: bool = False,
    trans: bool = False,
) -> None: ...
def trsm(
    alpha: float,
    A: NDArray[_F],
    B: NDArray[_F],
    right: bool = False,
    trans: bool = False,
) -> None: ...
def _fill_upper(C: NDArray[np.floating]) -> None: ...
def cholesky(A: NDArray[np.float64]) -> int: ...
def ridged_cholesky(
    A: NDArray[np.float64],
    scale: NDArray[np.float64],
    equilibrated: NDArray[np.float64],
) -> float: ...
def cho_solve(L: NDArray[np.float64], b: NDArray[np.float64]) -> None: ...
def cho_inverse(L: NDArray[np.float64]) -> None: ...
