"""Keep slow optional imports out of pmlib's worker, kernel and zygote processes.

Standard library only: every process of a batch imports it first, before anything heavy.
"""

from __future__ import annotations

import contextlib
import gc
import sys
from collections.abc import Iterator

__all__ = ["FORMAT_CHECK_MODULES", "imports_frozen", "skip_slow_optional_imports"]


#: Modules that ``jsonschema`` imports, when installed, only to check optional string formats
#: (``iri``, ``date-time``, ``duration``, ``color``, ``uri-template``, ``hostname``) that
#: neither the notebook format's schema nor Vega-Lite's uses, and that nothing else pmlib's
#: processes run imports. (``rfc3986_validator`` stays: altair checks ``uri`` with it.)
FORMAT_CHECK_MODULES = (
    "rfc3987_syntax",
    "rfc3339_validator",
    "isoduration",
    "webcolors",
    "uri_template",
    "fqdn",
)


def skip_slow_optional_imports() -> None:
    """Keep jsonschema's optional format checkers out of report kernels and workers (call
    before anything imports jsonschema).

    JupyterLab's dependencies install them; when ``rfc3987_syntax`` is present, ``import
    jsonschema`` builds ~35 parsers for the optional ``uri`` format check, adding ~0.9 s to
    every process that imports altair or nbformat (python-jsonschema/jsonschema#1428,
    ../shared/NOTES-tooling.md); the others (``isoduration`` brings in ``arrow``) add ~40 ms
    more. Reports and the notebooks' validation never check those formats: without the
    modules jsonschema simply skips them. Harmless if jsonschema is already imported;
    JupyterLab's own processes are not affected.
    """
    if "jsonschema" not in sys.modules:
        for name in FORMAT_CHECK_MODULES:
            sys.modules.setdefault(name, None)  # import -> ImportError -> skipped


@contextlib.contextmanager
def imports_frozen() -> Iterator[None]:
    """Import a process's libraries with the cyclic garbage collector off, then move what they
    made out of its view (:func:`gc.freeze`).

    Importing numpy, pandas, altair, IPython and pmlib's report modules creates ~170,000
    objects, and the collector, triggered by the allocations, scans the growing heap again and
    again (~0.3 CPU-s of the zygote's ~1.7 s of imports). Modules live as long as the process,
    so there is nothing there to collect; frozen, they are also never scanned by the
    collections of the kernels forked afterwards (nor copied by them: a scan writes to each
    object). Used by the processes that import once and then fork: the kernels' zygote and the
    workers' fork server.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
