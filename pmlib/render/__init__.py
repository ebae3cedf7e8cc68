"""Run a report notebook in a warm kernel and export offline, accessible HTML.

May import the layers below (core .. reports); never pmlib.batch or pmlib.cli.
"""

from pmlib.core.deprecation import moved_names

#: Names importable from the package itself (loaded on first use).
_NAMES = {
    "TEMPLATES_DIR": "pmlib.render.html",
    "chart_bundle_js": "pmlib.render.html",
    "chart_bundle_path": "pmlib.render.html",
    "export_html": "pmlib.render.html",
    "find_external_refs": "pmlib.render.html",
    "warm_up": "pmlib.render.html",
}
#: Names that lived here before pmlib 0.2 (DeprecationWarning; removed in 0.3).
_MOVED = {
    "CHART_CLASS": "pmlib.present.figures",
    "Figure": "pmlib.present.figures",
    "chart_html": "pmlib.present.figures",
    "enable_offline_charts": "pmlib.present.figures",
}

__getattr__ = moved_names(__name__, _NAMES, deprecated=_MOVED)
__all__ = sorted(_NAMES)
