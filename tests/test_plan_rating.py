"""Key actions, risks, audit actions and budgets rated by hand-worked rules (pmlib.rating.actions,
risks, audit, finance). Every expected value below is worked out from the rule in the module's
docstring, for the quarter 2026/27 Q2 (1 July to 30 September 2026)."""

from __future__ import annotations

import pandas as pd
import pytest

from pmlib.core.periods import parse_period
from pmlib.core.plan import ActionRules, FinanceRules, RiskBand, RiskRules
from pmlib.data.plan_tables import empty_table
from pmlib.rating.actions import next_period, rate_actions, status_counts
from pmlib.rating.audit import audit_counts, rate_audit_actions
from pmlib.rating.finance import rate_finance
from pmlib.rating.risks import band_scores, heat_counts, rate_risks

Q2 = parse_period("2026/27 Q2")


def _table(name: str, rows: list[dict]) -> pd.DataFrame:
    """A typed table as validation gives it, from a few hand-written rows."""
    base = empty_table(name)
    frame = pd.DataFrame(rows)
    for col in base.columns:
        if col not in frame:
            frame[col] = None
        dtype = base[col].dtype
        if pd.api.types.is_datetime64_any_dtype(dtype):
            frame[col] = pd.to_datetime(frame[col])
        elif col == "period":
            continue
        else:
            frame[col] = frame[col].astype(dtype)
    if "period" in frame:
        frame["ordinal"] = [parse_period(p).ordinal for p in frame["period"]]
    return frame[list(base.columns)]


# -- actions: each status × due date ------------------------------------------------------
ACTION_CASES = [
    # (status, start, due, revised_due, rag, overdue)
    ("on track", None, "2027-03-31", None, "Green", False),
    ("on track", None, "2026-09-30", None, "Red", True),  # due on the period's last day
    ("on track", None, "2026-10-01", None, "Green", False),  # due the day after
    ("at risk", None, "2027-03-31", None, "Amber", False),
    ("off track", None, "2027-03-31", None, "Red", False),
    ("at risk", None, "2026-08-15", None, "Red", True),
    ("complete", None, "2026-06-30", None, "Green", False),  # late but done: not overdue
    ("cancelled", None, "2026-06-30", None, "Grey", False),
    ("deferred", None, "2026-06-30", "2027-01-31", "Amber", False),  # revised date ahead
    ("deferred", None, "2026-06-30", None, "Red", True),
    ("on track", None, "2027-03-31", "2026-09-01", "Red", True),  # the revised date counts
    ("not started", "2026-11-01", "2027-03-31", None, "Grey", False),  # not yet due
    ("not started", None, "2027-03-31", None, "Grey", False),
    ("not started", "2026-09-01", "2027-03-31", None, "Amber", False),  # late start
    ("not started", "2026-09-01", "2026-09-15", None, "Red", True),  # overdue beats late start
]


@pytest.mark.parametrize(("status", "start", "due", "revised", "rag", "overdue"), ACTION_CASES)
def test_action_rag_for_each_status_and_due_date(status, start, due, revised, rag, overdue):
    actions = _table(
        "actions",
        [
            {
                "id": "A",
                "title": "t",
                "status": status,
                "start": start,
                "due": due,
                "revised_due": revised,
            }
        ],  # fmt: skip
    )
    [row] = rate_actions(actions, empty_table("action_updates"), Q2).to_dict("records")
    assert (row["rag"], row["overdue"]) == (rag, overdue)


def test_action_reasons_say_why():
    actions = _table(
        "actions",
        [
            {"id": "A", "title": "t", "status": "on track", "due": "2026-08-15"},
            {
                "id": "B",
                "title": "t",
                "status": "not started",
                "start": "2026-11-01",
                "due": "2027-03-31",
            },  # fmt: skip
            {
                "id": "C",
                "title": "t",
                "status": "at risk",
                "due": "2026-06-30",
                "revised_due": "2026-12-31",
            },  # fmt: skip
        ],
    )
    reasons = rate_actions(actions, empty_table("action_updates"), Q2)["rag_reason"].tolist()
    assert reasons == [
        "Overdue: due 15 August 2026 and not complete (status: on track).",
        "Not yet due: starts 1 November 2026, due 31 March 2027.",
        "At risk, revised due 31 December 2026.",
    ]


