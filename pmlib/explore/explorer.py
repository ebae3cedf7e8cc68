"""The explorer: an interactive look at the ratings between quarterly runs, in JupyterLab.

Analysts ask: which indicators moved, what will a committee see, how does an indicator look
against its target and its peers, what would a different tolerance do to the RAG picture?
:class:`Explorer` holds the state of such a session — quarter, committee, Council Plan priority,
RAG filter, indicator and a "what if" tolerance — and answers with plain methods:

* :meth:`Explorer.scorecard` — the committee's indicators at the quarter, filtered (a frame);
* :meth:`Explorer.detail` — one indicator: facts, reason, trend chart spec, narrative,
  methodology and benchmark position;
* :meth:`Explorer.what_if` — which indicators would change colour if the council's scheme had
  other thresholds, with the counts;
* :meth:`Explorer.render_report` — the committee's report through the batch machinery
  (:func:`pmlib.batch.pack.run_pack`), returning the HTML file.

:meth:`Explorer.show` adds a thin ipywidgets layer: dropdowns, a RAG filter, two sliders and a
button, whose callbacks call those methods and update HTML views in place (no cell re-runs).
The widgets are kept in :attr:`Explorer.widgets`, so tests set ``.value`` and read what is shown.

Speed: the dataset is read once; ratings are cached per (quarter, scheme thresholds); the trend
history of every indicator is computed once for all quarters; chart SVG (drawn offline by
vl-convert, so no JavaScript or network is needed) and benchmark positions are cached per
indicator and quarter. On the demo council a widget change takes about 0.1 s when revisiting and
0.3 s for a quarter or indicator not seen before — see ``benchmarks/bench_explore.py``.

The what-if changes the council's default scheme (``council.yaml`` ``rag_scheme``) in memory
only (:func:`dataclasses.replace` on the settings); nothing is written.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

from pmlib.core.errors import ParameterError, PmlibError, RenderError
from pmlib.core.model import Committee, Dataset
from pmlib.core.periods import Period, parse_period
from pmlib.data.quality import CONFIDENCE, NARRATIVE_PARTS, has_narrative
from pmlib.present.tables import Html, definition_table, scorecard_table, sparkline
from pmlib.present.text import (
    RAG_ORDER,
    dot_label,
    esc,
    format_value,
    rag_badge,
    rag_counts,
    signed,
)

log = logging.getLogger(__name__)

__all__ = [
    "ALL",
    "SCORECARD_COLUMNS",
    "WHAT_IF_COLUMNS",
    "Explorer",
    "WhatIf",
    "available_quarters",
]

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
NARRATIVE_TITLES = {
    "performance_update": "Performance update",
    "approach": "Approach to improve",
    "future_plans": "Future plans",
    "issues": "Issues and risks",
}
_PERFORMANCE_RANK = {"Red": 0, "Amber": 1, "Green": 2}
_CACHE_SIZE = 64
_CSS = """<style>
.pmlib-explorer .pmlib-deflist{border-collapse:collapse;margin:0.4em 0;font-size:13px}
.pmlib-explorer .pmlib-deflist caption{text-align:left;font-weight:bold;padding:2px 0}
.pmlib-explorer .pmlib-deflist th{text-align:left;vertical-align:top;padding:2px 10px 2px 0;
 font-weight:600;white-space:nowrap}
.pmlib-explorer .pmlib-deflist td{padding:2px 0;vertical-align:top}
.pmlib-explorer .rag{display:inline-block;padding:0 6px;border-radius:3px;font-size:12px;
 font-weight:600;white-space:nowrap}
.pmlib-explorer h3,.pmlib-explorer h4{margin:0.5em 0 0.3em}
.pmlib-explorer .pmlib-x-counts td,.pmlib-explorer .pmlib-x-counts thead th{text-align:center;
 padding:2px 6px}
.pmlib-explorer .pmlib-x-note{color:#505A5F;font-size:13px}
.pmlib-explorer .narrative h5{margin:0.5em 0 0.1em;font-size:13px}
.pmlib-explorer .narrative p{margin:0 0 0.3em;font-size:13px}
.pmlib-explorer .pmlib-figure{margin:0.3em 0}
.pmlib-explorer .pmlib-visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;
 clip:rect(0 0 0 0);white-space:nowrap}
