"""Q16.16 fixed-point backend.

A Q16.16 array is an ``int32`` array of raw values: the raw integer ``r``
stands for the real number ``r / 2**16``.  Every function here takes int32
arrays only (a float array is a TypeError pointing at :func:`from_float`)
and returns int32 arrays; the C core computes each result exactly, at full
width, and rounds it once.

Rounding (``rounding=``)
    ``"nearest"`` (default): to nearest, ties to even.
    ``"floor"``: toward -inf, what a bare arithmetic shift does in firmware.
Overflow (``overflow=``)
    ``"saturate"`` (default): clamp to :data:`MIN` / :data:`MAX`, counted by
    :func:`count_saturations`.
    ``"raise"``: :class:`attncore.Q16OverflowError` naming the kernel and the
    first offending index; nothing is returned.
    ``"wrap"``: two's complement modulo 2**32 of the rounded result, as C.

Results are bit-identical to the C core built for any other platform.
"""
import math

import numpy as np

from attncore._kernels import attention as _attention, core, matmul as _matmul
from attncore._kernels import elementwise as _ew
from attncore._attention_api import attention_operands, bool_mask, results
from attncore._matmul_api import matmul_call
from attncore import _linalg_api as _la
from attncore._mha import MhaOps, multi_head
from attncore._softmax_api import softmax_rows
from attncore._validate import (
    as_q16,
    broadcast,
    flat_to_index,
    overflow_code,
    rounding_code,
    scalar_or_array,
)
from attncore.errors import Q16OverflowError, located
from attncore.saturation import SaturationCounts, count_saturations, record
from attncore.threads import get_num_threads

__all__ = [
    "FRAC_BITS", "ONE", "EPS", "MIN", "MAX",
    "from_float", "to_float",
    "add", "sub", "mul", "div", "sqrt", "exp", "matmul", "softmax",
    "scaled_dot_product_attention", "multi_head_attention",
    "lu_factor", "lu_solve", "cho_factor", "cho_solve", "solve", "det", "inv", "affine_inverse",
    "count_saturations", "SaturationCounts",
]

FRAC_BITS = core.FRAC_BITS
"""Fractional bits of Q16.16 (16)."""
ONE = core.ONE
"""Raw value of 1.0 (65536)."""
EPS = 2.0 ** -FRAC_BITS
"""Real value of one LSB, 2**-16."""
MIN = core.MIN
"""Smallest raw value, -2**31 (real -32768.0)."""
MAX = core.MAX
"""Largest raw value, 2**31 - 1 (real 32767.99998...)."""


def _finish(kernel, report, shape, overflow, operands=(), domain_message=None):
    """Turn the core's report into an exception or a saturation count."""
    status, events, first, first_status, stop = report
    if status == core.ac_status.AC_OK:
        record(kernel, events, wrapped=overflow == "wrap")
        return
    index = flat_to_index(stop, shape)
    values = ", ".join(f"{name}={int(arr[index])}" for name, arr in operands)
    detail = f" (raw {values})" if values else ""
    if status == core.ac_status.AC_STATUS_DIV_BY_ZERO:
        raise located(ZeroDivisionError, kernel, "division by zero", [index], detail=detail)
    if status == core.ac_status.AC_STATUS_DOMAIN:
        reason = domain_message(index) if callable(domain_message) else domain_message
        raise located(ValueError, kernel, reason, [index], detail=detail)
    raise Q16OverflowError(kernel, index, detail)


def _binary(name, a, b, rounding, overflow):
    kernel = f"q16.{name}"
    a = as_q16(a, kernel, "a")
    b = as_q16(b, kernel, "b")
    rnd = rounding_code(kernel, rounding)
    ovf = overflow_code(kernel, overflow)
    a_b, b_b = broadcast(kernel, a, b)
    out = np.empty(a_b.shape, dtype=np.int32)
    report = _ew.binary(name, a_b, b_b, out, rnd, ovf, get_num_threads())
    _finish(kernel, report, out.shape, overflow, (("a", a_b), ("b", b_b)))
    return scalar_or_array(out)


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
    """
    return _binary("add", a, b, "nearest", overflow)


def sub(a, b, /, *, overflow="saturate"):
    """Elementwise ``a - b`` in Q16.16 (exact; only overflow can happen).

    Parameters and returns as :func:`add`.
    """
    return _binary("sub", a, b, "nearest", overflow)


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
        A non-int32 input.
    ValueError
        Shapes that do not broadcast.
    attncore.Q16OverflowError
        With ``overflow="raise"``, a product outside [MIN, MAX].
    """
    return _binary("mul", a, b, rounding, overflow)


