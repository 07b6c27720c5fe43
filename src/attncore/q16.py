"""Q16.16 fixed-point backend.

A Q16.16 array is an ``int32`` array of raw values: the raw integer ``r``
stands for the real number ``r / 2**16``.  Every function here takes raw
values ("array_like of int32" below): int32 arrays, or Python ints and
integer arrays of any width whose values all fit int32 (converted; a value
outside int32 is a ValueError naming the argument).  Floats, bools and
anything else are a TypeError pointing at :func:`from_float`.  Results are
int32 arrays; the C core computes each result exactly, at full width, and
rounds it once.

Rounding (``rounding=``)
    ``"nearest"`` (default): to nearest, ties to even.
    ``"floor"``: toward -inf, what a bare arithmetic shift does in firmware.
Overflow (``overflow=``)
    ``"saturate"`` (default): clamp to :data:`MIN` / :data:`MAX`; never
    silent: a :class:`Q16SaturationWarning` names the kernel and the count
    (:func:`errstate` / :func:`seterr` turn it off or into an error, as
    :func:`numpy.errstate` does for float overflow), and
    :func:`count_saturations` counts.
    ``"raise"``: :class:`attncore.Q16OverflowError` naming the kernel and the
    first offending index; nothing is returned.
    ``"wrap"``: two's complement modulo 2**32 of the rounded result, as C.

Results are bit-identical to the C core built for any other platform.

No ``slogdet``
    :func:`attncore.fp.slogdet` has no Q16.16 twin, on purpose.  Its
    ``logabsdet`` would have to be the correctly rounded Q16.16 value of
    ``ln |det A|`` for the exact rational determinant (up to about
    ``32 n`` bits for an n x n input); the C core has neither a logarithm
    nor floats in its Q16.16 path, and an approximate one would break the
    rule that every Q16.16 result is rounded once from the exact value.
    ``attncore.fp.slogdet(q16.to_float(a))`` gives the float64 answer for
    exactly the same matrix (``to_float`` is exact), and :func:`det` the
    correctly rounded determinant where it fits in Q16.16.
"""
from attncore._api import arrays as _arrays
from attncore._api import attention as _attention
from attncore._api import elementwise as _elementwise
from attncore._api import linalg as _linalg
from attncore._api import matmul as _matmul
from attncore._api import mha as _mha
from attncore._api import softmax as _softmax
from attncore.errors import Q16SaturationWarning
from attncore.saturation import (SaturationCounts, count_saturations, errstate, geterr,
                                 seterr)

__all__ = [
    "FRAC_BITS", "ONE", "EPS", "MIN", "MAX",
    "from_float", "to_float",
    "add", "sub", "mul", "div", "sqrt", "exp", "matmul", "softmax",
    "scaled_dot_product_attention", "multi_head_attention",
    "lu_factor", "lu_solve", "cho_factor", "cho_solve", "solve", "det", "inv", "affine_inverse",
    "LUFactor", "ChoFactor", "count_saturations", "SaturationCounts", "errstate", "seterr",
    "geterr", "Q16SaturationWarning",
]

FRAC_BITS = _arrays.FRAC_BITS
"""Fractional bits of Q16.16 (16)."""
ONE = _arrays.ONE
"""Raw value of 1.0 (65536)."""
EPS = 2.0 ** -FRAC_BITS
"""Real value of one LSB, 2**-16."""
MIN = _arrays.MIN
"""Smallest raw value, -2**31 (real -32768.0)."""
MAX = _arrays.MAX
"""Largest raw value, 2**31 - 1 (real 32767.99998...)."""


def add(a, b, /, *, overflow="saturate"):
    """Elementwise ``a + b`` in Q16.16 (exact; only overflow can happen).

    Parameters
    ----------
    a, b : array_like of int32
        Raw Q16.16 values; broadcast together as NumPy does.
    overflow : {"saturate", "raise", "wrap"}

    Returns
    -------
    ndarray of int32
        Scalar ``np.int32`` when both inputs are 0-d.

    Raises
    ------
    TypeError
        A non-integer input (convert reals with :func:`from_float`).
    ValueError
        Shapes that do not broadcast, or an unknown policy.
    attncore.Q16OverflowError
        With ``overflow="raise"``, a sum outside [MIN, MAX].

    Examples
    --------
    >>> from attncore import q16
    >>> int(q16.add(q16.from_float(1.5), q16.from_float(2.25))) / q16.ONE
    3.75
    >>> int(q16.add(q16.from_float(32767.0), q16.from_float(1.0))) == q16.MAX  # saturated
    True
    """
    return _elementwise.binary("add", a, b, "nearest", overflow)


def sub(a, b, /, *, overflow="saturate"):
    """Elementwise ``a - b`` in Q16.16 (exact; only overflow can happen).

    Parameters
    ----------
    a, b : array_like of int32
        Raw Q16.16 values; broadcast together as NumPy does.
    overflow : {"saturate", "raise", "wrap"}

    Returns
    -------
    ndarray of int32
        Scalar ``np.int32`` when both inputs are 0-d.

    Raises
    ------
    TypeError, ValueError, attncore.Q16OverflowError
        As :func:`add`.

    Examples
    --------
    >>> from attncore import q16
    >>> int(q16.sub(q16.from_float(1.0), q16.from_float(3.5))) / q16.ONE
    -2.5
    """
    return _elementwise.binary("sub", a, b, "nearest", overflow)


