"""Softmax argument handling shared by the two backends: the axis, the
bool mask (True keeps, broadcast against ``x``), and the layout handed to
the row kernels (softmax axis last, as views: nothing is copied)."""
import numpy as np
from numpy.lib.array_utils import normalize_axis_index

from attncore._kernels import softmax as _softmax
from attncore.threads import get_num_threads


def softmax_rows(kernel, x, axis, mask, out_dtype, log_output, rounding_code):
    """Run the row kernel; returns ``(out, report)``."""
    scalar = x.ndim == 0
    if scalar:
        x = x.reshape(1)
    axis = normalize_axis_index(axis, x.ndim)
    mask_rows = None
    if mask is not None:
        mask = np.asarray(mask)
        if mask.dtype != np.bool_:
            raise TypeError(f"{kernel}: mask must be a bool array (True keeps an entry), "
                            f"got {mask.dtype}")
        try:
            mask = np.broadcast_to(mask, x.shape)
        except ValueError:
            raise ValueError(f"{kernel}: mask of shape {mask.shape} does not broadcast to "
                             f"x of shape {x.shape}") from None
        mask_rows = np.moveaxis(mask, axis, -1).view(np.uint8)
    out = np.empty(x.shape, dtype=out_dtype)
    report = _softmax.softmax_rows(np.moveaxis(x, axis, -1), np.moveaxis(out, axis, -1),
                                   mask_rows, int(log_output), rounding_code, get_num_threads())
    return (out.reshape(()) if scalar else out), report
