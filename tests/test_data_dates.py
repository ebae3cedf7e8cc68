"""Date cells as officers and systems write them: day first, with a time, with a UTC offset."""

from __future__ import annotations

import pandas as pd
import pytest

from pmlib.core.errors import DataValidationError
from pmlib.data.schema import uk_dates
from pmlib.data.validate import read_dataset


@pytest.mark.parametrize(
    ("cell", "day"),
    [
        ("08/06/2022", "2022-06-08"),  # day first, as UK spreadsheets write it
        ("8.6.2022", "2022-06-08"),
        ("08-06-2022 09:30", "2022-06-08"),  # a time of day is dropped: the columns hold days
        ("2022-06-08 09:30", "2022-06-08"),
        ("2022-06-08T09:30:15", "2022-06-08"),
        ("2026-10-15T16:00:00+01:00", "2026-10-15"),  # BST offset: 16:00 in the UK
        ("2026-09-30T23:30:00Z", "2026-10-01"),  # 23:30 UTC is 00:30 BST the next day
        ("2026-12-31T23:30:00Z", "2026-12-31"),  # GMT in winter: the same day
        ("2026-10-15", "2026-10-15"),  # ISO dates as typed
        ("31/02/2026", "31/02/2026"),  # not a real day: left as typed, to be reported
        ("2026-10-15 25:00", "2026-10-15 25:00"),
        ("soon", "soon"),
    ],
)
def test_a_date_cell_is_read_as_the_uk_day_it_names(cell, day):
    assert uk_dates(pd.Series([cell], dtype=object)).tolist() == [day]


def _with_collected_at(data, cells: list[str]) -> None:
    path = data / "actuals.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    for i, cell in enumerate(cells, start=1):
        parts = lines[i].split(",")
        parts[7] = cell
        lines[i] = ",".join(parts)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_times_and_offsets_mixed_with_dates_read_without_a_problem(council):
    data, params = council
    _with_collected_at(data, ["2026-07-08T16:00:00+01:00", "05/05/2026 16:00", "2026-06-05 09:30"])
    ds = read_dataset(data, params)
    got = ds.actuals["collected_at"].dt.strftime("%Y-%m-%d").tolist()
    assert got == ["2026-07-08", "2026-05-05", "2026-06-05", "2026-07-08"]


def test_an_impossible_time_is_reported_on_its_row(council):
    data, params = council
    _with_collected_at(data, ["2026-07-08T16:00:00+01:00", "2026-05-05 25:00"])
    with pytest.raises(DataValidationError) as info:
        read_dataset(data, params)
    problems = [(p.row, p.column, p.value) for p in info.value.problems]
    assert problems == [(3, "collected_at", "2026-05-05 25:00")]  # header is row 1