def mul(a, b, /, *, rounding="nearest", overflow="saturate"):
    """Elementwise product in Q16.16, correctly rounded.

    ``raw = round(a * b / 2**16)``: the 62-bit product is exact and is
    rounded once (the only rounding point), then fitted to int32.

    Parameters
    ----------
    a, b : array_like of int32
        Raw Q16.16 values; broadcast together as NumPy does.
    rounding : {"nearest", "floor"}
        Ties to even, or toward -inf (an arithmetic shift).
    overflow : {"saturate", "raise", "wrap"}

    Returns
    -------
    ndarray of int32
        Scalar ``np.int32`` when both inputs are 0-d.

    Raises
    ------
    TypeError
        A non-integer input (convert reals with :func:`from_float`).
    ValueError
        Shapes that do not broadcast.
    attncore.Q16OverflowError
        With ``overflow="raise"``, a product outside [MIN, MAX].

    Examples
    --------
    >>> import numpy as np
    >>> from attncore import q16
    >>> x = q16.from_float(np.array([1.5, -2.25]))
    >>> q16.to_float(q16.mul(x, x)).tolist()
    [2.25, 5.0625]
    >>> int(q16.mul(np.int32(3), np.int32(q16.ONE // 2)))   # 1.5 LSB: a tie, to even
    2
    """
    return _elementwise.binary("mul", a, b, rounding, overflow)


def div(a, b, /, *, rounding="nearest", overflow="saturate"):
    """Elementwise quotient in Q16.16, correctly rounded.

    ``raw = round(a * 2**16 / b)``, rounded once from the exact integer
    quotient and remainder.  Division by zero: with ``overflow="raise"`` a
    ZeroDivisionError; otherwise the result is MAX for a positive dividend,
    MIN for a negative one and 0 for 0/0 (the clamp of +-inf; counted as a
    saturation).

    Parameters
    ----------
    a, b : array_like of int32
        Raw Q16.16 dividends and divisors; broadcast together.
    rounding : {"nearest", "floor"}
    overflow : {"saturate", "raise", "wrap"}

    Returns
    -------
    ndarray of int32
        Scalar ``np.int32`` when both inputs are 0-d.

    Raises
    ------
    TypeError, ValueError, attncore.Q16OverflowError
        As :func:`mul`.
    ZeroDivisionError
        A zero divisor with ``overflow="raise"``.

    Examples
    --------
    >>> from attncore import q16
    >>> one = q16.from_float(1.0)
    >>> int(q16.div(one, q16.from_float(3.0)))          # 1/3, nearest
    21845
    >>> int(q16.div(one, q16.from_float(0.0))) == q16.MAX
    True
    """
    return _elementwise.binary("div", a, b, rounding, overflow)


def sqrt(a, /, *, rounding="nearest"):
    """Elementwise square root in Q16.16, correctly rounded.

    ``raw = round(sqrt(a * 2**16))`` from the exact integer square root and
    its remainder (ties cannot occur).  Never overflows.

    Parameters
    ----------
    a : array_like of int32
        Raw Q16.16 values, >= 0.
    rounding : {"nearest", "floor"}

    Returns
    -------
    ndarray of int32
        Scalar ``np.int32`` for a 0-d input.

    Raises
    ------
    TypeError
        A non-integer input (convert reals with :func:`from_float`).
    ValueError
        A negative input (naming its index).

    Examples
    --------
    >>> from attncore import q16
    >>> int(q16.sqrt(q16.from_float(2.0)))      # round(sqrt(2) * 2**16)
    92682
    """
    return _elementwise.unary("sqrt", a, rounding, "saturate")


def exp(a, /, *, rounding="nearest", overflow="saturate"):
    """Elementwise ``exp`` in Q16.16, correctly rounded.

    Evaluated with 62 fractional bits (range reduction by ln 2, a degree-20
    polynomial in integer arithmetic) and rounded once; within 1/2 LSB plus
    2**-25 LSB of the exact value, i.e. correctly rounded except possibly for
    inputs whose exact result lies within 2**-25 LSB of a rounding boundary
    (none exist in the int32 domain: checked exhaustively by the tests).
    Inputs below about -11.78 give 0; above about 10.397 (real) the result
    exceeds MAX.

    Parameters
    ----------
    a : array_like of int32
    rounding : {"nearest", "floor"}
    overflow : {"saturate", "raise"}

    Returns
    -------
    ndarray of int32
        Scalar ``np.int32`` for a 0-d input.

    Raises
    ------
    TypeError
        A non-integer input (convert reals with :func:`from_float`).
    attncore.Q16OverflowError
        With ``overflow="raise"``, a result above MAX.

    Examples
    --------
    >>> from attncore import q16
    >>> int(q16.exp(q16.from_float(1.0))) / q16.ONE        # e, to the nearest LSB
    2.7182769775390625
    """
    return _elementwise.unary("exp", a, rounding, overflow)


