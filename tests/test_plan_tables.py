"""The optional tables (key actions, risks, audit actions, finance): read in every format,
checked cell by cell with the same messages as the indicator tables, and cross-checked."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pmlib.config.settings import read_settings
from pmlib.core.errors import DataValidationError
from pmlib.data.plan_contract import PLAN_TABLES
from pmlib.data.validate import read_dataset

ACTIONS = """\
id,title,priority,objective,committees,owner,start,due,revised_due,status,percent_complete,linked_indicators,visibility
A1,New recycling centre,Greener,Recycle more,environment,Head of Waste,2026-04-01,2027-03-31,,on track,40,R1,public
A2,Benefits system upgrade,Efficient,Fast benefits,,Head of Revenues,2026-05-01,2026-09-30,2026-12-31,at risk,70,R2; R1,public
"""
UPDATES = """\
action_id,period,status,percent_complete,update,author,updated_at
A1,2026/27 Q1,on track,25,Site cleared.,Head of Waste,2026-07-10
A2,Q1 2026/27,at risk,60,Supplier late.,Head of Revenues,2026-07-11
"""
RISKS = """\
id,title,owner,committees,inherent_likelihood,inherent_impact,likelihood,impact,target_score,controls,linked_indicators,visibility
K1,Recycling contract failure,Head of Waste,environment,4,5,3,4,6,Contract monitoring,R1,public
K2,Cyber attack,Head of IT,,5,5,4,5,8,Backups,,internal
"""
REVIEWS = """\
risk_id,period,likelihood,impact,update,reviewed_by,reviewed_at
K1,2026/27 Q1,3,4,Stable.,Head of Waste,2026-07-09
"""
AUDIT = """\
id,audit,recommendation,priority,owner,due,revised_due,status,update,committees,visibility
AU1,Payroll 2025/26,Reconcile starters monthly,2,HR Manager,2026-06-30,2026-10-31,in progress,Half done.,,public
"""
FINANCE = """\
service,period,line,budget,actual_to_date,forecast_outturn,variance,unit,commentary,committees
Waste,2026/27 Q1,revenue,5000,1300,5150,150,£k,Fuel prices.,
Waste,2026/27 Q1,capital,2000,200,1800,,£k,Slippage.,
"""
ALL = {
    "actions": ACTIONS,
    "action_updates": UPDATES,
    "risks": RISKS,
    "risk_reviews": REVIEWS,
    "audit_actions": AUDIT,
    "finance": FINANCE,
}


def _write(data: Path, **tables: str) -> None:
    for name, text in tables.items():
        (data / f"{name}.csv").write_text(text, encoding="utf-8")


def _problems(data: Path, params: Path) -> list:
    with pytest.raises(DataValidationError) as exc:
        read_dataset(data, params)
    return list(exc.value.problems)


def _plan_files(problems) -> list:
    return [p for p in problems if p.file.split(".")[0] in PLAN_TABLES]


def test_a_council_without_the_tables_gets_empty_typed_frames_and_no_warnings(council):
    data, params = council
    ds = read_dataset(data, params)
    for table in PLAN_TABLES:
        frame = getattr(ds, table)
        assert frame.empty
    assert "due" in ds.actions and pd.api.types.is_datetime64_any_dtype(ds.actions["due"])
    assert "ordinal" in ds.finance  # periodic tables carry the parsed period columns
    assert _plan_files(ds.warnings) == []
    assert all(t not in ds.sources for t in PLAN_TABLES)


def test_all_six_tables_load_typed_with_canonical_periods(council):
    data, params = council
    _write(data, **ALL)
    ds = read_dataset(data, params)
    assert list(ds.actions["id"]) == ["A1", "A2"]
    assert ds.actions.loc[1, "revised_due"] == pd.Timestamp("2026-12-31")
    assert list(ds.action_updates["period"]) == ["2026/27 Q1", "2026/27 Q1"]  # "Q1 2026/27" read
    assert ds.risks["likelihood"].dtype == "Int64"
    assert list(ds.finance["unit"]) == ["currency_thousands"] * 2  # "£k" read as its unit
    assert ds.audit_actions.loc[0, "priority"] == 2
    assert _plan_files(ds.warnings) == []
    assert ds.sources["finance"].name == "finance.csv"


def test_tables_are_read_from_a_workbook_sheet_and_from_parquet(council):
    data, params = council
    pd.read_csv(pd.io.common.StringIO(RISKS)).to_excel(
        data / "register.xlsx", sheet_name="Risks", index=False
    )
    pd.read_csv(pd.io.common.StringIO(FINANCE)).to_parquet(data / "finance.parquet")
    ds = read_dataset(data, params)
    assert list(ds.risks["id"]) == ["K1", "K2"]
    assert ds.finance["budget"].tolist() == [5000.0, 2000.0]


def test_a_bad_status_is_named_with_file_row_column_value_and_a_suggestion(council):
    data, params = council
    _write(data, actions=ACTIONS.replace("at risk", "at rsk"))
    [p] = _plan_files(_problems(data, params))
    assert (p.file, p.row, p.column, p.value) == ("actions.csv", 3, "status", "at rsk")
    assert "did you mean 'at risk'" in p.fix


def test_a_missing_required_column_and_a_bad_date_are_reported_together(council):
    data, params = council
    _write(
        data,
        actions=ACTIONS.replace("2026-09-30", "2026-09-31"),
        risk_reviews=REVIEWS.replace("impact,", "impct,"),
        risks=RISKS,
    )
    found = {(p.file, p.row, p.column) for p in _plan_files(_problems(data, params))}
    assert ("actions.csv", 3, "due") in found
    assert ("risk_reviews.csv", 1, "impact") in found  # required column missing (header row)


def test_a_linked_indicator_that_does_not_exist_is_an_error(council):
    data, params = council
    _write(data, actions=ACTIONS.replace("R2; R1", "R2; R9"))
    [p] = _plan_files(_problems(data, params))
    assert (p.row, p.column, p.value) == (3, "linked_indicators", "R9")


def test_risk_scores_outside_the_scale_are_errors(council):
    data, params = council
    _write(data, risks=RISKS.replace("4,5,3,4,6", "4,6,3,0,26"))
    found = {(p.row, p.column, p.value) for p in _plan_files(_problems(data, params))}
    assert found == {(2, "inherent_impact", 6), (2, "impact", 0), (2, "target_score", 26)}


def test_a_wider_scale_in_council_yaml_accepts_higher_scores(council):
    data, params = council
    yaml = (params / "council.yaml").read_text(encoding="utf-8")
    bands = "risks:\n  scale: 6\n  bands:\n    - {name: Low, max: 9, rag: Green}\n"
    bands += "    - {name: High, max: 36, rag: Red}\n"
    (params / "council.yaml").write_text(yaml + bands, encoding="utf-8")
    _write(data, risks=RISKS.replace("4,5,3,4,6", "4,6,3,6,26"))
    assert read_dataset(data, params).risks.loc[0, "impact"] == 6


def test_a_variance_that_does_not_add_up_is_an_error_and_rounding_is_not(council):
    data, params = council
    # 5150 - 5000 = 150: 151 is within one £k of rounding, 160 is not
    _write(data, finance=FINANCE.replace(",150,", ",151,"))
    read_dataset(data, params)
    _write(data, finance=FINANCE.replace(",150,", ",160,"))
    [p] = _plan_files(_problems(data, params))
    assert (p.row, p.column, p.value) == (2, "variance", 160)
    assert "150" in p.message


def test_updates_and_reviews_must_name_an_existing_action_or_risk(council):
    data, params = council
    _write(data, actions=ACTIONS, action_updates=UPDATES.replace("A2,", "A3,"))
    [p] = _plan_files(_problems(data, params))
    assert (p.file, p.row, p.column, p.value) == ("action_updates.csv", 3, "action_id", "A3")
    _write(data, risk_reviews=REVIEWS)  # reviews with no risks table at all
    (data / "action_updates.csv").unlink()
    [p] = _plan_files(_problems(data, params))
    assert (p.file, p.column, p.value) == ("risk_reviews.csv", "risk_id", "K1")


def test_duplicate_keys_and_unknown_committees_are_errors(council):
    data, params = council
    _write(
        data,
        actions=ACTIONS.replace("A2,", "A1,"),
        finance=FINANCE.replace("capital", "revenue").replace(",,£k", ",,£k", 1),
        audit_actions=AUDIT.replace("in progress,Half done.,", "in progress,Half done.,audit"),
    )
    found = {(p.file, p.row, p.column) for p in _plan_files(_problems(data, params))}
    assert ("actions.csv", 3, "id") in found
    assert ("finance.csv", 3, "line") in found
    assert ("audit_actions.csv", 2, "committees") in found


def test_percent_complete_out_of_range_and_an_early_revised_date(council):
    data, params = council
    _write(data, actions=ACTIONS.replace(",40,", ",140,").replace("2026-12-31", "2026-08-31"))
    with pytest.raises(DataValidationError) as exc:
        read_dataset(data, params)
    errors = [(p.row, p.column) for p in _plan_files(exc.value.problems)]
    warnings = [(p.row, p.column) for p in _plan_files(exc.value.warnings)]
    assert errors == [(2, "percent_complete")]
    assert warnings == [(3, "revised_due")]


def test_no_visibility_column_warns_that_every_row_is_public(council):
    data, params = council
    _write(
        data, risks=RISKS.replace(",visibility", "").replace(",public", "").replace(",internal", "")
    )
    ds = read_dataset(data, params)
    [w] = _plan_files(ds.warnings)
    assert (w.file, w.column, w.severity) == ("risks.csv", "visibility", "warning")


# -- council.yaml ---------------------------------------------------------------------------
def _settings_problems(params: Path, text: str) -> list[tuple]:
    yaml = (params / "council.yaml").read_text(encoding="utf-8")
    (params / "council.yaml").write_text(yaml + text, encoding="utf-8")
    with pytest.raises(DataValidationError) as exc:
        read_settings(params)
    return [(p.column, p.value) for p in exc.value.problems]


def test_plan_settings_default_and_merge_over_the_defaults(council):
    _, params = council
    yaml = (params / "council.yaml").read_text(encoding="utf-8")
    extra = "actions:\n  status_rag: {deferred: grey}\nfinance:\n  unit: £m\n  combine: and\n"
    (params / "council.yaml").write_text(yaml + extra, encoding="utf-8")
    plan = read_settings(params).council.plan
    assert plan.actions.rag_for("deferred") == "Grey"
    assert plan.actions.rag_for("at risk") == "Amber"  # untouched default
    assert (plan.finance.unit, plan.finance.combine) == ("currency_millions", "and")
    assert plan.finance.tolerance_percent == 2.0
    assert plan.risks.bands[-1].max == 25


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("actions:\n  overdue_rag: Purple\n", ("actions.overdue_rag", "Purple")),
        ("actions:\n  status_rag: {late: Red}\n", ("actions.status_rag.late", "late")),
        ("risks:\n  scale: 4\n", ("risks.bands", None)),
        (
            "risks:\n  bands:\n    - {name: Low, max: 4, rag: Green}\n"
            "    - {name: High, max: 20, rag: Red}\n",
            ("risks.bands", 20),
        ),
        ("risks:\n  matrix: [[Low]]\n", ("risks.matrix", [["Low"]])),
        ("finance:\n  tolerance_percent: -1\n", ("finance.tolerance_percent", -1)),
        ("finance:\n  unit: percent\n", ("finance.unit", "percent")),
        ("finance:\n  colour: red\n", ("finance.colour", None)),
    ],
)
def test_plan_setting_mistakes_name_the_key_and_value(council, text, expected):
    _, params = council
    assert expected in _settings_problems(params, text)
