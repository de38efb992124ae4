# The nogil bodies of binomial.pyx's kernels, for the Newton loop of
# binomial_newton.pyx (which runs whole iterations without returning to
# Python); each def kernel of binomial.pyx checks its arguments and calls
# these.

from .blas cimport floating

cdef double _pass_rows(const floating[:, :] X, const double *y,
                       const double *sample_weight, const double *coef,
                       bint fit_intercept, double C, const int *cols,
                       Py_ssize_t k, bint c_order, Py_ssize_t m_max,
                       double *buf, double *meat_buf, double *grad,
                       double *hess, double *z_out, double *residual_out,
                       double *meat_out, const int *groups,
                       double *group_scores_out,
                       Py_ssize_t n_groups) noexcept nogil

cdef void _matvec_rows(const floating[:, :] X, const double *coef,
                       bint fit_intercept, double *out, const int *cols,
                       Py_ssize_t k, bint c_order, int lda, double *buf,
                       Py_ssize_t m_max) noexcept nogil

cdef double _objective_along(const double *y, const double *sample_weight,
                             const double *z, const double *dz, double step,
                             double C, Py_ssize_t n) noexcept nogil
