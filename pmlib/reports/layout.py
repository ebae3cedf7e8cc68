"""The committee report's ways in: its scorecard (grouped, linked, with a key) and its contents.

Kept apart from :mod:`pmlib.reports.committee` (which computes what each section says) because
this is about how a reader moves through the report: from the contents to a section, from a
scorecard row to its exception and back, from the report to the quarter's index.
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING

import pandas as pd

from pmlib.core.errors import ParameterError
from pmlib.present.columns import target_column, value_column
from pmlib.present.fragments import reported_for
from pmlib.present.navigation import (
    anchor_id,
    back_link,
    contents_nav,
    exception_anchor,
    status_banner,
    status_marks,
)
from pmlib.present.tables import (
    SCORECARD_ORDERS,
    Html,
    order_scorecard,
    report_scorecard_table,
    scorecard_key,
    sparkline,
)
from pmlib.present.text import dot_label
from pmlib.rating.exceptions import EXCEPTION_RULE, ExceptionRule, rule_words
from pmlib.reports.plan_sections import plan_contents
from pmlib.reports.signoff import PROVISIONAL

if TYPE_CHECKING:
    from pmlib.reports.committee import CommitteeReport

__all__ = [
    "INDEX_HREF",
    "SECTIONS",
    "back_to_scorecard",
    "committee_scorecard",
    "report_contents",
    "status_banner",
    "status_marks",
]

#: The report's sections, as headed in the notebook (``## At a glance`` ...); the renderer gives
#: each heading the id :func:`~pmlib.present.navigation.anchor_id` makes of its text.
SECTIONS = (
    "At a glance",
    "Scorecard",
    "Exceptions",
    "Celebrating success",
    "Data quality",
    "Appendix: methodology statements",
)
_APPENDIX = SECTIONS.index("Appendix: methodology statements")
#: The quarter's index page, beside the report in the output folder (``pmlib run`` writes both).
INDEX_HREF = "index.html"


def report_contents(report: CommitteeReport) -> Html:
    """The contents list: each section (key actions, risks, audit and finance after the
    indicator sections, before the appendix), then the quarter's index."""
    return contents_nav(
        [(anchor_id(title), title) for title in SECTIONS[:_APPENDIX]]
        + plan_contents(report)
        + [(anchor_id(title), title) for title in SECTIONS[_APPENDIX:]],
        index_href=INDEX_HREF,
        index_text=f"All reports for {report.period.label} (index)",
    )


def back_to_scorecard(head: Html | str) -> Html:
    """The link back to an exception's scorecard row; ``head`` is the exception's heading HTML
    (its ``id="ex-…"`` names the indicator) or the indicator id itself."""
    text = str(head)
    found = re.search(r'id="ex-([^"]+)"', text)
    return back_link(html.unescape(found.group(1)) if found else text)


def _rule_words(rule: ExceptionRule = EXCEPTION_RULE) -> str:
    """The exception rule in words, from the rule the report applies (so they cannot disagree).

    >>> _rule_words()
    'rated Red or Amber, or forecast to miss the year-end target'
    """
    return rule_words(rule)


def _lead(n: int, order: str, rule: ExceptionRule = EXCEPTION_RULE) -> str:
    """One sentence above the table saying where the exceptions are and that they link."""
    if not n:
        return ""
    where = {"priority": " under each priority", "rag": ""}.get(order)
    one = n == 1
    subject = "1 indicator is an exception" if one else f"{n} indicators are exceptions"
    first = ""
    if where is not None:
        first = f"{'it comes' if one else 'they come'} first{where}, and "
    link = "its reference links to its section" if one else "each reference links to its section"
    return (
        f'<p class="pmlib-scorecard-lead">{subject} ({_rule_words(rule)}): {first}{link} below.</p>'
    )


def _overridden(rated: pd.DataFrame) -> dict[str, str]:
    """Reference → calculated rating, for the rows whose rating a reviewer overrode."""
    if "overridden" not in rated:
        return {}
    over = rated[rated["overridden"].fillna(False).astype(bool)]
    return dict(zip(over["indicator_id"], over["computed_rag"].astype(str), strict=True))


def _values(report: CommitteeReport, rated: pd.DataFrame) -> list[str]:
    """:meth:`CommitteeReport.value_text` of every row, formatted as one column (the same
    strings, one formatter call instead of one per row)."""
    ids, ind = rated["indicator_id"], report.indicators
    texts = value_column(rated["value"], ids.map(ind["unit"]), ids.map(ind["decimals"]))
    marked = report._provisional_ids
    return [f"{t} ({PROVISIONAL})" if i in marked else t for i, t in zip(ids, texts, strict=True)]


def committee_scorecard(report: CommitteeReport, order: str = "priority") -> Html:
    """The scorecard of :meth:`CommitteeReport.scorecard`: lead sentence, table and key."""
    if order not in SCORECARD_ORDERS:
        raise ParameterError(
            f"scorecard(order={order!r}): use one of "
            f"{', '.join(repr(o) for o in SCORECARD_ORDERS)}."
        )
    ind = report.indicators
    exceptions = set(report.exceptions_frame()["indicator_id"])
    r = report.rated.assign(
        priority=report.rated["indicator_id"].map(ind["priority"]).fillna("–"),
        exception=report.rated["indicator_id"].isin(exceptions),
    )
    r = order_scorecard(r, order, groups=list(dict.fromkeys(ind["priority"].dropna())))
    hist = report.history.sort_values("ordinal")
    trends = {
        i: sparkline(
            list(g["value"]),
            list(g["rag"]),
            periods=list(g["period"]),
            cumulative=report.indicators.loc[i, "measure"] == "cumulative",
        )
        for i, g in hist.groupby("indicator_id", sort=False)
    }
    ids = r["indicator_id"]
    card = pd.DataFrame(
        {
            "Priority": r["priority"],
            "Ref": ids,
            "Indicator": r["name"],
            "Owner": ids.map(ind["owner"]).fillna("–"),
            "Value": [
                reported_for(text, rp, report.period)
                for text, rp in zip(_values(report, r), r["reported_period"], strict=True)
            ],
            "Target": target_column(r, ids.map(ind["unit"]), ids.map(ind["decimals"])),
            "RAG": r["rag"],
            "Short term": r["dot_short"].map(dot_label),
            "Long term": r["dot_long"].map(dot_label),
            "Trend": ids.map(trends).fillna(""),
        }
    )
    if report.spc.active:  # variation and assurance, icon and words (pmlib.reports.spc_sections)
        card.insert(card.columns.get_loc("Trend"), "SPC", ids.map(report.spc.cell))
    peers = len(report.benchmarks) > 0
    if peers:
        card.insert(len(card.columns) - 1, "Peers", [report._quartile_text(i) for i in ids])
    grouped = order == "priority"
    previous, last_year = report.previous_period.label, report.period.last_year().label
    caption = (
        f"Scorecard: {report.committee.title}, {report.period.label}"
        + (", by Council Plan priority" if grouped else "")
        + f". Short term compares with {previous}; long term with {last_year}."
        + (" Peers: latest quartile among the council's benchmark peer group (1 = best)." * peers)
    )
    table = report_scorecard_table(
        card if grouped else card.drop(columns="Priority"),
        group="Priority" if grouped else None,
        links={i: f"#{exception_anchor(i)}" for i in exceptions},
        caption=caption,
        overridden=_overridden(r),
    )
    key = scorecard_key(short_label=previous, long_label=last_year)
    lead = _lead(len(exceptions), order, report.exception_rule)
    return Html(lead + table.html + key.html)
