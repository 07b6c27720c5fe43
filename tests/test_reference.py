"""The oracle checked against independent exact arithmetic, so a bug in
attncore.reference cannot hide a bug in the kernels."""
from fractions import Fraction

import mpmath
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from attncore import reference as ref


@settings(max_examples=500, deadline=None)
@given(st.integers(-(1 << 70), 1 << 70), st.integers(1, 1 << 40).flatmap(
    lambda d: st.sampled_from([d, -d])))
def test_round_ratio_matches_fraction_rounding(num, den):
    exact = Fraction(num, den)
    assert ref.round_ratio(num, den, "floor") == exact.__floor__()
    assert ref.round_ratio(num, den, "nearest") == round(exact)  # Fraction rounds half to even


def test_fit_policies():
    assert ref.q16_fit(2**31, "saturate") == (2**31 - 1, True)
    assert ref.q16_fit(2**31, "wrap") == (-(2**31), True)
    assert ref.q16_fit(-(2**31) - 1, "wrap") == (2**31 - 1, True)
    assert ref.q16_fit(5, "raise") == (5, False)


def test_exp_reference_against_mpmath(rng):
    x = rng.integers(-(18 << 16), 11 << 16, size=3000)
    got = ref.q16_exp(x)
    with mpmath.workprec(120):
        want = [min(int(mpmath.nint(mpmath.exp(mpmath.mpf(int(v)) / 65536) * 65536)), 2**31 - 1)
                for v in x]
    np.testing.assert_array_equal(got, want)
