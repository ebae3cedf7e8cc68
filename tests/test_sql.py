"""Database sources (pmlib.data.sql): the demo council loaded into a real PostgreSQL server
(started by the suite, tests/pg_server.py), DuckDB and SQLite reads back as the same dataset and
renders the same report as the folder; each kind of mistake is one line with a fix."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from pmlib.cli.main import main
from pmlib.core.dburl import DataSourceError, fill_environment, literal_password, redact
from pmlib.core.errors import DataValidationError, Problem
from pmlib.data.plan_contract import PLAN_TABLES
from pmlib.data.sql_load import load_folder
from pmlib.data.validate import read_dataset
from tests.conftest import DEMO as DEMO_DIR
from tests.conftest import PARAMS as PARAMS_DIR
from tests.pg_server import create_database

TODAY = dt.date(2026, 12, 2)
TABLES = ("indicators", "targets", "actuals", "narratives", *PLAN_TABLES)
KEYS = ("id", "indicator_id", "action_id", "risk_id", "service", "period", "line")


@pytest.fixture(scope="session")
def pg(pg_url):
    """The URL of the session's throwaway PostgreSQL server's ``postgres`` database."""
    return pg_url


@pytest.fixture(scope="session")
def folder_dataset():
    return read_dataset(DEMO_DIR, PARAMS_DIR, today=TODAY)


@pytest.fixture(scope="session")
def demo_urls(pg, tmp_path_factory):
    """The demo folder loaded with ``pmlib load`` into PostgreSQL, DuckDB and SQLite."""
    tmp = tmp_path_factory.mktemp("db")
    urls = {
        "postgresql": create_database(pg, "demo"),
        "duckdb": f"duckdb:///{tmp / 'demo.duckdb'}",
        "sqlite": f"sqlite:///{tmp / 'demo.db'}",
    }
    for url in urls.values():
        code = main(["load", "--from", str(DEMO_DIR), "--to", url, "--params", str(PARAMS_DIR)])
        assert code == 0
    return urls


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    keys = [k for k in KEYS if k in frame]
    return frame.drop(columns="source_row").sort_values(keys).reset_index(drop=True)


@pytest.mark.parametrize("kind", ["postgresql", "duckdb", "sqlite"])
def test_the_demo_loaded_into_a_database_reads_back_as_the_same_dataset(
    kind, demo_urls, folder_dataset
):
    ds = read_dataset(demo_urls[kind], PARAMS_DIR, today=TODAY)
    for table in TABLES:
        # rows come back ordered by key, so compare in key order; source_row is the position
        pd.testing.assert_frame_equal(
            _sorted(getattr(ds, table)), _sorted(getattr(folder_dataset, table)), obj=table
        )
    # the same warnings, named by table and key instead of file and row
    assert sorted(w.message for w in ds.warnings) == sorted(
        w.message for w in folder_dataset.warnings
    )
    assert {w.file for w in ds.warnings} <= {f"table '{t}'" for t in TABLES}
    assert all(w.key is not None for w in ds.warnings)
    assert ds.sources["actuals"].name == "table 'actuals'"


def test_pmlib_load_creates_typed_tables_with_primary_keys(demo_urls):
    engine = sa.create_engine(demo_urls["postgresql"])
    try:
        inspector = sa.inspect(engine)
        assert inspector.get_pk_constraint("actuals")["constrained_columns"] == [
            "indicator_id",
            "period",
        ]
        assert inspector.get_pk_constraint("indicators")["constrained_columns"] == ["id"]
        types = {c["name"]: str(c["type"]) for c in inspector.get_columns("actuals")}
        assert types["value"] == "DOUBLE PRECISION"
        assert types["collected_at"] == "DATE"
        assert types["status"] == "TEXT"
        with engine.connect() as conn:
            # periods are stored as their canonical label; 1,495 actuals as in actuals.csv
            n = conn.execute(sa.text("SELECT count(*) FROM actuals")).scalar()
            q2 = conn.execute(
                sa.text("SELECT count(*) FROM actuals WHERE period = '2026/27 Q2'")
            ).scalar()
    finally:
        engine.dispose()
    assert n == len(pd.read_csv(DEMO_DIR / "actuals.csv"))
    assert q2 > 0


def test_pmlib_load_refuses_a_database_holding_the_tables_unless_replace(demo_urls, capsys):
    url = demo_urls["duckdb"]
    args = ["load", "--from", str(DEMO_DIR), "--to", url, "--params", str(PARAMS_DIR)]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "already holds pmlib's table(s) indicators, targets, actuals" in err
    assert "Fix: add --replace" in err
    assert main([*args, "--replace"]) == 0


def test_a_committee_report_from_each_database_is_byte_identical_to_the_folders(demo_urls):
    from pmlib.core.shipped import notebook_path
    from pmlib.render.kernel import ReportKernel
    from pmlib.render.notebook import run_report

    nb = notebook_path("committee_report.ipynb")

    def render(data: str) -> str:
        params = {"quarter": "2026/27 Q2", "committee": "environment", "data_dir": data,
                  "params_dir": str(PARAMS_DIR)}  # fmt: skip
        html = run_report(nb, params, title="Environment", kernel=kernel).html
        # the provenance footer lists where the data came from (file hashes or database
        # tables) and when the report was generated: the only parts allowed to differ
        html = re.sub(r'<footer class="pmlib-provenance">.*?</footer>', "", html, flags=re.S)
        # and the cover's "generated" time of day (the three renders may straddle a minute)
        return re.sub(r"\b\d{2}:\d{2}\b", "hh:mm", html)

    with ReportKernel() as kernel:
        folder = render(str(DEMO_DIR))
        postgresql = render(demo_urls["postgresql"])
        duckdb = render(demo_urls["duckdb"])
    assert "Environment" in folder and len(folder) > 100_000
    assert postgresql == folder
    assert duckdb == folder


def _one_line_error(capsys, argv) -> str:
    assert main(argv) == 1
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err
    return err


def test_a_bad_url_is_one_line_with_the_fix(capsys):
    err = _one_line_error(capsys, ["validate", "--data", "postgres://ana@db/perf"])
    assert err.count("\n") == 0
    assert "postgres:// is spelt postgresql+psycopg://" in err and "Fix:" in err


def test_a_refused_connection_is_one_line_with_the_fix(capsys, pg):
    # a socket folder with no server in it: the connection is refused
    url = "postgresql+psycopg://pmlib@/postgres?host=/nonexistent-pmlib-socket-dir"
    err = _one_line_error(capsys, ["validate", "--data", url, "--params", str(PARAMS_DIR)])
    assert err.count("\n") == 0
    assert err.startswith(f"pmlib: Could not connect to the database {url}: ")
    assert "Fix: check that the server is running" in err


def _problem_lines(err: str) -> list[str]:
    return [ln.strip() for ln in err.splitlines() if ln.strip().startswith("- ")]


def test_a_missing_table_is_one_problem_naming_the_table_and_the_fix(capsys, pg):
    url = create_database(pg, "no_actuals")
    load_folder(DEMO_DIR, url, PARAMS_DIR)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE actuals"))
    engine.dispose()
    err = _one_line_error(capsys, ["validate", "--data", url, "--params", str(PARAMS_DIR)])
    assert _problem_lines(err) == [
        "- table 'actuals': not found in the database. Fix: create the actuals table (pmlib "
        "load --from DIR --to URL loads a data folder), or map it to your own table, view or "
        'query in council.yaml: tables: {actuals: "SELECT ... FROM ..."}'
    ]


def test_a_column_of_the_wrong_type_is_one_problem_not_one_per_row(capsys, pg):
    url = create_database(pg, "wrong_type")
    load_folder(DEMO_DIR, url, PARAMS_DIR)
    engine = sa.create_engine(url)
    with engine.begin() as conn:  # value holding dates: every row would fail "not a number"
        conn.execute(sa.text("ALTER TABLE actuals DROP COLUMN value"))
        conn.execute(sa.text("ALTER TABLE actuals ADD COLUMN value date"))
    engine.dispose()
    err = _one_line_error(capsys, ["validate", "--data", url, "--params", str(PARAMS_DIR)])
    (line,) = _problem_lines(err)
    assert line.startswith(
        "- table 'actuals', column 'value': is stored as DATE in the database, but pmlib reads "
        "numbers from it. Fix: change the column to a numeric type"
    )


def test_a_bad_cell_is_named_by_table_key_and_column(pg):
    url = create_database(pg, "bad_cell")
    load_folder(DEMO_DIR, url, PARAMS_DIR)
    engine = sa.create_engine(url)
    with engine.begin() as conn:  # a text column where an officer typed "n/a"
        conn.execute(sa.text("ALTER TABLE actuals ALTER COLUMN value TYPE text"))
        conn.execute(
            sa.text(
                "UPDATE actuals SET value = 'n/a' WHERE indicator_id = 'ENV01' "
                "AND period = '2026-09'"
            )
        )
    engine.dispose()
    with pytest.raises(DataValidationError) as exc:
        read_dataset(url, PARAMS_DIR, today=TODAY)
    (p,) = [p for p in exc.value.problems if p.column == "value"]
    assert p.file == "table 'actuals'"
    assert p.key == "indicator_id='ENV01', period='2026-09'"
    assert str(p).startswith(
        "table 'actuals', key (indicator_id='ENV01', period='2026-09'), column 'value': "
    )
    assert "(found 'n/a')" in str(p)
    # validate --problems FILE.csv: a key column, for database problems only
    frame = exc.value.to_frame()
    assert frame.columns.tolist() == [
        "severity", "file", "row", "key", "column", "value", "message", "fix"
    ]  # fmt: skip
    assert "indicator_id='ENV01', period='2026-09'" in frame["key"].tolist()
    file_problem = DataValidationError([Problem("actuals.csv", "x", row=2)])
    assert "key" not in file_problem.to_frame().columns


def test_tables_in_council_yaml_read_from_a_view_and_a_query(pg, tmp_path, folder_dataset):
    url = create_database(pg, "warehouse")
    load_folder(DEMO_DIR, url, PARAMS_DIR)
    engine = sa.create_engine(url)
    with engine.begin() as conn:  # the warehouse's own names, in its own schema
        conn.execute(sa.text("CREATE SCHEMA perf"))
        conn.execute(sa.text("ALTER TABLE actuals RENAME COLUMN indicator_id TO kpi"))
        conn.execute(sa.text("ALTER TABLE actuals SET SCHEMA perf"))
        conn.execute(sa.text("CREATE VIEW perf.kpi_targets AS SELECT * FROM targets"))
    engine.dispose()
    params = _council_with(
        tmp_path,
        f"data_dir: {url}\ntables:\n  targets: perf.kpi_targets\n"
        '  actuals: "SELECT kpi AS indicator_id, * FROM perf.actuals ORDER BY kpi, period"\n',
    )
    ds = read_dataset(None, params, today=TODAY)
    actuals = _sorted(ds.actuals.drop(columns="kpi"))
    pd.testing.assert_frame_equal(actuals, _sorted(folder_dataset.actuals))
    pd.testing.assert_frame_equal(_sorted(ds.targets), _sorted(folder_dataset.targets))
    assert ds.sources["targets"].name == "table 'perf.kpi_targets' (targets)"
    assert ds.sources["actuals"].name == "query for actuals (council.yaml tables:)"


def _council_with(tmp_path: Path, extra: str) -> Path:
    params = tmp_path / "parameters"
    shutil.copytree(PARAMS_DIR, params)
    council = params / "council.yaml"
    text = re.sub(r"(?m)^data_dir:.*$", "", council.read_text(encoding="utf-8"))
    council.write_text(text.rstrip("\n") + "\n" + extra, encoding="utf-8")
    return params


def test_a_password_in_council_yaml_is_refused_with_its_line(tmp_path):
    from pmlib.config.settings import read_settings

    params = _council_with(tmp_path, "data_dir: postgresql+psycopg://ana:hunter2@db/perf\n")
    line = (params / "council.yaml").read_text(encoding="utf-8").splitlines().index(
        "data_dir: postgresql+psycopg://ana:hunter2@db/perf"
    ) + 1
    with pytest.raises(DataValidationError) as exc:
        read_settings(params)
    (p,) = exc.value.problems
    assert p.file == f"council.yaml, line {line}"
    assert p.value == "postgresql+psycopg://ana:***@db/perf"  # the password is never echoed
    assert "hunter2" not in str(exc.value)
    assert "PGPASSWORD" in p.fix and "${PMLIB_DB_PASSWORD}" in p.fix


def test_tables_must_name_known_tables_and_be_names_or_queries(tmp_path):
    from pmlib.config.settings import read_settings

    params = _council_with(
        tmp_path, "tables:\n  actual: perf.kpi_actuals\n  targets: DELETE FROM targets\n"
    )
    with pytest.raises(DataValidationError) as exc:
        read_settings(params)
    found = {p.column: p for p in exc.value.problems}
    lines = (params / "council.yaml").read_text(encoding="utf-8").splitlines()
    assert found["tables.actual"].message == "is not one of pmlib's tables"
    assert (
        found["tables.actual"].file
        == f"council.yaml, line {lines.index('  actual: perf.kpi_actuals') + 1}"
    )
    assert found["tables.targets"].message.startswith("must be a table or view name")


def test_a_relative_duckdb_file_in_council_yaml_is_relative_to_its_folder(tmp_path):
    from pmlib.config.settings import read_settings

    params = _council_with(tmp_path, "data_dir: duckdb:///../warehouse/perf.duckdb\n")
    council = read_settings(params).council
    assert council.data_dir == f"duckdb:///{(tmp_path / 'warehouse' / 'perf.duckdb').as_posix()}"


def test_a_missing_database_file_is_not_created_when_reading(tmp_path):
    url = f"duckdb:///{tmp_path / 'nothing.duckdb'}"
    with pytest.raises(DataSourceError, match="not found"):
        read_dataset(url, PARAMS_DIR)
    assert not (tmp_path / "nothing.duckdb").exists()


def test_passwords_come_from_the_environment_never_the_url(monkeypatch):
    assert literal_password("mssql+pyodbc://ana:pw@dsn")
    assert not literal_password("mssql+pyodbc://ana:${DB_PW}@dsn")
    assert not literal_password("duckdb:///a:b@c.duckdb")  # no user part: a file path
    monkeypatch.setenv("DB_PW", "a:b@c")
    assert fill_environment("mssql+pyodbc://ana:${DB_PW}@dsn/perf") == (
        "mssql+pyodbc://ana:a%3Ab%40c@dsn/perf"
    )
    assert redact("mssql+pyodbc://ana:pw@dsn") == "mssql+pyodbc://ana:***@dsn"


def test_sql_server_without_pyodbc_says_what_to_install(capsys):
    try:
        import pyodbc  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("pyodbc is installed here")
    err = _one_line_error(capsys, ["validate", "--data", "mssql+pyodbc://ana@warehouse/perf"])
    assert "needs the pyodbc package and Microsoft's ODBC driver" in err
    assert "Fix: pip install pyodbc" in err


def test_problem_key_replaces_the_row_only_when_set():
    file_problem = Problem("actuals.csv", "is not a number", "fix it", row=7, column="value")
    assert str(file_problem).startswith("actuals.csv, row 7, column 'value': ")
    db = Problem("table 'actuals'", "x", "", row=7, column="value", key="indicator_id='A'")
    assert str(db).startswith("table 'actuals', key (indicator_id='A'), column 'value': x")
    whole = Problem("table 'actuals'", "not found", "", key="")
    assert str(whole) == "table 'actuals': not found"


def test_pmlib_run_from_a_database_skips_unchanged_reports_and_sees_a_changed_table(
    demo_urls, tmp_path
):
    import json

    db = tmp_path / "run.duckdb"
    shutil.copy(demo_urls["duckdb"].removeprefix("duckdb:///"), db)
    url = f"duckdb:///{db}"
    out = tmp_path / "out"
    argv = ["run", "--quarter", "2026/27 Q2", "--committee", "environment", "--data", url,
            "--params", str(PARAMS_DIR), "--out", str(out), "-q"]  # fmt: skip

    def statuses() -> tuple[list[str], list[dict]]:
        assert main(argv) == 0
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        return [r["status"] for r in manifest["reports"]], manifest["inputs"]

    first, inputs = statuses()
    assert first == ["ok"]
    # the database's tables are inputs, fingerprinted by their rows
    tables = {i["path"]: i["sha256"] for i in inputs if i["path"].startswith("table ")}
    assert f"table 'actuals' in {url}" in tables
    assert statuses()[0] == ["skipped"]
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE narratives SET approach = 'A new approach.'"))
    engine.dispose()
    again, inputs = statuses()
    assert again == ["ok"]
    changed = {i["path"]: i["sha256"] for i in inputs if i["path"].startswith("table ")}
    assert [t for t in tables if tables[t] != changed[t]] == [f"table 'narratives' in {url}"]


def test_the_tables_council_yaml_may_map_are_pmlibs_tables():
    from pmlib.config.database import KNOWN_TABLES

    assert KNOWN_TABLES == TABLES
