"""``pmlib actions`` and ``pmlib risks``: the optional tables rated from the command line."""

from __future__ import annotations

import pandas as pd

from pmlib.cli.main import main
from tests.test_plan_tables import ALL


def _write_all(data) -> None:
    for name, text in ALL.items():
        (data / f"{name}.csv").write_text(text, encoding="utf-8")


def test_actions_out_writes_every_action_rated_for_the_period(council, tmp_path):
    data, params = council
    _write_all(data)
    out = tmp_path / "actions.csv"
    argv = ["actions", "--period", "2026/27 Q1", "--data", str(data), "--params", str(params)]
    assert main([*argv, "--out", str(out)]) == 0
    rated = pd.read_csv(out).set_index("id")
    # at 30 June 2026: A1 on track, due March 2027 (Green); A2's Q1 update says at risk (Amber)
    assert rated["rag"].to_dict() == {"A1": "Green", "A2": "Amber"}
    assert rated.loc["A2", "update"] == "Supplier late."
    assert "source_row" not in rated.columns


def test_risks_for_a_public_committee_leave_out_internal_risks(council, capsys):
    data, params = council
    _write_all(data)
    argv = ["risks", "--period", "2026/27 Q1", "--data", str(data), "--params", str(params)]
    assert main([*argv, "--committee", "cabinet"]) == 0
    printed = capsys.readouterr().out
    assert "K1" in printed and "K2" not in printed  # K2 is internal
    assert main([*argv, "--committee", "board"]) == 0
    assert "K2" in capsys.readouterr().out


def test_a_folder_without_the_table_says_how_to_add_it(council, capsys):
    data, params = council
    argv = ["actions", "--period", "2026/27 Q1", "--data", str(data), "--params", str(params)]
    assert main(argv) == 1
    assert "no actions table" in capsys.readouterr().err
