"""Advocacy for a workspace: advocate candidates at a date and referral-sourced ARR (desk/advocacy.py has
the definitions).

Health comes from the stored snapshot of the date (else computed), feature breadth from the stored
account metrics (else computed), churn probability only from a stored score. The advocacy records
and open escalations live in the workflow store: callers read them and pass them in.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING

from tenure.desk.advocacy import candidates, latest_nps, referrals
from tenure.history import METRICS_HISTORY, stored_day
from tenure.metrics.calendar import to_date
from tenure.views.book import book_at

if TYPE_CHECKING:
    import pandas as pd

    from tenure.workspace import Workspace

DEFAULT_RISK_THRESHOLD = 0.3  # as the gaps report: when neither the config nor a trained model sets one


def advocate_candidates(ws: Workspace, *, as_of: dt.date, asks: pd.DataFrame, escalated: set[str],
                        owners: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Every account paying at `as_of` with the advocate criteria checked, candidates first.

    `asks`: account_id, occurred_on of every advocacy record; `escalated`: accounts with an
    escalation open at the end of `as_of`.
    """
    book = ws.warehouse.execute(book_at(ws, as_of=as_of, owners=owners).select(
        "account_id", "name", "segment", "owner", "arr", "band", "churn_probability"))
    book["arr"] = book["arr"].astype(float)
    metrics = stored_day(ws, METRICS_HISTORY, as_of)
    if metrics is None:
        from tenure.views.health import metrics_at

        metrics = metrics_at(ws, as_of=as_of)
    breadth = ws.warehouse.execute(metrics.select(
        "account_id", feature_breadth_30d=metrics.feature_breadth_30d.cast("float64")))
    frame = book.merge(breadth, on="account_id", how="left")
    surveys = ws.warehouse.table("surveys")
    if surveys is not None:
        frame = frame.merge(ws.warehouse.execute(latest_nps(surveys, as_of=as_of)), on="account_id", how="left")
    for column in ("nps_score", "nps_on", "nps_contact_id"):
        if column not in frame.columns:
            frame[column] = None
    frame["nps_on"] = [to_date(v) for v in frame["nps_on"]]
    desk = ws.config.desk
    return candidates(frame, asks, as_of=as_of, top_band=top_band(ws), risk_threshold=risk_threshold(ws)[0],
                      escalated=escalated, min_days=desk.advocate_min_days_between_asks,
                      max_per_year=desk.advocate_max_asks_per_year)


def top_band(ws: Workspace) -> str:
    """The healthiest band of `health.bands` (the one ending at 100)."""
    return list(ws.config.health.bands)[-1]


def risk_threshold(ws: Workspace) -> tuple[float, str]:
    """The churn probability at or above which a renewal is at risk, and where it came from:
    `predict.risk_threshold`, else the newest trained model's, else 0.3."""
    configured = ws.config.predict.risk_threshold
    if configured is not None:
        return configured, "predict.risk_threshold"
    from tenure.predict.store import FOLDER, versions

    found = versions(ws)
    if found:
        path = ws.root / FOLDER / f"renewal-v{found[-1]}.json"
        learned = json.loads(path.read_text(encoding="utf-8")).get("risk_threshold")
        if learned is not None:
            return float(learned), f"model renewal-v{found[-1]}"
    return DEFAULT_RISK_THRESHOLD, "default"


def account_arr(ws: Workspace, *, as_of: dt.date) -> pd.DataFrame:
    """ARR of every account paying at `as_of` (account_id, arr)."""
    book = ws.warehouse.execute(book_at(ws, as_of=as_of, health=False).select("account_id", "arr"))
    return book.assign(arr=book["arr"].astype(float))


def referral_sourced(ws: Workspace, *, as_of: dt.date, records: pd.DataFrame) -> pd.DataFrame:
    """Each referral with the referred account's ARR at `as_of` (referral-sourced ARR is their sum)."""
    return referrals(records, account_arr(ws, as_of=as_of))

