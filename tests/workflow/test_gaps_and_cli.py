"""The gaps report against hand-computed ARR, and the workflow commands end to end.

The book at 2026-01-31 (window of 3 months: November 2025 to January 2026):

    A1  1,000 MRR, ends 2026-01-15: churns in January, 12,000 ARR lost; reason price (interviewed)
    A2  1,000 MRR, re-signed at 750 on 2026-01-10: contracts, 3,000 ARR lost; reason missing feature
    A3  2,000 MRR, paying, an open risk CTA: 24,000 ARR at risk
    A4  500 MRR, paying, an open 10,000 expansion opportunity

Feature requests: "SSO" by A1 and A3 (12,000 lost, 24,000 at risk), "API" by A4 (10,000 pipeline).
"""

from __future__ import annotations

import csv
import datetime as dt
import json

import pytest

from cli.helpers import assert_error, tenure
from tenure.contract.load import load
from tenure.contract.schemas import TABLES
from tenure.reports.gaps import gaps
from tenure.workflow.churn import record
from tenure.workflow.models import Cta
from tenure.workflow.requests import request_feature
from tenure.workflow.store import WorkflowStore
from tenure.workspace import Workspace

AS_OF = dt.date(2026, 1, 31)
TABLE_ROWS = {
    "accounts": [{"account_id": a, "name": f"Account {a}", "created_at": "2024-12-01", "owner_csm_id": "P1"}
                 for a in ("A1", "A2", "A3", "A4")],
    "team": [{"person_id": "P1", "name": "Pat", "role": "csm", "manager_id": "M1"},
             {"person_id": "M1", "name": "Max", "role": "manager"},
             {"person_id": "E1", "name": "Eve", "role": "ae"}],
    "account_team": [{"account_id": "A3", "person_id": "E1", "role": "ae"}],
    "subscriptions": [
        {"subscription_id": "S1", "account_id": "A1", "product": "core", "start_date": "2025-01-15",
         "end_date": "2026-01-15", "mrr": 1000, "currency": "USD"},
        {"subscription_id": "S2", "account_id": "A2", "product": "core", "start_date": "2025-01-10",
         "end_date": "2026-01-10", "mrr": 1000, "currency": "USD"},
        {"subscription_id": "S2b", "account_id": "A2", "product": "core", "start_date": "2026-01-10",
         "mrr": 750, "currency": "USD"},
        {"subscription_id": "S3", "account_id": "A3", "product": "core", "start_date": "2025-02-01", "mrr": 2000,
         "currency": "USD"},
        {"subscription_id": "S4", "account_id": "A4", "product": "core", "start_date": "2025-03-01", "mrr": 500,
         "currency": "USD"},
    ],
    "opportunities": [{"opportunity_id": "O1", "account_id": "A4", "type": "expansion", "amount": 10000,
                       "close_date": "2026-03-31", "stage": "proposal", "status": "open"}],
}


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    root = tmp_path_factory.mktemp("gaps")
    data = root / "data"
    data.mkdir()
    for name, rows in TABLE_ROWS.items():
        columns = [c.name for c in TABLES[name].columns]
        with (data / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(columns)
            for row in rows:
                writer.writerow(["" if row.get(c) is None else row[c] for c in columns])
    ws = Workspace.init(root / "ws")
    load([data], warehouse=ws.warehouse, base_currency="USD")
    store = WorkflowStore.of(ws)
    with store.session() as session:
        record(session, ws.config.churn_reasons, account_id="A1", occurred_on=dt.date(2026, 1, 15),
               movement="churn", arr_lost=12_000, primary="price", interviewed=True, actor="csm")
        record(session, ws.config.churn_reasons, account_id="A2", occurred_on=dt.date(2026, 1, 10),
               movement="contraction", arr_lost=3_000, primary="missing feature", actor="csm")
        session.add(Cta(account_id="A3", kind="risk", reason="manual", priority="high", due_date=AS_OF))
        for title, account in (("SSO", "A1"), ("SSO", "A3"), ("API", "A4")):
            request_feature(session, title, account, actor="csm")
    store.dispose()
    ws.close()
    return root / "ws"


def test_gaps_rank_reasons_and_requests_by_arr(workspace):
    ws = Workspace.open(workspace)
    store = WorkflowStore.of(ws)
    with store.session() as session:
        result = gaps(ws, session, as_of=AS_OF, months=3)
    ws.close()
    assert result.since == dt.date(2025, 11, 1)
    assert result.lost_arr == pytest.approx(15_000) and result.interviewed_arr == pytest.approx(12_000)
    reasons = result.reasons.set_index("reason")
    assert list(reasons.index) == ["price", "missing feature"]
    assert reasons.loc["price", "arr_lost"] == pytest.approx(12_000)
    features = result.features.set_index("title")
    assert list(features.index) == ["SSO", "API"]
    assert features.loc["SSO", ["accounts", "arr_lost", "arr_at_risk", "pipeline"]].tolist() == [2, 12_000, 24_000, 0]
    assert features.loc["API", ["arr_lost", "arr_at_risk", "pipeline"]].tolist() == [0, 0, 10_000]


def test_the_gaps_command(workspace):
    done = tenure("-w", workspace, "report", "gaps", "--as-of", AS_OF.isoformat(), "--format", "json", cwd=workspace)
    assert done.returncode == 0, str(done)
    payload = json.loads(done.stdout)
    assert payload["lost_arr"] == pytest.approx(15_000)
    assert payload["features"][0]["title"] == "SSO"
    table = tenure("-w", workspace, "report", "gaps", "--as-of", AS_OF.isoformat(), cwd=workspace)
    assert "80% of it was exit-interviewed" in table.stdout


def test_users_ctas_and_handoffs_from_the_command_line(workspace):
    run = lambda *args: tenure("-w", workspace, *args, cwd=workspace)  # noqa: E731
    assert run("users", "add", "admin@example.com", "--name", "Ada", "--role", "admin").returncode == 0
    assert_error(run("users", "add", "admin@example.com", "--name", "Ada", "--role", "admin"), 1, "already exists")
    assert_error(run("users", "add", "x@example.com", "--name", "X", "--role", "csm", "--person", "NOPE"), 1,
                 "not in the loaded team table")
    assert run("users", "add", "eve@example.com", "--name", "Eve", "--role", "sales", "--person", "E1").returncode == 0

    listed = json.loads(run("ctas", "list", "--format", "json", "--today", "2026-02-10").stdout)
    mine = [c for c in listed if c["account_id"] == "A3"]
    assert mine and mine[0]["days_overdue"] == 10
    cta = str(mine[0]["id"])
    assert run("ctas", "assign", cta, "--to", "M1").returncode == 0
    assert_error(run("ctas", "assign", cta, "--to", "ZZ"), 1, "not a person_id")
    closed = run("ctas", "close", cta, "--note", "Met the sponsor; plan agreed", "--as", "admin@example.com")
    assert closed.returncode == 0, str(closed)
    assert_error(run("ctas", "close", cta, "--note", "again"), 1, "already closed")

    done = run("handoffs", "edit", "A3", "--power-users", "Ann", "--as", "eve@example.com")
    assert done.returncode == 0 and "still missing" in done.stdout
    assert_error(run("handoffs", "edit", "A4", "--pain-point", "x", "--as", "eve@example.com"), 1, "may not edit")
    incomplete = json.loads(run("handoffs", "list", "--incomplete", "--format", "json").stdout)
    assert [h["account_id"] for h in incomplete] == ["A3"]

    plan = run("success-plans", "add", "A3", "--objective", "Close the books in 3 days", "--as", "eve@example.com")
    assert plan.returncode == 0, str(plan)
    assert run("success-plans", "criterion", "1", "--text", "Day-3 close in March", "--agreed-before-signature",
               "--as", "eve@example.com").returncode == 0
    assert_error(run("success-plans", "add", "A4", "--objective", "x", "--as", "eve@example.com"), 1, "may not edit")
    assert "achieved" in run("success-plans", "done", "1", "--evidence", "March close took 3 days").stdout

    assert run("notes", "add", "A3", "--text", "QBR booked for March").returncode == 0
    shown = run("account", "A3", "--as-of", AS_OF.isoformat())
    assert "QBR booked for March" in shown.stdout and "Timeline" in shown.stdout
    assert_error(run("notes", "add", "A99", "--text", "x"), 3, "no account with account_id 'A99'")
