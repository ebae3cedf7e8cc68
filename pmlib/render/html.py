"""Offline, accessible HTML for executed report notebooks: the chart renderer and the exporter.

Two halves that meet in the notebook file:

* **In the kernel**, :func:`pmlib.present.figures.enable_offline_charts` makes each chart a
  plain ``text/html`` figure holding its static SVG and/or its Vega-Lite spec as inert JSON.
* **In the runner** (this module), :func:`export_html` converts the executed notebook with the
  ``pmlib_report`` nbconvert template and, only when a figure carries a spec, inlines the
  vega/vega-lite/vega-embed bundle from vl-convert once per page plus a few lines that draw every
  figure as SVG. Nothing is fetched from a network host; :func:`find_external_refs` checks it.

Why static SVG by default (``BENCHMARKS.md`` has the measurements): a chart must be visible
where no script runs — council web systems and e-mail strip JavaScript — and print as vectors;
static SVG pages are a fraction of the size, since they carry no ~0.9 MB chart library. The
price is vl-convert's drawing time in the kernel (~0.5 s once per process, then tens of ms a
chart) and no tooltips. ``enable_offline_charts("both")`` keeps the static SVG and adds the
interactive chart where JavaScript runs; ``"js"`` is interactive only (without JavaScript each
figure shows its description in words). A page whose figures are all static gets
``<html data-pmlib-charts="done">`` at once, so printers need not wait for a script.

Module-level imports are standard library only: the kernel imports this module.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import re
from importlib import metadata
from pathlib import Path
from typing import Any

from pmlib.core.artifacts import extract_artifacts, strip_artifacts
from pmlib.core.cache import cache_dir  # re-exported: its old home
from pmlib.core.errors import RenderError
from pmlib.core.files import write_bytes_atomic
from pmlib.present.figures import FIGURE_CLASS, SPEC_CLASS, chart_html, script_json
from pmlib.present.navigation import heading_ids

log = logging.getLogger(__name__)

#: Folder holding the ``pmlib_report`` nbconvert template and the index template.
TEMPLATES_DIR = Path(__file__).parent / "templates"
LANG = "en-GB"
#: Cell tags whose cells never appear in the report (papermill's and Jupyter Book's conventions).
REMOVE_CELL_TAGS = frozenset({"parameters", "injected-parameters", "remove-cell"})

__all__ = [
    "TEMPLATES_DIR",
    "cache_dir",
    "chart_bundle_js",
    "chart_bundle_path",
    "export_html",
    "find_external_refs",
    "warm_up",
]


# --- runner side ------------------------------------------------------------------------------


def chart_bundle_path() -> Path:
    """Where the chart bundle is cached on disk, keyed by the installed vl-convert and altair.

    Read from package metadata, so checking for it imports nothing heavy (the batch runner
    builds it once in the parent rather than in every worker at once).
    """
    try:
        key = f"{metadata.version('vl-convert-python')}-altair-{metadata.version('altair')}"
    except metadata.PackageNotFoundError:
        key = "unknown"
    return cache_dir() / f"vega-bundle-{key}.js"


@functools.cache
def chart_bundle_js() -> str:
    """The vega + vega-lite + vega-embed bundle matched to altair, wrapped in a function scope.

    vl-convert builds it in about 1.5 s, so it is cached per process and on disk (under
    ``$PMLIB_CACHE_DIR`` or ``~/.cache/pmlib``, see :func:`chart_bundle_path`). The wrapper
    keeps the bundle's top-level ``const``s from colliding with any other script.
    """
    path = chart_bundle_path()
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        pass
    # lazy: altair and vl-convert cost seconds; only when the bundle is not cached on disk
    import altair as alt
    import vl_convert as vlc

    vl_version: str | None = "v" + ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    if vl_version.lstrip("v") not in vlc.get_vegalite_versions():
        vl_version = None  # vl-convert's latest
    raw = vlc.javascript_bundle(vl_version=vl_version)
    bundle = "(function () {\n" + raw.replace("</script", "<\\/script") + "\n})();\n"
    try:
        write_bytes_atomic(path, bundle.encode("utf-8"))
    except OSError as exc:  # a read-only home is fine: rebuild next time
        log.debug("Could not cache the chart bundle at %s: %s", path, exc)
    return bundle


def _embed_options() -> dict[str, Any]:
    import vl_convert as vlc  # lazy: ~40 ms, only when a page with charts is exported

    return {
        "renderer": "svg",
        # No actions menu: its "Open in Vega Editor" posts the data to a website, and the menu
        # (a <details> inside the role="img" container) fails axe's nested-interactive and
        # summary-name rules. Tooltips stay.
        "actions": False,
        "formatLocale": vlc.get_format_locale("en-GB"),
        "timeFormatLocale": vlc.get_time_format_locale("en-GB"),
    }


@functools.cache
def _exporter() -> Any:
    # lazy: nbconvert costs ~1 s; the parent imports this module without exporting anything
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    c = Config()
    c.HTMLExporter.template_name = "pmlib_report"
    c.HTMLExporter.extra_template_basedirs = [str(TEMPLATES_DIR)]
    c.HTMLExporter.exclude_input = True
    c.HTMLExporter.exclude_input_prompt = True
    c.HTMLExporter.exclude_output_prompt = True
    c.HTMLExporter.exclude_anchor_links = True
    c.TagRemovePreprocessor.enabled = True
    c.TagRemovePreprocessor.remove_cell_tags = set(REMOVE_CELL_TAGS)
    c.TagRemovePreprocessor.remove_all_outputs_tags = {"remove-output"}
    c.CSSHTMLHeaderPreprocessor.enabled = False  # code is hidden: no Pygments CSS needed
    return _report_exporter(HTMLExporter)(config=c)


def _report_exporter(base: type) -> type:
    """nbconvert's HTMLExporter without its final BeautifulSoup round trip.

    ``HTMLExporter.from_notebook_node`` parses the whole page with ``html.parser`` and writes
    it out again only to add ``alt`` to images that lack one and ``tabindex="0"`` to output
    areas — about three quarters of the export time on a report page of ~1 MB. This subclass
    renders the template exactly as its parent does and makes those two edits with
    :func:`_accessible_outputs` instead.
    """
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class ReportExporter(base):  # type: ignore[misc, valid-type]
        def from_notebook_node(self, nb: Any, resources: Any = None, **kw: Any) -> Any:
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            highlight_code = self.filters.get(
                "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)
            )
            resources = self._init_resources(resources)
            data_type = WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources
            )
            self.register_filter("highlight_code", highlight_code)
            self.register_filter("filter_data_type", data_type)
            html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            return _accessible_outputs(html), resources

        def _create_environment(self) -> Any:
            """nbconvert's Jinja environment, with the templates' compiled code kept on disk.

            Compiling the page's twelve templates is ~0.2 CPU-s of every process's first
            export (each worker of a batch, each ``pmlib run``). Jinja's bytecode cache keys
            each entry on the template's name and file and checks it against the source's
            checksum, Jinja's version and Python's bytecode version, so an edited template or
            another interpreter compiles afresh; a cache folder that cannot be written is
            skipped (Jinja reads and writes it only when it can).
            """
            env = super()._create_environment()
            cache = _template_cache()
            if cache is not None:
                env.bytecode_cache = cache
            return env

        def _validate_preprocessor(self, nbc: Any, preprocessor: Any) -> None:
            """No schema check after each preprocessor.

            nbconvert validates the whole notebook after every registered preprocessor,
            enabled or not (twelve times a page, ~0.1 s on a Cabinet report, a third of the
            export). Nothing to find here: the notebook was just built by papermill and
            nbclient, the preprocessors only remove cells and outputs, and the same notebook
            is validated when its ``.ipynb`` is written. Validation never changes the page.
            """

    return ReportExporter


def _template_cache() -> Any:
    """Jinja's on-disk bytecode cache in ``<cache dir>/jinja`` (owner-only), or ``None`` when
    the folder cannot be made."""
    folder = cache_dir() / "jinja"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        log.debug("No template cache at %s: %s", folder, exc)
        return None
    return _quiet_cache_class()(str(folder))


@functools.cache
def _quiet_cache_class() -> type:
    from jinja2 import FileSystemBytecodeCache

    class QuietBytecodeCache(FileSystemBytecodeCache):
        """Jinja's file cache that treats an unreadable or unwritable entry as a miss."""

        def load_bytecode(self, bucket: Any) -> None:
            try:
                super().load_bytecode(bucket)
            except Exception:  # noqa: BLE001 - a damaged entry: compile, as without a cache
                bucket.reset()

        def dump_bytecode(self, bucket: Any) -> None:
            with contextlib.suppress(OSError):
                super().dump_bytecode(bucket)

    return QuietBytecodeCache


