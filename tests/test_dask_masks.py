"""The Dask wrappers take the new attention keywords: enable_gqa in SDPA,
attn_mask and key_padding_mask in multi-head attention, chunked along the
batch (and query rows), with results equal to the in-memory call."""
import numpy as np
import pytest

from attncore import fp, q16

da = pytest.importorskip("dask.array")
ad = pytest.importorskip("attncore.dask")


def test_sdpa_enable_gqa_chunked(rng):
    q = rng.standard_normal((6, 8, 10, 4))
    k, v = rng.standard_normal((6, 2, 7, 4)), rng.standard_normal((6, 4, 7, 3))
    mask = rng.random((6, 8, 10, 7)) < 0.7
    for m in (None, mask, mask[:, :1], mask[0, 0]):
        lazy = ad.scaled_dot_product_attention(
            da.from_array(q, chunks=(2, 8, 5, 4)), da.from_array(k, chunks=(3, 2, 7, 4)),
            da.from_array(v, chunks=(3, 4, 7, 3)),
            mask=None if m is None else da.from_array(m, chunks=2), enable_gqa=True)
        want = fp.scaled_dot_product_attention(q, k, v, mask=m, enable_gqa=True)
        assert lazy.shape == want.shape
        # float: equal up to BLAS blocking a different batch size differently
        np.testing.assert_allclose(lazy.compute(), want, rtol=0, atol=1e-14)
    qq, qk, qv = (q16.from_float(x) for x in (q, k, v))
    lazy, w = ad.q16.scaled_dot_product_attention(
        da.from_array(qq, chunks=(2, 8, 5, 4)), qk, qv, enable_gqa=True, return_weights=True)
    want, want_w = q16.scaled_dot_product_attention(qq, qk, qv, enable_gqa=True,
                                                    return_weights=True)
    assert np.array_equal(lazy.compute(), want) and np.array_equal(w.compute(), want_w)


def test_mha_padding_and_attn_mask_chunked(rng):
    x = rng.standard_normal((6, 5, 8))
    w = [rng.standard_normal((8, 8)) / 3 for _ in range(4)]
    pad = rng.random((6, 5)) < 0.3
    pad[:, 0] = False
    attn = np.triu(np.ones((5, 5), bool), 1)
    lx = da.from_array(x, chunks=(2, 5, 8))
    for kw in (dict(key_padding_mask=pad), dict(attn_mask=attn),
               dict(attn_mask=attn, key_padding_mask=pad), dict(mask=~attn,
                                                                key_padding_mask=pad[0])):
        lazy_kw = {k: da.from_array(v, chunks=2) if v.ndim == 2 and k == "key_padding_mask"
                   else v for k, v in kw.items()}
        got = ad.multi_head_attention(lx, lx, lx, *w, 2, **lazy_kw).compute()
        want = fp.multi_head_attention(x, x, x, *w, 2, **kw)
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-14)
    with pytest.raises(ValueError, match="not both"):
        ad.multi_head_attention(lx, lx, lx, *w, 2, mask=~attn, attn_mask=attn).compute()
