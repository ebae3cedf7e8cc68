"""Per-group and per-series summaries of XmR charts: the variation and assurance signals.

*Variation* is the type of a series' latest point (is the latest value a special cause, and is
it improvement or concern?). *Assurance* compares the target with the latest process limits (the
limits of the series' last rebase group): a target outside them will consistently be met or
missed; a target between them (limits included) will be hit and missed at random. There is no
assurance without a target, for a neutral direction, or when the limits cannot be computed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pmlib.spc.options import POINT_TYPES, SHORT_GROUP_POINTS

#: The group statistics, in the order they appear in ``groups`` and ``summary``.
GROUP_FIELDS = ("n", "mean", "lpl", "upl", "nlpl", "nupl", "mean_moving_range")


def assurance(
    target: np.ndarray, lpl: np.ndarray, upl: np.ndarray, direction: np.ndarray
) -> np.ndarray:
    """``consistent_pass``, ``consistent_fail``, ``inconsistent`` or None, element by element.

    The comparisons are strict, as NHSRplotthedots: a target exactly on a limit is inside it, so
    the process will sometimes meet it and sometimes not (``inconsistent``).

    Examples
    --------
    >>> assurance(np.array([5.0, 0.0, 2.0]), np.array([1.0] * 3), np.array([3.0] * 3),
    ...           np.array([1, 1, -1])).tolist()
    ['consistent_fail', 'consistent_pass', 'inconsistent']
    """
    with np.errstate(invalid="ignore"):
        above = target > upl
        below = target < lpl
        between = (target >= lpl) & (target <= upl)
    better_up = direction > 0
    out = np.full(len(target), None, dtype=object)
    out[between] = "inconsistent"
    out[above] = np.where(better_up, "consistent_fail", "consistent_pass")[above]
    out[below] = np.where(better_up, "consistent_pass", "consistent_fail")[below]
    out[direction == 0] = None
    return out


def summarise(
    x: np.ndarray,
    s: np.ndarray,
    lines: dict[str, np.ndarray],
    flags: dict[str, np.ndarray],
    opts: dict[str, np.ndarray],
    s_uniques: object,
    series_name: str,
    dates: pd.Series,
    order: np.ndarray,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``groups`` frame (one row per rebase group) and ``summary`` (one row per series)."""
    starts = lines["starts"]
    sizes = lines["sizes"]
    n_groups = len(starts)
    last = starts + sizes - 1
    g_series = s[starts]
    counts = np.bincount(
        lines["gid"] * len(POINT_TYPES) + flags["point_type_code"],
        minlength=n_groups * len(POINT_TYPES),
    ).reshape(n_groups, len(POINT_TYPES))
    mean = lines["group_mean"]
    amr = lines["group_amr"]
    keys = np.asarray(s_uniques, dtype=object)
    groups = pd.DataFrame(
        {
            series_name: keys[g_series],
            "rebase_group": lines["rebase_group"][starts],
            "first_date": dates.take(order[starts]).to_numpy(),
            "last_date": dates.take(order[last]).to_numpy(),
            "n": sizes,
            "baseline_points": lines["n_base"].astype(np.int64),
            "mean": mean,
            "lpl": lines["lpl"][starts],
            "upl": lines["upl"][starts],
            "nlpl": lines["nlpl"][starts],
            "nupl": lines["nupl"][starts],
            "mean_moving_range": amr,
            **{name: counts[:, i] for i, name in enumerate(POINT_TYPES)},
            "variation_type": flags["point_type"][last],
            "short_group": sizes < SHORT_GROUP_POINTS,
        }
    )

    # Each series' latest group is its last one (groups are in series order).
    n_series = len(keys)
    latest = np.zeros(n_series, dtype=np.int64)
    latest[g_series] = np.arange(n_groups)
    short_any = np.zeros(n_series, dtype=bool)
    np.logical_or.at(short_any, g_series, sizes < SHORT_GROUP_POINTS)
    n_points = np.bincount(s, minlength=n_series)
    lg = groups.iloc[latest].reset_index(drop=True)
    summary = pd.DataFrame(
        {
            series_name: keys,
            "points": n_points,
            "groups": np.bincount(g_series, minlength=n_series),
            "latest_date": lg["last_date"].to_numpy(),
            "latest_value": x[last[latest]],
            "improvement_direction": opts["improvement_direction"],
            "target": opts["target"],
            "rebase_group": lg["rebase_group"].to_numpy(),
            **{name: lg[name].to_numpy() for name in GROUP_FIELDS},
            **{name: lg[name].to_numpy() for name in POINT_TYPES},
            "variation_type": lg["variation_type"].to_numpy(),
            "assurance_type": assurance(
                opts["target"], lg["lpl"].to_numpy(), lg["upl"].to_numpy(), opts["direction"]
            ),
            "short_group_warning": short_any,
        }
    )
    return groups, summary