</style>"""


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


def _threshold_text(value: float, tolerance: str) -> str:
    if tolerance == "relative":
        return f"{value * 100:.3g}%"
    return f"{value:.3g} (in each indicator's units)"


def _resolve(path: str | Path | None) -> Path | None:
    return None if path is None else Path(path).resolve()


# -- the explorer -----------------------------------------------------------------------------------
class Explorer:
    """An interactive view of one council's ratings; see the module docstring.

    Parameters
    ----------
    data_dir
        The data folder (default: ``data_dir`` in ``council.yaml``).
    params_dir
        The parameters folder. The default suits a notebook in ``notebooks/``.
    quarter, committee
        Where to start (default: the latest quarter with data; the first committee).
    out_dir
        Where :meth:`render_report` writes (default ``outputs/<quarter>`` beside the parameters
        folder, as ``pmlib run`` does from the project folder).
    background
        The render button renders in a background thread, so the notebook stays responsive
        (``False``: it blocks until the report is written; tests use that).
    dataset
        An already-read :class:`~pmlib.core.model.Dataset` to explore instead of reading the
        folders; reports are then rendered from the folders it was read from.

    State is changed through the ``set_*`` methods (or :meth:`select`), which validate; the
    data methods read it. After :meth:`view` or :meth:`show`, changing a widget calls the same
    setters and refreshes the views.
    """

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
                _resolve(Path(sources[0]).parent) if sources else None
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
    ) -> Explorer:
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

    def _fmt(self, row: pd.Series | dict, column: str) -> str:
        return format_value(row[column], row["unit"], row["decimals"])

    def _target_text(self, row: pd.Series | dict) -> str:
        if pd.notna(row.get("lower")) or pd.notna(row.get("upper")):
            lo, hi = row.get("lower"), row.get("upper")
            if pd.notna(lo) and pd.notna(hi):
                return f"{self._fmt(row, 'lower')} to {self._fmt(row, 'upper')}"
            return (
                f"at least {self._fmt(row, 'lower')}"
                if pd.notna(lo)
                else (f"at most {self._fmt(row, 'upper')}")
            )
        return self._fmt(row, "target") if pd.notna(row.get("target")) else "–"

    # -- the indicator detail ---------------------------------------------------------------------
    def detail(self, indicator: str | None = None, *, chart: bool = True) -> dict[str, Any] | None:
        """Everything the detail view shows for ``indicator`` (default: the selected one).

        Returns ``None`` when no indicator is selected, else a dict: ``indicator_id``, ``name``,
        ``rating`` (its :func:`~pmlib.rating.engine.rate_period` row as a dict), ``facts`` (label, text
        pairs), ``benchmark`` (position text or ``None``), ``history`` (its 8 quarters),
        ``narrative`` and ``methodology`` (:class:`~pmlib.present.tables.Html`) and, with ``chart``,
        ``chart`` (the altair trend chart with target line and tolerance band) and ``spec``
        (its Vega-Lite dict).
        """
        ind_id = self.indicator if indicator is None else indicator
        if ind_id is None:
            return None
        lib = self.dataset.indicators.set_index("id")
        if ind_id not in lib.index:
            raise ParameterError(f"Unknown indicator {ind_id!r}.")
        ind = lib.loc[ind_id]
        rated = self.rated()
        row = rated[rated["indicator_id"].eq(ind_id)].iloc[0].to_dict()
        p = self.period
        facts = [
            ("Value", self._fmt(row, "value")),
            ("Target", self._target_text(row)),
            ("Rating", row["rag"]),
            ("Why", row["rag_reason"]),
            (
                "Direction of travel",
                f"{dot_label(row['dot_short'])} since {p.previous().label}; "
                f"{dot_label(row['dot_long'])} since {p.last_year().label}",
            ),
        ]
        if pd.notna(row.get("forecast")):
            facts.append(
                (
                    "Year-end forecast",
                    f"{self._fmt(row, 'forecast')} ({row['forecast_rag']}): "
                    f"{row['forecast_reason']}",
                )
            )
        positions = self.benchmark_positions()
        benchmark = None
        if not positions.empty and "indicator_id" in positions:
            mine = positions[positions["indicator_id"].eq(ind_id)]
            if not mine.empty:
                benchmark = str(mine["position_text"].iloc[0])
                facts.append(("Benchmark position", benchmark))
        facts.append(("Owner", _text(ind.get("owner"))))
        out = {
            "indicator_id": ind_id,
            "name": str(ind["name"]),
            "rating": row,
            "facts": facts,
            "benchmark": benchmark,
            "history": self.history(ind_id),
            "narrative": self.narrative_html(ind_id, row["rag"]),
            "methodology": self.methodology_html(ind_id, row.get("scheme")),
        }
        if chart:
            out["chart"] = self._chart(ind_id, out["history"])
            out["spec"] = out["chart"].to_dict(validate=False)
        return out

    def _chart(self, indicator: str, history: pd.DataFrame):
        from pmlib.present.charts import trend_chart

        ind = self.dataset.indicators.set_index("id").loc[indicator]
        decimals = int(0 if pd.isna(ind.get("decimals")) else ind["decimals"])
        return trend_chart(
            history, name=str(ind["name"]), unit=str(ind["unit"]), decimals=decimals, width=420,
            height=180,
        )  # fmt: skip

    def narrative_html(self, indicator: str, rag: str = "") -> Html:
        """The officer's four-part narrative for the quarter (escaped)."""
        n = self.dataset.narratives
        n = n[n["indicator_id"].eq(indicator) & n["period"].eq(self.quarter)]
        n = n[has_narrative(n)]
        if n.empty:
            note = (
                "The responsible officer has not supplied the commentary the framework requires "
                "for an off-track indicator."
                if rag in ("Red", "Amber")
                else "None needed for an indicator that is not off track."
            )
            return Html(
                f'<div class="narrative narrative-missing"><p><strong>No narrative for '
                f"{esc(self.quarter)}.</strong> {note}</p></div>"
            )
        r = n.iloc[-1]
        parts = "".join(
            f"<h5>{NARRATIVE_TITLES[c]}</h5><p>{esc(r.get(c)) or '–'}</p>"
            for c in NARRATIVE_PARTS
            if c in r
        )
        when = r.get("updated_at")
        by = esc(r.get("author"))
        signed = f"{by}, {when:%d %B %Y}" if by and pd.notna(when) else by
        return Html(f'<div class="narrative">{parts}<p class="narrative-author">{signed}</p></div>')

    def methodology_html(self, indicator: str, scheme: str | None = None) -> Html:
        """The indicator's methodology statement, as in the report's appendix."""
        ind = self.dataset.indicators.set_index("id").loc[indicator]
        method = ind.get("collection_method")
        confidence = (
            f"{CONFIDENCE[method]} ({method} collection)"
            if isinstance(method, str) and method in CONFIDENCE
            else "–"
        )
        polarity = {
            "higher": "higher",
            "lower": "lower",
            "band": "within the target band",
            "none": "not rated",
        }.get(str(ind["polarity"]), str(ind["polarity"]))
        decimals = 0 if pd.isna(ind.get("decimals")) else int(ind["decimals"])
        rows = [
            ("Definition", _text(ind.get("definition"))),
            ("Council Plan priority", _text(ind.get("priority"))),
            ("Objective", _text(ind.get("objective"))),
            ("Kind", _text(ind.get("kind"))),
            ("Unit", f"{ind['unit']} ({decimals} decimal places)"),
            ("Good performance is", polarity),
            (
                "Frequency",
                f"{ind['frequency']}, {ind['measure']} measure, {ind['aggregation']} roll-up",
            ),
            ("Data source", _text(ind.get("data_source"))),
            ("Data collector", _text(ind.get("data_collector"))),
            ("Data reviewer", _text(ind.get("data_reviewer"))),
            ("Confidence", confidence),
            (
                "Last reviewed",
                "–" if pd.isna(ind.get("last_reviewed")) else f"{ind['last_reviewed']:%d %B %Y}",
            ),
        ]
        schemes = self.dataset.settings.schemes
        if scheme in schemes:
            s = schemes[scheme]
            rows.append(("RAG scheme", f"{s.label}: {s.description}".rstrip(": ")))
        return definition_table(rows, caption=f"Methodology: {indicator} {ind['name']}")

    def chart_svg(self, indicator: str | None = None) -> str:
        """The detail chart as an accessible static SVG figure (offline; cached per indicator
        and quarter)."""
        from pmlib.present.figures import chart_html

        ind_id = self.indicator if indicator is None else indicator
        if ind_id is None:
            return ""
        key = (ind_id, self.quarter)
        if key not in self._svg:
            spec = self._chart(ind_id, self.history(ind_id)).to_dict(validate=False)
            self._svg[key] = chart_html(spec, mode="svg")
            if len(self._svg) > _CACHE_SIZE:
                self._svg.popitem(last=False)
        return self._svg[key]

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

    # -- rendering the committee's report ---------------------------------------------------------
    def default_out_dir(self, quarter: str | None = None) -> Path:
        start = self.dataset.council.fy_start_month
        p = self.period if quarter is None else parse_period(quarter, start)
        params = self.dataset.settings.params_dir
        root = Path(params).resolve().parent if params else Path.cwd()
        return root / "outputs" / p.slug

    def render_report(
        self,
        out_dir: str | Path | None = None,
        *,
        quarter: str | None = None,
        committee: str | None = None,
        force: bool = False,
    ) -> Path:
        """Render the committee's report for the quarter (default: the current ones) through
        the batch machinery, as ``pmlib run --quarter Q --committee C`` does, and return the
        HTML file. An unchanged report is not rendered again (unless ``force``).

        Raises
        ------
        RenderError
            The report failed (the executed notebook is kept beside it for inspection).
        """
        from pmlib.batch.pack import plan_pack, run_pack

        q = self.quarter if quarter is None else quarter
        slug = self.committee if committee is None else committee
        target = out_dir or self.out_dir or self.default_out_dir(q)
        plan = plan_pack(
            q,
            committees=[slug],
            data_dir=self.data_dir,
            params_dir=self.params_dir,
            out_dir=target,
        )
        result = run_pack(plan, jobs=1, force=force, progress=False)
        report = result.reports[0]
        if report.status == "failed":
            raise RenderError(
                f"The {plan.titles[slug]} report for {plan.period_label} failed: {report.error} "
                f"(the executed notebook is in {plan.out_dir / 'notebooks'})."
            )
        path = plan.out_dir / f"{slug}.html"
        self.last_report = path
        return path

    def wait(self, timeout: float | None = None) -> None:
        """Wait for a background render started by the button to finish."""
        if self._render_thread is not None:
            self._render_thread.join(timeout)

    # -- HTML views -------------------------------------------------------------------------------
    def summary_html(self) -> Html:
        c = self.counts()
        badges = " · ".join(f"{n} {rag_badge(r)}" for r, n in c.items())
        scope = "" if self.priority == ALL else f" · {esc(self.priority)}"
        return Html(
            f"<h3>{esc(self.committee_info.title)}: {esc(self.quarter)}{scope}</h3>"
            f"<p>{sum(c.values())} indicators: {badges}</p>"
        )

    def scorecard_html(self) -> Html:
        card = self.scorecard()
        shown = "all ratings" if len(self.rags) in (0, len(RAG_ORDER)) else ", ".join(self.rags)
        if card.empty:
            return Html(
                f'<p class="pmlib-x-note">No indicator matches these filters ({shown}).</p>'
            )
        hist = self.history()
        hist = hist[hist["indicator_id"].isin(set(card["indicator_id"]))]
        trends = {
            i: sparkline(list(g["value"]), list(g["rag"]))
            for i, g in hist.groupby("indicator_id", sort=False)
        }
        p = self.period
        table = pd.DataFrame(
            {
                "Ref": card["indicator_id"],
                "Indicator": card["name"],
                "Value": [self._fmt(r, "value") for r in card.to_dict("records")],
                "Target": [self._target_text(r) for r in card.to_dict("records")],
                "RAG": card["rag"],
                "Short term": card["dot_short"].map(dot_label),
                "Long term": card["dot_long"].map(dot_label),
                "Trend": card["indicator_id"].map(trends).fillna(""),
            }
        )
        return scorecard_table(
            table,
            caption=f"Scorecard: {self.committee_info.title}, {self.quarter} ({shown}). Short "
            f"term compares with {p.previous().label}; long term with {p.last_year().label}.",
        )

    def detail_html(self) -> Html:
        d = self.detail(chart=False)
        if d is None:
            return Html('<p class="pmlib-x-note">No indicator selected.</p>')
        head = f"<h3>{esc(d['indicator_id'])} {esc(d['name'])} {rag_badge(d['rating']['rag'])}</h3>"
        facts = definition_table(d["facts"], caption=f"{d['indicator_id']} in {self.quarter}")
        return Html(
            f"{head}{facts.html}{self.chart_svg()}<h4>Narrative</h4>{d['narrative'].html}"
            f"<details><summary>Methodology</summary>{d['methodology'].html}</details>"
        )

    def what_if_html(self) -> Html:
        w = self.what_if()
        tol = w.tolerance
        intro = (
            f"<p>{esc(w.label)} scheme with Green within {_threshold_text(w.green_within, tol)} "
            f"and Amber within {_threshold_text(w.amber_within, tol)} (as set: "
            f"{_threshold_text(w.base_green_within, tol)} and "
            f"{_threshold_text(w.base_amber_within, tol)}): <strong>{w.n_changed} of "
            f"{w.n_indicators} indicators would change colour</strong>"
            + (f" ({w.n_better} better, {w.n_worse} worse)." if w.n_changed else ".")
            + "</p>"
        )
        if w.is_baseline:
            intro = (
                f"<p>Move the sliders to see how many of these {w.n_indicators} indicators would "
                f"change colour if the {esc(w.label)} scheme's thresholds were different.</p>"
            )
        c = w.counts.set_index("rag")
        head = "".join(f"<th>{rag_badge(r)}</th>" for r in c.index)
        body = "".join(
            f'<tr><th scope="row">{label}</th>'
            + "".join(f"<td>{fmt(v)}</td>" for v in c[column])
            + "</tr>"
            for label, column, fmt in (
                ("Now", "now", str),
                ("What if", "what_if", str),
                ("Change", "change", signed),
            )
        )
        table = (
            '<table class="pmlib-deflist pmlib-x-counts"><caption>RAG counts now and under the '
            f"what-if thresholds</caption><thead><tr><td></td>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table>"
        )
        rows = "".join(
            f"<tr><td>{esc(r['indicator_id'])}</td><td>{esc(r['name'])}</td>"
            f"<td>{esc(self._fmt(r, 'value'))}</td><td>{esc(self._fmt(r, 'target'))}</td>"
            f"<td>{rag_badge(r['rag'])} → {rag_badge(r['what_if_rag'])}</td></tr>"
            for r in w.changes.to_dict("records")
        )
        changes = (
            '<table class="pmlib-deflist"><caption>Indicators that would change colour'
            "</caption><thead><tr><th>Ref</th><th>Indicator</th><th>Value</th><th>Target</th>"
            f"<th>Now → what if</th></tr></thead><tbody>{rows}</tbody></table>"
            if rows
            else ""
        )
        note = (
            '<p class="pmlib-x-note">Only indicators rated under this scheme without thresholds '
            "of their own can change.</p>"
        )
        return Html(intro + table + changes + note)

    def report_link_html(self, path: Path) -> Html:
        """A link to a rendered report, relative to the current folder (the notebook's)."""
        try:
            href = Path(os.path.relpath(path, Path.cwd())).as_posix()
        except ValueError:  # another drive on Windows
            href = path.as_uri()
        return Html(
            f'<p>Report written: <a href="{esc(href)}" target="_blank">{esc(path.name)}</a> '
            f'<span class="pmlib-x-note">({esc(str(path))})</span></p>'
        )

    # -- widgets ----------------------------------------------------------------------------------
    def view(self):
        """The widget tree (built once): controls, scorecard, detail, what-if and report panes."""
        if self._root is not None:
            return self._root
        import ipywidgets as w

        W = self.widgets
        wide = {"description_width": "initial"}
        W["quarter"] = w.Dropdown(
            options=[p.label for p in self.periods], value=self.quarter, description="Quarter"
        )
        W["committee"] = w.Dropdown(
            options=[(c.title, s) for s, c in self.dataset.settings.committees.items()],
            value=self.committee,
            description="Committee",
            layout=w.Layout(width="440px"),
        )
        W["priority"] = w.Dropdown(
            options=[ALL, *self.priorities()],
            value=self.priority,
            description="Priority",
            layout=w.Layout(width="380px"),
        )
        W["rag"] = w.SelectMultiple(
            options=list(RAG_ORDER),
            value=self.rags,
            rows=len(RAG_ORDER),
            description="RAG",
            layout=w.Layout(width="200px"),
        )
        W["indicator"] = w.Dropdown(
            options=self._indicator_options(),
            value=self.indicator,
            description="Indicator",
            layout=w.Layout(width="520px"),
        )
        relative = self.base_scheme.tolerance == "relative"
        top = max(0.25 if relative else 5.0, 4 * self.base_scheme.amber_within)
        slider = {
            "min": 0.0,
            "max": top,
            "step": 0.01 if relative else 0.1,
            "readout_format": ".0%" if relative else ".1f",
            "continuous_update": False,
            "style": wide,
            "layout": w.Layout(width="340px"),
        }
        W["green_within"] = w.FloatSlider(
            value=self.green_within, description="Green within", **slider
        )
        W["amber_within"] = w.FloatSlider(
            value=self.amber_within,
            description="Amber within",
            disabled=self.base_scheme.is_two_colour,
            **slider,
        )
        W["reset"] = w.Button(description="Reset tolerance", icon="undo")
        W["render"] = w.Button(
            description="Render this committee's report",
            button_style="primary",
            icon="file",
            layout=w.Layout(width="280px"),
        )
        for name in ("message", "summary", "scorecard", "detail", "what_if"):
            W[name] = w.HTML()
        W["report"] = w.Output()

        W["quarter"].observe(self._on("quarter"), names="value")
        W["committee"].observe(self._on("committee"), names="value")
        W["priority"].observe(self._on("priority"), names="value")
        W["rag"].observe(self._on("rag"), names="value")
        W["indicator"].observe(self._on("indicator"), names="value")
        W["green_within"].observe(self._on("tolerance"), names="value")
        W["amber_within"].observe(self._on("tolerance"), names="value")
        W["reset"].on_click(lambda _b: self._on("reset")({}))
        W["render"].on_click(lambda _b: self._click_render())

        heading = w.HTML(f"{_CSS}<h2>{esc(self.dataset.council.name)}: performance explorer</h2>")
        controls = w.VBox(
            [
                w.HBox([W["quarter"], W["committee"], W["priority"]], layout=_wrap(w)),
                w.HBox([W["rag"], W["indicator"]], layout=_wrap(w)),
            ]
        )
        left = w.VBox(
            [W["summary"], W["scorecard"]], layout=w.Layout(flex="3 1 560px", min_width="0")
        )
        right = w.VBox([W["detail"]], layout=w.Layout(flex="2 1 440px", min_width="0"))
        what_if = w.VBox(
            [
                w.HTML("<h3>What if the tolerance changed?</h3>"),
                w.HBox([W["green_within"], W["amber_within"], W["reset"]], layout=_wrap(w)),
                W["what_if"],
            ],
            layout=w.Layout(flex="3 1 560px"),
        )
        report = w.VBox(
            [w.HTML("<h3>Committee report</h3>"), W["render"], W["report"]],
            layout=w.Layout(flex="2 1 440px"),
        )
        self._root = w.VBox(
            [
                heading,
                controls,
                W["message"],
                w.HBox([left, right], layout=_wrap(w)),
                w.HBox([what_if, report], layout=_wrap(w)),
            ]
        )
        self._root.add_class("pmlib-explorer")
        self.refresh()
        return self._root

    def show(self) -> None:
        """Display the explorer in the notebook (the widgets update in place)."""
        from IPython.display import display

        display(self.view())

    def _indicator_options(self) -> list[tuple[str, str]]:
        card = self.scorecard()
        return [(f"{i} {n}", i) for i, n in zip(card["indicator_id"], card["name"], strict=True)]

    @contextlib.contextmanager
    def _quiet(self) -> Iterator[None]:
        busy, self._busy = self._busy, True
        try:
            yield
        finally:
            self._busy = busy

    def _on(self, what: str):
        def handler(change: dict) -> None:
            if self._busy:
                return
            W = self.widgets
            try:
                if what == "quarter":
                    self.set_quarter(change["new"])
                elif what == "committee":
                    self.set_committee(change["new"])
                elif what == "priority":
                    self.set_priority(change["new"])
                elif what == "rag":
                    self.set_rags(change["new"])
                elif what == "indicator":
                    self.set_indicator(change["new"])
                    self.refresh(scorecard=False, what_if=False)
                    return
                elif what in ("tolerance", "reset"):
                    if what == "reset":
                        self.reset_tolerance()
                        with self._quiet():
                            W["green_within"].value = self.green_within
                            W["amber_within"].value = self.amber_within
                    else:
                        self.set_tolerance(W["green_within"].value, W["amber_within"].value)
                    W["what_if"].value = self.what_if_html().html
                    return
                self.refresh()
            except PmlibError as exc:
                W["message"].value = f'<p role="alert"><strong>{esc(exc)}</strong></p>'

        return handler

    def refresh(self, *, scorecard: bool = True, what_if: bool = True) -> None:
        """Bring the widgets' options and the HTML views in line with the state."""
        W = self.widgets
        if not W:
            return
        with self._quiet():
            W["message"].value = ""
            if scorecard:
                priorities = [ALL, *self.priorities()]
                if list(W["priority"].options) != priorities:
                    W["priority"].options = priorities
                W["priority"].value = self.priority
                options = self._indicator_options()
                ids = [i for _, i in options]
                if self.indicator not in ids:
                    self.indicator = ids[0] if ids else None
                if list(W["indicator"].options) != options:
                    W["indicator"].options = options
                W["indicator"].value = self.indicator
                W["summary"].value = self.summary_html().html
                W["scorecard"].value = self.scorecard_html().html
            W["detail"].value = self.detail_html().html
            if what_if:
                W["what_if"].value = self.what_if_html().html

    def _show_report_status(self, html: str) -> None:
        self.widgets["report"].outputs = (
            {
                "output_type": "display_data",
                "data": {"text/html": html, "text/plain": _strip_tags(html)},
                "metadata": {},
            },
        )

    def _click_render(self) -> None:
        W = self.widgets
        if self._render_thread is not None and self._render_thread.is_alive():
            return
        q, slug = self.quarter, self.committee
        W["render"].disabled = True
        self._show_report_status(
            f"<p>Rendering the {esc(self.committee_info.title)} report for {esc(q)}…</p>"
        )

        def job() -> None:
            try:
                path = self.render_report(quarter=q, committee=slug)
                self._show_report_status(self.report_link_html(path).html)
            except Exception as exc:  # shown in the notebook, not lost in a thread
                log.exception("Rendering the report failed")
                self._show_report_status(f'<p role="alert"><strong>{esc(exc)}</strong></p>')
            finally:
                W["render"].disabled = False

        if self.background:
            self._render_thread = threading.Thread(target=job, name="pmlib-render", daemon=True)
            self._render_thread.start()
        else:
            job()


def _wrap(w):
    return w.Layout(flex_flow="row wrap", align_items="flex-start", width="100%")


def _text(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return "–"
    return str(value) or "–"


def _strip_tags(html: str) -> str:
    import re

    return re.sub(r"<[^>]+>", "", html).strip()
