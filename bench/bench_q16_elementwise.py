"""Elementwise Q16.16 multiply, attncore vs the ways a user would do it today.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python bench/bench_q16_elementwise.py

Peers (same inputs, same run): the NumPy int64 emulation from the issue
(round half up, then clip), APyTypes (multiply, then cast with ties-to-even
and saturation) and fxpmath (Fxp multiply into a saturating, rounding
Q16.16 target).  Inputs and outputs are raw int32 for attncore; peers get
their own array types, built outside the timed region.  The note column
counts outputs that differ from attncore's (the emulation rounds ties up,
so a few differences are expected there and nowhere else).
"""
import argparse

import numpy as np

import attncore
import attncore.q16 as q16
from _harness import best_time, compare, print_table


def numpy_emulation(a, b):
    return np.clip((a.astype(np.int64) * b + (1 << 15)) >> 16, q16.MIN, q16.MAX)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    a = q16.from_float(rng.normal(scale=50.0, size=args.n))
    b = q16.from_float(rng.normal(scale=50.0, size=args.n))
    ours = q16.mul(a, b)
    ours_s = best_time(lambda: q16.mul(a, b), args.repeat)
    previous = attncore.set_num_threads(1)
    ours_1t = best_time(lambda: q16.mul(a, b), args.repeat)
    attncore.set_num_threads(previous)
    workload = f"q16.mul, {args.n:.0e} elements"
    rows = []

    emu = numpy_emulation(a, b)
    emu_s, ours_s = compare(lambda: numpy_emulation(a, b), lambda: q16.mul(a, b), args.repeat)
    rows.append(dict(workload=workload, peer="NumPy int64 emulation",
                     peer_s=emu_s, ours_s=ours_s,
                     note=f"{np.count_nonzero(emu != ours)} differ (ties up)"))

    try:
        import apytypes as apy
    except ImportError:
        print("apytypes not installed: pip install '.[bench]'")
    else:
        A = apy.APyFixedArray(a, int_bits=16, frac_bits=16)
        B = apy.APyFixedArray(b, int_bits=16, frac_bits=16)

        def apy_mul():
            return (A * B).cast(int_bits=16, frac_bits=16,
                                quantization=apy.QuantizationMode.RND_CONV,
                                overflow=apy.OverflowMode.SAT)

        got = np.asarray(apy_mul().to_bits(), dtype=np.int64)
        got = np.where(got >= 1 << 31, got - (1 << 32), got)
        rows.append(dict(workload=workload, peer=f"APyTypes {apy.__version__}",
                         peer_s=best_time(apy_mul, args.repeat), ours_s=ours_s,
                         note=f"{np.count_nonzero(got != ours)} differ"))

    try:
        import fxpmath
        from fxpmath import Fxp
    except ImportError:
        print("fxpmath not installed: pip install '.[bench]'")
    else:
        config = dict(signed=True, n_word=32, n_frac=16, overflow="saturate", rounding="around")
        X, Y = Fxp(q16.to_float(a), **config), Fxp(q16.to_float(b), **config)
        Z = Fxp(None, **config)
        fxp_s = best_time(lambda: Z.equal(X * Y), 1)  # seconds per call: once is enough
        got = np.asarray(Z.val, dtype=np.int64)
        rows.append(dict(workload=workload, peer=f"fxpmath {fxpmath.__version__}",
                         peer_s=fxp_s, ours_s=ours_s,
                         note=f"{np.count_nonzero(got != ours)} differ"))

    print_table(f"Q16.16 elementwise multiply (ties to even, saturate), "
                f"attncore on {attncore.get_num_threads()} threads", rows)
    print(f"attncore on 1 thread: {ours_1t * 1e3:.2f} ms "
          f"({rows[0]['peer_s'] / ours_1t:.1f}x the NumPy emulation)")


if __name__ == "__main__":
    main()
