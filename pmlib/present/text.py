"""Numbers into words: formatted values, RAG labels with symbols, computed narrative.

Rounding happens here, at presentation, and only here (the rating engine rates the value as
published, so the two agree). Every string that may contain officer-typed text goes through
:func:`esc` before it reaches HTML.
"""

from __future__ import annotations

import html
import math

import pandas as pd

from pmlib.core.numbers import MISSING, value_string
from pmlib.core.numbers import format_value as format_series

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

DOT_SYMBOL = {
    "Improving": "↑",
    "Worsening": "↓",
    "No change": "→",
    "Not comparable": "–",
    "Up": "↑",
    "Down": "↓",
}


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


def dot_label(dot: object) -> str:
    """Direction of Travel with an arrow, e.g. ``↑ Improving``."""
    if dot is None or dot is pd.NA or (isinstance(dot, float) and math.isnan(dot)):
        return "–"
    return f"{DOT_SYMBOL.get(str(dot), '')} {dot}".strip()


def rag_counts(rated: pd.DataFrame) -> dict[str, int]:
    """Count of each RAG status in reading order (zeros included)."""
    counts = rated["rag"].value_counts()
    return {rag: int(counts.get(rag, 0)) for rag in RAG_ORDER}


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def _join(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def glance_narrative(
    rated: pd.DataFrame, previous: pd.DataFrame, period_label: str, previous_label: str
) -> str:
    """A short paragraph computed from the numbers (Markdown-free plain sentences).

    ``rated`` and ``previous`` are rating frames (one row per indicator) for this period and the
    one before. Sentences cover: how many are rated and on target, how many off target, what
    moved to Red, what improved to Green, and what has no data.
    """
    counts = rag_counts(rated)
    rated_n = counts["Red"] + counts["Amber"] + counts["Green"]
    total = len(rated)
    parts = [
        f"Of {_plural(total, 'indicator')} in this report for {period_label}, "
        f"{rated_n} {'is' if rated_n == 1 else 'are'} rated against a target: "
        f"{counts['Green']} on target (Green), {counts['Amber']} within tolerance (Amber) and "
        f"{counts['Red']} off target (Red)."
    ]
    if counts["Grey"]:
        parts.append(
            f"{_plural(counts['Grey'], 'indicator')} "
            f"{'is' if counts['Grey'] == 1 else 'are'} monitored without a rating or "
            "not yet due (Grey)."
        )
    if counts["No data"]:
        parts.append(
            f"{_plural(counts['No data'], 'indicator')} "
            f"{'has' if counts['No data'] == 1 else 'have'} no data for the quarter."
        )
    if not previous.empty:
        before = previous.set_index("indicator_id")["rag"]
        now = rated.set_index("indicator_id")
        was = before.reindex(now.index)
        to_red = now[(now["rag"] == "Red") & was.notna() & (was != "Red")]
        to_green = now[(now["rag"] == "Green") & was.isin(["Red", "Amber"])]
        if len(to_red):
            parts.append(
                f"{_plural(len(to_red), 'indicator')} "
                f"{'has' if len(to_red) == 1 else 'have'} moved to Red since "
                f"{previous_label}: {_join(list(to_red['name']))}."
            )
        else:
            parts.append(f"No indicator has moved to Red since {previous_label}.")
        if len(to_green):
            parts.append(
                f"{_plural(len(to_green), 'indicator')} "
                f"{'has' if len(to_green) == 1 else 'have'} improved to Green: "
                f"{_join(list(to_green['name']))}."
            )
    misses = (
        rated[rated.get("forecast_rag", pd.Series(dtype=str)).eq("Red") & rated["rag"].ne("Red")]
        if "forecast_rag" in rated
        else rated.iloc[0:0]
    )
    if len(misses):
        parts.append(
            f"{_plural(len(misses), 'indicator')} not yet Red "
            f"{'is' if len(misses) == 1 else 'are'} forecast to miss the year-end "
            f"target: {_join(list(misses['name']))}."
        )
    return " ".join(parts)


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
