"""Newton–Raphson on a binary problem in one call: whole iterations in C.

``_solvers.newton.newton_binary`` runs this loop instead of its own when
the in-memory kernels would run every pass in one thread anyway (dense X in
one row chunk, see ``_backends.memory.BinomialKernels.newton_loop``) and
nothing needs Python between iterations (no monitor, no verbose lines, no
sampled Hessians, no speculative passes).  The iterations are that solver's,
step for step, from the same kernel bodies (``binomial.pxd``, ``blas.pxd``):
the pass (objective, gradient, Hessian and scores), the l2 penalty, the
equilibrated Cholesky factor with its ridge fallback, the Newton direction,
the stopping test, Armijo backtracking on the cached line ``z + t X d`` (and
its longer steps in the global phase) and
the stall guard; the constants come from the Python solver's modules.

Why: on cache-sized data the arithmetic of a fit is well under a
millisecond, and the Python around each pass (allocations, the line
search's calls, the chunk dispatch) cost as much again (breast_cancer,
569 x 30, 9 iterations: see the measurements in ``_solvers/newton.py``).
The GIL is released for the whole loop, so fits in threads (One-vs-Rest
classes, cross-validation folds) run in parallel.
"""

from libc.math cimport fabs
from libc.stdlib cimport malloc, free

from .binomial cimport _matvec_rows, _objective_along, _pass_rows
from .blas cimport _dot, _potrs, _ridged_cholesky, floating
from .rows cimport _leading_dim

# Rows per block of the pass and of X @ d: what the pass kernels use (a
# block of the Hessian pass fits in L2, see binomial.pyx).
from .binomial import default_block_rows

cdef double _EPS = 2.220446049250313e-16

cdef enum:
    _NONE = 0
    _LINE_SEARCH_FAILED = 1
    _FLOAT_LIMIT = 2
    _NONFINITE_HESSIAN = 3

#: ``reason`` codes of :func:`newton_loop`.
NONE = _NONE
LINE_SEARCH_FAILED = _LINE_SEARCH_FAILED
FLOAT_LIMIT = _FLOAT_LIMIT
NONFINITE_HESSIAN = _NONFINITE_HESSIAN


