"""`attncore report` under hostile input (issue 17, item 8): every problem
with ``--input`` or an argument is one line on stderr and exit status 2, and
an output (``--json``, ``--csv``, ``--plots``) appears only when the whole
run succeeded -- on any error nothing new is left behind."""
import io
import json
import os
import struct
import subprocess
import sys
import zipfile
import zlib

import numpy as np
import pytest

from attncore.report import cli
from attncore.report import inputs as report_inputs
from attncore.report import output as report_output


def _npz(path, **arrays):
    np.savez(path, **arrays)


def _raw_npz(path, members):
    """A zip of raw ``(name, bytes)`` members, stored uncompressed."""
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members:
            archive.writestr(name, data)


def _npy_header(shape, descr="<f8", version=(1, 0)):
    buf = io.BytesIO()
    header = {"descr": descr, "fortran_order": False, "shape": shape}
    if version == (1, 0):
        np.lib.format.write_array_header_1_0(buf, header)
    else:
        np.lib.format.write_array_header_2_0(buf, header)
    return buf.getvalue()


def _zip_bomb(path):
    """2 GiB of zeros (past the 1 GiB limit) in a 2 MiB file."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("x.npy", "w", force_zip64=True) as member:
            member.write(_npy_header((2**28,)))
            chunk = bytes(1 << 24)
            for _ in range(128):
                member.write(chunk)


def _many_member_bomb(path):
    """Many members under the limit one by one, past it together."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for i in range(5):
            with archive.open(f"x{i}.npy", "w", force_zip64=True) as member:
                member.write(_npy_header((2**25,)))
                chunk = bytes(1 << 24)
                for _ in range(16):
                    member.write(chunk)


# (id, writer(path), words expected in the one error line)
MALFORMED = [
    ("nan", lambda p: _npz(p, x=np.array([1.0, np.nan])), "holds NaN"),
    ("inf", lambda p: _npz(p, x=np.array([[1.0], [-np.inf]])), "holds an infinity"),
    ("nan-in-b", lambda p: _npz(p, a=np.eye(2), b=np.array([[np.nan], [1.0]])), "'b' holds NaN"),
    ("string", lambda p: _npz(p, x=np.array(["1.0", "2.0"])), "dtype <U3"),
    ("bytes", lambda p: _npz(p, x=np.array([b"ab"])), "dtype |S2"),
    ("void", lambda p: _npz(p, x=np.zeros(3, [("a", "f8"), ("b", "i4")])), "dtype [("),
    ("complex", lambda p: _npz(p, x=np.array([1 + 2j, 3.0])), "complex"),
    ("complex-q", lambda p: _npz(p, q=np.ones((2, 2), complex), k=np.ones((2, 2)),
                                 v=np.ones((2, 2))), "'q' is complex"),
    ("empty-x", lambda p: _npz(p, x=np.zeros((0, 3))), "'x' is empty"),
    ("scalar-x", lambda p: _npz(p, x=np.float64(2.0)), "'x' must be at least 1-D"),
    ("1-D qkv", lambda p: _npz(p, q=np.ones(4), k=np.ones(4), v=np.ones(4)), "at least 2-D"),
    ("q-k features", lambda p: _npz(p, q=np.ones((3, 4)), k=np.ones((5, 3)), v=np.ones((5, 2))),
     "do not fit"),
    ("k-v lengths", lambda p: _npz(p, q=np.ones((3, 4)), k=np.ones((5, 4)), v=np.ones((6, 2))),
     "do not fit"),
    ("qkv batch", lambda p: _npz(p, q=np.ones((2, 3, 4)), k=np.ones((3, 5, 4)),
                                 v=np.ones((3, 5, 2))), "do not broadcast"),
    ("q without k", lambda p: _npz(p, q=np.ones((3, 4))), "come together"),
    ("a without b", lambda p: _npz(p, a=np.eye(3)), "come together"),
    ("a-b mismatch", lambda p: _npz(p, a=np.eye(3), b=np.ones((4, 1))), "do not fit"),
    ("1-D b", lambda p: _npz(p, a=np.eye(3), b=np.ones(3)), "at least 2-D"),
    ("singular a", lambda p: _npz(p, a=np.ones((2, 2)), b=np.ones((2, 1))), "singular"),
    ("singular after quantizing", lambda p: _npz(p, a=np.eye(2) * 1e-6, b=np.ones((2, 1))),
     "singular"),
    ("no usable keys", lambda p: _npz(p, unrelated=np.zeros(3)), "no usable keys"),
    ("pickled", lambda p: np.savez(p, x=np.array([{1: 2}], dtype=object)), "pickled"),
    ("text file", lambda p: p.write_text("not an archive"), "not a readable .npz"),
    ("plain .npy", lambda p: np.save(open(p, "wb"), np.ones(3)), "not a readable .npz"),
    ("truncated zip", lambda p: (_npz(p, x=np.ones(1000)),
                                 p.write_bytes(p.read_bytes()[:300])), "not a readable .npz"),
    ("zip bomb", _zip_bomb, "zip bomb"),
    ("many-member bomb", _many_member_bomb, "zip bomb"),
    ("huge v1 header", lambda p: _raw_npz(p, [("x.npy", b"\x93NUMPY\x01\x00"
                                                + struct.pack("<H", 60000) + b" " * 60000)]),
     "header of 60000 bytes"),
    ("huge v2 header", lambda p: _raw_npz(p, [("x.npy", b"\x93NUMPY\x02\x00"
                                                + struct.pack("<I", 10**6) + b" " * 4096)]),
     "header of 1000000 bytes"),
    ("shape beyond data", lambda p: _raw_npz(p, [("x.npy", _npy_header((2**40,)) + bytes(64))]),
     "claims shape"),
    ("bad header text", lambda p: _raw_npz(p, [("x.npy", b"\x93NUMPY\x01\x00"
                                                 + struct.pack("<H", 16) + b"{'descr': evil}\n")]),
     "bad .npy header"),
    ("unknown version", lambda p: _raw_npz(p, [("x.npy", b"\x93NUMPY\x09\x00" + bytes(8))]),
     "version"),
    ("not npy member", lambda p: _raw_npz(p, [("x.npy", b"hello world, not numpy")]),
     "not a .npy array"),
]


