"""Time the report pipeline: the CLI loop, run_batch cold, a no-change re-run, chart modes.

Usage (from the repository root)::

    .venv/bin/python benchmarks/bench_batch.py               # 5 reports, 10 charts + 3 tables
    .venv/bin/python benchmarks/bench_batch.py --reports 8 --jobs 2 --modes

* **CLI loop**: ``papermill`` then ``jupyter nbconvert --to html`` per report, one after another
  (the naive way; a fresh kernel and two fresh interpreters per report).
* **run_batch cold**: new worker processes and kernels (the chart-bundle disk cache is warm
  unless ``--cold-cache``: building it costs ~1.5 s once per machine and vl-convert version).
* **re-run, no change**: the same call again; every report is skipped. Timed in-process and as
  a fresh interpreter (what ``pmlib run`` costs, minus argument parsing).
* ``--modes``: the chart strategy, JS bundle vs static SVG, on one 10-chart page in a warm
  kernel: HTML size, kernel time, export time.

Figures are printed as a Markdown table for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOY = ROOT / "tests" / "fixtures" / "notebooks" / "toy_report.ipynb"
BIN = Path(sys.executable).parent


def _specs(folder: Path, n: int, charts: int, tables: int) -> list:
    from pmlib.batch.runner import ReportSpec

    specs = []
    for i in range(1, n + 1):
        nb = folder / f"report-{i:02d}.ipynb"
        shutil.copyfile(TOY, nb)
        params = {"committee": f"c{i:02d}", "n_charts": charts, "n_tables": tables}
        specs.append(ReportSpec(f"report-{i:02d}", f"Report {i}", nb, params))
    return specs


def time_cli_loop(specs: list, out: Path) -> float:
    """papermill + jupyter nbconvert per report, sequentially."""
    out.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    for spec in specs:
        executed = out / f"{spec.name}.ipynb"
        args = [str(BIN / "papermill"), "-k", "python3", "--cwd", str(ROOT), str(spec.notebook)]
        args.append(str(executed))
        for key, value in spec.parameters.items():
            args += ["-p", key, str(value)]
        subprocess.run(args, check=True, capture_output=True)
        cmd = [str(BIN / "jupyter"), "nbconvert", "--to", "html", str(executed)]
        subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - t


def time_batch(
    specs: list, out: Path, jobs: int | None, inputs: list[Path]
) -> tuple[float, object]:
    from pmlib.batch.runner import run_batch

    t = time.perf_counter()
    result = run_batch(specs, out, jobs=jobs, inputs=inputs, cwd=ROOT, progress=False)
    return time.perf_counter() - t, result


def time_rerun_process(work: Path, out: Path, n: int, charts: int, tables: int) -> float:
    """A fresh interpreter doing the skip-only re-run (import pmlib, hash, write index)."""
    code = (
        "from pathlib import Path\n"
        "from pmlib.batch import ReportSpec, run_batch\n"
        f"work = Path({str(work)!r})\n"
        f"specs = [ReportSpec(f'report-{{i:02d}}', f'Report {{i}}', work / f'report-{{i:02d}}.ipynb',"
        f" {{'committee': f'c{{i:02d}}', 'n_charts': {charts}, 'n_tables': {tables}}})"
        f" for i in range(1, {n + 1})]\n"
        f"r = run_batch(specs, Path({str(out)!r}), inputs=[work], cwd=Path({str(ROOT)!r}),"
        " progress=False)\n"
        "assert all(x.status == 'skipped' for x in r.reports), [x.status for x in r.reports]\n"
    )
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
    return time.perf_counter() - t


def compare_modes(work: Path, charts: int, tables: int, repeats: int = 3) -> list[tuple]:
    """JS bundle vs static SVG for one page, in one warm kernel."""
    from pmlib.render.kernel import ReportKernel
    from pmlib.render.notebook import run_report

    rows = []
    with ReportKernel(cwd=ROOT) as kernel:
        for mode in ("js", "svg"):
            params = {"n_charts": charts, "n_tables": tables, "chart_mode": mode}
            best = None
            for _ in range(repeats + 1):  # the first run warms vl-convert / the exporter
                rep = run_report(TOY, params, title=f"{mode} page", kernel=kernel)
                if best is None or rep.seconds < best.seconds:
                    best = rep
            (work / f"mode-{mode}.html").write_text(best.html, encoding="utf-8")
            rows.append((mode, len(best.html.encode()), best.timings["execute"],
                         best.timings["export_html"], best.seconds))  # fmt: skip
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--charts", type=int, default=10)
    parser.add_argument("--tables", type=int, default=3)
    parser.add_argument("--skip-cli", action="store_true", help="skip the slow CLI loop")
    parser.add_argument("--modes", action="store_true", help="also compare JS and SVG charts")
    parser.add_argument("--cold-cache", action="store_true", help="rebuild the chart bundle")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="pmlib-bench-"))
    inputs = work / "inputs"
    inputs.mkdir()
    if args.cold_cache:
        os.environ["PMLIB_CACHE_DIR"] = str(work / "cache")
    try:
        specs = _specs(inputs, args.reports, args.charts, args.tables)
        n = len(specs)
        rows: list[tuple[str, float]] = []
        if not args.skip_cli:
            rows.append(
                ("papermill + nbconvert CLI, sequential", time_cli_loop(specs, work / "cli"))
            )
        cold, result = time_batch(specs, work / "out", args.jobs, [inputs])
        assert all(r.status == "ok" for r in result.reports), [r.error for r in result.reports]
        jobs = min(args.jobs or os.cpu_count() or 1, n)
        rows.append((f"run_batch cold ({jobs} workers)", cold))
        warm, again = time_batch(specs, work / "out", args.jobs, [inputs])
        assert all(r.status == "skipped" for r in again.reports)
        rows.append(("run_batch re-run, no change (in-process)", warm))
        rows.append(("run_batch re-run, no change (fresh interpreter)",
                     time_rerun_process(inputs, work / "out", n, args.charts, args.tables)))  # fmt: skip

        print(f"\n{n} reports, {args.charts} charts + {args.tables} tables each, "
              f"{os.cpu_count()} cores\n")  # fmt: skip
        print("| strategy | wall (s) | per report (s) | vs CLI loop |")
        print("|---|---:|---:|---:|")
        base = rows[0][1] if not args.skip_cli else None
        for name, secs in rows:
            ratio = f"{base / secs:.1f}x" if base else "-"
            print(f"| {name} | {secs:.2f} | {secs / n:.2f} | {ratio} |")
        per = [r.entry.get("timings", {}) for r in result.reports]
        for key in ("prepare", "execute", "export_html", "write_html"):
            values = [t[key] for t in per if key in t]
            if values:
                print(
                    f"\nmean {key} per report in run_batch: {sum(values) / len(values):.3f} s",
                    end="",
                )
        print()
        if args.modes:
            print(f"\nChart strategy, one page with {args.charts} charts + {args.tables} tables:\n")
            print("| mode | HTML (KB) | execute (s) | export (s) | report (s) |")
            print("|---|---:|---:|---:|---:|")
            for mode, size, ex, exp, total in compare_modes(work, args.charts, args.tables):
                print(f"| {mode} | {size / 1024:.0f} | {ex:.2f} | {exp:.3f} | {total:.2f} |")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
