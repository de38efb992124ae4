"""Build the Cython extensions; all metadata lives in pyproject.toml."""

import os

import numpy as np
from Cython.Build import cythonize
from setuptools import Extension, setup

HERE = os.path.dirname(os.path.abspath(__file__))
CSRC = os.path.join("csrc")
HEADERS = [os.path.join(CSRC, name) for name in ("clogit_math.h",)]

# Portable flags only: released wheels must run on any CPU of their platform,
# so no -march=native here.
COMPILE_ARGS = ["-O3"] if os.name != "nt" else ["/O2"]

KERNELS = os.path.join("src", "clogit", "_kernels")
EXTENSIONS = ["blas", "scalar", "binomial", "cd", "softmax", "sparse",
              "compressed", "quadratic"]

COMPILER_DIRECTIVES = {
    "language_level": 3,
    "boundscheck": False,
    "wraparound": False,
    "initializedcheck": False,
    "cdivision": True,
    "embedsignature": True,
}


def make_extension(name):
    return Extension(
        f"clogit._kernels.{name}",
        sources=[os.path.join(KERNELS, f"{name}.pyx")],
        include_dirs=[np.get_include(), CSRC, KERNELS],
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_22_API_VERSION")],
        extra_compile_args=COMPILE_ARGS,
        depends=HEADERS + [os.path.join(KERNELS, f"{pxd}.pxd")
                           for pxd in ("blas", "scalar", "rows")],
    )


setup(
    ext_modules=cythonize(
        [make_extension(name) for name in EXTENSIONS],
        compiler_directives=COMPILER_DIRECTIVES,
        include_path=["src"],
    ),
)
