"""Time ``rate_period`` end to end on a million actuals against the bare I/O floor.

Generates (once, cached under ``benchmarks/.data``) a synthetic library of councils × 400
indicators with 8 quarters of actuals each — by default 313 councils, 125,200 indicators and
1,001,600 actuals (at least ``--rows``) — and two years of targets, as Parquet, with a realistic mix of kinds, polarities, measures, aggregations, units,
decimals, schemes, band and intervention targets, blanks and draft rows. Then it times:

* **floor** — read the three Parquet files and write a CSV the size of the ratings output
  (the least any implementation must do);
* **end to end** — read the Parquet files, parse the period labels into the Dataset shape
  (:func:`pmlib.core.periods.period_table`), :func:`pmlib.rating.engine.rate_period` and write the CSV;
* **load + validate** — what ``pmlib rate`` does before rating: read the four tables
  (:func:`pmlib.data.load.read_tables`) and check them into a Dataset
  (:func:`pmlib.data.validate.build_dataset`, as :func:`pmlib.data.validate.read_dataset` does uncached);
* with ``--cli N``: the whole ``pmlib rate --out`` command (start-up, loading, validation,
  rating and writing) against **the floor**, both as fresh processes, run alternately N times
  (paired, so a busy machine slows both alike). The floor is the least a script could do with
  the same inputs: a fresh ``python`` that imports pandas, reads the four tables
  (``pd.read_parquet``), keeps the period's actuals, merges the indicator table onto them and
  writes them with ``DataFrame.to_csv`` (pandas' writer). pmlib is byte-compiled first (as a
  user's Python does on the first run) and given an empty cache folder. Each pair's ratio is printed with the
  median and range. ``--floor-writer arrow`` writes the floor's CSV with
  ``pyarrow.csv.write_csv`` instead (a stricter floor, printed beside it).

Each in-process step is the best of ``--repeat`` runs. Usage::

    .venv/bin/python benchmarks/bench_rate.py [--rows 1000000] [--repeat 3] [--period "2026/27 Q3"]
                                              [--cli 5] [--skip-steps]

The goal is ``pmlib rate --out`` ≤ 2 × the floor (issue 18) on a 2-core machine.
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pmlib.config.schemes import read_rag_schemes  # noqa: E402
from pmlib.core.model import Council, Dataset, Settings  # noqa: E402
from pmlib.core.periods import period_table  # noqa: E402
from pmlib.rating.engine import rate_period  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
log = logging.getLogger("bench_rate")
QUARTERS = [f"{fy}/{(fy + 1) % 100:02d} Q{q}" for fy in (2025, 2026) for q in (1, 2, 3, 4)]


def generate(folder: Path, rows: int, seed: int = 20260930) -> None:
    """Write indicators/targets/actuals Parquet files holding about ``rows`` actuals."""
    rng = np.random.default_rng(seed)
    per_council = 400
    councils = max(1, -(-rows // (per_council * len(QUARTERS))))  # at least `rows`
    n = councils * per_council
    ids = np.char.add(
        np.char.add(np.char.mod("C%03d-", np.repeat(np.arange(councils), per_council)), "PI"),
        np.char.mod("%03d", np.tile(np.arange(per_council), councils)),
    )
    pick = lambda options, p: rng.choice(np.array(options, dtype=object), n, p=p)  # noqa: E731
    polarity = pick(["higher", "lower", "band", "none"], [0.5, 0.3, 0.1, 0.1])
    measure = pick(["period", "cumulative", "snapshot"], [0.6, 0.3, 0.1])
    aggregation = pick(["mean", "sum", "ratio", "last"], [0.3, 0.3, 0.3, 0.1])
    unit = np.where(
        aggregation == "ratio",
        "percent",
        pick(["number", "percent", "days", "currency"], [0.5, 0.2, 0.2, 0.1]),
    )
    scheme = pick([None, "new-forest", "met-or-missed", "dorset"], [0.7, 0.1, 0.1, 0.1])
    amber_within = np.where(rng.random(n) < 0.05, 0.15, np.nan)
    # the Dorset scheme agrees Amber per indicator, so each of its indicators states one
    amber_within = np.where(scheme == "dorset", 0.1, amber_within)
    indicators = pd.DataFrame(
        {
            "id": ids,
            "name": np.char.add("Synthetic indicator ", ids),
            "priority": pick(["Homes", "Environment", "Economy", "Council"], None),
            "kind": pick(["KPI", "PI", "statistic"], [0.45, 0.45, 0.1]),
            "unit": unit,
            "decimals": rng.integers(0, 3, n),
            "polarity": polarity,
            "frequency": "quarterly",
            "measure": measure,
            "aggregation": aggregation,
            "rag_scheme": scheme,
            "green_within": np.where(rng.random(n) < 0.05, 0.01, np.nan),
            "amber_within": amber_within,
            "tolerance": pick([None, "absolute"], [0.95, 0.05]),
            "visibility": "public",
        }
    )
    base = np.where(unit == "percent", rng.uniform(40, 95, n), rng.uniform(5, 5000, n))
    t_rows = np.repeat(np.arange(n), 2)
    t_fy = np.tile(["2025/26", "2026/27"], n)
    year_total = (measure[t_rows] == "cumulative") & (unit[t_rows] != "percent")
    target = base[t_rows] * np.where(year_total, 4, 1)
    is_band = polarity[t_rows] == "band"
    cap = np.where(unit[t_rows] == "percent", 100.0, np.inf)  # percentages stay within 0-100
    targets = pd.DataFrame(
        {
            "indicator_id": ids[t_rows],
            "period": t_fy,
            "target": np.where(is_band, np.nan, target.round(1)),
            "intervention": np.where(
                ~is_band & (rng.random(t_rows.size) < 0.1),
                np.minimum(target * np.where(polarity[t_rows] == "lower", 1.2, 0.8), cap).round(1),
                np.nan,
            ),
            "lower": np.where(is_band, (target * 0.9).round(1), np.nan),
            "upper": np.where(is_band, np.minimum(target * 1.1, cap).round(1), np.nan),
        }
    )
    a_rows = np.repeat(np.arange(n), len(QUARTERS))
    q_index = np.tile(np.arange(len(QUARTERS)), n)
    noise = rng.normal(1.0, 0.08, a_rows.size)
    value = base[a_rows] * noise
    cumulative = measure[a_rows] == "cumulative"
    value = np.where(cumulative & (aggregation[a_rows] == "last"), value * (q_index % 4 + 1), value)
    value = np.where(unit[a_rows] == "percent", value.clip(0, 100), value)
    ratio = aggregation[a_rows] == "ratio"
    denominator = np.where(ratio, rng.integers(20, 400, a_rows.size), np.nan)
    numerator = np.where(ratio, np.floor(denominator * value / 100), np.nan)
    value = np.where(rng.random(a_rows.size) < 0.01, np.nan, np.where(ratio, np.nan, value))
    actuals = pd.DataFrame(
        {
            "indicator_id": ids[a_rows],
            "period": np.array(QUARTERS, dtype=object)[q_index],
            "value": value,
            "numerator": numerator,
            "denominator": denominator,
            "status": rng.choice(
                np.array(["approved", "submitted", "draft"], dtype=object),
                a_rows.size,
                p=[0.9, 0.07, 0.03],
            ),
            # sign-off, as the data contract asks: a collector, and a different approver for
            # approved rows
            "collected_by": np.array(["A. Collector", "B. Collector"], dtype=object)[a_rows % 2],
        }
    )
    actuals["approved_by"] = np.where(actuals["status"].eq("approved"), "C. Reviewer", None).astype(
        object
    )
    narratives = pd.DataFrame(
        {"indicator_id": pd.Series(dtype="str"), "period": pd.Series(dtype="str")}
    )
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in (
        ("indicators", indicators),
        ("targets", targets),
        ("actuals", actuals),
        ("narratives", narratives),
    ):
        frame.to_parquet(folder / f"{name}.parquet", index=False)


def write_params(folder: Path) -> Path:
    """A parameters folder for the synthetic data (one committee taking every indicator)."""
    params = folder / "params"
    params.mkdir(exist_ok=True)
    (params / "council.yaml").write_text(
        "name: Benchmark District Council\nrag_scheme: south-derbyshire\n"
        "dot_tolerance: 0.01\ndata_dir: ..\n",
        encoding="utf-8",
    )
    (params / "committees.yaml").write_text(
        "committees:\n  - slug: cabinet\n    title: Cabinet\n    all_indicators: true\n",
        encoding="utf-8",
    )
    schemes = (ROOT / "parameters" / "rag_schemes.yaml").read_text(encoding="utf-8")
    (params / "rag_schemes.yaml").write_text(schemes, encoding="utf-8")
    return params


def read(folder: Path) -> dict[str, pd.DataFrame]:
    return {
        name: pd.read_parquet(folder / f"{name}.parquet")
        for name in ("indicators", "targets", "actuals")
    }


def to_dataset(frames: dict[str, pd.DataFrame], settings: Settings) -> Dataset:
    def periods(frame: pd.DataFrame) -> pd.DataFrame:
        parsed = period_table(frame["period"], settings.council.fy_start_month)
        return pd.concat([frame.drop(columns="period"), parsed], axis=1)

    ind = frames["indicators"].astype({"decimals": "Int64"})
    return Dataset(
        indicators=ind,
        targets=periods(frames["targets"]),
        actuals=periods(frames["actuals"]),
        narratives=pd.DataFrame(columns=["indicator_id", "period"]),
        settings=settings,
    )


def load_and_validate(folder: Path, params: Path) -> Dataset:
    """What ``pmlib rate`` does before rating, without read_dataset's cache."""
    from pmlib.config.settings import read_settings
    from pmlib.data.load import read_tables
    from pmlib.data.validate import build_dataset

    frames, sources = read_tables(folder)
    return build_dataset(frames, sources, read_settings(params))


