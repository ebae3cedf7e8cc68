"""Generate the Northmoor District Council demo data set (deterministic).

Northmoor District Council (short name Northmoor, area code ``E07000999``) is **fictional**, as
are its officers, its 15 "nearest neighbour" districts (``E07000901``-``E07000915``), the four
extra districts outside its peer group (``E07000916``-``E07000919``), every figure and every line
of narrative. The indicators are modelled on real English district-council KPIs (waste, planning,
revenues and benefits, housing, workforce, customer service) so that reports built from this
data look and behave like the real thing.

Run ``python data/demo/generate.py`` to rewrite every CSV beside this file (and in
``benchmarks/``) byte for byte. Random variation comes from numpy generators seeded per indicator
(``SEED`` plus a CRC of the id), so changing one indicator never reshuffles the others.

What is written (see docs/data-format.md for the contract):

* ``indicators.csv`` - 47 indicators under four Council Plan priorities;
* ``targets.csv`` - one row per rated indicator per financial year 2022/23-2026/27, plus
  profiled quarter and month rows for the two in-year collection rates (RES01, RES02);
* ``actuals.csv`` - months 2022-04..2026-09, quarters 2022/23 Q1..2026/27 Q2, years
  2022/23..2025/26;
* ``narratives.csv`` - four-part exception narratives (Dorset style) for off-target indicators;
* ``benchmarks/benchmark.csv``, ``benchmarks/metrics.csv``, ``benchmarks/peer_groups.csv``.

Deliberate messiness (the latest reporting quarter is 2026/27 Q2):

* ``ENV06`` - the 2026/27 Q2 row is **absent** (street-cleanliness survey not yet returned);
* ``HSG06`` - the 2026/27 Q2 row was **submitted late** (collected 40 days after the quarter
  ended, then approved);
* ``COM01`` - the 2026-09 row is **unapproved** (status ``submitted``, no approver yet);
* ``RES09`` - **Red at 2026/27 Q2 with no narrative** (every other Amber/Red has one);
* ``ECO01`` - moves from **Green at Q1 to Red at Q2** (small numbers of major applications);
* ``RES14`` and ``RES15`` - ``visibility: internal`` (only the Corporate Performance Board
  sees them, even though RES14 names the public ``resources`` committee);
* ``RES12`` - a **zero target** (RIDDOR incidents) with absolute thresholds;
* ``RES13`` - a **band target** (reserves 10-15% of the net budget);
* ``RES03``, ``ENV03``, ``RES10`` - an explicit **intervention** (Red line) on their targets;
* ``ENV05``, ``HSG08``, ``ECO06`` and ``COM03`` - definitions **last reviewed more than 12
  months** before 2026-11-22;
* ``ENV08``, ``ENV10``, ``ECO07`` - ``collection_method: project`` (low confidence);
* six statistics (``ENV04``, ``ENV05``, ``HSG08``, ``COM05``, ``ECO05``, ``ECO08``) have no
  targets; no row anywhere is approved by the person who collected it.
"""

from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20261122
FIRST_FY = 2022  # 2022/23
CURRENT_FY = 2026  # 2026/27
CURRENT_Q = 2  # data runs to 2026/27 Q2 (month 2026-09)
LAST_ANNUAL_FY = 2025  # last annual outturn: 2025/26
TARGET_FYS = range(FIRST_FY, CURRENT_FY + 1)

AREA_CODE = "E07000999"
AREA_NAME = "Northmoor"
HOUSEHOLDS_2019 = 52_400  # households in Northmoor, 2019/20 (grows ~0.9% a year)

# Documented deliberate problems (tests read these).
MISSING_VALUE = ("ENV06", "2026/27 Q2")
LATE_SUBMISSION = ("HSG06", "2026/27 Q2")
UNAPPROVED = ("COM01", "2026-09")
RED_WITHOUT_NARRATIVE = ("RES09", "2026/27 Q2")
GREEN_TO_RED = "ECO01"
INTERNAL = ("RES14", "RES15")
ZERO_TARGET = "RES12"
BAND_TARGET = "RES13"
INTERVENTION = ("ENV03", "RES03", "RES10")
STALE_REVIEW = ("ENV05", "HSG08", "COM03", "ECO06")
PROJECT_METHOD = ("ENV08", "ENV10", "ECO07")
LATE_DAYS = 40

# --------------------------------------------------------------------------------------------
# The Council Plan
# --------------------------------------------------------------------------------------------
GREEN = "A greener district"
HOMES = "Homes and thriving communities"
ECONOMY = "A prosperous local economy"
COUNCIL = "An efficient, well-run council"

OBJECTIVES = {
    "Reduce, reuse and recycle more of our waste": GREEN,
    "Clean, safe streets and open spaces": GREEN,
    "Lead the way to net zero by 2035": GREEN,
    "Prevent homelessness and support households in housing need": HOMES,
    "Deliver the right homes in the right places": HOMES,
    "Healthy, safe and active communities": HOMES,
    "A responsive planning service that supports growth": ECONOMY,
    "Thriving town centres and local businesses": ECONOMY,
    "Sound finances and effective revenue collection": COUNCIL,
    "Excellent, accessible customer service": COUNCIL,
    "A skilled, healthy and supported workforce": COUNCIL,
}
(
    O_WASTE,
    O_CLEAN,
    O_ZERO,
    O_HOMELESS,
    O_HOMES,
    O_ACTIVE,
    O_PLANNING,
    O_TOWNS,
    O_FINANCE,
    O_CUSTOMER,
    O_WORKFORCE,
) = OBJECTIVES

# Cumulative share of the year's collectable debit collected by the end of each month (April
# first): council tax on ten monthly instalments, business rates slightly faster.
CT_PROFILE = (10.3, 19.6, 29.0, 38.3, 47.6, 57.0, 66.2, 75.2, 84.0, 92.6, 95.6, 97.0)
NNDR_PROFILE = (11.4, 21.0, 30.0, 39.4, 48.7, 58.0, 67.1, 76.2, 85.0, 93.6, 96.9, 98.0)


@dataclass
class Ind:
    """One indicator: its library entry plus how its history is simulated."""

    id: str
    name: str
    definition: str
    objective: str
    kind: str
    unit: str
    decimals: int
    polarity: str
    frequency: str
    measure: str
    aggregation: str
    owner: str
    collector: str
    reviewer: str
    source: str
    method: str = "system"
    committees: str = ""
    visibility: str = "public"
    risks: str = ""
    reviewed: str = "2026-04-14"
    reviewed_by: str = "Q. Dawson"
    benchmark: str = ""
    tolerance: str = ""
    green_within: float | None = None
    amber_within: float | None = None
    # -- simulation -----------------------------------------------------------------------
    levels: tuple[float, ...] = ()  # mean level in each FY from 2022/23 (interpolated)
    season: tuple[float, ...] = ()  # 12 monthly (April first) or 4 quarterly additive offsets
    noise: float = 0.0  # sd of the period-to-period noise (value units)
    volume: float = 0.0  # ratio indicators: mean denominator per period
    vol_season: tuple[float, ...] = ()  # multiplicative seasonality of the denominator
    tonnes: bool = False  # ratio of tonnages (1 dp) rather than whole counts
    poisson: bool = False  # counts drawn from a Poisson distribution
    profile: tuple[float, ...] = ()  # cumulative collection profile (RES01, RES02)
    store_dp: int | None = None  # decimals stored in actuals (default: decimals + 1)
    recent: dict[int, float] = field(default_factory=dict)  # 2026/27 quarter -> level
    fixed: dict[str, object] = field(default_factory=dict)  # period -> value or (num, den)
    # -- targets --------------------------------------------------------------------------
    targets: tuple[float | None, ...] = ()  # one per FY 2022/23..2026/27
    intervention: tuple[float, ...] = ()
    band: tuple[float, float] | None = None

    @property
    def priority(self) -> str:
        return OBJECTIVES[self.objective]

    @property
    def rated(self) -> bool:
        return self.kind != "statistic" and self.polarity != "none"


def _i(**kw) -> Ind:
    return Ind(**kw)


MONTHLY, QUARTERLY, ANNUAL = "monthly", "quarterly", "annual"

