"""One batch of many councils: each report depends on, and records, its own council's inputs.

No kernel: a stand-in for the worker pool writes each report's file, so these check only the
batch's bookkeeping (fingerprints, the skip check, manifest.json, provenance.json).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from batch_fakes import record_renders

from pmlib.batch.provenance import (
    add_publication,
    provenance_record,
    read_provenance,
    report_inputs,
)
from pmlib.batch.runner import ReportSpec, run_batch
from pmlib.core.files import sha256_file

NOTEBOOK = Path(__file__).parent / "fixtures" / "notebooks" / "toy_report.ipynb"
COMMITTEES = ("cabinet", "housing")


@pytest.fixture
def rendered(monkeypatch) -> list[str]:
    """The names the stand-in pool rendered, run after run (cleared by the test)."""
    return record_renders(monkeypatch, lambda spec: f"<p>{spec.name} {spec.parameters}</p>")


def _councils(root: Path) -> dict[str, list[Path]]:
    """Two councils' data folders, each with its own tables and parameters."""
    found = {}
    for council in ("north", "south"):
        folder = root / council
        folder.mkdir(parents=True)
        for name in ("actuals.csv", "council.yaml"):
            (folder / name).write_text(f"{council} {name}\n", encoding="utf-8")
        found[council] = sorted(folder.iterdir())
    return found


def _specs(councils: dict[str, list[Path]]) -> list[ReportSpec]:
    return [
        ReportSpec(
            f"{council}-{slug}",
            slug.title(),
            NOTEBOOK,
            {"committee": slug, "data_dir": str(files[0].parent)},
            inputs=tuple(files),
        )  # fmt: skip
        for council, files in councils.items()
        for slug in COMMITTEES
    ]


def _run(specs, out, **kwargs):
    return run_batch(specs, out, jobs=1, progress=False, **kwargs)


def test_editing_one_councils_data_rerenders_only_that_councils_reports(
    tmp_path, rendered, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    councils = _councils(tmp_path / "data")
    _run(_specs(councils), tmp_path / "out")
    assert sorted(rendered) == ["north-cabinet", "north-housing", "south-cabinet", "south-housing"]
    rendered.clear()
    (tmp_path / "data" / "south" / "actuals.csv").write_text("south, revised\n", encoding="utf-8")
    result = _run(_specs(councils), tmp_path / "out")
    assert rendered == ["south-cabinet", "south-housing"]
    status = {r.name: r.status for r in result.reports}
    assert status == {
        "north-cabinet": "skipped", "north-housing": "skipped",
        "south-cabinet": "ok", "south-housing": "ok",
    }  # fmt: skip


def test_an_input_shared_by_the_batch_still_rerenders_every_report(tmp_path, rendered):
    councils = _councils(tmp_path / "data")
    shared = tmp_path / "benchmark.csv"
    shared.write_text("area,value\nA,1\n", encoding="utf-8")
    _run(_specs(councils), tmp_path / "out", inputs=[shared])
    rendered.clear()
    shared.write_text("area,value\nA,2\n", encoding="utf-8")
    _run(_specs(councils), tmp_path / "out", inputs=[shared])
    assert len(rendered) == 4


def test_provenance_records_each_reports_own_inputs_and_each_input_once(
    tmp_path, rendered, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    councils = _councils(tmp_path / "data")
    shared = tmp_path / "benchmark.csv"
    shared.write_text("area,value\nA,1\n", encoding="utf-8")
    _run(_specs(councils), tmp_path / "out", inputs=[shared])
    record = read_provenance(tmp_path / "out")
    for report in record["reports"]:
        council = report["name"].split("-")[0]
        read = sorted(i["path"] for i in report_inputs(record, report))
        # its own council's files and the batch's shared one (paths shown from the run's folder)
        assert read == [
            "benchmark.csv",
            f"data/{council}/actuals.csv",
            f"data/{council}/council.yaml",
        ]
    text = (tmp_path / "out" / "provenance.json").read_text(encoding="utf-8")
    for files in councils.values():
        for path in files:  # each input's hash written once, whichever reports read it
            assert text.count(sha256_file(path)) == 1
    assert text.count(sha256_file(shared)) == 1


def test_a_no_change_rerun_skips_everything_and_keeps_the_manifest(tmp_path, rendered, monkeypatch):
    monkeypatch.chdir(tmp_path)
    councils = _councils(tmp_path / "data")
    out = tmp_path / "out"
    _run(_specs(councils), out)
    before = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    rendered.clear()
    result = _run(_specs(councils), out)
    after = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert rendered == [] and {r.status for r in result.reports} == {"skipped"}
    run_facts = ("started", "finished", "seconds", "counts", "reports")
    assert {k: v for k, v in after.items() if k not in run_facts} == {
        k: v for k, v in before.items() if k not in run_facts
    }
    assert [{**e, "status": "ok", "seconds": 1.0} for e in after["reports"]] == before["reports"]
    assert after["reports"][0]["inputs"] == [
        "data/north/actuals.csv", "data/north/council.yaml"
    ]  # fmt: skip


def test_a_format_1_provenance_file_of_an_earlier_run_still_reads(tmp_path, rendered):
    out = tmp_path / "out"
    out.mkdir()
    old = {"path": "/srv/north/actuals.csv", "bytes": 9, "sha256": "c" * 64}
    (out / "provenance.json").write_text(
        json.dumps({
            "provenance_version": 1,
            "inputs": [old],
            "reports": [{"name": "board", "inputs": [old], "outputs": []}],
        }),
        encoding="utf-8",
    )  # fmt: skip
    # as `pmlib publish` does to the run it publishes: the record is kept as it is
    add_publication(out, {"site": "/srv/site", "files": []})
    record = read_provenance(out)
    assert report_inputs(record, record["reports"][0]) == [old]
    assert record["publication"]["site"] == "/srv/site"
    # a later run renders cabinet from a newer actuals.csv and carries board's report over:
    # each keeps the version of the file it read
    new = {**old, "sha256": "a" * 64}
    manifest = {
        "inputs": [new],
        "reports": [{"name": "cabinet"}, {"name": "board", "carried_over": True}],
    }
    later = provenance_record(manifest, record)
    cabinet, board = later["reports"]
    assert (report_inputs(later, cabinet), report_inputs(later, board)) == ([new], [old])
    assert later["provenance_version"] == 2 and len(later["inputs"]) == 2
