"""The documentation site builds with Sphinx, warnings as errors, from the
installed package and this tree (what ``sphinx-build -W -b html docs
docs/_build/html`` does); its C API page lists every public declaration of
ext/include/attncore/*.h (found here by a separate, simpler reading of the
headers than the one that generates the page); the examples of its guide
pages run as doctests; and the images README.md shows exist.

Needs the docs extra (sphinx, numpydoc, myst-parser; all in the test
extra): without them this skips, except under CI."""
import doctest
import importlib.util
import os
import pathlib
import re
import subprocess
import sys
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
HEADERS = sorted((ROOT / "ext" / "include" / "attncore").glob("*.h"))

MISSING = [m for m in ("sphinx", "numpydoc", "myst_parser") if importlib.util.find_spec(m) is None]
needs_sphinx = pytest.mark.skipif(bool(MISSING) and not os.environ.get("CI"),
                                  reason=f"needs {', '.join(MISSING)} (pip install '.[docs]')")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    if MISSING:
        pytest.fail(f"CI must build the docs, but {MISSING} are missing", pytrace=False)
    out = tmp_path_factory.mktemp("html")
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-E", "-q",
                           "-b", "html", "-d", str(out / ".doctrees"), str(DOCS), str(out)],
                          capture_output=True, text=True, timeout=900)
    seconds = time.perf_counter() - start
    return out, done, seconds


@needs_sphinx
def test_site_builds_without_warnings(site, capsys):
    out, done, seconds = site
    warnings = [line for line in done.stderr.splitlines() if "WARNING" in line or "ERROR" in line]
    assert done.returncode == 0 and not warnings, done.stderr[-5000:]
    with capsys.disabled():
        print(f"\n[docs] sphinx-build -W: {len(warnings)} warnings, {seconds:.1f} s")
    for page in ("index", "api/fp", "api/q16", "api/dask", "api/helpers", "api/reference",
                 "api/c", "guide/q16_costs", "guide/factor_once",
                 "guide/attention_conventions", "guide/threads", "guide/firmware", "report",
                 "changelog"):
        assert (out / f"{page}.html").is_file(), page
    # the API pages document every public function of both backends
    from attncore import fp, q16

    for page, module in (("api/fp", fp), ("api/q16", q16)):
        text = (out / f"{page}.html").read_text()
        for name in module.__all__:
            if name not in ("count_saturations", "SaturationCounts"):
                assert f'id="{module.__name__}.{name}"' in text, name


@needs_sphinx
def test_optional_pages_appear_once_their_part_exists(site):
    out, _, _ = site
    index = (out / "index.html").read_text()
    if (DOCS / "parity.md").exists() or (DOCS / "parity.rst").exists():
        assert (out / "parity.html").is_file() and 'href="parity.html"' in index
    if (ROOT / "src" / "attncore" / "interop").is_dir():
        page = (out / "api" / "interop.html").read_text()
        import attncore.interop

        for name in getattr(attncore.interop, "__all__", []):
            assert f'id="attncore.interop.{name}"' in page, name
    else:
        assert not (out / "api" / "interop.html").exists()


def declared_names(text):
    """Public names a header declares: function names, macros (not the
    include guard), typedef names, enum constants and struct members (as
    ``struct.member``).  Read by regular expressions on the comment-free
    text, independently of docs/_ext/c_headers.py."""
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"#ifdef __cplusplus.*?#endif", " ", text, flags=re.S)
    names = set(re.findall(r"^\s*#\s*define\s+(\w+)", text, re.M))
    names = {n for n in names if not re.fullmatch(r"ATTNCORE_\w+_H", n)}
    code = re.sub(r"^\s*#.*$", " ", text, flags=re.M)
    # function bodies of static inline definitions do not declare anything
    while re.search(r"\)\s*\{[^{}]*\}", code):
        code = re.sub(r"\)\s*\{[^{}]*\}", ");", code)
    for kind, body, name in re.findall(r"typedef\s+(enum|struct)\s*\w*\s*\{(.*?)\}\s*(\w+)\s*;",
                                       code, re.S):
        names.add(name)
        if kind == "enum":
            names |= {f"{name}.{m}" for m in re.findall(r"(\w+)\s*(?:=[^,]*)?(?:,|$)", body)}
        else:
            for member in body.split(";"):
                for declarator in member.split(","):  # `size_t row0, col0;` declares two
                    found = re.findall(r"(\w+)\s*$", declarator.strip())
                    if found:
                        names.add(f"{name}.{found[0]}")
    code = re.sub(r"typedef\s+(enum|struct)\s*\w*\s*\{.*?\}\s*\w+\s*;", " ", code, flags=re.S)
    names |= set(re.findall(r"typedef\s+[\w\s\*]+?\b(\w+)\s*;", code))
    names |= set(re.findall(r"\b(\w+)\s*\([^()]*(?:\([^()]*\)[^()]*)*\)\s*;", code))
    return {n for n in names if "__" not in n.strip("_")}


@needs_sphinx
def test_c_api_lists_every_public_declaration(site):
    out, _, _ = site
    page = (out / "api" / "c.html").read_text()
    ids = set(re.findall(r'id="c\.([\w.]+)"', page))
    expected = set()
    for header in HEADERS:
        expected |= declared_names(header.read_text())
    assert len(expected) > 100
    assert {"ac_q16_solve", "ac_q16_mul", "AC_Q16_ONE", "ac_status.AC_OK", "ac_tally.events",
            "ac_attention_masks.col0", "ac_q16"} <= expected
    assert not expected - ids, sorted(expected - ids)
    assert "ac_q16__from_bits" not in page  # private helpers stay out


GUIDE = sorted(DOCS.glob("guide/*.rst")) + [DOCS / "index.rst"]


@pytest.mark.parametrize("page", GUIDE, ids=lambda p: p.name)
def test_guide_examples_run(page):
    result = doctest.testfile(str(page), module_relative=False, report=True,
                              optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


def test_readme_images_exist():
    text = (ROOT / "README.md").read_text()
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert "docs/solve_error_vs_cond.png" in images and "docs/report_screenshot.png" in images
    for image in images:
        data = (ROOT / image).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n", image
