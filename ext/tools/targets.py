#!/usr/bin/env python3
"""Build the Q16.16 core for each target, check it, run the golden vectors.

    python3 tools/targets.py --golden golden.h [--targets m4,avr,...] [--build DIR]
                             [--json OUT] [--markdown OUT] [--no-run] [--defines ...]
    python3 tools/targets.py --example examples/main.c --targets m4 [--build DIR]

For each target (TARGETS below):
  1. compile every Q16.16 source (src/q16/*.c) with the strict flags; "builds
     clean" means no warning at all;
  2. check each object's undefined symbols against the per-ABI allow-list
     (tools/allowlists/common.txt + <abi>.txt): no float helper, libm, libc
     beyond memcpy/memset, heap or anything else; and no writable data
     (.data/.bss) in any Q16.16 object;
  3. code size: text + rodata of the Q16.16 objects; with GCC >= 10, the
     static worst-case stack of every entry point from the call graph
     (tools/stack_usage.py);
  4. build test images from golden slices (tools/golden_split.py) with
     tests/target/golden_runner.c and the target's start-up (firmware/),
     run them under the emulator, and count vectors, mismatches and cases
     that did not fit.
Prints the target table (Markdown) and writes it, with everything else it
found, as JSON.  The exit status is non-zero when any target fails any
check.  --example links a program (examples/main.c) for a target instead
and runs it, printing its size and stack.
"""
import argparse
import concurrent.futures
import json
import pathlib
import re
import shutil
import subprocess
import sys
import threading
import time

HERE = pathlib.Path(__file__).resolve().parent
EXT = HERE.parent
FW = EXT / "firmware"
RUNNER = EXT / "tests" / "target" / "golden_runner.c"
sys.path.insert(0, str(HERE))
import stack_usage  # noqa: E402

# The strict flags, for every compiler; GCC_NEW and CLANG_EXTRA add what
# each compiler has beyond them.
STRICT = ["-std=c99", "-pedantic", "-Wall", "-Wextra", "-Wconversion", "-Wsign-conversion",
          "-Wshadow", "-Wdouble-promotion", "-Wcast-align", "-Wstrict-prototypes",
          "-Wmissing-prototypes", "-ffreestanding", "-ffunction-sections", "-fdata-sections"]
GCC_NEW = ["-Wshift-overflow=2", "-Wcast-align=strict", "-Wduplicated-cond", "-Wlogical-op",
           "-fcallgraph-info=su"]
CLANG_EXTRA = ["-Wshift-overflow", "-Wshorten-64-to-32", "-Wimplicit-int-conversion",
               "-Wformat=2"]

QEMU_SEMI = ["-nographic", "-monitor", "none", "-serial", "none",
             "-semihosting-config", "enable=on,target=native"]
CORTEX_M = [FW / "arm" / "startup_cm.c", FW / "semihost.c"]
AVR_RUN = ["qemu-system-avr", "-M", "mega2560", "-display", "none", "-monitor", "none",
           "-serial", "stdio", "-bios"]

