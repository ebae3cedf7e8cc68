"""The committee report's key actions, risks, audit actions and budget sections: shown only when
the committee has items, never showing an internal item to a public committee, escaping officer
text; their charts carry a text alternative."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from pmlib.core.model import Committee
from pmlib.present.figures import Figure
from pmlib.present.risk_charts import risk_heat_map, variance_chart
from pmlib.rating.risks import heat_counts
from pmlib.reports.committee import CommitteeReport
from pmlib.reports.plan_sections import items_for, plan_sections
from tests.test_plan_tables import ALL

AS_OF = dt.date(2026, 8, 1)


def _report(data, params, committee: str) -> CommitteeReport:
    return CommitteeReport.build(
        quarter="2026/27 Q1", committee=committee, data_dir=data, params_dir=params, as_of=AS_OF
    )


def _text(items) -> str:
    """Everything a section shows, as text: HTML fragments and each chart's whole spec."""
    parts = []
    for item in items:
        if isinstance(item, Figure):
            parts.append(json.dumps(item.chart.to_dict(validate=False)))
        else:
            parts.append(item.html)
    return "\n".join(parts)


@pytest.fixture
def plan_council(council):
    data, params = council
    for name, text in ALL.items():
        (data / f"{name}.csv").write_text(text, encoding="utf-8")
    return data, params


def test_a_council_without_the_tables_gets_no_new_sections_or_contents(council):
    report = _report(*council, "cabinet")
    sections = plan_sections(report)
    assert sections.present() == [] and sections.sections() == []
    assert sections.tables() == {}
    assert "key-actions" not in report.contents().html


def test_each_section_appears_only_for_committees_with_items(plan_council):
    shown = {
        c: plan_sections(_report(*plan_council, c)).present() for c in ("cabinet", "resources")
    }
    # cabinet takes everything; resources (priority Efficient, indicator R2) gets A2 (Efficient)
    # and nothing else: K1 is Greener and names environment, audit and finance name no
    # committee (so they go to the committees that take every indicator)
    assert shown == {
        "cabinet": ["actions", "risks", "audit", "finance"],
        "resources": ["actions"],
    }
    contents = _report(*plan_council, "cabinet").contents().html
    for anchor in ("key-actions", "strategic-risks", "internal-audit-actions", "budget-monitoring"):
        assert f'href="#{anchor}"' in contents


def test_a_public_report_never_shows_an_internal_risk_and_an_internal_one_does(plan_council):
    public = _text(plan_sections(_report(*plan_council, "cabinet")).sections())
    internal = _text(plan_sections(_report(*plan_council, "board")).sections())
    assert "Cyber attack" not in public and "K2" not in public
    assert "Cyber attack" in internal and "K2" in internal
    tables = plan_sections(_report(*plan_council, "cabinet")).tables()
    assert list(tables["risks"]["id"]) == ["K1"]


def test_officer_text_is_escaped(plan_council):
    data, params = plan_council
    hostile = '<script>alert("x")</script>'
    text = ALL["action_updates"].replace("Site cleared.", hostile)
    text = text.replace("A1,2026/27 Q1,on track", "A1,2026/27 Q1,at risk")  # so A1 gets a card
    (data / "action_updates.csv").write_text(text, encoding="utf-8")
    html = _text(plan_sections(_report(data, params, "cabinet")).sections())
    assert hostile not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_key_actions_section_lists_at_risk_actions_with_updates_and_the_golden_thread(plan_council):
    items = plan_sections(_report(*plan_council, "cabinet")).key_actions()
    html = _text(items)
    # Q1 (to 30 June): A2 at risk (Amber), due 30 September revised to 31 December; A1 on track
    assert "2 key actions in 2026/27 Q1: 1 Amber, 1 Green." in html
    assert 'id="act-A2"' in html and 'id="act-A1"' not in html
    assert "Supplier late." in html
    assert "Golden thread" in html and "Fast benefits" in html


