"""``pmlib run`` / ``publish`` / ``load``: options declared once, and a bad --scheduler refused
before any data is read."""

from __future__ import annotations

import argparse

import pytest

from pmlib.batch import pack
from pmlib.cli.main import build_parser, main


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