_IMG_TAG = re.compile(r"<img\b([^>]*)>", re.I)
_NO_ALT = "No description has been provided for this image"


def _accessible_outputs(page: str) -> str:
    """The edit nbconvert's exporter makes with BeautifulSoup, made outside ``<script>``: an
    image without ``alt`` gets nbconvert's placeholder text.

    Its other edit, ``tabindex="0"`` on ``.jp-Notebook div.jp-OutputArea-output``, never
    applies to a report: the ``pmlib_report`` template has no ``.jp-Notebook`` container (a
    figure or table that scrolls sideways carries its own ``tabindex``).
    """

    def img(match: re.Match[str]) -> str:
        attrs = match.group(1)
        if re.search(r"\balt\s*=", attrs, re.I):
            return match.group(0)
        body = attrs.rstrip().removesuffix("/").rstrip()
        end = " /" if attrs.rstrip().endswith("/") else ""
        return f'<img{body} alt="{_NO_ALT}"{end}>'

    parts, last = [], 0
    for script in _SCRIPT_BODY.finditer(page):  # script text is not markup: leave it alone
        parts.append(_IMG_TAG.sub(img, page[last : script.start()]))
        parts.append(script.group(0))
        last = script.end()
    parts.append(_IMG_TAG.sub(img, page[last:]))
    return "".join(parts)


