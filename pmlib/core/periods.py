"""UK financial-year periods: years, quarters and months.

Councils report on financial years (``2026/27``) split into quarters, Q1 being the first three
months of the year (April-June by default; the start month is configurable in ``council.yaml``).
Monthly data uses calendar labels (``2026-09``). Every period in pmlib has one canonical label:

=========  ===============  ======================================
kind       canonical label  also accepted
=========  ===============  ======================================
year       ``2026/27``      ``2026-27``, ``2026/2027``, ``FY2026/27``
half       ``2026/27 H1``   ``2026-27 H1``, ``H1 2026/27``
quarter    ``2026/27 Q2``   ``2026-27 Q2``, ``Q2 2026/27``, ``2026/27Q2``
month      ``2026-09``      ``Sep 2026``, ``September 2026``, ``2026-09-01``
=========  ===============  ======================================

A half-year (H1 = the first six months of the financial year, Q1 and Q2) is what councils
report "six-monthly" or "bi-annually" (South Derbyshire's collection intervals; Dorset's
six-monthly Cabinet reports).

Anything else — a bare ``2026`` (calendar or financial year?), ``Q2 2026`` (which year does Q2
belong to?) — is rejected with a message listing these forms, because guessing would silently
shift a council's figures by a year.

>>> p = parse_period("Q2 2026-27")
>>> p.label, p.slug, p.previous().label, p.last_year().label
('2026/27 Q2', '2026-27-Q2', '2026/27 Q1', '2025/26 Q2')
>>> [m.label for m in p.months()]
['2026-07', '2026-08', '2026-09']
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pmlib.core.errors import PeriodError

ACCEPTED_FORMS = (
    "a financial year '2026/27', a quarter '2026/27 Q2' (or '2026-27 Q2', 'Q2 2026/27'), "
    "a month '2026-09' (or 'Sep 2026'), or a half-year '2026/27 H1'"
)

_MONTHS = {
    m.lower(): i
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for m in names
}

_FY = r"(?:FY\s*)?(?P<y1>\d{4})\s*[/-]\s*(?P<y2>\d{2}|\d{4})"
_RE_YEAR = re.compile(rf"^{_FY}$", re.I)
_RE_QTR_AFTER = re.compile(rf"^{_FY}\s*[-_ ]?\s*Q(?P<q>[1-4])$", re.I)
_RE_QTR_BEFORE = re.compile(rf"^Q(?P<q>[1-4])\s*[-_ ,]?\s*{_FY}$", re.I)
_RE_HALF_AFTER = re.compile(rf"^{_FY}\s*[-_ ]?\s*H(?P<h>[12])$", re.I)
_RE_HALF_BEFORE = re.compile(rf"^H(?P<h>[12])\s*[-_ ,]?\s*{_FY}$", re.I)
_RE_MONTH_ISO = re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})(?:-01)?(?:[ T]00:00:00)?$")
_RE_MONTH_NAME = re.compile(r"^(?P<mn>[A-Za-z]{3,9})[\s\-]+(?P<y>\d{4})$")

KINDS = ("month", "quarter", "half", "year")
#: Months in a period of each kind.
KIND_MONTHS = {"month": 1, "quarter": 3, "half": 6, "year": 12}


@dataclass(frozen=True)
class Period:
    """A financial year, quarter or month.

    ``fy`` is the calendar year in which the financial year starts (2026 for 2026/27).
    ``index`` is 0 for a year, 1-2 for a half, 1-4 for a quarter and 1-12 for a month (month 1 =
    the first month of the financial year). ``start_month`` is the calendar month the financial year starts in.
    """

    kind: str
    fy: int
    index: int = 0
    start_month: int = 4

    # -- labels ---------------------------------------------------------------------------------
    @property
    def fy_label(self) -> str:
        return f"{self.fy}/{(self.fy + 1) % 100:02d}"

    @property
    def label(self) -> str:
        """The canonical label, e.g. ``2026/27 Q2``."""
        if self.kind == "year":
            return self.fy_label
        if self.kind == "quarter":
            return f"{self.fy_label} Q{self.index}"
        if self.kind == "half":
            return f"{self.fy_label} H{self.index}"
        year, month = self.calendar_month
        return f"{year}-{month:02d}"

    @property
    def slug(self) -> str:
        """A file-system safe label, e.g. ``2026-27-Q2``."""
        return self.label.replace("/", "-").replace(" ", "-")

    def __str__(self) -> str:
        return self.label

    # -- structure ------------------------------------------------------------------------------
    @property
    def quarter(self) -> int | None:
        """The quarter (1-4) a quarter or month belongs to; ``None`` for a half or a year."""
        if self.kind == "quarter":
            return self.index
        if self.kind == "month":
            return (self.index - 1) // 3 + 1
        return None

    @property
    def half(self) -> int | None:
        """The half-year (1-2) a half, quarter or month belongs to; ``None`` for a year."""
        if self.kind == "year":
            return None
        return (self.months_elapsed - 1) // 6 + 1

    @property
    def calendar_month(self) -> tuple[int, int]:
        """(calendar year, calendar month) of a month period."""
        if self.kind != "month":
            raise ValueError(f"{self.label} is not a month")
        zero = self.start_month - 1 + self.index - 1
        return self.fy + zero // 12, zero % 12 + 1

    @property
    def months_elapsed(self) -> int:
        """Months of the financial year up to and including the end of this period."""
        if self.kind == "year":
            return 12
        return KIND_MONTHS[self.kind] * self.index

    @property
    def ordinal(self) -> int:
        """A sortable number: the financial-year month index of the period's last month."""
        return self.fy * 12 + self.months_elapsed

    def year(self) -> Period:
        return Period("year", self.fy, 0, self.start_month)

    def months(self) -> list[Period]:
        """The months a period covers, in order."""
        if self.kind == "month":
            return [self]
        size = KIND_MONTHS[self.kind]
        first = 1 if self.kind == "year" else size * (self.index - 1) + 1
        last = first + size - 1
        return [Period("month", self.fy, i, self.start_month) for i in range(first, last + 1)]

    def quarters(self) -> list[Period]:
        """The quarters of a year or half (or the quarter itself, or a month's quarter)."""
        if self.kind == "quarter":
            return [self]
        if self.kind == "month":
            return [Period("quarter", self.fy, self.quarter or 1, self.start_month)]
        first = 1 if self.kind == "year" else 2 * self.index - 1
        last = 4 if self.kind == "year" else first + 1
        return [Period("quarter", self.fy, q, self.start_month) for q in range(first, last + 1)]

    def containing(self, kind: str) -> Period:
        """The period of ``kind`` holding this period's last month (a half's or year's for a
        quarter; Q2's for September).

        >>> parse_period("2026-09").containing("half").label
        '2026/27 H1'
        """
        if kind == "year":
            return self.year()
        size = KIND_MONTHS[kind]
        return Period(kind, self.fy, (self.months_elapsed - 1) // size + 1, self.start_month)

    def previous(self) -> Period:
        """The period just before, of the same kind (Q1's previous is last year's Q4)."""
        if self.kind == "year":
            return Period("year", self.fy - 1, 0, self.start_month)
        n = 12 // KIND_MONTHS[self.kind]
        if self.index == 1:
            return Period(self.kind, self.fy - 1, n, self.start_month)
        return Period(self.kind, self.fy, self.index - 1, self.start_month)

    def last_year(self) -> Period:
        """The same period one year earlier."""
        return Period(self.kind, self.fy - 1, self.index, self.start_month)

    @property
    def start_date(self) -> dt.date:
        first = self.months()[0]
        y, m = first.calendar_month
        return dt.date(y, m, 1)

    @property
    def end_date(self) -> dt.date:
        last = self.months()[-1]
        y, m = last.calendar_month
        nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
        return nxt - dt.timedelta(days=1)

    def contains(self, other: Period) -> bool:
        """True if ``other`` lies within this period."""
        if other.fy != self.fy:
            return False
        if self.kind == "year":
            return True
        if KIND_MONTHS[other.kind] > KIND_MONTHS[self.kind]:
            return False
        first = self.months_elapsed - KIND_MONTHS[self.kind]
        return first < other.months_elapsed <= self.months_elapsed


def _fy_from(y1: str, y2: str) -> int | None:
    start = int(y1)
    end = int(y2)
    if len(y2) == 2:
        return start if (start + 1) % 100 == end else None
    return start if start + 1 == end else None


def try_parse_period(text: object, start_month: int = 4) -> Period | None:
    """Parse a period label; ``None`` if it is not one of the accepted forms."""
    if isinstance(text, Period):
        return text
    if isinstance(text, dt.datetime | dt.date | pd.Timestamp):
        return _month_period(text.year, text.month, start_month)
    if text is None or (isinstance(text, float) and text != text):
        return None
    s = str(text).strip()
    m = _RE_YEAR.match(s)
    if m:
        fy = _fy_from(m["y1"], m["y2"])
        iso = _RE_MONTH_ISO.match(s)
        if fy is not None and iso and 1 <= int(iso["m"]) <= 12:
            return None  # '2011-12': December 2011 or 2011/12? Refuse to guess.
        if fy is not None:
            return Period("year", fy, 0, start_month)
    m = _RE_QTR_AFTER.match(s) or _RE_QTR_BEFORE.match(s)
    if m:
        fy = _fy_from(m["y1"], m["y2"])
        return None if fy is None else Period("quarter", fy, int(m["q"]), start_month)
    m = _RE_HALF_AFTER.match(s) or _RE_HALF_BEFORE.match(s)
    if m:
        fy = _fy_from(m["y1"], m["y2"])
        return None if fy is None else Period("half", fy, int(m["h"]), start_month)
    m = _RE_MONTH_ISO.match(s)
    if m:
        month = int(m["m"])
        return _month_period(int(m["y"]), month, start_month) if 1 <= month <= 12 else None
    m = _RE_MONTH_NAME.match(s)
    if m and m["mn"].lower() in _MONTHS:
        return _month_period(int(m["y"]), _MONTHS[m["mn"].lower()], start_month)
    return None


def _month_period(year: int, month: int, start_month: int) -> Period:
    fy = year if month >= start_month else year - 1
    index = (month - start_month) % 12 + 1
    return Period("month", fy, index, start_month)


def parse_period(text: object, start_month: int = 4, *, what: str = "period") -> Period:
    """Parse a period label or raise :class:`PeriodError` showing the accepted forms.

    >>> parse_period("2026-09").quarter
    2
    >>> parse_period("2026")
    Traceback (most recent call last):
    ...
    pmlib.core.errors.PeriodError: '2026' is not a period pmlib can read unambiguously. Use a financial year '2026/27', a quarter '2026/27 Q2' (or '2026-27 Q2', 'Q2 2026/27'), a month '2026-09' (or 'Sep 2026'), or a half-year '2026/27 H1'.
    """
    period = try_parse_period(text, start_month)
    if period is None:
        raise PeriodError(
            f"{text!r} is not a {what} pmlib can read unambiguously. Use {ACCEPTED_FORMS}."
        )
    return period


def _parse_kind(text: object, start_month: int, kind: str, what: str, example) -> Period:
    """Parse a label that must be of one ``kind``; ``example(period)`` words a label of that
    kind in the same year for the message when it is another kind."""
    period = parse_period(text, start_month, what=what)
    if period.kind != kind:
        raise PeriodError(
            f"{text!r} is a {period.kind}, but a {what} such as '{example(period)}' is needed here."
        )
    return period


def parse_quarter(text: object, start_month: int = 4) -> Period:
    """Parse a label that must be a quarter (the unit of a committee report)."""
    return _parse_kind(text, start_month, "quarter", "quarter", lambda p: f"{p.fy_label} Q2")


def parse_half(text: object, start_month: int = 4) -> Period:
    """Parse a label that must be a half-year (``2026/27 H1``: the first six months)."""
    return _parse_kind(
        text, start_month, "half", "half-year", lambda p: f"{p.fy_label} H{p.half or 1}"
    )


def parse_month(text: object, start_month: int = 4) -> Period:
    """Parse a label that must be a month (``2026-09``)."""
    return _parse_kind(text, start_month, "month", "month", lambda p: f"{p.end_date:%Y-%m}")


def parse_year(text: object, start_month: int = 4) -> Period:
    """Parse a label that must be a financial year."""
    return _parse_kind(text, start_month, "year", "financial year", lambda p: p.fy_label)


def period_table(values: pd.Series, start_month: int = 4) -> pd.DataFrame:
    """Parse a column of period labels into structured columns, vectorised over unique values.

    Returns a frame aligned with ``values`` with columns ``period`` (canonical label),
    ``period_kind``, ``fy``, ``quarter`` (1-4; for months the quarter they fall in),
    ``month`` (financial-year month 1-12, months only) and ``ordinal``. Unreadable labels give
    missing values in every column, for the validator to report.

    Each distinct label is parsed once; the rows then take their label's results by code, so a
    million rows holding a few dozen labels cost a few dozen parses.
    """
    return parse_period_column(values, start_month).table


@dataclass(frozen=True)
class PeriodColumn:
    """A column of period labels parsed: :func:`period_table`'s frame, plus each row's code into
    the distinct periods it names (``-1``: blank or unreadable), for grouping rows by period
    without comparing a million labels again."""

    table: pd.DataFrame
    codes: np.ndarray
    periods: tuple[Period, ...]


def parse_period_column(values: pd.Series, start_month: int = 4) -> PeriodColumn:
    """:func:`period_table`, keeping the codes (see :class:`PeriodColumn`)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    n = len(uniques)
    label: list = [None] * (n + 1)  # the extra last entry is for blank cells (code -1)
    kind: list = [None] * (n + 1)
    fy: list = [None] * (n + 1)
    quarter: list = [None] * (n + 1)
    month: list = [None] * (n + 1)
    ordinal: list = [None] * (n + 1)
    canonical = np.full(n + 1, -1, dtype=np.intp)  # each distinct label's distinct period
    periods: list[Period] = []  # the distinct periods, in order of first appearance
    code_of: dict[str, int] = {}  # canonical label -> its index in periods
    for i, u in enumerate(np.asarray(uniques, dtype=object)):
        p = try_parse_period(u, start_month)
        if p is None:
            continue
        label[i], kind[i], fy[i], quarter[i], ordinal[i] = (
            p.label,
            p.kind,
            p.fy,
            p.quarter,
            p.ordinal,
        )
        month[i] = p.index if p.kind == "month" else None
        if p.label not in code_of:
            code_of[p.label] = len(periods)
            periods.append(p)
        canonical[i] = code_of[p.label]
    codes = np.where(codes < 0, n, codes)
    columns = {
        "period": pd.array(label, dtype="string"),
        "period_kind": pd.array(kind, dtype="string"),
        "fy": pd.array(fy, dtype="Int64"),
        "quarter": pd.array(quarter, dtype="Int64"),
        "month": pd.array(month, dtype="Int64"),
        "ordinal": pd.array(ordinal, dtype="Int64"),
    }
    taken = {k: v.take(codes) for k, v in columns.items()}
    table = pd.DataFrame(taken, index=values.index, copy=False)  # fresh arrays: no copy
    return PeriodColumn(table, canonical[codes], tuple(periods))


def in_library(valid_from: pd.Series, valid_to: pd.Series, period: Period) -> pd.Series:
    """True where an indicator was in the library during ``period``: its ``valid_from``
    period starts by the period's end and its ``valid_to`` period ends on or after its start
    (blank or unreadable cells: open-ended). Breckland agrees its KPIs annually, so a report for
    a past year shows the library as it was then.

    >>> s = pd.Series
    >>> in_library(s(["2026/27", None]), s([None, "2025/26"]), parse_period("2025/26 Q2")).tolist()
    [False, True]
    """

    def read(cells: pd.Series, keep) -> pd.Series:
        codes, uniques = pd.factorize(cells, use_na_sentinel=True)
        ok = [keep(try_parse_period(u, period.start_month)) for u in uniques] + [True]
        return pd.Series(np.array(ok, dtype=bool)[np.where(codes < 0, len(uniques), codes)])

    start, end = period.start_date, period.end_date
    a = read(valid_from, lambda p: p is None or p.start_date <= end)
    b = read(valid_to, lambda p: p is None or p.end_date >= start)
    return pd.Series((a & b).to_numpy(), index=valid_from.index)
