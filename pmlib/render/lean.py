"""Keep slow optional imports out of pmlib's worker, kernel and zygote processes.

Standard library only: every process of a batch imports it first, before anything heavy.
"""

from __future__ import annotations

import sys

__all__ = ["skip_slow_optional_imports"]


def skip_slow_optional_imports() -> None:
    """Keep ``rfc3987_syntax`` out of report kernels and workers (call before anything imports
    jsonschema).

    JupyterLab's dependencies install it; when present, ``import jsonschema`` builds ~35 parsers
    for the optional ``uri`` format check, adding ~0.9 s to every process that imports altair or
    nbformat (python-jsonschema/jsonschema#1428, ../shared/NOTES-tooling.md). Reports never check
    that format: without the module jsonschema simply skips it. Harmless if jsonschema is
    already imported; JupyterLab's own processes are not affected.
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # import -> ImportError -> skipped
