"""The committee cover report on a report's first page (pmlib.reports.cover).

Built on the small council of ``conftest.py``: its data are for 2026/27 Q1 (1 April to 30 June
2026) and its council.yaml sets ``submission_deadline_days: 15``, so Q1's data are due on
15 July 2026 and its report goes to the first meeting on or after that day.
"""

from __future__ import annotations

import re

import pytest

from pmlib.reports.committee import CommitteeReport

QUARTER = "2026/27 Q1"
HOSTILE = "<script>alert(1)</script>"


def _meetings(params, committee_title: str, text: str) -> None:
    path = params / "committees.yaml"
    old = f"    title: {committee_title}\n"
    body = path.read_text(encoding="utf-8")
    assert old in body
    path.write_text(body.replace(old, old + text), encoding="utf-8")


def _rows(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<th scope="row">([^<]+)</th><td>(.*?)</td>', html)


def _cover(council, committee: str = "environment") -> str:
    data, params = council
    report = CommitteeReport.build(
        quarter=QUARTER, committee=committee, data_dir=data, params_dir=params
    )
    return report.cover().html


MEETINGS = f"""\
    meetings:
      - date: 2026-07-09
        agenda_item: "4"
        recommendation: Too early for Q1's figures.
      - date: 2026-09-22
        agenda_item: "6"
        lead_member: Cllr O. Pryce, Portfolio Holder for Environment
        report_author: T. Reid, Performance Officer
        contact_officer: "T. Reid, 01632 960418 {HOSTILE}"
        recommendation: Members are asked to note the performance for Quarter 1 & the actions.
      - date: 2026-11-24
        agenda_item: "5"
"""


def test_cover_shows_the_meeting_the_report_goes_to_escaped(council):
    _meetings(council[1], "Environment Scrutiny", MEETINGS)
    html = _cover(council)
    # by hand: Q1 data due 15 July 2026, so 9 July is too early and 22 September is the meeting
    assert [label for label, _ in _rows(html)] == [
        "Council",
        "Committee",
        "Meeting",
        "Agenda item",
        "Lead member",
        "Report author",
        "Contact officer",
        "Period",
        "Data as at",
        "Generated",
        "Status",
        "Audience",
    ]
    rows = dict(_rows(html))
    assert rows["Meeting"] == "22 September 2026"
    assert rows["Agenda item"] == "6"
    assert rows["Lead member"] == "Cllr O. Pryce, Portfolio Holder for Environment"
    assert rows["Contact officer"] == "T. Reid, 01632 960418 &lt;script&gt;alert(1)&lt;/script&gt;"
    assert "<script>" not in html
    assert (
        "<p>Members are asked to note the performance for Quarter 1 &amp; the actions.</p>" in html
    )
    assert "Too early" not in html


@pytest.mark.parametrize(
    ("text", "meeting", "agenda"),
    [
        # a meeting on the very day the data are due counts
        (
            "    meetings:\n      - date: 2026-07-15\n        agenda_item: '3'\n",
            "15 July 2026",
            "3",
        ),
        # only some details given: only those are shown
        ("    meetings:\n      - date: 2026-10-01\n", "1 October 2026", None),
    ],
)
def test_the_meeting_and_only_the_details_given(council, text, meeting, agenda):
    _meetings(council[1], "Environment Scrutiny", text)
    rows = dict(_rows(_cover(council)))
    assert rows["Meeting"] == meeting
    assert rows.get("Agenda item") == agenda
    assert "Lead member" not in rows


@pytest.mark.parametrize(
    "text",
    [
        "",  # no meetings listed
        "    meetings:\n      - date: 2026-07-14\n        agenda_item: '2'\n",  # all too early
    ],
)
def test_without_a_meeting_the_cover_is_as_before(council, text):
    if text:
        _meetings(council[1], "Environment Scrutiny", text)
    html = _cover(council)
    assert [label for label, _ in _rows(html)] == [
        "Council",
        "Committee",
        "Period",
        "Data as at",
        "Generated",
        "Status",
        "Audience",
    ]
    assert "pmlib-recommendation" not in html


def test_a_working_day_deadline_picks_the_meeting_after_the_data_are_due(council):
    # 8 working days after Tuesday 30 June 2026 is Friday 10 July (no bank holiday between), so
    # a meeting on Thursday 9 July is too early and Friday 10 July takes the Q1 report
    data, params = council
    yaml = params / "council.yaml"
    body = yaml.read_text(encoding="utf-8")
    assert "submission_deadline_days: 15" in body
    yaml.write_text(
        body.replace("submission_deadline_days: 15", "submission_deadline: 8 working days"),
        encoding="utf-8",
    )
    _meetings(
        params,
        "Environment Scrutiny",
        """\
    meetings:
      - date: 2026-07-09
        agenda_item: "3"
      - date: 2026-07-10
        agenda_item: "7"
""",
    )
    rows = dict(_rows(_cover(council)))
    assert rows["Meeting"] == "10 July 2026" and rows["Agenda item"] == "7"
