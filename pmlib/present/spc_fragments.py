"""SPC in words and small pictures for reports: the variation and assurance icons (each with its
words beside it), the "SPC says" sentence, and the guide to reading RAG and SPC together.

The icons follow Making Data Count's: a circle coloured by the signal (grey common cause, blue
improvement, orange concern, purple a neutral signal) holding a letter (H or L: the latest
signal is high or low; P, F or ? for assurance: will pass, will fail, will hit and miss). They are
inline SVG marked ``aria-hidden`` because the words beside them carry the meaning: a screen
reader, a black-and-white print or a reader who does not know the icons all get the words.
Everything here is a pure function of the SPC summary's labels, so it is tested by hand.
"""

from __future__ import annotations

from pmlib.present.spc_charts import POINT_STYLE
from pmlib.present.text import esc

__all__ = [
    "ASSURANCE_WORDS",
    "VARIATION_WORDS",
    "assurance_icon",
    "reading_rag_and_spc_html",
    "short_group_words",
    "spc_cell_html",
    "spc_says",
    "variation_icon",
]

#: The variation signal (the type of the latest point) as a scorecard shows it.
VARIATION_WORDS = {
    "common_cause": "Common cause — no significant change",
    "special_cause_improvement": "Special cause — improving",
    "special_cause_concern": "Special cause — concern",
    "special_cause_neutral_high": "Special cause — higher than usual",
    "special_cause_neutral_low": "Special cause — lower than usual",
}
#: The assurance signal (the target against the latest process limits).
ASSURANCE_WORDS = {
    "consistent_pass": "Will reliably meet target",
    "consistent_fail": "Will consistently miss target",
    "inconsistent": "Will not reliably meet target",
}
_ASSURANCE_STYLE = {
    "consistent_pass": ("#289DE0", "P"),
    "consistent_fail": ("#FAB428", "F"),
    "inconsistent": ("#7B7D7D", "?"),
}
#: A short group has fewer points than this (NHSRplotthedots; :data:`pmlib.spc.SHORT_GROUP_POINTS`).
_SHORT = 13


def _icon(fill: str, letter: str, ink: str = "#FFFFFF") -> str:
    return (
        '<svg class="pmlib-spc-icon" width="18" height="18" viewBox="0 0 20 20" '
        'aria-hidden="true" focusable="false" style="vertical-align:-4px;flex:none">'
        f'<circle cx="10" cy="10" r="9" fill="{fill}" stroke="#0B0C0C" stroke-width="1"/>'
        f'<text x="10" y="14.5" text-anchor="middle" font-size="12" font-weight="bold" '
        f'font-family="Arial, sans-serif" fill="{ink}">{esc(letter)}</text></svg>'
    )


def variation_icon(variation: str, direction: str = "increase", high: bool | None = None) -> str:
    """The variation icon (SVG, hidden from screen readers: the words go beside it).

    The letter says where the latest signal lies: H (high) or L (low). For improvement and
    concern it follows from the direction unless ``high`` says (an improvement of a
    lower-is-better indicator is low); common cause shows a dash.
    """
    fill = POINT_STYLE.get(variation, POINT_STYLE["common_cause"])["fill"]
    if variation == "common_cause" or variation not in POINT_STYLE:
        return _icon(fill, "–")
    if variation.endswith("_high"):
        letter = "H"
    elif variation.endswith("_low"):
        letter = "L"
    else:
        up = direction != "decrease"
        improving = variation == "special_cause_improvement"
        letter = "H" if (high if high is not None else up == improving) else "L"
    return _icon(fill, letter, ink="#0B0C0C" if variation == "special_cause_concern" else "#FFFFFF")


def assurance_icon(assurance: str) -> str:
    """The assurance icon: P (will pass), F (will fail) or ? (hit and miss)."""
    fill, letter = _ASSURANCE_STYLE[assurance]
    return _icon(fill, letter, ink="#0B0C0C" if assurance == "consistent_fail" else "#FFFFFF")


def short_group_words(points: int) -> str:
    """The short-group warning, for a latest group of ``points`` figures."""
    return (
        f"Limits from only {points} point{'s' if points != 1 else ''} since the last change "
        f"(fewer than {_SHORT}): read them with caution"
    )


def spc_cell_html(
    variation: str,
    assurance: str | None,
    *,
    direction: str = "increase",
    short_points: int | None = None,
) -> str:
    """The scorecard's SPC cell: each icon with its words, one per line; the short-group
    warning below when it applies. Print- and screen-reader-safe: the words are the content."""

    def line(icon: str, words: str) -> str:
        return (
            '<span class="pmlib-spc-signal" style="display:flex;gap:4px;align-items:flex-start;'
            f'min-width:11em">{icon}<span>{esc(words)}</span></span>'
        )

    parts = [line(variation_icon(variation, direction), VARIATION_WORDS[variation])]
    if assurance in ASSURANCE_WORDS:
        parts.append(line(assurance_icon(assurance), ASSURANCE_WORDS[assurance]))
    if short_points is not None:
        parts.append(
            f'<span class="pmlib-spc-short" style="display:block;font-size:0.85em">'
            f"⚠ {esc(short_group_words(short_points))}</span>"
        )
    return '<span class="pmlib-spc">' + "".join(parts) + "</span>"


