"""Saturation is never silent (DESIGN.md): a Q16SaturationWarning by default,
q16.errstate / seterr / geterr as NumPy's, "raise" as overflow="raise", and
count_saturations counting in every mode.  Every q16 kernel that can clamp
is driven into saturation here, with the count checked against an exact
oracle (Python integers on the raw values) where the count is not obvious."""
import asyncio
import threading
import warnings

import numpy as np
import pytest

import attncore
import attncore.q16 as q16
from attncore.saturation import MODES

ONE, MAX, MIN = q16.ONE, q16.MAX, q16.MIN


def _raw(values):
    return np.asarray(values, dtype=np.int32)


def _eye(n, raw=ONE):
    return (np.eye(n, dtype=np.int64) * raw).astype(np.int32)


def _affine(raw_diag):
    m = _eye(3, raw_diag)
    m[2, 2] = ONE
    return m


_BIG = _raw([300 << 16, 1 << 16, -(400 << 16), 5])


def _mha_inputs():
    x = q16.from_float(np.full((3, 4), 100.0))
    w = q16.from_float(np.full((4, 4), 100.0))   # every projection is 40000: saturates
    return (x, x, x, w, w, w, w, 2)


# kernel name -> (call, expected number of clamped outputs).  The counts come
# from exact integer arithmetic on the raw inputs (comments), not from the
# code under test.  cho_factor is absent: |L_ij| <= sqrt(a_ii) <= sqrt(2**15)
# for a positive definite input, so its outputs cannot leave Q16.16; softmax
# and attention outputs are convex combinations and cannot either.
CASES = {
    "q16.add": (lambda: q16.add(_raw([MAX, 1, MIN]), _raw([1, 1, -1])), 2),
    "q16.sub": (lambda: q16.sub(_raw([MIN, 0]), _raw([1, 1])), 1),
    # 300*300, 1*1, 400*300... : |a*b| > 2**15 for 300^2, 400^2 (elementwise squares)
    "q16.mul": (lambda: q16.mul(_BIG, _BIG), 2),
    # 1/0 and 0/0: division by zero counts as saturation; 300/1 fits
    "q16.div": (lambda: q16.div(_raw([ONE, 0, 300 << 16]), _raw([0, 0, ONE])), 2),
    # exp(11) > 32768 > exp(10)
    "q16.exp": (lambda: q16.exp(_raw([11 << 16, 10 << 16])), 1),
    "q16.from_float": (lambda: q16.from_float([1e6, -1e6, 1.0, 32767.5]), 2),
    # each output is 3 * 200 * 100 = 60000 > 32768
    "q16.matmul": (lambda: q16.matmul(q16.from_float(np.full((2, 3), 200.0)),
                                      q16.from_float(np.full((3, 2), 100.0))), 4),
    # A = 2**-16 I, b = 1: x = 2**16 > MAX
    "q16.solve": (lambda: q16.solve(_eye(2, 1), _raw([ONE, 0])), 1),
    "q16.lu_solve": (lambda: q16.lu_solve(q16.lu_factor(_eye(2, 1)), _raw([ONE, ONE])), 2),
    # U[1,1] = MAX - (-1) * MAX = 2 MAX after one elimination step
    "q16.lu_factor": (lambda: q16.lu_factor(_raw([[ONE, MAX], [-ONE, MAX]])), 1),
    # c = 2**-8 I, b = 1: x = 2**16
    "q16.cho_solve": (lambda: q16.cho_solve(q16.cho_factor(_eye(2, 1)), _raw([ONE, ONE])), 2),
    # 200 * 200 = 40000
    "q16.det": (lambda: q16.det(_eye(2, 200 << 16)), 1),
    "q16.inv": (lambda: q16.inv(_eye(2, 1)), 2),
    "q16.affine_inverse": (lambda: q16.affine_inverse(_affine(1)), 2),
    # the four projections: q, k, v (3 x 4 each, 40000), then w_o on the
    # clamped values (MAX * 100 * 4): 12 + 12 + 12 + 12
    "q16.multi_head_attention": (lambda: q16.multi_head_attention(*_mha_inputs()), 48),
}


