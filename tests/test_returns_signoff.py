"""Sign-off, locked periods, the audit trail and the status report with its reminders.

The small council (tests/conftest.py): R2 is collected by C. Eve and reviewed by D. Fox;
Head of Waste's R1 and R3 by A. Cole, reviewed by B. Dune. Every Q2 figure is due 15 October
2026 (a Thursday).
"""

from __future__ import annotations

import datetime as dt
import email
from email import policy

import pytest
from test_returns_import import GOOD_R2, run
from test_returns_make import Q2, fill, made

from pmlib.cli.main import main
from pmlib.core.errors import ParameterError
from pmlib.data.validate import read_dataset
from pmlib.returns.audit import log_path, read_log, verify
from pmlib.returns.config import read_returns_settings
from pmlib.returns.due import quarter_of
from pmlib.returns.signoff import SignOffError, set_lock, sign_off
from pmlib.returns.status import write_status


def submitted(council, tmp_path):
    """Head of Revenues' return imported: R2 July-September submitted by C. Eve."""
    paths = made(council, tmp_path)
    (out,) = run(council, tmp_path, [fill(paths["Head of Revenues"], GOOD_R2)])
    assert out.result == "merged"
    return paths


def status_of(council, ids=("R2",)):
    data, params = council
    act = read_dataset(data, params).actuals
    act = act[act["indicator_id"].isin(ids) & act["period"].str.startswith("2026-0")]
    return dict(
        zip(act["period"], zip(act["status"], act["approved_by"], strict=True), strict=True)
    )


def signoff(council, action, by, **kw):
    data, params = council
    return sign_off(action, Q2, by, data_dir=data, params_dir=params,
                    today=dt.date(2026, 10, 21), **kw)  # fmt: skip


def test_the_collector_cannot_approve_and_the_reviewer_can(council, tmp_path):
    submitted(council, tmp_path)
    with pytest.raises(SignOffError, match="R2 2026-07 was collected by C. Eve"):
        signoff(council, "approve", "c. eve", indicators=["R2"])  # any letter case
    assert status_of(council)["2026-07"][0] == "submitted"  # nothing approved
    done = signoff(council, "approve", "D. Fox", owner="Head of Revenues")
    assert done.changed == ["R2 2026-07", "R2 2026-08", "R2 2026-09"] and not done.warnings
    assert status_of(council)["2026-09"] == ("approved", "D. Fox")
    # R1 and R3 were not returned: skipped, not approved
    other = signoff(council, "approve", "B. Dune", indicators=["R1"])
    assert other.changed == [] and other.skipped == ["R1 2026/27 Q2: not returned"]


def test_an_approver_other_than_the_reviewer_is_warned(council, tmp_path):
    submitted(council, tmp_path)
    done = signoff(council, "approve", "Z. Head", indicators=["R2"])
    assert done.warnings[0] == "R2 2026-07: approved by Z. Head, but its data reviewer is D. Fox"


def test_reject_sends_back_to_draft_with_the_reason_in_the_next_reminder(council, tmp_path):
    data, params = council
    submitted(council, tmp_path)
    signoff(council, "approve", "D. Fox", indicators=["R2"])
    with pytest.raises(Exception, match="needs a reason"):
        signoff(council, "reject", "D. Fox", indicators=["R2"])
    signoff(council, "reject", "D. Fox", indicators=["R2"], reason="August looks doubled")
    assert status_of(council)["2026-08"][0] == "draft"
    last = read_log(data)[-1]
    assert (last["action"], last["old"], last["new"], last["note"]) == (
        "reject", "approved", "draft", "August looks doubled"
    )  # fmt: skip
    ds = read_dataset(data, params)
    table, _, emails = write_status(
        ds, quarter_of(Q2, ds), tmp_path / "returns", read_returns_settings(params),
        dt.date(2026, 10, 21),
    )  # fmt: skip
    row = table.set_index("owner").loc["Head of Revenues"]
    assert (row["returned"], row["outstanding"], row["rejected"]) == (0, 3, 3)
    eml = next(p for p in emails if p.name == "head-of-revenues.eml")
    body = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert "R2 2026-08: August looks doubled" in body.get_body(("plain",)).get_content()


def test_lock_refuses_imports_and_sign_off_until_unlocked_with_a_reason(council, tmp_path):
    data, params = council
    paths = submitted(council, tmp_path)
    assert set_lock(True, Q2, "Q. Dawson", data_dir=data, params_dir=params) == (
        "2026/27 Q2 locked by Q. Dawson."
    )
    (out,) = run(council, tmp_path, [fill(paths["Head of Waste"], {("R3", Q2): {"Value": 5}})])
    assert out.result == "refused" and "2026/27 Q2 was locked by Q. Dawson" in str(out.problems[0])
    with pytest.raises(SignOffError, match="is locked"):
        signoff(council, "approve", "D. Fox", indicators=["R2"])
    with pytest.raises(Exception, match="Unlocking needs a reason"):
        set_lock(False, Q2, "Q. Dawson", data_dir=data, params_dir=params)
    set_lock(False, Q2, "Q. Dawson", reason="R3 was late", data_dir=data, params_dir=params)
    assert run(council, tmp_path, [paths["Head of Waste"]])[0].result == "merged"
    actions = [r["action"] for r in read_log(data) if not r["key"]]
    assert actions == ["import", "lock", "unlock", "import"]


