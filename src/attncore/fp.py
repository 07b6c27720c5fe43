"""Float backend (float32 / float64): the same function names as
:mod:`attncore.q16`, computed in floating point.

dtype rules follow NumPy: float32 and float64 are preserved, a float32 /
float64 mix gives float64, integers and bools compute in float64, float16
in float32.  Complex and other dtypes are a TypeError.
"""
from attncore._api import attention as _attention
from attncore._api import linalg as _linalg
from attncore._api import matmul as _matmul
from attncore._api import mha as _mha
from attncore._api import softmax as _softmax

__all__ = ["matmul", "softmax", "log_softmax", "scaled_dot_product_attention",
           "multi_head_attention", "lu_factor", "lu_solve", "cho_factor", "cho_solve", "solve",
           "det", "slogdet", "inv", "affine_inverse"]


def matmul(a, b, /, *, out=None):
    """Matrix product with ``np.matmul`` semantics.

    ``out[..., i, j] = sum_p a[..., i, p] * b[..., p, j]``, summed in the
    input precision (float32 stays float32).  Leading batch dims broadcast;
    a 1-D ``a`` is a row vector and a 1-D ``b`` a column vector, and the
    promoted dim is removed from the result.  Any strides work.

    Small products (2x2, 3x3, 4x4, 4x4 @ 4x1 ...) run in register-blocked C
    kernels (a multiply then an add per term); products of 10^3
    multiply-adds or more run in attncore's own GEMM (a fused multiply-add
    per term on CPUs with AVX2 and FMA), which needs no BLAS and takes any
    strides.  Which of the two runs depends on ``(m, n, k)`` only.  Batches
    and large products are shared by up to :func:`attncore.get_num_threads`
    threads; each output element is computed by the same operations
    whatever thread computes it, so results do not depend on the thread
    count.

    Parameters
    ----------
    a, b : array_like
        Real arrays, at least 1-D.
    out : ndarray, optional
        Must have the result's exact shape; its dtype must accept the
        result under NumPy's ``casting="same_kind"`` (float32 takes a
        float64 result, an integer array does not).  Validated before any
        write; untouched if the call raises.

    Returns
    -------
    ndarray
        A scalar for 1-D @ 1-D.

    Raises
    ------
    ValueError
        0-d operands, mismatched inner dims or batch dims that do not
        broadcast (naming both shapes), or a wrong ``out`` shape.
    TypeError
        Complex input, or an ``out`` dtype the result does not cast to.

    Examples
    --------
    >>> import numpy as np
    >>> from attncore import fp
    >>> fp.matmul([[1.0, 2.0], [3.0, 4.0]], [[1.0], [1.0]]).tolist()
    [[3.0], [7.0]]
    >>> fp.matmul(np.ones((5, 2, 3), np.float32), np.ones(3)).shape  # batched, vector
    (5, 2)
    """
    return _matmul.fp_matmul(a, b, out)


def softmax(x, /, axis=-1, *, mask=None):
    """Numerically stable softmax along ``axis``.

    ``out = exp(x - m) / sum(exp(x - m))`` with ``m`` the maximum of the
    kept entries, in the input precision (float32 stays float32; the sum
    accumulates in it too).  Huge finite logits cannot overflow: every
    exponent is <= 0.

    Parameters
    ----------
    x : array_like of real numbers
    axis : int, tuple of ints or None
        The axes the softmax normalizes over, as ``scipy.special.softmax``:
        a tuple means their union, None every axis (default -1).
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

    Examples
    --------
    >>> from attncore import fp
    >>> fp.softmax([1000.0, 1000.0]).tolist()  # no overflow
    [0.5, 0.5]
    >>> fp.softmax([1.0, 2.0, 3.0], mask=[True, False, True]).round(4).tolist()
    [0.1192, 0.0, 0.8808]
    """
    return _softmax.softmax("fp", "fp.softmax", x, axis, mask)


