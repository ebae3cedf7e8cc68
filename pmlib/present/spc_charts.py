"""The SPC (XmR) chart and the words for its signals, for any report.

One series' points from :func:`pmlib.spc.calculate_spc` become a Making Data Count style chart:
the values joined by a thin line, each rebase group's mean (solid) and process limits (dotted)
drawn as separate segments so a rebase visibly starts new lines, the target dashed as on the
trend chart, and every point coloured *and shaped* by its type (WCAG 1.4.1: never colour alone),
with a drawn key listing only what is shown and a text alternative that says what the chart
says. Like every pmlib chart the builder returns an altair spec; :func:`spc_chart_html` draws
it as static SVG with vl-convert (:func:`pmlib.present.figures.chart_html`).

The colours are NHSRplotthedots' (Making Data Count's): grey for common cause, blue for
improvement, orange for concern, purple for a neutral signal.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from pmlib.present.charts import axis_title
from pmlib.present.figures import chart_html
from pmlib.present.text import format_value, format_values
from pmlib.present.theme import CHART_FONT_SIZE, TEXT_COLOUR

__all__ = [
    "ASSURANCE_TEXT",
    "POINT_STYLE",
    "VARIATION_TEXT",
    "describe_spc",
    "spc_chart",
    "spc_chart_html",
]

#: Each point type's words (the key and the variation "icon" text), colour and shape.
POINT_STYLE = {
    "common_cause": {"label": "Common cause", "fill": "#7B7D7D", "shape": "circle"},
    "special_cause_improvement": {
        "label": "Special cause: improving",
        "fill": "#289DE0",
        "shape": "square",
    },
    "special_cause_concern": {
        "label": "Special cause: concern",
        "fill": "#FAB428",
        "shape": "diamond",
    },
    "special_cause_neutral_high": {
        "label": "Special cause: higher",
        "fill": "#361475",
        "shape": "triangle-up",
    },
    "special_cause_neutral_low": {
        "label": "Special cause: lower",
        "fill": "#361475",
        "shape": "triangle-down",
    },
}
#: The variation signal (the latest point's type) in words, for text beside an icon.
VARIATION_TEXT = {
    "common_cause": "Common cause: no significant change",
    "special_cause_improvement": "Special cause: improving",
    "special_cause_concern": "Special cause: concern",
    "special_cause_neutral_high": "Special cause: higher than usual",
    "special_cause_neutral_low": "Special cause: lower than usual",
}
#: The assurance signal in words.
ASSURANCE_TEXT = {
    "consistent_pass": "Will reliably meet the target",
    "consistent_fail": "Will not meet the target unless the process changes",
    "inconsistent": "Will not reliably meet target: hits and misses at random",
}
_LIMIT_COLOUR = "#505A5F"
_LINE_COLOUR = "#BFC1C3"
_KEY_ROW = 20
_KEY_WIDTH = 300
_CHAR_PX = 7.0


def describe_spc(
    name: str,
    points: pd.DataFrame,
    unit: str,
    decimals: int,
    *,
    assurance: str | None = None,
) -> str:
    """The chart's text alternative: what a sighted reader takes from it, in sentences."""
    p = points
    if p.empty:
        return f"SPC chart for {name}: no values to plot."
    last = p.iloc[-1]
    fmt = lambda v: format_value(v, unit, decimals)  # noqa: E731
    text = (
        f"SPC chart for {name}, {axis_title(unit).lower()}, over {len(p)} points from "
        f"{p.iloc[0]['date']} to {last['date']}."
    )
    if pd.notna(last["lpl"]):
        text += (
            f" Latest mean {fmt(last['mean'])}, process limits {fmt(last['lpl'])} to "
            f"{fmt(last['upl'])}."
        )
    else:
        text += f" Mean {fmt(last['mean'])}; too few different values to set process limits."
    starts = p.loc[p["rebase_group"].ne(p["rebase_group"].shift()), "date"].iloc[1:]
    if len(starts):
        text += " Limits recalculated from " + ", ".join(map(str, starts)) + "."
    special = p[p["point_type"].astype(str) != "common_cause"]
    if len(special):
        counts = special["point_type"].astype(str).value_counts()
        text += (
            f" {len(special)} special-cause point{'s' if len(special) != 1 else ''} ("
            + ", ".join(f"{n} {POINT_STYLE[k]['label'].split(': ')[1]}" for k, n in counts.items())
            + ")."
        )
    else:
        text += " Every point is common cause."
    text += f" Latest point {fmt(last['value'])} in {last['date']}: "
    text += VARIATION_TEXT[str(last["point_type"])].lower() + "."
    if assurance in ASSURANCE_TEXT:
        text += f" Against the target: {ASSURANCE_TEXT[assurance].lower()}."
    return text