# budget: bytes of golden data per image (0 = one image with everything);
# buf / mask: the runner's RAM window (int32 elements / mask bytes).
TARGETS = {
    "m4": dict(
        desc="Cortex-M4, soft float (QEMU mps2-an386)", tool="arm-none-eabi-", abi="arm-eabi",
        cflags=["-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=soft", "-O2"] + GCC_NEW,
        plat=CORTEX_M, ldflags=["-nostdlib", "-nostartfiles", "-L", FW / "arm", "-T",
                                "mps2_an386.ld", "-Wl,--gc-sections", "-lgcc"],
        run=["qemu-system-arm", "-M", "mps2-an386"] + QEMU_SEMI + ["-kernel"],
        budget=0, buf=16384),
    "m0plus": dict(
        desc="Cortex-M0+ (ARMv6-M) code on QEMU microbit, a Cortex-M0 (same instruction set)",
        tool="arm-none-eabi-", abi="arm-eabi",
        cflags=["-mcpu=cortex-m0plus", "-mthumb", "-mfloat-abi=soft", "-O2"] + GCC_NEW,
        plat=CORTEX_M, ldflags=["-nostdlib", "-nostartfiles", "-L", FW / "arm", "-T",
                                "microbit.ld", "-Wl,--gc-sections", "-lgcc"],
        run=["qemu-system-arm", "-M", "microbit"] + QEMU_SEMI + ["-kernel"],
        budget=170000, buf=1536),
    "rv32imac": dict(
        desc="RV32IMAC bare metal (QEMU virt)", tool="riscv64-unknown-elf-", abi="riscv",
        cflags=["-march=rv32imac", "-mabi=ilp32", "-mcmodel=medany", "-O2"] + GCC_NEW,
        plat=[FW / "riscv" / "start.S", FW / "riscv" / "rv_start.c", FW / "semihost.c"],
        ldflags=["-nostdlib", "-nostartfiles", "-T", FW / "riscv" / "virt.ld",
                 "-Wl,--gc-sections", "-lgcc"],
        run=["qemu-system-riscv32", "-M", "virt", "-bios", "none"] + QEMU_SEMI + ["-kernel"],
        budget=0, buf=16384),
    "mips32": dict(
        desc="MIPS32 big-endian, Linux user mode", tool="mips-linux-gnu-", abi="sysv-linux",
        cflags=["-O2"] + GCC_NEW, plat=[FW / "linux" / "platform_linux.c"],
        ldflags=["-static"], run=["qemu-mips"], budget=0, buf=16384),
    "ppc32": dict(
        desc="PowerPC 32 big-endian, Linux user mode", tool="powerpc-linux-gnu-",
        abi="sysv-linux", cflags=["-O2"] + GCC_NEW, plat=[FW / "linux" / "platform_linux.c"],
        ldflags=["-static"], run=["qemu-ppc"], budget=0, buf=16384),
    "aarch64": dict(
        desc="AArch64, Linux user mode", tool="aarch64-linux-gnu-", abi="sysv-linux",
        cflags=["-O2"] + GCC_NEW, plat=[FW / "linux" / "platform_linux.c"],
        ldflags=["-static"], run=["qemu-aarch64"], budget=0, buf=16384),
    # avr-gcc 5.4: no -Wshift-overflow=2 (it warns on shift counts anyway) and
    # no call graphs.  ISO C, so the tables are read through progmem; the
    # runner is GNU C for __flash.  QEMU 7.2 reads flash above 64 KiB wrongly
    # with ELPM and avr-libc's start-up copies .data with ELPM when its load
    # image lies there, so the images keep no .data (GR_FLASH_STRINGS) and an
    # image whose .data would be loaded from above 64 KiB is not run.
    "avr": dict(
        desc="AVR ATmega2560, 8-bit, 16-bit int (QEMU mega2560)", tool="avr-", abi="avr",
        cflags=["-mmcu=atmega2560", "-Os"], plat=[FW / "avr" / "platform_avr.c"],
        runner_std="-std=gnu99", runner_defs=["-DGOLDEN_FLASH=__flash", "-DGR_FLASH_STRINGS"],
        max_lma=0x10000, ldflags=["-Wl,--gc-sections"], run=AVR_RUN, end_marker="@@END",
        budget=56000, buf=384, mask=256, timeout=900),
    # the same, with the core in GNU C: the tables read through __flash
    # instead of progmem (src/q16/q16_tables.h); only the kernels that read
    # them run
    "avr-gnu": dict(
        desc="AVR as above, core in GNU C (tables through __flash): exp, softmax, attention",
        tool="avr-", abi="avr", cflags=["-mmcu=atmega2560", "-Os"], core_std="-std=gnu99",
        plat=[FW / "avr" / "platform_avr.c"], runner_std="-std=gnu99",
        runner_defs=["-DGOLDEN_FLASH=__flash", "-DGR_FLASH_STRINGS"], max_lma=0x10000,
        ldflags=["-Wl,--gc-sections"], run=AVR_RUN, end_marker="@@END",
        budget=56000, buf=384, mask=256, timeout=900, kinds="unary,softmax,attention"),
    "msp430": dict(
        desc="MSP430, 16-bit (clang --target=msp430), compile only", cc="clang",
        ccflags=["--target=msp430"], nm="llvm-nm", size="llvm-size", abi="msp430",
        cflags=["-Os"] + CLANG_EXTRA, compile_only=True),
}


