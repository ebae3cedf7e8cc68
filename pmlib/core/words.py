"""Words for positions and counts, shared by every layer that writes a sentence.

One wording for each idea, so that a scorecard cell and the exception section of the same report
agree: ordinals as figures (``2nd``), quartiles in words (``second quartile``), as GOV.UK style
writes ordinals up to ninth in words inside sentences. The benchmarking layer (positions) and
the presentation layer (fragments) both use these; they sit in ``core`` so both can.

>>> ordinal(1), ordinal(12), ordinal(22), ordinal(113)
('1st', '12th', '22nd', '113th')
>>> quartile_words(2), quartile_words(2, "none"), quartile_words(None)
('second quartile', 'second-highest quarter', '–')

Dates are written one way in every report, GOV.UK style: ``2 December 2026`` (no leading zero,
month in full), and a month's figure is named in words (``September 2026``, not ``2026-09``).

>>> long_date(dt.date(2026, 12, 2)), period_words("2026-09"), period_words("2026/27 Q2")
('2 December 2026', 'September 2026', '2026/27 Q2')
"""

from __future__ import annotations

import datetime as dt

from pmlib.core.periods import try_parse_period

_ORDINAL_SUFFIX = {1: "st", 2: "nd", 3: "rd"}

#: Quartile 1 is the best quarter of the peer group (rank 1 = best).
QUARTILE_WORDS = {
    1: "top quartile",
    2: "second quartile",
    3: "third quartile",
    4: "bottom quartile",
}
#: For a measure with no better direction, quartiles are by size (1 = the highest values).
SIZE_QUARTILE_WORDS = {
    1: "highest quarter",
    2: "second-highest quarter",
    3: "second-lowest quarter",
    4: "lowest quarter",
}


def ordinal(n: int) -> str:
    """``1`` → ``1st``, ``12`` → ``12th``, ``22`` → ``22nd``."""
    n = int(n)
    suffix = "th" if 10 <= n % 100 <= 20 else _ORDINAL_SUFFIX.get(n % 10, "th")
    return f"{n}{suffix}"


def quartile_words(quartile: object, polarity: str = "higher") -> str:
    """The quartile in words (``top quartile``); by size when ``polarity`` is ``none``.

    Missing or out-of-range quartiles read as an en dash, the report's missing marker.
    """
    try:
        q = int(quartile)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return "–"
    words = SIZE_QUARTILE_WORDS if polarity == "none" else QUARTILE_WORDS
    return words.get(q, "–")


def long_date(value: object) -> str:
    """A date as every report writes it: ``2 December 2026``; the missing marker when missing.

    Accepts a ``date``, ``datetime``, pandas ``Timestamp`` or ISO text (``2026-12-02``); the
    time of day is dropped (use :func:`long_datetime` to keep it).
    """
    day = _as_date(value)
    return "–" if day is None else f"{day.day} {day:%B %Y}"


def long_datetime(value: object) -> str:
    """A moment in the report's date style: ``3 December 2026, 14:05``."""
    if isinstance(value, dt.datetime):
        return f"{long_date(value)}, {value:%H:%M}"
    return long_date(value)


def _as_date(value: object) -> dt.date | None:
    if value is None or isinstance(value, float) or str(value) in ("", "NaT", "nan", "<NA>"):
        return None
    if isinstance(value, dt.date):  # datetime and Timestamp are dates too
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def period_words(label: object) -> str:
    """A period as a reader says it: a month label ``2026-09`` becomes ``September 2026``;
    quarters and years keep their labels (``2026/27 Q2``, ``2026/27``)."""
    text = str(label)
    period = try_parse_period(text)
    if period is None or period.kind != "month":
        return text
    year, month = period.calendar_month
    return f"{dt.date(year, month, 1):%B %Y}"