def test_this_periods_update_sets_status_and_progress_and_others_are_ignored():
    actions = _table(
        "actions",
        [
            {
                "id": "A",
                "title": "t",
                "status": "on track",
                "due": "2027-03-31",
                "percent_complete": 10,
            },  # fmt: skip
            {"id": "B", "title": "t", "status": "on track", "due": "2027-03-31"},
        ],
    )
    updates = _table(
        "action_updates",
        [
            {
                "action_id": "A",
                "period": "2026/27 Q2",
                "status": "at risk",
                "percent_complete": 35,
                "update": "Slipping.",
            },  # fmt: skip
            {"action_id": "B", "period": "2026/27 Q1", "status": "off track", "update": "Old."},
        ],
    )
    rated = rate_actions(actions, updates, Q2).set_index("id")
    assert rated.loc["A", ["status", "percent_complete", "rag", "update"]].tolist() == [
        "at risk",
        35.0,
        "Amber",
        "Slipping.",
    ]
    assert rated.loc["B", "rag"] == "Green"  # Q1's update is not Q2's
    assert rated["has_update"].tolist() == [True, False]


def test_milestones_due_this_quarter_and_next():
    actions = _table(
        "actions",
        [
            {"id": d, "title": "t", "status": "on track", "due": d}
            for d in ("2026-06-30", "2026-07-01", "2026-10-01", "2026-12-31", "2027-01-01")
        ],
    )
    rated = rate_actions(actions, empty_table("action_updates"), Q2)
    assert rated["due_this_period"].tolist() == [False, True, False, False, False]
    assert rated["due_next_period"].tolist() == [False, False, True, True, False]
    assert next_period(Q2).label == "2026/27 Q3"


def test_action_rules_are_configurable_and_inputs_are_not_changed():
    actions = _table(
        "actions",
        [
            {"id": "A", "title": "t", "status": "deferred", "due": "2027-03-31"},
            {"id": "B", "title": "t", "status": "on track", "due": "2026-07-31"},
        ],
    )
    before = actions.copy()
    rules = ActionRules(
        status_rag=(("deferred", "Grey"), ("on track", "Green")), overdue_rag="Amber"
    )
    rated = rate_actions(actions, empty_table("action_updates"), Q2, rules)
    assert rated["rag"].tolist() == ["Grey", "Amber"]
    assert status_counts(rated) == {"Red": 0, "Amber": 1, "Green": 0, "Grey": 1}
    pd.testing.assert_frame_equal(actions, before)


# -- risks --------------------------------------------------------------------------------
def test_scores_and_default_bands_at_their_boundaries():
    lik = pd.Series([1, 1, 5, 2, 3, 4, 5, None])
    imp = pd.Series([1, 4, 1, 5, 4, 4, 5, 3])
    f = band_scores(lik, imp)
    # 1 4 5 10 12 16 25: Low up to 4, Medium 5-10, High 11-25
    assert f["score"].tolist()[:7] == [1, 4, 5, 10, 12, 16, 25]
    assert f["band"].tolist()[:7] == ["Low", "Low", "Medium", "Medium", "High", "High", "High"]
    assert f["band_rag"].tolist()[:7] == ["Green", "Green", "Amber", "Amber", "Red", "Red", "Red"]
    assert pd.isna(f["score"].iloc[7]) and pd.isna(f["band"].iloc[7])


def test_a_matrix_names_each_cell_and_a_wider_scale_bands_by_its_own_thresholds():
    grid = [["Low"] * 3, ["Low", "Low", "High"], ["Low", "High", "High"]]
    rules = RiskRules(
        scale=3, bands=(RiskBand("Low", 4, "Green"), RiskBand("High", 9, "Red")), matrix=grid
    )
    f = band_scores(pd.Series([1, 2, 3, 2]), pd.Series([3, 3, 2, 2]), rules)
    # (1,3)=3 Low by the grid; (2,3)=6 High; (3,2)=6 High; (2,2)=4 Low
    assert f["band"].tolist() == ["Low", "High", "High", "Low"]
    assert f["band_rag"].tolist() == ["Green", "Red", "Red", "Green"]


def _risk(id_, lik, imp, target=None, **extra):
    return {"id": id_, "title": id_, "likelihood": lik, "impact": imp, "target_score": target, **extra}  # fmt: skip


