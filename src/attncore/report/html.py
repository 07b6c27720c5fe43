"""``attncore report --html PATH``: the report as one self-contained HTML page.

Everything is inside the file: CSS inline, figures (the ones ``--plots``
writes, from :mod:`attncore.report.plots`) as base64 PNG ``data:`` URIs, no
script, no font, no link to anything outside the page, so it can be mailed,
attached to a CI run or opened offline.  Sections: at a glance (worst error
per kernel and the speed chart), the accuracy tables, error distributions,
linear algebra against cond(A), attention against sequence length, speed
per regime, and the real model when ``--model`` ran.

The file is written atomically: a temporary file in the target directory,
renamed over ``PATH`` only once the page is complete.
"""
import base64
import datetime
import html
import os
import platform
import uuid

import numpy as np

from attncore.report import plots

CSS = """
:root { --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg: #f6f8fa; --accent: #4477aa; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff;
       font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; }
header { background: #24303c; color: #fff; padding: 18px 32px 14px; }
header h1 { margin: 0 0 4px; font-size: 24px; font-weight: 600; }
header h1 span { font-weight: 400; color: #b8c4cf; font-size: 16px; margin-left: 8px; }
header p { margin: 2px 0; color: #d0d7de; font-size: 13px; }
header code { background: #3a4754; color: #fff; padding: 1px 6px; border-radius: 4px; }
nav { background: var(--bg); border-bottom: 1px solid var(--line); padding: 8px 32px;
      font-size: 13px; }
nav a { color: var(--accent); text-decoration: none; margin-right: 18px; }
main { padding: 8px 32px 40px; max-width: 1320px; }
h2 { font-size: 19px; margin: 26px 0 6px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 14px 0 6px; }
p.note { color: var(--muted); margin: 4px 0 10px; max-width: 920px; }
.grid { display: grid; grid-template-columns: minmax(0, 23fr) minmax(0, 20fr); gap: 24px;
        align-items: start; }
.wide { overflow-x: auto; }
.cards { display: flex; gap: 12px; flex-wrap: wrap; margin: 12px 0 4px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 8px 14px; min-width: 150px;
        background: #fff; }
.card b { display: block; font-size: 20px; color: var(--accent); }
.card span { color: var(--muted); font-size: 12px; }
table { border-collapse: collapse; font-size: 12.5px; margin: 6px 0 8px; }
th, td { padding: 3px 8px; border-bottom: 1px solid var(--line); text-align: left;
         white-space: nowrap; }
th { background: var(--bg); font-weight: 600; position: sticky; top: 0; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.first td { border-top: 2px solid var(--line); }
td.good { color: #1a7f37; } td.bad { color: #cf222e; }
figure { margin: 6px 0 14px; }
figure img { max-width: 100%; height: auto; border: 1px solid var(--line); border-radius: 6px; }
figcaption { color: var(--muted); font-size: 12.5px; max-width: 920px; margin-top: 4px; }
footer { color: var(--muted); font-size: 12px; padding: 14px 32px 30px;
         border-top: 1px solid var(--line); }
"""

FIGURE_DPI = 144  # drawn at 1.5x the CSS size: sharp on high-density screens


def _e(text):
    return html.escape(str(text), quote=True)


def _num(v):
    """Numbers as the terminal table shows them (3 significant digits)."""
    if v is None:
        return ""
    v = float(v)
    if v == 0:
        return "0"
    if not np.isfinite(v):
        return str(v)
    return f"{v:.3g}" if abs(v) >= 1e-3 else f"{v:.2e}"


def _table(headers, rows, numeric=(), classes=None):
    """An HTML table; ``numeric`` are the right-aligned column indices;
    ``classes`` optionally gives a CSS class per row."""
    head = "".join(f'<th class="num">{_e(h)}</th>' if i in numeric else f"<th>{_e(h)}</th>"
                   for i, h in enumerate(headers))
    body = []
    for n, row in enumerate(rows):
        cls = f' class="{classes[n]}"' if classes and classes[n] else ""
        cells = "".join(f'<td class="num">{_e(c)}</td>' if i in numeric else f"<td>{_e(c)}</td>"
                        for i, c in enumerate(row))
        body.append(f"<tr{cls}>{cells}</tr>")
    return (f"<div class=wide><table><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table></div>")


def _figure(fig, alt, caption):
    data = base64.b64encode(plots.png_bytes(fig, dpi=FIGURE_DPI)).decode("ascii")
    width, height = (round(v * 96) for v in fig.get_size_inches())
    return (f'<figure><img alt="{_e(alt)}" width="{width}" height="{height}" '
            f'src="data:image/png;base64,{data}"><figcaption>{caption}</figcaption></figure>')


