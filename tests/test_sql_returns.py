"""``pmlib returns import`` into a database source (pmlib.returns.db_import): the same merge as
into a data folder, the audit log in the database's audit_log table, all in one transaction."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import sqlalchemy as sa
from test_returns_import import DAY, GOOD_R2
from test_returns_make import Q2, fill, made

from pmlib.data.sql_load import load_folder
from pmlib.data.validate import read_dataset
from pmlib.returns import audit
from pmlib.returns.db_import import DatabaseImport
from pmlib.returns.importer import import_returns
from tests.pg_server import create_database


def _import(url_or_folder, params, tmp_path, path):
    return import_returns(
        [path], Q2, data_dir=url_or_folder, params_dir=params, returns_dir=tmp_path / "returns",
        by="P. Officer", today=DAY,
    )  # fmt: skip


@pytest.fixture(params=["postgresql", "duckdb"])
def database(request, council, tmp_path):
    """The small council's data loaded into a database; (url, params)."""
    data, params = council
    if request.param == "postgresql":
        url = create_database(request.getfixturevalue("pg_url"), "returns")
    else:
        url = f"duckdb:///{tmp_path / 'returns.duckdb'}"
    load_folder(data, url, params)
    return url, params


def _actuals(url: str) -> pd.DataFrame:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return pd.read_sql(
                sa.text("SELECT * FROM actuals WHERE indicator_id = 'R2' ORDER BY period"), conn
            )
    finally:
        engine.dispose()


def test_a_return_merges_into_the_database_as_into_the_folder(database, council, tmp_path):
    url, params = database
    data, _ = council
    path = fill(made(council, tmp_path)["Head of Revenues"], GOOD_R2)
    (db_out,) = _import(url, params, tmp_path, path)
    (folder_out,) = _import(data, params, tmp_path, path)
    assert db_out.result == folder_out.result == "merged"
    assert db_out.changes == folder_out.changes and db_out.figures == 3
    rows = _actuals(url)
    rows = rows[rows["period"].isin(["2026-07", "2026-08", "2026-09"])]
    assert rows["period"].tolist() == ["2026-07", "2026-08", "2026-09"]
    assert rows["value"].tolist() == [19.5, 18.0, 17.25]  # stored as numbers
    assert rows["status"].tolist() == ["submitted"] * 3
    assert rows["collected_at"].astype(str).tolist() == ["2026-10-20"] * 3  # as DATE
    # the same dataset as the folder after the same import
    a = read_dataset(url, params, today=DAY).actuals
    b = read_dataset(data, params, today=DAY).actuals
    key = ["indicator_id", "period"]
    pd.testing.assert_frame_equal(
        a.drop(columns="source_row").sort_values(key).reset_index(drop=True),
        b.drop(columns="source_row").sort_values(key).reset_index(drop=True),
    )
    # the audit log: the same entries, hash-chained, in the database's audit_log table
    log = audit.read_log(url)
    assert [r["seq"] for r in log] == [str(i) for i in range(1, len(log) + 1)]
    assert [(r["action"], r["key"], r["column"], r["new"]) for r in log] == [
        (r["action"], r["key"], r["column"], r["new"]) for r in audit.read_log(data)
    ]
    assert log[0]["prev_hash"] == audit.GENESIS and log[1]["prev_hash"] == log[0]["hash"]
    # importing it again finds nothing changed
    (again,) = _import(url, params, tmp_path, path)
    assert again.result == "unchanged"


def test_a_failure_part_way_leaves_the_database_as_it_was(database, council, tmp_path, monkeypatch):
    url, params = database
    path = fill(made(council, tmp_path)["Head of Revenues"], GOOD_R2)
    before = _actuals(url)

    def broken(self, *args, **kwargs):  # the audit entries fail after the cells were written
        raise OSError("disk full")

    monkeypatch.setattr(DatabaseImport, "append", broken)
    with pytest.raises(OSError, match="disk full"):
        _import(url, params, tmp_path, path)
    pd.testing.assert_frame_equal(_actuals(url), before)
    assert audit.read_log(url) == []


def test_a_locked_quarter_in_the_database_log_refuses_the_import(database, council, tmp_path):
    url, params = database
    path = fill(made(council, tmp_path)["Head of Revenues"], GOOD_R2)
    with DatabaseImport(url, read_dataset(url, params).council) as tx:
        tx.append(
            audit.LOG_TABLE,
            [*audit.FIELDS, *audit.CHAIN],
            audit.chained([], [audit.Entry("S. Lead", "lock", Q2)], dt.datetime(2026, 10, 19)),
        )
    (out,) = _import(url, params, tmp_path, path)
    assert out.result == "refused"
    assert "2026/27 Q2 was locked by S. Lead on 2026-10-19" in out.problems[0].message


def test_approve_lock_and_the_audit_chain_in_the_database(database, council, tmp_path):
    from pmlib.returns.signoff import set_lock, sign_off

    url, params = database
    path = fill(made(council, tmp_path)["Head of Revenues"], GOOD_R2)
    assert _import(url, params, tmp_path, path)[0].result == "merged"
    day = dt.date(2026, 10, 21)
    done = sign_off("approve", Q2, "D. Fox", owner="Head of Revenues", data_dir=url,
                    params_dir=params, today=day)  # fmt: skip
    assert done.changed == ["R2 2026-07", "R2 2026-08", "R2 2026-09"]
    rows = _actuals(url)
    rows = rows[rows["period"].isin(["2026-07", "2026-08", "2026-09"])]
    assert rows["status"].tolist() == ["approved"] * 3
    assert rows["approved_by"].tolist() == ["D. Fox"] * 3
    assert set_lock(True, Q2, "Q. Dawson", data_dir=url, params_dir=params) == (
        "2026/27 Q2 locked by Q. Dawson."
    )
    assert [r["action"] for r in audit.read_log(url) if not r["key"]] == ["import", "lock"]
    ok, message = audit.verify(url)
    assert ok and message == f"audit_log table: {len(audit.read_log(url))} entries, chain intact"
    # an entry edited in the database breaks the chain, and verify names it
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE audit_log SET new = 'draft' WHERE seq = 6"))
    engine.dispose()
    assert audit.verify(url) == (
        False, "audit_log table, entry 6: its contents were edited after it was written"
    )  # fmt: skip
