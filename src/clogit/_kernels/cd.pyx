"""Cyclic coordinate descent on the proximal Newton model (ℓ1 / elastic net).

Minimizes over the step d of the working set

    q(d) = g.d + 1/2 d.H.d + sum_{j < n_penalized} l1 |w_j + d_j|
                                              + l2/2 (w_j + d_j)^2

(the coordinates from n_penalized on, i.e. the intercept, are unpenalized).
Each coordinate is minimized exactly in closed form by soft-thresholding,
so coefficients that should be zero are exactly 0.0 (never 1e-17); an
update whose soft-threshold input is within its own rounding error of the
threshold gives 0.0 too (``clogit_soft_threshold``: ties, as between two
identical columns, are decided the same way for dense and sparse X, whose
kernels round differently -- ``_kernels.sparse.csc_cd_quadratic`` runs the
same updates in the same order).  The
product ``H d`` is kept up to date (one axpy per changed coordinate), so a
sweep costs O(k^2) for k working-set coordinates and never touches X.
"""

from libc.math cimport fabs

from .blas cimport _axpy
from .scalar cimport clogit_soft_threshold, clogit_tie_band


def cd_quadratic(const double[::1, :] H, const double[::1] g,
                 const double[::1] w, Py_ssize_t n_penalized, double l1,
                 double l2, double[::1] d, double[::1] Hd, int max_sweeps,
                 double tol):
    """Run coordinate-descent sweeps on q(d), updating ``d`` and ``Hd``.

    Parameters
    ----------
    H : (k, k) F-ordered array
        Hessian of the data term on the working set (intercept last).
    g : (k,) array
        Gradient of the data term on the working set.
    w : (k,) array
        Current coefficients of the working set.
    n_penalized : int
        Coordinates ``0 .. n_penalized-1`` carry the penalty.
    l1, l2 : float
        Penalty strengths.
    d : (k,) array, in/out
        Starting step (usually zeros); on exit the approximate minimizer.
    Hd : (k,) array, in/out
        ``H @ d`` for the starting ``d``; kept in sync.
    max_sweeps : int
        Cap on the sweeps over all coordinates.
    tol : float
        Stop when, in a full sweep, every coordinate moved by at most
        ``tol / (H_jj + l2)`` (a change of the model's gradient <= tol).

    Returns
    -------
    sweeps : int
        Sweeps run.
    """
    cdef Py_ssize_t k = H.shape[0], j
    cdef int sweep = 0
    cdef double hjj, c, u, old, delta, worst
    if (H.shape[1] != k or g.shape[0] != k or w.shape[0] != k
            or d.shape[0] != k or Hd.shape[0] != k):
        raise ValueError("shape mismatch in cd_quadratic")
    if k == 0:
        return 0
    with nogil:
        while sweep < max_sweeps:
            sweep += 1
            worst = 0.0
            for j in range(k):
                hjj = H[j, j]
                # gradient of the model in coordinate j without its own term
                c = g[j] + Hd[j] - hjj * d[j]
                old = w[j] + d[j]
                if j < n_penalized:
                    if hjj + l2 <= 0.0:
                        continue  # an all-zero column: leave it at zero
                    u = clogit_soft_threshold(
                        hjj * w[j] - c, l1,
                        clogit_tie_band(fabs(hjj * w[j]) + fabs(g[j])
                                        + fabs(Hd[j]) + fabs(hjj * d[j])))
                    u /= hjj + l2
                else:
                    if hjj <= 0.0:
                        continue
                    u = w[j] - c / hjj
                delta = u - old
                if delta != 0.0:
                    d[j] += delta
                    _axpy[double](<int>k, delta, &H[0, j], 1, &Hd[0], 1)
                    if fabs(delta) * (hjj + (l2 if j < n_penalized else 0.0)) > worst:
                        worst = fabs(delta) * (hjj + (l2 if j < n_penalized
                                                      else 0.0))
            if worst <= tol:
                break
    return sweep
