"""Each validation rule, proved with a small bad-input fixture.

Every assertion checks that the message names the file, the row as Excel shows it (header = 1),
the column and the offending value — the things an analyst needs to fix the spreadsheet.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pmlib.cli.main import main
from pmlib.core.errors import DataValidationError, Problem
from pmlib.data.validate import read_dataset


def edit(data: Path, table: str, old: str, new: str) -> None:
    path = data / f"{table}.csv"
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text {old!r} not in {table}.csv"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def append(data: Path, table: str, line: str) -> None:
    with open(data / f"{table}.csv", "a", encoding="utf-8") as fh:
        fh.write(line + "\n")


def errors(data: Path, params: Path) -> list[Problem]:
    with pytest.raises(DataValidationError) as info:
        read_dataset(data, params)
    return info.value.problems


def only(problems: list[Problem], column: str) -> Problem:
    hits = [p for p in problems if p.column == column]
    assert len(hits) == 1, problems
    return hits[0]


def test_valid_council_loads_with_typed_columns(council):
    ds = read_dataset(*council)
    assert list(ds.indicators["id"]) == ["R1", "R2", "R3"]
    assert ds.actuals["value"].dtype == "float64"
    assert set(ds.actuals["period"]) == {"2026/27 Q1", "2026-04", "2026-05"}
    assert ds.actuals.loc[ds.actuals["period"] == "2026-05", "quarter"].item() == 1
    assert ds.indicators["decimals"].tolist() == [1, 1, 0]


def test_text_in_a_numeric_column_is_named_not_coerced(council):
    data, params = council
    edit(data, "actuals", "R2,2026-04,22.1", "R2,2026-04,n/a")
    p = only(errors(data, params), "value")
    assert (p.file, p.row, p.value) == ("actuals.csv", 3, "n/a")
    assert "blank" in p.fix
    assert "actuals.csv, row 3, column 'value'" in str(p)


def test_percent_sign_in_a_number_gets_a_specific_fix(council):
    data, params = council
    edit(data, "actuals", "R1,2026/27 Q1,48.5", "R1,2026/27 Q1,48.5%")
    p = only(errors(data, params), "value")
    assert p.value == "48.5%" and p.row == 2
    assert "without the % sign (48.5)" in p.fix


def test_unknown_indicator_id(council):
    data, params = council
    append(data, "actuals", "R9,2026/27 Q1,5,,,approved,A. Cole,2026-07-08,B. Dune,2026-07-10")
    p = only(errors(data, params), "indicator_id")
    assert (p.row, p.value) == (6, "R9")


def test_duplicate_indicator_and_period_points_at_the_first_row(council):
    data, params = council
    append(data, "actuals", "R2,2026-05,19.9,,,approved,C. Eve,2026-06-05,D. Fox,2026-06-07")
    p = only(errors(data, params), "period")
    assert p.row == 6 and "row 4" in p.message and p.value == "2026-05"


def test_duplicate_indicator_ids(council):
    data, params = council
    edit(data, "indicators", "R3,Fly-tipping", "R2,Fly-tipping")
    problems = errors(data, params)
    dup = [p for p in problems if p.column == "id"]
    assert len(dup) == 1 and dup[0].row == 4 and "row 3" in dup[0].message


def test_percentage_outside_0_to_100(council):
    data, params = council
    edit(data, "actuals", "R1,2026/27 Q1,48.5,485,1000", "R1,2026/27 Q1,148.5,485,1000")
    p = only(errors(data, params), "value")
    assert (p.row, p.value) == (2, 148.5) and "0-100" in p.message


def test_numerator_greater_than_denominator_for_a_percentage(council):
    data, params = council
    edit(data, "actuals", "48.5,485,1000", "48.5,1485,1000")
    p = only(errors(data, params), "numerator")
    assert (p.row, p.value) == (2, 1485.0)


def test_rated_kpi_without_a_target_for_the_period_loads_with_a_warning(council):
    data, params = council
    append(data, "actuals", "R2,2027-04,21,,,approved,C. Eve,2027-05-05,D. Fox,2027-05-07")
    ds = read_dataset(data, params)  # history or a baseline year: never a blocking error
    (p,) = [w for w in ds.warnings if w.column == "period" and "no target" in w.message]
    assert (p.row, p.value, p.severity) == (6, "2027-04", "warning")
    assert "2027/28" in p.fix


def test_statistic_needs_no_target(council):
    data, params = council
    ds = read_dataset(data, params)  # R3 is a statistic with an actual and no target
    assert "R3" in set(ds.actuals["indicator_id"])


def test_unknown_committee_slug(council):
    data, params = council
    edit(data, "indicators", "Recycle more,environment,", "Recycle more,enviroment,")
    p = only(errors(data, params), "committees")
    assert (p.row, p.value) == (2, "enviroment") and "cabinet" in p.fix


def test_approver_must_not_be_the_collector(council):
    data, params = council
    edit(data, "actuals", "2026-05-05,D. Fox", "2026-05-05,C. Eve")
    p = only(errors(data, params), "approved_by")
    assert p.row == 3 and "different officer" in p.fix


def test_unknown_scheme_name(council):
    data, params = council
    edit(data, "indicators", "mean,,Head of Revenues", "mean,south-derby,Head of Revenues")
    p = only(errors(data, params), "rag_scheme")
    assert (p.row, p.value) == (3, "south-derby") and "south-derbyshire" in p.fix


def test_value_outside_a_choice_list(council):
    data, params = council
    edit(data, "indicators", "days,1,lower", "days,1,downwards")
    p = only(errors(data, params), "polarity")
    assert (p.row, p.value) == (3, "downwards") and "higher, lower, band, none" in p.fix


def test_choice_values_are_case_insensitive(council):
    data, params = council
    edit(data, "indicators", "days,1,lower", "days,1,Lower")
    assert read_dataset(data, params).indicators["polarity"].tolist()[1] == "lower"


def test_an_unknown_unit_lists_the_allowed_units_and_suggests_the_closest(council):
    data, params = council
    # R2 is measured in days; "currency_thousand" is one letter short of a real unit
    edit(data, "indicators", "KPI,days,1,lower", "KPI,currency_thousand,1,lower")
    p = only(errors(data, params), "unit")
    assert (p.file, p.row, p.value) == ("indicators.csv", 3, "currency_thousand")
    assert p.fix.startswith("did you mean 'currency_thousands'?")
    for unit in ("percent", "currency_thousands", "currency_millions", "rate_per_1000", "tonnes"):
        assert unit in p.fix


def test_common_spellings_of_a_unit_are_read_as_the_unit(council):
    data, params = council
    edit(data, "indicators", "KPI,percent,1,higher", "KPI,%,1,higher")
    edit(data, "indicators", "KPI,days,1,lower", "KPI,£k,1,lower")
    edit(data, "indicators", "statistic,number,0", "statistic,Count,0")
    units = read_dataset(data, params).indicators["unit"].tolist()
    assert units == ["percent", "currency_thousands", "number"]


def test_missing_required_column(council):
    data, params = council
    path = data / "targets.csv"
    frame = pd.read_csv(path).drop(columns="period")
    frame.to_csv(path, index=False)
    p = only(errors(data, params), "period")
    assert p.row == 1 and "missing" in p.message and p.file == "targets.csv"


def test_empty_file(council):
    data, params = council
    (data / "narratives.csv").write_bytes(b"")
    [p] = errors(data, params)
    assert p.file == "narratives.csv" and "empty" in p.message


def test_wrongly_encoded_file_names_the_row(council):
    data, params = council
    text = (data / "narratives.csv").read_text(encoding="utf-8")
    text = text.replace("New bins in Q3.", "New bins cost £40k.")
    (data / "narratives.csv").write_bytes(text.encode("cp1252"))
    [p] = errors(data, params)
    assert p.file == "narratives.csv" and p.row == 2 and "UTF-8" in p.fix


def test_unreadable_period_shows_accepted_forms(council):
    data, params = council
    edit(data, "targets", "R2,2026/27,20", "R2,2026,20")
    p = only(errors(data, params), "period")
    assert (p.file, p.row, p.value) == ("targets.csv", 3, "2026")
    assert "2026/27 Q2" in p.fix


def test_period_must_match_the_collection_frequency(council):
    data, params = council
    edit(data, "actuals", "R2,2026-04,22.1", "R2,2026/27 Q1,22.1")
    p = only(errors(data, params), "period")
    assert p.row == 3 and "monthly" in p.message


def test_band_target_needs_both_ends(council):
    data, params = council
    edit(data, "indicators", "days,1,lower", "days,1,band")
    p = only(errors(data, params), "lower")
    assert p.file == "targets.csv" and p.row == 3


def test_every_problem_is_reported_in_one_run(council):
    data, params = council
    edit(data, "actuals", "R2,2026-04,22.1", "R2,2026-04,n/a")
    edit(data, "indicators", "days,1,lower", "days,1,downwards")
    edit(data, "targets", "R1,2026/27,50", "R1,26/27,50")
    problems = errors(data, params)
    assert {(p.file, p.column) for p in problems} >= {
        ("actuals.csv", "value"),
        ("indicators.csv", "polarity"),
        ("targets.csv", "period"),
    }


def test_realistic_problems_are_warnings_not_errors(council):
    data, params = council
    edit(
        data,
        "actuals",
        "22.1,,,approved,C. Eve,2026-05-05,D. Fox,2026-05-07",
        ",,,draft,C. Eve,2026-06-30,,",
    )
    ds = read_dataset(data, params)
    messages = {(w.row, w.column): w.message for w in ds.warnings}
    assert "not yet approved" in messages[(3, "status")]
    assert "missing" in messages[(3, "value")]
    assert "late" in messages[(3, "collected_at")]


def _hashes(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_inputs_are_never_modified(council, capsys):
    data, params = council
    before = _hashes(data), _hashes(params)
    assert main(["validate", "--data", str(data), "--params", str(params)]) == 0
    edit(data, "actuals", "R2,2026-04,22.1", "R2,2026-04,n/a")
    broken = _hashes(data), _hashes(params)
    assert main(["validate", "--data", str(data), "--params", str(params)]) == 1
    assert (_hashes(data), _hashes(params)) == broken
    assert before[1] == broken[1]
    assert sorted(p.name for p in data.iterdir()) == sorted(before[0])


def test_cli_prints_every_error_and_exits_1_without_traceback(council, capsys):
    data, params = council
    edit(data, "actuals", "R2,2026-04,22.1", "R2,2026-04,12%")
    code = main(["validate", "--data", str(data), "--params", str(params)])
    err = capsys.readouterr().err
    assert code == 1
    assert "actuals.csv, row 3, column 'value'" in err and "'12%'" in err
    assert "Traceback" not in err and "Nothing was written" in err


def test_cli_summary_on_valid_data(council, capsys):
    data, params = council
    assert main(["validate", "--data", str(data), "--params", str(params)]) == 0
    out = capsys.readouterr().out
    assert "Testshire District Council" in out and "actuals" in out and "2026-04" in out


def test_xlsx_messages_name_the_sheet_and_excel_row(council):
    data, params = council
    frames = {
        t: pd.read_csv(data / f"{t}.csv", dtype=str)
        for t in ("indicators", "targets", "actuals", "narratives")
    }
    frames["actuals"].loc[1, "value"] = "n/a"
    for t in frames:
        (data / f"{t}.csv").unlink()
    with pd.ExcelWriter(data / "council.xlsx") as xw:
        for t, f in frames.items():
            f.to_excel(xw, sheet_name=t, index=False)
    p = only(errors(data, params), "value")
    assert p.file == "council.xlsx, sheet 'actuals'" and p.row == 3


def test_a_table_in_two_places_is_refused(council):
    data, params = council
    pd.read_csv(data / "targets.csv").to_parquet(data / "targets.parquet")
    [p] = errors(data, params)
    assert "targets.csv" in p.message and "targets.parquet" in p.message


def test_rereading_unchanged_files_gives_an_independent_copy_and_edits_are_seen(council):
    data, params = council
    first = read_dataset(data, params)
    first.actuals.loc[:, "value"] = -1.0  # a notebook scribbling on its copy...
    second = read_dataset(data, params)
    assert (second.actuals["value"] != -1.0).all()  # ...does not reach the next reader
    edit(data, "actuals", "R2,2026-04,22.1", "R2,2026-04,23.1")  # same size, same second
    third = read_dataset(data, params)
    assert 23.1 in set(third.actuals["value"]) and 22.1 not in set(third.actuals["value"])


# -- the same results however the tables are stored; every row of a repeated bad value ----------
def _as_format(data: Path, out: Path, fmt: str) -> Path:
    """The council's CSV tables rewritten as Parquet (text columns) or one Excel workbook."""
    out.mkdir()
    frames = {
        t: pd.read_csv(data / f"{t}.csv", dtype=str, keep_default_na=False, na_values=[""])
        for t in ("indicators", "targets", "actuals", "narratives")
    }
    if fmt == "parquet":
        for t, f in frames.items():
            f.to_parquet(out / f"{t}.parquet", index=False)
    else:
        with pd.ExcelWriter(out / "council.xlsx") as xw:
            for t, f in frames.items():
                f.to_excel(xw, sheet_name=t, index=False)
    return out


