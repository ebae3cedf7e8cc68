"""The ``rag_reason`` sentence of every rated row, written column-wise.

A sentence is "<position>; <rule clause>", e.g. "71.3% is 8.7 percentage points (10.9%) below
the 80.0% target; Amber is within 5% of target". The position gives the gap in the measure's
own terms (percentage points for percentages, days for days) — plus, when the scheme measures
the gap relative to the target, that share in brackets — so a councillor never reads a relative
10.9% as 10.9 points. The clause names the rule, never the council whose framework it came from
(the scheme's label belongs in the methodology text). Kept apart from the arithmetic in
:mod:`pmlib.rating.rules` because the wording changes for readers while the rules do not.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from pmlib.core.arrow_text import from_numpy
from pmlib.core.numbers import (
    agreed_decimals,
    agreed_text,
    difference_text,
    fraction_text,
    number_text,
    value_text,
)
from pmlib.rating.rag import AMBER, GREEN, RED, _Inputs
from pmlib.rating.text import concat, put, take, where

__all__: list[str] = []


def _subset(codes: tuple[np.ndarray, list], rows: np.ndarray) -> tuple[np.ndarray, list]:
    return codes[0][rows], codes[1]


def _reasons(
    x: _Inputs,
    state: np.ndarray,
    v: np.ndarray,
    g: np.ndarray,
    a: np.ndarray,
    band: np.ndarray,
    sign: np.ndarray,
    has_i: np.ndarray,
    below: np.ndarray,
    inside: np.ndarray,
    last_year: np.ndarray,
) -> pa.Array:
    """The ``rag_reason`` sentence for every row (an Arrow text array; missing where no rule
    gives one).

    A sentence is "<position>; <rule clause>". The position holds the row's
    own numbers, so it is assembled column-wise for the rated rows only; the clause depends on
    a handful of settings shared by many indicators (scheme, thresholds, unit, decimals), so it
    is written once per distinct combination and broadcast — that keeps the text cheap for a
    library of 100,000 indicators.
    """
    n = state.size
    out = np.empty(n, dtype=object)
    grey = np.broadcast_to(np.asarray(x.grey_reason, dtype=object), (n,))
    no_data = np.broadcast_to(np.asarray(x.no_data_reason, dtype=object), (n,))
    for mask, text in (
        (state == "not_due", grey),
        (state == "no_data", no_data),
        (
            state == "monitor",
            np.where(
                x.statistic,
                "statistic: monitoring only, not rated",
                "no good direction (polarity none): monitoring only, not rated",
            ),
        ),
        (state == "no_target", "no target set for this period: not rated"),
    ):
        out[mask] = text[mask] if isinstance(text, np.ndarray) else text
    r = np.flatnonzero(np.isin(state, (GREEN, AMBER, RED, "improved")))
    if not r.size:
        return from_numpy(out)
    units, dec = _subset(x.units, r), x.decimals[r]
    vr, t, lo, hi, rel = v[r], x.target[r], x.lower[r], x.upper[r], x.relative[r]
    bd, blw = band[r], below[r]

    # position: how far from the target in the measure's own units (percentage points for
    # percentages), shown to the decimals of the published value and the agreed target so the
    # reader can check it by subtraction; with a relative scheme, also as a % of the target
    with np.errstate(all="ignore"):
        bound = np.where(bd, np.where(blw, lo, hi), t)
        gap = np.abs(np.where(bd, np.where(blw, lo - vr, vr - hi), vr - t))
        pct = gap / np.abs(bound) * 100  # a zero bound gives inf, not shown
    gap_dec = np.maximum(dec, agreed_decimals(bound, dec))
    by_pct = rel & (bound != 0) & np.isfinite(pct)
    share = where((pct > 0) & (pct < 0.05), "less than 0.1%", concat(number_text(pct, 1), "%"))
    dev = concat(difference_text(gap, gap_dec, units), where(by_pct, concat(" (", share, ")"), ""))
    V = value_text(vr, dec, units)
    note = np.broadcast_to(np.asarray(x.target_note, dtype=object), (n,))[r]
    position = pa.nulls(r.size, pa.large_string())
    # a target: "71.3% is 8.7 percentage points (10.9%) below the 80.0% target"
    p = np.flatnonzero(~bd)
    if p.size:
        tp, vp, has_note = t[p], vr[p], note[p] != ""
        tphrase = pa.nulls(p.size, pa.large_string())
        if has_note.any():
            tphrase = put(tphrase, has_note, concat("the ", note[p][has_note]))
        if not has_note.all():
            q = p[~has_note]
            tphrase = put(
                tphrase,
                ~has_note,
                concat("the ", agreed_text(t[q], dec[q], _subset(units, q)), " target"),
            )
        on = np.abs(vp - tp) <= 1e-9 * np.maximum(1.0, np.abs(tp))
        position = put(
            position,
            p,
            concat(
                V[p],
                where(
                    on,
                    " meets ",
                    concat(" is ", take(dev, p), np.where(vp > tp, " above ", " below ")),
                ),
                tphrase,
            ),
        )
    # a band: "12 days is inside the 10 to 14 days target range"
    b = np.flatnonzero(bd)
    if b.size:
        sub, d = _subset(units, b), dec[b]
        lob, hib = lo[b], hi[b]
        low, high = agreed_text(lob, d, sub), agreed_text(hib, d, sub)
        rng = where(
            np.isnan(lob),
            concat("at most ", high),
            where(np.isnan(hib), concat("at least ", low), concat(low, " to ", high)),
        )
        position = put(
            position,
            b,
            concat(
                V[b],
                where(
                    inside[r][b],
                    " is inside the ",
                    concat(" is ", take(dev, b), np.where(blw[b], " below the ", " above the ")),
                ),
                rng,
                " target range",
            ),
        )

    # the rule's clause, once per distinct combination of what it depends on
    i = np.where(has_i, x.intervention, np.nan)[r]
    ly = np.where(state == "improved", last_year, np.nan)[r]
    key = pd.DataFrame(
        {
            "state": state[r],
            "g": g[r],
            "a": a[r],
            "rel": rel,
            "two": x.two[r],
            "band": bd,
            "sign": sign[r],
            "dec": dec,
            "unit": units[0],
            "own": x.own[r],
            "zero": rel & (bound == 0),
            "i": i,
            "ly": ly,
        }
    )
    group = key.groupby(list(key.columns), sort=False, dropna=False).ngroup().to_numpy()
    _, first = np.unique(group, return_index=True)
    k = key.iloc[first]
    k_units = (k["unit"].to_numpy(), units[1])
    k_dec = k["dec"].to_numpy()

    def amount(values: np.ndarray) -> np.ndarray:
        return np.where(
            k["rel"], fraction_text(values), agreed_difference(values, k_dec, k_units)
        ).astype(object)

    G, A = amount(k["g"].to_numpy()), amount(k["a"].to_numpy())
    I = agreed_text(k["i"].to_numpy(), k_dec, k_units).astype(object)  # noqa: E741
    LY = value_text(k["ly"].to_numpy(), k_dec, k_units).astype(object)
    kb, two, ks = k["band"].to_numpy(), k["two"].to_numpy(), k["state"].to_numpy()
    worse = np.where(k["sign"].to_numpy() > 0, "below", "above")
    with_i = ~np.isnan(k["i"].to_numpy())
    green = np.where(
        k["g"] > 0,
        "Green is within " + G + np.where(kb, " of the range", " of target"),
        np.where(kb, "Green is inside the range", "Green is on target or better"),
    )
    amber = np.where(
        with_i,
        "Amber is between the target and the " + I + " intervention level",
        "Amber is within " + A + np.where(kb, " of the range", " of target"),
    )
    red = np.where(
        with_i,
        "Red is " + worse + " the " + I + " intervention level",
        "Red is more than " + A + np.where(kb, " outside the range", " " + worse + " target"),
    )
    red = np.where(
        two,
        np.where(
            k["g"] > 0,
            "Red is more than " + G + " short of target",
            "Red means the target is missed",
        ),
        red,
    )
    red = np.where(
        k["zero"] & ~two, "a zero target with a relative tolerance is Red unless met", red
    )
    clause = np.select(
        [ks == GREEN, ks == AMBER, ks == "improved"],
        [green, amber, red + ", but Amber as it improved on or held last year's " + LY],
        red,
    )
    clause = clause + np.where(k["own"], " (this indicator's own thresholds)", "")
    prefix = np.broadcast_to(np.asarray(x.prefix, dtype=object), (n,))[r]
    # each distinct clause converted once, then spread to its rows
    return put(out, r, concat(prefix, position, "; ", take(clause, group)))


def agreed_difference(
    values: np.ndarray, decimals: np.ndarray, units: tuple[np.ndarray, list]
) -> np.ndarray:
    """An absolute threshold in the measure's units, with the decimals it was agreed with."""
    return difference_text(values, agreed_decimals(values, decimals), units)
