"""Exceptions and successes: one rule each, used by every section of a committee report.

The examples are the two defects the demo pack showed (issue 12): HSG05, on target now but
forecast at 62 against its year-end target of 65 (rated Amber), was neither an exception nor in
the "forecast to miss" sentence; COM01 was celebrated while its September figure was still
awaiting approval. The small council below reproduces both, with figures worked by hand.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from pmlib.rating.exceptions import (
    ExceptionRule,
    SuccessRule,
    forecast_misses,
    select_exceptions,
    select_successes,
    successes_awaiting_approval,
)
from pmlib.reports.committee import CommitteeReport
from tests.conftest import write_council

# -- the rule on a rating frame -------------------------------------------------------------------


def frame(rows: list[tuple[str, str, str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        rows, columns=["indicator_id", "rag", "forecast_rag", "dot_long", "data_status"]
    ).assign(name=lambda d: "Name of " + d["indicator_id"])


RATED = frame(
    [
        ("G1", "Green", "Green", "Improving", "approved"),  # success
        ("G2", "Green", "Amber", "Improving", "approved"),  # HSG05: Green now, forecast Amber
        ("A1", "Amber", "Green", "Worsening", "approved"),
        ("R1", "Red", "Red", "Worsening", "approved"),
        ("G3", "Green", "Green", "Improving", "submitted"),  # COM01: not yet approved
        ("G4", "Green", "Red", "No change", "approved"),  # Green now, forecast Red
        ("Y1", "Grey", "", "Up", "approved"),
        ("N1", "No data", "", "Not comparable", ""),
        ("G5", "Green", "", "Worsening", "draft"),
    ]
)


def test_every_forecast_miss_is_an_exception_whatever_its_forecast_colour():
    ex = select_exceptions(RATED)
    # Red first, then Amber, then those raised only by their forecast (in library order)
    assert list(ex["indicator_id"]) == ["R1", "A1", "G2", "G4"]
    assert list(ex["forecast_miss"]) == [True, False, True, True]
    assert list(ex["exception_reason"]) == [
        "Red; forecast to miss the year-end target",
        "Amber",
        "forecast to miss the year-end target",
        "forecast to miss the year-end target",
    ]
    assert list(forecast_misses(RATED)) == [
        False, True, False, True, False, True, False, False, False
    ]  # fmt: skip


def test_at_year_end_a_forecast_miss_is_a_missed_target():
    # in Q4 (or a year's report) the "forecast" is the year's outturn: nothing left to forecast
    ex = select_exceptions(RATED, year_end=True).set_index("indicator_id")
    assert ex.loc["G2", "exception_reason"] == "missed the year-end target"
    assert ex.loc["R1", "exception_reason"] == "Red; missed the year-end target"


def test_the_rule_parameters_are_explicit():
    red_only = ExceptionRule(rags=("Red",), forecast_rags=("Red",))
    assert list(select_exceptions(RATED, red_only)["indicator_id"]) == ["R1", "G4"]
    no_forecasts = ExceptionRule(forecast_rags=())
    assert list(select_exceptions(RATED, no_forecasts)["indicator_id"]) == ["R1", "A1"]


def test_success_needs_green_improving_and_approved_figures():
    assert list(select_successes(RATED)["indicator_id"]) == ["G1", "G2"]
    assert list(successes_awaiting_approval(RATED)["indicator_id"]) == ["G3"]
    # a council that celebrates submitted figures too says so in the rule
    lenient = SuccessRule(statuses=("approved", "submitted"))
    assert list(select_successes(RATED, lenient)["indicator_id"]) == ["G1", "G2", "G3"]


def test_the_input_is_not_changed():
    before = RATED.copy()
    select_exceptions(RATED)
    select_successes(RATED)
    pd.testing.assert_frame_equal(RATED, before)


# -- the report: HSG05 and COM01 by hand ----------------------------------------------------------

INDICATORS = """\
id,name,definition,priority,objective,committees,kind,unit,decimals,polarity,frequency,measure,aggregation,rag_scheme,owner,data_collector,data_reviewer,data_source,collection_method,visibility,last_reviewed
E5,Empty homes back in use (year to date),Homes,Efficient,Homes,,PI,number,0,higher,quarterly,cumulative,sum,,Head of Housing,P. Greaves,M. Neill,Casework log,system,public,2026-06-01
C1,Leisure visits (year to date),Visits,Efficient,Health,,KPI,number,0,higher,monthly,cumulative,sum,,Head of Leisure,V. Costa,W. Ahmed,Operator return,system,public,2026-06-01
C2,Pool visits (year to date),Visits,Efficient,Health,,KPI,number,0,higher,monthly,cumulative,sum,,Head of Leisure,V. Costa,W. Ahmed,Operator return,system,public,2026-06-01
"""

TARGETS = """\
indicator_id,period,target,intervention,lower,upper
E5,2025/26,60,,,
C1,2025/26,1000,,,
C2,2025/26,1000,,,
E5,2026/27,65,,,
C1,2026/27,1200,,,
C2,2026/27,1200,,,
"""


def _actuals() -> str:
    rows = ["indicator_id,period,value,numerator,denominator,status,collected_by,collected_at,"
            "approved_by,approved_at"]  # fmt: skip

    def row(ind, period, value, status="approved", collected="", approved=""):
        approver = "W. Ahmed" if status == "approved" else ""
        rows.append(f"{ind},{period},{value},,,{status},V. Costa,{collected},{approver},{approved}")

    # E5: last year 18 + 17 by Q2 (35) and 62 by year end; this year 17 + 18 = 35 by Q2
    for q, v in zip(("Q1", "Q2", "Q3", "Q4"), (18, 17, 14, 13), strict=True):
        row("E5", f"2025/26 {q}", v)
    row("E5", "2026/27 Q1", 17, collected="2026-07-05", approved="2026-07-06")
    row("E5", "2026/27 Q2", 18, collected="2026-10-05", approved="2026-10-06")
    # C1 and C2: 90 a month last year (540 by September, 1,080 by March); 110 a month this year
    months_ly = [f"2025-{m:02d}" for m in range(4, 13)] + [f"2026-{m:02d}" for m in (1, 2, 3)]
    for ind in ("C1", "C2"):
        for month in months_ly:
            row(ind, month, 90)
        for m in range(4, 10):
            collected, approved = f"2026-{m + 1:02d}-05", f"2026-{m + 1:02d}-06"
            if ind == "C1" and m == 9:  # September's figure is submitted, not yet approved
                row(ind, f"2026-{m:02d}", 110, "submitted", "2026-10-08", "")
            else:
                row(ind, f"2026-{m:02d}", 110, collected=collected, approved=approved)
    return "\n".join(rows) + "\n"


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> CommitteeReport:
    data, params = write_council(tmp_path_factory.mktemp("council"))
    (data / "indicators.csv").write_text(INDICATORS, encoding="utf-8")
    (data / "targets.csv").write_text(TARGETS, encoding="utf-8")
    (data / "actuals.csv").write_text(_actuals(), encoding="utf-8")
    (data / "narratives.csv").write_text(
        "indicator_id,period,performance_update,approach,future_plans,issues,author,updated_at\n",
        encoding="utf-8",
    )
    return CommitteeReport.build(
        quarter="2026/27 Q2",
        committee="cabinet",
        data_dir=data,
        params_dir=params,
        as_of=dt.date(2026, 10, 20),
    )


def test_the_hand_worked_figures_hold(report):
    r = report.rated.set_index("indicator_id")
    # E5: 35 against the profiled 32.5 (6/12 of 65) is Green; the forecast 35 × 62 / 35 = 62 is
    # 3 short of 65, 4.6% — within the 5% Amber band of the South Derbyshire scheme.
    assert (r.loc["E5", "value"], r.loc["E5", "rag"]) == (35, "Green")
    assert (r.loc["E5", "forecast"], r.loc["E5", "forecast_rag"]) == (62, "Amber")
    # C1, C2: 660 against the profiled 600, better than last year's 540; forecast 1,320
    assert list(r.loc[["C1", "C2"], "rag"]) == ["Green", "Green"]
    assert list(r.loc[["C1", "C2"], "dot_long"]) == ["Improving", "Improving"]
    assert list(r.loc[["C1", "C2"], "data_status"]) == ["submitted", "approved"]


def test_hsg05_forecast_to_miss_at_amber_is_an_exception_and_in_the_glance(report):
    assert list(report.exceptions_frame()["indicator_id"]) == ["E5"]
    glance = report.glance_text().html
    assert "Forecast to miss the year-end target (1 indicator):" in glance
    assert (
        '<li><a href="#ex-E5">E5 Empty homes back in use (year to date)</a>: '
        "forecast 62 against a year-end target of 65</li>"
    ) in glance
    (head, _, _), *more = report.exception_sections()
    assert not more and 'id="ex-E5"' in head.html
    assert "Forecast to miss the year-end target" in head.html  # why a Green one is listed
    quality = report.data_quality().html
    assert "An exception in 2026/27 Q2 (forecast to miss the year-end target) with no " in quality


def test_com01_is_not_celebrated_while_its_figure_awaits_approval(report):
    html = report.success().html
    assert "<strong>C2 Pool visits (year to date)</strong>" in html
    assert "C1 Leisure" not in html
    assert "1 indicator is on target and better than in 2025/26 Q2, on approved figures:" in html
    assert "Left out until its figures are approved (see Data quality): C1." in html
    quality = report.data_quality().html
    assert "September 2026 figure submitted on 8 October 2026, not yet approved" in quality
