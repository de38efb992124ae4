"""Row-parallel evaluation of the binomial kernels for one fit.

Why not just BLAS threads: the kernels call BLAS on cache-sized blocks, where
OpenBLAS's threads spend more time waking and spinning than computing, and
on a loaded machine (or with One-vs-Rest classes in threads) they fight
for the cores — measured here on 2 cores with another process busy, a
100,000 x 200 Newton fit took 1.06 s with one BLAS thread and 11.1 s with
two.  So a fit runs BLAS single-threaded and splits the *rows* of X into a
fixed number of contiguous chunks instead, each handled by one thread of a
shared pool with the GIL released (the kernels are ``nogil``); partial
objectives, gradients and Hessians are summed in chunk order.  The number of
chunks depends only on the problem's size and the machine's cores, so a
given fit is deterministic, whatever else runs in parallel.
"""

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import numpy as np

from . import _binomial

# Below this many elements of X per chunk, one thread does the whole pass:
# handing work to the pool and reducing a (p+1)^2 Hessian cost more than the
# pass itself.
_MIN_ELEMENTS_PER_CHUNK = 500_000
_MIN_ROWS_PER_CHUNK = 256

_lock = threading.Lock()
_executor = None
_controller = None


def available_cores():
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _pool():
    global _executor
    with _lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(
                max_workers=available_cores(),
                thread_name_prefix="clogit-kernel")
        return _executor


@contextmanager
def single_threaded_blas():
    """Limit BLAS to one thread for the duration (see module docstring)."""
    global _controller
    from threadpoolctl import ThreadpoolController

    with _lock:
        if _controller is None:
            _controller = ThreadpoolController()
    with _controller.limit(limits=1, user_api="blas"):
        yield


def chunk_bounds(n_samples, n_features):
    """Row boundaries of the chunks for an n_samples x n_features X."""
    n_chunks = min(available_cores(),
                   n_samples * max(n_features, 1) // _MIN_ELEMENTS_PER_CHUNK,
                   n_samples // _MIN_ROWS_PER_CHUNK)
    n_chunks = max(int(n_chunks), 1)
    return np.linspace(0, n_samples, n_chunks + 1).astype(np.intp)


class BinomialKernels:
    """The kernels of ``_binomial`` bound to one fit's data, row-parallel.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        C- or F-contiguous, float64 or float32.
    y : ndarray of shape (n_samples,)
        Labels in {0, 1}, float64.
    sample_weight : ndarray of shape (n_samples,)
        float64 weights.
    C : float
        Weight of the data term.
    fit_intercept : bool
        Whether coefficient vectors end with an intercept.
    """

    def __init__(self, X, y, sample_weight, C, fit_intercept):
        self.X = X
        self.y = y
        self.sample_weight = sample_weight
        self.C = C
        self.fit_intercept = fit_intercept
        self.n_samples, self.n_features = X.shape
        self.bounds = chunk_bounds(*X.shape)
        self.chunks = [slice(a, b) for a, b in zip(self.bounds[:-1],
                                                   self.bounds[1:])]

    def _map(self, task):
        if len(self.chunks) == 1:
            return [task(self.chunks[0])]
        return list(_pool().map(task, self.chunks))

    def block_pass(self, coef, grad, hess=None, z=None, columns=None,
                   residual=None):
        """Data objective; fills grad (and hess, z, residual if given).

        See :func:`clogit._binomial.block_pass`.
        """
        if len(self.chunks) == 1:
            return _binomial.block_pass(
                self.X, self.y, self.sample_weight, coef, self.fit_intercept,
                self.C, grad, hess, z, 0, columns, residual)

        def task(rows):
            g = np.empty_like(grad)
            h = None if hess is None else np.empty_like(hess, order="F")
            obj = _binomial.block_pass(
                self.X[rows], self.y[rows], self.sample_weight[rows], coef,
                self.fit_intercept, self.C, g, h,
                None if z is None else z[rows], 0, columns,
                None if residual is None else residual[rows])
            return obj, g, h

        parts = self._map(task)
        grad[:] = parts[0][1]
        if hess is not None:
            hess[...] = parts[0][2]
        for _, g, h in parts[1:]:
            grad += g
            if hess is not None:
                hess += h
        return float(sum(part[0] for part in parts))

    def matvec(self, coef, out, columns=None):
        """``out = X @ coef`` (+ intercept); see ``_binomial.matvec``."""
        def task(rows):
            _binomial.matvec(self.X[rows], coef, self.fit_intercept,
                             out[rows], columns)
        self._map(task)

    def rmatvec(self, r, out):
        """``out = X.T @ r``; see ``_binomial.rmatvec``."""
        if len(self.chunks) == 1:
            _binomial.rmatvec(self.X, r, out)
            return

        def task(rows):
            part = np.empty_like(out)
            _binomial.rmatvec(self.X[rows], r[rows], part)
            return part

        parts = self._map(task)
        out[:] = parts[0]
        for part in parts[1:]:
            out += part

    def objective_along(self, z, dz, step):
        """Data objective at ``z + step * dz`` (never reads X)."""
        return _binomial.objective_along(self.y, self.sample_weight, z, dz,
                                         step, self.C)
