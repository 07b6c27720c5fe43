"""attncore.dask on a local dask.distributed cluster (2 worker processes, 1
thread each): 10**7 float64 4x4 ``solve`` and ``affine_inverse`` as chunked
Dask arrays, against the same graph through
``dask.array.map_blocks(np.linalg.solve / np.linalg.inv)`` and against
in-memory attncore in this process (2 threads).

Inputs are generated and persisted on the workers first; each timed call
builds the graph, runs it and keeps the result on the workers (``persist``
+ ``wait``), so transfer to the client is not measured.  Scheduling
overhead per chunk is the slope of attncore's time between two chunkings
of the same work: (T(many chunks) - T(few chunks)) / (extra chunks).

Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python bench/bench_dask.py
"""
import argparse
import time

import dask.array as da
import numpy as np
from distributed import Client, LocalCluster, wait

import attncore
import attncore.dask as ad
from _harness import compare, print_table


def _persisted(x):
    x = x.persist()
    wait(x)
    return x


def _timed_graph(build):
    def run():
        result = _persisted(build())
        del result
    return run


def _inputs(count, chunk):
    rng = da.random.default_rng(0)
    a = rng.standard_normal((count, 4, 4), chunks=(chunk, 4, 4)) + 4 * np.eye(4)
    b = rng.standard_normal((count, 4, 1), chunks=(chunk, 4, 1))
    lin = rng.uniform(0.5, 2.0, (count, 3, 3), chunks=(chunk, 3, 3)) + 2 * np.eye(3)
    top = da.concatenate([lin, rng.uniform(-10, 10, (count, 3, 1), chunks=(chunk, 3, 1))], -1)
    bottom = da.broadcast_to(np.array([0.0, 0.0, 0.0, 1.0]), (count, 1, 4), chunks=(chunk, 1, 4))
    m = da.concatenate([top, bottom], axis=-2)
    return [_persisted(x.rechunk((chunk, -1, -1))) for x in (a, b, m)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10**7, help="4x4 problems")
    parser.add_argument("--chunk", type=int, default=250_000, help="problems per chunk")
    parser.add_argument("--small-chunk", type=int, default=10_000,
                        help="problems per chunk for the overhead slope")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    n, chunk = args.count, args.chunk

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        threads = client.run(attncore.get_num_threads)
        a, b, m = _inputs(n, chunk)
        a_mem, b_mem, m_mem = (x.compute() for x in (a, b, m))
        chunks = a.numblocks[0]
        rows = []

        peer, ours = compare(
            _timed_graph(lambda: da.map_blocks(np.linalg.solve, a, b, dtype=a.dtype)),
            _timed_graph(lambda: ad.solve(a, b)), args.repeat, settle=0.2)
        rows.append(dict(workload=f"solve {n:.0e}x4x4, {chunks} chunks", peer="dask+np.linalg",
                         peer_s=peer, ours_s=ours))
        memory, _ = compare(lambda: attncore.solve(a_mem, b_mem), lambda: None, args.repeat)
        rows.append(dict(workload=f"solve {n:.0e}x4x4", peer="attncore in memory",
                         peer_s=memory, ours_s=ours, note="ours = attncore.dask on 2 workers"))

        peer, ours = compare(
            _timed_graph(lambda: da.map_blocks(np.linalg.inv, m, dtype=m.dtype)),
            _timed_graph(lambda: ad.affine_inverse(m)), args.repeat, settle=0.2)
        rows.append(dict(workload=f"affine_inverse {n:.0e}x4x4", peer="dask+np.linalg.inv",
                         peer_s=peer, ours_s=ours))
        memory, _ = compare(lambda: attncore.affine_inverse(m_mem), lambda: None, args.repeat)
        rows.append(dict(workload=f"affine_inverse {n:.0e}x4x4", peer="attncore in memory",
                         peer_s=memory, ours_s=ours, note="ours = attncore.dask on 2 workers"))

        small = args.small_chunk
        a_s, b_s = (_persisted(x.rechunk((small, -1, -1))) for x in (a, b))
        few, many = compare(_timed_graph(lambda: ad.solve(a, b)),
                            _timed_graph(lambda: ad.solve(a_s, b_s)), args.repeat, settle=0.2)
        extra = a_s.numblocks[0] - chunks
        print_table(f"attncore.dask, local cluster of 2 processes (attncore threads per worker: "
                    f"{sorted(set(threads.values()))}; this process: "
                    f"{attncore.get_num_threads()})", rows)
        print(f"\nscheduling overhead per chunk (solve, {chunks} vs {a_s.numblocks[0]} chunks): "
              f"{few * 1e3:.0f} ms vs {many * 1e3:.0f} ms -> "
              f"{(many - few) / extra * 1e3:.3f} ms per extra chunk "
              f"({(many - few) / extra / (2 * few / chunks) * 100:.0f}% of one "
              f"{chunk}-problem chunk's share of the run)")


if __name__ == "__main__":
    start = time.perf_counter()
    main()
    print(f"(took {time.perf_counter() - start:.0f} s)")
