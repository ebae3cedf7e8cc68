"""Time the demo council's committee pack: ``pmlib run`` against the hand-scripted CLI loop.

Usage (from the repository root)::

    .venv/bin/python benchmarks/bench_pack.py            # html
    .venv/bin/python benchmarks/bench_pack.py --pdf      # also html,pdf

* **CLI loop**: for each committee, ``papermill notebooks/committee_report.ipynb`` then
  ``jupyter nbconvert --to html --no-input`` — what an analyst scripts by hand.
* **pmlib run, cold**: a fresh ``pmlib run --force`` (new interpreter, workers, kernels).
* **pmlib run, no change**: the same command again; every report is skipped.

Prints a Markdown table for BENCHMARKS.md. Run it on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
QUARTER = "2026/27 Q2"
COMMITTEES = ["cabinet", "environment", "communities", "resources", "performance-board"]


def _timed(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode:
        sys.exit(f"{' '.join(cmd)} failed:\n{done.stderr[-3000:]}")
    return time.perf_counter() - t0


def cli_loop(out: Path) -> float:
    out.mkdir(parents=True, exist_ok=True)
    total = 0.0
    for c in COMMITTEES:
        executed = out / f"{c}.ipynb"
        total += _timed(
            [
                str(BIN / "papermill"),
                "notebooks/committee_report.ipynb",
                str(executed),
                "-p", "quarter", QUARTER, "-p", "committee", c,
                "--cwd", "notebooks", "--no-progress-bar",
            ]
        )  # fmt: skip
        total += _timed([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input",
                         str(executed)])  # fmt: skip
    return total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pdf", action="store_true", help="render html,pdf in pmlib run")
    ap.add_argument("--jobs", type=int, default=None)
    args = ap.parse_args()
    fmt = "html,pdf" if args.pdf else "html"
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        loop = cli_loop(tmp / "loop") if not args.pdf else None
        run = [str(BIN / "pmlib"), "run", "--quarter", QUARTER, "--format", fmt, "-q",
               "--out", str(tmp / "pack")]  # fmt: skip
        if args.jobs:
            run += ["--jobs", str(args.jobs)]
        cold = _timed([*run, "--force"])
        rerun = _timed(run)
    n = len(COMMITTEES)
    print(f"\nDemo pack, {n} committee reports, format {fmt}\n")
    print("| strategy | total | per report |")
    print("|---|---:|---:|")
    if loop is not None:
        print(f"| papermill + nbconvert CLI loop | {loop:.1f} s | {loop / n:.1f} s |")
    print(f"| `pmlib run --force` (cold) | {cold:.1f} s | {cold / n:.1f} s |")
    print(f"| `pmlib run`, no change | {rerun:.2f} s | – |")
    if loop is not None:
        print(f"\nSpeed-up, cold pack vs CLI loop: {loop / cold:.1f}×")


if __name__ == "__main__":
    main()
