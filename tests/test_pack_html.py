"""The agenda pack's combined page (pmlib.pdf.pack_html): no browser needed.

Two hand-written report pages laid out as nbconvert lays out a committee report (one ``div`` per
notebook cell in ``<main>``), sharing an indicator (A1) and an id (``#scorecard``), stand in for
rendered reports.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

bs4 = pytest.importorskip("bs4")

from pmlib.pdf.pack_html import (  # noqa: E402
    APPENDIX_ID,
    PackReport,
    PackTitle,
    combine_reports,
    prefix_ids,
)


def _cell(body: str) -> str:
    return f'<div class="jp-Cell jp-Notebook-cell"><div class="jp-OutputArea-output">{body}</div></div>'


def _statement(ind: str, name: str) -> str:
    return (
        f'<table class="pmlib-deflist"><caption>{ind} {name}</caption><tbody>'
        f'<tr><th scope="row">Definition</th><td>How {ind} is counted</td></tr></tbody></table>'
    )


def _page(title: str, indicators: list[tuple[str, str]], *, draft: bool = True) -> str:
    banner = (
        '<div class="pmlib-banner" role="note" data-pmlib-marks="DRAFT"><p>DRAFT</p></div>'
        if draft
        else ""
    )
    methodology = "".join(_statement(i, n) for i, n in indicators)
    cells = [
        _cell(
            f'{banner}<header class="pmlib-cover"><h1 id="t">{title}</h1>'
            '<nav aria-labelledby="c"><h2 id="c">Contents</h2><ol>'
            '<li><a href="#scorecard">Scorecard</a></li>'
            '<li><a href="#appendix-methodology-statements">Appendix</a></li></ol>'
            '<p><a href="index.html">All reports</a></p></nav></header>'
        ),
        _cell('<h2 id="scorecard">Scorecard</h2>'),
        _cell(
            '<style>#gt1 .gt_table { color: #fff; }</style><div id="gt1"><table class="gt_table">'
            '<tr><th id="h1c">Value</th></tr><tr><td headers="h1c">4</td></tr></table></div>'
            '<svg><defs><clipPath id="clip1"></clipPath></defs>'
            '<g clip-path="url(#clip1)"></g></svg>'
        ),
        _cell('<h2 id="exceptions">Exceptions</h2>'),
        _cell(
            '<section aria-labelledby="ex-A1" class="exception"><h3 id="ex-A1">A1 Homes built '
            '<span class="rag rag-red"><span aria-hidden="true">■</span> Red</span></h3>'
            '<p><a href="#scorecard">Back</a></p></section>'
        ),
        _cell(
            '<h2 id="appendix-methodology-statements">Appendix: methodology statements</h2>'
            "<p>How each indicator is defined, collected and checked.</p>"
        ),
        _cell(f'<div class="pmlib-methodology">{methodology}</div>'),
        _cell('<h2 id="provenance">Provenance</h2><p>Produced with pmlib.</p>'),
    ]
    return (
        '<!DOCTYPE html><html lang="en-GB" data-pmlib-charts="done"><head><title>x</title>'
        "<style>body { margin: 0; }</style></head><body>"
        f'<main id="main-content">{"".join(cells)}</main></body></html>'
    )


@pytest.fixture
def two_reports(tmp_path: Path) -> list[PackReport]:
    pages = {
        "cabinet": ("Cabinet: Q2", [("A1", "Homes built"), ("B2", "Bins emptied")]),
        "housing": ("Housing Scrutiny Committee: Q2", [("A1", "Homes built"), ("C3", "Rents")]),
    }
    reports = []
    for name, (title, indicators) in pages.items():
        path = tmp_path / f"{name}.html"
        path.write_text(_page(title, indicators), encoding="utf-8")
        reports.append(PackReport(name, title, path))
    return reports


def test_prefix_ids_rewrites_every_kind_of_reference_but_not_colours():
    soup = bs4.BeautifulSoup(
        '<div><style>#gt1 td { color: #fff; } #other { x: 1 }</style><div id="gt1">'
        '<a href="#gt1">x</a><a href="#nowhere">y</a><a href="other.html#gt1">z</a>'
        '<section aria-labelledby="h gt1"><h3 id="h">H</h3></section>'
        '<th id="c1">V</th><td headers="c1">4</td>'
        '<svg><clipPath id="cp"></clipPath><g clip-path="url(#cp)" style="mask: url(\'#cp\')">'
        "</g></svg></div></div>",
        "html.parser",
    )
    renamed = prefix_ids(soup, "r--")
    assert renamed == {"gt1": "r--gt1", "h": "r--h", "c1": "r--c1", "cp": "r--cp"}
    page = str(soup)
    assert "#r--gt1 td { color: #fff; }" in page  # the id, not the colour
    assert "#other { x: 1 }" in page  # not an id on this page: left alone
    assert 'href="#r--gt1"' in page and 'href="#nowhere"' in page
    assert 'href="other.html#gt1"' in page  # another page's fragment: not ours
    assert 'aria-labelledby="r--h r--gt1"' in page
    assert 'headers="r--c1"' in page
    assert 'clip-path="url(#r--cp)"' in page and "mask: url('#r--cp')" in page


def test_combined_page_has_cover_contents_reports_then_one_appendix(two_reports):
    doc = combine_reports(two_reports, title="Council: Q2 pack", council="Council")
    page = doc.html
    # order: cover, contents, cabinet, housing, appendix
    order = [
        page.index('id="pmlib-pack-title"'),
        page.index('id="pmlib-pack-contents-title"'),
        page.index('id="pmlib-pack-report-cabinet"'),
        page.index('id="pmlib-pack-report-housing"'),
        page.index(f'id="{APPENDIX_ID}"'),
    ]
    assert order == sorted(order)
    # every id unique, and every in-page link lands on one
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))
    links = {h[1:] for h in re.findall(r'href="(#[^"]*)"', page)}
    assert links <= set(ids), links - set(ids)
    # each report's own appendix is gone; the statements are printed once each: A1 is in both
    # reports, so 3 statements for 4 in the reports
    assert "appendix-methodology-statements" not in page
    assert page.count("Appendix: methodology statements") == 2  # the pack's contents + heading
    assert page.count("<caption>A1 Homes built</caption>") == 1
    assert doc.methodology_count == 3
    appendix = page[page.index(f'id="{APPENDIX_ID}"') :]
    captions = re.findall(r"<caption>([^<]+)</caption>", appendix)
    assert captions == ["A1 Homes built", "B2 Bins emptied", "C3 Rents"]
    assert appendix.count("How each indicator is defined") == 1
    # a report's contents link to its appendix now leads to the pack's
    assert page.count(f'href="#{APPENDIX_ID}"') == 3  # pack contents + two reports' contents
    # the sections after the appendix stay with their report
    end = page.index(f'id="{APPENDIX_ID}"')
    housing = page[page.index('id="pmlib-pack-report-housing"') : end]
    assert 'id="housing--provenance"' in housing
    # great_tables' scoped style follows its renamed table; colours untouched
    assert "#cabinet--gt1 .gt_table { color: #fff; }" in page
    assert 'headers="housing--h1c"' in page and "url(#housing--clip1)" in page
    # one <main>, the draft mark on the cover, relative links untouched
    assert page.count("<main") == 1 and doc.marks == "DRAFT"
    assert 'data-pmlib-marks="DRAFT"' in page[: page.index('<nav class="pmlib-pack-contents"')]
    assert page.count('href="index.html"') == 2


def test_contents_and_bookmark_entries_name_reports_and_exceptions_with_spaces(two_reports):
    doc = combine_reports(two_reports, title="Pack")
    assert [e.title for e in doc.entries] == [
        "Cabinet: Q2",
        "Housing Scrutiny Committee: Q2",
        "Appendix: methodology statements",
    ]
    assert [e.anchor for e in doc.entries] == [
        "pmlib-pack-report-cabinet",
        "pmlib-pack-report-housing",
        APPENDIX_ID,
    ]
    cabinet = doc.entries[0]
    # the RAG symbol is hidden from readers, so it is left out; the word stays, after a dash
    assert [(c.title, c.anchor) for c in cabinet.children] == [
        ("A1 Homes built – Red", "cabinet--ex-A1")
    ]
    # the contents shows a placeholder page for each, filled in after the first printing
    for entry in (*doc.entries, *cabinet.children):
        assert f'id="{entry.pages_id}"' in doc.html and f'href="#{entry.anchor}"' in doc.html
    assert "pages 000–000" in doc.html and "page 000" in doc.html


def test_a_final_pack_has_no_draft_mark(tmp_path):
    path = tmp_path / "final.html"
    path.write_text(_page("Final: Q2", [("A1", "Homes")], draft=False), encoding="utf-8")
    doc = combine_reports([PackReport("final", "Final: Q2", path)], title="Pack")
    assert doc.marks == "" and "data-pmlib-marks" not in doc.html


def test_page_texts_give_ranges_up_to_the_next_report():
    from pmlib.pdf.pack_html import PackEntry
    from pmlib.pdf.pack_print import page_texts

    ex = PackEntry("A1", "a--ex-A1", "pa1")
    entries = [
        PackEntry("A", "ra", "pa", (ex,)),
        PackEntry("B", "rb", "pb"),
        PackEntry("Appendix", APPENDIX_ID, "pm"),
    ]
    starts = {"ra": 3, "a--ex-A1": 5, "rb": 9, APPENDIX_ID: 10}
    assert page_texts(entries, starts, total=14) == {
        "pa": "pages 3–8",
        "pa1": "page 5",
        "pb": "page 9",  # one page: no range
        "pm": "pages 10–14",
    }


def test_each_part_of_the_pack_names_its_own_running_header(two_reports):
    doc = combine_reports(two_reports, title="Council: Q2 pack", council="Council")
    page = doc.html
    # the cover and contents: the pack's title; each report and the appendix: its own page name
    assert '@page { @top-left { content: "Council\\3a  Q2 pack";' in page
    assert '@page pmlib-part-0 { @top-left { content: "Cabinet\\3a  Q2";' in page
    assert '@page pmlib-part-1 { @top-left { content: "Housing Scrutiny Committee\\3a  Q2";' in page
    assert (
        '@page pmlib-part-2 { @top-left { content: "Appendix\\3a  methodology statements";' in page
    )
    assert 'class="pmlib-pack-report pmlib-pack-part-1" id="pmlib-pack-report-housing"' in page
    assert 'class="pmlib-pack-appendix pmlib-pack-part-2"' in page


def test_a_title_cannot_break_out_of_the_running_header_css(tmp_path):
    path = tmp_path / "x.html"
    path.write_text(_page("X", [("A1", "Homes built")]), encoding="utf-8")
    evil = 'Q2 "pack" </style><script>alert(1)</script>'
    page = combine_reports([PackReport("x", "X", path)], title=evil).html
    head = page[page.index("<head>") : page.index("</head>")]
    assert "alert(1)" not in head.split("<title>")[0] + head.split("</title>")[1]
    assert '"Q2 \\22 pack\\22  \\3c \\2f style\\3e \\3c script\\3e alert\\28 1\\29 ' in head


def test_the_cover_comes_as_one_pack_title_or_as_the_keywords_callers_pass(two_reports, tmp_path):
    from pmlib.pdf.pack_print import print_pack

    cover = PackTitle(
        title="Council: Q2 pack",
        council="Northmoor <Council>",
        heading="Performance reports Q2",
        subtitle="The public reports & their statements.",
        details=[("Period", "2026/27 Q2")],  # a list is kept as a tuple: the title is frozen
    )
    assert cover.details == (("Period", "2026/27 Q2"),)
    page = combine_reports(two_reports, cover).html
    assert (
        page
        == combine_reports(
            two_reports,
            title="Council: Q2 pack",
            council="Northmoor <Council>",
            heading="Performance reports Q2",
            subtitle="The public reports & their statements.",
            details=[("Period", "2026/27 Q2")],
        ).html
    )
    assert "<title>Council: Q2 pack</title>" in page
    cover_html = page[: page.index('<nav class="pmlib-pack-contents"')]
    assert ">Performance reports Q2</h1>" in cover_html
    assert "Northmoor &lt;Council&gt;" in cover_html and "reports &amp; their" in cover_html
    assert "2026/27 Q2" in cover_html
    # the heading falls back to the title
    assert ">Pack</h1>" in combine_reports(two_reports, PackTitle("Pack")).html
    with pytest.raises(TypeError, match="not both"):
        combine_reports(two_reports, cover, title="Other")
    with pytest.raises(TypeError):
        combine_reports(two_reports, titel="Typo")
    # print_pack refuses the same mistake before it starts a browser
    with pytest.raises(TypeError, match="not both"):
        print_pack(tmp_path, [], cover, council="X")
