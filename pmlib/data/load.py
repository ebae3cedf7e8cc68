"""Read the four tables from a data folder — CSV, one Excel workbook, or Parquet — as raw cells.

Files are read by pmlib's one reader (:mod:`pmlib.core.tables_io`); this module finds the
tables in the folder and normalises headers, blanks and row numbers.

No judgement happens here beyond "can this file be read at all": every cell is kept as the user
typed it (text for CSV, the cell's value for Excel) so the validator can report ``"n/a"`` or
``"12%"`` exactly as found, with the row number the user sees in Excel (header = row 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from pmlib.core.errors import DataValidationError, Problem
from pmlib.core.tables_io import read_frame
from pmlib.data.plan_contract import PLAN_TABLES
from pmlib.data.schema import TABLES

#: Column of every dataset table holding the row number the user sees (header = row 1); the
#: row validation's warnings cite.
SOURCE_ROW = "source_row"


@dataclass(frozen=True)
class Source:
    """Where one table lives: a file, and for a workbook the sheet."""

    table: str
    path: Path
    sheet: str | None = None

    @property
    def label(self) -> str:
        """How messages name it: ``actuals.csv`` or ``data.xlsx, sheet 'actuals'``."""
        return f"{self.path.name}, sheet '{self.sheet}'" if self.sheet else self.path.name


def _sheets(path: Path) -> list[str]:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True)
    try:
        return list(wb.sheetnames)
    finally:
        wb.close()


#: Spreadsheet formats people save by mistake; named in the "no table found" fix.
UNREAD_SUFFIXES = (".xls", ".xlsm", ".xlsb", ".ods", ".tsv")


def find_tables(data_dir: Path) -> tuple[dict[str, Source], list[Problem]]:
    """Locate each table in a folder; exactly one source per table."""
    problems: list[Problem] = []
    if not data_dir.is_dir():
        return {}, [
            Problem(
                str(data_dir),
                "data folder not found",
                "pass --data DIR or set data_dir in council.yaml",
            )
        ]
    found: dict[str, list[Source]] = {t: [] for t in (*TABLES, *PLAN_TABLES)}
    unreadable = False  # a workbook that failed to open: missing tables are its fault
    unsupported: list[str] = []  # spreadsheets in formats pmlib does not read
    for path in sorted(data_dir.iterdir()):
        suffix = path.suffix.lower()
        if path.name.startswith(("~$", ".")):
            continue  # Excel lock files, hidden files
        if suffix in (".csv", ".parquet") and path.stem.lower() in found:
            found[path.stem.lower()].append(Source(path.stem.lower(), path))
        elif suffix == ".xlsx":
            try:
                names = _sheets(path)
            except Exception as exc:  # noqa: BLE001 - any openpyxl failure is a user file problem
                problems.append(
                    Problem(
                        path.name,
                        f"cannot be opened as an Excel workbook ({type(exc).__name__})",
                        "re-save it from Excel as .xlsx",
                    )
                )
                unreadable = True
                continue
            for name in names:
                key = name.strip().lower()
                if key in found:
                    found[key].append(Source(key, path, name))
        elif suffix in UNREAD_SUFFIXES:
            unsupported.append(path.name)
    sources: dict[str, Source] = {}
    for table, options in found.items():
        if not options and (unreadable or table in PLAN_TABLES):
            continue  # reported already (the workbook cannot be opened), or optional
        if not options:
            problems.append(
                Problem(
                    str(data_dir),
                    f"no '{table}' table found",
                    f"add {table}.csv, {table}.parquet or a sheet named '{table}' in a workbook"
                    + (
                        f" (pmlib does not read {', '.join(unsupported)}: save it from Excel as "
                        ".xlsx or as CSV UTF-8)"
                        if unsupported
                        else ""
                    ),
                )
            )
        elif len(options) > 1:
            names = " and ".join(o.label for o in options)
            problems.append(
                Problem(
                    str(data_dir),
                    f"the '{table}' table is in more than one place: {names}",
                    "keep exactly one",
                )
            )
        else:
            sources[table] = options[0]
    return sources, problems


#: Cell edges that need no strip: printable ASCII other than space (below: space and the
#: control characters; above: DEL and every byte of a multi-byte character).
_FIRST_PRINTABLE, _LAST_PRINTABLE = 33, 126


def _already_stripped(s: pd.Series) -> bool:
    """True when no cell of an Arrow-backed text column is empty or could start or end with
    whitespace, so stripping would change nothing.

    Looks at each cell's first and last byte only: an ASCII whitespace byte, or any non-ASCII
    byte (a multi-byte character may be Unicode whitespace such as a no-break space), makes
    the column go through the full strip (so do control characters). A clean million-row column is checked in
    milliseconds instead of stripped cell by cell.
    """
    array = getattr(s.array, "_pa_array", None)
    if array is None:
        return False
    for chunk in array.chunks:
        if not pa.types.is_large_string(chunk.type) and not pa.types.is_string(chunk.type):
            return False
        if len(chunk) == 0:
            continue
        kind = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
        _, offsets_buf, data_buf = chunk.buffers()
        offsets = np.frombuffer(offsets_buf, dtype=kind)[
            chunk.offset : chunk.offset + len(chunk) + 1
        ]
        starts, ends = offsets[:-1], offsets[1:]
        if chunk.null_count:
            valid = chunk.is_valid().to_numpy(zero_copy_only=False)
            if ((ends <= starts) & valid).any():
                return False  # an empty cell: becomes missing
            starts, ends = starts[valid], ends[valid]
        elif (ends <= starts).any():  # no blank cell: no mask to apply (a million-row copy)
            return False
        if data_buf is None:
            continue
        data = np.frombuffer(data_buf, dtype=np.uint8)
        for edge in (data[starts], data[ends - 1]) if starts.size else ():
            # a byte outside printable ASCII (33-126): one min and one max, no mask per cell
            if edge.min() < _FIRST_PRINTABLE or edge.max() > _LAST_PRINTABLE:
                return False
    return True


def _strip_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Strip surrounding spaces from text cells and make blank cells missing, vectorised.

    Text columns (pandas' Arrow-backed strings, as Parquet gives) are stripped in Arrow and stay
    Arrow-backed (the validator checks and types them without a trip through Python objects);
    object columns that are all text take the same whole-column path; only mixed object columns
    (an Excel column holding numbers and text) look at each cell. Typed columns (numbers and
    dates from Parquet or Excel) are left as they are.
    """
    out = {}
    for name, s in frame.items():
        if s.dtype != object and pd.api.types.is_string_dtype(s.dtype):
            if _already_stripped(s):  # the common case, found from each cell's end bytes
                out[name] = s
                continue
            stripped = s.str.strip()
            out[name] = stripped.where(stripped.ne(""))
            continue
        if s.dtype == object:
            kind = pd.api.types.infer_dtype(s, skipna=True)
            if kind == "string":
                stripped = s.str.strip()
                s = stripped.where(stripped.ne(""), None)
            elif kind not in ("empty", "floating", "integer", "mixed-integer-float", "boolean"):
                is_text = s.map(type).eq(str)
                if is_text.any():
                    stripped = s[is_text].astype(str).str.strip()
                    s = s.copy()
                    s[is_text] = stripped.where(stripped.ne(""), None)
        else:
            out[name] = s
            continue
        out[name] = s.where(s.notna(), None)
    return pd.DataFrame(out, index=frame.index, copy=False)


