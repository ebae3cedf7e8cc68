"""Reading a benchmark result for a committee: the sentence that places the council among its
peers, and what value would reach the median or the top quartile next year.
"""

from __future__ import annotations

import math

import pandas as pd

from pmlib.core.errors import ParameterError
from pmlib.core.numbers import value_string
from pmlib.core.periods import Period, try_parse_period
from pmlib.core.words import ordinal, quartile_words


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
CAVEAT = (
    "A rank shows position, not whether a difference matters: councils' circumstances "
    "differ and small gaps are often within normal year-to-year variation, so read it "
    "with the values, not as a league table."
)


def _count(n: int, word: str) -> str:
    text = _WORDS[n] if 0 <= n < len(_WORDS) else str(n)
    return f"{text} {word}{'' if n == 1 else 's'}"


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
            f"Ranked {joint}{ordinal(rank)} highest of {n} {peer_group_label} "
            f"({quartile_words(quartile, 'none')}; this measure has no 'better' direction, "
            "so the order is by size only)"
        )
    else:
        text = (
            f"Ranked {joint}{ordinal(rank)} of {n} {peer_group_label} ({quartile_words(quartile)})"
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
            f" Its value, {value_string(row['value'], 'number', decimals)}, is level with the group median"
            f" of {value_string(row['median'], 'number', decimals)}."
        )
    else:
        text += (
            f" Its value, {value_string(row['value'], 'number', decimals)}, is "
            f"{value_string(abs(gap), 'number', decimals)} {side} the group median of "
            f"{value_string(row['median'], 'number', decimals)}"
        )
        if pd.notna(row["mads_from_median"]):
            mads = abs(float(row["mads_from_median"]))
            text += f" ({mads:.1f} median absolute deviation{'' if mads == 1 else 's'})"
        text += "."
    if n < 8:
        text += f" With only {n} values to compare, quartiles are coarse."
    return f"{text} {CAVEAT}"
