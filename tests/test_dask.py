"""clogit.dask.LogisticRegression: the in-memory solvers on dask arrays.

The reference is the in-memory estimator on the same data: the dask fit runs
the same solver code on kernels mapped over the chunks, so coefficients
agree to the rounding of the chunked sums (rtol 1e-8, far looser than the
~1e-15 observed) and the iteration counts are equal.
"""

import os
import subprocess
import sys

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

da = pytest.importorskip("dask.array")

import clogit  # noqa: E402
from clogit.dask import (  # noqa: E402
    LogisticRegression as DaskLogisticRegression)

RTOL = 1e-8
ATOL = 1e-12  # exact zeros of l1 fits against tiny values


@pytest.fixture(autouse=True)
def plain_lbfgs_in_memory(monkeypatch):
    """clogit.dask runs plain L-BFGS; the in-memory references here run the
    same algorithm (in memory, dense X is preconditioned: its own tests
    are tests/solvers/test_lbfgs.py), so that both give the same iterates,
    warnings and counts."""
    monkeypatch.setattr("clogit._fitting.lbfgs_preconditioned",
                        lambda data, solver: False)


def _data(n=1200, p=5, n_classes=2, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    w = rng.normal(size=p)
    score = X @ w + 0.4 + rng.logistic(size=n)
    if n_classes == 2:
        y = (score > 0).astype(np.int64)
    else:
        y = np.digitize(score, np.quantile(score, np.linspace(0, 1, n_classes
                                                              + 1)[1:-1]))
    return X, y


def _assert_same_fit(dask_fit, memory_fit):
    np.testing.assert_array_equal(dask_fit.classes_, memory_fit.classes_)
    np.testing.assert_allclose(dask_fit.coef_, memory_fit.coef_, rtol=RTOL,
                               atol=ATOL)
    np.testing.assert_allclose(dask_fit.intercept_, memory_fit.intercept_,
                               rtol=RTOL, atol=ATOL)
    np.testing.assert_array_equal(dask_fit.n_iter_, memory_fit.n_iter_)
    assert dask_fit.converged_ == memory_fit.converged_


EVEN = 300       # 1200 rows in 4 equal chunks
UNEVEN = (100, 450, 0, 7, 643)  # an empty chunk too


@pytest.mark.parametrize("chunks", [EVEN, UNEVEN], ids=["even", "uneven"])
@pytest.mark.parametrize("params", [
    {},
    {"penalty": None},
    {"C": 0.05, "fit_intercept": False},
    {"penalty": "l1", "C": 0.02},
    {"penalty": "elasticnet", "l1_ratio": 0.4, "C": 0.05},
    {"class_weight": "balanced"},
    {"class_weight": {0: 2.0, 1: 0.5}, "solver": "newton"},
], ids=lambda params: ",".join(f"{k}={v}" for k, v in params.items())
    or "default")
def test_binary_equals_in_memory(chunks, params):
    X, y = _data()
    memory_fit = clogit.LogisticRegression(**params).fit(X, y)
    dask_fit = DaskLogisticRegression(**params).fit(
        da.from_array(X, chunks=(chunks, -1)), da.from_array(y, chunks=chunks))
    _assert_same_fit(dask_fit, memory_fit)


def test_sample_weight_and_float32():
    X, y = _data(seed=1)
    weights = np.random.default_rng(1).uniform(0.0, 3.0, size=y.shape[0])
    X32 = X.astype(np.float32)
    memory_fit = clogit.LogisticRegression().fit(X32, y,
                                                 sample_weight=weights)
    dask_fit = DaskLogisticRegression().fit(
        da.from_array(X32, chunks=(UNEVEN, -1)), da.from_array(y, chunks=400),
        sample_weight=da.from_array(weights, chunks=250))
    _assert_same_fit(dask_fit, memory_fit)


@pytest.mark.parametrize("params", [
    {"multi_class": "ovr"},
    {"multi_class": "ovr", "class_weight": "balanced", "n_jobs": 2},
    {"multi_class": "ovr", "penalty": "l1", "C": 0.05},
    {},                                    # multinomial, Newton (narrow)
    {"solver": "lbfgs", "C": 0.5},         # multinomial, L-BFGS
    {"penalty": None, "solver": "newton"},
    {"class_weight": "balanced"},
    {"multi_class": "multinomial", "penalty": "l1", "C": 0.05},
    {"multi_class": "multinomial", "penalty": "elasticnet", "l1_ratio": 0.5,
     "C": 0.1, "class_weight": "balanced"},
], ids=lambda params: ",".join(f"{k}={v}" for k, v in params.items())
    or "multinomial")
def test_multiclass_equals_in_memory(params):
    X, y = _data(n_classes=3, seed=2)
    labels = np.array(["ant", "bee", "cat"])[y]
    memory_fit = clogit.LogisticRegression(**params).fit(X, labels)
    dask_fit = DaskLogisticRegression(**params).fit(
        da.from_array(X, chunks=(UNEVEN, -1)),
        da.from_array(labels, chunks=UNEVEN))
    _assert_same_fit(dask_fit, memory_fit)
    Xd = da.from_array(X, chunks=(EVEN, -1))
    np.testing.assert_allclose(dask_fit.predict_proba(Xd).compute(),
                               memory_fit.predict_proba(X), rtol=1e-7,
                               atol=1e-12)


def test_predictions_are_lazy_and_match():
    X, y = _data(n_classes=3, seed=3)
    memory_fit = clogit.LogisticRegression(multi_class="ovr").fit(X, y)
    dask_fit = DaskLogisticRegression(multi_class="ovr").fit(X, y)
    Xd = da.from_array(X, chunks=(UNEVEN, -1))
    for method in ("decision_function", "predict_proba",
                   "predict_log_proba", "predict"):
        lazy = getattr(dask_fit, method)(Xd)
        assert isinstance(lazy, da.Array)
        assert lazy.chunks[0] == Xd.chunks[0]
        expected = getattr(memory_fit, method)(X)
        if method == "predict":
            np.testing.assert_array_equal(lazy.compute(), expected)
        else:
            np.testing.assert_allclose(lazy.compute(), expected, rtol=1e-7,
                                       atol=1e-12)
    assert dask_fit.score(Xd, y) == pytest.approx(memory_fit.score(X, y))
    # binary: one column of scores
    X2, y2 = _data(seed=3)
    fit = DaskLogisticRegression().fit(X2, y2)
    assert fit.decision_function(X2).shape == (X2.shape[0],)


def test_dataframe_input():
    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    X, y = _data(seed=4)
    frame = pd.DataFrame(X, columns=[f"x{j}" for j in range(X.shape[1])])
    frame["target"] = np.array(["no", "yes"])[y]
    ddf = dd.from_pandas(frame, npartitions=3)
    features = ddf.drop(columns="target")
    memory_fit = clogit.LogisticRegression().fit(
        frame.drop(columns="target"), frame["target"])
    dask_fit = DaskLogisticRegression().fit(features, ddf["target"])
    _assert_same_fit(dask_fit, memory_fit)
    np.testing.assert_array_equal(dask_fit.feature_names_in_,
                                  memory_fit.feature_names_in_)
    predicted = dask_fit.predict(features)
    assert isinstance(predicted, da.Array)
    np.testing.assert_array_equal(predicted.compute(), memory_fit.predict(
        frame.drop(columns="target")))
    with pytest.raises(ValueError, match="feature names"):
        dask_fit.predict(features.rename(columns={"x0": "other"}))


def test_y_chunks_are_lined_up_with_X():
    X, y = _data(seed=5)
    memory_fit = clogit.LogisticRegression().fit(X, y)
    dask_fit = DaskLogisticRegression().fit(
        da.from_array(X, chunks=(EVEN, -1)), da.from_array(y, chunks=UNEVEN))
    _assert_same_fit(dask_fit, memory_fit)


def test_column_chunks_and_integer_X_are_accepted():
    X, y = _data(seed=6)
    Xi = np.round(X * 3).astype(np.int32)
    memory_fit = clogit.LogisticRegression().fit(Xi, y)
    dask_fit = DaskLogisticRegression().fit(
        da.from_array(Xi, chunks=(EVEN, 2)), y)
    _assert_same_fit(dask_fit, memory_fit)


def test_one_class_per_chunk_is_fine():
    X, y = _data(seed=7)
    order = np.argsort(y, kind="stable")  # chunks of a single class each
    memory_fit = clogit.LogisticRegression().fit(X[order], y[order])
    dask_fit = DaskLogisticRegression().fit(
        da.from_array(X[order], chunks=(100, -1)),
        da.from_array(y[order], chunks=100))
    _assert_same_fit(dask_fit, memory_fit)


def test_inference_matches_in_memory():
    X, y = _data(seed=8)
    memory_fit = clogit.LogisticRegression(penalty=None).fit(X, y)
    dask_fit = DaskLogisticRegression(penalty=None).fit(
        da.from_array(X, chunks=(UNEVEN, -1)), y)
    np.testing.assert_allclose(dask_fit.std_errors_, memory_fit.std_errors_,
                               rtol=1e-7)
    # stopped by max_iter: the Hessian is assembled once more, on the chunks
    with pytest.warns(ConvergenceWarning):
        short = DaskLogisticRegression(max_iter=2).fit(X, y)
    with pytest.warns(ConvergenceWarning):
        reference = clogit.LogisticRegression(max_iter=2).fit(X, y)
    np.testing.assert_allclose(short.std_errors_, reference.std_errors_,
                               rtol=1e-7)


def test_warm_start_and_clone():
    from sklearn.base import clone

    X, y = _data(seed=9)
    Xd = da.from_array(X, chunks=(EVEN, -1))
    fit = DaskLogisticRegression(warm_start=True, C=0.3).fit(Xd, y)
    assert fit.fit(Xd, y).n_iter_[0] == 1
    copy = clone(fit)
    assert isinstance(copy, DaskLogisticRegression)
    assert copy.get_params() == fit.get_params()


# -- bad input ------------------------------------------------------------
def test_nan_or_inf_in_a_chunk():
    X, y = _data()
    for bad in (np.nan, np.inf):
        X_bad = X.copy()
        X_bad[700, 1] = bad
        with pytest.raises(ValueError,
                           match=r"NaN or infinite.*row chunk 2 of 4 "
                                 r"\(rows 600-899\)"):
            DaskLogisticRegression().fit(
                da.from_array(X_bad, chunks=(EVEN, -1)), y)


def test_single_class():
    X, y = _data()
    with pytest.raises(ValueError, match="only one class"):
        DaskLogisticRegression().fit(da.from_array(X, chunks=(EVEN, -1)),
                                     da.zeros(y.shape[0], chunks=EVEN))


def test_lengths_that_differ():
    X, y = _data()
    with pytest.raises(ValueError, match="same length"):
        DaskLogisticRegression().fit(da.from_array(X, chunks=(EVEN, -1)),
                                     da.from_array(y[:-5], chunks=EVEN))
    with pytest.raises(ValueError, match="same length"):
        DaskLogisticRegression().fit(X, y, sample_weight=np.ones(3))


@pytest.mark.parametrize("weights, message", [
    (-1.0, "negative"), (np.inf, "NaN or infinite"), (0.0, "sums to zero")])
def test_bad_sample_weight(weights, message):
    X, y = _data()
    with pytest.raises(ValueError, match=message):
        DaskLogisticRegression().fit(X, y, sample_weight=da.full(
            y.shape[0], weights, chunks=EVEN))


def test_bad_parameters_and_shapes():
    X, y = _data()
    with pytest.raises(ValueError, match="C must be"):
        DaskLogisticRegression(C=-1).fit(X, y)
    with pytest.raises(ValueError, match="2-D"):
        DaskLogisticRegression().fit(X[:, 0], y)
    fit = DaskLogisticRegression().fit(X, y)
    with pytest.raises(ValueError, match="features"):
        fit.predict(X[:, :3])


def test_importing_clogit_does_not_import_dask():
    code = ("import sys, clogit; "
            "assert not any(m == 'dask' or m.startswith('dask.') "
            "for m in sys.modules), 'dask imported'")
    subprocess.run([sys.executable, "-c", code], check=True,
                   env=dict(os.environ))


# -- a real cluster -------------------------------------------------------
def test_local_cluster_processes():
    distributed = pytest.importorskip("distributed")
    X, y = _data(n_classes=3, seed=10)
    Xd = da.from_array(X, chunks=(UNEVEN, -1))
    references = [clogit.LogisticRegression().fit(X, y),
                  clogit.LogisticRegression(multi_class="ovr", penalty="l1",
                                            C=0.1).fit(X, y),
                  clogit.LogisticRegression(penalty=None, solver="lbfgs",
                                            multi_class="ovr").fit(X, y)]
    separable = (X[:, 0] > 0).astype(int)
    with pytest.warns(clogit.SeparationWarning) as record:
        separated = clogit.LogisticRegression(penalty=None).fit(X, separable)
    # worker processes inherit the environment, PYTHONPATH included, so
    # they import the same clogit
    # loopback only, and a free port for the dashboard: a fixed default port
    # (8787) fails when another cluster on the machine holds it
    with distributed.LocalCluster(n_workers=2, processes=True,
                                  threads_per_worker=1, host="127.0.0.1",
                                  dashboard_address="127.0.0.1:0") as cluster, \
            distributed.Client(cluster) as client:
        assert len(client.scheduler_info()["workers"]) == 2
        fits = [DaskLogisticRegression().fit(Xd, y),
                DaskLogisticRegression(multi_class="ovr", penalty="l1",
                                       C=0.1).fit(Xd, y),
                DaskLogisticRegression(penalty=None, solver="lbfgs",
                                       multi_class="ovr").fit(Xd, y)]
        proba = fits[0].predict_proba(Xd).compute()
        with pytest.warns(clogit.SeparationWarning) as dask_record:
            dask_separated = DaskLogisticRegression(penalty=None).fit(
                Xd, separable)
    for fit, reference in zip(fits[:2], references):
        _assert_same_fit(fit, reference)
    # L-BFGS's path depends on rounding: compare at its accuracy
    np.testing.assert_allclose(fits[2].coef_, references[2].coef_, atol=1e-5)
    _assert_same_fit(dask_separated, separated)
    assert ([str(w.message) for w in dask_record]
            == [str(w.message) for w in record])
    np.testing.assert_allclose(proba, references[0].predict_proba(X),
                               rtol=1e-7, atol=1e-12)


def test_threaded_cluster_batches_chunks_per_thread():
    # one worker with 10 threads: the 24 chunks go in 10 batches, one per
    # thread, and their sums up a tree of tasks (more than SPLIT_EVERY)
    distributed = pytest.importorskip("distributed")
    from clogit._backends.dask_chunks import SPLIT_EVERY, ChunkBatches
    X, y = _data(n=2400, n_classes=3, seed=11)
    Xd = da.from_array(X, chunks=(100, -1))
    references = [clogit.LogisticRegression(multi_class="ovr").fit(X, y),
                  clogit.LogisticRegression().fit(X, y)]
    # in-process (inproc:// transport): no host to give
    with distributed.LocalCluster(n_workers=1, processes=False,
                                  threads_per_worker=10,
                                  dashboard_address="127.0.0.1:0") as cluster, \
            distributed.Client(cluster):
        batches = ChunkBatches(Xd.persist()).batches
        fits = [DaskLogisticRegression(multi_class="ovr").fit(Xd, y),
                DaskLogisticRegression().fit(Xd, y)]
    assert len(batches) == 10 > SPLIT_EVERY
    assert sorted(i for batch in batches for i in batch) == list(range(24))
    assert all(len(batch) in (2, 3) for batch in batches)
    for fit, reference in zip(fits, references):
        _assert_same_fit(fit, reference)


def test_local_scheduler_runs_one_chunk_per_batch():
    from clogit._backends.dask_chunks import ChunkBatches
    X, _ = _data()
    assert ChunkBatches(da.from_array(X, chunks=(UNEVEN, -1))).batches == [
        [0], [1], [2], [3], [4]]


@pytest.mark.parametrize("penalty", ["l2", None])
def test_binary_lbfgs_equals_in_memory(penalty):
    X, y = _data()
    reference = clogit.LogisticRegression(penalty=penalty,
                                          tol=1e-12).fit(X, y)
    fit = DaskLogisticRegression(solver="lbfgs", penalty=penalty,
                                 tol=1e-8).fit(da.from_array(X, chunks=300),
                                                da.from_array(y, chunks=300))
    # L-BFGS's path depends on rounding (chunked sums), so compare with the
    # exact optimum (in-memory Newton at tol 1e-12) at L-BFGS's accuracy
    assert fit.converged_
    np.testing.assert_allclose(fit.coef_, reference.coef_, rtol=0,
                               atol=1e-7)
    np.testing.assert_allclose(fit.intercept_, reference.intercept_, rtol=0,
                               atol=1e-7)


# -- separation (unpenalized Newton), as in memory --------------------------
def _separation_cases():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((2000, 5))
    complete = X, (X[:, 0] > 0).astype(int), None
    combination = X, (X[:, 0] + X[:, 2] > 0).astype(int), None
    # quasi-complete: an indicator whose 1s are all in class 1
    indicator = (rng.random(2000) < 0.2).astype(float)
    z = X[:, :3] @ np.array([1.0, -1.0, 0.5])
    y = (rng.random(2000) < 1 / (1 + np.exp(-z))).astype(int)
    y[indicator == 1] = 1
    quasi = np.column_stack([X[:, :3], indicator]), y, None
    # separable once two mislabelled samples get weight 0
    y = (X[:, 0] > 0).astype(int)
    flipped = np.argsort(np.abs(X[:, 0]))[-2:]
    y[flipped] = 1 - y[flipped]
    weights = np.ones(len(y))
    weights[flipped] = 0.0
    weighted = X, y, weights
    # One-vs-Rest: an indicator of class 2 separates every class
    X4, y4 = _data(n=2000, n_classes=4, seed=5)
    ovr = np.column_stack([X4, (y4 == 2) * 5.0]), y4, None
    return {"complete": complete, "combination": combination,
            "quasi": quasi, "weighted": weighted, "ovr": ovr}


def _fit_in_memory_and_on_dask(params, X, y, weights):
    """Fit ``params`` in memory and on uneven dask chunks of the same data;
    returns both fits and, for each, the warnings it raised (category and
    message)."""
    import warnings
    fits, messages = [], []
    for fit in (lambda: clogit.LogisticRegression(**params).fit(
                    X, y, sample_weight=weights),
                lambda: DaskLogisticRegression(**params).fit(
                    da.from_array(X, chunks=(UNEVEN + (800,), -1)),
                    da.from_array(y, chunks=UNEVEN + (800,)),
                    sample_weight=None if weights is None else
                    da.from_array(weights, chunks=UNEVEN + (800,)))):
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            fits.append(fit())
        messages.append([(w.category, str(w.message)) for w in record])
    return fits, messages


@pytest.mark.parametrize("case", list(_separation_cases()))
def test_separation_warns_and_stops_as_in_memory(case):
    X, y, weights = _separation_cases()[case]
    (memory, dask_fit), messages = _fit_in_memory_and_on_dask(
        dict(penalty=None, multi_class="ovr"), X, y, weights)
    assert messages[0], "the in-memory fit should have found separation"
    assert all(category is clogit.SeparationWarning
               for category, _ in messages[0])
    # the same verdict, samples counted and features named, per class
    assert messages[1] == messages[0]
    _assert_same_fit(dask_fit, memory)
    assert "separation" in str(dask_fit.summary())


@pytest.mark.parametrize("solver", ["lbfgs", "gd"])
@pytest.mark.parametrize("case", ["complete", "quasi", "weighted"])
def test_first_order_separation_as_in_memory(case, solver):
    # Regression: clogit.dask's L-BFGS and gradient descent had no linear
    # program: gd said only that max_iter ran out.  Now the verdict, the
    # samples counted and the features named are those of the in-memory
    # fit.
    X, y, weights = _separation_cases()[case]
    fits, messages = _fit_in_memory_and_on_dask(
        dict(penalty=None, solver=solver), X, y, weights)
    assert not any(fitted.converged_ for fitted in fits)
    assert [c for c, _ in messages[0]] == [clogit.SeparationWarning]
    assert messages[1] == messages[0]


def test_newton_from_a_far_start_shortens_steps_as_in_memory(capsys):
    # warm-started far from the optimum, Newton's first full steps overshoot:
    # the distributed line search backtracks from its speculative pass
    X, y = _data(seed=12)
    fits = []
    for estimator, data in ((clogit.LogisticRegression, (X, y)),
                            (DaskLogisticRegression,
                             (da.from_array(X, chunks=(UNEVEN, -1)),
                              da.from_array(y, chunks=UNEVEN)))):
        clf = estimator(warm_start=True, verbose=1, tol=1e-10)
        clf.coef_ = np.full((1, X.shape[1]), 3.0)
        clf.intercept_ = np.array([3.0])
        clf.classes_ = np.array([0, 1])
        clf.n_features_in_ = X.shape[1]
        fits.append(clf.fit(*data))
        steps = [line.split("step ")[1].split()[0]
                 for line in capsys.readouterr().out.splitlines()
                 if "step " in line]
        fits.append(steps)
    memory, memory_steps, dask_fit, dask_steps = fits
    assert any(float(step) < 1.0 for step in memory_steps)
    assert dask_steps == memory_steps
    _assert_same_fit(dask_fit, memory)


@pytest.mark.parametrize("params", [
    {}, {"penalty": "l1", "C": 0.1}, {"class_weight": "balanced"},
], ids=lambda params: ",".join(f"{k}={v}" for k, v in params.items())
    or "l2")
def test_multinomial_with_empty_chunks_first(params):
    # a batch that starts with an empty chunk used to sum int64 class
    # counts with float64 ones
    X, y = _data(n_classes=3, seed=13)
    chunks = (0, 300, 0, 500, 400)
    memory_fit = clogit.LogisticRegression(multi_class="multinomial",
                                           **params).fit(X, y)
    dask_fit = DaskLogisticRegression(multi_class="multinomial",
                                      **params).fit(
        da.from_array(X, chunks=(chunks, -1)), da.from_array(y, chunks=chunks))
    _assert_same_fit(dask_fit, memory_fit)


def test_softmax_weight_sums_over_empty_chunks():
    from clogit._backends.dask_chunks import DaskSoftmaxKernels
    X, y = _data(n_classes=3, seed=14)
    chunks = (0, 600, 0, 600)
    weights = np.random.default_rng(14).uniform(0.5, 2.0, len(y))
    kernels = DaskSoftmaxKernels(
        da.from_array(X, chunks=(chunks, -1)),
        da.from_array(y.astype(np.int32), chunks=chunks),
        da.from_array(weights, chunks=chunks), 1.0, True, 3)
    total, counts = kernels.weight_sums()
    assert counts.dtype == np.float64
    np.testing.assert_allclose(total, weights.sum(), rtol=1e-14)
    np.testing.assert_allclose(counts, np.bincount(y, weights=weights),
                               rtol=1e-14)


@pytest.mark.parametrize("params", [
    {"solver": "gd", "C": 0.1},
    {"solver": "gd", "penalty": "l1", "C": 0.2},
    {"solver": "gd", "multi_class": "ovr", "class_weight": "balanced"},
], ids=lambda params: ",".join(f"{k}={v}" for k, v in params.items()))
def test_gradient_descent_equals_in_memory(params):
    # step 1/L from the distributed Hessian at zero, the same iterations
    X, y = _data(n_classes=3 if "multi_class" in params else 2, seed=15)
    params = dict(params, tol=1e-5, max_iter=5000)
    memory_fit = clogit.LogisticRegression(**params).fit(X, y)
    dask_fit = DaskLogisticRegression(**params).fit(
        da.from_array(X, chunks=(UNEVEN, -1)), da.from_array(y, chunks=UNEVEN))
    assert memory_fit.converged_
    _assert_same_fit(dask_fit, memory_fit)


@pytest.mark.parametrize("solver, advice", [("newton", "fewer features"),
                                            ("gd", "solver='lbfgs'")])
def test_dense_hessian_limit_is_a_clear_error(monkeypatch, solver, advice):
    import clogit.dask
    X, y = _data()
    # (the in-memory choice of solver reads the same limit)
    monkeypatch.setattr(clogit.dask, "NEWTON_HESSIAN_MAX_BYTES", 100)
    monkeypatch.setattr(clogit._fitting, "NEWTON_HESSIAN_MAX_BYTES", 100)
    with pytest.raises(ValueError, match=f"would exceed.*{advice}"):
        DaskLogisticRegression(solver=solver).fit(X, y)


@pytest.mark.parametrize("solver", ["newton", "lbfgs"])
def test_multinomial_separation_as_in_memory(solver):
    # iris, penalty=None: quasi-complete separation of the softmax model,
    # detected on the workers' margins as in memory (issue 13).  An L-BFGS
    # fit is confirmed by the linear program, on the rows gathered to the
    # client when the program is small enough, as in memory (it used to
    # report convergence with |coef| 30 and no warning).
    from sklearn.datasets import load_iris
    X, y = load_iris(return_X_y=True)
    with pytest.warns(clogit.SeparationWarning) as record:
        reference = clogit.LogisticRegression(penalty=None,
                                              solver=solver).fit(X, y)
    with pytest.warns(clogit.SeparationWarning) as dask_record:
        fit = DaskLogisticRegression(penalty=None, solver=solver).fit(
            da.from_array(X, chunks=(40, -1)), da.from_array(y, chunks=40))
    assert not fit.converged_
    assert str(dask_record[0].message).split(" samples")[0] == str(
        record[0].message).split(" samples")[0]
    np.testing.assert_allclose(fit.coef_, reference.coef_, rtol=1e-6,
                               atol=1e-6)


@pytest.mark.parametrize("tol", [1e-8, 2.5e-8])
@pytest.mark.parametrize("penalty", ["l2", None])
def test_many_rows_newton_reuses_a_factor_and_ends_exact(monkeypatch, tol,
                                                         penalty):
    # 80,000 rows: the Hessian schedule samples, and the dask kernels reuse
    # an exact factor for one chord step (a gradient-only pass).  At tol
    # 2.5e-8 the chord iterate passes the gradient test and gets its exact
    # Hessian in a pass of its own.  Either way the fit ends on an exact
    # Hessian pass whose factor inference uses (no inference pass), at the
    # in-memory fit's optimum with its standard errors.
    from clogit._backends.dask_chunks import DaskBinomialKernels
    X, y = _data(n=80_000, p=4, seed=6)
    passes = []
    block_pass = DaskBinomialKernels.block_pass
    inference_pass = DaskBinomialKernels.inference_pass

    def counted_block_pass(self, coef, grad, hess=None, *args, **kwargs):
        passes.append("G" if hess is None else
                      "S" if kwargs.get("hessian_stride", 1) > 1 else "E")
        return block_pass(self, coef, grad, hess, *args, **kwargs)

    def counted_inference_pass(self, *args, **kwargs):
        passes.append("I")
        return inference_pass(self, *args, **kwargs)

    monkeypatch.setattr(DaskBinomialKernels, "block_pass",
                        counted_block_pass)
    monkeypatch.setattr(DaskBinomialKernels, "inference_pass",
                        counted_inference_pass)
    dask_fit = DaskLogisticRegression(penalty=penalty, tol=tol).fit(
        da.from_array(X, chunks=(20_000, -1)), da.from_array(y, chunks=20_000))
    memory_fit = clogit.LogisticRegression(penalty=penalty, tol=tol).fit(X, y)
    sequence = "".join(passes)
    assert sequence.startswith("SSS") and "EGE" in sequence
    assert sequence.endswith("E") and "I" not in sequence
    assert ("GEE" in sequence) == (tol > 1e-8)
    assert dask_fit.converged_ and memory_fit.converged_
    np.testing.assert_allclose(dask_fit.coef_, memory_fit.coef_, rtol=1e-9)
    np.testing.assert_allclose(dask_fit.intercept_, memory_fit.intercept_,
                               rtol=1e-9)
    np.testing.assert_allclose(dask_fit.std_errors_, memory_fit.std_errors_,
                               rtol=1e-9)


# -- float32 Hessian products ----------------------------------------------
class _Precisions(list):
    """Per Hessian pass of clogit.dask over all rows, whether its products
    were float32; ``asked``: whether each (of any stride) asked for them
    with the kernels still allowing it; ``kernels``: the kernels seen."""

    def __init__(self):
        super().__init__()
        self.asked = []
        self.kernels = []


def _recording_single(monkeypatch):
    from clogit._backends.dask_chunks import DaskBinomialKernels

    original = DaskBinomialKernels.block_pass
    precisions = _Precisions()

    def recording(self, coef, grad, hess=None, z=None, columns=None,
                  residual=None, hessian_stride=1, single_hessian=False):
        asked = single_hessian and self.single_hessians
        if self not in precisions.kernels:
            precisions.kernels.append(self)
        objective = original(self, coef, grad, hess, z, columns, residual,
                             hessian_stride, single_hessian)
        if hess is not None:
            precisions.asked.append(asked)
            if hessian_stride == 1:
                precisions.append(asked and self.single_hessians)
        return objective

    monkeypatch.setattr(DaskBinomialKernels, "block_pass", recording)
    return precisions


def test_float32_hessians_reach_the_in_memory_fit(monkeypatch):
    # 60 coefficients: the Hessians before the last from float32 products
    # (the in-memory fit runs one float64 Cython loop here), the last
    # float64, so the standard errors come from the exact factor
    X, y = _data(n=6000, p=59, seed=21)
    precisions = _recording_single(monkeypatch)
    params = dict(penalty=None, tol=1e-10, solver="newton")
    dask_fit = DaskLogisticRegression(**params).fit(
        da.from_array(X, chunks=(1500, -1)), da.from_array(y, chunks=1500))
    memory_fit = clogit.LogisticRegression(**params).fit(X, y)
    assert precisions[0] and not precisions[-1]
    assert dask_fit.converged_ and memory_fit.converged_
    np.testing.assert_allclose(dask_fit.coef_, memory_fit.coef_, rtol=1e-9,
                               atol=1e-12)
    np.testing.assert_allclose(dask_fit.std_errors_, memory_fit.std_errors_,
                               rtol=1e-7)


def test_float32_hessians_fall_back_on_hostile_scales(monkeypatch):
    # a feature near 1e-25 (its float32 squares underflow to zero): float32
    # is off from the first pass, and the fit is the float64 one
    X, y = _data(n=6000, p=59, seed=22)
    X[:, 3] *= 1e-25
    precisions = _recording_single(monkeypatch)
    params = dict(tol=1e-8, solver="newton")
    fits = []
    for fit in (lambda: DaskLogisticRegression(**params).fit(
                    da.from_array(X, chunks=(1500, -1)),
                    da.from_array(y, chunks=1500)),
                lambda: clogit.LogisticRegression(**params).fit(X, y)):
        fits.append(fit())
    assert precisions and not any(precisions)
    # float32 was asked for, failed its check and was turned off for good
    # (not merely never asked for)
    assert any(precisions.asked)
    assert precisions.kernels and not any(
        kernels.single_hessians for kernels in precisions.kernels)
    assert fits[0].converged_ and fits[1].converged_
    np.testing.assert_allclose(fits[0].coef_, fits[1].coef_, rtol=1e-9,
                               atol=1e-12)


@pytest.mark.parametrize("params", [
    {"solver": "lbfgs"},
    {"solver": "gd", "max_iter": 60},
    {"solver": "lbfgs", "multi_class": "multinomial"},
], ids=lambda params: ",".join(f"{k}={v}" for k, v in params.items()))
def test_first_order_fits_do_not_claim_a_fit_the_scale_hides(params):
    # features near 1e-9: every gradient entry is near 1e-9 whatever the
    # coefficients, and the gradient test alone held at the start (zero
    # coefficients reported as converged).  The guard on the Hessian's
    # diagonal, made on the workers, keeps the fit going and reports it
    # unconverged, as in memory.  (Where the iterates go then is not
    # compared: on a problem this ill-conditioned, L-BFGS's path follows
    # the rounding of the chunked sums.)
    X, y = _data(n_classes=3 if "multi_class" in params else 2, seed=16)
    X = X * 1e-9
    params = dict(params, penalty=None)
    with pytest.warns(ConvergenceWarning,
                      match=r"sum g_j\^2 / \(2 H_jj\) <= tol"):
        memory_fit = clogit.LogisticRegression(**params).fit(X, y)
    with pytest.warns(ConvergenceWarning,
                      match=r"sum g_j\^2 / \(2 H_jj\) <= tol"):
        dask_fit = DaskLogisticRegression(**params).fit(
            da.from_array(X, chunks=(UNEVEN, -1)),
            da.from_array(y, chunks=UNEVEN))
    assert not memory_fit.converged_ and not dask_fit.converged_
    assert np.all(dask_fit.n_iter_ > 1)


def test_softmax_hessian_diagonal_equals_in_memory():
    from clogit._backends.dask_chunks import DaskSoftmaxKernels
    from clogit._backends.memory import SoftmaxKernels
    X, y = _data(n_classes=4, seed=17)
    y = y.astype(np.int32)
    s = np.random.default_rng(17).uniform(0.5, 2.0, y.shape[0])
    coef = np.random.default_rng(18).normal(size=(4, X.shape[1] + 1)) * 0.3
    memory = SoftmaxKernels(X, y, s, 0.3, True, 4).hessian_diagonal_at(coef)
    chunked = DaskSoftmaxKernels(
        da.from_array(X, chunks=(UNEVEN, -1)).persist(),
        da.from_array(y, chunks=UNEVEN).persist(),
        da.from_array(s, chunks=UNEVEN).persist(), 0.3, True,
        4).hessian_diagonal_at(coef)
    np.testing.assert_allclose(chunked, memory, rtol=1e-12)


def test_binary_hessian_diagonal_equals_in_memory():
    # the guard's curvatures, made on the workers in one pass
    from clogit._backends.dask_chunks import DaskBinomialKernels
    from clogit._backends.memory import BinomialKernels
    from clogit._solvers.stopping import hessian_diagonal
    X, y = _data(seed=19)
    y = y.astype(np.float64)
    s = np.random.default_rng(19).uniform(0.5, 2.0, y.shape[0])
    coef = np.random.default_rng(20).normal(size=X.shape[1] + 1) * 0.3
    memory = BinomialKernels(X, y, s, 0.3, True)
    z = memory.new_scores()
    memory.matvec(coef, z)
    expected = hessian_diagonal(memory, z, 0.0)
    chunked = DaskBinomialKernels(
        da.from_array(X, chunks=(UNEVEN, -1)).persist(),
        da.from_array(y, chunks=UNEVEN).persist(),
        da.from_array(s, chunks=UNEVEN).persist(), 0.3, True)
    np.testing.assert_allclose(chunked.hessian_diagonal_at(coef), expected,
                               rtol=1e-12)
    # ... and through the kernels' weights and diagonal (gd's way)
    zd, weights = chunked.new_scores(), chunked.new_scores()
    chunked.matvec(coef, zd)
    chunked.hessian_weights(zd, weights)
    two_pass = np.empty(X.shape[1] + 1)
    chunked.hessian_diagonal(weights, two_pass)
    np.testing.assert_allclose(two_pass, expected, rtol=1e-12)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_margins_of_scores_equal_in_memory(n_classes):
    # the separation monitor's margins of the scores themselves (its final
    # check), from zero scores made on the workers without reading X
    from clogit._backends.dask_chunks import (
        DaskBinomialKernels, DaskMargins, DaskSoftmaxKernels,
        DaskSoftmaxMargins)
    from clogit._backends.memory import (
        BinomialKernels, InMemoryMargins, InMemorySoftmaxMargins,
        SoftmaxKernels)
    X, y = _data(n_classes=n_classes, seed=21)
    s = np.random.default_rng(21).uniform(0.5, 2.0, y.shape[0])
    s[:50] = 0.0  # inactive samples count for neither
    dX = da.from_array(X, chunks=(UNEVEN, -1)).persist()
    dy = da.from_array(y.astype(np.float64 if n_classes == 2 else np.int32),
                       chunks=UNEVEN).persist()
    ds = da.from_array(s, chunks=UNEVEN).persist()
    rng = np.random.default_rng(22)
    if n_classes == 2:
        coef = rng.normal(size=X.shape[1] + 1)
        memory = BinomialKernels(X, y.astype(np.float64), s, 1.0, True)
        chunked = DaskBinomialKernels(dX, dy, ds, 1.0, True)
        local, remote = InMemoryMargins(X, y, s), DaskMargins(chunked)
        z, zd = memory.new_scores(), chunked.new_scores()
        memory.matvec(coef, z)
        chunked.matvec(coef, zd)
    else:
        coef = rng.normal(size=(3, X.shape[1] + 1))
        memory = SoftmaxKernels(X, y.astype(np.int32), s, 1.0, True, 3)
        chunked = DaskSoftmaxKernels(dX, dy, ds, 1.0, True, 3)
        local = InMemorySoftmaxMargins(X, y, s, 3)
        remote = DaskSoftmaxMargins(chunked)
        z, zd = memory.new_scores(), chunked.new_scores()
        memory.scores(coef, z)
        chunked.scores(coef, zd)
    best, worst, _ = local.margins_at(z)
    got_best, got_worst, record = remote.margins_at(zd)
    assert got_best == pytest.approx(best, rel=1e-12)
    assert got_worst == pytest.approx(worst, rel=1e-12)
    assert remote.count_above(record, 0.0) == local.count_above(
        local.margins_at(z)[2], 0.0)
