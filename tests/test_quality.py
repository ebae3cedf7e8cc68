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
