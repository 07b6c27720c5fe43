"""Multi-head attention composed from one backend's kernels (projections by
its ``matmul``, biases by its ``add``, heads by its scaled dot-product
attention), so both backends share one definition of the head layout."""
import operator
from typing import Callable, NamedTuple

import numpy as np


class MhaOps(NamedTuple):
    """The backend pieces multi-head attention is built from."""

    convert: Callable    # (kernel, list of arrays) -> list of arrays of the backend dtype
    matmul: Callable     # (a, b) -> a @ b
    add: Callable        # (a, b) -> a + b
    attention: Callable  # (q, k, v, mask, is_causal, return_weights) -> out | (out, weights)


def _check(kernel, query, key, value, w_q, w_k, w_v, w_o, biases, num_heads):
    shapes = (f"query {query.shape}, key {key.shape}, value {value.shape}, w_q {w_q.shape}, "
              f"w_k {w_k.shape}, w_v {w_v.shape}, w_o {w_o.shape}")
    for name, x in (("query", query), ("key", key), ("value", value)):
        if x.ndim < 2:
            raise ValueError(f"{kernel}: `{name}` must be at least 2-D (..., length, dim), "
                             f"got shape {x.shape}")
    for name, w in (("w_q", w_q), ("w_k", w_k), ("w_v", w_v), ("w_o", w_o)):
        if w.ndim != 2:
            raise ValueError(f"{kernel}: `{name}` must be 2-D (D_in, D_out), got shape {w.shape}")
    if (query.shape[-1] != w_q.shape[0] or key.shape[-1] != w_k.shape[0]
            or value.shape[-1] != w_v.shape[0] or w_q.shape[1] != w_k.shape[1]
            or w_v.shape[1] != w_o.shape[0] or key.shape[-2] != value.shape[-2]):
        raise ValueError(f"{kernel}: shapes do not fit x @ w projections ({shapes})")
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


def multi_head(ops, kernel, query, key, value, w_q, w_k, w_v, w_o, num_heads, biases, mask,
               is_causal, return_weights, return_head_outputs):
    """See ``fp.multi_head_attention`` for the contract."""
    present = [b for b in biases if b is not None]
    arrays = ops.convert(kernel, [query, key, value, w_q, w_k, w_v, w_o, *present])
    query, key, value, w_q, w_k, w_v, w_o = arrays[:7]
    converted = iter(arrays[7:])
    biases = [None if b is None else next(converted) for b in biases]
    heads = _check(kernel, query, key, value, w_q, w_k, w_v, w_o, biases, num_heads)
    b_q, b_k, b_v, b_o = biases

    def project(x, w, b):
        y = ops.matmul(x, w)
        return y if b is None else ops.add(y, b)

    q = _split_heads(project(query, w_q, b_q), heads)
    k = _split_heads(project(key, w_k, b_k), heads)
    v = _split_heads(project(value, w_v, b_v), heads)
    if mask is not None:
        mask = np.asarray(mask)
        if mask.ndim >= 2:
            mask = mask[..., np.newaxis, :, :]  # one mask for every head
    attended = ops.attention(q, k, v, mask, is_causal, return_weights)
    per_head, weights = attended if return_weights else (attended, None)
    length, value_dim = per_head.shape[-2], w_v.shape[1]
    concat = np.moveaxis(per_head, -3, -2).reshape(per_head.shape[:-3] + (length, value_dim))
    out = project(concat, w_o, b_o)
    result = [out]
    if return_weights:
        result.append(weights)
    if return_head_outputs:
        w_o_heads = w_o.reshape(heads, value_dim // heads, w_o.shape[1])
        result.append(np.moveaxis(ops.matmul(per_head, w_o_heads), -3, -2))
    return out if len(result) == 1 else tuple(result)