def tool_names(name):
    """The executables a target needs (to skip or fail cleanly when absent)."""
    cfg = TARGETS[name]
    names = [tool(cfg, "cc")[0], tool(cfg, "nm")[0], tool(cfg, "size")[0]]
    if not cfg.get("compile_only"):
        names.append(cfg["run"][0])
    return names


def q16_sources():
    return sorted((EXT / "src" / "q16").glob("*.c"))


def include_dirs():
    return [f"-I{EXT / 'include'}", f"-I{EXT / 'src' / 'q16'}"]


def load_allowlist(abi):
    pats = []
    for name in ("common", abi):
        for line in (HERE / "allowlists" / f"{name}.txt").read_text().splitlines():
            if line.strip() and not line.startswith("#"):
                pats.append(re.compile(line.strip()))
    return pats


def tool(cfg, name):
    if name == "cc":
        return [cfg.get("cc", cfg.get("tool", "") + "gcc")] + cfg.get("ccflags", [])
    return [cfg.get(name, cfg.get("tool", "") + name)]


def run(cmd, timeout=900, **kw):
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True,
                          timeout=timeout, **kw)


def compile_core(cfg, bdir, defines):
    """Strict compile of every Q16.16 source: (objects, warnings, errors)."""
    objs, warnings, errors = [], [], []
    cc = tool(cfg, "cc")

    def one(src):
        obj = bdir / "core" / (src.stem + ".o")
        obj.parent.mkdir(parents=True, exist_ok=True)
        strict = [cfg.get("core_std", f) if f == "-std=c99" else f for f in STRICT]
        cmd = cc + strict + cfg["cflags"] + defines + include_dirs() + ["-c", src, "-o", obj]
        if not cfg.get("compile_only"):
            cmd.append("-fstack-usage")
        return src, obj, run(cmd, cwd=obj.parent)

    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        for src, obj, r in pool.map(one, q16_sources()):
            warnings += [line for line in r.stderr.splitlines() if "warning:" in line]
            if r.returncode != 0:
                errors.append(f"{src.name}: {r.stderr.strip()[:2000]}")
            else:
                objs.append(obj)
    return objs, warnings, errors


def check_symbols(cfg, objs):
    """Forbidden undefined symbols and writable data per object, and every
    helper the objects use."""
    pats = load_allowlist(cfg["abi"])
    forbidden, seen = {}, set()
    for obj in objs:
        out = run(tool(cfg, "nm") + ["-u", obj]).stdout
        syms = [line.split()[-1] for line in out.splitlines() if line.strip()]
        seen.update(s for s in syms if not s.startswith("ac_"))
        bad = [s for s in syms if not any(p.fullmatch(s) for p in pats)]
        if bad:
            forbidden[obj.name] = bad
        defined = run(tool(cfg, "nm") + ["--defined-only", obj]).stdout
        for line in defined.splitlines():
            parts = line.split()
            if len(parts) >= 3 and parts[1] in "DdBbCG":
                forbidden.setdefault(obj.name, []).append(f"{parts[2]} (writable data)")
    return forbidden, sorted(seen)


def code_size(cfg, objs):
    """Flash bytes (text + rodata) of each Q16.16 object."""
    sizes = {}
    for obj in objs:
        total = 0
        for line in run(tool(cfg, "size") + ["-A", obj]).stdout.splitlines():
            parts = line.split()
            if len(parts) >= 2 and parts[1].isdigit() and parts[0].startswith(
                    (".text", ".rodata", ".srodata", ".progmem")):
                total += int(parts[1])
        sizes[obj.stem] = total
    return sizes


def static_stack(bdir):
    """Worst-case stack of every Q16.16 entry point from the call graphs."""
    files = sorted((bdir / "core").glob("*.ci"))
    if not files:
        return None
    return [dict(function=name, bytes=b, notes=notes)
            for b, name, notes in stack_usage.entry_bounds(files)
            if name.startswith("ac_")]


def build_lib(cfg, objs, bdir):
    lib = bdir / "libattncore_q16.a"
    if lib.exists():
        lib.unlink()
    r = run(tool(cfg, "ar") + ["rcs", lib] + objs)
    if r.returncode != 0:
        raise RuntimeError(r.stderr)
    return lib


