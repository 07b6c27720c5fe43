"""Float backend (float32 / float64): the same function names as
:mod:`attncore.q16`, computed in floating point.

dtype rules follow NumPy: float32 and float64 are preserved, a float32 /
float64 mix gives float64, integers and bools compute in float64, float16
in float32.  Complex and other dtypes are a TypeError.
"""
import numpy as np

from attncore._kernels import attention as _attention, matmul as _matmul
from attncore._attention_api import (
    attention_operands,
    bool_mask,
    default_scale,
    results,
)
from attncore import _linalg_api as _la
from attncore._mha import MhaOps, multi_head
from attncore._matmul_api import matmul_call
from attncore._softmax_api import softmax_rows
from attncore.threads import get_num_threads

__all__ = ["matmul", "softmax", "log_softmax", "scaled_dot_product_attention",
           "multi_head_attention", "lu_factor", "lu_solve", "cho_factor", "cho_solve", "solve",
           "det", "inv", "affine_inverse"]


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


def scaled_dot_product_attention(q, k, v, /, *, mask=None, is_causal=False, scale=None,
                                 return_weights=False):
    """Scaled dot-product attention, ``softmax(q k^T * scale + mask) v``.

    A fused, tiled kernel: per block of 256 query rows, keys are visited in
    tiles of 256; the scores of a tile are one gemm (``scale * Q K^T``), the
    softmax is computed online (running row maximum ``m`` and sum ``l``;
    earlier tiles are rescaled by ``exp(m_old - m_new)``) and ``P V`` is
    accumulated by a second gemm.  The L x S score matrix is never stored
    unless ``return_weights=True``: extra memory is one 256 x 256 tile and
    a 256 x Ev accumulator per thread.  float32 inputs accumulate in
    float32.  With ``is_causal``, tiles entirely above the diagonal are
    skipped.

    Parameters
    ----------
    q : array_like, (..., L, E)
    k : array_like, (..., S, E)
    v : array_like, (..., S, Ev)
        Leading batch dims broadcast against each other (and the mask's).
    mask : array_like, optional
        Broadcast to (..., L, S).  bool: True keeps an entry (PyTorch's
        convention); float: added to the scaled scores (``-inf`` masks).
        A query row with nothing kept gives zeros (not NaN), as PyTorch
        >= 2.5.
    is_causal : bool
        Query i keeps keys j <= i (upper-left aligned when L != S, as
        ``torch.nn.functional.scaled_dot_product_attention``); combines with
        ``mask``.
    scale : float, optional
        Default ``1 / sqrt(E)``.
    return_weights : bool
        Also return the attention weights (..., L, S).

    Returns
    -------
    out : ndarray, (..., L, Ev)
    weights : ndarray, (..., L, S)
        Only with ``return_weights=True``, as ``(out, weights)``.

    Raises
    ------
    ValueError
        Inputs below 2-D, mismatched feature or sequence dims, batch dims or
        a mask that do not broadcast (naming the shapes).
    TypeError
        Complex input, or a mask that is neither bool nor real.
    """
    kernel = "fp.scaled_dot_product_attention"
    q, k, v = np.asarray(q), np.asarray(k), np.asarray(v)
    dtype = _float_dtype(kernel, q, k, v)
    q, k, v = (_as_float(x, dtype) for x in (q, k, v))
    mask_kind = 0
    if mask is not None:
        mask = np.asarray(mask)
        if mask.dtype == np.bool_:
            mask, mask_kind = bool_mask(kernel, mask), 1
        else:
            _float_dtype(kernel + " (mask)", mask)
            mask = _as_float(mask, dtype)
            mask, mask_kind = (mask if mask.ndim >= 2 else mask[np.newaxis, :]), 2
    q, k, v, mask, batch = attention_operands(kernel, q, k, v, mask)
    length, keys, features = q.shape[-2], k.shape[-2], q.shape[-1]
    # the kernel writes every element; without keys the result is all 0
    alloc = np.empty if keys else np.zeros
    out = alloc(batch + (length, v.shape[-1]), dtype=dtype)
    weights = alloc(batch + (length, keys), dtype=dtype) if return_weights else None
    if out.size or (weights is not None and weights.size):
        if keys:
            if mask_kind == 1:
                mask = mask.view(np.uint8)
            _attention.fp(q, k, v, out, mask, mask_kind, bool(is_causal),
                          default_scale(features) if scale is None else float(scale), weights,
                          get_num_threads())
    return results(out, weights, return_weights)


