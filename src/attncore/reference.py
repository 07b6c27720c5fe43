"""Slow, obviously-correct twins of the attncore kernels.

These are the oracle for the tests and for the accuracy report.  Q16.16
twins compute in unbounded Python integers and :class:`fractions.Fraction`
(exact), or, for transcendental functions, in float64 with a proof of
sufficient accuracy and mpmath where float64 cannot decide.  They follow the
same rounding, overflow and error rules as :mod:`attncore.q16`, so tests can
check that both agree on values *and* on when they raise.

Nothing here is fast, and nothing here calls the C core.
"""
import math
from fractions import Fraction

import numpy as np

from attncore.errors import Q16OverflowError

__all__ = [
    "Q16_FRAC_BITS", "Q16_MIN", "Q16_MAX",
    "round_ratio", "q16_fit",
    "q16_add", "q16_sub", "q16_mul", "q16_div", "q16_sqrt", "q16_exp",
    "q16_exp_exact", "q16_from_float", "q16_to_float",
    "q16_matmul", "q16_matmul_exact", "matmul", "matmul_error_bound",
    "softmax", "log_softmax", "q16_softmax_exact",
    "attention_keep", "scaled_dot_product_attention", "q16_scaled_dot_product_attention_exact",
    "multi_head_attention", "q16_solve_exact",
]

Q16_FRAC_BITS = 16
Q16_SCALE = 1 << Q16_FRAC_BITS
Q16_MIN = -(1 << 31)
Q16_MAX = (1 << 31) - 1


def round_ratio(num, den, rounding="nearest"):
    """``num / den`` rounded once to an integer, exactly.

    Parameters
    ----------
    num, den : int
        Python integers (unbounded); ``den != 0``.
    rounding : {"nearest", "floor"}
        Nearest with ties to even, or toward -inf.

    Returns
    -------
    int

    Raises
    ------
    ZeroDivisionError
        ``den == 0``.

    Examples
    --------
    >>> from attncore import reference as ref
    >>> ref.round_ratio(5, 2), ref.round_ratio(7, 2), ref.round_ratio(-5, 2, "floor")
    (2, 4, -3)
    """
    if den < 0:
        num, den = -num, -den
    q, r = divmod(num, den)  # floor quotient, 0 <= r < den
    if rounding == "nearest" and (2 * r > den or (2 * r == den and q % 2 == 1)):
        q += 1
    return q


def q16_fit(v, overflow="saturate"):
    """Fit an exact integer into int32: ``(value, out_of_range)``.

    ``"raise"`` clamps like ``"saturate"`` here; the callers raise.

    Parameters
    ----------
    v : int
    overflow : {"saturate", "raise", "wrap"}

    Returns
    -------
    value : int
    out_of_range : bool

    Examples
    --------
    >>> from attncore import reference as ref
    >>> ref.q16_fit(2**31), ref.q16_fit(2**31, "wrap"), ref.q16_fit(5)
    ((2147483647, True), (-2147483648, True), (5, False))
    """
    if Q16_MIN <= v <= Q16_MAX:
        return v, False
    if overflow == "wrap":
        return (v - Q16_MIN) % (1 << 32) + Q16_MIN, True
    return (Q16_MAX if v > 0 else Q16_MIN), True


def _apply(kernel, fn, overflow, *arrays):
    """Apply ``fn`` (Python ints -> exact unbounded int) over broadcast arrays
    and fit the results, raising at the first event in C order as the
    kernels do."""
    arrays = np.broadcast_arrays(*(np.asarray(a) for a in arrays))
    shape = arrays[0].shape
    flat = [a.ravel().tolist() for a in arrays]
    out = np.empty(len(flat[0]), dtype=np.int64)
    for i, args in enumerate(zip(*flat)):
        value = fn(*args)
        fitted, event = q16_fit(value, overflow)
        if event and overflow == "raise":
            raise Q16OverflowError(kernel, np.unravel_index(i, shape) if shape else ())
        out[i] = fitted
    result = out.astype(np.int32).reshape(shape)
    return result[()] if result.ndim == 0 else result