def test_verify_finds_an_edited_or_deleted_entry(council, tmp_path, capsys):
    data, params = council
    submitted(council, tmp_path)
    assert verify(data) == (True, "audit_log.csv: 7 entries, chain intact")
    lines = log_path(data).read_text(encoding="utf-8").splitlines(keepends=True)
    # line 1 is the header, line 2 the import's summary, line 3 R2 July's value
    assert ",R2|2026-07,value,,19.5," in lines[2]
    edited = lines[:2] + [lines[2].replace(",19.5,", ",91.5,")] + lines[3:]
    log_path(data).write_text("".join(edited), encoding="utf-8")
    ok, message = verify(data)
    assert not ok
    assert message == (
        "audit_log.csv, line 3 (entry 2): its contents were edited after it was written"
    )
    assert main(["audit", "--verify", "--data", str(data), "--params", str(params)]) == 1
    log_path(data).write_text("".join(lines[:3] + lines[4:]), encoding="utf-8")
    assert "expected entry 3; an entry was deleted or moved" in verify(data)[1]


def test_audit_shows_the_history_of_a_figure(council, tmp_path, capsys):
    data, params = council
    submitted(council, tmp_path)
    signoff(council, "approve", "D. Fox", indicators=["R2"])
    assert main(["audit", "--indicator", "R2", "--data", str(data), "--params", str(params)]) == 0
    out = capsys.readouterr().out
    assert "P. Officer       import   2026/27 Q2  actuals R2 2026-08 value: (blank) -> 18" in out
    assert (
        "D. Fox           approve  2026/27 Q2  actuals R2 2026-08 status: submitted -> approved"
        in out
    )


def test_status_overdue_and_escalation_to_the_head_of_service(council, tmp_path):
    data, params = council
    (params / "returns.yaml").write_text(
        "return_to: performance@testshire.gov.uk\nescalate_after: 3\n"
        "contacts:\n  Head of Waste: waste@testshire.gov.uk\n"
        "  Director of Place: place@testshire.gov.uk\n"
        "heads_of_service:\n  Head of Waste: Director of Place\n",
        encoding="utf-8",
    )
    submitted(council, tmp_path)
    ds = read_dataset(data, params)
    settings = read_returns_settings(params)
    # Tuesday 20 October: 3 working days overdue (16, 19, 20): a reminder, not yet escalated
    table, csv, emails = write_status(ds, quarter_of(Q2, ds), tmp_path / "returns", settings,
                                      dt.date(2026, 10, 20))  # fmt: skip
    waste = table.set_index("owner").loc["Head of Waste"]
    assert (waste["outstanding"], waste["working_days_overdue"], waste["step"]) == (
        2,
        3,
        "reminder",
    )
    revenues = table.set_index("owner").loc["Head of Revenues"]
    assert (revenues["awaiting_review"], revenues["step"]) == (3, "")
    assert [p.name for p in emails] == ["head-of-waste.eml"]
    assert csv.read_bytes().startswith(b"\xef\xbb\xbf")  # a BOM: Excel reads it as UTF-8
    assert csv.read_text(encoding="utf-8-sig").startswith("owner,figures_due,returned,outstanding")
    # Wednesday 21 October: 4 working days: copied to the head of service
    _, _, emails = write_status(ds, quarter_of(Q2, ds), tmp_path / "returns", settings,
                                dt.date(2026, 10, 21))  # fmt: skip
    msg = email.message_from_bytes(emails[0].read_bytes(), policy=policy.default)
    assert msg["To"] == "Head of Waste <waste@testshire.gov.uk>"
    assert msg["Cc"] == "Director of Place <place@testshire.gov.uk>"
    assert msg["Subject"].startswith(
        "Overdue: Testshire District Council data return for 2026/27 Q2"
    )
    (attached,) = list(msg.iter_attachments())
    assert attached.get_filename() == "2026-27-Q2-head-of-waste.xlsx"


def test_report_data_quality_lists_late_changed_and_resubmitted_figures(council, tmp_path):
    from pmlib.reports.committee import CommitteeReport

    data, params = council
    paths = submitted(council, tmp_path)  # imported 20 October: 3 working days late
    signoff(council, "approve", "D. Fox", indicators=["R2"])
    july = {**GOOD_R2, ("R2", "2026-07"): {"Value": 19.0}}  # changed after approval
    # July's value, and its status back from approved to submitted
    assert run(council, tmp_path, [fill(paths["Head of Revenues"], july)])[0].changes == 2
    signoff(council, "reject", "D. Fox", indicators=["R2"], reason="check August")
    august = {**july, ("R2", "2026-08"): {"Value": 16}}
    run(council, tmp_path, [fill(paths["Head of Revenues"], august)])
    report = CommitteeReport.build(quarter=Q2, committee="cabinet", data_dir=data,
                                   params_dir=params, as_of=dt.date(2026, 10, 21))  # fmt: skip
    f = report.findings[report.findings["indicator_id"].eq("R2")]
    got = set(zip(f["issue"], f["detail"], strict=True))
    late = "due 2026-10-15, 3 working day(s) late"
    now = dt.datetime.now(dt.UTC).date()  # the audit log records when things happened
    on = f"{now.day} {now:%B %Y}"
    assert {
        ("Changed after approval", f"2026-07: value changed {on}"),
        ("Rejected and re-submitted", f"2026-08: re-submitted {on} after rejection"),
        ("Returned late", f"2026-07: {late}"),
        ("Returned late", f"2026-09: {late}"),
    } <= got
    assert "Changed after approval" in report.data_quality().html


def test_an_unknown_indicator_is_named_with_each_due_id_once(council, tmp_path):
    # R2 is monthly (three figures due in Q2): its id is suggested once, not three times
    submitted(council, tmp_path)
    with pytest.raises(ParameterError, match="No figures for NOPE are due in 2026/27 Q2") as err:
        signoff(council, "approve", "D. Fox", indicators=["NOPE"])
    suggested = str(err.value).split("e.g. ", 1)[1].rstrip(".").split(", ")
    assert "R2" in suggested and len(suggested) == len(set(suggested))