def platform_flags(cfg):
    # memcpy/memset/the start-up copy loops must not be turned into calls
    # to memcpy/memset themselves (these images link no libc)
    return (["-fno-tree-loop-distribute-patterns"]
            + (["-ffreestanding"] if "-nostdlib" in cfg.get("ldflags", []) else []))


def compile_platform(cfg, bdir, defines):
    """Start-up and output code of the images, compiled once per target."""
    objs = []
    for src in cfg["plat"]:
        obj = bdir / "plat" / (src.name + ".o")
        obj.parent.mkdir(parents=True, exist_ok=True)
        r = run(tool(cfg, "cc") + cfg["cflags"] + [cfg.get("runner_std", "-std=c99"), "-Wall",
                                                    "-Wextra"] + platform_flags(cfg)
                + defines + include_dirs() + [f"-I{FW}", "-c", src, "-o", obj], cwd=obj.parent)
        if r.returncode != 0:
            raise RuntimeError(f"{src}: {r.stderr}")
        objs.append(obj)
    return objs


def image_size(cfg, elf):
    lines = run(tool(cfg, "size") + [elf]).stdout.splitlines()
    text, data, bss = (int(v) for v in lines[1].split()[:3])
    return dict(text=text, data=data, bss=bss)


def run_slices(name, cfg, bdir, lib, golden, defines, log):
    """Build and run one image per golden slice; returns the totals."""
    sdir = bdir / "golden"
    if sdir.exists():
        shutil.rmtree(sdir)
    r = run([sys.executable, HERE / "golden_split.py", golden, sdir,
             "--budget", str(cfg.get("budget", 0))]
            + (["--kinds", cfg["kinds"]] if "kinds" in cfg else []))
    if r.returncode != 0:
        raise RuntimeError(r.stderr)
    manifest = json.loads((sdir / "manifest.json").read_text())
    totals = dict(images=0, vectors=0, mismatches=0, skipped=0, failed_runs=0,
                  bad_cases=[], seconds=0.0, image_bytes=0)
    cc = tool(cfg, "cc")
    plat_objs = compile_platform(cfg, bdir, defines)
    for entry in manifest:
        header = sdir / entry["header"]
        elf = sdir / (header.stem + ".elf")
        # a slice holds some kernel families only: helpers of the others go unused
        cmd = (cc + cfg["cflags"] + [cfg.get("runner_std", "-std=c99"), "-Wall", "-Wextra",
                                     "-Werror", "-Wno-unused-function", "-Wno-unused-variable",
                                     "-Wno-unused-const-variable"]
               + defines + cfg.get("runner_defs", [])
               + [f"-DGR_BUF={cfg.get('buf', 16384)}L", f"-DGR_MASK={cfg.get('mask', 4096)}L"]
               + platform_flags(cfg) + include_dirs() + [f"-I{FW}", "-include", header, RUNNER]
               + plat_objs + [lib] + cfg["ldflags"] + ["-o", elf])
        b = run(cmd, cwd=sdir)
        if b.returncode != 0:
            log.write(f"[{name}] link of {header.name} failed:\n{b.stderr}\n")
            totals["failed_runs"] += 1
            totals["bad_cases"].append(f"{header.name}: build failed: {b.stderr.strip()[-400:]}")
            continue
        totals["images"] += 1
        size = image_size(cfg, elf)
        totals["image_bytes"] = max(totals["image_bytes"], size["text"] + size["data"])
        if cfg.get("max_lma") and data_load_end(cfg, elf) > cfg["max_lma"]:
            totals["failed_runs"] += 1
            totals["bad_cases"].append(f"{header.name}: .data load image ends at "
                                       f"{data_load_end(cfg, elf):#x} (above 64 KiB): not run")
            continue
        t0 = time.time()
        text, code = emulate(cfg, elf)
        totals["seconds"] += time.time() - t0
        log.write(f"[{name}] {header.name} ({', '.join(entry['kinds'])}) exit {code}\n{text}\n")
        m = re.search(r"TOTAL: (\d+) vectors, (\d+) mismatches, (\d+) skipped", text)
        if not m:
            totals["failed_runs"] += 1
            totals["bad_cases"].append(f"{header.name}: no TOTAL line (exit {code}): "
                                       f"{text.strip()[-300:]}")
            continue
        totals["vectors"] += int(m.group(1))
        totals["mismatches"] += int(m.group(2))
        totals["skipped"] += int(m.group(3))
        for line in text.splitlines():
            mm = re.match(r"^(.*): (\d+) vectors, (\d+) mismatches$", line)
            if (mm and mm.group(3) != "0") or "SKIPPED" in line:
                totals["bad_cases"].append(line.strip())
        if code != 0 and int(m.group(2)) == 0 and int(m.group(3)) == 0:
            totals["failed_runs"] += 1
            totals["bad_cases"].append(f"{header.name}: exit {code} without a mismatch")
    totals["seconds"] = round(totals["seconds"], 1)
    return totals


