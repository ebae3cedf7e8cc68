"""Time :func:`pmlib.spc.calculate_spc` on 10,000 series of 60 monthly points (600,000 points).

The series are realistic rather than uniform noise: each has its own level and spread, a third
have a step change part way (a service change, so shifts and points beyond the limits occur), a
tenth a slow drift (trends), a fifth are rounded to whole numbers (ties and points on the mean),
a tenth are rebased at the step; directions are mixed (increase, decrease, a few neutral), half
have a target and a quarter fix their limits after 20 points. Options come in as columns, as
``pmlib spc --data`` passes them.

Usage::

    .venv/bin/python benchmarks/spc_many_series.py [--series 10000] [--points 60] [--repeat 5]

Prints the best and median wall time of ``--repeat`` runs, their CPU time (about the wall time
on an idle machine) and the machine's load average at the time, since
the wall time depends on what else the machine is doing. The goal is under a second.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pmlib.spc import calculate_spc  # noqa: E402


def make_series(n_series: int, n_points: int, seed: int = 20261203) -> pd.DataFrame:
    """A long table (series, date, value, rebase and option columns), built with numpy."""
    rng = np.random.default_rng(seed)
    level = rng.uniform(10, 1000, n_series)
    spread = level * rng.uniform(0.02, 0.15, n_series)
    values = level[:, None] + spread[:, None] * rng.standard_normal((n_series, n_points))
    step_at = rng.integers(n_points // 3, n_points - 6, n_series)
    has_step = rng.random(n_series) < 1 / 3
    after = np.arange(n_points)[None, :] >= step_at[:, None]
    values += np.where(has_step[:, None] & after, 2.5 * spread[:, None], 0.0)
    drift = rng.random(n_series) < 0.1
    values += np.where(drift[:, None], np.arange(n_points)[None, :] * spread[:, None] * 0.3, 0.0)
    whole = rng.random(n_series) < 0.2
    values = np.where(whole[:, None], np.round(values / spread[:, None]) * spread[:, None], values)
    rebased = has_step & (rng.random(n_series) < 0.3)
    rebase = rebased[:, None] & (np.arange(n_points)[None, :] == step_at[:, None])

    months = pd.period_range("2021-04", periods=n_points, freq="M").strftime("%Y-%m")
    direction = rng.choice(["increase", "decrease", "neutral"], n_series, p=[0.5, 0.45, 0.05])
    target = np.where(rng.random(n_series) < 0.5, level * rng.uniform(0.8, 1.2, n_series), np.nan)
    fix = np.where(rng.random(n_series) < 0.25, 20.0, np.nan)
    per_point = np.repeat
    return pd.DataFrame(
        {
            "series": per_point(np.char.mod("PI%05d", np.arange(n_series)), n_points),
            "date": np.tile(np.asarray(months), n_series),
            "value": values.ravel(),
            "rebase": rebase.ravel(),
            "improvement_direction": per_point(direction, n_points),
            "target": per_point(target, n_points),
            "fix_after_n_points": per_point(fix, n_points),
        }
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=10_000)
    parser.add_argument("--points", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)

    frame = make_series(args.series, args.points)
    calculate_spc(frame.head(args.points * 10))  # warm up imports and numpy paths
    times, cpu = [], []
    load_before = os.getloadavg()
    for _ in range(args.repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = calculate_spc(frame)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    load_after = os.getloadavg()

    pts = result.points
    summary = result.summary
    print(
        f"pmlib.spc: {args.series:,} series x {args.points} points = {len(frame):,} points "
        f"on {platform.machine()} {os.cpu_count()} CPU(s), Python {platform.python_version()}, "
        f"pandas {pd.__version__}, numpy {np.__version__}"
    )
    print(
        f"  best {min(times):.3f} s, median {statistics.median(times):.3f} s "
        f"of {args.repeat} runs (goal: under 1 s); CPU time best {min(cpu):.3f} s, "
        f"median {statistics.median(cpu):.3f} s (about the wall time on an idle machine)"
    )
    print(
        "  load average (1/5/15 min) before "
        + "/".join(f"{x:.2f}" for x in load_before)
        + ", after "
        + "/".join(f"{x:.2f}" for x in load_after)
    )
    print(
        f"  {int(pts['special_cause_flag'].sum()):,} special-cause points; "
        f"{int(summary['groups'].gt(1).sum()):,} series rebased; variation: "
        + ", ".join(f"{k} {v:,}" for k, v in summary["variation_type"].value_counts().items())
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
