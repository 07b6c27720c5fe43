"""The linear-algebra functions of both backends: shape rules (NumPy 2
``linalg.solve`` for right-hand sides), batching, and turning the per-item
statuses of the C core into exceptions that name the batch indices.

Each public function of :mod:`attncore.fp` / :mod:`attncore.q16` calls one
function here with a :class:`Arith` describing its arithmetic.
"""
from typing import Callable, NamedTuple

import numpy as np

from attncore._kernels import linalg as _linalg
from attncore.errors import (NotPositiveDefiniteError, Q16OverflowError, SingularMatrixError,
                             located)
from attncore.saturation import record
from attncore.threads import get_num_threads

# C status codes (attncore/status.h)
_RANGE, _DOMAIN, _SINGULAR, _NOT_PD = 1, 7, 4, 5


class Arith(NamedTuple):
    """One backend's arithmetic for the linear-algebra calls."""

    prefix: str                      # "fp" or "q16"
    convert: Callable                # (kernel, *arrays) -> (arrays, dtype, kind code)
    rounding: int = 0                # C codes (q16 only)
    overflow: int = 0
    overflow_name: str = "saturate"


def _batch_error(exc_type, kernel, text, items, batch):
    """The error naming the first five failing batch items (flat ``items``)."""
    found = [np.unravel_index(j, batch) if batch else () for j in items[:5]]
    return located(exc_type, kernel, text, found, where="batch index",
                   more=max(len(items) - 5, 0))


def _check(kernel, arith, status, events, first, batch, out_core_shape, what):
    bad = np.flatnonzero(status)
    if bad.size:
        codes = status[bad]
        for code, exc, text in ((_SINGULAR, SingularMatrixError,
                                 "singular matrix (zero pivot at working precision)"),
                                (_NOT_PD, NotPositiveDefiniteError,
                                 "matrix not positive definite (Cholesky pivot <= 0)"),
                                (_DOMAIN, ValueError, what)):
            hit = bad[codes == code]
            if hit.size:
                raise _batch_error(exc, kernel, text, hit, batch)
        item = int(bad[0])
        index = (np.unravel_index(item, batch) if batch else ()) + \
            (np.unravel_index(int(first[item]), out_core_shape) if out_core_shape else ())
        raise Q16OverflowError(kernel, tuple(int(i) for i in index))
    record(kernel, int(events.sum()), wrapped=arith.overflow_name == "wrap")


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
        batch = np.broadcast_shapes(a_shape[:-2], b.shape[:-2])
    except ValueError:
        raise ValueError(f"{kernel}: batch dims of a {a_shape} and b {b.shape} do not "
                         "broadcast") from None
    k = b.shape[-1]
    return np.broadcast_to(b, batch + (n, k)), batch, batch + (n, k)


def _run(kernel, arith, call, batch, out_core_shape, *args, what=""):
    status, events, first = call(*args, arith.rounding, arith.overflow, get_num_threads())
    _check(kernel, arith, status, events, first, batch, out_core_shape, what)


def lu_factor(arith, a):
    kernel = f"{arith.prefix}.lu_factor"
    (a,), dtype, kind = arith.convert(kernel, a)
    n = square(kernel, a)
    batch = a.shape[:-2]
    lu = np.empty(a.shape, dtype)
    piv = np.empty(batch + (n,), np.int32)
    _run(kernel, arith, _linalg.lu_factor, batch, (n, n), a, lu, piv)
    return lu, piv


def lu_solve(arith, lu_and_piv, b):
    kernel = f"{arith.prefix}.lu_solve"
    lu, piv = lu_and_piv
    (lu, b), dtype, kind = arith.convert(kernel, lu, b)
    n = square(kernel, lu, "lu")
    piv = np.asarray(piv)
    if piv.dtype.kind not in "iu" or piv.shape[-1:] != (n,):
        raise ValueError(f"{kernel}: piv must be integers of shape (..., {n}), got "
                         f"{piv.dtype} {piv.shape}")
    b3, batch, out_shape = _rhs(kernel, lu.shape, b)
    try:
        batch = np.broadcast_shapes(batch, piv.shape[:-1])
    except ValueError:
        raise ValueError(f"{kernel}: piv of shape {piv.shape} does not broadcast with "
                         f"lu {lu.shape} and b {b.shape}") from None
    k = b3.shape[-1]
    lu = np.broadcast_to(lu, batch + (n, n))
    piv = np.broadcast_to(np.ascontiguousarray(piv, np.int32), batch + (n,))
    b3 = np.broadcast_to(b3, batch + (n, k))
    x = np.empty(batch + (n, k), dtype)
    _run(kernel, arith, _linalg.lu_solve, batch, (n, k), lu, piv, b3, x,
         what="invalid pivot indices")
    return x.reshape(out_shape if b.ndim > 1 else batch + (n,))


