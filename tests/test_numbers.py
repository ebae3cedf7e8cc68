"""pmlib's one number formatter: hand-worked cases for rounding, units, plurals and money.

Every expected string below is worked out from the rule (Excel's ROUND: half away from zero;
comma thousands separators; the unit's singular only for exactly "1"), not from the code.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from pmlib.core.numbers import (
    MISSING,
    UNITS,
    agreed_decimals,
    agreed_string,
    difference_text,
    number_text,
    unit_description,
    unit_label,
    value_string,
)
from pmlib.present.text import format_value, format_values


@pytest.mark.parametrize(
    ("value", "unit", "decimals", "expected"),
    [
        # half away from zero, as a spreadsheet shows it (Python's round would give 2, 0.12, 0)
        (2.5, "number", 0, "3"),
        (3.5, "number", 0, "4"),
        (-2.5, "number", 0, "-3"),
        (0.125, "number", 2, "0.13"),
        (0.125, "number", 3, "0.125"),
        (0.5, "percent", 0, "1%"),
        # 94.95 is stored as 94.9499999...: Excel still shows 95.0
        (94.95, "percent", 1, "95.0%"),
        # singular only for exactly one
        (1, "days", 0, "1 day"),
        (2, "days", 0, "2 days"),
        (1.0, "days", 1, "1.0 days"),
        (0.6, "days", 0, "1 day"),
        (1, "weeks", 0, "1 week"),
        (1, "hours", 0, "1 hour"),
        (0, "days", 0, "0 days"),
        # thousands separators and money
        (1234567, "number", 0, "1,234,567"),
        (999.5, "number", 0, "1,000"),
        (1234.5, "currency", 2, "£1,234.50"),
        (-50, "currency", 0, "-£50"),
        (297.6, "currency_thousands", 0, "£298k"),
        (1234, "currency_thousands", 0, "£1,234k"),
        (-12.25, "currency_millions", 1, "-£12.3m"),
        # a value that rounds to zero loses its minus sign
        (-0.04, "number", 1, "0.0"),
        (-0.4, "days", 0, "0 days"),
        # more than three decimals still rounds half away from zero
        (0.00005, "number", 4, "0.0001"),
        (-0.00004, "number", 4, "0.0000"),
        # what councils report: rates per head of population, weights, times
        (12.34, "rate_per_1000", 1, "12.3 per 1,000"),
        (45, "rate_per_100000", 0, "45 per 100,000"),
        (1234.5, "rate_per_10000", 0, "1,235 per 10,000"),
        (512.4, "kg", 0, "512 kg"),
        (1, "tonnes", 0, "1 tonne"),
        (2310, "tonnes_co2e", 0, "2,310 tonnes CO2e"),
        (1, "minutes", 0, "1 minute"),
        (45, "seconds", 0, "45 seconds"),
        (3, "months", 0, "3 months"),
        # units that are bare numbers
        (3.25, "ratio", 2, "3.25"),
        (12, "score", 0, "12"),
    ],
)
def test_format_value_hand_worked(value, unit, decimals, expected):
    assert format_value(value, unit, decimals) == expected


@pytest.mark.parametrize("missing", [None, float("nan"), pd.NA, np.nan, math.inf])
def test_missing_figures_read_as_the_missing_marker(missing):
    assert MISSING == "–"
    assert format_value(missing, "days", 1) == "–"


def test_decimals_may_be_missing():
    assert format_value(2.5, "number", None) == "3"
    assert format_value(2.5, "number", float("nan")) == "3"


def test_scalar_and_column_formatters_agree():
    values = [2.5, 0.125, None, 1, -1234.5]
    assert format_values(values, "days", 0) == ["3 days", "0 days", "–", "1 day", "-1,235 days"]
    assert [value_string(v, "days", 0) for v in values] == format_values(values, "days", 0)


def test_number_text_marks_missing_with_empty_text():
    assert number_text([1.5, float("nan")], 0).tolist() == ["2", ""]


def test_a_thousands_of_pounds_indicator_renders_with_its_k():
    # RES14 "Agency staff spend (£k, year to date)": 298 in a £ thousands column is £298k
    assert value_string(298, "currency_thousands", 0) == "£298k"
    assert value_string(1.25, "currency_millions", 2) == "£1.25m"


def test_every_unit_has_a_label_for_axes_and_csv_columns():
    assert unit_label("currency_thousands") == "£ thousands"
    assert unit_label("currency_millions") == "£ millions"
    assert unit_label("rate_per_1000") == "per 1,000"
    assert unit_label("rate_per_100000") == "per 100,000"
    assert unit_label("percent") == "percent"
    assert unit_label("days") == "days"
    assert all(unit_label(u) for u in UNITS)
    assert unit_label(None) == "" and unit_label(float("nan")) == ""


def test_unit_description_reads_as_words():
    assert unit_description("percent", 1) == "percent, 1 decimal place"
    assert unit_description("days", 2) == "days, 2 decimal places"
    assert unit_description("number", 0) == "number, whole numbers"


def test_a_gap_in_percent_is_in_percentage_points_singular_for_one():
    units = ["percent", "percent", "days", "days", "rate_per_1000"]
    got = difference_text([1, 8.7, 1, 0.5, 2.5], [0, 1, 0, 1, 1], units).tolist()
    assert got == [
        "1 percentage point",
        "8.7 percentage points",
        "1 day",
        "0.5 days",
        "2.5 per 1,000",
    ]


def test_targets_keep_the_decimals_they_were_agreed_with():
    # published in whole days, agreed at 2.5: shown 2.5, never rounded up to 3
    assert agreed_string(2.5, "days", 0) == "2.5 days"
    assert agreed_string(3, "days", 0) == "3 days"
    # an indicator's own decimals are the least shown: 80 on a 1-decimal percent is 80.0%
    assert agreed_string(80, "percent", 1) == "80.0%"
    assert agreed_string(94.96, "percent", 1) == "94.96%"
    assert agreed_decimals([2.5, 0.125, 1 / 3], 0).tolist() == [1, 3, 3]


def test_value_string_remembered_matches_the_column_text():
    """A figure written again (from memory) reads as the vectorised column writes it, sign of
    zero and all."""
    from pmlib.core.numbers import MISSING, value_string, value_text

    values = [-0.0, 0.0, -0.04, 0.04, 2.5, -2.5, 1.0, 1234.5, -1234.5, 94.95, float("nan")]
    for unit in ("percent", "days", "currency", "currency_thousands", "number"):
        for d in (0, 1, 2):
            column = [t or MISSING for t in value_text(values, d, unit).tolist()]
            for _ in range(2):
                assert [value_string(v, unit, d) for v in values] == column
