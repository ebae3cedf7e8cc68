"""Benchmarking statistics and readers, proved on small fixtures worked out by hand.

Each fixture is small enough to check on paper; the expected numbers in the assertions are the
hand calculation, written out in the comments, not values copied from the code's output.
Definitions under test: rank 1 = best with ties sharing the best ("min") rank; percentile =
100 × (n − rank) / (n − 1); quartile 1 when percentile ≥ 75, 2 when ≥ 50, 3 when ≥ 25, else 4;
MAD = median(|x − median|), unscaled; mads_from_median = (value − median) / MAD.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pmlib.benchmarking.stats import (
    PUBLIC_COLUMNS,
    STATS_COLUMNS,
    benchmark_stats,
    missing_peers,
    narrate_position,
    peer_group_members,
    polarity_from_indicators,
    read_benchmarks,
    read_peer_groups,
    resolve_polarity,
    target_options,
    write_benchmark_csv,
)
from pmlib.core.errors import DataValidationError, ParameterError


def table(text: str) -> pd.DataFrame:
    """A benchmark frame from compact CSV text (codes and periods kept as text)."""
    return pd.read_csv(
        io.StringIO(text), dtype={"area_code": "string", "metric": "string", "period": "string"}
    )


def one_period(values: dict[str, float], metric: str = "m", period: str = "2023/24"):
    return pd.DataFrame(
        {
            "area_code": list(values),
            "metric": metric,
            "period": period,
            "value": list(values.values()),
        }
    )


def col(stats: pd.DataFrame, name: str) -> dict[str, object]:
    """``{area_code: value}`` of one column, NA as None (readable assertions)."""
    return {
        a: (None if pd.isna(v) else v) for a, v in zip(stats["area_code"], stats[name], strict=True)
    }


# -- ranks, quartiles, percentiles --------------------------------------------------------------
EIGHT = {"A": 80, "B": 70, "C": 60, "D": 50, "E": 40, "F": 30, "G": 20, "H": 10}


def test_even_group_higher_is_better():
    s = benchmark_stats(one_period(EIGHT), polarity="higher")
    assert col(s, "rank") == {"A": 1, "B": 2, "C": 3, "D": 4, "E": 5, "F": 6, "G": 7, "H": 8}
    # percentile = 100 (8 - rank) / 7; quartile 1 needs >= 75, i.e. rank <= 2.75
    assert col(s, "quartile") == {"A": 1, "B": 1, "C": 2, "D": 2, "E": 3, "F": 3, "G": 4, "H": 4}
    assert s.loc[s.area_code.eq("B"), "percentile"].item() == pytest.approx(600 / 7)
    assert col(s, "n") == dict.fromkeys(EIGHT, 8)
    # median = (50 + 40) / 2 = 45; |x - 45| = 35 25 15 5 5 15 25 35 -> MAD = (15 + 25) / 2 = 20
    assert s["median"].unique().tolist() == [45.0]
    assert s["mad"].unique().tolist() == [20.0]
    assert col(s, "mads_from_median")["A"] == pytest.approx(35 / 20)
    assert col(s, "mads_from_median")["H"] == pytest.approx(-35 / 20)
    # QUARTILE.INC upper quartile: position 0.75 × 7 = 5.25 in 10..80 -> 60 + 0.25 × 10 = 62.5
    assert s["top_quartile_boundary"].unique().tolist() == [62.5]
    assert col(s, "gap_to_top_quartile")["C"] == pytest.approx(-2.5)
    assert col(s, "gap_to_median")["A"] == pytest.approx(35)


def test_even_group_lower_is_better():
    s = benchmark_stats(one_period(EIGHT), polarity="lower")
    assert col(s, "rank") == {"H": 1, "G": 2, "F": 3, "E": 4, "D": 5, "C": 6, "B": 7, "A": 8}
    assert col(s, "quartile") == {"H": 1, "G": 1, "F": 2, "E": 2, "D": 3, "C": 3, "B": 4, "A": 4}
    # lower quartile: position 0.25 × 7 = 1.75 -> 20 + 0.75 × 10 = 27.5
    assert s["top_quartile_boundary"].unique().tolist() == [27.5]
    # the MAD distance is signed by value, as Oflog publishes it, whatever the polarity
    assert col(s, "mads_from_median")["A"] == pytest.approx(1.75)
    assert s.iloc[0]["area_code"] == "H"  # sorted best first


def test_odd_group():
    s = benchmark_stats(
        one_period({"A": 7, "B": 6, "C": 5, "D": 4, "E": 3, "F": 2, "G": 1}), polarity="higher"
    )
    # percentile = 100 (7 - rank) / 6 = 100, 83.3, 66.7, 50, 33.3, 16.7, 0
    assert col(s, "percentile") == pytest.approx(
        {"A": 100, "B": 250 / 3, "C": 200 / 3, "D": 50, "E": 100 / 3, "F": 50 / 3, "G": 0}
    )
    assert col(s, "quartile") == {"A": 1, "B": 1, "C": 2, "D": 2, "E": 3, "F": 4, "G": 4}
    # median 4; |x - 4| = 3 2 1 0 1 2 3 -> sorted 0 1 1 2 2 3 3 -> MAD 2
    assert s["median"].unique().tolist() == [4.0] and s["mad"].unique().tolist() == [2.0]
    # upper quartile: position 0.75 × 6 = 4.5 -> 5.5; B (6) is above it, C (5) is not
    assert s["top_quartile_boundary"].unique().tolist() == [5.5]


def test_ties_share_the_best_rank_and_a_quartile():
    s = benchmark_stats(one_period({"A": 9, "B": 8, "C": 8, "D": 7, "E": 5}), polarity="higher")
    assert col(s, "rank") == {"A": 1, "B": 2, "C": 2, "D": 4, "E": 5}  # joint 2nd, no 3rd
    # percentile = 100 (5 - rank) / 4 -> 100, 75, 75, 25, 0
    assert col(s, "percentile") == {"A": 100, "B": 75, "C": 75, "D": 25, "E": 0}
    # QUARTILE.INC of 5 7 8 8 9: Q1 = 7, Q3 = 8; B and C reach Q3, D reaches Q1 exactly
    assert col(s, "quartile") == {"A": 1, "B": 1, "C": 1, "D": 3, "E": 4}
    assert s["top_quartile_boundary"].unique().tolist() == [8.0]
    # median 8; |x - 8| = 1 0 0 1 3 -> MAD 1
    assert col(s, "mads_from_median") == {"A": 1, "B": 0, "C": 0, "D": -1, "E": -3}


def test_ties_lower_is_better():
    s = benchmark_stats(one_period({"A": 9, "B": 8, "C": 8, "D": 7, "E": 5}), polarity="lower")
    assert col(s, "rank") == {"E": 1, "D": 2, "B": 3, "C": 3, "A": 5}
    assert col(s, "quartile") == {"E": 1, "D": 1, "B": 2, "C": 2, "A": 4}


def test_group_of_one_and_two():
    s = benchmark_stats(one_period({"A": 3}), polarity="higher")
    assert col(s, "rank") == {"A": 1} and col(s, "quartile") == {"A": 1}
    assert col(s, "percentile") == {"A": None}  # no other area to be better than
    s = benchmark_stats(one_period({"A": 3, "B": 1}), polarity="higher")
    assert col(s, "quartile") == {"A": 1, "B": 4}


def test_polarity_none_ranks_by_size_and_says_so():
    s = benchmark_stats(one_period({"A": 1, "B": 3, "C": 2}), polarity="none", focus="B")
    assert col(s, "rank") == {"B": 1, "C": 2, "A": 3}
    assert set(s["polarity"]) == {"none"}
    text = narrate_position(s, "B", "m", "peers")
    assert text.startswith(
        "Ranked 1st highest of 3 peers (highest quarter; this measure has no 'better' direction"
    )


def test_zero_mad_gives_no_distance():
    s = benchmark_stats(one_period({"A": 5, "B": 5, "C": 5, "D": 6}), polarity="higher")
    # median 5; |x - 5| = 0 0 0 1 -> MAD 0: "how many MADs" is undefined, not infinite
    assert s["mad"].unique().tolist() == [0.0]
    assert s["mads_from_median"].isna().all()


# -- missing values and peers -------------------------------------------------------------------
MISSING = """\
area_code,area_name,metric,period,value,marker
A,Aville,m,2023/24,10,
B,Beeton,m,2023/24,,[c]
C,Ceeford,m,2023/24,30,
D,Deeham,m,2023/24,20,
"""


def test_missing_peers_are_reported_not_dropped():
    data = table(MISSING)
    s = benchmark_stats(data, polarity="higher", peers=["A", "B", "C", "E"], focus="D")
    # group = A B C E + focus D; values for A, C, D only -> n = 3 of n_group = 5
    assert sorted(s["area_code"]) == ["A", "B", "C", "D", "E"]
    assert col(s, "n") == dict.fromkeys("ABCDE", 3)
    assert col(s, "n_group") == dict.fromkeys("ABCDE", 5)
    assert col(s, "rank") == {"C": 1, "D": 2, "A": 3, "B": None, "E": None}
    assert col(s, "missing_reason") == {
        "A": None,
        "B": "value suppressed ('[c]')",
        "C": None,
        "D": None,
        "E": "no row in the data",
    }
    assert col(s, "median") == dict.fromkeys("ABCDE", 20.0)  # every row carries the group stats
    assert col(s, "is_focus") == {"A": False, "B": False, "C": False, "D": True, "E": False}
    miss = missing_peers(data, ["A", "B", "C", "E"], focus="D")
    assert miss[["area_code", "reason"]].values.tolist() == [
        ["B", "value suppressed ('[c]')"],
        ["E", "no row in the data"],
    ]
    assert miss.columns.tolist() == ["metric", "period", "area_code", "area_name", "reason"]


def test_all_group_leaves_out_national_and_regional_aggregates():
    data = one_period({"E92000001": 50, "E12000002": 40, "E08000009": 30, "E08000007": 20})
    s = benchmark_stats(data, polarity="higher")
    assert sorted(s["area_code"]) == ["E08000007", "E08000009"]
    assert col(s, "rank") == {"E08000009": 1, "E08000007": 2}


# -- pooled means -------------------------------------------------------------------------------
POOLED = """\
area_code,metric,period,value,numerator,denominator
A,p,2023/24,50,10,20
B,p,2023/24,75,30,40
C,p,2023/24,10,1,10
D,p,2023/24,40,,
"""


def test_pooled_mean_is_a_ratio_of_sums_not_a_mean_of_rates():
    s = benchmark_stats(table(POOLED), polarity="higher")
    # pooled: (10 + 30 + 1) / (20 + 40 + 10) × 100 = 41 / 70 × 100 (D has no counts)
    assert s["pooled_mean"].unique() == pytest.approx([4100 / 70])
    assert s["pooled_n"].unique().tolist() == [3]
    # the plain mean of the four rates: (50 + 75 + 10 + 40) / 4
    assert s["mean"].unique() == pytest.approx([43.75])


def test_value_is_computed_from_counts_when_blank():
    data = table(
        "area_code,metric,period,value,numerator,denominator\n"
        "A,p,2023/24,50,10,20\nB,p,2023/24,,3,4\n"
    )
    s = benchmark_stats(data, polarity="higher")
    assert col(s, "value") == {"A": 50.0, "B": 75.0}  # scale 100 inferred from A
    assert col(s, "rank") == {"B": 1, "A": 2}


# -- movement over time -------------------------------------------------------------------------
MOVES = """\
area_code,metric,period,value
A,m,2021/22,1
B,m,2021/22,2
C,m,2021/22,3
A,m,2023/24,3
B,m,2023/24,1
C,m,2023/24,2
A,m,2022/23 Q1,9
"""


def test_rank_and_quartile_movement_against_the_previous_period_in_the_data():
    s = benchmark_stats(table(MOVES), polarity="higher")
    now = s[s["period"].eq("2023/24")]
    assert col(now, "previous_period") == dict.fromkeys("ABC", "2021/22")  # 2022/23 not in data
    # 2021/22 ranks C1 B2 A3 -> 2023/24 A1 C2 B3; positive = moved up
    assert col(now, "rank_change") == {"A": 2, "B": -1, "C": -1}
    # quartiles (n = 3): rank 1 -> 1, rank 2 -> 2, rank 3 -> 4
    assert col(now, "quartile_change") == {"A": 3, "B": -2, "C": -1}
    quarter = s[s["period"].eq("2022/23 Q1")]  # a quarter is never compared with a year
    assert quarter["previous_period"].isna().all()
    assert s["period"].tolist()[:3] == ["2021/22"] * 3  # time order


def test_without_movement_the_same_statistics_in_the_data_order_and_no_changes():
    """For a report's latest positions (one period per metric): ranks and quartiles as worked
    out above, nothing compared across periods, rows as the data gives them."""
    s = benchmark_stats(table(MOVES), polarity="higher", movement=False)
    assert list(s.columns) == list(STATS_COLUMNS)
    assert s["period"].tolist() == ["2021/22"] * 3 + ["2023/24"] * 3 + ["2022/23 Q1"]
    assert s["area_code"].tolist() == ["A", "B", "C", "A", "B", "C", "A"]
    # 2021/22: C1 B2 A3; 2023/24: A1 C2 B3; the lone quarter: rank 1 of 1
    assert s["rank"].tolist() == [3, 2, 1, 1, 3, 2, 1]
    assert s["quartile"].tolist() == [4, 2, 1, 1, 4, 2, 1]  # n = 3 (n = 1: quartile 1)
    for column in ("previous_period", "rank_change", "quartile_change"):
        assert s[column].isna().all()


# -- purity -------------------------------------------------------------------------------------
def test_functions_never_modify_their_inputs():
    data = table(MISSING)
    before = data.copy(deep=True)
    peers = ["A", "B", "C", "E"]
    stats = benchmark_stats(data, polarity="higher", peers=peers, focus="D")
    stats_before = stats.copy(deep=True)
    missing_peers(data, peers, focus="D")
    target_options(stats, "D", "m")
    narrate_position(stats, "D", "m", "peers")
    pd.testing.assert_frame_equal(data, before)
    pd.testing.assert_frame_equal(stats, stats_before)
    assert peers == ["A", "B", "C", "E"]


# -- polarity resolution ------------------------------------------------------------------------
def test_polarity_from_data_mapping_or_indicator_library():
    data = pd.concat(
        [
            one_period({"A": 1, "B": 2}, metric="x").assign(polarity="lower"),
            one_period({"A": 1, "B": 2}, metric="y"),
        ]
    )
    with pytest.raises(ParameterError, match="No polarity .* y"):
        benchmark_stats(data)
    s = benchmark_stats(data, polarity={"y": "higher"})
    assert col(s[s.metric.eq("x")], "rank") == {"A": 1, "B": 2}
    assert col(s[s.metric.eq("y")], "rank") == {"B": 1, "A": 2}
    library = pd.DataFrame(
        {"id": ["R1", "R2"], "polarity": ["higher", "band"], "benchmark_metric": ["y", None]}
    )
    assert polarity_from_indicators(library) == {"y": "higher"}
    assert resolve_polarity(data, {"x": "DESC", "y": "asc"}) == {"x": "higher", "y": "lower"}
    with pytest.raises(ParameterError, match="not known"):
        benchmark_stats(data, polarity="up")


def test_duplicate_rows_are_refused():
    data = table("area_code,metric,period,value\nA,m,2023/24,1\nA,m,2023/24,2\n")
    with pytest.raises(DataValidationError, match="more than one value for m in 2023/24"):
        benchmark_stats(data, polarity="higher")


# -- targets and narrative ----------------------------------------------------------------------
def test_target_options_higher_is_better():
    s = benchmark_stats(one_period(EIGHT), polarity="higher", focus="E")
    t = target_options(s, "E", "m").set_index("option")
    # E = 40; median 45, top-quartile boundary 62.5 (see test_even_group_higher_is_better)
    assert t.loc["peer median", "target"] == 45
    assert t.loc["peer median", "change_needed"] == 5
    assert t.loc["peer median", "change_needed_pct"] == pytest.approx(12.5)
    assert not t.loc["peer median", "already_met"]
    assert t.loc["peer median", "rank_at_target"] == 5  # A B C D are still above 45
    assert t.loc["top-quartile boundary", "target"] == 62.5
    assert t.loc["top-quartile boundary", "change_needed"] == 22.5
    assert t.loc["top-quartile boundary", "rank_at_target"] == 3  # only A, B above 62.5
    assert set(t["target_period"]) == {"2024/25"} and set(t["based_on_period"]) == {"2023/24"}


def test_target_options_lower_is_better_and_already_met():
    s = benchmark_stats(one_period(EIGHT), polarity="lower", focus="G")
    t = target_options(s, "G", "m").set_index("option")
    # G = 20 is better (lower) than both the median 45 and the boundary 27.5
    assert t["already_met"].tolist() == [True, True]
    assert t.loc["top-quartile boundary", "change_needed"] == 7.5  # could rise 7.5 and stay


def test_narrative_hand_worked():
    s = benchmark_stats(table(MOVES), polarity="higher", focus="A")
    text = narrate_position(s, "A", "m", "neighbours", "2023/24")
    # A: 3 of A3 B1 C2 -> 1st of 3; was 3rd in 2021/22; median 2, MAD 1 -> 1 MAD above
    assert text.startswith(
        "Ranked 1st of 3 neighbours (top quartile), up two places since "
        "2021/22. Its value, 3.0, is 1.0 above the group median of 2.0 "
        "(1.0 median absolute deviation)."
    )
    assert "not as a league table" in text
    tied = benchmark_stats(one_period({"A": 9, "B": 8, "C": 8, "D": 7}), polarity="higher")
    # 9 8 8 7: joint 2nd; percentile 100 × 2 / 3 < 75 (8 is below QUARTILE.INC Q3 = 8.25)
    assert narrate_position(tied, "C", "m", "peers").startswith(
        "Ranked joint 2nd of 4 peers (second quartile)."
    )
    assert "no figure" in narrate_position(
        benchmark_stats(table(MISSING), polarity="higher", peers=list("ABCD")), "B", "m", "peers"
    )


# -- readers ------------------------------------------------------------------------------------
def test_read_long_table_markers_and_problems(tmp_path: Path):
    path = tmp_path / "bench.csv"
    path.write_text(
        "area_code,area_name,metric,period,value\n"
        "A,Aville,m,2023-24,12.5\n"
        "B,Beeton,m,2023/24,[x]\n"
        "C,Ceeford,m,2023/24,:\n"
        "D,Deeham,m,Q1 2024/25,\n",
        encoding="utf-8",
    )
    data = read_benchmarks(path)
    assert data["period"].tolist() == ["2023/24", "2023/24", "2023/24", "2024/25 Q1"]
    assert data["marker"].tolist()[1:] == ["[x]", ":", "blank"]
    assert data["value"].isna().tolist() == [False, True, True, True]
    assert data["source_row"].tolist() == [2, 3, 4, 5]
    [warning] = data.attrs["warnings"]
    assert "3 values not published" in str(warning)

    path.write_text(
        "area_code,metric,period,value\nA,m,2023/24,12%\nB,m,2023/24,n/a\n"
        "C,m,2023/24,1\nC,m,2023/24,2\n",
        encoding="utf-8",
    )
    with pytest.raises(DataValidationError) as info:
        read_benchmarks(path)
    problems = info.value.problems
    assert [(p.row, p.column, p.value) for p in problems[:2]] == [
        (2, "value", "12%"),
        (3, "value", "n/a"),
    ]
    assert "without the % sign (12)" in problems[0].fix
    assert "more than one value" in problems[2].message and problems[2].row == 5


def test_read_download_shape_keeps_measures_apart(tmp_path: Path):
    path = tmp_path / "recycling.csv"
    path.write_text(
        "area_code,area_name,period,indicator,measure,unit,value\n"
        'A,Aville,2023/24,"Household waste recycled, %",Percentage,Waste,41.5\n'
        'A,Aville,2023/24,"Household waste recycled, %",Frequency,Tonnes,40100\n',
        encoding="utf-8",
    )
    data = read_benchmarks(path)
    assert data["metric"].tolist() == [
        "household-waste-recycled-percentage",
        "household-waste-recycled-frequency",
    ]
    assert data["metric_name"].tolist() == ["Household waste recycled, %"] * 2
    assert data["unit"].tolist() == ["Waste", "Tonnes"]


def test_read_oflog_shape(tmp_path: Path):
    path = tmp_path / "oflog.csv"
    path.write_text(
        "Financial year,Local authority code,Local authority name,Grouping,Measure,Code,Value,"
        "MEDIAN,MADs_from_median,rank_order\n"
        "2011-12,E1,One,LA_Raw,Turnover,T1,3,3,0,asc\n"
        "2011-12,E2,Two,LA_Raw,Turnover,T1,,3,,\n"
        "2011-12,E9,England,England,Turnover,T1,4,3,1,asc\n",
        encoding="utf-8",
    )
    data = read_benchmarks(path)
    assert data["period"].tolist() == ["2011/12", "2011/12"]  # a financial-year column
    assert data["polarity"].tolist() == ["lower", "lower"]  # asc, taken for the whole metric
    assert data["area_code"].tolist() == ["E1", "E2"]
    assert any("not council rows" in p.message for p in data.attrs["warnings"])


def test_read_wide_export_with_title_rows_csv_and_xlsx(tmp_path: Path):
    rows = [
        ["Household waste recycled"],
        ["Source: LG Inform"],
        [],
        ["Area code", "Area", "2022/23", "2023/24", "Notes"],
        ["E1", "One", "40", "42", ""],
        ["E2", "Two", "..", "38.5", "new"],
    ]
    csv_path = tmp_path / "recycling-rate.csv"
    csv_path.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    data = read_benchmarks(csv_path)
    assert data[["area_code", "period"]].values.tolist() == [
        ["E1", "2022/23"],
        ["E1", "2023/24"],
        ["E2", "2022/23"],
        ["E2", "2023/24"],
    ]
    assert data["value"].fillna(-1).tolist() == [40.0, 42.0, -1, 38.5]
    assert data["marker"].tolist()[2] == ".."
    assert data["metric"].unique().tolist() == ["recycling-rate"]  # from the file name
    assert data["source_row"].tolist() == [5, 5, 6, 6]
    assert any("Notes" in p.message for p in data.attrs["warnings"])

    xlsx = tmp_path / "wide.xlsx"
    sheet = pd.DataFrame(rows[3:][1:], columns=rows[3])
    sheet["2022/23"] = [40, ".."]
    sheet["2023/24"] = [42, 38.5]
    with pd.ExcelWriter(xlsx) as writer:
        pd.DataFrame([["Household waste recycled"]]).to_excel(writer, header=False, index=False)
        sheet.to_excel(writer, startrow=2, index=False)
    data = read_benchmarks(xlsx, metric="recycling")
    assert data["metric"].unique().tolist() == ["recycling"]
    assert data["value"].tolist()[:2] == [40.0, 42.0] and data["value"].tolist()[3] == 38.5
    assert data["source_row"].tolist() == [4, 4, 5, 5]
    long = tmp_path / "long.csv"
    long.write_text("area_code,metric,period,value\nA,m,2023/24,1\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="names the metric of a wide table"):
        read_benchmarks(long, metric="x")


def test_parquet_and_sibling_metrics_file(tmp_path: Path):
    frame = pd.DataFrame(
        {
            "area_code": ["A", "B"],
            "metric": ["m", "m"],
            "period": ["2023/24", "2023/24"],
            "value": [1.5, 2.5],
        }
    )
    frame.to_parquet(tmp_path / "bench.parquet")
    (tmp_path / "metrics.csv").write_text(
        "metric,name,unit,polarity,source\nm,Missed bins,rate,lower,DEFRA\n", encoding="utf-8"
    )
    data = read_benchmarks(tmp_path / "bench.parquet")
    assert data["value"].tolist() == [1.5, 2.5]
    assert data["polarity"].unique().tolist() == ["lower"]
    assert data["metric_name"].unique().tolist() == ["Missed bins"]
    s = benchmark_stats(data)  # polarity from the metadata
    assert col(s, "rank") == {"A": 1, "B": 2}


def test_read_peer_groups_all_three_shapes(tmp_path: Path):
    long = tmp_path / "groups.csv"
    long.write_text(
        "group,area_code,area_name\nnorth,A,Aville\nnorth,B,Beeton\nsouth,C,C\nnorth,A,Aville\n",
        encoding="utf-8",
    )
    groups = read_peer_groups(long)
    assert dict(groups) == {"north": ["A", "B"], "south": ["C"]}
    assert "lists 1 area code more than once" in groups.warnings[0].message

    cipfa = tmp_path / "cipfa.csv"
    cipfa.write_text(
        "subject_area_code,subject_area_name,list,neighbour_area_code,"
        "neighbour_area_name\nS,Self,cipfa,N1,One\nS,Self,cipfa,N2,Two\n",
        encoding="utf-8",
    )
    assert dict(read_peer_groups(cipfa)) == {"cipfa": ["S", "N1", "N2"]}  # subject included

    nn = tmp_path / "nn.csv"
    nn.write_text(
        "la_code,neighbour_code,includes_self,list_size\nX,X,1,3\nX,Y,0,3\nX,Z,0,3\n"
        "Y,Y,1,2\nY,X,0,2\n",
        encoding="utf-8",
    )
    groups = read_peer_groups(nn)
    assert dict(groups) == {"nn:X": ["X", "Y", "Z"], "nn:Y": ["Y", "X"]}
    assert peer_group_members(groups, "all") is None
    with pytest.raises(ParameterError, match="use one of: all, nn:X, nn:Y"):
        peer_group_members(groups, "nn:Q")

    reserved = tmp_path / "reserved.csv"
    reserved.write_text("group,area_code\nall,A\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match="reserved"):
        read_peer_groups(reserved)


# -- the CSV the CLI writes ---------------------------------------------------------------------
def test_write_benchmark_csv_contract(tmp_path: Path):
    data = tmp_path / "bench.csv"
    data.write_text(MOVES, encoding="utf-8")
    groups = tmp_path / "groups.csv"
    groups.write_text("group,area_code\npair,A\npair,B\n", encoding="utf-8")
    out = tmp_path / "out" / "benchmark.csv"
    run = write_benchmark_csv(
        data,
        out,
        peers_path=groups,
        peer_group="pair",
        period="2023-24",
        polarity="higher",
        focus="A",
    )
    written = pd.read_csv(out, dtype={"period": str})
    assert written.columns.tolist()[: len(PUBLIC_COLUMNS)] == list(PUBLIC_COLUMNS)
    assert set(written.columns) == set(STATS_COLUMNS)
    assert written[["area_code", "rank", "quartile"]].values.tolist() == [["A", 1, 1], ["B", 2, 4]]
    assert run.rows == 2 and list(out.parent.iterdir()) == [out]  # no temp file left behind
    with pytest.raises(ParameterError, match="Period '2019/20' is not in the benchmark data"):
        write_benchmark_csv(data, out, polarity="higher", period="2019/20")
    with pytest.raises(ParameterError, match="needs a peer-group file"):
        write_benchmark_csv(data, out, peer_group="pair", polarity="higher")
    run = write_benchmark_csv(data, out)  # no polarity anywhere: ranked by size, with a warning
    assert any("no polarity for m" in p.message for p in run.warnings)


# -- the quartile rule equals the QUARTILE.INC value rule ---------------------------------------
@settings(max_examples=25, deadline=None)
@given(
    values=st.lists(st.integers(min_value=0, max_value=6), min_size=1, max_size=12),
    polarity=st.sampled_from(["higher", "lower"]),
)
def test_quartile_matches_excel_quartile_inc(values: list[int], polarity: str):
    data = one_period({f"A{i}": float(v) for i, v in enumerate(values)})
    s = benchmark_stats(data, polarity=polarity)
    x = np.array(values, dtype=float)
    sign = 1 if polarity == "higher" else -1
    q = {p: np.quantile(sign * x, p) for p in (0.25, 0.5, 0.75)}  # type 7 = QUARTILE.INC
    expected = [
        1 if sign * v >= q[0.75] else 2 if sign * v >= q[0.5] else 3 if sign * v >= q[0.25] else 4
        for v in s["value"]
    ]
    assert s["quartile"].tolist() == expected
    boundary = s["top_quartile_boundary"].iloc[0]
    assert ((s["quartile"] == 1) == (sign * s["value"] >= sign * boundary - 1e-12)).all()
