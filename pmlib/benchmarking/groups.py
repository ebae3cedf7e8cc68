"""The peer group a statistic is computed over: which areas, each metric's polarity, and the
frame of every area × metric × period with the missing ones kept and explained.

A peer with no figure is reported, never silently dropped (see :mod:`pmlib.benchmarking.stats`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from pmlib.benchmarking.io import (
    is_aggregate_code,
    normalise_polarity,
)
from pmlib.core.errors import DataValidationError, ParameterError, Problem
from pmlib.core.periods import period_table

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


def _data_polarity(data: pd.DataFrame) -> dict[str, str]:
    if "polarity" not in data:
        return {}
    firsts = data.dropna(subset=["polarity"]).groupby("metric")["polarity"].first()
    return {str(k): str(v) for k, v in firsts.items()}


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
