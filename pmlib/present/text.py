"""Numbers into words: formatted values, RAG labels with symbols, computed narrative.

Rounding happens here, at presentation, and only here (the rating engine rates the value as
published, so the two agree). Every string that may contain officer-typed text goes through
:func:`esc` before it reaches HTML.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

import pandas as pd

from pmlib.core.numbers import MISSING, value_string
from pmlib.core.numbers import format_value as format_series
from pmlib.core.rules import ON_TARGET_DEFAULT
from pmlib.core.words import long_date, long_datetime, period_words
from pmlib.present.conventions import on_target_note, on_target_standing
from pmlib.rating.exceptions import forecast_misses

__all__ = [
    "DOT_KEY",
    "DOT_MEANINGS",
    "DOT_SYMBOL",
    "DOT_SYMBOLS",
    "DOT_WORDS",
    "MISSING",
    "RAG_ORDER",
    "RAG_STYLE",
    "GlancePoint",
    "change_counts",
    "dot_label",
    "esc",
    "format_value",
    "format_values",
    "glance_html",
    "glance_narrative",
    "glance_points",
    "long_date",
    "long_datetime",
    "override_badge",
    "period_words",
    "plural",
    "rag_badge",
    "rag_counts",
    "signed",
]

#: Reading order of the RAG statuses in every table and count.
RAG_ORDER = ("Red", "Amber", "Green", "Grey", "No data")

#: Colour (Analysis Function-friendly, AA contrast with its text colour), a distinct symbol so RAG
#: is never shown by colour alone (WCAG 1.4.1), and text colour for the badge.
RAG_STYLE: dict[str, dict[str, str]] = {
    "Red": {
        "fill": "#B3261E",
        "text": "#FFFFFF",
        "symbol": "■",
        "shape": "square",
        "meaning": "off target beyond tolerance",
    },
    "Amber": {
        "fill": "#F2A900",
        "text": "#1A1A1A",
        "symbol": "▲",
        "shape": "triangle-up",
        "meaning": "off target, within tolerance",
    },
    "Green": {
        "fill": "#00703C",
        "text": "#FFFFFF",
        "symbol": "●",
        "shape": "circle",
        "meaning": "on or better than target",
    },
    "Grey": {
        "fill": "#6F777B",
        "text": "#FFFFFF",
        "symbol": "◆",
        "shape": "diamond",
        "meaning": "not rated (monitoring only, or not yet due)",
    },
    "No data": {
        "fill": "#FFFFFF",
        "text": "#1A1A1A",
        "symbol": "○",
        "shape": "stroke",
        "meaning": "expected figure missing",
    },
}

#: Direction of Travel → the arrow shown with it. Rated indicators use vertical arrows for better
#: or worse (polarity-aware: fewer days is ↑ Improving); indicators with no better direction use
#: diagonal arrows for the value rising or falling, so ↑ never means two things.
DOT_SYMBOLS = {
    "Improving": "↑",
    "Worsening": "↓",
    "No change": "→",
    "Not comparable": "–",
    "Up": "↗",
    "Down": "↘",
}
#: Old name of :data:`DOT_SYMBOLS`.
DOT_SYMBOL = DOT_SYMBOLS

#: The words shown beside each arrow (the engine's ``Up``/``Down`` read as Higher/Lower).
DOT_WORDS = {
    "Improving": "Improving",
    "Worsening": "Worsening",
    "No change": "No change",
    "Not comparable": "Not comparable",
    "Up": "Higher",
    "Down": "Lower",
}

#: What each Direction of Travel means, by the engine's word, in the order a key lists them.
DOT_MEANINGS = {
    "Improving": "better than the period compared with (for a rated indicator; whether higher "
    "or lower is better depends on the indicator)",
    "Worsening": "worse than the period compared with",
    "No change": "about the same (the change is within the council's tolerance)",
    "Up": "the value rose (an indicator that is monitored, not rated: higher is neither "
    "better nor worse)",
    "Down": "the value fell (monitored, not rated)",
    "Not comparable": "no figure to compare with",
}
#: A report's key to the arrows: (arrow, word, meaning), in reading order.
DOT_KEY = tuple((DOT_SYMBOLS[d], DOT_WORDS[d], meaning) for d, meaning in DOT_MEANINGS.items())


def esc(text: object) -> str:
    """HTML-escape user text; missing values become an empty string."""
    if text is None or (isinstance(text, float) and math.isnan(text)) or text is pd.NA:
        return ""
    return html.escape(str(text), quote=True)


def format_value(value: object, unit: str, decimals: int | None = 0) -> str:
    """Format a number as a reader expects it: ``94.1%``, ``£1,250``, ``12.5 days``, ``1 day``.

    A thin wrapper over :func:`pmlib.core.numbers.value_string`, pmlib's one formatter: Excel
    rounding (half away from zero: 2.5 → 3), thousands separators, the unit with the right
    singular or plural, ``£k``/``£m`` for money kept in thousands or millions.

    >>> format_value(94.06, "percent", 1), format_value(1250, "currency", 0)
    ('94.1%', '£1,250')
    >>> format_value(float("nan"), "days", 1)
    '–'
    """
    return value_string(value, unit, decimals)


def format_values(values: object, unit: str, decimals: int | None = 0) -> list[str]:
    """:func:`format_value` for a whole column at once (``–`` where missing)."""
    d = 0 if decimals is None or pd.isna(decimals) else int(decimals)
    text = format_series(values, d, unit or "number")
    return text.fillna(MISSING).tolist()


def rag_badge(rag: str) -> str:
    """An inline HTML badge: colour, symbol and the word — never colour alone."""
    style = RAG_STYLE.get(rag, RAG_STYLE["No data"])
    border = "border:1px solid #1A1A1A;" if rag == "No data" else ""
    return (
        f'<span class="rag rag-{rag.lower().replace(" ", "-")}" style="background:'
        f'{style["fill"]};color:{style["text"]};{border}">'
        f'<span aria-hidden="true">{style["symbol"]}</span> {esc(rag)}</span>'
    )


def override_badge(rag: str, computed: object = None) -> str:
    """:func:`rag_badge`, marked when a reviewer's rating replaced the calculated one
    (``computed``): "Amber (overridden; calculated Red)". Unmarked when ``computed`` is
    missing or the same.
    """
    badge = rag_badge(rag)
    if computed is None or computed is pd.NA or computed != computed or computed == rag:
        return badge
    return f'{badge} <span class="pmlib-override">(overridden; calculated {esc(computed)})</span>'


def dot_label(dot: object) -> str:
    """Direction of Travel with its arrow: ``↑ Improving``, ``↗ Higher`` (see :data:`DOT_KEY`).

    >>> dot_label("Worsening"), dot_label("Up"), dot_label("No change"), dot_label(None)
    ('↓ Worsening', '↗ Higher', '→ No change', '–')
    """
    if dot is None or dot is pd.NA or (isinstance(dot, float) and math.isnan(dot)) or dot == "":
        return "–"
    return f"{DOT_SYMBOLS.get(str(dot), '')} {DOT_WORDS.get(str(dot), dot)}".strip()


def rag_counts(rated: pd.DataFrame) -> dict[str, int]:
    """Count of each RAG status in reading order (zeros included)."""
    counts = rated["rag"].value_counts()
    return {rag: int(counts.get(rag, 0)) for rag in RAG_ORDER}


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 indicator``, ``2 indicators``, ``0 indicators`` (``many`` for irregular plurals).

    >>> plural(1, "indicator"), plural(2, "indicator"), plural(3, "is", "are")
    ('1 indicator', '2 indicators', '3 are')
    """
    return f"{n} {word if n == 1 else (many or word + 's')}"


