"""``pmlib spc``: a long table of series from a file, and the council's own indicators."""

from __future__ import annotations

import pandas as pd
import pytest

from pmlib.cli.main import main

GOOD = """\
series,date,value,improvement_direction,target,rebase,note
A,2026-04,10,increase,40,,kept
A,2026-05,0,,,,
A,2026-06,10,,,,
A,2026-07,0,,,,
A,2026-08,40,,,,
B,2026/27 Q1,5,decrease,,,
B,2026/27 Q2,6,decrease,,,
B,2026/27 Q3,7,decrease,,true,
B,2026/27 Q4,9,decrease,,,
"""


def test_a_table_of_series_gets_its_fields_and_a_summary(tmp_path, capsys):
    data = tmp_path / "series.csv"
    data.write_text(GOOD, encoding="utf-8")
    out, summary = tmp_path / "points.csv", tmp_path / "summary.csv"
    assert main(["spc", "--data", str(data), "--out", str(out), "--summary", str(summary)]) == 0
    pts = pd.read_csv(out, keep_default_na=False)
    # The input's own columns come through, in the input's order.
    assert pts["note"].tolist()[0] == "kept"
    assert pts["date"].tolist()[5:] == ["2026/27 Q1", "2026/27 Q2", "2026/27 Q3", "2026/27 Q4"]
    # A: mean (10+0+10+0+40)/5 = 12; moving ranges 10,10,10,40, mean 17.5; 40 >= 3.267 x 17.5
    # (57.2)? no, so all kept: limits 12 -/+ 2.66 x 17.5 = 46.55.
    a = pts[pts["series"] == "A"]
    assert a["mean"].tolist() == [12.0] * 5
    assert a["upl"].iloc[0] == pytest.approx(12 + 46.55)
    # B: rebased at Q3: group 0 is 5, 6 (mean 5.5), group 1 is 7, 9 (mean 8).
    b = pts[pts["series"] == "B"]
    assert b["rebase_group"].tolist() == [0, 0, 1, 1]
    assert b["mean"].tolist() == [5.5, 5.5, 8.0, 8.0]
    s = pd.read_csv(summary, keep_default_na=False).set_index("series")
    assert s.loc["A", "latest_date"] == "2026-08"
    assert s.loc["B", "latest_date"] == "2026/27 Q4"
    assert s.loc["A", "assurance_type"] == "inconsistent"  # 40 is inside -34.55 .. 58.55
    assert s.loc["B", "assurance_type"] == ""  # no target
    assert s["short_group_warning"].tolist() == [True, True]
    assert "2 series have a group of fewer than 13 points" in capsys.readouterr().out


BAD = """\
series,date,value,improvement_direction,target,rebase
A,2026-04,10,increase,40,
A,2026-13,x,,,
A,2026-04,10,upwards,41,
,2026-07,0,,,maybe
B,2026-05-01,5,,,
B,2026-06,6,,,
"""


def test_bad_cells_are_all_reported_with_their_rows_and_nothing_is_written(tmp_path, capsys):
    data = tmp_path / "series.csv"
    data.write_text(BAD, encoding="utf-8")
    out, summary = tmp_path / "points.csv", tmp_path / "summary.csv"
    assert main(["spc", "--data", str(data), "--out", str(out), "--summary", str(summary)]) == 1
    err = capsys.readouterr().err
    assert "8 problems" in err
    for expected in (
        "series.csv, row 3, column 'value': is not a number (found 'x')",
        "series.csv, row 3, column 'date': is not a date or a period (found '2026-13')",
        "series.csv, row 4, column 'date': repeats a date already given for this series",
        "series.csv, row 4, column 'improvement_direction': is not a valid value (found "
        "'upwards'). Fix: write increase, decrease or neutral",
        "series.csv, row 4, column 'target': differs from the series' first value",
        "series.csv, row 5, column 'series': has no series name",
        "series.csv, row 5, column 'rebase': is not a valid value (found 'maybe')",
        "series.csv, row 7, column 'date': is another kind of date than the series' first row",
    ):
        assert expected in err
    assert not out.exists() and not summary.exists()


def test_a_file_without_the_needed_columns_says_which(tmp_path, capsys):
    data = tmp_path / "series.csv"
    data.write_text("name,when,value\nA,2026-04,1\n", encoding="utf-8")
    assert main(["spc", "--data", str(data), "--out", str(tmp_path / "o.csv")]) == 1
    err = capsys.readouterr().err
    assert "has no 'series' column" in err and "has no 'date' column" in err


