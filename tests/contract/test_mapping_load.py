"""Loads through source mappings: value maps, ID joins, a multi-table export end to end, incremental
loads, problems named by source column, mappings in tenure.yaml, presets, Parquet and JSON input.

The invented SaaS export (`tests/data/sources/saas/`, mapped by its `mapping.yaml`):

    customers.csv      C-1 Acme (1,200 employees), C-2 Beta, C-3 Gamma; dates "Jan 15, 2022"; Y/N flags
    billing_lines.csv  L1 C-1 Core $12,000.00 Annual from 01/01/2023           -> mrr 1000
                       L2 C-2 Core $500.00 Monthly 03/01/2023 -> 03/01/2024    -> mrr 500
                       L3 C-3 Core $250.00 Monthly from 06/01/2023             -> mrr 250
                       L4 C-1 Add-on $99.50 Monthly from 02/01/2024            -> mrr 99.5
    usage.jsonl        nested JSON, Unix times; the last event repeats the third
    support.csv        ';'-separated, decimal-comma CSAT, P1..P3 priorities, local Berlin times,
                       the organisation by its web domain (looked up in customers.csv, any case)
"""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tenure.config import parse_config
from tenure.contract.mapping.files import choose, combine, load_mapping, load_preset, parse_mapping, presets
from tenure.contract.mapping.loading import load_planned
from tenure.contract.mapping.plan import plan
from tenure.errors import ConfigError, DataContractError, NotFound

from .helpers import DATA, fingerprint

SAAS = DATA / "sources" / "saas"
NPS = DATA / "sources" / "nps"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def rows(ws, sql: str) -> list[tuple]:
    return ws.warehouse.raw().execute(sql).fetchall()


def changes(report) -> dict[str, tuple[int, int, int, int, int]]:
    """read, inserted, updated, unchanged and rows in table, per table."""
    return {name: (c.read, c.inserted, c.updated, c.unchanged, c.total) for name, c in report.changes.items()}


def load(ws, mapping, *paths: Path, timezone: str | None = None):
    return load_planned(plan(list(paths), mapping), warehouse=ws.warehouse, timezone=timezone,
                        base_currency=ws.config.base_currency)


def mapping(*files: dict, **section) -> object:
    return parse_mapping({"sources": {**section, "files": list(files)}}, source="m.yaml")


def problems(caught) -> set[tuple]:
    return {(Path(p.file).name, p.row, p.column, p.value, p.rule) for p in caught.value.problems}


# -- the multi-table export ----------------------------------------------------------------------------------


def test_a_multi_table_export_loads_through_its_mapping(empty_workspace):
    report = load(empty_workspace, load_mapping(SAAS / "mapping.yaml"), SAAS)

    assert changes(report) == {"accounts": (3, 3, 0, 0, 3), "subscriptions": (4, 4, 0, 0, 4),
                               "events": (4, 3, 0, 1, 3), "tickets": (3, 3, 0, 0, 3)}
    assert report.warnings == []
    assert rows(empty_workspace, "SELECT account_id, name, created_at, industry, employees, segment, restricted "
                                 "FROM accounts ORDER BY 1") == [
        ("C-1", "Acme Corp", dt.date(2022, 1, 15), "Software", 1200, "Enterprise", False),
        ("C-2", "Beta LLC", dt.date(2022, 3, 2), "Retail", 45, "SMB", False),
        ("C-3", "Gamma GmbH", dt.date(2023, 6, 1), "Finance", 310, "Mid-Market", True),
    ]
    assert rows(empty_workspace, "SELECT * FROM subscriptions ORDER BY 1") == [
        ("L1", "C-1", "Core", dt.date(2023, 1, 1), Decimal("1000.0000"), "USD", None, 25, "year", 12, None, None),
        ("L2", "C-2", "Core", dt.date(2023, 3, 1), Decimal("500.0000"), "USD", dt.date(2024, 3, 1), 5, "month", 1,
         None, None),
        ("L3", "C-3", "Core", dt.date(2023, 6, 1), Decimal("250.0000"), "USD", None, 3, "month", 1, None, None),
        ("L4", "C-1", "Add-on", dt.date(2024, 2, 1), Decimal("99.5000"), "USD", None, 25, "month", 1, None, None),
    ]
    assert rows(empty_workspace, "SELECT * FROM events ORDER BY timestamp") == [
        ("C-1", "u1", "login", dt.datetime(2024, 6, 1, 0, 0), None),
        ("C-1", "u2", "report_created", dt.datetime(2024, 6, 1, 1, 0), None),
        ("C-3", "u3", "login", dt.datetime(2024, 6, 2, 1, 0), None),
    ]
    assert rows(empty_workspace, "SELECT * FROM tickets ORDER BY 1") == [
        ("9001", "C-1", dt.datetime(2024, 5, 2, 7, 15), "urgent", dt.datetime(2024, 5, 2, 15, 45), "solved",
         Decimal("4.5000")),
        ("9002", "C-3", dt.datetime(2024, 5, 20, 12, 0), "normal", None, "open", None),
        ("9003", "C-1", dt.datetime(2024, 6, 1, 6, 0), "high", dt.datetime(2024, 6, 3, 8, 30), "solved",
         Decimal("3.0000")),
    ]


