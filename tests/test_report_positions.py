"""A committee report's benchmark positions: worked out once for the whole library and shared by
every report of a pack, they are exactly those worked out from the report's own indicators; a
library that gives a report's metric another polarity is not used."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pmlib.benchmarking import positions as positions_module
from pmlib.benchmarking.positions import clear_positions_cache, latest_positions
from pmlib.core.model import Dataset
from pmlib.core.periods import parse_period
from pmlib.data.validate import read_dataset
from pmlib.reports.committee import CommitteeReport, _same_polarities, _subset

ROOT = Path(__file__).resolve().parents[1]
COMMITTEES = ["cabinet", "environment", "communities", "resources", "performance-board"]


@pytest.fixture(scope="module")
def demo() -> Dataset:
    return read_dataset(ROOT / "data" / "demo", ROOT / "parameters")


def _own(ds: Dataset, committee: str, period) -> pd.DataFrame:
    ids = ds.indicators_for(committee, period)["id"]
    pos = latest_positions(_subset(ds, ids), up_to=period)
    return pos[pos["indicator_id"].isin(ids)].set_index("indicator_id")


@pytest.mark.parametrize("quarter", ["2026/27 Q2", "2025/26 Q4", "2025/26 Q1"])
def test_each_reports_positions_are_those_of_its_own_indicators(demo, quarter):
    period = parse_period(quarter, demo.council.fy_start_month)
    clear_positions_cache()
    worked = []
    real = positions_module._positions
    positions_module._positions = lambda *a: worked.append(1) or real(*a)
    try:
        reports = {c: CommitteeReport(dataset=demo, committee=c, period=period) for c in COMMITTEES}
    finally:
        positions_module._positions = real
    assert len(worked) == 1  # one working-out for the five reports
    linked = 0
    for committee, report in reports.items():
        expected = _own(demo, committee, period)
        pd.testing.assert_frame_equal(report.benchmarks, expected)
        linked += len(expected)
    assert linked  # the demo links indicators to benchmark metrics


def test_a_library_disagreeing_on_a_reports_polarity_is_not_used(demo):
    period = parse_period("2026/27 Q2", demo.council.fy_start_month)
    ids = demo.indicators_for("environment", period)["id"]
    mine = _subset(demo, ids)
    assert _same_polarities(demo, mine)
    metric = mine.indicators["benchmark_metric"].dropna().iloc[0]
    polarity = mine.indicators.loc[mine.indicators["benchmark_metric"].eq(metric), "polarity"]
    other = "lower" if polarity.iloc[0] == "higher" else "higher"
    extra = (
        demo.indicators[~demo.indicators["id"].isin(ids)]
        .iloc[[0]]
        .assign(benchmark_metric=metric, polarity=other)
    )
    library = Dataset(**{**demo.__dict__,
                         "indicators": pd.concat([demo.indicators, extra], ignore_index=True)})  # fmt: skip
    assert not _same_polarities(library, mine)
    clear_positions_cache()
    report = CommitteeReport(dataset=library, committee="environment", period=period)
    pd.testing.assert_frame_equal(report.benchmarks, _own(demo, "environment", period))