def div(a, b, /, *, rounding="nearest", overflow="saturate"):
    """Elementwise quotient in Q16.16, correctly rounded.

    ``raw = round(a * 2**16 / b)``, rounded once from the exact integer
    quotient and remainder.

    Division by zero: with ``overflow="raise"`` a ZeroDivisionError;
    otherwise the result is MAX for a positive dividend, MIN for a negative
    one and 0 for 0/0 (the clamp of +-inf; counted as a saturation).

    Parameters and exceptions as :func:`mul`, plus ZeroDivisionError.
    """
    return _binary("div", a, b, rounding, overflow)


def _unary(name, a, rounding, overflow, domain_message=None):
    kernel = f"q16.{name}"
    a = as_q16(a, kernel, "a")
    rnd = rounding_code(kernel, rounding)
    ovf = overflow_code(kernel, overflow, ("saturate", "raise"))
    out = np.empty(a.shape, dtype=np.int32)
    report = _ew.unary(name, a, out, rnd, ovf, get_num_threads())
    _finish(kernel, report, out.shape, overflow, (("a", a),), domain_message)
    return scalar_or_array(out)


def sqrt(a, /, *, rounding="nearest"):
    """Elementwise square root in Q16.16, correctly rounded.

    ``raw = round(sqrt(a * 2**16))`` from the exact integer square root and
    its remainder (ties cannot occur).  Never overflows.

    Raises
    ------
    ValueError
        A negative input (naming its index).
    """
    return _unary("sqrt", a, rounding, "saturate", "sqrt of a negative number")


