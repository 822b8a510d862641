"""Window edges seen from both sides, the onboarding deadline, seats and the configurable zombie rule.

`test_next_day_*` reads the base workspace of conftest.py one day later (2025-07-01), so every
event stamped 2025-07-01 00:00:00 enters its windows and everything at the first instant of the
2025-06-30 windows leaves them. The other tests build their own small workspaces.
"""

from __future__ import annotations

import datetime as dt

import pytest

NEXT_DAY = dt.date(2025, 7, 1)
AS_OF = dt.date(2025, 6, 30)


@pytest.fixture(scope="module")
def next_day(workspace, compute_at):
    return compute_at(workspace, NEXT_DAY)


@pytest.mark.parametrize(("account_id", "name", "expected"), [
    # 7 days = [06-25, 07-02): u2 (06-24 00:00) leaves, u9 (07-01 00:00) enters: u1, u9.
    ("A1", "active_users_7d", 2),
    # 30 days = [06-02, 07-02): u3 (06-01 00:00) leaves, u9 enters: u1, u8, u2, u9.
    ("A1", "active_users_30d", 4),
    # Events: 9 - 1 (u3) + 1 (u9) = 9 over 4 users.
    ("A1", "events_per_active_user_30d", 9 / 4),
    # 180 days = from 2025-01-03: export, legacy_import and now beta_feature (first used 07-01 00:00).
    ("A1", "features_first_used_180d", 3),
    # Released in [2025-01-03, 2025-07-01]: scheduler (01-02) leaves, beta_feature (07-01) enters -> export and
    # beta_feature; A1 used both -> 2/2.
    ("A1", "new_feature_adoption_180d", 1.0),
    # R4 (07-01 00:00, score 0) is now the latest NPS: 0, change 0 - 9.
    ("A1", "nps_latest", 0.0),
    ("A1", "nps_change", -9.0),
    # AC6 (meeting, exec present, 07-01 00:00) -> 0 days; 90 days = from 04-03: AC2 (04-02) leaves, AC6 enters.
    ("A1", "days_since_exec_activity", 0),
    ("A1", "meetings_90d", 2),
    ("A1", "business_reviews_90d", 1),
    # 180 days = from 2025-01-03: A1's champion (left 01-02) leaves the window, A2's (left 07-01) enters.
    ("A1", "sponsor_departed_180d", False),
    ("A2", "sponsor_departed_180d", True),
    # Tickets in [06-02, 07-02): T1, T3, T10, T8 (07-01 00:00) = 4; T2 (06-01 00:00) moves to the prior 90 days:
    # [03-04, 06-02): T2, T4, T12, T7, T9, T13 = 6 (T5, 03-03 00:00, leaves) -> (4 + 1) / (6/3 + 1).
    ("A1", "tickets_30d", 4),
    ("A1", "ticket_trend", 5 / 3),
    # T8 (urgent, created 07-01 00:00) joins T1, T2 (resolved 07-02, still open) and T12.
    ("A1", "open_urgent_tickets", 4),
    # A2's monthly renewal is today: the next one is 2025-08-01, 31 days away.
    ("A2", "days_to_renewal", 31),
])
def test_next_day_moves_every_window_edge(next_day, check, account_id, name, expected):
    check(next_day[account_id][name], expected, f"{name} of {account_id} at {NEXT_DAY}")


def test_a_line_ending_on_as_of_is_not_paying_but_was_the_day_before(workspace, compute_at, check):
    # A5's line 2024-01-01 .. 2025-06-30 (exclusive): paying on 06-29, ARR 12 × 250; gone on 06-30.
    day_before = compute_at(workspace, dt.date(2025, 6, 29))
    check(day_before["A5"]["arr"], 3000.0, "arr of A5 on 2025-06-29")
    check(day_before["A5"]["active_users_30d"], 1, "active_users_30d of A5 on 2025-06-29")
    assert "A5" not in compute_at(workspace, AS_OF)


@pytest.mark.parametrize(("as_of", "expected"), [
    # A3: first paid start 2025-05-15, onboarding_days 90 -> the period ends at 2025-08-13 00:00.
    # Only report_created is reached: still running on 08-12 (empty), over and incomplete on 08-13.
    (dt.date(2025, 8, 12), None),
    (dt.date(2025, 8, 13), False),
])
def test_onboarding_in_progress_until_the_period_ends(workspace, compute_at, check, as_of, expected):
    check(compute_at(workspace, as_of)["A3"]["onboarding_complete"], expected, f"onboarding_complete at {as_of}")


def _line(subscription_id, account_id, start, mrr, **extra):
    return {"subscription_id": subscription_id, "account_id": account_id, "product": extra.pop("product", "core"),
            "start_date": start, "mrr": mrr, "currency": "USD", **extra}


def _ev(account_id, user_id, event, timestamp, count=None):
    return {"account_id": account_id, "user_id": user_id, "event": event, "timestamp": timestamp, "count": count}


