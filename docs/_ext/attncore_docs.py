"""Sphinx extension of the attncore docs: pages generated from the sources.

A line ``.. attncore-generated:: NAME`` in a page is replaced, when Sphinx
reads the page, by reStructuredText built from the tree:

``c-api``
    every public declaration of ``ext/include/attncore/*.h`` (c_headers.py);
``accuracy-tables``
    the accuracy rows of ``docs/report/report.json`` (a report run,
    regenerated with ``python tools/gen_docs_report.py``);
``dask-functions``
    the lazy functions of :mod:`attncore.dask` with their signatures;
``optional-pages``
    toctree entries for pages that exist only once their part exists
    (``parity`` when docs/parity.md or .rst is there, ``api/interop`` when
    ``src/attncore/interop`` is): absent parts leave no dangling entry, and
    present ones must build, so a merged part cannot be missing silently.
"""
import inspect
import json
import pathlib
import re

import c_headers

DOCS = pathlib.Path(__file__).resolve().parents[1]
ROOT = DOCS.parent
MARKER = re.compile(r"^\.\. attncore-generated:: ([\w-]+)[ \t]*$", re.M)


def optional_pages():
    """Docnames of the optional pages whose part is in this tree."""
    pages = []
    if (DOCS / "parity.md").exists() or (DOCS / "parity.rst").exists():
        pages.append("parity")
    if (ROOT / "src" / "attncore" / "interop").is_dir():
        pages.append("api/interop")
    return pages


def _num(v):
    if v == 0:
        return "0"
    return f"{v:.3g}" if abs(v) >= 1e-3 else f"{v:.2e}"


def _list_table(headers, rows, widths=None):
    out = [".. list-table::", "   :header-rows: 1"]
    if widths:
        out.append(f"   :widths: {' '.join(str(w) for w in widths)}")
    out.append("")
    for row in [headers] + rows:
        out.append(f"   * - {row[0]}")
        out += [f"     - {cell}" for cell in row[1:]]
    return out + [""]


def accuracy_tables():
    report = json.loads((DOCS / "report" / "report.json").read_text())
    lines = [f"From ``attncore report`` (attncore {report['attncore_version']}, "
             f"{report['mode']} sweep, seed {report['seed']}).", ""]
    for backend, title, unit in (("q16", "Q16.16", "LSB"), ("float32", "float32", "relative")):
        rows = [r for r in report["accuracy"] if r["backend"] == backend]
        if not rows:
            continue
        lines += [f".. rubric:: {title}: error in {unit}", ""]
        body = []
        for r in rows:
            note = r.get("note", "")
            if "cond" in r:
                note = f"cond(A) <= {r['cond']:.3g}" + (f"; {note}" if note else "")
            body.append([f"``{r['kernel']}``", r["family"], r["size"], _num(r["max"]),
                         _num(r["p99"]), _num(r["mean"]), str(r["saturations"]), note or " "])
        lines += _list_table(["kernel", "family", "size", "max", "p99", "mean", "saturated",
                              "note"], body)
    return "\n".join(lines)


def dask_functions():
    import attncore.dask as ad

    lines = []
    for module in (ad.fp, ad.q16):
        for name in module.__all__:
            obj = getattr(module, name)
            if not callable(obj) or getattr(obj, "__module__", "") != module.__name__:
                continue
            signature = str(inspect.signature(obj))
            backend = module.__name__.rsplit(".", 1)[1]
            lines += [f".. py:function:: {module.__name__}.{name}{signature}", "",
                      f"   Lazy :func:`attncore.{backend}.{name}` on Dask arrays.", ""]
    return "\n".join(lines)


def optional_toctree():
    pages = optional_pages()
    if not pages:
        return ""
    return "\n".join([".. toctree::", "   :caption: More", ""] + [f"   {p}" for p in pages])


GENERATORS = {
    "c-api": lambda: c_headers.c_api_rst(ROOT / "ext" / "include" / "attncore"),
    "accuracy-tables": accuracy_tables,
    "dask-functions": dask_functions,
    "optional-pages": optional_toctree,
}


def _expand(app, docname, source):
    def replace(match):
        name = match.group(1)
        if name not in GENERATORS:
            raise ValueError(f"{docname}: unknown generated block {name!r}")
        return GENERATORS[name]()
    source[0] = MARKER.sub(replace, source[0])


_LITERAL = re.compile(r"(``.*?``)")


def _bars_are_text(app, what, name, obj, options, lines):
    """Docstrings write absolute values as ``|x|``, which reST would read as
    a substitution reference; attncore's docstrings use no substitutions, so
    a bar outside an inline literal is escaped (tables and line blocks,
    which start a line with ``|`` or ``+-``, are left alone)."""
    for i, line in enumerate(lines):
        if "|" not in line or line.lstrip().startswith(("|", "+-", "+=")):
            continue
        parts = _LITERAL.split(line)
        lines[i] = "".join(part if part.startswith("``") else part.replace("|", "\\|")
                           for part in parts)


def _exclude_absent(app, config):
    if "api/interop" not in optional_pages():
        config.exclude_patterns.append("api/interop.rst")


def setup(app):
    app.connect("config-inited", _exclude_absent)
    app.connect("source-read", _expand)
    app.connect("autodoc-process-docstring", _bars_are_text)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
