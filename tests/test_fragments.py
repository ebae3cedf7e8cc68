"""The fragment library: each shared fragment's exact text or HTML, worked out by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from pmlib.core.periods import parse_period
from pmlib.present.fragments import (
    direction_text,
    exceptions_intro,
    findings_summary,
    methodology_rows,
    narrative_block,
    not_due_mask,
    not_due_text,
    ordinal,
    quartile_position,
    quartile_words,
    rag_badge,
    signed_value,
    success_html,
    target_text,
)


def test_rag_badge_carries_colour_symbol_and_word():
    assert rag_badge("Red") == (
        '<span class="rag rag-red" style="background:#B3261E;color:#FFFFFF;">'
        '<span aria-hidden="true">■</span> Red</span>'
    )
    assert rag_badge("No data") == (
        '<span class="rag rag-no-data" style="background:#FFFFFF;color:#1A1A1A;'
        'border:1px solid #1A1A1A;"><span aria-hidden="true">○</span> No data</span>'
    )


def test_narrative_block_escapes_officer_text():
    narrative = {
        "performance_update": "Below <target> & falling",
        "approach": None,
        "future_plans": "New bins",
        "issues": "",
        "author": "Head of Waste",
        "updated_at": pd.Timestamp("2026-07-12"),
    }
    assert narrative_block(narrative).html == (
        '<div class="narrative">'
        "<h4>Performance update</h4><p>Below &lt;target&gt; &amp; falling</p>"
        "<h4>Approach to improve</h4><p>–</p>"
        "<h4>Future plans</h4><p>New bins</p>"
        "<h4>Issues and risks</h4><p>–</p>"
        '<p class="narrative-author">Head of Waste, 12 July 2026</p></div>'
    )


def test_narrative_block_heading_level_and_missing_text():
    one_part = {"performance_update": "Fine", "author": "A & B", "updated_at": None}
    assert narrative_block(one_part, level=5).html == (
        '<div class="narrative"><h5>Performance update</h5><p>Fine</p>'
        '<p class="narrative-author">A &amp; B</p></div>'
    )
    assert narrative_block(None, missing="<strong>None.</strong>").html == (
        '<div class="narrative narrative-missing"><p><strong>None.</strong></p></div>'
    )


@pytest.mark.parametrize(
    ("row", "unit", "decimals", "expected"),
    [
        ({"target": 2.5}, "days", 1, "2.5 days"),
        ({"target": 2.5}, "days", 0, "2.5 days"),  # as agreed, not rounded to the value's 0 dp
        ({"target": 1}, "days", 0, "1 day"),
        ({"target": 290}, "currency_thousands", 0, "£290k"),
        ({"target": float("nan"), "lower": 5, "upper": 9}, "percent", 0, "5% to 9%"),
        ({"target": None, "lower": 5, "upper": None}, "percent", 1, "at least 5.0%"),
        ({"target": None, "lower": None, "upper": 1234}, "number", 0, "at most 1,234"),
        ({"target": float("nan")}, "percent", 1, "–"),
    ],
)
def test_target_text(row, unit, decimals, expected):
    assert target_text(row, unit, decimals) == expected


def test_one_quartile_wording_everywhere():
    assert [quartile_words(q) for q in (1, 2, 3, 4)] == [
        "top quartile",
        "second quartile",
        "third quartile",
        "bottom quartile",
    ]
    assert quartile_words(2, "none") == "second-highest quarter"
    assert quartile_words(pd.NA) == "–"
    assert quartile_position(2, 3, 16) == "Second quartile (3 of 16)"
    assert quartile_position(4, 14.0, 16.0) == "Bottom quartile (14 of 16)"
    assert quartile_position(None, 3, 16) == "–"


@pytest.mark.parametrize(
    ("n", "text"),
    [(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"), (12, "12th"), (13, "13th"),
     (21, "21st"), (22, "22nd"), (101, "101st"), (111, "111th")],
)  # fmt: skip
def test_ordinal(n, text):
    assert ordinal(n) == text


def test_direction_text():
    assert direction_text("Improving", "Worsening", "2026/27 Q1", "2025/26 Q2") == (
        "↑ Improving compared with 2026/27 Q1; ↓ Worsening compared with 2025/26 Q2"
    )
    # a year-to-date figure cannot be compared with the previous quarter: said in words
    assert direction_text("Not comparable", "Up", "Q1", "Q2") == (
        "Not comparable with Q1; ↗ Higher compared with Q2"
    )
    assert direction_text(None, "No change", "Q1", "Q2") == (
        "Not comparable with Q1; → No change compared with Q2"
    )


def test_signed_value():
    assert signed_value(0.25) == "+0.3"
    assert signed_value(-1.25) == "−1.3"
    assert signed_value(-0.04) == "0.0"
    assert signed_value(1234, "currency", 0) == "+£1,234"
    assert signed_value(None) == "–"


def test_methodology_rows_words_and_missing_cells():
    indicator = {
        "definition": "Mean days",
        "priority": "Efficient",
        "objective": float("nan"),
        "kind": "KPI",
        "unit": "days",
        "decimals": 1,
        "polarity": "lower",
        "frequency": "monthly",
        "measure": "period",
        "aggregation": "mean",
        "data_source": None,
        "data_collector": "C. Eve",
        "data_reviewer": "D. Fox",
        "collection_method": "manual",
        "last_reviewed": pd.Timestamp("2026-06-01"),
    }
    assert methodology_rows(indicator) == [
        ("Definition", "Mean days"),
        ("Council Plan priority", "Efficient"),
        ("Objective", "–"),
        ("Kind", "KPI"),
        ("Unit", "days, 1 decimal place"),
        ("Good performance is", "lower"),
        (
            "Frequency",
            "Monthly; each figure covers its own period; quarters and years average the months",
        ),
        ("Data source", "–"),
        ("Data collector", "C. Eve"),
        ("Data reviewer", "D. Fox"),
        ("Confidence", "Medium confidence (manual collection)"),
        ("Last reviewed", "1 June 2026"),
    ]


@pytest.mark.parametrize(
    ("frequency", "period", "expected"),
    [
        ("annual", "2026/27 Q2", "Annual — reported in 2026/27 Q4"),
        ("annual", "2026/27 Q1", "Annual — reported in 2026/27 Q4"),
        ("annual", "2026/27 Q4", "Annual — 2026/27 outturn not yet supplied"),
        ("annual", "2026/27", None),  # the annual report rates the outturn
        ("quarterly", "2026/27 Q2", None),
    ],
)
def test_annual_indicators_not_yet_due_say_when_they_will_be_reported(frequency, period, expected):
    assert not_due_text(frequency, parse_period(period)) == expected


def test_not_due_mask_is_grey_annual_rows_without_a_value():
    rated = pd.DataFrame(
        {
            "indicator_id": ["A", "S", "Q", "D"],
            "rag": ["Grey", "Grey", "Green", "Grey"],
            "value": [float("nan"), 5.0, 3.0, 4.0],
        }
    )
    freq = pd.Series({"A": "annual", "S": "quarterly", "Q": "annual", "D": "annual"})
    assert list(not_due_mask(rated, freq, parse_period("2026/27 Q2"))) == [
        True, False, False, False
    ]  # fmt: skip
    assert not not_due_mask(rated, freq, parse_period("2026/27")).any()


def test_exceptions_intro_counts_why_each_is_listed():
    ex = pd.DataFrame({"rag": ["Red", "Red", "Green"]})
    assert exceptions_intro(ex).startswith(
        "3 indicators need attention: 2 are Red and 1 is on target now but forecast to miss "
        "its year-end target."
    )
    assert exceptions_intro(pd.DataFrame({"rag": ["Amber"]})).startswith(
        "1 indicator needs attention: it is Amber."
    )
    assert exceptions_intro(pd.DataFrame({"rag": ["Green", "Green"]})).startswith(
        "2 indicators need attention: all 2 are on target now but forecast to miss their "
        "year-end target."
    )
    assert exceptions_intro(pd.DataFrame({"rag": []})).startswith("No indicator is off target")
    assert exceptions_intro(ex, year_end=True).startswith(
        "3 indicators need attention: 2 are Red and 1 is on target now but missed its year-end "
        "target."
    )


def test_success_lists_figures_with_units_and_notes_those_awaiting_approval():
    good = pd.DataFrame(
        {
            "indicator_id": ["R1"],
            "name": ["Benefit claims & changes"],
            "unit": ["days"],
            "decimals": [1],
            "value": [18.26],
            "target": [20.0],
            "last_year_value": [21.0],
        }
    )
    html = success_html(good, good.iloc[0:0], "2025/26 Q2").html
    assert html == (
        "<p>1 indicator is on target and better than in 2025/26 Q2, on approved figures:</p>"
        '<ul class="pmlib-success"><li><strong>R1 Benefit claims &amp; changes</strong>: '
        "18.3 days against a target of 20.0 days; 21.0 days in 2025/26 Q2</li></ul>"
    )
    none_yet = success_html(good.iloc[0:0], good, "2025/26 Q2").html
    assert "No indicator is both on target and better than in 2025/26 Q2" in none_yet
    assert "Left out until its figures are approved (see Data quality): R1." in none_yet


def test_findings_summary_counts_by_kind_singular_and_plural():
    findings = pd.DataFrame(
        {
            "indicator_id": ["A", "B", "B", "C", "C"],
            "issue": [
                "Missing data",
                "Submitted late",
                "Definition not reviewed in 12 months",
                "Definition not reviewed in 12 months",
                "Narrative not provided",
            ],
        }
    )
    assert findings_summary(findings, "2026/27 Q2") == (
        "5 findings on 3 indicators. In 2026/27 Q2: 1 figure missing, 1 figure submitted late "
        "and 1 exception without commentary. Standing issues: 2 definitions overdue for review."
    )
    assert findings_summary(findings.iloc[0:0], "2026/27 Q2") == "No data-quality issues found."


def test_narrative_headings_get_ids_under_their_sections_anchor():
    narrative = {
        "performance_update": "Up",
        "approach": "More crews",
        "author": "",
        "updated_at": None,
    }
    html = narrative_block(narrative, anchor="ex-ENV01").html
    assert '<h4 id="ex-ENV01-performance-update">Performance update</h4>' in html
    assert '<h4 id="ex-ENV01-approach-to-improve">Approach to improve</h4>' in html
    # two headings with the same words (a council's own headings) still get an id each
    same = (("performance_update", "Notes"), ("approach", "Notes"))
    ids = narrative_block(narrative, anchor="ex-R1", headings=same).html
    assert 'id="ex-R1-notes"' in ids and 'id="ex-R1-notes-2"' in ids
