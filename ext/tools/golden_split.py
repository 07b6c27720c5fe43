#!/usr/bin/env python3
"""Re-emit the golden vectors of tests/golden_vectors.py for small targets.

    python3 golden_split.py GOLDEN.h OUTDIR [--budget BYTES] [--kinds k1,k2]

golden_vectors.py stays the one source of the vectors; this tool only
regroups what it wrote.  Every output header:

  * holds the cases of one kernel family (binary, unary, from_int, matmul,
    softmax, attention, linalg), so a firmware image links only the kernels
    (and the exp tables) its slice needs;
  * keeps its data under BYTES (arrays + case tables + names), so a slice
    fits a small flash (AVR: the 64 KiB that __flash reaches; nRF51: 256 KiB);
  * declares all data, names included, with GOLDEN_FLASH (empty unless the
    includer defines it, e.g. as __flash on AVR) so nothing is copied to RAM;
  * defines GOLDEN_<KIND>_CASES_COUNT for every kind (0 when absent), and
    GOLDEN_LINALG_SHAPES(X) / GOLDEN_ATTENTION_SHAPES(X): the distinct (n, k)
    and (s, ev) of its cases, from which the runner sizes its work buffer with
    the headers' own macros (so the work-size formulas live only there).

With --budget 0 everything goes into one header (all kinds), which is what
32-bit targets with enough flash use.  OUTDIR/manifest.json lists the slices.
"""
import argparse
import json
import pathlib
import re
import sys

CTYPE_BYTES = {"int32_t": 4, "uint32_t": 4, "int64_t": 8, "unsigned char": 1}
ARRAY_RE = re.compile(r"^static const ([a-z0-9_ ]+?) (g\d+)\[(\d+)\] = \{(.*)\};$")
TYPEDEF_RE = re.compile(r"typedef struct \{(.*?)\}\s*(golden_\w+);", re.S)
TABLE_RE = re.compile(r"^static const (golden_\w+) (golden_(\w+)_cases)\[\] = \{$")
KINDS = ("binary", "unary", "from_int", "matmul", "softmax", "attention", "linalg")
# approximate size of one case row in flash: pointers, ints and the name
ROW_OVERHEAD = 48



def split_top(row):
    """Fields of one initializer row, split at top-level commas."""
    fields, depth, cur, in_str = [], 0, "", False
    for ch in row:
        if ch == '"':
            in_str = not in_str
        if not in_str:
            depth += ch == "("
            depth -= ch == ")"
            if ch == "," and depth == 0:
                fields.append(cur.strip())
                cur = ""
                continue
        cur += ch
    fields.append(cur.strip())
    return fields


def field_names(body):
    names = []
    for decl in body.split(";"):
        decl = decl.strip()
        if not decl:
            continue
        # "const int32_t *a, *b, *want" or "int op, rnd, ovf" or "uint32_t n"
        m = re.match(r"^(const\s+)?(unsigned char|[a-z0-9_]+)\s+(.*)$", decl, re.S)
        for d in m.group(3).split(","):
            names.append(d.strip().lstrip("*").strip())
    return names


def flash_typedef(body):
    """The struct body with GOLDEN_FLASH on everything its pointers point to."""
    return re.sub(r"const (char|int32_t|uint32_t|int64_t|unsigned char) \*",
                  r"const GOLDEN_FLASH \1 *", body)


def parse(text):
    arrays, typedefs, tables, order = {}, {}, {}, []
    for body, name in TYPEDEF_RE.findall(text):
        typedefs[name] = (body, field_names(body))
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        m = ARRAY_RE.match(line)
        if m:
            ctype, name, size, body = m.groups()
            arrays[name] = (ctype, int(size), body)
        t = TABLE_RE.match(line)
        if t:
            stype, _, kind = t.groups()
            rows = []
            i += 1
            while lines[i] != "};":
                rows.append(lines[i].strip().removeprefix("{").removesuffix("},"))
                i += 1
            tables[kind] = (stype, rows)
            order.append(kind)
        i += 1
    return arrays, typedefs, tables


def row_info(kind, fields, names):
    """Referenced arrays and the shape that sizes the row's work memory."""
    f = dict(zip(names, fields))
    refs = [v for v in fields if re.fullmatch(r"g\d+", v)]
    shape = None
    if kind == "linalg":
        shape = (int(f["n"]), int(f["k"]))
    elif kind == "attention":
        shape = (int(f["s"]), int(f["ev"]))
    return refs, shape


