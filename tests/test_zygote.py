"""Kernels forked from a zygote (pmlib.render.zygote): lifetime and fallback.

That a forked kernel runs reports as a launched one does (timeouts, a dead kernel, restarts,
no state leaking between reports) is checked by tests/test_report.py, whose kernel tests run
on both kinds.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from proc_helpers import gone, parent_of

from pmlib.batch import pool as workers
from pmlib.render import zygote
from pmlib.render.kernel import ReportKernel

pytestmark = pytest.mark.skipif(not zygote.available(), reason="kernels are forked on Linux")


ASK = """
import sys, time
from pmlib.render.kernel import ReportKernel
k = ReportKernel(zygote=sys.argv[1], preload=())
k.start()
print(k.km.provisioner.pid, flush=True)
time.sleep(600)
"""


def test_a_forked_kernel_ends_when_the_process_that_asked_for_it_is_killed():
    """A worker killed outright cannot stop its kernel: the kernel sees it go and exits, as a
    launched kernel does when its parent dies. The zygote itself lives on."""
    z = zygote.start_zygote(())
    assert z is not None
    asker = subprocess.Popen(
        [sys.executable, "-c", ASK, z.address], stdout=subprocess.PIPE, text=True
    )
    try:
        pid = int(asker.stdout.readline())
        assert parent_of(pid) == z.process.pid  # forked by the zygote, not launched
        asker.send_signal(signal.SIGKILL)
        asker.wait(timeout=30)
        assert gone(pid)
        assert z.process.poll() is None
    finally:
        asker.kill()
        z.stop()
    assert z.process.returncode == 0  # ended by EOF on its stdin, not killed
    assert not Path(z.folder).exists()  # its socket folder removed


def test_without_its_zygote_a_kernel_is_launched_as_before(tmp_path):
    z = zygote.start_zygote(())
    z.stop()  # gone before anyone asked
    with ReportKernel(cwd=tmp_path, preload=(), zygote=z.address) as kernel:
        assert parent_of(kernel.km.provisioner.pid) == os.getpid()
        assert kernel.info()["status"] == "ok"


def test_a_zygote_asked_for_nothing_stops_at_once():
    z = zygote.start_zygote(("json",))
    t0 = time.monotonic()
    z.stop()
    assert z.process.returncode == 0
    assert time.monotonic() - t0 < 5  # no waiting for the kill fallback


def test_a_workers_entry_comes_back_as_plain_json_values():
    """Artifacts are nbformat nodes in the worker; the parent must not need nbformat (and
    jsonschema) to unpickle them."""
    import nbformat

    node = nbformat.from_dict({"summary": {"Green": 2, "Red": 1}})
    entry = workers._plain({"status": "ok", "summary": node["summary"], "seconds": 1.25})
    assert type(entry["summary"]) is dict
    assert entry == {"status": "ok", "summary": {"Green": 2, "Red": 1}, "seconds": 1.25}
    assert list(entry) == ["status", "summary", "seconds"]  # the manifest's order kept


def test_a_forked_kernel_starts_with_the_zygotes_imports_frozen(tmp_path):
    """What the zygote imported is out of the garbage collector's view in its kernels (its
    collections never scan, nor so copy, those pages): frozen before the fork."""
    z = zygote.start_zygote(("fractions",))
    assert z is not None
    seen = tmp_path / "seen.txt"
    try:
        with ReportKernel(cwd=tmp_path, preload=(), zygote=z.address) as kernel:
            assert parent_of(kernel.km.provisioner.pid) == z.process.pid
            kernel._run_silent(
                "import gc, sys, pathlib\n"
                f"pathlib.Path({str(seen)!r}).write_text("
                "f'{gc.get_freeze_count()} {\"fractions\" in sys.modules} {gc.isenabled()}')\n"
            )
    finally:
        z.stop()
    frozen, imported, enabled = seen.read_text().split()
    assert imported == "True"
    assert int(frozen) > 10_000  # the zygote's imports (the kernel class, IPython, ...)
    assert enabled == "True"  # collection itself still on for what reports allocate