FLOOR = """\
import sys
from pathlib import Path

import pandas as pd

folder, period, out, writer = Path(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
tables = {name: pd.read_parquet(folder / f"{name}.parquet")
          for name in ("indicators", "targets", "actuals", "narratives")}
actuals = tables["actuals"]
rows = actuals[actuals["period"] == period]
merged = rows.merge(tables["indicators"], left_on="indicator_id", right_on="id", how="left")
if writer == "arrow":
    import pyarrow as pa
    import pyarrow.csv

    pyarrow.csv.write_csv(pa.Table.from_pandas(merged, preserve_index=False), out)
else:
    merged.to_csv(out, index=False)
"""


def timed_process(command: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the process: user + system)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu0 = usage.ru_utime + usage.ru_stime
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(f"{command[:4]} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return seconds, usage.ru_utime + usage.ru_stime - cpu0


def paired(folder: Path, params: Path, period: str, runs: int, out: Path) -> list[dict]:
    """The floor (both writers) and ``pmlib rate --out``, fresh processes, alternately."""
    cli = [sys.executable, "-m", "pmlib", "rate", "--period", period, "--data", str(folder),
           "--params", str(params), "--out", str(out / "ratings.csv")]  # fmt: skip
    floor = [sys.executable, "-c", FLOOR, str(folder), period, str(out / "floor.csv")]
    # as on a user's machine, where Python writes pmlib's .pyc files on the first run: a machine
    # with PYTHONDONTWRITEBYTECODE=1 would compile pmlib from source in every run (~0.5 s)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "pmlib")], check=True)
    # a cold command: validated datasets are not reused from an earlier run (pmlib.data.dataset_cache)
    os.environ["PMLIB_CACHE_DIR"] = str(out / "cache")
    results = []
    for i in range(runs):
        order = ["floor", "cli", "arrow"] if i % 2 == 0 else ["cli", "arrow", "floor"]
        row = {}
        for what in order:
            if what == "cli":
                row[what], row[f"{what}_cpu"] = timed_process(cli)
            else:
                command = [*floor, "arrow" if what == "arrow" else "pandas"]
                row[what], row[f"{what}_cpu"] = timed_process(command)
        row["sizes"] = {
            "ratings.csv": (out / "ratings.csv").stat().st_size,
            "floor.csv": (out / "floor.csv").stat().st_size,
        }
        results.append(row)
        log.info(
            "run %d: floor %.2f s, floor (arrow writer) %.2f s, pmlib rate --out %.2f s = %.2f x",
            i + 1, row["floor"], row["arrow"], row["cli"], row["cli"] / row["floor"],
        )  # fmt: skip
    return results


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--period", default="2026/27 Q3")
    parser.add_argument("--data", type=Path, default=ROOT / "benchmarks" / ".data")
    parser.add_argument(
        "--cli",
        type=int,
        default=0,
        metavar="N",
        help="time `pmlib rate --out` against the floor, fresh processes, alternately N times",
    )
    parser.add_argument("--skip-steps", action="store_true", help="only the paired CLI runs")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    folder = args.data / f"rate-v3-{args.rows}"
    if not (folder / "actuals.parquet").exists():
        log.info("generating %s actuals in %s ...", f"{args.rows:,}", folder)
        generate(folder, args.rows)
    params = write_params(folder)
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"python {platform.python_version()}, pandas {pd.__version__}, numpy {np.__version__}"
    )
    if not args.skip_steps:
        steps(folder, params, args)
    if args.cli:
        with tempfile.TemporaryDirectory() as tmp:
            results = paired(folder, params, args.period, args.cli, Path(tmp))
        report_paired(results)
    return 0


