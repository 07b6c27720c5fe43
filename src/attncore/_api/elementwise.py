"""The elementwise Q16.16 functions and the conversions: operands checked
and broadcast here, every element computed by the kernels, what they
report turned into exceptions or saturation counts."""
import numpy as np

from attncore._api import arrays, status
from attncore._kernels import elementwise as kernels
from attncore.threads import get_num_threads


def binary(name, a, b, rounding, overflow):
    kernel = f"q16.{name}"
    a = arrays.as_q16(a, kernel, "a")
    b = arrays.as_q16(b, kernel, "b")
    rnd = arrays.rounding_code(kernel, rounding)
    ovf = arrays.overflow_code(kernel, overflow)
    a_b, b_b = arrays.broadcast(kernel, a, b)
    out = np.empty(a_b.shape, dtype=np.int32)
    report = kernels.binary(name, a_b, b_b, out, rnd, ovf, get_num_threads())
    status.check_report(kernel, report, out.shape, overflow, (("a", a_b), ("b", b_b)))
    return arrays.scalar_or_array(out)


def unary(name, a, rounding, overflow):
    kernel = f"q16.{name}"
    a = arrays.as_q16(a, kernel, "a")
    rnd = arrays.rounding_code(kernel, rounding)
    ovf = arrays.overflow_code(kernel, overflow, ("saturate", "raise"))
    out = np.empty(a.shape, dtype=np.int32)
    report = kernels.unary(name, a, out, rnd, ovf, get_num_threads())
    status.check_report(kernel, report, out.shape, overflow, (("a", a),))
    return arrays.scalar_or_array(out)


def from_float(x, rounding, overflow):
    kernel = "q16.from_float"
    arr = arrays.operand(kernel, "x", x)
    rnd = arrays.rounding_code(kernel, rounding)
    ovf = arrays.overflow_code(kernel, overflow)
    kind = arr.dtype.kind
    if kind == "f" and arr.dtype.itemsize <= 8:
        if arr.dtype == np.float16:
            arr = arr.astype(np.float32)  # exact
    elif kind in "iub":
        if arr.dtype == np.uint64 and arr.size and arr.max() > np.iinfo(np.int64).max:
            # Only the low 16 bits matter modulo 2**32; otherwise any value
            # this large is out of range and 2**62 clamps the same way.
            arr = arr & 0xFFFF if overflow == "wrap" else np.minimum(arr, 2**62)
        arr = arr.astype(np.int64)
    else:
        raise TypeError(
            f"{kernel}: `x` must hold real numbers (float16/32/64, integers, bools), got "
            f"{arr.dtype}")
    if not arr.flags.aligned:
        arr = arr.copy()
    out = np.empty(arr.shape, dtype=np.int32)
    report = kernels.from_real(arr, out, rnd, ovf, get_num_threads())
    status.check_report(kernel, report, out.shape, overflow, value=arr)
    return arrays.scalar_or_array(out)


def to_float(q):
    q = arrays.as_q16(q, "q16.to_float", "q")
    out = np.empty(q.shape, dtype=np.float64)
    kernels.to_double(q, out, get_num_threads())
    return arrays.scalar_or_array(out)
