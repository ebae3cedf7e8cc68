"""Vega-Lite specs written as dicts (pmlib.present.vegalite) draw as the altair charts did."""

from __future__ import annotations

import altair as alt
import pandas as pd

from pmlib.present.theme import use_theme
from pmlib.present.vegalite import VegaLite, dataset_name, layer, nominal, quantitative, records


def test_records_are_json_ready_with_missing_and_infinite_as_null():
    frame = pd.DataFrame(
        {"a": [1.5, float("nan"), float("inf")], "b": ["x", None, "z"], "c": [True, False, True]}
    )
    assert records(frame) == [
        {"a": 1.5, "b": "x", "c": True},
        {"a": None, "b": None, "c": False},
        {"a": None, "b": "z", "c": True},
    ]
    assert type(records(pd.DataFrame({"n": [3]}))[0]["n"]) is int  # not numpy.int64


def test_spec_matches_the_altair_chart_it_replaces():
    use_theme()
    frame = pd.DataFrame({"period": ["Q1", "Q2"], "value": [3.0, 4.0]})
    chart = (
        alt.Chart(frame)
        .mark_line(color="#12436D")
        .encode(x=alt.X("period:N", title=None), y=alt.Y("value:Q", title="Days"))
    )
    values = records(frame)
    name = dataset_name(values)
    spec = VegaLite(
        {
            "data": {"name": name},
            **layer(
                "line",
                {"x": nominal("period", title=None), "y": quantitative("value", title="Days")},
                color="#12436D",
            ),
        },
        {name: values},
    )
    # the same dict altair gives: theme config, $schema, data moved to named datasets
    assert spec.to_dict() == chart.to_dict()


def test_a_spec_displays_through_the_active_renderer_and_converts_to_altair():
    spec = VegaLite({"mark": {"type": "point"}, "description": "Dots."}, {})
    with alt.renderers.enable("json"):
        bundle = spec._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle  # (data, metadata) from altair's
    assert data["application/json"]["description"] == "Dots."
    back = spec.to_altair()
    assert isinstance(back, alt.Chart) and back.to_dict()["description"] == "Dots."


def test_to_dict_is_a_copy_that_the_caller_may_change():
    # a report adjusts the dict it is given (size, description); the chart it came from, and the
    # next to_dict of it, must not change with it
    values = [{"period": "Q1", "value": 3.0}]
    spec = VegaLite(
        {"data": {"name": "d"}, "mark": {"type": "line"}, "encoding": {"y": {"field": "value"}}},
        {"d": values},
    )
    first = spec.to_dict(validate=False)
    first["mark"]["type"] = "bar"
    first["encoding"]["y"]["field"] = "changed"
    first["datasets"]["d"][0]["value"] = 99.0
    again = spec.to_dict(validate=False)
    assert again["mark"] == {"type": "line"}
    assert again["encoding"]["y"]["field"] == "value"
    assert again["datasets"]["d"] == [{"period": "Q1", "value": 3.0}]
    assert values == [{"period": "Q1", "value": 3.0}]
