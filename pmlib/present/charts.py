"""Chart builders: each returns an ``alt.Chart`` spec (never saves), carrying a text alternative.

Charts receive only the rows and columns they draw (an unaggregated frame embeds itself whole).
RAG on a chart is colour *and* shape, with the word in the tooltip and legend.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from pmlib.present.text import format_value, format_values
from pmlib.present.theme import RAG_SCALE_COLOURS, RAG_SCALE_DOMAIN, RAG_SCALE_SHAPES


def _rag_encodings() -> dict:
    return {
        "color": alt.Color(
            "rag:N", title="RAG", scale=alt.Scale(domain=RAG_SCALE_DOMAIN, range=RAG_SCALE_COLOURS)
        ),
        "shape": alt.Shape(
            "rag:N", title="RAG", scale=alt.Scale(domain=RAG_SCALE_DOMAIN, range=RAG_SCALE_SHAPES)
        ),
    }


def describe_trend(name: str, history: pd.DataFrame, unit: str, decimals: int) -> str:
    """A sentence a screen reader can use instead of the chart."""
    h = history.dropna(subset=["value"])
    if h.empty:
        return f"Trend chart for {name}: no values to plot."
    first, last = h.iloc[0], h.iloc[-1]
    text = (
        f"Trend chart for {name} over {len(h)} periods, from "
        f"{format_value(first['value'], unit, decimals)} in {first['period']} to "
        f"{format_value(last['value'], unit, decimals)} in {last['period']}"
    )
    if pd.notna(last.get("target")):
        text += f", against a target of {format_value(last['target'], unit, decimals)}"
    return text + f"; latest rating {last['rag']}."


def trend_chart(
    history: pd.DataFrame,
    *,
    name: str,
    unit: str,
    decimals: int,
    width: int = 520,
    height: int = 200,
) -> alt.LayerChart:
    """Value over time with the target line, the Amber tolerance band and RAG-marked points.

    ``history`` is one indicator's rows from :func:`pmlib.rating.engine.rate_history`: ``period``,
    ``ordinal``, ``value``, ``target``, ``green_threshold``, ``red_threshold``, ``rag``.
    """
    cols = ["period", "ordinal", "value", "target", "green_threshold", "red_threshold", "rag"]
    data = history.reindex(columns=cols).sort_values("ordinal").reset_index(drop=True)
    # tooltips show text pmlib formatted (Excel rounding, units), not a d3 number format
    data["label"] = format_values(data["value"], unit, decimals)
    data["target_label"] = format_values(data["target"], unit, decimals)
    order = list(data["period"])
    x = alt.X(
        "period:N",
        sort=order,
        title=None,
        axis=alt.Axis(labelAngle=0, labelExpr="split(datum.label, ' ')"),
    )
    base = alt.Chart(data)
    band = (
        base.mark_area(opacity=0.25, color="#F2A900")
        .encode(
            x=x,
            y="green_threshold:Q",
            y2="red_threshold:Q",
            tooltip=[alt.Tooltip("period:N", title="Period")],
        )
        .transform_filter("isValid(datum.green_threshold) && isValid(datum.red_threshold)")
    )
    target = (
        base.mark_line(strokeDash=[6, 4], color="#0B0C0C", strokeWidth=1.5)
        .encode(
            x=x,
            y=alt.Y("target:Q", title=None),
        )
        .transform_filter("isValid(datum.target)")
    )
    line = base.mark_line().encode(x=x, y=alt.Y("value:Q", title=None, scale=alt.Scale(zero=False)))
    points = (
        base.mark_point(filled=True, size=90, stroke="#0B0C0C", strokeWidth=0.5)
        .encode(
            x=x,
            y="value:Q",
            **_rag_encodings(),
            tooltip=[
                alt.Tooltip("period:N", title="Period"),
                alt.Tooltip("label:N", title="Value"),
                alt.Tooltip("target_label:N", title="Target"),
                alt.Tooltip("rag:N", title="RAG"),
            ],
        )
        .transform_filter("isValid(datum.value)")
    )
    return alt.layer(band, target, line, points).properties(
        width=width,
        height=height,
        description=describe_trend(name, data, unit, decimals),
    )


def rag_bar_chart(counts: pd.DataFrame, *, title: str = "") -> alt.Chart:
    """Horizontal stacked bar of RAG counts per group (e.g. per Council Plan priority).

    ``counts`` columns: ``group``, ``rag``, ``n``.
    """
    data = counts[counts["n"] > 0].reset_index(drop=True)
    text = "; ".join(
        f"{g}: " + ", ".join(f"{int(n)} {r}" for r, n in zip(d["rag"], d["n"], strict=True))
        for g, d in data.groupby("group", sort=False)
    )
    bars = (
        alt.Chart(data)
        .mark_bar(stroke="#0B0C0C", strokeWidth=0.5)
        .encode(
            y=alt.Y("group:N", title=None, sort=list(dict.fromkeys(data["group"]))),
            x=alt.X("n:Q", title="Indicators", axis=alt.Axis(tickMinStep=1)),
            color=alt.Color(
                "rag:N",
                title="RAG",
                scale=alt.Scale(domain=RAG_SCALE_DOMAIN, range=RAG_SCALE_COLOURS),
            ),
            order=alt.Order("rag_order:Q"),
            tooltip=["group:N", "rag:N", "n:Q"],
        )
        .transform_calculate(rag_order="indexof(" + str(RAG_SCALE_DOMAIN) + ", datum.rag)")
    )
    return bars.properties(
        width=480,
        height=alt.Step(26),
        title=title,
        description=f"RAG ratings by Council Plan priority. {text}.",
    )
