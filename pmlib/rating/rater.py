"""One dataset rated at several periods, sharing what the ratings have in common.

A committee report rates its period, the period before, the financial year before (the
"last year's outturn" its exception sections show) and eight periods of history for its
charts. Called one at a time, :func:`~pmlib.rating.engine.rate_period` and
:func:`~pmlib.rating.engine.rate_history` each read the library again, resolved its RAG
schemes, rolled the actuals up into cubes and indexed the targets, and the report period's
rating and its history rated the same two periods twice. A :class:`Rater` builds that context
once, wide enough for every period asked about, rates each period once, and re-rates an
indicator reported in arrears alone at its due period (often a period it has rated already).
A period or history asked for again (the next report of a kernel) is answered from the
first asking, each caller getting its own frame.

The frames are equal to those of the one-call functions, column for column and dtype for
dtype (tests/test_rater.py): a rating row depends only on its own indicator's figures, and
the roll-ups reaching further back than a period reads changes nothing it reads.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pandas as pd

from pmlib.core.model import Dataset
from pmlib.core.periods import Period
from pmlib.rating.engine import (
    _as_period,
    _Context,
    _context,
    _cubes,
    _history_chain,
    _history_rating,
    _period_rating,
    _period_years,
    _rate_at,
)
from pmlib.rating.lags import lag_months

__all__ = ["Rater", "clear_shared_raters", "shared_rater"]

#: The library's Rater kept for the next report of the same dataset (one council per kernel).
_SHARED: dict[tuple, Rater] = {}


class Rater:
    """Ratings of one dataset, computed once each and shared between the calls.

    ``rate_period`` and ``rate_history`` take the arguments of the engine's functions of the
    same names (without the dataset) and return equal frames. The dataset must not change
    while a Rater is in use (a report's never does): rate a changed dataset with a new Rater.
    """

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset
        self._months = lag_months(dataset.indicators)
        self._kinds: set[str] = set()
        self._years = range(0)
        self._ctx: _Context | None = None
        #: (period, with reasons and trend) -> every indicator's rating at the period
        self._rated: dict[tuple[Period, bool], pd.DataFrame] = {}
        #: (period, positions) -> the rating of a few indicators (lagged ones) at the period
        self._rows: dict[tuple[Period, bytes], pd.DataFrame] = {}
        #: the frames returned, by the call's arguments: a kernel's reports ask for the same
        #: periods and histories, and the lagged rows and library filter need applying once
        self._answers: dict[tuple, pd.DataFrame] = {}

    def _answer(self, key: tuple, compute: Callable[[], pd.DataFrame]) -> pd.DataFrame:
        """``compute()``'s frame, once per ``key``; each caller gets its own frame (with
        copy-on-write a shallow copy: a column it sets or changes is its own)."""
        if key not in self._answers:
            self._answers[key] = compute()
        return self._answers[key].copy(deep=False)

    def _context(self, kinds: set[str], years: range) -> _Context:
        """A context reading ``kinds`` of period over ``years``. When the one held does not
        reach, its roll-ups are built again over both spans (the library, schemes, overrides
        and targets stay; what was rated with it stays valid)."""
        kinds = kinds | {"year"}  # every rating reads the year's roll-ups
        have = self._years
        if self._ctx is None:
            self._ctx = _context(self.dataset, kinds, years)
        elif not kinds <= self._kinds or years[0] < have[0] or years[-1] > have[-1]:
            kinds = kinds | self._kinds
            years = range(min(years[0], have[0]), max(years[-1], have[-1]) + 1)
            ctx = self._ctx
            self._ctx = replace(ctx, cubes=_cubes(self.dataset, ctx.meta, ctx.arrays, kinds, years))
        else:
            return self._ctx
        self._kinds, self._years = kinds, years
        return self._ctx

    def _at(self, ctx: _Context, period: Period, trend: bool) -> pd.DataFrame:
        key = (period, trend)
        if key not in self._rated:
            full = self._rated.get((period, True))  # a rating with reasons holds one without
            self._rated[key] = full if full is not None else _rate_at(ctx, period, trend=trend)
        return self._rated[key]

    def _rows_at(self, ctx: _Context, period: Period, rows: np.ndarray) -> pd.DataFrame:
        full = self._rated.get((period, True))
        if full is not None:
            return full.iloc[rows]
        key = (period, rows.tobytes())
        if key not in self._rows:
            self._rows[key] = _rate_at(ctx.take(rows), period)
        return self._rows[key]

    def rate_period(self, period: str | Period) -> pd.DataFrame:
        """:func:`pmlib.rating.engine.rate_period` of the dataset at ``period``."""
        p = _as_period(self.dataset, period)

        def compute() -> pd.DataFrame:
            ctx = self._context({p.kind}, _period_years(p, self._months))
            return _period_rating(
                self.dataset,
                p,
                self._months,
                lambda q: self._at(ctx, q, True),
                lambda q, rows: self._rows_at(ctx, q, rows),
            )

        return self._answer(("period", p), compute)

    def rate_history(
        self, through: str | Period, *, kind: str = "quarter", periods: int = 8, lags: bool = False
    ) -> pd.DataFrame:
        """:func:`pmlib.rating.engine.rate_history` of the dataset."""
        chain = _history_chain(self.dataset, through, kind, periods)

        def compute() -> pd.DataFrame:
            ctx = self._context({kind}, range(chain[0].fy - 2, chain[-1].fy + 1))
            return _history_rating(self.dataset, chain, lags, lambda q: self._at(ctx, q, False))

        return self._answer(("history", tuple(chain), bool(lags)), compute)


def shared_rater(key: tuple, library: Dataset) -> Rater:
    """A :class:`Rater` of the whole ``library``, kept for the next caller with the same ``key``.

    A kernel rendering a council's pack builds several reports from the same files, and each
    rated its own committee's indicators at the same periods. A rating row depends only on
    its own indicator's figures (tests/test_rater.py, tests/test_shared_rater.py), so rating
    the library once and taking each committee's rows gives every report the frames it
    computed alone. ``key`` must identify the library's contents exactly:
    :func:`pmlib.data.validate.read_dataset_keyed`'s key (its files' SHA-256, the parameters
    and the validation date). The Rater keeps its own copy of the tables, so nothing a
    notebook later does to its dataset reaches it. One library is kept at a time.
    """
    rater = _SHARED.get(key)
    if rater is None:
        from pmlib.data.validate import _fresh_copy

        _SHARED.clear()
        rater = _SHARED[key] = Rater(_fresh_copy(library))
    return rater


def clear_shared_raters() -> None:
    """Forget the kept Rater (:func:`pmlib.reports.caches.clear_result_caches`)."""
    _SHARED.clear()
