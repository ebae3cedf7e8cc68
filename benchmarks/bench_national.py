"""National scale on dask: N synthetic councils' committee packs plus every council's deep-dive.

Usage (from the repository root)::

    .venv/bin/python benchmarks/bench_national.py --councils 8                 # 1 and 2 workers
    .venv/bin/python benchmarks/bench_national.py --councils 320 --workers 1 2 4   # the issue's size

The full size in pieces (one worker count, or one batch, at a time, e.g. on a quiet machine over
several sittings), every figure appended to one JSON file as soon as it is measured and the
synthetic councils built once and kept in ``--work``::

    B=".venv/bin/python benchmarks/bench_national.py --councils 320 --work /var/tmp/national"
    $B --workers 1 --batches committees --json national.json
    $B --workers 1 --batches deep-dives rerun --json national.json
    $B --workers 2 --json national.json
    $B --report national.json        # the Markdown table of everything recorded so far

What runs, per worker count, on a fresh ``LocalCluster`` (processes, one thread each, loopback):

* **committee packs**: N councils x the demo's 5 committees, in one batch
  (``run_batch(..., scheduler=ADDRESS)``, what ``pmlib run --scheduler`` calls; one batch, so
  that no worker idles at the end of each council's pack). Council *i* is a copy of the demo
  council with its own name and every actual scaled by a factor between 0.97 and 1.00 (ratings
  and exceptions vary from council to council, as they would).
* **deep-dives**: one benchmarking deep-dive per council for one metric
  (``household_recycling_pct``), each ranking the council among ``--file-areas`` areas (320 by
  default, the national size, whatever N is: a deep-dive's cost grows with the areas it draws).
* **planning**: the client validates each council's data before anything is submitted
  (``plan_pack``), councils planned in parallel on every core (a pool of processes, before the
  cluster starts): timed, wall and CPU, per council.
* **re-run, nothing changed**: the committee batch again; every report skipped (the client's
  planning cost: hashing every council's inputs, reading and writing the manifest).

Measured: wall time and reports per second; per-report latency (the worker's time per report,
from the manifest: median, 90th percentile, max; the first report on each worker includes its
kernel start); the client's time and bytes to write each report's files (atomically, with
fsync); peak memory per worker (the worker process plus its report kernel, sampled every 0.5 s).
Figures are printed as Markdown for BENCHMARKS.md, with the machine's load average: on a shared
machine the 2-worker figure is an upper bound on what contention allows, not a cluster's.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import shutil
import statistics
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo"
QUARTER = "2026/27 Q2"
METRIC = "household_recycling_pct"


# --- synthetic councils -----------------------------------------------------------------------


def _scaled(text: str, factor: float) -> str:
    """A figure scaled, written with as many decimals as it had (blank stays blank)."""
    if not text.strip():
        return text
    decimals = len(text.split(".")[1]) if "." in text else 0
    return f"{float(text) * factor:.{decimals}f}"


def make_council(root: Path, i: int) -> Path:
    """Council ``i``: the demo's tables and parameters, renamed, figures scaled down 0-3 %."""
    folder = root / f"council-{i:03d}"
    shutil.rmtree(folder, ignore_errors=True)  # one left half-built by an interrupted run
    data = folder / "data"
    shutil.copytree(DEMO, data, ignore=shutil.ignore_patterns("*.py", "source", "README.md"))
    factor = 1.0 - (i % 7) * 0.005
    with open(DEMO / "actuals.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        row["value"] = _scaled(row["value"], factor)
        row["numerator"] = _scaled(row["numerator"], factor)
    with open(data / "actuals.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    params = folder / "parameters"
    params.mkdir()
    for yaml_file in (ROOT / "parameters").glob("*.yaml"):
        shutil.copyfile(yaml_file, params / yaml_file.name)
    lines = []
    for line in (params / "council.yaml").read_text(encoding="utf-8").splitlines():
        key = line.split(":", 1)[0]
        if key == "name":
            line = f"name: Synthetic Council {i:03d}"
        elif key == "data_dir":
            line = "data_dir: ../data"
        elif key == "benchmark_dir":
            line = "benchmark_dir: ../data/benchmarks"
        lines.append(line)
    (params / "council.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return params


def make_benchmarks(root: Path, areas: int) -> tuple[Path, list[str], str]:
    """One metric for ``areas`` areas: the demo council's series, scaled per area."""
    with open(DEMO / "benchmarks" / "benchmark.csv", newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["metric"] == METRIC]
    ours = [r for r in rows if r["area_code"] == "E07000999"]
    folder = root / "national"
    folder.mkdir()
    out, codes = [], []
    for a in range(areas):
        code = f"E0{7100000 + a}"
        codes.append(code)
        factor = 0.8 + 0.4 * ((a * 37) % 100) / 100
        for r in ours:
            out.append(
                {**r, "area_code": code, "area_name": f"Synthetic {a:03d}",
                 "value": _scaled(r["value"], factor), "numerator": _scaled(r["numerator"], factor)}
            )  # fmt: skip
    path = folder / "benchmark.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(out[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(out)
    shutil.copyfile(DEMO / "benchmarks" / "metrics.csv", folder / "metrics.csv")
    latest = max(r["period"] for r in ours)
    return path, codes, latest


def _plan_council(params: Path, out: Path):
    """One council's plan (in a planning process): validating its data is most of it."""
    from pmlib.batch.pack import plan_pack

    return plan_pack(QUARTER, params_dir=params, out_dir=out)


def committee_specs(councils: list[Path], out: Path) -> tuple[list, list[Path], float]:
    """Every council's 5 committee reports as one batch (names ``council-NNN-<committee>``),
    the batch's shared input files (none: each report names its council's as its own
    ``inputs``), and the CPU seconds planning took (all processes).

    The councils are planned in parallel, one process per core: each plan is independent, and
    serially they took 0.35 s a council (~2 min for 320) before the first report could start.
    """
    import resource
    from concurrent.futures import ProcessPoolExecutor
    from dataclasses import replace

    from pmlib.batch.pack import report_specs

    def cpu() -> float:
        own = resource.getrusage(resource.RUSAGE_SELF)
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime

    c0 = cpu()
    jobs = max(1, min(os.cpu_count() or 1, len(councils)))
    with ProcessPoolExecutor(jobs) as planners:
        plans = list(planners.map(_plan_council, councils, [out] * len(councils), chunksize=4))
    specs = []
    for params, plan in zip(councils, plans, strict=True):
        council = params.parent.name
        specs += [  # each report depends on its own council's files only
            replace(s, name=f"{council}-{s.name}", inputs=tuple(plan.inputs))
            for s in report_specs(plan)
        ]
    return specs, [], cpu() - c0


def deep_dive_specs(bench: Path, codes: list[str], period: str, params: Path) -> list:
    """The CLI's ``--area all`` reports (pmlib.cli.benchmark), one per council."""
    from pmlib.batch.pack import find_notebook
    from pmlib.batch.runner import ReportSpec

    notebook = find_notebook("benchmarking.ipynb")
    return [
        ReportSpec(
            name=f"{code.lower()}-{METRIC.replace('_', '-')}",
            title=f"Benchmarking: {code}",
            notebook=notebook,
            parameters={
                "metric": METRIC,
                "indicator": None,
                "peer_group": "all",
                "period": period,
                "benchmark_file": str(bench),
                "peers_file": None,
                "params_dir": str(params),
                "area_code": code,
            },
        )  # fmt: skip
        for code in codes
    ]


# --- measuring --------------------------------------------------------------------------------


def _memory() -> int:
    """Runs on a worker: its resident memory plus its children's (the report kernel)."""
    import psutil

    me = psutil.Process()
    total = me.memory_info().rss
    for child in me.children(recursive=True):
        with contextlib.suppress(psutil.Error):  # a child that just ended
            total += child.memory_info().rss
    return total


class Sampler(threading.Thread):
    """Peak memory per worker, sampled every ``every`` seconds until stopped."""

    def __init__(self, client, every: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.client, self.every, self.peak, self._halt = client, every, {}, threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            try:
                for worker, rss in self.client.run(_memory).items():
                    self.peak[worker] = max(self.peak.get(worker, 0), rss)
            except Exception:  # a worker starting or stopping: try again next time
                pass
            self._halt.wait(self.every)

    def stop(self) -> dict[str, int]:
        self._halt.set()
        self.join()
        return self.peak


class WriteTimer:
    """Wraps the client's per-report write (pmlib.batch.cluster._write): time and bytes."""

    def __init__(self) -> None:
        from pmlib.batch import cluster

        self.cluster, self.original = cluster, cluster._write
        self.seconds, self.bytes, self.reports = 0.0, 0, 0

    def __enter__(self) -> WriteTimer:
        def timed(result, out_dir, name):
            t = time.perf_counter()
            entry = self.original(result, out_dir, name)
            self.seconds += time.perf_counter() - t
            self.bytes += sum(len(b) for b in result["files"].values())
            self.reports += 1
            return entry

        self.cluster._write = timed
        return self

    def __exit__(self, *exc) -> None:
        self.cluster._write = self.original


def timed_batch(specs, out, inputs, address, cwd) -> dict:
    from pmlib.batch.pack import REPORT_PRELOAD
    from pmlib.batch.runner import run_batch
    from pmlib.render.kernel import DEFAULT_PRELOAD

    with WriteTimer() as writes:
        t = time.perf_counter()
        result = run_batch(
            specs, out, inputs=inputs, scheduler=address, progress=False, cwd=cwd,
            preload=(*DEFAULT_PRELOAD, *REPORT_PRELOAD),
        )  # fmt: skip
        wall = time.perf_counter() - t
    seconds = sorted(r.seconds for r in result.reports if r.status == "ok")
    failed = [f"{r.name}: {r.error}" for r in result.failed]
    return {
        "reports": len(specs),
        "ok": len(seconds),
        "failed": failed,
        "wall": wall,
        "per_second": len(seconds) / wall if wall else 0.0,
        "median": statistics.median(seconds) if seconds else 0.0,
        "p90": seconds[int(0.9 * (len(seconds) - 1))] if seconds else 0.0,
        "max": seconds[-1] if seconds else 0.0,
        "write_s": writes.seconds / max(writes.reports, 1),
        "write_mb": writes.bytes / max(writes.reports, 1) / 1e6,
    }


class Recorder:
    """The figures of this invocation, appended to ``--json`` as each one is measured (a run
    stopped half way keeps what it measured; earlier invocations' records are kept)."""

    def __init__(self, path: Path | None, run: dict) -> None:
        self.path, self.run = path, run
        self.earlier = []
        if path is not None and path.is_file():
            self.earlier = json.loads(path.read_text(encoding="utf-8"))

    def record(self, **figures) -> None:
        self.run.update(figures)
        if self.path is not None:
            tmp = self.path.with_name(self.path.name + ".tmp")
            tmp.write_text(json.dumps([*self.earlier, self.run], indent=2), encoding="utf-8")
            tmp.replace(self.path)


def measure(
    workers: int, councils: list[Path], bench, codes, period, work: Path, batches, recorder
) -> dict:
    from dask.distributed import Client, LocalCluster

    from pmlib.batch.runner import run_batch

    out = work / f"out-{workers}"
    shutil.rmtree(out, ignore_errors=True)  # a fresh output folder: every report renders
    t = time.perf_counter()
    specs, inputs, plan_cpu = committee_specs(councils, out / "committees")
    plan_s = time.perf_counter() - t
    recorder.record(
        plan_s_per_council=plan_s / len(councils), plan_cpu_s_per_council=plan_cpu / len(councils)
    )
    dives = deep_dive_specs(bench, codes[: len(councils)], period, councils[0])
    cwd = Path(specs[0].notebook).parent
    with (
        LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
            dashboard_address=":0", scheduler_kwargs={"dashboard": False},
        ) as lc,
        Client(lc) as client,
    ):  # fmt: skip
        sampler = Sampler(client)
        sampler.start()
        if "committees" in batches or "rerun" in batches:
            committees = timed_batch(specs, out / "committees", inputs, lc.scheduler_address, cwd)
            if "committees" in batches:
                recorder.record(committees=committees)
        if "deep-dives" in batches:
            deep = timed_batch(dives, out / "deep-dives", [bench], lc.scheduler_address, cwd)
            recorder.record(deep_dives=deep)
        peak = sampler.stop()
        recorder.record(peak_mb={w: round(b / 1e6) for w, b in peak.items()})
        if "rerun" in batches:
            t = time.perf_counter()
            again = run_batch(specs, out / "committees", inputs=inputs, progress=False,
                              scheduler=lc.scheduler_address, cwd=cwd)  # fmt: skip
            rerun = time.perf_counter() - t
            skipped = sum(r.status == "skipped" for r in again.reports)  # all, unless edited
            recorder.record(rerun_s=rerun, rerun_skipped=f"{skipped}/{len(again.reports)}")
    return recorder.run


def _row(label: str, w: int, m: dict) -> str:
    return (
        f"| {label} | {w} | {m['ok']}/{m['reports']} | {m['wall']:.1f} | {m['per_second']:.2f} | "
        f"{m['median']:.2f} / {m['p90']:.2f} / {m['max']:.2f} | {m['write_s'] * 1000:.0f} ms, "
        f"{m['write_mb']:.2f} MB |"
    )


def print_report(runs: list[dict]) -> None:
    """The recorded figures as Markdown (for BENCHMARKS.md)."""
    print(
        "| councils | batch | workers | ok | wall s | reports/s | latency s median / p90 / max "
        "| client write per report |\n|---|---|---|---|---|---|---|---|"
    )
    for r in runs:
        for key, label in (("committees", "committee reports"), ("deep_dives", "deep-dives")):
            if key in r:
                print(f"| {r.get('councils', '?')} " + _row(label, r["workers"], r[key]))
    for r in runs:
        facts = [f"load average at start {r.get('load', 0):.1f}"]
        if "peak_mb" in r:
            facts.append(
                f"peak memory per worker (process + kernel) {sorted(r['peak_mb'].values())} MB"
            )
        if "plan_s_per_council" in r:
            facts.append(
                f"client planning (validating, {r.get('planners', '?')} processes) "
                f"{r['plan_s_per_council']:.3f} s wall and {r['plan_cpu_s_per_council']:.2f} CPU-s "
                "per council"
            )
        if "rerun_s" in r:
            facts.append(
                f"re-run with nothing changed {r['rerun_s']:.2f} s ({r['rerun_skipped']} skipped)"
            )
        print(f"\n{r.get('councils', '?')} councils, {r['workers']} worker(s): " + "; ".join(facts))
        for kind in ("committees", "deep_dives"):
            for line in r.get(kind, {}).get("failed", [])[:5]:
                print(f"  FAILED {line}")


BATCHES = ("committees", "deep-dives", "rerun")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--councils", type=int, default=8, help="synthetic councils (N)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument(
        "--batches", nargs="+", choices=BATCHES, default=list(BATCHES),
        help="what to measure (default all): the committee reports, the deep-dives, the re-run "
        "with nothing changed (which renders the committee reports first when not measured)",
    )  # fmt: skip
    parser.add_argument("--file-areas", type=int, default=320, help="areas in the benchmark file")
    parser.add_argument("--json", type=Path, help="append the figures here, as they are measured")
    parser.add_argument(
        "--work", type=Path,
        help="the work folder, kept: councils already built in it are reused (default: a new "
        "temporary folder, removed at the end)",
    )  # fmt: skip
    parser.add_argument("--keep", action="store_true", help="keep the temporary work folder")
    parser.add_argument(
        "--report", type=Path, help="only print the figures recorded in a JSON file"
    )
    args = parser.parse_args()
    if args.report:
        print_report(json.loads(args.report.read_text(encoding="utf-8")))
        return
    work = args.work or Path(tempfile.mkdtemp(prefix="pmlib-national-"))
    try:
        t = time.perf_counter()
        councils = [
            folder / "parameters" if (folder / "parameters" / "council.yaml").is_file()
            else make_council(work / "councils", i)
            for i in range(args.councils)
            for folder in [work / "councils" / f"council-{i:03d}"]
        ]  # fmt: skip
        national = work / "national"
        areas = max(args.file_areas, args.councils)
        codes: list[str] = []
        if (national / "benchmark.csv").is_file() and (national / "areas.json").is_file():
            codes, period = json.loads((national / "areas.json").read_text(encoding="utf-8"))
            bench = national / "benchmark.csv"
        if len(codes) != areas:
            shutil.rmtree(national, ignore_errors=True)
            bench, codes, period = make_benchmarks(work, areas)
            (national / "areas.json").write_text(json.dumps([codes, period]), encoding="utf-8")
        print(f"{args.councils} councils and {len(codes)} areas ready in "
              f"{time.perf_counter() - t:.1f} s in {work}")  # fmt: skip
        runs = []
        for w in args.workers:
            load = os.getloadavg()[0]
            run = {"councils": args.councils, "areas": len(codes), "workers": w,
                   "cores": os.cpu_count(), "planners": min(os.cpu_count() or 1, args.councils),
                   "batches": list(args.batches), "load": load,
                   "started": time.strftime("%Y-%m-%dT%H:%M:%S%z")}  # fmt: skip
            recorder = Recorder(args.json, run)
            recorder.record()
            runs.append(measure(w, councils, bench, codes, period, work, args.batches, recorder))
            recorder.record(load_after=os.getloadavg()[0])
            print(f"  {w} worker(s) done (load average before: {load:.1f})", flush=True)
            print(json.dumps(runs[-1]), flush=True)
        print(f"\n{args.councils} councils x 5 committee reports + {args.councils} deep-dives "
              f"({len(codes)} areas each), {os.cpu_count()} cores\n")  # fmt: skip
        print_report(runs)
    finally:
        if args.work is None and not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
