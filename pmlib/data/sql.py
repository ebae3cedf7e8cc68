"""Read the tables from a database (PostgreSQL, SQL Server, DuckDB, SQLite) as raw cells.

The database counterpart of :func:`pmlib.data.load.read_tables`: the same tables, handed to the
same validation, so a database gives the same :class:`~pmlib.core.model.Dataset` and the same
messages as a data folder. Each table is read from the table of its own name, or from the
table, view or query council.yaml's ``tables:`` maps it to (docs/databases.md).

Every cell is read **as text**, as the CSV reader does, so the validator sees what a CSV export
of the table would hold and reports a bad value exactly as it would in a file. A problem is
named by the table, the row's key (``indicator_id='ENV01', period='2026-09'``) and the column,
since a database row has no number a person could find (:func:`name_rows`).

Nothing here is judged beyond "can this be read at all": a missing table, a column whose type
cannot hold what pmlib reads from it, a query the database refuses. A bad URL, a missing driver
or a refused connection is a :class:`~pmlib.core.dburl.DataSourceError`, one line with the fix.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from pmlib.core.dburl import (
    DataSourceError,
    fill_environment,
    literal_password,
    local_file,
    redact,
    scheme,
)
from pmlib.core.errors import DataValidationError, Problem
from pmlib.core.sources import DatabaseTable
from pmlib.data.contract import CONTRACT, TABLES, Col
from pmlib.data.load import tidy_frame
from pmlib.data.plan_contract import ID_COLUMNS, PLAN_CONTRACT, PLAN_TABLES

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

__all__ = ["KEYS", "connect", "name_rows", "read_database", "read_rows", "table_label"]

#: Each table's key: what names a row in messages, orders the rows read, and is the primary key
#: ``pmlib load`` creates.
KEYS: dict[str, tuple[str, ...]] = {
    "indicators": ("id",),
    "targets": ("indicator_id", "period"),
    "actuals": ("indicator_id", "period"),
    "narratives": ("indicator_id", "period"),
    **ID_COLUMNS,
}
#: The contract of every table, by column name.
COLUMNS: dict[str, dict[str, Col]] = {
    t: {c.name: c for c in cols} for t, cols in {**CONTRACT, **PLAN_CONTRACT}.items()
}
_DIALECTS = "postgresql+psycopg://, mssql+pyodbc://, duckdb:/// or sqlite:///"


def table_label(table: str, queries: Mapping[str, str]) -> str:
    """How messages name a table: ``table 'actuals'``, ``view perf.kpi_actuals (actuals)`` or
    ``query for actuals`` (council.yaml ``tables:``)."""
    source = queries.get(table)
    if source is None:
        return f"table '{table}'"
    if _is_query(source):
        return f"query for {table} (council.yaml tables:)"
    return f"table '{source}' ({table})"


def _is_query(source: str) -> bool:
    return source.lstrip().lower().startswith(("select", "with"))


def connect(url: str, *, create: bool = False) -> Engine:
    """An engine for ``url`` (``${NAME}`` filled in from the environment), or a one-line
    :class:`DataSourceError` with the fix.

    ``create``: a ``sqlite:///``/``duckdb:///`` file may be new (``pmlib load``); when reading
    it must exist (either library would otherwise make an empty one and report every table
    missing).
    """
    shown = redact(url)
    if literal_password(url):
        raise DataSourceError(
            f"The data source {shown} has a password written in it; it would be kept in "
            "notebooks, manifests and shell history. Fix: take it out of the URL and set "
            "PGPASSWORD or use a .pgpass file (PostgreSQL), or write ${PMLIB_DB_PASSWORD} in "
            "its place and set that environment variable."
        )
    filled = fill_environment(url)
    file = local_file(filled)
    if file and not create and not Path(file).is_file():
        raise DataSourceError(
            f"Database file {file} not found (from {shown}). Fix: check the path — "
            f"{scheme(url)}:///relative/path or {scheme(url)}:////absolute/path — or load a "
            f"data folder into it: pmlib load --from DIR --to {shown}"
        )
    try:
        from sqlalchemy import create_engine
        from sqlalchemy.exc import ArgumentError, NoSuchModuleError
        from sqlalchemy.pool import NullPool
    except ImportError:  # pragma: no cover - a dependency of pmlib
        raise DataSourceError(
            "Reading a database needs SQLAlchemy. Fix: pip install 'sqlalchemy>=2.0'."
        ) from None
    dialect = scheme(url).split("+")[0]
    try:  # (DuckDB is not opened read-only: a process holding it both ways is refused)
        return create_engine(filled, poolclass=NullPool)
    except NoSuchModuleError:
        hint = " (postgres:// is spelt postgresql+psycopg://)" if dialect == "postgres" else ""
        raise DataSourceError(
            f"pmlib cannot read {scheme(url)}:// URLs{hint}. Fix: write the data source as "
            f"{_DIALECTS}, e.g. postgresql+psycopg://user@host/database."
        ) from None
    except ArgumentError as exc:
        raise DataSourceError(
            f"The data source {shown} is not a database URL pmlib can read ({exc}). Fix: write "
            f"it as dialect+driver://user@host:port/database, e.g. "
            f"postgresql+psycopg://reporting@warehouse/performance."
        ) from None
    except ImportError as exc:
        raise DataSourceError(_driver_hint(dialect, scheme(url), exc)) from None


def _driver_hint(dialect: str, name: str, exc: Exception) -> str:
    if dialect == "mssql":
        return (
            f"{name}:// needs the pyodbc package and Microsoft's ODBC driver, which pmlib does "
            "not install ({exc}). Fix: pip install pyodbc, and install 'ODBC Driver 18 for SQL "
            "Server' (name it in the URL: ?driver=ODBC+Driver+18+for+SQL+Server)."
        ).replace("{exc}", str(exc))
    return (
        f"{name}:// needs a database driver that is not installed ({exc}). Fix: reinstall "
        "pmlib (pip install -e .), which brings psycopg, duckdb and duckdb-engine."
    )


def open_connection(engine: Engine, url: str) -> Connection:
    """A connection, or a one-line :class:`DataSourceError` naming the server and the fix."""
    from sqlalchemy.exc import DBAPIError

    try:
        return engine.connect()
    except DBAPIError as exc:
        raise DataSourceError(
            f"Could not connect to the database {redact(url)}: {_first_line(exc)}. Fix: check "
            "that the server is running and accepts connections at that host and port, and "
            "that the user, database and password (PGPASSWORD or .pgpass) are right."
        ) from None


def _first_line(exc: Exception) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return (text.splitlines() or [type(exc).__name__])[0].strip().rstrip(".")


def read_database(
    url: str, queries: Mapping[str, str] | Iterable[tuple[str, str]] = ()
) -> tuple[dict[str, pd.DataFrame], dict[str, DatabaseTable]]:
    """Read every table (the four required, the optional ones present) as raw text cells, with
    ``_row`` numbered as :func:`pmlib.data.load.tidy_frame` numbers a file's rows; or raise
    :class:`DataValidationError` with every problem found."""
    queries = dict(queries)
    engine = connect(url)
    frames: dict[str, pd.DataFrame] = {}
    sources: dict[str, DatabaseTable] = {}
    problems: list[Problem] = []
    try:
        with open_connection(engine, url) as conn:
            for table in (*TABLES, *PLAN_TABLES):
                frame, found = _read_one(conn, table, queries)
                problems += found
                if frame is None:
                    continue
                label = table_label(table, queries)
                digest = hashlib.sha256(frame.to_csv(index=False).encode("utf-8")).hexdigest()
                frame, found = tidy_frame(frame, label)
                problems += found
                frames[table] = frame
                sources[table] = DatabaseTable(
                    table, redact(url), label, digest, queries.get(table)
                )
    finally:
        engine.dispose()
    if any(p.severity == "error" for p in problems):
        raise DataValidationError(problems)
    return frames, sources


def read_rows(url: str, table: str, order_by: str | None = None) -> list[dict[str, str]]:
    """Every row of a table as text (``[]`` when the database has no such table): the audit
    log a database source keeps beside its tables (:mod:`pmlib.returns.audit`)."""
    from sqlalchemy import text

    engine = connect(url)
    try:
        with open_connection(engine, url) as conn:
            if not _columns(conn, None, table):
                return []
            quote = conn.dialect.identifier_preparer.quote
            order = f" ORDER BY {quote(order_by)}" if order_by else ""
            result = conn.execute(text(f"SELECT * FROM {quote(table)}{order}"))
            names = list(result.keys())
            return [
                {n: "" if v is None else str(v) for n, v in zip(names, row, strict=True)}
                for row in result.fetchall()
            ]
    finally:
        engine.dispose()


def _read_one(
    conn: Connection, table: str, queries: Mapping[str, str]
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """One table as text cells; ``(None, problems)`` when it is missing or cannot be read."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    label = table_label(table, queries)
    source = queries.get(table, table)
    required = table in TABLES
    if _is_query(source):
        sql = source
    else:
        schema, name = _split_name(source)
        columns = _columns(conn, schema, name)
        if not columns:
            if not required and table not in queries:
                return None, []  # an optional table the database does not hold
            return None, [_missing(label, table, source, queries)]
        problems = _type_problems(label, table, source, columns)
        if problems:
            return None, problems
        quote = conn.dialect.identifier_preparer.quote
        have = {c.lower(): c for c, _ in columns}
        order = [quote(have[k]) for k in KEYS[table] if k in have]
        qualified = ".".join(quote(p) for p in (schema, name) if p)
        sql = f"SELECT * FROM {qualified}" + (f" ORDER BY {', '.join(order)}" if order else "")
    try:
        result = conn.execute(text(sql))
        rows, names = result.fetchall(), list(result.keys())
    except DBAPIError as exc:
        conn.rollback()
        return None, [
            Problem(
                label,
                f"the database refused the query: {_first_line(exc)}",
                f"check the {table} entry under tables: in council.yaml"
                if table in queries
                else f"check that the {table} table can be read by this user",
            )
        ]
    frame = pd.DataFrame([tuple(r) for r in rows], columns=names, dtype=object)
    return frame.apply(_as_text) if len(frame.columns) else frame, []


