"""The C core's own tests (ext/tests), built with -std=c99 -pedantic -Werror
and run under UBSan + ASan: the Q16.16 tests with and without the __int128
fast path, the exact linear algebra in four builds (both paths, each with
the fast n <= 4 engine and the general engine forced), and the float
kernels' exp/log against libm."""
import pathlib
import shutil
import subprocess

import pytest

EXT = pathlib.Path(__file__).resolve().parents[1] / "ext"


@pytest.mark.skipif(shutil.which("make") is None or shutil.which("cc") is None,
                    reason="needs make and a C compiler")
def test_c_core_under_sanitizers(tmp_path):
    result = subprocess.run(
        ["make", "-C", str(EXT), "check", f"BUILD={tmp_path}"],
        capture_output=True, text=True, timeout=600,
    )
    print(result.stdout[-4000:], result.stderr[-4000:])
    assert result.returncode == 0, result.stderr[-4000:]
    assert result.stdout.count(", 0 failed") == 7
