"""The figures of ``attncore report``, built once for both outputs:
``--plots DIR`` saves each as a PNG, ``--html PATH`` embeds them in the page.

matplotlib's object API only (``Figure``, no pyplot): no global state and no
backend switch in the caller's process.  Every axis is labelled, and series
that can coincide (LU and Cholesky solves both at 0.5 LSB) differ in marker,
size, fill and line style so that each stays visible.
"""
import math

import numpy as np

# Paul Tol's "bright" scheme: distinguishable with the common colour-vision
# deficiencies and in greyscale print.
BLUE, RED, GREEN, YELLOW, CYAN, PURPLE, GREY = ("#4477aa", "#ee6677", "#228833", "#ccbb44",
                                                "#66ccee", "#aa3377", "#bbbbbb")
CYCLE = (BLUE, RED, GREEN, PURPLE, CYAN, YELLOW)

# The solve-versus-cond series drawn so that equal values stay visible: a
# large hollow marker under a small filled one, different line styles.
SOLVE_STYLES = {
    "solve": dict(label="solve (LU)", color=BLUE, marker="o", markersize=11,
                  markerfacecolor="none", markeredgewidth=2, linestyle="-", linewidth=2,
                  zorder=3),
    "cho_solve": dict(label="cho_solve (Cholesky)", color=GREEN, marker="s", markersize=5,
                      linestyle="--", linewidth=1.5, zorder=4),
    "adjugate_inverse": dict(label="adjugate inverse @ b (baseline)", color=RED, marker="X",
                             markersize=8, linestyle=":", linewidth=2, zorder=2),
}
OTHER_MARKERS = ("D", "^", "v", "P", "*")

WIDE_ERRORS = 16.0   # LSB: a kernel whose max error is above this gets a log-x histogram
LOG_FLOOR = 1e-3     # LSB: where a log axis starts (smaller errors are drawn there)

DEFAULT_REGIME = "best of repeats"
"""Regime label of speed rows that carry none (the single-regime table)."""


def _figure(width, height):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _legend(ax):
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=8, framealpha=0.9)


def _distinct(i):
    """Style of the i-th series of a plot whose series may coincide: the
    first a large hollow marker on a solid line, later ones smaller, filled
    and differently dashed, drawn on top, so every series shows."""
    if i == 0:
        return dict(color=CYCLE[0], marker="o", markersize=11, markerfacecolor="none",
                    markeredgewidth=2, linestyle="-", linewidth=2, zorder=3)
    return dict(color=CYCLE[i % len(CYCLE)], marker=OTHER_MARKERS[(i - 1) % len(OTHER_MARKERS)],
                markersize=max(4, 7 - i), linestyle=("--", ":", "-.")[(i - 1) % 3],
                linewidth=1.5, zorder=3 + i)


def speed_rows(speed):
    """The speed rows with one shape for both protocols.

    Per-regime rows carry ``regime`` and medians (``peer_ms``,
    ``attncore_ms``, optionally ``attncore_1t_ms``: attncore on one
    thread); single-regime rows (best of ``--repeat`` calls) carry none of
    the optional keys and get ``regime`` = :data:`DEFAULT_REGIME`.  Returns
    dicts with keys workload, peer, regime, peer_ms, attncore_ms,
    one_thread_ms (None when not measured) and speedup (peer / attncore).
    """
    out = []
    for r in speed:
        peer_ms, ours_ms = float(r["peer_ms"]), float(r["attncore_ms"])
        one = r.get("attncore_1t_ms")
        out.append(dict(workload=r["workload"], peer=r["peer"],
                        regime=r.get("regime") or DEFAULT_REGIME, peer_ms=peer_ms,
                        attncore_ms=ours_ms, one_thread_ms=None if one is None else float(one),
                        speedup=peer_ms / ours_ms if ours_ms > 0 else math.inf))
    return out


