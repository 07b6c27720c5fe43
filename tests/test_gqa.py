"""enable_gqa in scaled_dot_product_attention: PyTorch's grouped-query
semantics (query head h reads key head h // (Hq // Hk), value head
h // (Hq // Hv)), checked against the float64 reference on explicitly
repeated heads (always), torch (when installed) and, for Q16.16, the exact
reference and the same kernel on repeated heads (bit for bit)."""
import numpy as np
import pytest

from attncore import fp, q16
from attncore import reference as ref
from attncore._api.attention import group_query_heads


def _repeat(x, hq):
    """The oracle's grouping: each key/value head repeated for the query heads
    that read it (np.repeat, independent of the views under test)."""
    return np.repeat(x, hq // x.shape[-3], axis=-3)


# (q batch+heads, k batch+heads, v batch+heads): equal groups, one shared
# head, k and v with different head counts (nested: 1 | 2, and not nested:
# 2 and 3 of 6), a query without the batch dim (broadcast), Hq == Hk == Hv.
SHAPES = [((2, 4), (2, 2), (2, 2)),
          ((2, 4), (2, 1), (2, 1)),
          ((3, 8), (3, 1), (3, 2)),
          ((2, 4), (2, 4), (2, 2)),
          ((6,), (2,), (3,)),
          ((4,), (2, 2), (2, 2)),
          ((3,), (3,), (3,))]


def _inputs(rng, q_lead, k_lead, v_lead, length=5, keys=7, e=8, ev=6):
    q = rng.standard_normal(q_lead + (length, e))
    k = rng.standard_normal(k_lead + (keys, e))
    v = rng.standard_normal(v_lead + (keys, ev))
    return q, k, v


def _masks(rng, q_lead, length=5, keys=7):
    hq = q_lead[-1]
    per_head = rng.random(q_lead + (length, keys)) < 0.7
    per_head[..., 0] = True                                  # no fully masked row
    shared = rng.random((length, keys)) < 0.7
    shared[:, 0] = True
    additive = np.where(rng.random((hq, length, keys)) < 0.7, 0.0, -np.inf)
    additive[..., 0] = rng.standard_normal((hq, length))
    return [None, per_head, per_head[..., :1, :, :], shared, shared[0], additive]


def _reference(q, k, v, mask, is_causal):
    hq = q.shape[-3]
    out, weights = ref.scaled_dot_product_attention(q, _repeat(k, hq), _repeat(v, hq), mask,
                                                    is_causal)
    return out, weights


@pytest.mark.parametrize("leads", SHAPES, ids=str)
@pytest.mark.parametrize("is_causal", [False, True])
def test_fp_matches_the_reference_on_repeated_heads(rng, leads, is_causal):
    q, k, v = _inputs(rng, *leads)
    for mask in _masks(rng, leads[0]):
        out, weights = fp.scaled_dot_product_attention(q, k, v, mask=mask, is_causal=is_causal,
                                                       enable_gqa=True, return_weights=True)
        want_out, want_w = _reference(q, k, v, mask, is_causal)
        # float64 against float64: a few ulp of values of size ~1
        np.testing.assert_allclose(out, want_out, rtol=0, atol=1e-13)
        np.testing.assert_allclose(weights, want_w, rtol=0, atol=1e-14)
        f32 = fp.scaled_dot_product_attention(*(x.astype(np.float32) for x in (q, k, v)),
                                              mask=mask, is_causal=is_causal, enable_gqa=True)
        assert f32.dtype == np.float32
        np.testing.assert_allclose(f32, want_out, rtol=0, atol=2e-5)


@pytest.mark.parametrize("leads", SHAPES, ids=str)
def test_fp_matches_torch(rng, leads):
    torch = pytest.importorskip("torch")
    sdpa = torch.nn.functional.scaled_dot_product_attention
    q, k, v = _inputs(rng, *leads)
    for mask in _masks(rng, leads[0]):
        for is_causal in ([False, True] if mask is None else [False]):
            got = fp.scaled_dot_product_attention(q, k, v, mask=mask, is_causal=is_causal,
                                                  enable_gqa=True)
            t = [torch.from_numpy(x) for x in (q, k, v)]
            if mask is not None and mask.ndim == 1:   # torch takes (L, S) for one row for all
                mask = np.broadcast_to(mask, (q.shape[-2], mask.shape[0])).copy()
            want = sdpa(*t, attn_mask=None if mask is None else torch.from_numpy(mask),
                        is_causal=is_causal, enable_gqa=True).numpy()
            np.testing.assert_allclose(got, want, rtol=0, atol=1e-13)


def test_q16_is_the_same_kernel_on_repeated_heads_and_within_its_bound(rng):
    for leads in SHAPES:
        q, k, v = (q16.from_float(x) for x in _inputs(rng, *leads))
        hq = q.shape[-3]
        mask = _masks(rng, leads[0])[1]
        for m in (None, mask):
            got, w = q16.scaled_dot_product_attention(q, k, v, mask=m, enable_gqa=True,
                                                      return_weights=True)
            same, same_w = q16.scaled_dot_product_attention(q, _repeat(k, hq), _repeat(v, hq),
                                                            mask=m, return_weights=True)
            assert np.array_equal(got, same) and np.array_equal(w, same_w)
    # against the exact oracle: the documented bound, 0.5 + 2**16 max|v - out|
    # (2**-33 + S 2**-40) LSB, below 0.5001 LSB here (|v| < 8, S = 7)
    q, k, v = (q16.from_float(x) for x in _inputs(rng, (4,), (2,), (1,), length=3, keys=4))
    got = q16.scaled_dot_product_attention(q, k, v, enable_gqa=True)
    exact, _ = ref.q16_scaled_dot_product_attention_exact(q, _repeat(k, 4), _repeat(v, 4))
    assert np.abs(got - exact).max() <= 0.5001


def test_the_grouping_is_views_not_copies(rng):
    q, k, v = _inputs(rng, (2, 8), (2, 2), (2, 4))
    mask = rng.random((2, 8, 5, 7)) < 0.5
    gq, gk, gv, gmask, merge = group_query_heads("t", q, k, v, mask)
    for before, after in ((q, gq), (k, gk), (v, gv), (mask, gmask)):
        assert np.shares_memory(before, after)
    assert gq.shape == (2, 2, 2, 2, 5, 8) and gk.shape == (2, 2, 1, 1, 7, 8)
    assert gv.shape == (2, 2, 2, 1, 7, 6)
    # head h of q sits at (h // 4, h // 2 % 2, h % 2): it reads k head h // 4, v head h // 2
    for h in range(8):
        assert np.array_equal(gq[:, h // 4, h // 2 % 2, h % 2], q[:, h])
        assert np.array_equal(gk[:, h // 4, 0, 0], k[:, h // 4])
        assert np.array_equal(gv[:, h // 4, h // 2 % 2, 0], v[:, h // 2])
    out = np.arange(2 * 8 * 5 * 3).reshape(2, 2, 2, 2, 5, 3)
    assert np.shares_memory(merge(out), out) and merge(out).shape == (2, 8, 5, 3)


@pytest.mark.parametrize("backend", [fp, q16])
def test_without_enable_gqa_head_dims_must_broadcast(rng, backend):
    q, k, v = _inputs(rng, (2, 4), (2, 2), (2, 2))
    if backend is q16:
        q, k, v = (q16.from_float(x) for x in (q, k, v))
    with pytest.raises(ValueError, match="do not broadcast"):
        backend.scaled_dot_product_attention(q, k, v)
    with pytest.raises(ValueError, match=r"heads of k \(3\) and v \(3\) must divide the heads "
                                         r"of q \(4\)"):
        backend.scaled_dot_product_attention(q, k[:, :1].repeat(3, 1), v[:, :1].repeat(3, 1),
                                             enable_gqa=True)
    with pytest.raises(ValueError, match="`q` must be at least 3-D"):
        backend.scaled_dot_product_attention(q[0, 0], k[0, 0], v[0, 0], enable_gqa=True)
    with pytest.raises(ValueError, match="heads dim must be 1 or the heads of q"):
        backend.scaled_dot_product_attention(q, k, v, enable_gqa=True,
                                             mask=np.ones((2, 5, 7), bool))
