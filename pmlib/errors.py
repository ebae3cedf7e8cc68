"""The pmlib error family.

Every user-facing failure is a :class:`PmlibError`; the CLI prints its message and exits non-zero
without a traceback. Data problems are collected as :class:`Problem` records (file, Excel row,
column, value, fix) so that one run reports *every* problem, not just the first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a warning) in the user's input.

    ``row`` is the row number as the user sees it in Excel or a spreadsheet view of a CSV:
    the header is row 1, so the first data row is row 2. ``None`` means the whole file.
    """

    file: str
    message: str
    fix: str = ""
    row: int | None = None
    column: str | None = None
    value: object = None
    severity: str = "error"  # "error" | "warning"

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column '{self.column}'"
        text = f"{where}: {self.message}"
        if self.value is not None and self.value == self.value:  # skip NaN
            text += f" (found {_shown(self.value)})"
        if self.fix:
            text += f". Fix: {self.fix}"
        return text


def _shown(value: object) -> str:
    """The value as the user typed or sees it: dates as ISO text, numbers plain, text quoted."""
    if hasattr(value, "isoformat") and callable(value.isoformat):
        text = value.isoformat()
        return repr(text[:10] if text.endswith("T00:00:00") else text)
    if hasattr(value, "item") and callable(value.item):  # numpy scalar
        value = value.item()
    return repr(value)


class PmlibError(Exception):
    """Base class: a mistake in the user's input or environment, reported without a traceback."""


class ParameterError(PmlibError):
    """A run or notebook parameter (quarter, committee, folder) is not valid."""


class PeriodError(ParameterError):
    """A period label could not be read."""


class ConfigError(PmlibError):
    """A parameters/*.yaml file is missing or malformed."""


class RenderError(PmlibError):
    """A report could not be rendered (missing renderer, failed notebook cell)."""


class DataValidationError(PmlibError):
    """The input data has one or more problems; carries every one of them."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = [p for p in problems if p.severity == "error"]
        self.warnings = [p for p in problems if p.severity != "error"]
        n = len(self.problems)
        lines = [f"{n} problem{'s' if n != 1 else ''} in the input data:"]
        lines += [f"  - {p}" for p in self.problems]
        super().__init__("\n".join(lines))
