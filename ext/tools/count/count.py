#!/usr/bin/env python3
"""Instructions per call of each Q16.16 kernel (and of CMSIS-DSP's comparable
routines) on Cortex-M4 and Cortex-M0+, counted under QEMU.

    python3 tools/count/count.py [--cmsis PATH/cmsisdsp-X.Y.Z] [--cpus m4,m0plus]
                                 [--build DIR] [--markdown OUT.md] [--json OUT.json]

Method (QEMU 7.2 as Debian 12 ships it has TCG plugin support but no plugin
binaries and no plugin header, so no libinsn.so): every translation block
holds one instruction (-singlestep; QEMU 8.1+ spells it -accel
tcg,one-insn-per-tb=on) and is never chained (-d exec,nochain), so the exec
trace has exactly one "Trace" line per executed instruction.  The trace goes
through a FIFO and is counted on the fly between the first instruction of
count_begin and the first of count_end (count_markers.h); the count of an
empty region (the markers' own cost) is subtracted.  Conditional
instructions that fail their condition (Thumb-2 IT blocks) count as
executed, as they take an issue slot.  Counts are exact and repeatable: the
same image gives the same numbers on any host, loaded or not.
"""
import argparse
import json
import os
import pathlib
import re
import statistics
import subprocess
import sys
import tempfile
import threading

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
import targets as T  # noqa: E402  (sources, include dirs, firmware paths)

CPUS = {
    "m4": dict(cflags=["-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=soft"], ld="mps2_an386.ld",
               machine="mps2-an386", newlib="thumb/v7e-m/nofp"),
    "m0plus": dict(cflags=["-mcpu=cortex-m0plus", "-mthumb", "-mfloat-abi=soft"],
                   ld="microbit.ld", machine="microbit", newlib="thumb/v6-m/nofp"),
}
OPT = ["-O2"]
CC = "arm-none-eabi-gcc"

# CMSIS-DSP sources for the comparison (built from the cmsisdsp sdist; only
# the routines the comparison calls).  -D__GNUC_PYTHON__ is the sdist's own
# switch for building without CMSIS-Core: the portable C path, no DSP-extension
# intrinsics (arm_mat_mult_q31 uses none anyway; q15 would use SMLAD with them).
CMSIS_SOURCES = [
    "Source/MatrixFunctions/arm_mat_init_q31.c", "Source/MatrixFunctions/arm_mat_init_q15.c",
    "Source/MatrixFunctions/arm_mat_init_f32.c", "Source/MatrixFunctions/arm_mat_mult_q31.c",
    "Source/MatrixFunctions/arm_mat_mult_fast_q31.c",
    "Source/MatrixFunctions/arm_mat_mult_q15.c", "Source/MatrixFunctions/arm_mat_mult_f32.c",
    "Source/MatrixFunctions/arm_mat_inverse_f32.c",
    "Source/MatrixFunctions/arm_mat_vec_mult_f32.c",
    "Source/MatrixFunctions/arm_mat_vec_mult_q31.c",
    "Source/MatrixFunctions/arm_mat_cholesky_f32.c",
    "Source/MatrixFunctions/arm_mat_solve_lower_triangular_f32.c",
    "Source/MatrixFunctions/arm_mat_solve_upper_triangular_f32.c",
    "Source/MatrixFunctions/arm_mat_trans_f32.c",
    "Source/FastMathFunctions/arm_vexp_f32.c", "Source/FastMathFunctions/arm_divide_q31.c",
    "Source/FastMathFunctions/arm_sqrt_q31.c",
    "Source/StatisticsFunctions/arm_max_f32.c", "Source/StatisticsFunctions/arm_max_q31.c",
    "Source/StatisticsFunctions/arm_accumulate_f32.c",
    "Source/BasicMathFunctions/arm_offset_f32.c", "Source/BasicMathFunctions/arm_scale_f32.c",
    "Source/BasicMathFunctions/arm_mult_q31.c", "Source/BasicMathFunctions/arm_abs_q31.c",
    "Source/CommonTables/arm_common_tables.c",
]


