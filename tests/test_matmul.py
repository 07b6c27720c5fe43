"""matmul, float and Q16.16: np.matmul semantics, exactness, out=, errors.

Tolerances: Q16.16 is claimed correctly rounded, so it must equal the exact
reference bit for bit (0 LSB).  Float results are compared with the float64
product within the summation error bound k*u*(|a|@|b|) (reference.
matmul_error_bound), which any summation order satisfies."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import attncore
import attncore.q16 as q16
from attncore import reference as ref


def check_float(got, a, b):
    dtype = np.result_type(a, b) if np.result_type(a, b).kind == "f" else np.float64
    want = ref.matmul(a, b)
    bound = ref.matmul_error_bound(a, b, dtype)
    assert got.shape == want.shape
    assert np.all(np.abs(got - want) <= bound), np.max(np.abs(got - want) - bound)


# ---- shapes --------------------------------------------------------------

@st.composite
def matmul_pair(draw, dtype=np.float64, elements=st.floats(-10, 10)):
    m, k, n = (draw(st.integers(0, 5)) for _ in range(3))
    shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3))
    sa = shapes.input_shapes[0] + (m, k)
    sb = shapes.input_shapes[1] + (k, n)
    if draw(st.booleans()):
        sa = (k,)
    elif draw(st.booleans()):
        sb = (k,)
    a = draw(hnp.arrays(dtype, sa, elements=elements))
    b = draw(hnp.arrays(dtype, sb, elements=elements))
    return a, b


@settings(max_examples=200, deadline=None)
@given(matmul_pair())
def test_float_shapes_and_values_match_numpy(pair):
    a, b = pair
    got = attncore.matmul(a, b)
    want = np.matmul(a, b)
    assert np.shape(got) == np.shape(want)
    check_float(np.asarray(got), a, b)


int_elems = st.integers(q16.MIN, q16.MAX)


@settings(max_examples=150, deadline=None)
@given(matmul_pair(np.int32, int_elems), st.sampled_from(["nearest", "floor"]),
       st.sampled_from(["saturate", "wrap"]))
def test_q16_matches_exact_reference(pair, rounding, overflow):
    a, b = pair
    got = q16.matmul(a, b, rounding=rounding, overflow=overflow)
    want = ref.q16_matmul(a, b, rounding, overflow)
    assert np.shape(got) == np.shape(want)
    np.testing.assert_array_equal(got, want)


def test_one_d_promotion_and_removal():
    a, v = np.arange(6.0).reshape(2, 3), np.arange(3.0)
    assert attncore.matmul(v, v) == 5.0 and np.isscalar(attncore.matmul(v, v))
    assert attncore.matmul(a, v).shape == (2,)
    assert attncore.matmul(v, a.T).shape == (2,)
    assert attncore.matmul(np.ones((4, 2, 3)), v).shape == (4, 2)
    qv = q16.from_float(v)
    assert q16.matmul(qv, qv) == q16.from_float(5.0)


def test_zero_size_dims():
    np.testing.assert_array_equal(attncore.matmul(np.ones((2, 0)), np.ones((0, 3))), np.zeros((2, 3)))
    assert attncore.matmul(np.ones((0, 4)), np.ones((4, 3))).shape == (0, 3)
    assert attncore.matmul(np.ones((5, 0, 2, 4)), np.ones((4, 3))).shape == (5, 0, 2, 3)
    z = q16.matmul(np.ones((2, 0), np.int32), np.ones((0, 3), np.int32))
    np.testing.assert_array_equal(z, 0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_non_contiguous_and_fortran_views(dtype, rng):
    base = rng.standard_normal((6, 40, 40)).astype(dtype)
    views = [base[:, ::2, ::3], base.transpose(0, 2, 1), np.asfortranarray(base[0]),
             base[::-1, 5:9, 7:11], base[:, :, 3]]
    for a in views:
        b = np.swapaxes(a, -1, -2) if a.ndim > 1 else a
        check_float(attncore.matmul(a, b), a, b)
    qa = q16.from_float(base[:, ::2, ::3])
    np.testing.assert_array_equal(q16.matmul(qa, np.swapaxes(qa, -1, -2)),
                                  ref.q16_matmul(qa, np.swapaxes(qa, -1, -2)))


@pytest.mark.parametrize("shape_a, shape_b", [
    ((100, 4, 4), (100, 4, 4)), ((100, 4, 4), (100, 4, 1)), ((50, 3, 3), (3, 3)),
    ((7, 2, 2), (7, 2, 2)), ((9, 3, 3), (9, 3, 1)), ((8, 64, 48), (8, 48, 40)),
    ((130, 70), (70, 90)), ((3, 33, 34), (34, 35)),
])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fast_paths_and_gemm(shape_a, shape_b, dtype, rng):
    a = rng.standard_normal(shape_a).astype(dtype)
    b = rng.standard_normal(shape_b).astype(dtype)
    got = attncore.matmul(a, b)
    assert got.dtype == dtype
    check_float(got, a, b)


def test_dtype_rules():
    f32, f64 = np.ones((2, 2), np.float32), np.ones((2, 2))
    assert attncore.matmul(f32, f32).dtype == np.float32
    assert attncore.matmul(f32, f64).dtype == np.float64
    assert attncore.matmul(np.ones((2, 2), np.int64), f32).dtype == np.float64
    assert attncore.matmul(np.ones((2, 2), np.int32), np.ones((2, 2), np.int32)).dtype == np.float64
    assert attncore.matmul(np.ones((2, 2), np.float16), f32).dtype == np.float32
    assert attncore.matmul([[1, 2]], [[3], [4]]) == 11.0
    with pytest.raises(TypeError, match="complex"):
        attncore.matmul(np.ones((2, 2), complex), f64)


def test_nan_and_inf_propagate():
    a = np.array([[1.0, np.nan], [2.0, 3.0]])
    b = np.array([[np.inf, 0.0], [1.0, 1.0]])
    np.testing.assert_array_equal(np.isnan(attncore.matmul(a, b)), np.isnan(a @ b))
    np.testing.assert_array_equal(attncore.matmul(a[1:], b), a[1:] @ b)


# ---- Q16.16 exactness ------------------------------------------------------

def test_q16_partial_sums_beyond_int64():
    """MIN*MIN = 2**62: two such products already exceed int64; a third
    cancels.  The exact sum is representable after the shift only with a
    wide accumulator."""
    a = np.array([[q16.MIN, q16.MIN, q16.MIN, q16.MAX]], dtype=np.int32)
    b = np.array([[q16.MIN], [q16.MIN], [q16.MAX], [q16.MIN]], dtype=np.int32)
    for overflow in ("saturate", "wrap"):
        for rounding in ("nearest", "floor"):
            np.testing.assert_array_equal(q16.matmul(a, b, rounding=rounding, overflow=overflow),
                                          ref.q16_matmul(a, b, rounding, overflow))
    # exact cancellation: 2 * 2**62 (past int64) + 2 * MIN * MAX + 2**32 = 2**33,
    # i.e. exactly 2.0 once the partial sums come back
    a = np.array([[q16.MIN, q16.MIN, q16.MIN, q16.MIN, q16.ONE]], dtype=np.int32)
    b = np.array([[q16.MIN], [q16.MIN], [q16.MAX], [q16.MAX], [q16.ONE]], dtype=np.int32)
    assert q16.matmul(a, b, overflow="raise")[0, 0] == 2 * q16.ONE
    np.testing.assert_array_equal(q16.matmul(a, b), ref.q16_matmul(a, b))


def test_q16_full_range_random(rng):
    a = rng.integers(q16.MIN, q16.MAX, size=(20, 6, 9), endpoint=True).astype(np.int32)
    b = rng.integers(q16.MIN, q16.MAX, size=(20, 9, 5), endpoint=True).astype(np.int32)
    for overflow in ("saturate", "wrap"):
        np.testing.assert_array_equal(q16.matmul(a, b, overflow=overflow),
                                      ref.q16_matmul(a, b, "nearest", overflow))


def test_q16_ties_round_to_even():
    # 1 raw * 0.5 = a half LSB: dot products of odd counts of half-LSBs
    half = np.int32(1 << 15)
    a = np.array([[1, 1, 1]], dtype=np.int32)
    b = np.array([[half], [half], [half]], dtype=np.int32)   # 1.5 LSB -> 2
    assert q16.matmul(a, b)[0, 0] == 2
    assert q16.matmul(a[:, :1], b[:1])[0, 0] == 0             # 0.5 LSB -> 0
    assert q16.matmul(a[:, :1], b[:1], rounding="floor")[0, 0] == 0
    assert q16.matmul(-a[:, :1], b[:1], rounding="floor")[0, 0] == -1


def test_q16_typical_values_large(rng):
    a = q16.from_float(rng.uniform(-4, 4, (2, 70, 130)))
    b = q16.from_float(rng.uniform(-4, 4, (130, 65)))
    np.testing.assert_array_equal(q16.matmul(a, b), ref.q16_matmul(a, b))


def test_q16_saturation_count_and_raise():
    a = np.full((2, 3, 4), 100 << 16, dtype=np.int32)
    a[0] = q16.ONE
    b = np.full((4, 2), 100 << 16, dtype=np.int32)
    with q16.count_saturations() as sat:
        out = q16.matmul(a, b)
    assert sat.saturated["q16.matmul"] == 6 and np.all(out[1] == q16.MAX)
    with pytest.raises(attncore.Q16OverflowError, match=r"q16.matmul: .* at index \(1, 0, 0\)"):
        q16.matmul(a, b, overflow="raise")


# ---- out= and errors --------------------------------------------------------

def test_out_parameter():
    a, b = np.ones((3, 2, 4)), np.ones((4, 5))
    out = np.empty((3, 2, 5))
    assert attncore.matmul(a, b, out=out) is out
    np.testing.assert_array_equal(out, 4.0)
    vec_out = np.empty(2)
    attncore.matmul(a[0], np.ones(4), out=vec_out)
    np.testing.assert_array_equal(vec_out, 4.0)
    strided = np.empty((3, 2, 10))[:, :, ::2]
    attncore.matmul(a, b, out=strided)
    np.testing.assert_array_equal(strided, 4.0)


def test_out_aliasing_an_input():
    a = np.arange(16.0).reshape(4, 4)
    want = a @ a
    attncore.matmul(a, a, out=a)
    np.testing.assert_array_equal(a, want)
    q = q16.from_float(np.eye(3) * 2)
    q16.matmul(q, q, out=q)
    np.testing.assert_array_equal(q, q16.from_float(np.eye(3) * 4))


def test_bad_out_is_rejected_and_untouched():
    a, b = np.ones((2, 3)), np.ones((3, 4))
    out = np.full((2, 5), 7.0)
    with pytest.raises(ValueError, match=r"out has shape \(2, 5\), the result has shape \(2, 4\)"):
        attncore.matmul(a, b, out=out)
    out_int = np.full((2, 4), 7, np.int32)  # float -> int is not a same_kind cast
    with pytest.raises(TypeError, match=r"float64 result into `out` of dtype int32 .*same_kind"):
        attncore.matmul(a, b, out=out_int)
    np.testing.assert_array_equal(out, 7.0)
    np.testing.assert_array_equal(out_int, 7)
    with pytest.raises(TypeError, match="NumPy array"):
        attncore.matmul(a, b, out=[[0] * 4] * 2)


def test_q16_raise_leaves_out_untouched():
    a = np.array([[q16.ONE, 0], [0, 300 << 16]], dtype=np.int32)
    out = np.full((2, 2), 5, dtype=np.int32)
    with pytest.raises(attncore.Q16OverflowError):
        q16.matmul(a, a, overflow="raise", out=out)
    np.testing.assert_array_equal(out, 5)


@pytest.mark.parametrize("fn, conv", [(attncore.matmul, np.asarray), (q16.matmul, lambda x: np.asarray(x, np.int32))])
def test_shape_errors_name_both_shapes(fn, conv):
    with pytest.raises(ValueError, match=r"inner dimensions do not match: shapes \(2, 3\) and \(4, 5\)"):
        fn(conv(np.ones((2, 3))), conv(np.ones((4, 5))))
    with pytest.raises(ValueError, match=r"batch dimensions do not broadcast: shapes \(2, 1, 3\) and \(3, 3, 1\)"):
        fn(conv(np.ones((2, 1, 3))), conv(np.ones((3, 3, 1))))
    with pytest.raises(ValueError, match="at least 1-D"):
        fn(conv(np.ones(())), conv(np.ones((3,))))


def test_q16_rejects_floats():
    with pytest.raises(TypeError, match=r"q16.matmul expects int32 .*q16.from_float"):
        q16.matmul(np.ones((2, 2)), np.ones((2, 2), np.int32))


# ---- threads -----------------------------------------------------------------

@pytest.mark.parametrize("shape_a, shape_b", [((3000, 4, 4), (3000, 4, 4)),
                                              ((16, 64, 48), (16, 48, 64)),
                                              ((4, 80, 80), (80, 80))])
def test_bit_identical_across_thread_counts(shape_a, shape_b, rng):
    a = rng.standard_normal(shape_a).astype(np.float32)
    b = rng.standard_normal(shape_b).astype(np.float32)
    qa, qb = q16.from_float(a * 50), q16.from_float(b * 50)
    previous = attncore.get_num_threads()
    try:
        results = []
        for threads in (1, 2, 3):
            attncore.set_num_threads(threads)
            with q16.count_saturations() as sat:
                results.append((attncore.matmul(a, b), q16.matmul(qa, qb), sat.total))
    finally:
        attncore.set_num_threads(previous)
    for fp_out, q_out, sats in results[1:]:
        assert np.array_equal(fp_out, results[0][0])  # bitwise: same order per output
        np.testing.assert_array_equal(q_out, results[0][1])
        assert sats == results[0][2]


@pytest.mark.parametrize("m, n, k", [(4, 4, 4), (3, 3, 3), (2, 2, 2), (4, 1, 4), (3, 1, 3)])
@pytest.mark.parametrize("scale", ["typical", "full-range"])
@pytest.mark.parametrize("overflow", ["saturate", "wrap"])
def test_q16_fixed_size_kernels_are_exact(m, n, k, scale, overflow, rng):
    """Packed small shapes run fixed-size kernels: int64 sums when the batch
    bound allows (typical values), split 32-bit-half sums otherwise."""
    size = 300
    if scale == "typical":
        a = q16.from_float(rng.uniform(-8, 8, (size, m, k)))
        b = q16.from_float(rng.uniform(-8, 8, (size, k, n)))
    else:
        a = rng.integers(q16.MIN, q16.MAX, (size, m, k), endpoint=True).astype(np.int32)
        b = rng.integers(q16.MIN, q16.MAX, (size, k, n), endpoint=True).astype(np.int32)
        a[0], b[0] = q16.MIN, q16.MIN  # the largest products, all in one item
    for rounding in ("nearest", "floor"):
        np.testing.assert_array_equal(q16.matmul(a, b, rounding=rounding, overflow=overflow),
                                      ref.q16_matmul(a, b, rounding, overflow))


def test_q16_two_word_sum_just_below_2_63_saturates_to_max():
    """[MIN, MIN, -1] @ [MIN, MIN, 1] = 2**63 - 1: the two-word path narrows
    through the one accumulator's bound, so it clamps to MAX, not MIN (the
    sign case of issue 15 on this path; the int64 paths are issue 15's)."""
    a = np.array([q16.MIN, q16.MIN, -1], np.int32)
    b = np.array([q16.MIN, q16.MIN, 1], np.int32)
    assert int(q16.matmul(a, b)) == q16.MAX
    assert int(ref.q16_matmul(a, b)) == q16.MAX
