"""What a quarter's return asks for: one row per figure due, grouped by the officer who returns it.

A monthly indicator owes the quarter's three months, a quarterly one the quarter, a six-monthly
one its half-year in the second and fourth quarters' returns (H1 in Q2, H2 in Q4: the periods a
report shows it for, :mod:`pmlib.rating.cadence`), an annual one its year in the fourth
quarter's return (the year's outturn is collected after the year ends), and a biennial one its
year in the fourth quarter's return unless the year before has a figure (then this is its off
year, as the reports judge it).
An indicator reported in arrears (``reporting_lag``) owes, for each of those periods, the period
a report for it shows (:mod:`pmlib.rating.lags`): with a lag of ``1 quarter`` the Q2 return asks
for Q1, and a monthly indicator ``2 months`` in arrears owes May, June and July in Q2's return.
Every figure in a quarter's return is due by the return's deadline, counted from the quarter's
end (:mod:`pmlib.returns.lateness` judges lateness the same way). An indicator is asked for only
in the quarters it is in the library (``valid_from``/``valid_to``, as a report for the quarter
includes it), and only for periods within its span: validation warns about a figure for a
period wholly outside it (:mod:`pmlib.data.library_span`), so the return does not ask for one.
Each row carries what the officer needs to judge the figure (definition, unit, target, the last
eight periods, the same period last year) and the narrative is asked for once per indicator, on
its last row (the narrative is kept per quarter, or per year for an annual indicator).

Off target, for the return, is the simple rule the workbook can show live: the value is on the
wrong side of the target that applies to its own period (or outside a band). A year target only
judges a month or quarter when the indicator's figures are rates or snapshots (``mean``,
``ratio``, ``last``); a part of a year's total is never "below" the year's target.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from pmlib.core.errors import ParameterError
from pmlib.core.model import Dataset
from pmlib.core.periods import Period, parse_quarter, try_parse_period
from pmlib.rating.lags import due_periods as lagged_periods
from pmlib.rating.lags import lag_months
from pmlib.rating.targets import targets_at
from pmlib.returns.config import due_date

#: How many earlier periods a row shows.
HISTORY = 8
#: Aggregations whose month or quarter figure is comparable with the year's target.
COMPARABLE = ("mean", "ratio", "last")


def quarter_of(text: object, dataset: Dataset) -> Period:
    """The return's quarter (``2026/27 Q2``), refusing anything else with the form to use."""
    return parse_quarter(text, dataset.council.fy_start_month)