def from_float(x, /, *, rounding="nearest", overflow="saturate"):
    """Real numbers to raw Q16.16.

    ``raw = round(x * 2**16)``: the scaling is exact in binary floating
    point, so this is the only rounding point.  Integer inputs are exact.

    Parameters
    ----------
    x : array_like of real numbers (float16/32/64, integers, bool)
    rounding : {"nearest", "floor"}
    overflow : {"saturate", "raise", "wrap"}
        ``"wrap"`` keeps the low 32 bits of the exactly rounded value.

    Returns
    -------
    ndarray of int32
        Scalar ``np.int32`` for a 0-d input.

    Raises
    ------
    ValueError
        NaN anywhere (Q16.16 has no NaN), or an infinity with ``"wrap"``.
    TypeError
        Complex, object or long-double input.
    attncore.Q16OverflowError
        With ``overflow="raise"``, a value outside [MIN, MAX] after rounding.

    Examples
    --------
    >>> from attncore import q16
    >>> q16.from_float([1.5, -2.25, 100.0]).tolist()
    [98304, -147456, 6553600]
    >>> int(q16.from_float(1 / 3, rounding="floor"))
    21845
    """
    return _elementwise.from_float(x, rounding, overflow)


def to_float(q, /):
    """Raw Q16.16 to float64, exactly (``q / 2**16``).

    Parameters
    ----------
    q : array_like of int32

    Returns
    -------
    ndarray of float64
        Scalar ``np.float64`` for a 0-d input.

    Raises
    ------
    TypeError
        A non-integer input (convert reals with :func:`from_float`).

    Examples
    --------
    >>> import numpy as np
    >>> from attncore import q16
    >>> q16.to_float(np.array([65536, -32768, 1], np.int32)).tolist()
    [1.0, -0.5, 1.52587890625e-05]
    """
    return _elementwise.to_float(q)


def matmul(a, b, /, *, rounding="nearest", overflow="saturate", out=None):
    """Q16.16 matrix product with ``np.matmul`` shape semantics.

    ``raw[..., i, j] = round(sum_p a[..., i, p] * b[..., p, j] / 2**16)``.
    Products are exact (62 bits) and summed exactly, with no intermediate
    rounding and no wrap even when partial sums leave int64 (a two-word
    accumulator takes over then); the sum is rounded once -- the only
    rounding point -- and fitted to int32 under ``overflow``.  Every output
    is therefore correctly rounded (error <= 0.5 LSB against the exact
    product of the inputs).  Saturated outputs are warned about and counted
    (kernel name ``"q16.matmul"``; see :func:`errstate`).  Results are
    bit-identical for any thread count and to the C core on other platforms.

    Parameters
    ----------
    a, b : array_like of int32
        Raw Q16.16 values, at least 1-D; batch dims broadcast.
    rounding : {"nearest", "floor"}
    overflow : {"saturate", "raise", "wrap"}
    out : ndarray, optional
        Exact result shape; untouched if the call raises.  Receives the raw
        int32 values cast as NumPy's ``casting="same_kind"`` allows (int64
        or float64 hold them exactly; a narrower integer wraps, as NumPy's
        own ``out=`` does).

    Returns
    -------
    ndarray of int32
        A scalar for 1-D @ 1-D.

    Raises
    ------
    TypeError
        Non-integer input, or an ``out`` dtype the result does not cast to.
    ValueError
        Shapes as for np.matmul (naming both), or a wrong ``out`` shape.
    attncore.Q16OverflowError
        With ``overflow="raise"``: the first out-of-range output's index.

    Examples
    --------
    >>> from attncore import q16
    >>> a = q16.from_float([[1.0, 2.0], [3.0, 4.0]])
    >>> q16.to_float(q16.matmul(a, q16.from_float([0.5, 0.25]))).tolist()
    [1.0, 2.5]
    """
    return _matmul.q16_matmul(a, b, out, rounding, overflow)


def softmax(x, /, axis=-1, *, mask=None, rounding="nearest"):
    """Q16.16 softmax along ``axis``: int32 logits in, int32 probabilities out.

    ``raw_j = round(e_j * 2**16 / S)`` with ``e_j = exp((x_j - max) / 2**16)``
    over the kept entries.  ``x_j - max`` is exact in 64 bits, so any int32
    logits work.  ``e_j`` is evaluated in Q0.40 (63-bit tables, truncated),
    ``S`` is summed exactly, and each output is rounded once from one
    division.  Error against the exact softmax of the inputs: below
    0.5 LSB + (n + 1) * 2**-24 LSB for a row of n entries, so within 1 LSB
    for any row up to 2**23 entries (the longest supported).  Outputs never
    overflow (a row sums to ONE up to rounding).

    Parameters
    ----------
    x : array_like of int32
    axis : int, tuple of ints or None
        The axes the softmax normalizes over, as ``scipy.special.softmax``:
        a tuple means their union, None every axis (default -1).
    mask : array_like of bool, optional
        True keeps; masked entries are 0, a fully masked row is all 0.
    rounding : {"nearest", "floor"}

    Returns
    -------
    ndarray of int32, same shape as ``x``

    Raises
    ------
    TypeError
        Non-integer ``x`` or a non-bool mask.
    ValueError
        A mask that does not broadcast, or a row keeping more than 2**23
        entries.

    Examples
    --------
    >>> from attncore import q16
    >>> q16.softmax(q16.from_float([0.0, 0.0, 1.0])).tolist()
    [13890, 13890, 37756]
    >>> q16.softmax(q16.from_float([5.0, 1.0]), mask=[False, True]).tolist()
    [0, 65536]
    """
    return _softmax.softmax("q16", "q16.softmax", x, axis, mask, rounding=rounding)


