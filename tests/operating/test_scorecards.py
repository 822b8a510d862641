"""Team scorecards on a hand-made quarter, every figure worked out by hand.

Period 2025Q2 (2025-04-01 .. 2025-06-30, 91 days), measured to its end; the book date is 2025-03-31.

    account  owner at start              ARR start → end     motion (cadence)        touches in Q2
    A1       P1 (loaded)                 12,000 → 12,000     high-touch (30 days)    3 calls (+1 email, not a touch)
    A2       P1 (reassigned 2025-03-01;  6,000 → 0 (churned  high-touch (30 days)    1 meeting
                loaded P2)                    2025-05-15)
    A3       P2 (reassigned to P1 on     1,200 → 2,400       digital (not dedicated)  —
                2025-05-01: after the start, so still P2's book)

P1: GRR = NRR = 12,000 ÷ 18,000 = 66.7%; cadence kept: A1 (3 ≥ ⌊91/30⌋ = 3) yes, A2 (1) no → 50%.
P2: GRR = 1,200 ÷ 1,200 = 100%; NRR = 2,400 ÷ 1,200 = 200%; no dedicated account → cadence "no data".
Team M1 (P1 and P2): GRR = 13,200 ÷ 19,200 = 68.75%; NRR = 14,400 ÷ 19,200 = 75%.
Health snapshots stored for the book date and the end: A1 red → green, A2 yellow (gone at the end),
A3 green → red. Red ARR: P1 12,000 → 0 (−12,000); P2 0 → 2,400.
CTAs due in Q2: P1 due 05-01 closed 04-30 (on time), P1 due 06-01 closed 06-05 (late), P2 due
06-10 still open; P1 due 07-10 is outside. P1 1 of 2 on time, P2 0 of 1, team 1 of 3.
Value: `reports` is worth 2 hours per report_created; A1 made 4 in Q2 (one row counts 2) → 8 hours.
"""

from __future__ import annotations

import datetime as dt
import json

import pyarrow as pa
import pytest

from cli.helpers import tenure
from tenure.history import HEALTH_HISTORY, store_snapshot
from tenure.operating.periods import parse_period
from tenure.views.scorecards import history, scorecards_view
from tenure.workflow.ctas import due_between
from tenure.workflow.models import Cta, OwnerAssignment
from tenure.workflow.plans import owner_overrides
from tenure.workflow.store import WorkflowStore

from .tables import account, line, person, workspace_with

Q2 = parse_period("2025Q2")
AS_OF = dt.date(2025, 7, 15)

CONFIG = """
value:
  - {name: reports, event: report_created, per_event: 2, unit: hours}
engagement:
  motions:
    high-touch: {cadence_days: 30, hours_per_month: 10}
    digital: {cadence_days: 90, hours_per_month: 1, dedicated: false}
  matrix:
    Enterprise: {"*": high-touch}
    "*": {"*": digital}
"""


def activity(activity_id: str, account_id: str, occurred_at: str, kind: str) -> dict:
    return {"activity_id": activity_id, "account_id": account_id, "occurred_at": occurred_at, "type": kind}


def event(account_id: str, timestamp: str, count: int | None = None) -> dict:
    return {"account_id": account_id, "user_id": "u1", "event": "report_created", "timestamp": timestamp,
            "count": count}


TABLES = {
    "team": [person("M1", role="manager"), person("P1", manager_id="M1", segment="Enterprise"),
             person("P2", manager_id="M1", segment="SMB")],
    "accounts": [account("A1", segment="Enterprise", owner_csm_id="P1"),
                 account("A2", segment="Enterprise", owner_csm_id="P2"),
                 account("A3", segment="SMB", owner_csm_id="P2")],
    "subscriptions": [line("S1", "A1", "2024-01-01", 1000), line("S2", "A2", "2024-01-01", 500, end_date="2025-05-15"),
                      line("S3", "A3", "2024-01-01", 100), line("S4", "A3", "2025-05-01", 100)],
    "activities": [activity("T1", "A1", "2025-04-10T10:00:00Z", "call"),
                   activity("T2", "A1", "2025-05-10T10:00:00Z", "call"),
                   activity("T3", "A1", "2025-06-10T10:00:00Z", "call"),
                   activity("T4", "A1", "2025-06-11T10:00:00Z", "email"),
                   activity("T5", "A2", "2025-04-20T10:00:00Z", "meeting"),
                   activity("T6", "A2", "2025-03-20T10:00:00Z", "meeting")],
    "events": [event("A1", "2025-04-02T09:00:00Z"), event("A1", "2025-05-02T09:00:00Z", 2),
               event("A1", "2025-06-30T23:00:00Z"), event("A1", "2025-03-31T23:00:00Z")],
}


