"""The sign-off gate (pmlib.reports.signoff) and ``pmlib run --status final``.

Built on the small council of ``conftest.py``; its actuals (all approved) are:

- R1 (Household waste recycled, owner Head of Waste, collector A. Cole): 2026/27 Q1
- R2 (Days to process new benefit claims, owner Head of Revenues, collector C. Eve): 2026-04,
  2026-05
- R3 (Fly-tipping incidents, internal): 2026/27 Q1

Each test makes some of them unapproved and works out by hand what a 2026/27 Q1 report shows.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from pmlib.cli.main import main
from pmlib.core.periods import parse_period
from pmlib.data.validate import read_dataset
from pmlib.reports.committee import CommitteeReport
from pmlib.reports.signoff import SignOffError, check_signoff, unapproved_figures

QUARTER = "2026/27 Q1"


def _set_status(data, changes: dict[tuple[str, str], dict[str, str]]) -> None:
    """Rewrite actuals rows: ``{(indicator, period): {column: value}}``."""
    path = data / "actuals.csv"
    act = pd.read_csv(path, dtype=str, keep_default_na=False)
    for (ind, period), cols in changes.items():
        row = act["indicator_id"].eq(ind) & act["period"].eq(period)
        assert row.sum() == 1
        for col, value in cols.items():
            act.loc[row, col] = value
    act.to_csv(path, index=False)


SUBMITTED = {"status": "submitted", "approved_by": "", "approved_at": ""}
DRAFT_NO_COLLECTOR = {"status": "draft", "approved_by": "", "approved_at": "", "collected_by": ""}


@pytest.mark.parametrize(
    ("changes", "committee", "expected"),
    [
        ({}, "cabinet", []),
        (
            {("R1", "2026/27 Q1"): SUBMITTED},
            "cabinet",
            [("R1", "2026/27 Q1", "submitted", "Head of Waste", "A. Cole")],
        ),
        (
            # the collector falls back to the indicator's data_collector when collected_by is blank
            {("R2", "2026-05"): DRAFT_NO_COLLECTOR, ("R1", "2026/27 Q1"): SUBMITTED},
            "cabinet",
            [
                ("R1", "2026/27 Q1", "submitted", "Head of Waste", "A. Cole"),
                ("R2", "2026-05", "draft", "Head of Revenues", "C. Eve"),
            ],
        ),
        # R3 is internal: not in the public cabinet's report, so it does not stop it...
        ({("R3", "2026/27 Q1"): SUBMITTED}, "cabinet", []),
        # ...but it does stop the internal board's
        (
            {("R3", "2026/27 Q1"): SUBMITTED},
            "board",
            [("R3", "2026/27 Q1", "submitted", "Head of Waste", "A. Cole")],
        ),
        # R2 belongs to resources only (priority Efficient): environment's report is unaffected
        ({("R2", "2026-04"): SUBMITTED}, "environment", []),
    ],
)
def test_unapproved_figures_in_a_report(council, changes, committee, expected):
    data, params = council
    _set_status(data, changes)
    ds = read_dataset(data, params)
    found = unapproved_figures(ds, ds.settings.committees[committee], parse_period(QUARTER))
    got = list(found[["indicator_id", "period", "status", "owner", "collector"]].itertuples(False))
    assert [tuple(r) for r in got] == expected


def test_figures_outside_the_reports_history_window_do_not_count(council):
    data, params = council
    path = data / "actuals.csv"
    # 2023/24 Q4 ends 11 quarters before 2026/27 Q1 ends; the trend charts show 8 quarters
    # (2024/25 Q2 to 2026/27 Q1), so only the 2024/25 Q2 figure is in the report
    path.write_text(
        path.read_text(encoding="utf-8")
        + "R1,2023/24 Q4,40,400,1000,submitted,A. Cole,2024-04-08,,\n"
        + "R1,2024/25 Q2,41,410,1000,submitted,A. Cole,2024-10-08,,\n",
        encoding="utf-8",
    )
    targets = data / "targets.csv"
    targets.write_text(
        targets.read_text(encoding="utf-8") + "R1,2023/24,50,,,\nR1,2024/25,50,,,\n",
        encoding="utf-8",
    )
    ds = read_dataset(data, params)
    found = unapproved_figures(ds, ds.settings.committees["cabinet"], parse_period(QUARTER))
    assert found["period"].tolist() == ["2024/25 Q2"]


def test_check_signoff_lists_each_figure_once_with_owner_and_collector(council):
    data, params = council
    _set_status(data, {("R1", "2026/27 Q1"): SUBMITTED})
    ds = read_dataset(data, params)
    both = [ds.settings.committees["cabinet"], ds.settings.committees["environment"]]
    with pytest.raises(SignOffError) as err:
        check_signoff(ds, both, parse_period(QUARTER))
    text = str(err.value)
    assert text.startswith("Cannot render the final report for 2026/27 Q1: 1 figure in it is")
    assert "R1 Household waste recycled, 2026/27 Q1: submitted (owner Head of Waste; " in text
    assert "collected by A. Cole)" in text
    assert text.count("R1 Household") == 1  # in both reports, listed once
    assert "--allow-unapproved" in text and "--status draft" in text
    allowed = check_signoff(ds, both, parse_period(QUARTER), allow_unapproved=True)
    assert allowed["indicator_id"].tolist() == ["R1"]


def test_a_final_report_refuses_and_a_draft_renders_as_before(council):
    data, params = council
    _set_status(data, {("R1", "2026/27 Q1"): SUBMITTED})
    kw = {"quarter": QUARTER, "committee": "cabinet", "data_dir": data, "params_dir": params}
    with pytest.raises(SignOffError, match="R1 Household waste recycled"):
        CommitteeReport.build(**kw, status="final")
    draft = CommitteeReport.build(**kw)
    assert "provisional" not in draft.scorecard().html
    assert "provisional" not in draft.cover().html.lower()


def test_allow_unapproved_marks_each_such_figure_provisional(council):
    data, params = council
    _set_status(data, {("R1", "2026/27 Q1"): SUBMITTED})
    report = CommitteeReport.build(
        quarter=QUARTER,
        committee="cabinet",
        data_dir=data,
        params_dir=params,
        status="final",
        allow_unapproved=True,
        signed_off_by="Director <b>X</b>",
    )
    card = report.scorecard().html
    # R1's 48.5% is provisional; R2's 20.75 -> 20.8 days is approved and unmarked
    assert "48.5% (provisional)" in card
    assert "20.8 days (provisional)" not in card and "20.8 days" in card
    r1 = next(h.html for h, _, _ in report.exception_sections() if 'id="ex-R1"' in h.html)
    assert "<td>48.5% (provisional)</td>" in r1
    cover = report.cover().html
    assert "1 figure in this report is not yet approved and is marked provisional: " in cover
    assert "R1 (2026/27 Q1, submitted)" in cover
    assert '<th scope="row">Signed off by</th><td>Director &lt;b&gt;X&lt;/b&gt;</td>' in cover


def test_signed_off_by_is_not_shown_on_a_draft(council):
    data, params = council
    report = CommitteeReport.build(
        quarter=QUARTER, committee="cabinet", data_dir=data, params_dir=params, signed_off_by="Y"
    )
    assert "Signed off by" not in report.cover().html


# --- the command line ------------------------------------------------------------------------


def test_run_final_with_an_unapproved_figure_exits_non_zero_naming_it(council, tmp_path, capsys):
    data, params = council
    _set_status(data, {("R2", "2026-05"): SUBMITTED})
    out = tmp_path / "out"
    argv = ["run", "--quarter", QUARTER, "--data", str(data), "--params", str(params)]
    code = main([*argv, "--status", "final", "--out", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert code == 1
    assert "R2 Days to process new benefit claims, 2026-05: submitted" in err
    assert "(owner Head of Revenues; collected by C. Eve)" in err
    assert not out.exists()  # nothing rendered


@pytest.mark.parametrize("flag", [["--allow-unapproved"], ["--signed-off-by", "A. Director"]])
def test_signoff_flags_need_a_final_run(council, tmp_path, capsys, flag):
    data, params = council
    argv = ["run", "--quarter", QUARTER, "--data", str(data), "--params", str(params)]
    assert main([*argv, *flag, "--out", str(tmp_path / "out"), "--quiet"]) == 1
    assert f"{flag[0]} applies to a final report only" in capsys.readouterr().err


@pytest.mark.notebook
def test_run_final_allowing_unapproved_records_the_signoff_in_the_manifest(council, tmp_path):
    data, params = council
    _set_status(data, {("R1", "2026/27 Q1"): SUBMITTED})
    out = tmp_path / "out"
    argv = ["run", "--quarter", QUARTER, "--data", str(data), "--params", str(params)]
    argv += ["--committee", "environment", "--status", "final", "--allow-unapproved"]
    assert (
        main([*argv, "--signed-off-by", "J. Bloggs, Executive Director", "--out", str(out), "-q"])
        == 0
    )  # noqa: E501
    run = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["run"]
    assert run["signed_off_by"] == "J. Bloggs, Executive Director"
    assert run["provisional"] == [
        {"indicator": "R1", "period": "2026/27 Q1", "status": "submitted"}
    ]
    html = (out / "environment.html").read_text(encoding="utf-8")
    assert "J. Bloggs, Executive Director" in html
    assert "48.5% (provisional)" in html
