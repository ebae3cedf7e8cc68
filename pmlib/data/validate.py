"""Check the four tables against the contract and each other, then build the :class:`Dataset`.

Every rule adds :class:`Problem` records instead of raising, so that one run reports everything
wrong (the analyst fixes the spreadsheet once, not once per error). Errors stop the run; warnings
(realistic data-quality issues such as an unapproved figure) are carried on the dataset for the
report's data-quality section.

The rules live beside this module, by what they check: :mod:`~pmlib.data.checks` (periods,
duplicates, ids, the indicator library), :mod:`~pmlib.data.values` (numbers and target cover)
and :mod:`~pmlib.data.governance` (approvals, deadlines, reviews).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from pmlib.config.schemes import check_scheme_warnings
from pmlib.config.settings import read_settings
from pmlib.core.dburl import is_database_url
from pmlib.core.errors import DataValidationError, Problem, Problems
from pmlib.core.files import sha256_file
from pmlib.core.forked import aside, can_fork, usable_cores
from pmlib.core.model import Dataset, Settings
from pmlib.core.periods import PeriodColumn
from pmlib.data import dataset_cache
from pmlib.data.checks import (
    _check_duplicates,
    _check_indicators,
    _check_periods,
    _check_unknown_ids,
    _Indicators,
)
from pmlib.data.governance import _check_approvals, _check_late, _check_reviews
from pmlib.data.library_checks import check_library_periods
from pmlib.data.library_span import check_actuals_in_library
from pmlib.data.load import Source, read_tables
from pmlib.data.overrides import check_overrides
from pmlib.data.plan_contract import PLAN_TABLES
from pmlib.data.plan_tables import validate_plan_tables
from pmlib.data.schema import validate_table
from pmlib.data.spc_checks import check_spc_indicators, check_spc_rebase
from pmlib.data.values import _check_targets_cover, _check_values


def build_dataset(
    frames: dict[str, pd.DataFrame],
    sources: dict[str, Source],
    settings: Settings,
    *,
    today: dt.date | None = None,
) -> Dataset:
    """Validate raw frames (from :func:`pmlib.data.load.read_tables`) into a :class:`Dataset`."""
    return _checked(_type_tables(frames, sources, settings, today or dt.date.today()))


@dataclass(frozen=True)
class _Typed:
    """The tables typed and their periods read: what a :class:`Dataset` is made of, and what
    the rules that only find problems read (:func:`_rules`). Validation in two stages, so the
    rules can run beside the work on the dataset (:func:`read_dataset_checking_aside`)."""

    sources: dict[str, Source]
    settings: Settings
    today: dt.date
    typed: dict[str, pd.DataFrame]
    periods: dict[str, PeriodColumn]
    problems: Problems  # found typing the tables (columns, cells), in reading order
    period_problems: dict[str, Problems]
    plan: dict[str, pd.DataFrame]
    plan_problems: Problems

    def dataset(self, warnings: Problems | list) -> Dataset:
        return Dataset(
            **{t: self.typed[t].drop(columns="_row").reset_index(drop=True) for t in _TABLES},
            settings=self.settings,
            sources={t: s.path for t, s in self.sources.items()},
            warnings=warnings,
            **self.plan,
        )


def _type_tables(
    frames: dict[str, pd.DataFrame], sources: dict[str, Source], settings: Settings, today: dt.date
) -> _Typed:
    """The first stage: every table typed, its periods read, the plan tables made. Raises when a
    table lacks a column the rules need (they would only repeat it)."""
    start = settings.council.fy_start_month
    problems = Problems()
    typed: dict[str, pd.DataFrame] = {}
    for table in _TABLES:
        frame, found = validate_table(frames[table], table, sources[table].label)
        problems += found
        if frame is not None:  # None: a required column is missing; later rules would repeat it
            typed[table] = frame
    if "indicators" in typed and typed["indicators"].empty:
        problems += [
            Problem(
                sources["indicators"].label,
                "has no indicators",
                "add one row per indicator under the header",
            )
        ]
    if "visibility" not in frames["indicators"]:
        problems += [
            Problem(
                sources["indicators"].label,
                "has no visibility column, so every indicator is treated as public",
                "add a visibility column and mark indicators that must not reach a public "
                "committee 'internal' (the others 'public')",
                row=1,
                column="visibility",
                severity="warning",
            )
        ]
    if len(typed) < 4:
        raise DataValidationError(problems)
    periods: dict[str, PeriodColumn] = {}
    period_problems: dict[str, Problems] = {}
    for table in ("targets", "actuals", "narratives"):
        typed[table], found, periods[table] = _check_periods(
            typed[table], sources[table].label, start
        )
        period_problems[table] = Problems() + found
    labels = {t: s.label for t, s in sources.items()}
    plan, found = validate_plan_tables(frames, labels, settings, typed["indicators"]["id"])
    return _Typed(
        sources, settings, today, typed, periods, problems, period_problems, plan,
        Problems() + found,
    )  # fmt: skip


def _checked(t: _Typed) -> Dataset:
    """The second stage: the dataset of ``t`` with its warnings, or the
    :class:`~pmlib.core.errors.DataValidationError` listing every problem."""
    problems = _rules(t)
    if problems.has_errors():
        raise DataValidationError(problems)
    dataset = t.dataset(problems)
    extra = check_scheme_warnings(dataset)
    if any(p.severity == "error" for p in extra):  # an indicator no scheme can rate
        raise DataValidationError(list(problems) + extra)
    return Dataset(**{**dataset.__dict__, "warnings": dataset.warnings + extra})


def _rules(t: _Typed) -> Problems:
    """Every problem in ``t``'s tables, in reading order: those found typing them and those the
    rules find (which change nothing)."""
    typed, periods, sources, settings = t.typed, t.periods, t.sources, t.settings
    start = settings.council.fy_start_month
    problems = Problems() + t.problems
    ind = typed["indicators"]
    problems += _check_indicators(ind, sources["indicators"].label, settings)
    problems += _check_reviews(ind, sources["indicators"].label, t.today)
    problems += check_library_periods(ind, sources["indicators"].label, start)
    problems += check_spc_rebase(ind, sources["indicators"].label, start)
    problems += check_spc_indicators(ind, settings)
    lookup = _Indicators(ind)
    positions: dict[str, np.ndarray] = {}
    for table in ("targets", "actuals", "narratives"):
        label = sources[table].label
        problems += t.period_problems[table]
        id_codes, id_uniques = pd.factorize(typed[table]["indicator_id"], use_na_sentinel=True)
        positions[table] = lookup.positions(typed[table]["indicator_id"], (id_codes, id_uniques))
        problems += _check_unknown_ids(typed[table], positions[table], label)
        problems += _check_duplicates(
            typed[table],
            ["indicator_id", "period"],
            label,
            "indicator and period",
            [(id_codes, len(id_uniques)), (periods[table].codes, len(periods[table].periods))],
        )
    problems += _check_values(
        typed["targets"],
        positions["targets"],
        lookup,
        sources["targets"].label,
        ["target", "intervention", "lower", "upper"],
        "targets",
    )
    problems += _check_values(
        typed["actuals"],
        positions["actuals"],
        lookup,
        sources["actuals"].label,
        ["value"],
        "actuals",
    )
    problems += _check_targets_cover(
        typed["actuals"],
        positions["actuals"],
        periods["actuals"],
        typed["targets"],
        positions["targets"],
        periods["targets"],
        lookup,
        sources["actuals"].label,
    )
    problems += _check_approvals(
        typed["actuals"], sources["actuals"].label, settings.council.submission_deadline_days
    )
    problems += _check_late(
        typed["actuals"],
        periods["actuals"],
        sources["actuals"].label,
        settings.council,
        ind,
        positions["actuals"],
    )
    problems += check_actuals_in_library(typed, positions, periods, sources, ind)
    problems += t.plan_problems
    pos = positions["actuals"]
    collectors = ind["data_collector"].astype(object).to_numpy()
    if len(collectors):  # each row's indicator's collector, for rows with no collected_by
        collectors = np.where(pos >= 0, collectors[np.maximum(pos, 0)], None)
    problems += check_overrides(
        typed["actuals"],
        sources["actuals"].label,
        # object dtype: looked up on overridden rows only, not inferred as text a million times
        pd.Series(collectors, dtype=object) if len(collectors) else None,
    )
    return problems


_TABLES = ("indicators", "targets", "actuals", "narratives")


def read_dataset(
    data_dir: Path | str | None = None,
    params_dir: Path | str | None = None,
    *,
    today: dt.date | None = None,
) -> Dataset:
    """Read the parameters and data folders and return a validated :class:`Dataset`.

    ``data_dir`` defaults to ``data_dir`` in council.yaml; either may be a database URL
    (:mod:`pmlib.data.sql`, docs/databases.md). Raises
    :class:`~pmlib.core.errors.DataValidationError` listing every problem.
    """
    return read_dataset_keyed(data_dir, params_dir, today=today)[0]


def read_dataset_keyed(
    data_dir: Path | str | None = None,
    params_dir: Path | str | None = None,
    *,
    today: dt.date | None = None,
) -> tuple[Dataset, tuple | None]:
    """:func:`read_dataset`, and what identifies the dataset read: its files' paths and
    SHA-256, the parameters' and the validation date (``None`` for a database, read afresh
    each time). Two reads with the same key give equal datasets, so a result computed from
    one unchanged dataset serves the other (:func:`pmlib.rating.rater.shared_rater`)."""
    return _read_keyed(read_settings(params_dir), data_dir, today)


def _read_keyed(
    settings: Settings, data_dir: Path | str | None, today: dt.date | None
) -> tuple[Dataset, tuple | None]:
    folder = _data_location(data_dir, settings)
    if is_database_url(folder):  # a database (pmlib.data.sql): read afresh every time
        return _read_database(str(folder).strip(), settings, today), None
    folder = Path(folder)
    key = _cache_key(folder, settings.params_dir, today)
    cached = _cached(key)
    if cached is None:
        frames, sources = read_tables(folder)
        cached = build_dataset(frames, sources, settings, today=today)
        _store(key, cached)
    _remember(key, cached)
    return _fresh_copy(cached), key


def read_dataset_checking_aside(
    data_dir: Path | str | None = None,
    params_dir: Path | str | None = None,
    *,
    today: dt.date | None = None,
) -> tuple[Dataset, Callable[[], Dataset]]:
    """:func:`read_dataset` for a command that reads the data, works on it and writes one
    result at the end (``pmlib rate --out``): the dataset as soon as its tables are typed, and
    ``confirm``. The rules that only find problems (about half of validation on a million
    actuals) run meanwhile in a forked child (:func:`pmlib.core.forked.aside`). ``confirm()``
    waits for them and returns the dataset with its warnings, or raises the
    :class:`~pmlib.core.errors.DataValidationError` :func:`read_dataset` would have raised.

    Call ``confirm()`` before writing anything, and before reporting any error found while
    working on the unconfirmed dataset: bad data must be reported as bad data. A database, a
    dataset validated by an earlier process, a machine that cannot fork or a process with one
    core is read and validated here first (``confirm`` then returns it at once).
    """
    settings = read_settings(params_dir)
    folder = _data_location(data_dir, settings)
    if is_database_url(folder) or not can_fork() or usable_cores() < 2:
        dataset = _read_keyed(settings, data_dir, today)[0]
        return dataset, lambda: dataset
    folder = Path(folder)
    key = _cache_key(folder, settings.params_dir, today)
    cached = _cached(key)
    if cached is not None:
        _remember(key, cached)
        dataset = _fresh_copy(cached)
        return dataset, lambda: dataset
    frames, sources = read_tables(folder)
    typed = _type_tables(frames, sources, settings, today or dt.date.today())
    warnings = aside(lambda: _checked(typed).warnings)
    base = typed.dataset(typed.problems)
    unchecked = _fresh_copy(base)  # the caller's, as read_dataset gives: the cache keeps base
    confirmed: list[Dataset] = []

    def confirm() -> Dataset:
        if not confirmed:
            checked = Dataset(**{**base.__dict__, "warnings": warnings()})
            _store(key, checked)
            _remember(key, checked)
            confirmed.append(Dataset(**{**unchecked.__dict__, "warnings": checked.warnings}))
        return confirmed[0]

    return unchecked, confirm


def _data_location(data_dir: Path | str | None, settings: Settings) -> Path | str:
    folder = data_dir if data_dir is not None else settings.council.data_dir
    if folder is None:
        raise DataValidationError(
            [
                Problem(
                    "council.yaml",
                    "no data folder given",
                    "pass --data DIR or set data_dir in council.yaml",
                    column="data_dir",
                )
            ]
        )
    return folder


def _cached(key: tuple | None) -> Dataset | None:
    cached = _CACHE.get(key) if key is not None else None
    if cached is None and key is not None:
        cached = dataset_cache.load_dataset(key)  # validated by an earlier process
    return cached


def _store(key: tuple | None, dataset: Dataset) -> None:
    if key is not None:
        dataset_cache.store_dataset(key, dataset)


def _remember(key: tuple | None, dataset: Dataset) -> None:
    if key is not None:
        _CACHE.clear()  # one dataset at a time: a kernel renders one council
        _CACHE[key] = dataset


def _read_database(url: str, settings: Settings, today: dt.date | None) -> Dataset:
    """The dataset from a database: the same validation, problems named by table and key."""
    from pmlib.data.sql import name_rows, read_database  # lazy: imports SQLAlchemy

    frames, sources = read_database(url, settings.council.tables)
    try:
        dataset = build_dataset(frames, sources, settings, today=today)
    except DataValidationError as exc:
        found = [*exc.problems, *exc.warnings]
        raise DataValidationError(name_rows(found, frames, sources)) from None
    warnings = name_rows(dataset.warnings, frames, sources)
    return Dataset(**{**dataset.__dict__, "warnings": type(dataset.warnings)(warnings)})


#: The last dataset read, keyed by its files' paths and SHA-256 (not modification times, which
#: some file systems keep to the second); on disk too, for the next process
#: (:mod:`pmlib.data.dataset_cache`: the batch's parent validates, its kernels load). A warm
#: report kernel renders several committees from the same files; validating them once saves
#: ~0.5 s a report on the demo council. Callers get their own copy of the tables, so a
#: notebook that changes one cannot leak into the next report.
_CACHE: dict[tuple, Dataset] = {}


def _cache_key(folder: Path, params_dir: Path | None, today: dt.date | None) -> tuple | None:
    files = []
    for base in (Path(folder), Path(params_dir) if params_dir else None):
        if base is None or not base.is_dir():
            return None
        for p in sorted(base.iterdir()):
            if p.is_file() and not p.name.startswith((".", "~$")):
                files.append((str(p.resolve()), sha256_file(p)))
    return (str(Path(folder).resolve()), today or dt.date.today(), tuple(files))


def _fresh_copy(dataset: Dataset) -> Dataset:
    tables = ("indicators", "targets", "actuals", "narratives", *PLAN_TABLES)
    deep = not _copy_on_write()  # with copy-on-write a shallow copy is already independent
    return Dataset(
        **{**dataset.__dict__, **{t: getattr(dataset, t).copy(deep=deep) for t in tables}}
    )


def _copy_on_write() -> bool:
    """Whether pandas copies shared data before any write (always from pandas 3)."""
    if int(pd.__version__.split(".")[0]) >= 3:
        return True
    return pd.options.mode.copy_on_write is True
