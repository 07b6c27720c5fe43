"""Softmax, attncore vs NumPy, SciPy and PyTorch (CPU); Q16.16 softmax vs
the float round trip a user would write.  Peak extra memory is reported
next to each time (tracemalloc: NumPy's and attncore's allocations).

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python bench/bench_softmax.py
"""
import argparse
import tracemalloc

import numpy as np
import scipy.special

import attncore
import attncore.q16 as q16
from _harness import compare, print_table

try:
    import torch
except ImportError:
    torch = None


def numpy_softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def peak_mib(fn):
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    rows = []

    def add(workload, peer, peer_fn, ours_fn, elements):
        peer_s, ours_s = compare(peer_fn, ours_fn, args.repeat)
        rows.append(dict(workload=workload, peer=peer, peer_s=peer_s, ours_s=ours_s,
                         note=f"{elements / ours_s / 1e9:.2f} vs {elements / peer_s / 1e9:.2f} "
                              f"Gelem/s; peak {peak_mib(ours_fn):.0f} vs {peak_mib(peer_fn):.0f} MiB"))

    x = rng.standard_normal((8, 1024, 1024)).astype(np.float32)
    add("softmax f32 (8,1024,1024)", "NumPy reference", lambda: numpy_softmax(x),
        lambda: attncore.softmax(x), x.size)
    if torch is not None:
        tx = torch.from_numpy(x)
        add("softmax f32 (8,1024,1024)", "torch.softmax", lambda: torch.softmax(tx, -1),
            lambda: attncore.softmax(x), x.size)

    y = rng.standard_normal((1_000_000, 8)).astype(np.float32)
    add("softmax f32 (1e6, 8)", "NumPy reference", lambda: numpy_softmax(y),
        lambda: attncore.softmax(y), y.size)
    add("softmax f32 (1e6, 8)", "scipy.special.softmax",
        lambda: scipy.special.softmax(y, axis=-1), lambda: attncore.softmax(y), y.size)
    if torch is not None:
        ty = torch.from_numpy(y)
        add("softmax f32 (1e6, 8)", "torch.softmax", lambda: torch.softmax(ty, -1),
            lambda: attncore.softmax(y), y.size)

    causal = np.tril(np.ones((1024, 1024), bool))
    additive = np.where(causal, 0.0, -np.inf).astype(np.float32)
    add("softmax f32 causal mask", "NumPy x + additive mask", lambda: numpy_softmax(x + additive),
        lambda: attncore.softmax(x, mask=causal), x.size)
    if torch is not None:
        ta = torch.from_numpy(additive)
        add("softmax f32 causal mask", "torch x + additive mask",
            lambda: torch.softmax(tx + ta, -1), lambda: attncore.softmax(x, mask=causal), x.size)

    qx = q16.from_float(x)
    add("q16.softmax (8,1024,1024)", "q16 -> float -> NumPy -> q16",
        lambda: q16.from_float(numpy_softmax(q16.to_float(qx))), lambda: q16.softmax(qx), x.size)

    print_table(f"softmax (attncore on {attncore.get_num_threads()} threads)", rows)


if __name__ == "__main__":
    main()
