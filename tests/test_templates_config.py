"""council.yaml ``narrative_headings`` and committees.yaml ``meetings`` (pmlib.config.templates).

Built on the small council of ``conftest.py``. Its only narrative is R1's for 2026/27 Q1
(performance_update "Slightly below target.", approach "Door-stepping.", future_plans "New bins
in Q3.", issues "None."), and R1 and R2 are Amber in 2026/27 Q1 (see test_layout.py), so both are
exceptions and R2 has no commentary.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from pmlib.config.settings import read_settings
from pmlib.config.templates import Meeting, meeting_for
from pmlib.core.errors import DataValidationError
from pmlib.core.model import DEFAULT_NARRATIVE_HEADINGS
from pmlib.data.quality import has_narrative
from pmlib.present.fragments import narrative_block
from pmlib.present.navigation import anchor_id
from pmlib.reports.committee import CommitteeReport

QUARTER = "2026/27 Q1"


def _add(params, name: str, text: str) -> None:
    path = params / name
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def _problems(params) -> list[tuple[str, str]]:
    with pytest.raises(DataValidationError) as err:
        read_settings(params)
    return [(str(p.column), p.message) for p in err.value.problems]


# --- narrative headings -------------------------------------------------------------------------


def test_no_narrative_headings_keeps_the_four_default_headings(council):
    _, params = council
    assert read_settings(params).council.narrative_headings == DEFAULT_NARRATIVE_HEADINGS


def test_narrative_headings_are_read_in_the_order_written(council):
    _, params = council
    _add(
        params,
        "council.yaml",
        "narrative_headings:\n"
        "  approach: Remedial actions\n"
        "  performance_update: Factors behind performance\n",
    )
    assert read_settings(params).council.narrative_headings == (
        ("approach", "Remedial actions"),
        ("performance_update", "Factors behind performance"),
    )


@pytest.mark.parametrize(
    ("yaml", "problem"),
    [
        (
            "narrative_headings:\n  commentary: Commentary\n",
            ("narrative_headings.commentary", "is not a narrative column"),
        ),
        (
            "narrative_headings:\n  approach: ''\n",
            ("narrative_headings.approach", "a heading must be some text"),
        ),
        (
            "narrative_headings: [approach]\n",
            (
                "narrative_headings",
                "expected a mapping from narrative column to heading, in the order shown",
            ),
        ),
    ],
)
def test_bad_narrative_headings_are_problems_naming_the_key(council, yaml, problem):
    _, params = council
    _add(params, "council.yaml", yaml)
    assert problem in _problems(params)


def test_narrative_block_shows_only_listed_columns_under_escaped_headings():
    row = {"performance_update": "Up.", "approach": "Bins.", "future_plans": "More.", "issues": "X"}
    html = narrative_block(
        row, headings=(("approach", "Actions <to> improve"), ("performance_update", "Overview"))
    ).html
    assert "Actions &lt;to&gt; improve" in html
    # order as listed: approach first; future_plans and issues not shown at all
    assert html.index("Bins.") < html.index("Up.")
    assert "More." not in html and "Future plans" not in html and ">X<" not in html


def test_has_narrative_reads_only_the_listed_parts():
    narr = pd.DataFrame(
        {
            "performance_update": [None, "Written", None],
            "approach": [None, None, "   "],
            "issues": ["Only issues", None, None],
        }
    )
    # by hand: row 0 has issues only; row 1 performance_update; row 2 only blanks
    assert has_narrative(narr).tolist() == [True, True, False]
    assert has_narrative(narr, ["performance_update", "approach"]).tolist() == [False, True, False]


def test_report_uses_the_councils_headings_and_asks_only_for_listed_parts(council):
    data, params = council
    _add(
        params,
        "council.yaml",
        "narrative_headings:\n"
        "  performance_update: Factors that contributed\n"
        "  approach: Remedial actions\n"
        "  future_plans: When the actions take effect\n",
    )
    report = CommitteeReport.build(
        quarter=QUARTER, committee="cabinet", data_dir=data, params_dir=params
    )
    html = report.narrative_html("R1").html
    heads = ("Factors that contributed", "Remedial actions", "When the actions take effect")
    # each shown, in the order listed, with an id under R1's section (ex-R1-remedial-actions)
    where = [html.index(f'<h4 id="ex-R1-{anchor_id(h)}">{h}</h4>') for h in heads]
    assert where == sorted(where)
    assert "Issues and risks" not in html and "None." not in html
    assert "Slightly below target." in html


def test_text_only_in_an_unlisted_column_counts_as_no_commentary(council):
    data, params = council
    # R1's narrative keeps only its issues part; the council does not ask for issues
    narr = data / "narratives.csv"
    narr.write_text(
        "indicator_id,period,performance_update,approach,future_plans,issues,author,updated_at\n"
        "R1,2026/27 Q1,,,,Staff shortages.,Head of Waste,2026-07-12\n",
        encoding="utf-8",
    )
    _add(params, "council.yaml", "narrative_headings:\n  performance_update: Update\n")
    report = CommitteeReport.build(
        quarter=QUARTER, committee="cabinet", data_dir=data, params_dir=params
    )
    lacking = report.findings[report.findings["issue"].eq("Narrative not provided")]
    assert lacking["indicator_id"].tolist() == ["R1", "R2"]
    assert "narrative-missing" in report.narrative_html("R1").html


# --- meetings -----------------------------------------------------------------------------------

MEETINGS = """\
    meetings:
      - date: 2026-11-12
        agenda_item: "7"
        lead_member: Cllr A. Patel, Portfolio Holder for Environment
        report_author: J. Smith, Performance Officer
        contact_officer: J. Smith, 01234 567890
        recommendation: Members are asked to note the performance for Quarter 2.
      - date: 2026-09-03
        agenda_item: "5"
