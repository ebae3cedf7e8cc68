"""The column contract of the optional tables: key actions, risks, audit actions and finance.

Plain data, like :mod:`pmlib.data.contract` (whose :class:`~pmlib.data.contract.Col` it uses):
:mod:`pmlib.data.schema` checks these tables with the same pandera machinery and the same
messages as the four indicator tables, and docs/data-format.md documents every column. A data
folder holding none of these tables is complete; one holding some of them gets those sections.
"""

from __future__ import annotations

from pmlib.core.plan import ACTION_STATUSES, AUDIT_STATUSES, FINANCE_LINES
from pmlib.data.contract import VISIBILITIES, Col

__all__ = [
    "ACTION_STATUSES",
    "AUDIT_STATUSES",
    "FINANCE_LINES",
    "FINANCE_UNITS",
    "ID_COLUMNS",
    "PLAN_CONTRACT",
    "PLAN_TABLES",
]

#: The optional tables, in the order validation reads them (parents before their updates).
PLAN_TABLES = ("actions", "action_updates", "risks", "risk_reviews", "audit_actions", "finance")
#: The money units a finance row may be kept in (the indicator units of the same names).
FINANCE_UNITS = ("currency", "currency_thousands", "currency_millions")
#: Each table's key columns (no two rows may share them).
ID_COLUMNS = {
    "actions": ("id",),
    "action_updates": ("action_id", "period"),
    "risks": ("id",),
    "risk_reviews": ("risk_id", "period"),
    "audit_actions": ("id",),
    "finance": ("service", "period", "line"),
}

_VIS = Col("visibility", "choice", nonblank=True, choices=VISIBILITIES, default="public")

PLAN_CONTRACT: dict[str, tuple[Col, ...]] = {
    "actions": (
        Col("id", required=True, nonblank=True),
        Col("title", required=True, nonblank=True),
        Col("description"),
        Col("priority"),
        Col("objective"),
        Col("committees"),
        Col("owner"),
        Col("start", "date"),
        Col("due", "date", required=True, nonblank=True),
        Col("revised_due", "date"),
        Col("status", "choice", required=True, nonblank=True, choices=ACTION_STATUSES),
        Col("percent_complete", "number"),
        Col("linked_indicators"),
        _VIS,
    ),
    "action_updates": (
        Col("action_id", required=True, nonblank=True),
        Col("period", required=True, nonblank=True),
        Col("status", "choice", choices=ACTION_STATUSES),
        Col("percent_complete", "number"),
        Col("update"),
        Col("author"),
        Col("updated_at", "date"),
    ),
    "risks": (
        Col("id", required=True, nonblank=True),
        Col("title", required=True, nonblank=True),
        Col("description"),
        Col("owner"),
        Col("priority"),
        Col("objective"),
        Col("committees"),
        Col("inherent_likelihood", "integer"),
        Col("inherent_impact", "integer"),
        Col("likelihood", "integer", required=True, nonblank=True),
        Col("impact", "integer", required=True, nonblank=True),
        Col("target_score", "integer"),
        Col("controls"),
        Col("linked_indicators"),
        _VIS,
    ),
    "risk_reviews": (
        Col("risk_id", required=True, nonblank=True),
        Col("period", required=True, nonblank=True),
        Col("likelihood", "integer", required=True, nonblank=True),
        Col("impact", "integer", required=True, nonblank=True),
        Col("update"),
        Col("reviewed_by"),
        Col("reviewed_at", "date"),
    ),
    "audit_actions": (
        Col("id", required=True, nonblank=True),
        Col("audit", required=True, nonblank=True),
        Col("recommendation", required=True, nonblank=True),
        Col("priority", "integer"),
        Col("owner"),
        Col("due", "date", required=True, nonblank=True),
        Col("revised_due", "date"),
        Col("status", "choice", required=True, nonblank=True, choices=AUDIT_STATUSES),
        Col("update"),
        Col("committees"),
        _VIS,
    ),
    "finance": (
        Col("service", required=True, nonblank=True),
        Col("period", required=True, nonblank=True),
        Col("line", "choice", required=True, nonblank=True, choices=FINANCE_LINES),
        Col("budget", "number", required=True, nonblank=True),
        Col("actual_to_date", "number"),
        Col("forecast_outturn", "number", required=True, nonblank=True),
        Col("variance", "number"),
        Col("unit", "choice", choices=FINANCE_UNITS),
        Col("commentary"),
        Col("committees"),
        _VIS,
    ),
}
