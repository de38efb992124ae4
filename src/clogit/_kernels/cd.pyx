"""Cyclic coordinate descent on the proximal Newton model (ℓ1 / elastic net),
and a whole proximal Newton solve of a small dense problem in one call.

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

:func:`prox_newton_small` runs the outer iterations of
``clogit._solvers.prox_newton.prox_newton_binary`` (with candidates) on a
problem whose candidate columns fit in cache, without returning to Python:
there, each outer iteration's arithmetic is tens of microseconds and the
Python version's bookkeeping (numpy calls on 30-element arrays) cost ten
times that.
"""

from libc.math cimport fabs, sqrt
from libc.stdlib cimport malloc, free
from libc.string cimport memcpy, memset

from .binomial cimport _objective_along
from .blas cimport floating, _axpy, _gemv, _syrk, _potrf, _potrs
from .coordinate cimport _coordinate_update
from .scalar cimport clogit_binomial_point, clogit_sum_add

# backtracking, as clogit._solvers.linesearch
DEF ARMIJO = 1e-4
DEF MAX_HALVINGS = 50
DEF EPS = 2.220446049250313e-16
# clogit._solvers.prox_newton.TIE_ULPS
DEF TIE_ULPS = 64.0


cdef int _cd_sweeps(const double *H, Py_ssize_t ldh, Py_ssize_t k,
                    const double *g, const double *w, Py_ssize_t n_penalized,
                    double l1, double l2, double *d, double *Hd,
                    int max_sweeps, double tol) noexcept nogil:
    """The sweeps of :func:`cd_quadratic` on raw column-major ``H``."""
    cdef int sweep = 0
    cdef Py_ssize_t j
    cdef double hjj, delta, worst, curvature
    if k == 0:
        return 0
    while sweep < max_sweeps:
        sweep += 1
        worst = 0.0
        for j in range(k):
            hjj = H[j + j * ldh]
            if not _coordinate_update(hjj, g[j] + Hd[j] - hjj * d[j], w[j],
                                      g[j], Hd[j], d[j], j < n_penalized, l1,
                                      l2, &delta, &curvature):
                continue
            if delta != 0.0:
                d[j] += delta
                _axpy[double](<int>k, delta, &H[j * ldh], 1, Hd, 1)
                if fabs(delta) * curvature > worst:
                    worst = fabs(delta) * curvature
        if worst <= tol:
            break
    return sweep


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
    cdef Py_ssize_t k = H.shape[0]
    cdef int sweeps
    if (H.shape[1] != k or g.shape[0] != k or w.shape[0] != k
            or d.shape[0] != k or Hd.shape[0] != k):
        raise ValueError("shape mismatch in cd_quadratic")
    if k == 0:
        return 0
    with nogil:
        sweeps = _cd_sweeps(&H[0, 0], k, k, &g[0], &w[0], n_penalized, l1,
                            l2, &d[0], &Hd[0], max_sweeps, tol)
    return sweeps


# ----------------------------------------------------------------------
# a whole small proximal Newton solve
# ----------------------------------------------------------------------
cdef double _penalty(const double *w, Py_ssize_t k, double l1,
                     double l2) noexcept nogil:
    cdef double a = 0.0, q = 0.0
    cdef Py_ssize_t j
    for j in range(k):
        a += fabs(w[j])
        q += w[j] * w[j]
    return l1 * a + 0.5 * l2 * q


cdef inline double _kkt(double g, double w, double l1,
                        double l2) noexcept nogil:
    """``stopping.kkt_violation`` of one coefficient."""
    g += l2 * w
    if w > 0.0:
        return fabs(g + l1)
    if w < 0.0:
        return fabs(g - l1)
    return max(fabs(g) - l1, 0.0)


cdef double _evaluate(const double *Xc, Py_ssize_t n, Py_ssize_t k1,
                      const double *y, const double *s, double C,
                      const double *z, double *r, double *hweight,
                      double *grad) noexcept nogil:
    """Data objective at scores ``z``; fills the residual ``r = C s (p -
    y)``, the Hessian weights ``p (1 - p)`` and ``grad = Xc.T r``."""
    cdef double obj = 0.0, comp = 0.0, loss, p, hw
    cdef Py_ssize_t i
    for i in range(n):
        clogit_binomial_point(y[i], z[i], &loss, &p, &hw)
        clogit_sum_add(&obj, &comp, s[i] * loss)
        hweight[i] = hw
        r[i] = C * s[i] * (p - y[i])
    if k1 > 0:
        _gemv[double](c'T', <int>n, <int>k1, 1.0, Xc, <int>n, r, 1, 0.0,
                      grad, 1)
    return C * (obj + comp)


