"""The CSV files pmlib writes for people: the one writer every report table and CLI output uses.

People open these files in Excel, so three things matter beyond ``DataFrame.to_csv``:

* **A UTF-8 byte-order mark.** Without it Excel on Windows reads the bytes as Windows-1252 and
  shows "£k" as "Â£k". pmlib's own reader drops the mark (:func:`pmlib.core.tables_io.decode_text`).
* **Whole numbers written as integers.** A count of 495 read from a float column is written
  ``495``, not ``495.0`` — cell by cell, so a value column holding ``52`` and ``48.5`` is
  written ``52`` and ``48.5`` (a spreadsheet reads both as the numbers they are).
* **No formula injection.** Officer-typed text (narrative, owner names) reaches these files. A
  spreadsheet treats a cell beginning ``=``, ``+``, ``-`` or ``@`` (and, in some programs, a tab
  or carriage return) as a formula, so ``=HYPERLINK("http://evil", "click")`` would run. Such a
  text cell is written with a leading apostrophe, as OWASP advises ("CSV Injection"); a cell
  that is just a number such as ``-5`` or ``+3.2`` is left alone, because Excel reads it as the
  number it is. Numeric columns are never touched.

The data folder's own tables are not written here: pmlib reads them back and keeps officer
text exactly as typed (see :mod:`pmlib.returns`).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from pmlib.core.csv_arrow import csv_body_parts, whole_cells
from pmlib.core.files import write_parts_atomic

__all__ = [
    "BOM",
    "FORMULA_TRIGGERS",
    "csv_bytes",
    "csv_pieces",
    "csv_text",
    "neutralise_cell",
    "neutralise_formulas",
    "whole_cells_as_integers",
    "whole_numbers_as_integers",
    "write_csv",
]

#: The UTF-8 byte-order mark, as text (encoded it is ``EF BB BF``).
BOM = "\ufeff"

#: The first characters that make a spreadsheet treat a cell as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

_TRIGGER_CLASS = "[" + re.escape("".join(FORMULA_TRIGGERS)) + "]"
_PLAIN_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
# a cell that starts with a trigger and is not just a signed number
_DANGEROUS = re.compile(rf"^(?!{_PLAIN_NUMBER}$){_TRIGGER_CLASS}", re.DOTALL)


def neutralise_cell(text: str) -> str:
    """Prefix a leading apostrophe when ``text`` would run as a spreadsheet formula.

    >>> neutralise_cell('=HYPERLINK("http://x", "click")')
    '\\'=HYPERLINK("http://x", "click")'
    >>> neutralise_cell("@SUM(A1)"), neutralise_cell("-5"), neutralise_cell("Jo Bloggs")
    ("'@SUM(A1)", '-5', 'Jo Bloggs')
    """
    return "'" + text if _DANGEROUS.match(text) else text


def _dangerous_cells(col: pd.Series) -> pd.Series | None:
    """Boolean mask of the cells to neutralise, or None for a column that holds no text."""
    if pd.api.types.is_string_dtype(col.dtype) and col.dtype != object:
        return col.str.match(_DANGEROUS).fillna(False).astype(bool)
    if col.dtype != object:
        return None  # numbers, dates, booleans, categories of numbers: never formulas
    return col.map(lambda v: isinstance(v, str) and bool(_DANGEROUS.match(v))).astype(bool)


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells cannot run as formulas (vectorised per column).

    Only text (string or object) columns are looked at; in an object column only the ``str``
    cells change, so numbers, dates and missing values keep their type.
    """
    out = frame.copy(deep=False)
    for name in out.columns:
        col = out[name]
        hits = _dangerous_cells(col)
        if hits is None or not hits.any():
            continue
        fixed = col.astype(object).copy()
        fixed[hits.to_numpy()] = "'" + col[hits.to_numpy()].astype(str)
        out[name] = fixed
    return out


