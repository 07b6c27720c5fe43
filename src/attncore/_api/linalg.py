"""The linear algebra of both backends: shape rules (NumPy 2
``linalg.solve`` for right-hand sides), batching, the Q16.16 factor objects
(SciPy's tuples that also carry the exact factor), and the per-item C
statuses turned into exceptions that name the batch indices
(attncore._api.status)."""
from typing import NamedTuple

import numpy as np

from attncore._api import arrays, status
from attncore._kernels import core
from attncore._kernels import linalg as kernels
from attncore.errors import SingularMatrixError
from attncore.threads import get_num_threads

MAX_N = core.Q16_LINALG_MAX_N


def factor_words(n):
    """uint32 words of one exact factor of an n x n matrix (AC_Q16_FACTOR_WORDS)."""
    return core.q16_factor_words(n)


class _ExactFactor(tuple):
    """A SciPy factor tuple that also carries the exact factor words.

    Subclasses set the tuple parts; ``exact`` is a uint32 array of shape
    ``batch + (words,)`` holding det(A) and adj(A) as integers in the C
    layout of attncore/q16_linalg.h.  Pickles with its words.
    """

    def __new__(cls, parts, exact):
        self = super().__new__(cls, parts)
        self.exact = exact
        return self

    def __reduce__(self):
        return _rebuild, (type(self), tuple(self), self.exact)

    def __repr__(self):
        return f"{type(self).__name__}({tuple.__repr__(self)}, exact=<{self.exact.dtype} " \
               f"{self.exact.shape}>)"


def _rebuild(cls, parts, exact):
    return cls(parts, exact)


class LUFactor(_ExactFactor):
    """What :func:`attncore.q16.lu_factor` returns: the tuple ``(lu, piv)``
    of SciPy's ``lu_factor`` (each ``lu`` entry its exact value rounded
    once) with the exact factor in ``exact`` (uint32, ``(..., words)``),
    which :func:`attncore.q16.lu_solve` solves from."""


class ChoFactor(_ExactFactor):
    """What :func:`attncore.q16.cho_factor` returns: the tuple ``(c,
    lower)`` or, pivoted, ``(c, lower, perm, rank)`` of
    :func:`attncore.fp.cho_factor` (each ``c`` entry its exact value rounded
    once) with the exact factor in ``exact`` (uint32, ``(..., words)``),
    which :func:`attncore.q16.cho_solve` solves from."""


def _exact_of(kernel, factor, kind, made_by):
    """The exact words of a factor object, or the TypeError that explains
    why a plain tuple of Q16.16 arrays cannot be solved from exactly."""
    if not isinstance(factor, kind):
        raise TypeError(
            f"{kernel}: pass the object {made_by} returned ({kind.__name__}), not "
            f"{type(factor).__name__}: a plain tuple holds only the Q16.16 rounding of the "
            f"factors, and a solve from those rounded factors is off by about cond(A) * 2**-17 "
            f"relative; the {kind.__name__} also carries the exact factor (its `exact` words), "
            f"which gives the same bits as q16.solve")
    exact = np.asarray(factor.exact)
    # uint32 in either byte order, as every other operand (the words are values)
    if exact.dtype.kind != "u" or exact.dtype.itemsize != 4 or exact.ndim < 1:
        raise TypeError(f"{kernel}: the factor's `exact` words must be a uint32 array "
                        f"(..., words), got {exact.dtype} {exact.shape}")
    return exact.astype(np.uint32, copy=False)


class _Call:
    """One call's kernel name, operands in its arithmetic, and policies."""

    def __init__(self, backend, name, operands, rounding, overflow, check_finite=False,
                 names=("a", "b")):
        self.kernel = f"{backend}.{name}"
        q16 = backend == "q16"
        self.rnd = arrays.rounding_code(self.kernel, rounding) if q16 else 0
        self.ovf = arrays.overflow_code(self.kernel, overflow) if q16 else 0
        self.overflow = overflow
        names = names[:len(operands)]
        self.operands, self.dtype = arrays.convert(backend, self.kernel, operands, names)
        if arrays.flag(self.kernel, "check_finite", check_finite):
            arrays.check_finite(self.kernel, self.operands, names)

    def run(self, kernel_fn, batch, core_shape, *args, exact=None, **fields):
        """``kernel_fn(*args)`` over the batch; raises for any failed item.
        Nothing runs when there is no item or every item is empty (an
        output with elements per item, as det's, has ``core_shape == ()``),
        except that exact factor words (``exact``, which is in ``args``) are
        written for every item: an n = 0 factor still has its header."""
        if 0 in batch or (0 in core_shape and exact is None):
            return
        codes, events, first = kernel_fn(*args, self.rnd, self.ovf, get_num_threads())
        status.check_items(self.kernel, codes, events, first, batch, core_shape, self.overflow,
                           **fields)


