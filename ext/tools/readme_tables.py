#!/usr/bin/env python3
"""Write ext/README.md's measured tables from the harnesses' results.

    python3 tools/readme_tables.py [--check] [README.md]

The results are JSON files in tools/results/, written by
    make -C ext targets   (tools/targets.py --json tools/results/targets.json)
    make -C ext count     (tools/count/count.py --json tools/results/count.json)
and each table lives in README.md between
    <!-- generated: NAME ... -->  and  <!-- end: NAME -->
markers; everything else in README.md is left alone.  --check exits non-zero
when README.md differs from what the results give (tests/test_ext_readme.py
runs it), so the tables are never typed by hand.
"""
import argparse
import json
import pathlib
import re
import sys

HERE = pathlib.Path(__file__).resolve().parent
RESULTS = HERE / "results"
sys.path.insert(0, str(HERE))
import targets as T  # noqa: E402

MARK = re.compile(r"(<!-- generated: (\w+) [^>]*-->\n)(.*?)(<!-- end: \2 -->)", re.S)


def target_table(results):
    return T.table(results)


def size_table(results):
    """Flash per Q16.16 object on each target (text + rodata, bytes)."""
    names = sorted({o for r in results if "object_bytes" in r for o in r["object_bytes"]})
    cols = [r for r in results if "object_bytes" in r]
    head = "| object | " + " | ".join(r["target"] for r in cols) + " |"
    rows = [head, "|---|" + "---|" * len(cols)]
    for name in names:
        rows.append(f"| `{name}.o` | " + " | ".join(
            f"{r['object_bytes'].get(name, 0):,}" for r in cols) + " |")
    rows.append("| **all** | " + " | ".join(f"**{r['code_bytes']:,}**" for r in cols) + " |")
    return "\n".join(rows)


def stack_table(results):
    """Static worst-case stack of every entry point, from GCC's call graphs."""
    cols = [r for r in results if r.get("stack")]
    names = []
    for r in cols:
        for e in r["stack"]:
            if e["function"] not in names:
                names.append(e["function"])
    per = {r["target"]: {e["function"]: e for e in r["stack"]} for r in cols}
    head = "| entry point | " + " | ".join(f"{r['target']} bytes" for r in cols) + " |"
    rows = [head, "|---|" + "---|" * len(cols)]
    notes = set()
    for name in sorted(names):
        cells = []
        for r in cols:
            e = per[r["target"]].get(name)
            if e is None:
                cells.append("-")
                continue
            helpers = [n.split(" ")[0] for n in e["notes"] if "not counted" in n]
            notes.update(helpers)
            cells.append(f"{e['bytes']:,}" + (" +" if helpers else ""))
        rows.append(f"| `{name}` | " + " | ".join(cells) + " |")
    if notes:
        rows.append("")
        rows.append("\"+\": plus the stack of run-time helpers the call graph does not "
                    f"describe ({', '.join(f'`{n}`' for n in sorted(notes))}).")
    return "\n".join(rows)


def count_table(count):
    """Instructions (and measured stack) per call, attncore and CMSIS-DSP."""
    out = []
    for lib, per_cpu in count.items():
        cpus = list(per_cpu)
        out.append(f"**{lib}**\n")
        out.append("| call | " + " | ".join(f"{c} instructions (min-max) | {c} stack B"
                                            for c in cpus) + " |")
        out.append("|---|" + "---|---|" * len(cpus))
        names = list(next(iter(per_cpu.values())))
        for name in names:
            cells = []
            for c in cpus:
                e = per_cpu[c].get(name)
                if e is None:
                    cells += ["-", "-"]
                    continue
                spread = (f"{e['min']:,}" if e["min"] == e["max"]
                          else f"{e['min']:,}-{e['max']:,}")
                cells += [f"{e['median']:,} ({spread})", f"{e['stack']}"]
            out.append(f"| {name} | " + " | ".join(cells) + " |")
        out.append("")
    return "\n".join(out).rstrip()


def render(text, tables):
    def sub(m):
        name = m.group(2)
        if name not in tables:
            raise KeyError(f"README.md has a generated block '{name}' that no result gives")
        return m.group(1) + tables[name] + "\n" + m.group(4)
    return MARK.sub(sub, text)


def tables_from(results_dir):
    targets = json.loads((results_dir / "targets.json").read_text())
    tables = {"targets": target_table(targets), "sizes": size_table(targets),
              "stack": stack_table(targets)}
    count_file = results_dir / "count.json"
    if count_file.exists():
        tables["counts"] = count_table(json.loads(count_file.read_text()))
    return tables


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("readme", nargs="?", type=pathlib.Path, default=HERE.parent / "README.md")
    ap.add_argument("--results", type=pathlib.Path, default=RESULTS)
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args(argv)
    text = args.readme.read_text()
    new = render(text, tables_from(args.results))
    if args.check:
        if new != text:
            print(f"{args.readme} is out of date: run make -C ext readme", file=sys.stderr)
            return 1
        return 0
    args.readme.write_text(new)
    return 0


if __name__ == "__main__":
    sys.exit(main())
