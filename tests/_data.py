"""Seeded data sets shared by the tests."""

import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.preprocessing import StandardScaler

# A well-conditioned subset of breast_cancer's features (cond(XᵀX) ≈ 44 after
# standardizing) on which the unpenalized MLE exists and statsmodels converges.
BREAST_CANCER_SUBSET = [1, 4, 7, 8, 9, 11, 14, 18, 21]


def breast_cancer():
    """breast_cancer, standardized: 569 x 30, binary."""
    X, y = load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def synthetic_binary(n=2000, p=8, seed=0):
    """Labels drawn from a logistic model with N(0, 1) features."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    coef = rng.standard_normal(p) / np.sqrt(p) * 2.0
    z = X @ coef - 0.3
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-z))).astype(np.int64)
    return X, y


def synthetic_multiclass(n=1500, p=6, n_classes=4, seed=0):
    """Labels from a softmax model; the classes are strings."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    W = rng.standard_normal((p, n_classes))
    logits = X @ W
    logits -= logits.max(axis=1, keepdims=True)
    P = np.exp(logits)
    P /= P.sum(axis=1, keepdims=True)
    u = rng.random(n)[:, None]
    labels = (P.cumsum(axis=1) < u).sum(axis=1)
    names = np.array(["ant", "bee", "cat", "dog", "eel"])[:n_classes]
    return X, names[labels]


def solve(solver, X, y, sample_weight, *, C, fit_intercept, **kwargs):
    """Run a binary solver of ``clogit._solvers`` on in-memory data: the
    solvers take the data as kernels (``_backends.memory.BinomialKernels``)
    bound to X, y, the weights, C and fit_intercept."""
    from clogit._backends.memory import BinomialKernels

    return solver(BinomialKernels(X, y, sample_weight, C, fit_intercept),
                  **kwargs)


def record_hessian_strides(monkeypatch, kernels_class, method):
    """Record the ``hessian_stride`` of every call of ``kernels_class``'s
    pass ``method`` (Newton's Hessian schedule); returns the list."""
    strides = []
    original = getattr(kernels_class, method)

    def recording(self, *args, hessian_stride=1, **kwargs):
        strides.append(hessian_stride)
        return original(self, *args, hessian_stride=hessian_stride,
                        **kwargs)

    monkeypatch.setattr(kernels_class, method, recording)
    return strides
