"""A small hand-made company for the board-pack sections of adoption, gaps, onboarding, value and the team.

Reported period 2026Q3 (prior 2026Q2), as of 2026-09-30. Every line is 12-monthly unless said.

    account  segment     owner  lines (MRR)                                   what happens
    A1       Enterprise  C1     1,000 from 2025-03-01                         renews flat 2026-03-01
    A2       SMB         C2     2,000 2025-01-15 → 2026-01-15                 churns at its renewal
    A3       Enterprise  C1     500 from 2025-06-01, +300 from 2026-06-01     expands at 2026-06-01
    A4       SMB         C2     1,000 2025-05-01 → 2026-05-01, then 800       contracts at 2026-05-01 (Q2)
    A5       SMB         C2     100 monthly 2025-02-01 → 2026-02-01           a monthly contract that stops
    A6       SMB         C2     400 from 2026-02-01                           new (cohort 2026-Q1)
    A7       SMB         C2     600 from 2026-07-15                           new (cohort 2026-Q3)
    A8       SMB         C2     250 2024-09-01 → 2026-09-01                   churns at its renewal (Q3)

Features: login, export_downloaded and the key event report_created. In the 90 days before
their renewal, every renewing account logged in; A1 (flat) and A3 (expanded) created reports;
only A3 downloaded an export. The value driver counts 2 hours per report_created. Health
snapshots are stored for the two quarter-ends (as `tenure run` would), so the team views read
them instead of scoring every account again.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pyarrow as pa

from operating.tables import account, line, person, workspace_with
from tenure.history import HEALTH_HISTORY, store_snapshot
from tenure.operating.periods import parse_period
from tenure.reports.board.context import BoardContext, migrated_store
from tenure.workflow.models import (
    ChurnReason,
    Cta,
    FeatureRequest,
    FeatureRequestAccount,
    SuccessCriterion,
    SuccessPlan,
)
from tenure.workspace import Workspace

AS_OF = dt.date(2026, 9, 30)
BANDS = {"2026-06-30": {"A1": "yellow", "A3": "green", "A4": "yellow", "A6": "green", "A8": "red"},
         "2026-09-30": {"A1": "red", "A3": "green", "A4": "yellow", "A6": "green", "A7": "green"}}
VALUE = """
value:
  - {name: hours_saved, event: report_created, per_event: 2, unit: hours}
