"""What a RAG scheme is (:class:`RagScheme`), and which scheme and thresholds apply to each
indicator (:func:`resolve_schemes`), as a table the rating engine can merge in one step.

Reading the YAML is :mod:`pmlib.config.schemes`; the arithmetic of rating is :mod:`pmlib.rating`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pmlib.core.errors import ConfigError

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
    # the merge is done on the distinct names (a handful), then each row takes its name's row:
    # the same frame, types included, as merging every row, without joining 100,000 rows on
    # text (~0.05 s a call, twice per `pmlib rate`: the scheme warnings and the rating)
    codes, distinct = pd.factorize(names)
    out = (
        pd.Series(distinct, name="scheme")
        .to_frame()
        .merge(table, on="scheme", how="left")
        .take(codes)
        .reset_index(drop=True)
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
