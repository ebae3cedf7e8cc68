"""The council's reporting conventions from ``council.yaml`` and ``committees.yaml``: the
exception rule (``exceptions:``) and the headline grouping (``on_target:``).

Both keys may be set council-wide and again on a committee, which then uses its own. Every
problem is a :class:`~pmlib.core.errors.Problem` naming the file, the key path, the value
found and the fix, collected with the rest of the parameters' problems. The words map to
:class:`~pmlib.core.rules.ExceptionRule` as docs/rating-rules.md sets out::

    exceptions:
      ratings: [Red, Amber]   # which current ratings qualify (Red, Amber, No data; [] = none)
      forecast_miss: any      # any | red | none: a year-end forecast below target qualifies
      combine: or             # or: either qualifies; and: a qualifying rating AND a forecast miss
    on_target: [Green, Amber, Grey]   # what the headline counts call "on target"
"""

from __future__ import annotations

from typing import Any

from pmlib.core.errors import Problem
from pmlib.core.rules import (
    COMBINES,
    EXCEPTION_RATINGS,
    FORECAST_MISSES,
    ON_TARGET_RATINGS,
    ExceptionRule,
)

__all__ = ["EXCEPTION_KEYS", "parse_exception_rule", "parse_on_target"]

EXCEPTION_KEYS = ("ratings", "forecast_miss", "combine")
_DEFAULT = ExceptionRule()


def _ratings(
    file: str, where: str, value: Any, allowed: tuple[str, ...], problems: list[Problem]
) -> tuple[str, ...] | None:
    """A list of rating words in any letter case → their canonical spelling; None on error."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.append(
            Problem(
                file,
                "expected a list of ratings",
                f"write e.g. [{', '.join(allowed[:2])}]",
                column=where,
                value=value,
            )
        )
        return None
    canon = {a.lower(): a for a in allowed}
    bad = [v for v in value if v.strip().lower() not in canon]
    if bad:
        problems.append(
            Problem(
                file,
                f"{bad[0]!r} is not a rating this setting can use",
                f"use any of {', '.join(allowed)}",
                column=where,
                value=value,
            )
        )
        return None
    return tuple(dict.fromkeys(canon[v.strip().lower()] for v in value))


def parse_exception_rule(
    raw: Any, file: str, where: str, problems: list[Problem]
) -> ExceptionRule | None:
    """``exceptions:`` (a mapping) → :class:`ExceptionRule`; keys left out keep today's rule
    (Red or Amber, or any forecast miss). None when absent or wrong (problems say why)."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        problems.append(
            Problem(
                file,
                "expected a mapping of ratings, forecast_miss and combine",
                "write e.g. exceptions: {ratings: [Red, Amber], forecast_miss: any, combine: or}",
                column=where,
                value=raw,
            )
        )
        return None
    before = len(problems)
    for key in sorted(set(map(str, raw)) - set(EXCEPTION_KEYS)):
        problems.append(
            Problem(
                file,
                "unknown key",
                f"use one of {', '.join(EXCEPTION_KEYS)}",
                column=f"{where}.{key}",
            )
        )
    rags = _DEFAULT.rags
    if "ratings" in raw:
        rags = _ratings(file, f"{where}.ratings", raw["ratings"] or [], EXCEPTION_RATINGS, problems)
    forecast = str(raw.get("forecast_miss", _DEFAULT.forecast_miss)).strip().lower()
    if raw.get("forecast_miss") is False:  # YAML reads a bare `no`/`off` as false
        forecast = "none"
    if forecast not in FORECAST_MISSES:
        problems.append(
            Problem(
                file,
                f"must be one of {', '.join(FORECAST_MISSES)}",
                "any: every year-end forecast below target qualifies; red: only a forecast "
                "rated Red; none: forecasts never qualify",
                column=f"{where}.forecast_miss",
                value=raw.get("forecast_miss"),
            )
        )
    combine = str(raw.get("combine", _DEFAULT.combine)).strip().lower()
    if combine not in COMBINES:
        problems.append(
            Problem(
                file,
                "must be or or and",
                "or: a qualifying rating or a forecast miss is enough; and: both are needed",
                column=f"{where}.combine",
                value=raw.get("combine"),
            )
        )
    if len(problems) > before or rags is None:
        return None
    rule = ExceptionRule(rags=rags, forecast_rags=FORECAST_MISSES[forecast], combine=combine)
    empty = (
        not rule.rags or not rule.forecast_rags
        if combine == "and"
        else not rule.rags and not rule.forecast_rags
    )
    if empty:
        problems.append(
            Problem(
                file,
                "this rule can never select an indicator, so no report would have exceptions",
                "name at least one rating, and with combine: and give forecast_miss: any or red",
                column=where,
                value=raw,
            )
        )
        return None
    return rule


def parse_on_target(
    raw: Any, file: str, where: str, problems: list[Problem]
) -> tuple[str, ...] | None:
    """``on_target:`` → the ratings counted as on target (Green must be one); None if absent."""
    if raw is None:
        return None
    rags = _ratings(file, where, raw, ON_TARGET_RATINGS, problems)
    if rags is None:
        return None
    if "Green" not in rags:
        problems.append(
            Problem(
                file,
                "Green must be counted as on target",
                f"write [Green{''.join(', ' + r for r in rags)}]",
                column=where,
                value=raw,
            )
        )
        return None
    # reading order, whatever order they were written in
    return tuple(r for r in ON_TARGET_RATINGS if r in rags)
