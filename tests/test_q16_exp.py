"""q16.exp, exhaustively: every raw input from where exp rounds to 0 up to
where it saturates (and a margin on both sides).

Tolerance: the issue's bound is 1 LSB and the aim is correct rounding; the
test asserts correct rounding (exact equality with reference.q16_exp, which
decides near-ties with mpmath) and separately that the error against the
float64 value never exceeds 0.5 LSB + 2**-21 (float64's own error there)."""
import numpy as np
import pytest

import attncore
import attncore.q16 as q16
from attncore import reference as ref

# exp(x) * 2**16 < 1/2  <=>  x < -17 ln 2 ~ -11.78;  > MAX  <=>  x > ln 2**15
LOW = -(18 << 16)
HIGH = 11 << 16
ALL_INPUTS = np.arange(LOW, HIGH + 1, dtype=np.int32)


@pytest.mark.parametrize("rounding", ["nearest", "floor"])
def test_exp_exhaustive_correctly_rounded(rounding):
    got = q16.exp(ALL_INPUTS, rounding=rounding)
    want = ref.q16_exp(ALL_INPUTS, rounding)
    bad = np.flatnonzero(got != want)
    assert bad.size == 0, f"exp({ALL_INPUTS[bad[0]]}) = {got[bad[0]]}, want {want[bad[0]]}"


def test_exp_error_bound_in_lsb():
    got = q16.exp(ALL_INPUTS).astype(np.float64)
    exact = ref.q16_exp_exact(ALL_INPUTS)
    inside = exact < q16.MAX
    err = np.abs(got[inside] - exact[inside])
    assert err.max() <= 0.5 + 2.0**-21
    # the sweep covers the whole domain: below its first nonzero output the
    # exact value is under 1/2, and it ends past the first saturated one
    first_nonzero = np.flatnonzero(got > 0)[0]
    assert 0 < first_nonzero and exact[first_nonzero - 1] < 0.5 <= exact[first_nonzero]
    first_saturated = np.flatnonzero(got == q16.MAX)[0]
    assert exact[first_saturated] >= q16.MAX + 0.5 > exact[first_saturated - 1]


# The C exp's fast path computes 2**16 exp(a / 2**16) to within 2**-27 raw
# units (ext/src/q16/q16_scalar.c derives it); that decides the rounding of
# every input whose exact result is farther than that from a rounding
# boundary.
FAST_PATH_ERROR = 2.0**-27


def test_exp_rounding_margin_exceeds_the_fast_path_error():
    """No input of the domain (but 0, which is exact) has an exact result
    within FAST_PATH_ERROR of an integer (floor's boundaries) or an integer +
    1/2 (nearest's): distances from float64 where it is sure, from mpmath at
    128 bits where it is not."""
    import mpmath

    a = ALL_INPUTS[ALL_INPUTS != 0]
    v = ref.q16_exp_exact(a)
    frac = v - np.floor(v)
    dist = np.minimum(np.minimum(frac, 1.0 - frac), np.abs(frac - 0.5))
    unsure = np.flatnonzero(dist < 2.0**-19)  # float64's own error is below 2**-21 here
    margin = dist[dist >= 2.0**-19].min() - 2.0**-21
    with mpmath.workprec(128):
        for i in unsure:
            exact = mpmath.exp(mpmath.mpf(int(a[i])) / 65536) * 65536
            f = exact - mpmath.floor(exact)
            margin = min(margin, float(min(f, 1 - f, abs(f - mpmath.mpf(1) / 2))))
    assert margin > FAST_PATH_ERROR, margin


def test_exp_saturation_and_raise():
    x = np.array([0, q16.ONE, 11 << 16, q16.MAX], dtype=np.int32)
    y = q16.exp(x)
    assert y[0] == q16.ONE and y[2] == q16.MAX and y[3] == q16.MAX
    with q16.count_saturations() as sat:
        q16.exp(x)
    assert sat.saturated["q16.exp"] == 2
    with pytest.raises(attncore.Q16OverflowError, match=r"q16.exp: .* at index \(2,\)"):
        q16.exp(x, overflow="raise")
    with pytest.raises(ValueError, match="overflow must be one of"):
        q16.exp(x, overflow="wrap")


def test_exp_far_negative_is_zero():
    x = np.array([q16.MIN, -(1 << 30), LOW], dtype=np.int32)
    np.testing.assert_array_equal(q16.exp(x), 0)
