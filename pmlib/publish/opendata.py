"""The quarter's public dataset: the open data a council puts beside its published reports.

Four tables, each as a frame ready for :func:`pmlib.core.csv_out.write_csv`:

``indicators``
    every public indicator in a public report this quarter, with its definition, unit (code
    and label in their own columns), decimals, polarity and where its data comes from;
``ratings``
    each one's value, target, RAG rating with the reason in words, Direction of Travel
    (against the previous period and the same period last year) and year-end forecast, with
    the period's first and last day as ISO dates;
``targets``
    the financial year's targets, one row per target period, with its start and end dates;
``commentary``
    the officers' commentary the public reports print (the exceptions' narratives).

"Public" is decided once, here, the way the reports decide it: an indicator is published when
a public committee's report shows it (:meth:`pmlib.core.model.Dataset.indicators_for`, which
never gives a public committee an ``internal`` indicator), and the dataset is cut down to those
indicators before anything is rated, so nothing computed from an internal indicator can leak
into a public file. Owners' and officers' typed text is published exactly as the reports print
it; the CSV writer neutralises any cell a spreadsheet would run as a formula.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pmlib.core.model import Committee, Dataset
from pmlib.core.periods import Period, parse_period
from pmlib.core.rules import exception_rule_for
from pmlib.data.quality import has_narrative

__all__ = ["PublicData", "public_data", "public_indicator_ids"]

#: Indicator library columns that are published (those the council's data has, in this order).
INDICATOR_COLUMNS = (
    "id", "name", "definition", "purpose", "formula", "priority", "objective", "kind", "unit",
    "unit_label", "decimals", "polarity", "frequency", "measure", "aggregation", "owner",
    "data_source", "collection_method", "last_reviewed",
)  # fmt: skip
#: Rating columns that are published, as named in the rating engine's output.
RATING_COLUMNS = (
    "indicator_id", "name", "priority", "period", "period_start", "period_end",
    "reported_period", "value", "unit", "unit_label", "decimals", "polarity", "target",
    "target_period", "rag", "rag_reason", "dot_short", "dot_long", "forecast", "forecast_rag",
)  # fmt: skip


@dataclass(frozen=True)
class PublicData:
    """The quarter's public tables (see the module docstring), and the period they describe."""

    period: Period
    indicators: pd.DataFrame
    ratings: pd.DataFrame
    targets: pd.DataFrame
    commentary: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        """Name -> frame, in the order they are listed on the landing page."""
        return {
            "indicators": self.indicators,
            "ratings": self.ratings,
            "targets": self.targets,
            "commentary": self.commentary,
        }


def public_indicator_ids(
    dataset: Dataset, committees: list[Committee], period: Period
) -> list[str]:
    """The indicators any of the public ``committees`` reports for ``period``, in library
    order (internal committees are ignored: what only they see is not public)."""
    ids: set[str] = set()
    for c in committees:
        if c.is_public:
            ids |= set(dataset.indicators_for(c, period)["id"])
    order = dataset.indicators["id"]
    return [i for i in order if i in ids]


def _only(dataset: Dataset, ids: list[str]) -> Dataset:
    """The dataset cut down to ``ids`` in every table that names an indicator."""
    keep = set(ids)
    tables = {"indicators": dataset.indicators[dataset.indicators["id"].isin(keep)]}
    for name in ("targets", "actuals", "narratives"):
        frame = getattr(dataset, name)
        tables[name] = frame[frame["indicator_id"].isin(keep)]
    return Dataset(
        **{**dataset.__dict__, **{k: v.reset_index(drop=True) for k, v in tables.items()}}
    )


