"""Charts as offline, accessible report figures: the altair renderer used in the kernel.

:func:`enable_offline_charts` registers an altair renderer named ``pmlib``. Each chart becomes a
plain ``text/html`` output: a ``<figure class="pmlib-figure">`` holding a ``div.pmlib-chart``
with ``role="img"`` and the chart's description as ``aria-label``, and a visually hidden
``<figcaption>`` with the same text. What the div holds depends on the mode:

* ``"svg"`` (default): the chart drawn now by vl-convert as static SVG. Visible where no
  script runs (council web systems and e-mail strip JavaScript), prints as vectors, and the
  page needs no chart library (about a fifth of the size of ``"js"``); no tooltips. A chart
  drawn before from exactly the same spec is reused (:mod:`pmlib.present.svg_cache`).
* ``"js"``: the Vega-Lite spec as inert JSON, drawn in the browser by the page's bundle
  (interactive, with tooltips) — and, until it is drawn, a visible sentence giving the
  chart's description, so a reader without JavaScript still learns what it shows.
* ``"both"``: the static SVG *and* the spec; the page's script swaps in the interactive chart
  where JavaScript runs and leaves the static one where it does not. Largest pages.

If vl-convert cannot draw a chart, the figure says so in visible text with the description, in
every mode, without JavaScript. Plain HTML is valid nbformat (altair 6's own mimetype is not,
so papermill rejects it) and degrades to the description text in any other viewer.
:mod:`pmlib.render.html` inlines the chart library when it exports a page whose figures need it.

Chart text stays legible at any width: the static SVG gets ``width: 100%`` up to its drawn
size, and a ``min-width`` that stops the page shrinking it below
:data:`~pmlib.present.theme.MIN_FONT_PX` px text; a narrower screen scrolls the chart inside
its own box (the page's draw script does the same for charts it draws).

Module-level imports are standard library only: the kernel imports this module.
"""

from __future__ import annotations

import functools
import html
import json
import logging
import math
import os
import re
from collections.abc import Iterable, Mapping
from typing import Any

from pmlib.core.errors import RenderError

log = logging.getLogger(__name__)

RENDERER_NAME = "pmlib"
FIGURE_CLASS = "pmlib-figure"
CHART_CLASS = "pmlib-chart"
SPEC_CLASS = "pmlib-chart-spec"
FALLBACK_CLASS = "pmlib-chart-fallback"
_MODES = ("svg", "js", "both")
DEFAULT_MODE = "svg"
#: The smallest chart text, in px, the page may shrink a chart to (see the module docstring).
MIN_FONT_PX = 11

__all__ = [
    "CHART_CLASS",
    "DEFAULT_MODE",
    "Figure",
    "chart_html",
    "drawing_ahead",
    "enable_offline_charts",
    "fit_svg",
    "prefetch_figures",
    "static_svg",
]


def _describe(spec: Mapping[str, Any]) -> str:
    """The chart's text alternative: its description, else its title, else a generic label."""
    desc = spec.get("description")
    if isinstance(desc, str) and desc.strip():
        return desc.strip()
    title = spec.get("title")
    if isinstance(title, Mapping):
        title = title.get("text")
    if isinstance(title, list):
        title = " ".join(str(t) for t in title)
    if isinstance(title, str) and title.strip():
        log.warning("Chart %r has no description; using its title as the text alternative.", title)
        return f"Chart: {title.strip()}"
    log.warning("A chart has neither description nor title: screen-reader users get no summary.")
    return "Chart (no description provided)"


_SCALARS = (str, int, float, bool, type(None))


def _external_data_urls(node: Any) -> list[str]:
    """Every ``url`` in a spec that points at a network host (charts must carry their data),
    in the order they appear. Scalars are passed over without a look inside: the walk visits
    every cell of the chart's rows, tens of thousands of values a report."""
    found: list[str] = []
    _collect_urls(node, found)
    return found


def _collect_urls(node: Any, found: list[str]) -> None:
    if isinstance(node, Mapping):
        for key, value in node.items():
            if key == "url" and isinstance(value, str) and re.match(r"(?i)(https?:)?//", value):
                found.append(value)
            elif type(value) not in _SCALARS:
                _collect_urls(value, found)
    elif isinstance(node, list):
        for item in node:
            if type(item) not in _SCALARS:
                _collect_urls(item, found)


