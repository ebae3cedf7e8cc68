"""Check the four tables against the contract and each other, then build the :class:`Dataset`.

Every rule adds :class:`Problem` records instead of raising, so that one run reports everything
wrong (the analyst fixes the spreadsheet once, not once per error). Errors stop the run; warnings
(realistic data-quality issues such as an unapproved figure) are carried on the dataset for the
report's data-quality section.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from pmlib.core.errors import DataValidationError, Problem, Problems
from pmlib.core.files import sha256_file
from pmlib.core.frames import codes_in, isin, take
from pmlib.core.model import Dataset, Settings
from pmlib.core.periods import ACCEPTED_FORMS, PeriodColumn, parse_period_column
from pmlib.data.load import Source, read_tables
from pmlib.data.schema import validate_table

_FREQ_KIND = {"monthly": "month", "quarterly": "quarter", "annual": "year"}
_KINDS = ("month", "quarter", "year")


def _mask(mask: pd.Series | np.ndarray) -> np.ndarray:
    """A plain boolean array; a missing (NA) answer counts as False."""
    if isinstance(mask, pd.Series):
        if mask.dtype == bool:
            return mask.to_numpy()
        return mask.fillna(False).to_numpy(dtype=bool)
    return np.asarray(mask, dtype=bool)


def _problems_for_rows(
    frame: pd.DataFrame,
    mask: pd.Series | np.ndarray,
    file: str,
    column: str,
    message: str,
    fix: str,
    *,
    severity: str = "error",
    values: pd.Series | None = None,
) -> Problems:
    """One Problem per row where ``mask`` holds, found with numpy and built (in bulk, from the
    selected rows and values: no DataFrame row access) only when first looked at.

    ``values`` (default: the frame's ``column``) is aligned with the frame by position.
    """
    hit = np.flatnonzero(_mask(mask))
    if not hit.size:
        return Problems()
    if values is None:
        values = frame.get(column)
    return Problems.at_rows(
        file,
        message,
        fix,
        frame["_row"].to_numpy()[hit],
        [np.nan] * hit.size if values is None else values.iloc[hit],
        column=column,
        severity=severity,
    )


class _Indicators:
    """Indicator ids → rows of the indicators table, for looking up each row's indicator.

    An id listed twice (already reported) resolves to its first row, as a join on the
    de-duplicated table would. A blank or unknown id resolves to -1: no indicator.
    """

    def __init__(self, ind: pd.DataFrame):
        self.table = ind
        ids = ind["id"]
        first = (ids.notna() & ~ids.duplicated()).to_numpy(dtype=bool)
        self._rows = np.flatnonzero(first)
        self._index = pd.Index(ids[first])

    def positions(
        self, ids: pd.Series, factorized: tuple[np.ndarray, pd.Index] | None = None
    ) -> np.ndarray:
        """Each id's row in the indicators table, or -1 (``factorized``: ``pd.factorize(ids)``
        if already done)."""
        at = codes_in(ids, self._index, factorized)
        return np.where(at >= 0, take(self._rows, at, -1), -1)

    def flag(self, mask: pd.Series, positions: np.ndarray) -> np.ndarray:
        """A true/false fact about each indicator (NA: neither), spread to rows by position.

        Rows with no indicator get False, as they would from a left join's missing values.
        """
        return take(_mask(mask), positions, False)


def _check_periods(
    frame: pd.DataFrame, file: str, start_month: int
) -> tuple[pd.DataFrame, Sequence[Problem], PeriodColumn]:
    """Replace ``period`` by the parsed period columns; also returns the parse (row codes)."""
    column = parse_period_column(frame["period"], start_month)
    parsed = column.table
    bad = frame["period"].notna() & parsed["period"].isna()
    problems = _problems_for_rows(
        frame, bad, file, "period", "is not a period pmlib can read", f"use {ACCEPTED_FORMS}"
    )
    out = pd.concat([frame.drop(columns="period"), parsed], axis=1)
    return out, problems, column


def _check_duplicates(
    frame: pd.DataFrame,
    keys: list[str],
    file: str,
    what: str,
    codes: list[tuple[np.ndarray, int]] | None = None,
) -> Sequence[Problem]:
    """Rows repeating another row's keys. ``codes``: the keys already factorised, as (each
    row's code, -1 for blank; the number of codes) per key."""
    if codes is None:
        codes = []
        for k in keys:
            c, uniques = pd.factorize(frame[k], use_na_sentinel=True)
            codes.append((c, len(uniques)))
    key = np.zeros(len(frame), dtype=np.int64)
    valid = np.ones(len(frame), dtype=bool)
    for c, n in codes:  # one integer per distinct combination of the keys
        valid &= c >= 0
        key = key * (n + 1) + c + 1
    key[~valid] = -1
    if valid.any() and key.max() < 4 * len(key) + 1024:  # count each key directly
        dup = valid & (np.bincount(key[valid])[np.where(valid, key, 0)] > 1)
    else:
        dup = pd.Series(key).duplicated(keep=False).to_numpy() & valid
    if not dup.any():
        return []
    at = np.flatnonzero(dup)
    rows = frame["_row"].to_numpy()[at]
    first = pd.Series(rows).groupby(key[at]).transform("min").to_numpy()
    later = rows != first
    return [
        Problem(
            file,
            f"duplicate {what}: the same as row {int(f)}",
            "keep one row per " + " and ".join(keys) + " (delete or correct the other)",
            row=int(r),
            column=keys[-1],
            value=v,
        )
        for r, f, v in zip(rows[later], first[later], frame[keys[-1]].iloc[at[later]], strict=True)
    ]


