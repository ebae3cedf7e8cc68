"""The batch runner: parallel reports, isolated failures, atomic files, skip-if-unchanged.

One module-scoped sequence of real runs (two worker processes) feeds most assertions; the rest
use no kernel at all (planning, locking, interruption, atomic writes).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from pmlib.batch import manifest
from pmlib.batch import pool as workers
from pmlib.batch import runner as batch
from pmlib.batch.runner import ReportSpec, run_batch
from pmlib.core.errors import RenderError

FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"


def _snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    """Every file under a folder with its hash and mtime: proves nothing was written there."""
    return {
        str(p.relative_to(folder)): (
            hashlib.sha256(p.read_bytes()).hexdigest(),
            p.stat().st_mtime_ns,
        )
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _specs(inputs: Path, beta_charts: int = 2) -> list[ReportSpec]:
    toy = inputs / "toy_report.ipynb"
    return [
        ReportSpec("alpha", "Alpha", toy, {"committee": "alpha"}),
        ReportSpec("beta", "Beta", toy, {"committee": "beta", "n_charts": beta_charts}),
        ReportSpec("broken", "Broken", inputs / "failing_report.ipynb", {}),
        ReportSpec("leaky", "Leaky <report> & co", inputs / "leaky_report.ipynb", {}),
    ]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Run 1: everything. Run 2: beta's parameters changed. Run 3: nothing changed."""
    root = tmp_path_factory.mktemp("batch")
    inputs = root / "inputs"
    shutil.copytree(FIXTURES, inputs)
    (inputs / "data.csv").write_text("indicator,value\nA,1\n", encoding="utf-8")
    out = root / "out"
    out.mkdir()
    (out / "broken.html").write_text("previous good report", encoding="utf-8")
    (out / ".alpha.html.stale123.tmp").write_text("left by a killed run", encoding="utf-8")
    before = _snapshot(inputs)
    kwargs = {"jobs": 2, "inputs": [inputs], "progress": False, "title": "Toy pack"}
    first = run_batch(_specs(inputs), out, extra_manifest={"quarter": "2026/27 Q2"}, **kwargs)
    first_manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    mtimes = {p.name: p.stat().st_mtime_ns for p in out.glob("*.html")}
    second = run_batch(_specs(inputs, beta_charts=1), out, **kwargs)
    healthy = [s for s in _specs(inputs, beta_charts=1) if s.name != "broken"]
    third = run_batch(healthy, out, **kwargs)
    return {
        "inputs": inputs,
        "out": out,
        "before": before,
        "after": _snapshot(inputs),
        "first": first,
        "first_manifest": first_manifest,
        "first_mtimes": mtimes,
        "second": second,
        "third": third,
    }


def _status(result) -> dict[str, str]:
    return {r.name: r.status for r in result.reports}


@pytest.mark.notebook
def test_one_failure_does_not_stop_the_others(runs):
    first = runs["first"]
    assert _status(first) == {"alpha": "ok", "beta": "ok", "broken": "failed", "leaky": "ok"}
    assert first.exit_code == 1
    error = first.failed[0].error
    assert error.startswith("Report failed in cell 3 (In [2]), line 5: KeyError")
    assert len(error.splitlines()) == 2
    entry = first.failed[0].entry
    assert entry["failure"]["cell"] == 3 and entry["failure"]["ename"] == "KeyError"


