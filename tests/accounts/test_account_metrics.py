"""Every registered account metric, worked by hand for every paying account of the base data set.

The data set is in conftest.py (AS_OF = 2025-06-30, windows listed there). EXPECTED holds, per
metric, the exact value for each paying account (A1 Acme, A2 Zombie, A3 Newco, A4 Quiet, A7 Steady);
None is "empty" (null) and must not come back as 0, and a flag must be a real True/False. The
comment above each metric shows the arithmetic; `test_every_metric_is_worked_by_hand` makes sure
no registered metric (nor a configured value metric) is left out.
"""

from __future__ import annotations

import datetime as dt

import ibis.expr.datatypes as dt_types
import pytest

from tenure.metrics.accounts import registered
from tenure.metrics.registry import METRICS
from tenure.views.health import metrics_at

AS_OF = dt.date(2025, 6, 30)
PAYING = {"A1", "A2", "A3", "A4", "A7"}

ADOPTION = {
    # Distinct users with an event in [2025-06-24 00:00, 2025-07-01 00:00).
    # A1: u1 (06-30 23:59:59, the last instant of as_of) and u2 (06-24 00:00:00, the first instant of the
    #     window) = 2; u8 at 06-23 23:59:59 is one second early, u9 at 07-01 00:00:00 is the next day.
    # A2 (06-15), A3 (06-20), A7 (06-05): nobody in the last week. A4: no events = 0.
    "active_users_7d": {"A1": 2, "A2": 0, "A3": 0, "A4": 0, "A7": 0},
    # [2025-06-01 00:00, 2025-07-01): A1 u3 (06-01 00:00:00), u1, u8, u2 = 4 (u4 at 05-31 23:59:59 is out).
    "active_users_30d": {"A1": 4, "A2": 1, "A3": 1, "A4": 0, "A7": 1},
    # [2025-04-02 00:00, 2025-07-01): A1 adds u4 (05-31) and u5 (04-02 00:00:00) = 6; u6 (04-01 23:59:59), u7, u9 out.
    "active_users_90d": {"A1": 6, "A2": 1, "A3": 1, "A4": 0, "A7": 1},
    # Quantity of the paying lines active on as_of.
    # A1: S1 20 + S2 5 = 25 (the free sandbox's 100 seats do not count). A2, A7: no quantity = empty.
    # A3: 10. A4: S6 5 (S7 has no quantity).
    "seats": {"A1": 25, "A2": None, "A3": 10, "A4": 5, "A7": None},
    # active_users_30d ÷ seats: A1 4/25, A3 1/10, A4 0/5; empty without seats.
    "seat_utilisation": {"A1": 0.16, "A2": None, "A3": 0.1, "A4": 0.0, "A7": None},
    # (user-days in 30 days / 30) ÷ active_users_30d.
    # A1 user-days: (u3, 06-01), (u1, 06-10: export and login are one user-day), (u8, 06-23), (u2, 06-24),
    #     (u1, 06-30) = 5 -> 5/30/4 = 1/24. A2, A3, A7: 1 user-day, 1 user -> 1/30. A4: no users = empty.
    "stickiness": {"A1": 5 / 30 / 4, "A2": 1 / 30, "A3": 1 / 30, "A4": None, "A7": 1 / 30},
    # Events in 30 days, summing `count` (empty count = 1) ÷ active_users_30d.
    # A1: u3 login 1 + u1 export 2 + u1 login 1 + u8 login 1 + u2 report_created 3 + u1 login 1 = 9 -> 9/4.
    # A7: login + report_created = 2 -> 2/1.
    "events_per_active_user_30d": {"A1": 9 / 4, "A2": 1.0, "A3": 1.0, "A4": None, "A7": 2.0},
    # Distinct events in 30 days. A1: login, export, report_created = 3. A7: login, report_created.
    "feature_breadth_30d": {"A1": 3, "A2": 1, "A3": 1, "A4": 0, "A7": 2},
    # Distinct events in 90 days. A1 adds dashboard_shared (04-20) = 4 (legacy_import, 03-10, is out).
    # A3 adds report_created (05-10) = 2.
    "feature_breadth_90d": {"A1": 4, "A2": 1, "A3": 2, "A4": 0, "A7": 2},
    # Features first used on or after 2025-01-02 00:00 (and before 07-01).
    # A1: export (2025-03-03) and legacy_import (2025-03-10) = 2; login, report_created, dashboard_shared
    #     were first used in 2024; beta_feature's first use (07-01 00:00) is after as_of.
    # A3: report_created (05-10) and login (06-20) = 2. A2, A7: everything first used in 2023/2024 = 0.
    "features_first_used_180d": {"A1": 2, "A2": 0, "A3": 2, "A4": 0, "A7": 0},
    # Features released in [2025-01-02, 2025-06-30]: export (02-15) and scheduler (01-02) = 2
    # (api_v2 01-01 is a day early, beta_feature 07-01 is not released yet, legacy_import has no date).
    # A1 used export, not scheduler -> 1/2. Nobody else used either -> 0/2 = 0.0 (not empty: some were released).
    "new_feature_adoption_180d": {"A1": 0.5, "A2": 0.0, "A3": 0.0, "A4": 0.0, "A7": 0.0},
    # Events in 30 days ÷ events in the 30 days before (2025-05-02 .. 05-31) - 1.
    # A1: prior = u1 login count 4 + u4 login 1 (05-31 23:59:59) = 5 -> 9/5 - 1 = 0.8.
    # A3: 1 (06-20) ÷ 1 (05-10) - 1 = 0. A2, A7: no events in the prior 30 days -> empty. A4: empty.
    "usage_trend_30d": {"A1": 0.8, "A2": None, "A3": 0.0, "A4": None, "A7": None},
    # Events in 30 days ÷ events in 2025-03-03 00:00 .. 04-01 23:59:59 - 1.
    # A1: quarter ago = export count 2 (03-03 00:00:00) + legacy_import 1 + login 1 (04-01 23:59:59) = 4
    #     -> 9/4 - 1 = 1.25 (u7's login at 03-02 23:59:59 is before the window).
    # A2: 1 ÷ 2 (login + report_created on 03-20) - 1 = -0.5. A7: 2 ÷ 1 - 1 = 1.0. A3: none then -> empty.
    "usage_vs_quarter_ago": {"A1": 1.25, "A2": -0.5, "A3": None, "A4": None, "A7": 1.0},
    # Days from the first paid start to the first key event (report_created or dashboard_shared); 0 if before.
    # A1: 2024-01-15 -> 2024-02-04 = 20 (the free sandbox is not a paid start). A2: 2024-03-01 -> 2024-04-01 = 31.
    # A3: key event 2025-05-10, paid start 2025-05-15 -> 0. A7: 2023-06-01 -> 2023-07-02 = 31.
    # A4: never used a key event -> empty ("empty until reached").
    "time_to_value_days": {"A1": 20, "A2": 31, "A3": 0, "A4": None, "A7": 31},
    # All key events first used before first paid start + 90 days.
    # A1: report_created 2024-02-04, dashboard_shared 2024-03-05 < 2024-04-14 -> True.
    # A2, A7: never used dashboard_shared and their period is long over -> False. A4: nothing, over -> False.
    # A3: period runs to 2025-08-13, only report_created reached -> empty (in progress).
    # A4 started 2023-01-01: its onboarding ended 2023-04-01, before any key feature was released (2023-06-01),
    # so there is no verdict (empty), not False.
    "onboarding_complete": {"A1": True, "A2": False, "A3": None, "A4": None, "A7": False},
    # users ≥ 1, no first use in 180 days, breadth_30d ≤ breadth a quarter ago.
    # A2: 1 user, no new feature, breadth 1 ≤ 2 -> True. A1, A3: new features -> False.
    # A7: no new feature but breadth 2 > 1 -> False. A4: no users -> False.
    "zombie": {"A1": False, "A2": True, "A3": False, "A4": False, "A7": False},
}

