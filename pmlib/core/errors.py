"""The pmlib error family.

Every user-facing failure is a :class:`PmlibError`; the CLI prints its message and exits non-zero
without a traceback. Data problems are collected as :class:`Problem` records (file, Excel row,
column, value, fix) so that one run reports *every* problem, not just the first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a warning) in the user's input.

    ``row`` is the row number as the user sees it in Excel or a spreadsheet view of a CSV:
    the header is row 1, so the first data row is row 2. ``None`` means the whole file. A
    problem in a database table names the row by its ``key`` instead.
    """

    file: str
    message: str
    fix: str = ""
    row: int | None = None
    column: str | None = None
    value: object = None
    severity: str = "error"  # "error" | "warning"
    #: For a database table, which row: its key (``indicator_id='ENV01', period='2026-09'``)
    #: shown in place of the row number, which means nothing there. ``""``: the whole table.
    key: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.key is not None:
            where += f", key ({self.key})" if self.key else ""
        elif self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column '{self.column}'"
        text = f"{where}: {self.message}"
        if self.value is not None and self.value == self.value:  # skip NaN
            text += f" (found {_shown(self.value)})"
        if self.fix:
            text += f". Fix: {self.fix}"
        return text

    def at_row(self, row: int | None, value: object = None) -> Problem:
        """The same problem at another row (and value): a cheap copy."""
        return Problem.for_rows(
            self.file,
            self.message,
            self.fix,
            [row],
            [value],
            column=self.column,
            severity=self.severity,
        )[0]

    @classmethod
    def for_rows(
        cls,
        file: str,
        message: str,
        fix: str,
        rows: Iterable[int | None],
        values: Iterable[object],
        *,
        column: str | None = None,
        severity: str = "error",
    ) -> list[Problem]:
        """One problem per (row, value): the same message at many rows, built in bulk.

        Validation can find a warning on each of a million rows (an unapproved figure), so the
        records are filled in directly rather than through the frozen dataclass's
        ``__init__`` (which sets each field through ``object.__setattr__``): about a third of
        the time. The results are ordinary, equal, hashable :class:`Problem` records.
        """
        base = {
            "file": file,
            "message": message,
            "fix": fix,
            "column": column,
            "severity": severity,
        }
        new = object.__new__
        out = []
        append = out.append
        for row, value in zip(rows, values, strict=True):
            p = new(cls)
            d = p.__dict__
            d.update(base)
            d["row"] = row
            d["value"] = value
            append(p)
        return out


def _shown(value: object) -> str:
    """The value as the user typed or sees it: dates as ISO text, numbers plain, text quoted."""
    if hasattr(value, "isoformat") and callable(value.isoformat):
        text = value.isoformat()
        return repr(text[:10] if text.endswith("T00:00:00") else text)
    if hasattr(value, "item") and callable(value.item):  # numpy scalar
        value = value.item()
    return repr(value)


class _SameMessage:
    """Problems that share everything but their row and value, kept as two columns."""

    __slots__ = ("file", "message", "fix", "column", "severity", "rows", "values")

    def __init__(self, file, message, fix, rows, values, column, severity):
        self.file, self.message, self.fix = file, message, fix
        self.column, self.severity = column, severity
        self.rows, self.values = rows, values

    def __len__(self) -> int:
        return len(self.rows)

    def build(self) -> list[Problem]:
        import pandas as pd  # lazy: keeps pandas out of CLI start-up

        values = self.values
        if isinstance(values, pd.Series) and isinstance(values.dtype, pd.StringDtype):
            values = values.to_numpy(dtype=object)  # text in bulk, as iterating would give it
        return Problem.for_rows(
            self.file,
            self.message,
            self.fix,
            self.rows.tolist() if hasattr(self.rows, "tolist") else list(self.rows),
            [None if v is None or v is pd.NA else v for v in values],
            column=self.column,
            severity=self.severity,
        )