def test_items_for_selects_by_priority_committee_and_linked_indicator():
    frame = pd.DataFrame(
        {
            "id": ["a", "b", "c", "d", "e"],
            "priority": ["P", None, None, None, "P"],
            "committees": [None, "x; y", None, None, None],
            "linked_indicators": [None, None, "I1", "I9", None],
            "visibility": ["public", "public", "public", "public", "internal"],
        }
    )
    c = Committee("y", "Y", priorities=("P",))
    assert list(items_for(frame, c, {"I1"}, plan_items=True)["id"]) == ["a", "b", "c"]
    internal = Committee("y", "Y", audience="internal", priorities=("P",))
    assert list(items_for(frame, internal, {"I1"}, plan_items=True)["id"]) == ["a", "b", "c", "e"]
    # audit actions and budget lines: the committees named; a committee that takes every
    # indicator takes every public item, named for another committee ("b") or for none
    everything = Committee("all", "All", all_indicators=True)
    assert list(items_for(frame, c, set(), plan_items=False)["id"]) == ["b"]
    assert list(items_for(frame, everything, set(), plan_items=False)["id"]) == ["a", "b", "c", "d"]


def test_heat_map_has_a_cell_per_score_counts_and_a_description():
    rated = pd.DataFrame({"id": ["K1", "K2", "K3"], "likelihood": [3, 3, 1], "impact": [4, 4, 5]})
    spec = risk_heat_map(heat_counts(rated)).to_dict(validate=False)
    data = next(iter(spec["datasets"].values()))
    assert len(data) == 25
    labels = {(d["likelihood"], d["impact"]): d["label"] for d in data}
    assert labels[(3, 4)] == "2" and labels[(1, 5)] == "1" and labels[(5, 5)] == ""
    assert spec["description"].startswith("Risk heat map of 3 risks")
    assert "2 at likelihood 3, impact 4 (High, score 12): K1; K2" in spec["description"]


def test_variance_chart_describes_every_bar():
    rated = pd.DataFrame(
        {
            "service": ["Waste", "Parks"],
            "line": ["revenue", "capital"],
            "variance": [150.0, -20.0],
            "variance_pounds": [150_000.0, -20_000.0],
            "unit": ["currency_thousands"] * 2,
            "band": ["Overspend", "Within tolerance"],
            "rag": ["Red", "Green"],
        }
    )
    spec = variance_chart(rated).to_dict(validate=False)
    assert spec["description"] == (
        "Budget variance by service (forecast outturn minus budget). "
        "Waste (revenue): +£150k (Overspend); Parks (capital): −£20k (Within tolerance)."
    )
    rows = [d["row"] for d in next(iter(spec["datasets"].values()))]
    assert rows == ["Waste (revenue): +£150k", "Parks (capital): −£20k"]  # the axis labels
    assert spec["layer"][0]["encoding"]["y"]["axis"]["labelExpr"] == ("split(datum.label, '|')")


def test_csv_twins_hold_only_the_shown_sections_rows(plan_council):
    tables = plan_sections(_report(*plan_council, "resources")).tables()
    assert list(tables) == ["actions"]
    assert list(tables["actions"]["id"]) == ["A2"]
    assert {"rag", "rag_reason", "overdue", "update"} <= set(tables["actions"].columns)


def test_the_explorer_shows_the_committees_actions_and_risks(plan_council):
    from pmlib.data.validate import read_dataset
    from pmlib.explore.explorer import Explorer

    data, params = plan_council
    ex = Explorer(dataset=read_dataset(data, params), background=False)
    ex.view()
    ex.widgets["committee"].value = "cabinet"
    shown = ex.widgets["plan"].value
    assert "Key actions" in shown and "A2" in shown and "K1" in shown
    assert "K2" not in shown  # internal risk, public committee
    ex.widgets["committee"].value = "board"
    assert "K2" in ex.widgets["plan"].value


def test_the_explorer_shows_nothing_new_without_the_tables(council):
    from pmlib.data.validate import read_dataset
    from pmlib.explore.explorer import Explorer

    ex = Explorer(dataset=read_dataset(*council), background=False)
    ex.view()
    assert ex.widgets["plan"].value == ""
