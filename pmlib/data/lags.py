"""Reporting lags: how long after a period ends an indicator's figure becomes available, and so
which period a report can show for it.

Some figures arrive late by nature (a national dataset published a quarter after the period;
New Forest's KPIs are "no longer than a quarter in arrears"). A report for 2026/27 Q2 cannot
show such an indicator's Q2 figure: it shows the latest period *due* by the report's period
end, 2026/27 Q1, labelled as Q1, rather than "No data" every quarter.

A lag is written in the indicators table's ``reporting_lag`` column as a council would say it:

==================  =====================================================================
``0`` or blank      reported for the period itself (the default)
``1 quarter``       a quarter in arrears (also ``2 quarters``)
``2 months``        months in arrears (``1 month``)
``1 year``          a year in arrears (``6 months`` is the same as ``1 half``)
``8 working days``  a lag shorter than a month: the figure is for the period itself, due
                    that many (working) days after it ends — the same as a deadline
==================  =====================================================================

A report for a period of a given kind shows, for a lagged indicator, the latest period of that
kind that ended at least the lag before the report's period end. So a lag of ``2 months`` moves
a quarter report back one quarter (the Q2 figure is not due until late November), and a lag of
``1 quarter`` moves a month report back three months.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from pmlib.core.periods import KIND_MONTHS, Period

__all__ = ["Lag", "LAG_FORMS", "due_period", "parse_lag", "try_parse_lag"]

LAG_FORMS = "0, '1 quarter', '2 months', '1 year' or '8 working days'"

_UNIT_MONTHS = {"month": 1, "quarter": 3, "hal": 6, "year": 12}  # unit prefix -> months
_LAG = re.compile(
    r"^\s*(?P<n>\d+)\s*(?P<unit>months?|quarters?|halfs?|halves|half[- ]years?|years?|"
    r"working days?|calendar days?|days?)?\s*(?:in arrears)?\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Lag:
    """A reporting lag: whole ``months`` (0 for none), or ``days`` (working days when
    ``working``) for a lag shorter than a month, which moves no period."""

    months: int = 0
    days: int = 0
    working: bool = False

    @property
    def is_zero(self) -> bool:
        return self.months == 0 and self.days == 0

    @property
    def text(self) -> str:
        """The lag in words: ``one quarter in arrears``."""
        if self.months == 0:
            if self.days == 0:
                return "no lag"
            kind = "working day" if self.working else "day"
            return f"{self.days} {kind}{'s' if self.days != 1 else ''} after the period"
        for unit, size in (("year", 12), ("quarter", 3)):
            if self.months % size == 0:
                n = self.months // size
                return f"{_count(n)} {unit}{'s' if n != 1 else ''} in arrears"
        return f"{_count(self.months)} month{'s' if self.months != 1 else ''} in arrears"


def _count(n: int) -> str:
    return {1: "one", 2: "two", 3: "three", 4: "four"}.get(n, str(n))


def try_parse_lag(text: object) -> Lag | None:
    """Read a ``reporting_lag`` cell; ``None`` when it is not one of :data:`LAG_FORMS`.

    >>> try_parse_lag("1 quarter"), try_parse_lag("2 months").months, try_parse_lag("")
    (Lag(months=3, days=0, working=False), 2, Lag(months=0, days=0, working=False))
    >>> try_parse_lag("8 working days")
    Lag(months=0, days=8, working=True)
    >>> try_parse_lag("soon") is None
    True
    """
    if text is None or (isinstance(text, float) and text != text):
        return Lag()
    if isinstance(text, bool):
        return None
    if isinstance(text, int | float):
        return Lag() if text == 0 else None  # a bare number: only 0 is unambiguous
    s = str(text).strip()
    if s == "" or s.lower() in ("none", "no lag"):
        return Lag()
    m = _LAG.match(s)
    if not m:
        return None
    n = int(m["n"])
    unit = (m["unit"] or "").lower()
    if not unit:
        return Lag() if n == 0 else None
    if "day" in unit:
        return Lag(days=n, working=unit.startswith("working"))
    size = next(m for prefix, m in _UNIT_MONTHS.items() if unit.startswith(prefix))
    return Lag(months=n * size)


def parse_lag(text: object) -> Lag:
    """:func:`try_parse_lag`, raising ``ValueError`` naming the accepted forms."""
    lag = try_parse_lag(text)
    if lag is None:
        raise ValueError(f"{text!r} is not a reporting lag; write {LAG_FORMS}")
    return lag


def due_period(period: Period, lag: Lag) -> Period:
    """The latest period of ``period``'s kind whose figure is due by ``period``'s end.

    >>> from pmlib.core.periods import parse_period
    >>> due_period(parse_period("2026/27 Q2"), Lag(months=3)).label
    '2026/27 Q1'
    >>> due_period(parse_period("2026/27 Q2"), Lag(months=2)).label
    '2026/27 Q1'
    >>> due_period(parse_period("2026-09"), Lag(months=3)).label
    '2026-06'
    >>> due_period(parse_period("2026/27 H1"), Lag(days=8, working=True)).label
    '2026/27 H1'
    """
    if lag.months <= 0:
        return period
    size = KIND_MONTHS[period.kind]
    back = -(-lag.months // size)  # whole periods, rounded up: a part-period lag is not due yet
    due = period
    for _ in range(back):
        due = due.previous()
    return due


def lag_end(period_end: dt.date, lag: Lag) -> dt.date:
    """The day a lagged figure for a period ending ``period_end`` becomes available: the same
    day ``lag.months`` later (the month's last day when shorter), from which its submission
    deadline counts."""
    if lag.months <= 0:
        return period_end
    zero = period_end.year * 12 + period_end.month - 1 + lag.months
    year, month = divmod(zero, 12)
    nxt = dt.date(year + (month == 11), (month + 1) % 12 + 1, 1)
    last_day = (nxt - dt.timedelta(days=1)).day
    return dt.date(year, month + 1, min(period_end.day, last_day))
