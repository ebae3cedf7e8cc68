"""One committee's report for one quarter (or year): the sections the notebook displays.

The notebook stays thin — it builds a :class:`CommitteeReport` from its parameters and shows its
sections in order. Everything a section shows is computed here from the rating engine's output,
so it is unit-testable without running a notebook.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from pmlib.config.settings import check_committee
from pmlib.core.csv_out import csv_text
from pmlib.core.dburl import is_database_url
from pmlib.core.errors import ParameterError
from pmlib.core.model import Committee, Dataset, check_period_has_data
from pmlib.core.periods import Period, parse_period
from pmlib.core.rules import exception_rule_for, on_target_for
from pmlib.data.quality import has_narrative, quality_findings
from pmlib.present.conventions import on_target_counts, override_text, with_on_target_total
from pmlib.present.fragments import (
    direction_text,
    exceptions_intro,
    findings_summary,
    methodology_statement,
    narrative_block,
    not_due_mask,
    not_due_words,
    quartile_position,
    reported_for,
    success_html,
    target_text,
)
from pmlib.present.navigation import exception_anchor
from pmlib.present.tables import (
    Html,
    counts_table,
    definition_table,
    priority_table,
    simple_table,
)
from pmlib.present.text import (
    change_counts,
    esc,
    format_value,
    glance_html,
    long_date,
    override_badge,
    plural,
    rag_counts,
)
from pmlib.rating.exceptions import (
    ExceptionRule,
    forecast_misses,
    rule_words,
    select_exceptions,
    select_successes,
    successes_awaiting_approval,
)
from pmlib.reports import layout
from pmlib.reports.cover import cover_html
from pmlib.reports.provenance import footer_html
from pmlib.reports.signoff import PROVISIONAL, provisional_ids, report_signoff
from pmlib.reports.spc_sections import report_spc
from pmlib.reports.template_parts import exception_context, outturn_year
from pmlib.returns.lateness import judged_by_returns
from pmlib.returns.quality import audit_findings

if TYPE_CHECKING:
    from pmlib.rating.rater import Rater

HISTORY_PERIODS = 8


def check_report_params(
    quarter: str, committee: str, data_dir: str | Path | None, params_dir: str | Path | None
) -> None:
    """Fail fast, in the notebook's first cell, on parameters that cannot work."""
    for name, value in (("quarter", quarter), ("committee", committee)):
        if not isinstance(value, str) or not value.strip():
            raise ParameterError(
                f"Parameter '{name}' must be a non-empty text value, got {value!r}."
            )
    for name, value in (("data_dir", data_dir), ("params_dir", params_dir)):
        if name == "data_dir" and is_database_url(value):
            continue  # a database (pmlib.data.sql): checked when it is read
        if value is not None and not Path(value).is_dir():
            raise ParameterError(f"Parameter '{name}': folder {value} not found.")


def _report_ratings(rater: Rater, period: Period) -> tuple[pd.DataFrame, ...]:
    """What a report rates, in its order: ``(previous period, period, history)``.

    The previous period first: an indicator reported a quarter in arrears is rated at it, so
    the report period's rating then reads that row instead of rating it again.
    """
    prev = rater.rate_period(period.previous())
    rated = rater.rate_period(period)
    hist = rater.rate_history(period, kind=period.kind, periods=HISTORY_PERIODS, lags=True)
    return prev, rated, hist


def warm_shared(quarter: str, data_dir: str | None = None, params_dir: str | None = None) -> None:
    """Work out what every committee report of ``quarter`` shares, in this process, as
    :meth:`CommitteeReport.build` would: the dataset read (from the validated-dataset store),
    the library rated at the report's periods and at the year before (the outturn its
    exception sections show; :func:`~pmlib.rating.rater.shared_rater`) and the benchmark
    positions (:func:`~pmlib.benchmarking.positions.latest_positions`), each kept where the
    report looks for it.

    A batch's zygote calls it before forking the kernels
    (:func:`pmlib.batch.pool.warm_prestarted`), so each kernel's first report starts as its
    second would. Only the order of the work changes: the report asks the same functions with
    the same arguments and takes their remembered answers, which are the ones it would have
    computed (tests/test_zygote_warm.py). A database is read afresh by each report: nothing
    is shared, nothing done here.
    """
    from pmlib.benchmarking.positions import latest_positions
    from pmlib.data.validate import read_dataset_keyed
    from pmlib.rating.rater import shared_rater

    dataset, key = read_dataset_keyed(data_dir, params_dir, today=dt.date.today())
    if key is None:  # a database: read afresh by each report, nothing is shared
        return
    period = parse_period(quarter, dataset.council.fy_start_month, what="report period")
    rater = shared_rater(key, dataset)
    _report_ratings(rater, period)
    rater.rate_period(outturn_year(period))  # the exception sections' last year's outturn
    if dataset.council.benchmark_dir:
        latest_positions(dataset, up_to=period)


