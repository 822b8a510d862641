"""An account's state at a date, as the rules see it: one row per paying account.

Health, every registered metric and the churn score come from the snapshot `tenure run`
stores for the date (computed and stored here when missing), so rules read exactly the
numbers the CSM sees. The owner is the effective one: a reassignment made in tenure
overrides the loaded `owner_csm_id` (DESIGN.md, ownership). `renewal_owner` and
`expansion_owner` follow `ownership:` (the CSM, the renewal specialist or the AE; see
operating/ownership.py), so renewal and expansion CTAs go to whoever owns that motion.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pandas as pd

from tenure.history import HEALTH_HISTORY, METRICS_HISTORY, snapshot, stored_day
from tenure.predict.score import PREDICTIONS
from tenure.views.ownership import routed_owners
from tenure.workflow.handoffs import incomplete_accounts
from tenure.workflow.plans import owner_overrides

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tenure.workspace import Workspace

HEALTH_COLUMNS = ("account_id", "name", "segment", "region", "owner_csm_id", "score", "band", "score_change_30d",
                  "arr", "renewal_date", "days_to_renewal")


def account_state(ws: Workspace, session: Session, *, as_of: dt.date) -> pd.DataFrame:
    """Health, metrics, churn probability and effective owner of every account paying at `as_of`."""
    health, metrics = stored_day(ws, HEALTH_HISTORY, as_of), stored_day(ws, METRICS_HISTORY, as_of)
    if health is None or metrics is None:
        snapshot(ws, as_of=as_of)
        health, metrics = stored_day(ws, HEALTH_HISTORY, as_of), stored_day(ws, METRICS_HISTORY, as_of)
    health = ws.warehouse.execute(health.select(*HEALTH_COLUMNS))
    metrics = ws.warehouse.execute(metrics)
    metrics = metrics.drop(columns=[c for c in ("as_of", "arr", "renewal_date", "days_to_renewal")
                                    if c in metrics.columns])
    state = health.merge(metrics, on="account_id", how="left")
    scores = stored_day(ws, PREDICTIONS, as_of)
    if scores is not None:
        churn = ws.warehouse.execute(scores.select("account_id", "churn_probability", "expansion_probability"))
        state = state.merge(churn, on="account_id", how="left")
    else:
        state["churn_probability"] = float("nan")
        state["expansion_probability"] = float("nan")
    state["band_30d_ago"] = _band_of(state["score"] - state["score_change_30d"], ws.config.health.bands)
    state["owner"] = _effective_owner(session, state)
    state = state.merge(routed_owners(ws, state[["account_id", "owner"]], as_of=as_of), on="account_id", how="left")
    incomplete = incomplete_accounts(session, state["account_id"].tolist())
    state["handoff_complete"] = ~state["account_id"].isin(incomplete)
    return state


def _band_of(score: pd.Series, bands: dict[str, tuple[float, float]]) -> pd.Series:
    """The band a score falls in (low ≤ score < high; the top band includes its high), empty for no score."""
    names = list(bands)
    out = pd.Series(None, index=score.index, dtype=object)
    for i, (name, (low, high)) in enumerate(bands.items()):
        upper = score <= high if i == len(names) - 1 else score < high
        out[(score >= low) & upper] = name
    return out


def _effective_owner(session: Session, state: pd.DataFrame) -> pd.Series:
    """The latest reassignment made in tenure, else the loaded owner."""
    override = owner_overrides(session)
    return state["account_id"].map(override).fillna(state["owner_csm_id"]).astype(object)
