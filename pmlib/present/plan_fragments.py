"""Words and tables for key actions, risks, audit actions and finance (HTML fragments).

Every sentence is computed from the rated frames (:mod:`pmlib.rating.actions`, ``risks``,
``audit``, ``finance``); every officer-typed cell (titles, updates, controls, commentary) is
escaped; only badges pmlib builds itself are passed through as HTML. Money is formatted by
pmlib's one formatter, in the unit each row is kept in (``£5,150k``), with a true minus sign on
variances. The report sections that arrange these are in :mod:`pmlib.reports.plan_sections`.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from pmlib.core.plan import RiskRules
from pmlib.core.words import long_date
from pmlib.present.fragments import is_missing, signed_value
from pmlib.present.tables import Html, definition_table
from pmlib.present.text import esc, format_value, plural, rag_badge
from pmlib.rating.finance import POUNDS

__all__ = [
    "action_card",
    "actions_table",
    "actions_summary",
    "audit_summary",
    "audit_table",
    "bands_key",
    "finance_commentary",
    "finance_summary",
    "finance_table",
    "heat_table",
    "milestones_table",
    "plan_table",
    "risk_card",
    "risks_summary",
    "risks_table",
]

MISSING = "–"


def _text(value: object) -> str:
    return MISSING if is_missing(value) else str(value)


def _date(value: object) -> str:
    return MISSING if is_missing(value) else long_date(value)


def plan_table(
    frame: pd.DataFrame,
    *,
    caption: str,
    numeric: Sequence[str] = (),
    trusted: Sequence[str] = (),
    row_header: str | None = None,
) -> Html:
    """A plain table with a caption, in a focusable scroll region (wide tables scroll on a
    phone). Cells are escaped except the ``trusted`` columns (pmlib's own badges)."""
    num = ' class="pm-num"'
    head = "".join(
        f'<th scope="col"{num if c in numeric else ""}>{esc(c)}</th>' for c in frame.columns
    )
    rows = []
    for values in frame.itertuples(index=False):
        cells = []
        for c, v in zip(frame.columns, values, strict=True):
            text = str(v) if c in trusted else esc(_text(v))
            attrs = ' class="pm-num" style="white-space:nowrap"' if c in numeric else ""
            if c == row_header:
                cells.append(f'<th scope="row"{attrs}>{text}</th>')
            else:
                cells.append(f"<td{attrs}>{text}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    table = (
        f'<table class="pmlib-plan-table"><caption>{esc(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )
    return Html(
        f'<div class="pmlib-table-scroll" role="region" aria-label="{esc(caption)}" '
        f'tabindex="0">{table}</div>'
    )


# -- key actions -----------------------------------------------------------------------------
def actions_summary(rated: pd.DataFrame, period_label: str) -> str:
    """One paragraph: how many actions, by rating, overdue, and without an update."""
    n = len(rated)
    counts = rated["rag"].value_counts()
    parts = [f"{int(counts[r])} {r}" for r in ("Red", "Amber", "Green", "Grey") if r in counts]
    text = f"{plural(n, 'key action')} in {period_label}: {', '.join(parts)}."
    overdue = int(rated["overdue"].sum())
    if overdue:
        text += f" {plural(overdue, 'action')} {'is' if overdue == 1 else 'are'} overdue."
    # an open action owes an update, unless it has not started and is not yet expected to
    waiting = rated["status"].eq("not started") & ~rated["late_start"] & ~rated["overdue"]
    closed = rated["status"].isin(["complete", "cancelled"])
    silent = int((~rated["has_update"] & ~closed & ~waiting).sum())
    if silent:
        text += (
            f" {plural(silent, 'open action')} {'has' if silent == 1 else 'have'} no update "
            f"for {period_label}."
        )
    if "Grey" in counts:
        text += " Grey: not yet due (not started and not yet expected to have started)."
    return text


def action_card(row: pd.Series, period_label: str) -> Html:
    """An overdue, off-track or at-risk action: heading with its rating, facts, the update."""
    due = _date(row["due"])
    if not is_missing(row.get("revised_due")):
        due = f"{_date(row['revised_due'])} (revised from {due})"
    pct = row.get("percent_complete")
    facts = [
        ("Why", row["rag_reason"]),
        ("Status", str(row["status"]).capitalize()),
        ("Due", due),
        ("Complete", MISSING if is_missing(pct) else f"{format_value(pct, 'percent', 0)}"),
        ("Owner", _text(row.get("owner"))),
        ("Priority", _text(row.get("priority"))),
        ("Linked indicators", _text(row.get("linked_indicators"))),
    ]
    ident = f"act-{row['id']}"
    if is_missing(row.get("update")):
        update = (
            f'<p class="pmlib-missing"><strong>No update provided for {esc(period_label)}.'
            "</strong> The action's owner has not reported progress this period.</p>"
        )
    else:
        by = ", ".join(x for x in (_text(row.get("author")), _date(row.get("updated_at"))) if x != MISSING)  # fmt: skip
        update = f"<p>{esc(row['update'])}</p>" + (
            f'<p class="narrative-author">{esc(by)}</p>' if by else ""
        )
    return Html(
        f'<section class="pmlib-plan-item" aria-labelledby="{esc(ident)}">'
        f'<h3 id="{esc(ident)}">{esc(row["id"])} {esc(row["title"])} {rag_badge(row["rag"])}</h3>'
        f"{definition_table(facts, caption=str(row['id']) + ' at a glance').html}"
        f'<h4>Update, {esc(period_label)}</h4><div class="narrative">{update}</div></section>'
    )


def actions_table(rated: pd.DataFrame, period_label: str) -> Html:
    """Every action, worst rating first: reference, title, owner, due date, status, progress."""
    order = {"Red": 0, "Amber": 1, "Green": 2, "Grey": 3}
    rows = rated.assign(order=rated["rag"].map(order)).sort_values(["order", "id"])
    frame = pd.DataFrame(
        {
            "Ref": rows["id"],
            "Action": rows["title"],
            "Owner": rows["owner"],
            "Due": [_date(d) for d in rows["effective_due"]],
            "Status": rows["status"].str.capitalize(),
            "Complete": [
                MISSING if is_missing(p) else format_value(p, "percent", 0)
                for p in rows["percent_complete"]
            ],
            "RAG": [rag_badge(r) for r in rows["rag"]],
        }
    )
    return plan_table(
        frame,
        caption=f"All key actions, {period_label} (due: the revised date where one is agreed)",
        numeric=("Complete",),
        trusted=("RAG",),
        row_header="Ref",
    )


def milestones_table(rated: pd.DataFrame, this_label: str, next_label: str) -> Html:
    """Actions due this period and next, in date order: the timeline as a table."""
    due = rated[rated["due_this_period"] | rated["due_next_period"]]
    due = due.sort_values(["effective_due", "id"])
    frame = pd.DataFrame(
        {
            "Due": [_date(d) for d in due["effective_due"]],
            "Period": [this_label if t else next_label for t in due["due_this_period"]],
            "Ref": due["id"],
            "Action": due["title"],
            "Owner": due["owner"],
            "Status": due["status"].str.capitalize(),
            "RAG": [rag_badge(r) for r in due["rag"]],
        }
    )
    return plan_table(
        frame,
        caption=f"Milestones due in {this_label} and {next_label}",
        trusted=("RAG",),
        row_header="Ref",
    )


# -- risks -------------------------------------------------------------------------------------
def _score(score: object, band: object) -> str:
    return MISSING if is_missing(score) else f"{int(score)} ({band})"


def risks_summary(rated: pd.DataFrame, period_label: str) -> str:
    """One paragraph: risks by band, movement, above target, not reviewed."""
    counts = rated["band"].value_counts()
    worst = rated.groupby("band")["score"].max().sort_values(ascending=False).index
    parts = [f"{int(counts[band])} {band}" for band in worst]  # highest band first
    text = f"{plural(len(rated), 'strategic risk')}: {', '.join(parts)}."
    moved = rated["movement"].isin(["Increased", "Reduced"])
    up, down = int(rated["movement"].eq("Increased").sum()), int(rated["movement"].eq("Reduced").sum())  # fmt: skip
    if moved.any():
        text += f" Since the last review {up} went up and {down} came down."
    above = int(rated["above_target"].sum())
    if above:
        text += f" {plural(above, 'risk')} {'is' if above == 1 else 'are'} above target."
    stale = int(rated["movement"].eq("Not reviewed").sum())
    if stale:
        text += (
            f" {plural(stale, 'risk')} {'was' if stale == 1 else 'were'} not reviewed in "
            f"{period_label}: the last agreed score is shown."
        )
    return text


def risks_table(rated: pd.DataFrame) -> Html:
    """Every risk with its current, previous, target and inherent score and movement."""
    frame = pd.DataFrame(
        {
            "Ref": rated["id"],
            "Risk": rated["title"],
            "Owner": rated["owner"],
            "Current score": [
                _score(s, b) for s, b in zip(rated["score"], rated["band"], strict=True)
            ],  # fmt: skip
            "Rating": [rag_badge(r) for r in rated["band_rag"].fillna("No data")],
            "Previous": [_text(s) for s in rated["previous_score"]],
            "Movement": rated["movement"],
            "Target": [_text(s) for s in rated["target_score"]],
            "Inherent": [_text(s) for s in rated["inherent_score"]],
        }
    )
    return plan_table(
        frame,
        caption="Strategic risks: score = likelihood × impact",
        numeric=("Previous", "Target", "Inherent"),
        trusted=("Rating",),
        row_header="Ref",
    )


def risk_card(row: pd.Series, period_label: str) -> Html:
    """A risk above its target score: its scores, controls and latest update."""
    facts = [
        (
            "Current score",
            f"{_score(row['score'], row['band'])}: likelihood {row['likelihood']}, impact {row['impact']}",
        ),  # fmt: skip
        ("Target score", _text(row.get("target_score"))),
        ("Movement", str(row["movement"])),
        ("Owner", _text(row.get("owner"))),
        ("Controls", _text(row.get("controls"))),
        ("Linked indicators", _text(row.get("linked_indicators"))),
    ]
    ident = f"risk-{row['id']}"
    if is_missing(row.get("update")):
        update = "<p><strong>No review update recorded.</strong></p>"
    else:
        who = _text(row.get("reviewed_by"))
        when = f"{row['review_period']}" if not is_missing(row.get("review_period")) else ""
        update = f"<p>{esc(row['update'])}</p>" + (
            f'<p class="narrative-author">{esc(who)}, review {esc(when)}</p>'
            if who != MISSING
            else ""  # fmt: skip
        )
    return Html(
        f'<section class="pmlib-plan-item" aria-labelledby="{esc(ident)}">'
        f'<h3 id="{esc(ident)}">{esc(row["id"])} {esc(row["title"])} '
        f"{rag_badge(row['band_rag'] if not is_missing(row['band_rag']) else 'No data')}</h3>"
        f"{definition_table(facts, caption=str(row['id']) + ' at a glance').html}"
        f'<h4>Latest review</h4><div class="narrative">{update}</div></section>'
    )


def bands_key(rules: RiskRules) -> str:
    """The bands in words, lowest first: ``Low 1-4 (Green), Medium 5-10 (Amber), ...``.

    >>> bands_key(RiskRules())
    'Bands: Low 1-4 (Green), Medium 5-10 (Amber), High 11-25 (Red).'
    """
    parts, low = [], 1
    for band in rules.bands:
        parts.append(f"{band.name} {low}-{band.max} ({band.rag})")
        low = band.max + 1
    return "Bands: " + ", ".join(parts) + "."


def heat_table(cells: pd.DataFrame, scale: int) -> Html:
    """The heat map as a table (its text alternative): likelihood rows (highest first) by
    impact columns, each cell the number of risks and their references."""
    rows = []
    for lik in range(scale, 0, -1):
        row = {"Likelihood": str(lik)}
        for imp in range(1, scale + 1):
            cell = cells[(cells["likelihood"] == lik) & (cells["impact"] == imp)].iloc[0]
            row[f"Impact {imp}"] = f"{cell['n']} ({cell['ids']})" if cell["n"] else "0"
        rows.append(row)
    return plan_table(
        pd.DataFrame(rows),
        caption="Number of risks by likelihood and impact (the heat map as a table)",
        row_header="Likelihood",
    )


# -- audit actions -----------------------------------------------------------------------------
def audit_summary(rated: pd.DataFrame) -> str:
    open_ = rated[rated["open"]]
    n, overdue, revised = len(open_), int(open_["overdue"].sum()), int(open_["revised"].sum())
    return (
        f"{plural(n, 'open audit action')}: {overdue} overdue (past the agreed date, or the "
        f"revised date where one was agreed) and {revised} with a revised date."
    )


def audit_table(rated: pd.DataFrame) -> Html:
    rows = rated[rated["overdue"]].sort_values(["priority", "effective_due", "id"])
    frame = pd.DataFrame(
        {
            "Ref": rows["id"],
            "Audit": rows["audit"],
            "Recommendation": rows["recommendation"],
            "Priority": [_text(p) for p in rows["priority"]],
            "Owner": rows["owner"],
            "Due": [_date(d) for d in rows["due"]],
            "Revised due": [_date(d) for d in rows["revised_due"]],
            "Days overdue": [_text(d) for d in rows["days_overdue"]],
            "Update": rows["update"],
        }
    )
    return plan_table(
        frame,
        caption="Overdue audit actions",
        numeric=("Priority", "Days overdue"),
        row_header="Ref",
    )


# -- finance -----------------------------------------------------------------------------------
LINE_TITLES = {"revenue": "Revenue budget", "capital": "Capital programme", "reserves": "Reserves"}


def _money(value: object, unit: str) -> str:
    return format_value(value, unit, 0 if unit != "currency_millions" else 1)


def finance_summary(rated: pd.DataFrame, line: str) -> str:
    """The line's totals in one sentence (units differing between rows are added in pounds)."""
    units = rated["unit"].unique()
    unit = units[0] if len(units) == 1 else "currency"
    scale = rated["unit"].map(POUNDS).astype(float) / POUNDS[unit]
    budget = float((rated["budget"] * scale).sum())
    forecast = float((rated["forecast_outturn"] * scale).sum())
    variance = forecast - budget
    pct = f" ({signed_value(100 * variance / budget, 'percent', 1)})" if budget else ""
    beyond = int(rated["band"].ne("Within tolerance").sum())
    text = (
        f"{LINE_TITLES[line]}: forecast {_money(forecast, unit)} against "
        f"{'a planned balance' if line == 'reserves' else 'a budget'} of {_money(budget, unit)}, "
        f"a variance of {signed_value(variance, unit, 0 if unit != 'currency_millions' else 1)}"
        f"{pct}."
    )
    if beyond:
        text += f" {plural(beyond, 'service')} {'is' if beyond == 1 else 'are'} beyond tolerance."
    return text


def finance_table(rated: pd.DataFrame, line: str, period_label: str) -> Html:
    units = list(rated["unit"])
    frame = pd.DataFrame(
        {
            "Service": rated["service"],
            "Budget": [_money(v, u) for v, u in zip(rated["budget"], units, strict=True)],
            "Actual to date": [
                _money(v, u) for v, u in zip(rated["actual_to_date"], units, strict=True)
            ],  # fmt: skip
            "Forecast outturn": [
                _money(v, u) for v, u in zip(rated["forecast_outturn"], units, strict=True)
            ],  # fmt: skip
            "Variance": [
                signed_value(v, u, 0 if u != "currency_millions" else 1)
                for v, u in zip(rated["variance"], units, strict=True)
            ],
            "Variance %": [signed_value(p, "percent", 1) for p in rated["variance_pct"]],
            "Band": [
                f"{rag_badge(r)} {esc(b)}" for r, b in zip(rated["rag"], rated["band"], strict=True)
            ],
        }
    )
    return plan_table(
        frame,
        caption=f"{LINE_TITLES[line]}, {period_label}: forecast outturn against budget",
        numeric=("Budget", "Actual to date", "Forecast outturn", "Variance", "Variance %"),
        trusted=("Band",),
        row_header="Service",
    )


def finance_commentary(rated: pd.DataFrame) -> Html:
    """The officers' commentary on each line beyond tolerance (and any other given)."""
    rows = rated[rated["commentary"].notna()]
    rows = rows.assign(first=rows["band"].eq("Within tolerance")).sort_values(["first", "service"])
    if rows.empty:
        return Html("")
    items = "".join(
        f"<li><strong>{esc(r['service'])} ({esc(LINE_TITLES[r['line']].lower())})</strong>: "
        f"{esc(r['commentary'])}</li>"
        for _, r in rows.iterrows()
    )
    return Html(f'<ul class="pmlib-commentary">{items}</ul>')