def test_loading_the_same_export_twice_changes_nothing(empty_workspace):
    saas = load_mapping(SAAS / "mapping.yaml")
    load(empty_workspace, saas, SAAS)
    before = fingerprint(empty_workspace)

    again = load(empty_workspace, saas, SAAS)

    assert changes(again) == {"accounts": (3, 0, 0, 3, 3), "subscriptions": (4, 0, 0, 4, 4),
                              "events": (4, 0, 0, 4, 3), "tickets": (3, 0, 0, 3, 3)}
    assert fingerprint(empty_workspace) == before


def test_a_newer_export_updates_changed_rows_adds_new_ones_and_never_duplicates_events(empty_workspace, tmp_path):
    saas = load_mapping(SAAS / "mapping.yaml")
    load(empty_workspace, saas, SAAS)
    newer = shutil.copytree(SAAS, tmp_path / "newer")
    billing = (newer / "billing_lines.csv").read_text(encoding="utf-8")
    write(newer / "billing_lines.csv", billing.replace("L3,C-3,Core,$250.00,Monthly,06/01/2023,,3",
                                                      "L3,C-3,Core,$300.00,Monthly,06/01/2023,,4")
          + "L5,C-2,Core,$450.00,Monthly,05/01/2024,,4\n")
    usage = (newer / "usage.jsonl").read_text(encoding="utf-8")
    write(newer / "usage.jsonl", usage + '{"user": {"id": "u4", "account": "C-2"}, "action": "login", '
                                         '"ts": 1717376400}\n')

    report = load(empty_workspace, saas, newer)

    assert changes(report) == {"accounts": (3, 0, 0, 3, 3), "subscriptions": (5, 1, 1, 3, 5),
                               "events": (5, 1, 0, 4, 4), "tickets": (3, 0, 0, 3, 3)}
    assert rows(empty_workspace, "SELECT mrr, quantity FROM subscriptions WHERE subscription_id = 'L3'") == [
        (Decimal("300.0000"), 4)]
    assert rows(empty_workspace, "SELECT count(*), count(DISTINCT (account_id, user_id, event, timestamp)) "
                                 "FROM events") == [(4, 4)]


def test_a_rejected_mapped_load_changes_nothing_and_names_the_source_columns(baseline, tmp_path):
    before = fingerprint(baseline)
    path = write(tmp_path / "billing.csv",
                 "Line,Account,Plan,Price,Months\n"
                 "S7,A1,core,-120,12\n"  # a negative price: the contract's range rule on mrr
                 "S8,A9,core,100,0\n"  # an unknown account, and a division by zero
                 "S9,A2,=HYPERLINK(1),100,1\n")  # a spreadsheet formula in the plan
    spec = {"pattern": "billing*.csv", "table": "subscriptions", "constants": {"currency": "USD"},
            "columns": {"subscription_id": "Line", "account_id": "Account", "product": "Plan"},
            "derived": {"mrr": "price / months", "start_date": "'2024-01-01'"}}

    with pytest.raises(DataContractError) as caught:
        load(baseline, mapping(spec), path)

    assert problems(caught) == {
        ("billing.csv", 1, "mrr (derived)", "-10.0000", "range"),
        ("billing.csv", 2, "mrr (derived)", "inf", "expression"),
        ("billing.csv", 2, "Account (account_id)", "A9", "unknown_reference"),
        ("billing.csv", 3, "Plan (product)", "=HYPERLINK(1)", "formula_injection"),
    }
    assert next(p for p in caught.value.problems if p.rule == "expression").message == (
        "price / months gives no number here (a division by zero?)")
    assert fingerprint(baseline) == before


# -- value maps ----------------------------------------------------------------------------------------------


