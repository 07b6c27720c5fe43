"""Saturations are never silent: count_saturations sees every clamp."""
import threading

import numpy as np

import attncore.q16 as q16


def test_counts_per_kernel_and_nesting():
    big = np.full(5, 300 << 16, dtype=np.int32)
    big[0] = q16.ONE
    with q16.count_saturations() as outer:
        q16.mul(big, big)                               # 4 saturate
        with q16.count_saturations() as inner:
            q16.div(big, np.zeros(5, dtype=np.int32))  # 5 (division by zero)
        q16.mul(big, big, overflow="wrap")              # 4 wrap
    assert inner.total == 5 and dict(inner.saturated) == {"q16.div": 5}
    assert dict(outer.saturated) == {"q16.mul": 4, "q16.div": 5}
    assert dict(outer.wrapped) == {"q16.mul": 4}
    assert outer.total == 9


def test_nothing_counted_outside_a_block_or_without_events():
    a = np.arange(4, dtype=np.int32)
    q16.mul(np.int32(q16.MAX), np.int32(q16.MAX))
    with q16.count_saturations() as sat:
        q16.mul(a, a)
    assert sat.total == 0


def test_counters_are_per_thread():
    seen = {}

    def work(name, n):
        with q16.count_saturations() as sat:
            q16.mul(np.full(n, q16.MAX, dtype=np.int32), np.int32(2 * q16.ONE))
        seen[name] = sat.total

    threads = [threading.Thread(target=work, args=(f"t{n}", n)) for n in (3, 7)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == {"t3": 3, "t7": 7}
