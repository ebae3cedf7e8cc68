"""Named RAG schemes: ``parameters/rag_schemes.yaml`` → :class:`RagScheme`, and per-indicator resolution.

A scheme is the council's rule for turning "how far from target" into Red, Amber or Green. It is
configuration, not code, so a council can reproduce its own Performance Management Framework
(South Derbyshire's "Red more than 5% below target", New Forest's "Amber up to 10% deviation",
...) and an indicator can override the thresholds where the standard ones do not fit, as those
frameworks allow. This module reads and checks the YAML and resolves, for every indicator, which
scheme and thresholds apply; the arithmetic of rating lives in :mod:`pmlib.rating.engine`.

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
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pmlib.config.yaml import read_yaml
from pmlib.core.errors import ConfigError, Problem

TOLERANCES = ("relative", "absolute")
COLOURS = ("three", "two")
SCHEME_KEYS = (
    "label",
    "description",
    "tolerance",
    "green_within",
    "amber_within",
    "amber_if_improved_vs_last_year",
    "colours",
    "thresholds_per_indicator",
)
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")

#: Columns of :func:`scheme_frame` and of the scheme part of :func:`resolve_schemes`.
SCHEME_COLUMNS = (
    "scheme",
    "scheme_label",
    "tolerance",
    "green_within",
    "amber_within",
    "amber_if_improved_vs_last_year",
    "colours",
    "thresholds_per_indicator",
)


@dataclass(frozen=True)
class RagScheme:
    """One named rating rule.

    Thresholds say how far on the wrong side of the target a value may be and keep a colour:
    Green while at most ``green_within`` short, Amber while at most ``amber_within`` short, Red
    beyond. Both bounds are inclusive. ``tolerance`` says how the distance is measured:
    ``relative`` as a fraction of the target (0.05 = 5% of the target), ``absolute`` in the
    measure's own units (percentage points for percentages).
    """

    name: str
    label: str
    tolerance: str = "relative"
    green_within: float = 0.0
    amber_within: float = 0.05
    amber_if_improved_vs_last_year: bool = False
    colours: str = "three"
    description: str = ""
    #: The council sets thresholds per indicator (Dorset); the scheme's are only a fallback.
    thresholds_per_indicator: bool = False

    @property
    def is_two_colour(self) -> bool:
        return self.colours == "two"


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
    if amber is None:
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


def scheme_frame(schemes: Mapping[str, RagScheme]) -> pd.DataFrame:
    """The schemes as a table (one row per scheme) for vectorised merging onto indicators."""
    rows = [
        (
            s.name,
            s.label,
            s.tolerance,
            s.green_within,
            s.amber_within,
            s.amber_if_improved_vs_last_year,
            s.colours,
            s.thresholds_per_indicator,
        )
        for s in schemes.values()
    ]
    return pd.DataFrame(rows, columns=list(SCHEME_COLUMNS)).astype(
        {
            "green_within": "float64",
            "amber_within": "float64",
            "amber_if_improved_vs_last_year": bool,
            "thresholds_per_indicator": bool,
        }
    )


def resolve_schemes(
    frame: pd.DataFrame,
    schemes: Mapping[str, RagScheme],
    default: str,
    *,
    scheme_column: str = "rag_scheme",
    id_column: str = "id",
) -> pd.DataFrame:
    """The scheme and thresholds that apply to each row of ``frame``, aligned with it.

    A row's scheme is its ``scheme_column`` (blank → the council's ``default``); its
    ``green_within``, ``amber_within`` and ``tolerance`` columns, where filled in, override the
    scheme's. ``own_thresholds`` records whether any override was used (the reason says so).
    Amber can never start before Green ends: ``amber_within`` is raised to ``green_within`` when
    an override makes it smaller, and a two-colour scheme has no Amber band at all.

    Raises
    ------
    ConfigError
        A row names a scheme that is not defined (validation normally catches this first).
    """
    table = scheme_frame(schemes)
    names = frame[scheme_column] if scheme_column in frame else pd.Series(pd.NA, index=frame.index)
    names = names.astype("string").str.strip().fillna(default).replace("", default)
    unknown = ~names.isin(table["scheme"])
    if unknown.any():
        first = names[unknown]
        ids = frame.loc[first.index, id_column].astype(str).tolist() if id_column in frame else []
        raise ConfigError(
            f"RAG scheme {first.iloc[0]!r} (used by {', '.join(ids[:5]) or 'the council'}) is not "
            f"defined in rag_schemes.yaml. Fix: use one of {', '.join(sorted(schemes)) or '(none)'}"
            f" or add it to rag_schemes.yaml."
        )
    out = (
        names.rename("scheme")
        .to_frame()
        .reset_index(drop=True)
        .merge(table, on="scheme", how="left")
    )
    out.index = frame.index
    own = pd.Series(False, index=frame.index)
    for key in ("green_within", "amber_within"):
        if key in frame:
            given = pd.to_numeric(frame[key], errors="coerce").astype("float64")
            own |= given.notna()
            out[key] = given.fillna(out[key])
    if "tolerance" in frame:
        given = frame["tolerance"].astype("string").str.strip().str.lower()
        given = given.where(given.isin(TOLERANCES))
        own |= given.notna()
        out["tolerance"] = given.fillna(out["tolerance"]).astype("str")
    two = out["colours"].eq("two")
    out["amber_within"] = np.where(
        two, out["green_within"], np.maximum(out["amber_within"], out["green_within"])
    )
    out["own_thresholds"] = own.to_numpy(dtype=bool)
    return out


def check_scheme_warnings(dataset: Any) -> list[Problem]:
    """Warnings about how schemes meet this council's indicators and targets.

    * a zero target with a relative tolerance: any shortfall is infinitely many percent of zero,
      so the rating is Green if the target is met and Red otherwise — an absolute tolerance is
      probably what was meant;
    * an indicator on a ``thresholds_per_indicator`` scheme (Dorset) without its own thresholds;
    * per-indicator thresholds where ``amber_within`` < ``green_within``;
    * an ``intervention`` level on the wrong side of the target (it could never apply), or on a
      band indicator (where it is ignored).

    Parameters
    ----------
    dataset
        A :class:`pmlib.core.model.Dataset`.
    """
    ind = dataset.indicators.reset_index(drop=True)
    council = dataset.settings.council
    file = (
        Path(dataset.sources["indicators"]).name
        if "indicators" in dataset.sources
        else "indicators"
    )
    tfile = Path(dataset.sources["targets"]).name if "targets" in dataset.sources else "targets"
    resolved = resolve_schemes(ind, dataset.settings.schemes, council.rag_scheme)
    rows = ind["_row"] if "_row" in ind else pd.Series([None] * len(ind))
    rated = ~(ind["kind"].eq("statistic") | ind["polarity"].eq("none")).to_numpy(dtype=bool)
    problems: list[Problem] = []

    row_values = rows.to_numpy(dtype=object)

    def ids_at(positions: np.ndarray) -> list:
        """The ids of some indicator rows (not all 100,000 as Python strings)."""
        return ind["id"].iloc[positions].to_numpy(dtype=object).tolist()

    def row_of(i: int) -> int | None:
        r = row_values[i]
        return None if r is None or pd.isna(r) else int(r)

    def first_periods(frame: pd.DataFrame) -> pd.Series:
        """Per indicator id (sorted), its first three periods as text: one pass, no loop."""
        top = frame.groupby("indicator_id", sort=True).head(3)
        return top.groupby("indicator_id", sort=True)["period"].agg(
            lambda p: ", ".join(map(str, p))
        )

    targets = dataset.targets
    # Indicator ids as codes shared by both tables: a fact about an id (it is rated, band, ...)
    # becomes a flag per code, and each target row reads its id's flag. No sets of 100,000 ids.
    codes, uniques = pd.factorize(
        pd.concat([ind["id"], targets["indicator_id"]], ignore_index=True), use_na_sentinel=True
    )
    n_ids = len(uniques)
    codes = np.where(codes < 0, n_ids, codes)  # a blank id: the extra last code, never flagged
    ind_code, t_code = codes[: len(ind)], codes[len(ind) :]

    def by_id(mask: np.ndarray) -> np.ndarray:
        """Per id code: does any indicator row with that id have ``mask``?"""
        flags = np.zeros(n_ids + 1, dtype=bool)
        flags[ind_code[mask]] = True
        flags[n_ids] = False
        return flags

    polarity = ind["polarity"]
    relative = by_id(rated & resolved["tolerance"].eq("relative").to_numpy(dtype=bool))[t_code]
    is_band = by_id(polarity.eq("band").to_numpy(dtype=bool))[t_code]
    target = targets["target"].to_numpy(dtype=float)
    zero = relative & (
        (~is_band & (target == 0))
        | (
            is_band
            & (
                (targets["lower"].to_numpy(dtype=float) == 0)
                | (targets["upper"].to_numpy(dtype=float) == 0)
            )
        )
    )
    if zero.any():
        for iid, labels in first_periods(targets[zero]).items():
            problems.append(
                Problem(
                    tfile,
                    f"{iid} has a zero target ({labels}) with a relative tolerance: any "
                    "fraction of zero is zero, so it is Red unless met",
                    f"set tolerance: absolute for "
                    f"{iid} (and green_within/amber_within in the measure's units)",
                    column="target",
                    value=0.0,
                    severity="warning",
                )
            )

    # cumulative `last` (a running figure such as council tax collected so far) with only year
    # targets: in-year values are compared with the year-end target unchanged
    running = (
        ind["measure"].eq("cumulative")
        & ind["aggregation"].eq("last")
        & ~ind["frequency"].eq("annual")
    ).to_numpy(dtype=bool) & rated
    t_running = by_id(running)[t_code]
    in_year = t_running & targets["quarter"].notna().to_numpy(dtype=bool)
    has_running = np.zeros(n_ids + 1, dtype=bool)
    has_running[t_code[t_running]] = True
    has_in_year = np.zeros(n_ids + 1, dtype=bool)
    has_in_year[t_code[in_year]] = True
    only = np.flatnonzero((has_running & ~has_in_year)[:n_ids])
    only_year = sorted(np.asarray(uniques, dtype=object)[only].tolist())
    for iid in only_year:
        problems.append(
            Problem(
                tfile,
                f"{iid} is a running year-to-date figure (measure cumulative, aggregation "
                "last) with only year targets, so each quarter is compared with the year-end target",
                f"if {iid} builds up through the year (like council tax collected), add quarter "
                "targets (e.g. 2026/27 Q1) holding the profile",
                column="period",
                severity="warning",
            )
        )

    has_own = (
        ind.get("amber_within", pd.Series(np.nan, index=ind.index)).notna()
        | ind.get("green_within", pd.Series(np.nan, index=ind.index)).notna()
    )
    needs = (
        resolved["thresholds_per_indicator"].to_numpy(dtype=bool)
        & rated
        & ~has_own.to_numpy(dtype=bool)
    )
    labels = resolved["scheme_label"].to_numpy(dtype=object)
    picked = np.flatnonzero(needs)
    for i, iid in zip(picked.tolist(), ids_at(picked), strict=True):
        problems.append(
            Problem(
                file,
                f"{iid} uses the {labels[i]} scheme, whose "
                "thresholds are set per indicator, but has no green_within/amber_within of its own; "
                "the scheme's default applies",
                "fill in green_within and amber_within for it",
                row=row_of(i),
                column="amber_within",
                severity="warning",
            )
        )

    if "amber_within" in ind and "green_within" in ind:
        bad = (ind["amber_within"] < ind["green_within"]).to_numpy(dtype=bool)
        amber = ind["amber_within"].to_numpy(dtype=float)
        picked = np.flatnonzero(bad)
        for i, iid in zip(picked.tolist(), ids_at(picked), strict=True):
            problems.append(
                Problem(
                    file,
                    f"{iid}: amber_within is smaller than green_within, so "
                    "nothing could be Amber (amber_within is raised to green_within)",
                    "make amber_within at least green_within",
                    row=row_of(i),
                    column="amber_within",
                    value=float(amber[i]),
                    severity="warning",
                )
            )

    if "intervention" in targets:
        # each target row's polarity: its id's (first) indicator row, as a lookup by id gives
        first = np.full(n_ids + 1, -1, dtype=np.intp)
        seen, where = np.unique(ind_code, return_index=True)
        first[seen] = where
        first[n_ids] = -1  # a blank id names no indicator
        at = first[t_code]

        def polarity_is(value: str) -> np.ndarray:
            return np.append(polarity.eq(value).fillna(False).to_numpy(dtype=bool), False)[at]

        intervention = targets["intervention"].to_numpy(dtype=float)
        has_i = ~np.isnan(intervention)
        higher, lower, band = polarity_is("higher"), polarity_is("lower"), polarity_is("band")
        wrong = has_i & ((higher & (intervention > target)) | (lower & (intervention < target)))
        if wrong.any():
            for iid, periods in first_periods(targets[wrong]).items():
                problems.append(
                    Problem(
                        tfile,
                        f"{iid}: the intervention level is on the good side of the target "
                        f"({periods}), so anything short of Green is "
                        "Red",
                        "the intervention level is the Red line: below the target when higher is "
                        "better, above it when lower is better",
                        column="intervention",
                        severity="warning",
                    )
                )
        banded = has_i & band
        for iid in sorted(set(targets.loc[banded, "indicator_id"])):
            problems.append(
                Problem(
                    tfile,
                    f"{iid} is a band indicator; its intervention level is ignored",
                    "remove it, or widen amber_within to set how far outside the band is Amber",
                    column="intervention",
                    severity="warning",
                )
            )
    return problems