def log_softmax(x, /, axis=-1, *, mask=None):
    """Numerically stable log-softmax along ``axis``.

    ``out = x - m - log(sum(exp(x - m)))``; masked entries are -inf, and a
    row with nothing kept is all -inf (the log of the zeros :func:`softmax`
    returns).

    Parameters
    ----------
    x : array_like of real numbers
    axis : int, tuple of ints or None
        The axes the softmax normalizes over, as ``scipy.special.softmax``:
        a tuple means their union, None every axis (default -1).
    mask : array_like of bool, optional
        True keeps an entry; broadcast against ``x``.

    Returns
    -------
    ndarray, same shape as ``x``

    Raises
    ------
    TypeError, ValueError, numpy.exceptions.AxisError
        As :func:`softmax`.

    Examples
    --------
    >>> from attncore import fp
    >>> fp.log_softmax([0.0, 0.0]).round(6).tolist()
    [-0.693147, -0.693147]
    >>> fp.log_softmax([1.0, 2.0], mask=[False, True]).tolist()
    [-inf, 0.0]
    """
    return _softmax.softmax("fp", "fp.log_softmax", x, axis, mask, log_output=True)


def scaled_dot_product_attention(q, k, v, /, *, mask=None, is_causal=False, scale=None,
                                 enable_gqa=False, return_weights=False):
    """Scaled dot-product attention, ``softmax(q k^T * scale + mask) v``.

    A fused, tiled kernel: per block of 96 query rows, keys are visited in
    tiles of 256; the scores of a tile are one product (``scale * Q K^T``,
    attncore's GEMM), the softmax is computed online (running row maximum
    ``m`` and sum ``l``; earlier tiles are rescaled by ``exp(m_old -
    m_new)``) and ``P V`` is accumulated by a second product.  The L x S
    score matrix is never stored unless ``return_weights=True`` (then the
    whole row is one tile): extra memory is one 96 x 256 tile and a 96 x Ev
    accumulator per thread.  float32 inputs accumulate in float32.  With
    ``is_causal``, a tile is applied only to the rows that see one of its
    keys.  A row's result depends neither on the thread count nor on the
    rows computed beside it.

    Parameters
    ----------
    q : array_like, (..., L, E)
    k : array_like, (..., S, E)
    v : array_like, (..., S, Ev)
        Leading batch dims broadcast against each other (and the mask's).
    mask : array_like, optional
        Broadcast to (..., L, S); (S,) applies to every query.  bool: True
        keeps an entry (PyTorch's convention); float: added to the scaled
        scores (``-inf`` masks).  A query row with nothing kept gives zeros
        (not NaN), as PyTorch >= 2.5.
    is_causal : bool
        Query i keeps keys j <= i (upper-left aligned when L != S, as
        ``torch.nn.functional.scaled_dot_product_attention``); combines with
        ``mask``.
    scale : float, optional
        Default ``1 / sqrt(E)``.
    enable_gqa : bool
        Grouped-query attention, as PyTorch's ``enable_gqa``: heads are dim
        -3, q has Hq heads, k and v have Hk and Hv heads that divide Hq, and
        query head h reads key head ``h // (Hq // Hk)`` and value head
        ``h // (Hq // Hv)``.  The shared heads are broadcast views (no copy;
        only Hk and Hv that do not divide each other are repeated).  Without
        it, head dims are batch dims and must broadcast.
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
        Inputs below 2-D (3-D with ``enable_gqa``), mismatched feature or
        sequence dims, batch dims or a mask that do not broadcast (naming
        the shapes), head counts that do not divide q's, or a 0-d mask.
    TypeError
        Complex input, or a mask that is neither bool nor real.

    Examples
    --------
    >>> import numpy as np
    >>> from attncore import fp
    >>> q = k = np.zeros((2, 4))                       # equal scores
    >>> v = np.array([[1.0, 2.0], [3.0, 4.0]])
    >>> fp.scaled_dot_product_attention(q, k, v).tolist()   # the mean of v
    [[2.0, 3.0], [2.0, 3.0]]
    >>> fp.scaled_dot_product_attention(q, k, v, is_causal=True).tolist()
    [[1.0, 2.0], [2.0, 3.0]]
    >>> rng = np.random.default_rng(0)                   # 8 query heads, 2 key/value heads
    >>> q, k, v = rng.random((3, 8, 5, 4)), rng.random((3, 2, 6, 4)), rng.random((3, 2, 6, 4))
    >>> out = fp.scaled_dot_product_attention(q, k, v, enable_gqa=True)
    >>> out.shape
    (3, 8, 5, 4)
    >>> bool(np.allclose(out[:, 5], fp.scaled_dot_product_attention(q[:, 5], k[:, 1], v[:, 1])))
    True
    """
    return _attention.fp_attention(q, k, v, mask, is_causal, scale, return_weights, enable_gqa)


