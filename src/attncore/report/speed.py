"""The speed protocol of ``attncore report`` and ``bench/bench_regimes.py``
(one implementation: the bench imports this module).

A user does not call attncore in a hot loop on an idle machine, so every
headline workload is timed in four regimes:

``hot``
    back to back: each timed call right after an untimed call of the same
    function;
``sporadic``
    about 20 ms idle before each call (a pipeline stage called once per
    frame, a request handler): idle thread pools have gone to sleep;
``interleaved``
    a 256 x 256 float32 ``np.matmul`` (NumPy's BLAS) right before each call;
``loaded``
    another process keeps one CPU busy for the whole regime, calls back to
    back.

In each round every variant is timed once, in a freshly shuffled order, the
same way (the regime's preparation, then one timed call): attncore with the
default threads, attncore with one thread, and each peer (NumPy; PyTorch
when installed).  A row reports medians (a stall every other call shows in
a median, not in a best time), the p10-p90 spread, the speed-up (peer
median / attncore median) and default threads / one thread.
"""
import contextlib
import os
import subprocess
import sys
import time
from typing import Callable, NamedTuple

import numpy as np

import attncore
import attncore.q16 as q16

REGIMES = ("hot", "sporadic", "interleaved", "loaded")
SPORADIC_IDLE_S = 0.020
ONE_THREAD = "attncore 1 thread"


class Workload(NamedTuple):
    name: str
    ours: Callable[[], object]
    peers: tuple  # ((peer name, fn), ...)


def _numpy_sdpa(q, k, v):
    s = q @ np.swapaxes(k, -1, -2) * np.float32(1 / np.sqrt(q.shape[-1]))
    s = np.exp(s - s.max(-1, keepdims=True))
    return (s / s.sum(-1, keepdims=True)) @ v


def _numpy_softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def _q16_emulation_mul(a, b):
    """What a NumPy user writes for Q16.16: int64 product, rounding shift, clip."""
    p = a.astype(np.int64) * b
    return np.clip((p + (1 << 15)) >> 16, q16.MIN, q16.MAX).astype(np.int32)


def _q16_emulation_matmul(a, b):
    p = a.astype(np.int64) @ b.astype(np.int64)
    return np.clip((p + (1 << 15)) >> 16, q16.MIN, q16.MAX).astype(np.int32)


