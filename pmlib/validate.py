"""Check the four tables against the contract and each other, then build the :class:`Dataset`.

Every rule adds :class:`Problem` records instead of raising, so that one run reports everything
wrong (the analyst fixes the spreadsheet once, not once per error). Errors stop the run; warnings
(realistic data-quality issues such as an unapproved figure) are carried on the dataset for the
report's data-quality section.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from pmlib.errors import DataValidationError, Problem
from pmlib.files import sha256_file
from pmlib.frames import isin
from pmlib.load import Source, read_tables
from pmlib.model import Dataset, Settings
from pmlib.periods import ACCEPTED_FORMS, period_table
from pmlib.schema import check_table, coerce_table, normalise_choices

_FREQ_KIND = {"monthly": "month", "quarterly": "quarter", "annual": "year"}


def _problems_for_rows(
    frame: pd.DataFrame,
    mask: pd.Series,
    file: str,
    column: str,
    message: str,
    fix: str,
    *,
    severity: str = "error",
    values: pd.Series | None = None,
) -> list[Problem]:
    """One Problem per row where ``mask`` holds (vectorised selection, then a short loop)."""
    hits = frame[mask.fillna(False).astype(bool)]
    vals = values if values is not None else hits.get(column, pd.Series(dtype=object))
    return [
        Problem(
            file,
            message,
            fix,
            row=int(r),
            column=column,
            value=None if v is None or v is pd.NA else v,
            severity=severity,
        )
        for r, v in zip(hits["_row"], vals.reindex(hits.index), strict=True)
    ]


def _check_periods(
    frame: pd.DataFrame, file: str, start_month: int
) -> tuple[pd.DataFrame, list[Problem]]:
    parsed = period_table(frame["period"], start_month)
    bad = frame["period"].notna() & parsed["period"].isna()
    problems = _problems_for_rows(
        frame, bad, file, "period", "is not a period pmlib can read", f"use {ACCEPTED_FORMS}"
    )
    out = frame.drop(columns="period").join(parsed)
    return out, problems


def _check_duplicates(frame: pd.DataFrame, keys: list[str], file: str, what: str) -> list[Problem]:
    dup = frame.duplicated(keys, keep=False) & frame[keys].notna().all(axis=1)
    if not dup.any():
        return []
    first = frame[dup].groupby(keys, dropna=True)["_row"].transform("min")
    hits = frame[dup].assign(_first=first)
    hits = hits[hits["_row"] != hits["_first"]]
    return [
        Problem(
            file,
            f"duplicate {what}: the same as row {int(f)}",
            "keep one row per " + " and ".join(keys) + " (delete or correct the other)",
            row=int(r),
            column=keys[-1],
            value=v,
        )
        for r, f, v in zip(hits["_row"], hits["_first"], hits[keys[-1]], strict=True)
    ]


def _check_unknown_ids(frame: pd.DataFrame, ids: pd.Series, file: str) -> list[Problem]:
    unknown = frame["indicator_id"].notna() & ~isin(frame["indicator_id"], ids)
    return _problems_for_rows(
        frame,
        unknown,
        file,
        "indicator_id",
        "is not an indicator id in the indicators table",
        "correct the id or add the indicator to the library",
    )


def _check_indicators(ind: pd.DataFrame, file: str, settings: Settings) -> list[Problem]:
    problems = _check_duplicates(ind, ["id"], file, "indicator id")
    slugs = set(settings.committees)
    listed = ind["committees"].fillna("").astype(str).str.split(";")
    exploded = listed.explode().str.strip()
    bad = exploded[(exploded != "") & ~exploded.isin(slugs)]
    for idx, slug in bad.items():
        problems.append(
            Problem(
                file,
                "names a committee that is not in committees.yaml",
                f"use one of: {', '.join(sorted(slugs))}",
                row=int(ind.loc[idx, "_row"]),
                column="committees",
                value=slug,
            )
        )
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
    same = (
        ind["data_collector"].notna()
        & ind["data_reviewer"].notna()
        & ind["data_collector"]
        .str.strip()
        .str.lower()
        .eq(ind["data_reviewer"].str.strip().str.lower())
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
    for c in settings.committees.values():
        for ind_id in c.indicators:
            if not ind["id"].eq(ind_id).any():
                problems.append(
                    Problem(
                        "committees.yaml",
                        f"committee '{c.slug}' lists an unknown indicator",
                        "correct the id or remove it",
                        column=f"{c.slug}.indicators",
                        value=ind_id,
                    )
                )
        for pr in c.priorities:
            if not ind["priority"].eq(pr).any():
                problems.append(
                    Problem(
                        "committees.yaml",
                        f"committee '{c.slug}' lists a priority no indicator has",
                        "check the spelling against the indicators' priority column",
                        column=f"{c.slug}.priorities",
                        value=pr,
                        severity="warning",
                    )
                )
    return problems


def _with_indicator(frame: pd.DataFrame, ind: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    lookup = ind.drop_duplicates("id").set_index("id")[cols]
    return frame.join(lookup, on="indicator_id")


def _check_values(
    frame: pd.DataFrame, ind: pd.DataFrame, file: str, columns: list[str], table: str
) -> list[Problem]:
    """Percentages in 0-100; numerator <= denominator; period kind matches frequency."""
    f = _with_indicator(frame, ind, ["unit", "frequency", "polarity", "kind"])
    pct = f["unit"].eq("percent")
    problems: list[Problem] = []
    for col in columns:
        out = pct & ((f[col] < 0) | (f[col] > 100))
        problems += _problems_for_rows(
            f,
            out,
            file,
            col,
            "is a percentage outside 0-100",
            "percentages are written 0-100 (94.1, not 0.941 or 941)",
        )
    if table == "actuals":
        over = pct & (f["numerator"] > f["denominator"])
        problems += _problems_for_rows(
            f,
            over,
            file,
            "numerator",
            "is greater than the denominator for a percentage",
            "check the counts: the numerator is part of the denominator",
        )
        neg_den = f["denominator"] <= 0
        problems += _problems_for_rows(
            f,
            neg_den,
            file,
            "denominator",
            "must be above zero",
            "leave numerator and denominator blank if there were no cases",
        )
        expected = f["frequency"].map(_FREQ_KIND)
        wrong = f["period_kind"].notna() & expected.notna() & f["period_kind"].ne(expected)
        hits = f[wrong.fillna(False).astype(bool)]
        for r, k, e, p in zip(
            hits["_row"], hits["period_kind"], expected[hits.index], hits["period"], strict=True
        ):
            problems.append(
                Problem(
                    file,
                    f"is a {k}, but this indicator is collected "
                    f"{'annually' if e == 'year' else e + 'ly'}",
                    f"give one row per {e}, or change the indicator's frequency",
                    row=int(r),
                    column="period",
                    value=p,
                )
            )
    if table == "targets":
        band = f["polarity"].eq("band")
        miss = band & (f["lower"].isna() | f["upper"].isna())
        problems += _problems_for_rows(
            f,
            miss,
            file,
            "lower",
            "a band indicator needs lower and upper",
            "fill in both ends of the band",
        )
        inverted = f["lower"] > f["upper"]
        problems += _problems_for_rows(
            f, inverted, file, "lower", "is greater than upper", "swap the two values"
        )
        no_target = ~band & f["target"].isna()
        problems += _problems_for_rows(
            f,
            no_target,
            file,
            "target",
            "a value is required here",
            "give the target, or delete the row",
        )
    return problems


def _check_targets_cover(
    act: pd.DataFrame, tgt: pd.DataFrame, ind: pd.DataFrame, file: str
) -> list[Problem]:
    """A rated indicator's actual needs a target for its period (its own, its quarter's or its
    year's row)."""
    f = _with_indicator(act, ind, ["kind", "polarity"])
    rated = f["kind"].isin(["KPI", "PI"]) & f["polarity"].ne("none") & f["value"].notna()
    # An unreadable target period is already reported; don't repeat it as "no target".
    unsure = tgt.loc[tgt["period"].isna(), "indicator_id"]
    f = f[rated.fillna(False).astype(bool) & f["period"].notna() & ~isin(f["indicator_id"], unsure)]
    if f.empty:
        return []
    fy = f["fy"].astype("Int64")
    fy_label = fy.astype("string") + "/" + ((fy + 1) % 100).astype("string").str.zfill(2)
    q_label = fy_label + " Q" + f["quarter"].astype("string").fillna("")
    known = tgt[["indicator_id", "period"]].dropna().drop_duplicates().assign(_t=True)

    def covered(labels: pd.Series) -> pd.Series:
        probe = pd.DataFrame({"indicator_id": f["indicator_id"], "period": labels})
        hit = probe.merge(known, on=["indicator_id", "period"], how="left")["_t"].notna()
        return pd.Series(hit.to_numpy(), index=f.index)

    has = covered(f["period"]) | covered(q_label) | covered(fy_label)
    missing = f[~has]
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
            missing["_row"],
            missing["indicator_id"],
            missing["period"],
            fy_label[missing.index],
            strict=True,
        )
    ]


