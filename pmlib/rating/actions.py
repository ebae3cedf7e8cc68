"""Key actions (Council Plan actions, projects, milestones): RAG from status and dates.

The rule, applied at the end of the reporting period (``as_of``), in this order:

1. **Overdue** — the action's due date (its ``revised_due`` when it has one) is on or before
   the end of the period and its status is not a *closed* one (complete, cancelled): rated
   ``overdue_rag`` (Red). By the time a committee reads about the period, that day has passed.
2. **Late start** — still "not started" although its ``start`` date has been reached:
   ``late_start_rag`` (Amber).
3. Otherwise the status's own rating (``status_rag``): on track Green, at risk Amber, off track
   Red, complete Green, cancelled Grey, deferred Amber, and "not started" Grey — **not yet
   due**, as South Derbyshire shows projects whose outcome is not yet known in Grey (and counts
   them as on target).

The status for a period is the one in that period's update (``action_updates``; for a year, the
latest update in the year) when it gives one, else the action's own ``status``; the same for
``percent_complete``. Every threshold is a
setting (:class:`pmlib.core.plan.ActionRules`, council.yaml ``actions:``).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from pmlib.core.periods import Period
from pmlib.core.plan import ActionRules
from pmlib.core.words import long_date

__all__ = ["ACTION_RAG_ORDER", "next_period", "rate_actions", "status_counts", "within"]

#: Ratings in the order an actions table lists them (worst first).
ACTION_RAG_ORDER = ("Red", "Amber", "Green", "Grey")


def next_period(period: Period) -> Period:
    """The period after ``period``, of the same kind (Q4's next is next year's Q1).

    >>> from pmlib.core.periods import parse_period
    >>> next_period(parse_period("2026/27 Q4")).label, next_period(parse_period("2026/27")).label
    ('2027/28 Q1', '2027/28')
    """
    if period.kind == "year":
        return Period("year", period.fy + 1, 0, period.start_month)
    n = 4 if period.kind == "quarter" else 12
    if period.index == n:
        return Period(period.kind, period.fy + 1, 1, period.start_month)
    return Period(period.kind, period.fy, period.index + 1, period.start_month)


#: Months each kind of period spans (a period's updates are those whose period ends inside it).
SPAN = {"month": 1, "quarter": 3, "half": 6, "year": 12}


def within(frame: pd.DataFrame, period: Period) -> pd.Series:
    """Rows whose period ends inside ``period``: its own label, and for a year its quarters
    and months (a year report reads the latest quarterly update of the year)."""
    ordinal = frame["ordinal"].astype("Float64")
    start = period.ordinal - SPAN.get(period.kind, 3)
    return ((ordinal > start) & (ordinal <= period.ordinal)).fillna(False).astype(bool)


def _this_period(updates: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Each action's latest update within ``period`` (for a quarter, its own update)."""
    cols = ["action_id", "status", "percent_complete", "update", "author", "updated_at"]
    mine = updates[within(updates, period)].sort_values("ordinal")
    return mine[cols].drop_duplicates("action_id", keep="last").set_index("action_id")


def rate_actions(
    actions: pd.DataFrame,
    updates: pd.DataFrame,
    period: Period,
    rules: ActionRules | None = None,
    *,
    as_of: dt.date | None = None,
) -> pd.DataFrame:
    """Every action rated for ``period``: a new frame, one row per action, inputs untouched.

    Adds ``effective_due`` (revised date, else due), ``status`` / ``percent_complete`` (this
    period's update, else the action's), ``update``, ``author``, ``updated_at``, ``has_update``,
    ``overdue``, ``late_start``, ``due_this_period``, ``due_next_period``, ``rag`` and
    ``rag_reason`` (a sentence). ``as_of`` defaults to the period's last day.
    """
    rules = rules or ActionRules()
    end = pd.Timestamp(as_of or period.end_date)
    out = actions.copy()
    upd = _this_period(updates, period).reindex(out["id"])
    has_update = upd["update"].notna().to_numpy() | upd["status"].notna().to_numpy()
    status = upd["status"].astype(object).where(upd["status"].notna(), None).to_numpy()
    out["status"] = np.where(pd.isna(status), out["status"].astype(object), status)
    pct = upd["percent_complete"].to_numpy(dtype=float)
    out["percent_complete"] = np.where(np.isnan(pct), out["percent_complete"], pct)
    for col in ("update", "author", "updated_at"):
        out[col] = upd[col].to_numpy()
    out["has_update"] = has_update
    due = out["revised_due"].fillna(out["due"])
    out["effective_due"] = due
    closed = out["status"].isin(rules.closed).to_numpy()
    overdue = ~closed & (due <= end).to_numpy(dtype=bool)
    late = (
        ~overdue
        & out["status"].eq("not started").to_numpy()
        & (out["start"] <= end).fillna(False).to_numpy(dtype=bool)
    )
    out["overdue"] = overdue
    out["late_start"] = late
    following = next_period(period)
    this_start, next_end = pd.Timestamp(period.start_date), pd.Timestamp(following.end_date)
    out["due_this_period"] = ((due >= this_start) & (due <= end)).to_numpy(dtype=bool)
    out["due_next_period"] = ((due > end) & (due <= next_end)).to_numpy(dtype=bool)
    by_status = out["status"].map(dict(rules.status_rag)).fillna("Grey").to_numpy(dtype=object)
    out["rag"] = np.select(
        [overdue, late], [rules.overdue_rag, rules.late_start_rag], default=by_status
    )
    out["rag_reason"] = [
        _reason(s, d, od, r, st, lt)
        for s, d, od, r, st, lt in zip(
            out["status"], due, overdue, out["revised_due"].notna(), out["start"], late, strict=True
        )
    ]
    return out.reset_index(drop=True)


def _reason(
    status: str, due: pd.Timestamp, overdue: bool, revised: bool, start: object, late: bool
) -> str:
    """Why the action has its rating, in a sentence a councillor can read."""
    when = long_date(due) if pd.notna(due) else "no date"
    dated = f"{'revised ' if revised else ''}due {when}"
    if overdue:
        return f"Overdue: {dated} and not complete (status: {status})."
    if late:
        return f"Not started although due to start {long_date(start)} ({dated})."
    if status == "not started":
        starts = f"starts {long_date(start)}, " if pd.notna(start) else ""
        return f"Not yet due: {starts}{dated}."
    if status == "complete":
        return "Complete."
    return f"{status[:1].upper()}{status[1:]}, {dated}."


def status_counts(rated: pd.DataFrame) -> dict[str, int]:
    """How many actions have each rating, worst first (zeros included)."""
    counts = rated["rag"].value_counts()
    return {rag: int(counts.get(rag, 0)) for rag in ACTION_RAG_ORDER}
