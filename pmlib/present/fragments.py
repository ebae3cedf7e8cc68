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

from pmlib.core.words import QUARTILE_WORDS, SIZE_QUARTILE_WORDS, ordinal, quartile_words
from pmlib.data.quality import CONFIDENCE, NARRATIVE_PARTS
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
    "methodology_rows",
    "methodology_statement",
    "narrative_block",
    "ordinal",
    "quartile_position",
    "quartile_words",
    "rag_badge",
    "target_text",
    "text_or_dash",
]

#: The four parts of an officer's narrative, as headed in every report.
NARRATIVE_TITLES = {
    "performance_update": "Performance update",
    "approach": "Approach to improve",
    "future_plans": "Future plans",
    "issues": "Issues and risks",
}

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
    "at most"; no target at all reads as the missing marker.
    """
    lo, hi = row.get("lower"), row.get("upper")
    if not is_missing(lo) and not is_missing(hi):
        return f"{format_value(lo, unit, decimals)} to {format_value(hi, unit, decimals)}"
    if not is_missing(lo):
        return f"at least {format_value(lo, unit, decimals)}"
    if not is_missing(hi):
        return f"at most {format_value(hi, unit, decimals)}"
    return format_value(row.get("target"), unit, decimals)


def direction_text(dot_short: object, dot_long: object, previous: str, last_year: str) -> str:
    """``↑ Improving since 2026/27 Q1; ↓ Worsening since 2025/26 Q2``."""
    return f"{dot_label(dot_short)} since {previous}; {dot_label(dot_long)} since {last_year}"


def quartile_position(quartile: object, rank: object, n: object) -> str:
    """A scorecard cell: ``Second quartile (3 of 16)``; the missing marker without a rank."""
    words = quartile_words(quartile)
    if words == MISSING or is_missing(rank) or is_missing(n):
        return MISSING
    return f"{words[:1].upper()}{words[1:]} ({int(rank)} of {int(n)})"  # type: ignore[call-overload]


def narrative_block(
    narrative: Mapping[str, Any] | None, *, level: int = 4, missing: str = ""
) -> Html:
    """The officer's four-part narrative as HTML, every part escaped.

    ``level`` is the heading level of the parts (``4`` under a report's ``<h3>`` exception
    heading; the explorer nests it one deeper). ``missing`` is the HTML shown inside the block
    when there is no narrative (the reason differs by report).
    """
    if narrative is None:
        return Html(f'<div class="narrative narrative-missing"><p>{missing}</p></div>')
    parts = "".join(
        f"<h{level}>{NARRATIVE_TITLES[c]}</h{level}><p>{esc(narrative.get(c)) or MISSING}</p>"
        for c in NARRATIVE_PARTS
        if c in narrative
    )
    by = esc(narrative.get("author"))
    when = narrative.get("updated_at")
    signed_off = f"{by}, {when:%d %B %Y}" if by and not is_missing(when) else by
    return Html(f'<div class="narrative">{parts}<p class="narrative-author">{signed_off}</p></div>')


def methodology_rows(indicator: Mapping[str, Any], scheme: object = None) -> list[tuple[str, str]]:
    """The methodology statement of one indicator, as (label, text) rows.

    ``indicator`` is its row of the indicators table; ``scheme`` (a
    :class:`~pmlib.config.schemes.RagScheme`, optional) adds the RAG scheme it is rated under.
    """
    ind = indicator
    method = ind.get("collection_method")
    confidence = (
        f"{CONFIDENCE[method]} ({method} collection)"
        if isinstance(method, str) and method in CONFIDENCE
        else MISSING
    )
    decimals = 0 if is_missing(ind.get("decimals")) else int(ind["decimals"])
    reviewed = ind.get("last_reviewed")
    rows = [
        ("Definition", text_or_dash(ind.get("definition"))),
        ("Council Plan priority", text_or_dash(ind.get("priority"))),
        ("Objective", text_or_dash(ind.get("objective"))),
        ("Kind", text_or_dash(ind.get("kind"))),
        ("Unit", f"{ind['unit']} ({decimals} decimal place{'' if decimals == 1 else 's'})"),
        ("Good performance is", POLARITY_WORDS.get(str(ind["polarity"]), str(ind["polarity"]))),
        (
            "Frequency",
            f"{ind['frequency']}, {ind['measure']} measure, {ind['aggregation']} roll-up",
        ),
        ("Data source", text_or_dash(ind.get("data_source"))),
        ("Data collector", text_or_dash(ind.get("data_collector"))),
        ("Data reviewer", text_or_dash(ind.get("data_reviewer"))),
        ("Confidence", confidence),
        ("Last reviewed", MISSING if is_missing(reviewed) else f"{reviewed:%d %B %Y}"),
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
