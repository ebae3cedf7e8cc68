"""Rating a library in parts (pmlib.rating.engine.period_rater, pmlib.rating.ratings_file): the
parts joined in order are the rating of the whole, and the file is the file one process writes."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from pmlib.core import forked
from pmlib.core.periods import parse_period
from pmlib.data.validate import read_dataset
from pmlib.rating.engine import period_rater, rate_period
from pmlib.rating.ratings_file import part_bounds, write_ratings_csv

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def demo():
    return read_dataset(ROOT / "data" / "demo", ROOT / "parameters")


@pytest.mark.parametrize("label", ["2026-08", "2026/27 Q2", "2025/26 Q4", "2025/26"])
def test_the_parts_of_a_library_joined_are_its_rating(demo, label):
    """Parts of three indicators: the demo's lagged indicator, the one retired from the library
    and the monthly ones fall in different parts."""
    period = parse_period(label, demo.council.fy_start_month)
    whole = rate_period(demo, period)
    rate = period_rater(demo, period)
    n = len(demo.indicators)
    bounds = [(lo, min(lo + 3, n)) for lo in range(0, n, 3)]
    joined = pd.concat([rate(lo, hi) for lo, hi in bounds], ignore_index=True)
    pd.testing.assert_frame_equal(joined, whole)
    pd.testing.assert_frame_equal(rate(0, n), whole)
    assert list(rate(n, n).columns) == list(whole.columns) and rate(n, n).empty
    assert whole["lagged"].any()  # the cases are covered
    assert len(whole) == (n - 1 if label.startswith("2026") else n)  # retired in 2026/27


def test_part_bounds_cover_the_library_in_even_contiguous_parts():
    for n in (0, 1, 7, 10_000, 125_200):
        for jobs in (1, 2, 3, 8):
            bounds = part_bounds(n, jobs, min_part=1000)
            assert bounds[0][0] == 0 and bounds[-1][1] == n
            assert all(a[1] == b[0] for a, b in zip(bounds, bounds[1:], strict=False))
            sizes = [hi - lo for lo, hi in bounds]
            assert max(sizes) - min(sizes) <= 1
            assert len(bounds) == max(1, min(jobs, n // 1000))


def test_the_ratings_file_in_parts_is_the_file_of_one_process(demo, tmp_path):
    period = parse_period("2026/27 Q2", demo.council.fy_start_month)
    one = write_ratings_csv(demo, period, tmp_path / "one.csv", jobs=1)
    parts = write_ratings_csv(demo, period, tmp_path / "parts.csv", jobs=5, min_part=1)
    assert one == parts == len(rate_period(demo, period))
    assert (tmp_path / "one.csv").read_bytes() == (tmp_path / "parts.csv").read_bytes()
    text = (tmp_path / "parts.csv").read_text(encoding="utf-8-sig")
    assert text.count("indicator_id,") == 1 and "\ufeff" not in text  # one header, one BOM


def test_data_checked_aside_is_the_data_read_and_checked_at_once(council):
    from pmlib.data.validate import read_dataset_checking_aside

    data, params = council
    (data / "actuals.csv").write_text(
        (data / "actuals.csv").read_text(encoding="utf-8")
        + "R3,2026/27 Q2,29,,,submitted,A. Cole,2026-10-08,,\n",  # a warning: not yet approved
        encoding="utf-8",
    )
    serial = read_dataset(data, params)
    unchecked, confirm = read_dataset_checking_aside(data, params)
    checked = confirm()
    for table in ("indicators", "targets", "actuals", "narratives"):
        pd.testing.assert_frame_equal(getattr(unchecked, table), getattr(serial, table))
    assert list(checked.warnings) == list(serial.warnings) and len(serial.warnings) > 0


def test_one_core_reads_and_checks_the_data_first(council, monkeypatch):
    from pmlib.data import validate

    monkeypatch.setattr(validate, "usable_cores", lambda: 1)
    monkeypatch.setattr(validate, "aside", lambda compute: pytest.fail("checked aside"))
    data, params = council
    dataset, confirm = validate.read_dataset_checking_aside(data, params)
    assert confirm() is dataset and len(dataset.indicators) == 3


@pytest.mark.skipif(not forked.can_fork(), reason="checks run aside on Linux only")
def test_the_checks_run_aside_once_and_their_warnings_come_back(council, monkeypatch):
    """The rules run in the child only, and its warnings (lazy groups included) come back
    pickled: a parent that had to run them again would be as slow as checking first."""
    from pmlib.data import validate

    data, params = council
    (data / "actuals.csv").write_text(
        (data / "actuals.csv").read_text(encoding="utf-8")
        + "R3,2026/27 Q2,29,,,submitted,A. Cole,2026-10-08,,\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(validate, "usable_cores", lambda: 2)
    parent, here = os.getpid(), []
    real = validate._checked

    def counted(typed):
        if os.getpid() == parent:
            here.append(typed)
        return real(typed)

    monkeypatch.setattr(validate, "_checked", counted)
    _, confirm = validate.read_dataset_checking_aside(data, params)
    assert [str(p) for p in confirm().warnings] == [
        "actuals.csv, row 6, column 'status': is not yet approved (found 'submitted'). Fix: "
        "have the data reviewer approve it before publication"
    ]
    assert here == []
