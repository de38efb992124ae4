# The coordinate update of the proximal Newton model's coordinate descent,
# shared by the dense kernels (_kernels/cd.pyx) and the CSC one
# (_kernels/sparse.pyx): both make the same decisions in the same order, so
# that ties (identical columns) end the same way for dense and sparse X.

from libc.math cimport fabs

from .scalar cimport clogit_soft_threshold, clogit_tie_band


cdef inline bint _coordinate_update(double hjj, double c, double w,
                                    double g, double hd, double d,
                                    bint penalized, double l1, double l2,
                                    double *delta,
                                    double *curvature) noexcept nogil:
    """The exact minimizer of the model in one coordinate.

    ``hjj`` its curvature, ``c`` the model's gradient there without the
    coordinate's own term (``g + (H d)_j - hjj d_j``), ``w`` and ``d`` the
    coefficient and the current step, ``g`` and ``hd`` the data gradient
    and ``(H d)_j`` (for the rounding band of the soft threshold).  Sets
    ``delta`` (the change of ``d_j``) and ``curvature`` (``hjj`` plus the
    ridge), or returns False for an all-zero column (left at zero).
    """
    cdef double u
    if penalized:
        if hjj + l2 <= 0.0:
            return False
        u = clogit_soft_threshold(
            hjj * w - c, l1,
            clogit_tie_band(fabs(hjj * w) + fabs(g) + fabs(hd)
                            + fabs(hjj * d)))
        u /= hjj + l2
        curvature[0] = hjj + l2
    else:
        if hjj <= 0.0:
            return False
        u = w - c / hjj
        curvature[0] = hjj
    delta[0] = u - (w + d)
    return True
