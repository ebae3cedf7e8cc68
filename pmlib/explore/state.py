"""The explorer's state and data: quarter, committee, filters, the what-if, and cached ratings.

:class:`ExplorerState` is the part of :class:`~pmlib.explore.explorer.Explorer` that needs no
HTML and no widgets: the ``set_*`` methods (which validate), the rated frames (cached per quarter
and thresholds), the trend history, benchmark positions and the what-if comparison.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Self

import pandas as pd

from pmlib.core.dburl import is_database_url
from pmlib.core.errors import ParameterError, PmlibError
from pmlib.core.model import Committee, Dataset
from pmlib.core.periods import Period, parse_period
from pmlib.core.sources import source_location
from pmlib.present.text import (
    RAG_ORDER,
    rag_counts,
)

log = logging.getLogger(__name__)

#: The priority dropdown's "no filter" choice.
ALL = "All"
#: Columns of :meth:`Explorer.scorecard` (rating columns as in :func:`pmlib.rating.engine.rate_period`).
SCORECARD_COLUMNS = (
    "indicator_id",
    "name",
    "priority",
    "owner",
    "unit",
    "decimals",
    "value",
    "target",
    "lower",
    "upper",
    "rag",
    "rag_reason",
    "dot_short",
    "dot_long",
    "forecast",
    "forecast_rag",
)
#: Columns of :attr:`WhatIf.changes`.
WHAT_IF_COLUMNS = (
    "indicator_id",
    "name",
    "unit",
    "decimals",
    "value",
    "target",
    "rag",
    "what_if_rag",
    "change",
)
HISTORY_QUARTERS = 8
_PERFORMANCE_RANK = {"Red": 0, "Amber": 1, "Green": 2}
_CACHE_SIZE = 64


# -- data helpers ---------------------------------------------------------------------------------
def available_quarters(dataset: Dataset) -> list[Period]:
    """The quarters that have actuals (a month or quarter row), oldest first."""
    act = dataset.actuals
    rows = act[act["period_kind"].isin(["month", "quarter"]) & act["quarter"].notna()]
    start = dataset.council.fy_start_month
    found = {
        Period("quarter", int(fy), int(q), start)
        for fy, q in rows[["fy", "quarter"]].drop_duplicates().itertuples(index=False)
    }
    return sorted(found, key=lambda p: p.ordinal)


@dataclass(frozen=True)
class WhatIf:
    """What a different tolerance in one scheme would do to the current view's indicators."""

    scheme: str
    label: str
    tolerance: str  # relative | absolute
    green_within: float
    amber_within: float
    #: The scheme's own thresholds (as in rag_schemes.yaml).
    base_green_within: float
    base_amber_within: float
    #: One row per indicator whose colour would change (:data:`WHAT_IF_COLUMNS`); ``change`` is
    #: ``better`` or ``worse``.
    changes: pd.DataFrame
    #: One row per RAG status: ``rag``, ``now``, ``what_if``, ``change``.
    counts: pd.DataFrame
    #: How many indicators were considered.
    n_indicators: int

    @property
    def n_changed(self) -> int:
        return len(self.changes)

    @property
    def n_better(self) -> int:
        return int(self.changes["change"].eq("better").sum())

    @property
    def n_worse(self) -> int:
        return int(self.changes["change"].eq("worse").sum())

    @property
    def is_baseline(self) -> bool:
        return (self.green_within, self.amber_within) == (
            self.base_green_within,
            self.base_amber_within,
        )


def _resolve(path: str | Path | None) -> Path | str | None:
    if is_database_url(path):  # a database (docs/databases.md): the URL as it is
        return str(path).strip()
    return None if path is None else Path(path).resolve()


