"""A benchmarking deep-dive for one metric: what ``notebooks/benchmarking.ipynb`` shows.

The notebook stays thin — it builds a :class:`BenchmarkReport` from its parameters and displays
its sections in order. Everything a section shows (the ranked bar chart, rank over time, the
council against the peer median and interquartile range, small multiples for every metric, the
narrative, missing peers, target options) is computed here from :mod:`pmlib.benchmarking.stats`'s
statistics, so it is unit-testable without running a notebook.

Charts are altair specs carrying a ``description`` (the text alternative). The council is
picked out by **text and shape as well as colour** ("Northmoor (our council)" on the axis, a
distinct marker), never by colour alone. Tables are plain escaped HTML with a ``<caption>``.
Heavy libraries (altair) are imported inside the chart methods, so ``pmlib benchmark`` can use
the checks here without paying for them.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from pmlib.benchmarking.io import PeerGroups
from pmlib.benchmarking.positions import (
    BENCHMARK_FILE_STEM,
    PEER_GROUPS_FILE_STEM,
    find_benchmark_file,
    ordinal,
    peer_group_label,
    position_text,
)
from pmlib.benchmarking.stats import (
    CAVEAT,
    benchmark_stats,
    metric_metadata,
    missing_peers,
    narrate_position,
    peer_group_members,
    polarity_from_indicators,
    read_benchmarks,
    read_peer_groups,
    resolve_polarity,
    target_options,
)
from pmlib.core.errors import ParameterError, Problem
from pmlib.core.periods import period_table, try_parse_period
from pmlib.present.tables import Html
from pmlib.present.text import esc, format_value

__all__ = [
    "BenchmarkReport",
    "BenchmarkSources",
    "check_period",
    "indicator_metric",
    "latest_period",
    "resolve_metrics",
    "resolve_sources",
]

#: Colours: the council in the Analysis Function's dark pink, peers in a mid blue (both at least
#: 3:1 against white); the council is *also* named on the axis and drawn with its own marker.
OURS_COLOUR = "#801650"
PEERS_COLOUR = "#5B7FA6"
MEDIAN_COLOUR = "#0B0C0C"
BAND_COLOUR = "#A7B8CC"
OUR_SUFFIX = " (our council)"
_POLARITY_WORDS = {
    "higher": "higher is better",
    "lower": "lower is better",
    "none": "no better direction: ordered by size",
}


# -- inputs: files, metric, period --------------------------------------------------------------
@dataclass(frozen=True)
class BenchmarkSources:
    """Where the benchmark data and peer groups come from, and whose position they are read for."""

    benchmark: Path
    peers: Path | None
    peer_group: str
    focus: str
    council_name: str
    start_month: int = 4


def resolve_sources(
    council=None,
    *,
    benchmark_file: str | Path | None = None,
    peers_file: str | Path | None = None,
    peer_group: str | None = None,
    area_code: str | None = None,
) -> BenchmarkSources:
    """Fill what was not given from ``council.yaml`` (a :class:`pmlib.core.model.Council` or None).

    The benchmark file defaults to ``benchmark.csv`` (or ``.xlsx``/``.parquet``) in
    ``benchmark_dir``, the peer-group file to ``peer_groups.csv`` there, the peer group to
    ``peer_group`` (else ``all``) and the council's code to ``area_code``.
    """
    folder = getattr(council, "benchmark_dir", None)
    if benchmark_file is not None:
        bench = Path(benchmark_file)
        if not bench.is_file():
            raise ParameterError(
                f"Benchmark file {bench} not found. Fix: check the path given with --data "
                "(or the notebook's benchmark_file)."
            )
    else:
        bench = find_benchmark_file(folder, BENCHMARK_FILE_STEM)
        if bench is None:
            where = (
                f"{folder} holds no benchmark.csv (or .xlsx, .parquet)"
                if folder is not None
                else "council.yaml has no benchmark_dir"
            )
            raise ParameterError(
                f"No benchmark data: {where}. Fix: pass --data FILE (the notebook's "
                "benchmark_file), or set benchmark_dir in council.yaml to a folder holding "
                "benchmark.csv (see docs/benchmarking.md)."
            )
    if peers_file is not None:
        peers = Path(peers_file)
        if not peers.is_file():
            raise ParameterError(
                f"Peer-group file {peers} not found. Fix: check the path given with --peers "
                "(or the notebook's peers_file)."
            )
    else:
        peers = find_benchmark_file(folder, PEER_GROUPS_FILE_STEM)
    group = (peer_group or getattr(council, "peer_group", "") or "all").strip()
    own = (getattr(council, "area_code", "") or "").strip()
    focus = (area_code or own).strip()
    name = (getattr(council, "name", "") or "") if focus == own else ""
    return BenchmarkSources(
        benchmark=bench,
        peers=peers,
        peer_group=group,
        focus=focus,
        council_name=name,
        start_month=int(getattr(council, "fy_start_month", 4) or 4),
    )


def _listing(values: Sequence[str], limit: int = 40) -> str:
    values = list(values)
    shown = ", ".join(values[:limit])
    return shown + (f" ... ({len(values)} in all)" if len(values) > limit else "")


def indicator_metric(indicators: pd.DataFrame, indicator: str) -> str:
    """The benchmark metric an indicator links to with ``benchmark_metric``."""
    linked = indicators[indicators.get("benchmark_metric", pd.Series(dtype=str)).notna()]
    known = [str(i) for i in linked["id"]]
    if indicator not in set(indicators["id"].astype(str)):
        raise ParameterError(
            f"Indicator {indicator!r} is not in the indicator library. Fix: use an id with a "
            f"benchmark_metric: {_listing(known) or 'none has one yet'}."
        )
    row = indicators[indicators["id"].astype(str).eq(indicator)].iloc[0]
    metric = row.get("benchmark_metric")
    if metric is None or pd.isna(metric) or not str(metric).strip():
        raise ParameterError(
            f"Indicator {indicator!r} has no benchmark_metric in the indicator library, so it "
            "has nothing to be benchmarked against. Fix: fill in its benchmark_metric column, "
            f"or use one of: {_listing(known) or 'no indicator has one yet'}."
        )
    return str(metric).strip()


def resolve_metrics(
    data: pd.DataFrame,
    metrics: Sequence[str] | None,
    source: str = "the benchmark data",
) -> list[str]:
    """Check the requested metrics are in the data; ``None`` means every metric in it."""
    known = sorted(str(m) for m in pd.unique(data["metric"].dropna()))
    if not metrics:
        if not known:
            raise ParameterError(f"{source} holds no metrics. Fix: check the file.")
        return known
    unknown = [m for m in metrics if m not in set(known)]
    if unknown:
        raise ParameterError(
            f"Metric {', '.join(map(repr, unknown))} is not in {source}. Fix: use one of: "
            f"{_listing(known)}."
        )
    return list(dict.fromkeys(metrics))


def check_period(
    data: pd.DataFrame, metrics: Sequence[str], period: str | None, start_month: int = 4
) -> str | None:
    """The canonical label of ``period``, checked to exist for every metric (``None``: latest)."""
    if period is None or not str(period).strip():
        return None
    p = try_parse_period(str(period).strip(), start_month)
    label = p.label if p is not None else str(period).strip()
    for metric in metrics:
        periods = data.loc[data["metric"].eq(metric), "period"].dropna()
        if not periods.eq(label).any():
            order = period_table(pd.Series(pd.unique(periods), dtype="string"), start_month)
            listed = order.sort_values(["ordinal", "period_kind"])["period"].tolist()
            raise ParameterError(
                f"Period {period!r} is not in the benchmark data for {metric}. Fix: use one "
                f"of: {_listing(listed)} (or leave the period out for the latest)."
            )
    return label


def _decimals(values: pd.Series, cap: int = 3) -> int:
    """The fewest decimals that show every value as published (at most ``cap``)."""
    v = values.dropna().to_numpy(dtype=float)
    if not len(v):
        return 1
    for d in range(cap + 1):
        if np.allclose(np.round(v, d), v, rtol=0, atol=1e-9):
            return d
    return cap


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Plain numpy dtypes with None for missing, which every chart/JSON layer accepts."""
    out = frame.copy()
    for c in out.columns:
        if out[c].dtype.kind in "fiu" or str(out[c].dtype) in ("Int64", "Float64"):
            out[c] = out[c].astype("float64")
        else:
            out[c] = out[c].astype(object).where(out[c].notna(), None)
    return out


