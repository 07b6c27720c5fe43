"""The one table from the C core's status codes to Python exceptions.

Kernels never raise about their input: they report a status per call, row
or batch item (ext/include/attncore/status.h), and this module turns it into
the exception the public API documents, naming the kernel and where it
failed.  The table is keyed by the enum the kernels layer exports; a test
checks it against the C header.
"""
import numpy as np

from attncore._api.arrays import flat_to_index
from attncore._kernels import core
from attncore.errors import (LISTED, NotPositiveDefiniteError, Q16OverflowError,
                             SingularMatrixError, located)
from attncore.saturation import record

S = core.ac_status

# status -> (exception type, what went wrong).  Where one status covers
# several preconditions the text depends on the operation (the kernel name's
# last part); a text may name the offending input value or format fields of
# the call.
TABLE = {
    S.AC_STATUS_RANGE: (Q16OverflowError, "result out of Q16.16 range"),
    S.AC_STATUS_DIV_BY_ZERO: (ZeroDivisionError, "division by zero"),
    S.AC_STATUS_DOMAIN: (ValueError, {
        "sqrt": "sqrt of a negative number",
        "from_float": lambda value: (
            "NaN has no Q16.16 value" if np.isnan(value)
            else "an infinity has no residue modulo 2**32 (overflow='wrap')"),
    }),
    S.AC_STATUS_SINGULAR: (SingularMatrixError, "singular matrix (a pivot is exactly zero)"),
    S.AC_STATUS_NOT_POSITIVE_DEFINITE: (NotPositiveDefiniteError,
                                        "matrix not positive definite (Cholesky pivot <= 0)"),
    S.AC_STATUS_TOO_LONG: (ValueError,
                           "more than 2**23 entries kept in a row, which is not supported"),
    S.AC_STATUS_BAD_ARGUMENT: (ValueError, {
        "lu_solve": "invalid factor: pivot indices out of range, or exact factor words that no "
                    "q16.lu_factor / q16.cho_factor of this size writes",
        "cho_solve": "invalid factor: exact factor words that no q16.lu_factor / "
                     "q16.cho_factor of this size writes",
        "affine_inverse": "bottom row is not [0 ... 0 1] (required of a homogeneous {n}x{n} "
                          "matrix)",
    }),
}

# When batch items fail in several ways, the error raised is the first kind
# here that occurs; range events come last, at their first element.
_BATCH_ORDER = (S.AC_STATUS_SINGULAR, S.AC_STATUS_NOT_POSITIVE_DEFINITE,
                S.AC_STATUS_BAD_ARGUMENT, S.AC_STATUS_DOMAIN, S.AC_STATUS_TOO_LONG,
                S.AC_STATUS_DIV_BY_ZERO)


def describe(status, kernel, value=None, **fields):
    """``(exception type, message text)`` of C ``status`` in ``kernel``."""
    exc_type, text = TABLE[S(status)]
    if isinstance(text, dict):
        text = text[kernel.rsplit(".", 1)[-1]]
    if callable(text):
        text = text(value)
    return exc_type, text.format(**fields)


# A range error under overflow="saturate" comes from q16.errstate: say so,
# and how to get the clamp back.
_ERRSTATE_HINT = ("raised because q16.errstate(saturation='raise') is in effect; "
                  "q16.errstate(saturation='warn') clamps and warns instead")


def error(status, kernel, indices, *, where="index", detail="", value=None, overflow=None,
          **fields):
    """The exception for C ``status`` in ``kernel`` at ``indices``."""
    exc_type, text = describe(status, kernel, value, **fields)
    hint = _ERRSTATE_HINT if overflow == "saturate" and exc_type is Q16OverflowError else ""
    return located(exc_type, kernel, text, indices, where=where, detail=detail, hint=hint)


def batch_error(exc_type, kernel, text, items, batch):
    """An error naming the first LISTED failing batch items (flat ``items``)."""
    found = [np.unravel_index(j, batch) if batch else () for j in items[:LISTED]]
    return located(exc_type, kernel, text, found, where="batch index",
                   more=max(len(items) - LISTED, 0))


def check_report(kernel, report, shape, overflow, operands=(), value=None, where="index"):
    """Raise for a loop's report ``(status, events, first, first_status,
    stop)`` (flat indices into ``shape``), or count its range events.
    ``operands`` (name, array) are quoted at the failing index; ``value`` is
    the input array whose element a message may name."""
    status, events, _, _, stop = report
    if status == S.AC_OK:
        record(kernel, events, wrapped=overflow == "wrap")
        return
    index = flat_to_index(stop, shape)
    values = ", ".join(f"{name}={int(arr[index])}" for name, arr in operands)
    raise error(status, kernel, [index], where=where,
                detail=f" (raw {values})" if values else "",
                value=None if value is None else value[index], overflow=overflow)


def check_items(kernel, status, events, first, batch, core_shape, overflow, **fields):
    """Raise for per-item statuses (naming the batch indices), or count the
    items' range events."""
    bad = np.flatnonzero(status)
    if bad.size:
        codes = status[bad]
        for code in _BATCH_ORDER:
            hit = bad[codes == code]
            if hit.size:
                exc_type, text = describe(code, kernel, **fields)
                raise batch_error(exc_type, kernel, text, hit, batch)
        item = int(bad[0])
        index = (np.unravel_index(item, batch) if batch else ()) + \
            (np.unravel_index(int(first[item]), core_shape) if core_shape else ())
        raise error(S.AC_STATUS_RANGE, kernel, [index], overflow=overflow)
    record(kernel, int(events.sum()), wrapped=overflow == "wrap")
