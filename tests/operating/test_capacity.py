"""The capacity and headcount plan: hand-computed arithmetic, ramp and attrition edges, what-if deltas,
plan-file errors, the measurements on a hand-made workspace, and `tenure capacity` on a generated company.

The hand example (PLAN_INPUTS below), one segment "Mid" at 2025-12-31:

    book      80 accounts on pooled (2 h a month, dedicated), ARR 1,600,000
              20 accounts on digital (0.5 h a month, not dedicated), ARR 100,000
              → 100 accounts, effort 80×2 + 20×0.5 = 170 h, 1.7 h per account, dedicated share 0.8
    team      C1, C2: 30 h a week = 30 × 52/12 = 130 h a month; target utilisation 0.5 → 65 h usable
    ratios    40 accounts per CSM, 1,000,000 ARR per CSM
    rates     logo churn and attrition 1 − 0.9⁴ = 34.39% a year = exactly 10% a quarter
    ramp      1 quarter at 50%
    plan      2026Q1 ARR 1,800,000, 10 new logos; 2026Q2 2,000,000, 20; 2026Q3 4,000,000, 0
"""

from __future__ import annotations

import datetime as dt
import gc
from pathlib import Path

import pandas as pd
import pytest

from tenure.errors import ConfigError, DataContractError, NotFound, TenureError
from tenure.operating.capacity import (
    PlanInputs,
    Scenario,
    compare,
    csms_needed,
    digital_motion,
    first_plan_quarter,
    growth_plan,
    per_quarter,
    plan_capacity,
    quarter_index,
    quarter_label,
    ramped_from,
)
from tenure.operating.config import Capacity, Coverage, Engagement, Motion, Ratio
from tenure.views.capacity import check_plan_segments, parse_plan, read_plan

AS_OF = dt.date(2025, 12, 31)
TENTH = 1 - 0.9 ** 4  # a yearly rate that is 10% a quarter

ENGAGEMENT = Engagement(
    motions={"high": Motion(cadence_days=14, hours_per_month=10), "pooled": Motion(cadence_days=30, hours_per_month=2),
             "digital": Motion(cadence_days=90, hours_per_month=0.5, dedicated=False)},
    matrix={"Mid": {"*": "pooled"}, "*": {"*": "digital"}})
COVERAGE = Coverage(ratios={"Mid": Ratio(accounts_per_csm=40, arr_per_csm=1_000_000)}, capacity_hours=30)
CAPACITY = Capacity(attrition_per_year=TENTH, ramp_quarters=1, ramp_productivity=0.5, target_utilisation=0.5)


def inputs(*, plan=None, capacity: Capacity = CAPACITY, hired=(dt.date(2020, 1, 1), None),
           churn: float = TENTH, mix=None) -> PlanInputs:
    plan = plan or [("2026Q1", "Mid", 1_800_000, 10), ("2026Q2", "Mid", 2_000_000, 20),
                    ("2026Q3", "Mid", 4_000_000, 0)]
    frame = pd.DataFrame(plan, columns=["quarter", "segment", "arr", "new_logos"])
    mix = mix if mix is not None else pd.DataFrame({"segment": ["Mid", "Mid"], "motion": ["pooled", "digital"],
                                                    "accounts": [80, 20], "arr": [1_600_000.0, 100_000.0]})
    csms = pd.DataFrame({"person_id": [f"C{i + 1}" for i in range(len(hired))], "segment": ["Mid"] * len(hired),
                         "capacity_hours": [30.0] * len(hired), "hired_at": list(hired)})
    return PlanInputs(first_quarter=quarter_index(frame["quarter"].iloc[0]), mix=mix, csms=csms, plan=frame,
                      logo_churn=dict.fromkeys(frame["segment"], churn), capacity=capacity, coverage=COVERAGE,
                      engagement=ENGAGEMENT)


def rows(plan, segment: str = "Mid") -> list[dict]:
    return plan.quarters[plan.quarters["segment"] == segment].to_dict(orient="records")


# --- calendar and rates ------------------------------------------------------------------------


def test_quarters_and_the_first_quarter_of_a_plan():
    assert quarter_index("2026Q1") == 2026 * 4 and quarter_index(" 2026q3 ") == 2026 * 4 + 2
    assert quarter_label(2026 * 4 + 3) == "2026Q4"
    assert quarter_label(first_plan_quarter(AS_OF)) == "2026Q1"  # the day after is 2026-01-01
    assert quarter_label(first_plan_quarter(dt.date(2026, 1, 15))) == "2026Q1"  # the quarter in progress
    assert quarter_label(first_plan_quarter(dt.date(2026, 3, 31))) == "2026Q2"
    for bad in ("2026Q5", "2026-Q1", "26Q1", ""):
        with pytest.raises(ValueError):
            quarter_index(bad)


def test_yearly_rates_compound_to_quarterly_ones():
    assert per_quarter(TENTH) == pytest.approx(0.1)  # 1 − (0.9⁴)^(1/4)
    assert per_quarter(0.0) == 0.0
    assert per_quarter(0.19) == pytest.approx(1 - 0.81 ** 0.25)  # 0.05132: less than 0.19 ÷ 4 = 0.0475 + ...
    assert (1 - per_quarter(0.19)) ** 4 == pytest.approx(0.81)


