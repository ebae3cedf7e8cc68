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
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from pmlib.benchmarking.io import PeerGroups
from pmlib.benchmarking.positions import (
    peer_group_label,
    position_text,
)
from pmlib.benchmarking.stats import (
    CAVEAT,
    benchmark_stats,
    metric_metadata,
    narrate_position,
    peer_group_members,
    polarity_from_indicators,
    read_benchmarks,
    read_peer_groups,
    resolve_polarity,
)
from pmlib.core.errors import ParameterError, Problem
from pmlib.core.periods import period_table, try_parse_period
from pmlib.core.words import long_datetime
from pmlib.present.benchmark_charts import (  # noqa: F401 - the colours stay importable here
    BAND_COLOUR,
    MEDIAN_COLOUR,
    OUR_SUFFIX,
    OURS_COLOUR,
    PEERS_COLOUR,
    BenchmarkCharts,
)
from pmlib.present.fragments import (
    BETTER_WORDS,
    is_missing,
    signed_value,
)
from pmlib.present.tables import Html
from pmlib.present.text import esc, format_value
from pmlib.reports.benchmark_sources import (
    BenchmarkSources,
    _listing,
    _stated_polarity,
    check_period,
    indicator_metric,
    latest_period,
    resolve_metrics,
    resolve_sources,
)
from pmlib.reports.benchmark_tables import BenchmarkTables

__all__ = [
    "BenchmarkReport",
    "BenchmarkSources",
    "check_period",
    "indicator_metric",
    "latest_period",
    "resolve_metrics",
    "resolve_sources",
]


def _decimals(values: pd.Series, cap: int = 3) -> int:
    """The fewest decimals that show every value as published (at most ``cap``)."""
    v = values.dropna().to_numpy(dtype=float)
    if not len(v):
        return 1
    for d in range(cap + 1):
        if np.allclose(np.round(v, d), v, rtol=0, atol=1e-9):
            return d
    return cap


# -- the report ---------------------------------------------------------------------------------
@dataclass
class BenchmarkReport(BenchmarkCharts, BenchmarkTables):
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
            row = {k: (None if is_missing(v) else v) for k, v in row.to_dict().items()}
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
        out = {k: (None if is_missing(v) else v) for k, v in row.iloc[0].to_dict().items()}
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
        if d is not None and not is_missing(d):
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
        if signed:
            return signed_value(value, self.unit, self.decimals)
        return format_value(value, self.unit, self.decimals)

    def metric_format(self, metric: str) -> tuple[str, int]:
        """``(unit, decimals)`` for any metric of the data (this report's own for its metric)."""
        if metric == self.metric:
            return self.unit, self.decimals
        meta = metric_metadata(self.data).set_index("metric")
        unit = meta.at[metric, "unit"] if metric in meta.index and "unit" in meta else None
        unit = "" if is_missing(unit) else str(unit)
        unit = "percent" if unit.lower() in ("percent", "percentage", "%") else unit
        values = self.stats.loc[self.stats["metric"].eq(metric), "value"]
        return unit, _decimals(values)

    def _labels(self, frame: pd.DataFrame, column: str) -> list[str]:
        """Formatted values of ``column``, per row's ``metric`` if the frame has one."""
        if "metric" not in frame:
            return [self.fmt(v) for v in frame[column]]
        formats = {m: self.metric_format(m) for m in pd.unique(frame["metric"])}
        return [
            "–" if is_missing(v) else format_value(float(v), *formats[m])
            for v, m in zip(frame[column], frame["metric"], strict=True)
        ]

    def area_label(self, code: str, name: object) -> str:
        label = str(name) if not is_missing(name) else str(code)
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
            ("Better is", BETTER_WORDS.get(self.polarity, self.polarity)),
            (
                "Compared with",
                f"{len(members)} {self.peer_label} (peer group '{src.peer_group}'"
                + (": every area in the data)" if src.peer_group.lower() == "all" else ")"),
            ),
            ("Period", self.period),
            ("Position", self.position()),
            ("Source", str(self.meta.get("metric_source") or src.benchmark.name)),
            ("Generated", long_datetime(self.generated_at)),
        ]
        from pmlib.present.tables import definition_table

        table = definition_table(rows, caption="Report details")
        council = esc(src.council_name or self.council_name)
        return Html(
            f'<header class="pmlib-cover"><p class="pmlib-council">{council}</p>'
            f"<h1>{esc(self.title)}</h1>{table.html}</header>"
        )

    def change_text(self, change: object, pct: object = None) -> str:
        """A signed change: ``+0.7 percentage points`` for a percentage, else ``−2.0 days
        (−10.5%)`` with the relative change."""
        if is_missing(change):
            return "–"
        if self.unit == "percent":
            pts = signed_value(change, "number", self.decimals)
            return f"{pts} percentage point{'' if pts.lstrip('+−') == '1' else 's'}"
        text = self.fmt(change, signed=True)
        if is_missing(pct) or not math.isfinite(float(pct)):
            return text
        return f"{text} ({signed_value(pct, 'number', 1)}%)"

    # -- helpers --------------------------------------------------------------------------------
    def _better_words(self) -> str:
        return BETTER_WORDS.get(self.polarity, self.polarity)
