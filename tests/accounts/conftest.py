"""A small, hand-made customer base for the per-account metrics, loaded through the data contract.

Every test here reads the metrics of one workspace at AS_OF = 2025-06-30, built once per session
from CSV files written by `write_tables` and loaded with `tenure.contract.load.load`, exactly as
`tenure load` would. The windows that matter (DESIGN.md principle 1; `tenure.metrics.window`):

    end of as_of (first unknown instant) .......... 2025-07-01 00:00:00
    last 7 days   = since(7)   ................... 2025-06-24 00:00:00
    last 30 days  = since(30)  ................... 2025-06-01 00:00:00
    prior 30 days = since(60) .. since(30) ....... 2025-05-02 00:00 .. 2025-05-31 23:59:59
    last 90 days  = since(90)  ................... 2025-04-02 00:00:00
    a quarter ago = since(120) .. since(90) ...... 2025-03-03 00:00 .. 2025-04-01 23:59:59
    last 180 days = since(180) ................... 2025-01-02 00:00:00
    ARR 90 days ago is ARR on ................... 2025-04-01

The accounts (each one is described where its rows are):

    A1 Acme      busy: every window edge, seats, tickets, NPS, activities, a sponsor who left
    A2 Zombie    logs in, nothing new for 180 days, breadth falling; monthly billing; no seat count
    A3 Newco     started 2025-05-15: onboarding still running, key event before the paid start
    A4 Quiet     no usage, no tickets, no activities, no contacts, no surveys; a EUR line
    A5 Churned   its only line ended on as_of (end exclusive): not paying, no row
    A6 Freebie   only a free (mrr 0) line: not paying, no row
    A7 Steady    nothing new for 180 days but breadth rising against a quarter ago: not a zombie
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import math
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tenure.contract.load import load
from tenure.contract.schemas import TABLES
from tenure.views.health import metrics_at
from tenure.workspace import Workspace

AS_OF = dt.date(2025, 6, 30)

Row = Mapping[str, Any]
Tables = dict[str, list[dict[str, Any]]]

# value: in tenure.yaml — report_created is worth half an hour, an export 2 USD.
VALUE_YAML = """
value:
  - {name: hours_saved, event: report_created, per_event: 0.5, unit: hours}
  - {name: exports, event: export, per_event: 2, unit: USD}
"""


def write_tables(folder: Path, tables: Mapping[str, Iterable[Row]]) -> Path:
    """Write each table as `<name>.csv` with every contract column (empty cells for None)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        columns = [c.name for c in TABLES[name].columns]
        with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(columns)
            for row in rows:
                unknown = set(row) - set(columns)
                assert not unknown, f"unknown columns {unknown} for {name}"
                writer.writerow(["" if row.get(c) is None else _text(row[c]) for c in columns])
    return folder


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def make_workspace(root: Path, tables: Mapping[str, Iterable[Row]], *, value_yaml: str | None = None,
                   replace: Iterable[tuple[str, str]] = ()) -> Workspace:
    """`Workspace.init` in root/ws, its tenure.yaml edited (`replace` pairs, `value_yaml` appended),
    then a contract load of these tables."""
    folder = root / "ws"
    Workspace.init(folder).close()
    config = folder / "tenure.yaml"
    text = config.read_text(encoding="utf-8")
    for old, new in replace:
        assert old in text, f"{old!r} is not in the default tenure.yaml"
        text = text.replace(old, new)
    config.write_text(text + (value_yaml or ""), encoding="utf-8")
    ws = Workspace.open(folder)
    load_tables(ws, root / "data", tables)
    return ws


def load_tables(ws: Workspace, folder: Path, tables: Mapping[str, Iterable[Row]]) -> None:
    load([write_tables(folder, tables)], warehouse=ws.warehouse, base_currency=ws.config.base_currency)