def square(kernel, a, name="a"):
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise ValueError(f"{kernel}: `{name}` must be square in its last two dims (..., n, n), "
                         f"got shape {a.shape}")
    return a.shape[-1]


def _rhs(kernel, a_shape, b):
    """NumPy 2 rules: b is a vector only when 1-D.  Returns
    (b as (..., n, k) view, batch, output shape)."""
    n = a_shape[-1]
    if b.ndim == 0:
        raise ValueError(f"{kernel}: b must be at least 1-D, got a scalar")
    if b.ndim == 1:
        if b.shape[0] != n:
            raise ValueError(f"{kernel}: a of shape {a_shape} and b of shape {b.shape} do not "
                             f"match ({n} != {b.shape[0]})")
        batch = a_shape[:-2]
        return np.broadcast_to(b[:, np.newaxis], batch + (n, 1)), batch, batch + (n,)
    if b.shape[-2] != n:
        raise ValueError(f"{kernel}: a of shape {a_shape} and b of shape {b.shape} do not match "
                         f"({n} != {b.shape[-2]}; b is (..., n, k), or (n,) for one vector)")
    try:
        batch = arrays.broadcast_shapes(a_shape[:-2], b.shape[:-2])
    except ValueError:
        raise ValueError(f"{kernel}: batch dims of a {a_shape} and b {b.shape} do not "
                         "broadcast") from None
    k = b.shape[-1]
    arrays.result_dims(kernel, batch + (n, k))
    return np.broadcast_to(b, batch + (n, k)), batch, batch + (n, k)


def _q16_size(kernel, n):
    """The Q16.16 engine's size limit, checked before anything is allocated."""
    if n > MAX_N:
        raise ValueError(f"{kernel}: Q16.16 linear algebra takes n <= {MAX_N} (exact arithmetic "
                         f"costs O(n**5) bit operations), got n = {n}")


def lu_factor(backend, a, rounding="nearest", overflow="saturate", check_finite=False):
    call = _Call(backend, "lu_factor", (a,), rounding, overflow, check_finite)
    (a,) = call.operands
    n = square(call.kernel, a)
    batch = a.shape[:-2]
    q16 = backend == "q16"
    if q16:
        _q16_size(call.kernel, n)
    lu = np.empty(a.shape, call.dtype)
    piv = np.empty(batch + (n,), np.int32)
    exact = np.empty(batch + (factor_words(n),), np.uint32) if q16 else None
    call.run(kernels.lu_factor, batch, (n, n), a, lu, piv, exact, exact=exact)
    return LUFactor((lu, piv), exact) if q16 else (lu, piv)


def _solve_exact(call, exact, n, b, b_name="b"):
    """x from exact factor words ``exact`` (..., words) and right-hand sides b."""
    kernel = call.kernel
    if exact.shape[-1] != factor_words(n):
        raise ValueError(f"{kernel}: the factor's `exact` words have {exact.shape[-1]} entries, "
                         f"an exact factor of an {n}x{n} matrix has {factor_words(n)}")
    b3, batch, out_shape = _rhs(kernel, exact.shape[:-1] + (n, n), b)
    k = b3.shape[-1]
    x = np.empty(batch + (n, k), np.int32)
    call.run(kernels.solve_exact, batch, (n, k),
             np.broadcast_to(exact, batch + exact.shape[-1:]), n, b3, x)
    return x.reshape(out_shape if b.ndim > 1 else batch + (n,))


def lu_solve(backend, lu_and_piv, b, rounding="nearest", overflow="saturate",
             check_finite=False):
    if backend == "q16":
        exact = _exact_of("q16.lu_solve", lu_and_piv, LUFactor, "q16.lu_factor")
        lu = lu_and_piv[0]
        call = _Call(backend, "lu_solve", (lu, b), rounding, overflow, check_finite, ("lu", "b"))
        n = square(call.kernel, call.operands[0], "lu")
        return _solve_exact(call, exact, n, call.operands[1])
    lu, piv = lu_and_piv
    call = _Call(backend, "lu_solve", (lu, b), rounding, overflow, check_finite, ("lu", "b"))
    kernel, (lu, b) = call.kernel, call.operands
    n = square(kernel, lu, "lu")
    piv = arrays.operand(kernel, "piv", piv)
    if piv.dtype.kind not in "iu" or piv.shape[-1:] != (n,):
        raise ValueError(f"{kernel}: piv must be integers of shape (..., {n}), got "
                         f"{piv.dtype} {piv.shape}")
    b3, batch, _ = _rhs(kernel, lu.shape, b)
    try:
        batch = arrays.broadcast_shapes(batch, piv.shape[:-1])
    except ValueError:
        raise ValueError(f"{kernel}: piv of shape {piv.shape} does not broadcast with "
                         f"lu {lu.shape} and b {b.shape}") from None
    k = b3.shape[-1]
    arrays.result_dims(kernel, batch + (n, k))
    x = np.empty(batch + (n, k), call.dtype)
    call.run(kernels.lu_solve, batch, (n, k), np.broadcast_to(lu, batch + (n, n)),
             np.broadcast_to(np.ascontiguousarray(piv, np.int32), batch + (n,)),
             np.broadcast_to(b3, batch + (n, k)), x)
    return x if b.ndim > 1 else x.reshape(batch + (n,))  # batch: with piv/perm broadcast


