"""clogit.regularization_path and clogit.l1_min_c against independent
tight fits of clogit.LogisticRegression (objective to 1e-9 relative, same
zeros) and the KKT boundary of the zero solution."""

import numpy as np
import pytest
import scipy.sparse as sp

import clogit

from _data import synthetic_binary, synthetic_multiclass

TIGHT = 1e-10
PENALTIES = [("l1", None), ("l2", None), ("elasticnet", 0.4)]


def objective(X, y, s, coef, intercept, C, penalty, l1_ratio):
    """clogit's objective (SPEC §2), computed with numpy."""
    z = X @ coef + intercept
    data = C * float(np.sum(s * (np.logaddexp(0.0, z) - y * z)))
    l1, l2 = {"l1": (1.0, 0.0), "l2": (0.0, 1.0)}.get(
        penalty, (l1_ratio, 1.0 - (l1_ratio or 0.0)))
    return data + l1 * float(np.abs(coef).sum()) + 0.5 * l2 * float(
        coef @ coef)


@pytest.fixture(scope="module")
def binary():
    X, y = synthetic_binary(n=300, p=8, seed=3)
    s = np.random.default_rng(1).uniform(0.5, 2.0, size=y.shape[0])
    return X, y, s


@pytest.mark.parametrize("penalty, l1_ratio", PENALTIES)
def test_every_point_equals_a_tight_fit(binary, penalty, l1_ratio):
    X, y, s = binary
    Cs = np.logspace(-3, 1.5, 10)
    path = clogit.regularization_path(X, y, Cs=Cs, penalty=penalty,
                                      l1_ratio=l1_ratio, sample_weight=s,
                                      tol=TIGHT, max_iter=200)
    assert path.coefs.shape == (10, 8) and path.intercepts.shape == (10,)
    assert path.converged.all()
    np.testing.assert_array_equal(path.Cs, Cs)
    nonzero_counts = []
    for k, C in enumerate(Cs):
        fit = clogit.LogisticRegression(
            penalty=penalty, C=C, l1_ratio=l1_ratio, tol=TIGHT,
            max_iter=200).fit(X, y, sample_weight=s)
        f_path = objective(X, y, s, path.coefs[k], path.intercepts[k], C,
                           penalty, l1_ratio)
        f_fit = objective(X, y, s, fit.coef_[0], fit.intercept_[0], C,
                          penalty, l1_ratio)
        assert abs(f_path - f_fit) <= 1e-9 * abs(f_fit), (C, f_path, f_fit)
        np.testing.assert_array_equal(path.coefs[k] == 0.0,
                                      fit.coef_[0] == 0.0)
        nonzero_counts.append(int(np.count_nonzero(path.coefs[k])))
    if penalty != "l2":
        # the grid crosses l1_min_c: the path starts at zero and fills in
        assert nonzero_counts[0] == 0 and nonzero_counts[-1] == 8


def test_l2_path_on_float32_hessians_equals_tight_fits(monkeypatch):
    # 46 coefficients on two row chunks: Newton's early Hessians come from
    # float32 products (single_hessian), which the path's reused-pass
    # wrapper must pass on (it raised TypeError) and never remember as the
    # exact Hessian it rescales for the next C; LogisticRegressionCV runs
    # the same paths on its folds
    from clogit._backends import memory
    monkeypatch.setattr(memory, "available_cores", lambda: 2)
    X, y = synthetic_binary(n=30_000, p=45, seed=8)
    s = np.ones(y.shape[0])
    Cs = np.logspace(-3, 1, 4)
    path = clogit.regularization_path(X, y, Cs=Cs, penalty="l2", tol=TIGHT,
                                      max_iter=200)
    assert path.converged.all()
    for k, C in enumerate(Cs):
        fit = clogit.LogisticRegression(C=C, tol=TIGHT, max_iter=200).fit(
            X, y)
        f_path = objective(X, y, s, path.coefs[k], path.intercepts[k], C,
                           "l2", None)
        f_fit = objective(X, y, s, fit.coef_[0], fit.intercept_[0], C, "l2",
                          None)
        assert abs(f_path - f_fit) <= 1e-12 * abs(f_fit), (C, f_path, f_fit)
    cv = clogit.LogisticRegressionCV(Cs=Cs, cv=3, l1_ratios=(0.0,),
                                     tol=TIGHT, scoring="neg_log_loss",
                                     use_legacy_attributes=False).fit(X, y)
    assert np.isfinite(cv.scores_).all()