def _kernel_summary(accuracy):
    """Per kernel: worst Q16.16 max (LSB, rounding to nearest) and its
    family, float32's worst relative max, total saturations."""
    out = {}
    for r in accuracy:
        s = out.setdefault(r["kernel"], dict(q16=None, family="", f32=None, sat=0, note=""))
        s["sat"] += r["saturations"]
        if r["backend"] == "q16":
            if r.get("rounding", "nearest") != "nearest":
                continue  # floor rows are up to 1 LSB by definition: the summary is nearest
            if s["q16"] is None or r["max"] > s["q16"]:
                s["q16"], s["family"] = r["max"], r["family"]
            s["note"] = s["note"] or r.get("note", "")
        elif s["f32"] is None or r["max"] > s["f32"]:
            s["f32"] = r["max"]
    return out


def _summary_section(report, figs):
    acc = report["accuracy"]
    summary = _kernel_summary(acc)
    rows = [(k + (" \u2020" if "baseline" in s["note"] else ""), _num(s["q16"]),
             s["family"], _num(s["f32"]), s["sat"]) for k, s in summary.items()]
    table = _table(["kernel", "Q16.16 max LSB", "worst family", "float32 max rel",
                    "saturated"], rows, numeric={1, 3, 4})
    speed = plots.speed_rows(report.get("speed", []))
    cards = [(len(summary), "kernels measured"), (len(acc), "accuracy rows")]
    sat = sum(r["saturations"] for r in acc)
    cards.append((sat, "saturated outputs (counted, not in the error statistics)"))
    if speed:
        ups = [r["speedup"] for r in speed]
        cards.append((f"{min(ups):.2f}x - {max(ups):.2f}x", "speed-up range against peers"))
    card_html = "".join(f"<div class=card><b>{_e(v)}</b><span>{_e(t)}</span></div>"
                        for v, t in cards)
    right = ""
    if "speed_by_regime" in figs:
        right = _figure(figs["speed_by_regime"], "speed-up against peers per workload",
                        "Peer time / attncore time in the same run (bars; log axis, 1 = same "
                        "speed). A black tick is attncore on one thread, when measured.")
    elif "solve_error_vs_cond" in figs:
        right = _figure(figs.pop("solve_error_vs_cond"), "solve error against cond(A)",
                        "Q16.16 solve error against cond(A).")
    return (f'<section id="glance"><h2>At a glance</h2><div class=cards>{card_html}</div>'
            f'<div class=grid><div><h3>Worst error per kernel</h3>{table}<p class=note>Q16.16 '
            "error in LSB (2<sup>-16</sup>) against a float64 or exact reference computed from "
            "the same quantized inputs; 0.5 LSB is a correctly rounded result. float32 error "
            "relative to max |reference|. \u2020 the firmware baseline (adjugate inverse, then a "
            "product), not an attncore kernel.</p></div>"
            f"<div>{right}</div></div></section>")


def _accuracy_section(report):
    parts = ['<section id="accuracy"><h2>Accuracy</h2>']
    for backend, title, unit in (("q16", "Q16.16", "LSB"), ("float32", "float32", "relative")):
        rows = [r for r in report["accuracy"] if r["backend"] == backend]
        if not rows:
            continue
        cells, classes, last = [], [], None
        for r in rows:
            note = r.get("note", "")
            if "cond" in r:
                note = f"cond(A) <= {r['cond']:.3g}" + (f"; {note}" if note else "")
            cells.append((r["kernel"], r["family"], r["size"], _num(r["max"]), _num(r["p99"]),
                          _num(r["mean"]), r["saturations"], note))
            classes.append("first" if last is not None and r["kernel"] != last else "")
            last = r["kernel"]
        parts.append(f"<h3>{title} (error in {unit})</h3>")
        parts.append(_table(["kernel", "family", "size", "max", "p99", "mean", "saturated",
                             "note"], cells, numeric={3, 4, 5, 6}, classes=classes))
    parts.append("</section>")
    return "".join(parts)


CAPTIONS = {
    "error_histograms": (
        "Error distributions", "histograms of Q16.16 error per kernel",
        "|error| of a sample of outputs per kernel, all families together. Correctly rounded "
        "kernels stay within 0.5 LSB; the adjugate inverse (red, log axis) is the firmware "
        "baseline the linear algebra is compared with."),
    "solve_error_vs_cond": (
        "Linear algebra against cond(A)", "solve error against condition number",
        "Max error of the Q16.16 4x4 solves per condition-number family, both axes "
        "logarithmic. LU (hollow circles) and Cholesky (small squares) can coincide; the "
        "adjugate inverse (crosses) grows with cond(A)."),
    "attention_error_vs_length": (
        "Attention against sequence length", "attention error against sequence length",
        "Max error of Q16.16 scaled dot-product attention (sdpa) and multi-head attention (mha, "
        "several rounding points: projections, attention, output) per sequence length."),
    "model_hidden_error_per_layer": (
        "Real model: error per layer", "model hidden-state error per layer",
        "Max |hidden state - float64 hidden state| after the embeddings and each layer, in "
        "Q16.16 LSB (log axis: an exact 0 is in the table, not on the plot)."),
}


