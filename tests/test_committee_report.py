"""The committee report pack, end to end: ``pmlib run`` on (a copy of) the demo council.

The pack is rendered once per module (all five committees, the real notebook, papermill through
the batch machinery) and the tests assert on what it produced. The copy of the demo data has one
narrative rewritten to carry a ``<script>``, to prove officer-typed text is shown, never run.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from pmlib.batch.provenance import report_inputs
from pmlib.cli.main import main
from pmlib.core.errors import ParameterError
from pmlib.core.model import Dataset
from pmlib.core.periods import parse_period
from pmlib.data.validate import read_dataset
from pmlib.rating.engine import rate_period
from pmlib.reports.committee import CommitteeReport

ROOT = Path(__file__).resolve().parents[1]
QUARTER = "2026/27 Q2"
SCRIPT = '<script>document.title="pwned"</script><img src=x onerror=alert(1)>'

#: Tests that render the pack run notebooks; the rest check the library and the CLI's refusals.
notebook = pytest.mark.notebook


def _copy_council(tmp: Path) -> tuple[Path, Path]:
    data = tmp / "data"
    params = tmp / "parameters"
    shutil.copytree(ROOT / "data" / "demo", data, ignore=shutil.ignore_patterns("*.py"))
    shutil.copytree(ROOT / "parameters", params)
    council = params / "council.yaml"
    text = council.read_text(encoding="utf-8")
    text = text.replace("data_dir: ../data/demo", "data_dir: ../data")
    text = text.replace(
        "benchmark_dir: ../data/demo/benchmarks", "benchmark_dir: ../data/benchmarks"
    )
    council.write_text(text, encoding="utf-8")
    return data, params


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    """The demo quarter's pack, rendered once, with a hostile narrative for ENV01."""
    tmp = tmp_path_factory.mktemp("pack")
    data, params = _copy_council(tmp)
    narr = pd.read_csv(data / "narratives.csv", dtype=str, keep_default_na=False)
    row = (narr["indicator_id"] == "ENV01") & (narr["period"] == QUARTER)
    assert row.sum() == 1
    narr.loc[row, "performance_update"] = "Below target. " + SCRIPT
    narr.to_csv(data / "narratives.csv", index=False)
    before = {p: p.read_bytes() for p in sorted(data.rglob("*")) if p.is_file()}
    out = tmp / "out"
    argv = ["run", "--quarter", QUARTER, "--data", str(data), "--params", str(params)]
    code = main([*argv, "--out", str(out), "--quiet"])
    after = {p: p.read_bytes() for p in sorted(data.rglob("*")) if p.is_file()}
    return {
        "code": code,
        "out": out,
        "data": data,
        "params": params,
        "argv": argv,
        "inputs_unchanged": before == after,
        "dataset": read_dataset(data, params),
        "manifest": json.loads((out / "manifest.json").read_text(encoding="utf-8")),
    }


def _html(pack, name: str) -> str:
    return (pack["out"] / f"{name}.html").read_text(encoding="utf-8")


def _rated(ds: Dataset, committee: str) -> pd.DataFrame:
    ids = ds.indicators_for(ds.settings.committees[committee])["id"]
    r = rate_period(ds, parse_period(QUARTER))
    return r[r["indicator_id"].isin(ids)]


COMMITTEES = ["cabinet", "environment", "communities", "resources", "performance-board"]


@notebook
def test_run_writes_every_committee_report_data_notebook_index_and_manifest(pack):
    out = pack["out"]
    assert pack["code"] == 0
    for name in COMMITTEES:
        assert (out / f"{name}.html").stat().st_size > 10_000
        assert (out / "notebooks" / f"{name}.ipynb").exists()
        assert (out / "data" / f"{name}.csv").exists()
    statuses = {r["name"]: r["status"] for r in pack["manifest"]["reports"]}
    assert statuses == dict.fromkeys(COMMITTEES, "ok")
    assert pack["manifest"]["run"]["period"] == QUARTER
    index = (out / "index.html").read_text(encoding="utf-8")
    for name in COMMITTEES:
        assert f'href="{name}.html"' in index


@notebook
def test_inputs_are_never_modified(pack):
    assert pack["inputs_unchanged"]