def _check_unknown_ids(frame: pd.DataFrame, positions: np.ndarray, file: str) -> Sequence[Problem]:
    unknown = frame["indicator_id"].notna().to_numpy(dtype=bool) & (positions < 0)
    return _problems_for_rows(
        frame,
        unknown,
        file,
        "indicator_id",
        "is not an indicator id in the indicators table",
        "correct the id or add the indicator to the library",
    )


def _check_indicators(ind: pd.DataFrame, file: str, settings: Settings) -> Sequence[Problem]:
    problems = Problems(_check_duplicates(ind, ["id"], file, "indicator id"))
    slugs = set(settings.committees)
    listed = ind["committees"].dropna().astype(str).str.split(";")
    exploded = listed.explode().str.strip()
    bad = exploded[(exploded != "") & ~exploded.isin(slugs)]
    rows = ind["_row"]
    problems += [
        Problem(
            file,
            "names a committee that is not in committees.yaml",
            f"use one of: {', '.join(sorted(slugs))}",
            row=int(rows[idx]),
            column="committees",
            value=slug,
        )
        for idx, slug in bad.items()
    ]
    known = set(settings.schemes)
    if known:
        unknown = ind["rag_scheme"].notna() & ~ind["rag_scheme"].isin(known)
        problems += _problems_for_rows(
            ind,
            unknown,
            file,
            "rag_scheme",
            "is not a scheme in rag_schemes.yaml",
            f"use one of: {', '.join(sorted(known))}",
        )
    order = (
        ind["amber_within"].notna()
        & ind["green_within"].notna()
        & (ind["amber_within"] < ind["green_within"])
    )
    problems += _problems_for_rows(
        ind,
        order,
        file,
        "amber_within",
        "is smaller than green_within",
        "amber_within must be at least green_within",
    )
    for col in ("green_within", "amber_within"):
        problems += _problems_for_rows(
            ind,
            ind[col] < 0,
            file,
            col,
            "must not be negative",
            "thresholds are distances from target, e.g. 0.05",
        )
    both = (ind["data_collector"].notna() & ind["data_reviewer"].notna()).to_numpy(dtype=bool)
    same = np.zeros(len(ind), dtype=bool)
    if both.any():
        who = ind.loc[both, ["data_collector", "data_reviewer"]]
        same[both] = _mask(
            who["data_collector"]
            .str.strip()
            .str.lower()
            .eq(who["data_reviewer"].str.strip().str.lower())
        )
    problems += _problems_for_rows(
        ind,
        same,
        file,
        "data_reviewer",
        "is the same person as the data collector",
        "name a different officer to verify the data",
        severity="warning",
    )
    listed_ids = {i for c in settings.committees.values() for i in c.indicators}
    listed_priorities = {pr for c in settings.committees.values() for pr in c.priorities}
    ids = set(ind["id"][isin(ind["id"], listed_ids)]) if listed_ids else set()
    priorities = (
        set(ind["priority"][isin(ind["priority"], listed_priorities)])
        if listed_priorities
        else set()
    )
    found: list[Problem] = []
    for c in settings.committees.values():
        for ind_id in c.indicators:
            if ind_id not in ids:
                found.append(
                    Problem(
                        "committees.yaml",
                        f"committee '{c.slug}' lists an unknown indicator",
                        "correct the id or remove it",
                        column=f"{c.slug}.indicators",
                        value=ind_id,
                    )
                )
        for pr in c.priorities:
            if pr not in priorities:
                found.append(
                    Problem(
                        "committees.yaml",
                        f"committee '{c.slug}' lists a priority no indicator has",
                        "use a priority exactly as written in the indicators' priority column: "
                        + ", ".join(repr(k) for k in sorted(ind["priority"].dropna().unique())),
                        column=f"{c.slug}.priorities",
                        value=pr,
                    )
                )
    return problems + found


