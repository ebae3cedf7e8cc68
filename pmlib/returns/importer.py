"""``pmlib returns import``: returned workbooks into the data folder, one workbook at a time,
each all or nothing.

A workbook's figures are checked exactly as ``pmlib validate`` checks the data folder — they are
merged into the tables in memory and the merged tables go through
:func:`pmlib.data.validate.build_dataset` — plus the template's own checks (its key, quarter,
owner and rows; a narrative for every off-target figure). Each problem is named by file, sheet,
Excel cell, value and fix. A workbook with any problem merges nothing and gets a correction
workbook in ``corrections/``; a clean one is merged (status ``submitted``, ``collected_by``,
``collected_at``), with the previous files kept and every changed cell in the audit log.
Importing the same workbook again finds nothing changed and says so.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pmlib.config.settings import read_settings
from pmlib.core.dburl import is_database_url
from pmlib.core.errors import DataValidationError, ParameterError, Problem
from pmlib.core.files import sha256_file
from pmlib.core.model import Dataset
from pmlib.core.periods import Period, parse_quarter
from pmlib.core.workdays import uk_today, working_days_between
from pmlib.data.load import read_tables
from pmlib.data.validate import build_dataset, read_dataset
from pmlib.returns import audit
from pmlib.returns.config import narrative_headings, read_returns_settings, region
from pmlib.returns.db_import import open_store
from pmlib.returns.due import off_target, return_rows, workbook_deadline
from pmlib.returns.make import quarter_folder
from pmlib.returns.reader import Returned, ReturnedRow, read_return
from pmlib.returns.store import read_stored, sources, stage_tables, upsert_cells
from pmlib.returns.textsafe import csv_safe
from pmlib.returns.workbook import OFFICER_STATUSES, RETURN_SHEET, Fill, row_key, write_return

#: Rows added for validation are numbered from here, so their problems can be told apart.
_OFFSET = 1_000_000
_NUMBERS = ("value", "numerator", "denominator")


@dataclass(frozen=True)
class Found:
    """A problem in a returned workbook, with the row and input columns it is about."""

    problem: Problem
    row: ReturnedRow | None = None
    columns: tuple[str, ...] = ()


@dataclass
class Outcome:
    """What happened to one workbook."""

    path: Path
    group: str = ""
    result: str = ""  # merged | unchanged | problems | refused
    problems: list[Problem] = field(default_factory=list)
    correction: Path | None = None
    changes: int = 0
    figures: int = 0
    late_by: int = 0  # working days after the deadline (0: on time)

    def summary(self) -> str:
        late = f", {self.late_by} working day(s) late" if self.late_by > 0 else ""
        if self.result == "merged":
            return (
                f"{self.path.name}: merged {self.figures} figure(s), {self.changes} change(s){late}"
            )
        if self.result == "empty":
            return f"{self.path.name}: no figures or narrative filled in, nothing merged"
        if self.result == "unchanged":
            return f"{self.path.name}: already imported, nothing changed"
        where = f"; correction workbook {self.correction}" if self.correction else ""
        return f"{self.path.name}: {len(self.problems)} problem(s), nothing merged{where}"


def returned_files(paths: list[Path], default: Path) -> list[Path]:
    """The workbooks named (files, or every .xlsx in a folder); the quarter's ``in/`` folder
    when none are named."""
    found: list[Path] = []
    for p in paths or [default]:
        p = Path(p)
        if p.is_dir():
            found += sorted(x for x in p.glob("*.xlsx") if not x.name.startswith(("~$", ".")))
        elif p.exists():
            found.append(p)
        else:
            raise ParameterError(
                f"{p} not found. Fix: name returned workbooks or a folder of them."
            )
    if not found:
        raise ParameterError(
            f"No returned workbooks found in {', '.join(str(p) for p in paths or [default])}. "
            "Fix: save the returned .xlsx files there, or name them."
        )
    return found


def import_returns(
    files: list[Path],
    quarter: str,
    *,
    data_dir: Path | None = None,
    params_dir: Path | None = None,
    returns_dir: Path = Path("returns"),
    by: str = "",
    today: dt.date | None = None,
) -> list[Outcome]:
    """Import each workbook in turn (see the module docstring)."""
    settings = read_settings(params_dir)
    folder = data_dir or settings.council.data_dir
    folder = folder if folder is None or is_database_url(folder) else Path(folder)
    if folder is None:
        raise ParameterError(
            "No data folder. Fix: pass --data DIR or set data_dir in council.yaml."
        )
    q = parse_quarter(quarter, settings.council.fy_start_month)
    today = today or uk_today()
    qdir = quarter_folder(returns_dir, q)
    paths = returned_files(files, qdir / "in")
    outcomes, seen = [], {}
    for path in paths:
        with open_store(folder, settings.council) as tx:
            outcome = _import_one(path, q, folder, params_dir, qdir, by, today, tx, seen)
        outcomes.append(outcome)
    return outcomes


def _import_one(path, q: Period, folder, params_dir, qdir, by, today, tx, seen) -> Outcome:
    out = Outcome(path)
    lock = audit.is_locked(folder, q.label)
    if lock:
        out.result = "refused"
        out.problems.append(
            Problem(path.name, f"{q.label} was locked by {lock['who']} on {lock['at'][:10]}, so "
                    "its figures cannot change", f"ask for it to be unlocked (pmlib unlock "
                    f"--quarter \"{q.label}\" --by NAME --reason ...) if the change is needed")
        )  # fmt: skip
        return out
    dataset = read_dataset(folder, params_dir, today=today)
    rsettings = read_returns_settings(dataset.settings.params_dir)
    headings = narrative_headings(dataset.council)
    ret = read_return(path, q.label, headings)
    out.group = ret.group
    if ret.problems:
        out.result, out.problems = "problems", ret.problems
        return out
    rows = return_rows(dataset, q, rsettings.group_by, [ret.group])
    expected = [
        row_key(i, p)
        for i, p in zip(rows.get("indicator_id", []), rows.get("period", []), strict=False)
    ]
    if expected != ret.keys:
        out.result = "problems"
        out.problems.append(
            Problem(path.name, f"is {ret.group}'s return as it was made, but the indicators "
                    f"{ret.group} returns for {q.label} have changed since (or it is another "
                    "owner's workbook)", "make a new workbook with 'pmlib returns make --owner "
                    f"\"{ret.group}\"' and copy the figures in", column="key", value=ret.group)
        )  # fmt: skip
        return out
    if ret.group in seen:
        out.result = "problems"
        out.problems.append(
            Problem(path.name, f"is a second return from {ret.group} in this import (the first "
                    f"was {seen[ret.group]})", "import one workbook per owner", value=ret.group)
        )  # fmt: skip
        return out
    seen[ret.group] = path.name
    by_key = {row_key(i, p): r for (_, r), i, p in
              zip(rows.iterrows(), rows["indicator_id"], rows["period"], strict=True)}  # fmt: skip
    new_act, new_nar, found = _entries(ret, by_key, headings, path)
    frames, srcs = _raw_tables(folder, dataset.council)
    found += _validate(dataset, frames, srcs, new_act, new_nar, ret, today)
    if found:
        out.result, out.problems = "problems", [f.problem for f in found]
        out.correction = _correction(dataset, q, ret, rows, headings, found, qdir)
        return out
    sha = sha256_file(path)
    entries, changes = _changes(dataset, new_act, new_nar, headings, by, path, sha, q, today)
    out.figures = sum(1 for r in new_act if r["value"] is not None)
    due = workbook_deadline(rows)
    out.late_by = max(0, working_days_between(due, today, region(dataset.council)))
    if not entries:
        out.result = "unchanged" if new_act or new_nar else "empty"
        return out
    note = f"{out.figures} figure(s), {len(entries)} change(s) from {ret.group}"
    if out.late_by:
        note += f"; late: due {due.isoformat()}, {out.late_by} working day(s) late"
    summary = audit.Entry(by, "import", q.label, source=path.name, source_sha256=sha, note=note)
    if is_database_url(folder):  # cells and audit entries in one database transaction
        tx.write(changes, [summary, *entries])
        out.result, out.changes = "merged", len(entries)
        return out
    stored = sources(folder)
    start = dataset.council.fy_start_month
    tables = {}
    for table, cells in changes.items():
        if cells:
            src = stored[table]
            frame = upsert_cells(read_stored(src), cells, start, src.path.suffix.lower())
            tables[table] = (src, frame)
    stage_tables(tx, tables)
    tx.stage(audit.log_path(folder), audit.appended(folder, [summary, *entries]))
    tx.commit()
    out.result, out.changes = "merged", len(entries)
    return out


def _raw_tables(folder, council):
    """The data's tables as raw cells, from the folder or the database."""
    if is_database_url(folder):
        from pmlib.data.sql import read_database  # lazy: imports SQLAlchemy

        return read_database(folder, council.tables)
    return read_tables(folder)