def due_periods(frequency: str, quarter: Period) -> list[Period]:
    """The periods an indicator of ``frequency`` owes in ``quarter``'s return.

    >>> q = Period("quarter", 2026, 3)
    >>> [p.label for p in due_periods("monthly", q)], [p.label for p in due_periods("annual", q)]
    (['2026-10', '2026-11', '2026-12'], [])
    >>> [p.label for p in due_periods("six-monthly", Period("quarter", 2026, 2))]
    ['2026/27 H1']
    >>> due_periods("six-monthly", q)
    []
    """
    if frequency == "monthly":
        return quarter.months()
    if frequency == "quarterly":
        return [quarter]
    if frequency == "six-monthly" and quarter.index in (2, 4):
        return [Period("half", quarter.fy, quarter.index // 2, quarter.start_month)]
    if frequency in ("annual", "biennial") and quarter.index == 4:
        return [quarter.year()]
    return []


def _text(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def _valid_in(indicator: pd.Series, quarter: Period) -> bool:
    """Whether the indicator is in the library during ``quarter`` (``valid_from``/``valid_to``,
    period labels, when the library has them; blank = open)."""
    start = quarter.start_month
    first = try_parse_period(_text(indicator.get("valid_from")), start)
    last = try_parse_period(_text(indicator.get("valid_to")), start)
    if first is not None and first.ordinal - len(first.months()) + 1 > quarter.ordinal:
        return False
    return not (last is not None and last.ordinal < quarter.ordinal - 2)


def _in_span(indicator: pd.Series, period: Period) -> bool:
    """Whether ``period`` is not wholly outside the indicator's ``valid_from``/``valid_to``
    (the rule validation warns by, :mod:`pmlib.data.library_span`)."""
    start = period.start_month
    first = try_parse_period(_text(indicator.get("valid_from")), start)
    last = try_parse_period(_text(indicator.get("valid_to")), start)
    if first is not None and period.end_date < first.start_date:
        return False
    return not (last is not None and period.start_date > last.end_date)


def group_name(indicator: pd.Series, group_by: str) -> str:
    """Who returns an indicator's figures: its owner (or data collector), else its collector,
    else "Unassigned" (so no indicator is left out of every workbook)."""
    for column in (group_by, "data_collector", "owner"):
        name = _text(indicator.get(column))
        if name:
            return name
    return "Unassigned"


def off_target(
    value: float, target: float, lower: float, upper: float, polarity: str, comparable: bool
) -> bool:
    """True when a returned value is on the wrong side of its target (the workbook's rule).

    >>> off_target(48.0, 50.0, math.nan, math.nan, "higher", True)
    True
    >>> off_target(12.0, math.nan, 10.0, 15.0, "band", True)
    False
    >>> off_target(48.0, 50.0, math.nan, math.nan, "higher", False)
    False
    """
    if not comparable or value is None or math.isnan(value):
        return False
    if polarity == "band":
        return (not math.isnan(lower) and value < lower) or (
            not math.isnan(upper) and value > upper
        )
    if math.isnan(target):
        return False
    if polarity == "higher":
        return value < target
    if polarity == "lower":
        return value > target
    return False


def return_rows(
    dataset: Dataset, quarter: Period, group_by: str = "owner", owners: list[str] | None = None
) -> pd.DataFrame:
    """One row per figure due in ``quarter``'s return, in workbook order.

    Columns: ``group``, the indicator's library fields, ``period`` (label), ``period_end``,
    ``due`` (date), ``narrative_period``, ``narrative_row`` (the indicator's last row, where
    its narrative is asked for), ``target``/``lower``/``upper``/``target_period``,
    ``comparable``, ``history`` (list of (label, value), oldest first), ``last_year`` (value or
    NaN) and ``last_year_period``.
    """
    if quarter.kind != "quarter":
        raise ParameterError(f"{quarter.label} is not a quarter. Fix: use e.g. '2026/27 Q2'.")
    ind = dataset.indicators
    act = dataset.actuals
    by_id = {i: g for i, g in act.groupby("indicator_id", sort=False)}
    # reporting_lag read as the reports read it, and each owed period moved as a report moves it
    months = lag_months(ind)
    moved: dict[Period, dict[int, Period]] = {}
    records = []
    for (_, row), lag in zip(ind.iterrows(), months, strict=True):  # dozens of rows, not data
        periods = due_periods(str(row["frequency"]), quarter)
        if not periods:
            continue
        if lag > 0:
            for p in periods:
                if p not in moved:
                    moved[p] = lagged_periods(p, np.unique(months))
            periods = [moved[p][int(lag)] for p in periods]
        if not _valid_in(row, quarter):
            continue
        periods = [p for p in periods if _in_span(row, p)]
        if not periods:
            continue
        own_deadline = _text(row.get("submission_deadline")) or None  # a column that may be absent
        group = group_name(row, group_by)
        if owners and group not in owners:
            continue
        own = by_id.get(row["id"])
        earlier = pd.DataFrame()
        if own is not None:
            kind = periods[0].kind
            earlier = own[(own["period_kind"] == kind) & (own["ordinal"] < periods[0].ordinal)]
            earlier = earlier.sort_values("ordinal").tail(HISTORY)
        history = [
            (str(p), float(v))
            for p, v in zip(earlier.get("period", []), earlier.get("value", []), strict=False)
        ]
        values = {} if own is None else dict(zip(own["period"], own["value"], strict=True))
        if row["frequency"] == "biennial" and periods[0].last_year().label in values:
            continue  # last year had the outturn: this is the off year
        for n, period in enumerate(periods):
            last = period.last_year()
            records.append(
                {
                    "group": group,
                    "indicator_id": row["id"],
                    "name": _text(row["name"]),
                    "definition": _text(row.get("definition")),
                    "kind": row["kind"],
                    "unit": row["unit"],
                    "decimals": int(row["decimals"]) if pd.notna(row["decimals"]) else 0,
                    "polarity": row["polarity"],
                    "frequency": row["frequency"],
                    "aggregation": row["aggregation"],
                    "data_collector": _text(row.get("data_collector")),
                    "data_reviewer": _text(row.get("data_reviewer")),
                    "owner": _text(row.get("owner")),
                    "head_of_service": _text(row.get("head_of_service")),
                    "period": period.label,
                    "period_obj": period,
                    "period_end": period.end_date,
                    # the return is quarterly: every figure in it is due after the quarter ends
                    "due": due_date(dataset.council, quarter.end_date, own_deadline),
                    "narrative_period": period.label if period.kind == "year" else quarter.label,
                    "narrative_row": n == len(periods) - 1,
                    "history": history,
                    "last_year": float(values.get(last.label, math.nan)),
                    "last_year_period": last.label,
                }
            )
    rows = pd.DataFrame.from_records(records)
    if rows.empty:
        return rows
    rows = rows.sort_values(["group", "indicator_id", "period_end"], kind="stable")
    rows = rows.reset_index(drop=True)
    targets = []
    for _label, part in rows.groupby("period", sort=False):
        found = targets_at(dataset.targets, part["indicator_id"], part["period_obj"].iloc[0])
        found.index = part.index
        targets.append(found)
    rows = rows.join(pd.concat(targets)[["target", "lower", "upper", "target_period"]])
    own_period = rows["target_period"].eq(rows["period"])
    rows["comparable"] = (
        rows["kind"].isin(["KPI", "PI"])
        & rows["polarity"].ne("none")
        & (own_period | rows["aggregation"].isin(COMPARABLE))
    )
    return rows.drop(columns="period_obj")


def workbook_deadline(rows: pd.DataFrame) -> dt.date:
    """A workbook is due when its earliest figure is due."""
    return min(rows["due"])
