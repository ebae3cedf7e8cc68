"""Period labels: the accepted forms, the rejected ambiguous ones, and period arithmetic."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from pmlib.core.errors import PeriodError
from pmlib.core.periods import parse_period, period_table, try_parse_period


@pytest.mark.parametrize(
    ("text", "label", "kind"),
    [
        ("2026/27 Q2", "2026/27 Q2", "quarter"),
        ("2026-27 Q2", "2026/27 Q2", "quarter"),
        ("Q2 2026/27", "2026/27 Q2", "quarter"),
        ("2026/27 q2", "2026/27 Q2", "quarter"),
        ("  2026/27   Q2 ", "2026/27 Q2", "quarter"),
        ("2026-09", "2026-09", "month"),
        ("Sep 2026", "2026-09", "month"),
        ("September 2026", "2026-09", "month"),
        ("2026/27", "2026/27", "year"),
        ("2026-27", "2026/27", "year"),
        ("1999/00", "1999/00", "year"),
    ],
)
def test_accepted_forms(text, label, kind):
    period = parse_period(text)
    assert (period.label, period.kind) == (label, kind)


@pytest.mark.parametrize(
    "text",
    ["Q2 2026", "2026", "2011-12", "2026/28", "2026/27 Q5", "2026-13", "", None, "Q0 2026/27"],
)
def test_ambiguous_or_impossible_labels_are_refused_with_the_accepted_forms(text):
    assert try_parse_period(text) is None
    with pytest.raises(PeriodError, match=r"'2026/27 Q2'.*'2026-09'"):
        parse_period(text)


def test_quarters_follow_the_financial_year_start_month():
    april = parse_period("2026/27 Q1")
    assert (april.start_date, april.end_date) == (dt.date(2026, 4, 1), dt.date(2026, 6, 30))
    assert [m.label for m in april.months()] == ["2026-04", "2026-05", "2026-06"]
    january = parse_period("2026/27 Q1", 1)
    assert (january.start_date, january.end_date) == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))


def test_previous_and_same_period_last_year_cross_year_boundaries():
    q1 = parse_period("2026/27 Q1")
    assert q1.previous().label == "2025/26 Q4"
    assert q1.last_year().label == "2025/26 Q1"
    assert parse_period("2026-04").previous().label == "2026-03"
    assert parse_period("2026/27").previous().label == "2025/26"


def test_a_month_belongs_to_its_financial_year_and_quarter():
    march = parse_period("2027-03")
    assert (march.fy_label, march.quarter) == ("2026/27", 4)
    assert parse_period("2026-04").ordinal < parse_period("2026/27 Q1").ordinal + 1


def test_period_table_parses_a_column_and_leaves_unreadable_cells_missing():
    table = period_table(pd.Series(["2026/27 Q2", "2026-09", "2026/27", "nonsense", None]))
    assert list(table["period"].iloc[:3]) == ["2026/27 Q2", "2026-09", "2026/27"]
    assert list(table["period_kind"].iloc[:3]) == ["quarter", "month", "year"]
    assert table["period"].iloc[3:].isna().all()
    assert table["ordinal"].iloc[0] == table["ordinal"].iloc[1]  # Q2 ends with September
