"""Layer 4: statistics of a fitted model.

``binary``     what inference keeps of each binary problem (the factor or
               Hessian, log-likelihoods) and the Wald figures from it
``accessors``  the estimator's inference attributes (``InferenceMixin``)
``summary``    the statsmodels-style table

It reads the fitted problems' kernels (one Hessian pass when a solver left
no factor) and the compiled BLAS wrappers; nothing above this layer.
"""
