"""Every row of docs/parity.md is checked: attncore against the peers the row
names (NumPy and SciPy always, PyTorch when installed).  The rows are read
from the document, so a row without a check or a check without a row fails."""
import math
import pathlib
import re
import warnings

import numpy as np
import pytest
import scipy.linalg
import scipy.special

import attncore
from attncore import fp, interop, q16

DOC = pathlib.Path(__file__).resolve().parents[1] / "docs" / "parity.md"
COLUMNS = ["feature", "PyTorch", "NumPy", "SciPy", "attncore"]


def rows():
    """The table of docs/parity.md as dicts keyed by COLUMNS."""
    lines = [line for line in DOC.read_text().splitlines() if line.startswith("|")]
    header = [c.strip() for c in lines[0].strip("|").split("|")]
    assert header == COLUMNS
    assert set(lines[1].replace("|", "").strip()) <= {"-"}
    table = []
    for line in lines[2:]:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        assert len(cells) == len(COLUMNS), line
        table.append(dict(zip(COLUMNS, cells)))
    return table


def _torch():
    try:
        import torch
    except ImportError:
        return None
    return torch


def _rng():
    return np.random.default_rng(19)


CHECKS = {}


def check(feature):
    def register(function):
        CHECKS[feature] = function
        return function
    return register


@check("matrix product, broadcast batch dims")
def _(torch):
    rng = _rng()
    a, b = rng.standard_normal((4, 1, 3, 5)), rng.standard_normal((2, 5, 6))
    got = fp.matmul(a, b)
    np.testing.assert_allclose(got, np.matmul(a, b), rtol=1e-14, atol=1e-14)
    qa, qb = q16.from_float(a), q16.from_float(b)
    assert q16.matmul(qa, qb).shape == np.matmul(a, b).shape
    if torch:
        np.testing.assert_allclose(got, torch.matmul(torch.from_numpy(a), torch.from_numpy(b)),
                                   rtol=1e-14, atol=1e-14)


@check("1-D operands in a matrix product")
def _(torch):
    rng = _rng()
    v, m = rng.standard_normal(3), rng.standard_normal((2, 3, 4))
    for x, y in ((v, m), (m, rng.standard_normal(4)), (v, v)):
        want = np.matmul(x, y)
        got = fp.matmul(x, y)
        assert np.shape(got) == np.shape(want)
        np.testing.assert_allclose(got, want, rtol=1e-14, atol=1e-14)
        if torch:
            assert tuple(torch.matmul(torch.from_numpy(x), torch.from_numpy(y)).shape) == \
                np.shape(got)


@check("float32 stays float32")
def _(torch):
    a = np.ones((2, 3, 3), np.float32)
    assert fp.matmul(a, a).dtype == np.matmul(a, a).dtype == np.float32
    assert fp.softmax(a).dtype == np.float32 and fp.solve(a + np.eye(3, dtype=np.float32),
                                                          a[..., :1]).dtype == np.float32
    assert fp.matmul(np.ones((2, 2), int), np.ones((2, 2), int)).dtype == np.float64
    if torch:
        t = torch.from_numpy(a)
        assert (t @ t).dtype == torch.float32


@check("stable softmax along an axis")
def _(torch):
    x = _rng().standard_normal((3, 4, 5)) * 50 + 800          # exp(800) overflows naively
    for axis in (0, 1, -1):
        want = scipy.special.softmax(x, axis=axis)
        np.testing.assert_allclose(fp.softmax(x, axis), want, rtol=0, atol=1e-15)
        if torch:
            np.testing.assert_allclose(fp.softmax(x, axis),
                                       torch.softmax(torch.from_numpy(x), axis).numpy(),
                                       rtol=0, atol=1e-15)
    small = _rng().standard_normal((4, 6))
    got = q16.to_float(q16.softmax(q16.from_float(small)))
    exact = scipy.special.softmax(q16.to_float(q16.from_float(small)), axis=-1)
    assert np.abs(got - exact).max() * q16.ONE <= 1.0          # the documented 1 LSB


