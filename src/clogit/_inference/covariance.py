"""Covariance types: the classical (inverse Hessian), heteroscedasticity
robust (sandwich) and cluster-robust covariances of a fitted model.

What is computed
----------------
With ``H`` the Hessian of the fitted objective (the penalized Hessian for
l2) and ``g_i`` the per-sample scores of the log-likelihood (``(y_i - p_i)
xt_i`` for the binary model, ``(y_i - p_i) (x) xt_i`` for the softmax), the
covariance of the coefficients is

* ``"nonrobust"``: ``H^-1``;
* ``"HC0"``-``"HC3"``: the sandwich ``H^-1 M H^-1`` with the meat
  ``M = sum_i s_i g_i g_i^T``.  These are statsmodels' conventions for
  ``Logit`` / ``MNLogit`` (``Logit.fit(cov_type="HC1")``): statsmodels
  computes every ``HCx`` of a discrete model by ``cov_white_simple(...,
  use_correction=False)``, so HC1, HC2 and HC3 equal HC0 there -- no
  ``n / (n - k)`` factor and no leverage adjustment -- and clogit gives the
  same figures under the same names;
* ``"cluster"``: ``c H^-1 M_G H^-1`` with ``M_G = sum_g S_g S_g^T``, ``S_g
  = sum_{i in g} s_i g_i`` the score sum of cluster g, and statsmodels'
  default small-sample factor ``c = G / (G - 1) * (N - 1) / (N - k)``
  (CRV1; G clusters, N observations, k coefficients).

Sample weights are frequency weights: a weight of 2 counts a row twice, so
the meat weighs ``g_i g_i^T`` by ``s_i`` (not ``s_i^2``), cluster sums add
``s_i g_i``, and ``N = sum(s)``; every figure equals that of the data with
the rows repeated.  statsmodels' experimental ``freq_weights`` handling
(``_get_sandwich_arrays``) makes the same choices.

The meat and the cluster sums come from the kernels in the same pass as
the Hessian (``_binomial.block_pass``, ``_softmax.softmax_pass`` and their
sparse twins: one more blocked dsyrk, no n x p copy); this module only
combines p x p matrices.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._kernels.blas import cho_inverse, cholesky, syrk

COV_TYPES = ("nonrobust", "HC0", "HC1", "HC2", "HC3", "cluster")

# statsmodels' wording (statsmodels.base.covtype.descriptions), for the
# summary's notes
DESCRIPTIONS = {
    "HC0": "Standard Errors are heteroscedasticity robust (HC0)",
    "HC1": "Standard Errors are heteroscedasticity robust (HC1)",
    "HC2": "Standard Errors are heteroscedasticity robust (HC2)",
    "HC3": "Standard Errors are heteroscedasticity robust (HC3)",
    "cluster": "Standard Errors are robust to cluster correlation (cluster)",
}


def check_cov_type(cov_type):
    """``cov_type`` if it is one of :data:`COV_TYPES`, else ValueError."""
    if not isinstance(cov_type, str) or cov_type not in COV_TYPES:
        raise ValueError(
            f"cov_type must be one of {', '.join(map(repr, COV_TYPES))}, got "
            f"{cov_type!r}.")
    return cov_type


@dataclass(frozen=True)
class Clusters:
    """Cluster labels of a fit's rows, encoded for the kernels.

    Attributes
    ----------
    codes : ndarray of shape (n_samples,), int32
        Index of each row's cluster in ``labels``.
    labels : ndarray
        The distinct cluster labels, sorted.
    n_groups : int
        Clusters holding at least one row of positive weight (the ``G`` of
        the small-sample factor: a cluster of zero-weight rows does not
        exist in the data the weights describe).
    """

    codes: np.ndarray
    labels: np.ndarray
    n_groups: int


def groups_wanted(groups, cov_type):
    """Whether ``fit``'s ``groups`` are the clusters to encode: ValueError
    for groups with another ``cov_type``, or none for "cluster"."""
    if cov_type != "cluster":
        if groups is not None:
            raise ValueError(
                "groups are the clusters of cov_type='cluster'; got groups "
                f"with cov_type={cov_type!r}. Set cov_type='cluster' or "
                "leave groups out.")
        return False
    if groups is None:
        raise ValueError("cov_type='cluster' needs the cluster of every "
                         "sample: fit(X, y, groups=...).")
    return True


def check_clusters(active):
    """ValueError unless there are at least 2 clusters (of positive
    weight)."""
    if active < 2:
        raise ValueError(
            f"cov_type='cluster' needs at least 2 clusters, got {active} "
            "(among the samples of positive weight).")


def check_groups(groups, n_samples, sample_weight, cov_type):
    """Validate ``fit``'s ``groups`` against ``cov_type``.

    Returns
    -------
    Clusters or None
        None when ``cov_type`` is not "cluster" (then ``groups`` must be
        None).

    Raises
    ------
    ValueError
        Groups given for another covariance, missing for "cluster", of the
        wrong length, holding missing values, or fewer than 2 clusters.
    """
    if not groups_wanted(groups, cov_type):
        return None
    values = np.asarray(groups)
    if values.ndim != 1:
        raise ValueError(
            f"groups must be 1-D (one cluster label per sample), got an "
            f"array of shape {values.shape}.")
    if values.shape[0] != n_samples:
        raise ValueError(
            f"groups has {values.shape[0]} entries but X has {n_samples} "
            "samples.")
    if values.dtype.kind == "f" and not np.all(np.isfinite(values)):
        raise ValueError("groups contains NaN or infinite labels.")
    if values.dtype.kind == "O":
        if any(v is None or (isinstance(v, float) and not np.isfinite(v))
               for v in values.tolist()):
            raise ValueError("groups contains missing labels (None/NaN).")
    try:
        labels, codes = np.unique(values, return_inverse=True)
    except TypeError:
        raise ValueError("groups labels must be mutually comparable (all "
                         "numbers or all strings).") from None
    active = np.unique(codes[np.asarray(sample_weight) > 0]).shape[0]
    check_clusters(active)
    return Clusters(codes=codes.astype(np.int32, copy=False).ravel(),
                    labels=labels, n_groups=int(active))


# A Hessian is singular to rounding when some coefficient's variance
# inflation ``H_jj (H^-1)_jj`` (for a Hessian of the log-likelihood: 1 /
# (1 - R_j^2), R_j the weighted correlation of column j with the others)
# exceeds this: R_j^2 within a hundred ulps of 1, the column a combination
# of the others up to rounding.  Cholesky alone cannot tell: on an exactly
# collinear Hessian it fails or succeeds by the rounding of the last pivot,
# and a success gives standard errors of 1e7 where the covariance does not
# exist (two copies of a column in a 500-row fit).
SINGULAR_INFLATION = 0.01 / np.finfo(np.float64).eps


def nan_if_singular(inverse, diagonal):
    """``inverse`` (of a symmetric matrix whose diagonal is ``diagonal``),
    set to all NaN in place when the matrix is singular to rounding (see
    ``SINGULAR_INFLATION``); returns it."""
    inflation = np.asarray(diagonal) * np.diagonal(inverse)
    if not np.all(inflation <= SINGULAR_INFLATION):
        inverse[...] = np.nan
    return inverse


def inverse_or_nan(matrix):
    """The inverse of a symmetric matrix by Cholesky, or all NaN when it is
    not positive definite or singular to rounding (collinear or constant
    features: then the Wald covariance does not exist, and NaN says so
    where a pseudo-inverse would look like an answer)."""
    inverse = np.array(matrix, dtype=np.float64, order="F", copy=True)
    if not np.all(np.isfinite(inverse)) or cholesky(inverse) != 0:
        inverse[...] = np.nan
        return inverse
    cho_inverse(inverse)
    return nan_if_singular(inverse, np.diagonal(matrix))


def inverse_from_factor(factor):
    """The inverse of ``L L^T`` from its lower Cholesky factor ``L``, or
    all NaN when ``L L^T`` is singular to rounding."""
    L = np.tril(factor)
    diagonal = np.einsum("ij,ij->i", L, L)  # diag(L L^T)
    inverse = np.array(factor, order="F", copy=True)
    cho_inverse(inverse)
    return nan_if_singular(inverse, diagonal)


def sandwich(bread, meat):
    """``bread @ meat @ bread`` for symmetric ``bread`` and ``meat``,
    symmetrized (exactly symmetric, as a covariance must be)."""
    cov = bread @ meat @ bread
    return 0.5 * (cov + cov.T)


def cluster_meat(group_scores):
    """``sum_g S_g S_g^T`` from the (G x k) cluster score sums, by one
    dsyrk."""
    group_scores = np.ascontiguousarray(group_scores, dtype=np.float64)
    k = group_scores.shape[1]
    meat = np.zeros((k, k), order="F")
    syrk(1.0, group_scores, 0.0, meat)
    return meat


def cluster_correction(n_groups, nobs, n_params):
    """statsmodels' default small-sample factor of the cluster-robust
    covariance (``sandwich_covariance.cov_cluster``, CRV1):
    ``G / (G - 1) * (N - 1) / (N - k)``."""
    return (n_groups / (n_groups - 1.0)) * ((nobs - 1.0) / (nobs - n_params))
