"""Every report shows a figure the same way: the committee report's cells, its exception facts
and the explorer all go through pmlib's one formatter, so they agree with the rating reason.

The tiny council's R1 (recycling, percent) is published with 0 decimals here, so its Q1 value
48.5 is exactly half-way: a spreadsheet shows 49%, Python's half-to-even would show 48%.
"""

from __future__ import annotations

import datetime as dt

import pytest

from pmlib.explore.explorer import Explorer
from pmlib.reports.committee import CommitteeReport


@pytest.fixture
def half_way(council):
    data, params = council
    path = data / "indicators.csv"
    text = path.read_text(encoding="utf-8")
    old = "KPI,percent,1,higher"
    assert old in text
    path.write_text(text.replace(old, "KPI,percent,0,higher", 1), encoding="utf-8")
    return data, params


def test_committee_report_cells_round_like_excel(half_way):
    data, params = half_way
    report = CommitteeReport.build(
        quarter="2026/27 Q1",
        committee="environment",
        data_dir=data,
        params_dir=params,
        as_of=dt.date(2026, 8, 1),
    )
    scorecard = report.scorecard().html
    assert "<td" in scorecard and ">49%<" in scorecard and ">48%<" not in scorecard
    assert ">50%<" in scorecard  # the target, 50 at 0 decimals
    (head, _chart, _narrative), *_ = report.exception_sections()
    assert '<th scope="row">Value</th><td>49%</td>' in head.html
    # the rating reason (rating engine) names the same figure
    reason = report.rated.set_index("indicator_id").loc["R1", "rag_reason"]
    assert "49%" in reason and "48%" not in reason


def test_explorer_detail_uses_the_same_figures(half_way):
    data, params = half_way
    explorer = Explorer(data, params, quarter="2026/27 Q1", committee="environment")
    facts = dict(explorer.detail("R1", chart=False)["facts"])
    assert facts["Value"] == "49%"
    assert facts["Target"] == "50%"