ENGAGEMENT = {
    # A1: exec present at AC1 (06-20), AC5 (06-28, an email: any type counts) and AC3; AC6 (07-01) is after
    #     as_of -> 2025-06-30 - 2025-06-28 = 2. A2: AC7 has exec_present empty -> never -> empty.
    # A3: AC8 2024-12-01 -> 211 days. A4, A7: no activities -> empty.
    "days_since_exec_activity": {"A1": 2, "A2": None, "A3": 211, "A4": None, "A7": None},
    # Meetings, QBRs and EBRs from 2025-04-02 00:00: A1 AC1 (qbr) + AC2 (meeting at 04-02 00:00:00) = 2;
    # AC3 (ebr at 04-01 23:59:59) is a second early, AC4 is a call, AC5 an email, AC6 after as_of.
    # A2: a call only. A3: its EBR was in 2024.
    "meetings_90d": {"A1": 2, "A2": 0, "A3": 0, "A4": 0, "A7": 0},
    # QBRs and EBRs: A1 AC1 = 1.
    "business_reviews_90d": {"A1": 1, "A2": 0, "A3": 0, "A4": 0, "A7": 0},
    # A champion/exec_sponsor left in [2025-01-02, 2025-06-30].
    # A1: C1 champion left 2025-01-02 (first day) -> True. A3: C5 exec_sponsor left on as_of -> True.
    # A2: C2 left 2025-01-01 (a day early), C3 is a user, C4 still there, C6 leaves 07-01 -> False.
    "sponsor_departed_180d": {"A1": True, "A2": False, "A3": True, "A4": False, "A7": False},
}