def script_json(value: Any) -> str:
    """JSON safe to place inside ``<script type="application/json">`` (cannot close the tag)."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


_SVG_ROOT = re.compile(r"<svg\b[^>]*>")
_FONT_SIZE = re.compile(r'font-size="([0-9.]+)(?:px)?"')


def fit_svg(svg: str) -> str:
    """A drawn chart that scales with its column but never shrinks its text below 11 px.

    Sets on the root ``<svg>``: ``width: 100%`` up to the width it was drawn at (``viewBox``
    keeps the proportions), ``min-width`` = drawn width × 11 / smallest ``font-size``. Below
    that the chart scrolls sideways inside its ``div`` instead of the page (see pmlib.css).

    >>> svg = '<svg width="360" viewBox="0 0 360 90"><text font-size="12px">a</text></svg>'
    >>> fit_svg(svg).split(" style=")[1].split(">")[0]  # 360 × 11 / 12 = 330
    '"width:100%;height:auto;max-width:360px;min-width:330px"'
    """
    root = _SVG_ROOT.search(svg)
    width = re.search(r'\bwidth="([0-9.]+)', root.group(0)) if root else None
    if root is None or width is None or "style=" in root.group(0):
        return svg
    w = float(width.group(1))
    sizes = [float(x) for x in _FONT_SIZE.findall(svg)]
    smallest = min(sizes) if sizes else MIN_FONT_PX
    min_w = min(w, w * MIN_FONT_PX / smallest) if smallest > 0 else w
    style = f"width:100%;height:auto;max-width:{w:g}px;min-width:{math.ceil(min_w)}px"
    tag = root.group(0)[:-1] + f' style="{style}">'
    return svg[: root.start()] + tag + svg[root.end() :]


@functools.cache
def svg_options() -> dict[str, Any]:
    """Everything static SVGs are drawn with besides the spec (and so part of their cache key).

    The British number and date formats are passed as vl-convert's own locale objects rather
    than by name: the same drawing (the same locale), but vl-convert then skips looking the
    locale up on every chart, about an eighth of a chart's drawing time.
    """
    import vl_convert as vlc  # lazy: ~40 ms, and only charts drawn in the kernel need it

    return {
        # no ARIA attributes on every mark: the drawing is aria-hidden (the figure's div
        # carries the description), so they were never read, and they were a quarter of the
        # SVG's bytes, which the page exporter then parses (the spec is unchanged)
        "config": {"aria": False},
        "format_locale": vlc.get_format_locale("en-GB"),
        "time_format_locale": vlc.get_time_format_locale("en-GB"),
        "allowed_base_urls": [],  # no network: a chart draws only the data it carries
    }


def static_svg(spec: Mapping[str, Any], *, cache: bool = False) -> str | None:
    """The chart drawn by vl-convert as SVG, fitted with :func:`fit_svg`; ``None`` if it fails.

    With ``cache``, a drawing of the same spec made before (in this process, another kernel or
    an earlier run) is reused (:mod:`pmlib.present.svg_cache`); without it the chart is drawn
    now, as a kernel's warm-up must (it starts vl-convert's engine).
    """
    from pmlib.present.svg_cache import cached_svg, draw_svg

    try:
        body = (cached_svg if cache else draw_svg)(spec, svg_options())
    except Exception as exc:  # vl-convert raises ValueError with Vega's message
        log.warning("A chart could not be drawn as SVG (%s); its description is shown.", exc)
        return None
    # the figure's div carries role="img" and the description: the drawing itself is hidden
    return fit_svg(body.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1))


def _fallback(label: str, *, needs_script: bool) -> str:
    """Visible text in place of a chart, readable with no script and no stylesheet."""
    why = (
        "This chart is drawn by JavaScript, which is not running here."
        if needs_script
        else "This chart could not be drawn."
    )
    return f'<p class="{FALLBACK_CLASS}">{why} It shows: {label}</p>'


def chart_html(spec: Mapping[str, Any], *, mode: str = DEFAULT_MODE) -> str:
    """The HTML fragment for one Vega-Lite spec (see the module docstring for its structure).

    Parameters
    ----------
    spec
        A Vega-Lite spec with its data inline (what altair passes to a renderer).
    mode
        ``"svg"``: drawn now as static SVG (no JavaScript needed to view). ``"js"``: drawn in
        the browser by the page's bundle (interactive, tooltips). ``"both"``: static SVG that
        the page's script replaces with the interactive chart where JavaScript runs.
    """
    if mode not in _MODES:
        raise RenderError(f"Unknown chart mode {mode!r}: expected one of {', '.join(_MODES)}.")
    urls = _external_data_urls(spec)
    if urls:
        raise RenderError(
            f"A chart loads its data from {urls[0]}, which a report read offline cannot reach. "
            f"Fix: load the data with pmlib and pass the DataFrame to alt.Chart()."
        )
    label = html.escape(_describe(spec), quote=True)
    body = static_svg(spec, cache=True) if mode in ("svg", "both") else None
    if body is None:
        body = _fallback(label, needs_script=mode == "js")
    script = ""
    if mode in ("js", "both"):
        script = (
            f'<script type="application/json" class="{SPEC_CLASS}">{script_json(spec)}</script>'
        )
    return (
        # tabindex: on a phone a chart wider than the screen scrolls in its own box, which a
        # keyboard user must be able to reach (WCAG 2.1.1; axe "scrollable-region-focusable")
        f'<figure class="{FIGURE_CLASS}"><div class="{CHART_CLASS}" role="img" tabindex="0" '
        f'aria-label="{label}">{body}</div>'
        f'<figcaption class="pmlib-visually-hidden">{label}</figcaption>{script}</figure>'
    )


def _render(spec: dict[str, Any], mode: str = DEFAULT_MODE, **_ignored: Any) -> dict[str, str]:
    """The altair renderer: a mimebundle that nbformat accepts and nbconvert shows as HTML."""
    return {"text/html": chart_html(spec, mode=mode), "text/plain": f"Chart: {_describe(spec)}"}


class Figure:
    """An altair chart shown through the active pmlib renderer, without altair's JSON-schema
    validation of the spec on display (~60 ms a chart). For charts built by pmlib's own,
    tested chart functions; anything else should be displayed as a plain altair chart."""

    def __init__(self, chart: Any):
        self.chart = chart
        self._spec: dict[str, Any] | None = None

    def spec(self) -> dict[str, Any]:
        """The chart's Vega-Lite spec, worked out once (:func:`prefetch_figures` and the
        display both need it)."""
        if self._spec is None:
            self._spec = self.chart.to_dict(validate=False)
        return self._spec

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        import altair as alt

        if alt.renderers.active != RENDERER_NAME:
            return self.chart._repr_mimebundle_(include, exclude)
        return _render(self.spec(), **alt.renderers.options)


def drawing_ahead() -> bool:
    """Whether figures shown here are drawn as static SVG by a batch's drawer, which
    :func:`prefetch_figures` can hand them to before they are shown."""
    import altair as alt

    if alt.renderers.active != RENDERER_NAME:
        return False
    if alt.renderers.options.get("mode", DEFAULT_MODE) not in ("svg", "both"):
        return False
    from pmlib.present.drawer import available

    return available()


def prefetch_figures(items: Iterable[Any]) -> int:
    """Start the drawings of the :class:`Figure` objects among ``items`` before they are
    displayed, when the batch's drawer draws for this kernel
    (:func:`pmlib.present.svg_cache.prefetch`); how many were handed over. A report calls it
    with all its exception sections' parts before displaying the first."""
    if not drawing_ahead():
        return 0
    from pmlib.present.svg_cache import prefetch

    specs = [item.spec() for item in items if isinstance(item, Figure)]
    return prefetch([s for s in specs if not _external_data_urls(s)], svg_options())


