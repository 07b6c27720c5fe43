"""Float backend (float32 / float64): the same function names as
:mod:`attncore.q16`, computed in floating point.

dtype rules follow NumPy: float32 and float64 are preserved, a float32 /
float64 mix gives float64, integers and bools compute in float64, float16
in float32.  Complex and other dtypes are a TypeError.
"""
import numpy as np

from attncore import _matmul
from attncore._blas_threads import thread_control_addresses
from attncore._matmul_api import matmul_call
from attncore._softmax_api import softmax_rows
from attncore.threads import get_num_threads

__all__ = ["matmul", "softmax", "log_softmax"]

_matmul._set_blas_thread_control(*thread_control_addresses())


def _float_dtype(kernel, *arrays):
    for x in arrays:
        if x.dtype.kind == "c":
            raise TypeError(f"{kernel}: complex input ({x.dtype}) is not supported")
        if x.dtype.kind not in "biuf" or x.dtype == np.longdouble:
            raise TypeError(f"{kernel}: expected real numbers (float32/float64), got {x.dtype}")
    dtype = np.result_type(*arrays)
    if dtype.kind in "biu":
        return np.dtype(np.float64)
    return np.dtype(np.float32) if dtype.itemsize <= 4 else np.dtype(np.float64)


def _as_float(x, dtype):
    x = np.asarray(x, dtype=dtype)
    return x if x.flags.aligned else x.copy()


def matmul(a, b, /, *, out=None):
    """Matrix product with ``np.matmul`` semantics.

    ``out[..., i, j] = sum_p a[..., i, p] * b[..., p, j]``, summed in the
    input precision (float32 stays float32).  Leading batch dims broadcast;
    a 1-D ``a`` is a row vector and a 1-D ``b`` a column vector, and the
    promoted dim is removed from the result.  Any strides work.

    Small products (2x2, 3x3, 4x4, 4x4 @ 4x1 ...) run in register-blocked C
    kernels; products of 32^3 multiply-adds or more go to BLAS.  Batches are
    split over :func:`attncore.get_num_threads` threads; each output is
    computed by one thread in a fixed order, so results do not depend on the
    thread count.

    Parameters
    ----------
    a, b : array_like
        Real arrays, at least 1-D.
    out : ndarray, optional
        Must have the result's exact shape and dtype; validated before any
        write.

    Returns
    -------
    ndarray (a scalar for 1-D @ 1-D)

    Raises
    ------
    ValueError
        0-d operands, mismatched inner dims or batch dims that do not
        broadcast (naming both shapes), or a wrong ``out`` shape.
    TypeError
        Complex input, or ``out`` of another dtype.
    """
    kernel = "fp.matmul"
    a, b = np.asarray(a), np.asarray(b)
    dtype = _float_dtype(kernel, a, b)
    a, b = _as_float(a, dtype), _as_float(b, dtype)
    return matmul_call(kernel, a, b, out, dtype,
                       lambda a3, b3, work, shape: _matmul.fp(a3, b3, work, get_num_threads()))


def _softmax(kernel, x, axis, mask, log_output):
    x = np.asarray(x)
    dtype = _float_dtype(kernel, x)
    out, _ = softmax_rows(kernel, _as_float(x, dtype), axis, mask, dtype, log_output, 0)
    return out


def softmax(x, /, axis=-1, *, mask=None):
    """Numerically stable softmax along ``axis``.

    ``out = exp(x - m) / sum(exp(x - m))`` with ``m`` the maximum of the
    kept entries, in the input precision (float32 stays float32; the sum
    accumulates in it too).  Huge finite logits cannot overflow: every
    exponent is <= 0.

    Parameters
    ----------
    x : array_like of real numbers
    axis : int
    mask : array_like of bool, optional
        True keeps an entry; broadcast against ``x``.  Masked entries are
        exactly 0, and a row with nothing kept is all 0 (not NaN), as in
        PyTorch >= 2.5 SDPA.

    Returns
    -------
    ndarray, same shape as ``x``

    Raises
    ------
    TypeError
        Complex input or a non-bool mask.
    ValueError
        A mask that does not broadcast to ``x``.
    numpy.exceptions.AxisError
        ``axis`` out of range.
    """
    return _softmax("fp.softmax", x, axis, mask, False)


def log_softmax(x, /, axis=-1, *, mask=None):
    """Numerically stable log-softmax along ``axis``.

    ``out = x - m - log(sum(exp(x - m)))``; masked entries are -inf, and a
    row with nothing kept is all -inf (the log of the zeros ``softmax``
    returns).  Parameters and errors as :func:`softmax`.
    """
    return _softmax("fp.log_softmax", x, axis, mask, True)
