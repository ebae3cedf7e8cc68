"""How a council rates its key actions, risks, audit actions and budget: the settings.

Frozen dataclasses held on :class:`pmlib.core.model.Council` (``council.plan``). They live in
``core`` so that the data model can name them; :mod:`pmlib.config.plan` reads them from the
``actions:``, ``risks:``, ``audit_actions:`` and ``finance:`` keys of ``council.yaml``, and the
rating modules (:mod:`pmlib.rating.actions`, :mod:`~pmlib.rating.risks`,
:mod:`~pmlib.rating.audit`, :mod:`~pmlib.rating.finance`) apply them. The defaults are the
choices the seed frameworks describe (South Derbyshire's Grey for "not yet known", a 5 × 5 risk
matrix, "more than 2% or £100k" for budget variances) so a council with no keys gets a sensible
report, and a council with no plan tables sees nothing at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: The statuses an action (or an action's update) may have, in the order a report lists them.
ACTION_STATUSES = (
    "not started",
    "on track",
    "at risk",
    "off track",
    "complete",
    "cancelled",
    "deferred",
)
#: The statuses of an internal-audit action.
AUDIT_STATUSES = ("open", "in progress", "complete", "cancelled")
#: The budget lines of the finance table.
FINANCE_LINES = ("revenue", "capital", "reserves")

#: Default status → RAG of an action that is not overdue (a council changes it in council.yaml).
DEFAULT_STATUS_RAG: tuple[tuple[str, str], ...] = (
    ("not started", "Grey"),
    ("on track", "Green"),
    ("at risk", "Amber"),
    ("off track", "Red"),
    ("complete", "Green"),
    ("cancelled", "Grey"),
    ("deferred", "Amber"),
)


@dataclass(frozen=True)
class ActionRules:
    """How an action's status and dates give its RAG (see :func:`pmlib.rating.actions.rate_actions`).

    ``status_rag``: each status's RAG when the action is not overdue. ``overdue_rag``: the RAG of
    an action whose due date (its revised date when it has one) has passed by the end of the
    period and which is not ``closed``. ``late_start_rag``: an action still "not started" after
    its start date (before it, or with no start date before its due date, it is Grey: not yet
    due, as South Derbyshire reports projects whose outcome is not yet known).
    """

    status_rag: tuple[tuple[str, str], ...] = DEFAULT_STATUS_RAG
    overdue_rag: str = "Red"
    late_start_rag: str = "Amber"
    closed: tuple[str, ...] = ("complete", "cancelled")

    def rag_for(self, status: str) -> str:
        return dict(self.status_rag).get(status, "Grey")


@dataclass(frozen=True)
class RiskBand:
    """One band of the risk matrix: scores up to ``max`` (inclusive) are ``name``, shown ``rag``."""

    name: str
    max: int
    rag: str


@dataclass(frozen=True)
class RiskRules:
    """The risk scale and banding (see :mod:`pmlib.rating.risks`).

    ``scale``: likelihood and impact each run 1..scale (5 by default), so a score (likelihood
    × impact) runs 1..scale². ``bands``: score bands in ascending order, the last reaching
    scale². ``matrix`` (optional): the band name of every cell, one row per likelihood (1 first),
    one entry per impact (1 first), for councils whose matrix is not a simple score threshold;
    when given it wins over ``bands`` for the name (the RAG still comes from the band so named).
    """

    scale: int = 5
    bands: tuple[RiskBand, ...] = (
        RiskBand("Low", 4, "Green"),
        RiskBand("Medium", 10, "Amber"),
        RiskBand("High", 25, "Red"),
    )
    matrix: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class FinanceRules:
    """When a budget variance needs explaining (see :mod:`pmlib.rating.finance`).

    A forecast is "within tolerance" when its variance is no more than ``tolerance_percent``
    of the budget and (``combine: or``: a variance beyond *either* limit is reported, as "more
    than 2% or £100k") no more than ``tolerance_amount`` pounds. Beyond it, an adverse variance
    (overspend; fewer reserves than planned) is ``adverse_rag`` and a favourable one
    (underspend, slippage; more reserves) ``favourable_rag``. ``unit`` is the unit of a row
    whose ``unit`` cell is blank.
    """

    tolerance_percent: float = 2.0
    tolerance_amount: float = 100_000.0
    combine: str = "or"  # or | and
    adverse_rag: str = "Red"
    favourable_rag: str = "Amber"
    unit: str = "currency"


@dataclass(frozen=True)
class PlanSettings:
    """The four tables' settings together (``Council.plan``)."""

    actions: ActionRules = field(default_factory=ActionRules)
    risks: RiskRules = field(default_factory=RiskRules)
    finance: FinanceRules = field(default_factory=FinanceRules)


__all__ = [
    "ACTION_STATUSES",
    "AUDIT_STATUSES",
    "DEFAULT_STATUS_RAG",
    "FINANCE_LINES",
    "ActionRules",
    "FinanceRules",
    "PlanSettings",
    "RiskBand",
    "RiskRules",
]
