"""Benchmark files as grids of text cells: finding the header row, parsing numbers and periods.

The first step of :func:`pmlib.benchmarking.io.read_benchmarks` and
:func:`~pmlib.benchmarking.io.read_peer_groups`: the file is read by pmlib's one reader
(:func:`pmlib.core.tables_io.read_rows`), the header row is found among the first 20, and cells
are parsed with every problem collected (file, Excel row, column, value, fix).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pmlib.core.errors import DataValidationError, PmlibError, Problem
from pmlib.core.periods import try_parse_period
from pmlib.core.tables_io import EXCEL_SUFFIXES, TEXT_SUFFIXES, read_rows

#: Cell texts meaning "no figure published" (compared case-insensitively after stripping).
#: ONS/GSS use ``[x]`` not available, ``[c]`` confidential, ``[z]`` not applicable; older
#: tables use ``x``, ``c``, ``..`` and ``:``; NHS tables use ``*``.
SUPPRESSION_MARKERS = frozenset({"", ":", "..", "x", "c", "z", "*", "[x]", "[c]", "[z]"})

#: Accepted polarity words, mapped to pmlib's three benchmark polarities. ``band`` (a target
#: range in the indicator library) has no "better end" for ranking, so it benchmarks as ``none``.
POLARITY_WORDS: Mapping[str, str] = {
    "higher": "higher",
    "high": "higher",
    "desc": "higher",
    "descending": "higher",
    "lower": "lower",
    "low": "lower",
    "asc": "lower",
    "ascending": "lower",
    "none": "none",
    "neutral": "none",
    "band": "none",
}

#: Area-code prefixes of national and regional aggregates (England, English regions, UK, GB,
#: England & Wales, Wales, Scotland, Northern Ireland). They are comparators, not peers, so the
#: reserved ``all`` peer group leaves them out.
AGGREGATE_CODE_PREFIXES = ("E92", "E12", "K02", "K03", "K04", "W92", "S92", "N92")

_SHAPES_HELP = (
    "use one of the shapes in docs/benchmarking.md: a long table 'area_code, area_name, metric, "
    "period, value', the 7-column download 'area_code, area_name, period, indicator, measure, "
    "unit, value', an Oflog extract, or a wide table with an area code column and one column "
    "per period"
)
_FY_DASH = re.compile(r"^(\d{4})-(\d{2})$")
_NUMBER_FIXES = {"n/a", "na", "-", "tbc", "nil", "none", "null", "nan"}


# -- small helpers ------------------------------------------------------------------------------
def slugify(text: object) -> str:
    """A stable lower-case id: ``'Household waste, recycled (%)'`` → ``household-waste-recycled``.

    Metric ids made from indicator titles must be stable across downloads because an indicator
    library links to them (``benchmark_metric``); punctuation and case are therefore dropped.
    """
    slug = re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-")
    return slug or "metric"


def normalise_polarity(value: object) -> str | None:
    """Map a polarity word (``higher``, ``DESC``, ``band``...) to higher/lower/none; else None."""
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return None
    return POLARITY_WORDS.get(str(value).strip().lower())


def is_aggregate_code(codes: pd.Series) -> pd.Series:
    """True for national/regional aggregate codes (see :data:`AGGREGATE_CODE_PREFIXES`)."""
    return codes.astype("string").str.upper().str.startswith(AGGREGATE_CODE_PREFIXES).fillna(False)


def _key(header: object) -> str:
    """Normalise a header for matching: ``'Local authority code '`` → ``local_authority_code``."""
    return re.sub(r"[^a-z0-9]+", "_", str(header).strip().lower()).strip("_")


# -- reading a file as a grid of text -----------------------------------------------------------
def _read_grid(path: Path) -> list[list[str]]:
    """Every cell of the file (first sheet of a workbook) as stripped text, row by row.

    Rows are records as Excel shows them, so list index + 1 is the Excel row number even when a
    CSV has title lines above the header or quoted line breaks inside a cell.
    """
    if not path.exists():
        raise PmlibError(
            f"{path}: file not found. Fix: check the path, or pass the folder's "
            "file with --benchmarks."
        )
    suffix = path.suffix.lower()
    if suffix not in (*TEXT_SUFFIXES, *EXCEL_SUFFIXES, ".parquet"):
        raise PmlibError(
            f"{path.name}: pmlib reads benchmark files as .csv, .xlsx or .parquet. Fix: save "
            "the download in one of those formats."
        )
    rows, problems = read_rows(path)
    if rows is None:
        raise DataValidationError(problems)
    return rows


@dataclass(frozen=True)
class _Sheet:
    """A table of text cells under normalised headers, with each row's Excel row number."""

    file: str
    frame: pd.DataFrame  # normalised column names; object cells (str)
    headers: dict[str, str]  # normalised -> as written
    rows: pd.Series  # Excel row number per frame row
    header_row: int = 1  # Excel row number of the header

    def col(self, key: str) -> str:
        """The column name as the user wrote it (for messages)."""
        return self.headers.get(key, key)