@pytest.mark.notebook
def test_output_layout(runs):
    out = runs["out"]
    for name in ("alpha", "beta", "leaky"):
        assert (out / f"{name}.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
        assert (out / "notebooks" / f"{name}.ipynb").is_file()
    csv = (out / "data" / "alpha.csv").read_text(encoding="utf-8")
    assert csv.splitlines()[0] == "indicator,value,rag" and len(csv.splitlines()) == 4
    assert not (out / "data" / "leaky.csv").exists()  # leaky publishes no scorecard
    failed = json.loads((out / "notebooks" / "broken.failed.ipynb").read_text(encoding="utf-8"))
    assert failed["metadata"]["papermill"]["exception"] is True  # papermill's record
    assert "papermill-error-cell-tag" in failed["cells"][0]["metadata"]["tags"]
    alpha = json.loads((out / "notebooks" / "alpha.ipynb").read_text(encoding="utf-8"))
    assert alpha["metadata"]["papermill"]["parameters"] == {"committee": "alpha"}
    assert all(c["metadata"]["papermill"]["status"] == "completed" for c in alpha["cells"])
    # a failed report never replaces what was there before
    assert (out / "broken.html").read_text(encoding="utf-8") == "previous good report"


@pytest.mark.notebook
def test_inputs_are_never_modified(runs):
    assert runs["after"] == runs["before"]


@pytest.mark.notebook
def test_no_temporary_files_are_left(runs):
    leftovers = [p for p in runs["out"].rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []


@pytest.mark.notebook
def test_manifest_records_inputs_parameters_files_and_hashes(runs):
    data = runs["first_manifest"]
    assert data["manifest_version"] == manifest.MANIFEST_VERSION
    assert data["pmlib_version"] and data["run"] == {"quarter": "2026/27 Q2"}
    assert data["counts"] == {"ok": 3, "failed": 1, "skipped": 0}
    inputs = {Path(i["path"]).name: i["sha256"] for i in data["inputs"]}
    expected = hashlib.sha256((runs["inputs"] / "data.csv").read_bytes()).hexdigest()
    assert inputs["data.csv"] == expected
    alpha = next(r for r in data["reports"] if r["name"] == "alpha")
    assert alpha["parameters"] == {"committee": "alpha"}
    assert alpha["title"] == "Toy report: alpha, 2026/27 Q2"  # from the "title" artifact
    assert alpha["summary"] == {"Green": 1, "Amber": 1, "Red": 1, "No data": 0}
    assert {f["kind"] for f in alpha["files"]} == {"html", "notebook", "data"}
    assert set(alpha["timings"]) >= {"execute", "export_html", "write_html"}
    assert alpha["seconds"] > 0 and alpha["error"] is None and len(alpha["fingerprint"]) == 64


@pytest.mark.notebook
def test_manifest_file_hashes_match_the_files(runs):
    data = json.loads((runs["out"] / "manifest.json").read_text(encoding="utf-8"))
    for report in data["reports"]:
        for record in report["files"]:
            body = (runs["out"] / record["path"]).read_bytes()
            assert hashlib.sha256(body).hexdigest() == record["sha256"], record["path"]


@pytest.mark.notebook
def test_changed_parameters_rerender_only_that_report(runs):
    second = runs["second"]
    assert _status(second) == {
        "alpha": "skipped",
        "beta": "ok",
        "broken": "failed",  # failures are always retried
        "leaky": "skipped",
    }
    assert (runs["out"] / "beta.html").read_text(encoding="utf-8").count(
        'class="pmlib-figure"'
    ) == 1


@pytest.mark.notebook
def test_unchanged_rerun_skips_and_rewrites_nothing(runs):
    third = runs["third"]
    assert set(_status(third).values()) == {"skipped"}
    assert third.exit_code == 0
    alpha = runs["out"] / "alpha.html"
    assert alpha.stat().st_mtime_ns == runs["first_mtimes"]["alpha.html"]


@pytest.mark.notebook
def test_index_links_every_report_with_status_and_badges(runs):
    html = (runs["out"] / "index.html").read_text(encoding="utf-8")
    for href in ('href="alpha.html"', 'href="beta.html"', 'href="leaky.html"'):
        assert href in html
    assert 'href="broken.html"' not in html  # failed: no link to a stale page
    assert "broken" in html and "KeyError" in html  # carried over from the earlier run
    assert "Leaky &lt;report&gt; &amp; co" in html  # titles are escaped
    assert 'class="pm-badge pm-badge--green"><span aria-hidden="true">●</span> Green: 1' in html
    assert "pm-badge--nodata" in html and "○" in html
    assert html.count("<h1>") == 1 and '<html lang="en-GB">' in html


# --- no kernel --------------------------------------------------------------------------------


def test_bad_specs_are_refused_before_anything_runs(tmp_path):
    toy = FIXTURES / "toy_report.ipynb"
    with pytest.raises(RenderError, match="unique"):
        run_batch([ReportSpec("a", "A", toy), ReportSpec("a", "A", toy)], tmp_path)
    with pytest.raises(RenderError, match="letters, digits"):
        run_batch([ReportSpec("../a", "A", toy)], tmp_path)
    with pytest.raises(RenderError, match="unknown output format"):
        run_batch([ReportSpec("a", "A", toy)], tmp_path, formats=("docx",))
    with pytest.raises(RenderError, match="not found"):
        run_batch([ReportSpec("a", "A", tmp_path / "missing.ipynb")], tmp_path)
    assert not (tmp_path / "manifest.json").exists()


def test_a_second_run_on_the_same_folder_is_refused(tmp_path):
    toy = FIXTURES / "toy_report.ipynb"
    with batch._locked(tmp_path), pytest.raises(RenderError, match="Another pmlib run"):
        run_batch([ReportSpec("a", "A", toy)], tmp_path, progress=False)


def test_interrupted_run_keeps_finished_reports_and_writes_manifest_and_index(
    tmp_path, monkeypatch
):
    def interrupted_after_one(todo, out_dir, formats, *, done, **kwargs):
        done["a"] = {"status": "ok", "files": [], "error": None, "seconds": 1.0}
        raise KeyboardInterrupt

    monkeypatch.setattr(batch, "run_pool", interrupted_after_one)
    toy = FIXTURES / "toy_report.ipynb"
    with pytest.raises(KeyboardInterrupt):
        run_batch([ReportSpec("a", "A", toy), ReportSpec("b", "B", toy)], tmp_path, progress=False)
    data = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert [r["status"] for r in data["reports"]] == ["ok", "failed"]
    assert "interrupted" in data["reports"][1]["error"]
    assert (tmp_path / "index.html").is_file()


def test_writing_is_atomic_an_interrupted_write_keeps_the_old_file(tmp_path, monkeypatch):
    class Report:
        html = "<!DOCTYPE html><p>new</p>" * 1000

    (tmp_path / "r.html").write_text("old and good", encoding="utf-8")

    def interrupted_fsync(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted_fsync)
    with pytest.raises(KeyboardInterrupt):
        workers.write_html(Report(), tmp_path, "r")
    assert (tmp_path / "r.html").read_text(encoding="utf-8") == "old and good"
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]  # no temporary file left


def test_outputs_edited_or_deleted_since_the_last_run_are_rendered_again(tmp_path):
    html = tmp_path / "a.html"
    html.write_text("report", encoding="utf-8")
    entry = {
        "name": "a",
        "status": "ok",
        "fingerprint": "f" * 64,
        "files": [manifest.file_record(html, tmp_path, "html")],
    }
    previous = {"reports": [entry]}
    assert manifest.reusable_entry(previous, "a", "f" * 64, tmp_path) is not None
    assert manifest.reusable_entry(previous, "a", "e" * 64, tmp_path) is None  # inputs changed
    html.write_text("edited", encoding="utf-8")
    assert manifest.reusable_entry(previous, "a", "f" * 64, tmp_path) is None
    html.unlink()
    assert manifest.reusable_entry(previous, "a", "f" * 64, tmp_path) is None


def test_fingerprint_changes_with_each_part():
    base = {"inputs": [["d.csv", "1"]], "parameters": {"q": "Q2"}, "notebook": "n", "code": "c"}
    print_ = manifest.fingerprint(**base)
    assert print_ == manifest.fingerprint(**dict(reversed(list(base.items()))))
    for key, value in (("inputs", [["d.csv", "2"]]), ("parameters", {"q": "Q3"}), ("code", "d")):
        assert manifest.fingerprint(**{**base, key: value}) != print_


def test_input_hashing_skips_the_output_folder_and_hidden_files(tmp_path):
    (tmp_path / "data.csv").write_text("a\n1\n", encoding="utf-8")
    (tmp_path / ".hidden").write_text("x", encoding="utf-8")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "report.html").write_text("x", encoding="utf-8")
    found = manifest.hash_inputs([tmp_path], exclude=tmp_path / "out")
    assert [Path(r["path"]).name for r in found] == ["data.csv"]


