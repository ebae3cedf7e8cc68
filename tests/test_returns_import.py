"""``pmlib returns import``: validation named by cell, correction workbooks, all-or-nothing merges
in the data folder's own format, idempotence, lateness, and the safety rules.

Cells on the Return sheet: T is the value, U/V numerator/denominator, W the status, Y the first
narrative heading; the first figure is on row 5. In the small council (tests/conftest.py) Head of
Waste's rows are R1 (row 5) and R3 (row 6); Head of Revenues' are R2 July, August, September
(rows 5-7), its narrative on row 7. Every figure is due 15 October 2026.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest
from filelock import FileLock
from openpyxl import load_workbook
from test_returns_make import Q2, fill, made

from pmlib.cli.main import main
from pmlib.returns import store
from pmlib.returns.audit import read_log, verify
from pmlib.returns.importer import import_returns

DAY = dt.date(2026, 10, 20)  # Tuesday: 3 working days after the deadline (16, 19, 20 October)
GOOD_R2 = {
    ("R2", "2026-07"): {"Value": 19.5},
    ("R2", "2026-08"): {"Value": 18},
    ("R2", "2026-09"): {"Value": 17.25},
}
GOOD_WASTE = {
    ("R1", Q2): {"Value": 51.2, "Numerator": 512, "Denominator": 1000},
    ("R3", Q2): {"Value": 27},
}


def run(council, tmp_path, files, quarter=Q2, today=DAY):
    data, params = council
    return import_returns(
        files, quarter, data_dir=data, params_dir=params, returns_dir=tmp_path / "returns",
        by="P. Officer", today=today,
    )  # fmt: skip


def files(data: Path) -> dict[str, bytes]:
    """The data folder's files (not the hidden lock file imports take turns with)."""
    return {p.name: p.read_bytes() for p in data.iterdir() if p.is_file() and p.name[0] != "."}


def inbox(tmp_path: Path) -> Path:
    return tmp_path / "returns" / "2026-27-Q2" / "in"


def test_problems_are_named_by_cell_and_nothing_is_merged(council, tmp_path):
    data, _ = council
    paths = made(council, tmp_path)
    before = files(data)
    fill(paths["Head of Waste"], {("R1", Q2): {"Value": "n/a"}, ("R3", Q2): {"Value": 27}},
         inbox(tmp_path) / paths["Head of Waste"].name)  # fmt: skip
    fill(paths["Head of Revenues"], {("R2", "2026-07"): {"Value": 21.5}},
         inbox(tmp_path) / paths["Head of Revenues"].name)  # fmt: skip
    revenues, waste = run(council, tmp_path, [])
    assert waste.result == "problems" and revenues.result == "problems"
    (na,) = waste.problems
    assert na.file == "2026-27-Q2-head-of-waste.xlsx, sheet 'Return', cell T5"
    assert "is not a number" in na.message and na.value == "n/a"
    assert na.fix == "leave the cell blank for a missing value"
    # 21.5 days against a target of 20 (lower is better): off target, and no narrative
    (missing,) = revenues.problems
    assert missing.file.endswith("cell Y7")
    assert "R2 is off target (2026-07: 21.5 against a target of 20" in missing.message
    assert files(data) == before  # nothing merged
    # the correction workbook: the officer's entries back, the cell marked, a Problems sheet
    wb = load_workbook(waste.correction)
    assert waste.correction.parent.name == "corrections"
    cell = wb["Return"]["T5"]
    assert cell.value == "n/a" and cell.fill.fgColor.rgb.endswith("F4B6B6")
    assert "is not a number" in cell.comment.text
    listed = list(wb["Problems"].iter_rows(min_row=2, values_only=True))
    assert [(r[1], r[2], r[5]) for r in listed] == [("T5", "R1", "n/a")]


def test_a_percentage_over_100_is_refused_with_the_validate_rule(council, tmp_path):
    paths = made(council, tmp_path)
    path = fill(paths["Head of Waste"], {("R1", Q2): {"Value": 112}, ("R3", Q2): {"Value": 27}})
    (out,) = run(council, tmp_path, [path])
    (p,) = out.problems
    assert p.file.endswith("cell T5") and "is a percentage outside 0-100" in p.message


