"""Working-day deadlines, worked by hand from a 2026/27 calendar."""

import datetime as dt

import pytest

from pmlib.core.errors import ParameterError
from pmlib.core.workdays import (
    add_working_days,
    deadline_after,
    is_working_day,
    parse_deadline,
    working_days_between,
)

D = dt.date


@pytest.mark.parametrize(
    ("start", "n", "expected", "why"),
    [
        (D(2026, 9, 30), 8, D(2026, 10, 12), "Q2 end, a Wednesday: two weekends"),
        (
            D(2026, 3, 31),
            8,
            D(2026, 4, 14),
            "2025/26 Q4 end, Tue: Good Friday 3 Apr and Easter Monday 6 Apr 2026 skipped",
        ),
        (D(2027, 3, 24), 3, D(2027, 3, 31), "Good Friday 26 Mar and Easter Monday 29 Mar skipped"),
        (
            D(2026, 12, 24),
            1,
            D(2026, 12, 29),
            "Christmas Day Fri, Boxing Day Sat -> substitute Mon 28",
        ),
        (D(2026, 8, 28), 1, D(2026, 9, 1), "summer bank holiday Mon 31 Aug"),
        (D(2026, 9, 30), 0, D(2026, 9, 30), "zero working days is the day itself"),
    ],
)
def test_add_working_days_skips_weekends_and_bank_holidays(start, n, expected, why):
    assert add_working_days(start, n) == expected, why


def test_scotland_has_its_own_bank_holidays():
    # 2 January 2026 (a Friday) is a bank holiday in Scotland, not in England and Wales
    assert is_working_day(D(2026, 1, 2))
    assert not is_working_day(D(2026, 1, 2), region="scotland")


def test_unknown_region_is_named_with_the_choices():
    with pytest.raises(ParameterError, match="england-and-wales"):
        is_working_day(D(2026, 1, 2), region="wales-only")


def test_working_days_between_counts_lateness_both_ways():
    deadline = D(2026, 10, 12)  # Monday
    assert working_days_between(deadline, D(2026, 10, 12)) == 0
    assert working_days_between(deadline, D(2026, 10, 19)) == 5  # Tue..Fri + Mon
    assert working_days_between(D(2026, 10, 19), deadline) == -5


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("8 working days", (8, "working")),
        ("1 Working Day", (1, "working")),
        ("15 days", (15, "calendar")),
        ("20 calendar days", (20, "calendar")),
        (15, (15, "calendar")),
        ("10", (10, "calendar")),
    ],
)
def test_parse_deadline_reads_how_councils_write_it(text, expected):
    assert parse_deadline(text) == expected


@pytest.mark.parametrize("bad", ["eight days", "8 weeks", "", -1, True])
def test_parse_deadline_refuses_what_is_not_a_deadline(bad):
    with pytest.raises(ValueError, match="deadline"):
        parse_deadline(bad)


def test_deadline_after_uses_the_right_calendar():
    assert deadline_after(D(2026, 12, 31), "8 working days") == D(2027, 1, 13)
    assert deadline_after(D(2026, 12, 31), 15) == D(2027, 1, 15)
