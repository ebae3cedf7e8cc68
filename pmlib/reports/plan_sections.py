"""The committee report's sections after the indicators: key actions, strategic risks,
internal audit actions and budget monitoring.

Each section appears only when the committee has items of that kind, so a council with none of
the optional tables gets exactly the report it had. Which items a committee receives:

* **key actions and risks** — every one for a committee that takes all indicators; otherwise
  those whose ``priority`` the committee lists, that name the committee in their
  ``committees`` column, or that link to one of the committee's indicators;
* **audit actions and budget lines** — those naming the committee in ``committees``, and
  every one for a committee that takes all indicators (Cabinet, a performance board), so a
  table need not name those.

A public committee never receives an item marked ``internal``, whatever else selects it: the
items are filtered before anything is computed from them, as the indicators are.

The notebook calls :func:`show_plan_sections` once, after the indicator sections, and
:func:`publish_plan_tables` to hand each section's table to ``pmlib run`` as a CSV beside the
report. :func:`plan_contents` gives the contents list its entries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from pmlib.core.csv_out import csv_text
from pmlib.core.model import Committee, Dataset
from pmlib.core.plan import ACTION_STATUSES
from pmlib.data.plan_tables import split_list
from pmlib.present.navigation import anchor_id
from pmlib.present.plan_fragments import (
    action_card,
    actions_summary,
    actions_table,
    audit_summary,
    audit_table,
    bands_key,
    finance_commentary,
    finance_summary,
    finance_table,
    heat_table,
    milestones_table,
    plan_table,
    risk_card,
    risks_summary,
    risks_table,
)
from pmlib.present.tables import Html
from pmlib.present.text import esc
from pmlib.rating.actions import next_period, rate_actions
from pmlib.rating.audit import audit_counts, rate_audit_actions
from pmlib.rating.finance import rate_finance
from pmlib.rating.risks import heat_counts, rate_risks

if TYPE_CHECKING:
    from pmlib.reports.committee import CommitteeReport

__all__ = [
    "PLAN_TITLES",
    "PlanSections",
    "items_for",
    "plan_contents",
    "plan_sections",
    "publish_plan_tables",
    "show_plan_sections",
]

#: Section key -> heading, in the order the report shows them.
PLAN_TITLES = {
    "actions": "Key actions",
    "risks": "Strategic risks",
    "audit": "Internal audit actions",
    "finance": "Budget monitoring",
}


def _names(values: pd.Series, slug: str) -> pd.Series:
    """Whether each row's ``committees`` cell (``a; b``) names ``slug``."""
    items = split_list(values)
    hit = items.eq(slug).groupby(level=0).any()
    return hit.reindex(values.index, fill_value=False).astype(bool)


def _links(values: pd.Series, ids: set[str]) -> pd.Series:
    items = split_list(values)
    hit = items.isin(ids).groupby(level=0).any()
    return hit.reindex(values.index, fill_value=False).astype(bool)


def items_for(
    frame: pd.DataFrame, committee: Committee, indicator_ids: set[str], *, plan_items: bool
) -> pd.DataFrame:
    """The rows of an optional table a committee receives (see the module docstring).

    ``plan_items``: True for key actions and risks (priority, committees, linked indicators),
    False for audit actions and budget lines (the committees named). Either way a committee
    that takes every indicator (Cabinet, an officers' board) takes every item too, so a
    table need not name it.
    """
    if frame.empty:
        return frame
    named = _names(frame["committees"], committee.slug)
    if plan_items:
        mask = (
            pd.Series(committee.all_indicators, index=frame.index)
            | named
            | frame["priority"].isin(committee.priorities).fillna(False).astype(bool)
            | _links(frame["linked_indicators"], indicator_ids)
        )
    else:
        mask = named | committee.all_indicators
    if committee.is_public:
        mask &= frame["visibility"].fillna("public").eq("public")
    return frame[mask.astype(bool)].reset_index(drop=True)