def multi_head_attention(query, key, value, w_q, w_k, w_v, w_o, num_heads, /, *, b_q=None,
                         b_k=None, b_v=None, b_o=None, mask=None, attn_mask=None,
                         key_padding_mask=None, is_causal=False, return_weights=False,
                         return_head_outputs=False):
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
    mask : array_like, optional
        (..., L, S) or (S,), shared by all heads, in
        :func:`scaled_dot_product_attention`'s convention: **bool True
        keeps** an entry; float is added to the scores.
    attn_mask : array_like, optional
        The same mask in ``torch.nn.MultiheadAttention``'s convention:
        **bool True masks an entry out**; float is added.  Give ``mask`` or
        ``attn_mask``, not both: the keyword says the polarity.
    key_padding_mask : array_like, optional
        (..., S): **True marks a padding key** that no query attends to (as
        ``nn.MultiheadAttention``; float is added), for every head and
        query row; combined with ``mask``/``attn_mask`` and ``is_causal``.
        A query row left with no key gives zeros, not NaN.
    is_causal : bool
        As for :func:`scaled_dot_product_attention`.
    return_weights : bool
        Also return per-head weights (..., H, L, S) (not averaged).
    return_head_outputs : bool
        Also return each head's contribution in model space,
        ``heads[..., h, :, :] @ w_o[h*Dh:(h+1)*Dh]``, shaped (..., L, H, D_out)
        and without ``b_o``: ``out == head_outputs.sum(-2) + b_o`` up to
        float rounding.

    Returns
    -------
    out : ndarray, (..., L, D_out)
        Or a tuple ``(out, weights, head_outputs)`` of what was asked for.

    Raises
    ------
    ValueError
        ``num_heads`` not a positive divisor of the projected dims, shapes
        that do not fit (naming them), a ``key_padding_mask`` whose last dim
        is not S, or both ``mask`` and ``attn_mask``.
    TypeError
        A non-integer ``num_heads``, or complex input.

    Examples
    --------
    >>> import numpy as np
    >>> from attncore import fp
    >>> x = np.arange(12.0).reshape(3, 4) / 10
    >>> w = np.eye(4)
    >>> out, heads = fp.multi_head_attention(x, x, x, w, w, w, w, 2,
    ...                                      return_head_outputs=True)
    >>> out.shape, heads.shape
    ((3, 4), (3, 2, 4))
    >>> bool(np.allclose(heads.sum(-2), out))
    True

    One causal mask, said in either convention, and the last key as padding:

    >>> keep = np.tril(np.ones((3, 3), bool))                 # True keeps (SDPA)
    >>> a = fp.multi_head_attention(x, x, x, w, w, w, w, 2, mask=keep)
    >>> b = fp.multi_head_attention(x, x, x, w, w, w, w, 2, attn_mask=~keep)  # True masks
    >>> bool(np.array_equal(a, b))
    True
    >>> pad = np.array([False, False, True])                  # True = padding key
    >>> _, weights = fp.multi_head_attention(x, x, x, w, w, w, w, 2, key_padding_mask=pad,
    ...                                      return_weights=True)
    >>> float(weights[..., 2].max())                          # nobody reads key 2
    0.0
    """
    return _mha.multi_head_attention("fp", query, key, value, w_q, w_k, w_v, w_o, num_heads,
                                     (b_q, b_k, b_v, b_o), mask, is_causal, return_weights,
                                     return_head_outputs, attn_mask=attn_mask,
                                     key_padding_mask=key_padding_mask)


def lu_factor(a, /, *, check_finite=True):
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
    check_finite : bool
        Check that the inputs hold no infinity or NaN (default, as SciPy);
        ``False`` skips the check, and non-finite values then propagate.

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
        Non-finite input with ``check_finite=True`` (naming the argument).

    Examples
    --------
    >>> from attncore import fp
    >>> lu, piv = fp.lu_factor([[1.0, 2.0], [4.0, 4.0]])
    >>> lu.tolist(), piv.tolist()
    ([[4.0, 4.0], [0.25, 1.0]], [1, 1])
    """
    return _linalg.lu_factor("fp", a, check_finite=check_finite)


