"""PDF output: print a report's offline HTML with headless Chromium; assemble an agenda pack.

:func:`write_pdf` is the ``pdf`` output format of :mod:`pmlib.batch`: it prints the HTML the
worker has just rendered (``report.html``) to ``<name>.pdf`` — A4, the house print CSS, the
council, committee and period in a running header, with the report's status marks (DRAFT,
INTERNAL) at its right on every page, "Page n of N" in the footer, charts drawn by the page's
own JavaScript, a tagged PDF with an outline from the headings.

The marks are read from the page's own status banner
(:func:`pmlib.present.navigation.marks_from_html`), so the header of every printed page says
what the top of the HTML says: a page of a draft forwarded on its own still reads DRAFT.

Chromium is the system browser (Debian's ``chromium``; ``$PMLIB_CHROMIUM`` overrides), driven
through Playwright's Python API with ``executable_path`` so nothing is downloaded. Each process
keeps **one** browser, started on its first PDF and closed when the process exits, so a
report costs one new tab, not a browser start. Playwright runs in a private thread of its own:
its synchronous API drives an asyncio loop, and the worker's kernel client has its own.

Every network request is aborted (the pages are self-contained; only ``file:`` and ``data:``
load). The page is printed once ``<html data-pmlib-charts="done">`` says every chart is drawn
(pages without charts have no drawing script and are printed at once).

:func:`assemble_pack` joins an index page and the committee PDFs into one agenda pack with a
bookmark per committee (pypdf, in :mod:`pmlib.pdf.pack`, importable from here);
:func:`write_index_pdf` prints the batch's ``index.html``.
See ``docs/pdf.md``.
"""

from __future__ import annotations

import atexit
import html
import logging
import os
import queue
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from pmlib.core.errors import RenderError
from pmlib.core.files import write_bytes_atomic
from pmlib.pdf.outline_titles import with_heading_titles
from pmlib.pdf.pack import _relative_links, assemble_pack
from pmlib.present.navigation import marks_from_html

log = logging.getLogger(__name__)

__all__ = [
    "CHROMIUM_ENV",
    "INSTALL_HINT",
    "assemble_pack",
    "close_browser",
    "find_chromium",
    "print_html_file",
    "require_pdf_support",
    "warm_up",
    "write_index_pdf",
    "write_pdf",
]

#: Environment variable naming the Chromium/Chrome executable to use.
CHROMIUM_ENV = "PMLIB_CHROMIUM"
#: The one-line hint shown when no browser is found.
INSTALL_HINT = (
    "PDF output needs Chromium: sudo apt-get install chromium (Debian/Ubuntu) "
    f"or set {CHROMIUM_ENV}=/path/to/chrome"
)
#: Names looked up on PATH, in order.
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
#: Usual install locations that are not on PATH (macOS, Windows).
CHROMIUM_PATHS = (
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
    r"C:\Program Files\Google\Chrome\Application\chrome.exe",
    r"C:\Program Files (x86)\Google\Chrome\Application\chrome.exe",
)
#: A4 page margins; the header and footer are drawn inside the top and bottom ones. Kept equal
#: to pmlib.css's ``@page`` margins, so the page looks the same whichever Chromium applies.
MARGIN = {"top": "20mm", "right": "16mm", "bottom": "18mm", "left": "16mm"}
#: Seconds allowed for a page to load and draw its charts before printing fails.
DRAW_TIMEOUT = 60
BROWSER_ARGS = (
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-dev-shm-usage",
    "--disable-extensions",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--mute-audio",
)
# True when the page has nothing left to draw: no chart figures, or the drawing script is done.
_DRAWN = (
    "() => !document.querySelector('figure.pmlib-figure') || "
    "document.documentElement.getAttribute('data-pmlib-charts') === 'done'"
)
_FONT = (  # single quotes: it goes inside a style="..." attribute
    "font-family: system-ui, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'Noto Sans', "
    "'Liberation Sans', 'DejaVu Sans', sans-serif;"
)
_BAR = (
    f'<div style="{_FONT} font-size: 8pt; color: #505a5f; width: 100%; '
    f"padding: 0 {MARGIN['right']} 0 {MARGIN['left']}; box-sizing: border-box; display: flex; "
    'justify-content: space-between; gap: 8mm; -webkit-print-color-adjust: exact;">'
    "<span>{left}</span><span>{right}</span></div>"
)
_PAGE_N_OF_N = 'Page <span class="pageNumber"></span> of <span class="totalPages"></span>'
_MARKS = '<strong style="color: #0b0c0c; font-size: 9pt; letter-spacing: 0.05em;">{marks}</strong>'


