"""The kernel pool and the BLAS thread limit (clogit._backends.threads):
safe across ``fork`` and under concurrent fits."""

import os
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

import clogit
from clogit._backends import threads
from _data import synthetic_binary


def _blas_threads():
    return [info["num_threads"] for info in threadpool_info()
            if info["user_api"] == "blas"]


def _env():
    env = os.environ.copy()
    env["PYTHONPATH"] = os.pathsep.join(
        [os.path.abspath(p) for p in sys.path if p])
    return env


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_fit_in_a_forked_child_after_the_pool_ran():
    # Regression: the child inherited a pool whose threads did not survive
    # the fork, and its first multi-chunk pass waited forever.  The
    # subprocess and its timeouts turn a hang into a failure.
    script = textwrap.dedent("""
        import multiprocessing, warnings
        import numpy as np
        import clogit
        from clogit._backends import memory, threads
        memory.available_cores = lambda: 2  # row chunks on any machine
        rng = np.random.default_rng(0)
        X = rng.standard_normal((4000, 300))
        y = (X[:, 0] + rng.standard_normal(4000) > 0).astype(int)
        assert len(memory.chunk_bounds(*X.shape)) > 2
        clf = clogit.LogisticRegression().fit(X, y)  # the pool's threads run
        assert threads.kernel_pool().submit(int, 7).result() == 7

        def child(_):
            pool_ok = threads.kernel_pool().submit(int, 8).result(timeout=30)
            return pool_ok, clogit.LogisticRegression().fit(X, y).coef_

        with warnings.catch_warnings():
            # Python >= 3.12 warns that forking a threaded process may
            # deadlock: exactly what is tested here
            warnings.simplefilter("ignore", DeprecationWarning)
            with multiprocessing.get_context("fork").Pool(1) as pool:
                pool_ok, coef = pool.apply_async(child, (0,)).get(timeout=90)
        assert pool_ok == 8
        np.testing.assert_allclose(coef, clf.coef_, rtol=1e-12)
        print("child fitted")
    """)
    result = subprocess.run([sys.executable, "-c", script], env=_env(),
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "child fitted" in result.stdout


def test_concurrent_fits_restore_the_blas_threads():
    # Regression: nested threadpoolctl contexts entered and left in another
    # order left the process with 1 BLAS thread.
    X, y = synthetic_binary(n=500, p=5)
    with threadpool_limits(limits=2, user_api="blas"):
        before = _blas_threads()
        start = threading.Barrier(4)

        def work():
            start.wait()
            for _ in range(3):
                clogit.LogisticRegression().fit(X, y)

        workers = [threading.Thread(target=work) for _ in range(4)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        assert _blas_threads() == before


def test_blas_limit_is_held_while_any_fit_runs():
    with threadpool_limits(limits=2, user_api="blas"):
        before = _blas_threads()
        first = threads.single_threaded_blas()
        second = threads.single_threaded_blas()
        first.__enter__()
        second.__enter__()
        assert set(_blas_threads()) <= {1}
        first.__exit__(None, None, None)  # the first leaves first
        assert set(_blas_threads()) <= {1}
        second.__exit__(None, None, None)
        assert _blas_threads() == before


def test_child_state_is_reset_after_fork():
    # what the at-fork hook does, called directly
    saved = (threads._lock, threads._executor, threads._blas_holders,
             threads._saved_threads, threads._orphaned_threads)
    try:
        threads.kernel_pool()
        threads._blas_holders, threads._saved_threads = 2, [3, 3]
        threads._after_fork_in_child()
        assert threads._executor is None and threads._blas_holders == 0
        assert threads._orphaned_threads == [3, 3]
        assert threads._lock is not saved[0]
    finally:
        (threads._lock, threads._executor, threads._blas_holders,
         threads._saved_threads, threads._orphaned_threads) = saved
    assert np.isfinite(clogit.LogisticRegression().fit(
        *synthetic_binary(n=100, p=2)).coef_).all()


def test_a_fit_in_a_child_restores_the_parents_counts():
    # the counts a forked child inherited (see _after_fork_in_child) are
    # what its next fit restores when it ends
    saved = (threads._blas_holders, threads._saved_threads,
             threads._orphaned_threads)
    with threadpool_limits(limits=1, user_api="blas"):
        try:
            counts = [2] * len(_blas_threads())
            threads._orphaned_threads = counts
            with threads.single_threaded_blas():
                assert set(_blas_threads()) <= {1}
            assert _blas_threads() == counts
            assert threads._orphaned_threads is None
        finally:
            (threads._blas_holders, threads._saved_threads,
             threads._orphaned_threads) = saved


def test_map_shared_returns_every_result_in_order():
    items = list(range(37))
    assert threads.map_shared(lambda i: i * i, items) == [i * i for i in
                                                          items]
    assert threads.map_shared(lambda i: i * i, []) == []
    assert threads.map_shared(lambda i: i * i, [3]) == [9]


def test_map_shared_finishes_on_the_caller_while_the_pool_is_busy():
    release = threading.Event()
    pool = threads.kernel_pool()
    blockers = [pool.submit(release.wait, 30)
                for _ in range(threads.available_cores())]
    try:
        ran_in = set()

        def task(i):
            ran_in.add(threading.get_ident())
            return -i

        assert threads.map_shared(task, list(range(9))) == [
            -i for i in range(9)]
        assert ran_in == {threading.get_ident()}
    finally:
        release.set()
        for blocker in blockers:
            blocker.result()


def test_map_shared_raises_the_first_failure_after_every_task_ended():
    running = []
    lock = threading.Lock()

    def task(i):
        with lock:
            running.append(i)
        if i == 5:
            raise ValueError("item 5")
        threading.Event().wait(0.001)
        with lock:
            running.remove(i)
        return i

    with pytest.raises(ValueError, match="item 5"):
        threads.map_shared(task, list(range(40)))
    # no task still running (only the failed one never removed itself),
    # and none started after the failure was seen
    assert running == [5]


def test_map_shared_from_many_threads_at_once():
    """One-vs-Rest classes and CV folds share the kernel pool: every caller
    finishes (its helpers queued behind the others' are cancelled)."""
    out = {}

    def caller(k):
        out[k] = threads.map_shared(lambda i: (k, i), list(range(20)))

    workers = [threading.Thread(target=caller, args=(k,)) for k in range(6)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=30)
    assert all(not w.is_alive() for w in workers)
    assert out == {k: [(k, i) for i in range(20)] for k in range(6)}


def _working(stopped, seconds=30.0):
    """A task that works in passes (each asking check_cancelled) for up to
    ``seconds``; records whether it was stopped."""
    def task(item):
        deadline = time.monotonic() + seconds
        try:
            while time.monotonic() < deadline:
                threads.check_cancelled()
                time.sleep(0.005)
        except threads.Cancelled:
            stopped.append(item)
            raise
        return item
    return task


def test_map_in_threads_stops_the_others_when_a_task_fails():
    stopped = []
    work = _working(stopped)

    def task(item):
        if item == 2:
            time.sleep(0.2)
            raise ValueError("boom")
        return work(item)

    start = time.monotonic()
    with pytest.raises(ValueError, match="boom"):
        threads.map_in_threads(task, [0, 1, 2, 3, 4], 3)
    # the running tasks stopped at their next pass, the rest never started
    assert time.monotonic() - start < 10.0
    assert stopped and set(stopped) <= {0, 1, 3, 4}
    # outside a task, and in a run that went well, nothing is cancelled
    threads.check_cancelled()
    assert threads.map_in_threads(lambda i: i * 2, [1, 2, 3], 2) == [2, 4, 6]


def test_map_in_threads_stops_its_tasks_when_the_caller_is_interrupted():
    import _thread
    stopped = []
    timer = threading.Timer(0.3, _thread.interrupt_main)
    timer.start()
    start = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt):
            threads.map_in_threads(_working(stopped), [0, 1, 2], 2)
    finally:
        timer.cancel()
    assert time.monotonic() - start < 10.0
    assert sorted(stopped) == [0, 1]  # the two running; 2 never started


def test_cross_validation_folds_stop_when_one_fails(monkeypatch):
    # a fold path that fails: the caller gets its error, and the other
    # folds, running real paths in threads, stop at their next pass
    from clogit import _path
    X, y = synthetic_binary(n=4000, p=20, seed=3)
    real = _path.binary_path
    calls, stopped = [], []

    def failing(kernels, Cs, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            time.sleep(0.05)
            raise ValueError("fold failed")
        try:
            for _ in range(1000):  # far longer than the test waits
                real(kernels, Cs, **kwargs)
        except threads.Cancelled:
            stopped.append(1)
            raise

    monkeypatch.setattr(_path, "binary_path", failing)
    start = time.monotonic()
    with pytest.raises(ValueError, match="fold failed"):
        clogit.LogisticRegressionCV(Cs=5, cv=5, n_jobs=2, l1_ratios=(0,),
                                    scoring="neg_log_loss",
                                    use_legacy_attributes=False).fit(X, y)
    assert time.monotonic() - start < 60.0
    assert stopped


def test_a_nested_run_is_given_up_with_the_task_it_runs_in():
    # a run inside another run's task sees that run's cancel flag too,
    # and leaves the task's own flag as it found it
    stopped = []

    def outer(item):
        if item == 0:
            time.sleep(0.2)
            raise ValueError("outer failed")
        return threads.map_in_threads(_working(stopped), [10, 11], 2)

    start = time.monotonic()
    with pytest.raises(ValueError, match="outer failed"):
        threads.map_in_threads(outer, [0, 1], 2)
    assert time.monotonic() - start < 10.0
    assert sorted(stopped) == [10, 11]
    threads.check_cancelled()  # nothing left set in this thread
