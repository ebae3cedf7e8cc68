"""Chart builders: each returns a Vega-Lite spec (never saves), carrying a text alternative.

Charts receive only the rows and columns they draw (an unaggregated frame embeds itself whole).
RAG on a chart is colour *and* shape, with the word in the tooltip and the key.

Every chart is drawn to read at phone width: about 390 px wide in all with 12 px text, so the
page can shrink it to a 360 px column and its text stays at least 11 px (see
:mod:`pmlib.present.figures`, which stops it shrinking further).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from pmlib.core.periods import try_parse_period
from pmlib.core.units import unit_label
from pmlib.present.chart_key import KeyEntry, KeyStyle, with_key
from pmlib.present.text import RAG_ORDER, RAG_STYLE, format_value, format_values
from pmlib.present.theme import AF_PALETTE, CHART_FONT_SIZE, TEXT_COLOUR
from pmlib.present.vegalite import VegaLite, dataset_name, layer, nominal, quantitative, records

__all__ = ["axis_title", "describe_trend", "fy_segments", "rag_bar_chart", "trend_chart"]

_BAND_FILL = RAG_STYLE["Amber"]["fill"]


def axis_title(unit: str) -> str:
    """The value axis title for a unit, so no chart shows a bare number.

    The unit's label from :func:`pmlib.core.units.unit_label` (the same words a CSV column
    header uses), capitalised.

    >>> axis_title("currency_thousands"), axis_title("days"), axis_title("rate_per_1000")
    ('£ thousands', 'Days', 'Per 1,000')
    """
    label = unit_label(unit) or "Value"
    return label[:1].upper() + label[1:]


def fy_segments(periods: list[str], fy_start_month: int = 4) -> list[str]:
    """The financial year of each period label (``2026/27 Q2`` → ``2026/27``).

    A year-to-date (``measure: cumulative``) figure restarts every April, so its line is drawn
    one segment per financial year: joining Q4 (the year's total) to the next Q1 would draw a
    fall that never happened.
    """
    out = []
    for label in periods:
        p = try_parse_period(label, fy_start_month)
        out.append(p.fy_label if p is not None else str(label))
    return out


def _rag_scale(present: list[str]) -> dict[str, dict[str, list[str]]]:
    """Colour and shape scales listing only the RAG states that are drawn, in reading order."""
    domain = [r for r in RAG_ORDER if r in present]
    return {
        "color": {"domain": domain, "range": [RAG_STYLE[r]["fill"] for r in domain]},
        "shape": {"domain": domain, "range": [RAG_STYLE[r]["shape"] for r in domain]},
    }


def describe_trend(
    name: str, history: pd.DataFrame, unit: str, decimals: int, *, cumulative: bool = False
) -> str:
    """A sentence a screen reader can use instead of the chart.

    Read from the columns as lists: a row of a mixed frame (``iloc``) costs a Series each."""
    values = history["value"].tolist()
    rows = [i for i, v in enumerate(values) if not pd.isna(v)]  # dropna(subset=["value"])
    if not rows:
        return f"Trend chart for {name}: no values to plot."
    first, last = rows[0], rows[-1]
    periods = history["period"].tolist()
    kind = "year-to-date " if cumulative else ""
    text = (
        f"Trend chart for {name}, {kind}{axis_title(unit).lower()}, over {len(rows)} periods, "
        f"from {format_value(values[first], unit, decimals)} in {periods[first]} to "
        f"{format_value(values[last], unit, decimals)} in {periods[last]}"
    )
    target = history["target"].iat[last] if "target" in history.columns else None
    if pd.notna(target):
        text += f", against a target of {format_value(target, unit, decimals)}"
    text += f"; latest rating {history['rag'].iat[-1]}."
    if cumulative:
        text += " The running total restarts each financial year, so each year is its own line."
    return text


def _period_axis() -> dict[str, Any]:
    # "2026/27 Q2" → two short lines "Q2" / "26/27", and "2026/27" → "26/27": eight quarters or
    # years fit 300 px at 12 px type without overlapping
    return {
        "labelAngle": 0,
        "labelExpr": (
            r"test(/^\d{4}\/\d{2} Q\d$/, datum.label) ? "
            r"[substring(datum.label, 8), substring(datum.label, 2, 7)] : "
            r"test(/^\d{4}\/\d{2}$/, datum.label) ? substring(datum.label, 2) : datum.label"
        ),
    }


#: The trend chart's key: the dashed target, the Amber band, the RAG shapes.
_TREND_KEY = KeyStyle(
    rules=[("target", {"color": TEXT_COLOUR, "strokeDash": [6, 4], "strokeWidth": 1.5})],
    band={"color": _BAND_FILL, "opacity": 0.3},
    point_field="rag",
    point_size=70,
)


def _key_entries(present: list[str], has_target: bool, has_band: bool) -> list[KeyEntry]:
    """What the trend chart's key lists: only what the chart draws."""
    entries = [KeyEntry("target", "Target")] if has_target else []
    if has_band:
        entries.append(KeyEntry("band", "Amber: within tolerance"))
    return entries + [KeyEntry("point", r, r) for r in RAG_ORDER if r in present]


def trend_chart(
    history: pd.DataFrame,
    *,
    name: str,
    unit: str,
    decimals: int,
    measure: str = "period",
    fy_start_month: int = 4,
    width: int = 300,
    height: int = 180,
) -> VegaLite:
    """Value over time against its target, with the Amber tolerance band and a key.

    ``history`` is one indicator's rows from :func:`pmlib.rating.engine.rate_history`: ``period``,
    ``ordinal``, ``value``, ``target``, ``green_threshold``, ``red_threshold``, ``rag`` (oldest
    first). The y axis is titled with the unit; the latest period — the one the report is
    about — is a larger, opaque point labelled with its value; the key below lists the target,
    the band and only the RAG states drawn. A ``cumulative`` (year-to-date) ``measure`` is drawn
    one line per financial year (see :func:`fy_segments`).
    """
    cols = ["period", "ordinal", "value", "target", "green_threshold", "red_threshold", "rag"]
    data = history.reindex(columns=cols).sort_values("ordinal").reset_index(drop=True)
    cumulative = measure == "cumulative"
    # tooltips show text pmlib formatted (Excel rounding, units), not a d3 number format
    data["label"] = format_values(data["value"], unit, decimals)
    data["target_label"] = format_values(data["target"], unit, decimals)
    data["segment"] = fy_segments(list(data["period"]), fy_start_month) if cumulative else ""
    data["latest"] = data.index == len(data) - 1
    x = nominal("period", axis=_period_axis(), sort=list(data["period"]), title=None)
    y_title = axis_title(unit) + (", year to date" if cumulative else "")
    present = list(data.loc[data["value"].notna(), "rag"].unique())
    scales = _rag_scale(present)
    detail = nominal("segment")
    value = quantitative("value")
    latest = {"test": "datum.latest"}
    plot = [
        layer(
            "area",
            {"detail": detail, "tooltip": [nominal("period", title="Period")], "x": x,
             "y": quantitative("green_threshold"), "y2": {"field": "red_threshold"}},
            transform=[
                {"filter": "isValid(datum.green_threshold) && isValid(datum.red_threshold)"}
            ],
            color=_BAND_FILL, opacity=0.3,
        ),
        layer(
            "line",
            {"detail": detail, "x": x, "y": quantitative("target", title=y_title)},
            transform=[{"filter": "isValid(datum.target)"}],
            color=TEXT_COLOUR, strokeDash=[6, 4], strokeWidth=1.5,
        ),
        layer(
            "line",
            {"detail": detail, "x": x,
             "y": quantitative("value", scale={"zero": False}, title=y_title)},
            color=AF_PALETTE[0],
        ),
        layer(
            "point",
            {
                "color": nominal("rag", legend=None, scale=scales["color"], title="RAG"),
                "opacity": {"condition": {**latest, "value": 1.0}, "value": 0.7},
                "shape": nominal("rag", legend=None, scale=scales["shape"], title="RAG"),
                "size": {"condition": {**latest, "value": 150}, "value": 50},
                "tooltip": [
                    nominal("period", title="Period"),
                    nominal("label", title="Value"),
                    nominal("target_label", title="Target"),
                    nominal("rag", title="RAG"),
                ],
                "x": x,
                "y": value,
            },
            transform=[{"filter": "isValid(datum.value)"}],
            filled=True, stroke=TEXT_COLOUR, strokeWidth=0.5,
        ),
        layer(
            "text",
            {"text": nominal("label"), "x": x, "y": value},
            transform=[{"filter": "datum.latest && isValid(datum.value)"}],
            align="right", color=TEXT_COLOUR, dy=-14, fontSize=CHART_FONT_SIZE, fontWeight="bold",
        ),
    ]  # fmt: skip
    entries = _key_entries(
        present,
        has_target=bool(data["target"].notna().any()),
        has_band=bool((data["green_threshold"].notna() & data["red_threshold"].notna()).any()),
    )
    return with_key(
        plot,
        records(data),
        entries,
        _TREND_KEY,
        scales,
        width=width,
        height=height,
        description=describe_trend(name, data, unit, decimals, cumulative=cumulative),
    )


def _wrap(text: str, limit: int = 20) -> str:
    """A label broken into lines of about ``limit`` characters, joined by ``|`` for the axis."""
    lines: list[str] = []
    for word in str(text).split():
        if lines and len(lines[-1]) + 1 + len(word) <= limit:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "|".join(lines)


def rag_bar_chart(
    counts: pd.DataFrame, *, title: str = "", order: list[str] | None = None
) -> VegaLite:
    """Horizontal stacked bar of RAG counts per group (e.g. per Council Plan priority).

    ``counts`` columns: ``group``, ``rag``, ``n``. Bars run in ``order`` — pass the order of
    the table printed with the chart; by default alphabetical, as
    :meth:`pmlib.reports.committee.CommitteeReport.golden_thread` lists the priorities.
    Group names are shown whole, wrapped over lines (never cut with an ellipsis); the legend
    lists only the RAG states counted.
    """
    data = counts[counts["n"] > 0].reset_index(drop=True)
    groups = list(dict.fromkeys(data["group"]))
    order = [g for g in (order or sorted(groups)) if g in groups] + [
        g for g in groups if order is not None and g not in order
    ]
    data = data.assign(
        axis_label=data["group"].map(_wrap),
        rag_order=data["rag"].map({r: i for i, r in enumerate(RAG_ORDER)}),
    )
    text = "; ".join(
        f"{g}: " + ", ".join(f"{int(n)} {r}" for r, n in zip(d["rag"], d["n"], strict=True))
        for g, d in ((g, data[data["group"].eq(g)].sort_values("rag_order")) for g in order)
    )
    scales = _rag_scale(list(data["rag"]))
    cols = ["group", "rag", "n", "axis_label", "rag_order"]
    values = records(data[cols])
    name = dataset_name(values)
    bars = layer(
        "bar",
        {
            "color": nominal(
                "rag",
                legend={"columns": 3, "direction": "horizontal", "orient": "bottom"},
                scale=scales["color"],
                title=None,
            ),
            "order": quantitative("rag_order"),
            "tooltip": [
                nominal("group", title="Priority"),
                nominal("rag", title="RAG"),
                quantitative("n", title="Indicators"),
            ],
            "x": quantitative("n", axis={"tickMinStep": 1}, title="Number of indicators"),
            "y": nominal(
                "axis_label",
                axis={"labelExpr": "split(datum.label, '|')", "labelLimit": 0, "labelPadding": 6},
                sort=[_wrap(g) for g in order],
                title=None,
            ),
        },
        stroke=TEXT_COLOUR,
        strokeWidth=0.5,
    )
    return VegaLite(
        {
            "data": {"name": name},
            **bars,
            "description": f"RAG ratings by Council Plan priority. {text}.",
            "height": {"step": 40},
            # room for labels set in a wider font than vl-convert measured (DejaVu for Arial)
            "padding": {"left": 24, "top": 5, "right": 5, "bottom": 5},
            "title": title,
            "width": 200,
        },
        {name: values},
    )
