"""What a batch is asked to render and what it reports back: specs, results, output formats.

Its own module so that the runner and the worker pool can both use :class:`ReportSpec`
without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pmlib.core.errors import RenderError

#: Output format -> "module:function" writing it; see the module docstring.
OUTPUT_FORMATS: dict[str, str] = {
    "html": "pmlib.batch.pool:write_html",
    "pdf": "pmlib.pdf.chromium:write_pdf",
}


def register_output_format(name: str, target: str) -> None:
    """Add an output format: ``target`` is ``"module:function"``, imported in each worker.

    The function is called as ``function(report, out_dir, name) -> list[Path]`` after the HTML
    is rendered (``report`` is a :class:`pmlib.render.notebook.RenderedReport`); it must write its files
    atomically (``pmlib.core.files.write_bytes_atomic``) and return their paths.
    """
    if ":" not in target:
        raise RenderError(f"Output format {name!r}: expected 'module:function', found {target!r}.")
    OUTPUT_FORMATS[name] = target


@dataclass(frozen=True)
class ReportSpec:
    """One report to render: ``name`` is the file stem (``<name>.html``), e.g. a committee slug."""

    name: str
    title: str
    notebook: Path
    parameters: dict[str, Any] = field(default_factory=dict)
    #: Expected relative cost (e.g. the number of indicators). Heavier reports are started
    #: first so that the workers finish together; it does not change any output or order.
    weight: float = 1.0
    #: What of its work other reports of the batch can reuse (for a committee report: the
    #: indicators it shows, keyed by data folder and period, whose charts it draws). Reports
    #: sharing keys are run one after another where that saves work
    #: (:mod:`pmlib.batch.schedule`); like ``weight``, it changes no output.
    shares: frozenset[str] = frozenset()
    #: Input files or folders (or database tables, :class:`pmlib.core.sources.DatabaseTable`)
    #: this report reads besides the batch's ``inputs`` (``run_batch(inputs=...)``): e.g. its
    #: council's tables and parameter files when one batch holds many councils. Only the
    #: batch's inputs and these are fingerprinted and recorded for the report, so editing one
    #: council's file re-renders that council's reports and no others.
    inputs: tuple[Any, ...] = ()


@dataclass
class ReportResult:
    """What happened to one report in this run (also its manifest entry, see ``entry``)."""

    name: str
    status: str  # "ok" | "failed" | "skipped"
    seconds: float
    error: str | None
    entry: dict[str, Any]


@dataclass
class BatchResult:
    """Per-report outcomes plus where the manifest and index were written."""

    out_dir: Path
    reports: list[ReportResult]
    seconds: float
    manifest_path: Path
    index_path: Path

    def by_status(self, status: str) -> list[ReportResult]:
        return [r for r in self.reports if r.status == status]

    @property
    def failed(self) -> list[ReportResult]:
        return self.by_status("failed")

    @property
    def exit_code(self) -> int:
        """1 if any report failed, else 0 (the CLI's choice, offered for convenience)."""
        return 1 if self.failed else 0