@check("log-softmax")
def _(torch):
    x = _rng().standard_normal((3, 5)) * 30
    want = scipy.special.log_softmax(x, axis=0)
    np.testing.assert_allclose(fp.log_softmax(x, 0), want, rtol=1e-14, atol=1e-12)
    assert not hasattr(q16, "log_softmax")
    if torch:
        np.testing.assert_allclose(fp.log_softmax(x, 0),
                                   torch.log_softmax(torch.from_numpy(x), 0).numpy(),
                                   rtol=1e-14, atol=1e-12)


def _qkv(length=4, keys=6, e=8, lead=(2, 3)):
    rng = _rng()
    return (rng.standard_normal(lead + (length, e)), rng.standard_normal(lead + (keys, e)),
            rng.standard_normal(lead + (keys, e)))


def _sdpa_pair(torch, q, k, v, ours=None, theirs=None):
    """attncore's SDPA and (with torch) torch's on the same inputs."""
    got = fp.scaled_dot_product_attention(q, k, v, **(ours or {}))
    if not torch:
        return got, None
    t = {k_: torch.from_numpy(x) if isinstance(x, np.ndarray) else x
         for k_, x in (theirs or {}).items()}
    return got, torch.nn.functional.scaled_dot_product_attention(
        *(torch.from_numpy(x) for x in (q, k, v)), **t).numpy()


def _reference_attention(q, k, v, keep=None, additive=None, scale=None, causal=False):
    """softmax(q k^T scale + mask) v written out in NumPy."""
    scores = q @ np.swapaxes(k, -1, -2) * (scale if scale is not None
                                           else 1 / math.sqrt(q.shape[-1]))
    if additive is not None:
        scores = scores + additive
    if causal:
        keep = np.tril(np.ones(scores.shape[-2:], bool)) & (True if keep is None else keep)
    if keep is not None:
        scores = np.where(keep, scores, -np.inf)
    p = np.exp(scores - scores.max(-1, keepdims=True))
    return (p / p.sum(-1, keepdims=True)) @ v


@check("scaled dot-product attention")
def _(torch):
    q, k, v = _qkv()
    got, theirs = _sdpa_pair(torch, q, k, v)
    np.testing.assert_allclose(got, _reference_attention(q, k, v), rtol=0, atol=1e-14)
    if torch:
        np.testing.assert_allclose(got, theirs, rtol=0, atol=1e-14)


@check("bool attention mask in SDPA")
def _(torch):
    q, k, v = _qkv()
    m = _rng().random((4, 6)) < 0.6
    m[:, 0] = True
    got, theirs = _sdpa_pair(torch, q, k, v, dict(mask=m), dict(attn_mask=m))
    np.testing.assert_allclose(got, _reference_attention(q, k, v, keep=m), rtol=0, atol=1e-14)
    if torch:
        np.testing.assert_allclose(got, theirs, rtol=0, atol=1e-14)


@check("float attention mask in SDPA")
def _(torch):
    q, k, v = _qkv()
    m = _rng().standard_normal((4, 6))
    got, theirs = _sdpa_pair(torch, q, k, v, dict(mask=m), dict(attn_mask=m))
    np.testing.assert_allclose(got, _reference_attention(q, k, v, additive=m), rtol=0,
                               atol=1e-14)
    if torch:
        np.testing.assert_allclose(got, theirs, rtol=0, atol=1e-14)


@check("causal attention, L != S")
def _(torch):
    q, k, v = _qkv(length=4, keys=6)
    got, theirs = _sdpa_pair(torch, q, k, v, dict(is_causal=True), dict(is_causal=True))
    np.testing.assert_allclose(got, _reference_attention(q, k, v, causal=True), rtol=0,
                               atol=1e-14)
    if torch:
        np.testing.assert_allclose(got, theirs, rtol=0, atol=1e-14)


