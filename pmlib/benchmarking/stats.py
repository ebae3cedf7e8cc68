"""Benchmarking statistics: where a council stands among its peers, and what it would take to move.

Every statistic is computed for all metrics × periods at once with pandas group operations (no
per-row Python), is polarity-aware where "better" matters, and keeps areas without a value in
the output — a peer with no figure is *reported*, never silently dropped, because a ranking
that quietly shrinks from 16 to 14 councils reads very differently.

Definitions (``docs/benchmarking.md`` explains them with worked examples):

``rank``
    1 = best; ties share the best rank of the tie and the next rank is skipped ("standard
    competition" or ``min`` ranking: 1, 2, 2, 4 — two councils "joint 2nd"). ``polarity``
    ``higher`` ranks the biggest value 1st, ``lower`` the smallest, ``none`` the biggest (size
    order only; no "better" is implied).
``n``
    Areas in the group with a value for that metric and period (the denominator of "4th of n").
``percentile``
    ``100 × (n − rank) / (n − 1)``: the percentage of the *other* areas that this area is at
    least as good as (100 = nobody better, 0 = everyone else better). NaN when n = 1.
``quartile``
    1 = best quarter: ``percentile ≥ 75`` → 1, ``≥ 50`` → 2, ``≥ 25`` → 3, else 4. For distinct
    values this is *exactly* "at or better than the upper-quartile value" with quartile values
    computed as Excel's ``QUARTILE.INC`` (Hyndman & Fan type 7, pandas' default), so an area is
    in the top quartile precisely when it has reached :data:`top_quartile_boundary`; tied areas
    always share a quartile. It is computed in integer arithmetic (``4(n − rank) ≥ 3(n − 1)``)
    so no rounding can move an area across a boundary.
``median``, ``mad``, ``mads_from_median``
    The group median; the *raw* median absolute deviation ``median(|x − median|)`` (not scaled
    by 1.4826); and ``(value − median) / mad``, signed by value not by polarity (positive =
    above the median). This is the Office for Local Government's definition: it reproduces
    every published ``MADs_from_median`` in Oflog's adult social care extract. NaN when the MAD
    is 0 (more than half the group share one value, so the distance is undefined).
``top_quartile_boundary``
    The upper-quartile value (``QUARTILE.INC``, 75th percentile) for ``higher``/``none``, the
    lower-quartile value (25th percentile) for ``lower``: the value that reaches the top
    quartile.
``gap_to_median``, ``gap_to_top_quartile``
    ``value − median`` and ``value − top_quartile_boundary`` in the metric's units, signed like
    ``mads_from_median`` (positive = above). Whether above is good depends on ``polarity``.
``mean``, ``pooled_mean``, ``pooled_n``
    The plain mean of the values (a mean of rates: every council weighs the same), and
    ``Σ numerator / Σ denominator × scale`` over the ``pooled_n`` areas with both counts — the
    group's own rate, weighted by size. NaN when no area has counts.
``rank_change``, ``quartile_change``
    Against the same area's rank/quartile in ``previous_period``, the metric's previous period
    (of the same kind) in the data. Positive = improved ("up two places").
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from pmlib.benchmarking.io import (
    BENCHMARK_COLUMNS,
    PeerGroups,
    is_aggregate_code,
    metric_metadata,
    normalise_polarity,
    read_benchmarks,
    read_metric_metadata,
    read_peer_groups,
    slugify,
)
from pmlib.core.errors import DataValidationError, ParameterError, Problem
from pmlib.core.files import write_text_atomic
from pmlib.core.periods import Period, period_table, try_parse_period

__all__ = [
    "BENCHMARK_COLUMNS",
    "PUBLIC_COLUMNS",
    "STATS_COLUMNS",
    "BenchmarkRun",
    "PeerGroups",
    "benchmark_stats",
    "metric_metadata",
    "missing_peers",
    "narrate_position",
    "peer_group_members",
    "polarity_from_indicators",
    "read_benchmarks",
    "read_metric_metadata",
    "read_peer_groups",
    "resolve_polarity",
    "slugify",
    "target_options",
    "write_benchmark_csv",
]

#: The benchmark CSV's public contract: these columns come first, in this order, and are stable.
PUBLIC_COLUMNS = (
    "area_code",
    "metric",
    "period",
    "value",
    "rank",
    "quartile",
    "percentile",
    "median",
    "mads_from_median",
)

#: Every column of :func:`benchmark_stats`, in order.
STATS_COLUMNS = (
    "area_code",
    "area_name",
    "metric",
    "period",
    "value",
    "rank",
    "n",
    "quartile",
    "percentile",
    "median",
    "mad",
    "mads_from_median",
    "mean",
    "pooled_mean",
    "pooled_n",
    "top_quartile_boundary",
    "gap_to_median",
    "gap_to_top_quartile",
    "previous_period",
    "rank_change",
    "quartile_change",
    "polarity",
    "n_group",
    "missing_reason",
    "is_focus",
)

_KEYS = ["metric", "period"]


# -- polarity -----------------------------------------------------------------------------------
def polarity_from_indicators(indicators: pd.DataFrame) -> dict[str, str]:
    """``{benchmark metric: polarity}`` from an indicator library's ``benchmark_metric`` links.

    The indicator library is where a council has already decided which way is good, so it is
    the first place to take a benchmark metric's polarity from. ``band`` becomes ``none``.
    """
    if "benchmark_metric" not in indicators or "polarity" not in indicators:
        return {}
    linked = indicators.loc[
        indicators["benchmark_metric"].notna(), ["benchmark_metric", "polarity"]
    ]
    out: dict[str, str] = {}
    for metric, pol in zip(linked["benchmark_metric"], linked["polarity"], strict=True):
        key, value = str(metric).strip(), normalise_polarity(pol)
        if value is None:
            continue
        if key in out and out[key] != value:
            raise ParameterError(
                f"Indicators linked to benchmark metric {key!r} disagree on polarity "
                f"({out[key]} and {value}). Fix: give them the same polarity or link only one."
            )
        out[key] = value
    return out


def resolve_polarity(
    data: pd.DataFrame,
    polarity: str | Mapping[str, str] | None = None,
    *,
    default: str | None = None,
) -> dict[str, str]:
    """Each metric's polarity: ``polarity`` if given, else the data's own ``polarity`` column.

    Parameters
    ----------
    data
        A benchmark table (metrics are taken from its ``metric`` column).
    polarity
        One polarity for every metric, or ``{metric: polarity}`` (e.g. from
        :func:`polarity_from_indicators`); entries override the data's metadata.
    default
        Used for metrics with no polarity anywhere; if ``None`` such metrics are an error,
        because ranking "lower is better" data the wrong way round silently inverts every rank.
    """
    metrics = sorted(pd.unique(data["metric"].dropna()))
    if isinstance(polarity, str):
        value = normalise_polarity(polarity)
        if value is None:
            raise ParameterError(
                f"Polarity {polarity!r} is not known. Fix: use higher, lower or none."
            )
        return dict.fromkeys(metrics, value)
    given: dict[str, str] = {}
    for metric, word in (polarity or {}).items():
        value = normalise_polarity(word)
        if value is None:
            raise ParameterError(
                f"Polarity {word!r} for metric {metric!r} is not known. Fix: "
                "use higher, lower or none."
            )
        given[str(metric)] = value
    stated: dict[str, str] = {}
    if "polarity" in data:
        firsts = data.dropna(subset=["polarity"]).groupby("metric")["polarity"].first()
        stated = {str(k): str(v) for k, v in firsts.items()}
    out = {m: given.get(m) or stated.get(m) or default for m in metrics}
    unknown = [m for m, v in out.items() if v is None]
    if unknown:
        listed = ", ".join(unknown[:8]) + (" ..." if len(unknown) > 8 else "")
        raise ParameterError(
            f"No polarity (which way is better) for metric{'s' if len(unknown) > 1 else ''} "
            f"{listed}. Fix: pass polarity='higher' or 'lower' (or a mapping per metric), add a "
            "metrics.csv with a polarity column beside the data, or link the indicator with "
            "benchmark_metric in the indicator library."
        )
    return {m: str(v) for m, v in out.items()}


# -- the group frame ----------------------------------------------------------------------------
def _check_data(data: pd.DataFrame) -> None:
    missing = [c for c in ("area_code", "metric", "period", "value") if c not in data]
    if missing:
        raise ParameterError(
            f"Benchmark data needs the columns area_code, metric, period and "
            f"value; missing: {', '.join(missing)}. Fix: read it with "
            "read_benchmarks()."
        )
    file = str(data.attrs.get("source", "benchmark data"))
    keys = ["area_code", "metric", "period"]
    problems: list[Problem] = []
    blank = data[keys].isna().any(axis=1)
    if blank.any():
        problems.append(
            Problem(
                file,
                f"{int(blank.sum())} rows have no area code, metric or period",
                "fill them in or remove the rows",
            )
        )
    dup = data.duplicated(keys, keep=False) & ~blank
    rows = data["source_row"] if "source_row" in data else pd.Series(pd.NA, index=data.index)
    for (area, metric, period), idx in data[dup].groupby(keys, sort=False).groups.items():
        where = rows.loc[idx].dropna()
        problems.append(
            Problem(
                file,
                f"{area} has more than one value for {metric} in {period}",
                "keep one row per area, metric and period",
                row=int(where.iloc[-1]) if len(where) else None,
                column="area_code",
                value=area,
            )
        )
    if problems:
        raise DataValidationError(problems)


def _group_frame(
    data: pd.DataFrame, peers: Sequence[str] | None, focus: str | None
) -> pd.DataFrame:
    """One row per group member × metric × period, with ``missing_reason`` where no value.

    ``peers=None`` is the reserved group ``all``: every area with a row for that metric and
    period, national/regional aggregates (England, regions) excepted. With explicit peers every
    member gets a row in every metric-period any member has data for, so absent peers show.
    """
    _check_data(data)
    cols = [
        c
        for c in (
            "area_code",
            "area_name",
            "metric",
            "period",
            "value",
            "numerator",
            "denominator",
            "marker",
        )
        if c in data
    ]
    d = data.loc[:, cols].copy()
    for c in ("area_name", "marker"):
        if c not in d:
            d[c] = pd.Series(pd.NA, index=d.index, dtype="string")
    for c in ("numerator", "denominator"):
        if c not in d:
            d[c] = np.nan
    d = d.astype(
        {
            "area_code": "string",
            "metric": "string",
            "period": "string",
            "area_name": "string",
            "marker": "string",
            "value": "float64",
            "numerator": "float64",
            "denominator": "float64",
        }
    )
    if peers is None:
        grid = d[~is_aggregate_code(d["area_code"])].reset_index(drop=True)
        grid["_row"] = True
    else:
        members = list(dict.fromkeys([str(p) for p in peers] + ([focus] if focus else [])))
        inside = d[d["area_code"].isin(members)]
        combos = inside[_KEYS].drop_duplicates()
        grid = combos.merge(
            pd.DataFrame({"area_code": pd.array(members, dtype="string")}), how="cross"
        )
        grid = grid.merge(inside.assign(_row=True), on=["area_code", *_KEYS], how="left")
        names = d.dropna(subset=["area_name"]).groupby("area_code")["area_name"].first()
        grid["area_name"] = grid["area_name"].fillna(grid["area_code"].map(names).astype("string"))
        grid["_row"] = grid["_row"].astype("boolean").fillna(False).astype(bool)
    marker = grid["marker"].fillna("")
    reason = np.where(
        ~grid["_row"],
        "no row in the data",
        np.where(
            marker.eq("blank"),
            "value blank",
            np.where(marker.ne(""), "value suppressed ('" + marker + "')", "no value"),
        ),
    )
    grid["missing_reason"] = pd.Series(reason, index=grid.index, dtype="string").where(
        grid["value"].isna()
    )
    return grid.drop(columns=["_row"])


def _scales(
    grid: pd.DataFrame, data: pd.DataFrame, scale: float | Mapping[str, float] | None
) -> pd.Series:
    """Per-row multiplier turning numerator/denominator into the value's units (100 for %).

    Inferred per metric as the power of ten nearest the median of value ÷ (numerator /
    denominator) where a row has all three; else 100 if the metric's unit says percent; else 1.
    """
    if isinstance(scale, int | float):
        return pd.Series(float(scale), index=grid.index)
    given = dict(scale or {})
    ok = grid["value"].notna() & grid["numerator"].gt(0) & grid["denominator"].gt(0)
    ratio = (grid["value"] / (grid["numerator"] / grid["denominator"])).where(ok)
    inferred = ratio.groupby(grid["metric"]).median()
    inferred = 10.0 ** np.round(np.log10(inferred.where(inferred > 0)))
    units: dict[str, float] = {}
    for column in ("unit", "measure"):  # the 7-column downloads say "Percentage" in measure
        if column in data:
            said = data.dropna(subset=[column]).groupby("metric")[column].first().astype(str)
            units |= {m: 100.0 for m, u in said.items() if "percent" in u.lower()}
    table = {m: float(given.get(m, inferred.get(m, np.nan))) for m in grid["metric"].unique()}
    table = {m: (v if v == v else units.get(m, 1.0)) for m, v in table.items()}
    return grid["metric"].map(table).astype("float64")


def _period_order(periods: pd.Series) -> pd.DataFrame:
    """``period, period_kind, ordinal`` for each distinct label (unparsed labels: NA)."""
    uniq = pd.Series(pd.unique(periods.dropna()), dtype="string")
    table = period_table(uniq)
    return pd.DataFrame(
        {
            "period": uniq,
            "period_kind": table["period_kind"].to_numpy(),
            "ordinal": table["ordinal"].to_numpy(),
        }
    )


# -- the statistics -----------------------------------------------------------------------------
def benchmark_stats(
    data: pd.DataFrame,
    *,
    polarity: str | Mapping[str, str] | None = None,
    peers: Sequence[str] | None = None,
    focus: str | None = None,
    scale: float | Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Rank, quartile, percentile, median, MAD distance and more for every metric × period.

    Parameters
    ----------
    data
        A benchmark table as from :func:`read_benchmarks` (needs ``area_code, metric, period,
        value``; ``numerator``, ``denominator``, ``area_name``, ``polarity`` are used if
        present). Never modified.
    polarity
        ``higher``/``lower``/``none`` for all metrics or per metric; missing entries come from
        the data's ``polarity`` column (see :func:`resolve_polarity`).
    peers
        The peer group's area codes; ``None`` = every area in the data (national/regional
        aggregates excepted). Peers with no row or no value get a row with NaN statistics and
        a ``missing_reason`` rather than vanishing.
    focus
        The council's own area code (``council.yaml: area_code``). Marked ``is_focus`` and
        always part of the group, even if the peer list leaves it out.
    scale
        Multiplier for pooled means (100 for a percentage); inferred from the data if omitted.

    Returns
    -------
    pandas.DataFrame
        The columns of :data:`STATS_COLUMNS` (definitions in the module docstring), sorted by
        metric, period (in time order) and rank. Values are unrounded: round when presenting.
        A value left blank but with a numerator and denominator is computed from them.
    """
    grid = _group_frame(data, peers, focus)
    if grid.empty:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in STATS_COLUMNS})
    if isinstance(polarity, str):
        pol = resolve_polarity(grid, polarity)
    else:
        pol = resolve_polarity(grid, {**_data_polarity(data), **dict(polarity or {})})
    grid["polarity"] = grid["metric"].map(pol).astype("string")
    scales = _scales(grid, data, scale)
    derived = grid["numerator"] / grid["denominator"].where(grid["denominator"] > 0) * scales
    fill = grid["value"].isna() & grid["marker"].isna() & derived.notna()
    grid["value"] = grid["value"].where(~fill, derived)
    grid["missing_reason"] = grid["missing_reason"].where(grid["value"].isna())

    value = grid["value"]
    by = grid.groupby(_KEYS, sort=False).ngroup().to_numpy()  # one integer key per group
    lower = grid["polarity"].eq("lower").to_numpy()
    score = value * np.where(lower, -1.0, 1.0)
    rank = score.groupby(by).rank(method="min", ascending=False)
    n = value.notna().groupby(by).transform("sum").astype("float64")
    median = value.groupby(by).transform("median")
    mad = (value - median).abs().groupby(by).transform("median")
    q = grid.groupby(_KEYS)["value"].quantile([0.25, 0.75]).unstack()
    q.columns = ["q25", "q75"]
    bounds = grid[_KEYS].merge(q, left_on=_KEYS, right_index=True, how="left")
    boundary = pd.Series(np.where(lower, bounds["q25"], bounds["q75"]), index=grid.index)

    better = 4 * (n - rank)  # four times the number of others not better than this area
    quartile = pd.Series(
        np.select(
            [better >= 3 * (n - 1), better >= 2 * (n - 1), better >= (n - 1), rank.notna()],
            [1, 2, 3, 4],
            default=0,
        ),
        index=grid.index,
    ).replace(0, np.nan)

    ok = value.notna() & grid["numerator"].notna() & grid["denominator"].gt(0)
    sum_num = grid["numerator"].where(ok).groupby(by).transform("sum")
    sum_den = grid["denominator"].where(ok).groupby(by).transform("sum")
    pooled_n = ok.groupby(by).transform("sum")

    out = pd.DataFrame(
        {
            "area_code": grid["area_code"],
            "area_name": grid["area_name"],
            "metric": grid["metric"],
            "period": grid["period"],
            "value": value,
            "rank": rank,
            "n": n,
            "quartile": quartile,
            "percentile": (100 * (n - rank) / (n - 1)).where(n > 1),
            "median": median,
            "mad": mad,
            "mads_from_median": (value - median) / mad.where(mad > 0),
            "mean": value.groupby(by).transform("mean"),
            "pooled_mean": (sum_num / sum_den * scales).where(pooled_n > 0),
            "pooled_n": pooled_n,
            "top_quartile_boundary": boundary,
            "gap_to_median": value - median,
            "gap_to_top_quartile": value - boundary,
            "polarity": grid["polarity"],
            "n_group": grid.groupby(_KEYS)["area_code"].transform("size"),
            "missing_reason": grid["missing_reason"],
            "is_focus": grid["area_code"].eq(focus).fillna(False).astype(bool)
            if focus
            else pd.Series(False, index=grid.index),
        }
    )
    out = _movement(out)
    for col in ("rank", "n", "quartile", "pooled_n", "n_group", "rank_change", "quartile_change"):
        out[col] = out[col].round().astype("Int64")
    return out.loc[:, list(STATS_COLUMNS)]