@pytest.mark.parametrize("writer, words", [m[1:] for m in MALFORMED],
                         ids=[m[0] for m in MALFORMED])
def test_malformed_input_file_is_one_line_and_exit_2(tmp_path, capsys, writer, words):
    path = tmp_path / "in.npz"
    writer(path)
    before = sorted(os.listdir(tmp_path))
    code = cli.main(["report", "--input", str(path), "--quiet", "--json",
                     str(tmp_path / "r.json"), "--csv", str(tmp_path / "r.csv")])
    out, err = capsys.readouterr()
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("attncore report: error: --input"), err
    assert words in err, err
    assert sorted(os.listdir(tmp_path)) == before  # nothing new, no temporaries


def test_lying_member_sizes_cannot_inflate_past_the_declared_size(tmp_path):
    """A member whose directory entry claims 300 bytes but whose deflate
    stream holds 64 MiB: zipfile stops at the declared size, so at most 300
    bytes are inflated whatever the stream says."""
    payload = _npy_header((2,)) + bytes(1 << 26)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    stream = compressor.compress(payload) + compressor.flush()
    path = tmp_path / "liar.npz"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("x.npy", payload[:300])
    raw = bytearray(path.read_bytes())
    # splice the big stream in place of the honest one, keeping the declared sizes
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("x.npy")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    raw[start:start + info.compress_size] = stream
    central = raw.rfind(b"PK\x01\x02")
    raw[central + 20:central + 24] = struct.pack("<I", len(stream))  # compressed size
    eocd = raw.rfind(b"PK\x05\x06")
    raw[eocd + 16:eocd + 20] = struct.pack("<I", central)
    raw[info.header_offset + 18:info.header_offset + 22] = struct.pack("<I", len(stream))
    path.write_bytes(bytes(raw))
    with zipfile.ZipFile(path) as archive:
        assert archive.getinfo("x.npy").file_size == 300
        with archive.open("x.npy") as member:
            assert len(member.read(1 << 20)) <= 300
    try:
        arrays = report_inputs.load(path)
    except report_inputs.InputError:
        return
    assert arrays["x"].nbytes <= 300