def test_value_maps_rewrite_values_as_written_case_insensitively(baseline, tmp_path):
    path = write(tmp_path / "deals.csv",
                 "Deal,Account,Kind,Amount,Close,Stage,Won,Renews\n"
                 "D1,A1,Renewal,1000,2024-01-31,Closed Won,Yes,\n"
                 "D2,A2,UPSELL,500,2024-02-29,closed lost,No,\n"
                 "D3,A3,New Business,800,2024-03-31,Negotiation,,\n")
    spec = {"pattern": "deals.csv", "table": "opportunities",
            "columns": {"opportunity_id": "Deal", "account_id": "Account", "type": "Kind", "amount": "Amount",
                        "close_date": "Close", "stage": "Stage", "status": "Stage",
                        "success_criteria_agreed": "Won"},
            "values": {"type": {"renewal": "renewal", "upsell": "expansion", "New Business": "new"},
                       "status": {"Closed Won": "won", "Closed Lost": "lost", "*": "open"},
                       "success_criteria_agreed": {True: True, False: None}}}

    load(baseline, mapping(spec), path)

    assert rows(baseline, "SELECT opportunity_id, type, stage, status, success_criteria_agreed FROM opportunities "
                          "ORDER BY 1") == [("D1", "renewal", "Closed Won", "won", True),
                                            ("D2", "expansion", "closed lost", "lost", None),
                                            ("D3", "new", "Negotiation", "open", None)]


def test_a_value_not_in_the_map_is_kept_and_the_contract_rejects_it(baseline, tmp_path):
    path = write(tmp_path / "tickets.csv", "Id,Account,Opened,Prio\nT1,A1,2024-01-01T00:00:00Z,P9\n")
    spec = {"pattern": "tickets.csv", "table": "tickets",
            "columns": {"ticket_id": "Id", "account_id": "Account", "created_at": "Opened", "priority": "Prio"},
            "values": {"priority": {"P1": "urgent", "P2": "high"}}}

    with pytest.raises(DataContractError) as caught:
        load(baseline, mapping(spec), path)

    assert problems(caught) == {("tickets.csv", 1, "Prio (priority)", "p9", "enum")}


def test_a_value_map_needs_a_column_to_map(baseline, tmp_path):
    path = write(tmp_path / "accounts_x.csv", "Id,Name,Created\nA7,Zeta,2024-01-01\n")
    spec = {"pattern": "accounts_x.csv", "table": "accounts",
            "columns": {"account_id": "Id", "name": "Name", "created_at": "Created"},
            "values": {"segment": {"Ent": "Enterprise"}}}

    with pytest.raises(DataContractError) as caught:
        load(baseline, mapping(spec), path)

    assert problems(caught) == {("accounts_x.csv", 0, "segment", None, "unknown_column")}
    assert "(key m.yaml: sources.files.0.values.segment)" in caught.value.problems[0].message


# -- ID joins ------------------------------------------------------------------------------------------------

CROSSWALK = "Stripe ID,Salesforce ID\ncus_1,A1\ncus_2,A2\n"
STRIPE = {"pattern": "stripe*.csv", "table": "subscriptions",
          "columns": {"subscription_id": "id", "product": "plan", "mrr": "amount", "start_date": "created"},
          "constants": {"currency": "USD"},
          "derived": {"account_id": "lookup('sf', customer)"}}
LOOKUPS = {"sf": {"file": "crosswalk*.csv", "key": "Stripe ID", "value": "Salesforce ID"}}


def test_an_id_join_maps_external_keys_through_another_file(baseline, tmp_path):
    crosswalk = write(tmp_path / "crosswalk.csv", CROSSWALK)
    stripe = write(tmp_path / "stripe_subs.csv", "id,customer,plan,amount,created\n"
                                                 "sub_1,cus_1,pro,99,2024-01-01\nsub_2, cus_2 ,pro,49,2024-02-01\n")

    report = load(baseline, mapping(STRIPE, lookups=LOOKUPS), stripe, crosswalk)

    assert changes(report) == {"subscriptions": (2, 2, 0, 0, 4)}  # the crosswalk itself is not a table
    assert rows(baseline, "SELECT subscription_id, account_id FROM subscriptions WHERE subscription_id LIKE 'sub%' "
                          "ORDER BY 1") == [("sub_1", "A1"), ("sub_2", "A2")]