"""


def _with_meetings(params, text: str = MEETINGS) -> None:
    path = params / "committees.yaml"
    lines = path.read_text(encoding="utf-8").replace(
        "    title: Environment Scrutiny\n", "    title: Environment Scrutiny\n" + text
    )
    path.write_text(lines, encoding="utf-8")


def test_meetings_are_read_in_date_order(council):
    _, params = council
    _with_meetings(params)
    meetings = read_settings(params).committees["environment"].meetings
    assert [m.date for m in meetings] == [dt.date(2026, 9, 3), dt.date(2026, 11, 12)]
    assert meetings[1].lead_member == "Cllr A. Patel, Portfolio Holder for Environment"
    assert meetings[1].agenda_item == "7"
    assert meetings[0].recommendation == ""
    assert read_settings(params).committees["cabinet"].meetings == ()


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "    meetings:\n      - agenda_item: '5'\n",
            ("committees[2].meetings[1].date", "a meeting needs its date"),
        ),
        (
            "    meetings:\n      - date: 12/11/2026\n",
            ("committees[2].meetings[1].date", "a meeting needs its date"),
        ),
        (
            "    meetings:\n      - date: 2026-11-12\n        chair: Cllr B\n",
            ("committees[2].meetings[1].chair", "unknown key"),
        ),
        (
            "    meetings:\n      - date: 2026-11-12\n      - date: 2026-11-12\n",
            ("committees[2].meetings[2].date", "two meetings on the same day"),
        ),
        (
            "    meetings: 2026-11-12\n",
            ("committees[2].meetings", "expected a list of meetings"),
        ),
        (
            "    meetings:\n      - date: 2026-11-12\n        lead_member: [a, b]\n",
            ("committees[2].meetings[1].lead_member", "expected text"),
        ),
    ],
)
def test_bad_meetings_are_problems_naming_the_committee_and_key(council, text, problem):
    _, params = council
    _with_meetings(params, text)
    assert problem in _problems(params)


@pytest.mark.parametrize(
    ("end", "due_days", "expected"),
    [
        # worked by hand from meetings on 3 Sep, 8 Oct and 12 Nov 2026
        (dt.date(2026, 6, 30), 0, dt.date(2026, 9, 3)),  # Q1: the next meeting after June
        (dt.date(2026, 9, 30), 0, dt.date(2026, 10, 8)),  # Q2, data due on the day
        (dt.date(2026, 9, 30), 15, dt.date(2026, 11, 12)),  # data due 15 Oct: 8 Oct is too soon
        (dt.date(2026, 9, 30), 8, dt.date(2026, 10, 8)),  # due 8 Oct: that day's meeting counts
        (dt.date(2026, 12, 31), 0, None),  # Q3: no meeting listed yet
    ],
)
def test_the_report_goes_to_the_first_meeting_once_its_data_is_due(end, due_days, expected):
    meetings = tuple(Meeting(dt.date(2026, m, d)) for m, d in ((9, 3), (10, 8), (11, 12)))
    found = meeting_for(meetings, end, data_due_days=due_days)
    assert (found.date if found else None) == expected
