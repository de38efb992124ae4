"""Where every solver starts: the initial coefficients and the scale of its
stopping test."""

from __future__ import annotations

import numpy as np


def initial_coef(sums, n_features, fit_intercept, coef0=None):
    """Starting point of a binary problem: ``coef0`` (warm start), else zeros
    with the intercept at the log-odds of the weighted mean label, the
    optimum of the intercept-only model.

    ``sums`` is ``(sum(s), sum(s * y))``.
    """
    if coef0 is not None:
        return np.array(coef0, dtype=np.float64, copy=True)
    coef = np.zeros(n_features + (1 if fit_intercept else 0))
    if fit_intercept:
        mean_y = sums[1] / sums[0]
        mean_y = min(max(mean_y, 1e-10), 1 - 1e-10)
        coef[-1] = np.log(mean_y / (1.0 - mean_y))
    return coef


def start_binary(kernels, coef0, n_buffers):
    """What a binary solver starts from: ``(n_features, scale, coef,
    buffers)``, ``scale = C * sum(s)``, ``coef`` from :func:`initial_coef`
    and ``n_buffers`` per-sample buffers of the kernels."""
    sums = kernels.weight_sums()
    coef = initial_coef(sums, kernels.n_features, kernels.fit_intercept,
                        coef0)
    buffers = [kernels.new_scores() for _ in range(n_buffers)]
    return kernels.n_features, kernels.C * sums[0], coef, buffers


def initial_multinomial_coef(counts, n_classes, n_coef, fit_intercept,
                             coef0=None):
    """Warm start, or zeros with intercepts at the log class frequencies
    (the optimum of the intercept-only model), centered; ``counts`` are the
    weighted class totals."""
    if coef0 is not None:
        return np.array(coef0, dtype=np.float64, copy=True, order="C")
    coef = np.zeros((n_classes, n_coef))
    if fit_intercept:
        log_freq = np.log(np.maximum(counts / counts.sum(), 1e-10))
        coef[:, -1] = log_freq - log_freq.mean()
    return coef


def start_multinomial(kernels, coef0):
    """``(n_features, scale, coef)`` of a multinomial solver."""
    total, counts = kernels.weight_sums()
    k1 = kernels.n_features + (1 if kernels.fit_intercept else 0)
    coef = initial_multinomial_coef(counts, kernels.n_classes, k1,
                                    kernels.fit_intercept, coef0)
    return kernels.n_features, kernels.C * total, coef