def test_unknown_external_keys_are_reported_with_row_and_value(baseline, tmp_path):
    before = fingerprint(baseline)
    crosswalk = write(tmp_path / "crosswalk.csv", CROSSWALK)
    stripe = write(tmp_path / "stripe_subs.csv", "id,customer,plan,amount,created\n"
                                                 "sub_1,cus_1,pro,99,2024-01-01\n"
                                                 "sub_2,cus_404,pro,49,2024-02-01\n"
                                                 "sub_3,CUS_1,pro,49,2024-02-01\n"
                                                 "sub_4,,pro,49,2024-02-01\n")

    with pytest.raises(DataContractError) as caught:
        load(baseline, mapping(STRIPE, lookups=LOOKUPS), stripe, crosswalk)

    assert problems(caught) == {
        ("stripe_subs.csv", 2, "customer", "cus_404", "unknown_key"),
        ("stripe_subs.csv", 3, "customer", "CUS_1", "unknown_key"),  # keys match exactly unless ignore_case
        ("stripe_subs.csv", 4, "account_id (derived)", None, "required"),  # no key at all: the contract's rule
    }
    unknown = next(p for p in caught.value.problems if p.rule == "unknown_key")
    assert unknown.message == "no row of crosswalk.csv has this Stripe ID (lookup 'sf')"
    assert fingerprint(baseline) == before


def test_a_lookup_key_given_two_values_is_a_problem_of_the_lookup_file(baseline, tmp_path):
    crosswalk = write(tmp_path / "crosswalk.csv", CROSSWALK + "cus_1,A3\ncus_2,A2\n")
    stripe = write(tmp_path / "stripe_subs.csv", "id,customer,plan,amount,created\nsub_1,cus_1,pro,99,2024-01-01\n")

    with pytest.raises(DataContractError) as caught:
        load(baseline, mapping(STRIPE, lookups=LOOKUPS), stripe, crosswalk)

    assert problems(caught) == {("crosswalk.csv", 1, "Stripe ID", "cus_1", "duplicate_key")}
    assert caught.value.problems[0].message == (
        "the lookup 'sf' gives this key different Salesforce ID values (rows 1, 3)")


def test_a_contract_file_used_by_a_lookup_is_loaded_too(baseline, tmp_path):
    accounts = write(tmp_path / "accounts.csv", "account_id,name,created_at,stripe_id\nA8,Theta,2024-01-02,cus_8\n")
    stripe = write(tmp_path / "stripe_subs.csv", "id,customer,plan,amount,created\nsub_8,cus_8,pro,9,2024-02-01\n")
    lookups = {"sf": {"file": "accounts.csv", "key": "stripe_id", "value": "account_id"}}

    report = load(baseline, mapping(STRIPE, lookups=lookups), stripe, accounts)

    assert changes(report) == {"accounts": (1, 1, 0, 0, 4), "subscriptions": (1, 1, 0, 0, 3)}
    assert report.warnings[0].rule == "unknown_column"  # stripe_id is not a column of accounts: ignored
    assert rows(baseline, "SELECT account_id FROM subscriptions WHERE subscription_id = 'sub_8'") == [("A8",)]


def test_a_lookup_file_next_to_the_mapping_file_is_found_there(baseline, tmp_path):
    write(tmp_path / "maps" / "crosswalk.csv", CROSSWALK)
    mapping_file = write(tmp_path / "maps" / "stripe.yaml",
                         "sources:\n  lookups:\n    sf: {file: crosswalk.csv, key: Stripe ID, value: Salesforce ID}\n"
                         "  files:\n    - pattern: stripe*.csv\n      table: subscriptions\n"
                         "      columns: {subscription_id: id, product: plan, mrr: amount, start_date: created}\n"
                         "      constants: {currency: USD}\n      derived: {account_id: \"lookup('sf', customer)\"}\n")
    stripe = write(tmp_path / "data" / "stripe_subs.csv",
                   "id,customer,plan,amount,created\nsub_1,cus_2,pro,9,2024-01-01\n")

    load(baseline, load_mapping(mapping_file), stripe)

    assert rows(baseline, "SELECT account_id FROM subscriptions WHERE subscription_id = 'sub_1'") == [("A2",)]


def test_a_missing_lookup_file_is_reported(baseline, tmp_path):
    stripe = write(tmp_path / "stripe_subs.csv", "id,customer,plan,amount,created\nsub_1,cus_1,pro,99,2024-01-01\n")

    with pytest.raises(DataContractError) as caught:
        load(baseline, mapping(STRIPE, lookups=LOOKUPS), stripe)

    assert [(p.file, p.rule) for p in caught.value.problems] == [("m.yaml: sources.lookups.sf", "missing_file")]


