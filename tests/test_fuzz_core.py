"""A bounded run of the C core's fuzz target (ext/fuzz/, issue 17): builds
it with clang, libFuzzer, ASan and UBSan, replays the committed corpus (the
edge cases found so far) and runs a fixed number of new executions.  Any
sanitizer report or failed property check fails the test.

In CI (CI=true) a missing clang or libFuzzer runtime is a failure (.ci/run
installs them); elsewhere the test is skipped with the install command."""
import os
import pathlib
import re
import shutil
import subprocess

import pytest

EXT = pathlib.Path(__file__).resolve().parent.parent / "ext"
RUNS = int(os.environ.get("ATTNCORE_FUZZ_RUNS", "200000" if os.environ.get("ATTNCORE_DEEP") == "1"
                          else "30000"))


def _build(build):
    if shutil.which("clang") is None:
        return "clang is not installed (apt-get install clang libclang-rt-14-dev)"
    done = subprocess.run(["make", "-C", str(EXT), "fuzz", f"BUILD={build}"],
                          capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        if "fuzzer" in done.stderr and ("cannot find" in done.stderr or
                                        "No such file" in done.stderr):
            return ("clang's libFuzzer runtime is missing (apt-get install "
                    "libclang-rt-14-dev)")
        pytest.fail(f"the fuzz target does not build:\n{done.stderr[-3000:]}")
    return None


def test_fuzz_target_runs_clean(tmp_path):
    missing = _build(tmp_path)
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(missing)
        pytest.skip(missing)
    corpus = EXT / "fuzz" / "corpus"
    seeds = sorted(corpus.iterdir())
    assert seeds, "the committed corpus is empty"
    done = subprocess.run(
        ["make", "-C", str(EXT), "fuzz-run", f"BUILD={tmp_path}", f"FUZZ_RUNS={RUNS}",
         f"FUZZ_CORPUS={tmp_path / 'scratch'}"],
        capture_output=True, text=True, timeout=1800)
    log = done.stdout + done.stderr
    assert done.returncode == 0, log[-5000:]
    assert "ERROR:" not in log and "runtime error" not in log, log[-5000:]
    executed = int(re.search(r"stat::number_of_executed_units:\s*(\d+)", log).group(1))
    assert executed >= RUNS
    assert not list(tmp_path.glob("crash-*")) and not list(tmp_path.glob("leak-*"))
