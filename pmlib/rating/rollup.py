"""Roll actuals up to the reported value of each indicator for each reportable period.

The contract (docs/data-format.md, "How monthly data rolls up"):

* ``measure: period`` — the rows inside the period combined by ``aggregation``: ``sum`` adds,
  ``mean`` averages the periods present, ``last`` takes the latest present, ``ratio`` divides the
  summed numerators by the summed denominators (× 100 for percentages) — never a mean of
  percentages. A ``ratio`` row given only as ``value`` falls back to it (a group mixing such rows
  with numerator/denominator rows falls back to the mean of the row values).
* ``measure: cumulative`` — the same roll-up over every row from the start of the financial year
  to the end of the period (year to date); for ``last`` that is the latest row, which already
  holds a running figure.
* ``measure: snapshot`` — the latest row inside the period.

A period with no supplied value inside it has no reported value (never last quarter's figure
carried forward), even for cumulative measures. Monthly indicators report at month, quarter and
year; quarterly at quarter and year; annual at year only. Rows at another frequency than the
indicator's are ignored (validation reports them).

Everything is computed at once on dense ``indicator × financial year × period`` arrays with
``np.bincount`` and cumulative sums — no per-row or per-group Python — because the same roll-up
feeds ratings for a million actuals.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from pmlib.core.frames import get_indexer
from pmlib.core.periods import Period

NATIVE_KIND = {
    "monthly": "month",
    "quarterly": "quarter",
    "six-monthly": "half",
    "annual": "year",
    "biennial": "year",
}
PER_YEAR = {"month": 12, "quarter": 4, "half": 2, "year": 1}
#: Each frequency's native period kind as a code of :data:`KIND_CODE` (finer kinds lower).
NATIVE_CODE = {"monthly": 0, "quarterly": 1, "six-monthly": 2, "annual": 3, "biennial": 3}
STATUS_RANK: dict[str, object] = {"draft": 0, "submitted": 1, "approved": 2}
STATUS_NAMES = np.array(["draft", "submitted", "approved", None], dtype=object)
_NO_STATUS = 3
ROLLUP_COLUMNS = (
    "indicator_id",
    "period",
    "period_kind",
    "fy",
    "quarter",
    "month",
    "ordinal",
    "value",
    "n_rows",
    "n_expected",
    "data_status",
)


@dataclass(frozen=True)
class Slice:
    """The roll-up of every indicator at one period, as arrays aligned with the indicators.

    ``value`` is the reported value (by measure); ``ytd`` the year-to-date reading by aggregation
    whatever the measure (what a forecast extrapolates); ``n_rows``/``n_expected`` count supplied
    rows against those the period should hold; ``status`` is the worst status rank (3 = none).
    """

    value: np.ndarray
    ytd: np.ndarray
    n_rows: np.ndarray
    n_expected: np.ndarray
    status: np.ndarray

    @property
    def data_status(self) -> np.ndarray:
        return STATUS_NAMES[self.status]


@dataclass(frozen=True)
class Cube:
    """Roll-ups of every indicator at every period of one kind over a range of financial years.

    Arrays have shape ``(indicators, years, periods per year)``. Build with :func:`build_cube`;
    read one period with :meth:`at`.
    """

    kind: str
    fy0: int
    n_fy: int
    value: np.ndarray
    ytd: np.ndarray
    n_rows: np.ndarray
    n_any: np.ndarray
    n_expected: np.ndarray
    status: np.ndarray

    def at(self, period: Period) -> Slice:
        """The roll-up at ``period`` (of this cube's kind); NaN/0 outside the cube's years."""
        if period.kind != self.kind:
            raise ValueError(f"a {self.kind} cube cannot be read at {period.kind} {period}")
        y = period.fy - self.fy0
        b = max(period.index, 1) - 1
        n = self.value.shape[0]
        if not 0 <= y < self.n_fy:
            nan = np.full(n, np.nan)
            zero = np.zeros(n, dtype="int64")
            return Slice(
                nan,
                nan.copy(),
                zero,
                self.n_expected[:, 0, b].copy(),
                np.full(n, _NO_STATUS, dtype="int8"),
            )
        return Slice(
            self.value[:, y, b],
            self.ytd[:, y, b],
            self.n_rows[:, y, b],
            self.n_expected[:, 0, b],
            self.status[:, y, b],
        )


def _column(frame: pd.DataFrame, name: str, dtype: str, fill: Any) -> np.ndarray:
    if name not in frame:
        return np.full(len(frame), fill, dtype=dtype)
    return frame[name].to_numpy(dtype=dtype, na_value=fill)


def indicator_codes(ids: pd.Series, keys: pd.Series) -> np.ndarray:
    """Position of each key in ``ids`` (-1 when unknown), via factorising the keys first.

    Factorising a million repeated ids and looking up only the distinct ones is several times
    faster than hashing every key against the library.
    """
    codes, uniques = pd.factorize(keys)
    lookup = get_indexer(pd.Index(ids), uniques)
    return np.where(codes >= 0, lookup[codes] if len(lookup) else -1, -1)


KIND_CODE = {"month": 0, "quarter": 1, "half": 2, "year": 3}


def _reduce(
    agg: dict[str, np.ndarray],
    count: np.ndarray,
    s_val: np.ndarray,
    c_nd: np.ndarray,
    s_num: np.ndarray,
    s_den: np.ndarray,
    last: np.ndarray,
    scale: np.ndarray,
) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = s_val / count
        ratio = np.where((c_nd == count) & (s_den != 0), s_num / s_den * scale, mean)
    out = np.select([agg["sum"], agg["mean"], agg["ratio"]], [s_val, mean, ratio], last)
    return np.where(count > 0, out, np.nan)


def _map_text(column: pd.Series, table: dict[str, object], default: object) -> np.ndarray:
    """Map a text column through ``table`` by factorising first (fast on a million rows)."""
    codes, uniques = pd.factorize(column)
    mapped = np.array([table.get(str(u), default) for u in uniques] + [default])
    return mapped[codes]


@dataclass(frozen=True)
class Rows:
    """Actuals reduced to the arrays roll-ups need, keyed to positions in the indicator library.

    Preparing them once lets several cubes (quarter and year, say) share the expensive part:
    matching a million indicator ids and reading the columns.
    """

    code: np.ndarray  # indicator position
    fy: np.ndarray
    kind: np.ndarray  # 0 month, 1 quarter, 2 half, 3 year (must equal the indicator's frequency)
    quarter: np.ndarray  # 1-4
    half: np.ndarray  # 1-2 (-1 for a year)
    month: np.ndarray  # financial-year month 1-12
    ordinal: np.ndarray
    value: np.ndarray  # value, else numerator / denominator (× 100 for percentages)
    num: np.ndarray
    den: np.ndarray
    status: np.ndarray  # rank: draft 0 < submitted 1 < approved 2


def prepare_rows(
    indicators: pd.DataFrame, actuals: pd.DataFrame, fys: Iterable[int] | None = None
) -> Rows:
    """Match actuals to the library and keep rows at each indicator's own frequency.

    Rows of unknown indicators, unreadable periods, other financial years than ``fys`` or
    another frequency than the indicator's are dropped (validation reports them).
    """
    native = _map_text(indicators["frequency"], NATIVE_CODE, -1)
    scale = np.where(indicators["unit"].eq("percent").to_numpy(dtype=bool), 100.0, 1.0)
    code = indicator_codes(indicators["id"], actuals["indicator_id"])
    month = _column(actuals, "month", "int64", -1)
    quarter = _column(actuals, "quarter", "int64", -1)
    fy = _column(actuals, "fy", "int64", -1)
    ordinal = _column(actuals, "ordinal", "int64", 0)
    is_half = (
        _map_text(actuals["period_kind"], {"half": True}, False).astype(bool)
        if "period_kind" in actuals
        else np.zeros(len(actuals), dtype=bool)
    )
    kind = np.where(
        month >= 0,
        0,
        np.where(quarter >= 0, 1, np.where(is_half, 2, np.where(fy >= 0, 3, -1))),
    )
    # the half a row falls in: from its last month (ordinal counts months from the year start)
    half = np.where((kind >= 0) & (kind <= 2), (ordinal - fy * 12 - 1) // 6 + 1, -1)
    keep = (code >= 0) & (kind >= 0)
    if fys is not None:
        fys = list(fys)
        keep &= (fy >= min(fys)) & (fy <= max(fys))
    keep[keep] = native[code[keep]] == kind[keep]
    c = code[keep]
    value = _column(actuals, "value", "float64", np.nan)[keep]
    num = _column(actuals, "numerator", "float64", np.nan)[keep]
    den = _column(actuals, "denominator", "float64", np.nan)[keep]
    with np.errstate(invalid="ignore", divide="ignore"):
        given = ~np.isnan(num) & ~np.isnan(den) & (den != 0)
        value = np.where(np.isnan(value) & given, num / den * scale[c], value)
    status = (
        _map_text(actuals["status"], STATUS_RANK, STATUS_RANK["approved"])[keep]
        if "status" in actuals
        else np.full(c.size, STATUS_RANK["approved"])
    )
    return Rows(
        c,
        fy[keep],
        kind[keep],
        quarter[keep],
        half[keep],
        month[keep],
        ordinal[keep],
        value,
        num,
        den,
        status.astype("int8"),
    )


def build_cube(
    indicators: pd.DataFrame, actuals: pd.DataFrame | Rows, kind: str, fys: Iterable[int]
) -> Cube:
    """Roll up ``actuals`` for every indicator at every ``kind`` period of the financial years
    ``fys`` (a contiguous range is used, from the smallest to the largest).

    ``indicators`` needs ``id``, ``frequency``, ``measure``, ``aggregation`` and ``unit``;
    ``actuals`` the contract columns plus the parsed period columns (``fy``, ``quarter``,
    ``month``, ``ordinal``), or the :class:`Rows` :func:`prepare_rows` made from them.
    """
    fys = list(fys)
    fy0, n_fy = min(fys), max(fys) - min(fys) + 1
    per = PER_YEAR[kind]
    n_ind = len(indicators)
    rows = actuals if isinstance(actuals, Rows) else prepare_rows(indicators, actuals, fys)
    native = _map_text(indicators["frequency"], NATIVE_CODE, -1)
    aggregation = indicators["aggregation"]
    agg = {
        a: aggregation.eq(a).to_numpy(dtype=bool)[:, None, None]
        for a in ("sum", "mean", "ratio", "last")
    }
    cumulative = indicators["measure"].eq("cumulative").to_numpy(dtype=bool)[:, None, None]
    snapshot = indicators["measure"].eq("snapshot").to_numpy(dtype=bool)[:, None, None]
    scale = np.where(indicators["unit"].eq("percent").to_numpy(dtype=bool), 100.0, 1.0)

    finest = KIND_CODE[kind]  # rows at this kind or finer roll up into it
    bucket = {"month": rows.month, "quarter": rows.quarter, "half": rows.half}.get(
        kind, np.ones_like(rows.fy)
    ) - 1
    keep = (
        (rows.kind <= finest)
        & (rows.fy >= fy0)
        & (rows.fy < fy0 + n_fy)
        & (bucket >= 0)
        & (bucket < per)
    )
    flat = (rows.code[keep] * n_fy + (rows.fy[keep] - fy0)) * per + bucket[keep]
    size = n_ind * n_fy * per
    value, num, den = rows.value[keep], rows.num[keep], rows.den[keep]
    present = ~np.isnan(value)
    nd = present & ~np.isnan(num) & ~np.isnan(den) & (den != 0)
    ordinal, status = rows.ordinal[keep], rows.status[keep]

    def total(keys: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        out = np.bincount(keys, weights=weights, minlength=size)
        return out if weights is not None else out.astype("int64")

    # each subset's cell keys and values taken once (a million rows each), not once per sum
    p_flat, p_value, p_ord = flat[present], value[present], ordinal[present]
    nd_flat = flat[nd]
    n_any = total(flat)
    count = total(p_flat)
    s_val = total(p_flat, p_value)
    c_nd = total(nd_flat)
    s_num = total(nd_flat, num[nd])
    s_den = total(nd_flat, den[nd])
    del nd_flat
    latest = np.full(size, -1, dtype="int64")
    np.maximum.at(latest, p_flat, p_ord)
    last = np.full(size, np.nan)
    is_last = p_ord == latest[p_flat]
    last[p_flat[is_last]] = p_value[is_last]
    worst = np.full(size, _NO_STATUS, dtype="int8")
    np.minimum.at(worst, p_flat, status[present])
    # the per-row arrays are done with: freed before the per-cell arrays below are made
    del flat, value, num, den, present, nd, ordinal, status, p_flat, p_value, p_ord, is_last
    del latest, keep, bucket

    shape = (n_ind, n_fy, per)
    count, s_val, c_nd, s_num, s_den, last, worst, n_any = (
        a.reshape(shape) for a in (count, s_val, c_nd, s_num, s_den, last, worst, n_any)
    )
    sc = scale[:, None, None]
    in_period = _reduce(agg, count, s_val, c_nd, s_num, s_den, last, sc)
    cum_count = np.cumsum(count, axis=2)
    ytd = _reduce(
        agg,
        cum_count,
        np.cumsum(s_val, axis=2),
        np.cumsum(c_nd, axis=2),
        np.cumsum(s_num, axis=2),
        np.cumsum(s_den, axis=2),
        last,
        sc,
    )
    ytd = np.where(count > 0, ytd, np.nan)  # nothing supplied in the period itself: no value
    reported = np.where(cumulative, ytd, np.where(snapshot, last, in_period))

    native_per = np.array([12, 4, 2, 1, 0])[native]
    reportable = (native >= 0) & (native <= finest)
    per_bucket = np.where(reportable, native_per // per, 0)[:, None, None]
    steps = np.arange(1, per + 1)[None, None, :]
    n_expected = np.where(cumulative, per_bucket * steps, per_bucket)
    n_rows = np.where(cumulative, cum_count, count)
    status_out = np.where(cumulative, np.minimum.accumulate(worst, axis=2), worst)
    return Cube(
        kind, fy0, n_fy, reported, ytd, n_rows, n_any, n_expected, status_out.astype("int8")
    )


def rollup(
    dataset: Any, kind: str = "quarter", *, fys: Iterable[int] | None = None
) -> pd.DataFrame:
    """The reported value of every indicator at every ``kind`` period that has rows.

    Parameters
    ----------
    dataset
        A :class:`pmlib.core.model.Dataset`.
    kind
        ``month``, ``quarter`` or ``year``. Indicators not reportable at that kind (a quarterly
        indicator by month, an annual one by quarter) are left out.
    fys
        Financial years (start years) to roll up; default every year in the actuals.

    Returns
    -------
    pandas.DataFrame
        One row per (indicator, period) holding at least one actuals row, with columns
        ``indicator_id, period, period_kind, fy, quarter, month, ordinal, value`` (unrounded),
        ``n_rows`` (rows with a value that went into it), ``n_expected`` (a quarter of a monthly
        indicator expects 3; year to date at Q2 expects 6) and ``data_status`` (the worst status
        among them: draft < submitted < approved) — for the data-quality section.
    """
    if kind not in PER_YEAR:
        raise ValueError(f"kind must be month, quarter, half or year, not {kind!r}")
    actuals = dataset.actuals
    ind = dataset.indicators.reset_index(drop=True)
    if fys is None:
        years = actuals["fy"].dropna().astype("int64")
        fys = range(int(years.min()), int(years.max()) + 1) if len(years) else []
    fys = list(fys)
    if not fys or ind.empty:
        return pd.DataFrame(columns=list(ROLLUP_COLUMNS))
    cube = build_cube(ind, actuals, kind, fys)
    i, y, b = np.nonzero((cube.n_any > 0) & (cube.n_expected[:, :1, :] > 0))
    start = dataset.settings.council.fy_start_month
    fy = cube.fy0 + y
    index = np.where(kind == "year", 0, b + 1)
    keys = pd.DataFrame({"fy": fy, "index": index}).drop_duplicates()
    labels = {
        (f, k): Period(kind, int(f), int(k), start)
        for f, k in zip(keys["fy"], keys["index"], strict=True)
    }
    lookup = pd.DataFrame(
        [
            (f, k, p.label, p.quarter, p.index if kind == "month" else None, p.ordinal)
            for (f, k), p in labels.items()
        ],
        columns=["fy", "index", "period", "quarter", "month", "ordinal"],
    )
    out = pd.DataFrame(
        {
            "indicator_id": ind["id"].to_numpy()[i],
            "fy": fy,
            "index": index,
            "value": cube.value[i, y, b],
            "n_rows": cube.n_rows[i, y, b],
            "n_expected": cube.n_expected[i, 0, b],
            "data_status": STATUS_NAMES[cube.status[i, y, b]],
        }
    ).merge(lookup, on=["fy", "index"], how="left")
    out["period_kind"] = kind
    out = out.astype(
        {
            "fy": "Int64",
            "quarter": "Int64",
            "month": "Int64",
            "ordinal": "Int64",
            "period": "str",
            "period_kind": "str",
            "data_status": "str",
            "indicator_id": "str",
        }
    )
    return out[list(ROLLUP_COLUMNS)]
