"""The clean path of validation: columns whose cells pass their contract skip pandera.

:func:`pmlib.data.clean_cells.passes` must never pass a column pandera would fail (that would
drop an error), and validating with it must give exactly what validating with pandera alone
gives: the same typed tables, the same problems with the same messages, on data with problems
and on the demo council.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pmlib.config.settings import read_settings
from pmlib.core.errors import DataValidationError
from pmlib.data import schema
from pmlib.data.clean_cells import passes
from pmlib.data.contract import Col
from pmlib.data.load import read_tables, tidy_frame
from pmlib.data.validate import build_dataset

ROOT = Path(__file__).resolve().parents[1]

NUMBER = Col("value", "number")
WHOLE = Col("decimals", "integer")
DATE = Col("collected_at", "date")
STATUS = Col("status", "choice", nonblank=True, choices=("draft", "submitted", "approved"))
NAME = Col("name", "text", nonblank=True)


def column(*cells: object) -> pd.Series:
    return pd.Series(list(cells), dtype=object)


@pytest.mark.parametrize(
    ("cells", "col", "expected"),
    [
        (("94.1", "12", None), NUMBER, True),  # blanks are allowed in a number column
        (("94.1", "12%"), NUMBER, False),  # a percent sign does not convert
        (("1,200",), NUMBER, False),  # nor a thousands separator
        (("n/a",), NUMBER, False),
        (("1", "2", None), WHOLE, True),
        (("1.5",), WHOLE, False),  # not a whole number
        (("2026-10-14", None), DATE, True),
        (("2026-02-31",), DATE, False),  # no such day
        (("2026-10-14", "yesterday"), DATE, False),
        (("draft", "approved"), STATUS, True),
        (("draft", "aproved"), STATUS, False),  # not an allowed value
        (("draft", None), STATUS, False),  # a value is required
        (("Water use", None), NAME, False),
        (("Water use",), NAME, True),
    ],
)
def test_passes_only_cells_that_meet_the_contract(cells, col, expected):
    assert passes(column(*cells), col) is expected


def test_typed_columns_pass_as_they_are():
    assert passes(pd.Series([94.1, np.nan]), NUMBER)
    assert passes(pd.Series([1, 2], dtype="int64"), WHOLE)
    assert not passes(pd.Series([1.5]), WHOLE)  # a float that is not whole
    assert passes(pd.Series(pd.to_datetime(["2026-10-14", None])), DATE)
    aware = pd.Series(pd.to_datetime(["2026-10-14T09:00+01:00"]))
    assert not passes(aware, DATE)  # a time zone: pandera's own route decides


TRICKY = [
    "94.1", "12%", "1,200", " 7", "1e3", "inf", "nan", "NaN", "n/a", "-", "", "1_000", "0x10",
    "True", "2026-10-14", "14/10/2026", "2026-02-31", "2026-10-14 09:30", "Oct 2026",
    "2026-10-14T09:00+01:00", "draft", "Draft", "approved", None, 3, 2.5, 7.0, True,
    dt.date(2026, 10, 14), dt.datetime(2026, 10, 14, 9, 30),
]  # fmt: skip


@pytest.mark.parametrize("col", [NUMBER, WHOLE, DATE, STATUS, NAME])
def test_a_column_passed_here_is_one_pandera_passes(col):
    """Every single tricky cell and every pair of them: when the clean path says "clean",
    pandera (the slow path) finds no failure either."""
    one = _single(col)
    checked = 0
    for i, a in enumerate(TRICKY):
        for b in TRICKY[i:]:
            values = column(a, b)
            if not passes(values, col):
                continue
            checked += 1
            assert schema._failures(one, values.to_frame(col.name)) is None, (a, b)
    assert checked > 0  # the property was exercised


def _single(col: Col):
    import pandera.pandas as pa

    return pa.DataFrameSchema({col.name: schema._column_spec(col)}, name="t")


def _validate_both(frame: pd.DataFrame, table: str, monkeypatch) -> tuple:
    fast = schema.validate_table(frame, table, f"{table}.csv")
    with monkeypatch.context() as m:
        m.setattr(schema, "passes", lambda values, col: False)  # pandera sees every column
        slow = schema.validate_table(frame, table, f"{table}.csv")
    return fast, slow


def _same(fast: tuple, slow: tuple) -> None:
    assert [str(p) for p in fast[1]] == [str(p) for p in slow[1]]
    assert fast[1] == slow[1]
    if slow[0] is None:
        assert fast[0] is None
    else:
        pd.testing.assert_frame_equal(fast[0], slow[0])


def test_a_table_with_problems_gets_the_same_messages_and_types(monkeypatch):
    raw = pd.DataFrame(
        {
            "indicator_id": ["R1", "R1", None, "R2", "R2"],
            "period": ["2026/27 Q1", "2026/27 Q2", "2026/27 Q1", "2026/27 Q1", "2026/27 Q2"],
            "value": ["94.1", "12%", "3", "n/a", None],
            "numerator": [None, None, "1,200", None, None],
            "status": ["approved", "Draft", "aproved", None, "approved"],
            "collected_at": ["2026-07-14", "14/07/2026", "2026-02-31", None, "soon"],
        },
        dtype=object,
    )
    frame, _ = tidy_frame(raw, "actuals.csv")
    fast, slow = _validate_both(frame, "actuals", monkeypatch)
    _same(fast, slow)
    found = {(p.row, p.column, p.message) for p in fast[1]}
    # worked out by hand from the cells above (header is row 1)
    assert (3, "value", "is not a number") in found  # 12%
    assert (5, "value", "is not a number") in found  # n/a
    assert (4, "numerator", "is not a number") in found  # 1,200
    assert (4, "status", "is not an allowed value") in found  # aproved
    assert (5, "status", "a value is required here") in found
    assert (4, "indicator_id", "a value is required here") in found


def test_a_clean_table_with_a_missing_required_column_is_the_same(monkeypatch):
    raw = pd.DataFrame({"indicator_id": ["R1"], "value": ["1"]}, dtype=object)
    frame, _ = tidy_frame(raw, "actuals.csv")
    fast, slow = _validate_both(frame, "actuals", monkeypatch)
    _same(fast, slow)
    assert fast[0] is None
    assert any(p.column == "period" and "missing" in p.message for p in fast[1])


def test_the_demo_council_validates_the_same_both_ways(monkeypatch):
    frames, sources = read_tables(ROOT / "data" / "demo")
    for table, frame in frames.items():
        if table in schema.CONTRACT:
            fast, slow = _validate_both(frame, table, monkeypatch)
            _same(fast, slow)
    settings = read_settings(ROOT / "parameters")
    fast = build_dataset(frames, sources, settings, today=dt.date(2026, 11, 2))
    with monkeypatch.context() as m:
        m.setattr(schema, "passes", lambda values, col: False)
        slow = build_dataset(frames, sources, settings, today=dt.date(2026, 11, 2))
    assert list(fast.warnings) == list(slow.warnings)
    for name in ("indicators", "targets", "actuals", "narratives"):
        pd.testing.assert_frame_equal(getattr(fast, name), getattr(slow, name))


def test_a_bad_demo_file_reports_the_same_problems_both_ways(monkeypatch, tmp_path):
    frames, sources = read_tables(ROOT / "data" / "demo")
    actuals = frames["actuals"].copy()
    actuals.loc[3, "value"] = "12%"
    actuals.loc[5, "status"] = "signed off"
    frames = {**frames, "actuals": actuals}
    settings = read_settings(ROOT / "parameters")
    with pytest.raises(DataValidationError) as fast:
        build_dataset(frames, sources, settings, today=dt.date(2026, 11, 2))
    with monkeypatch.context() as m:
        m.setattr(schema, "passes", lambda values, col: False)
        with pytest.raises(DataValidationError) as slow:
            build_dataset(frames, sources, settings, today=dt.date(2026, 11, 2))
    assert str(fast.value) == str(slow.value)
    assert {(p.row, p.column) for p in fast.value.problems} >= {(5, "value"), (7, "status")}


def test_validating_clean_data_does_not_import_pandera():
    code = (
        "import sys\n"
        "from pmlib.data.validate import read_dataset\n"
        "read_dataset('data/demo', 'parameters')\n"
        "print(sorted(m for m in ('pandera', 'hypothesis') if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize(
    "col", [Col("note", "text"), Col("visibility", "choice", default="public")]
)
@pytest.mark.parametrize("n", [0, 3])
def test_a_column_the_table_lacks_is_what_pandas_builds_for_it(col, n):
    """Blank (or default) text cells built in Arrow equal pandas' own blank string column."""
    index = pd.RangeIndex(n)
    fill = pd.NA if col.default is None else col.default
    expected = pd.Series(fill, index=index, dtype="string")
    built = schema._blank(col, n, index)
    pd.testing.assert_series_equal(built, expected)
    assert built.tolist() == ([pd.NA] * n if col.default is None else ["public"] * n)
