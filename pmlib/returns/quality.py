"""Data-quality findings from the audit trail, for a report's data-quality section.

Three things only the audit log knows: a figure changed after it was approved, a figure that
came in a late return, and a figure rejected by its reviewer and submitted again. The rows have
the columns of :func:`pmlib.data.quality.quality_findings` (``indicator_id, name, issue,
detail``) so a report can list them in the same table. No audit log: no findings.
"""

from __future__ import annotations

import pandas as pd

from pmlib.core.model import Dataset
from pmlib.core.periods import Period, try_parse_period
from pmlib.core.sources import source_location
from pmlib.core.words import long_date
from pmlib.returns.audit import read_log

COLUMNS = ["indicator_id", "name", "issue", "detail"]
CHANGED, LATE, RESUBMITTED = (
    "Changed after approval",
    "Returned late",
    "Rejected and re-submitted",
)


def audit_findings(dataset: Dataset, period: Period) -> pd.DataFrame:
    """Findings for the dataset's indicators about figures within ``period``."""
    # a data folder's audit_log.csv, or a database's audit_log table
    folders = {source_location(p) for p in dataset.sources.values()}
    rows = [r for folder in folders for r in read_log(folder)]
    names = dataset.indicators.set_index("id")["name"]
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
        if ind not in names.index or p is None or not period.contains(p):
            continue
        when = long_date(r["at"][:10])
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
