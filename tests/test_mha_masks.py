"""Multi-head attention's masks: ``mask`` (True keeps, SDPA's convention),
``attn_mask`` (True masks out, nn.MultiheadAttention's) and
``key_padding_mask`` (True = padding key), in both backends; checked
against the float64 reference (given the equivalent keep mask, built here
with NumPy) and against torch's nn.MultiheadAttention with the same weights."""
import numpy as np
import pytest

from attncore import fp, q16
from attncore import reference as ref

B, L, S, D, H = 2, 5, 6, 8, 2


def _weights(rng, d=D):
    w = [rng.standard_normal((d, d)) / np.sqrt(d) for _ in range(4)]
    b = [rng.standard_normal(d) / 4 for _ in range(4)]
    return w, dict(zip(("b_q", "b_k", "b_v", "b_o"), b))


def _inputs(rng):
    return (rng.standard_normal((B, L, D)), rng.standard_normal((B, S, D)),
            rng.standard_normal((B, S, D)))


def _masks(rng):
    attn = rng.random((L, S)) < 0.3                   # True = masked out
    attn[:, 0] = False
    pad = np.zeros((B, S), bool)                      # True = padding
    pad[0, 4:], pad[1, 2:] = True, True
    return attn, pad


def _reference(query, key, value, w, b, keep, is_causal=False):
    return ref.multi_head_attention(query, key, value, *w, H, b["b_q"], b["b_k"], b["b_v"],
                                    b["b_o"], mask=keep, is_causal=is_causal)[0]


@pytest.mark.parametrize("is_causal", [False, True])
def test_fp_masks_match_the_reference(rng, is_causal):
    query, key, value = _inputs(rng)
    w, b = _weights(rng)
    attn, pad = _masks(rng)
    keep_pad = ~pad[:, None, :]                        # (B, 1, S): every query row
    cases = [
        (dict(mask=~attn), ~attn),
        (dict(attn_mask=attn), ~attn),
        (dict(key_padding_mask=pad), keep_pad),
        (dict(attn_mask=attn, key_padding_mask=pad), ~attn & keep_pad),
        (dict(mask=~attn, key_padding_mask=pad), ~attn & keep_pad),
        (dict(key_padding_mask=pad[0]), ~pad[0]),    # (S,): one padding for every batch item
    ]
    for kw, keep in cases:
        got = fp.multi_head_attention(query, key, value, *w, H, **b, is_causal=is_causal, **kw)
        want = _reference(query, key, value, w, b, keep, is_causal)
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-13, err_msg=str(sorted(kw)))


def test_fp_float_masks_are_added_and_mix_with_bool(rng):
    query, key, value = _inputs(rng)
    w, b = _weights(rng)
    attn, pad = _masks(rng)
    bias = rng.standard_normal((L, S))
    additive = np.where(attn, -np.inf, bias)
    # a float attn_mask is the same in both conventions
    a = fp.multi_head_attention(query, key, value, *w, H, **b, attn_mask=additive,
                                key_padding_mask=pad)
    c = fp.multi_head_attention(query, key, value, *w, H, **b, mask=additive,
                                key_padding_mask=np.where(pad, -np.inf, 0.0))
    # the reference: q k^T * scale + bias, -inf where masked or padded
    want = _reference_additive(query, key, value, w, b, additive + np.where(pad, -np.inf, 0.0)
                               [:, None, :])
    np.testing.assert_allclose(a, want, rtol=0, atol=1e-13)
    np.testing.assert_allclose(c, want, rtol=0, atol=1e-13)


def _reference_additive(query, key, value, w, b, additive):
    out = [ref.multi_head_attention(query[i], key[i], value[i], *w, H, b["b_q"], b["b_k"],
                                    b["b_v"], b["b_o"], mask=additive[i])[0]
           for i in range(B)]
    return np.stack(out)


def test_a_row_with_nothing_left_is_zero_attention(rng):
    query, key, value = _inputs(rng)
    w, b = _weights(rng)
    pad = np.ones((B, S), bool)
    pad[1, 0] = False
    out = fp.multi_head_attention(query, key, value, *w, H, **b, key_padding_mask=pad)
    # batch item 0 reads nothing: every head gives 0, so the output is b_o
    np.testing.assert_array_equal(out[0], np.broadcast_to(b["b_o"], (L, D)))
    assert np.isfinite(out).all()


