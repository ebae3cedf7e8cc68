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

from typing import Any

from pmlib.core.errors import Problem
from pmlib.core.workdays import DEFAULT_REGION, REGIONS, parse_deadline

__all__ = ["CYCLES", "DEFAULT_CYCLES", "read_bank_holidays", "read_cycles", "read_deadline"]

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