def data_load_end(cfg, elf):
    """End of the load image of .data (0 without .data)."""
    out = run(tool(cfg, "objdump") + ["-h", elf]).stdout
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 5 and parts[1] == ".data":
            size, lma = int(parts[2], 16), int(parts[4], 16)
            return lma + size if size else 0
    return 0


def emulate(cfg, elf):
    cmd = [str(c) for c in cfg["run"]] + [str(elf)]
    timeout = cfg.get("timeout", 900)
    marker = cfg.get("end_marker")
    if not marker:
        try:
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
            return r.stdout + r.stderr, r.returncode
        except subprocess.TimeoutExpired as exc:
            return (exc.stdout or b"").decode(errors="replace") + "\nTIMEOUT", -1
    # no semihosting (AVR): read the UART until the end marker, then stop QEMU;
    # a watchdog, so that a firmware that hangs silently cannot block the read
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, text=True, errors="replace")
    watchdog = threading.Timer(timeout, proc.kill)
    watchdog.start()
    lines, code = [], -1
    try:
        for line in proc.stdout:
            if line.startswith(marker):
                code = int(line.split()[1])
                break
            lines.append(line)
    finally:
        timed_out = not watchdog.is_alive()
        watchdog.cancel()
        proc.kill()
        proc.wait()
    if timed_out and code == -1:
        lines.append("TIMEOUT\n")
    return "".join(lines), code


def check_target(name, golden, build, defines, no_run, log):
    cfg = TARGETS[name]
    bdir = build / name
    t0 = time.time()
    objs, warnings, errors = compile_core(cfg, bdir, defines)
    for w in warnings:
        log.write(f"[{name}] {w}\n")
    res = dict(target=name, desc=cfg["desc"],
               toolchain=run(tool(cfg, "cc") + ["--version"]).stdout.splitlines()[0],
               warnings=len(warnings), warning_lines=sorted(set(warnings)), errors=errors)
    if errors:
        return res
    res["forbidden"], res["helpers"] = check_symbols(cfg, objs)
    res["object_bytes"] = code_size(cfg, objs)
    res["code_bytes"] = sum(res["object_bytes"].values())
    res["stack"] = static_stack(bdir)
    if not cfg.get("compile_only") and not no_run:
        res.update(run_slices(name, cfg, bdir, build_lib(cfg, objs, bdir), golden, defines, log))
    res["total_seconds"] = round(time.time() - t0, 1)
    return res


def failed(res):
    return bool(res.get("errors") or res.get("warnings") or res.get("forbidden")
                or res.get("mismatches") or res.get("skipped") or res.get("failed_runs"))


