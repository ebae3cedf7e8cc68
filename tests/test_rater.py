"""A report's shared rating (pmlib.rating.rater.Rater) and lag-only re-rating give the frames of
the one-call, whole-library ratings, exactly: on the demo council and on generated councils
with every cadence, measure, polarity, reporting lags, reviewers' overrides, missing periods
and retired indicators."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal
from rating_fixtures import make_dataset

from pmlib.core.periods import Period, parse_period
from pmlib.rating.engine import _context, _period_years, _rate_at, rate_history, rate_period
from pmlib.rating.lags import due_periods, lag_months, with_lags
from pmlib.rating.rater import Rater
from pmlib.rating.targets import targets_at

FREQUENCIES = ["monthly", "quarterly", "six-monthly", "annual", "biennial"]
LAGS = [None, None, "1 quarter", "2 months", "1 half-year", "1 year", "8 working days"]
YEARS = range(2023, 2027)


def _label(fy: int) -> str:
    return f"{fy}/{(fy + 1) % 100:02d}"


def _periods(frequency: str, fy: int) -> list[str]:
    if frequency == "monthly":
        start = pd.Period(f"{fy}-04", freq="M")
        return [str(start + k) for k in range(12)]
    if frequency == "quarterly":
        return [f"{_label(fy)} Q{q}" for q in range(1, 5)]
    if frequency == "six-monthly":
        return [f"{_label(fy)} H{h}" for h in (1, 2)]
    if frequency == "biennial" and fy % 2:
        return []
    return [_label(fy)]


def generated_council(seed: int):
    """A council of a few indicators drawn at random: cadences, measures, aggregations,
    polarities (bands too), units, schemes, lags, gaps in the figures, blank and partial target
    rows, overrides on some figures and a retired indicator now and then."""
    rng = np.random.default_rng(seed)
    indicators, targets, actuals = [], [], []
    for i in range(int(rng.integers(3, 9))):
        ind = f"I{i}"
        frequency = str(rng.choice(FREQUENCIES))
        polarity = str(rng.choice(["higher", "lower", "band"]))
        indicators.append(
            {
                "id": ind,
                "frequency": frequency,
                "measure": str(rng.choice(["period", "cumulative", "snapshot"])),
                "aggregation": str(rng.choice(["sum", "mean", "last", "ratio"])),
                "unit": str(rng.choice(["percent", "number"])),
                "polarity": polarity,
                "kind": "statistic" if rng.random() < 0.15 else "KPI",
                "decimals": int(rng.integers(0, 3)),
                "rag_scheme": rng.choice([None, "london-improved"]),
            }
        )
        for fy in YEARS:
            for period in _periods(frequency, fy):
                if rng.random() < 0.15:  # a period never supplied
                    continue
                value = np.nan if rng.random() < 0.05 else round(float(rng.normal(50, 12)), 2)
                row = {"indicator_id": ind, "period": period, "value": value}
                row["status"] = str(rng.choice(["approved", "approved", "submitted", "draft"]))
                if rng.random() < 0.2:
                    row |= {"value": np.nan, "numerator": float(rng.integers(1, 90))}
                    row["denominator"] = float(rng.integers(90, 120))
                actuals.append(row)
            target_periods = [_label(fy)] if rng.random() < 0.85 else []
            if frequency in ("monthly", "quarterly") and rng.random() < 0.3:
                target_periods.append(f"{_label(fy)} Q{int(rng.integers(1, 5))}")
            if frequency == "monthly" and rng.random() < 0.2:
                target_periods.append(str(rng.choice(_periods("monthly", fy))))
            if frequency == "six-monthly" and rng.random() < 0.5:
                target_periods.append(f"{_label(fy)} H{int(rng.integers(1, 3))}")
            for period in target_periods:
                level = round(float(rng.normal(50, 8)), int(rng.integers(0, 2)))
                row = {"indicator_id": ind, "period": period}
                if rng.random() < 0.05:
                    pass  # a blank placeholder row
                elif polarity == "band":
                    row |= {"lower": level - 5, "upper": level + 5 if rng.random() < 0.8 else None}
                else:
                    row["target"] = level
                    if rng.random() < 0.3:
                        row["intervention"] = level - 10 if polarity == "higher" else level + 10
                targets.append(row)
    ds = make_dataset(indicators, targets, actuals, dot_tolerance=float(rng.choice([0.0, 0.5])))
    n = len(ds.indicators)
    lags = [rng.choice(LAGS) for _ in range(n)]
    valid_to = [
        str(rng.choice(["2025/26", "2026/27"])) if rng.random() < 0.1 else None for _ in lags
    ]
    ind = ds.indicators.assign(
        reporting_lag=pd.Series(lags, dtype="str"), valid_from=None, valid_to=valid_to
    )
    act = ds.actuals
    over = rng.random(len(act)) < 0.2
    act = act.assign(
        rag_override=pd.Series(
            np.where(over, rng.choice(["Green", "Amber", "Red"], len(act)), None), dtype="str"
        ),
        override_reason=pd.Series(np.where(over, "reviewed: one-off", None), dtype="str"),
        override_by=pd.Series(np.where(over, "A. Reviewer", None), dtype="str"),
    )
    return dataclasses.replace(ds, indicators=ind, actuals=act)


PERIODS = [
    *(Period("quarter", fy, q) for fy in (2025, 2026) for q in range(1, 5)),
    *(Period("month", 2026, m) for m in (1, 3, 5, 9, 12)),
    Period("half", 2026, 1),
    Period("half", 2025, 2),
    Period("year", 2025),
    Period("year", 2026),
]


SEEDS = st.integers(0, 2**32 - 1)
#: a few periods of every kind, in any order (a Rater's context grows as later calls need)
SOME_PERIODS = st.permutations(PERIODS).map(lambda periods: periods[:5])
SLOW = settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SLOW
@given(seed=SEEDS, periods=SOME_PERIODS, order=st.randoms(use_true_random=False))
def test_one_rater_gives_the_frames_of_separate_rating_calls(seed, periods, order):
    ds = generated_council(seed)
    rater = Rater(ds)
    for p in periods:
        assert_frame_equal(rater.rate_period(p), rate_period(ds, p), check_exact=True)
        n, lags = order.randint(1, 8), order.random() < 0.5
        assert_frame_equal(
            rater.rate_history(p, kind=p.kind, periods=n, lags=lags),
            rate_history(ds, p, kind=p.kind, periods=n, lags=lags),
            check_exact=True,
        )


@SLOW
@given(seed=SEEDS, periods=SOME_PERIODS)
def test_lagged_indicators_rated_alone_match_the_whole_library_rated_at_the_due_period(
    seed, periods
):
    ds = generated_council(seed)
    months = lag_months(ds.indicators)
    for p in periods:
        ctx = _context(ds, {p.kind}, _period_years(p, months))
        whole = with_lags(lambda q, ctx=ctx: _rate_at(ctx, q), p, months)
        alone = with_lags(
            lambda q, ctx=ctx: _rate_at(ctx, q),
            p,
            months,
            lambda q, rows, ctx=ctx: _rate_at(ctx.take(rows), q),
        )
        assert_frame_equal(alone, whole, check_exact=True)


@SLOW
@given(seed=SEEDS, periods=SOME_PERIODS)
def test_a_lagged_row_is_its_indicators_own_rating_at_the_due_period(seed, periods):
    """What a lagged row says, pinned without the engine's lag code: the indicator rated with
    no lag at its due period, under the report's period and with the reason naming the lag."""
    ds = generated_council(seed)
    months = lag_months(ds.indicators)
    unlagged = dataclasses.replace(ds, indicators=ds.indicators.assign(reporting_lag=None))
    for p in periods:
        rated = rate_period(ds, p).set_index("indicator_id")
        for m, due in due_periods(p, months).items():
            if due == p:
                continue
            own = rate_period(unlagged, due).set_index("indicator_id")
            for ind in ds.indicators["id"][months == m]:
                if ind not in rated.index:  # retired by the report's period
                    continue
                got, want = rated.loc[ind], own.loc[ind]
                same = [c for c in rated.columns if c not in ("period", "period_end", "rag_reason")]
                same = [c for c in same if c not in ("ordinal", "lagged")]
                assert got[same].equals(want[same]), ind
                assert (got["period"], got["lagged"], got["reported_period"]) == (
                    p.label,
                    True,
                    want["reported_period"],
                )
                assert got["rag_reason"].startswith(f"{due.label} figure, reported ")
                assert got["rag_reason"].endswith(f": {want['rag_reason']}")