@check("explicit softmax scale")
def _(torch):
    q, k, v = _qkv()
    got, theirs = _sdpa_pair(torch, q, k, v, dict(scale=0.7), dict(scale=0.7))
    np.testing.assert_allclose(got, _reference_attention(q, k, v, scale=0.7), rtol=0, atol=1e-14)
    if torch:
        np.testing.assert_allclose(got, theirs, rtol=0, atol=1e-14)


@check("grouped-query attention")
def _(torch):
    rng = _rng()
    q, k, v = (rng.standard_normal((2, h, 4, 8)) for h in (6, 2, 2))
    got, theirs = _sdpa_pair(torch, q, k, v, dict(enable_gqa=True), dict(enable_gqa=True))
    want = _reference_attention(q, np.repeat(k, 3, axis=1), np.repeat(v, 3, axis=1))
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-14)
    if torch:
        np.testing.assert_allclose(got, theirs, rtol=0, atol=1e-14)


@check("query row with every key masked")
def _(torch):
    q, k, v = _qkv()
    m = np.ones((4, 6), bool)
    m[1] = False
    got, theirs = _sdpa_pair(torch, q, k, v, dict(mask=m), dict(attn_mask=m))
    assert np.all(got[..., 1, :] == 0) and np.isfinite(got).all()
    qgot = q16.scaled_dot_product_attention(*(q16.from_float(x) for x in (q, k, v)), mask=m)
    assert np.all(qgot[..., 1, :] == 0)
    if torch:
        np.testing.assert_allclose(got, theirs, rtol=0, atol=1e-14)


def _torch_module(torch, **kw):
    torch.manual_seed(0)
    module = torch.nn.MultiheadAttention(8, 2, dtype=torch.float64, **kw)
    with torch.no_grad():
        module.in_proj_bias.normal_()
        module.out_proj.bias.normal_()
    return module.eval()


def _need_torch(torch):
    if not torch:
        pytest.skip("the only peer of this row is PyTorch, which is not installed")


@check("multi-head attention module")
def _(torch):
    _need_torch(torch)
    module = _torch_module(torch, batch_first=True)
    x = torch.randn(2, 5, 8, dtype=torch.float64)
    with torch.no_grad():
        want = module(x, x, x, need_weights=False)[0].numpy()
    assert np.abs(interop.from_torch_mha(module)(x, x, x).numpy() - want).max() < 1e-13
    e = 8
    w = module.in_proj_weight.detach().numpy()
    b = module.in_proj_bias.detach().numpy()
    got = fp.multi_head_attention(x.numpy(), x.numpy(), x.numpy(), w[:e].T, w[e:2 * e].T,
                                  w[2 * e:].T, module.out_proj.weight.detach().numpy().T, 2,
                                  b_q=b[:e], b_k=b[e:2 * e], b_v=b[2 * e:],
                                  b_o=module.out_proj.bias.detach().numpy())
    assert np.abs(got - want).max() < 1e-13


@check("MHA bool attn_mask polarity")
def _(torch):
    rng = _rng()
    x = rng.standard_normal((5, 8))
    w = [rng.standard_normal((8, 8)) for _ in range(4)]
    masked_out = np.triu(np.ones((5, 5), bool), 1)
    by_attn = fp.multi_head_attention(x, x, x, *w, 2, attn_mask=masked_out)
    assert np.array_equal(by_attn, fp.multi_head_attention(x, x, x, *w, 2, mask=~masked_out))
    assert np.array_equal(by_attn, fp.multi_head_attention(x, x, x, *w, 2, is_causal=True))
    if torch:
        module = _torch_module(torch)
        t = torch.from_numpy(x)
        with torch.no_grad():
            want = module(t, t, t, attn_mask=torch.from_numpy(masked_out))[0].numpy()
        got = interop.from_torch_mha(module)(x, x, x, attn_mask=masked_out)
        assert np.abs(got - want).max() < 1e-13


