"""Every error path of the Q16.16 foundation (DESIGN.md, "Errors")."""
import numpy as np
import pytest

import attncore
import attncore.q16 as q16


def test_error_classes():
    assert issubclass(attncore.Q16OverflowError, OverflowError)
    assert issubclass(attncore.SingularMatrixError, np.linalg.LinAlgError)
    assert issubclass(attncore.NotPositiveDefiniteError, np.linalg.LinAlgError)
    err = attncore.Q16OverflowError("q16.mul", (1, 2))
    assert err.kernel == "q16.mul" and err.index == (1, 2) and "q16.mul" in str(err)


@pytest.mark.parametrize("fn", [q16.mul, q16.div, q16.add, q16.sub])
@pytest.mark.parametrize("bad", [np.array([1.5]), [1.0, 2.0], 3.0, np.array([True]),
                                 np.array([1 + 0j])])
def test_binary_rejects_non_integers_with_conversion_hint(fn, bad):
    good = np.array([1], dtype=np.int32)
    with pytest.raises(TypeError, match=r"expects int32 raw Q16.16 .*q16.from_float"):
        fn(bad, good)
    with pytest.raises(TypeError, match=r"for `b`"):
        fn(good, bad)


@pytest.mark.parametrize("fn", [q16.mul, q16.div, q16.add, q16.sub])
@pytest.mark.parametrize("raw", [np.array([65536], dtype=np.int64), [65536, 2], 65536,
                                 np.array([3], dtype=np.int16), np.array([7], dtype=np.uint32),
                                 np.array([q16.MIN, q16.MAX], dtype=np.int64)])
def test_binary_takes_integers_that_fit_int32_as_raw_values(fn, raw):
    good = np.array([65536], dtype=np.int32)
    want = fn(np.asarray(raw).astype(np.int32), good)
    assert np.array_equal(fn(raw, good), want) and np.array_equal(
        fn(good, raw), fn(good, np.asarray(raw).astype(np.int32)))


@pytest.mark.parametrize("raw", [2**31, -2**31 - 1, 2**80, np.array([0, 2**31], np.int64),
                                 np.array([2**32], np.uint64), [1, -2**40]])
def test_integers_outside_int32_name_the_argument(raw):
    good = np.array([1], dtype=np.int32)
    with pytest.raises(ValueError, match=r"q16.add: `b` holds|q16.add: `b` is .*outside the "
                                         r"int32 range"):
        q16.add(good, raw)


@pytest.mark.parametrize("fn", [q16.sqrt, q16.exp, q16.to_float])
def test_unary_rejects_floats(fn):
    with pytest.raises(TypeError, match="q16.from_float"):
        fn(np.array([0.5]))


def test_shapes_that_do_not_broadcast_name_both():
    a = np.zeros((2, 3), dtype=np.int32)
    b = np.zeros((4,), dtype=np.int32)
    with pytest.raises(ValueError, match=r"q16.mul: .*\(2, 3\) and \(4,\)"):
        q16.mul(a, b)


@pytest.mark.parametrize("kwargs, match", [
    ({"rounding": "up"}, "rounding must be one of"),
    ({"rounding": None}, "rounding must be one of"),
    ({"overflow": "clip"}, "overflow must be one of"),
])
def test_bad_policy_names(kwargs, match):
    a = np.zeros(2, dtype=np.int32)
    with pytest.raises(ValueError, match=match):
        q16.mul(a, a, **kwargs)


def test_overflow_raise_names_kernel_and_index():
    a = np.array([[0, 0], [0, q16.MAX]], dtype=np.int32)
    with pytest.raises(attncore.Q16OverflowError,
                       match=r"q16.add: result out of Q16.16 range at index \(1, 1\) \(raw a=2147483647, b=1\)"):
        q16.add(a, np.int32(1), overflow="raise")


def test_division_by_zero_raise_and_negative_sqrt():
    with pytest.raises(ZeroDivisionError, match=r"q16.div: division by zero"):
        q16.div(np.int32(5), np.int32(0), overflow="raise")
    with pytest.raises(ValueError, match="negative"):
        q16.sqrt(np.int32(-5))


def test_nan_from_float():
    with pytest.raises(ValueError, match="NaN"):
        q16.from_float(float("nan"))


def test_located_errors_survive_pickling():
    """attncore.dask moves errors between processes: every located error
    pickles with its message, type and location (an unpicklable one hung
    distributed calls)."""
    import pickle

    import numpy as np

    from attncore import q16
    from attncore.errors import relocated

    a = np.full((3, 4), q16.ONE, np.int32)
    a[1, 2] = q16.MAX
    with pytest.raises(attncore.Q16OverflowError) as info:
        q16.mul(a, a, overflow="raise")
    for exc in (info.value, relocated(info.value, (5, 5))):
        back = pickle.loads(pickle.dumps(exc))
        assert type(back) is type(exc) and str(back) == str(exc)
        assert back.index == exc.index and back.attncore_location == exc.attncore_location
