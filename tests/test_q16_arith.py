"""mul, div, add, sub and sqrt are correctly rounded: exact equality with the
integer references in attncore.reference (0 LSB tolerance, since correct
rounding is the claim), over every edge pair, random samples and hypothesis."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import attncore.q16 as q16
from attncore import reference as ref
from attncore.errors import Q16OverflowError
from conftest import OVERFLOWS, ROUNDINGS, edge_pairs, random_q16

int32s = st.integers(min_value=q16.MIN, max_value=q16.MAX)
policies = st.sampled_from(ROUNDINGS), st.sampled_from(("saturate", "wrap"))

BINARY = {
    "mul": (q16.mul, ref.q16_mul, True),
    "div": (q16.div, ref.q16_div, True),
    "add": (q16.add, ref.q16_add, False),
    "sub": (q16.sub, ref.q16_sub, False),
}


def call(pair, a, b, rounding, overflow):
    fn, twin, rounds = pair
    if rounds:
        return fn(a, b, rounding=rounding, overflow=overflow), twin(a, b, rounding, overflow)
    return fn(a, b, overflow=overflow), twin(a, b, overflow)


@pytest.mark.parametrize("name", sorted(BINARY))
@pytest.mark.parametrize("rounding", ROUNDINGS)
@pytest.mark.parametrize("overflow", ("saturate", "wrap"))
def test_binary_edges_and_random_match_reference(name, rounding, overflow, rng):
    ea, eb = edge_pairs()
    ra, rb = random_q16(rng, 40_000), random_q16(rng, 40_000)
    a, b = np.concatenate([ea, ra]), np.concatenate([eb, rb])
    got, want = call(BINARY[name], a, b, rounding, overflow)
    bad = np.flatnonzero(got != want)
    assert bad.size == 0, f"{name}: first mismatch a={a[bad[0]]} b={b[bad[0]]} got={got[bad[0]]} want={want[bad[0]]}"


@pytest.mark.parametrize("name", sorted(BINARY))
@pytest.mark.parametrize("rounding", ROUNDINGS)
def test_raise_agrees_with_reference_on_when(name, rounding):
    ea, eb = edge_pairs()
    for a, b in zip(ea, eb):
        try:
            want = call(BINARY[name], np.int32(a), np.int32(b), rounding, "saturate")[1]
            want_exc = None
            call(BINARY[name], np.int32(a), np.int32(b), rounding, "raise")
        except (Q16OverflowError, ZeroDivisionError) as exc:
            want_exc = type(exc)
        fn = BINARY[name][0]
        kwargs = {"rounding": rounding} if BINARY[name][2] else {}
        if want_exc is None:
            assert fn(np.int32(a), np.int32(b), overflow="raise", **kwargs) == want
        else:
            with pytest.raises(want_exc):
                fn(np.int32(a), np.int32(b), overflow="raise", **kwargs)


def exact_mul_int64(a, b, rounding):
    """Second exact reference, vectorized: the product fits int64, >> floors."""
    p = a.astype(np.int64) * b
    q = p >> 16
    if rounding == "nearest":
        rem = p & 0xFFFF
        q = q + ((rem > 0x8000) | ((rem == 0x8000) & (q & 1 == 1)))
    return np.clip(q, q16.MIN, q16.MAX).astype(np.int32)


def exact_div_int64(a, b, rounding):
    num = a.astype(np.int64) << 16
    den = b.astype(np.int64)
    sign = np.where(den < 0, -1, 1)
    num, den = num * sign, den * sign
    q, r = np.floor_divide(num, den), np.mod(num, den)
    if rounding == "nearest":
        q = q + ((2 * r > den) | ((2 * r == den) & (q & 1 == 1)))
    return np.clip(q, q16.MIN, q16.MAX).astype(np.int32)


@pytest.mark.parametrize("rounding", ROUNDINGS)
def test_mul_div_large_random_sample(rounding, rng):
    """Two million random pairs against a vectorized exact int64 reference."""
    a, b = random_q16(rng, 2_000_000), random_q16(rng, 2_000_000)
    np.testing.assert_array_equal(q16.mul(a, b, rounding=rounding), exact_mul_int64(a, b, rounding))
    b = np.where(b == 0, 1, b).astype(np.int32)
    np.testing.assert_array_equal(q16.div(a, b, rounding=rounding), exact_div_int64(a, b, rounding))


@settings(max_examples=400, deadline=None)
@given(int32s, int32s, *policies)
def test_mul_property(a, b, rounding, overflow):
    got = q16.mul(np.int32(a), np.int32(b), rounding=rounding, overflow=overflow)
    assert got == ref.q16_mul(a, b, rounding, overflow)


@settings(max_examples=400, deadline=None)
@given(int32s, int32s, *policies)
def test_div_property(a, b, rounding, overflow):
    got = q16.div(np.int32(a), np.int32(b), rounding=rounding, overflow=overflow)
    assert got == ref.q16_div(a, b, rounding, overflow)


@settings(max_examples=200, deadline=None)
@given(st.integers(-(1 << 12), 1 << 12), st.sampled_from([1, 3, 5, 7, -1, -3]))
def test_mul_exact_ties(k, odd):
    """a * b / 2**16 with an exact half: k * 2**15 * odd raw products."""
    a, b = np.int32(odd), np.int32((2 * k + 1) << 15 if abs(k) < (1 << 14) else 1 << 15)
    got = q16.mul(a, b)
    assert got == ref.q16_mul(int(a), int(b))
    assert got % 2 == 0 or (int(a) * int(b)) % (1 << 16) != 1 << 15


def test_mul_ties_go_to_even():
    half = np.int32(1 << 15)  # 0.5 real; raw * 0.5 is a tie for odd raw
    odd = np.array([1, 3, 5, -1, -3, -5], dtype=np.int32)
    np.testing.assert_array_equal(q16.mul(odd, half), [0, 2, 2, 0, -2, -2])
    np.testing.assert_array_equal(q16.mul(odd, half, rounding="floor"), [0, 1, 2, -1, -2, -3])


def test_div_by_zero_policies():
    a = np.array([q16.ONE, -q16.ONE, 0], dtype=np.int32)
    z = np.zeros(3, dtype=np.int32)
    np.testing.assert_array_equal(q16.div(a, z), [q16.MAX, q16.MIN, 0])
    with pytest.raises(ZeroDivisionError, match=r"q16.div: division by zero at index \(0,\)"):
        q16.div(a, z, overflow="raise")
    with pytest.raises(ZeroDivisionError, match=r"index \(0,\) \(raw a=0, b=0\)"):
        q16.div(a[2:], z[2:], overflow="raise")  # 0/0 raises too


def test_overflow_policies_on_mul():
    big = np.int32(200 << 16)  # 200 * 200 = 40000 > 32767
    assert q16.mul(big, big) == q16.MAX
    assert q16.mul(big, -big) == q16.MIN
    assert q16.mul(big, big, overflow="wrap") == np.int32(np.int64(40000 << 16) - (1 << 32))
    pair = np.array([q16.ONE, big], dtype=np.int32)
    with pytest.raises(Q16OverflowError) as info:
        q16.mul(pair, pair, overflow="raise")
    assert info.value.kernel == "q16.mul" and info.value.index == (1,)
    assert isinstance(info.value, OverflowError)


@pytest.mark.parametrize("rounding", ROUNDINGS)
def test_sqrt_edges_and_random(rounding, rng):
    a = np.concatenate([np.arange(0, 5000, dtype=np.int32),
                        q16.MAX - np.arange(0, 5000, dtype=np.int32),
                        np.abs(random_q16(rng, 30_000)).astype(np.int32)])
    a = np.where(a < 0, 0, a).astype(np.int32)
    np.testing.assert_array_equal(q16.sqrt(a, rounding=rounding), ref.q16_sqrt(a, rounding))


def test_sqrt_large_sample_by_inequalities(rng):
    """sqrt(n) rounded to s iff (2s-1)^2 <= 4n < (2s+1)^2, n = a * 2**16."""
    a = rng.integers(0, q16.MAX, size=2_000_000, endpoint=True, dtype=np.int64)
    s = q16.sqrt(a.astype(np.int32)).astype(np.int64)
    n4 = a << 18
    assert np.all((2 * s - 1) ** 2 <= n4) and np.all(n4 < (2 * s + 1) ** 2)
    f = q16.sqrt(a.astype(np.int32), rounding="floor").astype(np.int64)
    assert np.all(f * f <= a << 16) and np.all((f + 1) ** 2 > a << 16)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, q16.MAX), st.sampled_from(ROUNDINGS))
def test_sqrt_property(a, rounding):
    assert q16.sqrt(np.int32(a), rounding=rounding) == ref.q16_sqrt(a, rounding)


def test_sqrt_exact_squares_and_negative():
    x = np.array([0, 1, 4, 9, 1 << 14], dtype=np.int64)
    np.testing.assert_array_equal(q16.sqrt((x << 16).astype(np.int32)),
                                  (np.sqrt(x).astype(np.int64) << 16).astype(np.int32))
    with pytest.raises(ValueError, match=r"q16.sqrt: sqrt of a negative number at index \(1,\) \(raw a=-1\)"):
        q16.sqrt(np.array([4, -1, -2], dtype=np.int32))
