"""Scaled dot-product attention (float and Q16.16) against the references.

Float tolerance (``fp_tolerance``): a first-order worst-case bound.  Each
score carries the dot-product error gamma_E = E * eps times
``scale * (|q| @ |k|^T)``; a weight moves by at most twice the score error
(relative), and the output by that times ``max|v|``; the running sums and
the P V products add at most (S + E + 16) * eps * max|v|.  So
``tol = 2 * max|v| * (2 * E * eps * scale * max(|q| @ |k|^T) + (S + E + 16) * eps)``.

Q16.16 tolerance: the kernel's documented bound against exact attention of
the same raw inputs and raw scale,
``0.5 + 2**16 * max|v - out| * (2**-33 + S * 2**-40)`` LSB, asserted as is;
the weights as q16.softmax, ``0.5 + (S + 1) * 2**-24`` LSB.
"""
import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import attncore
import attncore.q16 as q16
from attncore import reference as ref


def fp_tolerance(q, k, v, scale=None):
    eps = np.finfo(q.dtype).eps
    e, s = q.shape[-1], k.shape[-2]
    scale = 1 / np.sqrt(e) if scale is None else abs(scale)
    dots = np.abs(q.astype(np.float64)) @ np.swapaxes(np.abs(k.astype(np.float64)), -1, -2)
    vmax = max(float(np.abs(v).max(initial=0)), 1e-300)
    return 2 * vmax * (2 * e * eps * scale * float(dots.max(initial=0)) + (s + e + 16) * eps)


def q16_bound(v, keys):
    """The documented bound in LSB; max|v - out| in raw units is at most 2 max|v|."""
    spread = 2 * float(np.abs(v.astype(np.float64)).max(initial=0))
    return 0.5 + spread * (2.0**-33 + keys * 2.0**-40)


def random_mask(rng, shape, p=0.7):
    return rng.random(shape) < p


# ---- float ------------------------------------------------------------------

@settings(max_examples=80, deadline=None)
@given(st.sampled_from([np.float32, np.float64]), st.integers(1, 40), st.integers(1, 600),
       st.integers(1, 24), st.integers(1, 9), st.sampled_from([None, "bool", "additive"]),
       st.booleans(), st.booleans(), st.integers(0, 2**32 - 1))
def test_fp_attention_matches_reference(dtype, length, keys, e, ev, mask_kind, causal,
                                        weights_too, seed):
    rng = np.random.default_rng(seed)
    q = rng.standard_normal((2, length, e)).astype(dtype)
    k = rng.standard_normal((keys, e)).astype(dtype)          # broadcast over the batch
    v = rng.standard_normal((1, keys, ev)).astype(dtype)
    mask = None
    if mask_kind == "bool":
        mask = random_mask(rng, (length, keys))
    elif mask_kind == "additive":
        mask = np.where(random_mask(rng, (length, keys)), rng.standard_normal((length, keys)),
                        -np.inf).astype(dtype)
    got = attncore.scaled_dot_product_attention(q, k, v, mask=mask, is_causal=causal,
                                                return_weights=weights_too)
    out, weights = got if weights_too else (got, None)
    want, want_w = ref.scaled_dot_product_attention(q, k, v, mask, causal)
    assert out.dtype == dtype and out.shape == (2, length, ev)
    tol = fp_tolerance(q, k, v)
    if mask_kind == "additive":
        tol *= 2  # the added mask enters each score once more
    assert np.abs(out - want).max() <= tol
    if weights_too:
        assert weights.shape == (2, length, keys)
        assert np.abs(weights - want_w).max() <= tol / max(float(np.abs(v).max()), 1e-300) + \
            (keys + 16) * np.finfo(dtype).eps
        keep = np.broadcast_to(ref.attention_keep((length, keys), mask, causal), weights.shape)
        assert np.all(weights[~keep] == 0)