def _where(p: Problem) -> tuple:
    name = p.file.split(",")[0].rsplit(".", 1)[0]
    sheet = p.file.split("'")[1] if "sheet" in p.file else name
    return (sheet, p.row, p.column, p.message, p.fix, repr(p.value), p.severity)


def test_csv_parquet_and_xlsx_give_the_same_dataset_and_warnings(council, tmp_path):
    data, params = council
    edit(  # a draft, late row with no value: three warnings
        data,
        "actuals",
        "22.1,,,approved,C. Eve,2026-05-05,D. Fox,2026-05-07",
        ",,,Draft,C. Eve,2026-06-30,,",
    )
    edit(data, "indicators", "days,1,lower", "days,1,Lower")  # any letter case
    csv = read_dataset(data, params)
    for fmt in ("parquet", "xlsx"):
        other = read_dataset(_as_format(data, tmp_path / fmt, fmt), params)
        for table in ("indicators", "targets", "actuals", "narratives"):
            pd.testing.assert_frame_equal(getattr(csv, table), getattr(other, table))
        assert [_where(w) for w in other.warnings] == [_where(w) for w in csv.warnings]
    assert len(csv.warnings) >= 3


def test_csv_parquet_and_xlsx_report_the_same_errors(council, tmp_path):
    data, params = council
    edit(data, "actuals", "R2,2026-04,22.1", "R2,2026-04,n/a")
    edit(data, "actuals", "R2,2026-05,19.4,,,approved", "R2,2026-05,19.4,,,approves")
    edit(data, "indicators", "days,1,lower", "days,1,downwards")
    edit(data, "targets", "R1,2026/27,50", "R1,26/27,50")
    found = {_where(p) for p in errors(data, params)}
    for fmt in ("parquet", "xlsx"):
        other = _as_format(data, tmp_path / fmt, fmt)
        assert {_where(p) for p in errors(other, params)} == found
    assert {c for _, _, c, *_ in found} >= {"value", "status", "polarity", "period"}