@settings(max_examples=30, deadline=None)
@given(seed=SEEDS, fy=st.sampled_from(list(YEARS)))
def test_target_look_ups_match_a_row_by_row_reading_of_the_rules(seed, fy):
    """The most specific row with a target, lower or upper wins whole; the later of two."""
    ds = generated_council(seed)
    t = ds.targets
    for p in [Period("year", fy), Period("half", fy, 2), Period("quarter", fy, 3)]:
        got = targets_at(t, ds.indicators["id"], p)
        for i, ind in enumerate(ds.indicators["id"]):
            rows = t[(t["indicator_id"] == ind) & (t["fy"] == fy)]
            rows = rows[rows[["target", "lower", "upper"]].notna().any(axis=1)]
            level = {"year": 0, "half": 1, "quarter": 2, "month": 3}
            fits = [
                (level[k], n)
                for n, (k, q, label) in enumerate(
                    zip(rows["period_kind"], rows["quarter"], rows["period"], strict=True)
                )
                if k == "year"
                or (k == "half" and p.kind != "year" and label.endswith(f"H{p.half}"))
                or (k == "quarter" and p.kind == "quarter" and q == p.quarter)
            ]
            if not fits:
                assert pd.isna(got["target_period"][i]) and np.isnan(got["target"][i])
                continue
            best = rows.iloc[max(fits)[1]]
            assert got["target_period"][i] == best["period"]
            assert got["target_kind"][i] == best["period_kind"]
            for c in ("target", "intervention", "lower", "upper"):
                assert got[c][i] == best[c] or (np.isnan(got[c][i]) and pd.isna(best[c]))


