"""Benchmarking statistics: where a council stands among its peers, and what it would take to move.

Every statistic is computed for all metrics × periods at once with pandas group operations (no
per-row Python), is polarity-aware where "better" matters, and keeps areas without a value in
the output — a peer with no figure is *reported*, never silently dropped, because a ranking
that quietly shrinks from 16 to 14 councils reads very differently.

Definitions (``docs/benchmarking.md`` explains them with worked examples):

``rank``
    1 = best; ties share the best rank of the tie and the next rank is skipped ("standard
    competition" or ``min`` ranking: 1, 2, 2, 4 — two councils "joint 2nd"). ``polarity``
    ``higher`` ranks the biggest value 1st, ``lower`` the smallest, ``none`` the biggest (size
    order only; no "better" is implied).
``n``
    Areas in the group with a value for that metric and period (the denominator of "4th of n").
``percentile``
    ``100 × (n − rank) / (n − 1)``: the percentage of the *other* areas that this area is at
    least as good as (100 = nobody better, 0 = everyone else better). NaN when n = 1.
``quartile``
    1 = best quarter: ``percentile ≥ 75`` → 1, ``≥ 50`` → 2, ``≥ 25`` → 3, else 4. For distinct
    values this is *exactly* "at or better than the upper-quartile value" with quartile values
    computed as Excel's ``QUARTILE.INC`` (Hyndman & Fan type 7, pandas' default), so an area is
    in the top quartile precisely when it has reached :data:`top_quartile_boundary`; tied areas
    always share a quartile. It is computed in integer arithmetic (``4(n − rank) ≥ 3(n − 1)``)
    so no rounding can move an area across a boundary.
``median``, ``mad``, ``mads_from_median``
    The group median; the *raw* median absolute deviation ``median(|x − median|)`` (not scaled
    by 1.4826); and ``(value − median) / mad``, signed by value not by polarity (positive =
    above the median). This is the Office for Local Government's definition: it reproduces
    every published ``MADs_from_median`` in Oflog's adult social care extract. NaN when the MAD
    is 0 (more than half the group share one value, so the distance is undefined).
``top_quartile_boundary``
    The upper-quartile value (``QUARTILE.INC``, 75th percentile) for ``higher``/``none``, the
    lower-quartile value (25th percentile) for ``lower``: the value that reaches the top
    quartile.
``gap_to_median``, ``gap_to_top_quartile``
    ``value − median`` and ``value − top_quartile_boundary`` in the metric's units, signed like
    ``mads_from_median`` (positive = above). Whether above is good depends on ``polarity``.
``mean``, ``pooled_mean``, ``pooled_n``
    The plain mean of the values (a mean of rates: every council weighs the same), and
    ``Σ numerator / Σ denominator × scale`` over the ``pooled_n`` areas with both counts — the
    group's own rate, weighted by size. NaN when no area has counts.
``rank_change``, ``quartile_change``
    Against the same area's rank/quartile in ``previous_period``, the metric's previous period
    (of the same kind) in the data. Positive = improved ("up two places").

The peer group (areas, polarity, missing peers) is built in :mod:`~pmlib.benchmarking.groups`
and the result is read for committees in :mod:`~pmlib.benchmarking.narrative`; every public
name stays importable from here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from pmlib.benchmarking.groups import (
    _KEYS,
    _data_polarity,
    _group_frame,
    _period_order,
    _scales,
    missing_peers,
    peer_group_members,
    polarity_from_indicators,
    resolve_polarity,
)
from pmlib.benchmarking.io import (
    BENCHMARK_COLUMNS,
    PeerGroups,
    metric_metadata,
    read_benchmarks,
    read_metric_metadata,
    read_peer_groups,
    slugify,
)
from pmlib.benchmarking.narrative import CAVEAT, narrate_position, target_options
from pmlib.core.csv_out import write_csv
from pmlib.core.errors import ParameterError, Problem
from pmlib.core.periods import try_parse_period

__all__ = [
    "BENCHMARK_COLUMNS",
    "CAVEAT",
    "PUBLIC_COLUMNS",
    "STATS_COLUMNS",
    "BenchmarkRun",
    "PeerGroups",
    "benchmark_stats",
    "metric_metadata",
    "missing_peers",
    "narrate_position",
    "peer_group_members",
    "polarity_from_indicators",
    "read_benchmarks",
    "read_metric_metadata",
    "read_peer_groups",
    "resolve_polarity",
    "slugify",
    "target_options",
    "write_benchmark_csv",
]

#: The benchmark CSV's public contract: these columns come first, in this order, and are stable.
PUBLIC_COLUMNS = (
    "area_code",
    "metric",
    "period",
    "value",
    "rank",
    "quartile",
    "percentile",
    "median",
    "mads_from_median",
)

#: Every column of :func:`benchmark_stats`, in order.
STATS_COLUMNS = (
    "area_code",
    "area_name",
    "metric",
    "period",
    "value",
    "rank",
    "n",
    "quartile",
    "percentile",
    "median",
    "mad",
    "mads_from_median",
    "mean",
    "pooled_mean",
    "pooled_n",
    "top_quartile_boundary",
    "gap_to_median",
    "gap_to_top_quartile",
    "previous_period",
    "rank_change",
    "quartile_change",
    "polarity",
    "n_group",
    "missing_reason",
    "is_focus",
)


# -- the statistics -----------------------------------------------------------------------------
def benchmark_stats(
    data: pd.DataFrame,
    *,
    polarity: str | Mapping[str, str] | None = None,
    peers: Sequence[str] | None = None,
    focus: str | None = None,
    scale: float | Mapping[str, float] | None = None,
    movement: bool = True,
) -> pd.DataFrame:
    """Rank, quartile, percentile, median, MAD distance and more for every metric × period.

    Parameters
    ----------
    data
        A benchmark table as from :func:`read_benchmarks` (needs ``area_code, metric, period,
        value``; ``numerator``, ``denominator``, ``area_name``, ``polarity`` are used if
        present). Never modified.
    polarity
        ``higher``/``lower``/``none`` for all metrics or per metric; missing entries come from
        the data's ``polarity`` column (see :func:`resolve_polarity`).
    peers
        The peer group's area codes; ``None`` = every area in the data (national/regional
        aggregates excepted). Peers with no row or no value get a row with NaN statistics and
        a ``missing_reason`` rather than vanishing.
    focus
        The council's own area code (``council.yaml: area_code``). Marked ``is_focus`` and
        always part of the group, even if the peer list leaves it out.
    scale
        Multiplier for pooled means (100 for a percentage); inferred from the data if omitted.
    movement
        ``False`` leaves ``previous_period``, ``rank_change`` and ``quartile_change`` missing
        and the rows in the data's order: for a caller that ranks one period per metric (a
        report's latest positions), where matching periods up is most of the work.

    Returns
    -------
    pandas.DataFrame
        The columns of :data:`STATS_COLUMNS` (definitions in the module docstring), sorted by
        metric, period (in time order) and rank. Values are unrounded: round when presenting.
        A value left blank but with a numerator and denominator is computed from them.
    """
    grid = _group_frame(data, peers, focus)
    if grid.empty:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in STATS_COLUMNS})
    if isinstance(polarity, str):
        pol = resolve_polarity(grid, polarity)
    else:
        pol = resolve_polarity(grid, {**_data_polarity(data), **dict(polarity or {})})
    grid["polarity"] = grid["metric"].map(pol).astype("string")
    scales = _scales(grid, data, scale)
    derived = grid["numerator"] / grid["denominator"].where(grid["denominator"] > 0) * scales
    fill = grid["value"].isna() & grid["marker"].isna() & derived.notna()
    grid["value"] = grid["value"].where(~fill, derived)
    grid["missing_reason"] = grid["missing_reason"].where(grid["value"].isna())

    value = grid["value"]
    by = grid.groupby(_KEYS, sort=False).ngroup().to_numpy()  # one integer key per group
    lower = grid["polarity"].eq("lower").to_numpy()
    score = value * np.where(lower, -1.0, 1.0)
    rank = score.groupby(by).rank(method="min", ascending=False)
    n = value.notna().groupby(by).transform("sum").astype("float64")
    median = value.groupby(by).transform("median")
    mad = (value - median).abs().groupby(by).transform("median")
    q = grid.groupby(_KEYS)["value"].quantile([0.25, 0.75]).unstack()
    q.columns = ["q25", "q75"]
    bounds = grid[_KEYS].merge(q, left_on=_KEYS, right_index=True, how="left")
    boundary = pd.Series(np.where(lower, bounds["q25"], bounds["q75"]), index=grid.index)

    better = 4 * (n - rank)  # four times the number of others not better than this area
    quartile = pd.Series(
        np.select(
            [better >= 3 * (n - 1), better >= 2 * (n - 1), better >= (n - 1), rank.notna()],
            [1, 2, 3, 4],
            default=0,
        ),
        index=grid.index,
    ).replace(0, np.nan)

    ok = value.notna() & grid["numerator"].notna() & grid["denominator"].gt(0)
    sum_num = grid["numerator"].where(ok).groupby(by).transform("sum")
    sum_den = grid["denominator"].where(ok).groupby(by).transform("sum")
    pooled_n = ok.groupby(by).transform("sum")

    out = pd.DataFrame(
        {
            "area_code": grid["area_code"],
            "area_name": grid["area_name"],
            "metric": grid["metric"],
            "period": grid["period"],
            "value": value,
            "rank": rank,
            "n": n,
            "quartile": quartile,
            "percentile": (100 * (n - rank) / (n - 1)).where(n > 1),
            "median": median,
            "mad": mad,
            "mads_from_median": (value - median) / mad.where(mad > 0),
            "mean": value.groupby(by).transform("mean"),
            "pooled_mean": (sum_num / sum_den * scales).where(pooled_n > 0),
            "pooled_n": pooled_n,
            "top_quartile_boundary": boundary,
            "gap_to_median": value - median,
            "gap_to_top_quartile": value - boundary,
            "polarity": grid["polarity"],
            "n_group": grid.groupby(_KEYS)["area_code"].transform("size"),
            "missing_reason": grid["missing_reason"],
            "is_focus": grid["area_code"].eq(focus).fillna(False).astype(bool)
            if focus
            else pd.Series(False, index=grid.index),
        }
    )
    if movement:
        out = _movement(out)
    else:
        out = out.assign(
            previous_period=pd.Series(pd.NA, index=out.index, dtype="string"),
            rank_change=np.nan,
            quartile_change=np.nan,
        ).reset_index(drop=True)
    for col in ("rank", "n", "quartile", "pooled_n", "n_group", "rank_change", "quartile_change"):
        out[col] = out[col].round().astype("Int64")
    return out.loc[:, list(STATS_COLUMNS)]


def _movement(stats: pd.DataFrame) -> pd.DataFrame:
    """Add ``previous_period``, ``rank_change``, ``quartile_change``; sort in time order."""
    order = _period_order(stats["period"])
    mp = stats[_KEYS].drop_duplicates().merge(order, on="period", how="left")
    mp = mp.sort_values(["metric", "period_kind", "ordinal"], na_position="last")
    timed = mp["ordinal"].notna()
    mp["previous_period"] = mp[timed].groupby(["metric", "period_kind"])["period"].shift()
    mp["previous_period"] = mp["previous_period"].astype("string")
    out = stats.merge(mp, on=_KEYS, how="left")
    prev = stats.loc[:, ["area_code", "metric", "period", "rank", "quartile"]].rename(
        columns={"period": "previous_period", "rank": "_prev_rank", "quartile": "_prev_q"}
    )
    out = out.merge(prev, on=["area_code", "metric", "previous_period"], how="left")
    out["rank_change"] = out["_prev_rank"] - out["rank"]
    out["quartile_change"] = out["_prev_q"] - out["quartile"]
    out = out.sort_values(
        ["metric", "ordinal", "period_kind", "period", "rank", "area_code"],
        na_position="last",
        kind="stable",
    )
    return out.drop(columns=["_prev_rank", "_prev_q", "period_kind", "ordinal"]).reset_index(
        drop=True
    )


# -- the CLI entry point ------------------------------------------------------------------------
@dataclass(frozen=True)
class BenchmarkRun:
    """What :func:`write_benchmark_csv` did: the file, its statistics and what to tell the user."""

    path: Path
    rows: int
    stats: pd.DataFrame
    missing: pd.DataFrame
    warnings: tuple[Problem, ...]


def write_benchmark_csv(
    data_path: Path | str,
    out_path: Path | str,
    *,
    peers_path: Path | str | None = None,
    peer_group: str = "all",
    metric: str | Sequence[str] | None = None,
    period: str | None = None,
    focus: str | None = None,
    polarity: str | Mapping[str, str] | None = None,
    metrics_path: Path | str | None = None,
    start_month: int = 4,
) -> BenchmarkRun:
    """Compute benchmark statistics for a file and write them as CSV, atomically.

    The CSV has one row per area × metric × period; its first columns are the public contract
    :data:`PUBLIC_COLUMNS` (``area_code, metric, period, value, rank, quartile, percentile,
    median, mads_from_median``), followed by the rest of :data:`STATS_COLUMNS`. Numbers are
    written unrounded. Metrics with no polarity anywhere are ranked as ``none`` (by size) and
    named in a warning, so a run over an unfamiliar download never stops for want of metadata.

    Parameters
    ----------
    data_path
        A benchmark file (see :func:`read_benchmarks`).
    out_path
        Where to write the CSV (parent folders are created; written to a temporary file and
        renamed, so an interrupted run never leaves half a file).
    peers_path, peer_group
        A peer-group file and the group to use; ``all`` (the default) needs no file.
    metric, period
        Restrict the output to these metrics / this period (movement still uses earlier
        periods).
    focus
        The council's area code, flagged in ``is_focus``.
    polarity
        Overrides the polarity from the data's metadata (one word or per metric).
    metrics_path, start_month
        Passed to :func:`read_benchmarks`.

    Raises
    ------
    DataValidationError, ParameterError
        Bad data, an unknown peer group, metric or period.
    """
    data = read_benchmarks(data_path, metrics_path=metrics_path, start_month=start_month)
    warnings: list[Problem] = list(data.attrs.get("warnings", ()))
    groups = read_peer_groups(peers_path) if peers_path is not None else None
    if groups is not None:
        warnings += list(groups.warnings)
    peers = peer_group_members(groups, peer_group)
    if metric is not None:
        wanted = [metric] if isinstance(metric, str) else list(metric)
        known = set(data["metric"].dropna())
        unknown = [m for m in wanted if m not in known]
        if unknown:
            listed = ", ".join(sorted(known)[:10]) + (" ..." if len(known) > 10 else "")
            raise ParameterError(
                f"Metric {', '.join(map(repr, unknown))} is not in "
                f"{Path(data_path).name}. Fix: use one of: {listed}."
            )
        data = data[data["metric"].isin(wanted)]
    if isinstance(polarity, str):
        pol = resolve_polarity(data, polarity)
    else:
        stated = {**_data_polarity(data), **dict(polarity or {})}
        pol = resolve_polarity(data, stated, default="none")
        unset = sorted(set(pol) - set(stated))
        if unset:
            warnings.append(
                Problem(
                    Path(data_path).name,
                    f"no polarity for {', '.join(unset[:8])}"
                    f"{' ...' if len(unset) > 8 else ''}: ranked by value, highest first, with no "
                    "'better' direction",
                    "add a metrics.csv (metric, name, unit, polarity) beside "
                    "the data, or pass a polarity",
                    column="polarity",
                    severity="warning",
                )
            )
    stats = benchmark_stats(data, polarity=pol, peers=peers, focus=focus)
    if period is not None:
        p = try_parse_period(period, start_month)
        label = p.label if p is not None else str(period)
        if not stats["period"].eq(label).any():
            known = list(dict.fromkeys(stats["period"].dropna()))
            raise ParameterError(
                f"Period {period!r} is not in the benchmark data. Fix: use one "
                f"of: {', '.join(known[-12:])}."
            )
        stats = stats[stats["period"].eq(label)].reset_index(drop=True)
    missing = stats.loc[
        stats["value"].isna(), ["metric", "period", "area_code", "area_name", "missing_reason"]
    ]
    if len(missing):
        warnings.append(
            Problem(
                Path(data_path).name,
                f"{len(missing)} area × metric × period rows in the peer group "
                "have no value (listed in the output with missing_reason); statistics use the "
                "areas that have one",
                "nothing to do unless you hold the figures",
                column="value",
                severity="warning",
            )
        )
    ordered = list(PUBLIC_COLUMNS) + [c for c in STATS_COLUMNS if c not in PUBLIC_COLUMNS]
    out = Path(out_path)
    write_csv(stats.loc[:, ordered], out)
    return BenchmarkRun(out, len(stats), stats, missing.reset_index(drop=True), tuple(warnings))
