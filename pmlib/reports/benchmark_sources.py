"""Where a benchmarking deep-dive's inputs come from: files, metric, period, polarity.

Resolved before anything is computed, so a wrong folder, metric or period fails with a message
naming the file and the fix (``pmlib benchmark`` uses these checks too).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pmlib.benchmarking.positions import (
    BENCHMARK_FILE_STEM,
    PEER_GROUPS_FILE_STEM,
    find_benchmark_file,
)
from pmlib.core.errors import ParameterError
from pmlib.core.periods import period_table, try_parse_period

__all__ = [
    "BenchmarkSources",
    "check_period",
    "indicator_metric",
    "latest_period",
    "resolve_metrics",
    "resolve_sources",
]


# -- inputs: files, metric, period --------------------------------------------------------------
@dataclass(frozen=True)
class BenchmarkSources:
    """Where the benchmark data and peer groups come from, and whose position they are read for."""

    benchmark: Path
    peers: Path | None
    peer_group: str
    focus: str
    council_name: str
    start_month: int = 4


def resolve_sources(
    council=None,
    *,
    benchmark_file: str | Path | None = None,
    peers_file: str | Path | None = None,
    peer_group: str | None = None,
    area_code: str | None = None,
) -> BenchmarkSources:
    """Fill what was not given from ``council.yaml`` (a :class:`pmlib.core.model.Council` or None).

    The benchmark file defaults to ``benchmark.csv`` (or ``.xlsx``/``.parquet``) in
    ``benchmark_dir``, the peer-group file to ``peer_groups.csv`` there, the peer group to
    ``peer_group`` (else ``all``) and the council's code to ``area_code``.
    """
    folder = getattr(council, "benchmark_dir", None)
    if benchmark_file is not None:
        bench = Path(benchmark_file)
        if not bench.is_file():
            raise ParameterError(
                f"Benchmark file {bench} not found. Fix: check the path given with --data "
                "(or the notebook's benchmark_file)."
            )
    else:
        bench = find_benchmark_file(folder, BENCHMARK_FILE_STEM)
        if bench is None:
            where = (
                f"{folder} holds no benchmark.csv (or .xlsx, .parquet)"
                if folder is not None
                else "council.yaml has no benchmark_dir"
            )
            raise ParameterError(
                f"No benchmark data: {where}. Fix: pass --data FILE (the notebook's "
                "benchmark_file), or set benchmark_dir in council.yaml to a folder holding "
                "benchmark.csv (see docs/benchmarking.md)."
            )
    if peers_file is not None:
        peers = Path(peers_file)
        if not peers.is_file():
            raise ParameterError(
                f"Peer-group file {peers} not found. Fix: check the path given with --peers "
                "(or the notebook's peers_file)."
            )
    else:
        peers = find_benchmark_file(folder, PEER_GROUPS_FILE_STEM)
    group = (peer_group or getattr(council, "peer_group", "") or "all").strip()
    own = (getattr(council, "area_code", "") or "").strip()
    focus = (area_code or own).strip()
    name = (getattr(council, "name", "") or "") if focus == own else ""
    return BenchmarkSources(
        benchmark=bench,
        peers=peers,
        peer_group=group,
        focus=focus,
        council_name=name,
        start_month=int(getattr(council, "fy_start_month", 4) or 4),
    )


def _listing(values: Sequence[str], limit: int = 40) -> str:
    values = list(values)
    shown = ", ".join(values[:limit])
    return shown + (f" ... ({len(values)} in all)" if len(values) > limit else "")


def indicator_metric(indicators: pd.DataFrame, indicator: str) -> str:
    """The benchmark metric an indicator links to with ``benchmark_metric``."""
    linked = indicators[indicators.get("benchmark_metric", pd.Series(dtype=str)).notna()]
    known = [str(i) for i in linked["id"]]
    if indicator not in set(indicators["id"].astype(str)):
        raise ParameterError(
            f"Indicator {indicator!r} is not in the indicator library. Fix: use an id with a "
            f"benchmark_metric: {_listing(known) or 'none has one yet'}."
        )
    row = indicators[indicators["id"].astype(str).eq(indicator)].iloc[0]
    metric = row.get("benchmark_metric")
    if metric is None or pd.isna(metric) or not str(metric).strip():
        raise ParameterError(
            f"Indicator {indicator!r} has no benchmark_metric in the indicator library, so it "
            "has nothing to be benchmarked against. Fix: fill in its benchmark_metric column, "
            f"or use one of: {_listing(known) or 'no indicator has one yet'}."
        )
    return str(metric).strip()


def resolve_metrics(
    data: pd.DataFrame,
    metrics: Sequence[str] | None,
    source: str = "the benchmark data",
) -> list[str]:
    """Check the requested metrics are in the data; ``None`` means every metric in it."""
    known = sorted(str(m) for m in pd.unique(data["metric"].dropna()))
    if not metrics:
        if not known:
            raise ParameterError(f"{source} holds no metrics. Fix: check the file.")
        return known
    unknown = [m for m in metrics if m not in set(known)]
    if unknown:
        raise ParameterError(
            f"Metric {', '.join(map(repr, unknown))} is not in {source}. Fix: use one of: "
            f"{_listing(known)}."
        )
    return list(dict.fromkeys(metrics))


def check_period(
    data: pd.DataFrame, metrics: Sequence[str], period: str | None, start_month: int = 4
) -> str | None:
    """The canonical label of ``period``, checked to exist for every metric (``None``: latest)."""
    if period is None or not str(period).strip():
        return None
    p = try_parse_period(str(period).strip(), start_month)
    label = p.label if p is not None else str(period).strip()
    for metric in metrics:
        periods = data.loc[data["metric"].eq(metric), "period"].dropna()
        if not periods.eq(label).any():
            order = period_table(pd.Series(pd.unique(periods), dtype="string"), start_month)
            listed = order.sort_values(["ordinal", "period_kind"])["period"].tolist()
            raise ParameterError(
                f"Period {period!r} is not in the benchmark data for {metric}. Fix: use one "
                f"of: {_listing(listed)} (or leave the period out for the latest)."
            )
    return label


def latest_period(stats: pd.DataFrame, metric: str, focus: str) -> str:
    """The latest period in which ``focus`` has a value for ``metric`` (else the metric's
    latest period)."""
    rows = stats[stats["metric"].eq(metric)]
    ours = rows[rows["area_code"].eq(focus) & rows["value"].notna()]
    pick = ours if len(ours) else rows
    return str(pick["period"].iloc[-1])  # stats are in time order


def _stated_polarity(data: pd.DataFrame) -> dict[str, str]:
    if "polarity" not in data:
        return {}
    firsts = data.dropna(subset=["polarity"]).groupby("metric")["polarity"].first()
    return {str(k): str(v) for k, v in firsts.items()}
