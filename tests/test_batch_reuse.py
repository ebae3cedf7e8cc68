"""Skipping a report reads none of its outputs when their stamps prove them unchanged, and
still finds every edit.

No kernel: a stand-in for the worker pool writes each report's file. "The manifest was written
later" is set with its mtime: a real re-run comes seconds or days after the outputs were
written, while here the two are milliseconds apart (and then every output is hashed).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from batch_fakes import record_renders

from pmlib.batch import manifest as mf
from pmlib.batch.runner import ReportSpec, run_batch

NOTEBOOK = Path(__file__).parent / "fixtures" / "notebooks" / "toy_report.ipynb"
NAMES = ("alpha", "beta")

pytestmark = pytest.mark.skipif(not mf.STAMPS, reason="stamps are kept on POSIX only")


@pytest.fixture
def rendered(monkeypatch) -> list[str]:
    return record_renders(monkeypatch)


@pytest.fixture
def hashed(monkeypatch) -> list[str]:
    """The names of the files the skip check reads, run after run."""
    names: list[str] = []
    original = mf.sha256_file

    def counting(path):
        names.append(Path(path).name)
        return original(path)

    monkeypatch.setattr(mf, "sha256_file", counting)
    return names


def _run(out: Path):
    specs = [ReportSpec(n, n.title(), NOTEBOOK, {}) for n in NAMES]
    return run_batch(specs, out, jobs=1, progress=False)


def _manifest_written_later(out: Path, seconds: float = 10) -> None:
    later = time.time_ns() + int(seconds * 1e9)
    os.utime(out / mf.MANIFEST_NAME, ns=(later, later))


def test_a_rerun_reads_no_output_whose_stamp_proves_it_unchanged(tmp_path, rendered, hashed):
    _run(tmp_path / "out")
    _manifest_written_later(tmp_path / "out")
    rendered.clear()
    hashed.clear()
    result = _run(tmp_path / "out")
    assert {r.status for r in result.reports} == {"skipped"}
    assert rendered == [] and not [n for n in hashed if n.endswith(".html")]


def test_outputs_written_just_before_the_manifest_are_hashed(tmp_path, rendered, hashed):
    """A stamp is trusted only when the file is older than the manifest by more than a clock
    tick: here they are milliseconds apart, so the outputs are read."""
    _run(tmp_path / "out")
    hashed.clear()
    assert {r.status for r in _run(tmp_path / "out").reports} == {"skipped"}
    assert sorted(n for n in hashed if n.endswith(".html")) == ["alpha.html", "beta.html"]


def test_an_edit_of_the_same_size_is_found_even_with_its_mtime_put_back(tmp_path, rendered):
    out = tmp_path / "out"
    _run(out)
    _manifest_written_later(out)
    html = out / "beta.html"
    st = html.stat()
    html.write_text("<p>BETA</p>", encoding="utf-8")  # same size as "<p>beta</p>"
    os.utime(html, ns=(st.st_atime_ns, st.st_mtime_ns))  # as `touch -r` or `cp -p` would
    rendered.clear()
    result = _run(out)
    assert rendered == ["beta"]
    assert {r.name: r.status for r in result.reports} == {"alpha": "skipped", "beta": "ok"}


def test_an_edit_right_after_the_run_is_found(tmp_path, rendered):
    out = tmp_path / "out"
    _run(out)
    (out / "alpha.html").write_text("<p>ALPHA</p>", encoding="utf-8")  # same size, same tick
    rendered.clear()
    _run(out)
    assert rendered == ["alpha"]


def test_a_touched_output_with_its_bytes_intact_is_kept_and_its_stamp_renewed(
    tmp_path, rendered, hashed
):
    out = tmp_path / "out"
    _run(out)
    _manifest_written_later(out)
    os.utime(out / "alpha.html")  # a new mtime and ctime, same bytes
    rendered.clear()
    hashed.clear()
    assert {r.status for r in _run(out).reports} == {"skipped"}
    assert [n for n in hashed if n.endswith(".html")] == ["alpha.html"]
    manifest = json.loads((out / mf.MANIFEST_NAME).read_text(encoding="utf-8"))
    (record,) = manifest["reports"][0]["files"]
    st = (out / "alpha.html").stat()
    assert record["stamp"] == [st.st_ino, st.st_mtime_ns, st.st_ctime_ns]
