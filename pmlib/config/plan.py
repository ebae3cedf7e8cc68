"""``council.yaml``'s ``actions:``, ``risks:`` and ``finance:`` keys → :class:`PlanSettings`.

Each key is optional and each setting inside it too: what a council leaves out keeps the default
(:mod:`pmlib.core.plan`). Every mistake is a :class:`~pmlib.core.errors.Problem` naming the key,
the value and the fix, collected with the rest of council.yaml's problems.

.. code-block:: yaml

    actions:
      status_rag: {deferred: Grey}      # merged over the defaults
      overdue_rag: Red
      late_start_rag: Amber
      closed: [complete, cancelled]
    risks:
      scale: 5
      bands:                            # ascending; the last reaches scale × scale
        - {name: Low, max: 4, rag: Green}
        - {name: Medium, max: 10, rag: Amber}
        - {name: High, max: 25, rag: Red}
    finance:
      tolerance_percent: 2              # "more than 2% ..."
      tolerance_amount: 100000          # "... or £100k" (pounds)
      combine: or
      unit: £k                          # of rows whose unit cell is blank
"""

from __future__ import annotations

from typing import Any

from pmlib.core.errors import Problem
from pmlib.core.plan import (
    ACTION_STATUSES,
    ActionRules,
    FinanceRules,
    PlanSettings,
    RiskBand,
    RiskRules,
)
from pmlib.core.units import UNIT_ALIASES

__all__ = ["PLAN_KEYS", "RAGS", "read_plan"]

#: The council.yaml keys this module reads.
PLAN_KEYS = frozenset({"actions", "risks", "finance"})
#: The ratings a setting may name.
RAGS = ("Red", "Amber", "Green", "Grey")
_MONEY = ("currency", "currency_thousands", "currency_millions")


class _Reader:
    """Reads one section, recording problems against ``section.key``."""

    def __init__(self, file: str, section: str, raw: Any, keys: set[str], problems: list):
        self.file, self.section, self.problems = file, section, problems
        self.raw: dict = {}
        if raw is None:
            return
        if not isinstance(raw, dict):
            self.error("", "expected a mapping of settings", "see docs/data-format.md", raw)
            return
        self.raw = raw
        for key in sorted(set(raw) - keys):
            self.error(key, "unknown setting", f"use one of {', '.join(sorted(keys))}", None)

    def error(self, key: str, message: str, fix: str, value: Any) -> None:
        column = f"{self.section}.{key}" if key else self.section
        self.problems.append(Problem(self.file, message, fix, column=column, value=value))

    def rag(self, key: str, default: str) -> str:
        value = self.raw.get(key, default)
        fixed = str(value).strip().capitalize()
        if fixed not in RAGS:
            self.error(key, "is not a rating", f"use one of {', '.join(RAGS)}", value)
            return default
        return fixed

    def number(self, key: str, default: float) -> float:
        value = self.raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            self.error(key, "must be a number >= 0", f"e.g. {key}: {default:g}", value)
            return default
        return float(value)


def _actions(file: str, raw: Any, problems: list) -> ActionRules:
    keys = {"status_rag", "overdue_rag", "late_start_rag", "closed"}
    r = _Reader(file, "actions", raw, keys, problems)
    base = ActionRules()
    mapping = dict(base.status_rag)
    given = r.raw.get("status_rag") or {}
    if not isinstance(given, dict):
        r.error(
            "status_rag", "expected a mapping of status: rating", "e.g. {deferred: Grey}", given
        )
        given = {}
    for status, rag in given.items():
        name = str(status).strip().lower()
        if name not in ACTION_STATUSES:
            r.error(
                f"status_rag.{status}",
                "is not an action status",
                f"use one of {', '.join(ACTION_STATUSES)}",
                status,
            )
            continue
        fixed = str(rag).strip().capitalize()
        if fixed not in RAGS:
            r.error(f"status_rag.{status}", "is not a rating", f"use one of {', '.join(RAGS)}", rag)
            continue
        mapping[name] = fixed
    closed = r.raw.get("closed", list(base.closed))
    if isinstance(closed, str):
        closed = [closed]
    names = [str(c).strip().lower() for c in closed] if isinstance(closed, list) else None
    if names is None or any(n not in ACTION_STATUSES for n in names):
        r.error(
            "closed", "expected a list of action statuses", "e.g. [complete, cancelled]", closed
        )
        names = list(base.closed)
    return ActionRules(
        status_rag=tuple((s, mapping[s]) for s in ACTION_STATUSES),
        overdue_rag=r.rag("overdue_rag", base.overdue_rag),
        late_start_rag=r.rag("late_start_rag", base.late_start_rag),
        closed=tuple(names),
    )


