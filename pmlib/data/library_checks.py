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


def _cells(ind: pd.DataFrame, column: str, read: Callable[[object], object]) -> np.ndarray:
    """Each row's cell read by ``read`` (None when blank or unreadable), reading each distinct
    cell once; an object array aligned with ``ind``."""
    codes, uniques = pd.factorize(ind[column], use_na_sentinel=True)
    out = np.full(len(uniques) + 1, None, dtype=object)
    for i, u in enumerate(uniques):
        out[i] = read(u)  # one by one: a reading may itself be a tuple
    return out[np.where(codes < 0, len(uniques), codes)]


def _unread(ind: pd.DataFrame, column: str, cells: np.ndarray) -> np.ndarray:
    """Rows whose ``column`` holds text that ``_cells`` could not read."""
    return _mask(ind[column].notna()) & np.equal(cells, None)


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
        _unread(ind, "baseline_period", base),
        file,
        "baseline_period",
        "is not a period pmlib can read",
        f"use {ACCEPTED_FORMS}",
    )
    freq_kind = ind["frequency"].map(_FREQ_KIND).to_numpy(dtype=object, na_value=None)
    read = np.flatnonzero(np.not_equal(base, None))  # the few rows with a baseline period
    base_kind = np.array([p.kind for p in base[read]], dtype=object)
    wrong = np.zeros(len(ind), dtype=bool)
    wrong[read] = (
        (base_kind != "year") & np.not_equal(freq_kind[read], None) & (base_kind != freq_kind[read])
    )
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
        _unread(ind, "reporting_lag", lag),
        file,
        "reporting_lag",
        "is not a reporting lag pmlib can read",
        f"write {LAG_FORMS} (blank for none)",
    )
    deadline = _cells(ind, "submission_deadline", _deadline)
    problems += _problems_for_rows(
        ind,
        _unread(ind, "submission_deadline", deadline),
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
            _unread(ind, column, parsed),
            file,
            column,
            "is not a period pmlib can read",
            f"use {ACCEPTED_FORMS}, e.g. the financial year 2026/27 (blank: open)",
        )
    order = np.zeros(len(ind), dtype=bool)
    both = np.flatnonzero(
        np.not_equal(starts["valid_from"], None) & np.not_equal(starts["valid_to"], None)
    )
    order[both] = [
        f.start_date > t.end_date
        for f, t in zip(starts["valid_from"][both], starts["valid_to"][both], strict=True)
    ]
    problems += _problems_for_rows(
        ind,
        _mask(order),
        file,
        "valid_to",
        "ends before valid_from starts",
        "swap the two periods, or correct the one mistyped",
    )
    return problems
