"""Type stubs for the compiled module ``clogit._kernels.scalar`` (see ``scalar.pyx``).

Loops over flat, C-contiguous arrays that write into a caller-provided
``out`` of the input's length.  ``_F`` stands for Cython's fused type
``floating``: input and output share one dtype.
"""

from typing import TypeVar

import numpy as np
from numpy.typing import NDArray

_F = TypeVar("_F", np.float32, np.float64)

def sigmoid_into(z: NDArray[_F], out: NDArray[_F]) -> None: ...
def log_sigmoid_into(z: NDArray[_F], out: NDArray[_F]) -> None: ...
def log1pexp_into(z: NDArray[_F], out: NDArray[_F]) -> None: ...
def hess_weight_into(z: NDArray[np.float64], out: NDArray[np.float64]) -> None: ...
def binomial_loss_into(
    y: NDArray[np.float64], z: NDArray[np.float64], out: NDArray[np.float64]
) -> None: ...
def squared_sum(values: NDArray[np.float32] | NDArray[np.float64]) -> float: ...