def exp(a, /, *, rounding="nearest", overflow="saturate"):
    """Elementwise ``exp`` in Q16.16.

    Evaluated with 62 fractional bits (range reduction by ln 2, a degree-20
    polynomial in integer arithmetic) and rounded once; within 1/2 LSB plus
    2**-25 LSB of the exact value, i.e. correctly rounded except possibly for
    inputs whose exact result lies within 2**-25 LSB of a rounding boundary
    (none exist in the int32 domain: checked exhaustively by the tests).
    Inputs below about -11.78 give 0; above about 10.397 (real) the result
    exceeds MAX: saturated, or Q16OverflowError with ``overflow="raise"``.
    """
    return _unary("exp", a, rounding, overflow)


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

    Raises
    ------
    ValueError
        NaN anywhere (Q16.16 has no NaN), or an infinity with ``"wrap"``.
    TypeError
        Complex, object or long-double input.
    attncore.Q16OverflowError
        With ``overflow="raise"``, a value outside [MIN, MAX] after rounding.
    """
    kernel = "q16.from_float"
    arr = np.asarray(x)
    rnd = rounding_code(kernel, rounding)
    ovf = overflow_code(kernel, overflow)
    kind = arr.dtype.kind
    if kind == "f" and arr.dtype.itemsize <= 8:
        if arr.dtype == np.float16:
            arr = arr.astype(np.float32)  # exact
    elif kind in "iub":
        if arr.dtype == np.uint64 and arr.size and arr.max() > np.iinfo(np.int64).max:
            # Only the low 16 bits matter modulo 2**32; otherwise any value
            # this large is out of range and 2**62 clamps the same way.
            arr = arr & 0xFFFF if overflow == "wrap" else np.minimum(arr, 2**62)
        arr = arr.astype(np.int64)
    else:
        raise TypeError(
            f"{kernel} converts real numbers (float16/32/64, integers), got {arr.dtype}"
        )
    if not arr.flags.aligned:
        arr = arr.copy()
    out = np.empty(arr.shape, dtype=np.int32)
    report = _ew.from_real(arr, out, rnd, ovf, get_num_threads())
    _finish(kernel, report, out.shape, overflow, domain_message=lambda index: (
        "NaN has no Q16.16 value" if np.isnan(arr[index])
        else "an infinity has no residue modulo 2**32 (overflow='wrap')"))
    return scalar_or_array(out)


def to_float(q, /):
    """Raw Q16.16 to float64, exactly (``q / 2**16``)."""
    q = as_q16(q, "q16.to_float", "q")
    out = np.empty(q.shape, dtype=np.float64)
    _ew.to_double(q, out, get_num_threads())
    return scalar_or_array(out)


def matmul(a, b, /, *, rounding="nearest", overflow="saturate", out=None):
    """Q16.16 matrix product with ``np.matmul`` shape semantics.

    ``raw[..., i, j] = round(sum_p a[..., i, p] * b[..., p, j] / 2**16)``.
    Products are exact (62 bits) and summed exactly, with no intermediate
    rounding and no wrap even when partial sums leave int64 (a two-word
    accumulator takes over then); the sum is rounded once -- the only
    rounding point -- and fitted to int32 under ``overflow``.  Every output
    is therefore correctly rounded (error <= 0.5 LSB against the exact
    product of the inputs).

    Count saturated outputs with :func:`count_saturations` (kernel name
    ``"q16.matmul"``).  Results are bit-identical for any thread count and
    to the C core on other platforms.

    Parameters
    ----------
    a, b : array_like of int32
        Raw Q16.16 values, at least 1-D; batch dims broadcast.
    rounding : {"nearest", "floor"}
    overflow : {"saturate", "raise", "wrap"}
    out : ndarray of int32, optional
        Exact result shape; untouched if the call raises.

    Returns
    -------
    ndarray of int32 (a scalar for 1-D @ 1-D)

    Raises
    ------
    TypeError
        Non-int32 input, or ``out`` of another dtype.
    ValueError
        Shapes as for np.matmul (naming both), or a wrong ``out`` shape.
    attncore.Q16OverflowError
        With ``overflow="raise"``: the first out-of-range output's index.
    """
    kernel = "q16.matmul"
    a = as_q16(a, kernel, "a")
    b = as_q16(b, kernel, "b")
    rnd = rounding_code(kernel, rounding)
    ovf = overflow_code(kernel, overflow)

    def run(a3, b3, work, out_shape):
        report = _matmul.q16(a3, b3, work, rnd, ovf, get_num_threads())
        _finish(kernel, report, out_shape, overflow)

    return matmul_call(kernel, a, b, out, np.int32, run, direct_ok=overflow != "raise")


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
    axis : int
    mask : array_like of bool, optional
        True keeps; masked entries are 0, a fully masked row is all 0.
    rounding : {"nearest", "floor"}

    Raises
    ------
    TypeError
        Non-int32 ``x`` or a non-bool mask.
    ValueError
        A mask that does not broadcast, or a row longer than 2**23.
    """
    kernel = "q16.softmax"
    x = as_q16(x, kernel, "x")
    rnd = rounding_code(kernel, rounding)
    out, report = softmax_rows(kernel, x, axis, mask, np.int32, False, rnd)
    if report[0] != core.ac_status.AC_OK:
        raise ValueError(f"{kernel}: a row longer than 2**23 entries is not supported")
    return out


