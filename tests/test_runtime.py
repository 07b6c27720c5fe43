"""The parallel runtime (src/attncore/_kernels/pool.c, runtime.pyx): its C
stress tests under every sanitizer that applies, one pool per process, no
OpenMP or BLAS anywhere in the kernels, several Python threads calling
kernels at once, and plans that do not depend on the thread count."""
import pathlib
import shutil
import subprocess
import sys
import textwrap
import threading

import numpy as np
import pytest

import attncore
import attncore.q16 as q16
from attncore._kernels import runtime

ROOT = pathlib.Path(__file__).resolve().parents[1]
KERNELS = ROOT / "src" / "attncore" / "_kernels"
STRICT = ["-std=c99", "-pedantic", "-Wall", "-Wextra", "-Werror", "-Wshadow", "-Wconversion",
          "-Wsign-conversion"]
BUILDS = {
    "native": ["-O2", "-g"],
    "tsan": ["-O1", "-g", "-fsanitize=thread"],
    "asan_ubsan": ["-O1", "-g", "-fsanitize=address,undefined", "-fno-sanitize-recover=all"],
    "condvar": ["-O2", "-g", "-DAC_RT_NO_FUTEX"],
}


@pytest.mark.skipif(shutil.which("cc") is None, reason="needs a C compiler")
@pytest.mark.parametrize("build", sorted(BUILDS))
def test_pool_c_tests(build, tmp_path):
    exe = tmp_path / f"test_pool_{build}"
    compile_ = subprocess.run(
        ["cc", *STRICT, *BUILDS[build], f"-I{KERNELS}", str(KERNELS / "pool.c"),
         str(ROOT / "tests" / "pool" / "test_pool.c"), "-pthread", "-o", str(exe)],
        capture_output=True, text=True, timeout=600)
    if compile_.returncode != 0 and build in ("tsan", "asan_ubsan") \
            and "cannot find" in compile_.stderr:
        pytest.skip(f"this compiler has no {build} runtime: {compile_.stderr.strip()[-200:]}")
    assert compile_.returncode == 0, compile_.stderr[-4000:]
    env = {"TSAN_OPTIONS": "halt_on_error=1 second_deadlock_stack=1 die_after_fork=0",
           "PATH": "/usr/bin:/bin"}
    result = subprocess.run([str(exe), "quick"], capture_output=True, text=True, timeout=600,
                            env=env)
    print(result.stdout[-3000:], result.stderr[-3000:])
    assert result.returncode == 0, result.stderr[-4000:]
    assert "ok (0 failures)" in result.stdout


def _extension_files():
    files = sorted(pathlib.Path(attncore.__file__).parent.glob("_kernels/*.so"))
    assert files, "no compiled kernel modules found"
    return files


@pytest.mark.skipif(shutil.which("nm") is None or shutil.which("readelf") is None,
                    reason="needs binutils")
def test_one_pool_per_process_and_no_openmp_or_blas():
    """pool.c is linked into the runtime module only (one set of globals per
    process); no kernel module needs libgomp or any BLAS library."""
    with_pool = []
    for so in _extension_files():
        symbols = subprocess.run(["nm", "--defined-only", str(so)], capture_output=True,
                                 text=True, check=True).stdout
        if " ac_rt_run" in symbols:
            with_pool.append(so.name.split(".")[0])
        needed = subprocess.run(["readelf", "-d", str(so)], capture_output=True, text=True,
                                check=True).stdout
        libs = [line.split("[")[1].rstrip("]") for line in needed.splitlines()
                if "(NEEDED)" in line]
        for lib in libs:
            assert not any(bad in lib.lower() for bad in ("gomp", "omp", "blas", "lapack",
                                                           "mkl", "scipy")), (so.name, lib)
        undefined = subprocess.run(["nm", "--undefined-only", str(so)], capture_output=True,
                                   text=True, check=True).stdout
        for bad in ("GOMP_", "omp_get", "sgemm", "dgemm", "openblas"):
            assert bad not in undefined, (so.name, bad)
    assert with_pool == ["runtime"]