def whole_numbers_as_integers(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` where a float column holding only whole numbers becomes ``Int64``.

    >>> whole_numbers_as_integers(pd.DataFrame({"n": [495.0, None], "p": [1.5, 2.0]})).dtypes
    n      Int64
    p    float64
    dtype: object
    """
    out = frame.copy(deep=False)
    for name in out.columns:
        col = out[name]
        if not pd.api.types.is_float_dtype(col.dtype):
            continue
        values = col.dropna()
        if values.empty:
            continue
        finite = values.abs() < 2**53
        if bool(finite.all()) and bool((values == values.round()).all()):
            out[name] = col.astype("Int64")
    return out


def whole_cells_as_integers(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` where every float cell holding a whole number is an integer: a
    column of whole numbers becomes ``Int64`` (:func:`whole_numbers_as_integers`), a column
    mixing them with fractions becomes an object column of ``int`` and ``float`` cells.

    >>> whole_cells_as_integers(pd.DataFrame({"v": [52.0, 48.5, None]}))["v"].tolist()
    [52, 48.5, nan]
    """
    out = whole_numbers_as_integers(frame)
    for name in out.columns:
        col = out[name]
        if col.dtype != np.float64:
            continue
        values = col.to_numpy()
        whole = whole_cells(values)
        if whole.any():
            cells = values.astype(object)
            cells[whole] = [int(v) for v in values[whole]]
            out[name] = pd.Series(cells, index=col.index, dtype=object)
    return out


def _is_dangerous(text: str) -> bool:
    return _DANGEROUS.match(text) is not None


def _csv_body(frame: pd.DataFrame, prefix: bytes = b"") -> bytes:
    """The CSV body as UTF-8 bytes after ``prefix`` (the BOM, or nothing): Arrow's kernels when
    every column allows it (:mod:`pmlib.core.csv_arrow`, the same bytes ~10× sooner), else
    pandas' writer."""
    parts = _csv_parts(frame, prefix)
    return parts[0] if len(parts) == 1 else b"".join(parts)


def _csv_parts(
    frame: pd.DataFrame, prefix: bytes = b"", *, header: bool = True
) -> list[bytes | memoryview]:
    """:func:`_csv_body` as pieces to write back to back (a file needs no joined copy)."""
    prepared = whole_numbers_as_integers(frame)
    fast = csv_body_parts(
        prepared, _is_dangerous, FORMULA_TRIGGERS, prefix=prefix, whole_numbers=True,
        header=header,
    )  # fmt: skip
    if fast is not None:
        return fast
    prepared = whole_cells_as_integers(prepared)
    body = neutralise_formulas(prepared).to_csv(index=False, header=header, lineterminator="\n")
    return [prefix + body.encode("utf-8")]


def csv_pieces(frame: pd.DataFrame, *, first: bool = True) -> list[bytes | memoryview]:
    """The CSV file of ``frame`` (as :func:`write_csv` writes it) as pieces to write back to
    back. With ``first=False``, the rows only — no BOM, no header — so that the pieces of a
    table's parts, the first part's first, make the file of the whole table: every cell is
    written on its own (a whole number as an integer, a formula neutralised), never from what
    else is in its column."""
    return _csv_parts(frame, BOM.encode("utf-8") if first else b"", header=first)


def csv_text(frame: pd.DataFrame, *, bom: bool = True) -> str:
    """The frame as CSV text for people: integers as integers, formulas neutralised, a BOM.

    The text starts with the BOM so that whoever writes it to a file as UTF-8 (the batch runner
    writes a report's CSV artifact as it comes) gives Excel the mark; ``bom=False`` is for text
    shown or compared, never for a file.
    """
    body = _csv_body(frame).decode("utf-8")
    return (BOM + body) if bom else body


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """:func:`csv_text` encoded as UTF-8, BOM first."""
    return _csv_body(frame, BOM.encode("utf-8"))


def write_csv(frame: pd.DataFrame, path: Path | str) -> Path:
    """Write ``frame`` to ``path`` atomically as a CSV for people (see the module docstring)."""
    return write_parts_atomic(path, _csv_parts(frame, BOM.encode("utf-8")))
