"""``pmlib returns make``: which figures are due, and the workbook an officer fills in.

The small council (tests/conftest.py) owes, for 2026/27 Q2: Head of Waste R1 (quarterly
percentage, a ratio, target 50 for the year) and R3 (a quarterly statistic); Head of Revenues R2
for July, August and September (monthly days, lower is better, target 20). Its council.yaml says
15 calendar days, so every figure is due 15 October 2026 (30 September + 15).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from openpyxl import load_workbook

from pmlib.cli.main import main
from pmlib.data.validate import read_dataset
from pmlib.returns.config import (
    DEFAULT_HEADINGS,
    due_date,
    narrative_headings,
    read_returns_settings,
)
from pmlib.returns.due import quarter_of, return_rows
from pmlib.returns.make import make_returns

Q2 = "2026/27 Q2"


def fill(path: Path, entries: dict, out: Path | None = None) -> Path:
    """Type into a return as an officer would: {(id, period): {column title: value}}."""
    wb = load_workbook(path)
    ws = wb["Return"]
    head = {c.value: c.column for c in ws[4]}
    for r in range(5, ws.max_row + 1):
        key = (ws.cell(r, head["ID"]).value, ws.cell(r, head["Period"]).value)
        for title, value in entries.get(key, {}).items():
            ws.cell(r, head[title]).value = value
    out = out or path
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


def made(council, tmp_path: Path) -> dict[str, Path]:
    data, params = council
    ds = read_dataset(data, params)
    done = make_returns(ds, quarter_of(Q2, ds), tmp_path / "returns", read_returns_settings(params))
    return {m.group: m.path for m in done}


def cells(path: Path) -> dict[tuple[str, str], dict[str, object]]:
    """Each row of the Return sheet by (id, period): column title -> openpyxl cell."""
    ws = load_workbook(path)["Return"]
    head = [c.value for c in ws[4]]
    out = {}
    for row in ws.iter_rows(min_row=5):
        by = dict(zip(head, row, strict=False))
        out[(by["ID"].value, by["Period"].value)] = by
    return out


def test_one_row_per_figure_due_grouped_by_owner(council):
    data, params = council
    ds = read_dataset(data, params)
    rows = return_rows(ds, quarter_of(Q2, ds))
    got = list(zip(rows["group"], rows["indicator_id"], rows["period"], strict=True))
    assert got == [
        ("Head of Revenues", "R2", "2026-07"),
        ("Head of Revenues", "R2", "2026-08"),
        ("Head of Revenues", "R2", "2026-09"),
        ("Head of Waste", "R1", "2026/27 Q2"),
        ("Head of Waste", "R3", "2026/27 Q2"),
    ]
    assert set(rows["due"]) == {dt.date(2026, 10, 15)}
    # the narrative is asked for once per indicator, on its last row
    assert rows["narrative_row"].tolist() == [False, False, True, True, True]
    # R2's history: the months before the quarter, oldest first
    assert rows.loc[0, "history"] == [("2026-04", 22.1), ("2026-05", 19.4)]
    # by data collector instead: A. Cole returns R1 and R3, C. Eve R2
    by = return_rows(ds, quarter_of(Q2, ds), "data_collector")
    assert sorted(set(by["group"])) == ["A. Cole", "C. Eve"]


def test_deadline_in_working_days_when_the_council_says_so():
    # 8 working days after Wednesday 30 September 2026: 1, 2, 5, 6, 7, 8, 9, 12 October.
    council = SimpleNamespace(submission_deadline="8 working days", submission_deadline_days=15)
    assert due_date(council, dt.date(2026, 9, 30)) == dt.date(2026, 10, 12)
    # an indicator's own deadline wins; the older setting means calendar days
    assert due_date(council, dt.date(2026, 9, 30), "2 working days") == dt.date(2026, 10, 2)
    old = SimpleNamespace(submission_deadline_days=15)
    assert due_date(old, dt.date(2026, 9, 30)) == dt.date(2026, 10, 15)


def test_narrative_headings_come_from_the_council_when_it_names_them():
    assert narrative_headings(SimpleNamespace()) == DEFAULT_HEADINGS
    custom = SimpleNamespace(narrative_headings={"performance_update": "What happened"})
    assert narrative_headings(custom) == {"performance_update": "What happened"}


def test_workbook_sheets_history_inputs_and_protection(council, tmp_path):
    paths = made(council, tmp_path)
    assert sorted(p.name for p in paths.values()) == [
        "2026-27-Q2-head-of-revenues.xlsx",
        "2026-27-Q2-head-of-waste.xlsx",
    ]
    wb = load_workbook(paths["Head of Waste"])
    assert wb.sheetnames == ["Instructions", "Return", "_pmlib"]
    assert wb["_pmlib"].sheet_state == "veryHidden"
    assert wb["Return"].protection.sheet is True
    instructions = " ".join(str(c.value) for row in wb["Instructions"].iter_rows() for c in row)
    assert "15 October 2026: 15 calendar days after the end of the period" in instructions
    assert "B. Dune" in instructions  # who reviews
    r1 = cells(paths["Head of Waste"])[("R1", Q2)]
    r3 = cells(paths["Head of Waste"])[("R3", Q2)]
    assert r1["Target"].value == 50
    assert r1["Previous 1"].value == 48.5 and r1["Previous 2"].value is None
    # read-only cells are locked and shaded; inputs unlocked
    assert r1["Target"].protection.locked and r1["Previous 1"].protection.locked
    assert r1["Previous 1"].fill.fgColor.rgb.endswith("E7E6E6")
    for title in ("Value", "Numerator", "Denominator", "Status", "Performance update"):
        assert r1[title].protection.locked is False, title
    # a statistic is not a ratio: no numerator or denominator to fill in
    assert r3["Numerator"].protection.locked and r3["Value"].protection.locked is False
    assert r1["Status"].value == "submitted"
    # the live check: value in T5 against the target 50, higher is better
    assert r1["On target?"].value == '=IF(ISNUMBER(T5),IF(T5<50.0,"Off target","On target"),"")'
    assert r3["On target?"].value == '=IF(ISNUMBER(T6),"Not judged","")'
    assert "COUNTIF($X$5:$X$5" in r1["Narrative"].value


def test_validation_rules_and_the_off_target_highlight(council, tmp_path):
    ws = load_workbook(made(council, tmp_path)["Head of Waste"])["Return"]
    rules = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    value = rules["T5"]
    # "between" is Excel's default operator, so the file leaves it out
    assert (value.type, value.operator or "between", value.formula1, value.formula2) == (
        "decimal", "between", "0", "100"
    )  # fmt: skip
    assert rules["W5"].type == "list" and rules["W5"].formula1 == '"submitted,draft"'
    assert rules["Y5"].type == "textLength"
    highlights = [r.formula[0] for rng in ws.conditional_formatting for r in rng.rules]
    assert 'AND($AC5="Required: off target",LEN(Y5)=0)' in highlights


def test_hidden_key_identifies_council_quarter_owner_and_rows(council, tmp_path):
    key = load_workbook(made(council, tmp_path)["Head of Waste"])["_pmlib"]
    meta = {r[0]: r[1] for r in key.iter_rows(values_only=True) if r[0] != "row"}
    rows = [r[1] for r in key.iter_rows(values_only=True) if r[0] == "row"]
    assert rows == ["R1|2026/27 Q2", "R3|2026/27 Q2"]
    assert meta["owner"] == "Head of Waste" and meta["quarter"] == Q2
    text = "\n".join(["pmlib-return-1", "Testshire District Council", Q2, "Head of Waste", *rows])
    assert meta["checksum"] == hashlib.sha256(text.encode()).hexdigest()


def test_cli_make_one_owner(council, tmp_path, capsys):
    data, params = council
    code = main(["returns", "make", "--quarter", Q2, "--owner", "Head of Revenues",
                 "--returns", str(tmp_path / "r"), "--data", str(data), "--params", str(params)])  # fmt: skip
    assert code == 0
    assert [p.name for p in (tmp_path / "r" / "2026-27-Q2" / "out").iterdir()] == [
        "2026-27-Q2-head-of-revenues.xlsx"
    ]
    assert "3 figure(s), due 15 October 2026" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["returns", "make"])  # --quarter is required


def test_the_round_trip_is_importable_from_python_without_loading_pandas_early():
    import subprocess
    import sys

    code = (
        "import sys, pmlib.returns as r; assert 'pandas' not in sys.modules; "
        "assert r.import_returns.__module__ == 'pmlib.returns.importer'; "
        "assert 'pandas' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_blank_figure_in_the_history_stays_blank(council, tmp_path):
    data, _ = council
    text = (data / "actuals.csv").read_text(encoding="utf-8")
    (data / "actuals.csv").write_text(text.replace("2026-05,19.4,", "2026-05,,"), "utf-8")
    row = cells(made(council, tmp_path)["Head of Revenues"])[("R2", "2026-07")]
    assert (row["Previous 2"].value, row["Previous 1"].value) == (22.1, None)


def test_per_indicator_deadline_and_validity_when_the_library_has_them(council):
    # columns another part of pmlib adds to the library; read when present
    data, params = council
    lines = (data / "indicators.csv").read_text(encoding="utf-8").splitlines()
    extra = {"R1": ",2 working days,", "R2": ",,2026/27 Q2", "R3": ",,2026/27 Q1"}
    lines = [lines[0] + ",submission_deadline,valid_to"] + [
        line + extra[line.split(",")[0]] for line in lines[1:]
    ]
    (data / "indicators.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    ds = read_dataset(data, params)
    rows = return_rows(ds, quarter_of(Q2, ds)).set_index(["indicator_id", "period"])
    assert "R3" not in rows.index.get_level_values(0)  # retired after Q1
    # R1: 2 working days after Wednesday 30 September 2026 is Friday 2 October
    assert rows.loc[("R1", Q2), "due"] == dt.date(2026, 10, 2)
    assert rows.loc[("R2", "2026-09"), "due"] == dt.date(2026, 10, 15)


def test_six_monthly_biennial_and_library_span_in_the_return(council, tmp_path):
    """A six-monthly indicator owes H1 in the Q2 return and H2 in Q4's (a Q2 report shows H1,
    a Q4 report H2); a biennial one owes its year in Q4's unless the year before has a figure;
    and no return asks for a figure of a period wholly outside valid_from/valid_to, which
    validation would warn about."""
    data, params = council
    path = data / "indicators.csv"
    ind = pd.read_csv(path, dtype=str, keep_default_na=False)
    r1 = ind[ind["id"].eq("R1")].iloc[0]
    extra = [
        r1.to_dict() | {"id": i, "name": n, "frequency": f, "aggregation": "sum", "unit": "number",
                        "kind": "PI"}
        for i, n, f in (("R4", "Bulky waste surveys", "six-monthly"),
                        ("R5", "Resident survey: clean streets", "biennial"),
                        ("R6", "Resident survey: recycling", "biennial"))
    ]  # fmt: skip
    ind = pd.concat([ind, pd.DataFrame(extra)], ignore_index=True)
    ind["valid_from"] = ind["id"].map({"R2": "2026-08"}).fillna("")  # R2 joins in August
    ind.to_csv(path, index=False)
    with open(data / "actuals.csv", "a", encoding="utf-8") as fh:  # R5's last outturn
        fh.write("R5,2025/26,71,,,approved,A. Cole,2026-04-10,B. Dune,2026-04-12\n")
    ds = read_dataset(data, params)

    def asked(quarter: str) -> list[tuple[str, str]]:
        rows = return_rows(ds, quarter_of(quarter, ds))
        return list(zip(rows["indicator_id"], rows["period"], strict=True))

    assert asked(Q2) == [
        ("R2", "2026-08"), ("R2", "2026-09"),  # not July: before R2's valid_from
        ("R1", Q2), ("R3", Q2), ("R4", "2026/27 H1"),
    ]  # fmt: skip
    assert not any(i == "R4" for i, _ in asked("2026/27 Q3"))
    q4 = asked("2026/27 Q4")
    assert [p for i, p in q4 if i in ("R4", "R5", "R6")] == ["2026/27 H2", "2026/27"]
    assert ("R6", "2026/27") in q4 and not any(i == "R5" for i, _ in q4)  # R5: its off year
    # the half-year's row goes round the workbook like any other
    from test_returns_import import run

    waste = made(council, tmp_path)["Head of Waste"]
    fill(waste, {("R4", "2026/27 H1"): {"Value": 14}, ("R3", Q2): {"Value": 27}})
    (out,) = run(council, tmp_path, [waste])
    assert out.result == "merged", [str(p) for p in out.problems]
    act = read_dataset(data, params).actuals
    assert act.loc[act["indicator_id"].eq("R4"), ["period", "value"]].values.tolist() == [
        ["2026/27 H1", 14.0]
    ]