def default_scale(features):
    """The default attention scale ``1 / sqrt(features)`` as the nearest
    Q16.16 raw value, from exact integer arithmetic
    (``round(sqrt(2**32 / features))``; never a tie).

    Parameters
    ----------
    features : int
        The query/key feature dim E; ONE for E <= 0.

    Returns
    -------
    int
        A raw Q16.16 value.

    Raises
    ------
    TypeError
        A non-integer ``features``.

    Examples
    --------
    >>> from attncore import q16
    >>> q16.default_scale(64), q16.default_scale(3)
    (8192, 37837)
    """
    return _attention.q16_default_scale(features)


def scaled_dot_product_attention(q, k, v, /, *, mask=None, is_causal=False, scale=None,
                                 enable_gqa=False, return_weights=False, rounding="nearest"):
    """Q16.16 scaled dot-product attention, ``softmax(q k^T * scale) v``.

    Per query row i and kept key j:

    * ``s_ij = scale * sum_p q_ip k_jp``: the dot product is exact (full-width
      products, exact sum) and multiplied by the Q16.16 ``scale`` exactly;
      only the difference to the row maximum, ``d_ij = max_j s_ij - s_ij``,
      is rounded (nearest-even, to 2**-32 -- far below an LSB);
    * ``e_ij = exp(-d_ij)`` in Q0.40 (truncated), ``E_i = sum_j e_ij``
      exactly;
    * ``out_ic = round(sum_j e_ij v_jc / E_i)``: numerator exact, one
      division, the only rounding at Q16.16 resolution (``rounding``).

    So normalization is deferred to one rounding per output.  Error against
    exact attention of the same raw inputs and raw scale: below
    ``0.5 + 2**16 * max|v - out| * (2**-33 + S * 2**-40)`` LSB -- 0.502 LSB
    for |v| <= 8 and S = 1024.  Outputs lie between min(v) and max(v), so
    they never saturate.  Weights (``return_weights``) are
    ``round(e_ij * 2**16 / E_i)``, as :func:`softmax` rounds them.

    Parameters
    ----------
    q, k, v : array_like of int32, (..., L, E), (..., S, E), (..., S, Ev)
        Raw Q16.16; batch dims broadcast.
    mask : array_like of bool, optional
        Broadcast to (..., L, S), or (S,) for every query; True keeps.
        Q16.16 masks are bool only.  A row with nothing kept gives zeros.
    is_causal : bool
        Query i keeps keys j <= i (upper-left aligned, as PyTorch).
    scale : float, optional
        Used as its nearest Q16.16 value; default ``1/sqrt(E)`` correctly
        rounded (:func:`default_scale`).
    enable_gqa : bool
        Grouped-query attention (heads dim -3; k and v heads divide q's), as
        in :func:`attncore.fp.scaled_dot_product_attention`.
    return_weights : bool
    rounding : {"nearest", "floor"}

    Returns
    -------
    out : ndarray of int32, (..., L, Ev)
    weights : ndarray of int32, (..., L, S)
        Only with ``return_weights=True``, as ``(out, weights)``.

    Raises
    ------
    TypeError
        Non-integer q/k/v, or a mask that is not bool.
    ValueError
        Shapes (as the float backend), a 0-d mask, a scale outside Q16.16,
        or a row keeping more than 2**23 keys.

    Examples
    --------
    >>> import numpy as np
    >>> from attncore import q16
    >>> q = k = np.zeros((2, 4), np.int32)                  # equal scores
    >>> v = q16.from_float([[1.0, 2.0], [3.0, 4.0]])
    >>> q16.to_float(q16.scaled_dot_product_attention(q, k, v)).tolist()
    [[2.0, 3.0], [2.0, 3.0]]
    >>> q16.to_float(q16.scaled_dot_product_attention(q, k, v, mask=[True, False])).tolist()
    [[1.0, 2.0], [1.0, 2.0]]
    """
    return _attention.q16_attention(q, k, v, mask, is_causal, scale, return_weights, rounding,
                                    enable_gqa)


