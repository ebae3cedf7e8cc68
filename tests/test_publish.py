"""``pmlib publish``: the demo quarter's public site, built once, and what it may and may not hold.

The site is built from a copy of the demo council with three things planted in its data:

* an internal indicator's (RES14's) commentary carrying a marker sentence, and its owner
  renamed to a marker post, so a leak of either is unmistakable;
* a public indicator's (ENV01's) commentary and owner starting ``=HYPERLINK(...)``, which a
  spreadsheet would run: every CSV must carry them neutralised (a leading apostrophe).

ENV01 is an exception in the Cabinet and Environment reports in 2026/27 Q2 (Amber, forecast
Red), so its commentary is printed there and published in ``commentary.csv``.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from pmlib.batch.provenance import report_inputs
from pmlib.cli.main import main

ROOT = Path(__file__).resolve().parents[1]
QUARTER = "2026/27 Q2"
PUBLIC = ["cabinet", "environment", "communities", "resources"]
INTERNAL_NARRATIVE = "Agency staff costs rose because the chief executive's office overspent"
INTERNAL_OWNER = "Assistant Director of Confidential Matters"
FORMULA = '=HYPERLINK("http://evil.example/x","Click for details")'
OWNER_FORMULA = '=HYPERLINK("http://evil.example/y","Owner")'

needs_chromium = pytest.mark.skipif(
    not (shutil.which("chromium") or shutil.which("chromium-browser")),
    reason="needs Chromium (make system-deps installs Debian's chromium)",
)


def _copy_council(tmp: Path) -> tuple[Path, Path]:
    data, params = tmp / "data", tmp / "parameters"
    shutil.copytree(ROOT / "data" / "demo", data, ignore=shutil.ignore_patterns("*.py"))
    shutil.copytree(ROOT / "parameters", params, ignore=shutil.ignore_patterns("examples"))
    council = params / "council.yaml"
    text = council.read_text(encoding="utf-8")
    text = text.replace("data_dir: ../data/demo", "data_dir: ../data")
    text = text.replace(
        "benchmark_dir: ../data/demo/benchmarks", "benchmark_dir: ../data/benchmarks"
    )
    council.write_text(text, encoding="utf-8")
    return data, params


def _plant(data: Path) -> None:
    narr = pd.read_csv(data / "narratives.csv", dtype=str, keep_default_na=False)
    env01 = narr["indicator_id"].eq("ENV01") & narr["period"].eq(QUARTER)
    res14 = narr["indicator_id"].eq("RES14") & narr["period"].eq(QUARTER)
    assert env01.sum() == 1 and res14.sum() == 1
    narr.loc[env01, "performance_update"] = FORMULA
    narr.loc[res14, "performance_update"] = INTERNAL_NARRATIVE + "."
    narr.to_csv(data / "narratives.csv", index=False)
    ind = pd.read_csv(data / "indicators.csv", dtype=str, keep_default_na=False)
    ind.loc[ind["id"].eq("ENV01"), "owner"] = OWNER_FORMULA
    ind.loc[ind["id"].eq("RES14"), "owner"] = INTERNAL_OWNER
    ind.to_csv(data / "indicators.csv", index=False)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The demo quarter published once: final reports, the unapproved figure provisional."""
    if not (shutil.which("chromium") or shutil.which("chromium-browser")):
        pytest.skip("pmlib publish prints PDFs: needs Chromium")
    tmp = tmp_path_factory.mktemp("publish")
    data, params = _copy_council(tmp)
    _plant(data)
    out, run = tmp / "site", tmp / "outputs"
    argv = ["publish", "--quarter", QUARTER, "--data", str(data), "--params", str(params),
            "--out", str(out), "--run-dir", str(run), "--allow-unapproved", "--quiet"]  # fmt: skip
    code = main(argv)
    ind = pd.read_csv(data / "indicators.csv", dtype=str, keep_default_na=False)
    return {"code": code, "out": out, "run": run, "tmp": tmp, "data": data, "params": params,
            "argv": argv, "indicators": ind}  # fmt: skip


def _files(site) -> list[str]:
    out = site["out"]
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())


