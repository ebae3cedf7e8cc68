"""Sign-off and locked periods: ``pmlib approve``, ``reject``, ``lock`` and ``unlock``.

South Derbyshire's framework separates the data collector, who submits a figure, from the data
reviewer, who checks and signs it off; so an approval by the figure's collector is refused, and
one by anybody other than the indicator's ``data_reviewer`` is allowed with a warning naming who
should. A rejected figure goes back to ``draft`` with the reason in the audit log (the next
reminder quotes it). Once the reports are final a quarter is locked: imports and sign-offs that
would change its figures are refused until it is unlocked, with a reason, and both are logged.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pmlib.config.settings import check_committee
from pmlib.core.dburl import is_database_url
from pmlib.core.errors import ParameterError, PmlibError
from pmlib.core.periods import Period, parse_quarter
from pmlib.core.workdays import uk_today
from pmlib.data.validate import read_dataset
from pmlib.returns import audit
from pmlib.returns.config import read_returns_settings
from pmlib.returns.db_import import open_store
from pmlib.returns.due import return_rows
from pmlib.returns.store import read_stored, sources, stage_tables, upsert_cells


class SignOffError(PmlibError):
    """A sign-off the framework does not allow (collector approving, locked period)."""


@dataclass
class SignOff:
    """What a sign-off did: the figures changed, and warnings to show."""

    changed: list[str] = field(default_factory=list)  # "ENV01 2026-10"
    skipped: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _same_person(a: object, b: object) -> bool:
    return isinstance(a, str) and isinstance(b, str) and a.strip().lower() == b.strip().lower()


def _figures(dataset, quarter: Period, indicators, owner, committee, group_by) -> pd.DataFrame:
    """The quarter's figures (actuals rows due in its return) chosen by indicator, owner or
    committee, with the indicator's data reviewer."""
    due = return_rows(dataset, quarter, group_by)
    if due.empty:
        return due
    if indicators:
        unknown = sorted(set(indicators) - set(due["indicator_id"]))
        if unknown:
            raise ParameterError(
                f"No figures for {', '.join(unknown)} are due in {quarter.label}. Fix: use the "
                f"ids of indicators in the return, e.g. {', '.join(due['indicator_id'].drop_duplicates()[:3])}."
            )
        due = due[due["indicator_id"].isin(indicators)]
    if owner:
        if owner not in set(due["group"]):
            raise ParameterError(
                f"{owner!r} returns no figures in {quarter.label}. Fix: use one of "
                f"{', '.join(sorted(due['group'].unique()))}."
            )
        due = due[due["group"] == owner]
    if committee:
        ids = dataset.indicators_for(check_committee(dataset.settings, committee))["id"]
        due = due[due["indicator_id"].isin(ids)]
    act = dataset.actuals[["indicator_id", "period", "status", "collected_by", "approved_by"]]
    return due[["indicator_id", "period", "data_reviewer"]].merge(
        act, on=["indicator_id", "period"], how="left"
    )


def _refuse_if_locked(data_dir: Path, quarter: Period) -> None:
    lock = audit.is_locked(data_dir, quarter.label)
    if lock:
        raise SignOffError(
            f"{quarter.label} is locked (by {lock['who']} on {lock['at'][:10]}): its figures "
            f"cannot change. Fix: if a change is needed, pmlib unlock --quarter "
            f'"{quarter.label}" --by NAME --reason "...", which is recorded in the audit log.'
        )


def _apply(folder, dataset, writes, entries, tx) -> None:
    if is_database_url(folder):  # cells and audit entries in one database transaction
        tx.write({"actuals": writes}, entries)
        return
    stored = sources(folder)["actuals"]
    frame = upsert_cells(
        read_stored(stored), writes, dataset.council.fy_start_month, stored.path.suffix.lower()
    )
    stage_tables(tx, {"actuals": (stored, frame)})
    tx.stage(audit.log_path(folder), audit.appended(folder, entries))
    tx.commit()


