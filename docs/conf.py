"""Sphinx configuration of the attncore documentation.

Build (what tests/test_docs_site.py runs, warnings as errors)::

    pip install ".[docs]"
    sphinx-build -W -b html docs docs/_build/html

The API pages document the *installed* package (autodoc imports it); the C
API page is generated from ext/include/attncore/*.h at build time
(_ext/c_headers.py), the accuracy tables from docs/report/report.json.
"""
import pathlib
import sys

DOCS = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS / "_ext"))

import attncore  # noqa: E402  (the installed package: the one the pages describe)

project = "attncore"
author = "the attncore developers"
copyright = "2026, the attncore developers"
version = release = attncore.__version__

extensions = [
    "sphinx.ext.autodoc",
    "numpydoc",
    "myst_parser",
    "attncore_docs",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "_ext", "Thumbs.db", ".DS_Store"]
# attncore_docs adds to exclude_patterns the pages of parts that are not in
# this tree (api/interop.rst before attncore.interop exists)

nitpicky = False
autodoc_member_order = "bysource"
autodoc_typehints = "none"          # types are in the numpydoc sections (and the .pyi stubs)
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
myst_heading_anchors = 3
highlight_language = "none"  # literal blocks are header comments and plain text, not Python

html_theme = "alabaster"
html_title = f"attncore {release}"
html_theme_options = {
    "description": "Attention-style numerics in float and bit-exact Q16.16",
    "fixed_sidebar": True,
    "page_width": "1180px",
    "sidebar_width": "250px",
}
html_static_path = []