def _text(path: Path) -> str:
    if path.suffix == ".pdf":
        if not shutil.which("pdftotext"):
            pytest.skip("needs pdftotext (poppler-utils)")
        return subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
    return path.read_text(encoding="utf-8-sig")


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


# --- what is in the folder ----------------------------------------------------------------------


def test_the_site_holds_the_public_reports_their_data_a_landing_page_and_a_sitemap(site):
    assert site["code"] == 0
    files = _files(site)
    pages = [f for f in files if "/" not in f]
    assert pages == sorted(
        ["index.html", "sitemap.xml", *[f"{c}.html" for c in PUBLIC], *[f"{c}.pdf" for c in PUBLIC]]
    )
    data = {f.removeprefix("data/") for f in files if f.startswith("data/")}
    assert {"datapackage.json", "indicators.csv", "ratings.csv", "targets.csv"} <= data
    assert {"commentary.csv", *[f"{c}.csv" for c in PUBLIC]} <= data
    # the internal committee's report is nowhere, nor anything of the build
    assert not [f for f in files if "performance-board" in f]
    assert not [f for f in files if f.endswith(".ipynb") or "manifest" in f or "provenance" in f]


def test_nothing_internal_or_from_the_server_is_in_any_file(site):
    ind = site["indicators"]
    internal = ind[ind["visibility"].eq("internal")]
    assert sorted(internal["id"]) == ["RES14", "RES15"]
    public_owners = set(ind.loc[ind["visibility"].ne("internal"), "owner"])
    owners = [o for o in internal["owner"] if o not in public_owners]
    assert INTERNAL_OWNER in owners
    forbidden = [*internal["name"], *owners, INTERNAL_NARRATIVE, "Corporate Performance Board"]
    paths = [str(site["tmp"]), str(site["tmp"].resolve()), str(ROOT), str(Path.home()) + "/"]
    hash64 = re.compile(r"(?<![0-9a-fA-F])[0-9a-fA-F]{64}(?![0-9a-fA-F])")
    leaks = []
    for rel in _files(site):
        text = _text(site["out"] / rel)
        leaks += [(rel, s) for s in forbidden + paths if s in text]
        leaks += [(rel, "hash") for _ in hash64.finditer(text)][:1]
        leaks += [(rel, "notebook") for _ in re.finditer(r"\.ipynb\b", text)][:1]
    assert leaks == []
    # the public reports do name their own indicators and owners (the test can see a leak)
    cabinet = _text(site["out"] / "cabinet.pdf")
    assert "Household waste reused" in cabinet and "Agency staff spend" not in cabinet


def test_every_link_is_relative_and_leads_to_a_file_or_section_of_the_site(site):
    out = site["out"]
    ids = {rel: set(re.findall(r'\bid="([^"]+)"', _text(out / rel))) for rel in _files(site)
           if rel.endswith(".html")}  # fmt: skip
    assert "open-data" in ids["index.html"]
    broken = []
    for rel in ids:
        page = re.sub(r"<script.*?</script>", "", _text(out / rel), flags=re.S)
        for href in re.findall(r'<a [^>]*href="([^"]+)"', page):
            if href.startswith("https://www.nationalarchives.gov.uk/doc/open-government-licence"):
                continue  # the licence, by its official address
            target, _, anchor = href.partition("#")
            if re.match(r"^[a-z]+:|^/", target):
                broken.append((rel, href))  # absolute: would break when the folder moves
                continue
            path = target or rel
            if not (out / path).is_file() or (anchor and anchor not in ids.get(path, set())):
                broken.append((rel, href))
    assert broken == []
    # each report's footer leads to the open data on the landing page
    for c in PUBLIC:
        assert 'href="index.html#open-data"' in _text(out / f"{c}.html")


def _descriptions(page: str) -> list[str]:
    """The content of each <meta name="description"> (attributes in either order)."""
    metas = [m for m in re.findall(r"<meta\b[^>]*>", page) if 'name="description"' in m]
    return [re.search(r'content="([^"]*)"', m).group(1) for m in metas]


