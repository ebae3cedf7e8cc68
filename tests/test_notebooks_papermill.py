"""Every committed notebook runs under plain papermill, the way an analyst would run it by hand.

(``pmlib run`` executes the same notebooks in warm kernels; nbval runs them as committed.) Each is
given non-default parameters, so the parameters cell is really what drives it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"


def _execute(name: str, out: Path, **parameters) -> dict:
    papermill = pytest.importorskip("papermill")
    papermill.execute_notebook(
        str(NOTEBOOKS / name),
        str(out),
        parameters=parameters,
        cwd=str(NOTEBOOKS),
        progress_bar=False,
        kernel_name="python3",
    )
    return json.loads(out.read_text(encoding="utf-8"))


def _outputs_text(nb: dict) -> str:
    parts = []
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            for key in ("text/html", "text/plain"):
                value = output.get("data", {}).get(key)
                if value:
                    parts.append("".join(value) if isinstance(value, list) else value)
            if output.get("text"):
                parts.append("".join(output["text"]))
    return "\n".join(parts)


def test_every_notebook_has_a_parameters_cell_and_no_outputs():
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        tags = [c.get("metadata", {}).get("tags", []) for c in nb["cells"]]
        assert any("parameters" in t for t in tags), path.name
        assert all(not c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code"), path.name


@pytest.mark.notebook
def test_committee_report_runs_under_papermill_for_the_given_committee(tmp_path):
    nb = _execute(
        "committee_report.ipynb",
        tmp_path / "out.ipynb",
        quarter="2026/27 Q1",
        committee="communities",
        status="final",
    )
    text = _outputs_text(nb)
    assert "Communities and Housing Scrutiny Committee: Performance report 2026/27 Q1" in text
    assert "FINAL" in text and "DRAFT" not in text


@pytest.mark.notebook
def test_committee_report_names_an_unknown_committee(tmp_path):
    papermill = pytest.importorskip("papermill")
    with pytest.raises(papermill.PapermillExecutionError, match="Unknown committee 'planning'"):
        _execute("committee_report.ipynb", tmp_path / "out.ipynb", committee="planning")


@pytest.mark.notebook
def test_benchmarking_notebook_runs_under_papermill(tmp_path):
    nb = _execute(
        "benchmarking.ipynb",
        tmp_path / "out.ipynb",
        metric="hb_new_claims_days",
        peer_group="nearest-neighbours",
    )
    text = _outputs_text(nb)
    assert "Benchmarking: Average days to process new Housing Benefit claims" in text
    assert re.search(r"Ranked \d+(st|nd|rd|th) of 16 nearest neighbours", text)


@pytest.mark.notebook
def test_explore_notebook_runs_under_papermill(tmp_path):
    nb = _execute("explore.ipynb", tmp_path / "out.ipynb")
    assert "application/vnd.jupyter.widget-view+json" in json.dumps(nb)