def _columns(conn: Connection, schema: str | None, name: str) -> list[tuple[str, str]]:
    """(column, type name) of a table or view, in order; empty when there is none.

    SQLite is asked through SQLAlchemy's inspector; the others through the standard
    ``information_schema`` (PostgreSQL, SQL Server and DuckDB all have it, and DuckDB's
    SQLAlchemy dialect cannot answer the inspector's PostgreSQL catalogue queries).
    """
    from sqlalchemy import inspect, text

    if conn.dialect.name == "sqlite":
        inspector = inspect(conn)
        if not (inspector.has_table(name, schema) or name in inspector.get_view_names(schema)):
            return []
        return [(str(c["name"]), str(c["type"])) for c in inspector.get_columns(name, schema)]
    here = "SCHEMA_NAME()" if conn.dialect.name == "mssql" else "current_schema()"
    sql = (
        "SELECT column_name, data_type FROM information_schema.columns "
        f"WHERE table_name = :name AND table_schema = {':schema' if schema else here} "
        "ORDER BY ordinal_position"
    )
    params = {"name": name, **({"schema": schema} if schema else {})}
    return [(str(c), str(t)) for c, t in conn.execute(text(sql), params).fetchall()]


def _split_name(source: str) -> tuple[str | None, str]:
    parts = [p.strip('"') for p in source.split(".")]
    return (".".join(parts[:-1]) or None, parts[-1])


