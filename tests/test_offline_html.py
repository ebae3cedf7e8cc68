"""The exported HTML works offline, is accessible, and shows no code, prompts or artifacts.

Static checks parse the page with the standard library; the ``browser`` test opens it in
headless Chromium with every network request blocked and runs axe-core.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from pmlib.batch.manifest import render_index
from pmlib.core.artifacts import ARTIFACT_MIMETYPE
from pmlib.core.errors import RenderError
from pmlib.present.figures import chart_html
from pmlib.render.html import export_html, find_external_refs
from pmlib.render.kernel import ReportKernel
from pmlib.render.notebook import run_report

TOY = Path(__file__).parent / "fixtures" / "notebooks" / "toy_report.ipynb"
CHROMIUM = Path("/usr/bin/chromium")
N_CHARTS = 3


class Page(HTMLParser):
    """Tags, attributes and visible text of a page (text inside script/style left out)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self._skip = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)

    def find(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for t, attrs in self.tags if t == tag]

    def with_class(self, name: str) -> list[tuple[str, dict[str, str | None]]]:
        return [(t, a) for t, a in self.tags if name in (a.get("class") or "").split()]


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """The toy report in each chart mode (JS, static SVG, both), from one warm kernel."""
    params = {"committee": "toy", "n_charts": N_CHARTS, "n_tables": 2}
    with ReportKernel() as kernel:
        js = run_report(TOY, params, title="Toy <report> & co", kernel=kernel)
        svg = run_report(TOY, {**params, "chart_mode": "svg"}, title="Toy SVG", kernel=kernel)
        both = run_report(TOY, {**params, "chart_mode": "both"}, title="Toy both", kernel=kernel)
    folder = tmp_path_factory.mktemp("html")
    for name, result in (("js", js), ("svg", svg), ("both", both)):
        (folder / f"{name}.html").write_text(result.html, encoding="utf-8")
    return {"js": js, "svg": svg, "both": both, "folder": folder}


def _notebook(*cells) -> nbformat.NotebookNode:
    return nbformat.from_dict(new_notebook(cells=[new_markdown_cell("# Title"), *cells]))


def _html_cell(fragment: str) -> nbformat.NotebookNode:
    return new_code_cell(outputs=[new_output("display_data", {"text/html": fragment})])


# --- static checks on the rendered report --------------------------------------------------


@pytest.mark.notebook
@pytest.mark.parametrize("mode", ["js", "svg", "both"])
def test_page_references_no_network_host(pages, mode):
    html = pages[mode].html
    assert find_external_refs(html) == []
    outside_scripts = re.sub(r"<script\b[^>]*>.*?</script>", "", html, flags=re.S | re.I)
    for pattern in (
        r"\bsrc\s*=\s*[\"']?\s*(https?:)?//",
        r"@import",
        r"url\(\s*[\"']?\s*(https?:)?//",
    ):
        assert not re.search(pattern, outside_scripts, re.I), pattern
    links = [a for a in Page(html).find("link") if a.get("href")]
    assert links == []


@pytest.mark.notebook
def test_page_structure_lang_main_single_h1_title(pages):
    page = Page(pages["js"].html)
    assert page.find("html") == [{"lang": "en-GB"}]
    assert len(page.find("main")) == 1
    assert len(page.find("h1")) == 1
    h1_text = pages["js"].html.split("<h1", 1)[1].split(">", 1)[1].split("</h1>")[0]
    assert h1_text == "Toy committee report"  # the notebook's first markdown heading
    assert "<title>Toy &lt;report&gt; &amp; co</title>" in pages["js"].html


@pytest.mark.notebook
def test_no_code_prompts_parameters_or_artifacts_visible(pages):
    html = pages["js"].html
    text = " ".join(Page(html).text)
    for leaked in ("enable_offline_charts", "import altair", "n_charts =", "In [", "Out["):
        assert leaked not in text, leaked
    assert "jp-InputArea-editor" not in html and "jp-InputPrompt" not in html
    assert ARTIFACT_MIMETYPE not in html and "pmlib artifact" not in html
    assert "indicator,value,rag" not in html  # the scorecard CSV artifact
    assert "injected-parameters" not in html
    # ...while the executed notebook keeps both the code and the artifacts
    assert "scorecard_csv" in pages["js"].artifacts