def solve(backend, a, b, assume_a, rounding="nearest", overflow="saturate", check_finite=False):
    kernel = f"{backend}.solve"
    if assume_a not in ("gen", "pos"):
        raise ValueError(f"{kernel}: assume_a must be 'gen' or 'pos', got {assume_a!r}")
    call = _Call(backend, "solve", (a, b), rounding, overflow, check_finite)
    a, b = call.operands
    n = square(kernel, a)
    if backend == "q16":
        _q16_size(kernel, n)
    b3, batch, out_shape = _rhs(kernel, a.shape, b)
    k = b3.shape[-1]
    x = np.empty(batch + (n, k), call.dtype)
    call.run(kernels.solve, batch, (n, k), np.broadcast_to(a, batch + (n, n)), b3, x,
             assume_a == "pos")
    return x.reshape(out_shape)


def cho_factor(backend, a, lower, pivot, rounding="nearest", overflow="saturate",
               check_finite=False):
    call = _Call(backend, "cho_factor", (a,), rounding, overflow, check_finite)
    lower = arrays.flag(call.kernel, "lower", lower)
    pivot = arrays.flag(call.kernel, "pivot", pivot)
    (a,) = call.operands
    n = square(call.kernel, a)
    batch = a.shape[:-2]
    q16 = backend == "q16"
    if q16:
        _q16_size(call.kernel, n)
    c = np.empty(a.shape, call.dtype)
    # the rank goes last (0 where nothing runs: n == 0)
    perm = np.zeros(batch + (n + 1,), np.int32) if pivot else None
    exact = np.empty(batch + (factor_words(n),), np.uint32) if q16 else None
    call.run(kernels.cho_factor, batch, (n, n), a, c, perm, exact, lower, exact=exact)
    parts = (c, lower) if not pivot else (c, lower, perm[..., :n].copy(), perm[..., n].copy())
    return ChoFactor(parts, exact) if q16 else parts


def _check_rank(kernel, factor, n, batch):
    """A pivoted factor of a semidefinite matrix (rank < n) has no solve."""
    rank = arrays.operand(kernel, "rank", factor[3])
    if np.any(rank < n):
        bad = np.flatnonzero(np.broadcast_to(rank < n, batch))
        raise status.batch_error(SingularMatrixError, kernel,
                                 f"the factor has rank < {n} (a semidefinite matrix)", bad, batch)


def cho_solve(backend, factor, b, rounding="nearest", overflow="saturate", check_finite=False):
    kernel = f"{backend}.cho_solve"
    if backend == "q16":
        exact = _exact_of(kernel, factor, ChoFactor, "q16.cho_factor")
    if len(factor) not in (2, 4):
        raise ValueError(f"{kernel}: expected (c, lower) or (c, lower, perm, rank) from "
                         f"cho_factor, got a tuple of {len(factor)}")
    c, lower = factor[0], arrays.flag(kernel, "lower", factor[1])
    call = _Call(backend, "cho_solve", (c, b), rounding, overflow, check_finite, ("c", "b"))
    c, b = call.operands
    n = square(kernel, c, "c")
    if len(factor) == 4:
        _check_rank(kernel, factor, n, c.shape[:-2])
    if backend == "q16":
        return _solve_exact(call, exact, n, b)
    b3, batch, _ = _rhs(kernel, c.shape, b)
    k = b3.shape[-1]
    perm = None
    if len(factor) == 4:
        perm = arrays.operand(kernel, "perm", factor[2])
        rows = perm.reshape((-1, n) if n and perm.shape[-1:] == (n,) else (0, 0))
        if perm.shape[-1:] != (n,) or not np.array_equal(  # 2-D: np.sort stops at 32 dims
                np.sort(rows, axis=-1), np.broadcast_to(np.arange(n), rows.shape)):
            raise ValueError(f"{kernel}: perm must be permutations of range({n}), got shape "
                             f"{perm.shape}")
        try:
            batch = arrays.broadcast_shapes(batch, perm.shape[:-1])
        except ValueError:
            raise ValueError(f"{kernel}: perm of shape {perm.shape} does not broadcast with "
                             f"c {c.shape} and b {b.shape}") from None
        arrays.result_dims(kernel, batch + (n, k))
        perm = np.broadcast_to(np.ascontiguousarray(perm, np.int32), batch + (n,))
    x = np.empty(batch + (n, k), call.dtype)
    call.run(kernels.cho_solve, batch, (n, k), np.broadcast_to(c, batch + (n, n)), perm,
             np.broadcast_to(b3, batch + (n, k)), x, lower)
    return x if b.ndim > 1 else x.reshape(batch + (n,))  # batch: with piv/perm broadcast


