"""Column contracts for the four tables, as pandera schemas.

The contract (names, required columns, allowed values, numeric columns) is declared once, in
:mod:`pmlib.data.contract` (importable from here), and documented in docs/data-format.md. :func:`validate_table` runs a table's schema lazily so that
every failing cell is found in one pass, turns pandera's failure cases into :class:`Problem`
records a council analyst can act on (file, Excel row, column, value, fix), and types the table.

Every rule is about one cell at a time, so pandera is shown each column's *distinct* cells (a
status column of a million rows holds three) and each failure is reported on every row holding
that cell; columns that are already numbers or dates (Parquet, Excel) are checked as they are.
A column whose cells pass the same coercion and checks without pandera
(:func:`pmlib.data.clean_cells.passes`) is not shown to pandera at all, so a clean table never
imports it; pandera describes the problems of the others.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow

from pmlib.core.errors import Problem
from pmlib.core.units import closest_unit
from pmlib.core.workdays import uk_today
from pmlib.data.clean_cells import passes
from pmlib.data.contract import (
    AGGREGATIONS,
    COLLECTION_METHODS,
    CONTRACT,
    FREQUENCIES,
    KINDS,
    MEASURES,
    POLARITIES,
    STATUSES,
    TABLES,
    TOLERANCES,
    UNIT_ALIASES,
    UNITS,
    VISIBILITIES,
    Col,
)
from pmlib.data.plan_contract import PLAN_CONTRACT

if TYPE_CHECKING:
    import pandera.pandas as pa

#: The four indicator tables' contract and the optional tables' (pmlib.data.plan_contract).
CONTRACT = {**CONTRACT, **PLAN_CONTRACT}

__all__ = [
    "AGGREGATIONS",
    "COLLECTION_METHODS",
    "CONTRACT",
    "FREQUENCIES",
    "KINDS",
    "MEASURES",
    "POLARITIES",
    "STATUSES",
    "TABLES",
    "TOLERANCES",
    "UNITS",
    "VISIBILITIES",
    "Col",
    "check_table",
    "coerce_table",
    "normalise_choices",
    "table_schema",
    "uk_dates",
    "validate_table",
]

_CHOICE_ALIASES = {
    "kpi": "KPI",
    "pi": "PI",
    "stat": "statistic",
    "statistics": "statistic",
    # South Derbyshire's "bi-annually" is twice a year (its intervals run monthly / quarterly /
    # bi-annually / annual); "every two years" is biennial
    "bi-annually": "six-monthly",
    "bi-annual": "six-monthly",
    "biannual": "six-monthly",
    "half-yearly": "six-monthly",
    "six monthly": "six-monthly",
    "6-monthly": "six-monthly",
    "biennially": "biennial",
    "two-yearly": "biennial",
    **UNIT_ALIASES,  # "%", "£k", "count", ... (each applies only where its unit is a choice)
}


def _canonical_choices(values: pd.Series, col: Col) -> pd.Series:
    """Choice values in any letter case ('Higher', 'kpi') → the contract's spelling; values that
    match no choice are returned unchanged (for :func:`check_table` to report)."""
    lowered = values.astype("string").str.strip().str.lower()
    canon = {c.lower(): c for c in col.choices} | {
        k: v for k, v in _CHOICE_ALIASES.items() if v in col.choices
    }
    mapped = lowered.map(canon)
    return mapped.where(mapped.notna(), values).astype(object)


def normalise_choices(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """Accept choice values in any letter case ('Higher', 'kpi'); return a new frame."""
    out = frame.copy(deep=False)
    for col in CONTRACT[table]:
        if col.kind == "choice" and col.name in out:
            codes, cells = _distinct(out[col.name])
            out[col.name] = _canonical_choices(cells, col).to_numpy(dtype=object)[codes]
    return out


def _column_spec(col: Col) -> pa.Column:
    # lazy: pandera (and the hypothesis strategies it registers, ~0.45 s) is imported only
    # when a table has a problem to describe (pmlib.data.clean_cells)
    import pandera.pandas as pa

    checks = []
    dtype = None
    coerce = False
    if col.kind == "choice":
        checks.append(pa.Check.isin(list(col.choices), name="choice"))
    elif col.kind == "number":
        dtype, coerce = "float64", True
    elif col.kind == "integer":
        dtype, coerce = "Int64", True
    elif col.kind == "date":
        dtype, coerce = "datetime64[ns]", True
    return pa.Column(
        dtype,
        checks=checks,
        nullable=not col.nonblank,
        required=col.required,
        coerce=coerce,
    )


def table_schema(table: str) -> pa.DataFrameSchema:
    """The pandera schema for one table, applied to raw (text) cells."""
    import pandera.pandas as pa  # lazy: see _column_spec

    columns = {col.name: _column_spec(col) for col in CONTRACT[table]}
    return pa.DataFrameSchema(columns, strict=False, name=table)


@functools.cache
def _column_schema(table: str, name: str) -> pa.DataFrameSchema:
    """The table's schema for one column alone (see :func:`check_table`)."""
    import pandera.pandas as pa  # lazy: see _column_spec

    col = next(c for c in CONTRACT[table] if c.name == name)
    return pa.DataFrameSchema({name: _column_spec(col)}, strict=False, name=table)


