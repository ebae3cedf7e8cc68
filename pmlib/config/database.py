"""``council.yaml``'s database settings: ``data_dir`` as a URL, and ``tables:``.

::

    data_dir: postgresql+psycopg://reporting@warehouse.council.local/performance
    tables:
      actuals: perf.kpi_actuals                       # a table or view, schema-qualified
      targets: "SELECT kpi AS indicator_id, period, target FROM perf.kpi_targets"

Parameter files are under version control, so a URL here may name the user and the host but
never the password: one written out is refused, with the fix (``PGPASSWORD``, a ``.pgpass``
file, or a ``${NAME}`` placeholder filled in from the environment; docs/databases.md). Every
problem names council.yaml's line.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from pmlib.core.dburl import is_database_url, literal_password, local_file, redact, scheme
from pmlib.core.errors import Problem

__all__ = ["KNOWN_TABLES", "read_data_source", "read_table_queries"]

#: The tables a database source can hold (pmlib.data.contract.TABLES and
#: pmlib.data.plan_contract.PLAN_TABLES; config sits below data, so a test keeps them equal).
KNOWN_TABLES = (
    "indicators",
    "targets",
    "actuals",
    "narratives",
    "actions",
    "action_updates",
    "risks",
    "risk_reviews",
    "audit_actions",
    "finance",
)
#: ``table``, ``schema.table`` or ``"Quoted Name"`` parts: a table or view to read by name.
_NAME = re.compile(r'^(?:[A-Za-z_][\w$]*|"[^"]+")(?:\.(?:[A-Za-z_][\w$]*|"[^"]+")){0,2}$')
_QUERY = re.compile(r"^\s*(select|with)\b", re.IGNORECASE)
_PASSWORD_FIX = (
    "take the password out of the URL and set it in the environment instead: PGPASSWORD or a "
    ".pgpass file for PostgreSQL, or write ${PMLIB_DB_PASSWORD} in its place and set that "
    "variable (docs/databases.md)"
)


def line_of(path: Path, *keys: str) -> int | None:
    """The line (1-based) of ``keys`` (a path of mapping keys) in a YAML file, if found."""
    try:
        node = yaml.compose(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return None
    line = None
    for key in keys:
        if not isinstance(node, yaml.MappingNode):
            return line
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                line, node = k.start_mark.line + 1, v
                break
        else:
            return line
    return line


def _where(path: Path, *keys: str) -> str:
    line = line_of(path, *keys)
    return f"{path.name}, line {line}" if line else path.name


def read_data_source(path: Path, raw: dict, problems: list[Problem]) -> Path | str | None:
    """``data_dir``: a folder (relative to council.yaml's folder) or a database URL.

    A ``sqlite:///`` or ``duckdb:///`` file given relative is taken relative to council.yaml's
    folder too, as a data folder is.
    """
    value = raw.get("data_dir")
    if value in (None, ""):
        return None
    text = str(value).strip()
    if not is_database_url(text):
        p = Path(text).expanduser()
        return p if p.is_absolute() else (path.parent / p).resolve()
    if literal_password(text):
        problems.append(
            Problem(
                _where(path, "data_dir"),
                "the database URL has a password written in it, and parameter files are kept "
                "under version control",
                _PASSWORD_FIX,
                column="data_dir",
                value=redact(text),
            )
        )
        return None
    file = local_file(text)
    if file and not Path(file).is_absolute():
        text = f"{scheme(text)}:///{(path.parent / file).resolve().as_posix()}" + (
            "?" + text.split("?", 1)[1] if "?" in text else ""
        )
    return text


def read_table_queries(
    path: Path, raw: dict, problems: list[Problem]
) -> tuple[tuple[str, str], ...]:
    """``tables:``: each table to a table or view name, or to a SELECT query."""
    value: Any = raw.get("tables")
    if value in (None, {}):
        return ()
    if not isinstance(value, dict):
        problems.append(
            Problem(
                _where(path, "tables"),
                "expected a mapping of table names to a table, view or SELECT query",
                'e.g. tables: {actuals: perf.kpi_actuals, targets: "SELECT ... FROM ..."}',
                column="tables",
            )
        )
        return ()
    out = []
    for table, source in value.items():
        where = _where(path, "tables", str(table))
        if table not in KNOWN_TABLES:
            problems.append(
                Problem(
                    where,
                    "is not one of pmlib's tables",
                    f"use one of {', '.join(KNOWN_TABLES)}",
                    column=f"tables.{table}",
                )
            )
            continue
        text = source.strip() if isinstance(source, str) else ""
        if not (_NAME.match(text) or _QUERY.match(text)):
            problems.append(
                Problem(
                    where,
                    "must be a table or view name (schema.table) or a query starting with "
                    "SELECT or WITH",
                    f'e.g. {table}: perf.kpi_{table}, or {table}: "SELECT ... FROM ..."',
                    column=f"tables.{table}",
                    value=source,
                )
            )
            continue
        out.append((str(table), text))
    return tuple(out)