@check("MHA key padding")
def _(torch):
    rng = _rng()
    x = rng.standard_normal((2, 5, 8))
    w = [rng.standard_normal((8, 8)) for _ in range(4)]
    pad = np.array([[False] * 3 + [True] * 2, [False] * 5])
    _, weights = fp.multi_head_attention(x, x, x, *w, 2, key_padding_mask=pad,
                                         return_weights=True)
    assert np.all(weights[0, ..., 3:] == 0) and np.all(weights[1] > 0)
    if torch:
        module = _torch_module(torch, batch_first=True)
        t = torch.from_numpy(x)
        with torch.no_grad():
            want = module(t, t, t, key_padding_mask=torch.from_numpy(pad))[0].numpy()
        got = interop.from_torch_mha(module)(x, x, x, key_padding_mask=pad)
        assert np.abs(got - want).max() < 1e-13


@check("MHA attention weights")
def _(torch):
    _need_torch(torch)
    module = _torch_module(torch, batch_first=True)
    x = torch.randn(2, 5, 8, dtype=torch.float64)
    with torch.no_grad():
        _, averaged = module(x, x, x, need_weights=True)
        _, per_head = module(x, x, x, need_weights=True, average_attn_weights=False)
    _, weights = interop.from_torch_mha(module)(x, x, x, return_weights=True)
    assert weights.shape == per_head.shape == (2, 2, 5, 5)
    assert float((weights - per_head).abs().max()) < 1e-14
    assert float((weights.mean(-3) - averaged).abs().max()) < 1e-14


@check("sequence-first MHA inputs")
def _(torch):
    _need_torch(torch)
    module = _torch_module(torch)                        # batch_first=False
    x = torch.randn(5, 2, 8, dtype=torch.float64)        # (L, N, E)
    with torch.no_grad():
        want = module(x, x, x)[0]
    got = interop.from_torch_mha(module)(x, x, x)
    assert got.shape == want.shape == (5, 2, 8) and float((got - want).abs().max()) < 1e-13


@check("Hugging Face BERT attention block")
def _(torch):
    rng = _rng()
    d, heads = 8, 2
    state = {f"layer.attention.self.{n}.{p}": rng.standard_normal((d, d) if p == "weight"
                                                                  else d)
             for n in ("query", "key", "value") for p in ("weight", "bias")}
    state.update({"layer.attention.output.dense.weight": rng.standard_normal((d, d)),
                  "layer.attention.output.dense.bias": rng.standard_normal(d)})
    x = rng.standard_normal((2, 5, d))
    mask = np.array([[1, 1, 1, 1, 0], [1, 1, 1, 1, 1]])

    def linear(y, name):           # BERT's nn.Linear: y @ W.T + b
        return y @ state[f"layer.attention.{name}.weight"].T + \
            state[f"layer.attention.{name}.bias"]
    q, k, v = (linear(x, f"self.{n}") for n in ("query", "key", "value"))
    dh = d // heads
    ctx = np.concatenate([_reference_attention(q[..., h * dh:(h + 1) * dh],
                                               k[..., h * dh:(h + 1) * dh],
                                               v[..., h * dh:(h + 1) * dh],
                                               keep=(mask == 1)[:, None, :])
                          for h in range(heads)], axis=-1)
    want = linear(ctx, "output.dense")
    got = interop.from_bert_attention(state, "layer.", num_heads=heads)(x, x, x,
                                                                       attention_mask=mask)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-13)


@check("torch tensors into the plain functions")
def _(torch):
    _need_torch(torch)
    a = torch.randn(3, 3, dtype=torch.float64)
    got = fp.solve(a + 3 * torch.eye(3, dtype=torch.float64), torch.ones(3, dtype=torch.float64))
    assert isinstance(got, np.ndarray)
    want = np.linalg.solve(np.asarray(a) + 3 * np.eye(3), np.ones(3))
    np.testing.assert_allclose(got, want, rtol=1e-14)
    assert isinstance(torch.from_numpy(got), torch.Tensor)


def _spd(n=4, batch=(3,)):
    a = _rng().standard_normal(batch + (n, n))
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


