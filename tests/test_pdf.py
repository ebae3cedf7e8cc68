"""PDF output: the ``pdf`` format through the batch machinery, the index PDF and the agenda pack.

One module-scoped batch run (one worker, two toy reports, ``html`` + ``pdf``) feeds most
assertions. Tests that print need Chromium (Debian ``chromium``, or ``$PMLIB_CHROMIUM``) and
poppler's ``pdftotext``/``pdftoppm`` (``make system-deps``); without them they skip.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest

from pmlib.batch.runner import ReportSpec, run_batch
from pmlib.core.errors import RenderError
from pmlib.pdf import chromium as pdf

pytestmark = pytest.mark.pdf

TOY = Path(__file__).parent / "fixtures" / "notebooks" / "toy_report.ipynb"
A4 = (595.3, 841.9)  # points


def _missing_tools() -> str | None:
    try:
        pdf.require_pdf_support()
    except RenderError as exc:
        return str(exc)
    for tool in ("pdftotext", "pdftoppm"):
        if shutil.which(tool) is None:
            return f"needs {tool} (sudo apt-get install poppler-utils)"
    return None


@pytest.fixture(scope="module")
def printing():
    reason = _missing_tools()
    if reason:
        pytest.skip(reason)


def _text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def _first_page_ink(pdf_path: Path, folder: Path) -> float:
    """Share of the first page's pixels (at 50 dpi) that are not white."""
    try:
        from PIL import Image
    except ImportError:
        Image = None
    fmt = ["-png"] if Image is not None else []  # else a binary PPM: P6, size, maxval, RGB
    subprocess.run(
        ["pdftoppm", *fmt, "-r", "50", "-f", "1", "-l", "1", str(pdf_path), str(folder / "p")],
        check=True,
    )
    (image_path,) = folder.glob("p*.*")
    if Image is None:
        body = image_path.read_bytes().split(b"\n", 3)[3]
        return sum(b < 250 for b in body) / max(1, len(body))
    with Image.open(image_path) as image:
        grey = image.convert("L")
        return sum(grey.histogram()[:250]) / (grey.width * grey.height)


@pytest.fixture(scope="module")
def batch(printing, tmp_path_factory):
    out = tmp_path_factory.mktemp("pdf") / "out"
    specs = [
        ReportSpec("alpha", "Alpha", TOY, {"committee": "alpha", "n_charts": 3}),
        ReportSpec("beta", "Beta", TOY, {"committee": "beta", "n_charts": 2, "n_tables": 2}),
    ]
    kwargs = {"jobs": 1, "formats": ("html", "pdf"), "progress": False, "title": "Toy pack"}
    result = run_batch(specs, out, **kwargs)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return SimpleNamespace(out=out, specs=specs, kwargs=kwargs, result=result, manifest=manifest)


# --- one report's PDF ------------------------------------------------------------------------


def test_pdf_written_beside_html_and_listed_in_manifest(batch):
    assert [r.status for r in batch.result.reports] == ["ok", "ok"], [
        r.error for r in batch.result.reports
    ]
    for entry in batch.manifest["reports"]:
        name = entry["name"]
        assert (batch.out / f"{name}.pdf").is_file()
        kinds = {f["path"]: f["kind"] for f in entry["files"]}
        assert kinds[f"{name}.pdf"] == "pdf" and kinds[f"{name}.html"] == "html"
        assert entry["timings"]["write_pdf"] > 0
    assert "alpha.pdf" in (batch.out / "index.html").read_text(encoding="utf-8")
    assert not list(batch.out.glob(".*.tmp"))