def q16_add(a, b, overflow="saturate"):
    """Exact ``a + b`` of raw Q16.16 values fitted to int32.

    Parameters
    ----------
    a, b : array_like of int
        Raw values; broadcast together.
    overflow : {"saturate", "raise", "wrap"}

    Returns
    -------
    ndarray of int32 (a scalar for 0-d input)

    Raises
    ------
    attncore.Q16OverflowError
        ``overflow="raise"`` and a sum outside int32 (the first in C order).

    Examples
    --------
    >>> from attncore import reference as ref
    >>> int(ref.q16_add(2**31 - 1, 1)), int(ref.q16_add(2**31 - 1, 1, "wrap"))
    (2147483647, -2147483648)
    """
    return _apply("q16.add", lambda x, y: x + y, overflow, a, b)


def q16_sub(a, b, overflow="saturate"):
    """Exact ``a - b`` of raw Q16.16 values fitted to int32.

    Parameters
    ----------
    a, b : array_like of int
    overflow : {"saturate", "raise", "wrap"}

    Returns
    -------
    ndarray of int32 (a scalar for 0-d input)

    Raises
    ------
    attncore.Q16OverflowError
        As :func:`q16_add`.

    Examples
    --------
    >>> from attncore import reference as ref
    >>> int(ref.q16_sub(65536, 131072))
    -65536
    """
    return _apply("q16.sub", lambda x, y: x - y, overflow, a, b)


def q16_mul(a, b, rounding="nearest", overflow="saturate"):
    """``round(a * b / 2**16)`` exactly, fitted to int32.

    Parameters
    ----------
    a, b : array_like of int
        Raw Q16.16 values; broadcast together.
    rounding : {"nearest", "floor"}
    overflow : {"saturate", "raise", "wrap"}

    Returns
    -------
    ndarray of int32 (a scalar for 0-d input)

    Raises
    ------
    attncore.Q16OverflowError
        As :func:`q16_add`.

    Examples
    --------
    >>> from attncore import reference as ref
    >>> int(ref.q16_mul(3, 32768)), int(ref.q16_mul(3, 32768, "floor"))  # 1.5 LSB
    (2, 1)
    """
    return _apply("q16.mul", lambda x, y: round_ratio(x * y, Q16_SCALE, rounding), overflow, a, b)


def _div_one(x, y, rounding, overflow):
    if y == 0:
        if overflow == "raise":
            raise ZeroDivisionError("q16.div: division by zero")
        # the clamp of +-inf under every policy: there is nothing to wrap
        return Q16_MAX if x > 0 else (Q16_MIN if x < 0 else 0)
    return round_ratio(x * Q16_SCALE, y, rounding)


def q16_div(a, b, rounding="nearest", overflow="saturate"):
    """``round(a * 2**16 / b)`` exactly; division by zero as
    :func:`attncore.q16.div` (MAX, MIN or 0 by the dividend's sign).

    Parameters
    ----------
    a, b : array_like of int
    rounding : {"nearest", "floor"}
    overflow : {"saturate", "raise", "wrap"}

    Returns
    -------
    ndarray of int32 (a scalar for 0-d input)

    Raises
    ------
    ZeroDivisionError
        A zero divisor under ``overflow="raise"``.
    attncore.Q16OverflowError
        As :func:`q16_add`.

    Examples
    --------
    >>> from attncore import reference as ref
    >>> int(ref.q16_div(65536, 3 * 65536)), int(ref.q16_div(-1, 0))
    (21845, -2147483648)
    """
    return _apply("q16.div", lambda x, y: _div_one(x, y, rounding, overflow), overflow, a, b)


def _sqrt_one(x, rounding):
    if x < 0:
        raise ValueError("q16.sqrt: sqrt of a negative number")
    n = x * Q16_SCALE
    s = math.isqrt(n)
    # sqrt(n) >= s + 1/2  <=>  4n >= (2s + 1)^2  (never equal: odd square vs 4n)
    if rounding == "nearest" and 4 * n > (2 * s + 1) ** 2:
        s += 1
    return s


def q16_sqrt(a, rounding="nearest"):
    """``round(sqrt(a * 2**16))`` exactly (integer square root).

    Parameters
    ----------
    a : array_like of int
        Raw values >= 0.
    rounding : {"nearest", "floor"}

    Returns
    -------
    ndarray of int32 (a scalar for 0-d input)

    Raises
    ------
    ValueError
        A negative input.

    Examples
    --------
    >>> from attncore import reference as ref
    >>> int(ref.q16_sqrt(2 * 65536))
    92682
    """
    return _apply("q16.sqrt", lambda x: _sqrt_one(x, rounding), "saturate", a)