def _num(value: object) -> float:
    return (
        float(value) if isinstance(value, int | float) and not isinstance(value, bool) else math.nan
    )


def _entries(ret: Returned, by_key, headings, path: Path):
    """The returned figures as actuals/narratives rows, with the template's own problems."""
    new_act, new_nar, found = [], [], []
    off_by_indicator: dict[str, list[str]] = {}
    for row in ret.rows:
        info = by_key[row.key]
        e = row.entries
        value = e["value"]
        if value is None and isinstance(e["numerator"], int | float) and e["denominator"]:
            value = _num(e["numerator"]) / _num(e["denominator"])
            value *= 100 if info["unit"] == "percent" else 1
        if value is not None:
            new_act.append(
                {"indicator_id": row.indicator_id, "period": row.period, "value": value,
                 "numerator": e["numerator"], "denominator": e["denominator"],
                 "status": e["status"] or "submitted",
                 "collected_by": info["data_collector"] or ret.group, "_at": row}
            )  # fmt: skip
        number = _num(value)
        if isinstance(value, str):  # a number typed as text ("52.1") counts as the number
            with contextlib.suppress(ValueError):  # else the data's rules report it
                number = float(value)
        status = e["status"]
        if status is not None and str(status).lower() not in OFFICER_STATUSES:
            problem = Problem(
                f"{path.name}, sheet '{RETURN_SHEET}', cell {ret.cell(row, 'status')}",
                f"{row.indicator_id} {row.period}: the status must be submitted or draft",
                "choose submitted (ready for review) or draft from the drop-down; the data "
                "reviewer approves figures, never the return",
                column="status",
                value=status,
            )
            found.append(Found(problem, row, ("status",)))
            if new_act and new_act[-1]["_at"] is row:
                new_act[-1]["status"] = "submitted"  # reported once, here, not again by validate
        if off_target(number, info["target"], info["lower"], info["upper"], info["polarity"],
                      bool(info["comparable"])):  # fmt: skip
            off_by_indicator.setdefault(row.indicator_id, []).append(
                f"{row.period}: {number:g} against a target of {_target_words(info)}"
            )
        if info["narrative_row"]:
            texts = {k: e.get(f"n:{k}") for k in headings}
            texts = {k: None if v is None else str(v) for k, v in texts.items()}
            if any(texts.values()):
                new_nar.append(
                    {"indicator_id": row.indicator_id, "period": info["narrative_period"],
                     **texts, "author": info["data_collector"] or ret.group, "_at": row}
                )  # fmt: skip
            if row.indicator_id in off_by_indicator:
                blank = [k for k, v in texts.items() if not v]
                if blank:
                    cell = ret.cell(row, f"n:{blank[0]}")
                    problem = (
                        Problem(f"{path.name}, sheet '{RETURN_SHEET}', cell {cell}",
                                f"{row.indicator_id} is off target ("
                                f"{'; '.join(off_by_indicator[row.indicator_id])}) but "
                                f"{', '.join(repr(headings[k]) for k in blank)} "
                                f"{'is' if len(blank) == 1 else 'are'} blank",
                                "write the narrative: what happened, what is being done, and "
                                "when it will improve", column=headings[blank[0]])
                    )  # fmt: skip
                    found.append(Found(problem, row, tuple(f"n:{k}" for k in blank)))
    return new_act, new_nar, found


