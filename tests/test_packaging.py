"""The source distribution is complete and installs: it holds every file of
the repository (git's view: tracked and untracked-but-not-ignored files),
including what the tests read beside the package (ext/ with its Makefile,
README and tests, tests/conftest.py and golden_vectors.py, docs/, bench/,
tools/); a fresh virtual environment installs it with pip (building the C
core from the sdist alone, with pip's build isolation, as a user's ``pip
install attncore-*.tar.gz`` does) and passes a subset of the test suite run
from the unpacked sdist (SDIST_SUBSET, chosen below); and adding an extra by
name afterwards does not rebuild attncore.

The round trip takes minutes (a full compile): it is marked ``sdist``; CI
runs it once, as part of the README's test command (``pytest -m "not
sdist"`` skips it while iterating).  Needs ``build`` (test extra) and, to
build the sdist without isolation, setuptools >= 77 and Cython here.
"""
import importlib.metadata
import importlib.util
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tarfile
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]

# What the tests and the docs read beside the installed package.
REQUIRED = [
    "README.md", "LICENSE", "CHANGELOG.md", "pyproject.toml", "setup.py", "MANIFEST.in",
    ".ci/run", "ext/Makefile", "ext/README.md", "ext/include/attncore/q16.h",
    "ext/src/q16/q16_scalar.c", "ext/tests/test_q16.c", "ext/tests/target/golden_runner.c",
    "ext/examples/main.c", "tests/conftest.py", "tests/golden_vectors.py",
    "tests/typing/usage.py", "docs/conf.py", "docs/_ext/c_headers.py",
    "docs/solve_error_vs_cond.png", "docs/report_screenshot.png", "docs/report/report.json",
    "bench/run_all.py", "tools/gen_exp_tables.py", "src/attncore/py.typed",
    "src/attncore/fp.pyi", "src/attncore/report/schema.json",
]

# The tests run from the unpacked sdist, and why these: each reads files the
# sdist must carry or checks the build made from it, in about 4 minutes on
# 2 cores; the numerical suites already run from the checkout against the
# same sources (test_dask, test_minilm and the hypothesis-heavy suites would
# add 5+ minutes and prove nothing about packaging).
SDIST_SUBSET = [
    "tests/test_architecture.py",  # src/ and ext/ laid out as the import arrows expect
    "tests/test_c_core.py",        # ext/Makefile, ext/tests, ext/src: the C suite builds and passes
    "tests/test_docs.py",          # doctests of the installed modules, README's code blocks
    "tests/test_docs_site.py",     # docs/ and the headers: the site builds, warnings as errors
    "tests/test_typing.py",        # py.typed and the stubs were installed, and match
    "tests/test_q16_arith.py",     # the extension compiled from the sdist is correctly rounded
    "tests/test_report.py",        # schema.json (package data), the CLI entry point
]

IGNORED_IN_COPY = {".git", "build", "dist", "__pycache__", ".hypothesis", ".pytest_cache",
                   ".mypy_cache", "_build"}


def repository_files():
    """Files of the tree as git sees it (tracked, or untracked and not
    ignored); without git (an unpacked sdist), every file but build output."""
    if (ROOT / ".git").exists() and shutil.which("git"):
        done = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard",
                               "-z"], cwd=ROOT, capture_output=True, check=True)
        return sorted(name for name in done.stdout.decode().split("\0")
                      if name and (ROOT / name).is_file())
    files = []
    for path in ROOT.rglob("*"):
        rel = path.relative_to(ROOT)
        if path.is_file() and not IGNORED_IN_COPY & set(rel.parts) \
                and not any(p.endswith(".egg-info") for p in rel.parts) \
                and path.suffix not in (".so", ".o", ".pyc") \
                and not (rel.parts[:3] == ("src", "attncore", "_kernels")
                         and path.suffix in (".c", ".html")) \
                and rel.name not in ("PKG-INFO", "setup.cfg"):
            files.append(rel.as_posix())
    return sorted(files)


def _can_build_here():
    try:
        setuptools = tuple(int(p) for p in importlib.metadata.version("setuptools").split(".")[:1])
    except importlib.metadata.PackageNotFoundError:
        return False
    return setuptools >= (77,) and importlib.util.find_spec("Cython") is not None