def test_clean_return_is_merged_as_submitted_with_previous_version_kept(council, tmp_path):
    data, params = council
    original = (data / "actuals.csv").read_text(encoding="utf-8")
    paths = made(council, tmp_path)
    path = fill(paths["Head of Revenues"], GOOD_R2)
    (out,) = run(council, tmp_path, [path])
    assert out.result == "merged" and out.figures == 3 and out.late_by == 3
    assert out.summary().endswith("3 working day(s) late")
    lines = (data / "actuals.csv").read_text(encoding="utf-8").splitlines()
    assert lines[-3:] == [
        "R2,2026-07,19.5,,,submitted,C. Eve,2026-10-20,,",
        "R2,2026-08,18,,,submitted,C. Eve,2026-10-20,,",
        "R2,2026-09,17.25,,,submitted,C. Eve,2026-10-20,,",
    ]
    assert "\n".join(lines[:-3]) + "\n" == original  # untouched rows exactly as they were
    (kept,) = (data / "previous").iterdir()
    assert (kept / "actuals.csv").read_text(encoding="utf-8") == original
    # the import note says it was late
    assert "3 working day(s) late" in read_log(data)[0]["note"]


def test_importing_the_same_workbook_twice_changes_nothing(council, tmp_path):
    data, _ = council
    paths = made(council, tmp_path)
    path = fill(paths["Head of Waste"], GOOD_WASTE)
    assert run(council, tmp_path, [path])[0].result == "merged"
    after = files(data)
    again = run(council, tmp_path, [path], today=DAY + dt.timedelta(days=1))[0]
    assert again.result == "unchanged"
    assert again.summary() == "2026-27-Q2-head-of-waste.xlsx: already imported, nothing changed"
    assert files(data) == after


def test_a_formula_typed_as_narrative_stays_text(council, tmp_path):
    data, params = council
    paths = made(council, tmp_path)
    entries = dict(GOOD_R2)
    entries[("R2", "2026-09")] = {"Value": 17.25, "Performance update": "=1+1",
                                  "Approach to improve": "- more staff"}  # fmt: skip
    (out,) = run(council, tmp_path, [fill(paths["Head of Revenues"], entries)])
    assert out.result == "merged"
    text = (data / "narratives.csv").read_text(encoding="utf-8").splitlines()[-1]
    # written so a spreadsheet cannot run it; an ordinary dash is left alone
    assert text.startswith("R2,2026/27 Q2,'=1+1,- more staff,")


@pytest.mark.parametrize("kind", ["xlsx", "parquet"])
def test_merged_into_the_format_the_tables_are_kept_in(council, tmp_path, kind):
    data, _ = council
    frames = {t: pd.read_csv(data / f"{t}.csv", dtype=object) for t in
              ("indicators", "targets", "actuals", "narratives")}  # fmt: skip
    for t in frames:
        (data / f"{t}.csv").unlink()
    if kind == "xlsx":
        with pd.ExcelWriter(data / "data.xlsx") as xw:
            for t, f in frames.items():
                f.to_excel(xw, sheet_name=t, index=False)
    else:
        for t, f in frames.items():
            f.to_parquet(data / f"{t}.parquet", index=False)
    paths = made(council, tmp_path)
    entries = dict(GOOD_R2)
    entries[("R2", "2026-09")] = {"Value": 17.25, "Performance update": "=1+1"}
    (out,) = run(council, tmp_path, [fill(paths["Head of Revenues"], entries)])
    assert out.result == "merged"
    if kind == "xlsx":
        wb = load_workbook(data / "data.xlsx")
        assert wb.sheetnames == ["indicators", "targets", "actuals", "narratives"]
        last = [c for c in wb["narratives"][wb["narratives"].max_row]]
        assert last[2].value == "=1+1" and last[2].data_type == "s"  # text, not a formula
        act = pd.read_excel(data / "data.xlsx", sheet_name="actuals")
    else:
        act = pd.read_parquet(data / "actuals.parquet")
    tail = act.tail(3)
    assert tail["status"].tolist() == ["submitted"] * 3
    assert tail["value"].astype(float).tolist() == [19.5, 18.0, 17.25]


