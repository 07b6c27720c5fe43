"""``matmul`` operand handling shared by the two backends: np.matmul's
shape rules, ``out=`` validation and the decision where results are written.
"""
import numpy as np


def matmul_operands(kernel, a, b):
    """Broadcast ``a`` and ``b`` as np.matmul does.

    Returns
    -------
    a3, b3 : ndarray
        Views of shape ``batch + (m, k)`` and ``batch + (k, n)`` (1-D
        operands promoted, batch dims broadcast with zero strides).
    out_shape : tuple
        The shape np.matmul returns (promoted dims removed again).
    """
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(
            f"{kernel}: operands must be at least 1-D, got shapes {a.shape} and {b.shape} "
            "(use multiply for scalars)")
    a2 = a[np.newaxis, :] if a.ndim == 1 else a
    b2 = b[:, np.newaxis] if b.ndim == 1 else b
    if a2.shape[-1] != b2.shape[-2]:
        raise ValueError(
            f"{kernel}: inner dimensions do not match: shapes {a.shape} and {b.shape} "
            f"({a2.shape[-1]} != {b2.shape[-2]})")
    try:
        batch = np.broadcast_shapes(a2.shape[:-2], b2.shape[:-2])
    except ValueError:
        raise ValueError(
            f"{kernel}: batch dimensions do not broadcast: shapes {a.shape} and {b.shape}"
        ) from None
    m, k, n = a2.shape[-2], a2.shape[-1], b2.shape[-1]
    a3 = np.broadcast_to(a2, batch + (m, k))
    b3 = np.broadcast_to(b2, batch + (k, n))
    out_shape = batch + ((m,) if a.ndim > 1 else ()) + ((n,) if b.ndim > 1 else ())
    return a3, b3, out_shape


def matmul_call(kernel, a, b, out, dtype, run, direct_ok=True):
    """The body both backends' ``matmul`` share: shapes, ``out=``, the
    k == 0 and empty cases; ``run(a3, b3, work)`` does the products."""
    a3, b3, out_shape = matmul_operands(kernel, a, b)
    core_shape = a3.shape[:-1] + b3.shape[-1:]

    def compute(work):
        if a3.shape[-1] == 0:
            work[...] = 0  # an empty sum
        elif work.size:
            run(a3, b3, work, out_shape)

    return run_into_out(kernel, out, out_shape, core_shape, dtype, (a, b), compute, direct_ok)


def run_into_out(kernel, out, out_shape, core_shape, dtype, inputs, compute, direct_ok):
    """Validate ``out``, let ``compute(work)`` fill a ``core_shape`` array and
    return the np.matmul-shaped result.

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
        return result[()] if result.ndim == 0 else result
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