def read_source(source: Source) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Read one table as raw cells, with normalised headers and an ``_row`` column.

    ``_row`` is the row number as Excel shows it (header row 1, first data row 2).
    """
    frame, problems = read_frame(source.path, source.label, sheet=source.sheet or 0)
    if frame is None:
        return None, problems
    frame, found = tidy_frame(frame, source.label)
    return frame, problems + found


def _has_content(content: pd.DataFrame) -> np.ndarray | None:
    """Which rows hold at least one cell, or ``None`` when all of them do (or no column).

    Column by column, stopping once every row has a cell: the first column of a table with no
    blank rows settles it (``content.notna().any(axis=1)`` built a boolean frame of every cell
    first: ~80 MB and 0.05 s on a million actuals).
    """
    keep = np.zeros(len(content), dtype=bool)
    for _, column in content.items():
        keep |= column.notna().to_numpy(dtype=bool)
        if keep.all():
            return None
    return keep if content.shape[1] else None


def tidy_frame(frame: pd.DataFrame, label: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Raw cells as every reader hands them to validation (a file here, a database table in
    :mod:`pmlib.data.sql`): headers lower-cased, text stripped, blank rows dropped, ``_row``
    and :data:`SOURCE_ROW` numbered as Excel shows rows (header row 1)."""
    problems = []
    frame = frame.rename(columns=lambda c: str(c).strip().lower())
    dupes = frame.columns[frame.columns.duplicated()].unique().tolist()
    for d in dupes:
        problems.append(
            Problem(label, "the column appears twice", "delete one of them", row=1, column=d)
        )
    frame = frame.loc[:, ~frame.columns.duplicated()]
    frame = frame.loc[:, [c for c in frame.columns if not c.startswith("unnamed:")]]
    frame = _strip_text(frame)
    frame.insert(0, "_row", range(2, len(frame) + 2))
    # The same number kept on in the dataset (validation drops ``_row``), so a finding built
    # from one of validation's warnings (file, row) can name the indicator and period it is about.
    frame[SOURCE_ROW] = frame["_row"]
    # Excel often carries empty rows (trailing, or left between blocks): drop rows with no
    # content at all. The row numbers were given first, so the rows after a blank one keep the
    # numbers Excel shows them with.
    keep = _has_content(frame.drop(columns=["_row", SOURCE_ROW]))
    if keep is not None:
        frame = frame[keep]
    return frame.reset_index(drop=True), problems


def read_tables(data_dir: Path | str) -> tuple[dict[str, pd.DataFrame], dict[str, Source]]:
    """Read all four tables as raw frames or raise with every problem found."""
    sources, problems = find_tables(Path(data_dir))
    frames: dict[str, pd.DataFrame] = {}
    for table, source in sources.items():
        frame, found = read_source(source)
        problems += found
        if frame is not None:
            frames[table] = frame
    if any(p.severity == "error" for p in problems):
        raise DataValidationError(problems)
    return frames, sources
