"""`pmlib rate`: how the command runs (what it writes is tested in test_csv_arrow and test_rate)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from pmlib.cli.main import main
from pmlib.rating import ratings_file

ROOT = Path(__file__).resolve().parents[1]


def _advice(value: bool) -> bool:
    """Set numpy's huge-page advice; return what it was."""
    return bool(np._core.multiarray._set_madvise_hugepage(value))


def test_rating_runs_without_huge_page_advice_and_restores_it(tmp_path, monkeypatch):
    seen = []
    real = ratings_file.period_rater

    def spy(*args, **kwargs):
        seen.append(_advice(False))  # what the command had set, put back just below
        _advice(seen[-1])
        return real(*args, **kwargs)

    monkeypatch.setattr(ratings_file, "period_rater", spy)
    before = _advice(True)
    try:
        out = tmp_path / "ratings.csv"
        args = ["rate", "--period", "2026/27 Q2", "--data", str(ROOT / "data" / "demo"),
                "--params", str(ROOT / "parameters"), "--out", str(out)]  # fmt: skip
        assert main(args) == 0
        assert seen == [False]  # off while the million-row arrays are made
        assert _advice(True) is True  # and on again afterwards, as the caller had it
        assert out.read_bytes().startswith(b"\xef\xbb\xbfindicator_id,")
    finally:
        _advice(before)


def test_arrow_loads_without_huge_pages_and_the_environment_is_put_back():
    """The allocator options reach mimalloc (it prints them when verbose) and only pyarrow's load
    sees them: the process's environment, and so its children's, is as it was."""
    code = (
        "import os, sys\n"
        "from pmlib.cli.main import _load_arrow_for_one_pass\n"
        "_load_arrow_for_one_pass()\n"
        "print('pyarrow' in sys.modules, os.environ.get('MIMALLOC_ALLOW_THP'),"
        " os.environ.get('MIMALLOC_PURGE_DELAY'))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("MIMALLOC_")}
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "MIMALLOC_VERBOSE": "1"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.split() == ["True", "None", "None"]
    if "option 'allow_thp'" not in done.stderr:  # a pyarrow built with another allocator
        pytest.skip("pyarrow's default allocator is not a mimalloc with the allow_thp option")
    assert "option 'allow_thp': 0" in done.stderr
    assert "option 'purge_delay': -1" in done.stderr


def test_a_users_own_allocator_setting_wins():
    code = "from pmlib.cli.main import _load_arrow_for_one_pass\n_load_arrow_for_one_pass()\n"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MIMALLOC_")}
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "MIMALLOC_VERBOSE": "1", "MIMALLOC_ALLOW_THP": "1"},
        capture_output=True,
        text=True,
        check=True,
    )
    if "option 'allow_thp'" not in done.stderr:
        pytest.skip("pyarrow's default allocator is not a mimalloc with the allow_thp option")
    assert "option 'allow_thp': 1" in done.stderr


def test_jobs_must_be_a_whole_number_of_one_or_more(capsys):
    for bad in ("0", "-2", "two"):
        with pytest.raises(SystemExit) as exit_:
            main(["rate", "--period", "2026/27 Q2", "--out", "x.csv", "--jobs", bad])
        assert exit_.value.code == 2
        assert f"--jobs: give a whole number of 1 or more, not '{bad}'" in capsys.readouterr().err


def test_a_library_rated_in_parts_writes_the_same_file_as_one_process(tmp_path, monkeypatch):
    """Forced into parts of a few indicators (the demo's 50 would otherwise be one part), the
    command writes what one process writes, for the whole library and for a committee."""
    monkeypatch.setattr(ratings_file, "MIN_PART", 1)
    split = []
    real = ratings_file.work_in_parts

    def spy(make, parts, **kwargs):
        split.append(parts)
        return real(make, parts, **kwargs)

    monkeypatch.setattr(ratings_file, "work_in_parts", spy)
    demo = ["--data", str(ROOT / "data" / "demo"), "--params", str(ROOT / "parameters")]
    for committee in ([], ["--committee", "environment"]):
        files = []
        for jobs in ("1", "4"):
            out = tmp_path / f"ratings-{jobs}-{len(committee)}.csv"
            args = ["rate", "--period", "2026/27 Q2", *committee, *demo, "--out", str(out)]
            assert main([*args, "--jobs", jobs]) == 0
            files.append(out.read_bytes())
        assert files[0] == files[1]
        assert files[0].count(b"\n") > 1
    assert split == [1, 4, 1, 4]


