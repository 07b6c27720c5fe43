"""Regression tests for the bad-input findings of issue 17 (items 1, 3, 6)
and the NumPy/SciPy input conventions of issue 19 (axis=None and tuple
axes, integer raw values in q16, ``out=`` as ``same_kind``, ``check_finite``,
Dask arrays in the in-memory functions).

Each test failed on main before the change that added it.  Oracles are
independent of the code under test: the same call on native, contiguous
input (byte order), SciPy / NumPy (axis, casting), or Python ints.
"""
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import scipy.special

import attncore
from attncore import fp, q16

# --- item 1: byte-swapped input is converted, as NumPy does -------------------------------


def _swapped(x):
    """``x`` with the same values in the other byte order."""
    x = np.asarray(x)
    return x.astype(x.dtype.newbyteorder("S"))


def test_from_float_of_big_endian_floats_is_the_native_result():
    # the numbers: '>f8' gave [2147483647, 0], '>f4' garbage, '>f2' an AssertionError
    x = np.array([3.14159, 0.1, -2.5, 65504.0 / 4])
    for dtype in (np.float64, np.float32, np.float16):
        native = x.astype(dtype)
        assert np.array_equal(q16.from_float(_swapped(native)), q16.from_float(native)), dtype
    assert q16.from_float(np.array([3.14159, 0.1], ">f8")).tolist() == [205887, 6554]
    ints = np.array([3, -7, 2**20], np.int64)
    assert np.array_equal(q16.from_float(_swapped(ints)), q16.from_float(ints))


_RNG = np.random.default_rng(17)
_M = _RNG.normal(size=(3, 4, 4)) + 4 * np.eye(4)
_SPD = _M @ np.swapaxes(_M, -1, -2)
_X = _RNG.normal(size=(3, 4, 2))
_Q16M = q16.from_float(_M / 4)
_Q16SPD = q16.from_float(_SPD / 16)
_Q16X = q16.from_float(_X)

# (name, function, operands); every operand is tried byte-swapped alone
_BYTE_ORDER_CASES = [
    ("fp.matmul", fp.matmul, (_M, _X)),
    ("fp.softmax", fp.softmax, (_X,)),
    ("fp.log_softmax", fp.log_softmax, (_X,)),
    ("fp.sdpa", fp.scaled_dot_product_attention, (_M, _M, _X)),
    ("fp.solve", fp.solve, (_M, _X)),
    ("fp.lu_factor", fp.lu_factor, (_M,)),
    ("fp.cho_factor", fp.cho_factor, (_SPD,)),
    ("fp.det", fp.det, (_M,)),
    ("fp.inv", fp.inv, (_M,)),
    ("q16.matmul", q16.matmul, (_Q16M, _Q16X)),
    ("q16.softmax", q16.softmax, (_Q16X,)),
    ("q16.sdpa", q16.scaled_dot_product_attention, (_Q16M, _Q16M, _Q16X)),
    ("q16.solve", q16.solve, (_Q16M, _Q16X)),
    ("q16.det", q16.det, (_Q16M,)),
    ("q16.add", q16.add, (_Q16X, _Q16X[::-1])),
    ("q16.mul", q16.mul, (_Q16X, _Q16X[::-1])),
    ("q16.div", q16.div, (_Q16X, _Q16X[::-1] | 1)),
    ("q16.sqrt", q16.sqrt, (np.abs(_Q16X),)),
    ("q16.exp", q16.exp, (_Q16X,)),
    ("q16.to_float", q16.to_float, (_Q16X,)),
]


def _same(a, b):
    if isinstance(a, tuple):
        return all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, (bool, np.bool_)):
        return a == b
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


@pytest.mark.parametrize("name, function, operands", _BYTE_ORDER_CASES,
                         ids=[c[0] for c in _BYTE_ORDER_CASES])
def test_byte_swapped_operands_give_the_native_result_bit_for_bit(name, function, operands):
    want = function(*operands)
    for i in range(len(operands)):
        swapped = list(operands)
        swapped[i] = _swapped(operands[i])
        before = swapped[i].tobytes()
        assert _same(function(*swapped), want), (name, i)
        assert swapped[i].tobytes() == before