def test_heavier_reports_start_first_and_the_manifest_keeps_the_given_order(tmp_path, monkeypatch):
    started: list[str] = []

    def fake_pool(todo, out_dir, formats, *, done, **_):
        for spec in todo:
            started.append(spec.name)
            done[spec.name] = {"status": "failed", "error": "not rendered in this test"}

    monkeypatch.setattr(batch, "run_pool", fake_pool)
    specs = [
        ReportSpec("small", "Small", FIXTURES / "toy_report.ipynb", {}, weight=3),
        ReportSpec("big", "Big", FIXTURES / "toy_report.ipynb", {}, weight=40),
        ReportSpec("medium", "Medium", FIXTURES / "toy_report.ipynb", {}, weight=10),
        ReportSpec("other", "Other", FIXTURES / "toy_report.ipynb", {}, weight=10),
    ]
    result = run_batch(specs, tmp_path / "out", jobs=2, progress=False)
    assert started == ["big", "medium", "other", "small"]
    assert [r.name for r in result.reports] == ["small", "big", "medium", "other"]


def test_the_previous_runs_seconds_put_the_longest_report_first(tmp_path, monkeypatch):
    """Longest first, measured: 'slow' took 9 s last time, 'quick' 1 s, though 'quick' has
    more indicators; with no time for every report the weights decide, as before."""
    started: list[str] = []
    seconds = {"quick": 1.0, "slow": 9.0, "middle": 4.0}

    def fake_pool(todo, out_dir, formats, *, done, **_):
        for spec in todo:
            started.append(spec.name)
            done[spec.name] = {"status": "ok", "seconds": seconds[spec.name], "files": []}

    monkeypatch.setattr(batch, "run_pool", fake_pool)
    nb = FIXTURES / "toy_report.ipynb"
    specs = [
        ReportSpec("quick", "Quick", nb, {}, weight=30),
        ReportSpec("slow", "Slow", nb, {}, weight=5),
        ReportSpec("middle", "Middle", nb, {}, weight=10),
    ]
    run_batch(specs, tmp_path / "out", jobs=2, progress=False)  # no earlier run: by weight
    assert started == ["quick", "middle", "slow"]
    started.clear()
    run_batch(specs, tmp_path / "out", jobs=2, force=True, progress=False)
    assert started == ["slow", "middle", "quick"]
    started.clear()
    extra = [*specs, ReportSpec("new", "New", nb, {}, weight=20)]
    seconds["new"] = 2.0
    run_batch(extra, tmp_path / "out", jobs=2, force=True, progress=False)  # 'new' has no time
    assert started == ["quick", "new", "middle", "slow"]