def snapshot(ws, day: dt.date, bands: dict[str, str]) -> None:
    scores = {"red": 20.0, "yellow": 50.0, "green": 80.0}
    table = pa.table({"account_id": list(bands), "score": [scores[b] for b in bands.values()],
                      "band": list(bands.values()), "as_of": [day] * len(bands)})
    store_snapshot(ws.warehouse, {HEALTH_HISTORY: table}, day)


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    ws = workspace_with(tmp_path_factory.mktemp("scorecards"), TABLES, CONFIG)
    snapshot(ws, Q2.book_date, {"A1": "red", "A2": "yellow", "A3": "green"})
    snapshot(ws, Q2.end, {"A1": "green", "A3": "red"})
    store = WorkflowStore.of(ws)
    with store.session() as session:
        session.add(OwnerAssignment(account_id="A2", owner_person_id="P1", assigned_at=dt.datetime(2025, 3, 1)))
        session.add(OwnerAssignment(account_id="A3", owner_person_id="P1", assigned_at=dt.datetime(2025, 5, 1)))
        for owner, due, closed in (("P1", "2025-05-01", "2025-04-30"), ("P1", "2025-06-01", "2025-06-05"),
                                   ("P2", "2025-06-10", None), ("P1", "2025-07-10", "2025-07-01")):
            session.add(Cta(account_id="A1", kind="risk", reason="test", priority="high", owner_person_id=owner,
                            due_date=dt.date.fromisoformat(due), status="closed" if closed else "open",
                            closed_at=dt.datetime.fromisoformat(closed) if closed else None))
    store.dispose()
    return ws


def view(ws, level: str):
    store = WorkflowStore.of(ws)

    def owners_before(day):
        with store.session() as session:
            return owner_overrides(session, before=dt.datetime.combine(day, dt.time()))

    def ctas_between(start, end):
        with store.session() as session:
            return due_between(session, start, end)

    try:
        rows = scorecards_view(ws, period=Q2, as_of=AS_OF, level=level, owners_before=owners_before,
                               ctas_between=ctas_between)
    finally:
        store.dispose()
    return {r["book"]: r for r in rows.to_dict("records")}


def test_csm_scorecards(ws):
    by = view(ws, "csm")
    p1, p2 = by["P1"], by["P2"]
    assert (p1["accounts_start"], p1["arr_start"]) == (2, pytest.approx(18_000))
    assert p1["grr"] == pytest.approx(2 / 3) and p1["nrr"] == pytest.approx(2 / 3)
    assert p1["grr_target"] == pytest.approx(0.90 ** 0.25)
    assert p1["cadence_kept"] == pytest.approx(0.5)
    assert (p1["red_arr_start"], p1["red_arr_end"], p1["red_arr_change"]) == (12_000, 0, -12_000)
    assert (p1["ctas_due"], p1["ctas_on_time_share"]) == (2, 0.5)
    assert p1["value_reports"] == pytest.approx(8)
    assert p2["grr"] == pytest.approx(1.0) and p2["nrr"] == pytest.approx(2.0)  # A3 stays in P2's book
    assert p2["cadence_kept"] is None or p2["cadence_kept"] != p2["cadence_kept"]  # no dedicated account: no data
    assert (p2["red_arr_start"], p2["red_arr_end"]) == (0, pytest.approx(2_400))
    assert (p2["ctas_due"], p2["ctas_on_time_share"]) == (1, 0)
    assert p1["name"] == "Person P1"


def test_manager_team_scorecard(ws):
    team = view(ws, "manager")["M1"]
    assert team["grr"] == pytest.approx(13_200 / 19_200) and team["nrr"] == pytest.approx(0.75)
    assert team["cadence_kept"] == pytest.approx(0.5)
    assert (team["ctas_due"], team["ctas_on_time_share"]) == (3, pytest.approx(1 / 3))


def test_history_of_periods():
    labels = [p.label for p in history(parse_period("2026Q1"), 4)]
    assert labels == ["2025Q2", "2025Q3", "2025Q4", "2026Q1"]
    assert [p.label for p in history(parse_period("2026-01"), 2)] == ["2025-12", "2026-01"]


def test_bad_level(ws):
    from tenure.errors import TenureError

    with pytest.raises(TenureError, match="--by must be one of csm, manager"):
        scorecards_view(ws, period=Q2, as_of=AS_OF, level="segment")


@pytest.mark.slow
def test_cli_scorecards(ws):
    folder = ws.root
    ws.close()
    done = tenure("scorecards", "--period", "2025Q2", "--periods", "2", "--as-of", AS_OF, "--format", "json",
                  cwd=folder)
    assert done.returncode == 0, done
    rows = json.loads(done.stdout)
    assert {(r["period"], r["book"]) for r in rows} >= {("2025Q2", "P1"), ("2025Q2", "P2"), ("2025Q1", "P2")}
    q2 = {r["book"]: r for r in rows if r["period"] == "2025Q2"}
    assert q2["P1"]["ctas_due"] == 2 and q2["P1"]["grr"] == pytest.approx(2 / 3)
    table = tenure("scorecards", "--period", "2025Q2", "--by", "manager", "--as-of", AS_OF, cwd=folder)
    assert table.returncode == 0 and "M1" in table.stdout, table
    bad = tenure("scorecards", "--period", "2025Q5", cwd=folder)
    assert bad.returncode == 1 and "2025Q5" in bad.stderr and "Traceback" not in bad.output, bad
    missing = tenure("scorecards", "--period", "2025Q2", "--as-of", AS_OF, "--book", "P7", cwd=folder)
    assert missing.returncode == 3 and "P7" in missing.stderr, missing
