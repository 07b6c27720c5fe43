"""ext/README.md's measured tables (targets, code size, stack, instruction
counts) are generated from the harnesses' results in ext/tools/results/
(`make -C ext readme`), never typed: the README must be exactly what
ext/tools/readme_tables.py renders from them.  tests/test_targets.py checks
the results themselves against a fresh run."""
import pathlib
import subprocess
import sys

EXT = pathlib.Path(__file__).resolve().parents[1] / "ext"


def test_ext_readme_tables_match_the_results():
    r = subprocess.run([sys.executable, str(EXT / "tools" / "readme_tables.py"), "--check"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_ext_readme_has_every_generated_table():
    text = (EXT / "README.md").read_text()
    for name in ("targets", "sizes", "stack", "counts"):
        assert f"<!-- generated: {name} " in text and f"<!-- end: {name} -->" in text, name
