"""Compensation: payout rates at and around threshold, target, accelerator and cap; pay per person from
their book; what-if overrides; bad settings; the command end to end on a generated company.

The hand-made company and its books are those of test_targets.py (2025Q3, C1, C2, C3).
"""

from __future__ import annotations

import csv
import datetime as dt
import json

import pytest
from pytest import approx

from tenure.config import parse_config
from tenure.errors import ConfigError, TenureError
from tenure.operating.compensation import apply_overrides, component_goal, pay_person, payout_rate, summary
from tenure.operating.config import Component, CompPlan
from tenure.operating.periods import parse_period

from .test_targets import Q3, QUARTER, build_company, owners_before, run

YEAR = parse_period("2025")


def rate(actual: float, target: float = 1.0, *, threshold: float = 0.8, accelerator: float = 2.0,
         cap: float = 1.5) -> float:
    return payout_rate(actual, target, threshold=threshold, accelerator=accelerator, cap=cap)[1]


# --- the payout curve (target 1.0, threshold 0.80, accelerator 2, cap 1.5) ---------------------------

@pytest.mark.parametrize(("actual", "expected"), [
    (0.0, 0.0),       # nothing
    (0.7999, 0.0),    # a hair below the threshold pays nothing
    (0.80, 0.80),     # at the threshold: pays the attainment, 80%
    (0.95, 0.95),     # between threshold and target: the attainment
    (1.00, 1.00),     # on target: 100%
    (1.10, 1.20),     # 10 points above: 1 + 0.10 × 2 = 1.20
    (1.25, 1.50),     # 25 points above: 1 + 0.25 × 2 = 1.50, exactly the cap
    (1.26, 1.50),     # 1 + 0.26 × 2 = 1.52, capped at 1.50
    (2.00, 1.50),     # far above: the cap
])
def test_payout_rate_around_threshold_target_accelerator_and_cap(actual, expected):
    assert rate(actual) == approx(expected)


def test_the_attainment_is_actual_over_target_and_a_threshold_is_an_actual_value():
    # target 0.96, threshold 0.90: an actual of 0.90 attains 0.90 / 0.96 = 0.9375 and pays it;
    # 0.8999 attains 0.9374 but is below the threshold, so pays nothing
    assert payout_rate(0.90, 0.96, threshold=0.90, accelerator=1, cap=1.5) == (approx(0.9375), approx(0.9375))
    assert payout_rate(0.8999, 0.96, threshold=0.90, accelerator=1, cap=1.5)[1] == 0
    # accelerator 0: nothing more above target; accelerator 1: point for point; a cap below 1 caps on target too
    assert rate(1.2, accelerator=0) == 1 and rate(1.2, accelerator=1) == approx(1.2)
    assert rate(1.0, cap=0.9) == approx(0.9)
    with pytest.raises(ValueError, match="positive"):
        payout_rate(1.0, 0.0, threshold=0, accelerator=1, cap=1)


# --- targets of components -------------------------------------------------------------------------

BOOK = {"accounts_start": 3, "arr_start": 54000.0, "arr_retained": 30000.0, "grr": 30000 / 54000,
        "nrr": 36000 / 54000, "logo_retention": 2 / 3, "expansion_arr": 6000.0,
        "grr_target_yearly": 50400 / 54000, "nrr_target_yearly": 63000 / 54000, "expansion_target_yearly": 0.20}