def _iso(value: object) -> object:
    """A date as ISO text (open data states dates one way), missing stays missing."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return pd.NA
    return pd.Timestamp(value).date().isoformat()


#: Columns holding a value in the row's unit: whole numbers are written without ".0".
VALUE_COLUMNS = ("value", "target", "forecast", "intervention", "lower", "upper")


def _whole_numbers(frame: pd.DataFrame) -> pd.DataFrame:
    """Write each whole number in a value column as an integer, cell by cell.

    One column holds many indicators' values (a count of 495 beside a rate of 50.4), so the
    CSV writer's rule (a column of whole numbers becomes integers) cannot apply; open data
    should still say ``495``, not ``495.0``. Missing stays missing.
    """
    out = frame.copy()
    for col in (c for c in VALUE_COLUMNS if c in out):
        values = pd.to_numeric(out[col], errors="coerce").astype("float64")
        whole = values.notna() & values.eq(values.round()) & values.abs().lt(2**53)
        cells = np.where(values.notna(), values.to_numpy(dtype=object), None)
        mask = whole.to_numpy()
        cells[mask] = values.to_numpy()[mask].astype("int64").astype(object)
        out[col] = pd.Series(cells, index=out.index, dtype=object)
    return out


def _period_dates(labels: pd.Series, start_month: int) -> tuple[pd.Series, pd.Series]:
    """First and last day (ISO) of each period label."""
    known = {p: parse_period(p, start_month) for p in labels.dropna().unique()}
    starts = labels.map({k: p.start_date.isoformat() for k, p in known.items()})
    ends = labels.map({k: p.end_date.isoformat() for k, p in known.items()})
    return starts.astype("string"), ends.astype("string")


def public_data(dataset: Dataset, committees: list[Committee], period: Period) -> PublicData:
    """The quarter's public tables for the public ``committees``' reports of ``period``."""
    from pmlib.core.units import unit_label
    from pmlib.rating.engine import rate_period

    ids = public_indicator_ids(dataset, committees, period)
    ds = _only(dataset, ids)
    start_month = ds.council.fy_start_month

    ind = ds.indicators.set_index("id").loc[ids].reset_index()
    ind = ind.assign(unit_label=ind["unit"].map(unit_label))
    if "last_reviewed" in ind:
        ind["last_reviewed"] = ind["last_reviewed"].map(_iso).astype("string")
    indicators = ind[[c for c in INDICATOR_COLUMNS if c in ind.columns]]

    rated = rate_period(ds, period)
    rated = rated.set_index("indicator_id").loc[ids].reset_index()
    rated["priority"] = rated["indicator_id"].map(ind.set_index("id")["priority"])
    rated["period_start"] = period.start_date.isoformat()
    ratings = _whole_numbers(rated[[c for c in RATING_COLUMNS if c in rated.columns]])

    tgt = ds.targets[ds.targets["fy"].eq(period.fy)]
    tgt = tgt.sort_values(["indicator_id", "ordinal"], kind="stable")
    starts, ends = _period_dates(tgt["period"], start_month)
    units = ind.set_index("id")["unit"]
    targets = pd.DataFrame(
        {
            "indicator_id": tgt["indicator_id"],
            "period": tgt["period"],
            "period_start": starts,
            "period_end": ends,
            "target": tgt["target"],
            "unit": tgt["indicator_id"].map(units),
            **{c: tgt[c] for c in ("intervention", "lower", "upper") if c in tgt},
        }
    ).reset_index(drop=True)
    targets = _whole_numbers(targets.dropna(axis=1, how="all"))  # no empty optional columns

    commentary = _commentary(ds, committees, rated, period)
    return PublicData(period, indicators.reset_index(drop=True), ratings, targets, commentary)


def _commentary(
    ds: Dataset, committees: list[Committee], rated: pd.DataFrame, period: Period
) -> pd.DataFrame:
    """The narratives the public reports print: each exception's, under its committee's rule."""
    from pmlib.rating.exceptions import select_exceptions

    year_end = period.months_elapsed == 12
    shown: set[str] = set()
    for c in committees:
        if not c.is_public:
            continue
        mine = rated[rated["indicator_id"].isin(set(ds.indicators_for(c, period)["id"]))]
        rule = exception_rule_for(ds.council, c)
        shown |= set(select_exceptions(mine, rule, year_end=year_end)["indicator_id"])
    parts = [col for col, _ in ds.council.narrative_headings]
    narr = ds.narratives
    narr = narr[narr["indicator_id"].isin(shown) & narr["period"].eq(period.label)]
    narr = narr[has_narrative(narr, parts)]  # an empty one is "not provided" in the report
    names = ds.indicators.set_index("id")["name"]
    out = pd.DataFrame(
        {
            "indicator_id": narr["indicator_id"],
            "name": narr["indicator_id"].map(names),
            "period": narr["period"],
            "period_start": period.start_date.isoformat(),
            "period_end": period.end_date.isoformat(),
            **{p: narr[p] for p in parts if p in narr},
            **({"author": narr["author"]} if "author" in narr else {}),
            **({"updated_at": narr["updated_at"].map(_iso)} if "updated_at" in narr else {}),
        }
    )
    order = {i: n for n, i in enumerate(ds.indicators["id"])}
    out = out.sort_values("indicator_id", key=lambda s: s.map(order), kind="stable")
    return out.reset_index(drop=True)
