"""Operand rules of both backends: dtypes (raw values for Q16.16, NumPy's
promotion for float), byte order, the rounding and overflow policy names,
flags, broadcasting, ``out=``, and how results come back.  Python owns the
messages.

Every public function takes its array operands through :func:`operand`:
that is where Dask arrays are refused (one rule for every in-memory
function) and non-native byte order is converted, as NumPy's own functions
do."""
import numpy as np

from attncore.saturation import raising
from attncore._kernels import core

_CONVERT_HINT = (
    "convert real numbers with attncore.q16.from_float(x); integers (Python ints or integer "
    "arrays) are taken as raw Q16.16 values when every value fits int32"
)
# The Q16.16 constants of attncore/q16.h, for the public modules.
FRAC_BITS, ONE, MIN, MAX = core.FRAC_BITS, core.ONE, core.MIN, core.MAX
_ROUNDING = {"nearest": core.ac_rounding.AC_ROUND_NEAREST_EVEN,
             "floor": core.ac_rounding.AC_ROUND_FLOOR}
_OVERFLOW = {"saturate": core.ac_overflow.AC_OVERFLOW_SATURATE,
             "raise": core.ac_overflow.AC_OVERFLOW_RAISE,
             "wrap": core.ac_overflow.AC_OVERFLOW_WRAP}


def is_dask(x):
    """Whether ``x`` is a Dask collection (without importing Dask)."""
    return hasattr(type(x), "__dask_graph__")


def operand(kernel, name, x):
    """``x`` as an ndarray in native byte order.

    Dask arrays are refused with a TypeError naming :mod:`attncore.dask`:
    ``np.asarray`` would compute the whole graph eagerly and silently.
    Byte-swapped input (``>f8`` on a little-endian host ...) is converted,
    as NumPy's functions do: the kernels read native words only.
    """
    if is_dask(x):
        raise TypeError(
            f"{kernel}: `{name}` is a Dask array; the in-memory functions would compute it "
            f"eagerly. Use attncore.dask.{kernel} (lazy, same arguments), or pass "
            f"np.asarray({name}) to compute it here")
    try:
        arr = np.asarray(x)
    except (ValueError, TypeError) as exc:
        raise type(exc)(f"{kernel}: `{name}` is not an array: {exc}") from None
    if not arr.dtype.isnative and arr.dtype.fields is None:
        arr = arr.astype(arr.dtype.newbyteorder("="))
    return arr


def _fits_int32(kernel, name, arr):
    """A ValueError unless every value of the integer array ``arr`` is an int32."""
    narrow = arr.dtype.itemsize < 4 or (arr.dtype.itemsize == 4 and arr.dtype.kind == "i")
    if arr.size == 0 or narrow:
        return
    lo, hi = arr.min(), arr.max()
    if lo < MIN or hi > MAX:
        bad = lo if lo < MIN else hi
        raise ValueError(
            f"{kernel}: `{name}` holds {int(bad)}, outside the int32 range of raw Q16.16 values "
            f"[{MIN}, {MAX}]; convert real numbers with attncore.q16.from_float(x)")


def as_q16(x, kernel, name):
    """``x`` as an aligned native int32 array of raw Q16.16 values.

    Python ints and integer arrays are accepted when every value fits int32
    (a ValueError naming ``name`` otherwise); anything else (floats, bools,
    complex, objects) is a TypeError that says how to convert.
    """
    if isinstance(x, int) and not isinstance(x, bool):  # Python ints of any size
        if not MIN <= x <= MAX:
            raise ValueError(
                f"{kernel}: `{name}` is {x}, outside the int32 range of raw Q16.16 values "
                f"[{MIN}, {MAX}]; convert real numbers with attncore.q16.from_float(x)")
        return np.asarray(x, np.int32)
    arr = operand(kernel, name, x)
    if arr.dtype != np.int32:
        if arr.dtype.kind not in "iu":
            raise TypeError(
                f"{kernel} expects int32 raw Q16.16 values for `{name}`, got {arr.dtype}; "
                + _CONVERT_HINT)
        _fits_int32(kernel, name, arr)
        arr = arr.astype(np.int32)
    return arr if arr.flags.aligned else arr.copy()


def flag(kernel, name, value):
    """``value`` as a bool, or a TypeError: a string such as ``"no"`` or a
    number must not be read as True."""
    if isinstance(value, (bool, np.bool_)) or (
            isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype == np.bool_):
        return bool(value)
    raise TypeError(f"{kernel}: `{name}` must be True or False, got {value!r}")


def check_finite(kernel, arrays, names):
    """SciPy's ``check_finite``: a ValueError naming the first argument that
    holds an infinity or NaN."""
    for x, name in zip(arrays, names):
        if x.dtype.kind == "f" and x.size and not np.isfinite(x).all():
            raise ValueError(f"{kernel}: `{name}` must not contain infs or NaNs "
                             "(check_finite=False skips this check)")