def _kind_codes(kinds: pd.Series) -> np.ndarray:
    """Period kinds (month/quarter/year) as 0/1/2, -1 when blank."""
    out = np.full(len(kinds), -1, dtype=np.int8)
    for code, kind in enumerate(_KINDS):
        out[_mask(kinds.eq(kind))] = code
    return out


def _check_values(
    frame: pd.DataFrame,
    positions: np.ndarray,
    lookup: _Indicators,
    file: str,
    columns: list[str],
    table: str,
) -> Sequence[Problem]:
    """Percentages in 0-100; numerator <= denominator; period kind matches frequency."""
    ind = lookup.table
    pct = lookup.flag(ind["unit"].eq("percent"), positions)
    problems = Problems()
    for col in columns:
        v = frame[col].to_numpy(dtype=float)
        problems += _problems_for_rows(
            frame,
            pct & ((v < 0) | (v > 100)),
            file,
            col,
            "is a percentage outside 0-100",
            "percentages are written 0-100 (94.1, not 0.941 or 941)",
        )
    if table == "actuals":
        num = frame["numerator"].to_numpy(dtype=float)
        den = frame["denominator"].to_numpy(dtype=float)
        problems += _problems_for_rows(
            frame,
            pct & (num > den),
            file,
            "numerator",
            "is greater than the denominator for a percentage",
            "check the counts: the numerator is part of the denominator",
        )
        problems += _problems_for_rows(
            frame,
            den <= 0,
            file,
            "denominator",
            "must be above zero",
            "leave numerator and denominator blank if there were no cases",
        )
        expected_kind = ind["frequency"].map(_FREQ_KIND)
        expected = take(_kind_codes(expected_kind), positions, -1)
        kind = _kind_codes(frame["period_kind"])
        wrong = np.flatnonzero((kind >= 0) & (expected >= 0) & (kind != expected))
        problems += [
            Problem(
                file,
                f"is a {_KINDS[k]}, but this indicator is collected "
                f"{'annually' if e == 2 else _KINDS[e] + 'ly'}",
                f"give one row per {_KINDS[e]}, or change the indicator's frequency",
                row=int(r),
                column="period",
                value=p,
            )
            for r, k, e, p in zip(
                frame["_row"].to_numpy()[wrong].tolist(),
                kind[wrong].tolist(),
                expected[wrong].tolist(),
                frame["period"].iloc[wrong],
                strict=True,
            )
        ]
    if table == "targets":
        band = lookup.flag(ind["polarity"].eq("band"), positions)
        not_band = lookup.flag(ind["polarity"].ne("band"), positions)
        lower = frame["lower"].to_numpy(dtype=float)
        upper = frame["upper"].to_numpy(dtype=float)
        problems += _problems_for_rows(
            frame,
            band & (np.isnan(lower) | np.isnan(upper)),
            file,
            "lower",
            "a band indicator needs lower and upper",
            "fill in both ends of the band",
        )
        problems += _problems_for_rows(
            frame, lower > upper, file, "lower", "is greater than upper", "swap the two values"
        )
        problems += _problems_for_rows(
            frame,
            not_band & np.isnan(frame["target"].to_numpy(dtype=float)),
            file,
            "target",
            "a value is required here",
            "give the target, or delete the row",
        )
    return problems


