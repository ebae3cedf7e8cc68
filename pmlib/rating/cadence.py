"""Which figure each indicator shows at a period, by how often it is reported.

A report's period and an indicator's frequency need not match. A monthly indicator rolls up into
a quarter, a half-year or a year; but an annual indicator has no quarter figure (Grey until its
outturn, which a Q4 report shows), a six-monthly one has a figure only at the half-year (a Q2
report shows H1, a Q4 report H2; Q1 and Q3 are Grey) and a biennial one has a figure every
second year. This module picks, for every indicator at once, the roll-up slice that is "the
current figure", the one it is compared with for Direction of Travel (like with like: H1 with
last year's H1 and the previous H2; a biennial outturn with the one two years before), and why an
indicator is Grey when nothing is due.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from pmlib.core.periods import Period
from pmlib.rating.rag import NOT_DUE_ANNUAL, NOT_DUE_QUARTERLY
from pmlib.rating.rollup import Cube, Slice

__all__ = [
    "NOT_DUE_BIENNIAL",
    "NOT_DUE_HALF",
    "NOT_DUE_SIX_MONTHLY",
    "Feed",
    "feed",
    "kinds_needed",
]

NOT_DUE_HALF = "six-monthly indicator; reported at the half-year (Q2 and Q4)"
NOT_DUE_SIX_MONTHLY = "six-monthly indicator; not reported monthly"
NOT_DUE_BIENNIAL = "biennial indicator; outturn due after year end"


@dataclass(frozen=True)
class Feed:
    """The slices behind one period's ratings, aligned with the indicators.

    ``cur``/``prev``/``last`` are the current figure, the previous period's and the same
    period last year's; ``year``/``year_before`` the year's and last year's outturns (for
    forecasts); ``on_year``/``on_half`` mark rows showing a year's or half's figure in a
    shorter period's report; ``grey`` holds the not-due reason ("" when due).
    """

    cur: Slice
    prev: Slice
    last: Slice
    year: Slice
    year_before: Slice
    on_year: np.ndarray
    on_half: np.ndarray
    grey: np.ndarray
    prev_label: np.ndarray
    last_label: np.ndarray
    half: Period | None


def _merge(base: Slice, *subs: tuple[np.ndarray, Slice]) -> Slice:
    """``base`` with the rows of each mask taken from its slice instead (later masks win)."""
    values = {}
    for f in fields(Slice):
        out = getattr(base, f.name)
        for mask, sub in subs:
            out = np.where(mask, getattr(sub, f.name), out)
        values[f.name] = out
    return Slice(**values)


def kinds_needed(period_kinds: set[str], frequency: np.ndarray) -> set[str]:
    """The roll-up cubes a rating of these period kinds reads (a quarter report of six-monthly
    indicators also reads halves)."""
    kinds = set(period_kinds) | {"year"}
    if "quarter" in kinds and (frequency == "six-monthly").any():
        kinds.add("half")
    return kinds


def feed(cubes: dict[str, Cube], frequency: np.ndarray, period: Period) -> Feed:
    """Pick each indicator's current, previous and last-year figures at ``period``."""
    n = frequency.size
    year = period.year()
    biennial = frequency == "biennial"
    annual = (frequency == "annual") | biennial
    six = frequency == "six-monthly"
    ycube = cubes["year"]
    yc, yl = ycube.at(year), ycube.at(year.previous())
    two_back = year.previous().previous()
    # a biennial outturn is compared with the one two years before, not with an empty year
    yl_b = _merge(yl, (biennial, ycube.at(two_back)))
    y_prev_label = np.where(biennial, two_back.label, year.previous().label).astype(object)
    off_year = biennial & (yc.n_rows == 0) & (yl.n_rows > 0)
    grey = np.full(n, "", dtype=object)
    no = np.zeros(n, dtype=bool)
    half = None
    if period.kind == "year":
        cur, prev, last = yc, yl_b, yl_b
        on_year, on_half = np.ones(n, dtype=bool), no
        prev_label = last_label = y_prev_label
    else:
        cube = cubes[period.kind]
        cur, prev, last = cube.at(period), cube.at(period.previous()), cube.at(period.last_year())
        on_year = (
            annual
            & (period.kind in ("quarter", "half"))
            & (period.months_elapsed == 12)
            & (yc.n_rows > 0)
        )
        grey[annual & ~on_year] = NOT_DUE_ANNUAL
        grey[biennial & ~on_year] = NOT_DUE_BIENNIAL
        on_half = no
        prev_label = np.full(n, period.previous().label, dtype=object)
        last_label = np.full(n, period.last_year().label, dtype=object)
        if period.kind == "quarter" and "half" in cubes:
            half = period.containing("half")
            hcube = cubes["half"]
            on_half = six & (period.index % 2 == 0)
            grey[six & ~on_half] = NOT_DUE_HALF
            cur = _merge(cur, (on_half, hcube.at(half)))
            prev = _merge(prev, (on_half, hcube.at(half.previous())))
            last = _merge(last, (on_half, hcube.at(half.last_year())))
            prev_label = np.where(on_half, half.previous().label, prev_label)
            last_label = np.where(on_half, half.last_year().label, last_label)
        if period.kind == "month":
            grey[frequency == "quarterly"] = NOT_DUE_QUARTERLY
            grey[six] = NOT_DUE_SIX_MONTHLY
        cur = _merge(cur, (on_year, yc))
        prev = _merge(prev, (on_year, yl_b))
        last = _merge(last, (on_year, yl_b))
        prev_label = np.where(on_year, y_prev_label, prev_label)
        last_label = np.where(on_year, y_prev_label, last_label)
    grey[off_year] = (
        f"biennial indicator; not due in {year.label} (last reported for {year.previous().label})"
    )
    return Feed(
        cur=cur,
        prev=prev,
        last=last,
        year=yc,
        year_before=yl_b,
        on_year=on_year,
        on_half=on_half,
        grey=grey.astype(str),
        prev_label=prev_label,
        last_label=last_label,
        half=half,
    )