def test_component_targets_are_yearly_and_convert_like_the_cascade():
    # grr without a target takes the book's cascaded yearly 0.933333 → 0.933333^(1/4) = 0.982900 a quarter;
    # its threshold 0.80 → 0.80^(1/4) = 0.945742
    target, threshold = component_goal(Component(metric="grr", weight=1, threshold=0.8), BOOK, Q3, role="csm")
    assert target == approx((50400 / 54000) ** QUARTER) and threshold == approx(0.8 ** QUARTER)
    # a set target wins over the cascade: nrr 1.21 a year is 1.21^(1/4) = 1.048809 a quarter
    assert component_goal(Component(metric="nrr", weight=1, target=1.21), BOOK, Q3, role="csm")[0] == approx(
        1.21 ** QUARTER)
    # expansion_arr: a share of the starting book a year, prorated: 54,000 × 0.20 × 3/12 = 2,700; threshold
    # 0.10 → 54,000 × 0.10 × 3/12 = 1,350
    assert component_goal(Component(metric="expansion_arr", weight=1, threshold=0.1), BOOK, Q3, role="csm") == (
        approx(2700), approx(1350))
    # over a whole year the yearly figures apply as they are
    assert component_goal(Component(metric="logo_retention", weight=1, target=0.9, threshold=0.8), BOOK, YEAR,
                          role="csm") == (approx(0.9), approx(0.8))


def test_an_expansion_component_needs_a_target_when_the_cascade_has_none():
    book = {**BOOK, "expansion_target_yearly": 0.0}
    with pytest.raises(ConfigError, match=r"compensation.plans.csm: .*expansion_arr.*targets.expansion"):
        component_goal(Component(metric="expansion_arr", weight=1), book, Q3, role="csm")


# --- pay per person ----------------------------------------------------------------------------------

def test_pay_for_a_year_worked_by_hand():
    # OTE 100,000 with 20% variable: 20,000 at target for a year.
    # grr: actual 0.936 against 0.90 → attainment 1.04 → 1 + 0.04 × 2 = 1.08 → 20,000 × 0.5 × 1.08 = 10,800
    # expansion_arr: target 100,000 × 0.20 = 20,000; actual 15,000 → attainment 0.75, above the threshold
    #   100,000 × 0.10 = 10,000, so it pays 0.75 → 20,000 × 0.5 × 0.75 = 7,500
    # total 18,300 = 91.5% of the target variable
    plan = CompPlan(on_target_earnings=100_000, variable_share=0.2, components=[
        Component(metric="grr", weight=0.5, target=0.9, threshold=0.8, accelerator=2, cap=1.5),
        Component(metric="expansion_arr", weight=0.5, threshold=0.1, accelerator=1.5, cap=2)])
    book = {"accounts_start": 4, "arr_start": 100_000.0, "arr_retained": 93_600.0, "grr": 0.936, "nrr": 1.086,
            "logo_retention": 1.0, "expansion_arr": 15_000.0, "grr_target_yearly": 0.95, "nrr_target_yearly": 1.1,
            "expansion_target_yearly": 0.2}
    pay = pay_person({"person_id": "C9", "name": "Nine", "role": "csm"}, plan, book, YEAR)
    grr, expansion = pay.lines
    assert (grr.attainment, grr.rate, grr.payout) == (approx(1.04), approx(1.08), approx(10_800))
    assert (expansion.target, expansion.threshold, expansion.attainment, expansion.rate, expansion.payout) == (
        approx(20_000), approx(10_000), approx(0.75), approx(0.75), approx(7_500))
    assert pay.target_variable == 20_000 and pay.payout == approx(18_300) and pay.payout_pct == approx(0.915)
    # a quarter of the same plan is a quarter of the money: 20,000 × 3/12 = 5,000 at target
    quarter = pay_person({"person_id": "C9", "name": "Nine", "role": "csm"}, plan, book, Q3)
    assert quarter.target_variable == 5_000


def test_a_person_without_a_book_is_listed_and_paid_nothing():
    plan = CompPlan(on_target_earnings=100_000, variable_share=0.2, components=[
        Component(metric="grr", weight=1, threshold=0.8)])
    pay = pay_person({"person_id": "C4", "name": "Cy Four", "role": "csm"}, plan, None, Q3)
    assert pay.payout == 0 and pay.note == "no book at the period start" and pay.lines[0].actual is None
    assert summary([pay]) == {"people": 1, "target_variable": 5000.0, "plan_cost": 0.0, "payout_pct": 0.0,
                              "arr_retained": 0.0, "cost_per_retained_dollar": None}