def _check_targets_cover(
    act: pd.DataFrame,
    a_pos: np.ndarray,
    a_periods: PeriodColumn,
    tgt: pd.DataFrame,
    t_pos: np.ndarray,
    t_periods: PeriodColumn,
    lookup: _Indicators,
    file: str,
) -> Sequence[Problem]:
    """A rated indicator's actual needs a target for its period (its own, its quarter's or its
    year's row).

    Periods are few (a few dozen over a million rows), so each distinct actual period's own,
    quarter and year labels are matched against the distinct target periods once; the rows then
    look their (indicator, target period) pair up in a table of the pairs that have a target
    row.
    """
    ind = lookup.table
    a_code, t_code = a_periods.codes, t_periods.codes
    rated = (
        lookup.flag(ind["kind"].isin(["KPI", "PI"]), a_pos)
        & lookup.flag(ind["polarity"].ne("none"), a_pos)
        & act["value"].notna().to_numpy(dtype=bool)
        & (a_code >= 0)
    )
    # An unreadable target period is already reported; don't repeat it as "no target".
    unsure = np.zeros(len(ind), dtype=bool)
    unsure[t_pos[(t_code < 0) & (t_pos >= 0)]] = True
    rated &= ~take(unsure, a_pos, False)
    if not rated.any():
        return []
    t_labels = [p.label for p in t_periods.periods]
    label_code = {label: i for i, label in enumerate(t_labels)}
    # for each distinct actual period, the target-period codes of its own label, its quarter's
    # and its year's (-1: no target row has that period; the extra last entry: no period)
    own = np.full(len(a_periods.periods) + 1, -1, dtype=np.int64)
    in_quarter = own.copy()
    in_year = own.copy()
    for i, p in enumerate(a_periods.periods):
        own[i] = label_code.get(p.label, -1)
        in_year[i] = label_code.get(p.fy_label, -1)
        if p.quarter is not None:
            in_quarter[i] = label_code.get(f"{p.fy_label} Q{p.quarter}", -1)
    n_t = max(len(t_labels), 1)
    pairs = t_pos[(t_pos >= 0) & (t_code >= 0)] * n_t + t_code[(t_pos >= 0) & (t_code >= 0)]
    if len(ind) * n_t <= 50_000_000:  # a flag per (indicator, target period)
        flags = np.zeros(len(ind) * n_t, dtype=bool)
        flags[pairs] = True

        def has(keys: np.ndarray) -> np.ndarray:
            return flags[keys]
    else:  # very many target periods: a hash of the pairs instead
        index = pd.Index(np.unique(pairs))

        def has(keys: np.ndarray) -> np.ndarray:
            return index.get_indexer(keys) >= 0

    covered = np.zeros(len(act), dtype=bool)
    for by_period in (own, in_quarter, in_year):
        key = by_period[a_code]  # a_code -1 (no period) picks the last entry: -1
        probe = np.flatnonzero(rated & ~covered & (key >= 0))
        covered[probe] = has(a_pos[probe] * n_t + key[probe])
    missing = np.flatnonzero(rated & ~covered)
    years = [p.fy_label for p in a_periods.periods]
    fy_labels = [years[c] for c in a_code[missing].tolist()]
    return [
        Problem(
            file,
            f"has a value but no target for {p} (nor for its quarter or year)",
            f"add a targets row for {i} in {y}, or set kind to 'statistic' if it is not rated",
            row=int(r),
            column="period",
            value=p,
        )
        for r, i, p, y in zip(
            act["_row"].to_numpy()[missing].tolist(),
            act["indicator_id"].iloc[missing],
            act["period"].iloc[missing],
            fy_labels,
            strict=True,
        )
    ]