# --- finding the browser ------------------------------------------------------------------------


def find_chromium() -> Path:
    """The Chromium (or Chrome) executable: ``$PMLIB_CHROMIUM``, else PATH, else usual places.

    Raises :class:`RenderError` with :data:`INSTALL_HINT` when there is none.
    """
    override = os.environ.get(CHROMIUM_ENV, "").strip()
    if override:
        path = Path(override).expanduser()
        if path.is_file() and os.access(path, os.X_OK):
            return path
        raise RenderError(f"{CHROMIUM_ENV}={override} is not an executable file. {INSTALL_HINT}.")
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return Path(found)
    for candidate in CHROMIUM_PATHS:
        if Path(candidate).is_file():
            return Path(candidate)
    raise RenderError(INSTALL_HINT + ".")


# --- one browser per process, in its own thread --------------------------------------------------


class _Session:
    """Playwright, the browser and one reused tab; used only from the printer's thread.

    Reusing the tab (navigating it to each report) saves ~0.25 s a report over a fresh
    context: the renderer process and its compiled copy of the chart bundle stay warm.
    """

    def __init__(self, executable: Path) -> None:
        self.executable = executable
        self.blocked: list[str] = []
        self._pw: Any = None
        self._browser: Any = None
        self._page: Any = None

    def _route(self, route: Any) -> None:
        if route.request.url.startswith(("file:", "data:", "blob:", "about:")):
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def tab(self) -> Any:
        """The tab, (re)starting Playwright, the browser and the tab as needed."""
        if self._pw is None:
            from playwright.sync_api import sync_playwright  # lazy: ~75 ms, first PDF only

            self._pw = sync_playwright().start()
        if self._browser is None or not self._browser.is_connected():
            self._page = None
            try:
                self._browser = self._pw.chromium.launch(
                    executable_path=str(self.executable), args=list(BROWSER_ARGS), headless=True
                )
            except Exception as exc:
                raise RenderError(
                    f"Could not start Chromium at {self.executable}: {_first_line(exc)}. "
                    f"{INSTALL_HINT}."
                ) from None
        if self._page is None or self._page.is_closed():
            context = self._browser.new_context(service_workers="block", accept_downloads=False)
            context.set_default_timeout(DRAW_TIMEOUT * 1000)
            context.route("**/*", self._route)
            self._page = context.new_page()
        self.blocked.clear()
        return self._page

    def discard_tab(self) -> None:
        """After a failure: the next report gets a fresh tab."""
        page, self._page = self._page, None
        if page is not None:
            try:
                page.context.close()
            except Exception:
                log.debug("closing a PDF tab", exc_info=True)

    def close(self) -> None:
        self.discard_tab()
        for stop in (getattr(self._browser, "close", None), getattr(self._pw, "stop", None)):
            if stop is not None:
                try:
                    stop()
                except Exception:  # the browser may already be gone
                    log.debug("closing Chromium", exc_info=True)
        self._browser = self._pw = None


