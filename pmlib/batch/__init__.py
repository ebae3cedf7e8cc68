"""A quarter's reports: specs, worker pool, skip-if-unchanged manifest, index and pack.

May import every layer below it (core .. pdf); never pmlib.cli or pmlib.explore.
"""

from pmlib.core.deprecation import moved_names

#: Names importable from the package itself (loaded on first use).
_NAMES = {
    "OUTPUT_FORMATS": "pmlib.batch.spec",
    "BatchResult": "pmlib.batch.spec",
    "ReportResult": "pmlib.batch.spec",
    "ReportSpec": "pmlib.batch.spec",
    "register_output_format": "pmlib.batch.spec",
    "run_batch": "pmlib.batch.runner",
}

__getattr__ = moved_names(__name__, _NAMES)
__all__ = sorted(_NAMES)
