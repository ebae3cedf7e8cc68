"""pmlib's one file reader: a table from CSV, an Excel workbook or Parquet, as the user typed it.

Every table pmlib reads — the four data tables, benchmark downloads, peer groups, metric
metadata — comes through here, so each format is handled once and fails the same way: a
:class:`~pmlib.core.errors.Problem` naming the file (and for text that is not UTF-8, the row
and the byte) and the fix. Nothing is judged beyond "can this file be read at all"; callers
check the cells.

* CSV (``.csv``, ``.txt``): UTF-8, with or without the byte-order mark Excel's "CSV UTF-8"
  writes. Windows-1252 ("CSV (Comma delimited)") is refused with the row of the first byte
  that is not UTF-8, rather than guessed: a wrong guess silently corrupts names like "Ynys Môn".
* Excel (``.xlsx``, ``.xlsm``): one sheet, read with openpyxl, cells as their values.
* Parquet: typed columns stay typed.

Two shapes are offered: :func:`read_frame` (a table with its header in the first row, cells as
text or values) and :func:`read_rows` (every cell as stripped text, row by row, for files whose
header row must be found, such as downloads with title lines above it).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from pmlib.core.errors import Problem

#: File suffixes read as delimited text.
TEXT_SUFFIXES = (".csv", ".txt")
#: File suffixes read as Excel workbooks.
EXCEL_SUFFIXES = (".xlsx", ".xlsm")

_NOT_UTF8 = "is not UTF-8 text (perhaps saved as Windows-1252 or 'CSV (Comma delimited)')"
_NOT_UTF8_FIX = "in Excel use File > Save As > 'CSV UTF-8 (Comma delimited)'"


def decode_text(raw: bytes, label: str) -> tuple[str | None, list[Problem]]:
    """UTF-8 text (a leading byte-order mark dropped), or a problem naming the row and byte.

    >>> decode_text("a\\nb".encode("utf-8-sig"), "x.csv")
    ('a\\nb', [])
    >>> text, [p] = decode_text("a\\nMôn".encode("cp1252"), "x.csv")
    >>> text, p.row, p.value
    (None, 2, b'\\xf4')
    """
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        row = raw[: exc.start].count(b"\n") + 1
        bad = raw[exc.start : exc.start + 1]
        return None, [Problem(label, _NOT_UTF8, _NOT_UTF8_FIX, row=row, value=bad)]


def _excel_problem(label: str, exc: Exception) -> Problem:
    return Problem(
        label,
        f"cannot be opened as an Excel workbook ({type(exc).__name__})",
        "re-save it from Excel as .xlsx",
    )


def _parquet_problem(label: str, exc: Exception) -> Problem:
    return Problem(
        label, f"cannot be read as Parquet ({type(exc).__name__})", "re-export the table"
    )


def read_parquet(path: Path, label: str | None = None) -> tuple[pd.DataFrame | None, list[Problem]]:
    """A Parquet file as a frame (typed columns stay typed), or the problem reading it."""
    try:
        return pd.read_parquet(path), []
    except Exception as exc:  # noqa: BLE001 - pyarrow raises many types for a bad file
        return None, [_parquet_problem(label or path.name, exc)]


def read_excel(
    path: Path, label: str | None = None, *, sheet: str | int = 0, header: int | None = 0
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """One sheet as a frame of cell values (blank cells missing), or the problem opening it."""
    try:
        frame = pd.read_excel(
            path,
            sheet_name=sheet,
            header=header,
            dtype=object,
            engine="openpyxl",
            keep_default_na=False,
            na_values=[""],
        )
    except Exception as exc:  # noqa: BLE001 - any openpyxl failure is a user file problem
        return None, [_excel_problem(label or path.name, exc)]
    return frame, []


def read_frame(
    path: Path, label: str | None = None, *, sheet: str | int = 0
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """A table with its header in the first row: CSV cells as text, workbook and Parquet cells
    as their values; blank cells missing. ``(None, problems)`` when the file cannot be read."""
    label = label or path.name
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        frame, problems = read_excel(path, label, sheet=sheet)
        if frame is not None and frame.columns.size == 0:
            return None, [Problem(label, "the sheet is empty", "add a header row and data")]
        return frame, problems
    if suffix == ".parquet":
        return read_parquet(path, label)
    raw = path.read_bytes()
    if not raw.strip():
        return None, [
            Problem(
                label, "the file is empty", "add a header row and data, see docs/data-format.md"
            )
        ]
    text, problems = decode_text(raw, label)
    if text is None:
        return None, problems
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            dtype=object,
            keep_default_na=False,
            na_values=[""],
            skipinitialspace=False,
        )
    except pd.errors.ParserError as exc:
        return None, [
            Problem(
                label,
                f"cannot be read as CSV: {exc}",
                "check for a stray quote or a row with extra commas",
            )
        ]
    return frame, []


def cell_text(value: object) -> str:
    """A cell as text; blanks (None/NaN/NA) as ``''``; whole floats without ``.0``.

    >>> cell_text(12.0), cell_text(0.125), cell_text(None), cell_text(" a ")
    ('12', '0.125', '', 'a')
    """
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value).strip()


def read_rows(path: Path, label: str | None = None) -> tuple[list[list[str]] | None, list[Problem]]:
    """Every cell of the file (first sheet of a workbook) as stripped text, row by row.

    Rows are records as Excel shows them, so list index + 1 is the Excel row number even when a
    CSV has title lines above the header or quoted line breaks inside a cell. A Parquet file's
    column names are its first row.
    """
    label = label or path.name
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        try:
            frame = pd.read_excel(path, sheet_name=0, header=None, dtype=object, engine="openpyxl")
        except Exception as exc:  # noqa: BLE001 - any openpyxl failure is a user file problem
            return None, [_excel_problem(label, exc)]
        return [[cell_text(v) for v in row] for row in frame.itertuples(index=False)], []
    if suffix == ".parquet":
        frame, problems = read_parquet(path, label)
        if frame is None:
            return None, problems
        header = [str(c) for c in frame.columns]
        body = [[cell_text(v) for v in row] for row in frame.astype(object).itertuples(index=False)]
        return [header, *body], []
    text, problems = decode_text(path.read_bytes(), label)
    if text is None:
        return None, problems
    return [[c.strip() for c in r] for r in csv.reader(io.StringIO(text, newline=""))], []
