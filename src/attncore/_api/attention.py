"""scaled_dot_product_attention of both backends: shape checks,
broadcasting of batch dims, masks, the scale, and the result tuple."""
import math
import operator

import numpy as np

from attncore._api import arrays, masks, status
from attncore._kernels import attention as kernels
from attncore._kernels import core
from attncore.threads import get_num_threads

Q16_MASK_HINT = "; Q16.16 masks are bool only: express an additive mask as a bool one"
# The longest key sequence of Q16.16 attention: its exact sums and
# documented bound hold up to 2**23 keys.
Q16_MAX_KEYS = core.Q16_ATTENTION_MAX_KEYS


def attention_operands(kernel, q, k, v, mask):
    """Check shapes and broadcast batch dims.

    Returns ``(q, k, v, mask, batch)``: views whose leading dims all equal
    ``batch``; ``mask`` (or None) is broadcast to ``batch + (L, S)``.
    """
    for name, x in (("q", q), ("k", k), ("v", v)):
        if x.ndim < 2:
            raise ValueError(f"{kernel}: `{name}` must be at least 2-D (..., length, features), "
                             f"got shape {x.shape}")
    if k.shape[-1] != q.shape[-1]:
        raise ValueError(f"{kernel}: q and k feature dims differ: shapes {q.shape} and {k.shape}")
    if v.shape[-2] != k.shape[-2]:
        raise ValueError(f"{kernel}: k and v sequence lengths differ: shapes {k.shape} and "
                         f"{v.shape}")
    length, keys = q.shape[-2], k.shape[-2]
    batch_shapes = [q.shape[:-2], k.shape[:-2], v.shape[:-2]]
    if mask is not None:
        batch_shapes.append(mask.shape[:-2])
    try:
        batch = arrays.broadcast_shapes(*batch_shapes)
        if mask is not None:
            mask = np.broadcast_to(mask, batch + (length, keys))
    except ValueError:
        shapes = ", ".join(str(x.shape) for x in (q, k, v) + ((mask,) if mask is not None else ()))
        raise ValueError(f"{kernel}: batch dims of q, k, v{', mask' if mask is not None else ''} "
                         f"do not broadcast (shapes {shapes}; a mask is (..., L={length}, "
                         f"S={keys}))") from None
    arrays.result_dims(kernel, batch + (length, keys))
    q = np.broadcast_to(q, batch + q.shape[-2:])
    k = np.broadcast_to(k, batch + k.shape[-2:])
    v = np.broadcast_to(v, batch + v.shape[-2:])
    return q, k, v, mask, batch


def _split(x, axis, sizes):
    """``x`` with dim ``axis`` (negative) split into ``sizes``: a view (a
    split dim keeps its stride pattern, so NumPy never copies here)."""
    return x.reshape(x.shape[:axis] + sizes + x.shape[axis:][1:])