def _key_items(types: list[str], has_target: bool, has_limits: bool) -> pd.DataFrame:
    entries = [("mean", "", "Mean")]
    if has_limits:
        entries.append(("limits", "", "Process limits"))
    if has_target:
        entries.append(("target", "", "Target"))
    entries += [("point", t, POINT_STYLE[t]["label"]) for t in POINT_STYLE if t in types]
    rows, x, y = [], 0.0, 0
    for kind, point_type, label in entries:
        w = 22 + len(label) * _CHAR_PX + 14
        if x and x + w > _KEY_WIDTH:
            x, y = 0.0, y + 1
        rows.append(
            {"kind": kind, "type": point_type, "label": label, "x": x, "y": y * _KEY_ROW + 8}
        )
        x += w
    return pd.DataFrame(rows, columns=["kind", "type", "label", "x", "y"])


def _scales(types: list[str]) -> dict[str, alt.Scale]:
    domain = [t for t in POINT_STYLE if t in types]
    return {
        "color": alt.Scale(domain=domain, range=[POINT_STYLE[t]["fill"] for t in domain]),
        "shape": alt.Scale(domain=domain, range=[POINT_STYLE[t]["shape"] for t in domain]),
    }


def _key_chart(items: pd.DataFrame, scales: dict[str, alt.Scale], width: int) -> alt.LayerChart:
    """The key drawn as marks, so the lines' dashes and the points' shapes show as drawn."""
    base = alt.Chart(items)
    x = alt.X("x:Q", scale=None, axis=None)
    y = alt.Y("y:Q", scale=None, axis=None)
    x2 = alt.X2("x2:Q")

    def rule(kind: str, **style) -> alt.Chart:
        return (
            base.transform_filter(f"datum.kind === '{kind}'")
            .transform_calculate(x2="datum.x + 18")
            .mark_rule(**style)
            .encode(x=x, x2=x2, y=y)
        )

    point = (
        base.transform_filter("datum.kind === 'point'")
        .transform_calculate(cx="datum.x + 9")
        .mark_point(filled=True, size=60, stroke=TEXT_COLOUR, strokeWidth=0.5, opacity=1)
        .encode(
            x=alt.X("cx:Q", scale=None, axis=None),
            y=y,
            color=alt.Color("type:N", scale=scales["color"], legend=None),
            shape=alt.Shape("type:N", scale=scales["shape"], legend=None),
        )
    )
    text = (
        base.transform_calculate(tx="datum.x + 24")
        .mark_text(align="left", baseline="middle", fontSize=CHART_FONT_SIZE, color=TEXT_COLOUR)
        .encode(x=alt.X("tx:Q", scale=None, axis=None), y=y, text="label:N")
    )
    rows = int(items["y"].max() // _KEY_ROW) + 1 if len(items) else 1
    return alt.layer(
        rule("mean", color=_LIMIT_COLOUR, strokeWidth=1.5),
        rule("limits", color=_LIMIT_COLOUR, strokeWidth=1.2, strokeDash=[2, 2]),
        rule("target", color=TEXT_COLOUR, strokeWidth=1.5, strokeDash=[6, 4]),
        point,
        text,
    ).properties(width=width, height=rows * _KEY_ROW, view=alt.ViewConfig(stroke=None))


def spc_chart(
    points: pd.DataFrame,
    *,
    name: str,
    unit: str = "number",
    decimals: int = 0,
    target: float | None = None,
    assurance: str | None = None,
    width: int = 300,
    height: int = 180,
) -> alt.VConcatChart:
    """One series' XmR chart: values, mean and process limits per rebase group, target, key.

    ``points`` is one series' rows of :attr:`pmlib.spc.SpcResult.points`, oldest first, with a
    ``date`` column of labels for the x axis (a period label or an ISO date) and the per-point
    fields (``value``, ``mean``, ``lpl``, ``upl``, ``rebase_group``, ``point_type``,
    ``special_cause_rule``). ``target`` (if any) is drawn dashed; ``assurance`` (the summary's
    ``assurance_type``) only enters the text alternative.
    """
    cols = ["date", "value", "mean", "lpl", "upl", "rebase_group", "point_type"]
    data = points.reindex(columns=[*cols, "special_cause_rule"]).reset_index(drop=True)
    data["date"] = data["date"].astype(str)
    data["point_type"] = data["point_type"].astype(str)
    data["special_cause_rule"] = data["special_cause_rule"].astype(str)
    data["label"] = format_values(data["value"], unit, decimals)
    data["signal"] = data["point_type"].map(lambda t: POINT_STYLE[t]["label"])
    data["target"] = target
    types = list(dict.fromkeys(data["point_type"]))
    scales = _scales(types)
    y_title = axis_title(unit)
    x = alt.X(
        "date:N",
        sort=list(data["date"]),
        title=None,
        axis=alt.Axis(labelAngle=-45, labelOverlap=True),
    )
    base = alt.Chart(data)
    group = alt.Detail("rebase_group:N")

    def group_line(field: str, **style) -> alt.Chart:
        return (
            base.mark_line(**style)
            .encode(x=x, y=alt.Y(f"{field}:Q", title=y_title), detail=group)
            .transform_filter(f"isValid(datum.{field})")
        )

    layers = [
        base.mark_line(color=_LINE_COLOUR, strokeWidth=1.5).encode(
            x=x, y=alt.Y("value:Q", title=y_title, scale=alt.Scale(zero=False))
        ),
        group_line("mean", color=_LIMIT_COLOUR, strokeWidth=1.5),
        group_line("lpl", color=_LIMIT_COLOUR, strokeWidth=1.2, strokeDash=[2, 2]),
        group_line("upl", color=_LIMIT_COLOUR, strokeWidth=1.2, strokeDash=[2, 2]),
    ]
    if target is not None and pd.notna(target):
        layers.append(
            base.mark_line(color=TEXT_COLOUR, strokeWidth=1.5, strokeDash=[6, 4]).encode(
                x=x, y=alt.Y("target:Q", title=y_title)
            )
        )
    layers.append(
        base.mark_point(
            filled=True, size=50, stroke=TEXT_COLOUR, strokeWidth=0.5, opacity=1
        ).encode(
            x=x,
            y="value:Q",
            color=alt.Color("point_type:N", scale=scales["color"], legend=None),
            shape=alt.Shape("point_type:N", scale=scales["shape"], legend=None),
            tooltip=[
                alt.Tooltip("date:N", title="Period"),
                alt.Tooltip("label:N", title="Value"),
                alt.Tooltip("signal:N", title="Signal"),
                alt.Tooltip("special_cause_rule:N", title="Rule"),
            ],
        )
    )
    plot = alt.layer(*layers).properties(width=width, height=height)
    items = _key_items(
        types,
        has_target=target is not None and bool(pd.notna(target)),
        has_limits=bool(data["lpl"].notna().any()),
    )
    description = describe_spc(name, data, unit, decimals, assurance=assurance)
    return (
        alt.vconcat(plot, _key_chart(items, scales, width), spacing=8)
        .resolve_scale(color="independent", shape="independent")
        .properties(description=description)
    )


def spc_chart_html(points: pd.DataFrame, **kwargs: object) -> str:
    """:func:`spc_chart` drawn now as static SVG, in pmlib's accessible figure HTML (the
    description as its text alternative and caption; the description alone if it cannot be
    drawn)."""
    chart = spc_chart(points, **kwargs)  # type: ignore[arg-type]
    return chart_html(chart.to_dict(validate=False), mode="svg")
