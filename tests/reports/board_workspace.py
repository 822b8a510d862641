"""A hand-made company whose board pack for 2026Q3 has known answers.

Eight accounts, two segments (loaded on the account). MRR at 2026-06-30 is 7,100 (ARR 85,200);
in 2026Q3 Dune is new (+9,600 ARR), Acme expands (+6,000), Elm comes back (+4,800), Cedar
contracts (−2,400) and Birch churns (−24,000), so ARR ends at 79,200. Hazel churned in 2026Q2.

Renewals due within the 180-day horizon after 2026-09-30: Acme (18,000 ARR), Fir (36,000) and
Gum (7,200). The stored scores (2026-09-28) give them churn probabilities 0.6, 0.1 and 0.45
against a configured risk threshold of 0.4: Acme and Gum are at risk (25,200 ARR), expected
churn 17,640. Acme has an open risk CTA on 2026-09-30; Gum's was closed before then.

Stored health: on 2026-06-29 Acme, Cedar and Fir green, Birch and Gum yellow; on 2026-09-28
Acme and Gum red, Cedar yellow, Dune, Elm and Fir green. Moves down: 28,800 of ARR (Acme
green→red 18,000, Cedar green→yellow 3,600, Gum yellow→red 7,200), none up. Without the
stored scores, the renewals at risk are those in the red band: Acme and Gum again.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa

from operating.tables import account, line, person, workspace_with
from tenure.history import HEALTH_HISTORY, store_snapshot
from tenure.workspace import Workspace

PERIOD = "2026Q3"
START_DAY, END_DAY = dt.date(2026, 6, 29), dt.date(2026, 9, 28)
ARR_START, ARR_END = 85_200.0, 79_200.0
MOVEMENTS = {"new": 9_600.0, "expansion": 6_000.0, "reactivation": 4_800.0, "contraction": -2_400.0,
             "churn": -24_000.0}
AT_RISK_ARR, ARR_DUE, EXPECTED_CHURN = 25_200.0, 61_200.0, 17_640.0
MOVED_DOWN_ARR = 28_800.0
CONFIG_THRESHOLD = ("  risk_threshold:               # churn probability that flags a renewal at risk; "
                    "empty: twice the learned churn rate")

NAMES = {"A": "Acme", "B": "Birch", "C": "Cedar", "D": "Dune", "E": "Elm", "F": "Fir", "G": "Gum", "H": "Hazel"}
SEGMENTS = {"A": "Enterprise", "B": "Enterprise", "F": "Enterprise", "C": "SMB", "D": "SMB", "E": "SMB", "G": "SMB",
            "H": "SMB"}
LINES = [
    line("a1", "A", "2024-01-01", 1000), line("a2", "A", "2026-08-01", 500, product="addon"),
    line("b1", "B", "2024-03-01", 2000, end_date="2026-08-15"),
    line("c1", "C", "2025-01-01", 500, end_date="2026-09-01"), line("c2", "C", "2026-09-01", 300),
    line("d1", "D", "2026-07-10", 800),
    line("e1", "E", "2024-06-01", 400, end_date="2025-12-01"), line("e2", "E", "2026-07-01", 400),
    line("f1", "F", "2024-01-01", 3000),
    line("g1", "G", "2024-02-01", 600),
    line("h1", "H", "2025-05-01", 250, end_date="2026-05-01"),
]


def accounts(*, owned: bool) -> list[dict]:
    return [account(key, name=NAMES[key], segment=SEGMENTS[key], created_at="2024-01-01",
                    **({"owner_csm_id": "p1" if SEGMENTS[key] == "Enterprise" else "p2"} if owned else {}))
            for key in NAMES]


def minimal_workspace(root: Path) -> Workspace:
    """Only the two required tables: every optional section must say "no data"."""
    return workspace_with(root, {"accounts": accounts(owned=False), "subscriptions": LINES})


def full_workspace(root: Path) -> Workspace:
    """The company with its team, some product usage, stored health and scores, and CTAs."""
    events = [{"account_id": key, "user_id": f"{key}-u{u}", "event": event, "timestamp": f"2026-{m:02d}-15T10:00:00Z"}
              for key in ("A", "C", "F", "G") for u in (1, 2) for m in (6, 7, 8, 9)
              for event in ("login", "report_created")]
    tables = {
        "team": [person("p0", "manager", name="Morgan"), person("p1", name="Pat", manager_id="p0"),
                 person("p2", name="Sam", manager_id="p0")],
        "accounts": accounts(owned=True), "subscriptions": LINES, "events": events,
        "features": [{"event": "report_created", "is_key": True}, {"event": "login", "is_key": False}],
    }
    ws = workspace_with(root, tables)
    config = ws.root / "tenure.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace(CONFIG_THRESHOLD, "  risk_threshold: 0.4"), encoding="utf-8")
    ws.close()
    ws = Workspace.open(ws.root)
    store_health(ws)
    store_scores(ws)
    open_ctas(ws)
    return ws


def store_health(ws: Workspace) -> None:
    days = {START_DAY: {"A": ("green", 12_000), "B": ("yellow", 24_000), "C": ("green", 6_000),
                        "F": ("green", 36_000), "G": ("yellow", 7_200)},
            END_DAY: {"A": ("red", 18_000), "C": ("yellow", 3_600), "D": ("green", 9_600), "E": ("green", 4_800),
                      "F": ("green", 36_000), "G": ("red", 7_200)}}
    scores = {"red": 30.0, "yellow": 55.0, "green": 85.0}
    for day, rows in days.items():
        keys = list(rows)
        table = pa.table({
            "account_id": keys, "name": [NAMES[k] for k in keys], "segment": [SEGMENTS[k] for k in keys],
            "score": [scores[rows[k][0]] for k in keys], "band": [rows[k][0] for k in keys],
            "arr": [float(rows[k][1]) for k in keys],
            "driver_1": ["seat_utilisation"] * len(keys), "driver_1_points": [20.0] * len(keys),
            "driver_2": ["meetings_90d"] * len(keys), "driver_2_points": [10.0] * len(keys),
            "as_of": [day] * len(keys)})
        store_snapshot(ws.warehouse, {HEALTH_HISTORY: table}, day)


def store_scores(ws: Workspace) -> None:
    from tenure.predict.score import PREDICTIONS

    day = dt.date(2026, 9, 28)
    probabilities = {"A": 0.6, "F": 0.1, "G": 0.45}
    keys = list(probabilities)
    table = pa.table({
        "account_id": keys, "model_version": [1] * 3, "churn_probability": [probabilities[k] for k in keys],
        "contraction_probability": [0.1] * 3, "flat_probability": [0.2] * 3, "expansion_probability": [0.1] * 3,
        "driver_1": ["active users down 40% against the prior 30 days", "seats: 12", "no executive contact"],
        "driver_2": ["no business review in 90 days", None, None],
        "as_of": [day] * 3})
    store_snapshot(ws.warehouse, {PREDICTIONS: table}, day)


def open_ctas(ws: Workspace) -> None:
    from tenure.workflow.models import Cta
    from tenure.workflow.store import WorkflowStore

    store = WorkflowStore.of(ws)
    with store.session() as session:
        session.add_all([
            Cta(account_id="A", kind="risk", reason="renewal at risk", priority="high", due_date=dt.date(2026, 10, 15),
                opened_at=dt.datetime(2026, 9, 1, 9)),
            Cta(account_id="G", kind="risk", reason="renewal at risk", priority="high", due_date=dt.date(2026, 9, 20),
                opened_at=dt.datetime(2026, 9, 2, 9), status="closed", closed_at=dt.datetime(2026, 9, 10, 9),
                close_note="called"),
        ])
    store.dispose()