@pytest.mark.parametrize("kernel", sorted(CASES))
def test_every_saturating_kernel_warns_with_its_name_and_count(kernel):
    call, count = CASES[kernel]
    reported = "q16.matmul" if kernel == "q16.multi_head_attention" else kernel
    with pytest.warns(attncore.Q16SaturationWarning) as caught, \
            q16.count_saturations() as sat:
        call()
    mine = [w for w in caught if issubclass(w.category, q16.Q16SaturationWarning)]
    assert sum(w.message.count for w in mine) == count == sat.total
    assert {w.message.kernel for w in mine} == {reported}
    assert all(f"{reported}: {w.message.count} output" in str(w.message) for w in mine)
    # the warning points at this file (the user's call), not at attncore
    assert {w.filename for w in mine} == {__file__}


@pytest.mark.parametrize("kernel", sorted(CASES))
def test_every_saturating_kernel_raises_under_errstate_raise(kernel):
    call, _ = CASES[kernel]
    reported = "q16.matmul" if kernel == "q16.multi_head_attention" else kernel
    expected = ZeroDivisionError if kernel == "q16.div" else attncore.Q16OverflowError
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with q16.count_saturations() as sat, q16.errstate(saturation="raise"), \
                pytest.raises(expected) as info:
            call()
    assert sat.total == 0          # nothing was clamped, so nothing counted
    assert str(info.value).startswith(reported)
    if expected is attncore.Q16OverflowError:
        assert info.value.kernel == reported
        assert "errstate(saturation='raise')" in str(info.value)


@pytest.mark.parametrize("kernel", sorted(CASES))
def test_every_saturating_kernel_is_quiet_under_ignore_and_still_counted(kernel):
    call, count = CASES[kernel]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with q16.errstate(saturation="ignore"), q16.count_saturations() as sat:
            call()
    assert sat.total == count


def test_raise_gives_the_first_index_and_leaves_out_untouched():
    a = q16.from_float(np.array([[1.0, 2.0], [300.0, 200.0]]))
    out = np.full((2, 2), 7, np.int32)
    with q16.errstate(saturation="raise"), pytest.raises(attncore.Q16OverflowError) as info:
        q16.matmul(a, a, out=out)
    assert info.value.index == (1, 0)    # row 0: 601, 402 fit; (1, 0): 300 + 60000 does not
    assert np.all(out == 7)
    # the same clamps under "warn" give what overflow="saturate" always gave
    with pytest.warns(q16.Q16SaturationWarning):
        q16.matmul(a, a, out=out)
    assert out[1, 0] == MAX


def test_explicit_policies_other_than_saturate_are_not_changed_by_errstate():
    big = _raw([300 << 16])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with q16.errstate(saturation="raise"), q16.count_saturations() as sat:
            wrapped = q16.mul(big, big, overflow="wrap")   # asked for: no warning, no error
    assert int(wrapped[0]) == ((300 * 300 << 16) + 2**31) % 2**32 - 2**31
    assert dict(sat.wrapped) == {"q16.mul": 1} and sat.total == 0
    with q16.errstate(saturation="ignore"), pytest.raises(attncore.Q16OverflowError) as info:
        q16.mul(big, big, overflow="raise")
    assert "overflow='saturate' to clamp" in str(info.value)


def test_default_mode_and_seterr_geterr():
    assert q16.geterr() == {"saturation": "warn"}
    old = q16.seterr(saturation="ignore")
    try:
        assert old == {"saturation": "warn"}
        assert q16.geterr() == {"saturation": "ignore"}
        assert q16.seterr() == {"saturation": "ignore"}      # None changes nothing
        assert q16.geterr() == {"saturation": "ignore"}
    finally:
        q16.seterr(**old)
    assert q16.geterr() == {"saturation": "warn"}
    for bad in ("print", "Warn", None, 1):
        with pytest.raises(ValueError, match="saturation must be one of"):
            q16.errstate(saturation=bad)
    with pytest.raises(ValueError):
        q16.seterr(saturation="log")
    assert q16.geterr() == {"saturation": "warn"}
    assert set(MODES) == {"ignore", "warn", "raise"}


