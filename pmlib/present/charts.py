"""Chart builders: each returns an altair spec (never saves), carrying a text alternative.

Charts receive only the rows and columns they draw (an unaggregated frame embeds itself whole).
RAG on a chart is colour *and* shape, with the word in the tooltip and the key.

Every chart is drawn to read at phone width: about 390 px wide in all with 12 px text, so the
page can shrink it to a 360 px column and its text stays at least 11 px (see
:mod:`pmlib.present.figures`, which stops it shrinking further).
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from pmlib.core.periods import try_parse_period
from pmlib.core.units import unit_label
from pmlib.present.text import RAG_ORDER, RAG_STYLE, format_value, format_values
from pmlib.present.theme import AF_PALETTE, CHART_FONT_SIZE, TEXT_COLOUR

__all__ = ["axis_title", "describe_trend", "fy_segments", "rag_bar_chart", "trend_chart"]

_BAND_FILL = RAG_STYLE["Amber"]["fill"]
_KEY_ROW = 20  # px per row of a chart's key
_KEY_WIDTH = 300  # px of a key row before it wraps
_CHAR_PX = 7.0  # average width of a 12 px Arial character, generous, for laying out the key


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


def _rag_scale(present: list[str]) -> dict[str, alt.Scale]:
    """Colour and shape scales listing only the RAG states that are drawn, in reading order."""
    domain = [r for r in RAG_ORDER if r in present]
    return {
        "color": alt.Scale(domain=domain, range=[RAG_STYLE[r]["fill"] for r in domain]),
        "shape": alt.Scale(domain=domain, range=[RAG_STYLE[r]["shape"] for r in domain]),
    }


def describe_trend(
    name: str, history: pd.DataFrame, unit: str, decimals: int, *, cumulative: bool = False
) -> str:
    """A sentence a screen reader can use instead of the chart."""
    h = history.dropna(subset=["value"])
    if h.empty:
        return f"Trend chart for {name}: no values to plot."
    first, last = h.iloc[0], h.iloc[-1]
    kind = "year-to-date " if cumulative else ""
    text = (
        f"Trend chart for {name}, {kind}{axis_title(unit).lower()}, over {len(h)} periods, from "
        f"{format_value(first['value'], unit, decimals)} in {first['period']} to "
        f"{format_value(last['value'], unit, decimals)} in {last['period']}"
    )
    if pd.notna(last.get("target")):
        text += f", against a target of {format_value(last['target'], unit, decimals)}"
    text += f"; latest rating {history.iloc[-1]['rag']}."
    if cumulative:
        text += " The running total restarts each financial year, so each year is its own line."
    return text


def _period_axis() -> alt.Axis:
    # "2026/27 Q2" → two short lines "Q2" / "26/27", and "2026/27" → "26/27": eight quarters or
    # years fit 300 px at 12 px type without overlapping
    return alt.Axis(
        labelAngle=0,
        labelExpr=(
            r"test(/^\d{4}\/\d{2} Q\d$/, datum.label) ? "
            r"[substring(datum.label, 8), substring(datum.label, 2, 7)] : "
            r"test(/^\d{4}\/\d{2}$/, datum.label) ? substring(datum.label, 2) : datum.label"
        ),
    )


def _key_items(present: list[str], has_target: bool, has_band: bool) -> pd.DataFrame:
    """Entries of a chart's key, laid out left to right in rows of at most ``_KEY_WIDTH`` px."""
    entries = []
    if has_target:
        entries.append(("target", "", "Target"))
    if has_band:
        entries.append(("band", "", "Amber: within tolerance"))
    entries += [("rag", r, r) for r in RAG_ORDER if r in present]
    rows, x, y = [], 0.0, 0
    for kind, rag, label in entries:
        w = 22 + len(label) * _CHAR_PX + 14
        if x and x + w > _KEY_WIDTH:
            x, y = 0.0, y + 1
        rows.append({"kind": kind, "rag": rag, "label": label, "x": x, "y": y * _KEY_ROW + 8})
        x += w
    return pd.DataFrame(rows, columns=["kind", "rag", "label", "x", "y"])