SUPPORT = {
    # Created in [2025-06-01 00:00, 2025-07-01): A1 T1 (06-30 23:59:59), T2 (06-01 00:00:00), T3, T10 = 4
    # (T4 at 05-31 23:59:59 is a second early, T8 at 07-01 00:00 is after as_of).
    "tickets_30d": {"A1": 4, "A2": 0, "A3": 0, "A4": 0, "A7": 0},
    # (tickets_30d + 1) ÷ (tickets created 2025-03-03 00:00 .. 05-31 23:59:59 / 3 + 1).
    # A1 prior: T4, T12, T7, T9, T13, T5 (03-03 00:00:00) = 6 (T6 at 03-02 23:59:59 is out)
    #     -> (4 + 1) / (6/3 + 1) = 5/3.
    # A2: its only ticket is from 2024 -> (0 + 1) / (0 + 1) = 1. No tickets at all -> 1.0 (absent).
    "ticket_trend": {"A1": 5 / 3, "A2": 1.0, "A3": 1.0, "A4": 1.0, "A7": 1.0},
    # High/urgent tickets open at as_of. A1: T1 (urgent, open), T2 (high, resolved 07-02: open at as_of),
    # T12 (urgent, pending) = 3; T7 (urgent, solved without date), T5, T9 (resolved) are closed, T8 is unknown.
    "open_urgent_tickets": {"A1": 3, "A2": 0, "A3": 0, "A4": 0, "A7": 0},
    # Tickets resolved in [2025-04-02 00:00, 2025-07-01): T4 10 h, T10 20 h, T9 26 h (resolved 04-02 00:00:00),
    # T3 36 h -> median (20 + 26) / 2 = 23. T13 (04-01 23:59:59) and T5 resolved before; T2 after as_of.
    # A2: resolved in 2024 -> empty.
    "median_resolution_hours_90d": {"A1": 23.0, "A2": None, "A3": None, "A4": None, "A7": None},
    # Mean CSAT of those: T4 2, T9 5, T3 4 (T10 has none) -> 11/3. T13's 0, T5's 1 and T2's 3 are out.
    "csat_90d": {"A1": 11 / 3, "A2": None, "A3": None, "A4": None, "A7": None},
}

SENTIMENT = {
    # A1: NPS responses R1 6 (03-01), R2 9 (06-30 23:59:59); R3 is a CSAT survey, R4 (07-01 00:00) is after.
    # A2: R5 8. A3: R6 10 (02-01), R7 4 (06-01).
    "nps_latest": {"A1": 9.0, "A2": 8.0, "A3": 4.0, "A4": None, "A7": None},
    # A1: 9 - 6 = 3. A3: 4 - 10 = -6. A2: one response -> empty.
    "nps_change": {"A1": 3.0, "A2": None, "A3": -6.0, "A4": None, "A7": None},
}