def _data_polarity(data: pd.DataFrame) -> dict[str, str]:
    if "polarity" not in data:
        return {}
    firsts = data.dropna(subset=["polarity"]).groupby("metric")["polarity"].first()
    return {str(k): str(v) for k, v in firsts.items()}


def _movement(stats: pd.DataFrame) -> pd.DataFrame:
    """Add ``previous_period``, ``rank_change``, ``quartile_change``; sort in time order."""
    order = _period_order(stats["period"])
    mp = stats[_KEYS].drop_duplicates().merge(order, on="period", how="left")
    mp = mp.sort_values(["metric", "period_kind", "ordinal"], na_position="last")
    timed = mp["ordinal"].notna()
    mp["previous_period"] = mp[timed].groupby(["metric", "period_kind"])["period"].shift()
    mp["previous_period"] = mp["previous_period"].astype("string")
    out = stats.merge(mp, on=_KEYS, how="left")
    prev = stats.loc[:, ["area_code", "metric", "period", "rank", "quartile"]].rename(
        columns={"period": "previous_period", "rank": "_prev_rank", "quartile": "_prev_q"}
    )
    out = out.merge(prev, on=["area_code", "metric", "previous_period"], how="left")
    out["rank_change"] = out["_prev_rank"] - out["rank"]
    out["quartile_change"] = out["_prev_q"] - out["quartile"]
    out = out.sort_values(
        ["metric", "ordinal", "period_kind", "period", "rank", "area_code"],
        na_position="last",
        kind="stable",
    )
    return out.drop(columns=["_prev_rank", "_prev_q", "period_kind", "ordinal"]).reset_index(
        drop=True
    )


