"""Roll-up of actuals to reported values (docs/data-format.md, "How monthly data rolls up").

Every expected value below is worked out by hand from the rule in the docstring of each test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from rating_fixtures import make_dataset, months, quarters

from pmlib.rating.rollup import rollup

FY = "2026/27"


def one(dataset, kind: str, period: str, indicator: str = "X") -> pd.Series:
    """The roll-up row of one indicator at one period."""
    out = rollup(dataset, kind)
    row = out[(out["indicator_id"] == indicator) & (out["period"] == period)]
    assert len(row) == 1, f"expected one row for {indicator} {period}, got {len(row)}"
    return row.iloc[0]


def monthly(values, first="2026-04", **indicator):
    spec = {"id": "X", "frequency": "monthly", **indicator}
    return make_dataset([spec], actuals=months("X", first, values))


# -- measure: period --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("aggregation", "values", "expected"),
    [
        ("sum", [10, 20, 30], 60.0),  # 10 + 20 + 30
        ("mean", [10, 20, 30], 20.0),  # (10 + 20 + 30) / 3
        ("mean", [10, 20, None], 15.0),  # mean of the months present: (10 + 20) / 2
        ("last", [10, 20, 30], 30.0),  # June, the latest month of Q1
        ("last", [10, 20, None], 20.0),  # May: the latest month *present*
        ("sum", [None, 5, None], 5.0),
    ],
)
def test_period_measure_rolls_up_months_into_the_quarter(aggregation, values, expected):
    ds = monthly(values, aggregation=aggregation)
    assert one(ds, "quarter", f"{FY} Q1")["value"] == pytest.approx(expected)


def test_ratio_divides_summed_numerators_by_summed_denominators_never_a_mean_of_percentages():
    # 41/45, 30/40, 50/55: (41 + 30 + 50) / (45 + 40 + 55) × 100 = 121 / 140 × 100 = 86.428...%
    # (the mean of the three percentages would be 85.67%)
    rows = [
        {"indicator_id": "X", "period": p, "numerator": n, "denominator": d}
        for p, n, d in (("2026-04", 41, 45), ("2026-05", 30, 40), ("2026-06", 50, 55))
    ]
    ds = make_dataset(
        [{"id": "X", "frequency": "monthly", "aggregation": "ratio", "unit": "percent"}],
        actuals=rows,
    )
    assert one(ds, "quarter", f"{FY} Q1")["value"] == pytest.approx(121 / 140 * 100)


def test_ratio_is_not_scaled_by_100_unless_the_unit_is_percent():
    # a rate per visitor: 30 / 60 + 10 / 40 → 40 / 100 = 0.4
    rows = [
        {"indicator_id": "X", "period": p, "numerator": n, "denominator": d}
        for p, n, d in (("2026-04", 30, 60), ("2026-05", 10, 40))
    ]
    ds = make_dataset(
        [{"id": "X", "frequency": "monthly", "aggregation": "ratio", "unit": "rate"}], actuals=rows
    )
    assert one(ds, "quarter", f"{FY} Q1")["value"] == pytest.approx(0.4)


def test_ratio_rows_given_only_as_values_fall_back_to_the_values():
    # no numerators or denominators at all: the mean of the values, (90 + 80) / 2
    ds = monthly([90, 80], aggregation="ratio", unit="percent")
    assert one(ds, "quarter", f"{FY} Q1")["value"] == pytest.approx(85.0)


def test_a_single_ratio_row_uses_its_numerator_and_denominator_when_value_is_blank():
    rows = [{"indicator_id": "X", "period": f"{FY} Q1", "numerator": 3, "denominator": 4}]
    ds = make_dataset([{"id": "X", "aggregation": "ratio", "unit": "percent"}], actuals=rows)
    assert one(ds, "quarter", f"{FY} Q1")["value"] == pytest.approx(75.0)


def test_quarterly_indicator_rolls_up_to_the_year():
    ds = make_dataset([{"id": "X", "aggregation": "sum"}], actuals=quarters("X", FY, [1, 2, 3, 4]))
    row = one(ds, "year", FY)
    assert row["value"] == 10.0  # 1 + 2 + 3 + 4
    assert (row["n_rows"], row["n_expected"]) == (4, 4)


# -- measure: cumulative ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kind", "period", "expected", "n_expected"),
    [
        ("month", "2026-05", 30.0, 2),  # Apr 10 + May 20
        ("quarter", f"{FY} Q1", 60.0, 3),  # 10 + 20 + 30
        ("quarter", f"{FY} Q2", 60.0 + 40 + 50 + 60, 6),  # year to date to September
        ("year", FY, 60.0 + 150 + 70 + 80 + 90 + 100 + 110 + 120, 12),
    ],
)
def test_cumulative_sum_is_year_to_date(kind, period, expected, n_expected):
    ds = monthly(
        [10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120], measure="cumulative", aggregation="sum"
    )
    row = one(ds, kind, period)
    assert row["value"] == pytest.approx(expected)
    assert row["n_expected"] == n_expected
    assert row["n_rows"] == n_expected  # every month supplied


def test_cumulative_last_is_the_latest_running_figure():
    # council tax collected so far: the row already holds the running percentage
    ds = monthly(
        [10.5, 19.8, 28.9, 38.0, 47.1, 56.3],
        measure="cumulative",
        aggregation="last",
        unit="percent",
    )
    assert one(ds, "quarter", f"{FY} Q2")["value"] == pytest.approx(56.3)
    assert one(ds, "month", "2026-05")["value"] == pytest.approx(19.8)


def test_cumulative_ratio_is_the_year_to_date_ratio():
    # Q1 9/10, Q2 3/10 → year to date at Q2 = 12 / 20 = 60%
    rows = [
        {"indicator_id": "X", "period": f"{FY} Q{q}", "numerator": n, "denominator": 10}
        for q, n in ((1, 9), (2, 3))
    ]
    ds = make_dataset(
        [{"id": "X", "measure": "cumulative", "aggregation": "ratio", "unit": "percent"}],
        actuals=rows,
    )
    assert one(ds, "quarter", f"{FY} Q2")["value"] == pytest.approx(60.0)


def test_cumulative_value_starts_again_each_financial_year():
    ds = make_dataset(
        [{"id": "X", "measure": "cumulative", "aggregation": "sum"}],
        actuals=quarters("X", "2025/26", [5, 5, 5, 5]) + quarters("X", FY, [7]),
    )
    assert one(ds, "quarter", f"{FY} Q1")["value"] == 7.0  # not 27


def test_a_period_with_nothing_supplied_has_no_value_even_when_cumulative():
    # Q2 left blank: Q1's year-to-date figure is never carried forward as Q2's
    ds = make_dataset(
        [{"id": "X", "measure": "cumulative", "aggregation": "sum"}],
        actuals=quarters("X", FY, [7, None, 3]),
    )
    q2 = one(ds, "quarter", f"{FY} Q2")
    assert np.isnan(q2["value"]) and q2["n_rows"] == 1 and q2["n_expected"] == 2
    assert one(ds, "quarter", f"{FY} Q3")["value"] == 10.0  # 7 + 3, flagged 2 of 3 rows


# -- measure: snapshot ------------------------------------------------------------------------
def test_snapshot_is_the_latest_value_inside_the_period():
    # households in temporary accommodation at quarter end
    ds = monthly([40, 42, None, 45], measure="snapshot", aggregation="sum")
    assert one(ds, "quarter", f"{FY} Q1")["value"] == 42.0  # June blank: May is the latest
    assert one(ds, "quarter", f"{FY} Q2")["value"] == 45.0


# -- completeness and status ------------------------------------------------------------------
def test_incomplete_quarter_counts_rows_present_against_expected():
    ds = monthly([10, None, 30], aggregation="sum")
    row = one(ds, "quarter", f"{FY} Q1")
    assert (row["value"], row["n_rows"], row["n_expected"]) == (40.0, 2, 3)


@pytest.mark.parametrize(
    ("statuses", "worst"),
    [
        (["approved", "approved", "approved"], "approved"),
        (["approved", "submitted", "approved"], "submitted"),
        (["submitted", "draft", "approved"], "draft"),
    ],
)
def test_data_status_is_the_worst_among_the_rows(statuses, worst):
    rows = [
        ("X", p, 1.0, s) for p, s in zip(("2026-04", "2026-05", "2026-06"), statuses, strict=True)
    ]
    ds = make_dataset([{"id": "X", "frequency": "monthly"}], actuals=rows)
    assert one(ds, "quarter", f"{FY} Q1")["data_status"] == worst


def test_reportable_periods_follow_frequency():
    ds = make_dataset(
        [{"id": "Q"}, {"id": "A", "frequency": "annual"}],
        actuals=quarters("Q", FY, [1, 2]) + [("A", FY, 9.0)],
    )
    assert set(rollup(ds, "month")["indicator_id"]) == set()  # quarterly: not by month
    assert set(rollup(ds, "quarter")["indicator_id"]) == {"Q"}  # annual: not by quarter
    assert set(rollup(ds, "year")["indicator_id"]) == {"Q", "A"}


def test_rows_at_another_frequency_than_the_indicators_are_ignored():
    # a quarterly indicator given a monthly row: validation reports it; the roll-up ignores it
    ds = make_dataset(
        [{"id": "X", "aggregation": "sum"}],
        actuals=[("X", f"{FY} Q1", 5.0), ("X", "2026-05", 100.0)],
    )
    assert one(ds, "quarter", f"{FY} Q1")["value"] == 5.0


def test_financial_year_may_start_in_another_month():
    # a January year start: 2026/27 Q1 is January-March 2026
    ds = make_dataset(
        [{"id": "X", "frequency": "monthly", "aggregation": "sum"}],
        actuals=months("X", "2026-01", [1, 2, 3, 4]),
        fy_start_month=1,
    )
    assert one(ds, "quarter", "2026/27 Q1")["value"] == 6.0
    assert one(ds, "quarter", "2026/27 Q2")["value"] == 4.0


def test_rollup_columns_and_it_does_not_modify_the_dataset():
    ds = monthly([10, 20, 30])
    before = ds.actuals.copy()
    out = rollup(ds, "quarter")
    assert list(out.columns) == [
        "indicator_id",
        "period",
        "period_kind",
        "fy",
        "quarter",
        "month",
        "ordinal",
        "value",
        "n_rows",
        "n_expected",
        "data_status",
    ]
    pd.testing.assert_frame_equal(ds.actuals, before)
