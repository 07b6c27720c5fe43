"""Input checks and messages shared by the backends (Python owns messages)."""
import numpy as np

from attncore._kernels import core

_ROUNDING = {"nearest": core.ac_rounding.AC_ROUND_NEAREST_EVEN, "floor": core.ac_rounding.AC_ROUND_FLOOR}
_OVERFLOW = {"saturate": core.ac_overflow.AC_OVERFLOW_SATURATE, "raise": core.ac_overflow.AC_OVERFLOW_RAISE, "wrap": core.ac_overflow.AC_OVERFLOW_WRAP}

_CONVERT_HINT = (
    "convert real numbers with attncore.q16.from_float(x), or mark integers "
    "that already are raw Q16.16 values with np.asarray(x, dtype=np.int32)"
)


def as_q16(x, kernel, name):
    """``x`` as an aligned int32 array, or a TypeError that says how to convert."""
    arr = np.asarray(x)
    if arr.dtype != np.int32:
        raise TypeError(
            f"{kernel} expects int32 raw Q16.16 values for `{name}`, got {arr.dtype}; "
            + _CONVERT_HINT
        )
    if not arr.flags.aligned:
        arr = arr.copy()
    return arr


def rounding_code(kernel, rounding):
    try:
        return _ROUNDING[rounding]
    except (KeyError, TypeError):
        raise ValueError(
            f"{kernel}: rounding must be one of {sorted(_ROUNDING)}, got {rounding!r}"
        ) from None


def overflow_code(kernel, overflow, allowed=("saturate", "raise", "wrap")):
    if overflow not in allowed or not isinstance(overflow, str):
        raise ValueError(f"{kernel}: overflow must be one of {list(allowed)}, got {overflow!r}")
    return _OVERFLOW[overflow]


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