@pytest.mark.parametrize("args, words", [
    (["--seed", "-1"], "--seed: must be at least 0"),
    (["--seed", "1.5"], "--seed: expected an integer"),
    (["--repeat", "0"], "--repeat: must be from 1"),
    (["--repeat", "-3"], "--repeat: must be from 1"),
    (["--workers", "0"], "--workers: must be from 1"),
    (["--workers", str(10**9)], "--workers: must be from 1 to"),
    (["--kernels", ",,"], "no kernel named"),
    (["--kernels", "mul,nope"], "unknown kernel"),
    (["--backend", "int8"], "invalid choice"),
    (["--json", "/nonexistent-dir/r.json"], "does not exist"),
    (["--csv", "/nonexistent-dir/r.csv"], "does not exist"),
    (["--plots", "/nonexistent-dir/plots"], "does not exist"),
    (["--input", "/nonexistent/file.npz"], "no such file"),
    (["--input", "/dev/null"], "not a regular file"),
    (["--quick", "--full"], "not allowed with"),
])
def test_bad_argument_is_one_line_and_exit_2(args, words, tmp_path):
    before = sorted(os.listdir(tmp_path))
    done = subprocess.run([sys.executable, "-m", "attncore", "report", "--quiet", "--no-speed",
                           "--json", "r.json", *args],
                          capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr, done.stderr
    assert words in done.stderr, done.stderr
    assert sorted(os.listdir(tmp_path)) == before


def test_json_and_a_bad_csv_leave_nothing(tmp_path, capsys):
    """The issue's case: --json ok.json --csv /nonexistent/x exited 2 but left ok.json."""
    code = cli.main(["report", "--quiet", "--no-speed", "--kernels", "mul", "--json",
                     str(tmp_path / "ok.json"), "--csv", "/nonexistent/x"])
    assert code == 2 and os.listdir(tmp_path) == []
    assert capsys.readouterr().err.count("\n") == 1


@pytest.mark.parametrize("failing", ["write_json", "write_csv", "write_plots"])
@pytest.mark.parametrize("exc", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_an_error_while_writing_leaves_nothing_new(tmp_path, monkeypatch, failing, exc):
    """Any output failing (a full disk, Ctrl-C) after others were written:
    no target appears, no temporary stays, an existing target keeps its
    old contents."""
    pytest.importorskip("matplotlib")
    (tmp_path / "r.json").write_text("old")
    original = getattr(report_output, failing)

    def broken(path, *args):
        original(path, *args)  # write it all, then fail
        raise exc
    monkeypatch.setattr(report_output, failing, broken)
    argv = ["report", "--quiet", "--no-speed", "--kernels", "mul", "--json",
            str(tmp_path / "r.json"), "--csv", str(tmp_path / "r.csv"), "--plots",
            str(tmp_path / "plots")]
    if isinstance(exc, KeyboardInterrupt):
        with pytest.raises(KeyboardInterrupt):
            cli.main(argv)
    else:
        assert cli.main(argv) == 2
    assert sorted(os.listdir(tmp_path)) == ["r.json"]
    assert (tmp_path / "r.json").read_text() == "old"


def test_outputs_appear_together_when_the_run_succeeds(tmp_path):
    pytest.importorskip("matplotlib")
    (tmp_path / "plots").mkdir()
    (tmp_path / "plots" / "mine.txt").write_text("kept")
    assert cli.main(["report", "--quiet", "--no-speed", "--kernels", "mul", "--json",
                     str(tmp_path / "r.json"), "--csv", str(tmp_path / "r.csv"), "--plots",
                     str(tmp_path / "plots")]) == 0
    assert sorted(os.listdir(tmp_path)) == ["plots", "r.csv", "r.json"]
    assert json.loads((tmp_path / "r.json").read_text())["mode"] == "quick"
    plots = sorted(os.listdir(tmp_path / "plots"))
    assert "mine.txt" in plots and "error_histograms.png" in plots
    assert all(not name.startswith(".") for name in plots)
