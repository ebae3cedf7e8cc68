"""Which indicators a report raises as exceptions, and which it celebrates: one rule each.

A committee report's exception sections, its at-a-glance "forecast to miss" list and the
data-quality check for missing commentary must agree on what an exception is, and its
"Celebrating success" section must not praise a figure the data-quality section says is not yet
approved. Each rule is written once here, as a frozen settings object and one selecting
function, and every section calls it.

The rules' parameters are explicit so that a council can configure them later (from
``council.yaml``); the defaults are the framework pmlib ships:

* **exception**: rated Red or Amber now, or its year-end forecast rated Red or Amber against the
  year-end target — every forecast miss, whatever its colour. (A forecast rated Green meets the
  target under the council's own scheme, so it is not a miss.)
* **success**: Green now, improving on the same period last year, and every figure behind the
  value approved.

>>> import pandas as pd
>>> rated = pd.DataFrame({"indicator_id": ["A", "B", "C"], "name": ["a", "b", "c"],
...     "rag": ["Green", "Red", "Green"], "forecast_rag": ["Amber", "Red", "Green"]})
>>> list(select_exceptions(rated)["indicator_id"])
['B', 'A']
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

__all__ = [
    "EXCEPTION_RULE",
    "FORECAST_MISS_WORDS",
    "OUTTURN_MISS_WORDS",
    "SUCCESS_RULE",
    "ExceptionRule",
    "SuccessRule",
    "forecast_misses",
    "select_exceptions",
    "select_successes",
    "successes_awaiting_approval",
]


@dataclass(frozen=True)
class ExceptionRule:
    """What makes an indicator an exception.

    Parameters
    ----------
    rags
        Ratings this period that are exceptions (default Red and Amber).
    forecast_rags
        Ratings of the year-end forecast against the year-end target that count as "forecast
        to miss" (default Red and Amber: every forecast short of the target). Empty: forecasts
        never make an exception.
    """

    rags: tuple[str, ...] = ("Red", "Amber")
    forecast_rags: tuple[str, ...] = ("Red", "Amber")


@dataclass(frozen=True)
class SuccessRule:
    """What makes an indicator a success worth celebrating.

    Parameters
    ----------
    rags
        Ratings this period that can be successes (default Green).
    directions
        Long-term Direction of Travel (against the same period last year) required
        (default Improving).
    statuses
        Data status every figure behind the value must have (default approved): a success is
        not celebrated before the figure is signed off.
    """

    rags: tuple[str, ...] = ("Green",)
    directions: tuple[str, ...] = ("Improving",)
    statuses: tuple[str, ...] = ("approved",)


#: The shipped rules (a council's own will come from council.yaml).
EXCEPTION_RULE = ExceptionRule()
SUCCESS_RULE = SuccessRule()


def _column(rated: pd.DataFrame, name: str, default: object = "") -> pd.Series:
    if name in rated:
        return rated[name]
    return pd.Series(default, index=rated.index, dtype=object)


def forecast_misses(rated: pd.DataFrame, rule: ExceptionRule = EXCEPTION_RULE) -> pd.Series:
    """True for each row whose year-end forecast misses the year-end target under ``rule``."""
    return _column(rated, "forecast_rag").isin(rule.forecast_rags)


#: Why a forecast miss is listed, before and at year end (when the "forecast" is the outturn).
FORECAST_MISS_WORDS = "forecast to miss the year-end target"
OUTTURN_MISS_WORDS = "missed the year-end target"


def select_exceptions(
    rated: pd.DataFrame, rule: ExceptionRule = EXCEPTION_RULE, *, year_end: bool = False
) -> pd.DataFrame:
    """The rows of ``rated`` that get an exception section, with why.

    ``rated`` is a rating frame (:func:`pmlib.rating.engine.rate_period`, one row per
    indicator). Returns those rows in reading order — by this period's rating in ``rule.rags``
    order, then those raised only by their forecast — with two added columns:
    ``forecast_miss`` (bool) and ``exception_reason`` ("Red", "Amber", "Red; forecast to
    miss the year-end target", "forecast to miss the year-end target"). With ``year_end``
    (a Q4 or annual report, where the forecast is the year's outturn) a miss reads "missed the
    year-end target".
    """
    off = rated["rag"].isin(rule.rags)
    miss = forecast_misses(rated, rule)
    rank = {rag: n for n, rag in enumerate(rule.rags)}
    order = rated["rag"].map(rank).fillna(len(rank))
    forecast_words = OUTTURN_MISS_WORDS if year_end else FORECAST_MISS_WORDS
    reason = rated["rag"].where(off, "")
    reason = reason.where(~miss, (reason + "; ").where(off, "") + forecast_words)
    out = rated.assign(forecast_miss=miss, exception_reason=reason, _order=order)
    return out[off | miss].sort_values("_order", kind="stable").drop(columns="_order").copy()


def _meets_performance(rated: pd.DataFrame, rule: SuccessRule) -> pd.Series:
    return rated["rag"].isin(rule.rags) & _column(rated, "dot_long").isin(rule.directions)


def _approved(rated: pd.DataFrame, rule: SuccessRule) -> pd.Series:
    # A rating frame without a data_status column holds figures built in code: nothing to wait on.
    return _column(rated, "data_status", rule.statuses[0]).isin(rule.statuses)


def select_successes(rated: pd.DataFrame, rule: SuccessRule = SUCCESS_RULE) -> pd.DataFrame:
    """The rows of ``rated`` a report celebrates: performing well on approved figures only."""
    return rated[_meets_performance(rated, rule) & _approved(rated, rule)].copy()


def successes_awaiting_approval(
    rated: pd.DataFrame, rule: SuccessRule = SUCCESS_RULE
) -> pd.DataFrame:
    """Rows that would be successes but for figures not yet approved (for a note, not praise)."""
    return rated[_meets_performance(rated, rule) & ~_approved(rated, rule)].copy()
