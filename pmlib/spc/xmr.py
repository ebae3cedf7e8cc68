"""XmR charts for many series at once: limits, the four special-cause rules, point types.

The rules are NHSRplotthedots 0.2.2's, as stated in ``shared/data/spc/README.md`` (and checked
against its 45 reference cases in ``tests/test_spc_cases.py``):

* each series is sorted by date and cut into *rebase groups* (a point marked ``rebase`` starts a
  new group); everything below is computed per (series, group) and no rule spans two groups;
* the mean and the mean moving range come from the group's first ``fix_after_n_points`` points
  (all of them by default); moving ranges at or above 3.267 × their mean are screened out once;
* process limits are mean ∓ 2.66 × mean moving range, the "near" band two thirds of that;
* a point is a special cause if it is outside the limits (strictly), in a run of
  ``shift_points`` on one side of the mean (a point on the mean breaks it), in a trend of
  ``trend_points`` each strictly above (or below) the last (a tie breaks it), or one of two or
  three points beyond two sigma on the same side in a window of three; one label per point by
  that priority.

Everything is computed on flat numpy arrays sorted by (series, date): group-wise sums with
``np.bincount`` and runs found from where a value changes, so 10,000 series of 60 points take a
fraction of a second (``benchmarks/spc_many_series.py``) and no Python loop runs per point.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from pmlib.core.errors import ParameterError
from pmlib.spc.options import (
    LIMIT,
    NEAR_LIMIT,
    OPTION_HELP,
    POINT_TYPES,
    SCREEN,
    SERIES_OPTIONS,
    SpcOptions,
    default_codes,
    read_option_column,
)
from pmlib.spc.summary import summarise

#: The per-point fields added to the data, in order.
POINT_FIELDS = (
    "rebase_group",
    "mean",
    "lpl",
    "upl",
    "nlpl",
    "nupl",
    "outside_limits",
    "relative_to_mean",
    "close_to_limits",
    "special_cause_flag",
    "special_cause_rule",
    "point_type",
)

# Rule codes, in priority order after "no signal" (0); SIDE gives each one's direction.
_ABOVE_UCL, _BELOW_LCL, _TREND_UP, _TREND_DOWN = 1, 2, 3, 4
_TWO_ABOVE, _TWO_BELOW, _RUN_ABOVE, _RUN_BELOW = 5, 6, 7, 8
_SIDE = np.array([0, 1, -1, 1, -1, 1, -1, 1, -1], dtype=np.int8)


@dataclass(frozen=True)
class SpcResult:
    """What :func:`calculate_spc` returns.

    Attributes
    ----------
    points
        The input rows, in their input order, with the per-point fields added
        (:data:`POINT_FIELDS`).
    groups
        One row per (series, rebase group): its points, statistics, point-type counts, the
        latest point's type and whether it is a short group.
    summary
        One row per series: the latest group's statistics, ``variation_type`` (the latest point's
        type), ``assurance_type`` and ``short_group_warning``.
    """

    points: pd.DataFrame
    groups: pd.DataFrame
    summary: pd.DataFrame


def calculate_spc(
    frame: pd.DataFrame,
    *,
    series: str | None = "series",
    date: str = "date",
    value: str = "value",
    rebase: str = "rebase",
    options: SpcOptions | None = None,
    **overrides: object,
) -> SpcResult:
    """Chart every series in a long table as an XmR chart and flag its special causes.

    Parameters
    ----------
    frame
        One row per (series, date). Not changed.
    series
        The column naming each row's series; ``None`` when the frame is one series.
    date
        A column that orders the points within a series (dates, ISO text, period ordinals).
    value
        The measured values (finite numbers).
    rebase
        An optional column, true on the first point of a new rebase group (say, after a change
        of definition or a service redesign); absent means one group per series.
    options, **overrides
        The options for every series (:class:`SpcOptions`; keywords override single fields). A
        column of the frame named like an option (``improvement_direction``, ``target``,
        ``fix_after_n_points``, ``screen_outliers``, ``shift_points``, ``trend_points``,
        ``two_in_three``) sets it series by series; it must be constant within a series, and a
        blank cell takes the default.

    Returns
    -------
    SpcResult
        ``points`` (the frame with the per-point fields), ``groups`` and ``summary``.

    Raises
    ------
    ParameterError
        A column is missing, a value is not a finite number, a date repeats within a series, or
        an option is not valid (or differs within a series).
    """
    options = replace(options or SpcOptions(), **overrides) if overrides else options
    options = options or SpcOptions()
    needed = [c for c in (series, date, value) if c is not None and c not in frame.columns]
    if needed:
        raise ParameterError(f"SPC data has no column {', '.join(map(repr, needed))}")
    n = len(frame)
    if n == 0:
        raise ParameterError("SPC data has no rows: give at least one point per series")
    keys = frame[series] if series is not None else pd.Series(np.zeros(n, dtype=int))
    s_codes, s_uniques = pd.factorize(keys, sort=False)
    if (s_codes < 0).any():
        raise ParameterError(f"SPC data: column {series!r} has blank series names")
    d_codes, _ = pd.factorize(frame[date], sort=True)
    if (d_codes < 0).any():
        raise ParameterError(f"SPC data: column {date!r} has blank dates")
    key = s_codes.astype(np.int64) * (int(d_codes.max(initial=0)) + 1) + d_codes
    # Data usually arrive sorted already: then skip the sort (a tenth of the time on 600,000).
    order = np.arange(n) if (np.diff(key) > 0).all() else np.argsort(key, kind="stable")
    s = s_codes[order]
    d = d_codes[order]
    x = pd.to_numeric(frame[value], errors="coerce").to_numpy(dtype=float)[order]
    if not np.isfinite(x).all():
        raise ParameterError(f"SPC data: column {value!r} has values that are not numbers")
    new_series = np.r_[True, s[1:] != s[:-1]]
    if (~new_series & np.r_[False, d[1:] == d[:-1]]).any():
        raise ParameterError(f"SPC data: a {date!r} repeats within a series (one row per date)")

    n_series = len(s_uniques)
    opts = _series_options(frame, order, s, n_series, options, series and s_uniques)

    marks = np.zeros(n, dtype=bool)
    if rebase in frame.columns:
        read = read_option_column("rebase", frame[rebase])
        if read.bad.any():
            cell = frame[rebase].to_numpy(dtype=object)[read.bad][0]
            raise ParameterError(
                f"SPC data: {rebase} {cell!r} is not valid: {OPTION_HELP['rebase']}"
            )
        marks = (read.given & (read.values == 1))[order]
    lines = _group_lines(x, s, new_series, marks, opts)
    flags = _rules(x, s, lines, opts)

    added = {}
    back = np.empty(n, dtype=np.int64)  # sorted position of each input row
    back[order] = np.arange(n)
    for name in POINT_FIELDS:
        sorted_values = flags[name] if name in flags else lines[name]
        added[name] = sorted_values[back]
    kept = frame.drop(columns=[c for c in POINT_FIELDS if c in frame.columns])
    points = pd.concat([kept, pd.DataFrame(added, index=frame.index)], axis=1)
    groups, summary = summarise(
        x, s, lines, flags, opts, s_uniques, series or "series", frame[date], order
    )
    return SpcResult(points=points, groups=groups, summary=summary)


def _series_options(
    frame: pd.DataFrame,
    order: np.ndarray,
    s: np.ndarray,
    n_series: int,
    options: SpcOptions,
    keys: object,
) -> dict[str, np.ndarray]:
    """Each option as one value per series: the column when the frame has one, else the default.

    A column must hold one value per series (blank cells take the default). Every cell is read
    in bulk (:func:`~pmlib.spc.options.read_option_column`); the failures are collected and
    raised once, naming a series where each occurs.
    """
    codes = default_codes(options)
    out: dict[str, np.ndarray] = {}
    wrong = []
    for name in SERIES_OPTIONS:
        per = np.full(n_series, codes[name], dtype=float)
        if name in frame.columns:
            read = read_option_column(name, frame[name])
            values, given, bad = read.values[order], read.given[order], read.bad[order]
            if bad.any():
                cell = frame[name].to_numpy(dtype=object)[order][bad][0]
                wrong.append(
                    f"{name} {cell!r}{_in_series(keys, s[bad][0])} is not valid: "
                    f"{OPTION_HELP[name]}"
                )
            gs, gv = s[given], values[given]
            differs = (gs[1:] == gs[:-1]) & (gv[1:] != gv[:-1])
            if differs.any():
                wrong.append(
                    f"{name} differs within a series{_in_series(keys, gs[1:][differs][0])}: "
                    "give one value per series"
                )
            per[gs] = gv
        out[name] = per
    if wrong:
        raise ParameterError("SPC options: " + "; ".join(wrong))
    direction = out["improvement_direction"].astype(np.int8)
    return {
        "direction": direction,
        "improvement_direction": np.array(IMPROVEMENT_NAMES, dtype=object)[direction],
        "target": out["target"],
        "fix": np.where(
            np.isnan(out["fix_after_n_points"]), 2.0**53, out["fix_after_n_points"]
        ).astype(np.int64),  # None: every point
        "screen": out["screen_outliers"] == 1,
        "shift": out["shift_points"].astype(np.int64),
        "trend": out["trend_points"].astype(np.int64),
        "two_in_three": out["two_in_three"] == 1,
    }


#: Direction names indexed by their code (+1 increase, -1 decrease, 0 neutral).
IMPROVEMENT_NAMES = ("neutral", "increase", "decrease")


def _in_series(keys: object, code: int) -> str:
    return "" if keys is None else f" (series {keys[code]!r})"


def _group_lines(
    x: np.ndarray,
    s: np.ndarray,
    new_series: np.ndarray,
    marks: np.ndarray,
    opts: dict[str, np.ndarray],
) -> dict[str, np.ndarray]:
    """Rebase groups, and each group's mean, moving range and limits, spread to its points."""
    n = len(x)
    # The rebase group number counts the marks so far in the series (as NHSRplotthedots: a mark
    # on a series' first point makes its only group number 1).
    cum = np.cumsum(marks)
    series_start = np.flatnonzero(new_series)
    before = (cum - marks)[series_start]
    rebase_group = cum - np.repeat(before, np.diff(np.r_[series_start, n]))
    new_group = new_series | marks
    starts = np.flatnonzero(new_group)
    gid = np.cumsum(new_group) - 1
    sizes = np.diff(np.r_[starts, n])
    pos = np.arange(n) - np.repeat(starts, sizes)
    n_groups = len(starts)

    baseline = pos < opts["fix"][s]
    n_base = np.bincount(gid, weights=baseline, minlength=n_groups)
    mean = np.bincount(gid, weights=np.where(baseline, x, 0.0), minlength=n_groups) / n_base

    # Moving ranges between consecutive baseline points of a group (the first point has none).
    has_mr = baseline & (pos >= 1)
    mr = np.abs(x - np.r_[np.nan, x[:-1]])
    with np.errstate(invalid="ignore", divide="ignore"):
        amr = _group_mean(mr, has_mr, gid, n_groups)
        screen = opts["screen"][s]
        kept = has_mr & (~screen | (mr < SCREEN * amr[gid]))
        amr = _group_mean(mr, kept, gid, n_groups)
    return {
        "gid": gid,
        "pos": pos,
        "new_group": new_group,
        "sizes": sizes,
        "starts": starts,
        "n_base": n_base,
        "group_mean": mean,
        "group_amr": amr,
        "rebase_group": rebase_group.astype(np.int64),
        "mean": mean[gid],
        "lpl": (mean - LIMIT * amr)[gid],
        "upl": (mean + LIMIT * amr)[gid],
        "nlpl": (mean - NEAR_LIMIT * amr)[gid],
        "nupl": (mean + NEAR_LIMIT * amr)[gid],
    }