_SAYS = {
    "common_cause": (
        "the figures are varying within their usual range (common cause): the latest change "
        "is noise, not a signal"
    ),
    "special_cause_improvement": (
        "the latest figure is a special cause of improvement: a real change for the better, "
        "not random variation"
    ),
    "special_cause_concern": (
        "the latest figure is a special cause of concern: a real change for the worse, not "
        "random variation"
    ),
    "special_cause_neutral_high": (
        "the latest figure is unusually high (special cause): a real change, not random variation"
    ),
    "special_cause_neutral_low": (
        "the latest figure is unusually low (special cause): a real change, not random variation"
    ),
}
_ASSURES = {
    "consistent_pass": "On its current process limits it will reliably meet the target.",
    "consistent_fail": (
        "The target lies outside its process limits: it will consistently miss the target "
        "unless the way the service works changes."
    ),
    "inconsistent": (
        "The target lies within its process limits, so it will hit and miss the target at random."
    ),
}


def spc_says(
    variation: str,
    assurance: str | None = None,
    *,
    rag: str | None = None,
    rebased_from: str | None = None,
    short_points: int | None = None,
) -> str:
    """The "SPC says" sentences for one indicator, computed from its signals.

    ``rag`` (the indicator's rating) adds the reading of both together where they disagree or
    where the rating alone misleads: a Green indicator with a special cause of concern is a
    warning; an Amber or Red one that is improving is on the way back; an Amber or Red one with
    common-cause variation and inconsistent assurance will keep hitting and missing at random.

    Examples
    --------
    >>> spc_says("special_cause_concern", "consistent_pass", rag="Green")  # doctest: +ELLIPSIS
    'SPC says the latest figure is a special cause of concern: ... It is rated Green, but ...'
    """
    text = f"SPC says {_SAYS[variation]}."
    if assurance in _ASSURES:
        text += " " + _ASSURES[assurance]
    if rebased_from:
        text += f" Its mean and limits are recalculated from {rebased_from}, after a change."
    if short_points is not None:
        text += f" {short_group_words(short_points)}."
    if rag == "Green" and variation == "special_cause_concern":
        text += (
            " It is rated Green, but this signal is a warning: performance has really "
            "worsened and may miss the target soon."
        )
    elif rag in ("Amber", "Red") and variation == "special_cause_improvement":
        text += f" It is rated {rag}, but it is really improving."
    elif rag in ("Amber", "Red") and variation == "common_cause" and assurance == "inconsistent":
        text += (
            f" The {rag} rating reflects random variation: without a change to the process it "
            f"will keep hitting and missing the target."
        )
    return text


#: The guide to reading both, for the methodology appendix (and docs/spc.md says the same).
_GUIDE = (
    ("What RAG tells you", "Whether this period's figure met its target: Green met, Amber "
     "close, Red missed. It compares one figure with one line and cannot tell a real change "
     "from an ordinary wobble."),
    ("What SPC tells you", "Whether the figures have really changed (variation) and whether "
     "the service, as it runs now, will meet its target (assurance). Its process limits show "
     "the range the figures normally wander within; a point outside them, a run of "
     "{shift_points} on one side of the average, or {trend_points} rising or falling in a row is a special cause: something has "
     "changed. Everything else is common cause: noise."),
    ("Which figures", "SPC charts an indicator's own figures: each month for a monthly "
     "indicator, so a quarter's report shows the quarter's last month as the latest point, "
     "while the RAG rating is for the whole quarter. Charts need at least {min_points} "
     "figures."),
    ("Green, with a special cause of concern", "A warning. The target is met today, but the "
     "figures have really moved the wrong way; ask what has changed before it turns Amber."),
    ("Amber or Red, with common cause and inconsistent assurance", "Expect it to hit and miss "
     "at random. The target lies inside the normal range, so a better or worse month says "
     "nothing; asking for action on one month's figure wastes effort. Only a change to how "
     "the service works will make it meet the target reliably."),
    ("Red, with assurance that it will consistently miss", "The target is beyond what the "
     "service as it runs can achieve: it needs a different process, more resource or a "
     "realistic target, not more scrutiny of each month."),
    ("Amber or Red, with a special cause of improvement", "Things are getting better for a "
     "reason; check that the reason will last."),
    ("Limits recalculated", "After a known change of service or definition the chart starts a "
     "new group with its own average and limits, so old and new are not judged together. A "
     "group of fewer than 13 points gives limits to read with caution."),
)  # fmt: skip


def reading_rag_and_spc_html(
    min_points: int = 15, shift_points: int = 7, trend_points: int = 7
) -> str:
    """The short guide "Reading RAG and SPC together", written for councillors, with the
    council's own ``spc:`` settings in its numbers."""
    n = {"min_points": min_points, "shift_points": shift_points, "trend_points": trend_points}
    items = "".join(
        f'<dt style="font-weight:bold;margin-top:0.5em">{esc(t)}</dt><dd>{esc(d.format(**n))}</dd>'
        for t, d in _GUIDE
    )
    return (
        '<section class="pmlib-spc-guide" aria-labelledby="spc-guide">'
        '<h3 id="spc-guide">Reading RAG and SPC together</h3>'
        "<p>Statistical process control (SPC) charts, as in the NHS's Making Data Count, are "
        "shown beside the RAG rating for indicators with enough monthly or quarterly figures. "
        "Read the two together:</p>"
        f"<dl>{items}</dl></section>"
    )