def multi_head_attention(query, key, value, w_q, w_k, w_v, w_o, num_heads, /, *, b_q=None,
                         b_k=None, b_v=None, b_o=None, mask=None, attn_mask=None,
                         key_padding_mask=None, is_causal=False, return_weights=False,
                         return_head_outputs=False, rounding="nearest", overflow="saturate"):
    """Q16.16 multi-head attention: the float backend's layout
    (:func:`attncore.fp.multi_head_attention`), built from Q16.16 kernels.

    Rounding points: each projection output (:func:`matmul`, exact dot
    product rounded once), each bias addition (exact, only saturates), each
    attention output (:func:`scaled_dot_product_attention`, default scale
    ``1/sqrt(Dh)`` correctly rounded) and each output-projection output.
    ``head_outputs`` are each rounded once from their exact products, so
    ``out == head_outputs.sum(-2) + b_o`` holds within ``H / 2`` LSB (plus
    nothing else: ``out`` itself is one exact product rounded once).
    Saturations of projections and biases are counted (kernel names
    ``"q16.matmul"`` and ``"q16.add"``), or raise with ``overflow="raise"``.

    Parameters
    ----------
    query, key, value, w_q, w_k, w_v, w_o : array_like of int32
        Raw Q16.16, shaped as in :func:`attncore.fp.multi_head_attention`.
    num_heads : int
    b_q, b_k, b_v, b_o : array_like of int32, optional
    mask : array_like of bool, optional
        **True keeps** an entry (SDPA's convention), (..., L, S) or (S,).
    attn_mask : array_like of bool, optional
        ``nn.MultiheadAttention``'s convention: **True masks an entry out**.
        Not together with ``mask``.
    key_padding_mask : array_like of bool, optional
        (..., S), **True marks a padding key** (as ``nn.MultiheadAttention``).
    is_causal, return_weights, return_head_outputs : bool
        As in :func:`attncore.fp.multi_head_attention`.
    rounding : {"nearest", "floor"}
    overflow : {"saturate", "raise", "wrap"}
        For the projections and bias additions.

    Returns
    -------
    out : ndarray of int32, (..., L, D_out)
        Or a tuple ``(out, weights, head_outputs)`` of what was asked for.

    Raises
    ------
    TypeError
        Non-integer input, a non-bool mask or a non-integer ``num_heads``.
    ValueError
        Shapes, masks or ``num_heads`` as in the float backend.
    attncore.Q16OverflowError
        ``overflow="raise"`` and a projection or bias out of range.

    Examples
    --------
    >>> import numpy as np
    >>> from attncore import q16
    >>> x = q16.from_float(np.arange(12.0).reshape(3, 4) / 10)
    >>> w = q16.from_float(np.eye(4))
    >>> out = q16.multi_head_attention(x, x, x, w, w, w, w, 2)
    >>> out.shape, out.dtype.name
    ((3, 4), 'int32')
    >>> pad = np.array([False, True, False])                  # True = padding key
    >>> keep = ~pad                                           # True keeps
    >>> a = q16.multi_head_attention(x, x, x, w, w, w, w, 2, key_padding_mask=pad)
    >>> b = q16.multi_head_attention(x, x, x, w, w, w, w, 2, mask=keep)
    >>> c = q16.multi_head_attention(x, x, x, w, w, w, w, 2, attn_mask=pad)   # True masks
    >>> bool(np.array_equal(a, b)), bool(np.array_equal(a, c))
    (True, True)
    """
    return _mha.multi_head_attention("q16", query, key, value, w_q, w_k, w_v, w_o, num_heads,
                                     (b_q, b_k, b_v, b_o), mask, is_causal, return_weights,
                                     return_head_outputs, rounding, overflow,
                                     attn_mask=attn_mask, key_padding_mask=key_padding_mask)


# ---- linear algebra ----------------------------------------------------------

LUFactor = _linalg.LUFactor
ChoFactor = _linalg.ChoFactor

# Shared by the Notes of every function below.
_CORRECTLY_ROUNDED = """\
    Every output is the exact value of the raw inputs (a rational; a
    square-root expression for Cholesky entries) rounded **once**:
    ``rounding="nearest"`` to nearest with ties to even,
    ``rounding="floor"`` to the floor of the exact value.  It is then fitted
    under ``overflow`` (saturations warned about and counted, see
    :func:`errstate`).
    This holds for every int32 input of size n <= 64 (larger n is a
    ValueError): there is no intermediate rounding, all elimination is exact
    integer arithmetic (Cramer/cofactor formulas for n <= 4, fraction-free
    Bareiss elimination on multiword integers above), and a matrix is
    singular exactly when its determinant is 0.  No float is used; results
    are bit-identical on every platform (ext/include/attncore/q16_linalg.h
    has the C contract, docs/q16_linalg.md the proofs)."""


def _correctly_rounded(function):
    """Put the shared paragraph where a docstring says ``{correctly_rounded}``."""
    function.__doc__ = function.__doc__.replace("    {correctly_rounded}", _CORRECTLY_ROUNDED)
    return function


