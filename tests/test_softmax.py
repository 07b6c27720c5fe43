"""softmax / log_softmax (float) and q16.softmax.

Tolerances: float32 results against the float64 reference within 8 ulp of
float32 at 1.0 (exp and log are within 1 ulp, the sum of up to ~1000 terms
in float32 adds a few more relative to the largest probability); float64
within 1e-14.  Q16.16 against the exact (mpmath) softmax of the same raw
inputs: the kernel's documented bound is 0.5 LSB + (n + 1) * 2**-24 LSB,
and the tests assert exactly that bound."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import attncore
import attncore.q16 as q16
from attncore import reference as ref

F32_TOL = 8 * np.finfo(np.float32).eps
F64_TOL = 1e-14


def q16_bound(n):
    return 0.5 + (n + 1) * 2.0**-24


@settings(max_examples=120, deadline=None)
@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=6),
                  elements=st.floats(-50, 50)), st.data())
def test_float_softmax_matches_reference(x, data):
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    mask = data.draw(hnp.arrays(bool, x.shape)) if data.draw(st.booleans()) else None
    np.testing.assert_allclose(attncore.softmax(x, axis, mask=mask), ref.softmax(x, axis, mask),
                               atol=F64_TOL, rtol=0)
    got = attncore.log_softmax(x, axis, mask=mask)
    want = ref.log_softmax(x, axis, mask)
    assert np.array_equal(np.isneginf(got), np.isneginf(want))
    finite = np.isfinite(want)
    np.testing.assert_allclose(got[finite], want[finite], atol=1e-12, rtol=0)
    x32 = x.astype(np.float32)
    got32 = attncore.softmax(x32, axis, mask=mask)
    assert got32.dtype == np.float32
    np.testing.assert_allclose(got32, ref.softmax(x32, axis, mask), atol=F32_TOL, rtol=0)


def test_masks_fully_masked_rows_and_broadcast():
    x = np.arange(12.0).reshape(3, 4)
    mask = np.array([[True, False, True, False], [False] * 4, [True] * 4])
    p = attncore.softmax(x, mask=mask)
    assert np.all(p[mask == False] == 0.0) and np.all(p[1] == 0.0)  # noqa: E712
    np.testing.assert_allclose(p.sum(-1), [1.0, 0.0, 1.0])
    assert np.all(np.isneginf(attncore.log_softmax(x, mask=mask)[1]))
    causal = np.tril(np.ones((4, 4), bool))  # broadcast over a batch
    pb = attncore.softmax(np.zeros((2, 4, 4)), mask=causal)
    np.testing.assert_allclose(pb[0, 2], [1 / 3, 1 / 3, 1 / 3, 0.0])


def test_huge_logits_and_nan():
    for dtype in (np.float32, np.float64):
        x = np.array([1e4, 3e38, -3e38, 0.0], dtype=dtype)
        p = attncore.softmax(x)
        assert np.all(np.isfinite(p)) and p[1] == 1.0
        assert np.all(np.isfinite(attncore.log_softmax(np.array([1e4, -1e4], dtype))))
    p = attncore.softmax(np.array([[1.0, np.nan], [1.0, 2.0]]))
    assert np.all(np.isnan(p[0])) and np.all(np.isfinite(p[1]))


def test_dtype_rules_and_errors():
    assert attncore.softmax(np.ones(3, np.int64)).dtype == np.float64
    assert attncore.softmax(np.ones(3, np.float16)).dtype == np.float32
    with pytest.raises(TypeError, match="complex"):
        attncore.softmax(np.ones(3, complex))
    with pytest.raises(TypeError, match="mask must be a bool array"):
        attncore.softmax(np.ones(3), mask=np.ones(3))
    with pytest.raises(ValueError, match=r"mask of shape \(4,\) does not broadcast to x of shape \(2, 3\)"):
        attncore.softmax(np.ones((2, 3)), mask=np.ones(4, bool))
    with pytest.raises(np.exceptions.AxisError):
        attncore.softmax(np.ones((2, 3)), axis=2)
    assert attncore.softmax(np.float64(3.0)) == 1.0


# ---- Q16.16 --------------------------------------------------------------

def assert_within_bound(got, x, axis=-1, mask=None):
    exact = ref.q16_softmax_exact(x, axis, mask)
    err = np.abs(got.astype(np.float64) - exact)
    n = np.shape(x)[axis]
    assert err.max() <= q16_bound(n), err.max()
    return err


def test_q16_random_rows_within_bound(rng):
    x = q16.from_float(rng.normal(scale=3.0, size=(40, 33)))
    err = assert_within_bound(q16.softmax(x), x)
    assert err.mean() < 0.3


def test_q16_extreme_rows():
    rows = np.array([
        [q16.MIN, q16.MAX, 0, q16.MAX],            # differences of 2**32 - 1
        [q16.MIN, q16.MIN, q16.MIN, q16.MIN],      # all equal: exactly 1/4
        [q16.MAX, q16.MAX - 1, q16.MAX - 65536, q16.MIN],
        [0, 1, 2, 3],
        [-(20 << 16), 0, -(5 << 16), -(31 << 16)],
    ], dtype=np.int32)
    got = q16.softmax(rows)
    assert_within_bound(got, rows)
    np.testing.assert_array_equal(got[1], q16.ONE // 4)
    assert got[0, 0] == 0 and got[0, 1] == got[0, 3] == q16.ONE // 2


def test_q16_masks_axis_and_floor(rng):
    x = q16.from_float(rng.normal(scale=2.0, size=(6, 5, 7)))
    mask = rng.random((5, 7)) > 0.3
    mask[2] = False
    for axis in (0, 1, -1):
        m = mask if axis == -1 else None
        assert_within_bound(q16.softmax(x, axis, mask=m), x, axis, m)
    got = q16.softmax(x, mask=mask)
    assert np.all(got[:, 2] == 0) and np.all(got[:, mask == False] == 0)  # noqa: E712
    floor = q16.softmax(x, rounding="floor")
    exact = ref.q16_softmax_exact(x)
    assert np.all(floor <= exact + 1e-9) and np.all(exact - floor < 1 + 2.0**-20)


@settings(max_examples=60, deadline=None)
@given(hnp.arrays(np.int32, hnp.array_shapes(min_dims=1, max_dims=2, max_side=9),
                  elements=st.integers(q16.MIN, q16.MAX)))
def test_q16_property_any_int32_logits(x):
    assert_within_bound(q16.softmax(x), x)


def test_q16_errors():
    with pytest.raises(TypeError, match="q16.from_float"):
        q16.softmax(np.ones(3))
    with pytest.raises(TypeError, match="mask must be a bool"):
        q16.softmax(np.ones(3, np.int32), mask=np.ones(3, np.int32))


def test_thread_count_does_not_change_results(rng):
    x = rng.normal(size=(4000, 64)).astype(np.float32)
    qx = q16.from_float(x * 4)
    previous = attncore.get_num_threads()
    try:
        results = []
        for threads in (1, 2, 3):
            attncore.set_num_threads(threads)
            results.append((attncore.softmax(x), q16.softmax(qx)))
    finally:
        attncore.set_num_threads(previous)
    for fp_out, q_out in results[1:]:
        assert np.array_equal(fp_out, results[0][0])
        np.testing.assert_array_equal(q_out, results[0][1])


@pytest.mark.parametrize("shape", [(0, 5), (5, 0), (0,), (2, 0, 3)])
@pytest.mark.parametrize("axis", [0, -1])
def test_empty_arrays(shape, axis):
    assert attncore.softmax(np.zeros(shape), axis).shape == shape
    assert attncore.log_softmax(np.zeros(shape), axis).shape == shape
    assert q16.softmax(np.zeros(shape, np.int32), axis).shape == shape


def test_views_and_scalars():
    x = np.random.default_rng(1).random((6, 5))
    view = x[::2, ::-1]
    np.testing.assert_array_equal(attncore.softmax(view), attncore.softmax(view.copy()))
    assert q16.softmax(np.int32(7)) == q16.ONE
    np.testing.assert_allclose(attncore.softmax([1, 2, 3]), ref.softmax([1, 2, 3]), atol=1e-15)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n", [1, 3, 8, 32])
def test_many_short_rows_match_the_row_path(dtype, n, rng):
    # packed short rows take the many-rows kernel; a strided copy of the same
    # data takes the per-row kernel: same values, same NaN / inf handling
    x = rng.normal(scale=30, size=(3000, n)).astype(dtype)
    x[5, 0] = np.nan
    x[7] = -np.inf
    x[9, -1] = np.inf
    x[11, :] = 1e30
    packed = attncore.softmax(x)
    strided = np.empty((3000, 2 * n), dtype)[:, ::2]
    strided[...] = x
    per_row = attncore.softmax(strided)
    np.testing.assert_array_equal(np.isnan(packed), np.isnan(per_row))
    assert np.isnan(packed[[5, 7, 9]]).all()  # as NumPy's x - max would make them
    want = ref.softmax(x)
    ok = np.isfinite(x).all(-1)  # non-finite rows: the NaN pattern is asserted above
    tol = F32_TOL if dtype == np.float32 else F64_TOL
    assert np.abs(packed[ok] - want[ok]).max() <= tol
    assert np.abs(per_row[ok] - want[ok]).max() <= tol


def test_q16_row_longer_than_2_23_is_refused():
    x = np.broadcast_to(np.int32(0), (2**23 + 1,))  # one value, no memory
    with pytest.raises(ValueError, match=r"more than 2\*\*23 entries kept in a row"):
        q16.softmax(x)