FINANCIAL = {
    # 12 × MRR of the lines active on as_of, in USD.
    # A1: 12 × (1000 + 200 + 0) = 14400. A2: 12 × 500. A3: 12 × 300.
    # A4: 12 × (400 + 100 EUR × 1.1, the rate of 2024-12-31, in force at its start 2025-04-02) = 12 × 510 = 6120.
    # A7: 12 × 100.
    "arr": {"A1": 14400.0, "A2": 6000.0, "A3": 3600.0, "A4": 6120.0, "A7": 1200.0},
    # ARR ÷ ARR on 2025-04-01 - 1. A1: 14400 / 12000 (S2 starts 05-01) - 1 = 0.2.
    # A4: 6120 / 4800 (S7 starts 04-02) - 1 = 0.275. A3: no ARR on 04-01 -> empty. A2, A7: flat -> 0.
    "arr_change_90d": {"A1": 0.2, "A2": 0.0, "A3": None, "A4": 0.275, "A7": 0.0},
    # Earliest next renewal over the active lines.
    # A1: S1 yearly from 2024-01-15 -> 2026-01-15; S2 2026-05-01; S3 renewal_date 2027-01-01 -> 199 days.
    # A2: monthly from 2024-03-01 -> 2025-07-01 = 1 day. A3: 2025-05-15 + 12 months = 2026-05-15 -> 319.
    # A4: S6 every 24 months from 2023-01-01 -> 2027-01-01; S7 ends 2025-09-30 -> 92 days.
    # A7: quarterly from 2023-06-01 -> 2025-09-01 = 63 days.
    "days_to_renewal": {"A1": 199, "A2": 1, "A3": 319, "A4": 92, "A7": 63},
}

VALUE = {
    # value_hours_saved_90d: 0.5 h per report_created from 2025-04-02 00:00.
    # A1: count 4 (04-02 00:00:00) + count 3 (06-24) = 7 -> 3.5. A2: its report_created (03-20) is older -> 0.
    # A3: 1 (05-10) -> 0.5. A7: 1 (06-05) -> 0.5. A4: no events -> 0.
    "value_hours_saved_90d": {"A1": 3.5, "A2": 0.0, "A3": 0.5, "A4": 0.0, "A7": 0.5},
    # value_exports_90d: 2 USD per export. A1: count 2 (06-10) -> 4 (the export of 03-03 is older). Others 0.
    "value_exports_90d": {"A1": 4.0, "A2": 0.0, "A3": 0.0, "A4": 0.0, "A7": 0.0},
}

EXPECTED = {**ADOPTION, **ENGAGEMENT, **SUPPORT, **SENTIMENT, **FINANCIAL, **VALUE}

CASES = [(name, account_id, value) for name, per in EXPECTED.items() for account_id, value in per.items()]


@pytest.mark.parametrize(("name", "account_id", "expected"), CASES, ids=[f"{n}-{a}" for n, a, _ in CASES])
def test_metric_value(metrics, check, name, account_id, expected):
    check(metrics[account_id][name], expected, f"{name} of {account_id}")


def test_every_metric_is_worked_by_hand(workspace):
    names = [m.name for m in registered(workspace.config.value_drivers())]
    assert len(names) == len(METRICS) + 2
    assert set(EXPECTED) == set(names)
    for name, per_account in EXPECTED.items():
        assert set(per_account) == PAYING, name


def test_one_row_per_paying_account(metrics):
    # A5's only line ended on as_of (end_date is exclusive); A6 has only a free line.
    assert set(metrics) == PAYING


def test_columns_and_types(workspace):
    schema = metrics_at(workspace, as_of=AS_OF).schema()
    names = [m.name for m in registered(workspace.config.value_drivers())]
    assert list(schema.names) == ["account_id", "customer_since", "renewal_date", *names]
    for m in registered(workspace.config.value_drivers()):
        assert schema[m.name] == (dt_types.boolean if m.boolean else dt_types.float64), m.name


def test_customer_since_and_renewal_date(metrics):
    # customer_since: the first paid start (A1's free sandbox from 2024-06-01 is not paid; its core is).
    since = {a: metrics[a]["customer_since"].date() for a in PAYING}
    assert since == {"A1": dt.date(2024, 1, 15), "A2": dt.date(2024, 3, 1), "A3": dt.date(2025, 5, 15),
                     "A4": dt.date(2023, 1, 1), "A7": dt.date(2023, 6, 1)}
    renewal = {a: metrics[a]["renewal_date"].date() for a in PAYING}
    assert renewal == {"A1": dt.date(2026, 1, 15), "A2": dt.date(2025, 7, 1), "A3": dt.date(2026, 5, 15),
                       "A4": dt.date(2025, 9, 30), "A7": dt.date(2025, 9, 1)}
    for a in PAYING:
        assert (renewal[a] - AS_OF).days == metrics[a]["days_to_renewal"]