@_correctly_rounded
def solve(a, b, /, *, assume_a="gen", rounding="nearest", overflow="saturate"):
    """Q16.16 ``A x = b``, correctly rounded, batched.

    ``raw x = round(2**16 * A^-1 b)`` for raw ``A`` and ``b``: the exact
    rational solution of the raw inputs, rounded once.  No condition
    number enters: a system of condition 1e8 is as exact as the identity.

    Parameters
    ----------
    a : array_like of int32, (..., n, n)
        n <= 64.
    b : array_like of int32, (n,) or (..., n, k)
        NumPy 2 rules: a vector only when 1-D.
    assume_a : {"gen", "pos"}
        ``"pos"``: ``a`` symmetric positive definite, only its lower
        triangle is read; checked exactly (every leading principal minor >
        0), otherwise :class:`attncore.NotPositiveDefiniteError`.  The
        solution is the same bits as ``"gen"`` on the symmetric matrix.
    rounding : {"nearest", "floor"}
    overflow : {"saturate", "raise", "wrap"}

    Returns
    -------
    x : ndarray of int32, shaped as ``b`` (with the broadcast batch dims)

    Raises
    ------
    attncore.SingularMatrixError
        det(A) = 0 exactly, naming the batch indices.
    attncore.NotPositiveDefiniteError
        ``assume_a="pos"`` and a leading principal minor <= 0.
    attncore.Q16OverflowError
        ``overflow="raise"`` and a component outside Q16.16.
    TypeError
        Non-int32 input.
    ValueError
        Shapes (as :func:`attncore.fp.solve`), or n > 64.

    Notes
    -----
    {correctly_rounded}

    Examples
    --------
    >>> from attncore import q16
    >>> a = q16.from_float([[2.0, 1.0], [1.0, 3.0]])
    >>> q16.solve(a, q16.from_float([3.0, 5.0])).tolist()   # [0.8, 1.4], rounded once
    [52429, 91750]
    """
    return _linalg.solve("q16", a, b, assume_a, rounding, overflow)


@_correctly_rounded
def lu_factor(a, /, *, rounding="nearest", overflow="saturate"):
    """Q16.16 LU with partial pivoting, batched, for factor once / solve many.

    Returns a :class:`LUFactor`: the tuple ``(lu, piv)`` in SciPy's layout
    (as :func:`attncore.fp.lu_factor`) that also carries the exact factor
    (``.exact``: det(A) and adj(A) as integers, uint32 words
    ``(..., words)``; 89 words for n = 4).  :func:`lu_solve` solves from the
    exact factor, so ``lu_solve(lu_factor(a), b)`` gives the same bits as
    ``solve(a, b)`` for every input, rounding and overflow policy.  The
    factor object pickles with its words.

    ``lu`` itself: each entry is its exact value rounded once (U_ij = the
    Schur complement entry, L_ij = the exact multiplier), with exact partial
    pivoting (largest magnitude, the first row on ties; ``piv`` 0-based as
    LAPACK/SciPy).  Only U entries can leave the Q16.16 range (|L| <= 1).

    Parameters
    ----------
    a : array_like of int32, (..., n, n)
        n <= 64.
    rounding : {"nearest", "floor"}
    overflow : {"saturate", "raise", "wrap"}
        For the entries of ``lu`` (the exact factor never rounds).

    Returns
    -------
    LUFactor
        ``lu, piv = q16.lu_factor(a)`` unpacks as SciPy's result:
        ``lu`` int32 (..., n, n), ``piv`` int32 (..., n).

    Raises
    ------
    attncore.SingularMatrixError
        det(A) = 0 exactly (naming the batch indices).
    attncore.Q16OverflowError
        ``overflow="raise"`` and an entry of ``lu`` outside Q16.16.
    TypeError
        Non-int32 input.
    ValueError
        ``a`` not square in its last two dims, or n > 64.

    Notes
    -----
    {correctly_rounded}

    Examples
    --------
    >>> from attncore import q16
    >>> factor = q16.lu_factor(q16.from_float([[1.0, 2.0], [4.0, 4.0]]))
    >>> lu, piv = factor
    >>> q16.to_float(lu).tolist(), piv.tolist(), factor.exact.shape
    ([[4.0, 4.0], [0.25, 1.0]], [1, 1], (14,))
    """
    return _linalg.lu_factor("q16", a, rounding, overflow)


