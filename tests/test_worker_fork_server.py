"""Pool workers forked from the fork server (pmlib.batch.pool._worker_context, Linux): warm
before their first report, with the parent's environment and the parent's pmlib, and the
server stopped when asked."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pmlib.render import zygote

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(not zygote.available(), reason="the fork server is used on Linux")

SCRIPT = textwrap.dedent(
    """
    import json, os, sys
    from pathlib import Path

    def where():
        import gc
        import pmlib
        from pmlib.batch import pool
        return {"pmlib": pmlib.__file__, "late": os.environ.get("PMLIB_TEST_LATE"),
                "warm": bool(pool._WORKER.get("warm")), "papermill": "papermill" in sys.modules,
                "cwd": os.getcwd(), "frozen": gc.get_freeze_count()}

    if __name__ == "__main__":
        from multiprocessing import forkserver
        from pmlib.batch import pool

        first = pool._new_pool(1, Path.cwd(), ())
        seen = [first.submit(where).result(timeout=120)]
        first.shutdown(wait=True)
        os.environ["PMLIB_TEST_LATE"] = "set after the server started"
        second = pool._new_pool(1, Path.cwd(), ())
        seen.append(second.submit(where).result(timeout=120))
        second.shutdown(wait=True)
        server = forkserver._forkserver._forkserver_pid
        pool._stop_fork_server()
        try:
            os.waitpid(server, os.WNOHANG)
            reaped = False
        except ChildProcessError:  # ended and collected: its CPU counted in this process's
            reaped = True
        seen.append({"server": server, "reaped": reaped})
        print(json.dumps(seen))
    """
)


def test_workers_start_warm_with_the_parents_pmlib_and_environment(tmp_path):
    # a folder holding a broken "pmlib": the fork server runs as `python -c`, which would put
    # the current folder first on its path and import that one
    (tmp_path / "pmlib").mkdir()
    (tmp_path / "pmlib" / "__init__.py").write_text("raise ImportError('the wrong pmlib')\n")
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    (scripts / "run.py").write_text(SCRIPT)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PMLIB_TEST_LATE", None)
    done = subprocess.run(
        [sys.executable, str(scripts / "run.py")], cwd=tmp_path, env=env, capture_output=True,
        text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    first, second, server = json.loads(done.stdout.splitlines()[-1])
    for seen in (first, second):
        assert seen["pmlib"] == str(ROOT / "pmlib" / "__init__.py")  # not the current folder's
        assert seen["warm"] and seen["papermill"]  # warmed up once, in the server
        assert seen["cwd"] == str(tmp_path)
        assert seen["frozen"] > 10_000  # the server's imports, out of the collector's view
    assert first["late"] is None
    assert second["late"] == "set after the server started"  # the parent's, not the server's
    assert server["server"] and server["reaped"]  # stopped and waited for


def test_workers_are_spawned_when_the_fork_server_cannot_start(monkeypatch):
    from pmlib.batch import pool

    def refused() -> None:
        raise OSError("no Unix sockets here")

    monkeypatch.setattr(pool, "_start_fork_server", refused)
    assert pool._worker_context().get_start_method() == "spawn"
