"""Rating overrides: a reviewer's recorded judgement in place of the computed rating.

The council is tests/test_rules.py's hand-worked one: at 2026/27 Q2 ``RD`` is Red (10 against
a profiled 20), ``AM`` Amber (19.5 against 20) and ``GF`` Green (22 against 20). Its reviewer,
W. Ahmed, agrees that RD is Amber (a one-off); the collector is V. Costa.
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest

from pmlib.core.errors import DataValidationError
from pmlib.core.periods import parse_period
from pmlib.data.validate import read_dataset
from pmlib.rating.engine import rate_period
from pmlib.rating.overrides import overrides_at
from pmlib.reports.committee import CommitteeReport
from tests.test_rules import write_hand_worked

REASON = "Two large one-off events in Q2; the underlying trend is on track"
HEADER = (
    "indicator_id,period,value,numerator,denominator,status,collected_by,collected_at,"
    "approved_by,approved_at,rag_override,override_reason,override_by"
)


def _with_overrides(root, overrides: dict[tuple[str, str], str]):
    """The hand-worked council, its actuals given override cells (``(id, period)`` → the
    three cells ``rag_override,override_reason,override_by``)."""
    data, params = write_hand_worked(root)
    lines = (data / "actuals.csv").read_text(encoding="utf-8").splitlines()
    out = [HEADER]
    for line in lines[1:]:
        ind, period = line.split(",")[:2]
        out.append(line + "," + overrides.get((ind, period), ",,"))
    (data / "actuals.csv").write_text("\n".join(out) + "\n", encoding="utf-8")
    return data, params


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    data, params = _with_overrides(
        tmp_path_factory.mktemp("overrides"),
        {("RD", "2026/27 Q2"): f'amber,"{REASON}",W. Ahmed'},
    )
    return CommitteeReport.build(
        quarter="2026/27 Q2",
        committee="cabinet",
        data_dir=data,
        params_dir=params,
        as_of=dt.date(2026, 11, 1),
    )


def test_the_override_stands_and_the_calculation_is_kept(report):
    r = report.rated.set_index("indicator_id")
    assert (r.loc["RD", "rag"], r.loc["RD", "computed_rag"]) == ("Amber", "Red")
    assert r.loc["RD", "overridden"] and not r.loc[["AM", "GF"], "overridden"].any()
    assert (r.loc["RD", "override_by"], r.loc["RD", "override_reason"]) == ("W. Ahmed", REASON)
    # the others keep their computed rating, with nothing to say about an override
    assert list(r.loc[["AM", "GF"], "rag"]) == list(r.loc[["AM", "GF"], "computed_rag"])
    assert r.loc[["AM", "GF"], "override_by"].isna().all()
    # the previous quarter is not overridden (the judgement is on Q2's figure)
    p = report.previous.set_index("indicator_id")
    assert (p.loc["RD", "rag"], bool(p.loc["RD", "overridden"])) == ("Red", False)


def test_the_report_shows_both_ratings_and_the_reason(report):
    card = report.scorecard().html
    row = re.search(r'<tr id="sc-RD".*?</tr>', card, re.S).group(0)
    assert re.search(
        r"Amber</span> <span class=\"pmlib-override\">\(overridden; calculated Red\)", row
    )
    assert "overridden" not in re.search(r'<tr id="sc-AM".*?</tr>', card, re.S).group(0)
    # RD is still an exception (Amber), its section headed by both ratings and the reason
    sections = {re.search(r'id="ex-(\w+)"', h.html).group(1): h.html for h, _, _ in
                report.exception_sections()}  # fmt: skip
    head = sections["RD"]
    assert "(overridden; calculated Red)</span></h3>" in head
    assert (
        '<th scope="row">Rating</th><td>Amber, agreed by W. Ahmed in place of the calculated '
        f"Red. Reason: {REASON}</td>"
    ) in head
    # the computed reason, worked by hand: 10 is 10 (50%) short of 20, beyond the 5% for Amber
    assert (
        '<th scope="row">Calculated</th><td>Year to date: 10.0 is 10.0 (50.0%) below the '
        "profiled target 20.0"
    ) in head
    # and it is listed under data quality
    quality = report.data_quality().html
    assert f"Amber agreed by W. Ahmed (calculated Red): {REASON}" in quality
    assert "1 rating overridden by a reviewer" in quality


def test_the_at_a_glance_counts_count_the_override(report):
    assert report.summary() == {"Red": 0, "Amber": 2, "Green": 1, "Grey": 0, "No data": 0}


@pytest.mark.parametrize(
    ("cells", "column", "message"),
    [
        ("Amber,,W. Ahmed", "override_reason", "a rating override needs its reason"),
        (f'Amber,"{REASON}",', "override_by", "a rating override must say who agreed it"),
        (f'Amber,"{REASON}",v. costa', "override_by", "overridden by the officer who collected"),
        (f'Purple,"{REASON}",W. Ahmed', "rag_override", "is not an allowed value"),
    ],
)
def test_a_bad_override_is_an_error_at_its_excel_row(tmp_path, cells, column, message):
    data, params = _with_overrides(tmp_path, {("RD", "2026/27 Q2"): cells})
    with pytest.raises(DataValidationError) as err:
        read_dataset(data, params)
    [problem] = err.value.problems
    # RD's rows follow AM's 6 (rows 2-7): 2025/26 Q1-Q4 are rows 8-11, 2026/27 Q1-Q2 rows 12-13
    assert (problem.file, problem.row, problem.column) == ("actuals.csv", 13, column)
    assert message in problem.message


def test_the_indicators_collector_counts_when_the_row_does_not_say(tmp_path):
    data, params = _with_overrides(tmp_path, {("RD", "2026/27 Q2"): f'Amber,"{REASON}",V. Costa'})
    text = (data / "actuals.csv").read_text(encoding="utf-8")
    (data / "actuals.csv").write_text(text.replace(",V. Costa,,W. Ahmed,", ",,,W. Ahmed,"))
    with pytest.raises(DataValidationError) as err:
        read_dataset(data, params)
    assert [p.column for p in err.value.problems] == ["override_by"]


def test_a_reason_without_an_override_is_a_warning(tmp_path):
    data, params = _with_overrides(tmp_path, {("RD", "2026/27 Q2"): f',"{REASON}",W. Ahmed'})
    ds = read_dataset(data, params)
    [warn] = [w for w in ds.warnings if w.column == "rag_override"]
    assert (warn.row, warn.severity) == (13, "warning")
    assert rate_period(ds, "2026/27 Q2").set_index("indicator_id").loc["RD", "rag"] == "Red"


# -- which row's override applies to which rating -------------------------------------------------

ACTUALS = pd.DataFrame(
    {
        "indicator_id": ["M", "M", "Q", "Y"],
        "period": ["2026-08", "2026-09", "2026/27 Q4", "2026/27"],
        "period_kind": ["month", "month", "quarter", "year"],
        "fy": [2026, 2026, 2026, 2026],
        # financial-year month numbers: August 5, September 6, Q4 and the year end at 12
        "ordinal": [2026 * 12 + 5, 2026 * 12 + 6, 2026 * 12 + 12, 2026 * 12 + 12],
        "rag_override": ["Red", "Amber", "Green", "Green"],
        "override_reason": ["r"] * 4,
        "override_by": ["x"] * 4,
    }
)


@pytest.mark.parametrize(
    ("period", "on_year", "expected"),
    [
        # September's figure closes September and Q2; August's closes neither
        ("2026-09", (False, False, False), {"M": "Amber"}),
        ("2026/27 Q2", (False, False, False), {"M": "Amber"}),
        ("2026-08", (False, False, False), {"M": "Red"}),
        ("2026/27 Q1", (False, False, False), {}),
        # Q4's row closes Q4 and the year; the annual indicator's year row closes the year and
        # the Q4 report that shows its outturn, but not a quarterly indicator's Q4
        ("2026/27 Q4", (False, False, True), {"Q": "Green", "Y": "Green"}),
        ("2026/27 Q4", (False, False, False), {"Q": "Green"}),
        ("2026/27", (True, True, True), {"Q": "Green", "Y": "Green"}),
    ],
)
def test_the_override_on_the_row_that_closes_the_period_applies(period, on_year, expected):
    ids = pd.Series(["M", "Q", "Y"])
    found = overrides_at(ACTUALS, ids, parse_period(period), pd.Series(on_year).to_numpy())
    got = dict(zip(ids, found["rag_override"], strict=True))
    assert {k: v for k, v in got.items() if pd.notna(v)} == expected


def test_a_six_monthly_indicators_half_year_override_applies_to_its_half():
    # H1 ends in September: financial-year month 6; an H1 row's override stands for H1 (which a
    # Q2 report shows for a six-monthly indicator), and September's monthly row also closes H1
    actuals = pd.DataFrame(
        {
            "indicator_id": ["H", "M"],
            "period": ["2026/27 H1", "2026-09"],
            "period_kind": ["half", "month"],
            "fy": [2026, 2026],
            "ordinal": [2026 * 12 + 6, 2026 * 12 + 6],
            "rag_override": ["Amber", "Red"],
            "override_reason": ["r", "r"],
            "override_by": ["x", "x"],
        }
    )
    ids = pd.Series(["H", "M"])
    found = overrides_at(
        actuals, ids, parse_period("2026/27 H1"), pd.Series([False, False]).to_numpy()
    )
    assert list(found["rag_override"]) == ["Amber", "Red"]
    # a quarter is shorter than the half: the half's row does not override Q2 itself
    found = overrides_at(
        actuals, ids, parse_period("2026/27 Q2"), pd.Series([False, False]).to_numpy()
    )
    assert pd.isna(found["rag_override"][0]) and found["rag_override"][1] == "Red"