def q16_exp_exact(a):
    """``exp(a / 2**16) * 2**16`` in float64: the real result in raw units.

    float64 exp is within 1 ulp, so this is within ``2**31 * 2**-52 = 2**-21``
    raw units of the exact value over the range where the result fits int32.

    Parameters
    ----------
    a : array_like of int

    Returns
    -------
    ndarray of float64

    Examples
    --------
    >>> from attncore import reference as ref
    >>> float(ref.q16_exp_exact(0))
    65536.0
    """
    return np.exp(np.asarray(a, dtype=np.float64) / Q16_SCALE) * Q16_SCALE


# float64's error bound above, doubled for margin: closer to a rounding
# boundary than this, float64 cannot decide and mpmath does.
_EXP_UNDECIDED = 2.0 ** -20


def _exp_round_mpmath(x, rounding):
    import mpmath

    with mpmath.workprec(128):
        v = mpmath.exp(mpmath.mpf(int(x)) / Q16_SCALE) * Q16_SCALE
        # exp of a nonzero rational is transcendental: never a tie
        return int(mpmath.floor(v)) if rounding == "floor" else int(mpmath.nint(v))


def q16_exp(a, rounding="nearest", overflow="saturate"):
    """``exp(a / 2**16)`` correctly rounded to Q16.16 (saturating above MAX).

    float64 decides every input whose exact result is farther than 2**-20
    LSB from a rounding boundary; the rest are re-evaluated with mpmath at
    128 bits.

    Parameters
    ----------
    a : array_like of int
    rounding : {"nearest", "floor"}
    overflow : {"saturate", "raise"}

    Returns
    -------
    ndarray of int32 (a scalar for 0-d input)

    Raises
    ------
    attncore.Q16OverflowError
        ``overflow="raise"`` and a result above MAX.

    Examples
    --------
    >>> from attncore import reference as ref
    >>> int(ref.q16_exp(65536))
    178145
    """
    a = np.asarray(a)
    v = q16_exp_exact(a)
    base = np.floor(v) if rounding == "floor" else np.floor(v + 0.5)
    dist = np.abs(v - np.floor(v)) if rounding == "floor" else np.abs(v - np.floor(v) - 0.5)
    if rounding == "floor":
        dist = np.minimum(dist, np.abs(np.ceil(v) - v))
    undecided = (dist < _EXP_UNDECIDED) & (a != 0) & (v < 2.0**32)
    result = np.where(a == 0, float(Q16_SCALE), base)
    if np.any(undecided):
        for index in zip(*np.nonzero(undecided)):
            result[index] = _exp_round_mpmath(a[index], rounding)
    over = result > Q16_MAX
    if overflow == "raise" and np.any(over):
        first = np.flatnonzero(over)[0]
        raise Q16OverflowError("q16.exp", np.unravel_index(first, a.shape) if a.shape else ())
    result = np.where(over, Q16_MAX, result).astype(np.int32)
    return result[()] if result.ndim == 0 else result


def _from_float_one(x, rounding, overflow):
    if isinstance(x, float) and math.isnan(x):
        raise ValueError("q16.from_float: NaN has no Q16.16 value")
    if isinstance(x, float) and math.isinf(x):
        if overflow == "wrap":
            raise ValueError("q16.from_float: an infinity cannot wrap")
        return Q16_MAX + 1 if x > 0 else Q16_MIN - 1
    exact = Fraction(x) * Q16_SCALE
    return round_ratio(exact.numerator, exact.denominator, rounding)


def q16_from_float(x, rounding="nearest", overflow="saturate"):
    """``round(x * 2**16)`` from the exact rational value of each float.

    Parameters
    ----------
    x : array_like of real numbers
    rounding : {"nearest", "floor"}
    overflow : {"saturate", "raise", "wrap"}

    Returns
    -------
    ndarray of int32 (a scalar for 0-d input)

    Raises
    ------
    ValueError
        NaN, or an infinity under ``overflow="wrap"``.
    attncore.Q16OverflowError
        ``overflow="raise"`` and a value out of range.

    Examples
    --------
    >>> from attncore import reference as ref
    >>> ref.q16_from_float([1.5, -2.25]).tolist()
    [98304, -147456]
    """
    x = np.asarray(x)
    if x.dtype.kind == "f":
        x = x.astype(np.float64)  # exact for float16/32
    return _apply(
        "q16.from_float", lambda v: _from_float_one(v, rounding, overflow), overflow, x
    )