def _verb(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


#: One line of the at-a-glance summary: a sentence, and the indicators it names as
#: (indicator_id, name, figures) triples, shown as a bullet list under it (empty: a sentence
#: alone). ``figures`` is e.g. ``207.3 days against a target of 180.0 days`` ("" when unknown).
GlancePoint = tuple[str, list[tuple[str, str, str]]]


def _against(
    values: pd.Series, targets: pd.Series, frame: pd.DataFrame, lead: str = ""
) -> list[str]:
    """``{lead}{value} against a target of {target}`` per row, with units; "" without them."""
    if not {"unit", "decimals"} <= set(frame.columns):
        return [""] * len(frame)
    out = []
    for v, t, unit, dec in zip(values, targets, frame["unit"], frame["decimals"], strict=True):
        if pd.isna(v):
            out.append("")
            continue
        text = lead + format_value(v, unit, dec)
        if not pd.isna(t):
            text += (
                f" against a{' year-end' if lead else ''} target of {format_value(t, unit, dec)}"
            )
        out.append(text)
    return out


def glance_points(
    rated: pd.DataFrame,
    previous: pd.DataFrame,
    period_label: str,
    previous_label: str,
    *,
    forecast_miss: pd.Series | None = None,
    not_due: pd.Series | None = None,
    not_due_note: str = "",
    on_target: Sequence[str] = ON_TARGET_DEFAULT,
    not_due_what: tuple[str, str] = ("is an annual indicator", "are annual indicators"),
) -> list[GlancePoint]:
    """The at-a-glance summary as short sentences, each with the indicators it names.

    ``rated`` and ``previous`` are rating frames (one row per indicator) for this period and the
    one before. ``forecast_miss`` marks the rows of ``rated`` forecast to miss their year-end
    target; by default pmlib's one exception rule
    (:func:`pmlib.rating.exceptions.forecast_misses`), so the list here is the list the
    exception sections cover. Listed indicators carry their figures when ``rated`` has them:
    value against target, and the forecast against ``year_target`` (a column the caller may
    add; the rating frame's ``target`` is this period's, perhaps profiled). ``not_due`` marks the Grey rows that are annual indicators not yet
    due (:func:`pmlib.present.fragments.not_due_mask`) and ``not_due_note`` says when they are
    (``reported in 2026/27 Q4``; ``not_due_what``: how they are named, "is an annual
    indicator"), so they are not counted as monitoring-only. Sentences: how
    many are rated and how they stand; how many are
    not rated or have no figure; what moved to Red and what improved to Green since
    ``previous_label``; what is forecast to miss its year-end target. ``on_target`` is the
    council's headline convention (:func:`pmlib.core.rules.on_target_for`): when it counts more
    than Green as on target, the first sentence counts that way and the next says so.
    """
    counts = rag_counts(rated)
    rated_n = counts["Red"] + counts["Amber"] + counts["Green"]
    points: list[GlancePoint] = []
    first = f"This report covers {plural(len(rated), 'indicator')} for {period_label}."
    standing = [
        (n, words)
        for n, words in (
            (counts["Green"], "on target (Green)"),
            (counts["Amber"], "within tolerance (Amber)"),
            (counts["Red"], "off target (Red)"),
        )
        if n
    ]
    if tuple(on_target) != ON_TARGET_DEFAULT:
        first += " " + on_target_standing(counts, on_target)
        standing = []
    if len(standing) == 1:
        n, words = standing[0]
        first += (
            f" The one rated against a target is {words}."
            if n == 1
            else f" All {n} rated against a target are {words}."
        )
    elif standing:
        parts = [f"{n} {words}" for n, words in standing]
        parts[0] = f"{standing[0][0]} {_verb(standing[0][0], 'is', 'are')} {standing[0][1]}"
        first += (
            f" {rated_n} {_verb(rated_n, 'is', 'are')} rated against a target: "
            + ", ".join(parts[:-1])
            + f" and {parts[-1]}."
        )
    points.append((first, []))
    if tuple(on_target) != ON_TARGET_DEFAULT:
        points.append((on_target_note(on_target), []))
    unrated = []
    due = 0 if not_due is None else int(not_due.reindex(rated.index, fill_value=False).sum())
    monitored = counts["Grey"] - due
    if monitored:
        unrated.append(
            f"{monitored} {_verb(monitored, 'is', 'are')} monitored without a target (Grey)"
        )
    if due:
        unrated.append(
            f"{due} {_verb(due, *not_due_what)} "
            f"not yet due{f' ({not_due_note})' if not_due_note else ''}"
        )
    if counts["No data"]:
        unrated.append(
            f"{counts['No data']} {_verb(counts['No data'], 'has', 'have')} no figure "
            f"for {period_label} (No data)"
        )
    if unrated:
        joined = ", ".join(unrated[:-1]) + " and " + unrated[-1] if len(unrated) > 1 else unrated[0]
        points.append((joined + ".", []))

    def nan(frame: pd.DataFrame) -> pd.Series:
        return pd.Series(float("nan"), index=frame.index)

    def items(frame: pd.DataFrame, figures: list[str] | None = None) -> list[tuple[str, str, str]]:
        if figures is None:
            figures = _against(
                frame.get("value", nan(frame)), frame.get("target", nan(frame)), frame
            )
        return list(zip(frame["indicator_id"], frame["name"], figures, strict=True))

    if not previous.empty:
        was = rated["indicator_id"].map(previous.set_index("indicator_id")["rag"])
        to_red = rated[rated["rag"].eq("Red") & was.notna() & was.ne("Red")]
        to_green = rated[rated["rag"].eq("Green") & was.isin(["Red", "Amber"])]
        if len(to_red):
            points.append(
                (
                    f"Moved to Red since {previous_label} ({plural(len(to_red), 'indicator')}):",
                    items(to_red),
                )
            )
        else:
            points.append((f"No indicator has moved to Red since {previous_label}.", []))
        if len(to_green):
            points.append(
                (
                    f"Improved to Green since {previous_label} "
                    f"({plural(len(to_green), 'indicator')}):",
                    items(to_green),
                )
            )
    miss = forecast_misses(rated) if forecast_miss is None else forecast_miss
    misses = rated[miss.reindex(rated.index, fill_value=False).astype(bool)]
    if len(misses):
        points.append(
            (
                f"Forecast to miss the year-end target ({plural(len(misses), 'indicator')}):",
                items(
                    misses,
                    _against(
                        misses.get("forecast", nan(misses)),
                        misses.get("year_target", nan(misses)),
                        misses,
                        lead="forecast ",
                    ),
                ),
            )
        )
    return points


def glance_narrative(
    rated: pd.DataFrame,
    previous: pd.DataFrame,
    period_label: str,
    previous_label: str,
    *,
    forecast_miss: pd.Series | None = None,
    not_due: pd.Series | None = None,
    not_due_note: str = "",
    on_target: Sequence[str] = ON_TARGET_DEFAULT,
    not_due_what: tuple[str, str] = ("is an annual indicator", "are annual indicators"),
) -> str:
    """:func:`glance_points` as plain sentences (names listed after a colon, separated by
    semicolons, since names may themselves contain "and")."""
    parts = []
    for sentence, names in glance_points(
        rated,
        previous,
        period_label,
        previous_label,
        forecast_miss=forecast_miss,
        not_due=not_due,
        not_due_note=not_due_note,
        on_target=on_target,
        not_due_what=not_due_what,
    ):
        listed = "; ".join(name for _, name, _ in names)
        parts.append(f"{sentence} {listed}." if listed else sentence)
    return " ".join(parts)


def glance_html(
    rated: pd.DataFrame,
    previous: pd.DataFrame,
    period_label: str,
    previous_label: str,
    *,
    forecast_miss: pd.Series | None = None,
    anchors: dict[str, str] | None = None,
    not_due: pd.Series | None = None,
    not_due_note: str = "",
    on_target: Sequence[str] = ON_TARGET_DEFAULT,
    not_due_what: tuple[str, str] = ("is an annual indicator", "are annual indicators"),
) -> str:
    """:func:`glance_points` as HTML: one paragraph per sentence, names as a bullet list.

    ``anchors`` maps an indicator id to the id of its section in the same page (its exception
    section); a listed indicator with one links to it.
    """
    anchors = anchors or {}
    html_parts = []
    for n, (sentence, names) in enumerate(
        glance_points(
            rated,
            previous,
            period_label,
            previous_label,
            forecast_miss=forecast_miss,
            not_due=not_due,
            not_due_note=not_due_note,
            on_target=on_target,
            not_due_what=not_due_what,
        )
    ):
        css = ' class="pmlib-lede"' if n == 0 else ""
        html_parts.append(f"<p{css}>{esc(sentence)}</p>")
        if names:
            lis = []
            for ind_id, name, figures in names:
                label = f"{esc(ind_id)} {esc(name)}"
                if ind_id in anchors:
                    label = f'<a href="#{esc(anchors[ind_id])}">{label}</a>'
                lis.append(f"<li>{label}{': ' + esc(figures) if figures else ''}</li>")
            html_parts.append(f'<ul class="pmlib-glance-list">{"".join(lis)}</ul>')
    return "".join(html_parts)


def change_counts(rated: pd.DataFrame, previous: pd.DataFrame) -> pd.DataFrame:
    """RAG counts now and last period, with the change, one row per status."""
    now = rag_counts(rated)
    before = rag_counts(previous) if not previous.empty else dict.fromkeys(RAG_ORDER, 0)
    return pd.DataFrame(
        {
            "rag": list(RAG_ORDER),
            "now": [now[r] for r in RAG_ORDER],
            "previous": [before[r] for r in RAG_ORDER],
        }
    ).assign(change=lambda d: d["now"] - d["previous"])


def signed(n: int) -> str:
    """``+2``, ``−1`` (true minus sign), ``0``."""
    return f"+{n}" if n > 0 else (f"−{abs(n)}" if n < 0 else "0")
