"""softmax / log_softmax of both backends: the axis (an int, a tuple or
None, as SciPy), the mask, and the layout handed to the row kernels (softmax
axis last; as views when the axis is one dim)."""
import operator

import numpy as np
from numpy.lib.array_utils import normalize_axis_index

from attncore._api import arrays, masks, status
from attncore._kernels import softmax as kernels
from attncore.threads import get_num_threads


def _axes(kernel, axis, ndim):
    """The softmax axes as a sorted tuple (SciPy: None is every axis, a
    tuple their union); an AxisError, ValueError (a repeated axis) or
    TypeError naming ``axis``."""
    if axis is None:
        return tuple(range(ndim))
    items = axis if isinstance(axis, tuple) else (axis,)
    try:
        if any(isinstance(a, (bool, np.bool_)) for a in items):  # an int to NumPy, not here
            raise TypeError
        ints = [operator.index(a) for a in items]
    except TypeError:
        raise TypeError(f"{kernel}: `axis` must be an int, a tuple of ints or None, got "
                        f"{axis!r}") from None
    prefix = f"{kernel}: `axis`"
    axes = [normalize_axis_index(a, ndim, prefix) for a in ints]
    if len(set(axes)) != len(axes):
        raise ValueError(f"{kernel}: `axis` {axis!r} repeats an axis")
    return tuple(sorted(axes))


def _to_rows(x, axes):
    """``x`` with ``axes`` moved last and merged into one (the softmax
    row); a view for one axis, a copy when several must be merged."""
    rest = [d for d in range(x.ndim) if d not in axes]
    moved = x.transpose(rest + list(axes))
    return moved.reshape(moved.shape[:len(rest)] + (-1,)) if len(axes) != 1 else moved


def _from_rows(rows, shape, axes):
    """Undo :func:`_to_rows` on a fresh C-contiguous result."""
    rest = [d for d in range(len(shape)) if d not in axes]
    moved = rows.reshape(tuple(shape[d] for d in rest) + tuple(shape[d] for d in axes))
    return np.ascontiguousarray(moved.transpose(np.argsort(rest + list(axes))))


def softmax(backend, kernel, x, axis, mask, log_output=False, rounding="nearest"):
    (x,), dtype = arrays.convert(backend, kernel, (x,), ("x",))
    rnd = arrays.rounding_code(kernel, rounding) if backend == "q16" else 0
    shape = x.shape
    if x.ndim == 0:
        x = x.reshape(1)
    axes = _axes(kernel, axis, x.ndim)
    mask, _ = masks.normalize(kernel, mask)
    if mask is not None:
        mask = masks.broadcast_mask(kernel, mask, x.shape)
    if not axes:  # softmax over no axis: every entry is its own row of one
        x = x[..., np.newaxis]
        mask = None if mask is None else mask[..., np.newaxis]
        axes = (x.ndim - 1,)
    if x.size == 0:  # nothing to compute, however large the other dims
        return np.empty(shape, dtype=dtype)
    if len(axes) == 1:  # rows are views of x, out and the mask
        out = np.empty(x.shape, dtype=dtype)
        rows, out_rows = np.moveaxis(x, axes[0], -1), np.moveaxis(out, axes[0], -1)
        mask_rows = None if mask is None else np.moveaxis(mask, axes[0], -1)
    else:
        rows = _to_rows(x, axes)
        out_rows = np.empty(rows.shape, dtype=dtype)
        mask_rows = None if mask is None else _to_rows(mask, axes)
    report = kernels.softmax_rows(rows, out_rows, mask_rows, int(log_output), rnd,
                                  get_num_threads())
    status.check_report(kernel, report, rows.shape[:-1], "saturate", where="row")
    if len(axes) != 1:
        out = _from_rows(out_rows, x.shape, axes)
    return out.reshape(shape)
