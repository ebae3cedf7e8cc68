"""SPC words and icons for reports (pmlib.present.spc_fragments): every sentence worked out by hand
from the rule it states."""

from __future__ import annotations

import re

import pytest

from pmlib.present.spc_fragments import (
    ASSURANCE_WORDS,
    VARIATION_WORDS,
    assurance_icon,
    reading_rag_and_spc_html,
    spc_cell_html,
    spc_says,
    variation_icon,
)


def _letter(svg: str) -> str:
    return re.search(r"<text[^>]*>([^<]*)</text>", svg).group(1)


def _fill(svg: str) -> str:
    return re.search(r'<circle[^>]*fill="([^"]+)"', svg).group(1)


def test_the_words_the_issue_asks_for_are_the_words_shown():
    assert VARIATION_WORDS["special_cause_improvement"] == "Special cause — improving"
    assert ASSURANCE_WORDS["inconsistent"] == "Will not reliably meet target"


@pytest.mark.parametrize(
    ("variation", "direction", "letter", "fill"),
    [
        # higher is better: improvement is high, concern is low
        ("special_cause_improvement", "increase", "H", "#289DE0"),
        ("special_cause_concern", "increase", "L", "#FAB428"),
        # lower is better (days to process): improvement is low, concern is high
        ("special_cause_improvement", "decrease", "L", "#289DE0"),
        ("special_cause_concern", "decrease", "H", "#FAB428"),
        ("special_cause_neutral_high", "neutral", "H", "#361475"),
        ("special_cause_neutral_low", "neutral", "L", "#361475"),
        ("common_cause", "increase", "–", "#7B7D7D"),
    ],
)
def test_variation_icon_letter_says_where_the_signal_lies(variation, direction, letter, fill):
    svg = variation_icon(variation, direction)
    assert _letter(svg) == letter
    assert _fill(svg) == fill
    assert 'aria-hidden="true"' in svg  # the words beside it carry the meaning


@pytest.mark.parametrize(
    ("assurance", "letter"),
    [("consistent_pass", "P"), ("consistent_fail", "F"), ("inconsistent", "?")],
)
def test_assurance_icon_letters(assurance, letter):
    assert _letter(assurance_icon(assurance)) == letter


def test_the_cell_has_each_icon_with_its_words_and_the_short_group_warning():
    html = spc_cell_html(
        "special_cause_concern", "inconsistent", direction="decrease", short_points=9
    )
    text = re.sub(r"<svg.*?</svg>", "", html)
    text = re.sub(r"<[^>]+>", "|", text)
    words = [w for w in text.split("|") if w.strip()]
    assert words == [
        "Special cause — concern",
        "Will not reliably meet target",
        "⚠ Limits from only 9 points since the last change (fewer than 13): read them with caution",
    ]
    assert html.count("<svg") == 2


def test_no_assurance_means_one_line_only():
    html = spc_cell_html("common_cause", None)
    assert html.count("<svg") == 1
    assert "target" not in html


def test_spc_says_concern_on_a_green_indicator_is_a_warning():
    assert spc_says("special_cause_concern", "consistent_pass", rag="Green") == (
        "SPC says the latest figure is a special cause of concern: a real change for the worse, "
        "not random variation. On its current process limits it will reliably meet the target. "
        "It is rated Green, but this signal is a warning: performance has really worsened and "
        "may miss the target soon."
    )


def test_spc_says_amber_with_common_cause_and_inconsistent_assurance_hits_and_misses():
    assert spc_says("common_cause", "inconsistent", rag="Amber") == (
        "SPC says the figures are varying within their usual range (common cause): the latest "
        "change is noise, not a signal. The target lies within its process limits, so it will "
        "hit and miss the target at random. The Amber rating reflects random variation: "
        "without a change to the process it will keep hitting and missing the target."
    )


def test_spc_says_red_and_improving_after_a_rebase_with_a_short_group():
    assert spc_says(
        "special_cause_improvement",
        "consistent_fail",
        rag="Red",
        rebased_from="2025-10",
        short_points=12,
    ) == (
        "SPC says the latest figure is a special cause of improvement: a real change for the "
        "better, not random variation. The target lies outside its process limits: it will "
        "consistently miss the target unless the way the service works changes. Its mean and "
        "limits are recalculated from 2025-10, after a change. Limits from only 12 points since "
        "the last change (fewer than 13): read them with caution. It is rated Red, but it is "
        "really improving."
    )


def test_spc_says_a_neutral_signal_has_no_assurance_and_no_rag_reading():
    assert spc_says("special_cause_neutral_high", None, rag="Grey") == (
        "SPC says the latest figure is unusually high (special cause): a real change, not "
        "random variation."
    )


def test_spc_says_agreeing_rag_adds_nothing():
    # Red and a special cause of concern agree: nothing to reconcile
    said = spc_says("special_cause_concern", "inconsistent", rag="Red")
    assert "rated" not in said and "rating" not in said


def test_the_guide_is_titled_and_covers_both_warnings():
    html = reading_rag_and_spc_html()
    assert '<h3 id="spc-guide">Reading RAG and SPC together</h3>' in html
    text = re.sub(r"<dt[^>]*>", "<dt>", html)
    assert "<dt>Green, with a special cause of concern</dt><dd>A warning." in text
    assert (
        "<dt>Amber or Red, with common cause and inconsistent assurance</dt><dd>Expect it to "
        "hit and miss at random." in text
    )
    assert "a run of 7 on one side of the average, or 7 rising or falling" in text
    assert "Charts need at least 15 figures." in text
    other = reading_rag_and_spc_html(min_points=24, shift_points=6)
    assert "Charts need at least 24 figures." in other
    assert "a run of 6 on one side of the average, or 7 rising" in other