@notebook
@pytest.mark.parametrize("committee", COMMITTEES)
def test_rag_counts_match_pmlib_rate(pack, committee, tmp_path):
    out = tmp_path / "rate.csv"
    argv = ["rate", "--period", QUARTER, "--committee", committee, "--out", str(out)]
    assert main([*argv, "--data", str(pack["data"]), "--params", str(pack["params"])]) == 0
    expected = pd.read_csv(out)["rag"].value_counts().to_dict()
    entry = next(r for r in pack["manifest"]["reports"] if r["name"] == committee)
    assert {k: v for k, v in entry["summary"].items() if v} == expected
    card = pd.read_csv(pack["out"] / "data" / f"{committee}.csv")
    assert card["rag"].value_counts().to_dict() == expected
    html = _html(pack, committee)
    for rag, n in expected.items():  # the at-a-glance table shows the same counts
        assert re.search(rf"{re.escape(rag)}</span></td>\s*<td[^>]*>\s*{n}\s*<", html), rag


@notebook
@pytest.mark.parametrize("committee", ["environment", "resources", "cabinet"])
def test_exception_sections_are_exactly_the_red_amber_and_forecast_misses(pack, committee):
    rated = _rated(pack["dataset"], committee)
    # every forecast short of the year-end target, whatever its colour (HSG05: 62 against 65
    # is Amber); none of the demo schemes has a Green tolerance, so "short" is Red or Amber
    off = ["Red", "Amber"]
    want = set(rated.loc[rated["rag"].isin(off) | rated["forecast_rag"].isin(off), "indicator_id"])
    html = _html(pack, committee)
    shown = set(re.findall(r'<section [^>]*aria-labelledby="ex-([^"]+)"', html))
    assert shown == want
    assert want  # the demo quarter has exceptions in each of these


@notebook
def test_quarterly_report_reads_like_an_officer_wrote_it(pack):
    html = _html(pack, "cabinet")
    body = html.split('id="at-a-glance">At a glance', 1)[1]  # the sections after the cover
    glance = body.split(">By Council Plan priority<", 1)[0]
    # no annual-report wording in a quarterly report; "since" names the quarter
    assert "annual report" not in html
    assert "since the previous quarter (2026/27 Q1)" in glance
    # names listed as bullets, each linked to its exception: HSG05 (forecast 62 against 65,
    # Amber) is in the forecast list although it is Green now
    forecast = glance.split("Forecast to miss the year-end target", 1)[1].split("</ul>", 1)[0]
    assert '<li><a href="#ex-HSG05">HSG05 Long-term empty homes' in forecast
    assert 'aria-labelledby="ex-HSG05"' in body
    # COM01's September figure is awaiting approval: not celebrated, listed under data quality
    success = body.split('id="celebrating-success">', 1)[1].split('id="data-quality">', 1)[0]
    assert "<strong>COM01" not in success
    assert "Left out until its figures are approved (see Data quality): COM01." in success
    assert "September 2026 figure submitted on 8 October 2026, not yet approved" in body
    # one date style; confidence is not a RAG colour; counts agree with their nouns
    assert not re.search(
        r"\b0\d (January|February|March|April|May|June|July|August|"
        r"September|October|November|December) \d{4}",
        body,
    )
    assert not re.search(r"confidence (Red|Amber|Green)|(Red|Amber|Green) \(\w+ collection", body)
    assert not re.search(r"\b1 (indicators|figures|findings)\b|\b([02-9]|\d\d+) indicator\b", body)
    assert not re.search(r"\b\d{4}-\d{2} is (submitted|draft)", body)


@notebook
def test_missing_narrative_is_shown_and_listed_under_data_quality(pack):
    # RES09 is Red with no narrative in the demo data.
    html = _html(pack, "resources")
    section = html.split('aria-labelledby="ex-RES09"', 1)[1].split("<section", 1)[0]
    assert "Narrative not provided" in section
    quality = html.split("Data-quality findings", 1)[1]
    assert re.search(
        r">RES09</td>\s*<td[^>]*>[^<]*</td>\s*<td[^>]*>Narrative not provided<", quality
    )


