"""Layer 1: the compiled kernels (Cython), below everything else.

Loops over samples with typed memoryviews and the GIL released, writing into
buffers the caller allocates; every BLAS/LAPACK call goes through
:mod:`clogit._kernels.blas` (scipy's ``cython_blas``/``cython_lapack``
capsules), and the pointwise math comes from ``csrc/clogit_math.h``.

==========  ==========================================================
blas        the one BLAS/LAPACK wrapper (fused float/double, cpdef twins)
scalar      array loops over the stable scalar math (sigmoid, log1pexp)
binomial    blocked objective/gradient/Hessian pass, matvec, line search
binomial_newton
            Newton's whole iteration loop in one call, for cache-sized
            dense problems (the bodies of ``binomial`` and ``blas``)
softmax     the multinomial (softmax) twins of ``binomial``
cd          coordinate descent on a quadratic model (proximal Newton)
sparse      CSR/CSC twins of ``binomial`` and ``softmax``
quadratic   row quadratic forms x S x^T by blocks (prediction variances,
            Firth's leverages), dense and CSR
compressed  structure checks of CSR/CSC input before a kernel reads it
==========  ==========================================================

``_cyutility`` holds no code of clogit's: it is Cython's runtime utility code
(memoryviews, fused-type dispatch), generated and compiled once by setup.py
and imported by every module above when it is loaded.

Nothing here validates input: the Python layers above check shapes, dtypes
and layouts first (``clogit._validation``).
"""
