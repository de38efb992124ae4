"""Inference of clogit.dask's estimator: robust and cluster covariances
(the meat and the cluster score sums summed over the chunks on the
workers) and the Hessian pass of solvers that leave none, equal to the
in-memory estimator's."""

import numpy as np
import pytest

da = pytest.importorskip("dask.array")

import clogit  # noqa: E402
from clogit.dask import LogisticRegression as DaskLogisticRegression  # noqa: E402,E501
from _data import synthetic_binary, synthetic_multiclass  # noqa: E402

CHUNKS = (100, 250, 0, 50)  # an empty chunk too


@pytest.mark.parametrize("cov_type", ["HC0", "cluster"])
@pytest.mark.parametrize("kind", ["binary", "multinomial", "ovr"])
def test_robust_covariances_equal_in_memory(cov_type, kind):
    if kind == "binary":
        X, y = synthetic_binary(n=400, p=3)
    else:
        X, y = synthetic_multiclass(n=400, p=3, n_classes=3)
    groups = np.array([f"g{i % 13}" for i in range(400)])
    s = np.random.default_rng(1).uniform(0.5, 2.0, 400)
    params = dict(penalty=None, tol=1e-10, cov_type=cov_type,
                  multi_class="ovr" if kind == "ovr" else "auto")
    g = groups if cov_type == "cluster" else None
    memory = clogit.LogisticRegression(**params).fit(X, y, s, groups=g)
    dask_fit = DaskLogisticRegression(**params).fit(
        da.from_array(X, chunks=(CHUNKS, -1)), y, s,
        groups=None if g is None else da.from_array(g, chunks=(CHUNKS,)))
    np.testing.assert_allclose(dask_fit.covariance_, memory.covariance_,
                               rtol=1e-8, atol=1e-14)
    assert str(dask_fit.summary()).count(cov_type) >= 1


def test_solvers_without_a_factor_assemble_the_hessian_at_fit():
    X, y = synthetic_binary(n=400, p=3)
    params = dict(solver="lbfgs", tol=1e-10)
    memory = clogit.LogisticRegression(**params).fit(X, y)
    dask_fit = DaskLogisticRegression(**params).fit(
        da.from_array(X, chunks=(CHUNKS, -1)), y)
    # computed during fit: the fitted model holds no reference to the data
    fit = dask_fit._inference_fits[0]
    assert fit.hessian is not None and fit.source is None
    np.testing.assert_allclose(dask_fit.std_errors_, memory.std_errors_,
                               rtol=1e-7)


@pytest.mark.parametrize("cov_type, groups, message", [
    ("nonrobust", np.zeros(400), "groups are the clusters"),
    ("cluster", None, "needs the cluster"),
    ("cluster", np.zeros(400), "at least 2 clusters"),
    ("cluster", np.r_[np.arange(399.0), np.nan], "missing"),
    ("cluster", np.arange(300), "same length"),
])
def test_bad_groups(cov_type, groups, message):
    X, y = synthetic_binary(n=400, p=3)
    with pytest.raises(ValueError, match=message):
        DaskLogisticRegression(cov_type=cov_type).fit(
            da.from_array(X, chunks=(CHUNKS, -1)), y, groups=groups)


def test_predictions_of_a_dask_fit_and_what_needs_the_data():
    X, y = synthetic_binary(n=2000, p=4, seed=3)
    dask_fit = DaskLogisticRegression(penalty=None, tol=1e-10).fit(
        da.from_array(X, chunks=500), da.from_array(y, chunks=500))
    memory_fit = clogit.LogisticRegression(penalty=None, tol=1e-10).fit(X, y)
    got = dask_fit.results_.get_prediction(X[:50])
    expected = memory_fit.results_.get_prediction(X[:50])
    np.testing.assert_allclose(got.se, expected.se, rtol=1e-8)
    np.testing.assert_allclose(got.conf_int(), expected.conf_int(),
                               rtol=1e-8)
    # the training rows live on the workers: figures that read them say so
    with pytest.raises(ValueError, match="fitted on dask arrays"):
        dask_fit.results_.get_margeff()
    with pytest.raises(ValueError, match="fitted on dask arrays"):
        dask_fit.results_.resid_pearson