def test_byte_swapped_factors_masks_and_out():
    lu, piv = fp.lu_factor(_M)
    assert _same(fp.lu_solve((_swapped(lu), _swapped(piv)), _X), fp.lu_solve((lu, piv), _X))
    mask = _RNG.normal(size=(4, 4))
    want = fp.scaled_dot_product_attention(_M, _M, _X, mask=mask)
    assert _same(fp.scaled_dot_product_attention(_M, _M, _X, mask=_swapped(mask)), want)
    out = np.zeros((3, 4, 2), ">f8")
    fp.matmul(_M, _X, out=out)
    assert np.array_equal(out, fp.matmul(_M, _X))


# --- item 3: zero-size inputs with huge other dims return at once ---------------------------

_HUGE_CASES = {
    "fp.softmax axis 0": "fp.softmax(np.zeros((0, 2**40)), axis=0)",
    "fp.log_softmax axis 0": "fp.log_softmax(np.zeros((0, 2**40)), axis=0)",
    "q16.softmax axis 0": "q16.softmax(np.zeros((0, 2**40), np.int32), axis=0)",
    "fp.softmax huge rows": "fp.softmax(zeros((2**28, 2**30, 0)))",
    "q16.softmax huge rows masked": "q16.softmax(zeros((2**28, 2**30, 0), np.int32), "
                                    "mask=zeros((2**30, 0), bool))",
    "fp.softmax axis None": "fp.softmax(zeros((2**40, 0)), axis=None)",
    "fp.matmul": "fp.matmul(zeros((2**28, 2**30, 0)), zeros((0, 0)))",
    "fp.matmul k=0 broadcast": "fp.matmul(zeros((2**28, 0, 2**30)), zeros((2**30, 0)))",
    "q16.matmul": "q16.matmul(zeros((2**28, 2**30, 0), np.int32), zeros((0, 0), np.int32))",
    "fp.sdpa": "fp.scaled_dot_product_attention(zeros((2**30, 0, 4)), zeros((2**30, 5, 4)), "
               "zeros((2**30, 5, 3)))",
    "q16.sdpa": "q16.scaled_dot_product_attention(zeros((2**30, 3, 4), np.int32), "
                "zeros((2**30, 0, 4), np.int32), zeros((2**30, 0, 0), np.int32))",
    "fp.solve": "fp.solve(zeros((2**40, 0, 0)), zeros((2**40, 0, 0)))",
    "q16.solve": "q16.solve(zeros((2**40, 0, 0), np.int32), zeros((2**40, 0, 0), np.int32))",
    "fp.lu_factor": "fp.lu_factor(zeros((2**40, 0, 0)))",
    "fp.inv": "fp.inv(zeros((2**40, 0, 0)))",
    "q16.inv": "q16.inv(zeros((2**40, 0, 0), np.int32))",
    "fp.det empty batch": "fp.det(zeros((0, 2**20, 2**20)))",
    "q16.lu_solve": "q16.lu_solve(q16.LUFactor((zeros((0, 3, 3), np.int32), "
                    "zeros((0, 3), np.int32)), zeros((0, 44), np.uint32)), "
                    "zeros((2**40, 0, 3, 5), np.int32))",
    "q16.add": "q16.add(zeros((2**40, 0), np.int32), zeros((2**40, 0), np.int32))",
    "q16.exp": "q16.exp(zeros((0, 2**40), np.int32))",
    "q16.from_float": "q16.from_float(zeros((2**40, 0)))",
}


@pytest.mark.parametrize("call", list(_HUGE_CASES.values()), ids=list(_HUGE_CASES))
def test_zero_size_with_huge_other_dims_returns_at_once(call):
    """Built without allocating (a 0-size buffer seen with huge dims); the
    call runs in a child with a deadline, since the old code walked 2**40
    empty rows (tens of minutes) or allocated per-item statuses."""
    script = textwrap.dedent(f"""
        import numpy as np
        from attncore import fp, q16
        def zeros(shape, dtype=np.float64):
            return np.lib.stride_tricks.as_strided(np.zeros(1, dtype)[:0], shape,
                                                   (0,) * len(shape))
        r = {call}
        r = r if isinstance(r, tuple) else (r,)
        assert all(np.size(x) == 0 for x in r), [np.shape(x) for x in r]
        print("shapes", [np.shape(x) for x in r])
    """)
    try:
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                              timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{call} did not return within 60 s")
    assert done.returncode == 0, done.stderr[-2000:]


