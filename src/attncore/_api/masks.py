"""The one mask rule of both backends.

A bool mask keeps its True entries (PyTorch's SDPA convention); in float
attention a real mask is instead added to the scaled scores (-inf masks).
Q16.16 and every softmax take bool masks only.  Keep flags go to the kernels
as uint8 views; an attention mask is (..., L, S) or (S,).

Multi-head attention also takes PyTorch ``nn.MultiheadAttention``'s two
masks, whose bool polarity is the opposite (True = masked out):
``attn_mask`` and ``key_padding_mask``; :func:`mha_mask` turns the three
into the one convention above, so the polarity follows the keyword's name.
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


def _additive(keep, dtype):
    return np.where(keep, 0.0, -np.inf).astype(dtype)


def mha_mask(kernel, mask, attn_mask, key_padding_mask, additive=None, hint=""):
    """One attention mask (..., L, S) in the convention above (bool keep
    flags, or with ``additive`` a float mask to add), from multi-head
    attention's keywords:

    ``mask``
        this module's convention (bool True keeps; float added);
    ``attn_mask``
        ``nn.MultiheadAttention``'s (bool True is masked out; float added);
        at most one of the two;
    ``key_padding_mask``
        (..., S), True = a padding key that no query reads (float: added),
        for every query row.
    """
    if mask is not None and attn_mask is not None:
        raise ValueError(f"{kernel}: pass `mask` (bool True keeps an entry: SDPA's convention) "
                         "or `attn_mask` (bool True masks an entry out: nn.MultiheadAttention's "
                         "convention), not both")
    if attn_mask is not None:
        attn_mask = np.asarray(attn_mask)
        if attn_mask.dtype != np.bool_ and additive is None:
            raise TypeError(f"{kernel}: attn_mask must be a bool array (True masks an entry "
                            f"out), got {attn_mask.dtype}{hint}")
        mask = ~attn_mask if attn_mask.dtype == np.bool_ else attn_mask
    if key_padding_mask is None:
        return mask
    pad = np.asarray(key_padding_mask)
    if pad.ndim == 0:
        raise ValueError(f"{kernel}: key_padding_mask must be (..., S) (True = padding), got a "
                         "scalar")
    if pad.dtype == np.bool_:
        pad = ~pad                                   # now keep flags
    elif additive is None:
        raise TypeError(f"{kernel}: key_padding_mask must be a bool array (True = padding, a "
                        f"key to ignore), got {pad.dtype}{hint}")
    else:
        float_dtype(f"{kernel} (key_padding_mask)", pad)
    pad = pad[..., np.newaxis, :]                    # the same for every query row
    if mask is None:
        return pad
    mask = np.asarray(mask)
    if mask.dtype == np.bool_ and pad.dtype == np.bool_:
        return mask & pad
    if additive is None:
        normalize(kernel, mask, None, hint)          # the error a non-bool mask gets
    float_dtype(f"{kernel} (mask)", mask)
    as_add = [_additive(x, additive) if x.dtype == np.bool_ else as_float(x, additive)
              for x in (mask, pad)]
    return as_add[0] + as_add[1]
