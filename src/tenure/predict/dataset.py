"""Training sets: features at monthly cutoffs joined with what happened after each.

A cutoff's outcomes are known once its horizon has passed, so a model trained `as_of` a day
only sees cutoffs at least `horizon_days` before it. Building a cutoff's rows costs a few
seconds, so each is cached in the workspace (`cache/training/`) under a key of the loaded
data and the configuration that shapes features and labels: a new load or a changed
scorecard builds them again, nothing else does.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import pandas as pd

from tenure.errors import TenureError
from tenure.metrics.calendar import index_of, last_closed_month, month_end_of_index
from tenure.predict.features import features_at
from tenure.predict.outcomes import outcomes_after
from tenure.views.health import shared_first_uses

if TYPE_CHECKING:
    from pathlib import Path

    from tenure.workspace import Workspace

WARM_UP_MONTHS = 3  # the first cutoff is this many months after the first paid start: trends need history
CACHE = "cache/training"


def first_cutoff(ws: Workspace) -> dt.date:
    """The earliest month-end with enough history behind it for 90-day metrics.

    History starts at the first paid start, or at the first product event when events are
    loaded and begin later (usage exports rarely reach back as far as billing): features before
    then would read "no usage" where there was simply no record.
    """
    subscriptions = ws.warehouse.table("subscriptions")
    if subscriptions is None:
        raise TenureError("no subscriptions are loaded in this workspace; run `tenure load` first")
    paid = subscriptions.filter(subscriptions.mrr > 0)
    start = ws.warehouse.execute(paid.start_date.min())
    if start is None or pd.isna(start):
        raise TenureError("no paying subscription lines are loaded; nothing to learn from")
    start = pd.Timestamp(start).date()
    events = ws.warehouse.table("events")
    if events is not None:
        first_event = ws.warehouse.execute(events.timestamp.min())
        if first_event is not None and not pd.isna(first_event):
            start = max(start, pd.Timestamp(first_event).date())
    return month_end_of_index(index_of(start) + WARM_UP_MONTHS)


def month_ends(start: dt.date, end: dt.date) -> list[dt.date]:
    """Every month-end from the one on or after `start` to the last one on or before `end`."""
    return [month_end_of_index(i) for i in range(index_of(start), last_closed_month(end) + 1)
            if month_end_of_index(i) >= start]


def training_cutoffs(ws: Workspace, as_of: dt.date) -> list[dt.date]:
    """The monthly cutoffs a model trained at `as_of` learns from: outcomes known, within the training window."""
    settings = ws.config.predict
    known_by = as_of - dt.timedelta(days=settings.horizon_days + settings.grace_days)
    cutoffs = month_ends(first_cutoff(ws), known_by)
    return cutoffs[-settings.training_months:]


def training_rows(ws: Workspace, cutoffs: Sequence[dt.date], *,
                  progress: Callable[[dt.date], None] | None = None) -> pd.DataFrame:
    """Features and outcomes of every account paying at each cutoff, stacked (oldest first)."""
    key = _cache_key(ws)
    firsts = None
    frames = []
    for cutoff in sorted(cutoffs):
        if progress:
            progress(cutoff)
        path = ws.root / CACHE / f"{cutoff.isoformat()}-{key}.parquet" if key else None
        if path is not None and path.exists():
            frames.append(pd.read_parquet(path))
            continue
        if firsts is None:
            firsts = shared_first_uses(ws)
        rows = rows_at(ws, cutoff, first_uses=firsts)
        if path is not None:
            _store(path, rows, cutoff)
        frames.append(rows)
    if not frames:
        return pd.DataFrame()
    out = pd.concat(frames, ignore_index=True)
    for column in ("cutoff", "renewal_date", "churn_date"):
        out[column] = pd.to_datetime(out[column])
    return out


def rows_at(ws: Workspace, cutoff: dt.date, *, first_uses=None) -> pd.DataFrame:
    """One cutoff's rows: the features of `features_at` and the columns of `outcomes_after`."""
    settings = ws.config.predict
    features = features_at(ws, cutoff, first_uses=first_uses)
    outcomes = outcomes_after(ws, cutoff, horizon_days=settings.horizon_days, grace_days=settings.grace_days,
                              flat_tolerance=settings.flat_tolerance)
    return features.merge(outcomes.drop(columns="cutoff"), on="account_id", how="left")


def _cache_key(ws: Workspace) -> str | None:
    """A digest of the loaded data and the settings behind features and labels; None off DuckDB."""
    if not ws.warehouse.is_duckdb:
        return None
    config = ws.config.model_dump(include={"revenue", "adoption", "value", "health", "predict", "base_currency"},
                                  mode="json")
    config["predict"].pop("training_months"), config["predict"].pop("risk_threshold")
    text = json.dumps({"data": ws.warehouse.fingerprint(), "config": config}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _store(path: Path, rows: pd.DataFrame, cutoff: dt.date) -> None:
    """Write a cutoff's rows; files of other keys for the same cutoff are stale and go."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in path.parent.glob(f"{cutoff.isoformat()}-*.parquet"):
        stale.unlink()
    temporary = path.with_suffix(".tmp")
    rows.to_parquet(temporary, index=False)
    temporary.replace(path)
