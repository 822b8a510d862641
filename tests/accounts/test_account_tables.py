"""No data is not zero: an optional table that is not loaded gives empty metrics, while an account
with no rows in a loaded table gets the registry's `absent` value (0 tickets, trend 1.0, not a zombie).

The workspaces here load the mandatory tables (accounts, subscriptions, and fx_rates for A4's EUR
line) plus at most one optional table of the base data set of conftest.py, with the same two value
drivers, at AS_OF = 2025-06-30; `metrics` is the fully loaded workspace, for comparison.
"""

from __future__ import annotations

import pytest

from tenure.metrics.accounts import registered
from tenure.metrics.registry import BY_NAME, METRICS

MANDATORY = ("accounts", "subscriptions", "fx_rates")
OPTIONAL = ("events", "activities", "contacts", "tickets", "surveys")
PAYING = {"A1", "A2", "A3", "A4", "A7"}
# Computed from events but also needing the features table (which names the key and new features).
NEEDS_FEATURES = {m.name for m in METRICS if m.needs == "features"}


def _tables(base_tables, *optional: str) -> dict:
    tables = base_tables()
    return {name: tables[name] for name in (*MANDATORY, *optional)}


def test_unloaded_optional_tables_give_empty_metrics(tmp_path, build, compute_at, base_tables, value_yaml,
                                                     metrics, check):
    ws = build(tmp_path, _tables(base_tables), value_yaml=value_yaml)
    got = compute_at(ws)
    assert set(got) == PAYING
    for m in registered(ws.config.value_drivers()):
        for account_id in PAYING:
            if m.needs == "subscriptions":
                if m.name != "seats":  # seats: test_seats_need_only_subscriptions
                    check(got[account_id][m.name], metrics[account_id][m.name], f"{m.name} of {account_id}")
            else:
                # No events, activities, contacts, tickets, surveys or features: "no data", never 0 or False.
                check(got[account_id][m.name], None, f"{m.name} of {account_id} without {m.needs}")


def test_seats_need_only_subscriptions(tmp_path, build, compute_at, base_tables, check):
    """seats is "the quantity of the paying lines active today" and needs only subscriptions.

    A1: S1 20 + S2 5 = 25 seats, whether or not product events are loaded; A4: 5; A2 (no quantity): empty.
    """
    assert BY_NAME["seats"].needs == "subscriptions"
    ws = build(tmp_path, _tables(base_tables))
    got = compute_at(ws)
    check(got["A1"]["seats"], 25, "seats of A1 without events")
    check(got["A4"]["seats"], 5, "seats of A4 without events")
    check(got["A2"]["seats"], None, "seats of A2 without events")


@pytest.mark.parametrize("optional", OPTIONAL)
def test_one_optional_table_feeds_exactly_its_metrics(tmp_path, build, compute_at, base_tables, value_yaml,
                                                      metrics, check, optional):
    """With only `optional` loaded, its metrics equal the fully loaded workspace's; every other family is empty."""
    ws = build(tmp_path, _tables(base_tables, optional), value_yaml=value_yaml)
    got = compute_at(ws)
    assert set(got) == PAYING
    for m in registered(ws.config.value_drivers()):
        for account_id in PAYING:
            label = f"{m.name} of {account_id} with only {optional}"
            if m.needs == optional or (m.needs == "subscriptions" and (m.name != "seats" or optional == "events")):
                check(got[account_id][m.name], metrics[account_id][m.name], label)
            elif m.needs == "subscriptions":
                continue  # seats without events: test_seats_need_only_subscriptions
            else:
                check(got[account_id][m.name], None, label)


def test_events_without_features(tmp_path, build, compute_at, base_tables, check):
    # Usage metrics are there, but new feature adoption, time to value and onboarding need to know which
    # features are new or key: without a features table they are empty.
    ws = build(tmp_path, _tables(base_tables, "events"))
    got = compute_at(ws)
    assert NEEDS_FEATURES == {"new_feature_adoption_180d", "time_to_value_days", "onboarding_complete"}
    for name in NEEDS_FEATURES:
        for account_id in PAYING:
            check(got[account_id][name], None, f"{name} of {account_id} without features")
    check(got["A1"]["active_users_30d"], 4, "active_users_30d")
    check(got["A2"]["zombie"], True, "zombie")


def test_account_without_rows_in_loaded_tables_gets_absent_values(workspace, metrics, check):
    # A4 (Quiet) has no events, activities, contacts, tickets or surveys, though all are loaded.
    absent = {m.name: m.absent for m in registered(workspace.config.value_drivers()) if m.absent is not None}
    assert absent == {
        "active_users_7d": 0, "active_users_30d": 0, "active_users_90d": 0, "feature_breadth_30d": 0,
        "feature_breadth_90d": 0, "features_first_used_180d": 0, "zombie": False, "meetings_90d": 0,
        "business_reviews_90d": 0, "sponsor_departed_180d": False, "tickets_30d": 0, "ticket_trend": 1.0,
        "open_urgent_tickets": 0, "value_hours_saved_90d": 0, "value_exports_90d": 0,
    }
    for name, value in absent.items():
        check(metrics["A4"][name], value, f"{name} of A4")
    # Means, medians, latest scores and "days since" have nothing to say without rows: empty.
    for name in ("days_since_exec_activity", "median_resolution_hours_90d", "csat_90d", "nps_latest", "nps_change",
                 "stickiness", "events_per_active_user_30d", "usage_trend_30d", "usage_vs_quarter_ago"):
        check(metrics["A4"][name], None, f"{name} of A4")


def test_absent_rows_differ_from_an_unloaded_table(tmp_path, build, compute_at, base_tables, metrics, check):
    # A7 has no tickets. With tickets loaded: 0 tickets, trend 1.0, 0 open; without the table: empty.
    ws = build(tmp_path, _tables(base_tables, "events"))
    got = compute_at(ws)
    for name, loaded in (("tickets_30d", 0), ("ticket_trend", 1.0), ("open_urgent_tickets", 0),
                         ("sponsor_departed_180d", False), ("meetings_90d", 0)):
        check(metrics["A7"][name], loaded, f"{name} of A7, table loaded")
        check(got["A7"][name], None, f"{name} of A7, table not loaded")