def error_histograms(report, samples):
    """Distribution of |error| per Q16.16 kernel (sampled outputs)."""
    kernels = [k for k in dict.fromkeys(r["kernel"] for r in report["accuracy"]
                                        if r["backend"] == "q16") if k in samples]
    if not kernels:
        return None
    cols = min(4, len(kernels))
    rows = math.ceil(len(kernels) / cols)
    fig = _figure(3.0 * cols, 2.3 * rows + 0.4)
    axes = fig.subplots(rows, cols, squeeze=False)
    for ax, kernel in zip(axes.ravel(), kernels):
        errors = np.asarray(samples[kernel], np.float64)
        top = float(np.max(errors, initial=0))
        if top > WIDE_ERRORS:
            # errors over many decades (the adjugate baseline): log bins, so
            # that both the small and the huge ones show
            ax.hist(np.maximum(errors, LOG_FLOOR), bins=np.geomspace(LOG_FLOOR, top * 1.01, 41),
                    color=RED)
            ax.set_xscale("log")
            xlabel = "|error| (LSB, log x)"
        else:
            ax.hist(errors, bins=40, color=BLUE)
            xlabel = "|error| (LSB)"
        ax.set_title(f"{kernel} (max {top:.3g})", fontsize=9)
        ax.set_xlabel(xlabel, fontsize=8)
        ax.set_ylabel("outputs", fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in axes.ravel()[len(kernels):]:
        ax.axis("off")
    fig.suptitle("Q16.16 |error| against the exact / float64 reference, per kernel (LSB)",
                 fontsize=10)
    return fig


def solve_error_vs_cond(report, samples=None):
    """Max Q16.16 error of every solve-like kernel against cond(A)."""
    acc = [r for r in report["accuracy"] if r["backend"] == "q16" and "cond" in r]
    kernels = list(dict.fromkeys(r["kernel"] for r in acc))
    if not kernels:
        return None
    fig = _figure(6.0, 4.0)
    ax = fig.subplots()
    extra = iter(range(len(kernels)))
    for kernel in kernels:
        pts = sorted((r["cond"], max(r["max"], 1e-3)) for r in acc if r["kernel"] == kernel)
        style = SOLVE_STYLES.get(kernel)
        if style is None:
            i = next(extra)
            style = dict(label=kernel, color=CYCLE[(i + 3) % len(CYCLE)],
                         marker=OTHER_MARKERS[i % len(OTHER_MARKERS)], markersize=6,
                         linestyle="-.", linewidth=1.5, zorder=5)
        ax.plot(*zip(*pts), **style)
    ax.axhline(0.5, color=GREY, linewidth=1, zorder=1, label="0.5 LSB (correctly rounded)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("cond(A) (largest of the family)")
    ax.set_ylabel("max |x - x_exact| (LSB)")
    ax.set_title("Q16.16 4x4 solves: LU and Cholesky vs the adjugate inverse", fontsize=10)
    ax.grid(True, which="major", alpha=0.3)
    _legend(ax)
    return fig


def attention_error_vs_length(report, samples=None):
    """Max Q16.16 attention error against sequence length, per kernel and family."""
    acc = [r for r in report["accuracy"] if r["backend"] == "q16" and "seq_len" in r]
    series = list(dict.fromkeys((r["kernel"], r["family"]) for r in acc))
    if not series:
        return None
    fig = _figure(6.0, 4.0)
    ax = fig.subplots()
    for i, (kernel, family) in enumerate(series):
        pts = sorted((r["seq_len"], r["max"]) for r in acc
                     if (r["kernel"], r["family"]) == (kernel, family))
        ax.plot(*zip(*pts), label=f"{kernel}, {family} inputs", **_distinct(i))
    ax.axhline(0.5, color=GREY, linewidth=1, zorder=1, label="0.5 LSB")
    ax.set_xscale("log", base=2)
    ax.set_ylim(bottom=0)
    ax.set_xlabel("sequence length (queries = keys)")
    ax.set_ylabel("max |error| (LSB)")
    ax.set_title("Q16.16 attention error vs sequence length", fontsize=10)
    ax.grid(True, alpha=0.3)
    _legend(ax)
    return fig


def speed_by_regime(report, samples=None):
    """Speed-up (peer time / attncore time) per workload, one bar per regime,
    with attncore on one thread as a black tick when it was measured."""
    rows = speed_rows(report.get("speed", []))
    if not rows:
        return None
    groups = list(dict.fromkeys((r["workload"], r["peer"]) for r in rows))
    regimes = list(dict.fromkeys(r["regime"] for r in rows))
    by_key = {(r["workload"], r["peer"], r["regime"]): r for r in rows}
    height = 0.8 / len(regimes)
    fig = _figure(6.5, 1.1 + 0.3 * len(groups) * max(1.6, len(regimes) * 0.9))
    ax = fig.subplots()
    ratios = [r["speedup"] for r in rows if math.isfinite(r["speedup"])]
    ratios += [r["peer_ms"] / r["one_thread_ms"] for r in rows if r["one_thread_ms"]]
    for j, regime in enumerate(regimes):
        ys, values, ticks = [], [], []
        for g, (workload, peer) in enumerate(groups):
            r = by_key.get((workload, peer, regime))
            if r is None:
                continue
            y = g + (j - (len(regimes) - 1) / 2) * height
            ys.append(y)
            values.append(r["speedup"])
            if r["one_thread_ms"]:
                ticks.append((r["peer_ms"] / r["one_thread_ms"], y))
        ax.barh(ys, values, height=height * 0.9, color=CYCLE[j % len(CYCLE)],
                label=regime if len(regimes) > 1 else None)
        for y, v in zip(ys, values):
            ax.annotate(f"{v:.2f}x", (v, y), xytext=(3, 0), textcoords="offset points",
                        va="center", fontsize=8)
        if ticks:
            tx, ty = zip(*ticks)
            ax.plot(tx, ty, linestyle="none", marker="|", markersize=9, markeredgewidth=2,
                    color="black", label="attncore on 1 thread" if j == 0 else None)
    ax.axvline(1.0, color="black", linewidth=1)
    ax.set_xscale("log")
    lo, hi = min(ratios + [1.0]), max(ratios + [1.0])
    ax.set_xlim(lo / 1.6, hi * 2.2)
    ax.set_yticks(range(len(groups)), [f"{w}\nvs {p}" for w, p in groups], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("speed-up = peer time / attncore time (log; > 1: attncore faster)",
                  fontsize=9)
    ax.set_ylabel("workload, peer", fontsize=9)
    what = "medians per regime" if regimes != [DEFAULT_REGIME] else "best of repeats"
    ax.set_title(f"Speed against peers, same run ({what})", fontsize=10)
    ax.grid(True, axis="x", which="both", alpha=0.3)
    handles, labels = ax.get_legend_handles_labels()
    if handles:  # below the axes: bars reach the right edge, a legend inside hides them
        fig.legend(handles, labels, loc="outside lower center", ncol=min(5, len(handles)),
                   fontsize=8, frameon=False)
    return fig


def model_error_per_layer(report, samples=None):
    """The real model's max |hidden - float64 hidden| per layer, per mode."""
    model = report.get("model")
    if not model:
        return None
    fig = _figure(6.0, 4.0)
    ax = fig.subplots()
    for i, m in enumerate(x for x in model["modes"] if x["mode"] != "float64"):
        pts = [(layer, v) for layer, v in enumerate(m["layer_max_lsb"]) if v > 0]
        if pts:
            ax.plot(*zip(*pts), label=m["mode"], **_distinct(i))
    ax.set_yscale("log")
    ax.set_xlabel("layer (0 = embeddings)")
    ax.set_ylabel("max |hidden - float64| (LSB)")
    ax.set_title(f"{model['name']}: hidden-state error per layer", fontsize=10)
    ax.grid(True, which="major", alpha=0.3)
    _legend(ax)
    return fig


# file stem (--plots) -> builder, in the order of the HTML page
FIGURES = {
    "error_histograms": error_histograms,
    "solve_error_vs_cond": solve_error_vs_cond,
    "attention_error_vs_length": attention_error_vs_length,
    "speed_by_regime": speed_by_regime,
    "model_hidden_error_per_layer": model_error_per_layer,
}


def figures(report, samples):
    """``{stem: Figure}`` for every figure the report's data allows, in
    page order (no speed rows: no speed chart; no model: no model plot)."""
    out = {}
    for stem, build in FIGURES.items():
        fig = build(report, samples)
        if fig is not None:
            out[stem] = fig
    return out


def png_bytes(fig, dpi=100):
    """The figure as PNG bytes (Agg, no pyplot)."""
    import io

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()
