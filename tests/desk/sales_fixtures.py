"""Helpers of the expansion, vetting and advocacy tests: hand-made workspaces and stored snapshots."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import pandas as pd
import pyarrow as pa

from operating.tables import account, line, person, workspace_with, write_tables  # noqa: F401
from tenure.history import HEALTH_HISTORY, METRICS_HISTORY, store_snapshot
from tenure.workflow.store import WorkflowStore

PREDICTIONS = "prediction_history"


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def store_table(ws, name: str, when: str, rows: list[dict]) -> None:
    """Store rows as the `name` history snapshot of `when`."""
    frame = pd.DataFrame(rows).assign(as_of=day(when))
    store_snapshot(ws.warehouse, {name: pa.Table.from_pandas(frame, preserve_index=False)}, day(when))


def store_scores(ws, when: str, scores: Mapping[str, tuple[float, float]]) -> None:
    """A stored scoring of `when`: account → (churn probability, expansion probability)."""
    store_table(ws, PREDICTIONS, when, [
        {"account_id": a, "model_version": 1, "churn_probability": c, "expansion_probability": e}
        for a, (c, e) in scores.items()])


def store_health(ws, when: str, bands: Mapping[str, str]) -> None:
    store_table(ws, HEALTH_HISTORY, when, [{"account_id": a, "score": 50.0, "band": b} for a, b in bands.items()])


def store_metrics(ws, when: str, rows: Mapping[str, Mapping[str, float | None]]) -> None:
    store_table(ws, METRICS_HISTORY, when, [{"account_id": a, **values} for a, values in rows.items()])


def store_of(ws) -> WorkflowStore:
    store = WorkflowStore.of(ws)
    store.upgrade()
    return store
