"""Results and reports do not depend on the thread count."""
import numpy as np
import pytest

import attncore
import attncore.q16 as q16


@pytest.fixture
def restore_threads():
    previous = attncore.get_num_threads()
    yield
    attncore.set_num_threads(previous)


def test_outputs_and_reports_identical_across_thread_counts(restore_threads, rng):
    n = 1_000_003  # not a multiple of any chunking
    a = rng.integers(q16.MIN, q16.MAX, size=n, dtype=np.int64).astype(np.int32)
    b = rng.integers(-(4 << 16), 4 << 16, size=n).astype(np.int32)
    results = {}
    for threads in (1, 2, 3, 7):
        attncore.set_num_threads(threads)
        with q16.count_saturations() as sat:
            out = (q16.mul(a, b), q16.div(a, b), q16.exp(b), q16.from_float(q16.to_float(a) * 3))
        try:
            q16.mul(a, b, overflow="raise")
        except attncore.Q16OverflowError as exc:
            first = exc.index
        results[threads] = (out, dict(sat.saturated), first)
    base_out, base_sat, base_first = results[1]
    assert base_sat["q16.mul"] > 0
    for threads, (out, sat, first) in results.items():
        for x, y in zip(out, base_out):
            np.testing.assert_array_equal(x, y)
        assert sat == base_sat and first == base_first, threads


def test_error_index_with_threads_is_the_first(restore_threads):
    attncore.set_num_threads(4)
    x = np.ones(1 << 20)
    x[[300_000, 900_000]] = np.nan
    with pytest.raises(ValueError, match=r"NaN .* at index \(300000,\)"):
        q16.from_float(x)
    x[[10]] = 1e9  # a saturation before the NaN: the message names the NaN
    with pytest.raises(ValueError, match=r"NaN .* at index \(300000,\)"):
        q16.from_float(x)


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "2"])
def test_set_num_threads_validates(bad, restore_threads):
    with pytest.raises(ValueError, match="set_num_threads"):
        attncore.set_num_threads(bad)


def test_set_num_threads_returns_previous(restore_threads):
    attncore.set_num_threads(3)
    assert attncore.set_num_threads(1) == 3 and attncore.get_num_threads() == 1
