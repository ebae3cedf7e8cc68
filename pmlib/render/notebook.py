"""Execute one report notebook in a warm kernel and export it to offline HTML.

:func:`run_report` injects the parameters the way papermill does (an ``injected-parameters``
cell after the ``parameters`` cell, ``metadata.papermill``), so the executed notebook opens and
re-runs in Jupyter as usual; resets the caller's warm :class:`~pmlib.render.kernel.ReportKernel`; runs
every cell with nbclient; and exports with :func:`pmlib.render.html.export_html`. A failing cell
becomes a :class:`ReportFailed` whose message is two lines (which cell, which line, which
exception) instead of a 200-line traceback.

Heavy libraries (nbclient, nbformat, papermill, nbconvert) are imported inside functions so that
importing this module (for its types, in the batch runner's parent) stays cheap.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path
from typing import Any

from pmlib.core.artifacts import extract_artifacts
from pmlib.core.errors import RenderError
from pmlib.render.kernel import ReportKernel

DEFAULT_TIMEOUT = 300  # seconds per cell

__all__ = [
    "DEFAULT_TIMEOUT",
    "CellFailure",
    "RenderedReport",
    "ReportFailed",
    "execute_notebook",
    "prepare_notebook",
    "run_report",
    "warm_up",
]


@dataclass(frozen=True)
class CellFailure:
    """Where and why a report notebook stopped, short enough for a summary line."""

    cell: int | None  # 1-based position in the source notebook; None: the injected parameters
    execution_count: int | None
    first_line: str  # the cell's first non-blank source line
    ename: str
    evalue: str
    line: int | None = None  # 1-based line in the cell that raised, when the traceback says
    line_source: str = ""

    def __str__(self) -> str:
        where = "the injected parameters cell" if self.cell is None else f"cell {self.cell}"
        if self.execution_count is not None:
            where += f" (In [{self.execution_count}])"
        if self.line is not None:
            where += f", line {self.line}"
        code = self.line_source or self.first_line
        text = f"{where}: {self.ename}: {self.evalue}".rstrip(": ")
        return f"{text}\n    {code.strip()}" if code else text


class ReportFailed(RenderError):
    """A report notebook failed; carries the failure and the partly executed notebook."""

    def __init__(self, message: str, failure: CellFailure | None = None, notebook: Any = None):
        super().__init__(message)
        self.failure = failure
        self.notebook = notebook


@dataclass
class RenderedReport:
    """Everything one successful report produced, in memory (the caller writes files)."""

    title: str
    html: str
    notebook: Any  # nbformat.NotebookNode, executed, artifacts kept
    artifacts: dict[str, Any]
    seconds: float
    timings: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def notebook_bytes(self) -> bytes:
        import nbformat

        return nbformat.writes(self.notebook).encode("utf-8")


# --- one report -------------------------------------------------------------------------------

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_CELL_LINE = re.compile(r"(?:Cell In\s*\[\d*\]|<ipython-input-[^>]*>),\s*line (\d+)")


def warm_up() -> None:
    """Import what running and exporting a report needs, before the first report needs it."""
    import nbclient  # noqa: F401
    import papermill.parameterize  # noqa: F401

    from pmlib.render.html import warm_up as warm_up_export

    warm_up_export()


def _first_line(source: str) -> str:
    return next((ln.strip() for ln in source.splitlines() if ln.strip()), "")


def prepare_notebook(path: Path, parameters: dict[str, Any]) -> tuple[Any, int]:
    """Read a notebook and inject parameters the way papermill does.

    Returns the notebook and the index of the injected cell. Cells without ids get stable ones
    (``cell-1`` …) rather than nbformat's random ids, so that HTML is identical run to run.
    """
    import nbformat
    import papermill
    from papermill.parameterize import parameterize_notebook

    nb = nbformat.read(path, as_version=4)
    if nb.nbformat_minor < 5:
        for i, cell in enumerate(nb.cells, start=1):
            cell.id = f"cell-{i}"
        nb.nbformat_minor = 5
    for cell in nb.cells:
        cell.metadata.setdefault("tags", [])  # papermill looks the tags up on every cell
    nb.metadata["papermill"] = {
        "default_parameters": {},
        "parameters": {},
        "environment_variables": {},
        "version": papermill.__version__,
        "input_path": str(path),
        "output_path": None,
    }
    nb = parameterize_notebook(nb, dict(parameters), kernel_name="python3", language="python")
    injected = next(
        i for i, c in enumerate(nb.cells) if "injected-parameters" in c.metadata.get("tags", [])
    )
    if not any(c.get("id") == "injected-parameters" for c in nb.cells):
        nb.cells[injected].id = "injected-parameters"
    return nb, injected


def _failure(nb: Any, index: int, injected: int, ename: str, evalue: str) -> CellFailure:
    cell = nb.cells[index]
    line = None
    line_source = ""
    for out in cell.get("outputs", []):
        if out.get("output_type") != "error":
            continue
        ename, evalue = out.get("ename", ename), out.get("evalue", evalue)
        for entry in out.get("traceback", []):
            m = _CELL_LINE.search(_ANSI.sub("", entry))
            if m:
                line = int(m.group(1))
    lines = cell.source.splitlines()
    if line is not None and 0 < line <= len(lines):
        line_source = lines[line - 1]
    position = None if index == injected else (index + 1 if index < injected else index)
    return CellFailure(
        cell=position,
        execution_count=cell.get("execution_count"),
        first_line=_first_line(cell.source),
        ename=ename,
        evalue=_ANSI.sub("", str(evalue)).strip(),
        line=line,
        line_source=line_source,
    )


def execute_notebook(nb: Any, kernel: ReportKernel, *, injected: int, timeout: int) -> Any:
    """Run every cell of a prepared notebook in a (reset) warm kernel; return it executed.

    Raises
    ------
    ReportFailed
        On an exception in a cell (unless tagged ``raises-exception``), a cell timeout or a
        kernel death; the message names the cell and the error in two lines.
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    current = {"index": 0}

    def on_cell_start(cell: Any, cell_index: int) -> None:
        current["index"] = cell_index

    client = NotebookClient(
        nb,
        km=kernel.km,
        timeout=timeout,
        allow_errors=False,
        record_timing=True,
        resources={"metadata": {"path": str(kernel.cwd)}},
        on_cell_start=on_cell_start,
    )
    client.kc = kernel.kc
    started = time.time()
    pm = nb.metadata["papermill"]
    pm["start_time"] = _iso(started)
    try:
        client.execute()
        pm["exception"] = None
        return nb
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as exc:
        pm["exception"] = True
        ename = {
            CellTimeoutError: "CellTimeoutError",
            DeadKernelError: "DeadKernelError",
        }.get(type(exc), getattr(exc, "ename", type(exc).__name__))
        evalue = getattr(exc, "evalue", None) or (str(exc).splitlines() or [""])[0]
        if isinstance(exc, CellTimeoutError):
            evalue = f"the cell ran for more than {timeout} s"
        failure = _failure(nb, current["index"], injected, ename, evalue)
        raise ReportFailed(f"Report failed in {failure}", failure, nb) from None
    finally:
        ended = time.time()
        pm["end_time"] = _iso(ended)
        pm["duration"] = round(ended - started, 3)