def missing_peers(
    data: pd.DataFrame, peers: Sequence[str] | None = None, *, focus: str | None = None
) -> pd.DataFrame:
    """Peers with no row or no value, per metric and period: ``metric, period, area_code,
    area_name, reason``.

    Reported because a peer group that silently loses members changes every rank and median;
    the reason separates "not in the download" from "published as suppressed" or "blank".
    """
    grid = _group_frame(data, peers, focus)
    miss = grid[grid["value"].isna()]
    out = miss.loc[:, ["metric", "period", "area_code", "area_name", "missing_reason"]]
    return (
        out.rename(columns={"missing_reason": "reason"})
        .sort_values(["metric", "period", "area_code"])
        .reset_index(drop=True)
    )


def peer_group_members(
    groups: Mapping[str, Sequence[str]] | None, name: str | None
) -> list[str] | None:
    """The area codes of peer group ``name``; ``None`` for the reserved group ``all``."""
    if name is None or name.strip().lower() == "all":
        return None
    if not groups:
        raise ParameterError(
            f"Peer group {name!r} needs a peer-group file. Fix: pass --peers "
            "FILE (see docs/benchmarking.md), or use --peer-group all."
        )
    if name not in groups:
        known = list(groups)
        listed = ", ".join(known[:10]) + (f" ... ({len(known)} groups)" if len(known) > 10 else "")
        raise ParameterError(
            f"Peer group {name!r} is not in the peer-group file. Fix: use one of: all, {listed}."
        )
    return list(groups[name])


