"""The one stopping test of every solver (SPEC §3, ``converged_``).

A fit has converged when, at the coefficients it returns,

    max |grad f| / (C * sum(s)) <= tol,

f the objective ``C * sum(s * loss) + R(w)``, the gradient taken over every
coefficient, the intercept(s) included (C = 1 for no penalty).  For ℓ1 and
elastic net, where f is not differentiable at zero coefficients, ``grad f``
is the minimum-norm subgradient (the largest violation of the optimality
conditions); for the multinomial model all K classes count, also the one a
solver pins as its reference.

Every solver checks this test itself, on its own figures, before it sets
``converged``: a solver may stop for another reason (scipy's L-BFGS-B on its
``ftol`` test, a failed line search, ``max_iter``), but what it reports is
the test at the point it returns -- evaluated again there (one more pass
over X) when the last evaluation was at an earlier iterate.  The helpers
below are that extra evaluation.
"""

from __future__ import annotations

import numpy as np

#: The test of smooth objectives (penalty "l2" or None).
GRADIENT_TEST = "max|gradient| / (C * sum(sample_weight)) <= tol"
#: ... and of preconditioned L-BFGS, with its scale-free guard (the figure
#: reported is the larger of the two; see ``_solvers.lbfgs``).
PRECONDITIONED_TEST = (GRADIENT_TEST + " and g.H^-1.g / 2 <= tol (H: the "
                       "preconditioner's Hessian)")
#: ... and of plain L-BFGS and gradient descent, with the guard
#: on the Hessian's diagonal (g: the (minimum-norm sub)gradient).
DIAGONAL_GUARD = " and sum g_j^2 / (2 H_jj) <= tol (H: the Hessian)"
DIAGONAL_TEST = GRADIENT_TEST + DIAGONAL_GUARD
#: The test of ℓ1 / elastic-net objectives.
SUBGRADIENT_TEST = ("max|minimum-norm subgradient| / (C * sum(sample_weight))"
                    " <= tol")


def test_name(l1):
    """The test's statement for a penalty with ℓ1 strength ``l1``."""
    return SUBGRADIENT_TEST if l1 else GRADIENT_TEST


def hessian_diagonal(kernels, scores, l2):
    """The diagonal of the Hessian of ``data + l2/2 |w|^2`` at ``scores``
    (binary kernels with ``hessian_diagonal``; one pass over X), floored
    at the smallest normal float: the curvatures of the guard
    ``DIAGONAL_GUARD``."""
    weights = kernels.new_scores()
    kernels.hessian_weights(scores, weights)
    d = np.empty(kernels.n_features + (1 if kernels.fit_intercept else 0))
    kernels.hessian_diagonal(weights, d)
    d[:kernels.n_features] += l2
    return np.maximum(d, np.finfo(np.float64).tiny)


def kkt_violation(grad, w, l1, l2):
    """Per-coefficient magnitude of the minimum-norm subgradient of
    ``data + l1 |w|_1 + l2/2 |w|^2``, ``grad`` the data term's gradient.

    For w_j != 0 it is ``|grad_j + l1 sign(w_j) + l2 w_j|``; for w_j == 0
    ``max(|grad_j| - l1, 0)`` (the subdifferential's point nearest 0).
    """
    g = grad + l2 * w
    return np.where(w != 0.0, np.abs(g + l1 * np.sign(w)),
                    np.maximum(np.abs(g) - l1, 0.0))


def penalized_measure(grad, w, unpenalized, l1, l2):
    """``max |grad f|`` (unscaled) from the data term's gradient ``grad`` of
    the penalized coefficients ``w`` and the gradient ``unpenalized`` of the
    rest (intercepts)."""
    if l1:
        penalized = kkt_violation(grad, w, l1, l2)
    else:
        penalized = np.abs(grad + l2 * w)
    return max(float(np.max(penalized, initial=0.0)),
               float(np.max(np.abs(unpenalized), initial=0.0)))


def binary_measure(kernels, coef, l1, l2, scale):
    """The test's figure of a binary problem at ``coef`` (intercept last):
    one pass over X."""
    n_features = kernels.n_features
    grad = np.empty(coef.shape[0])
    kernels.block_pass(coef, grad)
    return penalized_measure(grad[:n_features], coef[:n_features],
                             grad[n_features:], l1, l2) / scale


def softmax_measure(kernels, coef, l1, l2, scale):
    """The test's figure of a multinomial problem at ``coef`` (K x k1, the
    intercepts last), over all K classes: one pass over X."""
    n_features = kernels.n_features
    grad = np.empty(coef.shape)
    kernels.softmax_pass(np.ascontiguousarray(coef), grad)
    return penalized_measure(grad[:, :n_features].ravel(),
                             coef[:, :n_features].ravel(),
                             grad[:, n_features:].ravel(), l1, l2) / scale
