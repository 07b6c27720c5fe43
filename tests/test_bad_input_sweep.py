"""The bad-input sweep of issue 17, run in a child process so that a crash
or a hang is counted (and named) instead of taking the test run down.

See tests/bad_input_sweep.py for the property and the categories.  CI runs
a bounded profile (SWEEP_EXAMPLES cases per category, about a minute);
``ATTNCORE_DEEP=1`` runs DEEP_EXAMPLES per category (tens of minutes).  The
counts per category are printed and written to the file named by
``ATTNCORE_SWEEP_REPORT`` when it is set.
"""
import collections
import json
import os
import pathlib
import subprocess
import sys
import time

import bad_input_sweep

SWEEP_EXAMPLES = 250
DEEP_EXAMPLES = 5000
HANG_SECONDS = 60  # no progress line for this long: the running case hangs
BAD = ("crash", "hang", "wrong-type", "unnamed", "touched", "mismatch", "sweep-error")


def _run(categories, examples, progress):
    """Run the child on ``categories``; returns the (category, case,
    function, outcome) of a crash or hang, or None."""
    child = subprocess.Popen(
        [sys.executable, bad_input_sweep.__file__, "--examples", str(examples),
         "--progress", str(progress), "--categories", ",".join(categories)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    size, last_change = -1, time.monotonic()
    while child.poll() is None:
        time.sleep(0.2)
        now_size = progress.stat().st_size if progress.exists() else 0
        if now_size != size:
            size, last_change = now_size, time.monotonic()
        elif time.monotonic() - last_change > HANG_SECONDS:
            child.kill()
            child.wait()
            return "hang", child.stdout.read()
    output = child.stdout.read()
    return (None if child.returncode == 0 else "crash"), output


def _records(progress):
    if not progress.exists():
        return []
    return [json.loads(line) for line in progress.read_text().splitlines() if line.strip()]


def sweep(examples, workdir):
    """Every category, restarting the child after a crash or hang at the
    next category.  Returns (counts, findings)."""
    progress = pathlib.Path(workdir) / "progress.jsonl"
    remaining = list(bad_input_sweep.CATEGORIES)
    findings = []
    while remaining:
        failure, output = _run(remaining, examples, progress)
        records = _records(progress)
        if failure is None:
            break
        started = [r for r in records if "start" in r]
        ended = {r["end"] for r in records if "end" in r}
        last = next((r for r in reversed(started) if r["start"] not in ended), None)
        case = last["start"] if last else f"{remaining[0]}:?"
        category = case.split(":")[0]
        findings.append({"end": case, "function": last["function"] if last else "?",
                         "outcome": failure, "detail": output[-2000:], "draws": ""})
        progress.write_text(progress.read_text() + json.dumps(findings[-1]) + "\n")
        remaining = remaining[remaining.index(category) + 1:] if category in remaining else []
    counts = collections.defaultdict(collections.Counter)
    for r in _records(progress):
        if "end" in r:
            category = r["end"].split(":")[0]
            counts[category]["cases"] += 1
            counts[category][r["outcome"]] += 1
            if r["outcome"] != "ok" and r not in findings:
                findings.append(r)
    return counts, findings


def _table(counts):
    lines = [f"{'category':<11} {'cases':>6} " + " ".join(f"{b:>11}" for b in BAD)]
    for category in bad_input_sweep.CATEGORIES:
        c = counts.get(category, collections.Counter())
        lines.append(f"{category:<11} {c['cases']:>6} " + " ".join(f"{c[b]:>11}" for b in BAD))
    return "\n".join(lines)


def test_bad_input_sweep(tmp_path):
    deep = os.environ.get("ATTNCORE_DEEP") == "1"
    examples = DEEP_EXAMPLES if deep else SWEEP_EXAMPLES
    counts, findings = sweep(examples, tmp_path)
    table = _table(counts)
    print(f"\nbad-input sweep, {examples} cases per category\n{table}")
    if os.environ.get("ATTNCORE_SWEEP_REPORT"):
        pathlib.Path(os.environ["ATTNCORE_SWEEP_REPORT"]).write_text(json.dumps(
            {"examples": examples, "counts": {k: dict(v) for k, v in counts.items()},
             "findings": findings}, indent=1))
    shown = "\n".join(f"{f['end']} {f['function']} {f['outcome']}: {f['detail'][:400]} "
                      f"[{f['draws']}]" for f in findings[:20])
    assert not findings, f"{len(findings)} findings\n{table}\n{shown}"
    for category in bad_input_sweep.CATEGORIES:
        assert counts[category]["cases"] == examples, (category, table)


def test_the_sweep_sees_a_crash_and_a_hang(tmp_path, monkeypatch):
    """The harness itself: a child that dies, or stops writing, is a
    finding naming the running case, and the next category still runs."""
    monkeypatch.setattr(sys.modules[__name__], "HANG_SECONDS", 3)
    script = tmp_path / "fake.py"
    script.write_text(
        "import json, os, sys, time\n"
        "args = sys.argv\n"
        "progress = open(args[args.index('--progress') + 1], 'a')\n"
        "for category in args[args.index('--categories') + 1].split(','):\n"
        "    progress.write(json.dumps({'start': category + ':0', 'function': 'f'}) + '\\n')\n"
        "    progress.flush()\n"
        "    if category == 'layout': os.abort()\n"
        "    if category == 'dtype': time.sleep(60)\n"
        "    progress.write(json.dumps({'end': category + ':0', 'function': 'f',\n"
        "                               'outcome': 'ok', 'detail': '', 'draws': ''}) + '\\n')\n"
        "    progress.flush()\n")
    monkeypatch.setattr(bad_input_sweep, "__file__", str(script))
    counts, findings = sweep(1, tmp_path)
    outcomes = {(f["end"], f["outcome"]) for f in findings}
    assert outcomes == {("layout:0", "crash"), ("dtype:0", "hang")}
    assert counts["zero-d"]["ok"] == 1 and counts["dask"]["ok"] == 1
