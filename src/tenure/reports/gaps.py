"""The product-gaps list a director takes to the product team: churn reasons and feature requests, in dollars.

Churn reasons rank by the ARR lost for them in the window. Feature requests rank by the ARR of
the accounts that asked: lost (they churned or contracted in the window), at risk (paying
accounts with an open risk or renewal CTA, or a churn probability at or above the risk
threshold), expected churn (ARR × churn probability) and open pipeline (open opportunities).
The share of lost ARR that was interviewed says how much of this is the customer's own word.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import ibis
import pandas as pd
from sqlalchemy import select

from tenure.metrics import revenue
from tenure.metrics.calendar import last_closed_month
from tenure.predict.score import PREDICTIONS
from tenure.views.revenue import account_mrr
from tenure.workflow.models import ChurnReason, Cta
from tenure.workflow.requests import feature_requests

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tenure.workspace import Workspace

DEFAULT_THRESHOLD = 0.3


@dataclass
class Gaps:
    since: dt.date
    as_of: dt.date
    reasons: pd.DataFrame  # reason, voluntary, records, arr_lost, competitors
    features: pd.DataFrame  # id, title, status, accounts, arr_lost, arr_at_risk, expected_churn, pipeline
    lost_arr: float  # churned and contracted ARR in the window (revenue movements)
    interviewed_arr: float  # of it, ARR whose churn reason came from an exit interview


def gaps(ws: Workspace, session: Session, *, as_of: dt.date, months: int = 3) -> Gaps:
    last = last_closed_month(as_of)
    first = last - months + 1
    since = dt.date(first // 12, first % 12 + 1, 1)
    moves = revenue.movements(account_mrr(ws, as_of=as_of), as_of=as_of,
                              reactivation_window_months=ws.config.revenue.reactivation_window_months)
    losses = moves.movement.isin(["churn", "contraction"])
    window = moves.filter((moves.month >= first) & (moves.month <= last) & losses)
    lost = ws.warehouse.execute(window.group_by("account_id").aggregate(
        arr_lost=(-window.change * 12).sum().cast("float64")))
    lost_by_account = dict(zip(lost["account_id"], lost["arr_lost"], strict=True))

    records = pd.DataFrame([{"account_id": r.account_id, "reason": r.primary_reason, "voluntary": r.voluntary,
                             "arr_lost": r.arr_lost, "competitor": r.competitor, "interviewed": r.interviewed}
                            for r in session.scalars(select(ChurnReason).where(ChurnReason.occurred_on >= since,
                                                                               ChurnReason.occurred_on <= as_of))],
                           columns=["account_id", "reason", "voluntary", "arr_lost", "competitor", "interviewed"])
    reasons = records.groupby("reason").agg(
        voluntary=("voluntary", "first"), records=("account_id", "size"), arr_lost=("arr_lost", "sum"),
        competitors=("competitor", lambda c: ", ".join(sorted({x for x in c if x}))),
    ).reset_index().sort_values("arr_lost", ascending=False, ignore_index=True)
    interviewed_accounts = set(records.loc[records["interviewed"].astype(bool), "account_id"])
    interviewed = sum(v for k, v in lost_by_account.items() if k in interviewed_accounts)

    state = _account_state(ws, session, as_of)
    requests = feature_requests(session)
    features = _rank_features(requests, state, lost_by_account)
    return Gaps(since, as_of, reasons, features, float(sum(lost_by_account.values())), float(interviewed))


def _account_state(ws: Workspace, session: Session, as_of: dt.date) -> pd.DataFrame:
    """ARR, churn probability, at-risk flag and open pipeline of every account at `as_of`."""
    mrr = account_mrr(ws, as_of=as_of)
    now = mrr.filter(mrr.month == last_closed_month(as_of))
    state = ws.warehouse.execute(now.select("account_id", arr=(now.mrr * 12).cast("float64")))
    backend = ws.warehouse.backend
    if PREDICTIONS in backend.list_tables():
        scores = backend.table(PREDICTIONS)
        latest = scores.filter(scores.as_of <= ibis.literal(as_of, type="date"))
        newest = latest.as_of.max()
        frame = ws.warehouse.execute(latest.filter(latest.as_of == newest).select("account_id", "churn_probability"))
        state = state.merge(frame, on="account_id", how="left")
    else:
        state["churn_probability"] = float("nan")
    threshold = ws.config.predict.risk_threshold or DEFAULT_THRESHOLD
    risky = select(Cta.account_id).where(Cta.status == "open", Cta.kind.in_(["risk", "renewal"]))
    flagged = set(session.scalars(risky))
    state["at_risk"] = state["account_id"].isin(flagged) | (state["churn_probability"] >= threshold)
    opportunities = ws.warehouse.table("opportunities")
    if opportunities is not None:
        open_ = opportunities.filter(opportunities.status == "open")
        pipeline = ws.warehouse.execute(open_.group_by("account_id").aggregate(pipeline=open_.amount.sum()
                                                                               .cast("float64")))
        state = state.merge(pipeline, on="account_id", how="left")
    else:
        state["pipeline"] = 0.0
    return state.fillna({"pipeline": 0.0})


def _rank_features(requests: pd.DataFrame, state: pd.DataFrame, lost: dict[str, float]) -> pd.DataFrame:
    columns = ["id", "title", "status", "accounts", "arr_lost", "arr_at_risk", "expected_churn", "pipeline"]
    if requests.empty:
        return pd.DataFrame(columns=columns)
    joined = requests.merge(state, on="account_id", how="left")
    joined["arr_lost"] = joined["account_id"].map(lost).fillna(0.0)
    joined["arr_at_risk"] = joined["arr"].where(joined["at_risk"].fillna(False).astype(bool), 0.0).fillna(0.0)
    joined["expected_churn"] = (joined["arr"] * joined["churn_probability"]).fillna(0.0)
    ranked = joined.groupby(["id", "title", "status"]).agg(
        accounts=("account_id", "nunique"), arr_lost=("arr_lost", "sum"), arr_at_risk=("arr_at_risk", "sum"),
        expected_churn=("expected_churn", "sum"), pipeline=("pipeline", "sum"),
    ).reset_index()
    ranked["_rank"] = ranked["arr_lost"] + ranked["arr_at_risk"]
    return ranked.sort_values(["_rank", "pipeline"], ascending=False, ignore_index=True)[columns]