def test_pdf_pages_are_a4_with_header_footer_and_no_code_or_loading_text(batch):
    from pypdf import PdfReader

    reader = PdfReader(batch.out / "alpha.pdf")
    assert 1 <= len(reader.pages) <= 10
    box = reader.pages[0].mediabox
    assert abs(float(box.width) - A4[0]) < 2 and abs(float(box.height) - A4[1]) < 2
    text = _text(batch.out / "alpha.pdf")
    assert "Toy committee report" in text
    # Running header (no pdf_header artifact here: the report's title artifact) and footer.
    assert text.count("Toy report: alpha, 2026/27 Q2") >= len(reader.pages)
    assert "Page 1 of" in text and f"Page {len(reader.pages)} of {len(reader.pages)}" in text
    assert "Scorecard: alpha <&>" in text  # escaped in HTML, literal on paper
    for code in ("import ", "publish_artifact", "enable_offline_charts", "In [", "Out["):
        assert code not in text, code
    assert "loading" not in text.lower()


def test_charts_are_drawn_as_vector_text_in_the_pdf(batch):
    text = _text(batch.out / "alpha.pdf")
    # Titles and axis labels exist only once vega has drawn the charts in the browser.
    for title in ("Indicator 01", "Indicator 02", "Indicator 03"):
        assert title in text
    assert "Month" in text
    assert "Indicator 04" not in text.split("Scorecard")[0]  # n_charts=3


def test_pdf_is_tagged_with_language_and_outline(batch):
    from pypdf import PdfReader

    reader = PdfReader(batch.out / "alpha.pdf")
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == "en-GB"
    titles = [o["/Title"] for o in _flatten(reader.outline)]
    assert "Toy committee report" in titles and "Indicators" in titles


def test_first_page_is_not_blank(batch, tmp_path):
    assert 0.005 < _first_page_ink(batch.out / "alpha.pdf", tmp_path) < 0.9


def test_unchanged_rerun_skips_and_keeps_the_pdf(batch):
    before = (batch.out / "alpha.pdf").stat().st_mtime_ns
    again = run_batch(batch.specs, batch.out, **batch.kwargs)
    assert [r.status for r in again.reports] == ["skipped", "skipped"]
    assert (batch.out / "alpha.pdf").stat().st_mtime_ns == before
    files = {f["path"] for r in again.reports for f in r.entry["files"]}
    assert {"alpha.pdf", "beta.pdf"} <= files


def test_header_text_prefers_the_pdf_header_artifact():
    report = SimpleNamespace(title="Spec title", artifacts={})
    assert pdf.header_text(report) == "Spec title"
    report.artifacts["title"] = "Display  title"
    assert pdf.header_text(report) == "Display title"
    report.artifacts["pdf_header"] = "Northmoor District Council · Environment · 2026/27 Q2"
    assert pdf.header_text(report) == "Northmoor District Council · Environment · 2026/27 Q2"


def test_header_is_escaped_and_network_blocked(printing, tmp_path, caplog):
    page = tmp_path / "plain.html"
    page.write_text(
        '<!DOCTYPE html><html lang="en-GB"><head><title>Plain</title>'
        '<link rel="stylesheet" href="https://example.org/x.css"></head>'
        '<body><h1>No charts here</h1><p><a href="other.html">other</a></p></body></html>',
        encoding="utf-8",
    )
    with caplog.at_level("WARNING", logger="pmlib.pdf"):
        data = pdf.print_html_file(page, header="Council <b>&amp;</b> <script>x</script>")
    assert "blocked 1 network request(s): ['https://example.org/x.css']" in caplog.text
    out = tmp_path / "plain.pdf"
    out.write_bytes(data)
    text = _text(out)
    assert "Council <b>&amp;</b> <script>x</script>" in text
    assert "No charts here" in text and "Page 1 of 1" in text
    assert _link_uris(out) == ["other.html"]  # relative, not file:///tmp/...


def _pages_text(path: Path) -> list[str]:
    """The text of each page (pdftotext ends every page with a form feed)."""
    pages = _text(path).split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def _long_page(folder: Path, banner: str) -> tuple[Path, SimpleNamespace]:
    body = "".join(f"<h2>Section {i}</h2><p>{'Words and numbers. ' * 60}</p>" for i in range(12))
    html = (
        '<!DOCTYPE html><html lang="en-GB"><head><title>Long</title></head><body>'
        f"{banner}<h1>Long report</h1>{body}</body></html>"
    )
    report = SimpleNamespace(html=html, title="Long", artifacts={"pdf_header": "Council · Long"})
    return folder, report


