"""Executing one report: parameters, artifacts, failures, timeouts, and no leaks between reports.

Kernel tests share one warm kernel (module fixture) and are marked ``notebook``.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from pmlib.core.artifacts import (
    ARTIFACT_MIMETYPE,
    extract_artifacts,
    publish_artifact,
    strip_artifacts,
)
from pmlib.core.errors import RenderError
from pmlib.render.kernel import ReportKernel
from pmlib.render.notebook import CellFailure, ReportFailed, prepare_notebook, run_report

NOTEBOOKS = Path(__file__).parent / "fixtures" / "notebooks"
TOY = NOTEBOOKS / "toy_report.ipynb"
FAILING = NOTEBOOKS / "failing_report.ipynb"
LEAKY = NOTEBOOKS / "leaky_report.ipynb"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- no kernel ------------------------------------------------------------------------------


def test_prepare_notebook_injects_parameters_like_papermill():
    before = _sha(TOY)
    nb, injected = prepare_notebook(TOY, {"committee": "finance", "n_charts": 2})
    tags = [c.metadata.get("tags", []) for c in nb.cells]
    assert "parameters" in tags[injected - 1]  # right after the parameters cell
    assert tags[injected] == ["injected-parameters"]
    assert nb.cells[injected].id == "injected-parameters"  # stable, so HTML is stable
    assert 'committee = "finance"' in nb.cells[injected].source
    assert "n_charts = 2" in nb.cells[injected].source
    assert nb.metadata.papermill["parameters"] == {"committee": "finance", "n_charts": 2}
    assert _sha(TOY) == before  # the input notebook is never written


def test_cell_failure_reads_as_two_short_lines():
    failure = CellFailure(3, 4, "import pandas as pd", "KeyError", "'x'", 5, '    y = df["x"]')
    text = str(failure)
    assert text == "cell 3 (In [4]), line 5: KeyError: 'x'\n    y = df[\"x\"]"
    injected = CellFailure(None, 2, "a = 1", "NameError", "name 'b' is not defined")
    assert str(injected).startswith("the injected parameters cell (In [2]): NameError")


def _nb_with_artifacts() -> nbformat.NotebookNode:
    def artifact(name: str, data: object) -> nbformat.NotebookNode:
        payload = {ARTIFACT_MIMETYPE: {"name": name, "data": data}, "text/plain": "<artifact>"}
        return new_output("display_data", payload)

    cell = new_code_cell(
        outputs=[
            new_output("stream", name="stdout", text="hello\n"),
            artifact("summary", {"Green": 2}),
            artifact("summary", {"Green": 3, "Red": 1}),  # the last one wins
            artifact("scorecard_csv", "a,b\n1,2\n"),
        ]
    )
    return nbformat.from_dict(new_notebook(cells=[new_markdown_cell("# T"), cell]))


def test_extract_and_strip_artifacts_leave_the_notebook_unchanged():
    nb = _nb_with_artifacts()
    snapshot = nbformat.writes(nb)
    assert extract_artifacts(nb) == {
        "summary": {"Green": 3, "Red": 1},
        "scorecard_csv": "a,b\n1,2\n",
    }
    clean = strip_artifacts(nb)
    assert [o.output_type for o in clean.cells[1].outputs] == ["stream"]
    assert nbformat.writes(nb) == snapshot
    nbformat.validate(nb)  # the artifact mimetype is valid nbformat (dict under +json)


@pytest.mark.parametrize(
    ("name", "data", "fragment"),
    [
        ("", {"a": 1}, "non-empty name"),
        ("x", 3, "expected a dict or a str"),
        ("x", {"a": float("nan")}, "not JSON-serialisable"),
        ("x", {"a": object()}, "not JSON-serialisable"),
    ],
)
def test_publish_artifact_rejects_bad_values_at_the_source(name, data, fragment):
    with pytest.raises(RenderError, match=fragment):
        publish_artifact(name, data)


# --- one warm kernel ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def kernel():
    with ReportKernel() as k:
        yield k


@pytest.fixture(scope="module")
def toy(kernel):
    return run_report(TOY, {"committee": "finance", "n_charts": 2}, title="Toy", kernel=kernel)


@pytest.mark.notebook
def test_run_report_returns_html_notebook_artifacts_and_timings(toy):
    assert toy.html.startswith("<!DOCTYPE html>")
    assert toy.html.count('class="pmlib-figure"') == 2
    assert toy.artifacts["title"] == "Toy report: finance, 2026/27 Q2"
    assert toy.artifacts["summary"] == {"Green": 1, "Amber": 1, "Red": 1, "No data": 0}
    assert toy.artifacts["scorecard_csv"].splitlines()[0] == "indicator,value,rag"
    assert set(toy.timings) == {"prepare", "execute", "export_html"}
    assert toy.seconds == pytest.approx(sum(toy.timings.values()), abs=0.05)
    counts = [c.execution_count for c in toy.notebook.cells if c.cell_type == "code"]
    assert counts == list(range(1, len(counts) + 1))  # numbered per report, not per kernel
    assert toy.notebook.metadata.papermill["exception"] is None
    assert toy.warnings == []


@pytest.mark.notebook
def test_failing_cell_is_named_with_line_and_exception(kernel):
    with pytest.raises(ReportFailed) as info:
        run_report(FAILING, {}, title="Broken", kernel=kernel)
    failure = info.value.failure
    assert (failure.cell, failure.line, failure.ename) == (3, 5, "KeyError")
    assert failure.first_line == "import pandas as pd"
    assert failure.line_source.strip() == 'missing = frame["no such column"]'
    message = str(info.value)
    assert message.startswith("Report failed in cell 3 (In [3]), line 5: KeyError:")
    assert len(message.splitlines()) == 2  # not a 200-line traceback
    assert info.value.notebook.metadata.papermill["exception"] is True
    kernel.restart()  # what the batch runner does after any failure


@pytest.mark.notebook
def test_cell_timeout_fails_the_report_not_the_runner(kernel, tmp_path):
    nb = new_notebook(
        cells=[new_markdown_cell("# Slow"), new_code_cell("import time\ntime.sleep(30)")]
    )
    path = tmp_path / "slow.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(ReportFailed, match=r"cell 2 .*CellTimeoutError: the cell ran for more"):
        run_report(path, {}, title="Slow", kernel=kernel, timeout=1)
    kernel.restart()


def _probe(html: str) -> str:
    match = re.search(r"\{'leaked_global'.*?\}", html, re.S)
    assert match, "the toy report's state probe is missing"
    return match.group(0)


@pytest.mark.notebook
def test_no_state_leaks_between_reports_in_either_order(kernel):
    """The same two reports in one kernel, in both orders, give identical HTML."""
    params = {"committee": "finance", "n_charts": 2}

    def run(order: list[Path]) -> dict[Path, str]:
        kernel.restart()
        return {nb: run_report(nb, params, title="T", kernel=kernel).html for nb in order}

    toy_first = run([TOY, LEAKY])
    leaky_first = run([LEAKY, TOY])
    assert toy_first[TOY] == leaky_first[TOY]
    assert toy_first[LEAKY] == leaky_first[LEAKY]
    probe = _probe(leaky_first[TOY])  # ran after the leaky report changed everything it could
    for clean in (
        "'leaked_global': None",
        "'env': None",
        "'cwd_is_root': False",
        "'sys_path_leak': False",
        "'pandas_precision': 6",
        "'alt_theme': 'default'",
        "'alt_renderer': 'pmlib'",
        "'alt_transformer': 'default'",
        "'warnings_seen': 1",
    ):
        assert clean in probe.replace("&#x27;", "'"), clean
    assert "1.23456789" in leaky_first[TOY]  # pandas display precision and numpy print options
    assert "LEAK" not in leaky_first[TOY]  # IPython formatters
