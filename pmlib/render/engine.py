"""Papermill's ``pmlib`` engine: run a parameterised notebook in a warm, reset kernel.

Papermill does everything around the run: it reads the notebook, injects the parameters, keeps
``metadata.papermill`` (for the notebook and every cell: start, end, duration, status,
exception), adds its error cells and raises ``PapermillExecutionError`` when a cell fails.
This engine only runs the cells, in a :class:`~pmlib.render.kernel.ReportKernel` reset first
(:func:`~pmlib.render.kernel.reset_kernel_state`), so a batch pays for starting Python and
pandas once per worker rather than once per report::

    papermill.execute_notebook(src, out, parameters, engine_name="pmlib", kernel=warm_kernel)

From the command line, with no kernel handed in, it starts a kernel of its own for the one
notebook (same preload, same reset) and stops it afterwards::

    papermill -e pmlib committee_report.ipynb out.ipynb -p committee environment

Papermill finds the engine through the ``papermill.engine`` entry point (pyproject.toml);
importing this module also registers it, for a source checkout that was never installed.
A cell timeout or a dead kernel becomes an error output in the cell that was running
(``CellTimeoutError`` / ``DeadKernelError``), so papermill reports it the way it reports an
exception, instead of losing the partly run notebook.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

ENGINE_NAME = "pmlib"


def __getattr__(name: str) -> Any:
    """Only reached while this module is half-imported.

    Importing papermill loads every ``papermill.engine`` entry point, this module's included.
    When this module is imported first, papermill asks for ``PmlibEngine`` below, before the
    class exists; it gets ``None`` (papermill treats that as "no engine") and the
    registration at the end of this module replaces it a moment later.
    """
    if name == "PmlibEngine":
        return None
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


from nbclient.exceptions import CellTimeoutError, DeadKernelError  # noqa: E402
from nbformat.v4 import new_output  # noqa: E402
from papermill.clientwrap import PapermillNotebookClient  # noqa: E402
from papermill.engines import Engine, papermill_engines  # noqa: E402
from papermill.log import logger  # noqa: E402
from papermill.utils import remove_args  # noqa: E402

from pmlib.render.kernel import ReportKernel  # noqa: E402

__all__ = ["ENGINE_NAME", "PmlibEngine"]


class PmlibEngine(Engine):
    """Papermill engine running the cells in a :class:`ReportKernel` (``engine_name="pmlib"``).

    Engine keyword arguments, passed through ``papermill.execute_notebook(**engine_kwargs)``:

    kernel
        A started :class:`ReportKernel` to reuse; it is reset first and left running (the
        caller restarts it after a failure). Without one, a kernel is started for this
        notebook only, in the current folder (papermill's ``cwd``), and stopped afterwards.
    on_start
        Called with the notebook once the kernel is ready, before the first cell: the caller
        keeps a reference to the very object papermill then marks up (error cells included)
        and can time the run apart from papermill's reading and parameter injection.
    execution_timeout
        Seconds allowed per cell (papermill's ``--execution-timeout``; ``timeout`` works too).
        Default: no limit, as with papermill's own engine.
    """

    @classmethod
    def execute_managed_notebook(
        cls,
        nb_man: Any,
        kernel_name: str,
        log_output: bool = False,
        stdout_file: Any = None,
        stderr_file: Any = None,
        start_timeout: float = 60,
        execution_timeout: float | None = None,
        kernel: ReportKernel | None = None,
        on_start: Callable[[Any], None] | None = None,
        **kwargs: Any,
    ) -> Any:
        if kernel is None:
            own = ReportKernel(
                cwd=Path.cwd(), kernel_name=kernel_name, startup_timeout=start_timeout
            )
            with own:
                return cls.execute_managed_notebook(
                    nb_man, kernel_name, log_output, stdout_file, stderr_file, start_timeout,
                    execution_timeout, kernel=own, on_start=on_start, **kwargs,
                )  # fmt: skip
        timeout = execution_timeout or kwargs.get("timeout")
        kwargs = remove_args(["input_path", "timeout", "startup_timeout", "kernel_name"], **kwargs)
        nb = nb_man.nb
        _stable_cell_ids(nb)
        kernel.reset(Path.cwd())  # papermill has moved to its ``cwd``
        # Ask for the kernel's info between the reset and the first cell, as nbclient's own
        # execute() does: ipykernel's reply draws one number from ``random``, so the seeded
        # ids great_tables draws next stay those of every earlier pmlib release.
        kernel.info()
        client = _ReportClient(
            nb_man,
            km=kernel.km,
            timeout=timeout,
            startup_timeout=start_timeout,
            kernel_name=kernel.kernel_name,
            log=logger,
            log_output=log_output,
            stdout_file=stdout_file,
            stderr_file=stderr_file,
            **kwargs,
        )
        client.kc = kernel.kc  # reuse the warm kernel's client: nbclient starts and stops nothing
        if on_start is not None:
            on_start(nb)
        try:
            client.execute()
        except (CellTimeoutError, DeadKernelError) as exc:
            _record_in_running_cell(nb_man, exc, timeout)
        return nb


class _ReportClient(PapermillNotebookClient):  # type: ignore[misc]
    """papermill's notebook client, making each output without checking it against the
    notebook schema on its own.

    nbclient makes every output through ``nbformat.v4.output_from_msg``, which validates it
    with jsonschema (a ``$ref`` into the schema: the slow validator, ~20 ms a report's worth of
    outputs each time, ~50 outputs a report). The outputs are the same (:func:`output_from_msg`
    builds them exactly as nbformat does) and the whole notebook is still validated when its
    ``.ipynb`` is written. :meth:`output` is nbclient's own (0.10-0.11), calling that.
    """

    def output(
        self, outs: list[Any], msg: dict[str, Any], display_id: str | None, cell_index: int
    ) -> Any:
        msg_type = msg["msg_type"]
        parent_msg_id = msg["parent_header"].get("msg_id")
        if self.output_hook_stack[parent_msg_id]:  # e.g. an OutputWidget: nbclient's way
            return super().output(outs, msg, display_id, cell_index)
        try:
            out = output_from_msg(msg)
        except ValueError:
            self.log.error(f"unhandled iopub msg: {msg_type}")
            return None
        if self.clear_before_next_output:
            self.log.debug("Executing delayed clear_output")
            outs[:] = []
            self.clear_display_id_mapping(cell_index)
            self.clear_before_next_output = False
        if display_id:  # record the output's index: _display_id_map[display_id][cell_index]
            cell_map = self._display_id_map.setdefault(display_id, {})
            cell_map.setdefault(cell_index, []).append(len(outs))
        if out:
            outs.append(out)
        return out


def output_from_msg(msg: dict[str, Any]) -> Any:
    """``nbformat.v4.output_from_msg`` without the schema check of the one output: the same
    node, with the same defaults, for the four output messages; ``ValueError`` for others."""
    from nbformat import from_dict
    from nbformat.notebooknode import NotebookNode

    msg_type = msg["header"]["msg_type"]
    content = msg["content"]
    out = NotebookNode(output_type=msg_type)
    if msg_type == "execute_result":
        out.metadata, out.data, out.execution_count = NotebookNode(), NotebookNode(), None
        fields = {k: content[k] for k in ("metadata", "execution_count")}
    elif msg_type == "display_data":
        out.metadata, out.data = NotebookNode(), NotebookNode()
        fields = {"metadata": content["metadata"]}
    elif msg_type == "stream":
        out.name, out.text = "stdout", ""
        fields = {k: content[k] for k in ("name", "text")}
    elif msg_type == "error":
        out.ename, out.evalue, out.traceback = "NotImplementedError", "", []
        fields = {k: content[k] for k in ("ename", "evalue", "traceback")}
    else:
        raise ValueError(f"Unrecognized output msg type: {msg_type!r}")
    out.update(from_dict(fields))
    if msg_type in ("execute_result", "display_data"):
        out.data = from_dict(content["data"])
    return out


def _stable_cell_ids(nb: Any) -> None:
    """Give the cells ids that repeat from run to run (they show in the HTML as anchors).

    nbformat gives random ids to the cells of a notebook saved before nbformat 4.5 (it then
    notes ``orig_nbformat_minor``), and papermill's injected cell always gets a random one.
    """
    renumber = nb.metadata.get("orig_nbformat_minor", 5) < 5
    position = 0
    for cell in nb.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.id = "injected-parameters"
        elif renumber:
            position += 1
            cell.id = f"cell-{position}"


def _record_in_running_cell(nb_man: Any, exc: BaseException, timeout: float | None) -> None:
    """Write a timeout or a dead kernel into the cell that was running, as an error output."""
    started = [i for i, c in enumerate(nb_man.nb.cells) if c.metadata.papermill.get("start_time")]
    if not started:  # the kernel died before the first cell
        raise exc
    index = started[-1]
    cell = nb_man.nb.cells[index]
    if isinstance(exc, CellTimeoutError):
        ename, evalue = "CellTimeoutError", f"the cell ran for more than {timeout:g} s"
    else:
        ename, evalue = "DeadKernelError", (str(exc).splitlines() or ["the kernel died"])[0]
    cell.setdefault("outputs", []).append(
        new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])
    )
    nb_man.cell_exception(cell, cell_index=index, exception=exc)


papermill_engines.register(ENGINE_NAME, PmlibEngine)
