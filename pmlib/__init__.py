"""pmlib: a performance-reporting workbook for UK local councils.

Layers, imports pointing one way: config/errors/schema → load → validate → rate/trend →
present/charts/tables → report → batch/cli.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("pmlib")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0+unknown"

from pmlib.errors import DataValidationError, ParameterError, PmlibError, Problem  # noqa: E402
from pmlib.periods import Period, parse_period, parse_quarter  # noqa: E402
from pmlib.validate import read_dataset  # noqa: E402

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
