"""Data-quality findings from the audit trail, for a report's data-quality section.

Three things only the audit log knows: a figure changed after it was approved, a figure that
came in a late return, and a figure rejected by its reviewer and submitted again. The rows have
the columns of :func:`pmlib.data.quality.quality_findings` (``indicator_id, name, issue,
detail``) so a report can list them in the same table. No audit log: no findings.

A finding is about a figure, so it is listed where that figure is reported
(:func:`pmlib.returns.lateness.figure_periods`): for an indicator reported in arrears, a Q2
report shows its Q1 figure, and with it the Q1 figure's late return (made with the Q2 return),
its change after approval or its re-submission. Dates are UK days.
"""

from __future__ import annotations

import pandas as pd

from pmlib.core.model import Dataset
from pmlib.core.periods import Period, try_parse_period
from pmlib.core.sources import source_location
from pmlib.core.words import long_date
from pmlib.returns.audit import read_log
from pmlib.returns.lateness import figure_periods, reported_in, uk_day

COLUMNS = ["indicator_id", "name", "issue", "detail"]
CHANGED, LATE, RESUBMITTED = (
    "Changed after approval",
    "Returned late",
    "Rejected and re-submitted",
)


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
    late_imports: dict[tuple[str, str], str] = {}  # (at, sha) of a late import -> its note
    rejected: set[str] = set()
    for r in rows:
        if r["action"] == "import" and not r["key"] and "late" in r["note"]:
            late_imports[(r["at"], r["source_sha256"])] = r["note"].split("; late: ", 1)[-1]
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
            found[(r["key"], LATE)] = f"{label}: {late_imports[(r['at'], r['source_sha256'])]}"
    out = [
        (key.split("|")[0], names[key.split("|")[0]], issue, detail)
        for (key, issue), detail in found.items()
    ]
    return (
        pd.DataFrame(out, columns=COLUMNS)
        .sort_values(["indicator_id", "issue"])
        .reset_index(drop=True)
    )
