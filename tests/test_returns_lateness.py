"""The quarterly return and time: figures reported in arrears are asked for their due period, and
a monthly figure that came in the quarter's return is judged by the return's deadline.

The small council (tests/conftest.py) counts 15 calendar days (council.yaml
``submission_deadline_days: 15``), so every figure in the 2026/27 Q2 return is due 15 October
2026 (30 September + 15), while validation on its own would want July's R2 figure by 15 August.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from test_returns_import import GOOD_R2, GOOD_WASTE, run
from test_returns_make import Q2, fill, made

from pmlib.cli.main import main
from pmlib.core.periods import parse_period
from pmlib.data.validate import read_dataset
from pmlib.reports.committee import CommitteeReport
from pmlib.returns.due import quarter_of, return_rows
from pmlib.returns.lateness import judged_by_returns
from pmlib.returns.quality import audit_findings

ON_TIME = dt.date(2026, 10, 14)  # a day before the return's deadline


def with_lags(data, lags: dict[str, str]) -> None:
    path = data / "indicators.csv"
    ind = pd.read_csv(path, dtype=str, keep_default_na=False)
    ind["reporting_lag"] = ind["id"].map(lags).fillna("")
    ind.to_csv(path, index=False)


def test_a_lagged_indicator_is_asked_for_the_period_a_report_shows(council):
    data, params = council
    # R1 (quarterly) a quarter in arrears; R2 (monthly) two months in arrears; R3 on time
    with_lags(data, {"R1": "1 quarter", "R2": "2 months"})
    ds = read_dataset(data, params)
    rows = return_rows(ds, quarter_of(Q2, ds))
    got = list(zip(rows["group"], rows["indicator_id"], rows["period"], strict=True))
    assert got == [
        # July, August, September each moved back two months
        ("Head of Revenues", "R2", "2026-05"),
        ("Head of Revenues", "R2", "2026-06"),
        ("Head of Revenues", "R2", "2026-07"),
        ("Head of Waste", "R1", "2026/27 Q1"),  # the Q2 report shows R1's Q1 figure
        ("Head of Waste", "R3", "2026/27 Q2"),
    ]
    # still one quarterly return: everything due 15 October, the narrative for the quarter
    assert set(rows["due"]) == {dt.date(2026, 10, 15)}
    r2 = rows[rows["indicator_id"].eq("R2")]
    assert list(r2["narrative_row"]) == [False, False, True]
    assert set(r2["narrative_period"]) == {Q2}
    # May's figure is held (19.4 in conftest), so its history is April only
    assert [h for h in r2["history"].iloc[0]] == [("2026-04", 22.1)]


def test_without_lags_the_return_is_unchanged(council):
    data, params = council
    ds = read_dataset(data, params)
    rows = return_rows(ds, quarter_of(Q2, ds))
    assert list(zip(rows["indicator_id"], rows["period"], strict=True)) == [
        ("R2", "2026-07"), ("R2", "2026-08"), ("R2", "2026-09"), ("R1", Q2), ("R3", Q2),
    ]  # fmt: skip


def _late(report) -> set[tuple[str, str]]:
    f = report.findings
    f = f[f["issue"].isin(["Submitted late", "Returned late"])]
    return set(zip(f["indicator_id"], f["issue"], strict=True))


def test_monthly_figures_returned_on_time_are_not_late(council, tmp_path, capsys):
    data, params = council
    paths = made(council, tmp_path)
    (out,) = run(council, tmp_path, [fill(paths["Head of Revenues"], GOOD_R2)], today=ON_TIME)
    assert out.result == "merged" and out.late_by == 0
    # R1's Q2 figure typed straight into the data folder on 20 October: 5 days after its
    # deadline, and not in any return, so it is still "Submitted late"
    with open(data / "actuals.csv", "a", encoding="utf-8") as fh:
        fh.write("R1,2026/27 Q2,51.2,512,1000,submitted,A. Cole,2026-10-20,,\n")
    ds = read_dataset(data, params, today=ON_TIME)
    late = [w for w in ds.warnings if w.message.startswith("submitted late")]
    # validation alone: July (due 15 August) and August (due 15 September) of R2, and R1
    assert sorted(w.value for w in late) == ["20 days after", "44 days after", "75 days after"]
    kept = [w for w in judged_by_returns(ds).warnings if w.message.startswith("submitted late")]
    assert [w.value for w in kept] == ["20 days after"]  # R1's, 20 October - 30 September
    report = CommitteeReport.build(quarter=Q2, committee="cabinet", data_dir=data,
                                   params_dir=params, as_of=dt.date(2026, 10, 21))  # fmt: skip
    assert _late(report) == {("R1", "Submitted late")}
    # pmlib validate says the same: R1's warning only
    capsys.readouterr()
    assert main(["validate", "--data", str(data), "--params", str(params)]) == 0
    shown = [line for line in capsys.readouterr().out.splitlines() if "submitted late" in line]
    # the count of that kind, then R1's in full: actuals.csv's header, four rows, the three
    # returned (rows 6-8), then R1 on row 9
    assert shown[0].strip() == "1 × submitted late (more than 15 days after the period ended)"
    assert shown[1].startswith("  - actuals.csv, row 9, column 'collected_at': submitted late")
    assert len(shown) == 2


def test_a_late_return_is_late_once_by_the_returns_deadline(council, tmp_path):
    data, params = council
    paths = made(council, tmp_path)
    (out,) = run(council, tmp_path, [fill(paths["Head of Revenues"], GOOD_R2)])  # 20 October
    assert out.late_by == 3
    report = CommitteeReport.build(quarter=Q2, committee="cabinet", data_dir=data,
                                   params_dir=params, as_of=dt.date(2026, 10, 21))  # fmt: skip
    f = report.findings[report.findings["indicator_id"].eq("R2")]
    assert set(f.loc[f["issue"].eq("Submitted late"), "detail"]) == set()
    assert set(f.loc[f["issue"].eq("Returned late"), "detail"]) == {
        f"2026-{m}: due 2026-10-15, 3 working day(s) late" for m in ("07", "08", "09")
    }


def test_a_lagged_figures_late_return_is_shown_where_the_figure_is_reported(council, tmp_path):
    """R1 is a quarter in arrears: the Q2 return asks for its Q1 figure (48.5, approved), and
    the Q2 report shows that Q1 figure. Corrected to 51.0 (on target: no narrative asked) in a return imported on Tuesday 20
    October, three working days after the 15 October deadline (16, 19, 20 October), the
    findings follow the figure into the Q2 report's data-quality section, not Q1's."""
    data, params = council
    with_lags(data, {"R1": "1 quarter"})
    paths = made(council, tmp_path)
    q1 = "2026/27 Q1"
    filled = fill(paths["Head of Waste"], {
        ("R1", q1): {"Value": 51.0, "Numerator": 510, "Denominator": 1000},
        ("R3", Q2): {"Value": 27},  # so the Q2 report has a Q2 figure
    })  # fmt: skip
    (out,) = run(council, tmp_path, [filled])  # 20 October
    assert out.result == "merged" and out.late_by == 3, [str(p) for p in out.problems]
    report = CommitteeReport.build(quarter=Q2, committee="cabinet", data_dir=data,
                                   params_dir=params, as_of=dt.date(2026, 10, 21))  # fmt: skip
    assert report.rated.set_index("indicator_id").loc["R1", "reported_period"] == q1
    f = report.findings[report.findings["indicator_id"].eq("R1")]
    found = dict(zip(f["issue"], f["detail"], strict=True))
    assert found["Returned late"] == "2026/27 Q1: due 2026-10-15, 3 working day(s) late"
    # the audit log's time is the clock's, not the import's `today`
    assert found["Changed after approval"].startswith("2026/27 Q1: value changed ")
    html = report.data_quality().html
    assert "Returned late" in html and "2026/27 Q1: due 2026-10-15" in html
    # the Q1 report shows R1's 2025/26 Q4 figure: nothing about the Q1 figure there
    ds = read_dataset(data, params)
    assert audit_findings(ds, parse_period(q1)).empty
    late = audit_findings(ds, parse_period(Q2))
    late = late[late["issue"].eq("Returned late")]
    assert list(zip(late["indicator_id"], late["detail"].str[:10], strict=True)) == [
        ("R1", "2026/27 Q1"), ("R3", "2026/27 Q2"),
    ]  # fmt: skip


def _set(data, column: str, values: dict[str, str]) -> None:
    path = data / "indicators.csv"
    ind = pd.read_csv(path, dtype=str, keep_default_na=False)
    ind[column] = ind["id"].map(values).fillna(ind.get(column, ""))
    ind.to_csv(path, index=False)


def _returned_late(data, params) -> dict[str, str]:
    f = audit_findings(read_dataset(data, params), parse_period(Q2))
    f = f[f["issue"].eq("Returned late")]
    return dict(zip(f["indicator_id"], f["detail"], strict=True))


def test_a_figure_is_returned_late_by_its_own_deadline(council, tmp_path):
    """R1 must be in 10 calendar days (Saturday 10 October), R3 in 25 (Sunday 25 October):
    the workbook is due when R1 is. Imported on Tuesday 20 October it is 7 working days late
    (12-16, 19, 20 October), and so is R1; R3 was on time."""
    data, params = council
    _set(data, "submission_deadline", {"R1": "10 days", "R3": "25 days"})
    paths = made(council, tmp_path)
    (out,) = run(council, tmp_path, [fill(paths["Head of Waste"], GOOD_WASTE)])  # 20 October
    assert out.result == "merged" and out.late_by == 7
    assert _returned_late(data, params) == {
        "R1": "2026/27 Q2: due 2026-10-10, 7 working day(s) late"
    }
    # with R3 due 15 October (the council's 15 days) it is late by the 3 working days since
    _set(data, "submission_deadline", {"R3": ""})
    assert _returned_late(data, params) == {
        "R1": "2026/27 Q2: due 2026-10-10, 7 working day(s) late",
        "R3": "2026/27 Q2: due 2026-10-15, 3 working day(s) late",
    }


def test_an_owner_whose_name_holds_late_does_not_make_a_return_late(council, tmp_path):
    data, params = council
    _set(data, "owner", {"R2": "J. Slater"})
    paths = made(council, tmp_path)
    (out,) = run(council, tmp_path, [fill(paths["J. Slater"], GOOD_R2)], today=ON_TIME)
    assert out.result == "merged" and out.late_by == 0
    assert _returned_late(data, params) == {}


def test_an_import_is_judged_on_the_uk_day_by_default(council, tmp_path, monkeypatch):
    """Without ``today`` the import takes the UK day (pmlib.core.workdays.uk_today, whose
    doctests turn 23:30 UTC on 15 October into 16 October), not the machine's own date."""
    import pmlib.returns.importer as importer

    data, params = council
    paths = made(council, tmp_path)
    monkeypatch.setattr(importer, "uk_today", lambda: dt.date(2026, 10, 16))  # Friday
    (out,) = importer.import_returns(
        [fill(paths["Head of Revenues"], GOOD_R2)], Q2, data_dir=data, params_dir=params,
        returns_dir=tmp_path / "returns", by="P. Officer",
    )  # fmt: skip
    assert out.result == "merged" and out.late_by == 1  # due Thursday 15 October
    act = read_dataset(data, params).actuals
    assert set(act.loc[act["indicator_id"].eq("R2") & act["period"].ge("2026-07"),
                       "collected_at"].dt.date) == {dt.date(2026, 10, 16)}  # fmt: skip
