"""The C core on every CI target is bit-identical to the Python package.

ext/tools/targets.py builds the Q16.16 sources for each target with the
strict flags (no warning allowed), checks every object's undefined symbols
against that ABI's allow-list (no float helper, libm, libc beyond
memcpy/memset, heap or writable data), and replays the golden vectors of
tests/golden_vectors.py under QEMU -- through a small RAM window and in
several images where the target is small (Cortex-M0+ on the micro:bit, AVR)
-- counting every output bit, event count, status and stop index that
differs.  MSP430 is compile-only (no emulator in Debian).

With CI set, a missing toolchain is a failure; elsewhere its target is
skipped.  The target table is printed as the tests run.
"""
import json
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

import golden_vectors

EXT = pathlib.Path(__file__).resolve().parents[1] / "ext"
sys.path.insert(0, str(EXT / "tools"))
import targets as T  # noqa: E402

RESULTS = EXT / "tools" / "results" / "targets.json"
ORDER = list(T.TARGETS)


@pytest.fixture(scope="module")
def golden(tmp_path_factory):
    path = tmp_path_factory.mktemp("golden") / "golden.h"
    path.write_text(golden_vectors.build())
    return path


@pytest.fixture(scope="module")
def table_header():
    """Prints the table's header once, before the first target's row."""
    printed = []

    def show(capsys):
        if not printed:
            with capsys.disabled():
                print("\n" + "\n".join(T.table([]).splitlines()[:2]))
            printed.append(True)
    return show


def run_target(name, golden, build):
    out = build / "result.json"
    r = subprocess.run([sys.executable, str(EXT / "tools" / "targets.py"), "--golden",
                        str(golden), "--targets", name, "--build", str(build), "--json", str(out)],
                       capture_output=True, text=True, timeout=2400)
    assert out.exists(), r.stdout[-3000:] + r.stderr[-3000:]
    return json.loads(out.read_text())[0], r


@pytest.mark.parametrize("name", ORDER)
def test_target(name, golden, tmp_path, capsys, table_header):
    missing = [t for t in T.tool_names(name) if shutil.which(t) is None]
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run {name}, but {', '.join(missing)} are missing")
        pytest.skip(f"needs {', '.join(missing)}")
    res, r = run_target(name, golden, tmp_path)
    table_header(capsys)
    with capsys.disabled():
        print(T.table([res]).splitlines()[-1])
    assert not res["errors"], res["errors"]
    assert res["warnings"] == 0, res["warning_lines"]
    assert not res["forbidden"], res["forbidden"]
    if not T.TARGETS[name].get("compile_only"):
        if "kinds" not in T.TARGETS[name]:
            assert res["vectors"] > 80000, res["vectors"]  # every golden case ran
        assert res["mismatches"] == 0 and res["skipped"] == 0, res["bad_cases"][:20]
        assert res["failed_runs"] == 0, res["bad_cases"][:20]
    assert r.returncode == 0, r.stdout[-3000:]
    # ext/README.md's tables come from the committed results: with the same
    # compiler they must still be what this run measured
    committed = {c["target"]: c for c in json.loads(RESULTS.read_text())}[name]
    if committed["toolchain"] == res["toolchain"]:
        for key in ("object_bytes", "stack", "vectors", "images", "helpers"):
            assert committed.get(key) == res.get(key), (
                f"{key} changed: run make -C ext readme to update ext/README.md")


def test_allowlists_reject_float_and_libc():
    """The allow-lists are what the symbol check trusts: float helpers,
    libm, libc and heap calls of every ABI must fall outside them."""
    forbidden = {
        "arm-eabi": ["__aeabi_fadd", "__aeabi_dmul", "__aeabi_d2iz", "__aeabi_f2d", "expf",
                     "malloc", "printf"],
        "riscv": ["__adddf3", "__mulsf3", "__fixdfsi", "__floatsidf", "exp", "free"],
        "avr": ["__addsf3", "__mulsf3", "__fixsfsi", "__floatsisf", "__do_copy_data",
                "__do_clear_bss", "malloc"],
        "msp430": ["__mspabi_mpyf", "__mspabi_divd", "__mspabi_fixdli", "__mspabi_fltlif",
                   "__mspabi_cvtfd", "__mspabi_cmpd", "calloc"],
        "sysv-linux": ["__adddf3", "__muldf3", "__floatditf", "exp", "expl", "malloc",
                       "puts", "__stack_chk_fail"],
    }
    allowed = {
        "arm-eabi": ["__aeabi_uldivmod", "__aeabi_idiv", "__aeabi_lmul", "memcpy", "ac_q16_div"],
        "riscv": ["__udivdi3", "__muldi3", "memset"],
        "avr": ["__udivdi3", "__muldi3", "__mulsidi3", "__ashldi3", "__cmpdi2_s8"],
        "msp430": ["__mspabi_mpyll", "__mspabi_divull", "__mspabi_srll", "memcpy"],
        "sysv-linux": ["__udivti3", "__divdi3", "_gp_disp"],
    }
    for abi in forbidden:
        pats = T.load_allowlist(abi)
        for sym in forbidden[abi]:
            assert not any(p.fullmatch(sym) for p in pats), (abi, sym)
        for sym in allowed[abi]:
            assert any(p.fullmatch(sym) for p in pats), (abi, sym)
