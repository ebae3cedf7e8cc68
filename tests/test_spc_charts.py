"""The SPC chart: what it draws, its key, its text alternative, and its static SVG."""

from __future__ import annotations

import pandas as pd

from pmlib.present.spc_charts import (
    ASSURANCE_TEXT,
    VARIATION_TEXT,
    describe_spc,
    spc_chart,
    spc_chart_html,
)
from pmlib.spc import POINT_TYPES, calculate_spc

MONTHS = ["2026-04", "2026-05", "2026-06", "2026-07", "2026-08"]


def _points(values, dates, rebase=None, **options):
    frame = pd.DataFrame({"date": dates, "value": values})
    if rebase is not None:
        frame["rebase"] = rebase
    return calculate_spc(frame, series=None, **options)


def _layers(chart) -> list[dict]:
    spec = chart.to_dict(validate=False)
    return spec["vconcat"][0]["layer"], spec["vconcat"][1]["layer"], spec


def test_every_type_has_words():
    assert set(VARIATION_TEXT) == set(POINT_TYPES)
    assert set(ASSURANCE_TEXT) == {"consistent_pass", "consistent_fail", "inconsistent"}


def test_the_text_alternative_says_what_the_chart_shows():
    # Baseline 10, 0, 10, 0 fixed: mean 5, limits 5 -/+ 26.6; 40 is above the upper limit.
    result = _points([10, 0, 10, 0, 40], MONTHS, fix_after_n_points=4, target=35)
    text = describe_spc("Bins emptied", result.points, "number", 1, assurance="consistent_fail")
    assert text == (
        "SPC chart for Bins emptied, number, over 5 points from 2026-04 to 2026-08. "
        "Latest mean 5.0, process limits -21.6 to 31.6. "
        "1 special-cause point (1 improving). "
        "Latest point 40.0 in 2026-08: special cause: improving. "
        "Against the target: will not meet the target unless the process changes."
    )


def test_a_rebase_is_named_and_its_lines_are_drawn_per_group():
    values = [0, 2, 0, 2, 10, 12, 10, 12]
    dates = [f"2026-{m:02d}" for m in range(1, 9)]
    result = _points(values, dates, rebase=[False] * 4 + [True] + [False] * 3)
    chart = spc_chart(result.points, name="X", unit="number", decimals=0)
    plot, key, spec = _layers(chart)
    assert "Limits recalculated from 2026-05." in spec["description"]
    lines = [layer for layer in plot if layer["mark"]["type"] == "line"]
    # value line, then mean, lower and upper limit, each split by rebase group; no target
    assert [layer["encoding"]["y"]["field"] for layer in lines] == ["value", "mean", "lpl", "upl"]
    assert all(layer["encoding"]["detail"]["field"] == "rebase_group" for layer in lines[1:])
    assert "detail" not in lines[0]["encoding"]


def test_points_are_coloured_and_shaped_by_type_and_the_key_lists_only_those_drawn():
    result = _points([10, 0, 10, 0, 40, -30], MONTHS + ["2026-09"], fix_after_n_points=4)
    chart = spc_chart(result.points, name="X", target=20)
    plot, key, spec = _layers(chart)
    dots = [layer for layer in plot if layer["mark"]["type"] == "point"][0]
    colour, shape = dots["encoding"]["color"]["scale"], dots["encoding"]["shape"]["scale"]
    assert colour["domain"] == [
        "common_cause",
        "special_cause_improvement",
        "special_cause_concern",
    ]
    assert shape["range"] == ["circle", "square", "diamond"]
    labels = list(pd.DataFrame(spec["datasets"][spec["vconcat"][1]["data"]["name"]])["label"])
    assert labels == [
        "Mean",
        "Process limits",
        "Target",
        "Common cause",
        "Special cause: improving",
        "Special cause: concern",
    ]
    assert any(
        layer["encoding"]["y"]["field"] == "target"
        for layer in plot
        if "y" in layer.get("encoding", {})
    )


def test_drawn_as_static_svg_with_the_name_escaped():
    result = _points([10, 0, 10, 0, 40], MONTHS, fix_after_n_points=4)
    html = spc_chart_html(result.points, name="<script>x</script> & co", unit="number")
    assert "<svg" in html and "</svg>" in html
    assert 'role="img"' in html
    assert "<script>x</script>" not in html
    assert "&lt;script&gt;x&lt;/script&gt; &amp; co" in html


def test_the_target_line_follows_each_periods_target_and_breaks_where_there_was_none():
    result = _points([10, 0, 10, 0, 40], MONTHS, fix_after_n_points=4)
    points = result.points.assign(period_target=[float("nan"), 10, 10, float("nan"), 12])
    chart = spc_chart(points, name="X", target=99)  # a period_target column wins over target
    plot, key, spec = _layers(chart)
    rows = spec["datasets"][spec["vconcat"][0]["data"]["name"]]
    assert [r["target"] for r in rows] == [None, 10, 10, None, 12]
    # runs of consecutive targets: the line does not join 2026-06 to 2026-08 across 2026-07
    assert [r["target_run"] for r in rows] == [0, 1, 1, 0, 2]
    target = [layer for layer in plot if layer["encoding"]["y"]["field"] == "target"][0]
    assert target["encoding"]["detail"]["field"] == "target_run"
    assert target["transform"] == [{"filter": "isValid(datum.target)"}]
    chart.to_dict()  # a valid Vega-Lite spec (checked against the schema)


def test_no_target_anywhere_draws_no_target_line_and_no_key_entry():
    result = _points([10, 0, 10, 0, 40], MONTHS, fix_after_n_points=4)
    points = result.points.assign(period_target=float("nan"))
    plot, key, spec = _layers(spc_chart(points, name="X"))
    assert not [layer for layer in plot if layer["encoding"]["y"]["field"] == "target"]
    labels = [r["label"] for r in spec["datasets"][spec["vconcat"][1]["data"]["name"]]]
    assert "Target" not in labels


def test_tied_special_cause_counts_are_listed_as_first_seen_and_every_rebase_is_named():
    # Built by hand so the types and groups are exactly these: 2 concern points first seen,
    # then 2 improving (a tie, listed in the order first seen), limits recalculated twice.
    kinds = [
        "common_cause",
        "special_cause_concern",
        "special_cause_improvement",
        "special_cause_improvement",
        "special_cause_concern",
        "common_cause",
    ]
    points = pd.DataFrame(
        {
            "date": [f"2026-{m:02d}" for m in range(1, 7)],
            "value": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
            "mean": [3.0] * 6,
            "lpl": [0.0] * 6,
            "upl": [9.0] * 6,
            "point_type": kinds,
            "rebase_group": [0, 0, 1, 1, 1, 2],
        }
    )
    text = describe_spc("X", points, "number", 0)
    assert "Limits recalculated from 2026-03, 2026-06." in text
    assert "4 special-cause points (2 concern, 2 improving)." in text
    reordered = points.assign(
        point_type=[kinds[0], kinds[2], kinds[1], kinds[4], kinds[3], kinds[5]]
    )
    assert "4 special-cause points (2 improving, 2 concern)." in describe_spc(
        "X", reordered, "number", 0
    )
