"""Every kernel once, on inputs large enough that the runtime uses threads
with its default grain: the thread-count, fork and huge-thread-count tests
compare these results between runs.  A plain module (no pytest), so forked
and forkserver children can import it."""
import numpy as np

import attncore
from attncore import fp, q16


def _inputs(seed):
    rng = np.random.default_rng(seed)
    x = {}
    x["m4"] = rng.standard_normal((30_000, 4, 4))
    x["bmm_a"] = rng.standard_normal((32, 512, 64)).astype(np.float32)
    x["bmm_b"] = rng.standard_normal((32, 64, 64)).astype(np.float32)
    x["big_a"] = rng.standard_normal((1000, 384)).astype(np.float32)
    x["big_b"] = rng.standard_normal((384, 200)).astype(np.float32)
    x["sm"] = rng.standard_normal((300, 1024)).astype(np.float32)
    x["sm_mask"] = rng.random((300, 1024)) < 0.9
    x["q"] = rng.standard_normal((4, 300, 32)).astype(np.float32)
    x["k"] = rng.standard_normal((4, 500, 32)).astype(np.float32)
    x["v"] = rng.standard_normal((4, 500, 24)).astype(np.float32)
    x["att_mask"] = rng.random((300, 500)) < 0.8
    x["att_bias"] = np.where(rng.random((300, 500)) < 0.2, -np.inf,
                             rng.standard_normal((300, 500))).astype(np.float32)
    x["qq"] = q16.from_float(rng.uniform(-2, 2, (2, 96, 16)))
    x["qk"] = q16.from_float(rng.uniform(-2, 2, (2, 128, 16)))
    x["qv"] = q16.from_float(rng.uniform(-2, 2, (2, 128, 8)))
    x["e1"] = q16.from_float(rng.uniform(-300, 300, 400_000))
    x["e2"] = q16.from_float(rng.uniform(-300, 300, 400_000))
    x["sys"] = rng.standard_normal((20_000, 4, 4)) + 4 * np.eye(4)
    x["rhs"] = rng.standard_normal((20_000, 4, 2))
    x["qm"] = q16.from_float(rng.uniform(-50, 50, (20_000, 4, 4)))
    x["qbig"] = q16.from_float(rng.uniform(-4, 4, (200, 160)))
    x["x_mha"] = rng.standard_normal((2, 100, 64))
    x["w"] = rng.standard_normal((4, 64, 64)) / 8
    return x


def run_all(seed=0):
    """{name: result} for every kernel; reports are in the results too."""
    x = _inputs(seed)
    r = {}
    r["fp.matmul 4x4"] = fp.matmul(x["m4"], x["m4"])
    r["fp.matmul f32 batch"] = fp.matmul(x["bmm_a"], x["bmm_b"])  # issue 15's case
    r["fp.matmul f32 one large product"] = fp.matmul(x["big_a"], x["big_b"])
    r["fp.matmul broadcast B"] = fp.matmul(x["bmm_a"], x["bmm_b"][0])
    r["fp.softmax"] = fp.softmax(x["sm"])
    r["fp.softmax masked f64"] = fp.softmax(x["sm"].astype(np.float64), mask=x["sm_mask"])
    r["fp.log_softmax"] = fp.log_softmax(x["sm"])
    q, k, v = x["q"], x["k"], x["v"]
    r["fp.sdpa"] = fp.scaled_dot_product_attention(q, k, v)
    r["fp.sdpa causal"] = fp.scaled_dot_product_attention(q, k, v, is_causal=True)
    r["fp.sdpa bool mask + weights"] = fp.scaled_dot_product_attention(
        q, k, v, mask=x["att_mask"], return_weights=True)
    r["fp.sdpa additive mask f64"] = fp.scaled_dot_product_attention(
        q.astype(np.float64), k, v, mask=x["att_bias"].astype(np.float64))
    r["fp.mha"] = fp.multi_head_attention(x["x_mha"], x["x_mha"], x["x_mha"], *x["w"], 4,
                                          is_causal=True)
    r["q16.matmul batch"] = q16.matmul(x["qm"], x["qm"])
    r["q16.matmul one large product"] = q16.matmul(x["qbig"], x["qbig"].T)
    with q16.count_saturations() as sat:
        r["q16.mul"] = q16.mul(x["e1"], x["e2"])
        r["q16.div"] = q16.div(x["e1"], x["e2"])
        r["q16.exp"] = q16.exp(x["e1"] >> 8)
        r["q16.sqrt"] = q16.sqrt(np.abs(x["e1"]))
        r["q16.add"] = q16.add(x["e1"], x["e2"])
        r["q16.from_float"] = q16.from_float(q16.to_float(x["e1"]) * 1000)
        r["q16.matmul saturating"] = q16.matmul(x["qm"] << 6, x["qm"] << 6)
    r["saturation report"] = sorted(sat.saturated.items())
    try:
        q16.mul(x["e1"], x["e2"], overflow="raise")
        r["raise report"] = None
    except attncore.Q16OverflowError as exc:
        r["raise report"] = (str(exc), exc.index)
    r["q16.softmax"] = q16.softmax(x["e1"][:200_000].reshape(200, 1000) >> 4)
    r["q16.sdpa"] = q16.scaled_dot_product_attention(x["qq"], x["qk"], x["qv"])
    r["q16.sdpa causal + weights"] = q16.scaled_dot_product_attention(
        x["qq"], x["qk"], x["qv"], is_causal=True, return_weights=True)
    wq = q16.from_float(x["w"][:, :16, :16])
    xq = x["qq"]
    r["q16.mha"] = q16.multi_head_attention(xq, xq, xq, *wq, 2)
    s, rhs = x["sys"], x["rhs"]
    r["fp.solve"] = fp.solve(s, rhs)
    r["fp.solve f32"] = fp.solve(s.astype(np.float32), rhs.astype(np.float32))
    r["fp.lu"] = fp.lu_solve(fp.lu_factor(s), rhs)
    r["fp.det"] = fp.det(s)
    r["fp.inv"] = fp.inv(s)
    t = np.tile(np.eye(4), (s.shape[0], 1, 1))
    t[:, :3, :3] = s[:, :3, :3]
    r["fp.affine_inverse"] = fp.affine_inverse(t)
    qs = q16.from_float(s[:4000])
    qr = q16.from_float(rhs[:4000])
    r["q16.solve"] = q16.solve(qs, qr)
    r["q16.det"] = q16.det(qs)
    r["q16.inv"] = q16.inv(qs)
    r["q16.cho_solve"] = q16.cho_solve(q16.cho_factor(q16.matmul(qs, np.swapaxes(qs, -1, -2))),
                                       qr)
    return r


def differences(got, want):
    """Names whose results differ (bit for bit; NaN equal to NaN)."""
    bad = []
    for name, value in want.items():
        other = got[name]
        if isinstance(value, tuple) and value and isinstance(value[0], np.ndarray):
            same = all(np.array_equal(a, b, equal_nan=True) for a, b in zip(value, other))
        elif isinstance(value, np.ndarray):
            same = (value.dtype == other.dtype
                    and np.array_equal(value, other, equal_nan=value.dtype.kind == "f"))
        else:
            same = value == other
        if not same:
            bad.append(name)
    return bad
