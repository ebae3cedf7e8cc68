"""Validation of the sign-off trail (warnings, not errors): approvals by someone other than the
collector, figures submitted after the deadline, definitions not reviewed in a year.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from pmlib.core.errors import Problem, Problems
from pmlib.core.periods import PeriodColumn
from pmlib.data.checks import _mask, _problems_for_rows


def _check_approvals(act: pd.DataFrame, file: str, council_deadline: int) -> Sequence[Problem]:
    status = act["status"]
    both = (act["approved_by"].notna() & act["collected_by"].notna()).to_numpy(dtype=bool) & _mask(
        status.eq("approved")
    )
    same = np.zeros(len(act), dtype=bool)
    if both.any():
        who = act.loc[both, ["approved_by", "collected_by"]]
        same[both] = _mask(
            who["approved_by"]
            .str.strip()
            .str.lower()
            .eq(who["collected_by"].str.strip().str.lower())
        )
    problems = _problems_for_rows(
        act,
        same,
        file,
        "approved_by",
        "approved by the same person who collected it",
        "the data reviewer must be a different officer from the "
        "collector: have it approved by the indicator's data_reviewer",
    )
    no_approver = _mask(status.eq("approved")) & act["approved_by"].isna().to_numpy(dtype=bool)
    problems += _problems_for_rows(
        act,
        no_approver,
        file,
        "approved_by",
        "is approved but does not say who approved it",
        "fill in approved_by with the data reviewer who approved it, or set status to "
        "submitted until it is approved",
    )
    unapproved = _mask(status.eq("draft")) | _mask(status.eq("submitted"))
    problems += _problems_for_rows(
        act,
        unapproved,
        file,
        "status",
        "is not yet approved",
        "have the data reviewer approve it before publication",
        severity="warning",
        values=status,
    )
    missing = act["value"].isna() & (act["numerator"].isna() | act["denominator"].isna())
    problems += _problems_for_rows(
        act,
        missing,
        file,
        "value",
        "the value is missing",
        "supply the figure, or the report will show 'No data'",
        severity="warning",
        values=act["period"],
    )
    return problems


def _check_late(
    act: pd.DataFrame, periods: PeriodColumn, file: str, deadline_days: int
) -> Sequence[Problem]:
    """Data collected more than the deadline after its period ended (a warning)."""
    has = act["collected_at"].notna().to_numpy(dtype=bool) & (periods.codes >= 0)
    if not has.any():
        return Problems()
    at = np.flatnonzero(has)
    ends = pd.DatetimeIndex([pd.Timestamp(p.end_date) for p in periods.periods])
    end = pd.Series(ends.take(periods.codes[at]), index=act.index[at])
    collected = act["collected_at"].iloc[at]
    late = end.notna() & (collected > end + pd.Timedelta(days=deadline_days))
    days = (collected - end).dt.days
    late = _mask(late)
    return Problems.at_rows(
        file,
        f"submitted late (more than {deadline_days} days after the period ended)",
        "no action needed now; agree a date with the collector",
        act["_row"].to_numpy()[at[late]],
        [f"{int(d)} days after" for d in days[late]],
        column="collected_at",
        severity="warning",
    )


def _check_reviews(ind: pd.DataFrame, file: str, today: dt.date) -> Sequence[Problem]:
    stale = ind["last_reviewed"].notna() & (
        ind["last_reviewed"] < pd.Timestamp(today) - pd.DateOffset(months=12)
    )
    never = ind["last_reviewed"].isna()
    return _problems_for_rows(
        ind,
        stale,
        file,
        "last_reviewed",
        "definition not reviewed in the last 12 months",
        "review the methodology statement and update last_reviewed",
        severity="warning",
    ) + _problems_for_rows(
        ind,
        never,
        file,
        "last_reviewed",
        "definition has no review date",
        "record when the methodology statement was last reviewed",
        severity="warning",
    )
