"""The indicator library's descriptive fields, as the rows the seed councils' templates ask for.

South Derbyshire's exception report (its framework's Appendix 1) sets an off-track indicator's
figures beside its definition, priority, baseline, last year's outturn and target and its
benchmark; its methodology statement (Appendix 2) records the purpose of the measure, the
formula or a worked example, the reporting lag, the head of service and the strategic lead.
Dorset's indicator library adds links to strategic risks and when the indicator was last
reviewed, and by whom. These functions turn an indicator's row of the library into those
(label, text) rows.

A field is shown only when the council fills it in (or, for columns another part of pmlib adds,
such as ``baseline`` and ``reporting_lag``, when the column exists at all), so a library without
these columns gives the same report as before. Every value is officer-typed text: the rows are
plain strings here and escaped by the table that shows them
(:func:`pmlib.present.tables.definition_table`).

>>> baseline_text({"baseline": 48.25, "baseline_period": "2022/23", "unit": "percent",
...                "decimals": 1})
'48.3% (2022/23)'
>>> reviewed_text({"last_reviewed": "2026-04-14", "reviewed_by": "Q. Dawson"})
'14 April 2026 by Q. Dawson'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from pmlib.core.words import long_date
from pmlib.present.text import MISSING, format_value

__all__ = [
    "baseline_text",
    "exception_context_rows",
    "filled",
    "lag_text",
    "methodology_extra_rows",
    "responsibility_rows",
    "reviewed_text",
]

Rows = list[tuple[str, str]]


def filled(row: Mapping[str, Any], column: str) -> str | None:
    """The cell as text, or ``None`` when the column is absent or the cell blank."""
    value = row.get(column)
    if value is None or value is pd.NA:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    text = str(value).strip()
    return text or None


def _decimals(row: Mapping[str, Any]) -> int:
    d = row.get("decimals")
    return 0 if filled(row, "decimals") is None else int(d)  # type: ignore[arg-type]


def baseline_text(row: Mapping[str, Any]) -> str | None:
    """``48.3% (2022/23)``: the baseline in the indicator's unit, with its period when given;
    ``None`` without a baseline (or without the column)."""
    if filled(row, "baseline") is None:
        return None
    try:  # a number once the column is typed; shown as typed otherwise
        value: object = float(row["baseline"])  # type: ignore[arg-type]
    except (TypeError, ValueError):
        value = None
    unit = str(row.get("unit") or "number")
    text = (
        format_value(value, unit, _decimals(row)) if value is not None else filled(row, "baseline")
    )
    period = filled(row, "baseline_period")
    return f"{text} ({period})" if period else text


def reviewed_text(row: Mapping[str, Any]) -> str:
    """When the definition was last reviewed, and by whom (Dorset's "last reviewed and by who").

    >>> reviewed_text({"reviewed_by": "Q. Dawson"}), reviewed_text({})
    ('Date not recorded, by Q. Dawson', '–')
    """
    when = row.get("last_reviewed")
    day = MISSING if filled(row, "last_reviewed") is None else long_date(when)
    who = filled(row, "reviewed_by")
    if who is None:
        return day
    return f"{day} by {who}" if day != MISSING else f"Date not recorded, by {who}"


def lag_text(value: object) -> str | None:
    """A reporting lag in words: ``1 quarter`` reads "1 quarter in arrears"; ``0`` says there
    is none. ``None`` when not given.

    >>> lag_text("1 quarter"), lag_text("0"), lag_text(None)
    ('1 quarter in arrears', 'None: reported for the period just ended', None)
    """
    text = filled({"v": value}, "v")
    if text is None:
        return None
    if text.lower() in ("0", "none", "0 months", "0 quarters"):
        return "None: reported for the period just ended"
    return f"{text} in arrears"


def responsibility_rows(row: Mapping[str, Any]) -> Rows:
    """Head of service and strategic lead, those that are filled in."""
    rows = [("Head of service", filled(row, "head_of_service"))]
    rows.append(("Strategic lead", filled(row, "strategic_lead")))
    return [(label, text) for label, text in rows if text]


def methodology_extra_rows(row: Mapping[str, Any]) -> dict[str, Rows]:
    """The methodology statement's rows beyond pmlib's original twelve, by where they go.

    ``after_definition``: purpose and formula (South Derbyshire's "Summary of measure" and
    "Summary of measurement"); ``after_frequency``: reporting lag and submission deadline;
    ``after_reviewer``: head of service and strategic lead; ``before_review``: baseline and
    linked risks. Each list holds only the fields filled in.
    """
    lag = lag_text(row.get("reporting_lag"))
    deadline = filled(row, "submission_deadline")
    out = {
        "after_definition": [
            ("Purpose", filled(row, "purpose")),
            ("Formula", filled(row, "formula")),
        ],
        "after_frequency": [
            ("Reporting lag", lag),
            ("Submission deadline", f"Within {deadline} of the period end" if deadline else None),
        ],
        "after_reviewer": responsibility_rows(row),
        "before_review": [
            ("Baseline", baseline_text(row)),
            ("Linked risks", filled(row, "risks")),
        ],
    }
    return {k: [(label, text) for label, text in v if text] for k, v in out.items()}  # type: ignore[misc]


def exception_context_rows(
    row: Mapping[str, Any],
    *,
    outturn: tuple[str, str, str] | None = None,
) -> dict[str, Rows]:
    """The context South Derbyshire's exception template sets beside the figures, by group.

    ``row`` is the indicator's library row; ``outturn`` is ``(year label, outturn text, target
    text)`` for the previous financial year, already formatted (the caller rates that year),
    or ``None``. ``figures``: baseline, last year's outturn and target (shown with the
    figures); ``context``: definition, priority, objective and linked risks; ``people``: head
    of service and strategic lead (shown after the owner). Each only when known.

    >>> rows = exception_context_rows({"definition": "Tonnes recycled.", "priority": "Greener",
    ...     "risks": "Weather"}, outturn=("2025/26", "49.0%", "50.0%"))
    >>> rows["figures"]
    [('2025/26 outturn', '49.0%'), ('2025/26 target', '50.0%')]
    >>> rows["context"], rows["people"]
    ([('Definition', 'Tonnes recycled.'), ('Priority', 'Greener'), ('Linked risks', 'Weather')], [])
    """
    figures: list[tuple[str, str | None]] = [("Baseline", baseline_text(row))]
    if outturn is not None:
        label, value, target = outturn
        if value != MISSING or target != MISSING:
            figures += [(f"{label} outturn", value), (f"{label} target", target)]
    context = [
        ("Definition", filled(row, "definition")),
        ("Priority", filled(row, "priority")),
        ("Objective", filled(row, "objective")),
        ("Linked risks", filled(row, "risks")),
    ]
    return {
        "figures": [(label, text) for label, text in figures if text],
        "context": [(label, text) for label, text in context if text],
        "people": responsibility_rows(row),
    }
