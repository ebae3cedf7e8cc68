"""History without targets, baselines, reporting lags, half-years, biennial indicators and the
library by year (issue 13 items 3, 4, 6 and 7), each worked by hand on the tiny test council.

The tiny council (tests/conftest.py): R1 recycling (quarterly %, target 50 for 2026/27; Q1
48.5), R2 benefit days (monthly, lower is better, target 20; April 22.1, May 19.4), R3
fly-tipping (a statistic).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pmlib.core.errors import DataValidationError
from pmlib.data.validate import read_dataset
from pmlib.rating.engine import rate_period

APPROVED = "approved,A. Cole,{at},B. Dune,{at}"


def set_columns(data: Path, table: str, **columns: dict[str, object]) -> None:
    """Give ``table`` the columns named, each {id: cell} (other rows blank)."""
    path = data / f"{table}.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    key = "id" if table == "indicators" else "indicator_id"
    for column, cells in columns.items():
        frame[column] = frame[key].map(cells).fillna("")
    frame.to_csv(path, index=False)


def add_rows(data: Path, table: str, *lines: str) -> None:
    with open(data / f"{table}.csv", "a", encoding="utf-8") as fh:
        fh.writelines(line + "\n" for line in lines)


def drop_line(data: Path, table: str, line: str) -> None:
    path = data / f"{table}.csv"
    text = path.read_text(encoding="utf-8")
    assert line + "\n" in text
    path.write_text(text.replace(line + "\n", ""), encoding="utf-8")


def row(frame: pd.DataFrame, ind: str) -> pd.Series:
    return frame.set_index("indicator_id").loc[ind]


def validation_problems(data: Path, params: Path) -> list:
    with pytest.raises(DataValidationError) as info:
        read_dataset(data, params)
    return info.value.problems


# -- item 3: history and baselines ---------------------------------------------------------------
def test_an_actual_with_no_target_loads_and_is_grey_with_a_quality_warning(council):
    data, params = council
    drop_line(data, "targets", "R1,2026/27,50,,,")  # R1's Q1 48.5 now has no target
    ds = read_dataset(data, params)
    warned = [w for w in ds.warnings if w.column == "period" and "no target" in w.message]
    assert [(w.row, w.severity) for w in warned] == [(2, "warning")]
    r1 = row(rate_period(ds, "2026/27 Q1"), "R1")
    assert (r1["rag"], r1["value"]) == ("Grey", 48.5)
    assert "no target set" in r1["rag_reason"]

    from pmlib.core.periods import parse_period
    from pmlib.data.quality import quality_findings

    rated = rate_period(ds, "2026/27 Q1")
    found = quality_findings(ds, rated, parse_period("2026/27 Q1"))
    issues = found[found["indicator_id"].eq("R1")]["issue"].tolist()
    assert "No target set" in issues


def test_a_baseline_year_of_history_loads_before_any_target(council):
    data, params = council
    add_rows(data, "actuals", "R1,2025/26 Q4,44.0,,," + APPROVED.format(at="2026-04-08"))
    set_columns(data, "indicators", baseline={"R1": "44"}, baseline_period={"R1": "2025/26 Q4"})
    ds = read_dataset(data, params)
    assert row(ds.indicators.rename(columns={"id": "indicator_id"}), "R1")["baseline"] == 44.0
    assert row(rate_period(ds, "2025/26 Q4"), "R1")["rag"] == "Grey"


@pytest.mark.parametrize(
    ("ind", "baseline", "period", "column", "message"),
    [
        ("R1", "44", "2025/26", None, None),  # a year is always accepted
        ("R1", "44", "2025/26 Q4", None, None),  # R1 is quarterly
        ("R2", "21.5", "2026-03", None, None),  # R2 is monthly
        ("R1", "44", "2026-03", "baseline_period", "not a period of this indicator's frequency"),
        ("R1", "44", "last year", "baseline_period", "not a period pmlib can read"),
        ("R1", "44%", "2025/26", "baseline", "not a number"),
    ],
)
def test_baseline_columns_are_validated(council, ind, baseline, period, column, message):
    data, params = council
    set_columns(data, "indicators", baseline={ind: baseline}, baseline_period={ind: period})
    if column is None:
        read_dataset(data, params)
        return
    problems = [p for p in validation_problems(data, params) if p.column == column]
    assert len(problems) == 1 and message in problems[0].message
    assert problems[0].row == (2 if ind == "R1" else 3)
