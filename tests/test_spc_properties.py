"""pmlib.spc: properties that hold for any series (hypothesis).

Values are whole numbers, so moving ranges are exact and only the mean can round. Where a
property could be broken by rounding alone (a point within a hair of a line, a moving range within
a hair of the screening bound), the example is set aside with ``assume``: the property is about
the rules, not about the last bit of a float.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from pmlib.spc import calculate_spc

FLAGS = ("outside_limits", "relative_to_mean", "close_to_limits", "special_cause_flag")
LABELS = ("special_cause_rule", "point_type")
LINES = ("mean", "lpl", "upl", "nlpl", "nupl")

values_st = st.lists(st.integers(-60, 60), min_size=2, max_size=40)
# A step in the middle makes shifts, and so special causes, common in the examples.
stepped_st = st.tuples(values_st, st.integers(0, 39), st.integers(-80, 80)).map(
    lambda t: [v + (t[2] if i >= t[1] else 0) for i, v in enumerate(t[0])]
)
options_st = st.fixed_dictionaries(
    {
        "improvement_direction": st.sampled_from(["increase", "decrease", "neutral"]),
        "screen_outliers": st.booleans(),
        "fix_after_n_points": st.sampled_from([None, None, 3, 12]),
        "shift_points": st.sampled_from([6, 7]),
        "target": st.sampled_from([None, -20.5, 0.5, 30.5]),
    }
)


def spc(values, **options):
    frame = pd.DataFrame({"date": range(len(values)), "value": values})
    return calculate_spc(frame, series=None, **options)


def _clear_of_lines(values, result, tol=1e-7) -> bool:
    """No point within ``tol`` (relative) of a line it is compared with."""
    pts = result.points
    x = np.asarray(values, dtype=float)
    scale = 1 + np.abs(x)
    for line in LINES:
        gap = np.abs(x - pts[line].to_numpy())
        if (np.isfinite(gap) & (gap > 0) & (gap < tol * scale)).any():
            return False
    return True


def _clear_of_screening(values, fix) -> bool:
    """No moving range within a hair of 3.267 x the mean moving range (one group, no rebase)."""
    v = np.asarray(values[: fix or len(values)], dtype=float)
    mr = np.abs(np.diff(v))
    if len(mr) == 0:
        return True
    bound = 3.267 * mr.mean()
    return not (np.abs(mr - bound) < 1e-7 * (1 + bound)).any()


@settings(max_examples=80, deadline=None)
@given(stepped_st, options_st)
def test_reversing_the_direction_swaps_improvement_and_concern(values, options):
    options["improvement_direction"] = "increase"
    up = spc(values, **options)
    down = spc(values, **{**options, "improvement_direction": "decrease"})
    swap = {
        "special_cause_improvement": "special_cause_concern",
        "special_cause_concern": "special_cause_improvement",
        "common_cause": "common_cause",
    }
    assert down.points["point_type"].tolist() == [swap[t] for t in up.points["point_type"]]
    for field in (*FLAGS, "special_cause_rule"):
        assert down.points[field].tolist() == up.points[field].tolist()
    pass_fail = {"consistent_pass": "consistent_fail", "consistent_fail": "consistent_pass"}
    a, b = up.summary["assurance_type"].item(), down.summary["assurance_type"].item()
    assert (pd.isna(a) and pd.isna(b)) or pass_fail.get(a, a) == b


@settings(max_examples=80, deadline=None)
@given(stepped_st, options_st, st.integers(-10_000, 10_000))
def test_adding_a_constant_moves_the_lines_and_changes_no_flag(values, options, c):
    options["target"] = None
    before = spc(values, **options)
    after = spc([v + c for v in values], **options)
    assume(_clear_of_lines(values, before))
    for line in LINES:
        np.testing.assert_allclose(
            after.points[line], before.points[line] + c, rtol=1e-9, atol=1e-9 * (1 + abs(c))
        )
    for field in (*FLAGS, *LABELS):
        assert after.points[field].tolist() == before.points[field].tolist(), field


@settings(max_examples=80, deadline=None)
@given(stepped_st, options_st, st.sampled_from([0.001, 0.25, 0.5, 2, 3, 10, 1000]))
def test_scaling_by_a_positive_factor_scales_the_lines_and_changes_no_flag(values, options, k):
    options["target"] = None
    before = spc(values, **options)
    after = spc([v * k for v in values], **options)
    assume(_clear_of_lines(values, before))
    assume(
        not options["screen_outliers"] or _clear_of_screening(values, options["fix_after_n_points"])
    )
    for line in LINES:
        np.testing.assert_allclose(
            after.points[line], before.points[line] * k, rtol=1e-9, atol=1e-12
        )
    for field in (*FLAGS, *LABELS):
        assert after.points[field].tolist() == before.points[field].tolist(), field


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(stepped_st, options_st), min_size=1, max_size=6))
def test_many_series_at_once_equal_each_series_alone(series):
    frames = []
    for i, (values, options) in enumerate(series):
        frame = pd.DataFrame({"series": f"s{i}", "date": range(len(values)), "value": values})
        for name, value in options.items():
            frame[name] = value
        frames.append(frame)
    together = calculate_spc(pd.concat(frames, ignore_index=True)).points
    for i, (values, options) in enumerate(series):
        alone = spc(values, **options).points
        mine = together[together["series"] == f"s{i}"].reset_index(drop=True)
        for field in (*FLAGS, *LABELS, *LINES, "rebase_group"):
            assert mine[field].tolist() == alone[field].tolist() or np.allclose(
                mine[field], alone[field], equal_nan=True
            ), field


def test_a_point_on_the_mean_up_to_rounding_is_on_it():
    # found by the scaling property: the mean of 0, 0, 0, 0.007, 0.028 sums to
    # 0.007000000000000001, which put 0.007 below the mean (and so could extend a run)
    for values in ([0, 0, 0, 7, 28], [0, 0, 0, 0.007, 0.028]):
        points = spc(values).points
        assert points["relative_to_mean"].tolist() == [-1, -1, -1, 0, 1]
