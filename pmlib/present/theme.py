"""One house theme for every chart: Analysis Function palette, readable type, no chart junk.

Type is a fixed 12 px (13 px titles) everywhere. Charts are drawn about 390 px wide so that,
shrunk to a phone's 360 px column, no text falls below 11 px; the page never shrinks a chart
further than that (:mod:`pmlib.present.figures` sets the limit from the drawn SVG).
"""

from __future__ import annotations

import altair as alt

from pmlib.present.text import RAG_ORDER, RAG_STYLE

#: Government Analysis Function categorical palette (afcharts), colour-blind tested.
AF_PALETTE = ["#12436D", "#28A197", "#801650", "#F46A25", "#3D3D3D", "#A285D1"]
FONT = "Arial, Helvetica, sans-serif"
#: Size of every label, axis title and legend entry, in px (titles are one px larger).
CHART_FONT_SIZE = 12
#: The smallest text a reader should see, in px, at any screen width.
MIN_FONT_PX = 11
TEXT_COLOUR = "#0B0C0C"

RAG_SCALE_DOMAIN = list(RAG_ORDER)
RAG_SCALE_COLOURS = [RAG_STYLE[r]["fill"] for r in RAG_ORDER]
RAG_SCALE_SHAPES = [RAG_STYLE[r]["shape"] for r in RAG_ORDER]


def _theme() -> alt.theme.ThemeConfig:
    size = CHART_FONT_SIZE
    return {
        "config": {
            "font": FONT,
            "view": {"stroke": None},
            "range": {"category": AF_PALETTE},
            "axis": {
                "labelFontSize": size,
                "titleFontSize": size,
                "titleFontWeight": "normal",
                "titleColor": "#3D3D3D",
                "labelColor": "#3D3D3D",
                "gridColor": "#E6E6E6",
                "domainColor": "#BFC1C3",
            },
            "legend": {"labelFontSize": size, "titleFontSize": size},
            "title": {"fontSize": size + 1, "subtitleFontSize": size, "anchor": "start",
                      "color": TEXT_COLOUR},
            "text": {"fontSize": size},
            "line": {"strokeWidth": 2.5, "color": AF_PALETTE[0]},
            "point": {"size": 70, "filled": True},
        }
    }  # fmt: skip


def use_theme() -> None:
    """Register and enable the pmlib theme (idempotent)."""
    alt.theme.register("pmlib", enable=True)(_theme)
