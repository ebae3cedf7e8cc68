"""``pmlib run`` / ``publish`` / ``load``: options declared once, and a bad --scheduler refused
before any data is read."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from pmlib.batch import pack
from pmlib.cli.main import build_parser, main

ROOT = Path(__file__).resolve().parents[1]


def _subparser(name: str) -> argparse.ArgumentParser:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return sub.choices[name]


def _options(name: str) -> dict[str, argparse.Action]:
    return {s: a for a in _subparser(name)._actions for s in a.option_strings}


@pytest.mark.parametrize("address", ["tcp://", "tcp://scheduler", "tcp://host:port", "ftp://h:1"])
def test_a_malformed_scheduler_address_is_refused_before_the_data_is_read(
    address, council, monkeypatch, capsys
):
    def no_planning(*args, **kwargs):
        raise AssertionError("the data was read before the address was checked")

    monkeypatch.setattr(pack, "plan_pack", no_planning)
    data, params = council
    argv = ["run", "--quarter", "2026/27 Q1", "--data", str(data), "--params", str(params)]
    assert main([*argv, "--scheduler", address, "--force"]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1  # one line, no traceback
    assert f"--scheduler {address!r} is not a scheduler address" in err
    assert "Fix: give the address printed by `dask scheduler`" in err


def test_run_and_publish_share_their_batch_options_with_the_same_help():
    run, publish = _options("run"), _options("publish")
    shared = ["--notebooks", "--jobs", "--force", "--quiet", "--data", "--params", "--status"]
    for flag in shared + ["--allow-unapproved", "--signed-off-by"]:
        assert flag in run and flag in publish, flag
    for flag in shared[:-1]:
        assert run[flag].help == publish[flag].help, flag
        assert run[flag].default == publish[flag].default, flag
    assert run["-q"] is run["--quiet"]
    # each verb keeps its own default status: a working pack is a draft, a website is final
    assert (run["--status"].default, publish["--status"].default) == ("draft", "final")
    assert set(run["--status"].choices) == set(publish["--status"].choices) == {"draft", "final"}
    assert _options("load")["--params"].help == run["--params"].help


def test_publish_takes_a_database_url_as_data_like_run():
    url = "postgresql+psycopg://analyst@db.example/perf"
    for verb in (["run", "--quarter", "2026/27 Q1"], ["publish", "--quarter", "2026/27 Q1"]):
        args = build_parser().parse_args([*verb, "--data", url])
        assert args.data == url  # kept as text: a Path would fold the '//'


@pytest.mark.notebook
def test_the_run_command_prints_everything_and_exits_with_its_code(council, tmp_path):
    """``pmlib run`` as a process ends without the interpreter's teardown (and forks its two
    kernels from one zygote): what it prints and its exit code are still all there."""
    import json
    import subprocess
    import sys

    data, params = council
    out = tmp_path / "out"
    argv = ["run", "--quarter", "2026/27 Q1", "--data", str(data), "--params", str(params)]
    argv += ["--committee", "environment", "--committee", "resources", "--jobs", "2"]
    done = subprocess.run(
        [sys.executable, "-m", "pmlib", *argv, "--out", str(out), "-q"],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert lines[-1] == f"Index: {out.resolve() / 'index.html'}"  # the last line, flushed
    assert sorted(line.split()[:2][1] for line in lines[:-1]) == ["environment", "resources"]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert [r["status"] for r in manifest["reports"]] == ["ok", "ok"]
    assert type(manifest["reports"][0]["summary"]) is dict


def test_planning_a_clean_pack_imports_neither_pandera_nor_hypothesis():
    """In a fresh process (pytest itself imports both): the parent's planning of the demo pack,
    whose data are clean, never needs pandera (pmlib.data.clean_cells), nor so hypothesis,
    which pandera imports when installed (~0.4 s before any report could start)."""
    import subprocess
    import sys

    code = (
        "import sys, tempfile\n"
        "from pmlib.batch.pack import plan_pack\n"
        "plan_pack('2026/27 Q2', params_dir='parameters', out_dir=tempfile.mkdtemp())\n"
        "print('pandera' in sys.modules, 'hypothesis' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.stdout.split() == ["False", "False"], done.stderr