def _check_approvals(act: pd.DataFrame, file: str, council_deadline: int) -> list[Problem]:
    same = (
        act["status"].eq("approved")
        & act["approved_by"].notna()
        & act["collected_by"].notna()
        & act["approved_by"].str.strip().str.lower().eq(act["collected_by"].str.strip().str.lower())
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
    unapproved = act["status"].isin(["draft", "submitted"])
    problems += _problems_for_rows(
        act,
        unapproved,
        file,
        "status",
        "is not yet approved",
        "have the data reviewer approve it before publication",
        severity="warning",
        values=act["status"],
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
    act: pd.DataFrame, file: str, deadline_days: int, start_month: int
) -> list[Problem]:
    """Data collected more than the deadline after its period ended (a warning)."""
    from pmlib.periods import try_parse_period

    ends = {p: try_parse_period(p, start_month) for p in act["period"].dropna().unique()}
    end = act["period"].map({k: pd.Timestamp(v.end_date) for k, v in ends.items() if v})
    late = act["collected_at"].notna() & (
        act["collected_at"] > end + pd.Timedelta(days=deadline_days)
    )
    days = (act["collected_at"] - end).dt.days
    return _problems_for_rows(
        act,
        late,
        file,
        "collected_at",
        f"submitted late (more than {deadline_days} days after the period ended)",
        "no action needed now; agree a date with the collector",
        severity="warning",
        values=days.astype("Int64").astype("string") + " days after",
    )


def _check_reviews(ind: pd.DataFrame, file: str, today: dt.date) -> list[Problem]:
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
    """Validate raw frames (from :func:`pmlib.load.read_tables`) into a :class:`Dataset`."""
    today = today or dt.date.today()
    start = settings.council.fy_start_month
    problems: list[Problem] = []
    typed: dict[str, pd.DataFrame] = {}
    for table in ("indicators", "targets", "actuals", "narratives"):
        label = sources[table].label
        raw = normalise_choices(frames[table], table)
        found = check_table(raw, table, label)
        problems += found
        if any(p.row == 1 and "missing" in p.message for p in found):
            continue  # a required column is missing: later rules would only repeat it
        typed[table] = coerce_table(raw, table)
    if "indicators" in typed and typed["indicators"].empty:
        problems.append(
            Problem(
                sources["indicators"].label,
                "has no indicators",
                "add one row per indicator under the header",
            )
        )
    if len(typed) < 4:
        raise DataValidationError(problems)

    ind = typed["indicators"]
    problems += _check_indicators(ind, sources["indicators"].label, settings)
    problems += _check_reviews(ind, sources["indicators"].label, today)
    for table in ("targets", "actuals", "narratives"):
        label = sources[table].label
        typed[table], found = _check_periods(typed[table], label, start)
        problems += found
        problems += _check_unknown_ids(typed[table], ind["id"], label)
        problems += _check_duplicates(
            typed[table], ["indicator_id", "period"], label, "indicator and period"
        )
    problems += _check_values(
        typed["targets"],
        ind,
        sources["targets"].label,
        ["target", "intervention", "lower", "upper"],
        "targets",
    )
    problems += _check_values(typed["actuals"], ind, sources["actuals"].label, ["value"], "actuals")
    problems += _check_targets_cover(
        typed["actuals"], typed["targets"], ind, sources["actuals"].label
    )
    problems += _check_approvals(
        typed["actuals"], sources["actuals"].label, settings.council.submission_deadline_days
    )
    problems += _check_late(
        typed["actuals"], sources["actuals"].label, settings.council.submission_deadline_days, start
    )
    if any(p.severity == "error" for p in problems):
        raise DataValidationError(problems)
    dataset = Dataset(
        indicators=ind.drop(columns="_row").reset_index(drop=True),
        targets=typed["targets"].drop(columns="_row").reset_index(drop=True),
        actuals=typed["actuals"].drop(columns="_row").reset_index(drop=True),
        narratives=typed["narratives"].drop(columns="_row").reset_index(drop=True),
        settings=settings,
        sources={t: s.path for t, s in sources.items()},
        warnings=tuple(problems),
    )
    try:
        from pmlib.rate import check_scheme_warnings
    except ImportError:  # rating layer not present
        return dataset
    extra = tuple(check_scheme_warnings(dataset))
    return Dataset(**{**dataset.__dict__, "warnings": dataset.warnings + extra})


def read_dataset(
    data_dir: Path | str | None = None,
    params_dir: Path | str | None = None,
    *,
    today: dt.date | None = None,
) -> Dataset:
    """Read the parameters and data folders and return a validated :class:`Dataset`.

    ``data_dir`` defaults to ``data_dir`` in council.yaml. Raises
    :class:`~pmlib.errors.DataValidationError` listing every problem.
    """
    from pmlib.config import read_settings

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
    return Dataset(**{**dataset.__dict__, **{t: getattr(dataset, t).copy() for t in tables}})