def det(backend, a, rounding="nearest", overflow="saturate", check_finite=False):
    call = _Call(backend, "det", (a,), rounding, overflow, check_finite)
    (a,) = call.operands
    n = square(call.kernel, a)
    if backend == "q16":
        _q16_size(call.kernel, n)
    d = np.empty(a.shape[:-2], call.dtype)
    call.run(kernels.det, a.shape[:-2], (), a, d)
    return arrays.scalar_or_array(d)


def inv(backend, a, rounding="nearest", overflow="saturate", check_finite=False):
    call = _Call(backend, "inv", (a,), rounding, overflow, check_finite)
    (a,) = call.operands
    n = square(call.kernel, a)
    if backend == "q16":
        _q16_size(call.kernel, n)
    out = np.empty(a.shape, call.dtype)
    call.run(kernels.inv, a.shape[:-2], (n, n), a, out)
    return out


def affine_inverse(backend, m, kind, rounding="nearest", overflow="saturate",
                   check_finite=False):
    kernel = f"{backend}.affine_inverse"
    if kind not in ("affine", "rigid"):
        raise ValueError(f"{kernel}: kind must be 'affine' or 'rigid', got {kind!r}")
    call = _Call(backend, "affine_inverse", (m,), rounding, overflow, check_finite, ("m",))
    (m,) = call.operands
    dim = square(kernel, m, "m")
    if dim not in (3, 4):
        raise ValueError(f"{kernel}: m must be (..., 4, 4) or (..., 3, 3) homogeneous, got "
                         f"shape {m.shape}")
    out = np.empty(m.shape, call.dtype)
    call.run(kernels.affine_inverse, m.shape[:-2], (dim, dim), m, out, kind == "rigid", n=dim)
    return out


def slogdet(backend, a):
    """``(sign, logabsdet)`` from the LU factor, as ``numpy.linalg.slogdet``.

    The log of ``|det|`` is the sum of the logs of ``|U_ii|``, so a
    determinant far outside the float range (1e-400, 1e400) still has its
    logarithm; an exactly singular matrix gives ``(0, -inf)`` instead of an
    error.  Float only: see the q16 module for why there is no Q16.16 twin.
    """
    call = _Call(backend, "slogdet", (a,), "nearest", "saturate")
    (a,) = call.operands
    n = square(call.kernel, a)
    batch = a.shape[:-2]
    lu = np.empty(a.shape, call.dtype)
    piv = np.empty(batch + (n,), np.int32)
    codes, _, _ = kernels.lu_factor(a, lu, piv, None, call.rnd, call.ovf, get_num_threads())
    codes = codes.reshape(batch)
    unexpected = (codes != status.S.AC_OK) & (codes != status.S.AC_STATUS_SINGULAR)
    if unexpected.any():  # nothing but singularity can stop a float LU; keep the one table
        status.check_items(call.kernel, np.where(unexpected, codes, 0), np.zeros(1, np.int64),
                           np.zeros(codes.size, np.int64), batch, (n, n), "saturate")
    diag = np.diagonal(lu, axis1=-2, axis2=-1)
    swaps = np.count_nonzero(piv != np.arange(n, dtype=np.int32), axis=-1)
    # the logs are summed in float64 for float32 input too (one rounding to
    # float32 at the end instead of one per term)
    with np.errstate(divide="ignore"):  # log(0) = -inf where singular, overwritten below
        logabsdet = np.log(np.abs(diag.astype(np.float64))).sum(axis=-1)
    sign = np.where(swaps % 2, -1, 1) * np.prod(np.sign(diag), axis=-1)
    singular = codes == status.S.AC_STATUS_SINGULAR
    sign = np.where(singular, 0, sign).astype(call.dtype)
    logabsdet = np.where(singular, -np.inf, logabsdet).astype(call.dtype)
    return SlogdetResult(arrays.scalar_or_array(sign), arrays.scalar_or_array(logabsdet))


class SlogdetResult(NamedTuple):
    """``(sign, logabsdet)``, as ``numpy.linalg.slogdet`` returns them."""

    sign: np.ndarray
    logabsdet: np.ndarray