INDICATORS: list[Ind] = [
    # ---------------------------------------------------------------- A greener district
    _i(
        id="ENV01",
        name="Household waste reused, recycled or composted",
        definition="Tonnes of household waste sent for reuse, recycling or composting as a "
        "percentage of all household waste collected (NI 192 method; tonnages from the "
        "monthly WasteDataFlow return).",
        objective=O_WASTE,
        kind="KPI",
        unit="percent",
        decimals=1,
        polarity="higher",
        frequency=MONTHLY,
        measure="period",
        aggregation="ratio",
        owner="Waste and Recycling Manager",
        collector="R. Evans",
        reviewer="T. Harding",
        source="WasteDataFlow return and weighbridge tickets",
        benchmark="household_recycling_pct",
        risks="Garden waste tonnages depend on the weather; contamination of dry recycling.",
        reviewed="2026-03-18",
        levels=(48.4, 49.1, 49.9, 50.8, 51.4),
        season=(1.0, 3.0, 4.0, 4.0, 3.5, 2.0, 0.0, -2.0, -4.5, -5.0, -4.0, -2.0),
        volume=4350,
        vol_season=(1.0, 1.1, 1.14, 1.15, 1.12, 1.05, 1.0, 0.93, 0.9, 0.86, 0.84, 0.95),
        tonnes=True,
        recent={1: 52.6, 2: 50.4},
        targets=(50.0, 50.0, 51.0, 52.0, 52.0),
    ),
    _i(
        id="ENV02",
        name="Residual household waste per household (kg, year to date)",
        definition="Kilograms of household waste not reused, recycled or composted, divided by "
        "the number of households (NI 191 method). Each quarter's row is that quarter's kg; the "
        "year-to-date total is compared with the year-end target.",
        objective=O_WASTE,
        kind="KPI",
        unit="number",
        decimals=1,
        polarity="lower",
        frequency=QUARTERLY,
        measure="cumulative",
        aggregation="sum",
        owner="Waste and Recycling Manager",
        collector="S. Mensah",
        reviewer="R. Evans",
        source="WasteDataFlow return; council tax property base",
        reviewed="2026-03-18",
        levels=(112.0, 110.2, 108.1, 106.0, 104.3),
        season=(2.0, -1.0, 3.0, -4.0),
        noise=1.4,
        recent={1: 104.8, 2: 103.1},
        targets=(450.0, 440.0, 430.0, 425.0, 425.0),
    ),
    _i(
        id="ENV03",
        name="Missed bin collections per 100,000 scheduled collections",
        definition="Reported missed collections (all streams) that were the council's fault, per "
        "100,000 scheduled bin collections in the month; monthly rates are averaged.",
        objective=O_WASTE,
        kind="PI",
        unit="rate",
        decimals=1,
        polarity="lower",
        frequency=MONTHLY,
        measure="period",
        aggregation="mean",
        owner="Waste and Recycling Manager",
        collector="B. Doyle",
        reviewer="S. Mensah",
        source="In-cab round management system",
        reviewed="2026-06-02",
        levels=(62.0, 55.0, 48.5, 44.0, 41.0),
        season=(3.0, 0.0, -2.0, -3.0, -2.0, -2.0, -1.0, 2.0, 14.0, 9.0, 0.0, -1.0),
        noise=4.5,
        targets=(60.0, 55.0, 50.0, 50.0, 45.0),
        intervention=(75.0, 70.0, 65.0, 65.0, 60.0),
    ),
    _i(
        id="ENV04",
        name="Fly-tipping incidents reported",
        definition="Fly-tipping incidents on public land reported to or found by the council in "
        "the month (as returned to Defra through WasteDataFlow).",
        objective=O_CLEAN,
        kind="statistic",
        unit="number",
        decimals=0,
        polarity="none",
        frequency=MONTHLY,
        measure="period",
        aggregation="sum",
        owner="Head of Environmental Services",
        collector="C. Osei",
        reviewer="D. Marsh",
        source="Street scene case management system",
        reviewed="2026-01-20",
        levels=(148, 161, 172, 166, 158),
        season=(10, 16, 18, 20, 17, 8, 0, -10, -22, -20, -16, -2),
        poisson=True,
    ),
    _i(
        id="ENV05",
        name="Fly-tipping enforcement actions",
        definition="Fixed penalty notices, formal warnings, duty-of-care inspections and "
        "prosecutions for fly-tipping in the quarter.",
        objective=O_CLEAN,
        kind="statistic",
        unit="number",
        decimals=0,
        polarity="none",
        frequency=QUARTERLY,
        measure="period",
        aggregation="sum",
        owner="Head of Environmental Services",
        collector="D. Marsh",
        reviewer="C. Osei",
        source="Enforcement case management system",
        reviewed="2024-09-16",
        levels=(34, 47, 61, 69, 73),
        season=(3, 4, -2, -5),
        poisson=True,
    ),
    _i(
        id="ENV06",
        name="Relevant land and highways with litter below grade B",
        definition="Percentage of sites inspected in the quarter's local environmental quality "
        "survey that fell below grade B for litter (Keep Britain Tidy LEQSE method).",
        objective=O_CLEAN,
        kind="PI",
        unit="percent",
        decimals=1,
        polarity="lower",
        frequency=QUARTERLY,
        measure="period",
        aggregation="mean",
        owner="Street Scene Manager",
        collector="E. Kaur",
        reviewer="D. Marsh",
        method="manual",
        source="Street cleanliness survey spreadsheet",
        reviewed="2026-02-09",
        risks="Survey tranches depend on two trained inspectors.",
        levels=(7.6, 6.9, 6.3, 5.9, 5.6),
        season=(-0.3, 0.4, 0.6, -0.7),
        noise=0.6,
        recent={1: 5.3},
        targets=(8.0, 7.0, 6.5, 6.0, 6.0),
    ),
    _i(
        id="ENV07",
        name="Greenhouse gas emissions from council operations (tCO2e)",
        definition="Scope 1 and 2 emissions plus business travel from council buildings, fleet "
        "and leisure centres in the financial year, tonnes CO2 equivalent (GHG Protocol).",
        objective=O_ZERO,
        kind="KPI",
        unit="number",
        decimals=0,
        polarity="lower",
        frequency=ANNUAL,
        measure="period",
        aggregation="sum",
        committees="resources",
        owner="Head of Climate and Sustainability",
        collector="F. Gallagher",
        reviewer="G. Bennett",
        method="manual",
        source="Annual greenhouse gas report (energy bills, fuel cards, mileage claims)",
        reviewed="2026-07-01",
        risks="Leisure centre heat-pump retrofit depends on Public Sector Decarbonisation funding.",
        fixed={"2022/23": 4312, "2023/24": 4027, "2024/25": 3764, "2025/26": 3618},
        targets=(4300.0, 4000.0, 3700.0, 3400.0, 3100.0),
    ),
    _i(
        id="ENV08",
        name="Public electric vehicle charge points installed",
        definition="New publicly available EV charge points commissioned in council car parks and "
        "on council land in the financial year.",
        objective=O_ZERO,
        kind="PI",
        unit="number",
        decimals=0,
        polarity="higher",
        frequency=ANNUAL,
        measure="period",
        aggregation="sum",
        owner="Head of Climate and Sustainability",
        collector="H. Yusuf",
        reviewer="F. Gallagher",
        method="project",
        source="LEVI programme project tracker",
        reviewed="2026-07-01",
        fixed={"2022/23": 6, "2023/24": 14, "2024/25": 22, "2025/26": 31},
        targets=(10.0, 15.0, 20.0, 30.0, 40.0),
    ),
    _i(
        id="ENV09",
        name="Fly-tips cleared within two working days",
        definition="Fly-tipping incidents on public land cleared within two working days of being "
        "reported, as a percentage of incidents reported in the month.",
        objective=O_CLEAN,
        kind="PI",
        unit="percent",
        decimals=1,
        polarity="higher",
        frequency=MONTHLY,
        measure="period",
        aggregation="ratio",
        owner="Street Scene Manager",
        collector="C. Osei",
        reviewer="E. Kaur",
        source="Street scene case management system",
        reviewed="2026-01-20",
        levels=(88.0, 90.2, 92.1, 93.0, 94.1),
        volume=160,
        vol_season=(1.06, 1.1, 1.11, 1.12, 1.1, 1.05, 1.0, 0.94, 0.86, 0.88, 0.9, 0.99),
        recent={1: 94.3, 2: 94.0},
        targets=(90.0, 90.0, 92.0, 92.0, 92.0),
    ),
    _i(
        id="ENV10",
        name="Trees planted on council-owned land",
        definition="Trees (whips and standards) planted on council-owned land and verges in the "
        "planting season ending in the financial year.",
        objective=O_ZERO,
        kind="PI",
        unit="number",
        decimals=0,
        polarity="higher",
        frequency=ANNUAL,
        measure="period",
        aggregation="sum",
        owner="Parks and Open Spaces Manager",
        collector="J. Whitfield",
        reviewer="H. Yusuf",
        method="project",
        source="Tree planting programme tracker",
        reviewed="2026-05-06",
        fixed={"2022/23": 1240, "2023/24": 2515, "2024/25": 3090, "2025/26": 3385},
        targets=(1000.0, 2000.0, 3000.0, 3000.0, 3500.0),
    ),
    # ---------------------------------------------------------------- Homes and communities
    _i(
        id="HSG01",
        name="Households in temporary accommodation",
        definition="Households placed in temporary accommodation under the homelessness duties on "
        "the last day of the month (H-CLIC snapshot).",
        objective=O_HOMELESS,
        kind="KPI",
        unit="number",
        decimals=0,
        polarity="lower",
        frequency=MONTHLY,
        measure="snapshot",
        aggregation="last",
        committees="resources",
        owner="Head of Housing",
        collector="K. Ndlovu",
        reviewer="L. Barker",
        source="Housing options case management system (H-CLIC)",
        benchmark="temp_accommodation_per_1000",
        reviewed="2026-05-19",
        risks="Rising demand and a shortage of affordable private rented homes; nightly-paid "
        "accommodation is a budget pressure.",
        levels=(38, 47, 58, 68, 77),
        season=(0, 0, 1, 1, 1, 0, 0, 0, -1, -1, -1, 0),
        noise=2.2,
        recent={1: 77.0, 2: 80.5},
        targets=(40.0, 45.0, 50.0, 60.0, 60.0),
    ),
    _i(
        id="HSG02",
        name="Households prevented from or relieved of homelessness (year to date)",
        definition="Households whose prevention or relief duty ended with accommodation secured "
        "for at least six months. Each month's row is that month's outcomes; the year-to-date "
        "total is compared with the annual target pro rata.",
        objective=O_HOMELESS,
        kind="KPI",
        unit="number",
        decimals=0,
        polarity="higher",
        frequency=MONTHLY,
        measure="cumulative",
        aggregation="sum",
        owner="Housing Options Manager",
        collector="L. Barker",
        reviewer="K. Ndlovu",
        source="Housing options case management system (H-CLIC)",
        reviewed="2026-05-19",
        levels=(21.5, 23.8, 25.0, 26.0, 24.5),
        season=(0, 1, 1, -1, -2, 1, 1, 0, -3, 1, 0, 1),
        poisson=True,
        fixed={
            "2026-04": 23,
            "2026-05": 25,
            "2026-06": 26,
            "2026-07": 22,
            "2026-08": 20,
            "2026-09": 28,
        },
        targets=(250.0, 270.0, 290.0, 300.0, 300.0),
    ),
    _i(
        id="HSG03",
        name="Affordable homes delivered",
        definition="Affordable rented, social rented and affordable home ownership completions "
        "in the financial year (gross, all providers).",
        objective=O_HOMES,
        kind="KPI",
        unit="number",
        decimals=0,
        polarity="higher",
        frequency=ANNUAL,
        measure="period",
        aggregation="sum",
        owner="Head of Housing",
        collector="M. O'Neill",
        reviewer="N. Chowdhury",
        source="Registered provider completion returns",
        reviewed="2026-06-11",
        fixed={"2022/23": 132, "2023/24": 168, "2024/25": 121, "2025/26": 187},
        targets=(150.0, 150.0, 160.0, 160.0, 170.0),
    ),
    _i(
        id="HSG04",
        name="Net additional homes completed",
        definition="Net additional dwellings completed in the financial year (new builds, "
        "conversions and changes of use less demolitions), from the annual housing monitor.",
        objective=O_HOMES,
        kind="PI",
        unit="number",
        decimals=0,
        polarity="higher",
        frequency=ANNUAL,
        measure="period",
        aggregation="sum",
        owner="Planning Policy Manager",
        collector="N. Chowdhury",
        reviewer="P. Greaves",
        source="Annual housing land monitor (site visits and building control)",
        reviewed="2026-06-11",
        fixed={"2022/23": 498, "2023/24": 556, "2024/25": 471, "2025/26": 544},
        targets=(520.0, 520.0, 520.0, 520.0, 520.0),
    ),
    _i(
        id="HSG05",
        name="Long-term empty homes brought back into use (year to date)",
        definition="Homes empty for six months or more brought back into use following council "
        "intervention (advice, grants or enforcement). Each quarter's row is that quarter's "
        "homes.",
        objective=O_HOMES,
        kind="PI",
        unit="number",
        decimals=0,
        polarity="higher",
        frequency=QUARTERLY,
        measure="cumulative",
        aggregation="sum",
        owner="Private Sector Housing Manager",
        collector="P. Greaves",
        reviewer="M. O'Neill",
        method="manual",
        source="Empty homes officer's casework log",
        reviewed="2026-02-23",
        levels=(12, 14, 15, 16, 17),
        poisson=True,
        fixed={"2026/27 Q1": 17, "2026/27 Q2": 18},
        targets=(50.0, 55.0, 60.0, 60.0, 65.0),
    ),
    _i(
        id="HSG06",
        name="Average days to complete a Disabled Facilities Grant",
        definition="Mean calendar days from receipt of the occupational therapist's referral to "
        "certified completion of the works, for grants completed in the quarter.",
        objective=O_HOMES,
        kind="PI",
        unit="days",
        decimals=1,
        polarity="lower",
        frequency=QUARTERLY,
        measure="period",
        aggregation="mean",
        owner="Private Sector Housing Manager",
        collector="R. Sato",
        reviewer="P. Greaves",
        method="manual",
        source="Home improvement agency spreadsheet",
        reviewed="2026-02-23",
        risks="Small pool of approved contractors; stairlift supply times.",
        levels=(211, 196, 179, 173, 197),
        noise=6.0,
        fixed={"2026/27 Q1": 186.4, "2026/27 Q2": 207.3},
        targets=(200.0, 200.0, 180.0, 180.0, 180.0),
    ),
    _i(
        id="HSG07",
        name="Housing register applications assessed within 28 days",
        definition="Housing register applications assessed and banded within 28 days of a "
        "complete application, as a percentage of applications assessed in the month.",
        objective=O_HOMELESS,
        kind="PI",
        unit="percent",
        decimals=1,
        polarity="higher",
        frequency=MONTHLY,
        measure="period",
        aggregation="ratio",
        owner="Housing Options Manager",
        collector="S. Holloway",
        reviewer="L. Barker",
        source="Choice-based lettings system",
        reviewed="2026-05-19",
        levels=(82.0, 86.1, 90.3, 92.0, 93.1),
        volume=96,
        recent={1: 92.4, 2: 93.6},
        targets=(85.0, 85.0, 90.0, 90.0, 90.0),
    ),
    _i(
        id="HSG08",
        name="Housing affordability ratio",
        definition="Median house price divided by median gross annual workplace-based earnings "
        "(ONS, calendar year ending in the financial year).",
        objective=O_HOMES,
        kind="statistic",
        unit="ratio",
        decimals=2,
        polarity="none",
        frequency=ANNUAL,
        measure="snapshot",
        aggregation="last",
        owner="Planning Policy Manager",
        collector="T. Brennan",
        reviewer="N. Chowdhury",
        method="manual",
        source="ONS house price to workplace-based earnings ratio",
        reviewed="2025-03-04",
        fixed={"2022/23": 9.12, "2023/24": 9.47, "2024/25": 9.31, "2025/26": 9.58},
    ),
    _i(
        id="COM01",
        name="Leisure centre visits (year to date)",
        definition="Attendances at the council's three leisure centres (swim, gym, classes, "
        "sports halls) reported by the operator. Each month's row is that month's visits.",
        objective=O_ACTIVE,
        kind="KPI",
        unit="number",
        decimals=0,
        polarity="higher",
        frequency=MONTHLY,
        measure="cumulative",
        aggregation="sum",
        owner="Leisure and Wellbeing Manager",
        collector="V. Costa",
        reviewer="W. Ahmed",
        source="Leisure operator monthly contract return",
        reviewed="2025-12-08",
        levels=(62000, 67200, 70100, 72300, 74600),
        season=(0, 1400, -2000, -3500, -6000, 0, 2200, -1500, -12000, 8500, 3800, 0),
        noise=1300,
        targets=(760000.0, 800000.0, 830000.0, 850000.0, 870000.0),
    ),
    _i(
        id="COM02",
        name="Programmed food hygiene inspections completed",
        definition="Food hygiene interventions due in the quarter under the Food Law Code of "
        "Practice that were completed, as a percentage of those due.",
        objective=O_ACTIVE,
        kind="PI",
        unit="percent",
        decimals=1,
        polarity="higher",
        frequency=QUARTERLY,
        measure="period",
        aggregation="ratio",
        owner="Environmental Health Manager",
        collector="Y. Roberts",
        reviewer="Z. Price",
        source="Food safety database",
        reviewed="2026-08-04",
        levels=(78.0, 86.5, 92.4, 95.1, 96.2),
        volume=112,
        fixed={"2026/27 Q1": (104, 109), "2026/27 Q2": (110, 114)},
        targets=(85.0, 90.0, 95.0, 95.0, 95.0),
    ),
    _i(
        id="COM03",
        name="Licensing applications processed within statutory timescales",
        definition="Premises, personal, taxi and animal licensing applications determined within "
        "the statutory or published timescale, as a percentage of those determined.",
        objective=O_ACTIVE,
        kind="PI",
        unit="percent",
        decimals=1,
        polarity="higher",
        frequency=QUARTERLY,
        measure="period",
        aggregation="ratio",
        owner="Licensing Manager",
        collector="A. Lindqvist",
        reviewer="Y. Roberts",
        source="Licensing database",
        reviewed="2025-06-30",
        levels=(97.4, 98.2, 98.6, 99.0, 99.1),
        volume=240,
        fixed={"2026/27 Q1": (247, 249), "2026/27 Q2": (229, 232)},
        targets=(98.0, 98.0, 98.0, 98.0, 98.0),
    ),
    _i(
        id="COM04",
        name="Food businesses rated 4 or 5 for hygiene",
        definition="Rated food businesses with a Food Hygiene Rating of 4 or 5 at quarter end, "
        "as a percentage of all rated businesses.",
        objective=O_ACTIVE,
        kind="PI",
        unit="percent",
        decimals=1,
        polarity="higher",
        frequency=QUARTERLY,
        measure="snapshot",
        aggregation="last",
        owner="Environmental Health Manager",
        collector="Z. Price",
        reviewer="A. Lindqvist",
        source="Food safety database (FHRS extract)",
        reviewed="2026-08-04",
        levels=(91.5, 92.4, 93.1, 93.6, 94.0),
        noise=0.35,
        targets=(92.0, 92.0, 93.0, 93.0, 93.5),
    ),
    _i(
        id="COM05",
        name="Anti-social behaviour reports received",
        definition="Reports of anti-social behaviour made to the council's community safety team "
        "in the month (excludes reports made only to the police).",
        objective=O_ACTIVE,
        kind="statistic",
        unit="number",
        decimals=0,
        polarity="none",
        frequency=MONTHLY,
        measure="period",
        aggregation="sum",
        owner="Community Safety Manager",
        collector="B. Okafor",
        reviewer="C. Jenkins",
        source="Community safety case management system",
        reviewed="2026-01-27",
        levels=(94, 102, 109, 104, 99),
        season=(4, 8, 12, 14, 12, 2, 6, -6, -14, -16, -12, -8),
        poisson=True,
    ),
    # ---------------------------------------------------------------- A prosperous economy
    _i(
        id="ECO01",
        name="Major planning applications decided in 13 weeks or agreed time",
        definition="Major planning applications determined within 13 weeks (16 with an "
        "environmental impact assessment) or an agreed extension of time, as a percentage of "
        "major applications determined (PS1/PS2 returns).",
        objective=O_PLANNING,
        kind="KPI",
        unit="percent",
        decimals=1,
        polarity="higher",
        frequency=QUARTERLY,
        measure="period",
        aggregation="ratio",
        committees="communities",
        owner="Development Management Manager",
        collector="D. Kowalski",
        reviewer="E. Hughes",
        source="Planning case management system (PS1/PS2)",
        benchmark="major_planning_13wk_pct",
        reviewed="2026-04-21",
        risks="Small numbers: one late decision moves the quarter by 10-15 points.",
        levels=(85.0, 88.0, 90.0, 91.0, 88.0),
        volume=9,
        fixed={"2026/27 Q1": (9, 10), "2026/27 Q2": (5, 8)},
        targets=(80.0, 80.0, 85.0, 85.0, 85.0),
    ),
    _i(
        id="ECO02",
        name="Minor planning applications decided in 8 weeks or agreed time",
        definition="Minor planning applications determined within 8 weeks or an agreed extension "
        "of time, as a percentage of minor applications determined.",
        objective=O_PLANNING,
        kind="KPI",
        unit="percent",
        decimals=1,
        polarity="higher",
        frequency=QUARTERLY,
        measure="period",
        aggregation="ratio",
        committees="communities",
        owner="Development Management Manager",
        collector="E. Hughes",
        reviewer="D. Kowalski",
        source="Planning case management system (PS1/PS2)",
        reviewed="2026-04-21",
        levels=(78.0, 83.2, 86.1, 88.0, 86.0),
        volume=71,
        fixed={"2026/27 Q1": (64, 71), "2026/27 Q2": (61, 72)},
        targets=(80.0, 85.0, 85.0, 85.0, 88.0),
    ),
    _i(
        id="ECO03",
        name="Other planning applications decided in 8 weeks or agreed time",
        definition="'Other' planning applications (householder, advertisements, listed building "
        "consents and similar) determined within 8 weeks or an agreed extension of time.",
        objective=O_PLANNING,
        kind="PI",
        unit="percent",
        decimals=1,
        polarity="higher",
        frequency=QUARTERLY,
        measure="period",
        aggregation="ratio",
        committees="communities",
        owner="Development Management Manager",
        collector="F. Rahman",
        reviewer="E. Hughes",
        source="Planning case management system (PS1/PS2)",
        reviewed="2026-04-21",
        levels=(87.0, 90.1, 92.0, 93.0, 93.5),
        volume=228,
        fixed={"2026/27 Q1": (226, 241), "2026/27 Q2": (219, 233)},
        targets=(88.0, 90.0, 90.0, 92.0, 92.0),
    ),
    _i(
        id="ECO04",
        name="Planning appeals allowed",
        definition="Appeals against the council's refusal of planning permission allowed by the "
        "Planning Inspectorate, as a percentage of appeals decided in the quarter.",
        objective=O_PLANNING,
        kind="PI",
        unit="percent",
        decimals=1,
        polarity="lower",
        frequency=QUARTERLY,
        measure="period",
        aggregation="ratio",
        committees="communities",
        owner="Development Management Manager",
        collector="G. Thompson",
        reviewer="F. Rahman",
        source="Planning Inspectorate appeal decisions",
        reviewed="2026-04-21",
        levels=(31.0, 29.0, 27.0, 26.0, 25.0),
        volume=6,
        fixed={"2026/27 Q1": (1, 4), "2026/27 Q2": (1, 5)},
        targets=(35.0, 35.0, 30.0, 30.0, 30.0),
    ),
    _i(
        id="ECO05",
        name="Planning applications received",
        definition="Valid planning applications of all types received in the quarter.",
        objective=O_PLANNING,
        kind="statistic",
        unit="number",
        decimals=0,
        polarity="none",
        frequency=QUARTERLY,
        measure="period",
        aggregation="sum",
        committees="communities",
        owner="Development Management Manager",
        collector="H. Li",
        reviewer="G. Thompson",
        source="Planning case management system",
        reviewed="2026-04-21",
        levels=(418, 396, 381, 372, 366),
        season=(22, 14, -12, -24),
        poisson=True,
    ),
    _i(
        id="ECO06",
        name="Vacant ground-floor units in town centres",
        definition="Vacant ground-floor commercial units in Northmoor's three town centres at the "
        "annual summer survey, as a percentage of all ground-floor units.",
        objective=O_TOWNS,
        kind="PI",
        unit="percent",
        decimals=1,
        polarity="lower",
        frequency=ANNUAL,
        measure="snapshot",
        aggregation="last",
        committees="resources",
        owner="Economic Development Manager",
        collector="I. Murphy",
        reviewer="J. Adeyemi",
        method="manual",
        source="Town centre health check survey",
        reviewed="2024-11-12",
        fixed={"2022/23": 12.4, "2023/24": 11.8, "2024/25": 11.2, "2025/26": 11.4},
        targets=(12.0, 11.5, 11.0, 11.0, 10.5),
    ),
    _i(
        id="ECO07",
        name="Businesses supported by the council's business support service (YTD)",
        definition="Businesses receiving at least two hours of advice, a grant or a referral from "
        "the council's business support service (UK Shared Prosperity Fund programme). Each "
        "quarter's row is that quarter's businesses.",
        objective=O_TOWNS,
        kind="PI",
        unit="number",
        decimals=0,
        polarity="higher",
        frequency=QUARTERLY,
        measure="cumulative",
        aggregation="sum",
        committees="resources",
        owner="Economic Development Manager",
        collector="J. Adeyemi",
        reviewer="I. Murphy",
        method="project",
        source="Business support programme CRM",
        reviewed="2026-03-03",
        levels=(40, 48, 55, 58, 60),
        poisson=True,
        fixed={"2026/27 Q1": 58, "2026/27 Q2": 61},
        targets=(160.0, 180.0, 200.0, 220.0, 220.0),
    ),
    _i(
        id="ECO08",
        name="Employment rate, residents aged 16-64",
        definition="Percentage of Northmoor residents aged 16-64 in employment (ONS Annual "
        "Population Survey, year ending March).",
        objective=O_TOWNS,
        kind="statistic",
        unit="percent",
        decimals=1,
        polarity="none",
        frequency=ANNUAL,
        measure="snapshot",
        aggregation="last",
        committees="resources",
        owner="Economic Development Manager",
        collector="K. Walsh",
        reviewer="J. Adeyemi",
        method="manual",
        source="ONS Annual Population Survey (Nomis)",
        reviewed="2026-03-03",
        fixed={"2022/23": 78.4, "2023/24": 77.9, "2024/25": 78.8, "2025/26": 79.1},
    ),
    # ---------------------------------------------------------------- A well-run council
    _i(
        id="RES01",
        name="Council tax collected in year",
        definition="Council tax collected in the financial year to date as a percentage of the "
        "net collectable debit for the year (QRC4 method). Each month's row is the running "
        "year-to-date rate; targets are profiled by month.",
        objective=O_FINANCE,
        kind="KPI",
        unit="percent",
        decimals=1,
        polarity="higher",
        frequency=MONTHLY,
        measure="cumulative",
        aggregation="last",
        owner="Revenues and Benefits Manager",
        collector="L. Nowak",
        reviewer="M. Begum",
        source="Revenues system monthly collection report",
        benchmark="council_tax_collection_pct",
        reviewed="2026-04-07",
        levels=(97.12, 96.83, 96.91, 97.18, 96.28),
        profile=CT_PROFILE,
        noise=0.12,
        targets=(97.5, 97.0, 97.0, 97.0, 97.0),
    ),
    _i(
        id="RES02",
        name="Business rates collected in year",
        definition="Non-domestic rates collected in the financial year to date as a percentage "
        "of the net collectable debit for the year (QRC4 method). Each month's row is the "
        "running year-to-date rate; targets are profiled by month.",
        objective=O_FINANCE,
        kind="KPI",
        unit="percent",
        decimals=1,
        polarity="higher",
        frequency=MONTHLY,
        measure="cumulative",
        aggregation="last",
        owner="Revenues and Benefits Manager",
        collector="M. Begum",
        reviewer="L. Nowak",
        source="Revenues system monthly collection report",
        reviewed="2026-04-07",
        levels=(97.9, 98.3, 98.1, 98.4, 98.9),
        profile=NNDR_PROFILE,
        noise=0.15,
        targets=(98.0, 98.0, 98.0, 98.0, 98.0),
    ),
    _i(
        id="RES03",
        name="Average days to process new Housing Benefit claims",
        definition="Mean calendar days from receipt of a new Housing Benefit claim to the "
        "decision, for claims decided in the month (DWP speed of processing definition).",
        objective=O_FINANCE,
        kind="KPI",
        unit="days",
        decimals=1,
        polarity="lower",
        frequency=MONTHLY,
        measure="period",
        aggregation="mean",
        owner="Revenues and Benefits Manager",
        collector="N. Fraser",
        reviewer="O. Clarke",
        source="Benefits system speed of processing report",
        benchmark="hb_new_claims_days",
        reviewed="2026-04-07",
        risks="Two assessor vacancies; Universal Credit migration leaves more complex claims.",
        levels=(21.4, 19.8, 18.6, 19.3, 22.6),
        season=(7.0, 4.0, 1.0, -1.0, -1.5, -1.5, -1.5, -1.0, 1.5, -1.0, -2.0, -3.0),
        noise=1.2,
        recent={1: 27.9, 2: 25.6},
        targets=(20.0, 20.0, 19.0, 19.0, 20.0),
        intervention=(24.0, 24.0, 23.0, 23.0, 24.0),
    ),
    _i(
        id="RES04",
        name="Average days to process Housing Benefit change events",
        definition="Mean calendar days to process notifications of a change in circumstances, "
        "for changes processed in the month (DWP speed of processing definition).",
        objective=O_FINANCE,
        kind="PI",
        unit="days",
        decimals=1,
        polarity="lower",
        frequency=MONTHLY,
        measure="period",
        aggregation="mean",
        owner="Revenues and Benefits Manager",
        collector="O. Clarke",
        reviewer="N. Fraser",
        source="Benefits system speed of processing report",
        reviewed="2026-04-07",
        levels=(9.4, 8.2, 7.2, 6.8, 7.1),
        season=(3.0, 1.5, 0.5, -0.5, -0.5, -0.5, -0.5, -0.5, 0.5, -0.5, -1.0, -1.5),
        noise=0.6,
        recent={1: 8.3, 2: 6.8},
        targets=(9.0, 8.0, 8.0, 8.0, 8.0),
    ),
    _i(
        id="RES05",
        name="Working days lost to sickness absence per FTE (year to date)",
        definition="Working days lost to sickness absence per full-time equivalent employee. "
        "Each quarter's row is that quarter's days per FTE; the year-to-date total is compared "
        "with the annual target pro rata.",
        objective=O_WORKFORCE,
        kind="KPI",
        unit="days",
        decimals=1,
        polarity="lower",
        frequency=QUARTERLY,
        measure="cumulative",
        aggregation="sum",
        owner="Head of HR and Organisational Development",
        collector="P. Singh",
        reviewer="A. Patel",
        source="HR and payroll system absence report",
        benchmark="sickness_days_per_fte",
        reviewed="2026-02-16",
        store_dp=2,
        levels=(2.42, 2.33, 2.21, 2.12, 2.06),
        season=(-0.22, -0.32, 0.22, 0.32),
        noise=0.08,
        fixed={"2026/27 Q1": 1.93, "2026/27 Q2": 2.18},
        targets=(9.0, 9.0, 8.5, 8.5, 8.0),
    ),
    _i(
        id="RES06",
        name="Staff turnover (year to date)",
        definition="Leavers (voluntary and involuntary, excluding fixed-term contract ends) as a "
        "percentage of average headcount. Each quarter's row is that quarter's turnover.",
        objective=O_WORKFORCE,
        kind="PI",
        unit="percent",
        decimals=1,
        polarity="lower",
        frequency=QUARTERLY,
        measure="cumulative",
        aggregation="sum",
        owner="Head of HR and Organisational Development",
        collector="A. Patel",
        reviewer="P. Singh",
        source="HR and payroll system",
        reviewed="2026-02-16",
        store_dp=2,
        levels=(3.62, 3.38, 3.12, 2.93, 2.81),
        season=(0.1, 0.3, -0.2, -0.2),
        noise=0.18,
        fixed={"2026/27 Q1": 2.74, "2026/27 Q2": 2.86},
        targets=(14.0, 13.0, 12.0, 12.0, 12.0),
    ),
    _i(
        id="RES07",
        name="FOI and EIR requests answered within 20 working days",
        definition="Freedom of Information and Environmental Information Regulations requests "
        "answered within 20 working days, as a percentage of requests due in the month.",
        objective=O_CUSTOMER,
        kind="KPI",
        unit="percent",
        decimals=1,
        polarity="higher",
        frequency=MONTHLY,
        measure="period",
        aggregation="ratio",
        owner="Head of Legal and Democratic Services",
        collector="R. Evans",
        reviewer="S. Mensah",
        source="Information request tracking system",
        reviewed="2026-09-15",
        levels=(84.0, 88.1, 91.0, 92.2, 88.5),
        volume=62,
        fixed={
            "2026-04": (58, 63),
            "2026-05": (61, 66),
            "2026-06": (52, 57),
            "2026-07": (55, 63),
            "2026-08": (47, 55),
            "2026-09": (59, 67),
        },
        targets=(90.0, 90.0, 90.0, 90.0, 90.0),
    ),
    _i(
        id="RES08",
        name="Stage 1 complaints responded to within 10 working days",
        definition="Stage 1 corporate complaints responded to within 10 working days, as a "
        "percentage of stage 1 complaints closed in the month.",
        objective=O_CUSTOMER,
        kind="PI",
        unit="percent",
        decimals=1,
        polarity="higher",
        frequency=MONTHLY,
        measure="period",
        aggregation="ratio",
        owner="Customer Services Manager",
        collector="T. Harding",
        reviewer="V. Costa",
        source="Complaints case management system",
        reviewed="2026-09-15",
        levels=(80.0, 84.2, 88.1, 90.3, 91.4),
        volume=46,
        recent={1: 91.2, 2: 92.1},
        targets=(85.0, 85.0, 90.0, 90.0, 90.0),
    ),
    _i(
        id="RES09",
        name="Calls to the contact centre answered within 60 seconds",
        definition="Calls to the customer contact centre answered by an adviser within 60 "
        "seconds, as a percentage of calls offered (excluding calls abandoned within 5 seconds).",
        objective=O_CUSTOMER,
        kind="PI",
        unit="percent",
        decimals=1,
        polarity="higher",
        frequency=MONTHLY,
        measure="period",
        aggregation="ratio",
        owner="Customer Services Manager",
        collector="W. Ahmed",
        reviewer="B. Okafor",
        source="Telephony system call statistics",
        reviewed="2026-09-15",
        levels=(74.2, 79.0, 81.9, 83.1, 81.0),
        volume=9400,
        season=(-6.0, -2.0, 0.5, 1.5, 2.0, 1.5, 1.0, 1.0, 2.5, 0.0, -0.5, -1.5),
        vol_season=(1.35, 1.1, 1.0, 0.95, 0.9, 0.96, 1.0, 0.95, 0.8, 1.0, 0.97, 1.02),
        recent={1: 82.7, 2: 71.3},
        targets=(80.0, 80.0, 80.0, 80.0, 80.0),
    ),
    _i(
        id="RES10",
        name="Customer transactions completed online",
        definition="Service requests, applications and payments completed through the council's "
        "website and app, as a percentage of all customer transactions in the month.",
        objective=O_CUSTOMER,
        kind="PI",
        unit="percent",
        decimals=1,
        polarity="higher",
        frequency=MONTHLY,
        measure="period",
        aggregation="ratio",
        owner="Head of Digital and Customer Services",
        collector="C. Jenkins",
        reviewer="T. Harding",
        source="Customer platform and payments reconciliation",
        reviewed="2026-09-15",
        levels=(52.0, 56.8, 61.1, 64.3, 67.6),
        volume=14200,
        vol_season=(1.3, 1.05, 1.0, 0.97, 0.93, 0.98, 1.0, 0.95, 0.82, 1.0, 0.98, 1.02),
        recent={1: 67.1, 2: 68.2},
        targets=(50.0, 55.0, 60.0, 65.0, 65.0),
        intervention=(45.0, 50.0, 55.0, 58.0, 58.0),
    ),
    _i(
        id="RES11",
        name="Undisputed invoices paid within 30 days",
        definition="Undisputed supplier invoices paid within 30 days of receipt, as a percentage "
        "of undisputed invoices paid in the month.",
        objective=O_FINANCE,
        kind="PI",
        unit="percent",
        decimals=1,
        polarity="higher",
        frequency=MONTHLY,
        measure="period",
        aggregation="ratio",
        owner="Head of Finance (Section 151 Officer)",
        collector="D. Kowalski",
        reviewer="G. Bennett",
        source="Finance system accounts payable report",
        reviewed="2026-04-07",
        levels=(94.6, 95.5, 96.4, 96.9, 96.1),
        volume=1450,
        recent={1: 96.6, 2: 95.2},
        targets=(97.0, 97.0, 97.0, 97.0, 97.0),
    ),
    _i(
        id="RES12",
        name="RIDDOR-reportable health and safety incidents",
        definition="Incidents involving council employees, contractors or the public that were "
        "reportable to the Health and Safety Executive under RIDDOR, in the quarter.",
        objective=O_WORKFORCE,
        kind="PI",
        unit="number",
        decimals=0,
        polarity="lower",
        frequency=QUARTERLY,
        measure="period",
        aggregation="sum",
        owner="Corporate Health and Safety Adviser",
        collector="G. Bennett",
        reviewer="A. Patel",
        source="Accident and incident reporting system",
        reviewed="2026-06-22",
        tolerance="absolute",
        green_within=0.0,
        amber_within=1.0,
        levels=(0.9, 0.8, 0.6, 0.5, 0.4),
        poisson=True,
        fixed={"2026/27 Q1": 1, "2026/27 Q2": 0},
        targets=(0.0, 0.0, 0.0, 0.0, 0.0),
    ),
    _i(
        id="RES13",
        name="General Fund reserves as a percentage of net revenue budget",
        definition="Unallocated General Fund reserve plus the budget equalisation reserve at "
        "quarter end (forecast at year end), as a percentage of the net revenue budget. The "
        "Financial Strategy sets a range of 10-15%.",
        objective=O_FINANCE,
        kind="KPI",
        unit="percent",
        decimals=1,
        polarity="band",
        frequency=QUARTERLY,
        measure="snapshot",
        aggregation="last",
        owner="Head of Finance (Section 151 Officer)",
        collector="H. Li",
        reviewer="G. Bennett",
        method="manual",
        source="Quarterly budget monitoring report",
        reviewed="2026-04-07",
        levels=(14.4, 15.6, 13.5, 12.7, 12.2),
        noise=0.35,
        fixed={"2026/27 Q1": 12.6, "2026/27 Q2": 12.1},
        band=(10.0, 15.0),
    ),
    _i(
        id="RES14",
        name="Agency staff spend (£k, year to date)",
        definition="Spend on agency and interim staff charged to the General Fund, £ thousands. "
        "Each quarter's row is that quarter's spend; the year-to-date total is compared with the "
        "annual budget pro rata.",
        objective=O_WORKFORCE,
        kind="PI",
        unit="currency",
        decimals=0,
        polarity="lower",
        frequency=QUARTERLY,
        measure="cumulative",
        aggregation="sum",
        committees="resources",
        visibility="internal",
        owner="Head of HR and Organisational Development",
        collector="I. Murphy",
        reviewer="H. Li",
        source="Finance system (agency cost codes)",
        reviewed="2026-02-16",
        risks="Hard-to-fill planning, environmental health and benefits posts.",
        levels=(212, 183, 152, 141, 150),
        noise=12,
        store_dp=0,
        fixed={"2026/27 Q1": 146, "2026/27 Q2": 152},
        targets=(800.0, 700.0, 600.0, 560.0, 580.0),
    ),
    _i(
        id="RES15",
        name="ICT service desk tickets resolved at first contact",
        definition="ICT service desk incidents and requests resolved during the first contact, "
        "as a percentage of tickets logged in the month.",
        objective=O_CUSTOMER,
        kind="PI",
        unit="percent",
        decimals=1,
        polarity="higher",
        frequency=MONTHLY,
        measure="period",
        aggregation="ratio",
        visibility="internal",
        owner="ICT Manager",
        collector="J. Whitfield",
        reviewer="K. Walsh",
        source="ICT service desk system",
        reviewed="2026-10-05",
        levels=(62.0, 66.3, 70.1, 72.0, 74.2),
        volume=1880,
        recent={1: 74.0, 2: 74.8},
        targets=(60.0, 65.0, 70.0, 70.0, 72.0),
    ),
    _i(
        id="RES16",
        name="Councillor enquiries answered within 10 working days",
        definition="Enquiries from councillors on behalf of residents answered in full within 10 "
        "working days, as a percentage of enquiries closed in the month.",
        objective=O_CUSTOMER,
        kind="PI",
        unit="percent",
        decimals=1,
        polarity="higher",
        frequency=MONTHLY,
        measure="period",
        aggregation="ratio",
        owner="Head of Legal and Democratic Services",
        collector="K. Walsh",
        reviewer="R. Evans",
        source="Member enquiry tracker",
        reviewed="2026-09-15",
        levels=(86.0, 89.2, 91.1, 93.0, 94.0),
        volume=84,
        recent={1: 93.5, 2: 94.4},
        targets=(90.0, 90.0, 90.0, 90.0, 90.0),
    ),
]

