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

The override rows are picked out of the actuals once per rating call (:class:`Overrides`); each
period rated then costs a few numpy operations on those rows alone, so rating history for
charts stays as fast as before.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pmlib.core.periods import Period

__all__ = ["OVERRIDE_COLUMNS", "Overrides", "apply_overrides", "overrides_at"]

#: Columns :func:`apply_overrides` adds to a rated frame.
OVERRIDE_COLUMNS = ("computed_rag", "overridden", "override_reason", "override_by")
_MONTHS = {"month": 1, "quarter": 3, "half": 6, "year": 12}


@dataclass(frozen=True)
class Overrides:
    """The actuals rows that carry an override, as arrays, for indicators ``0..n-1``.

    Rows are ordered shortest period first, so where two rows close the same period (a
    September row and a Q2 row) the longer one, assigned last, wins.
    """

    n: int
    pos: np.ndarray  # the indicator's position among the ids rated
    fy: np.ndarray
    ordinal: np.ndarray
    months: np.ndarray  # 1, 3 or 12: the length of the row's period
    rag: np.ndarray
    reason: np.ndarray
    by: np.ndarray

    @classmethod
    def from_actuals(cls, actuals: pd.DataFrame, ids: pd.Series) -> Overrides:
        """Pick the override rows of ``actuals`` for the indicators ``ids`` (in that order)."""
        given = (
            actuals["rag_override"].notna().to_numpy(dtype=bool)
            if "rag_override" in actuals
            else np.zeros(len(actuals), dtype=bool)
        )
        if not given.any():
            none = np.array([], dtype=object)
            empty = np.array([], dtype="int64")
            return cls(len(ids), empty, empty, empty, empty, none, none, none)
        cols = ["indicator_id", "period_kind", "fy", "ordinal", "rag_override"]
        cols += [c for c in ("override_reason", "override_by") if c in actuals]
        act = actuals[cols].iloc[np.flatnonzero(given)]  # the few override rows only
        months = act["period_kind"].map(_MONTHS).to_numpy(dtype="float64", na_value=np.nan)
        pos = pd.Index(ids).get_indexer(act["indicator_id"])
        keep = (pos >= 0) & ~np.isnan(months)
        order = np.argsort(months[keep], kind="stable")

        def arr(col: str, dtype: object = object) -> np.ndarray:
            return act[col].to_numpy(dtype=dtype, na_value=None)[keep][order]

        return cls(
            n=len(ids),
            pos=pos[keep][order],
            fy=act["fy"].to_numpy(dtype="float64", na_value=np.nan)[keep][order],
            ordinal=act["ordinal"].to_numpy(dtype="float64", na_value=np.nan)[keep][order],
            months=months[keep][order],
            rag=arr("rag_override"),
            reason=arr("override_reason") if "override_reason" in act else None,
            by=arr("override_by") if "override_by" in act else None,
        )

    def take(self, rows: np.ndarray) -> Overrides:
        """The overrides of the indicators at positions ``rows`` only, renumbered in that
        order (for re-rating a few indicators: :meth:`pmlib.rating.engine._Context.take`)."""
        new = np.full(self.n, -1, dtype="int64")
        new[rows] = np.arange(len(rows))
        pos = new[self.pos] if self.pos.size else self.pos
        keep = pos >= 0

        def part(values: np.ndarray | None) -> np.ndarray | None:
            return None if values is None else values[keep]

        return Overrides(
            len(rows),
            pos[keep],
            self.fy[keep],
            self.ordinal[keep],
            self.months[keep],
            self.rag[keep],
            part(self.reason),
            part(self.by),
        )

    def at(self, period: Period, on_year: np.ndarray) -> tuple[np.ndarray, ...]:
        """(rag, reason, by) for each indicator rated at ``period``; None where no override.

        ``on_year`` marks the indicators whose rating at a Q4 is their year's outturn (annual
        indicators), for which the year row's override applies.
        """
        out = tuple(np.full(self.n, None, dtype=object) for _ in range(3))
        if not self.pos.size:
            return out
        on_year = np.asarray(on_year, dtype=bool)
        fits = (self.months <= _MONTHS[period.kind]) | ((self.months == 12) & on_year[self.pos])
        hit = (self.fy == period.fy) & (self.ordinal == period.ordinal) & fits
        rows = self.pos[hit]
        for target, values in zip(out, (self.rag, self.reason, self.by), strict=True):
            if values is not None:
                target[rows] = values[hit]
        return out


def overrides_at(
    actuals: pd.DataFrame, ids: pd.Series, period: Period, on_year: np.ndarray
) -> pd.DataFrame:
    """The override (``rag_override``, ``override_reason``, ``override_by``) that applies to
    each indicator in ``ids`` rated at ``period``, aligned with ``ids`` (missing: none)."""
    rag, reason, by = Overrides.from_actuals(actuals, ids).at(period, on_year)
    frame = {"rag_override": rag, "override_reason": reason, "override_by": by}
    return pd.DataFrame(frame, index=ids.index).astype("string")


def apply_overrides(rated: pd.DataFrame, found: tuple[np.ndarray, ...]) -> pd.DataFrame:
    """``rated`` (one row per indicator, in the order :class:`Overrides` was built for) with
    the reviewer's ratings ``found`` (:meth:`Overrides.at`) applied: ``rag`` becomes the
    override where there is one, and :data:`OVERRIDE_COLUMNS` are added."""
    rag_over, reason, by = found
    given = np.not_equal(rag_over, None)
    computed = rated["rag"]
    rag = computed
    if given.any():
        values = computed.to_numpy(dtype=object).copy()
        values[given] = rag_over[given]
        rag = pd.Series(values, index=rated.index, dtype=computed.dtype)
    return rated.assign(
        computed_rag=computed,
        rag=rag,
        overridden=given,
        override_reason=pd.Series(reason, index=rated.index, dtype="str"),
        override_by=pd.Series(by, index=rated.index, dtype="str"),
    )
