"""Executing one report: papermill's ``pmlib`` engine, parameters, artifacts, failures,
timeouts, and no leaks between reports.

Kernel tests share one warm kernel (module fixture) and are marked ``notebook``.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from html import unescape
from importlib import metadata
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
from pmlib.render import zygote
from pmlib.render.kernel import DEFAULT_PRELOAD, ReportKernel
from pmlib.render.notebook import CellFailure, ReportFailed, run_report

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = Path(__file__).parent / "fixtures" / "notebooks"
TOY = NOTEBOOKS / "toy_report.ipynb"
FAILING = NOTEBOOKS / "failing_report.ipynb"
LEAKY = NOTEBOOKS / "leaky_report.ipynb"
COMMITTEE_NOTEBOOKS = ROOT / "notebooks"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


TOY_SHA = _sha(TOY)


# --- no kernel ------------------------------------------------------------------------------


def test_papermill_finds_the_pmlib_engine_by_entry_point_and_by_import():
    declared = {e.name: e.value for e in metadata.entry_points(group="papermill.engine")}
    assert declared.get("pmlib") == "pmlib.render.engine:PmlibEngine"
    from papermill.engines import Engine, papermill_engines

    from pmlib.render.engine import PmlibEngine

    assert papermill_engines.get_engine("pmlib") is PmlibEngine
    assert issubclass(PmlibEngine, Engine)


def test_importing_the_engine_before_papermill_still_registers_it():
    """papermill loads its entry points while it is being imported, this module's among them:
    importing ``pmlib.render.engine`` first must neither break papermill nor lose the engine."""
    code = (
        "import pmlib.render.engine as ours\n"
        "from papermill.engines import papermill_engines\n"
        "assert papermill_engines.get_engine('pmlib') is ours.PmlibEngine\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "ok", done.stderr[-2000:]


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


@pytest.fixture(scope="module", params=["launched", "forked"])
def kernel(request):
    """Every kernel test runs on a kernel jupyter_client launched and on one forked from a
    zygote (pmlib.render.zygote, as a batch on two workers does): the same behaviour."""
    if request.param == "launched":
        with ReportKernel() as k:
            yield k
        return
    if not zygote.available():
        pytest.skip("kernels are forked on Linux only")
    z = zygote.start_zygote(DEFAULT_PRELOAD)
    try:
        with ReportKernel(zygote=z.address) as k:
            assert _parent(k.km.provisioner.pid) == z.process.pid  # forked, not launched
            yield k
    finally:
        z.stop()


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[1])


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
    code = [c for c in toy.notebook.cells if c.cell_type == "code"]
    counts = [c.execution_count for c in code]
    assert counts == list(range(1, len(code) + 1))  # numbered per report, not per kernel
    assert toy.warnings == []


@pytest.mark.notebook
def test_papermill_injects_the_parameters_and_keeps_its_metadata(toy):
    cells = toy.notebook.cells
    tags = [c.metadata.get("tags", []) for c in cells]
    injected = tags.index(["injected-parameters"])
    assert "parameters" in tags[injected - 1]  # right after the parameters cell
    assert cells[injected].id == "injected-parameters"  # not random: the HTML repeats
    assert 'committee = "finance"' in cells[injected].source
    assert "n_charts = 2" in cells[injected].source
    pm = toy.notebook.metadata.papermill
    assert pm["parameters"] == {"committee": "finance", "n_charts": 2}
    assert pm["input_path"] == str(TOY) and pm["exception"] is None
    assert {c.metadata.papermill["status"] for c in cells} == {"completed"}
    assert _sha(TOY) == TOY_SHA  # the input notebook is never written


@pytest.mark.notebook
def test_each_executed_cell_has_a_time_within_the_report_time(toy):
    code = [c for c in toy.notebook.cells if c.cell_type == "code"]
    cell_seconds = [c.metadata.papermill["duration"] for c in code]
    assert len(cell_seconds) == 8  # 7 in the source, 1 injected
    assert all(s is not None and s >= 0 for s in cell_seconds)
    # cells run one after another inside the run, the run inside the report
    assert toy.notebook.metadata.papermill["duration"] >= sum(cell_seconds)
    assert toy.timings["execute"] + 0.05 >= sum(cell_seconds)  # two clocks: allow 50 ms
    assert toy.seconds >= max(cell_seconds)
    assert toy.seconds >= toy.timings["export_html"] > 0


@pytest.mark.notebook
def test_notebook_without_cell_ids_gets_stable_ones(kernel, tmp_path):
    """nbformat gives random ids to a pre-4.5 notebook; they would change the HTML anchors."""
    params = new_code_cell("x = 1", metadata={"tags": ["parameters"]})
    nb = new_notebook(cells=[new_markdown_cell("# Old"), params, new_code_cell("print(x)")])
    nb.nbformat_minor = 4
    for cell in nb.cells:
        del cell["id"]
    path = tmp_path / "old.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    first = run_report(path, {"x": 2}, title="Old", kernel=kernel)
    second = run_report(path, {"x": 2}, title="Old", kernel=kernel)
    ids = [c.id for c in first.notebook.cells]
    assert ids == ["cell-1", "cell-2", "injected-parameters", "cell-3"]
    assert first.html == second.html


@pytest.mark.notebook
def test_outputs_are_cleared_and_updated_as_the_kernel_asks(kernel, tmp_path):
    """The engine makes outputs itself (pmlib.render.engine._ReportClient): a delayed
    clear_output, a display updated by its id and stderr all end as nbclient's would."""
    code = (
        "from IPython.display import clear_output, display\n"
        "import sys\n"
        "display('first')\n"
        "clear_output(wait=True)\n"
        "display('second')\n"
        "handle = display('draft', display_id=True)\n"
        "handle.update('final')\n"
        "print('to stderr', file=sys.stderr)\n"
        "42"
    )
    nb = new_notebook(cells=[new_markdown_cell("# Outputs"), new_code_cell(code)])
    path = tmp_path / "outputs.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    report = run_report(path, {}, title="Outputs", kernel=kernel)
    outs = report.notebook.cells[1].outputs
    assert [o.output_type for o in outs] == [
        "display_data", "display_data", "stream", "execute_result"
    ]  # fmt: skip
    assert [o.data["text/plain"] for o in outs if "data" in o] == ["'second'", "'final'", "42"]
    assert outs[2].name == "stderr" and outs[2].text == "to stderr\n"
    nbformat.validate(report.notebook)  # every output valid, though not checked one by one