cdef int _orthant(const double *H, Py_ssize_t k1, const double *grad,
                  const double *coef, double *step, Py_ssize_t n_pen,
                  double l1, double l2, int *free_idx, double *A,
                  double *target, double *start) noexcept nogil:
    """``prox_newton.orthant_step`` in place on ``step``; 0 when the step
    was replaced, 1 when the orthant step brings nothing."""
    cdef Py_ssize_t j, a, b, m = 0, nf = 0, crossing = -1
    cdef double fraction = 1.0, ratio, sigma, toward, v
    for j in range(k1):
        start[j] = coef[j] + step[j]
    for j in range(n_pen):
        if start[j] != 0.0:
            free_idx[nf] = <int>j
            nf += 1
    m = nf
    for j in range(n_pen, k1):
        free_idx[nf] = <int>j
        nf += 1
    if nf == 0:
        return 1
    for b in range(nf):
        for a in range(nf):
            A[a + b * nf] = H[free_idx[a] + free_idx[b] * k1]
    for a in range(m):
        A[a + a * nf] += l2
    for a in range(nf):
        v = 0.0
        for j in range(k1):
            v += H[free_idx[a] + j * k1] * coef[j]
        target[a] = v - grad[free_idx[a]]
        if a < m:
            target[a] -= l1 * (1.0 if start[free_idx[a]] > 0.0 else -1.0)
    if _potrf(c'L', <int>nf, A, <int>nf) != 0:
        return 1
    _potrs(c'L', <int>nf, 1, A, <int>nf, target, <int>nf)
    # the largest t in (0, 1] keeping the signs of start + t * toward
    for a in range(m):
        sigma = 1.0 if start[free_idx[a]] > 0.0 else -1.0
        toward = target[a] - start[free_idx[a]]
        if sigma * toward < 0.0:
            ratio = -start[free_idx[a]] / toward
            if ratio < fraction:
                fraction = ratio
                crossing = a
    if not fraction > 0.0:
        return 1
    for j in range(k1):
        step[j] = -coef[j]
    for a in range(nf):
        j = free_idx[a]
        v = start[j] + fraction * (target[a] - start[j])
        if a == crossing:
            v = 0.0
        step[j] += v
    return 0