@pytest.mark.notebook
def test_charts_carry_text_alternatives_and_the_bundle_comes_once(pages):
    html = pages["js"].html
    page = Page(html)
    charts = page.with_class("pmlib-chart")
    assert len(charts) == N_CHARTS
    for _tag, attrs in charts:
        assert attrs["role"] == "img"
        assert attrs["aria-label"].startswith("Line chart of Indicator ")
    captions = [a for t, a in page.with_class("pmlib-visually-hidden") if t == "figcaption"]
    assert len(captions) == N_CHARTS
    assert "Line chart of Indicator 01 by month, 2026/27 Q2." in " ".join(page.text)
    assert html.count("window.vegaEmbed=") == 1  # the vega bundle, inlined once
    assert html.count('id="pmlib-embed-options"') == 1


@pytest.mark.notebook
def test_svg_mode_draws_without_javascript(pages):
    html = pages["svg"].html
    assert "vegaEmbed" not in html and "<script" not in html
    assert html.count("<svg") == N_CHARTS  # one per figure, inline
    assert len(Page(html).with_class("pmlib-chart")) == N_CHARTS
    # no script will say the charts are drawn, so the page says it (printers wait for this)
    assert Page(html).find("html") == [{"lang": "en-GB", "data-pmlib-charts": "done"}]


@pytest.mark.notebook
def test_both_mode_has_a_static_svg_and_a_spec_per_figure_and_the_bundle_once(pages):
    html = pages["both"].html
    assert len(Page(html).with_class("pmlib-chart-spec")) == N_CHARTS
    outside_scripts = re.sub(r"<script\b[^>]*>.*?</script>", "", html, flags=re.S | re.I)
    assert outside_scripts.count("<svg") == N_CHARTS
    assert html.count("window.vegaEmbed=") == 1


@pytest.mark.notebook
def test_officer_text_stays_escaped(pages):
    html = pages["js"].html
    assert "Scorecard: toy &lt;&amp;&gt;" in html  # the great_tables title
    assert "Scorecard: toy <&>" not in html


def test_print_css_for_a4_page_breaks_and_tables():
    nb = _notebook(_html_cell("<p class='page-break'>Next</p>"))
    css = export_html(nb, title="T")
    for rule in (
        "@page { size: A4",
        ".page-break, .exception { break-before: page; page-break-before: always; }",
        "tr, th, td { break-inside: avoid; page-break-inside: avoid; }",
        "thead { display: table-header-group; }",
    ):
        assert rule in css, rule


# --- export rules on hand-made notebooks (no kernel) ----------------------------------------


def test_pages_without_charts_do_not_carry_the_bundle():
    html = export_html(_notebook(_html_cell("<p>No charts</p>")), title="T")
    assert "vegaEmbed" not in html
    assert len(html) < 30_000


def test_an_image_without_alt_gets_a_placeholder_but_script_text_is_left_alone():
    # the export adds nbconvert's placeholder alt itself (no BeautifulSoup round trip):
    # only to a real <img> without one, never inside a script's text
    cell = _html_cell(
        '<img src="data:image/png;base64,AA=="><img src="data:image/png;base64,BB==" alt="Map">'
        '<script>var s = "<img src=x>";</script>'
    )
    html = export_html(_notebook(cell), title="T")
    assert html.count('alt="No description has been provided for this image"') == 1
    assert 'base64,AA==" alt="No description' in html
    assert 'alt="Map"' in html
    assert 'var s = "<img src=x>";' in html


def test_stderr_and_artifacts_are_left_out():
    cell = new_code_cell(
        outputs=[
            new_output("stream", name="stderr", text="FutureWarning: something\n"),
            new_output("stream", name="stdout", text="visible\n"),
            new_output("display_data", {ARTIFACT_MIMETYPE: {"name": "n", "data": "secret"}}),
        ]
    )
    html = export_html(_notebook(cell), title="T")
    assert "visible" in html
    assert "FutureWarning" not in html and "secret" not in html


def test_external_resources_in_outputs_fail_the_export():
    font = "<style>@import url('https://fonts.googleapis.com/css2?family=Roboto');</style>"
    with pytest.raises(RenderError, match="fonts.googleapis.com"):
        export_html(_notebook(_html_cell(font)), title="T")