def _check_approvals(act: pd.DataFrame, file: str, council_deadline: int) -> Sequence[Problem]:
    status = act["status"]
    both = (act["approved_by"].notna() & act["collected_by"].notna()).to_numpy(dtype=bool) & _mask(
        status.eq("approved")
    )
    same = np.zeros(len(act), dtype=bool)
    if both.any():
        who = act.loc[both, ["approved_by", "collected_by"]]
        same[both] = _mask(
            who["approved_by"]
            .str.strip()
            .str.lower()
            .eq(who["collected_by"].str.strip().str.lower())
        )
    problems = _problems_for_rows(
        act,
        same,
        file,
        "approved_by",
        "approved by the same person who collected it",
        "the data reviewer must be a different officer from the "
        "collector: have it approved by the indicator's data_reviewer",
    )
    no_approver = _mask(status.eq("approved")) & act["approved_by"].isna().to_numpy(dtype=bool)
    problems += _problems_for_rows(
        act,
        no_approver,
        file,
        "approved_by",
        "is approved but does not say who approved it",
        "fill in approved_by with the data reviewer who approved it, or set status to "
        "submitted until it is approved",
    )
    unapproved = _mask(status.eq("draft")) | _mask(status.eq("submitted"))
    problems += _problems_for_rows(
        act,
        unapproved,
        file,
        "status",
        "is not yet approved",
        "have the data reviewer approve it before publication",
        severity="warning",
        values=status,
    )
    missing = act["value"].isna() & (act["numerator"].isna() | act["denominator"].isna())
    problems += _problems_for_rows(
        act,
        missing,
        file,
        "value",
        "the value is missing",
        "supply the figure, or the report will show 'No data'",
        severity="warning",
        values=act["period"],
    )
    return problems


def _check_late(
    act: pd.DataFrame, periods: PeriodColumn, file: str, deadline_days: int
) -> Sequence[Problem]:
    """Data collected more than the deadline after its period ended (a warning)."""
    has = act["collected_at"].notna().to_numpy(dtype=bool) & (periods.codes >= 0)
    if not has.any():
        return Problems()
    at = np.flatnonzero(has)
    ends = pd.DatetimeIndex([pd.Timestamp(p.end_date) for p in periods.periods])
    end = pd.Series(ends.take(periods.codes[at]), index=act.index[at])
    collected = act["collected_at"].iloc[at]
    late = end.notna() & (collected > end + pd.Timedelta(days=deadline_days))
    days = (collected - end).dt.days
    late = _mask(late)
    return Problems.at_rows(
        file,
        f"submitted late (more than {deadline_days} days after the period ended)",
        "no action needed now; agree a date with the collector",
        act["_row"].to_numpy()[at[late]],
        [f"{int(d)} days after" for d in days[late]],
        column="collected_at",
        severity="warning",
    )