# --- what-if and bad settings ------------------------------------------------------------------------

PLANS = {"csm": CompPlan(on_target_earnings=120_000, variable_share=0.25, components=[
    Component(metric="grr", weight=0.6, accelerator=1, cap=1.5),
    Component(metric="expansion_arr", weight=0.4, accelerator=1.5, cap=2)])}


def test_overrides_change_plan_parameters_and_leave_the_plans_alone():
    changed = apply_overrides(PLANS, ["grr.accelerator=3", "variable_share=0.3", "csm.expansion_arr.cap=3",
                                      "grr.target=0.95"])
    plan = changed["csm"]
    assert plan.variable_share == 0.3 and plan.components[0].accelerator == 3 and plan.components[0].target == 0.95
    assert plan.components[1].cap == 3
    assert apply_overrides(changed, ["grr.target=none"])["csm"].components[0].target is None
    assert PLANS["csm"].variable_share == 0.25 and PLANS["csm"].components[0].accelerator == 1


@pytest.mark.parametrize(("setting", "message"), [
    ("grr.accelerator", "write KEY=VALUE"),
    ("=3", "write KEY=VALUE"),
    ("grr.speed=3", "unknown key; keys are on_target_earnings, variable_share or METRIC.FIELD"),
    ("bonus=3", "unknown key"),
    ("nrr.cap=2", "no plan has 'nrr.cap'"),
    ("grr.accelerator=fast", "'fast' is not a number"),
    ("grr.cap=nan", "not a finite number"),
    ("grr.weight=0.7", "plan 'csm' invalid: plan: component weights add up to 1.1, not 1"),
    ("grr.accelerator=11", "components.0.accelerator: Input should be less than or equal to 10"),
    ("variable_share=1.5", "variable_share: Input should be less than 1"),
])
def test_a_bad_setting_is_refused_with_what_is_wrong(setting, message):
    with pytest.raises(TenureError) as caught:
        apply_overrides(PLANS, [setting])
    assert message in str(caught.value) and setting in str(caught.value)


def test_a_plan_component_without_a_usable_target_is_a_config_error():
    raw = {"compensation": {"plans": {"csm": {"on_target_earnings": 100000, "variable_share": 0.2, "components": [
        {"metric": "logo_retention", "weight": 1.0}]}}}}
    with pytest.raises(ConfigError, match=r"plans.csm.components.0': logo_retention has no cascaded target"):
        parse_config(raw)
    raw["compensation"]["plans"]["csm"]["components"][0].update(target=0.9, threshold=0.95)
    with pytest.raises(ConfigError, match="threshold 0.95 is above target 0.9"):
        parse_config(raw)


# --- the view on the hand-made company -----------------------------------------------------------------

CONFIG = {"compensation": {"plans": {"csm": PLANS["csm"].model_dump()}}}


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory):
    ws = build_company(tmp_path_factory.mktemp("comp-company"), config=CONFIG)
    yield ws
    ws.close()


