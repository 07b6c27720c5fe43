"""Timing and table printing shared by the bench scripts.

Peer and attncore are timed in the same run, interleaved (peer, ours, peer,
ours, ...) so that load drifting on a shared machine hits both alike; each
side reports its best call (the least disturbed one).
"""
import time


def _once(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def best_time(fn, repeat):
    """Best wall time of ``repeat`` calls to ``fn``, in seconds."""
    return min(_once(fn) for _ in range(repeat))


def compare(peer_fn, ours_fn, repeat, settle=0.0):
    """``(peer_s, ours_s)``: best times of interleaved calls.

    ``settle`` seconds of sleep before each timed call let the other side's
    idle thread pools stop spinning (OpenBLAS threads busy-wait about 0.1 s
    after a call), so neither side is timed while the other's threads still
    hold the cores.  Use it for multi-threaded workloads of several ms.
    """
    peer_fn(), ours_fn()  # warm caches, allocators and thread pools
    peer = ours = float("inf")
    for _ in range(repeat):
        time.sleep(settle)
        peer = min(peer, _once(peer_fn))
        time.sleep(settle)
        ours = min(ours, _once(ours_fn))
    return peer, ours


def print_table(title, rows):
    """rows: dicts with workload, peer, peer_s, ours_s, and an optional note."""
    print(f"\n{title}")
    header = f"{'workload':<34} {'peer':<26} {'peer ms':>10} {'attncore ms':>12} {'speed-up':>9}  note"
    print(header)
    print("-" * len(header))
    for r in rows:
        ratio = r["peer_s"] / r["ours_s"]
        print(f"{r['workload']:<34} {r['peer']:<26} {r['peer_s'] * 1e3:>10.3f} "
              f"{r['ours_s'] * 1e3:>12.3f} {ratio:>8.2f}x  {r.get('note', '')}")