class Problems(Sequence):
    """A read-only sequence of :class:`Problem` records, some built only when first looked at.

    Validation can find a warning on most rows of a million (an unapproved figure, a missing
    value); making a record for each takes about half a second, often for nothing (``pmlib
    rate`` never shows them). :meth:`at_rows` keeps such a group as its rows and values and
    builds the records on first use; counting them and asking :meth:`has_errors` build nothing.
    Otherwise it behaves as a tuple of problems: ``len``, iteration, indexing, ``+`` and ``==``.
    """

    def __init__(self, problems: Iterable[Problem] = ()):
        items = tuple(problems)
        self._parts: list = [items] if items else []
        self._built: tuple | None = None

    @classmethod
    def at_rows(
        cls,
        file: str,
        message: str,
        fix: str,
        rows: Sequence[int],
        values: Sequence[object],
        *,
        column: str | None = None,
        severity: str = "error",
    ) -> Problems:
        """One problem per row, ``values`` (a sequence or pandas Series) aligned with ``rows``,
        built when first needed. ``pd.NA`` values are recorded as ``None``."""
        out = cls()
        if len(rows):
            out._parts = [_SameMessage(file, message, fix, rows, values, column, severity)]
        return out

    def _all(self) -> tuple[Problem, ...]:
        if self._built is None:
            items: list[Problem] = []
            for part in self._parts:
                items += part.build() if isinstance(part, _SameMessage) else part
            self._built = tuple(items)
            self._parts = [self._built] if self._built else []
        return self._built

    def has_errors(self) -> bool:
        """Whether any problem is an error (not a warning), without building the records."""
        for part in self._parts:
            if isinstance(part, _SameMessage):
                if part.severity == "error" and len(part):
                    return True
            elif any(p.severity == "error" for p in part):
                return True
        return False

    def __len__(self) -> int:
        if self._built is not None:
            return len(self._built)
        return sum(len(part) for part in self._parts)

    def __iter__(self) -> Iterator[Problem]:
        return iter(self._all())

    def __getitem__(self, index):
        return self._all()[index]

    def __add__(self, other: Iterable[Problem]) -> Problems:
        out = Problems()
        extra = other._parts if isinstance(other, Problems) else [tuple(other)]
        out._parts = [p for p in (*self._parts, *extra) if len(p)]
        return out

    def __radd__(self, other: Iterable[Problem]) -> Problems:
        return Problems(other) + self

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Problems | tuple | list):
            return self._all() == tuple(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Problems({list(self._all())!r})"


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

    #: At most this many problems are spelled out in the message; the rest are counted by
    #: kind (``pmlib validate --problems FILE.csv`` writes every one).
    SHOWN = 200

    def __init__(self, problems: Iterable[Problem]):
        self.problems = [p for p in problems if p.severity == "error"]
        self.warnings = [p for p in problems if p.severity != "error"]
        n = len(self.problems)
        lines = [f"{n} problem{'s' if n != 1 else ''} in the input data:"]
        lines += [f"  - {p}" for p in self.problems[: self.SHOWN]]
        if n > self.SHOWN:
            rest = Counter(
                f"{p.file}, column '{p.column}': {p.message}" for p in self.problems[self.SHOWN :]
            )
            lines.append(f"  ... and {n - self.SHOWN} more:")
            lines += [f"  {k:>8} × {what}" for what, k in rest.most_common()]
            lines.append("  Every problem, one per row: pmlib validate --problems problems.csv")
        super().__init__("\n".join(lines))

    def to_frame(self):
        """Every problem and warning as a table (file, row, column, value, message, fix)."""
        import pandas as pd  # lazy: keeps pandas out of CLI start-up

        found = [*self.problems, *self.warnings]
        # a database's problems name the row by its key (a column only they add)
        keyed = any(p.key is not None for p in found)
        columns = ["severity", "file", "row", *(["key"] if keyed else []), "column", "value",
                   "message", "fix"]  # fmt: skip
        return pd.DataFrame(
            [
                {
                    "severity": p.severity,
                    "file": p.file,
                    "row": p.row,
                    "key": p.key,
                    "column": p.column,
                    "value": None if p.value is None else str(p.value),
                    "message": p.message,
                    "fix": p.fix,
                }
                for p in found
            ],
            columns=columns,
        )