def _missing(label: str, table: str, source: str, queries: Mapping[str, str]) -> Problem:
    if table in queries:
        fix = f"check the name under tables: in council.yaml (schema.table), or create {source}"
    else:
        fix = (
            f"create the {table} table (pmlib load --from DIR --to URL loads a data folder), "
            f"or map it to your own table, view or query in council.yaml: tables: {{{table}: "
            f'"SELECT ... FROM ..."}}'
        )
    return Problem(label, "not found in the database", fix, key="")


#: What pmlib reads from a column, and the database types that cannot hold it.
_KIND_WORDS = {"number": "numbers", "integer": "whole numbers", "date": "dates"}


def _type_kind(type_name: str) -> str:
    """``number``, ``date``, ``boolean``, ``binary`` or ``text`` for a database type's name.

    >>> _type_kind("DOUBLE PRECISION"), _type_kind("timestamp without time zone")
    ('number', 'date')
    >>> _type_kind("character varying"), _type_kind("BYTEA")
    ('text', 'binary')
    """
    name = type_name.upper()
    if re.search(r"BOOL|^BIT\b", name):
        return "boolean"
    if re.search(r"BLOB|BYTEA|BINARY", name):
        return "binary"
    if re.search(r"INT|DOUBLE|FLOAT|REAL|NUMERIC|DECIMAL|MONEY", name):
        return "number"
    if re.search(r"DATE|TIME", name):
        return "date"
    return "text"