def emit(slice_rows, arrays, typedefs, tables, index):
    used = []
    for _, _, refs, _ in slice_rows:
        for r in refs:
            if r not in used:
                used.append(r)
    out = [f"/* Slice {index} of the golden vectors, regrouped by tools/golden_split.py */",
           "#include <stddef.h>", "#include <stdint.h>",
           "#ifndef GOLDEN_FLASH", "#define GOLDEN_FLASH", "#endif"]
    for name, (body, _) in typedefs.items():
        out.append(f"typedef struct {{{flash_typedef(body)}}} {name};")
    for name in sorted(used, key=lambda s: int(s[1:])):
        ctype, size, body = arrays[name]
        out.append(f"static const GOLDEN_FLASH {ctype} {name}[{size}] = {{{body}}};")
    shapes = {"linalg": [], "attention": []}
    data_bytes = 0
    for name in used:
        ctype, size, _ = arrays[name]
        data_bytes += size * CTYPE_BYTES[ctype]
    counts = {}
    for kind in KINDS:
        rows = [r for r in slice_rows if r[0] == kind]
        counts[kind] = len(rows)
        if rows:
            stype = tables[kind][0]
            for j, (_, fields, _, shape) in enumerate(rows):
                out.append(f"static const GOLDEN_FLASH char golden_{kind}_name{j}[] = {fields[0]};")
                if shape is not None and shape not in shapes[kind]:
                    shapes[kind].append(shape)
            out.append(f"static const GOLDEN_FLASH {stype} golden_{kind}_cases[] = {{")
            for j, (_, fields, _, _) in enumerate(rows):
                out.append("    {" + ", ".join([f"golden_{kind}_name{j}"] + fields[1:]) + "},")
            out.append("};")
        out.append(f"#define GOLDEN_{kind.upper()}_CASES_COUNT {len(rows)}u")
    for kind, found in shapes.items():
        xs = " ".join(f"X({a}u, {b}u)" for a, b in found)
        out.append(f"#define GOLDEN_{kind.upper()}_SHAPES(X) {xs}")
    return "\n".join(out) + "\n", counts, data_bytes


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("golden")
    ap.add_argument("outdir")
    ap.add_argument("--budget", type=int, default=0,
                    help="max bytes of data per slice (0: one header with everything)")
    ap.add_argument("--kinds", default=",".join(KINDS),
                    help="comma-separated kernel families to keep")
    args = ap.parse_args(argv)
    arrays, typedefs, tables = parse(pathlib.Path(args.golden).read_text())
    keep = args.kinds.split(",")
    rows = []
    for kind in KINDS:
        if kind not in keep or kind not in tables:
            continue
        names = typedefs[tables[kind][0]][1]
        for row in tables[kind][1]:
            fields = split_top(row)
            refs, shape = row_info(kind, fields, names)
            rows.append((kind, fields, refs, shape))
    slices = []
    if args.budget <= 0:
        slices = [rows]
    else:
        cur, cur_refs, cur_bytes = [], set(), 0
        for r in rows:
            kind, fields, refs, _ = r
            new = [x for x in refs if x not in cur_refs]
            cost = ROW_OVERHEAD + len(fields[0]) + sum(
                arrays[x][1] * CTYPE_BYTES[arrays[x][0]] for x in new)
            if cur and (cur_bytes + cost > args.budget or cur[0][0] != kind):
                slices.append(cur)
                cur, cur_refs, cur_bytes = [], set(), 0
                new = list(refs)
                cost = ROW_OVERHEAD + len(fields[0]) + sum(
                    arrays[x][1] * CTYPE_BYTES[arrays[x][0]] for x in set(new))
            if cost > args.budget:
                print(f"warning: {fields[0]} alone needs {cost} bytes > budget", file=sys.stderr)
            cur.append(r)
            cur_refs.update(refs)
            cur_bytes += cost
        if cur:
            slices.append(cur)
    outdir = pathlib.Path(args.outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    manifest = []
    for i, s in enumerate(slices):
        text, counts, data_bytes = emit(s, arrays, typedefs, tables, i)
        path = outdir / f"golden_{i:03d}.h"
        path.write_text(text)
        manifest.append({"header": path.name, "cases": sum(counts.values()),
                         "kinds": [k for k in KINDS if counts[k]], "data_bytes": data_bytes})
    (outdir / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    print(f"{len(slices)} slice(s) in {outdir}")


if __name__ == "__main__":
    main()
