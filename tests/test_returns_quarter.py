"""A whole quarter's data return, played as a performance team would, on a copy of the demo council.

Three owners fill in their 2026/27 Q3 workbooks with openpyxl. The Development Management
Manager's has three mistakes: "n/a" as ECO05's value (row 9, cell T9), 112 as the percentage
ECO02 (row 6, cell T6), and ECO01 at 80% against a target of 85% (off target) with no narrative
(its first narrative cell, Y5). Head of Housing (HSG01, October to December) and the Street
Scene Manager (ENV06; ENV09 October to December) return clean workbooks. Q3 ends on Thursday
31 December 2026; the demo council allows 15 calendar days, so returns are due 15 January 2027.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from test_returns_make import fill

from pmlib.cli.main import main

Q3 = "2026/27 Q3"
NARRATIVE = {
    "Performance update": "80% of major applications were decided in time, below 85% <b>.",
    "Approach to improve": "Two agency planners started in January.",
    "Future plans": "Extension-of-time agreements are now sought at validation.",
    "Issues and risks": "Recruitment to the planning team remains difficult.",
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("quarter")
    assert main(["init", str(root / "northmoor"), "--demo"]) == 0
    return {
        "root": root,
        "data": root / "northmoor" / "data",
        "params": root / "northmoor" / "parameters",
        "returns": root / "returns",
    }


def cli(demo, *args: str) -> int:
    return main([*args, "--data", str(demo["data"]), "--params", str(demo["params"])])


def returns(demo, step: str, *args: str, today: str = "2027-01-12") -> int:
    extra = ["--today", today] if step in ("import", "status") else []
    return cli(demo, "returns", step, "--quarter", Q3, "--returns", str(demo["returns"]),
               *extra, *args)  # fmt: skip


def q3_actuals(demo) -> pd.DataFrame:
    act = pd.read_csv(demo["data"] / "actuals.csv", dtype=str)
    return act[act["period"].isin(["2026-10", "2026-11", "2026-12", Q3])]


def test_a_whole_quarter(demo, capsys):
    assert returns(demo, "make") == 0
    out = demo["returns"] / "2026-27-Q3" / "out"
    inbox = demo["returns"] / "2026-27-Q3" / "in"
    planning = out / "2026-27-Q3-development-management-manager.xlsx"
    housing = out / "2026-27-Q3-head-of-housing.xlsx"
    streets = out / "2026-27-Q3-street-scene-manager.xlsx"
    wrong = {
        ("ECO01", Q3): {"Value": 80, "Numerator": 80, "Denominator": 100},
        ("ECO02", Q3): {"Value": 112},
        ("ECO03", Q3): {"Value": 93, "Numerator": 93, "Denominator": 100},
        ("ECO04", Q3): {"Value": 25, "Numerator": 5, "Denominator": 20},
        ("ECO05", Q3): {"Value": "n/a"},
    }
    fill(planning, wrong, inbox / planning.name)
    fill(housing, {("HSG01", "2026-10"): {"Value": 79}, ("HSG01", "2026-11"): {"Value": 80},
                   ("HSG01", "2026-12"): {"Value": 82, **{k: v.replace("major applications",
                                          "households") for k, v in NARRATIVE.items()}}},
         inbox / housing.name)  # fmt: skip
    fill(streets, {("ENV06", Q3): {"Value": 5.5},
                   ("ENV09", "2026-10"): {"Value": 93, "Numerator": 93, "Denominator": 100},
                   ("ENV09", "2026-11"): {"Value": 94, "Numerator": 94, "Denominator": 100},
                   ("ENV09", "2026-12"): {"Value": 92.5, "Numerator": 185, "Denominator": 200}},
         inbox / streets.name)  # fmt: skip
    capsys.readouterr()

    # 1. import: non-zero exit; the planning workbook merges nothing, the other two merge
    assert returns(demo, "import", "--by", "Q. Dawson") == 1
    said = capsys.readouterr().out
    assert "development-management-manager.xlsx: 3 problem(s), nothing merged" in said
    act = q3_actuals(demo)
    assert sorted(set(act["indicator_id"])) == ["ENV06", "ENV09", "HSG01"]
    assert set(act["status"]) == {"submitted"}
    correction = demo["returns"] / "2026-27-Q3" / "corrections" / planning.name
    problems = list(load_workbook(correction)["Problems"].iter_rows(min_row=2, values_only=True))
    assert sorted((p[1], p[2]) for p in problems) == [
        ("T6", "ECO02"), ("T9", "ECO05"), ("Y5", "ECO01"),
    ]  # fmt: skip
    assert any("is a percentage outside 0-100" in p[6] for p in problems)
    assert any("is not a number" in p[6] for p in problems)
    assert any("ECO01 is off target" in p[6] for p in problems)

    # 2. the officer fixes the three cells; importing the folder again merges it, and finds
    #    the other two workbooks unchanged
    fixed = {**wrong, ("ECO01", Q3): {**wrong[("ECO01", Q3)], **NARRATIVE},
             ("ECO02", Q3): {"Value": 88.5}, ("ECO05", Q3): {"Value": 352}}  # fmt: skip
    fill(correction, fixed, inbox / planning.name)
    assert returns(demo, "import", "--by", "Q. Dawson") == 0
    said = capsys.readouterr().out
    assert "development-management-manager.xlsx: merged 5 figure(s)" in said
    assert said.count("already imported, nothing changed") == 2
    assert len(q3_actuals(demo)) == 12

    # 3. sign-off: HSG01's collector (K. Ndlovu) may not approve; its reviewer (L. Barker) may
    approve = ["approve", "--quarter", Q3, "--indicator", "HSG01"]
    assert cli(demo, *approve, "--by", "K. Ndlovu") == 1
    assert "the collector cannot approve" in capsys.readouterr().err
    assert cli(demo, *approve, "--by", "L. Barker") == 0
    act = q3_actuals(demo)
    assert set(act.loc[act["indicator_id"] == "HSG01", "approved_by"]) == {"L. Barker"}
    assert cli(demo, "approve", "--quarter", Q3, "--owner", "Street Scene Manager",
               "--by", "Q. Dawson") == 0  # fmt: skip

    # 4. lock; a later import is refused
    assert cli(demo, "lock", "--quarter", Q3, "--by", "Q. Dawson") == 0
    fill(streets, {("ENV06", Q3): {"Value": 4.0}}, inbox / streets.name)
    capsys.readouterr()
    assert returns(demo, "import", "--by", "Q. Dawson") == 1
    assert "2026/27 Q3 was locked by Q. Dawson" in capsys.readouterr().out
    assert q3_actuals(demo).query("indicator_id == 'ENV06'")["value"].tolist() == ["5.5"]

    # 5. the audit log shows every step, and its chain holds
    assert cli(demo, "audit", "--quarter", Q3) == 0
    log = capsys.readouterr().out
    for step in ("import", "approve", "lock"):
        assert f" {step} " in log
    assert "actuals ECO02 2026/27 Q3 value: (blank) -> 88.5" in log
    assert "actuals HSG01 2026-12 status: submitted -> approved" in log
    assert cli(demo, "audit", "--verify") == 0
    assert "chain intact" in capsys.readouterr().out

    # 6. the committee report for the quarter renders from the imported data
    report = demo["root"] / "report"
    assert cli(demo, "run", "--quarter", Q3, "--committee", "communities", "--out",
               str(report), "-q") == 0  # fmt: skip
    (html,) = report.glob("*communities*.html")
    text = html.read_text(encoding="utf-8")
    assert "Two agency planners started in January." in text
    assert "below 85% &lt;b&gt;." in text  # officer text escaped
    assert "80.0%" in text

    # 7. an edited line of the audit log makes --verify fail
    path = demo["data"] / "audit_log.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[5] = lines[5].replace("Q. Dawson", "A. Nother", 1)
    path.write_text("".join(lines), encoding="utf-8")
    assert cli(demo, "audit", "--verify") == 1
    assert "line 6 (entry 5): its contents were edited" in capsys.readouterr().err
