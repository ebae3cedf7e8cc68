"""Generate the Northmoor District Council demo data set (deterministic).

Northmoor District Council (short name Northmoor, area code ``E07000999``) is **fictional**, as
are its officers, its 15 "nearest neighbour" districts, the four districts outside its peer group,
every figure and every line of narrative. The indicators are modelled on real English
district-council KPIs so that reports built from this data look and behave like the real thing.

Run ``python data/demo/generate.py`` to rewrite every CSV beside this file (and in
``benchmarks/``) byte for byte. The script holds only the *rules*; everything a council analyst
would want to change is in ``source/`` beside it:

* ``source/indicators.yaml`` - the indicator library (the columns of ``indicators.csv``), how each
  indicator's history is simulated and its yearly targets;
* ``source/narratives.yaml`` - exception narratives, with placeholders for the figures;
* ``source/scenario.yaml`` - seed, years, the Council Plan, collection profiles and the deliberate
  messiness (what ``data/demo/README.md`` lists);
* ``source/benchmarks.yaml`` - peer districts, published metrics and Northmoor's early figures;
* ``source/plan.yaml`` - key actions and their updates, the strategic risk register and its
  reviews, internal audit actions and budget monitoring (the optional tables).

Random variation comes from numpy generators seeded per indicator (``seed`` plus a CRC of the id),
so changing one indicator never reshuffles the others. Periods are pmlib's own
(:mod:`pmlib.core.periods`) and the figures quoted in narratives and benchmarks are rolled up by
pmlib's own engine (:func:`pmlib.rating.rollup.build_cube`), so they agree with the reports by
construction.
"""

from __future__ import annotations

import datetime as dt
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from pmlib.core.numbers import agreed_decimals, agreed_string, round_published, value_string
from pmlib.core.periods import Period, parse_period, parse_quarter, parse_year, period_table
from pmlib.data.lags import lag_end, parse_lag
from pmlib.data.plan_contract import PLAN_CONTRACT
from pmlib.rating.rollup import NATIVE_KIND, build_cube

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "source"


def _read(name: str) -> Any:
    return yaml.safe_load((SOURCE / name).read_text(encoding="utf-8"))


def _pair(entry: dict) -> tuple[str, str]:
    """An ``{indicator, period}`` entry as ``(id, canonical period label)``."""
    return entry["indicator"], parse_period(entry["period"]).label


# --------------------------------------------------------------------------------------------
# The scenario (tests read these names)
# --------------------------------------------------------------------------------------------
SCENARIO = _read("scenario.yaml")
SEED = SCENARIO["seed"]
FIRST_FY = parse_year(SCENARIO["years"]["first"]).fy
LAST_QUARTER = parse_quarter(SCENARIO["years"]["last_quarter"])
CURRENT_FY = LAST_QUARTER.fy
LAST_ANNUAL_FY = parse_year(SCENARIO["years"]["last_annual"]).fy
TARGET_FYS = range(FIRST_FY, CURRENT_FY + 1)
AREA_CODE = SCENARIO["area"]["code"]
AREA_NAME = SCENARIO["area"]["name"]
HOUSEHOLDS = SCENARIO["area"]["households"]  # in the first benchmark year
HOUSEHOLD_GROWTH = SCENARIO["area"]["household_growth"]  # yearly factor, every area

_mess, _doc = SCENARIO["messiness"], SCENARIO["documented"]
MISSING_VALUE = _pair(_mess["missing_value"])
LATE_SUBMISSION = _pair(_mess["late_submission"])
LATE_DAYS = _mess["late_submission"]["days_late"]
UNAPPROVED = _pair(_mess["unapproved"])
#: The one rating a reviewer overrides (the reviewer is the indicator's data_reviewer).
OVERRIDE = SCENARIO["override"]
RED_WITHOUT_NARRATIVE = _pair(_doc["red_without_narrative"])
GREEN_TO_RED = _doc["green_to_red"]
INTERNAL = tuple(_doc["internal"])
ZERO_TARGET = _doc["zero_target"]
BAND_TARGET = _doc["band_target"]
INTERVENTION = tuple(_doc["intervention"])
STALE_REVIEW = tuple(_doc["stale_review"])
PROJECT_METHOD = tuple(_doc["project_method"])

