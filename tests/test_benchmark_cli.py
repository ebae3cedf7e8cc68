"""``pmlib benchmark``: the statistics as CSV, and every bad name refused with what is available.

The HTML path (the notebook through the batch runner) is in ``test_benchmark_report.py``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pmlib.benchmarking.stats import (
    PUBLIC_COLUMNS,
    STATS_COLUMNS,
    benchmark_stats,
    read_benchmarks,
    read_peer_groups,
)
from pmlib.cli.main import main

ROOT = Path(__file__).resolve().parents[1]
PARAMS = ROOT / "parameters"
BENCH = ROOT / "data" / "demo" / "benchmarks"
FOCUS = "E07000999"  # council.yaml area_code
GROUP = "nearest-neighbours"  # council.yaml peer_group
METRICS = sorted(pd.read_csv(BENCH / "metrics.csv")["metric"])


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype={"area_code": str, "metric": str, "period": str})


@pytest.fixture(scope="module")
def demo_stats() -> pd.DataFrame:
    """The statistics computed directly with the library (what the CLI must reproduce)."""
    data = read_benchmarks(BENCH / "benchmark.csv")
    groups = read_peer_groups(BENCH / "peer_groups.csv")
    return benchmark_stats(data, peers=groups[GROUP], focus=FOCUS)


@pytest.fixture(scope="module")
def demo_csv(tmp_path_factory) -> tuple[int, Path]:
    out = tmp_path_factory.mktemp("bench") / "benchmark.csv"
    code = main(["benchmark", "--params", str(PARAMS), "--out", str(out)])
    return code, out


def test_csv_defaults_to_council_yaml_files_and_group(demo_csv, demo_stats, capsys):
    code, out = demo_csv
    assert code == 0
    csv = _read(out)
    # the public contract first, then the other statistics
    assert tuple(csv.columns[: len(PUBLIC_COLUMNS)]) == PUBLIC_COLUMNS
    assert set(csv.columns) == set(STATS_COLUMNS)
    # one row per area × metric × period: every peer-group member in every metric-period
    assert not csv.duplicated(["area_code", "metric", "period"]).any()
    combos = csv[["metric", "period"]].drop_duplicates()
    members = read_peer_groups(BENCH / "peer_groups.csv")[GROUP]
    assert len(csv) == len(combos) * len(members)
    assert set(csv["metric"]) == set(METRICS)
    # our rank, quartile and median agree with benchmark_stats row for row
    ours = csv[csv["area_code"].eq(FOCUS)].set_index(["metric", "period"]).sort_index()
    expected = demo_stats[demo_stats["area_code"].eq(FOCUS)].set_index(["metric", "period"])
    expected = expected.sort_index()
    assert ours["rank"].astype("Int64").tolist() == expected["rank"].tolist()
    assert ours["quartile"].astype("Int64").tolist() == expected["quartile"].tolist()
    assert ours["median"].tolist() == pytest.approx(expected["median"].tolist())
    assert ours["is_focus"].all()


def test_csv_one_metric_one_period_by_indicator(tmp_path, demo_stats, capsys):
    out = tmp_path / "env01.csv"
    code = main(
        [
            "benchmark",
            "--params",
            str(PARAMS),
            "--indicator",
            "ENV01",  # benchmark_metric household_recycling_pct
            "--period",
            "2024/25",
            "--peer-group",
            "county",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    csv = _read(out)
    assert set(csv["metric"]) == {"household_recycling_pct"}
    assert set(csv["period"]) == {"2024/25"}
    county = read_peer_groups(BENCH / "peer_groups.csv")["county"]
    assert sorted(csv["area_code"]) == sorted(county)
    # ranks among the county group: recompute from the values in the file
    values = csv.set_index("area_code")["value"]
    better = values.rank(ascending=False, method="min")  # higher is better
    assert csv.set_index("area_code")["rank"].to_dict() == better.astype(int).to_dict()
    assert "Wrote 7 rows" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "listed"),
    [
        (["--metric", "recycling"], METRICS),
        (["--peer-group", "neighbours"], ["all", GROUP, "county"]),
        (["--metric", "household_recycling_pct", "--period", "2031/32"], ["2019/20", "2025/26"]),
        (["--indicator", "ENV02"], ["ENV01", "HSG01", "RES05"]),  # ENV02 has no benchmark
        (["--indicator", "NOPE"], ["ENV01", "RES03"]),
    ],
)
def test_bad_names_exit_1_listing_what_is_available(tmp_path, capsys, args, listed):
    out = tmp_path / "never.csv"
    code = main(["benchmark", "--params", str(PARAMS), *args, "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("pmlib: ") and "Fix:" in err
    assert "Traceback" not in err
    for name in listed:
        assert name in err
    assert not out.exists()


def test_bad_metric_for_html_fails_before_any_worker_starts(tmp_path, capsys):
    out = tmp_path / "html"
    code = main(["benchmark", "--params", str(PARAMS), "--metric", "nope", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    assert all(m in err for m in METRICS)
    assert not out.exists()  # nothing rendered, no manifest, no folder


def test_area_not_in_the_data_is_refused_for_html(tmp_path, capsys):
    code = main(
        ["benchmark", "--params", str(PARAMS), "--area", "E09999999", "--out", str(tmp_path)]
    )
    err = capsys.readouterr().err
    assert code == 1 and "E09999999" in err and "--area" in err


def test_any_file_and_the_all_group_without_a_council(tmp_path, monkeypatch, capsys):
    """--data/--peers point anywhere; with no parameters folder the CSV still works."""
    data = tmp_path / "wide.csv"
    data.write_text(
        "Recycling rate (%)\nArea code,Area,2022/23,2023/24\n"
        "E1,One,40,42\nE2,Two,50,[x]\nE3,Three,45,47\nE92000001,England,44,45\n",
        encoding="utf-8",
    )
    (tmp_path / "metrics.csv").write_text(
        "metric,name,unit,polarity\nwide,Recycling rate,percent,higher\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)  # no ./parameters here
    out = tmp_path / "out.csv"
    assert main(["benchmark", "--data", str(data), "--peer-group", "all", "--out", str(out)]) == 0
    csv = _read(out)
    assert "E92000001" not in set(csv["area_code"])  # England is a comparator, not a peer
    y = csv[csv["period"].eq("2023/24")].set_index("area_code")
    assert (y.at["E3", "rank"], y.at["E1", "rank"]) == (1, 2)  # 47 > 42, higher is better
    assert pd.isna(y.at["E2", "rank"]) and "suppressed" in y.at["E2", "missing_reason"]
    assert y.at["E3", "median"] == 44.5
    assert "1 value not published" in capsys.readouterr().out


def test_long_table_without_metric_name_writes_the_csv(tmp_path, monkeypatch, capsys):
    """The long shape the README documents (no metric_name column) once ended in a traceback
    (``TypeError: boolean value of NA is ambiguous``) while naming the metrics."""
    data = tmp_path / "long.csv"
    data.write_text(
        "area_code,area_name,metric,period,value\n"
        "E1,One,rough_sleepers,2024/25,10\n"
        "E2,Two,rough_sleepers,2024/25,30\n"
        "E3,Three,rough_sleepers,2024/25,20\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)  # no ./parameters, no metrics.csv: no polarity anywhere
    out = tmp_path / "stats.csv"
    code = main(["benchmark", "--data", str(data), "--peer-group", "all", "--out", str(out)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "no polarity for rough_sleepers" in printed  # named by its code, and warned
    csv = _read(out).set_index("area_code")
    assert len(csv) == 3 and set(csv["metric"]) == {"rough_sleepers"}
    # No polarity: ranked by size, biggest first (30, 20, 10), with no "better" implied.
    assert csv["rank"].to_dict() == {"E1": 3, "E2": 1, "E3": 2}
    assert set(csv["polarity"]) == {"none"}
    # percentile = 100 × (n − rank) / (n − 1) with n = 3: 100, 50, 0;
    # quartile: ≥ 75 → 1, ≥ 50 → 2, ≥ 25 → 3, else 4.
    assert csv["percentile"].to_dict() == {"E1": 0.0, "E2": 100.0, "E3": 50.0}
    assert csv["quartile"].to_dict() == {"E1": 4, "E2": 1, "E3": 2}
    # median 20; raw MAD = median(|10 − 20|, |30 − 20|, |20 − 20|) = median(10, 10, 0) = 10
    assert set(csv["median"]) == {20.0} and set(csv["mad"]) == {10.0}
    assert csv["mads_from_median"].to_dict() == {"E1": -1.0, "E2": 1.0, "E3": 0.0}