def q16_to_float(q):
    """``q / 2**16`` as float64 (exact: 32 significant bits fit in 53).

    Parameters
    ----------
    q : array_like of int

    Returns
    -------
    ndarray of float64

    Examples
    --------
    >>> from attncore import reference as ref
    >>> ref.q16_to_float([65536, -32768]).tolist()
    [1.0, -0.5]
    """
    return np.asarray(q).astype(np.float64) / Q16_SCALE


def q16_matmul_exact(a, b):
    """The exact product of raw Q16.16 matrices in raw units squared, as
    Python ints (object array): ``sum_p a[..., i, p] * b[..., p, j]``.

    Parameters
    ----------
    a, b : array_like of int
        ``np.matmul`` shapes.

    Returns
    -------
    ndarray of object (Python ints)

    Raises
    ------
    ValueError
        Shapes as ``np.matmul``.

    Examples
    --------
    >>> from attncore import reference as ref
    >>> ref.q16_matmul_exact([[2**31 - 1, 2**31 - 1]], [[2**31 - 1], [1]]).tolist()
    [[4611686016279904256]]
    """
    return np.matmul(np.asarray(a).astype(object), np.asarray(b).astype(object))


def q16_matmul(a, b, rounding="nearest", overflow="saturate"):
    """``round(sum_p a[i, p] b[p, j] / 2**16)`` from exact Python-int sums.

    Parameters
    ----------
    a, b : array_like of int
        ``np.matmul`` shapes.
    rounding : {"nearest", "floor"}
    overflow : {"saturate", "raise", "wrap"}

    Returns
    -------
    ndarray of int32

    Raises
    ------
    ValueError
        Shapes as ``np.matmul``.
    attncore.Q16OverflowError
        ``overflow="raise"`` and an output out of range.

    Examples
    --------
    >>> from attncore import reference as ref
    >>> ref.q16_matmul([[65536, 65536]], [[32768], [1]]).tolist()
    [[32769]]
    """
    exact = q16_matmul_exact(a, b)
    return _apply("q16.matmul", lambda s: round_ratio(s, Q16_SCALE, rounding), overflow, exact)


def matmul(a, b):
    """float64 product (np.matmul on float64 copies).

    Parameters
    ----------
    a, b : array_like

    Returns
    -------
    ndarray of float64

    Raises
    ------
    ValueError
        Shapes as ``np.matmul``.

    Examples
    --------
    >>> from attncore import reference as ref
    >>> ref.matmul([[1, 2]], [[3], [4]]).tolist()
    [[11.0]]
    """
    return np.matmul(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64))


def matmul_error_bound(a, b, dtype):
    """Bound on |fl(a @ b) - a @ b| for any summation order in ``dtype``:
    ``k * u * (|a| @ |b|)`` with ``u`` the unit roundoff (the classical
    gamma_k bound to first order, with 1 % margin), computed in float64.

    Parameters
    ----------
    a, b : array_like
    dtype : numpy float dtype
        The precision the product was computed in.

    Returns
    -------
    ndarray of float64, shaped as ``a @ b``

    Raises
    ------
    ValueError
        Shapes as ``np.matmul``.

    Examples
    --------
    >>> import numpy as np
    >>> from attncore import reference as ref
    >>> bound = ref.matmul_error_bound(np.ones((1, 4)), np.ones((4, 1)), np.float32)
    >>> bool(bound[0, 0] < 1e-5)
    True
    """
    a = np.abs(np.asarray(a, dtype=np.float64))
    b = np.abs(np.asarray(b, dtype=np.float64))
    k = a.shape[-1]
    u = np.finfo(dtype).eps / 2
    return 1.01 * k * u * np.matmul(a, b)