"""


def event(account_id: str, name: str, day: str, uses: int | None = None) -> dict:
    return {"account_id": account_id, "user_id": f"{account_id}-u1", "event": name, "timestamp": f"{day}T10:00:00Z",
            "count": uses}


TABLES = {
    "accounts": [
        account("A1", segment="Enterprise", owner_csm_id="C1"), account("A2", segment="SMB", owner_csm_id="C2"),
        account("A3", segment="Enterprise", owner_csm_id="C1"), account("A4", segment="SMB", owner_csm_id="C2"),
        account("A5", segment="SMB", owner_csm_id="C2"), account("A6", segment="SMB", owner_csm_id="C2"),
        account("A7", segment="SMB", owner_csm_id="C2"), account("A8", segment="SMB", owner_csm_id="C2"),
    ],
    "subscriptions": [
        line("s1", "A1", "2025-03-01", 1000),
        line("s2", "A2", "2025-01-15", 2000, end_date="2026-01-15"),
        line("s3", "A3", "2025-06-01", 500), line("s3b", "A3", "2026-06-01", 300, product="addon"),
        line("s4", "A4", "2025-05-01", 1000, end_date="2026-05-01"), line("s4b", "A4", "2026-05-01", 800),
        line("s5", "A5", "2025-02-01", 100, end_date="2026-02-01", billing_period="month"),
        line("s6", "A6", "2026-02-01", 400),
        line("s7", "A7", "2026-07-15", 600),
        line("s8", "A8", "2024-09-01", 250, end_date="2026-09-01"),
    ],
    "features": [{"event": "login", "is_key": False}, {"event": "report_created", "is_key": True},
                 {"event": "export_downloaded", "is_key": False}],
    "events": [
        event("A1", "login", "2026-01-10"), event("A1", "report_created", "2026-02-01"),
        event("A1", "export_downloaded", "2026-04-01"),  # after its renewal: not counted
        event("A1", "report_created", "2026-08-10", uses=4),
        event("A2", "report_created", "2025-09-01"),  # more than 90 days before its renewal
        event("A2", "login", "2025-12-01"),
        event("A3", "login", "2026-04-01"), event("A3", "report_created", "2026-04-02"),
        event("A3", "export_downloaded", "2026-05-01"),
        event("A4", "login", "2026-03-01"),
        event("A5", "login", "2026-01-05"),
        event("A6", "report_created", "2026-02-11"),
        event("A7", "report_created", "2026-07-20"),
        event("A8", "login", "2026-07-01"),
    ],
    "team": [person("C1", name="Cleo Park", segment="Enterprise", manager_id="M1"),
             person("C2", segment="SMB", manager_id="M1"), person("M1", role="manager")],
    "contacts": [
        {"contact_id": "k1", "account_id": "A1", "email": "ana@a1.example", "name": "Ana Lopez",
         "title": "VP Operations", "role": "champion"},
        {"contact_id": "k2", "account_id": "A1", "email": "ben@a1.example", "name": "Ben Ray", "title": "CFO",
         "role": "exec_sponsor", "left_at": "2026-08-15"},
        {"contact_id": "k3", "account_id": "A1", "email": "cy@a1.example", "name": "Cy Dunn", "role": "user"},
    ],
}


def company(root: Path, *, tables: dict | None = None, config: str = VALUE) -> Workspace:
    """The company above (or `tables`) loaded into root/ws, with its CTAs, churn reasons and feature requests."""
    ws = workspace_with(root, tables or TABLES, config)
    for day, bands in BANDS.items():
        frame = pd.DataFrame({"account_id": list(bands), "score": [50.0] * len(bands), "band": list(bands.values()),
                              "as_of": dt.date.fromisoformat(day)})
        store_snapshot(ws.warehouse, {HEALTH_HISTORY: pa.Table.from_pandas(frame, preserve_index=False)},
                       dt.date.fromisoformat(day))
    store = migrated_store(ws)
    with store.session() as session:
        session.add_all([
            Cta(account_id="A1", kind="risk", reason="usage down", priority="high", status="open",
                owner_person_id="C1", due_date=dt.date(2026, 7, 20), opened_at=dt.datetime(2026, 7, 5)),
            Cta(account_id="A4", kind="lifecycle", reason="QBR", priority="medium", status="closed",
                owner_person_id="C2", due_date=dt.date(2026, 8, 30), opened_at=dt.datetime(2026, 8, 1),
                closed_at=dt.datetime(2026, 8, 15)),
            Cta(account_id="A6", kind="lifecycle", reason="onboarding", priority="medium", status="closed",
                owner_person_id="C2", due_date=dt.date(2026, 5, 15), opened_at=dt.datetime(2026, 5, 1),
                closed_at=dt.datetime(2026, 7, 2)),
            ChurnReason(account_id="A8", occurred_on=dt.date(2026, 9, 5), movement="churn", arr_lost=3000.0,
                        primary_reason="price", voluntary=True, competitor="Rival", interviewed=True),
            ChurnReason(account_id="A4", occurred_on=dt.date(2026, 5, 10), movement="contraction", arr_lost=2400.0,
                        primary_reason="budget", voluntary=True, interviewed=False),
            SuccessPlan(account_id="A1", objective="Cut reporting time in half", criteria=[
                SuccessCriterion(criterion="Weekly report automated", status="done", evidence="runs every Monday",
                                 agreed_before_signature=True),
                SuccessCriterion(criterion="Five teams onboarded")]),
            FeatureRequest(title="Offline mode", accounts=[FeatureRequestAccount(account_id="A8"),
                                                           FeatureRequestAccount(account_id="A1")]),
        ])
    store.dispose()
    return ws


def context(ws: Workspace, *, with_store: bool = True, period: str = "2026Q3", as_of: dt.date = AS_OF) -> BoardContext:
    reported, prior, year_ago = parse_period(period), parse_period("2026Q2"), parse_period("2025Q3")
    return BoardContext(ws=ws, store=migrated_store(ws) if with_store else None, period=reported, prior=prior,
                        year_ago=year_ago, as_of=as_of, currency="USD")