def sign_off(
    action: str,
    quarter: str,
    by: str,
    *,
    indicators: list[str] | None = None,
    owner: str | None = None,
    committee: str | None = None,
    reason: str = "",
    data_dir: Path | None = None,
    params_dir: Path | None = None,
    today: dt.date | None = None,
) -> SignOff:
    """Approve or reject the chosen figures of a quarter (``action``: approve | reject)."""
    if not by.strip():
        raise ParameterError("Say who is signing off. Fix: --by NAME.")
    if action == "reject" and not reason.strip():
        raise ParameterError('A rejection needs a reason. Fix: --reason "...".')
    today = today or uk_today()
    dataset = read_dataset(data_dir, params_dir, today=today)
    folder = data_dir or dataset.council.data_dir
    q = parse_quarter(quarter, dataset.council.fy_start_month)
    group_by = read_returns_settings(dataset.settings.params_dir).group_by
    out = SignOff()
    with open_store(folder, dataset.council) as tx:
        _refuse_if_locked(folder, q)
        figures = _figures(dataset, q, indicators, owner, committee, group_by)
        writes: dict[str, dict[str, object]] = {}
        entries: list[audit.Entry] = []
        refused: list[str] = []
        for r in figures.itertuples(index=False):
            name = f"{r.indicator_id} {r.period}"
            key = f"{r.indicator_id}|{r.period}"
            status = r.status if isinstance(r.status, str) else None
            if action == "approve":
                if status != "submitted":
                    out.skipped.append(f"{name}: {status or 'not returned'}")
                    continue
                if _same_person(by, r.collected_by):
                    refused.append(
                        f"{name} was collected by {r.collected_by}; the collector cannot approve "
                        f"it (its data reviewer is {r.data_reviewer or 'not named'})"
                    )
                    continue
                if r.data_reviewer and not _same_person(by, r.data_reviewer):
                    out.warnings.append(
                        f"{name}: approved by {by}, but its data reviewer is {r.data_reviewer}"
                    )
                writes[key] = {"status": "approved", "approved_by": by,
                               "approved_at": today.isoformat()}  # fmt: skip
                entries.append(audit.Entry(by, "approve", q.label, "actuals", key, "status",
                                           status, "approved"))  # fmt: skip
            else:
                if status not in ("submitted", "approved"):
                    out.skipped.append(f"{name}: {status or 'not returned'}")
                    continue
                writes[key] = {"status": "draft", "approved_by": None, "approved_at": None}
                entries.append(audit.Entry(by, "reject", q.label, "actuals", key, "status",
                                           status, "draft", note=reason))  # fmt: skip
            out.changed.append(name)
        if refused:
            raise SignOffError(
                "Nothing was approved: the data collector and the data reviewer must be "
                "different people.\n  " + "\n  ".join(refused) + "\nFix: ask the data reviewer "
                "to approve these figures."
            )
        if writes:
            _apply(folder, dataset, writes, entries, tx)
    return out


def set_lock(
    locked: bool,
    quarter: str,
    by: str,
    *,
    reason: str = "",
    data_dir: Path | None = None,
    params_dir: Path | None = None,
) -> str:
    """Lock (``locked=True``) or unlock a quarter; the change is an audit log entry."""
    if not by.strip():
        raise ParameterError("Say who is locking or unlocking. Fix: --by NAME.")
    if not locked and not reason.strip():
        raise ParameterError('Unlocking needs a reason. Fix: --reason "...".')
    dataset = read_dataset(data_dir, params_dir)
    folder = data_dir or dataset.council.data_dir
    q = parse_quarter(quarter, dataset.council.fy_start_month)
    with open_store(folder, dataset.council) as tx:
        held = audit.is_locked(folder, q.label)
        if locked and held:
            return f"{q.label} is already locked (by {held['who']} on {held['at'][:10]})."
        if not locked and not held:
            return f"{q.label} is not locked."
        entry = audit.Entry(by, "lock" if locked else "unlock", q.label, note=reason)
        if is_database_url(folder):
            tx.write({}, [entry])
        else:
            tx.stage(audit.log_path(folder), audit.appended(folder, [entry]))
            tx.commit()
    return f"{q.label} {'locked' if locked else 'unlocked'} by {by}."