# CMSIS-DSP's own CMake defaults (Source/CMakeLists.txt): LOOPUNROLL on, MATRIXCHECK off
CMSIS_DEFINES = ["-DARM_MATH_LOOPUNROLL"]


def sh(cmd, **kw):
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))}\n{r.stderr}")
    return r


def build(cpu, bdir, main_src, cmsis=None, defines=()):
    cfg = CPUS[cpu]
    bdir.mkdir(parents=True, exist_ok=True)
    objs = []
    common = cfg["cflags"] + OPT + ["-ffunction-sections", "-fdata-sections"] + list(defines)
    inc = T.include_dirs() + [f"-I{T.FW}", f"-I{HERE}"]
    srcs = [(s, ["-std=c99", "-ffreestanding"]) for s in T.q16_sources()]
    srcs += [(T.FW / "arm" / "startup_cm.c", ["-std=c99", "-ffreestanding",
                                              "-fno-tree-loop-distribute-patterns"]),
             (T.FW / "semihost.c", ["-std=c99", "-ffreestanding",
                                    "-fno-tree-loop-distribute-patterns"]),
             (HERE / "count_support.c", ["-std=c99", "-ffreestanding"]),
             (main_src, ["-std=c99"] + (["-D__GNUC_PYTHON__"] if cmsis else []))]
    extra_inc = []
    if cmsis:
        extra_inc = [f"-I{cmsis / 'Include'}", f"-I{cmsis / 'PrivateInclude'}"]
        srcs += [(cmsis / s, ["-std=c99", "-D__GNUC_PYTHON__"] + CMSIS_DEFINES)
                 for s in CMSIS_SOURCES]
    for src, flags in srcs:
        obj = bdir / (src.stem + ".o")
        sh([CC] + common + flags + inc + extra_inc + ["-fstack-usage", "-c", src, "-o", obj])
        objs.append(obj)
    elf = bdir / (main_src.stem + ".elf")
    libs = ["-lgcc"]
    if cmsis:  # soft-float expf etc. from newlib's libm (the float baseline firmware uses)
        libs = ["-lm", "-lc", "-lgcc"]
    sh([CC] + cfg["cflags"] + ["-nostartfiles", "--specs=nosys.specs" if cmsis else "-nostdlib",
                               "-L", T.FW / "arm", "-T", cfg["ld"], "-Wl,--gc-sections"]
       + objs + libs + ["-o", elf])
    return elf


def newlib_present():
    r = subprocess.run([CC] + CPUS["m4"]["cflags"] + ["-print-file-name=libm.a"],
                       capture_output=True, text=True)
    return r.returncode == 0 and os.path.isabs(r.stdout.strip())


def symbol_address(elf, name):
    out = sh(["arm-none-eabi-nm", elf]).stdout
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[2] == name:
            return int(parts[0], 16) & ~1
    raise KeyError(name)


def trace_counts(cpu, elf):
    """Per-region instruction counts from one traced run, and the output."""
    begin, end = symbol_address(elf, "count_begin"), symbol_address(elf, "count_end")
    with tempfile.TemporaryDirectory() as tmp:
        fifo = pathlib.Path(tmp) / "trace"
        os.mkfifo(fifo)
        counts = []

        def reader():
            inside, n = False, 0
            pat = re.compile(r"^Trace \d+: \S+ \[[0-9a-f]+/([0-9a-f]+)/")
            with open(fifo, "r", errors="replace") as f:
                for line in f:
                    m = pat.match(line)
                    if not m:
                        continue
                    pc = int(m.group(1), 16)
                    if pc == begin:
                        inside, n = True, 0
                    elif pc == end and inside:
                        counts.append(n)
                        inside = False
                    if inside:
                        n += 1

        th = threading.Thread(target=reader)
        th.start()
        cmd = ["qemu-system-arm", "-M", CPUS[cpu]["machine"], "-nographic", "-monitor", "none",
               "-serial", "none", "-semihosting-config", "enable=on,target=native",
               "-singlestep", "-d", "exec,nochain", "-D", str(fifo), "-kernel", str(elf)]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=3600)
        th.join()
    return counts, r.stdout + r.stderr, r.returncode