class ExplorerState:
    """State and data of an :class:`~pmlib.explore.explorer.Explorer` (see there)."""

    def __init__(
        self,
        data_dir: str | Path | None = None,
        params_dir: str | Path | None = "../parameters",
        *,
        quarter: str | None = None,
        committee: str | None = None,
        out_dir: str | Path | None = None,
        background: bool = True,
        dataset: Dataset | None = None,
    ):
        from pmlib.data.validate import read_dataset
        from pmlib.present.theme import use_theme

        self.data_dir, self.params_dir = _resolve(data_dir), _resolve(params_dir)
        if dataset is None:
            dataset = read_dataset(self.data_dir, self.params_dir)
        else:  # render what was read: its folders
            self.params_dir = _resolve(dataset.settings.params_dir) or self.params_dir
            sources = list(dataset.sources.values())
            self.data_dir = self.data_dir or (
                _resolve(source_location(sources[0])) if sources else None
            )
        self.dataset: Dataset = dataset
        self.out_dir = _resolve(out_dir)
        self.background = background
        use_theme()
        self.periods = available_quarters(self.dataset)
        if not self.periods:
            raise ParameterError(
                "The data has no monthly or quarterly actuals, so there is no quarter to explore."
            )
        settings = self.dataset.settings
        if not settings.committees:
            raise ParameterError("committees.yaml defines no committee to explore.")
        self.quarter = self.periods[-1].label
        self.committee = next(iter(settings.committees))
        self.priority = ALL
        self.rags: tuple[str, ...] = tuple(RAG_ORDER)
        self.scheme = self.dataset.council.rag_scheme
        base = settings.schemes[self.scheme]
        self.green_within, self.amber_within = float(base.green_within), float(base.amber_within)
        self.indicator: str | None = None
        self.last_report: Path | None = None
        self.widgets: dict[str, Any] = {}
        self._root: Any = None
        self._busy = False
        self._render_thread: threading.Thread | None = None
        self._rated: OrderedDict[tuple, pd.DataFrame] = OrderedDict()
        self._svg: OrderedDict[tuple, str] = OrderedDict()
        self._positions: dict[str, pd.DataFrame] = {}
        self._history: pd.DataFrame | None = None
        self._members: dict[str, pd.DataFrame] = {}
        if quarter is not None:
            self.set_quarter(quarter)
        if committee is not None:
            self.set_committee(committee)
        self.indicator = self._default_indicator()

    # -- state ------------------------------------------------------------------------------------
    @property
    def period(self) -> Period:
        return parse_period(self.quarter, self.dataset.council.fy_start_month)

    @property
    def committee_info(self) -> Committee:
        return self.dataset.settings.committees[self.committee]

    @property
    def base_scheme(self):
        """The scheme the what-if changes: the council's default (``council.yaml``)."""
        return self.dataset.settings.schemes[self.scheme]

    def set_quarter(self, quarter: str) -> None:
        p = parse_period(quarter, self.dataset.council.fy_start_month, what="quarter")
        labels = [q.label for q in self.periods]
        if p.kind != "quarter" or p.label not in labels:
            raise ParameterError(
                f"No data for {quarter!r}: choose one of the quarters with data "
                f"({labels[0]} to {labels[-1]})."
            )
        self.quarter = p.label

    def set_committee(self, committee: str) -> None:
        from pmlib.config.settings import check_committee

        self.committee = check_committee(self.dataset.settings, committee).slug
        if self.priority not in self.priorities():
            self.priority = ALL
        if self.indicator not in set(self.members()["id"]):
            self.indicator = None

    def set_priority(self, priority: str) -> None:
        if priority != ALL and priority not in self.priorities():
            raise ParameterError(
                f"{priority!r} is not a priority of {self.committee_info.title}'s indicators: "
                f"choose {ALL} or one of {', '.join(self.priorities())}."
            )
        self.priority = priority

    def set_rags(self, rags: Sequence[str]) -> None:
        """Show only these RAG statuses (an empty selection shows all)."""
        unknown = [r for r in rags if r not in RAG_ORDER]
        if unknown:
            raise ParameterError(f"Unknown RAG status {unknown[0]!r}: use {', '.join(RAG_ORDER)}.")
        self.rags = tuple(r for r in RAG_ORDER if r in rags)

    def set_indicator(self, indicator: str | None) -> None:
        if indicator is not None and indicator not in set(self.members()["id"]):
            raise ParameterError(
                f"{indicator!r} is not one of {self.committee_info.title}'s indicators."
            )
        self.indicator = indicator

    def set_tolerance(
        self, green_within: float | None = None, amber_within: float | None = None
    ) -> None:
        """The what-if thresholds for the council's scheme (``None`` keeps the current one)."""
        for name, value in (("green_within", green_within), ("amber_within", amber_within)):
            if value is not None and not (float(value) >= 0):
                raise ParameterError(f"{name} must be a number of at least 0, got {value!r}.")
        if green_within is not None:
            self.green_within = float(green_within)
        if amber_within is not None:
            self.amber_within = float(amber_within)

    def reset_tolerance(self) -> None:
        self.green_within = float(self.base_scheme.green_within)
        self.amber_within = float(self.base_scheme.amber_within)

    def reset(self) -> None:
        """Back to the start: latest quarter, first committee, no filters, the scheme's own
        thresholds (the caches are kept)."""
        self.quarter = self.periods[-1].label
        self.committee = next(iter(self.dataset.settings.committees))
        self.priority = ALL
        self.rags = tuple(RAG_ORDER)
        self.reset_tolerance()
        self.indicator = self._default_indicator()
        if self.widgets:
            with self._quiet():
                W = self.widgets
                W["quarter"].value = self.quarter
                W["committee"].value = self.committee
                W["rag"].value = self.rags
                W["green_within"].value = self.green_within
                W["amber_within"].value = self.amber_within
                W["report"].outputs = ()
            self.refresh()

    def select(
        self,
        *,
        quarter: str | None = None,
        committee: str | None = None,
        priority: str | None = None,
        rags: Sequence[str] | None = None,
        indicator: str | None = None,
    ) -> Self:
        """Set several parts of the state at once (in that order); returns ``self``."""
        if quarter is not None:
            self.set_quarter(quarter)
        if committee is not None:
            self.set_committee(committee)
        if priority is not None:
            self.set_priority(priority)
        if rags is not None:
            self.set_rags(rags)
        if indicator is not None:
            self.set_indicator(indicator)
        if self.indicator not in set(self.scorecard()["indicator_id"]):
            self.indicator = self._default_indicator()
        return self

    # -- data -------------------------------------------------------------------------------------
    def members(self) -> pd.DataFrame:
        """The committee's indicators (library rows, library order)."""
        if self.committee not in self._members:
            self._members[self.committee] = self.dataset.indicators_for(self.committee)
        return self._members[self.committee]

    def priorities(self) -> list[str]:
        """The Council Plan priorities of the committee's indicators, in library order."""
        return list(dict.fromkeys(self.members()["priority"].dropna().astype(str)))

    def _dataset_with(self, green_within: float, amber_within: float) -> Dataset:
        base = self.base_scheme
        if (green_within, amber_within) == (base.green_within, base.amber_within):
            return self.dataset
        schemes = dict(self.dataset.settings.schemes)
        schemes[self.scheme] = replace(base, green_within=green_within, amber_within=amber_within)
        return replace(self.dataset, settings=replace(self.dataset.settings, schemes=schemes))

    def rated(
        self,
        quarter: str | None = None,
        *,
        green_within: float | None = None,
        amber_within: float | None = None,
    ) -> pd.DataFrame:
        """Every indicator rated at ``quarter`` (default the current one), as
        :func:`pmlib.rating.engine.rate_period`, with the council scheme's thresholds replaced by the
        given ones (default: the scheme's own — the published ratings). Cached."""
        from pmlib.rating.engine import rate_period

        q = self.quarter if quarter is None else quarter
        base = self.base_scheme
        g = float(base.green_within if green_within is None else green_within)
        a = float(base.amber_within if amber_within is None else amber_within)
        key = (q, self.scheme, round(g, 9), round(a, 9))
        if key in self._rated:
            self._rated.move_to_end(key)
            return self._rated[key]
        out = rate_period(self._dataset_with(g, a), q)
        self._rated[key] = out
        if len(self._rated) > _CACHE_SIZE:
            self._rated.popitem(last=False)
        return out

    def _view_rated(self, *, rag_filter: bool = True) -> pd.DataFrame:
        ids = self.members()
        if self.priority != ALL:
            ids = ids[ids["priority"].eq(self.priority)]
        r = self.rated()
        r = r[r["indicator_id"].isin(set(ids["id"]))]
        if rag_filter and self.rags and len(self.rags) < len(RAG_ORDER):
            r = r[r["rag"].isin(self.rags)]
        return r.reset_index(drop=True)

    def scorecard(self) -> pd.DataFrame:
        """The current view: the committee's indicators at the quarter, filtered by priority and
        RAG, in library order; columns :data:`SCORECARD_COLUMNS`."""
        r = self._view_rated()
        lib = self.dataset.indicators.set_index("id")
        out = r.assign(
            priority=r["indicator_id"].map(lib["priority"]),
            owner=r["indicator_id"].map(lib["owner"]) if "owner" in lib else pd.NA,
        )
        return out.reindex(columns=list(SCORECARD_COLUMNS))

    def counts(self) -> dict[str, int]:
        """RAG counts of the committee's indicators (within the priority, before the RAG filter)."""
        return rag_counts(self._view_rated(rag_filter=False))

    def history(self, indicator: str | None = None) -> pd.DataFrame:
        """The last 8 quarters' ratings to the current quarter, as :func:`pmlib.rating.engine.rate_history`
        (one indicator's rows when given, else every indicator's)."""
        from pmlib.rating.engine import rate_history

        if self._history is None:
            first, latest = self.periods[0], self.periods[-1]
            n = (latest.ordinal - first.ordinal) // 3 + HISTORY_QUARTERS
            self._history = rate_history(self.dataset, latest, kind="quarter", periods=n)
        end = self.period.ordinal
        h = self._history
        rows = h["ordinal"].gt(end - 3 * HISTORY_QUARTERS) & h["ordinal"].le(end)
        if indicator is not None:
            rows &= h["indicator_id"].eq(indicator)
        return h[rows].reset_index(drop=True)

    def benchmark_positions(self) -> pd.DataFrame:
        """The council's latest benchmark positions known at the quarter's end (may be empty;
        empty too when the benchmarking module or data is not available)."""
        q = self.quarter
        if q not in self._positions:
            try:
                from pmlib.benchmarking.positions import latest_positions
            except ImportError:
                self._positions[q] = pd.DataFrame()
                return self._positions[q]
            try:
                self._positions[q] = latest_positions(self.dataset, up_to=self.period)
            except PmlibError as exc:
                log.warning("Benchmark positions unavailable: %s", exc)
                self._positions[q] = pd.DataFrame()
        return self._positions[q]

    def _default_indicator(self) -> str | None:
        card = self.scorecard()
        return None if card.empty else str(card["indicator_id"].iloc[0])

    # -- what if ----------------------------------------------------------------------------------
    def what_if(
        self, green_within: float | None = None, amber_within: float | None = None
    ) -> WhatIf:
        """Re-rate the view's indicators (committee and priority; the RAG filter is ignored)
        with the council scheme's thresholds set to ``green_within``/``amber_within`` (default:
        the explorer's what-if state). Indicators rated under another scheme, or with their own
        thresholds in the library, keep theirs."""
        base = self.base_scheme
        g = self.green_within if green_within is None else float(green_within)
        a = self.amber_within if amber_within is None else float(amber_within)
        now = self._view_rated(rag_filter=False)
        ids = set(now["indicator_id"])
        alt_rated = self.rated(green_within=g, amber_within=a)
        after = alt_rated[alt_rated["indicator_id"].isin(ids)].reset_index(drop=True)
        merged = now.assign(
            what_if_rag=now["indicator_id"].map(after.set_index("indicator_id")["rag"])
        )
        moved = merged[merged["rag"].ne(merged["what_if_rag"])]
        old = moved["rag"].map(_PERFORMANCE_RANK)
        new = moved["what_if_rag"].map(_PERFORMANCE_RANK)
        change = pd.Series("changed", index=moved.index, dtype="object")
        change[new > old] = "better"
        change[new < old] = "worse"
        changes = moved.assign(change=change).reindex(columns=list(WHAT_IF_COLUMNS))
        before, later = rag_counts(now), rag_counts(after)
        counts = pd.DataFrame(
            {
                "rag": list(RAG_ORDER),
                "now": [before[r] for r in RAG_ORDER],
                "what_if": [later[r] for r in RAG_ORDER],
            }
        ).assign(change=lambda d: d["what_if"] - d["now"])
        return WhatIf(
            scheme=self.scheme,
            label=base.label,
            tolerance=base.tolerance,
            green_within=g,
            amber_within=a,
            base_green_within=float(base.green_within),
            base_amber_within=float(base.amber_within),
            changes=changes.reset_index(drop=True),
            counts=counts,
            n_indicators=len(now),
        )