class _Printer:
    """A :class:`_Session` owned by one private thread; other threads submit jobs to it."""

    def __init__(self, executable: Path) -> None:
        self.executable = executable
        self._jobs: queue.Queue[tuple[Callable[..., Any], tuple[Any, ...], Future[Any]] | None]
        self._jobs = queue.Queue()
        self._thread = threading.Thread(target=self._serve, name="pmlib-pdf", daemon=True)
        self._thread.start()

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        """Queue ``fn(session, *args)`` for the printer's thread."""
        if not self._thread.is_alive():
            raise RenderError("The PDF printer has stopped (interpreter shutting down?).")
        future: Future[Any] = Future()
        self._jobs.put((fn, args, future))
        return future

    def call(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run ``fn(session, *args)`` in the printer's thread and return its result."""
        return self.submit(fn, *args).result()

    def close(self, timeout: float = 15) -> None:
        if self._thread.is_alive():
            self._jobs.put(None)
            self._thread.join(timeout)

    def _serve(self) -> None:
        session = _Session(self.executable)
        try:
            while (job := self._jobs.get()) is not None:
                fn, args, future = job
                if not future.set_running_or_notify_cancel():
                    continue
                try:
                    future.set_result(fn(session, *args))
                except BaseException as exc:
                    future.set_exception(exc)
        finally:
            session.close()


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


_PRINTER: _Printer | None = None
_PRINTER_LOCK = threading.Lock()
_AT_EXIT: list[bool] = []  # close_browser registered with atexit (once per process)


def require_pdf_support() -> Path:
    """Check that PDF output can work here (Chromium found, playwright importable).

    Returns the browser's path; raises :class:`RenderError` with a one-line fix otherwise.
    Cheap (no browser is started): a CLI can call it before rendering anything.
    """
    executable = find_chromium()
    try:
        import playwright.sync_api  # noqa: F401  # lazy: the probe for an optional package
    except ImportError:
        raise RenderError(
            "PDF output needs the Python package playwright: pip install playwright "
            "(no browser download needed; pmlib uses the system Chromium)."
        ) from None
    return executable


def _printer() -> _Printer:
    """This process's printer, started on first use (and restarted if the browser changed)."""
    global _PRINTER
    executable = require_pdf_support()
    with _PRINTER_LOCK:
        if _PRINTER is not None and _PRINTER.executable != executable:
            _PRINTER.close()
            _PRINTER = None
        if _PRINTER is None:
            if not _AT_EXIT:
                atexit.register(close_browser)
                _AT_EXIT.append(True)
            _PRINTER = _Printer(executable)
        return _PRINTER


def warm_up() -> None:
    """Start this process's browser in the background (returns at once; errors surface later).

    A worker that will print PDFs can call this while its kernel starts, so that its first
    report does not wait ~1 s for Playwright and Chromium to launch.
    """
    try:
        printer = _printer()
    except RenderError:
        return  # reported, with its hint, when a PDF is actually asked for
    printer.submit(_Session.tab)


def close_browser() -> None:
    """Close this process's browser, if one was started (also done at exit)."""
    global _PRINTER
    with _PRINTER_LOCK:
        printer, _PRINTER = _PRINTER, None
    if printer is not None:
        printer.close()


# --- printing ------------------------------------------------------------------------------------


#: Most printings of one page a :data:`Revise` callback may ask for.
MAX_PASSES = 4
#: Sets the text of elements by id (the second printing of a pack fills in page numbers).
_SET_TEXTS = """(texts) => {
  for (const [id, text] of Object.entries(texts)) {
    const el = document.getElementById(id);
    if (el) { el.textContent = text; }
  }
}"""
#: Given a printed PDF, the texts to set by element id before printing again (None: done).
Revise = Callable[[bytes], "dict[str, str] | None"]


def _print_in_browser(
    session: _Session,
    url: str,
    header: str,
    footer: str,
    outline: bool = True,
    revise: Revise | None = None,
) -> tuple[bytes, list[str]]:
    """Open ``url`` with the network blocked, wait for its charts and fonts, print it.

    With ``revise``, print again (the page stays loaded; only the texts it names change)
    until it asks for nothing new, at most :data:`MAX_PASSES` times. The first printing is
    then only for the layout, so it is untagged (about half the time of a tagged one).
    """
    page = session.tab()
    try:
        page.goto(url, wait_until="load")
        page.wait_for_function(_DRAWN, timeout=DRAW_TIMEOUT * 1000)
        page.evaluate("() => document.fonts.ready.then(() => true)")
        applied: dict[str, str] = {}
        for n in range(MAX_PASSES):
            t0 = time.perf_counter()
            data = page.pdf(
                format="A4",
                margin=MARGIN,
                print_background=True,
                display_header_footer=True,
                header_template=header,
                footer_template=footer,
                tagged=revise is None or n > 0,
                outline=outline,
            )
            log.debug("printed %s (pass %d): %.2f s", url, n + 1, time.perf_counter() - t0)
            if revise is None:
                break
            texts = revise(data) or {}
            if n > 0 and texts == applied:
                break
            if texts:
                page.evaluate(_SET_TEXTS, texts)
            applied = texts
        else:
            log.warning("PDF of %s: page numbers still moving after %d printings", url, MAX_PASSES)
    except BaseException:
        session.discard_tab()
        raise
    return data, list(session.blocked)


def _bar(left: str = "", right: str = "") -> str:
    return _BAR.format(left=left, right=right)


def print_html_file(
    path: Path,
    *,
    header: str = "",
    footer: str = "",
    marks: str = "",
    outline: bool = True,
    revise: Revise | None = None,
) -> bytes:
    """Print an HTML file on disk to PDF bytes (A4, header text, "Page n of N" footer).

    ``header``, ``footer`` and ``marks`` are plain text (escaped here); ``marks`` (e.g.
    ``"DRAFT · INTERNAL"``) is shown in bold at the right of every page's header. Links to
    files beside ``path`` become relative links in the PDF. ``outline=False`` leaves the
    bookmarks out (the agenda pack makes its own); ``revise`` (see :data:`Revise`) gets each
    printing and may name texts to change before the page is printed again — how the pack's
    contents learn their page numbers.
    """
    path = Path(path).resolve()
    header_html = _bar(
        html.escape(header), _MARKS.format(marks=html.escape(marks)) if marks else ""
    )
    footer_html = _bar(html.escape(footer), _PAGE_N_OF_N)
    try:
        data, blocked = _printer().call(
            _print_in_browser, path.as_uri(), header_html, footer_html, outline, revise
        )
    except RenderError:
        raise
    except Exception as exc:
        first = _first_line(exc)
        if "Timeout" in type(exc).__name__ or "Timeout" in first:
            first = f"the page did not load and draw its charts within {DRAW_TIMEOUT} s ({first})"
        raise RenderError(f"Could not print {path.name} to PDF: {first}") from None
    if blocked:
        log.warning(
            "PDF of %s: blocked %d network request(s): %s", path.name, len(blocked), blocked
        )
    return _relative_links(data, path.parent)


def header_text(report: Any) -> str:
    """The running header: the ``pdf_header`` artifact, else the report's title."""
    artifacts = getattr(report, "artifacts", None) or {}
    for key in ("pdf_header", "title"):
        value = artifacts.get(key)
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())
    return " ".join(str(report.title).split())


