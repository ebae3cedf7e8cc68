"""Output paths on the command line: a folder where a file belongs, or a file where a folder
belongs, is a one-line message with a fix and exit 1 (or 2 when refused as the arguments are
read) for every verb that writes, never a traceback, and nothing is left behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from pmlib.cli.main import main

ROOT = Path(__file__).resolve().parents[1]
DEMO = ["--data", str(ROOT / "data" / "demo"), "--params", str(ROOT / "parameters")]


@pytest.fixture
def in_the_way(tmp_path: Path) -> Path:
    """A file standing where a folder would have to be made."""
    blocker = tmp_path / "notes.txt"
    blocker.write_text("a file, not a folder", encoding="utf-8")
    return blocker


def _only(tmp_path: Path, *names: str) -> None:
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names)


@pytest.mark.parametrize("verb", ["actions", "risks"])
def test_actions_and_risks_refuse_a_folder_as_their_csv(verb, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([verb, "--period", "2026/27 Q2", *DEMO, "--out", str(tmp_path)])
    assert exit_.value.code == 2
    assert f"argument --out: {str(tmp_path)!r} is a folder" in capsys.readouterr().err


@pytest.mark.parametrize("verb", ["actions", "risks"])
def test_actions_and_risks_csv_under_a_file_is_a_message(verb, tmp_path, in_the_way, capsys):
    out = in_the_way / "rated.csv"
    assert main([verb, "--period", "2026/27 Q2", *DEMO, "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"pmlib: Cannot write {out}: ") and "Traceback" not in err
    assert "Fix: choose a file in a folder that exists" in err
    _only(tmp_path, "notes.txt")


def test_benchmark_csv_named_like_a_folder_that_exists_is_a_message(tmp_path, capsys):
    out = tmp_path / "stats.csv"
    out.mkdir()
    data = ROOT / "data" / "demo" / "benchmarks"
    code = main(
        ["benchmark", "--data", str(data / "benchmark.csv"), "--peers",
         str(data / "peer_groups.csv"), "--params", str(ROOT / "parameters"), "--out", str(out)]
    )  # fmt: skip
    assert code == 1
    err = capsys.readouterr().err
    assert f"pmlib: Cannot use {out}: it is a folder, not a file. Fix:" in err
    assert "Traceback" not in err and ".tmp" not in err  # the user's path, not the temporary one
    assert list(out.iterdir()) == []


def test_returns_folder_under_a_file_is_a_message(tmp_path, in_the_way, capsys):
    out = in_the_way / "returns"
    code = main(["returns", "make", "--quarter", "2026/27 Q2", *DEMO, "--out", str(out)])
    assert code == 1
    err = capsys.readouterr().err
    assert err.startswith(f"pmlib: Cannot use {out}: part of the path is a file, not a folder.")
    assert "Fix: check the paths on the command line" in err
    _only(tmp_path, "notes.txt")


def test_a_file_where_a_folder_must_be_made_is_named_plainly(tmp_path, in_the_way, capsys):
    out = in_the_way / "pack"
    code = main(
        ["returns", "make", "--quarter", "2026/27 Q2", *DEMO, "--returns", str(out)]
    )  # fmt: skip
    assert code == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.startswith("pmlib: Cannot use ")
    assert "a file" in err and "Fix:" in err


def test_an_os_error_that_is_not_about_a_path_is_not_hidden(monkeypatch):
    import pmlib.cli.actions as actions

    def broken(args, what):
        raise OSError("the disk controller failed")  # no errno, no path: pmlib's problem

    monkeypatch.setattr(actions, "_rated", broken)
    with pytest.raises(OSError, match="disk controller"):
        main(["actions", "--period", "2026/27 Q2", *DEMO])
