"""Each committee report's warm execution and HTML export, CPU and wall, in one process.

Usage (from the repository root)::

    .venv/bin/python benchmarks/bench_report_warm.py [--runs 2] [--profile OUT.prof] [committee ...]

The demo council's 2026/27 Q2 committee notebook runs cell by cell in an in-process IPython shell
(as a warm pmlib kernel runs it): every report once to warm the process (imports, the data
cache, vl-convert's engine, the exporter's templates), then ``--runs`` timed passes. Each pass
records, per report, the execution of its cells (with the display outputs captured as the
kernel's would be) and :func:`pmlib.render.html.export_html` of the result. CPU seconds are the
process's (all threads: vl-convert draws on its own), so they hold on a busy machine where wall
time does not. ``--profile`` writes a cProfile of the last pass, and per-cell CPU is printed to
show where a report's time goes. Prints Markdown for BENCHMARKS.md.

``--caches`` says what a timed report may reuse of what earlier reports computed (the charts'
SVGs: :func:`pmlib.reports.caches.clear_result_caches`): ``each`` (default, the floor's
definition) clears the result caches before every timed report, so each computes and draws
all it shows; ``pass`` clears them once per pass, so later reports reuse the charts earlier
ones drew, as one kernel rendering the pack does; ``keep`` never clears (a re-run).
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import cProfile
import io
import os
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMITTEES = ["cabinet", "environment", "communities", "resources", "performance-board"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("committees", nargs="*", default=COMMITTEES)
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--profile", type=Path, default=None)
    ap.add_argument("--caches", choices=("each", "pass", "keep"), default="each")
    args = ap.parse_args()

    import nbformat
    from IPython.core.interactiveshell import InteractiveShell
    from nbformat.v4 import new_output

    from pmlib.render.html import export_html
    from pmlib.reports.caches import clear_result_caches

    os.chdir(ROOT / "notebooks")
    shell = InteractiveShell.instance()
    template = nbformat.read("committee_report.ipynb", as_version=4)
    captured: list = []

    def publish(data, metadata=None, **_kw):  # the kernel's display_data outputs
        captured.append(new_output("display_data", data=data, metadata=metadata or {}))

    shell.display_pub.publish = publish
    cell_cpu: dict[str, float] = {}

    def run(committee: str):
        nb = copy.deepcopy(template)
        first = True
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            source = cell.source + (f'\ncommittee = "{committee}"' if first else "")
            first = False
            captured.clear()
            t0 = time.process_time()
            result = shell.run_cell(source, silent=False)
            if result.error_in_exec:
                raise result.error_in_exec
            last = cell.source.strip().splitlines()[-1][:48]
            cell_cpu[last] = cell_cpu.get(last, 0.0) + time.process_time() - t0
            cell.outputs = list(captured)
        return nb

    timings: dict[str, list[tuple[float, float, float, float]]] = {c: [] for c in args.committees}
    profiler = cProfile.Profile() if args.profile else None
    with contextlib.redirect_stdout(io.StringIO()):
        for c in args.committees:
            export_html(run(c), title=c)  # warm
        for n in range(args.runs):
            cell_cpu.clear()
            prof = profiler if n == args.runs - 1 else None  # the last pass, timed parts only
            if args.caches == "pass":
                clear_result_caches()
            for c in args.committees:
                if args.caches == "each":
                    clear_result_caches()  # not timed
                if prof:
                    prof.enable()
                w0, c0 = time.perf_counter(), time.process_time()
                nb = run(c)
                w1, c1 = time.perf_counter(), time.process_time()
                export_html(nb, title=c)
                w2, c2 = time.perf_counter(), time.process_time()
                if prof:
                    prof.disable()
                timings[c].append((w1 - w0, c1 - c0, w2 - w1, c2 - c1))
    if profiler:
        profiler.dump_stats(args.profile)

    print("| report | execute CPU | execute wall | export CPU | export wall |")
    print("|---|---:|---:|---:|---:|")
    total = [0.0] * 4
    for c, rows in timings.items():
        med = [statistics.median(r[i] for r in rows) for i in range(4)]
        total = [a + b for a, b in zip(total, med, strict=True)]
        print(f"| {c} | {med[1]:.2f} s | {med[0]:.2f} s | {med[3]:.2f} s | {med[2]:.2f} s |")
    print(
        f"| **total** | {total[1]:.2f} s | {total[0]:.2f} s | {total[3]:.2f} s | {total[2]:.2f} s |"
    )
    print("\nCPU by cell (last pass, all reports):")
    for last, cpu in sorted(cell_cpu.items(), key=lambda kv: -kv[1]):
        print(f"  {cpu:6.2f} s  {last}")


if __name__ == "__main__":
    main()