# -- what a mapping names must exist ------------------------------------------------------------------------


def test_an_unknown_source_column_is_reported_with_the_mapping_key(baseline, tmp_path):
    path = write(tmp_path / "stripe_subs.csv", "id,customer,plan,amount,created\nsub_1,A1,pro,99,2024-01-01\n")
    spec = {**STRIPE, "derived": {"account_id": "customer", "mrr": "amout / 12"}, "columns": {
        "subscription_id": "id", "product": "Plan Name", "start_date": "created"}}

    with pytest.raises(DataContractError) as caught:
        load(baseline, mapping(spec), path)

    found = {(p.column, p.value, p.rule): p.message for p in caught.value.problems}
    assert set(found) == {("Plan Name", "Plan Name", "unknown_column"), ("amout", "amout / 12", "unknown_column")}
    assert found[("amout", "amout / 12", "unknown_column")] == (
        "the file has no column 'amout' (did you mean 'amount'?); its columns: 'id', 'customer', 'plan', 'amount', "
        "'created' (key m.yaml: sources.files.0.derived.mrr)")


def test_a_required_column_the_mapping_does_not_fill_is_reported(baseline, tmp_path):
    path = write(tmp_path / "stripe_subs.csv", "id,customer,amount,created\nsub_1,A1,99,2024-01-01\n")
    spec = {"pattern": "stripe*.csv", "table": "subscriptions", "constants": {"currency": "USD"},
            "columns": {"subscription_id": "id", "account_id": "customer", "mrr": "amount", "start_date": "created"}}

    with pytest.raises(DataContractError) as caught:
        load(baseline, mapping(spec), path)

    assert problems(caught) == {("stripe_subs.csv", 0, "product", None, "missing_column")}


def test_files_no_pattern_matches_load_in_the_contract_format_or_are_reported(baseline, tmp_path):
    stripe = write(tmp_path / "stripe_subs.csv", "id,customer,plan,amount,created\nsub_1,A1,pro,99,2024-01-01\n")
    accounts = write(tmp_path / "accounts.csv", "account_id,name,created_at\nA8,Theta,2024-01-02\n")
    spec = {**STRIPE, "derived": {"account_id": "customer"}}

    report = load(baseline, mapping(spec), stripe, accounts)
    assert changes(report) == {"accounts": (1, 1, 0, 0, 4), "subscriptions": (1, 1, 0, 0, 3)}

    stray = write(tmp_path / "export_2024.csv", "a,b\n1,2\n")
    with pytest.raises(DataContractError) as caught:
        plan([stripe, stray], mapping(spec))
    assert problems(caught) == {("export_2024.csv", None, None, None, "unknown_table")}
    assert "no file mapping matches this file (patterns: stripe*.csv)" in caught.value.problems[0].message


# -- Parquet, JSON and CSV options ---------------------------------------------------------------------------


def test_parquet_exports_are_mapped_from_their_typed_columns(baseline, tmp_path):
    path = tmp_path / "billing_export.parquet"
    pq.write_table(pa.table({
        "line": ["P1", "P2"], "acct": ["A1", "A2"], "sku": ["core", "api"],
        "annual_price": pa.array([1200.0, 600.5]),
        "starts": pa.array([dt.date(2024, 1, 1), dt.date(2024, 2, 1)]),
        "renews": pa.array([True, False]),
    }), path)
    spec = {"pattern": "billing_export.parquet", "table": "subscriptions", "constants": {"currency": "USD"},
            "columns": {"subscription_id": "line", "account_id": "acct", "product": "sku", "start_date": "starts",
                        "auto_renew": "renews"},
            "derived": {"mrr": "annual_price / 12", "billing_period": "'year'"}}

    load(baseline, mapping(spec), path)

    assert rows(baseline, "SELECT subscription_id, mrr, start_date, auto_renew, billing_period FROM subscriptions "
                          "WHERE subscription_id LIKE 'P%' ORDER BY 1") == [
        ("P1", Decimal("100.0000"), dt.date(2024, 1, 1), True, "year"),
        ("P2", Decimal("50.0417"), dt.date(2024, 2, 1), False, "year")]