def _sheet(
    path: Path,
    grid: list[list[str]],
    is_header: Callable[[set[str]], bool],
    shapes_help: str = _SHAPES_HELP,
) -> _Sheet:
    """Find the header row (the first of 20 rows ``is_header`` accepts) and build a sheet."""
    name = path.name
    rows = grid
    if not any(any(c for c in r) for r in rows):
        raise DataValidationError([Problem(name, "the file is empty", "add a header row and data")])
    header_at = next((i for i, r in enumerate(rows[:20]) if is_header({_key(c) for c in r})), None)
    if header_at is None:
        raise DataValidationError(
            [
                Problem(
                    name,
                    "no header row with the expected columns was found in the first 20 rows",
                    shapes_help,
                    row=1,
                )
            ]
        )
    header = rows[header_at]
    width = max(len(header), *(len(r) for r in rows[header_at + 1 :]), 0) if rows else 0
    header = header + [""] * (width - len(header))
    problems: list[Problem] = []
    keys: list[str] = []
    headers: dict[str, str] = {}
    for j, h in enumerate(header):
        k = _key(h) or f"_blank_{j}"
        if k in headers:
            problems.append(
                Problem(
                    name,
                    "the column appears twice",
                    "delete one of them",
                    row=header_at + 1,
                    column=h,
                )
            )
            k = f"{k}_{j}"
        headers[k] = h
        keys.append(k)
    if problems:
        raise DataValidationError(problems)
    body = [r + [""] * (width - len(r)) for r in rows[header_at + 1 :]]
    excel_rows = list(range(header_at + 2, header_at + 2 + len(body)))
    frame = pd.DataFrame(body, columns=keys, dtype=object)
    keep = [any(c for c in r) for r in body]  # drop fully blank rows (Excel leaves them)
    frame = frame[keep].reset_index(drop=True)
    row_numbers = pd.Series([n for n, k in zip(excel_rows, keep, strict=True) if k], dtype="Int64")
    return _Sheet(name, frame, headers, row_numbers, header_at + 1)


# -- cell parsing -------------------------------------------------------------------------------
def _number_fix(text: str) -> str:
    t = text.strip()
    if t.endswith("%"):
        return f"write the number without the % sign ({t.rstrip('%').strip()})"
    if "," in t:
        return "remove the thousands separator"
    if t.lower() in _NUMBER_FIXES:
        return "leave the cell blank (or use a suppression marker such as [x]) for a missing value"
    return "write a plain number such as 94.1"


def _numbers(sheet: _Sheet, key: str, problems: list[Problem]) -> tuple[pd.Series, pd.Series]:
    """Parse a column of numbers: (float values, marker text where a suppression marker stood).

    Suppression markers and blanks give NaN with the marker recorded; anything else that is not
    a number is a Problem naming the file, row, column and value.
    """
    if key not in sheet.frame:
        n = len(sheet.frame)
        return pd.Series([float("nan")] * n, dtype="float64"), pd.Series(
            [pd.NA] * n, dtype="string"
        )
    text = sheet.frame[key].astype("string").str.strip().fillna("")
    is_marker = text.str.lower().isin(SUPPRESSION_MARKERS)
    values = pd.to_numeric(text.where(~is_marker, None), errors="coerce").astype("float64")
    bad = ~is_marker & values.isna()
    for i in bad[bad].index:
        problems.append(
            Problem(
                sheet.file,
                "is not a number",
                _number_fix(text[i]),
                row=int(sheet.rows[i]),
                column=sheet.col(key),
                value=text[i],
            )
        )
    marker = text.where(is_marker).replace("", "blank").astype("string")
    return values, marker


def _periods(
    sheet: _Sheet, key: str, problems: list[Problem], *, fy_dash: bool, start_month: int
) -> pd.Series:
    """Canonical pmlib period labels where a label parses; otherwise the label as written.

    ``fy_dash`` says the column is known to hold financial years, so ``2011-12`` means 2011/12
    (pmlib otherwise refuses it: it could be December 2011). Blank periods are errors; a label
    that does not parse is a warning, once per label: it is kept, but cannot be put in time
    order.
    """
    text = _text(sheet, key)
    column = sheet.col(key)
    for i in text[text.isna()].index:
        problems.append(
            Problem(
                sheet.file,
                "a period is required here",
                "write a financial year such as 2023/24 or a quarter such as 2024/25 Q1",
                row=int(sheet.rows[i]),
                column=column,
            )
        )
    out: dict[str, str] = {}
    for u in text.dropna().unique():
        candidate = u
        m = _FY_DASH.match(u)
        if fy_dash and m and (int(m[1]) + 1) % 100 == int(m[2]):
            candidate = f"{m[1]}/{m[2]}"
        p = try_parse_period(candidate, start_month)
        out[u] = p.label if p is not None else u
        if p is None:
            i = text[text.eq(u).fillna(False)].index[0]
            problems.append(
                Problem(
                    sheet.file,
                    "is not a period pmlib can read, so it is kept as written and cannot "
                    "be placed in time order (no rank movement is computed for it)",
                    "write a financial year such as 2023/24 or a quarter such as 2024/25 Q1",
                    row=int(sheet.rows[i]),
                    column=column,
                    value=u,
                    severity="warning",
                )
            )
    return text.map(out, na_action="ignore").astype("string")


def _text(sheet: _Sheet, key: str | None) -> pd.Series:
    if key is None or key not in sheet.frame:
        return pd.Series([pd.NA] * len(sheet.frame), dtype="string")
    s = sheet.frame[key].astype("string").str.strip()
    return s.where(s.ne(""), pd.NA)


def _required_text(sheet: _Sheet, key: str, what: str, problems: list[Problem]) -> pd.Series:
    s = _text(sheet, key)
    for i in s[s.isna()].index:
        problems.append(
            Problem(
                sheet.file,
                f"{what} is required here",
                f"fill in '{sheet.col(key)}' for this row",
                row=int(sheet.rows[i]),
                column=sheet.col(key),
            )
        )
    return s


def _first(keys: set[str], names: tuple[str, ...]) -> str | None:
    return next((n for n in names if n in keys), None)