# -- reading the result -------------------------------------------------------------------------
def _focus_row(
    stats: pd.DataFrame, focus: str, metric: str, period: str | None
) -> tuple[pd.Series | None, str | None]:
    rows = stats[stats["metric"].eq(metric) & stats["area_code"].eq(focus)]
    if period is not None:
        p = try_parse_period(period)
        label = p.label if p is not None else str(period)
        rows = rows[rows["period"].eq(label)]
        return (rows.iloc[-1] if len(rows) else None), label
    valued = rows[rows["value"].notna()]
    pick = valued if len(valued) else rows
    return (pick.iloc[-1] if len(pick) else None), None  # stats are in time order


def _next_year(period: str) -> str | None:
    p = try_parse_period(period)
    if p is None:
        return None
    return Period(p.kind, p.fy + 1, p.index, p.start_month).label


def target_options(
    stats: pd.DataFrame, focus: str, metric: str, period: str | None = None
) -> pd.DataFrame:
    """What the peer median and the top-quartile boundary would mean as next year's target.

    Parameters
    ----------
    stats
        The output of :func:`benchmark_stats`.
    focus, metric
        The council's area code and the benchmark metric.
    period
        The benchmark period to read the peer values from; default the latest period in which
        the council has a value.

    Returns
    -------
    pandas.DataFrame
        One row per option (``peer median``, ``top-quartile boundary``): ``option,
        based_on_period, target_period, polarity, current, target, change_needed`` (target −
        current, in units), ``change_needed_pct`` (relative to current), ``already_met``
        (polarity-aware; NA for polarity ``none``) and ``rank_at_target`` of ``n`` (the rank
        the target value would have earned among this period's peers). Peer values will move
        too, so these are floors to beat, not forecasts of next year's median.
    """
    row, label = _focus_row(stats, focus, metric, period)
    if row is None:
        raise ParameterError(
            f"{focus} has no {metric} row{' in ' + label if label else ''} in "
            "the benchmark statistics. Fix: check the area code (council.yaml "
            "area_code), the metric id and the period."
        )
    group = stats[stats["metric"].eq(metric) & stats["period"].eq(row["period"])]
    others = group.loc[~group["area_code"].eq(focus), "value"].dropna().to_numpy()
    polarity = str(row["polarity"])
    current = float(row["value"]) if pd.notna(row["value"]) else math.nan
    options = [
        ("peer median", float(row["median"])),
        ("top-quartile boundary", float(row["top_quartile_boundary"])),
    ]
    records = []
    for option, target in options:
        if polarity == "lower":
            met = current <= target if current == current else pd.NA
            rank = 1 + int((others < target).sum())
        else:
            met = current >= target if current == current else pd.NA
            rank = 1 + int((others > target).sum())
        change = target - current
        records.append(
            {
                "option": option,
                "based_on_period": row["period"],
                "target_period": _next_year(str(row["period"])),
                "polarity": polarity,
                "current": current,
                "target": target,
                "change_needed": change,
                "change_needed_pct": 100 * change / abs(current) if current else math.nan,
                "already_met": pd.NA if polarity == "none" else met,
                "rank_at_target": rank if target == target else pd.NA,
                "n": len(others) + (1 if current == current else 0),
            }
        )
    out = pd.DataFrame.from_records(records)
    return out.astype(
        {
            "already_met": "boolean",
            "rank_at_target": "Int64",
            "n": "Int64",
            "target_period": "string",
            "based_on_period": "string",
        }
    )