def default_scale(features):
    """``1 / sqrt(features)`` as the nearest Q16.16 raw value (exact integer
    arithmetic: ``round(sqrt(2**32 / features))``)."""
    if features <= 0:
        return ONE
    floor = math.isqrt((1 << 32) // features)
    # round up when (floor + 1/2)^2 < 2^32 / features; never a tie
    return floor + 1 if (2 * floor + 1) ** 2 * features < (1 << 34) else floor


def _scale_raw(kernel, scale, features):
    if scale is None:
        return default_scale(features)
    if isinstance(scale, (np.ndarray, np.generic)) and np.asarray(scale).dtype.kind not in "fiu":
        raise TypeError(f"{kernel}: scale must be a real number, got {np.asarray(scale).dtype}")
    value = float(scale)
    if not math.isfinite(value) or not MIN <= round(value * ONE) <= MAX:
        raise ValueError(f"{kernel}: scale={scale!r} is not representable in Q16.16")
    return round(value * ONE)  # Python's round: nearest, ties to even


def scaled_dot_product_attention(q, k, v, /, *, mask=None, is_causal=False, scale=None,
                                 return_weights=False, rounding="nearest"):
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
        Broadcast to (..., L, S); True keeps.  Q16.16 masks are bool only.
        A row with nothing kept gives zeros.
    is_causal : bool
        Query i keeps keys j <= i (upper-left aligned, as PyTorch).
    scale : float, optional
        Used as its nearest Q16.16 value; default ``1/sqrt(E)`` correctly
        rounded (:func:`default_scale`).
    return_weights : bool
    rounding : {"nearest", "floor"}

    Returns
    -------
    out : ndarray of int32, (..., L, Ev); ``(out, weights)`` with
    ``return_weights``.

    Raises
    ------
    TypeError
        Non-int32 q/k/v, or a mask that is not bool.
    ValueError
        Shapes (as the float backend), a scale outside Q16.16, or a row
        keeping more than 2**23 keys.
    """
    kernel = "q16.scaled_dot_product_attention"
    q, k, v = as_q16(q, kernel, "q"), as_q16(k, kernel, "k"), as_q16(v, kernel, "v")
    rnd = rounding_code(kernel, rounding)
    if mask is not None:
        mask = np.asarray(mask)
        if mask.dtype != np.bool_:
            raise TypeError(f"{kernel}: Q16.16 masks are bool only (True keeps an entry), got "
                            f"{mask.dtype}; express an additive mask as a bool one")
        mask = bool_mask(kernel, mask)
    q, k, v, mask, batch = attention_operands(kernel, q, k, v, mask)
    length, keys, features = q.shape[-2], k.shape[-2], q.shape[-1]
    raw_scale = _scale_raw(kernel, scale, features)
    out = np.zeros(batch + (length, v.shape[-1]), dtype=np.int32)
    weights = np.zeros(batch + (length, keys), dtype=np.int32) if return_weights else None
    if keys and (out.size or (weights is not None and weights.size)):
        status, item = _attention.q16(q, k, v, out, None if mask is None else mask.view(np.uint8),
                                      bool(is_causal), raw_scale, weights, rnd,
                                      get_num_threads())
        if status != core.ac_status.AC_OK:
            raise located(ValueError, kernel,
                          "more than 2**23 keys kept in a row, which is not supported",
                          [flat_to_index(item, batch)], where="batch index")
    return results(out, weights, return_weights)


def _convert_all(kernel, arrays):
    names = ("query", "key", "value", "w_q", "w_k", "w_v", "w_o")
    return [as_q16(x, kernel, names[i] if i < len(names) else "bias")
            for i, x in enumerate(arrays)]


def multi_head_attention(query, key, value, w_q, w_k, w_v, w_o, num_heads, /, *, b_q=None,
                         b_k=None, b_v=None, b_o=None, mask=None, is_causal=False,
                         return_weights=False, return_head_outputs=False, rounding="nearest",
                         overflow="saturate"):
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

    Parameters and errors as the float backend, plus ``rounding`` and
    ``overflow``; every array is raw int32 and masks are bool only.
    """
    kernel = "q16.multi_head_attention"
    ops = MhaOps(
        convert=_convert_all,
        matmul=lambda a, b: matmul(a, b, rounding=rounding, overflow=overflow),
        add=lambda a, b: add(a, b, overflow=overflow),
        attention=lambda q, k, v, mask, is_causal, return_weights: scaled_dot_product_attention(
            q, k, v, mask=mask, is_causal=is_causal, return_weights=return_weights,
            rounding=rounding),
    )
    return multi_head(ops, kernel, query, key, value, w_q, w_k, w_v, w_o, num_heads,
                      (b_q, b_k, b_v, b_o), mask, is_causal, return_weights,
                      return_head_outputs)


# ---- linear algebra ----------------------------------------------------------

def _arith(kernel, rounding, overflow):
    def convert(name, *arrays):
        return [as_q16(x, name, "a" if i == 0 else "b") for i, x in enumerate(arrays)], \
            np.dtype(np.int32), 2
    return _la.Arith("q16", convert, rounding_code(kernel, rounding),
                     overflow_code(kernel, overflow), overflow)


_LINALG_DESIGN = """
    Working precision: the raw inputs are converted exactly into an integer
    floating format with 62-bit significands (``m * 2**e``); elimination,
    substitution and square roots run there (each operation within 2**-61
    relative) and every output is rounded **once** to Q16.16 (``rounding``)
    and fitted under ``overflow`` (saturations counted by
    :func:`count_saturations`).  No float is used; results are
    bit-identical on every platform."""


def solve(a, b, /, *, assume_a="gen", rounding="nearest", overflow="saturate"):
    """Q16.16 ``A x = b`` solved at high internal precision, batched.
    """ + _LINALG_DESIGN + """

    Error bound against the exact rational solution of the raw inputs:
    ``0.5 LSB + |x| * c(n) * cond(A) * 2**-45`` LSB (c(n) about 3 n**2 for
    partial pivoting without growth): within 1 LSB for cond(A) * |x| up to
    about 2**38 / c(n), e.g. cond 100 with any representable x at n = 4.
    The adjugate inverse (``reference.q16_adjugate_inverse``) rounds after
    every product and loses most of the 16 fractional bits instead.

    Parameters
    ----------
    a : array_like of int32, (..., n, n)
    b : array_like of int32, (n,) or (..., n, k)  (NumPy 2 rules)
    assume_a : {"gen", "pos"}
        LU with partial pivoting, or Cholesky for symmetric positive
        definite ``a`` (lower triangle read).
    rounding : {"nearest", "floor"}
    overflow : {"saturate", "raise", "wrap"}

    Raises
    ------
    attncore.SingularMatrixError, attncore.NotPositiveDefiniteError
        A zero pivot at working precision / a pivot <= 0, naming the batch
        indices.
    attncore.Q16OverflowError
        ``overflow="raise"`` and a component outside Q16.16.
    TypeError
        Non-int32 input.
    ValueError
        Shapes (as :func:`attncore.fp.solve`).
    """
    return _la.solve(_arith("q16.solve", rounding, overflow), a, b, assume_a)


def lu_factor(a, /, *, rounding="nearest", overflow="saturate"):
    """Q16.16 LU with partial pivoting: ``lu`` and ``piv`` as
    :func:`attncore.fp.lu_factor` (SciPy's layout), each entry of ``lu``
    rounded once from the working-precision factor.""" + _LINALG_DESIGN + """

    Solving from the returned (rounded) factors inherits their rounding
    (about cond(A) * 2**-17 relative); :func:`solve` keeps the factor at
    working precision and is the one with the 1-LSB guarantee.
    """
    return _la.lu_factor(_arith("q16.lu_factor", rounding, overflow), a)


def lu_solve(lu_and_piv, b, /, *, rounding="nearest", overflow="saturate"):
    """Solve with Q16.16 ``(lu, piv)``: exact substitution at working
    precision on the given factors, each component rounded once."""
    return _la.lu_solve(_arith("q16.lu_solve", rounding, overflow), lu_and_piv, b)


def cho_factor(a, /, *, lower=True, pivot=False, rounding="nearest", overflow="saturate"):
    """Q16.16 Cholesky (lower by default; SciPy's default is upper), with
    optional diagonal pivoting; returns as :func:`attncore.fp.cho_factor`.
    Square roots are taken at working precision (62 bits) and each factor
    entry is rounded once.""" + _LINALG_DESIGN
    return _la.cho_factor(_arith("q16.cho_factor", rounding, overflow), a, lower, pivot)


def cho_solve(c_and_lower, b, /, *, rounding="nearest", overflow="saturate"):
    """Solve with a Q16.16 Cholesky factor (either tuple form of
    :func:`cho_factor`), substitution at working precision."""
    return _la.cho_solve(_arith("q16.cho_solve", rounding, overflow), c_and_lower, b)


def det(a, /, *, rounding="nearest", overflow="saturate"):
    """Q16.16 determinant: the product of the working-precision LU pivots
    with the pivot sign, rounded once (0 for a singular matrix)."""
    return _la.det(_arith("q16.det", rounding, overflow), a)


def inv(a, /, *, rounding="nearest", overflow="saturate"):
    """Q16.16 inverse by working-precision LU solves against the identity,
    each entry rounded once.  Prefer :func:`solve`: most callers need
    ``A x = b``, not ``A^-1``."""
    return _la.inv(_arith("q16.inv", rounding, overflow), a)


def affine_inverse(m, /, *, kind="affine", rounding="nearest", overflow="saturate"):
    """Q16.16 inverse of homogeneous (..., 4, 4) / (..., 3, 3) transforms.

    ``kind="rigid"``: ``[[A^T, -A^T t], [0, 1]]``; the transpose is exact
    and each translation entry is one exact dot product (62-bit products,
    summed in two words) rounded once.  ``kind="affine"``: ``A^-1`` at
    working precision and ``-A^-1 t`` from it, each entry rounded once.
    The bottom row must be exactly ``[0 ... 0 ONE]`` (else ValueError) and
    is returned exactly.
    """
    return _la.affine_inverse(_arith("q16.affine_inverse", rounding, overflow), m, kind)