def test_current_score_movement_and_review_flags():
    risks = _table(
        "risks",
        [
            _risk("K1", 5, 5, 6, inherent_likelihood=4, inherent_impact=5),
            _risk("K2", 5, 5),
            _risk("K3", 1, 1),
            _risk("K4", 1, 1),
            _risk("K5", 1, 1),
            _risk("K6", 5, 5, 20),
        ],
    )

    def review(rid, period, lik, imp):
        return {"risk_id": rid, "period": period, "likelihood": lik, "impact": imp}

    reviews = _table(
        "risk_reviews",
        [
            review("K1", "2026/27 Q1", 3, 4),
            review("K1", "2026/27 Q2", 2, 4),
            review("K2", "2026/27 Q1", 2, 2),
            review("K3", "2026/27 Q2", 4, 5),
            review("K4", "2026/27 Q1", 2, 3),
            review("K4", "2026/27 Q2", 3, 2),
            review("K5", "2026/27 Q1", 2, 2),
            review("K5", "2026/27 Q2", 3, 3),
            review("K6", "2026/27 Q3", 1, 1),  # after the report: ignored
        ],
    )
    r = rate_risks(risks, reviews, Q2).set_index("id")
    assert r["score"].tolist() == [8, 4, 20, 6, 9, 25]
    prev = r["previous_score"].astype("Float64").fillna(-1).tolist()
    assert prev == [12, -1, -1, 6, 4, -1]  # -1: no earlier review
    assert r["movement"].tolist() == [
        "Reduced",
        "Not reviewed",
        "New",
        "No change",
        "Increased",
        "No reviews",
    ]
    assert r["reviewed_this_period"].tolist() == [True, False, True, True, True, False]
    assert r.loc["K1", "inherent_score"] == 20
    assert r.loc["K1", "band"] == "Medium"
    assert r["above_target"].tolist() == [True, False, False, False, False, True]


def test_without_a_reviews_table_the_register_score_is_current_and_reviews_are_not_flagged():
    risks = _table("risks", [_risk("K1", 3, 4)])
    r = rate_risks(risks, empty_table("risk_reviews"), Q2)
    assert (r.loc[0, "score"], r.loc[0, "band"], r.loc[0, "movement"]) == (12, "High", "No reviews")
    assert pd.isna(r.loc[0, "reviewed_this_period"])


def test_heat_counts_every_cell():
    rated = pd.DataFrame({"id": ["K1", "K2", "K3"], "likelihood": [3, 3, 1], "impact": [4, 4, 5]})
    cells = heat_counts(rated)
    assert len(cells) == 25 and cells["n"].sum() == 3
    hit = cells[cells["n"] > 0].set_index(["likelihood", "impact"])
    assert hit.loc[(3, 4), "n"] == 2 and hit.loc[(3, 4), "ids"] == "K1; K2"
    assert hit.loc[(1, 5), "n"] == 1


# -- audit actions ------------------------------------------------------------------------
def test_audit_actions_overdue_revised_and_counts_by_priority():
    audit = _table(
        "audit_actions",
        [
            {
                "id": "1",
                "audit": "a",
                "recommendation": "r",
                "priority": 2,
                "due": "2026-06-30",
                "status": "open",
            },  # fmt: skip
            {
                "id": "2",
                "audit": "a",
                "recommendation": "r",
                "priority": 2,
                "due": "2026-06-30",
                "revised_due": "2026-10-31",
                "status": "in progress",
            },  # fmt: skip
            {
                "id": "3",
                "audit": "a",
                "recommendation": "r",
                "priority": 1,
                "due": "2026-06-30",
                "status": "complete",
            },  # fmt: skip
            {
                "id": "4",
                "audit": "a",
                "recommendation": "r",
                "priority": 1,
                "due": "2026-09-30",
                "status": "open",
            },  # fmt: skip
            {
                "id": "5",
                "audit": "a",
                "recommendation": "r",
                "due": "2027-01-31",
                "revised_due": "2026-08-31",
                "status": "open",
            },  # fmt: skip
        ],
    )
    r = rate_audit_actions(audit, Q2)
    assert r["open"].tolist() == [True, True, False, True, True]
    assert r["overdue"].tolist() == [True, False, False, True, True]
    assert r["revised"].tolist() == [False, True, False, False, True]
    # 30 June to 30 September: 31 + 31 + 30 days
    assert r["days_overdue"].fillna(-1).tolist() == [92, -1, -1, 0, 30]
    counts = audit_counts(r)
    assert counts.to_dict("records") == [
        {"Priority": "Priority 1", "Open": 1, "Overdue": 1, "Revised date": 0},
        {"Priority": "Priority 2", "Open": 2, "Overdue": 1, "Revised date": 1},
        {"Priority": "Not set", "Open": 1, "Overdue": 1, "Revised date": 1},
        {"Priority": "Total", "Open": 4, "Overdue": 3, "Revised date": 2},
    ]