def test_ramp_end_of_a_csm_already_on_the_team():
    q = quarter_index
    assert ramped_from(dt.date(2025, 11, 15), 1) == q("2026Q2")  # ramps to 2026-02-15: 2026Q1 still ramping
    assert ramped_from(dt.date(2025, 10, 1), 1) == q("2026Q1")  # ramps to 2026-01-01, the start of 2026Q1
    assert ramped_from(dt.date(2025, 10, 2), 1) == q("2026Q2")
    assert ramped_from(dt.date(2025, 11, 30), 1) == q("2026Q2")  # 2026-02-28 (no 30 February)
    assert ramped_from(dt.date(2025, 8, 20), 2) == q("2026Q2")  # six months: 2026-02-20
    assert ramped_from(None, 1) is None and ramped_from(dt.date(2025, 12, 1), 0) is None


# --- the hand-computed plan --------------------------------------------------------------------


def test_profile_of_the_book():
    plan = plan_capacity(inputs())
    profile = plan.profile.iloc[0]
    assert profile["accounts"] == 100 and profile["arr"] == 1_700_000
    assert profile["effort_hours"] == pytest.approx(170)  # 80 × 2 + 20 × 0.5
    assert profile["effort_per_account"] == pytest.approx(1.7)
    assert profile["dedicated_share"] == pytest.approx(0.8)
    assert profile["csms"] == 2 and profile["hours_per_csm"] == pytest.approx(130)  # 30 × 52 / 12


def test_hand_computed_plan():
    q1, q2, q3 = rows(plan_capacity(inputs()))
    # 2026Q1: 100 − 10% + 10 = 100 accounts; effort 100 × 1.7 = 170 h → 170 ÷ (130 × 0.5) = 2.6154 CSMs;
    # dedicated 80 ÷ 40 = 2.0; ARR 1.8M ÷ 1M = 1.8 → effort binds at 2.6154.
    assert q1["accounts"] == pytest.approx(100) and q1["logos_lost"] == pytest.approx(10)
    assert q1["effort_hours"] == pytest.approx(170)
    assert q1["csms_by_effort"] == pytest.approx(170 / 65)
    assert q1["csms_by_accounts"] == pytest.approx(2.0) and q1["csms_by_arr"] == pytest.approx(1.8)
    assert (q1["csms_needed"], q1["binding"]) == (pytest.approx(2.615385, abs=1e-6), "effort")
    # the two CSMs carry 2 × 0.9 = 1.8 at the quarter's end; a hire carries 0.9 × 0.5 = 0.45:
    # (2.6154 − 1.8) ÷ 0.45 = 1.81 → 2 hires. Headcount (2 + 2) × 0.9 = 3.6, of whom 1.8 ramping;
    # effective 1.8 + 2 × 0.45 = 2.7 CSMs = 351 h; utilisation 170 ÷ 351.
    assert q1["hires"] == 2
    assert q1["headcount"] == pytest.approx(3.6) and q1["leavers"] == pytest.approx(0.4)
    assert q1["ramping"] == pytest.approx(1.8) and q1["effective_csms"] == pytest.approx(2.7)
    assert q1["capacity_hours"] == pytest.approx(351) and q1["utilisation"] == pytest.approx(170 / 351)
    assert q1["arr_per_csm"] == pytest.approx(1_800_000 / 3.6) and q1["accounts_per_csm"] == pytest.approx(100 / 3.6)
    # 2026Q2: 100 − 10 + 20 = 110 accounts; 187 h → 2.8769; 88 ÷ 40 = 2.2; 2.0 → effort binds.
    # The Q1 hires are ramped: (1.8 + 1.8) × 0.9 = 3.24 effective ≥ 2.8769 → no hire.
    assert q2["accounts"] == pytest.approx(110) and q2["csms_needed"] == pytest.approx(187 / 65)
    assert q2["hires"] == 0 and q2["ramping"] == 0
    assert q2["headcount"] == pytest.approx(3.24) and q2["effective_csms"] == pytest.approx(3.24)
    # 2026Q3: 110 − 11 + 0 = 99 accounts; 168.3 h → 2.5892; 79.2 ÷ 40 = 1.98; ARR 4M ÷ 1M = 4.0 → ARR binds.
    # 3.24 × 0.9 = 2.916 carried; (4.0 − 2.916) ÷ 0.45 = 2.41 → 3 hires; headcount (3.24 + 3) × 0.9 = 5.616;
    # effective 2.916 + 3 × 0.45 = 4.266.
    assert q3["accounts"] == pytest.approx(99) and q3["csms_by_effort"] == pytest.approx(168.3 / 65)
    assert q3["csms_by_accounts"] == pytest.approx(1.98)
    assert (q3["csms_needed"], q3["binding"], q3["hires"]) == (pytest.approx(4.0), "arr", 3)
    assert q3["headcount"] == pytest.approx(5.616) and q3["effective_csms"] == pytest.approx(4.266)
    assert q3["leavers"] == pytest.approx(0.624) and q3["ramping"] == pytest.approx(2.7)


