"""Report batches on a dask.distributed cluster (pmlib.batch.cluster): the same reports as the
local pool, failures isolated, a lost worker's reports rendered elsewhere, files written by the
client.

One LocalCluster (two worker processes on the loopback interface, closed at the end) serves the
module; the local pool renders the same two demo committees once as the reference. The checks
of what a worker verifies, and of the client's writing, need no cluster.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import threading
import time
from pathlib import Path

import pytest

from pmlib.batch import cluster
from pmlib.batch import manifest as mf
from pmlib.batch.pack import plan_pack, report_specs
from pmlib.batch.runner import ReportSpec, run_batch
from pmlib.core.errors import ParameterError, RenderError
from pmlib.render.kernel import DEFAULT_PRELOAD

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"
QUARTER = "2026/27 Q2"
COMMITTEES = ["environment", "communities"]  # the demo's two quickest reports
#: What differs between two renders of the same report: when it was made. The local pool's own
#: re-runs differ in exactly these too (and, in the executed notebook, in the memory address
#: of an object's text form, e.g. ``<pmlib.present.tables.Html at 0x7f...>``).
STAMPS = (
    re.compile(rb"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[+-]\d{2}:\d{2}|Z)?"),
    re.compile(rb"\d{1,2} [A-Z][a-z]+ \d{4}, \d{2}:\d{2}"),  # "Generated 3 December 2026, 08:26"
    re.compile(rb'"duration": [0-9.e-]+'),  # papermill's cell timings
    re.compile(rb" at 0x[0-9a-f]+>"),
)

#: No dashboard, and the scheduler's HTTP server on a free loopback port (not 8787).
QUIET = {"dashboard_address": ":0", "scheduler_kwargs": {"dashboard": False}}

notebook = pytest.mark.notebook
slow = pytest.mark.slow


#: papermill's error cells in a failed notebook get new random ids (nbformat: uuid4 hex[:8]).
ERROR_CELL_ID = re.compile(rb'"id": "[0-9a-f]{8}"')


def _normalised(data: bytes, name: str = "") -> bytes:
    for stamp in STAMPS:
        data = stamp.sub(b"<stamp>", data)
    if name.endswith(".failed.ipynb"):
        data = ERROR_CELL_ID.sub(b'"id": "<random>"', data)
    return data


def _files(out: Path) -> dict[str, bytes]:
    """Every report file (not the run's records, manifest.json, provenance.json and index.html,
    which list timings and hashes)."""
    records = ("manifest.json", "provenance.json", "index.html", ".pmlib.lock")
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name not in records
    }


def _batch(tmp: Path, name: str, *, broken: bool = True, **kwargs):
    """The two demo committees, plus (``broken``) a report that fails in its third cell."""
    plan = plan_pack(QUARTER, committees=COMMITTEES, params_dir=ROOT / "parameters", out_dir=tmp)
    specs = report_specs(plan)
    if broken:
        specs.append(ReportSpec("broken", "Broken", FIXTURES / "failing_report.ipynb"))
    out = tmp / name
    result = run_batch(
        specs, out, inputs=plan.inputs, cwd=plan.notebook.parent, progress=False,
        preload=DEFAULT_PRELOAD, **kwargs,
    )  # fmt: skip
    return result, out


@pytest.fixture(scope="module")
def local_cluster():
    from dask.distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
            **QUIET,
        ) as lc,
        Client(lc) as client,
    ):  # fmt: skip
        yield lc, client


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The local pool's run: one worker, one kernel."""
    tmp = tmp_path_factory.mktemp("pool")
    result, out = _batch(tmp, "pool", jobs=1)
    return {"result": result, "out": out}


@pytest.fixture(scope="module")
def on_cluster(local_cluster, tmp_path_factory):
    """The same batch on the cluster, then again with nothing changed."""
    lc, _ = local_cluster
    tmp = tmp_path_factory.mktemp("dask")
    first, out = _batch(tmp, "dask", scheduler=lc.scheduler_address)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    mtimes = {p.name: p.stat().st_mtime_ns for p in out.glob("*.html") if p.name != "index.html"}
    second, _ = _batch(tmp, "dask", scheduler=lc.scheduler_address)
    return {"first": first, "second": second, "out": out, "manifest": manifest, "mtimes": mtimes}


def _status(result) -> dict[str, str]:
    return {r.name: r.status for r in result.reports}


@notebook
@slow
def test_a_cluster_run_writes_the_local_pools_reports(reference, on_cluster):
    pool, dask = _files(reference["out"]), _files(on_cluster["out"])
    assert sorted(dask) == sorted(pool)
    assert {"environment.html", "data/communities.csv", "notebooks/broken.failed.ipynb"} <= set(
        dask
    )
    for name in pool:
        assert _normalised(dask[name], name) == _normalised(pool[name], name), name
    assert not list(on_cluster["out"].rglob("*.tmp"))