_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
_QUARTILE_WORDS = {
    1: "top quartile",
    2: "second quartile",
    3: "third quartile",
    4: "bottom quartile",
}
_SIZE_QUARTILE_WORDS = {
    1: "highest quarter",
    2: "second-highest quarter",
    3: "second-lowest quarter",
    4: "lowest quarter",
}
CAVEAT = (
    "A rank shows position, not whether a difference matters: councils' circumstances "
    "differ and small gaps are often within normal year-to-year variation, so read it "
    "with the values, not as a league table."
)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _count(n: int, word: str) -> str:
    text = _WORDS[n] if 0 <= n < len(_WORDS) else str(n)
    return f"{text} {word}{'' if n == 1 else 's'}"


def _num(x: float, decimals: int) -> str:
    return f"{x:,.{decimals}f}"


def narrate_position(
    stats: pd.DataFrame,
    focus: str,
    metric: str,
    peer_group_label: str,
    period: str | None = None,
    *,
    decimals: int = 1,
) -> str:
    """One plain-English paragraph on the council's position, computed from the numbers.

    E.g. "Ranked 4th of 16 CIPFA nearest neighbours (top quartile), down one place since
    2022/23. Its value, 58.4, is 12.8 above the group median of 45.6 (1.5 median absolute
    deviations)." followed by :data:`CAVEAT`. ``period`` defaults to the latest period with a
    value; ``decimals`` only affects presentation.
    """
    row, label = _focus_row(stats, focus, metric, period)
    if row is None:
        return (
            f"There is no {metric} figure for {focus}"
            f"{' in ' + label if label else ''} in the benchmark data. {CAVEAT}"
        )
    name = row["area_name"] if pd.notna(row["area_name"]) else focus
    group = stats[stats["metric"].eq(metric) & stats["period"].eq(row["period"])]
    n = int(row["n"]) if pd.notna(row["n"]) else 0
    if pd.isna(row["value"]):
        reason = row["missing_reason"] if pd.notna(row["missing_reason"]) else "no value"
        return (
            f"{name} has no figure for {row['period']} ({reason}), so it is not ranked; "
            f"{n} of the {int(row['n_group'])} {peer_group_label} have one. {CAVEAT}"
        )
    rank = int(row["rank"])
    joint = "joint " if int(group["rank"].eq(rank).sum()) > 1 else ""
    quartile = int(row["quartile"])
    if row["polarity"] == "none":
        text = (
            f"Ranked {joint}{_ordinal(rank)} highest of {n} {peer_group_label} "
            f"({_SIZE_QUARTILE_WORDS[quartile]}; this measure has no 'better' direction, "
            "so the order is by size only)"
        )
    else:
        text = (
            f"Ranked {joint}{_ordinal(rank)} of {n} {peer_group_label} "
            f"({_QUARTILE_WORDS[quartile]})"
        )
    prev = row["previous_period"]
    if pd.notna(prev):
        change = row["rank_change"]
        if pd.isna(change):
            text += f"; not ranked in {prev}"
        elif change > 0:
            text += f", up {_count(int(change), 'place')} since {prev}"
        elif change < 0:
            text += f", down {_count(-int(change), 'place')} since {prev}"
        else:
            text += f", the same rank as in {prev}"
    text += "."
    gap = float(row["gap_to_median"])
    side = "above" if gap > 0 else "below"
    if round(gap, decimals) == 0:
        text += (
            f" Its value, {_num(row['value'], decimals)}, is level with the group median"
            f" of {_num(row['median'], decimals)}."
        )
    else:
        text += (
            f" Its value, {_num(row['value'], decimals)}, is "
            f"{_num(abs(gap), decimals)} {side} the group median of "
            f"{_num(row['median'], decimals)}"
        )
        if pd.notna(row["mads_from_median"]):
            mads = abs(float(row["mads_from_median"]))
            text += f" ({mads:.1f} median absolute deviation{'' if mads == 1 else 's'})"
        text += "."
    if n < 8:
        text += f" With only {n} values to compare, quartiles are coarse."
    return f"{text} {CAVEAT}"