# -- finance ------------------------------------------------------------------------------
def _line(service, line, budget, forecast, unit="currency_thousands", period="2026/27 Q2"):
    return {"service": service, "period": period, "line": line, "budget": budget, "forecast_outturn": forecast, "unit": unit}  # fmt: skip


FINANCE_CASES = [
    # (line, budget, forecast, unit, band, rag): tolerance "more than 2% or £100k"
    ("revenue", 5000, 5150, "currency_thousands", "Overspend", "Red"),  # £150k, 3%
    ("revenue", 5000, 5080, "currency_thousands", "Within tolerance", "Green"),  # £80k, 1.6%
    ("revenue", 1000, 1030, "currency_thousands", "Overspend", "Red"),  # £30k but 3%
    ("revenue", 10000, 10100, "currency_thousands", "Within tolerance", "Green"),  # £100k, 1%
    ("revenue", 10000, 10101, "currency_thousands", "Overspend", "Red"),  # £101k
    ("capital", 2000, 1800, "currency_thousands", "Underspend", "Amber"),
    ("reserves", 4000, 3800, "currency_thousands", "Below plan", "Red"),  # fewer reserves
    ("reserves", 4000, 4200, "currency_thousands", "Above plan", "Amber"),
    ("revenue", 0, 50, "currency_thousands", "Within tolerance", "Green"),  # no %: £50k
    ("revenue", 0, 150, "currency_thousands", "Overspend", "Red"),
    ("revenue", 10_000_000, 10_150_000, "currency", "Overspend", "Red"),  # £150k, 1.5%
    ("revenue", 12.0, 12.2, "currency_millions", "Overspend", "Red"),  # £200k, 1.7%
    ("capital", 2000, 2000, "currency_thousands", "Within tolerance", "Green"),
]


@pytest.mark.parametrize(("line", "budget", "forecast", "unit", "band", "rag"), FINANCE_CASES)
def test_variance_bands(line, budget, forecast, unit, band, rag):
    fin = _table("finance", [_line("S", line, budget, forecast, unit)])
    [row] = rate_finance(fin, Q2).to_dict("records")
    assert row["variance"] == pytest.approx(forecast - budget)
    assert (row["band"], row["rag"]) == (band, rag)


def test_and_needs_both_limits_and_other_periods_are_left_out():
    fin = _table(
        "finance",
        [
            _line("S", "revenue", 1000, 1030),  # 3% but £30k
            _line("S", "revenue", 1000, 1500, period="2026/27 Q1"),
        ],
    )
    rules = FinanceRules(combine="and")
    rated = rate_finance(fin, Q2, rules)
    assert len(rated) == 1
    assert rated.loc[0, ["band", "rag"]].tolist() == ["Within tolerance", "Green"]
    assert rated.loc[0, "variance_pct"] == pytest.approx(3.0)
    assert rated.loc[0, "variance_pounds"] == pytest.approx(30_000)


def test_a_year_report_uses_the_fourth_quarter_when_there_are_no_year_rows():
    fin = _table("finance", [_line("S", "revenue", 100, 90, period="2026/27 Q4")])
    rated = rate_finance(fin, parse_period("2026/27"))
    assert rated["forecast_outturn"].tolist() == [90]


def test_a_year_report_reads_the_latest_update_and_review_in_the_year():
    year = parse_period("2026/27")
    actions = _table("actions", [{"id": "A", "title": "t", "status": "on track", "due": "2027-06-30"}])  # fmt: skip
    updates = _table(
        "action_updates",
        [
            {"action_id": "A", "period": "2026/27 Q3", "status": "off track", "update": "Q3."},
            {"action_id": "A", "period": "2026/27 Q4", "status": "at risk", "update": "Q4."},
            {"action_id": "A", "period": "2027/28 Q1", "status": "complete", "update": "Later."},
        ],
    )
    [row] = rate_actions(actions, updates, year).to_dict("records")
    assert (row["status"], row["update"], row["rag"]) == ("at risk", "Q4.", "Amber")
    risks = _table("risks", [_risk("K1", 1, 1)])
    reviews = _table(
        "risk_reviews",
        [
            {"risk_id": "K1", "period": "2025/26 Q4", "likelihood": 2, "impact": 2},
            {"risk_id": "K1", "period": "2026/27 Q3", "likelihood": 3, "impact": 3},
        ],
    )
    [risk] = rate_risks(risks, reviews, year).to_dict("records")
    assert (risk["score"], risk["movement"], risk["reviewed_this_period"]) == (9, "Increased", True)
