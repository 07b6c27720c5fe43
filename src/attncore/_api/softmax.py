"""softmax / log_softmax of both backends: the axis, the mask, and the
layout handed to the row kernels (softmax axis last, as views: nothing is
copied)."""
import numpy as np
from numpy.lib.array_utils import normalize_axis_index

from attncore._api import arrays, masks, status
from attncore._kernels import softmax as kernels
from attncore.threads import get_num_threads


def softmax(backend, kernel, x, axis, mask, log_output=False, rounding="nearest"):
    (x,), dtype = arrays.convert(backend, kernel, (x,), ("x",))
    rnd = arrays.rounding_code(kernel, rounding) if backend == "q16" else 0
    scalar = x.ndim == 0
    if scalar:
        x = x.reshape(1)
    axis = normalize_axis_index(axis, x.ndim)
    mask, _ = masks.normalize(kernel, mask)
    mask_rows = None
    if mask is not None:
        mask_rows = np.moveaxis(masks.broadcast_mask(kernel, mask, x.shape), axis, -1)
    out = np.empty(x.shape, dtype=dtype)
    rows = np.moveaxis(x, axis, -1)
    report = kernels.softmax_rows(rows, np.moveaxis(out, axis, -1), mask_rows, int(log_output),
                                  rnd, get_num_threads())
    status.check_report(kernel, report, rows.shape[:-1], "saturate", where="row")
    return out.reshape(()) if scalar else out
