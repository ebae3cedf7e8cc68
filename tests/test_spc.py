"""pmlib.spc: each rule at its boundary, worked out by hand.

Most series here start with a *baseline* of four points, 10, 0, 10, 0, and set
``fix_after_n_points=4``: the mean is then exactly 5 and every moving range exactly 10, so the
process limits are 5 ∓ 26.6 (-21.6 and 31.6) and the two-sigma band 5 ∓ 17.73 (about -12.73 and
22.73), whatever follows. The points after the baseline are chosen to sit well inside the limits
unless a test says otherwise, so only the rule under test can fire.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pmlib.core.errors import ParameterError
from pmlib.spc import SpcOptions, calculate_spc
from pmlib.spc.summary import assurance

BASE = [10, 0, 10, 0]


def run(values, **options):
    """One series through calculate_spc, baseline fixed at 4 points unless said otherwise."""
    options.setdefault("fix_after_n_points", 4)
    frame = pd.DataFrame({"date": range(len(values)), "value": values})
    return calculate_spc(frame, series=None, **options)


def rules(values, **options) -> list[str]:
    return run(values, **options).points["special_cause_rule"].tolist()


COMMON = "Common Cause"


def test_the_baseline_sets_the_lines_by_hand():
    pts = run([*BASE, 6, 4]).points
    assert pts["mean"].tolist() == [5.0] * 6
    assert pts["upl"].iloc[0] == pytest.approx(31.6)
    assert pts["lpl"].iloc[0] == pytest.approx(-21.6)
    assert pts["nupl"].iloc[0] == pytest.approx(5 + 2 / 3 * 26.6)
    assert pts["relative_to_mean"].tolist() == [1, -1, 1, -1, 1, -1]
    assert rules([*BASE, 6, 4]) == [COMMON] * 6


# --- shift: points on one side of the mean ---------------------------------------------------


def test_six_points_above_the_mean_are_not_a_shift_but_seven_are():
    assert rules([*BASE, *[6] * 6, 4]) == [COMMON] * 11
    assert rules([*BASE, *[6] * 7, 4]) == [COMMON] * 4 + ["7 Points Above CL"] * 7 + [COMMON]


def test_shift_points_6_as_the_mdc_excel_tool():
    assert rules([*BASE, *[6] * 6, 4], shift_points=6) == (
        [COMMON] * 4 + ["6 Points Above CL"] * 6 + [COMMON]
    )


def test_every_point_of_a_longer_run_is_flagged_and_below_is_named():
    assert rules([*BASE, *[4] * 9, 6]) == [COMMON] * 3 + ["7 Points Below CL"] * 10 + [COMMON]


def test_a_point_exactly_on_the_mean_breaks_a_run():
    values = [*BASE[:3], 6, 6, 6, 5, 6, 6, 6, 6]  # baseline ends 10 (above): 10,6,6,6 | 5 | 6 x4
    out = run(values, fix_after_n_points=None, screen_outliers=False)
    # Not fixed here: mean = (10+0+10+6*7+5)/11 = 67/11, so the 5 is *below*; use the fixed one.
    assert out.points["mean"].iloc[0] == pytest.approx(67 / 11)
    fixed = run([*BASE, 6, 6, 6, 5, 6, 6, 6, 6])
    assert fixed.points["relative_to_mean"].iloc[7] == 0
    assert fixed.points["special_cause_flag"].tolist() == [False] * 12
    # The same series with the 5 moved to 6 is a run of 7 (points 5 to 12).
    assert rules([*BASE, *[6] * 8]) == [COMMON] * 4 + ["7 Points Above CL"] * 8


# --- trend: points each strictly higher (or lower) than the last ---------------------------


def test_six_rising_points_are_not_a_trend_but_seven_are():
    # The baseline's last point (0) starts the climb: 0,1,...,5 is six points.
    assert rules([*BASE, 1, 2, 3, 4, 5]) == [COMMON] * 9
    up = "7 Point Trend (Increasing)"
    assert rules([*BASE, 1, 2, 3, 4, 5, 6]) == [COMMON] * 3 + [up] * 7


def test_a_tie_breaks_a_trend():
    # 0,1,2,3 then 3,4,5,6: two climbs of four points, no trend.
    assert rules([*BASE, 1, 2, 3, 3, 4, 5, 6]) == [COMMON] * 11


def test_trend_points_is_configurable():
    up = "5 Point Trend (Increasing)"
    assert rules([*BASE, 1, 2, 3, 4], trend_points=5) == [COMMON] * 3 + [up] * 5


def test_a_peak_shared_by_two_trends_is_labelled_decreasing():
    values = [*BASE, 1, 2, 3, 4, 5, 6, 5, 4, 3, 2, 1, 0]
    up, down = "7 Point Trend (Increasing)", "7 Point Trend (Decreasing)"
    # points 4-10 climb 0..6, points 10-16 fall 6..0; the peak (point 10) takes the fall.
    assert rules(values) == [COMMON] * 3 + [up] * 6 + [down] * 7


def test_a_falling_trend_is_concern_when_higher_is_better_and_improvement_when_lower():
    values = [*BASE, 10, 9, 8, 7, 6, 5, 4]  # 10 down to 4: seven falling points
    inc = run(values).points["point_type"].tolist()
    dec = run(values, improvement_direction="decrease").points["point_type"].tolist()
    assert inc == ["common_cause"] * 4 + ["special_cause_concern"] * 7
    assert dec == ["common_cause"] * 4 + ["special_cause_improvement"] * 7


# --- outside the limits ------------------------------------------------------------------


def test_a_point_exactly_on_a_limit_is_inside():
    upl = 5 + 2.66 * 10  # the formula, in the same floating point
    lpl = 5 - 2.66 * 10
    out = run([*BASE, upl, 5, lpl, 5, np.nextafter(upl, np.inf), 5, np.nextafter(lpl, -np.inf)])
    assert out.points["outside_limits"].tolist() == [False] * 8 + [True, False, True]
    assert out.points["special_cause_rule"].tolist()[8:] == ["Above UCL", COMMON, "Below LCL"]


def test_a_limit_beats_a_trend_and_a_run():
    # 0,1,...,5 then 40: a seven-point climb whose last point is above the limit.
    assert rules([*BASE, 1, 2, 3, 4, 5, 40])[-1] == "Above UCL"


# --- two of three beyond two sigma ------------------------------------------------------


def test_two_of_three_close_points_on_one_side_flag_only_the_close_ones():
    # 24 is between 2 sigma (22.73) and 3 sigma (31.6); 6 is above the mean but not close.
    out = run([*BASE, 24, 6, 24, 4])
    assert out.points["close_to_limits"].tolist() == [False] * 4 + [True, False, True, False]
    assert out.points["special_cause_rule"].tolist() == (
        [COMMON] * 4 + ["2 in 3 Above CL", COMMON, "2 in 3 Above CL", COMMON]
    )


def test_two_of_three_across_the_mean_is_no_signal():
    assert rules([*BASE, 24, 4, 24, 4]) == [COMMON] * 8


def test_two_of_three_below_and_the_rule_can_be_switched_off():
    assert rules([*BASE, -14, -14, 4])[4:] == ["2 in 3 Below CL", "2 in 3 Below CL", COMMON]
    assert rules([*BASE, -14, -14, 4], two_in_three=False) == [COMMON] * 7


def test_points_beyond_three_sigma_do_not_count_as_close():
    # 40, 40, 24: two outside and one close: the 24 has no second close point (#153).
    assert rules([*BASE, 40, 40, 24, 4])[4:] == ["Above UCL", "Above UCL", COMMON, COMMON]


# --- moving ranges, screening, fixing, rebasing ------------------------------------------


def test_screening_drops_a_large_moving_range_once():
    values = [0, 1] * 6 + [20]  # 11 ranges of 1 and one of 19; mean (6 + 20) / 13 = 2
    # mean MR = 30 / 12 = 2.5; 19 >= 3.267 * 2.5, so it goes and the mean MR becomes 1.
    screened = run(values, fix_after_n_points=None).points
    assert screened["mean"].iloc[0] == pytest.approx(2)
    assert screened["upl"].iloc[0] == pytest.approx(2 + 2.66)
    assert screened["lpl"].iloc[0] == pytest.approx(2 - 2.66)
    plain = run(values, fix_after_n_points=None, screen_outliers=False).points
    assert plain["upl"].iloc[0] == pytest.approx(2 + 2.66 * 2.5)


def test_every_moving_range_zero_leaves_no_limits():
    out = run([3, 3, 3], fix_after_n_points=None)
    assert out.points["mean"].tolist() == [3.0] * 3
    assert out.points["upl"].isna().all()
    assert out.points["special_cause_flag"].tolist() == [False] * 3


def test_rebase_starts_a_new_group_with_its_own_lines_and_runs_do_not_span_it():
    values = [0, 2] * 4 + [10, 12] * 4
    frame = pd.DataFrame(
        {"date": range(16), "value": values, "rebase": [False] * 8 + [True] + [False] * 7}
    )
    out = calculate_spc(frame, series=None)
    pts = out.points
    assert pts["rebase_group"].tolist() == [0] * 8 + [1] * 8
    assert pts["mean"].tolist() == [1.0] * 8 + [11.0] * 8
    assert pts["upl"].iloc[0] == pytest.approx(1 + 2.66 * 2)
    assert pts["upl"].iloc[8] == pytest.approx(11 + 2.66 * 2)
    assert not pts["special_cause_flag"].any()
    assert out.groups["n"].tolist() == [8, 8]
    assert out.groups["short_group"].tolist() == [True, True]
    s = out.summary.iloc[0]
    assert (s["groups"], s["rebase_group"], s["mean"], s["short_group_warning"]) == (2, 1, 11, True)


def test_thirteen_points_is_not_a_short_group_but_twelve_is():
    assert run([0, 1] * 6, fix_after_n_points=None).summary["short_group_warning"].item()
    assert not run([0, 1] * 6 + [0], fix_after_n_points=None).summary["short_group_warning"].item()


# --- variation and assurance -------------------------------------------------------------


def test_neutral_signals_are_high_or_low_and_have_no_assurance():
    out = run([*BASE, 40, -30], improvement_direction="neutral", target=0)
    assert out.points["point_type"].tolist()[4:] == [
        "special_cause_neutral_high",
        "special_cause_neutral_low",
    ]
    assert out.summary["variation_type"].item() == "special_cause_neutral_low"
    assert pd.isna(out.summary["assurance_type"].item())


@pytest.mark.parametrize(
    ("target", "direction", "expected"),
    [
        (40, 1, "consistent_fail"),  # above the upper limit, higher is better
        (40, -1, "consistent_pass"),
        (-30, 1, "consistent_pass"),
        (-30, -1, "consistent_fail"),
        (31.6, 1, "inconsistent"),  # exactly on a limit is inside
        (-21.6, -1, "inconsistent"),
        (5, 1, "inconsistent"),
        (5, 0, None),  # neutral
        (float("nan"), 1, None),  # no target
    ],
)
def test_assurance_against_the_limits(target, direction, expected):
    got = assurance(np.array([target]), np.array([-21.6]), np.array([31.6]), np.array([direction]))
    assert got.tolist() == [expected]


def test_assurance_uses_the_last_groups_limits():
    frame = pd.DataFrame(
        {
            "date": range(16),
            "value": [0, 2] * 4 + [10, 12] * 4,
            "rebase": [False] * 8 + [True] + [False] * 7,
        }
    )
    # Group 0: 1 -/+ 5.32; group 1: 11 -/+ 5.32. A target of 7 is above group 0's limits
    # but inside group 1's.
    out = calculate_spc(frame, series=None, target=7)
    assert out.summary["assurance_type"].item() == "inconsistent"
    out = calculate_spc(frame, series=None, target=4)
    assert out.summary["assurance_type"].item() == "consistent_pass"


def test_variation_is_the_latest_points_type():
    out = run([*BASE, 40, 4], target=-30)
    assert out.summary["variation_type"].item() == "common_cause"
    out = run([*BASE, 4, 40], target=-30)
    assert out.summary["variation_type"].item() == "special_cause_improvement"
    assert out.summary["assurance_type"].item() == "consistent_pass"


# --- the table ---------------------------------------------------------------------------


def test_series_are_separate_and_rows_keep_their_input_order():
    frame = pd.DataFrame(
        {
            "series": ["b", "a", "b", "a", "b", "a"],
            "date": ["2026-03", "2026-01", "2026-01", "2026-03", "2026-02", "2026-02"],
            "value": [3.0, 10.0, 1.0, 30.0, 2.0, 20.0],
        }
    )
    before = frame.copy()
    out = calculate_spc(frame)
    pd.testing.assert_frame_equal(frame, before)  # the input is not changed
    assert out.points["series"].tolist() == frame["series"].tolist()
    assert out.points["mean"].tolist() == [2.0, 20.0, 2.0, 20.0, 2.0, 20.0]
    assert out.summary["series"].tolist() == ["b", "a"]
    assert out.summary["latest_value"].tolist() == [3.0, 30.0]


def test_options_can_differ_by_series_through_columns():
    frame = pd.DataFrame(
        {
            "series": ["up"] * 6 + ["down"] * 6,
            "date": list(range(6)) * 2,
            "value": [*BASE, 40, 4] * 2,
            "improvement_direction": ["increase"] * 6 + ["decrease"] * 6,
            "fix_after_n_points": [4] * 12,
        }
    )
    pts = calculate_spc(frame).points
    assert pts["point_type"].tolist()[4] == "special_cause_improvement"
    assert pts["point_type"].tolist()[10] == "special_cause_concern"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"improvement_direction": "up"}, "improvement_direction 'up'"),
        ({"shift_points": 2}, "shift_points 2"),
        ({"fix_after_n_points": 0}, "fix_after_n_points 0"),
    ],
)
def test_bad_options_are_refused_with_the_fix(change, message):
    with pytest.raises(ParameterError, match=message):
        SpcOptions(**change)


def test_an_option_that_differs_within_a_series_is_refused():
    frame = pd.DataFrame({"date": [1, 2], "value": [1, 2], "target": [1, 2]})
    with pytest.raises(ParameterError, match="target differs within a series"):
        calculate_spc(frame, series=None)


def test_a_repeated_date_is_refused():
    frame = pd.DataFrame({"date": [1, 1], "value": [1, 2]})
    with pytest.raises(ParameterError, match="repeats within a series"):
        calculate_spc(frame, series=None)


def test_option_cells_are_read_as_a_csv_gives_them_and_a_bad_one_names_its_series():
    frame = pd.DataFrame(
        {
            "series": ["a"] * 6 + ["b"] * 6,
            "date": list(range(6)) * 2,
            "value": [*BASE, 40, 4] * 2,
            "improvement_direction": [" Decrease", "", None, "decrease", "DECREASE", ""]
            + ["increase"] * 6,
            "fix_after_n_points": ["4"] * 6 + ["4.0"] * 6,
            "screen_outliers": ["TRUE"] * 6 + ["no"] * 6,
        }
    )
    out = calculate_spc(frame)
    assert out.summary["improvement_direction"].tolist() == ["decrease", "increase"]
    assert out.points["point_type"].tolist()[4::6] == [
        "special_cause_concern",
        "special_cause_improvement",
    ]
    frame.loc[8, "screen_outliers"] = "maybe"
    with pytest.raises(ParameterError, match="screen_outliers 'maybe' \\(series 'b'\\)"):
        calculate_spc(frame)


def test_rebase_cells_may_be_text_and_false_means_false():
    frame = pd.DataFrame(
        {"date": range(4), "value": [0, 2, 10, 12], "rebase": ["false", "", "TRUE", None]}
    )
    assert calculate_spc(frame, series=None).points["rebase_group"].tolist() == [0, 0, 1, 1]
    frame.loc[1, "rebase"] = "later"
    with pytest.raises(ParameterError, match="rebase 'later' is not valid"):
        calculate_spc(frame, series=None)
