"""Measure the constants of src/attncore/_kernels/costs.pxd (the runtime's
cost model) on this machine, one thread, and print them.

Each kernel is timed through the public API with ``set_num_threads(1)`` at
two sizes; the minimum of ``--repeat`` calls per size is kept (minima are
what repeats on a shared machine), and the per-unit and per-call costs are
solved from the two sizes.  Run it on the reference machine after changing a
kernel, then copy the printed values into costs.pxd with the date and the
machine.  The constants decide only how many threads a call gets, never a
result.

    python tools/measure_costs.py [--repeat 15]
"""
import argparse
import time

import numpy as np

import attncore
from attncore import fp, q16


def best(fn, repeat):
    fn()
    t = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        t = min(t, time.perf_counter() - start)
    return t


def two_point(t1, u1, c1, t2, u2, c2):
    """Solve t = u * per_unit + c * per_call from two measurements (ps)."""
    det = u1 * c2 - u2 * c1
    per_unit = (t1 * c2 - t2 * c1) / det
    per_call = (u1 * t2 - u2 * t1) / det
    return max(per_unit, 0.0) * 1e12, max(per_call, 0.0) * 1e12


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    rep = parser.parse_args().repeat
    attncore.set_num_threads(1)
    rng = np.random.default_rng(0)
    out = {}

    n = 1_000_000
    a = q16.from_float(rng.uniform(-100, 100, n))
    b = q16.from_float(rng.uniform(0.5, 100, n))
    x64 = rng.uniform(-100, 100, n)
    x32 = x64.astype(np.float32)
    i64 = np.arange(n) % 1000
    for name, fn in [("PS_EW_ADD", lambda: q16.add(a, b)), ("PS_EW_SUB", lambda: q16.sub(a, b)),
                     ("PS_EW_MUL", lambda: q16.mul(a, b)), ("PS_EW_DIV", lambda: q16.div(a, b)),
                     ("PS_EW_SQRT", lambda: q16.sqrt(b)), ("PS_EW_EXP", lambda: q16.exp(a >> 4)),
                     ("PS_EW_FROM_F64", lambda: q16.from_float(x64)),
                     ("PS_EW_FROM_F32", lambda: q16.from_float(x32)),
                     ("PS_EW_FROM_I64", lambda: q16.from_float(i64)),
                     ("PS_EW_TO_F64", lambda: q16.to_float(a))]:
        out[name] = best(fn, rep) / n * 1e12

    for kind, dtype in [("F32", np.float32), ("F64", np.float64), ("Q16", None)]:
        big = rng.standard_normal((1000, 1000))
        small = rng.standard_normal((100_000, 40))
        if dtype is None:
            big, small = q16.from_float(big), q16.from_float(small)
            sm = q16.softmax
        else:
            big, small = big.astype(dtype), small.astype(dtype)
            sm = fp.softmax
        t1, t2 = best(lambda: sm(big), rep), best(lambda: sm(small), rep)
        per_el, per_row = two_point(t1, 1e6, 1000, t2, 4e6, 100_000)
        out[f"PS_SOFTMAX_{kind}"] = per_el
        out[f"PS_SOFTMAX_ROW ({kind})"] = per_row

    m4 = q16.from_float(rng.uniform(-4, 4, (100_000, 4, 4)))
    m32 = q16.from_float(rng.uniform(-4, 4, (200, 32, 32)))
    t1, t2 = best(lambda: q16.matmul(m4, m4), rep), best(lambda: q16.matmul(m32, m32), rep)
    out["PS_Q16_MAC"], out["PS_Q16_ITEM"] = two_point(t1, 100_000 * 64, 100_000,
                                                      t2, 200 * 32**3, 200)

    for kind, dtype in [("F32", np.float32), ("F64", np.float64)]:
        f4 = rng.standard_normal((100_000, 4, 4)).astype(dtype)
        f12 = rng.standard_normal((20_000, 12, 12)).astype(dtype)
        t1, t2 = best(lambda: fp.matmul(f4, f4), rep), best(lambda: fp.matmul(f12, f12), rep)
        mac, item = two_point(t1, 100_000 * 64, 100_000, t2, 20_000 * 12**3, 20_000)
        out[f"PS_FP_SMALL_MAC_{kind}"], out[f"PS_FP_SMALL_ITEM ({kind})"] = mac, item
        g_big = rng.standard_normal((1024, 256)).astype(dtype)
        g_b = rng.standard_normal((256, 256)).astype(dtype)
        g16 = rng.standard_normal((5000, 16, 16)).astype(dtype)
        t1 = best(lambda: fp.matmul(g_big, g_b), rep)
        t2 = best(lambda: fp.matmul(g16, g16), rep)
        fma, call = two_point(t1, 1024 * 256 * 256, 1, t2, 5000 * 16**3, 5000)
        out[f"PS_GEMM_FMA_{kind}"], out[f"PS_GEMM_CALL ({kind})"] = fma, call
        q = rng.standard_normal((8, 512, 64)).astype(dtype)
        t = best(lambda: fp.scaled_dot_product_attention(q, q, q), rep)
        scores = 8 * 512 * 512
        out[f"PS_ATT_SCORE_{kind}"] = (t * 1e12 - scores * 128 * fma) / scores

    qa = q16.from_float(rng.uniform(-1, 1, (4, 128, 8)))
    qb = q16.from_float(rng.uniform(-1, 1, (4, 128, 64)))
    t1 = best(lambda: q16.scaled_dot_product_attention(qa, qa, qa), rep)
    t2 = best(lambda: q16.scaled_dot_product_attention(qb, qb, qb), rep)
    scores = 4 * 128 * 128
    out["PS_ATT_Q16_MAC"], out["PS_ATT_Q16_SCORE"] = two_point(t1, scores * 16, scores,
                                                               t2, scores * 128, scores)

    s = rng.standard_normal((100_000, 4, 4)) + 4 * np.eye(4)
    r = rng.standard_normal((100_000, 4, 1))
    s32, r32 = s.astype(np.float32), r.astype(np.float32)
    sq, rq = q16.from_float(s), q16.from_float(r)
    for kind, fn in [("F32", lambda: fp.solve(s32, r32)), ("F64", lambda: fp.solve(s, r)),
                     ("Q16", lambda: q16.solve(sq, rq))]:
        out[f"PS_LINALG_{kind}"] = best(fn, rep) / 100_000 * 1e12

    for name, value in out.items():
        print(f"{name:28s} {value:12.0f}")


if __name__ == "__main__":
    main()
