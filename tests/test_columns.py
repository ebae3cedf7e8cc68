"""Whole-column formatting (pmlib.present.columns) gives exactly the strings the one-value
formatters give, row by row, each row with its own unit and decimals."""

from __future__ import annotations

import math

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from pmlib.core.units import UNITS
from pmlib.present.columns import target_column, value_column
from pmlib.present.fragments import target_text
from pmlib.present.text import format_value

numbers = st.one_of(
    st.none(),
    st.just(math.nan),
    st.just(math.inf),
    st.floats(-1e7, 1e7, allow_nan=False),
    st.sampled_from([0.5, 2.5, -2.5, 0.125, 94.06, 1.0, 1234.5, -0.4, 1e16]),
    st.integers(-5000, 5000),
)
units = st.one_of(st.sampled_from(UNITS), st.just(""), st.none())
decimals = st.one_of(st.integers(0, 3), st.none(), st.just(math.nan), st.just(5))
rows = st.lists(st.tuples(numbers, numbers, numbers, units, decimals), min_size=1, max_size=12)


@settings(max_examples=150, deadline=None)
@given(rows)
def test_value_column_is_format_value_of_each_row(table):
    values = [v for v, *_ in table]
    u = [r[3] for r in table]
    d = [r[4] for r in table]
    expected = [format_value(v, unit, dec) for v, unit, dec in zip(values, u, d, strict=True)]
    assert value_column(values, u, d) == expected


@settings(max_examples=150, deadline=None)
@given(rows)
def test_target_column_is_target_text_of_each_row(table):
    frame = pd.DataFrame(
        {
            "target": [r[0] for r in table],
            "lower": [r[1] for r in table],
            "upper": [r[2] for r in table],
        },
        dtype="float64",
    )
    u = [r[3] for r in table]
    d = [r[4] for r in table]
    expected = [
        target_text(row, unit, dec)
        for (_, row), unit, dec in zip(frame.iterrows(), u, d, strict=True)
    ]
    assert target_column(frame, u, d) == expected


def test_worked_examples_and_a_frame_without_band_columns():
    frame = pd.DataFrame({"target": [80.0, 2.5, None], "lower": [None, None, 5.0]})
    frame["upper"] = [None, None, 9.0]
    # 80 as a percent at 1 place; 2.5 days on a whole-day indicator keeps its half; a band
    assert target_column(frame, ["percent", "days", "percent"], [1, 0, 0]) == [
        "80.0%",
        "2.5 days",
        "5% to 9%",
    ]
    only = pd.DataFrame({"target": [1250.0, None]})
    assert target_column(only, ["currency", "number"], [0, 0]) == ["£1,250", "–"]
    assert value_column([94.06, None, 2.5], ["percent", "days", None], [1, 0, None]) == [
        "94.1%",
        "–",
        "3",
    ]
