"""Charts of a benchmarking deep-dive: ranked bars, rank over time, the council against the
peer median and interquartile range, and small multiples for every measure.

Each chart is an altair spec with a ``description`` (its text alternative). The council is
picked out by **text and shape as well as colour** ("Northmoor (our council)" on the axis, a
distinct marker), never by colour alone. altair is imported inside the methods, so reading and
checking benchmark data does not pay for it. :class:`BenchmarkCharts` is mixed into
:class:`pmlib.reports.benchmark.BenchmarkReport`, whose figures (``fmt``, ``period_rows``,
``series`` ...) it draws.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from pmlib.benchmarking.stats import (
    metric_metadata,
)
from pmlib.core.words import ordinal, quartile_words
from pmlib.present.fragments import (
    BETTER_WORDS,
    is_missing,
)
from pmlib.present.tables import Html
from pmlib.present.text import esc

#: pmlib.present.theme.CHART_FONT_SIZE, repeated: the theme imports altair, which this module
#: imports only when a chart is drawn.
_FONT_PX = 12

#: Colours: the council in the Analysis Function's dark pink, peers in a mid blue (both at least
#: 3:1 against white); the council is *also* named on the axis and drawn with its own marker.
OURS_COLOUR = "#801650"
PEERS_COLOUR = "#5B7FA6"
MEDIAN_COLOUR = "#0B0C0C"
BAND_COLOUR = "#A7B8CC"
#: How the council is named on axes and in tables, so it is found without colour.
OUR_SUFFIX = " (our council)"


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Plain numpy dtypes with None for missing, which every chart/JSON layer accepts."""
    out = frame.copy()
    for c in out.columns:
        if out[c].dtype.kind in "fiu" or str(out[c].dtype) in ("Int64", "Float64"):
            out[c] = out[c].astype("float64")
        else:
            out[c] = out[c].astype(object).where(out[c].notna(), None)
    return out


