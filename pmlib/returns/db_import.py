"""``pmlib returns import`` into a database source: the merge, and its audit entries, in one
database transaction (docs/databases.md).

The file store (:mod:`pmlib.returns.store`) swaps files under a lock with a journal; a database
has transactions, so :class:`DatabaseImport` writes the changed actuals and narratives cells and
appends the audit log's new, hash-chained entries to the database's ``audit_log`` table, and
commits them together — or, on any error, none of them.
"""

from __future__ import annotations

from pmlib.core.errors import ParameterError
from pmlib.core.model import Council
from pmlib.core.periods import try_parse_period
from pmlib.data.sql_write import DatabaseTransaction
from pmlib.returns import audit

__all__ = ["DatabaseImport", "database_transaction"]

#: The tables an import writes.
WRITTEN = ("actuals", "narratives")


class DatabaseImport(DatabaseTransaction):
    """A database transaction that can write one returned workbook's changes."""

    def __init__(self, url: str, council: Council):
        super().__init__(url)
        self.council = council
        self.names = dict(council.tables)

    def write_import(self, changes: dict[str, dict], entries: list[audit.Entry]) -> None:
        """Write the changed cells (``table -> {indicator_id|period: {column: value}}``) and
        append ``entries`` to the audit log, chained after its last entry."""
        start = self.council.fy_start_month

        def canonical(text: str) -> str:
            p = try_parse_period(text, start)
            return p.label if p else ""

        for table, cells in changes.items():
            if cells:
                self.upsert(table, cells, canonical, self.names.get(table))
        rows = self.rows(audit.LOG_TABLE, "seq")
        self.append(
            audit.LOG_TABLE, [*audit.FIELDS, *audit.CHAIN], audit.chained(rows, list(entries))
        )


def database_transaction(url: str, council: Council):
    """A factory ``store(url)`` for :func:`pmlib.returns.importer.import_returns`; refuses a
    council whose actuals or narratives are read from a query (a query cannot be written)."""
    for table in WRITTEN:
        source = dict(council.tables).get(table, "")
        if source.lstrip().lower().startswith(("select", "with")):
            raise ParameterError(
                f"pmlib returns import writes to the {table} table, but council.yaml reads "
                f"{table} from a query (tables: {table}: ...), which cannot be written. Fix: map "
                f"{table} to a table (tables: {{{table}: schema.table}}) with pmlib's column "
                "names, or import into a data folder."
            )
    return lambda folder: DatabaseImport(str(folder), council)