def test_a_bad_value_repeated_on_many_rows_is_reported_on_each(council, tmp_path):
    """pandera checks each distinct cell once; every row holding it is still reported."""
    data, params = council
    for line in (
        "R1,2026/27 Q2,49,,,Approvd,A. Cole,2026-10-08,B. Dune,2026-10-10",
        "R3,2026/27 Q2,30,,,DRAFT,A. Cole,2026-10-08,B. Dune,2026-10-10",
        "R1,2026/27 Q3,50,,,Approvd,A. Cole,2027-01-08,B. Dune,2027-01-10",
        "R3,2026/27 Q3,28,,,,A. Cole,2027-01-08,B. Dune,2027-01-10",
        "R1,2026/27 Q4,51,,,approvd,A. Cole,2027-04-08,B. Dune,2027-04-10",
    ):
        append(data, "actuals", line)
    for table_dir in (data, _as_format(data, tmp_path / "pq", "parquet")):
        problems = [p for p in errors(table_dir, params) if p.column == "status"]
        assert [(p.row, p.value) for p in problems] == [
            (9, None),  # a blank status is not taken as approved
            (6, "Approvd"),
            (8, "Approvd"),
            (10, "approvd"),
        ]
        assert problems[0].message == "a value is required here"
        assert all("draft, submitted, approved" in p.fix for p in problems[1:])