def lu_solve(lu_and_piv, b, /, *, rounding="nearest", overflow="saturate"):
    """Solve from a :class:`LUFactor`: the same bits as :func:`solve`.

    ``raw x = round(2**16 adj(A) b / det(A))`` from the exact factor the
    object carries, rounded once: bit-identical to ``solve(a, b)`` (values,
    saturation counts, errors) for every input, rounding and overflow.

    A plain ``(lu, piv)`` tuple of Q16.16 arrays is refused with a
    TypeError: its entries are rounded, and a solve from rounded factors
    is off by about cond(A) * 2**-17 relative (104 LSB at cond 100).  Pass
    the object :func:`lu_factor` returned (it unpacks as ``(lu, piv)`` too).

    Parameters
    ----------
    lu_and_piv : LUFactor
        From :func:`lu_factor` (possibly unpickled).
    b : array_like of int32, (n,) or (..., n, k)
    rounding : {"nearest", "floor"}
    overflow : {"saturate", "raise", "wrap"}

    Returns
    -------
    x : ndarray of int32, shaped as ``b`` (with the broadcast batch dims)

    Raises
    ------
    attncore.Q16OverflowError
        ``overflow="raise"`` and a component outside Q16.16.
    TypeError
        Not an :class:`LUFactor` (a plain tuple), or non-int32 ``b``.
    ValueError
        Shapes that do not match, or exact factor words no
        :func:`lu_factor` of this size writes.

    Examples
    --------
    >>> from attncore import q16
    >>> a = q16.from_float([[3.0, 1.0], [1.0, 1.0]])
    >>> factor = q16.lu_factor(a)
    >>> b = q16.from_float([4.0, 2.0])
    >>> (q16.lu_solve(factor, b) == q16.solve(a, b)).all()
    np.True_
    """
    return _linalg.lu_solve("q16", lu_and_piv, b, rounding, overflow)


@_correctly_rounded
def cho_factor(a, /, *, lower=True, pivot=False, rounding="nearest", overflow="saturate"):
    """Q16.16 Cholesky (lower by default; SciPy's default is upper), with
    optional diagonal pivoting, for factor once / solve many.

    Returns a :class:`ChoFactor`: the tuple ``(c, lower)`` or, with
    ``pivot=True``, ``(c, lower, perm, rank)`` of
    :func:`attncore.fp.cho_factor`, which also carries the exact factor
    (``.exact``: det(A) and adj(A) of the symmetric matrix, uint32 words).
    :func:`cho_solve` solves from it with the same bits as
    ``solve(a, b, assume_a="pos")``.

    ``c``: each entry of L (or U = L^T) is its exact value (a square-root
    expression of minors) rounded once; never out of range (|L_ij| <=
    sqrt(a_ii) < 2**7.5).  Positive definiteness is decided exactly (every
    leading principal minor > 0).  ``pivot=True``: at each step the largest
    remaining exact Schur diagonal (the first on ties); it stops at the
    exact rank and succeeds exactly when ``a`` is positive semidefinite;
    columns of L beyond the rank are 0, and a factor of rank < n has no
    solve (:func:`cho_solve` raises SingularMatrixError).

    Parameters
    ----------
    a : array_like of int32, (..., n, n)
        Symmetric; only its lower triangle is read.  n <= 64.
    lower : bool
    pivot : bool
    rounding : {"nearest", "floor"}
    overflow : {"saturate", "raise", "wrap"}

    Returns
    -------
    ChoFactor
        Unpacks as ``(c, lower)`` or ``(c, lower, perm, rank)``; ``c``
        int32 (..., n, n), ``perm`` int32 (..., n), ``rank`` int32 (...).

    Raises
    ------
    attncore.NotPositiveDefiniteError
        Not positive definite (without pivoting) / not positive
        semidefinite (with pivoting), naming the batch indices.
    TypeError
        Non-int32 input.
    ValueError
        ``a`` not square in its last two dims, or n > 64.

    Notes
    -----
    {correctly_rounded}

    Examples
    --------
    >>> from attncore import q16
    >>> c, lower = q16.cho_factor(q16.from_float([[4.0, 2.0], [2.0, 5.0]]))
    >>> q16.to_float(c).tolist(), lower
    ([[2.0, 0.0], [1.0, 2.0]], True)
    """
    return _linalg.cho_factor("q16", a, lower, pivot, rounding, overflow)


def cho_solve(c_and_lower, b, /, *, rounding="nearest", overflow="saturate"):
    """Solve from a :class:`ChoFactor`: the same bits as
    ``solve(a, b, assume_a="pos")``.

    From the exact factor the object carries, one rounding per component,
    bit-identical to the positive definite :func:`solve` for every input,
    rounding and overflow.  A plain ``(c, lower)`` tuple is refused with a
    TypeError (its entries are rounded: solving from them is off by about
    cond(A) * 2**-17 relative); pass the object :func:`cho_factor`
    returned.

    Parameters
    ----------
    c_and_lower : ChoFactor
        From :func:`cho_factor`, either form.
    b : array_like of int32, (n,) or (..., n, k)
    rounding : {"nearest", "floor"}
    overflow : {"saturate", "raise", "wrap"}

    Returns
    -------
    x : ndarray of int32, shaped as ``b`` (with the broadcast batch dims)

    Raises
    ------
    attncore.SingularMatrixError
        A pivoted factor of rank < n.
    attncore.Q16OverflowError
        ``overflow="raise"`` and a component outside Q16.16.
    TypeError
        Not a :class:`ChoFactor` (a plain tuple), or non-int32 ``b``.
    ValueError
        Shapes that do not match, or exact factor words no
        :func:`cho_factor` of this size writes.

    Examples
    --------
    >>> from attncore import q16
    >>> factor = q16.cho_factor(q16.from_float([[4.0, 2.0], [2.0, 5.0]]))
    >>> q16.to_float(q16.cho_solve(factor, q16.from_float([6.0, 7.0]))).tolist()
    [1.0, 1.0]
    """
    return _linalg.cho_solve("q16", c_and_lower, b, rounding, overflow)


