"""Period labels: the accepted forms, the rejected ambiguous ones, and period arithmetic."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest

from pmlib.core.errors import PeriodError
from pmlib.core.periods import (
    parse_half,
    parse_month,
    parse_period,
    parse_quarter,
    parse_year,
    period_table,
    try_parse_period,
)


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


# -- half-years ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "label", "start", "end", "quarters"),
    [
        ("2026/27 H1", "2026/27 H1", dt.date(2026, 4, 1), dt.date(2026, 9, 30), ["Q1", "Q2"]),
        ("H2 2026-27", "2026/27 H2", dt.date(2026, 10, 1), dt.date(2027, 3, 31), ["Q3", "Q4"]),
        ("2026-27 h2", "2026/27 H2", dt.date(2026, 10, 1), dt.date(2027, 3, 31), ["Q3", "Q4"]),
    ],
)
def test_a_half_year_is_six_months_of_the_financial_year(text, label, start, end, quarters):
    h = parse_period(text)
    assert (h.kind, h.label, h.start_date, h.end_date) == ("half", label, start, end)
    assert [q.label[-2:] for q in h.quarters()] == quarters
    assert len(h.months()) == 6


@pytest.mark.parametrize(
    ("text", "previous", "last_year", "slug"),
    [
        ("2026/27 H1", "2025/26 H2", "2025/26 H1", "2026-27-H1"),
        ("2026/27 H2", "2026/27 H1", "2025/26 H2", "2026-27-H2"),
    ],
)
def test_half_year_arithmetic(text, previous, last_year, slug):
    h = parse_period(text)
    assert (h.previous().label, h.last_year().label, h.slug) == (previous, last_year, slug)


@pytest.mark.parametrize(
    ("inner", "half"),
    [
        ("2026-04", "2026/27 H1"),
        ("2026-09", "2026/27 H1"),
        ("2026/27 Q3", "2026/27 H2"),
        ("2027-03", "2026/27 H2"),
    ],
)
def test_months_and_quarters_belong_to_their_half(inner, half):
    p = parse_period(inner)
    assert p.containing("half").label == half
    assert parse_period(half).contains(p)
    assert not parse_period(half).previous().contains(p)


def test_half_and_month_parsers_refuse_other_kinds():
    from pmlib.core.periods import parse_half, parse_month

    assert parse_half("2026/27 H1").label == "2026/27 H1"
    assert parse_month("Sep 2026").label == "2026-09"
    with pytest.raises(PeriodError, match="'2026/27 H1'"):
        parse_half("2026/27 Q2")
    with pytest.raises(PeriodError, match="'2026-09'"):
        parse_month("2026/27 Q2")
    assert try_parse_period("2026/27 H3") is None


def test_period_table_reads_halves():
    table = period_table(pd.Series(["2026/27 H1", "2026/27 H2"]))
    assert list(table["period_kind"]) == ["half", "half"]
    assert list(table["ordinal"]) == [2026 * 12 + 6, 2026 * 12 + 12]
    assert table["quarter"].isna().all() and table["month"].isna().all()


# -- the library by year -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("valid_from", "valid_to", "period", "expected"),
    [
        (None, None, "2026/27 Q2", True),
        (None, "2025/26", "2025/26 Q2", True),  # retired at the end of 2025/26
        (None, "2025/26", "2026/27 Q2", False),
        ("2026/27", None, "2025/26 Q4", False),  # new in 2026/27
        ("2026/27", None, "2026/27 Q1", True),
        ("2026/27 Q3", None, "2026/27 H2", True),  # starts within the half
        ("2026/27 Q3", None, "2026/27 Q2", False),
        ("2024/25", "2025/26", "2025/26", True),
    ],
)
def test_in_library_by_period(valid_from, valid_to, period, expected):
    from pmlib.core.periods import in_library

    got = in_library(pd.Series([valid_from]), pd.Series([valid_to]), parse_period(period))
    assert got.tolist() == [expected]


@pytest.mark.parametrize(
    ("parse", "text", "message"),
    [
        (parse_quarter, "2026-09", "'2026-09' is a month, but a quarter such as '2026/27 Q2'"),
        (
            parse_half,
            "2026/27 Q3",
            "'2026/27 Q3' is a quarter, but a half-year such as '2026/27 H2'",
        ),
        (parse_month, "2026/27 Q2", "'2026/27 Q2' is a quarter, but a month such as '2026-09'"),
        (
            parse_year,
            "2026/27 H2",
            "'2026/27 H2' is a half, but a financial year such as '2026/27'",
        ),
    ],
)
def test_a_label_of_the_wrong_kind_is_named_with_one_of_the_right_kind(parse, text, message):
    with pytest.raises(PeriodError, match=re.escape(message)):
        parse(text)