def test_choice_letter_case_is_normalised(council, tmp_path):
    data, params = council
    append(data, "actuals", "R3,2026/27 Q2,30,,, Submitted ,A. Cole,2026-10-08,B. Dune,2026-10-10")
    for folder in (data, _as_format(data, tmp_path / "pq", "parquet")):
        ds = read_dataset(folder, params)
        assert ds.actuals["status"].tolist()[-1] == "submitted"
        assert ds.actuals["status"].dtype == "string"


def test_a_blank_or_misspelt_visibility_is_an_error_never_public(council):
    data, params = council
    edit(data, "indicators", "manual,internal,", "manual,,")
    p = only(errors(data, params), "visibility")
    assert (p.row, p.message) == (4, "a value is required here")
    edit(data, "indicators", "collection_method,visibility,", "collection_method,visibilty,")
    p = only(errors(data, params), "visibilty")
    assert p.row == 1 and "did you mean 'visibility'" in p.message
    assert p.fix == "rename the header to 'visibility'"


def test_without_a_visibility_column_everything_is_public_with_a_warning(council):
    data, params = council
    frame = pd.read_csv(data / "indicators.csv", dtype=str).drop(columns="visibility")
    frame.to_csv(data / "indicators.csv", index=False)
    ds = read_dataset(data, params)
    assert set(ds.indicators["visibility"]) == {"public"}
    (w,) = [w for w in ds.warnings if w.column == "visibility"]
    assert "every indicator is treated as public" in w.message