@pytest.mark.notebook
def test_failing_cell_is_named_with_line_and_exception(kernel):
    with pytest.raises(ReportFailed) as info:
        run_report(FAILING, {}, title="Broken", kernel=kernel)
    failure = info.value.failure
    assert (failure.cell, failure.line, failure.ename) == (3, 5, "KeyError")
    assert failure.first_line == "import pandas as pd"
    assert failure.line_source.strip() == 'missing = frame["no such column"]'
    message = str(info.value)
    # no parameters: papermill injects no cell, so the failing cell is the second to run
    assert message.startswith("Report failed in cell 3 (In [2]), line 5: KeyError:")
    assert len(message.splitlines()) == 2  # not a 200-line traceback
    nb = info.value.notebook
    assert nb.metadata.papermill["exception"] is True
    # papermill's own error cells: a banner on top, an anchor before the failing cell
    marks = [i for i, c in enumerate(nb.cells) if "papermill-error-cell-tag" in c.metadata.tags]
    assert marks == [0, 3] and "In [2]" in nb.cells[0].source
    assert nb.cells[4].metadata.papermill["status"] == "failed"
    kernel.restart()  # what the batch runner does after any failure


@pytest.mark.notebook
def test_failure_position_skips_the_injected_cell(kernel):
    with pytest.raises(ReportFailed) as info:
        run_report(FAILING, {"unused": 1}, title="Broken", kernel=kernel)
    failure = info.value.failure
    assert (failure.cell, failure.execution_count, failure.line) == (3, 3, 5)
    kernel.restart()


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


@pytest.mark.notebook
def test_a_dead_kernel_fails_the_report_in_the_cell_that_killed_it(kernel, tmp_path):
    cells = [
        new_markdown_cell("# Dies"),
        new_code_cell("x = 1"),
        new_code_cell("import os\nos._exit(1)"),
    ]
    path = tmp_path / "dies.ipynb"
    nbformat.write(new_notebook(cells=cells), path)
    # "(In [2])" only when the kernel said it had started the cell before it died
    with pytest.raises(ReportFailed, match=r"cell 3( \(In \[2\]\))?: DeadKernelError") as info:
        run_report(path, {}, title="Dies", kernel=kernel)
    assert info.value.failure.first_line == "import os"
    assert info.value.notebook.metadata.papermill["exception"] is True
    kernel.restart()


def _probe(html: str) -> str:
    match = re.search(r"\{'leaked_global'.*?\}", unescape(html), re.S)  # as a reader sees it
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


@pytest.mark.notebook
@pytest.mark.slow
def test_papermill_command_line_runs_the_committee_report_with_the_pmlib_engine(tmp_path):
    """What an analyst types (papermill has no ``-e`` short form): no warm kernel handed in, so
    the engine starts its own."""
    out = tmp_path / "out.ipynb"
    papermill = Path(sys.executable).parent / "papermill"
    command = [str(papermill), "--engine", "pmlib", "committee_report.ipynb", str(out)]
    done = subprocess.run(
        [*command, "-p", "committee", "environment", "--no-progress-bar"],
        cwd=COMMITTEE_NOTEBOOKS,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    nb = json.loads(out.read_text(encoding="utf-8"))
    html = "".join(
        "".join(o.get("data", {}).get("text/html", ""))
        for c in nb["cells"]
        for o in c.get("outputs", [])
    )
    title = "Environment and Climate Scrutiny Committee: Performance report 2026/27 Q2"
    assert title in html
    pm = nb["metadata"]["papermill"]
    assert pm["parameters"] == {"committee": "environment"}
    assert pm["input_path"] == "committee_report.ipynb" and pm["exception"] is None
    assert pm["duration"] > 0
    injected = [c for c in nb["cells"] if "injected-parameters" in c["metadata"]["tags"]]
    assert len(injected) == 1 and injected[0]["id"] == "injected-parameters"
    assert 'committee = "environment"' in "".join(injected[0]["source"])