def _fix_for(col: Col, value: object) -> tuple[str, str]:
    """(message, fix) for a cell that failed its column's type or choice."""
    text = str(value)
    if col.kind in ("number", "integer"):
        msg = "is not a number"
        if text.strip().endswith("%"):
            return msg, f"write the number without the % sign ({text.strip().rstrip('%')})"
        if "," in text:
            return msg, "remove the thousands separator"
        if text.strip().lower() in {"n/a", "na", "-", "tbc", "nil", "none", "null", ".."}:
            return msg, "leave the cell blank for a missing value"
        if col.kind == "integer":
            return "is not a whole number", "write a whole number such as 1"
        return msg, "write a plain number such as 94.1"
    if col.kind == "date":
        return "is not a date", "write the date as YYYY-MM-DD or DD/MM/YYYY, e.g. 2026-10-14"
    if col.kind == "choice":
        allowed = f"use one of: {', '.join(col.choices)}"
        if col.choices == UNITS:
            guess = closest_unit(text)
        else:
            close = difflib.get_close_matches(text.strip().lower(), col.choices, n=1, cutoff=0.6)
            guess = close[0] if close else None
        if guess:
            return "is not an allowed value", f"did you mean '{guess}'? Otherwise {allowed}"
        return "is not an allowed value", allowed
    return "is not valid", ""


_UK_DATE = re.compile(
    r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ T]+(\d{1,2}:\d{2}(?::\d{2})?))?\s*$"
)


def uk_dates(cells: pd.Series) -> pd.Series:
    """Day-first dates (``08/06/2022``, ``8.6.2022``, ``08-06-2022 09:30``) as ISO text, and
    date-times as the UK day they fall on.

    UK spreadsheets write dates day first; left to pandas, ``08/06/2022`` would be read as
    6 August and ``13/06/2022`` as 13 June. The data's date columns hold days (a deadline is a
    day), so a time of day is dropped: ``08-06-2022 09:30`` and ``2022-06-08T09:30`` are
    ``2022-06-08``, and a date-time with a UTC offset, as systems export them
    (``2026-09-30T23:30:00Z``), is the day it was in the UK (``2026-10-01``). Mixed with plain
    dates, a time or an offset would otherwise stop pandas reading the whole column. ISO dates,
    dates with month names and anything that is not a real day (``31/02/2026``) are left as
    typed, so a bad cell is reported as the user wrote it.
    """

    def convert(value: object) -> object:
        if not isinstance(value, str):
            return value
        m = _UK_DATE.match(value)
        if not m:
            return _uk_day(value)
        day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        try:
            return dt.date(year, month, day).isoformat()
        except ValueError:
            return value

    return pd.Series([convert(v) for v in cells], index=cells.index, dtype=object)