@pytest.mark.parametrize(
    ("marks", "present", "absent"),
    [
        ([("DRAFT", "not final"), ("INTERNAL", "officers only")], ["DRAFT", "INTERNAL"], []),
        ([("INTERNAL", "officers only")], ["INTERNAL"], ["DRAFT"]),  # final, internal
        ([], [], ["DRAFT", "INTERNAL"]),  # final, public
    ],
)
def test_status_marks_are_in_the_header_of_every_printed_page(
    printing, tmp_path, marks, present, absent
):
    from pmlib.present.navigation import status_banner

    # the banner's text says "DRAFT" too: only the header can put it on pages 2 onwards
    folder, report = _long_page(tmp_path, status_banner(marks).html)
    (path,) = pdf.write_pdf(report, folder, "long")
    pages = _pages_text(path)
    assert len(pages) >= 3
    for n, page in enumerate(pages, 1):
        assert "Council · Long" in page, n
        for word in present:
            assert word in page, (word, n)
        for word in absent:
            assert word not in page, (word, n)


# --- no browser ------------------------------------------------------------------------------


def test_missing_chromium_gives_one_line_install_hint(monkeypatch, tmp_path):
    monkeypatch.setenv(pdf.CHROMIUM_ENV, str(tmp_path / "no-such-chrome"))
    report = SimpleNamespace(title="T", html="<html></html>", artifacts={})
    with pytest.raises(RenderError) as err:
        pdf.write_pdf(report, tmp_path, "t")
    assert pdf.INSTALL_HINT in str(err.value) and "\n" not in str(err.value)
    monkeypatch.delenv(pdf.CHROMIUM_ENV)
    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    monkeypatch.setattr(pdf, "CHROMIUM_PATHS", ())
    with pytest.raises(RenderError) as err:
        pdf.write_pdf(report, tmp_path, "t")
    assert str(err.value) == pdf.INSTALL_HINT + "."
    assert pdf.warm_up() is None  # never raises: the hint comes when a PDF is asked for
    assert not list(tmp_path.glob("*.pdf")) and not list(tmp_path.glob(".*.tmp"))


@pytest.mark.slow
def test_missing_chromium_fails_the_report_in_a_batch(printing, monkeypatch, tmp_path):
    monkeypatch.setenv(pdf.CHROMIUM_ENV, str(tmp_path / "no-such-chrome"))  # workers inherit it
    spec = ReportSpec("alpha", "Alpha", TOY, {"committee": "alpha", "n_charts": 1})
    result = run_batch([spec], tmp_path / "out", jobs=1, formats=("pdf",), progress=False)
    (report,) = result.reports
    assert report.status == "failed" and pdf.INSTALL_HINT in report.error
    assert not (tmp_path / "out" / "alpha.pdf").exists()


# --- index and agenda pack -------------------------------------------------------------------


def test_index_pdf_keeps_relative_links(batch):
    index_pdf = pdf.write_index_pdf(batch.out / "index.html", batch.out / "index.pdf")
    text = _text(index_pdf)
    assert "Toy pack" in text and "Page 1 of" in text
    uris = _link_uris(index_pdf)
    assert "alpha.html" in uris and "beta.pdf" in uris
    assert not [u for u in uris if u.startswith("file:")]


