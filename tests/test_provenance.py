"""Provenance names pmlib's own commit, never the commit of a repository pmlib is installed in."""

import subprocess
from pathlib import Path

from pmlib.reports.provenance import _git_commit


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
    assert _git_commit(site) == "not a git checkout"


def test_a_pmlib_checkout_reports_its_commit(tmp_path):
    commit = _repo(tmp_path / "pmlib-checkout")
    assert _git_commit(tmp_path / "pmlib-checkout") == commit


def test_outside_any_repository_there_is_no_commit(tmp_path):
    assert _git_commit(tmp_path) == "not a git checkout"