@dataclass
class PlanSections:
    """The four sections for one committee and period, computed once."""

    dataset: Dataset
    committee: Committee
    period: Any
    indicators: pd.DataFrame  # the committee's indicators, indexed by id
    actions: pd.DataFrame = field(init=False)
    risks: pd.DataFrame = field(init=False)
    audit: pd.DataFrame = field(init=False)
    finance: pd.DataFrame = field(init=False)

    def __post_init__(self) -> None:
        ds, c, p = self.dataset, self.committee, self.period
        plan = ds.council.plan
        ids = set(self.indicators.index)
        # select first, then rate: nothing about an item the audience may not see is computed
        acts = items_for(ds.actions, c, ids, plan_items=True)
        self.actions = rate_actions(acts, ds.action_updates, p, plan.actions)
        risks = items_for(ds.risks, c, ids, plan_items=True)
        self.risks = rate_risks(risks, ds.risk_reviews, p, plan.risks)
        audit = items_for(ds.audit_actions, c, ids, plan_items=False)
        self.audit = rate_audit_actions(audit, p)
        fin = items_for(ds.finance, c, ids, plan_items=False)
        self.finance = rate_finance(fin, p, plan.finance)

    # -- which sections ------------------------------------------------------------------------
    def present(self) -> list[str]:
        """The sections this committee has items for, in report order."""
        has = {
            "actions": not self.actions.empty,
            "risks": not self.risks.empty,
            "audit": bool(len(self.audit) and self.audit["open"].any()),
            "finance": not self.finance.empty,
        }
        return [k for k in PLAN_TITLES if has[k]]

    def contents(self) -> list[tuple[str, str]]:
        return [(anchor_id(PLAN_TITLES[k]), PLAN_TITLES[k]) for k in self.present()]

    @staticmethod
    def _heading(key: str, intro: str) -> Html:
        title = PLAN_TITLES[key]
        return Html(
            f'<h2 id="{anchor_id(title)}" class="page-break">{esc(title)}</h2>'
            f'<p class="pmlib-plan-intro">{esc(intro)}</p>'
        )

    # -- sections ------------------------------------------------------------------------------
    def key_actions(self) -> list[Any]:
        a, label = self.actions, self.period.label
        following = next_period(self.period).label
        out: list[Any] = [self._heading("actions", actions_summary(a, label))]
        order = [s for s in ACTION_STATUSES if s in set(a["status"])]
        counts = a.groupby("status").size().reindex(order).rename("Actions").reset_index()
        counts["status"] = counts["status"].str.capitalize()
        out.append(
            plan_table(
                counts.rename(columns={"status": "Status"}),
                caption=f"Key actions by status, {label}",
                numeric=("Actions",),
                row_header="Status",
            )
        )
        worst = a[a["rag"].isin(["Red", "Amber"])]
        worst = worst.assign(order=worst["rag"].map({"Red": 0, "Amber": 1}))
        if not worst.empty:
            out.append(Html("<h3>Overdue, off-track and at-risk actions</h3>"))
            out += [action_card(r, label) for _, r in worst.sort_values(["order", "id"]).iterrows()]
        if (a["due_this_period"] | a["due_next_period"]).any():
            out.append(Html(f"<h3>Milestones due in {esc(label)} and {esc(following)}</h3>"))
            out.append(milestones_table(a, label, following))
        out.append(Html("<h3>All key actions</h3>"))
        out.append(actions_table(a, label))
        out.append(self.golden_thread())
        return out

    def golden_thread(self) -> Html:
        """Priority → objective → the indicators, key actions and risks that serve it. An action
        or risk with no priority of its own takes its first linked indicator's."""
        ind = self.indicators
        rows = [
            pd.DataFrame(
                {
                    "Priority": ind["priority"],
                    "Objective": ind["objective"],
                    "kind": "Indicators",
                    "ref": ind.index,
                }
            )
        ]
        for kind, frame in (("Key actions", self.actions), ("Risks", self.risks)):
            if frame.empty:
                continue
            first = frame["linked_indicators"].str.split(";").str[0].str.strip()
            pri = frame["priority"].fillna(first.map(ind["priority"]))
            obj = frame["objective"].fillna(first.map(ind["objective"]))
            rows.append(
                pd.DataFrame({"Priority": pri, "Objective": obj, "kind": kind, "ref": frame["id"]})
            )
        long = pd.concat(rows, ignore_index=True)
        long[["Priority", "Objective"]] = long[["Priority", "Objective"]].fillna("–").astype(str)
        wide = (
            long.groupby(["Priority", "Objective", "kind"], sort=False)["ref"]
            .agg(lambda s: ", ".join(s))
            .unstack("kind", fill_value="–")
            .reindex(columns=["Indicators", "Key actions", "Risks"], fill_value="–")
            .reset_index()
        )
        wide.columns.name = None
        table = plan_table(
            wide,
            caption="Golden thread: each priority and objective with its indicators, key "
            "actions and risks",
        )
        return Html("<h3>Golden thread</h3>" + table.html)

    def strategic_risks(self) -> list[Any]:
        from pmlib.present.figures import Figure
        from pmlib.present.risk_charts import risk_heat_map

        r, rules = self.risks, self.dataset.council.plan.risks
        cells = heat_counts(r, rules.scale)
        out: list[Any] = [self._heading("risks", risks_summary(r, self.period.label))]
        out.append(Figure(risk_heat_map(cells, rules)))
        out.append(Html(f'<p class="pmlib-plan-key">{esc(bands_key(rules))}</p>'))
        out.append(heat_table(cells, rules.scale))
        out.append(risks_table(r))
        above = r[r["above_target"]].sort_values(["score", "id"], ascending=[False, True])
        if not above.empty:
            out.append(Html("<h3>Risks above their target score</h3>"))
            out += [risk_card(row, self.period.label) for _, row in above.iterrows()]
        if self.actions.empty:  # otherwise the key actions section shows it
            out.append(self.golden_thread())
        return out

    def audit_actions(self) -> list[Any]:
        a = self.audit
        out: list[Any] = [self._heading("audit", audit_summary(a))]
        out.append(
            plan_table(
                audit_counts(a),
                caption=f"Open audit actions by priority, {self.period.label}",
                numeric=("Open", "Overdue", "Revised date"),
                row_header="Priority",
            )
        )
        if a["overdue"].any():
            out.append(audit_table(a))
        return out

    def budget(self) -> list[Any]:
        from pmlib.present.figures import Figure
        from pmlib.present.risk_charts import variance_chart

        f, label = self.finance, self.period.label
        lines = [ln for ln in ("revenue", "capital", "reserves") if ln in set(f["line"])]
        intro = " ".join(finance_summary(f[f["line"].eq(ln)], ln) for ln in lines)
        out: list[Any] = [self._heading("finance", intro)]
        for ln in lines:
            out.append(finance_table(f[f["line"].eq(ln)], ln, label))
        spend = f[f["line"].isin(["revenue", "capital"])]
        if not spend.empty:
            out.append(Figure(variance_chart(spend)))
        notes = finance_commentary(f)
        if notes.html:
            out.append(Html("<h3>Commentary</h3>" + notes.html))
        return out

    def sections(self) -> list[Any]:
        """Everything to display, in order."""
        build = {
            "actions": self.key_actions,
            "risks": self.strategic_risks,
            "audit": self.audit_actions,
            "finance": self.budget,
        }
        return [item for key in self.present() for item in build[key]()]

    # -- data ----------------------------------------------------------------------------------
    def tables(self) -> dict[str, pd.DataFrame]:
        """Each shown section's table, for CSV beside the report (the audience's items only)."""
        cols = {
            "actions": [
                "id", "title", "priority", "objective", "owner", "start", "due", "revised_due",
                "effective_due", "status", "percent_complete", "rag", "rag_reason", "overdue",
                "has_update", "update", "author", "updated_at", "linked_indicators",
            ],
            "risks": [
                "id", "title", "owner", "likelihood", "impact", "score", "band", "band_rag",
                "previous_score", "movement", "target_score", "above_target", "inherent_score",
                "review_period", "reviewed_this_period", "update", "reviewed_by", "controls",
                "linked_indicators",
            ],
            "audit": [
                "id", "audit", "recommendation", "priority", "owner", "due", "revised_due",
                "effective_due", "status", "open", "overdue", "revised", "days_overdue", "update",
            ],
            "finance": [
                "service", "period", "line", "unit", "budget", "actual_to_date",
                "forecast_outturn", "variance", "variance_pct", "variance_pounds", "band", "rag",
                "commentary",
            ],
        }  # fmt: skip
        frames = {"actions": self.actions, "risks": self.risks, "audit": self.audit}
        frames["finance"] = self.finance
        names = {"audit": "audit_actions"}
        return {names.get(k, k): frames[k].reindex(columns=cols[k]) for k in self.present()}


def plan_sections(report: CommitteeReport) -> PlanSections:
    """The report's plan sections, computed once per report."""
    cached = getattr(report, "_plan_sections", None)
    if cached is None:
        cached = PlanSections(report.dataset, report.committee, report.period, report.indicators)
        report._plan_sections = cached  # type: ignore[attr-defined]
    return cached


def plan_contents(report: CommitteeReport) -> list[tuple[str, str]]:
    """(id, title) for each plan section the report shows (for its contents list)."""
    return plan_sections(report).contents()


def show_plan_sections(report: CommitteeReport) -> None:
    """Display every plan section the committee has items for (the notebook's one call)."""
    from IPython.display import display

    items = plan_sections(report).sections()
    if items:
        display(*items)


def publish_plan_tables(report: CommitteeReport) -> None:
    """Hand each shown section's table to ``pmlib run`` (written as ``data/<report>-<table>.csv``)."""
    from pmlib.core.artifacts import publish_artifact

    tables = plan_sections(report).tables()
    if tables:
        publish_artifact(
            "plan_csv",
            {k: csv_text(v) for k, v in tables.items()},
        )
