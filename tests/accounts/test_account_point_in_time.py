"""Point in time (DESIGN.md principle 1): the metrics at a date are a pure function of what was known then.

Loading more data dated after D = 2025-06-30 — usage, tickets (and a ticket resolved after D),
surveys, activities, sponsors who leave after D, subscription lines and a whole account starting
after D, a rate and a feature released after D — must leave metrics_at(ws, as_of=D) exactly as it
was, while the same data does show at a later date (so the load really happened).
"""

from __future__ import annotations

import datetime as dt

D = dt.date(2025, 6, 30)
LATER = dt.date(2025, 8, 31)


def _contact(contact_id, account_id, role, left_at):
    return {"contact_id": contact_id, "account_id": account_id, "email": f"{contact_id}@example.com",
            "role": role, "left_at": left_at}


LATER_DATA = {
    "accounts": [{"account_id": "A8", "name": "Later", "created_at": "2025-07-20"}],
    "subscriptions": [
        # A1 buys 50 more seats from 2025-07-15; A4 a line from the very next day; A3 a EUR line;
        # A8 starts paying on 2025-08-01.
        {"subscription_id": "S11", "account_id": "A1", "product": "addon2", "start_date": "2025-07-15",
         "mrr": "500", "currency": "USD", "quantity": 50},
        {"subscription_id": "S13", "account_id": "A4", "product": "addon", "start_date": "2025-07-01",
         "mrr": "50", "currency": "USD", "quantity": 3},
        {"subscription_id": "S14", "account_id": "A3", "product": "addon", "start_date": "2025-07-10",
         "mrr": "80", "currency": "EUR"},
        {"subscription_id": "S12", "account_id": "A8", "product": "core", "start_date": "2025-08-01",
         "mrr": "100", "currency": "USD", "quantity": 4},
    ],
    "fx_rates": [{"currency": "EUR", "date": "2025-07-05", "rate_to_base": "2.0"}],
    "features": [{"event": "sso", "released_at": "2025-07-15", "is_key": False}],
    "events": [
        {"account_id": "A1", "user_id": "u10", "event": "login", "timestamp": "2025-07-01T00:00:00Z"},
        {"account_id": "A1", "user_id": "u1", "event": "sso", "timestamp": "2025-07-20T10:00:00Z", "count": 7},
        {"account_id": "A1", "user_id": "u2", "event": "report_created", "timestamp": "2025-07-02T10:00:00Z"},
        {"account_id": "A2", "user_id": "u1", "event": "dashboard_shared", "timestamp": "2025-07-03T10:00:00Z"},
        {"account_id": "A3", "user_id": "u1", "event": "dashboard_shared", "timestamp": "2025-07-05T10:00:00Z"},
        {"account_id": "A4", "user_id": "u1", "event": "report_created", "timestamp": "2025-07-02T10:00:00Z"},
        {"account_id": "A7", "user_id": "u2", "event": "export", "timestamp": "2025-08-01T10:00:00Z", "count": 5},
        {"account_id": "A8", "user_id": "u1", "event": "login", "timestamp": "2025-08-02T10:00:00Z"},
    ],
    "tickets": [
        # T1 (urgent, open at D) is resolved after D; T12 (pending) at the first instant after D.
        {"ticket_id": "T1", "account_id": "A1", "created_at": "2025-06-30T23:59:59Z", "priority": "urgent",
         "resolved_at": "2025-07-05T00:00:00Z", "status": "solved", "csat": "1"},
        {"ticket_id": "T12", "account_id": "A1", "created_at": "2025-05-20T00:00:00Z", "priority": "urgent",
         "resolved_at": "2025-07-01T00:00:00Z", "status": "closed", "csat": "0"},
        {"ticket_id": "T14", "account_id": "A1", "created_at": "2025-07-01T00:00:00Z", "priority": "urgent"},
        {"ticket_id": "T15", "account_id": "A4", "created_at": "2025-07-10T00:00:00Z", "priority": "high",
         "resolved_at": "2025-07-11T00:00:00Z", "status": "solved", "csat": "5"},
    ],
    "surveys": [
        {"response_id": "R8", "account_id": "A1", "submitted_at": "2025-07-01T00:00:00Z", "type": "nps",
         "score": "2"},
        {"response_id": "R9", "account_id": "A4", "submitted_at": "2025-07-15T00:00:00Z", "type": "nps",
         "score": "7"},
    ],
    "activities": [
        {"activity_id": "AC9", "account_id": "A1", "occurred_at": "2025-07-01T00:00:00Z", "type": "ebr",
         "exec_present": "true"},
        {"activity_id": "AC10", "account_id": "A4", "occurred_at": "2025-07-20T00:00:00Z", "type": "qbr",
         "exec_present": "true"},
    ],
    "contacts": [
        _contact("C4", "A2", "champion", "2025-07-10"),  # A2's champion, still there at D, leaves after
        _contact("C7", "A4", "exec_sponsor", "2025-07-01"),
        _contact("C8", "A7", "champion", "2025-08-01"),
    ],
}


def test_later_data_leaves_the_metrics_at_d_unchanged(tmp_path, build, load_more, compute_at, base_tables,
                                                      value_yaml, check):
    ws = build(tmp_path, base_tables(), value_yaml=value_yaml)
    before = compute_at(ws, D)
    later_before = compute_at(ws, LATER)

    load_more(ws, tmp_path / "later", LATER_DATA)

    after = compute_at(ws, D)
    changed = {(a, k): (before[a][k], after.get(a, {}).get(k)) for a in before for k in before[a]
               if before[a][k] != after.get(a, {}).get(k)}
    assert changed == {}
    assert set(after) == set(before)

    # The later data is really there: it shows at 2025-08-31.
    later = compute_at(ws, LATER)
    assert "A8" in later and "A8" not in later_before
    check(later["A1"]["seats"], 75, "seats of A1 at 2025-08-31 (25 + 50 from S11)")
    check(later["A1"]["nps_latest"], 2.0, "nps_latest of A1 at 2025-08-31 (R8)")
    check(later["A2"]["sponsor_departed_180d"], True, "sponsor_departed_180d of A2 at 2025-08-31 (C4)")
    # A3 reached its second key event (2025-07-05) before its deadline 2025-08-13.
    check(later["A3"]["onboarding_complete"], True, "onboarding_complete of A3 at 2025-08-31")
    check(later_before["A3"]["onboarding_complete"], False, "onboarding_complete of A3 before the load")


def test_a_key_feature_released_after_d_leaves_onboarding_at_d_unchanged(tmp_path, build, load_more, compute_at,
                                                                         base_tables, check):
    """A key event that does not exist until 2025-08-01 cannot make onboarding incomplete on 2025-06-30.

    A1 reached both key events known at D (report_created, dashboard_shared) within 90 days of its
    first paid start: onboarding_complete at D is True, before and after `sso` (key, released
    2025-08-01) is added to the features table.
    """
    ws = build(tmp_path, base_tables())
    before = compute_at(ws, D)
    check(before["A1"]["onboarding_complete"], True, "onboarding_complete of A1 before")

    load_more(ws, tmp_path / "later", {"features": [{"event": "sso", "released_at": "2025-08-01", "is_key": True}]})

    after = compute_at(ws, D)
    check(after["A1"]["onboarding_complete"], True, "onboarding_complete of A1 at D after a later key feature")
    changed = {(a, k): (before[a][k], after[a][k]) for a in before for k in before[a] if before[a][k] != after[a][k]}
    assert changed == {}