def _broken_council(root: Path) -> tuple[Path, Path]:
    from conftest import write_council

    data, params = write_council(root)
    actuals = (data / "actuals.csv").read_text(encoding="utf-8")
    (data / "actuals.csv").write_text(
        actuals.replace("R2,2026-05,19.4", "R2,2026-05,about 19") + actuals.splitlines()[1] + "\n",
        encoding="utf-8",
    )  # a value that is not a number, and a row given twice
    return data, params


@pytest.mark.parametrize("period", ["2026/27 Q1", "not a period"])
def test_bad_data_checked_beside_the_rating_is_reported_as_when_checked_first(
    tmp_path, capsys, period
):
    """--out checks the data beside the rating: the same problems, exit code and no file as
    the table printed after checking first — even when the period asked for is wrong too."""
    data, params = _broken_council(tmp_path)
    base = ["rate", "--period", period, "--data", str(data), "--params", str(params)]
    out = tmp_path / "ratings.csv"
    assert main(base) == 1
    first = capsys.readouterr()
    assert main([*base, "--out", str(out)]) == 1
    aside = capsys.readouterr()
    assert aside.err == first.err and aside.out == first.out == ""
    assert "row 4, column 'value': is not a number (found 'about 19')" in aside.err
    assert "row 6, column 'period': duplicate indicator and period" in aside.err
    assert not out.exists() and list(out.parent.glob(".ratings.csv.*")) == []


def test_an_out_file_that_cannot_be_written_is_a_message_not_a_traceback(tmp_path, capsys):
    demo = ["--data", str(ROOT / "data" / "demo"), "--params", str(ROOT / "parameters")]
    rate = ["rate", "--period", "2026/27 Q2", *demo]
    with pytest.raises(SystemExit) as exit_:  # a folder: refused before anything is read
        main([*rate, "--out", str(tmp_path)])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert f"argument --out: {str(tmp_path)!r} is a folder; give a file name in it" in err
    with pytest.raises(SystemExit) as exit_:
        main(["validate", *demo, "--problems", str(tmp_path)])
    assert exit_.value.code == 2
    assert "argument --problems:" in capsys.readouterr().err
    (tmp_path / "notes.txt").write_text("a file, not a folder", encoding="utf-8")
    out = tmp_path / "notes.txt" / "ratings.csv"
    assert main([*rate, "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"pmlib: Cannot write {out}: ") and "Traceback" not in err
    assert "Fix: choose a file in a folder that exists and that you can write to." in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]  # nothing half-written


def test_spc_output_files_are_checked_as_rates_are(tmp_path, capsys):
    demo = ["--data", str(ROOT / "data" / "demo"), "--params", str(ROOT / "parameters")]
    with pytest.raises(SystemExit) as exit_:
        main(["spc", "--period", "2026/27 Q2", *demo, "--out", str(tmp_path)])
    assert exit_.value.code == 2
    assert f"argument --out: {str(tmp_path)!r} is a folder" in capsys.readouterr().err
    (tmp_path / "notes.txt").write_text("a file, not a folder", encoding="utf-8")
    out = tmp_path / "notes.txt" / "spc.csv"
    assert main(["spc", "--period", "2026/27 Q2", *demo, "--out", str(out)]) == 1
    assert capsys.readouterr().err.startswith(f"pmlib: Cannot write {out}: ")