def test_csv_options_delimiter_encoding_and_null_values(baseline, tmp_path):
    path = tmp_path / "kunden.csv"
    path.write_bytes("Nummer;Firma;Angelegt;Mitarbeiter\nA7;Müller GmbH;01.02.2024;n/a\n".encode("latin-1"))
    spec = {"pattern": "kunden.csv", "table": "accounts", "delimiter": ";", "encoding": "latin-1",
            "null_values": ["n/a"],
            "columns": {"account_id": "Nummer", "name": "Firma", "created_at": "Angelegt", "employees": "Mitarbeiter"},
            "formats": {"Angelegt": {"type": "date", "format": "%d.%m.%Y"}}}

    load(baseline, mapping(spec), path)

    assert rows(baseline, "SELECT name, created_at, employees FROM accounts WHERE account_id = 'A7'") == [
        ("Müller GmbH", dt.date(2024, 2, 1), None)]


def test_a_wrong_delimiter_is_explained(baseline, tmp_path):
    path = write(tmp_path / "kunden.csv", "Nummer;Firma;Angelegt\nA7;Zeta;2024-01-01\n")
    spec = {"pattern": "kunden.csv", "table": "accounts",
            "columns": {"account_id": "Nummer", "name": "Firma", "created_at": "Angelegt"}}

    with pytest.raises(DataContractError) as caught:
        load(baseline, mapping(spec), path)

    assert problems(caught) == {("kunden.csv", 0, None, "Nummer;Firma;Angelegt", "delimiter")}
    assert "set `delimiter: \";\"` for this file mapping" in caught.value.problems[0].message


# -- mappings in tenure.yaml, presets ------------------------------------------------------------------------


def test_tenure_yaml_holds_a_sources_section_that_load_uses(empty_workspace, tmp_path):
    config = parse_config({"sources": {"files": [
        {"pattern": "crm*.csv", "table": "accounts",
         "columns": {"account_id": "Id", "name": "Name", "created_at": "Created"}}]}})
    path = write(tmp_path / "crm_accounts.csv", "Id,Name,Created\nX1,Xi,2024-01-01\n")

    chosen = choose(configured=config.sources, workspace=empty_workspace.root)
    report = load_planned(plan([path], chosen), warehouse=empty_workspace.warehouse)

    assert changes(report) == {"accounts": (1, 1, 0, 0, 1)}
    assert choose(configured=parse_config({}).sources) is None  # no sources: files load in the contract format


def test_a_bad_sources_section_in_tenure_yaml_names_the_key():
    with pytest.raises(ConfigError) as caught:
        parse_config({"sources": {"files": [{"pattern": "a.csv", "table": "accounts",
                                             "derived": {"name": "os.getcwd()"}}]}})
    assert str(caught.value) == ("tenure.yaml: key 'sources.files.0.derived.name': attribute access ('.') is not "
                                 "allowed (in 'os.getcwd()') (got 'os.getcwd()')")


def test_presets_are_listed_and_an_unknown_one_names_the_known_ones():
    assert "nps" in presets()
    with pytest.raises(NotFound) as caught:
        load_preset("stripe-ish")
    assert str(caught.value) == f"unknown preset 'stripe-ish'; known presets: {', '.join(presets())}"


def test_the_nps_preset_loads_a_survey_export(baseline):
    report = load(baseline, load_preset("nps"), NPS / "nps_responses.csv")

    assert changes(report) == {"surveys": (3, 3, 0, 0, 3)}
    assert rows(baseline, "SELECT * FROM surveys ORDER BY 1") == [
        ("R-100", "A1", dt.datetime(2024, 3, 1, 9, 30), "nps", Decimal("9.0000"), None, "Great onboarding"),
        ("R-101", "A2", dt.datetime(2024, 3, 2, 15, 0), "nps", Decimal("3.0000"), None, "Too slow, \"sync\" breaks"),
        ("R-102", "A1", dt.datetime(2024, 3, 5, 8, 0), "nps", Decimal("10.0000"), None, None),
    ]


def test_two_mappings_combine(baseline, tmp_path):
    crm = mapping({"pattern": "crm*.csv", "table": "accounts",
                   "columns": {"account_id": "Id", "name": "Name", "created_at": "Created"}})
    survey = write(tmp_path / "nps_q1.csv", (NPS / "nps_responses.csv").read_text(encoding="utf-8").replace(
        "A2", "X1"))
    accounts = write(tmp_path / "crm_accounts.csv", "Id,Name,Created\nX1,Xi,2024-01-01\n")

    report = load(baseline, combine([crm, load_preset("nps")]), survey, accounts)

    assert changes(report) == {"accounts": (1, 1, 0, 0, 4), "surveys": (3, 3, 0, 0, 3)}
    assert rows(baseline, "SELECT account_id FROM surveys WHERE response_id = 'R-101'") == [("X1",)]
