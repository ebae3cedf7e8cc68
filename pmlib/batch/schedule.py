"""The order a batch hands its reports to the workers: longest first, readers after writers.

Workers take reports in the order given, each as soon as it is free, so the order is the
schedule. Longest-processing-time-first alone keeps the workers finishing together, but it
ignores that reports share work: a chart is drawn once and then read from the content-addressed
cache (:mod:`pmlib.present.svg_cache`) by any later report, in any kernel, while two reports
*running at the same time* both draw the charts they share. In the demo pack Cabinet and the
Performance Board are the two longest reports and show the same ~30 charts, so
longest-first started them side by side and every shared chart was drawn twice.

Each :class:`~pmlib.batch.spec.ReportSpec` may say what of its work others can share
(``shares``: for a committee report, the indicators it shows, keyed by data and period).
:func:`schedule` then:

1. groups the reports into *families* of reports that share anything (transitively; a report
   sharing nothing is a family of its own), so one council's reports stay together and its
   drawings are still in the cache (whose size is bounded) when its later reports read them;
2. orders each family of up to :data:`SEARCH_LIMIT` reports by simulating every order on the
   batch's workers with a cost model (below) and keeping the one that ends first (then the
   one that costs least in all); a larger family, longest first;
3. runs the families one after another, the most costly first.

The cost model: a report costs its measured or guessed length (``cost``), less
:data:`REUSE` of it in proportion to the share of its ``shares`` that reports *finished* before
it started have already drawn. Reports running side by side do not help each other. With no
``shares`` anywhere this is exactly longest-first, ties in the given order. Only the order
changes: every report renders the same bytes whatever ran before it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pmlib.batch.spec import ReportSpec

__all__ = ["REUSE", "SEARCH_LIMIT", "schedule", "simulate"]

#: The part of a report's time that reports sharing its indicators can save it: drawing the
#: charts. Measured on the demo pack's warm reports: 30-40 % for a committee report with
#: exceptions (Cabinet 1.2 of 3.4 s, Performance Board 1.25 of 3.1 s, 40 ms a chart).
REUSE = 0.35
#: Families up to this size are ordered by trying every order (6! = 720 simulations, ~10 ms).
SEARCH_LIMIT = 6


def simulate(
    order: Sequence[ReportSpec], jobs: int, cost: Callable[[ReportSpec], float]
) -> tuple[float, float]:
    """``(end, total)``: when the last of ``order`` ends on ``jobs`` workers taking reports in
    turn, and the work done in all, under the cost model of this module."""
    free = [0.0] * max(1, jobs)
    finished: list[tuple[float, frozenset[str]]] = []
    total = 0.0
    for spec in order:
        worker = min(range(len(free)), key=free.__getitem__)
        start = free[worker]
        length = cost(spec)
        if spec.shares:
            drawn = set().union(*(s for end, s in finished if end <= start))
            length *= 1.0 - REUSE * len(spec.shares & drawn) / len(spec.shares)
        free[worker] = start + length
        finished.append((free[worker], spec.shares))
        total += length
    return max(free), total


def _families(todo: Sequence[ReportSpec]) -> list[list[ReportSpec]]:
    """Reports linked by anything they share (union-find over the share keys), in given order."""
    parent = list(range(len(todo)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[str, int] = {}
    for i, spec in enumerate(todo):
        for key in spec.shares:
            j = owner.setdefault(key, i)
            parent[root(i)] = root(j)
    groups: dict[int, list[ReportSpec]] = {}
    for i, spec in enumerate(todo):
        groups.setdefault(root(i), []).append(spec)
    return list(groups.values())


def _shape(family: Sequence[ReportSpec], cost: Callable[[ReportSpec], float]) -> tuple:
    """What the best order of a family depends on: each report's cost and which of the
    family's keys it holds, keys numbered in order of first appearance (so every council of a
    national batch, whose reports differ only in their keys' text, has the same shape)."""
    number: dict[str, int] = {}
    return tuple(
        (cost(s), frozenset(number.setdefault(k, len(number)) for k in sorted(s.shares)))
        for s in family
    )


def _family_order(
    family: list[ReportSpec], jobs: int, cost: Callable[[ReportSpec], float],
    known: dict[tuple, tuple[int, ...]],
) -> list[ReportSpec]:  # fmt: skip
    longest = sorted(family, key=lambda s: -cost(s))  # stable: ties keep the given order
    if len(family) < 2 or len(family) > SEARCH_LIMIT or not any(s.shares for s in family):
        return longest
    shape = _shape(longest, cost)
    if shape not in known:  # searched once per shape: a national batch has a handful
        best, best_score = tuple(range(len(longest))), simulate(longest, jobs, cost)
        for order in itertools.permutations(range(len(longest))):
            score = simulate([longest[i] for i in order], jobs, cost)
            if score < best_score:  # strictly better: longest-first wins ties
                best, best_score = order, score
        known[shape] = best
    return [longest[i] for i in known[shape]]


def schedule(
    todo: Sequence[ReportSpec], jobs: int, cost: Callable[[ReportSpec], float]
) -> list[ReportSpec]:
    """``todo`` in the order to hand it to ``jobs`` workers (see the module's docstring).

    ``cost``: a report's expected length (seconds of an earlier run, or its weight).
    """
    known: dict[tuple, tuple[int, ...]] = {}
    families = [_family_order(f, jobs, cost, known) for f in _families(todo)]
    families.sort(key=lambda f: -sum(cost(s) for s in f))  # stable
    return [spec for family in families for spec in family]