def test_wrong_quarter_changed_key_and_removed_rows_are_recognised(council, tmp_path):
    paths = made(council, tmp_path)
    good = fill(paths["Head of Waste"], GOOD_WASTE)
    (out,) = run(council, tmp_path, [good], quarter="2026/27 Q3")
    assert "is the return for 2026/27 Q2, not 2026/27 Q3" in out.problems[0].message
    wb = load_workbook(good)
    wb["_pmlib"]["B4"] = "Head of Revenues"  # claims to be another owner's
    wb.save(tmp_path / "edited.xlsx")
    (out,) = run(council, tmp_path, [tmp_path / "edited.xlsx"])
    assert "its hidden key has been changed" in out.problems[0].message
    wb = load_workbook(good)
    wb["Return"].delete_rows(6)
    wb.save(tmp_path / "removed.xlsx")
    (out,) = run(council, tmp_path, [tmp_path / "removed.xlsx"])
    assert out.problems[0].message == "the row for R3 2026/27 Q2 was removed"


def test_an_interrupted_import_leaves_the_data_as_it_was(council, tmp_path, monkeypatch):
    data, _ = council
    before = files(data)
    paths = made(council, tmp_path)
    entries = dict(GOOD_R2)
    entries[("R2", "2026-09")] = {"Value": 17.25, "Performance update": "Fewer staff."}
    path = fill(paths["Head of Revenues"], entries)
    real, calls = store.write_bytes_atomic, []

    def dies_on_the_second_file(target, data_bytes):
        calls.append(Path(target).name)
        if len(calls) == 3:  # journal, actuals, then the power goes
            raise KeyboardInterrupt
        return real(target, data_bytes)

    monkeypatch.setattr(store, "write_bytes_atomic", dies_on_the_second_file)
    with pytest.raises(KeyboardInterrupt):
        run(council, tmp_path, [path])
    monkeypatch.undo()
    assert calls[:2] == [".pmlib-returns.journal", "actuals.csv"]
    assert files(data) == before


def test_imports_take_turns(council, tmp_path):
    data, _ = council
    busy = pytest.raises(store.BusyError, match="Another import or sign-off")
    with FileLock(str(data / store.LOCK_NAME)), busy, store.Transaction(data, timeout=0.1):
        pass


def test_cli_exit_code_and_messages(council, tmp_path, capsys):
    data, params = council
    paths = made(council, tmp_path)
    fill(paths["Head of Waste"], {("R1", Q2): {"Value": "n/a"}}, inbox(tmp_path) / "a.xlsx")
    fill(paths["Head of Revenues"], GOOD_R2, inbox(tmp_path) / "b.xlsx")
    args = ["returns", "import", "--quarter", Q2, "--returns", str(tmp_path / "returns"),
            "--data", str(data), "--params", str(params), "--by", "P. Officer",
            "--today", "2026-10-14"]  # fmt: skip
    assert main(args) == 1
    out = capsys.readouterr().out
    assert "a.xlsx: 1 problem(s), nothing merged; correction workbook" in out
    assert "b.xlsx: merged 3 figure(s), 6 change(s)\n" in out  # on time: not late
    assert verify(data)[0]
    shutil.rmtree(inbox(tmp_path))


def test_an_officer_cannot_approve_in_the_return(council, tmp_path):
    paths = made(council, tmp_path)
    typed = {**GOOD_WASTE, ("R3", Q2): {"Value": 27, "Status": "approved"}}
    (out,) = run(council, tmp_path, [fill(paths["Head of Waste"], typed)])
    (p,) = out.problems
    assert p.file.endswith("cell W6") and p.value == "approved"
    assert p.message == "R3 2026/27 Q2: the status must be submitted or draft"
