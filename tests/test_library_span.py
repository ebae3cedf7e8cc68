"""A figure for a period when its indicator was not in the library (valid_from/valid_to) is a
warning naming the file, Excel row, column, value and fix.

The small council's actuals.csv (tests/conftest.py), as Excel numbers the rows: R1 2026/27 Q1
on row 2, R2 2026-04 on row 3, R2 2026-05 on row 4, R3 2026/27 Q1 on row 5.
"""

from __future__ import annotations

import pandas as pd

from pmlib.data.validate import read_dataset


def _library(data, valid: dict[str, tuple[str, str]]) -> None:
    path = data / "indicators.csv"
    ind = pd.read_csv(path, dtype=str, keep_default_na=False)
    ind["valid_from"] = ind["id"].map({k: v[0] for k, v in valid.items()}).fillna("")
    ind["valid_to"] = ind["id"].map({k: v[1] for k, v in valid.items()}).fillna("")
    ind.to_csv(path, index=False)


def _span_warnings(data, params):
    ds = read_dataset(data, params)
    return [w for w in ds.warnings if "in the library" in w.message]


def test_figures_before_valid_from_or_after_valid_to_are_warned(council):
    data, params = council
    _library(
        data,
        {
            "R1": ("2026/27 Q2", ""),  # its Q1 figure is a quarter too early
            "R2": ("", "2026-04"),  # May is a month after it left; April is its last month
            "R3": ("2026/27", "2026/27"),  # Q1 lies inside the year: fine
        },
    )
    early, late = _span_warnings(data, params)
    assert str(early) == (
        "actuals.csv, row 2, column 'period': figure for 2026/27 Q1 but R1 is in the library "
        "only from 2026/27 Q2 (found '2026/27 Q1'). Fix: check the period or the indicator's "
        "valid_from"
    )
    assert early.severity == "warning"
    assert (late.row, late.column, late.value, late.severity) == (4, "period", "2026-05", "warning")
    assert late.message == "figure for 2026-05 but R2 is in the library only until 2026-04"
    assert late.fix == "check the period or the indicator's valid_to"


def test_an_open_or_blank_library_span_warns_nothing(council):
    data, params = council
    assert _span_warnings(data, params) == []  # no valid_from/valid_to columns at all
    _library(data, {"R1": ("2026/27 Q1", ""), "R2": ("2026-04", "2026/27")})
    assert _span_warnings(data, params) == []  # every figure on or inside the bounds


def test_a_year_typed_against_the_wrong_year_names_each_row(council):
    data, params = council
    rows = "".join(f"R2,2025-{m:02d},20,,,approved,C. Eve,2026-05-05,D. Fox,2026-05-07\n"
                   for m in (4, 5, 6))  # fmt: skip
    with open(data / "actuals.csv", "a", encoding="utf-8") as fh:
        fh.write(rows)  # rows 6, 7 and 8
    _library(data, {"R2": ("2026/27", "")})
    found = _span_warnings(data, params)
    assert [(w.row, w.value) for w in found] == [(6, "2025-04"), (7, "2025-05"), (8, "2025-06")]
    assert [w.message for w in found] == [
        f"figure for 2025-{m} but R2 is in the library only from 2026/27"
        for m in ("04", "05", "06")
    ]
