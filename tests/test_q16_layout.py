"""Broadcasting, strides and memory order: results equal the same operation
on contiguous copies (the reference twin), for any broadcastable shapes."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import attncore
import attncore.q16 as q16
from attncore import reference as ref

int32_elems = st.integers(-(1 << 24), 1 << 24)


@settings(max_examples=150, deadline=None)
@given(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=4, max_side=4), st.data())
def test_broadcasting_matches_reference(shapes, data):
    sa, sb = shapes.input_shapes
    a = data.draw(hnp.arrays(np.int32, sa, elements=int32_elems))
    b = data.draw(hnp.arrays(np.int32, sb, elements=int32_elems))
    got = q16.mul(a, b)
    assert np.shape(got) == shapes.result_shape
    np.testing.assert_array_equal(got, ref.q16_mul(a, b))
    np.testing.assert_array_equal(q16.add(a, b), ref.q16_add(a, b))


@settings(max_examples=60, deadline=None)
@given(hnp.arrays(np.int32, hnp.array_shapes(min_dims=2, max_dims=4, max_side=6),
                  elements=int32_elems), st.data())
def test_non_contiguous_views(a, data):
    # transposed, reversed and strided views of one buffer
    perm = data.draw(st.permutations(range(a.ndim)))
    view = a.transpose(perm)[::-1, ::2]
    np.testing.assert_array_equal(q16.mul(view, view), q16.mul(view.copy(), view.copy()))
    np.testing.assert_array_equal(q16.sqrt(np.abs(view)), ref.q16_sqrt(np.abs(view)))
    np.testing.assert_array_equal(q16.to_float(view), view.astype(np.float64) / 65536)


def test_fortran_order_and_unaligned():
    a = np.asfortranarray(np.arange(24, dtype=np.int32).reshape(4, 6) << 14)
    np.testing.assert_array_equal(q16.mul(a, a), ref.q16_mul(a, a))
    raw = np.zeros(4 * 10 + 1, dtype=np.uint8)
    unaligned = raw[1:].view(np.int32)  # misaligned base pointer
    unaligned[:] = np.arange(10) << 16
    np.testing.assert_array_equal(q16.mul(unaligned, unaligned), (np.arange(10) ** 2) << 16)


def test_empty_and_zero_d():
    e = np.zeros((3, 0), dtype=np.int32)
    assert q16.mul(e, np.int32(5)).shape == (3, 0)
    assert q16.exp(e).shape == (3, 0)
    s = q16.mul(np.int32(q16.ONE), np.int32(q16.ONE))
    assert isinstance(s, np.int32) and s == q16.ONE
    assert isinstance(q16.to_float(np.int32(1)), np.float64)


def test_inputs_are_not_modified():
    a = np.arange(-5, 5, dtype=np.int32) << 20
    b = a[::-1].copy()
    a0, b0 = a.copy(), b.copy()
    q16.div(a, b)
    q16.mul(a, b, overflow="wrap")
    np.testing.assert_array_equal(a, a0)
    np.testing.assert_array_equal(b, b0)


def test_first_event_index_is_in_the_broadcast_shape():
    a = np.zeros((3, 4), dtype=np.int32)
    a[2, 1] = 300 << 16
    with pytest.raises(attncore.Q16OverflowError) as info:
        q16.mul(a, np.int32(300 << 16), overflow="raise")
    assert info.value.index == (2, 1)
