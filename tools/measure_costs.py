"""Measure the constants of src/attncore/_kernels/costs.pxd (the runtime's
cost model) on this machine, one thread, and print them.

Each kernel is timed through the public API with ``set_num_threads(1)`` at
two sizes; the minimum of ``--repeat`` calls per size is kept, and the
per-unit and per-call costs are solved from the two sizes.  The sizes make
calls of about 0.1-2 ms: short enough that the minimum of many is a call no
other process interrupted, so the numbers hold on a shared machine too.  Run it on the reference machine after changing a
kernel, then copy the printed values into costs.pxd with the date and the
machine.  The constants decide only how many threads a call gets, never a
result.

    python tools/measure_costs.py [--repeat 200]
"""
import argparse
import time

import numpy as np

import attncore
from attncore import fp, q16
from attncore._kernels import elementwise as elementwise_kernels


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
    parser.add_argument("--repeat", type=int, default=200)
    rep = parser.parse_args().repeat
    attncore.set_num_threads(1)
    rng = np.random.default_rng(0)
    out = {}

    # elementwise: the kernel module itself (the public functions add NumPy
    # passes of their own, which no thread shares)
    def elementwise(name, n, fn):
        out[name] = best(lambda: fn(n), rep) / n * 1e12

    a = q16.from_float(rng.uniform(-100, 100, 200_000))
    b = q16.from_float(rng.uniform(0.5, 100, 200_000))
    x64 = rng.uniform(-100, 100, 200_000)
    x32 = x64.astype(np.float32)
    i64 = np.arange(200_000) % 1000
    res = np.empty(200_000, np.int32)
    res64 = np.empty(200_000)
    for name, op, n in [("ADD", "add", 200_000), ("SUB", "sub", 200_000),
                        ("MUL", "mul", 200_000), ("DIV", "div", 20_000)]:
        elementwise(f"PS_EW_{name}", n,
                    lambda n, op=op: elementwise_kernels.binary(op, a[:n], b[:n], res[:n], 0, 0))
    elementwise("PS_EW_SQRT", 2_000,
                lambda n: elementwise_kernels.unary("sqrt", b[:n], res[:n], 0, 0))
    shifted = a >> 4
    elementwise("PS_EW_EXP", 2_000,
                lambda n: elementwise_kernels.unary("exp", shifted[:n], res[:n], 0, 0))
    for name, x, n in [("F64", x64, 20_000), ("F32", x32, 20_000), ("I64", i64, 200_000)]:
        elementwise(f"PS_EW_FROM_{name}", n,
                    lambda n, x=x: elementwise_kernels.from_real(x[:n], res[:n], 0, 0))
    elementwise("PS_EW_TO_F64", 200_000,
                lambda n: elementwise_kernels.to_double(a[:n], res64[:n]))

    for kind, dtype in [("F32", np.float32), ("F64", np.float64), ("Q16", None)]:
        big = rng.standard_normal((100, 1000))
        small = rng.standard_normal((2500, 40))
        if dtype is None:
            big, small = q16.from_float(big), q16.from_float(small)
            sm = q16.softmax
        else:
            big, small = big.astype(dtype), small.astype(dtype)
            sm = fp.softmax
        t1, t2 = best(lambda: sm(big), rep), best(lambda: sm(small), rep)
        per_el, per_row = two_point(t1, 1e5, 100, t2, 1e5, 2500)
        out[f"PS_SOFTMAX_{kind}"] = per_el
        out[f"PS_SOFTMAX_ROW ({kind})"] = per_row

    m4 = q16.from_float(rng.uniform(-4, 4, (5000, 4, 4)))
    m32 = q16.from_float(rng.uniform(-4, 4, (20, 32, 32)))
    t1, t2 = best(lambda: q16.matmul(m4, m4), rep), best(lambda: q16.matmul(m32, m32), rep)
    out["PS_Q16_MAC"], out["PS_Q16_ITEM"] = two_point(t1, 5000 * 64, 5000, t2, 20 * 32**3, 20)

    for kind, dtype in [("F32", np.float32), ("F64", np.float64)]:
        f4 = rng.standard_normal((10_000, 4, 4)).astype(dtype)
        f8 = rng.standard_normal((1000, 8, 8)).astype(dtype)  # below the GEMM's 10^3
        t1, t2 = best(lambda: fp.matmul(f4, f4), rep), best(lambda: fp.matmul(f8, f8), rep)
        mac, item = two_point(t1, 10_000 * 64, 10_000, t2, 1000 * 8**3, 1000)
        out[f"PS_FP_SMALL_MAC_{kind}"], out[f"PS_FP_SMALL_ITEM ({kind})"] = mac, item
        g_big = rng.standard_normal((256, 256)).astype(dtype)
        g16 = rng.standard_normal((500, 16, 16)).astype(dtype)
        t1 = best(lambda: fp.matmul(g_big, g_big), rep)
        t2 = best(lambda: fp.matmul(g16, g16), rep)
        fma, call = two_point(t1, 256**3, 1, t2, 500 * 16**3, 500)
        out[f"PS_GEMM_FMA_{kind}"], out[f"PS_GEMM_CALL ({kind})"] = fma, call
        q = rng.standard_normal((1, 256, 64)).astype(dtype)
        t = best(lambda: fp.scaled_dot_product_attention(q, q, q), rep)
        scores = 256 * 256
        out[f"PS_ATT_SCORE_{kind}"] = (t * 1e12 - scores * 128 * fma) / scores

    qa = q16.from_float(rng.uniform(-1, 1, (1, 64, 8)))
    qb = q16.from_float(rng.uniform(-1, 1, (1, 64, 64)))
    t1 = best(lambda: q16.scaled_dot_product_attention(qa, qa, qa), rep)
    t2 = best(lambda: q16.scaled_dot_product_attention(qb, qb, qb), rep)
    scores = 64 * 64
    out["PS_ATT_Q16_MAC"], out["PS_ATT_Q16_SCORE"] = two_point(t1, scores * 16, scores,
                                                               t2, scores * 128, scores)

    s = rng.standard_normal((1000, 4, 4)) + 4 * np.eye(4)
    r = rng.standard_normal((1000, 4, 1))
    s32, r32 = s.astype(np.float32), r.astype(np.float32)
    sq, rq = q16.from_float(s), q16.from_float(r)
    for kind, fn in [("F32", lambda: fp.solve(s32, r32)), ("F64", lambda: fp.solve(s, r)),
                     ("Q16", lambda: q16.solve(sq, rq))]:
        out[f"PS_LINALG_{kind}"] = best(fn, rep) / 1000 * 1e12

    for name, value in out.items():
        print(f"{name:28s} {value:12.0f}")


if __name__ == "__main__":
    main()
