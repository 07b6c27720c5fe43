"""Writing the report: the terminal tables, ``--json`` (schema
``schema.json``, version 2), ``--csv`` and ``--plots`` (PNG, needs
matplotlib)."""
import csv
import json
import math
from importlib import resources

from attncore.report import speed

SCHEMA_VERSION = 2


def schema():
    return json.loads(resources.files("attncore.report").joinpath("schema.json").read_text())


def _fmt(v):
    if v == 0:
        return "0"
    return f"{v:.3g}" if abs(v) >= 1e-3 else f"{v:.2e}"


def accuracy_table(rows):
    lines = ["Accuracy: Q16.16 error in LSB (2**-16) against the reference on the same "
             "quantized inputs; float32 error relative to max |reference|",
             f"{'kernel':<17} {'family':<16} {'backend':<8} {'size':<16} {'max':>10} "
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
        lines.append(f"{r['kernel']:<17} {r['family']:<16} {r['backend']:<8} {r['size']:<16} "
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
            "count", "saturations", "cond", "seq_len", "note", "workload", "regime", "peer",
            "rounds", "peer_ms", "peer_p10_ms", "peer_p90_ms", "attncore_ms", "attncore_p10_ms",
            "attncore_p90_ms", "attncore_1thread_ms", "speedup", "threads_ratio"]
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=keys)
        w.writeheader()
        for r in report["accuracy"]:
            w.writerow({"section": "accuracy", **r})
        for r in report["speed"]:
            w.writerow({"section": "speed", **r})


def _finish(plt, fig, ax, path, xlabel, ylabel, title):
    """Label one line plot (legend only when something was drawn) and write it."""
    if ax is not None:
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)
    return path


def write_plots(directory, report, samples):
    """Error histograms per kernel (Q16.16), Q16.16 solve error against
    cond(A) for LU and the adjugate inverse, attention error against
    sequence length, and (with --model) the hidden-state error per layer.
    Returns the written paths."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    acc = [r for r in report["accuracy"] if r["backend"] == "q16"]
    kernels = sorted({r["kernel"] for r in acc if r["kernel"] in samples})
    cols = 4
    rows = max(1, math.ceil(len(kernels) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 2.4 * rows), squeeze=False)
    for ax, kernel in zip(axes.ravel(), kernels):
        ax.hist(samples[kernel], bins=40, color="#4477aa")
        ax.set_title(kernel, fontsize=9)
        ax.set_xlabel("|error| (LSB)", fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in axes.ravel()[len(kernels):]:
        ax.axis("off")
    fig.suptitle("Q16.16 error per kernel (LSB)")
    paths.append(_finish(plt, fig, None, directory / "error_histograms.png", "", "", ""))

    fig, ax = plt.subplots(figsize=(5, 3.5))
    for kernel, style in (("solve", "o-"), ("cho_solve", "s-"), ("adjugate_inverse", "x--")):
        pts = sorted((r["cond"], r["max"]) for r in acc if r["kernel"] == kernel and "cond" in r)
        if pts:
            ax.loglog(*zip(*pts), style, label="solve (LU)" if kernel == "solve" else kernel)
    paths.append(_finish(plt, fig, ax, directory / "solve_error_vs_cond.png", "cond(A)",
                         "max error (LSB)", "Q16.16 4x4 solve: LU vs adjugate inverse"))

    fig, ax = plt.subplots(figsize=(5, 3.5))
    for kernel in ("sdpa", "mha"):
        pts = sorted((r["seq_len"], r["max"]) for r in acc if r["kernel"] == kernel)
        if pts:
            ax.plot(*zip(*pts), "o", label=kernel)
    ax.set_xscale("log", base=2)
    paths.append(_finish(plt, fig, ax, directory / "attention_error_vs_length.png",
                         "sequence length", "max error (LSB)",
                         "Q16.16 attention error vs sequence length"))
    if "model" in report:
        fig, ax = plt.subplots(figsize=(5, 3.5))
        for m in report["model"]["modes"]:
            if m["mode"] != "float64":
                ax.semilogy(range(len(m["layer_max_lsb"])), m["layer_max_lsb"], "o-",
                            label=m["mode"])
        paths.append(_finish(plt, fig, ax, directory / "model_hidden_error_per_layer.png",
                             "layer (0 = embeddings)", "max |hidden - float64| (LSB)",
                             f"{report['model']['name']}: hidden-state error per layer"))
    return paths