def test_errstate_nests_restores_on_error_and_decorates():
    with q16.errstate(saturation="ignore"):
        with q16.errstate(saturation="raise"):
            assert q16.geterr()["saturation"] == "raise"
            with pytest.raises(RuntimeError):
                with q16.errstate(saturation="warn"):
                    raise RuntimeError
            assert q16.geterr()["saturation"] == "raise"
        assert q16.geterr()["saturation"] == "ignore"
    assert q16.geterr()["saturation"] == "warn"

    state = q16.errstate(saturation="raise")

    @state
    def inner():
        return q16.geterr()["saturation"]

    assert inner() == "raise" and q16.geterr()["saturation"] == "warn"
    with state:                      # one object, entered twice (re-entrant)
        with state:
            assert q16.geterr()["saturation"] == "raise"
    assert q16.geterr()["saturation"] == "warn"


def test_mode_is_per_thread_and_per_task():
    seen = {}
    barrier = threading.Barrier(2)

    def work(name, mode):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with q16.errstate(saturation=mode), q16.count_saturations() as sat:
                barrier.wait()       # both blocks open at once
                try:
                    q16.mul(_BIG, _BIG)
                    outcome = "returned"
                except attncore.Q16OverflowError:
                    outcome = "raised"
                barrier.wait()
        seen[name] = (outcome, sat.total,
                      sum(issubclass(w.category, q16.Q16SaturationWarning) for w in caught))

    threads = [threading.Thread(target=work, args=(m, m)) for m in ("raise", "ignore")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == {"raise": ("raised", 0, 0), "ignore": ("returned", 2, 0)}

    # a new thread starts in "warn", whatever this thread set
    with q16.errstate(saturation="ignore"):
        modes = []
        t = threading.Thread(target=lambda: modes.append(q16.geterr()["saturation"]))
        t.start()
        t.join()
    assert modes == ["warn"]

    async def task(mode):
        with q16.errstate(saturation=mode):
            await asyncio.sleep(0)
            return q16.geterr()["saturation"]

    async def both():
        return await asyncio.gather(task("raise"), task("ignore"))

    assert asyncio.run(both()) == ["raise", "ignore"]


def test_a_warning_per_call_also_inside_count_saturations():
    with pytest.warns(q16.Q16SaturationWarning) as caught, q16.count_saturations() as sat:
        q16.mul(_BIG, _BIG)
        q16.add(_raw([MAX]), _raw([1]))
    kinds = [(w.message.kernel, w.message.count) for w in caught
             if issubclass(w.category, q16.Q16SaturationWarning)]
    assert kinds == [("q16.mul", 2), ("q16.add", 1)]
    assert sat.total == 3


def test_no_warning_without_saturation():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # "error" turns any warning into an exception; the values show the
        # calls ran in range (5 * 7 raw is 35 / 2**16 LSB, rounded to 0)
        assert q16.mul(_raw([ONE, 5]), _raw([ONE, 7])).tolist() == [ONE, 0]
        assert q16.softmax(q16.from_float([1e3, -1e3])).tolist() == [ONE, 0]


def test_warning_class_and_exports():
    assert issubclass(attncore.Q16SaturationWarning, RuntimeWarning)
    assert attncore.Q16SaturationWarning is q16.Q16SaturationWarning
    assert "Q16SaturationWarning" in attncore.__all__ and "errstate" in q16.__all__
    import pickle
    w = pickle.loads(pickle.dumps(q16.Q16SaturationWarning("q16.mul", 3)))
    assert (w.kernel, w.count, str(w)[:24]) == ("q16.mul", 3, "q16.mul: 3 outputs satur")
