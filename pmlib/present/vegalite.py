"""Vega-Lite specs written as plain dicts, for the charts a report draws dozens of times.

altair is the right tool for a chart built once, and pmlib's one-off charts use it. A report's
exception sections draw a trend chart and an SPC chart per indicator, and there altair's
composition machinery cost more than the drawing itself: each ``alt.layer``/``alt.vconcat``
deep-copies every layer, hashes each layer's DataFrame through ``repr`` to find shared data,
and ``to_dict`` validates the result against the JSON schema (about 0.15 s a chart, measured in
BENCHMARKS.md's issue 18 profile, against 0.04 s to draw it). The builders here emit the same
Vega-Lite dict directly: each layer is written once, the data goes in once as a named top-level
dataset (as altair's ``to_dict`` moves it), and the house theme and ``$schema`` are added the
way altair adds them, so a :class:`VegaLite` spec draws exactly as the altair chart did.

:class:`VegaLite` is what such a builder returns: ``to_dict()`` (validated against the Vega-Lite
schema unless ``validate=False``, as altair), display in a notebook through the active altair
renderer (pmlib's offline figures, :mod:`pmlib.present.figures`), and ``to_altair()`` for
anyone who wants to go on composing it with altair.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
from collections.abc import Iterable, Mapping
from typing import Any

import altair as alt
import pandas as pd

__all__ = [
    "VegaLite",
    "dataset_name",
    "layer",
    "nominal",
    "ordinal",
    "quantitative",
    "records",
]


def nominal(field: str, **props: Any) -> dict[str, Any]:
    """A nominal channel (``alt.X("field:N", ...)``)."""
    return {"field": field, "type": "nominal", **props}


def ordinal(field: str, **props: Any) -> dict[str, Any]:
    """An ordinal channel (``alt.X("field:O", ...)``)."""
    return {"field": field, "type": "ordinal", **props}


def quantitative(field: str, **props: Any) -> dict[str, Any]:
    """A quantitative channel (``alt.Y("field:Q", ...)``)."""
    return {"field": field, "type": "quantitative", **props}


def layer(
    mark: str,
    encoding: Mapping[str, Any],
    *,
    transform: Iterable[Mapping[str, Any]] = (),
    **style: Any,
) -> dict[str, Any]:
    """One layer: a mark with its style, its encoding and (optionally) its transforms."""
    out: dict[str, Any] = {"mark": {"type": mark, **style}, "encoding": dict(encoding)}
    steps = list(transform)
    if steps:
        out["transform"] = steps
    return out


def _cell(value: Any) -> Any:
    """A value as JSON carries it: missing and non-finite numbers become null, numpy scalars
    Python ones (what altair's ``sanitize_pandas_dataframe`` does to a frame)."""
    kind = type(value)
    if kind is str or kind is int or kind is bool:  # most cells: nothing to change
        return value
    if kind is float:
        return value if math.isfinite(value) else None
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if hasattr(value, "item"):  # a numpy scalar
        return _cell(value.item())
    return value


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame's rows as JSON-ready dicts (``{"values": ...}`` of a Vega-Lite dataset)."""
    names = [str(c) for c in frame.columns]
    cols = [[_cell(v) for v in frame[c].tolist()] for c in frame.columns]
    return [dict(zip(names, row, strict=True)) for row in zip(*cols, strict=True)]


_SCALARS = (str, int, float, bool, type(None))


def _json_copy(node: Any) -> Any:
    """A deep copy of plain JSON data (dicts, lists, scalars), several times faster than
    :func:`copy.deepcopy`, which a report paid on every chart's spec and rows (~3 ms a chart);
    anything else is copied by :func:`copy.deepcopy`. Shared sub-objects are copied apart:
    JSON has no sharing to keep."""
    kind = type(node)
    if kind is dict:
        return {k: v if type(v) in _SCALARS else _json_copy(v) for k, v in node.items()}
    if kind is list:
        return [v if type(v) in _SCALARS else _json_copy(v) for v in node]
    if kind in _SCALARS:
        return node
    return copy.deepcopy(node)


def dataset_name(values: list[dict[str, Any]]) -> str:
    """The name altair gives inline data (``data-`` and a hash of the values), so equal data
    is stored once and a spec names its data the way altair's would."""
    text = json.dumps(values, sort_keys=True, default=str)
    return "data-" + hashlib.sha256(text.encode()).hexdigest()[:32]


class VegaLite:
    """A finished Vega-Lite spec with its data, shown like an altair chart.

    ``spec`` is the chart without ``$schema`` and theme; ``datasets`` maps each name its parts
    use (``{"data": {"name": ...}}``) to the rows. Both are kept as given: build a new object
    rather than changing one.
    """

    def __init__(self, spec: Mapping[str, Any], datasets: Mapping[str, list[dict[str, Any]]]):
        self.spec = dict(spec)
        self.datasets = dict(datasets)

    def to_dict(self, validate: bool = True) -> dict[str, Any]:
        """The spec as altair's ``to_dict`` gives it: the active theme's config under the
        chart's own, ``$schema``, and the data as top-level ``datasets``. ``validate`` checks it
        against the Vega-Lite schema (the tests do; a report, drawing tested builders, need not).
        """
        spec = _json_copy(self.spec)
        spec.setdefault("$schema", alt.SCHEMA_URL)
        theme = alt.theme.get()
        if theme is not None:
            spec = alt.utils.update_nested(theme(), spec, copy=True)
        if self.datasets:
            spec["datasets"] = _json_copy(self.datasets)
        if validate:
            from altair.utils.schemapi import validate_jsonschema

            validate_jsonschema(spec, alt.vegalite.v6.schema.core.load_schema())
        return spec

    def to_json(self, validate: bool = True, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(validate=validate), indent=indent)

    def to_altair(self) -> Any:
        """The same chart as an altair object, to compose further with altair."""
        spec = self.to_dict(validate=False)
        for kind, cls in (("vconcat", alt.VConcatChart), ("hconcat", alt.HConcatChart)):
            if kind in spec:
                return cls.from_dict(spec, validate=False)
        if "layer" in spec:
            return alt.LayerChart.from_dict(spec, validate=False)
        return alt.Chart.from_dict(spec, validate=False)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> Any:
        renderer = alt.renderers.get()
        return renderer(self.to_dict(validate=False), **alt.renderers.options)