def test_pay_per_csm_from_the_book_at_the_period_start(company):
    # Target variable a quarter: 120,000 × 0.25 × 3/12 = 7,500.
    # C1 (A1, A2, A5): grr 30,000 / 54,000 = 0.555556 against the cascaded 0.933333^(1/4) = 0.982900 →
    #   attainment 0.565221, paid as is: 7,500 × 0.6 × 0.565221 = 2,543.49;
    #   expansion 6,000 against 54,000 × 0.20 × 3/12 = 2,700 → attainment 2.222222 → 1 + 1.222222 × 1.5 = 2.833333,
    #   capped at 2 → 7,500 × 0.4 × 2 = 6,000.  C1 earns 8,543.49.
    # C2 (A3, A4 — A4 stays although it moved to C1 on 1 Aug): grr 6,600 / 9,000 = 0.733333 against SMB's
    #   0.80^(1/4) = 0.945742 → attainment 0.775405 → 7,500 × 0.6 × 0.775405 = 3,489.32; no expansion
    #   against 9,000 × 0.10 × 3/12 = 225 → 0.  C2 earns 3,489.32.
    # C3 (A7, churned): 0.  C4 (no book): 0, listed.  C5 left before the quarter: not listed.
    from tenure.views.compensation import compensation_view

    view = compensation_view(company, period=Q3, owners=owners_before(company, Q3.start))
    people = view.people.set_index("person_id")
    assert list(people.index) == ["C1", "C2", "C3", "C4"]
    lines = view.lines.set_index(["person_id", "metric"])
    c1_grr = lines.loc[("C1", "grr")]
    assert c1_grr["target"] == approx((50400 / 54000) ** QUARTER)
    assert c1_grr["attainment"] == approx((30000 / 54000) / (50400 / 54000) ** QUARTER)
    assert c1_grr["payout"] == approx(7500 * 0.6 * (30000 / 54000) / (50400 / 54000) ** QUARTER, abs=0.01)
    assert c1_grr["payout"] == approx(2543.49, abs=0.01)
    c1_exp = lines.loc[("C1", "expansion_arr")]
    assert (c1_exp["actual"], c1_exp["target"], c1_exp["rate"], c1_exp["payout"]) == (6000, approx(2700), 2, 6000)
    assert people.loc["C1", "payout"] == approx(8543.49, abs=0.01)
    assert lines.loc[("C2", "grr"), "payout"] == approx(3489.32, abs=0.01)
    assert lines.loc[("C2", "expansion_arr"), "target"] == approx(225)
    assert people.loc["C2", "payout"] == approx(3489.32, abs=0.01) and people.loc["C2", "accounts"] == 2
    assert people.loc["C3", "payout"] == 0 and people.loc["C4", "note"] == "no book at the period start"
    assert people.loc["C1", "payout_pct"] == approx(8543.49 / 7500, abs=1e-6)
    # the plan costs 12,032.81 for 4 × 7,500 = 30,000 at target; the books retained 30,000 + 6,600 = 36,600
    s = view.summary
    assert (s["people"], s["target_variable"], s["arr_retained"]) == (4, 30000, 36600)
    assert s["plan_cost"] == approx(12032.81, abs=0.02)
    assert s["cost_per_retained_dollar"] == approx(s["plan_cost"] / 36600)


def test_what_if_shows_the_cost_difference(company):
    # a cap of 3 on expansion lets C1's 2.833333 through: 7,500 × 0.4 × 2.833333 = 8,500, 2,500 more than 6,000;
    # nobody else changes
    from tenure.views.compensation import compensation_view

    view = compensation_view(company, period=Q3, owners=owners_before(company, Q3.start),
                             overrides=["expansion_arr.cap=3"])
    people = view.people.set_index("person_id")
    assert people.loc["C1", "whatif_payout"] - people.loc["C1", "payout"] == approx(2500, abs=0.01)
    assert people.loc[["C2", "C3", "C4"], "difference"].tolist() == [0, 0, 0]
    assert view.summary["difference"] == approx(2500, abs=0.01)
    assert view.summary["whatif_cost"] == approx(view.summary["plan_cost"] + 2500, abs=0.01)
    line = view.lines.set_index(["person_id", "metric"]).loc[("C1", "expansion_arr")]
    assert (line["rate"], line["whatif_rate"]) == (2, approx(17 / 6))
    # more variable pays everyone more in proportion: 0.25 → 0.30 is × 1.2
    more = compensation_view(company, period=Q3, owners=owners_before(company, Q3.start),
                             overrides=["variable_share=0.3"])
    assert more.summary["whatif_cost"] == approx(more.summary["plan_cost"] * 1.2, abs=0.05)