def prox_newton_small(const floating[:, :] X, const double[::1] y,
                      const double[::1] sample_weight, const int[::1] rows,
                      const int[::1] candidates, bint fit_intercept,
                      double C, double[::1] coef, double l1, double l2,
                      double tol, double scale, int max_iter, int max_sweeps,
                      bint orthant_newton, double[::1] residual_out,
                      double[::1] info):
    """Proximal Newton on the ``candidates`` of a small dense problem.

    The outer iterations of ``prox_newton_binary(candidates=...)`` (KKT test
    over the candidates, working set of the nonzeros and the worst
    violators, exact model Hessian on it, coordinate descent with the
    orthant step at the sweep cap, Armijo backtracking on the composite
    objective with the full step's pass speculatively ahead, rounding-level
    coefficients dropped) on the candidates' columns of the ``rows`` of X
    (those of nonzero sample weight), gathered once into a column-major
    float64 buffer.  ``coef`` (all features, intercept last; zero outside
    the candidates) is updated in place; ``residual_out`` (X.shape[0]) gets
    the residual ``C s (p - y)`` at the returned coefficients (zero off
    ``rows``).

    Returns the status: 0 converged or out of iterations, 1 the model found
    no descent direction, 2 the line search failed.  ``info`` (4 floats)
    gets the iterations, the scaled KKT violation at the returned
    coefficients, the objective and 1.0 (the residual is filled).
    """
    cdef Py_ssize_t n_all = X.shape[0], p = X.shape[1]
    cdef Py_ssize_t n = rows.shape[0], kc = candidates.shape[0]
    cdef Py_ssize_t has_b = 1 if fit_intercept else 0
    cdef Py_ssize_t k1c = kc + has_b
    cdef Py_ssize_t i, j, a, b, kw, k1w, nnz, nnz_after, n_out, budget
    cdef Py_ssize_t n_block, iteration = 0, halving
    cdef int status = 0, sweeps
    cdef bint have_state = False, fresh = False, accepted
    cdef double data_obj = 0.0, objective = 0.0, violation = 1e308
    cdef double grad_b, inner_tol, decrease, t, trial, full_step = 0.0
    cdef double data_next = 0.0, roundoff, largest, v, hv, sq
    cdef double *mem
    cdef double *Xc
    cdef double *yr
    cdef double *sr
    cdef double *wc
    cdef double *z
    cdef double *r
    cdef double *prob
    cdef double *gradc
    cdef double *z_next
    cdef double *r_next
    cdef double *prob_next
    cdef double *grad_next
    cdef double *dz
    cdef double *per
    cdef double *Bw
    cdef double *H
    cdef double *gw
    cdef double *ww
    cdef double *step
    cdef double *Hd
    cdef double *trial_w
    cdef double *A
    cdef double *target
    cdef double *start
    cdef double *swap
    cdef int *working
    cdef int *outside
    cdef int *free_idx
    cdef int ti
    cdef double tv

    if (y.shape[0] != n_all or sample_weight.shape[0] != n_all
            or residual_out.shape[0] != n_all or coef.shape[0] != p + has_b
            or info.shape[0] < 4):
        raise ValueError("shape mismatch in prox_newton_small")
    for i in range(n):
        if rows[i] < 0 or rows[i] >= n_all:
            raise ValueError("rows out of range")
    for j in range(kc):
        if candidates[j] < 0 or candidates[j] >= p:
            raise ValueError("candidates out of range")

    n_block = (n * k1c          # Xc
               + 2 * n          # yr, sr
               + 6 * n          # z, r, prob, z_next, r_next, prob_next
               + n              # dz
               + n * k1c        # Bw
               + 2 * k1c * k1c  # H, A
               + 11 * k1c + 8)  # wc, gradc, grad_next, per, gw, ww, step,
                                # Hd, trial_w, target, start
    mem = <double *>malloc(n_block * sizeof(double))
    working = <int *>malloc((3 * k1c + 3) * sizeof(int))
    if mem == NULL or working == NULL:
        free(mem)
        free(working)
        raise MemoryError()
    outside = working + k1c + 1
    free_idx = outside + k1c + 1
    Xc = mem
    yr = Xc + n * k1c
    sr = yr + n
    z = sr + n
    r = z + n
    prob = r + n
    z_next = prob + n
    r_next = z_next + n
    prob_next = r_next + n
    dz = prob_next + n
    Bw = dz + n
    H = Bw + n * k1c
    A = H + k1c * k1c
    wc = A + k1c * k1c
    gradc = wc + k1c + 1
    grad_next = gradc + k1c + 1
    per = grad_next + k1c + 1
    gw = per + k1c + 1
    ww = gw + k1c + 1
    step = ww + k1c + 1
    Hd = step + k1c
    trial_w = Hd + k1c
    target = trial_w + k1c
    start = target + k1c

    with nogil:
        # the candidates' columns of the rows, float64, intercept last
        for j in range(kc):
            b = candidates[j]
            for i in range(n):
                Xc[i + j * n] = X[rows[i], b]
            wc[j] = coef[b]
        if has_b:
            for i in range(n):
                Xc[i + kc * n] = 1.0
            wc[kc] = coef[p]
        for i in range(n):
            yr[i] = y[rows[i]]
            sr[i] = sample_weight[rows[i]]

        while iteration < max_iter:
            iteration += 1
            # 1. objective, residual and gradient over the candidates
            if not have_state:
                if k1c > 0:
                    _gemv[double](c'N', <int>n, <int>k1c, 1.0, Xc, <int>n,
                                  wc, 1, 0.0, z, 1)
                else:
                    memset(z, 0, n * sizeof(double))
                data_obj = _evaluate(Xc, n, k1c, yr, sr, C, z, r, prob,
                                     gradc)
                have_state = True
            objective = data_obj + _penalty(wc, kc, l1, l2)
            grad_b = 0.0
            if has_b:
                for i in range(n):
                    grad_b += r[i]
            # 2. KKT test over the candidates
            violation = fabs(grad_b)
            nnz = 0
            for j in range(kc):
                per[j] = _kkt(gradc[j], wc[j], l1, l2)
                if per[j] > violation:
                    violation = per[j]
                if wc[j] != 0.0:
                    nnz += 1
            violation /= scale
            fresh = True
            if violation <= tol:
                break
            # 3. working set: nonzeros and the worst violators among zeros
            n_out = 0
            for j in range(kc):
                if wc[j] == 0.0 and per[j] > 0.0:
                    outside[n_out] = <int>j
                    n_out += 1
            budget = max(10, nnz)
            if n_out > budget:
                # insertion sort by violation, largest first (ties: index)
                for a in range(1, n_out):
                    ti = outside[a]
                    tv = per[ti]
                    b = a - 1
                    while b >= 0 and (per[outside[b]] < tv):
                        outside[b + 1] = outside[b]
                        b -= 1
                    outside[b + 1] = ti
                n_out = budget
            for j in range(kc):
                per[j] = 1.0 if wc[j] != 0.0 else 0.0  # reused as a mark
            for a in range(n_out):
                per[outside[a]] = 1.0
            kw = 0
            for j in range(kc):
                if per[j] != 0.0:
                    working[kw] = <int>j
                    kw += 1
            if has_b:
                working[kw] = <int>kc
            k1w = kw + has_b
            # 4. the model's Hessian on the working set: sqrt(h) Xc_W,
            #    one dsyrk
            for i in range(n):
                hv = C * sr[i] * prob[i]
                dz[i] = sqrt(hv) if hv > 0.0 else 0.0
            for a in range(k1w):
                b = working[a]
                for i in range(n):
                    Bw[i + a * n] = dz[i] * Xc[i + b * n]
                gw[a] = gradc[b]
                ww[a] = wc[b]
            if k1w > 0:
                _syrk[double](c'L', c'T', <int>k1w, <int>n, 1.0, Bw, <int>n,
                              0.0, H, <int>k1w)
                for b in range(k1w):
                    for a in range(b + 1, k1w):
                        H[b + a * k1w] = H[a + b * k1w]
            # 5. coordinate descent on the model, the orthant step at the cap
            inner_tol = max(1e-3 * violation, 0.1 * tol) * scale
            memset(step, 0, k1w * sizeof(double))
            memset(Hd, 0, k1w * sizeof(double))
            sweeps = _cd_sweeps(H, k1w, k1w, gw, ww, kw, l1, l2, step, Hd,
                                max_sweeps, inner_tol)
            if orthant_newton and sweeps >= max_sweeps:
                _orthant(H, k1w, gw, ww, step, kw, l1, l2, free_idx, A,
                         target, start)
            decrease = 0.0
            for a in range(k1w):
                decrease += gw[a] * step[a]
            v = 0.0
            for a in range(kw):
                v += (l1 * (fabs(ww[a] + step[a]) - fabs(ww[a]))
                      + l2 * (ww[a] * step[a] + 0.5 * step[a] * step[a]))
            decrease += v
            if decrease >= 0.0:
                status = 1
                break
            # 6. the full step's pass, then backtracking along z + t dz
            for j in range(k1c):
                trial_w[j] = wc[j]
            for a in range(k1w):
                trial_w[working[a]] = ww[a] + step[a]
            _gemv[double](c'N', <int>n, <int>k1c, 1.0, Xc, <int>n, trial_w,
                          1, 0.0, z_next, 1)
            data_next = _evaluate(Xc, n, k1c, yr, sr, C, z_next, r_next,
                                  prob_next, grad_next)
            full_step = data_next + _penalty(trial_w, kc, l1, l2)
            roundoff = 64.0 * EPS * fabs(objective)
            t = 1.0
            accepted = False
            for halving in range(MAX_HALVINGS):
                if halving == 0:
                    trial = full_step
                else:
                    if halving == 1:
                        for i in range(n):
                            dz[i] = z_next[i] - z[i]
                    for a in range(k1w):
                        trial_w[working[a]] = ww[a] + t * step[a]
                    trial = (_objective_along(yr, sr, z, dz, t, C, n)
                             + _penalty(trial_w, kc, l1, l2))
                if trial <= objective + ARMIJO * t * decrease + roundoff:
                    accepted = True
                    break
                t *= 0.5
            if not accepted:
                status = 2
                break
            fresh = False
            for a in range(k1w):
                wc[working[a]] = ww[a] + t * step[a]
            # coefficients at rounding level of the largest are zero
            nnz = 0
            largest = 0.0
            for j in range(kc):
                if wc[j] != 0.0:
                    nnz += 1
                if fabs(wc[j]) > largest:
                    largest = fabs(wc[j])
            nnz_after = 0
            for j in range(kc):
                if fabs(wc[j]) <= TIE_ULPS * EPS * largest:
                    wc[j] = 0.0
                if wc[j] != 0.0:
                    nnz_after += 1
            if t == 1.0 and nnz_after == nnz:
                # the speculative pass was at exactly the new coefficients
                swap = z
                z = z_next
                z_next = swap
                swap = r
                r = r_next
                r_next = swap
                swap = prob
                prob = prob_next
                prob_next = swap
                swap = gradc
                gradc = grad_next
                grad_next = swap
                data_obj = data_next
            else:
                have_state = False

        # 7. the test at the returned coefficients
        if not fresh:
            if not have_state:
                _gemv[double](c'N', <int>n, <int>k1c, 1.0, Xc, <int>n, wc, 1,
                              0.0, z, 1)
                data_obj = _evaluate(Xc, n, k1c, yr, sr, C, z, r, prob,
                                     gradc)
            grad_b = 0.0
            if has_b:
                for i in range(n):
                    grad_b += r[i]
            violation = fabs(grad_b)
            for j in range(kc):
                v = _kkt(gradc[j], wc[j], l1, l2)
                if v > violation:
                    violation = v
            violation /= scale
        for j in range(kc):
            coef[candidates[j]] = wc[j]
        if has_b:
            coef[p] = wc[kc]
        memset(&residual_out[0], 0, n_all * sizeof(double))
        for i in range(n):
            residual_out[rows[i]] = r[i]
    free(mem)
    free(working)
    info[0] = iteration
    info[1] = violation
    info[2] = objective
    info[3] = 1.0
    return status