def write_pdf(report: Any, out_dir: Path, name: str) -> list[Path]:
    """The ``pdf`` output format: ``<name>.pdf``, printed from ``report.html``.

    The HTML is printed from a private temporary folder (so the ``pdf`` format works without
    ``html``); links to files beside it come out relative, as in the HTML.
    """
    out_dir = Path(out_dir)
    with tempfile.TemporaryDirectory(prefix="pmlib-pdf-") as tmp:
        source = Path(tmp) / f"{name}.html"
        source.write_text(report.html, encoding="utf-8")
        data = print_html_file(
            source, header=header_text(report), marks=marks_from_html(report.html)
        )
        data = with_heading_titles(data, report.html)  # spaces Chromium lost at line breaks
    path = out_dir / f"{name}.pdf"
    write_bytes_atomic(path, data)
    return [path]


def write_index_pdf(index_html: Path, out: Path) -> Path:
    """Print a batch's ``index.html`` to ``out``; its links to reports stay relative, and a
    draft run's index (the agenda pack's first page) says DRAFT in its header like the reports."""
    index_html = Path(index_html)
    if not index_html.is_file():
        raise RenderError(f"Cannot print the index to PDF: {index_html} not found.")
    page = index_html.read_text(encoding="utf-8")
    data = print_html_file(index_html, header=_html_title(index_html), marks=marks_from_html(page))
    write_bytes_atomic(Path(out), data)
    return Path(out)


def _html_title(path: Path) -> str:
    match = re.search(r"<title>(.*?)</title>", path.read_text(encoding="utf-8"), re.S | re.I)
    return html.unescape(match.group(1)).strip() if match else ""
