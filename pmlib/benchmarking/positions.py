"""Where the council stands among its peers on each linked indicator (scorecards, exceptions).

Reads the benchmark files (:mod:`pmlib.benchmarking.io`) and ranks with
:mod:`pmlib.benchmarking.stats`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

from pmlib.benchmarking.io import read_benchmarks, read_peer_groups
from pmlib.benchmarking.stats import (
    benchmark_stats,
    peer_group_members,
    polarity_from_indicators,
    resolve_polarity,
)
from pmlib.core.errors import ParameterError
from pmlib.core.periods import period_table, try_parse_period
from pmlib.core.words import ordinal, quartile_words

BENCHMARK_FILE_STEM = "benchmark"
PEER_GROUPS_FILE_STEM = "peer_groups"
_FILE_SUFFIXES = (".csv", ".xlsx", ".parquet")

#: Columns of :func:`latest_positions`, in order.
LATEST_POSITION_COLUMNS = (
    "indicator_id",
    "metric",
    "period",
    "rank",
    "n",
    "quartile",
    "position_text",
    "value",
    "median",
    "polarity",
    "peer_group",
)

_GROUP_WORDS = ("neighbour", "council", "authorit", "peer", "district", "area", "borough", "unitar")


def find_benchmark_file(folder: Path | str | None, stem: str) -> Path | None:
    """``folder/<stem>.csv`` (or ``.xlsx``, ``.parquet``) if the folder holds one, else None."""
    if folder is None:
        return None
    for suffix in _FILE_SUFFIXES:
        path = Path(folder) / f"{stem}{suffix}"
        if path.is_file():
            return path
    return None


def peer_group_label(name: str | None) -> str:
    """How a narrative names a peer group: ``nearest-neighbours`` → ``nearest neighbours``.

    ``all`` (or no group) is ``areas``; Oflog's ``nn:<code>`` groups are ``nearest
    neighbours``; a name that does not say what its members are gets ``peers`` added
    (``county`` → ``county peers``), so "4th of 7 county peers" reads as a sentence.
    """
    text = (name or "").strip()
    if not text or text.lower() == "all":
        return "areas"
    if text.lower().startswith("nn:"):
        return "nearest neighbours"
    words = " ".join(w for w in re.split(r"[-_\s]+", text) if w)
    if not any(w in words.lower() for w in _GROUP_WORDS):
        words += " peers"
    return words


def position_text(
    rank: int, n: int, quartile: int, polarity: str, peer_label: str, *, joint: bool = False
) -> str:
    """``2nd of 8 nearest neighbours, top quartile`` (``polarity`` ``none``: by size)."""
    place = f"{'joint ' if joint else ''}{ordinal(int(rank))}"
    if polarity == "none":
        return (
            f"{place} highest of {int(n)} {peer_label}, {quartile_words(quartile, 'none')} "
            "(by size; no better direction)"
        )
    return f"{place} of {int(n)} {peer_label}, {quartile_words(quartile)}"


def _empty_positions() -> pd.DataFrame:
    types = {
        "indicator_id": "string",
        "metric": "string",
        "period": "string",
        "rank": "Int64",
        "n": "Int64",
        "quartile": "Int64",
        "position_text": "string",
        "value": "float64",
        "median": "float64",
        "polarity": "string",
        "peer_group": "string",
    }
    return pd.DataFrame({c: pd.Series(dtype=types[c]) for c in LATEST_POSITION_COLUMNS})


_CACHE: dict[tuple, Any] = {}


def _signature(path: Path) -> tuple:
    try:
        st = path.stat()
    except OSError:
        return (str(path), None)
    return (str(path.resolve()), st.st_mtime_ns, st.st_size)


def _read_benchmarks_cached(path: Path, start_month: int) -> pd.DataFrame:
    """:func:`read_benchmarks` remembered per file state (path, size, mtime; and its metrics.csv).

    A committee pack asks for the same file once per report; the frame is only ever filtered
    (never modified), so handing back the same object is safe.
    """
    key = (_signature(path), _signature(path.with_name("metrics.csv")), start_month)
    if key not in _CACHE:
        if len(_CACHE) >= 4:
            _CACHE.clear()
        _CACHE[key] = read_benchmarks(path, start_month=start_month)
    return _CACHE[key]


def _read_peer_groups_cached(path: Path):
    """:func:`read_peer_groups` remembered per file state, like the benchmark file (each report
    of a pack reads the same file; only :func:`latest_positions` sees the result, and it reads
    it without changing it)."""
    key = ("peers", _signature(path))
    if key not in _CACHE:
        if len(_CACHE) >= 4:
            _CACHE.clear()
        _CACHE[key] = read_peer_groups(path)
    return _CACHE[key]


def latest_positions(
    dataset,
    *,
    benchmark_path: Path | str | None = None,
    peers_path: Path | str | None = None,
    peer_group: str | None = None,
    up_to: object = None,
) -> pd.DataFrame:
    """The council's latest benchmark position for each indicator linked to a benchmark metric.

    For the committee reports' scorecard and exception sections: one row per indicator of
    ``dataset`` whose ``benchmark_metric`` has a value for the council (``council.yaml``
    ``area_code``) in the benchmark data, at the latest period in which it has one.

    Parameters
    ----------
    dataset
        A :class:`pmlib.core.model.Dataset`; its indicator library gives the links
        (``benchmark_metric``) and the polarity (which wins over the benchmark metadata).
    benchmark_path, peers_path
        The benchmark and peer-group files; default ``benchmark.csv`` and ``peer_groups.csv``
        (or ``.xlsx``/``.parquet``) in ``council.yaml``'s ``benchmark_dir``.
    peer_group
        Default ``council.yaml``'s ``peer_group``, else ``all`` (every area in the data).
    up_to
        A period (label or :class:`~pmlib.core.periods.Period`): only benchmark periods ending on or
        before its end count, so a report for an earlier quarter shows what was known then.

    Returns
    -------
    pandas.DataFrame
        :data:`LATEST_POSITION_COLUMNS`: ``indicator_id, metric, period, rank, n, quartile,
        position_text`` (e.g. ``"2nd of 8 nearest neighbours, top quartile (2025/26)"``),
        then ``value, median, polarity, peer_group``. Empty, with the same columns, when there
        is no benchmark folder or file, no area code, or no linked indicator with data.

    Raises
    ------
    DataValidationError, ParameterError
        A malformed benchmark or peer-group file, or a peer group the file does not define.
    """

    council = dataset.council
    folder = council.benchmark_dir
    bench = Path(benchmark_path) if benchmark_path is not None else None
    if bench is None and folder is not None and Path(folder).is_dir():
        bench = find_benchmark_file(folder, BENCHMARK_FILE_STEM)
    if peers_path is None and folder is not None:
        peers_path = find_benchmark_file(folder, PEER_GROUPS_FILE_STEM)
    key = _positions_key(dataset, bench, peers_path, peer_group, up_to)
    if key is None:  # not a period: let the computation say so
        return _positions(dataset, bench, peers_path, peer_group, up_to)
    if key not in _POSITIONS:
        if len(_POSITIONS) >= 8:
            _POSITIONS.clear()
        _POSITIONS[key] = _positions(dataset, bench, peers_path, peer_group, up_to)
    return _POSITIONS[key].copy()


#: :func:`latest_positions` per everything it reads (:func:`_positions_key`): each report of a
#: pack asks for the same positions of a fresh copy of the same dataset.
_POSITIONS: dict[tuple, pd.DataFrame] = {}


def clear_positions_cache() -> None:
    """Forget the positions :func:`latest_positions` remembers
    (:func:`pmlib.reports.caches.clear_result_caches`)."""
    _POSITIONS.clear()


def _positions_key(
    dataset, bench: Path | None, peers_path: Path | str | None, peer_group: str | None, up_to
) -> tuple | None:
    """All that :func:`_positions` reads: the council's settings it uses, the indicator
    library's link, id and polarity columns (hashed), the files' states and the period's end;
    ``None`` when ``up_to`` is not a period."""
    limit = None
    if up_to is not None:
        limit = up_to if hasattr(up_to, "ordinal") else try_parse_period(up_to)
        if limit is None:
            return None
    council = dataset.council
    ind = dataset.indicators
    cols = [c for c in ("id", "benchmark_metric", "polarity") if c in ind]
    library = (
        tuple(cols),
        tuple(str(ind[c].dtype) for c in cols),
        pd.util.hash_pandas_object(ind[cols], index=False).to_numpy().tobytes(),
    )
    files = None
    if bench is not None:
        files = (_signature(Path(bench)), _signature(Path(bench).with_name("metrics.csv")))
    return (
        str(council.area_code or "").strip(),
        council.fy_start_month,
        council.peer_group,
        peer_group,
        files,
        _signature(Path(peers_path)) if peers_path is not None else None,
        library,
        None if limit is None else limit.ordinal,
    )


def _positions(
    dataset, bench: Path | None, peers_path: Path | str | None, peer_group: str | None, up_to
) -> pd.DataFrame:
    """:func:`latest_positions` from the files found."""
    council = dataset.council
    focus = str(council.area_code or "").strip()
    ind = dataset.indicators
    if bench is None or not focus or "benchmark_metric" not in ind:
        return _empty_positions()
    linked = ind.loc[ind["benchmark_metric"].notna(), ["id", "benchmark_metric"]].astype("string")
    linked["benchmark_metric"] = linked["benchmark_metric"].str.strip()
    if linked.empty:
        return _empty_positions()
    data = _read_benchmarks_cached(Path(bench), council.fy_start_month)
    data = data[data["metric"].isin(set(linked["benchmark_metric"]))]
    if not data["area_code"].eq(focus).any():
        return _empty_positions()
    group = (peer_group or council.peer_group or "all").strip()
    groups = _read_peer_groups_cached(Path(peers_path)) if peers_path is not None else None
    members = peer_group_members(groups, group)
    # Only each metric's latest period with a council figure is needed: rank that alone.
    mine = data[
        data["area_code"].eq(focus)
        & (data["value"].notna() | (data["numerator"].notna() & data["denominator"].gt(0)))
    ]
    when = period_table(mine["period"], council.fy_start_month)
    mine = mine.assign(
        _ordinal=when["ordinal"].to_numpy(), _kind=when["period_kind"].to_numpy()
    ).dropna(subset=["_ordinal"])
    if up_to is not None:
        limit = up_to if hasattr(up_to, "ordinal") else try_parse_period(up_to)
        if limit is None:
            raise ParameterError(
                f"latest_positions: up_to={up_to!r} is not a period. Fix: pass a label "
                "such as '2026/27 Q2'."
            )
        mine = mine[mine["_ordinal"].le(limit.ordinal)]
    if mine.empty:
        return _empty_positions()
    # the latest period per metric; a year beats the quarter ending with it
    mine = mine.sort_values(["metric", "_ordinal", "_kind"], kind="stable")
    pick = mine.groupby("metric", sort=False).tail(1)[["metric", "period"]]
    data = data.merge(pick, on=["metric", "period"], how="inner")
    given = polarity_from_indicators(ind)
    stated = resolve_polarity(data, given, default="none")
    # one period per metric: no movement between periods to work out
    stats = benchmark_stats(data, polarity=stated, peers=members, focus=focus, movement=False)
    latest = stats[stats["is_focus"] & stats["value"].notna()]
    if latest.empty:
        return _empty_positions()
    ties = stats.groupby(["metric", "period", "rank"]).size().rename("_tied").reset_index()
    latest = latest.merge(ties, on=["metric", "period", "rank"], how="left")
    label = peer_group_label(group)
    latest["position_text"] = [
        f"{position_text(r, n, q, p, label, joint=t > 1)} ({period})"
        for r, n, q, p, t, period in zip(
            latest["rank"],
            latest["n"],
            latest["quartile"],
            latest["polarity"],
            latest["_tied"],
            latest["period"],
            strict=True,
        )
    ]
    out = linked.merge(latest, left_on="benchmark_metric", right_on="metric", how="inner")
    out = out.rename(columns={"id": "indicator_id"}).assign(peer_group=group)
    out = out.loc[:, list(LATEST_POSITION_COLUMNS)].reset_index(drop=True)
    return out.astype(_empty_positions().dtypes.to_dict())
