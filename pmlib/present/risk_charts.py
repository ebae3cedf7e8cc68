"""Charts for risks and budgets: the risk heat map and the budget variance bar chart.

Both are altair specs in the house theme, drawn by the report as static SVG like every other
chart (:mod:`pmlib.present.figures`). Colour is never the only carrier: each heat-map cell
prints its count and each bar is labelled with its variance; the ``description`` (the figure's
text alternative) lists every non-empty cell or every bar, and the report prints the heat map
as a table beside it.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from pmlib.core.plan import RiskRules
from pmlib.present.charts import _wrap
from pmlib.present.fragments import signed_value
from pmlib.present.text import RAG_STYLE
from pmlib.present.theme import TEXT_COLOUR
from pmlib.rating.risks import band_scores

__all__ = ["risk_heat_map", "variance_chart"]


def risk_heat_map(cells: pd.DataFrame, rules: RiskRules | None = None) -> alt.LayerChart:
    """A scale × scale grid of likelihood (up) by impact (across), each cell coloured by its
    band and labelled with the number of risks in it.

    ``cells``: :func:`pmlib.rating.risks.heat_counts` (every cell, with ``n`` and ``ids``).
    """
    rules = rules or RiskRules()
    bands = band_scores(cells["likelihood"], cells["impact"], rules)
    data = cells.assign(
        score=bands["score"].astype(int),
        band=bands["band"],
        fill=bands["band_rag"].map(lambda r: RAG_STYLE.get(r, RAG_STYLE["Grey"])["fill"]),
        ink=bands["band_rag"].map(lambda r: RAG_STYLE.get(r, RAG_STYLE["Grey"])["text"]),
        label=cells["n"].map(lambda n: str(n) if n else ""),
    )
    listed = data[data["n"] > 0].sort_values(["score", "likelihood"], ascending=False)
    described = "; ".join(
        f"{r.n} at likelihood {r.likelihood}, impact {r.impact} ({r.band}, score {r.score}): "
        f"{r.ids}"
        for r in listed.itertuples()
    )
    total = int(data["n"].sum())
    description = (
        f"Risk heat map of {total} risk{'s' if total != 1 else ''}: likelihood 1-{rules.scale} "
        f"(up) by impact 1-{rules.scale} (across). {described or 'No risks'}."
    )
    scale = list(range(1, rules.scale + 1))
    base = alt.Chart(data).encode(
        x=alt.X("impact:O", title="Impact", sort=scale, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("likelihood:O", title="Likelihood", sort=list(reversed(scale))),
    )
    squares = base.mark_rect(stroke="#FFFFFF", strokeWidth=2).encode(
        color=alt.Color("fill:N", scale=None, legend=None),
        tooltip=[
            alt.Tooltip("likelihood:O", title="Likelihood"),
            alt.Tooltip("impact:O", title="Impact"),
            alt.Tooltip("band:N", title="Band"),
            alt.Tooltip("n:Q", title="Risks"),
            alt.Tooltip("ids:N", title="References"),
        ],
    )
    counts = base.mark_text(fontSize=14, fontWeight="bold").encode(
        text="label:N", color=alt.Color("ink:N", scale=None, legend=None)
    )
    return (squares + counts).properties(
        width=260, height=260, title="Current risk scores", description=description
    )


def variance_chart(rated: pd.DataFrame) -> alt.LayerChart:
    """Each service's variance (forecast − budget), one bar per service and line, coloured by
    its band; each bar's label (on the axis, so it never collides with a bar) names the service,
    the line and the signed variance; zero is marked."""
    label = [
        signed_value(v, u, 0 if u != "currency_millions" else 1)
        for v, u in zip(rated["variance"], rated["unit"], strict=True)
    ]
    row = [
        f"{s} ({ln}): {t}" for s, ln, t in zip(rated["service"], rated["line"], label, strict=True)
    ]
    data = rated.assign(
        label=label,
        thousands=rated["variance_pounds"] / 1000,
        row=[_wrap(r, 28) for r in row],
        fill=rated["rag"].map(lambda r: RAG_STYLE.get(r, RAG_STYLE["Grey"])["fill"]),
    )
    text = "; ".join(f"{r} ({b})" for r, b in zip(row, rated["band"], strict=True))
    description = f"Budget variance by service (forecast outturn minus budget). {text}."
    bars = (
        alt.Chart(data)
        .mark_bar(stroke=TEXT_COLOUR, strokeWidth=0.5)
        .encode(
            y=alt.Y(
                "row:N",
                title=None,
                sort=list(data["row"]),
                axis=alt.Axis(labelExpr="split(datum.label, '|')", labelLimit=0, labelPadding=6),
            ),
            x=alt.X("thousands:Q", title="Variance, £ thousands (over budget to the right)"),
            color=alt.Color("fill:N", scale=None, legend=None),
            tooltip=[
                alt.Tooltip("service:N", title="Service"),
                alt.Tooltip("label:N", title="Variance"),
                alt.Tooltip("band:N", title="Band"),
            ],
        )
    )
    zero = alt.Chart(pd.DataFrame({"x": [0]})).mark_rule(color=TEXT_COLOUR).encode(x="x:Q")
    return (bars + zero).properties(
        # room for labels set in a wider font than vl-convert measured (as rag_bar_chart)
        padding={"left": 24, "top": 5, "right": 5, "bottom": 5},
        width=220,
        height=alt.Step(36),
        title="Budget variance",
        description=description,
    )