@_correctly_rounded
def det(a, /, *, rounding="nearest", overflow="saturate"):
    """Q16.16 determinant, correctly rounded.

    ``raw = round(det(A_raw) / 2**(16 (n - 1)))``: the exact determinant
    of the real matrix ``A_raw / 2**16``, in raw units, rounded once (0
    exactly for a singular matrix; n = 0 gives ONE).

    Parameters
    ----------
    a : array_like of int32, (..., n, n)
        n <= 64.
    rounding : {"nearest", "floor"}
    overflow : {"saturate", "raise", "wrap"}

    Returns
    -------
    ndarray of int32, (...)
        A scalar for one matrix.

    Raises
    ------
    attncore.Q16OverflowError
        ``overflow="raise"`` and a determinant outside Q16.16.
    TypeError
        Non-int32 input.
    ValueError
        ``a`` not square in its last two dims, or n > 64.

    Notes
    -----
    {correctly_rounded}

    Examples
    --------
    >>> from attncore import q16
    >>> int(q16.det(q16.from_float([[1.0, 2.0], [3.0, 4.0]]))) / q16.ONE
    -2.0
    """
    return _linalg.det("q16", a, rounding, overflow)


@_correctly_rounded
def inv(a, /, *, rounding="nearest", overflow="saturate"):
    """Q16.16 inverse, correctly rounded: ``raw = round(2**32 adj(A)_ij /
    det(A))`` for raw ``A``.  Prefer :func:`solve`: most callers need
    ``A x = b``, not ``A^-1``.

    Parameters
    ----------
    a : array_like of int32, (..., n, n)
        n <= 64.
    rounding : {"nearest", "floor"}
    overflow : {"saturate", "raise", "wrap"}

    Returns
    -------
    ndarray of int32, (..., n, n)

    Raises
    ------
    attncore.SingularMatrixError
        det(A) = 0 exactly, naming the batch indices.
    attncore.Q16OverflowError
        ``overflow="raise"`` and an entry outside Q16.16.
    TypeError
        Non-int32 input.
    ValueError
        ``a`` not square in its last two dims, or n > 64.

    Notes
    -----
    {correctly_rounded}

    Examples
    --------
    >>> from attncore import q16
    >>> q16.to_float(q16.inv(q16.from_float([[2.0, 0.0], [0.0, 4.0]]))).tolist()
    [[0.5, 0.0], [0.0, 0.25]]
    """
    return _linalg.inv("q16", a, rounding, overflow)


def affine_inverse(m, /, *, kind="affine", rounding="nearest", overflow="saturate"):
    """Q16.16 inverse of homogeneous (..., 4, 4) / (..., 3, 3) transforms,
    each entry correctly rounded.

    ``kind="affine"``: the exact inverse of ``[[A, t], [0, 1]]``, each entry
    rounded once: ``A^-1`` as :func:`inv` and the translation
    ``round(-2**16 (adj(A) t)_i / det(A))`` (from ``t`` itself: ``-t =
    2**31`` is fine).  ``kind="rigid"`` (``A`` assumed orthonormal, not
    checked): ``[[A^T, -A^T t], [0, 1]]``; the transpose is exact and each
    translation entry is one exact dot product rounded once.  The bottom
    row is returned exactly.

    Parameters
    ----------
    m : array_like of int32, (..., 4, 4) or (..., 3, 3)
        The bottom row must be exactly ``[0 ... 0 ONE]``.
    kind : {"affine", "rigid"}
    rounding : {"nearest", "floor"}
    overflow : {"saturate", "raise", "wrap"}

    Returns
    -------
    ndarray of int32, shaped as ``m``

    Raises
    ------
    ValueError
        Another bottom row, shape or ``kind``.
    attncore.SingularMatrixError
        ``kind="affine"`` with det(A) = 0 exactly (naming the batch
        indices).
    attncore.Q16OverflowError
        ``overflow="raise"`` and an entry outside Q16.16.
    TypeError
        Non-int32 input.

    Examples
    --------
    >>> from attncore import q16
    >>> m = q16.from_float([[0.0, -1.0, 5.0], [1.0, 0.0, -3.0], [0.0, 0.0, 1.0]])
    >>> q16.to_float(q16.affine_inverse(m, kind="rigid")).tolist()
    [[0.0, 1.0, 3.0], [-1.0, 0.0, 5.0], [0.0, 0.0, 1.0]]
    """
    return _linalg.affine_inverse("q16", m, kind, rounding, overflow)


def __getattr__(name):
    # a clear answer for the one fp name that is absent here on purpose
    if name == "slogdet":
        raise AttributeError(
            "attncore.q16 has no slogdet: a correctly rounded Q16.16 log of the exact "
            "determinant is not available in the integer core; use "
            "attncore.fp.slogdet(q16.to_float(a)) (exact conversion, float64 result)")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
