"""Column contracts for the four tables, as pandera schemas.

The contract (names, required columns, allowed values, numeric columns) is declared once here and
documented in docs/data-format.md. :func:`check_table` runs a table's schema lazily so that every
failing cell is found in one pass, and turns pandera's failure cases into :class:`Problem`
records a council analyst can act on (file, Excel row, column, value, fix).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pa

from pmlib.errors import Problem

TABLES = ("indicators", "targets", "actuals", "narratives")

KINDS = ("KPI", "PI", "statistic")
UNITS = ("percent", "number", "currency", "days", "weeks", "hours", "ratio", "rate", "score")
POLARITIES = ("higher", "lower", "band", "none")
FREQUENCIES = ("monthly", "quarterly", "annual")
MEASURES = ("period", "cumulative", "snapshot")
AGGREGATIONS = ("sum", "mean", "last", "ratio")
TOLERANCES = ("relative", "absolute")
COLLECTION_METHODS = ("system", "manual", "project")
VISIBILITIES = ("public", "internal")
STATUSES = ("draft", "submitted", "approved")


@dataclass(frozen=True)
class Col:
    """One column of the contract."""

    name: str
    kind: str = "text"  # text | number | integer | date | choice
    required: bool = False  # the column must exist
    nonblank: bool = False  # every cell must have a value
    choices: tuple[str, ...] = ()
    default: object = None


CONTRACT: dict[str, tuple[Col, ...]] = {
    "indicators": (
        Col("id", required=True, nonblank=True),
        Col("name", required=True, nonblank=True),
        Col("definition"),
        Col("priority", required=True, nonblank=True),
        Col("objective"),
        Col("committees"),
        Col("kind", "choice", required=True, nonblank=True, choices=KINDS),
        Col("unit", "choice", required=True, nonblank=True, choices=UNITS),
        Col("decimals", "integer", default=0),
        Col("polarity", "choice", required=True, nonblank=True, choices=POLARITIES),
        Col("frequency", "choice", required=True, nonblank=True, choices=FREQUENCIES),
        Col("measure", "choice", required=True, nonblank=True, choices=MEASURES),
        Col("aggregation", "choice", required=True, nonblank=True, choices=AGGREGATIONS),
        Col("rag_scheme"),
        Col("green_within", "number"),
        Col("amber_within", "number"),
        Col("tolerance", "choice", choices=TOLERANCES),
        Col("owner"),
        Col("data_collector"),
        Col("data_reviewer"),
        Col("data_source"),
        Col("collection_method", "choice", choices=COLLECTION_METHODS),
        Col("visibility", "choice", choices=VISIBILITIES, default="public"),
        Col("risks"),
        Col("last_reviewed", "date"),
        Col("reviewed_by"),
        Col("benchmark_metric"),
    ),
    "targets": (
        Col("indicator_id", required=True, nonblank=True),
        Col("period", required=True, nonblank=True),
        Col("target", "number"),
        Col("intervention", "number"),
        Col("lower", "number"),
        Col("upper", "number"),
    ),
    "actuals": (
        Col("indicator_id", required=True, nonblank=True),
        Col("period", required=True, nonblank=True),
        Col("value", "number", required=True),
        Col("numerator", "number"),
        Col("denominator", "number"),
        Col("status", "choice", choices=STATUSES, default="approved"),
        Col("collected_by"),
        Col("collected_at", "date"),
        Col("approved_by"),
        Col("approved_at", "date"),
    ),
    "narratives": (
        Col("indicator_id", required=True, nonblank=True),
        Col("period", required=True, nonblank=True),
        Col("performance_update"),
        Col("approach"),
        Col("future_plans"),
        Col("issues"),
        Col("author"),
        Col("updated_at", "date"),
    ),
}

_CHOICE_ALIASES = {"kpi": "KPI", "pi": "PI", "stat": "statistic", "statistics": "statistic"}


def normalise_choices(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """Accept choice values in any letter case ('Higher', 'kpi'); return a new frame."""
    out = frame.copy()
    for col in CONTRACT[table]:
        if col.kind == "choice" and col.name in out:
            lowered = out[col.name].astype("string").str.strip().str.lower()
            canon = {c.lower(): c for c in col.choices} | {
                k: v for k, v in _CHOICE_ALIASES.items() if v in col.choices
            }
            mapped = lowered.map(canon)
            out[col.name] = mapped.where(mapped.notna(), out[col.name]).astype(object)
    return out


def table_schema(table: str) -> pa.DataFrameSchema:
    """The pandera schema for one table, applied to raw (text) cells."""
    columns = {}
    for col in CONTRACT[table]:
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
        columns[col.name] = pa.Column(
            dtype,
            checks=checks,
            nullable=not col.nonblank,
            required=col.required,
            coerce=coerce,
        )
    return pa.DataFrameSchema(columns, strict=False, name=table)


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
        return "is not a date", "write the date as YYYY-MM-DD, e.g. 2026-10-14"
    if col.kind == "choice":
        return "is not an allowed value", f"use one of: {', '.join(col.choices)}"
    return "is not valid", ""


def check_table(frame: pd.DataFrame, table: str, file: str) -> list[Problem]:
    """Run a table's schema over raw cells and return every problem found.

    ``frame`` must carry an ``_row`` column with the Excel row number of each row.
    """
    spec = {c.name: c for c in CONTRACT[table]}
    try:
        table_schema(table).validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    else:
        return []
    problems: list[Problem] = []
    seen: set[tuple] = set()
    for case in cases.to_dict("records"):
        check = str(case.get("check"))
        column = case.get("column")
        value = case.get("failure_case")
        index = case.get("index")
        if check == "column_in_dataframe":
            problems.append(
                Problem(
                    file,
                    f"required column '{value}' is missing",
                    f"add a column headed '{value}' (see docs/data-format.md)",
                    row=1,
                    column=str(value),
                )
            )
            continue
        if column not in spec or check.startswith("dtype("):
            continue  # a dtype failure duplicates the coercion failure reported below
        col = spec[column]
        row = None if index is None or pd.isna(index) else int(frame.loc[index, "_row"])
        key = (row, column)
        if key in seen:
            continue
        seen.add(key)
        if check == "not_nullable":
            problems.append(
                Problem(
                    file,
                    "a value is required here",
                    f"fill in '{column}' for this row",
                    row=row,
                    column=column,
                )
            )
        else:
            msg, fix = _fix_for(col, value)
            problems.append(Problem(file, msg, fix, row=row, column=column, value=value))
    return problems


def coerce_table(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """Give each contract column its type, blank cells defaults; unparseable cells become NA.

    Only called after :func:`check_table`, so unparseable cells have already been reported.
    """
    out = frame.copy()
    for col in CONTRACT[table]:
        if col.name not in out:
            out[col.name] = pd.NA
        s = out[col.name]
        if col.kind == "number":
            out[col.name] = pd.to_numeric(s, errors="coerce").astype("float64")
        elif col.kind == "integer":
            num = pd.to_numeric(s, errors="coerce")
            num = num.where(num.isna() | (num == num.round()))
            out[col.name] = num.astype("Float64").round().astype("Int64")
        elif col.kind == "date":
            out[col.name] = pd.to_datetime(s, errors="coerce", format="mixed")
        else:
            out[col.name] = s.astype("string")
        if col.default is not None:
            out[col.name] = out[col.name].fillna(col.default)
    return out
