"""The provenance block at the foot of a committee report: what produced it, reproducibly.

pmlib's version and git commit, the SHA-256 of every input file (data tables, benchmark files,
parameters) and the report's parameters, so a reader can tell whether two copies of a report
came from the same inputs.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path

from pmlib.core.files import sha256_file
from pmlib.core.model import Dataset
from pmlib.core.sources import source_digest, source_name
from pmlib.present.tables import Html, definition_table


def provenance_html(
    dataset: Dataset, generated_at: dt.datetime, params: dict, *, benchmarks: bool = False
) -> Html:
    """The provenance table (``benchmarks``: the report shows peer positions, so the benchmark
    files are inputs too)."""
    from pmlib.core.version import __version__

    rows = [
        ("pmlib version", __version__),
        ("Git commit", _git_commit()),
        ("Generated", generated_at.isoformat()),
    ]
    for table, source in sorted(dataset.sources.items()):
        rows.append((f"Input: {table}", f"{source_name(source)} sha256 {source_digest(source)}"))
    bench = dataset.council.benchmark_dir
    if benchmarks and bench and Path(bench).is_dir():
        for p in sorted(Path(bench).iterdir()):
            if p.suffix.lower() in (".csv", ".xlsx", ".parquet"):
                rows.append((f"Benchmarks: {p.name}", f"sha256 {sha256_file(p)}"))
    params_dir = dataset.settings.params_dir
    if params_dir:
        for name in ("council.yaml", "committees.yaml", "rag_schemes.yaml"):
            p = Path(params_dir) / name
            if p.exists():
                rows.append((f"Parameters: {name}", f"sha256 {sha256_file(p)}"))
    rows.append(("Report parameters", json.dumps(params, sort_keys=True, default=str)))
    table = definition_table(rows, caption="Provenance: what produced this report")
    return Html(f'<footer class="pmlib-provenance">{table.html}</footer>')


def _git_commit(root: Path | None = None) -> str:
    """The commit of pmlib's own checkout, or "not a git checkout".

    An installed pmlib (a wheel in a virtual environment) may sit inside some other repository
    (a council's project folder holding its ``.venv``); git would then answer with *that*
    repository's commit. So a commit is reported only when the repository's top level is the
    folder holding the ``pmlib`` package.
    """
    root = (root or Path(__file__).parents[2]).resolve()
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--show-toplevel", "--short=12", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return "not a git checkout"
    lines = out.stdout.split()
    if len(lines) != 2 or Path(lines[0]).resolve() != root:
        return "not a git checkout"
    commit = lines[1]
    dirty = subprocess.run(
        ["git", "-C", str(root), "status", "--porcelain", "--", "pmlib"],
        capture_output=True,
        text=True,
        timeout=5,
        check=False,
    ).stdout.strip()
    return commit + (" (with uncommitted changes to pmlib)" if dirty else "")
