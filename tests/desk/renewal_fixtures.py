"""Helpers of the renewal-desk tests: stored predictions and health snapshots, calls, CTAs, escalations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pandas as pd
import pyarrow as pa

from tenure.history import HEALTH_HISTORY, store_snapshot
from tenure.workflow.models import Cta, Escalation, Task

PREDICTIONS = "prediction_history"


def store_predictions(ws, day: str, rows: Iterable[tuple], *, version: int = 1) -> None:
    """Store a scoring of `day`: rows of (account_id, p_churn, p_contraction, p_expansion[, driver_1])."""
    records = []
    for account_id, churn, contraction, expansion, *driver in rows:
        records.append({
            "account_id": account_id, "model_version": version, "churn_probability": churn,
            "contraction_probability": contraction, "flat_probability": max(0.0, 1 - churn - contraction - expansion),
            "expansion_probability": expansion, "driver_1": driver[0] if driver else None, "driver_2": None,
            "driver_3": None, "renewal_date": dt.date(2030, 1, 1), "days_to_renewal": 1, "term_months": 12,
            "arr": 1.0, "as_of": dt.date.fromisoformat(day)})
    frame = pd.DataFrame(records).astype({"driver_1": "string", "driver_2": "string", "driver_3": "string"})
    store_snapshot(ws.warehouse, {PREDICTIONS: pa.Table.from_pandas(frame, preserve_index=False)},
                   dt.date.fromisoformat(day))


def store_bands(ws, day: str, bands: dict[str, str]) -> None:
    """Store a health snapshot of `day` holding only each account's band (and a score)."""
    frame = pd.DataFrame({"account_id": list(bands), "score": [50.0] * len(bands), "band": list(bands.values()),
                          "as_of": dt.date.fromisoformat(day)})
    store_snapshot(ws.warehouse, {HEALTH_HISTORY: pa.Table.from_pandas(frame, preserve_index=False)},
                   dt.date.fromisoformat(day))


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def cta(account_id: str, *, kind: str = "risk", opened: str, closed: str | None = None,
        tasks: Iterable[tuple[str, str, str | None]] = ()) -> Cta:
    """A CTA with tasks given as (title, due date, done at)."""
    item = Cta(account_id=account_id, kind=kind, reason="test", priority="high", status="closed" if closed else "open",
               owner_person_id="C1", due_date=dt.date(2026, 4, 30), opened_at=at(opened),
               closed_at=at(closed) if closed else None)
    for position, (title, due, done) in enumerate(tasks, start=1):
        item.tasks.append(Task(position=position, title=title, owner_role="csm", due_date=dt.date.fromisoformat(due),
                               done_at=at(done) if done else None))
    return item


def escalation(account_id: str, *, opened: str, resolved: str | None = None) -> Escalation:
    return Escalation(account_id=account_id, severity="high", summary="test", opened_at=at(opened),
                      resolved_at=at(resolved) if resolved else None)
