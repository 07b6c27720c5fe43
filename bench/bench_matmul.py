"""Batched matmul, attncore vs NumPy, PyTorch (CPU) and the fixed-point peers.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python bench/bench_matmul.py

Every row is measured in this run: best of --repeat calls.  The note column
records agreement with attncore (max |difference| for float, count of
differing raw values for Q16.16), so a speed-up that broke results shows.
"""
import argparse

import numpy as np

import attncore
import attncore.q16 as q16
from _harness import best_time, compare, print_table

try:
    import torch
except ImportError:
    torch = None
try:
    import apytypes as apy
except ImportError:
    apy = None


def q16_emulation(a, b):
    """What a NumPy user writes: int64 matmul, rounding shift (half up), clip."""
    return np.clip((a.astype(np.int64) @ b.astype(np.int64) + (1 << 15)) >> 16,
                   q16.MIN, q16.MAX).astype(np.int32)


def emulation_row(workload, a, b, repeat):
    """attncore's q16.matmul against the NumPy int64 emulation, one row."""
    ours, emu = q16.matmul(a, b), q16_emulation(a, b)
    peer_s, ours_s = compare(lambda: q16_emulation(a, b), lambda: q16.matmul(a, b), repeat)
    return dict(workload=workload, peer="NumPy int64 emulation", peer_s=peer_s, ours_s=ours_s,
                note=f"{np.count_nonzero(emu != ours)} differ (ties up)")


def float_rows(rng, repeat):
    rows = []
    cases = [
        ("100k x (4x4 @ 4x4) f32", (100_000, 4, 4), (100_000, 4, 4), np.float32),
        ("100k x (4x4 @ 4x1) f32", (100_000, 4, 4), (100_000, 4, 1), np.float32),
        ("(32,128,64) @ (32,64,128) f32", (32, 128, 64), (32, 64, 128), np.float32),
        ("1024^2 @ 1024^2 f32", (1024, 1024), (1024, 1024), np.float32),
        ("1024^2 @ 1024^2 f64", (1024, 1024), (1024, 1024), np.float64),
    ]
    for name, sa, sb, dtype in cases:
        a = rng.standard_normal(sa).astype(dtype)
        b = rng.standard_normal(sb).astype(dtype)
        ours = attncore.matmul(a, b)
        flops = 2 * a.shape[-2] * a.shape[-1] * b.shape[-1] * (a.size // (a.shape[-2] * a.shape[-1]))
        ref = np.matmul(a, b)
        peer_s, ours_s = compare(lambda: np.matmul(a, b), lambda: attncore.matmul(a, b), repeat)
        rows.append(dict(workload=name, peer="np.matmul", ours_s=ours_s, peer_s=peer_s,
                         note=f"max|diff| {np.abs(ref - ours).max():.1e}; "
                              f"{flops / ours_s / 1e9:.0f} vs {flops / peer_s / 1e9:.0f} GFLOP/s"))
        if torch is not None:
            ta, tb = torch.from_numpy(a), torch.from_numpy(b)
            peer_s, ours_s = compare(lambda: torch.matmul(ta, tb), lambda: attncore.matmul(a, b),
                                     repeat)
            rows.append(dict(workload=name, peer=f"torch.matmul ({torch.get_num_threads()} thr)",
                             ours_s=ours_s, peer_s=peer_s,
                             note=f"max|diff| {np.abs(torch.matmul(ta, tb).numpy() - ours).max():.1e}; "
                                  f"{flops / ours_s / 1e9:.0f} vs {flops / peer_s / 1e9:.0f} GFLOP/s"))
    return rows


def q16_rows(rng, repeat):
    rows = []
    a = q16.from_float(rng.uniform(-4, 4, (64, 64)))
    b = q16.from_float(rng.uniform(-4, 4, (64, 64)))
    ours = q16.matmul(a, b)
    if apy is not None:
        A = apy.APyFixedArray(a, int_bits=16, frac_bits=16)
        B = apy.APyFixedArray(b, int_bits=16, frac_bits=16)

        def apy_matmul():
            return (A @ B).cast(int_bits=16, frac_bits=16,
                                quantization=apy.QuantizationMode.RND_CONV,
                                overflow=apy.OverflowMode.SAT)

        got = np.asarray(apy_matmul().to_bits(), dtype=np.int64)
        got = np.where(got >= 1 << 31, got - (1 << 32), got)
        peer_s, ours_s = compare(apy_matmul, lambda: q16.matmul(a, b), repeat)
        rows.append(dict(workload="64x64 @ 64x64 Q16.16", peer=f"APyTypes {apy.__version__}",
                         peer_s=peer_s, ours_s=ours_s,
                         note=f"{np.count_nonzero(got != ours)} differ"))

    a = q16.from_float(rng.uniform(-4, 4, (10_000, 4, 4)))
    b = q16.from_float(rng.uniform(-4, 4, (10_000, 4, 4)))
    rows.append(emulation_row("10k x (4x4 @ 4x4) Q16.16", a, b, repeat))
    ours_s = rows[-1]["ours_s"]
    if apy is not None:
        As = [apy.APyFixedArray(x, int_bits=16, frac_bits=16) for x in a]
        Bs = [apy.APyFixedArray(x, int_bits=16, frac_bits=16) for x in b]

        def apy_loop():
            return [(x @ y).cast(int_bits=16, frac_bits=16,
                                 quantization=apy.QuantizationMode.RND_CONV,
                                 overflow=apy.OverflowMode.SAT) for x, y in zip(As, Bs)]

        rows.append(dict(workload="10k x (4x4 @ 4x4) Q16.16", peer="APyTypes, Python loop",
                         peer_s=best_time(apy_loop, 1), ours_s=ours_s))

    a = q16.from_float(rng.uniform(-2, 2, (256, 256)))
    b = q16.from_float(rng.uniform(-2, 2, (256, 256)))
    rows.append(emulation_row("256x256 @ 256x256 Q16.16", a, b, repeat))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    if torch is None:
        print("torch not installed: its rows are skipped (pip install torch==2.13.0)")
    print_table(f"float matmul (attncore on {attncore.get_num_threads()} threads)",
                float_rows(rng, args.repeat))
    print_table("Q16.16 matmul (ties to even, saturate)", q16_rows(rng, args.repeat))


if __name__ == "__main__":
    main()