def test_one_person_and_an_unknown_person(company):
    from tenure.views.compensation import compensation_view

    view = compensation_view(company, period=Q3, owners=owners_before(company, Q3.start), person="C2")
    assert view.people["person_id"].tolist() == ["C2"] and set(view.lines["person_id"]) == {"C2"}
    with pytest.raises(TenureError, match="--csm 'C5' is not a team member on a plan"):
        compensation_view(company, period=Q3, person="C5")


# --- the command on a generated company ------------------------------------------------------------------

@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory):
    from tenure.contract.load import load
    from tenure.demo.simulator import generate
    from tenure.workspace import Workspace

    root = tmp_path_factory.mktemp("comp-generated")
    generate(root / "data", end=dt.date(2025, 12, 31), accounts=120, months=15, seed=5)
    ws = Workspace.init(root / "ws")
    load([root / "data"], warehouse=ws.warehouse, base_currency=ws.config.base_currency)
    ws.close()
    return root / "ws"


@pytest.mark.slow
def test_tenure_comp_end_to_end(generated, tmp_path):
    base = ("--workspace", generated, "comp", "--period", "2025Q4")
    done = run(*base, "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert (payload["period"], payload["months"], payload["complete"]) == ("2025Q4", 3, True)
    people = payload["people"]
    assert people and all(p["role"] == "csm" for p in people)
    # the default plan: 130,000 × 20% × 3/12 = 6,500 at target for each person
    assert all(p["target_variable"] == 6500 for p in people)
    for p in people:
        assert [c["metric"] for c in p["components"]] == ["grr", "nrr", "logo_retention"]
        assert p["payout"] == approx(sum(c["payout"] for c in p["components"]), abs=0.01)
        for c in p["components"]:
            if c["actual"] is not None:
                assert c["attainment"] == approx(c["actual"] / c["target"])
                assert 0 <= c["rate"] <= {"grr": 1.5, "nrr": 2.0, "logo_retention": 1.2}[c["metric"]]
                assert c["payout"] == approx(6500 * c["weight"] * c["rate"], abs=0.01)
    summary = payload["summary"]
    assert summary["plan_cost"] == approx(sum(p["payout"] for p in people), abs=0.05)
    assert summary["cost_per_retained_dollar"] == approx(summary["plan_cost"] / summary["arr_retained"])

    whatif = json.loads(run(*base, "--set", "grr.accelerator=3", "--set", "variable_share=0.3", "--format", "json",
                            cwd=tmp_path).stdout)
    assert whatif["overrides"] == ["grr.accelerator=3", "variable_share=0.3"]
    assert whatif["summary"]["difference"] == approx(whatif["summary"]["whatif_cost"] - summary["plan_cost"], abs=0.01)
    assert whatif["summary"]["difference"] >= summary["plan_cost"] * 0.5 - 0.01  # × 1.5 from the share alone

    someone = people[0]["person_id"]
    table = run(*base, "--csm", someone, "--set", "grr.accelerator=3", cwd=tmp_path)
    assert table.returncode == 0, table.stderr
    for text in ("Components: actual against target", "Variable pay per person", "Plan cost", "What-if cost",
                 "cost per retained dollar", someone):
        assert text in table.stdout, text
    rows = list(csv.DictReader(run(*base, "--format", "csv", cwd=tmp_path).stdout.splitlines()))
    assert len(rows) == 3 * len(people) and {r["period"] for r in rows} == {"2025Q4"}

    bad_period = run("--workspace", generated, "comp", "--period", "Q4", cwd=tmp_path)
    assert bad_period.returncode == 1 and "--period 'Q4' is not a period" in bad_period.stderr
    bad_set = run(*base, "--set", "grr.accelerator=fast", cwd=tmp_path)
    assert bad_set.returncode == 1 and "--set 'grr.accelerator=fast': 'fast' is not a number" in bad_set.stderr
    assert "Traceback" not in bad_period.stderr + bad_set.stderr
    missing = run("--workspace", generated, "comp", cwd=tmp_path)
    assert missing.returncode == 2 and "--period" in missing.stderr