def test_points_come_back_in_the_order_given(binary):
    X, y, s = binary
    Cs = np.array([1.0, 0.01, 10.0, 0.1])
    path = clogit.regularization_path(X, y, Cs=Cs, penalty="l1", tol=TIGHT)
    ordered = clogit.regularization_path(X, y, Cs=np.sort(Cs),
                                         penalty="l1", tol=TIGHT)
    np.testing.assert_array_equal(path.Cs, Cs)
    order = np.argsort(Cs)
    np.testing.assert_allclose(path.coefs[order], ordered.coefs,
                               rtol=0, atol=1e-12)


def test_integer_grid_is_scikit_learns(binary):
    X, y, _ = binary
    path = clogit.regularization_path(X, y, Cs=7, penalty="l2")
    np.testing.assert_array_equal(path.Cs, np.logspace(-4, 4, 7))
    assert path.n_iter.shape == (7,) and path.n_iter.dtype == np.int32


def test_sparse_and_float32_give_the_dense_path(binary):
    X, y, _ = binary
    Cs = np.logspace(-2, 1, 5)
    dense = clogit.regularization_path(X, y, Cs=Cs, tol=TIGHT)
    for variant in (sp.csr_matrix(X), sp.csc_matrix(X)):
        other = clogit.regularization_path(variant, y, Cs=Cs, tol=TIGHT)
        np.testing.assert_allclose(other.coefs, dense.coefs, atol=1e-9)
    single = clogit.regularization_path(X.astype(np.float32), y, Cs=Cs,
                                        tol=1e-6)
    np.testing.assert_allclose(single.coefs, dense.coefs, atol=1e-4)


@pytest.mark.parametrize("multi_class, penalty", [("ovr", "l1"),
                                                  ("multinomial", "l2"),
                                                  ("multinomial", "l1")])
def test_multiclass_points_equal_tight_fits(multi_class, penalty):
    X, y = synthetic_multiclass(n=240, p=4, n_classes=3, seed=2)
    Cs = np.logspace(-2, 1, 4)
    path = clogit.regularization_path(X, y, Cs=Cs, penalty=penalty,
                                      multi_class=multi_class, tol=TIGHT,
                                      max_iter=200)
    assert path.coefs.shape == (4, 3, 4) and path.intercepts.shape == (4, 3)
    assert path.multinomial == (multi_class == "multinomial")
    for k, C in enumerate(Cs):
        fit = clogit.LogisticRegression(penalty=penalty, C=C,
                                        multi_class=multi_class, tol=TIGHT,
                                        max_iter=200).fit(X, y)
        np.testing.assert_allclose(path.coefs[k], fit.coef_, atol=1e-7)
        np.testing.assert_allclose(path.intercepts[k], fit.intercept_,
                                   atol=1e-7)
        np.testing.assert_array_equal(path.coefs[k] == 0, fit.coef_ == 0)


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_l1_min_c_is_the_exact_boundary(binary, fit_intercept):
    X, y, s = binary
    c = clogit.l1_min_c(X, y, fit_intercept=fit_intercept, sample_weight=s)
    below = clogit.LogisticRegression(
        penalty="l1", C=c * (1 - 1e-9), tol=TIGHT,
        fit_intercept=fit_intercept).fit(X, y, sample_weight=s)
    above = clogit.LogisticRegression(
        penalty="l1", C=c * (1 + 1e-4), tol=TIGHT,
        fit_intercept=fit_intercept).fit(X, y, sample_weight=s)
    assert np.count_nonzero(below.coef_) == 0
    assert np.count_nonzero(above.coef_) == 1
    # the KKT condition of w = 0 holds with equality for one feature
    mean = np.average(y, weights=s) if fit_intercept else 0.5
    gradient = X.T @ (s * (mean - y))
    assert np.isclose(c * np.abs(gradient).max(), 1.0, rtol=1e-14)


def test_l1_min_c_multiclass_is_the_smallest_class_boundary():
    X, y = synthetic_multiclass(n=240, p=4, n_classes=3, seed=2)
    c = clogit.l1_min_c(X, y)
    per_class = [clogit.l1_min_c(X, y == label) for label in np.unique(y)]
    assert c == min(per_class)
    for multi_class in ("ovr", "multinomial"):
        below = clogit.LogisticRegression(penalty="l1", C=c * (1 - 1e-9),
                                          multi_class=multi_class,
                                          tol=TIGHT).fit(X, y)
        above = clogit.LogisticRegression(penalty="l1", C=c * 1.01,
                                          multi_class=multi_class,
                                          tol=TIGHT).fit(X, y)
        assert np.count_nonzero(below.coef_) == 0
        assert np.count_nonzero(above.coef_) > 0