def enable_offline_charts(mode: str | None = None) -> None:
    """Draw altair charts in this notebook as offline, accessible report figures.

    Call it once near the top of a report notebook, after the imports. Give every chart a
    ``description=`` (the text alternative read by screen readers and shown when charts cannot
    be drawn).

    Parameters
    ----------
    mode
        ``"svg"``, ``"js"`` or ``"both"``; see :func:`chart_html`. BENCHMARKS.md has the page
        size and time of each. ``None`` (what the report notebooks pass): the
        ``PMLIB_CHART_MODE`` environment variable if set, else ``"svg"``. The variable is not
        part of a report's inputs: after changing it, re-render with ``pmlib run --force``.
    """
    from_env = not mode and os.environ.get("PMLIB_CHART_MODE")
    mode = mode or from_env or DEFAULT_MODE
    if mode not in _MODES:
        where = "The environment variable PMLIB_CHART_MODE" if from_env else "Chart mode"
        raise RenderError(
            f"{where} is {mode!r}, which is not a chart mode: use one of "
            f"{', '.join(_MODES)} (or leave PMLIB_CHART_MODE unset for static SVG)."
        )
    import altair as alt

    alt.renderers.register(RENDERER_NAME, _render)
    alt.renderers.enable(RENDERER_NAME, mode=mode)
