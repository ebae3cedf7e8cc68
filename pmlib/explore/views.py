"""The explorer's HTML views: scorecard, indicator detail, what-if and report link.

Built from the report fragments (:mod:`pmlib.present.fragments`) so that the explorer shows an
indicator in the same words as the committee report.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pandas as pd

from pmlib.core.errors import ParameterError
from pmlib.data.quality import has_narrative
from pmlib.explore.state import _CACHE_SIZE, ALL
from pmlib.present.fragments import (
    direction_text,
    methodology_statement,
    narrative_block,
    target_text,
    text_or_dash,
)
from pmlib.present.plan_fragments import (
    actions_summary,
    actions_table,
    risks_summary,
    risks_table,
)
from pmlib.present.tables import Html, definition_table, scorecard_table, sparkline
from pmlib.present.text import (
    RAG_ORDER,
    dot_label,
    esc,
    format_value,
    rag_badge,
    signed,
)
from pmlib.reports.plan_sections import PlanSections

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


def _threshold_text(value: float, tolerance: str) -> str:
    if tolerance == "relative":
        return f"{value * 100:.3g}%"
    return f"{value:.3g} (in each indicator's units)"


class ExplorerViews:
    """The detail and the HTML views of an :class:`~pmlib.explore.explorer.Explorer`."""

    def _fmt(self, row: pd.Series | dict, column: str) -> str:
        return format_value(row[column], row["unit"], row["decimals"])

    def _target_text(self, row: pd.Series | dict) -> str:
        return target_text(row, row["unit"], row["decimals"])

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
                direction_text(
                    row["dot_short"], row["dot_long"], p.previous().label, p.last_year().label
                ),
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
        facts.append(("Owner", text_or_dash(ind.get("owner"))))
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
            height=180, measure=str(ind["measure"]),
        )  # fmt: skip

    def narrative_html(self, indicator: str, rag: str = "") -> Html:
        """The officer's four-part narrative for the quarter (escaped)."""
        n = self.dataset.narratives
        n = n[n["indicator_id"].eq(indicator) & n["period"].eq(self.quarter)]
        headings = self.dataset.council.narrative_headings
        n = n[has_narrative(n, [c for c, _ in headings])]
        if n.empty:
            note = (
                "The responsible officer has not supplied the commentary the framework requires "
                "for an off-track indicator."
                if rag in ("Red", "Amber")
                else "None needed for an indicator that is not off track."
            )
            return narrative_block(
                None, missing=f"<strong>No narrative for {esc(self.quarter)}.</strong> {note}"
            )
        return narrative_block(n.iloc[-1], level=5, headings=headings)

    def methodology_html(self, indicator: str, scheme: str | None = None) -> Html:
        """The indicator's methodology statement, as in the report's appendix."""
        ind = self.dataset.indicators.set_index("id").loc[indicator]
        schemes = self.dataset.settings.schemes
        return methodology_statement(
            ind,
            caption=f"Methodology: {indicator} {ind['name']}",
            scheme=schemes.get(scheme),
        )

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

    def plan_html(self) -> Html:
        """The committee's key actions and strategic risks for the quarter, rated as in its
        report (:mod:`pmlib.reports.plan_sections`); empty when the council keeps neither."""
        if self.dataset.actions.empty and self.dataset.risks.empty:
            return Html("")
        committee = self.committee_info
        indicators = self.dataset.indicators_for(committee).set_index("id")
        plan = PlanSections(self.dataset, committee, self.period, indicators)
        parts = []
        if not plan.actions.empty:
            parts.append(f"<h3>Key actions</h3><p>{esc(actions_summary(plan.actions, self.quarter))}</p>")  # fmt: skip
            parts.append(actions_table(plan.actions, self.quarter).html)
        if not plan.risks.empty:
            parts.append(f"<h3>Strategic risks</h3><p>{esc(risks_summary(plan.risks, self.quarter))}</p>")  # fmt: skip
            parts.append(risks_table(plan.risks).html)
        if not parts:
            return Html(f'<p class="pmlib-x-note">No key actions or risks for {esc(committee.title)}.</p>')  # fmt: skip
        return Html("".join(parts))

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


def _strip_tags(html: str) -> str:
    import re

    return re.sub(r"<[^>]+>", "", html).strip()
