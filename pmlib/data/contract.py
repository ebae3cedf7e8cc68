"""The column contract of the four tables, as plain data: names, required columns, allowed values.

Documented in docs/data-format.md and enforced by :mod:`pmlib.data.schema` (pandera). Kept
free of pandera so anything that only needs the table names or the allowed values can have them
cheaply. The units (``UNITS``, and the other spellings read as them, ``UNIT_ALIASES``) are
declared with their formatting in :mod:`pmlib.core.numbers`, so a unit the data accepts is
always one the reports can show.
"""

from __future__ import annotations

from dataclasses import dataclass

from pmlib.core.units import UNIT_ALIASES, UNITS

__all__ = [
    "AGGREGATIONS",
    "COLLECTION_METHODS",
    "CONTRACT",
    "FREQUENCIES",
    "KINDS",
    "MEASURES",
    "OVERRIDE_RAGS",
    "POLARITIES",
    "STATUSES",
    "TABLES",
    "TOLERANCES",
    "UNITS",
    "UNIT_ALIASES",
    "VISIBILITIES",
    "Col",
]

TABLES = ("indicators", "targets", "actuals", "narratives")

KINDS = ("KPI", "PI", "statistic")
POLARITIES = ("higher", "lower", "band", "none")
FREQUENCIES = ("monthly", "quarterly", "six-monthly", "annual", "biennial")
MEASURES = ("period", "cumulative", "snapshot")
AGGREGATIONS = ("sum", "mean", "last", "ratio")
TOLERANCES = ("relative", "absolute")
COLLECTION_METHODS = ("system", "manual", "project")
VISIBILITIES = ("public", "internal")
STATUSES = ("draft", "submitted", "approved")
#: Ratings a data reviewer may give in place of the computed one (``rag_override``).
OVERRIDE_RAGS = ("Red", "Amber", "Green", "Grey")


@dataclass(frozen=True)
class Col:
    """One column of the contract."""

    name: str
    kind: str = "text"  # text | number | integer | date | choice
    required: bool = False  # the column must exist
    nonblank: bool = False  # every cell must have a value
    choices: tuple[str, ...] = ()
    default: object = None


CONTRACT: dict[str, tuple[Col, ...]] = {
    "indicators": (
        Col("id", required=True, nonblank=True),
        Col("name", required=True, nonblank=True),
        Col("definition"),
        Col("purpose"),
        Col("formula"),
        Col("priority", required=True, nonblank=True),
        Col("objective"),
        Col("committees"),
        Col("kind", "choice", required=True, nonblank=True, choices=KINDS),
        Col("unit", "choice", required=True, nonblank=True, choices=UNITS),
        Col("decimals", "integer", default=0),
        Col("polarity", "choice", required=True, nonblank=True, choices=POLARITIES),
        Col("frequency", "choice", required=True, nonblank=True, choices=FREQUENCIES),
        Col("measure", "choice", required=True, nonblank=True, choices=MEASURES),
        Col("aggregation", "choice", required=True, nonblank=True, choices=AGGREGATIONS),
        Col("rag_scheme"),
        Col("green_within", "number"),
        Col("amber_within", "number"),
        Col("tolerance", "choice", choices=TOLERANCES),
        Col("owner"),
        Col("data_collector"),
        Col("data_reviewer"),
        Col("head_of_service"),
        Col("strategic_lead"),
        Col("data_source"),
        Col("collection_method", "choice", choices=COLLECTION_METHODS),
        Col("visibility", "choice", nonblank=True, choices=VISIBILITIES, default="public"),
        Col("risks"),
        Col("last_reviewed", "date"),
        Col("reviewed_by"),
        Col("benchmark_metric"),
        # history, lags and the library by year (docs/data-format.md; pmlib.data.lags)
        Col("baseline", "number"),
        Col("baseline_period"),
        Col("reporting_lag"),
        Col("submission_deadline"),
        Col("valid_from"),
        Col("valid_to"),
        Col("spc_rebase"),
    ),
    "targets": (
        Col("indicator_id", required=True, nonblank=True),
        Col("period", required=True, nonblank=True),
        Col("target", "number"),
        Col("intervention", "number"),
        Col("lower", "number"),
        Col("upper", "number"),
    ),
    "actuals": (
        Col("indicator_id", required=True, nonblank=True),
        Col("period", required=True, nonblank=True),
        Col("value", "number", required=True),
        Col("numerator", "number"),
        Col("denominator", "number"),
        Col("status", "choice", required=True, nonblank=True, choices=STATUSES),
        Col("collected_by"),
        Col("collected_at", "date"),
        Col("approved_by"),
        Col("approved_at", "date"),
        # a reviewer's judgement in place of the computed rating (docs/rating-rules.md)
        Col("rag_override", "choice", choices=OVERRIDE_RAGS),
        Col("override_reason"),
        Col("override_by"),
    ),
    "narratives": (
        Col("indicator_id", required=True, nonblank=True),
        Col("period", required=True, nonblank=True),
        Col("performance_update"),
        Col("approach"),
        Col("future_plans"),
        Col("issues"),
        Col("author"),
        Col("updated_at", "date"),
    ),
}