# --- item 6: wrong exception types ---------------------------------------------------------


@pytest.mark.parametrize("mask", [1, 1.5, np.float32(0.0), np.bool_(True), np.array(2)])
def test_zero_d_mask_in_float_attention_is_the_documented_value_error(mask):
    x = np.ones((2, 3))
    with pytest.raises(ValueError, match="fp.scaled_dot_product_attention: mask must be at least"):
        fp.scaled_dot_product_attention(x, x, x, mask=mask)


@pytest.mark.parametrize("ndim", [33, 40, 63, 64])
def test_33_to_64_dims_work_where_numpy_does(ndim):
    """np.broadcast (and so np.broadcast_shapes/arrays) stops at 32 dims; the
    old code raised RuntimeError where np.matmul works."""
    a = np.ones((1,) * (ndim - 2) + (2, 2))
    eye = np.broadcast_to(np.eye(2), a.shape)
    qa, qeye = q16.from_float(a), q16.from_float(eye)
    assert np.array_equal(fp.matmul(a, a), np.matmul(a, a))
    assert np.array_equal(fp.matmul(a, np.ones(2)), np.matmul(a, np.ones(2)))
    assert np.array_equal(q16.matmul(qa, qa), q16.matmul(qa[(0,) * (ndim - 2)], qa[(0,) * (ndim - 2)])
                          .reshape(a.shape))
    assert np.array_equal(fp.solve(eye, a), a)
    assert np.array_equal(q16.solve(qeye, qa), qa)
    assert np.array_equal(fp.lu_solve(fp.lu_factor(eye), a), a)
    assert np.array_equal(fp.cho_solve(fp.cho_factor(eye, pivot=True), a), a)
    assert np.array_equal(fp.det(eye), np.ones(a.shape[:-2]))
    assert np.array_equal(q16.inv(qeye), qeye)
    assert np.array_equal(q16.add(qa, qa), 2 * qa)
    assert np.array_equal(q16.mul(qa, np.int32(q16.ONE)), qa)
    assert fp.softmax(a).shape == a.shape and q16.softmax(qa).shape == a.shape
    assert fp.scaled_dot_product_attention(a, a, a).shape == a.shape
    assert q16.scaled_dot_product_attention(qa, qa, qa).shape == a.shape
    w = np.eye(2)
    if ndim <= 63:
        assert fp.multi_head_attention(a, a, a, w, w, w, w, 1).shape == a.shape
    else:  # the heads need a dim of their own: the documented ValueError, naming `query`
        with pytest.raises(ValueError, match="`query` has 64 dims"):
            fp.multi_head_attention(a, a, a, w, w, w, w, 1)


_FLAG_CASES = [
    ("pivot", lambda v: fp.cho_factor(np.eye(2), pivot=v)),
    ("lower", lambda v: fp.cho_factor(np.eye(2), lower=v)),
    ("lower", lambda v: q16.cho_factor(np.eye(2, dtype=np.int32) * q16.ONE, lower=v)),
    ("pivot", lambda v: q16.cho_factor(np.eye(2, dtype=np.int32) * q16.ONE, pivot=v)),
    ("lower", lambda v: fp.cho_solve((np.eye(2), v), np.ones(2))),
    ("is_causal", lambda v: fp.scaled_dot_product_attention(np.ones((2, 2)), np.ones((2, 2)),
                                                            np.ones((2, 2)), is_causal=v)),
    ("return_weights", lambda v: q16.scaled_dot_product_attention(
        np.ones((2, 2), np.int32), np.ones((2, 2), np.int32), np.ones((2, 2), np.int32),
        return_weights=v)),
    ("return_head_outputs", lambda v: fp.multi_head_attention(
        *[np.ones((2, 2))] * 3, *[np.eye(2)] * 4, 1, return_head_outputs=v)),
    ("check_finite", lambda v: fp.solve(np.eye(2), np.ones(2), check_finite=v)),
]