def lu_solve(lu_and_piv, b, /, *, check_finite=True):
    """Solve ``A x = b`` from :func:`lu_factor`'s ``(lu, piv)``.

    Forward substitution with the unit lower factor, back substitution with
    ``U``, in the input precision.

    Parameters
    ----------
    lu_and_piv : tuple of ndarray
        ``(lu (..., n, n), piv (..., n))`` from :func:`lu_factor`.
    b : array_like, (n,) or (..., n, k)
        As ``numpy.linalg.solve`` (NumPy 2): a vector only when 1-D; batch
        dims broadcast with ``lu``'s.
    check_finite : bool
        Check that the inputs hold no infinity or NaN (default, as SciPy);
        ``False`` skips the check, and non-finite values then propagate.

    Returns
    -------
    x : ndarray, shaped as ``b`` (with the broadcast batch dims)

    Raises
    ------
    attncore.SingularMatrixError
        A zero on ``U``'s diagonal (naming the batch indices).
    ValueError
        Shapes that do not match (naming them), or pivots out of range.
        Non-finite input with ``check_finite=True`` (naming the argument).

    Examples
    --------
    >>> from attncore import fp
    >>> factors = fp.lu_factor([[2.0, 1.0], [1.0, 3.0]])
    >>> fp.lu_solve(factors, [3.0, 5.0]).round(12).tolist()
    [0.8, 1.4]
    """
    return _linalg.lu_solve("fp", lu_and_piv, b, check_finite=check_finite)


def cho_factor(a, /, *, lower=True, pivot=False, check_finite=True):
    """Cholesky factorization, batched: ``A = L L^T`` (or ``U^T U``).

    Only the lower triangle of ``a`` is read.  The default is the **lower**
    factor, unlike ``scipy.linalg.cho_factor`` (upper by default); the other
    triangle of ``c`` is 0 (SciPy leaves it unspecified).  With
    ``pivot=True``, diagonal (symmetric) pivoting: ``P A P^T = L L^T``,
    taking the largest remaining diagonal each step and stopping at
    ``rank`` when it is <= n * eps * max(diag(A)): the factor of a
    semidefinite or badly scaled matrix.

    Parameters
    ----------
    a : array_like, (..., n, n)
        Symmetric; only its lower triangle is read.
    lower : bool
        Return ``L`` (default) or ``U = L^T``.
    pivot : bool
        Diagonal pivoting, for semidefinite input.
    check_finite : bool
        Check that the inputs hold no infinity or NaN (default, as SciPy);
        ``False`` skips the check, and non-finite values then propagate.

    Returns
    -------
    (c, lower)
        Without pivoting (SciPy's layout).
    (c, lower, perm, rank)
        With pivoting: ``perm[i]`` is the original index of pivot i
        (int32, (..., n)); ``rank`` (...) the number of pivots taken.

    Raises
    ------
    attncore.NotPositiveDefiniteError
        A pivot <= 0 without pivoting (naming the batch indices).
    ValueError
        ``a`` not square in its last two dims.
        Non-finite input with ``check_finite=True`` (naming the argument).

    Examples
    --------
    >>> from attncore import fp
    >>> c, lower = fp.cho_factor([[4.0, 2.0], [2.0, 5.0]])
    >>> c.tolist(), lower
    ([[2.0, 0.0], [1.0, 2.0]], True)
    """
    return _linalg.cho_factor("fp", a, lower, pivot, check_finite=check_finite)