def test_path_starts_at_zero_below_l1_min_c(binary):
    X, y, _ = binary
    c = clogit.l1_min_c(X, y)
    path = clogit.regularization_path(X, y, Cs=[c / 10, c * 0.999, c * 2])
    assert not path.coefs[:2].any() and path.coefs[2].any()
    # below the boundary no solver iteration is needed
    np.testing.assert_array_equal(path.n_iter[:2], 0)
    np.testing.assert_allclose(path.intercepts[:2],
                               np.log(y.mean() / (1 - y.mean())), rtol=1e-12)


@pytest.mark.parametrize("kwargs, message", [
    (dict(penalty="l0"), "penalty must be"),
    (dict(penalty="elasticnet"), "needs l1_ratio"),
    (dict(penalty="l1", l1_ratio=0.5), "only used with"),
    (dict(Cs=0), "Cs must be"),
    (dict(Cs=[1.0, -1.0]), "Cs must be"),
    (dict(solver="lbfgs", penalty="l1"), "supports penalty 'l2'"),
    (dict(tol=0.0), "tol must be"),
])
def test_bad_parameters_are_refused(binary, kwargs, message):
    X, y, _ = binary
    with pytest.raises(ValueError, match=message):
        clogit.regularization_path(X, y, **kwargs)


def test_l1_min_c_refuses_other_losses(binary):
    X, y, _ = binary
    with pytest.raises(ValueError, match="loss must be 'log'"):
        clogit.l1_min_c(X, y, loss="squared_hinge")


@pytest.mark.parametrize("n_chunks", [1, 3])
@pytest.mark.parametrize("form", ["dense", "csr"])
def test_fold_kernels_skip_held_out_rows_exactly(binary, form, n_chunks,
                                                 monkeypatch):
    """A fold's kernels on the shared row-permuted X (training rows only)
    give the passes of the full X with the held-out rows at weight zero;
    overlapping held-out sets and CSC X fall back to zero weights."""
    from clogit._backends.memory import BinomialKernels
    from clogit._path import _fold_layout, _FoldKernels
    X, y, s = binary
    X = sp.csr_matrix(X) if form == "csr" else X
    y = y.astype(np.float64)
    n = X.shape[0]
    held = np.array_split(np.random.default_rng(0).permutation(n), 3)
    masks = []
    for rows in held:
        mask = np.ones(n)
        mask[rows] = 0.0
        masks.append(mask)
    from clogit import _path
    from clogit._backends import memory
    bounds = np.linspace(0, n, n_chunks + 1).astype(int)
    chunks = lambda X, width: [  # noqa: E731
        slice(a, b) for a, b in zip(bounds[:-1], bounds[1:])]
    monkeypatch.setattr(memory, "row_chunks", chunks)
    monkeypatch.setattr(_path, "row_chunks", lambda X, width: [0, 1])
    order, X_folds, slices = _fold_layout(X, masks)
    columns = np.array([1, 4, 6], dtype=np.int32)
    coef = np.array([0.3, -0.2, 0.5, 0.1])
    for f, mask in enumerate(masks):
        fold = _FoldKernels(X_folds, y[order], (s * mask)[order], True,
                            slices[f])
        read = np.zeros(n, dtype=bool)
        for chunk in fold.chunks:
            read[chunk] = True
        assert not (mask[order][read] == 0).any()
        assert read.sum() == mask.sum()
        whole = BinomialKernels(X, y, s * mask, 0.7, True)
        fold.C = 0.7
        got, expected = np.empty(4), np.empty(4)
        hess_got = np.empty((4, 4), order="F")
        hess_expected = np.empty((4, 4), order="F")
        residual, z = fold.new_scores(), fold.new_scores()
        value = fold.block_pass(coef, got, hess_got, z, columns, residual)
        # the Hessian pass too reads the training rows alone
        assert not z[~read].any()
        reference = whole.block_pass(coef, expected, hess_expected, None,
                                     columns)
        assert value == pytest.approx(reference, rel=1e-13)
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-13)
        np.testing.assert_allclose(hess_got, hess_expected, rtol=1e-12)
        assert residual.sum() == pytest.approx(expected[-1], rel=1e-12)
    overlapping = [masks[0], np.roll(masks[0], 1)]
    assert _fold_layout(X, overlapping) is None
    assert _fold_layout(sp.csc_matrix(X), masks) is None
    monkeypatch.setattr(_path, "row_chunks", lambda X, width: [0])
    assert _fold_layout(X, masks) is None  # one chunk: zero weights