def test_assemble_pack_has_one_bookmark_per_report_and_index_links_inside(batch):
    from pypdf import PdfReader

    index_pdf = pdf.write_index_pdf(batch.out / "index.html", batch.out / "index.pdf")
    path = pdf.assemble_pack(
        batch.out, ["alpha", "beta"], index_pdf=index_pdf, title="Toy agenda pack"
    )
    assert path == batch.out / "pack.pdf" and not list(batch.out.glob(".*.tmp"))
    n = {
        p: len(PdfReader(p).pages)
        for p in (index_pdf, batch.out / "alpha.pdf", batch.out / "beta.pdf")
    }
    pack = PdfReader(path)
    assert len(pack.pages) == sum(n.values())
    top = [o for o in pack.outline if not isinstance(o, list)]
    titles = {e["name"]: e["title"] for e in batch.manifest["reports"]}
    assert [o["/Title"] for o in top] == [titles["alpha"], titles["beta"]]
    first = [pack.get_destination_page_number(o) for o in top]
    assert first == [n[index_pdf], n[index_pdf] + n[batch.out / "alpha.pdf"]]
    assert pack.metadata.title == "Toy agenda pack"
    # The index's links to a report now jump to its first page inside the pack.
    jumps = set()
    for annot in pack.pages[0].get("/Annots") or []:
        action = annot.get_object().get("/A") or {}
        if action.get("/S") == "/GoTo":
            jumps.add(pack.get_page_number(action["/D"][0].get_object()))
    assert jumps == set(first)
    text = _text(path)
    assert text.count("Page 1 of") == 3  # index + two reports, each numbered on its own


def test_assemble_pack_without_index_and_with_a_missing_pdf(batch, tmp_path):
    from pypdf import PdfReader

    path = pdf.assemble_pack(batch.out, ["beta"], index_pdf=None, title="B", out_name="b.pdf")
    assert len(PdfReader(path).pages) == len(PdfReader(batch.out / "beta.pdf").pages)
    with pytest.raises(RenderError, match="no PDF for gamma"):
        pdf.assemble_pack(batch.out, ["alpha", "gamma"], index_pdf=None, title="X")


# --- helpers ---------------------------------------------------------------------------------


def _flatten(outline):
    for item in outline:
        if isinstance(item, list):
            yield from _flatten(item)
        else:
            yield item


def _link_uris(path: Path) -> list[str]:
    from pypdf import PdfReader

    uris = []
    for page in PdfReader(path).pages:
        for annot in page.get("/Annots") or []:
            action = annot.get_object().get("/A") or {}
            if action.get("/S") == "/URI" and str(action["/URI"]) not in uris:
                uris.append(str(action["/URI"]))
    return uris


# -- the demo council's agenda pack ---------------------------------------------------------
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def demo_pack(printing, tmp_path_factory):
    from pmlib.cli.main import main

    out = tmp_path_factory.mktemp("demo-pdf") / "out"
    argv = ["run", "--quarter", "2026/27 Q2", "--params", str(ROOT / "parameters")]
    argv += ["--committee", "environment", "--committee", "resources"]
    argv += ["--committee", "performance-board", "--format", "pdf", "--pack", "-q"]
    assert main([*argv, "--out", str(out)]) == 0
    return out


@pytest.mark.pdf
@pytest.mark.notebook
def test_demo_committee_pdfs_read_well(demo_pack, tmp_path):
    from pypdf import PdfReader

    from pmlib.reports.committee import CommitteeReport

    for committee in ("environment", "resources"):
        path = demo_pack / f"{committee}.pdf"
        report = CommitteeReport.build(
            quarter="2026/27 Q2", committee=committee, params_dir=ROOT / "parameters"
        )
        n_exceptions = len(report.exceptions_frame())
        pages = len(PdfReader(path).pages)
        # cover + glance + scorecard + one page per exception + appendix; not a runaway
        assert 3 + n_exceptions <= pages <= 12 + 3 * n_exceptions + len(report.indicators)
        text = " ".join(_text(path).split())
        assert report.committee.title in text
        assert "Page 1 of" in text
        for name in report.exceptions_frame()["name"]:
            assert " ".join(name.split()) in text, name
        for leaked in ("Loading", "import ", "CommitteeReport", "enable_offline_charts"):
            assert leaked not in text
        folder = tmp_path / committee
        folder.mkdir()
        assert _first_page_ink(path, folder) > 0.005


