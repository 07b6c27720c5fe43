"""The layout keeps its arrows (README.md, "Architecture"): imports run
public -> _api -> _kernels, the oracle imports nothing it judges, and the
users of the public API (report, dask, models, interop) stay outside the layers
below it.  Plus the two tables that must stay true: the status table
against the C enum, and ext/README.md's file names against the tree."""
import ast
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "attncore"

PUBLIC = {"attncore", "attncore.fp", "attncore.q16"}
HELPERS = {"attncore.errors", "attncore.saturation", "attncore.threads"}

# part -> the attncore modules (prefixes) it may import
ALLOWED = {
    "helpers": {"attncore.errors"},  # saturation warns with errors' warning class
    "reference": {"attncore.errors"},
    "public": PUBLIC | HELPERS | {"attncore.reference", "attncore._api"},
    "_api": HELPERS | {"attncore._api", "attncore._kernels"},
    "_kernels": {"attncore._kernels"},
    "report": PUBLIC | HELPERS | {"attncore.reference", "attncore.report", "attncore.models"},
    "dask": PUBLIC | HELPERS | {"attncore.dask"},
    "models": PUBLIC | HELPERS | {"attncore.reference", "attncore.models"},
    "interop": PUBLIC | HELPERS | {"attncore.interop"},
}


def part_of(module):
    if module in HELPERS:
        return "helpers"
    if module == "attncore.reference":
        return "reference"
    if module == "attncore.__main__":  # `python -m attncore report`
        return "report"
    if module in PUBLIC:
        return "public"
    return module.split(".")[1]


def module_name(path):
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_module(name):
    """Whether ``name`` is a module or package of the source tree (``from
    attncore import fp`` imports one, ``from attncore import __version__``
    does not)."""
    path = PACKAGE.parent.joinpath(*name.split("."))
    return path.is_dir() or any(path.with_suffix(s).exists() for s in (".py", ".pyx", ".pxd"))


def imports(path):
    """The attncore modules a .py file imports (ast), or a .pyx/.pxd file
    imports or cimports (Cython is not Python syntax: by pattern)."""
    text = path.read_text()
    found = set()
    if path.suffix == ".py":
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Import):
                found |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found |= {node.module} | {f"{node.module}.{a.name}" for a in node.names
                                          if is_module(f"{node.module}.{a.name}")}
    else:
        for match in re.finditer(r"^\s*(?:from\s+([\w.]+)\s+c?import|c?import\s+([\w.]+))", text,
                                 re.M):
            found.add(match.group(1) or match.group(2))
    return {name for name in found if name == "attncore" or name.startswith("attncore.")}


def sources():
    return sorted(p for p in PACKAGE.rglob("*") if p.suffix in (".py", ".pyx", ".pxd"))


def allowed(part, name):
    # "attncore" itself (`from attncore import fp`) allows no submodule
    return any(name == ok or (ok != "attncore" and name.startswith(ok + "."))
               for ok in ALLOWED[part])


def test_every_source_belongs_to_a_part():
    parts = {part_of(module_name(path)) for path in sources()}
    assert parts <= set(ALLOWED), parts - set(ALLOWED)


@pytest.mark.parametrize("path", sources(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_follow_the_arrows(path):
    module = module_name(path)
    part = part_of(module)
    bad = sorted(name for name in imports(path)
                 if not allowed(part, name) and name != module)
    assert not bad, f"{module} ({part}) may not import {bad}"


def test_the_check_sees_a_forbidden_import(tmp_path):
    """The pattern above would catch the call back up this layout removed."""
    sample = tmp_path / "sample.py"
    sample.write_text("from attncore import q16\nimport attncore._kernels.core\n")
    assert imports(sample) >= {"attncore.q16", "attncore._kernels.core"}
    assert not allowed("_api", "attncore.q16") and not allowed("reference", "attncore._kernels")
    assert not allowed("_kernels", "attncore._api") and not allowed("dask", "attncore._api")
    assert not allowed("report", "attncore._kernels.core")
    assert not allowed("interop", "attncore._api.mha") and not allowed("interop",
                                                                      "attncore._kernels")
    assert allowed("interop", "attncore.q16")


def test_status_table_matches_the_c_enum():
    from attncore._api import status
    from attncore._kernels import core

    header = (ROOT / "ext" / "include" / "attncore" / "status.h").read_text()
    body = re.search(r"typedef enum ac_status \{(.*?)\} ac_status;", header, re.S).group(1)
    body = re.sub(r"/\*.*?\*/", "", body, flags=re.S)
    in_c = {name: int(value) for name, value in re.findall(r"(\w+)\s*=\s*(\d+)", body)}
    assert {m.name: int(m) for m in core.ac_status} == in_c
    assert set(status.TABLE) == set(core.ac_status) - {core.ac_status.AC_OK}


def test_ext_readme_names_only_files_that_exist():
    text = (ROOT / "ext" / "README.md").read_text()
    named = {t for t in re.findall(r"`([^`\s]+)`", text)
             if "/" in t and re.search(r"(\.\w+|/)$", t) and "*" not in t}
    assert len(named) > 20
    missing = sorted(t for t in named
                     if not (ROOT / "ext" / t).exists() and not (ROOT / t).exists())
    assert not missing, missing