def _group_mean(v: np.ndarray, use: np.ndarray, gid: np.ndarray, n_groups: int) -> np.ndarray:
    """Mean of ``v`` over the points where ``use`` holds, per group (NaN where there are none)."""
    total = np.bincount(gid, weights=np.where(use, v, 0.0), minlength=n_groups)
    return total / np.bincount(gid, weights=use, minlength=n_groups)


def _run_lengths(start: np.ndarray) -> np.ndarray:
    """For each point, the length of the run it belongs to (runs begin where ``start`` holds)."""
    rid = np.cumsum(start) - 1
    return np.bincount(rid)[rid]


#: Relative gap under which a point is on the mean (floating rounding, not data).
_ON_MEAN = 1e-12


def _rules(
    x: np.ndarray, s: np.ndarray, lines: dict[str, np.ndarray], opts: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """The four rules, the one label each point gets (by priority) and its point type."""
    n = len(x)
    new_group = lines["new_group"]
    with np.errstate(invalid="ignore"):
        outside = (x > lines["upl"]) | (x < lines["lpl"])
        # a point on the mean up to rounding (0.007 against a mean summed to 0.007000000000000001)
        # is on it: floating sums must not decide which side it is on, and so a run
        gap = x - lines["mean"]
        on_mean = np.abs(gap) <= _ON_MEAN * np.maximum(np.abs(x), np.abs(lines["mean"]))
        side = np.where(on_mean, 0, np.sign(gap)).astype(np.int8)
        close = ~outside & ((x > lines["nupl"]) | (x < lines["nlpl"]))

    # Shift: a run of points on one side of the mean; a point on the mean (side 0) breaks it.
    run_start = new_group | np.r_[True, side[1:] != side[:-1]]
    in_run = (side != 0) & (_run_lengths(run_start) >= opts["shift"][s])

    # Trend: runs of equal, non-zero steps; a run of k - 1 steps makes a trend of k points,
    # which are the points the steps end at plus the point the first one starts from.
    step = np.sign(x - np.r_[x[0], x[:-1]]).astype(np.int8)
    step[new_group] = 0
    step_start = new_group | np.r_[True, step[1:] != step[:-1]]
    trend_step = (step != 0) & (_run_lengths(step_start) >= opts["trend"][s] - 1)
    next_trend_step = np.r_[trend_step[1:], False]
    in_trend = trend_step | next_trend_step
    # A trend point takes the slope to the next point when that point is in a trend too (so a
    # peak shared by a rising and a falling trend is "Decreasing"), else the slope from the last.
    next_same_group = np.r_[~new_group[1:], False]
    next_in_trend = np.r_[in_trend[1:], False] & next_same_group
    slope_next = np.r_[step[1:], 0]
    trend_up = np.where(in_trend & next_in_trend, slope_next, step) == 1

    # Two of three beyond two sigma: windows of three points in one group, all on one side of
    # the mean, at least two of them close to the limits; only the close points are flagged.
    in_two = np.zeros(n, dtype=bool)
    if n >= 3:
        c = close.astype(np.int8)
        gid = lines["gid"]
        window = (
            (gid[2:] == gid[:-2])
            & (c[:-2] + c[1:-1] + c[2:] >= 2)
            & (np.abs(side[:-2] + side[1:-1] + side[2:]) == 3)
        )
        starts_here = np.r_[window, False, False]
        in_window = starts_here | np.r_[False, starts_here[:-1]] | np.r_[False, False, window]
        in_two = close & in_window & opts["two_in_three"][s]

    up = side == 1
    rule = np.select(
        [outside, in_trend, in_two, in_run],
        [
            np.where(up, _ABOVE_UCL, _BELOW_LCL),
            np.where(trend_up, _TREND_UP, _TREND_DOWN),
            np.where(side > 0, _TWO_ABOVE, _TWO_BELOW),
            np.where(side > 0, _RUN_ABOVE, _RUN_BELOW),
        ],
        0,
    ).astype(np.int8)
    return {
        "outside_limits": outside,
        "relative_to_mean": side.astype(np.int64),
        "close_to_limits": close,
        "special_cause_flag": rule != 0,
        "special_cause_rule": _rule_labels(rule, opts["shift"][s], opts["trend"][s]),
        "point_type": _point_types(rule, opts["direction"][s]),
        "point_type_code": _point_type_codes(rule, opts["direction"][s]),
    }


def _rule_labels(rule: np.ndarray, shift: np.ndarray, trend: np.ndarray) -> np.ndarray:
    """NHSRplotthedots' ``special_cause_type`` text, with the configured run and trend lengths."""
    length = np.where((rule == _TREND_UP) | (rule == _TREND_DOWN), trend, 0)
    length = np.where((rule == _RUN_ABOVE) | (rule == _RUN_BELOW), shift, length)
    width = int(length.max(initial=0)) + 1
    key = rule.astype(np.int64) * width + length
    present = np.flatnonzero(np.bincount(key))  # the (rule, length) pairs that occur, in O(n)
    lookup = np.zeros(len(present) and present[-1] + 1, dtype=np.int64)
    lookup[present] = np.arange(len(present))
    texts = [_label(int(k // width), int(k % width)) for k in present]
    # Categorical: 600,000 labels as strings would cost more than all the arithmetic.
    return pd.Categorical.from_codes(lookup[key], categories=texts)


def _label(rule: int, k: int) -> str:
    return {
        0: "Common Cause",
        _ABOVE_UCL: "Above UCL",
        _BELOW_LCL: "Below LCL",
        _TREND_UP: f"{k} Point Trend (Increasing)",
        _TREND_DOWN: f"{k} Point Trend (Decreasing)",
        _TWO_ABOVE: "2 in 3 Above CL",
        _TWO_BELOW: "2 in 3 Below CL",
        _RUN_ABOVE: f"{k} Points Above CL",
        _RUN_BELOW: f"{k} Points Below CL",
    }[rule]


def _point_type_codes(rule: np.ndarray, direction: np.ndarray) -> np.ndarray:
    """Index into :data:`POINT_TYPES`: the signal's side times the improvement direction."""
    side = _SIDE[rule]
    oriented = side * direction
    return np.select(
        [side == 0, direction == 0, oriented > 0],
        [0, np.where(side > 0, 3, 4), 1],
        2,
    ).astype(np.int8)


def _point_types(rule: np.ndarray, direction: np.ndarray) -> pd.Categorical:
    return pd.Categorical.from_codes(_point_type_codes(rule, direction), categories=POINT_TYPES)
