"""Operand rules of both backends: dtypes (int32 raw values for Q16.16,
NumPy's promotion for float), the rounding and overflow policy names,
broadcasting, ``out=``, and how results come back.  Python owns the
messages."""
import numpy as np

from attncore.saturation import raising
from attncore._kernels import core

_CONVERT_HINT = (
    "convert real numbers with attncore.q16.from_float(x), or mark integers "
    "that already are raw Q16.16 values with np.asarray(x, dtype=np.int32)"
)
# The Q16.16 constants of attncore/q16.h, for the public modules.
FRAC_BITS, ONE, MIN, MAX = core.FRAC_BITS, core.ONE, core.MIN, core.MAX
_ROUNDING = {"nearest": core.ac_rounding.AC_ROUND_NEAREST_EVEN,
             "floor": core.ac_rounding.AC_ROUND_FLOOR}
_OVERFLOW = {"saturate": core.ac_overflow.AC_OVERFLOW_SATURATE,
             "raise": core.ac_overflow.AC_OVERFLOW_RAISE,
             "wrap": core.ac_overflow.AC_OVERFLOW_WRAP}


def as_q16(x, kernel, name):
    """``x`` as an aligned int32 array, or a TypeError that says how to convert."""
    arr = np.asarray(x)
    if arr.dtype != np.int32:
        raise TypeError(
            f"{kernel} expects int32 raw Q16.16 values for `{name}`, got {arr.dtype}; "
            + _CONVERT_HINT
        )
    return arr if arr.flags.aligned else arr.copy()


def float_dtype(kernel, *arrays):
    """The float dtype a computation on ``arrays`` runs in (NumPy's rules:
    float32 stays, integers and bools compute in float64, float16 in
    float32), or a TypeError for complex and non-numeric input."""
    for x in arrays:
        if x.dtype.kind == "c":
            raise TypeError(f"{kernel}: complex input ({x.dtype}) is not supported")
        if x.dtype.kind not in "biuf" or x.dtype == np.longdouble:
            raise TypeError(f"{kernel}: expected real numbers (float32/float64), got {x.dtype}")
    dtype = np.result_type(*arrays)
    if dtype.kind in "biu":
        return np.dtype(np.float64)
    return np.dtype(np.float32) if dtype.itemsize <= 4 else np.dtype(np.float64)


def as_float(x, dtype):
    x = np.asarray(x, dtype=dtype)
    return x if x.flags.aligned else x.copy()


def convert(backend, kernel, arrays, names):
    """``arrays`` in the arithmetic of ``backend`` ("fp" or "q16"), and its dtype."""
    if backend == "q16":
        return [as_q16(x, kernel, name) for x, name in zip(arrays, names)], np.dtype(np.int32)
    arrays = [np.asarray(x) for x in arrays]
    dtype = float_dtype(kernel, *arrays)
    return [as_float(x, dtype) for x in arrays], dtype


def rounding_code(kernel, rounding):
    try:
        return _ROUNDING[rounding]
    except (KeyError, TypeError):
        raise ValueError(
            f"{kernel}: rounding must be one of {sorted(_ROUNDING)}, got {rounding!r}"
        ) from None


def overflow_code(kernel, overflow, allowed=("saturate", "raise", "wrap")):
    """The C policy a call runs with: ``overflow``, except that "saturate"
    runs as "raise" inside ``q16.errstate(saturation="raise")`` (the one
    place that rule lives)."""
    if overflow not in allowed or not isinstance(overflow, str):
        raise ValueError(f"{kernel}: overflow must be one of {list(allowed)}, got {overflow!r}")
    if overflow == "saturate" and raising():
        return _OVERFLOW["raise"]
    return _OVERFLOW[overflow]


def raises(code):
    """Whether a call with C overflow policy ``code`` may stop half-way."""
    return code == _OVERFLOW["raise"]


def broadcast(kernel, *arrays):
    """Broadcast views of ``arrays``; a ValueError naming every shape if they don't."""
    try:
        return np.broadcast_arrays(*arrays)
    except ValueError:
        shapes = " and ".join(str(a.shape) for a in arrays)
        raise ValueError(f"{kernel}: operands could not be broadcast together: shapes {shapes}") from None


def flat_to_index(flat, shape):
    """C-order flat index -> tuple index (``()`` for a 0-d result)."""
    return tuple(int(i) for i in np.unravel_index(flat, shape)) if shape else ()


def scalar_or_array(arr):
    """NumPy's convention: a 0-d result comes back as a scalar."""
    return arr[()] if arr.ndim == 0 else arr


def run_into_out(kernel, out, out_shape, core_shape, dtype, inputs, compute, direct_ok):
    """Validate ``out``, let ``compute(work)`` fill a ``core_shape`` array and
    return the result in ``out_shape``.

    ``out`` is checked (type, dtype, shape) before anything is written.  The
    kernel writes straight into ``out`` only when that is safe: aligned,
    no overlap with an input, and the kernel cannot fail half-way
    (``direct_ok``).  Otherwise it writes a fresh array, copied into ``out``
    only after success, so a failed call leaves ``out`` untouched.
    """
    if out is not None:
        if not isinstance(out, np.ndarray):
            raise TypeError(f"{kernel}: out must be a NumPy array, got {type(out).__name__}")
        if out.dtype != dtype:
            raise TypeError(f"{kernel}: out has dtype {out.dtype}, the result is {np.dtype(dtype)}")
        if out.shape != out_shape:
            raise ValueError(f"{kernel}: out has shape {out.shape}, the result has shape {out_shape}")
        if not out.flags.writeable:
            raise ValueError(f"{kernel}: out is read-only")
        if direct_ok and out.flags.aligned and not any(
                np.may_share_memory(out, x) for x in inputs):
            compute(out.reshape(core_shape) if out.flags.c_contiguous
                    else _core_view(out, core_shape))
            return out
    work = np.empty(core_shape, dtype=dtype)
    compute(work)
    result = work.reshape(out_shape)
    if out is None:
        return scalar_or_array(result)
    np.copyto(out, result)
    return out


def _core_view(out, core_shape):
    """``out`` seen with the promoted unit dims put back (a view, no copy)."""
    view = out
    while view.ndim < len(core_shape):
        view = view[..., np.newaxis]
    if view.shape != core_shape:  # a unit m dim sits before n, not after
        view = out[..., np.newaxis, :]
    return view