# Indicators listed directly in committees.yaml (besides their priority's committee).
COMMITTEE_EXTRA = {"communities": ["ENV04", "ENV05"]}


# --------------------------------------------------------------------------------------------
# Periods (kept self-contained: labels are the canonical pmlib forms)
# --------------------------------------------------------------------------------------------
def fy_label(fy: int) -> str:
    return f"{fy}/{(fy + 1) % 100:02d}"


def quarter_label(fy: int, q: int) -> str:
    return f"{fy_label(fy)} Q{q}"


def calendar(fy: int, m: int) -> tuple[int, int]:
    """Calendar (year, month) of financial-year month ``m`` (1 = April)."""
    zero = 3 + m - 1
    return fy + zero // 12, zero % 12 + 1


def month_label(fy: int, m: int) -> str:
    y, mm = calendar(fy, m)
    return f"{y}-{mm:02d}"


def month_end(fy: int, m: int) -> dt.date:
    y, mm = calendar(fy, m)
    return dt.date(y + (mm == 12), mm % 12 + 1, 1) - dt.timedelta(days=1)


@dataclass(frozen=True)
class P:
    """A period: kind ``month`` (idx 1-12), ``quarter`` (1-4) or ``year`` (0)."""

    kind: str
    fy: int
    idx: int = 0

    @property
    def label(self) -> str:
        if self.kind == "month":
            return month_label(self.fy, self.idx)
        if self.kind == "quarter":
            return quarter_label(self.fy, self.idx)
        return fy_label(self.fy)

    @property
    def months(self) -> list[int]:
        if self.kind == "month":
            return [self.idx]
        if self.kind == "quarter":
            return [3 * self.idx - 2, 3 * self.idx - 1, 3 * self.idx]
        return list(range(1, 13))

    @property
    def months_elapsed(self) -> int:
        return self.months[-1]

    @property
    def end(self) -> dt.date:
        return month_end(self.fy, self.months[-1])


