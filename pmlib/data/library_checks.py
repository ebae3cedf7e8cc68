"""Checks on the indicator library's period columns: ``baseline_period``, ``reporting_lag``,
``submission_deadline``, ``valid_from`` and ``valid_to``.

Each column is text a council types ("2025/26", "1 quarter", "8 working days"), so each is
read once per distinct cell, and a cell that cannot be read is an error naming the forms that
can: a lag or library year silently ignored would put the wrong figure, or the wrong indicator,
in a committee's report.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from pmlib.core.errors import Problem, Problems
from pmlib.core.periods import ACCEPTED_FORMS, try_parse_period
from pmlib.core.workdays import parse_deadline
from pmlib.data.checks import _FREQ_KIND, _mask, _problems_for_rows
from pmlib.data.lags import LAG_FORMS, try_parse_lag

__all__ = ["check_library_periods"]


def _cells(ind: pd.DataFrame, column: str, read: Callable[[object], object]) -> pd.Series:
    """Each row's cell read by ``read`` (None when unreadable), reading each distinct cell once;
    blank cells give NA."""
    s = ind[column]
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    read_uniques = [read(u) for u in uniques] + [pd.NA]
    out = np.empty(len(read_uniques), dtype=object)
    out[:] = read_uniques
    return pd.Series(out[np.where(codes < 0, len(uniques), codes)], index=ind.index)


def _deadline(text: object) -> object:
    try:
        return parse_deadline(text)
    except ValueError:
        return None


def check_library_periods(ind: pd.DataFrame, file: str, start_month: int) -> Sequence[Problem]:
    """Every unreadable or inconsistent period cell of the indicators table."""
    problems = Problems()

    def period(text: object) -> object:
        return try_parse_period(text, start_month)

    base = _cells(ind, "baseline_period", period)
    problems += _problems_for_rows(
        ind,
        _mask(ind["baseline_period"].notna()) & base.isna().to_numpy(dtype=bool),
        file,
        "baseline_period",
        "is not a period pmlib can read",
        f"use {ACCEPTED_FORMS}",
    )
    freq_kind = ind["frequency"].map(_FREQ_KIND)
    base_kind = base.map(lambda p: getattr(p, "kind", None))
    wrong = base_kind.notna() & base_kind.ne("year") & freq_kind.notna()
    wrong &= base_kind.ne(freq_kind)
    problems += _problems_for_rows(
        ind,
        _mask(wrong),
        file,
        "baseline_period",
        "is not a period of this indicator's frequency",
        "give a period of the indicator's own frequency (a quarter for a quarterly "
        "indicator), or a financial year such as 2025/26",
    )
    lag = _cells(ind, "reporting_lag", try_parse_lag)
    problems += _problems_for_rows(
        ind,
        _mask(ind["reporting_lag"].notna()) & lag.isna().to_numpy(dtype=bool),
        file,
        "reporting_lag",
        "is not a reporting lag pmlib can read",
        f"write {LAG_FORMS} (blank for none)",
    )
    deadline = _cells(ind, "submission_deadline", _deadline)
    problems += _problems_for_rows(
        ind,
        _mask(ind["submission_deadline"].notna()) & deadline.isna().to_numpy(dtype=bool),
        file,
        "submission_deadline",
        "is not a deadline pmlib can read",
        "write e.g. '8 working days' or '15 days' (blank: the council's deadline)",
    )
    starts = {}
    for column in ("valid_from", "valid_to"):
        parsed = _cells(ind, column, period)
        starts[column] = parsed
        problems += _problems_for_rows(
            ind,
            _mask(ind[column].notna()) & parsed.isna().to_numpy(dtype=bool),
            file,
            column,
            "is not a period pmlib can read",
            f"use {ACCEPTED_FORMS}, e.g. the financial year 2026/27 (blank: open)",
        )
    order = np.array(
        [
            f is not None
            and f is not pd.NA
            and t is not None
            and t is not pd.NA
            and f.start_date > t.end_date
            for f, t in zip(starts["valid_from"], starts["valid_to"], strict=True)
        ],
        dtype=bool,
    )
    problems += _problems_for_rows(
        ind,
        _mask(order),
        file,
        "valid_to",
        "ends before valid_from starts",
        "swap the two periods, or correct the one mistyped",
    )
    return problems
