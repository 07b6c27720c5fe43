"""Multi-head attention of both backends, composed from their matmul, bias
addition and scaled dot-product attention, so both share one definition of
the head layout."""
import operator

import numpy as np

from attncore._api import arrays, attention, elementwise, masks, matmul

_NAMES = ("query", "key", "value", "w_q", "w_k", "w_v", "w_o")


def _check(kernel, query, key, value, w_q, w_k, w_v, w_o, biases, num_heads):
    shapes = (f"query {query.shape}, key {key.shape}, value {value.shape}, w_q {w_q.shape}, "
              f"w_k {w_k.shape}, w_v {w_v.shape}, w_o {w_o.shape}")
    for name, x in (("query", query), ("key", key), ("value", value)):
        if x.ndim < 2:
            raise ValueError(f"{kernel}: `{name}` must be at least 2-D (..., length, dim), "
                             f"got shape {x.shape}")
        if x.ndim >= 64:  # the heads take a dim of their own; NumPy stops at 64
            raise ValueError(f"{kernel}: `{name}` has {x.ndim} dims; at most 63 are supported "
                             "(the heads add one)")
    for name, w in (("w_q", w_q), ("w_k", w_k), ("w_v", w_v), ("w_o", w_o)):
        if w.ndim != 2:
            raise ValueError(f"{kernel}: `{name}` must be 2-D (D_in, D_out), got shape {w.shape}")
    if (query.shape[-1] != w_q.shape[0] or key.shape[-1] != w_k.shape[0]
            or value.shape[-1] != w_v.shape[0] or w_q.shape[1] != w_k.shape[1]
            or w_v.shape[1] != w_o.shape[0] or key.shape[-2] != value.shape[-2]):
        raise ValueError(f"{kernel}: shapes do not fit x @ w projections ({shapes})")
    try:
        arrays.broadcast_shapes(query.shape[:-2], key.shape[:-2], value.shape[:-2])
    except ValueError:
        raise ValueError(f"{kernel}: batch dims of query, key and value do not broadcast "
                         f"({shapes})") from None
    try:
        heads = operator.index(num_heads)
    except TypeError:
        raise TypeError(f"{kernel}: num_heads must be an int, got {type(num_heads).__name__}") \
            from None
    model, value_dim = w_q.shape[1], w_v.shape[1]
    if heads < 1 or model % heads or value_dim % heads:
        raise ValueError(f"{kernel}: num_heads={num_heads} must be a positive divisor of the "
                         f"projected dims (w_q/w_k give {model}, w_v gives {value_dim})")
    expected = (model, model, value_dim, w_o.shape[1])
    for name, b, size in zip(("b_q", "b_k", "b_v", "b_o"), biases, expected):
        if b is not None and b.shape != (size,):
            raise ValueError(f"{kernel}: `{name}` must have shape ({size},), got {b.shape}")
    return heads


def _split_heads(x, heads):
    """(..., N, heads * d) -> view (..., heads, N, d)."""
    return np.moveaxis(x.reshape(x.shape[:-1] + (heads, x.shape[-1] // heads)), -2, -3)


def multi_head_attention(backend, query, key, value, w_q, w_k, w_v, w_o, num_heads, biases,
                         mask, is_causal, return_weights, return_head_outputs,
                         rounding="nearest", overflow="saturate", attn_mask=None,
                         key_padding_mask=None):
    """See ``attncore.fp.multi_head_attention`` for the contract."""
    kernel = f"{backend}.multi_head_attention"
    if backend == "q16":  # checked here, or the message would name an inner kernel
        arrays.rounding_code(kernel, rounding)
        arrays.overflow_code(kernel, overflow)
    present = [b for b in biases if b is not None]
    present_names = tuple(n for n, b in zip(("b_q", "b_k", "b_v", "b_o"), biases)
                          if b is not None)
    converted, dtype = arrays.convert(backend, kernel,
                                      [query, key, value, w_q, w_k, w_v, w_o, *present],
                                      _NAMES + present_names)
    query, key, value, w_q, w_k, w_v, w_o = converted[:7]
    rest = iter(converted[7:])
    biases = [None if b is None else next(rest) for b in biases]
    heads = _check(kernel, query, key, value, w_q, w_k, w_v, w_o, biases, num_heads)
    is_causal = arrays.flag(kernel, "is_causal", is_causal)
    return_weights = arrays.flag(kernel, "return_weights", return_weights)
    return_head_outputs = arrays.flag(kernel, "return_head_outputs", return_head_outputs)
    if key_padding_mask is not None:
        pad_shape = np.shape(key_padding_mask)
        if not pad_shape or pad_shape[-1] != key.shape[-2]:
            raise ValueError(f"{kernel}: key_padding_mask must be (..., S) with S = "
                             f"{key.shape[-2]} keys, got shape {pad_shape}")
    mask = masks.mha_mask(kernel, mask, attn_mask, key_padding_mask,
                          additive=dtype if backend == "fp" else None,
                          hint=attention.Q16_MASK_HINT if backend == "q16" else "")
    b_q, b_k, b_v, b_o = biases
    if backend == "q16":
        def product(a, b):
            return matmul.q16_matmul(a, b, None, rounding, overflow)

        def add(a, b):
            return elementwise.binary("add", a, b, "nearest", overflow)

        def attend(q, k, v, mask):
            return attention.q16_attention(q, k, v, mask, is_causal, None, return_weights,
                                           rounding)
    else:
        product, add = matmul.fp_matmul, np.add

        def attend(q, k, v, mask):
            return attention.fp_attention(q, k, v, mask, is_causal, None, return_weights)

    def project(x, w, b):
        y = product(x, w)
        return y if b is None else add(y, b)

    q = _split_heads(project(query, w_q, b_q), heads)
    k = _split_heads(project(key, w_k, b_k), heads)
    v = _split_heads(project(value, w_v, b_v), heads)
    if mask is not None:
        mask = arrays.operand(kernel, "mask", mask)
        if mask.ndim >= 64:
            raise ValueError(f"{kernel}: `mask` has {mask.ndim} dims; at most 63 are supported "
                             "(the heads add one)")
        if mask.ndim >= 2:
            mask = mask[..., np.newaxis, :, :]  # one mask for every head
    attended = attend(q, k, v, mask)
    per_head, weights = attended if return_weights else (attended, None)
    length, value_dim = per_head.shape[-2], w_v.shape[1]
    concat = np.moveaxis(per_head, -3, -2).reshape(per_head.shape[:-3] + (length, value_dim))
    out = project(concat, w_o, b_o)
    result = [out]
    if return_weights:
        result.append(weights)
    if return_head_outputs:
        w_o_heads = w_o.reshape(heads, value_dim // heads, w_o.shape[1])
        result.append(np.moveaxis(product(per_head, w_o_heads), -3, -2))
    return out if len(result) == 1 else tuple(result)
