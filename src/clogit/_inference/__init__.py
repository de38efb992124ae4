"""Layer 4: statistics of a fitted model.

``covariance``   covariance types (classical, HC0-HC3, cluster) and the
                 sandwich arithmetic
``binary``       what inference keeps of each binary problem (the factor or
                 Hessian, the meat, log-likelihoods, a way back to the data)
                 and its Wald figures
``multinomial``  the same for a softmax fit, in statsmodels' ``MNLogit``
                 parametrization (contrasts with the first class)
``results``      results objects with statsmodels' names (``LogitResults``,
                 ``MNLogitResults``)
``accessors``    the estimator's inference attributes (``InferenceMixin``)
``summary``      the statsmodels-style table (text, HTML, LaTeX)

It reads the fitted problems' kernels (``inference_pass``: one pass when a
solver left no factor or a robust covariance needs its meat) and the
compiled BLAS wrappers; nothing above this layer.
"""