@pytest.mark.parametrize("length,keys", [(5, 9), (9, 5), (600, 1100), (1, 1)])
def test_causal_is_upper_left_aligned_as_pytorch(length, keys, rng):
    q = rng.standard_normal((3, length, 8))
    k = rng.standard_normal((3, keys, 8))
    v = rng.standard_normal((3, keys, 4))
    out, w = attncore.scaled_dot_product_attention(q, k, v, is_causal=True, return_weights=True)
    tril = np.tril(np.ones((length, keys), bool))
    want, _ = ref.scaled_dot_product_attention(q, k, v, mask=tril)
    np.testing.assert_allclose(out, want, rtol=0, atol=fp_tolerance(q, k, v))
    assert np.all(w[:, ~tril] == 0)
    try:
        import torch
    except ImportError:
        return
    t = torch.nn.functional.scaled_dot_product_attention(
        *(torch.from_numpy(x) for x in (q, k, v)), is_causal=True).numpy()
    if length <= keys:  # torch gives NaN rows where nothing is kept; we give 0
        np.testing.assert_allclose(out, t, rtol=0, atol=1e-12)


def test_fully_masked_rows_are_zero_not_nan(rng):
    q, k, v = (rng.standard_normal((4, 6, 3)) for _ in range(3))
    mask = np.ones((6, 6), bool)
    mask[2] = False
    additive = np.where(mask, 0.0, -np.inf)
    for m in (mask, additive):
        out, w = attncore.scaled_dot_product_attention(q, k, v, mask=m, return_weights=True)
        assert np.all(out[:, 2] == 0) and np.all(w[:, 2] == 0)
        assert np.isfinite(out).all()
    out = attncore.scaled_dot_product_attention(q, k, v, mask=np.zeros(6, bool))
    assert np.all(out == 0)


def test_huge_scores_and_nan_propagation(rng):
    q = rng.standard_normal((5, 700, 4)).astype(np.float32) * 1e4
    k = rng.standard_normal((5, 700, 4)).astype(np.float32) * 1e4
    v = rng.standard_normal((5, 700, 2)).astype(np.float32)
    out = attncore.scaled_dot_product_attention(q, k, v)
    assert np.isfinite(out).all()
    assert np.abs(out).max() <= np.abs(v).max() * (1 + 1e-5)
    q[1, 3, 0] = np.nan
    out = attncore.scaled_dot_product_attention(q, k, v)
    assert np.isnan(out[1, 3]).all()
    assert np.isfinite(np.delete(out[1], 3, axis=0)).all() and np.isfinite(out[0]).all()


def test_bool_and_additive_masks_agree_and_scale(rng):
    q, k, v = (rng.standard_normal((2, 33, 16)) for _ in range(3))
    mask = random_mask(rng, (2, 33, 33))
    a = attncore.scaled_dot_product_attention(q, k, v, mask=mask, scale=0.3)
    b = attncore.scaled_dot_product_attention(q, k, v, mask=np.where(mask, 0.0, -np.inf),
                                              scale=0.3)
    want, _ = ref.scaled_dot_product_attention(q, k, v, mask=mask, scale=0.3)
    np.testing.assert_allclose(a, want, rtol=0, atol=fp_tolerance(q, k, v, 0.3))
    np.testing.assert_allclose(a, b, rtol=0, atol=fp_tolerance(q, k, v, 0.3))


def test_broadcasting_and_strided_inputs(rng):
    q = rng.standard_normal((2, 1, 7, 10))[..., ::2]            # strided columns: copied
    k = np.asfortranarray(rng.standard_normal((3, 11, 5)))      # column-major matrices
    v = rng.standard_normal((11, 4))
    mask = random_mask(rng, (11,))                               # (S,) broadcasts
    out = attncore.scaled_dot_product_attention(q, k, v, mask=mask)
    assert out.shape == (2, 3, 7, 4)
    want, _ = ref.scaled_dot_product_attention(q, k, v, mask=mask)
    np.testing.assert_allclose(out, want, rtol=0, atol=fp_tolerance(q, k, v))


def test_float_result_independent_of_threads(rng):
    q, k, v = (rng.standard_normal((6, 300, 16)).astype(np.float32) for _ in range(3))
    before = attncore.get_num_threads()
    try:
        attncore.set_num_threads(1)
        one = attncore.scaled_dot_product_attention(q, k, v, is_causal=True)
        attncore.set_num_threads(2)
        two = attncore.scaled_dot_product_attention(q, k, v, is_causal=True)
    finally:
        attncore.set_num_threads(before)
    assert np.array_equal(one, two)


