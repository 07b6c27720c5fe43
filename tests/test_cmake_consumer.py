"""ext/ as firmware and host projects use it: the CMake consumer project
(ext/tests/cmake_consumer) builds examples/main.c against attncore with
add_subdirectory and with an installed package (find_package, and
pkg-config), and runs it -- on the host, and on the Cortex-M4 under QEMU
when arm-none-eabi-gcc and qemu-system-arm are there (with CI set, they must
be)."""
import os
import pathlib
import shutil
import subprocess

import pytest

EXT = pathlib.Path(__file__).resolve().parents[1] / "ext"
HOST = ("cmake", "cc", "pkg-config")
M4 = ("arm-none-eabi-gcc", "qemu-system-arm")


def test_cmake_consumer(tmp_path, capsys):
    missing = [t for t in HOST + M4 if shutil.which(t) is None]
    if missing and os.environ.get("CI"):
        pytest.fail(f"CI must build the consumer project, but {', '.join(missing)} are missing")
    if any(t in missing for t in HOST):
        pytest.skip(f"needs {', '.join(missing)}")
    host_only = any(t in missing for t in M4)
    cmd = ["bash", str(EXT / "tests" / "cmake_consumer" / "run.sh"), str(EXT), str(tmp_path)]
    r = subprocess.run(cmd + (["--host-only"] if host_only else []), capture_output=True,
                       text=True, timeout=1200)
    log = r.stdout + r.stderr
    assert r.returncode == 0, log[-4000:]
    assert log.count("example: ok") >= (2 if host_only else 4), log[-4000:]
    with capsys.disabled():
        for line in log.splitlines():
            if line.startswith(("===", "cmake consumer")) or "stack" in line or "text" in line:
                print(f"\n[consumer] {line}", end="")
        print()
