"""One house theme for every chart: Analysis Function palette, readable type, no chart junk."""

from __future__ import annotations

import altair as alt

from pmlib.present.text import RAG_ORDER, RAG_STYLE

#: Government Analysis Function categorical palette (afcharts), colour-blind tested.
AF_PALETTE = ["#12436D", "#28A197", "#801650", "#F46A25", "#3D3D3D", "#A285D1"]
FONT = "Arial, Helvetica, sans-serif"

RAG_SCALE_DOMAIN = list(RAG_ORDER)
RAG_SCALE_COLOURS = [RAG_STYLE[r]["fill"] for r in RAG_ORDER]
RAG_SCALE_SHAPES = [RAG_STYLE[r]["shape"] for r in RAG_ORDER]


def _theme() -> alt.theme.ThemeConfig:
    return {
        "config": {
            "font": FONT,
            "view": {"stroke": None},
            "range": {"category": AF_PALETTE},
            "axis": {
                "labelFontSize": 11,
                "titleFontSize": 11,
                "titleColor": "#3D3D3D",
                "labelColor": "#3D3D3D",
                "gridColor": "#E6E6E6",
                "domainColor": "#BFC1C3",
            },
            "legend": {"labelFontSize": 11, "titleFontSize": 11},
            "title": {"fontSize": 13, "anchor": "start", "color": "#0B0C0C"},
            "line": {"strokeWidth": 2.5, "color": AF_PALETTE[0]},
            "point": {"size": 70, "filled": True},
        }
    }


def use_theme() -> None:
    """Register and enable the pmlib theme (idempotent)."""
    alt.theme.register("pmlib", enable=True)(_theme)