@notebook
def test_public_reports_never_contain_internal_indicators(pack):
    ds = pack["dataset"]
    internal = ds.indicators[ds.indicators["visibility"].eq("internal")]
    narr = ds.narratives[ds.narratives["indicator_id"].isin(internal["id"])]
    secrets = list(internal["name"]) + [t for t in narr["performance_update"] if len(t) > 20]
    assert len(internal) >= 2 and secrets
    for committee in ("cabinet", "resources"):
        html = _html(pack, committee)
        nb = (pack["out"] / "notebooks" / f"{committee}.ipynb").read_text(encoding="utf-8")
        card = (pack["out"] / "data" / f"{committee}.csv").read_text(encoding="utf-8")
        for text in secrets:
            for where in (html, nb, card):
                assert text not in where and json.dumps(text)[1:-1] not in where
        for ind_id in internal["id"]:
            assert ind_id not in html
    board = _html(pack, "performance-board")  # the internal board does see them
    assert all(name in board for name in internal["name"])


@notebook
def test_officer_text_is_escaped_never_run(pack):
    html = _html(pack, "environment")
    assert "<script>document.title" not in html
    assert "<img src=x" not in html
    assert "Below target. &lt;script&gt;document.title=" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


@notebook
def test_page_is_accessible_shaped_one_h1_main_lang_captions_and_alt_text(pack):
    html = _html(pack, "environment")
    assert re.search(r'<html\b[^>]*\blang="en-GB"', html)
    assert len(re.findall(r"<h1[\s>]", html)) == 1
    assert html.count("<main") == 1
    page = re.sub(r"<script.*?</script>", "", html, flags=re.S)
    tables = re.findall(r"<table\b[^>]*>\s*(<caption)?", page)
    assert tables and all(tables), "every table has a caption"
    figures = re.findall(r'<div [^>]*aria-label="([^"]*)"[^>]*>', html)
    assert figures and all(len(label) > 20 for label in figures)
    assert "import " not in page


@notebook
def test_report_sections_come_in_the_agreed_order(pack):
    html = _html(pack, "cabinet")
    heads = [
        "<h1",
        "At a glance",
        "By Council Plan priority",
        "Scorecard",
        "Exceptions",
        "Celebrating success",
        "Data quality",
        "Appendix: methodology statements",
    ]
    body = html.split("<main", 1)[1]
    positions = [
        re.search(rf"<h[1-3][^>]*>\s*{re.escape(h)}" if h != "<h1" else h, body).start()
        for h in heads
    ]
    assert positions == sorted(positions)


@notebook
def test_the_footer_says_only_who_made_the_report_and_when_and_links_the_open_data(pack):
    from pmlib import __version__
    from pmlib.core.files import sha256_file

    html = _html(pack, "environment")
    footer = html.split('<footer class="pmlib-footer">', 1)[1].split("</footer>", 1)[0]
    entry = {r["name"]: r for r in pack["manifest"]["reports"]}["environment"]
    rendered = dt.date.fromisoformat(entry["started"][:10])
    # data as at: the latest collection or approval of the committee's figures this year
    ds = pack["dataset"]
    ids = ds.indicators_for(ds.settings.committees["environment"])["id"]
    act = ds.actuals[ds.actuals["indicator_id"].isin(ids) & ds.actuals["fy"].eq(2026)]
    latest = max(act["collected_at"].max(), act["approved_at"].max())
    text = re.sub(r"<[^>]+>", "", footer)
    assert text.startswith(
        f"Produced with pmlib {__version__} on {rendered.day} {rendered:%B %Y}; "
        f"data as at {latest.day} {latest:%B %Y}."
    )
    assert re.findall(r'href="([^"]+)"', footer) == ["index.html#open-data"]
    # nothing of the old provenance table is left anywhere in the report
    assert sha256_file(pack["data"] / "actuals.csv") not in html
    assert str(pack["data"]) not in html and str(pack["params"]) not in html
    assert "pmlib-provenance" not in html