def reporting_periods(ind: Ind) -> list[P]:
    """The periods an indicator has actuals for, oldest first."""
    out: list[P] = []
    for fy in range(FIRST_FY, CURRENT_FY + 1):
        if ind.frequency == MONTHLY:
            last = 3 * CURRENT_Q if fy == CURRENT_FY else 12
            out += [P("month", fy, m) for m in range(1, last + 1)]
        elif ind.frequency == QUARTERLY:
            last = CURRENT_Q if fy == CURRENT_FY else 4
            out += [P("quarter", fy, q) for q in range(1, last + 1)]
        elif fy <= LAST_ANNUAL_FY:
            out.append(P("year", fy))
    return out


# --------------------------------------------------------------------------------------------
# Simulation
# --------------------------------------------------------------------------------------------
def rng_for(key: str) -> np.random.Generator:
    return np.random.default_rng([SEED, zlib.crc32(key.encode())])


def level_at(ind: Ind, p: P) -> float:
    """The underlying level (before seasonality and noise) at the middle of a period."""
    if p.fy == CURRENT_FY and p.kind != "year":
        q = (p.months[0] - 1) // 3 + 1
        if q in ind.recent:
            return ind.recent[q]
    mid = (p.months[0] + p.months[-1]) / 2 - 1  # 0..11
    t = (p.fy - FIRST_FY) + (mid - 5.5) / 12
    return float(np.interp(t, np.arange(len(ind.levels)), ind.levels))


