"""The in-memory data model every layer reads: settings plus the four validated tables.

Loading (``pmlib.data.load``) builds raw frames; validation (``pmlib.data.validate``) checks them and
normalises types; the result is a :class:`Dataset`. Rating, reports, the explorer and
benchmarking all take a ``Dataset`` and never modify it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from pmlib.core.errors import ParameterError
from pmlib.core.periods import in_library
from pmlib.core.plan import PlanSettings
from pmlib.core.rules import ON_TARGET_DEFAULT, ExceptionRule

#: Period columns added beside every ``period`` column by :func:`pmlib.core.periods.period_table`.
PERIOD_COLUMNS = ("period", "period_kind", "fy", "quarter", "month", "ordinal")
#: The officer narrative's columns and their headings, in the order shown, unless council.yaml's
#: ``narrative_headings`` says otherwise (see :mod:`pmlib.config.templates`).
DEFAULT_NARRATIVE_HEADINGS: tuple[tuple[str, str], ...] = (
    ("performance_update", "Performance update"),
    ("approach", "Approach to improve"),
    ("future_plans", "Future plans"),
    ("issues", "Issues and risks"),
)


@dataclass(frozen=True)
class Council:
    """``council.yaml``: who the council is and its council-wide reporting choices."""

    name: str
    short_name: str = ""
    area_code: str = ""
    fy_start_month: int = 4
    rag_scheme: str = "south-derbyshire"
    #: Direction of Travel: a change smaller than this fraction of the comparator is "No change".
    dot_tolerance: float = 0.0
    #: The data folder, or a database URL (text; pmlib.core.dburl, docs/databases.md).
    data_dir: Path | str | None = None
    #: For a database: table -> the table, view or SELECT to read it from (council.yaml
    #: ``tables:``); a table not named is read from the table of its own name.
    tables: tuple[tuple[str, str], ...] = ()
    #: Data collected more than this many days after the period end is reported as late.
    submission_deadline_days: int = 15
    #: The deadline as the council writes it ("8 working days"); "" = the calendar days above.
    submission_deadline: str = ""
    #: Bank holidays working days skip (:data:`pmlib.core.workdays.REGIONS`).
    bank_holidays: str = "england-and-wales"
    benchmark_dir: Path | None = None
    peer_group: str = ""
    #: (narrative column, heading) in the order a report shows them; columns left out are
    #: neither shown nor asked for.
    narrative_headings: tuple[tuple[str, str], ...] = DEFAULT_NARRATIVE_HEADINGS
    #: key actions, risks and finance settings (council.yaml ``actions:``, ``risks:``, ``finance:``)
    plan: PlanSettings = field(default_factory=PlanSettings)
    #: Which indicators get an exception section (``exceptions:``; see pmlib.core.rules).
    exceptions: ExceptionRule = ExceptionRule()
    #: Ratings the headline figures count as on target (``on_target:``; default Green only).
    on_target: tuple[str, ...] = ON_TARGET_DEFAULT

    @property
    def deadline(self) -> str:
        """The council-wide submission deadline as written: ``8 working days`` or ``15 days``."""
        return self.submission_deadline or f"{self.submission_deadline_days} days"


@dataclass(frozen=True)
class Committee:
    """One entry of ``committees.yaml``: who receives a report and which indicators it covers."""

    slug: str
    title: str
    audience: str = "public"  # public | internal
    all_indicators: bool = False
    priorities: tuple[str, ...] = ()
    indicators: tuple[str, ...] = ()
    #: meetings the report goes to (pmlib.config.templates.Meeting), in date order
    meetings: tuple = ()
    #: This committee's own exception rule and on-target ratings (None: the council's).
    exceptions: ExceptionRule | None = None
    on_target: tuple[str, ...] | None = None

    @property
    def is_public(self) -> bool:
        return self.audience == "public"

    #: The report cycles it receives: month, quarter, half, year (default: today's two).
    cycles: tuple[str, ...] = ("quarter", "year")


@dataclass(frozen=True)
class Settings:
    """Everything from the parameters folder."""

    council: Council
    committees: dict[str, Committee]
    schemes: dict  # name -> pmlib.config.schemes.RagScheme
    params_dir: Path | None = None


@dataclass(frozen=True)
class Dataset:
    """The four tables, validated and typed, with the settings they are read under.

    Frames (treat as read-only; every function returns new frames):

    ``indicators``
        one row per indicator, columns as in docs/data-format.md; ``decimals`` Int64 (default 0),
        ``green_within``/``amber_within`` float (NaN when blank), ``visibility`` defaults to
        ``public``, ``last_reviewed`` datetime64, text columns pandas strings (NA when blank).
    ``targets``, ``actuals``, ``narratives``
        their contract columns with ``period`` replaced by the canonical label, plus the parsed
        period columns ``period_kind`` (month|quarter|year), ``fy`` (start year, Int64),
        ``quarter`` (1-4; a month's quarter), ``month`` (financial-year month 1-12, months only)
        and ``ordinal`` (sortable). Numbers are float64 (NaN when blank); ``status`` defaults to
        ``approved``; ``*_at`` columns are datetime64.
    """

    indicators: pd.DataFrame
    targets: pd.DataFrame
    actuals: pd.DataFrame
    narratives: pd.DataFrame
    settings: Settings
    #: table name -> the file it came from (for provenance hashes and messages)
    sources: dict[str, Path] = field(default_factory=dict)
    #: validation warnings (pmlib.core.errors.Problem with severity "warning")
    warnings: tuple = ()
    #: The optional tables (docs/data-format.md, "Key actions, risks, audit actions and
    #: finance"): empty frames when the data folder has none. See :mod:`pmlib.data.plan_tables`.
    actions: pd.DataFrame = field(default_factory=pd.DataFrame)
    action_updates: pd.DataFrame = field(default_factory=pd.DataFrame)
    risks: pd.DataFrame = field(default_factory=pd.DataFrame)
    risk_reviews: pd.DataFrame = field(default_factory=pd.DataFrame)
    audit_actions: pd.DataFrame = field(default_factory=pd.DataFrame)
    finance: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def council(self) -> Council:
        return self.settings.council

    def indicators_for(self, committee: str | Committee, period: Any = None) -> pd.DataFrame:
        """The indicators a committee scrutinises, honouring its audience.

        An indicator belongs to a committee when the committee takes all indicators, lists the
        indicator's priority or id, or the indicator names the committee's slug in its
        ``committees`` column. A public committee never receives an ``internal`` indicator.
        Given a ``period`` (a :class:`~pmlib.core.periods.Period`), only indicators in the
        library then (``valid_from``/``valid_to``), so a past report shows the library as it
        was.
        """
        c = committee if isinstance(committee, Committee) else self.settings.committees[committee]
        ind = self.indicators
        if c.all_indicators:
            mask = pd.Series(True, index=ind.index)
        else:
            named = (
                ind["committees"]
                .fillna("")
                .str.split(";")
                .map(lambda slugs: c.slug in {s.strip() for s in slugs})
            )
            mask = named | ind["priority"].isin(c.priorities) | ind["id"].isin(c.indicators)
        if c.is_public:
            mask &= ind["visibility"].fillna("public").eq("public")
        if period is not None and {"valid_from", "valid_to"} <= set(ind.columns):
            mask &= in_library(ind["valid_from"], ind["valid_to"], period)
        return ind[mask.astype(bool)]


def check_period_has_data(dataset: Dataset, period: Any) -> None:
    """Refuse a period no data has been collected for yet, and a year still in progress (its
    year-to-date figures would be rated against full-year targets). Rate or report a quarter
    instead: quarters rate year-to-date figures against profiled targets and forecast the year.
    """
    act = dataset.actuals
    latest = act["ordinal"].max() if len(act) else None
    if latest is None or pd.isna(latest):
        return
    last = act.loc[act["ordinal"].idxmax(), "period"]
    span = {"year": 12, "half": 6, "quarter": 3}.get(period.kind, 1)
    if period.ordinal - span >= latest:
        raise ParameterError(
            f"No data has been collected for {period.label} yet (the latest data is for "
            f"{last}). Fix: choose a period that ends by {last}."
        )
    if period.kind == "year" and latest < period.ordinal:
        quarter = max(1, (int(latest) - period.fy * 12) // 3)
        raise ParameterError(
            f"{period.label} is not complete yet (the latest data is for {last}), so its "
            f"outturns cannot be rated against annual targets. Fix: use the quarter, e.g. "
            f"'{period.label} Q{quarter}' (year to date against profiled targets, with a "
            f"year-end forecast), or the year {period.previous().label}."
        )
