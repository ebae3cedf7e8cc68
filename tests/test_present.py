"""Presentation: formatting, RAG badges that never rely on colour alone, computed narrative."""

from __future__ import annotations

import pandas as pd

from pmlib.present.text import (
    change_counts,
    dot_label,
    esc,
    format_value,
    glance_narrative,
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


def test_counts_include_zeros_in_reading_order():
    r = rated([("A", "a", "Green"), ("B", "b", "Green"), ("C", "c", "Red")])
    assert rag_counts(r) == {"Red": 1, "Amber": 0, "Green": 2, "Grey": 0, "No data": 0}


def test_narrative_is_computed_from_the_numbers():
    now = rated(
        [
            ("A", "Recycling", "Red"),
            ("B", "Benefits", "Green"),
            ("C", "FOI", "Amber"),
            ("D", "Fly-tipping", "Grey"),
        ]
    )
    before = rated(
        [
            ("A", "Recycling", "Green"),
            ("B", "Benefits", "Red"),
            ("C", "FOI", "Amber"),
            ("D", "Fly-tipping", "Grey"),
        ]
    )
    text = glance_narrative(now, before, "2026/27 Q2", "2026/27 Q1")
    assert text.startswith("Of 4 indicators in this report for 2026/27 Q2, 3 are rated")
    assert "1 on target (Green), 1 within tolerance (Amber) and 1 off target (Red)" in text
    assert "1 indicator has moved to Red since 2026/27 Q1: Recycling." in text
    assert "1 indicator has improved to Green: Benefits." in text
    assert "1 indicator is monitored without a rating" in text


def test_narrative_says_when_nothing_moved_to_red():
    now = rated([("A", "Recycling", "Green")])
    text = glance_narrative(now, now, "2026/27 Q2", "2026/27 Q1")
    assert "No indicator has moved to Red since 2026/27 Q1." in text


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
