"""The explorer's SPC view: the selected indicator's SPC chart, icons and sentence, with the
chart's options as widgets.

An analyst tries what a committee report would show and what the options change: the
improvement direction (from the polarity, or set), a shift of 7 or 6 points, screening of big
moving ranges, and limits fixed after *n* points. The options start from council.yaml's ``spc:``
(:class:`~pmlib.core.spc_settings.SpcSettings`) and the library's ``spc_rebase``; changing them
changes nothing on disk. Unlike a report, the explorer charts any indicator with two or more
figures, saying when it has fewer than ``min_points``.

Mixed into :class:`~pmlib.explore.explorer.Explorer`; :meth:`ExplorerSpc.spc_html` is the view
and :meth:`ExplorerSpc.spc_controls` the widgets (kept in ``Explorer.widgets`` under ``spc_*``).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import pandas as pd

from pmlib.core.errors import ParameterError
from pmlib.core.spc_settings import SpcSettings
from pmlib.present.tables import Html
from pmlib.present.text import esc

__all__ = ["DIRECTIONS", "SHIFT_CHOICES", "ExplorerSpc"]

#: The improvement-direction choices: ``polarity`` follows the indicator's own.
DIRECTIONS = ("polarity", "increase", "decrease", "neutral")
#: Shift lengths offered: NHSRplotthedots' 7 and the Making Data Count Excel tool's 6.
SHIFT_CHOICES = (7, 6)
_CACHE = 32


class ExplorerSpc:
    """SPC state, data and widgets of an :class:`~pmlib.explore.explorer.Explorer`."""

    # set by ExplorerState / ExplorerWidgets
    dataset: Any
    indicator: str | None
    quarter: str
    widgets: dict[str, Any]

    # -- state ------------------------------------------------------------------------------------
    def _spc_state(self) -> dict[str, Any]:
        if not hasattr(self, "_spc"):
            s = self.dataset.council.spc
            self._spc = {
                "direction": "polarity",
                "shift_points": s.shift_points,
                "screen_outliers": s.screen_outliers,
                "fix_after": 0,
                "cache": OrderedDict(),
            }
        return self._spc

    @property
    def spc_options(self) -> dict[str, Any]:
        """The current options: direction, shift_points, screen_outliers, fix_after (0: none)."""
        return {k: v for k, v in self._spc_state().items() if k != "cache"}

    def set_spc_options(
        self,
        *,
        direction: str | None = None,
        shift_points: int | None = None,
        screen_outliers: bool | None = None,
        fix_after: int | None = None,
    ) -> None:
        """Change the SPC options (each left as it is when not given); invalid values are
        refused with the choices."""
        state = self._spc_state()
        if direction is not None:
            if direction not in DIRECTIONS:
                raise ParameterError(
                    f"SPC improvement direction {direction!r}: use one of {', '.join(DIRECTIONS)}."
                )
            state["direction"] = direction
        if shift_points is not None:
            allowed = {*SHIFT_CHOICES, self.dataset.council.spc.shift_points}
            if shift_points not in allowed:
                raise ParameterError(f"SPC shift points {shift_points!r}: use 7 or 6.")
            state["shift_points"] = int(shift_points)
        if screen_outliers is not None:
            state["screen_outliers"] = bool(screen_outliers)
        if fix_after is not None:
            if isinstance(fix_after, bool) or int(fix_after) != fix_after or fix_after < 0:
                raise ParameterError(
                    f"SPC fix after {fix_after!r} points: use a whole number, 0 for none."
                )
            state["fix_after"] = int(fix_after)

    def reset_spc(self) -> None:
        """The options back to council.yaml's."""
        cache = self._spc_state()["cache"]
        del self._spc
        self._spc_state()["cache"] = cache

    # -- data -------------------------------------------------------------------------------------
    def spc(self, indicator: str | None = None) -> dict[str, Any] | None:
        """The SPC of one indicator up to the quarter, under the current options: ``summary``
        (a row), ``points``, ``report`` (a :class:`~pmlib.reports.spc_sections.ReportSpc` for its
        cell and sentence); None when it has fewer than two figures. Cached per state."""
        from pmlib.core.periods import parse_period
        from pmlib.present.spc_indicators import spc_for_indicators
        from pmlib.reports.spc_sections import ReportSpc
        from pmlib.spc import SpcOptions

        ind_id = self.indicator if indicator is None else indicator
        if ind_id is None:
            return None
        state = self._spc_state()
        opts = self.spc_options
        key = (ind_id, self.quarter, *opts.values())
        cache = state["cache"]
        if key in cache:
            return cache[key]
        settings = self.dataset.council.spc
        period = parse_period(self.quarter, self.dataset.council.fy_start_month)
        rows = self.dataset.indicators[self.dataset.indicators["id"].eq(ind_id)]
        options = SpcOptions(
            shift_points=opts["shift_points"],
            trend_points=settings.trend_points,
            screen_outliers=opts["screen_outliers"],
            fix_after_n_points=opts["fix_after"] or None,
        )
        direction = None if opts["direction"] == "polarity" else opts["direction"]
        result = spc_for_indicators(self.dataset, period, rows, options, direction=direction)
        out = None
        if not result.summary.empty and int(result.summary["points"].iloc[0]) >= 2:
            summary = result.summary.set_index("indicator_id")
            report = ReportSpc(SpcSettings(show=True, min_points=2), summary, result.points)
            out = {"summary": summary.loc[ind_id], "points": result.points, "report": report}
        cache[key] = out
        if len(cache) > _CACHE:
            cache.popitem(last=False)
        return out

    # -- view -------------------------------------------------------------------------------------
    def spc_html(self) -> Html:
        """The SPC view of the selected indicator: icons with words, the "SPC says" sentence,
        any warning, and the chart (static SVG with its text alternative). Cached per state."""
        ind_id = self.indicator
        if ind_id is None:
            return Html("")
        # drawing the chart (vl-convert) is most of the time: keep each view drawn
        cache = self._spc_state()["cache"]
        key = ("html", ind_id, self.quarter, *self.spc_options.values())
        if key not in cache:
            cache[key] = self._spc_view(ind_id)
            if len(cache) > _CACHE:
                cache.popitem(last=False)
        return Html(cache[key])

    def _spc_view(self, ind_id: str) -> str:
        from pmlib.present.spc_charts import spc_chart_html

        found = self.spc(ind_id)
        head = "<h3>Statistical process control (SPC)</h3>"
        if found is None:
            return (
                f"{head}<p>{esc(ind_id)} has fewer than two figures up to {esc(self.quarter)}: "
                "no SPC chart.</p>"
            )
        row, report = found["summary"], found["report"]
        ind = self.dataset.indicators.set_index("id").loc[ind_id]
        rated = self.rated().set_index("indicator_id")["rag"]  # type: ignore[attr-defined]
        rag = rated.get(ind_id)
        parts = [head, f'<div class="pmlib-explore-spc-cell">{report.cell(ind_id)}</div>']
        parts.append(f'<p class="pmlib-spc-says">{esc(report.says(ind_id, rag))}</p>')
        minimum = self.dataset.council.spc.min_points
        if int(row["points"]) < minimum:
            parts.append(
                f"<p><strong>Only {int(row['points'])} figures</strong>: a committee report shows "
                f"SPC from {minimum} (council.yaml spc.min_points).</p>"
            )
        target = row.get("target")
        parts.append(
            spc_chart_html(
                found["points"].rename(columns={"period": "date"}),
                name=str(ind["name"]),
                unit=str(ind["unit"]),
                decimals=int(ind["decimals"]),
                target=None if pd.isna(target) else float(target),
                assurance=_text_or_none(row.get("assurance_type")),
                width=420,
                height=200,
            )
        )
        return "".join(parts)

    # -- widgets ----------------------------------------------------------------------------------
    def spc_controls(self, w: Any) -> Any:
        """The SPC widgets and view (``spc_direction``, ``spc_shift``, ``spc_screen``,
        ``spc_fix``, ``spc``) in a box, wired to :meth:`set_spc_options`."""
        W, o = self.widgets, self.spc_options
        wide = {"description_width": "initial"}
        W["spc_direction"] = w.Dropdown(
            options=[
                ("From polarity", "polarity"),
                ("Higher is better", "increase"),
                ("Lower is better", "decrease"),
                ("Neutral", "neutral"),
            ],
            value=o["direction"],
            description="Improvement direction",
            style=wide,
        )
        shifts = sorted({*SHIFT_CHOICES, o["shift_points"]}, reverse=True)
        W["spc_shift"] = w.Dropdown(
            options=shifts, value=o["shift_points"], description="Shift points", style=wide
        )
        W["spc_screen"] = w.Checkbox(value=o["screen_outliers"], description="Screen outliers")
        W["spc_fix"] = w.BoundedIntText(
            value=o["fix_after"],
            min=0,
            max=120,
            description="Fix limits after n points (0: no)",
            style=wide,
        )
        W["spc"] = w.HTML()

        def changed(_change: dict) -> None:
            if getattr(self, "_busy", False):
                return
            try:
                self.set_spc_options(
                    direction=W["spc_direction"].value,
                    shift_points=int(W["spc_shift"].value),
                    screen_outliers=bool(W["spc_screen"].value),
                    fix_after=int(W["spc_fix"].value),
                )
            except ParameterError as exc:
                W["spc"].value = f'<p role="alert"><strong>{esc(exc)}</strong></p>'
                return
            W["spc"].value = self.spc_html().html

        for name in ("spc_direction", "spc_shift", "spc_screen", "spc_fix"):
            W[name].observe(changed, names="value")
        options = w.HBox(
            [W["spc_direction"], W["spc_shift"], W["spc_screen"], W["spc_fix"]],
            layout=w.Layout(flex_flow="row wrap", width="100%"),
        )
        return w.VBox([options, W["spc"]])

    def refresh_spc(self) -> None:
        """Bring the SPC widgets and view in line with the state (after an indicator, quarter
        or reset change)."""
        W = self.widgets
        if "spc" not in W:
            return
        o = self.spc_options
        W["spc_direction"].value = o["direction"]
        W["spc_shift"].value = o["shift_points"]
        W["spc_screen"].value = o["screen_outliers"]
        W["spc_fix"].value = o["fix_after"]
        W["spc"].value = self.spc_html().html


def _text_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None
