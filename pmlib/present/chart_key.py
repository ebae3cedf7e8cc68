"""The drawn key under a chart: line samples, a shaded band and point shapes, each with its words.

Vega-Lite's own legends cannot show a dashed line and a shaded band beside coloured shapes in one
list (each would get a separate legend), and they list a scale's whole domain. A small drawn key
can, and lists only what the chart draws. The trend chart (:mod:`pmlib.present.charts`) and the
SPC chart (:mod:`pmlib.present.spc_charts`) both use it: entries are laid out left to right in
rows of at most :data:`KEY_WIDTH` px, and each row is a sample 18 px wide, then its label.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pmlib.present.theme import CHART_FONT_SIZE, TEXT_COLOUR
from pmlib.present.vegalite import VegaLite, dataset_name, layer, nominal, quantitative

__all__ = [
    "KEY_ROW", "KEY_WIDTH", "KeyEntry", "KeyStyle", "key_layers", "key_part", "key_rows",
    "with_key",
]  # fmt: skip

KEY_ROW = 20  # px per row of a key
KEY_WIDTH = 300  # px of a key row before it wraps
_CHAR_PX = 7.0  # average width of a 12 px Arial character, generous, for laying out the key
_SAMPLE = 18  # px of a line or band sample


@dataclass(frozen=True)
class KeyEntry:
    """One entry of a key.

    ``kind`` names the sample drawn beside ``label``: a rule kind (one of the ``rules`` given
    to :func:`key_layers`), ``"band"`` or ``"point"``; a point entry's ``category`` is its value
    on the chart's colour and shape scales.
    """

    kind: str
    label: str
    category: str = ""


@dataclass(frozen=True)
class KeyStyle:
    """How a key draws its samples: the rule styles by kind (in drawing order), whether it has a
    band sample, the field its points are coloured by, and their size."""

    rules: Sequence[tuple[str, Mapping[str, Any]]] = ()
    band: Mapping[str, Any] | None = None
    point_field: str = "category"
    point_size: int = 70


def key_rows(entries: Sequence[KeyEntry], point_field: str) -> list[dict[str, Any]]:
    """The key's data: one row per entry with its position (``x``, ``y`` in px), laid out left
    to right and wrapped before a row passes :data:`KEY_WIDTH`.

    >>> [(r["label"], r["x"], r["y"]) for r in key_rows(
    ...     [KeyEntry("target", "Target"), KeyEntry("point", "Red", "Red")], "rag")]
    [('Target', 0.0, 8), ('Red', 78.0, 8)]
    """
    rows, x, y = [], 0.0, 0
    for e in entries:
        w = 22 + len(e.label) * _CHAR_PX + 14
        if x and x + w > KEY_WIDTH:
            x, y = 0.0, y + 1
        rows.append(
            {"kind": e.kind, point_field: e.category, "label": e.label, "x": x,
             "y": y * KEY_ROW + 8}
        )  # fmt: skip
        x += w
    return rows


def key_height(rows: Sequence[Mapping[str, Any]]) -> int:
    """The key's height in px: one :data:`KEY_ROW` per row used (one when it is empty)."""
    return (max((int(r["y"]) for r in rows), default=0) // KEY_ROW + 1) * KEY_ROW


def key_layers(style: KeyStyle, scales: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The key's layers: each rule kind's sample, the band sample, the points (coloured and
    shaped by ``scales["color"]``/``scales["shape"]``, as on the chart) and the labels."""
    x = quantitative("x", scale=None, axis=None)
    y = quantitative("y", scale=None, axis=None)
    x2 = {"field": "x2"}
    to_x2 = {"calculate": f"datum.x + {_SAMPLE}", "as": "x2"}
    out = [
        layer("rule", {"x": x, "x2": x2, "y": y},
              transform=[{"filter": f"datum.kind === '{kind}'"}, to_x2], **rule)
        for kind, rule in style.rules
    ]  # fmt: skip
    if style.band is not None:
        out.append(
            layer(
                "rect",
                {"x": x, "x2": x2, "y": quantitative("y1", scale=None, axis=None),
                 "y2": {"field": "y2"}},
                transform=[
                    {"filter": "datum.kind === 'band'"}, to_x2,
                    {"calculate": "datum.y - 6", "as": "y1"},
                    {"calculate": "datum.y + 6", "as": "y2"},
                ],
                **style.band,
            )
        )  # fmt: skip
    f = style.point_field
    out.append(
        layer(
            "point",
            {
                "x": quantitative("cx", scale=None, axis=None),
                "y": y,
                "color": nominal(f, scale=dict(scales["color"]), legend=None),
                "shape": nominal(f, scale=dict(scales["shape"]), legend=None),
            },
            transform=[
                {"filter": "datum.kind === 'point'"},
                {"calculate": f"datum.x + {_SAMPLE // 2}", "as": "cx"},
            ],
            filled=True, size=style.point_size, stroke=TEXT_COLOUR, strokeWidth=0.5, opacity=1,
        )
    )  # fmt: skip
    out.append(
        layer(
            "text",
            {"x": quantitative("tx", scale=None, axis=None), "y": y, "text": nominal("label")},
            transform=[{"calculate": "datum.x + 24", "as": "tx"}],
            align="left", baseline="middle", fontSize=CHART_FONT_SIZE, color=TEXT_COLOUR,
        )
    )  # fmt: skip
    return out


def key_part(
    entries: Sequence[KeyEntry],
    style: KeyStyle,
    scales: Mapping[str, Mapping[str, Any]],
    width: int,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The key as one part of a chart (its layers on its own data, no view border) and its
    rows, for the caller to store as a named dataset."""
    rows = key_rows(entries, style.point_field)
    part = {
        "layer": key_layers(style, scales),
        "height": key_height(rows),
        "view": {"stroke": None},
        "width": width,
    }
    return part, rows


def with_key(
    plot: Sequence[Mapping[str, Any]],
    values: list[dict[str, Any]],
    entries: Sequence[KeyEntry],
    style: KeyStyle,
    scales: Mapping[str, Mapping[str, Any]],
    *,
    width: int,
    height: int,
    description: str,
) -> VegaLite:
    """A plot's layers over ``values`` with its drawn key underneath, as one chart: the two
    parts stacked, each on its own named dataset, their colour and shape scales independent
    (the key's rows are not the plot's data)."""
    key, rows = key_part(entries, style, scales, width)
    plot_name, key_name = dataset_name(values), dataset_name(rows)
    return VegaLite(
        {
            "vconcat": [
                {
                    "layer": list(plot),
                    "data": {"name": plot_name},
                    "height": height,
                    "width": width,
                },
                {**key, "data": {"name": key_name}},
            ],
            "description": description,
            "resolve": {"scale": {"color": "independent", "shape": "independent"}},
            "spacing": 8,
        },
        {plot_name: values, key_name: rows},
    )
