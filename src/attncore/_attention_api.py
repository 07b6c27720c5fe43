"""Argument handling shared by the attention functions of both backends:
shape checks, broadcasting of batch dims, the mask layout handed to the
kernels, and the result tuple."""
import math

import numpy as np


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
        batch = np.broadcast_shapes(*batch_shapes)
        if mask is not None:
            mask = np.broadcast_to(mask, batch + (length, keys))
    except ValueError:
        shapes = ", ".join(str(x.shape) for x in (q, k, v) + ((mask,) if mask is not None else ()))
        raise ValueError(f"{kernel}: batch dims of q, k, v{', mask' if mask is not None else ''} "
                         f"do not broadcast (shapes {shapes}; a mask is (..., L={length}, "
                         f"S={keys}))") from None
    q = np.broadcast_to(q, batch + q.shape[-2:])
    k = np.broadcast_to(k, batch + k.shape[-2:])
    v = np.broadcast_to(v, batch + v.shape[-2:])
    return q, k, v, mask, batch


def bool_mask(kernel, mask):
    mask = np.asarray(mask)
    if mask.dtype != np.bool_:
        raise TypeError(f"{kernel}: mask must be bool (True keeps an entry), got {mask.dtype}")
    if mask.ndim == 0:
        raise ValueError(f"{kernel}: mask must be at least 1-D (..., L, S) or (S,), got a scalar")
    return mask if mask.ndim >= 2 else mask[np.newaxis, :]


def default_scale(features):
    return 1.0 / math.sqrt(features) if features > 0 else 1.0


def results(out, weights, return_weights):
    return (out, weights) if return_weights else out