def cho_solve(c_and_lower, b, /, *, check_finite=True):
    """Solve ``A x = b`` from :func:`cho_factor`'s tuple (either form).

    Parameters
    ----------
    c_and_lower : tuple
        ``(c, lower)`` or ``(c, lower, perm, rank)`` from :func:`cho_factor`.
    b : array_like, (n,) or (..., n, k)
        As in :func:`lu_solve`.
    check_finite : bool
        Check that the inputs hold no infinity or NaN (default, as SciPy);
        ``False`` skips the check, and non-finite values then propagate.

    Returns
    -------
    x : ndarray, shaped as ``b`` (with the broadcast batch dims)

    Raises
    ------
    attncore.SingularMatrixError
        A pivoted factor of rank < n, or a zero on the factor's diagonal.
    ValueError
        Shapes that do not match, or ``perm`` not a permutation.
        Non-finite input with ``check_finite=True`` (naming the argument).

    Examples
    --------
    >>> from attncore import fp
    >>> factor = fp.cho_factor([[4.0, 2.0], [2.0, 5.0]])
    >>> fp.cho_solve(factor, [6.0, 7.0]).tolist()
    [1.0, 1.0]
    """
    return _linalg.cho_solve("fp", c_and_lower, b, check_finite=check_finite)


def solve(a, b, /, *, assume_a="gen", check_finite=True):
    """Solve ``A x = b`` for a batch of small matrices.

    One fused C call per matrix (factor and substitute without leaving the
    registers for n <= 4).

    Parameters
    ----------
    a : array_like, (..., n, n)
    b : array_like, (n,) or (..., n, k)
        As ``numpy.linalg.solve`` in NumPy 2: a vector only when 1-D.
    assume_a : {"gen", "pos"}
        LU with partial pivoting, or Cholesky (A symmetric positive
        definite, lower triangle read).
    check_finite : bool
        Check that the inputs hold no infinity or NaN (default, as SciPy);
        ``False`` skips the check, and non-finite values then propagate.

    Returns
    -------
    x : ndarray, shaped as ``b`` (with the broadcast batch dims)

    Raises
    ------
    attncore.SingularMatrixError, attncore.NotPositiveDefiniteError
        Naming the batch indices; nothing is returned.
    ValueError
        Non-square ``a``, mismatched ``b`` or batch dims (naming shapes), or
        an unknown ``assume_a``.
        Non-finite input with ``check_finite=True`` (naming the argument).

    Examples
    --------
    >>> import numpy as np
    >>> from attncore import fp
    >>> fp.solve([[2.0, 1.0], [1.0, 3.0]], [3.0, 5.0]).round(12).tolist()
    [0.8, 1.4]
    >>> a = np.tile(np.eye(3) * 4, (1000, 1, 1))               # a batch
    >>> fp.solve(a, np.ones((1000, 3, 1)), assume_a="pos")[0, :, 0].tolist()
    [0.25, 0.25, 0.25]
    """
    return _linalg.solve("fp", a, b, assume_a, check_finite=check_finite)


def det(a, /, *, check_finite=True):
    """Determinant from the LU diagonal with the pivot sign, batched.

    Parameters
    ----------
    a : array_like, (..., n, n)
    check_finite : bool
        Check that the inputs hold no infinity or NaN (default, as SciPy);
        ``False`` skips the check, and non-finite values then propagate.

    Returns
    -------
    ndarray, (...)
        A scalar for one matrix; 0 for an exactly singular matrix (no error).

    Raises
    ------
    ValueError
        ``a`` not square in its last two dims.
        Non-finite input with ``check_finite=True`` (naming the argument).

    Examples
    --------
    >>> from attncore import fp
    >>> float(fp.det([[1.0, 2.0], [3.0, 4.0]]))
    -2.0
    """
    return _linalg.det("fp", a, check_finite=check_finite)


