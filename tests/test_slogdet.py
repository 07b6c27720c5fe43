"""fp.slogdet: NumPy's semantics (sign, logabsdet), batched, from the LU;
determinants far outside the float range; checked against np.linalg.slogdet
and against exact integer determinants (Python ints) scaled by powers of 2."""
import math
from fractions import Fraction

import numpy as np
import pytest

import attncore
from attncore import fp, q16


def _exact_det(m):
    """Exact determinant of an integer matrix (Fractions, elimination)."""
    rows = [[Fraction(int(x)) for x in row] for row in m]
    n, det = len(rows), Fraction(1)
    for c in range(n):
        p = next((i for i in range(c, n) if rows[i][c] != 0), None)
        if p is None:
            return 0
        if p != c:
            rows[c], rows[p] = rows[p], rows[c]
            det = -det
        det *= rows[c][c]
        for i in range(c + 1, n):
            f = rows[i][c] / rows[c][c]
            rows[i] = [x - f * y for x, y in zip(rows[i], rows[c])]
    return det


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 8])
@pytest.mark.parametrize("batch", [(), (7,), (2, 3), (0,)])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_matches_numpy(rng, n, batch, dtype):
    a = rng.standard_normal(batch + (n, n)).astype(dtype)
    sign, logabsdet = fp.slogdet(a)
    want = np.linalg.slogdet(a)
    assert sign.dtype == logabsdet.dtype == want.logabsdet.dtype == dtype
    assert np.shape(sign) == np.shape(logabsdet) == batch
    np.testing.assert_array_equal(sign, want.sign)
    # two LU orders on random (cond ~ 10..1e3) matrices: a few hundred ulp of
    # the log at most, stated as an absolute bound on log|det|
    tol = 1e-11 if dtype == np.float64 else 2e-3
    np.testing.assert_allclose(logabsdet, want.logabsdet, rtol=0, atol=tol)


@pytest.mark.parametrize("scale_exp", [-700, -300, 0, 300, 700])
def test_exact_integer_determinants_far_outside_the_float_range(rng, scale_exp):
    for n in (2, 3, 4, 6):
        ints = rng.integers(-9, 10, size=(20, n, n))
        a = np.ldexp(ints.astype(np.float64), scale_exp)        # exact: a power of 2
        sign, logabsdet = fp.slogdet(a)
        for i, m in enumerate(ints):
            det = _exact_det(m)
            if det == 0:
                continue                                         # rounding may not see it
            assert sign[i] == (1 if det > 0 else -1)
            # log|det(a)| = log|det(ints)| + n * scale_exp * ln 2, from Python
            # integers (math.log of a Fraction's parts is exact to a few ulp)
            exact = (math.log(abs(det.numerator)) - math.log(det.denominator)
                     + n * scale_exp * math.log(2))
            # relative error of the LU determinant <= ~n * cond * eps; cond of
            # these matrices stays below 1e4, and |exact| is up to 3000
            assert abs(logabsdet[i] - exact) <= 1e-10 * max(1.0, abs(exact)), (m, det)
        assert np.isfinite(logabsdet[sign != 0]).all()
        if abs(n * scale_exp) >= 1100:                           # |det| beyond 2**+-1074:
            d = np.linalg.det(a)[sign != 0]                      # det itself is lost
            assert (np.isinf(d) | (d == 0)).all()


def test_singular_and_special_inputs():
    dup = np.array([[1.0, 2.0, 3.0], [1.0, 2.0, 3.0], [0.0, 1.0, 5.0]])  # exactly singular
    assert tuple(map(float, fp.slogdet(dup))) == (0.0, -np.inf)
    assert tuple(map(float, fp.slogdet(np.zeros((2, 2))))) == (0.0, -np.inf)
    assert tuple(map(float, fp.slogdet(np.zeros((0, 0))))) == (1.0, 0.0)  # empty: det 1
    batch = np.stack([dup, np.eye(3) * -2.0])
    sign, logabsdet = fp.slogdet(batch)                    # a singular item raises nothing
    assert sign.tolist() == [0.0, -1.0] and logabsdet[0] == -np.inf
    assert logabsdet[1] == pytest.approx(3 * math.log(2), abs=1e-15)
    sign, logabsdet = fp.slogdet([[np.nan, 1.0], [1.0, 1.0]])
    assert np.isnan(sign) and np.isnan(logabsdet)
    result = fp.slogdet(np.eye(2))
    assert result.sign == 1.0 and result.logabsdet == 0.0      # a named tuple, as NumPy's
    assert attncore.slogdet is fp.slogdet
    with pytest.raises(ValueError, match="square"):
        fp.slogdet(np.ones((2, 3)))
    with pytest.raises(TypeError):
        fp.slogdet(np.eye(2) * 1j)


def test_q16_has_no_slogdet_and_says_why():
    assert "slogdet" not in q16.__all__
    with pytest.raises(AttributeError, match=r"attncore.fp.slogdet\(q16.to_float\(a\)\)"):
        q16.slogdet
    # the documented replacement: exact conversion, then float64
    a = q16.from_float([[2.0, 1.0], [1.0, 3.0]])
    assert fp.slogdet(q16.to_float(a)).logabsdet == pytest.approx(math.log(5.0), abs=1e-15)


def test_dask_slogdet_equals_in_memory(rng):
    da = pytest.importorskip("dask.array")
    import attncore.dask as ad

    a = rng.standard_normal((10, 3, 3))
    lazy = ad.slogdet(da.from_array(a, chunks=(4, 3, 3)))
    want = fp.slogdet(a)
    np.testing.assert_array_equal(lazy.sign.compute(), want.sign)
    np.testing.assert_array_equal(lazy.logabsdet.compute(), want.logabsdet)
    assert not hasattr(ad.q16, "slogdet")