def _check_reviews(ind: pd.DataFrame, file: str, today: dt.date) -> Sequence[Problem]:
    stale = ind["last_reviewed"].notna() & (
        ind["last_reviewed"] < pd.Timestamp(today) - pd.DateOffset(months=12)
    )
    never = ind["last_reviewed"].isna()
    return _problems_for_rows(
        ind,
        stale,
        file,
        "last_reviewed",
        "definition not reviewed in the last 12 months",
        "review the methodology statement and update last_reviewed",
        severity="warning",
    ) + _problems_for_rows(
        ind,
        never,
        file,
        "last_reviewed",
        "definition has no review date",
        "record when the methodology statement was last reviewed",
        severity="warning",
    )


def build_dataset(
    frames: dict[str, pd.DataFrame],
    sources: dict[str, Source],
    settings: Settings,
    *,
    today: dt.date | None = None,
) -> Dataset:
    """Validate raw frames (from :func:`pmlib.data.load.read_tables`) into a :class:`Dataset`."""
    today = today or dt.date.today()
    start = settings.council.fy_start_month
    problems = Problems()
    typed: dict[str, pd.DataFrame] = {}
    for table in ("indicators", "targets", "actuals", "narratives"):
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

    ind = typed["indicators"]
    problems += _check_indicators(ind, sources["indicators"].label, settings)
    problems += _check_reviews(ind, sources["indicators"].label, today)
    lookup = _Indicators(ind)
    positions: dict[str, np.ndarray] = {}
    periods: dict[str, PeriodColumn] = {}
    for table in ("targets", "actuals", "narratives"):
        label = sources[table].label
        typed[table], found, periods[table] = _check_periods(typed[table], label, start)
        problems += found
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
        settings.council.submission_deadline_days,
    )
    if problems.has_errors():
        raise DataValidationError(problems)
    dataset = Dataset(
        indicators=ind.drop(columns="_row").reset_index(drop=True),
        targets=typed["targets"].drop(columns="_row").reset_index(drop=True),
        actuals=typed["actuals"].drop(columns="_row").reset_index(drop=True),
        narratives=typed["narratives"].drop(columns="_row").reset_index(drop=True),
        settings=settings,
        sources={t: s.path for t, s in sources.items()},
        warnings=problems,
    )
    try:
        from pmlib.config.schemes import check_scheme_warnings
    except ImportError:  # rating layer not present
        return dataset
    extra = check_scheme_warnings(dataset)
    return Dataset(**{**dataset.__dict__, "warnings": dataset.warnings + extra})


def read_dataset(
    data_dir: Path | str | None = None,
    params_dir: Path | str | None = None,
    *,
    today: dt.date | None = None,
) -> Dataset:
    """Read the parameters and data folders and return a validated :class:`Dataset`.

    ``data_dir`` defaults to ``data_dir`` in council.yaml. Raises
    :class:`~pmlib.core.errors.DataValidationError` listing every problem.
    """
    from pmlib.config.settings import read_settings

    settings = read_settings(params_dir)
    folder = Path(data_dir) if data_dir is not None else settings.council.data_dir
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
    key = _cache_key(folder, settings.params_dir, today)
    cached = _CACHE.get(key) if key is not None else None
    if cached is None:
        frames, sources = read_tables(folder)
        cached = build_dataset(frames, sources, settings, today=today)
        if key is not None:
            _CACHE.clear()  # one dataset at a time: a kernel renders one council
            _CACHE[key] = cached
    return _fresh_copy(cached)


#: The last dataset read, keyed by its files' paths and SHA-256 (not modification times, which
#: some file systems keep to the second). A warm
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
    tables = ("indicators", "targets", "actuals", "narratives")
    deep = not _copy_on_write()  # with copy-on-write a shallow copy is already independent
    return Dataset(
        **{**dataset.__dict__, **{t: getattr(dataset, t).copy(deep=deep) for t in tables}}
    )


def _copy_on_write() -> bool:
    """Whether pandas copies shared data before any write (always from pandas 3)."""
    if int(pd.__version__.split(".")[0]) >= 3:
        return True
    return pd.options.mode.copy_on_write is True
