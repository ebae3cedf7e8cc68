"""Charts for risks and budgets: the risk heat map and the budget variance bar chart.

Both are Vega-Lite specs (:class:`pmlib.present.vegalite.VegaLite`) in the house theme, drawn
by the report as static SVG like every other chart (:mod:`pmlib.present.figures`). Colour is never the only carrier: each heat-map cell
prints its count and each bar is labelled with its variance; the ``description`` (the figure's
text alternative) lists every non-empty cell or every bar, and the report prints the heat map
as a table beside it.
"""

from __future__ import annotations

import pandas as pd

from pmlib.core.plan import RiskRules
from pmlib.present.charts import _wrap
from pmlib.present.fragments import signed_value
from pmlib.present.text import RAG_STYLE
from pmlib.present.theme import TEXT_COLOUR
from pmlib.present.vegalite import (
    VegaLite,
    dataset_name,
    layer,
    nominal,
    ordinal,
    quantitative,
    records,
)
from pmlib.rating.risks import band_scores

__all__ = ["risk_heat_map", "variance_chart"]


def risk_heat_map(cells: pd.DataFrame, rules: RiskRules | None = None) -> VegaLite:
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
    x = ordinal("impact", axis={"labelAngle": 0}, sort=scale, title="Impact")
    y = ordinal("likelihood", sort=list(reversed(scale)), title="Likelihood")
    squares = layer(
        "rect",
        {
            "color": nominal("fill", legend=None, scale=None),
            "tooltip": [
                ordinal("likelihood", title="Likelihood"),
                ordinal("impact", title="Impact"),
                nominal("band", title="Band"),
                quantitative("n", title="Risks"),
                nominal("ids", title="References"),
            ],
            "x": x,
            "y": y,
        },
        stroke="#FFFFFF",
        strokeWidth=2,
    )
    counts = layer(
        "text",
        {
            "color": nominal("ink", legend=None, scale=None),
            "text": nominal("label"),
            "x": x,
            "y": y,
        },
        fontSize=14,
        fontWeight="bold",
    )
    cols = ["likelihood", "impact", "n", "ids", "score", "band", "fill", "ink", "label"]
    values = records(data[cols])
    name = dataset_name(values)
    return VegaLite(
        {
            "layer": [squares, counts],
            "data": {"name": name},
            "description": description,
            "height": 260,
            "title": "Current risk scores",
            "width": 260,
        },
        {name: values},
    )


def variance_chart(rated: pd.DataFrame) -> VegaLite:
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
    bars = layer(
        "bar",
        {
            "color": nominal("fill", legend=None, scale=None),
            "tooltip": [
                nominal("service", title="Service"),
                nominal("label", title="Variance"),
                nominal("band", title="Band"),
            ],
            "x": quantitative(
                "thousands", title="Variance, £ thousands (over budget to the right)"
            ),
            "y": nominal(
                "row",
                axis={"labelExpr": "split(datum.label, '|')", "labelLimit": 0, "labelPadding": 6},
                sort=list(data["row"]),
                title=None,
            ),
        },
        stroke=TEXT_COLOUR,
        strokeWidth=0.5,
    )
    zero = layer("rule", {"x": quantitative("x")}, color=TEXT_COLOUR)
    # only the columns drawn: the finance rows' commentary and other fields stay out of the spec
    values = records(data[["service", "label", "band", "thousands", "row", "fill"]])
    bars_name, zero_values = dataset_name(values), [{"x": 0}]
    zero_name = dataset_name(zero_values)
    return VegaLite(
        {
            "layer": [{"data": {"name": bars_name}, **bars}, {"data": {"name": zero_name}, **zero}],
            "description": description,
            "height": {"step": 36},
            # room for labels set in a wider font than vl-convert measured (as rag_bar_chart)
            "padding": {"left": 24, "top": 5, "right": 5, "bottom": 5},
            "title": "Budget variance",
            "width": 220,
        },
        {bars_name: values, zero_name: zero_values},
    )
