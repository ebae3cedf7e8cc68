"""pmlib.spc against the 45 NHSRplotthedots reference cases (892 points).

``tests/fixtures/spc/cases.json`` is a copy of ``shared/data/spc/cases.json`` (its README beside
it says where every value comes from: NHSRplotthedots' own tests, snapshots, vignettes and README,
and its Python port's tests). All 45 cases go through one call, as 45 series in one long table
with their options as columns, so the test also checks that series never leak into each other.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from pmlib.spc import calculate_spc

CASES = json.loads(
    (Path(__file__).parent / "fixtures" / "spc" / "cases.json").read_text(encoding="utf-8")
)
NUMBERS = ("value", "mean", "lpl", "upl")
EXACT = (
    "rebase_group",
    "outside_limits",
    "relative_to_mean",
    "close_to_limits",
    "special_cause_flag",
    "special_cause_rule",
    "point_type",
)
#: The README's mapping from point type to the words on the MDC icons.
CLASSIFICATION = {
    "common_cause": "Common cause",
    "special_cause_improvement": "Special cause - improvement",
    "special_cause_concern": "Special cause - concern",
    "special_cause_neutral_high": "Special cause - neither",
    "special_cause_neutral_low": "Special cause - neither",
}


def _long_table() -> pd.DataFrame:
    rows = []
    for case in CASES:
        values = case["input"]["values"]
        # Cases without dates are ordered by position (zero-padded so text sorts as numbers).
        dates = case["input"]["dates"] or [f"{i:04d}" for i in range(len(values))]
        p = case["parameters"]
        for value, date in zip(values, dates, strict=True):
            rows.append(
                {
                    "series": case["name"],
                    "date": date,
                    "value": value,
                    "rebase": date in p["rebase_dates"],
                    "improvement_direction": p["improvement_direction"],
                    "target": p["target"],
                    "fix_after_n_points": p["fix_after_n_points"],
                    "screen_outliers": p["screen_outliers"],
                }
            )
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def result():
    return calculate_spc(_long_table())


def test_the_fixture_holds_all_45_cases_and_892_points():
    assert len(CASES) == 45
    assert sum(len(c["expected"]["per_point"]) for c in CASES) == 892


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_every_point_agrees(case, result):
    got = result.points[result.points["series"] == case["name"]].reset_index(drop=True)
    expected = case["expected"]["per_point"]
    assert len(got) == len(expected)
    wrong = []
    for i, want in enumerate(expected):
        for field in NUMBERS:
            if not math.isclose(got.loc[i, field], want[field], rel_tol=1e-9, abs_tol=1e-300):
                wrong.append((i + 1, field, want[field], got.loc[i, field]))
        for field in EXACT:
            if got.loc[i, field] != want[field]:
                wrong.append((i + 1, field, want[field], got.loc[i, field]))
        if CLASSIFICATION[got.loc[i, "point_type"]] != want["classification"]:
            wrong.append((i + 1, "classification", want["classification"], None))
    assert not wrong, f"(point, field, expected, got): {wrong}"


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_the_summary_agrees(case, result):
    want = case["expected"]["summary"]
    row = result.summary[result.summary["series"] == case["name"]].iloc[0]
    assert row["variation_type"] == want["variation_type"]
    if want["assurance_type"] is None:
        assert pd.isna(row["assurance_type"])
    else:
        assert row["assurance_type"] == want["assurance_type"]
    groups = result.groups[result.groups["series"] == case["name"]].reset_index(drop=True)
    assert groups["rebase_group"].tolist() == [g["rebase_group"] for g in want["groups"]]
    for got, g in zip(groups.to_dict("records"), want["groups"], strict=True):
        assert got["n"] == g["n"]
        for field in ("mean", "lpl", "upl", "nlpl", "nupl", "mean_moving_range"):
            assert math.isclose(got[field], g[field], rel_tol=1e-9, abs_tol=1e-300), field
        for field in ("common_cause", "special_cause_improvement", "special_cause_concern"):
            assert got[field] == g[field], field
        assert got["variation_type"] == g["variation_type"]
        assert got["short_group"] == (g["n"] < 13)