# -- the CLI entry point ------------------------------------------------------------------------
@dataclass(frozen=True)
class BenchmarkRun:
    """What :func:`write_benchmark_csv` did: the file, its statistics and what to tell the user."""

    path: Path
    rows: int
    stats: pd.DataFrame
    missing: pd.DataFrame
    warnings: tuple[Problem, ...]


def write_benchmark_csv(
    data_path: Path | str,
    out_path: Path | str,
    *,
    peers_path: Path | str | None = None,
    peer_group: str = "all",
    metric: str | Sequence[str] | None = None,
    period: str | None = None,
    focus: str | None = None,
    polarity: str | Mapping[str, str] | None = None,
    metrics_path: Path | str | None = None,
    start_month: int = 4,
) -> BenchmarkRun:
    """Compute benchmark statistics for a file and write them as CSV, atomically.

    The CSV has one row per area × metric × period; its first columns are the public contract
    :data:`PUBLIC_COLUMNS` (``area_code, metric, period, value, rank, quartile, percentile,
    median, mads_from_median``), followed by the rest of :data:`STATS_COLUMNS`. Numbers are
    written unrounded. Metrics with no polarity anywhere are ranked as ``none`` (by size) and
    named in a warning, so a run over an unfamiliar download never stops for want of metadata.

    Parameters
    ----------
    data_path
        A benchmark file (see :func:`read_benchmarks`).
    out_path
        Where to write the CSV (parent folders are created; written to a temporary file and
        renamed, so an interrupted run never leaves half a file).
    peers_path, peer_group
        A peer-group file and the group to use; ``all`` (the default) needs no file.
    metric, period
        Restrict the output to these metrics / this period (movement still uses earlier
        periods).
    focus
        The council's area code, flagged in ``is_focus``.
    polarity
        Overrides the polarity from the data's metadata (one word or per metric).
    metrics_path, start_month
        Passed to :func:`read_benchmarks`.

    Raises
    ------
    DataValidationError, ParameterError
        Bad data, an unknown peer group, metric or period.
    """
    data = read_benchmarks(data_path, metrics_path=metrics_path, start_month=start_month)
    warnings: list[Problem] = list(data.attrs.get("warnings", ()))
    groups = read_peer_groups(peers_path) if peers_path is not None else None
    if groups is not None:
        warnings += list(groups.warnings)
    peers = peer_group_members(groups, peer_group)
    if metric is not None:
        wanted = [metric] if isinstance(metric, str) else list(metric)
        known = set(data["metric"].dropna())
        unknown = [m for m in wanted if m not in known]
        if unknown:
            listed = ", ".join(sorted(known)[:10]) + (" ..." if len(known) > 10 else "")
            raise ParameterError(
                f"Metric {', '.join(map(repr, unknown))} is not in "
                f"{Path(data_path).name}. Fix: use one of: {listed}."
            )
        data = data[data["metric"].isin(wanted)]
    if isinstance(polarity, str):
        pol = resolve_polarity(data, polarity)
    else:
        stated = {**_data_polarity(data), **dict(polarity or {})}
        pol = resolve_polarity(data, stated, default="none")
        unset = sorted(set(pol) - set(stated))
        if unset:
            warnings.append(
                Problem(
                    Path(data_path).name,
                    f"no polarity for {', '.join(unset[:8])}"
                    f"{' ...' if len(unset) > 8 else ''}: ranked by value, highest first, with no "
                    "'better' direction",
                    "add a metrics.csv (metric, name, unit, polarity) beside "
                    "the data, or pass a polarity",
                    column="polarity",
                    severity="warning",
                )
            )
    stats = benchmark_stats(data, polarity=pol, peers=peers, focus=focus)
    if period is not None:
        p = try_parse_period(period, start_month)
        label = p.label if p is not None else str(period)
        if not stats["period"].eq(label).any():
            known = list(dict.fromkeys(stats["period"].dropna()))
            raise ParameterError(
                f"Period {period!r} is not in the benchmark data. Fix: use one "
                f"of: {', '.join(known[-12:])}."
            )
        stats = stats[stats["period"].eq(label)].reset_index(drop=True)
    missing = stats.loc[
        stats["value"].isna(), ["metric", "period", "area_code", "area_name", "missing_reason"]
    ]
    if len(missing):
        warnings.append(
            Problem(
                Path(data_path).name,
                f"{len(missing)} area × metric × period rows in the peer group "
                "have no value (listed in the output with missing_reason); statistics use the "
                "areas that have one",
                "nothing to do unless you hold the figures",
                column="value",
                severity="warning",
            )
        )
    ordered = list(PUBLIC_COLUMNS) + [c for c in STATS_COLUMNS if c not in PUBLIC_COLUMNS]
    out = Path(out_path)
    write_text_atomic(out, stats.loc[:, ordered].to_csv(index=False, lineterminator="\n"))
    return BenchmarkRun(out, len(stats), stats, missing.reset_index(drop=True), tuple(warnings))