def regions(cpu, elf):
    counts, out, code = trace_counts(cpu, elf)
    names = re.findall(r"^REGION (.*)$", out, re.M)
    stacks = [int(s) for s in re.findall(r"^STACK (\d+)$", out, re.M)]
    if code != 0 or len(names) != len(counts) or "DONE" not in out:
        raise RuntimeError(f"run failed (exit {code}, {len(names)} names, {len(counts)} counts):"
                           f"\n{out[-2000:]}")
    base = [c for n, c in zip(names, counts) if n == "(markers)"]
    overhead = min(base)
    table = {}
    for n, c, s in zip(names, counts, stacks):
        if n == "(markers)":
            continue
        e = table.setdefault(n, dict(counts=[], stack=0))
        e["counts"].append(c - overhead)
        e["stack"] = max(e["stack"], s)
    return table, overhead


def summarize(table):
    out = {}
    for n, e in table.items():
        c = e["counts"]
        out[n] = dict(min=min(c), median=int(statistics.median(c)), max=max(c), calls=len(c),
                      stack=e["stack"])
    return out


def markdown(results, cpus):
    lines = []
    for lib, res in results.items():
        lines.append(f"\n### {lib}\n")
        head = "| call |" + "".join(f" {c} median (min-max) | {c} stack B |" for c in cpus)
        lines += [head, "|---|" + "---|---|" * len(cpus)]
        names = list(next(iter(res.values())).keys())
        for n in names:
            row = f"| {n} |"
            for c in cpus:
                e = res[c].get(n)
                if e is None:
                    row += " - | - |"
                    continue
                rng = f"{e['min']:,}" if e["min"] == e["max"] else f"{e['min']:,}-{e['max']:,}"
                row += f" {e['median']:,} ({rng}) | {e['stack']} |"
            lines.append(row)
    return "\n".join(lines) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cmsis", type=pathlib.Path)
    ap.add_argument("--cpus", default="m4,m0plus")
    ap.add_argument("--build", type=pathlib.Path, default=T.EXT / "build" / "count")
    ap.add_argument("--defines", default="")
    ap.add_argument("--markdown", type=pathlib.Path)
    ap.add_argument("--json", type=pathlib.Path)
    args = ap.parse_args(argv)
    cpus = args.cpus.split(",")
    results = {"attncore": {}}
    if args.cmsis and not newlib_present():
        print("CMSIS-DSP skipped: its float routines need newlib's libm "
              "(libnewlib-arm-none-eabi)", file=sys.stderr)
        args.cmsis = None
    if args.cmsis:
        results["CMSIS-DSP (cmsisdsp sdist, portable C, soft float)"] = {}
    for cpu in cpus:
        elf = build(cpu, args.build / cpu / "attncore", HERE / "count_attncore.c",
                    defines=args.defines.split())
        table, overhead = regions(cpu, elf)
        results["attncore"][cpu] = summarize(table)
        print(f"[{cpu}] attncore: marker overhead {overhead} instructions", file=sys.stderr)
        if args.cmsis:
            elf = build(cpu, args.build / cpu / "cmsis", HERE / "count_cmsis.c",
                        cmsis=args.cmsis.resolve())
            table, overhead = regions(cpu, elf)
            results["CMSIS-DSP (cmsisdsp sdist, portable C, soft float)"][cpu] = summarize(table)
    text = markdown(results, cpus)
    print(text)
    if args.markdown:
        args.markdown.write_text(text)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