def _target_words(info: pd.Series) -> str:
    if info["polarity"] == "band":
        return f"{info['lower']:g} to {info['upper']:g}"
    return f"{info['target']:g} for {info['target_period']}"


def _validate(dataset: Dataset, frames, srcs, new_act, new_nar, ret: Returned, today):
    """Run the data folder's own validation on the tables with the return merged in."""
    start = dataset.council.fy_start_month
    merged = dict(frames)
    rowmap: dict[tuple[str, int], ReturnedRow] = {}
    for table, new in (("actuals", new_act), ("narratives", new_nar)):
        if not new:
            continue
        raw = frames[table]
        keys = raw["indicator_id"].astype(str) + "|" + _canon(raw["period"], start)
        replaced = {r["indicator_id"] + "|" + r["period"] for r in new}
        kept = raw[~keys.isin(replaced)]
        old = raw[keys.isin(replaced)].set_index(keys[keys.isin(replaced)])
        added = []
        for i, r in enumerate(new):
            k = r["indicator_id"] + "|" + r["period"]
            base = old.loc[k].to_dict() if k in old.index else {}
            full = {**base, **{c: v for c, v in r.items() if c != "_at"}}
            if table == "actuals":
                full.update(collected_at=today.isoformat(), approved_by=None, approved_at=None)
            else:
                full["updated_at"] = today.isoformat()
            full["_row"] = full["source_row"] = _OFFSET + i
            rowmap[(table, _OFFSET + i)] = r["_at"]
            added.append(full)
        merged[table] = pd.concat([kept, pd.DataFrame(added)], ignore_index=True)
    found: list[Found] = []
    try:
        build_dataset(merged, srcs, dataset.settings, today=today)
    except DataValidationError as exc:
        labels = {srcs[t].label: t for t in ("actuals", "narratives")}
        for p in exc.problems:
            if p.severity != "error":
                continue
            table = labels.get(p.file)
            row = rowmap.get((table, p.row)) if table and p.row else None
            if row is None:
                found.append(Found(p))  # about the data folder itself: named as it is
                continue
            column = p.column if p.column in _NUMBERS or p.column == "status" else None
            if table == "narratives":
                column = f"n:{p.column}" if f"n:{p.column}" in ret.cells else None
            column = column or "value"
            cell = ret.cell(row, column)
            problem = Problem(
                f"{ret.path.name}, sheet '{RETURN_SHEET}', cell {cell}",
                f"{row.indicator_id} {row.period}: {p.message}", p.fix, column=p.column,
                value=p.value,
            )  # fmt: skip
            found.append(Found(problem, row, (column,)))
    return found


