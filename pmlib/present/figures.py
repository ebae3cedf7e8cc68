"""Charts as offline, accessible report figures: the altair renderer used in the kernel.

:func:`enable_offline_charts` registers an altair renderer named ``pmlib``. Each chart becomes a
plain ``text/html`` output (a ``<figure class="pmlib-figure">`` holding an empty
``div.pmlib-chart`` with ``role="img"`` and the chart's description as ``aria-label``, a visually
hidden ``<figcaption>`` with the same text, and the Vega-Lite spec as inert JSON). Plain HTML is
valid nbformat (altair 6's own mimetype is not, so papermill rejects it) and degrades to the
description text in any other viewer. :mod:`pmlib.render.html` draws the figures when it
exports the page.

Module-level imports are standard library only: the kernel imports this module.
"""

from __future__ import annotations

import html
import json
import logging
import re
from collections.abc import Mapping
from typing import Any

from pmlib.core.errors import RenderError

log = logging.getLogger(__name__)

RENDERER_NAME = "pmlib"
FIGURE_CLASS = "pmlib-figure"
CHART_CLASS = "pmlib-chart"
SPEC_CLASS = "pmlib-chart-spec"
_MODES = ("js", "svg")

__all__ = ["CHART_CLASS", "Figure", "chart_html", "enable_offline_charts"]


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


def _external_data_urls(node: Any) -> list[str]:
    """Every ``url`` in a spec that points at a network host (charts must carry their data)."""
    found: list[str] = []
    if isinstance(node, Mapping):
        for key, value in node.items():
            if key == "url" and isinstance(value, str) and re.match(r"(?i)(https?:)?//", value):
                found.append(value)
            else:
                found += _external_data_urls(value)
    elif isinstance(node, list):
        for item in node:
            found += _external_data_urls(item)
    return found


def script_json(value: Any) -> str:
    """JSON safe to place inside ``<script type="application/json">`` (cannot close the tag)."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def chart_html(spec: Mapping[str, Any], *, mode: str = "js") -> str:
    """The HTML fragment for one Vega-Lite spec (see the module docstring for its structure).

    Parameters
    ----------
    spec
        A Vega-Lite spec with its data inline (what altair passes to a renderer).
    mode
        ``"js"``: the spec is drawn in the browser by the page's bundle (interactive, tooltips).
        ``"svg"``: drawn now by vl-convert into static SVG (no JavaScript needed to view).
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
    if mode == "svg":
        import vl_convert as vlc

        body = vlc.vegalite_to_svg(
            dict(spec), format_locale="en-GB", time_format_locale="en-GB", allowed_base_urls=[]
        )
        return (
            f'<figure class="{FIGURE_CLASS}"><div class="{CHART_CLASS}" role="img" '
            f'aria-label="{label}">{body}</div>'
            f'<figcaption class="pmlib-visually-hidden">{label}</figcaption></figure>'
        )
    return (
        f'<figure class="{FIGURE_CLASS}"><div class="{CHART_CLASS}" role="img" '
        f'aria-label="{label}"></div>'
        f'<figcaption class="pmlib-visually-hidden">{label}</figcaption>'
        f'<script type="application/json" class="{SPEC_CLASS}">{script_json(spec)}</script>'
        f"</figure>"
    )


def _render(spec: dict[str, Any], mode: str = "js", **_ignored: Any) -> dict[str, str]:
    """The altair renderer: a mimebundle that nbformat accepts and nbconvert shows as HTML."""
    return {"text/html": chart_html(spec, mode=mode), "text/plain": f"Chart: {_describe(spec)}"}


class Figure:
    """An altair chart shown through the active pmlib renderer, without altair's JSON-schema
    validation of the spec on display (~60 ms a chart). For charts built by pmlib's own,
    tested chart functions; anything else should be displayed as a plain altair chart."""

    def __init__(self, chart: Any):
        self.chart = chart

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        import altair as alt

        spec = self.chart.to_dict(validate=False)
        if alt.renderers.active != RENDERER_NAME:
            return self.chart._repr_mimebundle_(include, exclude)
        return _render(spec, **alt.renderers.options)


def enable_offline_charts(mode: str = "js") -> None:
    """Draw altair charts in this notebook as offline, accessible report figures.

    Call it once near the top of a report notebook, after the imports. Give every chart a
    ``description=`` (the text alternative read by screen readers and shown when charts cannot
    be drawn).

    Parameters
    ----------
    mode
        ``"js"`` (default) or ``"svg"``; see :func:`chart_html`.
    """
    if mode not in _MODES:
        raise RenderError(f"Unknown chart mode {mode!r}: expected one of {', '.join(_MODES)}.")
    import altair as alt

    alt.renderers.register(RENDERER_NAME, _render)
    alt.renderers.enable(RENDERER_NAME, mode=mode)
