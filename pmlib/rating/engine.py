"""RAG ratings: every indicator's value at a period → Green / Amber / Red / Grey / No data, with
the reason, Direction of Travel and year-end forecast.

The rules are in docs/rating-rules.md; in short:

* the value rated is the value **as published** (rounded to the indicator's ``decimals``), so the
  colour always agrees with the number the reader sees;
* the shortfall on the wrong side of the target is measured ``relative`` to the target or in the
  measure's ``absolute`` units; Green while at most ``green_within``, Amber while at most
  ``amber_within`` (bounds inclusive), Red beyond — or, with an ``intervention`` level, Amber down
  to it and Red beyond it; ``band`` targets are Green inside ``[lower, upper]`` and rated by the
  distance outside; ``lower`` polarity mirrors everything;
* Grey for monitoring-only indicators and for periods an indicator does not report; ``No data``
  when an expected value is missing (a data-quality issue, never Red or Green).

:func:`rate_frame` is the pure core on a flat table (one row per thing to rate), so the rules can
be tested table by table; :func:`rate_period` and :func:`rate_history` assemble that table from a
:class:`~pmlib.core.model.Dataset`. All of it works on whole columns — sentences included — so a
library of 100,000 indicators rates in about a second.

The parts live beside this module: :mod:`~pmlib.rating.rules` (the arithmetic and
:func:`rate_frame`), :mod:`~pmlib.rating.reasons` (the sentences), :mod:`~pmlib.rating.targets`
(which target row applies) and :mod:`~pmlib.rating.rag` (colours and columns). Every public name
stays importable from here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields, replace

import numpy as np
import pandas as pd

from pmlib.config.schemes import check_scheme_warnings, resolve_schemes
from pmlib.core.errors import ParameterError
from pmlib.core.model import Dataset
from pmlib.core.numbers import (
    agreed_decimals,
    agreed_text,
    format_rating_table,
    round_published,
    text_series,
    unit_codes,
    unit_label,
)
from pmlib.core.periods import Period, in_library, parse_period
from pmlib.rating.cadence import feed, kinds_needed
from pmlib.rating.lags import due_periods, lag_months, with_lags
from pmlib.rating.overrides import Overrides, apply_overrides
from pmlib.rating.rag import (
    AMBER,
    GREEN,
    GREY,
    HISTORY_COLUMNS,
    NO_DATA,
    RAG_RANK,
    RAGS,
    RATE_COLUMNS,
    RED,
    _Inputs,
)
from pmlib.rating.rollup import STATUS_NAMES, Cube, build_cube, prepare_rows
from pmlib.rating.rules import _rate, _scheme_arrays, rate_frame
from pmlib.rating.targets import _TARGET_FIELDS, TargetTable, targets_at
from pmlib.rating.text import concat, join, put, take, where
from pmlib.rating.trend import NOT_COMPARABLE, direction_of_travel, forecast_arrays

__all__ = [
    "GREEN",
    "AMBER",
    "RED",
    "GREY",
    "NO_DATA",
    "RAGS",
    "RAG_RANK",
    "RATE_COLUMNS",
    "HISTORY_COLUMNS",
    "rate_frame",
    "period_rater",
    "rate_period",
    "rate_history",
    "targets_at",
    "format_rating_table",
    "check_scheme_warnings",
]


# -- assembling from a Dataset -------------------------------------------------------------------
@dataclass(frozen=True)
class _Context:
    """The library, resolved schemes and roll-ups shared by every period rated in one call."""

    dataset: Dataset
    meta: pd.DataFrame
    arrays: dict[str, object]
    cubes: dict[str, Cube]
    overrides: Overrides
    targets: TargetTable

    def take(self, rows: np.ndarray) -> _Context:
        """The context of the indicators at positions ``rows`` only (in that order).

        A rating row depends on its own indicator only, so a lagged indicator is re-rated at
        its due period in a context of the lagged indicators (:func:`with_lags`), not the
        whole library's.
        """

        def part(values: object) -> object:
            if isinstance(values, pd.Series):
                return values.iloc[rows].reset_index(drop=True)
            if isinstance(values, tuple):  # unit codes and their names
                return (values[0][rows], *values[1:])
            return values[rows]

        cubes = {
            k: replace(
                c,
                **{
                    f.name: getattr(c, f.name)[rows]
                    for f in fields(c)
                    if f.name not in ("kind", "fy0", "n_fy")
                },
            )
            for k, c in self.cubes.items()
        }
        return _Context(
            self.dataset,
            self.meta.iloc[rows].reset_index(drop=True),
            {k: part(v) for k, v in self.arrays.items()},
            cubes,
            self.overrides.take(rows),
            self.targets,
        )


def _context(dataset: Dataset, kinds: set[str], fys: range) -> _Context:
    council = dataset.settings.council
    ind = dataset.indicators.reset_index(drop=True)
    decimals = (
        ind["decimals"].to_numpy(dtype="float64", na_value=0).astype("int64")
        if "decimals" in ind
        else np.zeros(len(ind), dtype="int64")
    )
    meta = pd.DataFrame(
        {
            c: ind[c].astype("str")
            for c in (
                "id",
                "name",
                "kind",
                "unit",
                "polarity",
                "frequency",
                "measure",
                "aggregation",
            )
        }
    ).assign(decimals=decimals)
    resolved = resolve_schemes(ind, dataset.settings.schemes, council.rag_scheme)
    arrays: dict[str, object] = {
        "decimals": decimals,
        "units": unit_codes(meta["unit"]),
        "polarity": meta["polarity"].to_numpy(dtype=object, na_value=""),
        "statistic": meta["kind"].eq("statistic").to_numpy(dtype=bool),
        "frequency": meta["frequency"].to_numpy(dtype=object, na_value=""),
        "measure": meta["measure"].to_numpy(dtype=object, na_value=""),
        "aggregation": meta["aggregation"].to_numpy(dtype=object, na_value=""),
        "scheme": resolved["scheme"].astype("str"),
        **_scheme_arrays(resolved),
    }
    cubes = _cubes(dataset, meta, arrays, kinds, fys)
    overrides = Overrides.from_actuals(dataset.actuals, meta["id"])
    return _Context(dataset, meta, arrays, cubes, overrides, TargetTable(dataset.targets))


def _cubes(
    dataset: Dataset, meta: pd.DataFrame, arrays: dict[str, object], kinds: set[str], fys: range
) -> dict[str, Cube]:
    """The roll-ups a rating of ``kinds`` of period in the financial years ``fys`` reads."""
    rows = prepare_rows(meta, dataset.actuals, fys)
    kinds = kinds_needed(kinds, arrays["frequency"])
    # a sub-year period reads itself, the period before and the same period last year, so its
    # cube starts a year before the first period rated; only the year cube reaches two years
    # back (a biennial outturn), which is why ``fys`` starts two years back
    return {k: build_cube(meta, rows, k, fys if k == "year" else fys[1:]) for k in kinds}


def _scheme_inputs(arrays: dict[str, object]) -> dict[str, object]:
    keys = (
        "decimals",
        "units",
        "polarity",
        "statistic",
        "relative",
        "green_within",
        "amber_within",
        "two",
        "improve_rule",
        "label",
        "own",
    )
    return {k: arrays[k] for k in keys}


def _rate_at(ctx: _Context, period: Period, *, trend: bool = True) -> pd.DataFrame:
    m, arr = ctx.meta, ctx.arrays
    n = len(m)
    year = period.year()
    freq, measure = arr["frequency"], arr["measure"]
    dec, units = arr["decimals"], arr["units"]
    annual = (freq == "annual") | (freq == "biennial")
    fd = feed(ctx.cubes, freq, period)  # each indicator's figure by its frequency (cadence)
    on_year, on_half, grey = fd.on_year, fd.on_half, fd.grey
    yc, yl, cur = fd.year, fd.year_before, fd.cur
    value, prev_value, ly_value = cur.value, fd.prev.value, fd.last.value

    targets = ctx.targets
    tp, ty = targets.at(m["id"], period), targets.at(m["id"], year)
    if fd.half is not None and on_half.any():  # six-monthly rows take their half's target
        th = targets.at(m["id"], fd.half)
        tp = pd.DataFrame({c: np.where(on_half, th[c].to_numpy(), tp[c].to_numpy()) for c in tp})
    tgt = {c: np.where(on_year, ty[c].to_numpy(), tp[c].to_numpy()) for c in _TARGET_FIELDS}
    target_period = np.where(
        on_year, ty["target_period"].to_numpy(), tp["target_period"].to_numpy()
    )
    profiled = (
        (measure == "cumulative")
        & (arr["aggregation"] == "sum")
        & (tp["target_kind"].to_numpy() == "year")
        & ~on_year
        & (period.months_elapsed < 12)
    )
    # targets are kept as agreed; a pro-rata share of a year target is kept to the precision
    # the year target was agreed with (7/12 of 1,000 is 583, of 2.5 days 1.5)
    factor = period.months_elapsed / 12
    tgt = {
        c: np.where(
            profiled, round_published(values * factor, agreed_decimals(values, dec)), values
        )
        for c, values in tgt.items()
    }
    note = np.full(n, "", dtype=object)
    rows = np.flatnonzero(profiled)
    if rows.size:
        sub = (units[0][rows], units[1])
        note[rows] = join(
            "profiled target ",
            agreed_text(tgt["target"][rows], dec[rows], sub),
            f" ({period.months_elapsed}/12 of ",
            agreed_text(ty["target"].to_numpy()[rows], dec[rows], sub),
            ")",
        )
    in_year_cumulative = (measure == "cumulative") & (period.kind != "year") & ~on_year
    prefix = np.where(
        on_year & (period.kind != "year"),
        f"{year.label} outturn: ",
        np.where(
            on_half,
            f"{fd.half.label if fd.half else ''}: ",
            np.where(in_year_cumulative, "Year to date: ", ""),
        ),
    )
    tol = ctx.dataset.settings.council.dot_tolerance
    rated = _rate(
        _Inputs(
            value=value,
            **tgt,
            last_year=ly_value,
            grey_reason=grey,
            no_data_reason=f"no value supplied for {period.label}",
            target_note=note,
            prefix=prefix,
            **_scheme_inputs(arr),
        ),
        tol,
        reasons=trend,
    )
    v = rated["value"]
    use = {
        "n_rows": cur.n_rows,
        "n_expected": np.where(grey != "", 0, cur.n_expected),
        # text whatever the rows hold (as the roll-ups give it): a frame whose figures have no
        # status yet must not come out as objects, nor one of a few indicators differ in type
        # from the library's (pmlib.rating.rater.shared_rater)
        "data_status": pd.array(STATUS_NAMES[cur.status], dtype="str"),
    }
    out = pd.DataFrame(
        {
            "indicator_id": m["id"],
            "name": m["name"],
            "period": period.label,
            "period_end": period.end_date.isoformat(),
            "kind": m["kind"],
            "unit": m["unit"],
            "unit_label": np.array([unit_label(u) for u in units[1]] + [""], dtype=object)[
                units[0]
            ],
            "decimals": dec,
            "polarity": m["polarity"],
            "measure": m["measure"],
            "value": v,
            "raw_value": value,
            **tgt,
            "profiled": profiled,
            "target_period": pd.Series(target_period, dtype="str"),
            "rag": text_series(rated["rag"]),
            "scheme": arr["scheme"],
            "green_threshold": rated["green_threshold"],
            "red_threshold": rated["red_threshold"],
            "ordinal": period.ordinal,
            **use,
            # a six-monthly figure in a quarter's report is its half-year's (labelled "H1: 71%")
            "reported_period": np.where(
                on_half, fd.half.label if fd.half else "", period.label
            ).astype(object),
        }
    )
    # a reviewer's recorded judgement stands in place of the computed rating (rating.overrides)
    out = apply_overrides(out, ctx.overrides.at(period, on_year))
    if not trend:
        return out

    prev_pub = np.where(in_year_cumulative, np.nan, round_published(prev_value, dec))
    ly_pub = round_published(ly_value, dec)
    dot = {
        "kind": np.where(arr["statistic"], "statistic", ""),
        "tolerance": tol,
        "lower": tgt["lower"],
        "upper": tgt["upper"],
    }
    dot_short = np.where(
        in_year_cumulative, NOT_COMPARABLE, direction_of_travel(v, prev_pub, arr["polarity"], **dot)
    )
    dot_long = direction_of_travel(v, ly_pub, arr["polarity"], **dot)
    # in Arrow: as NumPy text this note is 125,000 fixed-width cells of 78 characters (~40 MB)
    dot_note = where(
        in_year_cumulative,
        "year to date: compared with the same point last year, not the previous period",
        "",
    )
    prev_label, ly_label = fd.prev_label, fd.last_label

    final = period.months_elapsed == 12
    has_year_target = ty[["target", "lower", "upper"]].notna().any(axis=1).to_numpy()
    forecast, _, fc_reason = forecast_arrays(
        measure=measure,
        aggregation=arr["aggregation"],
        annual=annual,
        units=units,
        decimals=dec,
        value=value,
        ytd=cur.ytd,
        last_year_ytd=fd.last.ytd,
        last_year_outturn=yl.value,
        outturn=yc.value,
        months_elapsed=period.months_elapsed,
        final=final,
        has_year_target=has_year_target,
        last_year_period=period.last_year().label,
    )
    year_target = {c: ty[c].to_numpy() for c in _TARGET_FIELDS}
    fc_inputs = _scheme_inputs(arr) | {"improve_rule": np.zeros(n, dtype=bool)}
    fc_rag = _rate(
        _Inputs(value=forecast, **year_target, last_year=np.full(n, np.nan), **fc_inputs),
        tol,
        reasons=False,
    )["rag"]
    fc_rag = np.where(np.isnan(forecast), "", fc_rag)
    rows = np.flatnonzero(np.isin(fc_rag, list(RAG_RANK)))
    if rows.size:
        sub, d = (units[0][rows], units[1]), dec[rows]

        def fmt(values: np.ndarray) -> np.ndarray:
            return agreed_text(values[rows], d, sub)

        against = where(
            np.isnan(year_target["target"][rows]),
            concat(
                "the ",
                fmt(year_target["lower"]),
                " to ",
                fmt(year_target["upper"]),
                " year-end range",
            ),
            concat("the ", fmt(year_target["target"]), " year-end target"),
        )
        fc_reason = put(
            fc_reason,
            rows,
            concat(take(fc_reason, rows), "; ", fc_rag[rows], " against ", against),
        )
    not_due = grey != ""
    if not_due.any():  # sentences stay Arrow text on their way to the frame
        fc_reason = put(fc_reason, not_due, concat("No forecast: ", grey[not_due]))
    return out.assign(
        rag_reason=text_series(rated["rag_reason"]),
        previous_period=text_series(np.where(in_year_cumulative, "", prev_label)),
        previous_value=prev_pub,
        last_year_period=text_series(ly_label),
        last_year_value=ly_pub,
        dot_short=text_series(dot_short),
        dot_long=text_series(dot_long),
        dot_note=text_series(dot_note),
        forecast=forecast,
        forecast_rag=text_series(fc_rag),
        forecast_reason=text_series(fc_reason),
    )


def _as_period(dataset: Dataset, period: str | Period) -> Period:
    if isinstance(period, Period):
        return period
    return parse_period(period, dataset.settings.council.fy_start_month)


def rate_period(dataset: Dataset, period: str | Period) -> pd.DataFrame:
    """Rate every indicator in the library at ``period`` (a month, quarter or financial year).

    Returns
    -------
    pandas.DataFrame
        One row per indicator of ``dataset.indicators`` in the library at ``period`` (its
        ``valid_from``/``valid_to``; blank: always), in library order, with the columns of
        :data:`RATE_COLUMNS`: the published ``value`` and ``raw_value``; the ``target``,
        ``intervention``, ``lower``, ``upper`` used (pro-rata when ``profiled``) and the
        ``target_period`` row they came from; ``rag`` (Green, Amber, Red, Grey, No data) and
        ``rag_reason``; the ``scheme``; ``green_threshold``/``red_threshold`` for charts;
        Direction of Travel against the ``previous_period`` and ``last_year_period``
        (``dot_short``, ``dot_long``, ``dot_note``); the year-end ``forecast``, its
        ``forecast_rag`` and ``forecast_reason``; and ``n_rows``/``n_expected``/``data_status``
        of the figures behind the value, for the data-quality section; ``reported_period``
        and ``lagged``: an indicator reported in arrears (``reporting_lag``) is rated on its
        latest due period, named there (:mod:`pmlib.rating.lags`).

    Raises
    ------
    pmlib.core.errors.PeriodError
        ``period`` is not a readable period label.
    pmlib.core.errors.ConfigError
        An indicator names a RAG scheme that is not defined.
    """
    p = _as_period(dataset, period)
    months = lag_months(dataset.indicators)
    ctx = _context(dataset, {p.kind}, _period_years(p, months))
    return _period_rating(
        dataset, p, months, lambda q: _rate_at(ctx, q), lambda q, rows: _rate_at(ctx.take(rows), q)
    )


def _period_years(p: Period, months: np.ndarray) -> range:
    """The financial years a rating at ``p`` reads (lagged indicators' due periods included)."""
    fy0 = min([p.fy] + [q.fy for q in due_periods(p, months).values()])
    return range(fy0 - 2, p.fy + 1)


def _period_rating(
    dataset: Dataset,
    p: Period,
    months: np.ndarray,
    rate_at: Callable[[Period], pd.DataFrame],
    rate_rows: Callable[[Period, np.ndarray], pd.DataFrame],
) -> pd.DataFrame:
    """:func:`rate_period`'s frame from ``rate_at``/``rate_rows`` (see :func:`with_lags`)."""
    rated = with_lags(rate_at, p, months, rate_rows)[list(RATE_COLUMNS)]
    keep = _in_library_then(dataset.indicators, p)
    return rated if keep is None else rated[keep].reset_index(drop=True)


def _in_library_then(ind: pd.DataFrame, p: Period) -> np.ndarray | None:
    """Which indicators were in the library at ``p`` (``None``: all of them): those retired
    before it or new after it are left out of its rating."""
    if {"valid_from", "valid_to"} <= set(ind.columns) and (
        ind["valid_from"].notna().any() or ind["valid_to"].notna().any()
    ):
        return in_library(ind["valid_from"], ind["valid_to"], p).to_numpy(dtype=bool)
    return None


def period_rater(dataset: Dataset, period: str | Period) -> Callable[[int, int], pd.DataFrame]:
    """``rate(lo, hi)``: :func:`rate_period`'s rows for the indicators at library positions
    ``lo`` to ``hi - 1``.

    A rating row depends on its own indicator only, so the parts of a library, rated in order
    and joined, are :func:`rate_period`'s frame. Each part is rated from its own indicators'
    rows (their roll-ups, schemes and sentences), so parts rated in processes forked after this
    call share nothing but the dataset (:mod:`pmlib.rating.ratings_file`). What must hold for
    the whole library is checked here, once: every indicator's RAG scheme is defined, so a
    :class:`~pmlib.core.errors.ConfigError` names the same indicators as :func:`rate_period`.
    """
    p = _as_period(dataset, period)
    ind = dataset.indicators.reset_index(drop=True)
    resolve_schemes(ind, dataset.settings.schemes, dataset.settings.council.rag_scheme)
    months = lag_months(ind)
    fys = _period_years(p, months)
    keep = _in_library_then(ind, p)
    n = len(ind)

    def rate(lo: int, hi: int) -> pd.DataFrame:
        lo, hi = max(0, lo), max(lo, min(n, hi))
        if (lo, hi) == (0, n):
            part = dataset
        else:  # the targets and actuals stay whole: the part's own rows are matched to it
            part = replace(dataset, indicators=ind.iloc[lo:hi].reset_index(drop=True))
        ctx = _context(part, {p.kind}, fys)
        rated = with_lags(
            lambda q: _rate_at(ctx, q),
            p,
            months[lo:hi],
            lambda q, rows: _rate_at(ctx.take(rows), q),
        )[list(RATE_COLUMNS)]
        return rated if keep is None else rated[keep[lo:hi]].reset_index(drop=True)

    return rate


def _containing(period: Period, kind: str) -> Period:
    return period.months()[-1].containing(kind)


def rate_history(
    dataset: Dataset,
    through: str | Period,
    *,
    kind: str = "quarter",
    periods: int = 8,
    lags: bool = False,
) -> pd.DataFrame:
    """Ratings of every indicator over the last ``periods`` periods of ``kind``, for trend charts
    and "moved to Red since Q1" narrative.

    The last period is the ``kind`` period holding ``through``'s final month (``2026/27 Q2``
    with ``kind="month"`` ends at ``2026-09``). The roll-ups behind all the periods are computed
    once; each period's rating is then one vectorised pass, without the reason sentences (use
    :func:`rate_period` for those). With ``lags``, an indicator reported in arrears
    (``reporting_lag``) has no rows after its latest period due by ``through``, so a report's
    trend for it ends where its rating is (the figures are still there for a later report).

    Returns
    -------
    pandas.DataFrame
        Long: one row per indicator and period (oldest period first, library order within it),
        columns :data:`HISTORY_COLUMNS`.
    """
    chain = _history_chain(dataset, through, kind, periods)
    ctx = _context(dataset, {kind}, range(chain[0].fy - 2, chain[-1].fy + 1))
    return _history_rating(dataset, chain, lags, lambda q: _rate_at(ctx, q, trend=False))


def _history_chain(dataset: Dataset, through: str | Period, kind: str, periods: int) -> list:
    """The periods :func:`rate_history` rates, oldest first."""
    if kind not in ("month", "quarter", "half", "year"):
        raise ParameterError(f"kind must be month, quarter, half or year, not {kind!r}.")
    if periods < 1:
        raise ParameterError(f"periods must be at least 1, not {periods}.")
    end = _containing(_as_period(dataset, through), kind)
    chain = [end]
    for _ in range(periods - 1):
        chain.append(chain[-1].previous())
    chain.reverse()
    return chain


def _history_rating(
    dataset: Dataset, chain: list, lags: bool, rate_at: Callable[[Period], pd.DataFrame]
) -> pd.DataFrame:
    """:func:`rate_history`'s frame from ``rate_at`` (a rating with at least
    :data:`HISTORY_COLUMNS`)."""
    end = chain[-1]
    frames = [rate_at(p)[list(HISTORY_COLUMNS)] for p in chain]
    hist = pd.concat(frames, ignore_index=True)
    months = lag_months(dataset.indicators) if lags else np.zeros(1, dtype="int64")
    if months.any():  # an indicator in arrears: its history ends at its latest due period
        due = due_periods(end, months)
        ids = dataset.indicators["id"].to_numpy()
        cap = {i: due[int(m)].ordinal for i, m in zip(ids, months, strict=True) if m}
        limit = hist["indicator_id"].map(cap)
        hist = hist[limit.isna() | (hist["ordinal"] <= limit)].reset_index(drop=True)
    return hist