@dataclass
class CommitteeReport:
    """Everything one committee report shows, computed once."""

    dataset: Dataset
    committee: Committee
    period: Period
    status: str = "draft"
    as_of: dt.date = field(default_factory=dt.date.today)
    generated_at: dt.datetime = field(
        default_factory=lambda: dt.datetime.now().replace(microsecond=0)
    )
    #: final only: render despite figures not yet approved, marking them provisional
    allow_unapproved: bool = False
    #: final only: who signed the report off (shown on the cover, recorded in the manifest)
    signed_off_by: str = ""
    #: what identifies ``dataset`` as read unchanged from its files (set by :meth:`build`):
    #: its ratings are then shared with the kernel's other reports of the same files
    dataset_key: tuple | None = field(default=None, repr=False, compare=False)
    #: the exception sections worked out ahead, while their charts are drawn (_exception_parts)
    _ahead: list | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        from pmlib.rating.rater import Rater, shared_rater

        # the library as it was in the report's period (valid_from / valid_to)
        ids = self.dataset.indicators_for(self.committee, self.period)["id"]
        if ids.empty:
            raise ParameterError(no_indicators_message(self.dataset, self.committee))
        # Keep only this committee's indicators before computing anything, so nothing about
        # an indicator the audience may not see (internal ones) can reach a section.
        library, self.dataset = self.dataset, _subset(self.dataset, ids)
        self.indicators = self.dataset.indicators.set_index("id").loc[ids]
        # one rating context for the report's periods, its history and last year's outturn:
        # the library's, shared with the kernel's other reports of the same files, when the
        # dataset is known to be as read (each committee takes its own rows), else its own
        self.rater = (
            shared_rater(self.dataset_key, library)
            if self.dataset_key is not None
            else Rater(self.dataset)
        )
        prev, rated, hist = _report_ratings(self.rater, self.period)
        self.previous_period = self.period.previous()
        self.previous = prev[prev["indicator_id"].isin(ids)].reset_index(drop=True)
        self.rated = rated[rated["indicator_id"].isin(ids)].reset_index(drop=True)
        self.history = hist[hist["indicator_id"].isin(ids)].reset_index(drop=True)
        narr = self.dataset.narratives
        narr = narr[narr["indicator_id"].isin(ids) & narr["period"].eq(self.period.label)]
        parts = [c for c, _ in self.dataset.council.narrative_headings]
        self.narratives = narr[has_narrative(narr, parts)].set_index("indicator_id")
        # the committee's own conventions, else the council's (committees.yaml, council.yaml)
        self.exception_rule = exception_rule_for(self.dataset.council, self.committee)
        self.on_target = on_target_for(self.dataset.council, self.committee)
        self.exceptions = select_exceptions(
            self.rated, self.exception_rule, year_end=self.period.months_elapsed == 12
        )
        self.findings = quality_findings(  # a returned figure's lateness is the return's
            judged_by_returns(self.dataset), self.rated, self.period, as_of=self.as_of,
            exceptions=self.exceptions,
        )  # fmt: skip
        # what only the data returns' audit log knows (late, changed after approval, rejected)
        trail = audit_findings(self.dataset, self.period)
        if not trail.empty:
            self.findings = pd.concat([self.findings, trail], ignore_index=True)
        self.benchmarks = self._benchmark_positions(ids, library)
        # a final report: refused while a figure is unapproved, unless marked provisional
        self.provisional = report_signoff(
            self.dataset, self.committee, self.period, self.status,
            allow_unapproved=self.allow_unapproved, history=HISTORY_PERIODS,
        )  # fmt: skip
        self._provisional_ids = provisional_ids(self.provisional, self.period, self.rated)
        # SPC beside RAG when council.yaml's spc.show asks for it (pmlib.reports.spc_sections)
        self.spc = report_spc(
            self.dataset, self.period, self.indicators.reset_index(), self.exceptions
        )

    def value_text(self, ind_id: str, value: object) -> str:
        """A value as the scorecard and exception sections show it, marked provisional in a
        final report rendered before its figure for the period was approved."""
        text = self._fmt(ind_id, value)
        return f"{text} ({PROVISIONAL})" if ind_id in self._provisional_ids else text

    def _benchmark_positions(self, ids: pd.Series, library: Dataset) -> pd.DataFrame:
        """Latest peer position per indicator, as known at the end of the report's period.

        A metric's position depends only on its own benchmark rows and its polarity, so the
        positions are worked out for the whole ``library`` and the report's rows kept, when
        the library gives each of the report's metrics the polarity its own indicators give
        it (:func:`_same_polarities`): every report of a pack then asks for the same positions,
        which :func:`~pmlib.benchmarking.positions.latest_positions` remembers (one working-out
        per kernel instead of one per report, ~0.1-0.3 CPU-s each). Otherwise, from the
        report's own indicators, as before; the rows are the same either way.
        """
        from pmlib.benchmarking.positions import latest_positions

        if not self.dataset.council.benchmark_dir:
            return pd.DataFrame(columns=["indicator_id", "quartile", "position_text"]).set_index(
                "indicator_id"
            )
        source = library if _same_polarities(library, self.dataset) else self.dataset
        pos = latest_positions(source, up_to=self.period)
        return pos[pos["indicator_id"].isin(ids)].set_index("indicator_id")

    def _quartile_text(self, ind_id: str) -> str:
        if ind_id not in self.benchmarks.index:
            return "–"
        b = self.benchmarks.loc[ind_id]
        return quartile_position(b["quartile"], b["rank"], b["n"])

    # -- construction ---------------------------------------------------------------------------
    @classmethod
    def build(
        cls,
        *,
        quarter: str,
        committee: str,
        data_dir: str | Path | None = None,
        params_dir: str | Path | None = None,
        status: str = "draft",
        as_of: dt.date | None = None,
        allow_unapproved: bool = False,
        signed_off_by: str | None = None,
    ) -> CommitteeReport:
        """Validate the parameters, read the data and compute the report."""
        from pmlib.data.validate import read_dataset_keyed

        check_report_params(quarter, committee, data_dir, params_dir)
        if status not in ("draft", "final"):
            raise ParameterError(f"Parameter 'status' must be 'draft' or 'final', got {status!r}.")
        as_of = as_of or dt.date.today()
        # validated as of the report's date: its data-quality findings are validation's warnings
        dataset, key = read_dataset_keyed(data_dir, params_dir, today=as_of)
        # a quarter, a year, a month (monthly leadership reports) or a half-year (six-monthly
        # Cabinet reports): committees.yaml's cycles say which a committee receives
        period = parse_period(quarter, dataset.council.fy_start_month, what="report period")
        check_period_has_data(dataset, period)
        report = cls(
            dataset=dataset,
            committee=check_committee(dataset.settings, committee),
            period=period,
            status=status,
            as_of=as_of,
            allow_unapproved=bool(allow_unapproved),
            signed_off_by=str(signed_off_by or "").strip(),
            dataset_key=key,
        )
        from pmlib.present.figures import drawing_ahead

        if drawing_ahead():  # the batch's drawer draws the exception charts meanwhile
            report._exception_parts()
        return report

    # -- helpers --------------------------------------------------------------------------------
    @property
    def is_annual(self) -> bool:
        return self.period.kind == "year"

    @property
    def title(self) -> str:
        kind = "Annual performance report" if self.is_annual else "Performance report"
        return f"{self.committee.title}: {kind} {self.period.label}"

    def _fmt(self, ind_id: str, value: object) -> str:
        row = self.indicators.loc[ind_id]
        return format_value(value, row["unit"], row["decimals"])

    def _target_text(self, r: pd.Series) -> str:
        row = self.indicators.loc[r["indicator_id"]]
        return target_text(r, row["unit"], row["decimals"])

    def exceptions_frame(self) -> pd.DataFrame:
        """The committee's exceptions under its rule (by default Red, then Amber, then those
        forecast to miss their year-end target; :func:`pmlib.rating.exceptions.select_exceptions`),
        shared by every section."""
        return self.exceptions

    def data_as_at(self) -> str:
        act = self.dataset.actuals
        act = act[act["indicator_id"].isin(self.indicators.index) & act["fy"].eq(self.period.fy)]
        latest = act[["collected_at", "approved_at"]].max().max()
        return "–" if pd.isna(latest) else long_date(latest)

    # -- sections -------------------------------------------------------------------------------
    def cover(self) -> Html:
        """The status banner, the title page (council, title, the meeting it goes to, report
        details, recommendation) and the contents (see :mod:`pmlib.reports.cover`).

        The banner (DRAFT, INTERNAL) is the first thing on the page, and the PDF printer copies
        it into every page's running header (see :mod:`pmlib.present.navigation`).
        """
        return cover_html(self)

    def glance_text(self) -> Html:
        """How the indicators stand and what changed since the previous quarter (or year), with
        the indicators named in bullet lists linked to their exception sections."""
        kind = {"half": "half-year"}.get(self.period.kind, self.period.kind)
        intro = (
            f"How the indicators this committee scrutinises stand against their targets in "
            f"{self.period.label}, and what has changed since the previous {kind} "
            f"({self.previous_period.label})."
        )
        from pmlib.rating.targets import targets_at

        year = targets_at(self.dataset.targets, self.rated["indicator_id"], self.period.year())
        freq = self.indicators["frequency"]
        not_due = not_due_mask(self.rated, freq, self.period)
        due_kinds = set(self.rated.loc[not_due, "indicator_id"].map(freq))
        what, note = not_due_words(due_kinds, self.period)
        body = glance_html(
            self.rated.assign(year_target=year["target"].to_numpy()),
            self.previous,
            self.period.label,
            self.previous_period.label,
            # at year end the "forecast" is the outturn itself: nothing left to forecast
            forecast_miss=forecast_misses(self.rated, self.exception_rule)
            & (self.period.months_elapsed < 12),
            anchors={i: f"ex-{i}" for i in self.exceptions["indicator_id"]},
            not_due=not_due,
            not_due_note=note,
            not_due_what=what,
            on_target=self.on_target,
        )
        spc = self.spc.glance(self.rated, self.indicators["name"]).html
        return Html(f'<div class="pmlib-glance"><p>{esc(intro)}</p>{body}{spc}</div>')

    def glance_counts(self) -> Html:
        # with the council's "On target (Green, Amber, Grey)" total when it counts more than Green
        changes = with_on_target_total(change_counts(self.rated, self.previous), self.on_target)
        return counts_table(
            changes,
            caption=f"RAG ratings in {self.period.label} and {self.previous_period.label}",
            now_label=self.period.label,
            previous_label=self.previous_period.label,
        )

    def priority_counts(self) -> pd.DataFrame:
        """Long counts (group, rag, n) by Council Plan priority, for the chart and table."""
        r = self.rated.assign(group=self.rated["indicator_id"].map(self.indicators["priority"]))
        counts = r.groupby(["group", "rag"], sort=False).size().rename("n").reset_index()
        return counts

    def glance_priorities(self):
        from pmlib.present.charts import rag_bar_chart
        from pmlib.present.figures import Figure

        return Figure(rag_bar_chart(self.priority_counts()))

    def golden_thread(self) -> Html:
        """Priority → objective → indicators, with each indicator's RAG, as a table."""
        r = self.rated.set_index("indicator_id")
        ind = self.indicators
        frame = pd.DataFrame(
            {
                "Priority": ind["priority"],
                "Objective": ind["objective"].fillna("–"),
                "Indicator": ind["name"],
                "RAG": r["rag"].reindex(ind.index),
            }
        ).reset_index(drop=True)
        pivot = (
            frame.groupby(["Priority", "RAG"])
            .size()
            .unstack(fill_value=0)
            .reindex(columns=["Red", "Amber", "Green", "Grey", "No data"], fill_value=0)
            .reset_index()
        )
        pivot.columns.name = None
        return priority_table(pivot, caption="RAG ratings by Council Plan priority")

    def scorecard_frame(self) -> pd.DataFrame:
        """The scorecard as data (also written as the report's CSV): each value with its unit
        (code and label) and polarity in their own columns and the period's start and end as
        ISO dates, so the file reads without the report beside it."""
        r = self.rated
        cols = [
            "indicator_id",
            "name",
            "period",
            "period_end",
            "unit",
            "unit_label",
            "decimals",
            "polarity",
            "value",
            "target",
            "rag",
            "rag_reason",
            "dot_short",
            "dot_long",
            "forecast",
            "forecast_rag",
        ]
        out = r.reindex(columns=cols).copy()
        # the report period's first day beside its last (ISO dates), for open data
        out.insert(
            out.columns.get_loc("period_end"), "period_start", self.period.start_date.isoformat()
        )
        out.insert(2, "priority", out["indicator_id"].map(self.indicators["priority"]))
        out.insert(3, "owner", out["indicator_id"].map(self.indicators["owner"]))
        b = self.benchmarks
        out["benchmark_period"] = out["indicator_id"].map(b.get("period", pd.Series(dtype=str)))
        out["benchmark_rank"] = out["indicator_id"].map(b.get("rank", pd.Series(dtype=float)))
        out["benchmark_of"] = out["indicator_id"].map(b.get("n", pd.Series(dtype=float)))
        out["benchmark_quartile"] = out["indicator_id"].map(
            b.get("quartile", pd.Series(dtype=float))
        )
        for col in ("benchmark_rank", "benchmark_of", "benchmark_quartile"):
            out[col] = out[col].astype("Int64")
        return self.spc.csv_columns(out)

    def scorecard(self, order: str = "priority") -> Html:
        """Every indicator with its key; each exception's row links to its section.

        ``order`` (see :data:`~pmlib.present.tables.SCORECARD_ORDERS`): ``priority`` (default)
        groups rows under their Council Plan priority, exceptions first in each group;
        ``rag`` lists exceptions first, then by rating; ``reference`` by reference only.
        """
        return layout.committee_scorecard(self, order)

    def exception_sections(self) -> list[tuple[Html, object, Html]]:
        """For each exception: (heading and reason, trend chart, narrative)."""
        from pmlib.present.charts import trend_chart

        sections = []
        for _, r in self.exceptions_frame().iterrows():
            ind_id = r["indicator_id"]
            ind = self.indicators.loc[ind_id]
            shown = r.get("reported_period") or self.period.label
            # a figure of another period (in arrears, or a half-year's): its own comparisons
            lagged = str(shown) != self.period.label
            facts = [
                ("Value", reported_for(self.value_text(ind_id, r["value"]), shown, self.period)),
                ("Target", self._target_text(r)),
                ("Why", r["rag_reason"]),  # the rating itself is the heading's badge
                (
                    "Direction of travel",
                    direction_text(
                        r["dot_short"],
                        r["dot_long"],
                        r["previous_period"] if lagged else self.previous_period.label,
                        r["last_year_period"] if lagged else self.period.last_year().label,
                    ),
                ),
            ]
            if pd.notna(r.get("forecast")):
                # the reason names the forecast, its method and its rating: shown once
                said = r.get("forecast_reason") or ""
                forecast = f"{self._fmt(ind_id, r['forecast'])} ({r['forecast_rag']})"
                facts.append(("Year-end forecast", said or forecast))
            if bool(r.get("overridden", False)):
                facts[2] = ("Calculated", r["rag_reason"])
                facts.insert(2, ("Rating", override_text(r)))
            if r["forecast_miss"] and r["rag"] not in self.exception_rule.rags:
                why = str(r["exception_reason"])
                facts.insert(2, ("Listed because", why[:1].upper() + why[1:]))
            context = exception_context(self, ind_id)  # the seeds' template fields
            facts += context["figures"]
            if ind_id in self.benchmarks.index:
                facts.append(("Benchmark", self.benchmarks.loc[ind_id, "position_text"]))
            facts += context["context"]
            facts.append(("Owner", ind.get("owner") or "–"))
            facts += context["people"]
            head = Html(
                f'<section class="exception page-break" aria-labelledby="ex-{esc(ind_id)}">'
                f'<h3 id="ex-{esc(ind_id)}">{esc(ind_id)} {esc(r["name"])} '
                f"{override_badge(r['rag'], r.get('computed_rag'))}</h3>"
                f"{definition_table(facts, caption=f'{ind_id} at a glance').html}</section>"
            )
            hist = self.history[self.history["indicator_id"].eq(ind_id)]
            chart = trend_chart(hist, name=str(r["name"]), unit=ind["unit"], decimals=int(ind["decimals"]), measure=ind["measure"])  # fmt: skip
            sections.append((head, chart, self.narrative_html(ind_id)))
        return sections

    def show_exceptions(self) -> None:
        """Display every exception section in order (the notebook's one call for them)."""
        from IPython.display import display

        parts = self._exception_parts()
        year_end = self.period.months_elapsed == 12
        # a council's own rule is worded when nothing meets it; the default keeps its sentence
        own = self.exception_rule != ExceptionRule()
        intro = exceptions_intro(
            self.exceptions,
            year_end=year_end,
            rule_text=rule_words(self.exception_rule) if own else "",
        )
        display(Html(f"<p>{esc(intro)}</p>"))
        for head, figure, spc, narrative in parts:
            display(head, figure, *spc, narrative)
            display(self.back_link(head))

    def _exception_parts(self) -> list[tuple]:
        """Each exception section as shown: (heading, trend figure, SPC parts, narrative), the
        figures handed to the batch's drawer before the first is shown
        (:func:`pmlib.present.figures.prefetch_figures`): each chart is then ready, or nearly,
        when its turn comes. Worked out once: :meth:`build` asks for it as soon as the report is
        computed when a drawer draws for this kernel, so the charts are drawn while the
        report's first sections are shown."""
        if self._ahead is not None:
            return self._ahead
        from pmlib.present.figures import Figure, prefetch_figures

        sections = self.exception_sections()
        ids = self.exceptions_frame()["indicator_id"]
        parts = [
            (
                head,
                Figure(chart),
                self.spc.exception_parts(ind_id, self.rated, self.indicators),  # says, chart
                narrative,
            )
            for (head, chart, narrative), ind_id in zip(sections, ids, strict=True)
        ]
        prefetch_figures(item for _, figure, spc, _ in parts for item in (figure, *spc))
        self._ahead = parts
        return parts

    def narrative_html(self, ind_id: str) -> Html:
        if ind_id not in self.narratives.index:
            return narrative_block(
                None,
                missing="<strong>Narrative not provided.</strong> The responsible officer has "
                "not supplied the commentary the framework requires; this is listed under data "
                "quality.",
            )
        headings = self.dataset.council.narrative_headings
        # each heading's id under its section's (ex-RES03-performance-update): unique in the report
        return narrative_block(
            self.narratives.loc[ind_id], headings=headings, anchor=exception_anchor(ind_id)
        )

    def success(self) -> Html:
        """On target, better than a year ago, and on approved figures only (pmlib's one rule,
        :func:`pmlib.rating.exceptions.select_successes`)."""
        return success_html(
            select_successes(self.rated),
            successes_awaiting_approval(self.rated),
            self.period.last_year().label,
        )

    def data_quality(self) -> Html:
        f = self.findings
        summary = Html(f"<p>{esc(findings_summary(f, self.period.label))}</p>")
        if f.empty:
            return summary
        table = f.rename(
            columns={
                "indicator_id": "Ref",
                "name": "Indicator",
                "issue": "Issue",
                "detail": "Detail",
            }
        )
        caption = f"Data-quality findings, {self.period.label}"
        return Html(summary.html + simple_table(table, caption=caption).html)

    def methodology(self) -> Html:
        blocks = [
            methodology_statement(ind, caption=f"{ind_id} {ind['name']}").html
            for ind_id, ind in self.indicators.iterrows()
        ]
        guide = self.spc.guide().html  # "Reading RAG and SPC together", when SPC is shown
        return Html(f'<div class="pmlib-methodology">{guide}' + "".join(blocks) + "</div>")

    def footer(self) -> Html:
        """The report's last line: pmlib's version, the day it was produced and how current its
        data is, with a link to the quarter's open data. The full record (hashes, parameters,
        versions) is in ``provenance.json`` beside the internal outputs, never in the report
        (see :mod:`pmlib.reports.provenance`)."""
        from pmlib.core.version import __version__

        return footer_html(__version__, self.generated_at, self.data_as_at())

    def provenance(self, parameters: dict | None = None) -> Html:
        """The footer, for notebooks written before it replaced the provenance table (a
        council's own copy from ``pmlib init`` still calls this); ``parameters`` is ignored:
        they are recorded in ``provenance.json``."""
        return self.footer()

    def summary(self) -> dict[str, int]:
        """The RAG counts the quarter's index shows, under the committee's on-target convention
        (``On target`` first when it counts more than Green)."""
        return on_target_counts(rag_counts(self.rated), self.on_target)

    def description(self) -> str:
        """One sentence saying what the report is and how its indicators stand: the page's
        ``<meta name="description">``, which search engines and link previews show. For
        example "Northmoor District Council: Cabinet performance report for 2026/27 Q2 (1 July
        2026 to 30 September 2026). 47 indicators: 20 Green, 9 Amber, 6 Red, 12 Grey."
        """
        counts = ", ".join(f"{n} {rag}" for rag, n in rag_counts(self.rated).items() if n)
        p = self.period
        kind = "annual performance report" if self.is_annual else "performance report"
        return (
            f"{self.dataset.council.name}: {self.committee.title} {kind} for {p.label} "
            f"({long_date(p.start_date)} to {long_date(p.end_date)}). "
            f"{plural(len(self.rated), 'indicator')}: {counts}."
        )

    def publish(self) -> None:
        """Hand the scorecard and RAG summary to the batch runner (not shown in the report)."""
        from pmlib.core.artifacts import publish_artifact

        publish_artifact("scorecard_csv", csv_text(self.scorecard_frame()))
        publish_artifact("summary", self.summary())
        publish_artifact("title", self.title)
        publish_artifact("description", self.description())
        publish_artifact(
            "pdf_header",
            f"{self.dataset.council.name} · {self.committee.title} · {self.period.label}",
        )

    # -- navigation and status marks ----------------------------------------------------------
    def status_marks(self) -> list[tuple[str, str]]:
        """DRAFT until final; INTERNAL for an internal audience, final or not."""
        return layout.status_marks(self.status, public=self.committee.is_public)

    def contents(self) -> Html:
        """Links to each section of the report, then to the quarter's other reports."""
        return layout.report_contents(self)

    def back_link(self, head: Html | str) -> Html:
        """The "back to the scorecard" link after an exception section (``head``: the
        section's heading HTML, whose ``ex-`` id names the indicator, or the indicator id)."""
        return layout.back_to_scorecard(head)


