"""The seeds' template fields in exception sections and methodology statements
(pmlib.present.library_rows, and the committee report that shows them).

Report tests use the small council of ``conftest.py`` at 2026/27 Q1, where R1 (Household waste
recycled, 48.5% against 50%) and R2 are Amber exceptions (worked in test_layout.py). R1 gets the
new library columns; R2 leaves them blank, so its sections must look as they did before.
"""

from __future__ import annotations

import pandas as pd
import pytest

from pmlib.present.fragments import methodology_rows
from pmlib.present.library_rows import (
    baseline_text,
    exception_context_rows,
    lag_text,
    reviewed_text,
)
from pmlib.reports.committee import CommitteeReport

HOSTILE = "<script>alert(1)</script>"


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({"baseline": 48.25, "unit": "percent", "decimals": 1}, "48.3%"),  # half rounds up
        (
            {"baseline": 12, "baseline_period": "2022/23", "unit": "days", "decimals": 0},
            "12 days (2022/23)",
        ),  # noqa: E501
        ({"baseline": float("nan"), "baseline_period": "2022/23", "unit": "number"}, None),
        ({"unit": "percent"}, None),  # no baseline column at all
    ],
)
def test_baseline_text(row, expected):
    assert baseline_text(row) == expected


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            {"last_reviewed": pd.Timestamp("2026-04-14"), "reviewed_by": "Q. Dawson"},
            "14 April 2026 by Q. Dawson",
        ),  # noqa: E501
        ({"last_reviewed": pd.Timestamp("2026-04-14"), "reviewed_by": pd.NA}, "14 April 2026"),
        ({"last_reviewed": pd.NaT, "reviewed_by": "Q. Dawson"}, "Date not recorded, by Q. Dawson"),
        ({"last_reviewed": pd.NaT}, "–"),
    ],
)
def test_reviewed_text_says_when_and_by_whom(row, expected):
    assert reviewed_text(row) == expected


@pytest.mark.parametrize(
    ("lag", "expected"),
    [
        ("1 quarter", "1 quarter in arrears"),
        ("2 months", "2 months in arrears"),
        ("0", "None: reported for the period just ended"),
        ("", None),
        (pd.NA, None),
    ],
)
def test_lag_text(lag, expected):
    assert lag_text(lag) == expected


FULL = {
    "id": "R1",
    "definition": "Tonnes recycled / tonnes collected",
    "purpose": "To show how much waste is kept out of landfill",
    "formula": "recycled tonnes / collected tonnes x 100",
    "priority": "Greener",
    "objective": "Recycle more",
    "kind": "KPI",
    "unit": "percent",
    "decimals": 1,
    "polarity": "higher",
    "frequency": "quarterly",
    "measure": "period",
    "aggregation": "ratio",
    "data_source": "Waste system",
    "data_collector": "A. Cole",
    "data_reviewer": "B. Dune",
    "head_of_service": "Head of Environmental Services",
    "strategic_lead": "Strategic Director (Place)",
    "collection_method": "system",
    "baseline": 45.0,
    "baseline_period": "2022/23",
    "reporting_lag": "1 quarter",
    "submission_deadline": "8 working days",
    "risks": "SR3 Waste contract",
    "last_reviewed": pd.Timestamp("2026-06-01"),
    "reviewed_by": "Q. Dawson",
}


def test_methodology_statement_shows_every_field_south_derbyshire_and_dorset_ask_for():
    labels = [label for label, _ in methodology_rows(FULL)]
    assert labels == [
        "Definition",
        "Purpose",
        "Formula",
        "Council Plan priority",
        "Objective",
        "Kind",
        "Unit",
        "Good performance is",
        "Frequency",
        "Reporting lag",
        "Submission deadline",
        "Data source",
        "Data collector",
        "Data reviewer",
        "Head of service",
        "Strategic lead",
        "Confidence",
        "Baseline",
        "Linked risks",
        "Last reviewed",
    ]
    rows = dict(methodology_rows(FULL))
    assert rows["Submission deadline"] == "Within 8 working days of the period end"
    assert rows["Baseline"] == "45.0% (2022/23)"
    assert rows["Last reviewed"] == "1 June 2026 by Q. Dawson"


NEW_FIELDS = {
    "purpose",
    "formula",
    "head_of_service",
    "strategic_lead",
    "baseline",
    "baseline_period",
    "reporting_lag",
    "submission_deadline",
    "risks",
    "reviewed_by",
}


def test_methodology_statement_without_the_new_fields_has_the_original_twelve_rows():
    old = {k: v for k, v in FULL.items() if k not in NEW_FIELDS}
    assert len(methodology_rows(old)) == 12
    assert dict(methodology_rows(old))["Last reviewed"] == "1 June 2026"