def test_hiring_totals():
    hiring = plan_capacity(inputs()).hiring.set_index("segment")
    mid, total = hiring.loc["Mid"], hiring.loc["Total"]
    # 2 now + 5 hired − (0.4 + 0.36 + 0.624) expected leavers = 5.616 at the end
    assert mid["csms_now"] == 2 and mid["hires"] == 5
    assert mid["leavers"] == pytest.approx(1.384) and mid["headcount_end"] == pytest.approx(5.616)
    assert mid["csms_needed_end"] == pytest.approx(4.0) and mid["binding_end"] == "arr"
    assert mid["arr_per_csm_now"] == pytest.approx(850_000) and mid["accounts_per_csm_now"] == pytest.approx(50)
    assert mid["arr_per_csm_end"] == pytest.approx(4_000_000 / 5.616)
    assert mid["accounts_per_csm_end"] == pytest.approx(99 / 5.616)
    assert total["hires"] == 5 and total["headcount_end"] == pytest.approx(5.616)


def test_the_binding_constraint():
    # effort 65 h ÷ (130 × 0.5) = 1.0 and ARR 1M ÷ 1M = 1.0 tie: effort (the first) binds; an empty ratio
    # (None, or NaN after a frame) is left out rather than compared
    needed, binding, need = csms_needed(effort_hours=65, dedicated_accounts=40, arr=1e6, hours_per_csm=130,
                                        target_utilisation=0.5, accounts_per_csm=float("nan"), arr_per_csm=1e6)
    assert (needed, binding, need) == (1.0, "effort", {"effort": 1.0, "arr": 1.0})
    needed, binding, need = csms_needed(effort_hours=65, dedicated_accounts=60, arr=1e6, hours_per_csm=130,
                                        target_utilisation=0.5, accounts_per_csm=40, arr_per_csm=None)
    assert (needed, binding, need) == (1.5, "accounts", {"effort": 1.0, "accounts": 1.5})


# --- ramp and attrition edges ------------------------------------------------------------------


def test_without_ramp_a_hire_counts_in_full_at_once():
    q1 = rows(plan_capacity(inputs(capacity=CAPACITY.model_copy(update={"ramp_quarters": 0}))))[0]
    # (2.6154 − 1.8) ÷ 0.9 = 0.906 → 1 hire; effective 1.8 + 0.9 = 2.7, nobody ramping
    assert q1["hires"] == 1 and q1["effective_csms"] == pytest.approx(2.7) and q1["ramping"] == 0


def test_a_two_quarter_ramp_hires_again_in_the_second_quarter():
    q1, q2, _ = rows(plan_capacity(inputs(capacity=CAPACITY.model_copy(update={"ramp_quarters": 2}))))
    # Q2: the two Q1 hires still carry half: 1.8 × 0.9 + 1.8 × 0.9 × 0.5 = 2.43 < 2.8769 → (0.4469 ÷ 0.45) → 1 hire
    assert (q1["hires"], q2["hires"]) == (2, 1)
    assert q2["effective_csms"] == pytest.approx(2.43 + 0.45)
    assert q2["ramping"] == pytest.approx((1.8 + 1) * 0.9)


def test_a_recent_hire_on_the_team_is_still_ramping():
    q1 = rows(plan_capacity(inputs(hired=(dt.date(2020, 1, 1), dt.date(2025, 11, 15)))))[0]
    # C2 joined 2025-11-15, ramps to 2026-02-15: carried 0.9 + 0.9 × 0.5 = 1.35; (2.6154 − 1.35) ÷ 0.45 = 2.81 → 3
    assert q1["hires"] == 3 and q1["effective_csms"] == pytest.approx(1.35 + 3 * 0.45)
    assert q1["ramping"] == pytest.approx(0.9 + 3 * 0.9)


def test_no_attrition_exact_need_and_nobody_let_go():
    capacity = CAPACITY.model_copy(update={"attrition_per_year": 0.0, "ramp_quarters": 0})
    plan = [("2026Q1", "Mid", 3_000_000, 0), ("2026Q2", "Mid", 500_000, 0)]
    q1, q2 = rows(plan_capacity(inputs(plan=plan, capacity=capacity, churn=0.0)))
    # ARR 3M ÷ 1M = exactly 3 CSMs (effort 170 ÷ 65 = 2.6 is lower); 2 carried → exactly 1 hire, not 2
    assert (q1["csms_needed"], q1["binding"], q1["hires"], q1["headcount"]) == (3.0, "arr", 1, 3.0)
    assert q1["leavers"] == 0
    # Q2 needs only 2.6154: the third CSM stays (no one is let go) and nobody is hired
    assert q2["hires"] == 0 and q2["headcount"] == 3.0 and q2["csms_needed"] == pytest.approx(170 / 65)