def test_status_is_required_and_an_approval_must_name_its_approver(council):
    data, params = council
    edit(data, "actuals", "C. Eve,2026-05-05,D. Fox,2026-05-07", "C. Eve,2026-05-05,,2026-05-07")
    p = only(errors(data, params), "approved_by")
    assert p.row == 3 and "does not say who approved it" in p.message
    frame = pd.read_csv(data / "actuals.csv", dtype=str).drop(columns="status")
    frame.to_csv(data / "actuals.csv", index=False)
    assert any(
        p.row == 1 and p.column == "status" and "missing" in p.message for p in errors(data, params)
    )


def test_the_same_period_spelled_two_ways_is_a_duplicate(council):
    data, params = council
    append(data, "actuals", "R1,Q1 2026/27,48.5,485,1000,approved,A. Cole,2026-07-08,B. Dune,")
    p = only(errors(data, params), "period")
    assert p.row == 6 and "row 2" in p.message and p.value == "2026/27 Q1"


def test_an_actuals_table_with_no_rows_is_valid(council):
    data, params = council
    (data / "actuals.csv").write_text(ACTUALS_HEADER + "\n", encoding="utf-8")
    ds = read_dataset(data, params)
    assert ds.actuals.empty and ds.actuals["value"].dtype == "float64"


ACTUALS_HEADER = (
    "indicator_id,period,value,numerator,denominator,status,collected_by,collected_at,"
    "approved_by,approved_at"
)


