"""The demo council reads identically from CSV, an Excel workbook and Parquet.

Each conversion is done the way an analyst would: the workbook has one sheet per table, with
numbers stored as numbers (as Excel keeps them), and the Parquet files keep pandas' types.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from pmlib.core.periods import parse_period
from pmlib.data.validate import read_dataset
from pmlib.rating.engine import rate_period

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo"
TABLES = ("indicators", "targets", "actuals", "narratives")


def _params(tmp: Path, data: Path) -> Path:
    params = tmp / f"params-{data.name}"
    shutil.copytree(ROOT / "parameters", params)
    council = params / "council.yaml"
    text = council.read_text(encoding="utf-8").replace("../data/demo", str(data))
    council.write_text(text, encoding="utf-8")
    return params


@pytest.fixture(scope="module")
def datasets(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("formats")
    frames = {t: pd.read_csv(DEMO / f"{t}.csv") for t in TABLES}
    xlsx, parquet = tmp / "xlsx", tmp / "parquet"
    xlsx.mkdir()
    parquet.mkdir()
    with pd.ExcelWriter(xlsx / "northmoor.xlsx") as writer:
        for table, frame in frames.items():
            frame.to_excel(writer, sheet_name=table, index=False)
    for table, frame in frames.items():
        frame.to_parquet(parquet / f"{table}.parquet", index=False)
    return {
        "csv": read_dataset(DEMO, ROOT / "parameters"),
        "xlsx": read_dataset(xlsx, _params(tmp, xlsx)),
        "parquet": read_dataset(parquet, _params(tmp, parquet)),
    }


@pytest.mark.parametrize("fmt", ["xlsx", "parquet"])
@pytest.mark.parametrize("table", TABLES)
def test_every_table_loads_the_same_as_from_csv(datasets, fmt, table):
    expected = getattr(datasets["csv"], table)
    got = getattr(datasets[fmt], table)
    pd.testing.assert_frame_equal(got, expected)


@pytest.mark.parametrize("fmt", ["xlsx", "parquet"])
def test_ratings_and_warnings_are_the_same_whatever_the_format(datasets, fmt):
    period = parse_period("2026/27 Q2")
    pd.testing.assert_frame_equal(
        rate_period(datasets[fmt], period), rate_period(datasets["csv"], period)
    )
    messages = sorted((w.message, w.row, w.column) for w in datasets[fmt].warnings)
    assert messages == sorted((w.message, w.row, w.column) for w in datasets["csv"].warnings)


def test_sources_name_the_file_each_table_came_from(datasets):
    assert datasets["xlsx"].sources["actuals"].name == "northmoor.xlsx"
    assert datasets["parquet"].sources["actuals"].name == "actuals.parquet"
