"""Provenance: the report's footer says only who made it and when; the full record (hashes,
parameters, versions) goes to ``provenance.json`` beside the internal outputs, and names
pmlib's own commit, never the commit of a repository pmlib is installed in."""

import datetime as dt
import json
import re
import subprocess
from pathlib import Path

from pmlib.batch.provenance import (
    PROVENANCE_NAME,
    add_publication,
    provenance_record,
    report_inputs,
    write_provenance,
)
from pmlib.core.version import git_commit
from pmlib.reports.provenance import footer_html, footer_text


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(cwd), *args], capture_output=True, text=True, check=True
    ).stdout.strip()


def _repo(path: Path) -> str:
    path.mkdir(parents=True, exist_ok=True)
    _git(path, "init", "-q")
    (path / "README").write_text("x\n")
    _git(path, "add", "README")
    _git(path, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "x")
    return _git(path, "rev-parse", "--short=12", "HEAD")


def test_a_pmlib_installed_inside_another_repository_reports_no_commit(tmp_path):
    # a council's project repository with pmlib installed in its .venv
    _repo(tmp_path / "project")
    site = tmp_path / "project" / ".venv" / "lib" / "python3.11" / "site-packages"
    site.mkdir(parents=True)
    assert git_commit(site) == "not a git checkout"


def test_a_pmlib_checkout_reports_its_commit(tmp_path):
    commit = _repo(tmp_path / "pmlib-checkout")
    assert git_commit(tmp_path / "pmlib-checkout") == commit


def test_outside_any_repository_there_is_no_commit(tmp_path):
    assert git_commit(tmp_path) == "not a git checkout"


# --- the public footer ---------------------------------------------------------------------------


def test_the_footer_says_version_day_and_data_date_only_and_links_the_open_data():
    html = footer_html("2.3.1", dt.datetime(2026, 12, 2, 9, 41), "21 October 2026").html
    text = re.sub(r"<[^>]+>", "", html)
    assert text.startswith(
        "Produced with pmlib 2.3.1 on 2 December 2026; data as at 21 October 2026."
    )
    assert re.findall(r'href="([^"]+)"', html) == ["index.html#open-data"]
    assert "09:41" not in html and "sha256" not in html.lower()


def test_the_footer_escapes_what_it_is_given():
    html = footer_html("1<b>", dt.date(2026, 1, 5), "<i>x</i>").html
    assert "<b>" not in html and "<i>" not in html and "&lt;i&gt;x&lt;/i&gt;" in html
    assert footer_text("1", dt.date(2026, 1, 5), "–") == (
        "Produced with pmlib 1 on 5 January 2026; data as at –."
    )


# --- provenance.json ------------------------------------------------------------------------------


def _manifest(reports, inputs=None):
    return {
        "pmlib_version": "9.9",
        "started": "2026-12-02T09:00:00",
        "finished": "2026-12-02T09:01:00",
        "seconds": 60.0,
        "formats": ["html"],
        "run": {"council": "Northmoor", "period": "2026/27 Q2"},
        "environment": {"python": "3.11.9", "packages": {"pandas": "3.1.1"}},
        "inputs": inputs or [{"path": "/srv/data/actuals.csv", "bytes": 10, "sha256": "a" * 64}],
        "reports": reports,
    }


def _entry(name, **extra):
    return {
        "name": name,
        "title": name.title(),
        "status": "ok",
        "parameters": {"committee": name, "data_dir": "/srv/data"},
        "files": [{"path": f"{name}.html", "kind": "html", "bytes": 5, "sha256": "b" * 64}],
        "timings": {"execute": 1.5},
        "finished": "2026-12-02T09:00:30",
        **extra,
    }


def test_the_record_holds_each_reports_inputs_outputs_parameters_versions_and_timings():
    record = provenance_record(_manifest([_entry("cabinet")]))
    (cabinet,) = record["reports"]
    assert report_inputs(record, cabinet) == [
        {"path": "/srv/data/actuals.csv", "bytes": 10, "sha256": "a" * 64}
    ]
    assert cabinet["outputs"] == [
        {"path": "cabinet.html", "kind": "html", "bytes": 5, "sha256": "b" * 64}
    ]
    assert cabinet["parameters"] == {"committee": "cabinet", "data_dir": "/srv/data"}
    assert cabinet["timings"] == {"execute": 1.5}
    assert cabinet["rendered"] == "2026-12-02T09:00:30"
    assert (record["pmlib_version"], record["python"]) == ("9.9", "3.11.9")
    assert record["packages"] == {"pandas": "3.1.1"}
    assert record["run"]["period"] == "2026/27 Q2"


def test_a_carried_over_report_keeps_the_inputs_of_the_run_that_made_it(tmp_path):
    old_inputs = [{"path": "/srv/data/actuals.csv", "bytes": 9, "sha256": "c" * 64}]
    write_provenance(tmp_path, _manifest([_entry("board")], inputs=old_inputs))
    # a later run renders only cabinet, from changed data; the board's report is carried over
    later = _manifest([_entry("cabinet"), _entry("board", carried_over=True)])
    write_provenance(tmp_path, later)
    record = json.loads((tmp_path / PROVENANCE_NAME).read_text(encoding="utf-8"))
    inputs = {r["name"]: report_inputs(record, r)[0]["sha256"] for r in record["reports"]}
    assert inputs == {"cabinet": "a" * 64, "board": "c" * 64}


def test_a_publication_is_recorded_and_kept_by_the_next_run(tmp_path):
    write_provenance(tmp_path, _manifest([_entry("cabinet")]))
    add_publication(tmp_path, {"site": "/srv/site", "files": [{"path": "index.html"}]})
    write_provenance(tmp_path, _manifest([_entry("cabinet")]))
    record = json.loads((tmp_path / PROVENANCE_NAME).read_text(encoding="utf-8"))
    assert record["publication"]["files"] == [{"path": "index.html"}]
    assert record["reports"][0]["name"] == "cabinet"
