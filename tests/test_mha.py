"""Multi-head attention, both backends.

Float: against the head-by-head float64 twin in attncore.reference, with a
tolerance of 64 * eps * (scale of the values involved): four chained float
kernels (two projections, attention, output projection), each within a
few eps relative of its inputs' magnitude for these sizes (D <= 32).
Q16.16: bit-identical to the same pipeline written out with the q16
kernels (the composition is the contract; each kernel's accuracy has its
own tests), and the head-sum identity within (H + 1) / 2 LSB (each head
output and the output are rounded once from exact sums).
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import attncore
import attncore.q16 as q16
from attncore import reference as ref


def make_inputs(rng, batch, length, keys, d_in, d, heads, dtype=np.float64, biases=True):
    shapes = dict(query=batch + (length, d_in), key=batch + (keys, d_in),
                  value=batch + (keys, d_in), w_q=(d_in, d), w_k=(d_in, d), w_v=(d_in, d),
                  w_o=(d, d_in))
    x = {name: (rng.standard_normal(shape) / np.sqrt(shape[-2] if name.startswith("w") else 1))
         .astype(dtype) for name, shape in shapes.items()}
    b = {name: (rng.standard_normal(size) * 0.1).astype(dtype) if biases else None
         for name, size in (("b_q", d), ("b_k", d), ("b_v", d), ("b_o", d_in))}
    return x, b


@settings(max_examples=40, deadline=None)
@given(st.sampled_from([(), (2,), (2, 1)]), st.integers(1, 9), st.integers(1, 9),
       st.sampled_from([(8, 1), (8, 2), (12, 3), (16, 4), (32, 8)]), st.booleans(),
       st.booleans(), st.sampled_from([np.float32, np.float64]), st.integers(0, 2**32 - 1))
def test_fp_mha_matches_numpy_twin(batch, length, keys, dims, causal, biases, dtype, seed):
    rng = np.random.default_rng(seed)
    d, heads = dims
    x, b = make_inputs(rng, batch, length, keys, 6, d, heads, dtype, biases)
    mask = rng.random((length, keys)) < 0.8
    out, w, per_head = attncore.multi_head_attention(
        *x.values(), heads, **b, mask=mask, is_causal=causal, return_weights=True,
        return_head_outputs=True)
    want, want_w, want_heads = ref.multi_head_attention(*x.values(), heads, **b, mask=mask,
                                                        is_causal=causal)
    tol = 64 * np.finfo(dtype).eps * (1 + np.abs(want).max())
    assert out.dtype == dtype and out.shape == want.shape
    np.testing.assert_allclose(out, want, rtol=0, atol=tol)
    assert w.shape == batch + (heads, length, keys)
    np.testing.assert_allclose(w, want_w, rtol=0, atol=tol)
    assert per_head.shape == batch + (length, heads, 6)
    np.testing.assert_allclose(per_head, want_heads, rtol=0, atol=tol)
    # the "project per head, then sum" view
    summed = per_head.sum(-2) + (b["b_o"] if biases else 0)
    np.testing.assert_allclose(summed, out, rtol=0, atol=tol)


def test_fp_mha_returns_what_was_asked(rng):
    x, b = make_inputs(rng, (), 4, 5, 6, 8, 2)
    out = attncore.multi_head_attention(*x.values(), 2)
    assert isinstance(out, np.ndarray) and out.shape == (4, 6)
    out2, per_head = attncore.multi_head_attention(*x.values(), 2, return_head_outputs=True)
    assert np.array_equal(out, out2) and per_head.shape == (4, 2, 6)


def test_fp_mha_weights_are_the_heads_attention(rng):
    x, _ = make_inputs(rng, (3,), 5, 7, 6, 8, 2, biases=False)
    _, w = attncore.multi_head_attention(*x.values(), 2, return_weights=True)
    q = x["query"] @ x["w_q"]
    k = x["key"] @ x["w_k"]
    v = x["value"] @ x["w_v"]
    _, w1 = attncore.scaled_dot_product_attention(q[..., 4:], k[..., 4:], v[..., 4:],
                                                  return_weights=True)
    np.testing.assert_allclose(w[:, 1], w1, rtol=0, atol=1e-14)


@pytest.mark.parametrize("heads", [1, 2, 4])
def test_q16_mha_is_the_q16_pipeline_bit_for_bit(heads, rng):
    x, b = make_inputs(rng, (2,), 5, 6, 8, 8, heads)
    xq = {k: q16.from_float(v) for k, v in x.items()}
    bq = {k: q16.from_float(v) for k, v in b.items()}
    mask = rng.random((5, 6)) < 0.8
    out, w, per_head = q16.multi_head_attention(*xq.values(), heads, **bq, mask=mask,
                                                is_causal=True, return_weights=True,
                                                return_head_outputs=True)
    qp = q16.add(q16.matmul(xq["query"], xq["w_q"]), bq["b_q"])
    kp = q16.add(q16.matmul(xq["key"], xq["w_k"]), bq["b_k"])
    vp = q16.add(q16.matmul(xq["value"], xq["w_v"]), bq["b_v"])
    dh = 8 // heads
    outs = []
    for h in range(heads):
        cols = slice(h * dh, (h + 1) * dh)
        o, wh = q16.scaled_dot_product_attention(qp[..., cols], kp[..., cols], vp[..., cols],
                                                 mask=mask, is_causal=True, return_weights=True)
        assert np.array_equal(w[:, h], wh)
        assert np.array_equal(per_head[:, :, h], q16.matmul(o, xq["w_o"][cols]))
        outs.append(o)
    want = q16.add(q16.matmul(np.concatenate(outs, -1), xq["w_o"]), bq["b_o"])
    assert np.array_equal(out, want)
    # head-sum identity: every term rounded once from an exact sum
    gap = np.abs(per_head.astype(np.int64).sum(-2) + bq["b_o"] - out)
    assert gap.max() <= (heads + 1) / 2


def test_q16_mha_counts_saturations(rng):
    x, _ = make_inputs(rng, (), 3, 3, 4, 4, 2, biases=False)
    xq = {k: q16.from_float(v * 300) for k, v in x.items()}
    with q16.count_saturations() as sat:
        q16.multi_head_attention(*xq.values(), 2)
    assert sat.saturated["q16.matmul"] > 0
    with pytest.raises(attncore.Q16OverflowError):
        q16.multi_head_attention(*xq.values(), 2, overflow="raise")


@pytest.mark.parametrize("backend", ["fp", "q16"])
def test_mha_errors(backend, rng):
    be = attncore.fp if backend == "fp" else q16
    x, _ = make_inputs(rng, (), 3, 4, 6, 8, 2)
    if backend == "q16":
        x = {k: q16.from_float(v) for k, v in x.items()}
    args = list(x.values())
    with pytest.raises(ValueError, match="divisor"):
        be.multi_head_attention(*args, 3)
    with pytest.raises(ValueError, match="divisor"):
        be.multi_head_attention(*args, 0)
    with pytest.raises(TypeError, match="int"):
        be.multi_head_attention(*args, 2.0)
    bad = list(args)
    bad[3] = bad[3][:5]  # w_q rows != query features
    with pytest.raises(ValueError, match="shapes do not fit"):
        be.multi_head_attention(*bad, 2)
    bias = np.zeros(7, np.int32 if backend == "q16" else np.float64)
    with pytest.raises(ValueError, match="b_q"):
        be.multi_head_attention(*args, 2, b_q=bias)
    bad = list(args)
    bad[0] = bad[0][0]  # 1-D query
    with pytest.raises(ValueError, match="at least 2-D"):
        be.multi_head_attention(*bad, 2)
    if backend == "q16":
        with pytest.raises(TypeError, match="from_float"):
            q16.multi_head_attention(*[a.astype(float) for a in args], 2)
