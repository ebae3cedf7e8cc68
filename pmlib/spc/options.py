"""The options of an XmR chart, their defaults (NHSRplotthedots 0.2.2) and their checks.

Every option is per series: :func:`pmlib.spc.calculate_spc` takes one :class:`SpcOptions` as the
default for all series and lets a column of the same name in the data override it series by
series (constant within a series). The constants here are the published ones, named so that a
reader can find them in the Making Data Count guidance.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, fields

from pmlib.core.errors import ParameterError

#: Process limits sit this many mean moving ranges from the mean (3 sigma: 3 / d2, d2 = 1.128).
LIMIT = 2.66
#: The "close to the limits" band: 2 sigma, two thirds of the way to the limits.
NEAR_LIMIT = 2 / 3 * LIMIT
#: A moving range at or above this many mean moving ranges is screened out (D4 for n = 2).
SCREEN = 3.267
#: A rebase group with fewer points than this gets a short-group warning (NHSRplotthedots:
#: ``n < 13``; its message says "fewer than 12", the code says 13, and the code is followed).
SHORT_GROUP_POINTS = 13

IMPROVEMENT_DIRECTIONS = ("increase", "decrease", "neutral")
POINT_TYPES = (
    "common_cause",
    "special_cause_improvement",
    "special_cause_concern",
    "special_cause_neutral_high",
    "special_cause_neutral_low",
)
ASSURANCE_TYPES = ("consistent_pass", "consistent_fail", "inconsistent")
#: The per-series options that may be given as columns of the data.
SERIES_OPTIONS = (
    "improvement_direction",
    "target",
    "fix_after_n_points",
    "screen_outliers",
    "shift_points",
    "trend_points",
    "two_in_three",
)


@dataclass(frozen=True)
class SpcOptions:
    """How one series is charted (the defaults reproduce NHSRplotthedots).

    Parameters
    ----------
    improvement_direction
        ``increase`` (higher is better), ``decrease`` (lower is better) or ``neutral`` (no
        direction: signals are "high" or "low", never improvement or concern, and there is no
        assurance).
    target
        The target the latest process limits are compared with for assurance; ``None`` for none.
    fix_after_n_points
        Compute the mean and limits of each rebase group from its first *n* points only and judge
        every later point against those fixed lines. ``None`` uses every point. NHSRplotthedots'
        front end asks for at least 12; the calculation itself accepts any *n* >= 1 (its Python
        port's tests use 3 and 11), and so does this.
    screen_outliers
        Drop moving ranges at or above 3.267 × the mean moving range before setting the limits
        (NHSRplotthedots' default). ``False`` reproduces the Making Data Count Excel tool.
    shift_points
        A run of this many points on one side of the mean is a signal: 7 as NHSRplotthedots, 6 as
        the Making Data Count Excel tool allows.
    trend_points
        This many points each strictly higher (or lower) than the last is a signal (7).
    two_in_three
        Apply the "two of three points beyond two sigma, on the same side" rule.
    """

    improvement_direction: str = "increase"
    target: float | None = None
    fix_after_n_points: int | None = None
    screen_outliers: bool = True
    shift_points: int = 7
    trend_points: int = 7
    two_in_three: bool = True

    def __post_init__(self) -> None:
        wrong = option_problems(self)
        if wrong:
            raise ParameterError("SPC options: " + "; ".join(wrong))


def option_problems(options: SpcOptions) -> list[str]:
    """What is wrong with a set of options, as sentences naming the fix (empty when valid)."""
    wrong = []
    if options.improvement_direction not in IMPROVEMENT_DIRECTIONS:
        wrong.append(
            f"improvement_direction {options.improvement_direction!r} is not one of "
            + ", ".join(IMPROVEMENT_DIRECTIONS)
        )
    n = options.fix_after_n_points
    if n is not None and (not _is_int(n) or n < 1):
        wrong.append(f"fix_after_n_points {n!r} must be a whole number of points, 1 or more")
    for name in ("shift_points", "trend_points"):
        k = getattr(options, name)
        if not _is_int(k) or k < 3:
            wrong.append(f"{name} {k!r} must be a whole number of points, 3 or more (usually 7)")
    if options.target is not None and not _is_number(options.target):
        wrong.append(f"target {options.target!r} must be a number")
    for name in ("screen_outliers", "two_in_three"):
        if not isinstance(getattr(options, name), bool):
            wrong.append(f"{name} {getattr(options, name)!r} must be true or false")
    return wrong


def option_names() -> tuple[str, ...]:
    """The option names, in declaration order."""
    return tuple(f.name for f in fields(SpcOptions))


def _is_int(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    try:
        return float(value) == float(value)  # a number, and not NaN
    except (TypeError, ValueError):
        return False


#: What each option column may hold: the "fix" of a problem with one of its cells.
OPTION_HELP = {
    "improvement_direction": "write increase, decrease or neutral (or leave blank)",
    "target": "write a number (or leave blank for no target)",
    "fix_after_n_points": "write a whole number of points, 1 or more (or leave blank)",
    "screen_outliers": "write true or false (or leave blank for true)",
    "shift_points": "write a whole number of points, 3 or more, usually 7 or 6 (or leave blank)",
    "trend_points": "write a whole number of points, 3 or more, usually 7 (or leave blank)",
    "two_in_three": "write true or false (or leave blank for true)",
    "rebase": "write true on the first point of a new group (after a change), else leave blank",
}
#: Columns of true/false cells.
_SWITCHES = ("screen_outliers", "two_in_three", "rebase")
_DIRECTION_CODES = {"increase": 1.0, "decrease": -1.0, "neutral": 0.0}
_BOOL_CODES = {"true": 1.0, "yes": 1.0, "y": 1.0, "1": 1.0, "false": 0.0, "no": 0.0, "n": 0.0}
_BOOL_CODES["0"] = 0.0
_MINIMUM = {"fix_after_n_points": 1, "shift_points": 3, "trend_points": 3}


@dataclass(frozen=True)
class OptionColumn:
    """An option column read cell by cell: ``values`` as numbers (directions as +1/-1/0,
    switches as 1/0), ``given`` where a cell is not blank, ``bad`` where it cannot be read."""

    values: object  # np.ndarray of float
    given: object  # np.ndarray of bool
    bad: object  # np.ndarray of bool


def read_option_column(name: str, column: object) -> OptionColumn:
    """One option column (a pandas Series, from a frame or a CSV) as numbers, in bulk.

    Text from a CSV (``"Increase "``, ``"TRUE"``, ``"12"``) and typed values (``True``, ``12.0``)
    are both accepted, so a column reads the same however the file was loaded.
    """
    import numpy as np
    import pandas as pd

    col = pd.Series(column)
    if pd.api.types.is_bool_dtype(col.dtype) or pd.api.types.is_numeric_dtype(col.dtype):
        blank = col.isna().to_numpy()
        values = col.astype(float).to_numpy()
        if name == "improvement_direction":
            bad = ~blank
        elif name in _SWITCHES:
            bad = ~blank & ~np.isin(values, (0.0, 1.0))
        else:
            bad = ~blank & ~np.isfinite(values)
    else:
        # Read each distinct cell once: a column of 600,000 cells holds a handful of values.
        codes, uniques = pd.factorize(col)
        text = pd.Series(uniques, dtype=object).astype("string").str.strip()
        if name == "improvement_direction":
            read = text.str.lower().map(_DIRECTION_CODES)
        elif name in _SWITCHES:
            read = text.str.lower().map(_BOOL_CODES)
        else:
            read = pd.to_numeric(text, errors="coerce")
        read = np.r_[read.astype(float).to_numpy(), np.nan]  # code -1 (missing) -> NaN
        values = read[codes]
        empty = np.r_[text.fillna("").eq("").to_numpy(dtype=bool), True]
        blank = empty[codes]
        bad = ~blank & ~np.isfinite(values)
    if name in _MINIMUM:
        with np.errstate(invalid="ignore"):
            bad |= ~blank & ((values != np.round(values)) | (values < _MINIMUM[name]))
    return OptionColumn(values=values, given=~blank & ~bad, bad=bad)


def default_codes(options: SpcOptions) -> dict[str, float]:
    """The options as the numbers :func:`read_option_column` gives (None as NaN)."""
    out = {}
    for name in SERIES_OPTIONS:
        value = getattr(options, name)
        if name == "improvement_direction":
            out[name] = _DIRECTION_CODES[value]
        elif value is None:
            out[name] = float("nan")
        else:
            out[name] = float(value)
    return out