def solve(arith, a, b, assume_a):
    kernel = f"{arith.prefix}.solve"
    if assume_a not in ("gen", "pos"):
        raise ValueError(f"{kernel}: assume_a must be 'gen' or 'pos', got {assume_a!r}")
    (a, b), dtype, kind = arith.convert(kernel, a, b)
    n = square(kernel, a)
    b3, batch, out_shape = _rhs(kernel, a.shape, b)
    k = b3.shape[-1]
    a = np.broadcast_to(a, batch + (n, n))
    x = np.empty(batch + (n, k), dtype)
    _run(kernel, arith, _linalg.solve, batch, (n, k), a, b3, x, assume_a == "pos")
    return x.reshape(out_shape)


def cho_factor(arith, a, lower, pivot):
    kernel = f"{arith.prefix}.cho_factor"
    (a,), dtype, kind = arith.convert(kernel, a)
    n = square(kernel, a)
    batch = a.shape[:-2]
    c = np.empty(a.shape, dtype)
    perm = np.empty(batch + (n + 1,), np.int32)  # the last entry carries the rank
    _run(kernel, arith, _linalg.cho_factor, batch, (n, n), a, c, perm if pivot else None,
         bool(lower))
    if not pivot:
        return c, bool(lower)
    return c, bool(lower), perm[..., :n].copy(), perm[..., n].copy()


def cho_solve(arith, factor, b):
    kernel = f"{arith.prefix}.cho_solve"
    if len(factor) not in (2, 4):
        raise ValueError(f"{kernel}: expected (c, lower) or (c, lower, perm, rank) from "
                         f"cho_factor, got a tuple of {len(factor)}")
    c, lower = factor[0], factor[1]
    (c, b), dtype, kind = arith.convert(kernel, c, b)
    n = square(kernel, c, "c")
    b3, batch, out_shape = _rhs(kernel, c.shape, b)
    k = b3.shape[-1]
    pivoted = len(factor) == 4
    perm = np.asarray(factor[2]) if pivoted else np.zeros(n, np.int32)
    if pivoted:
        rank = np.asarray(factor[3])
        if np.any(rank < n):
            bad = np.flatnonzero(np.broadcast_to(rank < n, c.shape[:-2]))
            raise _batch_error(SingularMatrixError, kernel,
                               f"the factor has rank < {n} (a semidefinite matrix)", bad,
                               c.shape[:-2])
        if perm.shape[-1:] != (n,) or not np.array_equal(np.sort(perm, axis=-1),
                                                          np.broadcast_to(np.arange(n),
                                                                          perm.shape)):
            raise ValueError(f"{kernel}: perm must be permutations of range({n}), got shape "
                             f"{perm.shape}")
        try:
            batch = np.broadcast_shapes(batch, perm.shape[:-1])
        except ValueError:
            raise ValueError(f"{kernel}: perm of shape {perm.shape} does not broadcast with "
                             f"c {c.shape} and b {b.shape}") from None
    c = np.broadcast_to(c, batch + (n, n))
    perm = np.broadcast_to(np.ascontiguousarray(perm, np.int32), batch + (n,))
    b3 = np.broadcast_to(b3, batch + (n, k))
    x = np.empty(batch + (n, k), dtype)
    _run(kernel, arith, _linalg.cho_solve, batch, (n, k), c, perm if pivoted else None, b3, x,
         bool(lower))
    return x.reshape(out_shape if b.ndim > 1 else batch + (n,))


def det(arith, a):
    kernel = f"{arith.prefix}.det"
    (a,), dtype, kind = arith.convert(kernel, a)
    n = square(kernel, a)
    batch = a.shape[:-2]
    d = np.empty(batch, dtype)
    _run(kernel, arith, _linalg.det, batch, (), a, d)
    return d[()] if d.ndim == 0 else d


def inv(arith, a):
    kernel = f"{arith.prefix}.inv"
    (a,), dtype, kind = arith.convert(kernel, a)
    n = square(kernel, a)
    batch = a.shape[:-2]
    out = np.empty(a.shape, dtype)
    _run(kernel, arith, _linalg.inv, batch, (n, n), a, out)
    return out


def affine_inverse(arith, m, kind_name):
    kernel = f"{arith.prefix}.affine_inverse"
    if kind_name not in ("affine", "rigid"):
        raise ValueError(f"{kernel}: kind must be 'affine' or 'rigid', got {kind_name!r}")
    (m,), dtype, kind = arith.convert(kernel, m)
    dim = square(kernel, m, "m")
    if dim not in (3, 4):
        raise ValueError(f"{kernel}: m must be (..., 4, 4) or (..., 3, 3) homogeneous, got "
                         f"shape {m.shape}")
    batch = m.shape[:-2]
    out = np.empty(m.shape, dtype)
    _run(kernel, arith, _linalg.affine_inverse, batch, (dim, dim), m, out, kind_name == "rigid",
         what=f"bottom row is not [0 ... 0 1] (required of a homogeneous {dim}x{dim} matrix)")
    return out