def float_dtype(kernel, *arrays, names=None):
    """The float dtype a computation on ``arrays`` runs in (NumPy's rules:
    float32 stays, integers and bools compute in float64, float16 in
    float32), or a TypeError naming the argument for complex and
    non-numeric input."""
    names = names or ("x",) * len(arrays)
    for x, name in zip(arrays, names):
        if x.dtype.kind == "c":
            raise TypeError(f"{kernel}: `{name}` is complex ({x.dtype}), which is not supported; "
                            "pass the real part explicitly if that is what you mean")
        if x.dtype.kind not in "biuf" or x.dtype == np.longdouble:
            raise TypeError(f"{kernel}: `{name}` must hold real numbers (float32/float64, "
                            f"integers or bools), got {x.dtype}")
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
    arrays = [operand(kernel, name, x) for x, name in zip(arrays, names)]
    dtype = float_dtype(kernel, *arrays, names=names)
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


MAX_DIMS = 64
"""NumPy's limit on the dims of an array."""


def result_dims(kernel, shape):
    """A ValueError naming ``kernel`` when a result of ``shape`` cannot
    exist (operands of up to 64 dims can broadcast to more)."""
    if len(shape) > MAX_DIMS:
        raise ValueError(f"{kernel}: the result would have {len(shape)} dims; NumPy arrays have "
                         f"at most {MAX_DIMS}")


def broadcast_shapes(*shapes):
    """``np.broadcast_shapes`` for up to 64 dims (NumPy's own stops at 32);
    a ValueError if the shapes do not broadcast."""
    ndim = max((len(s) for s in shapes), default=0)
    result = [1] * ndim
    for shape in shapes:
        for i, extent in enumerate(shape, ndim - len(shape)):
            if extent != 1:
                if result[i] not in (1, extent):
                    raise ValueError("shapes " + ", ".join(map(str, shapes))
                                     + " do not broadcast")
                result[i] = extent
    return tuple(result)


def broadcast(kernel, *arrays):
    """Broadcast views of ``arrays``; a ValueError naming every shape if they don't."""
    try:
        shape = broadcast_shapes(*(a.shape for a in arrays))
    except ValueError:
        shapes = " and ".join(str(a.shape) for a in arrays)
        raise ValueError(f"{kernel}: operands could not be broadcast together: shapes {shapes}") from None
    return [np.broadcast_to(a, shape) for a in arrays]


def flat_to_index(flat, shape):
    """C-order flat index -> tuple index (``()`` for a 0-d result)."""
    return tuple(int(i) for i in np.unravel_index(flat, shape)) if shape else ()


def scalar_or_array(arr):
    """NumPy's convention: a 0-d result comes back as a scalar."""
    return arr[()] if arr.ndim == 0 else arr


def run_into_out(kernel, out, out_shape, core_shape, dtype, inputs, compute, direct_ok):
    """Validate ``out``, let ``compute(work)`` fill a ``core_shape`` array and
    return the result in ``out_shape``.

    ``out`` is checked (type, shape, and that the result casts to its dtype
    under NumPy's ``same_kind`` rule) before anything is written.  The
    kernel writes straight into ``out`` only when that is safe: the
    result's own dtype, aligned,
    no overlap with an input, and the kernel cannot fail half-way
    (``direct_ok``).  Otherwise it writes a fresh array, copied into ``out``
    only after success, so a failed call leaves ``out`` untouched.
    """
    if out is not None:
        if not isinstance(out, np.ndarray):
            raise TypeError(f"{kernel}: out must be a NumPy array, got {type(out).__name__}")
        if not np.can_cast(dtype, out.dtype, "same_kind"):
            raise TypeError(f"{kernel}: cannot write the {np.dtype(dtype)} result into `out` of "
                            f"dtype {out.dtype} (NumPy's casting='same_kind' rule)")
        if out.shape != out_shape:
            raise ValueError(f"{kernel}: out has shape {out.shape}, the result has shape {out_shape}")
        if not out.flags.writeable:
            raise ValueError(f"{kernel}: out is read-only")
        if direct_ok and out.dtype == dtype and out.flags.aligned and not any(
                np.may_share_memory(out, x) for x in inputs):
            compute(out.reshape(core_shape) if out.flags.c_contiguous
                    else _core_view(out, core_shape))
            return out
    work = np.empty(core_shape, dtype=dtype)
    compute(work)
    result = work.reshape(out_shape)
    if out is None:
        return scalar_or_array(result)
    np.copyto(out, result, casting="same_kind")
    return out


def _core_view(out, core_shape):
    """``out`` seen with the promoted unit dims put back (a view, no copy)."""
    view = out
    while view.ndim < len(core_shape):
        view = view[..., np.newaxis]
    if view.shape != core_shape:  # a unit m dim sits before n, not after
        view = out[..., np.newaxis, :]
    return view
