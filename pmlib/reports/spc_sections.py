"""SPC in the committee report: which indicators get it, and what each section shows of it.

:class:`ReportSpc` is computed once per report (from council.yaml's ``spc:``,
:class:`~pmlib.core.spc_settings.SpcSettings`) and asked by the report's sections for their
part: the scorecard's SPC cell (variation and assurance, icon *and* words), the "SPC says"
sentences (glance and exception sections), the SPC chart in each exception section, the
scorecard CSV's text columns and the methodology appendix's guide. With ``show: false`` (the
default) it holds nothing and every method returns nothing, so reports are as they were.

An indicator gets SPC when the council's ``spc.indicators`` covers it and it has at least
``spc.min_points`` figures at its own frequency up to the report's period; its mean and limits
start again at each period in its ``spc_rebase`` column.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from pmlib.core.model import Dataset
from pmlib.core.periods import Period
from pmlib.core.spc_settings import SpcSettings
from pmlib.present.spc_fragments import (
    ASSURANCE_WORDS,
    VARIATION_WORDS,
    reading_rag_and_spc_html,
    spc_cell_html,
    spc_says,
)
from pmlib.present.tables import Html
from pmlib.present.text import esc

__all__ = ["ReportSpc", "report_spc", "spc_options"]

#: The scorecard CSV's SPC columns (present only when SPC is shown).
CSV_COLUMNS = ("spc_variation", "spc_assurance", "spc_points", "spc_short_group")
_SHORT = 13


def spc_options(settings: SpcSettings) -> Any:
    """The engine's options from council.yaml's ``spc:`` (direction and target come per
    indicator from its polarity and targets)."""
    from pmlib.spc import SpcOptions

    return SpcOptions(
        shift_points=settings.shift_points,
        trend_points=settings.trend_points,
        screen_outliers=settings.screen_outliers,
    )


@dataclass
class ReportSpc:
    """The SPC a report shows: ``summary`` (one row per indicator shown, by id) and ``points``."""

    settings: SpcSettings = field(default_factory=SpcSettings)
    summary: pd.DataFrame = field(default_factory=pd.DataFrame)
    points: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: indicators with an exception section (their glance item links to it)
    anchors: frozenset = frozenset()

    @property
    def active(self) -> bool:
        """Whether the report shows any SPC at all."""
        return self.settings.show and not self.summary.empty

    def shown(self, ind_id: str) -> bool:
        return self.active and ind_id in self.summary.index

    def _row(self, ind_id: str) -> pd.Series:
        return self.summary.loc[ind_id]

    def _assurance(self, row: pd.Series) -> str | None:
        a = row.get("assurance_type")
        return str(a) if isinstance(a, str) and a in ASSURANCE_WORDS else None

    def _short(self, row: pd.Series) -> int | None:
        """The latest group's size when it is short (the warning), else None."""
        n = int(row["n"])
        return n if n < _SHORT else None

    @functools.cached_property
    def _points_by_id(self) -> dict[str, pd.DataFrame]:
        """Each indicator's points, split once per report (every exception section and "SPC
        says" sentence asks for one indicator's; filtering the whole table each time cost
        more than the rest of those sections)."""
        if self.points.empty:
            return {}
        return dict(iter(self.points.groupby("indicator_id", sort=False, observed=True)))

    def _points(self, ind_id: str) -> pd.DataFrame:
        """One indicator's points, as ``points[points["indicator_id"].eq(ind_id)]`` gives them."""
        found = self._points_by_id.get(ind_id)
        return self.points.iloc[:0] if found is None else found

    def _rebased_from(self, ind_id: str) -> str | None:
        p = self._points(ind_id)
        starts = p.loc[p["rebase_group"].ne(p["rebase_group"].shift()), "period"].iloc[1:]
        return str(starts.iloc[-1]) if len(starts) else None

    def cell(self, ind_id: str) -> str:
        """The scorecard's SPC cell (HTML; "–" when the indicator gets no SPC)."""
        if not self.shown(ind_id):
            return '<span class="pmlib-spc-none">–</span>'
        row = self._row(ind_id)
        return spc_cell_html(
            str(row["variation_type"]),
            self._assurance(row),
            direction=str(row["improvement_direction"]),
            short_points=self._short(row),
        )

    def says(self, ind_id: str, rag: str | None = None) -> str:
        """The "SPC says" sentences for one indicator ("" when it gets no SPC)."""
        if not self.shown(ind_id):
            return ""
        row = self._row(ind_id)
        return spc_says(
            str(row["variation_type"]),
            self._assurance(row),
            rag=rag,
            rebased_from=self._rebased_from(ind_id),
            short_points=self._short(row),
        )

    def glance(self, rated: pd.DataFrame, names: pd.Series) -> Html:
        """One "SPC says" item for each indicator whose latest figure is a special cause
        (the signals a committee should not miss), or nothing."""
        if not self.active:
            return Html("")
        special = self.summary[self.summary["variation_type"].astype(str) != "common_cause"]
        if special.empty:
            return Html(
                "<p>SPC: every indicator charted is varying within its usual range (common "
                "cause); no figure this period is a signal of real change.</p>"
            )
        rags = dict(zip(rated["indicator_id"], rated["rag"], strict=True))
        items = "".join(
            f"<li>{_ref(i, i in self.anchors)} {esc(names.get(i, ''))}: "
            f"{esc(self.says(i, rags.get(i)))}</li>"
            for i in special.index
        )
        return Html(
            '<div class="pmlib-spc-glance"><p>Statistical process control (SPC) finds a real '
            "change, not random variation, in these indicators:</p>"
            f"<ul>{items}</ul></div>"
        )

    def exception_parts(
        self, ind_id: str, rated: pd.DataFrame, indicators: pd.DataFrame
    ) -> list[Any]:
        """What an exception section shows of SPC: the "SPC says" sentences and the chart (or
        nothing). ``rated`` gives the rating, ``indicators`` (by id) the name and unit."""
        if not self.shown(ind_id):
            return []
        from pmlib.present.figures import Figure
        from pmlib.present.spc_charts import spc_chart

        ind = indicators.loc[ind_id]
        rag = dict(zip(rated["indicator_id"], rated["rag"], strict=True)).get(ind_id)
        row = self._row(ind_id)
        pts = self._points(ind_id).rename(columns={"period": "date"})
        target = row.get("target")
        chart = spc_chart(
            pts,
            name=str(ind["name"]),
            unit=str(ind["unit"]),
            decimals=int(ind["decimals"]),
            target=None if pd.isna(target) else float(target),
            assurance=self._assurance(row),
            width=520,
            height=200,
        )
        says = Html(f'<p class="pmlib-spc-says">{esc(self.says(ind_id, rag))}</p>')
        return [says, Figure(chart)]

    def csv_columns(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The scorecard frame with the SPC text columns added (unchanged when not shown)."""
        if not self.active:
            return frame
        out = frame.copy()
        s = self.summary.reindex(out["indicator_id"])
        out["spc_variation"] = s["variation_type"].map(VARIATION_WORDS).to_numpy()
        out["spc_assurance"] = s["assurance_type"].map(ASSURANCE_WORDS).to_numpy()
        n = s["n"].to_numpy(dtype=float)
        shown = ~np.isnan(n)
        out["spc_points"] = pd.array(np.where(shown, s["points"], 0), dtype="Int64")
        out.loc[~shown, "spc_points"] = pd.NA
        short = pd.array(n < _SHORT, dtype="boolean")
        short[~shown] = pd.NA
        out["spc_short_group"] = short
        return out

    def guide(self) -> Html:
        """The methodology appendix's "Reading RAG and SPC together" (when SPC is shown)."""
        if not self.active:
            return Html("")
        s = self.settings
        return Html(reading_rag_and_spc_html(s.min_points, s.shift_points, s.trend_points))


def report_spc(
    dataset: Dataset,
    period: Period,
    indicators: pd.DataFrame,
    exceptions: pd.DataFrame | None = None,
) -> ReportSpc:
    """The SPC of a report on ``indicators`` (library rows) up to ``period``; ``exceptions``
    (the report's) are linked from the glance.

    Nothing is computed when council.yaml does not ask for SPC (``spc.show`` false).
    """
    settings = dataset.council.spc
    if not settings.show:
        return ReportSpc(settings)
    from pmlib.present.spc_indicators import spc_for_indicators

    chosen = indicators[[settings.covers(i) for i in indicators["id"]]]
    if chosen.empty:
        return ReportSpc(settings)
    result = spc_for_indicators(dataset, period, chosen, spc_options(settings))
    summary = result.summary
    if summary.empty:
        return ReportSpc(settings)
    summary = summary[summary["points"] >= settings.min_points].set_index("indicator_id")
    points = result.points[result.points["indicator_id"].isin(summary.index)]
    anchors = frozenset(() if exceptions is None else exceptions["indicator_id"])
    return ReportSpc(settings, summary, points.reset_index(drop=True), anchors)


def _ref(ind_id: str, linked: bool) -> str:
    return f'<a href="#ex-{esc(ind_id)}">{esc(ind_id)}</a>' if linked else esc(ind_id)
