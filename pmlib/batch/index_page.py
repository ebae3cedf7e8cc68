"""The run index ``index.html``: a quarter's reports for the people who use them.

It is the internal working view of an output folder (the public website is ``pmlib publish``),
read by officers and clerks rather than by whoever ran the batch, so it speaks to them: when
the reports were built and whether all are up to date, the **public** reports (with the agenda
pack and the open data) apart from the **internal** ones, each labelled with its audience, and
the build log — rendered, unchanged or failed, timings, notebooks — folded away in a
``<details>`` section. The element ``id="open-data"`` lists the public reports' CSV files
(a public report's footer links ``index.html#open-data``).

Rendered from ``manifest.json`` alone (no pandas, no report is opened), with autoescaping.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

__all__ = ["RAG_BADGES", "csv_label", "render_index"]

TEMPLATES_DIR = Path(__file__).resolve().parents[1] / "render" / "templates"
#: Summary labels drawn as RAG badges: css modifier, symbol (colour is never the only cue).
RAG_BADGES = {
    "green": ("green", "●"),
    "amber": ("amber", "▲"),
    "red": ("red", "■"),
    "grey": ("grey", "◆"),
    "gray": ("grey", "◆"),
    "no data": ("nodata", "○"),
}
#: What each of a report's CSV files holds, by the part of its name after ``<report>-``.
CSV_LABELS = {
    "": "Scorecard",
    "actions": "Key actions",
    "risks": "Strategic risks",
    "audit_actions": "Internal audit actions",
    "finance": "Budget monitoring",
}
AUDIENCES = ("public", "internal")


def _badges(summary: Any) -> list[dict[str, str]]:
    if not isinstance(summary, Mapping):
        return []
    badges = []
    for label, count in summary.items():
        key = " ".join(str(label).replace("_", " ").replace("-", " ").lower().split())
        modifier, symbol = RAG_BADGES.get(key, ("other", ""))
        badges.append({"label": str(label), "count": str(count), "mod": modifier, "sym": symbol})
    return badges


def csv_label(path: str, name: str) -> str:
    """What a report's CSV holds, from its file name: ``data/cabinet-risks.csv`` → "Strategic
    risks" (``data/cabinet.csv`` is the scorecard).

    >>> csv_label("data/cabinet-audit_actions.csv", "cabinet")
    'Internal audit actions'
    """
    stem = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    part = stem[len(name) :].lstrip("-") if stem.startswith(name) else stem
    return CSV_LABELS.get(part, part.replace("_", " ").replace("-", " ").capitalize())


def _when(stamp: object, *, time_of_day: bool = False) -> str:
    text = str(stamp or "")
    with contextlib.suppress(ValueError):
        when = datetime.fromisoformat(text)
        day = f"{when.day} {when:%B %Y}"
        return f"{day} at {when:%H:%M}" if time_of_day else day
    return text


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _headline(rows: list[dict[str, Any]], finished: str) -> str:
    """ "Built 2 December 2026; all 5 reports up to date" (or what is not)."""
    current = [r for r in rows if not r.get("carried_over")]
    ok = sum(r.get("status") in ("ok", "skipped") for r in current)
    failed = len(current) - ok
    built = f"Built {finished}" if finished else "Built"
    if not current:
        state = "no reports"
    elif failed == 0:
        state = "the report is up to date" if ok == 1 else f"all {ok} reports up to date"
    else:
        state = f"{ok} of {_count(len(current), 'report')} up to date; {failed} failed"
        state += " (see the build details below)"
    earlier = len(rows) - len(current)
    if earlier:
        state += f"; {earlier} more from an earlier run"
    return f"{built}; {state}."


def _row(entry: Mapping[str, Any], audience: str | None) -> dict[str, Any]:
    files = entry.get("files") or []
    good = entry.get("status") in ("ok", "skipped")
    name = str(entry.get("name", ""))
    html_file = next((f["path"] for f in files if f.get("kind") == "html"), None)
    pdf_file = next((f["path"] for f in files if f.get("kind") == "pdf"), None)
    csvs = [
        {"path": f["path"], "label": csv_label(f["path"], name)}
        for f in files
        if f.get("kind") == "data" and str(f.get("path", "")).endswith(".csv")
    ]
    return {
        **entry,
        "href": html_file if good else None,
        "pdf": pdf_file if good else None,
        "csvs": csvs if good else [],
        "others": [f for f in files if f.get("kind") not in ("html", "pdf", "data")],
        "badges": _badges(entry.get("summary")),
        "audience": audience,
    }


@functools.cache
def _template() -> Any:
    """The index page's compiled template (kept: the templates ship with pmlib)."""
    import jinja2  # lazy: ~90 ms, only for index.html, not for workers' fingerprints

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(
            [TEMPLATES_DIR / "pmlib_index", TEMPLATES_DIR / "pmlib_report"]
        ),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env.get_template("index.html.j2")


def warm_up() -> None:
    """Import Jinja and compile the index page's template now (~0.1 CPU-s), e.g. from a
    thread while a batch's reports render, instead of after the last one."""
    with contextlib.suppress(Exception):  # render_index reports any problem itself
        _template()


def render_index(manifest: Mapping[str, Any], *, title: str) -> str:
    """``index.html`` for a run's ``manifest.json`` (see the module's docstring)."""
    run = manifest.get("run") or {}
    audience_of = run.get("audience") if isinstance(run.get("audience"), Mapping) else None
    rows = []
    for entry in manifest.get("reports", []):
        audience = None
        if audience_of is not None:
            audience = audience_of.get(entry.get("name"))
            audience = audience if audience in AUDIENCES else "unknown"
        rows.append(_row(entry, audience))
    groups = []
    if audience_of is None:  # a batch of reports with no audience (not a committee run)
        groups.append({"key": "reports", "heading": "Reports", "rows": rows, "note": ""})
    else:
        notes = {
            "public": "For publication and the public committee meetings.",
            "internal": "For officers only, not for publication: these may show internal "
            "indicators, risks and commentary.",
            "unknown": "Reports from an earlier run whose audience was not recorded: check "
            "before sharing them.",
        }
        headings = {"public": "Public reports", "internal": "Internal reports",
                    "unknown": "Other reports"}  # fmt: skip
        for key in ("public", "internal", "unknown"):
            members = [r for r in rows if r["audience"] == key]
            if members:
                groups.append(
                    {"key": key, "heading": headings[key], "rows": members, "note": notes[key]}
                )
    open_rows = [r for r in rows if r["audience"] in (None, "public") and r["csvs"]]
    counts = manifest.get("counts") or {}
    finished = _when(manifest.get("finished"))
    return _template().render(
        title=title,
        manifest=manifest,
        groups=groups,
        rows=rows,
        open_rows=open_rows,
        headline=_headline(rows, finished),
        finished=_when(manifest.get("finished"), time_of_day=True),
        counts=counts,
        jobs=manifest.get("jobs"),
        seconds=manifest.get("seconds"),
        status_words={"ok": "Rendered", "skipped": "Unchanged", "failed": "Failed"},
    )