def test_scores_are_never_materialized(rng):
    q, k, v = (rng.standard_normal((2, 2048, 16)).astype(np.float32) for _ in range(3))
    scores_bytes = 2 * 2048 * 2048 * 4
    tracemalloc.start()
    attncore.scaled_dot_product_attention(q, k, v)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < scores_bytes / 8, peak


def test_empty_and_degenerate_shapes():
    out = attncore.scaled_dot_product_attention(np.ones((2, 3, 4)), np.ones((2, 0, 4)),
                                                np.ones((2, 0, 5)))
    assert out.shape == (2, 3, 5) and np.all(out == 0)
    out, w = attncore.scaled_dot_product_attention(np.ones((0, 3, 4)), np.ones((1, 2, 4)),
                                                   np.ones((1, 2, 5)), return_weights=True)
    assert out.shape == (0, 3, 5) and w.shape == (0, 3, 2)
    out = attncore.scaled_dot_product_attention(np.ones((3, 0)), np.ones((2, 0)),
                                                np.arange(4.0).reshape(2, 2))
    np.testing.assert_allclose(out, [[1, 2]] * 3)  # E = 0: equal scores, the mean of v


@pytest.mark.parametrize("args,kwargs,error,words", [
    ((np.ones(3), np.ones((2, 3)), np.ones((2, 3))), {}, ValueError, "at least 2-D"),
    ((np.ones((2, 3)), np.ones((2, 4)), np.ones((2, 3))), {}, ValueError, "feature dims"),
    ((np.ones((2, 3)), np.ones((2, 3)), np.ones((5, 3))), {}, ValueError, "sequence lengths"),
    ((np.ones((2, 2, 3)), np.ones((3, 2, 3)), np.ones((2, 3))), {}, ValueError, "broadcast"),
    ((np.ones((2, 3)), np.ones((2, 3)), np.ones((2, 3))), {"mask": np.ones((3, 3), bool)},
     ValueError, "broadcast"),
    ((np.ones((2, 3), complex), np.ones((2, 3)), np.ones((2, 3))), {}, TypeError, "complex"),
    ((np.ones((2, 3)), np.ones((2, 3)), np.ones((2, 3))), {"mask": np.ones((2, 2), complex)},
     TypeError, "complex"),
])
def test_fp_attention_errors(args, kwargs, error, words):
    with pytest.raises(error, match=words):
        attncore.scaled_dot_product_attention(*args, **kwargs)


@pytest.mark.parametrize("mask", [np.bool_(True), np.float64(0.0), 1])
def test_zero_d_mask_is_a_value_error_naming_mask(mask):
    """One mask rule for bool and additive masks: a scalar is not a mask
    (a float one gave a bare IndexError before)."""
    x = np.ones((2, 3))
    with pytest.raises(ValueError, match="mask must be at least 1-D"):
        attncore.scaled_dot_product_attention(x, x, x, mask=mask)
    with pytest.raises((ValueError, TypeError), match="mask"):
        q16.scaled_dot_product_attention(*(q16.from_float(x),) * 3, mask=mask)


# ---- Q16.16 -----------------------------------------------------------------

def check_q16_attention(q, k, v, mask=None, causal=False, scale=None, rounding="nearest"):
    out, w = q16.scaled_dot_product_attention(q, k, v, mask=mask, is_causal=causal, scale=scale,
                                              return_weights=True, rounding=rounding)
    raw_scale = None if scale is None else round(scale * q16.ONE)
    want, want_w = ref.q16_scaled_dot_product_attention_exact(q, k, v, mask, causal, raw_scale)
    err = np.abs(out - want)
    keys = k.shape[-2]
    if rounding == "nearest":
        assert err.max(initial=0) <= q16_bound(v, keys)
        assert np.abs(w - want_w).max(initial=0) <= 0.5 + (keys + 1) * 2.0**-24
    else:  # floor: below the exact value by less than one LSB (+ the same tiny slack)
        slack = q16_bound(v, keys) - 0.5
        assert np.all(out <= want + slack) and np.all(out > want - 1 - slack)
    return err


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 6), st.integers(1, 12), st.integers(1, 8), st.integers(1, 4),
       st.booleans(), st.booleans(), st.sampled_from(["nearest", "floor"]),
       st.integers(0, 2**32 - 1))