def _type_problems(
    label: str, table: str, source: str, columns: list[tuple[str, str]]
) -> list[Problem]:
    """A column whose type cannot hold what the contract reads from it (a date in ``value``,
    a number in ``collected_at``): one problem per column, not one per row."""
    contract = COLUMNS.get(table, {})
    out = []
    for column, type_name in columns:
        name = column.strip().lower()
        col = contract.get(name)
        if col is None:
            continue
        kind = _type_kind(type_name)
        wants = "number" if col.kind in ("number", "integer") else col.kind
        if wants == "date":
            bad = kind in ("number", "boolean", "binary")
        elif wants == "number":
            bad = kind in ("date", "boolean", "binary")
        else:  # text and choices: anything shown as text, but a period is a label, not a date
            bad = kind == "binary" or (name == "period" and kind == "date")
        if not bad:
            continue
        typ = type_name.upper()
        reads = _KIND_WORDS.get(col.kind, "text")
        if name == "period":
            reads = "period labels such as 2026-09 or 2026/27 Q2"
        target = {"number": "a numeric type (double precision, numeric)", "date": "DATE"}.get(
            wants, "text (varchar)"
        )
        out.append(
            Problem(
                label,
                f"is stored as {typ} in the database, but pmlib reads {reads} from it",
                f"change the column to {target} in {source}, or convert it in a query in "
                f'council.yaml: tables: {{{table}: "SELECT ..., CAST({name} AS ...) AS {name} '
                f'FROM ..."}}',
                column=name,
                key="",
            )
        )
    return out


def _cell(value: object) -> object:
    """A database value as the text a CSV export would hold (numbers plain, dates ISO)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value != value:
            return None
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, decimal.Decimal):
        if not value.is_finite():
            return None
        text = format(value.normalize(), "f")
        return text
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("utf-8", errors="replace")
    return str(value)


def _as_text(values: pd.Series) -> pd.Series:
    """A column as text (blank = missing); a column that is all text already is left as is."""
    if pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
        return values
    return values.map(_cell, na_action="ignore")


def name_rows(
    problems: Iterable[Problem], frames: Mapping[str, pd.DataFrame], sources: Mapping
) -> list[Problem]:
    """Problems about database tables named by the row's key instead of its number.

    The row number is kept on each problem (the data-quality findings match warnings to rows
    by it); only how it is shown changes. Problems about files are returned as they are.
    """
    problems = list(problems)
    by_label = {
        s.label: t for t, s in sources.items() if isinstance(s, DatabaseTable) and t in frames
    }
    if not by_label:
        return problems
    keys: dict[str, pd.Series] = {}
    for label, table in by_label.items():
        frame = frames[table]
        parts = [
            (c, ("'" + frame[c].astype("string") + "'").fillna("NULL").astype(object))
            for c in KEYS[table]
            if c in frame
        ]
        text = pd.Series("", index=frame.index, dtype=object)
        for i, (c, shown) in enumerate(parts):
            text = text + ("" if i == 0 else ", ") + c + "=" + shown
        keys[label] = pd.Series(text.to_numpy(), index=frame["_row"].to_numpy())
    out = []
    for p in problems:
        lookup = keys.get(p.file)
        if lookup is None or p.key is not None:
            out.append(p)
        elif p.row is None or p.row == 1:  # the whole table, or a column of it
            out.append(_with_key(p, ""))
        else:
            out.append(_with_key(p, lookup.get(p.row, f"row {p.row - 1} of the result")))
    return out


def _with_key(problem: Problem, key: str) -> Problem:
    from dataclasses import replace

    return replace(problem, key=key)
