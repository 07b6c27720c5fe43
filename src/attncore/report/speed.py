"""The speed table of ``attncore report``: attncore against the libraries a
user would otherwise call, on the headline workloads of the kernel issues
(smaller in ``--quick``), timed in the same run, best of ``repeat``
interleaved calls.  PyTorch is a peer only when installed."""
import time

import numpy as np

import attncore
import attncore.q16 as q16


SETTLE_S = 0.1  # idle BLAS / OpenMP threads of the other side stop spinning first


def _best(fn, repeat):
    fn()
    best = float("inf")
    for _ in range(repeat):
        time.sleep(SETTLE_S)
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def _numpy_sdpa(q, k, v):
    s = q @ np.swapaxes(k, -1, -2) * np.float32(1 / np.sqrt(q.shape[-1]))
    s = np.exp(s - s.max(-1, keepdims=True))
    return (s / s.sum(-1, keepdims=True)) @ v


def _numpy_softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def workloads(rng, quick=True):
    """(name, peer name, peer fn, attncore fn) for every headline workload."""
    try:
        import torch
    except ImportError:
        torch = None
    scale = 1 if quick else 4
    n = 1_000_000 * scale
    a = rng.integers(-(1 << 20), 1 << 20, n).astype(np.int32)
    b = rng.integers(-(1 << 20), 1 << 20, n).astype(np.int32)

    def emulated_mul():
        p = a.astype(np.int64) * b
        return np.clip((p + (1 << 15)) >> 16, q16.MIN, q16.MAX).astype(np.int32)

    out = [(f"q16.mul {n}", "NumPy int64 emulation", emulated_mul, lambda: q16.mul(a, b))]
    m = rng.standard_normal((25_000 * scale, 4, 4))
    out.append((f"matmul f64 {m.shape[0]}x4x4", "np.matmul", lambda: np.matmul(m, m),
                lambda: attncore.matmul(m, m)))
    x = rng.standard_normal((256 * scale, 1024)).astype(np.float32)
    out.append((f"softmax f32 {x.shape}", "NumPy reference", lambda: _numpy_softmax(x),
                lambda: attncore.softmax(x)))
    q, k, v = (rng.standard_normal((2 * scale, 512, 64)).astype(np.float32) for _ in range(3))
    out.append((f"SDPA f32 {q.shape}", "NumPy reference", lambda: _numpy_sdpa(q, k, v),
                lambda: attncore.scaled_dot_product_attention(q, k, v)))
    s = rng.standard_normal((25_000 * scale, 4, 4)) + 4 * np.eye(4)
    rhs = rng.standard_normal((s.shape[0], 4, 1))
    out.append((f"solve f64 {s.shape[0]}x4x4", "np.linalg.solve",
                lambda: np.linalg.solve(s, rhs), lambda: attncore.solve(s, rhs)))
    t = np.tile(np.eye(4), (s.shape[0], 1, 1))
    t[:, :3, :3] = s[:, :3, :3]
    out.append((f"affine_inverse f64 {s.shape[0]}x4x4", "np.linalg.inv",
                lambda: np.linalg.inv(t), lambda: attncore.affine_inverse(t)))
    if torch is not None:
        tx, tq, tk, tv, ts, tr = (torch.from_numpy(z) for z in (x, q, k, v, s, rhs))
        out.append((f"softmax f32 {x.shape}", "torch.softmax", lambda: torch.softmax(tx, -1),
                    lambda: attncore.softmax(x)))
        out.append((f"SDPA f32 {q.shape}", "torch SDPA",
                    lambda: torch.nn.functional.scaled_dot_product_attention(tq, tk, tv),
                    lambda: attncore.scaled_dot_product_attention(q, k, v)))
        out.append((f"solve f64 {s.shape[0]}x4x4", "torch.linalg.solve",
                    lambda: torch.linalg.solve(ts, tr), lambda: attncore.solve(s, rhs)))
    return out


def measure(name, peer, peer_fn, ours_fn, repeat):
    peer_s, ours_s = _best(peer_fn, repeat), _best(ours_fn, repeat)
    return dict(workload=name, peer=peer, peer_ms=peer_s * 1e3, attncore_ms=ours_s * 1e3,
                speedup=peer_s / ours_s)
