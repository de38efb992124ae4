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
