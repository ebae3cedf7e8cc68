"""Internal-audit actions (e.g. SWAP's agreed actions): open, overdue and revised-date counts.

Dorset reports "a summary of open actions following ... internal audits", including
"compliance (i.e. overdue or not)". An action is **open** unless complete or cancelled; it is
**overdue** when open and its due date (the revised date when agreed) is on or before the end of
the period; it has a **revised date** when ``revised_due`` is set and differs from ``due``
(auditors watch for deadlines moved more than once, so the count is shown beside the overdue
one).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from pmlib.core.periods import Period

__all__ = ["CLOSED_AUDIT", "audit_counts", "rate_audit_actions"]

#: Statuses that close an audit action.
CLOSED_AUDIT = ("complete", "cancelled")


def rate_audit_actions(
    audit: pd.DataFrame, period: Period, *, as_of: dt.date | None = None
) -> pd.DataFrame:
    """Each audit action with ``effective_due``, ``open``, ``overdue``, ``revised`` and
    ``days_overdue`` (at ``as_of``, default the period's last day): a new frame."""
    end = pd.Timestamp(as_of or period.end_date)
    out = audit.copy()
    due = out["revised_due"].fillna(out["due"])
    out["effective_due"] = due
    out["open"] = ~out["status"].isin(CLOSED_AUDIT).to_numpy(dtype=bool)
    out["overdue"] = out["open"] & (due <= end).fillna(False).to_numpy(dtype=bool)
    revised = out["revised_due"].notna() & out["revised_due"].ne(out["due"])
    out["revised"] = revised.to_numpy(dtype=bool)
    days = (end - due).dt.days
    out["days_overdue"] = days.where(out["overdue"]).astype("Int64")
    return out.reset_index(drop=True)


def audit_counts(rated: pd.DataFrame) -> pd.DataFrame:
    """Open, overdue and revised-date counts by priority (priority 1 first; a blank priority
    last, as "Not set"), with a total row."""
    open_ = rated[rated["open"]]
    key = open_["priority"].astype("Int64").astype(object).where(open_["priority"].notna(), None)
    label = key.map(lambda p: "Not set" if p is None else f"Priority {p}")
    order = key.map(lambda p: 99 if p is None else int(p))
    frame = pd.DataFrame(
        {
            "Priority": label,
            "order": order,
            "Open": 1,
            "Overdue": open_["overdue"].astype(int),
            "Revised date": open_["revised"].astype(int),
        }
    )
    counts = frame.groupby(["order", "Priority"]).sum().reset_index().drop(columns="order")
    total = pd.DataFrame(
        [{"Priority": "Total", **{c: int(counts[c].sum()) for c in counts.columns[1:]}}]
    )
    return pd.concat([counts, total], ignore_index=True)