def test_exception_context_groups_and_leaves_out_blanks():
    rows = exception_context_rows(FULL, outturn=("2025/26", "49.0%", "50.0%"))
    assert rows["figures"] == [
        ("Baseline", "45.0% (2022/23)"),
        ("2025/26 outturn", "49.0%"),
        ("2025/26 target", "50.0%"),
    ]
    assert [label for label, _ in rows["context"]] == [
        "Definition",
        "Priority",
        "Objective",
        "Linked risks",
    ]
    assert rows["people"] == [
        ("Head of service", "Head of Environmental Services"),
        ("Strategic lead", "Strategic Director (Place)"),
    ]
    # no outturn and no target last year: no rows for them
    empty = exception_context_rows({"unit": "percent"}, outturn=("2025/26", "–", "–"))
    assert empty == {"figures": [], "context": [], "people": []}


def _library_with_new_columns(data) -> None:
    path = data / "indicators.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[0] += ",purpose,formula,head_of_service,strategic_lead,risks,reviewed_by"
    # columns another part of pmlib adds to the library; shown when the column is there
    lines[0] += ",baseline,baseline_period,reporting_lag"
    lines[1] += (
        f",Keep waste out of landfill {HOSTILE},recycled / collected x 100 (tonnes < 1 excluded),"
        "Head of Environmental Services,Strategic Director (Place),SR3 Waste contract,Q. Dawson"
        ",45.25,2022/23,0"  # no lag: the figures stay those of Q1
    )
    lines[2] += ",,,,,,,,,"
    lines[3] += ",,,,,,,,,"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    # last year's outturn and target for R1, so the exception can show them
    targets = data / "targets.csv"
    targets.write_text(targets.read_text(encoding="utf-8") + "R1,2025/26,49,,,\n", encoding="utf-8")
    actuals = data / "actuals.csv"
    actuals.write_text(
        actuals.read_text(encoding="utf-8")
        + "".join(
            f"R1,2025/26 Q{q},{v},{n},1000,approved,A. Cole,{d},B. Dune,{d}\n"
            for q, v, n, d in (
                (1, 47.0, 470, "2025-07-08"),
                (2, 48.0, 480, "2025-10-08"),
                (3, 46.0, 460, "2026-01-08"),
                (4, 45.0, 450, "2026-04-08"),
            )
        ),
        encoding="utf-8",
    )


def _facts(html: str) -> dict[str, str]:
    import re

    return dict(re.findall(r'<th scope="row">([^<]+)</th><td>(.*?)</td>', html))


def test_exception_section_shows_the_template_fields_escaped(council):
    data, params = council
    _library_with_new_columns(data)
    report = CommitteeReport.build(
        quarter="2026/27 Q1", committee="cabinet", data_dir=data, params_dir=params
    )
    heads = {
        h.html[h.html.index('id="ex-') :][:12]: h.html for h, _, _ in report.exception_sections()
    }
    r1 = _facts(heads['id="ex-R1">R'])
    # by hand: 2025/26 outturn = (470+480+460+450) / 4000 = 46.5%, target 49.0%
    assert r1["Baseline"] == "45.3% (2022/23)"  # 45.25 to one decimal, half up
    assert r1["2025/26 outturn"] == "46.5%"
    assert r1["2025/26 target"] == "49.0%"
    assert r1["Definition"] == "Tonnes recycled / tonnes collected"
    assert r1["Priority"] == "Greener" and r1["Objective"] == "Recycle more"
    assert r1["Linked risks"] == "SR3 Waste contract"
    assert r1["Head of service"] == "Head of Environmental Services"
    assert r1["Strategic lead"] == "Strategic Director (Place)"
    methodology = report.methodology().html
    assert "Keep waste out of landfill &lt;script&gt;alert(1)&lt;/script&gt;" in methodology
    assert "<script>" not in methodology
    assert "1 June 2026 by Q. Dawson" in methodology
    assert "recycled / collected x 100 (tonnes &lt; 1 excluded)" in methodology
    assert "<td>None: reported for the period just ended</td>" in methodology
    assert "<td>Strategic Director (Place)</td>" in methodology
    assert "<td>SR3 Waste contract</td>" in methodology
    # R2 has none of the new fields and no figures last year: only its definition and priority
    r2 = _facts(heads['id="ex-R2">R'])
    assert [k for k in r2 if k not in ("Value", "Target", "Why", "Direction of travel")] == [
        "Year-end forecast",
        "Definition",
        "Priority",
        "Objective",
        "Owner",
    ]
