"""Ratings for indicators reported in arrears: a report shows their latest due period.

An indicator with a ``reporting_lag`` of ``1 quarter`` has no Q2 figure when the Q2 report is
written. Rather than "No data" every quarter, the report rates it on its latest due period
(:func:`pmlib.data.lags.due_period`, here Q1): value, target, rating, reason, Direction of
Travel (Q1 against the previous quarter and Q1 last year: like with like) and forecast all come
from that period. The row keeps the report's ``period`` and gains ``reported_period`` (the
period its figures are for) and ``lagged`` (True when that differs), and its reason says so:
"2026/27 Q1 figure, reported one quarter in arrears: 49.0% is ...".
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from pmlib.core.periods import Period
from pmlib.data.lags import Lag, due_period, try_parse_lag

__all__ = ["LAG_COLUMNS", "due_periods", "lag_months", "with_lags"]

#: The columns :func:`with_lags` adds to a rating.
LAG_COLUMNS = ("reported_period", "lagged")


def lag_months(indicators: pd.DataFrame) -> np.ndarray:
    """Each indicator's reporting lag in whole months (0: none, blank or under a month)."""
    if "reporting_lag" not in indicators:
        return np.zeros(len(indicators), dtype="int64")
    codes, uniques = pd.factorize(indicators["reporting_lag"], use_na_sentinel=True)
    months = [(try_parse_lag(u) or Lag()).months for u in uniques] + [0]
    return np.asarray(months, dtype="int64")[np.where(codes < 0, len(uniques), codes)]


def due_periods(period: Period, months: np.ndarray) -> dict[int, Period]:
    """The due period for each distinct non-zero lag (in months) at ``period``."""
    return {int(m): due_period(period, Lag(months=int(m))) for m in np.unique(months) if int(m) > 0}


def with_lags(
    rate_at: Callable[[Period], pd.DataFrame],
    period: Period,
    months: np.ndarray,
    rate_rows: Callable[[Period, np.ndarray], pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """``rate_at(period)`` with each lagged indicator's row rated at its due period instead.

    ``rate_at`` rates every indicator of the library (rows in library order) at a period;
    ``months`` is :func:`lag_months` of the same library. ``rate_rows(period, rows)``, when
    given, rates only the indicators at positions ``rows`` (one row each, in that order): an
    indicator's rating depends on nothing but its own figures, so a library with one lagged
    indicator then rates that one again at its due period, not the whole library. Without it,
    the whole library is rated once more per distinct lag.
    """
    out = rate_at(period)
    reported = (
        out["reported_period"].to_numpy(dtype=object).copy()
        if "reported_period" in out
        else np.full(len(out), period.label, dtype=object)
    )
    lagged = np.zeros(len(out), dtype=bool)
    for m, due in due_periods(period, months).items():
        if due == period:
            continue
        rows = np.flatnonzero(months == m)
        sub = rate_rows(due, rows) if rate_rows is not None else rate_at(due).iloc[rows]
        out = _replace_rows(out, rows, sub)
        reported[rows] = (
            sub["reported_period"].to_numpy() if "reported_period" in sub else due.label
        )
        lagged[rows] = True
        if "rag_reason" in out:
            lag = Lag(months=m).text
            reason = out["rag_reason"].astype(object).to_numpy(copy=True)
            reason[rows] = [f"{due.label} figure, reported {lag}: {t}" for t in reason[rows]]
            dtype = out["rag_reason"].dtype
            out = out.assign(
                rag_reason=pd.Series(reason, index=out.index, dtype=object).astype(dtype)
            )
    return out.assign(reported_period=pd.Series(reported, dtype="str"), lagged=lagged)


def _replace_rows(out: pd.DataFrame, rows: np.ndarray, sub: pd.DataFrame) -> pd.DataFrame:
    """``out`` with the rows at positions ``rows`` taken from ``sub`` (one row each, in that
    order), column by column in ``out``'s dtypes; the report's own period columns stay."""
    columns = {}
    for c in out.columns:
        if c in ("period", "period_end", "ordinal"):
            continue
        values = out[c].to_numpy(copy=True)
        values[rows] = sub[c].to_numpy()
        columns[c] = pd.Series(values, index=out.index, dtype=out[c].dtype)
    return out.assign(**columns)
