"""The run index (pmlib.batch.index_page): audiences, human wording, open data, build details.

A hand-written manifest of a committee run: four public reports and one internal, as the demo
council's quarter has.
"""

from __future__ import annotations

import re

from pmlib.batch.index_page import csv_label, render_index


def _entry(name: str, title: str, status: str = "ok", **extra) -> dict:
    files = [
        {"path": f"notebooks/{name}.ipynb", "kind": "notebook"},
        {"path": f"data/{name}.csv", "kind": "data"},
        {"path": f"data/{name}-risks.csv", "kind": "data"},
        {"path": f"{name}.html", "kind": "html"},
        {"path": f"{name}.pdf", "kind": "pdf"},
    ]
    return {"name": name, "title": title, "status": status, "seconds": 2.5,
            "summary": {"Red": 1, "Green": 2}, "files": files, **extra}  # fmt: skip


PUBLIC = ["cabinet", "environment", "communities", "resources"]


def _manifest(**changes) -> dict:
    reports = [_entry(n, f"{n.title()} report") for n in PUBLIC]
    reports.append(_entry("board", "Corporate Performance Board report"))
    manifest = {
        "finished": "2026-12-02T16:05:00+00:00",
        "pmlib_version": "0.1.0",
        "jobs": 2,
        "seconds": 48.2,
        "counts": {"ok": 3, "skipped": 2, "failed": 0},
        "run": {
            "status": "final",
            "audience": {**{n: "public" for n in PUBLIC}, "board": "internal"},
        },
        "reports": reports,
        "pack": {"path": "pack.pdf", "reports": PUBLIC, "pages": 97},
    }
    manifest.update(changes)
    return manifest


def _text(page: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


def test_index_speaks_to_people_and_says_everything_is_up_to_date():
    page = render_index(_manifest(), title="Northmoor: Q2")
    text = _text(page)
    assert "Built 2 December 2026; all 5 reports up to date." in text
    assert "Agenda pack (PDF, 97 pages) : the 4 public reports in one document" in text
    # the build log is folded away in a <details>, not in the main table
    details = page[page.index("<details") : page.index("</details>")]
    assert "<summary>Build details</summary>" in details
    assert "3 rendered, 2 unchanged, 0 failed" in _text(details)
    assert "after 48 s with 2 workers" in _text(details)
    assert "Rendered" not in page[page.index("<main") : page.index("<details")]
    assert "notebooks/cabinet.ipynb" in details
    assert "ipynb" not in page[: page.index("<details")]


def test_public_and_internal_reports_are_apart_and_labelled():
    page = render_index(_manifest(), title="Northmoor: Q2")
    public = page[page.index('id="public-reports"') : page.index('id="internal-reports"')]
    internal = page[page.index('id="internal-reports"') : page.index('id="open-data"')]
    assert "Public reports (4)" in public and "Internal reports (1)" in internal
    for name in PUBLIC:
        assert f'href="{name}.html"' in public and f'href="{name}.html"' not in internal
    assert 'href="board.html"' in internal and 'href="board.html"' not in public
    assert public.count('class="pm-audience pm-audience--public">Public<') == 4
    assert internal.count('class="pm-audience pm-audience--internal">Internal<') == 1
    assert "not for publication" in _text(internal)


def test_open_data_lists_the_public_reports_csv_files_only():
    page = render_index(_manifest(), title="Northmoor: Q2")
    start = page.index('id="open-data"')
    open_data = page[start : page.index("</section>", start)]
    hrefs = re.findall(r'href="([^"]+)"', open_data)
    expected = [f"data/{n}{part}.csv" for n in PUBLIC for part in ("", "-risks")]
    assert hrefs == expected
    assert "Scorecard" in open_data and "Strategic risks" in open_data


def test_a_failed_report_is_said_plainly_and_its_error_is_in_the_details():
    reports = _manifest()["reports"]
    reports[1] = _entry("environment", "Environment report", "failed", error="KeyError: 'x'")
    page = render_index(
        _manifest(reports=reports, counts={"ok": 4, "skipped": 0, "failed": 1}), title="Q2"
    )
    text = _text(page)
    assert "Built 2 December 2026; 4 of 5 reports up to date; 1 failed" in text
    assert 'href="environment.html"' not in page  # no link to a stale page
    assert "Not built this time" in text
    details = page[page.index("<details") :]
    assert "KeyError: &#39;x&#39;" in details and "Failed" in details


def test_a_batch_without_audiences_lists_its_reports_in_one_table():
    manifest = _manifest(run={}, pack=None)
    page = render_index(manifest, title="Toy")
    assert "Reports (5)" in _text(page)
    assert 'class="pm-audience' not in page and "Internal reports" not in page
    assert 'id="open-data"' in page  # the public footer's link always lands


def test_one_report_and_csv_labels():
    manifest = _manifest(reports=[_entry("cabinet", "Cabinet")], counts={"ok": 1})
    assert "Built 2 December 2026; the report is up to date." in _text(
        render_index(manifest, title="Q2")
    )
    assert csv_label("data/cabinet.csv", "cabinet") == "Scorecard"
    assert csv_label("data/cabinet-actions.csv", "cabinet") == "Key actions"
    assert csv_label("data/cabinet-budget_lines.csv", "cabinet") == "Budget lines"
