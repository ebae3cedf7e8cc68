"""Working days: deadlines the way council frameworks state them ("within 8 working days of the
period end"), skipping weekends and bank holidays.

Bank holidays come from the maintained ``holidays`` library rather than a hand-kept list, so
next year's dates (and one-off holidays such as a coronation) need no change here. Councils in
England and Wales share one calendar; Scotland and Northern Ireland differ, hence ``region``.
The day itself is the UK's (:func:`uk_today`): returns, audit times and date-times in the data
are judged by the council's clock, not the server's.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from zoneinfo import ZoneInfo

from pmlib.core.errors import ParameterError

#: Regions a council may name (``bank_holidays`` in council.yaml) -> the holidays library's
#: subdivision of the United Kingdom.
REGIONS = {
    "england-and-wales": "ENG",
    "scotland": "SCT",
    "northern-ireland": "NIR",
}
DEFAULT_REGION = "england-and-wales"

#: The councils' clock: a deadline is a day in the UK, wherever pmlib runs (a server on UTC is
#: an hour behind in summer, so "today" after 11 pm there is already tomorrow for the council).
UK = ZoneInfo("Europe/London")

_DEADLINE = re.compile(
    r"^\s*(?P<n>\d+)\s*(?P<unit>working days?|days?|calendar days?)?\s*$", re.IGNORECASE
)


@lru_cache(maxsize=64)
def _holidays_for(region: str, year: int) -> frozenset[dt.date]:
    import holidays  # imported here: `import pmlib` stays light

    try:
        subdiv = REGIONS[region]
    except KeyError:
        raise ParameterError(
            f"Unknown bank holiday region {region!r}. Fix: use one of {', '.join(REGIONS)}."
        ) from None
    return frozenset(holidays.UnitedKingdom(subdiv=subdiv, years=year))


def is_working_day(day: dt.date, region: str = DEFAULT_REGION) -> bool:
    """True for Monday to Friday when the day is not a bank holiday in ``region``.

    >>> is_working_day(dt.date(2026, 12, 25))  # Christmas Day, a Friday
    False
    >>> is_working_day(dt.date(2026, 12, 29))
    True
    """
    day = _as_date(day)
    return day.weekday() < 5 and day not in _holidays_for(region, day.year)


def add_working_days(start: dt.date, n: int, region: str = DEFAULT_REGION) -> dt.date:
    """The ``n``-th working day after ``start`` (``start`` itself never counts).

    "Within 8 working days of the period end" for a quarter ending Tuesday 30 June 2026 is
    Friday 10 July 2026; for one ending Thursday 31 December 2026 the Christmas and New Year
    bank holidays push it to Wednesday 13 January 2027.

    >>> add_working_days(dt.date(2026, 6, 30), 8)
    datetime.date(2026, 7, 10)
    >>> add_working_days(dt.date(2026, 12, 31), 8)
    datetime.date(2027, 1, 13)
    """
    if n < 0:
        raise ValueError("n must be 0 or more")
    day = _as_date(start)
    counted = 0
    while counted < n:
        day += dt.timedelta(days=1)
        if is_working_day(day, region):
            counted += 1
    return day


def working_days_between(start: dt.date, end: dt.date, region: str = DEFAULT_REGION) -> int:
    """Working days after ``start`` up to and including ``end`` (negative when ``end`` is
    earlier): how many working days late a return is, counted from its deadline.

    >>> working_days_between(dt.date(2026, 7, 10), dt.date(2026, 7, 14))
    2
    >>> working_days_between(dt.date(2026, 7, 14), dt.date(2026, 7, 10))
    -2
    """
    a, b = _as_date(start), _as_date(end)
    if b < a:
        return -working_days_between(b, a, region)
    count = 0
    day = a
    while day < b:
        day += dt.timedelta(days=1)
        if is_working_day(day, region):
            count += 1
    return count


def parse_deadline(text: object) -> tuple[int, str]:
    """Read a deadline as a council writes it: ``8 working days``, ``15 days``, or a bare number
    (calendar days, as the older ``submission_deadline_days`` setting meant).

    Returns ``(n, "working")`` or ``(n, "calendar")``; raises ``ValueError`` with the accepted
    forms when the text is not a deadline.

    >>> parse_deadline("8 working days")
    (8, 'working')
    >>> parse_deadline(15)
    (15, 'calendar')
    """
    if isinstance(text, bool):
        raise ValueError(f"{text!r} is not a deadline; write e.g. '8 working days' or '15 days'")
    if isinstance(text, int):
        if text < 0:
            raise ValueError(f"{text!r} is not a deadline; it must be 0 or more")
        return text, "calendar"
    m = _DEADLINE.match(str(text))
    if not m:
        raise ValueError(f"{text!r} is not a deadline; write e.g. '8 working days' or '15 days'")
    unit = (m["unit"] or "days").lower()
    return int(m["n"]), "working" if unit.startswith("working") else "calendar"


def deadline_after(period_end: dt.date, deadline: object, region: str = DEFAULT_REGION) -> dt.date:
    """The date a figure for a period ending ``period_end`` is due, from a deadline as
    :func:`parse_deadline` reads it.

    >>> deadline_after(dt.date(2026, 9, 30), "8 working days")
    datetime.date(2026, 10, 12)
    >>> deadline_after(dt.date(2026, 9, 30), 15)
    datetime.date(2026, 10, 15)
    """
    n, kind = parse_deadline(deadline)
    end = _as_date(period_end)
    if kind == "calendar":
        return end + dt.timedelta(days=n)
    return add_working_days(end, n, region)


def _as_date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if hasattr(value, "date"):  # pandas Timestamp
        return value.date()
    return dt.date.fromisoformat(str(value))


def uk_today(now: dt.datetime | None = None) -> dt.date:
    """Today in the UK (or the UK day of ``now``; a time without a zone is read as UTC): the
    day a return is judged on time or late by, and stamped with.

    >>> uk_today(dt.datetime(2026, 10, 15, 23, 30, tzinfo=dt.UTC))  # British Summer Time
    datetime.date(2026, 10, 16)
    >>> uk_today(dt.datetime(2026, 12, 15, 23, 30))  # GMT: the same day
    datetime.date(2026, 12, 15)
    """
    if now is None:
        return dt.datetime.now(UK).date()
    if now.tzinfo is None:
        now = now.replace(tzinfo=dt.UTC)
    return now.astimezone(UK).date()
