"""Code a user writes against attncore's public API.

tests/test_typing.py checks it twice: statically with ``mypy --strict``
against the package's stubs, and at run time, where ``kind`` asserts that
each result really is what the stubs declare (stubtest compares parameters,
not return types)."""
import warnings
from collections import Counter
from typing import Any, Literal, TypeVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

import attncore
import attncore.dask as ad
from attncore import fp, q16, reference
from attncore.errors import Location, Q16OverflowError, located, relocated
from attncore.saturation import SaturationCounts, count_saturations, errstate

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
    pad = np.array([False, False, True])                 # True marks a padding key
    padded = kind(attncore.multi_head_attention(x, x, x, w, w, w, w, 2, key_padding_mask=pad,
                                                attn_mask=~np.tril(np.ones((3, 3), bool))),
                  np.ndarray, "f")
    # grouped-query attention: 4 query heads share 2 key/value heads
    gq, gkv = np.ones((1, 4, 3, 4)), np.ones((1, 2, 3, 4))
    gqa: NDArray[np.floating[Any]] = kind(
        fp.scaled_dot_product_attention(gq, gkv, gkv, enable_gqa=True), np.ndarray, "f")
    gqa_out, gqa_weights = fp.scaled_dot_product_attention(gq, gkv, gkv, enable_gqa=True,
                                                           return_weights=True)
    kind(gqa_out, np.ndarray, "f"), kind(gqa_weights, np.ndarray, "f")
    sign, logabsdet = kind(fp.slogdet(np.eye(3) * 1e-200), tuple)
    kind(sign, ARRAY_OR_SCALAR, "f"), kind(logabsdet, ARRAY_OR_SCALAR, "f")
    batched = attncore.slogdet(np.stack([np.eye(2), -np.eye(3)[:2, :2]]))
    signs: NDArray[np.floating[Any]] | np.floating[Any] = kind(batched.sign, np.ndarray, "f")
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
    return float(p.sum() + single.sum() + mha.sum() + padded.sum() + gqa.sum() + np.sum(signs)
                 + np.sum(batched.logabsdet) + x1.sum() + x2.sum() + x3.sum()
                 + m.sum() + fp.inv(np.eye(2)).sum() + np.sum(d) + np.sum(dot) + previous)


def fixed_point(values: list[float]) -> NDArray[np.int32]:
    with errstate(saturation="ignore"):                 # 40000.0 is clamped on purpose
        raw = kind(q16.from_float(values, rounding="floor", overflow="saturate"), np.ndarray,
                   "i4")
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
        hint: str = loc.hint
        total += len(where) + loc.more + len(hint)
    big = q16.from_float([300.0, 1.0])
    with q16.errstate(saturation="raise") as state:      # as numpy.errstate
        mode: Literal["ignore", "warn", "raise"] = state.saturation
        try:
            q16.mul(big, big)
        except attncore.Q16OverflowError as exc:
            total += len(exc.kernel)
        else:
            raise AssertionError("errstate(saturation='raise') did not raise")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        q16.mul(big, big)                               # "warn", the default
    warned = kind(caught[0].message, attncore.Q16SaturationWarning)
    assert isinstance(warned, attncore.Q16SaturationWarning)   # narrows Warning | str
    total += warned.count

    @errstate(saturation="ignore")
    def quiet(a: ArrayLike) -> NDArray[np.int32] | np.int32:
        return q16.mul(a, a)

    kind(quiet(big), np.ndarray, "i4")
    old = q16.seterr(saturation="ignore")
    assert q16.geterr()["saturation"] == "ignore" and mode == "raise"
    q16.seterr(**old)
    raw_scale: int = kind(q16.default_scale(64), int)  # raw; scale= takes the real number
    block = np.atleast_2d(y)
    att = kind(q16.scaled_dot_product_attention(block, block, block, scale=raw_scale / q16.ONE),
               np.ndarray, "i4")
    q_heads, kv_heads = q16.from_float(np.ones((4, 3, 2))), q16.from_float(np.ones((2, 3, 2)))
    kind(q16.scaled_dot_product_attention(q_heads, kv_heads, kv_heads, enable_gqa=True),
         np.ndarray, "i4")
    eye = q16.from_float(np.eye(2))
    kind(q16.multi_head_attention(block[:, :2], block[:, :2], block[:, :2], eye, eye, eye, eye, 1,
                                  key_padding_mask=np.zeros(block.shape[0], bool)),
         np.ndarray, "i4")
    spd = q16.from_float(np.array([[4.0, 2.0], [2.0, 5.0]]))
    rhs = q16.from_float(np.ones(2))
    # factor once, solve many: the solves take the factor objects, which
    # unpack as SciPy's tuples and carry the exact factor words
    factor: q16.LUFactor = kind(q16.lu_factor(spd, rounding="floor"), q16.LUFactor)
    lu, piv = factor
    kind(lu, np.ndarray, "i4"), kind(piv, np.ndarray, "i4"), kind(factor.exact, np.ndarray, "u4")
    by_lu = kind(q16.lu_solve(factor, rhs, overflow="raise"), np.ndarray, "i4")
    cho = kind(q16.cho_factor(spd), q16.ChoFactor)
    c, lower = cho
    kind(c, np.ndarray, "i4"), kind(lower, bool)
    solved = kind(q16.cho_solve(cho, rhs), np.ndarray, "i4")
    pivoted = q16.cho_factor(spd, pivot=True)
    cp, lp, perm, rank = pivoted
    kind(perm, np.ndarray, "i4"), kind(rank, np.ndarray, "i4")
    by_pivoted = kind(q16.cho_solve(pivoted, rhs), np.ndarray, "i4")
    assert (by_lu == solved).all() and (by_pivoted == solved).all()  # the same exact bits
    back: NDArray[np.float64] | np.float64 = kind(q16.to_float(att), np.ndarray, "f")
    kind(q16.exp(one), np.int32), kind(q16.det(q16.from_float(np.eye(2))), np.int32)
    _ = (total, back, q16.ONE, q16.EPS, q16.MIN, q16.MAX, q16.FRAC_BITS)
    return solved


def oracle_and_errors() -> str:
    exact = reference.q16_mul(3, 5, rounding="floor")
    exc = kind(located(attncore.SingularMatrixError, "fp.solve", "singular matrix", [(3,)],
                       where="batch index"), attncore.SingularMatrixError)
    advised = kind(located(Q16OverflowError, "q16.det", "out of range", [(0,)],
                           hint="scale the matrix down"), Q16OverflowError)
    assert advised.attncore_location.hint == "scale the matrix down"
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
    sign, logabsdet = kind(ad.slogdet(a), tuple)
    kind(sign, da.Array), kind(ad.fp.slogdet(a).logabsdet, da.Array)
    q, kv = da.ones((n, 4, 3, 2)), da.ones((n, 2, 3, 2))
    kind(ad.scaled_dot_product_attention(q, kv, kv, enable_gqa=True), da.Array)
    x, w = da.ones((n, 3, 4)), np.eye(4)
    xq, wq = ad.q16.from_float(x), q16.from_float(w)
    kind(ad.q16.multi_head_attention(xq, xq, xq, wq, wq, wq, wq, 2,
                                     key_padding_mask=da.zeros((n, 3), dtype=bool)), da.Array)
    return (inv, ad.q16.solve(raw, raw), ad.fp.softmax(a, axis=-1), ad.CHUNK_LIMIT_KEY)


def run_all() -> None:
    float_backend(np.ones((2, 3, 4), np.float32))
    fixed_point([1.5, 2.0, 40000.0])
    oracle_and_errors()
    lazy(2000)