def group_query_heads(kernel, q, k, v, mask):
    """torch's ``enable_gqa``: query head h reads key head ``h // (Hq // Hk)``
    and value head ``h // (Hq // Hv)`` (heads are dim -3).

    The heads dim of q (and of a per-head mask) is split into three, so the
    shared key/value heads broadcast against the query heads that use them,
    with no copy: ``(Hq,) -> (h1, h2 / h1, Hq / h2)`` for ``{h1, h2} = {Hk,
    Hv}``, ``h1 | h2``.  Key and value head counts that do not divide each
    other (Hq = 6, Hk = 2, Hv = 3) cannot be grouped that way: their heads
    are repeated up to Hq instead (a copy).  Returns ``(q, k, v, mask,
    merge)`` where ``merge(out)`` puts the split heads back together.
    """
    for name, x in (("q", q), ("k", k), ("v", v)):
        if x.ndim < 3:
            raise ValueError(f"{kernel}: enable_gqa groups heads (dim -3): `{name}` must be at "
                             f"least 3-D (..., heads, length, features), got shape {x.shape}")
    hq, hk, hv = q.shape[-3], k.shape[-3], v.shape[-3]
    if hk == hv == hq:
        return q, k, v, mask, lambda out: out
    if hk < 1 or hv < 1 or hq % hk or hq % hv:
        raise ValueError(f"{kernel}: with enable_gqa the heads of k ({hk}) and v ({hv}) must "
                         f"divide the heads of q ({hq}): shapes {q.shape}, {k.shape}, {v.shape}")
    if mask is not None and mask.ndim >= 3 and mask.shape[-3] not in (1, hq):
        raise ValueError(f"{kernel}: a mask's heads dim must be 1 or the heads of q ({hq}), got "
                         f"mask shape {mask.shape}")
    h1, h2 = min(hk, hv), max(hk, hv)
    if h2 % h1:
        k = np.repeat(k, hq // hk, axis=-3)
        v = np.repeat(v, hq // hv, axis=-3)
        return q, k, v, mask, lambda out: out
    groups = (h1, h2 // h1, hq // h2)

    def shared(x):  # a key or value with h1 or h2 heads
        return _split(x, -3, (h1, 1, 1) if x.shape[-3] == h1 else (h1, h2 // h1, 1))

    q = _split(q, -3, groups)
    if mask is not None and mask.ndim >= 3:
        mask = _split(mask, -3, groups if mask.shape[-3] == hq else (1, 1, 1))

    def merge(out):
        return out.reshape(out.shape[:-5] + (hq,) + out.shape[-2:])
    return q, shared(k), shared(v), mask, merge


def fp_attention(q, k, v, mask, is_causal, scale, return_weights, enable_gqa=False,
                 kernel="fp.scaled_dot_product_attention"):
    (q, k, v), dtype = arrays.convert("fp", kernel, (q, k, v), ("q", "k", "v"))
    scale = None if scale is None else _real(kernel, scale)
    is_causal = arrays.flag(kernel, "is_causal", is_causal)
    return_weights = arrays.flag(kernel, "return_weights", return_weights)
    mask, mask_kind = masks.attention_mask(kernel, mask, additive=dtype)
    merge = None
    if enable_gqa:
        q, k, v, mask, merge = group_query_heads(kernel, q, k, v, mask)
    q, k, v, mask, batch = attention_operands(kernel, q, k, v, mask)
    length, keys, features = q.shape[-2], k.shape[-2], q.shape[-1]
    # the kernel writes every element; without keys the result is all 0
    alloc = np.empty if keys else np.zeros
    out = alloc(batch + (length, v.shape[-1]), dtype=dtype)
    weights = alloc(batch + (length, keys), dtype=dtype) if return_weights else None
    if keys and (out.size or (weights is not None and weights.size)):
        if scale is None:
            scale = 1.0 / math.sqrt(features) if features > 0 else 1.0
        kernels.fp(q, k, v, out, mask, mask_kind, is_causal, scale, weights,
                   get_num_threads())
    return _result(out, weights, return_weights, merge)


def _result(out, weights, return_weights, merge):
    if merge is not None:
        out = merge(out)
        weights = None if weights is None else merge(weights)
    return (out, weights) if return_weights else out


def _real(kernel, scale):
    """``scale`` as a Python float, or a TypeError naming it (a string or an
    array must not be read as a number)."""
    if isinstance(scale, (str, bytes, bool, np.bool_)) or (
            np.ndim(scale) != 0 or np.asarray(scale).dtype.kind not in "fiu"):
        raise TypeError(f"{kernel}: `scale` must be a real number, got {scale!r}")
    return float(scale)


def q16_default_scale(features):
    """``1 / sqrt(features)`` as the nearest Q16.16 raw value (exact integer
    arithmetic: ``round(sqrt(2**32 / features))``)."""
    value = features
    try:
        if isinstance(value, (bool, np.bool_)):  # an int to Python, not a feature count
            raise TypeError
        features = operator.index(value)
    except TypeError:
        raise TypeError(f"q16.default_scale: `features` must be an int, got {value!r}") \
            from None
    if features <= 0:
        return arrays.ONE
    floor = math.isqrt((1 << 32) // features)
    # round up when (floor + 1/2)^2 < 2^32 / features; never a tie
    return floor + 1 if (2 * floor + 1) ** 2 * features < (1 << 34) else floor


def _q16_scale(kernel, scale, features):
    if scale is None:
        return q16_default_scale(features)
    value = _real(kernel, scale)
    if not math.isfinite(value) or not arrays.MIN <= round(value * arrays.ONE) <= arrays.MAX:
        raise ValueError(f"{kernel}: `scale`={scale!r} is not representable in Q16.16")
    return round(value * arrays.ONE)  # Python's round: nearest, ties to even


def q16_attention(q, k, v, mask, is_causal, scale, return_weights, rounding, enable_gqa=False,
                  kernel="q16.scaled_dot_product_attention"):
    (q, k, v), _ = arrays.convert("q16", kernel, (q, k, v), ("q", "k", "v"))
    rnd = arrays.rounding_code(kernel, rounding)
    is_causal = arrays.flag(kernel, "is_causal", is_causal)
    return_weights = arrays.flag(kernel, "return_weights", return_weights)
    mask, _ = masks.attention_mask(kernel, mask, hint=Q16_MASK_HINT)
    merge = None
    if enable_gqa:
        q, k, v, mask, merge = group_query_heads(kernel, q, k, v, mask)
    q, k, v, mask, batch = attention_operands(kernel, q, k, v, mask)
    length, keys, features = q.shape[-2], k.shape[-2], q.shape[-1]
    raw_scale = _q16_scale(kernel, scale, features)
    if keys > Q16_MAX_KEYS:  # before any output or workspace exists
        raise ValueError(f"{kernel}: S = {keys} keys; Q16.16 attention takes at most 2**23 "
                         f"keys")
    out = np.zeros(batch + (length, v.shape[-1]), dtype=np.int32)
    weights = np.zeros(batch + (length, keys), dtype=np.int32) if return_weights else None
    if keys and (out.size or (weights is not None and weights.size)):
        code, item = kernels.q16(q, k, v, out, mask, is_causal, raw_scale, weights, rnd,
                                 get_num_threads())
        if code != status.S.AC_OK:
            raise status.error(code, kernel, [arrays.flat_to_index(item, batch)],
                               where="batch index")
    return _result(out, weights, return_weights, merge)