_ISO_TIME = re.compile(
    r"^\s*\d{4}-\d{2}-\d{2}[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2})?\s*$"
)


def _uk_day(value: str) -> str:
    """An ISO date-time (``2026-10-15 16:00``, ``2026-10-15T16:00:00+01:00``, ``...Z``) as the
    ISO day it was in the UK; anything else as typed."""
    if not _ISO_TIME.match(value):
        return value
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return value
    return (uk_today(moment) if moment.tzinfo is not None else moment.date()).isoformat()


def _is_typed(s: pd.Series) -> bool:
    """Numbers, flags or dates already (Parquet, Excel): nothing for a parser to look at."""
    return s.dtype != object and (
        pd.api.types.is_numeric_dtype(s.dtype)
        or pd.api.types.is_bool_dtype(s.dtype)
        or pd.api.types.is_datetime64_any_dtype(s.dtype)
    )


def _distinct(s: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """Each row's code into the column's distinct cells, and those cells as typed (object).

    A blank cell is one more distinct value, the last, so the codes index the cells directly.
    """
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    cells = np.asarray(uniques, dtype=object)
    if codes.size and codes.min() < 0:
        codes = np.where(codes < 0, len(cells), codes)
        cells = np.concatenate([cells, np.array([None], dtype=object)])
    return codes, pd.Series(cells, dtype=object)


@dataclass
class _Probe:
    """What pandera checks for one column: its distinct cells (``codes`` maps each row to one)
    or, for an already-typed column, the column itself (``codes`` None)."""

    values: pd.Series
    codes: np.ndarray | None = None

    def rows(self, positions: np.ndarray) -> np.ndarray:
        """The frame rows (positions, ascending) holding the probe values at ``positions``."""
        if self.codes is None:
            return np.sort(positions)
        bad = np.zeros(len(self.values), dtype=bool)
        bad[positions] = True
        return np.flatnonzero(bad[self.codes])


def _probe(s: pd.Series, col: Col) -> _Probe:
    """The values of one column pandera must see to find every failing cell.

    Cells are checked one by one (a choice, a blank, a number or date that will not parse), so
    checking each distinct cell once finds the same failures as checking every row: a status
    column of a million rows holds three values. Columns that are already numbers or dates, and
    free-text columns (only blanks can fail), are checked as they are.
    """
    if col.kind == "text" or (col.kind != "choice" and _is_typed(s)):
        return _Probe(s.reset_index(drop=True))
    codes, cells = _distinct(s)
    if col.kind == "choice":
        cells = _canonical_choices(cells, col)
    elif col.kind == "date":
        cells = uk_dates(cells)
    return _Probe(cells, codes)


def _failures(schema: pa.DataFrameSchema, frame: pd.DataFrame) -> pd.DataFrame | None:
    import pandera.pandas as pa  # lazy: see _column_spec

    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        return exc.failure_cases
    return None


def _missing_columns(frame: pd.DataFrame, table: str, file: str) -> list[Problem]:
    """A required column that is not there: pandera's ``column_in_dataframe`` failures."""
    missing = [c.name for c in CONTRACT[table] if c.required and c.name not in frame]
    if not missing:
        return []
    import pandera.pandas as pa  # lazy: see _column_spec

    schema = table_schema(table)
    only = pa.DataFrameSchema({m: schema.columns[m] for m in missing}, name=table)
    cases = _failures(only, frame.iloc[:0])
    problems = []
    for case in [] if cases is None else cases.to_dict("records"):
        if str(case.get("check")) == "column_in_dataframe":
            value = case.get("failure_case")
            problems.append(
                Problem(
                    file,
                    f"required column '{value}' is missing",
                    f"add a column headed '{value}' (see docs/data-format.md)",
                    row=1,
                    column=str(value),
                )
            )
    return problems


def _misspelt_columns(frame: pd.DataFrame, table: str, file: str) -> list[Problem]:
    """A header that is not in the contract but nearly matches a contract column that is
    missing ('visibilty', 'aproved_by'): almost certainly a typo, and ignoring it would
    silently drop what it holds (an internal indicator read as public)."""
    known = [c.name for c in CONTRACT[table]]
    absent = [k for k in known if k not in frame]
    problems = []
    for name in frame.columns:
        if name == "_row" or name in known:
            continue
        match = difflib.get_close_matches(str(name), absent, n=1, cutoff=0.8)
        if match:
            problems.append(
                Problem(
                    file,
                    f"unknown column '{name}': did you mean '{match[0]}'?",
                    f"rename the header to '{match[0]}'",
                    row=1,
                    column=str(name),
                )
            )
    return problems


def _column_problems(
    col: Col, probe: _Probe, cases: pd.DataFrame, rows: np.ndarray, file: str
) -> tuple[list[Problem], list[Problem]]:
    """pandera's failure cases for one column's probe → one Problem per failing row.

    Returns (coercion failures, check failures): pandera coerces every column before it runs
    any check, and reports in that order.
    """
    first: dict[int, tuple[str, object]] = {}  # probe position -> its first failure
    whole: list[tuple[str, object]] = []  # failures not tied to a cell
    for check, value, index in zip(
        cases["check"].astype(str), cases["failure_case"], cases["index"], strict=True
    ):
        if check.startswith("dtype("):
            continue  # a dtype failure duplicates the coercion failure reported with it
        if index is None or pd.isna(index):
            whole.append((check, value))
        else:
            first.setdefault(int(index), (check, value))
    coerced: list[Problem] = []
    checked: list[Problem] = []
    for check, value in whole:
        target = coerced if check.startswith("coerce_dtype") else checked
        target.append(_cell_problem(col, check, value, None, file))
    by_check: dict[str, list[int]] = {}
    for position, (check, _) in first.items():
        by_check.setdefault(check, []).append(position)
    for check, positions in by_check.items():
        target = coerced if check.startswith("coerce_dtype") else checked
        at = probe.rows(np.asarray(positions, dtype=np.intp))
        where = at if probe.codes is None else probe.codes[at]
        templates: dict[int, Problem] = {}  # one message per failing distinct cell
        for r, p in zip(rows[at].tolist(), where.tolist(), strict=True):
            if p not in templates:
                templates[p] = _cell_problem(col, check, first[p][1], None, file)
            template = templates[p]
            target.append(template.at_row(r, template.value))
    return coerced, checked


def _cell_problem(col: Col, check: str, value: object, row: int | None, file: str) -> Problem:
    if check == "not_nullable":
        return Problem(
            file,
            "a value is required here",
            f"fill in '{col.name}' for this row",
            row=row,
            column=col.name,
        )
    msg, fix = _fix_for(col, value)
    return Problem(file, msg, fix, row=row, column=col.name, value=value)


def check_table(frame: pd.DataFrame, table: str, file: str) -> list[Problem]:
    """Run a table's schema over raw cells and return every problem found.

    ``frame`` must carry an ``_row`` column with the Excel row number of each row. Choice values
    are read in any letter case (see :func:`normalise_choices`).
    """
    return validate_table(frame, table, file)[1]


def validate_table(
    frame: pd.DataFrame, table: str, file: str
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Check a raw table against its contract with pandera, then type it.

    Returns the typed table (as :func:`coerce_table` gives; ``None`` when a required column is
    missing, as later rules would only repeat that) and every problem found: each failing cell
    with its Excel row, column, value and fix.

    pandera checks each column's *distinct* cells rather than every row (see :func:`_probe`),
    and the typed column is built from the distinct cells by code, so a column of a million
    rows holding a handful of values costs a handful of checks and conversions.
    """
    rows = frame["_row"].to_numpy()
    problems = _missing_columns(frame, table, file) + _misspelt_columns(frame, table, file)
    coerced: list[Problem] = []
    checked: list[Problem] = []
    probes: dict[str, _Probe] = {}
    for col in CONTRACT[table]:
        if col.name not in frame:
            continue
        probe = probes[col.name] = _probe(frame[col.name], col)
        if passes(probe.values, col):  # pandera would find nothing: it is not asked
            continue
        cases = _failures(_column_schema(table, col.name), probe.values.to_frame(col.name))
        if cases is not None:
            found = _column_problems(col, probe, cases, rows, file)
            coerced += found[0]
            checked += found[1]
    problems += coerced + checked
    if any(p.row == 1 and "missing" in p.message for p in problems):
        return None, problems
    return _typed(frame, table, probes), problems


def coerce_table(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """Give each contract column its type, blank cells defaults; unparseable cells become NA.

    Normally reached through :func:`validate_table`, which reports unparseable cells first.
    """
    return _typed(frame, table, {})


def _blank(col: Col, n: int, index: pd.Index) -> pd.Series:
    """A column the table does not have: typed, every cell blank (or the default)."""
    # copy=False: the array is made here for this Series (pandas 3 would copy it once more)
    if col.kind == "number":
        return pd.Series(np.full(n, np.nan), index=index, copy=False)
    fill = pd.NA if col.default is None else col.default
    if col.kind == "integer":
        return pd.Series(fill, index=index, dtype="Int64")
    if col.kind == "date":
        blank = np.full(n, np.datetime64("NaT"), dtype=_blank_date())
        return pd.Series(blank, index=index, copy=False)
    dtype = pd.StringDtype()
    if dtype.storage == "pyarrow":  # built in Arrow: a million blank cells in ms, not 35 ms
        text = pyarrow.large_string()
        cells = (
            pyarrow.nulls(n, text)
            if fill is pd.NA
            else pyarrow.repeat(pyarrow.scalar(str(fill), text), n)
        )
        return pd.Series(pd.array(cells, dtype=dtype), index=index)
    return pd.Series(fill, index=index, dtype="string")


@functools.cache
def _blank_date() -> np.dtype:
    """The type pandas gives a column of blank dates (its resolution differs by version)."""
    return _to_type(pd.Series([None], dtype=object), Col("blank", "date")).dtype


def _to_type(s: pd.Series, col: Col) -> pd.Series:
    if col.kind == "number":
        if s.dtype == np.float64:  # numbers already (Parquet, a database): as they are, no copy
            return s
        return pd.to_numeric(s, errors="coerce").astype("float64")
    if col.kind == "integer":
        num = pd.to_numeric(s, errors="coerce")
        num = num.where(num.isna() | (num == num.round()))
        return num.astype("Float64").round().astype("Int64")
    if col.kind == "date":
        if not _is_typed(s):
            codes, cells = _distinct(s)
            s = pd.Series(uk_dates(cells).to_numpy(dtype=object)[codes], index=s.index)
        return pd.to_datetime(s, errors="coerce", format="mixed")
    return s.astype("string")


def _typed(frame: pd.DataFrame, table: str, probes: dict[str, _Probe]) -> pd.DataFrame:
    """The typed table: contract columns typed (missing ones added, blank), others as read.

    A column pandera saw as distinct cells is typed once per distinct cell, then spread over the
    rows by code.
    """
    contract = {c.name for c in CONTRACT[table]}
    out: dict[str, pd.Series] = {}
    for name in frame.columns:
        s = frame[name]
        if name not in contract and s.dtype != object and pd.api.types.is_string_dtype(s.dtype):
            s = s.astype(object).where(s.notna(), None)  # outside the contract: cells as read
        out[name] = s
    n, index = len(frame), frame.index
    for col in CONTRACT[table]:
        probe = probes.get(col.name)
        if col.name not in frame:
            typed = _blank(col, n, index)
        elif probe is not None and probe.codes is not None:
            cells = _to_type(probe.values, col)
            typed = pd.Series(cells.array.take(probe.codes), index=index, name=col.name)
        else:
            typed = _to_type(frame[col.name], col)
        if col.default is not None and col.name in frame:
            typed = typed.fillna(col.default)
        out[col.name] = typed
    return pd.DataFrame(out, index=index, copy=False)  # no copy, no consolidation