@notebook
@slow
def test_a_failing_report_is_isolated_and_reported_as_in_the_local_pool(reference, on_cluster):
    first = on_cluster["first"]
    assert _status(first) == {"environment": "ok", "communities": "ok", "broken": "failed"}
    assert first.exit_code == 1
    (broken,) = first.failed
    (expected,) = reference["result"].failed
    assert broken.error == expected.error
    assert broken.error.startswith("Report failed in cell 3 (In [2]), line 5: KeyError")
    assert broken.entry["failure"] == expected.entry["failure"]


@notebook
@slow
def test_the_manifest_is_the_local_pools_and_unchanged_reports_are_skipped(reference, on_cluster):
    pool = json.loads((reference["out"] / "manifest.json").read_text(encoding="utf-8"))
    volatile = {"started", "finished", "seconds", "timings", "files", "worker"}
    for ours, theirs in zip(on_cluster["manifest"]["reports"], pool["reports"], strict=True):
        assert {k: v for k, v in ours.items() if k not in volatile} == {
            k: v for k, v in theirs.items() if k not in volatile
        }
        assert [(f["path"], f["kind"]) for f in ours["files"]] == [
            (f["path"], f["kind"]) for f in theirs["files"]
        ]
        if ours["status"] == "ok":
            assert ours["worker"].startswith("tcp://127.0.0.1:")
    assert on_cluster["manifest"]["jobs"] == 2  # the cluster's two workers
    for record in on_cluster["manifest"]["reports"][0]["files"]:  # as written by the client
        path = on_cluster["out"] / record["path"]
        assert mf.file_record(path, on_cluster["out"], record["kind"]) == record
    second = on_cluster["second"]
    assert _status(second) == {
        "environment": "skipped", "communities": "skipped", "broken": "failed",
    }  # fmt: skip
    mtimes = {
        p.name: p.stat().st_mtime_ns
        for p in on_cluster["out"].glob("*.html")
        if p.name != "index.html"
    }
    assert mtimes == on_cluster["mtimes"]


@notebook
@slow
def test_a_worker_killed_mid_run_has_its_report_rendered_elsewhere(
    local_cluster, reference, tmp_path
):
    lc, client = local_cluster
    outcome: dict = {}

    def run() -> None:
        try:
            outcome["result"] = _batch(
                tmp_path, "killed", broken=False, scheduler=lc.scheduler_address
            )
        except BaseException as exc:  # surfaced by the assertions below
            outcome["error"] = exc

    runner = threading.Thread(target=run)
    runner.start()
    victim = None
    deadline = time.monotonic() + 300
    while victim is None and runner.is_alive() and time.monotonic() < deadline:
        busy = {w: keys for w, keys in client.processing().items() if keys}
        victim = next(iter(busy), None)
        time.sleep(0.05)
    assert victim is not None, "no report was seen running"
    pid = client.run(os.getpid, workers=[victim])[victim]
    os.kill(pid, signal.SIGKILL)
    runner.join(timeout=600)
    assert "error" not in outcome, outcome.get("error")
    result, out = outcome["result"]
    assert _status(result) == {"environment": "ok", "communities": "ok"}
    workers = {r.name: r.entry.get("worker") for r in result.reports if r.status == "ok"}
    assert victim not in workers.values()  # every good report came from a surviving worker
    pool = _files(reference["out"])
    assert sorted(_files(out)) == sorted(n for n in pool if "broken" not in n)
    for name, data in _files(out).items():
        assert _normalised(data, name) == _normalised(pool[name], name), name


# --- no cluster needed ------------------------------------------------------------------------


def test_scheduler_text_is_local_with_a_worker_count_or_an_address():
    assert cluster.parse_scheduler("local") == (None, None)
    assert cluster.parse_scheduler("local:3") == (None, 3)
    assert cluster.parse_scheduler("tls://10.1.2.3:8786") == ("tls://10.1.2.3:8786", None)
    with pytest.raises(ParameterError, match="1 or more"):
        cluster.parse_scheduler("local:0")
    with pytest.raises(ParameterError, match="not a scheduler address"):
        cluster.parse_scheduler("my scheduler")


def test_a_scheduler_that_does_not_answer_is_one_message_with_a_fix(monkeypatch):
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", 1)
    with (
        pytest.raises(
            RenderError, match=r"Cannot reach the dask scheduler at tcp://127\.0\.0\.1:9"
        ),
        cluster.connect("tcp://127.0.0.1:9"),
    ):  # port 9 (discard): nothing listens on loopback
        pass


def test_a_scheduler_without_workers_is_one_message_with_a_fix(monkeypatch):
    from dask.distributed import LocalCluster

    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", 1)
    with LocalCluster(n_workers=0, host="127.0.0.1", **QUIET) as empty:
        address = empty.scheduler_address
        with pytest.raises(RenderError, match="has no workers. Fix: start some"):  # noqa: SIM117
            with cluster.connect(address):
                pass


def _plugin() -> cluster.WarmKernel:
    plugin = cluster.WarmKernel()
    plugin.address = "tcp://worker-1:40000"
    plugin._checked = {}
    plugin._own = ("code-abc", {"pandas": "3.1.0"})
    return plugin


