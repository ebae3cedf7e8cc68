"""Reporting-cycle settings: submission deadlines, bank holidays and the cycles each committee
receives.

``council.yaml``::

    submission_deadline: 8 working days   # South Derbyshire: "within 8 working days of the
                                          # period end"; or "15 days" (calendar days)
    bank_holidays: england-and-wales      # or scotland, northern-ireland

The older ``submission_deadline_days: 15`` keeps working and means calendar days; giving both is
an error (which one would be meant?).

``committees.yaml``, per committee::

    cycles: [quarter, year]               # the default: quarterly reports and the annual one
    cycles: [month]                       # Dorset's monthly leadership reporting
    cycles: [half, year]                  # Dorset's six-monthly Cabinet reports

``pmlib run --month`` renders only the committees whose cycles include ``month`` (and so on for
``--quarter``, ``--half`` and ``--year``), saying which were skipped and why.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pmlib.core.errors import ParameterError, Problem
from pmlib.core.model import Committee
from pmlib.core.periods import Period, parse_period
from pmlib.core.workdays import DEFAULT_REGION, REGIONS, parse_deadline

__all__ = [
    "CYCLES",
    "DEFAULT_CYCLES",
    "committees_for_cycle",
    "parse_report_period",
    "read_bank_holidays",
    "read_cycles",
    "read_deadline",
]

#: The report cycles a committee can receive (a period kind each).
CYCLES = ("month", "quarter", "half", "year")
DEFAULT_CYCLES = ("quarter", "year")
_CYCLE_WORDS = {
    "monthly": "month",
    "quarterly": "quarter",
    "six-monthly": "half",
    "half-year": "half",
    "annual": "year",
    "annually": "year",
}


def read_deadline(f: str, raw: dict, problems: list[Problem]) -> tuple[int, str]:
    """(calendar days of the old setting, the deadline as written: "" when not given)."""
    days = raw.get("submission_deadline_days", 15)
    if not isinstance(days, int) or isinstance(days, bool) or days < 0:
        problems.append(
            Problem(
                f,
                "must be a whole number of days >= 0",
                "e.g. 15",
                column="submission_deadline_days",
                value=days,
            )
        )
        days = 15
    text = raw.get("submission_deadline")
    if text is None:
        return days, ""
    try:
        parse_deadline(text)
    except ValueError:
        problems.append(
            Problem(
                f,
                "is not a deadline pmlib can read",
                "write e.g. `submission_deadline: 8 working days` (or `15 days` for calendar days)",
                column="submission_deadline",
                value=text,
            )
        )
        return days, ""
    if "submission_deadline_days" in raw:
        problems.append(
            Problem(
                f,
                "both submission_deadline and submission_deadline_days are set",
                "keep submission_deadline (e.g. `8 working days`) and delete "
                "submission_deadline_days, which means calendar days",
                column="submission_deadline",
                value=text,
            )
        )
    return days, str(text).strip()


def read_bank_holidays(f: str, raw: dict, problems: list[Problem]) -> str:
    """The bank-holiday region working days skip (default England and Wales)."""
    region = raw.get("bank_holidays", DEFAULT_REGION)
    text = str(region).strip().lower().replace(" ", "-")
    if text not in REGIONS:
        problems.append(
            Problem(
                f,
                "is not a bank-holiday region pmlib knows",
                f"use one of {', '.join(REGIONS)}",
                column="bank_holidays",
                value=region,
            )
        )
        return DEFAULT_REGION
    return text


def read_cycles(f: str, where: str, value: Any, problems: list[Problem]) -> tuple[str, ...]:
    """A committee's ``cycles:`` list (default quarter and year: today's reports)."""
    if value is None:
        return DEFAULT_CYCLES
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items:
        problems.append(
            Problem(
                f,
                "expected a list of report cycles",
                f"write e.g. cycles: [quarter, year] using {', '.join(CYCLES)}",
                column=f"{where}.cycles",
                value=value,
            )
        )
        return DEFAULT_CYCLES
    out: list[str] = []
    for item in items:
        word = str(item).strip().lower()
        cycle = _CYCLE_WORDS.get(word, word)
        if cycle not in CYCLES:
            problems.append(
                Problem(
                    f,
                    "is not a report cycle",
                    f"use one or more of {', '.join(CYCLES)}",
                    column=f"{where}.cycles",
                    value=item,
                )
            )
            continue
        if cycle not in out:
            out.append(cycle)
    return tuple(out) or DEFAULT_CYCLES


_FLAG = {"month": "--month", "quarter": "--quarter", "half": "--half", "year": "--year"}
_EXAMPLE = {"month": "2026-09", "quarter": "2026/27 Q2", "half": "2026/27 H1", "year": "2025/26"}


def parse_report_period(text: object, kind: str, start_month: int = 4) -> Period:
    """The period of a ``pmlib run --<kind>``: refuses another kind, naming the flag to use.

    >>> parse_report_period("2026/27 H1", "half").label
    '2026/27 H1'
    >>> parse_report_period("2026/27 Q2", "half")
    Traceback (most recent call last):
    ...
    pmlib.core.errors.ParameterError: --half needs a half-year such as '2026/27 H1', got '2026/27 Q2': use --quarter '2026/27 Q2' for a quarter's reports.
    """
    if kind not in CYCLES:
        raise ParameterError(f"Unknown report cycle {kind!r}. Fix: use one of {', '.join(CYCLES)}.")
    words = {"half": "half-year", "year": "financial year"}.get(kind, kind)
    p = parse_period(text, start_month, what=words)
    if p.kind != kind:
        label = f"'{p.label}'" if " " in p.label else p.label
        raise ParameterError(
            f"{_FLAG[kind]} needs a {words} such as '{_EXAMPLE[kind]}', got {text!r}: use "
            f"{_FLAG[p.kind]} {label} for a {p.kind}'s reports."
        )
    return p


def committees_for_cycle(
    committees: Mapping[str, Committee], kind: str
) -> tuple[list[str], dict[str, str]]:
    """(the committees that receive ``kind`` reports, {skipped slug: why}).

    Raises :class:`ParameterError` when no committee receives them, naming the setting.
    """
    chosen = [s for s, c in committees.items() if kind in c.cycles]
    skipped = {
        s: f"receives {', '.join(c.cycles)} reports, not {kind} (cycles in committees.yaml)"
        for s, c in committees.items()
        if kind not in c.cycles
    }
    if not chosen:
        raise ParameterError(
            f"No committee receives {kind} reports. Fix: add `cycles: [{kind}]` (with its other "
            f"cycles, e.g. [{kind}, quarter, year]) to the committees in committees.yaml that "
            f"should, or name one with --committee."
        )
    return chosen, skipped