def test_warnings_behave_as_a_tuple_of_problems(council):
    data, params = council
    edit(data, "actuals", "48.5,485,1000,approved", "48.5,485,1000,draft")
    edit(data, "actuals", "31,,,approved", "31,,,submitted")
    ws = read_dataset(data, params).warnings
    unapproved = [w for w in ws if w.column == "status"]
    assert [(w.row, w.value, w.severity) for w in unapproved] == [
        (2, "draft", "warning"),
        (5, "submitted", "warning"),
    ]
    assert unapproved[0] == Problem(
        "actuals.csv",
        "is not yet approved",
        "have the data reviewer approve it before publication",
        row=2,
        column="status",
        value="draft",
        severity="warning",
    )
    assert len(ws) == len(list(ws)) == len(tuple(ws)) and ws[0] == list(ws)[0]
    assert ws == tuple(ws) and list(ws + ()) == list(ws) and list(() + ws) == list(ws)
    assert not ws.has_errors()


def test_problems_are_built_only_when_looked_at():
    import copy
    import pickle

    from pmlib.core.errors import Problems

    class Values(list):
        reads = 0

        def __iter__(self):
            Values.reads += 1
            return super().__iter__()

    values = Values(["a", pd.NA, None])
    lazy = Problems.at_rows("t.csv", "is odd", "fix it", np.array([2, 3, 4]), values, column="x")
    both = Problems([Problem("t.csv", "first")]) + lazy
    assert len(both) == 4 and both.has_errors() and Values.reads == 0
    assert [(p.row, p.value) for p in both] == [(None, None), (2, "a"), (3, None), (4, None)]
    assert type(both[1].row) is int and str(both[1]) == (
        "t.csv, row 2, column 'x': is odd (found 'a'). Fix: fix it"
    )
    list(both)
    assert Values.reads == 1  # built once
    text = pd.Series(["b", None], dtype="string")
    series = Problems.at_rows("t.csv", "w", "", [5, 6], text, severity="warning")
    assert pickle.loads(pickle.dumps(series)) == copy.deepcopy(series) == series
    assert [p.value for p in series] == ["b", None] and not series.has_errors()
    assert not Problems.at_rows("t.csv", "w", "", [], [], severity="warning")


def test_period_table_parses_each_distinct_label_once_and_spreads_it():
    from pmlib.core.periods import period_table, try_parse_period

    labels = pd.Series(
        ["2026/27 Q2", "Q2 2026-27", None, "2026", "2026-09", "2026/27 Q2", "Sep 2026", "2026/27"]
        * 3,
        dtype="str",
    )
    table = period_table(labels, 4)
    assert list(table.index) == list(labels.index)
    for raw, row in zip(labels, table.itertuples(), strict=True):
        p = try_parse_period(raw, 4)
        if p is None:
            assert pd.isna(row.period) and pd.isna(row.fy) and pd.isna(row.period_kind)
        else:
            assert (row.period, row.period_kind, row.fy, row.ordinal) == (
                p.label,
                p.kind,
                p.fy,
                p.ordinal,
            )
    assert table.dtypes.astype(str).tolist() == [
        "string",
        "string",
        "Int64",
        "Int64",
        "Int64",
        "Int64",
    ]


def test_frames_isin_matches_pandas():
    from pmlib.core.frames import isin

    values = pd.Series(["a", "b", None, "c", "a"], dtype="str")
    assert isin(values, {"a", "c"}).tolist() == [True, False, False, True, True]
    assert isin(values, pd.Series(["b"], dtype="string")).tolist() == [
        False,
        True,
        False,
        False,
        False,
    ]
    assert isin(values, ["a", None]).tolist() == [True, False, True, False, True]
    assert isin(pd.Series([1, 2, 3]), [3]).tolist() == [False, False, True]


def test_a_committee_priority_no_indicator_has_is_an_error(council):
    data, params = council
    text = (params / "committees.yaml").read_text(encoding="utf-8")
    (params / "committees.yaml").write_text(
        text.replace("priorities: [Efficient]", "priorities: [Efficent]"), encoding="utf-8"
    )
    p = only(errors(data, params), "resources.priorities")
    assert p.file == "committees.yaml" and p.value == "Efficent"
    assert "'Efficient'" in p.fix and "'Greener'" in p.fix


