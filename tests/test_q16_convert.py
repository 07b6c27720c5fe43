"""from_float / to_float: ties to even, saturation, raise, wrap, NaN, and the
exact round trip of every representable value (0 LSB: conversion is exact
or correctly rounded by contract)."""
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import attncore
import attncore.q16 as q16
from attncore import reference as ref
from conftest import OVERFLOWS, ROUNDINGS

LSB = 2.0**-16


def test_ties_to_even_and_floor():
    x = np.array([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.25, -0.25]) * LSB
    np.testing.assert_array_equal(q16.from_float(x), [0, 2, 2, 0, -2, -2, 0, 0])
    np.testing.assert_array_equal(q16.from_float(x, rounding="floor"), [0, 1, 2, -1, -2, -3, 0, -1])


def test_saturation_raise_and_wrap():
    x = np.array([1.0, 32768.0, -32768.0, -32769.0, np.inf, -np.inf, 1e300])
    np.testing.assert_array_equal(
        q16.from_float(x), [q16.ONE, q16.MAX, q16.MIN, q16.MIN, q16.MAX, q16.MIN, q16.MAX])
    with q16.count_saturations() as sat:
        q16.from_float(x)
    assert sat.saturated["q16.from_float"] == 5
    with pytest.raises(attncore.Q16OverflowError, match=r"q16.from_float: .* at index \(1,\)"):
        q16.from_float(x, overflow="raise")
    assert q16.from_float(32768.0, overflow="wrap") == q16.MIN
    assert q16.from_float(65537.0, overflow="wrap") == q16.ONE
    assert q16.from_float(2.0**60 + 2.0**40, overflow="wrap") == 0
    assert q16.from_float(2.7e303, overflow="wrap") == 0  # x * 2**16 overflows double


def test_nan_and_infinite_wrap_are_value_errors():
    with pytest.raises(ValueError, match=r"NaN has no Q16.16 value at index \(1,\)"):
        q16.from_float([1.0, np.nan])
    with pytest.raises(ValueError, match="infinity"):
        q16.from_float([np.inf], overflow="wrap")


def test_input_dtypes():
    assert q16.from_float(np.float32(0.75)) == 49152
    assert q16.from_float(np.float16(-0.5)) == -32768
    np.testing.assert_array_equal(q16.from_float([1, -2, True]), [q16.ONE, -2 * q16.ONE, q16.ONE])
    big = np.array([2**63 + 5], dtype=np.uint64)
    assert q16.from_float(big)[0] == q16.MAX
    assert q16.from_float(big, overflow="wrap")[0] == 5 << 16
    assert q16.from_float(np.array([2**53 + 1]), overflow="wrap")[0] == 1 << 16  # exact for ints
    with pytest.raises(TypeError, match="complex128"):
        q16.from_float([1 + 2j])
    with pytest.raises(TypeError):
        q16.from_float(np.array([1.0], dtype=np.longdouble))


@pytest.mark.parametrize("rounding", ROUNDINGS)
@pytest.mark.parametrize("overflow", ("saturate", "wrap"))
def test_random_floats_match_exact_reference(rounding, overflow, rng):
    x = np.concatenate([
        rng.normal(scale=100.0, size=20_000),
        rng.uniform(-40000, 40000, size=5_000),
        (rng.integers(-10**6, 10**6, size=5_000) + 0.5) * LSB,  # exact ties
        rng.normal(scale=1e-4, size=5_000),
    ])
    np.testing.assert_array_equal(q16.from_float(x, rounding=rounding, overflow=overflow),
                                  ref.q16_from_float(x, rounding, overflow))


@settings(max_examples=300, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False, width=64),
       st.sampled_from(ROUNDINGS), st.sampled_from(OVERFLOWS))
def test_from_float_property(x, rounding, overflow):
    try:
        want = ref.q16_from_float(x, rounding, overflow)
    except attncore.Q16OverflowError:
        with pytest.raises(attncore.Q16OverflowError):
            q16.from_float(x, rounding=rounding, overflow=overflow)
        return
    assert q16.from_float(x, rounding=rounding, overflow=overflow) == want


def test_round_trip_every_representable_value_in_blocks():
    """All 2**32 raw values, in blocks: to_float is exact and from_float inverts it."""
    step = 1 << 22  # blocks that stay in cache
    offsets = np.arange(step, dtype=np.int64)

    def first_mismatch(start):
        raw = (start + offsets).astype(np.int32)
        back = q16.from_float(q16.to_float(raw), overflow="raise")
        bad = np.flatnonzero(back != raw)
        return None if bad.size == 0 else (raw[bad[0]], back[bad[0]])

    # the kernels release the GIL, so two threads use both cores
    with ThreadPoolExecutor(max_workers=2) as pool:
        found = [m for m in pool.map(first_mismatch, range(q16.MIN, q16.MAX, step)) if m]
    assert not found, f"raw {found[0][0]} came back as {found[0][1]}"
    np.testing.assert_array_equal(q16.to_float(np.array([q16.MIN, q16.MAX], dtype=np.int32)),
                                  [-32768.0, 32768.0 - LSB])


def test_to_float_is_exact_division():
    raw = np.array([1, -1, 3, q16.ONE], dtype=np.int32)
    np.testing.assert_array_equal(q16.to_float(raw), ref.q16_to_float(raw))
    assert q16.to_float(np.int32(1)) == LSB
    with pytest.raises(TypeError, match="q16.from_float"):
        q16.to_float(np.array([1.0]))


@settings(max_examples=100, deadline=None)
@given(hnp.arrays(np.float32, hnp.array_shapes(max_dims=3, max_side=5),
                  elements=st.floats(-1e5, 1e5, width=32)))
def test_from_float_keeps_shape_and_float32_values(x):
    got = q16.from_float(x)
    assert np.shape(got) == x.shape
    np.testing.assert_array_equal(got, ref.q16_from_float(x))
