"""The one protocol every solver receives: passes over a fit's data.

A solver never sees X.  It asks a *kernels* object for passes -- objective,
gradient and Hessian at some coefficients, products with X, the objective
along a cached search line -- and keeps per-sample vectors (scores ``z``,
steps ``dz``, residuals) in buffers the kernels hand out and alone read.
Two backends implement it: in memory (:mod:`clogit._backends.memory`, row
chunks in threads) and on dask chunks (:mod:`clogit._backends.dask_chunks`,
one task per worker thread), so both run the very same solver code.

These classes only describe the protocol (for readers and type checkers);
the backends do not inherit from them.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

F64 = NDArray[np.float64]


class Scores(Protocol):
    """A per-sample buffer of a backend (a numpy array in memory)."""

    def sum(self) -> Any:
        """Sum of the entries."""


class BinomialPasses(Protocol):
    """Passes of the binary logistic model on one problem's data.

    Bound to X, labels y in {0, 1}, sample weights s, the data term's weight
    C and whether coefficient vectors end with an intercept.  Optional
    members: ``sparse`` (True for scipy.sparse X), ``cd_model`` (coordinate
    descent on X's columns, sparse X only), ``speculative_full_step``
    (every pass costs a round trip: Newton evaluates its full step in one)
    and, with it, ``subtract_scores(a, b, out)`` (``out = a - b`` for
    per-sample buffers: the step's change of the scores, ``X d``, from the
    full step's scores without reading X; numpy's subtraction when
    absent).
    """

    n_samples: int
    n_features: int
    C: float
    fit_intercept: bool

    def weight_sums(self) -> tuple[float, float]:
        """``(sum(s), sum(s * y))``."""

    def new_scores(self) -> Any:
        """An empty per-sample buffer."""

    def block_pass(self, coef: F64, grad: F64, hess: F64 | None = None,
                   z: Any = None, columns: NDArray[np.intc] | None = None,
                   residual: Any = None) -> float:
        """Data objective ``C sum s loss`` at ``coef``; fills ``grad`` (and
        the Hessian, the scores ``z = Xt coef`` and the residual
        ``C s (p - y)`` when given), over ``columns`` of X if given."""

    def matvec(self, coef: F64, out: Any,
               columns: NDArray[np.intc] | None = None) -> None:
        """``out = X @ coef (+ intercept)``."""

    def rmatvec(self, r: Any, out: F64) -> None:
        """``out = X.T @ r``."""

    def objective_along(self, z: Any, dz: Any, step: float) -> float:
        """Data objective at the scores ``z + step * dz`` (no pass over X)."""


class NewtonCGPasses(BinomialPasses, Protocol):
    """What Newton-CG needs on top: Hessian-vector products."""

    def hessian_weights(self, z: Any, out: Any) -> None:
        """``out = C s p (1 - p)`` at the scores ``z``."""

    def hessian_vector(self, v: F64, weights: Any, out: F64) -> None:
        """``out = Xt.T (weights * (Xt v))``."""

    def hessian_diagonal(self, weights: Any, out: F64) -> None:
        """``out = diag(Xt.T diag(weights) Xt)``."""


class SoftmaxPasses(Protocol):
    """Passes of the multinomial model on a fit's data (class indices y)."""

    n_samples: int
    n_features: int
    n_classes: int
    C: float
    fit_intercept: bool

    def weight_sums(self) -> tuple[float, F64]:
        """``(sum(s), weighted class totals)``."""

    def new_scores(self) -> Any:
        """An empty (n_samples, n_classes) buffer."""

    def softmax_pass(self, coef: F64, grad: F64, hess: F64 | None = None,
                     z: Any = None, n_free: int = -1) -> float:
        """Data objective; fills ``grad`` (and the (K k1)^2 Hessian of the
        first ``n_free`` classes, and the scores)."""

    def scores(self, coef: F64, out: Any) -> None:
        """``out = Xt @ coef.T``."""

    def objective_along(self, z: Any, dz: Any, step: float) -> float:
        """Data objective at ``z + step * dz`` (no pass over X)."""


class Margins(Protocol):
    """What the separation monitor reads of a binary problem's data."""

    n_features: int
    n_active: int

    def snapshot(self, z: Any) -> Any:
        """The scores as they are now (the solver reuses its buffer)."""

    def margin_range(self, z: Any, before: Any) -> tuple[float, float, Any]:
        """Largest and smallest margin change since ``before``, and a
        record of the step for :meth:`count_above`."""

    def count_above(self, step: Any, threshold: float) -> int:
        """Samples whose margin grew by more than ``threshold``."""

    def column_rms(self) -> F64:
        """Weighted root mean square of each column of X."""


class FitData(Protocol):
    """One fit's data, where its passes run (``clogit._fitting``)."""

    n_samples: int
    n_features: int
    sparse: bool
    classes: np.ndarray
    totals: F64

    def binomial(self, positive: int, table: F64 | None, C: float,
                 fit_intercept: bool,
                 sums: tuple[float, float] | None = None) -> BinomialPasses:
        """Kernels of class ``positive`` against the rest, each sample
        weighted by ``table[its class]`` (None: 1) times its weight."""

    def softmax(self, table: F64 | None, C: float, fit_intercept: bool,
                sums: tuple[float, F64] | None = None) -> SoftmaxPasses:
        """Kernels of the multinomial problem."""

    def margins(self, kernels: BinomialPasses) -> Margins:
        """What the separation monitor reads of ``kernels``' problem."""

    def map(self, function: Any, items: list[Any], n_threads: int) -> list:
        """``function`` over the problems, in ``n_threads`` threads."""
