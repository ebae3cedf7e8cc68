"""The drawn key shared by the trend and SPC charts (pmlib.present.chart_key)."""

from __future__ import annotations

import pandas as pd

from pmlib.present.chart_key import KEY_ROW, KeyEntry, key_height, key_rows
from pmlib.present.charts import trend_chart
from pmlib.present.spc_charts import spc_chart
from pmlib.spc import calculate_spc


def test_entries_run_left_to_right_and_wrap_before_300_px():
    # each entry is 22 + 7 per character + 14 px: Target 78, "Amber: within tolerance" 197,
    # Red 57; 78 + 197 = 275 fits, 275 + 57 = 332 does not, so Red starts the second row
    rows = key_rows(
        [
            KeyEntry("target", "Target"),
            KeyEntry("band", "Amber: within tolerance"),
            KeyEntry("point", "Red", "Red"),
        ],
        "rag",
    )
    assert [(r["label"], r["x"], r["y"]) for r in rows] == [
        ("Target", 0.0, 8),
        ("Amber: within tolerance", 78.0, 8),
        ("Red", 0.0, 28),
    ]
    assert [r["rag"] for r in rows] == ["", "", "Red"]
    assert key_height(rows) == 2 * KEY_ROW
    assert key_height([]) == KEY_ROW


def _point_layer(spec: dict) -> dict:
    key = spec["vconcat"][1]["layer"]
    return next(layer for layer in key if layer["mark"]["type"] == "point")


def test_trend_and_spc_keys_draw_their_point_rows_the_same_way():
    history = pd.DataFrame(
        {"period": ["2026/27 Q1", "2026/27 Q2"], "ordinal": [0, 1], "value": [5.0, 7.0],
         "target": [6.0, 6.0], "green_threshold": [6.0, 6.0], "red_threshold": [5.5, 5.5],
         "rag": ["Red", "Green"]}
    )  # fmt: skip
    trend = trend_chart(history, name="X", unit="number", decimals=0).to_dict(validate=False)
    frame = pd.DataFrame({"date": ["2026-04", "2026-05", "2026-06"], "value": [1.0, 2.0, 3.0]})
    spc = spc_chart(calculate_spc(frame, series=None).points, name="Y").to_dict(validate=False)
    a, b = _point_layer(trend), _point_layer(spc)
    # the same sample: filtered to point rows, centred 9 px into the 18 px sample, outlined
    assert (
        a["transform"]
        == b["transform"]
        == [
            {"filter": "datum.kind === 'point'"},
            {"calculate": "datum.x + 9", "as": "cx"},
        ]
    )
    assert a["encoding"]["x"] == b["encoding"]["x"] == {
        "field": "cx", "type": "quantitative", "scale": None, "axis": None
    }  # fmt: skip
    for mark in (a["mark"], b["mark"]):
        assert (mark["filled"], mark["stroke"], mark["strokeWidth"]) == (True, "#0B0C0C", 0.5)
    # each coloured by its own field: the RAG rating, the SPC point type
    assert (a["encoding"]["color"]["field"], b["encoding"]["color"]["field"]) == ("rag", "type")
    assert a["encoding"]["color"]["scale"]["domain"] == ["Red", "Green"]
    assert b["encoding"]["color"]["scale"]["domain"] == ["common_cause"]
