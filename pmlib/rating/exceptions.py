"""Which indicators a report raises as exceptions, and which it celebrates: one rule each.

A committee report's exception sections, its at-a-glance "forecast to miss" list and the
data-quality check for missing commentary must agree on what an exception is, and its
"Celebrating success" section must not praise a figure the data-quality section says is not yet
approved. Each rule is written once here, as a frozen settings object and one selecting
function, and every section calls it.

The exception rule is the council's (``exceptions:`` in ``council.yaml``, or a committee's own
in ``committees.yaml``; :class:`~pmlib.core.rules.ExceptionRule`, importable from here); the
default is the framework pmlib ships:

* **exception**: rated Red or Amber now, or its year-end forecast rated Red or Amber against the
  year-end target — every forecast miss, whatever its colour. (A forecast rated Green meets the
  target under the council's own scheme, so it is not a miss.) With ``combine: and`` both are
  needed: a rating that qualifies *and* a forecast miss (New Forest).
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

from pmlib.core.rules import ExceptionRule

__all__ = [
    "EXCEPTION_RULE",
    "FORECAST_MISS_WORDS",
    "OUTTURN_MISS_WORDS",
    "SUCCESS_RULE",
    "ExceptionRule",
    "SuccessRule",
    "forecast_misses",
    "mark_exceptions",
    "rule_words",
    "select_exceptions",
    "select_successes",
    "successes_awaiting_approval",
]


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


def rule_words(rule: ExceptionRule = EXCEPTION_RULE) -> str:
    """The rule in words, for a report to say why its exceptions are listed.

    >>> rule_words()
    'rated Red or Amber, or forecast to miss the year-end target'
    >>> rule_words(ExceptionRule(forecast_rags=("Red",), combine="and"))
    'rated Red or Amber and forecast to miss the year-end target by more than the tolerance'
    """
    words = f"rated {' or '.join(rule.rags)}" if rule.rags else ""
    if rule.forecast_rags:
        miss = FORECAST_MISS_WORDS
        if tuple(rule.forecast_rags) == ("Red",):
            miss += " by more than the tolerance"
        joint = " and " if rule.combine == "and" else ", or "
        words += (joint if words else "") + miss
    return words


def mark_exceptions(
    rated: pd.DataFrame, rule: ExceptionRule = EXCEPTION_RULE, *, year_end: bool = False
) -> pd.DataFrame:
    """Every row of ``rated`` with ``exception`` (bool), ``forecast_miss`` (bool) and
    ``exception_reason`` ("" for a row that is not an exception), as ``pmlib rate --out``
    writes them.

    ``exception_reason`` says why: "Red", "Amber", "Red; forecast to miss the year-end target"
    (``combine: or``, both apply), "Red and forecast to miss the year-end target"
    (``combine: and``), "forecast to miss the year-end target". With ``year_end`` (a Q4 or
    annual report, where the forecast is the year's outturn) a miss reads "missed the
    year-end target".
    """
    off = rated["rag"].isin(rule.rags)
    miss = forecast_misses(rated, rule)
    chosen = (off & miss) if rule.combine == "and" else (off | miss)
    forecast_words = OUTTURN_MISS_WORDS if year_end else FORECAST_MISS_WORDS
    joint = " and " if rule.combine == "and" else "; "
    reason = rated["rag"].astype(object).where(off, "")
    reason = reason.where(~miss, (reason + joint).where(off, "") + forecast_words)
    return rated.assign(
        exception=chosen.astype(bool),
        forecast_miss=miss.astype(bool),
        exception_reason=reason.where(chosen, ""),
    )


def select_exceptions(
    rated: pd.DataFrame, rule: ExceptionRule = EXCEPTION_RULE, *, year_end: bool = False
) -> pd.DataFrame:
    """The rows of ``rated`` that get an exception section, with why.

    ``rated`` is a rating frame (:func:`pmlib.rating.engine.rate_period`, one row per
    indicator). Returns the rows :func:`mark_exceptions` marks, in reading order — by this
    period's rating in ``rule.rags`` order, then those raised only by their forecast — with its
    ``forecast_miss`` and ``exception_reason`` columns.
    """
    marked = mark_exceptions(rated, rule, year_end=year_end)
    rank = {rag: n for n, rag in enumerate(rule.rags)}
    order = rated["rag"].map(rank).fillna(len(rank))
    out = marked.assign(_order=order)[marked["exception"]]
    return out.sort_values("_order", kind="stable").drop(columns=["_order", "exception"]).copy()


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