@pytest.mark.pdf
@pytest.mark.notebook
def test_every_page_of_a_demo_draft_says_draft_and_internal_ones_say_internal(demo_pack):
    for committee, words in (
        ("environment", ["DRAFT"]),
        ("performance-board", ["DRAFT", "INTERNAL"]),
    ):
        pages = _pages_text(demo_pack / f"{committee}.pdf")
        assert len(pages) >= 3, committee
        for n, page in enumerate(pages, 1):
            for word in words:
                assert word in page, (committee, word, n)
        if committee == "environment":
            assert not any("INTERNAL" in page for page in pages)
    # the agenda pack of a draft run: its index page says DRAFT too, as does every report page
    pages = _pages_text(demo_pack / "pack.pdf")
    assert [n for n, page in enumerate(pages, 1) if "DRAFT" not in page] == []


@pytest.mark.pdf
@pytest.mark.notebook
def test_the_cover_report_is_on_the_first_page_of_the_pdf(demo_pack):
    # parameters/committees.yaml: Q2's data are due 15 October 2026 (30 September + 15 days),
    # so environment's Q2 report goes to its meeting of 24 November 2026; resources lists none
    first = " ".join(_pages_text(demo_pack / "environment.pdf")[0].split())
    for words in (
        "Meeting 24 November 2026",
        "Agenda item 5",
        "Cllr Owen Pryce, Portfolio Holder for Environment and Climate",
        "Sara Lund, Head of Environmental Services",
        "Members are asked to note the performance for Quarter 2",
    ):
        assert words in first, words
    assert "Agenda item" not in _pages_text(demo_pack / "resources.pdf")[0]


PACK_REPORTS = {  # the demo pack's public reports, in committees.yaml order
    "environment": "Environment and Climate Scrutiny Committee",
    "resources": "Overview and Resources Scrutiny Committee",
}


def _demo_reports():
    from pmlib.reports.committee import CommitteeReport

    return {
        c: CommitteeReport.build(quarter="2026/27 Q2", committee=c, params_dir=ROOT / "parameters")
        for c in (*PACK_REPORTS, "performance-board")
    }


def _body_lines(page: str) -> list[str]:
    """A printed page's lines less the running header (first) and footer (last)."""
    return [line for line in page.splitlines() if line.strip()][1:-1]


