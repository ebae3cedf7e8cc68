"""Which target row applies to each indicator at a period (month over quarter over year)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pmlib.core.frames import get_indexer
from pmlib.core.periods import Period
from pmlib.rating.rag import _floats

__all__ = ["TargetTable", "targets_at"]

_TARGET_FIELDS = ("target", "intervention", "lower", "upper")
_KINDS = np.array(["year", "half", "quarter", "month"], dtype=object)


class TargetTable:
    """A targets table read once into arrays, for choosing rows at many periods.

    A rating reads the targets at each period it rates (the period, its year, its half):
    about 150 look-ups for one pack of committee reports. Each look-up is then a few numpy
    operations on these arrays, where filtering, sorting and de-duplicating the table with
    pandas took ~10 ms a call. The table is read when this is built: build it again after
    changing the frame.
    """

    def __init__(self, targets: pd.DataFrame) -> None:
        t = targets
        self.fy = _floats(t["fy"])
        self.quarter, self.month = _floats(t["quarter"]), _floats(t["month"])
        self.is_month = ~np.isnan(self.month)
        self.is_quarter = np.isnan(self.month) & ~np.isnan(self.quarter)
        self.is_half = (
            t["period_kind"].eq("half").to_numpy(dtype=bool, na_value=False)
            if "period_kind" in t
            else np.zeros(len(t), dtype=bool)
        )
        self.is_year = np.isnan(self.quarter) & ~np.isnan(self.fy) & ~self.is_half
        # a half row's half, from its last month (ordinal counts months from the year start)
        self.half = (
            (_floats(t["ordinal"]) - self.fy * 12 - 1) // 6 + 1
            if "ordinal" in t
            else self.fy * np.nan
        )
        # rows with no target, lower or upper never apply (a blank never hides the year's)
        has = t[[c for c in ("target", "lower", "upper") if c in t]].notna().any(axis=1)
        self.has = has.to_numpy(dtype=bool)
        self.rank = np.where(
            self.is_month, 3, np.where(self.is_quarter, 2, np.where(self.is_half, 1, 0))
        )
        self.codes, self.ids = pd.factorize(t["indicator_id"], use_na_sentinel=False)
        self.values = {
            c: _floats(t[c]) if c in t else np.full(len(t), np.nan) for c in _TARGET_FIELDS
        }
        self.period = t["period"].astype("str").to_numpy(dtype=object, na_value=None)
        self._aligned: tuple[object, np.ndarray] | None = None

    def _codes_of(self, ids: pd.Series) -> np.ndarray:
        """Each of ``ids``' code among the table's indicator ids (-1: none), kept for the
        last ids asked about (a rating asks with the same library's column every time)."""
        values = ids.array if isinstance(ids, pd.Series) else ids
        if self._aligned is None or self._aligned[0] is not values:
            self._aligned = (values, get_indexer(pd.Index(self.ids), ids))
        return self._aligned[1]

    def at(self, ids: pd.Series, period: Period) -> pd.DataFrame:
        """:func:`targets_at` of this table."""
        match = (self.fy == period.fy) & (
            self.is_year
            | (self.is_half & (period.kind != "year") & (self.half == (period.half or 0)))
            | (
                self.is_quarter
                & (period.kind in ("quarter", "month"))
                & (self.quarter == (period.quarter or 0))
            )
            | (self.is_month & (period.kind == "month") & (self.month == period.index))
        )
        match &= self.has
        rows = np.flatnonzero(match)
        # per indicator, the most specific matching row, the later of two equally specific
        key = self.rank[rows] * (len(self.fy) + 1) + rows
        best = np.full(len(self.ids), -1, dtype="int64")
        np.maximum.at(best, self.codes[rows], key)
        best = np.where(best >= 0, best % (len(self.fy) + 1), -1)
        code = self._codes_of(ids)
        where = np.where(code >= 0, best[code] if len(best) else -1, -1)
        found = where >= 0
        out: dict[str, np.ndarray] = {}
        for column in _TARGET_FIELDS:
            source = self.values[column]
            out[column] = np.where(found, source[where] if len(source) else np.nan, np.nan)
        for column, source in (
            ("target_period", self.period),
            ("target_kind", _KINDS[self.rank]),
        ):
            out[column] = np.where(found, source[where] if len(source) else None, None)
        return pd.DataFrame(out)


def targets_at(targets: pd.DataFrame, ids: pd.Series, period: Period) -> pd.DataFrame:
    """The target row that applies to each indicator at ``period``, aligned with ``ids``.

    The most specific row wins, as a whole: a month row over the quarter row over the half-year
    row over the year row.
    Rows with no ``target``, ``lower`` or ``upper`` are ignored (a blank placeholder never hides
    the year target). ``target_period``/``target_kind`` say which row was used. To look up
    many periods, build a :class:`TargetTable` once and call its ``at``.
    """
    return TargetTable(targets).at(ids, period)