OBJECTIVES = {o: pri for pri, objs in SCENARIO["council_plan"].items() for o in objs}
LEADS = SCENARIO["leads"]  # head_of_service by owner, strategic_lead by priority
PROFILES = {k: tuple(v) for k, v in SCENARIO["collection_profiles"].items()}

# --------------------------------------------------------------------------------------------
# The indicator library
# --------------------------------------------------------------------------------------------
# indicators.csv's columns, in order (docs/data-format.md); "priority" follows from "objective".
COLUMNS = (
    "id", "name", "definition", "purpose", "formula", "priority", "objective", "committees",
    "kind", "unit", "decimals", "polarity", "frequency", "measure", "aggregation", "rag_scheme",
    "green_within", "amber_within", "tolerance", "owner", "data_collector", "data_reviewer",
    "head_of_service", "strategic_lead", "data_source", "collection_method", "visibility",
    "risks", "last_reviewed", "reviewed_by", "benchmark_metric",
    "baseline", "baseline_period", "reporting_lag", "submission_deadline", "valid_from", "valid_to",
    "spc_rebase",
)  # fmt: skip
# The keys of an indicator's "simulate:" block (explained at the top of indicators.yaml).
SIMULATE = {
    "levels", "season", "noise", "volume", "volume_season", "tonnes", "poisson",
    "collection_profile", "stored_decimals", "current_year_levels", "fixed_values", "step",
}  # fmt: skip
TARGETS = {"targets", "intervention", "band"}


class SourceError(ValueError):
    """A mistake in one of the source/*.yaml files."""


