"""Presentation: formatting, RAG badges that never rely on colour alone, computed narrative."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from pmlib.present.text import (
    DOT_KEY,
    DOT_SYMBOLS,
    change_counts,
    dot_label,
    esc,
    format_value,
    glance_html,
    glance_narrative,
    long_date,
    long_datetime,
    period_words,
    plural,
    rag_badge,
    rag_counts,
    signed,
)


def rated(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["indicator_id", "name", "rag"])


def test_values_are_formatted_with_unit_and_decimals():
    assert format_value(94.06, "percent", 1) == "94.1%"
    assert format_value(12.26, "days", 1) == "12.3 days"
    assert format_value(1234567, "currency", 0) == "£1,234,567"
    assert format_value(-50, "currency", 0) == "-£50"
    assert format_value(3, "number", 0) == "3"
    assert format_value(None, "number", 0) == "–"


def test_rag_badge_carries_symbol_and_word_not_just_colour():
    badge = rag_badge("Red")
    assert "■" in badge and "Red" in badge and "#B3261E" in badge
    assert rag_badge("Amber") != rag_badge("Red")
    assert "▲" in rag_badge("Amber") and "●" in rag_badge("Green")


def test_user_text_is_escaped():
    assert esc("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert esc(float("nan")) == ""


def test_dot_labels_have_arrows():
    assert dot_label("Improving") == "↑ Improving"
    assert dot_label("Worsening") == "↓ Worsening"
    assert dot_label(None) == "–"


def test_rising_and_falling_without_a_better_direction_never_share_better_or_worse_arrows():
    # ENV03 fell and improved (lower is better): ↑ Improving. A Grey statistic that rose: ↗ Higher.
    assert dot_label("Up") == "↗ Higher"
    assert dot_label("Down") == "↘ Lower"
    assert dot_label("No change") == "→ No change"
    assert DOT_SYMBOLS["Up"] not in (DOT_SYMBOLS["Improving"], DOT_SYMBOLS["Worsening"])
    assert DOT_SYMBOLS["Down"] not in (DOT_SYMBOLS["Improving"], DOT_SYMBOLS["Worsening"])
    # the key a report shows has one entry per label the engine can give, arrows all different
    assert [f"{arrow} {word}" for arrow, word, _ in DOT_KEY] == [
        dot_label(d)
        for d in ("Improving", "Worsening", "No change", "Up", "Down", "Not comparable")
    ]
    assert len({arrow for arrow, _, _ in DOT_KEY}) == len(DOT_KEY)


def test_one_date_format():
    assert long_date(dt.date(2026, 12, 2)) == "2 December 2026"
    assert long_date(pd.Timestamp("2026-06-01 14:30")) == "1 June 2026"
    assert long_date("2026-10-08") == "8 October 2026"
    assert long_date(pd.NaT) == long_date(None) == "–"
    assert long_datetime(dt.datetime(2026, 12, 3, 9, 5)) == "3 December 2026, 09:05"
    assert period_words("2026-09") == "September 2026"
    assert period_words("2026/27 Q2") == "2026/27 Q2"


def test_singular_and_plural():
    assert (plural(1, "indicator"), plural(2, "indicator"), plural(0, "figure")) == (
        "1 indicator",
        "2 indicators",
        "0 figures",
    )


def test_counts_include_zeros_in_reading_order():
    r = rated([("A", "a", "Green"), ("B", "b", "Green"), ("C", "c", "Red")])
    assert rag_counts(r) == {"Red": 1, "Amber": 0, "Green": 2, "Grey": 0, "No data": 0}


NOW = rated(
    [
        ("A", "Recycling", "Red"),
        ("B", "Benefits", "Green"),
        ("C", "FOI", "Amber"),
        ("D", "Fly-tipping", "Grey"),
        ("E", "Land and highways below grade B", "Red"),
    ]
)
BEFORE = rated(
    [
        ("A", "Recycling", "Green"),
        ("B", "Benefits", "Red"),
        ("C", "FOI", "Amber"),
        ("D", "Fly-tipping", "Grey"),
        ("E", "Land and highways below grade B", "Amber"),
    ]
)


def test_narrative_is_computed_from_the_numbers():
    text = glance_narrative(NOW, BEFORE, "2026/27 Q2", "2026/27 Q1")
    assert text.startswith(
        "This report covers 5 indicators for 2026/27 Q2. 4 are rated against a target: "
        "1 is on target (Green), 1 within tolerance (Amber) and 2 off target (Red)."
    )
    assert "1 is monitored without a target (Grey)." in text
    # names that contain "and" are never joined by "and"
    assert (
        "Moved to Red since 2026/27 Q1 (2 indicators): Recycling; "
        "Land and highways below grade B." in text
    )
    assert "Improved to Green since 2026/27 Q1 (1 indicator): Benefits." in text


def test_glance_lists_names_as_bullets_linked_to_their_exception():
    html = glance_html(NOW, BEFORE, "2026/27 Q2", "2026/27 Q1", anchors={"A": "ex-A"})
    assert (
        "<p>Moved to Red since 2026/27 Q1 (2 indicators):</p>"
        '<ul class="pmlib-glance-list"><li><a href="#ex-A">A Recycling</a></li>'
        "<li>E Land and highways below grade B</li></ul>"
    ) in html
    assert "Recycling and" not in html


def test_glance_lists_give_each_indicators_figures_with_units():
    now = pd.DataFrame(
        {
            "indicator_id": ["D", "P"],
            "name": ["Days to decide", "Calls answered"],
            "rag": ["Red", "Green"],
            "unit": ["days", "percent"],
            "decimals": [1, 1],
            "value": [207.25, 81.0],
            "target": [180.0, 80.0],
            "forecast": [201.04, 77.75],
            "forecast_rag": ["Red", "Amber"],
            "year_target": [180.0, 80.0],
        }
    )
    before = now.assign(rag=["Amber", "Green"])
    html = glance_html(now, before, "2026/27 Q2", "2026/27 Q1")
    # 207.25 → 207.3 and 77.75 → 77.8 (half away from zero, as published)
    assert "<li>D Days to decide: 207.3 days against a target of 180.0 days</li>" in html
    assert (
        "<p>Forecast to miss the year-end target (2 indicators):</p>"
        '<ul class="pmlib-glance-list">'
        "<li>D Days to decide: forecast 201.0 days against a year-end target of 180.0 days</li>"
        "<li>P Calls answered: forecast 77.8% against a year-end target of 80.0%</li></ul>"
    ) in html


def test_glance_counts_annual_indicators_not_yet_due_apart_from_monitoring_only():
    now = rated([("A", "Recycling", "Green"), ("D", "Fly-tipping", "Grey"), ("H", "Homes", "Grey")])
    text = glance_narrative(
        now,
        now,
        "2026/27 Q2",
        "2026/27 Q1",
        not_due=pd.Series([False, False, True]),
        not_due_note="reported in 2026/27 Q4",
    )
    assert (
        "1 is monitored without a target (Grey) and 1 is an annual indicator not yet due "
        "(reported in 2026/27 Q4)." in text
    )


def test_every_forecast_miss_is_in_the_glance_whatever_its_forecast_colour():
    now = NOW.assign(forecast_rag=["Red", "Green", "Amber", "", "Green"])
    text = glance_narrative(now, BEFORE, "2026/27 Q2", "2026/27 Q1")
    assert "Forecast to miss the year-end target (2 indicators): Recycling; FOI." in text


def test_narrative_says_when_nothing_moved_to_red():
    now = rated([("A", "Recycling", "Green")])
    text = glance_narrative(now, now, "2026/27 Q2", "2026/27 Q1")
    assert "No indicator has moved to Red since 2026/27 Q1." in text
    assert text.startswith(
        "This report covers 1 indicator for 2026/27 Q2. The one rated against a target is on "
        "target (Green)."
    )
    two = rated([("A", "Recycling", "Green"), ("B", "Benefits", "Green")])
    assert "All 2 rated against a target are on target (Green)." in glance_narrative(
        two, two, "2026/27 Q2", "2026/27 Q1"
    )


def test_change_counts_and_signs():
    now = rated([("A", "a", "Red"), ("B", "b", "Red")])
    before = rated([("A", "a", "Green"), ("B", "b", "Red")])
    c = change_counts(now, before).set_index("rag")
    assert c.loc["Red", "change"] == 1 and c.loc["Green", "change"] == -1
    assert (signed(2), signed(-1), signed(0)) == ("+2", "−1", "0")


def test_trend_chart_labels_and_tooltips_are_pmlib_formatted():
    from pmlib.present.charts import trend_chart

    history = pd.DataFrame(
        {
            "period": ["2026/27 Q1", "2026/27 Q2"],
            "ordinal": [1, 2],
            "value": [1.0, 2.5],
            "target": [2.5, float("nan")],
            "green_threshold": [2.5, 2.5],
            "red_threshold": [3.0, 3.0],
            "rag": ["Green", "Amber"],
        }
    )
    spec = trend_chart(history, name="Days", unit="days", decimals=0).to_dict(validate=False)
    rows = spec["datasets"][spec["vconcat"][0]["data"]["name"]]
    # 1 → "1 day"; 2.5 → "3 days" (Excel rounding); a missing target is the missing marker
    assert [r["label"] for r in rows] == ["1 day", "3 days"]
    assert [r["target_label"] for r in rows] == ["3 days", "–"]
    points = spec["vconcat"][0]["layer"][3]["encoding"]["tooltip"]
    assert {"field": "target_label", "type": "nominal", "title": "Target"} in points
    assert not any("format" in t for t in points)  # no d3 number format re-rounds a figure