@notebook
def test_provenance_json_holds_the_hashes_and_parameters_the_footer_used_to(pack):
    from pmlib import __version__
    from pmlib.core.files import sha256_file

    record = json.loads((pack["out"] / "provenance.json").read_text(encoding="utf-8"))
    env = {r["name"]: r for r in record["reports"]}["environment"]
    inputs = {Path(i["path"]).name: i["sha256"] for i in report_inputs(record, env)}
    assert inputs["actuals.csv"] == sha256_file(pack["data"] / "actuals.csv")
    assert inputs["council.yaml"] == sha256_file(pack["params"] / "council.yaml")
    assert (env["parameters"]["committee"], env["parameters"]["quarter"]) == (
        "environment",
        "2026/27 Q2",
    )
    outputs = {o["path"]: o["sha256"] for o in env["outputs"]}
    assert outputs["environment.html"] == sha256_file(pack["out"] / "environment.html")
    assert record["pmlib_version"] == __version__


@notebook
def test_unchanged_rerun_skips_everything_and_a_data_change_rerenders(pack):
    out = pack["out"]
    html = {p: p.stat().st_mtime_ns for p in out.glob("*.html") if p.name != "index.html"}
    assert main([*pack["argv"], "--out", str(out), "--quiet"]) == 0
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert {r["status"] for r in m["reports"]} == {"skipped"}
    assert {p: p.stat().st_mtime_ns for p in html} == html


