"""Type stubs for the compiled module ``clogit._kernels.compressed`` (see ``compressed.pyx``)."""

import numpy as np
from numpy.typing import NDArray

def check_compressed(
    indices: NDArray[np.int32] | NDArray[np.int64],
    indptr: NDArray[np.int32] | NDArray[np.int64],
    n_minor: int,
) -> int: ...
