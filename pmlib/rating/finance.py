"""Budget monitoring: forecast outturn against budget, variance and variance bands.

The variance is forecast outturn − budget, in the row's unit (£, £k or £m). For revenue and
capital a positive variance is an **overspend** (adverse) and a negative one an
**underspend** (for capital often slippage); for reserves, a forecast balance below the planned
one is adverse. A variance is **within tolerance** unless it is more than
``tolerance_percent`` of the budget or (``combine: or``; ``and`` needs both) more than
``tolerance_amount`` pounds — "more than 2% or £100k" by default
(:class:`pmlib.core.plan.FinanceRules`). Beyond tolerance, adverse is rated ``adverse_rag``
(Red) and favourable ``favourable_rag`` (Amber: a large underspend needs explaining too).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pmlib.core.periods import Period
from pmlib.core.plan import FinanceRules

__all__ = ["POUNDS", "finance_for_period", "rate_finance"]

#: Pounds in one of each money unit.
POUNDS = {"currency": 1.0, "currency_thousands": 1_000.0, "currency_millions": 1_000_000.0}


def finance_for_period(finance: pd.DataFrame, period: Period) -> pd.DataFrame:
    """The rows for ``period``; for a year with no year rows, its fourth quarter's (the
    outturn as reported at year end)."""
    rows = finance[finance["period"].eq(period.label)]
    if rows.empty and period.kind == "year":
        q4 = Period("quarter", period.fy, 4, period.start_month)
        rows = finance[finance["period"].eq(q4.label)]
    return rows


def rate_finance(
    finance: pd.DataFrame, period: Period, rules: FinanceRules | None = None
) -> pd.DataFrame:
    """The period's budget lines with ``variance``, ``variance_pct``, ``variance_pounds``,
    ``adverse``, ``band`` (Within tolerance | Overspend | Underspend | Below plan | Above
    plan) and ``rag``: a new frame, the input untouched."""
    rules = rules or FinanceRules()
    out = finance_for_period(finance, period).copy()
    out["unit"] = out["unit"].fillna(rules.unit)
    out["variance"] = out["forecast_outturn"] - out["budget"]
    budget = out["budget"].where(out["budget"].ne(0))
    out["variance_pct"] = 100 * out["variance"] / budget.abs()
    out["variance_pounds"] = out["variance"] * out["unit"].map(POUNDS).astype(float)
    reserves = out["line"].eq("reserves").to_numpy()
    var = out["variance"].to_numpy(dtype=float)
    out["adverse"] = np.where(reserves, var < 0, var > 0)
    by_pct = (out["variance_pct"].abs() > rules.tolerance_percent).to_numpy()
    by_amount = (out["variance_pounds"].abs() > rules.tolerance_amount).to_numpy()
    no_pct = out["variance_pct"].isna().to_numpy()  # a zero budget: only the amount applies
    by_pct = np.where(no_pct, by_amount, by_pct)
    beyond = (by_pct | by_amount) if rules.combine == "or" else (by_pct & by_amount)
    beyond &= var != 0
    adverse = out["adverse"].to_numpy(dtype=bool)
    over = np.where(reserves, "Below plan", "Overspend")
    under = np.where(reserves, "Above plan", "Underspend")
    out["band"] = np.where(~beyond, "Within tolerance", np.where(adverse, over, under))
    out["rag"] = np.where(
        ~beyond, "Green", np.where(adverse, rules.adverse_rag, rules.favourable_rag)
    )
    return out.reset_index(drop=True)
