"""The speed protocol shared by `attncore report` and bench/bench_regimes.py
(attncore.report.speed): every variant is timed the same way in every
regime, in shuffled order, the one-thread variant really runs on one thread,
and the report shows the regimes it measured."""
import json
import os

import numpy as np
import pytest

import attncore
from attncore.report import cli
from attncore.report import speed


def _recording_workload(log):
    def ours():
        log.append(("ours", attncore.get_num_threads()))

    def peer():
        log.append(("peer", attncore.get_num_threads()))

    return speed.Workload("fake", ours, (("peer", peer),))


def test_variants_threads_and_order(monkeypatch):
    log = []
    previous = attncore.set_num_threads(3)
    try:
        rows = speed.measure([_recording_workload(log)], regimes=("hot",), rounds=12)
    finally:
        attncore.set_num_threads(previous)
    assert [r["regime"] for r in rows] == ["hot"] and rows[0]["rounds"] == 12
    # hot: each timed call follows an untimed call of the same variant
    timed = log[3:]  # after the warm-up of the three variants
    assert len(timed) == 2 * 3 * 12
    pairs = list(zip(timed[::2], timed[1::2]))
    assert all(a == b for a, b in pairs)
    calls = [p[0] for p in pairs]
    assert calls.count(("ours", 3)) == 12 and calls.count(("ours", 1)) == 12
    assert calls.count(("peer", 3)) == 12
    # shuffled: the variants are not always in the same order within a round
    orders = {tuple(calls[i:i + 3]) for i in range(0, len(calls), 3)}
    assert len(orders) > 1
    assert attncore.get_num_threads() == previous


def test_regime_preparations(monkeypatch):
    sleeps, matmuls = [], []
    monkeypatch.setattr(speed.time, "sleep", lambda s: sleeps.append(s))
    real_matmul = np.matmul

    def counting_matmul(a, b, *args, **kw):
        if a.shape == (256, 256) and a.dtype == np.float32:
            matmuls.append(1)
        return real_matmul(a, b, *args, **kw)

    monkeypatch.setattr(speed.np, "matmul", counting_matmul)
    log = []
    speed.measure([_recording_workload(log)], regimes=("sporadic",), rounds=4)
    assert sleeps == [speed.SPORADIC_IDLE_S] * 12 and not matmuls
    speed.measure([_recording_workload(log)], regimes=("interleaved",), rounds=4)
    assert len(matmuls) == 12


def _busy_children():
    """Children of this process that run the busy loop, by /proc."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmdline = f.read()
        except (OSError, ValueError, IndexError):
            continue
        if ppid == os.getpid() and b"while True" in cmdline:
            found.append(int(entry))
    return found


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="reads /proc")
def test_loaded_regime_runs_a_busy_process():
    with speed.one_cpu_busy():
        during = _busy_children()
    assert len(during) == 1
    assert _busy_children() == []


def test_unknown_regime_is_refused():
    with pytest.raises(ValueError, match="unknown regime"):
        speed.measure([], regimes=("lukewarm",), rounds=1)


def test_headline_workloads_and_peers():
    names = [w.name for w in speed.workloads(np.random.default_rng(0), quick=False, torch=None)]
    assert names == [
        "matmul f32 100000x4x4", "matmul f32 (32, 128, 64)@(32, 64, 128)",
        "softmax f32 (256, 1024)", "softmax f32 (8, 1024, 1024)",
        "SDPA f32 (8, 512, 64)", "SDPA f32 (8, 1024, 64)", "solve f64 100000x4x4",
        "affine_inverse f64 100000x4x4", "q16.mul 1000000", "q16.matmul 10000x4x4"]


def test_report_shows_the_regimes_it_measured(tmp_path, capsys):
    out = tmp_path / "r.json"
    code = cli.main(["report", "--quick", "--kernels", "mul", "--repeat", "1",
                     "--regimes", "hot,sporadic", "--seed", "1", "--json", str(out)])
    assert code == 0
    report = json.loads(out.read_text())
    assert {r["regime"] for r in report["speed"]} == {"hot", "sporadic"}
    for r in report["speed"]:
        assert r["attncore_1thread_ms"] > 0 and r["threads_ratio"] > 0
    text = capsys.readouterr().out
    assert "Speed in four regimes" in text and "sporadic" in text and "threads/1" in text
    assert cli.main(["report", "--quick", "--kernels", "mul", "--regimes", "tepid",
                     "--quiet"]) == 2
