"""Execute one report notebook through papermill in a warm kernel and export it to offline HTML.

:func:`run_report` calls ``papermill.execute_notebook(..., engine_name="pmlib")``: papermill
reads the notebook, injects the parameters and writes ``metadata.papermill`` and its error
cells; the ``pmlib`` engine (:mod:`pmlib.render.engine`) runs the cells in the caller's warm
:class:`~pmlib.render.kernel.ReportKernel`, reset first. The executed notebook is then exported
with :func:`pmlib.render.html.export_html`. A failing cell becomes a :class:`ReportFailed` whose
message is two lines (which cell, which line, which exception) instead of papermill's
200-line traceback.

Heavy libraries (papermill, nbclient, nbformat, nbconvert) are imported inside functions so
that importing this module (for its types, in the batch runner's parent) stays cheap.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
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
_ERROR_CELL_TAG = "papermill-error-cell-tag"  # papermill.execute.ERROR_MARKER_TAG


def _import_papermill() -> None:
    """Import papermill without its optional HDFS support, which imports pyarrow (~0.3 s per
    worker) for ``hdfs://`` notebook paths that reports never use.

    papermill only tries ``from pyarrow.fs import ...`` and falls back when that fails; the
    block lasts for this import only, so anything else importing ``pyarrow.fs`` later works.
    """
    import sys

    if "papermill" in sys.modules:
        return
    blocked = "pyarrow.fs" not in sys.modules
    if blocked:
        sys.modules["pyarrow.fs"] = None  # type: ignore[assignment]  # -> ImportError
    try:
        import papermill  # noqa: F401
    finally:
        if blocked and sys.modules.get("pyarrow.fs", 0) is None:
            del sys.modules["pyarrow.fs"]


def warm_up() -> None:
    """Import what running and exporting a report needs, before the first report needs it."""
    _import_papermill()  # first: it loads its engines' entry points

    import pmlib.render.engine  # noqa: F401
    from pmlib.render.html import warm_up as warm_up_export

    warm_up_export()


def _first_line(source: str) -> str:
    return next((ln.strip() for ln in source.splitlines() if ln.strip()), "")


def _failure(nb: Any, exc: Any) -> CellFailure:
    """Where papermill's ``PapermillExecutionError`` happened, counted as a reader counts.

    ``exc.cell_index`` indexes the cells before papermill added its error cells; the position
    reported is 1-based in the source notebook, i.e. not counting the injected cell.
    """
    cells = [c for c in nb.cells if _ERROR_CELL_TAG not in c.metadata.get("tags", [])]
    index = exc.cell_index
    injected = next(
        (i for i, c in enumerate(cells) if "injected-parameters" in c.metadata.get("tags", [])),
        None,
    )
    line = None
    for entry in exc.traceback or []:
        m = _CELL_LINE.search(_ANSI.sub("", entry))
        if m:
            line = int(m.group(1))
    lines = (exc.source or "").splitlines()
    line_source = lines[line - 1] if line is not None and 0 < line <= len(lines) else ""
    if index == injected:
        position = None
    else:
        position = index if injected is not None and index > injected else index + 1
    return CellFailure(
        cell=position,
        execution_count=exc.exec_count,
        first_line=_first_line(exc.source or ""),
        ename=exc.ename,
        evalue=_ANSI.sub("", str(exc.evalue)).strip(),
        line=line,
        line_source=line_source,
    )


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
    """Execute one report notebook with parameters (papermill, ``pmlib`` engine) and export it
    to offline HTML.

    Parameters
    ----------
    notebook
        The source notebook; it is read, never written.
    parameters
        Values for papermill's injected-parameters cell (JSON-like: str, numbers, lists,
        dicts). With none, papermill injects no cell.
    title
        The page ``<title>``; the visible ``<h1>`` is the notebook's first markdown heading.
    kernel
        A started :class:`ReportKernel` to reuse; it is reset first. Without one, the engine
        starts and stops a kernel for this report only (the slow path, for one-off use).
    cwd
        The folder the notebook runs in (default: the kernel's, else the current folder).
    timeout
        Seconds allowed per cell.

    Returns
    -------
    RenderedReport
        ``timings``: ``prepare`` (papermill reads the notebook and injects the parameters; the
        kernel is reset), ``execute`` (the cells) and ``export_html``; each cell's own time is
        in its ``metadata.papermill.duration``.

    Raises
    ------
    ReportFailed
        When a cell fails, times out or kills the kernel (the caller should restart a reused
        kernel), or export fails. It carries the notebook with papermill's error cells.
    """
    _import_papermill()
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from pmlib.render.engine import ENGINE_NAME
    from pmlib.render.html import export_html

    t0 = time.perf_counter()
    running: dict[str, Any] = {}

    def on_start(nb: Any) -> None:
        running.update(nb=nb, started=time.perf_counter())

    folder = cwd or (kernel.cwd if kernel is not None else None)
    try:
        nb = papermill.execute_notebook(
            str(notebook),
            None,  # the caller writes the files, atomically
            parameters=dict(parameters),
            engine_name=ENGINE_NAME,
            # a warm kernel is a Python kernel whatever the notebook's metadata says
            kernel_name=kernel.kernel_name if kernel is not None else None,
            language="python" if kernel is not None else None,
            progress_bar=False,
            request_save_on_cell_execute=False,
            cwd=None if folder is None else str(folder),
            kernel=kernel,
            on_start=on_start,
            execution_timeout=timeout,
        )
    except PapermillExecutionError as exc:
        failure = _failure(running["nb"], exc)
        raise ReportFailed(f"Report failed in {failure}", failure, running["nb"]) from None
    t2 = time.perf_counter()
    t1 = running.get("started", t0)
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