def _canon(periods: pd.Series, start: int) -> pd.Series:
    from pmlib.core.periods import try_parse_period

    labels = {
        t: (p.label if (p := try_parse_period(t, start)) else "")
        for t in periods.astype(str).unique()
    }
    return periods.astype(str).map(labels)


def _correction(dataset, q, ret: Returned, rows, headings, found: list[Found], qdir) -> Path:
    """The workbook sent back: the officer's entries, problem cells marked, a Problems sheet."""
    fill = Fill()
    for row in ret.rows:
        fill.entries[row.key] = dict(row.entries)
    for f in found:
        p = f.problem
        cell = ret.cell(f.row, f.columns[0]) if f.row else ""
        fill.problems.append(
            {"sheet": RETURN_SHEET if f.row else "", "cell": cell,
             "indicator": f.row.indicator_id if f.row else "",
             "period": f.row.period if f.row else "", "column": p.column or "",
             "value": "" if p.value is None else str(p.value), "problem": p.message,
             "fix": p.fix}
        )  # fmt: skip
        for column in f.columns:
            fill.marks[(f.row.key, column)] = f"{p.message}. Fix: {p.fix}"
    path = qdir / "corrections" / ret.path.name
    write_return(
        path, rows.reset_index(drop=True), council=dataset.council.name, quarter=q.label,
        group=ret.group, headings=headings,
        instructions=[("Corrections", f"{len(found)} problem(s) were found in the workbook "
                       "you returned. The cells are marked in red with a note; the 'Problems' "
                       "sheet lists them. Correct them and send the workbook back.")],
        fill=fill,
    )  # fmt: skip
    return path


