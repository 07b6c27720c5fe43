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


# ---- any thread count, float included (issue 15, issue 17 item 5) ---------

from _every_kernel import differences, run_all  # noqa: E402
from attncore._kernels import runtime  # noqa: E402


@pytest.fixture(scope="module")
def one_thread_results():
    previous = attncore.set_num_threads(1)
    try:
        return run_all()
    finally:
        attncore.set_num_threads(previous)


@pytest.mark.parametrize("threads", [2, 3, 8])
@pytest.mark.parametrize("grain", ["default", "tiny"])
def test_every_kernel_identical_for_any_thread_count(threads, grain, one_thread_results,
                                                     restore_threads):
    """Every kernel, float included, gives the one-thread bits with 2, 3 and
    8 threads; "tiny" makes the runtime share even small calls."""
    attncore.set_num_threads(threads)
    if grain == "tiny":
        runtime.set_grain_ns(1000)
    try:
        before = runtime.stats()["jobs_pooled"]
        got = run_all()
        pooled = runtime.stats()["jobs_pooled"] - before
    finally:
        runtime.set_grain_ns(0)
    assert differences(got, one_thread_results) == []
    if runtime.cpu_count() >= 2:
        assert pooled > 0, "no call used helper threads: the test proves nothing"


def test_issue_15_float32_batch_product_1_vs_2_threads(restore_threads, rng):
    a = rng.standard_normal((32, 512, 64)).astype(np.float32)
    b = rng.standard_normal((32, 64, 64)).astype(np.float32)
    attncore.set_num_threads(1)
    one = attncore.matmul(a, b)
    attncore.set_num_threads(2)
    np.testing.assert_array_equal(attncore.matmul(a, b), one)


def test_float_product_rows_do_not_depend_on_their_neighbours(rng):
    """The GEMM's contract: a row of a product is the product of that row
    alone (same (n, k), so the same path), however the rows are split."""
    a = rng.standard_normal((700, 300)).astype(np.float32)
    b = rng.standard_normal((300, 90)).astype(np.float32)
    whole = attncore.matmul(a, b)
    for i in (0, 5, 95, 96, 191, 699):
        np.testing.assert_array_equal(attncore.matmul(a[i:i + 1], b), whole[i:i + 1])
    np.testing.assert_array_equal(attncore.matmul(a[100:350], b), whole[100:350])


def test_attention_rows_do_not_depend_on_the_query_block(rng):
    """A query row's float attention output is the same computed alone, in
    its 96-row block or at any offset (causal too): the block size cannot
    change results."""
    q = rng.standard_normal((1, 300, 16))
    k = rng.standard_normal((1, 700, 16))
    v = rng.standard_normal((1, 700, 8))
    v[0, 650] = np.inf  # a key no early row can see: must not reach it as 0 * inf
    for causal in (False, True):
        whole = attncore.scaled_dot_product_attention(q, k, v, is_causal=causal)
        if causal:
            assert np.isfinite(whole[0, :100]).all()
        for i in (0, 1, 95, 96, 200, 299):
            if causal:
                # row i alone is row 0 of a shorter query: causality is
                # upper-left aligned, so cut k and v to the keys row i sees
                alone = attncore.scaled_dot_product_attention(
                    q[:, i:i + 1], k[:, :i + 1], v[:, :i + 1])
            else:
                alone = attncore.scaled_dot_product_attention(q[:, i:i + 1], k, v)
            np.testing.assert_array_equal(alone, whole[:, i:i + 1])


@pytest.mark.parametrize("huge", [2**31, 2**63, 10**30])
def test_set_num_threads_accepts_huge_counts(huge, restore_threads, one_thread_results):
    """Issue 17 item 5: a count beyond C's int means "all CPUs"; every
    kernel runs and gives the one-thread bits."""
    attncore.set_num_threads(huge)
    assert attncore.get_num_threads() == huge
    assert differences(run_all(), one_thread_results) == []


ENV_CASES = [
    ({"OMP_NUM_THREADS": "99999999999"}, 99999999999),
    ({"OMP_NUM_THREADS": "3"}, 3),
    ({"OMP_NUM_THREADS": " 4 ,2"}, 4),       # OpenMP's nested list: the first entry
    ({"OMP_NUM_THREADS": "0"}, None),
    ({"OMP_NUM_THREADS": "-2"}, None),
    ({"OMP_NUM_THREADS": "two"}, None),
    ({"OMP_NUM_THREADS": ""}, None),
    ({"OMP_NUM_THREADS": "\u00b2"}, None),    # str.isdigit() says yes, int() says no
    ({"OMP_NUM_THREADS": "1e3"}, None),
    ({"ATTNCORE_NUM_THREADS": "5", "OMP_NUM_THREADS": "2"}, 5),
    ({"ATTNCORE_NUM_THREADS": "junk", "OMP_NUM_THREADS": "2"}, 2),
    ({"ATTNCORE_NUM_THREADS": str(2**70)}, 2**70),
]


@pytest.mark.parametrize("env, expected", ENV_CASES)
def test_thread_environment_parsed_robustly(env, expected):
    """Huge values clamp at use, garbage is ignored (the default: the CPUs
    this process may use), and every kernel runs."""
    import os
    import subprocess
    import sys
    import textwrap

    code = textwrap.dedent("""
        import os, sys
        sys.path.insert(0, %r)
        import attncore
        from _every_kernel import run_all
        print(attncore.get_num_threads())
        run_all()
        print(len(os.sched_getaffinity(0)))
    """ % os.path.dirname(__file__))
    clean = {k: v for k, v in os.environ.items()
             if k not in ("OMP_NUM_THREADS", "ATTNCORE_NUM_THREADS")}
    result = subprocess.run([sys.executable, "-c", code], env={**clean, **env},
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    setting, cpus = map(int, result.stdout.split())
    assert setting == (cpus if expected is None else expected)