def newton_loop(const floating[:, :] X, const double[::1] y,
                const double[::1] sample_weight, double C,
                bint fit_intercept, double alpha, double[::1] coef,
                double scale, double tol, int max_iter, double armijo,
                int max_halvings, double rounding_ulps, int patience,
                double expand_share, int max_expansions,
                double[::1, :] hess):
    """Newton's iterations on ``C * sum(s * loss(y, Xt coef)) + alpha/2
    |w|^2`` from ``coef`` (updated in place, intercept last).

    ``scale = C * sum(s)`` divides the stopping test's gradient; ``armijo``,
    ``max_halvings``, ``rounding_ulps`` (a step within ``rounding_ulps *
    eps * |f|`` of f counts as no change) and ``patience`` (steps without
    measurable progress before the loop stops) are the line search's and
    the stall guard's, ``expand_share`` and ``max_expansions`` the longer
    steps tried in the global phase (``_solvers.linesearch``).  ``hess`` (k1 x k1,
    F-ordered) holds on return the last iteration's Cholesky factor.

    Returns ``(n_iter, objective, g_max, max_ridge, last_ridge, fresh,
    converged, reason)``: the objective at the last pass's coefficients,
    the scaled max |gradient| at the returned ones (one more gradient pass
    when the loop ended after a step: ``fresh`` False), the largest and the
    last relative ridge of the factorizations, whether the stopping test
    held and why the loop stopped early (``LINE_SEARCH_FAILED``: coef
    unchanged; ``FLOAT_LIMIT``: the stall guard; ``NONFINITE_HESSIAN``:
    nothing more is defined; ``NONE`` otherwise).
    """
    cdef Py_ssize_t n = X.shape[0], p = X.shape[1]
    cdef Py_ssize_t k1 = p + (1 if fit_intercept else 0)
    cdef Py_ssize_t n_pen = p, j, halving
    cdef bint c_order = False
    cdef int lda = _leading_dim(X, &c_order)
    cdef Py_ssize_t m_max = min(<Py_ssize_t>default_block_rows(k1, True), n)
    cdef Py_ssize_t m_vec = min(<Py_ssize_t>default_block_rows(k1, False), n)
    cdef int iteration, n_iter = 0, stalls = 0, reason = _NONE
    cdef double objective = float("nan"), g_max = float("inf")
    cdef double previous_gradient = float("inf")
    cdef double max_ridge = 0.0, last_ridge = 0.0, ridge
    cdef double decrement_sq, roundoff, step, trial, longer, gm
    cdef bint fresh = False, converged = False, accepted
    cdef double *work
    cdef double *buf
    cdef double *vec_buf
    cdef double *grad
    cdef double *direction
    cdef double *point
    cdef double *eq_scale
    cdef double *eq_copy
    cdef double *z
    cdef double *dz
    cdef double *H

    if (y.shape[0] != n or sample_weight.shape[0] != n or coef.shape[0] != k1
            or hess.shape[0] != k1 or hess.shape[1] != k1):
        raise ValueError("shape mismatch in newton_loop")
    if n == 0 or k1 == 0 or max_iter < 1:
        raise ValueError("newton_loop needs rows, coefficients and "
                         "max_iter >= 1")
    work = <double *>malloc((m_max * (k1 + 3) + m_vec * k1 + 4 * k1
                             + k1 * k1 + 2 * n) * sizeof(double))
    if work == NULL:
        raise MemoryError()
    buf = work
    vec_buf = buf + m_max * (k1 + 3)
    grad = vec_buf + m_vec * k1
    direction = grad + k1
    point = direction + k1
    eq_scale = point + k1
    eq_copy = eq_scale + k1
    z = eq_copy + k1 * k1
    dz = z + n
    H = &hess[0, 0]

    with nogil:
        for iteration in range(1, max_iter + 1):
            n_iter = iteration
            # 1. objective, gradient and Hessian at coef: one pass over X
            objective = _pass_rows(
                X, &y[0], &sample_weight[0], &coef[0], fit_intercept, C,
                NULL, p, c_order, m_max, buf, NULL, grad, H, z, NULL, NULL,
                NULL, NULL, 0)
            if alpha != 0.0:
                objective += 0.5 * alpha * _dot(<int>n_pen, &coef[0], 1,
                                                &coef[0], 1)
                for j in range(n_pen):
                    grad[j] += alpha * coef[j]
                    H[j + j * k1] += alpha
            # 2. the Newton direction d = -H^-1 g
            ridge = _ridged_cholesky(<int>k1, H, eq_scale, eq_copy)
            if ridge < 0.0:
                reason = _NONFINITE_HESSIAN
                break
            last_ridge = ridge
            if ridge > max_ridge:
                max_ridge = ridge
            for j in range(k1):
                direction[j] = -grad[j]
            _potrs(c'L', <int>k1, 1, H, <int>k1, direction, <int>k1)
            decrement_sq = -_dot(<int>k1, grad, 1, direction, 1)
            # 3. the stopping test and the decrement guard
            gm = 0.0
            for j in range(k1):
                if fabs(grad[j]) > gm:
                    gm = fabs(grad[j])
            g_max = gm / scale
            fresh = True
            if g_max <= tol and 0.5 * decrement_sq / scale <= tol * tol:
                converged = True
                break
            # 4. Armijo backtracking on z + t * X d
            _matvec_rows(X, direction, fit_intercept, dz, NULL, p, c_order,
                         lda, vec_buf, m_vec)
            roundoff = rounding_ulps * _EPS * fabs(objective)
            step = 1.0
            accepted = False
            for halving in range(max_halvings):
                trial = _objective_along(&y[0], &sample_weight[0], z, dz,
                                         step, C, n)
                if alpha != 0.0:
                    for j in range(n_pen):
                        point[j] = coef[j] + step * direction[j]
                    trial += 0.5 * alpha * _dot(<int>n_pen, point, 1,
                                                point, 1)
                if trial <= objective - armijo * step * decrement_sq \
                        + roundoff:
                    accepted = True
                    break
                step *= 0.5
            if (accepted and halving == 0
                    and decrement_sq > expand_share * fabs(objective)):
                # the global phase: longer steps while the objective falls
                for halving in range(max_expansions):
                    longer = _objective_along(&y[0], &sample_weight[0], z,
                                              dz, 2.0 * step, C, n)
                    if alpha != 0.0:
                        for j in range(n_pen):
                            point[j] = coef[j] + 2.0 * step * direction[j]
                        longer += 0.5 * alpha * _dot(<int>n_pen, point, 1,
                                                     point, 1)
                    if not longer < trial:
                        break
                    step *= 2.0
                    trial = longer
            if not accepted:
                reason = _LINE_SEARCH_FAILED
                break
            for j in range(k1):
                coef[j] += step * direction[j]
            fresh = False
            if (trial > objective - roundoff
                    and g_max >= 0.5 * previous_gradient):
                stalls += 1
            else:
                stalls = 0
            previous_gradient = g_max
            if stalls >= patience:
                reason = _FLOAT_LIMIT
                break
        # 5. the stopping test at the returned coefficients
        if reason != _NONFINITE_HESSIAN:
            if not fresh:
                _pass_rows(
                    X, &y[0], &sample_weight[0], &coef[0], fit_intercept, C,
                    NULL, p, c_order, m_max, buf, NULL, grad, NULL, NULL,
                    NULL, NULL, NULL, NULL, 0)
                gm = 0.0
                for j in range(k1):
                    trial = grad[j] + alpha * coef[j] if j < n_pen else grad[j]
                    if fabs(trial) > gm:
                        gm = fabs(trial)
                g_max = gm / scale
            converged = g_max <= tol
    free(work)
    return (n_iter, objective, g_max, max_ridge, last_ridge, fresh,
            converged, reason)
