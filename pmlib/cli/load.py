"""``pmlib load --from DIR --to URL``: load a data folder into a database (docs/databases.md).

The folder is validated first (a folder with errors loads nothing), then its tables are created
with types and primary keys and filled in one transaction; a database already holding pmlib's
tables is refused unless ``--replace``. See :mod:`pmlib.data.sql_load`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from pmlib.cli.batch_options import add_params_argument
from pmlib.core.dburl import is_database_url, redact
from pmlib.core.errors import ParameterError


def cmd_load(args: argparse.Namespace) -> int:
    from pmlib.data.sql_load import load_folder  # lazy: imports pandas and SQLAlchemy

    if not is_database_url(args.to):
        raise ParameterError(
            f"--to {args.to!r} is not a database URL. Fix: write it as "
            "postgresql+psycopg://user@host/database, mssql+pyodbc://user@dsn, "
            "duckdb:///path/file.duckdb or sqlite:///path/file.db (docs/databases.md)."
        )
    rows = load_folder(args.source, args.to.strip(), args.params, replace=args.replace)
    print(f"Loaded {len(rows)} tables into {redact(args.to.strip())} in one transaction:")
    for table, n in rows.items():
        print(f"  {table:<15} {n:>8} rows")
    return 0


def register(sub) -> None:
    p = sub.add_parser(
        "load",
        help="load a data folder into a database (PostgreSQL, SQL Server, DuckDB, SQLite)",
        description="Validate a data folder, then create its tables (typed, with primary keys) "
        "in a database and fill them, in one transaction.",
    )
    p.add_argument("--from", dest="source", type=Path, required=True, help="the data folder")
    p.add_argument(
        "--to",
        required=True,
        metavar="URL",
        help="the database, e.g. postgresql+psycopg://user@host/db or duckdb:///perf.duckdb "
        "(a password comes from PGPASSWORD, .pgpass or ${NAME}, never the URL)",
    )
    p.add_argument(
        "--replace", action="store_true", help="replace pmlib's tables if the database has them"
    )
    add_params_argument(p)
    p.set_defaults(func=cmd_load)


__all__ = ["cmd_load", "register"]
