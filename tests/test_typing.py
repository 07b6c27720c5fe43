"""The public API is typed (PEP 561: ``py.typed`` and the stubs beside the
modules): the installed stubs match the runtime signatures (mypy's
stubtest, so a parameter added to fp.py but not to fp.pyi fails here), user
code written against them passes ``mypy --strict`` (tests/typing/usage.py),
and misuse is caught (tests/typing/misuse.py: exactly the lines marked
``# E`` get errors).  Configuration: ``[tool.mypy]`` in pyproject.toml.

mypy is in the test extra; without it this skips, except under CI."""
import importlib.util
import os
import pathlib
import re
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
TYPING = ROOT / "tests" / "typing"

if importlib.util.find_spec("mypy") is None:
    if os.environ.get("CI"):
        pytest.fail("CI must type-check the public API, but mypy is missing", pytrace=False)
    pytest.skip("needs mypy (pip install '.[test]')", allow_module_level=True)


@pytest.fixture(scope="module")
def mypy_env(tmp_path_factory):
    # one cache for both runs: NumPy's stubs are read once
    return dict(os.environ, MYPY_CACHE_DIR=str(tmp_path_factory.mktemp("mypy_cache")))


def run(args, env, cwd):
    return subprocess.run([sys.executable, "-m", *args], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=900)


def test_installed_package_ships_its_types():
    import attncore

    package = pathlib.Path(attncore.__file__).parent
    assert (package / "py.typed").is_file()
    for stub in ("__init__", "fp", "q16", "errors", "saturation", "threads", "reference"):
        assert (package / f"{stub}.pyi").is_file(), stub
    for stub in ("__init__", "fp", "q16"):
        assert (package / "dask" / f"{stub}.pyi").is_file(), stub


def test_user_code_passes_strict_and_misuse_is_caught(mypy_env, tmp_path):
    usage, misuse = TYPING / "usage.py", TYPING / "misuse.py"
    done = run(["mypy", "--config-file", str(ROOT / "pyproject.toml"), "--no-error-summary",
                str(usage), str(misuse)], mypy_env, tmp_path)
    errors = re.findall(r"^(.*?):(\d+): error: (.*)$", done.stdout, re.M)
    assert not [e for e in errors if pathlib.Path(e[0]).name != "misuse.py"], done.stdout
    got = {int(line) for _, line, _ in errors}
    marked = {n for n, text in enumerate(misuse.read_text().splitlines(), 1)
              if re.search(r"#\s*E:", text)}
    assert len(marked) >= 8
    assert got == marked, done.stdout + done.stderr


def test_usage_runs_and_returns_what_the_stubs_declare():
    """stubtest compares parameters only: the return types are checked by
    running the typed usage file, whose ``kind`` calls assert each result's
    runtime type and dtype."""
    pytest.importorskip("dask.array")
    spec = importlib.util.spec_from_file_location("typing_usage", TYPING / "usage.py")
    usage = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(usage)
    usage.run_all()


def test_stubs_match_the_runtime(mypy_env, tmp_path):
    done = run(["mypy.stubtest", "--mypy-config-file", str(ROOT / "pyproject.toml"),
                "--allowlist", str(TYPING / "stubtest_allowlist.txt"), "attncore"],
               mypy_env, tmp_path)
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-2000:]
    assert "Success" in done.stdout
