"""The documentation runs: every public function has a NumPy-format
docstring whose Examples pass as doctests, and every python block of
README.md runs as written."""
import doctest
import importlib
import importlib.util
import inspect
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
PUBLIC = ["attncore.fp", "attncore.q16", "attncore.reference", "attncore.errors",
          "attncore.saturation", "attncore.threads"]
# the optional parts, where present, are held to the same rule (the Dask
# wrappers carry their in-memory function's documentation)
if importlib.util.find_spec("dask") is not None:
    PUBLIC += ["attncore.dask.fp", "attncore.dask.q16"]
PUBLIC += [m for m in ("attncore.interop",) if importlib.util.find_spec(m) is not None]
# these raise on bad input, so their docstrings must say how
RAISING = {"attncore.fp", "attncore.q16"}


def public_functions(module_name):
    module = importlib.import_module(module_name)
    for name, obj in vars(module).items():
        if (not name.startswith("_") and inspect.isfunction(obj)
                and getattr(obj, "__module__", None) == module_name):
            yield name, obj


@pytest.mark.parametrize("module_name", PUBLIC)
def test_examples_run_as_doctests(module_name):
    module = importlib.import_module(module_name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
                             report=True)
    assert result.attempted > 0
    assert result.failed == 0


def _has_section(doc, title):
    return re.search(rf"^\s*{title}\n\s*{'-' * len(title)}\s*$", doc, re.M) is not None


@pytest.mark.parametrize("module_name", PUBLIC)
def test_public_functions_have_numpy_docstrings(module_name):
    missing = []
    for name, function in public_functions(module_name):
        doc = inspect.getdoc(function) or ""
        wanted = ["Examples"]
        if inspect.signature(function).parameters:
            wanted.append("Parameters")
        wanted.append("Yields" if "Yields\n" in doc else "Returns")
        if module_name in RAISING:
            wanted.append("Raises")
        lacking = [title for title in wanted if not _has_section(doc, title)]
        if lacking:
            missing.append(f"{module_name}.{name}: {', '.join(lacking)}")
    assert not missing, "\n".join(missing)


def test_linalg_docstrings_are_not_empty():
    """Each linalg docstring is a literal (never built by concatenation,
    which Python does not take as a docstring) and states its exactness."""
    from attncore import q16

    for function in (q16.solve, q16.lu_factor, q16.cho_factor, q16.lu_solve,
                     q16.cho_solve, q16.det, q16.inv):
        doc = function.__doc__ or ""
        assert "exact" in doc, function.__name__
        assert "{correctly_rounded}" not in doc, function.__name__


def readme_blocks():
    text = (ROOT / "README.md").read_text()
    return re.findall(r"```python\n(.*?)```", text, re.S)


def test_readme_has_python_blocks():
    assert len(readme_blocks()) >= 4


@pytest.mark.parametrize("index", range(len(readme_blocks())))
def test_readme_block_runs(index, capsys):
    block = readme_blocks()[index]
    if "dask" in block:
        pytest.importorskip("distributed")
    namespace = {"__name__": "readme"}
    # an exception in the block fails the test; the block also ran to its end
    exec(compile(block, f"README.md python block {index + 1}", "exec"), namespace)
    assert set(namespace) - {"__name__", "__builtins__"}, "the block defined nothing"