def test_attrition_alone_calls_for_a_backfill():
    capacity = CAPACITY.model_copy(update={"ramp_quarters": 0})
    plan = [("2026Q1", "Mid", 2_000_000, 0), ("2026Q2", "Mid", 2_000_000, 0)]
    mix = pd.DataFrame({"segment": ["Mid"], "motion": ["digital"], "accounts": [10], "arr": [2_000_000.0]})
    q1, q2 = rows(plan_capacity(inputs(plan=plan, capacity=capacity, churn=0.0, mix=mix)))
    # a steady need of 2.0 (ARR); 2 × 0.9 = 1.8 left after Q1's attrition → 1 backfill; Q2 (2.9 × 0.9 = 2.61) none
    assert (q1["hires"], q2["hires"]) == (1, 0)
    assert q1["headcount"] == pytest.approx(2.7) and q2["headcount"] == pytest.approx(2.43)


def test_a_segment_with_no_book_and_no_csm_yet():
    plan = [("2026Q1", "New", 0, 4), ("2026Q1", "Mid", 1_800_000, 10)]
    made = plan_capacity(inputs(plan=plan))
    new = made.profile.set_index("segment").loc["New"]
    # its default motion (matrix row "*") is digital: 0.5 h, not dedicated; CSM hours from coverage: 130
    assert (new["accounts"], new["csms"], new["dedicated_share"]) == (0, 0, 0.0)
    assert new["effort_per_account"] == 0.5 and new["hours_per_csm"] == pytest.approx(130)
    q1 = rows(made, "New")[0]
    # 4 new logos × 0.5 h = 2 h → 2 ÷ 65 = 0.031 CSMs; no ratio configured; a ramping hire carries 0.45 → 1 hire
    assert q1["csms_needed"] == pytest.approx(2 / 65) and pd.isna(q1["csms_by_accounts"]) and q1["hires"] == 1


# --- what-if -----------------------------------------------------------------------------------


def test_moving_a_segment_to_digital_frees_csms():
    base = plan_capacity(inputs())
    what_if = plan_capacity(inputs(), Scenario(motions={"Mid": "digital"}))
    q1 = rows(what_if)[0]
    # all 100 accounts on digital: 50 h → 0.77 CSMs; no dedicated accounts → 0; ARR 1.8M ÷ 1M = 1.8 binds.
    # 1.8 carried covers it exactly: no hire (against 2 in the base)
    assert (q1["csms_needed"], q1["binding"], q1["hires"]) == (pytest.approx(1.8), "arr", 0)
    assert q1["csms_by_effort"] == pytest.approx(50 / 65) and q1["csms_by_accounts"] == 0
    delta = compare(base, what_if)
    row = delta[(delta["quarter"] == "2026Q1") & (delta["segment"] == "Mid")].iloc[0]
    # freed 2.6154 − 1.8 = 0.8154; each CSM needed covers 100 ÷ 1.8 = 55.6 accounts (base 100 ÷ 2.6154 = 38.2):
    # the same headcount serves 2.6154 ÷ 1.8 − 1 = 45.3% more accounts (and ARR)
    assert row["csms_freed"] == pytest.approx(170 / 65 - 1.8)
    assert row["base_accounts_per_csm_needed"] == pytest.approx(100 / (170 / 65))
    assert row["accounts_per_csm_needed"] == pytest.approx(100 / 1.8)
    assert row["arr_per_csm_needed"] == pytest.approx(1_000_000)
    assert row["more_accounts_per_csm"] == pytest.approx((170 / 65) / 1.8 - 1)
    assert round(row["more_accounts_per_csm"], 3) == 0.453
    assert (row["base_hires"], row["hires"]) == (2, 0)
    total = delta[(delta["quarter"] == "2026Q1") & (delta["segment"] == "Total")].iloc[0]
    assert total["csms_freed"] == pytest.approx(row["csms_freed"])


def test_a_tighter_account_ratio_needs_more_csms():
    base = plan_capacity(inputs())
    what_if = plan_capacity(inputs(), Scenario(ratios={"Mid": {"accounts_per_csm": 20}}))
    q1 = rows(what_if)[0]
    # 80 dedicated ÷ 20 = 4.0 binds; (4.0 − 1.8) ÷ 0.45 = 4.89 → 5 hires; the ARR ratio is unchanged (1.8)
    assert (q1["csms_needed"], q1["binding"], q1["hires"]) == (pytest.approx(4.0), "accounts", 5)
    assert q1["csms_by_arr"] == pytest.approx(1.8)
    row = compare(base, what_if).iloc[0]
    assert row["csms_freed"] == pytest.approx(170 / 65 - 4.0)  # negative: 1.38 more needed
    assert row["more_accounts_per_csm"] == pytest.approx((170 / 65) / 4.0 - 1)


def test_a_looser_arr_ratio_leaves_the_binding_constraint_alone():
    what_if = plan_capacity(inputs(), Scenario(ratios={"Mid": {"arr_per_csm": 2_000_000}}))
    q3 = rows(what_if)[2]
    # 2026Q3: ARR 4M ÷ 2M = 2.0 < effort 168.3 ÷ 65 = 2.589, which now binds
    assert (q3["csms_by_arr"], q3["binding"]) == (pytest.approx(2.0), "effort")