def multi_head_attention(query, key, value, w_q, w_k, w_v, w_o, num_heads, /, *, b_q=None,
                         b_k=None, b_v=None, b_o=None, mask=None, is_causal=False,
                         return_weights=False, return_head_outputs=False):
    """Multi-head attention with projections applied as ``x @ w``.

    ``Q = query @ w_q + b_q`` (likewise K, V); head h takes columns
    ``h*Dh:(h+1)*Dh`` of Q, K and V (``Dh = D / num_heads``) and runs
    :func:`scaled_dot_product_attention` with the default scale
    ``1/sqrt(Dh)``; the heads are concatenated and projected:
    ``out = concat @ w_o + b_o``.  Weights are ``(D_in, D_out)``, as in the
    paper -- not PyTorch's ``x @ w.T``.

    Parameters
    ----------
    query : array_like, (..., L, D_q)
    key, value : array_like, (..., S, D_k), (..., S, D_v)
    w_q, w_k : array_like, (D_q, D), (D_k, D)
    w_v : array_like, (D_v, D_vh)
    w_o : array_like, (D_vh, D_out)
    num_heads : int
        Must divide D and D_vh.
    b_q, b_k, b_v, b_o : array_like, optional
        Biases of the projections, shapes (D,), (D,), (D_vh,), (D_out,).
    mask, is_causal
        As for :func:`scaled_dot_product_attention`; a mask (..., L, S) is
        shared by all heads.
    return_weights : bool
        Also return per-head weights (..., H, L, S) (not averaged).
    return_head_outputs : bool
        Also return each head's contribution in model space,
        ``heads[..., h, :, :] @ w_o[h*Dh:(h+1)*Dh]``, shaped (..., L, H, D_out)
        and without ``b_o``: ``out == head_outputs.sum(-2) + b_o`` up to
        float rounding.

    Returns
    -------
    out, or a tuple ``(out, weights, head_outputs)`` of what was asked for.

    Raises
    ------
    ValueError
        ``num_heads`` not a positive divisor of the projected dims, or
        shapes that do not fit (naming them).
    """
    return multi_head(_MHA_OPS, "fp.multi_head_attention", query, key, value, w_q, w_k, w_v,
                      w_o, num_heads, (b_q, b_k, b_v, b_o), mask, is_causal, return_weights,
                      return_head_outputs)


def _convert_all(kernel, arrays):
    arrays = [np.asarray(x) for x in arrays]
    dtype = _float_dtype(kernel, *arrays)
    return [_as_float(x, dtype) for x in arrays]


_MHA_OPS = MhaOps(
    convert=_convert_all,
    matmul=matmul,
    add=np.add,
    attention=lambda q, k, v, mask, is_causal, return_weights: scaled_dot_product_attention(
        q, k, v, mask=mask, is_causal=is_causal, return_weights=return_weights),
)


# ---- linear algebra ----------------------------------------------------------

def _convert_linalg(kernel, *arrays):
    arrays = [np.asarray(x) for x in arrays]
    dtype = _float_dtype(kernel, *arrays)
    return [_as_float(x, dtype) for x in arrays], dtype, 0 if dtype == np.float32 else 1


_ARITH = _la.Arith("fp", _convert_linalg)


def lu_factor(a, /):
    """LU factorization with partial pivoting, batched: ``P A = L U``.

    Column c pivots on the largest magnitude at or below the diagonal; the
    multipliers (``|l| <= 1``) are stored below the diagonal of ``lu`` and
    ``U`` on and above it, as ``scipy.linalg.lu_factor`` does, with the same
    0-based LAPACK-style ``piv`` (row i was swapped with row ``piv[i]``), so
    results equal SciPy's up to rounding when pivots are not tied.  n = 2,
    3, 4 run unrolled kernels.

    Parameters
    ----------
    a : array_like, (..., n, n)

    Returns
    -------
    lu : ndarray, (..., n, n)
    piv : ndarray of int32, (..., n)

    Raises
    ------
    attncore.SingularMatrixError
        An exactly zero pivot; the message names the batch indices.
    ValueError
        ``a`` not square in its last two dims.
    """
    return _la.lu_factor(_ARITH, a)


