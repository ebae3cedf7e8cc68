"""Benchmarking against real public data in ``../shared/data/benchmarks`` (skipped if absent).

Two checks a reviewer can redo by hand or against a published source:

* Trafford among its July 2024 CIPFA nearest neighbours for household recycling, 2023/24 and
  2024/25, with the 16 values copied out of the file and the statistics worked on paper;
* Oflog's adult social care extract, where Oflog published its own ``MEDIAN`` and
  ``MADs_from_median`` for every council, year and measure: the ``all`` peer group must
  reproduce every one of them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pmlib.benchmarking.stats import (
    benchmark_stats,
    narrate_position,
    read_benchmarks,
    read_peer_groups,
    target_options,
)

BENCH = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "benchmarks"
if not BENCH.is_dir():
    pytest.skip(f"real benchmark data not found at {BENCH}", allow_module_level=True)

TRAFFORD = "E08000009"
RECYCLING = "household-waste-sent-for-reuse-recycling-or-composting-percentage"


@pytest.fixture(scope="module")
def trafford_stats() -> pd.DataFrame:
    data = read_benchmarks(BENCH / "trafford_household_recycling.csv")
    groups = read_peer_groups(BENCH / "trafford_cipfa_neighbours.csv")
    # cipfalga0724 is the list the file was built for: its 15 neighbours + Trafford = 16 areas
    return benchmark_stats(
        data[data["metric"].eq(RECYCLING)],
        polarity="higher",
        peers=groups["cipfalga0724"],
        focus=TRAFFORD,
    )


def test_trafford_recycling_2023_24_by_hand(trafford_stats: pd.DataFrame):
    # 2023/24 values from the file, best first (England, E92000001, is not a peer):
    #  1 Milton Keynes 60.2   5 South Glos 56.7      9 Warrington 43.8   13 Bedford 38.0
    #  2 Stockport 60.0       6 Bury 51.5           10 Solihull 42.9     14 Halton 36.1
    #  3 Cheshire W&C 59.1    7 Telford 49.2        11 Derby 40.5        15 Swindon 33.8
    #  4 Trafford 58.4        8 N Northants 47.5    12 Peterborough 39.6 16 Stockton 24.5
    year = trafford_stats[trafford_stats["period"].eq("2023/24")]
    t = year[year["is_focus"]].iloc[0]
    assert (t["value"], t["rank"], t["n"]) == (58.4, 4, 16)
    assert t["percentile"] == pytest.approx(100 * 12 / 15)  # 80: at least as good as 12 of 15
    assert t["quartile"] == 1  # 4 × (16 − 4) = 48 ≥ 3 × 15 = 45
    # median = (47.5 + 43.8) / 2 = 45.65
    assert t["median"] == pytest.approx(45.65)
    # |x − 45.65| sorted: 1.85 1.85 2.75 3.55 5.15 5.85 6.05 7.65 | 9.55 11.05 11.85 12.75 ...
    # MAD = (7.65 + 9.55) / 2 = 8.6; Trafford (58.4 − 45.65) / 8.6 = 12.75 / 8.6
    assert t["mad"] == pytest.approx(8.6)
    assert t["mads_from_median"] == pytest.approx(12.75 / 8.6)
    # QUARTILE.INC upper quartile: position 0.75 × 15 = 11.25 → 56.7 + 0.25 × (58.4 − 56.7)
    assert t["top_quartile_boundary"] == pytest.approx(57.125)
    # 2022/23 Trafford was 3rd (59.3 Stockport, 58.6 South Glos, 58.4 Trafford): down one
    assert (t["previous_period"], t["rank_change"], t["quartile_change"]) == ("2022/23", -1, 0)
    assert year["rank"].tolist() == list(range(1, 17))  # no ties, no missing peers this year
    assert narrate_position(
        trafford_stats, TRAFFORD, RECYCLING, "CIPFA nearest neighbours", "2023/24"
    ).startswith(
        "Ranked 4th of 16 CIPFA nearest neighbours (top quartile), down one place since 2022/23."
    )


def test_trafford_recycling_2024_25_and_targets(trafford_stats: pd.DataFrame):
    # 2024/25: MK 63.2, Stockport 59.5, S Glos 58.3, CW&C 57.6, Trafford 57.5 → 5th of 16:
    # 4 × 11 = 44 < 45, so second quartile, just short of the boundary
    # ascending position 11.25: 57.5 + 0.25 × (57.6 − 57.5) = 57.525
    t = trafford_stats[trafford_stats["is_focus"] & trafford_stats["period"].eq("2024/25")]
    t = t.iloc[0]
    assert (t["rank"], t["quartile"]) == (5, 2)
    assert t["top_quartile_boundary"] == pytest.approx(57.525)
    # median = (44.4 + 44.0) / 2 = 44.2
    assert t["median"] == pytest.approx(44.2)
    options = target_options(trafford_stats, TRAFFORD, RECYCLING).set_index("option")
    assert options.loc["top-quartile boundary", "change_needed"] == pytest.approx(0.025)
    assert options.loc["top-quartile boundary", "target_period"] == "2025/26"
    assert bool(options.loc["peer median", "already_met"])


def test_trafford_missing_neighbour_is_reported(trafford_stats: pd.DataFrame):
    # North Northamptonshire (E06000061) was created in April 2021: no rows before 2021/22
    missing = trafford_stats[trafford_stats["value"].isna()]
    assert set(missing["area_code"]) == {"E06000061"}
    assert missing["period"].tolist() == [f"{y}/{(y + 1) % 100:02d}" for y in range(2013, 2021)]
    assert set(missing["missing_reason"]) == {"no row in the data"}
    assert set(trafford_stats.loc[trafford_stats["period"].eq("2013/14"), "n"]) == {15}


def _run_cli_or_library(out: Path) -> None:
    """``pmlib benchmark`` as a user runs it."""
    from pmlib.cli.main import main

    code = main(
        [
            "benchmark",
            "--benchmarks",
            str(BENCH / "oflog_asc.csv"),
            "--peer-group",
            "all",
            "--out",
            str(out),
        ]
    )
    assert code == 0


def test_oflog_published_median_and_mads_reproduced_for_every_row(tmp_path: Path):
    out = tmp_path / "oflog_benchmark.csv"
    _run_cli_or_library(out)
    ours = pd.read_csv(out, dtype={"area_code": str, "metric": str, "period": str})
    published = pd.read_csv(BENCH / "oflog_asc.csv", dtype={"Financial year": str})
    published["period"] = published["Financial year"].str.replace("-", "/", regex=False)
    both = published.merge(
        ours,
        left_on=["Local authority code", "Code", "period"],
        right_on=["area_code", "metric", "period"],
        how="outer",
        indicator=True,
        validate="one_to_one",
    )
    assert len(published) == 6376
    assert (both["_merge"] == "both").all(), "every published row has exactly one output row"
    # Oflog's CSV carries about ten significant figures, so agreement is to 1e-7 absolute
    assert np.allclose(both["median"], both["MEDIAN"], rtol=1e-9, atol=0)
    assert np.allclose(
        both["mads_from_median"], both["MADs_from_median"], rtol=1e-9, atol=1e-7, equal_nan=True
    )
    assert (both["mads_from_median"].isna() == both["MADs_from_median"].isna()).all()
    # the 298 rows Oflog left blank are in the output, blank, with the group's median
    blank = both[both["Value"].isna()]
    assert len(blank) == 298 and blank["rank"].isna().all()
    assert set(blank["missing_reason"]) == {"value blank"}
    # rank_order DESC → higher is better; 'None' → no direction (ranked by size)
    polarity = both.groupby("Code")["polarity"].agg(set).to_dict()
    assert polarity["ASC1"] == {"higher"} and polarity["ASC7"] == {"none"}
