"""Issue 17 item 2: a child of a process that ran multi-threaded kernels can
call every kernel.  The parent uses the pool first (inputs large enough for
helper threads, checked in the runtime's counters); children made by
os.fork and by multiprocessing's fork and forkserver start methods then run
every kernel, with threads again, and must return the parent's bits.  Every
wait has a deadline, so a hang fails the test instead of blocking CI."""
import multiprocessing as mp
import os
import pickle
import signal
import threading
import time

import numpy as np
import pytest

from _every_kernel import differences, run_all
from attncore import threads
from attncore._kernels import runtime

DEADLINE_S = 600


@pytest.fixture(scope="module")
def parent_results():
    before = runtime.stats()
    results = run_all()
    after = runtime.stats()
    if runtime.cpu_count() >= 2:
        assert after["jobs_pooled"] > before["jobs_pooled"] and after["helpers"] >= 1, \
            "the parent never used helper threads: the test proves nothing"
    return results


def _pin_grain():
    """A child measures its own grain; on a loaded machine (CI, or this
    suite beside a compiler) that measurement and the stall defence may
    rightly keep every loop on one thread, and then "the child used its
    pool" would test the load, not fork safety.  A pinned grain makes the
    child's loops split whatever the load, and an explicit thread count
    keeps it from inheriting a setting (a forkserver started by an earlier
    test may hold ATTNCORE_NUM_THREADS=1 in its environment)."""
    runtime.set_grain_ns(1000)
    threads.set_num_threads(max(2, runtime.cpu_count()))


def _child_check(want):
    """In a child: every kernel again, the names that differ, and whether the
    child's own pool was used."""
    _pin_grain()
    before = runtime.stats()["jobs_pooled"]
    bad = differences(run_all(), want)
    return bad, runtime.stats()["jobs_pooled"] - before


def _wait_or_kill(pid):
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    pytest.fail(f"forked child hung for {DEADLINE_S} s")


def _fork_and_check(want):
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: report through the pipe, never return into pytest
        code = 1
        try:
            os.close(read)
            with os.fdopen(write, "wb") as w:
                pickle.dump(_child_check(want), w)
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    with os.fdopen(read, "rb") as r:
        status = _wait_or_kill(pid)
        assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, status
        return pickle.load(r)


def test_os_fork_child_runs_every_kernel(parent_results):
    bad, pooled = _fork_and_check(parent_results)
    assert bad == []
    if runtime.cpu_count() >= 2:
        assert pooled > 0, "the child never used threads"


def test_fork_while_another_thread_is_inside_a_kernel(parent_results):
    """A job of another parent thread at fork time does not exist in the
    child: its pool must start empty, not wait for that job."""
    stop = threading.Event()
    x = np.ones((400_000,), np.int32) << 16

    def busy():
        from attncore import q16
        while not stop.is_set():
            q16.mul(x, x)

    t = threading.Thread(target=busy)
    t.start()
    try:
        for _ in range(3):
            bad, _ = _fork_and_check(parent_results)
            assert bad == []
    finally:
        stop.set()
        t.join(timeout=DEADLINE_S)


def _pool_worker(_):
    _pin_grain()
    before = runtime.stats()["jobs_pooled"]
    results = run_all()
    return results, runtime.stats()["jobs_pooled"] - before


@pytest.mark.parametrize("method", ["fork", "forkserver"])
def test_multiprocessing_children_run_every_kernel(method, parent_results):
    if method not in mp.get_all_start_methods():
        pytest.skip(f"no {method} start method here")
    ctx = mp.get_context(method)
    with ctx.Pool(2) as pool:
        result = pool.map_async(_pool_worker, range(2))
        try:
            outcomes = result.get(timeout=DEADLINE_S)
        except mp.TimeoutError:
            pool.terminate()
            pytest.fail(f"{method} children hung for {DEADLINE_S} s")
    for results, pooled in outcomes:
        assert differences(results, parent_results) == []
        if runtime.cpu_count() >= 2:
            assert pooled > 0, "a child never used threads"
