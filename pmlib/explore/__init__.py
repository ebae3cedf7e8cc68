"""The interactive explorer for JupyterLab: state, views and widgets.

The top layer: may import anything in pmlib.
"""

from pmlib.core.deprecation import moved_names

#: Names importable from the package itself (loaded on first use).
_NAMES = {
    "ALL": "pmlib.explore.explorer",
    "Explorer": "pmlib.explore.explorer",
    "SCORECARD_COLUMNS": "pmlib.explore.explorer",
    "WHAT_IF_COLUMNS": "pmlib.explore.explorer",
    "WhatIf": "pmlib.explore.explorer",
    "available_quarters": "pmlib.explore.explorer",
}

__getattr__ = moved_names(__name__, _NAMES)
__all__ = sorted(_NAMES)
