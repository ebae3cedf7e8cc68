"""Lateness of figures that came in a quarterly return: judged by the return, not the month.

Validation judges every figure against its own deadline: ``submission_deadline`` after the end
of its period (or after it becomes due, when it is reported in arrears). That is right for a
figure entered in the data folder as it arrives, but not for one collected through the
quarterly return: the return asks for a monthly indicator's three months together, all due by
the return's deadline after the *quarter* ends (:func:`pmlib.returns.due.return_rows`), so
October's figure returned on time in January is not late, though January is more than eight
working days after October. Left alone, every monthly figure but the quarter's last shows as
"Submitted late" in the reports' data-quality section.

A figure that came in a return is judged by the return: when it was imported after the
return's deadline the import says so in the audit log, and the data-quality section lists it as
"Returned late" with the return's due date (:mod:`pmlib.returns.quality`). So for those figures
validation's own "submitted late" warning is dropped; figures entered in the data folder by
other means keep it.

A finding about a figure follows the figure: it is shown in the report that shows that figure
(:func:`figure_periods`). An indicator reported in arrears (``reporting_lag``) has its Q1 figure
in the Q2 report (:mod:`pmlib.rating.lags`), so a Q1 figure returned late in the Q2 return is
"Returned late" in the Q2 report, where a reader sees it, and not in Q1's. The audit log's
times are UTC; the day a council means is the day in the UK (:func:`uk_day`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd

from pmlib.core.model import Dataset
from pmlib.core.periods import Period
from pmlib.core.sources import source_location
from pmlib.core.workdays import uk_today
from pmlib.data.lags import Lag, due_period
from pmlib.data.load import SOURCE_ROW
from pmlib.rating.lags import lag_months
from pmlib.returns.audit import read_log

__all__ = [
    "LATE_WARNING",
    "figure_periods",
    "judged_by_returns",
    "reported_in",
    "returned_keys",
    "uk_day",
]

#: The start of validation's lateness warning (pmlib.data.governance).
LATE_WARNING = "submitted late"


def returned_keys(dataset: Dataset) -> set[str]:
    """``indicator_id|period`` of every figure a return import wrote (from the audit log)."""
    folders = {source_location(s) for s in dataset.sources.values()}
    return {
        r["key"]
        for folder in folders
        for r in read_log(folder)
        if r["action"] == "import" and r["table"] == "actuals" and r["key"]
    }


def judged_by_returns(dataset: Dataset) -> Dataset:
    """``dataset`` without validation's "submitted late" warnings for figures that came in a
    return (see the module docstring); the same dataset when there are none."""
    late = [
        w
        for w in dataset.warnings
        if w.column == "collected_at"
        and w.row is not None
        and str(w.message).startswith(LATE_WARNING)
    ]
    act = dataset.actuals
    if not late or SOURCE_ROW not in act:
        return dataset
    keys = returned_keys(dataset)
    if not keys:
        return dataset
    key_of = pd.Series(
        (act["indicator_id"].astype(str) + "|" + act["period"].astype(str)).to_numpy(),
        index=act[SOURCE_ROW].to_numpy(),
    )
    key_of = key_of[~key_of.index.duplicated()]
    dropped = {id(w) for w in late if key_of.get(w.row) in keys}
    if not dropped:
        return dataset
    kept = tuple(w for w in dataset.warnings if id(w) not in dropped)
    return dataclasses.replace(dataset, warnings=kept)


def figure_periods(dataset: Dataset, period: Period) -> dict[str, Period]:
    """Indicator id -> the period whose figures a report for ``period`` shows for it: the
    report's own period, or for an indicator reported in arrears its latest due period
    (:func:`pmlib.data.lags.due_period`, as :func:`pmlib.rating.lags.with_lags` rates it).

    A Q2 report shows a ``1 quarter`` (or ``2 months``) lagged indicator's Q1 figures.
    """
    ind = dataset.indicators
    moved: dict[int, Period] = {}
    out = {}
    for ind_id, months in zip(ind["id"], lag_months(ind), strict=True):
        m = int(months)
        if m not in moved:
            moved[m] = due_period(period, Lag(months=m))
        out[str(ind_id)] = moved[m]
    return out


def reported_in(figure: Period, shown: Period) -> bool:
    """Whether a report showing ``shown`` for an indicator shows its figure for ``figure``:
    a figure within that period, or the year's outturn when ``shown`` is the year's last
    quarter or half (a Q4 report shows an annual indicator's outturn).

    >>> from pmlib.core.periods import parse_period as p
    >>> reported_in(p("2026-08"), p("2026/27 Q2")), reported_in(p("2026/27 Q1"), p("2026/27 Q2"))
    (True, False)
    >>> reported_in(p("2026/27"), p("2026/27 Q4")), reported_in(p("2026/27"), p("2026/27 Q3"))
    (True, False)
    """
    if shown.contains(figure):
        return True
    return (
        figure.kind == "year"
        and figure.fy == shown.fy
        and shown.kind in ("quarter", "half")
        and shown.months_elapsed == 12
    )


def uk_day(at: str) -> dt.date:
    """The UK day of an audit log time (``2026-10-15T23:30:00Z`` is 16 October in summer).

    >>> uk_day("2026-10-15T23:30:00Z"), uk_day("2026-12-15T23:30:00Z")
    (datetime.date(2026, 10, 16), datetime.date(2026, 12, 15))
    """
    text = at.strip()
    if len(text) <= 10:  # a bare date: already a day
        return dt.date.fromisoformat(text)
    return uk_today(dt.datetime.fromisoformat(text.replace("Z", "+00:00")))
