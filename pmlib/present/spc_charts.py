"""The SPC (XmR) chart and the words for its signals, for any report.

One series' points from :func:`pmlib.spc.calculate_spc` become a Making Data Count style chart:
the values joined by a thin line, each rebase group's mean (solid) and process limits (dotted)
drawn as separate segments so a rebase visibly starts new lines, the target dashed as on the
trend chart (each period at the target it had then), and every point coloured *and shaped* by
its type (WCAG 1.4.1: never colour alone), with a drawn key listing only what is shown (:mod:`pmlib.present.chart_key`) and a text
alternative that says what the chart says. The builder returns a Vega-Lite spec
(:class:`pmlib.present.vegalite.VegaLite`); :func:`spc_chart_html` draws it as static SVG with
vl-convert (:func:`pmlib.present.figures.chart_html`).

The colours are NHSRplotthedots' (Making Data Count's): grey for common cause, blue for
improvement, orange for concern, purple for a neutral signal.
"""

from __future__ import annotations

from collections import Counter

import pandas as pd

from pmlib.present.chart_key import KeyEntry, KeyStyle, with_key
from pmlib.present.charts import axis_title
from pmlib.present.figures import chart_html
from pmlib.present.text import format_value, format_values
from pmlib.present.theme import TEXT_COLOUR
from pmlib.present.vegalite import VegaLite, layer, nominal, quantitative, records

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
    # the latest row's cells one at a time: a row of a mixed frame (iloc) costs a Series
    last = {c: p[c].iat[-1] for c in ("date", "lpl", "mean", "upl", "value", "point_type")}
    dates = p["date"].tolist()
    fmt = lambda v: format_value(v, unit, decimals)  # noqa: E731
    text = (
        f"SPC chart for {name}, {axis_title(unit).lower()}, over {len(p)} points from "
        f"{dates[0]} to {last['date']}."
    )
    if pd.notna(last["lpl"]):
        text += (
            f" Latest mean {fmt(last['mean'])}, process limits {fmt(last['lpl'])} to "
            f"{fmt(last['upl'])}."
        )
    else:
        text += f" Mean {fmt(last['mean'])}; too few different values to set process limits."
    groups = p["rebase_group"].tolist()
    # where the group changes from the row before (as ``ne(shift())``), after the first row
    starts = [d for i, d in enumerate(dates) if i and groups[i] != groups[i - 1]]
    if starts:
        text += " Limits recalculated from " + ", ".join(map(str, starts)) + "."
    special = [t for t in map(str, p["point_type"].tolist()) if t != "common_cause"]
    if special:
        counts = Counter(special).most_common()  # value_counts: most first, ties as first seen
        text += (
            f" {len(special)} special-cause point{'s' if len(special) != 1 else ''} ("
            + ", ".join(f"{n} {POINT_STYLE[k]['label'].split(': ')[1]}" for k, n in counts)
            + ")."
        )
    else:
        text += " Every point is common cause."
    text += f" Latest point {fmt(last['value'])} in {last['date']}: "
    text += VARIATION_TEXT[str(last["point_type"])].lower() + "."
    if assurance in ASSURANCE_TEXT:
        text += f" Against the target: {ASSURANCE_TEXT[assurance].lower()}."
    return text


def _key_entries(types: list[str], has_target: bool, has_limits: bool) -> list[KeyEntry]:
    """What the SPC chart's key lists: only what the chart draws."""
    entries = [KeyEntry("mean", "Mean")]
    if has_limits:
        entries.append(KeyEntry("limits", "Process limits"))
    if has_target:
        entries.append(KeyEntry("target", "Target"))
    return entries + [
        KeyEntry("point", POINT_STYLE[t]["label"], t) for t in POINT_STYLE if t in types
    ]


def _scales(types: list[str]) -> dict[str, dict[str, list[str]]]:
    domain = [t for t in POINT_STYLE if t in types]
    return {
        "color": {"domain": domain, "range": [POINT_STYLE[t]["fill"] for t in domain]},
        "shape": {"domain": domain, "range": [POINT_STYLE[t]["shape"] for t in domain]},
    }


_MEAN = {"color": _LIMIT_COLOUR, "strokeWidth": 1.5}
_LIMIT = {"color": _LIMIT_COLOUR, "strokeDash": [2, 2], "strokeWidth": 1.2}
_TARGET = {"color": TEXT_COLOUR, "strokeDash": [6, 4], "strokeWidth": 1.5}
#: The key: the lines' dashes and the points' shapes as drawn.
_SPC_KEY = KeyStyle(
    rules=[("mean", _MEAN), ("limits", _LIMIT), ("target", _TARGET)],
    point_field="type",
    point_size=60,
)


