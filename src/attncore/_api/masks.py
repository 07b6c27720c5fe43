"""The one mask rule of both backends.

A bool mask keeps its True entries (PyTorch's SDPA convention); in float
attention a real mask is instead added to the scaled scores (-inf masks).
Q16.16 and every softmax take bool masks only.  Keep flags go to the kernels
as uint8 views; an attention mask is (..., L, S) or (S,).
"""
import numpy as np

from attncore._api.arrays import as_float, float_dtype, operand

NONE, KEEP, ADD = 0, 1, 2  # the kinds the float attention kernel takes


def normalize(kernel, mask, additive=None, hint=""):
    """``(mask, kind)``: keep flags as uint8, or (with ``additive``, a float
    dtype) a real mask in that dtype; a TypeError naming the mask otherwise."""
    if mask is None:
        return None, NONE
    mask = operand(kernel, "mask", mask)
    if mask.dtype == np.bool_:
        return mask.view(np.uint8), KEEP
    if additive is None:
        raise TypeError(f"{kernel}: mask must be a bool array (True keeps an entry), got "
                        f"{mask.dtype}{hint}")
    float_dtype(kernel, mask, names=("mask",))
    return as_float(mask, additive), ADD


def attention_mask(kernel, mask, additive=None, hint=""):
    """A mask for attention scores (..., L, S); a (S,) mask applies to every row."""
    mask, kind = normalize(kernel, mask, additive, hint)
    if mask is not None:
        if mask.ndim == 0:
            raise ValueError(f"{kernel}: mask must be at least 1-D (..., L, S) or (S,), got a "
                             "scalar")
        if mask.ndim == 1:
            mask = mask[np.newaxis, :]
    return mask, kind


def broadcast_mask(kernel, mask, shape):
    """Keep flags broadcast to ``shape``, or a ValueError naming both shapes."""
    try:
        return np.broadcast_to(mask, shape)
    except ValueError:
        raise ValueError(f"{kernel}: mask of shape {mask.shape} does not broadcast to x of "
                         f"shape {shape}") from None
