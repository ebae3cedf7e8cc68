"""Validation of the sign-off trail (warnings, not errors): approvals by someone other than the
collector, figures submitted after the deadline, definitions not reviewed in a year.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from pmlib.core.errors import Problem, Problems
from pmlib.core.model import Council
from pmlib.core.periods import PeriodColumn
from pmlib.core.workdays import deadline_after, parse_deadline
from pmlib.data.checks import _mask, _problems_for_rows
from pmlib.data.lags import Lag, lag_end, try_parse_lag


def _same_person(a: pd.Series, b: pd.Series) -> np.ndarray:
    """Where two columns of names agree, ignoring case and surrounding spaces.

    A million actuals name a handful of officers, so each distinct name is normalised once and
    the rows compare small integer codes.
    """
    codes_a, names_a = pd.factorize(a)
    codes_b, names_b = pd.factorize(b)
    names = pd.Series(list(names_a) + list(names_b), dtype="str").str.strip().str.lower()
    person, _ = pd.factorize(names)
    person_a, person_b = person[: len(names_a)], person[len(names_a) :]
    return (codes_a >= 0) & (codes_b >= 0) & (person_a[codes_a] == person_b[codes_b])


def _check_approvals(act: pd.DataFrame, file: str, council_deadline: int) -> Sequence[Problem]:
    status = act["status"]
    both = (act["approved_by"].notna() & act["collected_by"].notna()).to_numpy(dtype=bool) & _mask(
        status.eq("approved")
    )
    same = np.zeros(len(act), dtype=bool)
    if both.any():
        same[both] = _same_person(act["approved_by"][both], act["collected_by"][both])
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
    act: pd.DataFrame,
    periods: PeriodColumn,
    file: str,
    council: Council,
    ind: pd.DataFrame | None = None,
    positions: np.ndarray | None = None,
) -> Sequence[Problem]:
    """Data collected after its deadline (a warning), judged per indicator.

    The deadline is the indicator's ``submission_deadline`` or else the council's
    (``8 working days``: weekends and the council's bank holidays skipped, with
    :mod:`pmlib.core.workdays`; ``15 days``: calendar days). It counts from the period end, or,
    for an indicator reported in arrears (``reporting_lag``), from when the figure becomes due.
    Due dates are worked once per distinct (period, deadline, lag), not once per row.
    """
    has = act["collected_at"].notna().to_numpy(dtype=bool) & (periods.codes >= 0)
    if not has.any():
        return Problems()
    at = np.flatnonzero(has)
    n = len(act)
    own = np.full(n, "", dtype=object)
    lag_text = np.full(n, None, dtype=object)
    if ind is not None and positions is not None:
        found = positions >= 0
        for column, target in (("submission_deadline", own), ("reporting_lag", lag_text)):
            if column in ind:
                cells = ind[column].astype(object).where(ind[column].notna(), None).to_numpy()
                target[found] = cells[positions[found]]
    deadline = np.where(pd.isna(own) | (own == ""), council.deadline, own).astype(object)
    for text in set(deadline[at]):  # an unreadable cell is reported by the library checks
        try:
            parse_deadline(text)
        except ValueError:
            deadline[deadline == text] = council.deadline
    lag = pd.Series(lag_text).map(lambda t: (try_parse_lag(t) or Lag()).months).to_numpy()
    key = pd.DataFrame(
        {"p": periods.codes[at], "d": deadline[at], "l": lag[at]}, index=act.index[at]
    )
    combos = key.drop_duplicates()
    due_dates = {}
    for p, d, m in combos.itertuples(index=False):
        end = lag_end(periods.periods[p].end_date, Lag(months=int(m)))
        due_dates[(p, d, m)] = pd.Timestamp(deadline_after(end, d, council.bank_holidays))
    due = pd.Series([due_dates[k] for k in key.itertuples(index=False, name=None)], index=key.index)
    ends = pd.DatetimeIndex([pd.Timestamp(p.end_date) for p in periods.periods])
    end = pd.Series(ends.take(periods.codes[at]), index=act.index[at])
    collected = act["collected_at"].iloc[at]
    late = _mask(collected > due)  # as ever: after the start of the deadline day
    days = (collected - end).dt.days
    problems = Problems()
    for (d, m), group in key[late].groupby(["d", "l"], sort=False):
        rows = np.flatnonzero(act.index.isin(group.index))
        arrears = f", {Lag(months=int(m)).text}" if m else ""
        problems += Problems.at_rows(
            file,
            f"submitted late (more than {d} after the period ended{arrears})",
            "no action needed now; agree a date with the collector",
            act["_row"].to_numpy()[rows],
            [f"{int(x)} days after" for x in days.loc[act.index[rows]]],
            column="collected_at",
            severity="warning",
        )
    return problems


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