def _table(
    frame: pd.DataFrame,
    *,
    caption: str,
    numeric: Sequence[str] = (),
    highlight: Sequence[bool] | None = None,
    row_header: str | None = None,
) -> Html:
    """A plain, escaped HTML table with a caption; highlighted rows are bold (and say so)."""
    num = ' class="pm-num"'
    head = "".join(
        f'<th scope="col"{num if c in numeric else ""}>{esc(c)}</th>' for c in frame.columns
    )
    rows = []
    marks = list(highlight) if highlight is not None else [False] * len(frame)
    for mark, (_, row) in zip(marks, frame.iterrows(), strict=True):
        cells = []
        for c in frame.columns:
            text = esc(row[c])
            if mark:
                text = f"<strong>{text}</strong>"
            cls = num if c in numeric else ""
            tag = "th" if c == row_header else "td"
            scope = ""
            if tag == "th":
                scope = ' scope="row"' + ("" if mark else ' style="font-weight:400"')
            cells.append(f"<{tag}{scope}{cls}>{text}</{tag}>")
        ours = ' class="pmlib-ours"' if mark else ""
        rows.append(f"<tr{ours}>{''.join(cells)}</tr>")
    return Html(
        f'<table class="pmlib-benchmark-table"><caption>{esc(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


# -- the report ---------------------------------------------------------------------------------
@dataclass
class BenchmarkReport:
    """One metric's benchmarking deep-dive, computed once from the statistics.

    ``stats`` holds :func:`~pmlib.benchmarking.stats.benchmark_stats` for **every** metric of the data
    over the peer group (the small multiples use them all); ``metric`` and ``period`` are the
    ones this report is about (``period``: the latest in which the council has a figure unless
    one was asked for).
    """

    data: pd.DataFrame
    stats: pd.DataFrame
    metric: str
    period: str
    sources: BenchmarkSources
    groups: PeerGroups | None = None
    indicator: Mapping[str, object] | None = None
    warnings: tuple[Problem, ...] = ()
    generated_at: dt.datetime = field(
        default_factory=lambda: dt.datetime.now().replace(microsecond=0)
    )

    # -- construction ---------------------------------------------------------------------------
    @classmethod
    def build(
        cls,
        *,
        metric: str | None = None,
        indicator: str | None = None,
        peer_group: str | None = None,
        period: str | None = None,
        benchmark_file: str | Path | None = None,
        peers_file: str | Path | None = None,
        params_dir: str | Path | None = None,
        area_code: str | None = None,
        data_dir: str | Path | None = None,
    ) -> BenchmarkReport:
        """Read the files named by the parameters (or ``council.yaml``) and compute the report.

        With ``indicator`` the indicator library is read (``data_dir``, default council.yaml's
        ``data_dir``): the metric is its ``benchmark_metric``, and its name, decimals and
        polarity are used (the library's polarity wins over the benchmark metadata).
        """
        from pmlib.config.settings import DEFAULT_PARAMS_DIR, read_settings

        indicators = None
        if indicator is not None and str(indicator).strip():
            from pmlib.data.validate import read_dataset

            ds = read_dataset(data_dir, params_dir)
            council, indicators = ds.council, ds.indicators
            linked = indicator_metric(indicators, str(indicator).strip())
            if metric is not None and str(metric).strip() and str(metric).strip() != linked:
                raise ParameterError(
                    f"Indicator {indicator!r} links to benchmark metric {linked!r}, not "
                    f"{metric!r}. Fix: give the indicator or the metric, not both."
                )
            metric = linked
        elif params_dir is not None or DEFAULT_PARAMS_DIR.is_dir():
            council = read_settings(params_dir).council
        else:
            council = None
        if metric is None or not str(metric).strip():
            raise ParameterError(
                "No metric to benchmark. Fix: set the notebook's metric (or indicator) "
                "parameter, or pass --metric M (or --indicator ID)."
            )
        metric = str(metric).strip()
        src = resolve_sources(
            council,
            benchmark_file=benchmark_file,
            peers_file=peers_file,
            peer_group=peer_group,
            area_code=area_code,
        )
        data = read_benchmarks(src.benchmark, start_month=src.start_month)
        warnings: list[Problem] = list(data.attrs.get("warnings", ()))
        groups = read_peer_groups(src.peers) if src.peers is not None else None
        if groups is not None:
            warnings += list(groups.warnings)
        members = peer_group_members(groups, src.peer_group)
        resolve_metrics(data, [metric], src.benchmark.name)
        label = check_period(data, [metric], period, src.start_month)
        if not src.focus:
            raise ParameterError(
                "No area code for the council. Fix: set area_code in council.yaml, or pass "
                "--area CODE (the notebook's area_code)."
            )
        if not data["area_code"].eq(src.focus).any():
            raise ParameterError(
                f"Area {src.focus} (the council's area_code) is not in {src.benchmark.name}. "
                "Fix: check area_code in council.yaml, or pass --area CODE for an area in the "
                "file."
            )
        given = polarity_from_indicators(indicators) if indicators is not None else {}
        stated = {**_stated_polarity(data), **given}
        polarity = resolve_polarity(data, stated, default="none")
        unset = sorted(set(polarity) - set(stated))
        if unset:
            warnings.append(
                Problem(
                    src.benchmark.name,
                    f"no polarity for {_listing(unset, 8)}: ranked by value, highest first, "
                    "with no 'better' direction",
                    "add a metrics.csv (metric, name, unit, polarity) beside the data, or link "
                    "the indicator with benchmark_metric",
                    column="polarity",
                    severity="warning",
                )
            )
        stats = benchmark_stats(data, polarity=polarity, peers=members, focus=src.focus)
        row = None
        if indicators is not None:
            row = indicators[indicators["id"].astype(str).eq(str(indicator).strip())].iloc[0]
            row = {k: (None if _missing(v) else v) for k, v in row.to_dict().items()}
        return cls(
            data=data,
            stats=stats,
            metric=metric,
            period=label or latest_period(stats, metric, src.focus),
            sources=src,
            groups=groups,
            indicator=row,
            warnings=tuple(warnings),
        )

    # -- facts (computed once: treat a report as read-only) --------------------------------------
    @property
    def focus(self) -> str:
        return self.sources.focus

    @functools.cached_property
    def meta(self) -> dict[str, object]:
        """``metric_name, measure, unit, polarity, metric_source`` of this metric."""
        meta = metric_metadata(self.data)
        row = meta[meta["metric"].eq(self.metric)]
        out = {k: (None if _missing(v) else v) for k, v in row.iloc[0].to_dict().items()}
        out["polarity"] = str(self.metric_rows["polarity"].iloc[0])
        return out

    @functools.cached_property
    def metric_name(self) -> str:
        if self.indicator and self.indicator.get("name"):
            return str(self.indicator["name"])
        return str(self.meta.get("metric_name") or self.metric)

    @functools.cached_property
    def unit(self) -> str:
        unit = (self.indicator or {}).get("unit") or self.meta.get("unit") or ""
        return "percent" if str(unit).lower() in ("percent", "percentage", "%") else str(unit)

    @functools.cached_property
    def decimals(self) -> int:
        d = (self.indicator or {}).get("decimals")
        if d is not None and not _missing(d):
            return int(d)
        return _decimals(self.metric_rows["value"])

    @functools.cached_property
    def polarity(self) -> str:
        return str(self.metric_rows["polarity"].iloc[0])

    @property
    def peer_label(self) -> str:
        return peer_group_label(self.sources.peer_group)

    @functools.cached_property
    def council_name(self) -> str:
        names = self.stats.loc[self.stats["area_code"].eq(self.focus), "area_name"].dropna()
        return str(names.iloc[0]) if len(names) else self.sources.council_name or self.focus

    @property
    def title(self) -> str:
        return f"Benchmarking: {self.metric_name}"

    @functools.cached_property
    def metric_rows(self) -> pd.DataFrame:
        """This metric's statistics, every period."""
        return self.stats[self.stats["metric"].eq(self.metric)]

    @functools.cached_property
    def period_rows(self) -> pd.DataFrame:
        """This metric's statistics in the report's period, best first; peers without a value
        last."""
        rows = self.metric_rows[self.metric_rows["period"].eq(self.period)]
        return rows.sort_values(["rank", "area_name", "area_code"], na_position="last")

    @functools.cached_property
    def ours(self) -> pd.Series | None:
        """The council's row in the report's period (None if it has no row)."""
        rows = self.period_rows[self.period_rows["area_code"].eq(self.focus)]
        return rows.iloc[0] if len(rows) else None

    @property
    def period_kind(self) -> str | None:
        p = try_parse_period(self.period, self.sources.start_month)
        return p.kind if p is not None else None

    def fmt(self, value: object, *, signed: bool = False) -> str:
        """A value in the metric's unit and decimals (``48.8%``); ``–`` when missing."""
        if _missing(value):
            return "–"
        text = format_value(float(value), self.unit, self.decimals)
        if signed and float(value) > 0:
            text = "+" + text
        return text.replace("-", "−", 1) if signed and float(value) < 0 else text

    def metric_format(self, metric: str) -> tuple[str, int]:
        """``(unit, decimals)`` for any metric of the data (this report's own for its metric)."""
        if metric == self.metric:
            return self.unit, self.decimals
        meta = metric_metadata(self.data).set_index("metric")
        unit = meta.at[metric, "unit"] if metric in meta.index and "unit" in meta else None
        unit = "" if _missing(unit) else str(unit)
        unit = "percent" if unit.lower() in ("percent", "percentage", "%") else unit
        values = self.stats.loc[self.stats["metric"].eq(metric), "value"]
        return unit, _decimals(values)

    def _labels(self, frame: pd.DataFrame, column: str) -> list[str]:
        """Formatted values of ``column``, per row's ``metric`` if the frame has one."""
        if "metric" not in frame:
            return [self.fmt(v) for v in frame[column]]
        formats = {m: self.metric_format(m) for m in pd.unique(frame["metric"])}
        return [
            "–" if _missing(v) else format_value(float(v), *formats[m])
            for v, m in zip(frame[column], frame["metric"], strict=True)
        ]

    def area_label(self, code: str, name: object) -> str:
        label = str(name) if not _missing(name) else str(code)
        return label + OUR_SUFFIX if code == self.focus else label

    def series(self, metric: str | None = None, kind: str | None = None) -> pd.DataFrame:
        """Per period of one kind: ``period, ordinal, n, q25, median, q75, value`` (ours),
        ``rank, quartile``. ``kind`` defaults to the report period's kind (or the metric's most
        common one)."""
        metric = metric or self.metric
        rows = self.stats[self.stats["metric"].eq(metric)]
        table = period_table(rows["period"].astype("string"), self.sources.start_month)
        rows = rows.assign(
            _kind=table["period_kind"].to_numpy(), _ordinal=table["ordinal"].to_numpy()
        )
        rows = rows[rows["_ordinal"].notna()]
        if kind is None:
            kind = self.period_kind if metric == self.metric else None
        if kind is None or not rows["_kind"].eq(kind).any():
            kinds = rows["_kind"].value_counts()
            kind = "year" if "year" in kinds else (kinds.index[0] if len(kinds) else None)
        rows = rows[rows["_kind"].eq(kind)]
        grouped = rows.groupby("period", sort=False)
        q = grouped["value"].quantile([0.25, 0.75]).unstack()
        q.columns = ["q25", "q75"]
        base = grouped.agg(
            ordinal=("_ordinal", "first"),
            n=("n", "first"),
            median=("median", "first"),
        )
        ours = rows[rows["area_code"].eq(self.focus)].set_index("period")[
            ["value", "rank", "quartile", "area_name"]
        ]
        out = base.join(q).join(ours, how="left").reset_index()
        out = out.sort_values("ordinal").reset_index(drop=True)
        return out.loc[
            :, ["period", "ordinal", "n", "q25", "median", "q75", "value", "rank", "quartile"]
        ]

    # -- words ----------------------------------------------------------------------------------
    def narrative_text(self) -> str:
        """The position in words, computed from the numbers (without the caveat)."""
        text = narrate_position(
            self.stats,
            self.focus,
            self.metric,
            self.peer_label,
            self.period,
            decimals=self.decimals,
        )
        text = text.removesuffix(CAVEAT).rstrip()
        ours = self.ours
        if ours is not None:
            n_group, n = int(ours["n_group"]), int(ours["n"]) if pd.notna(ours["n"]) else 0
            if n < n_group:
                gone = n_group - n
                text += (
                    f" {gone} of the {n_group} members of the group "
                    f"{'has' if gone == 1 else 'have'} no figure for {self.period} (listed "
                    "under Missing peers)."
                )
        return text

    def narrative(self) -> Html:
        """The narrative paragraph and the caveat against league-table reading."""
        return Html(
            f'<p class="pmlib-narrative">{esc(self.narrative_text())}</p>'
            f'<p class="pmlib-caveat"><strong>Read with care:</strong> {esc(CAVEAT)}</p>'
        )

    def position(self) -> str:
        """``4th of 16 nearest neighbours, top quartile`` (or why there is no position)."""
        ours = self.ours
        if ours is None or pd.isna(ours["rank"]):
            return f"no figure for {self.period}"
        tied = int(self.period_rows["rank"].eq(ours["rank"]).sum()) > 1
        return position_text(
            int(ours["rank"]),
            int(ours["n"]),
            int(ours["quartile"]),
            self.polarity,
            self.peer_label,
            joint=tied,
        )

    # -- sections -------------------------------------------------------------------------------
    def cover(self) -> Html:
        """The page heading (the page's only ``<h1>``) and what the report compares."""
        src = self.sources
        members = self.period_rows
        rows = [
            ("Council", f"{self.council_name} ({self.focus})"),
            ("Measure", f"{self.metric_name} ({self.metric})"),
            ("Better is", _POLARITY_WORDS.get(self.polarity, self.polarity)),
            (
                "Compared with",
                f"{len(members)} {self.peer_label} (peer group '{src.peer_group}'"
                + (": every area in the data)" if src.peer_group.lower() == "all" else ")"),
            ),
            ("Period", self.period),
            ("Position", self.position()),
            ("Source", str(self.meta.get("metric_source") or src.benchmark.name)),
            ("Generated", f"{self.generated_at:%d %B %Y %H:%M}"),
        ]
        from pmlib.present.tables import definition_table

        table = definition_table(rows, caption="Report details")
        council = esc(src.council_name or self.council_name)
        return Html(
            f'<header class="pmlib-cover"><p class="pmlib-council">{council}</p>'
            f"<h1>{esc(self.title)}</h1>{table.html}</header>"
        )

    def ranked_chart(self, *, width: int = 480):
        """Horizontal bars, best first, the council named and marked; median and quartile lines."""
        import altair as alt

        rows = self.period_rows[self.period_rows["value"].notna()]
        n = len(rows)
        if not n:
            return Html(f"<p>No {esc(self.peer_label)} have a figure for {esc(self.period)}.</p>")
        data = _plain(
            pd.DataFrame(
                {
                    "area": [
                        self.area_label(c, a)
                        for c, a in zip(rows["area_code"], rows["area_name"], strict=True)
                    ],
                    "value": rows["value"].to_numpy(dtype=float),
                    "rank": rows["rank"].astype("float64").to_numpy(),
                    "who": np.where(rows["area_code"].eq(self.focus), "Our council", "Peer"),
                    "label": [self.fmt(v) for v in rows["value"]],
                }
            )
        )
        order = list(data["area"])
        values = rows["value"].to_numpy(dtype=float)
        q25, med, q75 = (float(np.quantile(values, q)) for q in (0.25, 0.5, 0.75))
        lines = pd.DataFrame(
            {
                "line": ["Median", "Lower quartile", "Upper quartile"],
                "x": [med, q25, q75],
                "label": [self.fmt(med), self.fmt(q25), self.fmt(q75)],
            }
        )
        step = 18 if n <= 30 else 10 if n <= 80 else 5
        show_labels = n <= 40
        y = alt.Y(
            "area:N",
            sort=order,
            title=None,
            axis=alt.Axis(labels=show_labels, ticks=show_labels, labelLimit=240),
        )
        who = alt.Color(
            "who:N",
            title=None,
            scale=alt.Scale(domain=["Our council", "Peer"], range=[OURS_COLOUR, PEERS_COLOUR]),
            legend=alt.Legend(orient="bottom", labelLimit=320),
        )
        tooltip = [
            alt.Tooltip("area:N", title="Area"),
            alt.Tooltip("label:N", title="Value"),
            alt.Tooltip("rank:Q", title="Rank"),
        ]
        bars = (
            alt.Chart(data)
            .mark_bar(stroke="#0B0C0C", strokeWidth=0.5 if show_labels else 0)
            .encode(
                y=y,
                x=alt.X("value:Q", title=self._unit_title()),
                color=who,
                tooltip=tooltip,
            )
        )
        marker = (
            alt.Chart(data)
            .transform_filter("datum.who == 'Our council'")
            .mark_text(align="left", dx=4, fontWeight="bold", color=OURS_COLOUR)
            .encode(y=y, x="value:Q", text=alt.Text("marker:N"))
            .transform_calculate(marker="'◀ ' + datum.label + ' (our council)'")
        )
        rules = (
            alt.Chart(lines)
            .mark_rule(color=MEDIAN_COLOUR, strokeWidth=1.5)
            .encode(
                x="x:Q",
                strokeDash=alt.StrokeDash(
                    "line:N",
                    title=None,
                    scale=alt.Scale(
                        domain=["Median", "Lower quartile", "Upper quartile"],
                        range=[[1, 0], [6, 3], [2, 2]],
                    ),
                    legend=alt.Legend(orient="bottom", labelLimit=320),
                ),
                tooltip=[
                    alt.Tooltip("line:N", title="Line"),
                    alt.Tooltip("label:N", title="Value"),
                ],
            )
        )
        chart = alt.layer(bars, rules, marker).properties(
            width=width,
            height=alt.Step(step),
            title=alt.Title(
                f"{self.metric_name}, {self.period}",
                subtitle=f"{n} {self.peer_label}, best first ({self._better_words()})",
            ),
            description=self._ranked_description(rows, q25, med, q75),
        )
        return chart

    def rank_chart(self, *, width: int = 480, height: int = 200):
        """The council's rank in each period (1 = best, at the top) with the group size."""
        import altair as alt

        s = self.series()
        s = s[s["rank"].notna()]
        data = _plain(
            pd.DataFrame(
                {
                    "period": s["period"].to_numpy(),
                    "ordinal": s["ordinal"].astype("float64").to_numpy(),
                    "rank": s["rank"].astype("float64").to_numpy(),
                    "n": s["n"].astype("float64").to_numpy(),
                    "label": [
                        f"{ordinal(int(r))} of {int(n)}"
                        for r, n in zip(s["rank"], s["n"], strict=True)
                    ],
                    "quartile": [_quartile_word(q, self.polarity) for q in s["quartile"]],
                }
            )
        )
        top = int(max(data["n"].max(), 1)) if len(data) else 1
        step = max(1, math.ceil(top / 8))
        ticks = list(range(1, top + 1, step))
        if ticks[-1] != top:  # end on the group size, without crowding the last tick
            ticks[-1 if top - ticks[-1] < step and len(ticks) > 1 else len(ticks) :] = [top]
        x = alt.X("period:N", sort=list(data["period"]), title=None, axis=alt.Axis(labelAngle=0))
        yscale = alt.Scale(domain=[top, 1], nice=False, zero=False)
        line = (
            alt.Chart(data)
            .mark_line(
                color=OURS_COLOUR,
                point=alt.OverlayMarkDef(shape="diamond", size=90, color=OURS_COLOUR),
            )
            .encode(
                x=x,
                y=alt.Y(
                    "rank:Q",
                    title="Rank (1 = best)",
                    scale=yscale,
                    axis=alt.Axis(values=ticks, format="d"),
                ),
                tooltip=[
                    alt.Tooltip("period:N", title="Period"),
                    alt.Tooltip("label:N", title="Rank"),
                    alt.Tooltip("quartile:N", title="Quartile"),
                ],
            )
        )
        labels = (
            alt.Chart(data)
            .mark_text(dy=-12, fontSize=11, color="#0B0C0C")
            .encode(x=x, y=alt.Y("rank:Q", scale=yscale), text="label:N")
        )
        steps = ", ".join(
            f"{lab} in {p}" for p, lab in zip(data["period"], data["label"], strict=True)
        )
        description = (
            f"Line chart of {self.council_name}'s rank among the {self.peer_label} for "
            f"{self.metric_name}, 1 = best: {steps or 'no ranked periods'}."
        )
        return alt.layer(line, labels).properties(
            width=width,
            height=height,
            title=alt.Title(
                f"{self.council_name}'s rank over time",
                subtitle=f"1 = best; '4th of 16' counts the {self.peer_label} with a figure",
            ),
            description=description,
        )

    def series_chart(self, *, width: int = 480, height: int = 220):
        """The council's value over time against the peer median and interquartile range."""
        s = self.series()
        return self._series_layers(s, width=width, height=height).properties(
            title=alt_title(
                f"{self.council_name} against the {self.peer_label}",
                f"Shaded: the middle half of peers (interquartile range); {self._better_words()}",
            ),
            description=self._series_description(self.metric_name, s),
        )

    def _series_layers(self, s: pd.DataFrame, *, width: int, height: int, facet: bool = False):
        import altair as alt

        ours_name = self.council_name + OUR_SUFFIX
        long = pd.concat(
            [
                s.assign(series=ours_name, y=s["value"]),
                s.assign(series="Peer median", y=s["median"]),
            ]
        )
        long = long.assign(
            label=self._labels(long, "y"),
            band="Middle half of peers (interquartile range)",
        )
        keep = ["period", "ordinal", "series", "y", "label", "q25", "q75", "band"]
        if facet:
            keep = ["panel", *keep]
        data = _plain(long.loc[:, keep])
        x = alt.X(
            "period:N",
            sort=alt.EncodingSortField("ordinal", op="min"),
            title=None,
            axis=alt.Axis(labelAngle=-45 if facet else 0),
        )
        series = alt.Color(
            "series:N",
            title=None,
            scale=alt.Scale(domain=[ours_name, "Peer median"], range=[OURS_COLOUR, MEDIAN_COLOUR]),
            legend=alt.Legend(orient="bottom", labelLimit=320),
        )
        dash = alt.StrokeDash(
            "series:N",
            title=None,
            scale=alt.Scale(domain=[ours_name, "Peer median"], range=[[1, 0], [6, 3]]),
            legend=alt.Legend(orient="bottom", labelLimit=320),
        )
        shape = alt.Shape(
            "series:N",
            title=None,
            scale=alt.Scale(domain=[ours_name, "Peer median"], range=["diamond", "circle"]),
            legend=alt.Legend(orient="bottom", labelLimit=320),
        )
        base = alt.Chart(data) if not facet else alt.Chart()
        band = (
            base.transform_filter(f"datum.series == {_js(ours_name)}")
            .mark_area(opacity=0.45, color=BAND_COLOUR)
            .encode(
                x=x,
                y=alt.Y("q25:Q", title=None if facet else self._unit_title()),
                y2="q75:Q",
                fill=alt.Fill(
                    "band:N",
                    title=None,
                    scale=alt.Scale(range=[BAND_COLOUR]),
                    legend=alt.Legend(orient="bottom", labelLimit=320),
                ),
            )
        )
        lines = (
            base.mark_line(point=True)
            .encode(
                x=x,
                y=alt.Y("y:Q", scale=alt.Scale(zero=False)),
                color=series,
                strokeDash=dash,
                shape=shape,
                tooltip=[
                    alt.Tooltip("period:N", title="Period"),
                    alt.Tooltip("series:N", title="Series"),
                    alt.Tooltip("label:N", title="Value"),
                ],
            )
            .transform_filter("isValid(datum.y)")
        )
        layered = alt.layer(band, lines)
        if facet:
            return layered, data
        return layered.properties(width=width, height=height)

    def small_multiples(self, *, columns: int = 2, width: int = 260, height: int = 120):
        """Every metric of the peer group: the council against the median and IQR over time."""
        import altair as alt

        frames, lines = [], []
        meta = metric_metadata(self.data).set_index("metric")
        metrics = [str(m) for m in pd.unique(self.stats["metric"])]
        for metric in metrics:
            s = self.series(metric)
            if s.empty:
                continue
            name = meta.at[metric, "metric_name"] if metric in meta.index else None
            name = metric if _missing(name) else str(name)
            pol = str(self.stats.loc[self.stats["metric"].eq(metric), "polarity"].iloc[0])
            panel = f"{_short(name, 46)}|({_POLARITY_WORDS.get(pol, pol).split(':')[0]})"
            frames.append(s.assign(panel=panel, metric=metric))
            last = s[s["rank"].notna()].tail(1)
            if len(last):
                r = last.iloc[0]
                lines.append(
                    f"{name}: {ordinal(int(r['rank']))} of {int(r['n'])}, "
                    f"{_quartile_word(r['quartile'], pol)} in {r['period']}"
                )
            else:
                lines.append(f"{name}: no figure for {self.council_name}")
        if not frames:
            return Html("<p>No benchmark series to show.</p>")
        s = pd.concat(frames, ignore_index=True)
        layered, data = self._series_layers(s, width=width, height=height, facet=True)
        chart = (
            layered.properties(width=width, height=height)
            .facet(
                facet=alt.Facet(
                    "panel:N",
                    title=None,
                    header=alt.Header(
                        labelLimit=width + 40,
                        labelExpr="split(datum.value, '|')",
                        labelFontSize=11,
                    ),
                ),
                columns=columns,
                data=data,
            )
            .resolve_scale(y="independent", x="independent")
            .properties(
                title=alt_title(
                    f"All {len(frames)} benchmarked measures",
                    f"{self.council_name} against the {self.peer_label}' median and "
                    "interquartile range",
                ),
                description=(
                    f"Small multiples: {self.council_name} against the median and "
                    f"interquartile range of the {self.peer_label} for {len(frames)} measures. "
                    "Latest positions: " + "; ".join(lines) + "."
                ),
            )
        )
        return chart

    def positions_frame(self) -> pd.DataFrame:
        """The council's latest position on every metric of the data (one row per metric)."""
        meta = metric_metadata(self.data).set_index("metric")
        records = []
        for metric in pd.unique(self.stats["metric"]):
            rows = self.stats[
                self.stats["metric"].eq(metric)
                & self.stats["is_focus"]
                & self.stats["value"].notna()
            ]
            name = meta.at[metric, "metric_name"] if metric in meta.index else None
            name = metric if _missing(name) else str(name)
            if rows.empty:
                records.append({"metric": metric, "Measure": name, "Period": "–"})
                continue
            r = rows.iloc[-1]
            tied = int(
                self.stats[
                    self.stats["metric"].eq(metric)
                    & self.stats["period"].eq(r["period"])
                    & self.stats["rank"].eq(r["rank"])
                ].shape[0]
            )
            change = r["rank_change"]
            records.append(
                {
                    "metric": metric,
                    "Measure": name,
                    "Period": r["period"],
                    "Position": position_text(
                        int(r["rank"]),
                        int(r["n"]),
                        int(r["quartile"]),
                        str(r["polarity"]),
                        self.peer_label,
                        joint=tied > 1,
                    ),
                    "quartile": int(r["quartile"]),
                    "Since previous": _movement_words(change, r["previous_period"]),
                }
            )
        return pd.DataFrame.from_records(records)

    def positions_table(self) -> Html:
        frame = self.positions_frame()
        shown = frame.reindex(columns=["Measure", "Period", "Position", "Since previous"])
        return _table(
            shown.fillna("–"),
            caption=f"{self.council_name}'s latest position on each measure",
            row_header="Measure",
            highlight=list(frame["metric"].eq(self.metric)),
        )

    def ranking_table(self) -> Html:
        """The figures behind the ranked chart, the council's row marked in words and bold."""
        rows = self.period_rows
        frame = pd.DataFrame(
            {
                "Rank": [_rank_text(r, rows["rank"]) for r in rows["rank"]],
                "Area": [
                    self.area_label(c, a)
                    for c, a in zip(rows["area_code"], rows["area_name"], strict=True)
                ],
                "Value": [self.fmt(v) for v in rows["value"]],
                "Quartile": [_quartile_word(q, self.polarity) for q in rows["quartile"]],
                "From the median (MADs)": [_signed_one(m) for m in rows["mads_from_median"]],
            }
        )
        frame.loc[rows["value"].isna().to_numpy(), "Rank"] = "not ranked"
        return _table(
            frame,
            caption=(
                f"{self.peer_label.capitalize()} ranked by {self.metric_name}, {self.period} "
                f"(1 = best; {self._better_words()})"
            ),
            numeric=["Rank", "Value", "From the median (MADs)"],
            highlight=list(rows["area_code"].eq(self.focus)),
            row_header="Area",
        )

    def missing_frame(self) -> pd.DataFrame:
        """Peers with no figure for this metric in the report's period."""
        members = peer_group_members(self.groups, self.sources.peer_group)
        data = self.data[self.data["metric"].eq(self.metric)]
        miss = missing_peers(data, members, focus=self.focus)
        return miss[miss["period"].eq(self.period)].reset_index(drop=True)

    def missing_table(self) -> Html:
        miss = self.missing_frame()
        n_group = len(self.period_rows)
        if miss.empty:
            return Html(
                f"<p>All {n_group} members of the group have a figure for {esc(self.period)}.</p>"
            )
        frame = pd.DataFrame(
            {
                "Area": [
                    self.area_label(c, a)
                    for c, a in zip(miss["area_code"], miss["area_name"], strict=True)
                ],
                "Code": miss["area_code"],
                "Why": miss["reason"],
            }
        )
        intro = (
            f"<p>{len(miss)} of the {n_group} members of the group "
            f"{'has' if len(miss) == 1 else 'have'} no figure for {esc(self.period)}. They "
            "are left out of the rank, the median and the quartiles, so "
            f"'{esc(self.position())}' counts only the areas with a figure.</p>"
        )
        return Html(
            intro
            + _table(
                frame,
                caption=f"Peers without a figure for {self.period}",
                row_header="Area",
            ).html
        )

    def target_frame(self) -> pd.DataFrame:
        """:func:`~pmlib.benchmarking.stats.target_options` for this metric and period."""
        return target_options(self.stats, self.focus, self.metric, self.period)

    def target_table(self) -> Html:
        """What matching the peer median or reaching the top quartile would mean next year."""
        ours = self.ours
        if ours is None or pd.isna(ours["value"]):
            return Html(
                f"<p>No target options: {esc(self.council_name)} has no figure for "
                f"{esc(self.period)} to measure the change from.</p>"
            )
        t = self.target_frame()
        frame = pd.DataFrame(
            {
                "Option": [str(o).capitalize() for o in t["option"]],
                "From": t["based_on_period"].astype(str),
                "Target for": t["target_period"].fillna("–").astype(str),
                "Our value": [self.fmt(v) for v in t["current"]],
                "Target": [self.fmt(v) for v in t["target"]],
                "Change needed": [
                    self.change_text(c, p)
                    for c, p in zip(t["change_needed"], t["change_needed_pct"], strict=True)
                ],
                "Already met?": [
                    "–" if _missing(m) else ("Yes" if bool(m) else "No") for m in t["already_met"]
                ],
                "Rank at target": [
                    "–" if _missing(r) else f"{ordinal(int(r))} of {int(n)}"
                    for r, n in zip(t["rank_at_target"], t["n"], strict=True)
                ],
            }
        )
        note = (
            "<p>Peers improve too: these are last year's peer values, floors to beat rather "
            "than forecasts. Set the target with the trend above, not on these alone.</p>"
        )
        if self.polarity == "none":
            note = (
                "<p>This measure has no better direction, so the options show the peer values "
                "only; whether to move towards them is a policy choice.</p>" + note
            )
        return Html(
            _table(
                frame,
                caption=(
                    f"Target options for {self.metric_name} from the {self.peer_label}' "
                    f"{self.period} figures"
                ),
                numeric=["Our value", "Target", "Change needed"],
                row_header="Option",
            ).html
            + note
        )

    def data_notes(self) -> Html:
        """Warnings met reading the data (suppressed values, missing polarity, duplicates)."""
        if not self.warnings:
            return Html("<p>No problems were found reading the benchmark data.</p>")
        items = "".join(f"<li>{esc(w)}</li>" for w in self.warnings)
        return Html(f'<ul class="pmlib-data-notes">{items}</ul>')

    def methodology(self) -> Html:
        src = self.sources
        rows = [
            ("Benchmark data", src.benchmark.name),
            ("Peer groups", src.peers.name if src.peers is not None else "none (group 'all')"),
            ("Peer group", f"{src.peer_group} ({self.peer_label})"),
            (
                "Rank",
                "1 = best; tied areas share the best rank of the tie ('joint 2nd') and the "
                "next rank is skipped. Only areas with a figure are ranked.",
            ),
            (
                "Quartile",
                "Top quartile = at or better than the upper-quartile value (Excel's "
                "QUARTILE.INC) of the group; with fewer than 8 areas quartiles are coarse.",
            ),
            (
                "Distance from the median",
                "In median absolute deviations (MADs), as the Office for Local Government "
                "published it: a robust measure of how unusual a figure is.",
            ),
            ("Better is", _POLARITY_WORDS.get(self.polarity, self.polarity)),
        ]
        from pmlib.present.tables import definition_table

        return definition_table(rows, caption="How these figures are computed")

    def summary(self) -> dict[str, str]:
        """For the index page: ``{"Rank": "4th of 16", "Quartile": "top quartile", ...}``."""
        ours = self.ours
        if ours is None or pd.isna(ours["rank"]):
            return {"Position": f"no figure for {self.period}"}
        return {
            "Rank": f"{ordinal(int(ours['rank']))} of {int(ours['n'])}",
            "Quartile": _quartile_word(ours["quartile"], self.polarity),
            "Period": self.period,
        }

    def publish(self) -> None:
        """Hand the title and the position summary to the batch runner (not shown)."""
        from pmlib.core.artifacts import publish_artifact

        publish_artifact("title", f"{self.title} ({self.council_name}, {self.peer_label})")
        publish_artifact("summary", self.summary())

    def change_text(self, change: object, pct: object = None) -> str:
        """A signed change: ``+0.7 percentage points`` for a percentage, else ``−2.0 days
        (−10.5%)`` with the relative change."""
        if _missing(change):
            return "–"
        c = float(change)
        if self.unit == "percent":
            sign = "+" if c > 0 else "−" if c < 0 else ""
            pts = f"{abs(c):,.{self.decimals}f}"
            return f"{sign}{pts} percentage point{'' if pts == '1' else 's'}"
        text = self.fmt(c, signed=True)
        if _missing(pct) or not math.isfinite(float(pct)):
            return text
        return f"{text} ({float(pct):+.1f}%)".replace("(-", "(−")

    # -- helpers --------------------------------------------------------------------------------
    def _better_words(self) -> str:
        return _POLARITY_WORDS.get(self.polarity, self.polarity)

    def _unit_title(self) -> str:
        """A short axis title: the unit if it is one, else the measure's name, shortened."""
        known = {"percent": "Per cent", "days": "Days", "weeks": "Weeks", "hours": "Hours"}
        if self.unit in known:
            return known[self.unit]
        if self.unit == "currency":
            return "£"
        return _short(self.metric_name, 40)

    def _ranked_description(self, rows: pd.DataFrame, q25: float, med: float, q75: float) -> str:
        n = len(rows)
        if not n:
            return f"No {self.peer_label} have a figure for {self.metric_name} in {self.period}."
        best, worst = rows.iloc[0], rows.iloc[-1]
        ours = self.ours
        mine = (
            f"{self.council_name} has {self.fmt(ours['value'])}: {self.position()}"
            if ours is not None and pd.notna(ours["value"])
            else f"{self.council_name} has no figure"
        )
        return (
            f"Bar chart ranking {n} {self.peer_label} by {self.metric_name} in {self.period}, "
            f"best first ({self._better_words()}). {mine}. The median is {self.fmt(med)}, the "
            f"lower quartile {self.fmt(q25)} and the upper quartile {self.fmt(q75)}. First: "
            f"{self.area_label(best['area_code'], best['area_name'])} "
            f"{self.fmt(best['value'])}; last: "
            f"{self.area_label(worst['area_code'], worst['area_name'])} "
            f"{self.fmt(worst['value'])}."
        )

    def _series_description(self, name: str, s: pd.DataFrame) -> str:
        if s.empty:
            return f"No series to show for {name}."
        first, last = s.iloc[0], s.iloc[-1]

        def at(r: pd.Series) -> str:
            return (
                f"in {r['period']} {self.council_name} {self.fmt(r['value'])}, median "
                f"{self.fmt(r['median'])}, interquartile range {self.fmt(r['q25'])} to "
                f"{self.fmt(r['q75'])}"
            )

        text = (
            f"Line chart of {self.council_name}'s {name} from {first['period']} to "
            f"{last['period']} against the {self.peer_label}' median, with the middle half of "
            f"peers (interquartile range) shaded. {_sentence(at(last))}"
        )
        if len(s) > 1:
            text += f"; {at(first)}"
        return text + "."


# -- small helpers ------------------------------------------------------------------------------
def latest_period(stats: pd.DataFrame, metric: str, focus: str) -> str:
    """The latest period in which ``focus`` has a value for ``metric`` (else the metric's
    latest period)."""
    rows = stats[stats["metric"].eq(metric)]
    ours = rows[rows["area_code"].eq(focus) & rows["value"].notna()]
    pick = ours if len(ours) else rows
    return str(pick["period"].iloc[-1])  # stats are in time order


def _missing(value: object) -> bool:
    if value is None or value is pd.NA:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _stated_polarity(data: pd.DataFrame) -> dict[str, str]:
    if "polarity" not in data:
        return {}
    firsts = data.dropna(subset=["polarity"]).groupby("metric")["polarity"].first()
    return {str(k): str(v) for k, v in firsts.items()}


def _quartile_word(q: object, polarity: str) -> str:
    if _missing(q):
        return "–"
    if polarity == "none":
        return {
            1: "highest quarter",
            2: "second-highest quarter",
            3: "second-lowest quarter",
            4: "lowest quarter",
        }[int(q)]
    return {1: "top quartile", 2: "second quartile", 3: "third quartile", 4: "bottom quartile"}[
        int(q)
    ]


def _rank_text(rank: object, ranks: pd.Series) -> str:
    if _missing(rank):
        return "not ranked"
    joint = int(ranks.eq(rank).sum()) > 1
    return f"{'joint ' if joint else ''}{ordinal(int(rank))}"


def _movement_words(change: object, previous: object) -> str:
    if _missing(previous):
        return "–"
    if _missing(change):
        return f"not ranked in {previous}"
    c = int(change)
    places = "place" if abs(c) == 1 else "places"
    if c > 0:
        return f"up {c} {places} since {previous}"
    if c < 0:
        return f"down {-c} {places} since {previous}"
    return f"same rank as {previous}"


def _signed_one(x: object) -> str:
    """``+1.3``, ``−0.8``, ``0.0`` (never ``−0.0``); ``–`` when missing."""
    if _missing(x):
        return "–"
    text = f"{float(x):+.1f}"
    return "0.0" if text in ("+0.0", "-0.0") else text.replace("-", "−")


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _short(text: str, limit: int = 48) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip(" ,;(") + "…"


def _js(text: str) -> str:
    """A JavaScript string literal for a Vega expression."""
    import json

    return json.dumps(text)


def alt_title(text: str, subtitle: str):
    import altair as alt

    return alt.Title(text, subtitle=subtitle)
