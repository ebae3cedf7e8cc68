"""Strategic risks: scores (likelihood × impact), bands, movement since the last review.

A risk's **current** likelihood and impact are those of its latest review at or before the
reporting period (``risk_reviews``), else the register's own columns. Its score is likelihood
× impact on the council's scale (1-5 each by default, so 1-25), banded by the council's matrix
(:class:`pmlib.core.plan.RiskRules`: score thresholds, or a full grid of band names). The
**inherent** score (before controls) comes from ``inherent_likelihood`` × ``inherent_impact``.

**Movement** compares the current score with the review before it: Increased (worse),
Reduced, No change, or New (its first review). A risk with reviews that was not reviewed in the
reporting period is flagged (``reviewed_this_period`` false) and its movement is "Not
reviewed": the score shown is the last one agreed, and the report says so. For a year, any
review in the year counts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pmlib.core.periods import Period
from pmlib.core.plan import RiskRules
from pmlib.rating.actions import within

__all__ = ["MOVEMENT_WORDS", "band_scores", "heat_counts", "rate_risks"]

#: Movement values and what a report says for each.
MOVEMENT_WORDS = {
    "Increased": "score up since the last review",
    "Reduced": "score down since the last review",
    "No change": "same score as at the last review",
    "New": "first review",
    "Not reviewed": "not reviewed this period",
    "No reviews": "no reviews recorded",
}


def band_scores(
    likelihood: pd.Series, impact: pd.Series, rules: RiskRules | None = None
) -> pd.DataFrame:
    """Score, band name and band RAG for each (likelihood, impact) pair (NA where missing).

    >>> f = band_scores(pd.Series([1, 3, 5]), pd.Series([4, 4, 5]))
    >>> f["score"].tolist(), f["band"].tolist(), f["band_rag"].tolist()
    ([4, 12, 25], ['Low', 'High', 'High'], ['Green', 'Red', 'Red'])
    """
    rules = rules or RiskRules()
    lik = pd.array(likelihood, dtype="Int64")
    imp = pd.array(impact, dtype="Int64")
    score = pd.Series(lik * imp, index=likelihood.index, dtype="Int64")
    known = score.notna().to_numpy()
    tops = np.array([b.max for b in rules.bands])
    at = np.searchsorted(tops, score.fillna(0).to_numpy(dtype=int), side="left")
    at = np.minimum(at, len(tops) - 1)
    names = np.array([b.name for b in rules.bands], dtype=object)
    band = names[at]
    if rules.matrix:
        grid = np.array(rules.matrix, dtype=object)
        li = np.clip(pd.Series(lik).fillna(1).to_numpy(dtype=int), 1, rules.scale) - 1
        ii = np.clip(pd.Series(imp).fillna(1).to_numpy(dtype=int), 1, rules.scale) - 1
        band = grid[li, ii]
    rag = pd.Series(band).map({b.name: b.rag for b in rules.bands}).to_numpy(dtype=object)
    return pd.DataFrame(
        {
            "score": score,
            "band": np.where(known, band, None),
            "band_rag": np.where(known, rag, None),
        },
        index=likelihood.index,
    )


def rate_risks(
    risks: pd.DataFrame,
    reviews: pd.DataFrame,
    period: Period,
    rules: RiskRules | None = None,
) -> pd.DataFrame:
    """Every risk scored for ``period``: a new frame, one row per risk, inputs untouched.

    Adds ``likelihood``/``impact`` (current), ``score``, ``band``, ``band_rag``,
    ``inherent_score``, ``previous_score``, ``movement``, ``reviewed_this_period`` (NA when the
    council keeps no reviews at all), ``review_period``, ``update``, ``reviewed_by``,
    ``reviewed_at`` and ``above_target``.
    """
    rules = rules or RiskRules()
    out = risks.copy()
    upto = reviews[reviews["ordinal"] <= period.ordinal].sort_values(["risk_id", "ordinal"])
    latest = upto.groupby("risk_id").tail(1).set_index("risk_id").reindex(out["id"])
    earlier = upto.groupby("risk_id").nth(-2).set_index("risk_id").reindex(out["id"])
    reviewed = latest["period"].notna().to_numpy()
    for col in ("likelihood", "impact"):
        out[col] = pd.array(
            np.where(reviewed, latest[col].astype("Float64"), out[col].astype("Float64")),
            dtype="Float64",
        ).astype("Int64")
    out["review_period"] = latest["period"].to_numpy()
    for col in ("update", "reviewed_by", "reviewed_at"):
        out[col] = latest[col].to_numpy()
    current = band_scores(out["likelihood"], out["impact"], rules)
    out = pd.concat([out, current], axis=1)
    out["inherent_score"] = pd.Series(
        pd.array(risks["inherent_likelihood"], dtype="Int64")
        * pd.array(risks["inherent_impact"], dtype="Int64"),
        index=out.index,
    )
    prev = band_scores(earlier["likelihood"], earlier["impact"], rules)["score"]
    out["previous_score"] = pd.array(prev.to_numpy(), dtype="Int64")
    this = within(latest, period).to_numpy(dtype=bool)
    has_prev = out["previous_score"].notna().to_numpy()
    diff = (out["score"].astype("Float64") - out["previous_score"].astype("Float64")).to_numpy(
        dtype=float, na_value=np.nan
    )
    movement = np.select(
        [~reviewed, ~this, ~has_prev, diff > 0, diff < 0],
        ["No reviews", "Not reviewed", "New", "Increased", "Reduced"],
        default="No change",
    )
    out["movement"] = movement
    if reviews.empty:
        out["reviewed_this_period"] = pd.array([pd.NA] * len(out), dtype="boolean")
    else:
        out["reviewed_this_period"] = pd.array(this, dtype="boolean")
    target = out["target_score"].astype("Float64")
    out["above_target"] = (out["score"].astype("Float64") > target).fillna(False).astype(bool)
    return out.reset_index(drop=True)


def heat_counts(rated: pd.DataFrame, scale: int = 5) -> pd.DataFrame:
    """How many risks sit in each cell of the matrix: every (likelihood, impact) cell, with
    ``n`` (zeros included) and the ids of the risks in it (``ids``, "; "-joined)."""
    cells = pd.MultiIndex.from_product(
        [range(1, scale + 1), range(1, scale + 1)], names=["likelihood", "impact"]
    )
    known = rated.dropna(subset=["likelihood", "impact"])
    grouped = known.groupby([known["likelihood"].astype(int), known["impact"].astype(int)])
    n = grouped.size().reindex(cells, fill_value=0)
    ids = grouped["id"].agg(lambda s: "; ".join(s)).reindex(cells, fill_value="")
    return pd.DataFrame({"n": n, "ids": ids}).reset_index()