@pytest.fixture(scope="module")
def sdist(tmp_path_factory):
    """The sdist, built from a copy of the tree (the checkout is not written to)."""
    if importlib.util.find_spec("build") is None:
        if os.environ.get("CI"):
            pytest.fail("CI must build the sdist, but `build` is missing", pytrace=False)
        pytest.skip("needs build (pip install '.[test]')")
    work = tmp_path_factory.mktemp("sdist")
    tree = work / "tree"
    for name in repository_files():
        (tree / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, tree / name)
    command = [sys.executable, "-m", "build", "--sdist", "--outdir", str(work / "dist")]
    if _can_build_here():  # else build fetches the build requirements itself
        command.append("--no-isolation")
    start = time.perf_counter()
    done = subprocess.run(command + [str(tree)], capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (path,) = (work / "dist").glob("attncore-*.tar.gz")
    return path, time.perf_counter() - start


def test_sdist_holds_the_repository(sdist):
    path, _ = sdist
    with tarfile.open(path) as tar:
        names = [m.name for m in tar.getmembers() if m.isfile()]
    top = names[0].split("/")[0]
    inside = {name.split("/", 1)[1] for name in names}
    missing = [name for name in REQUIRED if name not in inside]
    assert not missing, missing
    expected = {name for name in repository_files() if name != ".gitignore"}
    assert not expected - inside, sorted(expected - inside)
    extra = {name for name in inside - expected
             if name not in ("PKG-INFO", "setup.cfg") and ".egg-info/" not in name}
    assert not extra, sorted(extra)  # no build output, no generated Cython C
    assert top == f"attncore-{importlib.metadata.version('attncore')}"


def _venv_python(venv):
    return venv / "bin" / "python"


@pytest.mark.sdist
def test_fresh_venv_installs_the_sdist_and_passes(sdist, tmp_path, capsys):
    path, build_seconds = sdist
    times = {"sdist": build_seconds}
    venv = tmp_path / "venv"
    # System site-packages provide the heavy dependencies (NumPy, SciPy, ...)
    # without a download; attncore itself comes from the sdist only (checked).
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)],
                   check=True, timeout=300)
    python = _venv_python(venv)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    done = subprocess.run([str(python), "-m", "pip", "install", "--quiet",
                           f"attncore[test] @ {path.as_uri()}"], capture_output=True, text=True,
                          env=env, timeout=1800)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    times["venv + pip install (compiles the C core)"] = time.perf_counter() - start

    where = subprocess.run([str(python), "-c", "import attncore; print(attncore.__file__)"],
                           capture_output=True, text=True, env=env, cwd=tmp_path, check=True)
    assert where.stdout.strip().startswith(str(venv)), where.stdout
    version = subprocess.run([str(venv / "bin" / "attncore"), "--version"], capture_output=True,
                             text=True, env=env, check=True)
    assert version.stdout.strip() == f"attncore {importlib.metadata.version('attncore')}"

    # an extra added by name reuses the installed attncore: nothing to build
    # or download for it (--no-index would fail if pip wanted attncore again)
    done = subprocess.run([str(python), "-m", "pip", "install", "--dry-run", "--no-index",
                           "--quiet", "--report", "-", "attncore[plots]"], capture_output=True,
                          text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    assert "attncore" not in [item["metadata"]["name"] for item in report["install"]]

    unpacked = tmp_path / "unpacked"
    with tarfile.open(path) as tar:
        tar.extractall(unpacked, filter="data")
    (tree,) = unpacked.iterdir()
    start = time.perf_counter()
    done = subprocess.run([str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           *SDIST_SUBSET], capture_output=True, text=True, env=env, cwd=tree,
                          timeout=3600)
    times["tests from the unpacked sdist"] = time.perf_counter() - start
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-3000:]
    summary = done.stdout.strip().splitlines()[-1]
    assert " passed" in summary and "failed" not in summary, summary
    with capsys.disabled():
        print(f"\n[sdist] {path.name}: {summary}")
        for what, seconds in times.items():
            print(f"[sdist]   {what}: {seconds:.0f} s")