def _runs(present: pd.Series) -> list[int]:
    """A run number for each point: consecutive points with a target share one, so the target
    line breaks where a period had none instead of joining across it."""
    starts = present & ~present.shift(fill_value=False)
    return starts.cumsum().where(present, 0).astype(int).tolist()


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
) -> VegaLite:
    """One series' XmR chart: values, mean and process limits per rebase group, target, key.

    ``points`` is one series' rows of :attr:`pmlib.spc.SpcResult.points`, oldest first, with a
    ``date`` column of labels for the x axis (a period label or an ISO date) and the per-point
    fields (``value``, ``mean``, ``lpl``, ``upl``, ``rebase_group``, ``point_type``,
    ``special_cause_rule``). The target is drawn dashed, each period at the target it had then:
    from a ``period_target`` column when the points have one
    (:func:`pmlib.present.spc_indicators.indicator_series` adds it), with a gap where a period had
    none; otherwise ``target`` (if any) across the whole chart. ``assurance`` (the summary's
    ``assurance_type``) only enters the text alternative.
    """
    cols = ["date", "value", "mean", "lpl", "upl", "rebase_group", "point_type"]
    data = points.reindex(columns=[*cols, "special_cause_rule"]).reset_index(drop=True)
    data["date"] = data["date"].astype(str)
    data["point_type"] = data["point_type"].astype(str)
    data["special_cause_rule"] = data["special_cause_rule"].astype(str)
    data["label"] = format_values(data["value"], unit, decimals)
    data["signal"] = data["point_type"].map(lambda t: POINT_STYLE[t]["label"])
    if "period_target" in points:
        data["target"] = pd.to_numeric(points["period_target"], errors="coerce").to_numpy()
    else:
        data["target"] = float("nan") if target is None else target
    has_target = bool(data["target"].notna().any())
    if has_target:
        data["target_run"] = _runs(data["target"].notna())
    types = list(dict.fromkeys(data["point_type"]))
    scales = _scales(types)
    y_title = axis_title(unit)
    x = nominal("date", axis={"labelAngle": -45, "labelOverlap": True}, sort=list(data["date"]),
                title=None)  # fmt: skip
    group = nominal("rebase_group")

    def group_line(field: str, style: dict) -> dict:
        return layer(
            "line",
            {"detail": group, "x": x, "y": quantitative(field, title=y_title)},
            transform=[{"filter": f"isValid(datum.{field})"}],
            **style,
        )

    plot = [
        layer(
            "line",
            {"x": x, "y": quantitative("value", scale={"zero": False}, title=y_title)},
            color=_LINE_COLOUR, strokeWidth=1.5,
        ),
        group_line("mean", _MEAN),
        group_line("lpl", _LIMIT),
        group_line("upl", _LIMIT),
    ]  # fmt: skip
    if has_target:
        # a step at each change of target, so every period shows the target it had then
        plot.append(
            layer(
                "line",
                {"detail": nominal("target_run"), "x": x,
                 "y": quantitative("target", title=y_title)},
                transform=[{"filter": "isValid(datum.target)"}],
                interpolate="step", **_TARGET,
            )
        )  # fmt: skip
    plot.append(
        layer(
            "point",
            {
                "color": nominal("point_type", legend=None, scale=scales["color"]),
                "shape": nominal("point_type", legend=None, scale=scales["shape"]),
                "tooltip": [
                    nominal("date", title="Period"),
                    nominal("label", title="Value"),
                    nominal("signal", title="Signal"),
                    nominal("special_cause_rule", title="Rule"),
                ],
                "x": x,
                "y": quantitative("value"),
            },
            filled=True, opacity=1, size=50, stroke=TEXT_COLOUR, strokeWidth=0.5,
        )
    )  # fmt: skip
    entries = _key_entries(types, has_target, has_limits=bool(data["lpl"].notna().any()))
    return with_key(
        plot,
        records(data),
        entries,
        _SPC_KEY,
        scales,
        width=width,
        height=height,
        description=describe_spc(name, data, unit, decimals, assurance=assurance),
    )


def spc_chart_html(points: pd.DataFrame, **kwargs: object) -> str:
    """:func:`spc_chart` drawn now as static SVG, in pmlib's accessible figure HTML (the
    description as its text alternative and caption; the description alone if it cannot be
    drawn)."""
    chart = spc_chart(points, **kwargs)  # type: ignore[arg-type]
    return chart_html(chart.to_dict(validate=False), mode="svg")
