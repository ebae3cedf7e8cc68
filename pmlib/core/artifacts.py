"""Hand structured results from a report notebook to the batch runner.

A notebook cell calls :func:`publish_artifact` (for example with the scorecard as CSV text, the
RAG summary or the report title). The value travels inside the executed notebook as an output with
a private JSON mimetype, so it needs no side files, no shared folder and no second parse of the
HTML. The runner reads it back with :func:`extract_artifacts` and removes it with
:func:`strip_artifacts` before export, so it never shows in the committee report.

This module is imported inside the kernel: it must stay standard-library only.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any

from pmlib.core.errors import RenderError

#: The output mimetype that carries one artifact. nbformat accepts a JSON object only for
#: mimetypes ending in ``+json``, hence the suffix.
ARTIFACT_MIMETYPE = "application/vnd.pmlib.artifact+json"

__all__ = ["ARTIFACT_MIMETYPE", "extract_artifacts", "publish_artifact", "strip_artifacts"]


def publish_artifact(name: str, data: dict[str, Any] | str) -> None:
    """Publish a named result of this notebook for the batch runner.

    Parameters
    ----------
    name
        What the runner looks for, e.g. ``"scorecard_csv"``, ``"summary"`` or ``"title"``.
        Publishing the same name twice keeps the last value.
    data
        A JSON-serialisable dict, or text. Checked here, in the cell that publishes it, so that a
        mistake fails at its source rather than later in the runner.

    Examples
    --------
    >>> publish_artifact("summary", {"Green": 12, "Amber": 3})  # doctest: +SKIP
    """
    if not isinstance(name, str) or not name.strip():
        raise RenderError(f"publish_artifact: expected a non-empty name, found {name!r}.")
    if not isinstance(data, str | dict):
        raise RenderError(
            f"publish_artifact({name!r}): expected a dict or a str, found "
            f"{type(data).__name__}. Fix: convert it first, e.g. frame.to_csv(index=False)."
        )
    try:
        payload = json.loads(json.dumps({"name": name, "data": data}, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise RenderError(
            f"publish_artifact({name!r}): the value is not JSON-serialisable ({exc}). Fix: use "
            f"plain str/int/float/bool/None values, no NaN, e.g. via int(x) or str(x)."
        ) from exc

    from IPython.display import display  # lazy: ~40 ms, only ever called inside a kernel

    bundle = {ARTIFACT_MIMETYPE: payload, "text/plain": f"<pmlib artifact {name!r}>"}
    display(bundle, raw=True)


def _artifact_outputs(cell: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [
        out
        for out in cell.get("outputs", ())
        if out.get("output_type") in ("display_data", "execute_result")
        and ARTIFACT_MIMETYPE in out.get("data", {})
    ]


def extract_artifacts(nb: Mapping[str, Any]) -> dict[str, Any]:
    """Collect every published artifact of an executed notebook, by name (last one wins).

    Works on a plain dict or an ``nbformat.NotebookNode`` and leaves it unchanged.
    """
    found: dict[str, Any] = {}
    for cell in nb.get("cells", ()):
        for out in _artifact_outputs(cell):
            payload = out["data"][ARTIFACT_MIMETYPE]
            if isinstance(payload, str):  # tolerate notebooks saved with the JSON as text
                payload = json.loads(payload)
            found[payload["name"]] = copy.deepcopy(payload["data"])
    return found


def strip_artifacts(nb: Any) -> Any:
    """Return a copy of the notebook without artifact outputs (the input is not modified)."""
    clean = copy.deepcopy(nb)
    for cell in clean.get("cells", ()):
        if "outputs" in cell:
            drop = {id(o) for o in _artifact_outputs(cell)}
            cell["outputs"] = [o for o in cell["outputs"] if id(o) not in drop]
    return clean
