"""Threads: the kernel pool, BLAS thread limits and One-vs-Rest threads.

Why not just BLAS threads: the kernels call BLAS on cache-sized blocks, where
OpenBLAS's threads spend more time waking and spinning than computing, and
on a loaded machine (or with One-vs-Rest classes in threads) they fight
for the cores -- measured here on 2 cores with another process busy, a
100,000 x 200 Newton fit took 1.06 s with one BLAS thread and 11.1 s with
two.  So a fit runs BLAS single-threaded (:func:`single_threaded_blas`) and
the in-memory backend splits the *rows* of X over the threads of one shared
pool (:func:`kernel_pool`) instead, with the GIL released.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

_T = TypeVar("_T")
_R = TypeVar("_R")

_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None
_controller: Any = None


def available_cores() -> int:
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def kernel_pool() -> ThreadPoolExecutor:
    """The shared pool the row chunks of a kernel pass run on (one thread
    per available core, created on first use)."""
    global _executor
    with _lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(
                max_workers=available_cores(),
                thread_name_prefix="clogit-kernel")
        return _executor


@contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Limit BLAS to one thread for the duration (see the module
    docstring)."""
    global _controller
    from threadpoolctl import ThreadpoolController

    with _lock:
        if _controller is None:
            _controller = ThreadpoolController()
    with _controller.limit(limits=1, user_api="blas"):
        yield


def map_in_threads(function: Callable[[_T], _R], items: Iterable[_T],
                   n_threads: int) -> list[_R]:
    """``[function(item) for item in items]``, on ``n_threads`` threads.

    A pool of its own (not the kernels' pool, whose tasks must never wait on
    other tasks of the same pool).  Exceptions propagate to the caller.
    """
    items = list(items)
    if n_threads <= 1 or len(items) <= 1:
        return [function(item) for item in items]
    with ThreadPoolExecutor(max_workers=n_threads,
                            thread_name_prefix="clogit-ovr") as executor:
        return list(executor.map(function, items))
