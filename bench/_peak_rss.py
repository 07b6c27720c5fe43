"""Peak extra memory of one attention call, measured in a fresh process:
the resident-set high-water mark during the call (VmHWM, reset through
/proc/self/clear_refs just before it) minus the resident set before it,
after the inputs exist and a small warm-up call has loaded every library.
Works for any peer (tracemalloc does not see PyTorch's allocator); the
lifetime maximum ru_maxrss would not do, as library start-up can leave it
above the resident set.

    python bench/_peak_rss.py IMPL BH L E [causal]      prints MiB
"""
import sys

import numpy as np


def numpy_sdpa(q, k, v, causal):
    s = q @ np.swapaxes(k, -1, -2) * np.float32(1 / np.sqrt(q.shape[-1]))
    if causal:
        s = np.where(np.tril(np.ones(s.shape[-2:], bool)), s, np.float32(-np.inf))
    s -= s.max(-1, keepdims=True)
    np.exp(s, out=s)
    s /= s.sum(-1, keepdims=True)
    return s @ v


def make_call(impl):
    if impl == "numpy":
        return numpy_sdpa
    if impl == "attncore":
        import attncore
        return lambda q, k, v, c: attncore.scaled_dot_product_attention(q, k, v, is_causal=c)
    if impl == "torch":
        import torch
        torch.set_num_threads(2)
        f = torch.nn.functional.scaled_dot_product_attention
        return lambda q, k, v, c: f(torch.from_numpy(q), torch.from_numpy(k), torch.from_numpy(v),
                                    is_causal=c)
    raise SystemExit(f"unknown impl {impl}")


def status_kib(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def main():
    impl, bh, length, features = sys.argv[1], *map(int, sys.argv[2:5])
    causal = len(sys.argv) > 5 and sys.argv[5] == "causal"
    call = make_call(impl)
    rng = np.random.default_rng(0)
    q, k, v = (rng.standard_normal((bh, length, features), dtype=np.float32) for _ in range(3))
    call(q[:1, :64], k[:1, :64], v[:1, :64], causal)
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # reset VmHWM to the current resident set
    before = status_kib("VmRSS")
    call(q, k, v, causal)
    print(f"{(status_kib('VmHWM') - before) / 1024:.1f}")


if __name__ == "__main__":
    main()
