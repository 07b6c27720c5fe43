"""The C core on a 32-bit FPU-less target (Cortex-M4, soft float) is
bit-identical to the Python package: a freestanding build with every
warning an error, a check that the Q16.16 objects need no float helper, libc
or heap, and the golden vectors of tests/golden_vectors.py replayed by a
test firmware under QEMU with zero mismatches.

Needs arm-none-eabi-gcc and qemu-system-arm (CI installs them; with CI set,
a missing toolchain is a failure, not a skip)."""
import collections
import os
import pathlib
import re
import shutil
import subprocess

import pytest

import golden_vectors

EXT = pathlib.Path(__file__).resolve().parents[1] / "ext"
TOOLS = ("arm-none-eabi-gcc", "arm-none-eabi-nm", "arm-none-eabi-size", "qemu-system-arm")
MISSING = [tool for tool in TOOLS if shutil.which(tool) is None]

if MISSING and os.environ.get("CI"):
    pytest.fail(f"CI must run the target tests, but {MISSING} are missing", pytrace=False)
pytestmark = pytest.mark.skipif(bool(MISSING), reason=f"needs {', '.join(MISSING)}")


def make(*args, build):
    result = subprocess.run(["make", "-C", str(EXT), *args, f"BUILD={build}"],
                            capture_output=True, text=True, timeout=900)
    return result.returncode, result.stdout + result.stderr


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    return tmp_path_factory.mktemp("m4")


def test_m4_build_and_q16_symbol_check(build, capsys):
    code, log = make("m4-check", build=build)
    assert code == 0, log
    assert "warning" not in log.lower(), log
    assert "Q16.16 symbol check passed" in log
    with capsys.disabled():
        print("\n[m4] freestanding Cortex-M4 build: 0 warnings (-Werror)")
        for line in log.splitlines():
            if line.startswith(("ok ", "FAIL", "Q16.16 symbol", "   text")) \
                    or re.match(r"\s+\d+\s+\d+\s+\d+\s+\d+", line) \
                    or re.match(r"\s+\w+\s+\d+\s+static", line):
                print("[m4]", line.replace(str(build) + "/", ""))


def test_m4_example_compiles(build):
    code, log = make("example", build=build)
    assert code == 0, log


def test_m4_golden_vectors_bit_identical(build, capsys):
    golden = build / "golden.h"
    golden.write_text(golden_vectors.build())
    code, log = make("m4-run", f"GOLDEN={golden}", build=build)
    lines = re.findall(r"^(q16[^:]*): (\d+) vectors, (\d+) mismatches$", log, re.M)
    assert lines, log[-3000:]
    per_kernel = collections.defaultdict(lambda: [0, 0, 0])
    for name, vectors, bad in lines:
        kernel = name.split()[0] + (" from_int" if "from_int" in name else "")
        per_kernel[kernel][0] += int(vectors)
        per_kernel[kernel][1] += int(bad)
        per_kernel[kernel][2] += 1
    with capsys.disabled():
        print("\n[m4] golden vectors under qemu-system-arm -M mps2-an386:")
        for kernel, (vectors, bad, cases) in sorted(per_kernel.items()):
            print(f"[m4]   {kernel:<16} {cases:>3} cases, {vectors:>6} vectors, {bad} mismatches")
    total = re.search(r"TOTAL: (\d+) vectors, (\d+) mismatches", log)
    assert total and total.group(2) == "0", log[-3000:]
    assert code == 0, log[-3000:]
    assert {"q16.add", "q16.sub", "q16.mul", "q16.div", "q16.sqrt", "q16.exp",
            "q16 from_int", "q16.matmul", "q16.softmax", "q16.attention",
            "q16.linalg"} <= set(per_kernel)
