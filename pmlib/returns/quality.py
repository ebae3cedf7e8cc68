"""Data-quality findings from the audit trail, for a report's data-quality section.

Three things only the audit log knows: a figure changed after it was approved, a figure that
came in a late return, and a figure rejected by its reviewer and submitted again. The rows have
the columns of :func:`pmlib.data.quality.quality_findings` (``indicator_id, name, issue,
detail``) so a report can list them in the same table. No audit log: no findings.

A finding is about a figure, so it is listed where that figure is reported
(:func:`pmlib.returns.lateness.figure_periods`): for an indicator reported in arrears, a Q2
report shows its Q1 figure, and with it the Q1 figure's late return (made with the Q2 return),
its change after approval or its re-submission. Dates are UK days. A figure is "Returned late"
by its own due date: a workbook is due by its earliest figure's, and a figure whose indicator
has a later ``submission_deadline`` of its own may have come in on time in a late workbook.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pandas as pd

from pmlib.core.model import Dataset
from pmlib.core.periods import Period, try_parse_period
from pmlib.core.sources import source_location
from pmlib.core.words import long_date
from pmlib.core.workdays import working_days_between
from pmlib.returns.audit import read_log
from pmlib.returns.config import due_date, region
from pmlib.returns.lateness import figure_periods, reported_in, uk_day

COLUMNS = ["indicator_id", "name", "issue", "detail"]
CHANGED, LATE, RESUBMITTED = (
    "Changed after approval",
    "Returned late",
    "Rejected and re-submitted",
)


#: The late part of an import's summary note (pmlib.returns.importer): the workbook's deadline
#: (its earliest figure's) and how many working days after it the return came in.
_LATE_NOTE = re.compile(r"; late: due (?P<due>\d{4}-\d{2}-\d{2}), (?P<by>\d+) working day")


def _own_due(dataset: Dataset) -> Callable[[str, str, dt.date, int], tuple[dt.date, int]]:
    """``(indicator, return quarter, workbook due, working days late) -> (the figure's own
    due date, working days late by it)``.

    A workbook is due when its earliest figure is (:func:`pmlib.returns.due.workbook_deadline`),
    and the import notes how late the workbook came in by that date; a figure whose indicator
    has a later ``submission_deadline`` of its own may still have been on time. Working days
    add up, so the figure is ``late - working days from the workbook's due date to its own``
    late, with no need to know the import's day.
    """
    council = dataset.council
    ind = dataset.indicators.set_index("id")
    own = ind.get("submission_deadline")
    cal = region(council)
    start = council.fy_start_month
    cache: dict[tuple[str, str, dt.date, int], tuple[dt.date, int]] = {}

    def judge(ind_id: str, quarter: str, due: dt.date, by: int) -> tuple[dt.date, int]:
        key = (ind_id, quarter, due, by)
        if key not in cache:
            q = try_parse_period(quarter, start)
            deadline = own.get(ind_id) if own is not None else None
            deadline = None if deadline is None or pd.isna(deadline) else str(deadline).strip()
            try:
                mine = due if q is None else due_date(council, q.end_date, deadline)
            except ValueError:  # an unreadable deadline: validation names it
                mine = due
            cache[key] = (mine, by - working_days_between(due, mine, cal))
        return cache[key]

    return judge


def audit_findings(dataset: Dataset, period: Period) -> pd.DataFrame:
    """Findings for the dataset's indicators about the figures a report for ``period`` shows
    (its own period's, or an earlier one's for an indicator reported in arrears)."""
    # a data folder's audit_log.csv, or a database's audit_log table
    folders = {source_location(p) for p in dataset.sources.values()}
    rows = [r for folder in folders for r in read_log(folder)]
    names = dataset.indicators.set_index("id")["name"]
    shown = figure_periods(dataset, period)
    start = dataset.council.fy_start_month
    found: dict[tuple[str, str], str] = {}
    late_imports: dict[tuple[str, str], tuple[dt.date, int, str]] = {}  # (at, sha) -> late
    rejected: set[str] = set()
    own_due = _own_due(dataset)
    for r in rows:
        late = _LATE_NOTE.search(r["note"]) if r["action"] == "import" and not r["key"] else None
        if late:
            due, by = dt.date.fromisoformat(late["due"]), int(late["by"])
            late_imports[(r["at"], r["source_sha256"])] = (due, by, r["period"])
        if not r["key"]:
            continue
        ind, _, label = r["key"].partition("|")
        p = try_parse_period(label, start)
        if ind not in shown or p is None or not reported_in(p, shown[ind]):
            continue
        when = long_date(uk_day(r["at"]))
        if r["action"] == "reject":
            rejected.add(r["key"])
        elif r["action"] == "import" and r["column"] == "status" and r["key"] in rejected:
            found[(r["key"], RESUBMITTED)] = f"{label}: re-submitted {when} after rejection"
            rejected.discard(r["key"])
        if r["action"] == "import" and r["note"] == "changed after approval":
            found.setdefault((r["key"], CHANGED), f"{label}: {r['column']} changed {when}")
        if r["action"] == "import" and (r["at"], r["source_sha256"]) in late_imports:
            due, by, quarter = late_imports[(r["at"], r["source_sha256"])]
            due, by = own_due(ind, quarter, due, by)
            if by > 0:
                found[(r["key"], LATE)] = (
                    f"{label}: due {due.isoformat()}, {by} working day(s) late"
                )
    out = [
        (key.split("|")[0], names[key.split("|")[0]], issue, detail)
        for (key, issue), detail in found.items()
    ]
    return (
        pd.DataFrame(out, columns=COLUMNS)
        .sort_values(["indicator_id", "issue"])
        .reset_index(drop=True)
    )