def test_every_page_has_a_description_and_the_sitemap_lists_every_page(site):
    out = site["out"]
    for rel in [f for f in _files(site) if f.endswith(".html")]:
        found = _descriptions(_text(out / rel))
        assert len(found) == 1 and len(found[0]) > 60, rel
    (cabinet,) = _descriptions(_text(out / "cabinet.html"))
    assert cabinet.startswith(
        "Northmoor District Council: Cabinet performance report for 2026/27 Q2 "
        "(1 July 2026 to 30 September 2026). 47 indicators:"
    )
    locs = re.findall(r"<loc>([^<]+)</loc>", _text(out / "sitemap.xml"))
    assert sorted(locs) == sorted(f for f in _files(site) if f.endswith((".html", ".pdf")))


def test_the_landing_page_says_when_each_report_goes_to_committee(site):
    page = _text(site["out"] / "index.html")
    assert "<script" not in page  # works wherever scripts are stripped
    cards = dict(re.findall(r'<h3 id="report-([^"]+)">.*?</h3>(.*?)</article>', page, flags=re.S))
    assert list(cards) == PUBLIC
    # Q2 ends 30 September; data is due 15 days later (15 October); each committee's first
    # meeting on or after that day (committees.yaml): Cabinet 12 November, item 8;
    # Environment 24 November, item 5; the other two list no meetings
    assert "Goes to the meeting on 12 November 2026 (agenda item 8)." in cards["cabinet"]
    assert "Goes to the meeting on 24 November 2026 (agenda item 5)." in cards["environment"]
    assert "Goes to the meeting" not in cards["communities"] + cards["resources"]
    for slug, card in cards.items():
        assert f'href="{slug}.html"' in card and f'href="{slug}.pdf"' in card


def test_the_headline_counts_each_priority_from_the_published_ratings(site):
    page = _text(site["out"] / "index.html")
    table = page.split('<table class="pm-headline">', 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1]
    shown = {
        th: [int(n) for n in re.findall(r'<td class="pm-num">(\d+)</td>', row)]
        for th, row in re.findall(r'<th scope="row">([^<]+)</th>(.*?)</tr>', body, flags=re.S)
    }
    ratings = _rows(site["out"] / "data" / "ratings.csv")
    expected: dict[str, list[int]] = {}
    for r in ratings:
        counts = expected.setdefault(r["priority"].replace("'", "&#39;"), [0] * 6)
        counts[["Green", "Amber", "Red", "Grey", "No data"].index(r["rag"])] += 1
        counts[5] += 1
    expected["All priorities"] = [sum(c[i] for c in expected.values()) for i in range(6)]
    assert shown == expected
    assert shown["All priorities"][5] == 47  # the demo's 49 indicators less RES14 and RES15


# --- open data -----------------------------------------------------------------------------------


def test_the_data_package_validates_with_frictionless_under_the_ogl(site):
    import frictionless

    package = site["out"] / "data" / "datapackage.json"
    report = frictionless.validate(str(package))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]
    descriptor = json.loads(package.read_text(encoding="utf-8"))
    assert descriptor["licenses"][0]["name"] == "OGL-UK-3.0"
    listed = sorted(r["path"] for r in descriptor["resources"])
    assert listed == sorted(p.name for p in (site["out"] / "data").glob("*.csv"))
    ratings = next(r for r in descriptor["resources"] if r["name"] == "ratings")
    fields = {f["name"]: f for f in ratings["schema"]["fields"]}
    assert fields["period_start"]["type"] == fields["period_end"]["type"] == "date"
    assert fields["value"]["type"] == "number" and "unit column" in fields["value"]["description"]
    assert all(f.get("description") for f in fields.values())


