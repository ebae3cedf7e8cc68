"""Finding your way and status marks: contents, scorecard order and links, key, DRAFT/INTERNAL.

Built on the small hand-written council of ``conftest.py`` (quarter 2026/27 Q1), whose ratings
are worked out by hand from the South Derbyshire rule (Amber up to 5% short of target):

- R1 (priority Greener): 48.5% against 50% (higher is better), 3% short: Amber.
- R2 (priority Efficient): mean of April 22.1 and May 19.4 days = 20.75 against 20 (lower is
  better), 3.75% over: Amber.
- R3 (priority Greener, internal): a statistic with no target: Grey.

So the internal ``board`` (all indicators) has exceptions R1 and R2; the public ``cabinet``
sees R1 and R2 only.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from pmlib.core.errors import ParameterError
from pmlib.present import navigation, tables
from pmlib.present import text as present_text
from pmlib.present.navigation import (
    anchor_id,
    heading_ids,
    marks_from_html,
    status_banner,
    status_marks,
)
from pmlib.present.tables import order_scorecard, scorecard_key
from pmlib.reports.committee import CommitteeReport
from pmlib.reports.layout import SECTIONS

QUARTER = "2026/27 Q1"


def _report(council, committee: str, status: str = "draft") -> CommitteeReport:
    data, params = council
    return CommitteeReport.build(
        quarter=QUARTER, committee=committee, data_dir=data, params_dir=params, status=status
    )


def _refs_in_rows(html: str) -> list[str]:
    return re.findall(r'<tr id="sc-([^"]+)"', html)


# --- status marks ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "public", "words"),
    [
        ("draft", True, ["DRAFT"]),
        ("draft", False, ["DRAFT", "INTERNAL"]),
        ("final", False, ["INTERNAL"]),  # final removes the draft mark only
        ("final", True, []),
    ],
)
def test_status_marks_draft_until_final_internal_always(status, public, words):
    assert [w for w, _ in status_marks(status, public=public)] == words


def test_draft_public_report_has_a_draft_banner_first(council):
    html = _report(council, "cabinet").cover().html
    assert html.startswith('<div class="pmlib-banner"')
    assert 'data-pmlib-marks="DRAFT"' in html
    assert "INTERNAL" not in html


def test_final_internal_report_keeps_internal_and_drops_draft(council):
    html = _report(council, "board", status="final").cover().html
    assert html.startswith('<div class="pmlib-banner"')
    assert 'data-pmlib-marks="INTERNAL"' in html
    assert "DRAFT" not in html
    assert marks_from_html(html) == "INTERNAL"


def test_final_public_report_has_no_banner(council):
    html = _report(council, "cabinet", status="final").cover().html
    assert "pmlib-banner" not in html and "DRAFT" not in html
    assert marks_from_html(html) == ""


def test_draft_internal_marks_reach_the_pdf_header_text(council):
    html = _report(council, "board").cover().html
    assert marks_from_html(html) == "DRAFT · INTERNAL"


def test_officer_text_cannot_forge_or_hide_a_mark():
    # what an officer types arrives escaped: quotes and angle brackets are entities
    typed = present_text.esc('<p data-pmlib-marks="FINAL">')
    assert marks_from_html(f"<p>{typed}</p>") == ""
    banner = status_banner([("DRAFT", "not final")]).html
    assert marks_from_html(f"<p>{typed}</p>{banner}") == "DRAFT"


# --- contents and section ids -----------------------------------------------------------------


def test_contents_links_every_section_and_the_quarter_index(council):
    html = _report(council, "cabinet").cover().html
    nav = html.split('<nav class="pmlib-contents"', 1)[1].split("</nav>", 1)[0]
    hrefs = re.findall(r'href="([^"]+)"', nav)
    assert hrefs == [
        "#at-a-glance",
        "#scorecard",
        "#exceptions",
        "#celebrating-success",
        "#data-quality",
        "#appendix-methodology-statements",
        "index.html",
    ]
    assert f"All reports for {QUARTER}" in nav


def test_section_titles_match_the_notebook_headings():
    import json
    from pathlib import Path

    nb = Path(__file__).resolve().parents[1] / "notebooks" / "committee_report.ipynb"
    cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
    heads = [
        line[3:].strip()
        for c in cells
        if c["cell_type"] == "markdown"
        for line in "".join(c["source"]).splitlines()
        if line.startswith("## ")
    ]
    assert list(SECTIONS) == heads


def test_heading_ids_slug_unique_and_leave_scripts_and_set_ids_alone():
    page = (
        "<h2>At a glance</h2><h3>Notes &amp; caveats</h3><h3>Notes &amp; caveats</h3>"
        '<h2 id="keep">Kept</h2><script>x = "<h2>${t}</h2>";</script><h2>Keep</h2>'
    )
    assert heading_ids(page) == (
        '<h2 id="at-a-glance">At a glance</h2>'
        '<h3 id="notes-caveats">Notes &amp; caveats</h3>'
        '<h3 id="notes-caveats-2">Notes &amp; caveats</h3>'
        '<h2 id="keep">Kept</h2><script>x = "<h2>${t}</h2>";</script>'
        '<h2 id="keep-2">Keep</h2>'
    )


def test_anchor_ids_are_plain_ascii():
    assert anchor_id("Appendix: methodology statements") == "appendix-methodology-statements"
    assert anchor_id("Café – £k") == "caf-k"
    assert anchor_id("!!!") == "section"


# --- the scorecard ----------------------------------------------------------------------------


def test_scorecard_groups_by_priority_with_exceptions_first(council):
    html = _report(council, "board").scorecard().html
    # Greener: R1 (Amber, exception) then R3 (Grey); Efficient: R2
    assert _refs_in_rows(html) == ["R1", "R3", "R2"]
    groups = re.findall(r'<tr class="pmlib-group"><th scope="rowgroup"[^>]*>([^<]+)<', html)
    assert groups == ["Greener", "Efficient"]
    assert html.count("<tbody>") == 2


@pytest.mark.parametrize(
    ("order", "refs"), [("rag", ["R1", "R2", "R3"]), ("reference", ["R1", "R2", "R3"])]
)
def test_scorecard_other_orders_have_no_groups(council, order, refs):
    html = _report(council, "board").scorecard(order=order).html
    assert _refs_in_rows(html) == refs
    assert "pmlib-group" not in html


def test_scorecard_order_rag_puts_exceptions_before_no_data_and_green():
    rows = pd.DataFrame(
        {
            "indicator_id": ["A1", "A2", "A3", "A10", "A4"],
            "rag": ["Green", "No data", "Grey", "Red", "Green"],
            "priority": ["p"] * 5,
            # A4 is Green now but forecast to miss: an exception, so it comes first of the Greens
            "exception": [False, False, False, True, True],
        }
    )
    assert list(order_scorecard(rows, "rag")["indicator_id"]) == ["A10", "A4", "A2", "A1", "A3"]
    assert list(order_scorecard(rows, "reference")["indicator_id"]) == [
        "A1",
        "A2",
        "A3",
        "A4",
        "A10",
    ]
    assert list(rows["indicator_id"]) == ["A1", "A2", "A3", "A10", "A4"]  # input unchanged


def test_unknown_scorecard_order_names_the_choices(council):
    with pytest.raises(ParameterError, match="'priority', 'rag', 'reference'"):
        _report(council, "board").scorecard(order="severity")


def test_every_exception_is_linked_from_its_scorecard_row_and_links_back(council):
    report = _report(council, "board")
    html = report.scorecard().html
    exceptions = list(report.exceptions_frame()["indicator_id"])
    assert exceptions == ["R1", "R2"]
    linked = re.findall(r'href="#ex-([^"]+)"', html)
    assert sorted(linked) == sorted(exceptions)
    for ind_id in exceptions:
        row = html.split(f'<tr id="sc-{ind_id}"', 1)[1].split("</tr>", 1)[0]
        assert f'href="#ex-{ind_id}"' in row
        (head, _chart, _narrative) = report.exception_sections()[exceptions.index(ind_id)]
        assert f'id="ex-{ind_id}"' in head.html
        assert f'href="#sc-{ind_id}"' in report.back_link(head).html
    row = html.split('<tr id="sc-R3"', 1)[1].split("</tr>", 1)[0]
    assert "href=" not in row  # Grey, not an exception: no link


def test_scorecard_columns_put_rag_and_value_before_owner(council):
    html = _report(council, "board").scorecard().html
    head = re.findall(r'<th scope="col"[^>]*>([^<]+)</th>', html)
    assert head[:4] == ["Ref", "Indicator", "Value", "RAG"]
    assert head[-1] == "Owner"


def test_key_is_built_from_the_badge_and_arrow_mappings(monkeypatch):
    key = scorecard_key(short_label="Q1", long_label="last year").html
    for word, style in present_text.RAG_STYLE.items():
        assert present_text.rag_badge(word) in key
        assert present_text.esc(style["meaning"]) in key
    assert "Short term compares with Q1; long term with last year." in key
    # a glyph changed in the text module shows up in the key: nothing is copied
    name = "DOT_SYMBOLS" if hasattr(present_text, "DOT_SYMBOLS") else "DOT_SYMBOL"
    mapping = dict(getattr(present_text, name))
    mapping["Improving"] = "⇑"
    monkeypatch.setattr(present_text, name, mapping)
    key = scorecard_key().html
    assert present_text.dot_label("Improving") == "⇑ Improving"
    assert "⇑ Improving" in key and "↑ Improving" not in key


def test_key_explains_rated_and_unrated_arrows_apart():
    key = scorecard_key().html
    assert "Improving</span>: better than the period compared with" in key
    assert "the value rose" in key and "higher is neither better nor worse" in key


def test_navigation_module_does_not_load_pandas():
    import subprocess
    import sys

    code = (
        "import sys, pmlib.present.navigation as n; n.marks_from_html('');"
        "sys.exit('pandas' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0, "pandas imported"
    assert navigation.MARKS_ATTRIBUTE == "data-pmlib-marks"
    assert tables.SCORECARD_ORDERS.keys() == {"priority", "rag", "reference"}


@pytest.mark.parametrize(("status", "banner"), [("draft", True), ("final", False)])
def test_index_of_a_draft_run_carries_the_draft_mark(status, banner):
    from pmlib.batch.manifest import render_index

    page = render_index({"run": {"status": status}, "reports": []}, title="Pack")
    assert ('data-pmlib-marks="DRAFT"' in page) is banner
    assert marks_from_html(page) == ("DRAFT" if banner else "")


def test_index_table_cells_are_labelled_for_the_phone_layout():
    from pmlib.batch.manifest import render_index

    entry = {"name": "a", "title": "A", "status": "ok", "summary": {"Red": 1}, "files": []}
    page = render_index({"reports": [entry]}, title="Pack")
    assert '<table class="pm-index">' in page
    labels = re.findall(r'<td data-label="([^"]+)"', page)
    assert labels == ["Status", "Summary", "Other files"]