def softmax(x, axis=-1, mask=None):
    """float64 softmax: masked entries 0, fully masked rows all 0.

    Parameters
    ----------
    x : array_like
    axis : int
    mask : array_like of bool, optional
        True keeps; broadcast against ``x``.

    Returns
    -------
    ndarray of float64

    Raises
    ------
    ValueError
        A mask that does not broadcast.

    Examples
    --------
    >>> from attncore import reference as ref
    >>> ref.softmax([0.0, 0.0]).tolist(), ref.softmax([1.0, 2.0], mask=[False, False]).tolist()
    ([0.5, 0.5], [0.0, 0.0])
    """
    x = np.asarray(x, dtype=np.float64)
    keep = np.ones(x.shape, bool) if mask is None else np.broadcast_to(mask, x.shape)
    shifted = np.where(keep, x, -np.inf)
    m = np.max(shifted, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    e = np.where(keep, np.exp(shifted - m), 0.0)
    s = np.sum(e, axis=axis, keepdims=True)
    with np.errstate(invalid="ignore"):  # a +inf logit gives inf / inf = NaN, as NumPy's
        return np.divide(e, s, out=np.zeros_like(e), where=s > 0)


def log_softmax(x, axis=-1, mask=None):
    """float64 log-softmax: masked entries -inf, fully masked rows all -inf.

    Parameters
    ----------
    x : array_like
    axis : int
    mask : array_like of bool, optional

    Returns
    -------
    ndarray of float64

    Raises
    ------
    ValueError
        A mask that does not broadcast.

    Examples
    --------
    >>> from attncore import reference as ref
    >>> ref.log_softmax([1.0, 2.0], mask=[False, True]).tolist()
    [-inf, 0.0]
    """
    with np.errstate(divide="ignore"):
        return np.log(softmax(x, axis, mask))


def q16_softmax_exact(x, axis=-1, mask=None, dps=40):
    """The exact softmax of raw Q16.16 logits, in raw units (float64 of an
    mpmath evaluation at ``dps`` digits): what q16.softmax rounds.

    Parameters
    ----------
    x : array_like of int
    axis : int
    mask : array_like of bool, optional
    dps : int
        mpmath decimal digits.

    Returns
    -------
    ndarray of float64 (raw units: 65536 = probability 1)

    Raises
    ------
    ImportError
        Without mpmath.

    Examples
    --------
    >>> from attncore import reference as ref
    >>> ref.q16_softmax_exact([0, 0]).tolist()
    [32768.0, 32768.0]
    """
    import mpmath

    x = np.asarray(x)
    keep = np.ones(x.shape, bool) if mask is None else np.broadcast_to(mask, x.shape)
    x, keep = np.moveaxis(x, axis, -1), np.moveaxis(keep, axis, -1)
    out = np.zeros(x.shape, dtype=np.float64)
    with mpmath.workdps(dps):
        for index in np.ndindex(x.shape[:-1]):
            row, kept = x[index], keep[index]
            if not kept.any():
                continue
            m = max(int(v) for v, k in zip(row, kept) if k)
            e = [mpmath.exp(mpmath.mpf(int(v) - m) / Q16_SCALE) if k else mpmath.mpf(0)
                 for v, k in zip(row, kept)]
            total = mpmath.fsum(e)
            out[index] = [float(v / total * Q16_SCALE) for v in e]
    return np.moveaxis(out, -1, axis)


def attention_keep(shape_ls, mask=None, is_causal=False):
    """The kept (query, key) entries of attention: a bool mask and/or the
    causal cut j <= i (upper-left aligned, as PyTorch), broadcast together.

    Parameters
    ----------
    shape_ls : tuple
        The score shape (..., L, S).
    mask : array_like, optional
        bool (True keeps) or additive (-inf drops).
    is_causal : bool

    Returns
    -------
    ndarray of bool

    Raises
    ------
    ValueError
        A mask that does not broadcast to ``shape_ls``.

    Examples
    --------
    >>> from attncore import reference as ref
    >>> ref.attention_keep((2, 3), is_causal=True).tolist()
    [[True, False, False], [True, True, False]]
    """
    keep = np.ones(shape_ls, bool)
    if mask is not None:
        mask = np.asarray(mask)
        keep = keep & (mask if mask.dtype == np.bool_ else ~np.isneginf(mask))
    if is_causal:
        keep = keep & np.tril(np.ones(shape_ls[-2:], bool))
    return keep


def scaled_dot_product_attention(q, k, v, mask=None, is_causal=False, scale=None):
    """float64 attention that stores the scores: ``(out, weights)``.  A bool
    mask keeps True entries, a float mask is added; rows with nothing kept
    are 0.

    Parameters
    ----------
    q, k, v : array_like, (..., L, E), (..., S, E), (..., S, Ev)
    mask : array_like, optional
    is_causal : bool
    scale : float, optional
        Default ``1 / sqrt(E)``.

    Returns
    -------
    out : ndarray of float64, (..., L, Ev)
    weights : ndarray of float64, (..., L, S)

    Raises
    ------
    ValueError
        Shapes that do not fit.

    Examples
    --------
    >>> import numpy as np
    >>> from attncore import reference as ref
    >>> out, w = ref.scaled_dot_product_attention(np.zeros((1, 2)), np.zeros((2, 2)),
    ...                                           [[1.0], [3.0]])
    >>> out.tolist(), w.tolist()
    ([[2.0]], [[0.5, 0.5]])
    """
    q, k, v = (np.asarray(x, dtype=np.float64) for x in (q, k, v))
    scale = 1.0 / math.sqrt(q.shape[-1]) if scale is None else scale
    scores = q @ np.swapaxes(k, -1, -2) * scale
    if mask is not None and np.asarray(mask).dtype != np.bool_:
        finite = np.where(np.isneginf(mask), 0.0, np.asarray(mask, dtype=np.float64))
        scores = scores + finite
    keep = attention_keep(scores.shape, mask, is_causal)
    weights = softmax(scores, mask=np.broadcast_to(keep, scores.shape))
    return weights @ v, weights


def q16_scaled_dot_product_attention_exact(q, k, v, mask=None, is_causal=False, scale_raw=None,
                                           dps=50):
    """Exact attention of raw Q16.16 inputs with the raw Q16.16 ``scale``:
    ``(out, weights)`` in raw units (float64 of mpmath at ``dps`` digits) --
    what q16.scaled_dot_product_attention rounds.  Scores are exact
    rationals; only the exponentials are evaluated (to ``dps`` digits).

    Parameters
    ----------
    q, k, v : array_like of int, (..., L, E), (..., S, E), (..., S, Ev)
    mask : array_like of bool, optional
    is_causal : bool
    scale_raw : int, optional
        Raw Q16.16 scale; default ``round(sqrt(2**32 / E))``, computed here.
    dps : int

    Returns
    -------
    out : ndarray of float64, (..., L, Ev)
    weights : ndarray of float64, (..., L, S)

    Raises
    ------
    ImportError
        Without mpmath.

    Examples
    --------
    >>> import numpy as np
    >>> from attncore import reference as ref
    >>> out, w = ref.q16_scaled_dot_product_attention_exact(
    ...     np.zeros((1, 2), int), np.zeros((2, 2), int), [[65536], [196608]])
    >>> out.tolist(), w.tolist()
    ([[131072.0]], [[32768.0, 32768.0]])
    """
    import mpmath

    q, k, v = (np.asarray(x, dtype=np.int64) for x in (q, k, v))
    batch = np.broadcast_shapes(q.shape[:-2], k.shape[:-2], v.shape[:-2])
    length, keys = q.shape[-2], k.shape[-2]
    if scale_raw is None:  # round(sqrt(2**32 / E)), exactly (never a tie)
        e = q.shape[-1]
        root = math.isqrt((1 << 32) // e) if e > 0 else Q16_SCALE
        scale_raw = root + 1 if e > 0 and (2 * root + 1) ** 2 * e < (1 << 34) else root
    keep = np.broadcast_to(attention_keep((length, keys), None, is_causal)
                           & (True if mask is None else np.asarray(mask)), batch + (length, keys))
    q, k, v = (np.broadcast_to(x, batch + x.shape[-2:]) for x in (q, k, v))
    out = np.zeros(batch + (length, v.shape[-1]))
    weights = np.zeros(batch + (length, keys))
    with mpmath.workdps(dps):
        for b in np.ndindex(batch):
            for i in range(length):
                kept = [j for j in range(keys) if keep[b + (i, j)]]
                if not kept:
                    continue
                # score in raw units is dot * scale_raw / 2^32 (exact integer ratio)
                q_row = q[b][i].tolist()  # Python ints: the dot product must not wrap
                num = {j: sum(x * y for x, y in zip(q_row, k[b][j].tolist())) * int(scale_raw)
                       for j in kept}
                top = max(num.values())
                e = {j: mpmath.exp(mpmath.mpf(num[j] - top) / 2**48) for j in kept}
                total = mpmath.fsum(e.values())
                for j in kept:
                    weights[b + (i, j)] = float(e[j] / total * Q16_SCALE)
                for c in range(v.shape[-1]):
                    out[b + (i, c)] = float(mpmath.fsum(e[j] * int(v[b][j][c]) for j in kept)
                                            / total)
    return out, weights


def multi_head_attention(query, key, value, w_q, w_k, w_v, w_o, num_heads, b_q=None, b_k=None,
                         b_v=None, b_o=None, mask=None, is_causal=False):
    """float64 multi-head attention written out head by head:
    ``(out, weights (..., H, L, S), head_outputs (..., L, H, D_out))``.

    Parameters
    ----------
    query, key, value, w_q, w_k, w_v, w_o, num_heads, b_q, b_k, b_v, b_o, mask, is_causal
        As :func:`attncore.fp.multi_head_attention`.

    Returns
    -------
    out, weights, head_outputs : ndarray of float64

    Raises
    ------
    ValueError
        Shapes that do not fit.

    Examples
    --------
    >>> import numpy as np
    >>> from attncore import reference as ref
    >>> x, w = np.ones((3, 4)), np.eye(4)
    >>> out, weights, heads = ref.multi_head_attention(x, x, x, w, w, w, w, 2)
    >>> out.shape, weights.shape, heads.shape
    ((3, 4), (2, 3, 3), (3, 2, 4))
    """
    f = [None if x is None else np.asarray(x, dtype=np.float64)
         for x in (query, key, value, w_q, w_k, w_v, w_o, b_q, b_k, b_v, b_o)]
    query, key, value, w_q, w_k, w_v, w_o, b_q, b_k, b_v, b_o = f
    q, k, v = query @ w_q, key @ w_k, value @ w_v
    q, k, v = (x if b is None else x + b for x, b in ((q, b_q), (k, b_k), (v, b_v)))
    dh, dvh = w_q.shape[1] // num_heads, w_v.shape[1] // num_heads
    heads, weights, contributions = [], [], []
    for h in range(num_heads):
        o, w = scaled_dot_product_attention(q[..., h * dh:(h + 1) * dh],
                                            k[..., h * dh:(h + 1) * dh],
                                            v[..., h * dvh:(h + 1) * dvh], mask, is_causal)
        heads.append(o)
        weights.append(w)
        contributions.append(o @ w_o[h * dvh:(h + 1) * dvh])
    out = np.concatenate(heads, axis=-1) @ w_o
    if b_o is not None:
        out = out + b_o
    return out, np.stack(weights, axis=-3), np.stack(contributions, axis=-2)


# ---- linear algebra ----------------------------------------------------------

def q16_solve_exact(a, b):
    """The exact rational solution of ``A x = b`` for raw Q16.16 ``a (..., n,
    n)`` and ``b (..., n, k)``, in raw units (float64 of the Fraction):
    Gaussian elimination over Fractions.

    Parameters
    ----------
    a : array_like of int, (..., n, n)
    b : array_like of int, (..., n, k)

    Returns
    -------
    ndarray of float64, (..., n, k), or None
        None when a matrix of the batch is singular.

    Raises
    ------
    ValueError
        Batch dims that do not broadcast.

    Examples
    --------
    >>> from attncore import reference as ref
    >>> ref.q16_solve_exact([[131072, 0], [0, 65536]], [[65536], [65536]]).tolist()
    [[32768.0], [65536.0]]
    """
    a, b = np.asarray(a), np.asarray(b)
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    a = np.broadcast_to(a, batch + a.shape[-2:])
    b = np.broadcast_to(b, batch + b.shape[-2:])
    n, k = a.shape[-1], b.shape[-1]
    out = np.zeros(batch + (n, k))
    for index in np.ndindex(batch):
        m = [[Fraction(int(v)) for v in row] + [Fraction(int(v)) for v in brow]
             for row, brow in zip(a[index], b[index])]
        for c in range(n):
            p = next((i for i in range(c, n) if m[i][c] != 0), None)
            if p is None:
                return None
            m[c], m[p] = m[p], m[c]
            for i in range(n):
                if i != c and m[i][c] != 0:
                    f = m[i][c] / m[c][c]
                    m[i] = [x - f * y for x, y in zip(m[i], m[c])]
        for i in range(n):
            for j in range(k):
                out[index + (i, j)] = float(m[i][n + j] / m[i][i] * Q16_SCALE)
    return out
