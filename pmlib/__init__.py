"""pmlib: a performance-reporting workbook for UK local councils.

Subpackages in layers, imports pointing one way (``docs/architecture.md``):
core → config → data → rating, benchmarking → present → reports → render → pdf → batch → cli;
explore on top. ``import pmlib`` is cheap: the public names below load on first use.
"""

from pmlib.core.deprecation import install_finder, moved_names
from pmlib.core.version import __version__

install_finder()  # old module paths (pmlib.rate, ...) keep working for one release

#: Public names and the modules that define them, each imported on first use, so that
#: ``import pmlib`` (and with it every kernel, worker and CLI start) pulls in no pandas.
_NAMES = {
    "DataValidationError": "pmlib.core.errors",
    "ParameterError": "pmlib.core.errors",
    "PmlibError": "pmlib.core.errors",
    "Problem": "pmlib.core.errors",
    "Period": "pmlib.core.periods",
    "parse_period": "pmlib.core.periods",
    "parse_quarter": "pmlib.core.periods",
    "read_dataset": "pmlib.data.validate",
}

__getattr__ = moved_names(__name__, _NAMES)

__all__ = [
    "__version__",
    "DataValidationError",
    "ParameterError",
    "Period",
    "PmlibError",
    "Problem",
    "parse_period",
    "parse_quarter",
    "read_dataset",
]


def __dir__() -> list[str]:
    return sorted({*globals(), *_NAMES})