def test_q16_attention_within_bound_of_exact(length, keys, e, ev, causal, masked, rounding, seed):
    rng = np.random.default_rng(seed)
    q, k = (q16.from_float(rng.uniform(-8, 8, (2, n, e))) for n in (length, keys))
    v = q16.from_float(rng.uniform(-8, 8, (2, keys, ev)))
    mask = random_mask(rng, (length, keys)) if masked else None
    check_q16_attention(q, k, v, mask, causal, rounding=rounding)


def test_q16_attention_typical_error_and_max(rng):
    q, k, v = (q16.from_float(rng.uniform(-8, 8, (2, 24, 16))) for _ in range(3))
    err = check_q16_attention(q, k, v)
    assert err.max() <= 0.5021 and err.mean() < 0.3


@pytest.mark.parametrize("scale", [-0.75, 0.0, 3.0, 2.0**-16])
def test_q16_attention_any_scale(scale, rng):
    q, k, v = (q16.from_float(rng.uniform(-4, 4, (5, 6))) for _ in range(3))
    check_q16_attention(q, k, v, scale=scale)


def test_q16_attention_extreme_inputs_take_the_wide_path(rng):
    # e * max|q| * max|k| >= 2**62: dot products leave int64
    choices = np.array([q16.MIN, q16.MAX, 0, -1, 1, q16.MIN + 1], dtype=np.int32)
    q, k = rng.choice(choices, (6, 4)), rng.choice(choices, (7, 4))
    v = rng.choice(choices, (7, 3))
    check_q16_attention(q, k, v, mask=random_mask(rng, (6, 7)), causal=True)
    # values near MAX only: outputs stay in range (a convex combination)
    big = np.full((3, 2), q16.MAX, np.int32)
    out = q16.scaled_dot_product_attention(big, big, big)
    assert np.all(out == q16.MAX)


def test_q16_fully_masked_and_causal_rows(rng):
    q, k, v = (q16.from_float(rng.uniform(-2, 2, (4, 3))) for _ in range(3))
    mask = np.ones((4, 4), bool)
    mask[1] = False
    out, w = q16.scaled_dot_product_attention(q, k, v, mask=mask, is_causal=True,
                                              return_weights=True)
    assert np.all(out[1] == 0) and np.all(w[1] == 0)
    assert np.all(w[np.triu_indices(4, 1)] == 0)
    assert np.array_equal(out[0], v[0])  # the first query sees only the first key


def test_q16_default_scale_is_correctly_rounded():
    import mpmath
    for e in list(range(1, 300)) + [384, 1024, 4096, 12345]:
        exact = mpmath.mpf(2) ** 16 / mpmath.sqrt(e)
        assert abs(q16.default_scale(e) - exact) <= 0.5, e


def test_q16_attention_independent_of_threads(rng):
    q, k, v = (q16.from_float(rng.uniform(-8, 8, (3, 70, 8))) for _ in range(3))
    before = attncore.get_num_threads()
    try:
        attncore.set_num_threads(1)
        one = q16.scaled_dot_product_attention(q, k, v, is_causal=True, return_weights=True)
        attncore.set_num_threads(2)
        two = q16.scaled_dot_product_attention(q, k, v, is_causal=True, return_weights=True)
    finally:
        attncore.set_num_threads(before)
    assert all(np.array_equal(a, b) for a, b in zip(one, two))


def test_q16_attention_errors():
    x = np.zeros((2, 3), np.int32)
    with pytest.raises(TypeError, match="from_float"):
        q16.scaled_dot_product_attention(x.astype(float), x, x)
    with pytest.raises(TypeError, match="bool only"):
        q16.scaled_dot_product_attention(x, x, x, mask=np.zeros((2, 2)))
    with pytest.raises(ValueError, match="not representable"):
        q16.scaled_dot_product_attention(x, x, x, scale=1e6)
    with pytest.raises(ValueError, match="feature dims"):
        q16.scaled_dot_product_attention(x, np.zeros((2, 4), np.int32), x)
    with pytest.raises(ValueError, match="rounding"):
        q16.scaled_dot_product_attention(x, x, x, rounding="up")