@check("LU factorization with partial pivoting")
def _(torch):
    a = _rng().standard_normal((4, 4))
    lu, piv = fp.lu_factor(a)
    slu, spiv = scipy.linalg.lu_factor(a)
    np.testing.assert_allclose(lu, slu, rtol=0, atol=1e-14)
    assert np.array_equal(piv, spiv)
    if torch:
        tlu, tpiv = torch.linalg.lu_factor(torch.from_numpy(a))
        np.testing.assert_allclose(lu, tlu.numpy(), rtol=0, atol=1e-14)
        assert np.array_equal(piv + 1, tpiv.numpy())               # torch counts from 1


@check("solve from an LU factor")
def _(torch):
    rng = _rng()
    a, b = rng.standard_normal((4, 4)), rng.standard_normal((4, 2))
    got = fp.lu_solve(fp.lu_factor(a), b)
    np.testing.assert_allclose(got, scipy.linalg.lu_solve(scipy.linalg.lu_factor(a), b),
                               rtol=1e-12, atol=1e-12)
    if torch:
        tlu, tpiv = torch.linalg.lu_factor(torch.from_numpy(a))
        np.testing.assert_allclose(got, torch.linalg.lu_solve(tlu, tpiv,
                                                              torch.from_numpy(b)).numpy(),
                                   rtol=1e-12, atol=1e-12)


@check("Cholesky factor")
def _(torch):
    a = _spd(batch=())
    c, lower = fp.cho_factor(a)
    assert lower is True
    np.testing.assert_allclose(c, np.linalg.cholesky(a), rtol=0, atol=1e-14)
    upper, is_lower = fp.cho_factor(a, lower=False)
    sc, slower = scipy.linalg.cho_factor(a)                         # SciPy: upper by default
    assert not slower and not is_lower
    np.testing.assert_allclose(upper, np.triu(sc), rtol=0, atol=1e-14)
    if torch:
        np.testing.assert_allclose(c, torch.linalg.cholesky(torch.from_numpy(a)).numpy(),
                                   rtol=0, atol=1e-14)


@check("solve from a Cholesky factor")
def _(torch):
    a, b = _spd(batch=()), _rng().standard_normal((4, 3))
    got = fp.cho_solve(fp.cho_factor(a), b)
    np.testing.assert_allclose(got, scipy.linalg.cho_solve(scipy.linalg.cho_factor(a), b),
                               rtol=1e-13, atol=1e-13)
    if torch:
        low = torch.linalg.cholesky(torch.from_numpy(a))
        np.testing.assert_allclose(got, torch.cholesky_solve(torch.from_numpy(b), low).numpy(),
                                   rtol=1e-13, atol=1e-13)


