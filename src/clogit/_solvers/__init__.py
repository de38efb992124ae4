"""Layer 3: the solvers, readable as algorithms.

Every solver receives the data as kernels (the pass protocol of
:mod:`clogit._backends.protocol`), never X itself, so the same code runs in
memory and on dask chunks.

``start``             starting points and the stopping test's scale
``newton``            Newton-Raphson, Cholesky with a ridge fallback
``newton_cg``         truncated Newton on Hessian-vector products
``prox_newton``       proximal Newton for l1 / elastic net (working set)
``lbfgs``             scipy's L-BFGS-B on the kernels' objective
``gd``                (proximal) gradient descent with the step 1/L
``multinomial``       softmax Newton and L-BFGS
``prox_multinomial``  softmax proximal Newton
``linesearch``        Armijo backtracking on cached scores
``separation``        the monitor that stops diverging unpenalized fits
``result``            what a solver returns; the ConvergenceWarning
"""