def no_indicators_message(dataset: Dataset, committee: Committee) -> str:
    known = sorted(dataset.indicators["priority"].dropna().unique())
    wanted = ", ".join(f"'{p}'" for p in committee.priorities) or "none"
    return (
        f"Committee '{committee.slug}' has no indicators to report (priorities in "
        f"committees.yaml: {wanted}). Fix: use priority names exactly as in the indicators "
        f"table ({', '.join(repr(k) for k in known)}), list indicator ids, or name the "
        f"committee in the indicators' committees column."
    )


def _same_polarities(library: Dataset, report: Dataset) -> bool:
    """Whether the whole library gives every benchmark metric the report's indicators link to
    the polarity the report's indicators alone give it (and names no metric with two)."""
    from pmlib.benchmarking.groups import polarity_from_indicators

    ind = report.indicators
    if "benchmark_metric" not in ind or "benchmark_metric" not in library.indicators:
        return False
    try:
        whole = polarity_from_indicators(library.indicators)
        mine = polarity_from_indicators(ind)
    except ParameterError:  # the report's own working-out says so, or the library disagrees
        return False
    metrics = {str(m).strip() for m in ind["benchmark_metric"].dropna()}
    return all(whole.get(m) == mine.get(m) for m in metrics)


def _subset(dataset: Dataset, ids: pd.Series) -> Dataset:
    """The dataset restricted to some indicators (every table; settings and sources kept)."""
    keep = set(ids)
    tables = {
        "indicators": dataset.indicators[dataset.indicators["id"].isin(keep)],
        **{
            t: getattr(dataset, t)[getattr(dataset, t)["indicator_id"].isin(keep)]
            for t in ("targets", "actuals", "narratives")
        },
    }
    return Dataset(
        **{**dataset.__dict__, **{k: v.reset_index(drop=True) for k, v in tables.items()}}
    )


__all__ = ["CommitteeReport", "check_period_has_data", "check_report_params"]