def season_at(ind: Ind, p: P) -> float:
    """Additive seasonal offset (demeaned), for a month or the mean over a quarter."""
    if not ind.season or p.kind == "year":
        return 0.0
    s = np.asarray(ind.season, dtype=float)
    s = s - s.mean()
    pinned = p.fy == CURRENT_FY and ((p.months[0] - 1) // 3 + 1) in ind.recent
    if len(s) == 4:
        if pinned:
            return 0.0
        return float(s[p.idx - 1]) if p.kind == "quarter" else float(s[(p.idx - 1) // 3])
    if pinned:
        # a pinned quarter keeps its within-quarter shape but not the quarter's offset
        q0 = 3 * ((p.months[0] - 1) // 3)
        return float(s[[m - 1 for m in p.months]].mean() - s[q0 : q0 + 3].mean())
    return float(s[[m - 1 for m in p.months]].mean())


def vol_factor(ind: Ind, p: P) -> float:
    if not ind.vol_season or p.kind == "year":
        return 1.0
    v = np.asarray(ind.vol_season, dtype=float)
    return float(v[[m - 1 for m in p.months]].mean() / v.mean())


def simulate(ind: Ind) -> list[dict]:
    """Rows ``{period, value, numerator, denominator}`` for every reporting period."""
    rng = rng_for(ind.id)
    rows = []
    final = 0.0
    dp = ind.store_dp if ind.store_dp is not None else (ind.decimals + 1 if ind.decimals else 0)
    for p in reporting_periods(ind):
        pinned = p.fy == CURRENT_FY and ((p.months[0] - 1) // 3 + 1) in ind.recent
        row = {"p": p, "value": None, "numerator": None, "denominator": None}
        mu = level_at(ind, p) + season_at(ind, p) if ind.levels else 0.0
        if p.label in ind.fixed:
            fixed = ind.fixed[p.label]
            if isinstance(fixed, tuple):
                row["numerator"], row["denominator"] = fixed
                row["value"] = round(100 * fixed[0] / fixed[1], 4)
            else:
                row["value"] = fixed
        elif ind.profile:
            if p.idx == 1:  # the year's final collection rate, drawn once a year
                final = ind.levels[p.fy - FIRST_FY] + rng.normal(0, ind.noise)
            share = ind.profile[p.idx - 1] / ind.profile[-1]
            row["value"] = round(final * share + rng.normal(0, ind.noise), 2)
        elif ind.aggregation == "ratio":
            expected = ind.volume * vol_factor(ind, p)
            if ind.tonnes:
                den = round(expected * (1 + rng.normal(0, 0.035)), 1)
                frac = mu / 100 + (0 if pinned else rng.normal(0, 0.006))
                num = round(den * frac, 1)
            else:
                den = max(1, int(rng.poisson(expected)))
                frac = min(max(mu / 100, 0.0), 1.0)
                num = round(den * frac) if pinned else int(rng.binomial(den, frac))
            row["numerator"], row["denominator"] = num, den
            row["value"] = round(100 * num / den, 4)
        elif ind.poisson:
            row["value"] = int(rng.poisson(max(mu, 0.0)))
        else:
            noise = ind.noise / 3 if pinned else ind.noise
            value = mu + rng.normal(0, noise)
            row["value"] = int(round(value)) if dp == 0 else round(value, dp)
        rows.append(row)
    if ind.profile:
        _monotone_years(rows)
    return rows


def _monotone_years(rows: list[dict]) -> None:
    """A year-to-date collection rate never falls within a year."""
    best: dict[int, float] = {}
    for row in rows:
        fy = row["p"].fy
        row["value"] = max(row["value"], best.get(fy, 0.0) + 0.01)
        row["value"] = round(row["value"], 2)
        best[fy] = row["value"]


# --------------------------------------------------------------------------------------------
# Roll-ups (the documented rules, for narratives and benchmark consistency)
# --------------------------------------------------------------------------------------------
def rollup(ind: Ind, rows: list[dict], period: P) -> dict | None:
    """The value reported for ``period`` following docs/data-format.md."""
    first = 1 if ind.measure == "cumulative" else period.months[0]
    inside = [
        r
        for r in rows
        if r["p"].fy == period.fy
        and r["value"] is not None
        and first <= r["p"].months[0]
        and r["p"].months[-1] <= period.months[-1]
    ]
    if not inside:
        return None
    if ind.measure == "snapshot" or ind.aggregation == "last":
        r = inside[-1]
        return {"value": r["value"], "numerator": r["numerator"], "denominator": r["denominator"]}
    if ind.aggregation == "sum":
        return {"value": sum(r["value"] for r in inside), "numerator": None, "denominator": None}
    if ind.aggregation == "mean":
        return {
            "value": float(np.mean([r["value"] for r in inside])),
            "numerator": None,
            "denominator": None,
        }
    num = sum(r["numerator"] for r in inside)
    den = sum(r["denominator"] for r in inside)
    return {"value": 100 * num / den, "numerator": num, "denominator": den}


def target_for(ind: Ind, period: P) -> float | None:
    """The target that applies to a period (profiled rows first, then pro-rata year goal)."""
    if not ind.targets:
        return None
    year = ind.targets[period.fy - FIRST_FY]
    if ind.profile:
        return round(year * ind.profile[period.months_elapsed - 1] / ind.profile[-1], 1)
    if ind.measure == "cumulative" and ind.aggregation == "sum":
        return year * period.months_elapsed / 12
    return year


# --------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------
def fmt(x: object, dp: int = 4) -> str:
    """A number as text: rounded, no trailing zeros; blanks stay blank."""
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return ""
    if isinstance(x, int | np.integer):
        return str(int(x))
    text = f"{round(float(x), dp):.{dp}f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def indicators_table() -> pd.DataFrame:
    rows = []
    for ind in INDICATORS:
        rows.append(
            {
                "id": ind.id,
                "name": ind.name,
                "definition": ind.definition,
                "priority": ind.priority,
                "objective": ind.objective,
                "committees": ind.committees,
                "kind": ind.kind,
                "unit": ind.unit,
                "decimals": str(ind.decimals),
                "polarity": ind.polarity,
                "frequency": ind.frequency,
                "measure": ind.measure,
                "aggregation": ind.aggregation,
                "rag_scheme": "",
                "green_within": fmt(ind.green_within),
                "amber_within": fmt(ind.amber_within),
                "tolerance": ind.tolerance,
                "owner": ind.owner,
                "data_collector": ind.collector,
                "data_reviewer": ind.reviewer,
                "data_source": ind.source,
                "collection_method": ind.method,
                "visibility": ind.visibility,
                "risks": ind.risks,
                "last_reviewed": ind.reviewed,
                "reviewed_by": ind.reviewed_by,
                "benchmark_metric": ind.benchmark,
            }
        )
    return pd.DataFrame(rows)


def targets_table() -> pd.DataFrame:
    rows = []
    for ind in INDICATORS:
        if not ind.rated:
            continue
        for fy in TARGET_FYS:
            k = fy - FIRST_FY
            row = {
                "indicator_id": ind.id,
                "period": fy_label(fy),
                "target": "",
                "intervention": "",
                "lower": "",
                "upper": "",
            }
            if ind.band:
                row["lower"], row["upper"] = fmt(ind.band[0]), fmt(ind.band[1])
            else:
                row["target"] = fmt(ind.targets[k])
            if ind.intervention:
                row["intervention"] = fmt(ind.intervention[k])
            rows.append(row)
            if ind.profile:  # profiled in-year targets: quarter rows, then month rows
                for q in range(1, 5):
                    rows.append(
                        {
                            **row,
                            "period": quarter_label(fy, q),
                            "target": fmt(target_for(ind, P("quarter", fy, q))),
                        }
                    )
                for m in range(1, 13):
                    rows.append(
                        {
                            **row,
                            "period": month_label(fy, m),
                            "target": fmt(target_for(ind, P("month", fy, m))),
                        }
                    )
    return pd.DataFrame(rows)


def _audit(ind: Ind, p: P, rng: np.random.Generator) -> dict:
    lag = int(rng.integers(5, 11)) if p.kind != "year" else int(rng.integers(8, 14))
    collected = p.end + dt.timedelta(days=lag)
    if (ind.id, p.label) == LATE_SUBMISSION:
        collected = p.end + dt.timedelta(days=LATE_DAYS)
    approved = collected + dt.timedelta(days=int(rng.integers(1, 6)))
    out = {
        "status": "approved",
        "collected_by": ind.collector,
        "collected_at": collected.isoformat(),
        "approved_by": ind.reviewer,
        "approved_at": approved.isoformat(),
    }
    if (ind.id, p.label) == UNAPPROVED:
        out.update(status="submitted", approved_by="", approved_at="")
    return out


def actuals_table(series: dict[str, list[dict]]) -> pd.DataFrame:
    rows = []
    for ind in INDICATORS:
        rng = rng_for(ind.id + ":audit")
        for r in series[ind.id]:
            p = r["p"]
            audit = _audit(ind, p, rng)
            if (ind.id, p.label) == MISSING_VALUE:
                continue  # survey not returned: the row is absent
            num_dp = 1 if ind.tonnes else 0
            rows.append(
                {
                    "indicator_id": ind.id,
                    "period": p.label,
                    "value": fmt(r["value"]),
                    "numerator": fmt(r["numerator"], num_dp),
                    "denominator": fmt(r["denominator"], num_dp),
                    **audit,
                }
            )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# Narratives
# --------------------------------------------------------------------------------------------
def show(ind: Ind, x: float | None) -> str:
    """A figure as a report would print it."""
    if x is None:
        return "n/a"
    text = f"{x:,.{ind.decimals}f}"
    if ind.unit == "percent":
        return f"{text}%"
    if ind.unit == "days":
        return f"{text} days"
    if ind.unit == "currency":
        return f"£{text}k"
    return text


# (indicator, period, performance_update, approach, future_plans, issues, author, updated_at)
# Placeholders: {v} the period's value, {t} its target, {prev} the previous period, {ly} the
# same period last year, {num}/{den} a ratio's counts.
NARRATIVES: list[tuple[str, ...]] = [
    # ------------------------------------------------------------------ 2026/27 Q2
    (
        "ENV01",
        "2026/27 Q2",
        "The recycling rate for July to September was {v} against a target of {t} ({ly} a year "
        "ago). The hot, dry summer cut garden waste tonnages by around a fifth, which is the main "
        "reason the rate is below target in what is normally our strongest quarter.",
        "Crews are tagging contaminated recycling bins and leaving advice cards, and we have "
        "re-launched the food waste caddy liner offer on social media.",
        "Weekly food waste collections for flats start in January 2027, which we expect to add "
        "about one percentage point to the annual rate.",
        "Garden waste is weather dependent and outside our control. Contamination at the materials "
        "recovery facility remains around 11%.",
        "R. Evans",
        "2026-10-21",
    ),
    (
        "HSG01",
        "2026/27 Q2",
        "{v} households were in temporary accommodation on 30 September, against a target of no "
        "more than {t} (June: {prev}). Demand from private-rented evictions continues to rise and "
        "move-on into settled homes has slowed.",
        "The prevention team now contacts every household served with a Section 21 notice within "
        "two working days, and we have stopped using bed and breakfast for families.",
        "Twelve council-leased homes for temporary accommodation come into use in November; a "
        "private-sector leasing scheme goes to Cabinet in December.",
        "Nightly-paid accommodation is forecast to overspend by £410k this year. The shortage of "
        "homes at Local Housing Allowance rates is the main constraint.",
        "K. Ndlovu",
        "2026-10-24",
    ),
    (
        "HSG02",
        "2026/27 Q2",
        "{v} households had their homelessness prevented or relieved between April and "
        "September, slightly behind the profiled target of {t}. August was low because two "
        "caseworkers were on leave at the same time.",
        "Cases are now triaged daily so that prevention work starts at the first contact.",
        "A tenancy sustainment officer funded by the Homelessness Prevention Grant starts in "
        "November.",
        "Rising caseloads (up 14% on last year) limit the time available for prevention work.",
        "L. Barker",
        "2026-10-24",
    ),
    (
        "HSG06",
        "2026/27 Q2",
        "Disabled Facilities Grants completed this quarter took an average of {v} from referral "
        "to completion, against a target of {t} (Q1: {prev}). Three large extensions completed "
        "this quarter had waited over a year for a contractor.",
        "We have opened a framework for additional contractors and now order stairlifts at "
        "approval rather than at start on site.",
        "The new contractor framework is in place from January 2027; we expect average times to "
        "return below 180 days by Q4.",
        "Only four approved contractors are currently taking work. This quarter's return was "
        "submitted late while the agency's caseworker post was vacant.",
        "R. Sato",
        "2026-11-12",
    ),
    (
        "ECO01",
        "2026/27 Q2",
        "{num} of {den} major applications were decided within 13 weeks or an agreed extension "
        "({v}, target {t}), down from {prev} in Q1. Three applications went over time while "
        "awaiting highway and drainage responses.",
        "Case officers now agree extensions of time at week eight where consultee responses are "
        "outstanding.",
        "A planning performance agreement template for large sites will be published in December.",
        "With so few major applications a single late decision moves the rate by 12 points; the "
        "24-month rolling figure used by government remains well above the 60% threshold.",
        "D. Kowalski",
        "2026-10-19",
    ),
    (
        "ECO02",
        "2026/27 Q2",
        "{num} of {den} minor applications were decided in time ({v} against {t}). Two vacant "
        "planning officer posts have increased caseloads.",
        "Agency cover is in place for one post and validation has moved to the technical support "
        "team to free officer time.",
        "Both vacant posts have been offered; new starters are expected in December.",
        "Recruitment of experienced planners remains difficult across the region.",
        "E. Hughes",
        "2026-10-19",
    ),
    (
        "RES01",
        "2026/27 Q2",
        "{v} of this year's council tax had been collected by the end of September, against a "
        "profile of {t} and {ly} at the same point last year. More residents have moved to 12 "
        "monthly instalments, which shifts collection later in the year.",
        "Reminder notices now go out seven days after a missed instalment, and we text and email "
        "before issuing a summons.",
        "A campaign promoting direct debit runs in November alongside the Council Tax Reduction "
        "scheme consultation.",
        "Cost-of-living pressures continue to affect payment. Year-end collection is forecast at "
        "96.6%, against a target of 97%.",
        "L. Nowak",
        "2026-10-16",
    ),
    (
        "RES03",
        "2026/27 Q2",
        "New Housing Benefit claims took an average of {v} to process in July to September, "
        "against a target of {t} and above the intervention level (Q1: {prev}). Two assessor posts "
        "have been vacant since May.",
        "Claims are now prioritised by age, and experienced assessors from the change events "
        "team have been moved across for two days a week.",
        "Both posts have been recruited; once trained (January) we expect to return to target by "
        "the end of Q4.",
        "Claims remaining on Housing Benefit are increasingly pension-age and supported housing "
        "claims, which take longer to assess.",
        "N. Fraser",
        "2026-10-16",
    ),
    (
        "RES05",
        "2026/27 Q2",
        "{v} working days per FTE have been lost to sickness so far this year, slightly above the "
        "pro-rata target of {t}. Long-term absence (musculoskeletal and stress related) accounts "
        "for 61% of days lost.",
        "Managers receive a monthly absence dashboard and occupational health referrals are made "
        "at four weeks rather than six.",
        "The wellbeing programme adds menopause and mental health first-aid training from "
        "November.",
        "Seasonal illness in Q3 and Q4 usually increases absence, so the annual target is at risk.",
        "P. Singh",
        "2026-10-28",
    ),
    (
        "RES07",
        "2026/27 Q2",
        "{num} of {den} information requests were answered within 20 working days ({v} against "
        "{t}). A small number of complex requests about the leisure contract took longer to "
        "collate.",
        "Each service now has a named FOI contact and overdue requests are escalated to heads of "
        "service weekly.",
        "A publication scheme refresh in January should reduce repeat requests for contract "
        "information.",
        "No significant issues; the Information Commissioner has not contacted us about any "
        "late responses.",
        "R. Evans",
        "2026-10-14",
    ),
    (
        "RES11",
        "2026/27 Q2",
        "{v} of undisputed invoices were paid within 30 days, against {t}. The finance system "
        "upgrade in August delayed approvals for two weeks.",
        "Budget holders now receive daily reminders for invoices awaiting approval.",
        "Automated purchase-order matching goes live in Q3, removing manual matching for most "
        "invoices.",
        "None beyond the upgrade backlog, which was cleared by mid-September.",
        "Head of Finance (Section 151 Officer)",
        "2026-10-14",
    ),
    (
        "RES14",
        "2026/27 Q2",
        "Agency spend is {v} so far this year against a pro-rata budget of {t}, mainly covering "
        "vacant planning and benefits posts.",
        "Agency assignments over 12 weeks now need Corporate Management Team approval.",
        "Permanent appointments to three of the five covered posts take effect by January.",
        "The market supplement for planning officers is being reviewed as part of the pay "
        "policy statement.",
        "I. Murphy",
        "2026-10-28",
    ),
    # on-target updates
    (
        "ENV03",
        "2026/27 Q2",
        "Missed collections averaged {v} per 100,000 this quarter, within the target of {t}.",
        "",
        "",
        "",
        "B. Doyle",
        "2026-10-17",
    ),
    (
        "RES13",
        "2026/27 Q2",
        "Reserves are forecast at {v} of the net budget at year end, inside the 10-15% range "
        "set by the Financial Strategy.",
        "",
        "",
        "",
        "Head of Finance (Section 151 Officer)",
        "2026-10-22",
    ),
    (
        "RES10",
        "2026/27 Q2",
        "{v} of transactions were completed online, above target. The new garden waste renewal "
        "form accounted for most of the increase.",
        "",
        "",
        "",
        "C. Jenkins",
        "2026-10-17",
    ),
    (
        "COM02",
        "2026/27 Q2",
        "{num} of {den} programmed food hygiene inspections were completed ({v}); the backlog "
        "from the pandemic has now been cleared.",
        "",
        "",
        "",
        "Y. Roberts",
        "2026-10-20",
    ),
    # ------------------------------------------------------------------ 2026/27 Q1
    (
        "HSG01",
        "2026/27 Q1",
        "{v} households were in temporary accommodation on 30 June against a target of {t} "
        "({ly} a year earlier).",
        "Prevention casework now starts at the Section 21 notice stage.",
        "Twelve council-leased temporary homes are due to come into use in the autumn.",
        "Nightly-paid accommodation costs are a significant budget pressure.",
        "K. Ndlovu",
        "2026-07-23",
    ),
    (
        "HSG02",
        "2026/27 Q1",
        "{v} households had their homelessness prevented or relieved in April to June, just "
        "below the profiled target of {t}.",
        "Daily triage of new approaches has been introduced.",
        "A tenancy sustainment post has been approved.",
        "Caseloads are higher than last year.",
        "L. Barker",
        "2026-07-23",
    ),
    (
        "HSG06",
        "2026/27 Q1",
        "Grants completed in Q1 took an average of {v}, above the target of {t}.",
        "Stairlifts are now ordered at grant approval.",
        "A contractor framework will be procured over the summer.",
        "Limited contractor capacity for extensions.",
        "R. Sato",
        "2026-07-30",
    ),
    (
        "RES01",
        "2026/27 Q1",
        "{v} of council tax was collected by the end of June against a profile of {t}.",
        "Reminders now follow seven days after a missed instalment.",
        "Direct debit promotion planned for the autumn.",
        "More residents are paying over 12 months rather than 10.",
        "L. Nowak",
        "2026-07-17",
    ),
    (
        "RES03",
        "2026/27 Q1",
        "New claims took an average of {v} in April to June, against a target of {t}. April is "
        "always our busiest month, and two assessor posts became vacant in May.",
        "Change-events assessors are supporting new claims two days a week.",
        "Recruitment to both posts is under way.",
        "Pension-age and supported housing claims are more complex to assess.",
        "N. Fraser",
        "2026-07-17",
    ),
    (
        "RES04",
        "2026/27 Q1",
        "Change events took an average of {v} in Q1 against {t}. The annual uprating and April "
        "rent changes create a seasonal peak.",
        "Overtime was used in April and May to clear the uprating backlog.",
        "Performance is expected to return to target from July.",
        "Staff have been moved to support new claims.",
        "O. Clarke",
        "2026-07-17",
    ),
    (
        "RES11",
        "2026/27 Q1",
        "{v} of undisputed invoices were paid within 30 days against {t}.",
        "Budget holders receive weekly lists of invoices awaiting approval.",
        "Automated purchase-order matching is planned for Q3.",
        "A finance system upgrade is scheduled for August.",
        "Head of Finance (Section 151 Officer)",
        "2026-07-17",
    ),
    (
        "RES12",
        "2026/27 Q1",
        "One RIDDOR-reportable incident occurred in Q1: a refuse loader was injured stepping off "
        "the vehicle, resulting in more than seven days' absence.",
        "The incident was investigated and the step-off procedure re-briefed to all crews.",
        "Anti-slip step plates are being fitted to the refuse fleet by September.",
        "None.",
        "G. Bennett",
        "2026-07-20",
    ),
    (
        "RES14",
        "2026/27 Q1",
        "Agency spend was {v} in Q1 against a pro-rata budget of {t}.",
        "Long assignments now need Corporate Management Team approval.",
        "Recruitment campaigns for planning and benefits posts are under way.",
        "Hard-to-fill posts.",
        "I. Murphy",
        "2026-07-28",
    ),
    (
        "ECO01",
        "2026/27 Q1",
        "{num} of {den} major applications were decided within 13 weeks or agreed time ({v}).",
        "",
        "",
        "",
        "D. Kowalski",
        "2026-07-21",
    ),
    # ------------------------------------------------------------------ older periods
    (
        "HSG01",
        "2025/26 Q4",
        "{v} households were in temporary accommodation on 31 March against a target of {t}.",
        "Temporary accommodation placements are reviewed weekly by the Housing Options Manager.",
        "A business case for council-leased temporary homes goes to Cabinet in May.",
        "Demand continues to rise nationally and locally.",
        "K. Ndlovu",
        "2026-04-22",
    ),
    (
        "HSG01",
        "2025/26 Q3",
        "{v} households were in temporary accommodation on 31 December against a target of {t}.",
        "Two additional prevention caseworkers started in November.",
        "Options for council-leased temporary homes are being costed.",
        "Rising evictions from the private rented sector.",
        "K. Ndlovu",
        "2026-01-21",
    ),
    (
        "ENV01",
        "2025/26 Q3",
        "The recycling rate for October to December was {v}, below the annual target of {t}, as "
        "expected in winter when there is little garden waste.",
        "Christmas recycling guidance was sent to every household with the collection calendar.",
        "Food waste collections for flats are planned for 2027.",
        "The annual target is set for the whole year; Q3 and Q4 are always below it.",
        "R. Evans",
        "2026-01-19",
    ),
    (
        "RES03",
        "2025/26 Q1",
        "New claims took an average of {v} in April to June against a target of {t}, because of "
        "the usual April peak.",
        "Overtime was used to clear the April backlog.",
        "Performance is expected to return to target from July.",
        "None.",
        "N. Fraser",
        "2025-07-18",
    ),
    (
        "ECO02",
        "2025/26 Q4",
        "{num} of {den} minor applications were decided in time ({v} against {t}).",
        "Extensions of time are agreed earlier in the process.",
        "A planning service review will report in the summer.",
        "Officer vacancies.",
        "E. Hughes",
        "2026-04-20",
    ),
    (
        "ENV07",
        "2025/26",
        "Emissions from council operations were {v} tCO2e in 2025/26, against a target of {t} "
        "and {ly} the year before.",
        "The fleet replacement programme has replaced nine diesel vans with electric vans.",
        "The heat-pump retrofit at Northmoor Leisure Centre, the council's largest single "
        "source of emissions, is scheduled for 2027/28.",
        "The retrofit depends on a Public Sector Decarbonisation Scheme bid; without it the 2035 "
        "net zero date is at risk.",
        "Head of Climate and Sustainability",
        "2026-07-14",
    ),
    (
        "ECO06",
        "2025/26",
        "The summer survey found {v} of ground-floor town-centre units vacant, against a target "
        "of {t} ({ly} the year before). Two national retailers closed their Northmoor branches.",
        "The shop-front improvement grant has been extended to all three town centres.",
        "A meanwhile-use scheme for the former department store opens for pop-up traders in "
        "spring 2027.",
        "High business rates and online competition continue to affect comparison retail.",
        "I. Murphy",
        "2026-07-21",
    ),
]


def _period(label: str) -> P:
    if " Q" in label:
        fy, q = label.split(" Q")
        return P("quarter", int(fy[:4]), int(q))
    if "/" in label:
        return P("year", int(label[:4]))
    y, m = (int(x) for x in label.split("-"))
    fy = y if m >= 4 else y - 1
    return P("month", fy, (m - 4) % 12 + 1)


def _previous(p: P) -> P:
    if p.kind == "year":
        return P("year", p.fy - 1)
    n = 4 if p.kind == "quarter" else 12
    return P(p.kind, p.fy - 1, n) if p.idx == 1 else P(p.kind, p.fy, p.idx - 1)


def narratives_table(series: dict[str, list[dict]]) -> pd.DataFrame:
    by_id = {ind.id: ind for ind in INDICATORS}
    rows = []
    for ind_id, label, perf, approach, future, issues, author, updated in NARRATIVES:
        ind = by_id[ind_id]
        p = _period(label)
        cur = rollup(ind, series[ind_id], p) or {}
        prev = rollup(ind, series[ind_id], _previous(p)) or {}
        ly = rollup(ind, series[ind_id], P(p.kind, p.fy - 1, p.idx)) or {}
        target = target_for(ind, p)
        ctx = {
            "v": show(ind, cur.get("value")),
            "t": show(ind, target),
            "prev": show(ind, prev.get("value")),
            "ly": show(ind, ly.get("value")),
            "num": fmt(cur.get("numerator"), 0),
            "den": fmt(cur.get("denominator"), 0),
        }
        rows.append(
            {
                "indicator_id": ind_id,
                "period": label,
                "performance_update": perf.format(**ctx),
                "approach": approach.format(**ctx),
                "future_plans": future.format(**ctx),
                "issues": issues.format(**ctx),
                "author": author,
                "updated_at": updated,
            }
        )
    order = {ind.id: i for i, ind in enumerate(INDICATORS)}
    rows.sort(key=lambda r: (order[r["indicator_id"]], _period(r["period"]).end))
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# Benchmarks
# --------------------------------------------------------------------------------------------
PEERS = [
    ("E07000901", "Eastwold"),
    ("E07000902", "Harrowdale"),
    ("E07000903", "Brackenford"),
    ("E07000904", "Kestrel Vale"),
    ("E07000905", "Oakhallow"),
    ("E07000906", "Fernleigh"),
    ("E07000907", "Greywater"),
    ("E07000908", "Wrenfield"),
    ("E07000909", "Hallowmere"),
    ("E07000910", "Thistlecombe"),
    ("E07000911", "Redmarsh"),
    ("E07000912", "Amberleigh"),
    ("E07000913", "Copperdale"),
    ("E07000914", "Norbeck"),
    ("E07000915", "Willowbrook"),
]
OTHERS = [
    ("E07000916", "Saltmere"),
    ("E07000917", "Highcross"),
    ("E07000918", "Blackthorn Vale"),
    ("E07000919", "Dunmoor"),
]
COUNTY = ("E07000901", "E07000903", "E07000905", "E07000908", "E07000911", "E07000914")
BENCH_YEARS = range(2019, 2026)  # 2019/20 .. 2025/26
BENCH_QUARTERS = [(fy, q) for fy in range(2023, 2027) for q in range(1, 5) if (fy, q) <= (2026, 1)]
# Published "missing" cells (blank value): (area, metric, period)
BENCH_MISSING = {
    ("E07000904", "hb_new_claims_days", "2021/22"),
    ("E07000910", "sickness_days_per_fte", "2023/24"),
}

METRICS = [
    # metric, name, unit, polarity, source, national level by year 2019/20.., area spread, noise
    (
        "household_recycling_pct",
        "Household waste sent for reuse, recycling or composting",
        "percent",
        "higher",
        "Defra local authority collected waste statistics (ENV18) - fictional demo values",
        (45.0, 44.2, 44.9, 44.6, 45.1, 45.6, 46.0),
        5.5,
        1.0,
    ),
    (
        "major_planning_13wk_pct",
        "Major planning applications decided in 13 weeks or agreed time",
        "percent",
        "higher",
        "MHCLG planning application statistics (table P151) - fictional demo values",
        (88.0, 87.0, 86.5, 87.5, 88.5, 89.0, 88.5),
        5.0,
        3.0,
    ),
    (
        "council_tax_collection_pct",
        "Council tax collected in year",
        "percent",
        "higher",
        "MHCLG collection rates for council tax and business rates (QRC4) - fictional demo values",
        (97.6, 96.4, 96.8, 96.9, 96.8, 96.9, 96.9),
        0.7,
        0.15,
    ),
    (
        "hb_new_claims_days",
        "Average days to process new Housing Benefit claims",
        "days",
        "lower",
        "DWP Housing Benefit speed of processing - fictional demo values",
        (19.5, 18.0, 20.5, 20.0, 19.5, 19.0, 19.5),
        3.5,
        1.2,
    ),
    (
        "temp_accommodation_per_1000",
        "Households in temporary accommodation per 1,000 households (31 March)",
        "rate",
        "lower",
        "MHCLG statutory homelessness statistics (table TA1) - fictional demo values",
        (0.75, 0.82, 0.88, 1.0, 1.18, 1.36, 1.52),
        0.35,
        0.08,
    ),
    (
        "sickness_days_per_fte",
        "Working days lost to sickness absence per FTE",
        "days",
        "lower",
        "LGA workforce survey via LG Inform - fictional demo values",
        (8.8, 7.4, 9.2, 9.6, 9.3, 9.1, 9.0),
        1.1,
        0.4,
    ),
]


def households(year: int, base: int) -> int:
    return int(round(base * 1.009 ** (year - 2019)))


def northmoor_benchmarks(series: dict[str, list[dict]]) -> dict[tuple[str, str], dict]:
    """Northmoor's published figures, consistent with its own outturns from 2022/23."""
    by_id = {ind.id: ind for ind in INDICATORS}
    out: dict[tuple[str, str], dict] = {}
    early = {  # 2019/20-2021/22, before the indicator history in this data set
        "household_recycling_pct": (46.1, 45.3, 47.4),
        "council_tax_collection_pct": (97.6, 96.2, 96.7),
        "hb_new_claims_days": (20.8, 19.4, 23.1),
        "temp_accommodation_per_1000": (0.48, 0.55, 0.66),
        "sickness_days_per_fte": (9.6, 8.1, 10.2),
    }
    rng = rng_for("bench:" + AREA_CODE)
    for metric, vals in early.items():
        for fy, v in zip(range(2019, 2022), vals, strict=True):
            row = {"value": v, "numerator": None, "denominator": None}
            if metric == "household_recycling_pct":
                den = round(4300 * 12 * (1 + rng.normal(0, 0.02)), 1)
                row.update(numerator=round(den * v / 100, 1), denominator=den)
                row["value"] = round(100 * row["numerator"] / den, 1)
            if metric == "temp_accommodation_per_1000":
                hh = households(fy, HOUSEHOLDS_2019)
                num = int(round(v * hh / 1000))
                row.update(numerator=num, denominator=hh, value=round(1000 * num / hh, 2))
            out[(metric, fy_label(fy))] = row
    for fy, (num, den) in zip(range(2019, 2022), ((31, 34), (26, 30), (33, 37)), strict=True):
        out[("major_planning_13wk_pct", fy_label(fy))] = {
            "value": round(100 * num / den, 1),
            "numerator": num,
            "denominator": den,
        }
    for fy in range(FIRST_FY, LAST_ANNUAL_FY + 1):
        year = P("year", fy)
        lab = fy_label(fy)
        r = rollup(by_id["ENV01"], series["ENV01"], year)
        out[("household_recycling_pct", lab)] = {
            "value": round(r["value"], 1),
            "numerator": round(r["numerator"], 1),
            "denominator": round(r["denominator"], 1),
        }
        r = rollup(by_id["ECO01"], series["ECO01"], year)
        out[("major_planning_13wk_pct", lab)] = {
            "value": round(r["value"], 1),
            "numerator": r["numerator"],
            "denominator": r["denominator"],
        }
        r = rollup(by_id["RES01"], series["RES01"], year)
        out[("council_tax_collection_pct", lab)] = {"value": round(r["value"], 1)}
        r = rollup(by_id["RES03"], series["RES03"], year)
        out[("hb_new_claims_days", lab)] = {"value": round(r["value"], 1)}
        r = rollup(by_id["HSG01"], series["HSG01"], year)
        hh = households(fy, HOUSEHOLDS_2019)
        out[("temp_accommodation_per_1000", lab)] = {
            "value": round(1000 * r["value"] / hh, 2),
            "numerator": r["value"],
            "denominator": hh,
        }
        r = rollup(by_id["RES05"], series["RES05"], year)
        out[("sickness_days_per_fte", lab)] = {"value": round(r["value"], 1)}
    for fy, q in BENCH_QUARTERS:
        r = rollup(by_id["ECO01"], series["ECO01"], P("quarter", fy, q))
        out[("major_planning_13wk_pct", quarter_label(fy, q))] = {
            "value": round(r["value"], 1),
            "numerator": r["numerator"],
            "denominator": r["denominator"],
        }
    return out


def benchmark_tables(series: dict[str, list[dict]]) -> dict[str, pd.DataFrame]:
    areas = [(AREA_CODE, AREA_NAME), *PEERS, *OTHERS]
    own = northmoor_benchmarks(series)
    rows = []
    for metric, _name, _unit, _pol, _src, national, spread, noise in METRICS:
        for code, name in areas:
            periods = [fy_label(fy) for fy in BENCH_YEARS]
            if metric == "major_planning_13wk_pct":
                periods += [quarter_label(fy, q) for fy, q in BENCH_QUARTERS]
            rng = rng_for(f"bench:{metric}:{code}")
            effect = float(rng.normal(0, 1))
            drift = float(rng.normal(0, 0.15))
            hh_base = int(rng.integers(38_000, 72_000))
            for k, label in enumerate(periods):
                row = {
                    "area_code": code,
                    "area_name": name,
                    "metric": metric,
                    "period": label,
                    "value": None,
                    "numerator": None,
                    "denominator": None,
                }
                if code == AREA_CODE:
                    row.update(own[(metric, label)])
                else:
                    fy = int(label[:4])
                    base = national[min(fy - 2019, len(national) - 1)]
                    row.update(
                        _peer_value(
                            metric,
                            base,
                            spread,
                            noise,
                            effect,
                            drift,
                            k,
                            fy,
                            hh_base,
                            " Q" in label,
                            rng,
                        )
                    )
                if (code, metric, label) in BENCH_MISSING:
                    row.update(value=None, numerator=None, denominator=None)
                rows.append(row)
    bench = pd.DataFrame(rows)
    bench["value"] = [fmt(v, 2) for v in bench["value"]]
    bench["numerator"] = [fmt(v, 1) for v in bench["numerator"]]
    bench["denominator"] = [fmt(v, 1) for v in bench["denominator"]]
    metrics = pd.DataFrame(
        [m[:5] for m in METRICS], columns=["metric", "name", "unit", "polarity", "source"]
    )
    groups = [
        ("nearest-neighbours", AREA_CODE, AREA_NAME),
        *(("nearest-neighbours", c, n) for c, n in PEERS),
    ]
    groups += [
        ("county", AREA_CODE, AREA_NAME),
        *(("county", c, n) for c, n in PEERS if c in COUNTY),
    ]
    peer_groups = pd.DataFrame(groups, columns=["group", "area_code", "area_name"])
    return {"benchmark": bench, "metrics": metrics, "peer_groups": peer_groups}


def _peer_value(
    metric: str,
    base: float,
    spread: float,
    noise: float,
    effect: float,
    drift: float,
    k: int,
    fy: int,
    hh_base: int,
    quarterly: bool,
    rng: np.random.Generator,
) -> dict:
    years = fy - 2019
    if metric == "temp_accommodation_per_1000":
        rate = base * np.exp(0.35 * effect + 0.3 * drift * years) + rng.normal(0, noise)
        rate = min(max(rate, 0.1), 4.5)
        hh = households(fy, hh_base)
        num = int(round(rate * hh / 1000))
        return {"value": round(1000 * num / hh, 2), "numerator": num, "denominator": hh}
    if metric == "major_planning_13wk_pct":
        p = min(max(base + spread * effect + 10 * drift * years, 40.0), 100.0) / 100
        den = max(1, int(rng.poisson(9 if quarterly else 36)))
        num = int(rng.binomial(den, p))
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
# Entry point
# --------------------------------------------------------------------------------------------
def simulate_all() -> dict[str, list[dict]]:
    return {ind.id: simulate(ind) for ind in INDICATORS}


def _write(frame: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")


def generate(out_dir: Path) -> None:
    """Write the four tables to ``out_dir`` and the benchmark tables to ``out_dir/benchmarks``."""
    out_dir = Path(out_dir)
    series = simulate_all()
    _write(indicators_table(), out_dir / "indicators.csv")
    _write(targets_table(), out_dir / "targets.csv")
    _write(actuals_table(series), out_dir / "actuals.csv")
    _write(narratives_table(series), out_dir / "narratives.csv")
    for name, frame in benchmark_tables(series).items():
        _write(frame, out_dir / "benchmarks" / f"{name}.csv")


if __name__ == "__main__":
    generate(Path(__file__).resolve().parent)