def _risks(file: str, raw: Any, problems: list) -> RiskRules:
    r = _Reader(file, "risks", raw, {"scale", "bands", "matrix"}, problems)
    base = RiskRules()
    scale = r.raw.get("scale", base.scale)
    if isinstance(scale, bool) or not isinstance(scale, int) or not 2 <= scale <= 10:
        r.error("scale", "must be a whole number 2-10", "e.g. scale: 5 (a 5 × 5 matrix)", scale)
        return base
    bands = base.bands
    if "bands" in r.raw:
        bands = _bands(r, r.raw["bands"], scale) or base.bands
    elif scale != base.scale:
        r.error(
            "bands",
            f"a {scale} × {scale} scale needs its own bands",
            f"list bands whose last max is {scale * scale}, e.g. "
            f"[{{name: Low, max: {scale}, rag: Green}}, {{name: High, max: {scale * scale}, "
            "rag: Red}]",
            None,
        )
    matrix: tuple[tuple[str, ...], ...] = ()
    if r.raw.get("matrix") is not None:
        matrix = _matrix(r, r.raw["matrix"], scale, {b.name for b in bands})
    return RiskRules(scale=scale, bands=bands, matrix=matrix)


def _bands(r: _Reader, raw: Any, scale: int) -> tuple[RiskBand, ...]:
    fix = "a list of {name: Low, max: 4, rag: Green} in ascending order of max"
    if not isinstance(raw, list) or not raw:
        r.error("bands", "expected a list of bands", fix, raw)
        return ()
    out: list[RiskBand] = []
    for i, item in enumerate(raw, start=1):
        where = f"bands[{i}]"
        if not isinstance(item, dict) or not {"name", "max", "rag"} <= set(item):
            r.error(where, "each band needs name, max and rag", fix, item)
            return ()
        top, rag = item["max"], str(item["rag"]).strip().capitalize()
        if isinstance(top, bool) or not isinstance(top, int) or (out and top <= out[-1].max):
            r.error(f"{where}.max", "must be a whole score above the previous band's max", fix, top)
            return ()
        if rag not in RAGS:
            r.error(f"{where}.rag", "is not a rating", f"use one of {', '.join(RAGS)}", item["rag"])
            return ()
        out.append(RiskBand(str(item["name"]), top, rag))
    if out[-1].max != scale * scale:
        r.error(
            "bands",
            f"the last band must reach the highest score, {scale * scale}",
            f"set the last band's max to {scale * scale}",
            out[-1].max,
        )
        return ()
    return tuple(out)


def _matrix(r: _Reader, raw: Any, scale: int, names: set[str]) -> tuple[tuple[str, ...], ...]:
    fix = f"{scale} rows (likelihood 1 first), each a list of {scale} band names (impact 1 first)"
    ok = (
        isinstance(raw, list)
        and len(raw) == scale
        and all(isinstance(row, list) and len(row) == scale for row in raw)
    )
    if not ok:
        r.error("matrix", f"expected a {scale} × {scale} grid of band names", fix, raw)
        return ()
    unknown = sorted({str(c) for row in raw for c in row} - names)
    if unknown:
        r.error("matrix", "names a band that is not in bands", f"use {sorted(names)}", unknown[0])
        return ()
    return tuple(tuple(str(c) for c in row) for row in raw)


def _finance(file: str, raw: Any, problems: list) -> FinanceRules:
    keys = {
        "tolerance_percent",
        "tolerance_amount",
        "combine",
        "adverse_rag",
        "favourable_rag",
        "unit",
    }
    r = _Reader(file, "finance", raw, keys, problems)
    base = FinanceRules()
    combine = str(r.raw.get("combine", base.combine)).strip().lower()
    if combine not in ("or", "and"):
        r.error(
            "combine", "must be or or and", "or: beyond either limit; and: beyond both", combine
        )
        combine = base.combine
    unit = str(r.raw.get("unit", base.unit)).strip()
    unit = UNIT_ALIASES.get(unit.lower(), unit)
    if unit not in _MONEY:
        r.error("unit", "is not a money unit", "use £, £k or £m", r.raw.get("unit"))
        unit = base.unit
    return FinanceRules(
        tolerance_percent=r.number("tolerance_percent", base.tolerance_percent),
        tolerance_amount=r.number("tolerance_amount", base.tolerance_amount),
        combine=combine,
        adverse_rag=r.rag("adverse_rag", base.adverse_rag),
        favourable_rag=r.rag("favourable_rag", base.favourable_rag),
        unit=unit,
    )


def read_plan(file: str, raw: dict, problems: list[Problem]) -> PlanSettings:
    """The plan settings from council.yaml's mapping (``raw``); problems appended."""
    return PlanSettings(
        actions=_actions(file, raw.get("actions"), problems),
        risks=_risks(file, raw.get("risks"), problems),
        finance=_finance(file, raw.get("finance"), problems),
    )
