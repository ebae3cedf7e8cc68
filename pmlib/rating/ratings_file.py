"""The ratings CSV that ``pmlib rate --out`` writes: every indicator's rating at a period, its
exception marks, as a file for people (:mod:`pmlib.core.csv_out`).

On a large library the work is split: what must hold for the whole library is checked once
(:func:`pmlib.rating.engine.period_rater`), then contiguous parts of it are rated — each from
its own indicators' roll-ups — and turned into CSV bytes side by side, one part per core, in
forked copies of this process (:mod:`pmlib.core.forked`). An indicator's rating depends on its
own figures only, and every CSV cell is written on its own, so the parts joined in order are
byte for byte the file one process writes. A council's own library (under twice
:data:`MIN_PART` indicators) is rated in one process; the figures are in BENCHMARKS.md.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import chain
from pathlib import Path

from pmlib.core.csv_out import csv_pieces
from pmlib.core.files import write_parts_atomic
from pmlib.core.forked import usable_cores, work_in_parts
from pmlib.core.model import Committee, Dataset
from pmlib.core.periods import Period
from pmlib.core.rules import exception_rule_for
from pmlib.rating.engine import period_rater
from pmlib.rating.exceptions import mark_exceptions

__all__ = ["MIN_PART", "part_bounds", "write_ratings_csv"]

#: Fewest indicators worth a part of their own: a smaller library is rated in one process,
#: since a child costs a few tens of milliseconds (forking a large process, its first page
#: copies) and rating 5,000 indicators takes about as long.
MIN_PART = 5_000


def part_bounds(n: int, jobs: int, min_part: int | None = None) -> list[tuple[int, int]]:
    """Library positions ``(lo, hi)`` of up to ``jobs`` contiguous parts of ``n`` indicators,
    each at least ``min_part`` long (one part for a small library), sizes differing by one at
    most.

    >>> part_bounds(10, 3, min_part=1)
    [(0, 4), (4, 7), (7, 10)]
    >>> part_bounds(10, 3, min_part=5), part_bounds(0, 2)
    ([(0, 5), (5, 10)], [(0, 0)])
    """
    k = max(1, min(jobs, n // max(min_part or MIN_PART, 1)))
    size, extra = divmod(n, k)
    bounds, lo = [], 0
    for i in range(k):
        hi = lo + size + (i < extra)
        bounds.append((lo, hi))
        lo = hi
    return bounds


def write_ratings_csv(
    dataset: Dataset,
    period: Period,
    path: Path | str,
    *,
    committee: Committee | None = None,
    jobs: int | None = None,
    min_part: int | None = None,
    before_writing: Callable[[], object] | None = None,
) -> int:
    """Rate every indicator at ``period`` (only ``committee``'s, if given) and write the
    ratings, each with ``exception`` and ``exception_reason`` under the committee's exception
    rule (else the council's), to ``path`` atomically. Returns the number of rows written.

    ``jobs``: processes rating parts of the library at once (default: the usable cores; a
    library under twice ``min_part`` indicators, :data:`MIN_PART` unless given, is rated in one).
    ``before_writing`` is called once the ratings are made, before the file is written: the
    confirmation of data checked aside (:func:`pmlib.data.validate.read_dataset_checking_aside`).
    """
    rule = exception_rule_for(dataset.council, committee)
    year_end = period.months_elapsed == 12
    ids = None if committee is None else dataset.indicators_for(committee)["id"]
    rate = period_rater(dataset, period)
    bounds = part_bounds(len(dataset.indicators), jobs or usable_cores(), min_part)

    def make(i: int) -> tuple[int, list]:
        rated = rate(*bounds[i])
        if ids is not None:
            rated = rated[rated["indicator_id"].isin(ids)]
        rated = mark_exceptions(rated, rule, year_end=year_end).drop(columns="forecast_miss")
        return len(rated), csv_pieces(rated, first=i == 0)

    parts = work_in_parts(make, len(bounds))
    if before_writing is not None:  # the data's checks, run beside the rating
        before_writing()
    write_parts_atomic(path, chain.from_iterable(pieces for _, pieces in parts))
    return sum(count for count, _ in parts)
