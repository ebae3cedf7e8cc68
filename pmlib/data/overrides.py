"""Validation of rating overrides: the reviewer's judgement recorded on an actuals row.

South Derbyshire's data reviewer "agree[s] if the indicator is on track or failing target";
Dorset's Amber is "slightly below target and/or needs some attention". Either may differ from
the arithmetic, so an actuals row may carry ``rag_override`` (Red, Amber, Green or Grey), with
``override_reason`` and ``override_by``. A judgement nobody can explain or own is not one: an
override without a reason, without who made it, or made by the figure's own collector (who
must not mark their own work) is an error naming the Excel row. A reason or name without an
override is a warning (it changes nothing).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from pmlib.core.errors import Problem, Problems
from pmlib.data.checks import _mask, _problems_for_rows

__all__ = ["check_overrides"]


def _same_person(a: pd.Series, b: pd.Series) -> np.ndarray:
    def norm(s: pd.Series) -> pd.Series:
        return s.astype("string").str.strip().str.lower().str.replace(r"\s+", " ", regex=True)

    return _mask(norm(a).eq(norm(b)))


def _overridden_by_collector(
    act: pd.DataFrame, signed: np.ndarray, by: pd.Series, collector: pd.Series | None
) -> np.ndarray:
    """Rows of ``signed`` (overridden, with a name) whose ``by`` is the figure's collector.

    Compared on those rows only: most actuals carry no override, and normalising a million
    names (strip, lower, collapse spaces) to compare none of them took ~0.1 s of a run.
    """
    same = np.zeros(len(act), dtype=bool)
    rows = np.flatnonzero(signed)
    if not rows.size:
        return same
    who = act["collected_by"].iloc[rows].astype("string")
    if collector is not None:
        mine = pd.Series(collector.to_numpy()[rows], index=who.index).astype("string")
        who = who.fillna(mine)
    same[rows] = _same_person(by.iloc[rows], who)
    return same


def check_overrides(
    act: pd.DataFrame, file: str, collector: pd.Series | None = None
) -> Sequence[Problem]:
    """Every problem with the override columns of the typed actuals table.

    ``collector`` is each row's indicator's ``data_collector`` (aligned with ``act``), used
    when the row's own ``collected_by`` is blank.
    """
    if "rag_override" not in act:
        return Problems()
    given = _mask(act["rag_override"].notna())
    if not given.any() and act["override_reason"].isna().all() and act["override_by"].isna().all():
        return Problems()
    reason = act["override_reason"].astype("string").str.strip().replace("", pd.NA)
    by = act["override_by"].astype("string").str.strip().replace("", pd.NA)
    problems = _problems_for_rows(
        act,
        given & _mask(reason.isna()),
        file,
        "override_reason",
        "a rating override needs its reason",
        "write why the reviewer's rating differs from the calculated one (the report shows it)",
        values=act["rag_override"],
    )
    problems += _problems_for_rows(
        act,
        given & _mask(by.isna()),
        file,
        "override_by",
        "a rating override must say who agreed it",
        "write the name of the data reviewer (or manager) who agreed the rating",
        values=act["rag_override"],
    )
    problems += _problems_for_rows(
        act,
        _overridden_by_collector(act, given & _mask(by.notna()), by, collector),
        file,
        "override_by",
        "the rating is overridden by the officer who collected the figure",
        "an override must be agreed by someone other than the data collector: have the "
        "indicator's data reviewer agree it",
    )
    problems += _problems_for_rows(
        act,
        ~given & _mask(reason.notna() | by.notna()),
        file,
        "rag_override",
        "override_reason or override_by is filled in but rag_override is blank, so the "
        "computed rating stands",
        "write the agreed rating (Red, Amber, Green or Grey) in rag_override, or clear the "
        "other two",
        severity="warning",
    )
    return problems