@pytest.mark.parametrize("value", ["no", "False", 1, 0, None, 2.0, [True]])
@pytest.mark.parametrize("name, call", _FLAG_CASES, ids=[c[0] for c in _FLAG_CASES])
def test_non_bool_flags_are_a_type_error_naming_the_flag(name, call, value):
    with pytest.raises(TypeError, match=f"`{name}` must be True or False"):
        call(value)
    call(np.True_)  # NumPy's bools are bools
    call(False)


@pytest.mark.parametrize("scale", ["0.5", b"1", [0.5], np.array([0.5]), True, 1j])
@pytest.mark.parametrize("backend", [fp, q16])
def test_non_number_scale_is_a_type_error(backend, scale):
    x = np.ones((2, 2), np.int32)
    with pytest.raises(TypeError, match="`scale` must be a real number"):
        backend.scaled_dot_product_attention(x, x, x, scale=scale)


# --- issue 19: softmax axis=None and tuple axes, as SciPy ----------------------------------

@pytest.mark.parametrize("axis", [None, (0, 2), (2, 0), (1,), (), (-1, 0, 1), 0, -1])
@pytest.mark.parametrize("log", [False, True])
def test_softmax_axes_as_scipy(axis, log):
    x = np.random.default_rng(5).normal(size=(3, 4, 5)) * 3
    ours = (fp.log_softmax if log else fp.softmax)(x, axis=axis)
    theirs = (scipy.special.log_softmax if log else scipy.special.softmax)(x, axis=axis)
    # float64 rounding of max / exp / sum / log: a few ulp of the largest value involved
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=16 * np.finfo(float).eps)
    assert ours.shape == x.shape


@pytest.mark.parametrize("axis", [None, (0, 2), (1, 0)])
def test_q16_softmax_tuple_axes_equal_the_merged_axis(axis):
    """Oracle: the same rows laid out by hand as one last axis."""
    x = q16.from_float(np.random.default_rng(6).normal(size=(3, 4, 5)) * 4)
    mask = np.random.default_rng(7).random((3, 4, 5)) > 0.3
    axes = tuple(range(3)) if axis is None else tuple(sorted(a % 3 for a in axis))
    rest = [d for d in range(3) if d not in axes]
    rows = np.transpose(x, rest + list(axes)).reshape([x.shape[d] for d in rest] + [-1])
    mrows = np.transpose(mask, rest + list(axes)).reshape(rows.shape)
    want = q16.softmax(rows, mask=mrows).reshape(
        [x.shape[d] for d in rest] + [x.shape[d] for d in axes])
    want = np.transpose(want, np.argsort(rest + list(axes)))
    assert np.array_equal(q16.softmax(x, axis=axis, mask=mask), want)


@pytest.mark.parametrize("axis, exc, match", [
    ((0, 0), ValueError, "repeats an axis"), ((0, 3), np.exceptions.AxisError, "`axis`"),
    (1.5, TypeError, "`axis` must be"), ("0", TypeError, "`axis` must be"),
    (True, TypeError, "`axis` must be"), ([0, 1], TypeError, "`axis` must be")])
def test_bad_axes_name_axis(axis, exc, match):
    for f in (fp.softmax, fp.log_softmax):
        with pytest.raises(exc, match=match):
            f(np.ones((2, 3, 4)), axis=axis)
    with pytest.raises(exc, match=match):
        q16.softmax(np.ones((2, 3, 4), np.int32), axis=axis)


# --- issue 19: q16 takes Python ints and integer arrays whose values fit int32 -------------

