"""Direction of Travel and the year-end forecast (docs/rating-rules.md).

Expected values are worked out by hand; the arithmetic is shown beside each case.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rating_fixtures import make_dataset, months, quarters

from pmlib.rating.engine import rate_period
from pmlib.rating.trend import direction_of_travel, forecast_year_end

NAN = math.nan
FY, LY = "2026/27", "2025/26"


# -- Direction of Travel -------------------------------------------------------------------------
DOT_CASES = [
    # current, comparator, polarity, extra, expected
    (90, 80, "higher", {}, "Improving"),
    (80, 90, "higher", {}, "Worsening"),
    (80, 80, "higher", {}, "No change"),
    (2.0, 2.5, "lower", {}, "Improving"),
    (3.0, 2.5, "lower", {}, "Worsening"),
    (-5, -3, "lower", {}, "Improving"),
    (101, 100, "higher", {"tolerance": 0.01}, "No change"),  # |1| <= 1% of 100: inclusive
    (101.1, 100, "higher", {"tolerance": 0.01}, "Improving"),
    (98.9, 100, "higher", {"tolerance": 0.01}, "Worsening"),
    (100.5, 100, "higher", {}, "Improving"),  # tolerance 0: only equal values are unchanged
    (90, NAN, "higher", {}, "Not comparable"),
    (NAN, 90, "lower", {}, "Not comparable"),
    (5, 4, "higher", {"kind": "statistic"}, "Up"),
    (4, 5, "lower", {"kind": "statistic"}, "Down"),
    (5, 5, "higher", {"kind": "statistic"}, "No change"),
    (5, 4, "none", {}, "Up"),
    (50, 45, "band", {"lower": 40, "upper": 60}, "No change"),  # inside both times
    (38, 35, "band", {"lower": 40, "upper": 60}, "Improving"),  # 2 outside, was 5
    (65, 62, "band", {"lower": 40, "upper": 60}, "Worsening"),  # 5 outside, was 2
    (30, 70, "band", {"lower": 40, "upper": 60}, "No change"),  # 10 outside either side
]


@pytest.mark.parametrize(("current", "comparator", "polarity", "extra", "expected"), DOT_CASES)
def test_direction_of_travel(current, comparator, polarity, extra, expected):
    bounds = {k: [v] for k, v in extra.items() if k in ("lower", "upper")}
    out = direction_of_travel(
        [current],
        [comparator],
        [polarity],
        kind=[extra.get("kind", "KPI")],
        tolerance=extra.get("tolerance", 0.0),
        **bounds,
    )
    assert out.tolist() == [expected]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(-1e6, 1e6), st.floats(-1e6, 1e6), st.sampled_from(["higher", "lower"])),
        min_size=1,
        max_size=20,
    )
)
def test_swapping_the_two_values_reverses_the_direction(rows):
    cur, comp, pol = (list(x) for x in zip(*rows, strict=True))
    forward = direction_of_travel(cur, comp, pol)
    backward = direction_of_travel(comp, cur, pol)
    flip = {"Improving": "Worsening", "Worsening": "Improving", "No change": "No change"}
    assert [flip[f] for f in forward] == backward.tolist()


def row_of(out: pd.DataFrame, indicator: str) -> pd.Series:
    return out.set_index("indicator_id").loc[indicator]


def test_q1_compares_with_last_years_q4_and_q1():
    ds = make_dataset(
        [{"id": "Q"}],
        [("Q", FY, 90)],
        quarters("Q", LY, [99, 95, 92, 90]) + quarters("Q", FY, [95]),
    )
    row = row_of(rate_period(ds, f"{FY} Q1"), "Q")
    assert (row["previous_period"], row["previous_value"], row["dot_short"]) == (
        "2025/26 Q4",
        90,
        "Improving",
    )
    assert (row["last_year_period"], row["last_year_value"], row["dot_long"]) == (
        "2025/26 Q1",
        99,
        "Worsening",
    )


def homes(last_year: bool = True, target: float = 400):
    ind = [{"id": "H", "frequency": "monthly", "measure": "cumulative", "aggregation": "sum"}]
    actuals = months("H", "2026-04", [30] * 6)  # 180 so far this year
    if last_year:
        # 190 by September (30 × 4 + 35 × 2), 410 by March (+ 35 × 3, 30, 35, 50)
        actuals += months("H", "2025-04", [30, 30, 30, 30, 35, 35, 35, 35, 35, 30, 35, 50])
    return make_dataset(ind, [("H", FY, target)], actuals)


def test_year_to_date_measures_compare_with_the_same_point_last_year():
    row = row_of(rate_period(homes(), f"{FY} Q2"), "H")
    # short-term: Q2's year to date against Q1's would always rise; not comparable
    assert row["dot_short"] == "Not comparable"
    assert pd.isna(row["previous_period"]) and math.isnan(row["previous_value"])
    assert row["dot_note"] == (
        "year to date: compared with the same point last year, not the previous period"
    )
    # long-term: 180 so far against 190 by September last year → Worsening
    assert (row["last_year_value"], row["dot_long"]) == (190, "Worsening")


def test_direction_of_travel_compares_published_values():
    ds = make_dataset(
        [{"id": "P", "unit": "percent", "decimals": 1}],
        [("P", FY, 90)],
        quarters("P", FY, [95.04, 94.96]),
    )
    row = row_of(rate_period(ds, f"{FY} Q2"), "P")
    assert (row["value"], row["previous_value"], row["dot_short"]) == (95.0, 95.0, "No change")


def test_council_tolerance_applies():
    ds = make_dataset(
        [{"id": "Q"}], [("Q", FY, 90)], quarters("Q", FY, [100, 99.5]), dot_tolerance=0.01
    )
    ds1 = make_dataset(
        [{"id": "Q", "decimals": 1}],
        [("Q", FY, 90)],
        quarters("Q", FY, [100, 99.5]),
        dot_tolerance=0.01,
    )
    assert row_of(rate_period(ds, f"{FY} Q2"), "Q")["dot_short"] == "No change"  # 100 → 100
    assert row_of(rate_period(ds1, f"{FY} Q2"), "Q")["dot_short"] == "No change"  # 0.5 <= 1


def test_statistics_go_up_or_down():
    ds = make_dataset(
        [{"id": "S", "kind": "statistic", "polarity": "none"}], [], quarters("S", FY, [100, 120])
    )
    row = row_of(rate_period(ds, f"{FY} Q2"), "S")
    assert (row["rag"], row["dot_short"], row["dot_long"]) == ("Grey", "Up", "Not comparable")


def test_at_a_year_both_directions_compare_with_last_year():
    ds = make_dataset(
        [{"id": "Q", "aggregation": "sum"}],
        [("Q", FY, 10)],
        quarters("Q", LY, [1, 1, 1, 1]) + quarters("Q", FY, [2, 2, 2, 2]),
    )
    row = row_of(rate_period(ds, FY), "Q")
    assert (row["previous_period"], row["last_year_period"]) == (LY, LY)
    assert (row["value"], row["previous_value"]) == (8, 4)
    assert (row["dot_short"], row["dot_long"]) == ("Improving", "Improving")


# -- forecast ------------------------------------------------------------------------------------
def test_cumulative_sum_forecast_uses_last_years_profile():
    row = row_of(rate_period(homes(), f"{FY} Q2"), "H")
    # 180 × 410 / 190 = 388.4 → 388, 3% short of 400 → Amber
    assert (row["forecast"], row["forecast_rag"]) == (388, "Amber")
    assert row["forecast_reason"] == (
        "Forecast year-end 388: the year to date (180) grown in the same proportion as last "
        "year's, which went from 190 at 2025/26 Q2 to 410 at year end; Amber against the 400 "
        "year-end target"
    )
    assert row["rag"] == "Red"  # today: 180 against a profiled 200 is 10% short


def test_cumulative_sum_forecast_falls_back_to_the_run_rate():
    row = row_of(rate_period(homes(last_year=False), f"{FY} Q2"), "H")
    # 180 × 12 / 6 = 360, 10% short of 400 → Red
    assert (row["forecast"], row["forecast_rag"]) == (360, "Red")
    assert row["forecast_reason"] == (
        "Forecast year-end 360: the year to date (180 in 6 months) continued at the same "
        "monthly rate for 12 months (no figures last year); Red against the 400 year-end target"
    )


def test_ratio_forecast_adds_last_years_change_to_year_end():
    ind = [{"id": "R", "aggregation": "ratio", "unit": "percent", "decimals": 1}]
    nd = [(LY, 1, 80), (LY, 2, 85), (LY, 3, 95), (LY, 4, 100), (FY, 1, 84), (FY, 2, 86)]
    actuals = [
        {"indicator_id": "R", "period": f"{fy} Q{q}", "numerator": n, "denominator": 100}
        for fy, q, n in nd
    ]
    row = row_of(rate_period(make_dataset(ind, [("R", FY, 90.0)], actuals), f"{FY} Q2"), "R")
    # this year 170/200 = 85.0%; last year 165/200 = 82.5% by Q2, 360/400 = 90.0% by year end:
    # 85.0 + 7.5 = 92.5 → Green against 90.0
    assert (row["forecast"], row["forecast_rag"]) == (92.5, "Green")
    assert row["forecast_reason"] == (
        "Forecast year-end 92.5%: the year so far (85.0%) plus the rise seen over the same "
        "months last year (7.5 percentage points, from 82.5% at 2025/26 Q2 to 90.0% at year "
        "end); Green against the 90.0% year-end target"
    )
    assert (row["value"], row["rag"]) == (86.0, "Amber")  # the quarter itself: 4.4% short


def test_mean_forecast_without_last_year_is_the_year_to_date_rate():
    ds = make_dataset(
        [{"id": "D", "polarity": "lower"}], [("D", FY, 12)], quarters("D", FY, [10, 14])
    )
    row = row_of(rate_period(ds, f"{FY} Q2"), "D")
    # (10 + 14) / 2 = 12 → meets 12
    assert (row["forecast"], row["forecast_rag"]) == (12, "Green")
    assert row["forecast_reason"] == (
        "Forecast year-end 12: the average for the year so far, assumed to hold (no figures "
        "last year); Green against the 12 year-end target"
    )


def test_snapshot_forecast_is_the_latest_value():
    ds = make_dataset(
        [{"id": "S", "measure": "snapshot", "polarity": "lower"}],
        [("S", FY, 40)],
        quarters("S", FY, [38, 45]),
    )
    row = row_of(rate_period(ds, f"{FY} Q2"), "S")
    # 45 against 40: 12.5% over → Red
    assert (row["forecast"], row["forecast_rag"]) == (45, "Red")
    assert row["forecast_reason"] == (
        "Forecast year-end 45: the latest value, assumed to hold to year end; Red against the "
        "40 year-end target"
    )


def test_period_sum_has_no_forecast():
    ds = make_dataset(
        [{"id": "P", "aggregation": "sum"}], [("P", FY, 40)], quarters("P", FY, [38, 45])
    )
    row = row_of(rate_period(ds, f"{FY} Q2"), "P")
    assert math.isnan(row["forecast"]) and pd.isna(row["forecast_rag"])
    assert row["forecast_reason"] == (
        "No forecast: the year target applies to each period, not to a year total"
    )


def tax(last_year: list[float] | None, this_year: list[float]):
    ind = [
        {
            "id": "T",
            "frequency": "monthly",
            "measure": "cumulative",
            "aggregation": "last",
            "unit": "percent",
            "decimals": 1,
        }
    ]
    actuals = months("T", "2026-04", this_year)
    if last_year:
        actuals += months("T", "2025-04", last_year)
    return make_dataset(ind, [("T", FY, 97.0)], actuals)


LAST_YEAR_TAX = [10, 19, 28, 37, 46, 55, 64, 73, 82, 90, 95, 97.5]


def test_running_figure_forecast_scales_by_last_years_profile():
    row = row_of(rate_period(tax(LAST_YEAR_TAX, [10, 20, 29, 38, 47, 56]), f"{FY} Q2"), "T")
    # 56.0 × 97.5 / 55.0 = 99.27 → 99.3% → Green against 97.0%
    assert (row["forecast"], row["forecast_rag"]) == (99.3, "Green")


def test_percentage_forecasts_stay_within_100():
    row = row_of(rate_period(tax(LAST_YEAR_TAX, [10, 20, 29, 38, 47, 57]), f"{FY} Q2"), "T")
    # 57.0 × 97.5 / 55.0 = 101.05 → kept at 100.0%
    assert row["forecast"] == 100.0
    assert row["forecast_reason"].startswith("Forecast year-end 100.0%: ")
    assert "at year end (capped at 100%); Green" in row["forecast_reason"]


def test_a_running_rate_forecast_is_worked_from_the_figures_shown():
    # RES01-like: council tax collected, a running year-to-date percentage. Unrounded, 56.06 ×
    # 97.26 / 57.04 = 95.59 → 95.6% — but the page shows 56.1%, 57.0% and 97.3%, and
    # 56.1 × 97.3 / 57.0 = 95.76 → 95.8%: the forecast shown is the one the shown figures give
    last_year = [10, 19, 28, 37, 46, 57.04, 64, 73, 82, 90, 95, 97.26]
    row = row_of(rate_period(tax(last_year, [10, 20, 29, 38, 47, 56.06]), f"{FY} Q2"), "T")
    # 95.8 against 97.0: 1.2 / 97 = 1.2% short → Amber
    assert (row["forecast"], row["forecast_rag"]) == (95.8, "Amber")
    assert row["forecast_reason"] == (
        "Forecast year-end 95.8%: the year to date (56.1%) grown in the same proportion as last "
        "year's, which went from 57.0% at 2025/26 Q2 to 97.3% at year end; Amber against the "
        "97.0% year-end target"
    )


def test_a_rate_forecast_adds_up_as_displayed():
    # RES09-like: calls answered in 60 seconds, a ratio. This year 7,744 of 10,000 = 77.44%,
    # shown 77.4%; last year 7,696 of 10,000 = 76.96% (shown 77.0%) by Q2 and 15,460 of
    # 20,000 = 77.30% (77.3%) by year end. Unrounded, 77.44 + 0.34 = 77.78 → 77.8% beside a
    # "0.3 points" change that does not add up; from the shown figures 77.4 + 0.3 = 77.7%
    ind = [{"id": "C", "aggregation": "ratio", "unit": "percent", "decimals": 1}]
    nd = [(LY, 1, 3848), (LY, 2, 3848), (LY, 3, 3882), (LY, 4, 3882), (FY, 1, 3872), (FY, 2, 3872)]
    actuals = [
        {"indicator_id": "C", "period": f"{fy} Q{q}", "numerator": n, "denominator": 5000}
        for fy, q, n in nd
    ]
    row = row_of(rate_period(make_dataset(ind, [("C", FY, 80.0)], actuals), f"{FY} Q2"), "C")
    # 77.7 against 80.0: 2.9% short → Amber
    assert (row["forecast"], row["forecast_rag"]) == (77.7, "Amber")
    assert row["forecast_reason"] == (
        "Forecast year-end 77.7%: the year so far (77.4%) plus the rise seen over the same "
        "months last year (0.3 percentage points, from 77.0% at 2025/26 Q2 to 77.3% at year "
        "end); Amber against the 80.0% year-end target"
    )


def test_a_forecast_in_thousands_of_pounds_multiplies_no_units():
    # RES14-like: agency spend, £k, quarterly year to date. 298 × 447 / 251 = 530.7 → £531k;
    # the sentence names the method and never writes "£298k × £447k / £251k"
    ind = [
        {
            "id": "K",
            "measure": "cumulative",
            "aggregation": "sum",
            "unit": "currency_thousands",
            "polarity": "lower",
        }
    ]
    actuals = quarters("K", LY, [125, 126, 96, 100]) + quarters("K", FY, [150, 148])
    row = row_of(rate_period(make_dataset(ind, [("K", FY, 580)], actuals), f"{FY} Q2"), "K")
    assert row["forecast"] == 531
    reason = row["forecast_reason"]
    assert reason == (
        "Forecast year-end £531k: the year to date (£298k) grown in the same proportion as last "
        "year's, which went from £251k at 2025/26 Q2 to £447k at year end; Green against the "
        "£580k year-end target"
    )
    assert "×" not in reason and " / " not in reason and " = " not in reason


def test_running_figure_without_last_year_has_no_forecast():
    row = row_of(rate_period(tax(None, [10, 20, 29, 38, 47, 57]), f"{FY} Q2"), "T")
    assert math.isnan(row["forecast"])
    assert row["forecast_reason"] == (
        "No forecast: a running year-to-date figure needs last year's profile"
    )


def test_at_q4_the_forecast_is_the_outturn():
    ds = make_dataset([{"id": "Q"}], [("Q", FY, 95)], quarters("Q", FY, [90, 92, 94, 96]))
    row = row_of(rate_period(ds, f"{FY} Q4"), "Q")
    # mean of the four quarters: 93, 2.1% short of 95 → Amber
    assert (row["forecast"], row["forecast_rag"]) == (93, "Amber")
    assert row["forecast_reason"] == (
        "Forecast year-end 93: the year's outturn; Amber against the 95 year-end target"
    )


def test_no_year_target_no_forecast():
    ds = make_dataset([{"id": "Q"}], [("Q", f"{FY} Q2", 95)], quarters("Q", FY, [90, 92]))
    row = row_of(rate_period(ds, f"{FY} Q2"), "Q")
    assert math.isnan(row["forecast"])
    assert row["forecast_reason"] == "No forecast: no target for the year"


def test_annual_indicator_has_no_in_year_forecast():
    ds = make_dataset([{"id": "A", "frequency": "annual"}], [("A", FY, 5)], [("A", LY, 4.0)])
    row = row_of(rate_period(ds, f"{FY} Q2"), "A")
    assert row["forecast_reason"] == ("No forecast: annual indicator; outturn due after year end")


def test_band_forecast_is_rated_against_the_year_range():
    ds = make_dataset(
        [{"id": "B", "polarity": "band", "unit": "percent", "decimals": 1}],
        [{"indicator_id": "B", "period": FY, "lower": 40, "upper": 60}],
        quarters("B", FY, [50, 63]),
    )
    row = row_of(rate_period(ds, f"{FY} Q2"), "B")
    # (50 + 63) / 2 = 56.5, inside 40-60
    assert row["forecast_reason"] == (
        "Forecast year-end 56.5%: the average for the year so far, assumed to hold (no figures "
        "last year); Green against the 40.0% to 60.0% year-end range"
    )


def test_forecast_year_end_on_a_plain_frame():
    frame = pd.DataFrame(
        {
            "measure": ["cumulative", "period", "snapshot"],
            "aggregation": ["sum", "sum", "mean"],
            "frequency": "quarterly",
            "unit": ["number", "number", "days"],
            "decimals": [0, 0, 1],
            "value": [50.0, 10.0, 3.25],
            "ytd": [50.0, 30.0, 3.0],
            "last_year_ytd": [NAN, NAN, NAN],
            "last_year_outturn": [NAN, NAN, NAN],
            "outturn": [NAN, NAN, NAN],
            "months_elapsed": 3,
            "final": False,
            "has_year_target": [True, True, True],
            "last_year_period": "2025/26 Q1",
        },
        index=[7, 8, 9],
    )
    out = forecast_year_end(frame)
    assert out.index.tolist() == [7, 8, 9]
    # 50 × 12 / 3 = 200; no forecast for a period sum; 3.25 days published as 3.3 (half up)
    np.testing.assert_equal(out["forecast"].to_numpy(), [200.0, NAN, 3.3])
    assert out["forecast_method"].tolist()[0::2] == ["run_rate", "persistence"]
    assert out["forecast_reason"].iloc[2] == (
        "Forecast year-end 3.3 days: the latest value, assumed to hold to year end"
    )


def test_a_ratio_without_last_year_is_forecast_at_its_rate_a_mean_at_its_average():
    frame = pd.DataFrame(
        {
            "measure": "period",
            "aggregation": ["ratio", "mean"],
            "frequency": "quarterly",
            "unit": ["percent", "days"],
            "decimals": 1,
            "value": [80.0, 4.0],
            "ytd": [81.25, 4.25],
            "last_year_ytd": NAN,
            "last_year_outturn": NAN,
            "outturn": NAN,
            "months_elapsed": 6,
            "final": False,
            "has_year_target": True,
            "last_year_period": "2025/26 Q2",
        }
    )
    # the year so far, published: 81.25 → 81.3%, 4.25 → 4.3 days (half away from zero)
    assert forecast_year_end(frame)["forecast_reason"].tolist() == [
        "Forecast year-end 81.3%: the rate for the year so far, assumed to hold (no figures "
        "last year)",
        "Forecast year-end 4.3 days: the average for the year so far, assumed to hold (no "
        "figures last year)",
    ]


def test_a_rate_forecast_says_rise_fall_or_no_change_as_last_year_did():
    frame = pd.DataFrame(
        {
            "measure": "period",
            "aggregation": "ratio",
            "frequency": "quarterly",
            "unit": "percent",
            "decimals": 1,
            "value": 75.0,
            "ytd": 75.0,
            "last_year_ytd": [80.0, 80.0, 80.0],
            "last_year_outturn": [81.0, 78.5, 80.0],
            "outturn": NAN,
            "months_elapsed": 6,
            "final": False,
            "has_year_target": True,
            "last_year_period": "2025/26 Q2",
        }
    )
    # 75.0 + (81.0 - 80.0) = 76.0; 75.0 - (80.0 - 78.5) = 73.5; 75.0 + 0 = 75.0
    out = forecast_year_end(frame)
    assert out["forecast"].tolist() == [76.0, 73.5, 75.0]
    assert out["forecast_reason"].tolist() == [
        "Forecast year-end 76.0%: the year so far (75.0%) plus the rise seen over the same "
        "months last year (1.0 percentage points, from 80.0% at 2025/26 Q2 to 81.0% at year end)",
        "Forecast year-end 73.5%: the year so far (75.0%) less the fall seen over the same "
        "months last year (1.5 percentage points, from 80.0% at 2025/26 Q2 to 78.5% at year end)",
        "Forecast year-end 75.0%: the year so far (75.0%), with no change expected: there was "
        "none over the same months last year (80.0% at 2025/26 Q2 and at year end)",
    ]
