"""Small hand-written Datasets for the rating tests, built without the loader.

Frames follow the shapes documented in :class:`pmlib.core.model.Dataset`: contract columns, the
canonical ``period`` label plus the parsed period columns from :func:`pmlib.core.periods.period_table`,
numbers as float64, ``decimals`` Int64, ``status`` defaulting to ``approved``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from pmlib.config.schemes import RagScheme, read_rag_schemes
from pmlib.core.model import Council, Dataset, Settings
from pmlib.core.periods import period_table

ROOT = Path(__file__).resolve().parents[1]
PRESETS_FILE = ROOT / "parameters" / "rag_schemes.yaml"


def presets() -> dict[str, RagScheme]:
    """The shipped presets from parameters/rag_schemes.yaml plus a London-style test scheme."""
    schemes, problems = read_rag_schemes(PRESETS_FILE)
    assert not problems, problems
    schemes["london-improved"] = RagScheme(
        name="london-improved",
        label="London borough",
        tolerance="relative",
        green_within=0.0,
        amber_within=0.10,
        amber_if_improved_vs_last_year=True,
    )
    return schemes


INDICATOR_DEFAULTS: dict[str, object] = {
    "name": None,
    "definition": None,
    "priority": "A greener district",
    "objective": None,
    "committees": None,
    "kind": "KPI",
    "unit": "number",
    "decimals": 0,
    "polarity": "higher",
    "frequency": "quarterly",
    "measure": "period",
    "aggregation": "mean",
    "rag_scheme": None,
    "green_within": np.nan,
    "amber_within": np.nan,
    "tolerance": None,
    "visibility": "public",
}
_TEXT = (
    "id",
    "name",
    "definition",
    "priority",
    "objective",
    "committees",
    "kind",
    "unit",
    "polarity",
    "frequency",
    "measure",
    "aggregation",
    "rag_scheme",
    "tolerance",
    "visibility",
)


def _with_periods(frame: pd.DataFrame, start_month: int) -> pd.DataFrame:
    if frame.empty:
        cols = ["period_kind", "fy", "quarter", "month", "ordinal"]
        return frame.assign(**{c: pd.Series(dtype="Int64") for c in cols})
    parsed = period_table(frame["period"], start_month)
    return pd.concat([frame.drop(columns="period"), parsed], axis=1)


def make_indicators(rows: list[dict]) -> pd.DataFrame:
    records = []
    for row in rows:
        record = {**INDICATOR_DEFAULTS, **row}
        record["name"] = record["name"] or f"Indicator {row['id']}"
        records.append(record)
    frame = pd.DataFrame(records, columns=["id", *INDICATOR_DEFAULTS])
    frame["decimals"] = frame["decimals"].astype("Int64")
    for column in ("green_within", "amber_within"):
        frame[column] = frame[column].astype("float64")
    for column in _TEXT:
        frame[column] = frame[column].astype("str")
    return frame


def make_targets(rows: list[tuple | dict], start_month: int = 4) -> pd.DataFrame:
    """Rows as dicts, or tuples ``(indicator_id, period, target[, intervention])``."""
    records = []
    for row in rows:
        if isinstance(row, tuple):
            row = dict(zip(("indicator_id", "period", "target", "intervention"), row, strict=False))
        records.append(
            {"target": np.nan, "intervention": np.nan, "lower": np.nan, "upper": np.nan, **row}
        )
    frame = pd.DataFrame(
        records, columns=["indicator_id", "period", "target", "intervention", "lower", "upper"]
    )
    frame = frame.astype(
        {
            "indicator_id": "str",
            "target": "float64",
            "intervention": "float64",
            "lower": "float64",
            "upper": "float64",
        }
    )
    return _with_periods(frame, start_month)


def make_actuals(rows: list[tuple | dict], start_month: int = 4) -> pd.DataFrame:
    """Rows as dicts, or tuples ``(indicator_id, period, value[, status])``."""
    records = []
    for row in rows:
        if isinstance(row, tuple):
            row = dict(zip(("indicator_id", "period", "value", "status"), row, strict=False))
        records.append(
            {
                "value": np.nan,
                "numerator": np.nan,
                "denominator": np.nan,
                "status": "approved",
                **row,
            }
        )
    frame = pd.DataFrame(
        records, columns=["indicator_id", "period", "value", "numerator", "denominator", "status"]
    )
    frame["status"] = frame["status"].fillna("approved")
    frame = frame.astype(
        {
            "indicator_id": "str",
            "value": "float64",
            "numerator": "float64",
            "denominator": "float64",
            "status": "str",
        }
    )
    return _with_periods(frame, start_month)


def make_dataset(
    indicators: list[dict],
    targets: list = (),
    actuals: list = (),
    *,
    rag_scheme: str = "south-derbyshire",
    dot_tolerance: float = 0.0,
    fy_start_month: int = 4,
) -> Dataset:
    council = Council(
        name="Northmoor District Council",
        short_name="Northmoor",
        fy_start_month=fy_start_month,
        rag_scheme=rag_scheme,
        dot_tolerance=dot_tolerance,
    )
    settings = Settings(council=council, committees={}, schemes=presets())
    narratives = pd.DataFrame(columns=["indicator_id", "period"])
    return Dataset(
        indicators=make_indicators(list(indicators)),
        targets=make_targets(list(targets), fy_start_month),
        actuals=make_actuals(list(actuals), fy_start_month),
        narratives=narratives,
        settings=settings,
    )


def quarters(indicator_id: str, fy: str, values: list[float | None]) -> list[tuple]:
    """Actuals rows for Q1, Q2, ... of a financial year (None = a blank value)."""
    return [
        (indicator_id, f"{fy} Q{q}", np.nan if v is None else v)
        for q, v in enumerate(values, start=1)
    ]


def months(indicator_id: str, first: str, values: list[float | None]) -> list[tuple]:
    """Actuals rows for consecutive months starting at ``first`` (``2026-04``)."""
    start = pd.Period(first, freq="M")
    return [
        (indicator_id, str(start + k), np.nan if v is None else v) for k, v in enumerate(values)
    ]