def test_the_councils_indicators_by_polarity_and_target(council, tmp_path):
    data, params = council
    out, points = tmp_path / "spc.csv", tmp_path / "points.csv"
    argv = ["spc", "--period", "2026/27 Q1", "--data", str(data), "--params", str(params)]
    assert main([*argv, "--out", str(out), "--points", str(points)]) == 0
    s = pd.read_csv(out, keep_default_na=False).set_index("indicator_id")
    assert sorted(s.index) == ["R1", "R2", "R3"]
    # R2 (lower is better, monthly): 22.1 and 19.4: mean 20.75, one moving range of 2.7, so
    # limits 20.75 -/+ 7.182; the target 20 lies between them.
    r2 = s.loc["R2"]
    assert (r2["improvement_direction"], r2["points"], r2["latest_period"]) == (
        "decrease",
        2,
        "2026-05",
    )
    assert float(r2["lpl"]) == pytest.approx(20.75 - 7.182)
    assert float(r2["upl"]) == pytest.approx(20.75 + 7.182)
    assert r2["assurance_type"] == "inconsistent"
    # R3 has no better direction: neutral, no assurance, and the note says why.
    assert s.loc["R3", "improvement_direction"] == "neutral"
    assert s.loc["R3", "assurance_type"] == ""
    assert "no assurance" in s.loc["R3", "target_note"]
    # R1 has one point: no moving range, so no limits and no assurance.
    assert s.loc["R1", "lpl"] == "" and s.loc["R1", "assurance_type"] == ""
    assert len(pd.read_csv(points)) == 4


def test_a_public_committee_gets_no_internal_indicator(council, tmp_path):
    data, params = council
    out = tmp_path / "spc.csv"
    argv = ["spc", "--period", "2026/27 Q1", "--data", str(data), "--params", str(params)]
    assert main([*argv, "--committee", "environment", "--out", str(out)]) == 0
    assert pd.read_csv(out)["indicator_id"].tolist() == ["R1"]  # R3 is internal


def test_a_cumulative_indicator_is_not_compared_with_its_year_target(council, tmp_path):
    data, params = council
    ind = pd.read_csv(data / "indicators.csv", dtype=str, keep_default_na=False)
    ind.loc[ind["id"] == "R2", "measure"] = "cumulative"
    ind.loc[ind["id"] == "R2", "aggregation"] = "sum"
    ind.to_csv(data / "indicators.csv", index=False)
    out = tmp_path / "spc.csv"
    argv = ["spc", "--period", "2026/27 Q1", "--data", str(data), "--params", str(params)]
    assert main([*argv, "--out", str(out)]) == 0
    r2 = pd.read_csv(out, keep_default_na=False).set_index("indicator_id").loc["R2"]
    assert (r2["target"], r2["assurance_type"]) == ("", "")
    assert r2["target_note"].startswith("cumulative figures")


def test_neither_data_nor_period_is_a_clear_error(tmp_path, capsys):
    assert main(["spc", "--out", str(tmp_path / "o.csv")]) == 1
    assert "give --data FILE" in capsys.readouterr().err


def _run_of_six(council):
    """R2 (lower is better) as 15 months, 2025-04 to 2026-06: 20 22 20 22 20 22 20 22 20, then
    25 26 25 26 25 26. Mean 341/15 = 22.73 and limits 17.79 to 27.67 (worked in
    test_explore_spc.py): the last six are above the mean, a shift only when 6 points make one
    (a concern, higher being worse); nothing else fires."""
    data, params = council
    act = pd.read_csv(data / "actuals.csv", dtype=str, keep_default_na=False)
    act = act[act["indicator_id"] != "R2"]
    months = [f"2025-{m:02d}" for m in range(4, 13)] + [f"2026-{m:02d}" for m in range(1, 7)]
    values = [20, 22, 20, 22, 20, 22, 20, 22, 20, 25, 26, 25, 26, 25, 26]
    rows = pd.DataFrame(
        {"indicator_id": "R2", "period": months, "value": [str(v) for v in values],
         "status": "approved", "collected_by": "C. Eve", "approved_by": "D. Fox"}
    )  # fmt: skip
    pd.concat([act, rows]).fillna("").to_csv(data / "actuals.csv", index=False)
    return data, params


@pytest.mark.parametrize(
    ("council_yaml", "flags", "expected"),
    [
        ("", [], "common_cause"),
        ("spc: {shift_points: 6}\n", [], "special_cause_concern"),
        ("spc: {shift_points: 6}\n", ["--shift-points", "7"], "common_cause"),
        ("", ["--shift-points", "6"], "special_cause_concern"),
    ],
)
def test_period_takes_council_yaml_spc_settings_unless_the_command_line_says(
    council, tmp_path, council_yaml, flags, expected
):
    data, params = _run_of_six(council)
    path = params / "council.yaml"
    path.write_text(path.read_text(encoding="utf-8") + council_yaml, encoding="utf-8")
    out = tmp_path / "spc.csv"
    argv = ["spc", "--period", "2026/27 Q1", "--data", str(data), "--params", str(params)]
    assert main([*argv, "--out", str(out), *flags]) == 0
    summary = pd.read_csv(out).set_index("indicator_id")
    assert summary.loc["R2", "variation_type"] == expected