def test_a_worker_refuses_inputs_it_cannot_read_or_sees_differently(tmp_path):
    data = tmp_path / "actuals.csv"
    data.write_bytes(b"indicator,value\nA,1\n")
    good = mf.sha256_file(data)
    plugin = _plugin()
    same = cluster.Expected("code-abc", {"pandas": "3.1.0"}, ((str(data), good),))
    assert plugin._mismatch(same) is None
    stale = cluster.Expected("code-abc", {"pandas": "3.1.0"}, ((str(data), "0" * 64),))
    assert f"worker tcp://worker-1:40000 sees a different copy of {data}" in plugin._mismatch(stale)
    gone = str(tmp_path / "missing.csv")
    missing = cluster.Expected("code-abc", {"pandas": "3.1.0"}, ((gone, good),))
    assert plugin._mismatch(missing).startswith(f"worker tcp://worker-1:40000 cannot read {gone}.")
    other = cluster.Expected("code-xyz", {"pandas": "3.1.0"}, ())
    assert "runs different pmlib code" in plugin._mismatch(other)
    older = cluster.Expected("code-abc", {"pandas": "3.0.2"}, ())
    assert "pandas 3.1.0 (client 3.0.2)" in plugin._mismatch(older)


def test_workers_check_the_files_the_client_hashed_and_never_a_database_table(tmp_path):
    notebook = tmp_path / "report.ipynb"
    notebook.write_bytes(b"{}")
    inputs = [
        {"path": str(tmp_path / "actuals.csv"), "bytes": 3, "sha256": "a" * 64},
        {"path": "actuals in postgresql+psycopg://pmlib@db/perf", "bytes": 0, "sha256": "b" * 64},
    ]
    expected = cluster._expected([ReportSpec("r", "R", notebook)], inputs)
    assert dict(expected.files) == {
        str(tmp_path / "actuals.csv"): "a" * 64,
        str(notebook): hashlib.sha256(b"{}").hexdigest(),
    }


def test_the_client_writes_only_inside_the_output_folder(tmp_path):
    out = tmp_path / "out"
    sent = {
        "entry": {"status": "ok", "files": [{"path": "data/x.csv", "kind": "data"}]},
        "files": {"data/x.csv": b"a,b\n1,2\n"},
    }
    (out / "notebooks").mkdir(parents=True)
    (out / "notebooks" / "x.failed.ipynb").write_text("{}", encoding="utf-8")
    entry = cluster._write(sent, out, "x")
    assert (out / "data" / "x.csv").read_bytes() == b"a,b\n1,2\n"
    (record,) = entry["files"]
    assert {k: v for k, v in record.items() if k != "stamp"} == {
        "path": "data/x.csv",
        "kind": "data",
        "bytes": 8,
        "sha256": hashlib.sha256(b"a,b\n1,2\n").hexdigest(),
    }
    assert not (out / "notebooks" / "x.failed.ipynb").exists()  # a good report clears it
    rogue = {"entry": {"status": "ok", "files": [{"path": "../evil.sh", "kind": "html"}]},
             "files": {"../evil.sh": b"x"}}  # fmt: skip
    with pytest.raises(RenderError, match="outside the output folder"):
        cluster._write(rogue, out, "x")
    assert not (tmp_path / "evil.sh").exists()


@notebook
@slow
def test_every_areas_deep_dive_renders_on_the_cluster(local_cluster, tmp_path, capsys):
    """``pmlib benchmark --area all --scheduler ADDRESS``: a deep-dive per area of the group."""
    from pmlib.cli.main import main

    lc, _ = local_cluster
    demo = ROOT / "data" / "demo" / "benchmarks"
    lines = (demo / "benchmark.csv").read_text(encoding="utf-8").splitlines()
    keep = [lines[0]] + [
        ln for ln in lines[1:] if ln.startswith(("E07000999,", "E07000901,")) and "recycling" in ln
    ]
    (tmp_path / "benchmark.csv").write_text("\n".join(keep) + "\n", encoding="utf-8")
    (tmp_path / "metrics.csv").write_bytes((demo / "metrics.csv").read_bytes())
    out = tmp_path / "out"
    code = main(
        [
            "benchmark", "--params", str(ROOT / "parameters"), "--data",
            str(tmp_path / "benchmark.csv"), "--metric", "household_recycling_pct",
            "--peer-group", "all", "--area", "all", "--out", str(out),
            "--scheduler", lc.scheduler_address,
        ]
    )  # fmt: skip
    assert code == 0, capsys.readouterr()
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["run"]["area_code"] == "all"
    titles = {r["name"]: r["title"] for r in manifest["reports"] if r["status"] == "ok"}
    assert sorted(titles) == [
        "e07000901-household-recycling-pct", "e07000999-household-recycling-pct",
    ]  # fmt: skip
    # each deep-dive is about its own area (the report's title names it first)
    assert "recycling or composting (Eastwold" in titles["e07000901-household-recycling-pct"]
    assert "recycling or composting (Northmoor" in titles["e07000999-household-recycling-pct"]
    for name in titles:
        assert (out / f"{name}.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