def workloads(rng, quick=False, torch="auto"):
    """The headline workloads of issue 16 (``quick``: the same kinds at about
    a quarter of the size), each with NumPy as a peer and PyTorch too when
    it is importable (``torch=None`` leaves it out)."""
    if torch == "auto":
        try:
            import torch
        except ImportError:
            torch = None
    d = 4 if quick else 1
    out = []

    def add(name, ours, numpy_peer, torch_peer=None):
        peers = [numpy_peer]
        if torch is not None and torch_peer is not None:
            peers.append(torch_peer)
        out.append(Workload(name, ours, tuple(peers)))

    def tensors(*arrays):
        return [torch.from_numpy(x) for x in arrays] if torch is not None else arrays

    m = rng.standard_normal((100_000 // d, 4, 4)).astype(np.float32)
    (tm,) = tensors(m)
    add(f"matmul f32 {m.shape[0]}x4x4", lambda: attncore.matmul(m, m),
        ("np.matmul", lambda: np.matmul(m, m)), ("torch.matmul", lambda: torch.matmul(tm, tm)))
    a = rng.standard_normal((32 // d, 128, 64)).astype(np.float32)
    b = rng.standard_normal((32 // d, 64, 128)).astype(np.float32)
    ta, tb = tensors(a, b)
    add(f"matmul f32 {a.shape}@{b.shape}", lambda: attncore.matmul(a, b),
        ("np.matmul", lambda: np.matmul(a, b)), ("torch.matmul", lambda: torch.matmul(ta, tb)))
    for shape in [(256, 1024), (8 // d, 1024, 1024)]:
        x = rng.standard_normal(shape).astype(np.float32)
        (tx,) = tensors(x)
        add(f"softmax f32 {shape}", lambda x=x: attncore.softmax(x),
            ("NumPy reference", lambda x=x: _numpy_softmax(x)),
            ("torch.softmax", lambda tx=tx: torch.softmax(tx, -1)))
    for length in (512, 1024):
        q, k, v = (rng.standard_normal((8 // d, length, 64)).astype(np.float32)
                   for _ in range(3))
        tq, tk, tv = tensors(q, k, v)
        add(f"SDPA f32 {q.shape}",
            lambda q=q, k=k, v=v: attncore.scaled_dot_product_attention(q, k, v),
            ("NumPy reference", lambda q=q, k=k, v=v: _numpy_sdpa(q, k, v)),
            ("torch SDPA", lambda tq=tq, tk=tk, tv=tv:
             torch.nn.functional.scaled_dot_product_attention(tq, tk, tv)))
    n = 100_000 // d
    s = rng.standard_normal((n, 4, 4)) + 4 * np.eye(4)
    rhs = rng.standard_normal((n, 4, 1))
    ts, tr = tensors(s, rhs)
    add(f"solve f64 {n}x4x4", lambda: attncore.solve(s, rhs),
        ("np.linalg.solve", lambda: np.linalg.solve(s, rhs)),
        ("torch.linalg.solve", lambda: torch.linalg.solve(ts, tr)))
    t = np.tile(np.eye(4), (n, 1, 1))
    t[:, :3, :3] = s[:, :3, :3]
    t[:, :3, 3] = rng.standard_normal((n, 3))
    (tt,) = tensors(t)
    add(f"affine_inverse f64 {n}x4x4", lambda: attncore.affine_inverse(t),
        ("np.linalg.inv", lambda: np.linalg.inv(t)),
        ("torch.linalg.inv", lambda: torch.linalg.inv(tt)))
    size = 1_000_000 // d
    xa = rng.integers(-(1 << 20), 1 << 20, size).astype(np.int32)
    xb = rng.integers(-(1 << 20), 1 << 20, size).astype(np.int32)
    add(f"q16.mul {size}", lambda: q16.mul(xa, xb),
        ("NumPy int64 emulation", lambda: _q16_emulation_mul(xa, xb)))
    qm = q16.from_float(rng.uniform(-4, 4, (10_000 // d, 4, 4)))
    add(f"q16.matmul {qm.shape[0]}x4x4", lambda: q16.matmul(qm, qm),
        ("NumPy int64 emulation", lambda: _q16_emulation_matmul(qm, qm)))
    return out


# ---- the regimes -----------------------------------------------------------

_BUSY = "import os, sys\nos.sched_setaffinity(0, {int(sys.argv[1])})\nwhile True:\n    pass\n"


@contextlib.contextmanager
def one_cpu_busy():
    """Another process spinning on one of this process's CPUs (the first)."""
    try:
        cpu = min(os.sched_getaffinity(0))
    except AttributeError:  # not Linux: no pinning, still one busy process
        cpu = 0
    proc = subprocess.Popen([sys.executable, "-c", _BUSY, str(cpu)])
    try:
        time.sleep(0.2)  # let it start spinning
        yield
    finally:
        proc.kill()
        proc.wait()


class _Interleave:
    def __init__(self, rng):
        self.x = rng.standard_normal((256, 256)).astype(np.float32)

    def __call__(self):
        np.matmul(self.x, self.x)


def _prepare(regime, fn, interleave):
    if regime in ("hot", "loaded"):
        fn()
    elif regime == "sporadic":
        time.sleep(SPORADIC_IDLE_S)
    elif regime == "interleaved":
        interleave()


def _timed(fn, threads):
    previous = attncore.set_num_threads(threads) if threads else None
    try:
        start = time.perf_counter()
        fn()
        return time.perf_counter() - start
    finally:
        if previous is not None:
            attncore.set_num_threads(previous)


def _sample(workload, regime, rounds, rng, interleave):
    """Seconds per variant: {variant name: [rounds times]}."""
    variants = [("attncore", workload.ours, None), (ONE_THREAD, workload.ours, 1)]
    variants += [(name, fn, None) for name, fn in workload.peers]
    for _, fn, threads in variants:  # warm caches, allocators and thread pools
        _timed(fn, threads)
    times = {name: [] for name, _, _ in variants}
    for _ in range(rounds):
        for i in rng.permutation(len(variants)):
            name, fn, threads = variants[i]
            if threads:
                previous = attncore.set_num_threads(threads)
                try:
                    _prepare(regime, fn, interleave)
                finally:
                    attncore.set_num_threads(previous)
            else:
                _prepare(regime, fn, interleave)
            times[name].append(_timed(fn, threads))
    return times


def _stats(seconds):
    ms = np.asarray(seconds) * 1e3
    return float(np.median(ms)), float(np.percentile(ms, 10)), float(np.percentile(ms, 90))


def measure(work, regimes=REGIMES, rounds=21, seed=0, progress=None):
    """Time ``work`` (from :func:`workloads`) in ``regimes``; one row per
    (workload, regime, peer), in that order."""
    unknown = sorted(set(regimes) - set(REGIMES))
    if unknown:
        raise ValueError(f"unknown regime(s) {unknown}; choose from {REGIMES}")
    rng = np.random.default_rng(seed)
    interleave = _Interleave(rng)
    samples = {}
    for regime in regimes:
        with one_cpu_busy() if regime == "loaded" else contextlib.nullcontext():
            for w in work:
                samples[w.name, regime] = _sample(w, regime, rounds, rng, interleave)
                if progress is not None:
                    progress.update(1)
    rows = []
    for w in work:
        for regime in regimes:
            times = samples[w.name, regime]
            ours, ours_p10, ours_p90 = _stats(times["attncore"])
            one = _stats(times[ONE_THREAD])[0]
            for peer, _ in w.peers:
                peer_ms, peer_p10, peer_p90 = _stats(times[peer])
                rows.append(dict(
                    workload=w.name, regime=regime, peer=peer, rounds=rounds,
                    peer_ms=peer_ms, peer_p10_ms=peer_p10, peer_p90_ms=peer_p90,
                    attncore_ms=ours, attncore_p10_ms=ours_p10, attncore_p90_ms=ours_p90,
                    attncore_1thread_ms=one, speedup=peer_ms / ours, threads_ratio=ours / one))
    return rows


def table(rows):
    """The rows as text: per workload and regime, medians and spreads."""
    lines = ["Speed in four regimes (medians of interleaved, shuffled calls; speed-up = peer "
             "median / attncore median; threads/1 = attncore default threads / one thread)",
             f"{'workload':<36} {'regime':<11} {'peer':<22} {'peer ms':>9} {'attncore ms':>11} "
             f"{'p10-p90':>15} {'1-thread':>9} {'speed-up':>9} {'threads/1':>9}"]
    lines.append("-" * len(lines[-1]))
    last = None
    for r in rows:
        if last is not None and r["workload"] != last:
            lines.append("")
        last = r["workload"]
        spread = f"{r['attncore_p10_ms']:.3g}-{r['attncore_p90_ms']:.3g}"
        lines.append(f"{r['workload']:<36} {r['regime']:<11} {r['peer']:<22} "
                     f"{r['peer_ms']:>9.3f} {r['attncore_ms']:>11.3f} {spread:>15} "
                     f"{r['attncore_1thread_ms']:>9.3f} {r['speedup']:>8.2f}x "
                     f"{r['threads_ratio']:>9.2f}")
    return "\n".join(lines)