def _figure_sections(figs):
    parts = []
    for stem, (title, alt, caption) in CAPTIONS.items():
        if stem in figs and stem != "model_hidden_error_per_layer":
            parts.append(f'<section id="{stem}"><h2>{_e(title)}</h2>'
                         f"{_figure(figs[stem], alt, _e(caption))}</section>")
    return "".join(parts)


def _speed_section(report):
    speed = plots.speed_rows(report.get("speed", []))
    if not speed:
        return ""
    one = any(r["one_thread_ms"] is not None for r in speed)
    headers = ["workload", "peer", "regime", "peer ms", "attncore ms"]
    headers += ["attncore 1 thread ms"] if one else []
    headers += ["speed-up"]
    rows, classes, last = [], [], None
    for r in speed:
        cells = [r["workload"], r["peer"], r["regime"], f"{r['peer_ms']:.3f}",
                 f"{r['attncore_ms']:.3f}"]
        if one:
            cells.append("" if r["one_thread_ms"] is None else f"{r['one_thread_ms']:.3f}")
        cells.append(f"{r['speedup']:.2f}x")
        rows.append(cells)
        classes.append("first" if last is not None and r["workload"] != last else "")
        last = r["workload"]
    regimes = list(dict.fromkeys(r["regime"] for r in speed))
    how = ("Medians per regime" if regimes != [plots.DEFAULT_REGIME]
           else "Best of the repeated calls")
    return (f'<section id="speed"><h2>Speed</h2><p class=note>{how}, both sides timed the same '
            "way in the same run; speed-up = peer time / attncore time. Timings depend on the "
            "machine and its load; the accuracy numbers do not.</p>"
            + _table(headers, rows, numeric=set(range(3, len(headers))), classes=classes)
            + "</section>")


def _model_section(report, figs):
    model = report.get("model")
    if not model:
        return ""
    layers = max(len(m["layer_max_lsb"]) for m in model["modes"])
    rows = [[m["mode"], f"{m['seconds']:.2f}", m["saturations"], f"{m['one_minus_cos']:.2e}"]
            + [_num(v) for v in m["layer_max_lsb"]] for m in model["modes"]]
    headers = ["mode", "forward s", "saturated", "1 - cos"] + ["emb"] + [
        f"layer {i}" for i in range(1, layers)]
    fig = ""
    if "model_hidden_error_per_layer" in figs:
        title, alt, caption = CAPTIONS["model_hidden_error_per_layer"]
        fig = _figure(figs["model_hidden_error_per_layer"], alt, _e(caption))
    return (f'<section id="model"><h2>Real model: {_e(model["name"])}</h2><p class=note>'
            f'{_e(model["sentences"])} sentences; max |hidden - float64 hidden| per layer in '
            "Q16.16 LSB and 1 - cos of the sentence embeddings against float64.</p>"
            + _table(headers, rows, numeric=set(range(1, len(headers)))) + fig + "</section>")


def render(report, samples, command=None):
    """The page as a string (see the module docstring)."""
    figs = plots.figures(report, samples)
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    machine = f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, " \
              f"Python {platform.python_version()}, NumPy {np.__version__}"
    meta = (f"attncore {_e(report['attncore_version'])} &middot; {_e(report['mode'])} sweep "
            f"&middot; seed {_e(report['seed'])} &middot; {_e(when)} &middot; {_e(machine)}")
    command_line = f"<p>Command: <code>{_e(command)}</code></p>" if command else ""
    links = [("glance", "At a glance"), ("accuracy", "Accuracy")]
    links += [(stem, CAPTIONS[stem][0]) for stem in ("error_histograms", "solve_error_vs_cond",
                                                      "attention_error_vs_length") if stem in figs]
    links += [("speed", "Speed")] if report.get("speed") else []
    links += [("model", "Real model")] if report.get("model") else []
    body = (_summary_section(report, figs) + _accuracy_section(report) + _figure_sections(figs)
            + _speed_section(report) + _model_section(report, figs))
    nav = "".join(f'<a href="#{a}">{_e(t)}</a>' for a, t in links)
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>attncore report</title><style>{CSS}</style></head><body>"
            "<header><h1>attncore report<span>what Q16.16 costs against float, and how fast "
            f"it runs</span></h1><p>{meta}</p>{command_line}</header><nav>{nav}</nav>"
            f"<main>{body}</main><footer>Generated by <code>attncore report --html</code>. "
            "Schema of the same data: <code>--json</code> (attncore/report/schema.json).</footer>"
            "</body></html>\n")


def write(path, report, samples, command=None):
    """Render the page and write it to ``path`` atomically (a temporary
    file in the same directory, then ``os.replace``; removed on error)."""
    text = render(report, samples, command)
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    tmp = os.path.join(directory, f".{os.path.basename(path)}.{uuid.uuid4().hex}.tmp")
    # os.open honours the umask, so the page gets the permissions of any new file
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path
