"""``matmul`` of both backends: np.matmul's shape rules, then the kernel
writes into ``out`` or a fresh array (attncore._api.arrays.run_into_out)."""
import numpy as np

from attncore._api import arrays, status
from attncore._kernels import matmul as kernels
from attncore.threads import get_num_threads


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
        batch = arrays.broadcast_shapes(a2.shape[:-2], b2.shape[:-2])
    except ValueError:
        raise ValueError(
            f"{kernel}: batch dimensions do not broadcast: shapes {a.shape} and {b.shape}"
        ) from None
    m, k, n = a2.shape[-2], a2.shape[-1], b2.shape[-1]
    arrays.result_dims(kernel, batch + (m, n))
    a3 = np.broadcast_to(a2, batch + (m, k))
    b3 = np.broadcast_to(b2, batch + (k, n))
    out_shape = batch + ((m,) if a.ndim > 1 else ()) + ((n,) if b.ndim > 1 else ())
    return a3, b3, out_shape


def _call(kernel, a, b, out, dtype, run, direct_ok=True):
    """Shapes, ``out=``, the k == 0 and empty cases; ``run(a3, b3, work,
    out_shape)`` does the products."""
    a3, b3, out_shape = matmul_operands(kernel, a, b)
    core_shape = a3.shape[:-1] + b3.shape[-1:]

    def compute(work):
        if a3.shape[-1] == 0:
            work[...] = 0  # an empty sum
        elif work.size:
            run(a3, b3, work, out_shape)

    return arrays.run_into_out(kernel, out, out_shape, core_shape, dtype, (a, b), compute,
                               direct_ok)


def fp_matmul(a, b, out=None, kernel="fp.matmul"):
    (a, b), dtype = arrays.convert("fp", kernel, (a, b), ("a", "b"))
    return _call(kernel, a, b, out, dtype,
                 lambda a3, b3, work, shape: kernels.fp(a3, b3, work, get_num_threads()))


def q16_matmul(a, b, out=None, rounding="nearest", overflow="saturate", kernel="q16.matmul"):
    (a, b), dtype = arrays.convert("q16", kernel, (a, b), ("a", "b"))
    rnd = arrays.rounding_code(kernel, rounding)
    ovf = arrays.overflow_code(kernel, overflow)

    def run(a3, b3, work, out_shape):
        report = kernels.q16(a3, b3, work, rnd, ovf, get_num_threads())
        status.check_report(kernel, report, out_shape, overflow)

    # under "raise" (or errstate's) the kernel may stop half-way: never in the caller's out
    return _call(kernel, a, b, out, dtype, run, direct_ok=not arrays.raises(ovf))