def _key_chart(items: pd.DataFrame, scales: dict[str, alt.Scale], width: int) -> alt.LayerChart:
    """The chart's key, drawn as marks: the dashed target, the Amber band, the RAG shapes.

    Vega-Lite's own legends cannot show a dashed line and a shaded band beside RAG shapes in one
    list, and put each in a separate legend; a small drawn key can, and lists only what is drawn.
    """
    base = alt.Chart()  # the data goes on the layer: altair hashes each layer's data otherwise
    x = alt.X("x:Q", scale=None, axis=None)
    y = alt.Y("y:Q", scale=None, axis=None)
    target = (
        base.transform_filter("datum.kind === 'target'")
        .transform_calculate(x2="datum.x + 18")
        .mark_rule(strokeDash=[6, 4], color=TEXT_COLOUR, strokeWidth=1.5)
        .encode(x=x, x2=alt.X2("x2:Q"), y=y)
    )
    band = (
        base.transform_filter("datum.kind === 'band'")
        .transform_calculate(x2="datum.x + 18", y1="datum.y - 6", y2="datum.y + 6")
        .mark_rect(color=_BAND_FILL, opacity=0.3)
        .encode(x=x, x2=alt.X2("x2:Q"), y=alt.Y("y1:Q", scale=None, axis=None), y2=alt.Y2("y2:Q"))
    )
    rag = (
        base.transform_filter("datum.kind === 'rag'")
        .transform_calculate(cx="datum.x + 9")
        .mark_point(filled=True, size=70, stroke=TEXT_COLOUR, strokeWidth=0.5, opacity=1)
        .encode(
            x=alt.X("cx:Q", scale=None, axis=None),
            y=y,
            color=alt.Color("rag:N", scale=scales["color"], legend=None),
            shape=alt.Shape("rag:N", scale=scales["shape"], legend=None),
        )
    )
    text = (
        base.transform_calculate(tx="datum.x + 24")
        .mark_text(align="left", baseline="middle", fontSize=CHART_FONT_SIZE, color=TEXT_COLOUR)
        .encode(x=alt.X("tx:Q", scale=None, axis=None), y=y, text=alt.Text("label:N"))
    )
    rows = int(items["y"].max() // _KEY_ROW) + 1 if len(items) else 1
    # sizes passed to the constructor, not .properties(): each altair method deep-copies the chart
    return alt.layer(
        target, band, rag, text, data=items,
        width=width, height=rows * _KEY_ROW, view=alt.ViewConfig(stroke=None),
    )  # fmt: skip


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
) -> alt.VConcatChart:
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
    x = alt.X("period:N", sort=list(data["period"]), title=None, axis=_period_axis())
    y_title = axis_title(unit) + (", year to date" if cumulative else "")
    present = list(data.loc[data["value"].notna(), "rag"].unique())
    scales = _rag_scale(present)
    base = alt.Chart()  # the data goes on the layer: altair hashes each layer's data otherwise
    detail = alt.Detail("segment:N")
    band = (
        base.mark_area(opacity=0.3, color=_BAND_FILL)
        .encode(
            x=x,
            y=alt.Y("green_threshold:Q"),
            y2=alt.Y2("red_threshold:Q"),
            detail=detail,
            tooltip=[alt.Tooltip("period:N", title="Period")],
        )
        .transform_filter("isValid(datum.green_threshold) && isValid(datum.red_threshold)")
    )
    target = (
        base.mark_line(strokeDash=[6, 4], color=TEXT_COLOUR, strokeWidth=1.5)
        .encode(x=x, y=alt.Y("target:Q", title=y_title), detail=detail)
        .transform_filter("isValid(datum.target)")
    )
    line = base.mark_line(color=AF_PALETTE[0]).encode(
        x=x, y=alt.Y("value:Q", title=y_title, scale=alt.Scale(zero=False)), detail=detail
    )
    points = (
        base.mark_point(filled=True, stroke=TEXT_COLOUR, strokeWidth=0.5)
        .encode(
            x=x,
            y=alt.Y("value:Q"),
            color=alt.Color("rag:N", title="RAG", scale=scales["color"], legend=None),
            shape=alt.Shape("rag:N", title="RAG", scale=scales["shape"], legend=None),
            size=alt.SizeValue(50, condition={"test": "datum.latest", "value": 150}),
            opacity=alt.OpacityValue(0.7, condition={"test": "datum.latest", "value": 1.0}),
            tooltip=[
                alt.Tooltip("period:N", title="Period"),
                alt.Tooltip("label:N", title="Value"),
                alt.Tooltip("target_label:N", title="Target"),
                alt.Tooltip("rag:N", title="RAG"),
            ],
        )
        .transform_filter("isValid(datum.value)")
    )
    latest = (
        base.mark_text(
            dy=-14, fontSize=CHART_FONT_SIZE, fontWeight="bold", color=TEXT_COLOUR, align="right"
        )
        .encode(x=x, y=alt.Y("value:Q"), text=alt.Text("label:N"))
        .transform_filter("datum.latest && isValid(datum.value)")
    )
    plot = alt.layer(band, target, line, points, latest, data=data, width=width, height=height)
    items = _key_items(
        present,
        has_target=bool(data["target"].notna().any()),
        has_band=bool((data["green_threshold"].notna() & data["red_threshold"].notna()).any()),
    )
    return alt.vconcat(
        plot,
        _key_chart(items, scales, width),
        spacing=8,
        resolve=alt.Resolve(scale=alt.ScaleResolveMap(color="independent", shape="independent")),
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
) -> alt.Chart:
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
    bars = (
        alt.Chart(data)
        .mark_bar(stroke=TEXT_COLOUR, strokeWidth=0.5)
        .encode(
            y=alt.Y(
                "axis_label:N",
                title=None,
                sort=[_wrap(g) for g in order],
                axis=alt.Axis(labelExpr="split(datum.label, '|')", labelLimit=0, labelPadding=6),
            ),
            x=alt.X("n:Q", title="Number of indicators", axis=alt.Axis(tickMinStep=1)),
            color=alt.Color(
                "rag:N",
                title=None,
                scale=scales["color"],
                legend=alt.Legend(orient="bottom", direction="horizontal", columns=3),
            ),
            order=alt.Order("rag_order:Q"),
            tooltip=[
                alt.Tooltip("group:N", title="Priority"),
                alt.Tooltip("rag:N", title="RAG"),
                alt.Tooltip("n:Q", title="Indicators"),
            ],
        )
    )
    return bars.properties(
        # room for labels set in a wider font than vl-convert measured (DejaVu for Arial)
        padding={"left": 24, "top": 5, "right": 5, "bottom": 5},
        width=200,
        height=alt.Step(40),
        title=title,
        description=f"RAG ratings by Council Plan priority. {text}.",
    )
