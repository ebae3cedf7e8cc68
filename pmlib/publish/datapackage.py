"""``datapackage.json``: a Frictionless Data Package describing the site's CSV files.

Open data is only reusable when a machine can tell what each column holds. The Data Package
standard (https://datapackage.org) is what the UK's open-data tools read (CKAN, which runs
data.gov.uk, validates with it; so does the Open Data Institute's guidance). Each CSV is a
resource with a schema: every field's type, a description in words, and, for a value, where its
unit is. The package carries the Open Government Licence v3.0, under which councils publish.

The schema is read back from each written file (:func:`schema_for`), not from the frame before
writing, so the description cannot disagree with the file: the CSV writer turns whole-number
columns into integers and text into neutralised text, and the schema says what is on disk. The
package is then checked with the ``frictionless`` library itself (:func:`validation_errors`), so
a site whose data does not match its own description is never published.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = [
    "FIELD_DESCRIPTIONS",
    "LICENCE",
    "datapackage",
    "schema_for",
    "validation_errors",
]

#: The licence councils publish open data under.
LICENCE = {
    "name": "OGL-UK-3.0",
    "title": "Open Government Licence v3.0",
    "path": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
}

_VALUE_UNIT = "In the unit named in the unit column of the same row."
#: What each column pmlib publishes holds, in words (a column not listed gets none).
FIELD_DESCRIPTIONS: dict[str, str] = {
    "id": "The indicator's reference, unique in the council's indicator library.",
    "indicator_id": "The indicator's reference (the id column of indicators.csv).",
    "name": "The indicator's name as the reports print it.",
    "definition": "What is counted or measured, and how.",
    "purpose": "Why the council measures it.",
    "formula": "How the value is calculated, with a worked example.",
    "priority": "The Council Plan priority the indicator measures.",
    "objective": "The Council Plan objective under that priority.",
    "kind": "KPI (has a target and a RAG rating) or statistic (context, not rated).",
    "unit": "The unit code of the value and target columns: percent, number, days, currency_thousands, ...",
    "unit_label": "The unit in words, as chart axes label it: percent, £ thousands, per 1,000, ...",
    "decimals": "Decimal places the reports show the value to.",
    "polarity": "Which way is better: higher, lower, or none (neither direction is better).",
    "frequency": "How often a value is collected: monthly, quarterly or annual.",
    "measure": "period (each row is that period's value) or cumulative (year to date).",
    "aggregation": "How months or quarters roll up to a longer period (sum, mean, ratio, ...).",
    "owner": "The post responsible for the indicator.",
    "data_source": "Where the figures come from.",
    "collection_method": "How figures are collected: system, manual or survey.",
    "last_reviewed": "When the definition was last reviewed (ISO date).",
    "period": "The reporting period, e.g. 2026/27 Q2 (financial year April to March).",
    "period_start": "The first day of the period (ISO date).",
    "period_end": "The last day of the period (ISO date).",
    "reported_period": "The period the value is for, when a figure is reported in arrears.",
    "value": f"The indicator's value for the period (rounded as reported). {_VALUE_UNIT}",
    "target": f"The target the value is rated against. {_VALUE_UNIT}",
    "target_period": "The period the target is for (a year's target, or a quarter's profile).",
    "rag": "The RAG rating: Red, Amber or Green against target; Grey when not rated; No data.",
    "rag_reason": "Why the indicator has its rating, in words.",
    "dot_short": "Direction of Travel against the previous period: Improving, Worsening, "
    "No change, or not comparable.",
    "dot_long": "Direction of Travel against the same period a year earlier.",
    "forecast": f"The forecast year-end value. {_VALUE_UNIT}",
    "forecast_rag": "The forecast's rating against the year-end target.",
    "intervention": f"The level below (or above) which action is taken. {_VALUE_UNIT}",
    "lower": f"The lower bound of a target range. {_VALUE_UNIT}",
    "upper": f"The upper bound of a target range. {_VALUE_UNIT}",
    "performance_update": "The responsible officer's performance update, as published.",
    "approach": "What is being done to improve, as published.",
    "future_plans": "Future plans, as published.",
    "issues": "Issues and risks, as published.",
    "author": "Who wrote the commentary.",
    "updated_at": "When the commentary was last updated (ISO date).",
    "benchmark_period": "The period of the latest benchmark data.",
    "benchmark_rank": "The council's rank among its peer group (1 is best).",
    "benchmark_of": "How many councils were ranked.",
    "benchmark_quartile": "The council's quartile among its peers (1 is the best quarter).",
}

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _field_type(col: pd.Series) -> str:
    """The Table Schema type of a column as the CSV holds it."""
    if pd.api.types.is_bool_dtype(col.dtype):
        return "boolean"
    if pd.api.types.is_integer_dtype(col.dtype):
        return "integer"
    if pd.api.types.is_float_dtype(col.dtype):
        return "number"
    values = col.dropna().astype(str)
    if len(values) and bool(values.str.match(_ISO_DATE).all()):
        return "date"
    return "string"


def schema_for(path: Path, descriptions: Mapping[str, str] = FIELD_DESCRIPTIONS) -> dict:
    """The Table Schema of a CSV file pmlib wrote: each column's type, read back from the file
    (``True``/``False`` cells stay text: pmlib never writes booleans to people), and its
    description."""
    frame = pd.read_csv(
        path, encoding="utf-8-sig", dtype_backend="numpy_nullable", true_values=[], false_values=[]
    )
    fields = []
    for name in frame.columns:
        field: dict[str, Any] = {"name": name, "type": _field_type(frame[name])}
        if field["type"] == "boolean":
            field["type"] = "string"
        if name in descriptions:
            field["description"] = descriptions[name]
        fields.append(field)
    return {"fields": fields, "missingValues": [""]}


def datapackage(
    *,
    name: str,
    title: str,
    description: str,
    publisher: str,
    created: str,
    resources: Sequence[Mapping[str, Any]],
    folder: Path,
) -> dict[str, Any]:
    """The package descriptor for the CSV files in ``folder``.

    ``resources``: per file, ``path`` (relative to ``folder``), ``title``, ``description`` and
    optionally ``primary_key`` and ``foreign_keys`` (``[(field, resource, field)]``).
    """
    out = []
    for res in resources:
        path = str(res["path"])
        schema = schema_for(Path(folder) / path)
        if res.get("primary_key"):
            schema["primaryKey"] = list(res["primary_key"])
        keys = [
            {"fields": [f], "reference": {"resource": r, "fields": [rf]}}
            for f, r, rf in res.get("foreign_keys", ())
        ]
        if keys:
            schema["foreignKeys"] = keys
        out.append(
            {
                "name": Path(path).stem.lower(),
                "path": path,
                "title": res["title"],
                "description": res["description"],
                "format": "csv",
                "mediatype": "text/csv",
                # the writer puts a byte-order mark first, so Excel reads the file as UTF-8
                "encoding": "utf-8-sig",
                "schema": schema,
            }
        )
    return {
        "name": name,
        "title": title,
        "description": description,
        "licenses": [LICENCE],
        "contributors": [{"title": publisher, "role": "publisher"}],
        "created": created,
        "resources": out,
    }


def validation_errors(descriptor_path: Path) -> list[str]:
    """Every problem ``frictionless`` finds in the package (its files against their schemas,
    primary and foreign keys), as lines of text; empty when the package is valid."""
    import frictionless  # lazy: ~1 s to import, needed only to check a site once

    report = frictionless.validate(str(descriptor_path))
    if report.valid:
        return []
    lines = [f"{e.type}: {e.message}" for e in report.errors]
    for task in report.tasks:
        lines += [f"{task.name}: {e.type}: {e.message}" for e in task.errors]
    return lines