def warm_up() -> None:
    """Pay the one-off costs of the first export now (imports, template compile, the chart
    bundle, BeautifulSoup's selector compile), e.g. while a new kernel imports its libraries."""
    import nbformat  # lazy: as nbconvert above, only in a process that exports
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

    figure = chart_html({"mark": "point", "description": "Warm-up chart."}, mode="js")
    cell = new_code_cell(outputs=[new_output("display_data", {"text/html": figure})])
    nb = new_notebook(cells=[new_markdown_cell("# Warm-up"), cell])
    export_html(nbformat.from_dict(nb), title="Warm-up")


def _report_notebook(nb: Any) -> tuple[Any, bool]:
    """A copy fit for readers: no artifacts, no stderr (warnings stay in the .ipynb)."""
    clean = strip_artifacts(nb)
    has_charts = False
    marker = f'class="{FIGURE_CLASS}"'
    for cell in clean.cells:
        outputs = cell.get("outputs")
        if not outputs:
            continue
        cell.outputs = [
            o for o in outputs if not (o.output_type == "stream" and o.get("name") == "stderr")
        ]
        for o in cell.outputs:
            text = o.get("data", {}).get("text/html", "")
            text = "".join(text) if isinstance(text, list) else text
            has_charts = has_charts or (marker in text and SPEC_CLASS in text)
    return clean, has_charts