def run_example(name, source, build, defines):
    """Link `source` with the core and the target's start-up, run it, and
    return its output, size and stack (static bound and measured)."""
    cfg = TARGETS[name]
    bdir = build / name
    objs, warnings, errors = compile_core(cfg, bdir, defines)
    if errors or warnings:
        raise RuntimeError("\n".join(errors + warnings))
    lib = build_lib(cfg, objs, bdir)
    plat = compile_platform(cfg, bdir, defines)
    obj = bdir / "example" / (source.stem + ".o")
    obj.parent.mkdir(parents=True, exist_ok=True)
    flags = [f for f in cfg["cflags"] if f != "-fcallgraph-info=su"]
    r = run(tool(cfg, "cc") + flags + ["-std=c99", "-Wall", "-Wextra", "-Werror",
                                       "-ffreestanding", "-fcallgraph-info=su"]
            + include_dirs() + [f"-I{FW}", "-c", source, "-o", obj], cwd=obj.parent)
    if r.returncode != 0:
        raise RuntimeError(r.stderr)
    elf = bdir / "example" / (source.stem + ".elf")
    r = run(tool(cfg, "cc") + flags + [obj] + plat + [lib] + cfg["ldflags"] + ["-o", elf])
    if r.returncode != 0:
        raise RuntimeError(r.stderr)
    text, code = emulate(cfg, elf)
    ci = [f for d in ("core", "plat", "example") for f in sorted((bdir / d).glob("*.ci"))]
    bound = stack_usage.entry_bounds(ci, ["main"])[0] if ci else None
    return dict(target=name, output=text, exit=code, size=image_size(cfg, elf),
                static_stack=None if bound is None else dict(bytes=bound[0], notes=bound[2]))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--golden", type=pathlib.Path)
    ap.add_argument("--targets", default=",".join(TARGETS))
    ap.add_argument("--build", type=pathlib.Path, default=EXT / "build" / "targets")
    ap.add_argument("--defines", default="", help="extra -D options for core and runner")
    ap.add_argument("--json", type=pathlib.Path)
    ap.add_argument("--markdown", type=pathlib.Path, help="write the target table here")
    ap.add_argument("--no-run", action="store_true", help="build and check only")
    ap.add_argument("--example", type=pathlib.Path, help="link and run this program instead")
    args = ap.parse_args(argv)
    defines = args.defines.split()
    args.build.mkdir(parents=True, exist_ok=True)
    names = args.targets.split(",")
    if args.example:
        ok = True
        for name in names:
            res = run_example(name, args.example.resolve(), args.build, defines)
            print(res["output"], end="")
            size = res["size"]
            print(f"[{name}] image: text {size['text']} B, data {size['data']} B, "
                  f"bss {size['bss']} B; exit {res['exit']}")
            if res["static_stack"]:
                notes = "; ".join(res["static_stack"]["notes"])
                print(f"[{name}] static worst-case stack from main: "
                      f"{res['static_stack']['bytes']} B" + (f" + {notes}" if notes else ""))
            ok = ok and res["exit"] == 0
        return 0 if ok else 1
    if args.golden is None and not args.no_run:
        ap.error("--golden is needed to run the vectors (or pass --no-run)")
    results = []
    with open(args.build / "targets.log", "w") as log:
        for name in names:
            res = check_target(name, args.golden, args.build, defines, args.no_run, log)
            results.append(res)
            log.flush()
            print(summary_line(res), flush=True)
    print()
    print(table(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n")
    if args.markdown:
        args.markdown.write_text(table(results) + "\n")
    return 1 if any(failed(r) for r in results) else 0


def summary_line(r):
    return (f"{r['target']}: {r['warnings']} warnings, forbidden={r.get('forbidden')}, "
            f"vectors={r.get('vectors', '-')}, mismatches={r.get('mismatches', '-')}, "
            f"skipped={r.get('skipped', '-')}, images={r.get('images', '-')}, "
            f"{r.get('total_seconds')} s")


def table(results):
    """The target table: target, builds clean, forbidden symbols, vectors,
    mismatches, Q16.16 code size."""
    rows = ["| target | toolchain | builds clean | forbidden symbols | vectors (images) |"
            " mismatches | Q16.16 code |",
            "|---|---|---|---|---|---|---|"]
    for r in results:
        if r.get("errors"):
            rows.append(f"| {r['desc']} | {r['toolchain']} | **no: build errors** | | | | |")
            continue
        forb = "none" if not r["forbidden"] else "; ".join(
            f"{k}: {', '.join(v)}" for k, v in r["forbidden"].items())
        clean = "yes" if r["warnings"] == 0 else f"no ({r['warnings']} warnings)"
        if "vectors" in r:
            vectors = f"{r['vectors']:,} ({r['images']})"
            bad = r["mismatches"] + r["skipped"] + r["failed_runs"]
            mism = f"{bad:,}" if bad else "0"
        else:
            vectors, mism = "compile only", "-"
        rows.append(f"| {r['desc']} | {r['toolchain']} | {clean} | {forb} | {vectors} | "
                    f"{mism} | {r['code_bytes']:,} B |")
    return "\n".join(rows)


if __name__ == "__main__":
    sys.exit(main())