def test_what_if_mistakes_are_named():
    plan = inputs()
    for scenario, words in [
        (Scenario(motions={"Mdi": "digital"}), "segment 'Mdi' is not in the plan"),
        (Scenario(motions={"Mid": "robots"}), "unknown motion 'robots'"),
        (Scenario(ratios={"Mid": {"accounts_per_csm": 0.5}}), "accounts_per_csm must be at least 1"),
        (Scenario(ratios={"Mid": {"arr_per_csm": 0}}), "arr_per_csm must be above 0"),
        (Scenario(ratios={"Mid": {"logos_per_csm": 3}}), "unknown ratio 'logos_per_csm'"),
    ]:
        with pytest.raises(TenureError, match=words):
            plan_capacity(plan, scenario)


def test_the_digital_motion():
    assert digital_motion(ENGAGEMENT) == "digital"
    scaled = Engagement(motions={"pooled": Motion(cadence_days=30, hours_per_month=2),
                                 "tech-touch": Motion(cadence_days=90, hours_per_month=0.2, dedicated=False)},
                        matrix={"*": {"*": "pooled"}})
    assert digital_motion(scaled) == "tech-touch"
    only_dedicated = Engagement(motions={"pooled": Motion(cadence_days=30, hours_per_month=2)},
                                matrix={"*": {"*": "pooled"}})
    with pytest.raises(ConfigError, match="--motion SEGMENT=MOTION"):
        digital_motion(only_dedicated)


def test_growth_plan_compounds_evenly():
    plan = growth_plan({"Mid": 1_000_000.0, "Big": 0.0}, {"Mid": 2.5}, growth=0.21, quarters=2,
                       first_quarter=quarter_index("2026Q1"))
    mid = plan[plan["segment"] == "Mid"]
    # 1.21^(1/2) = 1.1: 1,100,000 after one quarter, 1,210,000 after two
    assert list(mid["quarter"]) == ["2026Q1", "2026Q2"]
    assert list(mid["arr"]) == pytest.approx([1_100_000, 1_210_000])
    assert list(mid["new_logos"]) == [2.5, 2.5]
    assert list(plan[plan["segment"] == "Big"]["new_logos"]) == [0.0, 0.0]
    with pytest.raises(TenureError, match="--arr-growth must be above -1"):
        growth_plan({"Mid": 1.0}, {}, growth=-1.0, quarters=4, first_quarter=0)
    with pytest.raises(TenureError, match="--quarters must be at least 1"):
        growth_plan({"Mid": 1.0}, {}, growth=0.1, quarters=0, first_quarter=0)


# --- plan files --------------------------------------------------------------------------------


def parsed(tmp_path: Path, text: str, name: str = "plan.csv") -> pd.DataFrame:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return parse_plan(*read_plan(path), source=str(path), first_quarter=quarter_index("2026Q1"), as_of=AS_OF)


def problems(tmp_path: Path, text: str) -> set[tuple]:
    with pytest.raises(DataContractError) as caught:
        parsed(tmp_path, text)
    file = str(tmp_path / "plan.csv")
    assert all(p.file == file for p in caught.value.problems)
    return {(p.row, p.column, p.value, p.rule) for p in caught.value.problems}


def test_a_valid_plan_file(tmp_path: Path):
    plan = parsed(tmp_path, "\ufeffquarter,segment,arr,new_logos\n2026Q1,Mid,1000000,10\n2026Q1,SMB,200000,4.5\n"
                            "2026Q2,Mid,1100000,10\n2026Q2,SMB,210000,5\n")
    assert list(plan["quarter"]) == ["2026Q1", "2026Q1", "2026Q2", "2026Q2"]
    assert list(plan["segment"]) == ["Mid", "SMB", "Mid", "SMB"]
    assert list(plan["arr"]) == [1_000_000, 200_000, 1_100_000, 210_000]
    assert list(plan["new_logos"]) == [10, 4.5, 10, 5]
    # grouped by segment instead of by quarter: the same plan
    again = parsed(tmp_path, "quarter,segment,arr,new_logos\n2026Q1,Mid,1000000,10\n2026Q2,Mid,1100000,10\n"
                             "2026Q1,SMB,200000,4.5\n2026Q2,SMB,210000,5\n", name="by_segment.csv")
    assert again.drop(columns="row").equals(plan.drop(columns="row"))


def test_plan_values_are_checked_row_by_row(tmp_path: Path):
    found = problems(tmp_path, "quarter,segment,arr,new_logos\n2026Q1,Mid,1000,abc\n2026-Q2,Mid,1000,1\n"
                               "2026Q3,Mid,-5,1\n2026Q4,,1000,1\n2026Q2,SMB,nan,1\n")
    assert found >= {
        (1, "new_logos", "abc", "number"),
        (2, "quarter", "2026-Q2", "quarter"),
        (3, "arr", "-5", "non-negative"),
        (3, "quarter", "2026Q3", "consecutive quarters"),  # row 1 was Mid's 2026Q1; 2026Q2 must come next
        (4, "segment", "", "required"),
        (5, "arr", "nan", "number"),
        (5, "quarter", "2026Q2", "plan start"),  # SMB starts after the plan's first quarter
    }


def test_plan_rows_are_numbered_as_in_the_file(tmp_path: Path):
    # a blank line is still a line of the file: the bad value is on data row 3
    assert problems(tmp_path, "quarter,segment,arr,new_logos\n2026Q1,Mid,1,1\n\n2026Q2,Mid,x,1\n") == {
        (3, "arr", "x", "number")}