def test_find_external_refs_flags_loads_not_links():
    page = """
    <a href="https://example.org/a">a link loads nothing</a>
    <img src="https://example.org/i.png"><link rel="stylesheet" href="//cdn.example/x.css">
    <div style="background: url('http://example.org/bg.png')"></div>
    <style>@import "https://example.org/f.css";</style>
    <script>var u = "https://vega.github.io/editor/";</script>
    <svg xmlns="http://www.w3.org/2000/svg"><image href="https://example.org/s.png"/></svg>
    <img src="data:image/png;base64,AAAA"><script src="https://cdn.example/require.js"></script>
    """
    assert sorted(find_external_refs(page)) == sorted(
        [
            "https://example.org/i.png",
            "//cdn.example/x.css",
            "http://example.org/bg.png",
            "https://example.org/f.css",
            "https://example.org/s.png",
            "https://cdn.example/require.js",
        ]
    )


def test_chart_html_escapes_description_and_spec():
    evil = 'Trend </script><script>alert("x")</script> & <b>'
    spec = {"mark": "bar", "description": evil, "data": {"values": [{"label": "</script>"}]}}
    fragment = chart_html(spec, mode="js")
    assert fragment.count("</script>") == 1  # only the spec's own closing tag
    assert 'aria-label="Trend &lt;/script&gt;&lt;script&gt;alert(&quot;x&quot;)' in fragment
    body = fragment.split('class="pmlib-chart-spec">', 1)[1].rsplit("</script>", 1)[0]
    assert json.loads(body) == spec


def test_chart_without_description_falls_back_to_its_title():
    fragment = chart_html({"mark": "bar", "title": {"text": "Calls"}})
    assert 'aria-label="Chart: Calls"' in fragment


def test_chart_loading_data_from_the_network_is_refused():
    with pytest.raises(RenderError, match="https://example.org/data.csv"):
        chart_html({"mark": "bar", "data": {"url": "https://example.org/data.csv"}})


# --- in a browser -------------------------------------------------------------------------


def _index_page(folder: Path) -> Path:
    manifest = {
        "finished": "2026-10-20T09:30:00+01:00",
        "pmlib_version": "0.1.0",
        "counts": {"ok": 1, "failed": 1, "skipped": 0},
        "reports": [
            {
                "name": "js",
                "title": "Finance <committee>",
                "status": "ok",
                "summary": {"Green": 4, "Amber": 2, "Red": 1, "Grey": 0, "No data": 3, "Note": "x"},
                "files": [{"path": "js.html", "kind": "html"}],
            },
            {
                "name": "broken",
                "title": "Broken",
                "status": "failed",
                "error": "Report failed in cell 3 (In [3]), line 5: KeyError: 'x'\n    y = d['x']",
                "files": [],
            },
        ],
    }
    path = folder / "index.html"
    path.write_text(render_index(manifest, title="Report pack"), encoding="utf-8")
    return path


@pytest.mark.browser
@pytest.mark.notebook
def test_pages_in_chromium_offline_all_charts_drawn_and_axe_clean(pages, offline_browser):
    folder = pages["folder"]
    pages_ = ("js.html", "svg.html", "both.html")
    for path in (*(folder / p for p in pages_), _index_page(folder)):
        expected = 0 if path.name == "index.html" else N_CHARTS
        assert offline_browser(path)["charts"] == expected, path.name


@pytest.mark.browser
@pytest.mark.notebook
def test_without_javascript_every_chart_is_visible_svg_or_says_what_it_shows(pages, no_js_page):
    folder = pages["folder"]
    for name in ("svg", "both"):
        facts = no_js_page(folder / f"{name}.html")
        assert facts["scripts_ran"] is False
        assert len(facts["charts"]) == N_CHARTS
        for chart in facts["charts"]:  # a drawn SVG with real size (legibility: test_charts)
            assert chart["svg_width"] > 100 and chart["svg_height"] > 50, (name, chart)
    # the interactive-only page: no SVG, but each figure says in words what its chart shows
    for chart in no_js_page(folder / "js.html")["charts"]:
        assert chart["svg_width"] == 0
        assert chart["fallback"].startswith("This chart is drawn by JavaScript")
        assert chart["fallback_visible"]