@pytest.fixture(scope="module")
def demo():
    from conftest import DEMO, ROOT

    from pmlib.data.validate import read_dataset

    return read_dataset(DEMO, ROOT / "parameters")


@pytest.mark.parametrize(
    "committee", ["cabinet", "environment", "communities", "resources", "performance-board"]
)
def test_a_demo_report_rates_as_the_separate_calls_did(demo, committee):
    from pmlib.reports.committee import HISTORY_PERIODS, CommitteeReport

    period = parse_period("2026/27 Q2")
    report = CommitteeReport(
        dataset=demo, committee=demo.settings.committees[committee], period=period
    )
    ds, ids = report.dataset, report.indicators.index

    def mine(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[frame["indicator_id"].isin(ids)].reset_index(drop=True)

    assert_frame_equal(report.rated, mine(rate_period(ds, period)), check_exact=True)
    previous = mine(rate_period(ds, period.previous()))
    assert_frame_equal(report.previous, previous, check_exact=True)
    history = rate_history(ds, period, kind="quarter", periods=HISTORY_PERIODS, lags=True)
    assert_frame_equal(report.history, mine(history), check_exact=True)
    year = period.year().previous()
    assert_frame_equal(report.rater.rate_period(year), rate_period(ds, year), check_exact=True)


def test_a_period_asked_again_is_not_rated_again_and_each_caller_owns_its_frame(demo):
    """A kernel's reports ask its Rater for the same periods: the second asking is answered
    from the first (no rating, no lagged rows replaced again), and what one caller does to
    its frame never reaches the next."""
    rater = Rater(demo)
    period = parse_period("2026/27 Q2")
    first = rater.rate_period(period)
    history = rater.rate_history(period, kind="quarter", periods=4, lags=True)
    expected, expected_history = first.copy(), history.copy()
    first["rag"] = "tampered"
    first.loc[0, "value"] = -1.0
    del history["rag"]
    calls = []
    real = rater._at
    rater._at = lambda *args: calls.append(args) or real(*args)
    assert_frame_equal(rater.rate_period(period), expected, check_exact=True)
    again = rater.rate_history(period, kind="quarter", periods=4, lags=True)
    assert_frame_equal(again, expected_history, check_exact=True)
    assert calls == []
    assert_frame_equal(expected, rate_period(demo, period), check_exact=True)
    other = rater.rate_history(period, kind="quarter", periods=4, lags=False)
    assert len(calls) == 4 and len(other) >= len(again)  # other arguments: rated afresh