def test_plan_columns(tmp_path: Path):
    found = problems(tmp_path, "quarter,segment,arr,new_logo\n2026Q1,Mid,1,1\n")
    assert found == {(None, "new_logos", None, "columns"), (None, "new_logo", None, "columns")}
    assert problems(tmp_path, "quarter,segment,arr,new_logos\n") == {(None, None, None, "rows")}


def test_plan_quarters_in_order(tmp_path: Path):
    head = "quarter,segment,arr,new_logos\n"
    assert problems(tmp_path, head + "2026Q1,Mid,1,1\n2026Q1,Mid,1,1\n") == {(2, "quarter", "2026Q1", "unique")}
    assert problems(tmp_path, head + "2026Q1,Mid,1,1\n2026Q3,Mid,1,1\n") == {
        (2, "quarter", "2026Q3", "consecutive quarters")}
    assert problems(tmp_path, head + "2026Q2,Mid,1,1\n2026Q1,Mid,1,1\n") == {
        (1, "quarter", "2026Q2", "plan start"), (2, "quarter", "2026Q1", "consecutive quarters")}
    assert problems(tmp_path, head + "2026Q1,Mid,1,1\n2026Q2,Mid,1,1\n2026Q1,SMB,1,1\n") == {
        (3, "quarter", "2026Q1", "same quarters")}
    with pytest.raises(DataContractError) as caught:
        parsed(tmp_path, head + "2026Q2,Mid,1,1\n")
    assert "the plan starts in 2026Q1, the quarter after the book's date 2025-12-31" in caught.value.problems[0].message


def test_plan_segments_against_the_workspace(tmp_path: Path):
    path = tmp_path / "plan.csv"
    path.write_text("quarter,segment,arr,new_logos\n2026Q1,Mid,1,1\n2026Q1,Mdi,1,-1\n", encoding="utf-8")
    with pytest.raises(DataContractError) as caught:
        parse_plan(*read_plan(path), source="plan.csv", first_quarter=quarter_index("2026Q1"), as_of=AS_OF,
                   segments={"Mid", "Big", "SMB"})
    found = {(p.row, p.column, p.value, p.rule): p.message for p in caught.value.problems}
    assert set(found) == {(2, "segment", "Mdi", "known segment"), (2, "new_logos", "-1", "non-negative")}
    assert "segments: Big, Mid, SMB" in found[(2, "segment", "Mdi", "known segment")]
    plan = parsed(tmp_path, "quarter,segment,arr,new_logos\n2026Q1,Mid,1,1\n")
    book = pd.DataFrame({"accounts": [100, 8], "arr": [1_700_000.0, 90_000.0]}, index=["Mid", "Big"])
    with pytest.raises(DataContractError) as caught:
        check_plan_segments(plan, source="plan.csv", book=book, as_of=AS_OF)
    [missing] = caught.value.problems
    assert (missing.row, missing.column, missing.value, missing.rule) == (None, "segment", "Big", "every segment")
    assert "no rows for segment 'Big', which has 8 paying accounts and ARR 90,000 at 2025-12-31" in missing.message


def test_a_missing_plan_file(tmp_path: Path):
    with pytest.raises(NotFound, match="plan file .*nope.csv does not exist"):
        read_plan(tmp_path / "nope.csv")


# --- the view on a hand-made workspace ---------------------------------------------------------

VIEW_CONFIG = """
engagement:
  motions:
    pooled: {cadence_days: 30, hours_per_month: 2}
    digital: {cadence_days: 90, hours_per_month: 0.5, dedicated: false}
  matrix:
    Big: {"*": pooled}
    "*": {"*": digital}
coverage:
  capacity_hours: 30
  ratios:
    Big: {accounts_per_csm: 10, arr_per_csm: 1000000}
    Small: {accounts_per_csm: 100}
capacity:
  attrition_per_year: 0
  ramp_quarters: 1
  ramp_productivity: 0.5
  target_utilisation: 0.5
"""


@pytest.fixture(scope="module")
def view_workspace(tmp_path_factory: pytest.TempPathFactory):
    """Big: B01–B10 paying 1,000 a month since 2024-01 (B01, B02 end 2025-06-01), B11–B13 new in 2025-03,
    2025-07 and 2025-10. Small: S01–S05 paying 100 since 2024-01, S06 new in 2025-05. Owners: C1/C2 Big,
    S-accounts C5 (no segment on the team)."""
    from .tables import account, line, person, workspace_with

    accounts, lines = [], []
    for i in range(1, 14):
        start = {11: "2025-03-01", 12: "2025-07-01", 13: "2025-10-01"}.get(i, "2024-01-01")
        accounts.append(account(f"B{i:02d}", segment="Big", owner_csm_id="C1" if i % 2 else "C2"))
        lines.append(line(f"LB{i:02d}", f"B{i:02d}", start, 1000, end_date="2025-06-01" if i <= 2 else None))
    for i in range(1, 7):
        accounts.append(account(f"S{i:02d}", segment="Small", owner_csm_id="C5"))
        lines.append(line(f"LS{i:02d}", f"S{i:02d}", "2025-05-01" if i == 6 else "2024-01-01", 100))
    team = [person("C1", segment="Big", capacity_hours=30, hired_at="2020-01-01"),
            person("C2", segment="Big", hired_at="2025-11-15"),
            person("C3", segment="Big", capacity_hours=30, hired_at="2020-01-01", left_at="2025-06-30"),
            person("C4", role="ae", segment="Big"),
            person("C5", capacity_hours=30, hired_at="2021-01-01"),
            person("C6", segment="Big", capacity_hours=30, hired_at="2026-02-01"),
            person("C7", capacity_hours=30)]
    ws = workspace_with(tmp_path_factory.mktemp("capacity"),
                        {"accounts": accounts, "subscriptions": lines, "team": team}, VIEW_CONFIG)
    yield ws
    gc.collect()  # drop the tables the health computation cached while the connection is still open
    ws.close()


