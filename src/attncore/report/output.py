"""Writing the report: the terminal tables, ``--json`` (schema
``schema.json``, version 3), ``--csv`` and ``--plots`` (PNG, needs
matplotlib; the figures are :mod:`attncore.report.plots`, shared with the
HTML page of :mod:`attncore.report.html`)."""
import csv
import json
from importlib import resources

from attncore.report import speed

SCHEMA_VERSION = 3


def schema():
    return json.loads(resources.files("attncore.report").joinpath("schema.json").read_text())


def _fmt(v):
    if v == 0:
        return "0"
    return f"{v:.3g}" if abs(v) >= 1e-3 else f"{v:.2e}"


def accuracy_table(rows):
    lines = ["Accuracy: Q16.16 error in LSB (2**-16) against the reference on the same "
             "quantized inputs; float32 error relative to max |reference|",
             f"{'kernel':<17} {'family':<17} {'backend':<8} {'size':<16} {'max':>10} "
             f"{'p99':>10} {'mean':>10} {'unit':<4} {'sat':>6}  note"]
    lines.append("-" * len(lines[-1]))
    last = None
    for r in rows:
        if last is not None and r["kernel"] != last:
            lines.append("")
        last = r["kernel"]
        note = r.get("note", "")
        if "cond" in r:
            note = f"cond(A) <= {r['cond']:.3g}" + (f"; {note}" if note else "")
        if "mismatches" in r:  # adversarial rows of the correctly rounded kernels
            note = f"{r['mismatches']} not correctly rounded; {note}"
        lines.append(f"{r['kernel']:<17} {r['family']:<17} {r['backend']:<8} {r['size']:<16} "
                     f"{_fmt(r['max']):>10} {_fmt(r['p99']):>10} {_fmt(r['mean']):>10} "
                     f"{r['unit']:<4} {r['saturations']:>6}  {note}")
    return "\n".join(lines)


def speed_table(rows):
    """The speed rows as text (the protocol's own table, attncore.report.speed)."""
    return speed.table(rows)


def model_table(model):
    lines = [f"Real model: {model['name']}, {model['sentences']} sentences; max |hidden - float64 "
             "hidden| per layer in Q16.16 LSB (embeddings, layers 1-6), 1 - cos of the "
             "embeddings against float64",
             f"{'mode':<8} {'forward s':>9} {'sat':>5} {'1 - cos':>10}  per-layer max |dh| (LSB)"]
    lines.append("-" * 96)
    for m in model["modes"]:
        layers = " ".join(f"{v:>7.3g}" for v in m["layer_max_lsb"])
        lines.append(f"{m['mode']:<8} {m['seconds']:>9.2f} {m['saturations']:>5} "
                     f"{m['one_minus_cos']:>10.2e}  {layers}")
    return "\n".join(lines)


def write_json(path, report):
    with open(path, "w") as f:
        json.dump(report, f, indent=2, allow_nan=False)


def write_csv(path, report):
    keys = ["section", "kernel", "family", "backend", "size", "unit", "max", "p99", "mean",
            "count", "saturations", "rounding", "mismatches", "cond", "seq_len", "note", "workload", "regime", "peer",
            "rounds", "peer_ms", "peer_p10_ms", "peer_p90_ms", "attncore_ms", "attncore_p10_ms",
            "attncore_p90_ms", "attncore_1thread_ms", "speedup", "threads_ratio"]
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=keys)
        w.writeheader()
        for r in report["accuracy"]:
            w.writerow({"section": "accuracy", **r})
        for r in report["speed"]:
            w.writerow({"section": "speed", **r})


def write_plots(directory, report, samples):
    """One PNG per figure of :mod:`attncore.report.plots` (error histograms,
    solve error against cond(A), attention error against sequence length,
    the speed chart when speed was measured, the model's error per layer
    with --model).  Returns the written paths."""
    from attncore.report import plots

    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for stem, fig in plots.figures(report, samples).items():
        path = directory / f"{stem}.png"
        path.write_bytes(plots.png_bytes(fig, dpi=100))
        paths.append(path)
    return paths