def test_q16_takes_python_ints_and_integer_arrays():
    x = np.array([3 * q16.ONE, -q16.ONE // 2], np.int32)
    assert np.array_equal(q16.mul(x, 65536), x)
    assert np.array_equal(q16.mul(x.astype(np.int64), np.array([2 * q16.ONE], np.uint32)), 2 * x)
    assert np.array_equal(q16.matmul([[65536, 0], [0, 65536]], x.tolist()), x)
    assert q16.to_float(65536) == 1.0
    with pytest.raises(ValueError, match=r"q16.mul: `b` is 2147483648, outside the int32"):
        q16.mul(x, 2**31)
    with pytest.raises(ValueError, match=r"`a` holds -2147483649"):
        q16.matmul(np.array([[-2**31 - 1]], np.int64), np.ones((1, 1), np.int32))
    with pytest.raises(TypeError, match="q16.from_float"):
        q16.mul(x, 1.0)


# --- issue 19: out= casting as NumPy's same_kind -------------------------------------------

@pytest.mark.parametrize("out_dtype", [np.float32, np.float64, np.int32, np.int64, np.float16,
                                       np.complex128, ">f8", np.bool_])
@pytest.mark.parametrize("backend", ["fp", "q16"])
def test_out_casting_follows_numpy_same_kind(backend, out_dtype):
    if backend == "fp":
        a, b = _M, _X
        want, call = fp.matmul(a, b), fp.matmul
    else:
        a, b = _Q16M, _Q16X
        want, call = q16.matmul(a, b), q16.matmul
    out = np.full(want.shape, 3, out_dtype)
    before = out.tobytes()
    if np.can_cast(want.dtype, out.dtype, "same_kind"):
        with np.errstate(over="ignore"):  # float16 overflows to inf, as NumPy's cast does
            assert call(a, b, out=out) is out
            assert np.array_equal(out, want.astype(out_dtype))
    else:
        with pytest.raises(TypeError, match="same_kind"):
            call(a, b, out=out)
        assert out.tobytes() == before


# --- issue 19: check_finite on the float linear algebra, as SciPy --------------------------

_FINITE_CASES = [
    ("a", lambda a, b, cf: fp.solve(a, b, check_finite=cf)),
    ("b", lambda a, b, cf: fp.solve(np.eye(2), a, check_finite=cf)),
    ("a", lambda a, b, cf: fp.lu_factor(a, check_finite=cf)),
    ("lu", lambda a, b, cf: fp.lu_solve((a, np.arange(2, dtype=np.int32)), b, check_finite=cf)),
    ("b", lambda a, b, cf: fp.lu_solve(fp.lu_factor(np.eye(2)), a, check_finite=cf)),
    ("a", lambda a, b, cf: fp.cho_factor(a, check_finite=cf)),
    ("c", lambda a, b, cf: fp.cho_solve((a, True), b, check_finite=cf)),
    ("a", lambda a, b, cf: fp.det(a, check_finite=cf)),
    ("a", lambda a, b, cf: fp.inv(a, check_finite=cf)),
    ("m", lambda a, b, cf: fp.affine_inverse(np.pad(a, ((0, 1), (0, 1))) + np.diag([0, 0, 1]),
                                             check_finite=cf)),
]


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("name, call", _FINITE_CASES, ids=[f"{i}-{c[0]}" for i, c in
                                                           enumerate(_FINITE_CASES)])
def test_check_finite_names_the_argument(name, call, bad):
    a = np.array([[2.0, 1.0], [1.0, bad]])
    with pytest.raises(ValueError, match=f"`{name}` must not contain infs or NaNs"):
        call(a, np.ones(2), True)
    with pytest.raises(ValueError, match="must not contain infs or NaNs"):
        call(a, np.ones(2), np.True_)
    try:  # skipped: the kernels run and non-finite values propagate (or a documented error)
        call(a, np.ones(2), False)
    except (np.linalg.LinAlgError, ValueError) as exc:
        assert "infs or NaNs" not in str(exc)


def test_check_finite_is_on_by_default_as_scipy():
    with pytest.raises(ValueError, match="`a` must not contain infs or NaNs"):
        attncore.solve(np.array([[np.nan, 1.0], [1.0, 1.0]]), np.ones(2))
    assert np.isnan(attncore.solve(np.array([[np.nan, 1.0], [1.0, 1.0]]), np.ones(2),
                                   check_finite=False)).any()


# --- issue 19: Dask arrays are refused by the in-memory functions, naming attncore.dask ----

def test_dask_arrays_are_refused_not_computed():
    da = pytest.importorskip("dask.array")
    computed = []

    def mark(block):
        computed.append(1)
        return block

    x = da.ones((4, 4), chunks=2).map_blocks(mark)
    qx = x.astype(np.int32)
    computed.clear()  # map_blocks ran ``mark`` on a meta array, not a chunk
    calls = {
        "fp.matmul": lambda: fp.matmul(x, np.ones((4, 4))),
        "q16.matmul": lambda: q16.matmul(np.ones((4, 4), np.int32), qx),
        "fp.softmax": lambda: fp.softmax(np.ones((4, 4)), mask=x > 0),
        "q16.add": lambda: q16.add(qx, 1),
        "q16.from_float": lambda: q16.from_float(x),
        "fp.solve": lambda: fp.solve(x, np.ones(4)),
        "fp.scaled_dot_product_attention": lambda: fp.scaled_dot_product_attention(x, x, x),
        "fp.multi_head_attention": lambda: fp.multi_head_attention(
            np.ones((4, 4)), np.ones((4, 4)), np.ones((4, 4)), x, *[np.eye(4)] * 3, 1),
        "fp.lu_solve": lambda: fp.lu_solve((np.eye(4), x[0].astype(np.int32)), np.ones(4)),
    }
    for kernel, call in calls.items():
        with pytest.raises(TypeError, match=f"{kernel}: `\\w+` is a Dask array.*"
                                            f"attncore.dask.{kernel}"):
            call()
    assert computed == []


def test_pivots_with_an_empty_batch_broadcast_to_an_empty_result():
    """Found by the sweep: piv of batch (0,) against lu and b of batch (1,)
    broadcast to an empty batch; the result was reshaped to b's shape
    (a bare NumPy reshape error)."""
    lu, piv = fp.lu_factor(np.eye(3)[np.newaxis])
    assert fp.lu_solve((lu, piv[:0]), np.ones((1, 3, 2))).shape == (0, 3, 2)
    qf = q16.lu_factor(np.eye(3, dtype=np.int32)[np.newaxis] * q16.ONE)
    empty = q16.LUFactor((qf[0], qf[1][:0]), qf.exact[:0])  # q16 solves from the exact words
    assert q16.lu_solve(empty, np.ones((1, 3, 2), np.int32)).shape == (0, 3, 2)
    c = fp.cho_factor(np.eye(3)[np.newaxis], pivot=True)
    assert fp.cho_solve((c[0], c[1], c[2][:0], c[3][:0]), np.ones((1, 3, 2))).shape == (0, 3, 2)


def test_exact_factor_words_of_n_0_are_the_documented_header():
    """Found after the merge of the exact engine: an n = 0 batch skipped the
    kernel and returned uninitialized words.  q16_linalg.h's layout: magic,
    n, W = 1, flags (1 for cho_factor), then det = 1 (the empty product)."""
    magic = 0xAC160F01
    lu = q16.lu_factor(np.zeros((3, 0, 0), np.int32))
    assert lu.exact.tolist() == [[magic, 0, 1, 0, 1]] * 3
    for pivot in (False, True):
        cho = q16.cho_factor(np.zeros((2, 0, 0), np.int32), pivot=pivot)
        assert cho.exact.tolist() == [[magic, 0, 1, 1, 1]] * 2
    assert q16.lu_solve(lu, np.zeros((3, 0, 2), np.int32)).shape == (3, 0, 2)


def test_exact_words_in_either_byte_order_solve_alike():
    f = q16.lu_factor(_Q16M)
    want = q16.lu_solve(f, _Q16X)
    assert _same(q16.lu_solve(q16.LUFactor(tuple(f), _swapped(f.exact)), _Q16X), want)
    c = q16.cho_factor(_Q16SPD)
    assert _same(q16.cho_solve(q16.ChoFactor(tuple(c), _swapped(c.exact)), _Q16X),
                 q16.cho_solve(c, _Q16X))


def test_results_beyond_64_dims_are_a_value_error_naming_the_kernel():
    """63-dim pivots against 64-dim factors broadcast to a 65-dim result."""
    lu = np.ones((1,) * 62 + (2, 2))
    piv = np.zeros((2,) + (1,) * 62 + (2,), np.int32)
    with pytest.raises(ValueError, match="fp.lu_solve: the result would have 65 dims"):
        fp.lu_solve((lu, piv), np.ones((1,) * 62 + (2, 1)))
