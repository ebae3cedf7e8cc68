"""The pmlib command line: one module per verb; parse, call the library, print, exit.

May import every layer except pmlib.explore.
"""

from pmlib.core.deprecation import moved_names

#: Names importable from the package itself (loaded on first use).
_NAMES = {"build_parser": "pmlib.cli.main", "main": "pmlib.cli.main"}

__getattr__ = moved_names(__name__, _NAMES)
__all__ = sorted(_NAMES)
