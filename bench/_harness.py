"""Timing and table printing shared by the bench scripts.

Each row is measured in the same run as its peer: best of ``repeat`` calls
(the minimum is the least disturbed by other load on a shared machine).
"""
import time


def best_time(fn, repeat):
    """Best wall time of ``repeat`` calls to ``fn``, in seconds."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def print_table(title, rows):
    """rows: dicts with workload, peer, peer_s, ours_s, and an optional note."""
    print(f"\n{title}")
    header = f"{'workload':<34} {'peer':<26} {'peer ms':>10} {'attncore ms':>12} {'speed-up':>9}  note"
    print(header)
    print("-" * len(header))
    for r in rows:
        ratio = r["peer_s"] / r["ours_s"]
        print(f"{r['workload']:<34} {r['peer']:<26} {r['peer_s'] * 1e3:>10.2f} "
              f"{r['ours_s'] * 1e3:>12.2f} {ratio:>8.1f}x  {r.get('note', '')}")