def export_html(nb: Any, *, title: str) -> str:
    """Convert an executed notebook to one self-contained, offline HTML page.

    Code, prompts, parameter cells, artifacts and stderr are left out; the chart bundle is
    inlined only when a figure needs it. The input notebook is not modified.

    Raises
    ------
    RenderError
        If anything on the page would be fetched from a network host (for example a web font
        imported by a table style), naming what to change.
    """
    clean, has_charts = _report_notebook(nb)
    # nbconvert's language_code accepts ISO 639-1 only ("en"); UK English is "en-GB".
    pmlib_resources: dict[str, Any] = {"chart_js": None, "lang": LANG}
    # a one-sentence summary for <meta name="description"> (search results, link previews)
    description = extract_artifacts(nb).get("description")
    if isinstance(description, str) and description.strip():
        pmlib_resources["description"] = description.strip()
    if has_charts:
        pmlib_resources["chart_js"] = chart_bundle_js()
        pmlib_resources["embed_options"] = script_json(_embed_options())
    resources = {"metadata": {"name": title}, "pmlib": pmlib_resources}
    body, _ = _exporter().from_notebook_node(clean, resources=resources)
    body = heading_ids(body)  # the contents list links to the section headings
    refs = find_external_refs(body)
    if refs:
        raise RenderError(
            f"The report for {title!r} would load {len(refs)} resource(s) from the network "
            f"(first: {refs[0]}), so it would not work offline. Fix: embed the resource (data: "
            f"URI) or drop it, e.g. use a system font instead of a web font in table styles."
        )
    return body


_SCRIPT_BODY = re.compile(r"(<script\b[^>]*>).*?(</script\s*>)", re.I | re.S)
_TAG = re.compile(r"<([a-z][\w:-]*)\b([^>]*)>", re.I)
_URL_ATTR = re.compile(
    r"""\b(src|srcset|href|xlink:href|poster|data|action|formaction|background|manifest)"""
    r"""\s*=\s*["']?\s*((?:https?:)?//[^"'\s>]+)""",
    re.I,
)
_CSS_URL = re.compile(r"""(?:@import\s+|url\(\s*)["']?\s*((?:https?:)?//[^"')\s;]+)""", re.I)


def find_external_refs(page: str) -> list[str]:
    """Every URL on a page that a browser would fetch from a network host on load.

    Looks at resource attributes (``src``, ``<link href>``, SVG ``href`` …), CSS ``@import`` and
    ``url()``. Hyperlinks (``<a href>``) are fine: they load nothing until followed. Inline
    script bodies are skipped (the chart bundle mentions URLs it never requests).

    Only tags holding ``//`` can name a network URL, and a report page has tens of thousands
    of tags (every SVG element) but few of those: see :func:`_tags_with_slashes`.
    """
    text = _SCRIPT_BODY.sub(r"\1\2", page)
    found: list[str] = []
    for name, attrs in _tags_with_slashes(text):
        if name.lower() in ("a", "area"):
            continue
        found += [m.group(2) for m in _URL_ATTR.finditer(attrs)]
    found += [m.group(1) for m in _CSS_URL.finditer(text)]
    return found


_TAG_START = re.compile(r"<([a-z][\w:-]*)\b", re.I)


def _tags_with_slashes(text: str) -> list[tuple[str, str]]:
    """``(name, attributes)`` of each tag ``_TAG.finditer(text)`` finds whose attributes hold
    ``//``, in page order, without visiting every tag.

    ``_TAG`` runs from ``<name`` to the next ``>``, and the scan resumes after it: so every
    tag found lies between one ``>`` (or the page's start) and the next, and it is the first
    ``<name`` in that stretch (text after the last ``>`` holds none). Each stretch holding
    ``//`` is looked at once.
    """
    tags: list[tuple[str, str]] = []
    done = -1  # the end of the last stretch looked at
    at = text.find("//")
    while at != -1:
        end = text.find(">", at)
        if end == -1:
            break
        if end > done:
            start = text.rfind(">", 0, at) + 1  # 0 when there is none
            head = _TAG_START.search(text, start, end)
            if head is not None:
                attrs = text[head.end() : end]
                if "//" in attrs:
                    tags.append((head.group(1), attrs))
            done = end
        at = text.find("//", end + 1)
    return tags