@pytest.mark.slow
def test_the_view_measures_the_book_team_churn_and_new_logos(view_workspace):
    from tenure.views.capacity import capacity_report

    report = capacity_report(view_workspace, as_of=AS_OF, arr_growth=0.0, quarters=2,
                             scenario=Scenario(motions={"Big": "digital"}))
    book = report.book.set_index("segment")
    big, small = book.loc["Big"], book.loc["Small"]
    # Big: B03–B13 = 11 accounts × 12,000; C1 and C2 (C3 left, C4 is an AE, C6 not hired yet)
    assert (big["accounts"], big["arr"], big["csms"]) == (11, 132_000, 2)
    assert big["hours_per_csm"] == pytest.approx(130)  # C2's empty capacity is coverage.capacity_hours, 30 too
    # logo churn: 2 of the 10 Big accounts paying on 2024-12-31 are gone → 20%, measured; Small had 5 (< 10):
    # the company's 2 ÷ 15
    assert (big["logo_churn_per_year"], big["logo_churn_source"]) == (pytest.approx(0.2), "measured")
    assert (small["logo_churn_per_year"], small["logo_churn_source"]) == (pytest.approx(2 / 15), "company")
    # new logos in 2025: 3 Big, 1 Small → 0.75 and 0.25 a quarter
    assert big["new_logos_per_quarter"] == pytest.approx(0.75) and small["new_logos_per_quarter"] == pytest.approx(0.25)
    # C5 has no segment: placed in Small by their book; C7 has neither segment nor book
    assert small["csms"] == 1
    assert any("C7" in note for note in report.notes)
    q1 = report.base.quarters[report.base.quarters["segment"] == "Big"].iloc[0]
    # 2026Q1: 11 × 0.8^(1/4) + 0.75 accounts, all dedicated ÷ 10 binds; ARR flat 132,000
    accounts = 11 * 0.8 ** 0.25 + 0.75
    assert q1["accounts"] == pytest.approx(accounts) and q1["arr"] == pytest.approx(132_000)
    assert (q1["csms_needed"], q1["binding"]) == (pytest.approx(accounts / 10), "accounts")
    # C2 joined 2025-11-15 and ramps through 2026Q1: 1 + 0.5 = 1.5 effective ≥ 1.115 → no hire
    assert q1["effective_csms"] == pytest.approx(1.5) and q1["hires"] == 0 and q1["ramping"] == 1
    # Big on digital: no dedicated accounts; ARR 132,000 ÷ 1M = 0.132 beats effort accounts × 0.5 ÷ 65
    row = report.comparison[(report.comparison["quarter"] == "2026Q1") & (report.comparison["segment"] == "Big")]
    assert row["csms_needed"].iloc[0] == pytest.approx(0.132)
    assert row["csms_freed"].iloc[0] == pytest.approx(accounts / 10 - 0.132)


@pytest.mark.slow
def test_the_view_checks_a_plan_file_against_the_workspace(view_workspace, tmp_path: Path):
    from tenure.views.capacity import capacity_report, known_segments

    # loaded on accounts (Big, Small), named in the config (Big, Small in ratios; Big in the matrix), unmatched
    assert known_segments(view_workspace) == {"Big", "Small", "Unsegmented"}
    plan = tmp_path / "plan.csv"
    plan.write_text("quarter,segment,arr,new_logos\n2026Q1,Big,140000,1\n", encoding="utf-8")
    with pytest.raises(DataContractError) as caught:
        capacity_report(view_workspace, as_of=AS_OF, plan_file=plan)
    [problem] = caught.value.problems
    assert (problem.column, problem.value, problem.rule) == ("segment", "Small", "every segment")
    plan.write_text("quarter,segment,arr,new_logos\n2026Q1,Big,140000,1\n2026Q1,Small,7200,0\n", encoding="utf-8")
    report = capacity_report(view_workspace, as_of=AS_OF, plan_file=plan)
    assert report.source == str(plan) and report.quarters == ["2026Q1"]
    big = report.base.quarters.set_index("segment").loc["Big"]
    assert big["arr"] == 140_000 and big["accounts"] == pytest.approx(11 * 0.8 ** 0.25 + 1)


