"""Layer 2: where a pass over the data runs.

``memory``       row chunks of in-memory X (dense, CSR, CSC) in threads
``row_forms``    row quadratic forms (prediction variances, Firth's
                 leverages) of in-memory X, row chunks in threads
``dask_chunks``  the same kernels on the row chunks of dask arrays
``threads``      the kernel pool, BLAS thread limits, One-vs-Rest threads
``protocol``     the pass protocol both implement and the solvers receive

Both backends call the compiled kernels of :mod:`clogit._kernels` and nothing
above this layer.
"""
