"""Which target row applies to each indicator at a period (month over quarter over year)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pmlib.core.frames import get_indexer
from pmlib.core.periods import Period
from pmlib.rating.rag import _floats

__all__ = ["targets_at"]

_TARGET_FIELDS = ("target", "intervention", "lower", "upper")


def targets_at(targets: pd.DataFrame, ids: pd.Series, period: Period) -> pd.DataFrame:
    """The target row that applies to each indicator at ``period``, aligned with ``ids``.

    The most specific row wins, as a whole: a month row over the quarter row over the half-year
    row over the year row.
    Rows with no ``target``, ``lower`` or ``upper`` are ignored (a blank placeholder never hides
    the year target). ``target_period``/``target_kind`` say which row was used.
    """
    t = targets
    fy = _floats(t["fy"])
    quarter, month = _floats(t["quarter"]), _floats(t["month"])
    is_month, is_quarter = ~np.isnan(month), np.isnan(month) & ~np.isnan(quarter)
    is_half = (
        t["period_kind"].eq("half").to_numpy(dtype=bool, na_value=False)
        if "period_kind" in t
        else np.zeros(len(t), dtype=bool)
    )
    is_year = np.isnan(quarter) & ~np.isnan(fy) & ~is_half
    # a half row's half, from its last month (ordinal counts months from the year start)
    half = (_floats(t["ordinal"]) - fy * 12 - 1) // 6 + 1 if "ordinal" in t else fy * np.nan
    match = (fy == period.fy) & (
        is_year
        | (is_half & (period.kind != "year") & (half == (period.half or 0)))
        | (is_quarter & (period.kind in ("quarter", "month")) & (quarter == (period.quarter or 0)))
        | (is_month & (period.kind == "month") & (month == period.index))
    )
    has = t[[c for c in ("target", "lower", "upper") if c in t]].notna().any(axis=1)
    match &= has.to_numpy(dtype=bool)
    rank = np.where(is_month, 3, np.where(is_quarter, 2, np.where(is_half, 1, 0)))[match]
    kinds = np.array(["year", "half", "quarter", "month"])
    chosen = t[match].assign(_rank=rank, target_kind=kinds[rank])
    chosen = chosen.sort_values("_rank", kind="stable")
    chosen = chosen.drop_duplicates("indicator_id", keep="last").set_index("indicator_id")
    where = get_indexer(chosen.index, ids)
    found = where >= 0
    out = {}
    for column in _TARGET_FIELDS:
        source = _floats(chosen[column]) if column in chosen else np.full(len(chosen), np.nan)
        out[column] = np.where(found, source[where] if len(chosen) else np.nan, np.nan)
    for column, source in (
        ("target_period", chosen["period"]),
        ("target_kind", chosen["target_kind"]),
    ):
        values = source.astype("str").to_numpy(dtype=object, na_value=None)
        out[column] = np.where(found, values[where] if len(chosen) else None, None)
    return pd.DataFrame(out)