def test_q16_masks_follow_the_same_names(rng):
    query, key, value = (q16.from_float(x) for x in _inputs(rng))
    w = [q16.from_float(x) for x in _weights(rng)[0]]
    attn, pad = _masks(rng)
    by_keep = q16.multi_head_attention(query, key, value, *w, H, mask=~attn & ~pad[:, None, :])
    by_torch_names = q16.multi_head_attention(query, key, value, *w, H, attn_mask=attn,
                                              key_padding_mask=pad)
    assert np.array_equal(by_keep, by_torch_names)
    with pytest.raises(TypeError, match="attn_mask must be a bool array"):
        q16.multi_head_attention(query, key, value, *w, H, attn_mask=attn.astype(float))
    with pytest.raises(TypeError, match=r"key_padding_mask must be a bool array \(True = "
                                        "padding"):
        q16.multi_head_attention(query, key, value, *w, H, key_padding_mask=pad.astype(float))


@pytest.mark.parametrize("backend", [fp, q16])
def test_mask_keywords_are_checked(rng, backend):
    query, key, value = _inputs(rng)
    w = _weights(rng)[0]
    if backend is q16:
        query, key, value, *w = (q16.from_float(x) for x in (query, key, value, *w))
    attn, pad = _masks(rng)
    with pytest.raises(ValueError, match=r"pass `mask` \(bool True keeps.*or `attn_mask` "
                                         r"\(bool True masks"):
        backend.multi_head_attention(query, key, value, *w, H, mask=~attn, attn_mask=attn)
    with pytest.raises(ValueError, match=r"key_padding_mask must be \(..., S\) with S = 6"):
        backend.multi_head_attention(query, key, value, *w, H, key_padding_mask=pad[:, :5])
    with pytest.raises(ValueError, match="key_padding_mask must be"):
        backend.multi_head_attention(query, key, value, *w, H, key_padding_mask=np.True_)


def _torch_mha(torch, w, b, dtype):
    """nn.MultiheadAttention carrying attncore's weights: torch computes
    x @ W.T, so its (out, in) weights are the transposes of attncore's."""
    module = torch.nn.MultiheadAttention(D, H, batch_first=True, dtype=dtype)
    with torch.no_grad():
        module.in_proj_weight.copy_(torch.from_numpy(np.concatenate([w[0].T, w[1].T, w[2].T])))
        module.in_proj_bias.copy_(torch.from_numpy(np.concatenate([b["b_q"], b["b_k"],
                                                                   b["b_v"]])))
        module.out_proj.weight.copy_(torch.from_numpy(w[3].T))
        module.out_proj.bias.copy_(torch.from_numpy(b["b_o"]))
    return module.eval()


def test_against_torch_multihead_attention(rng):
    torch = pytest.importorskip("torch")
    query, key, value = _inputs(rng)
    w, b = _weights(rng)
    attn, pad = _masks(rng)
    module = _torch_mha(torch, w, b, torch.float64)
    causal = np.triu(np.ones((L, S), bool), 1)        # torch spells causal as a mask
    t = [torch.from_numpy(x) for x in (query, key, value)]
    cases = [
        (dict(attn_mask=attn), dict(attn_mask=torch.from_numpy(attn))),
        (dict(key_padding_mask=pad), dict(key_padding_mask=torch.from_numpy(pad))),
        (dict(attn_mask=attn, key_padding_mask=pad),
         dict(attn_mask=torch.from_numpy(attn), key_padding_mask=torch.from_numpy(pad))),
        (dict(is_causal=True, key_padding_mask=pad),
         dict(attn_mask=torch.from_numpy(causal), key_padding_mask=torch.from_numpy(pad))),
        (dict(attn_mask=np.where(attn, -np.inf, 0.5 * attn.shape[0])),
         dict(attn_mask=torch.from_numpy(np.where(attn, -np.inf, 0.5 * attn.shape[0])))),
    ]
    errors = []
    for ours, theirs in cases:
        with torch.no_grad():
            want = module(*t, need_weights=False, **theirs)[0].numpy()
        got = fp.multi_head_attention(query, key, value, *w, H, **b, **ours)
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-13, err_msg=str(sorted(ours)))
        if "attn_mask" in ours and ours["attn_mask"].dtype != bool:
            continue                                   # Q16.16 masks are bool only
        qgot = q16.to_float(q16.multi_head_attention(
            *(q16.from_float(x) for x in (query, key, value, *w)), H,
            **{k: q16.from_float(v) for k, v in b.items()}, **ours))
        errors.append(np.abs(qgot - want).max() * q16.ONE)
    # Q16.16 against torch's float64 on the unquantized inputs: the inputs and
    # weights are rounded (0.5 LSB each) before five rounding points, so the
    # error is a few LSB (measured: below 4), not the 0.5 LSB of one kernel
    print("Q16.16 MHA vs torch float64, max LSB per case:", np.round(errors, 2))
    assert max(errors) < 8