def lu_solve(lu_and_piv, b, /):
    """Solve ``A x = b`` from :func:`lu_factor`'s ``(lu, piv)``.

    ``b`` follows ``numpy.linalg.solve`` (NumPy 2): a vector only when 1-D
    (n,), else (..., n, k); batch dims broadcast with ``lu``'s.
    Forward substitution with the unit lower factor, back substitution with
    ``U``, in the input precision.

    Raises
    ------
    attncore.SingularMatrixError
        A zero on ``U``'s diagonal (naming the batch indices).
    ValueError
        Shapes that do not match (naming them), or pivots out of range.
    """
    return _la.lu_solve(_ARITH, lu_and_piv, b)


def cho_factor(a, /, *, lower=True, pivot=False):
    """Cholesky factorization, batched: ``A = L L^T`` (or ``U^T U``).

    Only the lower triangle of ``a`` is read.  The default is the **lower**
    factor, unlike ``scipy.linalg.cho_factor`` (upper by default); the other
    triangle of ``c`` is 0 (SciPy leaves it unspecified).  With
    ``pivot=True``, diagonal (symmetric) pivoting: ``P A P^T = L L^T``,
    taking the largest remaining diagonal each step and stopping at
    ``rank`` when it is <= n * eps * max(diag(A)): the factor of a
    semidefinite or badly scaled matrix.

    Returns
    -------
    (c, lower)
        Without pivoting (SciPy's layout).
    (c, lower, perm, rank)
        With pivoting: ``perm[i]`` is the original index of pivot i
        (int32, (..., n)); ``rank`` (..., ) the number of pivots taken.

    Raises
    ------
    attncore.NotPositiveDefiniteError
        A pivot <= 0 without pivoting (naming the batch indices).
    """
    return _la.cho_factor(_ARITH, a, lower, pivot)


def cho_solve(c_and_lower, b, /):
    """Solve ``A x = b`` from :func:`cho_factor`'s tuple (either form);
    ``b`` as in :func:`lu_solve`.  A pivoted factor of rank < n raises
    :class:`attncore.SingularMatrixError`."""
    return _la.cho_solve(_ARITH, c_and_lower, b)


def solve(a, b, /, *, assume_a="gen"):
    """Solve ``A x = b`` for a batch of small matrices.

    ``assume_a="gen"``: LU with partial pivoting; ``"pos"``: Cholesky (A
    symmetric positive definite, lower triangle read).  ``b`` follows
    ``numpy.linalg.solve`` in NumPy 2: a vector only when 1-D.  One fused C
    call per matrix (factor and substitute without leaving the registers
    for n <= 4).

    Raises
    ------
    attncore.SingularMatrixError, attncore.NotPositiveDefiniteError
        Naming the batch indices; nothing is returned.
    ValueError
        Non-square ``a``, mismatched ``b`` or batch dims (naming shapes), or
        an unknown ``assume_a``.
    """
    return _la.solve(_ARITH, a, b, assume_a)


def det(a, /):
    """Determinant from the LU diagonal with the pivot sign, batched (0 for
    an exactly singular matrix, no error)."""
    return _la.det(_ARITH, a)


def inv(a, /):
    """Inverse by LU solves against the identity.

    Prefer :func:`solve` (or :func:`lu_factor` + :func:`lu_solve`): forming
    the inverse costs more and ``inv(a) @ b`` is less accurate than solving.
    For rigid or affine transforms see :func:`affine_inverse`.

    Raises
    ------
    attncore.SingularMatrixError
        Naming the batch indices.
    """
    return _la.inv(_ARITH, a)


def affine_inverse(m, /, *, kind="affine"):
    """Inverse of homogeneous transforms ``[[A, t], [0, 1]]``, batched.

    ``m`` is (..., 4, 4) or (..., 3, 3).  ``kind="rigid"`` assumes A is a
    rotation and returns ``[[A^T, -A^T t], [0, 1]]`` (no division at all);
    ``kind="affine"`` inverts A by LU and returns ``[[A^-1, -A^-1 t], [0,
    1]]``.  The bottom row of the result is exactly ``[0 ... 0 1]``.

    Raises
    ------
    ValueError
        A bottom row other than exactly ``[0 ... 0 1]``, or a shape other
        than (..., 3, 3) / (..., 4, 4).
    attncore.SingularMatrixError
        ``kind="affine"`` with a singular A (naming the batch indices).
    """
    return _la.affine_inverse(_ARITH, m, kind)
