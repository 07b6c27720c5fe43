"""Batched small-matrix linear algebra, attncore vs numpy.linalg and
torch.linalg (CPU, 2 threads), 100 000 4 x 4 matrices; and what Q16.16
accuracy the LU solve keeps against the adjugate inverse.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python bench/bench_linalg.py
"""
import argparse

import numpy as np

import attncore
import attncore.q16 as q16
from attncore import reference as ref
from attncore.report import baselines
from _harness import compare, print_table

try:
    import torch
except ImportError:
    torch = None

SETTLE = 0.15  # s between timed calls: see _harness.compare


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--count", type=int, default=100_000)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    count = args.count
    rows = []
    if torch is not None:
        torch.set_num_threads(2)

    def add(workload, peer, peer_fn, ours_fn, note=""):
        peer_s, ours_s = compare(peer_fn, ours_fn, args.repeat, SETTLE)
        rows.append(dict(workload=workload, peer=peer, peer_s=peer_s, ours_s=ours_s, note=note))

    a = rng.standard_normal((count, 4, 4)) + 4 * np.eye(4)
    b = rng.standard_normal((count, 4, 1))
    spd = a @ np.swapaxes(a, -1, -2) + np.eye(4)
    m = np.tile(np.eye(4), (count, 1, 1))
    q, _ = np.linalg.qr(rng.standard_normal((count, 3, 3)))
    m[:, :3, :3] = q
    m[:, :3, 3] = rng.standard_normal((count, 3))
    name = f"{count} x 4x4"

    for dtype in (np.float64, np.float32):
        a_, b_ = a.astype(dtype), b.astype(dtype)
        add(f"solve {np.dtype(dtype).name} {name}", "np.linalg.solve",
            lambda: np.linalg.solve(a_, b_), lambda: attncore.solve(a_, b_))
        if torch is not None and dtype == np.float64:
            ta, tb = torch.from_numpy(a_), torch.from_numpy(b_)
            add(f"solve {np.dtype(dtype).name} {name}", "torch.linalg.solve",
                lambda: torch.linalg.solve(ta, tb), lambda: attncore.solve(a_, b_))

    def ours_cho():
        return attncore.cho_solve(attncore.cho_factor(spd), b)

    def numpy_cho():
        low = np.linalg.cholesky(spd)
        y = np.linalg.solve(low, b)  # NumPy has no batched triangular solve
        return np.linalg.solve(np.swapaxes(low, -1, -2), y)

    add(f"cho_factor+cho_solve f64 {name}", "np cholesky + 2 solves", numpy_cho, ours_cho)
    if torch is not None:
        ts, tb = torch.from_numpy(spd), torch.from_numpy(b)
        add(f"cho_factor+cho_solve f64 {name}", "torch cholesky+cholesky_solve",
            lambda: torch.cholesky_solve(tb, torch.linalg.cholesky(ts)), ours_cho)
        add(f"cho_factor f64 {name}", "torch.linalg.cholesky",
            lambda: torch.linalg.cholesky(ts), lambda: attncore.cho_factor(spd))

    for kind in ("rigid", "affine"):
        add(f"affine_inverse {kind} f64 {name}", "np.linalg.inv", lambda: np.linalg.inv(m),
            lambda: attncore.affine_inverse(m, kind=kind))
        if torch is not None:
            tm = torch.from_numpy(m)
            add(f"affine_inverse {kind} f64 {name}", "torch.linalg.inv",
                lambda: torch.linalg.inv(tm), lambda: attncore.affine_inverse(m, kind=kind))

    qa, qb = q16.from_float(a[:20000]), q16.from_float(b[:20000] * 100)
    add("q16.solve 20000 x 4x4", "q16->float np.linalg.solve->q16",
        lambda: q16.from_float(np.linalg.solve(q16.to_float(qa), q16.to_float(qb))),
        lambda: q16.solve(qa, qb), note="exact-to-1-LSB vs float round trip")
    print_table(f"linear algebra (attncore on {attncore.get_num_threads()} threads)", rows)

    # accuracy: LU solve vs the adjugate inverse a fixed-point user would write
    qa = q16.from_float(rng.uniform(-2, 2, (300, 4, 4)) + 3 * np.eye(4))
    qb = q16.from_float(rng.uniform(-50, 50, (300, 4, 1)))
    exact = ref.q16_solve_exact(qa, qb)
    lu_err = np.abs(q16.solve(qa, qb) - exact)
    adj_err = np.abs(q16.matmul(baselines.q16_adjugate_inverse(qa), qb) - exact)
    cond = np.linalg.cond(q16.to_float(qa))
    print(f"\nQ16.16 solve accuracy, 300 systems, cond(A) {cond.min():.1f}..{cond.max():.1f}: "
          f"LU max {lu_err.max():.3f} LSB (mean {lu_err.mean():.3f}); "
          f"adjugate inverse max {adj_err.max():.1f} LSB (mean {adj_err.mean():.2f})")


if __name__ == "__main__":
    main()