def _blank(v: object) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) or v == ""


def _is_number(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _same(a: object, b: object) -> bool:
    """Whether a returned cell equals the held one (numbers within rounding, text as text)."""
    if _blank(a) or _blank(b):
        return _blank(a) and _blank(b)
    if _is_number(a) and _is_number(b):
        return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(a)))
    # text held in a CSV carries the apostrophe that keeps a formula-like text from running
    return str(a) == str(b) or csv_safe(str(a)) == str(b)


def _changes(dataset: Dataset, new_act, new_nar, headings, by, path, sha, q, today):
    """Audit entries for every cell the return changes, and the cells to write per table."""
    entries: list[audit.Entry] = []
    writes: dict[str, dict[str, dict[str, object]]] = {"actuals": {}, "narratives": {}}
    act = dataset.actuals.set_index(["indicator_id", "period"])
    nar = dataset.narratives.set_index(["indicator_id", "period"])
    for r in new_act:
        k = (r["indicator_id"], r["period"])
        old = act.loc[k] if k in act.index else None
        old_status = None if old is None else old["status"]
        diff = {}
        for c in _NUMBERS:
            before = None if old is None else old[c]
            if not _same(r[c], before):
                diff[c] = (before, r[c])
        status_same = old_status == r["status"] or (
            r["status"] == "submitted" and old_status == "approved" and not diff
        )
        if not status_same:
            diff["status"] = (old_status, r["status"])
        if not diff:
            continue
        if old_status == "approved":
            diff["status"] = ("approved", r["status"])
        cells = {c: v for c, (_, v) in diff.items()}
        cells |= {"status": r["status"], "collected_by": r["collected_by"],
                  "collected_at": today.isoformat(), "approved_by": None, "approved_at": None}  # fmt: skip
        writes["actuals"]["|".join(k)] = cells
        note = "changed after approval" if old_status == "approved" else ""
        entries += [
            audit.Entry(
                by, "import", q.label, "actuals", "|".join(k), c, o, n, path.name, sha, note
            )
            for c, (o, n) in diff.items()
        ]
    for r in new_nar:
        k = (r["indicator_id"], r["period"])
        old = nar.loc[k] if k in nar.index else None
        diff = {}
        for c in headings:
            before = None if old is None or c not in old else old[c]
            if not _same(r[c], before):
                diff[c] = (before, r[c])
        if not diff:
            continue
        cells = {c: v for c, (_, v) in diff.items()} | {
            "author": r["author"],
            "updated_at": today.isoformat(),
        }
        writes["narratives"]["|".join(k)] = cells
        entries += [
            audit.Entry(by, "import", q.label, "narratives", "|".join(k), c, o, n, path.name, sha)
            for c, (o, n) in diff.items()
        ]
    return entries, writes