# --- the command ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated company (200 accounts, 18 months ending 2025-12-31) loaded into a workspace."""
    from tenure.contract.load import load
    from tenure.demo.simulator import generate
    from tenure.workspace import Workspace

    root = tmp_path_factory.mktemp("capacity-cli")
    generate(root / "data", end=AS_OF, accounts=200, months=18, seed=5)
    ws = Workspace.init(root / "ws")
    load([root / "data"], warehouse=ws.warehouse, base_currency=ws.config.base_currency)
    ws.close()
    return root / "ws"


@pytest.mark.slow
def test_capacity_command_end_to_end(company: Path, tmp_path: Path):
    from cli.helpers import assert_error, strict_json, tenure

    done = tenure("--workspace", company, "capacity", "--as-of", AS_OF, "--arr-growth", "0.3", "--digital", "SMB",
                  "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, str(done)
    out = strict_json(done.stdout)
    assert out["quarters"] == ["2026Q1", "2026Q2", "2026Q3", "2026Q4"]
    assert out["plan_source"] == "ARR +30% over 4 quarters"
    book = {row["segment"]: row for row in out["book"]}
    base, what_if = out["base"], out["what_if"]
    assert what_if["motions"] == {"SMB": "digital"}
    for row in base["quarters"]:  # each quarter's ARR is the plan's: now × 1.3^(k/4)
        k = out["quarters"].index(row["quarter"]) + 1
        assert row["arr"] == pytest.approx(book[row["segment"]]["arr"] * 1.3 ** (k / 4))
        assert row["csms_needed"] == pytest.approx(max(v for v in (row["csms_by_effort"], row["csms_by_accounts"],
                                                                     row["csms_by_arr"]) if v is not None))
        assert row["effective_csms"] >= row["csms_needed"] - 1e-6
    totals = {row["segment"]: row for row in base["hiring"]}
    assert totals["Total"]["hires"] == sum(row["hires"] for row in base["quarters"])
    for segment, row in totals.items():  # headcount at the end = now + hires − expected leavers
        assert row["headcount_end"] == pytest.approx(row["csms_now"] + row["hires"] - row["leavers"]), segment
    last = [row for row in out["comparison"] if row["quarter"] == "2026Q4"]
    smb = next(row for row in last if row["segment"] == "SMB")
    other = [row for row in last if row["segment"] not in ("SMB", "Total")]
    assert smb["csms_freed"] > 0 and all(row["csms_freed"] == pytest.approx(0) for row in other)
    assert smb["more_accounts_per_csm"] == pytest.approx(smb["base_csms_needed"] / smb["csms_needed"] - 1)

    plan = tmp_path / "plan.csv"
    segments = sorted(book)
    plan.write_text("quarter,segment,arr,new_logos\n" + "".join(
        f"{q},{s},{book[s]['arr'] * (1 + 0.1 * i):.2f},{i + 1}\n"
        for i, q in enumerate(["2026Q1", "2026Q2"]) for s in segments), encoding="utf-8")
    table = tenure("--workspace", company, "capacity", "--as-of", AS_OF, "--plan", plan,
                   "--ratio", f"{segments[0]}=accounts_per_csm:5", cwd=tmp_path)
    assert table.returncode == 0, str(table)
    for words in ("Plan by quarter (base)", "Hiring plan (base)", "against the base",
                  f"What-if: {segments[0]} accounts_per_csm 5", "By 2026Q2 the what-if needs"):
        assert words in table.stdout, words

    rows = tenure("--workspace", company, "capacity", "--as-of", AS_OF, "--quarters", "2", "--format", "csv",
                  cwd=tmp_path)
    assert rows.returncode == 0, str(rows)
    header = rows.stdout.splitlines()[0].split(",")
    assert header[:3] == ["scenario", "quarter", "segment"] and "hires" in header and "binding" in header
    assert len(rows.stdout.splitlines()) == 1 + 2 * len(segments)

    bad = tmp_path / "bad.csv"
    bad.write_text("quarter,segment,arr,new_logos\n2026Q1,SMB,-1,2\n2026Q3,SMB,1,2\n", encoding="utf-8")
    rejected = tenure("--workspace", company, "capacity", "--as-of", AS_OF, "--plan", bad, cwd=tmp_path)
    assert_error(rejected, 5, f"the plan {bad} was rejected (2 problem(s) above); nothing was computed",
                 f"{bad}, row 1, column arr, value '-1': must be 0 or more [non-negative]",
                 f"{bad}, row 2, column quarter, value '2026Q3'", "[consecutive quarters]")
    assert rejected.stdout == ""
    assert_error(tenure("--workspace", company, "capacity", "--motion", "SMB=robots", cwd=tmp_path), 1,
                 "unknown motion 'robots'")
    assert_error(tenure("--workspace", company, "capacity", "--ratio", "SMB=logos:3", cwd=tmp_path), 1,
                 "--ratio 'SMB=logos:3': expected SEGMENT=accounts_per_csm:N")
    assert_error(tenure("--workspace", company, "capacity", "--plan", plan, "--arr-growth", "0.3", cwd=tmp_path), 1,
                 "--arr-growth and --quarters go without it")