def test_bad_data_exits_1_lists_problems_and_writes_nothing(tmp_path, capsys):
    data, params = _copy_council(tmp_path)
    act = (data / "actuals.csv").read_text(encoding="utf-8").splitlines()
    parts = act[5].split(",")
    parts[2] = "n/a"
    act[5] = ",".join(parts)
    (data / "actuals.csv").write_text("\n".join(act) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    argv = ["run", "--quarter", QUARTER, "--data", str(data), "--params", str(params)]
    assert main([*argv, "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "actuals.csv, row 6, column 'value'" in err and "'n/a'" in err
    assert "Traceback" not in err
    assert not out.exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--quarter", "2026/27 Q5"], "'2026/27 Q2'"),
        (["--quarter", "2030/31 Q1"], "No data has been collected"),
        (["--quarter", QUARTER, "--committee", "planning"], "Unknown committee 'planning'"),
        (["--year", "2026/27"], "not complete yet"),
        (["--quarter", "2026/27"], "use --year 2026/27"),
        (["--quarter", QUARTER, "--format", "docx"], "Unknown --format"),
    ],
)
def test_bad_run_parameters_exit_1_with_a_clear_message(tmp_path, capsys, argv, message):
    out = tmp_path / "out"
    assert main(["run", *argv, "--out", str(out), "--params", str(ROOT / "parameters")]) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not out.exists()


def test_notebook_validates_its_parameters_first():
    with pytest.raises(ParameterError, match="Unknown committee 'planing'"):
        CommitteeReport.build(quarter=QUARTER, committee="planing", params_dir=ROOT / "parameters")
    with pytest.raises(ParameterError, match="'quarter' must be a non-empty"):
        CommitteeReport.build(quarter="", committee="cabinet", params_dir=ROOT / "parameters")


def test_annual_report_rates_the_years_outturns(tmp_path):
    """A year's report rates each indicator's 2025/26 outturn, counted by hand from data/demo.

    The environment committee takes the "A greener district" priority: ENV01-ENV10, all public,
    all on the council's default south-derbyshire scheme (relative; Green on target or better,
    Amber up to 5% short, Red beyond; no improved-vs-last-year rule). Each value is the year's
    rows combined by the indicator's aggregation (docs/rating-rules.md, "period"), published to
    its decimals, then rated against the 2025/26 row of targets.csv:

    * ENV01 ratio, higher: Σ numerator / Σ denominator over Apr 2025-Mar 2026 =
      26,606.1 / 52,010.0 = 51.16% → 51.2%; target 52: 0.8 short = 1.5% of 52 → Amber.
    * ENV02 cumulative sum, lower: 108.44 + 104.23 + 107.53 + 100.80 = 421.0 ≤ 425 → Green.
    * ENV03 mean, lower: 519.46 / 12 = 43.29 → 43.3 ≤ 50 (intervention 65 not reached) → Green.
    * ENV04, ENV05: statistics, monitoring only → Grey.
    * ENV06 mean of quarters, lower: (4.90 + 6.67 + 6.51 + 4.48) / 4 = 5.64 → 5.6 ≤ 6 → Green.
    * ENV07 annual, lower: 3,618 against 3,400 is 218 over = 6.4% of 3,400 > 5% → Red.
    * ENV08 annual, higher: 31 ≥ 30 → Green.
    * ENV09 ratio, higher: 1,818 / 1,934 = 94.0% ≥ 92 → Green.
    * ENV10 annual, higher: 3,385 ≥ 3,000 → Green.
    """
    report = CommitteeReport.build(
        quarter="2025/26", committee="environment", params_dir=ROOT / "parameters"
    )
    assert report.title == (
        "Environment and Climate Scrutiny Committee: Annual performance report 2025/26"
    )
    assert set(report.rated["period"]) == {"2025/26"}
    assert report.previous_period.label == "2024/25"
    rags = dict(zip(report.rated["indicator_id"], report.rated["rag"], strict=True))
    assert rags == {
        "ENV01": "Amber",
        "ENV02": "Green",
        "ENV03": "Green",
        "ENV04": "Grey",
        "ENV05": "Grey",
        "ENV06": "Green",
        "ENV07": "Red",
        "ENV08": "Green",
        "ENV09": "Green",
        "ENV10": "Green",
    }
    values = dict(zip(report.rated["indicator_id"], report.rated["value"], strict=True))
    assert [values[i] for i in ("ENV01", "ENV02", "ENV03", "ENV06", "ENV09")] == [
        51.2,
        421.0,
        43.3,
        5.6,
        94.0,
    ]
    assert report.summary() == {"Red": 1, "Amber": 1, "Green": 6, "Grey": 2, "No data": 0}


def test_annual_report_words_compare_with_the_previous_year_and_forecast_nothing():
    report = CommitteeReport.build(
        quarter="2025/26", committee="environment", params_dir=ROOT / "parameters"
    )
    glance = report.glance_text().html
    assert "what has changed since the previous year (2024/25)" in glance
    assert "quarter" not in glance
    # the year is over: its outturn is reported, not a forecast (ENV01's outturn is Amber)
    assert "Forecast to miss" not in glance
    # ENV07 is Red; 3,618 tCO2e is lower (better) than 2024/25's 3,764: compared once
    (head, _, _), *_ = report.exception_sections()
    assert "Improving compared with 2024/25</td>" in head.html
    assert head.html.count("compared with 2024/25") == 1


def _without_timestamps(html: str) -> str:
    html = re.sub(r"\d{1,2} \w+ \d{4}, \d{2}:\d{2}", "<time>", html)
    return re.sub(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}", "<time>", html)


@notebook
def test_reports_do_not_depend_on_the_order_they_are_rendered_in(tmp_path):
    from pmlib.batch.pack import plan_pack, run_pack

    pages = []
    for order in (["environment", "resources"], ["resources", "environment"]):
        out = tmp_path / "-".join(order)
        plan = plan_pack(QUARTER, committees=order, params_dir=ROOT / "parameters", out_dir=out)
        result = run_pack(plan, jobs=1, progress=False)  # one kernel renders both, in order
        assert result.exit_code == 0
        pages.append({c: _without_timestamps((out / f"{c}.html").read_text()) for c in order})
    assert pages[0] == pages[1]


@notebook
@pytest.mark.browser
def test_every_generated_page_works_offline_in_chromium_and_passes_axe(pack, offline_browser):
    out = pack["out"]
    assert offline_browser(out / "index.html")["charts"] == 0
    for committee in COMMITTEES:
        facts = offline_browser(out / f"{committee}.html")
        assert facts["charts"] >= 1, committee
        assert facts["title"] != "pwned"  # the injected narrative script never ran


@notebook
@pytest.mark.parametrize("committee", COMMITTEES)
def test_every_link_in_a_report_leads_somewhere(pack, committee):
    """Contents, scorecard rows, back links and the index link all resolve (issue 12)."""
    html = _html(pack, committee)
    page = re.sub(r"<script.*?</script>", "", html, flags=re.S)
    ids = set(re.findall(r'\bid="([^"]+)"', page))
    hrefs = re.findall(r'<a [^>]*href="([^"]+)"', page)
    inside = [h[1:] for h in hrefs if h.startswith("#")]
    assert {"at-a-glance", "scorecard", "exceptions"} <= set(inside)
    assert set(inside) <= ids, sorted(set(inside) - ids)
    assert "index.html" in hrefs and (pack["out"] / "index.html").is_file()
    # every exception section is linked from the scorecard, and links back to its row
    sections = re.findall(r'<h3 id="ex-([^"]+)"', page)
    assert sections
    card = page.split('class="pmlib-scorecard"', 1)[1].split("</table>", 1)[0]
    assert sorted(re.findall(r'href="#ex-([^"]+)"', card)) == sorted(sections)
    for ind_id in sections:
        after = page.split(f'<h3 id="ex-{ind_id}"', 1)[1]
        nxt = after.find('<h3 id="ex-')
        assert f'href="#sc-{ind_id}"' in (after[:nxt] if nxt >= 0 else after), ind_id


@notebook
@pytest.mark.browser
def test_report_and_index_fit_a_phone_390_px_wide(pack):
    """At 390 px the page never scrolls sideways; the scorecard's RAG is in view."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("needs Chromium (make system-deps installs Debian's chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    from conftest import BROWSER_ARGS

    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=BROWSER_ARGS)
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844})
            page.route(
                "**/*",
                lambda r: (
                    r.continue_()
                    if r.request.url.startswith(("file:", "data:", "about:"))
                    else r.abort()
                ),
            )
            for name in ("index", "cabinet", "performance-board"):
                page.goto((pack["out"] / f"{name}.html").as_uri(), wait_until="load")
                if name != "index":
                    page.wait_for_function(
                        "document.documentElement.dataset.pmlibCharts === 'done'",
                        timeout=30000,
                    )
                width = page.evaluate("document.documentElement.scrollWidth")
                assert width <= 390, (name, width)
                if name == "index":
                    continue
                first = page.locator("table.pmlib-scorecard tbody tr[id]").first
                for col in ("ref", "indicator", "value", "rag"):
                    box = first.locator(f".pm-col-{col}").bounding_box()
                    assert box["x"] >= 0 and box["x"] + box["width"] <= 390, (name, col, box)
        finally:
            browser.close()


@notebook
def test_scorecard_and_exceptions_show_the_latest_benchmark_quartile(pack):
    from pmlib.benchmarking.positions import latest_positions

    ds = pack["dataset"]
    pos = latest_positions(ds, up_to=QUARTER).set_index("indicator_id")
    card = pd.read_csv(pack["out"] / "data" / "environment.csv").set_index("indicator_id")
    linked = [i for i in card.index if i in pos.index]
    assert linked  # the demo links ENV01 to household recycling benchmarks
    for ind_id in linked:
        assert card.loc[ind_id, "benchmark_quartile"] == pos.loc[ind_id, "quartile"]
        assert card.loc[ind_id, "benchmark_rank"] == pos.loc[ind_id, "rank"]
    assert card.drop(index=linked)["benchmark_quartile"].isna().all()
    html = _html(pack, "environment")
    exc = html.split('aria-labelledby="ex-ENV01"', 1)[1].split("</section>", 1)[0]
    assert pos.loc["ENV01", "position_text"] in exc


def test_a_committee_with_nothing_to_report_is_refused_before_rendering(tmp_path, capsys):
    data, params = _copy_council(tmp_path)
    with open(params / "committees.yaml", "a", encoding="utf-8") as fh:
        fh.write("  - slug: licensing\n    title: Licensing Committee\n    audience: public\n")
    out = tmp_path / "out"
    argv = ["run", "--quarter", QUARTER, "--committee", "licensing", "--data", str(data)]
    assert main([*argv, "--params", str(params), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "Committee 'licensing' has no indicators to report" in err and "Fix:" in err
    assert "Traceback" not in err and not out.exists()


# -- key actions, risks, audit actions and finance (pmlib.reports.plan_sections) ----------------
PLAN_ANCHORS = ("key-actions", "strategic-risks", "internal-audit-actions", "budget-monitoring")
#: The demo's internal plan items (data/demo/source/plan.yaml): a risk, an action, an audit action.
INTERNAL_PLAN = ("SR02", "Cyber attack", "ACT09", "senior management team", "AUD05", "phishing")


@notebook
def test_demo_cabinet_and_resources_show_every_plan_section_with_csv_twins(pack):
    for name in ("cabinet", "resources"):
        page = _html(pack, name)
        for anchor in PLAN_ANCHORS:
            assert f'id="{anchor}"' in page and f'href="#{anchor}"' in page
        for table in ("actions", "risks", "audit_actions", "finance"):
            assert (pack["out"] / "data" / f"{name}-{table}.csv").exists()
    cabinet = _html(pack, "cabinet")
    assert "No update provided for 2026/27 Q2" in cabinet  # ACT03: overdue, no update
    assert "Not reviewed" in cabinet  # SR05: no review this quarter


@notebook
def test_public_reports_never_show_an_internal_action_risk_or_audit_action(pack):
    for name in ("cabinet", "environment", "communities", "resources"):
        page = _html(pack, name)
        assert [t for t in INTERNAL_PLAN if t in page] == [], name
        for csv in (pack["out"] / "data").glob(f"{name}-*.csv"):
            text = csv.read_text(encoding="utf-8")
            assert [t for t in INTERNAL_PLAN if t in text] == [], csv.name
    board = _html(pack, "performance-board")  # internal: shows every one of them
    assert [t for t in INTERNAL_PLAN if t not in board] == []


def _spc_limits(values: list[float]) -> tuple[float, float, float]:
    """Mean and process limits by the rule in docs/spc.md, worked independently of pmlib.spc:
    moving ranges at or above 3.267 × their mean are set aside once."""
    ranges = [abs(b - a) for a, b in zip(values, values[1:], strict=False)]
    amr = sum(ranges) / len(ranges)
    kept = [r for r in ranges if r < 3.267 * amr]
    amr = sum(kept) / len(kept)
    mean = sum(values) / len(values)
    return mean, mean - 2.66 * amr, mean + 2.66 * amr


@notebook
def test_demo_report_shows_spc_beside_rag(pack):
    """The demo council has spc: {show: true}. RES03 (days to process new Housing Benefit
    claims, lower is better, 54 monthly figures from 2022-04) ends September 2026 above its upper
    process limit: a special cause of concern, which its report shows in the scorecard (icon and
    words), at a glance and in its exception section with the SPC chart. RES10 is rebased at
    2025-10 (the MyNorthmoor launch), so its latest group is October 2025 to September 2026, 12
    points: the short-group warning."""
    ds = pack["dataset"]
    act = ds.actuals[ds.actuals["indicator_id"].eq("RES03") & ds.actuals["period_kind"].eq("month")]
    values = list(act.sort_values("ordinal")["value"].astype(float))
    assert len(values) == 54
    mean, lpl, upl = _spc_limits(values)
    assert values[-1] > upl  # above the upper limit, and lower is better: concern
    assert lpl < 20.0 < upl  # the 2026/27 target is inside the limits: hit and miss

    html = _html(pack, "resources")
    row = re.search(r'<tr [^>]*id="sc-RES03".*?</tr>', html, flags=re.S).group(0)
    assert "Special cause — concern" in row and "Will not reliably meet target" in row
    res10 = re.search(r'<tr [^>]*id="sc-RES10".*?</tr>', html, flags=re.S).group(0)
    assert "Will reliably meet target" in res10
    assert "Limits from only 12 points since the last change (fewer than 13)" in res10
    section = html[html.index('id="ex-RES03"') :]
    section = section[: section.index("Back to the scorecard")]
    assert "SPC says the latest figure is a special cause of concern" in section
    assert "SPC chart for Average days to process new Housing Benefit claims, days, over 54" in (
        section
    )
    assert "RES03</a> Average days to process new Housing Benefit claims: SPC says" in html
    assert "Reading RAG and SPC together" in html
    csv = pd.read_csv(pack["out"] / "data" / "resources.csv", encoding="utf-8-sig")
    got = csv.set_index("indicator_id").loc["RES03", ["spc_variation", "spc_assurance"]]
    assert list(got) == ["Special cause — concern", "Will not reliably meet target"]