@dataclass
class Ind:
    """One indicator: its library row plus how its history is simulated."""

    row: dict[str, str]
    sim: dict[str, Any]
    targets: dict[int, float]
    intervention: dict[int, float]
    band: tuple[float, float] | None

    def __getattr__(self, name: str) -> Any:  # library columns read as attributes
        try:
            return self.__dict__["row"][name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def decimals(self) -> int:
        return int(self.row["decimals"])

    @property
    def rated(self) -> bool:
        return self.kind != "statistic" and self.polarity != "none"

    @property
    def profile(self) -> tuple[float, ...]:
        name = self.sim.get("collection_profile")
        return PROFILES[name] if name else ()

    @property
    def recent(self) -> dict[int, float]:
        return self.sim["recent"]


def _by_year(entry: dict, key: str) -> dict[int, float]:
    """``{year label: value}`` as ``{fy: value}``, one value for every target year (``null``:
    no target that year, e.g. a baseline year or a year after the indicator was retired)."""
    if key not in entry:
        return {}
    out = {parse_year(k).fy: None if v is None else float(v) for k, v in entry[key].items()}
    if set(out) != set(TARGET_FYS):
        first, last = (Period("year", fy).label for fy in (TARGET_FYS[0], TARGET_FYS[-1]))
        raise SourceError(
            f"indicators.yaml, {entry['id']}: '{key}' needs one value for each year "
            f"{first} to {last}, e.g. {{{first}: 50, ...}}."
        )
    return out


def _indicator(entry: dict, defaults: dict) -> Ind:
    ind_id = entry.get("id", "?")
    allowed = set(COLUMNS) - {"priority"} | TARGETS | {"simulate"}
    unknown = set(entry) - allowed | set(entry.get("simulate", {})) - SIMULATE
    if unknown:
        raise SourceError(
            f"indicators.yaml, {ind_id}: unknown key(s) {', '.join(sorted(unknown))}; the keys "
            "an indicator can have are listed at the top of the file."
        )
    if entry.get("objective") not in OBJECTIVES:
        raise SourceError(
            f"indicators.yaml, {ind_id}: objective {entry.get('objective')!r} is not in the "
            "council_plan of scenario.yaml; copy its wording from there."
        )
    row = {c: entry.get(c, defaults.get(c, "")) for c in COLUMNS}
    row.update(priority=OBJECTIVES[row["objective"]], decimals=str(row["decimals"]))
    row.update(
        head_of_service=row["head_of_service"] or LEADS["head_of_service"][row["owner"]],
        strategic_lead=row["strategic_lead"] or LEADS["strategic_lead"][row["priority"]],
    )
    row.update(green_within=fmt(row["green_within"]), amber_within=fmt(row["amber_within"]))
    sim = dict(entry.get("simulate", {}))
    sim["recent"] = {
        parse_quarter(k).index: v for k, v in sim.pop("current_year_levels", {}).items()
    }
    sim["fixed"] = {
        parse_period(k).label: tuple(v) if isinstance(v, list) else v
        for k, v in sim.pop("fixed_values", {}).items()
    }
    band = entry.get("band")
    return Ind(
        row={k: v if isinstance(v, str) else str(v) for k, v in row.items()},
        sim=sim,
        targets=_by_year(entry, "targets"),
        intervention=_by_year(entry, "intervention"),
        band=(float(band[0]), float(band[1])) if band else None,
    )


def fmt(x: object, dp: int = 4) -> str:
    """A number as text: rounded, no trailing zeros; blanks stay blank."""
    if x is None or x == "" or (isinstance(x, float) and np.isnan(x)):
        return ""
    if isinstance(x, int | np.integer):
        return str(int(x))
    text = f"{round(float(x), dp):.{dp}f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


_LIBRARY = _read("indicators.yaml")
INDICATORS: list[Ind] = [_indicator(e, _LIBRARY["defaults"]) for e in _LIBRARY["indicators"]]
BY_ID = {ind.id: ind for ind in INDICATORS}


# --------------------------------------------------------------------------------------------
# Simulation
# --------------------------------------------------------------------------------------------
def reporting_periods(ind: Ind) -> list[Period]:
    """The periods an indicator has actuals for, oldest first: months, quarters and halves up
    to the last quarter (less its reporting lag: a figure not yet due is not there), years up
    to the last annual outturn, all within the years it is in the library."""
    out: list[Period] = []
    last = LAST_QUARTER.ordinal - parse_lag(ind.reporting_lag).months
    start = parse_period(ind.valid_from).start_date if ind.valid_from else None
    end = parse_period(ind.valid_to).end_date if ind.valid_to else None
    for fy in TARGET_FYS:
        year = Period("year", fy)
        kind = NATIVE_KIND[ind.frequency]
        if kind == "year":
            inside = [year] if fy <= LAST_ANNUAL_FY else []
        elif kind == "half":
            inside = [Period("half", fy, h) for h in (1, 2)]
        else:
            inside = year.months() if kind == "month" else year.quarters()
        out += [
            p
            for p in inside
            if (kind == "year" or p.ordinal <= last)
            and (start is None or p.start_date >= start)
            and (end is None or p.end_date <= end)
        ]
    return out


def rng_for(key: str) -> np.random.Generator:
    return np.random.default_rng([SEED, zlib.crc32(key.encode())])


def _months(p: Period) -> list[int]:
    return [m.index for m in p.months()]


def _pinned(ind: Ind, p: Period) -> bool:
    """A current-year quarter whose level is given in ``current_year_levels``."""
    return p.fy == CURRENT_FY and p.kind != "year" and p.quarter in ind.recent


def level_at(ind: Ind, p: Period) -> float:
    """The underlying level (before seasonality and noise) at the middle of a period."""
    if _pinned(ind, p):
        return ind.recent[p.quarter]
    ms = _months(p)
    t = (p.fy - FIRST_FY) + ((ms[0] + ms[-1]) / 2 - 1 - 5.5) / 12
    levels = ind.sim["levels"]
    return float(np.interp(t, np.arange(len(levels)), levels)) + step_at(ind, p)


def step_at(ind: Ind, p: Period) -> float:
    """A service change's lasting step (``step: {from: month, by: change}``), in the share of
    the period's months from the change on."""
    step = ind.sim.get("step")
    if not step:
        return 0.0
    start = parse_period(str(step["from"])).ordinal
    months = p.months()
    after = sum(m.ordinal >= start for m in months)
    return float(step["by"]) * after / len(months)


def season_at(ind: Ind, p: Period) -> float:
    """Additive seasonal offset (demeaned), for a month or the mean over a quarter."""
    if not ind.sim.get("season") or p.kind == "year":
        return 0.0
    s = np.asarray(ind.sim["season"], dtype=float)
    s = s - s.mean()
    if len(s) == 4:
        return 0.0 if _pinned(ind, p) else float(s[p.quarter - 1])
    ms = [m - 1 for m in _months(p)]
    if _pinned(ind, p):
        # a pinned quarter keeps its within-quarter shape but not the quarter's offset
        q0 = 3 * (p.quarter - 1)
        return float(s[ms].mean() - s[q0 : q0 + 3].mean())
    return float(s[ms].mean())


def vol_factor(ind: Ind, p: Period) -> float:
    if not ind.sim.get("volume_season") or p.kind == "year":
        return 1.0
    v = np.asarray(ind.sim["volume_season"], dtype=float)
    return float(v[[m - 1 for m in _months(p)]].mean() / v.mean())


def simulate(ind: Ind) -> list[dict]:
    """Rows ``{p, value, numerator, denominator}`` for every reporting period."""
    rng, sim = rng_for(ind.id), ind.sim
    rows, final = [], 0.0
    dp = sim.get("stored_decimals", ind.decimals + 1 if ind.decimals else 0)
    for p in reporting_periods(ind):
        pinned = _pinned(ind, p)
        row = {"p": p, "value": None, "numerator": None, "denominator": None}
        mu = level_at(ind, p) + season_at(ind, p) if sim.get("levels") else 0.0
        if p.label in sim["fixed"]:
            fixed = sim["fixed"][p.label]
            if isinstance(fixed, tuple):
                row["numerator"], row["denominator"] = fixed
                row["value"] = round(100 * fixed[0] / fixed[1], 4)
            else:
                row["value"] = fixed
        elif ind.profile:
            if p.index == 1:  # the year's final collection rate, drawn once a year
                final = sim["levels"][p.fy - FIRST_FY] + rng.normal(0, sim["noise"])
            share = ind.profile[p.index - 1] / ind.profile[-1]
            row["value"] = round(final * share + rng.normal(0, sim["noise"]), 2)
        elif ind.aggregation == "ratio":
            expected = sim["volume"] * vol_factor(ind, p)
            if sim.get("tonnes"):
                den = round(expected * (1 + rng.normal(0, 0.035)), 1)
                num = round(den * (mu / 100 + (0 if pinned else rng.normal(0, 0.006))), 1)
            else:
                den = max(1, int(rng.poisson(expected)))
                frac = min(max(mu / 100, 0.0), 1.0)
                num = round(den * frac) if pinned else int(rng.binomial(den, frac))
            row["numerator"], row["denominator"] = num, den
            row["value"] = round(100 * num / den, 4)
        elif sim.get("poisson"):
            row["value"] = int(rng.poisson(max(mu, 0.0)))
        else:
            value = mu + rng.normal(0, sim.get("noise", 0.0) / (3 if pinned else 1))
            row["value"] = int(round(value)) if dp == 0 else round(value, dp)
        rows.append(row)
    if ind.profile:  # a year-to-date collection rate never falls within a year
        best: dict[int, float] = {}
        for row in rows:
            row["value"] = round(max(row["value"], best.get(row["p"].fy, 0.0) + 0.01), 2)
            best[row["p"].fy] = row["value"]
    return rows


def simulate_all() -> dict[str, list[dict]]:
    return {ind.id: simulate(ind) for ind in INDICATORS}


# --------------------------------------------------------------------------------------------
# Roll-ups: pmlib's own engine, over every simulated row
# --------------------------------------------------------------------------------------------
FIGURES = ("value", "numerator", "denominator")


class Rollups:
    """The reported value, numerator and denominator of any indicator at any period.

    Built once from the rows ``actuals.csv`` holds, through
    :func:`pmlib.rating.rollup.build_cube`, so a narrative quotes what the report shows (a
    narrative on the missing row would say "n/a"). Numerators and denominators are rolled up as
    ``sum`` indicators of their own (a snapshot still takes the latest row), which is what the
    ratio roll-up adds up.
    """

    def __init__(self, series: dict[str, list[dict]]):
        rows = [
            (i, r["p"].label, r["value"], r["numerator"], r["denominator"])
            for i, rs in series.items()
            for r in rs
            if (i, r["p"].label) != MISSING_VALUE
        ]
        raw = pd.DataFrame(rows, columns=["indicator_id", "period", *FIGURES])
        for column in FIGURES:
            raw[column] = pd.to_numeric(raw[column])
        actuals = pd.concat([raw, period_table(raw["period"]).drop(columns="period")], axis=1)
        library = pd.DataFrame([ind.row for ind in INDICATORS])
        sums = library.assign(aggregation="sum", unit="number")
        inputs = {"value": (library, actuals)}
        for column in ("numerator", "denominator"):
            counts = actuals.drop(columns=["numerator", "denominator"])
            inputs[column] = (sums, counts.assign(value=actuals[column]))
        fys = range(FIRST_FY, CURRENT_FY + 1)
        self.cubes = {
            (what, kind): build_cube(lib, frame, kind, fys)
            for what, (lib, frame) in inputs.items()
            for kind in ("month", "quarter", "half", "year")
        }
        self.position = {ind.id: k for k, ind in enumerate(INDICATORS)}

    def __call__(self, ind: Ind, period: Period) -> dict[str, Any]:
        """``{value, numerator, denominator}`` (``None`` where there is none)."""
        out = {}
        for what in FIGURES:
            x = float(self.cubes[(what, period.kind)].at(period).value[self.position[ind.id]])
            # whole counts stay whole numbers (fmt(10.0, 0) would print "1")
            out[what] = None if np.isnan(x) else int(x) if what != "value" and x.is_integer() else x
        return out


def target_for(ind: Ind, period: Period) -> float | None:
    """The target that applies to a period (profiled rows first, then pro-rata year goal)."""
    if not ind.targets or ind.targets[period.fy] is None:
        return None
    year = ind.targets[period.fy]
    if ind.profile:
        return round(year * ind.profile[period.months_elapsed - 1] / ind.profile[-1], 1)
    if ind.measure == "cumulative" and ind.aggregation == "sum":
        # as pmlib profiles it: the year target's share, to the decimals the target was set with
        places = agreed_decimals([year], ind.decimals)
        return float(round_published([year * period.months_elapsed / 12], places)[0])
    return year


# --------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------
def indicators_table() -> pd.DataFrame:
    return pd.DataFrame([ind.row for ind in INDICATORS], columns=list(COLUMNS))


def targets_table() -> pd.DataFrame:
    rows = []
    for ind in (i for i in INDICATORS if i.rated):
        for fy in TARGET_FYS:
            if ind.targets and ind.targets[fy] is None:
                continue  # no target that year: a baseline year, or after it was retired
            year = Period("year", fy)
            row = dict.fromkeys(("target", "intervention", "lower", "upper"), "")
            row = {"indicator_id": ind.id, "period": year.label, **row}
            if ind.band:
                row["lower"], row["upper"] = fmt(ind.band[0]), fmt(ind.band[1])
            else:
                row["target"] = fmt(ind.targets[fy])
            if ind.intervention:
                row["intervention"] = fmt(ind.intervention[fy])
            rows.append(row)
            if ind.profile:  # profiled in-year targets: quarter rows, then month rows
                for p in year.quarters() + year.months():
                    rows.append({**row, "period": p.label, "target": fmt(target_for(ind, p))})
    return pd.DataFrame(rows)


def _audit(ind: Ind, p: Period, rng: np.random.Generator) -> dict:
    lag = int(rng.integers(5, 11)) if p.kind != "year" else int(rng.integers(8, 14))
    # a figure reported in arrears is collected once it is due (its reporting lag later)
    collected = lag_end(p.end_date, parse_lag(ind.reporting_lag)) + dt.timedelta(days=lag)
    if (ind.id, p.label) == LATE_SUBMISSION:
        collected = p.end_date + dt.timedelta(days=LATE_DAYS)
    approved = collected + dt.timedelta(days=int(rng.integers(1, 6)))
    out = {
        "status": "approved",
        "collected_by": ind.data_collector,
        "collected_at": collected.isoformat(),
        "approved_by": ind.data_reviewer,
        "approved_at": approved.isoformat(),
    }
    if (ind.id, p.label) == UNAPPROVED:
        out.update(status="submitted", approved_by="", approved_at="")
    override = (ind.id, p.label) == _pair(OVERRIDE)
    out.update(
        rag_override=OVERRIDE["rating"] if override else "",
        override_reason=OVERRIDE["reason"] if override else "",
        override_by=ind.data_reviewer if override else "",
    )
    return out


def actuals_table(series: dict[str, list[dict]]) -> pd.DataFrame:
    rows = []
    for ind in INDICATORS:
        rng = rng_for(ind.id + ":audit")
        num_dp = 1 if ind.sim.get("tonnes") else 0
        for r in series[ind.id]:
            audit = _audit(ind, r["p"], rng)  # drawn even for the absent row: keeps the stream
            if (ind.id, r["p"].label) == MISSING_VALUE:
                continue  # survey not returned: the row is absent
            rows.append(
                {
                    "indicator_id": ind.id,
                    "period": r["p"].label,
                    "value": fmt(r["value"]),
                    "numerator": fmt(r["numerator"], num_dp),
                    "denominator": fmt(r["denominator"], num_dp),
                    **audit,
                }
            )
    return pd.DataFrame(rows)


def show(ind: Ind, x: float | None, *, agreed: bool = False) -> str:
    """A figure as a report prints it (pmlib's one formatter); a target ``agreed`` keeps the
    decimals it was set with."""
    if x is None:
        return "n/a"
    return (agreed_string if agreed else value_string)(x, ind.unit, ind.decimals)


NARRATIVE_PARTS = ("performance_update", "approach", "future_plans", "issues")


def narratives_table(rollup: Rollups) -> pd.DataFrame:
    """Each narrative with its placeholders filled: ``{v}`` the period's value, ``{t}`` its
    target, ``{prev}`` the previous period, ``{ly}`` the same period last year, ``{num}`` and
    ``{den}`` a ratio's counts."""
    rows = []
    for n in _read("narratives.yaml")["narratives"]:
        ind_id, label = _pair(n)
        if ind_id not in BY_ID:
            raise SourceError(f"narratives.yaml: {ind_id} {label} names an unknown indicator.")
        ind, p = BY_ID[ind_id], parse_period(label)
        cur = rollup(ind, p)
        ctx = {
            "v": show(ind, cur["value"]),
            "t": show(ind, target_for(ind, p), agreed=True),
            "prev": show(ind, rollup(ind, p.previous())["value"]),
            "ly": show(ind, rollup(ind, p.last_year())["value"]),
            "num": fmt(cur["numerator"], 0),
            "den": fmt(cur["denominator"], 0),
        }
        text = {part: n[part].format(**ctx) for part in NARRATIVE_PARTS}
        rows.append({"indicator_id": ind_id, "period": label, **text, **_who(n)})
    order = {ind.id: i for i, ind in enumerate(INDICATORS)}
    rows.sort(key=lambda r: (order[r["indicator_id"]], parse_period(r["period"]).end_date))
    return pd.DataFrame(rows)


def _who(n: dict) -> dict[str, str]:
    return {"author": n["author"], "updated_at": str(n["updated_at"])}


# --------------------------------------------------------------------------------------------
# Benchmarks
# --------------------------------------------------------------------------------------------
BENCH = _read("benchmarks.yaml")
BENCH_FIRST = parse_year(BENCH["years"]["first"])
BENCH_YEARS = range(BENCH_FIRST.fy, parse_year(BENCH["years"]["last"]).fy + 1)
_q0, _q1 = (parse_quarter(BENCH["quarters"][k]) for k in ("first", "last"))
BENCH_QUARTERS = [
    Period("quarter", fy, q)
    for fy in range(_q0.fy, _q1.fy + 1)
    for q in range(1, 5)
    if _q0.ordinal <= Period("quarter", fy, q).ordinal <= _q1.ordinal
]
PEERS = list(BENCH["nearest_neighbours"].items())
OTHERS = list(BENCH["outside_peer_group"].items())
COUNTY = tuple(BENCH["county"])
BENCH_MISSING = {
    (m["area"], m["metric"], parse_period(m["period"]).label) for m in BENCH["missing"]
}
METRICS = BENCH["metrics"]


def households(fy: int, base: int) -> int:
    return int(round(base * HOUSEHOLD_GROWTH ** (fy - BENCH_FIRST.fy)))


def northmoor_benchmarks(rollup: Rollups) -> dict[tuple[str, str], dict]:
    """Northmoor's published figures: before its indicator history, from benchmarks.yaml; from
    then on, rolled up from its own actuals (the indicator naming the metric in its
    ``benchmark_metric`` column), so the benchmarking page agrees with the indicator pages."""
    out: dict[tuple[str, str], dict] = {}
    rng = rng_for("bench:" + AREA_CODE)
    tonnes = BENCH["northmoor_monthly_household_waste_tonnes"]
    for metric, by_year in BENCH["northmoor_before_history"].items():
        for label, v in by_year.items():
            fy = parse_year(label).fy
            row = {"value": v, "numerator": None, "denominator": None}
            if isinstance(v, list):  # decided in time, decided
                row = {"value": round(100 * v[0] / v[1], 1), "numerator": v[0], "denominator": v[1]}
            elif metric == "household_recycling_pct":
                den = round(tonnes * 12 * (1 + rng.normal(0, 0.02)), 1)
                num = round(den * v / 100, 1)
                row.update(numerator=num, denominator=den, value=round(100 * num / den, 1))
            elif metric.endswith("_per_1000"):
                hh = households(fy, HOUSEHOLDS)
                num = int(round(v * hh / 1000))
                row.update(numerator=num, denominator=hh, value=round(1000 * num / hh, 2))
            out[(metric, Period("year", fy).label)] = row
    periods = [Period("year", fy) for fy in range(FIRST_FY, LAST_ANNUAL_FY + 1)]
    for ind in (i for i in INDICATORS if i.benchmark_metric):
        metric = ind.benchmark_metric
        extra = BENCH_QUARTERS if metric == BENCH["quarterly_metric"] else []
        for p in periods + extra:
            r = rollup(ind, p)
            if metric.endswith("_per_1000"):  # a snapshot count per 1,000 households
                hh = households(p.fy, HOUSEHOLDS)
                row = {"value": round(1000 * r["value"] / hh, 2), "numerator": r["value"]}
                row["denominator"] = hh
            elif ind.aggregation == "ratio":
                row = {k: round(r[k], 1) for k in ("value", "numerator", "denominator")}
            else:
                row = {"value": round(r["value"], 1)}
            out[(metric, p.label)] = row
    return out


def benchmark_tables(rollup: Rollups) -> dict[str, pd.DataFrame]:
    areas = [(AREA_CODE, AREA_NAME), *PEERS, *OTHERS]
    own = northmoor_benchmarks(rollup)
    rows = []
    for m in METRICS:
        metric = m["metric"]
        national = {parse_year(k).fy: v for k, v in m["national"].items()}
        periods = [Period("year", fy) for fy in BENCH_YEARS]
        periods += BENCH_QUARTERS if metric == BENCH["quarterly_metric"] else []
        for code, name in areas:
            rng = rng_for(f"bench:{metric}:{code}")
            effect, drift = float(rng.normal(0, 1)), float(rng.normal(0, 0.15))
            hh_base = int(rng.integers(38_000, 72_000))
            for p in periods:
                row = {"area_code": code, "area_name": name, "metric": metric, "period": p.label}
                row.update(value=None, numerator=None, denominator=None)
                if code == AREA_CODE:
                    row.update(own[(metric, p.label)])
                else:
                    base = national[min(p.fy, max(national))]
                    row.update(_peer_value(m, base, effect, drift, p, hh_base, rng))
                if (code, metric, p.label) in BENCH_MISSING:
                    row.update(value=None, numerator=None, denominator=None)
                rows.append(row)
    bench = pd.DataFrame(rows)
    for column, dp in (("value", 2), ("numerator", 1), ("denominator", 1)):
        bench[column] = [fmt(v, dp) for v in bench[column]]
    columns = ["metric", "name", "unit", "polarity", "source"]
    metrics = pd.DataFrame([[m[c] for c in columns] for m in METRICS], columns=columns)
    groups = [("nearest-neighbours", AREA_CODE, AREA_NAME)]
    groups += [("nearest-neighbours", c, n) for c, n in PEERS]
    groups += [("county", AREA_CODE, AREA_NAME)]
    groups += [("county", c, n) for c, n in PEERS if c in COUNTY]
    peer_groups = pd.DataFrame(groups, columns=["group", "area_code", "area_name"])
    return {"benchmark": bench, "metrics": metrics, "peer_groups": peer_groups}


def _peer_value(
    m: dict,
    base: float,
    effect: float,
    drift: float,
    p: Period,
    hh_base: int,
    rng: np.random.Generator,
) -> dict:
    """A peer district's figure: the national level, the area's own effect and drift, noise."""
    metric, spread, noise = m["metric"], m["spread"], m["noise"]
    years = p.fy - BENCH_FIRST.fy
    if metric.endswith("_per_1000"):
        rate = base * np.exp(0.35 * effect + 0.3 * drift * years) + rng.normal(0, noise)
        hh = households(p.fy, hh_base)
        num = int(round(min(max(rate, 0.1), 4.5) * hh / 1000))
        return {"value": round(1000 * num / hh, 2), "numerator": num, "denominator": hh}
    if metric == BENCH["quarterly_metric"]:  # decisions in time out of decisions
        share = min(max(base + spread * effect + 10 * drift * years, 40.0), 100.0) / 100
        den = max(1, int(rng.poisson(9 if p.kind == "quarter" else 36)))
        num = int(rng.binomial(den, share))
        return {"value": round(100 * num / den, 1), "numerator": num, "denominator": den}
    value = base + spread * effect + 0.5 * spread * drift * years + rng.normal(0, noise)
    if metric == "household_recycling_pct":
        value = min(max(value, 25.0), 65.0)
        den = round(hh_base * 1.02 * (1 + rng.normal(0, 0.03)), 1)
        num = round(den * value / 100, 1)
        return {"value": round(100 * num / den, 1), "numerator": num, "denominator": den}
    if metric == "council_tax_collection_pct":
        return {"value": round(min(value, 99.3), 1)}
    return {"value": round(max(value, 4.0), 1)}


# --------------------------------------------------------------------------------------------
# Key actions, risks, audit actions and finance (the optional tables)
# --------------------------------------------------------------------------------------------
PLAN = _read("plan.yaml")


def plan_tables() -> dict[str, pd.DataFrame]:
    """The optional tables from ``source/plan.yaml``, columns in the contract's order (absent
    ones blank). Finance rows are written from each line's ``[budget, actual to date,
    forecast, variance given?, commentary]``: the variance, when given, is computed here as a
    spreadsheet would (forecast - budget), so it always adds up."""
    out = {}
    for table in ("actions", "action_updates", "risks", "risk_reviews", "audit_actions"):
        out[table] = pd.DataFrame(PLAN[table])
    rows = []
    for item in PLAN["finance"]:
        for label, figures in item.items():
            if label in ("service", "line"):
                continue
            budget, actual, forecast, given, note = figures
            rows.append(
                {
                    "service": item["service"],
                    "period": parse_period(label).label,
                    "line": item["line"],
                    "budget": budget,
                    "actual_to_date": actual,
                    "forecast_outturn": forecast,
                    "variance": forecast - budget if given else None,
                    "unit": PLAN["finance_unit"],
                    "commentary": note or None,
                    "committees": PLAN["finance_committees"],
                    "visibility": "public",
                }
            )
    out["finance"] = pd.DataFrame(rows)
    for table, frame in out.items():
        columns = [c.name for c in PLAN_CONTRACT[table]]
        frame = frame.reindex(columns=columns)
        for col in frame.columns:  # whole numbers without ".0"; blanks stay blank
            frame[col] = [fmt(v) if isinstance(v, float) else v for v in frame[col]]
        out[table] = frame.replace({"": None})
    return out


# --------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------
def _write(frame: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")


def generate(out_dir: Path) -> None:
    """Write the four tables to ``out_dir`` and the benchmark tables to ``out_dir/benchmarks``."""
    out_dir = Path(out_dir)
    series = simulate_all()
    rollup = Rollups(series)
    _write(indicators_table(), out_dir / "indicators.csv")
    _write(targets_table(), out_dir / "targets.csv")
    _write(actuals_table(series), out_dir / "actuals.csv")
    _write(narratives_table(rollup), out_dir / "narratives.csv")
    for name, frame in plan_tables().items():
        _write(frame, out_dir / f"{name}.csv")
    for name, frame in benchmark_tables(rollup).items():
        _write(frame, out_dir / "benchmarks" / f"{name}.csv")


if __name__ == "__main__":
    # python data/demo/generate.py [OUT_DIR]: rewrite the demo data beside this file, or OUT_DIR
    generate(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