def steps(folder: Path, params: Path, args: argparse.Namespace) -> None:
    """Each step in this process, best of ``--repeat``."""
    from pmlib.core.csv_out import write_csv

    schemes, _ = read_rag_schemes(ROOT / "parameters" / "rag_schemes.yaml")
    settings = Settings(Council(name="Benchmark"), committees={}, schemes=schemes)
    frames = read(folder)
    dataset = to_dataset(frames, settings)
    rated = rate_period(dataset, args.period)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "ratings.csv"
        t_read = best(lambda: read(folder), args.repeat)
        t_pandas = best(lambda: rated.to_csv(out, index=False), args.repeat)
        t_write = best(lambda: write_csv(rated, out), args.repeat)
        t_parse = best(lambda: to_dataset(frames, settings), args.repeat)
        t_rate = best(lambda: rate_period(dataset, args.period), args.repeat)
        t_validate = best(lambda: load_and_validate(folder, params), args.repeat)
    print(f"actuals: {len(frames['actuals']):,} rows; indicators rated: {len(rated):,}; "
          f"period {args.period}; best of {args.repeat}")  # fmt: skip
    print(f"read inputs (Parquet)                 {t_read:7.3f} s")
    print(f"load + validate (read_dataset)        {t_validate:7.3f} s")
    print(f"parse periods -> Dataset (no checks)  {t_parse:7.3f} s")
    print(f"rate_period                           {t_rate:7.3f} s")
    print(f"write ratings, pmlib write_csv        {t_write:7.3f} s")
    print(f"write ratings, DataFrame.to_csv       {t_pandas:7.3f} s  (for comparison)")


