"""Figures for periods when their indicator was not in the library (a warning, not an error).

An indicator's ``valid_from``/``valid_to`` say when it was in the library (Breckland agrees its
KPIs annually): a report for a period before ``valid_from`` or after ``valid_to`` leaves the
indicator out (:func:`pmlib.core.periods.in_library`), so no report shows its figure for that
period as that period's own (a month inside a quarter that overlaps the span still counts in the
quarter's figure, and earlier figures still feed Direction of Travel: docs/rating-rules.md). A
figure wholly outside the span is usually a mistyped period (``2024/25`` for ``2025/26``) or a
``valid_from`` set a year too late, and either way it silently drops out of the reports; so
validation names it. It is a warning, not an error: a council may load an indicator's history
from before it adopted it.

Vectorised over the actuals (a million rows in the benchmark): the library's bounds are parsed
once per indicator, the periods once per distinct period, and messages are built only for the
rows found, one message per indicator, period and bound.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pmlib.core.errors import Problems
from pmlib.core.periods import Period, PeriodColumn, try_parse_period

__all__ = ["check_actuals_in_library"]

_NAT = np.datetime64("NaT", "D")


def _bounds(cells: pd.Series, start_month: int, first: bool) -> tuple[np.ndarray, list]:
    """Each library row's bound as a date (a period's first day, or last day when not
    ``first``; NaT when blank or unreadable, reported by the library checks) and its period."""
    codes, uniques = pd.factorize(cells, use_na_sentinel=True)
    parsed: list[Period | None] = [try_parse_period(u, start_month) for u in uniques] + [None]
    dates = np.array(
        [_NAT if p is None else np.datetime64(p.start_date if first else p.end_date, "D")
         for p in parsed],
        dtype="datetime64[D]",
    )  # fmt: skip
    at = np.where(codes < 0, len(uniques), codes)
    return dates[at], [parsed[i] for i in at]


def check_actuals_in_library(
    typed: dict[str, pd.DataFrame],
    positions: dict[str, np.ndarray],
    periods: dict[str, PeriodColumn],
    sources: dict,
    ind: pd.DataFrame,
) -> Problems:
    """Warn for each actuals row whose period lies wholly before its indicator's
    ``valid_from`` period starts or after its ``valid_to`` period ends.

    Takes :func:`pmlib.data.validate.build_dataset`'s working tables as they are (typed frames,
    each row's indicator position and parsed periods, keyed by table name).
    """
    if not {"valid_from", "valid_to"} & set(ind.columns):
        return Problems()
    act, pos, col = typed["actuals"], positions["actuals"], periods["actuals"]
    if not len(act) or not col.periods:
        return Problems()
    start_month = col.periods[0].start_month
    none = pd.Series([None] * len(ind), index=ind.index, dtype=object)
    lo, lo_period = _bounds(ind.get("valid_from", none), start_month, True)
    hi, hi_period = _bounds(ind.get("valid_to", none), start_month, False)
    if np.isnat(lo).all() and np.isnat(hi).all():
        return Problems()
    p_start = np.array([np.datetime64(p.start_date, "D") for p in col.periods])
    p_end = np.array([np.datetime64(p.end_date, "D") for p in col.periods])
    known = (pos >= 0) & (col.codes >= 0)
    i, c = np.maximum(pos, 0), np.maximum(col.codes, 0)
    early = known & ~np.isnat(lo[i]) & (p_end[c] < lo[i])
    late = known & ~np.isnat(hi[i]) & (p_start[c] > hi[i])
    if not (early.any() or late.any()):
        return Problems()
    file = sources["actuals"].label
    rows = act["_row"].to_numpy()
    cells = act["period"].to_numpy(dtype=object)
    ids = ind["id"].to_numpy()
    parts: list[Problems] = []
    for found, bound, word, column in (
        (early, lo_period, "only from", "valid_from"),
        (late, hi_period, "only until", "valid_to"),
    ):
        at = np.flatnonzero(found)
        at = at[np.lexsort((col.codes[at], pos[at]))]  # by indicator, then period; rows in order
        key = pos[at].astype("int64") * (len(col.periods) + 1) + col.codes[at]
        cuts = np.flatnonzero(np.diff(key)) + 1
        for hit in np.split(at, cuts) if at.size else []:
            k, code = pos[hit[0]], col.codes[hit[0]]
            parts.append(
                Problems.at_rows(
                    file,
                    f"figure for {col.periods[code].label} but {ids[k]} is in the library "
                    f"{word} {bound[k].label}",
                    f"check the period or the indicator's {column}",
                    rows[hit],
                    cells[hit],
                    column="period",
                    severity="warning",
                )
            )
    return _joined(parts)


def _joined(parts: list[Problems]) -> Problems:
    """``sum(parts)`` in pairs: adding one at a time copies the list each time (quadratic when
    a whole year is typed against the wrong year for every indicator)."""
    if not parts:
        return Problems()
    while len(parts) > 1:
        parts = [sum(parts[i : i + 2], Problems()) for i in range(0, len(parts), 2)]
    return parts[0]
