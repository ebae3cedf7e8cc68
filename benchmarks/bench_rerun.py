"""A batch's bookkeeping on a no-change re-run, at several batch sizes, without kernels.

Usage (from the repository root)::

    .venv/bin/python benchmarks/bench_rerun.py --councils 32 128
    .venv/bin/python benchmarks/bench_rerun.py --councils 32 128 --shared-inputs  # the old way

A national batch (:mod:`benchmarks.bench_national`) re-run with nothing changed used to take
180 s for 1,600 reports against 1.4 s for 160: its bookkeeping grew with reports x inputs. This
times only that bookkeeping, the cheap way: N synthetic councils, each with its own input files
(``--inputs`` a council, small) and 5 reports; the first run "renders" with a stand-in for the
worker pool that writes each report's files (an HTML of ``--output-kb`` and a notebook), so
there is a real manifest, provenance record and output folder; then the second run, where every
report is skipped, is timed (wall and CPU seconds of this process), ``--repeat`` times in turn.
Nothing else runs: no kernels, no planning. The first re-run reads the outputs written in the
last 2 s before the first run's manifest (their stamps are not yet trusted,
:mod:`pmlib.batch.manifest`); later ones read none.

Each council's reports name their council's files as their own inputs (``ReportSpec.inputs``);
``--shared-inputs`` (or a pmlib without per-report inputs) passes every council's files as the
batch's inputs instead, as a national batch had to before: every report then depends on every
council's files.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import resource
import shutil
import tempfile
import time
from pathlib import Path

COMMITTEES = ("cabinet", "communities", "environment", "finance", "housing")
NOTEBOOK = {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime


def make_councils(root: Path, councils: int, inputs: int) -> list[list[Path]]:
    """Each council's input files (a few KB each, different contents)."""
    found = []
    for c in range(councils):
        folder = root / "councils" / f"council-{c:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        files = []
        for i in range(inputs):
            path = folder / f"table-{i:02d}.csv"
            if not path.is_file():
                path.write_text(f"council,{c}\ntable,{i}\n" + "x,1\n" * 1000, encoding="utf-8")
            files.append(path)
        found.append(files)
    return found


def fake_pool(output_kb: int):
    """Stands in for pmlib.batch.pool.run_pool: writes each report's files, returns entries."""
    from pmlib.batch import manifest as mf
    from pmlib.batch.pool import now
    from pmlib.core.files import write_bytes_atomic

    def run(todo, out_dir, formats, *, done, **_):
        for spec in todo:
            html = out_dir / f"{spec.name}.html"
            body = (spec.name.encode() + b" ") * (output_kb * 1024 // (len(spec.name) + 1))
            write_bytes_atomic(html, b"<!DOCTYPE html>" + body)
            nb = out_dir / "notebooks" / f"{spec.name}.ipynb"
            write_bytes_atomic(nb, json.dumps(NOTEBOOK).encode())
            done[spec.name] = {
                "status": "ok", "error": None, "started": now(), "finished": now(),
                "seconds": 1.0, "timings": {"execute": 1.0, "write_html": 0.01},
                "files": [mf.file_record(nb, out_dir, "notebook"),
                          mf.file_record(html, out_dir, "html")],
            }  # fmt: skip
        return 1

    return run


def measure(work: Path, councils: int, args) -> dict:
    from pmlib.batch import runner
    from pmlib.batch.runner import ReportSpec, run_batch

    per_report = not args.shared_inputs and any(
        f.name == "inputs" for f in dataclasses.fields(ReportSpec)
    )
    files = make_councils(work, councils, args.inputs)
    notebook = work / "report.ipynb"
    notebook.write_text(json.dumps(NOTEBOOK), encoding="utf-8")
    specs, shared = [], []
    for c, own in enumerate(files):
        for slug in COMMITTEES:
            params = {"quarter": "2026/27 Q2", "committee": slug, "status": "draft",
                      "data_dir": str(own[0].parent), "params_dir": str(own[0].parent)}  # fmt: skip
            extra = {"inputs": tuple(own)} if per_report else {}
            specs.append(ReportSpec(f"council-{c:03d}-{slug}", slug.title(), notebook, params,
                                    **extra))  # fmt: skip
        if not per_report:
            shared += own
    out = work / f"out-{councils}"
    shutil.rmtree(out, ignore_errors=True)
    original = runner.run_pool
    runner.run_pool = fake_pool(args.output_kb)
    try:
        first = run_batch(specs, out, inputs=shared, progress=False, jobs=1)
        assert {r.status for r in first.reports} == {"ok"}, first.reports[0]
        time.sleep(2.5)  # a moment between two runs (the re-runs' figures are shown in turn)
        manifest = (out / "manifest.json").read_bytes()
        figures = []
        for _ in range(args.repeat):
            c, t = cpu(), time.perf_counter()
            again = run_batch(specs, out, inputs=shared, progress=False, jobs=1)
            figures.append((time.perf_counter() - t, cpu() - c))
            assert {r.status for r in again.reports} == {"skipped"}
    finally:
        runner.run_pool = original
    wall, cpu_s = figures[-1]
    return {
        "councils": councils,
        "reports": len(specs),
        "inputs": councils * args.inputs,
        "per_report_inputs": per_report,
        "rerun_wall_s": " / ".join(f"{w:.2f}" for w, _ in figures),
        "rerun_cpu_s": " / ".join(f"{c:.2f}" for _, c in figures),
        "cpu_ms_per_report": round(1000 * cpu_s / len(specs), 2),  # the last re-run's
        "manifest_mb": round(len(manifest) / 1e6, 2),
        "provenance_mb": round((out / "provenance.json").stat().st_size / 1e6, 2),
        "load": round(os.getloadavg()[0], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--councils", type=int, nargs="+", default=[32, 128])
    parser.add_argument("--inputs", type=int, default=16, help="input files a council")
    parser.add_argument("--output-kb", type=int, default=1600, help="HTML size of a report")
    parser.add_argument("--repeat", type=int, default=2, help="re-runs timed, one after another")
    parser.add_argument("--shared-inputs", action="store_true",
                        help="every council's files as the batch's inputs (the old way)")  # fmt: skip
    parser.add_argument("--work", type=Path, help="work folder, kept (default: temporary)")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="pmlib-rerun-"))
    here = Path.cwd()
    try:
        os.chdir(work)  # manifests record paths relative to the current folder
        print("| reports | inputs | per-report inputs | re-run wall s | re-run CPU-s | "
              "CPU ms a report | manifest MB | provenance MB | load |")  # fmt: skip
        print("|---:|---:|---|---:|---:|---:|---:|---:|---:|")
        for n in args.councils:
            m = measure(work, n, args)
            print(f"| {m['reports']} | {m['inputs']} | {m['per_report_inputs']} | "
                  f"{m['rerun_wall_s']} | {m['rerun_cpu_s']} | {m['cpu_ms_per_report']} | "
                  f"{m['manifest_mb']} | {m['provenance_mb']} | {m['load']} |", flush=True)  # fmt: skip
    finally:
        os.chdir(here)
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
