"""Row quadratic forms of in-memory X, row chunks in threads.

The passes of :mod:`clogit._kernels.quadratic` run as the other in-memory
passes do (:mod:`clogit._backends.memory`): the rows of X split into the
chunks of :func:`~clogit._backends.memory.row_chunks`, one task per chunk
on the shared kernel pool with the GIL released, each writing its own rows
of the per-row outputs (and its own partial sum of Firth's score term,
summed in chunk order).  Dense X goes to the dense kernels as it is (C or
F order, float32 or float64); CSR X by row slices of ``indptr``; a CSC
matrix, whose rows are scattered over its columns, is converted to CSR
once per call (a copy of its nonzeros, never a dense copy).

BLAS runs single-threaded inside (:func:`single_threaded_blas`): each call
works on a cache-sized block, where BLAS's own threads only cost.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .._kernels import quadratic as _quadratic
from .memory import row_chunks
from .threads import map_shared, single_threaded_blas

__all__ = ["FirthPasses", "equation_forms", "firth_leverages",
           "quadratic_forms"]


def _rows_of(X):
    """X as the kernels read it: dense as it is, sparse as CSR."""
    if sp.issparse(X) and X.format != "csr":
        return sp.csr_matrix(X)
    return X


def _lower(factor):
    """The factor as the kernels take it: float64, F order, zeros above
    the diagonal (the dgemm of the equation forms reads it whole)."""
    return np.asfortranarray(np.tril(np.asarray(factor, dtype=np.float64)))


def _on_chunks(X, width, task):
    """``task(rows, kernel, args)`` on every row chunk of X in the kernel
    pool, ``kernel`` the dense or CSR flavour and ``args`` the leading
    arguments that select the chunk's rows; returns the results in chunk
    order."""
    chunks = row_chunks(X, width)
    if sp.issparse(X):
        def run(rows):
            args = (X.data, X.indices, X.indptr[rows.start:rows.stop + 1],
                    X.shape[1])
            return task(rows, "csr_", args)
    else:
        def run(rows):
            return task(rows, "", (X[rows],))
    with single_threaded_blas():
        if len(chunks) == 1:
            return [run(chunks[0])]
        return map_shared(run, chunks)


def quadratic_forms(X, fit_intercept, factor, *, solve=False, coef=None):
    """Per-row ``q_i = xt_i S xt_i^T`` and, with ``coef``, the linear
    predictor ``xt_i . coef``, in one read of X.

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n, p)
        Validated (``_validation.as_blas_matrix``).
    fit_intercept : bool
        Whether ``xt_i`` ends with a 1.
    factor : ndarray of shape (k1, k1)
        Lower-triangular: ``S = factor @ factor.T``, or with ``solve``
        ``S = (factor @ factor.T)^-1``.
    coef : ndarray of shape (k1,), optional

    Returns
    -------
    q : ndarray of shape (n,)
    eta : ndarray of shape (n,) or None
    """
    X = _rows_of(X)
    n = X.shape[0]
    q = np.empty(n)
    eta = None if coef is None else np.empty(n)
    factor = _lower(factor)
    coef = None if coef is None else np.ascontiguousarray(coef, np.float64)

    def task(rows, flavour, args):
        kernel = getattr(_quadratic, f"{flavour}row_quadratic_forms")
        kernel(*args, fit_intercept, factor, q[rows], solve=solve,
               coef=coef, eta_out=None if eta is None else eta[rows])

    _on_chunks(X, factor.shape[0], task)
    return q, eta


def equation_forms(X, fit_intercept, factor, n_equations):
    """Per-row ``Q_i[j, l] = xt_i S_jl xt_i^T`` for ``n_equations`` stacked
    coefficient vectors, ``S = factor @ factor.T`` (equation-major, each
    equation's coefficients in X's column order, the intercept last).

    Returns
    -------
    ndarray of shape (n, n_equations, n_equations)
    """
    X = _rows_of(X)
    out = np.empty((X.shape[0], n_equations, n_equations))
    factor = _lower(factor)

    def task(rows, flavour, args):
        kernel = getattr(_quadratic, f"{flavour}row_block_quadratic_forms")
        kernel(*args, fit_intercept, factor, n_equations, out[rows])

    _on_chunks(X, factor.shape[0], task)
    return out


def firth_leverages(X, sample_weight, z, fit_intercept, C, factor):
    """The leverages of Firth's method and its score term at the scores
    ``z`` (see ``_kernels.quadratic.firth_leverage_pass``).  A solver
    calling this every iteration passes CSR or dense X (a CSC matrix would
    be converted on every call).

    Returns
    -------
    hat : ndarray of shape (n,)
        ``C s_i p_i (1 - p_i) xt_i I^-1 xt_i^T``, ``I = factor factor^T``.
    score : ndarray of shape (k1,)
        ``X~^T (hat (1/2 - p))``.
    """
    X = _rows_of(X)
    hat = np.empty(X.shape[0])
    factor = _lower(factor)
    k1 = factor.shape[0]

    def task(rows, flavour, args):
        kernel = getattr(_quadratic, f"{flavour}firth_leverage_pass")
        score = np.empty(k1)
        kernel(*args, sample_weight[rows], z[rows], fit_intercept, C, factor,
               hat[rows], score)
        return score

    parts = _on_chunks(X, k1, task)
    score = parts[0]
    for part in parts[1:]:
        score += part
    return hat, score


class FirthPasses:
    """The passes Firth's method needs (``_solvers.firth.firth_binary``):
    those of in-memory binomial kernels, and the leverage pass over the
    same data.

    Parameters
    ----------
    kernels : BinomialKernels
        The problem's kernels; every other member is theirs.  A CSC X is
        converted to CSR here, once per fit (the leverage pass reads rows).
    """

    def __init__(self, kernels):
        self.kernels = kernels
        self._rows = _rows_of(kernels.X)

    def __getattr__(self, name):
        return getattr(self.kernels, name)

    def leverage_pass(self, z, factor):
        """``(hat, score_term)`` at the scores ``z`` with the Cholesky
        factor of the Fisher information (see :func:`firth_leverages`)."""
        k = self.kernels
        return firth_leverages(self._rows, k.sample_weight, z,
                               k.fit_intercept, k.C, factor)