def test_the_public_dataset_has_units_polarity_and_iso_periods_in_their_own_columns(site):
    data = site["out"] / "data"
    for name in ("ratings", "indicators", "targets", "commentary", *PUBLIC):
        assert (data / f"{name}.csv").read_bytes().startswith(b"\xef\xbb\xbf"), name
    env01 = next(r for r in _rows(data / "ratings.csv") if r["indicator_id"] == "ENV01")
    assert (env01["unit"], env01["polarity"]) == ("percent", "higher")
    assert (env01["period_start"], env01["period_end"]) == ("2026-07-01", "2026-09-30")
    card = next(r for r in _rows(data / "environment.csv") if r["indicator_id"] == "ENV01")
    assert (card["unit"], card["polarity"]) == ("percent", "higher")
    assert (card["period_start"], card["period_end"]) == ("2026-07-01", "2026-09-30")
    # whole numbers are written as integers, whatever else shares the column
    for name in ("ratings", "targets"):
        for r in _rows(data / f"{name}.csv"):
            for col in ("value", "target", "forecast"):
                assert not re.fullmatch(r"-?\d+\.0", r.get(col) or ""), (name, r[col])
    # every target row has its period's dates
    for r in _rows(data / "targets.csv"):
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", r["period_start"]), r
        assert r["period_start"] <= r["period_end"]


def test_an_injected_formula_is_neutralised_in_every_csv(site):
    seen = {}
    for path in sorted((site["out"] / "data").glob("*.csv")):
        for row in _rows(path):
            for value in row.values():
                assert not (value or "").startswith(("=", "+", "@")), (path.name, value)
                if "HYPERLINK" in (value or ""):
                    seen.setdefault(path.name, set()).add(value)
    assert seen["commentary.csv"] == {"'" + FORMULA}
    assert seen["indicators.csv"] == {"'" + OWNER_FORMULA}
    for c in ("cabinet", "environment"):
        assert seen[f"{c}.csv"] == {"'" + OWNER_FORMULA}


# --- the run folder keeps the record -------------------------------------------------------------


def test_provenance_json_records_what_was_published_and_stays_out_of_the_site(site):
    from pmlib.core.files import sha256_file

    record = json.loads((site["run"] / "provenance.json").read_text(encoding="utf-8"))
    published = {f["path"]: f["sha256"] for f in record["publication"]["files"]}
    assert sorted(published) == _files(site)
    assert published["index.html"] == sha256_file(site["out"] / "index.html")
    # a published report is the run's own file, so its hash leads to the inputs that made it
    cabinet = next(r for r in record["reports"] if r["name"] == "cabinet")
    outputs = {o["path"]: o["sha256"] for o in cabinet["outputs"]}
    assert outputs["cabinet.html"] == published["cabinet.html"]
    assert any(Path(i["path"]).name == "actuals.csv" for i in report_inputs(record, cabinet))


def test_publishing_again_with_nothing_changed_reuses_every_report(site, capsys):
    assert main(site["argv"]) == 0
    said = capsys.readouterr().out
    assert "(0 rendered, 4 unchanged)" in said


# --- in a browser --------------------------------------------------------------------------------


@needs_chromium
@pytest.mark.browser
def test_every_page_is_accessible_on_a_desktop_and_a_phone_without_sideways_scroll(
    site, offline_browser
):
    pages = [site["out"] / f for f in _files(site) if f.endswith(".html")]
    for page in pages:
        offline_browser(page)  # axe: no serious or critical violation, nothing fetched
        facts = offline_browser(page, width=390)
        assert facts["overflow"] == 0, page.name


@needs_chromium
@pytest.mark.browser
def test_every_chart_shows_with_javascript_disabled(site, no_js_page):
    for c in PUBLIC:
        facts = no_js_page(site["out"] / f"{c}.html")
        assert not facts["scripts_ran"]
        assert facts["charts"], c
        for chart in facts["charts"]:
            assert chart["svg_width"] > 100 and chart["svg_height"] > 50, (c, chart)


@needs_chromium
@pytest.mark.browser
def test_the_landing_page_picture(site):
    """Draws docs/img/site-landing.png when PMLIB_SCREENSHOTS=1 (the README shows it)."""
    if os.environ.get("PMLIB_SCREENSHOTS") != "1":
        pytest.skip("set PMLIB_SCREENSHOTS=1 to redraw docs/img/site-landing.png")
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    out = ROOT / "docs" / "img" / "site-landing.png"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1100, "height": 1500})
        page.goto((site["out"] / "index.html").as_uri())
        page.screenshot(path=str(out))
        browser.close()
    from PIL import Image

    with Image.open(out) as im:
        im.convert("P", palette=Image.Palette.ADAPTIVE, colors=128).save(out, optimize=True)
    assert out.stat().st_size > 10_000