def slogdet(a, /):
    """Sign and natural log of ``|det(a)|``, batched, as ``numpy.linalg.slogdet``.

    From :func:`lu_factor`'s pivots: ``sign`` is the product of the signs
    of ``U``'s diagonal and of the row swaps, ``logabsdet`` the sum of
    ``log |U_ii|`` (accumulated in float64, rounded once to the input's
    dtype).  No determinant is formed, so ``det = sign * exp(logabsdet)``
    may be far outside the float range (``1e-800``, ``1e800``) and still
    be reported.  An exactly singular matrix gives ``(0, -inf)``, no error.
    NaN input gives NaN (NumPy's LAPACK path may report ``(0, -inf)``).

    There is no ``attncore.q16.slogdet``: see the :mod:`attncore.q16`
    module notes.  For a Q16.16 matrix, ``fp.slogdet(q16.to_float(a))``
    is the float64 answer for exactly the same matrix.

    Parameters
    ----------
    a : array_like, (..., n, n)

    Returns
    -------
    sign : ndarray, (...)
        1, -1 or 0, in the input's float dtype; a scalar for one matrix.
    logabsdet : ndarray, (...)
        ``log |det(a)|`` (``-inf`` when singular).
        Both in a named tuple ``(sign, logabsdet)``, as NumPy's.

    Raises
    ------
    ValueError
        ``a`` not square in its last two dims.
    TypeError
        Complex input.

    Examples
    --------
    >>> import numpy as np
    >>> from attncore import fp
    >>> sign, logabsdet = fp.slogdet(np.eye(4) * 1e-200)   # det = 1e-800 underflows
    >>> float(sign), round(float(logabsdet), 6)
    (1.0, -1842.068074)
    >>> fp.slogdet([[1.0, 2.0], [3.0, 4.0]]).sign.item()   # det = -2
    -1.0
    """
    return _linalg.slogdet("fp", a)


def inv(a, /, *, check_finite=True):
    """Inverse by LU solves against the identity.

    Prefer :func:`solve` (or :func:`lu_factor` + :func:`lu_solve`): forming
    the inverse costs more and ``inv(a) @ b`` is less accurate than solving.
    For rigid or affine transforms see :func:`affine_inverse`.

    Parameters
    ----------
    a : array_like, (..., n, n)
    check_finite : bool
        Check that the inputs hold no infinity or NaN (default, as SciPy);
        ``False`` skips the check, and non-finite values then propagate.

    Returns
    -------
    ndarray, (..., n, n)

    Raises
    ------
    attncore.SingularMatrixError
        Naming the batch indices.
    ValueError
        ``a`` not square in its last two dims.
        Non-finite input with ``check_finite=True`` (naming the argument).

    Examples
    --------
    >>> from attncore import fp
    >>> fp.inv([[2.0, 0.0], [0.0, 4.0]]).tolist()
    [[0.5, 0.0], [0.0, 0.25]]
    """
    return _linalg.inv("fp", a, check_finite=check_finite)


def affine_inverse(m, /, *, kind="affine", check_finite=True):
    """Inverse of homogeneous transforms ``[[A, t], [0, 1]]``, batched.

    ``kind="rigid"`` assumes A is a rotation and returns ``[[A^T, -A^T t],
    [0, 1]]`` (no division at all); ``kind="affine"`` inverts A by LU and
    returns ``[[A^-1, -A^-1 t], [0, 1]]``.  The bottom row of the result is
    exactly ``[0 ... 0 1]``.

    Parameters
    ----------
    m : array_like, (..., 4, 4) or (..., 3, 3)
    kind : {"affine", "rigid"}
    check_finite : bool
        Check that the inputs hold no infinity or NaN (default, as SciPy);
        ``False`` skips the check, and non-finite values then propagate.

    Returns
    -------
    ndarray, shaped as ``m``

    Raises
    ------
    ValueError
        A bottom row other than exactly ``[0 ... 0 1]``, or a shape other
        than (..., 3, 3) / (..., 4, 4).
        Non-finite input with ``check_finite=True`` (naming the argument).
    attncore.SingularMatrixError
        ``kind="affine"`` with a singular A (naming the batch indices).

    Examples
    --------
    >>> from attncore import fp
    >>> m = [[0.0, -1.0, 5.0], [1.0, 0.0, -3.0], [0.0, 0.0, 1.0]]  # turn, then move
    >>> fp.affine_inverse(m, kind="rigid").tolist()
    [[0.0, 1.0, 3.0], [-1.0, 0.0, 5.0], [0.0, 0.0, 1.0]]
    """
    return _linalg.affine_inverse("fp", m, kind, check_finite=check_finite)
