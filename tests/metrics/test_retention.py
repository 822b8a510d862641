"""GRR, NRR, logo and dollar churn, quick ratio, the ARR bridge, cohorts and renewals, by hand.

One small company, as of 2025-12-31 (last snapshot 2025-12-31). Month-end MRR of each account
(from the lines below; every line is "core" except A's analytics add-on):

    F  60  2023-01 … 2024-09, back 2025-09 … 2025-12      (Mid-Market)
    C 100  2024-01 … 2025-07                             (SMB)
    B 200  2024-03 … 2025-03, 120 2025-04 … 2025-12      (Enterprise)
    E  50  2024-05 … 2025-02, back 70 2025-06 … 2025-12  (SMB)
    A 100  2024-06 … 2025-04, 150 2025-05 … 2025-12      (Enterprise; +50 is analytics)
    J  90  2024-07 … 2024-08                             (Mid-Market)
    K  30  2024-08 … 2025-12                             (Mid-Market)
    G  40  2024-12 … 2025-12                             (no segment)
    D  80  2025-02 … 2025-12                             (SMB)
    H  a trial (mrr 0) only                              (SMB)

Totals: Dec 2024 520 (C B E A K G); Jan 2025 520; Feb 600 (D +80); Mar 550 (E −50); Apr 470
(B −80); May 520 (A +50); Jun 590 (E +70 back); Jul 590; Aug 490 (C −100); Sep 550 (F +60
back); Oct–Dec 550.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import pandas as pd
import pytest

from tenure.metrics import revenue
from tenure.metrics.cohorts import cohort_retention
from tenure.metrics.renewals import next_renewals
from tenure.views.cohorts import cohort_table
from tenure.views.renewals import renewal_table
from tenure.views.revenue import account_mrr, paying_lines, revenue_summary

AS_OF = dt.date(2025, 12, 31)
DEC_2025 = 2025 * 12 + 11
JUN_2025 = 2025 * 12 + 5


def line(subscription_id: str, account_id: str, start: str, end: str | None, mrr: str, *, product: str = "core",
         **extra) -> dict:
    return {"subscription_id": subscription_id, "account_id": account_id, "product": product,
            "start_date": start, "end_date": end, "mrr": mrr, "currency": "USD", **extra}


LINES = [
    line("f1", "F", "2023-01-01", "2024-10-01", "60"),
    line("f2", "F", "2025-09-01", None, "60"),
    line("c1", "C", "2024-01-20", "2025-08-15", "100"),
    line("b1", "B", "2024-03-01", "2025-04-01", "200"),
    line("b2", "B", "2025-04-01", None, "120"),
    line("e1", "E", "2024-05-01", "2025-03-01", "50"),
    line("e2", "E", "2025-06-10", None, "70"),
    line("a1", "A", "2024-06-01", None, "100"),
    line("a2", "A", "2025-05-10", None, "50", product="analytics"),
    line("j1", "J", "2024-07-05", "2024-09-20", "90"),
    line("k1", "K", "2024-08-10", None, "30"),
    line("g1", "G", "2024-12-31", None, "40"),
    line("d1", "D", "2025-02-03", None, "80"),
    line("h1", "H", "2025-03-01", None, "0"),
]
SEGMENTS = {"A": "Enterprise", "B": "Enterprise", "C": "SMB", "D": "SMB", "E": "SMB", "F": "Mid-Market",
            "G": None, "H": "SMB", "J": "Mid-Market", "K": "Mid-Market"}
ACCOUNTS = [{"account_id": a, "name": f"Account {a}", "created_at": "2015-01-01", "segment": s}
            for a, s in SEGMENTS.items()]


@pytest.fixture(scope="module")
def ws(tmp_path_factory, workspace_builder):
    workspace = workspace_builder(tmp_path_factory.mktemp("retention"), subscriptions=LINES, accounts=ACCOUNTS)
    yield workspace
    workspace.close()


@pytest.fixture(scope="module")
def ws_fy2(tmp_path_factory, workspace_builder):
    """The same company with fiscal years starting in February."""
    workspace = workspace_builder(tmp_path_factory.mktemp("retention-fy2"), subscriptions=LINES, accounts=ACCOUNTS,
                                  config={"fiscal_year_start_month": 2})
    yield workspace
    workspace.close()


def approx(value):
    return pytest.approx(value, rel=1e-12)


# -- headline retention ----------------------------------------------------------------------------


def test_twelve_month_retention_headline(ws):
    # Cohort = paying at 2024-12-31: C 100, B 200, E 50, A 100, K 30, G 40 → 6 accounts, 520.
    # At 2025-12-31: C 0, B 120, E 70 (churned in March, back in June: not lost), A 150, K 30, G 40.
    # GRR = (0 + 120 + min(70, 50) + min(150, 100) + 30 + 40) / 520 = 340 / 520
    # NRR = (0 + 120 + 70 + 150 + 30 + 40) / 520 = 410 / 520   (D new, F reactivated: excluded)
    # logo churn = 1 / 6 (C); dollar churn = 100 / 520.
    # Quick ratio over Jan–Dec 2025: gained D 80 + A 50 + E 70 + F 60 = 260;
    # lost B 80 + E 50 + C 100 = 230 → 260 / 230.
    # ARR = 12 × (120 + 70 + 150 + 30 + 40 + 80 + 60) = 12 × 550 = 6600, 7 paying accounts.
    headline = revenue_summary(ws, as_of=AS_OF).headline
    assert headline == {
        "arr": 6600.0, "paying_accounts": 7, "grr": approx(340 / 520), "nrr": approx(410 / 520),
        "logo_churn": approx(1 / 6), "dollar_churn": approx(100 / 520), "quick_ratio": approx(260 / 230),
        "accounts_at_start": 6, "accounts_lost": 1,
    }
    assert headline["grr"] <= 1 and headline["grr"] <= headline["nrr"]


def test_six_month_retention_headline(ws):
    # Cohort = paying at 2025-06-30: C 100, B 120, E 70, A 150, K 30, G 40, D 80 → 7 accounts, 590.
    # At 2025-12-31 all the same but C (0): retained = end = 490.
    # GRR = NRR = 490 / 590; logo churn 1 / 7; dollar churn 100 / 590.
    # Quick ratio Jul–Dec 2025: F reactivation 60 ÷ C churn 100 = 0.6.
    summary = revenue_summary(ws, as_of=AS_OF, window_months=6)
    assert summary.window_months == 6
    assert summary.headline == {
        "arr": 6600.0, "paying_accounts": 7, "grr": approx(490 / 590), "nrr": approx(490 / 590),
        "logo_churn": approx(1 / 7), "dollar_churn": approx(100 / 590), "quick_ratio": approx(0.6),
        "accounts_at_start": 7, "accounts_lost": 0 + 1,
    }


def test_retention_over_several_windows_in_one_expression(ws):
    # W = 6 ending 2025-12 (above) and ending 2025-06: cohort at 2024-12 = 520 over 6 accounts;
    # at 2025-06: C 100, B 120, E 70 (back inside the window: not lost), A 150, K 30, G 40.
    # GRR = (100 + 120 + 50 + 100 + 30 + 40) / 520 = 440 / 520; NRR = 510 / 520; no logo lost.
    mrr = account_mrr(ws, as_of=AS_OF)
    frame = ws.warehouse.execute(revenue.retention(mrr, end_months=[DEC_2025, JUN_2025], window_months=6))
    rows = {int(r.month): r for r in frame.itertuples()}
    assert set(rows) == {DEC_2025, JUN_2025}
    june = rows[JUN_2025]
    assert (june.accounts_start, june.accounts_lost, june.mrr_start, june.mrr_end) == (6, 0, 520, 510)
    assert (june.grr, june.nrr, june.logo_churn, june.dollar_churn) == (approx(440 / 520), approx(510 / 520), 0, 0)
    december = rows[DEC_2025]
    assert (december.accounts_start, december.accounts_lost, december.mrr_start, december.mrr_end) == (7, 1, 590, 490)


def groups_by(summary, column):
    table = summary.groups
    assert table[column].is_unique
    return {r[column]: r for r in table.to_dict("records")}


def test_retention_by_segment(ws):
    # Enterprise: cohort A 100, B 200 = 300 → A 150, B 120: GRR 220/300, NRR 270/300, no churn;
    #   ARR 12 × 270 = 3240; quick ratio A +50 ÷ B 80.
    # SMB: cohort C 100, E 50 = 150 → C 0, E 70: GRR 50/150, NRR 70/150, logo 1/2, dollar 100/150;
    #   ARR 12 × (E 70 + D 80) = 1800; quick ratio (D 80 + E 70) ÷ (C 100 + E 50) = 1.
    # Mid-Market: cohort K 30 (F and J not paying at 2024-12) → 30: GRR = NRR = 1; ARR 12 × (30 + 60)
    #   = 1080; F +60, nothing lost → no quick ratio.
    # (none): G 40 → 40; ARR 480; only flat months → no quick ratio.
    groups = groups_by(revenue_summary(ws, as_of=AS_OF, by="segment"), "segment")
    assert set(groups) == {"Enterprise", "SMB", "Mid-Market", "(none)"}
    expected = {
        "Enterprise": (3240.0, 2, 2, 0, 220 / 300, 270 / 300, 0, 0, 50 / 80),
        "SMB": (1800.0, 2, 2, 1, 50 / 150, 70 / 150, 1 / 2, 100 / 150, 1.0),
        "Mid-Market": (1080.0, 2, 1, 0, 1.0, 1.0, 0, 0, None),
        "(none)": (480.0, 1, 1, 0, 1.0, 1.0, 0, 0, None),
    }
    for name, (arr, paying, start, lost, grr, nrr, logo, dollar, quick) in expected.items():
        g = groups[name]
        assert (g["arr"], g["paying_accounts"], g["accounts_start"], g["accounts_lost"]) == (arr, paying, start, lost)
        assert (g["grr"], g["nrr"], g["logo_churn"], g["dollar_churn"]) == \
            (approx(grr), approx(nrr), approx(logo), approx(dollar)), name
        assert math.isnan(g["quick_ratio"]) if quick is None else g["quick_ratio"] == approx(quick), name


def test_retention_by_product(ws):
    # Entities are (account, product). Cohort at 2024-12: the core lines of C, B, E, A, K, G = 520.
    # At 2025-12 core: C 0, B 120, E 70, A 100 (A's +50 is a new analytics entity), K 30, G 40.
    # GRR = (0 + 120 + 50 + 100 + 30 + 40) / 520 = 340/520; NRR = 360/520; logo 1/6.
    # core ARR 12 × (B 120 + E 70 + A 100 + K 30 + G 40 + D 80 + F 60) = 6000 over 7 accounts;
    # analytics ARR 600 (A), no cohort. Quick ratio core: (D 80 + E 70 + F 60) ÷ (B 80 + E 50 + C 100).
    summary = revenue_summary(ws, as_of=AS_OF, by="product")
    assert (summary.headline["grr"], summary.headline["nrr"]) == (approx(340 / 520), approx(360 / 520))
    assert summary.headline["quick_ratio"] == approx(260 / 230)  # A's analytics +50 is new instead of expansion
    groups = groups_by(summary, "product")
    core, analytics = groups["core"], groups["analytics"]
    assert (core["arr"], core["paying_accounts"], core["accounts_start"], core["accounts_lost"]) == (6000.0, 7, 6, 1)
    assert (core["grr"], core["nrr"], core["logo_churn"], core["dollar_churn"]) == \
        (approx(340 / 520), approx(360 / 520), approx(1 / 6), approx(100 / 520))
    assert core["quick_ratio"] == approx(210 / 230)
    assert (analytics["arr"], analytics["paying_accounts"]) == (600.0, 1)
    assert math.isnan(analytics["grr"]) and math.isnan(analytics["quick_ratio"])


# -- the ARR bridge ------------------------------------------------------------------------------------


def bridge_rows(summary):
    return {r["period"]: tuple(r[c] for c in ("arr_start", "new", "expansion", "contraction", "churn",
                                              "reactivation", "arr_end"))
            for r in summary.bridge.to_dict("records")}


def assert_bridge_adds_up(bridge):
    previous_end = None
    for period, (start, *moves, end) in bridge.items():
        assert start + sum(moves) == pytest.approx(end, abs=1e-9), period
        if previous_end is not None:
            assert start == previous_end, period
        previous_end = end


def test_arr_bridge_by_quarter(ws):
    #           start    new   expansion contraction  churn  reactivation  end
    # 2025Q1   520×12   D 80       -          -       E −50       -        550×12
    # 2025Q2   550×12    -      A 50       B −80        -       E 70       590×12
    # 2025Q3   590×12    -         -          -      C −100     F 60       550×12
    # 2025Q4   550×12    -         -          -         -         -        550×12
    bridge = bridge_rows(revenue_summary(ws, as_of=AS_OF, period="quarter", periods=4))
    assert bridge == {
        "2025Q1": (6240.0, 960.0, 0.0, 0.0, -600.0, 0.0, 6600.0),
        "2025Q2": (6600.0, 0.0, 600.0, -960.0, 0.0, 840.0, 7080.0),
        "2025Q3": (7080.0, 0.0, 0.0, 0.0, -1200.0, 720.0, 6600.0),
        "2025Q4": (6600.0, 0.0, 0.0, 0.0, 0.0, 0.0, 6600.0),
    }
    assert_bridge_adds_up(bridge)


def test_arr_bridge_by_calendar_year(ws):
    # 2024: start F 60; new C 100, B 200, E 50, A 100, J 90, K 30, G 40 = 610; churn J −90 (Sep),
    #       F −60 (Oct) = −150; end 520.     2025: the four quarters above.
    bridge = bridge_rows(revenue_summary(ws, as_of=AS_OF, period="year", periods=2))
    assert bridge == {
        "2024": (720.0, 7320.0, 0.0, 0.0, -1800.0, 0.0, 6240.0),
        "2025": (6240.0, 960.0, 600.0, -960.0, -1800.0, 1560.0, 6600.0),
    }
    assert_bridge_adds_up(bridge)


def test_arr_bridge_by_fiscal_year_starting_in_february(ws_fy2):
    # FY2025 = Feb 2024 – Jan 2025: start Jan 31 2024 = F 60 + C 100 = 160; new B, E, A, J, K, G =
    #   510; churn J −90, F −60; end Jan 2025 = 520.
    # FY2026 = Feb 2025 – Jan 2026, ended so far at 2025-12-31: start 520, end 550.
    bridge = bridge_rows(revenue_summary(ws_fy2, as_of=AS_OF, period="year", periods=2))
    assert bridge == {
        "FY2025": (1920.0, 6120.0, 0.0, 0.0, -1800.0, 0.0, 6240.0),
        "FY2026": (6240.0, 960.0, 600.0, -960.0, -1800.0, 1560.0, 6600.0),
    }
    assert_bridge_adds_up(bridge)


def test_arr_bridge_by_fiscal_quarter_starting_in_february(ws_fy2):
    # FY2026Q1 = Feb–Apr 2025: 520 → D +80, E −50, B −80 → 470.
    # FY2026Q2 = May–Jul: A +50, E +70 back → 590.   FY2026Q3 = Aug–Oct: C −100, F +60 → 550.
    # FY2026Q4 = Nov 2025 – Jan 2026, to 2025-12-31 so far: 550 → 550.
    bridge = bridge_rows(revenue_summary(ws_fy2, as_of=AS_OF, period="quarter", periods=4))
    assert bridge == {
        "FY2026Q1": (6240.0, 960.0, 0.0, -960.0, -600.0, 0.0, 5640.0),
        "FY2026Q2": (5640.0, 0.0, 600.0, 0.0, 0.0, 840.0, 7080.0),
        "FY2026Q3": (7080.0, 0.0, 0.0, 0.0, -1200.0, 720.0, 6600.0),
        "FY2026Q4": (6600.0, 0.0, 0.0, 0.0, 0.0, 0.0, 6600.0),
    }
    assert_bridge_adds_up(bridge)


def test_monthly_bridge_ends_at_the_last_month_end_before_as_of(ws):
    # As of 2025-09-20 the last snapshot is 2025-08-31: Aug is the last month, C −100 → 490.
    summary = revenue_summary(ws, as_of=dt.date(2025, 9, 20), periods=2)
    assert summary.period_end == dt.date(2025, 8, 31)
    assert bridge_rows(summary) == {
        "2025-07": (7080.0, 0.0, 0.0, 0.0, 0.0, 0.0, 7080.0),
        "2025-08": (7080.0, 0.0, 0.0, 0.0, -1200.0, 0.0, 5880.0),
    }


# -- cohorts ---------------------------------------------------------------------------------------


def cohort_cells(table, cohort):
    """{age: (accounts, cohort_accounts, arr, cohort_arr)} of one cohort, paying ages only."""
    part = table[(table.cohort == cohort) & (table.accounts > 0)]
    return {int(r.age): (int(r.accounts), int(r.cohort_accounts), r.arr, r.cohort_arr) for r in part.itertuples()}


def test_monthly_cohorts(ws):
    # B (cohort 2024-03, 200): 200 for ages 0–12 (Mar 2024 – Mar 2025), 120 for ages 13–21.
    # A (2024-06, 100): 100 for ages 0–10 (to Apr 2025), 150 for ages 11–18.
    # D (2025-02, 80): ages 0–10. E (2024-05, 50): 50 for ages 0–9, gone 10–12, 70 for ages 13–19.
    table = cohort_table(ws, as_of=AS_OF, period="month")
    assert cohort_cells(table, "2024-03") == {k: (1, 1, 2400.0 if k <= 12 else 1440.0, 2400.0) for k in range(22)}
    assert cohort_cells(table, "2024-06") == {k: (1, 1, 1200.0 if k <= 10 else 1800.0, 1200.0) for k in range(19)}
    assert cohort_cells(table, "2025-02") == {k: (1, 1, 960.0, 960.0) for k in range(11)}
    assert cohort_cells(table, "2024-05") == {k: (1, 1, 600.0 if k <= 9 else 840.0, 600.0)
                                             for k in [*range(10), *range(13, 20)]}
    e = table[table.cohort == "2024-05"].set_index("age")
    assert e.loc[13, "revenue_retention"] == approx(70 / 50) and e.loc[13, "logo_retention"] == 1
    # The cohorts are the first paying months; H (trial only) is in none.
    assert set(table.cohort) == {"2023-01", "2024-01", "2024-03", "2024-05", "2024-06", "2024-07", "2024-08",
                                 "2024-12", "2025-02"}
    assert table.age.max() == 35  # F, 2023-01 → 2025-12


def test_quarterly_cohorts(ws):
    # 2024Q1 = {C (Jan, 100), B (Mar, 200)}: 300 at every quarter-end to Mar 2025 (age 4);
    #   Jun 2025 C 100 + B 120 = 220; Sep and Dec 2025 B 120 only.
    # 2024Q2 = {E (May, 50), A (Jun, 100)}: 150 to Dec 2024; Mar 2025 A 100 only (E churned);
    #   Jun 2025 onwards A 150 + E 70 = 220 (a return counts again).
    # 2024Q3 = {J (Jul, 90), K (Aug, 30)}: cohort MRR 120; at age 0 (Sep 30) J is already gone: 1 of
    #   2 and 30 of 120; K 30 to the end.
    # 2023Q1 = {F}: paying to age 6 (Sep 2024), back at ages 10 and 11 (Sep and Dec 2025).
    table = cohort_table(ws, as_of=AS_OF, period="quarter")
    assert cohort_cells(table, "2024Q1") == {**{k: (2, 2, 3600.0, 3600.0) for k in range(5)},
                                             5: (2, 2, 2640.0, 3600.0), 6: (1, 2, 1440.0, 3600.0),
                                             7: (1, 2, 1440.0, 3600.0)}
    assert cohort_cells(table, "2024Q2") == {**{k: (2, 2, 1800.0, 1800.0) for k in range(3)},
                                             3: (1, 2, 1200.0, 1800.0),
                                             **{k: (2, 2, 2640.0, 1800.0) for k in range(4, 7)}}
    assert cohort_cells(table, "2024Q3") == {k: (1, 2, 360.0, 1440.0) for k in range(6)}
    assert cohort_cells(table, "2024Q4") == {k: (1, 1, 480.0, 480.0) for k in range(5)}
    assert cohort_cells(table, "2025Q1") == {k: (1, 1, 960.0, 960.0) for k in range(4)}
    assert cohort_cells(table, "2023Q1") == {k: (1, 1, 720.0, 720.0) for k in [*range(7), 10, 11]}
    q3 = table[table.cohort == "2024Q3"].set_index("age")
    assert (q3.loc[0, "logo_retention"], q3.loc[0, "revenue_retention"]) == (0.5, 0.25)
    q2 = table[table.cohort == "2024Q2"].set_index("age")
    assert (q2.loc[3, "logo_retention"], q2.loc[3, "revenue_retention"]) == (0.5, approx(100 / 150))
    assert q2.loc[4, "revenue_retention"] == approx(220 / 150)


def test_quarterly_cohorts_with_a_february_fiscal_year(ws_fy2):
    # Fiscal quarters Feb–Apr, May–Jul, Aug–Oct, Nov–Jan; FY named by the year it ends in.
    # FY2025Q2 = May–Jul 2024 = {E 50, A 100, J 90} = 240, observed at Jul 31 2024 (age 0): all 3;
    # Oct 31 2024: E, A (J gone) 150; Jan 31 2025: 150; Apr 30 2025: A 100; Jul 31 2025: A 150 + E 70;
    # Oct 31 2025: 220; Jan 2026 has not ended.
    table = cohort_table(ws_fy2, as_of=AS_OF, period="quarter")
    assert set(table.cohort) == {"FY2023Q4", "FY2024Q4", "FY2025Q1", "FY2025Q2", "FY2025Q3", "FY2025Q4",
                                 "FY2026Q1"}
    assert cohort_cells(table, "FY2025Q2") == {0: (3, 3, 2880.0, 2880.0), 1: (2, 3, 1800.0, 2880.0),
                                               2: (2, 3, 1800.0, 2880.0), 3: (1, 3, 1200.0, 2880.0),
                                               4: (2, 3, 2640.0, 2880.0), 5: (2, 3, 2640.0, 2880.0)}
    # C (first paying Jan 2024) is FY2024Q4 = Nov 2023 – Jan 2024; B (Mar 2024) is FY2025Q1.
    assert cohort_cells(table, "FY2024Q4")[0] == (1, 1, 1200.0, 1200.0)
    assert cohort_cells(table, "FY2025Q1")[4] == (1, 1, 1440.0, 2400.0)  # Apr 30 2025: B 120 of 200


def test_cohort_ages_with_no_paying_member_show_zero_retention(ws):
    # README: only *ended* periods are left out. F's cohort 2023Q1 had nobody paying at the ends of
    # 2024Q4, 2025Q1 and 2025Q2 (ages 7–9): those cells are ended periods with 0 retention, and
    # E's monthly cohort 2024-05 at ages 10–12 likewise; they must not be missing.
    quarterly = ws.warehouse.execute(cohort_retention(account_mrr(ws, as_of=AS_OF), as_of=AS_OF, period="quarter"))
    f = quarterly[quarterly.cohort == 2023 * 12].set_index("age")
    assert [(age, f.loc[age, "accounts"], f.loc[age, "logo_retention"]) if age in f.index else (age, None, None)
            for age in (7, 8, 9)] == [(7, 0, 0.0), (8, 0, 0.0), (9, 0, 0.0)]
    monthly = cohort_table(ws, as_of=AS_OF, period="month")
    e = monthly[monthly.cohort == "2024-05"]
    assert sorted(e.age) == list(range(20))


# -- renewals and ACV ------------------------------------------------------------------------------

RENEWAL_LINES = [
    # R1 README: annual line from 2024-01-31, as of 2025-02-01 → 2026-01-31.
    line("r1", "R1", "2024-01-31", None, "100", billing_period="year"),
    # R2: explicit renewal_date 2024-06-30 that has passed, 12-month term → rolled to 2025-06-30.
    line("r2", "R2", "2023-06-30", None, "50", term_months=12, renewal_date="2024-06-30"),
    # R3: a future renewal_date wins over the start anniversary (2025-03-01).
    line("r3", "R3", "2024-03-01", None, "25", term_months=12, renewal_date="2025-09-01"),
    # R4: no renewal_date: end_date wins over the monthly anniversary.
    line("r4", "R4", "2024-09-01", "2025-09-01", "30", billing_period="month"),
    # R5: neither term nor billing period: the configured default term (24): 2022-05-15 + 48 months.
    line("r5", "R5", "2022-05-15", None, "10"),
    # R6: the earliest over the account's lines, ACV of the lines renewing that day only.
    line("r6a", "R6", "2024-04-01", None, "100", billing_period="year"),
    line("r6b", "R6", "2024-11-15", None, "30", billing_period="quarter", product="addon"),
    line("r6c", "R6", "2024-08-15", None, "20", billing_period="quarter", product="seats"),
    # R7: term_months overrides billing_period.
    line("r7", "R7", "2024-06-10", None, "40", billing_period="month", term_months=12),
    # R8: ended before as of: not renewing; R9: trial only: not paying.
    line("r8", "R8", "2024-01-01", "2025-01-15", "70", billing_period="year"),
    line("r9", "R9", "2025-01-01", None, "0", billing_period="month"),
    # R10: monthly from the 31st (month ends clamp).
    line("r10", "R10", "2024-01-31", None, "10", billing_period="month"),
]


@pytest.fixture(scope="module")
def renewal_ws(tmp_path_factory, workspace_builder):
    workspace = workspace_builder(tmp_path_factory.mktemp("renewals"), subscriptions=RENEWAL_LINES,
                                  config={"revenue": {"default_term_months": 24}})
    yield workspace
    workspace.close()


def test_next_renewal_and_acv(renewal_ws):
    # As of 2025-02-01:
    # R1 2026-01-31 (364 days), term 12, ACV = ARR = 1200.
    # R2 2025-06-30 (149 days), 600.   R3 2025-09-01 (212 days), 300.   R4 end date 2025-09-01, term 1, 360.
    # R5 anniversaries 2024-05-15, 2026-05-15 → 2026-05-15 (468 days), term 24, 120.
    # R6 r6a 2025-04-01; r6b 2025-02-15; r6c 2024-11-15 → 2025-02-15: 2025-02-15 (14 days), term 3,
    #    ACV 12 × (30 + 20) = 600, ARR 12 × 150 = 1800.
    # R7 2025-06-10 (129 days), term 12, 480.  R10 2024-01-31 + 13 months = 2025-02-28 (27 days), 120.
    table = renewal_table(renewal_ws, as_of=dt.date(2025, 2, 1))
    got = {r.account_id: (pd.Timestamp(r.renewal_date).date().isoformat(), r.days_to_renewal, r.term_months,
                          r.acv, r.arr) for r in table.itertuples()}
    assert got == {
        "R1": ("2026-01-31", 364, 12, 1200.0, 1200.0),
        "R2": ("2025-06-30", 149, 12, 600.0, 600.0),
        "R3": ("2025-09-01", 212, 12, 300.0, 300.0),
        "R4": ("2025-09-01", 212, 1, 360.0, 360.0),
        "R5": ("2026-05-15", 468, 24, 120.0, 120.0),
        "R6": ("2025-02-15", 14, 3, 600.0, 1800.0),
        "R7": ("2025-06-10", 129, 12, 480.0, 480.0),
        "R10": ("2025-02-28", 27, 1, 120.0, 120.0),
    }
    assert list(table.account_id) == ["R6", "R10", "R7", "R2", "R3", "R4", "R1", "R5"]
    within = renewal_table(renewal_ws, as_of=dt.date(2025, 2, 1), within_days=30)
    assert list(within.account_id) == ["R6", "R10"]


def test_default_term_comes_from_the_argument(renewal_ws):
    # R5 with the default term of 12 months: 2025-05-15; ACV stays 120 (12 × 10).
    lines = paying_lines(renewal_ws, as_of=dt.date(2025, 2, 1))
    frame = renewal_ws.warehouse.execute(next_renewals(lines, as_of=dt.date(2025, 2, 1), default_term_months=12))
    r5 = frame[frame.account_id == "R5"].iloc[0]
    assert (pd.Timestamp(r5.renewal_date).date(), r5.term_months, r5.acv) == (dt.date(2025, 5, 15), 12, Decimal(120))


def renewal_of(ws, account, as_of):
    lines = paying_lines(ws, as_of=as_of)
    frame = ws.warehouse.execute(next_renewals(lines.filter(lines.account_id == account), as_of=as_of))
    return pd.Timestamp(frame.renewal_date.iloc[0]).date()


def test_monthly_renewal_clamps_to_the_month_end(renewal_ws):
    # README: a monthly line from 2024-01-31 as of 2024-02-10 → 2024-02-29.
    assert renewal_of(renewal_ws, "R10", dt.date(2024, 2, 10)) == dt.date(2024, 2, 29)
    # As of 2024-03-10: the anniversary 2 months after 2024-01-31 is 2024-03-31.
    assert renewal_of(renewal_ws, "R10", dt.date(2024, 3, 10)) == dt.date(2024, 3, 31)


@pytest.mark.parametrize(("as_of", "expected"), [
    # The anniversaries of 2024-01-31 by 1 month: 2024-02-29, 2024-03-31, 2024-04-30, 2024-05-31, …
    (dt.date(2024, 2, 29), dt.date(2024, 3, 31)),  # 2024-02-29 is not after as of → the next one, Mar 31
    (dt.date(2024, 4, 30), dt.date(2024, 5, 31)),
])
def test_renewal_after_a_clamped_anniversary_is_the_next_anniversary_of_the_start(renewal_ws, as_of, expected):
    # README: "the first anniversary of start_date by the term that falls after d"; an anniversary is
    # start + k × term months (clamped to the month end), not the clamped date plus one more term.
    assert renewal_of(renewal_ws, "R10", as_of) == expected