class BenchmarkCharts:
    """Chart sections of a benchmarking deep-dive (mixed into the report)."""

    def ranked_chart(self, *, width: int = 480):
        """Horizontal bars, best first, the council named and marked; median and quartile lines."""
        import altair as alt

        rows = self.period_rows[self.period_rows["value"].notna()]
        n = len(rows)
        if not n:
            return Html(f"<p>No {esc(self.peer_label)} have a figure for {esc(self.period)}.</p>")
        data = _plain(
            pd.DataFrame(
                {
                    "area": [
                        self.area_label(c, a)
                        for c, a in zip(rows["area_code"], rows["area_name"], strict=True)
                    ],
                    "value": rows["value"].to_numpy(dtype=float),
                    "rank": rows["rank"].astype("float64").to_numpy(),
                    "who": np.where(rows["area_code"].eq(self.focus), "Our council", "Peer"),
                    "label": [self.fmt(v) for v in rows["value"]],
                }
            )
        )
        order = list(data["area"])
        values = rows["value"].to_numpy(dtype=float)
        q25, med, q75 = (float(np.quantile(values, q)) for q in (0.25, 0.5, 0.75))
        lines = pd.DataFrame(
            {
                "line": ["Median", "Lower quartile", "Upper quartile"],
                "x": [med, q25, q75],
                "label": [self.fmt(med), self.fmt(q25), self.fmt(q75)],
            }
        )
        step = 18 if n <= 30 else 10 if n <= 80 else 5
        show_labels = n <= 40
        y = alt.Y(
            "area:N",
            sort=order,
            title=None,
            axis=alt.Axis(labels=show_labels, ticks=show_labels, labelLimit=240),
        )
        who = alt.Color(
            "who:N",
            title=None,
            scale=alt.Scale(domain=["Our council", "Peer"], range=[OURS_COLOUR, PEERS_COLOUR]),
            legend=alt.Legend(orient="bottom", labelLimit=320),
        )
        tooltip = [
            alt.Tooltip("area:N", title="Area"),
            alt.Tooltip("label:N", title="Value"),
            alt.Tooltip("rank:Q", title="Rank"),
        ]
        bars = (
            alt.Chart(data)
            .mark_bar(stroke="#0B0C0C", strokeWidth=0.5 if show_labels else 0)
            .encode(
                y=y,
                x=alt.X("value:Q", title=self._unit_title()),
                color=who,
                tooltip=tooltip,
            )
        )
        marker = (
            alt.Chart(data)
            .transform_filter("datum.who == 'Our council'")
            .mark_text(align="left", dx=4, fontWeight="bold", color=OURS_COLOUR)
            .encode(y=y, x="value:Q", text=alt.Text("marker:N"))
            .transform_calculate(marker="'◀ ' + datum.label + ' (our council)'")
        )
        rules = (
            alt.Chart(lines)
            .mark_rule(color=MEDIAN_COLOUR, strokeWidth=1.5)
            .encode(
                x="x:Q",
                strokeDash=alt.StrokeDash(
                    "line:N",
                    title=None,
                    scale=alt.Scale(
                        domain=["Median", "Lower quartile", "Upper quartile"],
                        range=[[1, 0], [6, 3], [2, 2]],
                    ),
                    legend=alt.Legend(orient="bottom", labelLimit=320),
                ),
                tooltip=[
                    alt.Tooltip("line:N", title="Line"),
                    alt.Tooltip("label:N", title="Value"),
                ],
            )
        )
        chart = alt.layer(bars, rules, marker).properties(
            width=width,
            height=alt.Step(step),
            title=alt.Title(
                f"{self.metric_name}, {self.period}",
                subtitle=f"{n} {self.peer_label}, best first ({self._better_words()})",
            ),
            description=self._ranked_description(rows, q25, med, q75),
        )
        return chart

    def rank_chart(self, *, width: int = 480, height: int = 200):
        """The council's rank in each period (1 = best, at the top) with the group size."""
        import altair as alt

        s = self.series()
        s = s[s["rank"].notna()]
        data = _plain(
            pd.DataFrame(
                {
                    "period": s["period"].to_numpy(),
                    "ordinal": s["ordinal"].astype("float64").to_numpy(),
                    "rank": s["rank"].astype("float64").to_numpy(),
                    "n": s["n"].astype("float64").to_numpy(),
                    "label": [
                        f"{ordinal(int(r))} of {int(n)}"
                        for r, n in zip(s["rank"], s["n"], strict=True)
                    ],
                    "quartile": [quartile_words(q, self.polarity) for q in s["quartile"]],
                }
            )
        )
        top = int(max(data["n"].max(), 1)) if len(data) else 1
        step = max(1, math.ceil(top / 8))
        ticks = list(range(1, top + 1, step))
        if ticks[-1] != top:  # end on the group size, without crowding the last tick
            ticks[-1 if top - ticks[-1] < step and len(ticks) > 1 else len(ticks) :] = [top]
        x = alt.X("period:N", sort=list(data["period"]), title=None, axis=alt.Axis(labelAngle=0))
        yscale = alt.Scale(domain=[top, 1], nice=False, zero=False)
        line = (
            alt.Chart(data)
            .mark_line(
                color=OURS_COLOUR,
                point=alt.OverlayMarkDef(shape="diamond", size=90, color=OURS_COLOUR),
            )
            .encode(
                x=x,
                y=alt.Y(
                    "rank:Q",
                    title="Rank (1 = best)",
                    scale=yscale,
                    axis=alt.Axis(values=ticks, format="d"),
                ),
                tooltip=[
                    alt.Tooltip("period:N", title="Period"),
                    alt.Tooltip("label:N", title="Rank"),
                    alt.Tooltip("quartile:N", title="Quartile"),
                ],
            )
        )
        labels = (
            alt.Chart(data)
            .mark_text(dy=-12, fontSize=_FONT_PX, color="#0B0C0C")
            .encode(x=x, y=alt.Y("rank:Q", scale=yscale), text="label:N")
        )
        steps = ", ".join(
            f"{lab} in {p}" for p, lab in zip(data["period"], data["label"], strict=True)
        )
        description = (
            f"Line chart of {self.council_name}'s rank among the {self.peer_label} for "
            f"{self.metric_name}, 1 = best: {steps or 'no ranked periods'}."
        )
        return alt.layer(line, labels).properties(
            width=width,
            height=height,
            title=alt.Title(
                f"{self.council_name}'s rank over time",
                subtitle=f"1 = best; '4th of 16' counts the {self.peer_label} with a figure",
            ),
            description=description,
        )

    def series_chart(self, *, width: int = 480, height: int = 220):
        """The council's value over time against the peer median and interquartile range."""
        s = self.series()
        return self._series_layers(s, width=width, height=height).properties(
            title=alt_title(
                f"{self.council_name} against the {self.peer_label}",
                f"Shaded: the middle half of peers (interquartile range); {self._better_words()}",
            ),
            description=self._series_description(self.metric_name, s),
        )

    def _series_layers(self, s: pd.DataFrame, *, width: int, height: int, facet: bool = False):
        import altair as alt

        ours_name = self.council_name + OUR_SUFFIX
        long = pd.concat(
            [
                s.assign(series=ours_name, y=s["value"]),
                s.assign(series="Peer median", y=s["median"]),
            ]
        )
        long = long.assign(
            label=self._labels(long, "y"),
            band="Middle half of peers (interquartile range)",
        )
        keep = ["period", "ordinal", "series", "y", "label", "q25", "q75", "band"]
        if facet:
            keep = ["panel", *keep]
        data = _plain(long.loc[:, keep])
        x = alt.X(
            "period:N",
            sort=alt.EncodingSortField("ordinal", op="min"),
            title=None,
            axis=alt.Axis(labelAngle=-45 if facet else 0),
        )
        series = alt.Color(
            "series:N",
            title=None,
            scale=alt.Scale(domain=[ours_name, "Peer median"], range=[OURS_COLOUR, MEDIAN_COLOUR]),
            legend=alt.Legend(orient="bottom", labelLimit=320),
        )
        dash = alt.StrokeDash(
            "series:N",
            title=None,
            scale=alt.Scale(domain=[ours_name, "Peer median"], range=[[1, 0], [6, 3]]),
            legend=alt.Legend(orient="bottom", labelLimit=320),
        )
        shape = alt.Shape(
            "series:N",
            title=None,
            scale=alt.Scale(domain=[ours_name, "Peer median"], range=["diamond", "circle"]),
            legend=alt.Legend(orient="bottom", labelLimit=320),
        )
        base = alt.Chart(data) if not facet else alt.Chart()
        band = (
            base.transform_filter(f"datum.series == {_js(ours_name)}")
            .mark_area(opacity=0.45, color=BAND_COLOUR)
            .encode(
                x=x,
                y=alt.Y("q25:Q", title=None if facet else self._unit_title()),
                y2="q75:Q",
                fill=alt.Fill(
                    "band:N",
                    title=None,
                    scale=alt.Scale(range=[BAND_COLOUR]),
                    legend=alt.Legend(orient="bottom", labelLimit=320),
                ),
            )
        )
        lines = (
            base.mark_line(point=True)
            .encode(
                x=x,
                y=alt.Y("y:Q", scale=alt.Scale(zero=False)),
                color=series,
                strokeDash=dash,
                shape=shape,
                tooltip=[
                    alt.Tooltip("period:N", title="Period"),
                    alt.Tooltip("series:N", title="Series"),
                    alt.Tooltip("label:N", title="Value"),
                ],
            )
            .transform_filter("isValid(datum.y)")
        )
        layered = alt.layer(band, lines)
        if facet:
            return layered, data
        return layered.properties(width=width, height=height)

    def small_multiples(self, *, columns: int = 2, width: int = 260, height: int = 120):
        """Every metric of the peer group: the council against the median and IQR over time."""
        import altair as alt

        frames, lines = [], []
        meta = metric_metadata(self.data).set_index("metric")
        metrics = [str(m) for m in pd.unique(self.stats["metric"])]
        for metric in metrics:
            s = self.series(metric)
            if s.empty:
                continue
            name = meta.at[metric, "metric_name"] if metric in meta.index else None
            name = metric if is_missing(name) else str(name)
            pol = str(self.stats.loc[self.stats["metric"].eq(metric), "polarity"].iloc[0])
            panel = f"{_short(name, 46)}|({BETTER_WORDS.get(pol, pol).split(':')[0]})"
            frames.append(s.assign(panel=panel, metric=metric))
            last = s[s["rank"].notna()].tail(1)
            if len(last):
                r = last.iloc[0]
                lines.append(
                    f"{name}: {ordinal(int(r['rank']))} of {int(r['n'])}, "
                    f"{quartile_words(r['quartile'], pol)} in {r['period']}"
                )
            else:
                lines.append(f"{name}: no figure for {self.council_name}")
        if not frames:
            return Html("<p>No benchmark series to show.</p>")
        s = pd.concat(frames, ignore_index=True)
        layered, data = self._series_layers(s, width=width, height=height, facet=True)
        chart = (
            layered.properties(width=width, height=height)
            .facet(
                facet=alt.Facet(
                    "panel:N",
                    title=None,
                    header=alt.Header(
                        labelLimit=width + 40,
                        labelExpr="split(datum.value, '|')",
                        labelFontSize=_FONT_PX,
                    ),
                ),
                columns=columns,
                data=data,
            )
            .resolve_scale(y="independent", x="independent")
            .properties(
                title=alt_title(
                    f"All {len(frames)} benchmarked measures",
                    f"{self.council_name} against the {self.peer_label}' median and "
                    "interquartile range",
                ),
                description=(
                    f"Small multiples: {self.council_name} against the median and "
                    f"interquartile range of the {self.peer_label} for {len(frames)} measures. "
                    "Latest positions: " + "; ".join(lines) + "."
                ),
            )
        )
        return chart

    def _unit_title(self) -> str:
        """A short axis title: the unit if it is one, else the measure's name, shortened."""
        known = {"percent": "Per cent", "days": "Days", "weeks": "Weeks", "hours": "Hours"}
        if self.unit in known:
            return known[self.unit]
        if self.unit == "currency":
            return "£"
        return _short(self.metric_name, 40)

    def _ranked_description(self, rows: pd.DataFrame, q25: float, med: float, q75: float) -> str:
        n = len(rows)
        if not n:
            return f"No {self.peer_label} have a figure for {self.metric_name} in {self.period}."
        best, worst = rows.iloc[0], rows.iloc[-1]
        ours = self.ours
        mine = (
            f"{self.council_name} has {self.fmt(ours['value'])}: {self.position()}"
            if ours is not None and pd.notna(ours["value"])
            else f"{self.council_name} has no figure"
        )
        return (
            f"Bar chart ranking {n} {self.peer_label} by {self.metric_name} in {self.period}, "
            f"best first ({self._better_words()}). {mine}. The median is {self.fmt(med)}, the "
            f"lower quartile {self.fmt(q25)} and the upper quartile {self.fmt(q75)}. First: "
            f"{self.area_label(best['area_code'], best['area_name'])} "
            f"{self.fmt(best['value'])}; last: "
            f"{self.area_label(worst['area_code'], worst['area_name'])} "
            f"{self.fmt(worst['value'])}."
        )

    def _series_description(self, name: str, s: pd.DataFrame) -> str:
        if s.empty:
            return f"No series to show for {name}."
        first, last = s.iloc[0], s.iloc[-1]

        def at(r: pd.Series) -> str:
            return (
                f"in {r['period']} {self.council_name} {self.fmt(r['value'])}, median "
                f"{self.fmt(r['median'])}, interquartile range {self.fmt(r['q25'])} to "
                f"{self.fmt(r['q75'])}"
            )

        text = (
            f"Line chart of {self.council_name}'s {name} from {first['period']} to "
            f"{last['period']} against the {self.peer_label}' median, with the middle half of "
            f"peers (interquartile range) shaded. {_sentence(at(last))}"
        )
        if len(s) > 1:
            text += f"; {at(first)}"
        return text + "."


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _short(text: str, limit: int = 48) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip(" ,;(") + "…"


def _js(text: str) -> str:
    """A JavaScript string literal for a Vega expression."""
    import json

    return json.dumps(text)


def alt_title(text: str, subtitle: str):
    import altair as alt

    return alt.Title(text, subtitle=subtitle)
