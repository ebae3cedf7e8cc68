"""Load a data folder into a database: ``pmlib load --from DIR --to URL``.

The folder is validated first, exactly as ``pmlib validate`` does (a folder with errors loads
nothing), then every table it holds is created with column types from the contract (numbers as
double precision, whole numbers as bigint, dates as DATE, everything else as text) and a primary
key (:data:`pmlib.data.sql.KEYS`: the indicator's ``id``; ``indicator_id, period`` for actuals,
targets and narratives; the optional tables' ids), and filled — all in one transaction, so a
failure part-way leaves the database as it was.

Cells are written as validation read them: numbers as numbers, dates as dates, periods as their
canonical label (``2026/27 Q2``); a blank cell stays NULL (no default is filled in), so reading
the database back gives the same dataset as the folder. A database that already holds any of
pmlib's tables is refused unless ``replace`` (which drops them all first, in the same
transaction, so the database then holds exactly the folder).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pmlib.config.database import KNOWN_TABLES
from pmlib.config.settings import read_settings
from pmlib.core.dburl import DataSourceError, redact
from pmlib.data.load import SOURCE_ROW, read_tables
from pmlib.data.sql import COLUMNS, KEYS, connect, open_connection
from pmlib.data.validate import build_dataset

__all__ = ["load_folder"]


def load_folder(
    data_dir: Path | str,
    url: str,
    params_dir: Path | str | None = None,
    *,
    replace: bool = False,
) -> dict[str, int]:
    """Validate ``data_dir`` and load its tables into the database at ``url``; returns the
    rows loaded per table."""
    settings = read_settings(params_dir)
    frames, sources = read_tables(data_dir)
    dataset = build_dataset(frames, sources, settings)  # raises with every problem
    tables = {t: _typed_cells(t, frames[t], getattr(dataset, t)) for t in frames}
    engine = connect(url, create=True)
    try:
        with open_connection(engine, url) as conn, conn.begin():
            _write(conn, tables, url, replace)
    finally:
        engine.dispose()
    return {t: len(f) for t, f in tables.items()}


def _typed_cells(table: str, raw: pd.DataFrame, typed: pd.DataFrame) -> pd.DataFrame:
    """The table's own columns, each cell as validation typed it; blank cells blank."""
    contract = COLUMNS[table]
    columns = [c for c in raw.columns if c not in ("_row", SOURCE_ROW)]
    typed = typed.set_index(SOURCE_ROW).reindex(raw[SOURCE_ROW].to_numpy())
    out = {}
    for name in columns:
        blank = raw[name].isna().to_numpy()
        col = contract.get(name)
        if col is None or name not in typed:  # a column of the council's own: as typed
            values = raw[name].astype(object).to_numpy()
        elif col.kind == "date":
            values = pd.to_datetime(typed[name]).dt.date.astype(object).to_numpy()
        else:  # numbers, choices (canonical spellings) and text as validation read them
            values = typed[name].astype(object).to_numpy()
        values = pd.Series(values, dtype=object).where(~blank, None)
        out[name] = values.where(values.notna(), None)
    return pd.DataFrame(out, dtype=object)


def _sql_type(table: str, name: str):
    import sqlalchemy as sa

    col = COLUMNS[table].get(name)
    if name in KEYS[table]:
        return sa.Unicode(200)  # a key: bounded text (SQL Server cannot key nvarchar(max))
    kind = col.kind if col is not None else "text"
    return {
        "number": sa.Double(),
        "integer": sa.BigInteger(),
        "date": sa.Date(),
    }.get(kind, sa.UnicodeText())  # TEXT; NVARCHAR(max) on SQL Server


def _write(conn, tables: dict[str, pd.DataFrame], url: str, replace: bool) -> None:
    import sqlalchemy as sa

    inspector = sa.inspect(conn)
    existing = [t for t in KNOWN_TABLES if inspector.has_table(t)]
    if existing and not replace:
        raise DataSourceError(
            f"{redact(url)} already holds pmlib's table(s) {', '.join(existing)}; nothing was "
            "loaded. Fix: add --replace to replace them all (in one transaction), or load into "
            "another database."
        )
    quote = conn.dialect.identifier_preparer.quote
    for name in existing:  # by name: DuckDB's dialect cannot reflect a table to drop it
        conn.execute(sa.text(f"DROP TABLE {quote(name)}"))
    metadata = sa.MetaData()
    for table, frame in tables.items():
        keys = [k for k in KEYS[table] if k in frame and frame[k].notna().all()]
        columns = [
            sa.Column(
                name,
                _sql_type(table, name),
                primary_key=name in keys and len(keys) == len(KEYS[table]),
                nullable=not (name in keys and len(keys) == len(KEYS[table])),
                autoincrement=False,
            )
            for name in frame.columns
        ]
        target = sa.Table(table, metadata, *columns)
        target.create(conn)
        if len(frame):
            conn.execute(target.insert(), frame.to_dict("records"))