SMALL = {
    "accounts": [{"account_id": a, "name": a, "created_at": "2020-01-01"} for a in ("B1", "B2", "B3", "B5", "B6")],
    "subscriptions": [
        _line("L1", "B1", "2025-01-01", "100"),
        _line("L2", "B2", "2025-01-01", "100"),
        # B3: seats are the quantity of paying lines active today: 10 (L3) + 0 for L4 (no quantity);
        # not L5 (ended 2025-06-01), not L6 (free).
        _line("L3", "B3", "2024-01-01", "100", quantity=10),
        _line("L4", "B3", "2024-01-01", "50", product="addon"),
        _line("L5", "B3", "2024-01-01", "70", product="old", quantity=99, end_date="2025-06-01"),
        _line("L6", "B3", "2024-01-01", "0", product="free", quantity=1000),
        _line("L7", "B5", "2024-01-01", "100"),
        _line("L8", "B6", "2024-01-01", "100"),
    ],
    "features": [
        {"event": "report_created", "released_at": "2023-01-01", "is_key": True},
        {"event": "dashboard_shared", "released_at": "2023-01-01", "is_key": True},
    ],
    "events": [
        # B1: both key events before 2025-01-01 + 90 days = 2025-04-01 00:00; the second at the last instant.
        _ev("B1", "u1", "report_created", "2025-01-05T10:00:00Z"),
        _ev("B1", "u1", "dashboard_shared", "2025-03-31T23:59:59Z"),
        # B2: the second at 2025-04-01 00:00:00, the first instant after the period.
        _ev("B2", "u1", "report_created", "2025-01-05T10:00:00Z"),
        _ev("B2", "u1", "dashboard_shared", "2025-04-01T00:00:00Z"),
        # B3: 3 users in 30 days over 10 seats.
        _ev("B3", "u1", "login", "2025-06-10T10:00:00Z"),
        _ev("B3", "u2", "login", "2025-06-11T10:00:00Z"),
        _ev("B3", "u3", "login", "2025-06-12T10:00:00Z"),
        # B5: first login 2024; report_created first used 2025-03-20 (102 days ago); now two users log in.
        _ev("B5", "u1", "login", "2024-01-10T10:00:00Z"),
        _ev("B5", "u1", "report_created", "2025-03-20T10:00:00Z"),
        _ev("B5", "u1", "login", "2025-06-20T10:00:00Z"),
        _ev("B5", "u2", "login", "2025-06-21T10:00:00Z"),
        # B6: the same but a single user now.
        _ev("B6", "u1", "login", "2024-01-10T10:00:00Z"),
        _ev("B6", "u1", "report_created", "2025-03-20T10:00:00Z"),
        _ev("B6", "u1", "login", "2025-06-20T10:00:00Z"),
    ],
}


@pytest.fixture
def small(tmp_path, build, compute_at):
    """SMALL at AS_OF with adoption.zombie_min_active_users 2 and zombie_new_feature_days 60 in tenure.yaml."""
    ws = build(tmp_path, SMALL, replace=[("zombie_min_active_users: 1", "zombie_min_active_users: 2"),
                                         ("zombie_new_feature_days: 180", "zombie_new_feature_days: 60")])
    assert ws.config.adoption.zombie_min_active_users == 2
    return compute_at(ws, AS_OF)


def test_onboarding_deadline_is_the_first_instant_after_the_period(small, check):
    # B1: dashboard_shared at 2025-03-31 23:59:59, the last instant of 2025-01-01 + 90 days -> complete.
    # B2: at 2025-04-01 00:00:00 -> reached too late; the period is over -> False.
    check(small["B1"]["onboarding_complete"], True, "onboarding_complete of B1")
    check(small["B2"]["onboarding_complete"], False, "onboarding_complete of B2")
    # Both: 2025-01-01 -> 2025-01-05 = 4 days to value.
    check(small["B1"]["time_to_value_days"], 4, "time_to_value_days of B1")
    check(small["B2"]["time_to_value_days"], 4, "time_to_value_days of B2")


def test_seats_count_only_paying_lines_active_today(small, check):
    # B3: L3 10 seats; L4 has no quantity, L5 ended 2025-06-01, L6 is free -> 10; 3 users -> 0.3.
    check(small["B3"]["seats"], 10, "seats of B3")
    check(small["B3"]["seat_utilisation"], 0.3, "seat_utilisation of B3")


def test_zombie_thresholds_come_from_the_configuration(small, check):
    # zombie_new_feature_days 60: report_created, first used 2025-03-20, is 102 days old -> nothing new in the
    # last 60 days (features_first_used_180d, a fixed 180 days, still counts it). Breadth: a quarter ago
    # (2025-03-03 .. 04-01) report_created = 1; last 30 days login = 1 -> flat.
    # B5: 2 users ≥ zombie_min_active_users 2 -> zombie. B6: 1 user < 2 -> not a zombie.
    # (With the defaults, 1 user and 180 days, neither would be one: report_created is new in 180 days.)
    check(small["B5"]["features_first_used_180d"], 1, "features_first_used_180d of B5")
    check(small["B5"]["zombie"], True, "zombie of B5")
    check(small["B6"]["zombie"], False, "zombie of B6")