def test_many_problems_are_summarised_and_all_written_on_request(council, tmp_path, capsys):
    from pmlib.core.errors import DataValidationError as DVE

    data, params = council
    for n in range(DVE.SHOWN + 30):
        append(data, "actuals", f"R9{n},2026-04,n/a,,,draft,C. Eve,2026-05-05,,")
    out = tmp_path / "problems.csv"
    argv = ["validate", "--data", str(data), "--params", str(params), "--problems", str(out)]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.count("\n  - ") == DVE.SHOWN
    assert "more:" in err and "× actuals.csv, column 'value': is not a number" in err
    table = pd.read_csv(out)
    errors_ = table[table["severity"].eq("error")]
    assert len(errors_) > DVE.SHOWN
    assert {"indicator_id", "value"} <= set(errors_["column"])
    assert (errors_["row"] >= 2).all()


def test_an_old_excel_file_is_named_in_the_missing_table_fix(council):
    data, params = council
    (data / "actuals.csv").rename(data / "actuals.xls")
    (p,) = errors(data, params)
    assert "no 'actuals' table found" in p.message
    assert "pmlib does not read actuals.xls" in p.fix and ".xlsx" in p.fix


def test_a_corrupt_workbook_is_one_problem_not_one_per_missing_table(council):
    data, params = council
    for table in ("indicators", "targets", "actuals", "narratives"):
        (data / f"{table}.csv").unlink()
    (data / "council.xlsx").write_bytes(b"not really a workbook")
    (p,) = errors(data, params)
    assert p.file == "council.xlsx" and "cannot be opened as an Excel workbook" in p.message


def test_a_blank_row_is_dropped_and_later_rows_keep_their_excel_numbers(council):
    data, params = council
    # an Excel export keeps an emptied row as commas: row 4 here, between R2's two months
    edit(data, "actuals", "\nR2,2026-05,", "\n,,,,,,,,,\nR2,2026-05,")
    ds = read_dataset(data, params)
    assert len(ds.actuals) == 4
    assert ds.actuals["source_row"].tolist() == [2, 3, 5, 6]
    # R3 is on Excel row 6 (header 1, R1 2, R2 3, blank 4, R2 5): a problem there says 6
    edit(
        data,
        "actuals",
        "R3,2026/27 Q1,31,,,approved,A. Cole,2026-07-08,B. Dune",
        "R3,2026/27 Q1,31,,,approved,A. Cole,2026-07-08,A. Cole",
    )
    p = only(errors(data, params), "approved_by")
    assert p.row == 6


def test_approver_is_the_collector_whatever_the_case(council):
    data, params = council
    edit(data, "actuals", "2026-05-05,D. Fox", "2026-05-05,c. EVE")
    p = only(errors(data, params), "approved_by")
    assert p.row == 3 and "different officer" in p.fix


def test_text_from_parquet_is_stripped_and_blank_cells_become_missing():
    from pmlib.data.load import _strip_text

    frame = pd.DataFrame(
        {
            "clean": pd.array(["R1", None, "Ré"], dtype="string[pyarrow]"),
            "spaces": pd.array([" R1", "R2\t", "R3"], dtype="string[pyarrow]"),
            "nbsp": pd.array(["R1\u00a0", "R2", "R3"], dtype="string[pyarrow]"),
            "blank": pd.array(["R1", "", "R3"], dtype="string[pyarrow]"),
            "gaps": pd.array([None, "R2 ", None], dtype="string[pyarrow]"),
            "gap_blank": pd.array([None, "", "R3"], dtype="string[pyarrow]"),
        }
    )
    out = _strip_text(frame)
    assert out["clean"].tolist() == ["R1", pd.NA, "Ré"]
    assert out["spaces"].tolist() == ["R1", "R2", "R3"]
    assert out["nbsp"].tolist() == ["R1", "R2", "R3"]
    assert out["blank"].tolist() == ["R1", pd.NA, "R3"]
    assert out["gaps"].tolist() == [pd.NA, "R2", pd.NA]
    assert out["gap_blank"].tolist() == [pd.NA, pd.NA, "R3"]
    assert all(str(out[c].dtype) == "string" for c in out)
