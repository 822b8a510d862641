"""The vendor presets, each loaded end to end on a fixture built by hand from the vendor's published
export format (`tests/data/sources/<preset>/`), with every stored value checked by hand.

stripe-subscriptions (`subscriptions.csv`, Stripe Dashboard export, amounts in major units):

    sub_1Mow...  cus_Nffr  1 x 1200.00 usd / year, active                  -> mrr 100 (1200 / 12)
    sub_1Mpk...  cus_Nffr  5 x 20.00 usd / month, past_due, coupon, tax    -> mrr 100 (list price, no tax)
    sub_1NqL...  cus_Nh7p  1 x 99.00 eur / month, trialing                 -> mrr 0 (trial)
    sub_1MrT...  cus_Ng3x  2 x 50.00 usd / month, canceled, ended 03-03    -> mrr 100, ends 2024-03-03
    sub_1MsU...  cus_Ng3x  1 x 30.00 usd / week, cancel at period end      -> mrr 130 (30 x 52 / 12), ends 06-03

chargebee-subscriptions: 1 x 1200 per 1 year -> 100; 4 x 150 per 6 months -> 100 (non_renewing);
in_trial -> 0; 2 x 300 per 3 months -> 200 (cancelled). Zendesk: New York local times (CSV) and
UTC times (JSON); Salesforce and HubSpot: the two reports of each CRM loaded together; Segment,
Mixpanel, Amplitude and Pendo: the same few events as each vendor writes them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from tenure.contract.mapping.files import combine, load_preset, presets
from tenure.contract.mapping.loading import load_planned
from tenure.contract.mapping.plan import plan
from tenure.errors import DataContractError

from .helpers import DATA

SOURCES = DATA / "sources"
ZENDESK_CSV = ("accounts.csv", "zendesk_tickets.csv")  # the JSON export is in zendesk-tickets/json/


def load(ws, preset: str, *names: str, timezone: str | None = None):
    folder = SOURCES / preset
    paths = [folder / name for name in names] if names else [folder]
    return load_planned(plan(paths, load_preset(preset)), warehouse=ws.warehouse, timezone=timezone,
                        base_currency=ws.config.base_currency)


def rows(ws, sql: str) -> list[tuple]:
    return ws.warehouse.raw().execute(sql).fetchall()


def changes(report) -> dict[str, tuple[int, int]]:
    """rows read and inserted, per table."""
    return {name: (c.read, c.inserted) for name, c in report.changes.items()}


def test_every_preset_has_a_fixture_and_a_row_in_the_docs():
    documented = (Path(__file__).parents[2] / "docs" / "sources.md").read_text(encoding="utf-8")
    shipped = set(presets())

    assert {"stripe-subscriptions", "zendesk-tickets", "salesforce-accounts", "salesforce-opportunities",
            "hubspot-companies", "hubspot-deals", "segment-track", "mixpanel", "amplitude",
            "chargebee-subscriptions", "pendo"} <= shipped
    assert [name for name in sorted(shipped) if not (SOURCES / name).is_dir()] == []
    assert [name for name in sorted(shipped) if f"| `{name}` |" not in documented] == []


def test_stripe_subscriptions_give_monthly_mrr_without_trials_discounts_or_taxes(empty_workspace):
    report = load(empty_workspace, "stripe-subscriptions")

    assert changes(report) == {"accounts": (3, 3), "fx_rates": (1, 1), "subscriptions": (5, 5)}
    assert rows(empty_workspace, "SELECT subscription_id, account_id, product, start_date, mrr, currency, end_date, "
                                 "quantity, billing_period, term_months, renewal_date, auto_renew "
                                 "FROM subscriptions ORDER BY start_date") == [
        ("sub_1MowQVLkdIwHu7ixeRlqHVzs", "cus_NffrFeUfNV2Hib", "price_1MowQULkdIwHu7ixraBm864M",
         dt.date(2023, 2, 1), Decimal("100.0000"), "USD", None, 1, "year", 12, dt.date(2025, 2, 1), True),
        ("sub_1MrTc9LkdIwHu7ixCancel1", "cus_Ng3xY8dLm1QzTr", "price_1MowQULkdIwHu7ixraBm864M",
         dt.date(2023, 5, 3), Decimal("100.0000"), "USD", dt.date(2024, 3, 3), 2, "month", 1, None, False),
        ("sub_1MpkA2LkdIwHu7ixNw8Qq9aB", "cus_NffrFeUfNV2Hib", "price_1MpkA1LkdIwHu7ixSeats",
         dt.date(2023, 6, 15), Decimal("100.0000"), "USD", None, 5, "month", 1, dt.date(2024, 6, 15), True),
        ("sub_1MsUd0LkdIwHu7ixEnding1", "cus_Ng3xY8dLm1QzTr", "price_1MsUczLkdIwHu7ixWeekly",
         dt.date(2024, 4, 1), Decimal("130.0000"), "USD", dt.date(2024, 6, 3), 1, None, None, None, False),
        ("sub_1NqLm3LkdIwHu7ixTrial01", "cus_Nh7pQ2wErT5yUi", "price_1MowQULkdIwHu7ixraBm864M",
         dt.date(2024, 5, 20), Decimal("0.0000"), "EUR", None, 1, "month", 1, dt.date(2024, 6, 3), True),
    ]


def test_zendesk_tickets_map_statuses_priorities_and_satisfaction_in_the_accounts_zone(empty_workspace):
    """Times are New York local (EDT, UTC-4): 09:15 is stored as 13:15 UTC."""
    report = load(empty_workspace, "zendesk-tickets", *ZENDESK_CSV, timezone="America/New_York")

    assert changes(report) == {"accounts": (2, 2), "tickets": (5, 5)}
    assert rows(empty_workspace, "SELECT * FROM tickets ORDER BY 1") == [
        ("1042", "Acme Corp", dt.datetime(2024, 5, 2, 13, 15), "urgent", dt.datetime(2024, 5, 2, 21, 45), "solved",
         Decimal("5.0000")),
        ("1043", "Beta LLC", dt.datetime(2024, 5, 10, 18, 0), "normal", dt.datetime(2024, 5, 13, 15, 0), "closed",
         Decimal("1.0000")),
        ("1044", "Acme Corp", dt.datetime(2024, 5, 20, 12, 0), "normal", None, "pending", None),  # no priority
        ("1045", "Acme Corp", dt.datetime(2024, 6, 2, 3, 30), "high", None, "pending", None),  # on-hold
        ("1046", "Beta LLC", dt.datetime(2024, 6, 3, 14, 0), "low", None, "open", None),  # new
    ]


def test_zendesk_times_without_a_zone_are_reported(empty_workspace):
    with pytest.raises(DataContractError) as caught:
        load(empty_workspace, "zendesk-tickets", *ZENDESK_CSV)

    assert {p.rule for p in caught.value.problems} == {"naive_timestamp"}


def test_salesforce_account_and_opportunity_reports_load_together(empty_workspace):
    mapping = combine([load_preset("salesforce-accounts"), load_preset("salesforce-opportunities")])
    paths = [SOURCES / "salesforce-accounts", SOURCES / "salesforce-opportunities"]

    report = load_planned(plan(paths, mapping), warehouse=empty_workspace.warehouse)

    assert changes(report) == {"accounts": (3, 3), "opportunities": (3, 3)}
    assert rows(empty_workspace, "SELECT account_id, name, created_at, industry, region, employees "
                                 "FROM accounts ORDER BY 1") == [
        ("0015g00000XyZabAAB", "Acme Corp", dt.date(2022, 1, 15), "Technology", "United States", 1200),
        ("0015g00000XyZacAAB", "Beta LLC", dt.date(2022, 3, 2), "Retail", "Germany", 45),
        ("0015g00000XyZadAAB", "Gamma, Inc.", dt.date(2023, 6, 1), None, "United States", None),
    ]
    assert rows(empty_workspace, "SELECT opportunity_id, account_id, type, amount, close_date, stage, probability, "
                                 "status, created_at FROM opportunities ORDER BY 1") == [
        ("0065g00000AbCdeAAF", "0015g00000XyZabAAB", "renewal", Decimal("12000.0000"), dt.date(2024, 1, 31),
         "Closed Won", Decimal("1.0000"), "won", dt.date(2023, 11, 1)),
        ("0065g00000AbCdfAAF", "0015g00000XyZacAAB", "expansion", Decimal("1234.5000"), dt.date(2024, 3, 31),
         "Negotiation/Review", Decimal("0.7500"), "open", dt.date(2024, 1, 10)),
        ("0065g00000AbCdgAAF", "0015g00000XyZadAAB", "new", Decimal("800.0000"), dt.date(2024, 2, 29),
         "Closed Lost", Decimal("0.0000"), "lost", dt.date(2023, 12, 5)),
    ]


def test_hubspot_companies_and_deals_load_together(empty_workspace):
    mapping = combine([load_preset("hubspot-companies"), load_preset("hubspot-deals")])
    paths = [SOURCES / "hubspot-companies", SOURCES / "hubspot-deals"]

    report = load_planned(plan(paths, mapping), warehouse=empty_workspace.warehouse)

    assert changes(report) == {"accounts": (3, 3), "opportunities": (3, 3)}
    assert rows(empty_workspace, "SELECT account_id, name, created_at, industry, region, employees "
                                 "FROM accounts ORDER BY 1") == [
        ("9876543201", "Acme Corp", dt.date(2022, 1, 15), "COMPUTER_SOFTWARE", "United States", 1200),
        ("9876543202", "Beta LLC", dt.date(2022, 3, 2), "RETAIL", "Germany", 45),
        ("9876543203", "Gamma Inc", dt.date(2023, 6, 1), None, None, None),
    ]
    assert rows(empty_workspace, "SELECT opportunity_id, account_id, type, amount, close_date, stage, status, "
                                 "created_at FROM opportunities ORDER BY 1") == [
        ("15500000001", "9876543201", "renewal", Decimal("12000.0000"), dt.date(2024, 1, 31), "Closed Won", "won",
         dt.date(2023, 11, 1)),
        ("15500000002", "9876543202", "expansion", Decimal("1234.5000"), dt.date(2024, 3, 31), "Contract Sent",
         "open", dt.date(2024, 1, 10)),
        ("15500000003", "9876543203", "new", Decimal("800.0000"), dt.date(2024, 2, 29), "Closed Lost", "lost",
         dt.date(2023, 12, 5)),  # no Deal Type: new
    ]


def test_segment_track_events_take_the_group_and_fall_back_to_the_anonymous_id(empty_workspace):
    report = load(empty_workspace, "segment-track")

    assert changes(report) == {"accounts": (2, 2), "events": (3, 3)}
    assert rows(empty_workspace, "SELECT account_id, user_id, event, timestamp, count FROM events "
                                 "ORDER BY timestamp") == [
        ("grp_acme", "u_1001", "Report Created", dt.datetime(2024, 6, 1, 12, 0, 0, 512000), None),
        ("grp_beta", "507f191e810c19729de860eb", "Dashboard Viewed", dt.datetime(2024, 6, 1, 14, 30), None),
        ("grp_acme", "u_1001", "Report Created", dt.datetime(2024, 6, 2, 8, 15, 0, 250000), None),
    ]


def test_mixpanel_events_read_unix_times_and_the_company_group(empty_workspace):
    report = load(empty_workspace, "mixpanel")

    assert changes(report) == {"accounts": (2, 2), "events": (3, 3)}
    assert rows(empty_workspace, "SELECT account_id, user_id, event, timestamp FROM events ORDER BY timestamp") == [
        ("grp_acme", "u_1001", "Signed In", dt.datetime(2024, 6, 1, 12, 0)),  # 1717243200
        ("grp_beta", "u_2001", "Report Created", dt.datetime(2024, 6, 1, 14, 30)),  # + 9000 s
        ("grp_acme", "u_1001", "Report Created", dt.datetime(2024, 6, 2, 8, 15)),  # + 63900 s
    ]


def test_amplitude_events_take_the_company_group_and_utc_event_time(empty_workspace):
    report = load(empty_workspace, "amplitude")

    assert changes(report) == {"accounts": (2, 2), "events": (2, 2)}
    assert rows(empty_workspace, "SELECT account_id, user_id, event, timestamp FROM events ORDER BY timestamp") == [
        ("grp_acme", "u_1001", "Report Created", dt.datetime(2024, 6, 1, 12, 0, 0, 512000)),
        ("grp_beta", "D1E2F3A4-B5C6", "Dashboard Viewed", dt.datetime(2024, 6, 1, 14, 30)),  # no user_id
    ]


def test_chargebee_subscriptions_spread_the_billing_period_and_exclude_trials(empty_workspace):
    report = load(empty_workspace, "chargebee-subscriptions")

    assert changes(report) == {"accounts": (3, 3), "subscriptions": (4, 4)}
    assert rows(empty_workspace, "SELECT subscription_id, account_id, product, start_date, mrr, currency, end_date, "
                                 "quantity, billing_period, term_months, renewal_date, auto_renew "
                                 "FROM subscriptions ORDER BY 1") == [
        # 1 x 1200 a year -> 100 a month
        ("AzZlGJSGZr1a01", "16BjnTSGZqXb12Vd", "enterprise-annual", dt.date(2023, 2, 1), Decimal("100.0000"), "USD",
         None, 1, "year", 12, dt.date(2025, 2, 1), True),
        # 4 x 150 every 6 months -> 100 a month (the coupon is not applied); non-renewing: ends at term end
        ("AzZlGJSGZr1a02", "16BjnTSGZqXb12Vd", "seats-semiannual", dt.date(2023, 7, 15), Decimal("100.0000"), "USD",
         dt.date(2024, 7, 15), 4, None, 6, None, False),
        # in trial -> 0
        ("AzZlGJSGZr1a03", "16BjnTSGZqXd56Xf", "pro-monthly", dt.date(2024, 5, 20), Decimal("0.0000"), "USD",
         None, 1, "month", 1, dt.date(2024, 6, 3), True),
        # 2 x 300 a quarter -> 200 a month; cancelled on 2024-02-03
        ("AzZlGJSGZr1a04", "16BjnTSGZqXc34We", "pro-quarterly", dt.date(2023, 5, 3), Decimal("200.0000"), "USD",
         dt.date(2024, 2, 3), 2, "quarter", 3, None, False),
    ]


def test_pendo_track_event_rows_keep_their_daily_counts(empty_workspace):
    report = load(empty_workspace, "pendo")

    assert changes(report) == {"accounts": (2, 2), "events": (3, 3)}
    assert rows(empty_workspace, "SELECT account_id, user_id, event, timestamp, count FROM events "
                                 "ORDER BY timestamp, account_id") == [
        ("grp_acme", "u_1001", "8sGFbV0y9nQAhpZtR2pBL4kLkEs", dt.datetime(2024, 6, 1), 3),  # 1717200000000 ms
        ("grp_beta", "u_2001", "8sGFbV0y9nQAhpZtR2pBL4kLkEs", dt.datetime(2024, 6, 1), 1),
        ("grp_acme", "u_1001", "Qm3Xk9ZrTlWcVbN1pYd7sHa2fJo", dt.datetime(2024, 6, 2), 12),  # + 86400000 ms
    ]


def test_zendesk_json_tickets_load_by_organization_id(empty_workspace):
    report = load(empty_workspace, "zendesk-tickets", "json")

    assert changes(report) == {"accounts": (2, 2), "tickets": (3, 3)}
    assert rows(empty_workspace, "SELECT * FROM tickets ORDER BY 1") == [
        ("1042", "360012345671", dt.datetime(2024, 5, 2, 13, 15), "urgent", None, "solved", Decimal("5.0000")),
        ("1044", "360012345671", dt.datetime(2024, 5, 20, 12, 0), "normal", None, "pending", None),  # no priority
        ("1046", "360012345672", dt.datetime(2024, 6, 3, 14, 0), "low", None, "pending", Decimal("1.0000")),  # hold
    ]
