"""Array loops over the stable scalar math of csrc/clogit_math.h.

The public, ufunc-like wrappers (shape handling, dtype choice, scalars) are in
``clogit._functions``; these loops take flat contiguous arrays and write into a
caller-provided output.
"""

from .blas cimport floating
from .scalar cimport (
    clogit_log1pexp, clogit_log1pexpf, clogit_sigmoid, clogit_sigmoidf,
    clogit_log_sigmoid, clogit_log_sigmoidf, clogit_hess_weight,
    clogit_binomial_loss,
)


def sigmoid_into(const floating[::1] z, floating[::1] out):
    cdef Py_ssize_t i
    with nogil:
        for i in range(z.shape[0]):
            if floating is float:
                out[i] = clogit_sigmoidf(z[i])
            else:
                out[i] = clogit_sigmoid(z[i])


def log_sigmoid_into(const floating[::1] z, floating[::1] out):
    cdef Py_ssize_t i
    with nogil:
        for i in range(z.shape[0]):
            if floating is float:
                out[i] = clogit_log_sigmoidf(z[i])
            else:
                out[i] = clogit_log_sigmoid(z[i])


def log1pexp_into(const floating[::1] z, floating[::1] out):
    cdef Py_ssize_t i
    with nogil:
        for i in range(z.shape[0]):
            if floating is float:
                out[i] = clogit_log1pexpf(z[i])
            else:
                out[i] = clogit_log1pexp(z[i])


def hess_weight_into(const double[::1] z, double[::1] out):
    cdef Py_ssize_t i
    with nogil:
        for i in range(z.shape[0]):
            out[i] = clogit_hess_weight(z[i])


def binomial_loss_into(const double[::1] y, const double[::1] z,
                       double[::1] out):
    cdef Py_ssize_t i
    with nogil:
        for i in range(z.shape[0]):
            out[i] = clogit_binomial_loss(y[i], z[i])


def squared_sum(const floating[::1] values):
    """``sum(values**2)`` in float64 (float32 values squared in float64),
    over eight running sums: the loop is bound by memory, not by one sum's
    chain of additions (a single running sum took 3x as long)."""
    cdef Py_ssize_t i, n = values.shape[0], m = n - n % 8
    cdef double a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0
    cdef double a4 = 0.0, a5 = 0.0, a6 = 0.0, a7 = 0.0
    cdef double v0, v1, v2, v3, v4, v5, v6, v7
    with nogil:
        i = 0
        while i < m:
            v0 = values[i]
            v1 = values[i + 1]
            v2 = values[i + 2]
            v3 = values[i + 3]
            v4 = values[i + 4]
            v5 = values[i + 5]
            v6 = values[i + 6]
            v7 = values[i + 7]
            a0 += v0 * v0
            a1 += v1 * v1
            a2 += v2 * v2
            a3 += v3 * v3
            a4 += v4 * v4
            a5 += v5 * v5
            a6 += v6 * v6
            a7 += v7 * v7
            i += 8
        for i in range(m, n):
            v0 = values[i]
            a0 += v0 * v0
    return ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7))
