"""Structure checks of CSR / CSC matrices, before any kernel reads them.

scipy caches whether a matrix is in canonical format and only checks the
ends of ``indptr``: a matrix whose ``indptr`` or ``indices`` were changed in
place afterwards still claims to be valid, and the sparse kernels (which
index ``data`` through ``indptr`` without bounds checks) would read out of
bounds or silently use the wrong rows.  :func:`check_compressed` verifies
the whole structure in one pass over ``indptr`` and ``indices``, without the
GIL and without allocating, so valid input costs one read of its index
arrays and is never copied.
"""

from libc.stdint cimport int32_t, int64_t

# Fused over scipy's two index dtypes; indices and indptr share one.
ctypedef fused index_t:
    int32_t
    int64_t


def check_compressed(const index_t[::1] indices, const index_t[::1] indptr,
                     Py_ssize_t n_minor):
    """The state of a compressed sparse structure.

    Returns
    -------
    int
        0: valid and canonical (indices strictly increasing within every
        row of a CSR matrix / column of a CSC matrix); 1: valid but not
        canonical (unsorted or duplicate indices); -1: ``indptr`` does not
        start at 0, decreases, or ends beyond ``indices``; -2: an index is
        outside ``[0, n_minor)``.
    """
    cdef Py_ssize_t n_major = indptr.shape[0] - 1
    cdef Py_ssize_t nnz = indices.shape[0]
    cdef Py_ssize_t i, k, start, stop
    cdef index_t index, previous
    cdef int state = 0
    if n_major < 0:
        return -1
    with nogil:
        if indptr[0] != 0 or indptr[n_major] > nnz:
            state = -1
        else:
            for i in range(n_major):
                start = indptr[i]
                stop = indptr[i + 1]
                if stop < start or stop > nnz:
                    state = -1
                    break
                previous = -1
                for k in range(start, stop):
                    index = indices[k]
                    if index < 0 or index >= n_minor:
                        state = -2
                        break
                    if index <= previous:
                        state = 1
                    previous = index
                if state < 0:
                    break
    return state
