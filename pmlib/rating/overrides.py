"""A reviewer's rating in place of the computed one (``rag_override`` on an actuals row).

The rated frame keeps both: ``computed_rag`` is what the scheme gave, ``rag`` the rating that
stands (the override when there is one), with ``overridden``, ``override_reason`` and
``override_by``. Everything downstream — exceptions, counts, the scorecard — reads ``rag``, so
the council's judgement is what is reported, and the report shows the calculation beside it.

Which row's override applies to a rating: the reviewer judges the figure that *closes* the
period. An override on September's row stands for September and for Q2 (rolled up from
July-September); one on the Q2 row for Q2; one on the March row (or the Q4 row) for Q4 and for
the year; an annual indicator's year row for the year and for the Q4 report that shows its
outturn. A longer period's row never overrides a shorter one (the year's judgement is not
April's).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pmlib.core.periods import Period

__all__ = ["OVERRIDE_COLUMNS", "apply_overrides", "overrides_at"]

#: Columns :func:`apply_overrides` adds to a rated frame.
OVERRIDE_COLUMNS = ("computed_rag", "overridden", "override_reason", "override_by")
_MONTHS = {"month": 1, "quarter": 3, "year": 12}


def overrides_at(
    actuals: pd.DataFrame, ids: pd.Series, period: Period, on_year: np.ndarray
) -> pd.DataFrame:
    """The override (``rag_override``, ``override_reason``, ``override_by``) that applies to
    each indicator in ``ids`` rated at ``period``, aligned with ``ids`` (missing: none).

    ``on_year`` marks the indicators whose rating at a Q4 is their year's outturn (annual
    indicators), for which the year row's override applies.
    """
    cols = ["rag_override", "override_reason", "override_by"]
    empty = pd.DataFrame({c: pd.Series(pd.NA, index=ids.index, dtype="string") for c in cols})
    if "rag_override" not in actuals or not actuals["rag_override"].notna().any():
        return empty
    act = actuals[actuals["rag_override"].notna()]
    act = act[act["fy"].eq(period.fy) & act["ordinal"].eq(period.ordinal)]
    length = act["period_kind"].map(_MONTHS).astype("float64")
    year_ids = set(ids[np.asarray(on_year, dtype=bool)])
    fits = length.le(_MONTHS[period.kind]) | (
        act["period_kind"].eq("year") & act["indicator_id"].isin(year_ids)
    )
    act = act[fits.fillna(False).astype(bool)].assign(_len=length)
    act = act.sort_values("_len").drop_duplicates("indicator_id", keep="last")
    found = act.set_index("indicator_id")[cols]
    out = found.reindex(ids.to_numpy())
    out.index = ids.index
    return out.astype("string")


def apply_overrides(
    rated: pd.DataFrame, actuals: pd.DataFrame, period: Period, on_year: np.ndarray
) -> pd.DataFrame:
    """``rated`` (one row per indicator) with the reviewer's ratings applied: ``rag`` becomes
    the override where there is one, and :data:`OVERRIDE_COLUMNS` are added."""
    found = overrides_at(actuals, rated["indicator_id"], period, on_year)
    given = found["rag_override"].notna().to_numpy(dtype=bool)
    rag = rated["rag"].astype(object).to_numpy().copy()
    rag[given] = found["rag_override"].to_numpy(dtype=object)[given]
    return rated.assign(
        computed_rag=rated["rag"],
        rag=pd.Series(rag, index=rated.index, dtype=rated["rag"].dtype),
        overridden=given,
        override_reason=found["override_reason"].where(given),
        override_by=found["override_by"].where(given),
    )