def normalise(value: Any) -> Any:
    """None for null/NaN, plain bool for flags, float for numbers."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
        if isinstance(value, float) and math.isnan(value):
            return None
    return value


def compute(ws: Workspace, as_of: dt.date = AS_OF) -> dict[str, dict[str, Any]]:
    """metrics_at(ws, as_of) executed: {account_id: {column: value}} with nulls as None."""
    frame = ws.warehouse.execute(metrics_at(ws, as_of=as_of))
    assert frame["account_id"].is_unique
    return {row["account_id"]: {k: normalise(v) for k, v in row.items()} for row in frame.to_dict("records")}


def line(subscription_id: str, account_id: str, start: str, mrr: str, **extra: Any) -> dict[str, Any]:
    return {"subscription_id": subscription_id, "account_id": account_id, "product": extra.pop("product", "core"),
            "start_date": start, "mrr": mrr, "currency": extra.pop("currency", "USD"), **extra}


def ev(account_id: str, user_id: str, event: str, timestamp: str, count: int | None = None) -> dict[str, Any]:
    return {"account_id": account_id, "user_id": user_id, "event": event, "timestamp": timestamp, "count": count}


def ticket(ticket_id: str, account_id: str, created_at: str, priority: str, resolved_at: str | None = None,
           status: str | None = None, csat: str | None = None) -> dict[str, Any]:
    return {"ticket_id": ticket_id, "account_id": account_id, "created_at": created_at, "priority": priority,
            "resolved_at": resolved_at, "status": status, "csat": csat}


def activity(activity_id: str, account_id: str, occurred_at: str, type_: str,
             exec_present: bool | None = None) -> dict[str, Any]:
    return {"activity_id": activity_id, "account_id": account_id, "occurred_at": occurred_at, "type": type_,
            "exec_present": exec_present}


def contact(contact_id: str, account_id: str, role: str | None, left_at: str | None = None) -> dict[str, Any]:
    return {"contact_id": contact_id, "account_id": account_id, "email": f"{contact_id}@example.com",
            "role": role, "left_at": left_at}


def survey(response_id: str, account_id: str, submitted_at: str, type_: str, score: str) -> dict[str, Any]:
    return {"response_id": response_id, "account_id": account_id, "submitted_at": submitted_at, "type": type_,
            "score": score}


def account(account_id: str, name: str) -> dict[str, Any]:
    return {"account_id": account_id, "name": name, "created_at": "2020-01-01"}


ACCOUNTS = [account("A1", "Acme"), account("A2", "Zombie"), account("A3", "Newco"), account("A4", "Quiet"),
            account("A5", "Churned"), account("A6", "Freebie"), account("A7", "Steady")]

SUBSCRIPTIONS = [
    # A1: core from 2024-01-15 on a yearly term with 20 seats; an add-on from 2025-05-01 with 5 seats
    # (default 12-month term); a free sandbox with 100 seats (not paying: no seats, no ARR).
    line("S1", "A1", "2024-01-15", "1000", quantity=20, billing_period="year"),
    line("S2", "A1", "2025-05-01", "200", product="addon", quantity=5),
    line("S3", "A1", "2024-06-01", "0", product="sandbox", quantity=100, renewal_date="2027-01-01"),
    # A2: monthly billing from 2024-03-01, no quantity.
    line("S4", "A2", "2024-03-01", "500", billing_period="month"),
    # A3: from 2025-05-15, 10 seats, default term.
    line("S5", "A3", "2025-05-15", "300", quantity=10),
    # A4: a 24-month term from 2023-01-01 with 5 seats, and a EUR line 2025-04-02 .. 2025-09-30 (no quantity).
    line("S6", "A4", "2023-01-01", "400", quantity=5, term_months=24),
    line("S7", "A4", "2025-04-02", "100", currency="EUR", end_date="2025-09-30"),
    # A5: ended on as_of (end_date is exclusive).
    line("S8", "A5", "2024-01-01", "250", end_date="2025-06-30"),
    # A6: free only.
    line("S9", "A6", "2024-01-01", "0"),
    # A7: quarterly billing from 2023-06-01.
    line("S10", "A7", "2023-06-01", "100", billing_period="quarter"),
]

FX_RATES = [
    # A4's EUR line starts 2025-04-02: the rate in force is the one of 2024-12-31 (1.1), fixed for its life.
    {"currency": "EUR", "date": "2024-12-31", "rate_to_base": "1.1"},
    {"currency": "EUR", "date": "2025-06-01", "rate_to_base": "1.2"},
]

FEATURES = [
    {"event": "login", "released_at": "2023-01-01", "is_key": False},
    {"event": "report_created", "released_at": "2023-06-01", "is_key": True},
    {"event": "dashboard_shared", "released_at": "2023-06-01", "is_key": True},
    {"event": "export", "released_at": "2025-02-15"},  # released in the last 180 days
    {"event": "scheduler", "released_at": "2025-01-02"},  # first day of the last 180 days: released in them
    {"event": "api_v2", "released_at": "2025-01-01"},  # the day before: not in them
    {"event": "beta_feature", "released_at": "2025-07-01"},  # after as_of: not released yet
    {"event": "legacy_import"},  # no release date
]

EVENTS = [
    # A1
    ev("A1", "u1", "login", "2024-01-20T09:00:00Z"),  # first login
    ev("A1", "u1", "report_created", "2024-02-04T10:00:00Z"),  # first key event: 20 days after 2024-01-15
    ev("A1", "u2", "dashboard_shared", "2024-03-05T10:00:00Z"),  # second key event, within 90 days
    ev("A1", "u7", "login", "2025-03-02T23:59:59Z"),  # before every recent window
    ev("A1", "u6", "export", "2025-03-03T00:00:00Z", 2),  # first instant of the quarter-ago window; first export
    ev("A1", "u6", "legacy_import", "2025-03-10T08:00:00Z"),  # quarter ago; first legacy_import
    ev("A1", "u6", "login", "2025-04-01T23:59:59Z"),  # last instant of the quarter-ago window, not in 90 days
    ev("A1", "u5", "login", "2025-04-02T00:00:00Z"),  # first instant of the 90-day window
    ev("A1", "u5", "report_created", "2025-04-02T00:00:00Z", 4),
    ev("A1", "u5", "dashboard_shared", "2025-04-20T12:00:00Z"),
    ev("A1", "u1", "login", "2025-05-15T12:00:00Z", 4),  # prior 30 days
    ev("A1", "u4", "login", "2025-05-31T23:59:59Z"),  # last instant of the prior 30 days, not in the last 30
    ev("A1", "u3", "login", "2025-06-01T00:00:00Z"),  # first instant of the 30-day window
    ev("A1", "u1", "export", "2025-06-10T09:00:00Z", 2),
    ev("A1", "u1", "login", "2025-06-10T17:00:00Z"),  # same user-day as the export
    ev("A1", "u8", "login", "2025-06-23T23:59:59Z"),  # in 30 days, one second before the 7-day window
    ev("A1", "u2", "report_created", "2025-06-24T00:00:00Z", 3),  # first instant of the 7-day window
    ev("A1", "u1", "login", "2025-06-30T23:59:59Z"),  # last instant of as_of: counts
    ev("A1", "u9", "beta_feature", "2025-07-01T00:00:00Z"),  # the next day: unknown at as_of
    # A2: first uses in 2024; in the quarter-ago window login + report_created, now only login.
    ev("A2", "u1", "login", "2024-03-10T10:00:00Z"),
    ev("A2", "u1", "report_created", "2024-04-01T10:00:00Z"),  # first key event, 31 days after 2024-03-01
    ev("A2", "u1", "login", "2025-03-20T10:00:00Z"),
    ev("A2", "u1", "report_created", "2025-03-20T11:00:00Z"),
    ev("A2", "u1", "login", "2025-06-15T10:00:00Z"),
    # A3: a key event five days before the paid start, then a login.
    ev("A3", "u1", "report_created", "2025-05-10T10:00:00Z"),
    ev("A3", "u1", "login", "2025-06-20T10:00:00Z"),
    # A5 (not paying at as_of)
    ev("A5", "u1", "login", "2025-06-20T10:00:00Z"),
    # A7: first uses in 2023; a quarter ago only login, now login + report_created.
    ev("A7", "u1", "login", "2023-07-01T10:00:00Z"),
    ev("A7", "u1", "report_created", "2023-07-02T10:00:00Z"),  # first key event, 31 days after 2023-06-01
    ev("A7", "u1", "login", "2025-03-15T10:00:00Z"),
    ev("A7", "u1", "login", "2025-06-05T10:00:00Z"),
    ev("A7", "u1", "report_created", "2025-06-05T11:00:00Z"),
]

ACTIVITIES = [
    activity("AC1", "A1", "2025-06-20T15:00:00Z", "qbr", True),
    activity("AC2", "A1", "2025-04-02T00:00:00Z", "meeting", False),  # first instant of 90 days
    activity("AC3", "A1", "2025-04-01T23:59:59Z", "ebr", True),  # one second before 90 days
    activity("AC4", "A1", "2025-06-25T10:00:00Z", "call"),  # not a meeting
    activity("AC5", "A1", "2025-06-28T10:00:00Z", "email", True),  # the last with an executive present
    activity("AC6", "A1", "2025-07-01T00:00:00Z", "meeting", True),  # after as_of
    activity("AC7", "A2", "2025-06-01T10:00:00Z", "call"),  # exec_present empty: no executive
    activity("AC8", "A3", "2024-12-01T10:00:00Z", "ebr", True),
]

CONTACTS = [
    contact("C1", "A1", "champion", "2025-01-02"),  # first day of the last 180 days
    contact("C2", "A2", "exec_sponsor", "2025-01-01"),  # the day before: not in them
    contact("C3", "A2", "user", "2025-06-01"),  # not a sponsor
    contact("C4", "A2", "champion"),  # still there
    contact("C5", "A3", "exec_sponsor", "2025-06-30"),  # left on as_of
    contact("C6", "A2", "champion", "2025-07-01"),  # leaves the day after as_of
]

TICKETS = [
    # A1
    ticket("T1", "A1", "2025-06-30T23:59:59Z", "urgent", status="open"),  # last instant of as_of: open
    ticket("T2", "A1", "2025-06-01T00:00:00Z", "high", "2025-07-02T00:00:00Z", "solved", "3"),  # resolved after as_of
    ticket("T3", "A1", "2025-06-10T00:00:00Z", "normal", "2025-06-11T12:00:00Z", "solved", "4"),  # 36 h
    ticket("T10", "A1", "2025-06-20T00:00:00Z", "normal", "2025-06-20T20:00:00Z", "closed"),  # 20 h, no CSAT
    ticket("T4", "A1", "2025-05-31T23:59:59Z", "low", "2025-06-01T09:59:59Z", "solved", "2"),  # 10 h
    ticket("T12", "A1", "2025-05-20T00:00:00Z", "urgent", status="pending"),  # open: pending is not closed
    ticket("T7", "A1", "2025-04-01T00:00:00Z", "urgent", status="solved"),  # no resolved_at but solved: not open
    ticket("T9", "A1", "2025-03-31T22:00:00Z", "high", "2025-04-02T00:00:00Z", "solved", "5"),  # 26 h, in 90 days
    ticket("T13", "A1", "2025-03-30T00:00:00Z", "normal", "2025-04-01T23:59:59Z", "solved", "0"),  # resolved before
    ticket("T5", "A1", "2025-03-03T00:00:00Z", "high", "2025-03-04T00:00:00Z", "solved", "1"),  # first prior instant
    ticket("T6", "A1", "2025-03-02T23:59:59Z", "normal", status="closed"),  # before the prior 90 days
    ticket("T8", "A1", "2025-07-01T00:00:00Z", "urgent"),  # after as_of
    # A2: one old ticket.
    ticket("T11", "A2", "2024-01-01T00:00:00Z", "low", "2024-01-02T00:00:00Z", "closed", "5"),
]

SURVEYS = [
    survey("R1", "A1", "2025-03-01T10:00:00Z", "nps", "6"),
    survey("R2", "A1", "2025-06-30T23:59:59Z", "nps", "9"),  # the latest known at as_of
    survey("R3", "A1", "2025-06-30T12:00:00Z", "csat", "2"),  # a CSAT survey, not NPS
    survey("R4", "A1", "2025-07-01T00:00:00Z", "nps", "0"),  # after as_of
    survey("R5", "A2", "2025-05-01T10:00:00Z", "nps", "8"),  # the only one
    survey("R6", "A3", "2025-02-01T10:00:00Z", "nps", "10"),
    survey("R7", "A3", "2025-06-01T10:00:00Z", "nps", "4"),
]


def dataset() -> Tables:
    """A fresh copy of every table of the base data set."""
    return copy.deepcopy({
        "accounts": ACCOUNTS, "subscriptions": SUBSCRIPTIONS, "fx_rates": FX_RATES, "features": FEATURES,
        "events": EVENTS, "activities": ACTIVITIES, "contacts": CONTACTS, "tickets": TICKETS, "surveys": SURVEYS,
    })


@pytest.fixture(scope="session")
def base_tables() -> Callable[[], Tables]:
    """The base data set as a factory of fresh copies (tests may change their copy)."""
    return dataset


@pytest.fixture(scope="session")
def workspace(tmp_path_factory) -> Workspace:
    """The base data set loaded into a DuckDB workspace with two value drivers."""
    ws = make_workspace(tmp_path_factory.mktemp("accounts"), dataset(), value_yaml=VALUE_YAML)
    yield ws
    ws.close()


@pytest.fixture(scope="session")
def metrics(workspace) -> dict[str, dict[str, Any]]:
    """Every account metric at AS_OF, per paying account."""
    return compute(workspace)


def check_value(got: Any, expected: Any, label: str = "") -> None:
    """Flags and empties must match exactly (True is not 1, None is not 0); numbers to 1e-9."""
    if expected is None or isinstance(expected, bool):
        assert got is expected, f"{label}: expected {expected!r}, got {got!r}"
    else:
        assert got is not None and not isinstance(got, bool), f"{label}: expected {expected!r}, got {got!r}"
        assert got == pytest.approx(expected, rel=1e-9, abs=1e-12), f"{label}: expected {expected!r}, got {got!r}"


@pytest.fixture(scope="session")
def check() -> Callable[[Any, Any, str], None]:
    """`check_value` as a fixture: `check(got, expected, "what")`."""
    return check_value


@pytest.fixture
def build() -> Callable[..., Workspace]:
    """`make_workspace(root, tables, value_yaml=..., replace=...)`: a fresh workspace, closed after the test."""
    made: list[Workspace] = []

    def _build(root: Path, tables: Mapping[str, Iterable[Row]], **options: Any) -> Workspace:
        made.append(make_workspace(root, tables, **options))
        return made[-1]

    yield _build
    for ws in made:
        ws.close()


@pytest.fixture(scope="session")
def load_more() -> Callable[[Workspace, Path, Mapping[str, Iterable[Row]]], None]:
    """`load_tables(ws, folder, tables)`: write the tables to folder and load them into ws."""
    return load_tables


@pytest.fixture(scope="session")
def compute_at() -> Callable[..., dict[str, dict[str, Any]]]:
    """`compute(ws, as_of=AS_OF)`: metrics_at executed, {account_id: {column: value}}."""
    return compute


@pytest.fixture(scope="session")
def value_yaml() -> str:
    return VALUE_YAML
