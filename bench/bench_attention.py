"""Scaled dot-product attention, attncore vs a NumPy reference that stores
the scores and vs torch.nn.functional.scaled_dot_product_attention (CPU, 2
threads); Q16.16 attention vs the float round trip.  Peak extra memory of
one call is measured in a fresh process per implementation
(bench/_peak_rss.py: rise of ru_maxrss, output included).

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python bench/bench_attention.py
"""
import argparse
import pathlib
import subprocess
import sys

import numpy as np

import attncore
import attncore.q16 as q16
from _harness import compare, print_table
from _peak_rss import numpy_sdpa

try:
    import torch
except ImportError:
    torch = None

HERE = pathlib.Path(__file__).resolve().parent
SETTLE = 0.25  # s between timed calls: see _harness.compare


def peak_mib(impl, bh, length, features, causal):
    cmd = [sys.executable, str(HERE / "_peak_rss.py"), impl, str(bh), str(length), str(features)]
    done = subprocess.run(cmd + (["causal"] if causal else []), capture_output=True, text=True)
    return float(done.stdout) if done.returncode == 0 else float("nan")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    rows = []
    if torch is not None:
        torch.set_num_threads(2)

    for bh, length in ((8, 1024), (4, 4096)):
        q, k, v = (rng.standard_normal((bh, length, 64), dtype=np.float32) for _ in range(3))
        for causal in (False, True):
            name = f"SDPA f32 BH={bh} L=S={length}{' causal' if causal else ''}"
            ours_mib = peak_mib("attncore", bh, length, 64, causal)

            def ours():
                return attncore.scaled_dot_product_attention(q, k, v, is_causal=causal)

            peer_s, ours_s = compare(lambda: numpy_sdpa(q, k, v, causal), ours, args.repeat,
                                     SETTLE)
            rows.append(dict(workload=name, peer="NumPy reference", peer_s=peer_s, ours_s=ours_s,
                             note=f"peak extra {ours_mib:.1f} vs "
                                  f"{peak_mib('numpy', bh, length, 64, causal):.1f} MiB"))
            if torch is not None:
                tq, tk, tv = map(torch.from_numpy, (q, k, v))
                sdpa = torch.nn.functional.scaled_dot_product_attention
                peer_s, ours_s = compare(lambda: sdpa(tq, tk, tv, is_causal=causal), ours,
                                         args.repeat, SETTLE)
                rows.append(dict(workload=name, peer="torch SDPA (2 threads)", peer_s=peer_s,
                                 ours_s=ours_s,
                                 note=f"peak extra {ours_mib:.1f} vs "
                                      f"{peak_mib('torch', bh, length, 64, causal):.1f} MiB"))

    q, k, v = (rng.uniform(-8, 8, (8, 256, 64)) for _ in range(3))
    qq, qk, qv = (q16.from_float(x) for x in (q, k, v))

    def round_trip():
        f = [q16.to_float(x) for x in (qq, qk, qv)]
        return q16.from_float(numpy_sdpa(*f, False))

    peer_s, ours_s = compare(round_trip, lambda: q16.scaled_dot_product_attention(qq, qk, qv),
                             args.repeat)
    rows.append(dict(workload="q16 SDPA BH=8 L=S=256 E=64", peer="q16->float->NumPy->q16",
                     peer_s=peer_s, ours_s=ours_s, note="exact scores, one rounding per output"))
    print_table(f"attention (attncore on {attncore.get_num_threads()} threads)", rows)


if __name__ == "__main__":
    main()
