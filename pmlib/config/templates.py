"""The council's report templates as configuration: narrative headings and committee meetings.

Councils word the same report differently. Dorset asks its officers for a four-part narrative
(performance update, approach, future plans, issues); New Forest for three parts (the factors
behind poor performance, the remedial actions, when they will take effect); South Derbyshire's
exception template has two boxes ("Performance Overview - Quarterly Update" and "Actions to
improve performance"). ``narrative_headings`` in ``council.yaml`` maps pmlib's narrative columns
to the council's own headings, in the order the report shows them.

A committee report goes to a meeting, and councils put a cover report in front of it (the
meeting, the agenda item, the portfolio holder, who wrote it, whom to contact and what members
are asked to do). ``meetings`` under a committee in ``committees.yaml`` lists them; the report
for a period goes to the first meeting held once the period's data is due
(:func:`meeting_for`).

Every mistake is a :class:`~pmlib.core.errors.Problem` naming the file, key, value and fix, and
all are reported together with the rest of the parameters' problems.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from pmlib.core.errors import Problem
from pmlib.core.model import DEFAULT_NARRATIVE_HEADINGS

__all__ = [
    "MEETING_KEYS",
    "NARRATIVE_COLUMNS",
    "Meeting",
    "meeting_for",
    "read_meetings",
    "read_narrative_headings",
]

#: The narrative table's text columns a council may head (docs/data-format.md#narratives).
NARRATIVE_COLUMNS = tuple(c for c, _ in DEFAULT_NARRATIVE_HEADINGS)
#: The keys of one meeting in committees.yaml; only ``date`` is required.
MEETING_KEYS = (
    "date",
    "agenda_item",
    "lead_member",
    "report_author",
    "contact_officer",
    "recommendation",
)


@dataclass(frozen=True)
class Meeting:
    """One meeting a committee's report goes to, as its cover report names it."""

    date: dt.date
    agenda_item: str = ""
    lead_member: str = ""
    report_author: str = ""
    contact_officer: str = ""
    recommendation: str = ""


def read_narrative_headings(
    file: str, raw: Any, problems: list[Problem]
) -> tuple[tuple[str, str], ...]:
    """``narrative_headings:`` of council.yaml as ``((column, heading), ...)`` in its order.

    Missing: the default four headings (today's reports). A column not listed is neither shown
    nor required of the officer (the data-quality check for missing commentary reads only the
    listed columns).

    >>> problems = []
    >>> read_narrative_headings("council.yaml", {"performance_update": "Factors",
    ...     "approach": "Remedial actions"}, problems)
    (('performance_update', 'Factors'), ('approach', 'Remedial actions'))
    >>> read_narrative_headings("council.yaml", None, problems)[0]
    ('performance_update', 'Performance update')
    """
    if raw is None:
        return DEFAULT_NARRATIVE_HEADINGS
    example = (
        "e.g. narrative_headings: {performance_update: Performance update, approach: Approach}"
    )
    if not isinstance(raw, dict) or not raw:
        problems.append(
            Problem(
                file,
                "expected a mapping from narrative column to heading, in the order shown",
                example,
                column="narrative_headings",
                value=raw,
            )
        )
        return DEFAULT_NARRATIVE_HEADINGS
    out = []
    for column, heading in raw.items():
        where = f"narrative_headings.{column}"
        if column not in NARRATIVE_COLUMNS:
            problems.append(
                Problem(
                    file,
                    "is not a narrative column",
                    f"use one of {', '.join(NARRATIVE_COLUMNS)}",
                    column=where,
                    value=column,
                )
            )
            continue
        if not isinstance(heading, str) or not heading.strip():
            problems.append(
                Problem(
                    file,
                    "a heading must be some text",
                    f"write the heading the report shows, {example}",
                    column=where,
                    value=heading,
                )
            )
            continue
        out.append((str(column), heading.strip()))
    return tuple(out) if out else DEFAULT_NARRATIVE_HEADINGS


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def read_meetings(file: str, where: str, raw: Any, problems: list[Problem]) -> tuple[Meeting, ...]:
    """A committee's ``meetings:`` list as :class:`Meeting` records in date order.

    ``where`` names the committee in messages (``committees[2]``). Each meeting needs a
    ``date`` (YYYY-MM-DD); the other keys are optional text. Two meetings on one day are an
    error (which would a report go to?).
    """
    if raw is None:
        return ()
    if not isinstance(raw, list):
        problems.append(
            Problem(
                file,
                "expected a list of meetings",
                "write one meeting per line starting '- date: YYYY-MM-DD'",
                column=f"{where}.meetings",
                value=raw,
            )
        )
        return ()
    out: dict[dt.date, Meeting] = {}
    for i, item in enumerate(raw, start=1):
        at = f"{where}.meetings[{i}]"
        if not isinstance(item, dict):
            problems.append(
                Problem(
                    file,
                    "expected a meeting with a date and its cover details",
                    f"use the keys {', '.join(MEETING_KEYS)}",
                    column=at,
                    value=item,
                )
            )
            continue
        for key in sorted(set(item) - set(MEETING_KEYS), key=str):
            problems.append(
                Problem(
                    file,
                    "unknown key",
                    f"use one of {', '.join(MEETING_KEYS)}",
                    column=f"{at}.{key}",
                )
            )
        day = _date(item.get("date"))
        if day is None:
            problems.append(
                Problem(
                    file,
                    "a meeting needs its date",
                    "write date: YYYY-MM-DD, e.g. date: 2026-11-12",
                    column=f"{at}.date",
                    value=item.get("date"),
                )
            )
            continue
        texts = {}
        for key in MEETING_KEYS[1:]:
            value = item.get(key)
            if value is not None and not isinstance(value, str | int | float):
                problems.append(
                    Problem(
                        file,
                        "expected text",
                        "write the text on one line, or after '>-' on the lines below",
                        column=f"{at}.{key}",
                        value=value,
                    )
                )
                value = None
            texts[key] = "" if value is None else " ".join(str(value).split())
        if day in out:
            problems.append(
                Problem(
                    file,
                    "two meetings on the same day",
                    "list each meeting once",
                    column=f"{at}.date",
                    value=day.isoformat(),
                )
            )
            continue
        out[day] = Meeting(date=day, **texts)
    return tuple(out[d] for d in sorted(out))


def meeting_for(
    meetings: tuple[Meeting, ...], period_end: dt.date, *, data_due_days: int = 0
) -> Meeting | None:
    """The meeting a period's report goes to: the first held on or after the day its data is
    due (``data_due_days`` after ``period_end``); ``None`` when none is listed.

    A meeting held before the figures are due could not receive them, so it is skipped.

    >>> ms = (Meeting(dt.date(2026, 10, 8)), Meeting(dt.date(2026, 11, 12)))
    >>> meeting_for(ms, dt.date(2026, 9, 30), data_due_days=15).date
    datetime.date(2026, 11, 12)
    >>> meeting_for(ms, dt.date(2026, 9, 30)).date
    datetime.date(2026, 10, 8)
    >>> meeting_for(ms, dt.date(2026, 12, 31)) is None
    True
    """
    due = period_end + dt.timedelta(days=data_due_days)
    return next((m for m in meetings if m.date >= due), None)
