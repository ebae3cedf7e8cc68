"""A stand-in for the batch's process pool: records which reports a run rendered and writes
a small page for each, so the batch's bookkeeping can be tested without kernels."""

from __future__ import annotations

from collections.abc import Callable

from pmlib.batch import runner as batch
from pmlib.batch.manifest import file_record


def record_renders(monkeypatch, page: Callable = lambda spec: f"<p>{spec.name}</p>") -> list[str]:
    """Replace ``run_pool`` for the test; the names rendered, run after run."""
    names: list[str] = []

    def fake_pool(todo, out_dir, formats, *, done, **_):
        for spec in todo:
            names.append(spec.name)
            html = out_dir / f"{spec.name}.html"
            html.write_text(page(spec), encoding="utf-8")
            done[spec.name] = {
                "status": "ok", "error": None, "seconds": 1.0,
                "files": [file_record(html, out_dir, "html")],
            }  # fmt: skip

    monkeypatch.setattr(batch, "run_pool", fake_pool)
    return names
