"""``pmlib returns make``: one return workbook per owner for a quarter.

Workbooks go to ``<returns>/<quarter slug>/out/`` (``returns/2026-27-Q2/out/``); officers send
them back (or save them into ``in/``) and ``pmlib returns import`` reads them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pmlib.core.errors import ParameterError
from pmlib.core.model import Dataset
from pmlib.core.periods import Period
from pmlib.core.words import long_date
from pmlib.returns.config import (
    ReturnsSettings,
    council_deadline,
    deadline_words,
    narrative_headings,
)
from pmlib.returns.due import return_rows, workbook_deadline
from pmlib.returns.workbook import Fill, workbook_name, write_return

log = logging.getLogger(__name__)


def quarter_folder(returns_dir: Path, quarter: Period) -> Path:
    """``returns/2026-27-Q2``: where one quarter's workbooks, corrections and reminders live."""
    return Path(returns_dir) / quarter.slug


@dataclass(frozen=True)
class Made:
    """One workbook written."""

    group: str
    path: Path
    rows: int
    due: object


def instructions(
    dataset: Dataset, quarter: Period, group: str, rows: pd.DataFrame, settings: ReturnsSettings
) -> list[tuple[str, str]]:
    """The instructions sheet's lines: deadline, reviewers, how to fill in and return it."""
    deadline = council_deadline(dataset.council)
    reviewers = sorted({r for r in rows["data_reviewer"] if r})
    send = (
        f"e-mail it to {settings.return_to}"
        if settings.return_to
        else "send it to the performance team"
    )
    return [
        (
            "Deadline",
            f"{long_date(workbook_deadline(rows))}: {deadline_words(deadline)} after the end of "
            f"the period (each row's own date is in the 'Due by' column).",
        ),
        (
            "Reviewed by",
            (", ".join(reviewers) if reviewers else "the data reviewer named for each indicator")
            + ". Your reviewer checks and approves each figure before it is published; they "
            "must not be the person who collected it.",
        ),
        (
            "What to fill in",
            "On the 'Return' sheet, the yellow cells: the value (and the numerator and "
            "denominator where the indicator is a ratio), the status (submitted when it is "
            "ready for review, draft if not), and the narrative on each indicator's last row.",
        ),
        (
            "Narrative",
            "Required when a figure is off target: the 'On target?' column shows it as you type "
            "and empty narrative cells turn red. Keep each part to about 150 words.",
        ),
        (
            "Numbers",
            "Type plain numbers: percentages as 0-100 (94.1, not 0.941 or 94.1%), no thousands "
            "separators. Leave a cell blank if there is no figure; never type n/a.",
        ),
        (
            "How to return it",
            f"Keep the file name and do not add, delete or move rows. Save it and {send}. If "
            "anything is wrong you will get a correction workbook with the cells marked.",
        ),
        ("Quarter", quarter.label),
        ("Indicators", str(rows["indicator_id"].nunique())),
    ]


def make_returns(
    dataset: Dataset,
    quarter: Period,
    returns_dir: Path,
    settings: ReturnsSettings,
    *,
    owners: list[str] | None = None,
    out: Path | None = None,
) -> list[Made]:
    """Write the quarter's workbooks (all owners, or those named) and say what was written."""
    rows = return_rows(dataset, quarter, settings.group_by, owners)
    if rows.empty:
        known = sorted(return_rows(dataset, quarter, settings.group_by)["group"].unique())
        raise ParameterError(
            f"No figures are due from {', '.join(owners or [])} in {quarter.label}."
            + (f" Fix: use one of {', '.join(known)}." if owners else "")
        )
    folder = Path(out) if out else quarter_folder(returns_dir, quarter) / "out"
    headings = narrative_headings(dataset.council)
    made = []
    for group, part in rows.groupby("group", sort=True):
        path = folder / workbook_name(quarter.slug, str(group))
        write_return(
            path,
            part.reset_index(drop=True),
            council=dataset.council.name,
            quarter=quarter.label,
            group=str(group),
            headings=headings,
            instructions=instructions(dataset, quarter, str(group), part, settings),
            fill=prefill(dataset, part),
        )
        made.append(Made(str(group), path, len(part), workbook_deadline(part)))
        log.info("wrote %s (%d rows)", path, len(part))
    return made


def prefill(dataset: Dataset, rows: pd.DataFrame) -> Fill:
    """Figures already held for the quarter (a workbook re-made after a rejection shows them)."""
    from pmlib.returns.workbook import row_key

    fill = Fill()
    act = dataset.actuals.set_index(["indicator_id", "period"])
    nar = dataset.narratives.set_index(["indicator_id", "period"])
    headings = narrative_headings(dataset.council)
    for _, r in rows.iterrows():
        key = row_key(r["indicator_id"], r["period"])
        entry: dict[str, object] = {}
        if (r["indicator_id"], r["period"]) in act.index:
            held = act.loc[(r["indicator_id"], r["period"])]
            held = held.iloc[0] if isinstance(held, pd.DataFrame) else held
            for c in ("value", "numerator", "denominator"):
                entry[c] = None if pd.isna(held[c]) else float(held[c])
            entry["status"] = "submitted" if held["status"] == "approved" else held["status"]
        if r["narrative_row"] and (r["indicator_id"], r["narrative_period"]) in nar.index:
            held = nar.loc[(r["indicator_id"], r["narrative_period"])]
            held = held.iloc[0] if isinstance(held, pd.DataFrame) else held
            for k in headings:
                if k in held and pd.notna(held[k]):
                    entry[f"n:{k}"] = str(held[k])
        if entry:
            fill.entries[key] = entry
    return fill