@pytest.mark.pdf
@pytest.mark.notebook
def test_agenda_pack_is_one_tagged_document_numbered_throughout(demo_pack):
    from pypdf import PdfReader

    pack = demo_pack / "pack.pdf"
    info = subprocess.run(["pdfinfo", str(pack)], capture_output=True, text=True, check=True)
    assert re.search(r"^Tagged:\s+yes$", info.stdout, re.M), info.stdout
    n = len(PdfReader(pack).pages)
    pages = _pages_text(pack)
    assert len(pages) == n
    for i, page in enumerate(pages, 1):  # one "Page n of N" running through the whole pack
        assert re.findall(r"Page (\d+) of (\d+)", page) == [(str(i), str(n))], i
    # a committee's own PDF keeps its own numbering
    own = _pages_text(demo_pack / "environment.pdf")
    assert "Page 1 of" in own[0] and f"Page {len(own)} of {len(own)}" in own[-1]
    # no page holds only a trailing line or two (keep-with-next print rules); the cover aside
    sparse = [i for i, page in enumerate(pages[1:], 2) if len(_body_lines(page)) <= 3]
    assert sparse == [], [(i, _body_lines(pages[i - 1])) for i in sparse]
    # links to files beside it are relative, and no trace of the server's folder is left
    for pdf_file in (pack, demo_pack / "environment.pdf"):
        raw = pdf_file.read_bytes()
        assert b"file:" not in raw and str(demo_pack).encode() not in raw, pdf_file.name
    assert "index.html" in _link_uris(pack)
    manifest = json.loads((demo_pack / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["pack"]["reports"] == list(PACK_REPORTS)
    assert manifest["pack"]["pages"] == n
    index = (demo_pack / "index.html").read_text(encoding="utf-8")
    assert 'href="pack.pdf"' in index and f"PDF, {n} pages" in index
    assert "the 2 public reports" in index


@pytest.mark.pdf
@pytest.mark.notebook
def test_agenda_pack_contents_give_the_pages_where_each_report_and_exception_starts(demo_pack):
    reports = _demo_reports()
    pages = [" ".join(p.split()) for p in _pages_text(demo_pack / "pack.pdf")]
    contents = pages[1]
    assert "Contents" in contents
    starts = []
    for slug, committee in PACK_REPORTS.items():
        title = f"{committee}: Performance report 2026/27 Q2"
        found = re.search(re.escape(title) + r" pages (\d+)–(\d+)", contents)
        assert found, (title, contents)
        first, last = int(found.group(1)), int(found.group(2))
        # the page named is the report's own cover: its title, then "Report details"
        cover = pages[first - 1]
        assert title in cover and "Report details" in cover, (slug, first)
        assert not any(title in p and "Report details" in p for p in pages[: first - 1])
        starts.append((first, last))
        frame = reports[slug].exceptions_frame()
        for ind_id, name in zip(frame["indicator_id"], frame["name"], strict=True):
            entry = re.search(
                re.escape(f"{ind_id} {' '.join(name.split())}") + r" – \w+.*? page (\d+)", contents
            )
            assert entry, (ind_id, contents)
            page = int(entry.group(1))
            assert first <= page <= last
            assert f"{ind_id} at a glance" in pages[page - 1], (ind_id, page)
    appendix = re.search(r"Appendix: methodology statements pages (\d+)–(\d+)", contents)
    assert appendix and int(appendix.group(2)) == len(pages)
    starts.append((int(appendix.group(1)), int(appendix.group(2))))
    # the ranges run on from one another: page 3 to the last page, no gap, no overlap
    assert starts[0][0] == 3  # after the cover and the contents
    for (_, last), (first, _) in zip(starts[:-1], starts[1:], strict=True):
        assert first == last + 1
    assert pages[starts[-1][0] - 1].find("Appendix: methodology statements") >= 0


@pytest.mark.pdf
@pytest.mark.notebook
def test_agenda_pack_bookmarks_one_per_report_with_its_exceptions_beneath(demo_pack):
    from pypdf import PdfReader

    reports = _demo_reports()
    reader = PdfReader(demo_pack / "pack.pdf")
    outline = reader.outline
    top = [o for o in outline if not isinstance(o, list)]
    assert [o.title for o in top] == [
        *(f"{c}: Performance report 2026/27 Q2" for c in PACK_REPORTS.values()),
        "Appendix: methodology statements",
    ]
    # each report's exceptions, one level down, in the report's order, spaces kept
    kids = [o for o in outline if isinstance(o, list)]
    assert len(kids) == len(PACK_REPORTS)
    for (slug, _committee), children in zip(PACK_REPORTS.items(), kids, strict=True):
        frame = reports[slug].exceptions_frame()
        assert [c.title.split(" – ")[0] for c in children] == [
            f"{i} {' '.join(n.split())}"
            for i, n in zip(frame["indicator_id"], frame["name"], strict=True)
        ]
        assert all(not isinstance(c, list) for c in children)  # nothing nested deeper
    for item in top:
        assert reader.get_destination_page_number(item) >= 2
    assert reader.trailer["/Root"]["/PageMode"] == "/UseOutlines"


@pytest.mark.pdf
@pytest.mark.notebook
def test_agenda_pack_pages_are_headed_by_the_report_they_belong_to(demo_pack):
    pages = _pages_text(demo_pack / "pack.pdf")
    contents = " ".join(pages[1].split())
    heads = [" ".join(p.split("DRAFT")[0].split()) for p in pages]  # the header's left side
    pack_title = "Northmoor District Council: performance reports 2026/27 Q2"
    assert heads[:2] == [pack_title, pack_title]  # the cover and the contents
    parts = [f"{c}: Performance report 2026/27 Q2" for c in PACK_REPORTS.values()]
    parts.append("Appendix: methodology statements")
    for part in parts:
        found = re.search(re.escape(part) + r" pages (\d+)–(\d+)", contents)
        assert found, part
        first, last = int(found.group(1)), int(found.group(2))
        assert heads[first - 1 : last] == [part] * (last - first + 1), part
    assert len(pages) == last  # the appendix runs to the end


@pytest.mark.pdf
@pytest.mark.notebook
def test_demo_committee_pdf_bookmarks_keep_the_spaces_of_their_headings(demo_pack):
    from pypdf import PdfReader

    reports = _demo_reports()
    for slug, committee in PACK_REPORTS.items():
        outline = PdfReader(demo_pack / f"{slug}.pdf").outline
        # the title wraps after the colon on the cover; Chromium's bookmark lost that space
        assert outline[0].title == f"{committee}: Performance report 2026/27 Q2"
        titles = [o.title for o in _flatten(outline)]
        for ind_id, name in (
            reports[slug].exceptions_frame()[["indicator_id", "name"]].itertuples(index=False)
        ):
            assert any(t.startswith(f"{ind_id} {' '.join(name.split())} ") for t in titles), name


@pytest.mark.pdf
@pytest.mark.notebook
def test_agenda_pack_holds_only_public_reports_and_each_methodology_once(demo_pack):
    reports = _demo_reports()
    text = " ".join(_text(demo_pack / "pack.pdf").split())
    board = reports["performance-board"]
    assert "Corporate Performance Board" not in text  # internal: never in the public pack
    public_ids = set().union(*(set(reports[c].indicators.index) for c in PACK_REPORTS))
    internal_only = set(board.indicators.index) - public_ids
    assert internal_only  # the demo's board has internal indicators (RES14, RES15)
    for ind_id in internal_only:
        assert " ".join(board.indicators.loc[ind_id, "name"].split()) not in text, ind_id
    # the appendix: from its page (in the contents) on; every one of its pages is headed with
    # its title, so the title alone no longer marks where it starts
    pages = _pages_text(demo_pack / "pack.pdf")
    start = re.search(r"Appendix: methodology statements pages (\d+)–", " ".join(pages[1].split()))
    appendix = " ".join(" ".join(pages[int(start.group(1)) - 1 :]).split())
    for ind_id in public_ids:  # one statement per indicator of any report in the pack
        caption = f"{ind_id} {' '.join(reports_name(reports, ind_id).split())}"
        assert appendix.count(caption) == 1, caption
    # and no report kept its own copy
    assert text.count("How each indicator is defined, collected and checked") == 1


def reports_name(reports, ind_id: str) -> str:
    for c in PACK_REPORTS:
        if ind_id in reports[c].indicators.index:
            return str(reports[c].indicators.loc[ind_id, "name"])
    raise KeyError(ind_id)


@pytest.mark.pdf
@pytest.mark.notebook
def test_dropping_pdf_from_the_formats_removes_the_old_pdf_but_not_edited_files(printing, tmp_path):
    out = tmp_path / "out"
    specs = [
        ReportSpec(name, name.title(), TOY, {"committee": name, "n_charts": 1})
        for name in ("alpha", "beta")
    ]
    kwargs = {"jobs": 1, "progress": False}
    run_batch(specs, out, formats=("html", "pdf"), **kwargs)
    assert (out / "alpha.pdf").is_file() and (out / "beta.pdf").is_file()
    (out / "beta.pdf").write_bytes(b"%PDF- annotated by a reviewer")
    result = run_batch(specs, out, formats=("html",), **kwargs)
    assert [r.status for r in result.reports] == ["ok", "ok"]
    assert not (out / "alpha.pdf").exists()  # superseded: the manifest no longer lists it
    assert (out / "beta.pdf").read_bytes() == b"%PDF- annotated by a reviewer"  # edited: kept
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert all(not f["path"].endswith(".pdf") for e in manifest["reports"] for f in e["files"])
