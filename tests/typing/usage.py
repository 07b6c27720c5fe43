"""Code a user writes against attncore's public API.

tests/test_typing.py checks it twice: statically with ``mypy --strict``
against the package's stubs, and at run time, where ``kind`` asserts that
each result really is what the stubs declare (stubtest compares parameters,
not return types)."""
from collections import Counter
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray

import attncore
import attncore.dask as ad
from attncore import fp, q16, reference
from attncore.errors import Location, Q16OverflowError, located, relocated
from attncore.saturation import SaturationCounts, count_saturations

T = TypeVar("T")


def kind(value: T, types: type | tuple[type, ...], dtype: str | None = None) -> T:
    """``value`` after asserting its runtime type (and NumPy dtype kind:
    ``"f"`` float, ``"i4"`` int32)."""
    assert isinstance(value, types), (type(value), types)
    if dtype is not None:
        got = np.asarray(value).dtype
        assert (got.kind == dtype) if len(dtype) == 1 else (got == np.dtype(dtype)), got
    return value


ARRAY_OR_SCALAR = (np.ndarray, np.generic)


def float_backend(x: NDArray[np.float32]) -> float:
    p: NDArray[np.floating[Any]] = kind(attncore.softmax(x, axis=-1, mask=x > 0), np.ndarray, "f")
    out, weights = fp.scaled_dot_product_attention(x, x, x, is_causal=True, return_weights=True)
    kind(out, np.ndarray, "f"), kind(weights, np.ndarray, "f")
    single = kind(fp.scaled_dot_product_attention(x, x, x, scale=0.5), np.ndarray, "f")
    w = np.eye(4, dtype=np.float32)
    mha = kind(fp.multi_head_attention(x, x, x, w, w, w, w, 2), np.ndarray, "f")
    lu, piv = kind(fp.lu_factor(np.eye(3)), tuple)
    kind(lu, np.ndarray, "f"), kind(piv, np.ndarray, "i4")
    c, lower = kind(fp.cho_factor(np.eye(3)), tuple)
    kind(c, np.ndarray, "f"), kind(lower, bool)
    cp, lp, perm, rank = kind(fp.cho_factor(np.eye(3), pivot=True), tuple)
    kind(perm, np.ndarray, "i4"), kind(rank, ARRAY_OR_SCALAR)
    x1 = kind(fp.lu_solve((lu, piv), np.ones(3)), np.ndarray, "f")
    x2 = kind(fp.cho_solve((c, lower), np.ones(3)), np.ndarray, "f")
    x3 = kind(fp.solve(np.eye(3), np.ones(3), assume_a="pos"), np.ndarray, "f")
    m = kind(fp.affine_inverse(np.eye(4), kind="rigid"), np.ndarray, "f")
    d = kind(fp.det(np.eye(2)), ARRAY_OR_SCALAR, "f")
    dot = kind(fp.matmul([1.0, 2.0], [3.0, 4.0]), ARRAY_OR_SCALAR, "f")
    previous: int = kind(attncore.set_num_threads(attncore.get_num_threads()), int)
    return float(p.sum() + single.sum() + mha.sum() + x1.sum() + x2.sum() + x3.sum()
                 + m.sum() + fp.inv(np.eye(2)).sum() + np.sum(d) + np.sum(dot) + previous)


def fixed_point(values: list[float]) -> NDArray[np.int32]:
    raw = kind(q16.from_float(values, rounding="floor", overflow="saturate"), np.ndarray, "i4")
    one = kind(q16.from_float(1.0), np.int32)
    with count_saturations() as sat:
        y = kind(q16.mul(raw, raw, overflow="wrap"), np.ndarray, "i4")
    counts: SaturationCounts = kind(sat, SaturationCounts)
    clamped: Counter[str] = counts.saturated
    total: int = kind(counts.total, int) + sum(clamped.values())
    try:
        q16.matmul(raw, raw, overflow="raise")
    except Q16OverflowError as exc:
        where: tuple[int, ...] = exc.index
        loc: Location = exc.attncore_location
        total += len(where) + loc.more
    raw_scale: int = kind(q16.default_scale(64), int)  # raw; scale= takes the real number
    block = np.atleast_2d(y)
    att = kind(q16.scaled_dot_product_attention(block, block, block, scale=raw_scale / q16.ONE),
               np.ndarray, "i4")
    c, lower = kind(q16.cho_factor(q16.from_float(np.eye(2))), tuple)
    solved = kind(q16.cho_solve((c, lower), q16.from_float(np.ones(2))), np.ndarray, "i4")
    back: NDArray[np.float64] | np.float64 = kind(q16.to_float(att), np.ndarray, "f")
    kind(q16.exp(one), np.int32), kind(q16.det(q16.from_float(np.eye(2))), np.int32)
    _ = (total, back, q16.ONE, q16.EPS, q16.MIN, q16.MAX, q16.FRAC_BITS)
    return solved


def oracle_and_errors() -> str:
    exact = reference.q16_mul(3, 5, rounding="floor")
    exc = kind(located(attncore.SingularMatrixError, "fp.solve", "singular matrix", [(3,)],
                       where="batch index"), attncore.SingularMatrixError)
    moved: attncore.SingularMatrixError = kind(relocated(exc, (1000,)),
                                               attncore.SingularMatrixError)
    return f"{exact} {moved} {reference.Q16_MAX}"


def lazy(n: int) -> object:
    import dask.array as da

    a = da.ones((n, 4, 4), chunks=(1000, 4, 4)) + np.eye(4)
    inv = kind(ad.affine_inverse(a), da.Array)
    raw = kind(ad.q16.from_float(a), da.Array)
    lu, piv = kind(ad.lu_factor(a), tuple)
    kind(lu, da.Array), kind(piv, da.Array)
    return (inv, ad.q16.solve(raw, raw), ad.fp.softmax(a, axis=-1), ad.CHUNK_LIMIT_KEY)


def run_all() -> None:
    float_backend(np.ones((2, 3, 4), np.float32))
    fixed_point([1.5, 2.0, 40000.0])
    oracle_and_errors()
    lazy(2000)
