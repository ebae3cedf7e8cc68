"""Write to a database source in one transaction: cells by key, and rows appended to a log.

The database counterpart of :class:`pmlib.returns.store.Transaction` for ``pmlib returns
import``: :class:`DatabaseTransaction` opens one transaction (on PostgreSQL it first takes an
advisory lock, so two imports run one after the other as two file imports do), and everything
written through it — changed actuals and narratives, the audit log's new entries — is committed
together or, on any error, not at all.

Cells are written in the column's own type (a number into a numeric column, an ISO date into a
DATE column, text as it is: a database needs no formula guard). A row is found by its key with
the period compared as its canonical label, so a stored ``Sep 2026`` is the row a return's
``2026-09`` updates; a key with no row is inserted; a column the table lacks is added.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence

from pmlib.core.dburl import redact
from pmlib.data.sql import COLUMNS, _columns, _split_name, _type_kind, connect, open_connection

__all__ = ["DatabaseTransaction"]

#: Any fixed number: the advisory lock every pmlib import into a PostgreSQL source takes.
_LOCK_ID = 7_470_251_801


class DatabaseTransaction:
    """``with DatabaseTransaction(url) as tx: ...``: commit on success, roll back on error."""

    def __init__(self, url: str):
        self.url = url
        self.shown = redact(url)
        self.engine = None
        self.conn = None
        self._tx = None

    def __enter__(self) -> DatabaseTransaction:
        import sqlalchemy as sa

        self.engine = connect(self.url)
        self.conn = open_connection(self.engine, self.url)
        self._tx = self.conn.begin()
        if self.conn.dialect.name == "postgresql":
            self.conn.execute(sa.text("SELECT pg_advisory_xact_lock(:id)"), {"id": _LOCK_ID})
        return self

    def __exit__(self, kind, *exc) -> None:
        try:
            if kind is None:
                self._tx.commit()
            else:
                self._tx.rollback()
        finally:
            self.conn.close()
            self.engine.dispose()

    # -- reading -------------------------------------------------------------------------
    def rows(self, table: str, order_by: str | None = None) -> list[dict[str, str]]:
        """Every row of ``table`` as text (``[]`` when there is no such table)."""
        import sqlalchemy as sa

        if not _columns(self.conn, None, table):
            return []
        quote = self.conn.dialect.identifier_preparer.quote
        sql = f"SELECT * FROM {quote(table)}" + (f" ORDER BY {quote(order_by)}" if order_by else "")
        result = self.conn.execute(sa.text(sql))
        names = list(result.keys())
        return [
            {n: "" if v is None else str(v) for n, v in zip(names, row, strict=True)}
            for row in result.fetchall()
        ]

    # -- writing -------------------------------------------------------------------------
    def upsert(
        self,
        table: str,
        writes: Mapping[str, Mapping[str, object]],
        canonical: Callable[[str], str],
        name: str | None = None,
    ) -> None:
        """Write cells of pmlib's ``table`` (held in the database as ``name``, default the
        same; ``schema.table`` allowed) by ``indicator_id|period`` key (see the module
        docstring)."""
        import sqlalchemy as sa

        if not writes:
            return
        quote = self.conn.dialect.identifier_preparer.quote
        schema, bare = _split_name(name or table)
        types = self._ensure_columns(
            table, schema, bare, {c for cells in writes.values() for c in cells}
        )
        target = ".".join(quote(p) for p in (schema, bare) if p)
        stored = self.conn.execute(
            sa.text(f"SELECT {quote('indicator_id')}, {quote('period')} FROM {target}")
        ).fetchall()
        where = {f"{i}|{canonical(str(p))}": (i, p) for i, p in stored}
        for key, cells in writes.items():
            values = {c: _typed(v, types[c]) for c, v in cells.items()}
            names = list(values)
            params = {f"v{n}": values[c] for n, c in enumerate(names)}
            if key in where:
                sets = ", ".join(f"{quote(c)} = :v{n}" for n, c in enumerate(names))
                params |= {"k_id": where[key][0], "k_period": where[key][1]}
                self.conn.execute(
                    sa.text(
                        f"UPDATE {target} SET {sets} WHERE {quote('indicator_id')} = :k_id "
                        f"AND {quote('period')} = :k_period"
                    ),
                    params,
                )
            else:
                indicator_id, _, period = key.partition("|")
                cols = [
                    "indicator_id",
                    "period",
                    *[c for c in names if c not in ("indicator_id", "period")],
                ]
                params |= {"k_id": indicator_id, "k_period": period}
                marks = [":k_id", ":k_period"] + [
                    f":v{n}" for n, c in enumerate(names) if c not in ("indicator_id", "period")
                ]
                self.conn.execute(
                    sa.text(
                        f"INSERT INTO {target} ({', '.join(quote(c) for c in cols)}) "
                        f"VALUES ({', '.join(marks)})"
                    ),
                    params,
                )

    def append(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
        """Append text rows to ``table``, creating it (every column text) if it is new."""
        import sqlalchemy as sa

        if not rows:
            return
        quote = self.conn.dialect.identifier_preparer.quote_identifier  # "at" is reserved
        if not _columns(self.conn, None, table):
            cols = ", ".join(f"{quote(c)} {'BIGINT' if c == 'seq' else 'TEXT'}" for c in columns)
            self.conn.execute(sa.text(f"CREATE TABLE {quote(table)} ({cols})"))
        marks = ", ".join(f":c{n}" for n in range(len(columns)))
        sql = (
            f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in columns)}) VALUES ({marks})"
        )
        self.conn.execute(
            sa.text(sql),
            [
                {
                    f"c{n}": int(v) if c == "seq" else v
                    for n, (c, v) in enumerate(zip(columns, row, strict=True))
                }
                for row in rows
            ],
        )

    def _ensure_columns(
        self, table: str, schema: str | None, bare: str, needed: set[str]
    ) -> dict[str, str]:
        """Each needed column's kind (``number``/``date``/``text``/...), adding missing ones."""
        import sqlalchemy as sa

        have = {c.lower(): _type_kind(t) for c, t in _columns(self.conn, schema, bare)}
        quote = self.conn.dialect.identifier_preparer.quote
        target = ".".join(quote(p) for p in (schema, bare) if p)
        contract = COLUMNS.get(table, {})
        for name in sorted(needed - set(have)):
            kind = contract[name].kind if name in contract else "text"
            sql_type = {"number": "DOUBLE PRECISION", "date": "DATE"}.get(kind, "TEXT")
            if self.conn.dialect.name == "mssql" and sql_type == "TEXT":
                sql_type = "NVARCHAR(MAX)"
            elif self.conn.dialect.name == "mssql" and sql_type == "DOUBLE PRECISION":
                sql_type = "FLOAT"
            self.conn.execute(sa.text(f"ALTER TABLE {target} ADD {quote(name)} {sql_type}"))
            have[name] = "number" if kind == "number" else "date" if kind == "date" else "text"
        return have


def _typed(value: object, kind: str) -> object:
    """A cell for a column of ``kind``: numbers as float, ISO dates as dates, else text."""
    if value is None or value == "" or (isinstance(value, float) and value != value):
        return None
    if kind == "number":
        try:
            return float(value)
        except (TypeError, ValueError):
            return str(value)
    if kind == "date":
        if isinstance(value, dt.date):
            return value
        return dt.date.fromisoformat(str(value)[:10])
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)
