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

import itertools
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from contextlib import contextmanager
from typing import Any, TypeVar

_T = TypeVar("_T")
_R = TypeVar("_R")

_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None
# threads inside map_shared now (each works on its own items)
_sharing = 0
# single_threaded_blas: the BLAS libraries' threadpoolctl controllers (found
# on first use), how many fits hold the limit, and the thread counts from
# before the first of them
_blas_libraries: list[Any] | None = None
_blas_holders = 0
_saved_threads: list[int] | None = None
# the thread counts a forked child inherited from fits that never finish
# there
_orphaned_threads: list[int] | None = None


def _after_fork_in_child() -> None:
    """In a child made by ``fork``: the pool's threads did not survive
    (only the forking thread does), so a pool inherited from the parent
    would queue work that never runs.  Start afresh; the BLAS limits of
    the parent's running fits are restored by the child's next fit."""
    global _lock, _executor, _blas_holders, _saved_threads, _orphaned_threads
    global _sharing
    _lock = threading.Lock()
    _executor = None
    _sharing = 0
    if _blas_holders:
        _orphaned_threads = _saved_threads
    _blas_holders = 0
    _saved_threads = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def available_cores() -> int:
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def kernel_pool() -> ThreadPoolExecutor:
    """The shared pool the row chunks of a kernel pass run on (one thread
    per available core, created on first use, and anew in a child process
    made by ``fork``)."""
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
    docstring).

    Reference-counted over the whole process: the first fit to enter sets
    the limit and remembers the limits in force before it, the last to
    leave restores exactly those, whatever order concurrent fits (threads
    of the caller, One-vs-Rest classes, ...) enter and leave in.  (Nested
    threadpoolctl contexts would not: each remembers what the one before
    it set, and the last to leave restores one thread.)
    """
    global _blas_libraries, _blas_holders, _saved_threads, _orphaned_threads

    with _lock:
        if _blas_libraries is None:
            from threadpoolctl import ThreadpoolController
            _blas_libraries = [
                library for library in ThreadpoolController().lib_controllers
                if library.user_api == "blas"]
        if _blas_holders == 0:
            # Each library's own get/set calls (a few microseconds): a
            # threadpoolctl limit() context inspects every loaded library
            # anew, 83 us per enter and exit here, a tenth of a fit of
            # breast_cancer in one Cython call.
            if _orphaned_threads is not None:
                # counts from before the parent's fits (see _after_fork)
                _saved_threads, _orphaned_threads = _orphaned_threads, None
            else:
                _saved_threads = [library.get_num_threads()
                                  for library in _blas_libraries]
            for library in _blas_libraries:
                library.set_num_threads(1)
        _blas_holders += 1
    try:
        yield
    finally:
        with _lock:
            # (0 here: this is a child forked inside the context, which
            # _after_fork_in_child has reset)
            _blas_holders = max(_blas_holders - 1, 0)
            if _blas_holders == 0 and _saved_threads is not None:
                for library, threads in zip(_blas_libraries or [],
                                            _saved_threads):
                    library.set_num_threads(threads)
                _saved_threads = None


class Cancelled(Exception):
    """Raised in a task of :func:`map_in_threads` whose run was given up:
    another task failed, or the caller was interrupted."""


# the cancel flag of the map_in_threads run the current thread works for
_task = threading.local()
# map_in_threads waits for its tasks in waits this long
_WAIT_SECONDS = 0.1


def check_cancelled() -> None:
    """Raise :class:`Cancelled` in a task of :func:`map_in_threads` whose
    run was given up; nothing elsewhere.  The kernels ask before each pass
    over X (a thread-local read), so that the other folds of a
    cross-validation or classes of a One-vs-Rest fit stop within a pass
    instead of finishing their paths."""
    for cancel in getattr(_task, "cancel", ()):
        if cancel.is_set():
            raise Cancelled("given up: another task failed or the caller "
                            "was interrupted")


def map_in_threads(function: Callable[[_T], _R], items: Iterable[_T],
                   n_threads: int) -> list[_R]:
    """``[function(item) for item in items]``, on ``n_threads`` threads.

    A pool of its own (not the kernels' pool, whose tasks must never wait on
    other tasks of the same pool).  The first exception (in the items'
    order) propagates to the caller once no task runs any more: when a
    task fails, or the caller is interrupted while it waits (Ctrl-C), the
    tasks not started are dropped and the running ones stop at their next
    pass over X (:func:`check_cancelled`) -- without it, Ctrl-C during a
    cross-validation waited for every running fold path to finish.
    """
    items = list(items)
    if n_threads <= 1 or len(items) <= 1:
        return [function(item) for item in items]
    cancel = threading.Event()
    # a run inside another's task (nested) is given up with it too
    flags = (cancel,) + tuple(getattr(_task, "cancel", ()))

    def run(item: _T) -> _R:
        before = getattr(_task, "cancel", ())
        _task.cancel = flags
        try:
            return function(item)
        except BaseException:
            cancel.set()
            raise
        finally:
            _task.cancel = before

    with ThreadPoolExecutor(max_workers=n_threads,
                            thread_name_prefix="clogit-ovr") as executor:
        futures: list[Any] = []
        try:
            futures += [executor.submit(run, item) for item in items]
            # in short waits: the signal handlers (Ctrl-C) run between
            # them, wherever the signal landed
            while wait(futures, timeout=_WAIT_SECONDS,
                       return_when=FIRST_EXCEPTION).not_done:
                if any(flag.is_set() for flag in flags):
                    cancel.set()
                    break
        except BaseException:  # the caller interrupted (KeyboardInterrupt)
            cancel.set()
            for future in futures:
                future.cancel()
            raise
        if cancel.is_set():
            for future in futures:
                future.cancel()
            wait(futures)
            errors: list[BaseException] = [
                error for error in (future.exception() for future in futures
                                    if not future.cancelled())
                if error is not None]
            if not errors:  # given up from outside (the run it is nested in)
                raise Cancelled("given up: the run this one is part of was")
            # the failure itself, not the Cancelled it caused elsewhere
            raise next((error for error in errors
                        if not isinstance(error, Cancelled)), errors[0])
        return [future.result() for future in futures]


def map_shared(task: Callable[[_T], _R], items: list[_T]) -> list[_R]:
    """``[task(item) for item in items]``, shared by the calling thread and
    the kernel pool's threads: each takes the next item nobody has taken
    yet, until none is left; results in the items' order.

    Why not ``kernel_pool().map``: there every item waits for a pool thread
    while the caller idles, and an item handed to a thread whose core is
    busy -- the spinning BLAS or OpenMP threads another library leaves for
    up to a tenth of a second after each call -- holds up the whole pass.
    Here the caller works too, and a helper that does not get its core takes
    nothing.  Measured here (2-core AMD EPYC, a 20,000 x 50 gradient pass
    in two row chunks): right after scikit-learn's lbfgs (two OpenBLAS
    threads) 1.15 ms with the pool's map, against 0.59 on one thread.
    Callers already inside (folds or One-vs-Rest classes in threads) count
    against the cores: with two of them on two cores neither gets a helper.
    Helpers not started when the caller runs out of items are cancelled,
    the others awaited (no task is still running when this returns), and
    the first exception is raised after that.
    """
    n = len(items)
    if n <= 1:
        return [task(item) for item in items]
    results: list[Any] = [None] * n
    taken = itertools.count()  # next() is atomic under the GIL
    failures: list[BaseException] = []

    def work() -> None:
        while not failures:
            i = next(taken)
            if i >= n:
                return
            try:
                results[i] = task(items[i])
            except BaseException as exc:  # re-raised by the caller
                failures.append(exc)
                return

    global _sharing
    with _lock:
        _sharing += 1
        # callers already working (cross-validation folds, One-vs-Rest
        # classes in threads) take cores too: no more threads than cores
        n_helpers = max(0, min(available_cores() - _sharing, n - 1))
    try:
        pool = kernel_pool()
        helpers = [pool.submit(work) for _ in range(n_helpers)]
        try:
            work()
        finally:
            for helper in helpers:
                if not helper.cancel():
                    helper.result()
    finally:
        with _lock:
            _sharing -= 1
    if failures:
        raise failures[0]
    return results
