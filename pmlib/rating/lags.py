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
    rate_at: Callable[[Period], pd.DataFrame], period: Period, months: np.ndarray
) -> pd.DataFrame:
    """``rate_at(period)`` with each lagged indicator's row rated at its due period instead.

    ``rate_at`` rates every indicator of the library (rows in library order) at a period;
    ``months`` is :func:`lag_months` of the same library. One extra rating per distinct lag.
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
        rows = months == m
        sub = rate_at(due)
        out = out.copy()
        at = out.index[rows]
        for c in out.columns:
            if c not in ("period", "period_end", "ordinal"):  # the report's own period stays
                out.loc[at, c] = sub.loc[at, c]
        reported[rows] = (
            sub["reported_period"].to_numpy()[rows] if "reported_period" in sub else due.label
        )
        lagged[rows] = True
        if "rag_reason" in out:
            lag = Lag(months=m).text
            reason = out["rag_reason"].astype(object)
            reason[rows] = [f"{due.label} figure, reported {lag}: {t}" for t in reason[rows]]
            out["rag_reason"] = reason.astype(out["rag_reason"].dtype)
    return out.assign(reported_period=pd.Series(reported, dtype="str"), lagged=lagged)
