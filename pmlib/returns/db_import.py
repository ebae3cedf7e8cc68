"""``pmlib returns import``, approve, reject, lock and unlock on a database source: the changed
cells and their audit entries in one database transaction (docs/databases.md).

The file store (:mod:`pmlib.returns.store`) swaps files under a lock with a journal; a database
has transactions, so :class:`DatabaseImport` writes the changed actuals and narratives cells and
appends the audit log's new, hash-chained entries to the database's ``audit_log`` table, and
commits them together — or, on any error, none of them.
"""

from __future__ import annotations

from pathlib import Path

from pmlib.core.dburl import is_database_url
from pmlib.core.errors import ParameterError
from pmlib.core.model import Council
from pmlib.core.periods import try_parse_period
from pmlib.data.sql_write import DatabaseTransaction
from pmlib.returns import audit
from pmlib.returns.store import Transaction

__all__ = ["DatabaseImport", "open_store"]

#: The tables an import writes.
WRITTEN = ("actuals", "narratives")


class DatabaseImport(DatabaseTransaction):
    """A database transaction that can write one returned workbook's changes."""

    def __init__(self, url: str, council: Council):
        super().__init__(url)
        self.council = council
        self.names = dict(council.tables)

    def write(self, changes: dict[str, dict], entries: list[audit.Entry]) -> None:
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


def open_store(folder: Path | str, council: Council) -> Transaction | DatabaseImport:
    """The transaction an import or sign-off writes through: the data folder's
    (:class:`pmlib.returns.store.Transaction`) or the database's; refuses a database whose
    actuals or narratives council.yaml reads from a query (a query cannot be written)."""
    if not is_database_url(folder):
        return Transaction(Path(folder))
    for table in WRITTEN:
        source = dict(council.tables).get(table, "")
        if source.lstrip().lower().startswith(("select", "with")):
            raise ParameterError(
                f"pmlib returns import writes to the {table} table, but council.yaml reads "
                f"{table} from a query (tables: {table}: ...), which cannot be written. Fix: map "
                f"{table} to a table (tables: {{{table}: schema.table}}) with pmlib's column "
                "names, or import into a data folder."
            )
    return DatabaseImport(str(folder), council)
