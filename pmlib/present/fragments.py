"""Report fragments written once: the words and small HTML blocks every report shares.

The committee report, the benchmarking deep-dive and the explorer show the same things — a
target, an officer's narrative, a methodology statement, a RAG badge, a benchmark quartile —
and a reader moving between them should meet the same wording. Each fragment is built here and
only here; officer-typed text is escaped (:func:`~pmlib.present.text.esc`) before it reaches
HTML, and every figure goes through pmlib's one formatter
(:func:`~pmlib.present.text.format_value`).

>>> target_text({"target": 2.5}, "days", 1)
'2.5 days'
>>> target_text({"lower": 5, "upper": 9}, "percent", 0)
'5% to 9%'
>>> quartile_position(2, 3, 16)
'Second quartile (3 of 16)'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from pmlib.core.model import DEFAULT_NARRATIVE_HEADINGS
from pmlib.core.numbers import agreed_string
from pmlib.core.periods import Period
from pmlib.core.units import unit_description
from pmlib.core.words import (
    QUARTILE_WORDS,
    SIZE_QUARTILE_WORDS,
    long_date,
    ordinal,
    quartile_words,
)
from pmlib.data.quality import CONFIDENCE
from pmlib.present.library_rows import methodology_extra_rows, reviewed_text
from pmlib.present.navigation import anchor_id
from pmlib.present.tables import Html, definition_table
from pmlib.present.text import MISSING, dot_label, esc, format_value, rag_badge

__all__ = [
    "BETTER_WORDS",
    "is_missing",
    "movement_words",
    "rank_text",
    "signed_one",
    "signed_value",
    "NARRATIVE_TITLES",
    "POLARITY_WORDS",
    "QUARTILE_WORDS",
    "SIZE_QUARTILE_WORDS",
    "direction_text",
    "exceptions_intro",
    "findings_summary",
    "frequency_words",
    "not_due_mask",
    "not_due_text",
    "not_due_words",
    "methodology_rows",
    "methodology_statement",
    "narrative_block",
    "ordinal",
    "quartile_position",
    "quartile_words",
    "rag_badge",
    "success_html",
    "target_text",
    "text_or_dash",
]

#: The four parts of an officer's narrative, as headed unless council.yaml's
#: ``narrative_headings`` says otherwise (:attr:`pmlib.core.model.Council.narrative_headings`).
NARRATIVE_TITLES = dict(DEFAULT_NARRATIVE_HEADINGS)

#: What "good performance" means for each polarity, in a methodology statement.
POLARITY_WORDS = {
    "higher": "higher",
    "lower": "lower",
    "band": "within the target band",
    "none": "not rated",
}


def is_missing(value: object) -> bool:
    """True for None, NaN, NA and NaT (a scalar); false for anything else."""
    if value is None or value is pd.NA:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def text_or_dash(value: object) -> str:
    """Officer-typed text as is, or the missing marker for a blank or missing cell."""
    return MISSING if is_missing(value) else (str(value) or MISSING)


def target_text(row: Mapping[str, Any], unit: str, decimals: object) -> str:
    """The target as a reader reads it: ``80.0%``, a band ``5% to 9%``, or ``at least 5%``.

    ``row`` holds ``target`` and, for a band, ``lower``/``upper`` (a rating row from
    :func:`pmlib.rating.engine.rate_period`). A band with one side only reads "at least" or
    "at most"; no target at all reads as the missing marker. Targets are shown as agreed, with
    the decimals they need (a 2.5-day target on a whole-number indicator reads "2.5 days").

    >>> target_text({"target": 2.5}, "days", 0), target_text({"lower": 5, "upper": 9}, "percent", 0)
    ('2.5 days', '5% to 9%')
    """
    lo, hi = row.get("lower"), row.get("upper")
    if not is_missing(lo) and not is_missing(hi):
        return f"{agreed_string(lo, unit, decimals)} to {agreed_string(hi, unit, decimals)}"
    if not is_missing(lo):
        return f"at least {agreed_string(lo, unit, decimals)}"
    if not is_missing(hi):
        return f"at most {agreed_string(hi, unit, decimals)}"
    return agreed_string(row.get("target"), unit, decimals)


def direction_text(dot_short: object, dot_long: object, previous: str, last_year: str) -> str:
    """Both Directions of Travel in words, each naming what it compares with.

    >>> direction_text("Improving", "Down", "2026/27 Q1", "2025/26 Q2")
    '↑ Improving compared with 2026/27 Q1; ↘ Lower compared with 2025/26 Q2'
    >>> direction_text("Not comparable", None, "2026/27 Q1", "2025/26 Q2")
    'Not comparable with 2026/27 Q1 or 2025/26 Q2'
    >>> direction_text("Improving", "Improving", "2024/25", "2024/25")  # an annual report
    '↑ Improving compared with 2024/25'
    """

    def one(dot: object) -> str | None:
        label = dot_label(dot)
        return None if label in (MISSING, dot_label("Not comparable")) else label

    short, long = one(dot_short), one(dot_long)
    if previous == last_year:  # a year's report: the previous period is a year earlier
        return f"{long} compared with {last_year}" if long else f"Not comparable with {last_year}"
    if short is None and long is None:
        return f"Not comparable with {previous} or {last_year}"
    parts = [
        f"{label} compared with {when}" if label else f"Not comparable with {when}"
        for label, when in ((short, previous), (long, last_year))
    ]
    return "; ".join(parts)


def not_due_text(frequency: object, period: Period) -> str | None:
    """When a not-yet-due indicator will be reported, for the cells that would read ``–``.

    An annual indicator is rated on its year's outturn in the financial year's Q4 report (the
    rating engine's rule: the outturn is rated at Q4 once it is supplied), so before Q4 it reads
    ``Annual — reported in 2026/27 Q4``; in Q4 without its outturn, ``Annual — 2026/27 outturn
    not yet supplied``. ``None`` for any other frequency or a year report (nothing to say).

    >>> from pmlib.core.periods import parse_period
    >>> not_due_text("annual", parse_period("2026/27 Q2"))
    'Annual — reported in 2026/27 Q4'
    >>> not_due_text("quarterly", parse_period("2026/27 Q2")) is None
    True
    """
    if period.kind == "year":
        return None
    if frequency == "six-monthly" and period.kind in ("quarter", "month"):
        if period.kind == "quarter" and period.index % 2:
            return f"Six-monthly — reported in {period.fy_label} Q{period.index + 1}"
        return "Six-monthly — reported at the half-year"
    if frequency == "biennial":
        return "Biennial — reported every second year, after its year ends"
    if frequency != "annual":
        return None
    if period.quarter == 4:
        return f"Annual — {period.fy_label} outturn not yet supplied"
    return f"Annual — reported in {period.fy_label} Q4"


def reported_for(text: str, reported_period: object, period: Period) -> str:
    """A value cell for a figure of another period than the report's, labelled with its own:
    ``Q1: 49.0%`` in a 2026/27 Q2 report for a figure reported in arrears, ``H1:
    71%`` for a six-monthly one (the full label when the year differs); other values
    unchanged. Used by the scorecard and exception sections, so a reader never takes last
    quarter's figure for this quarter's.

    >>> from pmlib.core.periods import parse_period
    >>> reported_for("49.0%", "2026/27 Q1", parse_period("2026/27 Q2"))
    'Q1: 49.0%'
    >>> reported_for("49.0%", "2025/26 Q4", parse_period("2026/27 Q1"))
    '2025/26 Q4: 49.0%'
    >>> reported_for("49.0%", "2026/27 Q2", parse_period("2026/27 Q2"))
    '49.0%'
    """
    if is_missing(reported_period) or str(reported_period) in ("", period.label):
        return text
    label = str(reported_period)
    short = label.removeprefix(f"{period.fy_label} ")
    return f"{short if short != label and short else label}: {text}"


def not_due_mask(rated: pd.DataFrame, frequency: pd.Series, period: Period) -> pd.Series:
    """True for the rows of ``rated`` that are Grey only because their figure is not yet due.

    ``frequency`` is the indicators table's column indexed by indicator id. Such a row has no
    value, no comparison and no rating to show; :func:`not_due_text` says when it will have.
    """
    freq = rated["indicator_id"].map(frequency)
    if period.kind == "year":
        return pd.Series(False, index=rated.index)
    not_yet = freq.isin(["annual", "six-monthly", "biennial"])
    return rated["rag"].eq("Grey") & not_yet & rated["value"].isna()


def not_due_words(frequencies: set[str], period: Period) -> tuple[tuple[str, str], str]:
    """How the at-a-glance summary names its not-yet-due indicators, and when they are due:
    ``(("is an annual indicator", "are annual indicators"), "reported in 2026/27 Q4")`` when
    they are all annual (as ever); other frequencies named with their own note.

    >>> from pmlib.core.periods import parse_period
    >>> not_due_words({"six-monthly"}, parse_period("2026/27 Q1"))
    (('is a six-monthly indicator', 'are six-monthly indicators'), 'reported in 2026/27 Q2')
    """
    kinds = [f for f in ("annual", "six-monthly", "biennial") if f in frequencies] or ["annual"]
    notes = [(not_due_text(f, period) or "").split(" — ", 1)[-1] for f in kinds]
    if len(kinds) == 1:
        a = "an" if kinds[0] == "annual" else "a"
        return (f"is {a} {kinds[0]} indicator", f"are {kinds[0]} indicators"), notes[0]
    note = "; ".join(f"{k}: {n}" for k, n in zip(kinds, notes, strict=True))
    return ("is an indicator", "are indicators"), note


def quartile_position(quartile: object, rank: object, n: object) -> str:
    """A scorecard cell: ``Second quartile (3 of 16)``; the missing marker without a rank."""
    words = quartile_words(quartile)
    if words == MISSING or is_missing(rank) or is_missing(n):
        return MISSING
    return f"{words[:1].upper()}{words[1:]} ({int(rank)} of {int(n)})"  # type: ignore[call-overload]


def narrative_block(
    narrative: Mapping[str, Any] | None,
    *,
    level: int = 4,
    missing: str = "",
    headings: tuple[tuple[str, str], ...] = DEFAULT_NARRATIVE_HEADINGS,
    anchor: str = "",
) -> Html:
    """The officer's narrative as HTML under the council's headings, every part escaped.

    ``level`` is the heading level of the parts (``4`` under a report's ``<h3>`` exception
    heading; the explorer nests it one deeper). ``missing`` is the HTML shown inside the block
    when there is no narrative (the reason differs by report). ``headings`` are
    ``(column, heading)`` pairs in the order shown (council.yaml's ``narrative_headings``); a
    column not among them is not shown, and headings are escaped like the officer's text.

    ``anchor`` (the exception section's id, e.g. ``ex-RES03``) gives each heading an id of its
    own under it (``ex-RES03-performance-update``): every exception repeats the same headings,
    and ids made from the heading text alone would repeat within the report (or be numbered
    ``-2``, ``-3`` … in page order, so a bookmark would point at another indicator next quarter).
    """
    if narrative is None:
        return Html(f'<div class="narrative narrative-missing"><p>{missing}</p></div>')
    taken: set[str] = set()

    def heading(title: str) -> str:
        if not anchor:
            return f"<h{level}>{esc(title)}</h{level}>"
        base = ident = f"{anchor}-{anchor_id(title)}"
        n = 1
        while ident in taken:  # two headings with the same words: still one id each
            n += 1
            ident = f"{base}-{n}"
        taken.add(ident)
        return f'<h{level} id="{esc(ident)}">{esc(title)}</h{level}>'

    parts = "".join(
        f"{heading(title)}<p>{esc(narrative.get(c)) or MISSING}</p>"
        for c, title in headings
        if c in narrative
    )
    by = esc(narrative.get("author"))
    when = narrative.get("updated_at")
    signed_off = f"{by}, {long_date(when)}" if by and not is_missing(when) else by
    return Html(f'<div class="narrative">{parts}<p class="narrative-author">{signed_off}</p></div>')


#: What each figure is, by the indicator's ``measure``.
MEASURE_WORDS = {
    "period": "each figure covers its own period",
    "cumulative": "each figure is the year to date",
    "snapshot": "each figure is the position at the end of its period",
}
#: How longer periods are made from the reported ones, by ``aggregation``.
AGGREGATION_WORDS = {
    "sum": "add up the {sub}",
    "mean": "average the {sub}",
    "last": "take the last of the {sub}",
    "ratio": "add up the {sub}' numerators and denominators, then divide",
}
_LONGER = {"monthly": ("quarters and years", "months"), "quarterly": ("years", "quarters")}


def frequency_words(frequency: object, measure: object, aggregation: object) -> str:
    """How often an indicator is reported and how its figures combine, in words.

    >>> frequency_words("monthly", "cumulative", "sum")
    'Monthly; each figure is the year to date; quarters and years add up the months'
    >>> frequency_words("annual", "period", "sum")
    'Annual; each figure covers its own period'
    """
    parts = [str(frequency).capitalize()]
    if measure in MEASURE_WORDS:
        parts.append(MEASURE_WORDS[str(measure)])
    if frequency in _LONGER and aggregation in AGGREGATION_WORDS:
        longer, sub = _LONGER[str(frequency)]
        parts.append(f"{longer} {AGGREGATION_WORDS[str(aggregation)].format(sub=sub)}")
    return "; ".join(parts)


def methodology_rows(indicator: Mapping[str, Any], scheme: object = None) -> list[tuple[str, str]]:
    """The methodology statement of one indicator, as (label, text) rows.

    ``indicator`` is its row of the indicators table; ``scheme`` (a
    :class:`~pmlib.config.schemes.RagScheme`, optional) adds the RAG scheme it is rated under.
    """
    ind = indicator
    method = ind.get("collection_method")
    confidence = (
        f"{CONFIDENCE[method]} confidence ({method} collection)"
        if isinstance(method, str) and method in CONFIDENCE
        else MISSING
    )
    decimals = 0 if is_missing(ind.get("decimals")) else int(ind["decimals"])
    extra = methodology_extra_rows(ind)  # the seeds' further fields, those filled in
    rows = [
        ("Definition", text_or_dash(ind.get("definition"))),
        *extra["after_definition"],
        ("Council Plan priority", text_or_dash(ind.get("priority"))),
        ("Objective", text_or_dash(ind.get("objective"))),
        ("Kind", text_or_dash(ind.get("kind"))),
        ("Unit", unit_description(ind["unit"], decimals)),
        ("Good performance is", POLARITY_WORDS.get(str(ind["polarity"]), str(ind["polarity"]))),
        ("Frequency", frequency_words(ind["frequency"], ind["measure"], ind["aggregation"])),
        *extra["after_frequency"],
        ("Data source", text_or_dash(ind.get("data_source"))),
        ("Data collector", text_or_dash(ind.get("data_collector"))),
        ("Data reviewer", text_or_dash(ind.get("data_reviewer"))),
        *extra["after_reviewer"],
        ("Confidence", confidence),
        *extra["before_review"],
        ("Last reviewed", reviewed_text(ind)),
    ]
    if scheme is not None:
        rows.append(("RAG scheme", f"{scheme.label}: {scheme.description}".rstrip(": ")))
    return rows


def methodology_statement(
    indicator: Mapping[str, Any], *, caption: str, scheme: object = None
) -> Html:
    """:func:`methodology_rows` as a captioned definition table."""
    return definition_table(methodology_rows(indicator, scheme), caption=caption)


#: What a benchmark ranks by, in a cover or caption.
BETTER_WORDS = {
    "higher": "higher is better",
    "lower": "lower is better",
    "none": "no better direction: ordered by size",
}


def rank_text(rank: object, ranks: pd.Series) -> str:
    if is_missing(rank):
        return "not ranked"
    joint = int(ranks.eq(rank).sum()) > 1
    return f"{'joint ' if joint else ''}{ordinal(int(rank))}"


def movement_words(change: object, previous: object) -> str:
    if is_missing(previous):
        return "–"
    if is_missing(change):
        return f"not ranked in {previous}"
    c = int(change)
    places = "place" if abs(c) == 1 else "places"
    if c > 0:
        return f"up {c} {places} since {previous}"
    if c < 0:
        return f"down {-c} {places} since {previous}"
    return f"same rank as {previous}"


def signed_value(value: object, unit: str = "number", decimals: object = 1) -> str:
    """A change with its sign as published: ``+1.3``, ``−£5``, ``0.0`` (a true minus sign; no
    sign on a change that rounds to zero); the missing marker when missing.

    >>> signed_value(1.25), signed_value(-0.04), signed_value(-2, "days", 0)
    ('+1.3', '0.0', '−2 days')
    """
    if is_missing(value):
        return MISSING
    x = float(value)  # type: ignore[arg-type]
    text = format_value(abs(x), unit, decimals)
    if text == MISSING or not any(c in "123456789" for c in text):
        return text
    return ("+" if x > 0 else "−") + text


def signed_one(x: object) -> str:
    """``+1.3``, ``−0.8``, ``0.0`` (never ``−0.0``); ``–`` when missing."""
    return signed_value(x, "number", 1)


# -- computed narrative for a report's sections --------------------------------------------------
def _names_list(frame: pd.DataFrame, text: Mapping[str, str] | None = None) -> str:
    """Indicators as an HTML bullet list: ``<li><strong>REF Name</strong>: text</li>``."""
    items = []
    for ind_id, name in zip(frame["indicator_id"], frame["name"], strict=True):
        extra = f": {esc(text[ind_id])}" if text and text.get(ind_id) else ""
        items.append(f"<li><strong>{esc(ind_id)} {esc(name)}</strong>{extra}</li>")
    return "".join(items)


def exceptions_intro(
    exceptions: pd.DataFrame, *, year_end: bool = False, rule_text: str = ""
) -> str:
    """One or two sentences opening the exceptions: how many, and why they are listed.

    ``exceptions`` is :func:`pmlib.rating.exceptions.select_exceptions`'s frame. Counts the Red,
    the Amber and those raised only by their year-end forecast, so the reader knows why a Green
    indicator has a section. ``year_end``: the forecast is the year's outturn (Q4, a year), so
    such an indicator "missed" its year-end target. ``rule_text`` is the council's rule in
    words (:func:`pmlib.rating.exceptions.rule_words`), for the sentence when there are none.

    >>> ex = pd.DataFrame({"rag": ["Red", "Amber", "Green"], "forecast_miss": [1, 0, 1],
    ...                    "exception_reason": ["Red", "Amber", "forecast"]})
    >>> print(exceptions_intro(ex))
    3 indicators need attention: 1 is Red, 1 is Amber and 1 is on target now but forecast to miss its year-end target. Each has a section below with its figures, the reason for its rating and the responsible officer's commentary.
    """  # noqa: E501
    if exceptions.empty and rule_text:
        return f"No indicator is {rule_text} this period."
    if exceptions.empty:
        return (
            "No indicator is off target (Red or Amber) or forecast to miss its year-end target "
            "this period."
        )
    only = ~exceptions["rag"].isin(["Red", "Amber"])
    groups = [
        (int(exceptions["rag"].eq("Red").sum()), "Red", "Red"),
        (int(exceptions["rag"].eq("Amber").sum()), "Amber", "Amber"),
        (
            int(only.sum()),
            f"on target now but {'missed' if year_end else 'forecast to miss'} its year-end target",
            f"on target now but {'missed' if year_end else 'forecast to miss'} their year-end "
            "target",
        ),
    ]
    groups = [g for g in groups if g[0]]
    n = len(exceptions)
    if len(groups) == 1:  # all for one reason
        joined = f"it is {groups[0][1]}" if n == 1 else f"all {n} are {groups[0][2]}"
    else:
        parts = [
            f"{k} {'is' if k == 1 else 'are'} {one if k == 1 else many}" for k, one, many in groups
        ]
        joined = ", ".join(parts[:-1]) + " and " + parts[-1]
    return (
        f"{n} indicator{'' if n == 1 else 's'} need{'s' if n == 1 else ''} attention: "
        f"{joined}. Each has a section below with its figures, the reason for its rating and "
        "the responsible officer's commentary."
    )


def success_html(successes: pd.DataFrame, awaiting: pd.DataFrame, last_year_label: str) -> Html:
    """The "Celebrating success" section: a sentence, the indicators as a list, and a note of
    any left out until their figures are approved.

    ``successes`` and ``awaiting`` are rating rows (with ``unit``, ``decimals``, ``value``,
    ``target``, ``last_year_value``) from :func:`pmlib.rating.exceptions.select_successes` and
    :func:`~pmlib.rating.exceptions.successes_awaiting_approval`.
    """
    n = len(successes)
    if n:
        lede = (
            f"{n} indicator{'' if n == 1 else 's'} {'is' if n == 1 else 'are'} on target and "
            f"better than in {last_year_label}, on approved figures:"
        )
        text = {
            r["indicator_id"]: (
                f"{format_value(r['value'], r['unit'], r['decimals'])} against a target of "
                f"{target_text(r, r['unit'], r['decimals'])}; "
                f"{format_value(r['last_year_value'], r['unit'], r['decimals'])} "
                f"in {last_year_label}"
            )
            for _, r in successes.iterrows()
        }
        body = f'<p>{esc(lede)}</p><ul class="pmlib-success">{_names_list(successes, text)}</ul>'
    else:
        body = (
            f"<p>No indicator is both on target and better than in {esc(last_year_label)} "
            "on approved figures this period.</p>"
        )
    if len(awaiting):
        m = len(awaiting)
        refs = ", ".join(esc(i) for i in awaiting["indicator_id"])
        body += (
            f'<p class="pmlib-note">Left out until {"its" if m == 1 else "their"} figures are '
            f"approved (see Data quality): {refs}.</p>"
        )
    return Html(body)


#: How each data-quality issue is counted in the section's summary (singular, plural), and
#: whether it is about this period's figures (True) or a standing weakness (False).
_ISSUE_WORDS: dict[str, tuple[str, str, bool]] = {
    "Missing data": ("figure missing", "figures missing", True),
    "Incomplete data": ("figure incomplete", "figures incomplete", True),
    "Not yet approved": ("figure not yet approved", "figures not yet approved", True),
    "Submitted late": ("figure submitted late", "figures submitted late", True),
    "Rating overridden": (
        "rating overridden by a reviewer",
        "ratings overridden by a reviewer",
        True,
    ),
    "Narrative not provided": (
        "exception without commentary",
        "exceptions without commentary",
        True,
    ),
    "Collector is also reviewer": (
        "indicator collected and reviewed by the same officer",
        "indicators collected and reviewed by the same officer",
        False,
    ),
    "Definition not reviewed in 12 months": (
        "definition overdue for review",
        "definitions overdue for review",
        False,
    ),
    "Collection method lowers confidence": (
        "indicator collected manually or by project (medium or low confidence)",
        "indicators collected manually or by project (medium or low confidence)",
        False,
    ),
}


def findings_summary(findings: pd.DataFrame, period_label: str) -> str:
    """The data-quality findings in two or three short sentences, counted by kind.

    >>> f = pd.DataFrame({"indicator_id": ["A", "B", "B"], "issue": ["Missing data",
    ...     "Not yet approved", "Collection method lowers confidence"]})
    >>> findings_summary(f, "2026/27 Q2")
    '3 findings on 2 indicators. In 2026/27 Q2: 1 figure missing and 1 figure not yet approved. Standing issues: 1 indicator collected manually or by project (medium or low confidence).'
    """  # noqa: E501
    if findings.empty:
        return "No data-quality issues found."
    counts = findings["issue"].value_counts()
    now, standing = [], []
    for issue, (one, many, current) in _ISSUE_WORDS.items():
        n = int(counts.get(issue, 0))
        if n:
            (now if current else standing).append(f"{n} {one if n == 1 else many}")

    def joined(parts: list[str]) -> str:
        return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]

    total, inds = len(findings), findings["indicator_id"].nunique()
    out = [
        f"{total} finding{'' if total == 1 else 's'} on {inds} indicator{'' if inds == 1 else 's'}."
    ]
    if now:
        out.append(f"In {period_label}: {joined(now)}.")
    if standing:
        out.append(f"Standing issues: {joined(standing)}.")
    return " ".join(out)
