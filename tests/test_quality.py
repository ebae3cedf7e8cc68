"""Data-quality findings: validation's warnings, said about the report's indicators and period."""

from __future__ import annotations

import dataclasses
import datetime as dt

from pmlib.core.periods import parse_period
from pmlib.data.quality import quality_findings
from pmlib.data.validate import read_dataset
from pmlib.rating.engine import rate_period

TODAY = dt.date(2026, 11, 1)


def edit(data, table: str, old: str, new: str) -> None:
    path = data / f"{table}.csv"
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text {old!r} not in {table}.csv"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _findings(dataset, quarter="2026/27 Q1"):
    period = parse_period(quarter, 4)
    return quality_findings(dataset, rate_period(dataset, period), period, as_of=TODAY)


def _bad_council(council):
    data, params = council
    # R2's May figure: period ends 31 May 2026, collected 25 June = 25 days after (deadline 15)
    edit(
        data,
        "actuals",
        "R2,2026-05,19.4,,,approved,C. Eve,2026-06-05",
        "R2,2026-05,19.4,,,approved,C. Eve,2026-06-25",
    )
    # R2 is collected and reviewed by the same officer (case and spaces differ)
    edit(data, "indicators", "C. Eve,D. Fox", "C. Eve, c. eve ")
    # R1's definition was last reviewed more than 12 months before 1 November 2026
    edit(data, "indicators", "public,2026-06-01\nR2", "public,2025-10-31\nR2")
    return read_dataset(data, params, today=TODAY)


def test_late_collector_and_stale_findings_come_from_validation(council):
    found = _findings(_bad_council(council))
    rows = {
        (i, issue): detail
        for i, issue, detail in zip(
            found["indicator_id"], found["issue"], found["detail"], strict=True
        )
    }
    # one date style, months named: a councillor reads a sentence, not "2026-05"
    assert rows[("R2", "Submitted late")] == (
        "May 2026 figure collected on 25 June 2026, 25 days after the period ended "
        "(deadline 15 days)"
    )
    assert rows[("R2", "Collector is also reviewer")] == "C. Eve collects and reviews the figures"
    assert rows[("R1", "Definition not reviewed in 12 months")] == "Last reviewed 31 October 2025"
    # only what was warned: R3's (reviewed 2026-06-01) and R2's on-time April figure are fine
    assert ("R3", "Definition not reviewed in 12 months") not in rows
    assert sum(1 for key in rows if key[1] == "Submitted late") == 1


def test_without_validation_warnings_those_findings_are_not_recomputed(council):
    dataset = dataclasses.replace(_bad_council(council), warnings=())
    issues = set(_findings(dataset)["issue"])
    assert not issues & {
        "Submitted late",
        "Collector is also reviewer",
        "Definition not reviewed in 12 months",
    }


def test_unapproved_figures_and_confidence_read_as_sentences_not_codes(council):
    data, params = council
    # R2's May figure was submitted on 5 June and not yet approved; June's is still a draft
    edit(
        data,
        "actuals",
        "R2,2026-05,19.4,,,approved,C. Eve,2026-06-05,D. Fox,2026-06-07",
        "R2,2026-05,19.4,,,submitted,C. Eve,2026-06-05,,\nR2,2026-06,18.0,,,draft,C. Eve,,,",
    )
    found = _findings(read_dataset(data, params, today=TODAY))
    detail = found.set_index(["indicator_id", "issue"])["detail"]
    assert list(detail.loc[("R2", "Not yet approved")]) == [
        "May 2026 figure submitted on 5 June 2026, not yet approved",
        "June 2026 figure still in draft, not yet submitted",
    ]
    # R3 is collected manually: medium confidence, in words that are not a RAG colour
    assert detail.loc[("R3", "Collection method lowers confidence")] == (
        "Manual collection: medium confidence"
    )
    assert not found["detail"].str.contains("Red|Amber|Green").any()


def test_the_narrative_check_covers_the_exceptions_the_report_raises(council):
    dataset = read_dataset(*council, today=TODAY)
    period = parse_period("2026/27 Q1", 4)
    rated = rate_period(dataset, period)
    # R2 (no narrative) raised as an exception by its forecast only
    exceptions = rated[rated["indicator_id"].eq("R2")].assign(
        exception_reason="forecast to miss the year-end target"
    )
    found = quality_findings(dataset, rated, period, exceptions=exceptions)
    narr = found[found["issue"].eq("Narrative not provided")]
    assert list(narr["indicator_id"]) == ["R2"]
    assert list(narr["detail"]) == [
        "An exception in 2026/27 Q1 (forecast to miss the year-end target) with no officer "
        "commentary"
    ]


def test_a_lagged_indicators_findings_follow_the_figure_the_report_shows(council):
    """R1 is a quarter in arrears, so the Q2 report shows its Q1 figure. Typed in on 20
    October and not yet approved, that figure is late (Q1 ends 30 June; a quarter in arrears
    it is due 30 September + 15 days = 15 October): both are said in the Q2 report, where the
    figure is, and not in the Q1 report, which shows R1's 2025/26 Q4 (none here)."""
    data, params = council
    edit(data, "indicators", "public,2026-06-01\nR2", "public,2026-06-01,1 quarter\nR2")
    edit(data, "indicators", "visibility,last_reviewed", "visibility,last_reviewed,reporting_lag")
    edit(
        data,
        "actuals",
        "R1,2026/27 Q1,48.5,485,1000,approved,A. Cole,2026-07-08,B. Dune,2026-07-10",
        "R1,2026/27 Q1,48.5,485,1000,submitted,A. Cole,2026-10-20,,",
    )
    ds = read_dataset(data, params, today=TODAY)
    q2 = _findings(ds, "2026/27 Q2")
    r1 = q2[q2["indicator_id"].eq("R1")].set_index("issue")["detail"]
    assert r1["Submitted late"].startswith("2026/27 Q1 figure collected on 20 October 2026, ")
    assert "2026/27 Q1" in r1["Not yet approved"]
    q1 = _findings(ds, "2026/27 Q1")
    r1 = q1[q1["indicator_id"].eq("R1")]
    assert not r1["issue"].isin(["Submitted late", "Not yet approved"]).any()
