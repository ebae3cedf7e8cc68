"""What a batch's reports share, worked out once before the kernels are forked
(pmlib.reports.committee.warm_shared, pmlib.render.zygote's await_warm): a report built after it
computes no rating and no benchmark position, and is the report built without it; a zygote
told nothing still forks its kernels."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pytest
from proc_helpers import parent_of

from pmlib.benchmarking import positions
from pmlib.rating import rater
from pmlib.render import zygote
from pmlib.render.kernel import ReportKernel
from pmlib.reports.caches import clear_result_caches
from pmlib.reports.committee import CommitteeReport, warm_shared
from pmlib.reports.template_parts import prior_year_outturn

ROOT = Path(__file__).resolve().parents[1]
DEMO = {"data_dir": str(ROOT / "data" / "demo"), "params_dir": str(ROOT / "parameters")}
QUARTER = "2026/27 Q2"


@pytest.fixture
def own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("PMLIB_CACHE_DIR", str(tmp_path / "cache"))
    clear_result_caches()
    yield
    clear_result_caches()


def _shared_parts(report: CommitteeReport) -> dict[str, pd.DataFrame]:
    return {
        "previous": report.previous,
        "rated": report.rated,
        "history": report.history,
        "benchmarks": report.benchmarks,
        "exceptions": report.exceptions,
        "outturns": pd.DataFrame(
            [prior_year_outturn(report, i) for i in report.exceptions["indicator_id"]]
        ),
    }


def test_a_report_after_warm_shared_recomputes_nothing_and_is_the_same(own_cache, monkeypatch):
    cold = {
        c: _shared_parts(CommitteeReport.build(quarter=QUARTER, committee=c, **DEMO))
        for c in ("communities", "cabinet")
    }
    clear_result_caches()  # as a freshly forked kernel: nothing rated, no positions
    warm_shared(QUARTER, **DEMO)

    def refuse(*args, **kwargs):
        raise AssertionError("worked out again after warm_shared")

    monkeypatch.setattr(rater, "_period_rating", refuse)
    monkeypatch.setattr(rater, "_history_rating", refuse)
    monkeypatch.setattr(positions, "_positions", refuse)
    for committee, parts in cold.items():
        warm = _shared_parts(CommitteeReport.build(quarter=QUARTER, committee=committee, **DEMO))
        assert not warm["benchmarks"].empty  # the demo's positions were really shown
        for name, frame in parts.items():
            pd.testing.assert_frame_equal(warm[name], frame, obj=f"{committee} {name}")


def test_warm_shared_of_a_missing_folder_raises_and_keeps_nothing(own_cache, tmp_path):
    from pmlib.core.errors import PmlibError

    with pytest.raises(PmlibError):  # the zygote ignores it; the report reports it itself
        warm_shared(QUARTER, data_dir=str(tmp_path / "nowhere"), params_dir=DEMO["params_dir"])
    assert not rater._SHARED


def test_warm_shared_of_a_database_keeps_nothing(own_cache, tmp_path):
    """Each report reads a database afresh (there is no key to share a rating under)."""
    from pmlib.cli.main import main

    url = f"sqlite:///{tmp_path / 'demo.db'}"
    assert (
        main(["load", "--from", DEMO["data_dir"], "--to", url, "--params", DEMO["params_dir"]]) == 0
    )
    warm_shared(QUARTER, data_dir=url, params_dir=DEMO["params_dir"])
    assert not rater._SHARED and not positions._POSITIONS


def _kernel_sees(z: zygote.Zygote, tmp_path: Path, code: str) -> str:
    seen = tmp_path / "seen.txt"
    with ReportKernel(cwd=tmp_path, preload=(), zygote=z.address) as kernel:
        assert parent_of(kernel.km.provisioner.pid) == z.process.pid  # forked, not launched
        kernel._run_silent(f"import pathlib\npathlib.Path({str(seen)!r}).write_text(str({code}))")
    return seen.read_text()


@pytest.mark.skipif(not zygote.available(), reason="kernels are forked on Linux")
def test_kernels_wait_for_the_warm_call_and_inherit_what_it_did(tmp_path):
    z = zygote.start_zygote(("logging",), await_warm=60)
    assert z is not None
    try:
        # told a moment after the kernel was asked for: the kernel waits, then inherits
        import threading

        threading.Timer(1.0, z.warm, args=("logging:disable",), kwargs={"level": 37}).start()
        t0 = time.monotonic()
        assert _kernel_sees(z, tmp_path, "__import__('logging').root.manager.disable") == "37"
        assert time.monotonic() - t0 >= 1.0
    finally:
        z.stop()
    assert z.process.returncode == 0


@pytest.mark.skipif(not zygote.available(), reason="kernels are forked on Linux")
def test_a_zygote_never_told_forks_its_kernels_after_the_wait(tmp_path):
    t0 = time.monotonic()
    z = zygote.start_zygote(("json",), await_warm=1.5)
    assert z is not None
    try:
        assert _kernel_sees(z, tmp_path, "'json' in __import__('sys').modules") == "True"
        assert time.monotonic() - t0 >= 1.5  # it did wait to be told, then went on
    finally:
        z.stop()


@pytest.mark.skipif(not zygote.available(), reason="kernels are forked on Linux")
def test_a_warm_call_that_fails_still_lets_the_kernels_start(tmp_path):
    z = zygote.start_zygote(("json",), await_warm=60)
    assert z is not None
    try:
        z.warm("pmlib.no_such_module:nothing", quarter="2026/27 Q2")
        z.warm("logging:disable", level=37)  # said once: this one is not made
        assert _kernel_sees(z, tmp_path, "__import__('logging').root.manager.disable") == "0"
    finally:
        z.stop()


@pytest.mark.skipif(not zygote.available(), reason="kernels are forked on Linux")
def test_a_zygote_waiting_to_be_told_stops_when_the_batch_ends():
    z = zygote.start_zygote(("json",), await_warm=60)
    assert z is not None
    t0 = time.monotonic()
    z.stop()
    assert z.process.returncode == 0
    assert time.monotonic() - t0 < 5


def test_the_warm_call_is_given_the_parameters_every_report_of_the_pack_gets(tmp_path):
    """The zygote's warm-up and the reports must ask for the same dataset and period, or the
    kernels would compute everything again (correct, but slower)."""
    from pmlib.batch.pack import WARM_SHARED, _warm_arguments, plan_pack, report_specs

    plan = plan_pack(QUARTER, params_dir=DEMO["params_dir"], out_dir=tmp_path / "pack")
    arguments = _warm_arguments(plan)
    assert set(arguments) == {"quarter", "data_dir", "params_dir"}
    for spec in report_specs(plan):
        assert {k: spec.parameters[k] for k in arguments} == arguments
    module, _, name = WARM_SHARED.partition(":")
    assert getattr(__import__(module, fromlist=[name]), name) is warm_shared
