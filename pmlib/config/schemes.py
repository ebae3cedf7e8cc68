"""Named RAG schemes: ``parameters/rag_schemes.yaml`` → :class:`RagScheme`, and per-indicator resolution.

A scheme is the council's rule for turning "how far from target" into Red, Amber or Green. It is
configuration, not code, so a council can reproduce its own Performance Management Framework
(South Derbyshire's "Red more than 5% below target", New Forest's "Amber up to 10% deviation",
...) and an indicator can override the thresholds where the standard ones do not fit, as those
frameworks allow. This module reads and checks the YAML; :mod:`~pmlib.config.ragscheme` defines
:class:`RagScheme` and resolves, for every indicator, which scheme and thresholds apply, and
:mod:`~pmlib.config.scheme_warnings` checks them against the council's indicators (all three
importable from here). The arithmetic of rating lives in :mod:`pmlib.rating.engine`.

The YAML shape::

    schemes:
      south-derbyshire:
        label: South Derbyshire
        description: Red more than 5% below target, Amber within 5%, Green on or above.
        tolerance: relative        # relative (fraction of target) | absolute (measure's units)
        green_within: 0
        amber_within: 0.05
        amber_if_improved_vs_last_year: false
        colours: three             # three | two (met or missed)
        thresholds_per_indicator: false
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from pmlib.config.ragscheme import (
    _SLUG,
    COLOURS,
    SCHEME_COLUMNS,
    SCHEME_KEYS,
    TOLERANCES,
    RagScheme,
    resolve_schemes,
    scheme_frame,
)
from pmlib.config.scheme_warnings import check_scheme_warnings
from pmlib.config.yaml import read_yaml
from pmlib.core.errors import Problem

__all__ = [
    "COLOURS",
    "SCHEME_COLUMNS",
    "SCHEME_KEYS",
    "TOLERANCES",
    "RagScheme",
    "check_scheme_warnings",
    "parse_rag_schemes",
    "read_rag_schemes",
    "resolve_schemes",
    "scheme_frame",
]


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _scheme(file: str, name: str, raw: Any, problems: list[Problem]) -> RagScheme | None:
    where = f"schemes.{name}"
    if not _SLUG.match(name):
        problems.append(
            Problem(
                file,
                "a scheme name must be lower-case letters, digits and hyphens",
                "e.g. south-derbyshire",
                column=where,
                value=name,
            )
        )
        return None
    if not isinstance(raw, dict):
        problems.append(
            Problem(
                file,
                "expected the scheme's settings (tolerance, green_within, amber_within, ...)",
                "see docs/rating-rules.md#writing-your-own-scheme",
                column=where,
                value=raw,
            )
        )
        return None
    before = len(problems)
    for key in sorted(set(map(str, raw)) - set(SCHEME_KEYS)):
        problems.append(
            Problem(
                file,
                "unknown key",
                f"remove it or use one of {', '.join(SCHEME_KEYS)}",
                column=f"{where}.{key}",
            )
        )

    def text(key: str, default: str) -> str:
        value = raw.get(key, default)
        if value is None:
            return default
        if not isinstance(value, str):
            problems.append(
                Problem(
                    file, "must be text", "put it in quotes", column=f"{where}.{key}", value=value
                )
            )
            return default
        return value.strip()

    def choice(key: str, options: tuple[str, ...], default: str) -> str:
        value = raw.get(key, default)
        if value not in options:
            problems.append(
                Problem(
                    file,
                    f"must be one of {', '.join(options)}",
                    f"e.g. {key}: {options[0]}",
                    column=f"{where}.{key}",
                    value=value,
                )
            )
            return default
        return value

    def flag(key: str) -> bool:
        value = raw.get(key, False)
        if not isinstance(value, bool):
            problems.append(
                Problem(
                    file,
                    "must be true or false",
                    f"e.g. {key}: false",
                    column=f"{where}.{key}",
                    value=value,
                )
            )
            return False
        return value

    def threshold(key: str, default: float | None) -> float | None:
        if key not in raw or raw[key] is None:
            return default
        value = raw[key]
        if not _is_number(value):
            problems.append(
                Problem(
                    file,
                    "must be a number (a fraction for relative tolerance, 0.05 = 5%)",
                    f"e.g. {key}: 0.05",
                    column=f"{where}.{key}",
                    value=value,
                )
            )
            return default
        if value < 0:
            problems.append(
                Problem(
                    file,
                    "must not be negative: it is a distance on the wrong side of the target",
                    f"write {abs(value)}",
                    column=f"{where}.{key}",
                    value=value,
                )
            )
            return default
        return float(value)

    label = text("label", name.replace("-", " ").title())
    description = text("description", "")
    tolerance = choice("tolerance", TOLERANCES, "relative")
    colours = choice("colours", COLOURS, "three")
    green = threshold("green_within", 0.0)
    amber = threshold("amber_within", None)
    improved = flag("amber_if_improved_vs_last_year")
    per_indicator = flag("thresholds_per_indicator")
    green = 0.0 if green is None else green
    if amber is None and colours == "three" and per_indicator and "amber_within" not in raw:
        # The framework gives no figure (Dorset): each indicator sets its own, and an indicator
        # without one is an error when the data is read (scheme_warnings), never a guess.
        amber = math.nan
    elif amber is None:
        if colours == "three" and "amber_within" not in raw:
            problems.append(
                Problem(
                    file,
                    "a three-colour scheme needs amber_within (how far "
                    "short of target is still Amber)",
                    "e.g. amber_within: 0.05, or colours: two for met-or-missed",
                    column=f"{where}.amber_within",
                )
            )
        amber = green
    elif colours == "two" and amber != green:
        problems.append(
            Problem(
                file,
                "a two-colour scheme has no Amber, so amber_within is ignored",
                "remove amber_within",
                column=f"{where}.amber_within",
                value=raw["amber_within"],
                severity="warning",
            )
        )
        amber = green
    if amber < green:
        problems.append(
            Problem(
                file,
                "amber_within is smaller than green_within, so nothing could be Amber",
                f"make amber_within at least {green:g}",
                column=f"{where}.amber_within",
                value=raw.get("amber_within"),
            )
        )
    for key, value in (("green_within", green), ("amber_within", amber)):
        if tolerance == "relative" and value >= 1:
            problems.append(
                Problem(
                    file,
                    f"a relative {key} of {value:g} means {value:.0%} of the target",
                    "write a fraction (0.05 for 5%) or set tolerance: absolute",
                    column=f"{where}.{key}",
                    value=value,
                    severity="warning",
                )
            )
    if any(p.severity == "error" for p in problems[before:]):
        return None
    return RagScheme(
        name=name,
        label=label,
        tolerance=tolerance,
        green_within=green,
        amber_within=amber,
        amber_if_improved_vs_last_year=improved,
        colours=colours,
        description=description,
        thresholds_per_indicator=per_indicator,
    )


def parse_rag_schemes(
    raw: Any, file: str = "rag_schemes.yaml"
) -> tuple[dict[str, RagScheme], list[Problem]]:
    """Check already-parsed YAML and build the schemes; see :func:`read_rag_schemes`."""
    problems: list[Problem] = []
    if not isinstance(raw, dict) or not isinstance(raw.get("schemes"), dict) or not raw["schemes"]:
        problems.append(
            Problem(
                file,
                "expected a top-level `schemes:` mapping of scheme names to settings",
                "see docs/rating-rules.md#writing-your-own-scheme",
                column="schemes",
            )
        )
        return {}, problems
    for key in sorted(set(map(str, raw)) - {"schemes"}):
        problems.append(
            Problem(file, "unknown top-level key", "put schemes under `schemes:`", column=key)
        )
    schemes: dict[str, RagScheme] = {}
    for name, settings in raw["schemes"].items():
        scheme = _scheme(file, str(name), settings, problems)
        if scheme is not None:
            schemes[scheme.name] = scheme
    return schemes, problems


def read_rag_schemes(path: Path | str) -> tuple[dict[str, RagScheme], list[Problem]]:
    """Read ``rag_schemes.yaml`` and return every valid scheme plus every problem found.

    Problems name the file, the key path (``schemes.<name>.<key>``) as ``column``, the value
    found and a fix, so config loading can report them all at once. A scheme with an error is
    left out; warnings (a relative threshold of 1 or more, amber_within on a two-colour scheme)
    keep it.
    """

    path = Path(path)
    return parse_rag_schemes(read_yaml(path), path.name)