def _iso(ts: float) -> str:
    from datetime import datetime

    return datetime.fromtimestamp(ts, tz=UTC).isoformat()


def _stderr_lines(nb: Any, limit: int = 20) -> list[str]:
    """First line of each stderr output (warnings): kept out of the HTML, noted in the manifest."""
    found: list[str] = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                found += [ln.strip() for ln in out.get("text", "").splitlines() if ln.strip()]
    return found[:limit]


def run_report(
    notebook: Path,
    parameters: dict[str, Any],
    *,
    title: str,
    kernel: ReportKernel | None = None,
    cwd: Path | None = None,
    timeout: int = DEFAULT_TIMEOUT,
) -> RenderedReport:
    """Execute one report notebook with parameters and export it to offline HTML.

    Parameters
    ----------
    notebook
        The source notebook; it is read, never written.
    parameters
        Values for the injected-parameters cell (JSON-like: str, numbers, lists, dicts).
    title
        The page ``<title>``; the visible ``<h1>`` is the notebook's first markdown heading.
    kernel
        A started :class:`ReportKernel` to reuse; it is reset first. Without one, a kernel is
        started and stopped for this report only (the slow path, for one-off use).
    cwd
        The folder the notebook runs in (default: the kernel's).
    timeout
        Seconds allowed per cell.

    Raises
    ------
    ReportFailed
        When a cell fails (the caller should restart a reused kernel) or export fails.
    """
    from pmlib.render.html import export_html

    if kernel is None:
        with ReportKernel(cwd=cwd) as own:
            return run_report(notebook, parameters, title=title, kernel=own, timeout=timeout)
    t0 = time.perf_counter()
    nb, injected = prepare_notebook(Path(notebook), parameters)
    kernel.reset(cwd)
    t1 = time.perf_counter()
    nb = execute_notebook(nb, kernel, injected=injected, timeout=timeout)
    t2 = time.perf_counter()
    try:
        page = export_html(nb, title=title)
    except RenderError as exc:
        raise ReportFailed(str(exc), None, nb) from None
    t3 = time.perf_counter()
    return RenderedReport(
        title=title,
        html=page,
        notebook=nb,
        artifacts=extract_artifacts(nb),
        seconds=t3 - t0,
        timings={"prepare": t1 - t0, "execute": t2 - t1, "export_html": t3 - t2},
        warnings=_stderr_lines(nb),
    )
