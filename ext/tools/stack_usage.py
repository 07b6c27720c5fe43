#!/usr/bin/env python3
"""Worst-case stack of C entry points from GCC's call-graph files.

    python3 stack_usage.py [--root main] [--helper NAME=BYTES ...] DIR_OR_CI_FILES...

Compile with -fcallgraph-info=su (GCC >= 10): every object gets a .ci file
(VCG graph) whose nodes carry each function's frame size and whose edges are
its direct calls.  The bound of a function is its frame plus the largest
bound among its callees.  What the graph cannot bound is said, not guessed:
  - calls to functions without a .ci (libgcc's __aeabi_uldivmod etc.) count
    --helper BYTES each when given, else 0 and are listed as "unbounded";
  - indirect calls, recursion and dynamic frames (VLAs, alloca) are listed.
Prints one line per root (default: every function with a frame in the
graph that nothing else calls), deepest first.
"""
import argparse
import pathlib
import re
import sys

NODE = re.compile(r'node: \{ title: "([^"]+)" label: "([^"]*)"')
EDGE = re.compile(r'edge: \{ sourcename: "([^"]+)" targetname: "([^"]+)"')
FRAME = re.compile(r"\\n(\d+) bytes \(([a-z,]+)\)")


def load(paths):
    nodes, edges = {}, {}
    files = []
    for p in paths:
        p = pathlib.Path(p)
        files += sorted(p.rglob("*.ci")) if p.is_dir() else [p]
    for f in files:
        local = {}
        text = f.read_text(errors="replace")
        for title, label in NODE.findall(text):
            m = FRAME.search(label)
            if m:
                key = (str(f), title)
                local[title] = key
                nodes[key] = (int(m.group(1)), m.group(2))
        for src, dst in EDGE.findall(text):
            s = local.get(src, (str(f), src))
            edges.setdefault(s, []).append((str(f), dst))
    # resolve callee names: same file first (static functions), then global
    by_name = {}
    for key in nodes:
        by_name.setdefault(key[1], []).append(key)
    resolved = {}
    for s, dsts in edges.items():
        out = []
        for f, name in dsts:
            if (f, name) in nodes:
                out.append((f, name))
            elif name in by_name:
                out.append(by_name[name][0])
            else:
                out.append(("<external>", name))
        resolved[s] = out
    return nodes, resolved


def bound(key, nodes, edges, helpers, memo, stack, notes):
    if key in memo:
        return memo[key]
    if key[0] == "<external>":
        name = key[1]
        if name == "__indirect_call":
            notes.add("indirect call")
        elif name not in helpers:
            notes.add(f"{name} (no .ci: not counted)")
        return helpers.get(name, 0)
    if key in stack:
        notes.add(f"recursion through {key[1]}")
        return 0
    frame, kind = nodes[key]
    if "dynamic" in kind and "bounded" not in kind:
        notes.add(f"dynamic frame in {key[1]}")
    stack.add(key)
    deepest = max((bound(c, nodes, edges, helpers, memo, stack, notes)
                   for c in edges.get(key, [])), default=0)
    stack.discard(key)
    memo[key] = frame + deepest
    return memo[key]


def entry_bounds(paths, roots=None, helpers=None):
    """[(bytes, function, notes)] for the roots (default: every function with
    a frame that nothing else calls), deepest first."""
    nodes, edges = load(paths)
    helpers = helpers or {}
    called = {c for dsts in edges.values() for c in dsts}
    if roots:
        keys = [k for k in nodes if k[1] in roots]
        missing = set(roots) - {k[1] for k in keys}
        if missing:
            raise KeyError(f"no call-graph node for {', '.join(sorted(missing))}")
    else:
        keys = [k for k in nodes if k not in called]
    rows = []
    for r in keys:
        notes = set()
        rows.append((bound(r, nodes, edges, helpers, {}, set(), notes), r[1], sorted(notes)))
    return sorted(rows, reverse=True)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--root", action="append", help="entry function (repeatable)")
    ap.add_argument("--helper", action="append", default=[],
                    help="NAME=BYTES: stack of a function without call-graph info")
    args = ap.parse_args(argv)
    helpers = {}
    for h in args.helper:
        name, _, size = h.partition("=")
        helpers[name] = int(size)
    try:
        rows = entry_bounds(args.paths, args.root, helpers)
    except KeyError as exc:
        sys.exit(str(exc))
    for b, name, notes in rows:
        extra = f"  + {'; '.join(notes)}" if notes else ""
        print(f"{b:7d} B  {name}{extra}")


if __name__ == "__main__":
    main()
