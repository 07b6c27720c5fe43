"""Errors of lazy calls are the in-memory call's (issue 17, item 9): with
several failing chunks, the error raised names the lowest global index
whichever task failed first, and a batch error lists every failing item
across chunks (the first five, then a count), as one in-memory call does.
The oracle is the in-memory call on the whole array."""
import numpy as np
import pytest

import attncore
from attncore import q16
from attncore.errors import located

da = pytest.importorskip("dask.array")
adask = pytest.importorskip("attncore.dask")


def _message(call):
    with pytest.raises(Exception) as info:
        call()
    return type(info.value), str(info.value)


@pytest.mark.parametrize("scheduler", ["sync", "threads"])
def test_overflow_names_the_first_element_in_c_order_not_the_first_chunk(scheduler):
    """(0, 1, 40) comes first in C order but sits in the second chunk of
    columns: the old code raised the first chunk's (0, 20, 3)."""
    a = np.zeros((1, 64, 4), np.int32)
    b = np.zeros((4, 64), np.int32)
    a[0, 1, 0] = a[0, 20, 1] = q16.MAX
    b[0, 40] = b[1, 3] = 4 * q16.ONE
    want = _message(lambda: q16.matmul(a, b, overflow="raise"))
    assert "(0, 1, 40)" in want[1]
    lazy = adask.q16.matmul(da.from_array(a, chunks=(1, 32, 4)), da.from_array(b, chunks=(4, 32)),
                            overflow="raise")
    for _ in range(5):
        assert _message(lambda: lazy.compute(scheduler=scheduler)) == want


def test_the_issues_case_reports_the_in_memory_index():
    a = np.zeros((6, 64, 4), np.int32)
    b = np.zeros((4, 1), np.int32)
    a[0, 2, 0] = a[4, 48, 0] = a[4, 32, 0] = q16.MAX
    b[0, 0] = 4 * q16.ONE
    want = _message(lambda: q16.matmul(a, b, overflow="raise"))
    lazy = adask.q16.matmul(da.from_array(a, chunks=(1, 16, 4)), b, overflow="raise")
    assert _message(lazy.compute) == want and "(0, 2, 0)" in want[1]


@pytest.mark.parametrize("bad, chunk", [((3, 7, 15, 22, 23, 30, 39), 8), ((39, 1), 4),
                                        ((5,), 8), (tuple(range(0, 40, 3)), 5)])
def test_singular_items_are_listed_across_chunks(bad, chunk):
    m = np.tile(np.eye(3), (40, 1, 1))
    m[list(bad)] = 0
    b = np.ones((40, 3, 2))
    want = _message(lambda: attncore.fp.solve(m, b))
    got = _message(adask.fp.solve(da.from_array(m, chunks=(chunk, 3, 3)), b).compute)
    assert got == want
    assert f"and {len(bad) - 5} more" in want[1] if len(bad) > 5 else "more" not in want[1]


def test_batch_errors_of_several_kinds_pick_the_in_memory_kind():
    """Chunk 0 holds a matrix that is not positive definite, chunk 1 a
    singular one: the in-memory call raises the singular one first."""
    m = np.tile(np.eye(2), (8, 1, 1))
    m[1] = [[-1.0, 0.0], [0.0, 1.0]]
    m[6] = 0.0
    want = _message(lambda: attncore.fp.solve(m, np.ones(2), assume_a="pos"))
    got = _message(adask.fp.solve(da.from_array(m, chunks=(4, 2, 2)), np.ones(2),
                                  assume_a="pos").compute)
    assert got == want


def test_two_dim_batch_listing_is_c_order():
    m = np.tile(np.eye(2), (6, 6, 1, 1))
    for ix in [(0, 5), (1, 0), (4, 1), (5, 5), (2, 2), (0, 4), (3, 3)]:
        m[ix] = 0
    want = _message(lambda: attncore.fp.inv(m))
    got = _message(adask.fp.inv(da.from_array(m, chunks=(3, 3, 2, 2))).compute)
    assert got == want and "(0, 4), (0, 5), (1, 0), (2, 2), (3, 3) and 2 more" in want[1]


def test_merged_does_not_depend_on_the_order_of_errors():
    from attncore.errors import merged

    def singular(*items, more=0):
        return located(attncore.SingularMatrixError, "fp.solve", "singular", items,
                       where="batch index", more=more)
    pieces = [singular((9,), (12,), more=4), singular((3,)), singular((30,), (31,))]
    texts = {str(merged(p)) for p in (pieces, pieces[::-1], pieces[1:] + pieces[:1])}
    assert texts == {"fp.solve: singular at batch index (3,), (9,), (12,), (30,), (31,) "
                     "and 4 more"}


def test_batch_kind_order_is_the_status_tables():
    """errors.BATCH_KIND_ORDER restates _api.status._BATCH_ORDER by type."""
    from attncore._api import status
    from attncore.errors import BATCH_KIND_ORDER

    kinds = []
    for code in status._BATCH_ORDER:
        kind = status.TABLE[code][0]
        if kind not in kinds:
            kinds.append(kind)
    assert tuple(kinds) == BATCH_KIND_ORDER


@pytest.mark.parametrize("axis", [None, (0, 2), (2, 0), (1,), ()])
def test_lazy_softmax_takes_scipy_axes(axis):
    """Issue 19: axis=None and tuples on Dask arrays too (oracle: the
    in-memory call, bit for bit)."""
    rng = np.random.default_rng(3)
    x = rng.normal(size=(4, 5, 6))
    mask = rng.random((5, 6)) > 0.2
    lazy = da.from_array(x, chunks=(2, 3, 4))
    for be, lazy_be, data, lazy_data in (
            (attncore.fp, adask.fp, x, lazy),
            (q16, adask.q16, q16.from_float(x), adask.q16.from_float(lazy))):
        got = lazy_be.softmax(lazy_data, axis=axis, mask=mask).compute()
        assert np.array_equal(got, be.softmax(data, axis=axis, mask=mask))
    got = adask.fp.log_softmax(lazy, axis=axis).compute()
    assert np.array_equal(got, attncore.fp.log_softmax(x, axis=axis))
