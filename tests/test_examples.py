"""The seed councils' frameworks as parameter sets (parameters/examples/<council>/), each
rendering the demo quarter under that council's rules.

The demo's Q2 facts these rely on are documented in data/demo/README.md: HSG01, HSG06, ECO01,
RES03 and RES09 are Red by the arithmetic, and RES05's reviewer rates it Red (calculated
Amber). ECO02 is 84.7% against an 88.0% target: 3.75% short, so Amber under both a 5% and a
10% tolerance, and Green under met-or-missed's rule only if met (it is not: Red).
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from pmlib.cli.main import main
from pmlib.core.errors import DataValidationError
from pmlib.core.rules import ExceptionRule
from pmlib.data.validate import read_dataset
from pmlib.reports.committee import CommitteeReport
from tests.conftest import DEMO, PARAMS

EXAMPLES = PARAMS / "examples"
QUARTER = "2026/27 Q2"
COUNCILS = ("south-derbyshire", "new-forest", "dorset", "breckland")


def build(council: str, committee: str) -> CommitteeReport:
    return CommitteeReport.build(
        quarter=QUARTER,
        committee=committee,
        params_dir=EXAMPLES / council,
        as_of=dt.date(2026, 11, 20),
    )


@pytest.mark.parametrize("council", COUNCILS)
def test_each_example_reads_the_demo_data_without_errors(council):
    ds = read_dataset(None, EXAMPLES / council)
    assert ds.sources["actuals"] == DEMO / "actuals.csv"
    assert "rules)" in ds.council.name  # "Northmoor District Council (Dorset rules)"


def test_south_derbyshire_reports_red_only_and_counts_amber_and_grey_on_target():
    report = build("south-derbyshire", "communities")
    rule = report.exception_rule
    assert rule == ExceptionRule(rags=("Red",), forecast_rags=(), combine="or")
    # the communities committee's Reds in the demo README: HSG01, HSG06, ECO01; Amber (ECO02,
    # HSG02) is "on watch", not an exception
    assert set(report.exceptions_frame()["indicator_id"]) == {"HSG01", "HSG06", "ECO01"}
    glance = report.glance_text().html
    assert "Amber and Grey are counted as on target, as the council&#x27;s framework" in glance
    summary = report.summary()
    assert list(summary)[0] == "On target" and "Amber" not in summary and "Grey" not in summary
    assert summary["Red"] == 3


def test_new_forest_needs_outside_thresholds_and_profiled_to_miss():
    report = build("new-forest", "communities")
    rated = report.rated.set_index("indicator_id")
    ex = report.exceptions_frame().set_index("indicator_id")
    # every exception is outside the thresholds AND forecast to miss; every row that is both is
    # an exception
    both = rated["rag"].isin(["Red", "Amber"]) & rated["forecast_rag"].isin(["Red", "Amber"])
    assert set(ex.index) == set(rated.index[both])
    # ECO02: Amber (3.75% short is within New Forest's 10%) but forecast to meet its target
    assert rated.loc["ECO02", "rag"] == "Amber" and "ECO02" not in ex.index
    assert rated.loc["ECO02", "forecast_rag"] == "Green"
    assert "rated Red or Amber and forecast to miss the year-end target" in report.scorecard().html


def test_dorset_raises_red_and_amber_whatever_the_forecast():
    report = build("dorset", "communities")
    rated = report.rated
    expected = set(rated.loc[rated["rag"].isin(["Red", "Amber"]), "indicator_id"])
    assert set(report.exceptions_frame()["indicator_id"]) == expected
    assert "ECO02" in expected  # Amber, forecast Green: an exception here, not in New Forest


def test_dorset_without_the_councils_own_tolerance_is_refused_naming_the_fix(tmp_path):
    params = tmp_path / "dorset"
    shutil.copytree(EXAMPLES / "dorset", params)
    schemes = params / "rag_schemes.yaml"
    text = schemes.read_text(encoding="utf-8")
    assert "    amber_within: 0.05\n" in text
    schemes.write_text(text.replace("    amber_within: 0.05\n", ""), encoding="utf-8")
    (params / "council.yaml").write_text(
        (params / "council.yaml")
        .read_text(encoding="utf-8")
        .replace("../../../data/demo", str(DEMO)),
        encoding="utf-8",
    )
    with pytest.raises(DataValidationError) as err:
        read_dataset(None, params)
    problems = err.value.problems
    # every rated indicator without its own amber_within (all but RES12, which has one)
    assert problems and all(p.column == "amber_within" for p in problems)
    assert "RES12" not in {p.message.split()[0] for p in problems}
    assert "ENV01 uses the Dorset scheme, which states no tolerance for Amber" in str(err.value)
    assert "for the dorset scheme in rag_schemes.yaml" in problems[0].fix


def test_breckland_is_met_or_missed_and_never_rates_a_statistic():
    report = build("breckland", "resources")
    rated = report.rated.set_index("indicator_id")
    assert not rated["rag"].eq("Amber").any()
    assert rated.loc["ECO02", "rag"] == "Red"  # 84.7% against 88.0%: missed
    stats = report.indicators.index[report.indicators["kind"].eq("statistic")]
    assert len(stats) and rated.loc[stats, "rag"].eq("Grey").all()


@pytest.mark.notebook
@pytest.mark.parametrize(
    ("council", "committee", "words"),
    [
        ("south-derbyshire", "environment", "counted as on target"),
        ("new-forest", "communities", "rated Red or Amber and forecast to miss"),
        ("dorset", "communities", "(rated Red or Amber)"),
        ("breckland", "resources", "(rated Red, or forecast to miss the year-end target)"),
    ],
)
def test_each_example_renders_its_demo_quarter(tmp_path, council, committee, words):
    out = tmp_path / "out"
    argv = ["run", "--quarter", QUARTER, "--committee", committee, "--params"]
    argv += [str(EXAMPLES / council), "--out", str(out), "--quiet", "--jobs", "1"]
    assert main(argv) == 0
    html = Path(out / f"{committee}.html").read_text(encoding="utf-8")
    assert f"Northmoor District Council ({council.replace('-', ' ').title()} rules)" in html
    assert words in html
    # these councils' council.yaml has no spc: key, so no SPC at all, though the same data
    # shows special causes when SPC is on (RES03, HSG01: test_committee_report.py)
    for spc in ("pm-col-spc", "SPC says", "SPC chart for", "Reading RAG and SPC together"):
        assert spc not in html
    csv = (out / "data" / f"{committee}.csv").read_text(encoding="utf-8-sig")
    assert "spc_variation" not in csv.splitlines()[0]