def report_paired(results: list[dict]) -> None:
    ratios = sorted(r["cli"] / r["floor"] for r in results)
    strict = sorted(r["cli"] / r["arrow"] for r in results)
    median = lambda xs: xs[len(xs) // 2] if len(xs) % 2 else sum(xs[len(xs) // 2 - 1 :][:2]) / 2  # noqa: E731
    cpu = sorted(r["cli_cpu"] / r["floor_cpu"] for r in results)
    sizes = results[-1]["sizes"]
    print(f"\nPaired runs ({len(results)}), fresh processes, alternately:")
    print("| run | floor (pandas to_csv) | floor (Arrow writer) | `pmlib rate --out` | ratio "
          "| CPU: floor / pmlib / ratio |")  # fmt: skip
    print("|---:|---:|---:|---:|---:|---|")
    for i, r in enumerate(results, 1):
        print(f"| {i} | {r['floor']:.2f} s | {r['arrow']:.2f} s | {r['cli']:.2f} s | "
              f"{r['cli'] / r['floor']:.2f}× | {r['floor_cpu']:.2f} s / {r['cli_cpu']:.2f} s / "
              f"{r['cli_cpu'] / r['floor_cpu']:.2f}× |")  # fmt: skip
    print(
        f"\npmlib rate --out / floor: median {median(ratios):.2f}×, range "
        f"{ratios[0]:.2f}–{ratios[-1]:.2f}× (goal ≤ 2×); against the Arrow-writer floor: median "
        f"{median(strict):.2f}×, range {strict[0]:.2f}–{strict[-1]:.2f}×; in CPU seconds "
        f"(load-independent): median {median(cpu):.2f}×, range {cpu[0]:.2f}–{cpu[-1]:.2f}×"
    )
    print(
        "Floor: a fresh python that imports pandas, reads the four Parquet tables, keeps the "
        "period's actuals, merges the indicator table onto them and writes the result with "
        f"DataFrame.to_csv ({sizes['floor.csv'] / 1e6:.0f} MB); pmlib's ratings CSV is "
        f"{sizes['ratings.csv'] / 1e6:.0f} MB (44 columns, BOM, formula guard)."
    )


if __name__ == "__main__":
    raise SystemExit(main())
