"""Numbers into words, tables, charts and figures for any report (no notebook, no files).

May import pmlib.core, pmlib.config, pmlib.data, pmlib.rating, pmlib.benchmarking and pmlib.spc.
"""

from pmlib.core.deprecation import moved_names

_NAMES: dict[str, str] = {}
#: Names that lived here before pmlib 0.2 (DeprecationWarning; removed in 0.3).
_MOVED = {
    "DOT_SYMBOL": "pmlib.present.text",
    "RAG_ORDER": "pmlib.present.text",
    "RAG_STYLE": "pmlib.present.text",
    "change_counts": "pmlib.present.text",
    "dot_label": "pmlib.present.text",
    "esc": "pmlib.present.text",
    "format_value": "pmlib.present.text",
    "glance_narrative": "pmlib.present.text",
    "rag_badge": "pmlib.present.text",
    "rag_counts": "pmlib.present.text",
    "signed": "pmlib.present.text",
}

__getattr__ = moved_names(__name__, _NAMES, deprecated=_MOVED)