def test_a_prestarted_pool_is_taken_by_the_run_and_an_unused_one_stopped(tmp_path, monkeypatch):
    made: list[bool] = []
    real = workers._new_pool

    def counting(jobs, cwd, preload, *, eager=False, **kw):
        made.append(eager)
        return real(jobs, cwd, preload, eager=eager, **kw)

    monkeypatch.setattr(workers, "_new_pool", counting)
    nb = FIXTURES / "toy_report.ipynb"
    with workers.prestart_pool(1, FIXTURES, ()):
        result = run_batch(
            [ReportSpec("alpha", "Alpha", nb, {"committee": "alpha"})], tmp_path / "out", jobs=1,
            progress=False, cwd=FIXTURES, preload=(),
        )  # fmt: skip
        assert workers._PRESTARTED == {}  # taken
    assert [r.status for r in result.reports] == ["ok"]
    assert made == [True]  # the run made no pool of its own
    with workers.prestart_pool(1, FIXTURES, ()):
        pool = workers._PRESTARTED["pool"]
        workers._PRESTARTED["starter"].join()  # the workers are started from a thread
        for future in workers._PRESTARTED["ready"]:
            future.result(timeout=120)  # the worker has started its kernel
        (worker,) = pool._processes.values()
        kernels = _children(worker.pid)
        assert len(kernels) == 1
        manager = pool._executor_manager_thread  # private: the thread that collects workers
    assert workers._PRESTARTED == {}
    assert pool._shutdown_thread  # shut down on leaving, though never used ...
    # the pool's own thread collects the worker and records its exit code: read the code once
    # it has (a second reader of a forked worker's exit races it and may record 255)
    manager.join(60)
    assert worker.exitcode == 0  # ... asked to stop, it exited cleanly ...
    # ... and left no kernel behind (stopped by the worker; on a loaded machine a shutdown that
    # timed out leaves it to the kernel's own parent watch, which ends it within a second or two)
    deadline = time.monotonic() + 30
    while any(_alive(pid) for pid in kernels) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in kernels)
    # a pool that does not fit the run (other preload) is stopped and a fresh one made
    with workers.prestart_pool(1, FIXTURES, ("json",)):
        assert workers._take_prestarted(1, ()) is None
    assert made == [True, True, True]


def _children(pid: int) -> list[int]:
    if shutil.which("pgrep") is None:
        pytest.skip("pgrep is not installed")
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return [int(x) for x in found.stdout.split()]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/stat")
    return not (status.exists() and status.read_text().split(") ")[-1].startswith("Z"))