@check("batched linear solve, NumPy 2 rules for b")
def _(torch):
    rng = _rng()
    a = rng.standard_normal((5, 3, 3)) + 3 * np.eye(3)
    for b in (rng.standard_normal(3), rng.standard_normal((5, 3, 2)),
              rng.standard_normal((3, 2))):
        want = np.linalg.solve(a, b)
        got = fp.solve(a, b)
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
        if torch:
            np.testing.assert_allclose(
                got, torch.linalg.solve(torch.from_numpy(a), torch.from_numpy(b)).numpy(),
                rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(fp.solve(a[0], a[1]), scipy.linalg.solve(a[0], a[1]),
                               rtol=1e-12, atol=1e-12)
    qa, qb = q16.from_float(a[0]), q16.from_float(np.ones(3))
    assert q16.solve(qa, qb).dtype == np.int32


@check("symmetric positive definite solve")
def _(torch):
    a, b = _spd(batch=()), _rng().standard_normal(4)
    np.testing.assert_allclose(fp.solve(a, b, assume_a="pos"),
                               scipy.linalg.solve(a, b, assume_a="pos"), rtol=1e-13, atol=1e-13)


@check("determinant")
def _(torch):
    a = _rng().standard_normal((6, 4, 4))
    got = fp.det(a)
    np.testing.assert_allclose(got, np.linalg.det(a), rtol=1e-12)
    np.testing.assert_allclose(got[0], scipy.linalg.det(a[0]), rtol=1e-12)
    assert int(q16.det(q16.from_float([[1.0, 2.0], [3.0, 4.0]]))) == -2 * q16.ONE
    if torch:
        np.testing.assert_allclose(got, torch.linalg.det(torch.from_numpy(a)).numpy(),
                                   rtol=1e-12)


@check("sign and log-determinant")
def _(torch):
    a = _rng().standard_normal((6, 4, 4)) * 1e-90                # det ~ 1e-360: underflows
    sign, logabsdet = fp.slogdet(a)
    want = np.linalg.slogdet(a)
    assert np.array_equal(sign, want.sign)
    np.testing.assert_allclose(logabsdet, want.logabsdet, rtol=1e-13)
    assert fp.slogdet(a).logabsdet is not None and not hasattr(q16, "slogdet")
    if torch:
        tsign, tlog = torch.linalg.slogdet(torch.from_numpy(a))
        assert np.array_equal(sign, tsign.numpy())
        np.testing.assert_allclose(logabsdet, tlog.numpy(), rtol=1e-13)


@check("matrix inverse")
def _(torch):
    a = _rng().standard_normal((3, 4, 4)) + 4 * np.eye(4)
    got = fp.inv(a)
    np.testing.assert_allclose(got, np.linalg.inv(a), rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(got[0], scipy.linalg.inv(a[0]), rtol=1e-12, atol=1e-13)
    if torch:
        np.testing.assert_allclose(got, torch.linalg.inv(torch.from_numpy(a)).numpy(),
                                   rtol=1e-12, atol=1e-13)


@check("singular matrix")
def _(torch):
    a = np.stack([np.eye(2), np.zeros((2, 2))])
    for call in (lambda: np.linalg.inv(a), lambda: scipy.linalg.inv(a[1])):
        with pytest.raises(np.linalg.LinAlgError):
            call()
    with pytest.raises(np.linalg.LinAlgError, match=r"batch index \(1,\)") as info:
        fp.inv(a)
    assert isinstance(info.value, attncore.SingularMatrixError)
    if torch:
        with pytest.raises(torch.linalg.LinAlgError):
            torch.linalg.inv(torch.from_numpy(a))


@check("overflow warning by default")
def _(torch):
    with pytest.warns(RuntimeWarning, match="overflow"):
        np.float64(1e308) * 10
    with pytest.warns(RuntimeWarning, match="q16.mul: 1 output saturated") as caught:
        q16.mul(q16.from_float(300.0), q16.from_float(300.0))
    assert issubclass(caught[0].category, attncore.Q16SaturationWarning)


@check("scoped overflow handling")
def _(torch):
    big = q16.from_float(300.0)
    with np.errstate(over="raise"), pytest.raises(FloatingPointError):
        np.float64(1e308) * 10
    with q16.errstate(saturation="raise"), pytest.raises(attncore.Q16OverflowError):
        q16.mul(big, big)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="ignore"):
            np.float64(1e308) * 10
        with q16.errstate(saturation="ignore"):
            q16.mul(big, big)


@check("global overflow handling")
def _(torch):
    old_np, old_q = np.seterr(over="ignore"), q16.seterr(saturation="ignore")
    try:
        assert np.geterr()["over"] == "ignore" and q16.geterr()["saturation"] == "ignore"
    finally:
        np.seterr(**old_np)
        q16.seterr(**old_q)
    assert q16.geterr() == {"saturation": "warn"}


def test_every_row_has_a_check_and_every_check_a_row():
    features = [r["feature"] for r in rows()]
    assert len(features) == len(set(features))
    assert set(features) == set(CHECKS), (set(features) ^ set(CHECKS))


def test_rows_name_attncore_and_a_peer():
    for row in rows():
        assert row["attncore"] not in ("", "—"), row
        assert any(row[c] not in ("", "—") for c in ("PyTorch", "NumPy", "SciPy")), row


@pytest.mark.parametrize("feature", [r["feature"] for r in rows()])
def test_row(feature):
    """Each check asserts attncore against its peer and raises on a mismatch."""
    assert feature in CHECKS, f"no check for the parity row {feature!r}"
    CHECKS[feature](_torch())