def test_float_kernels_run_where_scipy_cannot_be_imported():
    """The kernels need no SciPy (and so no BLAS lookup that could fail):
    every float kernel runs in a process where importing scipy raises."""
    code = textwrap.dedent("""
        import sys
        sys.modules["scipy"] = None  # any import of scipy raises ImportError
        import numpy as np
        import attncore
        from attncore import fp
        rng = np.random.default_rng(0)
        a = rng.standard_normal((8, 64, 64)).astype(np.float32)
        x = rng.standard_normal((4, 4, 4)) + 4 * np.eye(4)
        r = rng.standard_normal((4, 4, 1))
        assert np.allclose(fp.matmul(a, a), a @ a, rtol=1e-4, atol=1e-4)
        assert np.allclose(fp.matmul(x, x), x @ x)
        assert np.allclose(fp.softmax(a).sum(-1), 1, atol=1e-5)
        assert np.isfinite(fp.log_softmax(a)).all()
        out = fp.scaled_dot_product_attention(a, a, a, is_causal=True)
        assert out.shape == a.shape and np.isfinite(out).all()
        w = a[0] @ np.eye(64, dtype=np.float32)
        y = fp.multi_head_attention(a, a, a, w, w, w, w, 4)
        assert y.shape == a.shape
        assert np.allclose(fp.solve(x, r), np.linalg.solve(x, r))
        lu, piv = fp.lu_factor(x)
        assert np.allclose(fp.lu_solve((lu, piv), r), np.linalg.solve(x, r))
        assert np.allclose(fp.cho_solve(fp.cho_factor(x @ np.swapaxes(x, -1, -2)), r),
                           np.linalg.solve(x @ np.swapaxes(x, -1, -2), r))
        assert np.allclose(fp.det(x), np.linalg.det(x))
        assert np.allclose(fp.inv(x), np.linalg.inv(x))
        t = np.tile(np.eye(4), (3, 1, 1)); t[:, :3, 3] = 1.5
        assert np.allclose(fp.affine_inverse(t), np.linalg.inv(t))
        assert "scipy.linalg" not in sys.modules
        print("ok")
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-4000:]
    assert result.stdout.strip() == "ok"


@pytest.mark.parametrize("threads", [1, 2, 3, 8, 2**40])
def test_plan_does_not_depend_on_threads(threads):
    for n_units, est_ns in [(0, 0), (1, 10**9), (100_000, 6e5), (7, 3e7), (10**9, 1e12),
                            (12345, 1.5e19), (5000, 1e3)]:
        one = runtime.plan(n_units, est_ns, 1)
        many = runtime.plan(n_units, est_ns, threads)
        assert many[:2] == one[:2]
        assert many[1] <= runtime.MAX_CHUNKS
        assert 1 <= many[2] <= min(runtime.cpu_count(), runtime.HARD_MAX_THREADS)
        assert one[2] == 1


def test_thread_counts_clamp():
    cpus = runtime.cpu_count()
    assert 1 <= cpus <= runtime.HARD_MAX_THREADS
    assert runtime.clamp_threads(1) == 1
    for huge in (2**31, 2**63, 10**30):
        assert runtime.clamp_threads(huge) == cpus


@pytest.fixture(autouse=True)
def restore_threads():
    previous = attncore.get_num_threads()
    yield
    attncore.set_num_threads(previous)


@pytest.fixture
def small_grain():
    """Make the runtime use helpers even for small calls (and no stall
    defence), so the tests exercise the pool on any input size."""
    runtime.set_grain_ns(1000)
    yield
    runtime.set_grain_ns(0)


def _workload(rng):
    a = rng.standard_normal((64, 48, 40)).astype(np.float32)
    b = rng.standard_normal((64, 40, 24)).astype(np.float32)
    x = q16.from_float(rng.uniform(-4, 4, 200_000))
    q = rng.standard_normal((4, 100, 32))
    return [lambda: attncore.matmul(a, b), lambda: q16.mul(x, x), lambda: q16.exp(x),
            lambda: attncore.softmax(a), lambda: attncore.scaled_dot_product_attention(q, q, q),
            lambda: q16.matmul(x[:40_000].reshape(2500, 4, 4), x[:40_000].reshape(2500, 4, 4))]


def test_python_threads_call_kernels_at_once(small_grain, rng):
    """Several Python threads calling kernels at the same time: one of them
    gets the pool, the others run inline; every result is the one-thread
    result."""
    work = _workload(rng)
    attncore.set_num_threads(1)
    expected = [f() for f in work]
    attncore.set_num_threads(8)
    errors = []

    def caller(seed):
        order = np.random.default_rng(seed).permutation(len(work))
        for _ in range(6):
            for i in order:
                if not np.array_equal(work[i](), expected[i]):
                    errors.append(i)

    before = runtime.stats()
    threads = [threading.Thread(target=caller, args=(s,)) for s in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not any(t.is_alive() for t in threads), "a kernel call hung"
    assert errors == []
    after = runtime.stats()
    if runtime.cpu_count() >= 2:
        assert after["jobs_pooled"] > before["jobs_pooled"]


def test_small_calls_stay_on_the_calling_thread():
    """Below the grain no helper is woken (the sporadic-call stall of issue
    16: a call of a few microseconds must not pay for a wake-up)."""
    attncore.set_num_threads(8)
    x = np.ones((16, 4, 4), np.float32)
    attncore.matmul(x, x)
    before = runtime.stats()
    for _ in range(50):
        attncore.matmul(x, x)
        attncore.softmax(x)
    after = runtime.stats()
    assert after["jobs_pooled"] == before["jobs_pooled"]
    assert after["futex_wakes"] == before["futex_wakes"]
